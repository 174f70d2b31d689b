-- Paths from AI agents to sensitive data whose use could not be traced:
-- the trails log no reads (data events) of the resource, or only part.
local ai = require("ai")

local TRAILS = [[
  SELECT 1 FROM resources WHERE provider = 'aws'
    AND type IN ('cloudtrail-trail', 'cloudtrail-account') LIMIT 1
]]

local function untraced(row)
  if not row or row.trace == "used" then return nil end
  if row.logging == "not-logged" or row.logging == "partial" then return "fail" end
  if row.logging == "unknown" and row.resource:sub(1, 4) == "arn:" then
    return "indeterminate"
  end
  return nil
end

return {
  id = "ai.path.untraced-access",
  kind = "check",
  question = "ai-data-trace",
  category = "untraced-ai-access",
  owasp = "NHI6",
  severity = "high",
  effort = "low",
  requires = { "paths", "resources" },
  title = "AI agent's access to sensitive data cannot be traced",
  description = [[
For each path from an AI agent to a confidential or restricted AWS
resource that activity does not show used, asks whether CloudTrail
records reads of the resource at all (data event selectors of a
recording trail). No data events: the agent could read it and nobody
would know (high for restricted data, medium for confidential).
Selectors that log only some prefixes fail too; a recording trail whose
selectors were not collected makes the finding indeterminate. Without
trail configuration (aws:trails) nothing is judged.]],
  remediation = [[
Add CloudTrail data event selectors (advanced selectors on
resources.ARN) for every store an AI agent can reach, and keep them on a
multi-region trail, so that what each agent reads can be traced.]],

  run = function(ctx)
    if not ctx.db:first(TRAILS) then
      nhi.log.info("no CloudTrail trail configuration collected (aws:trails)")
      return
    end
    for _, p in ipairs(ai.pairs(ctx)) do
      local row = p.read or p.write
      local status = untraced(p.read) or untraced(p.write)
      if status and not ((p.read and p.read.trace == "used")
                         or (p.write and p.write.trace == "used")) then
        ctx:finding{
          identity = p.identity, resource = p.resource, status = status,
          severity = p.sensitivity == "restricted" and "high" or "medium",
          confidence = status == "fail" and "high" or "low",
          title = string.format("AI agent %s reaches %s data in %s, whose reads are not logged",
                                p.agent, p.sensitivity, p.resource),
          evidence = { agent = p.agent, platform = p.platform, sensitivity = p.sensitivity,
                       logging = row.logging, path = ai.path(row) },
        }
      end
    end
  end,
}
