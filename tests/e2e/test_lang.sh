#!/usr/bin/env bash
# Report languages: every catalogue has every key of en.json, the Spanish
# demo report holds no English words of ours, and a catalogue that lacks
# a key shows it in English with one warning.
. "$(dirname "$0")/lib.sh"

EN=templates/lang/en.json
export NHI_EN="$NHISCOPE_HOME/$EN"

describe "word catalogues"
# Besides en.json's words, a catalogue may give checks' titles and
# remediation ("check.<id>.title", "check.<id>.remediation"), whose
# English is the plugins' own.
"$NHISCOPE" plugins list --json >"$T/plugins.json"
export NHI_PLUGINS="$T/plugins.json"
WORDS='{k: v for k, v in r.items() if not k.startswith("check.")}'
CHECK_WORDS='[k for k in r if k.startswith("check.")]'
PARAMS='__import__("re").findall("{[a-z_]+}", v)'
for lang in templates/lang/*.json; do
  [ "$lang" = "$EN" ] && continue
  expect_json_eq "$lang" "sorted($WORDS)" 'sorted(load(env["NHI_EN"]))' \
    "$(basename "$lang") has exactly the keys of en.json"
  expect_json_eq "$lang" "{k: sorted($PARAMS) for k, v in $WORDS.items()}" \
    "{k: sorted($PARAMS) for k, v in load(env[\"NHI_EN\"]).items()}" \
    "$(basename "$lang") keeps each word's {placeholders}"
  expect_json_eq "$lang" "sorted(k for k in $CHECK_WORDS if
    k.rsplit('.', 1)[0][len('check.'):] not in
    [p['id'] for p in load(env['NHI_PLUGINS'])] or
    k.rsplit('.', 1)[1] not in ('title', 'remediation'))" '[]' \
    "$(basename "$lang") names only checks that exist, and their title or remediation"
  expect_json_eq "$lang" "{k: sorted($PARAMS) for k, v in r.items()
    if k.startswith('check.') and k.endswith('.title')}" \
    "{'check.%s.title' % p['id']: sorted(__import__('re').findall(
    '{[a-z_]+}', p['title'])) for p in load(env['NHI_PLUGINS'])
    if 'check.%s.title' % p['id'] in r}" \
    "$(basename "$lang") keeps each check title's {params}"
done

describe "assess --demo --lang es"
expect_status 0 nhi assess --demo --lang es -o "$T/es"
expect_stderr_lacks "in English"
pdftotext "$T/es/report.pdf" - 2>/dev/null | tr -s ' \n\t' '   ' \
  >"$T/es.txt"
for text in "Las cuatro preguntas" "Plan de corrección" "Índice" \
  "Principales riesgos" "Qué hacer: Eliminar la clave de acceso" \
  "Página 1 de" "¿Sabe qué agentes de IA pueden acceder a datos sensibles?" \
  "Rotar 7 claves de acceso" "1 de diciembre de 2026" \
  "La identidad de máquina tiene derechos equivalentes a los de" \
  "Rol sin uso durante más de 90 días" "Elimine el permiso del primer paso"; do
  if grep -qF -- "$text" "$T/es.txt"; then
    pass "has '$text'"
  else
    fail "has '$text'" "pdftotext: $(head -c 300 "$T/es.txt")"
  fi
done
for text in "The four questions" "Remediation plan" "Contents" \
  "Top risks" "What to do" "Identities involved" "An attacker" \
  "Inventory" "Coverage" "Overall score" "Page 1 of" "Prepared for" \
  "Do you know which AI agents" "Missing evidence" "Quick win" \
  "Rotate 7 access keys" "non-human identities for every human" \
  "plugins ran without error" "findings, in the order of the assessment" \
  "December" "Machine identity holds administrator-equivalent rights" \
  "Role unused for more than" "Remove the permission of the first step"; do
  if grep -qF -- "$text" "$T/es.txt"; then
    fail "lacks '$text'" "the Spanish PDF has it"
  else
    pass "lacks '$text'"
  fi
done
expect_json_eq "$T/es/report.json" '[a["action"] for a in
  r["remediation"][1:3]]' '["Rotar 7 claves de acceso",
  "Cerrar 6 lagunas en el registro de CloudTrail"]' \
  "report.json's actions are in Spanish"

describe "assess --demo --lang es --template technical"
expect_status 0 nhi assess --demo --lang es --template technical \
  -o "$T/es-tech"
pdftotext "$T/es-tech/report-technical.pdf" - 2>/dev/null |
  tr -s ' \n\t' '   ' >"$T/es-tech.txt"
for text in "Hallazgos y sus evidencias" "hallazgos técnicos" \
  "Resultado: no cumple, confianza alta" "Identidad: arn:aws:iam::" \
  "Control: aws.iam.admin-equivalent" "Umbral: max_age_days: 90"; do
  expect_true "has '$text'" grep -qF -- "$text" "$T/es-tech.txt"
done
for text in "Findings and their evidence" "technical findings" "Result:" \
  "Identity:" "Check:" "Threshold:" "Resource:" "confidence"; do
  expect_true "lacks '$text'" test -z "$(grep -F -- "$text" "$T/es-tech.txt")"
done

describe "a catalogue that lacks a key"
HOME2="$T/home"
mkdir -p "$HOME2/templates/lang"
ln -s "$NHISCOPE_HOME/plugins" "$HOME2/plugins"
ln -s "$NHISCOPE_HOME/demo" "$HOME2/demo"
cp "$NHISCOPE_HOME/templates/report.json" "$HOME2/templates/"
cp "$NHISCOPE_HOME/$EN" "$HOME2/templates/lang/"
"$PYTHON" -c 'import json, sys
w = json.load(open(sys.argv[1], encoding="utf-8"))
del w["section.plan"]
json.dump(w, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
' "$NHISCOPE_HOME/templates/lang/es.json" "$HOME2/templates/lang/es.json"
NHISCOPE_HOME="$HOME2" expect_status 0 nhi assess --demo --lang es \
  -o "$T/es-gap"
expect_stderr_line "templates/lang/es.json" "lacks 1 of the words" \
  "'section.plan'" "in English"
expect_true "the warning is given once" \
  test "$(grep -c "lacks 1 of the words" "$ERR")" -eq 1
pdftotext "$T/es-gap/report.pdf" - 2>/dev/null | tr -s ' \n\t' '   ' \
  >"$T/es-gap.txt"
expect_true "the missing heading shows in English" \
  grep -qF "Remediation plan" "$T/es-gap.txt"
expect_true "the rest stays in Spanish" \
  grep -qF "Las cuatro preguntas" "$T/es-gap.txt"

finish
