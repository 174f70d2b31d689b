-- Shared helpers for AWS checks: ARN parts and policy-condition lookups.
local aws = {}

-- The account id in an ARN ("arn:aws:iam::111122223333:role/x"), or nil.
function aws.account_of(arn)
  if type(arn) ~= "string" then return nil end
  if arn:match("^%d%d%d%d%d%d%d%d%d%d%d%d$") then return arn end
  return arn:match("^arn:[%w-]+:[%w-]*:[%w-]*:(%d%d%d%d%d%d%d%d%d%d%d%d):")
end

-- True when a policy Condition block tests the given key under any
-- operator (keys compare case-insensitively, as AWS does).
function aws.condition_has(condition, key)
  if type(condition) ~= "table" then return false end
  key = key:lower()
  for _, tests in pairs(condition) do
    if type(tests) == "table" then
      for k in pairs(tests) do
        if type(k) == "string" and k:lower() == key then return true end
      end
    end
  end
  return false
end

-- The assessment's list of trusted third-party accounts, as a set.
function aws.known_accounts(ctx)
  local row = ctx.db:first("SELECT value FROM meta WHERE key = 'known_accounts'")
  local set = {}
  if row and row.value then
    for _, id in ipairs(nhi.json.decode(row.value) or {}) do set[id] = true end
  end
  return set
end

return aws
