-- Machine identities that hold administrator-equivalent rights in AWS,
-- as the policy engine decides them: every action on every resource, or
-- the right to write any principal's permissions (which gives the rest).
-- Deny statements, permissions boundaries and SCPs all count; a
-- condition the evidence cannot settle makes the answer indeterminate.
local power = require("aws_power")

local MACHINES = [[
  SELECT native_id, json_extract(attrs, '$.permissions_boundary') AS boundary
  FROM identities
  WHERE provider = 'aws' AND is_human = 0
    AND (native_id LIKE 'arn:%:iam::%:user/%' OR native_id LIKE 'arn:%:iam::%:role/%')
  ORDER BY native_id
]]

return {
  id = "aws.iam.admin-equivalent",
  kind = "check",
  question = "overprivilege",
  category = "admin-equivalent",
  owasp = "NHI5",
  severity = "critical",
  effort = "medium",
  requires = { "identities", "grants" },
  title = "Machine identity holds administrator-equivalent rights",
  description = [[
A service account, role or API identity that may perform every action
on every resource, or write any principal's permissions (which lets it
grant itself the rest), after Deny statements, permissions boundaries and
SCPs. Whoever controls its credentials controls the account.]],
  remediation = [[
Replace the broad policy with one scoped to the actions and resources the
workload uses (IAM Access Analyzer can generate one from CloudTrail
activity), or cap the identity with a permissions boundary.]],

  run = function(ctx)
    for row in ctx.db:rows(MACHINES) do
      local verdict, detail = power.admin(ctx, row.native_id)
      if verdict ~= "no" then
        local open = verdict == "indeterminate"
        ctx:finding{
          identity = row.native_id,
          status = open and "indeterminate" or "fail",
          confidence = open and "medium" or "high",
          evidence = {
            rights = detail.kind == "everything" and "every action on every resource"
              or "may write any principal's permissions",
            statements = detail.statements,
            permissions_boundary = row.boundary,
            reason = open and "a condition, boundary or policy the evidence "
              .. "cannot settle decides it" or nil,
          },
        }
      end
    end
  end,
}
