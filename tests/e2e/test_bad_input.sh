#!/usr/bin/env bash
# Bad input end to end: broken exports, failing and hostile plugins, and
# usage errors. Each must give one clear error line naming the input and
# what is wrong, and must not lose the rest of the work.
. "$(dirname "$0")/lib.sh"

VALID="$FIXTURES/valid.json"
ACCT=arn:aws:iam::555566667777
# What the checks find in valid.json, and nothing else.
VALID_FINDINGS="{('aws.iam.admin-equivalent', '$ACCT:user/service/svc-ingest'),
  ('aws.iam.cross-account-trust', '$ACCT:role/vendor/vendor-audit'),
  ('aws.iam.role-unused', '$ACCT:role/vendor/vendor-audit')}"
FOUND='{(f["check"], f["identity"]) for f in r["findings"]}'

# The valid source landed: its identities are counted and its findings
# are reported. $1 is the report.
expect_valid_landed() {
  expect_json_eq "$1" '(r["inventory"]["identities"],
    r["inventory"]["human"], r["inventory"]["non_human"])' '(4, 1, 3)' \
    "inventory holds valid.json's 4 identities"
  expect_json_eq "$1" "$FOUND" "$VALID_FINDINGS" \
    "the built-in checks' findings on valid.json are reported"
}

# bad_source NAME FILE TEXT: FILE collected before valid.json fails with
# TEXT; valid.json still lands.
bad_source() {
  local name=$1 file=$2 text=$3 dir="$T/src-$1" report
  report="$dir/report.json"
  describe "$name"
  expect_status 1 nhi assess --source "aws:authz=$file" \
    --source "aws:authz=$VALID" -o "$dir"
  expect_stderr_line "$file" "$text"
  expect_json_eq "$report" '[(s["location"], s["status"])
    for s in r["assessment"]["sources"]]' \
    "[('$file', 'failed'), ('$VALID', 'ok')]" \
    "bad source failed, valid source ok"
  export TEXT=$text FILE=$file
  expect_json "$report" 'env["TEXT"] in (r["assessment"]["sources"][0]
    ["error"] or "") and env["FILE"] in r["assessment"]["sources"][0]
    ["error"]' "the failed source's error names the file and says '$text'"
  expect_valid_landed "$report"
}

bad_source "malformed JSON" "$FIXTURES/malformed.json" "line 6, column 13"
bad_source "truncated export" "$FIXTURES/truncated.json" \
  "unexpected end of input"
bad_source "list-users export" "$FIXTURES/list-users.json" \
  "not an AWS get-account-authorization-details export"
bad_source "empty file" "$FIXTURES/empty.json" "file is empty"
bad_source "missing file" "$FIXTURES/no-such-export.json" "No such file"

describe "export failing midway, after a valid one"
dir="$T/midway"
expect_status 1 nhi assess --source "aws:authz=$VALID" \
  --source "aws:authz=$FIXTURES/bad-midway.json" -o "$dir"
expect_stderr_line "bad-midway.json" "partial-bad-role" "percent-escape"
expect_json_eq "$dir/report.json" '[s["status"]
  for s in r["assessment"]["sources"]]' '["ok", "failed"]' \
  "first source ok, second failed"
# bad-midway.json's first role and user were written before the failure:
# its transaction must take them back.
expect_valid_landed "$dir/report.json"

# --- plugins -----------------------------------------------------------

# check_plugin DIR NAME BODY [SEVERITY]: writes DIR/NAME.lua, a check
# with id e2e.NAME whose run function is BODY.
check_plugin() {
  mkdir -p "$1"
  cat >"$1/$2.lua" <<EOF
-- e2e test plugin: $2
return {
  id = "e2e.$2",
  kind = "check",
  question = "overprivilege",
  category = "admin-equivalent",
  owasp = "NHI5",
  severity = "${4:-low}",
  requires = { "identities" },
  title = "e2e $2",
  description = "A plugin written by tests/e2e/test_bad_input.sh.",
  remediation = "None.",
  run = function(ctx)
    $3
  end,
}
EOF
}

# bad_plugin NAME TEXT BODY [OPTIONS...]: a check whose run is BODY fails
# with TEXT; the built-in checks' findings are still reported.
bad_plugin() {
  local name=$1 text=$2 body=$3 dir="$T/plug-$1"
  shift 3
  check_plugin "$dir/plugins" "$name" "$body"
  describe "plugin $name"
  expect_status 1 nhi assess --source "aws:authz=$VALID" \
    --plugins "$dir/plugins" "$@" -o "$dir/out"
  expect_stderr_line "e2e.$name" "$text"
  export TEXT=$text
  expect_json_eq "$dir/out/report.json" "[(p['status'], env['TEXT'] in
    (p['error'] or '')) for p in r['plugins'] if p['id'] == 'e2e.$name']" \
    '[("failed", True)]' "plugins[] records it failed with '$text'"
  expect_json_eq "$dir/out/report.json" "[p['id'] for p in r['plugins']
    if p['id'] != 'e2e.$name' and p['status'] == 'failed']" '[]' \
    "no other plugin failed"
  expect_json_eq "$dir/out/report.json" "$FOUND" "$VALID_FINDINGS" \
    "the built-in checks' findings are still reported"
}

bad_plugin loop "instruction budget exceeded" 'while true do end' \
  --budget 50
bad_plugin pcall-loop "instruction budget exceeded" \
  'while true do pcall(function() while true do end end) end' --budget 50
bad_plugin alloc "memory limit exceeded" \
  'local t = {} ; while true do t[#t+1] = string.rep("x", 1e6) .. #t end' \
  --memory 64
bad_plugin os-execute "execute" "os.execute('touch $T/pwned-execute')"
expect_true "os.execute created no file" test ! -e "$T/pwned-execute"
bad_plugin io-popen "popen" "io.popen('touch $T/pwned-popen')"
expect_true "io.popen created no file" test ! -e "$T/pwned-popen"
bad_plugin passwd "outside the paths" \
  'local f = io.open("/etc/passwd") ; error("opened: " .. tostring(f))'
bad_plugin read-global "unknown global 'undeclared_thing'" \
  'local x = undeclared_thing'
bad_plugin write-global "unknown global 'newglobal'" 'newglobal = 1'
bad_plugin debug "unknown global 'debug'" 'debug.sethook()'
bad_plugin binary-chunk "binary chunk" \
  'local f, e = load("\27Lua\84\0", "=chunk") ; error(tostring(e), 0)'

# load_failure NAME TEXT...: $dir/plugins/NAME.lua does not load; the
# error names the file and says each TEXT; the built-in checks still run.
load_failure() {
  local name=$1 file="$dir/plugins/$1.lua"
  shift
  expect_status 1 nhi assess --source "aws:authz=$VALID" \
    --plugins "$dir/plugins" -o "$dir/out"
  expect_stderr_line "$file" "$@"
  expect_json_eq "$dir/out/report.json" "[(p['status'],
    '$file' in (p['error'] or '')) for p in r['plugins']
    if p['id'] == '$file' or p['id'] == 'e2e.$name']" '[("failed", True)]' \
    "plugins[] records the file as failed"
  expect_json_eq "$dir/out/report.json" "$FOUND" "$VALID_FINDINGS" \
    "the built-in checks' findings are still reported"
}

describe "plugin with a syntax error"
dir="$T/plug-syntax"
mkdir -p "$dir/plugins"
printf '%s\n' 'return {' '  id = "e2e.syntax",' '  kind = "check"' \
  '  run = function(ctx) end,' '}' >"$dir/plugins/syntax.lua"
load_failure syntax "syntax.lua:4:"

describe "plugin with a bad severity"
dir="$T/plug-severity"
check_plugin "$dir/plugins" severity 'return' hgh
load_failure severity "field 'severity'" "hgh"

# --- usage errors --------------------------------------------------------

describe "profile with an unknown setting"
printf 'client = "Acme"\nbogus_setting = 3\n' >"$T/bad-profile.lua"
expect_status 2 nhi assess --profile "$T/bad-profile.lua" -o "$T/u1"
expect_stderr_line "bad-profile.lua" "bogus_setting"

describe "--source with an unknown provider:kind"
expect_status 2 nhi assess --source nosuch:thing=x -o "$T/u2"
expect_stderr_line "nosuch:thing"

describe "--source without a colon"
expect_status 2 nhi assess --source nocolon -o "$T/u3"
expect_stderr_line "nocolon" "provider:kind"

describe "--set of an unknown plugin"
expect_status 2 nhi assess --source "aws:authz=$VALID" \
  --set nosuch.plugin.max_days=3 -o "$T/u4"
expect_stderr_line "nosuch.plugin"

describe "--set of an unknown param"
expect_status 2 nhi assess --source "aws:authz=$VALID" \
  --set aws.iam.role-unused.nosuch=3 -o "$T/u5"
expect_stderr_line "aws.iam.role-unused" "nosuch"

describe "--now with garbage"
expect_status 2 "$NHISCOPE" assess --now yesterday \
  --source "aws:authz=$VALID" -o "$T/u6"
expect_stderr_line "--now" "yesterday"

describe "unknown option"
expect_status 2 nhi assess --frobnicate --source "aws:authz=$VALID" \
  -o "$T/u7"
expect_stderr_line "--frobnicate"

describe "unknown command"
expect_status 2 nhi frobnicate
expect_stderr_line "frobnicate"

describe "assess without -o"
expect_status 2 nhi assess --source "aws:authz=$VALID"
expect_stderr_line "-o DIR"

# A usage error is found before anything is written: an earlier
# assessment in the same folder survives it.
describe "usage error over an earlier assessment"
dir="$T/kept"
expect_status 0 nhi assess --source "aws:authz=$VALID" -o "$dir"
expect_status 2 nhi assess --source nosuch:thing=x -o "$dir"
expect_status 2 nhi assess --source "aws:authz=$VALID" \
  --set nosuch.plugin.x=1 -o "$dir"
expect_status 0 nhi report -o "$dir"
expect_json_eq "$dir/report.json" 'r["inventory"]["identities"]' '4' \
  "evidence.db still holds valid.json's identities"

finish
