-- Evidence rows from a bundle of AWS AI service outputs (aws_ai_bundle):
-- one ai_agents row per Bedrock agent, per knowledge base no collected
-- agent uses, per AgentCore runtime and per SageMaker notebook instance
-- and endpoint; a runs_as edge to each IAM role they act as; identity
-- rows for roles no other source named, and resources for the data the
-- agents are declared to use. What the bundle lacks is a coverage gap.
local bundle = require("aws_ai_bundle")

local rows = {}

local function value(v)
  if v == nhi.json.null then return nil end
  return v
end

-- "YYYY-MM-DDTHH:MM:SSZ" of an ISO-8601 time (the CLI prints offsets
-- and microseconds) or epoch seconds (the JSON 1.1 APIs send numbers).
local function iso(v)
  if type(v) == "number" then return nhi.time.format(math.floor(v)) end
  local t = type(v) == "string" and nhi.time.parse(v)
  return t and nhi.time.format(t) or nil
end

local function list_of(v)
  if type(v) == "table" then return v end
  return {}
end

local function arn_region(arn)
  return type(arn) == "string" and arn:match("^arn:[%w-]+:[%w-]+:([%w-]*):") or nil
end

local function arn_account(arn)
  return type(arn) == "string" and arn:match("^arn:[%w-]+:[%w-]+:[%w-]*:(%d+):") or nil
end

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks)
  return ks
end

-- The identity row id of an IAM role, written when no source named it.
local function role_id(ctx, arn)
  local row = ctx.db:first(
    "SELECT id FROM identities WHERE provider = 'aws' AND native_id = ?", arn)
  if row then return row.id end
  return ctx.evidence:identity{ provider = "aws", native_id = arn, kind = "role",
    account = arn_account(arn), name = arn:match("([^/]+)$"),
    attrs = { discovered_by = ctx.source.spec } }
end

local function ensure_resource(ctx, native_id, kind, name, account)
  if ctx.db:first("SELECT 1 AS x FROM resources WHERE provider = 'aws' AND native_id = ?",
      native_id) then
    return
  end
  ctx.evidence:resource{ provider = "aws", native_id = native_id, type = kind,
    name = name, account = account }
end

-- The roles an agent acts as: arn -> {as, also, via}; the first
-- capacity named is the edge's `as`.
local function add_role(roles, arn, as, via)
  arn = value(arn)
  if type(arn) ~= "string" or arn == "" then return end
  local r = roles[arn]
  if not r then
    r = { as = as, also = {}, via = {} }
    roles[arn] = r
  elseif r.as ~= as then
    r.also[as] = true
  end
  if via then r.via[#r.via + 1] = via end
end

-- Writes the agent row, its roles (as identities) and runs_as edges.
local function write_agent(ctx, row, roles)
  local first = row.role and roles[row.role] and row.role or sorted_keys(roles)[1]
  row.identity = first and role_id(ctx, first) or nil
  row.role = nil
  ctx.evidence:ai_agent(row)
  for _, arn in ipairs(sorted_keys(roles)) do
    local r = roles[arn]
    role_id(ctx, arn)
    local also = sorted_keys(r.also)
    table.sort(r.via)
    ctx.evidence:edge{ kind = "runs_as", from_type = "ai_agent", from = row.native_id,
      to_type = "identity", to = arn, attrs = { as = r.as,
        also = #also > 0 and also or nil, via = #r.via > 0 and r.via or nil } }
  end
end

-- ---- knowledge bases and their data sources ----

local CONNECTORS = {
  CONFLUENCE = "confluenceConfiguration", SALESFORCE = "salesforceConfiguration",
  SHAREPOINT = "sharePointConfiguration",
}

local function s3_source(ctx, s3, via, ds)
  local bucket = value(s3.bucketArn)
  if type(bucket) ~= "string" then return nil end
  ensure_resource(ctx, bucket, "s3-bucket", bucket:match(":::([^/]+)$"),
    value(s3.bucketOwnerAccountId))
  local prefixes = list_of(value(s3.inclusionPrefixes))
  return { type = "s3", ref = bucket, via = via, data_source = ds,
    prefixes = #prefixes > 0 and prefixes or nil }
end

-- The connector's host (Confluence, Salesforce) or sites (SharePoint),
-- and the Secrets Manager secret holding its third-party credential.
local function connector_sources(ctx, kind, conf, via, ds)
  local src = type(conf) == "table" and value(conf.sourceConfiguration) or {}
  local secret = value(src.credentialsSecretArn)
  if type(secret) == "string" then
    ensure_resource(ctx, secret, "secretsmanager-secret", secret:match(":secret:(.+)$"),
      arn_account(secret))
  end
  local refs = {}
  for _, u in ipairs(list_of(value(src.siteUrls))) do refs[#refs + 1] = u end
  if #refs == 0 then refs[1] = value(src.hostUrl) or value(src.domain) end
  local out = {}
  for _, ref in ipairs(refs) do
    out[#out + 1] = { type = kind, ref = ref, via = via, data_source = ds,
      auth_type = value(src.authType), credentials_secret = secret }
  end
  return out
end

local function web_sources(conf, via, ds)
  local src = type(conf) == "table" and value(conf.sourceConfiguration) or {}
  local urls = type(src) == "table" and value(src.urlConfiguration) or {}
  local out = {}
  for _, seed in ipairs(list_of(type(urls) == "table" and value(urls.seedUrls))) do
    out[#out + 1] = { type = "web", ref = seed.url, via = via, data_source = ds }
  end
  return out
end

-- The data one data source feeds its knowledge base, as data_sources
-- entries.
local function source_entries(ctx, d, kb_id)
  local conf = value(d.dataSourceConfiguration) or {}
  local kind = value(conf.type) or "UNKNOWN"
  local ds = d.dataSourceId
  if kind == "S3" then
    return { s3_source(ctx, value(conf.s3Configuration) or {}, kb_id, ds) }
  elseif kind == "WEB" then
    return web_sources(value(conf.webConfiguration), kb_id, ds)
  elseif CONNECTORS[kind] then
    return connector_sources(ctx, kind:lower(), value(conf[CONNECTORS[kind]]), kb_id, ds)
  end
  return { { type = kind:lower():gsub("_", "-"), ref = ds, via = kb_id, data_source = ds } }
end

-- Every data_sources entry of a knowledge base, noting what is missing.
local function kb_data(ctx, b, kb_id, gap)
  local out, gets = nhi.json.array(), b.data_sources[kb_id] or {}
  local kb = b.kbs[kb_id]
  local conf = kb and value(kb.knowledgeBaseConfiguration) or {}
  local kendra = value(conf.kendraKnowledgeBaseConfiguration)
  if type(kendra) == "table" and kendra.kendraIndexArn then
    out[#out + 1] = { type = "kendra", ref = kendra.kendraIndexArn, via = kb_id }
  end
  for _, s in ipairs(b.ds_lists[kb_id] or {}) do
    if not gets[s.dataSourceId] then
      gap("bedrock-agent:GetDataSource", string.format(
        "no get-data-source output for data source %s of knowledge base %s",
        tostring(s.dataSourceId), kb_id))
    end
  end
  if not b.ds_lists[kb_id] and not next(gets) and not b.ds_listed then
    gap("bedrock-agent:ListDataSources", "no list-data-sources output for knowledge base "
      .. kb_id .. ": what it indexes is unknown")
  end
  for _, id in ipairs(sorted_keys(gets)) do
    for _, e in ipairs(source_entries(ctx, gets[id], kb_id)) do out[#out + 1] = e end
  end
  return out
end

-- A knowledge base's facts for attrs.
local function kb_facts(kb)
  local storage = value(kb.storageConfiguration) or {}
  local ref
  for k, v in pairs(storage) do
    if k ~= "type" and type(v) == "table" then
      ref = value(v.collectionArn) or value(v.credentialsSecretArn) or value(v.endpoint)
        or value(v.tableName) or value(v.resourceArn) or value(v.indexArn)
    end
  end
  local conf = value(kb.knowledgeBaseConfiguration) or {}
  local vec = value(conf.vectorKnowledgeBaseConfiguration) or {}
  return { id = kb.knowledgeBaseId, arn = kb.knowledgeBaseArn, name = kb.name,
    role = kb.roleArn, status = kb.status, type = conf.type,
    embedding_model = value(vec.embeddingModelArn), storage_type = value(storage.type),
    storage = ref }
end

-- ---- Bedrock agents ----

local EXECUTORS = { RETURN_CONTROL = "return-control" }

-- One action group as a tool, and the Lambda execution role behind it.
local function tool_of(b, g, roles, gap)
  local exec = value(g.actionGroupExecutor) or {}
  local lambda = value(exec.lambda)
  local tool = { name = g.actionGroupName, id = g.actionGroupId,
    state = value(g.actionGroupState), signature = value(g.parentActionGroupSignature),
    executor = lambda and "lambda" or EXECUTORS[value(exec.customControl)] }
  local fs = value(g.functionSchema)
  if type(fs) == "table" then
    tool.functions = {}
    for _, f in ipairs(list_of(value(fs.functions))) do
      tool.functions[#tool.functions + 1] = f.name
    end
  end
  if lambda then
    tool.lambda = lambda
    local fn = b.functions and b.functions[bundle.function_arn(lambda)]
    if fn then
      tool.execution_role = value(fn.Role)
      add_role(roles, fn.Role, "action-group", g.actionGroupName)
    elseif b.functions then
      gap("lambda:GetFunction", "function " .. lambda .. " is not in the Lambda outputs: "
        .. "the role it runs as is unknown")
    else
      gap("lambda:ListFunctions", "no Lambda list-functions output: the roles of "
        .. "action-group functions are unknown")
    end
  end
  return tool
end

local function agent_tools(b, id, roles, gap)
  local groups = b.action_groups[id]
  local tools = nhi.json.array()
  if not groups then
    gap("bedrock-agent:ListAgentActionGroups", "no action group outputs for agent " .. id
      .. ": its tools are unknown")
    return tools
  end
  for _, s in ipairs(groups.listed or {}) do
    if not groups.gets[s.actionGroupId] then
      gap("bedrock-agent:GetAgentActionGroup", string.format(
        "no get-agent-action-group output for %s of agent %s", tostring(s.actionGroupId), id))
      tools[#tools + 1] = { name = s.actionGroupName, id = s.actionGroupId,
        state = value(s.actionGroupState) }
    end
  end
  for _, key in ipairs(sorted_keys(groups.gets)) do
    tools[#tools + 1] = tool_of(b, groups.gets[key], roles, gap)
  end
  return tools
end

-- The agent's knowledge bases: their data sources, roles and facts.
local function agent_kbs(ctx, b, id, roles, used, gap)
  local data, facts = nhi.json.array(), nhi.json.array()
  local kbs = b.agent_kbs[id]
  if not kbs then
    gap("bedrock-agent:ListAgentKnowledgeBases", "no knowledge base outputs for agent "
      .. id .. ": the data it is declared to use is unknown")
    return data, facts
  end
  for _, kb_id in ipairs(sorted_keys(kbs)) do
    used[kb_id] = true
    local kb = b.kbs[kb_id]
    if kb then
      add_role(roles, kb.roleArn, "knowledge-base", kb_id)
      facts[#facts + 1] = kb_facts(kb)
    else
      gap("bedrock-agent:GetKnowledgeBase", "no get-knowledge-base output for " .. kb_id)
      facts[#facts + 1] = { id = kb_id, state = value(kbs[kb_id].knowledgeBaseState) }
    end
    for _, e in ipairs(kb_data(ctx, b, kb_id, gap)) do data[#data + 1] = e end
  end
  return data, facts
end

local function write_bedrock_agent(ctx, b, a, used, gap)
  local roles = {}
  add_role(roles, a.agentResourceRoleArn, "agent")
  local tools = agent_tools(b, a.agentId, roles, gap)
  local data, kbs = agent_kbs(ctx, b, a.agentId, roles, used, gap)
  local guard = value(a.guardrailConfiguration) or {}
  write_agent(ctx, { native_id = a.agentArn, platform = "aws-bedrock-agent",
    name = a.agentName, model = value(a.foundationModel), role = value(a.agentResourceRoleArn),
    tools = tools, data_sources = data,
    attrs = { agent_id = a.agentId, status = value(a.agentStatus),
      version = value(a.agentVersion), region = arn_region(a.agentArn),
      account = arn_account(a.agentArn), created_at = iso(a.createdAt),
      updated_at = iso(a.updatedAt), prepared_at = iso(a.preparedAt),
      guardrail = value(guard.guardrailIdentifier), knowledge_bases = kbs,
      orchestration = value(a.orchestrationType),
      collaboration = value(a.agentCollaboration) } }, roles)
end

-- A knowledge base no collected agent uses: an agent of its own
-- (applications query it with RetrieveAndGenerate).
local function write_kb(ctx, b, kb, gap)
  local roles = {}
  add_role(roles, kb.roleArn, "knowledge-base", kb.knowledgeBaseId)
  local facts = kb_facts(kb)
  write_agent(ctx, { native_id = kb.knowledgeBaseArn, platform = "aws-bedrock-knowledge-base",
    name = kb.name, model = facts.embedding_model, role = value(kb.roleArn),
    data_sources = kb_data(ctx, b, kb.knowledgeBaseId, gap),
    attrs = { knowledge_base_id = kb.knowledgeBaseId, status = facts.status,
      region = arn_region(kb.knowledgeBaseArn), account = arn_account(kb.knowledgeBaseArn),
      type = facts.type, storage_type = facts.storage_type, storage = facts.storage,
      created_at = iso(kb.createdAt), updated_at = iso(kb.updatedAt) } }, roles)
end

local function write_bedrock(ctx, b, gap)
  local used, n = {}, 0
  for _, id in ipairs(sorted_keys(b.listed.agents)) do
    if not b.agents[id] then
      gap("bedrock-agent:GetAgent", "no get-agent output for agent " .. id .. " ("
        .. tostring(b.listed.agents[id].agentName) .. ")")
    end
  end
  for _, id in ipairs(sorted_keys(b.agents)) do
    write_bedrock_agent(ctx, b, b.agents[id], used, gap)
    n = n + 1
  end
  for _, id in ipairs(sorted_keys(b.listed.kbs)) do
    if not b.kbs[id] then
      gap("bedrock-agent:GetKnowledgeBase", "no get-knowledge-base output for " .. id)
    end
  end
  for _, id in ipairs(sorted_keys(b.kbs)) do
    if not used[id] then
      write_kb(ctx, b, b.kbs[id], gap)
      n = n + 1
    end
  end
  return n
end

-- ---- AgentCore and SageMaker ----

local function write_runtimes(ctx, b, gap)
  local n = 0
  for _, arn in ipairs(sorted_keys(b.listed.runtimes)) do
    if not b.runtimes[arn] then
      gap("bedrock-agentcore:GetAgentRuntime", "no get-agent-runtime output for " .. arn)
    end
  end
  for _, arn in ipairs(sorted_keys(b.runtimes)) do
    local r = b.runtimes[arn]
    local roles, art = {}, value(r.agentRuntimeArtifact) or {}
    local net = value(r.networkConfiguration) or {}
    local wid = value(r.workloadIdentityDetails) or {}
    local cont = value(art.containerConfiguration) or {}
    add_role(roles, r.roleArn, "execution-role")
    write_agent(ctx, { native_id = arn, platform = "aws-bedrock-agentcore",
      name = value(r.agentRuntimeName), role = value(r.roleArn),
      attrs = { runtime_id = value(r.agentRuntimeId), version = value(r.agentRuntimeVersion),
        status = value(r.status), region = arn_region(arn), account = arn_account(arn),
        container = value(cont.containerUri), network_mode = value(net.networkMode),
        workload_identity = value(wid.workloadIdentityArn),
        created_at = iso(r.createdAt), updated_at = iso(r.lastUpdatedAt) } }, roles)
    n = n + 1
  end
  return n
end

local function write_notebooks(ctx, b, gap)
  local n = 0
  for _, name in ipairs(sorted_keys(b.listed.notebooks)) do
    if not b.notebooks[name] then
      gap("sagemaker:DescribeNotebookInstance", "no describe-notebook-instance output for "
        .. name .. ": the role it runs as is unknown")
    end
  end
  for _, name in ipairs(sorted_keys(b.notebooks)) do
    local nb, roles = b.notebooks[name], {}
    add_role(roles, nb.RoleArn, "execution-role")
    write_agent(ctx, { native_id = nb.NotebookInstanceArn, platform = "aws-sagemaker",
      name = name, role = value(nb.RoleArn),
      attrs = { resource = "notebook-instance", status = value(nb.NotebookInstanceStatus),
        region = arn_region(nb.NotebookInstanceArn),
        account = arn_account(nb.NotebookInstanceArn),
        instance_type = value(nb.InstanceType),
        direct_internet_access = value(nb.DirectInternetAccess),
        root_access = value(nb.RootAccess), created_at = iso(nb.CreationTime) } }, roles)
    n = n + 1
  end
  return n
end

-- An endpoint's models (from its configuration) and their roles.
local function endpoint_models(b, ep, roles, gap)
  local cfg = b.configs[ep.EndpointConfigName]
  local models = nhi.json.array()
  if not cfg then
    gap("sagemaker:DescribeEndpointConfig", "no describe-endpoint-config output for "
      .. tostring(ep.EndpointConfigName) .. ": the models of " .. ep.EndpointName
      .. " are unknown")
    return models
  end
  for _, v in ipairs(list_of(value(cfg.ProductionVariants))) do
    local m = b.models[v.ModelName]
    if m then
      add_role(roles, m.ExecutionRoleArn, "execution-role", v.ModelName)
      local c = value(m.PrimaryContainer) or list_of(value(m.Containers))[1] or {}
      models[#models + 1] = { name = v.ModelName, variant = v.VariantName,
        execution_role = value(m.ExecutionRoleArn), image = value(c.Image),
        model_data = value(c.ModelDataUrl) }
    else
      gap("sagemaker:DescribeModel", "no describe-model output for " .. tostring(v.ModelName))
      models[#models + 1] = { name = v.ModelName, variant = v.VariantName }
    end
  end
  return models
end

local function write_endpoints(ctx, b, gap)
  local n = 0
  for _, name in ipairs(sorted_keys(b.listed.endpoints)) do
    if not b.endpoints[name] then
      gap("sagemaker:DescribeEndpoint", "no describe-endpoint output for " .. name)
    end
  end
  for _, name in ipairs(sorted_keys(b.endpoints)) do
    local ep, roles = b.endpoints[name], {}
    local models = endpoint_models(b, ep, roles, gap)
    write_agent(ctx, { native_id = ep.EndpointArn, platform = "aws-sagemaker",
      name = ep.EndpointName, model = models[1] and models[1].name or nil,
      attrs = { resource = "endpoint", status = value(ep.EndpointStatus),
        region = arn_region(ep.EndpointArn), account = arn_account(ep.EndpointArn),
        endpoint_config = value(ep.EndpointConfigName), models = models,
        created_at = iso(ep.CreationTime) } }, roles)
    n = n + 1
  end
  return n
end

-- Writes every row the bundle gives; gap(call, reason) records what it
-- lacks. Returns the number of ai_agents rows.
function rows.write(ctx, b, gap)
  return write_bedrock(ctx, b, gap) + write_runtimes(ctx, b, gap)
    + write_notebooks(ctx, b, gap) + write_endpoints(ctx, b, gap)
end

return rows
