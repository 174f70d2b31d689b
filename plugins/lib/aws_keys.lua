-- Shared by the AWS access-key checks: the active access keys of AWS
-- identities (from the credential report, or any collector that writes
-- access_key credentials), and the evidence every finding about one
-- names.
local keys = {}

local ACTIVE = [[
  SELECT i.native_id AS identity, i.is_human,
         (coalesce(json_extract(i.attrs, '$.root'), 0) = 1
          OR i.native_id GLOB 'arn:*:iam::*:root') AS root,
         json_extract(i.attrs, '$.credential_report_generated') AS generated,
         c.native_id AS key_id, c.created_at, c.last_used_at,
         json_extract(c.attrs, '$.slot') AS slot,
         json_extract(c.attrs, '$.never_used') AS never_used,
         json_extract(c.attrs, '$.last_used_service') AS service,
         json_extract(c.attrs, '$.last_used_region') AS region
  FROM credentials c JOIN identities i ON i.id = c.identity_id
  WHERE i.provider = 'aws' AND c.kind = 'access_key' AND c.status = 'active'
  ORDER BY i.native_id, slot, c.native_id, c.id
]]

-- Every active access key, as a list ordered by identity and slot.
-- root is true for an account's root user, never_used for a key the
-- evidence says was never used (not merely unknown).
function keys.active(ctx)
  local list = {}
  for k in ctx.db:rows(ACTIVE) do
    k.root = k.root == 1
    k.never_used = k.never_used == 1
    list[#list + 1] = k
  end
  return list
end

-- What a finding says about key k: its slot (or id), its dates and its
-- last use, plus the fields of extra (thresholds, ages).
function keys.evidence(k, extra)
  local e = {
    key = k.slot and ("access key " .. k.slot) or k.key_id or "access key",
    slot = k.slot,
    key_id = k.key_id,
    last_rotated = k.created_at or nhi.json.null,
    last_used_at = k.last_used_at or nhi.json.null,
    last_used_service = k.service,
    last_used_region = k.region,
    report_generated = k.generated,
  }
  for name, value in pairs(extra or {}) do e[name] = value end
  return e
end

return keys
