-- AI agents whose identities reach sensitive data beyond the data
-- sources they are declared to use: a knowledge base over one bucket
-- whose role can read every bucket.
local ai = require("ai")

local DECLARED = [[
  SELECT a.native_id, a.platform, a.data_sources, i.native_id AS identity
  FROM ai_agents a LEFT JOIN identities i ON i.id = a.identity_id
  WHERE json_valid(a.data_sources) AND json_array_length(a.data_sources) > 0
  ORDER BY a.native_id
]]

-- Every store the agent's own identities can read, whatever its label.
local READABLE = [[
  SELECT count(DISTINCT d.resource_ref) AS n FROM data_access d
  WHERE d.kind = 'can_read' AND d.identity_ref IN
    (SELECT to_ref FROM edges WHERE kind = 'runs_as' AND from_type = 'ai_agent'
       AND from_ref = ?)
]]

local MAX_LISTED = 20

local function declared_refs(agent)
  local refs, list = {}, nhi.json.array()
  for _, ds in ipairs(nhi.json.decode(agent.data_sources) or {}) do
    if type(ds) == "table" and type(ds.ref) == "string" then
      refs[ds.ref] = true
      list[#list + 1] = ds.ref
    end
  end
  return refs, list
end

local function beyond(pairs, agent, refs)
  local out, restricted, write = {}, false, false
  for _, p in ipairs(pairs) do
    if p.agent == agent and not refs[p.resource] then
      local words, w = ai.access(p)
      out[#out + 1] = { resource = p.resource, sensitivity = p.sensitivity, access = words,
                        via_identity = (p.read or p.write).via_identity }
      restricted = restricted or p.sensitivity == "restricted"
      write = write or w
    end
  end
  return out, restricted, write
end

return {
  id = "ai.agent.reach-exceeds-declared",
  kind = "check",
  question = "ai-data-access",
  category = "ai-sensitive-data-access",
  owasp = "NHI5",
  severity = "high",
  effort = "medium",
  requires = { "ai_agents", "resources" },
  title = "AI agent can reach sensitive data beyond its declared data sources",
  description = [[
Compares what each AI agent is declared to use (its knowledge bases'
data sources, its configured folders: ai_agents.data_sources) with the
confidential and restricted resources its identities can reach. Every
sensitive store outside the declared ones is reach the agent does not
need: a prompt injection or a bug in a tool can use it. High when a
restricted store is among them, or one can be written; medium
otherwise. The evidence counts every store the agent's own identities
can read, labelled or not.]],
  remediation = [[
Scope the agent's role (and its knowledge bases' roles) to the declared
data sources: name the buckets and prefixes in the policy's Resource
instead of a wildcard, and drop role assumptions that lead elsewhere.]],

  run = function(ctx)
    local all = ai.pairs(ctx)
    for agent in ctx.db:rows(DECLARED) do
      local refs, declared = declared_refs(agent)
      local extra, restricted, write = beyond(all, agent.native_id, refs)
      if #extra > 0 then
        local listed = nhi.json.array()
        for i = 1, math.min(#extra, MAX_LISTED) do listed[i] = extra[i] end
        local readable = ctx.db:first(READABLE, agent.native_id)
        ctx:finding{
          identity = agent.identity or extra[1].via_identity,
          severity = (restricted or write) and "high" or "medium",
          title = string.format("AI agent %s declares %d data source(s) but can reach %d "
                                .. "sensitive store(s) beyond them", agent.native_id,
                                #declared, #extra),
          evidence = { agent = agent.native_id, platform = agent.platform,
                       declared = declared, beyond_count = #extra, beyond = listed,
                       readable_stores = readable and readable.n or 0 },
        }
      end
    end
  end,
}
