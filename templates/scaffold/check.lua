-- {{id}}: a check scaffolded by `nhiscope plugins new`. It reports machine
-- identities that nobody owns; change the query and metadata to make it
-- yours. docs/plugins.md describes the metadata, ctx and the evidence.
local UNOWNED = [[
  SELECT native_id, kind, provider
  FROM identities
  WHERE is_human = 0 AND (owner IS NULL OR owner = '')
    AND kind IN (SELECT value FROM json_each(?))
  ORDER BY native_id
]]

return {
  id = "{{id}}",
  kind = "check",
  question = "overprivilege",
  category = "missing-owner",
  owasp = "NHI1",
  severity = "low",
  requires = { "identities" },
  params = { kinds = "role,service_account" },
  title = "Machine identity has no owner",
  description = [[
A machine identity with no owner tag or field: nobody answers for it, so
nobody retires it when its workload goes away.]],
  remediation = [[
Tag the identity with the team that runs the workload (for example an
Owner tag), or delete it if nobody claims it.]],

  run = function(ctx)
    local kinds = {}
    for kind in ctx.params.kinds:gmatch("[^,%s]+") do kinds[#kinds + 1] = kind end
    for row in ctx.db:rows(UNOWNED, nhi.json.encode(kinds)) do
      ctx:finding{
        identity = row.native_id,
        evidence = { kind = row.kind, provider = row.provider },
      }
    end
  end,
}
