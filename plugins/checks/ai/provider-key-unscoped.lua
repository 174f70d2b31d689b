-- OpenAI and Anthropic API keys that are not held to one project or
-- workspace: an OpenAI admin key found where applications keep their
-- keys (a file, an agent's configuration), an OpenAI legacy user key
-- (which reaches every project of its user), and an Anthropic key scoped
-- to the organisation or left in the Default workspace.
local ai_keys = require("ai_keys")
local secrets = require("secrets")

-- Where the found secrets that fit admin key k are.
local function admin_uses(k, found)
  local uses = {}
  for _, s in ipairs(found) do
    if s.key.credential == k.key_id then uses[#uses + 1] = s.where end
  end
  return uses
end

-- Each secret found whose provider hint fits one OpenAI admin key of the
-- inventory (and no other key): {key, hint, where}.
local function found_admin_keys(ctx)
  local all, found, any_admin = secrets.ai_keys(ctx), {}, false
  for _, e in ipairs(all) do any_admin = any_admin or e.admin end
  if not any_admin then return found end
  local sql = [[
    SELECT path, line, json_extract(attrs, '$.provider_hint') AS hint,
           json_extract(attrs, '$.mcp_server') AS server
    FROM secrets WHERE json_extract(attrs, '$.provider_hint') IS NOT NULL
    ORDER BY path, line, id
  ]]
  for row in ctx.db:rows(sql) do
    -- matched against every key, so a hint that also fits another key
    -- (ambiguous) ties it to none
    local key = secrets.ai_key_for(all, row.hint)
    key = key and key.admin and key or nil
    if key then
      found[#found + 1] = { key = key, hint = row.hint, where = string.format("%s:%d%s",
        row.path, row.line or 0, row.server and (" (MCP server " .. row.server .. ")") or "") }
    end
  end
  return found
end

-- How key k escapes a project or workspace, with severity and confidence.
local function unscoped(k, found)
  local a = k.a
  if k.admin then
    local uses = admin_uses(k, found)
    if #uses == 0 then return nil end
    return "admin-key-in-use", "critical", "medium", { found_in = uses },
      "an organisation admin key kept where applications keep their keys"
  end
  if k.provider == "openai" then
    local head = secrets.split_redacted(a.redacted_value)
    if head and not head:match("^sk%-%a+%-") then
      return "legacy-user-key", "medium", "high", {},
        "a legacy user key, which reaches every project its user can"
    end
    return nil
  end
  if a.scope == "organization" then
    return "organization-scope", "high", "high", {}, "scoped to the whole organisation"
  end
  if a.default_workspace then
    return "default-workspace", "medium", "high", {},
      "in the Default workspace, outside any workspace's limits and members"
  end
  return nil
end

return {
  id = "ai.provider-key-unscoped",
  kind = "check",
  question = "ai-data-access",
  category = "wildcard-permission",
  owasp = "NHI5",
  severity = "medium",
  effort = "medium",
  requires = { "credentials" },
  title = "AI provider key without project or workspace scoping",
  description = [[
An AI provider key that is not held to one project or workspace. An
OpenAI admin key manages the whole organisation (projects, members,
keys): one found in a file or an agent's configuration (matched by the
redacted value OpenAI shows, so with medium confidence) is used as an
ordinary key. An OpenAI legacy user key (sk- without proj- or svcacct-)
acts with every project its user can reach. An Anthropic key scoped to
the organisation, or left in the Default workspace, escapes the
spending limits, model access and membership a workspace sets.]],
  remediation = [[
Give each workload a key of its own project or workspace: an OpenAI
service-account key in the project it needs (revoke legacy user keys),
an Anthropic key in a dedicated workspace. Keep admin keys for
administration scripts, in a secrets manager, and rotate an admin key
found in a file at once.]],

  run = function(ctx)
    local found = found_admin_keys(ctx)
    for _, k in ipairs(ai_keys.live(ctx)) do
      local why, severity, confidence, extra, text = unscoped(k, found)
      if why then
        extra.reason = why
        ctx:finding{
          identity = k.owner,
          resource = k.key_id,
          severity = severity,
          confidence = confidence,
          title = string.format("%s is %s", ai_keys.name(k), text),
          evidence = ai_keys.evidence(k, extra),
        }
      end
    end
  end,
}
