#!/usr/bin/env bash
# AI agent paths end to end: the AI lab's evidence (tests/fixtures/ai/
# ai-paths-lab.py) written by a collector plugin, then the derivations
# (data access edges, sensitivity, paths), the AI checks, and
# report.json's ai object, checked against the JSON Schema.
. "$(dirname "$0")/lib.sh"

SCHEMA="$NHISCOPE_HOME/docs/report.schema.json"
LAB="$NHISCOPE_HOME/tests/plugins/ai.agent.sensitive-data-access/lab-reach.json"
mkdir -p "$T/plug"
cat >"$T/plug/lab.lua" <<'LUA'
-- e2e collector: writes the "evidence" of a plugin test case, table by
-- table, as the test runner does.
local ORDER = { { "identities", "identity" }, { "policies", "policy" },
  { "grants", "grant" }, { "resources", "resource" }, { "edges", "edge" },
  { "activity", "activity" }, { "ai_agents", "ai_agent" } }
return {
  id = "e2e.lab", kind = "collector", source = "e2e:lab",
  run = function(ctx)
    local f = assert(io.open(ctx.source.location))
    local case = assert(nhi.json.decode(f:read("a")))
    f:close()
    for _, t in ipairs(ORDER) do
      for _, row in ipairs(case.evidence[t[1]] or {}) do ctx.evidence[t[2]](ctx.evidence, row) end
    end
  end,
}
LUA

describe "assess with AI agents"
expect_status 0 nhi -v --now "$NOW" --plugins "$T/plug" assess \
  --source "e2e:lab=$LAB" --format json -o "$T/a"
R="$T/a/report.json"
expect_stderr_has "ai paths: 4 paths from 2 agents"
expect_true "report.json is valid" "$PYTHON" "$E2E_DIR/validate.py" \
  "$SCHEMA" "$R"
export AGENT=arn:aws:bedrock:eu-west-1:111122223333:agent/SUPPORTAGT1
export PII=arn:aws:s3:::customer-pii-exports
expect_json_eq "$R" '[(a["id"], a["platform"], a["identity"].split("/")[-1],
  a["data_sources"][0]["ref"]) for a in r["ai"]["agents"]]' \
  '[(env["AGENT"], "aws-bedrock-agent",
     "AmazonBedrockExecutionRoleForAgents_support", "arn:aws:s3:::support-docs"),
    ("arn:aws:bedrock:eu-west-1:111122223333:knowledge-base/KBSUPPORT01",
     "aws-bedrock-knowledge-base",
     "AmazonBedrockExecutionRoleForKnowledgeBase_sup",
     "arn:aws:s3:::support-docs")]' "agents with identity and data sources"
expect_json_eq "$R" '[(p["permission"], p["to"].split("/")[-1])
  for x in r["ai"]["paths"] if x["agent"] == env["AGENT"]
  and x["resource"] == env["PII"] for p in x["steps"]]' \
  '[("runs_as", "AmazonBedrockExecutionRoleForAgents_support"),
    ("sts:AssumeRole", "analytics-reader"),
    ("s3:GetObject", "arn:aws:s3:::customer-pii-exports")]' \
  "two-hop path with the permission of each step"
expect_json_eq "$R" '[(x["trace"], x["count"], x["first_seen"], x["logging"])
  for x in r["ai"]["paths"] if x["agent"] == env["AGENT"]]' \
  '[("used", 14, "2026-11-03T10:12:00Z", "logged")]' "traced path"
expect_json "$R" 'not [x for x in r["ai"]["paths"] if x["resource"] in
  ("arn:aws:s3:::payroll-archive", "arn:aws:s3:::hr-records")]' \
  "a Deny and a bucket policy leave no path"
expect_json_eq "$R" '[(x["sensitivity"], x["sensitivity_source"],
  x["sensitivity_confidence"], x["trace"]) for x in r["ai"]["paths"]
  if x["resource"] == "arn:aws:s3:::finance-reports"]' \
  '[("confidential", "name", "low", "unlogged")]' "sensitivity from a name"
expect_json "$R" '"ai.agent.reach-exceeds-declared" in
  [f["check"] for f in r["findings"]]' "the headline finding"

describe "report again"
cp "$R" "$T/first.json"
expect_status 0 nhi report --format json -o "$T/a"
expect_true "byte-identical report.json" cmp "$T/first.json" "$R"

describe "the PDF's AI section"
expect_status 0 nhi report --format pdf -o "$T/a"
expect_stderr_lacks "reach past their box"
pdftotext "$T/a/report.pdf" - 2>/dev/null | tr -s ' \n' '  ' >"$T/a1.txt"
expect_true "section heading" grep -q "AI agents and their paths to sensitive data" "$T/a1.txt"
expect_true "agents and their identities" grep -q "support-assistant aws-bedrock-agent" "$T/a1.txt"
expect_true "the two-hop path, step by step" grep -q \
  "sts:AssumeRole → analytics-reader → s3:GetObject → customer-pii-exports" "$T/a1.txt"
expect_true "the traced path's counts and dates" grep -q \
  "Used 14 times, 3 November 2026 to 28 November 2026" "$T/a1.txt"
expect_true "an untraceable path" grep -q "Not logged: cannot be traced" "$T/a1.txt"
expect_true "a guessed label said so" grep -q "guessed from its name, low confidence" "$T/a1.txt"
expect_status 0 nhi report --format pdf --lang es -o "$T/a"
expect_stderr_lacks "reach past their box"
pdftotext "$T/a/report.pdf" - 2>/dev/null | tr -s ' \n' '  ' >"$T/es.txt"
expect_true "in Spanish" grep -q "Agentes de IA y sus caminos hasta datos sensibles" "$T/es.txt"
expect_status 0 nhi report --format pdf --lang en --template technical -o "$T/a"
pdftotext "$T/a/report-technical.pdf" - 2>/dev/null | tr -s ' \n' '  ' >"$T/tech.txt"
expect_true "the technical template lists every path" grep -q \
  "finance-reports: confidential" "$T/tech.txt"

finish
