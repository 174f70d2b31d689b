-- AI agents that can read or write confidential or restricted data,
-- directly or through roles their identities may assume: one finding
-- per agent and resource, from the paths derived after collection.
local ai = require("ai")

return {
  id = "ai.agent.sensitive-data-access",
  kind = "check",
  question = "ai-data-access",
  category = "ai-sensitive-data-access",
  owasp = "NHI5",
  severity = "high",
  effort = "medium",
  requires = { "ai_agents", "resources" },
  title = "AI agent can reach sensitive data",
  description = [[
Follows each AI agent (Bedrock agents and knowledge bases, SageMaker,
Vertex and Azure AI workloads, OpenAI and Anthropic keys, MCP servers)
to the identities it runs as, through the roles those identities may
assume (an AWS hop counts only when the policy engine allows
sts:AssumeRole), to every confidential or restricted resource they can
read or write. Severity: critical for writing restricted data, high for
reading it or writing confidential data, medium for reading
confidential data; confidence follows how the resource's sensitivity is
known (low for a guess from its name).]],
  remediation = [[
Give each agent an identity of its own whose policies name only the data
it is meant to use, remove the role assumptions it does not need, and
keep sensitive stores behind resource policies that name the workloads
allowed to read them.]],

  run = function(ctx)
    for _, p in ipairs(ai.pairs(ctx)) do
      local words, write, unsure = ai.access(p)
      local row = (write and p.write) or p.read or p.write
      ctx:finding{
        identity = p.identity, resource = p.resource,
        severity = ai.severity(p.sensitivity, write),
        status = unsure and "indeterminate" or "fail",
        confidence = p.sensitivity_confidence or "medium",
        title = string.format("AI agent %s can %s %s data in %s", p.agent, words,
                              p.sensitivity, p.resource),
        evidence = { agent = p.agent, platform = p.platform, access = words,
                     sensitivity = p.sensitivity, sensitivity_source = p.sensitivity_source,
                     path = ai.path(row) },
      }
    end
  end,
}
