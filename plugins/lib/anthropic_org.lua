-- Anthropic organisation evidence from Admin API answers (live or saved):
-- workspaces as resources, users as identities, API keys as credentials
-- (the partial key hint only) owned by the user or service account that
-- created them, and an AI agent per API key with a runs_as edge to it.
-- The Admin API says nothing of when a key was last used.
local admin = require("ai_admin")
local v = admin.value

local M = {}

M.FILES = {
  workspaces = "workspaces.json",   -- GET /v1/organizations/workspaces
  users = "users.json",             -- GET /v1/organizations/users
  api_keys = "api_keys.json",       -- GET /v1/organizations/api_keys
}

-- The workspace keys without one belong to.
M.DEFAULT_WORKSPACE = "default"

-- org_member of a user the users list does not hold: false when the
-- list was read (the user has left), unknown (nil) when it was not.
local function gone(st)
  if st.users then return false end
  return nil
end

local function write_user(ctx, u, in_org)
  return ctx.evidence:identity{ provider = "anthropic", native_id = u.id, kind = "user",
    is_human = true, name = v(u.name) or v(u.email), created_at = v(u.added_at),
    attrs = { email = v(u.email), role = v(u.role), org_member = in_org } }
end

-- "workspace" or "organization": the current spec's scope field (a
-- string or an object with a type), else what workspace_id implies.
local function scope_of(k)
  local s = v(k.scope)
  if type(s) == "table" then s = v(s.type) end
  if type(s) == "string" then return s, true end
  return v(k.workspace_id) and "workspace" or nil, false
end

-- The key's acting identity: its principal when the answer names one,
-- else who created it. Returns the row id and native id, or nil.
local function key_owner(ctx, st, k)
  local who = v(k.principal)
  if type(who) ~= "table" or not who.id then who = v(k.created_by) end
  if type(who) ~= "table" or type(who.id) ~= "string" then return nil end
  if not st.ids[who.id] then
    local user = who.type == nil or who.type == "user"
    local member
    if user then member = gone(st) end
    st.ids[who.id] = ctx.evidence:identity{ provider = "anthropic", native_id = who.id,
      kind = user and "user" or "service_account", is_human = user,
      name = v(who.name) or v(who.email),
      attrs = { org_member = member } }
  end
  return st.ids[who.id], who.id, v(who.type)
end

local function write_key(ctx, st, k)
  local row, owner, owner_type = key_owner(ctx, st, k)
  local scope, stated = scope_of(k)
  local ws = v(k.workspace_id)
  local attrs = { name = v(k.name), partial_key_hint = v(k.partial_key_hint),
    workspace_id = ws or M.DEFAULT_WORKSPACE, workspace_name = ws and st.workspaces[ws]
      or (not ws and "Default") or nil, default_workspace = ws == nil, scope = scope,
    scope_stated = stated, owner_type = owner_type, usage_tracked = false }
  ctx.evidence:credential{ kind = "api_key", native_id = k.id, identity = row,
    created_at = v(k.created_at), expires_at = v(k.expires_at), status = v(k.status),
    attrs = attrs }
  if row then
    local agent = "anthropic:" .. k.id
    ctx.evidence:ai_agent{ native_id = agent, platform = "anthropic", name = v(k.name),
      identity = row, attrs = { workspace_id = attrs.workspace_id, key = k.id,
        status = v(k.status) } }
    ctx.evidence:edge{ kind = "runs_as", from_type = "ai_agent", from = agent,
      to_type = "identity", to = owner, attrs = { as = "key-owner" } }
  end
end

-- Writes the evidence of data = {workspaces, users, api_keys} (pages, or
-- nil when not read); returns the counts written.
function M.write(ctx, data)
  local st = { ids = {}, users = data.users, workspaces = {} }
  local n = { workspaces = 0, users = 0, keys = 0 }
  for _, w in ipairs(admin.items(data.workspaces)) do
    st.workspaces[w.id] = v(w.name)
    ctx.evidence:resource{ provider = "anthropic", native_id = w.id,
      type = "anthropic-workspace", name = v(w.name),
      attrs = { created_at = v(w.created_at), archived_at = v(w.archived_at) } }
    n.workspaces = n.workspaces + 1
  end
  for _, u in ipairs(admin.items(data.users)) do
    st.ids[u.id] = write_user(ctx, u, true)
    n.users = n.users + 1
  end
  for _, k in ipairs(admin.items(data.api_keys)) do
    write_key(ctx, st, k)
    n.keys = n.keys + 1
  end
  return n
end

return M
