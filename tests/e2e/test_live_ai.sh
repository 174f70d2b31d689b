#!/usr/bin/env bash
# The AI provider organisations: OpenAI and Anthropic Admin APIs read
# live (openai:admin, anthropic:admin) against tests/replay/server.py,
# with cursor pages followed to the end, a 429 with Retry-After, a 500
# and a connection cut mid-body retried, refused calls kept as coverage
# gaps, and no key anywhere in what nhiscope writes; then the same
# answers read back as saved exports (openai:export, anthropic:export),
# which give the same evidence, and bad export files named in the error.
. "$(dirname "$0")/lib.sh"

SERVER="$NHISCOPE_HOME/tests/replay/server.py"
OA="$NHISCOPE_HOME/tests/fixtures/openai"
AN="$NHISCOPE_HOME/tests/fixtures/anthropic"
OA_KEY=sk-admin-FAKEreplayAdminKey0000000000000000000000000000000000000000
AN_KEY=sk-ant-admin01-FAKEreplayAdminKey000000000000000000000000000000000000000000000000000000000000000AA
PIDS=""
export T

stop_replays() {
  local p
  for p in $PIDS; do
    kill "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  PIDS=""
}
trap 'stop_replays; rm -rf "$T"' EXIT

# start_replay SCENARIO NAME: serves SCENARIO; sets PORT, and the request
# log is $T/NAME.log.
start_replay() {
  local portfile="$T/$2.port"
  "$PYTHON" "$SERVER" "$1" --log "$T/$2.log" --timeout 90 >"$portfile" &
  PIDS="$PIDS $!"
  for _ in $(seq 100); do
    [ -s "$portfile" ] && break
    sleep 0.05
  done
  PORT=$(head -n 1 "$portfile")
}

# log_json NAME: the request log as one JSON array, $T/NAME.json.
log_json() {
  "$PYTHON" -c 'import json, sys
print(json.dumps([json.loads(l) for l in open(sys.argv[1])]))' "$T/$1.log" \
    >"$T/$1.json"
}

# nhiscope with the replay keys, and no provider settings from outside.
ai() {
  env -u OPENAI_ADMIN_KEY -u ANTHROPIC_ADMIN_KEY -u NHISCOPE_OPENAI_BASE_URL \
    -u NHISCOPE_ANTHROPIC_BASE_URL OPENAI_ADMIN_KEY="$OA_KEY" \
    ANTHROPIC_ADMIN_KEY="$AN_KEY" "$@"
}

# no_key WHAT: neither admin key is in a file below $DIR or in stderr.
no_key() {
  if grep -rlaF -e "$OA_KEY" -e "$AN_KEY" "$DIR" "$ERR" >/dev/null 2>&1; then
    fail "$1" "found in $(grep -rlaF -e "$OA_KEY" -e "$AN_KEY" "$DIR" "$ERR" | tr '\n' ' ')"
  else
    pass "$1"
  fi
}

# The evidence an AI provider source wrote, as comparable rows.
EVIDENCE="SELECT 'identity', provider, native_id, kind, is_human, name, created_at,
  attrs FROM identities UNION ALL
SELECT 'credential', c.native_id, i.native_id, c.kind, c.status, c.last_used_at,
  c.created_at, c.attrs FROM credentials c LEFT JOIN identities i ON i.id = c.identity_id
  UNION ALL
SELECT 'agent', a.native_id, a.platform, i.native_id, a.name, NULL, NULL, a.attrs
  FROM ai_agents a LEFT JOIN identities i ON i.id = a.identity_id UNION ALL
SELECT 'edge', kind, from_type, from_ref, to_type, to_ref, NULL, attrs FROM edges
  UNION ALL
SELECT 'resource', provider, native_id, type, name, NULL, NULL, attrs FROM resources
ORDER BY 1, 2, 3, 4"

describe "live: pages, throttling, a 500, a cut connection, refused calls"
start_replay "$OA/live/scenario-ok.json" openai
OA_PORT=$PORT
start_replay "$AN/live/scenario-ok.json" anthropic
AN_PORT=$PORT
DIR="$T/live"
REPORT="$DIR/report.json"
expect_status 0 ai NHISCOPE_ANTHROPIC_BASE_URL="http://127.0.0.1:$AN_PORT" \
  "$NHISCOPE" --now "$NOW" -v assess \
  --source "openai:admin=base_url=http://127.0.0.1:$OA_PORT/v1" \
  --source anthropic:admin -o "$DIR"
log_json openai
log_json anthropic
expect_json_eq "$REPORT" '[(s["provider"], s["kind"], s["method"], s["status"], s["error"])
  for s in r["assessment"]["sources"]]' \
  '[("openai", "admin", "live", "ok", None), ("anthropic", "admin", "live", "ok", None)]' \
  "both sources are live and ok"
expect_json_eq "$REPORT" '[[(g["call"], g["reason"]) for g in s["gaps"]]
  for s in r["assessment"]["sources"]]' '[
  [("openai:ListAdminApiKeys",
    "HTTP 403: You do not have access to the organization admin API keys.")],
  [("anthropic:ListUsers", "HTTP 403: Your API key does not have permission to use the specified resource.")]]' \
  "a 403 on one endpoint is a coverage gap; the rest is collected"
expect_json_eq "$REPORT" '(r["inventory"]["ai_agents"], r["inventory"]["credentials"],
  r["inventory"]["resources"], [(p["provider"], p["total"], p["non_human"])
  for p in r["inventory"]["by_provider"]])' \
  '(11, 9, 5, [("anthropic", 3, 0), ("openai", 5, 2)])' \
  "inventory: 7 OpenAI and 4 Anthropic agents, 5 project + 4 Anthropic keys, 3 projects + 2 workspaces"
expect_stderr_line "openai:ListProjects: HTTP 429" "retrying in 1000 ms"
expect_stderr_line "openai:ListUsers: HTTP 500" "retrying in"
expect_stderr_line "openai:ListProjectApiKeys" "connection was cut after 120 bytes" \
  "retrying in"
expect_stderr_line "anthropic:ListApiKeys: HTTP 429" "retrying in 1000 ms"
expect_json_eq "$T/openai.json" '[(e["route"], e["response"], e["cut"]) for e in r]' '[
  ("projects-1", 429, False), ("projects-1", 200, False), ("projects-2", 200, False),
  ("users", 500, False), ("users", 200, False), ("admin-keys-denied", 403, False),
  ("sup-sa", 200, False), ("sup-keys-1", 200, False), ("sup-keys-2", 200, False),
  ("eval-sa", 200, False), ("eval-keys-cut", 200, True), ("eval-keys-cut", 200, False),
  ("old-sa", 200, False), ("old-keys", 200, False)]' \
  "OpenAI: every page once, the 429, the 500 and the cut one again"
expect_json_eq "$T/openai.json" '[(e["params"].get("after"), e["params"]["limit"])
  for e in r if e["path"].endswith("/api_keys") and "Sup4rt" in e["path"]]' \
  '[(None, "100"), ("key_Sup1aa", "100")]' \
  "project keys: the after cursor is the last_id, 100 a page"
expect_json "$T/openai.json" 'all(e["params"].get("owner_project_access") == "any"
  for e in r if e["path"].endswith("/api_keys"))' \
  "project keys asked with owner_project_access=any"
expect_json "$T/openai.json" 'all(e["bearer"] and e["token_ok"] is True for e in r)' \
  "OpenAI: every request carries the admin key as a bearer token"
expect_json "$T/openai.json" '(lambda t: t[1] - t[0] >= 0.95)(
  [e["time"] for e in r if e["route"] == "projects-1"])' \
  "the retry after the 429 waited for its Retry-After: 1"
expect_json_eq "$T/anthropic.json" '[(e["route"], e["response"], e["params"].get("after_id"),
  e["params"]["limit"]) for e in r]' '[("workspaces", 200, None, "1000"),
  ("users-denied", 403, None, "1000"), ("keys-1", 429, None, "1000"),
  ("keys-1", 200, None, "1000"), ("keys-2", 500, "apikey_01Def1Scratch", "1000"),
  ("keys-2", 200, "apikey_01Def1Scratch", "1000")]' \
  "Anthropic: after_id is the last_id, 1000 a page; the 429 and the 500 again"
expect_json "$T/anthropic.json" 'all(e["x_api_key"] and e["token_ok"] is True and not
  e["bearer"] and e["anthropic_version"] == "2023-06-01" for e in r)' \
  "Anthropic: x-api-key and anthropic-version on every request"
for f in 1-openai/projects.json 1-openai/users.json \
  1-openai/projects/proj_Sup4rt01/api_keys.json \
  1-openai/projects/proj_Ev4l0002/service_accounts.json \
  2-anthropic/api_keys.json 2-anthropic/workspaces.json; do
  expect_file "$DIR/raw/$f"
done
expect_json_eq "$DIR/raw/1-openai/projects/proj_Sup4rt01/api_keys.json" \
  '[[k["id"] for k in p["data"]] for p in r]' '[["key_Sup1aa"], ["key_Raj0b1"]]' \
  "the raw file keeps every page"
db_json "$DIR/evidence.db" "$T/keys.json" "SELECT c.native_id, i.native_id,
  c.last_used_at, json_extract(c.attrs, '$.redacted_value'),
  json_extract(c.attrs, '$.partial_key_hint'), json_extract(c.attrs, '$.workspace_id')
  FROM credentials c LEFT JOIN identities i ON i.id = c.identity_id ORDER BY 1"
expect_json_eq "$T/keys.json" 'r' '[
  ["apikey_01Arc1Old", "user_01Mei7Developer", None, None, "sk-ant-api03-Ar1...w8AA", "wrkspc_01Rsrch4Lab"],
  ["apikey_01Def1Scratch", "user_01Ana2Admin", None, None, "sk-ant-api03-Df1...y2AA", "default"],
  ["apikey_01Gone1Triage", "user_01Gone4Left", None, None, "sk-ant-api03-Gn4...x9AA", "wrkspc_01Supp0rtDesk"],
  ["apikey_01Rag9WorkerKey", "user_01Mei7Developer", None, None, "sk-ant-api03-R2D...igAA", "wrkspc_01Rsrch4Lab"],
  ["key_Ev4l01", "svc_acct_9pR4nT", "2026-08-03T09:00:00Z", "sk-proj-****Qz4A", None, None],
  ["key_Leg0d1", "user-Ana8Vq", "2026-11-26T09:00:00Z", "sk-abc...Tq2m", None, None],
  ["key_Mei0c1", "user-Mei5Tz", "2026-11-21T09:00:00Z", "sk-proj-****Mz8K", None, None],
  ["key_Raj0b1", "user-Raj3Kp", None, "sk-proj-****Lm3P", None, None],
  ["key_Sup1aa", "svc_acct_7hQ2mZ", "2026-11-28T09:00:00Z", "sk-svcacct-****Xy7Q", None, None]]' \
  "keys with their owners, last use (OpenAI only) and the redaction the API gives"
db_json "$DIR/evidence.db" "$T/edges.json" "SELECT from_ref, to_ref,
  json_extract(attrs, '$.as') FROM edges WHERE kind = 'runs_as' ORDER BY 1"
expect_json "$T/edges.json" 'len(r) == 11 and ["openai:key_Sup1aa", "svc_acct_7hQ2mZ",
  "key-owner"] in r and ["openai:svc_acct_7hQ2mZ", "svc_acct_7hQ2mZ", "service-account"] in r
  and ["anthropic:apikey_01Rag9WorkerKey", "user_01Mei7Developer", "key-owner"] in r' \
  "one runs_as edge per agent, to the key's owner or the service account"
expect_json_eq "$REPORT" 'sorted((f["check"], f["status"], f["resource"]) for f in r["findings"]
  if f["check"].startswith("ai.provider-"))' '[
  ("ai.provider-key-unscoped", "fail", "apikey_01Def1Scratch"),
  ("ai.provider-key-unscoped", "fail", "key_Leg0d1"),
  ("ai.provider-key-unused", "fail", "key_Ev4l01"),
  ("ai.provider-key-unused", "fail", "key_Raj0b1"),
  ("ai.provider-key-unused", "indeterminate", "apikey_01Gone1Triage"),
  ("ai.provider-key-unused", "indeterminate", "apikey_01Rag9WorkerKey"),
  ("ai.provider-key-without-owner", "fail", "key_Mei0c1"),
  ("ai.provider-key-without-owner", "fail", "key_Raj0b1")]' \
  "findings: Anthropic keys indeterminate, not unused; users unknown (403) so no Anthropic owner left"
no_key "no admin key in evidence.db, reports, raw files or stderr"
stop_replays

describe "the raw answers read back as exports give the same evidence"
LIVE_DIR=$DIR
DIR="$T/reread"
expect_status 0 nhi assess --source "openai:export=$LIVE_DIR/raw/1-openai" \
  --source "anthropic:export=$LIVE_DIR/raw/2-anthropic" -o "$DIR"
db_json "$LIVE_DIR/evidence.db" "$T/live-evidence.json" "$EVIDENCE"
db_json "$DIR/evidence.db" "$T/reread-evidence.json" "$EVIDENCE"
expect_json "$T/reread-evidence.json" 'len(r) > 40 and r == load(env["T"] + "/live-evidence.json")' \
  "identities, keys, agents, edges and resources are the same row for row"
expect_json_eq "$DIR/report.json" '[[g["call"] for g in s["gaps"]]
  for s in r["assessment"]["sources"]]' \
  '[["openai:ListAdminApiKeys"], ["anthropic:ListUsers"]]' \
  "what the live run could not read is missing from the export: a gap again"

describe "a connection cut every time: a clear error, the other source kept"
start_replay "$OA/live/scenario-cut.json" openai-cut
OA_PORT=$PORT
start_replay "$AN/live/scenario-ok.json" anthropic-2
AN_PORT=$PORT
DIR="$T/cut"
expect_status 1 ai NHISCOPE_OPENAI_BASE_URL="http://127.0.0.1:$OA_PORT/v1" \
  "$NHISCOPE" --now "$NOW" assess --source openai:admin \
  --source "anthropic:admin=base_url=http://127.0.0.1:$AN_PORT" -o "$DIR"
expect_json_eq "$DIR/report.json" '[(s["spec"], s["status"]) for s in r["assessment"]["sources"]]' \
  '[("openai:admin", "failed"), ("anthropic:admin=base_url=http://127.0.0.1:'"$AN_PORT"'", "ok")]' \
  "the OpenAI source failed (base URL from NHISCOPE_OPENAI_BASE_URL), Anthropic's is kept"
expect_json "$DIR/report.json" '(lambda e: "openai:ListProjectApiKeys" in e and "cut" in e
  and "/v1/organization/projects/proj_Ev4l0002/api_keys" in e)(
  r["assessment"]["sources"][0]["error"])' \
  "the error names the call, the URL and the cut connection"
expect_json_eq "$DIR/report.json" 'r["inventory"]["credentials"]' '4' \
  "the Anthropic keys are in the report"
log_json openai-cut
expect_json_eq "$T/openai-cut.json" 'len([e for e in r if e["route"] == "eval-keys-cut"])' '5' \
  "the cut call was tried 5 times"
stop_replays

describe "every call refused, no key, a bad option"
start_replay "$OA/live/scenario-refused.json" refused
DIR="$T/refused"
expect_status 1 ai "$NHISCOPE" --now "$NOW" assess \
  --source "openai:admin=base_url=http://127.0.0.1:$PORT/v1" -o "$DIR"
expect_stderr_line "openai:admin: every call was refused" "HTTP 401: Incorrect API key provided." \
  "admin key"
stop_replays
DIR="$T/nokey"
expect_status 1 env -u OPENAI_ADMIN_KEY -u ANTHROPIC_ADMIN_KEY "$NHISCOPE" --now "$NOW" \
  assess --source openai:admin --source anthropic:admin -o "$DIR"
expect_stderr_line "openai:admin: the environment variable OPENAI_ADMIN_KEY is not set"
expect_stderr_line "anthropic:admin: the environment variable ANTHROPIC_ADMIN_KEY is not set"
DIR="$T/keyenv"
expect_status 1 env -u OPENAI_ADMIN_KEY NW_OPENAI="$OA_KEY" "$NHISCOPE" --now "$NOW" \
  assess --source "openai:admin=key_env=NW_OPENAI,base_url=http://127.0.0.1:9/v1" -o "$DIR"
expect_stderr_line "openai:ListProjects" "127.0.0.1:9"
expect_stderr_lacks "is not set"
DIR="$T/badopt"
expect_status 1 ai "$NHISCOPE" --now "$NOW" assess --source "openai:admin=region=eu" -o "$DIR"
expect_stderr_line "openai:admin: unknown option 'region=eu'" "base_url=URL,key_env=VARIABLE"

describe "exports: findings from the saved answers"
DIR="$T/export"
expect_status 0 nhi assess --source "openai:export=$OA/export" \
  --source "anthropic:export=$AN/export" -o "$DIR"
expect_json_eq "$DIR/report.json" '[(s["method"], s["status"], [g["call"] for g in s["gaps"]])
  for s in r["assessment"]["sources"]]' \
  '[("import", "ok", ["openai:ListProjectApiKeys"]), ("import", "ok", [])]' \
  "a project without its api_keys.json is a gap"
expect_json_eq "$DIR/report.json" 'sorted((f["check"], f["severity"], f["status"], f["identity"],
  f["resource"]) for f in r["findings"] if f["check"].startswith("ai.provider-"))' '[
  ("ai.provider-key-unscoped", "medium", "fail", "user-Ana8Vq", "key_Leg0d1"),
  ("ai.provider-key-unscoped", "medium", "fail", "user_01Ana2Admin", "apikey_01Def1Scratch"),
  ("ai.provider-key-unused", "medium", "fail", "svc_acct_9pR4nT", "key_Ev4l01"),
  ("ai.provider-key-unused", "medium", "fail", "user-Raj3Kp", "key_Raj0b1"),
  ("ai.provider-key-unused", "medium", "indeterminate", "user_01Gone4Left", "apikey_01Gone1Triage"),
  ("ai.provider-key-unused", "medium", "indeterminate", "user_01Mei7Developer", "apikey_01Rag9WorkerKey"),
  ("ai.provider-key-without-owner", "high", "fail", "user-Mei5Tz", "key_Mei0c1"),
  ("ai.provider-key-without-owner", "high", "fail", "user-Raj3Kp", "key_Raj0b1"),
  ("ai.provider-key-without-owner", "high", "fail", "user_01Gone4Left", "apikey_01Gone1Triage")]' \
  "unused, orphaned (left the org, lost project access) and unscoped keys"
expect_json_eq "$DIR/report.json" '[f["evidence"]["reason"] for f in r["findings"]
  if f["check"] == "ai.provider-key-unused" and f["status"] == "indeterminate"][0]' \
  '"the Anthropic Admin API does not report when a key was last used; its usage report grouped by api_key_id would"' \
  "an Anthropic key's use is said to be unknown, and why"

describe "exports: bad files are named"
BAD="$T/bad-openai"
mkdir -p "$BAD"
cp -r "$OA/export/." "$BAD/"
printf '{"object": "list", "data": [{"id": "proj_Sup4rt01", "name": ' >"$BAD/projects.json"
DIR="$T/bad1"
expect_status 1 nhi assess --source "openai:export=$BAD" -o "$DIR"
expect_stderr_line "cannot read '$BAD/projects.json'" "line 1"
printf '{"object": "list", "data": {"id": "x"}}' >"$BAD/projects.json"
DIR="$T/bad2"
expect_status 1 nhi assess --source "openai:export=$BAD" -o "$DIR"
expect_stderr_line "cannot read '$BAD/projects.json'" "not a list answer"
cp "$OA/export/projects.json" "$BAD/projects.json"
printf '[{"data": []}, 7]' >"$BAD/users.json"
DIR="$T/bad3"
expect_status 1 nhi assess --source "openai:export=$BAD" -o "$DIR"
expect_stderr_line "cannot read '$BAD/users.json'" "page 2 is not a list answer"
expect_json_eq "$DIR/report.json" 'r["assessment"]["sources"][0]["status"]' '"failed"' \
  "the source failed"
BAD="$T/bad-anthropic"
mkdir -p "$BAD"
cp -r "$AN/export/." "$BAD/"
head -c 300 "$AN/export/api_keys.json" >"$BAD/api_keys.json"
DIR="$T/bad4"
expect_status 1 nhi assess --source "anthropic:export=$BAD" \
  --source "openai:export=$OA/export" -o "$DIR"
expect_stderr_line "cannot read '$BAD/api_keys.json'"
expect_json_eq "$DIR/report.json" '[(s["provider"], s["status"]) for s in r["assessment"]["sources"]]' \
  '[("anthropic", "failed"), ("openai", "ok")]' "a truncated file fails its source only"
DIR="$T/bad5"
expect_status 1 nhi assess --source "anthropic:export=$T" -o "$DIR"
expect_stderr_line "anthropic:export: no '$T/api_keys.json'" "an Anthropic export folder"

finish
