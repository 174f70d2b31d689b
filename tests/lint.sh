#!/usr/bin/env bash
# Repository checks a compiler does not make: line widths (C 79, Lua 100)
# and a check catalogue in step with the plugins. Ends "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0
failed=0

check() {
  local what=$1 out=$2
  if [ -z "$out" ]; then
    echo "ok     $what"
    passed=$((passed + 1))
  else
    echo "FAIL   $what:"
    echo "$out" | head -n 20
    failed=$((failed + 1))
  fi
}

files() { git ls-files --cached --others --exclude-standard -- "$@"; }

check "C lines fit in 79 columns" "$(files 'core/*.[ch]' 'reports/*.[ch]' \
  'tests/unit/*.c' 'tests/oracle/*.[ch]' 'tests/bench/*.c' \
  | xargs -r awk 'length($0) > 79 {print FILENAME":"FNR}')"
check "Lua lines fit in 100 columns" "$(files 'plugins/*.lua' \
  | xargs -r awk 'length($0) > 100 {print FILENAME":"FNR}')"
check "no tabs in C" "$(files 'core/*.[ch]' 'reports/*.[ch]' \
  | xargs -r grep -n "$(printf '\t')" | head -n 5)"
if [ -n "${NHISCOPE:-}" ]; then
  check "docs/checks.md matches the plugins (./build.sh docs)" "$(
    "$NHISCOPE" plugins list --json | python3 docs/gen-checks.py \
      | diff docs/checks.md - | head -n 10)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
