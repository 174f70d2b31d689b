-- Vertex AI service agents (service-N@gcp-sa-aiplatform*.iam...) that
-- hold roles besides the one Google grants them. Google-managed agents
-- act on behalf of every Vertex job and endpoint in the project: an extra
-- role widens what any of them can reach, with no one's name on it.
local EXTRA = [[
  SELECT i.native_id, json_extract(i.attrs, '$.service_agent_role') AS own,
         r.value AS role, g.policy, g.via, g.condition
  FROM identities i JOIN grants g ON g.identity_id = i.id, json_each(g.actions) r
  WHERE i.provider = 'gcp' AND g.effect = 'allow'
    AND json_extract(i.attrs, '$.service_agent_role') IS NOT NULL
    AND r.value <> json_extract(i.attrs, '$.service_agent_role')
  ORDER BY i.native_id, r.value, g.policy
]]

-- The stores the agent reaches through roles other than its own: the
-- data_access pairs none of whose granting roles is the agent's own.
local OPENS = [[
  SELECT a.resource_ref, a.kind, r.sensitivity FROM data_access a
  LEFT JOIN resources r ON r.provider = 'gcp' AND r.native_id = a.resource_ref
  WHERE a.identity_ref = ?
    AND NOT EXISTS (SELECT 1 FROM json_each(a.actions) x WHERE x.value = ?)
  ORDER BY a.resource_ref, a.kind
]]

local SENSITIVE = { confidential = true, restricted = true }

-- Roles that make the extra grant severe: basic roles, administrators of
-- a service, and roles that act as other service accounts.
local function powerful(role)
  return role == "roles/owner" or role == "roles/editor" or role:find("[aA]dmin$") ~= nil
    or role:find("^roles/iam%.serviceAccount") ~= nil
    or role == "roles/iam.workloadIdentityUser"
end

return {
  id = "gcp.vertex.service-agent-extra-roles",
  kind = "check",
  question = "overprivilege",
  category = "wildcard-permission",
  owasp = "NHI5",
  severity = "medium",
  effort = "low",
  requires = { "identities", "grants" },
  title = "Vertex AI service agent holds roles beyond its service-agent role",
  description = [[
A Vertex AI service agent (the Vertex AI Service Agent, the Custom Code
Service Agent that runs training and serving containers, the Reasoning
Engine Service Agent that runs Agent Engine agents without their own
service account) is bound to roles other than its own service-agent role.
Every job, endpoint and agent that runs as it inherits those roles. A
basic role (Owner, Editor), an administrator role, a role that acts as
other service accounts, or an extra role that opens a confidential or
restricted store is reported as high severity; the evidence lists the
stores the extra roles open.]],
  remediation = [[
Remove the extra bindings from the service agent; keep only its
service-agent role (roles/aiplatform.serviceAgent,
roles/aiplatform.customCodeServiceAgent or
roles/aiplatform.reasoningEngineServiceAgent). Give each endpoint and
Agent Engine agent its own service account with only the buckets,
datasets and APIs it needs, and set it on the deployment.]],

  run = function(ctx)
    local by_agent, order = {}, {}
    for row in ctx.db:rows(EXTRA) do
      local a = by_agent[row.native_id]
      if not a then
        a = { own = row.own, roles = nhi.json.array(), severe = false }
        by_agent[row.native_id] = a
        order[#order + 1] = row.native_id
      end
      a.roles[#a.roles + 1] = { role = row.role, on = row.policy, via = row.via,
        conditional = row.condition ~= nil or nil }
      if powerful(row.role) then a.severe = true end
    end
    for _, id in ipairs(order) do
      local a = by_agent[id]
      local opens = nhi.json.array()
      for row in ctx.db:rows(OPENS, id, a.own) do
        opens[#opens + 1] = { resource = row.resource_ref, kind = row.kind,
          sensitivity = row.sensitivity }
        if SENSITIVE[row.sensitivity] then a.severe = true end
      end
      ctx:finding{ identity = id, severity = a.severe and "high" or nil,
        evidence = { service_agent_role = a.own, extra_roles = a.roles, opens = opens } }
    end
  end,
}
