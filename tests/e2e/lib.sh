# Shared helpers for the end-to-end tests, sourced by each
# tests/e2e/test_*.sh: a temp folder per script, assertions that print
# "ok   <what>" or "FAIL <what>: <details>", and `finish` for the closing
# "N passed, N failed" line.
#
# Environment: NHISCOPE (the binary, absolute path) and NHISCOPE_HOME
# (the repository root); both default to this checkout's build/.

set -u -o pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NHISCOPE_HOME=${NHISCOPE_HOME:-$(cd "$E2E_DIR/../.." && pwd)}
NHISCOPE=${NHISCOPE:-$NHISCOPE_HOME/build/nhiscope}
export NHISCOPE NHISCOPE_HOME
JSONQ="$E2E_DIR/jsonq.py"
# The interpreter itself, not a version manager's shim: each assertion
# starts one, and a shim costs more than the check.
PYTHON=$(python3 -c 'import sys; print(sys.executable)') || exit 2
FIXTURES="$NHISCOPE_HOME/tests/fixtures/e2e"
# Every run pins the clock, so reports do not depend on the day.
NOW=2026-12-01T09:00:00Z

T=$(mktemp -d "${TMPDIR:-/tmp}/nhiscope-e2e.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
OUT="$T/.stdout"
ERR="$T/.stderr"
: >"$OUT"
: >"$ERR"
CASE=""
e2e_passed=0
e2e_failed=0

cd "$NHISCOPE_HOME" || exit 2

# Names the case that the following assertions belong to.
# db_json DB OUT SQL: the rows of SQL over DB as a JSON list of lists.
db_json() {
  "$PYTHON" -c 'import json, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchall()
print(json.dumps(rows))' "$1" "$3" >"$2"
}

describe() {
  CASE=$1
}

# Text on one line, temp paths shortened, at most 400 characters.
oneline() {
  local s
  s=$(printf '%s' "$1" | tr '\n' '|' | sed -e "s#$T#\$T#g" -e 's/|*$//')
  printf '%s' "${s:0:400}"
}

label() {
  if [ -n "$CASE" ]; then
    printf '%s: %s' "$CASE" "$1"
  else
    printf '%s' "$1"
  fi
}

pass() {
  echo "ok   $(label "$1")"
  e2e_passed=$((e2e_passed + 1))
}

fail() {
  echo "FAIL $(label "$1"): $(oneline "$2")"
  e2e_failed=$((e2e_failed + 1))
}

# nhiscope with the pinned clock.
nhi() {
  "$NHISCOPE" --now "$NOW" "$@"
}

# expect_status N CMD...: runs CMD, keeps its stdout and stderr for the
# expect_std* assertions, and checks that it exits with status N.
expect_status() {
  local want=$1 got
  shift
  "$@" >"$OUT" 2>"$ERR"
  got=$?
  if [ "$got" -eq "$want" ]; then
    pass "exit $want"
  else
    fail "exit $want" "got $got; stderr: $(head -c 600 "$ERR")"
  fi
}

# expect_stderr_has TEXT: the last command's stderr contains TEXT.
expect_stderr_has() {
  if grep -qF -- "$1" "$ERR"; then
    pass "stderr has '$1'"
  else
    fail "stderr has '$1'" "stderr: $(head -c 600 "$ERR")"
  fi
}

# expect_stderr_lacks TEXT: the last command's stderr does not hold TEXT.
expect_stderr_lacks() {
  if grep -qF -- "$1" "$ERR"; then
    fail "stderr lacks '$1'" "stderr: $(head -c 600 "$ERR")"
  else
    pass "stderr lacks '$1'"
  fi
}

# expect_stderr_line TEXT...: one line of the last command's stderr holds
# every TEXT (the file, and what is wrong with it, said together).
expect_stderr_line() {
  local line what text
  what="one stderr line has"
  for text in "$@"; do
    what="$what '$text'"
  done
  while IFS= read -r line; do
    if line_has_all "$line" "$@"; then
      pass "$what"
      return
    fi
  done <"$ERR"
  fail "$what" "stderr: $(head -c 600 "$ERR")"
}

line_has_all() {
  local line=$1 text
  shift
  for text in "$@"; do
    case $line in *"$text"*) ;; *) return 1 ;; esac
  done
  return 0
}

# expect_stdout_has TEXT: the last command's stdout contains TEXT.
expect_stdout_has() {
  if grep -qF -- "$1" "$OUT"; then
    pass "stdout has '$1'"
  else
    fail "stdout has '$1'" "stdout: $(head -c 600 "$OUT")"
  fi
}

# expect_file PATH: PATH is a non-empty file.
expect_file() {
  if [ -s "$1" ]; then
    pass "$(basename "$1") written"
  else
    fail "$(basename "$1") written" "$1 is missing or empty"
  fi
}

# expect_json FILE EXPR [WHAT]: the Python expression EXPR over the
# parsed FILE (named r) is truthy. EXPR can read exported shell
# variables as env["NAME"], which saves quoting them.
expect_json() {
  local what=${3:-$2} msg
  if msg=$("$PYTHON" "$JSONQ" "$1" "$2" 2>&1); then
    pass "$what"
  else
    fail "$what" "$msg"
  fi
}

# expect_json_eq FILE EXPR WANT [WHAT]: EXPR == WANT, both Python
# expressions over the parsed FILE (named r).
expect_json_eq() {
  local what=${4:-$2 == $3} msg
  if msg=$("$PYTHON" "$JSONQ" --eq "$1" "$2" "$3" 2>&1); then
    pass "$what"
  else
    fail "$what" "$msg"
  fi
}

# json_value FILE EXPR: prints EXPR's value as JSON.
json_value() {
  "$PYTHON" "$JSONQ" --print "$1" "$2"
}

# expect_true WHAT CMD...: CMD exits 0.
expect_true() {
  local what=$1
  shift
  if "$@" >"$T/.true.out" 2>&1; then
    pass "$what"
  else
    fail "$what" "$(head -c 600 "$T/.true.out")"
  fi
}

# Prints the closing line; the script's exit status says if any failed.
finish() {
  echo "$e2e_passed passed, $e2e_failed failed"
  [ "$e2e_failed" -eq 0 ]
  exit $?
}
