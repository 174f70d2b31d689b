#!/usr/bin/env bash
# The report formats: report.json against docs/report.schema.json (and
# that the schema rejects what it must), --format csv and sarif, and
# comparing assessments with diff and assess --baseline.
. "$(dirname "$0")/lib.sh"

SCHEMA="$NHISCOPE_HOME/docs/report.schema.json"
VALIDATE="$E2E_DIR/validate.py"
VALID="$FIXTURES/valid.json"
ACCT=arn:aws:iam::555566667777

# expect_valid FILE [DEF]: FILE passes the schema (or its $defs/DEF).
expect_valid() {
  local msg
  if msg=$("$PYTHON" "$VALIDATE" "$SCHEMA" "$@" 2>&1); then
    pass "$(basename "$1") is valid against the schema${2:+ (\$defs/$2)}"
  else
    fail "$(basename "$1") is valid against the schema" "$msg"
  fi
}

# expect_invalid WHAT FILE EXPR: FILE changed by the Python statement
# EXPR (over r) is rejected by the schema.
expect_invalid() {
  local what=$1 msg rc
  "$PYTHON" -c 'import json, sys
r = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(r, open(sys.argv[3], "w"))' "$2" "$3" "$T/bad.json"
  msg=$("$PYTHON" "$VALIDATE" "$SCHEMA" "$T/bad.json" 2>&1)
  rc=$?
  if [ "$rc" -eq 1 ]; then
    pass "rejects $what"
  else
    fail "rejects $what" "validate.py exited $rc: $msg"
  fi
}

# A check with params for its severity, status and title, whose first
# finding has a file location and text that CSV has to quote.
mkdir -p "$T/plug"
cat >"$T/plug/formats.lua" <<'EOF'
-- e2e test plugin for the report formats
return {
  id = "e2e.formats",
  kind = "check",
  question = "overprivilege",
  category = "exposed-secret",
  owasp = "NHI2",
  severity = "high",
  requires = { "identities" },
  params = { sev = "high", status = "fail", where = "code" },
  title = "Secret in {where}",
  description = "A plugin written by tests/e2e/test_formats.sh.",
  remediation = 'Rotate it, then "forget" it,\nand check again.',
  run = function(ctx)
    ctx:finding{
      resource = "repo:app",
      title = 'Key "AKIA", found, in\nconfig',
      severity = ctx.params.sev,
      status = ctx.params.status,
      evidence = { location = { path = "src/app config.py", line = 12 } },
    }
    ctx:finding{ identity = "arn:aws:iam::555566667777:role/batch-worker",
                 evidence = { seen = true } }
  end,
}
EOF
plugged() {
  nhi assess --source "aws:authz=$VALID" --plugins "$T/plug" "$@"
}

describe "report.json against the schema"
expect_status 0 nhi assess --demo --format json,pdf,csv,sarif -o "$T/demo"
expect_valid "$T/demo/report.json"
expect_status 0 nhi assess --source "aws:authz=$VALID" -o "$T/valid"
expect_valid "$T/valid/report.json"
expect_status 0 nhi assess --source "aws:authz=$FIXTURES/users-only.json" \
  -o "$T/users"
expect_valid "$T/users/report.json"
expect_status 1 nhi assess --source "aws:authz=$VALID" \
  --source "aws:authz=$FIXTURES/malformed.json" -o "$T/failed"
expect_json "$T/failed/report.json" \
  '[s["status"] for s in r["assessment"]["sources"]] == ["ok", "failed"]' \
  "a report with a failed source"
expect_valid "$T/failed/report.json"
expect_status 0 plugged -o "$T/plug-out"
expect_valid "$T/plug-out/report.json"
expect_status 0 nhi report -o "$T/plug-out"
expect_valid "$T/plug-out/report.json"

describe "the schema rejects what it must"
D="$T/demo/report.json"
expect_invalid "a bad severity" "$D" 'r["findings"][0]["severity"] = "urgent"'
expect_invalid "an extra top-level key" "$D" 'r["extra"] = 1'
expect_invalid "an extra key in a finding" "$D" 'r["findings"][0]["x"] = 1'
expect_invalid "a missing key" "$D" 'del r["findings"][0]["confidence"]'
expect_invalid "a bad answer" "$D" 'r["questions"][0]["answer"] = "maybe"'
expect_invalid "questions out of order" "$D" \
  'r["questions"][0], r["questions"][1] = r["questions"][1], r["questions"][0]'
expect_invalid "a bad question id" "$D" \
  'r["findings"][0]["question"] = "overprivileged"'
expect_invalid "a remediation item without quick_win" "$D" \
  'r["remediation"] = [{"id": "R01", "action": "a", "check": "c",
  "severity": "high", "count": 1, "identities": [], "findings": ["F0001"],
  "effort": "low", "risk_removed": 1.5}]'
expect_invalid "a remediation item with a bad effort" "$D" \
  'r["remediation"] = [{"id": "R01", "action": "a", "check": "c",
  "severity": "high", "count": 1, "identities": [], "findings": ["F0001"],
  "effort": "huge", "risk_removed": 1.5, "quick_win": True}]'
expect_invalid "a baseline with a bad finding id" "$D" \
  'r["baseline"] = {"report": "x", "now": None, "score_delta": 0,
  "questions": [], "new": [{"id": "1", "check": "c", "identity": None,
  "resource": None, "severity": "low", "status": "fail", "title": "t"}],
  "resolved": [], "changed": []}'

describe "--format"
expect_file "$T/demo/report.pdf"
expect_file "$T/demo/findings.csv"
expect_file "$T/demo/report.sarif"
expect_true "the default writes report.json and report.pdf only" \
  test -s "$T/valid/report.json" -a -s "$T/valid/report.pdf" \
  -a ! -e "$T/valid/findings.csv" -a ! -e "$T/valid/report.sarif"
expect_status 0 nhi assess --source "aws:authz=$VALID" --format csv \
  -o "$T/csv-only"
expect_true "--format csv writes findings.csv alone" \
  test -s "$T/csv-only/findings.csv" -a ! -e "$T/csv-only/report.json" \
  -a ! -e "$T/csv-only/report.pdf"
expect_status 2 nhi assess --source "aws:authz=$VALID" --format json,xml \
  -o "$T/bad-format"
expect_stderr_line "--format" "'xml'"
expect_status 2 nhi assess --source "aws:authz=$VALID" --format json, \
  -o "$T/bad-format"
expect_stderr_line "--format" "unknown format ''"

describe "findings.csv"
# rows.json: the CSV as parsed by Python's csv module, and its raw bytes.
csv_json() {
  "$PYTHON" -c 'import csv, json, sys
raw = open(sys.argv[1], "rb").read()
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
print(json.dumps({"rows": rows, "raw": raw.decode("utf-8")}))' "$1" >"$2"
}
COLS='["id", "check", "question", "category", "owasp", "severity",
  "status", "confidence", "identity", "resource", "title", "remediation"]'
csv_json "$T/demo/findings.csv" "$T/demo-csv.json"
export DEMO_JSON="$T/demo/report.json" PLUG_JSON="$T/plug-csv/report.json"
expect_json_eq "$T/demo-csv.json" 'r["rows"][0]' "$COLS" "the header row"
expect_json_eq "$T/demo-csv.json" 'r["rows"][1:]' \
  "[[f[c] or \"\" for c in $COLS]
  for f in load(env[\"DEMO_JSON\"])[\"findings\"]]" \
  "one row per finding, the report's values, null as empty"
# The demo's texts hold line breaks (LF) but no CR.
expect_json_eq "$T/demo-csv.json" \
  '(r["raw"].count("\r\n"), r["raw"].count("\r"))' \
  '(len(r["rows"]), len(r["rows"]))' "each row ends in CRLF, no other CR"
expect_status 0 plugged --format json,csv -o "$T/plug-csv"
csv_json "$T/plug-csv/findings.csv" "$T/plug-csv.json"
expect_json_eq "$T/plug-csv.json" \
  '[row[10:] for row in r["rows"] if row[1] == "e2e.formats"][0]' \
  "['Key \"AKIA\", found, in\nconfig',
  'Rotate it, then \"forget\" it,\nand check again.']" \
  "quotes, commas and line breaks survive a round trip"
expect_json "$T/plug-csv.json" \
  "'\"Key \"\"AKIA\"\", found, in\nconfig\"' in r['raw']" \
  "a field with quotes is quoted, its quotes doubled (RFC 4180)"
expect_json "$T/plug-csv.json" 'r["raw"].endswith("\r\n")
  and not r["raw"].endswith("\r\n\r\n")' "the file ends in one CRLF"

describe "report.sarif"
S="$T/demo/report.sarif"
expect_json_eq "$S" '(r["version"], len(r["runs"]),
  r["runs"][0]["tool"]["driver"]["name"])' '("2.1.0", 1, "nhiscope")' \
  "version 2.1.0, one run, driver nhiscope"
expect_true "the driver has nhiscope's version" \
  "$PYTHON" "$JSONQ" "$S" \
  "r['runs'][0]['tool']['driver']['version'] == '$("$NHISCOPE" --version |
  cut -d' ' -f2)'"
expect_json_eq "$S" '[x["id"] for x in r["runs"][0]["tool"]["driver"]["rules"]]' \
  'sorted(p["id"] for p in load(env["DEMO_JSON"])["plugins"]
  if p["kind"] == "check" and p["status"] != "skipped")' \
  "one rule per check that ran"
expect_json_eq "$S" '[(x["id"], k) for x in r["runs"][0]["tool"]["driver"]["rules"]
  for k in ("shortDescription", "fullDescription", "help")
  if not x[k]["text"]] + [(x["id"], k)
  for x in r["runs"][0]["tool"]["driver"]["rules"]
  for k in ("category", "owasp", "question") if k not in x["properties"]]' \
  '[]' "each rule has descriptions, help and properties"
# A finding about no identity names its resource; about neither, nothing.
expect_json_eq "$S" '[(x["ruleId"], x["level"], x["message"]["text"],
  [l["logicalLocations"][0]["fullyQualifiedName"]
  for l in x.get("locations", [])], x["properties"]["id"])
  for x in r["runs"][0]["results"]]' \
  '[(f["check"], {"critical": "error", "high": "error", "medium": "warning",
  "low": "note", "info": "note"}[f["severity"]], f["title"],
  [f["identity"] or f["resource"]] if f["identity"] or f["resource"]
  else [], f["id"]) for f in load(env["DEMO_JSON"])["findings"]]' \
  "one result per finding: rule, level, message, identity ARN"
expect_json_eq "$S" '[x["ruleIndex"] for x in r["runs"][0]["results"]]' \
  '[[y["id"] for y in r["runs"][0]["tool"]["driver"]["rules"]].index(
  x["ruleId"]) for x in r["runs"][0]["results"]]' "ruleIndex points at the rule"
expect_status 0 plugged --set e2e.formats.where=repos --format sarif \
  -o "$T/plug-sarif"
S="$T/plug-sarif/report.sarif"
expect_json_eq "$S" '[x for x in r["runs"][0]["tool"]["driver"]["rules"]
  if x["id"] == "e2e.formats"]' '[{"id": "e2e.formats",
  "shortDescription": {"text": "Secret in repos"},
  "fullDescription": {"text": "A plugin written by tests/e2e/test_formats.sh."},
  "help": {"text": "Rotate it, then \"forget\" it,\nand check again."},
  "defaultConfiguration": {"level": "error"},
  "properties": {"category": "exposed-secret", "owasp": "NHI2",
  "question": "overprivilege"}}]' \
  "a rule from the plugin, its title with the params as set"
expect_json_eq "$S" '[x["locations"] for x in r["runs"][0]["results"]
  if x["ruleId"] == "e2e.formats"]' '[[{"physicalLocation": {
  "artifactLocation": {"uri": "src/app%20config.py"},
  "region": {"startLine": 12}}}],
  [{"logicalLocations": [{"fullyQualifiedName":
  "arn:aws:iam::555566667777:role/batch-worker", "kind": "resource"}]}]]' \
  "a file location as uri and line; else the identity as logical location"
expect_status 0 nhi report --format sarif -o "$T/plug-sarif"
expect_json_eq "$S" '[x["shortDescription"]["text"]
  for x in r["runs"][0]["tool"]["driver"]["rules"]
  if x["id"] == "aws.iam.role-unused"]' '["Role unused for more than 90 days"]' \
  "report run alone loads the rules' metadata"

describe "diff of an assessment with itself"
expect_status 0 nhi diff --json "$T/demo" "$T/demo/report.json"
cp "$OUT" "$T/self.json"
expect_valid "$T/self.json" diff
expect_json_eq "$T/self.json" '(r["new"], r["resolved"], r["changed"],
  r["score_delta"], [q["score_delta"] for q in r["questions"]])' \
  '([], [], [], 0, [0, 0, 0, 0])' "nothing new, resolved or changed"
expect_status 0 nhi diff "$T/demo" "$T/demo"
expect_stdout_has "new: 0 findings"
expect_stdout_has "resolved: 0 findings"
expect_stdout_has "changed: 0 findings"

describe "diff of two assessments"
expect_status 0 plugged --set e2e.formats.sev=low \
  --set e2e.formats.status=indeterminate -o "$T/plug-low"
expect_status 0 nhi assess --source "aws:authz=$VALID" -o "$T/plain"
expect_status 0 nhi diff --json "$T/plug-out" "$T/plug-low"
cp "$OUT" "$T/changed.json"
expect_valid "$T/changed.json" diff
expect_json_eq "$T/changed.json" '[(c["check"], c["resource"],
  c["old_severity"], c["severity"], c["old_status"], c["status"])
  for c in r["changed"]] + [len(r["new"]), len(r["resolved"])]' \
  '[("e2e.formats", "repo:app", "high", "low", "fail", "indeterminate"),
  0, 0]' "a severity and status change is 'changed'"
expect_status 0 plugged --set e2e.formats.status=indeterminate \
  -o "$T/plug-status"
expect_status 0 nhi diff --json "$T/plug-out" "$T/plug-status"
cp "$OUT" "$T/status.json"
expect_json_eq "$T/status.json" '[(c["old_status"], c["status"],
  c["old_severity"], c["severity"]) for c in r["changed"]]' \
  '[("fail", "indeterminate", "high", "high")]' \
  "a status change alone is 'changed'"
expect_status 0 nhi diff --json "$T/plug-out" "$T/plain"
cp "$OUT" "$T/resolved.json"
expect_json_eq "$T/resolved.json" '(sorted((f["check"], str(f["identity"]),
  str(f["resource"])) for f in r["resolved"]), r["new"], r["changed"])' \
  "(sorted([('e2e.formats', '$ACCT:role/batch-worker', 'None'),
  ('e2e.formats', 'None', 'repo:app')]), [], [])" \
  "findings gone are 'resolved'"
expect_status 0 nhi diff --json "$T/plain" "$T/plug-out"
cp "$OUT" "$T/new.json"
expect_json_eq "$T/new.json" '(sorted(f["id"] for f in r["new"]),
  r["resolved"], r["report"])' \
  "(sorted(f['id'] for f in load(env['PLUG_JSON'].replace('plug-csv',
  'plug-out'))['findings'] if f['check'] == 'e2e.formats'), [],
  '$T/plain')" "findings added are 'new', with their ids"
expect_status 0 nhi diff "$T/plug-out" "$T/plug-low"
expect_stdout_has "changed: 1 finding"
expect_stdout_has "was "
expect_status 2 nhi diff "$T/plain"
expect_stderr_has "two reports"
expect_status 2 nhi diff "$T/plain" "$T/nosuch"
expect_stderr_line "$T/nosuch"
expect_status 2 nhi diff "$T/plain" "$VALID"
expect_stderr_line "$VALID" "not an nhiscope report.json"

describe "assess --baseline"
expect_status 0 plugged --set e2e.formats.sev=low \
  --set e2e.formats.status=indeterminate --baseline "$T/plug-out" \
  -o "$T/with-baseline"
R="$T/with-baseline/report.json"
expect_valid "$R"
export CHANGED="$T/changed.json"
expect_json_eq "$R" 'r["baseline"]' 'load(env["CHANGED"])' \
  "the baseline object is what diff --json says"
expect_status 0 nhi assess --demo --baseline "$T/demo/report.json" \
  -o "$T/demo-again"
expect_json_eq "$T/demo-again/report.json" '(r["baseline"]["new"],
  r["baseline"]["resolved"], r["baseline"]["changed"],
  r["baseline"]["score_delta"], r["baseline"]["now"])' \
  '([], [], [], 0, "2026-12-01T09:00:00Z")' \
  "the same assessment again: an empty comparison"
expect_valid "$T/demo-again/report.json"
expect_status 0 nhi assess --demo --baseline "$T/demo-again" \
  -o "$T/demo-again"
expect_json_eq "$T/demo-again/report.json" 'r["baseline"]["report"]' \
  "'$T/demo-again'" "a baseline in the output folder itself is read first"
expect_status 2 nhi assess --demo --baseline "$T/nosuch" -o "$T/demo-again"
expect_stderr_line "$T/nosuch"
db_json "$T/demo-again/evidence.db" "$T/kept.json" \
  "SELECT count(*) FROM identities"
expect_json "$T/kept.json" 'r[0][0] > 40' \
  "a bad baseline leaves the earlier assessment's store alone"
expect_json "$T/demo-again/report.json" '"baseline" in r' \
  "and its report"

finish
