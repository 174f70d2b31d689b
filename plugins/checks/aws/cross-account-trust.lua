-- Roles that another account, or anyone, can assume: a trust to "*", to
-- a foreign account without an sts:ExternalId condition (the
-- confused-deputy guard), to an account nobody declared as known, or to
-- GitHub Actions OIDC tokens of any repository.
local aws = require("aws")

local TRUSTS = [[
  SELECT e.from_type, e.from_ref, e.to_ref, e.condition, e.actions
  FROM edges e JOIN identities i ON i.native_id = e.to_ref
  WHERE e.kind = 'can_assume' AND i.provider = 'aws'
    AND e.from_type IN ('any', 'account', 'identity', 'federated')
  ORDER BY e.to_ref, e.from_ref
]]

local GITHUB = "token.actions.githubusercontent.com"

-- The values a condition tests key against, under any operator.
local function condition_values(condition, key)
  local values = {}
  for _, tests in pairs(condition or {}) do
    for k, v in pairs(type(tests) == "table" and tests or {}) do
      if type(k) == "string" and k:lower() == key then
        for _, one in ipairs(type(v) == "table" and v or { v }) do
          values[#values + 1] = one
        end
      end
    end
  end
  return values
end

-- GitHub's OIDC provider vouches for every repository on GitHub: only the
-- token's subject ("repo:ORG/REPO:ref:...") says whose workflow it is.
local function judge_github(condition)
  local subjects = condition_values(condition, GITHUB .. ":sub")
  if #subjects == 0 then
    return "critical", "fail", "any GitHub repository's workflow may assume it (no sub condition)"
  end
  local worst
  for _, sub in ipairs(subjects) do
    local org, repo = tostring(sub):match("^repo:([^/]*)/([^:]*)")
    if not org or org:find("[*?]") then
      return "critical", "fail", "the sub condition admits any GitHub organisation: " .. sub
    end
    if repo:find("[*?]") then
      worst = "any repository of " .. org .. " may assume it: " .. sub
    end
  end
  if worst then return "medium", "fail", worst end
  return nil
end

-- Severity, status and reason for one trust, or nil when it is fine.
local function judge(trust, role_account, known)
  local condition = trust.condition and nhi.json.decode(trust.condition)
  if trust.from_type == "federated" then
    if trust.from_ref:find(GITHUB, 1, true) then return judge_github(condition) end
    return nil
  end
  if trust.from_type == "any" then
    if condition then
      return "high", "indeterminate", "anyone may assume it if the condition allows"
    end
    return "critical", "fail", "anyone with AWS credentials may assume it"
  end
  local account = aws.account_of(trust.from_ref)
  if not account or account == role_account then return nil end
  if known[account] then return nil end
  if not aws.condition_has(condition, "sts:ExternalId") then
    return "high", "fail", "another account may assume it without sts:ExternalId"
  end
  if next(known) then
    return "low", "fail", "trusted account is not in the assessment's known accounts"
  end
  return nil
end

return {
  id = "aws.iam.cross-account-trust",
  kind = "check",
  question = "overprivilege",
  category = "cross-account-trust",
  owasp = "NHI3",
  severity = "high",
  effort = "high",
  requires = { "identities", "edges" },
  title = "Role can be assumed from outside the account",
  description = [[
A role whose trust policy lets principals of another AWS account assume
it without an sts:ExternalId condition, lets anyone assume it
(Principal "*"), trusts an account that is not on the assessment's list
of known accounts, or trusts GitHub Actions tokens without pinning the
repository (the token.actions.githubusercontent.com:sub condition).]],
  remediation = [[
Restrict the trust policy to the exact principals that need the role.
For third parties add an sts:ExternalId condition with a secret value
per customer; never trust "*" without conditions on aws:PrincipalOrgID
or aws:PrincipalArn. Pin GitHub OIDC trusts to one repository and branch
or environment (repo:ORG/REPO:ref:refs/heads/main).]],

  run = function(ctx)
    local known = aws.known_accounts(ctx)
    for trust in ctx.db:rows(TRUSTS) do
      local severity, status, reason = judge(trust, aws.account_of(trust.to_ref), known)
      if severity then
        ctx:finding{
          identity = trust.to_ref,
          severity = severity,
          status = status,
          evidence = {
            trusted = trust.from_ref,
            trusted_account = aws.account_of(trust.from_ref),
            actions = nhi.json.decode(trust.actions or "[]"),
            condition = trust.condition and nhi.json.decode(trust.condition) or nil,
            reason = reason,
          },
        }
      end
    end
  end,
}
