-- People and machines sharing IAM users: a machine user someone signs in
-- to the console with, and a person's user whose access key software
-- uses. Either way nobody can tell who acted, and the credentials of one
-- are protected as if they were the other's.

-- Machine users (is_human 0) with a console password, or a console
-- sign-in within the window.
local MACHINE_USERS = [[
  SELECT native_id,
         json_extract(attrs, '$.password_enabled') AS password_enabled,
         json_extract(attrs, '$.password_last_used') AS password_last_used,
         json_extract(attrs, '$.mfa_active') AS mfa_active,
         json_extract(attrs, '$.credential_report_generated') AS generated
  FROM identities
  WHERE provider = 'aws' AND is_human = 0
    AND (json_extract(attrs, '$.password_enabled') = 1
         OR json_extract(attrs, '$.password_last_used') IS NOT NULL)
  ORDER BY native_id
]]

-- People's users (is_human 1) with a console password and an active
-- access key with a recorded use, most recent use first.
local PEOPLE_WITH_KEYS = [[
  SELECT i.native_id,
         json_extract(i.attrs, '$.password_last_used') AS password_last_used,
         json_extract(i.attrs, '$.credential_report_generated') AS generated,
         json_extract(c.attrs, '$.slot') AS slot, c.native_id AS key_id,
         c.created_at, c.last_used_at,
         json_extract(c.attrs, '$.last_used_service') AS service
  FROM identities i JOIN credentials c ON c.identity_id = i.id
  WHERE i.provider = 'aws' AND i.is_human = 1
    AND json_extract(i.attrs, '$.password_enabled') = 1
    AND c.kind = 'access_key' AND c.status = 'active'
    AND c.last_used_at IS NOT NULL
  ORDER BY i.native_id, c.last_used_at DESC
]]

local function machine_signs_in(ctx, u)
  local p = ctx.params
  local since = u.password_last_used and nhi.time.days(u.password_last_used, ctx.now)
  local enabled = u.password_enabled == 1
  if not enabled and not (since and since <= p.login_days) then return end
  ctx:finding{
    identity = u.native_id,
    evidence = {
      password_enabled = enabled,
      password_last_used = u.password_last_used or nhi.json.null,
      days_since_console_login = since,
      login_days = p.login_days,
      mfa_active = u.mfa_active == 1,
      report_generated = u.generated,
      signal = enabled and "a machine user has a console password"
        or string.format("a machine user signed in to the console %d days ago", since),
    },
  }
end

local function person_runs_software(ctx, u)
  local p = ctx.params
  local since = nhi.time.days(u.last_used_at, ctx.now)
  if since > p.key_use_days then return end
  ctx:finding{
    identity = u.native_id,
    severity = "medium",
    title = "Person's user has a console password and an access key software uses",
    evidence = {
      key = u.slot and ("access key " .. u.slot) or u.key_id or "access key",
      slot = u.slot,
      key_id = u.key_id,
      last_rotated = u.created_at or nhi.json.null,
      key_last_used_at = u.last_used_at,
      key_last_used_service = u.service,
      days_since_key_use = since,
      key_use_days = p.key_use_days,
      password_last_used = u.password_last_used or nhi.json.null,
      report_generated = u.generated,
      signal = "a person's console user also authenticates with an access key",
    },
  }
end

return {
  id = "aws.iam.human-use-of-machine-user",
  kind = "check",
  question = "activity-monitoring",
  category = "human-use-of-nhi",
  owasp = "NHI10",
  severity = "high",
  effort = "medium",
  requires = { "identities", "credentials" },
  params = { login_days = 90, key_use_days = 90 },
  title = "Machine user used for console sign-in",
  description = [[
A machine IAM user (one that software uses) with a console password, or
one whose password was used to sign in within login_days: a person is
using a non-human identity, so its actions can no longer be told apart
from the workload's and its credentials are shared. Also, at medium
severity, a person's IAM user that has a console password and an active
access key used within key_use_days: the person's credentials are being
used as a machine's, and leave with the person.]],
  remediation = [[
For a machine user: delete its login profile (console password) and give
the people who used it their own identities (SSO). For a person's user
with a working access key: find the software that uses the key (its
last-used service), give that software its own role or machine identity,
then deactivate the person's key.]],

  run = function(ctx)
    for u in ctx.db:rows(MACHINE_USERS) do
      machine_signs_in(ctx, u)
    end
    local seen = {}
    for u in ctx.db:rows(PEOPLE_WITH_KEYS) do
      if not seen[u.native_id] then
        seen[u.native_id] = true
        person_runs_software(ctx, u)
      end
    end
  end,
}
