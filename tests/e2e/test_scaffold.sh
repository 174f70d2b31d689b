#!/usr/bin/env bash
# plugins new: the scaffold loads, its own tests pass, it runs in an
# assessment, and it never overwrites a file.
. "$(dirname "$0")/lib.sh"

dir="$T/team"
expect_status 0 "$NHISCOPE" plugins new acme.unowned -o "$dir"
expect_file "$dir/acme.unowned.lua"
expect_file "$dir/tests/acme.unowned/fires.json"
expect_file "$dir/tests/acme.unowned/quiet.json"

expect_status 0 "$NHISCOPE" test "$dir"
expect_stdout_has "2 passed, 0 failed"

expect_status 2 "$NHISCOPE" plugins new acme.unowned -o "$dir"
expect_stderr_has "File exists"

expect_status 2 "$NHISCOPE" plugins new "Bad Id" -o "$dir"
expect_stderr_has "is not a plugin id"

out="$T/out"
expect_status 0 "$NHISCOPE" assess --now 2026-12-01T09:00:00Z \
  --plugins "$dir" \
  --source aws:authz="$NHISCOPE_HOME/demo/northwind/gaad.json" \
  -o "$out"
expect_json "$out/report.json" \
  'any(f["check"] == "acme.unowned" for f in r["findings"])'
expect_json "$out/report.json" \
  'all(f["identity"] for f in r["findings"] if f["check"] == "acme.unowned")'

finish
