-- AWS identities holding two active access keys at once. Rotation needs
-- two keys for a moment; two keys for good usually means the old one was
-- never switched off, and each one is a secret to lose.
local keys = require("aws_keys")

return {
  id = "aws.iam.two-active-keys",
  kind = "check",
  question = "overprivilege",
  category = "long-lived-secret",
  owasp = "NHI7",
  severity = "low",
  effort = "low",
  requires = { "identities", "credentials" },
  title = "Two active access keys on one identity",
  description = [[
An IAM user with two active access keys. AWS allows two so that a key
can be rotated without downtime; outside a rotation, the second key is
an extra long-lived secret, often the old key that nobody deactivated.]],
  remediation = [[
Find which key each consumer uses (the last-used date and service of
each), move them all to the newer key, then deactivate and delete the
other.]],

  run = function(ctx)
    local by_identity, order = {}, {}
    for _, k in ipairs(keys.active(ctx)) do
      local list = by_identity[k.identity]
      if not list then
        list = {}
        by_identity[k.identity] = list
        order[#order + 1] = k.identity
      end
      list[#list + 1] = keys.evidence(k)
    end
    for _, identity in ipairs(order) do
      local list = by_identity[identity]
      if #list >= 2 then
        ctx:finding{
          identity = identity,
          evidence = { active_keys = #list, keys = list },
        }
      end
    end
  end,
}
