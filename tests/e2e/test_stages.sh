#!/usr/bin/env bash
# The stages run one by one, params and profiles that change what the
# checks do, skipped checks, custom plugin folders, and the plugins,
# --help and --version commands.
. "$(dirname "$0")/lib.sh"

VALID="$FIXTURES/valid.json"
ACCT=arn:aws:iam::555566667777
DEMO=arn:aws:iam::412398765001

# check_plugin DIR NAME REQUIRES BODY: writes DIR/NAME.lua, a check with
# id e2e.NAME that requires the evidence tables REQUIRES (Lua list body)
# and whose run function is BODY.
check_plugin() {
  mkdir -p "$1"
  cat >"$1/$2.lua" <<EOF
-- e2e test plugin: $2
return {
  id = "e2e.$2",
  kind = "check",
  question = "activity-monitoring",
  category = "missing-owner",
  owasp = "NHI1",
  severity = "info",
  requires = { $3 },
  title = "e2e check $2",
  description = "A plugin written by tests/e2e/test_stages.sh.",
  remediation = "Nothing to do: this is a test.",
  run = function(ctx)
    $4
  end,
}
EOF
}

describe "assess --demo"
expect_status 0 nhi assess --demo -o "$T/assess"
export ASSESSED="$T/assess/report.json"

describe "collect, check, report"
expect_status 0 nhi collect --demo -o "$T/stages"
expect_file "$T/stages/evidence.db"
expect_status 0 nhi check -o "$T/stages"
expect_status 0 nhi report -o "$T/stages"
expect_file "$T/stages/report.json"
expect_file "$T/stages/report.pdf"
expect_json "$T/stages/report.json" 'len(r["findings"]) >= 10' \
  "the demo has findings to compare"
expect_json_eq "$T/stages/report.json" 'r["findings"]' \
  'load(env["ASSESSED"])["findings"]' "the same findings as assess"

describe "a key listed by two sources is one key"
# The demo's credential report, and the same report again as a second
# source (say, one taken later): each key is counted once.
KEYS="SELECT count(*) FROM credentials"
FOUND='sorted((f["check"], f["identity"]) for f in r["findings"]
  if f["check"].startswith("aws.iam."))'
FOUND_IN_ONCE='sorted((f["check"], f["identity"])
  for f in load(env["FOUND_ONCE"])["findings"]
  if f["check"].startswith("aws.iam."))'
NW="$NHISCOPE_HOME/demo/northwind"
CRED="$NW/credential-report.csv"
cp "$CRED" "$T/credential-report-again.csv"
expect_status 0 nhi assess --source "aws:authz=$NW/gaad.json" \
  --source "aws:credential-report=$CRED" -o "$T/keys-once"
expect_status 0 nhi -v assess --source "aws:authz=$NW/gaad.json" \
  --source "aws:credential-report=$CRED" \
  --source "aws:credential-report=$T/credential-report-again.csv" \
  -o "$T/keys-twice"
expect_stderr_has "keys listed by more than one source merged"
db_json "$T/keys-once/evidence.db" "$T/keys-once.json" "$KEYS"
db_json "$T/keys-twice/evidence.db" "$T/keys-twice.json" "$KEYS"
export KEYS_ONCE="$T/keys-once.json"
expect_json_eq "$T/keys-twice.json" 'r' 'load(env["KEYS_ONCE"])' \
  "as many keys as with one report"
export FOUND_ONCE="$T/keys-once/report.json"
expect_json_eq "$T/keys-twice/report.json" "$FOUND" "$FOUND_IN_ONCE" \
  "the same key findings as with one report"
expect_json "$T/keys-once/report.json" \
  'sum(f["check"].startswith("aws.iam.access-key") for f in r["findings"]) >= 2' \
  "the demo's report has access key findings to compare"

describe "collect run again"
GAAD="$NHISCOPE_HOME/demo/northwind/gaad.json"
COUNTS="SELECT (SELECT count(*) FROM grants), (SELECT count(*) FROM edges),
  (SELECT count(*) FROM identities), (SELECT count(*) FROM sources)"
expect_status 0 nhi collect --source "aws:authz=$GAAD" -o "$T/again"
db_json "$T/again/evidence.db" "$T/again-1.json" "$COUNTS"
expect_status 0 nhi collect --source "aws:authz=$GAAD" -o "$T/again"
db_json "$T/again/evidence.db" "$T/again-2.json" "$COUNTS"
export AGAIN1="$T/again-1.json"
expect_json_eq "$T/again-2.json" 'r' 'load(env["AGAIN1"])' \
  "the same source collected again replaces its rows, not adds to them"
cp "$GAAD" "$T/gaad.json"
expect_status 0 nhi collect --source "aws:authz=$T/gaad.json" -o "$T/again"
db_json "$T/again/evidence.db" "$T/again-3.json" "$COUNTS"
head -c 2000 "$GAAD" >"$T/gaad.json"
expect_status 1 nhi collect --source "aws:authz=$T/gaad.json" -o "$T/again"
db_json "$T/again/evidence.db" "$T/again-4.json" \
  "SELECT (SELECT count(*) FROM grants), status FROM sources ORDER BY id"
expect_json_eq "$T/again-4.json" 'r' \
  '[[278, "ok"], [278, "ok"], [278, "failed"]]' \
  "a failed collection again keeps what the earlier one gave"

describe "check run again"
expect_status 0 nhi check -o "$T/stages"
expect_status 0 nhi report -o "$T/stages"
expect_json_eq "$T/stages/report.json" 'r["findings"]' \
  'load(env["ASSESSED"])["findings"]' "findings replaced, not duplicated"
expect_json_eq "$T/stages/report.json" \
  'sorted(p["id"] for p in r["plugins"] if p["stage"] == "check")' \
  'sorted(p["id"] for p in load(env["ASSESSED"])["plugins"]
  if p["stage"] == "check")' "one plugins[] entry per check"

describe "--set aws.iam.role-unused.max_days=400"
R="$T/set400/report.json"
expect_status 0 nhi assess --demo --set aws.iam.role-unused.max_days=400 \
  -o "$T/set400"
# Only the two roles with no use in the 400-day RoleLastUsed window.
expect_json_eq "$R" '{f["identity"] for f in r["findings"]
  if f["check"] == "aws.iam.role-unused"}' \
  "{'$DEMO:role/cost-report-lambda',
  '$DEMO:role/hackathon-chatbot-lambda'}" "flags only the two 400-day roles"
expect_json_eq "$R" '[f["threshold"] for f in r["findings"]
  if f["check"] == "aws.iam.role-unused"]' \
  '[{"max_days": 400}, {"max_days": 400}]' 'threshold is {"max_days": 400}'
expect_json_eq "$R" '{f["title"] for f in r["findings"]
  if f["check"] == "aws.iam.role-unused"}' \
  '{"Role unused for more than 400 days"}' "title shows 400"
# Finding ids are numbered over all findings, so they are left out.
expect_json_eq "$R" '[dict(f, id=None) for f in r["findings"]
  if f["check"] != "aws.iam.role-unused"]' '[dict(f, id=None) for f in
  load(env["ASSESSED"])["findings"] if f["check"] != "aws.iam.role-unused"]' \
  "other checks' findings are unchanged"

describe "profile disabling aws.iam.role-unused"
cat >"$T/disable.lua" <<EOF
client = "Acme"
sources = { "aws:authz=$VALID" }
disable = { "aws.iam.role-unused" }
EOF
R="$T/disabled/report.json"
expect_status 0 nhi assess --profile "$T/disable.lua" -o "$T/disabled"
expect_json_eq "$R" '{p["id"]: p["status"] for p in r["plugins"]
  if p["id"] in ("aws.authz", "aws.iam.admin-equivalent",
                 "aws.iam.cross-account-trust", "aws.iam.role-unused")}' \
  '{"aws.authz": "ok", "aws.iam.admin-equivalent": "ok",
  "aws.iam.cross-account-trust": "ok", "aws.iam.role-unused": "skipped"}' \
  "role-unused is skipped, the rest ran"
expect_json_eq "$R" '[p["id"] for p in r["plugins"] if p["status"] == "failed"]' \
  '[]' "no plugin failed"
expect_json_eq "$R" '{(f["check"], f["identity"]) for f in r["findings"]}' \
  "{('aws.iam.admin-equivalent', '$ACCT:user/service/svc-ingest'),
  ('aws.iam.cross-account-trust', '$ACCT:role/vendor/vendor-audit')}" \
  "no role-unused findings; the others are there"

describe "checks whose evidence was not collected"
check_plugin "$T/needs-activity" needs-activity '"identities", "activity"' \
  'ctx:finding{identity = "x", evidence = {}}'
R="$T/skipped/report.json"
expect_status 0 nhi assess --source "aws:authz=$FIXTURES/users-only.json" \
  --plugins "$T/needs-activity" -o "$T/skipped"
expect_json_eq "$R" '{p["id"]: (p["status"], p["error"])
  for p in r["plugins"] if p["id"] in ("aws.iam.admin-equivalent",
    "aws.iam.cross-account-trust", "aws.iam.role-unused",
    "e2e.needs-activity")}' \
  '{"aws.iam.admin-equivalent":
  ("skipped", "no evidence in '"'grants'"' was collected"),
  "aws.iam.cross-account-trust":
  ("skipped", "no evidence in '"'edges'"' was collected"),
  "aws.iam.role-unused": ("ok", None),
  "e2e.needs-activity":
  ("skipped", "no evidence in '"'activity'"' was collected")}' \
  "checks lacking grants, edges or activity are skipped, with the reason"
expect_json_eq "$R" 'r["findings"]' '[]' "skipped checks report nothing"

describe "custom check folder"
check_plugin "$T/custom" custom-nhi '"identities"' '
    for row in ctx.db:rows([[
      SELECT native_id FROM identities WHERE is_human = 0
      ORDER BY native_id]]) do
      ctx:finding{identity = row.native_id, evidence = { seen = true }}
    end'
R="$T/custom-out/report.json"
expect_status 0 nhi assess --source "aws:authz=$VALID" \
  --plugins "$T/custom" -o "$T/custom-out"
expect_json_eq "$R" '{f["identity"] for f in r["findings"]
  if f["check"] == "e2e.custom-nhi"}' \
  "{'$ACCT:user/service/svc-ingest', '$ACCT:role/batch-worker',
  '$ACCT:role/vendor/vendor-audit'}" "flags each non-human identity"
expect_json_eq "$R" '{(f["question"], f["category"], f["owasp"],
  f["severity"], f["title"], f["remediation"], json.dumps(f["evidence"]))
  for f in r["findings"] if f["check"] == "e2e.custom-nhi"}' \
  '{("activity-monitoring", "missing-owner", "NHI1", "info",
  "e2e check custom-nhi", "Nothing to do: this is a test.",
  "{\"seen\": true}")}' "findings carry the plugin's metadata"
expect_json_eq "$R" '[(p["kind"], p["status"], p["findings"])
  for p in r["plugins"] if p["id"] == "e2e.custom-nhi"]' \
  '[("check", "ok", 3)]' "plugins[] has the custom check"
expect_json_eq "$R" '{(f["check"], f["identity"]) for f in r["findings"]
  if f["check"] != "e2e.custom-nhi"}' \
  "{('aws.iam.admin-equivalent', '$ACCT:user/service/svc-ingest'),
  ('aws.iam.cross-account-trust', '$ACCT:role/vendor/vendor-audit'),
  ('aws.iam.role-unused', '$ACCT:role/vendor/vendor-audit')}" \
  "built-in checks still report their findings"

describe "plugins list --json"
L="$T/list.json"
expect_status 0 nhi plugins list --json
cp "$OUT" "$L"
# The ids declared by the plugin files on disk: every one must be listed.
export PLUGIN_IDS
PLUGIN_IDS=$(grep -rhoE '^  id = "[^"]+"' plugins/checks plugins/collectors |
  sed -E 's/.*"(.*)"/\1/' | sort | tr '\n' ' ')
expect_json "$L" 'isinstance(r, list) and len(r) >= 4' "a JSON list"
expect_json_eq "$L" 'sorted(p["id"] for p in r)' \
  'sorted(env["PLUGIN_IDS"].split())' "lists every plugin file's id once"
expect_json_eq "$L" '[p["id"] for p in r
  if p.get("kind") not in ("check", "collector")]' '[]' \
  "each has kind check or collector"
expect_json_eq "$L" '[(p["id"], k) for p in r if p["kind"] == "check"
  for k in ("question", "category", "owasp", "severity", "title",
  "remediation") if not isinstance(p.get(k), str) or not p[k]]' '[]' \
  "each check has question, category, owasp, severity, title, remediation"
expect_json_eq "$L" '[p["id"] for p in r if p["kind"] == "check"
  and not isinstance(p.get("params"), dict)]' '[]' \
  "each check has a params object"
expect_json_eq "$L" '[p["id"] for p in r if p["kind"] == "check"
  and (p["question"] not in ("ai-data-access", "overprivilege",
  "activity-monitoring", "ai-data-trace")
  or p["owasp"] not in ["NHI%d" % n for n in range(1, 11)]
  or p["severity"] not in ("critical", "high", "medium", "low", "info"))]' \
  '[]' "question, owasp and severity are from the vocabulary"
expect_json_eq "$L" '[p["params"] for p in r
  if p["id"] == "aws.iam.role-unused"]' '[{"max_days": 90}]' \
  "role-unused's params"
expect_status 0 nhi plugins list --json --plugins "$T/custom"
cp "$OUT" "$L"
expect_json_eq "$L" 'sorted(p["id"] for p in r)' \
  'sorted(env["PLUGIN_IDS"].split() + ["e2e.custom-nhi"])' \
  "--plugins adds the custom check to the list"

describe "plugins info"
expect_status 0 nhi plugins info aws.iam.role-unused
expect_stdout_has "aws.iam.role-unused"
expect_true "shows the max_days param and its default 90" \
  grep -qE 'max_days.*90' "$OUT"
expect_status 2 nhi plugins info nosuch
expect_stderr_line "nosuch"

describe "help"
expect_status 0 nhi --help
expect_stdout_has "usage: nhiscope"
for cmd in assess collect check report plugins test; do
  expect_status 0 nhi "$cmd" --help
  expect_stdout_has "usage: nhiscope $cmd"
done

describe "--version"
expect_status 0 "$NHISCOPE" --version
expect_true "prints 'nhiscope X.Y.Z'" \
  grep -qE '^nhiscope [0-9]+\.[0-9]+\.[0-9]+$' "$OUT"
# --help lists --version among the options of every command.
describe "--version after another global option"
expect_status 0 "$NHISCOPE" -q --version
expect_true "prints 'nhiscope X.Y.Z'" \
  grep -qE '^nhiscope [0-9]+\.[0-9]+\.[0-9]+$' "$OUT"

finish
