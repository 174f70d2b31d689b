-- Gaps in what CloudTrail records: no trail, no multi-region trail, no
-- global service events, a trail stopped or without log file
-- validation, and sensitive data stores whose reads no trail records.
-- Judged from the aws:trails evidence; without it nothing is judged.
local cloudtrail = require("cloudtrail")

local SENSITIVE = [[
  SELECT native_id, type, sensitivity, sensitivity_source FROM resources
  WHERE provider = 'aws' AND sensitivity IN ('confidential', 'restricted')
    AND type IN ('s3-bucket', 'dynamodb-table', 'lambda-function')
  ORDER BY native_id
]]

local function names(list)
  local out = nhi.json.array()
  for _, trail in ipairs(list) do out[#out + 1] = trail.name or trail.native_id end
  return out
end

-- Account-wide gaps: they need describe-trails (the account row).
local function account_gaps(ctx, trails)
  local account = trails.account
  if #trails.list == 0 then
    ctx:finding{
      resource = account.native_id, severity = "critical",
      title = "No CloudTrail trail: API activity is not recorded",
      evidence = { gap = "no-trail", trail_count = 0,
                   note = "only the 90-day management event history remains" },
    }
    return
  end
  local recording, multi, global = {}, false, false
  for _, trail in ipairs(trails.list) do
    if cloudtrail.is_logging(trail) then
      recording[#recording + 1] = trail
      multi = multi or trail.attrs.is_multi_region == true
      global = global or trail.attrs.include_global_events == true
    end
  end
  if not multi then
    ctx:finding{
      resource = account.native_id, severity = "high",
      title = "No recording multi-region CloudTrail trail",
      evidence = { gap = "no-multi-region-trail", recording_trails = names(recording) },
    }
  end
  if not global then
    ctx:finding{
      resource = account.native_id, severity = "medium",
      title = "No trail records global service events (IAM, STS, CloudFront)",
      evidence = { gap = "no-global-service-events", recording_trails = names(recording) },
    }
  end
end

local function trail_gaps(ctx, trail)
  local a = trail.attrs
  if a.is_logging == false then
    ctx:finding{
      resource = trail.native_id, severity = "medium",
      title = string.format("Trail %s is not logging", trail.name),
      evidence = { gap = "trail-not-logging", trail = trail.name,
                   stopped_at = a.stop_logging_time or nhi.json.null,
                   latest_delivery = a.latest_delivery_time or nhi.json.null },
    }
  elseif a.log_file_validation == false then
    ctx:finding{
      resource = trail.native_id, severity = "medium",
      title = string.format("Trail %s has log file validation off", trail.name),
      evidence = { gap = "log-file-validation-off", trail = trail.name,
                   note = "altered or deleted log files cannot be detected" },
    }
  end
end

local function partial_selectors(trails)
  for _, trail in ipairs(trails.list) do
    if trail.attrs.data_event_scope_partial then return true end
  end
  return false
end

-- A sensitive store whose reads no recording trail logs.
local function store_gap(ctx, trails, store)
  local state, by = cloudtrail.reads_logged(trails, store.native_id)
  if state == "logged" then return end
  local evidence = { gap = "data-events-not-logged", sensitivity = store.sensitivity,
                     resource_type = store.type, reads_logged = state }
  if state == "partial" then evidence.logged_in_part_by = by end
  if partial_selectors(trails) then
    evidence.note = "selectors that filter on event name were not evaluated"
  end
  -- A label guessed from the store's name is a guess: so is the finding.
  local guessed = store.sensitivity_source == "name"
  if guessed then evidence.sensitivity_source = "name" end
  ctx:finding{
    resource = store.native_id,
    severity = store.sensitivity == "restricted" and "high" or "medium",
    status = state == "unknown" and "indeterminate" or "fail",
    confidence = (state == "unknown" or guessed) and "low"
      or (evidence.note and "medium" or "high"),
    title = state == "unknown"
      and "Reads of a sensitive data store may not be logged (selectors not collected)"
      or "Reads of a sensitive data store are not logged (no data events)",
    evidence = evidence,
  }
end

return {
  id = "aws.cloudtrail.logging-gap",
  kind = "check",
  question = "activity-monitoring",
  category = "logging-gap",
  owasp = "NHI6",
  severity = "high",
  effort = "low",
  requires = { "resources" },
  title = "CloudTrail logging gap",
  description = [[
Machine identities can only be monitored where CloudTrail records what
they do. This check reads the trail configuration (describe-trails,
get-event-selectors, get-trail-status) and reports: no trail at all
(critical); no recording multi-region trail (high); no trail recording
global service events such as IAM and STS (medium); a trail that is
stopped or has log file validation off (medium); and S3 buckets,
DynamoDB tables and Lambda functions labelled confidential or
restricted whose reads no recording trail logs as data events (high for
restricted, medium for confidential; indeterminate when a trail's
selectors were not collected; low confidence for a store labelled only
by its name). Without trail configuration it reports
nothing: that evidence was not collected.]],
  remediation = [[
Keep one multi-region trail with global service events and log file
validation on, delivering to a bucket in a separate logging account.
Add data event selectors (advanced selectors on resources.ARN) for every
bucket and table that holds confidential or restricted data, so that
reads by workloads and AI agents can be traced. Restart or delete
stopped trails so that none is mistaken for coverage.]],

  run = function(ctx)
    local trails = cloudtrail.trails(ctx)
    if not trails then
      nhi.log.info("no CloudTrail trail configuration collected (aws:trails)")
      return
    end
    if trails.account then account_gaps(ctx, trails) end
    for _, trail in ipairs(trails.list) do trail_gaps(ctx, trail) end
    if #trails.list == 0 then return end
    for store in ctx.db:rows(SENSITIVE) do store_gap(ctx, trails, store) end
  end,
}
