-- Helpers the secrets checks share: what each secret type is called, how
-- bad its exposure is, the AWS access keys of the inventory by
-- fingerprint, and the OpenAI and Anthropic keys by the part of them
-- their admin APIs show, so that a key found in a file is tied to its
-- owner.
local M = {}

M.labels = {
  aws_access_key_id = "AWS access key id",
  aws_secret_access_key = "AWS secret access key",
  github_token = "GitHub token",
  github_fine_grained_pat = "GitHub fine-grained token",
  gitlab_token = "GitLab token",
  slack_token = "Slack token",
  slack_webhook = "Slack webhook",
  stripe_secret_key = "Stripe secret key",
  openai_api_key = "OpenAI API key",
  anthropic_api_key = "Anthropic API key",
  google_api_key = "Google API key",
  gcp_service_account_key = "GCP service-account key",
  azure_storage_key = "Azure storage account key",
  azure_client_secret = "Azure client secret",
  private_key = "Private key",
  jwt = "JSON Web Token",
  npm_token = "npm token",
  pypi_token = "PyPI token",
  database_password = "Database password",
  generic_secret = "Password or API key",
}

-- Keys that open a cloud account or sign as a workload.
local critical = {
  aws_secret_access_key = true, gcp_service_account_key = true,
  private_key = true, azure_storage_key = true,
}
-- Less than a credential on its own, or usually short-lived.
local medium = {
  aws_access_key_id = true, slack_webhook = true, jwt = true,
  google_api_key = true, generic_secret = true,
}

function M.label(t)
  return M.labels[t] or t
end

-- The severity of an exposed secret row (attrs decoded), before linking.
function M.severity(row, attrs, now)
  if row.type == "jwt" and attrs.exp and nhi.time.days(attrs.exp, now) > 0 then
    return "low"
  end
  if row.type == "aws_access_key_id" and attrs.paired_with then
    return "critical"
  end
  if critical[row.type] then
    return "critical"
  end
  return medium[row.type] and "medium" or "high"
end

-- fingerprint -> {identity, status} for every access key the inventory
-- holds with its key id (live collection, ListAccessKeys exports).
function M.aws_keys(ctx)
  local by_fp = {}
  local sql = [[
    SELECT c.native_id, c.status, i.native_id AS identity
    FROM credentials c JOIN identities i ON i.id = c.identity_id
    WHERE c.kind = 'access_key' AND c.native_id IS NOT NULL
  ]]
  for row in ctx.db:rows(sql) do
    by_fp[nhi.scan.fingerprint(row.native_id)] = { identity = row.identity,
      status = row.status }
  end
  return by_fp
end

-- A redacted key ("sk-proj-****Qz4A", "sk-abc...def",
-- "sk-ant-api03-R2D...igAA") as what it shows: the head before the mask
-- and the tail after it; nil when it has no mask.
function M.split_redacted(s)
  if type(s) ~= "string" then return nil end
  local head, tail = s:match("^([^%*%.\226]*)[%*%.\226\128\166]+([^%*%.\226]+)$")
  if not head or #tail < 4 or not head:match("^sk%-") then return nil end
  return head, tail
end

-- The heads agree: one is the start of the other, and both name the same
-- kind of key (sk-proj- is not sk-svcacct-).
local function heads_agree(a, b)
  local short, long = a, b
  if #a > #b then short, long = b, a end
  if long:sub(1, #short) ~= short then return false end
  local kind = "^sk%-%a+%-"
  return (short:match(kind) or "sk-") == (long:match(kind) or "sk-")
    or long:match(kind) == nil
end

-- Every OpenAI and Anthropic key of the inventory with the part its
-- provider shows: {credential, identity, provider, admin, head, tail,
-- attrs}.
function M.ai_keys(ctx)
  local list = {}
  local sql = [[
    SELECT c.native_id AS credential, c.status, i.native_id AS identity,
           i.provider, c.attrs
    FROM credentials c LEFT JOIN identities i ON i.id = c.identity_id
    WHERE c.kind = 'api_key' AND (json_extract(c.attrs, '$.redacted_value') IS NOT NULL
      OR json_extract(c.attrs, '$.partial_key_hint') IS NOT NULL)
    ORDER BY c.native_id
  ]]
  for row in ctx.db:rows(sql) do
    local a = nhi.json.decode(row.attrs)
    local shown = a.redacted_value or a.partial_key_hint
    local head, tail = M.split_redacted(shown)
    if head then
      list[#list + 1] = { credential = row.credential, identity = row.identity,
        status = row.status, provider = a.partial_key_hint and "anthropic" or "openai",
        admin = a.admin == true, head = head, tail = tail, shown = shown, attrs = a }
    end
  end
  return list
end

-- The inventory key a found secret's provider_hint fits, or nil and how
-- many fit (0, or 2 and more: a link only when exactly one does).
function M.ai_key_for(keys, hint)
  local head, tail = M.split_redacted(hint)
  if not head then return nil, 0 end
  local hits = {}
  for _, k in ipairs(keys) do
    local n = math.min(#k.tail, #tail)
    if k.tail:sub(-n) == tail:sub(-n) and heads_agree(k.head, head) then
      hits[#hits + 1] = k
    end
  end
  if #hits == 1 then return hits[1], 1 end
  return nil, #hits
end

return M
