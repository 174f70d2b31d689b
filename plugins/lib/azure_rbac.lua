-- Azure RBAC as azure:export reads it: role assignments in the CLI's flat
-- shape or ARM's (properties{}), the scopes they cover, and which roles
-- open a storage account's data (plugins/data/azure/data-roles.tsv).
local files = require("export_files")

local M = {}

-- The assignment's fields, whichever shape it came in.
function M.assignment(a)
  local p = type(a.properties) == "table" and a.properties or a
  local role_id = type(p.roleDefinitionId) == "string" and p.roleDefinitionId or ""
  local cond = p.condition
  return { principal = p.principalId, principal_type = p.principalType,
    principal_name = a.principalName, scope = p.scope,
    role_name = a.roleDefinitionName or p.roleDefinitionName,
    role_guid = role_id:match("([%x%-]+)$"),
    condition = (type(cond) == "string" and cond ~= "") and cond or nil }
end

-- {by_name = {name = row}, by_guid = {guid = row}}; row {role, read, write, via}.
function M.data_roles()
  local t = { by_name = {}, by_guid = {} }
  for _, r in ipairs(files.tsv("azure/data-roles.tsv",
      { "role", "role_id", "read", "write", "via" })) do
    local row = { role = r.role, read = r.read == "1", write = r.write == "1", via = r.via }
    t.by_name[r.role:lower()] = row
    t.by_guid[r.role_id:lower()] = row
  end
  return t
end

local function matches(pattern, action)
  local p = pattern:lower():gsub("[%-%.%+%[%]%(%)%$%^%%%?]", "%%%0"):gsub("%*", ".*")
  return action:lower():find("^" .. p .. "$") ~= nil
end

local function any_matches(list, action)
  for _, p in ipairs(type(list) == "table" and list or {}) do
    if type(p) == "string" and matches(p, action) then return true end
  end
  return false
end

local BLOB = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/"

-- Adds a custom role definition (az role definition list) to t: reads and
-- writes from its dataActions on blobs, keys from listKeys in its actions.
-- NotActions and NotDataActions are not subtracted: an over-broad answer
-- rather than a missed path.
function M.add_custom(t, def)
  local row = { role = def.roleName, read = false, write = false, via = "data" }
  for _, perm in ipairs(type(def.permissions) == "table" and def.permissions or {}) do
    if any_matches(perm.dataActions, BLOB .. "read") then row.read = true end
    if any_matches(perm.dataActions, BLOB .. "write")
        or any_matches(perm.dataActions, BLOB .. "delete") then row.write = true end
    if any_matches(perm.actions, "Microsoft.Storage/storageAccounts/listKeys/action")
        and not (row.read or row.write) then
      row.read, row.write, row.via = true, true, "keys"
    end
  end
  if not (row.read or row.write) then return end
  if type(def.roleName) == "string" then t.by_name[def.roleName:lower()] = row end
  if type(def.name) == "string" then t.by_guid[def.name:lower()] = row end
end

function M.role_of(t, a)
  return (a.role_name and t.by_name[a.role_name:lower()])
    or (a.role_guid and t.by_guid[a.role_guid:lower()]) or nil
end

local function is_mg(scope)
  return scope:lower():find("^/providers/microsoft%.management/managementgroups/") ~= nil
end

-- How scope relates to the resource id: "all" when it covers the whole
-- resource (the resource, a parent, a management group or "/"), the part
-- below the resource (a container path) when the scope is inside it, or
-- nil. ARM ids compare without case.
function M.covers(scope, id)
  if type(scope) ~= "string" then return nil end
  local s, r = scope:lower():gsub("/+$", ""), id:lower()
  if s == "" or is_mg(scope) or s == r or r:sub(1, #s + 1) == s .. "/" then
    return "all"
  end
  if s:sub(1, #r + 1) == r .. "/" then
    return scope:sub(#r + 2)
  end
  return nil
end

-- The container a data-plane scope names ("blobServices/default/
-- containers/NAME" -> "NAME/*"), else the scope's own tail.
function M.objects_of(tail)
  local c = tail:match("[Cc]ontainers/([^/]+)") or tail:match("[Ss]hares/([^/]+)")
    or tail:match("[Qq]ueues/([^/]+)") or tail:match("[Tt]ables/([^/]+)")
  return (c or tail) .. "/*"
end

return M
