#!/usr/bin/env bash
# The AI path benchmark: a store of 1,000 agents, 100,000 identities,
# 50,000 resources and 1,000,000 edges (tests/bench/gen_paths.py), the
# path stage timed with hyperfine and measured for peak memory with GNU
# time (build/bench/bench_paths), then the recursive SQL CTE it was
# measured against, once. Target: under 10 s and 1 GiB. Run by
# tests/bench/run.sh, or alone:
#
#   NHI_BENCH_ONLY=paths ./build.sh bench
#
#   NHI_BENCH_PATHS_RUNS  timed runs (default 3)
#   NHI_BENCH_SCALE       size, 1 = the full one (default 1)
#   NHI_BENCH_OUT         where the store goes (default out/bench; this
#                         writes OUT/paths/)
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${NHI_BENCH_PATHS_RUNS:-3}
SCALE=${NHI_BENCH_SCALE:-1}
OUT=${NHI_BENCH_OUT:-out/bench}/paths
TARGET_S=10
TARGET_MIB=1024

say() { echo "bench: $*" >&2; }

rm -rf "$OUT"
mkdir -p "$OUT"
build/bench/bench_paths "$OUT/evidence.db" init
say "paths: $(python3 tests/bench/gen_paths.py "$OUT/evidence.db" \
  --scale "$SCALE")"
hyperfine --style basic --runs "$RUNS" --export-json "$OUT/hyperfine.json" \
  "/usr/bin/time -f %M -a -o $OUT/rss.txt build/bench/bench_paths \
$OUT/evidence.db c $PWD" >&2
say "paths: the recursive CTE, once"
/usr/bin/time -f '%e %M' -o "$OUT/cte-time.txt" \
  build/bench/bench_paths "$OUT/evidence.db" cte >&2 || true

exec python3 - "$OUT" "$TARGET_S" "$TARGET_MIB" <<'PY'
import json
import sys

out, target_s, target_mib = sys.argv[1], float(sys.argv[2]), \
    float(sys.argv[3])
r = json.load(open(out + "/hyperfine.json"))["results"][0]
rss = max(int(x) for x in open(out + "/rss.txt").read().split()
          if x.isdigit()) / 1024
cte = open(out + "/cte-time.txt").read().split()
print("\nAI paths (1,000 agents, 100,000 identities, 50,000 resources, "
      "1,000,000 edges)")
print("| way | median | of %g s | peak memory | of %g MiB |"
      % (target_s, target_mib))
print("|---|---|---|---|---|")
print("| C search (the path stage) | %.2f s (%.2f to %.2f) | %.2f | %.0f MiB "
      "| %.2f |" % (r["median"], r["min"], r["max"], r["median"] / target_s,
                    rss, rss / target_mib))
if len(cte) >= 2:
    print("| recursive CTE (reachability only) | %s s | | %.0f MiB | |"
          % (cte[-2], int(cte[-1]) / 1024))
missed = r["median"] >= target_s or rss >= target_mib
print("\nthe path stage: %s" % ("target missed" if missed
                                else "under both targets"))
sys.exit(1 if missed else 0)
PY
