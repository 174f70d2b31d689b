-- Anthropic, live: an organisation read through the Admin API with an
-- admin key from the environment (ANTHROPIC_ADMIN_KEY, or the variable
-- key_env names), sent as x-api-key. Every list is followed to its last
-- page; the answers are saved under <out>/raw/ in the layout
-- anthropic:export reads. A call the key may not make is a coverage gap.
local admin = require("ai_admin")
local org = require("anthropic_org")

local DEFAULT_BASE = "https://api.anthropic.com"
local API_VERSION = "2023-06-01"
local OPTIONS = { base_url = true, key_env = true,
  _usage = "base_url=URL,key_env=VARIABLE" }

local function client(ctx)
  local opts = admin.options("anthropic:admin", ctx.source.location, OPTIONS)
  local env = opts.key_env or "ANTHROPIC_ADMIN_KEY"
  local key, why = nhi.http.env_secret(env)
  if not key then
    error("anthropic:admin: " .. why .. " (an Admin API key, sk-ant-admin01-...)", 0)
  end
  local base = opts.base_url or nhi.http.setting("ANTHROPIC_BASE_URL") or DEFAULT_BASE
  nhi.log.info("admin API at %s, key from %s", base, env)
  return admin.client{ base = base, auth = { type = "header", name = "x-api-key", token = key },
    headers = { ["anthropic-version"] = API_VERSION, Accept = "application/json" },
    cursor = "after_id", limit = 1000 }
end

local function fetch(ctx, c, gaps, call, path, name)
  local pages, err = c:pages(call, path)
  if not pages then return admin.gap_or_fail(gaps, err) end
  ctx:save_raw(name, nhi.json.encode(pages))
  return pages
end

return {
  id = "anthropic.admin",
  kind = "collector",
  source = "anthropic:admin",
  method = "live",
  provides = { "identities", "credentials", "resources", "ai_agents", "edges" },
  description = [[
An Anthropic organisation through the Admin API: workspaces, users and
every API key (its workspace, status, creator and partial hint). The API
does not say when a key was last used. Needs an Admin API key
(sk-ant-admin01-...) in ANTHROPIC_ADMIN_KEY.]],

  run = function(ctx)
    local c = client(ctx)
    local gaps = admin.gaps(ctx)
    local data = {}
    data.workspaces = fetch(ctx, c, gaps, "anthropic:ListWorkspaces",
      "/v1/organizations/workspaces", org.FILES.workspaces)
    data.users = fetch(ctx, c, gaps, "anthropic:ListUsers", "/v1/organizations/users",
      org.FILES.users)
    data.api_keys = fetch(ctx, c, gaps, "anthropic:ListApiKeys", "/v1/organizations/api_keys",
      org.FILES.api_keys)
    if c.refused == c.calls then
      error(string.format("anthropic:admin: every call was refused (%s); is the key an "
        .. "Admin API key?", gaps.reasons[gaps.order[1]]), 0)
    end
    gaps.flush()
    local n = org.write(ctx, data)
    nhi.log.info("%d workspaces, %d users, %d API keys in %d calls", n.workspaces, n.users,
      n.keys, c.calls)
  end,
}
