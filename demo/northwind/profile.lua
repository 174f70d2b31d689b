-- Assessment profile for the bundled demo company (nhiscope --demo).
-- Data only: the fictitious Northwind Robotics, AWS account 412398765001.

client = "Northwind Robotics"
-- The consultancy's branding on the cover: its logo (relative to this
-- file; brand/make_logo.py draws it) and colours.
prepared_by = {
  name = "Alex Moreno",
  company = "Demo Consulting LLP",
  logo = "brand/logo.png",
  colours = { accent = "#0B6E4F", cover = "#0B6E4F" },
}
lang = "en"
framework = "default"

-- Pinned clock: the export was taken on 2026-12-01, so "unused for 90 days"
-- and the 400-day RoleLastUsed window are judged from this instant.
now = "2026-12-01T09:00:00Z"

-- Paths are relative to this file's folder.
sources = {
  "aws:authz=gaad.json",
  "aws:credential-report=credential-report.csv",
  "aws:cloudtrail=cloudtrail",
  "aws:trails=trails",
  "aws:ai=ai",
  "files:path=repos",
  -- Admin API answers of the OpenAI and Anthropic organisations, as
  -- openai:admin and anthropic:admin save them.
  "openai:export=openai",
  "anthropic:export=anthropic",
  -- The vision team's Google Cloud project and the sales team's Azure
  -- subscription, as gcloud / az exports (README: "Google Cloud and Azure").
  "gcp:export=gcp",
  "azure:export=azure",
}

params = {
  ["aws.iam.role-unused"] = { max_days = 90 },
}

-- Labels for data the tool cannot see. A bucket's label covers its objects.
sensitivity = {
  ["arn:aws:s3:::northwind-customer-pii-*"] = "restricted",
  ["arn:aws:s3:::northwind-payroll-*"] = "restricted",
  ["arn:aws:secretsmanager:*:*:secret:prod/*"] = "restricted",
  ["arn:aws:dynamodb:*:*:table/customers"] = "confidential",
  ["arn:aws:dynamodb:*:*:table/orders"] = "confidential",
  ["arn:aws:ssm:*:*:parameter/prod/*"] = "confidential",
  ["arn:aws:s3:::northwind-firmware-builds"] = "confidential",
  ["arn:aws:s3:::northwind-support-kb"] = "internal",
  ["arn:aws:s3:::northwind-telemetry-raw"] = "internal",
  ["arn:aws:s3:::northwind-marketing-assets"] = "public",
}

-- Accounts allowed to assume roles here: the AWS Organizations management
-- account and Datadog's integration account. Every other account is foreign.
known_accounts = {
  "412398765000",
  "464622532012",
}
