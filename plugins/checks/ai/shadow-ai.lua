-- "Shadow AI" on AWS: machine identities the policy engine says may call
-- a model or an agent (bedrock:InvokeModel and alike, SageMaker
-- endpoints, AgentCore runtimes) that no discovered AI agent runs as.
-- Only identities whose allowing statements name an AI service are
-- asked (blanket `*` grants are the admin-equivalent and wildcard
-- checks' findings), once per action, on the resources those
-- statements name. CloudTrail activity showing AI calls confirms use.
local aws = require("aws")

local CANDIDATES = [[
  SELECT i.native_id, i.account, g.actions, g.not_action, g.resources, g.not_resource,
    g.policy, g.sid, g.via
  FROM identities i JOIN grants g ON g.identity_id = i.id
  WHERE i.provider = 'aws' AND (i.is_human = 0 OR ?1) AND g.effect = 'allow'
    AND (i.native_id LIKE 'arn:%:iam::%:user/%' OR i.native_id LIKE 'arn:%:iam::%:role/%')
    AND ((?2 AND g.not_action = 1) OR EXISTS (SELECT 1 FROM json_each(g.actions) a
      WHERE lower(a.value) LIKE 'bedrock%' OR lower(a.value) LIKE 'sagemaker:%'
        OR (?2 AND (a.value LIKE '*%' OR lower(a.value) LIKE 'b*%' OR lower(a.value) LIKE 's*%'))))
    AND NOT EXISTS (SELECT 1 FROM edges e WHERE e.kind = 'runs_as'
      AND e.to_type = 'identity' AND e.to_ref = i.native_id)
    AND NOT EXISTS (SELECT 1 FROM ai_agents a WHERE a.identity_id = i.id)
  ORDER BY i.native_id, g.id
]]

-- AWS managed policies granting invoke actions, attached to an identity
-- by a filtered export that left their documents out: AWS fixes what they
-- grant, but not what the identity's other policies deny.
local UNRESOLVED = [[
  SELECT i.native_id, p.value AS policy
  FROM identities i, json_each(i.attrs, '$.unresolved_policies') p
  WHERE i.provider = 'aws' AND (i.is_human = 0 OR ?1)
    AND p.value IN ('arn:aws:iam::aws:policy/AmazonBedrockFullAccess',
      'arn:aws:iam::aws:policy/AmazonSageMakerFullAccess')
    AND NOT EXISTS (SELECT 1 FROM edges e WHERE e.kind = 'runs_as'
      AND e.to_type = 'identity' AND e.to_ref = i.native_id)
    AND NOT EXISTS (SELECT 1 FROM ai_agents a WHERE a.identity_id = i.id)
  ORDER BY i.native_id, p.value
]]

-- AI calls in the activity evidence, read once for every identity.
local ACTIVITY = [[
  SELECT coalesce(i.native_id, a.identity_ref) AS who, a.action, sum(a.count) AS calls,
    min(a.first_seen) AS first_seen, max(a.last_seen) AS last_seen
  FROM activity a LEFT JOIN identities i ON i.id = a.identity_id
  WHERE a.action NOT LIKE '%#denied'
    AND (a.action LIKE 'bedrock:Invoke%' OR a.action LIKE 'bedrock:Converse%'
      OR a.action LIKE 'bedrock:RetrieveAndGenerate%' OR a.action LIKE 'sagemaker:InvokeEndpoint%'
      OR a.action LIKE 'bedrock-agentcore:Invoke%')
  GROUP BY who, a.action ORDER BY who, a.action
]]

-- The services that may assume the role (its trust policy): where its
-- workload runs.
local SERVICES = [[
  SELECT DISTINCT from_ref FROM edges
  WHERE kind = 'can_assume' AND from_type = 'service' AND to_ref = ?
  ORDER BY from_ref
]]

-- Whether AWS AI workloads were collected at all: without them every
-- agent's role would look undeclared.
local DISCOVERY = [[
  SELECT 1 AS x FROM sources WHERE provider = 'aws' AND status = 'ok'
    AND (kind = 'ai'
      OR (kind = 'live' AND coalesce(gaps, '') NOT LIKE '%bedrock-agent:ListAgents%'))
  UNION ALL SELECT 1 FROM ai_agents WHERE platform LIKE 'aws-%' LIMIT 1
]]

-- A case-insensitive IAM action pattern (* and ?) as a Lua pattern.
local function action_pattern(p)
  return "^" .. p:lower():gsub("[%^%$%(%)%%%.%[%]%+%-]", "%%%0")
    :gsub("%*", ".*"):gsub("%?", ".") .. "$"
end

local function matches_any(action, patterns)
  local a = action:lower()
  for _, p in ipairs(patterns) do
    if a:match(action_pattern(p)) then return true end
  end
  return false
end

-- A concrete ARN standing for a Resource pattern: wildcards in the
-- partition, region and account filled with real-looking values (the
-- principal's account, so the request stays within it), elsewhere
-- with a letter. "*" stays "*".
local function stand_in(pattern, account)
  if pattern == "*" then return "*" end
  local part, svc, region, acct, rest = pattern:match("^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$")
  if not part then return (pattern:gsub("[%*%?]", "x")) end
  local function fill(s, default)
    if s:find("[%*%?]") then return default end
    return s
  end
  return table.concat({ "arn", fill(part, "aws"), fill(svc, "x"), fill(region, "us-east-1"),
    acct == "" and "" or fill(acct, account or "000000000000"),
    (rest:gsub("[%*%?]", "x")) }, ":")
end

local function decode(s)
  return type(s) == "string" and nhi.json.decode(s) or {}
end

-- Per identity: the target actions its grants may allow, each with the
-- stand-in resources to ask about, and the grants themselves.
local function gather(ctx, targets)
  local by_id, order = {}, {}
  for row in ctx.db:rows(CANDIDATES, ctx.params.include_people, ctx.params.include_wildcards) do
    local who = by_id[row.native_id]
    if not who then
      who = { arn = row.native_id, account = row.account or aws.account_of(row.native_id),
        asks = {}, grants = {} }
      by_id[row.native_id] = who
      order[#order + 1] = who
    end
    local patterns, resources = decode(row.actions), decode(row.resources)
    local named = false
    for _, action in ipairs(targets) do
      if matches_any(action, patterns) ~= (row.not_action == 1) then
        named = true
        who.asks[action] = who.asks[action] or {}
        for _, r in ipairs(row.not_resource == 1 and { "*" } or resources) do
          who.asks[action][stand_in(r, who.account)] = true
        end
      end
    end
    if named then
      who.grants[#who.grants + 1] = { policy = row.policy, sid = row.sid, via = row.via,
        actions = patterns, resources = resources, not_action = row.not_action == 1 or nil }
    end
  end
  return order
end

-- The engine's answer for one identity: allowed and unsettled actions.
local function judge(ctx, who, targets)
  local allowed, open = {}, {}
  for _, action in ipairs(targets) do
    local asks = who.asks[action]
    if asks then
      local candidates = {}
      for r in pairs(asks) do candidates[#candidates + 1] = r end
      table.sort(candidates)
      local yes, maybe = ctx.aws:allowed_resources(who.arn, action, candidates)
      if #yes > 0 then
        allowed[#allowed + 1] = action
      elseif #maybe > 0 then
        open[#open + 1] = action
      end
    end
  end
  return allowed, open
end

local function activity_by_identity(ctx)
  local out = {}
  for row in ctx.db:rows(ACTIVITY) do
    out[row.who] = out[row.who] or {}
    table.insert(out[row.who], { action = row.action, count = row.calls,
      first_seen = row.first_seen, last_seen = row.last_seen })
  end
  return out
end

local function report(ctx, who, allowed, open, seen)
  local used = seen.activity[who.arn] or {}
  local trust, ai_service = {}, false
  for row in ctx.db:rows(SERVICES, who.arn) do
    trust[#trust + 1] = row.from_ref
    ai_service = ai_service or row.from_ref:match("^bedrock") or row.from_ref:match("^sagemaker")
  end
  local status, reason = #allowed > 0 and "fail" or "indeterminate", nil
  if #allowed == 0 then
    reason = "a condition, boundary or policy the evidence cannot settle decides it"
  elseif ai_service and not seen.discovered then
    status = "indeterminate"
    reason = "an AI service may assume it, and no AWS AI discovery source (aws:ai, aws:live) "
      .. "was collected to say which agent it serves"
  end
  ctx:finding{ identity = who.arn, status = status,
    confidence = #used > 0 and "high" or "medium",
    severity = #used > 0 and status == "fail" and "high" or nil,
    evidence = { actions = allowed, indeterminate = #open > 0 and open or nil,
      grants = who.grants, activity = #used > 0 and used or nil,
      assumed_by = #trust > 0 and trust or nil, reason = reason } }
end

-- Identities left out above whose export lacks an attached AWS AI policy.
local function report_unresolved(ctx, seen, reported)
  for row in ctx.db:rows(UNRESOLVED, ctx.params.include_people) do
    if not reported[row.native_id] then
      reported[row.native_id] = true
      local used = seen.activity[row.native_id] or {}
      ctx:finding{ identity = row.native_id, status = "indeterminate",
        confidence = #used > 0 and "high" or "medium",
        evidence = { grants = { { policy = row.policy,
            note = "attached; document not in the export" } },
          activity = #used > 0 and used or nil,
          reason = "an AWS managed AI policy is attached but the export lacks its "
            .. "document, so what else the identity's policies deny is unknown" } }
    end
  end
end

local function targets_of(ctx)
  local out = {}
  for a in ctx.params.actions:gmatch("[^,%s]+") do out[#out + 1] = a end
  return out
end

return {
  id = "aws.ai.shadow-ai",
  kind = "check",
  question = "ai-data-access",
  category = "ai-sensitive-data-access",
  owasp = "NHI5",
  severity = "medium",
  effort = "medium",
  requires = { "identities", "grants" },
  params = {
    actions = "bedrock:InvokeModel,bedrock:InvokeModelWithResponseStream,bedrock:InvokeAgent,"
      .. "bedrock:InvokeInlineAgent,bedrock:RetrieveAndGenerate,sagemaker:InvokeEndpoint,"
      .. "sagemaker:InvokeEndpointAsync,bedrock-agentcore:InvokeAgentRuntime",
    include_wildcards = false,
    include_people = false,
  },
  title = "Identity may call AI models but no AI agent is declared on it (shadow AI)",
  description = [[
A machine identity whose policies grant an AI service's invoke actions
(Bedrock models and agents, SageMaker endpoints, AgentCore runtimes),
allowed by the policy engine after Deny statements, boundaries and SCPs,
that no discovered AI agent (a Bedrock agent, knowledge base, AgentCore
runtime or SageMaker resource) runs as. Whatever uses it sends data to a
model nobody has reviewed. CloudTrail calls to the model raise the
confidence (and the severity: it is in use). Identities whose only route
to these actions is a `*` or NotAction grant are left to the
admin-equivalent and wildcard checks unless `include_wildcards` is set;
people are left out unless `include_people` is set. An attached AWS
managed AI policy whose document a filtered export left out gives an
indeterminate finding.]],
  remediation = [[
Find the workload behind the identity. If it is a sanctioned AI
workload, record it (a Bedrock agent or AgentCore runtime with its own
role, or an inventory entry) and scope the grant to the models it uses;
otherwise remove the AI service's actions from its policies.]],

  run = function(ctx)
    local targets = targets_of(ctx)
    local seen = { discovered = ctx.db:first(DISCOVERY) ~= nil,
      activity = activity_by_identity(ctx) }
    local reported = {}
    for _, who in ipairs(gather(ctx, targets)) do
      local allowed, open = judge(ctx, who, targets)
      if #allowed > 0 or #open > 0 then
        report(ctx, who, allowed, open, seen)
        reported[who.arn] = true
      end
    end
    report_unresolved(ctx, seen, reported)
  end,
}
