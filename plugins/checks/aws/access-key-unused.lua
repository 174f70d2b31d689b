-- Active AWS access keys nobody uses: never used since they were
-- created, or idle for longer than the threshold. An unused key still
-- works for whoever holds a copy, and its owner will not notice.
local keys = require("aws_keys")

-- How key k is unused: "idle" (last used too long ago), "never" (never
-- used and old enough) or "unknown" (the evidence cannot say), with the
-- evidence; nil when it is in use or too young to judge.
local function disuse(ctx, k)
  local p = ctx.params
  local age = k.created_at and nhi.time.days(k.created_at, ctx.now)
  if k.last_used_at then
    local idle = nhi.time.days(k.last_used_at, ctx.now)
    if idle <= p.unused_days then return nil end
    return "idle", keys.evidence(k, { days_unused = idle, unused_days = p.unused_days,
                                      days_old = age })
  end
  if age and age <= p.never_used_days then return nil end
  if k.never_used and age then
    return "never", keys.evidence(k, { never_used = true, days_old = age,
                                       never_used_days = p.never_used_days })
  end
  return "unknown", keys.evidence(k, {
    never_used = k.never_used or nhi.json.null, days_old = age or nhi.json.null,
    never_used_days = p.never_used_days, unused_days = p.unused_days,
    reason = k.never_used and "the evidence does not say when the key was created"
      or "the evidence records neither a last use nor that the key was never used" })
end

return {
  id = "aws.iam.access-key-unused",
  kind = "check",
  question = "activity-monitoring",
  category = "unused-identity",
  owasp = "NHI1",
  severity = "medium",
  effort = "low",
  requires = { "identities", "credentials" },
  params = { never_used_days = 30, unused_days = 45 },
  title = "Access key unused for more than {unused_days} days",
  description = [[
An active IAM access key that was never used although it is older than
never_used_days, or whose last use is more than unused_days ago. Such a
key serves nobody but still authenticates: a forgotten copy of it is a
way in that no owner watches. A key whose use the evidence does not
record (neither a date nor "never") is reported as indeterminate.]],
  remediation = [[
Deactivate the key, wait for anyone to complain, then delete it. If the
identity has no other use, offboard it: remove its policies, keys and
password, then delete the user.]],

  run = function(ctx)
    for _, k in ipairs(keys.active(ctx)) do
      local how, evidence = disuse(ctx, k)
      if how then
        local unknown = how == "unknown"
        ctx:finding{
          identity = k.identity,
          status = unknown and "indeterminate" or "fail",
          confidence = unknown and "low" or "high",
          title = how == "never" and string.format(
            "Access key never used, created more than %d days ago",
            ctx.params.never_used_days) or nil,
          evidence = evidence,
        }
      end
    end
  end,
}
