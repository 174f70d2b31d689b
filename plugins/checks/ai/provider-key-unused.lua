-- OpenAI and Anthropic API keys nobody uses: an OpenAI key whose last use
-- is older than the threshold, or that was never used and is older than
-- it. Anthropic's Admin API reports no last use at all, so an Anthropic
-- key old enough to be stale is indeterminate, never "unused".
local ai_keys = require("ai_keys")

-- How key k is unused ("idle", "never" or "unknown"), with the evidence;
-- nil when it is in use or too young to judge.
local function disuse(ctx, k)
  local max = ctx.params.max_unused_days
  local age = k.created_at and nhi.time.days(k.created_at, ctx.now)
  if k.provider == "anthropic" then
    if age and age <= max then return nil end
    return "unknown", ai_keys.evidence(k, { days_old = age or nhi.json.null,
      reason = "the Anthropic Admin API does not report when a key was last used; "
        .. "its usage report grouped by api_key_id would" })
  end
  if k.last_used_at then
    local idle = nhi.time.days(k.last_used_at, ctx.now)
    if idle <= max then return nil end
    return "idle", ai_keys.evidence(k, { days_unused = idle, days_old = age })
  end
  if not age or age <= max then return nil end
  return "never", ai_keys.evidence(k, { never_used = true, days_old = age })
end

local TITLES = {
  idle = "%s unused for %s days",
  never = "%s never used in the %s days since it was created",
  unknown = "%s is %s days old; whether it is used cannot be told",
}

return {
  id = "ai.provider-key-unused",
  kind = "check",
  question = "ai-data-access",
  category = "stale-credential",
  owasp = "NHI7",
  severity = "medium",
  effort = "low",
  requires = { "credentials" },
  params = { max_unused_days = 90 },
  title = "AI provider key unused for more than {max_unused_days} days",
  description = [[
An OpenAI project or admin key whose last use (the Admin API's
last_used_at) is more than max_unused_days ago, or that was never used
and is older than that. An unused key still calls the models and reads
the project's files, assistants and vector stores for whoever holds a
copy. Anthropic's Admin API says nothing of last use: an active
Anthropic key older than the threshold is reported as indeterminate,
to be settled from the usage report, never as unused.]],
  remediation = [[
Revoke the key (OpenAI: the project's API keys page; Anthropic: Console,
API keys, disable then delete). For Anthropic keys first look up their
use in the Console's usage report by API key.]],

  run = function(ctx)
    for _, k in ipairs(ai_keys.live(ctx)) do
      local how, evidence = disuse(ctx, k)
      if how then
        local unknown = how == "unknown"
        local days = how == "idle" and evidence.days_unused or evidence.days_old
        ctx:finding{
          identity = k.owner,
          resource = k.key_id,
          status = unknown and "indeterminate" or "fail",
          confidence = how == "never" and "medium" or "high",
          title = string.format(TITLES[how], ai_keys.name(k), days or "many"),
          evidence = evidence,
        }
      end
    end
  end,
}
