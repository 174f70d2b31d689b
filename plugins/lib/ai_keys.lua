-- Shared by the AI provider key checks: the OpenAI and Anthropic API
-- keys of the inventory (written by the openai and anthropic
-- collectors), with their owner, and the evidence a finding about one
-- names.
local M = {}

local KEYS = [[
  SELECT c.native_id AS key_id, c.created_at, c.last_used_at, c.expires_at, c.status,
         c.attrs, i.native_id AS owner, i.kind AS owner_kind, i.is_human,
         json_extract(i.attrs, '$.org_member') AS org_member
  FROM credentials c LEFT JOIN identities i ON i.id = c.identity_id
  WHERE c.kind = 'api_key' AND (json_extract(c.attrs, '$.redacted_value') IS NOT NULL
    OR json_extract(c.attrs, '$.partial_key_hint') IS NOT NULL)
  ORDER BY c.native_id, c.id
]]

-- Every key that still authenticates: OpenAI keys of projects that are
-- not archived, Anthropic keys whose status is active. Each has
-- provider ("openai" or "anthropic"), admin, a (its attrs) and the
-- columns of KEYS.
function M.live(ctx)
  local list = {}
  for k in ctx.db:rows(KEYS) do
    k.a = nhi.json.decode(k.attrs)
    k.provider = k.a.partial_key_hint and "anthropic" or "openai"
    k.admin = k.a.admin == true
    local works
    if k.provider == "anthropic" then
      works = k.status == "active"
    else
      works = k.a.project_status ~= "archived" and (k.status == nil or k.status == "active")
    end
    if works then list[#list + 1] = k end
  end
  return list
end

-- What a finding about key k says, plus the fields of extra.
function M.evidence(k, extra)
  local a = k.a
  local e = {
    provider = k.provider, key_id = k.key_id, key_name = a.name,
    shown_as = a.redacted_value or a.partial_key_hint, admin_key = k.admin,
    owner = k.owner or nhi.json.null, owner_type = a.owner_type,
    project = a.project_id, project_name = a.project_name,
    workspace = a.workspace_id, workspace_name = a.workspace_name,
    created_at = k.created_at or nhi.json.null,
    last_used_at = k.last_used_at or nhi.json.null,
  }
  for name, value in pairs(extra or {}) do e[name] = value end
  return e
end

-- "OpenAI admin key key_x", "OpenAI project key key_x (project)",
-- "Anthropic API key apikey_x (workspace)": how titles name key k.
function M.name(k)
  local a = k.a
  local where = a.project_name or a.project_id or a.workspace_name or a.workspace_id
  local what = k.provider == "anthropic" and "Anthropic API key"
    or (k.admin and "OpenAI admin key" or "OpenAI project key")
  return string.format("%s %s%s", what, k.key_id,
    (where and not k.admin) and (" (" .. where .. ")") or "")
end

return M
