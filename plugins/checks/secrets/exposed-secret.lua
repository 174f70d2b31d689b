-- Secrets found in files and git history: each one a finding with where
-- it is and what it is, its resource the secret's fingerprint. An AWS key
-- whose id the inventory holds is tied to the identity owning it, and so
-- is the secret key found beside it: the finding names that identity,
-- and says when the policy engine finds it admin-equivalent. An OpenAI or
-- Anthropic key whose provider hint fits exactly one key of the
-- inventory (its redacted value or partial hint) is tied to that key's
-- owner, project or workspace.
local secrets = require("secrets")
local power = require("aws_power")

-- The finding about a found key tied to inventory key k: its evidence,
-- and the severity and title it takes.
local function link_ai_key(k, evidence, row, where)
  local a = k.attrs
  evidence.owner = k.identity or nhi.json.null
  evidence.key_id = k.credential
  evidence.key_shown_as = k.shown
  evidence.admin_key = k.admin
  evidence.project = a.project_id
  evidence.workspace = a.workspace_id
  evidence.key_status = k.status
  local owner_admin = a.owner_role == "owner"
  local severity = (k.admin or owner_admin) and "critical" or "high"
  local what = k.provider == "anthropic" and "Anthropic API key"
    or (k.admin and "OpenAI admin key" or "OpenAI project key")
  local scope = a.project_name or a.project_id or a.workspace_name or a.workspace_id
  local title = string.format("%s %s%s%s exposed %s%s", what, k.credential,
    scope and (" (" .. scope .. ")") or "", k.identity and (" of " .. k.identity) or "",
    where, row.path)
  return severity, title
end

return {
  id = "secrets.exposed-secret",
  kind = "check",
  question = "overprivilege",
  category = "exposed-secret",
  owasp = "NHI2",
  severity = "high",
  effort = "low",
  requires = { "secrets" },
  title = "Secret exposed in a file",
  description = [[
A credential sits in plain text in a file or in the history of a
repository: an access key, a token, a private key, a password. Whoever
can read the file, a clone or a backup of it can act as the identity
the credential belongs to. A secret removed from a repository stays in
its history, and in every clone made before, until it is rotated.]],
  remediation = [[
Rotate the credential first (revoke it and issue a new one), then move
the new one to a secrets manager or the platform's secret store and
read it at run time. Removing the file or rewriting history does not
make an exposed secret safe; rotation does. Add the path to the
project's secret-scanning exclusions only for test fixtures.]],

  run = function(ctx)
    local keys = secrets.aws_keys(ctx)
    local ai_keys = secrets.ai_keys(ctx)
    local sql = [[
      SELECT s.id, s.path, s.line, s.type, s.fingerprint, s.preview, s.validated,
             s.in_history, s.attrs, i.native_id AS identity
      FROM secrets s LEFT JOIN identities i ON i.id = s.identity_id
      WHERE json_extract(s.attrs, '$.mcp_server') IS NULL
      ORDER BY s.path, s.line, s.id
    ]]
    for row in ctx.db:rows(sql) do
      local attrs = row.attrs and nhi.json.decode(row.attrs) or {}
      local owner = keys[row.fingerprint] or keys[attrs.paired_with or ""]
      local severity = secrets.severity(row, attrs, ctx.now)
      local identity = row.identity or (owner and owner.identity)
      local where = row.in_history == 1 and "in the git history of " or "in "
      local evidence = {
        fingerprint = row.fingerprint, preview = row.preview, rule = attrs.rule,
        validated = row.validated == nil and nhi.json.null or row.validated == 1,
        in_history = row.in_history == 1, commit = attrs.commit,
        issuer = attrs.iss, expires = attrs.exp, key_kind = attrs.key_kind,
        client_email = attrs.client_email,
        paired_with = attrs.paired_with,
      }
      local title = string.format("%s exposed %s%s", secrets.label(row.type),
        where, row.path)
      if owner then
        local admin = power.admin(ctx, owner.identity)
        severity = "critical"
        evidence.owner = owner.identity
        evidence.key_status = owner.status
        evidence.owner_admin_equivalent = admin
        title = string.format("%s of %s%s exposed %s%s", secrets.label(row.type),
          admin == "allow" and "admin-equivalent " or "", owner.identity, where,
          row.path)
      end
      local ai, fits = nil, 0
      if not owner and attrs.provider_hint then
        ai, fits = secrets.ai_key_for(ai_keys, attrs.provider_hint)
        evidence.provider_hint = attrs.provider_hint
        if not ai and fits > 1 then evidence.inventory_keys_fitting = fits end
      end
      if ai then
        identity = row.identity or ai.identity
        severity, title = link_ai_key(ai, evidence, row, where)
      end
      ctx:finding{
        identity = identity,
        -- the fingerprint: the same secret is the same finding in a later
        -- assessment (nhiscope diff), wherever it moved
        resource = row.fingerprint,
        severity = severity,
        confidence = attrs.generic and "low" or "high",
        title = title,
        location = { path = row.path, line = row.line },
        secret_type = row.type,
        evidence = evidence,
      }
    end
  end,
}
