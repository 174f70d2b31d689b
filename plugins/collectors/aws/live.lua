-- AWS, live: reads one account through its APIs with read-only
-- credentials. What it fetches is saved under <out>/raw/ in the shapes the
-- AWS CLI prints, and the export importers read those files, so a live
-- assessment and one from exports give the same evidence. A call the
-- credentials may not make is a coverage gap, not a failure.
local api = require("aws_api")
local ai_live = require("aws_ai_live")
local ai_rows = require("aws_ai_rows")

local CLOUDTRAIL = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
local ORGANIZATIONS = "AWSOrganizationsV20161128"
local KMS = "TrentService"
local DEFAULTS = { days = 7, max_events = 10000 }

-- "PROFILE,days=30,region=eu-west-1,max_events=5000": the profile is the
-- part without "=".
local function parse_location(location)
  local opts = { days = DEFAULTS.days, max_events = DEFAULTS.max_events }
  local profile
  for part in (location or ""):gmatch("[^,]+") do
    local k, v = part:match("^%s*([%w_]+)%s*=%s*(.-)%s*$")
    if not k then
      profile = part:match("^%s*(.-)%s*$")
    elseif k == "region" then
      opts.region = v
    elseif (k == "days" or k == "max_events") and tonumber(v) then
      opts[k] = math.floor(tonumber(v))
    else
      error(string.format("aws:live: unknown option '%s' (profile,days=N,"
        .. "region=R,max_events=N)", part), 0)
    end
  end
  if opts.days < 1 or opts.days > 90 then
    error("aws:live: days must be 1 to 90 (CloudTrail keeps 90 days)", 0)
  end
  return profile, opts
end

-- Gaps counted per API, so a thousand denied keys make one note.
local function new_gaps(ctx)
  local g = { ctx = ctx, counts = {}, reasons = {}, order = {} }
  function g.add(err)
    if not g.counts[err.api] then
      g.counts[err.api] = 0
      g.order[#g.order + 1] = err.api
      g.reasons[err.api] = (err.code or "failed") .. (err.message and (": " .. err.message) or "")
    end
    g.counts[err.api] = g.counts[err.api] + 1
  end
  function g.flush()
    for _, name in ipairs(g.order) do
      local n = g.counts[name]
      ctx:coverage_gap(name, (n > 1 and (n .. " calls: ") or "") .. g.reasons[name])
    end
  end
  return g
end

-- A denied account-wide call is a gap; anything else fails the source.
local function denied_or_fail(gaps, err)
  if err.kind ~= "denied" then error(err.text, 0) end
  gaps.add(err)
end

-- A per-item call (one key, trail, bucket) that failed: a 4xx is a gap,
-- anything else fails the source.
local function item_failed(gaps, err)
  if err.kind ~= "denied" and not api.client_error(err) then error(err.text, 0) end
  gaps.add(err)
end

local function save_json(ctx, name, value)
  return ctx:save_raw(name, nhi.json.encode(value))
end

local function caller_identity(ctx, c)
  local who, err = c:query("sts", "GetCallerIdentity")
  if not who then error(err.text, 0) end
  save_json(ctx, "sts/caller-identity.json", api.clean(who))
  nhi.log.info("account %s as %s (%s)", tostring(api.value(who.Account)),
    tostring(api.value(who.Arn)), c.info.method)
  return api.value(who.Account)
end

local GAAD_LISTS = { "UserDetailList", "GroupDetailList", "RoleDetailList", "Policies" }

-- GetAccountAuthorizationDetails, every page merged into one export.
local function collect_iam(ctx, c, gaps)
  local gaad = { IsTruncated = false }
  for _, k in ipairs(GAAD_LISTS) do gaad[k] = nhi.json.array() end
  local pages, err = c:query_pages("iam", "GetAccountAuthorizationDetails", {},
    function(result)
      for _, k in ipairs(GAAD_LISTS) do
        for _, item in ipairs(api.list(result[k])) do
          gaad[k][#gaad[k] + 1] = api.clean(item)
        end
      end
    end)
  if not pages then return denied_or_fail(gaps, err) end
  local path = save_json(ctx, "iam/gaad.json", gaad)
  local got = ctx:import("aws.authz", path)
  nhi.log.info("iam: %d pages, %d identities, %d grants", pages, got.identities, got.grants)
end

-- The credential report: generated (or the cached one reused), fetched
-- once ready.
local function collect_report(ctx, c, gaps)
  local gen, err = c:query("iam", "GenerateCredentialReport")
  if not gen then return denied_or_fail(gaps, err) end
  local report
  report, err = c:query("iam", "GetCredentialReport", nil, {
    max = 8, base_ms = 1000, max_wait_ms = 8000, codes = { "ReportInProgress" } })
  if not report then return denied_or_fail(gaps, err) end
  local path = save_json(ctx, "iam/credential-report.json", api.clean(report))
  local got = ctx:import("aws.credential-report", path)
  nhi.log.info("iam: credential report of %d users", got.records)
end

local function ensure_user(ctx, user, account)
  if ctx.db:first("SELECT id FROM identities WHERE provider = 'aws' AND native_id = ?",
      user.Arn) then
    return
  end
  ctx.evidence:identity{ provider = "aws", account = account, native_id = user.Arn,
    name = user.UserName, kind = "user", created_at = api.iso(user.CreateDate) }
end

-- A key the credential report already wrote (same user, same creation
-- time, no key id yet) gets its id and last use; any other is new.
local function write_key(ctx, user, key, used)
  local created = api.iso(key.CreateDate)
  local status = type(key.Status) == "string" and key.Status:lower() or nil
  local last = used and api.iso(api.value(used.LastUsedDate))
  local attrs = { user = user.UserName }
  if used then
    local service, region = api.value(used.ServiceName), api.value(used.Region)
    if service and service ~= "N/A" then attrs.last_used_service = service end
    if region and region ~= "N/A" then attrs.last_used_region = region end
    if not last and service == "N/A" then attrs.never_used = true end
  end
  local changed = ctx.db:exec([[
    UPDATE credentials SET native_id = ?, status = coalesce(?, status),
      last_used_at = coalesce(?, last_used_at),
      attrs = json_patch(coalesce(attrs, '{}'), ?)
    WHERE id = (SELECT c.id FROM credentials c JOIN identities i ON i.id = c.identity_id
      WHERE i.native_id = ? AND c.kind = 'access_key' AND c.native_id IS NULL
        AND c.created_at = ? ORDER BY c.id LIMIT 1)]],
    key.AccessKeyId, status, last, nhi.json.encode(attrs), user.Arn, created or "")
  if changed > 0 then return end
  ctx.evidence:credential{ identity = user.Arn, kind = "access_key",
    native_id = key.AccessKeyId, created_at = created, last_used_at = last,
    status = status, attrs = attrs }
end

local function user_keys(c, gaps, user)
  local keys = {}
  local pages, err = c:query_pages("iam", "ListAccessKeys", { UserName = user.UserName },
    function(result)
      for _, k in ipairs(api.list(result.AccessKeyMetadata)) do keys[#keys + 1] = k end
    end)
  if not pages then item_failed(gaps, err) end
  return keys
end

-- ListUsers, then each user's keys and when each key was last used.
local function collect_keys(ctx, c, gaps, account)
  local users = {}
  local pages, err = c:query_pages("iam", "ListUsers", {}, function(result)
    for _, u in ipairs(api.list(result.Users)) do users[#users + 1] = u end
  end)
  if not pages then return denied_or_fail(gaps, err) end
  local listed, used_list, n = nhi.json.array(), nhi.json.array(), 0
  for _, user in ipairs(users) do
    for _, key in ipairs(user_keys(c, gaps, user)) do
      local used, uerr = c:query("iam", "GetAccessKeyLastUsed", { AccessKeyId = key.AccessKeyId })
      if not used then item_failed(gaps, uerr) end
      listed[#listed + 1] = api.clean(key)
      if used then used_list[#used_list + 1] = api.clean(used) end
      ensure_user(ctx, user, account)
      write_key(ctx, user, key, used and api.value(used.AccessKeyLastUsed))
      n = n + 1
    end
  end
  save_json(ctx, "iam/access-keys.json", { AccessKeyMetadata = listed })
  save_json(ctx, "iam/access-keys-last-used.json", used_list)
  nhi.log.info("iam: %d users, %d access keys", #users, n)
end

local function file_part(s)
  return (tostring(s):gsub("[^%w._-]", "_"):gsub("^%.", "_"))
end

-- DescribeTrails, and each trail's event selectors and status, saved as
-- one folder for the aws.trails importer.
local function collect_trails(ctx, c, gaps)
  local doc, err = c:json("cloudtrail", CLOUDTRAIL, "DescribeTrails",
    { includeShadowTrails = true })
  if not doc then return denied_or_fail(gaps, err) end
  local trails = api.list(doc.trailList)
  local first = save_json(ctx, "cloudtrail/trails/describe-trails.json",
    { trailList = api.clean(doc.trailList) or nhi.json.array() })
  for _, t in ipairs(trails) do
    local name = file_part(t.Name)
    local sel, serr = c:json("cloudtrail", CLOUDTRAIL, "GetEventSelectors",
      { TrailName = t.TrailARN })
    if sel then
      save_json(ctx, "cloudtrail/trails/event-selectors-" .. name .. ".json", api.clean(sel))
    else
      item_failed(gaps, serr)
    end
    local st, terr = c:json("cloudtrail", CLOUDTRAIL, "GetTrailStatus", { Name = t.TrailARN })
    if st then
      save_json(ctx, "cloudtrail/trails/trail-status-" .. name .. ".json", api.clean(st))
    else
      item_failed(gaps, terr)
    end
  end
  local got = ctx:import("aws.trails", (first:gsub("/[^/]*$", "")))
  nhi.log.info("cloudtrail: %d trails, %d files", #trails, got.files)
end

-- LookupEvents over the last days (management events, this region);
-- each CloudTrailEvent is the full record as a JSON string.
local function collect_events(ctx, c, gaps, opts)
  local now = nhi.time.parse(ctx.now)
  local records, truncated = nhi.json.array(), false
  local pages, err = c:json_pages("cloudtrail", CLOUDTRAIL, "LookupEvents",
    { StartTime = now - opts.days * 86400, EndTime = now, MaxResults = 50 },
    function(doc)
      for _, e in ipairs(api.list(doc.Events)) do
        local record = type(e.CloudTrailEvent) == "string" and nhi.json.decode(e.CloudTrailEvent)
        if type(record) == "table" then records[#records + 1] = record end
      end
      if #records >= opts.max_events then
        truncated = true
        return false
      end
    end)
  if not pages then return denied_or_fail(gaps, err) end
  if truncated then
    ctx:coverage_gap("cloudtrail:LookupEvents", string.format(
      "stopped at %d events; raise max_events", #records))
  end
  local path = save_json(ctx, "cloudtrail/lookup-events.json", { Records = records })
  local got = ctx:import("aws.cloudtrail", path)
  nhi.log.info("cloudtrail: %d events in %d pages (%d days, %s), %d activity rows",
    #records, pages, opts.days, c.region, got.activity)
end

local function tagset(body)
  local doc = nhi.xml.decode(body)
  local out = nhi.json.array()
  for _, tag in ipairs(api.xml_all(api.xml_child(doc, "TagSet"), "Tag")) do
    out[#out + 1] = { Key = api.xml_text(tag, "Key"), Value = api.xml_text(tag, "Value") or "" }
  end
  return out
end

-- One bucket's tags ({} when it has none, nil when unreadable) and policy
-- (false when it has none, nil when unreadable).
local function bucket_details(ctx, c, gaps, b)
  local path = "/" .. b.name
  local tags, policy = {}, false
  local body, err = c:rest_get("s3", "GetBucketTagging", path, "tagging=", b.region)
  if body then
    local set = tagset(body)
    save_json(ctx, "s3/buckets/" .. b.name .. "/tagging.json", { TagSet = set })
    for _, t in ipairs(set) do tags[t.Key] = t.Value end
  elseif err.code ~= "NoSuchTagSet" then
    item_failed(gaps, err)
    tags = nil
  end
  body, err = c:rest_get("s3", "GetBucketPolicy", path, "policy=", b.region)
  if body then
    save_json(ctx, "s3/buckets/" .. b.name .. "/policy.json", { Policy = body })
    policy = nhi.json.decode(body)
  elseif err.code ~= "NoSuchBucketPolicy" then
    item_failed(gaps, err)
    policy = nil
  end
  return tags, policy
end

local function bucket_region(c, gaps, name)
  local body, err = c:rest_get("s3", "GetBucketLocation", "/" .. name, "location=", "us-east-1")
  if not body then
    item_failed(gaps, err)
    return c.region
  end
  local doc = nhi.xml.decode(body)
  local r = doc and doc.text or ""
  if r == "" then return "us-east-1" end
  if r == "EU" then return "eu-west-1" end
  return r
end

local function list_buckets(ctx, c, gaps)
  local buckets, owner, token = nhi.json.array(), nil, nil
  repeat
    local body, err = c:rest_get("s3", "ListBuckets", "/",
      token and nhi.http.form{ ["continuation-token"] = token } or nil)
    if not body then
      denied_or_fail(gaps, err)
      return nil
    end
    local doc, why = nhi.xml.decode(body)
    if not doc then error("s3:ListBuckets: cannot read the answer: " .. why, 0) end
    owner = owner or api.xml_child(doc, "Owner")
    for _, b in ipairs(api.xml_all(api.xml_child(doc, "Buckets"), "Bucket")) do
      buckets[#buckets + 1] = { Name = api.xml_text(b, "Name"),
        CreationDate = api.xml_text(b, "CreationDate"),
        BucketRegion = api.xml_text(b, "BucketRegion") }
    end
    token = api.xml_text(doc, "ContinuationToken")
  until not token or token == ""
  save_json(ctx, "s3/list-buckets.json", { Buckets = buckets,
    Owner = owner and { ID = api.xml_text(owner, "ID") } or nil })
  return buckets
end

-- ListBuckets, then each bucket's region, tags and policy.
local function collect_buckets(ctx, c, gaps, account)
  local buckets = list_buckets(ctx, c, gaps)
  if not buckets then return end
  for _, b in ipairs(buckets) do
    local region = b.BucketRegion or bucket_region(c, gaps, b.Name)
    local tags, policy = bucket_details(ctx, c, gaps, { name = b.Name, region = region })
    local arn = "arn:aws:s3:::" .. b.Name
    local has_policy
    if policy ~= nil then has_policy = policy ~= false end
    ctx.evidence:resource{ provider = "aws", account = account, native_id = arn,
      -- Sensitivity from tags is set after collection, for every collector.
      type = "s3-bucket", name = b.Name, tags = tags and next(tags) and tags or nil,
      attrs = { region = region, created_at = api.iso(b.CreationDate),
        has_policy = has_policy } }
    if type(policy) == "table" then
      ctx.evidence:policy{ provider = "aws", native_id = arn, name = b.Name,
        kind = "resource", document = policy }
    end
  end
  nhi.log.info("s3: %d buckets", #buckets)
end

-- {key = value} of KMS's [{TagKey, TagValue}] list.
local function kms_tags(list)
  local tags = {}
  for _, t in ipairs(api.list(list)) do tags[t.TagKey] = t.TagValue end
  return tags
end

-- One key: its metadata, key policy and tags. A key policy must allow
-- any use of the key itself, so the policy engine needs it; one that
-- cannot be read is a gap, and the key is kept without it.
local function collect_key(ctx, c, gaps, account, key)
  local meta, err = c:json("kms", KMS, "DescribeKey", { KeyId = key.KeyId })
  if not meta then return item_failed(gaps, err) end
  local m = meta.KeyMetadata or {}
  local pol, perr = c:json("kms", KMS, "GetKeyPolicy",
    { KeyId = key.KeyId, PolicyName = "default" })
  if not pol then item_failed(gaps, perr) end
  local tagged, terr = c:json("kms", KMS, "ListResourceTags", { KeyId = key.KeyId })
  if not tagged then item_failed(gaps, terr) end
  local policy = pol and type(pol.Policy) == "string" and nhi.json.decode(pol.Policy) or nil
  local tags = tagged and kms_tags(tagged.Tags) or nil
  save_json(ctx, "kms/keys/" .. file_part(key.KeyId) .. ".json", { KeyMetadata = api.clean(m),
    Policy = pol and pol.Policy or nil, Tags = tagged and api.clean(tagged.Tags) or nil })
  ctx.evidence:resource{ provider = "aws", account = account, native_id = key.KeyArn,
    type = "kms-key", name = api.value(m.Description), tags = tags and next(tags) and tags or nil,
    attrs = { region = key.KeyArn:match("^arn:[^:]*:kms:([^:]*):"),
      key_manager = api.value(m.KeyManager), key_state = api.value(m.KeyState),
      created_at = api.iso(m.CreationDate), has_policy = pol and true or nil } }
  if type(policy) == "table" then
    ctx.evidence:policy{ provider = "aws", native_id = key.KeyArn, kind = "resource",
      document = policy }
  end
end

-- The KMS keys of the collection's region with their key policies.
local function collect_kms(ctx, c, gaps, account)
  local keys = nhi.json.array()
  local pages, err = c:json_pages("kms", KMS, "ListKeys", nil, function(doc)
      for _, k in ipairs(api.list(doc.Keys)) do keys[#keys + 1] = k end
    end, { request = "Marker", answer = "NextMarker" })
  if not pages then return denied_or_fail(gaps, err) end
  save_json(ctx, "kms/list-keys.json", { Keys = api.clean(keys) })
  for _, key in ipairs(keys) do collect_key(ctx, c, gaps, account, key) end
  nhi.log.info("kms: %d keys", #keys)
end

-- The roots, OUs and accounts an SCP is attached to, or nil when they
-- cannot be read (the policy engine then leaves the SCP out, with a warning).
local function scp_targets(ctx, c, gaps, id)
  local targets = nhi.json.array()
  local pages, err = c:json_pages("organizations", ORGANIZATIONS, "ListTargetsForPolicy",
    { PolicyId = id }, function(doc)
      for _, t in ipairs(api.list(doc.Targets)) do targets[#targets + 1] = t.TargetId end
    end)
  if not pages then
    item_failed(gaps, err)
    return nil
  end
  save_json(ctx, "organizations/targets/" .. file_part(id) .. ".json", { Targets = targets })
  return targets
end

local PARENT_TYPES = { ORGANIZATIONAL_UNIT = "ou", ROOT = "root" }

-- The account's place in the organization: member_of edges from it up
-- through its OUs to the root, so SCPs attached to an OU reach it.
local function collect_org_tree(ctx, c, gaps, account)
  local child, child_type, chain = account, "account", nhi.json.array()
  for _ = 1, 6 do  -- AWS nests OUs five deep below the root at most
    local doc, err = c:json("organizations", ORGANIZATIONS, "ListParents",
      { ChildId = child })
    if not doc then return item_failed(gaps, err) end
    local parent = api.list(doc.Parents)[1]
    local to_type = parent and PARENT_TYPES[api.value(parent.Type)]
    if not to_type then break end
    ctx.evidence:edge{ kind = "member_of", from_type = child_type, from = child,
      to_type = to_type, to = parent.Id }
    chain[#chain + 1] = parent
    if to_type == "root" then break end
    child, child_type = parent.Id, "ou"
  end
  save_json(ctx, "organizations/parents-" .. file_part(account) .. ".json",
    { Parents = api.clean(chain) })
end

-- Service control policies, when the account may read them (the
-- organization's management account or a delegated administrator).
local function collect_scps(ctx, c, gaps, account)
  local summaries = nhi.json.array()
  local pages, err = c:json_pages("organizations", ORGANIZATIONS, "ListPolicies",
    { Filter = "SERVICE_CONTROL_POLICY" }, function(doc)
      for _, p in ipairs(api.list(doc.Policies)) do summaries[#summaries + 1] = p end
    end)
  if not pages then
    if err.code == "AWSOrganizationsNotInUseException" then
      nhi.log.info("organizations: the account is in no organization")
      return
    end
    return denied_or_fail(gaps, err)
  end
  save_json(ctx, "organizations/list-policies.json", { Policies = api.clean(summaries) })
  for _, s in ipairs(summaries) do
    local doc, derr = c:json("organizations", ORGANIZATIONS, "DescribePolicy",
      { PolicyId = s.Id })
    if not doc then
      item_failed(gaps, derr)
    else
      local p = api.value(doc.Policy) or {}
      save_json(ctx, "organizations/policies/" .. file_part(s.Id) .. ".json", api.clean(doc))
      ctx.evidence:policy{ provider = "aws", native_id = s.Arn, name = s.Name, kind = "scp",
        document = type(p.Content) == "string" and nhi.json.decode(p.Content) or nil,
        attrs = { id = s.Id, aws_managed = api.value(s.AwsManaged),
          description = api.value(s.Description),
          targets = scp_targets(ctx, c, gaps, s.Id) } }
    end
  end
  if account then collect_org_tree(ctx, c, gaps, account) end
  nhi.log.info("organizations: %d service control policies", #summaries)
end

-- Bedrock agents, AgentCore runtimes and SageMaker workloads as
-- ai_agents rows. Any AI call that fails is a gap: the service may not
-- exist in the region, and the rest of the account is already read.
local function collect_ai(ctx, c, gaps)
  local b = ai_live.collect(ctx, c, function(err) gaps.add(err) end)
  local n = ai_rows.write(ctx, b, function(call, reason)
    if not gaps.counts[call] then gaps.add{ api = call, code = "missing", message = reason } end
  end)
  nhi.log.info("ai: %d agents, knowledge bases, runtimes and SageMaker resources", n)
end

return {
  id = "aws.live",
  kind = "collector",
  source = "aws:live",
  description = "An AWS account read live with read-only credentials: IAM "
    .. "(authorization details, credential report, access keys), CloudTrail "
    .. "(trails, recent management events), S3 buckets, KMS keys, Organizations SCPs, "
    .. "Bedrock agents and knowledge bases, AgentCore runtimes, SageMaker notebooks and endpoints",
  provides = { "identities", "credentials", "policies", "grants", "edges",
    "resources", "activity", "ai_agents" },

  run = function(ctx)
    local profile, opts = parse_location(ctx.source.location)
    local c, err = api.client{ profile = profile, region = opts.region }
    if not c then error("aws:live: " .. err.message, 0) end
    local gaps = new_gaps(ctx)
    local account = caller_identity(ctx, c)
    collect_iam(ctx, c, gaps)
    collect_report(ctx, c, gaps)
    collect_keys(ctx, c, gaps, account)
    collect_trails(ctx, c, gaps)
    collect_events(ctx, c, gaps, opts)
    collect_buckets(ctx, c, gaps, account)
    collect_kms(ctx, c, gaps, account)
    collect_scps(ctx, c, gaps, account)
    collect_ai(ctx, c, gaps)
    gaps.flush()
    nhi.log.info("%d requests", c.requests)
  end,
}
