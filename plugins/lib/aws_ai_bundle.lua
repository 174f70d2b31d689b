-- The outputs of AWS's AI services (Bedrock Agents, Bedrock AgentCore,
-- SageMaker, and Lambda's function list for action groups), as the AWS
-- CLI prints them with --output json, gathered into one bundle. Each
-- document is recognised by its top-level keys, so a folder of whatever
-- the client ran can be read whatever the files are called.
local bundle = {}

local function new()
  return {
    listed = { agents = {}, kbs = {}, runtimes = {}, notebooks = {}, endpoints = {} },
    agents = {}, action_groups = {}, agent_kbs = {}, kbs = {}, ds_lists = {},
    data_sources = {}, runtimes = {}, notebooks = {}, endpoints = {}, configs = {},
    models = {}, functions = nil, pending = {}, documents = 0,
  }
end
bundle.new = new

local function add_to(map, key, value)
  map[key] = map[key] or {}
  map[key][#map[key] + 1] = value
end

local function list_of(v)
  if type(v) == "table" then return v end
  return {}
end

-- The agent a document that does not name it belongs to (AWS's summaries
-- of action groups and of an agent's knowledge bases omit the agent):
-- settled in finish, from the 10-character ids in the file's path.
local function defer(b, doc, where, kind)
  b.pending[#b.pending + 1] = { doc = doc, where = where, kind = kind }
end

local function put_agent_kb(b, agent_id, s)
  if type(s.knowledgeBaseId) == "string" then
    b.agent_kbs[agent_id] = b.agent_kbs[agent_id] or {}
    b.agent_kbs[agent_id][s.knowledgeBaseId] = s
  end
end

-- "arn:aws:lambda:R:A:function:NAME" without a version or alias.
function bundle.function_arn(arn)
  if type(arn) ~= "string" then return nil end
  return arn:match("^(arn:[%w-]+:lambda:[%w-]+:%d+:function:[^:]+)") or arn
end

local function add_function(b, f)
  b.functions = b.functions or {}
  local arn = type(f) == "table" and bundle.function_arn(f.FunctionArn)
  if arn then b.functions[arn] = f end
end

-- Each recogniser: the top-level key that marks the document, what
-- else it must hold, and where it goes.
local KINDS = {
  { key = "agentSummaries", add = function(b, doc)
      for _, s in ipairs(list_of(doc.agentSummaries)) do
        if s.agentId then b.listed.agents[s.agentId] = s end
      end
    end },
  { key = "agent", field = "agentId", add = function(b, doc)
      b.agents[doc.agent.agentId] = doc.agent
    end },
  { key = "agentActionGroup", field = "agentId", add = function(b, doc)
      local g = doc.agentActionGroup
      b.action_groups[g.agentId] = b.action_groups[g.agentId] or { gets = {} }
      b.action_groups[g.agentId].gets[g.actionGroupId or g.actionGroupName] = g
    end },
  { key = "actionGroupSummaries", add = function(b, doc, where)
      defer(b, doc, where, "action-groups")
    end },
  { key = "agentKnowledgeBase", field = "agentId", add = function(b, doc)
      local k = doc.agentKnowledgeBase
      put_agent_kb(b, k.agentId, k)
    end },
  { key = "agentKnowledgeBaseSummaries", add = function(b, doc, where)
      defer(b, doc, where, "knowledge-bases")
    end },
  { key = "knowledgeBase", field = "knowledgeBaseId", add = function(b, doc)
      b.kbs[doc.knowledgeBase.knowledgeBaseId] = doc.knowledgeBase
    end },
  { key = "knowledgeBaseSummaries", add = function(b, doc)
      for _, s in ipairs(list_of(doc.knowledgeBaseSummaries)) do
        if s.knowledgeBaseId then b.listed.kbs[s.knowledgeBaseId] = s end
      end
    end },
  { key = "dataSourceSummaries", add = function(b, doc)
      for _, s in ipairs(list_of(doc.dataSourceSummaries)) do
        if s.knowledgeBaseId then add_to(b.ds_lists, s.knowledgeBaseId, s) end
      end
      b.ds_listed = true
    end },
  { key = "dataSource", field = "knowledgeBaseId", add = function(b, doc)
      local d = doc.dataSource
      b.data_sources[d.knowledgeBaseId] = b.data_sources[d.knowledgeBaseId] or {}
      b.data_sources[d.knowledgeBaseId][d.dataSourceId or d.name] = d
    end },
  { key = "agentRuntimes", add = function(b, doc)
      for _, s in ipairs(list_of(doc.agentRuntimes)) do
        if s.agentRuntimeArn then b.listed.runtimes[s.agentRuntimeArn] = s end
      end
    end },
  { key = "agentRuntimeArn", also = "roleArn", add = function(b, doc)
      b.runtimes[doc.agentRuntimeArn] = doc
    end },
  { key = "NotebookInstances", add = function(b, doc)
      for _, s in ipairs(list_of(doc.NotebookInstances)) do
        if s.NotebookInstanceName then b.listed.notebooks[s.NotebookInstanceName] = s end
      end
    end },
  { key = "NotebookInstanceArn", also = "NotebookInstanceName", add = function(b, doc)
      b.notebooks[doc.NotebookInstanceName] = doc
    end },
  { key = "Endpoints", add = function(b, doc)
      for _, s in ipairs(list_of(doc.Endpoints)) do
        if s.EndpointName then b.listed.endpoints[s.EndpointName] = s end
      end
    end },
  { key = "EndpointArn", also = "EndpointConfigName", add = function(b, doc)
      b.endpoints[doc.EndpointName or doc.EndpointArn] = doc
    end },
  { key = "EndpointConfigArn", also = "EndpointConfigName", add = function(b, doc)
      b.configs[doc.EndpointConfigName] = doc
    end },
  { key = "ModelArn", also = "ModelName", add = function(b, doc)
      b.models[doc.ModelName] = doc
    end },
  { key = "Functions", add = function(b, doc)
      b.functions = b.functions or {}
      for _, f in ipairs(list_of(doc.Functions)) do add_function(b, f) end
    end },
  { key = "Configuration", field = "FunctionArn", add = function(b, doc)
      add_function(b, doc.Configuration)
    end },
  { key = "FunctionArn", also = "Role", add = function(b, doc)
      add_function(b, doc)
    end },
}

local function recognise(doc)
  for _, k in ipairs(KINDS) do
    local v = doc[k.key]
    if v ~= nil and v ~= nhi.json.null
        and (not k.field or (type(v) == "table" and type(v[k.field]) == "string"))
        and (not k.also or doc[k.also] ~= nil) then
      return k
    end
  end
  return nil
end

-- Outputs of these services that say nothing about identities or data
-- (aliases, versions, ingestion jobs, SageMaker's model and config
-- lists): read and left alone, so a folder of everything the client ran
-- is accepted.
local UNUSED = {
  "agentAliasSummaries", "agentAlias", "agentVersionSummaries", "agentVersion",
  "ingestionJobSummaries", "ingestionJob", "Models", "EndpointConfigs",
  "NotebookInstanceLifecycleConfigs",
}

local function unused(doc)
  for _, k in ipairs(UNUSED) do
    if doc[k] ~= nil then return k end
  end
  return nil
end

local function keys_of(doc)
  local ks = {}
  for k in pairs(doc) do ks[#ks + 1] = tostring(k) end
  table.sort(ks)
  return table.concat(ks, ", ")
end

-- Adds one decoded document read from where (a file name, for messages).
-- Returns true, or nil and why it is not an output this bundle takes.
function bundle.add(b, doc, where)
  if type(doc) ~= "table" or nhi.json.is_array(doc) then
    return nil, "not a JSON object"
  end
  local k = recognise(doc)
  if not k and unused(doc) then
    nhi.log.debug("%s: %s output, not needed", where, unused(doc))
    return true
  end
  if not k then
    return nil, "not an AWS Bedrock, AgentCore, SageMaker or Lambda output this source "
      .. "reads (top-level keys: " .. keys_of(doc) .. ")"
  end
  k.add(b, doc, where)
  b.documents = b.documents + 1
  return true
end

-- The one agent id among the path's 10-character tokens that names a
-- known agent, or nil.
local function agent_in_path(b, where)
  local found
  for token in where:gmatch("%f[%w][%u%d]+%f[^%w]") do
    if #token == 10 and (b.agents[token] or b.listed.agents[token]) then
      if found and found ~= token then return nil end
      found = token
    end
  end
  return found
end

-- Settles the documents that do not name their agent. Returns true, or
-- nil and a message naming the file.
function bundle.finish(b)
  for _, p in ipairs(b.pending) do
    local id = agent_in_path(b, p.where)
    if not id then
      return nil, string.format("'%s': cannot tell which agent it lists (AWS's summaries "
        .. "do not say): put the agent's id in its path, e.g. "
        .. "bedrock/agents/AGENTID/list-agent-%s.json", p.where, p.kind)
    end
    if p.kind == "action-groups" then
      b.action_groups[id] = b.action_groups[id] or { gets = {} }
      b.action_groups[id].listed = list_of(p.doc.actionGroupSummaries)
    else
      b.agent_kbs[id] = b.agent_kbs[id] or {}
      for _, s in ipairs(list_of(p.doc.agentKnowledgeBaseSummaries)) do
        put_agent_kb(b, id, s)
      end
    end
  end
  b.pending = {}
  return true
end

return bundle
