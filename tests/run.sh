#!/usr/bin/env bash
# Runs every test suite against one build folder ($NHI_BUILD, default
# build): C unit tests, plugin tests, end-to-end tests, and the unit
# tests listed in $NHI_TSAN_TESTS (built with ThreadSanitizer). Ends
# with one line "N passed, N failed" over all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${NHI_BUILD:-build}
case $BUILD in /*) ;; *) BUILD="$PWD/$BUILD" ;; esac
export NHISCOPE="$BUILD/nhiscope"
export NHISCOPE_HOME="$PWD"

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Adds the counts of a suite's closing "N passed, N failed" line; a
# suite that dies without one counts as one failure.
tally() {
  local name=$1 rc=$2 line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [ -n "$line" ]; then
    passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
    failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
  fi
  if [ "$rc" -ne 0 ] && { [ -z "$line" ] || [ "$(echo "$line" | cut -d' ' -f3)" = 0 ]; }; then
    echo "FAIL   $name exited with status $rc"
    failed=$((failed + 1))
  fi
}

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)".
unit() {
  local t=$1 rc p f
  "$t" >"$log" 2>&1
  rc=$?
  p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$log" | grep -oE '[0-9]+$' | head -n1)
  f=$(grep -oE '^\[  FAILED  \] [0-9]+' "$log" | grep -oE '[0-9]+$' | head -n1)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ "$rc" -ne 0 ] || [ -n "$f" ]; then
    cat "$log"
    [ -z "$f" ] && failed=$((failed + 1))
  elif grep -q '^\[  SKIPPED \]' "$log"; then
    cat "$log"   # a skipped test says why; keep that visible
  fi
  echo "unit   $(basename "$t"): ${p:-0} passed, ${f:-0} failed"
}

for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] && unit "$t"
done

# The threaded code's tests built with ThreadSanitizer, when given.
for t in ${NHI_TSAN_TESTS:-}; do
  unit "$t"
done

"$NHISCOPE" test plugins/ >"$log" 2>&1
rc=$?
grep -v '^ok ' "$log"
tally "plugin tests" "$rc"

tests/lint.sh >"$log" 2>&1
rc=$?
grep -v '^ok ' "$log"
tally "repository checks" "$rc"

for t in tests/e2e/test_*.sh; do
  [ -f "$t" ] || continue
  bash "$t" >"$log" 2>&1
  rc=$?
  grep -v '^ok ' "$log"
  tally "$(basename "$t")" "$rc"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
