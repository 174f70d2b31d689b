-- Shared helpers for checks over CloudTrail evidence: the trails the
-- aws:trails source recorded, whether a trail records reads of a data
-- resource, and the time window the aws:cloudtrail activity covers.
local cloudtrail = {}

local TRAILS = [[
  SELECT native_id, type, name, attrs FROM resources
  WHERE provider = 'aws' AND type IN ('cloudtrail-trail', 'cloudtrail-account')
  ORDER BY native_id
]]

-- The trail configuration in the store, or nil when it was not collected:
-- { account = <the cloudtrail-account row, or nil when describe-trails
-- was not read>, list = { <trail>, ... } }. Each row has native_id, name
-- and attrs (decoded, {} when empty).
function cloudtrail.trails(ctx)
  local found = { list = {} }
  for row in ctx.db:rows(TRAILS) do
    row.attrs = row.attrs and nhi.json.decode(row.attrs) or {}
    if row.type == "cloudtrail-account" then
      found.account = row
    else
      found.list[#found.list + 1] = row
    end
  end
  if not found.account and #found.list == 0 then return nil end
  return found
end

-- Whether a trail is recording: IsLogging true, or not known.
function cloudtrail.is_logging(trail)
  return trail.attrs.is_logging ~= false
end

-- What data events name for arn: an S3 bucket's reads are those of its
-- objects, so "arn:aws:s3:::b" is matched as "arn:aws:s3:::b/".
local function target_of(arn)
  if arn:match("^arn:[%w-]+:s3:::[^/]+$") then return arn .. "/" end
  return arn
end

local function starts(s, prefix)
  return s:sub(1, #prefix) == prefix
end

-- How one trail's scope covers target: "all", "part" or nil.
local function trail_covers(attrs, service, target)
  local scope = (attrs.data_event_scope or {})[service]
  local excluded = (attrs.data_event_exclusions or {})[service] or {}
  local covered
  if scope == "all" then
    covered = "all"
  elseif type(scope) == "table" then
    for _, prefix in ipairs(scope) do
      if starts(target, prefix) then
        covered = "all"
      elseif not covered and starts(prefix, target) then
        covered = "part"
      end
    end
  end
  for _, prefix in ipairs(covered and excluded or {}) do
    if starts(target, prefix) then return nil end
    if starts(prefix, target) then covered = "part" end
  end
  return covered
end

-- Whether the trails record reads (data events) of the resource arn:
-- "logged", "partial" (only some prefixes), "unknown" (a recording trail
-- whose selectors were not collected) or "not-logged". The second value
-- lists the trails that log it (or part of it), by name.
function cloudtrail.reads_logged(trails, arn)
  local service = arn:match("^arn:[%w-]+:([%w-]+):")
  local target = target_of(arn)
  local full, part, unknown = {}, {}, false
  for _, trail in ipairs(trails.list) do
    local a = trail.attrs
    if cloudtrail.is_logging(trail) then
      if not a.selectors_known then
        unknown = true
      else
        local how = service and trail_covers(a, service, target)
        if how == "all" then full[#full + 1] = trail.name end
        if how == "part" then part[#part + 1] = trail.name end
      end
    end
  end
  if #full > 0 then return "logged", full end
  if #part > 0 then return "partial", part end
  if unknown then return "unknown", {} end
  return "not-logged", {}
end

-- Activity of AWS sources (or of test fixtures, which have no source).
local WINDOW = [[
  SELECT min(first_seen) AS first, max(last_seen) AS last FROM activity
  WHERE source_id IS NULL
     OR source_id IN (SELECT id FROM sources WHERE provider = 'aws')
]]

-- The window the AWS activity covers: { first, last, days } (ISO times
-- and whole days), or nil when there is none.
function cloudtrail.window(ctx)
  local row = ctx.db:first(WINDOW)
  if not row or not row.first then return nil end
  return { first = row.first, last = row.last,
           days = nhi.time.days(row.first, row.last) }
end

-- True for an IPv4 or IPv6 address; CloudTrail also writes service
-- names ("ecs-tasks.amazonaws.com") and "AWS Internal" there.
function cloudtrail.is_ip(s)
  if type(s) ~= "string" then return false end
  return s:match("^%d+%.%d+%.%d+%.%d+$") ~= nil
    or (s:find(":", 1, true) ~= nil and s:match("^[%x:.]+$") ~= nil)
end

-- The /24 network of an IPv4 address ("203.0.113.0/24"), or nil.
function cloudtrail.network_of(ip)
  local a, b, c = tostring(ip):match("^(%d+)%.(%d+)%.(%d+)%.%d+$")
  if not a then return nil end
  return string.format("%s.%s.%s.0/24", a, b, c)
end

return cloudtrail
