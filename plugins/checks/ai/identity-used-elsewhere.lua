-- AI agents' AWS identities used by something other than the agent
-- platform: a role Bedrock runs as, also called from a person's CLI or
-- another network. The key or role has left the agent.
local IDENTITIES = [[
  SELECT DISTINCT e.to_ref AS identity, a.platform, json_extract(e.attrs, '$.as') AS as_
  FROM edges e JOIN ai_agents a ON a.native_id = e.from_ref
  WHERE e.kind = 'runs_as' AND e.from_type = 'ai_agent' AND e.to_ref LIKE 'arn:%'
  ORDER BY 1, 2, 3
]]

local ACTIVITY = [[
  SELECT action, source_ip, user_agent, sum(count) AS count, min(first_seen) AS first_seen,
         max(last_seen) AS last_seen
  FROM activity WHERE identity_ref = ?
  GROUP BY action, source_ip, user_agent ORDER BY source_ip, user_agent, action
]]

-- The callers each platform (or the Lambda behind an action group) is.
local SERVICES = {
  ["aws-bedrock-agent"] = "bedrock.amazonaws.com",
  ["aws-bedrock-knowledge-base"] = "bedrock.amazonaws.com",
  ["aws-bedrock-agentcore"] = "bedrock-agentcore.amazonaws.com",
  ["aws-sagemaker"] = "sagemaker.amazonaws.com",
}

local function from_platform(row, expected)
  local ip, ua = row.source_ip or "", row.user_agent or ""
  if ip == "AWS Internal" then return true end
  for _, s in ipairs(expected) do
    if s == "lambda" then
      if ua:find("exec-env/AWS_Lambda", 1, true) or ip == "lambda.amazonaws.com" then
        return true
      end
    elseif ip == s or ua:find(s, 1, true) then
      return true
    end
  end
  return false
end

local function human_like(row)
  local ua = (row.user_agent or ""):lower()
  return ua:find("aws-cli", 1, true) or ua:find("mozilla", 1, true)
    or ua:find("console.amazonaws.com", 1, true) or ua:find("signin.amazonaws.com", 1, true)
end

-- The identities, each with the callers its agents are expected to be.
local function expected_callers(ctx)
  local out, order = {}, {}
  for row in ctx.db:rows(IDENTITIES) do
    local e = out[row.identity]
    if not e then
      e = {}
      out[row.identity] = e
      order[#order + 1] = row.identity
    end
    local caller = (row.as_ == "action-group" or row.as_ == "execution-role") and "lambda"
      or SERVICES[row.platform]
    if not caller then
      e.unknown = true
    elseif not e[caller] then
      e[caller] = true
      e[#e + 1] = caller
    end
  end
  return out, order
end

return {
  id = "ai.agent.identity-used-elsewhere",
  kind = "check",
  question = "ai-data-trace",
  category = "anomalous-activity",
  owasp = "NHI9",
  severity = "medium",
  effort = "medium",
  requires = { "ai_agents", "paths", "activity" },
  title = "AI agent's identity is used from outside the agent platform",
  description = [[
For each AWS identity an AI agent runs as (a Bedrock agent's or
knowledge base's service role, an AgentCore or SageMaker execution
role, an action group's Lambda role), reads the activity of its
sessions and reports calls that did not come from the platform
(bedrock.amazonaws.com, bedrock-agentcore.amazonaws.com,
sagemaker.amazonaws.com, a Lambda runtime): another workload or a
person is using the agent's rights. High, as human use of a machine
identity, when the user agent is a CLI or a browser; medium otherwise.
Identities of other platforms, whose callers are not known, are not
judged; nor is anything when no agent has a path to sensitive data.]],
  remediation = [[
Find who used the role and why. Restrict its trust policy to the
platform's service principal, with aws:SourceAccount and aws:SourceArn
conditions, and give other users an identity of their own.]],

  run = function(ctx)
    local callers, order = expected_callers(ctx)
    for _, identity in ipairs(order) do
      local expected = callers[identity]
      local foreign, human, total = nhi.json.array(), false, 0
      if not expected.unknown then
        for row in ctx.db:rows(ACTIVITY, identity) do
          if not from_platform(row, expected) then
            human = human or human_like(row)
            total = total + row.count
            if #foreign < 10 then foreign[#foreign + 1] = row end
          end
        end
      end
      if #foreign > 0 then
        ctx:finding{
          identity = identity,
          severity = human and "high" or "medium",
          title = string.format("%s, an AI agent's identity, was used %d time(s) from outside "
                                .. "the agent platform%s", identity, total,
                                human and " by a person's tools" or ""),
          evidence = { expected_callers = nhi.json.array({ table.unpack(expected) }),
                       calls = foreign, total_calls = total,
                       person_like = human and true or false },
        }
      end
    end
  end,
}
