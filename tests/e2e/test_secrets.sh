#!/usr/bin/env bash
# Secrets discovery end to end: a folder tree with planted secrets
# (tests/fixtures/secrets), scanned by `assess --source files:path=`,
# checked in report.json and the evidence store, and never a full secret
# in either, nor in the log.
. "$(dirname "$0")/lib.sh"

SECRETS="$NHISCOPE_HOME/tests/fixtures/secrets"
REPO="$SECRETS/repo"
SCHEMA="$NHISCOPE_HOME/docs/report.schema.json"

describe "files:path"
expect_status 0 nhi -v assess --source "files:path=$REPO" -o "$T/files"
REPORT="$T/files/report.json"
export EXPECTED="$SECRETS/expected.tsv"
expect_true "report.json is valid" "$PYTHON" "$E2E_DIR/validate.py" \
  "$SCHEMA" "$REPORT"
expect_json "$REPORT" 'sorted((f["location"]["path"], f["location"]["line"],
  f["secret_type"]) for f in r["findings"]
  if f["category"] == "exposed-secret") == sorted(
  (p, int(l), t) for p, l, t in (x.split("\t") for x in
  open(env["EXPECTED"]).read().split("\n") if x))' \
  "one finding per planted secret, with location and secret_type"
expect_json "$REPORT" 'all(f["category"] == "exposed-secret" and
  f["owasp"] == "NHI2" for f in r["findings"]
  if f["check"] == "secrets.exposed-secret")' "exposed-secret, NHI2"
expect_json "$REPORT" 'all("location" not in f for f in r["findings"]
  if f["category"] != "exposed-secret")' \
  "other findings carry no location"
expect_json "$REPORT" 'sorted(f["resource"] for f in r["findings"]
  if f["check"] == "secrets.ai-agent-credential") == [
  "mcp:.cursor/mcp.json#github", "mcp:.cursor/mcp.json#warehouse",
  "mcp:.vscode/mcp.json#support-gateway",
  "mcp:home/ana/Library/Application Support/Claude/"
  "claude_desktop_config.json#brave-search"]' \
  "each MCP server with a literal credential is an AI-agent finding"
expect_json "$REPORT" 'r["inventory"]["ai_agents"] == 7' \
  "seven MCP servers in the inventory"
expect_json "$REPORT" '[f["severity"] for f in r["findings"]
  if f["secret_type"] == "gcp_service_account_key"] == ["critical"]' \
  "a service-account key is critical"
expect_json "$REPORT" '[f["evidence"]["issuer"] for f in r["findings"]
  if f.get("secret_type") == "jwt"] == ["https://login.northwind.test"]' \
  "a JWT's issuer is read"
db_json "$T/files/evidence.db" "$T/secrets.json" \
  "SELECT path, line, type, length(preview) FROM secrets ORDER BY path, line"
expect_json "$T/secrets.json" 'len(r) == 23 and all(n <= 9 for *_, n in r)' \
  "secrets rows hold a short preview"
db_json "$T/files/evidence.db" "$T/agents.json" \
  "SELECT name, platform, json_extract(attrs, '$.env'),
   json_extract(attrs, '$.unpinned_package') FROM ai_agents
   WHERE native_id LIKE 'mcp:.vscode/%' OR name = 'brave-search'
   ORDER BY native_id"
expect_json "$T/agents.json" 'r[2][0] == "brave-search" and
  json.loads(r[2][2])["BRAVE_API_KEY"]["kind"] == "secret" and r[2][3] == 1
  and r[0][:2] == ["github", "vscode"] and json.loads(r[0][2])[
  "GITHUB_PERSONAL_ACCESS_TOKEN"] == {"kind": "reference",
  "ref": "${input:gh-token}"}' \
  "MCP env values: a literal secret masked, a reference kept (JSONC read)"
db_json "$T/files/evidence.db" "$T/folder.json" \
  "SELECT sensitivity, sensitivity_source, data_classes,
   json_extract(attrs, '$.data_class_counts') FROM resources
   WHERE provider = 'files'"
expect_json "$T/folder.json" 'len(r) == 1 and r[0][:2] == ["restricted",
  "classifier"] and json.loads(r[0][2]) == ["email", "phone",
  "payment_card", "iban", "es_dni_nie", "secrets"] and
  json.loads(r[0][3])["payment_card"] == 3' \
  "the folder is a restricted resource by what its sample holds"
expect_json "$REPORT" 'r["inventory"]["sensitive_resources"] == 1' \
  "one sensitive resource in the inventory"

# Every planted value: the 16+ character runs of the expected lines.
"$PYTHON" - "$REPO" "$EXPECTED" >"$T/values.txt" <<'PY'
import re, sys
root, expected = sys.argv[1], sys.argv[2]
for row in open(expected).read().split("\n"):
    if not row:
        continue
    path, line, _ = row.split("\t")
    text = open(f"{root}/{path}", errors="replace").read().split("\n")
    for run in re.findall(r"[A-Za-z0-9_/+=~.-]{16,}", text[int(line) - 1]):
        if any(c.isdigit() for c in run) and any(c.isalpha() for c in run):
            print(run[-16:])
PY
leaks=""
while IFS= read -r v; do
  for f in "$REPORT" "$T/files/evidence.db" "$T/files/report.pdf" "$ERR"; do
    grep -qaF -- "$v" "$f" && leaks="$leaks $v in $(basename "$f");"
  done
done <"$T/values.txt"
if [ -n "$leaks" ] || [ "$(wc -l <"$T/values.txt")" -lt 15 ]; then
  fail "no secret value in the report, store or log" "$leaks"
else
  pass "no secret value in the report, store or log"
fi

describe "diff after a file is cleaned"
# Each secret finding is keyed by the secret's fingerprint: removing the
# two secrets of one file resolves those two and changes nothing else,
# though every line below them moved.
cp -r "$REPO" "$T/repo2"
rm "$T/repo2/src/client.js"
printf '# notes\n\n' | cat - "$REPO/.env" >"$T/repo2/.env"
expect_status 0 nhi assess --source "files:path=$T/repo2" -o "$T/files2"
expect_status 0 nhi diff --json "$T/files" "$T/files2"
cp "$OUT" "$T/diff.json"
expect_json "$T/diff.json" 'sorted(f["title"] for f in r["resolved"]) == [
  "GitHub token exposed in src/client.js",
  "JSON Web Token exposed in src/client.js"] and r["new"] == [] and
  r["changed"] == []' "two resolved, nothing new or changed"

describe "git:repo"
# A clone whose history holds a key added then removed, a private key in
# a file since deleted (on a branch), and a token still at HEAD.
G="$T/clone"
git() { command git -C "$G" -c user.name=e2e -c user.email=e2e@example.test \
  -c commit.gpgsign=false "$@"; }
mkdir -p "$G"
git init -q -b main
printf 'region = eu-west-1\n' >"$G/settings.ini"
git add . && git commit -qm "settings"
printf 'region = eu-west-1\nstripe_key = sk_live_%s\n' \
  4vTq9ZmL2xRk7WcN8bYh3JdPfG6s >"$G/settings.ini"
printf '%s\n' "token: glpat-Qm7Tz2KvX9pLw4RnYb8c" >"$G/ci.yml"
git add . && git commit -qm "billing"
printf 'region = eu-west-1\nstripe_key = ${STRIPE_KEY}\n' >"$G/settings.ini"
git add . && git commit -qm "read the key from the environment"
git checkout -q -b ops
{ echo "-----BEGIN EC PRIVATE KEY-----"
  echo "MHcCAQEEIBq8Yx2mN7vL4tR9wZ1nY5cF3hJ6dS0aG2eK4uW7iPq3oAoGCCqGSM49"
  echo "AwEHoUQDQgAEq8Yx2mN7vL4tR9wZ1nY5cF3hJ6dS0aG2eK4uW7iPq3oBq8Yx2mN7"
  echo "-----END EC PRIVATE KEY-----"; } >"$G/ops.pem"
git add . && git commit -qm "ops key"
git rm -q ops.pem && git commit -qm "no keys in git"
git checkout -q main
unset -f git
expect_status 0 nhi -v assess --source "git:repo=$G" -o "$T/git"
GREPORT="$T/git/report.json"
expect_stderr_has "5 commits"
expect_json "$GREPORT" 'sorted((f["location"]["path"], f["location"]["line"],
  f["secret_type"], f["evidence"]["in_history"]) for f in r["findings"]) ==
  [("ci.yml", 1, "gitlab_token", False),
   ("ops.pem", 1, "private_key", True),
   ("settings.ini", 2, "stripe_secret_key", True)]' \
  "every secret ever committed, the removed ones marked as in history"
expect_json "$GREPORT" '[f["title"] for f in r["findings"]
  if f["secret_type"] == "stripe_secret_key"] == ["Stripe secret key "
  "exposed in the git history of settings.ini"]' "the title says history"
expect_json "$GREPORT" 'all(len(f["evidence"]["commit"]) == 40
  for f in r["findings"])' "each names the commit that added it"
expect_true "report.json is valid" "$PYTHON" "$E2E_DIR/validate.py" \
  "$SCHEMA" "$GREPORT"
if grep -qaF "4vTq9ZmL2xRk7WcN8bYh3JdPfG6s" "$GREPORT" "$T/git/evidence.db"
then
  fail "no secret value in the report or store" "found the Stripe key"
else
  pass "no secret value in the report or store"
fi

describe "git:repo on a folder that is no clone"
mkdir -p "$T/plain"
expect_status 1 nhi assess --source "git:repo=$T/plain" -o "$T/nogit"
expect_stderr_line "$T/plain" "not the top of a clone"

describe "files:path on a missing folder"
expect_status 1 nhi assess --source "files:path=$T/nowhere" -o "$T/missing"
expect_stderr_line "$T/nowhere"

finish
