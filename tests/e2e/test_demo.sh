#!/usr/bin/env bash
# The bundled demo (Northwind Robotics) end to end: the files written, the
# shape of report.json, the identities each check flags (as planted in
# demo/northwind/README.md), the PDF's text and reproducible output.
. "$(dirname "$0")/lib.sh"

ACCT=arn:aws:iam::412398765001
R="$T/demo/report.json"

# A Python expression: the set of identities a check flagged.
flagged() {
  printf '{f["identity"] for f in r["findings"] if f["check"] == "%s"}' "$1"
}

describe "assess --demo"
expect_status 0 nhi assess --demo -o "$T/demo"
expect_file "$T/demo/evidence.db"
expect_file "$T/demo/report.json"
expect_file "$T/demo/report.pdf"

describe "report.json header"
expect_json "$R" 'isinstance(r.get("schema_version"), (str, int)) and
  r["schema_version"] not in ("", 0)' "schema_version is set"
expect_json_eq "$R" 'sorted(r)' 'sorted(["schema_version", "generator",
  "assessment", "score", "questions", "inventory", "ai", "findings",
  "remediation", "plugins"])' "top-level keys"
expect_json_eq "$R" 'r["assessment"]["client"]' '"Northwind Robotics"'
expect_json_eq "$R" 'r["assessment"]["now"]' '"2026-12-01T09:00:00Z"'
expect_json_eq "$R" '[(s["spec"], s["status"])
  for s in r["assessment"]["sources"]]' '[("aws:authz=gaad.json", "ok"),
  ("aws:credential-report=credential-report.csv", "ok"),
  ("aws:cloudtrail=cloudtrail", "ok"), ("aws:trails=trails", "ok"),
  ("aws:ai=ai", "ok"), ("files:path=repos", "ok"),
  ("openai:export=openai", "ok"), ("anthropic:export=anthropic", "ok"),
  ("gcp:export=gcp", "ok"), ("azure:export=azure", "ok")]' \
  "the demo's sources, in order, are ok"
expect_json_eq "$R" '[(p["id"], p["status"]) for p in r["plugins"]
  if p["status"] != "ok"]' '[("anthropic.admin", "skipped"), ("aws.live", "skipped"),
  ("git.repo", "skipped"), ("openai.admin", "skipped")]' \
  "every plugin ran ok but the live and git collectors, which the demo has no use for"

describe "questions"
expect_json_eq "$R" '[q["id"] for q in r["questions"]]' \
  '["ai-data-access", "overprivilege", "activity-monitoring",
  "ai-data-trace"]' "four questions in order"
expect_json "$R" '[q for q in r["questions"] if q["id"] == "ai-data-access"
  and q["answer"] == "no" and q["findings"]["total"] == 22]' \
  "ai-data-access is assessed: two MCP servers hold their credentials, nine AI provider key findings, one shadow AI role, nine AI paths to sensitive data, one agent beyond its declared data"
expect_json_eq "$R" "[(q['answer'], q['findings']['total']) for q in r['questions']
  if q['id'] == 'ai-data-trace']" '[("partly", 5)]' \
  "ai-data-trace is assessed: four untraceable AI paths and one traced flow"
expect_json "$R" '[q for q in r["questions"] if q["id"] == "overprivilege"
  and q["answer"] in ("yes", "partly", "no")
  and isinstance(q["score"], int) and q["checks_run"] >= 2]' \
  "overprivilege is assessed (answer, score, checks run)"
expect_json_eq "$R" '[q["findings"]["total"] for q in r["questions"]]' \
  '[sum(1 for f in r["findings"] if f["question"] == q)
  for q in ("ai-data-access", "overprivilege", "activity-monitoring",
  "ai-data-trace")]' "question finding totals match the findings"

describe "inventory"
I='r["inventory"]'
expect_json_eq "$R" "$I['identities']" "$I['human'] + $I['non_human']" \
  "identities == human + non_human"
expect_json_eq "$R" "sum(k['total'] for k in $I['by_kind'])" \
  "$I['identities']" "by_kind totals sum to identities"
expect_json_eq "$R" "[k['kind'] for k in $I['by_kind']
  if k['total'] != k['human'] + k['non_human']]" '[]' \
  "each by_kind total == human + non_human"
expect_json_eq "$R" "sum(k['non_human'] for k in $I['by_kind'])" \
  "$I['non_human']" "by_kind non_human sums to non_human"
expect_json_eq "$R" "sum(p['total'] for p in $I['by_provider'])" \
  "$I['identities']" "by_provider totals sum to identities"
# README: 8 people + 8 machine users, 37 roles of which 3 SSO roles
# are used by people, and the root user from the credential report.
expect_json_eq "$R" "[(p['total'], p['human'], p['non_human'])
  for p in $I['by_provider'] if p['provider'] == 'aws']" \
  '[(54, 12, 42)]' "54 AWS identities: 12 human, 42 non-human"
# README, "AI provider organisations": 5 OpenAI users (one has left) and
# 2 service accounts; 4 Anthropic users (one has left). "Google Cloud and
# Azure": 9 in the GCP project (2 people), 3 in the Azure subscription
# (1 person).
expect_json_eq "$R" "($I['identities'], $I['human'], $I['non_human'])" \
  '(77, 24, 53)' "77 identities: 24 human, 53 non-human"
expect_json_eq "$R" "{p['provider']: (p['total'], p['human'])
  for p in $I['by_provider'] if p['provider'] != 'aws'}" \
  "{'gcp': (9, 2), 'azure': (3, 1), 'openai': (7, 5), 'anthropic': (4, 4)}" \
  "GCP, Azure, OpenAI and Anthropic identities"
expect_json_eq "$R" "$I['credentials']" '28' \
  "28 credentials: 14 access keys, a signing certificate, 6 OpenAI and 4 Anthropic keys, 2 GCP keys, 1 Entra secret"

describe "aws.iam.admin-equivalent"
expect_json_eq "$R" "$(flagged aws.iam.admin-equivalent)" "{
  '$ACCT:user/service/terraform-cloud', '$ACCT:user/legacy-etl-bot',
  '$ACCT:user/ci-deployer', '$ACCT:role/ci/github-actions-infra-deploy',
  '$ACCT:role/OrganizationAccountAccessRole'}" \
  "flags exactly the five machine admins"
expect_json "$R" "'$ACCT:user/service/svc-reporting' not in
  $(flagged aws.iam.admin-equivalent)" \
  "svc-reporting (capped by its boundary) is not flagged"
expect_json "$R" "'$ACCT:user/alice.moreau' not in
  $(flagged aws.iam.admin-equivalent)" \
  "alice.moreau (a person) is not flagged"

describe "AI workloads (aws:ai) and shadow AI"
db_json "$T/demo/evidence.db" "$T/ai.json" "SELECT a.platform, a.name, i.name
  FROM ai_agents a LEFT JOIN identities i ON i.id = a.identity_id
  WHERE a.platform LIKE 'aws-%' ORDER BY a.native_id"
expect_json_eq "$T/ai.json" 'r' "[
  ['aws-bedrock-agent', 'support-copilot', 'AmazonBedrockExecutionRoleForAgents_support-copilot'],
  ['aws-sagemaker', 'churn-model-dev', 'AmazonSageMaker-ExecutionRole-20240611T101522']]" \
  "the Bedrock agent and the SageMaker notebook, each with its role"
db_json "$T/demo/evidence.db" "$T/ai-edges.json" "SELECT json_extract(attrs, '$.as'),
  json_extract(attrs, '$.also'), to_ref FROM edges WHERE kind = 'runs_as'
  AND from_ref LIKE '%:agent/R7KQ2M9XTA' ORDER BY to_ref"
expect_json_eq "$T/ai-edges.json" 'r' "[
  ['agent', '[\"knowledge-base\"]', '$ACCT:role/service-role/AmazonBedrockExecutionRoleForAgents_support-copilot'],
  ['action-group', None, '$ACCT:role/slack-alert-forwarder-lambda']]" \
  "the agent runs as its role (its knowledge base's too) and its Slack action group's Lambda role"
db_json "$T/demo/evidence.db" "$T/ai-data.json" "SELECT data_sources FROM ai_agents
  WHERE native_id LIKE '%:agent/R7KQ2M9XTA'"
expect_json_eq "$T/ai-data.json" '[(d["type"], d["ref"], d["prefixes"], d["via"])
  for d in json.loads(r[0][0])]' \
  "[('s3', 'arn:aws:s3:::northwind-support-kb', ['articles/', 'manuals/'], 'KB7XQ2M4NP')]" \
  "its declared data: the knowledge base's bucket"
expect_json_eq "$R" "{f['identity']: (f['status'], f['severity'])
  for f in r['findings'] if f['check'] == 'aws.ai.shadow-ai'}" \
  "{'$ACCT:role/hackathon-chatbot-lambda': ('fail', 'medium')}" \
  "shadow AI: only the hackathon Lambda (bedrock:*), not the declared agent's role"

describe "aws.iam.privilege-escalation"
expect_json_eq "$R" "{f['identity']: (f['status'], f['severity'],
  f['evidence']['target']) for f in r['findings']
  if f['check'] == 'aws.iam.privilege-escalation'}" "{
  '$ACCT:user/service/svc-metrics-exporter':
    ('fail', 'critical', '$ACCT:user/alice.moreau'),
  '$ACCT:role/jenkins-build-agent':
    ('fail', 'high', '$ACCT:role/data-pipeline-worker')}" \
  "flags exactly svc-metrics-exporter (to admin) and jenkins (to PII)"
expect_json_eq "$R" "[[(s['permission'], s['technique'], s['decision'])
  for s in f['evidence']['steps']] for f in r['findings']
  if f['check'] == 'aws.iam.privilege-escalation'
  and f['identity'] == '$ACCT:role/jenkins-build-agent']" \
  "[[('iam:PassRole + ec2:RunInstances', 'pass-role-ec2', 'allow')]]" \
  "jenkins' one step: PassRole with RunInstances"
expect_json_eq "$R" "[[g['resource'] for g in f['evidence']['gained']]
  for f in r['findings'] if f['check'] == 'aws.iam.privilege-escalation'
  and f['identity'] == '$ACCT:role/jenkins-build-agent']" \
  "[['arn:aws:s3:::northwind-customer-pii-prod']]" \
  "jenkins gains the PII bucket through data-pipeline-worker"
expect_json_eq "$R" "[sorted(f['evidence']['also_reaches'])
  for f in r['findings'] if f['check'] == 'aws.iam.privilege-escalation'
  and f['identity'] == '$ACCT:user/service/svc-metrics-exporter']" \
  "[['$ACCT:user/ci-deployer', '$ACCT:user/legacy-etl-bot',
    '$ACCT:user/priya.raman', '$ACCT:user/service/terraform-cloud']]" \
  "svc-metrics-exporter could as well mint a key for four other admins"

describe "aws.iam.cross-account-trust"
expect_json_eq "$R" "$(flagged aws.iam.cross-account-trust)" "{
  '$ACCT:role/legacy-partner-upload',
  '$ACCT:role/vendor/bluefin-cost-analytics',
  '$ACCT:role/staging-artifact-reader',
  '$ACCT:role/vendor/keystone-backup-vendor',
  '$ACCT:role/ci/github-actions-docs-site-deploy',
  '$ACCT:role/ci/github-actions-infra-deploy'}" \
  "flags exactly the six trusts of the README"
expect_json_eq "$R" "[f['severity'] for f in r['findings']
  if f['check'] == 'aws.iam.cross-account-trust'
  and f['identity'] == '$ACCT:role/vendor/keystone-backup-vendor']" \
  '["low"]' "keystone (ExternalId, unknown account) is only low"

describe "aws.iam.role-unused"
expect_json_eq "$R" "$(flagged aws.iam.role-unused)" "{
  '$ACCT:role/ci/github-actions-docs-site-deploy',
  '$ACCT:role/legacy-partner-upload',
  '$ACCT:role/app/thumbnail-resizer-lambda',
  '$ACCT:role/service-role/AmazonSageMaker-ExecutionRole-20240611T101522',
  '$ACCT:role/vendor/bluefin-cost-analytics',
  '$ACCT:role/cost-report-lambda', '$ACCT:role/hackathon-chatbot-lambda',
  '$ACCT:role/app/ota-canary-task'}" "flags exactly the eight idle roles"
expect_json_eq "$R" "{json.dumps(f['threshold'], sort_keys=True)
  for f in r['findings'] if f['check'] == 'aws.iam.role-unused'}" \
  '{"{\"max_days\": 90}"}' 'threshold is {"max_days": 90}'
expect_json_eq "$R" "{f['title'] for f in r['findings']
  if f['check'] == 'aws.iam.role-unused'}" \
  '{"Role unused for more than 90 days"}' "title shows the threshold"

# A Python expression: {identity: severity} of a check's findings.
severities() {
  printf '{f["identity"]: f["severity"] for f in r["findings"]
    if f["check"] == "%s"}' "$1"
}

describe "aws.iam.root-access-key"
expect_json_eq "$R" "$(severities aws.iam.root-access-key)" \
  "{'$ACCT:root': 'critical'}" "flags the root user's active key"

describe "aws.iam.access-key-not-rotated"
expect_json_eq "$R" "$(severities aws.iam.access-key-not-rotated)" "{
  '$ACCT:root': 'high', '$ACCT:user/datadog-integration': 'high',
  '$ACCT:user/service/github-actions-user': 'high',
  '$ACCT:user/legacy-etl-bot': 'high',
  '$ACCT:user/service/svc-metrics-exporter': 'high',
  '$ACCT:user/service/svc-backup': 'medium',
  '$ACCT:user/service/terraform-cloud': 'medium'}" \
  "flags exactly the seven old keys; over 180 days is high"
expect_json_eq "$R" "[f['evidence']['slot'] for f in r['findings']
  if f['check'] == 'aws.iam.access-key-not-rotated'
  and f['identity'] == '$ACCT:user/service/svc-metrics-exporter']" \
  '[1]' "svc-metrics-exporter: only key 1 is old"
expect_json_eq "$R" "{json.dumps(f['threshold'], sort_keys=True)
  for f in r['findings'] if f['check'] == 'aws.iam.access-key-not-rotated'}" \
  '{"{\"max_age_days\": 90}"}' 'threshold is {"max_age_days": 90}'

describe "aws.iam.access-key-unused"
expect_json_eq "$R" "{f['identity']: f['title'] for f in r['findings']
  if f['check'] == 'aws.iam.access-key-unused'}" "{
  '$ACCT:root': 'Access key unused for more than 45 days',
  '$ACCT:user/datadog-integration': 'Access key unused for more than 45 days',
  '$ACCT:user/service/github-actions-user':
    'Access key unused for more than 45 days',
  '$ACCT:user/service/svc-reporting':
    'Access key never used, created more than 30 days ago'}" \
  "flags the three idle keys and the never-used one"

describe "aws.iam.two-active-keys"
expect_json_eq "$R" "$(flagged aws.iam.two-active-keys)" \
  "{'$ACCT:user/service/svc-metrics-exporter'}" \
  "flags only svc-metrics-exporter (svc-backup's key 2 is inactive)"

describe "aws.iam.human-use-of-machine-user"
expect_json_eq "$R" "$(severities aws.iam.human-use-of-machine-user)" "{
  '$ACCT:user/legacy-etl-bot': 'high', '$ACCT:user/marcus.okafor': 'medium'}" \
  "legacy-etl-bot's console password (high), marcus.okafor's key (medium)"

# A Python expression: {resource: severity} of a check's findings.
resource_severities() {
  printf '{f["resource"]: f["severity"] for f in r["findings"]
    if f["check"] == "%s"}' "$1"
}

describe "aws:cloudtrail and aws:trails"
expect_json_eq "$R" '[s["account"] for s in r["assessment"]["sources"]
  if s["kind"] in ("cloudtrail", "trails")]' \
  '["412398765001", "412398765001"]' "both sources name the account"

describe "aws.cloudtrail.logging-gap"
expect_json_eq "$R" "$(resource_severities aws.cloudtrail.logging-gap)" "{
  'arn:aws:s3:::northwind-customer-pii-prod': 'high',
  'arn:aws:s3:::northwind-payroll-exports': 'high',
  'arn:aws:s3:::northwind-firmware-builds': 'medium',
  'arn:aws:s3:::northwind-finance-reports': 'medium',
  'arn:aws:dynamodb:eu-central-1:412398765001:table/customers': 'medium',
  'arn:aws:dynamodb:eu-central-1:412398765001:table/orders': 'medium'}" \
  "flags exactly the six sensitive stores whose reads are not logged"
expect_json_eq "$R" "[(f['confidence'], f['evidence']['sensitivity_source'])
  for f in r['findings'] if f['check'] == 'aws.cloudtrail.logging-gap'
  and f['resource'] == 'arn:aws:s3:::northwind-finance-reports']" \
  "[('low', 'name')]" "northwind-finance-reports: sensitive by its name only, low confidence"
expect_json_eq "$R" "[f for f in r['findings']
  if f['check'] == 'aws.cloudtrail.logging-gap'
  and f['resource'] == 'arn:aws:s3:::northwind-support-kb']" '[]' \
  "northwind-support-kb (data events on) is not flagged"

describe "aws.activity.unused-identity"
expect_json_eq "$R" "[(f['identity'], f['status'], f['severity'],
  f['evidence']['window_days']) for f in r['findings']
  if f['check'] == 'aws.activity.unused-identity']" \
  '[(None, "indeterminate", "info", 29)]' \
  "29 days of logs: one indeterminate finding, nobody judged unused"

describe "aws.activity.human-use-of-nhi"
expect_json_eq "$R" "$(severities aws.activity.human-use-of-nhi)" "{
  '$ACCT:user/legacy-etl-bot': 'high',
  '$ACCT:role/OrganizationAccountAccessRole': 'medium'}" \
  "legacy-etl-bot's sign-ins (high); the org access role from a browser"
expect_json_eq "$R" "[f['evidence']['distinct_source_ips'] for f in
  r['findings'] if f['check'] == 'aws.activity.human-use-of-nhi'
  and f['identity'] == '$ACCT:user/legacy-etl-bot']" '[7]' \
  "legacy-etl-bot called from seven addresses"

describe "aws.activity.anomalous"
expect_json_eq "$R" "$(severities aws.activity.anomalous)" \
  "{'$ACCT:role/jenkins-build-agent': 'medium'}" \
  "flags only jenkins-build-agent"
expect_json_eq "$R" "[sorted(s['service'] for s in f['evidence']
  ['new_services']) for f in r['findings']
  if f['check'] == 'aws.activity.anomalous']" \
  '[["iam", "secretsmanager", "sts"]]' "its new services"

describe "gcp:export and azure:export"
expect_json_eq "$R" "{(f['check'], f['identity'], f['severity'])
  for f in r['findings'] if f['check'].startswith('gcp.')}" "{
  ('gcp.iam.ai-service-account-key-age',
   'vision-inference@northwind-vision-prod.iam.gserviceaccount.com', 'high'),
  ('gcp.iam.basic-role-service-account',
   '731046285519-compute@developer.gserviceaccount.com', 'high'),
  ('gcp.vertex.service-agent-extra-roles',
   'service-731046285519@gcp-sa-aiplatform.iam.gserviceaccount.com', 'high')}" \
  "the inspector's 474-day key, the default SA's Editor, the Vertex AI Service Agent's storage.admin"
db_json "$T/demo/evidence.db" "$T/clouds-agents.json" "SELECT a.platform, a.name, e.to_ref
  FROM ai_agents a JOIN edges e ON e.kind = 'runs_as'
  AND e.from_ref = a.native_id
  WHERE a.platform IN ('gcp-vertex', 'azure-openai') ORDER BY 1, 2"
expect_json_eq "$T/clouds-agents.json" '[(p, n) for p, n, _ in r]' '[
  ("azure-openai", "northwind-sales-openai"),
  ("gcp-vertex", "Vertex AI Custom Code Service Agent"),
  ("gcp-vertex", "Vertex AI Service Agent"),
  ("gcp-vertex", "weld-seam-vit-v7")]' \
  "the sales copilot, the weld-seam endpoint and two Vertex service agents"
db_json "$T/demo/evidence.db" "$T/clouds-reach.json" "SELECT r.name, r.sensitivity
  FROM data_access a JOIN resources r ON r.native_id = a.resource_ref
  WHERE a.kind = 'can_read' AND a.identity_ref IN (SELECT to_ref FROM
  edges WHERE kind = 'runs_as' AND from_ref IN (SELECT native_id FROM
  ai_agents WHERE name IN ('weld-seam-vit-v7', 'northwind-sales-openai')))
  ORDER BY 1"
expect_json_eq "$T/clouds-reach.json" 'r' '[
  ["northwind-robot-camera-frames", "confidential"],
  ["northwind-vision-models", "internal"],
  ["northwindcrmexports", "restricted"],
  ["northwindsalesassets", "internal"]]' \
  "their identities read the camera frames and the restricted CRM exports"

describe "findings"
expect_json_eq "$R" '[f["id"] for f in r["findings"]
  if not isinstance(f["title"], str) or not f["title"]]' '[]' \
  "no finding has a null or empty title"
expect_json_eq "$R" '[f["id"] for f in r["findings"]
  if "{" in f["title"]]' '[]' "no title keeps a {placeholder}"
expect_json_eq "$R" '{p["id"]: p["findings"] for p in r["plugins"]
  if p["kind"] == "check"}' '{c: sum(1 for f in r["findings"]
  if f["check"] == c) for c in {p["id"] for p in r["plugins"]
  if p["kind"] == "check"}}' "plugins[].findings match the findings"

describe "report.pdf"
pdftotext "$T/demo/report.pdf" - 2>/dev/null | tr -s ' \n\t' '   ' \
  >"$T/pdf.txt"
for text in "Northwind Robotics" \
  "Do you know which AI agents can access sensitive data?" \
  "Can you identify overprivileged service accounts and APIs?" \
  "Do you monitor machine identity activity continuously?" \
  "Can you trace how AI workflows interact with enterprise data?"; do
  if grep -qF -- "$text" "$T/pdf.txt"; then
    pass "has '$text'"
  else
    fail "has '$text'" "pdftotext: $(head -c 300 "$T/pdf.txt")"
  fi
done

describe "determinism"
expect_status 0 nhi assess --demo -o "$T/again"
expect_true "two runs give byte-identical report.json" \
  cmp "$R" "$T/again/report.json"


describe "data access edges"
DB="$T/demo/evidence.db"
# edges_json OUT SQL: the rows of SQL over the demo's evidence.db as JSON.
edges_json() {
  "$PYTHON" -c 'import json, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchall()
print(json.dumps(rows))' "$DB" "$2" >"$1"
}
edges_json "$T/access-counts.json" "SELECT kind, json_extract(attrs,
  '$.decision'), count(*) FROM data_access
  WHERE json_extract(attrs, '$.derived') = 'aws-policy-engine'
  GROUP BY 1, 2 ORDER BY 1, 2"
expect_json_eq "$T/access-counts.json" 'r' '[["can_read", "allow", 298],
  ["can_read", "indeterminate", 43], ["can_write", "allow", 214]]' \
  "298 reads, 214 writes, 43 indeterminate reads"
edges_json "$T/access-clouds.json" "SELECT json_extract(attrs,
  '$.derived'), kind, count(*) FROM data_access
  WHERE json_extract(attrs, '$.derived') <> 'aws-policy-engine'
  GROUP BY 1, 2 ORDER BY 1, 2"
expect_json_eq "$T/access-clouds.json" 'r' '[["azure-rbac", "can_read", 4],
  ["azure-rbac", "can_write", 2], ["gcp-iam", "can_read", 15],
  ["gcp-iam", "can_write", 9]]' \
  "GCP bindings and Azure role assignments give 30 more (555 + 30 = 585)"
edges_json "$T/access-sets.json" "SELECT count(*), count(DISTINCT
  from_ref), sum(json_extract(attrs, '$.set.stores')) FROM edges
  WHERE to_type = 'resource_set'"
expect_json_eq "$T/access-sets.json" 'r' '[[27, 16, 262]]' \
  "16 identities reach many stores alike: 27 set edges for 262 pairs"
edges_json "$T/pii-readers.json" "SELECT substr(identity_ref, 27),
  json_extract(attrs, '$.objects') FROM data_access WHERE kind =
  'can_read' AND resource_ref = 'arn:aws:s3:::northwind-customer-pii-prod'
  ORDER BY identity_ref"
expect_json_eq "$T/pii-readers.json" '{k: v for k, v in r
  if "reserved" not in k and k.split("/")[-1] not in ("alice.moreau",
  "priya.raman", "hannah.schmidt", "tomas.novak", "li.wei")}' '{
  "role/OrganizationAccountAccessRole": "[\"*\"]",
  "role/ci/github-actions-infra-deploy": "[\"*\"]",
  "role/data-pipeline-worker": "[\"*\"]",
  "role/service-role/AmazonBedrockExecutionRoleForAgents_support-copilot":
    "[\"support-exports/*\"]",
  "role/service-role/AmazonSageMaker-ExecutionRole-20240611T101522":
    "[\"churn-features/*\"]",
  "role/vendor/bluefin-cost-analytics": "[\"*\"]",
  "user/ci-deployer": "[\"*\"]",
  "user/datadog-integration": "[\"*\"]",
  "user/legacy-etl-bot": "[\"*\"]",
  "user/service/github-actions-user": "[\"*\"]",
  "user/service/terraform-cloud": "[\"*\"]"}' \
  "the machine identities that can read the PII bucket, and which objects"
expect_json_eq "$T/pii-readers.json" '[k for k, v in r if k.split("/")[-1]
  in ("svc-backup", "dev.patel", "sofia.lindqvist", "marcus.okafor")]' \
  '[]' "an explicit Deny leaves svc-backup and the Developers out"
edges_json "$T/kms.json" "SELECT DISTINCT json_extract(attrs,
  '$.decision'), json_extract(attrs, '$.indeterminate[0].condition_key')
  FROM data_access WHERE kind = 'can_read'
  AND resource_ref LIKE 'arn:aws:kms:%' ORDER BY 2"
expect_json_eq "$T/kms.json" 'r' '[["indeterminate", None],
  ["indeterminate", "kms:ViaService"]]' \
  "KMS decrypts stay indeterminate: no key policy, or kms:ViaService"
expect_status 0 nhi collect --demo -o "$T/demo"
edges_json "$T/access-again.json" "SELECT count(*) FROM data_access"
expect_json_eq "$T/access-again.json" 'r' '[[585]]' \
  "collecting again replaces the edges, it does not add to them"

describe "remediation plan"
expect_json_eq "$R" 'list(r)[list(r).index("findings") + 1]' '"remediation"' \
  "remediation follows findings in report.json"
expect_json_eq "$R" '[(a["id"], a["check"], a["count"], a["effort"],
  a["quick_win"]) for a in r["remediation"][:10]]' '[
  ("R01", "secrets.exposed-secret", 7, "low", True),
  ("R02", "aws.iam.access-key-not-rotated", 7, "low", True),
  ("R03", "aws.cloudtrail.logging-gap", 6, "low", True),
  ("R04", "ai.path.untraced-access", 4, "low", True),
  ("R05", "ai.provider-key-without-owner", 3, "low", True),
  ("R06", "aws.iam.root-access-key", 1, "low", True),
  ("R07", "secrets.ai-agent-credential", 2, "low", True),
  ("R08", "gcp.iam.ai-service-account-key-age", 1, "low", True),
  ("R09", "gcp.vertex.service-agent-extra-roles", 1, "low", True),
  ("R10", "aws.iam.admin-equivalent", 5, "medium", False)]' \
  "quick wins first, then the most risk removed per unit of effort"
expect_json_eq "$R" '[a["action"] for a in r["remediation"][:10]]' '[
  "Rotate 7 exposed secrets", "Rotate 7 access keys",
  "Close 6 gaps in CloudTrail logging",
  "Log the data events of 4 AI agent paths to sensitive data",
  "Give 3 orphaned AI provider keys an owner or revoke them",
  "Delete the root user'"'"'s access key",
  "Move 2 AI agent credentials out of MCP configurations",
  "Delete 1 old key of an AI service account",
  "Remove the extra roles of the Vertex AI service agent",
  "Scope down 5 identities with administrator-equivalent rights"]' \
  "each action is a sentence from the catalogue"
expect_json_eq "$R" 'sorted(f for a in r["remediation"]
  for f in a["findings"])' 'sorted(f["id"] for f in r["findings"])' \
  "every finding is in exactly one action"
expect_json_eq "$R" '[a["check"] for a in r["remediation"]
  if a["identities"] != sorted({f["identity"] for f in r["findings"]
    if f["check"] == a["check"] and f["identity"]})
  or a["count"] != len(a["findings"])]' '[]' \
  "identities are sorted and unique; count is the findings'"
expect_json_eq "$R" '{a["check"]: a["risk_removed"]
  for a in r["remediation"][:4]}' '{"secrets.exposed-secret": 20,
  "aws.iam.access-key-not-rotated": 12, "aws.cloudtrail.logging-gap": 8,
  "ai.path.untraced-access": 6}' "risk removed sums the score weights"
expect_json_eq "$R" '[a["severity"] for a in r["remediation"]
  if a["check"] == "aws.iam.cross-account-trust"]' '["critical"]' \
  "an action takes its worst finding's severity"
for text in "Remediation plan" "Rotate 7 access keys" \
  "Scope down 5 identities with administrator-equivalent"; do
  if grep -qF -- "$text" "$T/pdf.txt"; then
    pass "PDF has '$text'"
  else
    fail "PDF has '$text'" "pdftotext: $(head -c 300 "$T/pdf.txt")"
  fi
done

describe "report.pdf navigation"
PDF="$T/demo/report.pdf"
PAGES=$(pdfinfo "$PDF" 2>/dev/null | awk '/^Pages:/ {print $2}')
pdftotext -layout -f 2 -l 2 "$PDF" "$T/toc.txt" 2>/dev/null
for heading in "The four questions" "Top risks" "Inventory" "Findings" \
  "Remediation plan" "Coverage"; do
  page=$(sed -n "s/^ *$heading  *\([0-9][0-9]*\) *\$/\1/p" "$T/toc.txt")
  if [ -z "$page" ] || [ "$page" -gt "${PAGES:-0}" ]; then
    fail "contents lists '$heading'" "contents: $(cat "$T/toc.txt")"
  elif pdftotext -layout -f "$page" -l "$page" "$PDF" "$T/page.txt" \
    2>/dev/null && grep -q "^ *$heading" "$T/page.txt"; then
    pass "contents: '$heading' is on page $page"
  else
    fail "contents: '$heading' is on page $page" "not found there"
  fi
done
if grep -qF -- "Northwind Robotics — Confidential — Page $PAGES of $PAGES" \
  "$T/pdf.txt"; then
  pass "the footer numbers the last page 'Page $PAGES of $PAGES'"
else
  fail "the footer numbers the pages" "$(head -c 300 "$T/pdf.txt")"
fi

describe "report.pdf top risks"
tr -d ' ' <"$T/pdf.txt" >"$T/pdf-nospace.txt"
for text in "Toprisks" \
  "Anattackerwhogetsholdofoneoftheseidentities'credentialscontrols" \
  "Peopleoutsidetheorganisation,oranyonewhobreaksintoanotheraccount" \
  "Identitiesinvolved:root" "Whattodo:Deletetherootuser'saccesskey"; do
  if grep -qF -- "$text" "$T/pdf-nospace.txt"; then
    pass "has '$text'"
  else
    fail "has '$text'" "pdftotext: $(head -c 300 "$T/pdf.txt")"
  fi
done

describe "AI agent paths (README, \"AI agent paths\")"
export NWA=arn:aws:iam::412398765001:role
export AGENT_ROLE=$NWA/service-role/AmazonBedrockExecutionRoleForAgents_support-copilot
expect_json_eq "$R" 'len(r["ai"]["paths"]), len(r["ai"]["agents"])' '(10, 21)' \
  "ten paths from the demo's agents"
expect_json_eq "$R" '[(p["trace"], p["count"], p["first_seen"], p["last_seen"],
  [s["permission"] for s in p["steps"]]) for p in r["ai"]["paths"]
  if p["resource"] == "arn:aws:s3:::northwind-customer-pii-prod"
  and p["identity"] == env["AGENT_ROLE"]]' '[("used", 18,
  "2026-11-04T12:19:44Z", "2026-11-17T16:46:16Z", ["runs_as", "s3:GetObject"])]' \
  "the Bedrock agent's reads of the PII bucket are traced"
expect_json_eq "$R" '[(p["agent"].split("/")[-1], p["trace"], p["steps"][0]["as"])
  for p in r["ai"]["paths"] if p["identity"] == env["NWA"] + "/slack-alert-forwarder-lambda"]' \
  '[("R7KQ2M9XTA", "unlogged", "action-group")]' \
  "the agent reaches the webhook secret through its action group's Lambda role"
expect_json_eq "$R" 'sorted((f["check"], f["severity"], f["identity"].split("/")[-1],
  (f["resource"] or "").split("/")[-1].split(":")[-1]) for f in r["findings"]
  if f["check"].startswith("ai.agent.") or f["check"].startswith("ai.path."))' '[
  ("ai.agent.reach-exceeds-declared", "high",
   "AmazonBedrockExecutionRoleForAgents_support-copilot", ""),
  ("ai.agent.sensitive-data-access", "high", "2e7c5a91-4d3b-4f86-8a1c-6b9e0d2f7c45",
   "northwindcrmexports"),
  ("ai.agent.sensitive-data-access", "high",
   "AmazonBedrockExecutionRoleForAgents_support-copilot", "northwind-customer-pii-prod"),
  ("ai.agent.sensitive-data-access", "high",
   "AmazonSageMaker-ExecutionRole-20240611T101522", "northwind-customer-pii-prod"),
  ("ai.agent.sensitive-data-access", "high", "service-731046285519@gcp-sa-aiplatform.iam.gserviceaccount.com",
   "northwind-robot-camera-frames"),
  ("ai.agent.sensitive-data-access", "high", "slack-alert-forwarder-lambda",
   "slack-webhook-Hn4cWd"),
  ("ai.agent.sensitive-data-access", "medium",
   "AmazonBedrockExecutionRoleForAgents_support-copilot", "customers"),
  ("ai.agent.sensitive-data-access", "medium",
   "AmazonBedrockExecutionRoleForAgents_support-copilot", "orders"),
  ("ai.agent.sensitive-data-access", "medium", "service-731046285519@gcp-sa-aiplatform-cc.iam.gserviceaccount.com",
   "northwind-robot-camera-frames"),
  ("ai.agent.sensitive-data-access", "medium", "vision-inference@northwind-vision-prod.iam.gserviceaccount.com",
   "northwind-robot-camera-frames"),
  ("ai.path.traced-flow", "info",
   "AmazonBedrockExecutionRoleForAgents_support-copilot", "northwind-customer-pii-prod"),
  ("ai.path.untraced-access", "high",
   "AmazonSageMaker-ExecutionRole-20240611T101522", "northwind-customer-pii-prod"),
  ("ai.path.untraced-access", "high", "slack-alert-forwarder-lambda",
   "slack-webhook-Hn4cWd"),
  ("ai.path.untraced-access", "medium",
   "AmazonBedrockExecutionRoleForAgents_support-copilot", "customers"),
  ("ai.path.untraced-access", "medium",
   "AmazonBedrockExecutionRoleForAgents_support-copilot", "orders")]' \
  "the AI path checks' findings, exactly"
expect_json_eq "$R" '[(f["evidence"]["declared"], f["evidence"]["beyond_count"])
  for f in r["findings"] if f["check"] == "ai.agent.reach-exceeds-declared"]' \
  '[(["arn:aws:s3:::northwind-support-kb"], 4)]' \
  "the headline: the agent declares the support knowledge base and reaches four stores beyond it"
if grep -qF -- "Used 18 times, 4 November 2026 to 17 November 2026" "$T/pdf.txt"; then
  pass "report.pdf's AI section shows the traced path"
else
  fail "report.pdf's AI section shows the traced path" "not in the PDF's text"
fi

describe "AI provider organisations (README, \"AI provider organisations\")"
expect_json_eq "$R" 'sorted((f["check"], f["severity"], f["status"], f["identity"],
  f["resource"]) for f in r["findings"] if f["check"].startswith("ai.provider-"))' '[
  ("ai.provider-key-unscoped", "critical", "fail", "user-NwAlice01", "key_NwAdm001"),
  ("ai.provider-key-unscoped", "medium", "fail", "user-NwPriya02", "key_NwLeg001"),
  ("ai.provider-key-unscoped", "medium", "fail", "user_01NwSofia", "apikey_01NwCursorBridge"),
  ("ai.provider-key-unused", "medium", "fail", "user-NwDevP03", "key_NwDev001"),
  ("ai.provider-key-unused", "medium", "fail", "user-NwJonas09", "key_NwHack01"),
  ("ai.provider-key-unused", "medium", "indeterminate", "user_01NwSofia", "apikey_01NwCursorBridge"),
  ("ai.provider-key-without-owner", "high", "fail", "user-NwDevP03", "key_NwDev001"),
  ("ai.provider-key-without-owner", "high", "fail", "user-NwJonas09", "key_NwHack01"),
  ("ai.provider-key-without-owner", "high", "fail", "user_01NwMarta", "apikey_01NwTicketTriage")]' \
  "unused, orphaned and unscoped AI provider keys; Anthropic's use indeterminate"
expect_json_eq "$R" 'sorted((f["severity"], f["identity"], f["evidence"]["key_id"],
  f["location"]["path"]) for f in r["findings"] if f["check"] == "secrets.exposed-secret"
  and f["secret_type"] == "openai_api_key")' '[
  ("critical", "user-NwAlice01", "key_NwAdm001", "firmware-pipeline/scripts/usage_report.py"),
  ("high", "svc_acct_NwCopilotProd", "key_NwCop001", "support-copilot/deploy/copilot.env")]' \
  "found OpenAI keys are the admin key and the copilot's project key, by their redacted values"
expect_json_eq "$R" '[(f["identity"], f["evidence"]["key_id"]) for f in r["findings"]
  if f["check"] == "secrets.ai-agent-credential" and f["secret_type"] == "anthropic_api_key"]' \
  '[("user_01NwSofia", "apikey_01NwCursorBridge")]' \
  "the Cursor MCP server's Anthropic key is Sofia's Default-workspace key"

finish
