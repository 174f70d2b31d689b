-- Reading the admin APIs of AI providers (OpenAI, Anthropic): GET calls
-- with cursor paging followed to the last page, retries of 429 and 5xx
-- (honouring Retry-After), refused calls kept as coverage gaps; and the
-- same answers read back from saved files (one list answer per file, or
-- a JSON array of the pages).
local M = {}

-- More pages than this from one list is taken for a loop.
local MAX_PAGES = 1000
local RETRY = { max = 5, on = { 429, 500, 502, 503, 504 }, base_ms = 500, max_wait_ms = 30000 }

local Client = {}
Client.__index = Client

-- opts: base (URL without trailing /), auth (an nhi.http auth table),
-- headers, cursor (the query parameter taking the last id: "after" or
-- "after_id"), limit (page size).
function M.client(opts)
  return setmetatable({ base = (opts.base:gsub("/+$", "")), auth = opts.auth,
    headers = opts.headers, cursor = opts.cursor, limit = opts.limit, calls = 0,
    refused = 0 }, Client)
end

-- The message of an error answer ({"error": {"message": ...}}), if any.
local function error_message(body)
  local doc = nhi.json.decode(body or "")
  local e = type(doc) == "table" and doc.error
  if type(e) == "table" and type(e.message) == "string" then return e.message end
  return nil
end

-- An error: kind, the call, the HTTP status, reason (what went wrong)
-- and text (the reason with the call's name, for the user).
local function failure(kind, call, status, reason)
  local text = reason
  if reason:sub(1, #call + 1) ~= call .. ":" then text = call .. ": " .. reason end
  return { kind = kind, call = call, status = status, reason = reason, text = text }
end

local function from_response(call, resp)
  local m = error_message(resp.body)
  local text = string.format("HTTP %d%s", resp.status, m and (": " .. m) or "")
  -- A refused call (the key may not read this) is something the source
  -- could not see, not a broken source.
  if resp.status == 401 or resp.status == 403 then
    return failure("denied", call, resp.status, text)
  end
  return failure("failed", call, resp.status, text)
end

-- One GET of path with the query table; the decoded list answer, or nil
-- and an error {kind = "denied"|"failed", call, status, text}.
function Client:get(call, path, query)
  local q = query and next(query) and ("?" .. nhi.http.form(query)) or ""
  self.calls = self.calls + 1
  local resp, why = nhi.http.request{ url = self.base .. path .. q, headers = self.headers,
    auth = self.auth, retry = RETRY, label = call }
  if not resp then return nil, failure("failed", call, nil, why) end
  if resp.status < 200 or resp.status > 299 then
    local err = from_response(call, resp)
    if err.kind == "denied" then self.refused = self.refused + 1 end
    return nil, err
  end
  local doc, bad = nhi.json.decode(resp.body)
  if type(doc) ~= "table" or nhi.json.is_array(doc) or not nhi.json.is_array(doc.data) then
    return nil, failure("failed", call, resp.status, string.format(
      "the answer is not a list (an object with a data array)%s", bad and (": " .. bad) or ""))
  end
  return doc
end

-- The cursor for the page after doc: its last_id, else its last item's id.
local function next_cursor(doc)
  if type(doc.last_id) == "string" and doc.last_id ~= "" then return doc.last_id end
  local last = doc.data[#doc.data]
  return type(last) == "table" and type(last.id) == "string" and last.id or nil
end

-- Every page of a list, following the cursor while has_more is true.
-- Returns the pages (a list of answers), or nil and an error.
function Client:pages(call, path, query)
  local pages, after, seen = nhi.json.array(), nil, {}
  for _ = 1, MAX_PAGES do
    local q = { limit = self.limit }
    for k, v in pairs(query or {}) do q[k] = v end
    q[self.cursor] = after
    local doc, err = self:get(call, path, q)
    if not doc then return nil, err end
    pages[#pages + 1] = doc
    if doc.has_more ~= true then return pages end
    after = next_cursor(doc)
    if not after or seen[after] then
      return nil, failure("failed", call, nil, "has_more without a new cursor")
    end
    seen[after] = true
  end
  return nil, failure("failed", call, nil, string.format("more than %d pages", MAX_PAGES))
end

-- Gaps counted per call, so a hundred refused projects make one note.
function M.gaps(ctx)
  local g = { counts = {}, reasons = {}, order = {} }
  function g.add(err)
    if not g.counts[err.call] then
      g.counts[err.call] = 0
      g.order[#g.order + 1] = err.call
      g.reasons[err.call] = err.reason
    end
    g.counts[err.call] = g.counts[err.call] + 1
  end
  function g.flush()
    for _, call in ipairs(g.order) do
      local n = g.counts[call]
      ctx:coverage_gap(call, (n > 1 and (n .. " calls: ") or "") .. g.reasons[call])
    end
  end
  return g
end

-- A refused call is a gap; anything else fails the source.
function M.gap_or_fail(gaps, err)
  if err.kind ~= "denied" then error(err.text, 0) end
  gaps.add(err)
end

-- A list of the items of every page.
function M.items(pages)
  local out = {}
  for _, p in ipairs(pages or {}) do
    for _, item in ipairs(p.data) do
      if type(item) == "table" then out[#out + 1] = item end
    end
  end
  return out
end

-- The pages saved in DIR/name, or nil when the file is not there. A file
-- holds one list answer or a JSON array of them; anything else raises
-- an error naming the file.
function M.read_pages(dir, name)
  local path = dir .. "/" .. name
  local f = io.open(path, "rb")
  if not f then return nil end
  local text, rerr = f:read("a")
  f:close()
  if not text then error(string.format("cannot read '%s': %s", path, tostring(rerr)), 0) end
  local doc, why = nhi.json.decode(text)
  if doc == nil then error(string.format("cannot read '%s': %s", path, why), 0) end
  local pages = nhi.json.is_array(doc) and doc or { doc }
  for i, p in ipairs(pages) do
    if type(p) ~= "table" or nhi.json.is_array(p) or not nhi.json.is_array(p.data) then
      error(string.format("cannot read '%s': %s is not a list answer (an object with a "
        .. "data array)", path, #pages > 1 and ("page " .. i) or "the file"), 0)
    end
  end
  return pages
end

-- The pages saved in DIR/name, or nil and a coverage gap for call when
-- the export lacks the file.
function M.read_optional(ctx, dir, name, call)
  local pages = M.read_pages(dir, name)
  if not pages then ctx:coverage_gap(call, name .. " is not in the export") end
  return pages
end

-- The export folder a source names, without trailing slashes; raises a
-- usage error when the spec gives none.
function M.export_dir(ctx, spec_name)
  local dir = ctx.source.location
  if not dir then error(("%s: give the folder, %s=DIR"):format(spec_name, spec_name), 0) end
  return (dir:gsub("/+$", ""))
end

-- nil for JSON null, the value otherwise.
function M.value(v)
  if v == nhi.json.null then return nil end
  return v
end

-- "base_url=URL,key_env=NAME": the source's options; unknown ones raise.
function M.options(spec_name, location, known)
  local opts = {}
  for part in (location or ""):gmatch("[^,]+") do
    local k, v = part:match("^%s*([%w_]+)%s*=%s*(.-)%s*$")
    if not k or not known[k] then
      error(string.format("%s: unknown option '%s' (%s)", spec_name, part, known._usage), 0)
    end
    opts[k] = v
  end
  return opts
end

return M
