-- AWS AI workloads from saved CLI output: a folder (or one file) of what
-- `aws bedrock-agent`, `aws bedrock-agentcore-control`, `aws sagemaker`
-- and `aws lambda list-functions` print with --output json. Files are
-- recognised by their top-level keys, whatever they are called; what
-- the folder lacks (an agent listed but not described) is a coverage gap.
local bundle = require("aws_ai_bundle")
local rows = require("aws_ai_rows")

-- Gaps counted per call, so a hundred missing files make one note.
local function new_gaps(ctx)
  local g = { counts = {}, first = {}, order = {} }
  function g.add(call, reason)
    if not g.counts[call] then
      g.counts[call], g.first[call] = 0, reason
      g.order[#g.order + 1] = call
    end
    g.counts[call] = g.counts[call] + 1
  end
  function g.flush()
    for _, call in ipairs(g.order) do
      local n = g.counts[call]
      ctx:coverage_gap(call, (n > 1 and (n .. " missing, e.g. ") or "") .. g.first[call])
    end
  end
  return g
end

local function read_file(path, shown)
  local f, err = io.open(path, "r")
  if not f then error(string.format("aws:ai: cannot read '%s': %s", shown, err), 0) end
  local text = f:read("a")
  f:close()
  if not text:match("%S") then
    error(string.format("aws:ai: '%s' is empty", shown), 0)
  end
  local doc, why = nhi.json.decode(text)
  if doc == nil then
    error(string.format("aws:ai: cannot read '%s': %s", shown, why), 0)
  end
  return doc
end

-- The JSON files to read: the folder's *.json files, or the one file.
local function files_of(path)
  local names = nhi.fs.list(path)
  if not names then return { { path = path, shown = path } } end
  local out = {}
  for _, name in ipairs(names) do
    if name:match("%.json$") then
      out[#out + 1] = { path = path .. "/" .. name, shown = name }
    end
  end
  if #out == 0 then
    error(string.format("aws:ai: '%s' holds no .json file", path), 0)
  end
  return out
end

return {
  id = "aws.ai",
  kind = "collector",
  source = "aws:ai",
  description = "AWS AI workloads from saved CLI output: Bedrock agents (action groups, "
    .. "knowledge bases, data sources), Bedrock AgentCore runtimes, SageMaker notebook "
    .. "instances and endpoints, and the Lambda functions behind action groups",
  provides = { "ai_agents", "identities", "edges", "resources" },

  run = function(ctx)
    local path = ctx.source.location
    if not path then
      error("aws:ai needs the outputs' folder: --source aws:ai=ai/", 0)
    end
    local b = bundle.new()
    for _, f in ipairs(files_of(path)) do
      local ok, why = bundle.add(b, read_file(f.path, f.shown), f.shown)
      if not ok then error(string.format("aws:ai: '%s': %s", f.shown, why), 0) end
    end
    local ok, why = bundle.finish(b)
    if not ok then error("aws:ai: " .. why, 0) end
    local gaps = new_gaps(ctx)
    local n = rows.write(ctx, b, gaps.add)
    gaps.flush()
    nhi.log.info("%s: %d documents, %d AI agents", path, b.documents, n)
  end,
}
