-- Identities that several AI agents, or an agent and other workloads,
-- run as: what one of them does cannot be told from the others', and a
-- right granted for one is held by all. An agent row that stands for
-- the identity itself ("openai:svc_acct_X" running as svc_acct_X) is
-- not another runner.
local SHARED = [[
  SELECT r.to_ref AS identity,
         json_group_array(r.from_ref) AS runners,
         json_group_array(r.from_type) AS types,
         sum(r.from_type = 'ai_agent') AS agents
  FROM (SELECT DISTINCT to_ref, from_ref, from_type FROM edges
        WHERE kind = 'runs_as' AND to_type = 'identity'
          AND NOT (from_type = 'ai_agent'
                   AND substr(from_ref, -length(to_ref) - 1) = ':' || to_ref)
        UNION
        SELECT i.native_id, a.native_id, 'ai_agent' FROM ai_agents a
        JOIN identities i ON i.id = a.identity_id
        WHERE substr(a.native_id, -length(i.native_id) - 1) <> ':' || i.native_id
        ORDER BY 1, 2) r
  GROUP BY r.to_ref
  HAVING sum(r.from_type = 'ai_agent') >= 1 AND count(*) >= 2
  ORDER BY r.to_ref
]]

return {
  id = "ai.agent.shared-identity",
  kind = "check",
  question = "ai-data-access",
  category = "ai-sensitive-data-access",
  owasp = "NHI9",
  severity = "medium",
  effort = "medium",
  requires = { "ai_agents", "edges" },
  title = "AI agent shares its identity with other agents or workloads",
  description = [[
Reports each identity that an AI agent runs as and that another agent
or another workload (a function, a task, a pipeline: any runs_as edge)
runs as too. Activity then cannot say which of them read what, and
every right one of them needs is held by all of them.]],
  remediation = [[
Give each agent and each workload an identity of its own, with only the
rights it needs.]],

  run = function(ctx)
    for row in ctx.db:rows(SHARED) do
      local runners = nhi.json.decode(row.runners)
      local types = nhi.json.decode(row.types)
      local agents, others = nhi.json.array(), nhi.json.array()
      for i, ref in ipairs(runners) do
        if types[i] == "ai_agent" then agents[#agents + 1] = ref
        else others[#others + 1] = { type = types[i], ref = ref } end
      end
      ctx:finding{
        identity = row.identity,
        title = string.format("%s is the identity of %d AI agent(s) and %d other workload(s)",
                              row.identity, #agents, #others),
        evidence = { agents = agents, other_workloads = others },
      }
    end
  end,
}
