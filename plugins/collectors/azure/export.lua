-- Azure, from the exports a client hands over: Entra service principals
-- (managed identities among them), Azure RBAC role assignments, storage
-- accounts with their tags, and the Azure OpenAI / AI Services accounts
-- with the managed identities they run as. docs/usage.md ("Google Cloud
-- and Azure exports") lists the files and the commands that write them;
-- which roles open data is in plugins/data/azure/data-roles.tsv.
local files = require("export_files")
local access = require("azure_access")

local AI_KINDS = { OpenAI = true, AIServices = true }

local function subscription_of(id)
  return type(id) == "string" and id:match("^/[Ss]ubscriptions/([^/]+)") or nil
end

local function sp_kind(st, sp)
  local owner = sp.appOwnerOrganizationId
  if sp.servicePrincipalType == "Application" and st.tenant and type(owner) == "string"
      and owner:lower() ~= st.tenant:lower() then
    return "oauth_app", true
  end
  return "service_account", false
end

local function sp_credentials(st, sp, id)
  for field, kind in pairs({ passwordCredentials = "client_secret",
      keyCredentials = "certificate" }) do
    for _, c in ipairs(type(sp[field]) == "table" and sp[field] or {}) do
      if type(c) ~= "table" then
        error(string.format("cannot read '%s': service principal %s: %s holds a "
          .. "non-object", st.sp_path, tostring(id), field), 0)
      end
      st.ctx.evidence:credential{ kind = kind, identity = id, native_id = c.keyId,
        created_at = c.startDateTime, expires_at = c.endDateTime, status = "active",
        attrs = { on_service_principal = true, display_name = c.displayName,
          hint = c.hint, type = c.type, usage = c.usage } }
    end
  end
end

local function managed_resource(sp)
  for _, n in ipairs(type(sp.alternativeNames) == "table" and sp.alternativeNames or {}) do
    if type(n) == "string" and n:find("^/subscriptions/") then return n end
  end
  return nil
end

local function write_sp(st, path, sp, i)
  local id = files.str(path, sp, "id", "service principal " .. i)
  if not id then
    error(string.format("cannot read '%s': service principal %d has no id", path, i), 0)
  end
  local kind, third = sp_kind(st, sp)
  local mi = sp.servicePrincipalType == "ManagedIdentity"
  st.ctx.evidence:identity{ provider = "azure", native_id = id, kind = kind,
    account = st.tenant, name = sp.displayName, attrs = { app_id = sp.appId,
      sp_type = sp.servicePrincipalType, account_enabled = sp.accountEnabled,
      app_owner_organization_id = sp.appOwnerOrganizationId, third_party = third or nil,
      managed_identity = mi or nil, resource_id = mi and managed_resource(sp) or nil } }
  sp_credentials(st, sp, id)
  st.principals[id:lower()] = id
end

local function read_principals(st)
  local list, path = files.list(st.dir, "service-principals.json", { "value" })
  if not list then return st.missing("servicePrincipals.list", path) end
  st.sp_path = path
  for i, sp in ipairs(files.each_object(path, list)) do write_sp(st, path, sp, i) end
end

local function read_subscription(st)
  local sub, path = files.object(st.dir, "subscription.json")
  if not sub then return st.missing("subscriptions.get", path) end
  st.subscription = files.str(path, sub, "id", "the subscription")
  st.tenant = files.str(path, sub, "tenantId", "the subscription")
end

-- A managed identity an AI account names, written as an identity.
local function write_mi(st, principal, name, how, resource)
  st.ctx.evidence:identity{ provider = "azure", native_id = principal,
    kind = "service_account", account = st.tenant, name = name,
    attrs = { managed_identity = how, resource_id = resource } }
  st.principals[principal:lower()] = principal
  return principal
end

-- The principals an account's identity block names: system first, then
-- user-assigned ones by resource id.
local function account_identities(st, path, a)
  local out, idn = {}, a.identity
  if type(idn) ~= "table" then return out end
  if type(idn.principalId) == "string" then
    out[#out + 1] = write_mi(st, idn.principalId, a.name, "system-assigned", a.id)
  end
  local ua = type(idn.userAssignedIdentities) == "table" and idn.userAssignedIdentities or {}
  local ids = {}
  for rid in pairs(ua) do ids[#ids + 1] = rid end
  table.sort(ids)
  for _, rid in ipairs(ids) do
    local p = type(ua[rid]) == "table" and ua[rid].principalId
    if type(p) == "string" then
      out[#out + 1] = write_mi(st, p, rid:match("([^/]+)$"), "user-assigned", rid)
    end
  end
  return out
end

local function deployments(st, a)
  local list, path = files.list(st.dir, "deployments/" .. a.name .. ".json", { "value" })
  if not list then
    st.lacking_deployments[#st.lacking_deployments + 1] = a.name
    return nil
  end
  local out = nhi.json.array()
  for _, d in ipairs(files.each_object(path, list)) do
    local m = type(d.properties) == "table" and type(d.properties.model) == "table"
      and d.properties.model or {}
    out[#out + 1] = { name = d.name, model = m.name, version = m.version, format = m.format }
  end
  table.sort(out, function(x, y) return tostring(x.name) < tostring(y.name) end)
  return out
end

local function write_agent(st, path, a, ids)
  local p = type(a.properties) == "table" and a.properties or {}
  local deps = deployments(st, a)
  local row = { native_id = a.id, platform = "azure-openai", name = a.name,
    identity = ids[1], model = deps and deps[1] and deps[1].model or nil,
    attrs = { kind = a.kind, location = a.location, subscription = subscription_of(a.id),
      resource_group = a.resourceGroup, endpoint = p.endpoint,
      custom_subdomain = p.customSubDomainName, public_network_access = p.publicNetworkAccess,
      disable_local_auth = p.disableLocalAuth, deployments = deps, tags = a.tags } }
  st.ctx.evidence:ai_agent(row)
  st.agents = st.agents + 1
  for _, id in ipairs(ids) do
    st.ctx.evidence:edge{ kind = "runs_as", from_type = "ai_agent", from = a.id,
      to_type = "identity", to = id, attrs = { as = "managed-identity" } }
  end
end

local function read_ai_accounts(st)
  local list, path = files.list(st.dir, "cognitive-accounts.json", { "value" })
  if not list then return st.missing("cognitiveServices.accounts.list", path) end
  st.lacking_deployments = {}
  for i, a in ipairs(files.each_object(path, list)) do
    if not files.str(path, a, "id", "account " .. i) or type(a.name) ~= "string" then
      error(string.format("cannot read '%s': account %d has no id and name", path, i), 0)
    end
    local ids = account_identities(st, path, a)
    if AI_KINDS[a.kind] and #ids > 0 then write_agent(st, path, a, ids) end
  end
  if #st.lacking_deployments > 0 then
    st.ctx:coverage_gap("cognitiveServices.accounts.deployments.list", string.format(
      "no deployments/<account>.json for %s", table.concat(st.lacking_deployments, ", ")))
  end
end

return {
  id = "azure.export",
  kind = "collector",
  source = "azure:export",
  description = "Azure exports (az CLI / Graph JSON): service principals, role "
    .. "assignments, storage accounts, Azure OpenAI and AI Services accounts",
  provides = { "identities", "credentials", "grants", "resources", "edges", "ai_agents" },

  run = function(ctx)
    local dir = ctx.source.location
    if not dir then
      error("azure:export needs the exports' folder: --source azure:export=azure/", 0)
    end
    local st = { ctx = ctx, dir = dir, principals = {}, agents = 0, groups = {} }
    st.missing = function(call, path) ctx:coverage_gap(call, "not in the export: " .. path) end
    st.assignments = access.read_assignments(st)
    read_subscription(st)
    read_principals(st)
    read_ai_accounts(st)
    local n = access.collect(st)
    nhi.log.info("%s: %d AI accounts with a managed identity, %d storage accounts",
      dir, st.agents, n)
  end,
}
