-- Machine identities doing something new against their own baseline:
-- an API family (service) or a source network (/24) first seen in the
-- last recent_days, never seen in the activity before.
local cloudtrail = require("cloudtrail")

local SERVICES = [[
  SELECT i.native_id, substr(a.action, 1, instr(a.action, ':') - 1) AS service,
         min(a.first_seen) AS first_seen, sum(a.count) AS calls,
         group_concat(DISTINCT a.action) AS actions
  FROM identities i JOIN activity a ON a.identity_ref = i.native_id
  WHERE i.provider = 'aws' AND i.is_human = 0
  GROUP BY i.native_id, service ORDER BY i.native_id, service
]]

-- Grouped by the address without its last number ("203.0.113."): an
-- IPv4 /24, which Lua names from one address of the group.
local ADDRESSES = [[
  SELECT i.native_id, min(a.source_ip) AS source_ip, min(a.first_seen) AS first_seen,
         sum(a.count) AS calls
  FROM identities i JOIN activity a ON a.identity_ref = i.native_id
  WHERE i.provider = 'aws' AND i.is_human = 0
  GROUP BY i.native_id, rtrim(a.source_ip, '0123456789')
  ORDER BY i.native_id, 2
]]

-- Roles Lambda runs: their calls leave from AWS's shared address pool,
-- so their source networks change without meaning anything.
local LAMBDA_ROLES = [[
  SELECT DISTINCT to_ref FROM edges
  WHERE kind = 'can_assume' AND from_type = 'service' AND from_ref = 'lambda.amazonaws.com'
]]

local function entry(by, order, id)
  if not by[id] then
    by[id] = { first_seen = nil, services = {}, networks = {}, net_order = {} }
    order[#order + 1] = id
  end
  return by[id]
end

-- Per identity: when it was first seen, its services and its /24s.
local function history(ctx)
  local by, order, pooled = {}, {}, {}
  for row in ctx.db:rows(LAMBDA_ROLES) do pooled[row.to_ref] = true end
  for row in ctx.db:rows(SERVICES) do
    local e = entry(by, order, row.native_id)
    e.services[#e.services + 1] = row
    if not e.first_seen or row.first_seen < e.first_seen then e.first_seen = row.first_seen end
  end
  for row in ctx.db:rows(ADDRESSES) do
    local net = cloudtrail.network_of(row.source_ip)
    local e = by[row.native_id]
    if net and e and not pooled[row.native_id] then
      local n = e.networks[net]
      if not n then
        n = { network = net, first_seen = row.first_seen, calls = 0 }
        e.networks[net] = n
        e.net_order[#e.net_order + 1] = net
      end
      if row.first_seen < n.first_seen then n.first_seen = row.first_seen end
      n.calls = n.calls + row.calls
    end
  end
  return by, order
end

-- What is new since recent (an ISO time) for one identity.
local function novelty(ctx, e, recent)
  local new_services, known = nhi.json.array(), nhi.json.array()
  for _, s in ipairs(e.services) do
    if s.first_seen >= recent then
      new_services[#new_services + 1] = { service = s.service, first_seen = s.first_seen,
                                          calls = s.calls, actions = s.actions }
    else
      known[#known + 1] = s.service
    end
  end
  local new_networks, baseline_networks = nhi.json.array(), 0
  for _, net in ipairs(e.net_order) do
    local n = e.networks[net]
    if n.first_seen >= recent then
      new_networks[#new_networks + 1] = n
    else
      baseline_networks = baseline_networks + 1
    end
  end
  -- An identity that already calls from many networks has no network
  -- baseline to depart from.
  if baseline_networks == 0 or baseline_networks > ctx.params.max_baseline_networks then
    new_networks = nhi.json.array()
  end
  return new_services, new_networks, known, baseline_networks
end

return {
  id = "aws.activity.anomalous",
  kind = "check",
  question = "activity-monitoring",
  category = "anomalous-activity",
  owasp = "NHI4",
  severity = "medium",
  effort = "medium",
  requires = { "identities", "activity" },
  params = { baseline_days = 14, recent_days = 3, max_baseline_networks = 4 },
  title = "Machine identity departs from its {baseline_days}-day baseline",
  description = [[
Compares each machine identity's last recent_days of CloudTrail activity
with what it did before: an API family (the service of an action) or a
source network (an IPv4 /24) first seen in the recent days is new.
Judged only when the logs cover baseline_days before the recent days,
and only for identities active before them. Network novelty is left
out for identities whose baseline already spans more than
max_baseline_networks networks (CI runners, integrations), which have
no network habit to break, and for roles Lambda assumes, whose calls
leave from AWS's shared addresses. A new service is medium severity, a new network
alone low; both are inferences (medium confidence).]],
  remediation = [[
Ask the identity's owner whether the new service or network is expected
(a deployment, a new feature). If not, treat the credentials as
compromised: revoke sessions, rotate keys, and review what the new calls
touched. Restrict the identity to the services and networks it needs.]],

  run = function(ctx)
    local p = ctx.params
    local w = cloudtrail.window(ctx)
    if not w then return end
    local last = nhi.time.parse(w.last)
    local recent = nhi.time.format(last - p.recent_days * 86400)
    local baseline_from = nhi.time.format(last - (p.recent_days + p.baseline_days) * 86400)
    if w.first > baseline_from then
      nhi.log.info("the logs start %s, after the baseline would (%s): not judged",
        w.first, baseline_from)
      return
    end
    local by, order = history(ctx)
    for _, id in ipairs(order) do
      local e = by[id]
      if e.first_seen < recent then
        local services, networks, known, nets = novelty(ctx, e, recent)
        if #services > 0 or #networks > 0 then
          ctx:finding{
            identity = id,
            severity = #services > 0 and "medium" or "low",
            confidence = "medium",
            evidence = { recent_since = recent, baseline_since = baseline_from,
                         new_services = services, new_networks = networks,
                         baseline_services = known, baseline_networks = nets },
          }
        end
      end
    end
  end,
}
