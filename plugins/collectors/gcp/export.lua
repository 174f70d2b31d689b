-- Google Cloud, from the exports a client hands over: one project's IAM
-- policy, service accounts and their keys, Cloud Storage buckets and
-- BigQuery datasets with their labels and policies, and the Vertex AI
-- endpoints, Agent Engine agents and service agents that run as those
-- identities. docs/usage.md ("Google Cloud and Azure exports") lists the
-- files and the commands that write them; which roles open data is in
-- plugins/data/gcp/.
local files = require("export_files")
local iam = require("gcp_iam")
local vertex = require("gcp_vertex")
local data = require("gcp_data")

local PROJECT_RES = "//cloudresourcemanager.googleapis.com/projects/"

local function missing(st, call, path)
  st.ctx:coverage_gap(call, "not in the export: " .. path)
end

-- The identity a member names, written when it is a person, a service
-- account or one workload or agent identity (principal://); its native
-- id, or nil for members that are not identities (groups, sets, public).
local function member_identity(st, m)
  if m.type == "user" then
    st.ctx.evidence:identity{ provider = "gcp", native_id = m.id, kind = "user",
      is_human = true, name = m.id }
    return m.id
  elseif m.type == "serviceAccount" then
    return st.write_sa(m.id)
  elseif m.type == "principal" then
    local agent = m.id:find("^principal://agents%.") ~= nil
    st.ctx.evidence:identity{ provider = "gcp", native_id = m.id,
      kind = agent and "ai_agent" or "workload", account = agent and st.project or nil,
      attrs = { agent_identity = agent or nil, workload_identity = (not agent) or nil } }
    return m.id
  end
  return nil
end

-- Writes a service-account identity (once per run); its e-mail.
local function make_sa_writer(st)
  local seen = {}
  return function(email, fields)
    if seen[email] and not fields then return email end
    seen[email] = true
    local agent = iam.service_agent(email)
    local attrs = (fields and fields.attrs) or {}
    if agent then
      attrs.service_agent = true
      attrs.service = agent.service
      if agent.vertex then
        attrs.service_agent_role = agent.vertex.role
        st.vertex_agents[email] = agent.vertex
      end
    end
    local number = email:match("^service%-(%d+)@") or email:match("^(%d+)@cloudservices")
    local project = (agent and number == st.number and st.project)
      or (not agent and email:match("@([^.]+)%.iam%.gserviceaccount%.com$"))
    st.ctx.evidence:identity{ provider = "gcp", native_id = email,
      kind = "service_account", account = fields and fields.account or project or nil,
      name = (fields and fields.name) or (agent and agent.vertex and agent.vertex.name)
        or email, attrs = attrs }
    return email
  end
end

local function read_project(st)
  local p, path = files.object(st.dir, "project.json")
  if not p then
    error("cannot read '" .. path .. "': no such file; gcp:export needs it (gcloud "
      .. "projects describe PROJECT --format=json > project.json)", 0)
  end
  st.project = files.str(path, p, "projectId", "the project")
  st.number = files.str(path, p, "projectNumber", "the project")
  if not st.project or not st.number then
    error(string.format("cannot read '%s': expected projectId and projectNumber "
      .. "(the output of gcloud projects describe)", path), 0)
  end
end

-- One grants row per identity member of a binding: the role as written.
local function write_grants(st, bindings, resource, via)
  iam.each_member(bindings, function(b, m)
    local id = member_identity(st, m)
    if id then
      st.ctx.evidence:grant{ identity = id, effect = "allow", actions = { b.role },
        resources = { resource }, via = via, policy = resource,
        condition = b.condition }
    end
  end)
end

local function read_project_policy(st)
  local policy, path = files.object(st.dir, "iam-policy.json")
  if not policy then
    error("cannot read '" .. path .. "': no such file; gcp:export needs it (gcloud "
      .. "projects get-iam-policy PROJECT --format=json > iam-policy.json)", 0)
  end
  st.project_bindings = iam.policy_bindings(path, policy)
  write_grants(st, st.project_bindings, PROJECT_RES .. st.project, "binding:project")
  st.basic = { ["roles/owner"] = {}, ["roles/editor"] = {}, ["roles/viewer"] = {} }
  iam.each_member(st.project_bindings, function(b, m)
    if st.basic[b.role] and not b.condition then table.insert(st.basic[b.role], m) end
  end)
end

local function sa_attrs(a)
  return { unique_id = a.uniqueId, disabled = a.disabled == true,
    description = a.description, project = a.projectId, oauth2_client_id = a.oauth2ClientId }
end

local function read_service_accounts(st)
  local list, path = files.list(st.dir, "service-accounts.json", { "accounts" })
  if not list then return missing(st, "iam.serviceAccounts.list", path) end
  for i, a in ipairs(files.each_object(path, list)) do
    local email = files.str(path, a, "email", "service account " .. i)
    if not email then
      error(string.format("cannot read '%s': service account %d has no email", path, i), 0)
    end
    st.write_sa(email, { account = a.projectId or st.project, name = a.displayName
      ~= "" and a.displayName or email, attrs = sa_attrs(a) })
    st.accounts[#st.accounts + 1] = email
  end
end

-- Activity Analyzer's last authentications (gcloud policy-intelligence
-- query-activity): by service-account e-mail and by key id, each
-- {time, since} (since: the start of the observation period).
local function read_activity(st, name, activity_type, field)
  local out = {}
  local list, path = files.list(st.dir, name, { "activities" })
  if not list then
    st.missing(st, "policyanalyzer.activities.query:" .. activity_type, path)
    return out
  end
  for _, a in ipairs(files.each_object(path, list)) do
    local res = files.str(path, a, "fullResourceName", "an activity") or ""
    local act = type(a.activity) == "table" and a.activity or {}
    local period = type(a.observationPeriod) == "table" and a.observationPeriod or {}
    local key = res:match(field)
    if key and type(act.lastAuthenticatedTime) == "string" then
      out[key] = { time = act.lastAuthenticatedTime, since = period.startTime }
    end
  end
  return out
end

local function apply_sa_activity(st, seen)
  for email, a in pairs(seen) do
    st.ctx.evidence:identity{ provider = "gcp", native_id = email, kind = "service_account",
      last_used_at = a.time, usage_tracked_since = a.since }
  end
end

local function key_row(st, email, path, k)
  local name = files.str(path, k, "name", "a key") or ""
  local id = name:match("/keys/([^/]+)$") or name
  local reason = k.disableReason ~= nhi.json.null and k.disableReason or nil
  local before = k.validBeforeTime
  local forever = type(before) == "string" and before:find("^9999") ~= nil
  st.ctx.evidence:credential{ kind = "service_account_key", identity = email,
    native_id = id, created_at = k.validAfterTime,
    expires_at = (not forever) and before or nil,
    last_used_at = st.key_use[id] and st.key_use[id].time or nil,
    status = k.disabled and "disabled" or "active",
    attrs = { key_type = k.keyType, key_origin = k.keyOrigin,
      key_algorithm = k.keyAlgorithm, no_expiry = forever or nil,
      disable_reason = reason, exposed = (reason and (reason:find("EXPOSED")
        or reason:find("COMPROMISE")) and true) or nil } }
end

local function read_keys(st)
  local lacking = {}
  for _, email in ipairs(st.accounts) do
    local list, path = files.list(st.dir, "keys/" .. email .. ".json", { "keys" })
    if not list then
      lacking[#lacking + 1] = email
    else
      for _, k in ipairs(files.each_object(path, list)) do
        if k.keyType == "USER_MANAGED" then key_row(st, email, path, k) end
      end
    end
  end
  if #lacking > 0 then
    st.ctx:coverage_gap("iam.serviceAccounts.keys.list", string.format(
      "no keys/<email>.json for %d service accounts: %s", #lacking,
      table.concat(lacking, ", ")))
  end
end

return {
  id = "gcp.export",
  kind = "collector",
  source = "gcp:export",
  description = "Google Cloud project exports (gcloud/bq JSON): IAM policy, service "
    .. "accounts and keys, buckets, datasets, Vertex AI endpoints and agents",
  provides = { "identities", "credentials", "grants", "resources", "edges", "ai_agents" },

  run = function(ctx)
    local dir = ctx.source.location
    if not dir then
      error("gcp:export needs the exports' folder: --source gcp:export=gcp/", 0)
    end
    local st = { ctx = ctx, dir = dir, accounts = {}, resources = {}, vertex_agents = {} }
    st.write_sa = make_sa_writer(st)
    st.missing = missing
    read_project(st)
    read_project_policy(st)
    read_service_accounts(st)
    st.key_use = read_activity(st, "activity-key-last-auth.json",
      "serviceAccountKeyLastAuthentication", "/serviceAccounts/[^/]+/keys/([^/]+)$")
    apply_sa_activity(st, read_activity(st, "activity-sa-last-auth.json",
      "serviceAccountLastAuthentication", "/serviceAccounts/([^/]+)$"))
    read_keys(st)
    st.member_identity = function(m) return member_identity(st, m) end
    st.write_grants = function(b, res, via) write_grants(st, b, res, via) end
    data.collect(st)
    vertex.collect(st)
    nhi.log.info("%s: project %s, %d service accounts, %d data stores, %d AI agents",
      dir, st.project, #st.accounts, #st.resources, st.agents)
  end,
}
