-- User-managed keys of the service accounts that AI workloads run as
-- (Vertex endpoints, Agent Engine agents), older than the threshold. A key
-- file outlives the deployment it was made for and gives whoever holds it
-- everything the agent can reach.
local KEYS = [[
  SELECT i.native_id, c.native_id AS key_id, c.created_at, c.expires_at, c.last_used_at,
         json_extract(c.attrs, '$.no_expiry') AS no_expiry,
         (SELECT json_group_array(e.from_ref) FROM edges e
          WHERE e.kind = 'runs_as' AND e.from_type = 'ai_agent'
            AND e.to_ref = i.native_id) AS agents
  FROM credentials c JOIN identities i ON i.id = c.identity_id
  WHERE i.provider = 'gcp' AND c.kind = 'service_account_key'
    AND coalesce(c.status, 'active') = 'active'
    AND EXISTS (SELECT 1 FROM edges e WHERE e.kind = 'runs_as'
                AND e.from_type = 'ai_agent' AND e.to_ref = i.native_id)
  ORDER BY i.native_id, c.created_at, c.native_id
]]

local function evidence(k, extra)
  local e = { key_id = k.key_id, created_at = k.created_at, expires_at = k.expires_at,
    last_used_at = k.last_used_at,
    no_expiry = k.no_expiry == 1 or nil, ai_agents = nhi.json.decode(k.agents) }
  for name, v in pairs(extra) do e[name] = v end
  return e
end

return {
  id = "gcp.iam.ai-service-account-key-age",
  kind = "check",
  question = "overprivilege",
  category = "stale-credential",
  owasp = "NHI7",
  severity = "medium",
  effort = "low",
  requires = { "credentials", "ai_agents" },
  params = { max_age_days = 90 },
  title = "AI service account has a user-managed key older than {max_age_days} days",
  description = [[
An active user-managed key of a Google Cloud service account that a
Vertex AI endpoint or Agent Engine agent runs as, created longer ago than
the threshold. Vertex runs the workload as the service account without a
key; a downloaded key is an extra, long-lived way in to everything the
agent can read. Older than twice the threshold: high severity.]],
  remediation = [[
Find what still uses the key (Activity Analyzer's
serviceAccountKeyLastAuthentication), move it to workload identity
federation or to impersonation with short-lived tokens, then disable and
delete the key. Enforce iam.disableServiceAccountKeyCreation on AI
projects.]],

  run = function(ctx)
    local max_age = ctx.params.max_age_days
    for k in ctx.db:rows(KEYS) do
      if not k.created_at then
        ctx:finding{ identity = k.native_id, status = "indeterminate", confidence = "low",
          evidence = evidence(k, { reason = "the export does not say when the key was made" }) }
      else
        local age = nhi.time.days(k.created_at, ctx.now)
        if age > max_age then
          ctx:finding{ identity = k.native_id,
            severity = age > 2 * max_age and "high" or nil,
            evidence = evidence(k, { age_days = age, max_age_days = max_age }) }
        end
      end
    end
  end,
}
