-- Calling AWS APIs from collectors: SigV4-signed requests through nhi.http
-- for the Query (IAM, STS), JSON 1.1 (CloudTrail, Organizations, SageMaker),
-- REST-XML (S3) and REST-JSON (Bedrock, Lambda) protocols, pagination,
-- and errors sorted into "denied" (the caller records a coverage gap)
-- and everything else.
local api = {}

local VERSIONS = { iam = "2010-05-08", sts = "2011-06-15" }

-- More pages than this from one paginated call is taken for a loop.
local MAX_PAGES = 2000

-- Error codes that mean "this principal may not call this API".
local DENIED = {
  AccessDenied = true, AccessDeniedException = true,
  UnauthorizedOperation = true, AuthorizationError = true,
  AuthorizationErrorException = true, ["Client.UnauthorizedOperation"] = true,
}

-- 403s that say the credentials themselves are wrong: never a gap.
local BAD_CREDENTIALS = {
  SignatureDoesNotMatch = true, InvalidClientTokenId = true,
  ExpiredToken = true, ExpiredTokenException = true,
  UnrecognizedClientException = true, InvalidAccessKeyId = true,
  IncompleteSignature = true, MissingAuthenticationToken = true,
  TokenRefreshRequired = true, InvalidToken = true,
}

local Client = {}
Client.__index = Client

-- nil for JSON null, the value otherwise.
function api.value(v)
  if v == nhi.json.null then return nil end
  return v
end

-- An array field as a Lua list ({} when absent or null).
function api.list(v)
  if type(v) == "table" then return v end
  return {}
end

-- True for JSON true and the Query API's "true".
function api.truthy(v)
  return v == true or v == "true"
end

-- "YYYY-MM-DDTHH:MM:SSZ" from epoch seconds (JSON protocols send dates
-- as numbers) or an ISO-8601 string; nil when v is neither.
function api.iso(v)
  if type(v) == "number" then return nhi.time.format(math.floor(v)) end
  if type(v) == "string" then
    local t = nhi.time.parse(v)
    if t then return nhi.time.format(t) end
  end
  return nil
end

local function is_date_key(k)
  return type(k) == "string" and (k:match("Date$") or k:match("Time$")) ~= nil
end

-- A copy of a decoded answer as the AWS CLI prints it: JSON nulls
-- dropped, numeric dates (keys ending in Date or Time) as ISO-8601.
function api.clean(v, key)
  if v == nhi.json.null then return nil end
  if type(v) == "number" and is_date_key(key) then return api.iso(v) end
  if type(v) ~= "table" then return v end
  local out
  if nhi.json.is_array(v) then
    out = nhi.json.array()
    for _, item in ipairs(v) do
      local c = api.clean(item, key)
      if c ~= nil then out[#out + 1] = c end
    end
  else
    out = nhi.json.object()
    for k, item in pairs(v) do out[k] = api.clean(item, k) end
  end
  return out
end

-- The human part of an AWS error body: <Message>, or a JSON message.
local function error_message(body)
  if body:match("^%s*{") then
    local doc = nhi.json.decode(body)
    if type(doc) == "table" then
      local e = type(doc.Error) == "table" and doc.Error or {}
      local m = api.value(doc.message) or api.value(doc.Message) or api.value(e.Message)
      if type(m) == "string" then return m end
    end
    return nil
  end
  local m = body:match("<Message>(.-)</Message>")
  if not m then return nil end
  return (m:gsub("&lt;", "<"):gsub("&gt;", ">"):gsub("&quot;", '"')
    :gsub("&apos;", "'"):gsub("&amp;", "&"))
end

-- An error: kind ("denied" or "failed"), api ("iam:ListUsers"), code,
-- message, status, and text (one line for the user).
local function failure(name, code, message, status)
  local err = { kind = "failed", api = name, code = code, message = message,
    status = status }
  if DENIED[code] or (status == 403 and not BAD_CREDENTIALS[code]) then
    err.kind = "denied"
  end
  err.text = string.format("%s: %s%s", name, code or "failed",
    message and (": " .. message) or "")
  if status then err.text = string.format("%s (HTTP %d)", err.text, status) end
  if BAD_CREDENTIALS[code] then
    err.text = err.text .. "; the AWS credentials were refused"
  end
  return err
end

-- No answer at all: nhi.http's reason already names the call and URL.
local function unanswered(name, reason)
  return { kind = "failed", api = name, message = reason, text = reason }
end

local function from_response(name, resp)
  return failure(name, resp.error_code or ("HTTP " .. resp.status),
    error_message(resp.body), resp.status)
end

-- True for a 3xx or 4xx answer (a redirect, a missing or refused item):
-- the caller may treat it as "could not read this item".
function api.client_error(err)
  return err.status ~= nil and err.status >= 300 and err.status < 500
end

-- A client for the credentials of profile (nil: the environment, then
-- AWS_PROFILE, then "default"); region overrides the profile's. Returns
-- the client, or nil and an error.
function api.client(opts)
  local creds, info = nhi.aws.credentials(opts.profile)
  if not creds then return nil, unanswered("credentials", info) end
  return setmetatable({ creds = creds, info = info,
    region = opts.region or info.region, requests = 0 }, Client)
end

function Client:send(service, name, req, region)
  local base, signing = nhi.aws.endpoint(service, region or self.region)
  req.url = base .. req.url
  req.auth = { type = "sigv4", service = req.signing or service, region = signing,
    credentials = self.creds }
  req.signing = nil
  req.label = name
  self.requests = self.requests + 1
  local resp, err = nhi.http.request(req)
  if not resp then return nil, unanswered(name, err) end
  if resp.status < 200 or resp.status > 299 then
    return nil, from_response(name, resp)
  end
  return resp
end

-- A Query API call (IAM, STS) asking for JSON; returns its <Action>Result.
function Client:query(service, action, params, retry)
  local form = { Action = action, Version = VERSIONS[service] }
  for k, v in pairs(params or {}) do form[k] = v end
  local name = service .. ":" .. action
  local resp, err = self:send(service, name, {
    method = "POST", url = "/", body = nhi.http.form(form), retry = retry,
    headers = { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8",
      Accept = "application/json" },
  })
  if not resp then return nil, err end
  local doc, why = nhi.json.decode(resp.body)
  local wrap = type(doc) == "table" and doc[action .. "Response"]
  local result = type(wrap) == "table" and wrap[action .. "Result"]
  if type(result) ~= "table" then
    return nil, failure(name, "UnexpectedAnswer",
      why or ("no " .. action .. "Result in the answer"))
  end
  return result
end

-- Every page of a Query API call paginated with Marker and IsTruncated;
-- each(result) gets each page. Returns the page count, or nil and an error.
function Client:query_pages(service, action, params, each)
  local marker
  for page = 1, MAX_PAGES do
    local p = {}
    for k, v in pairs(params or {}) do p[k] = v end
    p.Marker = marker
    local result, err = self:query(service, action, p)
    if not result then return nil, err end
    each(result)
    marker = api.value(result.Marker)
    if not api.truthy(result.IsTruncated) or type(marker) ~= "string" then
      return page
    end
  end
  return nil, failure(service .. ":" .. action, "TooManyPages",
    "more than " .. MAX_PAGES .. " pages")
end

-- A JSON 1.1 call (CloudTrail, Organizations); returns the decoded answer.
function Client:json(service, prefix, operation, body)
  local name = service .. ":" .. operation
  local resp, err = self:send(service, name, {
    method = "POST", url = "/", body = nhi.json.encode(body or nhi.json.object()),
    headers = { ["Content-Type"] = "application/x-amz-json-1.1",
      ["X-Amz-Target"] = prefix .. "." .. operation },
  })
  if not resp then return nil, err end
  local doc, why = nhi.json.decode(resp.body ~= "" and resp.body or "{}")
  if type(doc) ~= "table" then return nil, failure(name, "UnexpectedAnswer", why) end
  return doc
end

-- Every page of a JSON 1.1 call paginated with NextToken (or, as paging
-- says, { request = "Marker", answer = "NextMarker" } for KMS); stops
-- early when each(answer) returns false. Returns the page count, or nil
-- and an error.
function Client:json_pages(service, prefix, operation, body, each, paging)
  local ask = paging and paging.request or "NextToken"
  local next_field = paging and paging.answer or "NextToken"
  local token
  for page = 1, MAX_PAGES do
    local b = nhi.json.object()
    for k, v in pairs(body or {}) do b[k] = v end
    b[ask] = token
    local doc, err = self:json(service, prefix, operation, b)
    if not doc then return nil, err end
    token = api.value(doc[next_field])
    if each(doc) == false or type(token) ~= "string" or token == "" then
      return page
    end
  end
  return nil, failure(service .. ":" .. operation, "TooManyPages",
    "more than " .. MAX_PAGES .. " pages")
end

-- A REST GET (S3): path and query (built with nhi.http.form) below the
-- service's endpoint in region. Returns the body text.
function Client:rest_get(service, operation, path, query, region)
  local url = path .. (query and query ~= "" and ("?" .. query) or "")
  local resp, err = self:send(service, service .. ":" .. operation,
    { method = "GET", url = url }, region)
  if not resp then return nil, err end
  return resp.body
end

-- A REST-JSON call (Bedrock Agents, AgentCore, Lambda): req is {method,
-- path, query (built with nhi.http.form), body (a table, sent as JSON),
-- signing (the SigV4 name, when it is not the service's)}. Returns the
-- decoded answer.
function Client:rest_json(service, operation, req)
  local name = service .. ":" .. operation
  local url = req.path .. (req.query and req.query ~= "" and ("?" .. req.query) or "")
  local resp, err = self:send(service, name, { method = req.method or "GET", url = url,
    signing = req.signing, body = req.body and nhi.json.encode(req.body) or nil,
    headers = req.body and { ["Content-Type"] = "application/json" } or nil })
  if not resp then return nil, err end
  local doc, why = nhi.json.decode(resp.body ~= "" and resp.body or "{}")
  if type(doc) ~= "table" then return nil, failure(name, "UnexpectedAnswer", why) end
  return doc
end

-- Every page of a REST-JSON call. paging says where the token goes:
-- {body = "nextToken"} (a body field), {query = "nextToken"} or
-- {query = "Marker", answer = "NextMarker"}; the answer's field is
-- paging.answer or the same name. each(answer) gets each page and may
-- return false to stop. Returns the page count, or nil and an error.
function Client:rest_json_pages(service, operation, req, paging, each)
  local field = paging.body or paging.query
  local token
  for page = 1, MAX_PAGES do
    local r = { method = req.method, path = req.path, signing = req.signing }
    if paging.body then
      r.body = nhi.json.object()
      for k, v in pairs(req.body or {}) do r.body[k] = v end
      r.body[field] = token
    else
      local q = {}
      for k, v in pairs(req.params or {}) do q[k] = v end
      q[field] = token
      r.query = next(q) and nhi.http.form(q) or nil
    end
    local doc, err = self:rest_json(service, operation, r)
    if not doc then return nil, err end
    token = api.value(doc[paging.answer or field])
    if each(doc) == false or type(token) ~= "string" or token == "" then
      return page
    end
  end
  return nil, failure(service .. ":" .. operation, "TooManyPages",
    "more than " .. MAX_PAGES .. " pages")
end

-- The first child element of an nhi.xml.decode node named name.
function api.xml_child(node, name)
  for _, c in ipairs(node or {}) do
    if c.name == name then return c end
  end
  return nil
end

-- The text of the first child named name, or nil.
function api.xml_text(node, name)
  local c = api.xml_child(node, name)
  return c and c.text or nil
end

-- Every child element named name, in order.
function api.xml_all(node, name)
  local out = {}
  for _, c in ipairs(node or {}) do
    if c.name == name then out[#out + 1] = c end
  end
  return out
end

return api
