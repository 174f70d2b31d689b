#!/usr/bin/env bash
# The benchmark (./build.sh bench runs it after building): a whole
# assessment of a generated account, timed with hyperfine and measured
# for peak memory with GNU time, the import and the checks alone, and
# the policy engine's decisions per second against iam-simulate's.
# Ends with a summary against the targets; exit status 1 when one is
# missed. Expects build/nhiscope and build/bench/bench_engine.
#
#   NHI_BENCH_RUNS   timed runs of the whole assessment (default 3)
#   NHI_BENCH_ENGINE_PAIRS  runs of the engine and iam-simulate, in turn
#                    (default 3)
#   NHI_BENCH_SCALE  size of the account, 1 = the full one (default 1)
#   NHI_BENCH_OUT    where assessments are written (default out/bench)
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${NHI_BENCH_RUNS:-3}
PAIRS=${NHI_BENCH_ENGINE_PAIRS:-3}
SCALE=${NHI_BENCH_SCALE:-1}
OUT=${NHI_BENCH_OUT:-out/bench}
TARGET_S=60
TARGET_GIB=2
TARGET_X=50
NOW=2026-12-01T09:00:00Z

say() { echo "bench: $*" >&2; }

# The report benchmark is its own script; NHI_BENCH_ONLY=report runs it
# alone, without the long assessment below.
# NHI_BENCH_ONLY=paths runs the AI path benchmark alone.
if [ "${NHI_BENCH_ONLY:-}" = paths ]; then
  exec tests/bench/paths.sh
fi
report_rc=0
tests/bench/report.sh || report_rc=$?
[ "${NHI_BENCH_ONLY:-}" = report ] && exit "$report_rc"
paths_rc=0
tests/bench/paths.sh || paths_rc=$?

# A value of the JSON file $1: the Python expression $2 on it, as d.
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); \
print($2)" "$1"; }

data=$(python3 tests/bench/gen_account.py --scale "$SCALE")
mkdir -p "$OUT"
src=(--source "aws:authz=$data/gaad.json"
     --source "aws:cloudtrail=$data/cloudtrail" --now "$NOW")
assess="build/nhiscope -q assess ${src[*]} -o $OUT/assess"

# GNU time inside each timed run gives its peak memory. Status 1 (a
# source or plugin failed) is a result to report, not a reason to stop.
say "assessment, $RUNS runs under hyperfine and GNU time"
rm -f "$OUT/rss-assess.txt"
hyperfine --style basic --ignore-failure --runs "$RUNS" \
  --export-json "$OUT/assess.json" \
  "/usr/bin/time -f %M -a -o $OUT/rss-assess.txt $assess" >&2
median=$(json_get "$OUT/assess.json" 'd["results"][0]["median"]')
status=$(json_get "$OUT/assess.json" 'max(d["results"][0]["exit_codes"])')
rss_kb=$(grep -E '^[0-9]+$' "$OUT/rss-assess.txt" | sort -n | tail -n 1)
if [ "$status" -gt 1 ]; then
  say "the assessment failed (status $status): run $assess"
  exit 2
fi

# Runs a stage under GNU time into $OUT/time-$1.txt; status 1 is fine.
stage() {
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$OUT/time-$name.txt" \
    build/nhiscope -q "$name" "$@" -o "$OUT/stages" 2>>"$OUT/assess.log" \
    || [ $? -eq 1 ]
}

say "import alone (collect), then the checks alone (check)"
rm -rf "$OUT/stages"
stage collect "${src[@]}"
stage check
# GNU time puts "Command exited with non-zero status 1" first, if so.
read -r collect_s collect_kb < <(tail -n 1 "$OUT/time-collect.txt")
read -r check_s check_kb < <(tail -n 1 "$OUT/time-check.txt")

engine=""
if ! command -v node >/dev/null 2>&1; then
  say "node is not installed: no engine comparison"
elif ! cases=$(node tests/oracle/oracle.mjs); then
  say "iam-simulate cannot be installed (no npm registry?): no engine" \
    "comparison"
else
  # In turn, so that both sides of each pair meet the machine in the same
  # state: its speed drifts, and the summary takes the median of the
  # pairs' ratios.
  say "policy engine and iam-simulate on $cases, $PAIRS pairs of runs"
  rm -f "$OUT/engine.txt" "$OUT/simulate.txt"
  for _ in $(seq "$PAIRS"); do
    build/bench/bench_engine "$cases" 3 | tee -a "$OUT/engine.txt" >&2
    node tests/bench/bench_simulate.mjs "$cases" 10 \
      | tee -a "$OUT/simulate.txt" >&2
  done
  engine=yes
fi

export median rss_kb collect_s collect_kb check_s check_kb engine status \
  TARGET_S TARGET_GIB TARGET_X RUNS PAIRS OUT data
rc=0
python3 tests/bench/summary.py || rc=$?
rc=$((rc ? rc : paths_rc))

# The secrets scanner's benchmark: its own script, also runnable alone.
tests/bench/secrets.sh || rc=$((rc ? rc : $?))
exit "$rc"
