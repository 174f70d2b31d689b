-- IAM roles that still hold their rights but have not been used for a
-- while: an offboarding that never happened. AWS reports a role's last
-- use only for the trailing 400 days, so "no use in the window" and
-- "never used" are told apart.
local ROLES = [[
  SELECT native_id, created_at, last_used_at, usage_tracked_since,
         json_extract(attrs, '$.last_used_region') AS region
  FROM identities
  WHERE provider = 'aws' AND kind = 'role' AND is_human = 0
    AND coalesce(json_extract(attrs, '$.service_linked'), 0) = 0
  ORDER BY native_id
]]

local function days_since(ctx, when)
  return nhi.time.days(when, ctx.now)
end

-- Returns the evidence of disuse, or nil when the role is in use or too
-- young to judge.
local function disuse(ctx, role, max_days)
  if role.last_used_at then
    local idle = days_since(ctx, role.last_used_at)
    if idle > max_days then
      return { last_used_at = role.last_used_at, days_unused = idle,
               last_used_region = role.region }
    end
    return nil
  end
  local age = role.created_at and days_since(ctx, role.created_at)
  if age and age <= max_days then return nil end
  if not role.usage_tracked_since then
    return { last_used_at = nhi.json.null, unknown = true, days_old = age }
  end
  if role.created_at and role.created_at >= role.usage_tracked_since then
    return { last_used_at = nhi.json.null, never_used = true, days_old = age }
  end
  return { last_used_at = nhi.json.null, not_used_since = role.usage_tracked_since,
           days_unused_at_least = days_since(ctx, role.usage_tracked_since),
           days_old = age }
end

return {
  id = "aws.iam.role-unused",
  kind = "check",
  question = "activity-monitoring",
  category = "unused-identity",
  owasp = "NHI1",
  severity = "medium",
  effort = "low",
  requires = { "identities" },
  params = { max_days = 90 },
  title = "Role unused for more than {max_days} days",
  description = [[
An IAM role that has not been assumed for longer than the threshold but
still holds its permissions and trust. Dormant roles are forgotten
roles: nobody notices when they are misused.]],
  remediation = [[
Confirm with the owner whether the role is still needed; if not, remove
its policies and trust, then delete it. Keep roles for rare jobs
documented with an owner tag.]],

  run = function(ctx)
    local max_days = ctx.params.max_days
    for role in ctx.db:rows(ROLES) do
      local evidence = disuse(ctx, role, max_days)
      if evidence then
        ctx:finding{
          identity = role.native_id,
          status = evidence.unknown and "indeterminate" or "fail",
          confidence = evidence.unknown and "low" or "high",
          evidence = evidence,
        }
      end
    end
  end,
}
