#!/usr/bin/env bash
# AWS AI workloads from saved CLI output (--source aws:ai=DIR): Bedrock
# agents with their action groups, knowledge bases and data sources, an
# AgentCore runtime, SageMaker notebook and endpoint, as ai_agents rows
# with runs_as edges; the shadow-AI check over them with GAAD and
# CloudTrail; missing outputs as coverage gaps; bad files as errors
# naming the file.
. "$(dirname "$0")/lib.sh"

AI="$NHISCOPE_HOME/tests/fixtures/aws/ai"
ACCT=arn:aws:iam::111122223333
AGENT=arn:aws:bedrock:eu-west-1:111122223333:agent/AB12CD34EF

describe "an account's AI workloads with its IAM and CloudTrail"
DIR="$T/full"
R="$DIR/report.json"
expect_status 0 nhi assess --format json --source "aws:authz=$AI/gaad.json" \
  --source "aws:ai=$AI/account" --source "aws:cloudtrail=$AI/cloudtrail.jsonl" \
  -o "$DIR"
expect_json_eq "$R" 'r["inventory"]["ai_agents"]' '5' \
  "5 AI agents: an agent, a standalone knowledge base, a runtime, a notebook, an endpoint"
expect_json_eq "$R" 'r["inventory"]["identities"]' '9' \
  "8 GAAD identities and the knowledge base role GAAD lacks"
db_json "$DIR/evidence.db" "$T/agents.json" "SELECT a.platform, a.native_id,
  i.native_id, a.model FROM ai_agents a LEFT JOIN identities i
  ON i.id = a.identity_id ORDER BY a.native_id"
expect_json_eq "$T/agents.json" 'r' "[
  ['aws-bedrock-agentcore', 'arn:aws:bedrock-agentcore:eu-west-1:111122223333:runtime/claims_triage-Xk3Lp9Qw2E',
   '$ACCT:role/AgentCoreRuntime-claims-triage', None],
  ['aws-bedrock-agent', '$AGENT',
   '$ACCT:role/service-role/AmazonBedrockExecutionRoleForAgents_support',
   'anthropic.claude-3-haiku-20240307-v1:0'],
  ['aws-bedrock-knowledge-base', 'arn:aws:bedrock:eu-west-1:111122223333:knowledge-base/PW3E7R1T6Y',
   '$ACCT:role/service-role/AmazonBedrockExecutionRoleForKnowledgeBase_site',
   'arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0'],
  ['aws-sagemaker', 'arn:aws:sagemaker:eu-west-1:111122223333:endpoint/churn-scorer',
   '$ACCT:role/service-role/AmazonSageMaker-ExecutionRole-20260510T081230', 'churn-xgb-2026-06'],
  ['aws-sagemaker', 'arn:aws:sagemaker:eu-west-1:111122223333:notebook-instance/churn-research',
   '$ACCT:role/service-role/AmazonSageMaker-ExecutionRole-20260510T081230', None]]" \
  "each agent with the identity it runs as and its model"
db_json "$DIR/evidence.db" "$T/edges.json" "SELECT to_ref,
  json_extract(attrs, '$.as'), json_extract(attrs, '$.via') FROM edges
  WHERE kind = 'runs_as' AND from_type = 'ai_agent' AND from_ref = '$AGENT'
  ORDER BY to_ref"
expect_json_eq "$T/edges.json" 'r' "[
  ['$ACCT:role/acme-order-lookup-lambda', 'action-group', '[\"lookup-order\"]'],
  ['$ACCT:role/service-role/AmazonBedrockExecutionRoleForAgents_support', 'agent', None],
  ['$ACCT:role/service-role/AmazonBedrockExecutionRoleForKnowledgeBase_support',
   'knowledge-base', '[\"HJ5K8L2M9N\"]']]" \
  "the agent runs as its role, its knowledge base's role and its Lambda's role"
db_json "$DIR/evidence.db" "$T/data.json" "SELECT data_sources, tools
  FROM ai_agents WHERE native_id = '$AGENT'"
expect_json_eq "$T/data.json" '[(d["type"], d["ref"], d.get("prefixes"), d["via"])
  for d in json.loads(r[0][0])]' "[
  ('s3', 'arn:aws:s3:::acme-support-docs', ['manuals/', 'faq/'], 'HJ5K8L2M9N'),
  ('confluence', 'https://acme.atlassian.net', None, 'HJ5K8L2M9N')]" \
  "declared data: the knowledge base's bucket with its prefixes, and its Confluence"
expect_json_eq "$T/data.json" 'sorted((t["name"], t.get("lambda"),
  t.get("execution_role")) for t in json.loads(r[0][1]))' "[
  ('escalate', None, None),
  ('lookup-order', 'arn:aws:lambda:eu-west-1:111122223333:function:acme-order-lookup:live',
   '$ACCT:role/acme-order-lookup-lambda'), ('refund', None, None)]" \
  "tools: the action groups, the Lambda one with its function and role"
db_json "$DIR/evidence.db" "$T/res.json" "SELECT native_id, type FROM resources
  WHERE native_id LIKE '%acme-support-docs' OR type = 'secretsmanager-secret'
  ORDER BY native_id"
expect_json_eq "$T/res.json" 'r' "[
  ['arn:aws:s3:::acme-support-docs', 's3-bucket'],
  ['arn:aws:secretsmanager:eu-west-1:111122223333:secret:bedrock/confluence-support-Ab12Cd',
   'secretsmanager-secret']]" \
  "the declared bucket and the connector's credential secret are resources"
expect_json_eq "$R" 'sorted((g["call"], g["reason"]) for s in r["assessment"]["sources"]
  if s["kind"] == "ai" for g in s["gaps"])' "[
  ('bedrock-agent:GetAgent', 'no get-agent output for agent QZ98XW76VU (hr-helper)'),
  ('bedrock-agent:GetAgentActionGroup',
   'no get-agent-action-group output for RFND9Q2W3E of agent AB12CD34EF'),
  ('sagemaker:DescribeNotebookInstance',
   'no describe-notebook-instance output for old-poc: the role it runs as is unknown')]" \
  "what the folder lacks is a coverage gap, the source still ok"
expect_json_eq "$R" '{f["identity"]: (f["status"], f["severity"], f["confidence"],
  f["evidence"]["actions"], len(f["evidence"].get("activity", [])))
  for f in r["findings"] if f["check"] == "aws.ai.shadow-ai"}' "{
  '$ACCT:user/service/svc-batch-summariser': ('fail', 'high', 'high',
    ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'], 1),
  '$ACCT:role/ml-sandbox-lambda': ('fail', 'medium', 'medium',
    ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream',
     'bedrock:InvokeAgent', 'bedrock:InvokeInlineAgent', 'bedrock:RetrieveAndGenerate'], 0)}" \
  "shadow AI: the summariser (in use per CloudTrail) and the sandbox Lambda; not the agents' roles, not the quarantined one"
expect_json_eq "$R" '[(f["evidence"].get("assumed_by"), f["evidence"]["grants"][0]["policy"])
  for f in r["findings"] if f["check"] == "aws.ai.shadow-ai"]' \
  "[(None, '$ACCT:user/service/svc-batch-summariser#summarise'),
    (['lambda.amazonaws.com'], '$ACCT:role/ml-sandbox-lambda#genai')]" \
  "the evidence says where the workload runs and which policy grants it"
expect_json_eq "$R" '[f["question"] for f in r["findings"]
  if f["check"] == "aws.ai.shadow-ai"]' '["ai-data-access", "ai-data-access"]' \
  "shadow AI answers ai-data-access"

describe "without AI discovery, an AI service role is only indeterminate"
DIR="$T/noai"
expect_status 0 nhi assess --format json --source "aws:authz=$AI/gaad.json" -o "$DIR"
expect_json_eq "$DIR/report.json" 'sorted((f["identity"].split("/")[-1], f["status"])
  for f in r["findings"] if f["check"] == "aws.ai.shadow-ai")' "[
  ('AgentCoreRuntime-claims-triage', 'indeterminate'),
  ('AmazonBedrockExecutionRoleForAgents_support', 'indeterminate'),
  ('AmazonBedrockExecutionRoleForKnowledgeBase_support', 'indeterminate'),
  ('ml-sandbox-lambda', 'fail'), ('svc-batch-summariser', 'fail')]" \
  "roles Bedrock may assume cannot be called undeclared when no agent was collected"

describe "bad input names the file"
mkdir -p "$T/bad/trunc" "$T/bad/alien" "$T/bad/orphan/lists" "$T/bad/empty"
head -c 300 "$AI/account/bedrock/agents/AB12CD34EF/get-agent.json" \
  >"$T/bad/trunc/get-agent.json"
expect_status 1 nhi collect --source "aws:ai=$T/bad/trunc" -o "$T/bad/o1"
expect_stderr_line "aws:ai" "cannot read 'get-agent.json'" "line"
echo '{"Buckets": [], "Owner": {"ID": "x"}}' >"$T/bad/alien/list-buckets.json"
expect_status 1 nhi collect --source "aws:ai=$T/bad/alien" -o "$T/bad/o2"
expect_stderr_line "'list-buckets.json'" "top-level keys: Buckets, Owner"
cp "$AI/account/bedrock/agents/AB12CD34EF/get-agent.json" "$T/bad/orphan/"
cp "$AI/account/bedrock/agents/AB12CD34EF/list-agent-knowledge-bases.json" \
  "$T/bad/orphan/lists/"
expect_status 1 nhi collect --source "aws:ai=$T/bad/orphan" -o "$T/bad/o3"
expect_stderr_line "'lists/list-agent-knowledge-bases.json'" \
  "cannot tell which agent it lists"
expect_status 1 nhi collect --source "aws:ai=$T/bad/empty" -o "$T/bad/o4"
expect_stderr_line "aws:ai" "holds no .json file"
: >"$T/bad/empty.json"
expect_status 1 nhi collect --source "aws:ai=$T/bad/empty.json" -o "$T/bad/o5"
expect_stderr_line "aws:ai" "'$T/bad/empty.json' is empty"

describe "outputs that say nothing about identities or data are left alone"
mkdir -p "$T/aliases"
cp "$AI/account/bedrock/agents/AB12CD34EF/get-agent.json" "$T/aliases/"
printf '%s\n' '{"agentAliasSummaries": [{"agentAliasId": "TSTALIASID",' \
  '  "agentAliasName": "AgentTestAlias", "agentAliasStatus": "PREPARED",' \
  '  "updatedAt": "2026-10-02T14:22:51.904311+00:00"}]}' \
  >"$T/aliases/list-agent-aliases.json"
expect_status 0 nhi collect --source "aws:ai=$T/aliases" -o "$T/aliases-out"
db_json "$T/aliases-out/evidence.db" "$T/aliases.json" "SELECT name FROM ai_agents"
expect_json_eq "$T/aliases.json" 'r' "[['support-bot']]" \
  "list-agent-aliases is accepted, the agent read"

describe "an agent with one action group and get-function-configuration"
mkdir -p "$T/gfc"
cp "$AI/account/bedrock/agents/AB12CD34EF/get-agent.json" \
  "$AI/account/bedrock/agents/AB12CD34EF/action-groups/lookup-order.json" "$T/gfc/"
"$PYTHON" -c 'import json, sys
f = json.load(open(sys.argv[1]))["Functions"][0]
json.dump(f, open(sys.argv[2], "w"), indent=4)' \
  "$AI/account/lambda/list-functions.json" "$T/gfc/get-function-configuration.json"
expect_status 0 nhi collect --source "aws:ai=$T/gfc" -o "$T/gfc-out"
db_json "$T/gfc-out/evidence.db" "$T/gfc.json" "SELECT json_extract(attrs, '$.as'),
  to_ref FROM edges WHERE kind = 'runs_as' ORDER BY to_ref"
expect_json_eq "$T/gfc.json" 'r' "[
  ['action-group', '$ACCT:role/acme-order-lookup-lambda'],
  ['agent', '$ACCT:role/service-role/AmazonBedrockExecutionRoleForAgents_support']]" \
  "the function's role from get-function-configuration"
expect_stderr_line "coverage gap: bedrock-agent:ListAgentKnowledgeBases" \
  "no knowledge base outputs for agent AB12CD34EF"

describe "one file alone is read too"
expect_status 0 nhi collect --source \
  "aws:ai=$AI/account/sagemaker/describe-notebook-instance-churn-research.json" \
  -o "$T/one"
db_json "$T/one/evidence.db" "$T/one.json" "SELECT platform, name FROM ai_agents"
expect_json_eq "$T/one.json" 'r' "[['aws-sagemaker', 'churn-research']]" \
  "a single describe-notebook-instance output gives its notebook"

finish
