-- azure:export's storage accounts and who reaches their data: one
-- resources row per account (tags become sensitivity through the host),
-- the principals of the role assignments with one grants row per
-- assignment (the role's name on its scope), and a can_read / can_write edge
-- per principal and account from the assignments of data roles.
local files = require("export_files")
local rbac = require("azure_rbac")

local M = {}

-- The role assignments; raises when role-assignments.json is missing.
function M.read_assignments(st)
  local list, path = files.list(st.dir, "role-assignments.json", { "value" })
  if not list then
    error("cannot read '" .. path .. "': no such file; azure:export needs it (az role "
      .. "assignment list --all -o json > role-assignments.json)", 0)
  end
  local out = {}
  for i, raw in ipairs(files.each_object(path, list)) do
    local a = rbac.assignment(raw)
    if type(a.principal) ~= "string" or type(a.scope) ~= "string" then
      error(string.format("cannot read '%s': assignment %d has no principalId and scope",
        path, i), 0)
    end
    out[#out + 1] = a
  end
  return out
end

-- The identity an assignment's principal is, written when it was not
-- among the service principals; nil for groups and other kinds.
local function principal(st, a)
  local known = st.principals[a.principal:lower()]
  if known then return known end
  if a.principal_type == "User" then
    st.ctx.evidence:identity{ provider = "azure", native_id = a.principal, kind = "user",
      is_human = true, account = st.tenant, name = a.principal_name }
  elseif a.principal_type == "ServicePrincipal" then
    st.ctx.evidence:identity{ provider = "azure", native_id = a.principal,
      kind = "service_account", account = st.tenant, name = a.principal_name }
  else
    if a.principal_type == "Group" then
      st.groups[a.principal_name and (a.principal_name .. " (" .. a.principal .. ")")
        or a.principal] = true
    end
    return nil
  end
  st.principals[a.principal:lower()] = a.principal
  return a.principal
end

local function storage_row(st, path, s, i)
  local id = files.str(path, s, "id", "storage account " .. i)
  if not id then
    error(string.format("cannot read '%s': storage account %d has no id", path, i), 0)
  end
  local p = type(s.properties) == "table" and s.properties or s
  local sub = id:match("^/[Ss]ubscriptions/([^/]+)")
  local row = { native_id = id, name = s.name, type = "azure-storage-account",
    account = sub, tags = type(s.tags) == "table" and s.tags or nil,
    shared_key = p.allowSharedKeyAccess ~= false,
    attrs = { location = s.location, kind = s.kind, resource_group = s.resourceGroup,
      allow_shared_key_access = p.allowSharedKeyAccess,
      allow_blob_public_access = p.allowBlobPublicAccess,
      public_network_access = p.publicNetworkAccess } }
  st.ctx.evidence:resource{ provider = "azure", account = sub, native_id = id,
    type = row.type, name = row.name, tags = row.tags, attrs = row.attrs }
  return row
end

local function sorted(set)
  local out = nhi.json.array()
  for k in pairs(set) do out[#out + 1] = k end
  table.sort(out)
  return out
end

-- acc[id][kind] = {roles, via, scopes, objects (nil: all), allow, conditions}
local function note(acc, id, kind, a, role, part)
  acc[id] = acc[id] or {}
  local e = acc[id][kind] or { roles = {}, via = {}, scopes = {}, objects = {},
    whole = false, allow = false, conditions = {} }
  acc[id][kind] = e
  e.roles[role.role] = true
  e.via[role.via] = true
  e.scopes[a.scope] = true
  if part == "all" then e.whole = true else e.objects[rbac.objects_of(part)] = true end
  if a.condition then e.conditions[#e.conditions + 1] = a.condition else e.allow = true end
end

-- Assignments by the scope they sit on: `at` (lower-cased scope), `below`
-- (inside a storage account, by that account's lower-cased id) and
-- `everywhere` (management groups and "/"), so that an account looks up
-- only its own ancestors' and descendants' assignments.
local function index(assignments)
  local ix = { at = {}, below = {}, everywhere = {} }
  for _, a in ipairs(assignments) do
    local l = a.scope:lower():gsub("/+$", "")
    local inside = l:match("^(.-/providers/microsoft%.storage/storageaccounts/[^/]+)/.")
    local list
    if l == "" or l:find("^/providers/microsoft%.management/managementgroups/") then
      list = ix.everywhere
    elseif inside then
      ix.below[inside] = ix.below[inside] or {}
      list = ix.below[inside]
    else
      ix.at[l] = ix.at[l] or {}
      list = ix.at[l]
    end
    list[#list + 1] = a
  end
  return ix
end

local function candidates(ix, id)
  local l, out = id:lower(), {}
  local function add(list)
    for _, a in ipairs(list or {}) do out[#out + 1] = a end
  end
  add(ix.everywhere)
  for stop in l:gmatch("()/") do
    if stop > 1 then add(ix.at[l:sub(1, stop - 1)]) end
  end
  add(ix.at[l])
  add(ix.below[l])
  return out
end

local function reach(st, s, ix, roles)
  local acc = {}
  for _, a in ipairs(candidates(ix, s.native_id)) do
    local role = rbac.role_of(roles, a)
    local part = role and rbac.covers(a.scope, s.native_id)
    if part and (role.via ~= "keys" or (s.shared_key and part == "all")) then
      local id = principal(st, a)
      if id then
        if role.read then note(acc, id, "can_read", a, role, part) end
        if role.write then note(acc, id, "can_write", a, role, part) end
      end
    end
  end
  return acc
end

local function write_edges(st, s, acc)
  for _, id in ipairs(sorted(acc)) do
    for _, kind in ipairs({ "can_read", "can_write" }) do
      local e = acc[id][kind]
      if e then
        st.ctx.evidence:edge{ kind = kind, from_type = "identity", from = id,
          to_type = "resource", to = s.native_id, actions = sorted(e.roles),
          attrs = { derived = "azure-rbac", decision = e.allow and "allow" or "indeterminate",
            resource_type = s.type, via = sorted(e.via), scopes = sorted(e.scopes),
            objects = e.whole and nhi.json.array({ "*" }) or sorted(e.objects),
            conditions = (not e.allow) and e.conditions or nil } }
      end
    end
  end
end

local function custom_roles(st, roles)
  local list, path = files.list(st.dir, "role-definitions.json", { "value" })
  if not list then
    return st.missing("roleDefinitions.list", path
      .. " (assignments of custom roles give no access edges)")
  end
  for _, def in ipairs(files.each_object(path, list)) do
    rbac.add_custom(roles, type(def.properties) == "table" and def.properties or def)
  end
end

-- Reads the assignments and storage accounts and writes the accounts and
-- their access edges; returns how many storage accounts there were.
function M.collect(st)
  local assignments = st.assignments
  local roles = rbac.data_roles()
  custom_roles(st, roles)
  local list, path = files.list(st.dir, "storage-accounts.json", { "value" })
  if not list then
    st.missing("storageAccounts.list", path)
    list = {}
  end
  for _, a in ipairs(assignments) do
    local id = principal(st, a)
    local known = rbac.role_of(roles, a)
    if id then
      st.ctx.evidence:grant{ identity = id, effect = "allow",
        actions = { a.role_name or (known and known.role) or a.role_guid or "unknown" },
        resources = { a.scope },
        via = "role-assignment", condition = a.condition and { expression = a.condition } }
    end
  end
  local ix = index(assignments)
  for i, s in ipairs(files.each_object(path, list)) do
    local row = storage_row(st, path, s, i)
    write_edges(st, row, reach(st, row, ix, roles))
  end
  local groups = sorted(st.groups)
  if #groups > 0 then
    st.ctx:coverage_gap("groups.members", string.format(
      "members of %d groups with role assignments are not in the export: %s",
      #groups, table.concat(groups, ", ")))
  end
  return #list
end

return M
