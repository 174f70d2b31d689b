-- Shared helpers for the AI checks: the paths table (each AI agent's
-- shortest way to each confidential or restricted resource, derived
-- after collection), grouped per agent and resource, and how a path's
-- sensitivity and access set a finding's severity.
local ai = {}

local PATHS = [[
  SELECT agent, platform, identity, via_identity, resource, resource_type, sensitivity,
         sensitivity_source, sensitivity_confidence, access, hops, decision, steps, trace,
         logging, trace_count, first_seen, last_seen, attrs
  FROM paths ORDER BY agent, resource, access
]]

local function decoded(row)
  row.steps = nhi.json.decode(row.steps)
  row.attrs = row.attrs and nhi.json.decode(row.attrs) or {}
  return row
end

-- The paths, one entry per agent and resource: the row's fields of its
-- read path (else its write path), and `read`, `write`: each row, or nil.
function ai.pairs(ctx)
  local out, last = {}, nil
  for row in ctx.db:rows(PATHS) do
    decoded(row)
    if not last or last.agent ~= row.agent or last.resource ~= row.resource then
      last = { agent = row.agent, platform = row.platform, identity = row.identity,
               resource = row.resource, resource_type = row.resource_type,
               sensitivity = row.sensitivity, sensitivity_source = row.sensitivity_source,
               sensitivity_confidence = row.sensitivity_confidence }
      out[#out + 1] = last
    end
    last[row.access] = row
  end
  return out
end

-- The severity of reaching data of this sensitivity, writing or not.
function ai.severity(sensitivity, write)
  if sensitivity == "restricted" then return write and "critical" or "high" end
  return write and "high" or "medium"
end

-- "read", "write" or "read and write" for the allowed rows of a pair
-- (all of them when none is allowed), and whether none is allowed.
function ai.access(pair)
  local function ok(row) return row and row.decision == "allow" end
  local unsure = not ok(pair.read) and not ok(pair.write)
  local r = pair.read and (unsure or ok(pair.read))
  local w = pair.write and (unsure or ok(pair.write))
  local words = r and w and "read and write" or (w and "write" or "read")
  return words, w and true or false, unsure
end

-- A path's trace as evidence.
function ai.trace(row)
  local t = { trace = row.trace, logging = row.logging }
  if row.trace == "used" then
    t.count, t.first_seen, t.last_seen = row.trace_count, row.first_seen, row.last_seen
    t.actions = row.attrs.actions_seen
  end
  if row.attrs.logged_by then t.logged_by = row.attrs.logged_by end
  return t
end

-- A path as evidence: its steps, each with the permission that opens it.
function ai.path(row)
  return { access = row.access, hops = row.hops, decision = row.decision,
           via_identity = row.via_identity, steps = row.steps, trace = ai.trace(row) }
end

return ai
