-- OpenAI and Anthropic API keys whose owner is gone: the user who owns
-- or created the key has left the organisation, an OpenAI key's owner
-- has lost access to its project, or the key names no owner at all. The
-- key keeps working, and nobody answers for it.
local ai_keys = require("ai_keys")

-- Why key k has no owner to answer for it, or nil.
local function orphaned(k)
  if not k.owner then
    return "no-owner", "names no owner or creator"
  end
  if k.a.owner_project_access == "inactive" then
    return "lost-project-access", "is owned by " .. k.owner .. ", who no longer has access to "
      .. "the project"
  end
  if k.is_human == 1 and k.org_member == 0 then
    return "owner-left", "is owned by " .. k.owner .. ", who is no longer a member of the "
      .. "organisation"
  end
  return nil
end

return {
  id = "ai.provider-key-without-owner",
  kind = "check",
  question = "ai-data-access",
  category = "missing-owner",
  owasp = "NHI1",
  severity = "high",
  effort = "low",
  requires = { "credentials" },
  title = "AI provider key without an owner",
  description = [[
An OpenAI or Anthropic API key that still works although nobody owns
it: its owner or creator is no longer among the organisation's users
(offboarded without their keys), an OpenAI project key's owner has lost
access to the project (owner_project_access "inactive"), or the key
names no owner or creator at all. Service-account keys are judged by
the service account, which does not leave with a person. A user is
taken as gone only when the users list was collected.]],
  remediation = [[
Find what uses the key (OpenAI: its last use; Anthropic: the usage
report by key), issue that workload a key of a service account in the
right project or workspace, then revoke the orphaned key.]],

  run = function(ctx)
    for _, k in ipairs(ai_keys.live(ctx)) do
      local why, text = orphaned(k)
      if why then
        ctx:finding{
          identity = k.owner,
          resource = k.key_id,
          title = string.format("%s %s", ai_keys.name(k), text),
          evidence = ai_keys.evidence(k, { reason = why,
            owner_project_access = k.a.owner_project_access }),
        }
      end
    end
  end,
}
