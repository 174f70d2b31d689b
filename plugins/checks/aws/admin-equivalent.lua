-- Machine identities that hold administrator-equivalent rights in AWS:
-- an Allow of every action, or of every IAM action (which lets the
-- holder grant itself anything), on every resource.
local ADMIN_POLICIES = {
  ["arn:aws:iam::aws:policy/AdministratorAccess"] = true,
  ["arn:aws:iam::aws:policy/IAMFullAccess"] = true,
}

-- Allow statements of "*" or "iam:*" on "*", per identity.
local ADMIN_GRANTS = [[
  SELECT i.id, i.native_id, g.via, g.policy, g.sid, g.condition, g.actions
  FROM identities i JOIN grants g ON g.identity_id = i.id
  WHERE i.provider = 'aws' AND i.is_human = 0
    AND g.effect = 'allow' AND g.not_action = 0 AND g.not_resource = 0
    AND EXISTS (SELECT 1 FROM json_each(g.actions)
                WHERE lower(value) IN ('*', '*:*', 'iam:*'))
    AND EXISTS (SELECT 1 FROM json_each(g.resources) WHERE value = '*')
  ORDER BY i.native_id, g.id
]]

-- Admin policies attached but absent from a filtered export.
local UNRESOLVED = [[
  SELECT i.id, i.native_id, p.value AS policy
  FROM identities i, json_each(i.attrs, '$.unresolved_policies') p
  WHERE i.provider = 'aws' AND i.is_human = 0
  ORDER BY i.native_id, p.value
]]

-- An unconditional Deny of everything cancels any Allow.
local DENY_ALL = [[
  SELECT 1 AS yes FROM grants g
  WHERE g.identity_id = ? AND g.effect = 'deny' AND g.condition IS NULL
    AND g.not_action = 0 AND g.not_resource = 0
    AND EXISTS (SELECT 1 FROM json_each(g.actions) WHERE value = '*')
    AND EXISTS (SELECT 1 FROM json_each(g.resources) WHERE value = '*')
]]

local BOUNDARY = [[
  SELECT json_extract(i.attrs, '$.permissions_boundary') AS arn, p.document
  FROM identities i
  LEFT JOIN policies p ON p.native_id = json_extract(i.attrs, '$.permissions_boundary')
  WHERE i.id = ?
]]

local function as_list(v)
  if type(v) == "table" then return v end
  return { v }
end

-- True when a policy document allows "*" (or "iam:*") on "*" itself.
local function document_allows_admin(doc)
  for _, st in ipairs(as_list(doc and doc.Statement)) do
    if st.Effect == "Allow" and st.Action and st.Resource then
      local any_action, any_resource = false, false
      for _, a in ipairs(as_list(st.Action)) do
        if a == "*" or a:lower() == "iam:*" then any_action = true end
      end
      for _, r in ipairs(as_list(st.Resource)) do
        if r == "*" then any_resource = true end
      end
      if any_action and any_resource then return true end
    end
  end
  return false
end

-- A permissions boundary caps what policies grant: an identity is only
-- admin-equivalent if its boundary allows it too. An unknown boundary
-- document leaves the answer open.
local function boundary_verdict(ctx, id)
  local row = ctx.db:first(BOUNDARY, id)
  if not row or not row.arn then return "none" end
  if not row.document then return "unknown", row.arn end
  local doc = nhi.json.decode(row.document)
  return document_allows_admin(doc) and "allows" or "blocks", row.arn
end

local function collect(ctx)
  local by_identity, order = {}, {}
  local function add(id, native_id, grant)
    local entry = by_identity[id]
    if not entry then
      entry = { native_id = native_id, grants = {}, unconditional = false }
      by_identity[id] = entry
      order[#order + 1] = id
    end
    entry.grants[#entry.grants + 1] = grant
    if not grant.condition then entry.unconditional = true end
  end
  for row in ctx.db:rows(ADMIN_GRANTS) do
    add(row.id, row.native_id, {
      policy = row.policy, via = row.via, sid = row.sid,
      actions = nhi.json.decode(row.actions),
      condition = row.condition and nhi.json.decode(row.condition) or nil,
    })
  end
  for row in ctx.db:rows(UNRESOLVED) do
    if ADMIN_POLICIES[row.policy] then
      add(row.id, row.native_id, { policy = row.policy, via = "managed",
        note = "attached; document not in the export" })
    end
  end
  return by_identity, order
end

return {
  id = "aws.iam.admin-equivalent",
  kind = "check",
  question = "overprivilege",
  category = "admin-equivalent",
  owasp = "NHI5",
  severity = "critical",
  requires = { "identities", "grants" },
  title = "Machine identity holds administrator-equivalent rights",
  description = [[
A service account, role or API identity that may perform every action
(or every IAM action, which lets it grant itself the rest) on every
resource. Whoever controls its credentials controls the account.]],
  remediation = [[
Replace the broad policy with one scoped to the actions and resources the
workload uses (IAM Access Analyzer can generate one from CloudTrail
activity), or cap the identity with a permissions boundary.]],

  run = function(ctx)
    local by_identity, order = collect(ctx)
    for _, id in ipairs(order) do
      local entry = by_identity[id]
      local boundary, boundary_arn = boundary_verdict(ctx, id)
      if not ctx.db:first(DENY_ALL, id) and boundary ~= "blocks" then
        local open = boundary == "unknown" or not entry.unconditional
        ctx:finding{
          identity = entry.native_id,
          status = open and "indeterminate" or "fail",
          confidence = open and "medium" or "high",
          evidence = {
            grants = entry.grants,
            permissions_boundary = boundary_arn,
            reason = open and (boundary == "unknown"
              and "permissions boundary document not collected"
              or "every admin grant carries a condition") or nil,
          },
        }
      end
    end
  end,
}
