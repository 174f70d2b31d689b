#!/usr/bin/env bash
# Live AWS collection (--source aws:live) against tests/replay/server.py
# replaying recorded API answers: paginated calls followed to the last
# page, throttling (400 Throttling, 429 with Retry-After), a 500 and a
# connection cut mid-body retried, denied calls kept as coverage gaps,
# credentials from the environment and from a role profile assumed
# through STS, every request's SigV4 signature checked by the server's
# own signer, and no secret anywhere in what nhiscope writes.
. "$(dirname "$0")/lib.sh"

LIVE="$NHISCOPE_HOME/tests/fixtures/aws/live"
SERVER="$NHISCOPE_HOME/tests/replay/server.py"
ACCOUNT=210987654321
ENV_KEY=AKIAQ3EXAMPLEAUDIT01
ENV_SECRET='wJalrXUtnFEMI/K7MDENG+bPxRfiCYFAKEAUDITKEY1'
ENV_TOKEN='FwoGZXIvYXdzEFAKEenvSessionTokenForReplay0123456789'
BASE_KEY=AKIAQ3EXAMPLEBASE001
BASE_SECRET='bAsE/kEy+FAKEsecretForTheSourceProfile01'
SESSION_KEY=ASIAQ3EXAMPLESESSION
SESSION_SECRET='Zq8vRw3Tk5Yp7Ls9Dh2Fj4Gm6Nb8Vc0Xx1SessionFAKE'
SESSION_TOKEN='IQoJb3JpZ2luX2VjEFAKEsessionTokenForReplayTestsOnly7Hk2Lp9Qm4Rn6St8Uv0Wx'
STATIC_SECRET='sTaTiC/FAKEsecretForTheCutScenario0001'
NOW_EPOCH=1796115600   # $NOW
REPLAY_PID=""

stop_replay() {
  if [ -n "$REPLAY_PID" ]; then
    kill "$REPLAY_PID" 2>/dev/null
    wait "$REPLAY_PID" 2>/dev/null
    REPLAY_PID=""
  fi
}
trap 'stop_replay; rm -rf "$T"' EXIT

# start_replay NAME: serves tests/fixtures/aws/live/scenario-NAME.json;
# sets PORT, and LOG to the request log.
start_replay() {
  local portfile="$T/$1.port"
  LOG="$T/$1.log"
  "$PYTHON" "$SERVER" "$LIVE/scenario-$1.json" --log "$LOG" \
    --timeout 60 >"$portfile" &
  REPLAY_PID=$!
  for _ in $(seq 100); do
    [ -s "$portfile" ] && break
    sleep 0.05
  done
  PORT=$(head -n 1 "$portfile")
}

# The request log as one JSON array, for expect_json.
log_json() {
  "$PYTHON" -c 'import json, sys
print(json.dumps([json.loads(l) for l in open(sys.argv[1])]))' "$LOG" \
    >"$LOG.json"
}

# nhiscope with no AWS settings from the caller's environment, HOME in
# the temp folder, and every AWS endpoint at the replay server.
live() {
  env -u AWS_PROFILE -u AWS_REGION -u AWS_DEFAULT_REGION \
    -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
    -u AWS_SECURITY_TOKEN -u AWS_CONFIG_FILE -u AWS_SHARED_CREDENTIALS_FILE \
    HOME="$T/home" NHISCOPE_AWS_ENDPOINT="http://127.0.0.1:$PORT" "$@"
}

# no_secret WHAT SECRET...: no file below $DIR and not the last stderr
# holds any SECRET.
no_secret() {
  local what=$1 s hits=""
  shift
  for s in "$@"; do
    if grep -rlaF -- "$s" "$DIR" "$ERR" >/dev/null 2>&1; then
      hits="$hits $(grep -rlaF -- "$s" "$DIR" "$ERR" | tr '\n' ' ')"
    fi
  done
  if [ -z "$hits" ]; then
    pass "$what"
  else
    fail "$what" "found in$hits"
  fi
}

mkdir -p "$T/home"
export ACCOUNT

describe "environment credentials, faults on the way"
start_replay env
DIR="$T/env"
REPORT="$DIR/report.json"
expect_status 0 live AWS_ACCESS_KEY_ID=$ENV_KEY \
  AWS_SECRET_ACCESS_KEY="$ENV_SECRET" AWS_SESSION_TOKEN="$ENV_TOKEN" \
  "$NHISCOPE" --now "$NOW" -vv assess --source aws:live -o "$DIR"
log_json
expect_json_eq "$REPORT" '[(s["spec"], s["method"], s["status"],
  s["account"]) for s in r["assessment"]["sources"]]' \
  "[('aws:live', 'live', 'ok', '$ACCOUNT')]" "the source is live and ok"
expect_json "$REPORT" '(lambda s: s["error"] is None and
  {g["call"] for g in s["gaps"]} >= {"organizations:ListPolicies",
                                     "s3:GetBucketPolicy"}
  and all(g["reason"] for g in s["gaps"]))(r["assessment"]["sources"][0])' \
  "the denied calls are recorded as coverage gaps"
expect_json_eq "$REPORT" '[g["call"] for g in r["assessment"]["sources"][0]["gaps"]
  if g["call"].startswith("kms:")]' '["kms:GetKeyPolicy"]' \
  "a key policy that cannot be read is a gap, not a failure"
expect_json_eq "$REPORT" '(r["inventory"]["identities"],
  r["inventory"]["credentials"], r["inventory"]["resources"],
  r["inventory"]["sensitive_resources"])' '(6, 4, 8, 2)' \
  "inventory: 6 identities, 4 keys, 3 buckets + 3 KMS keys + trail + account"
expect_stderr_has "warning: coverage gap: organizations:ListPolicies"
expect_stderr_line "iam:ListAccessKeys: HTTP 429" "retrying in 1000 ms"
expect_stderr_line "iam:GetAccountAuthorizationDetails: HTTP 400 Throttling" \
  "retrying in"
expect_stderr_line "iam:GetAccessKeyLastUsed: HTTP 500" "retrying in"
expect_stderr_line "s3:ListBuckets" "connection was cut after 200 bytes" \
  "retrying in"
db_json "$DIR/evidence.db" "$T/kms.json" "SELECT r.native_id, r.sensitivity,
  json_extract(r.attrs, '$.key_manager'), p.native_id IS NOT NULL
  FROM resources r LEFT JOIN policies p ON p.native_id = r.native_id
  AND p.kind = 'resource' WHERE r.type = 'kms-key' ORDER BY r.native_id"
KEY=arn:aws:kms:us-east-1:$ACCOUNT:key
expect_json_eq "$T/kms.json" 'r' "[
  ['$KEY/0b3e5a7c-1d2f-4e6a-9b8c-7d6e5f4a3b21', 'restricted', 'CUSTOMER', 1],
  ['$KEY/5f1c9e2d-8a7b-4c3d-b2e1-0f9a8b7c6d54', None, 'CUSTOMER', 0],
  ['$KEY/a8d2c4e6-3b5f-4a7c-8e9d-1c2b3a4f5e66', None, 'AWS', 1]]" \
  "KMS keys over two pages: key policies where readable, tag sensitivity"
expect_json_eq "$LOG.json" '[e["json"].get("Marker") is not None for e in r
  if (e["target"] or "").endswith("ListKeys")]' '[False, True]' \
  "ListKeys followed its NextMarker"
ROUTES='[e["route"] for e in r]'
expect_json "$LOG.json" 'len(r) == 49 and None not in '"$ROUTES" \
  "49 requests, each answered by a route"
expect_json_eq "$LOG.json" '[(e["route"], e["response"]) for e in r
  if e["action"] == "GetAccountAuthorizationDetails"]' \
  '[("gaad-1", 200), ("gaad-2-throttled", 400), ("gaad-2-throttled", 200),
    ("gaad-3", 200)]' "every GAAD page fetched, the throttled one twice"
expect_json_eq "$LOG.json" '[e["params"].get("Marker") for e in r
  if e["action"] == "ListUsers"]' '[None, "AAUsersPage2=="]' \
  "ListUsers followed its Marker"
expect_json_eq "$LOG.json" '[(e["json"].get("NextToken"), e["json"]["StartTime"],
  e["json"]["EndTime"]) for e in r if (e["target"] or "").endswith("LookupEvents")]' \
  "[(None, $NOW_EPOCH - 7 * 86400, $NOW_EPOCH),
    ('eyJ0b2tlbiI6InBhZ2UtMiJ9', $NOW_EPOCH - 7 * 86400, $NOW_EPOCH)]" \
  "LookupEvents: the last 7 days, both pages"
expect_json "$LOG.json" '(lambda t: len(t) == 2 and t[1] - t[0] >= 0.95)(
  [e["time"] for e in r if e["route"] == "keys-svc-backup-429"])' \
  "the retry after a 429 waited for its Retry-After: 1"
expect_json_eq "$LOG.json" '[(e["response"], e["cut"]) for e in r
  if e["route"] in ("last-used-500", "s3-list-buckets-cut")]' \
  '[(500, False), (200, False), (200, True), (200, False)]' \
  "the 500 and the cut connection were retried"
expect_json "$LOG.json" 'all(e["auth"]["access_key"] == "'$ENV_KEY'"
  and e["auth"]["signature_valid"] is True and e["security_token"]
  and e["amz_date_headers"] == 1 for e in r)' \
  "every request signed with the environment key (and its session token); the server's signer agrees"
expect_json_eq "$LOG.json" 'sorted({(e["auth"]["service"], e["auth"]["region"])
  for e in r})' '[("bedrock", "us-east-1"), ("bedrock-agentcore", "us-east-1"),
  ("cloudtrail", "us-east-1"), ("iam", "us-east-1"),
  ("kms", "us-east-1"), ("organizations", "us-east-1"), ("s3", "eu-west-1"), ("s3", "us-east-1"),
  ("s3", "us-west-2"), ("sagemaker", "us-east-1"), ("sts", "us-east-1")]' \
  "each service signed for its region, each bucket for its own"
for f in iam/gaad.json iam/credential-report.json iam/access-keys.json \
  cloudtrail/lookup-events.json cloudtrail/trails/describe-trails.json \
  cloudtrail/trails/trail-status-acme-audit.json s3/list-buckets.json \
  s3/buckets/acme-customer-exports/policy.json sts/caller-identity.json; do
  expect_file "$DIR/raw/1-aws/$f"
done
expect_json_eq "$DIR/raw/1-aws/iam/gaad.json" '(len(r["UserDetailList"]),
  len(r["GroupDetailList"]), len(r["RoleDetailList"]), len(r["Policies"]),
  r["RoleDetailList"][0]["CreateDate"])' \
  '(3, 1, 2, 2, "2023-02-14T09:12:00Z")' \
  "gaad.json merges the three pages, dates as ISO-8601"
expect_json_eq "$DIR/raw/1-aws/cloudtrail/lookup-events.json" \
  'sorted(e["eventName"] for e in r["Records"])' \
  '["DescribeStacks", "ListBuckets", "ListBuckets", "UpdateStack"]' \
  "lookup-events.json holds the parsed CloudTrailEvent records"
db_json "$DIR/evidence.db" "$T/keys.json" "SELECT c.native_id, c.status,
  c.last_used_at, json_extract(c.attrs, '$.slot') FROM credentials c
  ORDER BY c.native_id"
expect_json_eq "$T/keys.json" 'r' '[
  ["AKIAQ3EXAMPLEALICE01", "active", "2026-11-30T17:42:00Z", 1],
  ["AKIAQ3EXAMPLEBACKUP1", "active", "2026-11-29T04:15:00Z", 1],
  ["AKIAQ3EXAMPLECIDEPL1", "active", "2026-11-30T23:05:00Z", 1],
  ["AKIAQ3EXAMPLECIDEPL2", "inactive", None, 2]]' \
  "each key once: the credential report's rows got their key ids"
db_json "$DIR/evidence.db" "$T/buckets.json" "SELECT native_id, sensitivity,
  json_extract(attrs, '$.region'), json_extract(attrs, '$.has_policy')
  FROM resources WHERE type = 's3-bucket' ORDER BY native_id"
expect_json_eq "$T/buckets.json" 'r' '[
  ["arn:aws:s3:::acme-build-artifacts", None, "us-west-2", 0],
  ["arn:aws:s3:::acme-customer-exports", "restricted", "eu-west-1", 1],
  ["arn:aws:s3:::acme-orbital-cloudtrail", None, "us-east-1", None]]' \
  "buckets: region, tag-based sensitivity, policy unknown where denied"
no_secret "no secret or token in evidence.db, reports, raw files or stderr" \
  "$ENV_SECRET" "$ENV_TOKEN"

describe "the replay server's signer can fail"
URL="http://127.0.0.1:$PORT"
curl -s -o /dev/null --aws-sigv4 "aws:amz:us-east-1:sts" \
  --user "$ENV_KEY:$ENV_SECRET" -d "Action=GetCallerIdentity&Version=2011-06-15" \
  "$URL/"
curl -s -o /dev/null --aws-sigv4 "aws:amz:us-east-1:sts" \
  --user "$ENV_KEY:not-the-secret" \
  -d "Action=GetCallerIdentity&Version=2011-06-15" "$URL/"
curl -s -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" \
  --user "$ENV_KEY:$ENV_SECRET" \
  -H "x-amz-content-sha256: $(printf '' | sha256sum | cut -d' ' -f1)" \
  "$URL/acme-build-artifacts?tagging"
log_json
expect_json_eq "$LOG.json" '[(e["auth"]["signature_valid"], e["response"])
  for e in r[49:]]' '[(True, 200), (False, 403), (False, 403)]' \
  "curl's own signature passes; a wrong secret and an uncanonical query fail"
stop_replay

describe "AI workloads: Bedrock agents over pages, throttling and a denied call"
start_replay ai
DIR="$T/ai"
REPORT="$DIR/report.json"
RAW="$DIR/raw/1-aws/ai"
expect_status 0 live AWS_ACCESS_KEY_ID=$ENV_KEY \
  AWS_SECRET_ACCESS_KEY="$ENV_SECRET" AWS_SESSION_TOKEN="$ENV_TOKEN" \
  "$NHISCOPE" --now "$NOW" -vv assess --format json --source aws:live -o "$DIR"
log_json
AI_ROUTES='[e["route"] for e in r if (e["route"] or "").startswith("ai-")]'
expect_json_eq "$LOG.json" "$AI_ROUTES" '["ai-agents-1", "ai-agents-2",
  "ai-agent-support", "ai-groups-support", "ai-group-lookup", "ai-kbs-support",
  "ai-agent-hr-throttled", "ai-agent-hr-throttled", "ai-groups-hr-denied",
  "ai-kbs-hr", "ai-knowledge-bases", "ai-knowledge-bases", "ai-kb", "ai-ds-1",
  "ai-ds-2", "ai-ds-manuals", "ai-ds-wiki", "ai-functions", "ai-runtimes",
  "ai-runtime", "ai-notebooks-denied", "ai-endpoints", "ai-endpoint",
  "ai-endpoint-config", "ai-model"]' \
  "every AI call once, both pages of agents and data sources, the throttled ones twice"
expect_json_eq "$LOG.json" '[(e["response"], e["json"]) for e in r
  if e["route"] in ("ai-agents-1", "ai-agents-2")]' \
  '[(200, {"maxResults": 100}), (200, {"maxResults": 100, "nextToken": "eyJwYWdlIjoyfQ=="})]' \
  "ListAgents followed its nextToken in the body"
expect_json_eq "$LOG.json" 'sorted({(e["auth"]["service"], e["auth"]["region"])
  for e in r if (e["route"] or "").startswith("ai-")})' \
  '[("bedrock", "us-east-1"), ("bedrock-agentcore", "us-east-1"),
    ("lambda", "us-east-1"), ("sagemaker", "us-east-1")]' \
  "Bedrock Agents signed as bedrock, AgentCore's control plane as bedrock-agentcore"
expect_json "$LOG.json" 'all(e["auth"]["signature_valid"] is True for e in r)' \
  "every request's signature checks out"
expect_stderr_line "bedrock-agent:GetAgent: HTTP 429 ThrottlingException" "retrying in"
expect_stderr_line "bedrock-agent:ListKnowledgeBases: HTTP 400 ThrottlingException" \
  "retrying in"
expect_json "$REPORT" '(lambda s: s["status"] == "ok" and {g["call"] for g in s["gaps"]
  if not g["call"].startswith("kms:")}
  == {"bedrock-agent:ListAgentActionGroups", "sagemaker:ListNotebookInstances"})(
  r["assessment"]["sources"][0])' \
  "the denied AI calls are the only gaps; the source is ok"
expect_json_eq "$REPORT" 'r["inventory"]["ai_agents"]' '4' \
  "4 AI agents: two Bedrock agents, the runtime, the endpoint"
db_json "$DIR/evidence.db" "$T/ai-agents.json" "SELECT a.platform, a.name,
  i.native_id, json_array_length(a.data_sources) FROM ai_agents a
  LEFT JOIN identities i ON i.id = a.identity_id ORDER BY a.native_id"
expect_json_eq "$T/ai-agents.json" 'r' "[
  ['aws-bedrock-agentcore', 'claims_triage', 'arn:aws:iam::$ACCOUNT:role/AgentCoreRuntime-claims-triage', None],
  ['aws-bedrock-agent', 'support-bot',
   'arn:aws:iam::$ACCOUNT:role/service-role/AmazonBedrockExecutionRoleForAgents_support', 2],
  ['aws-bedrock-agent', 'hr-helper',
   'arn:aws:iam::$ACCOUNT:role/service-role/AmazonBedrockExecutionRoleForAgents_hr', 0],
  ['aws-sagemaker', 'churn-scorer',
   'arn:aws:iam::$ACCOUNT:role/service-role/AmazonSageMaker-ExecutionRole-20260510T081230', None]]" \
  "each agent tied to its role; the support agent's data from both pages of data sources"
db_json "$DIR/evidence.db" "$T/ai-edges.json" "SELECT json_extract(attrs, '$.as'),
  to_ref FROM edges WHERE kind = 'runs_as' AND from_ref LIKE '%agent/AB12CD34EF'
  ORDER BY to_ref"
expect_json_eq "$T/ai-edges.json" 'r' "[
  ['action-group', 'arn:aws:iam::$ACCOUNT:role/acme-order-lookup-lambda'],
  ['agent', 'arn:aws:iam::$ACCOUNT:role/service-role/AmazonBedrockExecutionRoleForAgents_support'],
  ['knowledge-base', 'arn:aws:iam::$ACCOUNT:role/service-role/AmazonBedrockExecutionRoleForKnowledgeBase_support']]" \
  "runs_as the agent's, its knowledge base's and its action group Lambda's roles"
for f in bedrock/list-agents.json bedrock/agents/AB12CD34EF/get-agent.json \
  bedrock/knowledge-bases/HJ5K8L2M9N/list-data-sources.json \
  lambda/list-functions.json agentcore/runtimes/claims_triage-Xk3Lp9Qw2E.json \
  sagemaker/models/churn-xgb-2026-06.json; do
  expect_file "$RAW/$f"
done
expect_json_eq "$RAW/bedrock/knowledge-bases/HJ5K8L2M9N/list-data-sources.json" \
  '[d["dataSourceId"] for d in r["dataSourceSummaries"]]' '["DS1S3MANU1", "DS2CONFL02"]' \
  "the saved list merges both pages"
expect_json_eq "$RAW/sagemaker/models/churn-xgb-2026-06.json" \
  '(r["CreationTime"], "Environment" in r["PrimaryContainer"])' \
  '("2026-06-01T08:55:00Z", False)' \
  "saved as the CLI prints it (ISO dates), without the container's environment"
expect_status 0 nhi collect --source "aws:ai=$RAW" -o "$T/ai-again"
expect_json_eq "$REPORT" 'r["inventory"]["ai_agents"]' '4' "(report unchanged)"
db_json "$T/ai-again/evidence.db" "$T/ai-again.json" "SELECT count(*) FROM ai_agents"
expect_json_eq "$T/ai-again.json" 'r' '[[4]]' "aws:ai reads the saved answers back"
no_secret "no Lambda, model or runtime environment secret written or logged" \
  "ghp_FAKEreplayTokenNotARealOne000000000000" \
  "sk-FAKEreplayKeyNotReal0123456789abcdef" "FAKEreplayPassw0rdNotReal" \
  "$ENV_SECRET" "$ENV_TOKEN"
stop_replay

describe "a role profile assumed through STS"
start_replay role
DIR="$T/role"
REPORT="$DIR/report.json"
mkdir -p "$T/aws"
cat >"$T/aws/config" <<'EOF'
# nhiscope e2e: a role assumed with a source profile's keys
[default]
region = us-east-1
s3 =
  max_concurrent_requests = 10

[profile audit]
role_arn = arn:aws:iam::210987654321:role/nhiscope-audit
source_profile = base
external_id = acme-audit-2026
duration_seconds = 1800
region = eu-west-1
EOF
cat >"$T/aws/credentials" <<EOF
[base]
aws_access_key_id = $BASE_KEY
aws_secret_access_key = $BASE_SECRET
EOF
expect_status 0 live AWS_CONFIG_FILE="$T/aws/config" \
  AWS_SHARED_CREDENTIALS_FILE="$T/aws/credentials" \
  "$NHISCOPE" --now "$NOW" -vv assess --source "aws:live=audit,days=3" \
  -o "$DIR"
log_json
expect_json_eq "$REPORT" '[(s["location"], s["status"])
  for s in r["assessment"]["sources"]]' '[("audit,days=3", "ok")]' \
  "the source names the profile"
expect_json "$REPORT" 'any(g["call"] == "cloudtrail:LookupEvents" and
  g["reason"].startswith("AccessDeniedException: User:")
  for g in r["assessment"]["sources"][0]["gaps"])' \
  "the report says LookupEvents was denied"
expect_stderr_has "warning: coverage gap: cloudtrail:LookupEvents"
expect_json_eq "$LOG.json" '(r[0]["action"], r[0]["auth"]["access_key"],
  r[0]["auth"]["region"], r[0]["security_token"], r[0]["params"]["RoleArn"],
  r[0]["params"]["ExternalId"], r[0]["params"]["DurationSeconds"])' \
  '("AssumeRole", "'$BASE_KEY'", "eu-west-1", False,
    "arn:aws:iam::210987654321:role/nhiscope-audit", "acme-audit-2026", "1800")' \
  "AssumeRole first, signed with the source profile's key"
expect_json "$LOG.json" 'all(e["auth"]["access_key"] == "'$SESSION_KEY'"
  and e["security_token"] and e["auth"]["signature_valid"] is True
  for e in r[1:]) and r[0]["auth"]["signature_valid"] is True' \
  "then everything signed with the role's session key and token"
expect_json_eq "$LOG.json" 'sorted({(e["auth"]["service"], e["auth"]["region"])
  for e in r if e["auth"]["service"] in ("cloudtrail", "iam", "sts")})' \
  '[("cloudtrail", "eu-west-1"), ("iam", "us-east-1"), ("sts", "eu-west-1")]' \
  "the profile's region for regional services, us-east-1 for IAM"
expect_json_eq "$LOG.json" '[e["response"] for e in r
  if e["action"] == "GetCredentialReport"]' '[404, 200]' \
  "GetCredentialReport retried while the report was in progress"
expect_json_eq "$LOG.json" '[e["json"]["StartTime"] for e in r
  if (e["target"] or "").endswith("LookupEvents")]' \
  "[$NOW_EPOCH - 3 * 86400]" "days=3 from the source spec"
db_json "$DIR/evidence.db" "$T/scps.json" "SELECT name,
  json_extract(document, '$.Statement[0].Effect') FROM policies
  WHERE kind = 'scp' ORDER BY name"
expect_json_eq "$T/scps.json" 'r' \
  '[["FullAWSAccess", "Allow"], ["deny-leave-org", "Deny"]]' \
  "service control policies read when permitted"
db_json "$DIR/evidence.db" "$T/targets.json" "SELECT name,
  json_extract(attrs, '$.targets') FROM policies
  WHERE kind = 'scp' ORDER BY name"
expect_json_eq "$T/targets.json" '[(n, json.loads(t)) for n, t in r]' \
  '[("FullAWSAccess", ["r-7f3k"]),
    ("deny-leave-org", ["ou-7f3k-9q2w8e1r", "111122223333"])]' \
  "each SCP keeps the roots, OUs and accounts it is attached to"
db_json "$DIR/evidence.db" "$T/tree.json" "SELECT from_type, from_ref,
  to_type, to_ref FROM edges WHERE kind = 'member_of'
  AND from_type IN ('account', 'ou') ORDER BY id"
expect_json_eq "$T/tree.json" 'r' \
  '[["account", "210987654321", "ou", "ou-7f3k-9q2w8e1r"],
    ["ou", "ou-7f3k-9q2w8e1r", "root", "r-7f3k"]]' \
  "the account is placed in the organization: account, OU, root"
no_secret "no source secret, session secret or token written or logged" \
  "$BASE_SECRET" "$SESSION_SECRET" "$SESSION_TOKEN"
stop_replay

describe "a connection cut on every attempt"
start_replay cut
DIR="$T/cut"
REPORT="$DIR/report.json"
cat >"$T/aws/credentials" <<EOF
[static]
aws_access_key_id = AKIAQ3EXAMPLESTATIC1
aws_secret_access_key = $STATIC_SECRET
EOF
expect_status 1 live AWS_SHARED_CREDENTIALS_FILE="$T/aws/credentials" \
  AWS_CONFIG_FILE="$T/aws/missing" \
  "$NHISCOPE" --now "$NOW" assess --source aws:live=static -o "$DIR"
log_json
expect_stderr_line "aws.live" "iam:GetAccountAuthorizationDetails: cannot fetch" \
  "'http://127.0.0.1:$PORT/'" "connection was cut after 512 bytes" \
  "(4 attempts)"
expect_json "$REPORT" '(lambda s: s["status"] == "failed" and "connection was cut"
  in s["error"])(r["assessment"]["sources"][0])' \
  "the source failed, saying why"
expect_json_eq "$REPORT" 'r["inventory"]["identities"]' '0' \
  "nothing half-collected was kept"
expect_json_eq "$LOG.json" '[e["route"] for e in r]' \
  '["sts-caller-identity"] + ["gaad-cut"] * 4' "tried four times"
no_secret "no secret written or logged" "$STATIC_SECRET"
stop_replay

describe "no credentials at all"
PORT=9
DIR="$T/none"
expect_status 1 live "$NHISCOPE" --now "$NOW" assess --source aws:live \
  -o "$DIR"
expect_stderr_line "aws.live" "no AWS credentials" "AWS_ACCESS_KEY_ID"

describe "checks cannot reach the network"
mkdir -p "$T/net"
cat >"$T/net/net.lua" <<'EOF'
-- e2e test plugin: a check that tries the network
return {
  id = "e2e.net",
  kind = "check",
  question = "activity-monitoring",
  category = "logging-gap",
  owasp = "NHI10",
  severity = "info",
  title = "e2e check that calls nhi.http",
  remediation = "Nothing to do: this is a test.",
  run = function(ctx)
    nhi.http.request{ url = "http://127.0.0.1:9/" }
  end,
}
EOF
expect_status 1 nhi check --plugins "$T/net" -o "$T/env"
expect_status 0 nhi report -o "$T/env"
expect_json "$T/env/report.json" '[p["error"] for p in r["plugins"]
  if p["id"] == "e2e.net"][0].find("only a collector") >= 0' \
  "the check failed: only a collector's run may reach the network"

finish
