#!/usr/bin/env bash
# The secrets scanner's benchmark: a generated source-like corpus with
# planted secrets (tests/bench/gen_corpus.py), scanned by the engine on
# two threads (build/bench/bench_scan, `make bench`) for throughput, peak
# memory and recall on the planted set; then secretlint with its
# recommended preset (npm, installed into a cache folder, never bundled)
# and the engine on the same slice, for the ratio. Ends with a summary
# against the targets (300 MB/s on two cores, 100% recall, 50 times
# secretlint); exit status 1 when one is missed. Runnable alone; run by
# tests/bench/run.sh (./build.sh bench).
#
#   NHI_BENCH_SECRETS_MIB    corpus size (default 1024)
#   NHI_BENCH_SECRETS_SLICE  MiB of it given to secretlint (default 50)
#   NHI_BENCH_SECRETS_RUNS   timed scans of the corpus (default 3)
#   NHI_BENCH_OUT            where results go (default out/bench)
set -euo pipefail
cd "$(dirname "$0")/../.."

MIB=${NHI_BENCH_SECRETS_MIB:-1024}
SLICE=${NHI_BENCH_SECRETS_SLICE:-50}
RUNS=${NHI_BENCH_SECRETS_RUNS:-3}
OUT=${NHI_BENCH_OUT:-out/bench}/secrets
CORPUS=$OUT/corpus-$MIB
RULES=plugins/data/secrets/rules.json
SCAN=build/bench/bench_scan
LINT_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/nhiscope-secretlint"
THREADS=2

say() { echo "bench secrets: $*" >&2; }

if [ ! -x "$SCAN" ]; then
  say "$SCAN is missing: run 'make bench' (or ./build.sh bench)"
  exit 2
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CORPUS=$OUT/corpus-$MIB
if [ ! -s "$CORPUS/planted.tsv" ]; then
  say "generating a $MIB MiB corpus into $CORPUS (kept for later runs)"
  rm -rf "$CORPUS"
  python3 tests/bench/gen_corpus.py "$CORPUS" --mib "$MIB"
fi

say "the engine on $CORPUS/tree, $THREADS threads, $RUNS runs"
/usr/bin/time -f %M -o "$OUT/rss.txt" \
  "$SCAN" "$RULES" "$CORPUS/tree" "$THREADS" "$RUNS" "$OUT/hits.tsv" \
  >"$OUT/scan.json"
cat "$OUT/scan.json" >&2

# The slice: whole files, in path order, up to SLICE MiB, hard-linked.
rm -rf "$OUT/slice"
python3 - "$CORPUS" "$OUT/slice" "$SLICE" <<'PY'
import os, sys
corpus, slice_dir, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
tree, total, kept = os.path.join(corpus, "tree"), 0, set()
files = sorted(os.path.relpath(os.path.join(d, f), tree)
               for d, _, fs in os.walk(tree) for f in fs)
for rel in files:
    size = os.path.getsize(os.path.join(tree, rel))
    if total + size > mib << 20:
        break
    os.makedirs(os.path.dirname(os.path.join(slice_dir, "tree", rel)),
                exist_ok=True)
    os.link(os.path.join(tree, rel), os.path.join(slice_dir, "tree", rel))
    total += size
    kept.add(rel)
with open(os.path.join(corpus, "planted.tsv")) as f, \
        open(os.path.join(slice_dir, "planted.tsv"), "w") as out:
    for row in f:
        if row.split("\t")[0] in kept:
            out.write(row)
PY
"$SCAN" "$RULES" "$OUT/slice/tree" "$THREADS" 3 "$OUT/slice-hits.tsv" \
  >"$OUT/slice-scan.json"

lint=""
if ! command -v node >/dev/null 2>&1; then
  say "node is not installed: no secretlint comparison"
elif ! { [ -x "$LINT_DIR/node_modules/.bin/secretlint" ] ||
         { mkdir -p "$LINT_DIR" &&
           npm install --prefix "$LINT_DIR" --no-save --no-audit --no-fund \
             secretlint @secretlint/secretlint-rule-preset-recommend \
             >/dev/null 2>&1; }; }; then
  say "secretlint cannot be installed (no npm registry?): no comparison"
else
  cat >"$OUT/secretlintrc.json" <<'JSON'
{ "rules": [ { "id": "@secretlint/secretlint-rule-preset-recommend",
               "rules": [ { "id": "@secretlint/secretlint-rule-aws",
                            "options": { "enableIDScanRule": true } } ] } ] }
JSON
  say "secretlint (recommended preset) on the $SLICE MiB slice"
  start=$(date +%s.%N)
  (cd "$LINT_DIR" && node_modules/.bin/secretlint \
     --secretlintrc "$OUT/secretlintrc.json" --format unix --no-color \
     --output "$OUT/secretlint.txt" "$OUT/slice/tree/**/*") \
     >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  echo "$start $end" >"$OUT/secretlint-time.txt"
  lint=yes
fi

export OUT CORPUS lint RUNS THREADS
exec python3 - <<'PY'
import json, os, sys

out, corpus = os.environ["OUT"], os.environ["CORPUS"]


def rows(path):
    with open(path) as f:
        return {tuple(x.split("\t")) for x in f.read().split("\n") if x}


scan = json.load(open(f"{out}/scan.json"))
planted, found = rows(f"{corpus}/planted.tsv"), rows(f"{out}/hits.tsv")
recall = len(planted & found) / len(planted) if planted else 0.0
rss_mib = int(open(f"{out}/rss.txt").read().split()[-1]) / 1024
runs = sorted(scan["seconds"])
median = runs[len(runs) // 2]
mbs = scan["bytes"] / 1e6 / median
print(f"engine: {scan['bytes'] / 2**20:.0f} MiB in {scan['files']} files, "
      f"{os.environ['THREADS']} threads, runs {scan['seconds']} s: "
      f"{mbs:.0f} MB/s (median run); peak memory {rss_mib:.0f} MiB")
print(f"recall: {len(planted & found)} of {len(planted)} planted secrets "
      f"({recall:.1%}); {len(found - planted)} found that were not planted")
missed = sorted(planted - found)[:5]
if missed:
    print("  missed, first ones: " + "; ".join("\t".join(m) for m in missed))
ok = mbs >= 300 and recall == 1.0
if os.environ.get("lint"):
    s = json.load(open(f"{out}/slice-scan.json"))
    start, end = map(float, open(f"{out}/secretlint-time.txt").read().split())
    lint_s = end - start
    lint_mbs = s["bytes"] / 1e6 / lint_s
    slice_planted = rows(f"{out}/slice/planted.tsv")
    try:
        with open(f"{out}/secretlint.txt") as f:
            lint_found = sum(1 for x in f if x.startswith("/"))
    except OSError:
        lint_found = None
    ratio_slice = s["mb_s"] / lint_mbs
    ratio_full = mbs / lint_mbs
    print(f"secretlint: {s['bytes'] / 2**20:.0f} MiB slice in {lint_s:.1f} s: "
          f"{lint_mbs:.1f} MB/s; {lint_found} reports for "
          f"{len(slice_planted)} planted secrets")
    print(f"engine on the same slice: {s['mb_s']:.0f} MB/s: "
          f"{ratio_slice:.0f} times secretlint "
          f"({ratio_full:.0f} times with the whole corpus's rate)")
    ok = ok and ratio_slice >= 50
else:
    print("secretlint: not run (see above)")
print("targets: 300 MB/s on two cores, 100% recall, 50x secretlint: "
      + ("met" if ok else "MISSED"))
sys.exit(0 if ok else 1)
PY
