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
  "assessment", "score", "questions", "inventory", "findings",
  "plugins"])' "top-level keys"
expect_json_eq "$R" 'r["assessment"]["client"]' '"Northwind Robotics"'
expect_json_eq "$R" 'r["assessment"]["now"]' '"2026-12-01T09:00:00Z"'
expect_json_eq "$R" '[s["status"] for s in r["assessment"]["sources"]]' \
  '["ok"]' "the demo's one source is ok"
expect_json_eq "$R" '[p["id"] for p in r["plugins"]
  if p["status"] != "ok"]' '[]' "every plugin ran ok"

describe "questions"
expect_json_eq "$R" '[q["id"] for q in r["questions"]]' \
  '["ai-data-access", "overprivilege", "activity-monitoring",
  "ai-data-trace"]' "four questions in order"
for q in ai-data-access ai-data-trace; do
  expect_json_eq "$R" "[(q['answer'], q['score']) for q in r['questions']
    if q['id'] == '$q']" '[("not-assessed", None)]' \
    "$q is not-assessed with a null score"
done
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
# are used by people.
expect_json_eq "$R" "($I['identities'], $I['human'], $I['non_human'])" \
  '(53, 11, 42)' "53 identities: 11 human, 42 non-human"

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

finish
