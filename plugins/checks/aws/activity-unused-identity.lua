-- Machine identities that hold rights but did nothing in the CloudTrail
-- window: dormant, offboarding missed. Only a window at least max_days
-- long can show that; a shorter one makes the question indeterminate
-- (one finding says so) rather than "unused".
local cloudtrail = require("cloudtrail")

-- Machine identities with an Allow grant and no activity at all. AWS
-- services are not identities here, and service-linked roles are AWS's.
local IDLE = [[
  SELECT i.native_id, i.kind, i.created_at, i.last_used_at
  FROM identities i
  WHERE i.provider = 'aws' AND i.is_human = 0
    AND coalesce(json_extract(i.attrs, '$.service_linked'), 0) = 0
    AND EXISTS (SELECT 1 FROM grants g
                WHERE g.identity_id = i.id AND g.effect = 'allow')
    AND i.native_id NOT IN (SELECT identity_ref FROM activity)
    AND i.id NOT IN (SELECT identity_id FROM activity WHERE identity_id IS NOT NULL)
  ORDER BY i.native_id
]]

local function window_evidence(w, extra)
  local e = { window_start = w.first, window_end = w.last, window_days = w.days }
  for k, v in pairs(extra or {}) do e[k] = v end
  return e
end

-- The window is too short: one finding for all the identities it
-- cannot judge.
local function too_short(ctx, w, idle)
  local names = nhi.json.array()
  for i = 1, math.min(#idle, 10) do names[i] = idle[i].native_id end
  ctx:finding{
    status = "indeterminate", severity = "info", confidence = "high",
    title = string.format("CloudTrail covers %d days, fewer than %d: "
      .. "unused identities cannot be judged", w.days, ctx.params.max_days),
    evidence = window_evidence(w, {
      identities_without_activity = #idle, examples = names,
      note = "evidence older than the log window: staleness is indeterminate, not unused" }),
  }
end

local function judge(ctx, w, id)
  local max_days = ctx.params.max_days
  if id.created_at and nhi.time.days(id.created_at, w.last) < max_days then
    return
  end
  local evidence = window_evidence(w, {
    created_at = id.created_at or nhi.json.null,
    last_used_at = id.last_used_at or nhi.json.null,
    days_since_window_end = nhi.time.days(w.last, ctx.now) })
  local contradicted = id.last_used_at and id.last_used_at >= w.first
  if contradicted then
    evidence.note = "IAM reports a use inside the window that the logs do not show: "
      .. "the trail may miss a region or the logs given may be partial"
  end
  ctx:finding{
    identity = id.native_id,
    status = contradicted and "indeterminate" or "fail",
    confidence = contradicted and "low" or "high",
    evidence = evidence,
  }
end

return {
  id = "aws.activity.unused-identity",
  kind = "check",
  question = "activity-monitoring",
  category = "unused-identity",
  owasp = "NHI1",
  severity = "medium",
  effort = "low",
  requires = { "identities", "grants", "activity" },
  params = { max_days = 90 },
  title = "Machine identity with rights but no CloudTrail activity in {max_days} days",
  description = [[
A machine user or role that holds permissions but made no call in the
CloudTrail logs collected. The logs must cover at least max_days (from
the first to the last event): with a shorter window the check reports
one indeterminate finding instead, since evidence older than the logs
cannot say whether an identity is unused. Identities created less than
max_days before the window's end are too young to judge; when IAM's own
last-used date falls inside the window but the logs show nothing, the
finding is indeterminate (the trail may miss a region). AWS service
calls, people and service-linked roles are not judged.]],
  remediation = [[
Confirm with the owner that the identity is still needed. If not,
remove its policies and credentials, then delete it. If it serves a rare
job, document that with an owner tag and keep logs long enough to see
it run.]],

  run = function(ctx)
    local w = cloudtrail.window(ctx)
    if not w then return end
    local idle = {}
    for row in ctx.db:rows(IDLE) do idle[#idle + 1] = row end
    if w.days < ctx.params.max_days then
      if #idle > 0 then too_short(ctx, w, idle) end
      return
    end
    for _, id in ipairs(idle) do judge(ctx, w, id) end
  end,
}
