-- The AWS account's root user with an active access key: a key that can
-- do anything in the account, that no policy can limit, and that AWS
-- advises should not exist.
local keys = require("aws_keys")

return {
  id = "aws.iam.root-access-key",
  kind = "check",
  question = "overprivilege",
  category = "admin-equivalent",
  owasp = "NHI5",
  severity = "critical",
  effort = "low",
  requires = { "identities", "credentials" },
  title = "Root user has an active access key",
  description = [[
The account's root user holds an active access key. Root keys carry
every permission in the account, cannot be restricted by IAM policies
or permissions boundaries, and are a favourite target: whoever finds one
owns the account.]],
  remediation = [[
Find what uses the key (its last-used service and region), move that
work to an IAM role with only the rights it needs, then deactivate and
delete the root key. Keep the root user for the few tasks that need it,
with MFA and no access keys.]],

  run = function(ctx)
    for _, k in ipairs(keys.active(ctx)) do
      if k.root then
        ctx:finding{ identity = k.identity, evidence = keys.evidence(k) }
      end
    end
  end,
}
