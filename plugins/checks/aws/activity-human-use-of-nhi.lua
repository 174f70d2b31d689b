-- Machine identities that people use, as CloudTrail shows it: console
-- sign-ins, calls from a web browser, or a long-term key used from more
-- places than one workload would use it from.
local cloudtrail = require("cloudtrail")

local MACHINE = [[
  FROM identities i JOIN activity a ON a.identity_ref = i.native_id
  WHERE i.provider = 'aws' AND i.is_human = 0
]]

local SIGN_INS = [[
  SELECT i.native_id, sum(a.count) AS attempts,
         sum(CASE WHEN a.action LIKE '%#denied' THEN a.count ELSE 0 END) AS failed,
         min(a.first_seen) AS first_seen, max(a.last_seen) AS last_seen
]] .. MACHINE .. [[
    AND a.action IN ('signin:ConsoleLogin', 'signin:ConsoleLogin#denied')
  GROUP BY i.native_id ORDER BY i.native_id
]]

-- Calls whose user agent is a web browser, or the console acting for one.
local BROWSER = [[
  SELECT i.native_id, sum(a.count) AS calls, count(DISTINCT a.action) AS actions,
         min(a.first_seen) AS first_seen, max(a.last_seen) AS last_seen,
         min(a.user_agent) AS user_agent
]] .. MACHINE .. [[
    AND (a.user_agent LIKE 'Mozilla/%' OR a.user_agent LIKE 'console.%amazonaws.com')
    AND a.action NOT LIKE 'signin:%'
  GROUP BY i.native_id ORDER BY i.native_id
]]

-- Source addresses of users (long-term keys); roles get fresh temporary
-- credentials on whatever host runs them, so their addresses vary.
local ADDRESSES = [[
  SELECT i.native_id, a.source_ip, sum(a.count) AS calls
]] .. MACHINE .. [[
    AND i.kind IN ('user', 'service_account')
  GROUP BY i.native_id, a.source_ip ORDER BY i.native_id, a.source_ip
]]

-- One entry per identity, gathering what each query saw.
local function signals(ctx)
  local by, order = {}, {}
  local function entry(id)
    if not by[id] then
      by[id] = {}
      order[#order + 1] = id
    end
    return by[id]
  end
  for row in ctx.db:rows(SIGN_INS) do entry(row.native_id).sign_ins = row end
  for row in ctx.db:rows(BROWSER) do entry(row.native_id).browser = row end
  for row in ctx.db:rows(ADDRESSES) do
    if cloudtrail.is_ip(row.source_ip) then
      local e = entry(row.native_id)
      e.ips = e.ips or nhi.json.array()
      e.ips[#e.ips + 1] = row.source_ip
    end
  end
  return by, order
end

local function report(ctx, id, s)
  local many_ips = s.ips and #s.ips > ctx.params.max_source_ips
  if not (s.sign_ins or s.browser or many_ips) then return end
  local evidence, why = {}, {}
  if s.sign_ins then
    evidence.console_sign_ins = { attempts = s.sign_ins.attempts, failed = s.sign_ins.failed,
      first_seen = s.sign_ins.first_seen, last_seen = s.sign_ins.last_seen }
    why[#why + 1] = "console sign-in"
  end
  if s.browser then
    evidence.browser_calls = { calls = s.browser.calls, actions = s.browser.actions,
      first_seen = s.browser.first_seen, last_seen = s.browser.last_seen,
      user_agent = s.browser.user_agent }
    why[#why + 1] = "calls from a web browser"
  end
  if many_ips then
    evidence.source_ips = s.ips
    evidence.distinct_source_ips = #s.ips
    why[#why + 1] = string.format("calls from %d addresses", #s.ips)
  end
  evidence.signals = table.concat(why, ", ")
  local signed_in = s.sign_ins and s.sign_ins.attempts > s.sign_ins.failed
  ctx:finding{
    identity = id,
    severity = signed_in and "high" or "medium",
    confidence = (s.sign_ins or s.browser) and "high" or "medium",
    evidence = evidence,
  }
end

return {
  id = "aws.activity.human-use-of-nhi",
  kind = "check",
  question = "activity-monitoring",
  category = "human-use-of-nhi",
  owasp = "NHI10",
  severity = "medium",
  effort = "medium",
  requires = { "identities", "activity" },
  params = { max_source_ips = 5 },
  title = "Machine identity used by a person",
  description = [[
CloudTrail shows a machine user or role used interactively: console
sign-ins (signin:ConsoleLogin, failed attempts included), calls made
from a web browser (a Mozilla/ user agent) or the console, or, for IAM
users with long-term keys, calls from more than max_source_ips distinct
addresses. Roles are not judged by address count: the hosts that run a
workload (Lambda, ECS, CI runners) change address all the time. A
successful console sign-in is high severity; the other signals medium.]],
  remediation = [[
Give the people involved their own identities (SSO) and remove the
machine identity's console password. Rotate its access keys, since
people may have copied them, and keep its use to the workload it was
made for; restrict it by source network or VPC endpoint where you can.]],

  run = function(ctx)
    local by, order = signals(ctx)
    for _, id in ipairs(order) do report(ctx, id, by[id]) end
  end,
}
