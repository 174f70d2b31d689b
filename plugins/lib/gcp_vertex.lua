-- gcp:export's AI agents: Vertex AI endpoints' deployed models that run
-- as a service account, Agent Engine (reasoning engine) agents and the
-- identity each runs as, and the Vertex AI service agents the project's
-- bindings name. Each is an ai_agents row (platform gcp-vertex) with a
-- runs_as edge to its identity.
local files = require("export_files")
local iam = require("gcp_iam")

local M = {}

local function region_of(name)
  return type(name) == "string" and name:match("/locations/([^/]+)/") or nil
end

local function agent(st, row, identity, as)
  row.platform = "gcp-vertex"
  row.identity = identity
  row.attrs.project = st.project
  st.ctx.evidence:ai_agent(row)
  st.agents = st.agents + 1
  if identity then
    st.ctx.evidence:edge{ kind = "runs_as", from_type = "ai_agent", from = row.native_id,
      to_type = "identity", to = identity, attrs = { as = as } }
  end
end

local function deployed_model(st, path, e, dm)
  local sa = files.str(path, dm, "serviceAccount", "a deployed model")
  if not sa or sa == "" then return false end
  st.write_sa(sa)
  agent(st, { native_id = e.name .. "/deployedModels/" .. tostring(dm.id),
    name = dm.displayName or e.displayName, model = dm.model,
    attrs = { kind = "endpoint", endpoint = e.name, endpoint_name = e.displayName,
      deployed_model_id = dm.id, model_version = dm.modelVersionId,
      region = region_of(e.name), created_at = dm.createTime } },
    sa, "service-account")
  return true
end

local function read_endpoints(st)
  local list, path = files.list(st.dir, "endpoints.json", { "endpoints" }, "name")
  if not list then return st.missing(st, "aiplatform.endpoints.list", path) end
  local without = 0
  for i, e in ipairs(files.each_object(path, list)) do
    if not files.str(path, e, "name", "endpoint " .. i) then
      error(string.format("cannot read '%s': endpoint %d has no name", path, i), 0)
    end
    local dms = e.deployedModels
    if type(dms) == "table" then
      for _, dm in ipairs(files.each_object(path, dms)) do
        if not deployed_model(st, path, e, dm) then without = without + 1 end
      end
    end
  end
  if without > 0 then
    nhi.log.info("%s: %d deployed models name no service account (Google runs them)",
      path, without)
  end
end

-- The identity an Agent Engine agent runs as, and how it was chosen.
local function engine_identity(st, spec)
  if spec.identityType == "AGENT_IDENTITY" then
    local id = type(spec.effectiveIdentity) == "string" and spec.effectiveIdentity ~= ""
      and iam.principal_of(spec.effectiveIdentity) or nil
    if id then
      st.ctx.evidence:identity{ provider = "gcp", native_id = id, kind = "ai_agent",
        account = st.project, attrs = { agent_identity = true } }
    end
    return id, "agent"
  end
  if type(spec.serviceAccount) == "string" and spec.serviceAccount ~= "" then
    return st.write_sa(spec.serviceAccount), "service-account"
  end
  local email = iam.vertex_agent_email("gcp-sa-aiplatform-re", st.number)
  st.write_sa(email, { account = st.project, attrs = { default_identity = true } })
  return email, "service-account"
end

local function read_engines(st)
  local list, path = files.list(st.dir, "reasoning-engines.json",
    { "reasoningEngines" }, "name")
  if not list then return st.missing(st, "aiplatform.reasoningEngines.list", path) end
  for i, r in ipairs(files.each_object(path, list)) do
    local name = files.str(path, r, "name", "reasoning engine " .. i)
    if not name then
      error(string.format("cannot read '%s': reasoning engine %d has no name", path, i), 0)
    end
    local spec = type(r.spec) == "table" and r.spec or {}
    local id, as = engine_identity(st, spec)
    agent(st, { native_id = name, name = r.displayName,
      attrs = { kind = "agent-engine", framework = spec.agentFramework,
        identity_type = spec.identityType, region = region_of(name),
        created_at = r.createTime, description = r.description } }, id, as)
  end
end

local function service_agents(st)
  local emails = {}
  for email in pairs(st.vertex_agents) do emails[#emails + 1] = email end
  table.sort(emails)
  for _, email in ipairs(emails) do
    local v = st.vertex_agents[email]
    agent(st, { native_id = email, name = v.name, attrs = { kind = "service-agent",
      service_agent_role = v.role } }, email, "service-account")
  end
end

-- Writes the project's Vertex AI agents; st.vertex_agents holds the
-- service agents seen so far (e-mail -> its VERTEX_AGENTS entry).
function M.collect(st)
  st.agents = 0
  read_endpoints(st)
  read_engines(st)
  service_agents(st)
end

return M
