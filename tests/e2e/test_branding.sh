#!/usr/bin/env bash
# The PDF's branding and templates: the profile's logo, company and
# colours on the cover, the score gauges, a bad logo refused before any
# work, and --template technical.
. "$(dirname "$0")/lib.sh"

DEMO="$NHISCOPE_HOME/demo/northwind"

# pixels PDF PAGE X0 X1 Y0 Y1 RRGGBB: how many pixels of page PAGE
# (rendered at 40 dpi) inside the box, as shares of the page's width
# and height, have about the colour RRGGBB.
pixels() {
  pdftoppm -r 40 -f "$2" -l "$2" "$1" 2>/dev/null | "$PYTHON" -c '
import sys
data = sys.stdin.buffer.read()
fields, pos = [], 0
while len(fields) < 4:
    while data[pos:pos + 1].isspace():
        pos += 1
    end = pos
    while not data[end:end + 1].isspace():
        end += 1
    fields.append(data[pos:end])
    pos = end
w, h = int(fields[1]), int(fields[2])
pix = data[pos + 1:]
x0, x1, y0, y1 = (float(v) for v in sys.argv[1:5])
want = bytes.fromhex(sys.argv[5])
count = 0
for y in range(int(y0 * h), int(y1 * h)):
    for x in range(int(x0 * w), int(x1 * w)):
        p = pix[3 * (y * w + x):3 * (y * w + x) + 3]
        if all(abs(p[i] - want[i]) <= 24 for i in range(3)):
            count += 1
print(count)' "${@:3}"
}

# expect_pixels WHAT MIN PDF PAGE X0 X1 Y0 Y1 RRGGBB: at least MIN such
# pixels (MIN 0: none at all).
expect_pixels() {
  local what=$1 min=$2 got
  shift 2
  got=$(pixels "$@")
  if { [ "$min" -eq 0 ] && [ "${got:-1}" -eq 0 ]; } ||
     { [ "$min" -gt 0 ] && [ "${got:-0}" -ge "$min" ]; }; then
    pass "$what"
  else
    fail "$what" "$got pixels of #${*: -1} (want ${min/#0/none})"
  fi
}

page_text() {
  pdftotext -layout -f "$2" -l "$2" "$1" - 2>/dev/null
}

# A copy of the demo profile with prepared_by replaced, in $T/p/, next
# to links to the demo's exports.
profile_with() {
  mkdir -p "$T/p/brand"
  for f in gaad.json credential-report.csv cloudtrail trails ai repos openai \
    anthropic gcp azure; do
    ln -sfn "$DEMO/$f" "$T/p/$f"
  done
  "$PYTHON" -c 'import re, sys
text = open(sys.argv[1]).read()
text = re.sub(r"prepared_by = \{.*?\n\}", lambda m: sys.argv[2], text,
              flags=re.S)
open(sys.argv[3], "w").write(text)' "$DEMO/profile.lua" "$1" \
    "$T/p/profile.lua"
}

describe "the demo's cover"
expect_status 0 nhi assess --demo -o "$T/demo"
PDF="$T/demo/report.pdf"
pdfimages -list "$PDF" 2>/dev/null | tail -n +3 >"$T/images"
expect_true "one image, the logo, on page 1" \
  test "$(awk '{print $1 "x" $4 "x" $5}' "$T/images")" = "1x360x120"
expect_true "the logo keeps its aspect (same ppi both ways)" \
  test "$(awk '{print ($13 == $14)}' "$T/images")" = 1
page_text "$PDF" 1 >"$T/cover.txt"
expect_true "the cover names who prepared it and their company" \
  grep -qF "Prepared by Alex Moreno, Demo Consulting LLP" "$T/cover.txt"
expect_pixels "the brand's cover colour across the top" 300 "$PDF" 1 \
  0 1 0 0.02 0B6E4F
expect_pixels "headings in the brand's accent" 20 "$PDF" 3 0 0.6 0.05 0.12 \
  0B6E4F
expect_pixels "no default accent left on the questions page" 0 "$PDF" 3 \
  0 1 0 1 1F4E79
expect_json "$T/demo/report.json" 'r["assessment"]["branding"] == {
  "company": "Demo Consulting LLP", "logo": env["NHISCOPE_HOME"]
  + "/demo/northwind/brand/logo.png",
  "colours": {"accent": "#0B6E4F", "cover": "#0B6E4F"}}' \
  "report.json's branding"

describe "the score gauges"
# The demo answers three questions "no" (red), one "partly" (amber).
expect_pixels "red gauge arcs in the right margin" 15 "$PDF" 3 0.85 0.95 \
  0.2 0.5 C62828
expect_pixels "grey gauge tracks" 40 "$PDF" 3 0.85 0.95 0.2 0.5 DDE2E8
page_text "$PDF" 3 >"$T/q.txt"
for score in 37 1 10 91; do
  expect_true "the gauge writes the score $score" grep -qE "\b$score\b" \
    "$T/q.txt"
done

describe "no branding"
profile_with 'prepared_by = "Solo Auditor"'
expect_status 0 nhi assess --profile "$T/p/profile.lua" -o "$T/plain"
expect_true "no image" test -z "$(pdfimages -list "$T/plain/report.pdf" \
  2>/dev/null | tail -n +3)"
expect_pixels "the template's default colour on the cover" 300 \
  "$T/plain/report.pdf" 1 0 1 0 0.02 1F4E79
expect_true "prepared by the name alone" grep -qF "Prepared by Solo Auditor" \
  <(page_text "$T/plain/report.pdf" 1)

describe "a bad logo is refused before any work"
expect_status 0 nhi assess --demo -o "$T/kept"
profile_with 'prepared_by = { name = "X", logo = "brand/nosuch.png" }'
expect_status 2 nhi assess --profile "$T/p/profile.lua" -o "$T/kept"
expect_stderr_line "$T/p/profile.lua" "logo 'brand/nosuch.png'" \
  "No such file"
expect_json "$T/kept/report.json" 'r["assessment"]["client"]' \
  "the earlier assessment is left alone"
profile_with 'prepared_by = { name = "X", logo = "brand/logo.png" }'
printf 'not an image\n' >"$T/p/brand/logo.png"
expect_status 2 nhi assess --profile "$T/p/profile.lua" -o "$T/kept"
expect_stderr_line "logo 'brand/logo.png' is not a PNG or JPEG image"
cp "$DEMO/brand/logo.png" "$T/p/brand/logo.png"
profile_with 'prepared_by = { logo = "brand/logo.png",
  colours = { accent = "green" } }'
expect_status 2 nhi assess --profile "$T/p/profile.lua" -o "$T/kept"
expect_stderr_line "prepared_by.colours" "#RRGGBB"
profile_with 'prepared_by = { logo = "brand/logo.png",
  colours = { background = "#FFFFFF" } }'
expect_status 2 nhi assess --profile "$T/p/profile.lua" -o "$T/kept"
expect_stderr_line "prepared_by.colours.background" "accent, cover"
profile_with 'prepared_by = { name = "X", logos = "brand/logo.png" }'
expect_status 2 nhi assess --profile "$T/p/profile.lua" -o "$T/kept"
expect_stderr_line "unknown setting 'prepared_by.logos'"
profile_with 'prepared_by = { company = "Only Co", logo = "brand/logo.png" }'
expect_status 0 nhi assess --profile "$T/p/profile.lua" -o "$T/company"
expect_true "a logo relative to the profile's folder" \
  test "$(pdfimages -list "$T/company/report.pdf" 2>/dev/null |
  tail -n +3 | wc -l)" -eq 1
expect_true "prepared by the company alone" grep -qF "Prepared by Only Co" \
  <(page_text "$T/company/report.pdf" 1)

describe "report alone shows the profile's branding as it is now"
profile_with 'prepared_by = { name = "New Name" }'
expect_status 0 nhi report -o "$T/company"
expect_true "the logo the profile dropped is gone" \
  test -z "$(pdfimages -list "$T/company/report.pdf" 2>/dev/null |
  tail -n +3)"
expect_true "the new name" grep -qF "Prepared by New Name" \
  <(page_text "$T/company/report.pdf" 1)
expect_json "$T/company/report.json" 'r["assessment"]["branding"] ==
  {"company": None, "logo": None, "colours": None}' \
  "report.json's branding follows"
profile_with 'prepared_by = { logo = "brand/logo.png",
  colours = { cover = "#7A1F5C" } }'
expect_status 0 nhi report -o "$T/company"
expect_pixels "a new cover colour" 300 "$T/company/report.pdf" 1 0 1 0 0.02 \
  7A1F5C
rm "$T/p/brand/logo.png"
expect_status 2 nhi report -o "$T/company"
expect_stderr_line "logo 'brand/logo.png'" "No such file"
cp "$DEMO/brand/logo.png" "$T/p/brand/logo.png"

describe "--template technical"
cp "$PDF" "$T/before.pdf"
expect_status 0 nhi report --template technical -o "$T/demo"
TECH="$T/demo/report-technical.pdf"
expect_file "$TECH"
expect_true "report.pdf is kept alongside" cmp -s "$PDF" "$T/before.pdf"
pdftotext -layout "$TECH" "$T/tech.txt" 2>/dev/null
for text in "technical findings" "Findings and their evidence" \
  "83 findings, in the order of the assessment, each with all the evidence" \
  "statements[1].policy: arn:aws:iam::aws:policy/AdministratorAccess" \
  "steps[1].technique: pass-role-ec2" "Result: fails, confidence high" \
  "Threshold: never_used_days: 30, unused_days: 45" \
  "F0083"; do
  expect_true "has '$text'" grep -qF -- "$text" "$T/tech.txt"
done
pages=$(pdfinfo "$TECH" 2>/dev/null | awk '/^Pages:/ {print $2}')
heads=$(grep -cE "^ *ID +Severity +Finding +Evidence" "$T/tech.txt")
# The table's pages, from the contents: its section's first page up to
# the page of the section after it (coverage), which may share it.
toc_page() { awk -v h="$1" 'index($0, h) == 1 && $NF ~ /^[0-9]+$/ {print $NF; exit}' "$T/tech.txt"; }
first=$(toc_page "Findings and their evidence")
after=$(toc_page "Coverage")
expect_true "the table's header on each of its pages" \
  test "$heads" -ge $((after - first)) -a "$heads" -ge 2
expect_true "fonts embedded" test "$(pdffonts "$TECH" 2>/dev/null |
  awk 'NR > 2 && $(NF-4) == "yes"' | wc -l)" -ge 2
expect_true "the logo on its cover too" test "$(pdfimages -list "$TECH" \
  2>/dev/null | awk 'NR > 2 {print $1}')" = 1
expect_status 0 nhi assess --demo --template executive -o "$T/exec"
expect_true "--template executive is the default" \
  test -s "$T/exec/report.pdf" -a ! -e "$T/exec/report-executive.pdf"
expect_status 2 nhi assess --demo --template nosuch -o "$T/kept"
expect_stderr_line "unknown report template 'nosuch'" "templates/nosuch.json"
expect_json "$T/kept/report.json" 'r["assessment"]["client"]' \
  "an unknown template leaves the earlier assessment alone"
expect_status 2 nhi report --template ../x -o "$T/kept"
expect_stderr_line "unknown report template '../x'"

finish
