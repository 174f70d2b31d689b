-- What an AWS principal may do, computed by the policy engine
-- (ctx.aws) rather than read from policy names: whether it holds
-- administrator-equivalent rights, and which sensitive data stores it
-- can read or write.
local power = {}

-- A principal is admin-equivalent when it may perform every action on
-- every resource, or may write any principal's permissions (which gives
-- it the rest in one call). Each is probed with a set of actions on
-- resource "*", which only a statement covering every resource allows.
power.EVERYTHING = {
  "iam:PutRolePolicy", "iam:CreateAccessKey", "sts:AssumeRole",
  "s3:GetObject", "s3:PutBucketPolicy", "dynamodb:Scan", "ec2:RunInstances",
  "kms:Decrypt", "secretsmanager:GetSecretValue", "lambda:UpdateFunctionCode",
  "cloudtrail:StopLogging", "organizations:DescribeOrganization",
}
power.ANY_PERMISSION = {
  "iam:PutUserPolicy", "iam:PutRolePolicy", "iam:PutGroupPolicy",
  "iam:AttachUserPolicy", "iam:AttachRolePolicy", "iam:AttachGroupPolicy",
  "iam:CreatePolicyVersion", "iam:CreateAccessKey", "iam:PassRole",
  "iam:UpdateAssumeRolePolicy",
}

-- AWS managed policies whose documents AWS fixes: attached but absent
-- from a filtered export, they still say what they grant.
local KNOWN_ADMIN_POLICIES = {
  ["arn:aws:iam::aws:policy/AdministratorAccess"] = "everything",
  ["arn:aws:iam::aws:policy/IAMFullAccess"] = "any-permission",
}

local UNRESOLVED = [[
  SELECT p.value AS policy FROM identities i,
    json_each(i.attrs, '$.unresolved_policies') p
  WHERE i.native_id = ?
]]

-- The decision over a probe set: "allow" when every action is allowed,
-- "indeterminate" when none is denied but some cannot be settled,
-- otherwise the first refusal. Also the allowing statements, unique.
local function probe(ctx, arn, actions)
  local verdict, statements, seen = "allow", {}, {}
  for _, action in ipairs(actions) do
    local d, why = ctx.aws:decide{ principal = arn, action = action }
    if d == "deny" or d == "implicit-deny" then return d, {} end
    if d == "indeterminate" then verdict = "indeterminate" end
    for _, st in ipairs(why.statements) do
      local key = (st.policy or "") .. "#" .. tostring(st.index)
      if st.effect == "Allow" and st.layer == "identity" and not seen[key] then
        seen[key] = true
        statements[#statements + 1] = { policy = st.policy, sid = st.sid,
          applies = st.applies, why = st.why }
      end
    end
  end
  return verdict, statements
end

-- Whether arn is admin-equivalent: "allow", "indeterminate" or "no",
-- with {kind = "everything"|"any-permission", statements, reason}.
function power.admin(ctx, arn)
  local best, detail = "no", nil
  for _, set in ipairs({ { "everything", power.EVERYTHING },
                         { "any-permission", power.ANY_PERMISSION } }) do
    local d, statements = probe(ctx, arn, set[2])
    if d == "allow" then
      return "allow", { kind = set[1], statements = statements }
    elseif d == "indeterminate" and best == "no" then
      best, detail = d, { kind = set[1], statements = statements }
    end
  end
  if best == "indeterminate" then
    -- Only the documents a filtered export left out are unknown, and
    -- one of them is an AWS admin policy: its content is AWS's, known.
    for row in ctx.db:rows(UNRESOLVED, arn) do
      local kind = KNOWN_ADMIN_POLICIES[row.policy]
      if kind then
        return "allow", { kind = kind, statements = { { policy = row.policy,
          note = "attached; document not in the export" } } }
      end
    end
  end
  return best, detail
end

-- The confidential and restricted data stores arn can read or write,
-- from the can_read/can_write edges as the data_access view spreads them
-- over stores: {[resource] = {sensitivity, kinds}}.
local SENSITIVE_REACH = [[
  SELECT a.kind, a.resource_ref AS resource, r.sensitivity, a.actions,
         coalesce(json_extract(a.attrs, '$.decision'), 'allow') AS decision
  FROM data_access a JOIN resources r
    ON r.provider = 'aws' AND r.native_id = a.resource_ref
  WHERE a.identity_ref = ? AND r.sensitivity IN ('confidential', 'restricted')
  ORDER BY a.resource_ref, a.kind
]]

function power.sensitive_reach(ctx, arn)
  local reach = {}
  for row in ctx.db:rows(SENSITIVE_REACH, arn) do
    local entry = reach[row.resource]
    if not entry then
      entry = { sensitivity = row.sensitivity, access = {} }
      reach[row.resource] = entry
    end
    entry.access[#entry.access + 1] = { kind = row.kind,
      actions = nhi.json.decode(row.actions or "[]"), decision = row.decision }
  end
  return reach
end

-- The principals that can read or write some confidential or restricted
-- store, as a set: every can_read/can_write edge to such a store, or to
-- a set of stores that holds one (docs/schema.md).
local SENSITIVE = [[
  SELECT native_id, type, account FROM resources
  WHERE provider = 'aws' AND sensitivity IN ('confidential', 'restricted')
]]
local SENSITIVE_DIRECT = [[
  SELECT DISTINCT e.from_ref FROM edges e JOIN resources r
    ON r.provider = 'aws' AND r.native_id = e.to_ref
  WHERE e.kind IN ('can_read', 'can_write') AND e.to_type = 'resource'
    AND r.sensitivity IN ('confidential', 'restricted')
]]
local SETS = [[
  SELECT from_ref, json_extract(attrs, '$.resource_type') AS type,
         json_extract(attrs, '$.set.prefix') AS prefix,
         json_extract(attrs, '$.set.account') AS account,
         json_extract(attrs, '$.set.except') AS excluded
  FROM edges WHERE kind IN ('can_read', 'can_write') AND to_type = 'resource_set'
]]

-- Every row of sql, as a list.
local function all_rows(ctx, sql, ...)
  local out = {}
  for row in ctx.db:rows(sql, ...) do out[#out + 1] = row end
  return out
end

-- Whether the set edge row stands for store r.
local function set_holds(row, r)
  if r.type ~= row.type or r.native_id:sub(1, #row.prefix) ~= row.prefix
     or r.account ~= row.account then
    return false
  end
  for _, x in ipairs(nhi.json.decode(row.excluded or "[]")) do
    if x == r.native_id then return false end
  end
  return true
end

function power.sensitive_holders(ctx)
  local stores, holders = all_rows(ctx, SENSITIVE), {}
  if #stores == 0 then return holders end
  for row in ctx.db:rows(SENSITIVE_DIRECT) do holders[row.from_ref] = true end
  for row in ctx.db:rows(SETS) do
    if not holders[row.from_ref] then
      for _, r in ipairs(stores) do
        if set_holds(row, r) then
          holders[row.from_ref] = true
          break
        end
      end
    end
  end
  return holders
end

return power
