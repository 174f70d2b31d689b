-- Active AWS access keys older than the rotation policy allows. A key
-- that lives for years is a secret that has had years to leak.
local keys = require("aws_keys")

return {
  id = "aws.iam.access-key-not-rotated",
  kind = "check",
  question = "overprivilege",
  category = "long-lived-secret",
  owasp = "NHI7",
  severity = "medium",
  effort = "low",
  requires = { "identities", "credentials" },
  params = { max_age_days = 90 },
  title = "Access key not rotated in {max_age_days} days",
  description = [[
An active IAM access key created (or last rotated) longer ago than the
threshold. Long-lived keys end up in laptops, CI variables, old images
and chat logs; the older a key, the more copies of it exist. A key older
than twice the threshold is reported as high severity.]],
  remediation = [[
Create a second key, move every consumer to it, deactivate the old key,
watch for failures, then delete it. Better: replace the user's key with
a role the workload assumes (IAM Roles Anywhere, OIDC federation, an
instance or task role), so there is no long-lived key to rotate.]],

  run = function(ctx)
    local max_age = ctx.params.max_age_days
    for _, k in ipairs(keys.active(ctx)) do
      if not k.created_at then
        ctx:finding{
          identity = k.identity,
          status = "indeterminate",
          confidence = "low",
          evidence = keys.evidence(k, { max_age_days = max_age,
            reason = "the evidence does not say when the key was created" }),
        }
      else
        local age = nhi.time.days(k.created_at, ctx.now)
        if age > max_age then
          local extra = { age_days = age, max_age_days = max_age }
          local severity
          if age > 2 * max_age then
            severity = "high"
            extra.severity_reason = string.format(
              "older than twice the %d-day threshold (%d days)", max_age, 2 * max_age)
          end
          ctx:finding{
            identity = k.identity,
            severity = severity,
            evidence = keys.evidence(k, extra),
          }
        end
      end
    end
  end,
}
