-- Reading a folder of CLI exports (gcloud, bq, az): each file is one JSON
-- document with a fixed name. A missing file is reported to the caller
-- (a coverage gap or an error, its choice); anything unreadable raises an
-- error that names the file and what is wrong with it.
local M = {}

local function fail(path, fmt, ...)
  error(string.format("cannot read '%s': " .. fmt, path, ...), 0)
end

-- The text of dir/name, or nil and the path when there is no such file.
function M.text(dir, name)
  local path = dir .. "/" .. name
  local f, err = io.open(path, "r")
  if not f then
    if tostring(err):find("No such file", 1, true) then return nil, path end
    fail(path, "%s", tostring(err))
  end
  local text, rerr = f:read("a")
  f:close()
  if not text then fail(path, "%s", tostring(rerr)) end
  return text, path
end

-- The decoded JSON of dir/name, or nil and the path when the file is not
-- there. A byte-order mark (PowerShell's redirect writes one) is skipped.
function M.json(dir, name)
  local text, path = M.text(dir, name)
  if not text then return nil, path end
  text = text:gsub("^\239\187\191", "")
  if not text:find("%S") then fail(path, "the file is empty") end
  local value, err = nhi.json.decode(text)
  if value == nil then
    fail(path, "%s (expected the JSON a --format=json / -o json export prints)", err)
  end
  return value, path
end

local function is_list(v)
  return type(v) == "table" and (nhi.json.is_array(v) or next(v) == nil)
end

-- The items of a list export: a JSON array (what the CLI prints) or an
-- object holding the array under one of keys (the REST answer). single:
-- an object that is one item (a `describe` output) counts as a list of one
-- when it has the field single names.
function M.list(dir, name, keys, single)
  local v, path = M.json(dir, name)
  if v == nil then return nil, path end
  if is_list(v) then return v, path end
  if type(v) == "table" then
    for _, k in ipairs(keys or {}) do
      if is_list(v[k]) then return v[k], path end
    end
    if single and v[single] ~= nil then return { v }, path end
    local n = 0
    for _ in pairs(v) do n = n + 1 end
    if n == 0 then return {}, path end
  end
  fail(path, "expected a JSON list%s, got %s", keys and #keys > 0
    and (" (or an object with '" .. table.concat(keys, "' or '") .. "')") or "",
    type(v) == "table" and "an object" or type(v))
end

-- The decoded object of dir/name; raises when it is a list or a scalar.
function M.object(dir, name)
  local v, path = M.json(dir, name)
  if v == nil then return nil, path end
  if type(v) ~= "table" or nhi.json.is_array(v) then
    fail(path, "expected a JSON object, got %s",
      type(v) == "table" and "a list" or type(v))
  end
  return v, path
end

-- Each item of a list must be an object: names the file and the item.
function M.each_object(path, items)
  for i, item in ipairs(items) do
    if type(item) ~= "table" or nhi.json.is_array(item) then
      fail(path, "item %d is not a JSON object", i)
    end
  end
  return items
end

-- A field that must be a string when present.
function M.str(path, item, field, where)
  local v = item[field]
  if v == nil or v == nhi.json.null then return nil end
  if type(v) ~= "string" then
    fail(path, "%s: '%s' is not a string", where or "an item", field)
  end
  return v
end

-- Table rows of a TSV data file shipped beside the plugins: each
-- non-comment line split on tabs into the named fields.
function M.tsv(name, fields)
  local text, err = nhi.data(name)
  if not text then error(err, 0) end
  local rows = {}
  for line in text:gmatch("[^\n]+") do
    if not line:find("^#") and line:find("%S") then
      local row, i = {}, 1
      for cell in (line .. "\t"):gmatch("([^\t]*)\t") do
        if fields[i] then row[fields[i]] = cell end
        i = i + 1
      end
      rows[#rows + 1] = row
    end
  end
  return rows
end

return M
