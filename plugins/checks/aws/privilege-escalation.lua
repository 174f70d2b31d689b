-- Machine identities that can gain rights they do not hold: by writing
-- their own permissions, or by becoming another principal (assuming a
-- role, minting a user's key or password, passing a role to a service
-- that runs code) until they reach administrator-equivalent rights or
-- sensitive data they cannot touch themselves. Each path is a list of
-- steps, every one allowed by the policy engine on the resource used.
local esc = require("aws_escalation")
local power = require("aws_power")

local RANK = { confidential = 1, restricted = 2 }
local SEVERITY = { admin = "critical", restricted = "high", confidential = "medium" }

local function memo(fn)
  local cache = {}
  return function(ctx, arn)
    if cache[arn] == nil then cache[arn] = { fn(ctx, arn) } end
    return table.unpack(cache[arn])
  end
end

-- The decision of a path: allow only when every step is.
local function path_decision(steps, last)
  local d = last or "allow"
  for _, s in ipairs(steps) do d = esc.weaker(d, s.decision) end
  return d
end

-- The first path in found/order that reaches administrator rights, and
-- the other administrators as near.
local function admin_path(ctx, admin, found, order)
  local to, steps, d
  local others = {}
  for _, at in ipairs(order) do
    if steps and #found[at] > #steps then break end
    local verdict = at == "admin" and "allow" or admin(ctx, at)
    if verdict ~= "no" then
      if not to then
        to, steps, d = at, found[at], verdict
      elseif at ~= "admin" and #others < 10 then
        others[#others + 1] = at
      end
    end
  end
  return to, steps, d, others
end

-- The path to the most sensitive data that the start cannot reach.
local function data_path(ctx, reach, start, found, order)
  local own, best = reach(ctx, start), nil
  for _, to in ipairs(order) do
    if to ~= "admin" then
      local gained, top = {}, 0
      for resource, entry in pairs(reach(ctx, to)) do
        if not own[resource] then
          gained[#gained + 1] = { resource = resource, sensitivity = entry.sensitivity,
                                  access = entry.access }
          top = math.max(top, RANK[entry.sensitivity])
        end
      end
      if top > (best and best.rank or 0) then
        table.sort(gained, function(a, b) return a.resource < b.resource end)
        best = { to = to, steps = found[to], gained = gained, rank = top }
      end
    end
  end
  return best
end

local function report(ctx, start, target, steps, decision, extra)
  local level = extra.level
  ctx:finding{
    identity = start,
    resource = target ~= "admin" and target or nil,
    severity = SEVERITY[level],
    status = decision == "allow" and "fail" or "indeterminate",
    confidence = decision == "allow" and "high" or "medium",
    evidence = {
      reaches = level == "admin" and "administrator-equivalent rights"
        or (level .. " data"),
      target = target ~= "admin" and target or nil,
      steps = steps,
      gained = extra.gained,
      also_reaches = extra.others and #extra.others > 0 and extra.others or nil,
    },
  }
end

return {
  id = "aws.iam.privilege-escalation",
  kind = "check",
  question = "overprivilege",
  category = "privilege-escalation",
  owasp = "NHI5",
  severity = "high",
  effort = "medium",
  requires = { "identities", "grants" },
  title = "Machine identity can escalate its privileges",
  description = [[
A service account or role that can give itself rights it does not hold:
by rewriting its own policies, or by becoming another principal (assuming
a role, creating a user's access key or password, passing a role to a
service that runs code as it) until it reaches administrator-equivalent
rights or sensitive data. The evidence lists each step: the principal,
the permission used and the resource it is used on.]],
  remediation = [[
Remove the permission of the first step, or scope it to resources that
do not lead anywhere stronger: iam:PassRole to the roles the workload
launches, with an iam:PassedToService condition; IAM write actions to
the identity's own non-privileged resources. A permissions boundary on
the identity caps every path at once.]],

  run = function(ctx)
    local admin = memo(power.admin)
    local holders = power.sensitive_holders(ctx)
    -- An admin already has every right: no need to know its moves.
    local graph = esc.new(ctx):build(
      function(arn) return admin(ctx, arn) == "allow" end,
      function(arn) return admin(ctx, arn) end,
      function(arn) return holders[arn] == true end)
    -- Only a holder reaches sensitive data of its own: the others need
    -- no query.
    local reach = memo(function(c, arn)
      if not holders[arn] then return {} end
      return power.sensitive_reach(c, arn)
    end)
    for _, start in ipairs(graph.order) do
      local node = graph.nodes[start]
      if node.is_human == 0 and admin(ctx, start) ~= "allow" then
        local done, found, order = false, nil, nil
        for _, allow_only in ipairs({ true, false }) do
          if done then break end
          found, order = graph:paths(start, allow_only)
          local to, steps, d, others = admin_path(ctx, admin, found, order)
          if to then
            report(ctx, start, to, steps, path_decision(steps, d),
                   { level = "admin", others = others })
            done = true
          end
        end
        if not done then
          local best = data_path(ctx, reach, start, found, order)
          if best then
            local level = best.rank == 2 and "restricted" or "confidential"
            report(ctx, start, best.to, best.steps, path_decision(best.steps),
                   { level = level, gained = best.gained })
          end
        end
      end
    end
  end,
}
