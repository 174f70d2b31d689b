#!/usr/bin/env bash
# The report benchmark: `nhiscope report` on a store of 100,000
# findings (the demo's, repeated by tests/bench/gen_findings.py), timed
# with hyperfine for report.json, report.pdf and both, and measured for
# peak memory with GNU time; the technical template once, for the
# record. Ends with a table against the targets (under 5 s and 500 MiB
# for both files); exit status 1 when one is missed. Expects
# build/nhiscope. Run by tests/bench/run.sh, or alone:
#
#   NHI_BENCH_ONLY=report ./build.sh bench
#
#   NHI_BENCH_REPORT_RUNS  timed runs of each command (default 5)
#   NHI_BENCH_FINDINGS     findings in the store (default 100000)
#   NHI_BENCH_OUT          where the store and results go (default
#                          out/bench; this writes OUT/report/)
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${NHI_BENCH_REPORT_RUNS:-5}
COUNT=${NHI_BENCH_FINDINGS:-100000}
OUT=${NHI_BENCH_OUT:-out/bench}/report
TARGET_S=5
TARGET_MIB=500
NOW=2026-12-01T09:00:00Z

say() { echo "bench: $*" >&2; }

say "report: a store of $COUNT findings in $OUT"
rm -rf "$OUT"
mkdir -p "$OUT/store"
build/nhiscope -q --now "$NOW" assess --demo --format json -o "$OUT/store" \
  || [ $? -eq 1 ]
python3 tests/bench/gen_findings.py "$OUT/store/evidence.db" "$COUNT"

report() { echo "build/nhiscope -q report --format $1 -o $OUT/store"; }

say "report: $RUNS runs each of json, pdf and json,pdf under hyperfine"
hyperfine --style basic --warmup 1 --runs "$RUNS" \
  --export-json "$OUT/hyperfine.json" \
  -n json "$(report json)" -n pdf "$(report pdf)" \
  -n json,pdf "$(report json,pdf)" >&2

# GNU time -v: "Maximum resident set size (kbytes): N".
peak_kib() {
  /usr/bin/time -v "$@" 2>&1 >/dev/null |
    awk -F': ' '/Maximum resident set size/ {print $2}'
}

say "report: peak memory of each, and the technical template once"
for f in json pdf json,pdf; do
  echo "$f $(peak_kib build/nhiscope -q report --format "$f" \
    -o "$OUT/store")" >>"$OUT/peak.txt"
done
start=$(date +%s%N)
tech_kib=$(peak_kib build/nhiscope -q report --format pdf \
  --template technical -o "$OUT/store")
tech_ms=$((($(date +%s%N) - start) / 1000000))
pages() { pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ {print $2}'; }
{
  echo "technical $tech_kib $tech_ms"
  echo "pages $(pages "$OUT/store/report.pdf")" \
    "$(pages "$OUT/store/report-technical.pdf")"
  echo "bytes $(stat -c %s "$OUT/store/report.json")" \
    "$(stat -c %s "$OUT/store/report.pdf")"
} >>"$OUT/peak.txt"

exec python3 - "$OUT" "$COUNT" "$TARGET_S" "$TARGET_MIB" <<'EOF'
import json
import sys

out, count, target_s, target_mib = sys.argv[1], int(sys.argv[2]), \
    float(sys.argv[3]), float(sys.argv[4])
runs = {r["command"]: r for r in
        json.load(open(out + "/hyperfine.json"))["results"]}
peak, extra = {}, {}
for line in open(out + "/peak.txt"):
    name, *values = line.split()
    if name in ("json", "pdf", "json,pdf"):
        peak[name] = int(values[0]) / 1024
    else:
        extra[name] = values

print("\nreport of %d findings (%s and %s pages, report.json %.0f MB)"
      % (count, extra["pages"][0], extra["pages"][1],
         int(extra["bytes"][0]) / 1e6))
print("| --format | median | of %g s | CPU (user + system, mean) "
      "| peak memory | of %g MiB |" % (target_s, target_mib))
print("|---|---|---|---|---|---|")
missed = False
for name in ("json", "pdf", "json,pdf"):
    r = runs[name]
    t, m = r["median"], peak[name]
    print("| %s | %.2f s (%.2f to %.2f) | %.2f | %.2f s | %.0f MiB | %.2f |"
          % (name, t, r["min"], r["max"], t / target_s,
             r["user"] + r["system"], m, m / target_mib))
    if name == "json,pdf":
        missed = t >= target_s or m >= target_mib
tech_mib, tech_s = int(extra["technical"][0]) / 1024, \
    int(extra["technical"][1]) / 1000
print("| pdf, technical template (1 run, no target) | %.2f s | %.2f "
      "| | %.0f MiB | %.2f |" % (tech_s, tech_s / target_s, tech_mib,
                                tech_mib / target_mib))
print("\nreport.json and report.pdf together: %s"
      % ("target missed" if missed else "under both targets"))
sys.exit(1 if missed else 0)
EOF
