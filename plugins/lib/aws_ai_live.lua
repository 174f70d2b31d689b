-- AWS AI workloads read live for aws:live: Bedrock agents (action
-- groups, knowledge bases, data sources), Bedrock AgentCore runtimes,
-- SageMaker notebook instances and endpoints, and the Lambda functions
-- behind action groups. Each answer is saved under raw/ai/ in the shape
-- the AWS CLI prints (what aws:ai reads), without the environment
-- variables Lambda, SageMaker and AgentCore return (they may hold
-- secrets), and added to a bundle for aws_ai_rows. AI discovery is
-- supplementary: any call that fails is a coverage gap, never the
-- source's failure.
local api = require("aws_api")
local bundle = require("aws_ai_bundle")

local live = {}

local BEDROCK = { service = "bedrock-agent", signing = "bedrock" }
local AGENTCORE = { service = "bedrock-agentcore-control", signing = "bedrock-agentcore" }
local SAGEMAKER = "SageMaker"
local VERSION = "DRAFT"  -- the working version, which holds every action group and KB

local function file_part(s)
  return (tostring(s):gsub("[^%w._-]", "_"):gsub("^%.", "_"))
end

-- Keeps a document: saved raw, and added to the bundle.
local function keep(s, name, doc)
  doc = api.clean(doc)
  s.ctx:save_raw("ai/" .. name, nhi.json.encode(doc))
  local ok, why = bundle.add(s.b, doc, name)
  if not ok then nhi.log.warn("ai/%s: %s", name, why) end
end

local function get(s, api_name, operation, path)
  local doc, err = s.c:rest_json(api_name.service, operation,
    { method = "GET", path = path, signing = api_name.signing })
  if not doc then s.fail(err) end
  return doc
end

-- Every page of a list call, merged under key. By default a Bedrock
-- POST with the token in the body; opts may give {method, paging, params}.
local function list_all(s, api_name, operation, path, key, opts)
  opts = opts or {}
  local items = nhi.json.array()
  local pages, err = s.c:rest_json_pages(api_name.service, operation,
    { method = opts.method or "POST", path = path, signing = api_name.signing,
      body = { maxResults = 100 }, params = opts.params },
    opts.paging or { body = "nextToken" },
    function(doc)
      for _, item in ipairs(api.list(doc[key])) do items[#items + 1] = item end
    end)
  if not pages then
    s.fail(err)
    return nil
  end
  return items
end

local function action_groups(s, id)
  local base = "/agents/" .. id .. "/agentversions/" .. VERSION .. "/actiongroups/"
  local groups = list_all(s, BEDROCK, "ListAgentActionGroups", base, "actionGroupSummaries")
  if not groups then return end
  local dir = "bedrock/agents/" .. file_part(id)
  keep(s, dir .. "/list-agent-action-groups.json", { actionGroupSummaries = groups })
  for _, g in ipairs(groups) do
    local doc = get(s, BEDROCK, "GetAgentActionGroup", base .. g.actionGroupId .. "/")
    if doc then
      keep(s, dir .. "/action-groups/" .. file_part(g.actionGroupId) .. ".json", doc)
      local g = type(doc.agentActionGroup) == "table" and doc.agentActionGroup or {}
      local exec = g.actionGroupExecutor
      if type(exec) == "table" and exec.lambda then s.lambdas = true end
    end
  end
end

local function agents(s)
  local list = list_all(s, BEDROCK, "ListAgents", "/agents/", "agentSummaries")
  if not list then return end
  keep(s, "bedrock/list-agents.json", { agentSummaries = list })
  for _, a in ipairs(list) do
    local dir = "bedrock/agents/" .. file_part(a.agentId)
    local doc = get(s, BEDROCK, "GetAgent", "/agents/" .. a.agentId .. "/")
    if doc then keep(s, dir .. "/get-agent.json", doc) end
    action_groups(s, a.agentId)
    local kbs = list_all(s, BEDROCK, "ListAgentKnowledgeBases", "/agents/" .. a.agentId
      .. "/agentversions/" .. VERSION .. "/knowledgebases/", "agentKnowledgeBaseSummaries")
    if kbs then
      keep(s, dir .. "/list-agent-knowledge-bases.json", { agentKnowledgeBaseSummaries = kbs })
      for _, k in ipairs(kbs) do s.kbs[k.knowledgeBaseId] = true end
    end
  end
end

local function knowledge_base(s, id)
  local dir = "bedrock/knowledge-bases/" .. file_part(id)
  local doc = get(s, BEDROCK, "GetKnowledgeBase", "/knowledgebases/" .. id)
  if doc then keep(s, dir .. "/get-knowledge-base.json", doc) end
  local base = "/knowledgebases/" .. id .. "/datasources/"
  local list = list_all(s, BEDROCK, "ListDataSources", base, "dataSourceSummaries")
  if not list then return end
  keep(s, dir .. "/list-data-sources.json", { dataSourceSummaries = list })
  for _, d in ipairs(list) do
    local ds = get(s, BEDROCK, "GetDataSource", base .. d.dataSourceId)
    if ds then keep(s, dir .. "/data-sources/" .. file_part(d.dataSourceId) .. ".json", ds) end
  end
end

local function knowledge_bases(s)
  local list = list_all(s, BEDROCK, "ListKnowledgeBases", "/knowledgebases/",
    "knowledgeBaseSummaries")
  if list then
    keep(s, "bedrock/list-knowledge-bases.json", { knowledgeBaseSummaries = list })
    for _, k in ipairs(list) do s.kbs[k.knowledgeBaseId] = true end
  end
  local ids = {}
  for id in pairs(s.kbs) do ids[#ids + 1] = id end
  table.sort(ids)
  for _, id in ipairs(ids) do knowledge_base(s, id) end
end

local function runtimes(s)
  local list = list_all(s, AGENTCORE, "ListAgentRuntimes", "/runtimes/", "agentRuntimes",
    { paging = { query = "nextToken" }, params = { maxResults = "100" } })
  if not list then return end
  keep(s, "agentcore/list-agent-runtimes.json", { agentRuntimes = list })
  for _, r in ipairs(list) do
    local doc = get(s, AGENTCORE, "GetAgentRuntime", "/runtimes/" .. r.agentRuntimeId .. "/")
    if doc then
      doc.environmentVariables = nil
      keep(s, "agentcore/runtimes/" .. file_part(r.agentRuntimeId) .. ".json", doc)
    end
  end
end

-- A SageMaker JSON 1.1 call; nil (a gap recorded) when it fails.
local function sm(s, operation, body)
  local doc, err = s.c:json("sagemaker", SAGEMAKER, operation, body)
  if not doc then s.fail(err) end
  return doc
end

local function sm_list(s, operation, key)
  local items = nhi.json.array()
  local pages, err = s.c:json_pages("sagemaker", SAGEMAKER, operation, { MaxResults = 100 },
    function(doc)
      for _, item in ipairs(api.list(doc[key])) do items[#items + 1] = item end
    end)
  if not pages then
    s.fail(err)
    return nil
  end
  return items
end

local function without_environment(model)
  if type(model.PrimaryContainer) == "table" then model.PrimaryContainer.Environment = nil end
  for _, c in ipairs(api.list(model.Containers)) do c.Environment = nil end
  return model
end

local function endpoint(s, e)
  local doc = sm(s, "DescribeEndpoint", { EndpointName = e.EndpointName })
  if not doc then return end
  keep(s, "sagemaker/endpoints/" .. file_part(e.EndpointName) .. ".json", doc)
  local cfg = sm(s, "DescribeEndpointConfig", { EndpointConfigName = doc.EndpointConfigName })
  if not cfg then return end
  keep(s, "sagemaker/endpoint-configs/" .. file_part(doc.EndpointConfigName) .. ".json", cfg)
  for _, v in ipairs(api.list(cfg.ProductionVariants)) do
    local m = v.ModelName and sm(s, "DescribeModel", { ModelName = v.ModelName })
    if m then
      keep(s, "sagemaker/models/" .. file_part(v.ModelName) .. ".json", without_environment(m))
    end
  end
end

local function sagemaker(s)
  local nbs = sm_list(s, "ListNotebookInstances", "NotebookInstances")
  if nbs then
    keep(s, "sagemaker/list-notebook-instances.json", { NotebookInstances = nbs })
    for _, n in ipairs(nbs) do
      local doc = sm(s, "DescribeNotebookInstance",
        { NotebookInstanceName = n.NotebookInstanceName })
      if doc then
        keep(s, "sagemaker/notebook-instances/" .. file_part(n.NotebookInstanceName)
          .. ".json", doc)
      end
    end
  end
  local eps = sm_list(s, "ListEndpoints", "Endpoints")
  if not eps then return end
  keep(s, "sagemaker/list-endpoints.json", { Endpoints = eps })
  for _, e in ipairs(eps) do endpoint(s, e) end
end

-- ListFunctions, for the execution roles of action groups' Lambdas.
local function functions(s)
  local list = list_all(s, { service = "lambda" }, "ListFunctions", "/2015-03-31/functions/",
    "Functions", { method = "GET", paging = { query = "Marker", answer = "NextMarker" },
      params = { MaxItems = "50" } })
  if not list then return end
  for _, f in ipairs(list) do f.Environment = nil end
  keep(s, "lambda/list-functions.json", { Functions = list })
end

-- Reads every AI service; fail(err) records a failed call. Returns the
-- bundle, ready for aws_ai_rows.
function live.collect(ctx, c, fail)
  local s = { ctx = ctx, c = c, b = bundle.new(), kbs = {}, fail = fail }
  agents(s)
  knowledge_bases(s)
  if s.lambdas then functions(s) end
  runtimes(s)
  sagemaker(s)
  local ok, why = bundle.finish(s.b)
  if not ok then nhi.log.warn("%s", why) end
  return s.b
end

return live
