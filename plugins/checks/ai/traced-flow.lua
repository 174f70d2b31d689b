-- Paths from AI agents to sensitive data that activity shows used: the
-- agent's identity (or the last role of its chain) read or wrote the
-- resource, with counts and dates. A traced flow, reported as info.
local ai = require("ai")

local TRACED = [[
  SELECT agent, platform, identity, via_identity, resource, resource_type, sensitivity,
         sensitivity_source, sensitivity_confidence, access, hops, decision, steps, trace,
         logging, trace_count, first_seen, last_seen, attrs
  FROM paths WHERE trace = 'used' ORDER BY agent, resource, access
]]

return {
  id = "ai.path.traced-flow",
  kind = "check",
  question = "ai-data-trace",
  category = "ai-sensitive-data-access",
  owasp = "NHI5",
  severity = "info",
  effort = "low",
  requires = { "paths", "activity" },
  title = "AI agent's access to sensitive data is traced in the activity",
  description = [[
Reports each path from an AI agent to a confidential or restricted
resource that the activity evidence (CloudTrail data events) shows
used: the identity the agent runs as, or the last role it assumes,
performed the path's read or write actions on the resource. The
evidence gives the actions, their count and the first and last time
seen, so the data flow can be reviewed.]],
  remediation = [[
Review that the agent is meant to use this data; if not, remove the
access. Keep the data events on so the flow stays traceable.]],

  run = function(ctx)
    for row in ctx.db:rows(TRACED) do
      row.steps = nhi.json.decode(row.steps)
      row.attrs = row.attrs and nhi.json.decode(row.attrs) or {}
      ctx:finding{
        identity = row.identity, resource = row.resource,
        title = string.format("AI agent %s %s %s data in %s: %d times, %s to %s", row.agent,
                              row.access == "write" and "wrote" or "read", row.sensitivity,
                              row.resource, row.trace_count, row.first_seen or "?",
                              row.last_seen or "?"),
        evidence = { agent = row.agent, platform = row.platform, sensitivity = row.sensitivity,
                     count = row.trace_count, first_seen = row.first_seen,
                     last_seen = row.last_seen, path = ai.path(row) },
      }
    end
  end,
}
