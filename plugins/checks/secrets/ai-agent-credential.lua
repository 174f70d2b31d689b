-- MCP servers configured with a credential written into the client's
-- configuration (env, headers or arguments) instead of a reference to a
-- secret store: the AI agent's access to data rests on a key anyone who
-- can read the file, or the repository holding it, can take. An OpenAI or
-- Anthropic key the inventory holds (its provider hint fits exactly one
-- key's redacted value or partial hint) names the identity it acts as.
local secrets = require("secrets")

return {
  id = "secrets.ai-agent-credential",
  kind = "check",
  question = "ai-data-access",
  category = "exposed-secret",
  owasp = "NHI2",
  severity = "high",
  effort = "low",
  requires = { "ai_agents", "secrets" },
  title = "AI agent credential in plain text in an MCP configuration",
  description = [[
An MCP server that an AI client (Claude Desktop, Cursor, VS Code...)
starts or calls is given a token, key or password written literally in
the client's configuration file. The agent reaches data with that
credential; so does anyone who reads the file, a backup of it, or the
repository it was committed to. Project configurations (.cursor/mcp.json,
.vscode/mcp.json, .mcp.json) are often committed.]],
  remediation = [[
Rotate the credential, then give it to the server by reference: an input
the client prompts for and keeps in its secret storage (VS Code
"inputs" with password: true), an environment variable (${env:NAME}),
or an envFile outside the repository. Scope the new credential to what
the agent needs.]],

  run = function(ctx)
    local sql = [[
      SELECT s.path, s.line, s.type, s.fingerprint, s.preview, s.validated,
             json_extract(s.attrs, '$.mcp_server') AS server,
             json_extract(s.attrs, '$.mcp_field') AS field,
             json_extract(s.attrs, '$.provider_hint') AS hint,
             a.native_id AS agent, a.platform, a.attrs AS agent_attrs
      FROM secrets s
      JOIN ai_agents a ON a.native_id = 'mcp:' || s.path || '#'
                                        || json_extract(s.attrs, '$.mcp_server')
      ORDER BY s.path, s.line, s.id
    ]]
    local ai_keys = secrets.ai_keys(ctx)
    for row in ctx.db:rows(sql) do
      local agent = nhi.json.decode(row.agent_attrs or "{}") or {}
      local severity = secrets.severity(row, {}, ctx.now)
      local key = row.hint and secrets.ai_key_for(ai_keys, row.hint)
      local what = secrets.label(row.type)
      if key then
        what = string.format("%s %s%s", what, key.credential,
          key.identity and (" of " .. key.identity) or "")
        if key.admin then severity = "critical" end
      end
      ctx:finding{
        identity = key and key.identity or nil,
        resource = row.agent,
        severity = severity == "critical" and "critical" or "high",
        title = string.format("MCP server '%s' (%s) holds its %s in plain text in %s",
          row.server, row.platform, what, row.path),
        location = { path = row.path, line = row.line },
        secret_type = row.type,
        evidence = {
          server = row.server, field = row.field, platform = row.platform,
          command = agent.command, url = agent.url,
          fingerprint = row.fingerprint, preview = row.preview,
          validated = row.validated == nil and nhi.json.null or row.validated == 1,
          unpinned_package = agent.unpinned_package,
          plain_http = agent.plain_http,
          provider_hint = row.hint,
          key_id = key and key.credential or nil,
          owner = key and key.identity or nil,
          admin_key = key and key.admin or nil,
          project = key and key.attrs.project_id or nil,
          workspace = key and key.attrs.workspace_id or nil,
        },
      }
    end
  end,
}
