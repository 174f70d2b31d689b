-- Helpers the secrets checks share: what each secret type is called, how
-- bad its exposure is, and the AWS access keys of the inventory by
-- fingerprint, so that a key found in a file is tied to its owner.
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

return M
