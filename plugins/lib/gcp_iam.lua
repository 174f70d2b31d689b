-- Google Cloud IAM as gcp:export reads it: members of a binding, the
-- Google-managed service agents among them, and which roles open data or
-- impersonation (the tables in plugins/data/gcp/).
local files = require("export_files")

local M = {}

-- Vertex AI's service agents by the domain of their e-mail, with the
-- role Google grants each and its name in the console.
M.VERTEX_AGENTS = {
  ["gcp-sa-aiplatform"] = { role = "roles/aiplatform.serviceAgent",
    name = "Vertex AI Service Agent" },
  ["gcp-sa-aiplatform-cc"] = { role = "roles/aiplatform.customCodeServiceAgent",
    name = "Vertex AI Custom Code Service Agent" },
  ["gcp-sa-aiplatform-re"] = { role = "roles/aiplatform.reasoningEngineServiceAgent",
    name = "Vertex AI Reasoning Engine Service Agent" },
}

-- A binding member as {type, id}: type "serviceAccount", "user", "group",
-- "domain", "public" (allUsers, allAuthenticatedUsers), "convenience"
-- (projectOwner:P...), "deleted", "principal" (one workload or agent
-- identity, principal://...) or "principalSet" (a pool's members).
function M.member(m)
  if m == "allUsers" or m == "allAuthenticatedUsers" then
    return { type = "public", id = m }
  end
  if m:find("^deleted:") then return { type = "deleted", id = m } end
  if m:find("^principalSet://") then return { type = "principalSet", id = m } end
  if m:find("^principal://") then return { type = "principal", id = m } end
  local kind, id = m:match("^([%a]+):(.+)$")
  if not kind then return { type = "unknown", id = m } end
  if kind == "projectOwner" or kind == "projectEditor" or kind == "projectViewer" then
    return { type = "convenience", id = id, role = "roles/"
      .. kind:sub(8):lower() }
  end
  return { type = kind, id = id }
end

-- What a service-account e-mail says about itself: a Google-managed
-- service agent (service-N@gcp-sa-X..., service-N@compute-system...,
-- N@cloudservices...) and, for
-- Vertex's, which one.
function M.service_agent(email)
  local domain = email:match("@([^.]+)%.iam%.gserviceaccount%.com$")
  if domain and domain:find("^gcp%-sa%-") then
    return { service = domain:sub(8), vertex = M.VERTEX_AGENTS[domain] }
  end
  if email:find("@cloudservices%.gserviceaccount%.com$") then
    return { service = "cloudservices" }
  end
  if domain and email:find("^service%-%d+@") then return { service = domain } end
  return nil
end

-- The member form of an Agent Engine agent's effective identity.
function M.principal_of(id)
  if id:find("^principal://") or id:find("@") then return id end
  return "principal://" .. id
end

-- The service agent e-mail of a Vertex agent kind in project number n.
function M.vertex_agent_email(domain, n)
  return string.format("service-%s@%s.iam.gserviceaccount.com", n, domain)
end

local function load_data_roles()
  local t = { storage = {}, bigquery = {} }
  for _, r in ipairs(files.tsv("gcp/data-roles.tsv",
      { "role", "service", "read", "write" })) do
    if t[r.service] then
      t[r.service][r.role] = { read = r.read == "1", write = r.write == "1" }
    end
  end
  return t
end

local function load_impersonation()
  local t = {}
  for _, r in ipairs(files.tsv("gcp/impersonation-roles.tsv", { "role", "how" })) do
    t[r.role] = r.how
  end
  return t
end

-- {storage = {role = {read, write}}, bigquery = ...} and {role = how}.
function M.tables()
  return load_data_roles(), load_impersonation()
end

-- The bindings of a policy file as {role, members, condition}; raises on
-- a policy that is not one.
function M.policy_bindings(path, policy)
  local out = {}
  local bindings = policy.bindings
  if bindings == nil then return out end
  if type(bindings) ~= "table" or not nhi.json.is_array(bindings) then
    error(string.format("cannot read '%s': 'bindings' is not a list", path), 0)
  end
  for i, b in ipairs(bindings) do
    if type(b) ~= "table" or type(b.role) ~= "string" or type(b.members) ~= "table" then
      error(string.format("cannot read '%s': binding %d has no role and members", path, i), 0)
    end
    local cond = b.condition ~= nhi.json.null and b.condition or nil
    out[#out + 1] = { role = b.role, members = b.members, condition = cond }
  end
  return out
end

-- Each (binding, member) of bindings, with the member parsed.
function M.each_member(bindings, fn)
  for _, b in ipairs(bindings) do
    for _, raw in ipairs(b.members) do
      if type(raw) == "string" then fn(b, M.member(raw)) end
    end
  end
end

return M
