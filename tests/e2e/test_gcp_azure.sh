#!/usr/bin/env bash
# Google Cloud and Azure exports end to end: `assess` on a gcloud/bq
# export folder and an az export folder (tests/fixtures/gcp/export,
# tests/fixtures/azure/export), checked in report.json (inventory by
# provider, AI agents, findings, coverage gaps) and in the evidence store
# (data_access rows from the grants, runs_as edges); then broken copies of
# those folders, each failing its source with one line naming the file.
. "$(dirname "$0")/lib.sh"

GCP="$NHISCOPE_HOME/tests/fixtures/gcp/export"
AZ="$NHISCOPE_HOME/tests/fixtures/azure/export"
SCHEMA="$NHISCOPE_HOME/docs/report.schema.json"
R="$T/both/report.json"
DB="$T/both/evidence.db"
SA=vision-serving@acme-ml-prod.iam.gserviceaccount.com
AGENT=service-482913376055@gcp-sa-aiplatform.iam.gserviceaccount.com
# invoice-triage's agent identity (an Agent Engine agent, AGENT_IDENTITY)
AGENT_ID=principal://agents.global.org-318822064519.system.id.goog
AGENT_ID=$AGENT_ID/resources/aiplatform/projects/482913376055/locations
AGENT_ID=$AGENT_ID/us-central1/reasoningEngines/7205314961847746560

describe "gcp:export and azure:export"
expect_status 0 nhi assess --source "gcp:export=$GCP" \
  --source "azure:export=$AZ" -o "$T/both"
expect_true "report.json is valid" "$PYTHON" "$E2E_DIR/validate.py" \
  "$SCHEMA" "$R"
expect_json_eq "$R" '[(s["provider"], s["kind"], s["status"])
  for s in r["assessment"]["sources"]]' \
  '[("gcp", "export", "ok"), ("azure", "export", "ok")]' "both sources ok"
expect_json_eq "$R" '{p["provider"]: (p["total"], p["human"])
  for p in r["inventory"]["by_provider"]}' \
  '{"gcp": (12, 2), "azure": (8, 1)}' \
  "identities by provider: gcp 12 (2 people), azure 8 (1 person)"
expect_json_eq "$R" 'r["inventory"]["ai_agents"]' '9' \
  "9 AI agents: 1 endpoint model, 3 Agent Engine agents, 3 service agents, 2 Azure accounts"
expect_json_eq "$R" 'r["inventory"]["sensitive_resources"]' '4' \
  "4 sensitive stores from labels and tags"
expect_json_eq "$R" 'sorted((f["check"], f["identity"], f["severity"])
  for f in r["findings"] if not f["check"].startswith(("ai.agent.", "ai.path.")))' "[
  ('gcp.iam.ai-service-account-key-age', '$SA', 'high'),
  ('gcp.iam.basic-role-service-account',
   '482913376055-compute@developer.gserviceaccount.com', 'high'),
  ('gcp.vertex.service-agent-extra-roles', '$AGENT', 'high')]" \
  "findings: the endpoint SA's old key, the default SA's Editor, the service agent's objectAdmin"
expect_json_eq "$R" '[(p["access"], p["sensitivity"], [s["permission"] for s in p["steps"]])
  for p in r["ai"]["paths"] if p["resource"].endswith("/contosocrmexports")]' \
  '[("read", "restricted", ["runs_as", "Storage Blob Data Reader"])]' \
  "AI paths: the sales copilot's managed identity reads the restricted CRM exports by its role"
expect_json_eq "$R" 'len(r["ai"]["paths"])' '10' "AI paths: ten from the nine agents"
expect_json_eq "$R" '[f["evidence"]["last_used_at"] for f in r["findings"]
  if f["check"] == "gcp.iam.ai-service-account-key-age"]' \
  '["2026-10-14T07:00:00Z"]' "the key's last use, from Activity Analyzer"
expect_json_eq "$R" 'sorted(g["call"] for s in r["assessment"]["sources"]
  for g in s["gaps"])' '["cloudidentity.groups.memberships",
  "cognitiveServices.accounts.deployments.list", "groups.members",
  "storage.buckets.getIamPolicy"]' "coverage gaps: what the exports lack"

db_json "$DB" "$T/used.json" "SELECT native_id, last_used_at,
  usage_tracked_since FROM identities WHERE last_used_at IS NOT NULL
  ORDER BY 1"
expect_json_eq "$T/used.json" 'r' "[
  ['etl-loader@acme-ml-prod.iam.gserviceaccount.com',
   '2026-11-29T07:00:00Z', '2026-05-04T07:00:00Z'],
  ['$SA', '2026-11-30T07:00:00Z', '2026-05-04T07:00:00Z']]" \
  "service accounts' last authentication, and since when it is observed"
db_json "$DB" "$T/reach.json" "SELECT a.kind, a.identity_ref,
  a.resource_ref, json_extract(a.attrs, '$.derived'),
  json_extract(a.attrs, '$.decision'), a.actions FROM data_access a
  JOIN resources r ON r.native_id = a.resource_ref
  WHERE r.sensitivity = 'restricted' ORDER BY 2, 1"
expect_json_eq "$T/reach.json" '[(k, i[:8], r.rsplit("/", 1)[1], d, s,
  json.loads(a)) for k, i, r, d, s, a in r]' "[
  ('can_read', '2b3c4d5e', 'contosocrmexports', 'azure-rbac',
   'indeterminate', ['Storage Blob Data Reader']),
  ('can_read', '482913376055-compute@developer.gserviceaccount.com'[:8],
   'customer_analytics', 'gcp-iam', 'allow', ['roles/editor']),
  ('can_write', '482913376055-compute@developer.gserviceaccount.com'[:8],
   'customer_analytics', 'gcp-iam', 'allow', ['roles/editor']),
  ('can_read', '48291337', 'customer_analytics', 'gcp-iam', 'allow',
   ['roles/editor']),
  ('can_write', '48291337', 'customer_analytics', 'gcp-iam', 'allow',
   ['roles/editor']),
  ('can_read', '6f1e2d3c', 'contosocrmexports', 'azure-rbac', 'allow',
   ['Storage Blob Data Reader']),
  ('can_read', 'maria.lo', 'customer_analytics', 'gcp-iam', 'allow',
   ['roles/owner']),
  ('can_write', 'maria.lo', 'customer_analytics', 'gcp-iam', 'allow',
   ['roles/owner']),
  ('can_read', 'service-', 'customer_analytics', 'gcp-iam', 'allow',
   ['roles/aiplatform.serviceAgent']),
  ('can_read', 'support-', 'customer_analytics', 'gcp-iam', 'allow',
   ['roles/bigquery.dataViewer'])]" \
  "data_access lists who reaches the restricted stores, from both clouds"
db_json "$DB" "$T/runs.json" "SELECT a.platform, e.to_ref,
  json_extract(e.attrs, '$.as') FROM ai_agents a JOIN edges e
  ON e.kind = 'runs_as' AND e.from_ref = a.native_id
  WHERE a.name IN ('defect-detector-v3', 'faq-bot', 'contoso-foundry',
  'invoice-triage')
  ORDER BY a.name, e.to_ref"
expect_json_eq "$T/runs.json" 'r' "[
  ['azure-openai', '0c9b8a7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d', 'managed-identity'],
  ['azure-openai', '4d5e6f70-8192-4a3b-bc4d-5e6f70819203', 'managed-identity'],
  ['gcp-vertex', '$SA', 'service-account'],
  ['gcp-vertex',
   'service-482913376055@gcp-sa-aiplatform-re.iam.gserviceaccount.com',
   'service-account'],
  ['gcp-vertex', '$AGENT_ID', 'agent']]" \
  "runs_as: the endpoint's SA, two Agent Engine identities, two managed identities"
db_json "$DB" "$T/agent-id.json" "SELECT i.kind, a.kind, a.resource_ref
  FROM data_access a JOIN identities i ON i.native_id = a.identity_ref
  WHERE a.identity_ref = '$AGENT_ID'"
expect_json_eq "$T/agent-id.json" 'r' "[['ai_agent', 'can_read',
  '//storage.googleapis.com/projects/_/buckets/acme-ml-model-artifacts']]" \
  "an agent identity (principal://) reaches what its bucket binding gives"
# contoso-foundry's own identity is Contributor on rg-data and
# dana.whitfield Owner of the subscription: account keys open
# contosodocs, not contosocrmexports (allowSharedKeyAccess false).
db_json "$DB" "$T/keys.json" "SELECT replace(to_ref,
  rtrim(to_ref, 'abcdefghijklmnopqrstuvwxyz'), ''), kind FROM edges
  WHERE kind IN ('can_read', 'can_write') AND from_ref IN
  ('0c9b8a7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d',
   '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b')
  AND json_extract(attrs, '$.via') = json_array('keys')
  ORDER BY to_ref, kind, from_ref"
expect_json_eq "$T/keys.json" 'sorted(set(map(tuple, r)))' "[
  ('contosodocs', 'can_read'), ('contosodocs', 'can_write'),
  ('contosopublicweb', 'can_read'), ('contosopublicweb', 'can_write')]" \
  "Owner and Contributor reach data through keys only where shared keys are on"

db_json "$DB" "$T/custom.json" "SELECT e.kind, i.name, e.actions FROM edges e
  JOIN identities i ON i.native_id = e.from_ref
  WHERE e.kind LIKE 'can_%' AND (e.actions LIKE '%Contoso Contract%'
  OR e.actions LIKE '%modelArtifactReader%') ORDER BY e.to_ref"
expect_json_eq "$T/custom.json" 'sorted(set((k, n, tuple(json.loads(a)))
  for k, n, a in r))' "[
  ('can_read', 'cost-dashboard', ('Contoso Contract Reader',)),
  ('can_read', 'vision-serving',
   ('projects/acme-ml-prod/roles/modelArtifactReader',)),
  ('can_read', 'vision-serving',
   ('projects/acme-ml-prod/roles/modelArtifactReader',
    'roles/storage.objectViewer'))]" \
  "custom roles open data by their permissions (custom-roles.json, role-definitions.json)"

describe "REST answers read like the CLI's"
# The same exports as the APIs answer them: lists wrapped in their REST
# keys, buckets in the JSON API's fields, role assignments in ARM's shape
# (properties{}, no role name: the built-in role's GUID says it).
"$PYTHON" - "$GCP" "$AZ" "$T/rest" <<'PY'
import json, os, shutil, sys
gcp, az, out = sys.argv[1:]
shutil.copytree(gcp, f"{out}/gcp")
shutil.copytree(az, f"{out}/azure")
def rewrap(path, fn):
    v = json.load(open(path))
    json.dump(fn(v), open(path, "w"), indent=2)
def bucket(b):
    r = {"kind": "storage#bucket", "name": b["name"], "id": b["name"],
         "projectNumber": "482913376055", "location": b["location"],
         "timeCreated": b["creation_time"], "iamConfiguration": {
             "uniformBucketLevelAccess": {"enabled": True},
             "publicAccessPrevention": b["public_access_prevention"]}}
    if "labels" in b:
        r["labels"] = b["labels"]
    return r
rewrap(f"{out}/gcp/buckets.json",
       lambda v: {"kind": "storage#buckets", "items": [bucket(b) for b in v]})
rewrap(f"{out}/gcp/service-accounts.json", lambda v: {"accounts": v})
rewrap(f"{out}/gcp/bq-datasets.json",
       lambda v: {"kind": "bigquery#datasetList", "datasets": v})
rewrap(f"{out}/gcp/endpoints.json", lambda v: {"endpoints": v})
keys = f"{out}/gcp/keys"
for name in os.listdir(keys):
    rewrap(f"{keys}/{name}", lambda v: {"keys": v})
def arm(a):
    props = {k: a[k] for k in ("principalId", "principalType", "scope",
             "condition", "conditionVersion", "createdOn", "updatedOn",
             "createdBy", "updatedBy", "roleDefinitionId")}
    return {"id": a["id"], "name": a["name"], "type": a["type"],
            "properties": props}
rewrap(f"{out}/azure/role-assignments.json",
       lambda v: {"value": [arm(a) for a in v]})
rewrap(f"{out}/azure/service-principals.json",
       lambda v: {"@odata.context": "https://graph.microsoft.com/v1.0/"
                  "$metadata#servicePrincipals", "value": v})
rewrap(f"{out}/azure/storage-accounts.json", lambda v: {"value": [
    {"id": s["id"], "name": s["name"], "type": s["type"],
     "location": s["location"], "kind": s["kind"], "sku": s["sku"],
     "tags": s["tags"], "properties": {k: s[k] for k in s if k not in
     ("id", "name", "type", "location", "kind", "sku", "tags")}}
    for s in v]})
PY
expect_status 0 nhi assess --source "gcp:export=$T/rest/gcp" \
  --source "azure:export=$T/rest/azure" -o "$T/rest/out"
EDGES="SELECT kind, from_ref, to_ref, actions,
  json_extract(attrs, '$.decision') FROM edges ORDER BY 1, 2, 3, 4"
db_json "$DB" "$T/cli-edges.json" "$EDGES"
db_json "$T/rest/out/evidence.db" "$T/rest-edges.json" "$EDGES"
export CLI_EDGES="$T/cli-edges.json"
expect_json "$T/rest-edges.json" 'len(r) > 100 and
  r == json.load(open(env["CLI_EDGES"]))' \
  "the same edges as from the CLI's output"
GRANTS="SELECT i.native_id, g.actions, g.resources, g.via FROM grants g
  JOIN identities i ON i.id = g.identity_id WHERE g.via = 'role-assignment'
  AND g.actions NOT LIKE '%Contoso%' ORDER BY 1, 2, 3"
db_json "$DB" "$T/cli-grants.json" "$GRANTS"
db_json "$T/rest/out/evidence.db" "$T/rest-grants.json" "$GRANTS"
export CLI_GRANTS="$T/cli-grants.json"
expect_json "$T/rest-grants.json" 'len(r) == 7 and
  r == json.load(open(env["CLI_GRANTS"]))' \
  "built-in roles named by GUID alone are named in the grants"
export R
expect_json_eq "$T/rest/out/report.json" '(r["inventory"]["ai_agents"],
  r["inventory"]["sensitive_resources"], len(r["findings"]), r["ai"]["paths"])' \
  '(9, 4, 12, json.load(open(env["R"]))["ai"]["paths"])' \
  "the same agents, sensitive stores, findings and AI paths"

# broken NAME PROVIDER FIXTURE FILE TEXT [CONTENT]: a copy of FIXTURE
# with FILE replaced by CONTENT (or removed when there is none) fails the
# source with one stderr line naming the file and saying TEXT.
broken() {
  local name=$1 provider=$2 src=$3 file=$4 text=$5 dir="$T/broken-$1"
  cp -r "$src" "$dir"
  if [ $# -ge 6 ]; then printf '%s' "$6" >"$dir/$file"; else rm "$dir/$file"; fi
  describe "$name"
  expect_status 1 nhi assess --source "$provider:export=$dir" -o "$dir/out"
  expect_stderr_line "$dir/$file" "$text"
  expect_json_eq "$dir/out/report.json" '[s["status"]
    for s in r["assessment"]["sources"]]' '["failed"]' "the source failed"
}

broken "truncated iam-policy.json" gcp "$GCP" iam-policy.json \
  "unexpected end of input" "$(head -c 300 "$GCP/iam-policy.json")"
broken "malformed keys file" gcp "$GCP" \
  "keys/$SA.json" "line 1, column 3" '[ keyType: USER_MANAGED ]'
broken "wrong type buckets.json" gcp "$GCP" buckets.json \
  "expected a JSON list (or an object with 'items'), got an object" \
  '{"name": "acme-ml-training-data"}'
broken "YAML endpoints.json" gcp "$GCP" endpoints.json "line 1" \
  "- name: projects/482913376055/locations/europe-west4/endpoints/1"
broken "empty project.json" gcp "$GCP" project.json "the file is empty" ""
broken "missing project.json" gcp "$GCP" project.json "gcloud projects describe"
broken "truncated role-assignments.json" azure "$AZ" role-assignments.json \
  "unexpected end of input" "$(head -c 500 "$AZ/role-assignments.json")"
broken "missing role-assignments.json" azure "$AZ" role-assignments.json \
  "az role assignment list --all"
broken "account without an id" azure "$AZ" cognitive-accounts.json \
  "account 1 has no id and name" '[{"name": "contoso-sales-openai"}]'
broken "string credential" azure "$AZ" service-principals.json \
  "passwordCredentials holds a non-object" \
  '{"value": [{"id": "2b3c4d5e-6f70-4819-a2b3-c4d5e6f70819", "passwordCredentials": ["x"]}]}'
broken "list for subscription.json" azure "$AZ" subscription.json \
  "expected a JSON object, got a list" '[]'

describe "a missing optional file is a coverage gap"
cp -r "$GCP" "$T/no-endpoints"
rm "$T/no-endpoints/endpoints.json" "$T/no-endpoints/custom-roles.json"
expect_status 0 nhi assess --source "gcp:export=$T/no-endpoints" \
  -o "$T/no-endpoints/out"
expect_json "$T/no-endpoints/out/report.json" '[g for g in
  r["assessment"]["sources"][0]["gaps"] if g["call"] ==
  "aiplatform.endpoints.list" and "endpoints.json" in g["reason"]]' \
  "the gap names the call and the file"
expect_json "$T/no-endpoints/out/report.json" '[g for g in
  r["assessment"]["sources"][0]["gaps"] if g["call"] == "iam.roles.get"
  and g["reason"].endswith("projects/acme-ml-prod/roles/modelArtifactReader")]' \
  "a custom role whose permissions are unknown is a gap that names it"
expect_json_eq "$T/no-endpoints/out/report.json" \
  'r["inventory"]["ai_agents"]' '6' "the other agents are still found"

cp -r "$AZ" "$T/no-defs"
rm "$T/no-defs/role-definitions.json"
expect_status 0 nhi assess --source "azure:export=$T/no-defs" -o "$T/no-defs/out"
expect_json "$T/no-defs/out/report.json" '[g for g in
  r["assessment"]["sources"][0]["gaps"] if g["call"] == "roleDefinitions.list"]' \
  "no custom role definitions: a gap"

finish
