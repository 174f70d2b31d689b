-- Service accounts bound to Owner or Editor on a Google Cloud project.
-- The basic roles hold thousands of permissions across every service,
-- including acting as every other service account of the project: a
-- leaked key or a compromised workload becomes the whole project.
local BASIC = [[
  SELECT i.native_id, r.value AS role, g.policy, g.condition,
         json_extract(i.attrs, '$.disabled') AS disabled
  FROM identities i JOIN grants g ON g.identity_id = i.id, json_each(g.actions) r
  WHERE i.provider = 'gcp' AND i.kind = 'service_account' AND i.is_human = 0
    AND coalesce(json_extract(i.attrs, '$.service_agent'), 0) = 0
    AND g.effect = 'allow' AND g.via = 'binding:project'
    AND r.value IN ('roles/owner', 'roles/editor')
  ORDER BY i.native_id, r.value
]]

-- Google creates these with Editor unless an organization policy stops it.
local function default_sa(email)
  return email:find("%-compute@developer%.gserviceaccount%.com$") ~= nil
    or email:find("@appspot%.gserviceaccount%.com$") ~= nil
end

return {
  id = "gcp.iam.basic-role-service-account",
  kind = "check",
  question = "overprivilege",
  category = "admin-equivalent",
  owasp = "NHI5",
  severity = "high",
  effort = "medium",
  requires = { "identities", "grants" },
  title = "Service account holds Owner or Editor on the project",
  description = [[
A service account (not a Google-managed service agent) bound to the basic
role Owner or Editor on the project. Editor can change almost every
resource and act as any service account of the project; Owner can also
grant any role. The Compute Engine and App Engine default service
accounts get Editor when they are created, so every VM or app that runs
as one holds it. Owner is reported as critical.]],
  remediation = [[
Replace the basic role with the predefined roles the workload needs (the
IAM recommender lists the permissions it used over 90 days). For the
default service accounts, give each VM or service its own service
account and enforce iam.automaticIamGrantsForDefaultServiceAccounts.]],

  run = function(ctx)
    local by_sa, order = {}, {}
    for row in ctx.db:rows(BASIC) do
      local sa = by_sa[row.native_id]
      if not sa then
        sa = { roles = nhi.json.array(), disabled = row.disabled == 1 }
        by_sa[row.native_id] = sa
        order[#order + 1] = row.native_id
      end
      sa.roles[#sa.roles + 1] = { role = row.role, project = row.policy,
        conditional = row.condition ~= nil or nil }
      if row.role == "roles/owner" then sa.owner = true end
    end
    for _, id in ipairs(order) do
      local sa = by_sa[id]
      ctx:finding{ identity = id, severity = sa.owner and "critical" or nil,
        evidence = { roles = sa.roles, default_service_account = default_sa(id) or nil,
          disabled = sa.disabled or nil } }
    end
  end,
}
