-- gcp:export's data stores and who reaches them: Cloud Storage buckets
-- and BigQuery datasets (labels become tags, which the host reads for
-- sensitivity), their IAM policies, the can_read / can_write edges the
-- project's and the store's bindings give (plugins/data/gcp/data-roles.tsv),
-- and the can_assume edges of roles that act as a service account.
local files = require("export_files")
local iam = require("gcp_iam")

local M = {}

local BUCKET = "//storage.googleapis.com/projects/_/buckets/"
local DATASET = "//bigquery.googleapis.com/projects/%s/datasets/%s"

local function gap_list(st, call, what, lacking)
  if #lacking == 0 then return end
  st.ctx:coverage_gap(call, string.format("no %s for %d of them: %s", what,
    #lacking, table.concat(lacking, ", ")))
end

-- A store's own policy file, as bindings with their scope; nil when absent.
local function store_bindings(st, name, scope)
  local policy, path = files.object(st.dir, name)
  if not policy then return nil end
  local out = iam.policy_bindings(path, policy)
  for _, b in ipairs(out) do b.scope = scope end
  return out
end

local function bucket_row(st, path, b, i)
  local name = files.str(path, b, "name", "bucket " .. i)
  if not name then
    error(string.format("cannot read '%s': bucket %d has no name", path, i), 0)
  end
  local ubla = b.uniform_bucket_level_access
  if ubla == nil and type(b.iamConfiguration) == "table" then
    local u = b.iamConfiguration.uniformBucketLevelAccess
    ubla = type(u) == "table" and u.enabled or nil
  end
  local labels = type(b.labels) == "table" and b.labels or nil
  return { native_id = BUCKET .. name, name = name, type = "gcs-bucket",
    service = "storage", tags = labels, attrs = { location = b.location,
      created_at = b.creation_time or b.timeCreated, uniform_bucket_level_access = ubla,
      public_access_prevention = b.public_access_prevention
        or (type(b.iamConfiguration) == "table" and b.iamConfiguration.publicAccessPrevention)
        or nil } }
end

local function read_buckets(st)
  local list, path = files.list(st.dir, "buckets.json", { "items" })
  if not list then return st.missing(st, "storage.buckets.list", path) end
  local lacking = {}
  for i, b in ipairs(files.each_object(path, list)) do
    local r = bucket_row(st, path, b, i)
    r.own = store_bindings(st, "bucket-iam/" .. r.name .. ".json", "bucket")
    if not r.own then lacking[#lacking + 1] = r.name end
    st.resources[#st.resources + 1] = r
  end
  gap_list(st, "storage.buckets.getIamPolicy", "bucket-iam/<bucket>.json", lacking)
end

local function read_datasets(st)
  local list, path = files.list(st.dir, "bq-datasets.json", { "datasets" })
  if not list then return st.missing(st, "bigquery.datasets.list", path) end
  for i, d in ipairs(files.each_object(path, list)) do
    local ref = type(d.datasetReference) == "table" and d.datasetReference or {}
    local id = files.str(path, ref, "datasetId", "dataset " .. i)
    if not id then
      error(string.format("cannot read '%s': dataset %d has no datasetReference.datasetId",
        path, i), 0)
    end
    local project = ref.projectId or st.project
    st.resources[#st.resources + 1] = { native_id = DATASET:format(project, id),
      name = project .. ":" .. id, type = "bigquery-dataset", service = "bigquery",
      tags = type(d.labels) == "table" and d.labels or nil,
      attrs = { location = d.location } }
  end
end

local function write_resource(st, r)
  r.attrs.project = st.project
  st.ctx.evidence:resource{ provider = "gcp", account = st.project,
    native_id = r.native_id, type = r.type, name = r.name, tags = r.tags, attrs = r.attrs }
end

-- The identities a member stands for: itself, or for projectOwner:P and
-- the like the members of that basic role on the project.
local function expand(st, m)
  if m.type ~= "convenience" then return { m } end
  if m.id ~= st.project and m.id ~= st.number then return {} end
  return st.basic[m.role] or {}
end

-- acc[id][kind] = {roles = set, scopes = set, allow = bool, conditions = list}
local function note(acc, id, kind, b)
  acc[id] = acc[id] or {}
  local a = acc[id][kind] or { roles = {}, scopes = {}, allow = false, conditions = {} }
  acc[id][kind] = a
  a.roles[b.role] = true
  a.scopes[b.scope] = true
  if b.condition then
    a.conditions[#a.conditions + 1] = b.condition.title or b.condition.expression
  else
    a.allow = true
  end
end

local function keys_sorted(set)
  local out = nhi.json.array()
  for k in pairs(set) do out[#out + 1] = k end
  table.sort(out)
  return out
end

local function reach_of(st, r, roles)
  local acc, public = {}, false
  local all = {}
  for _, b in ipairs(st.project_bindings) do b.scope = b.scope or "project"; all[#all + 1] = b end
  for _, b in ipairs(r.own or {}) do all[#all + 1] = b end
  iam.each_member(all, function(b, m)
    local grant = roles[b.role]
    if not grant then return end
    for _, who in ipairs(expand(st, m)) do
      local id = st.member_identity(who)
      if id then
        if grant.read then note(acc, id, "can_read", b) end
        if grant.write then note(acc, id, "can_write", b) end
      elseif who.type == "public" and grant.read then
        public = true
      elseif who.type == "group" or who.type == "domain" or who.type == "principalSet" then
        st.group_reach[who.type == "principalSet" and who.id
          or (who.type .. ":" .. who.id)] = true
      end
    end
  end)
  return acc, public
end

local function write_reach(st, r, acc)
  local ids = keys_sorted(acc)
  for _, id in ipairs(ids) do
    for _, kind in ipairs({ "can_read", "can_write" }) do
      local a = acc[id][kind]
      if a then
        st.ctx.evidence:edge{ kind = kind, from_type = "identity", from = id,
          to_type = "resource", to = r.native_id, actions = keys_sorted(a.roles),
          attrs = { derived = "gcp-iam", decision = a.allow and "allow" or "indeterminate",
            resource_type = r.type, via = keys_sorted(a.scopes),
            conditions = (not a.allow) and a.conditions or nil } }
      end
    end
  end
end

local function derive_access(st, roles)
  for _, r in ipairs(st.resources) do
    if r.own then st.write_grants(r.own, r.native_id, "binding:" .. r.type) end
    local acc, public = reach_of(st, r, roles[r.service])
    if public then r.attrs.public = true end
    write_resource(st, r)
    write_reach(st, r, acc)
  end
  local groups = keys_sorted(st.group_reach)
  if #groups > 0 then
    st.ctx:coverage_gap("cloudidentity.groups.memberships", string.format(
      "members of %d groups, domains or identity pools with data roles are not in "
        .. "the export: %s",
      #groups, table.concat(groups, ", ")))
  end
end

local function assume_edges(st, bindings, targets, how_of, via)
  iam.each_member(bindings, function(b, m)
    local how = how_of[b.role]
    if not how then return end
    local id = st.member_identity(m)
    if not id then return end
    for _, sa in ipairs(targets) do
      if sa ~= id then
        st.ctx.evidence:edge{ kind = "can_assume", from_type = "identity", from = id,
          to_type = "identity", to = sa, actions = { b.role }, condition = b.condition,
          attrs = { derived = "gcp-iam", how = how, via = via } }
      end
    end
  end)
end

local function derive_impersonation(st, how_of)
  assume_edges(st, st.project_bindings, st.accounts, how_of, "project")
  local lacking = {}
  for _, sa in ipairs(st.accounts) do
    local own = store_bindings(st, "sa-iam/" .. sa .. ".json", "service-account")
    if own then
      st.write_grants(own, sa, "binding:service-account")
      assume_edges(st, own, { sa }, how_of, "service-account")
    else
      lacking[#lacking + 1] = sa
    end
  end
  gap_list(st, "iam.serviceAccounts.getIamPolicy", "sa-iam/<email>.json", lacking)
end

-- What a custom role's permissions open, by the same rules as the table.
local CUSTOM = {
  { perm = "storage.objects.get", service = "storage", kind = "read" },
  { perm = "storage.objects.create", service = "storage", kind = "write" },
  { perm = "storage.objects.delete", service = "storage", kind = "write" },
  { perm = "bigquery.tables.getData", service = "bigquery", kind = "read" },
  { perm = "bigquery.tables.updateData", service = "bigquery", kind = "write" },
}
local CUSTOM_AS = { ["iam.serviceAccounts.getAccessToken"] = "token-creator",
  ["iam.serviceAccounts.actAs"] = "act-as" }

local function add_custom(roles, how_of, path, r, i)
  local name = files.str(path, r, "name", "role " .. i)
  local perms = type(r.includedPermissions) == "table" and r.includedPermissions or {}
  if not name then
    error(string.format("cannot read '%s': role %d has no name", path, i), 0)
  end
  for _, p in ipairs(perms) do
    for _, c in ipairs(CUSTOM) do
      if p == c.perm then
        roles[c.service][name] = roles[c.service][name] or {}
        roles[c.service][name][c.kind] = true
      end
    end
    if CUSTOM_AS[p] and not how_of[name] then how_of[name] = CUSTOM_AS[p] end
  end
end

-- Custom roles (projects/P/roles/X, organizations/O/roles/X) the
-- bindings use: read from custom-roles.json, else a coverage gap.
local function custom_roles(st, roles, how_of)
  local used = {}
  local all = { st.project_bindings }
  for _, r in ipairs(st.resources) do all[#all + 1] = r.own or {} end
  for _, list in ipairs(all) do
    for _, b in ipairs(list) do
      if not b.role:find("^roles/") then used[b.role] = true end
    end
  end
  if next(used) == nil then return end
  local list, path = files.list(st.dir, "custom-roles.json", { "roles" })
  if not list then
    local names = {}
    for n in pairs(used) do names[#names + 1] = n end
    table.sort(names)
    return st.ctx:coverage_gap("iam.roles.get", "custom roles' permissions not in the "
      .. "export (custom-roles.json): " .. table.concat(names, ", "))
  end
  for i, r in ipairs(files.each_object(path, list)) do add_custom(roles, how_of, path, r, i) end
end

-- Reads the stores and writes them with their access and impersonation
-- edges. st carries the project, its bindings and the identity writers.
function M.collect(st)
  local roles, how_of = iam.tables()
  st.group_reach = {}
  read_buckets(st)
  read_datasets(st)
  custom_roles(st, roles, how_of)
  derive_access(st, roles)
  derive_impersonation(st, how_of)
end

return M
