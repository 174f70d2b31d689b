-- OpenAI organisation evidence from Admin API answers (live or saved):
-- projects as resources, users and project service accounts as
-- identities, project and admin API keys as credentials (the redacted
-- value only), and an AI agent per service account and per project key
-- with a runs_as edge to the identity it acts as.
local admin = require("ai_admin")
local v = admin.value

local M = {}

-- The files of an export folder (and of the raw folder a live run saves):
-- the answers of the list calls, one answer or an array of pages each.
M.FILES = {
  projects = "projects.json",               -- GET /organization/projects
  users = "users.json",                     -- GET /organization/users
  admin_keys = "admin_api_keys.json",       -- GET /organization/admin_api_keys
}

-- projects/<id>/service_accounts.json and projects/<id>/api_keys.json
function M.project_file(project_id, what)
  return string.format("projects/%s/%s.json", project_id, what)
end

-- A project id that may name a folder.
function M.valid_project_id(id)
  return type(id) == "string" and id:match("^[%w_-]+$") ~= nil
end

-- org_member of a user the users list does not hold: false when the
-- list was read (the user has left), unknown (nil) when it was not.
local function gone(st)
  if st.users then return false end
  return nil
end

local function write_user(ctx, u, in_org)
  return ctx.evidence:identity{ provider = "openai", native_id = u.id, kind = "user",
    is_human = true, name = v(u.name) or v(u.email), created_at = v(u.added_at),
    attrs = { email = v(u.email), role = v(u.role), org_member = in_org } }
end

local function write_project(ctx, p)
  ctx.evidence:resource{ provider = "openai", native_id = p.id, type = "openai-project",
    name = v(p.name), attrs = { status = v(p.status), created_at = v(p.created_at) and
      nhi.time.format(math.floor(p.created_at)) or nil,
      archived_at = v(p.archived_at) and nhi.time.format(math.floor(p.archived_at)) or nil } }
end

local function write_service_account(ctx, p, sa)
  return ctx.evidence:identity{ provider = "openai", native_id = sa.id,
    kind = "service_account", name = v(sa.name), created_at = v(sa.created_at),
    attrs = { project_id = p.id, project_name = v(p.name), role = v(sa.role) } }
end

-- The agent a key or service account is, acting as identity native_id.
local function write_agent(ctx, id, name, identity_row, identity, as, attrs)
  ctx.evidence:ai_agent{ native_id = "openai:" .. id, platform = "openai", name = name,
    identity = identity_row, attrs = attrs }
  ctx.evidence:edge{ kind = "runs_as", from_type = "ai_agent", from = "openai:" .. id,
    to_type = "identity", to = identity, attrs = { as = as } }
end

-- The owner of a key as an identity row id: its user or service account
-- (written when the lists did not name it), or nil when it has none.
local function key_owner(ctx, st, p, owner)
  owner = type(owner) == "table" and owner or {}
  local sa, u = v(owner.service_account), v(owner.user)
  if owner.type == "service_account" and type(sa) == "table" and sa.id then
    return st.ids[sa.id] or write_service_account(ctx, p, sa), sa.id, "service_account", v(sa.role)
  end
  if type(u) == "table" and u.id then
    if not st.ids[u.id] then st.ids[u.id] = write_user(ctx, u, gone(st)) end
    return st.ids[u.id], u.id, "user", v(u.role)
  end
  return nil
end

local function write_project_key(ctx, st, p, k)
  local row, owner_id, owner_type, owner_role = key_owner(ctx, st, p, k.owner)
  local attrs = { name = v(k.name), redacted_value = v(k.redacted_value), project_id = p.id,
    project_name = v(p.name), project_status = v(p.status),
    owner_project_access = v(k.owner_project_access), owner_type = owner_type,
    owner_role = owner_role }
  ctx.evidence:credential{ kind = "api_key", native_id = k.id, identity = row,
    created_at = v(k.created_at), expires_at = v(k.expires_at),
    last_used_at = v(k.last_used_at), status = "active", attrs = attrs }
  if row then
    write_agent(ctx, k.id, v(k.name), row, owner_id, "key-owner", { project_id = p.id,
      project_name = v(p.name), key = k.id, owner_type = owner_type })
  end
  st.counts.keys = st.counts.keys + 1
end

local function write_admin_key(ctx, st, k)
  local o = type(k.owner) == "table" and k.owner or {}
  local row
  if type(o.id) == "string" then
    row = st.ids[o.id]
    if not row and o.id:match("^user") then
      row = write_user(ctx, o, gone(st))
      st.ids[o.id] = row
    elseif not row then
      row = ctx.evidence:identity{ provider = "openai", native_id = o.id,
        kind = "service_account", name = v(o.name), created_at = v(o.created_at),
        attrs = { role = v(o.role) } }
    end
  end
  ctx.evidence:credential{ kind = "api_key", native_id = k.id, identity = row,
    created_at = v(k.created_at), expires_at = v(k.expires_at),
    last_used_at = v(k.last_used_at), status = "active",
    attrs = { admin = true, name = v(k.name), redacted_value = v(k.redacted_value),
      owner_type = v(o.type), owner_role = v(o.role) } }
  st.counts.admin_keys = st.counts.admin_keys + 1
end

local function write_project_members(ctx, st, p, data)
  for _, sa in ipairs(admin.items(data.service_accounts[p.id])) do
    local row = write_service_account(ctx, p, sa)
    st.ids[sa.id] = row
    write_agent(ctx, sa.id, v(sa.name), row, sa.id, "service-account",
      { project_id = p.id, project_name = v(p.name), role = v(sa.role) })
    st.counts.service_accounts = st.counts.service_accounts + 1
  end
  for _, k in ipairs(admin.items(data.api_keys[p.id])) do write_project_key(ctx, st, p, k) end
end

-- Writes the evidence of data = {projects, users, admin_keys (pages or
-- nil when not read), service_accounts = {[project id] = pages},
-- api_keys = {[project id] = pages}}; returns the counts written.
function M.write(ctx, data)
  local st = { ids = {}, users = data.users, counts = { projects = 0, users = 0,
    service_accounts = 0, keys = 0, admin_keys = 0 } }
  for _, u in ipairs(admin.items(data.users)) do
    st.ids[u.id] = write_user(ctx, u, true)
    st.counts.users = st.counts.users + 1
  end
  for _, p in ipairs(admin.items(data.projects)) do
    write_project(ctx, p)
    write_project_members(ctx, st, p, data)
    st.counts.projects = st.counts.projects + 1
  end
  for _, k in ipairs(admin.items(data.admin_keys)) do write_admin_key(ctx, st, k) end
  return st.counts
end

return M
