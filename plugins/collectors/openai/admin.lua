-- OpenAI, live: an organisation read through the Admin API with an admin
-- key from the environment (OPENAI_ADMIN_KEY, or the variable key_env
-- names). Every list is followed to its last page; what it fetches is
-- saved under <out>/raw/ in the layout openai:export reads, so a live
-- assessment and one from a saved export give the same evidence. A call
-- the key may not make is a coverage gap, not a failure.
local admin = require("ai_admin")
local org = require("openai_org")

local DEFAULT_BASE = "https://api.openai.com/v1"
local OPTIONS = { base_url = true, key_env = true,
  _usage = "base_url=URL,key_env=VARIABLE" }

local function client(ctx)
  local opts = admin.options("openai:admin", ctx.source.location, OPTIONS)
  local env = opts.key_env or "OPENAI_ADMIN_KEY"
  local key, why = nhi.http.env_secret(env)
  if not key then error("openai:admin: " .. why .. " (an admin key, sk-admin-...)", 0) end
  local base = opts.base_url or nhi.http.setting("OPENAI_BASE_URL") or DEFAULT_BASE
  nhi.log.info("admin API at %s, key from %s", base, env)
  return admin.client{ base = base, auth = { type = "bearer", token = key },
    headers = { Accept = "application/json" }, cursor = "after", limit = 100 }
end

-- One list, saved as name; nil (and a gap) when the key may not read it.
local function fetch(ctx, c, gaps, call, path, query, name)
  local pages, err = c:pages(call, path, query)
  if not pages then return admin.gap_or_fail(gaps, err) end
  ctx:save_raw(name, nhi.json.encode(pages))
  return pages
end

local function fetch_projects(ctx, c, gaps, data)
  for _, p in ipairs(admin.items(data.projects)) do
    if not org.valid_project_id(p.id) then
      error("openai:admin: a project id that cannot name a file: " .. tostring(p.id), 0)
    end
    local base = "/organization/projects/" .. p.id
    data.service_accounts[p.id] = fetch(ctx, c, gaps, "openai:ListProjectServiceAccounts",
      base .. "/service_accounts", nil, org.project_file(p.id, "service_accounts"))
    data.api_keys[p.id] = fetch(ctx, c, gaps, "openai:ListProjectApiKeys",
      base .. "/api_keys", { owner_project_access = "any" }, org.project_file(p.id, "api_keys"))
  end
end

return {
  id = "openai.admin",
  kind = "collector",
  source = "openai:admin",
  method = "live",
  provides = { "identities", "credentials", "resources", "ai_agents", "edges" },
  description = [[
An OpenAI organisation through the Admin API: projects, users, each
project's service accounts and API keys (with when each was last used
and whether its owner still has access to the project), and the admin
keys. Needs an admin key (sk-admin-...) in OPENAI_ADMIN_KEY.]],

  run = function(ctx)
    local c = client(ctx)
    local gaps = admin.gaps(ctx)
    local data = { service_accounts = {}, api_keys = {} }
    data.projects = fetch(ctx, c, gaps, "openai:ListProjects", "/organization/projects",
      { include_archived = "true" }, org.FILES.projects)
    data.users = fetch(ctx, c, gaps, "openai:ListUsers", "/organization/users", nil,
      org.FILES.users)
    data.admin_keys = fetch(ctx, c, gaps, "openai:ListAdminApiKeys",
      "/organization/admin_api_keys", nil, org.FILES.admin_keys)
    fetch_projects(ctx, c, gaps, data)
    if c.refused == c.calls then
      error(string.format("openai:admin: every call was refused (%s); is the key an "
        .. "admin key of the organisation?", gaps.reasons[gaps.order[1]]), 0)
    end
    gaps.flush()
    local n = org.write(ctx, data)
    nhi.log.info("%d projects, %d users, %d service accounts, %d project keys, %d admin keys "
      .. "in %d calls", n.projects, n.users, n.service_accounts, n.keys, n.admin_keys, c.calls)
  end,
}
