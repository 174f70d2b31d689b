/* The evidence store's schema, as an ordered list of migrations. */
#include "store.h"

/* Migration N takes a store at user_version N-1 to user_version N. Never
 * edit a shipped migration: append a new one. */
static const char *const migrations[] = {
  /* v1: the evidence model of docs/schema.md */
  "CREATE TABLE meta ("
  "  key TEXT PRIMARY KEY,"
  "  value TEXT);"

  "CREATE TABLE sources ("
  "  id INTEGER PRIMARY KEY,"
  "  spec TEXT NOT NULL,"
  "  provider TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  method TEXT NOT NULL CHECK (method IN ('live','import')),"
  "  location TEXT,"
  "  account TEXT,"
  "  collector TEXT,"
  "  status TEXT NOT NULL DEFAULT 'pending'"
  "    CHECK (status IN ('pending','ok','failed')),"
  "  error TEXT,"
  "  gaps TEXT,"
  "  sha256 TEXT,"
  "  collected_at TEXT);"

  "CREATE TABLE identities ("
  "  id INTEGER PRIMARY KEY,"
  "  source_id INTEGER REFERENCES sources(id),"
  "  provider TEXT NOT NULL,"
  "  account TEXT,"
  "  native_id TEXT NOT NULL,"
  "  name TEXT,"
  "  kind TEXT NOT NULL CHECK (kind IN ('user','service_account','role',"
  "    'workload','api_key','bot','oauth_app','ai_agent')),"
  "  is_human INTEGER NOT NULL DEFAULT 0 CHECK (is_human IN (0,1)),"
  "  owner TEXT,"
  "  created_at TEXT,"
  "  last_used_at TEXT,"
  "  usage_tracked_since TEXT,"
  "  tags TEXT,"
  "  attrs TEXT,"
  "  UNIQUE (provider, native_id));"

  "CREATE TABLE credentials ("
  "  id INTEGER PRIMARY KEY,"
  "  source_id INTEGER REFERENCES sources(id),"
  "  identity_id INTEGER REFERENCES identities(id),"
  "  kind TEXT NOT NULL,"
  "  native_id TEXT,"
  "  fingerprint TEXT,"
  "  created_at TEXT,"
  "  expires_at TEXT,"
  "  last_used_at TEXT,"
  "  status TEXT,"
  "  attrs TEXT);"

  "CREATE TABLE policies ("
  "  id INTEGER PRIMARY KEY,"
  "  source_id INTEGER REFERENCES sources(id),"
  "  provider TEXT NOT NULL,"
  "  native_id TEXT NOT NULL,"
  "  name TEXT,"
  "  kind TEXT NOT NULL,"
  "  document TEXT,"
  "  attrs TEXT,"
  "  UNIQUE (provider, native_id));"

  "CREATE TABLE grants ("
  "  id INTEGER PRIMARY KEY,"
  "  source_id INTEGER REFERENCES sources(id),"
  "  identity_id INTEGER NOT NULL REFERENCES identities(id),"
  "  effect TEXT NOT NULL CHECK (effect IN ('allow','deny')),"
  "  actions TEXT NOT NULL,"
  "  not_action INTEGER NOT NULL DEFAULT 0,"
  "  resources TEXT NOT NULL,"
  "  not_resource INTEGER NOT NULL DEFAULT 0,"
  "  condition TEXT,"
  "  via TEXT NOT NULL,"
  "  policy TEXT,"
  "  sid TEXT);"

  "CREATE TABLE resources ("
  "  id INTEGER PRIMARY KEY,"
  "  source_id INTEGER REFERENCES sources(id),"
  "  provider TEXT NOT NULL,"
  "  account TEXT,"
  "  native_id TEXT NOT NULL,"
  "  type TEXT NOT NULL,"
  "  name TEXT,"
  "  sensitivity TEXT CHECK (sensitivity IN"
  "    ('public','internal','confidential','restricted')),"
  "  sensitivity_source TEXT,"
  "  data_classes TEXT,"
  "  tags TEXT,"
  "  attrs TEXT,"
  "  UNIQUE (provider, native_id));"

  "CREATE TABLE edges ("
  "  id INTEGER PRIMARY KEY,"
  "  source_id INTEGER REFERENCES sources(id),"
  "  kind TEXT NOT NULL CHECK (kind IN ('can_assume','member_of',"
  "    'runs_as','can_read','can_write','uses_credential')),"
  "  from_type TEXT NOT NULL,"
  "  from_ref TEXT NOT NULL,"
  "  to_type TEXT NOT NULL,"
  "  to_ref TEXT NOT NULL,"
  "  actions TEXT,"
  "  condition TEXT,"
  "  attrs TEXT);"

  "CREATE TABLE activity ("
  "  id INTEGER PRIMARY KEY,"
  "  source_id INTEGER REFERENCES sources(id),"
  "  identity_id INTEGER REFERENCES identities(id),"
  "  identity_ref TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  resource TEXT,"
  "  source_ip TEXT,"
  "  user_agent TEXT,"
  "  first_seen TEXT,"
  "  last_seen TEXT,"
  "  count INTEGER NOT NULL DEFAULT 1);"

  "CREATE TABLE ai_agents ("
  "  id INTEGER PRIMARY KEY,"
  "  source_id INTEGER REFERENCES sources(id),"
  "  identity_id INTEGER REFERENCES identities(id),"
  "  native_id TEXT NOT NULL,"
  "  name TEXT,"
  "  platform TEXT NOT NULL,"
  "  model TEXT,"
  "  tools TEXT,"
  "  data_sources TEXT,"
  "  attrs TEXT,"
  "  UNIQUE (platform, native_id));"

  "CREATE TABLE secrets ("
  "  id INTEGER PRIMARY KEY,"
  "  source_id INTEGER REFERENCES sources(id),"
  "  identity_id INTEGER REFERENCES identities(id),"
  "  path TEXT NOT NULL,"
  "  line INTEGER,"
  "  type TEXT NOT NULL,"
  "  fingerprint TEXT NOT NULL,"
  "  preview TEXT NOT NULL,"
  "  validated INTEGER,"
  "  in_history INTEGER NOT NULL DEFAULT 0);"

  "CREATE TABLE plugin_runs ("
  "  id INTEGER PRIMARY KEY,"
  "  plugin_id TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  question TEXT,"
  "  path TEXT,"
  "  stage TEXT NOT NULL,"
  "  status TEXT NOT NULL CHECK (status IN ('ok','failed','skipped')),"
  "  error TEXT,"
  "  traceback TEXT,"
  "  finding_count INTEGER NOT NULL DEFAULT 0);"

  "CREATE TABLE findings ("
  "  id INTEGER PRIMARY KEY,"
  "  check_id TEXT NOT NULL,"
  "  question TEXT NOT NULL,"
  "  category TEXT,"
  "  owasp TEXT,"
  "  severity TEXT NOT NULL CHECK (severity IN"
  "    ('critical','high','medium','low','info')),"
  "  status TEXT NOT NULL DEFAULT 'fail'"
  "    CHECK (status IN ('fail','indeterminate')),"
  "  confidence TEXT NOT NULL DEFAULT 'high'"
  "    CHECK (confidence IN ('high','medium','low')),"
  "  identity_ref TEXT,"
  "  resource_ref TEXT,"
  "  title TEXT NOT NULL,"
  "  evidence TEXT,"
  "  threshold TEXT,"
  "  remediation TEXT,"
  "  effort TEXT CHECK (effort IN ('low','medium','high')));"

  "CREATE INDEX identities_kind ON identities(provider, kind);"
  "CREATE INDEX credentials_identity ON credentials(identity_id);"
  "CREATE INDEX grants_identity ON grants(identity_id);"
  "CREATE INDEX edges_from ON edges(kind, from_ref);"
  "CREATE INDEX edges_to ON edges(kind, to_ref);"
  "CREATE INDEX activity_identity ON activity(identity_id);"
  "CREATE INDEX findings_check ON findings(check_id);",

  /* v2: what the secrets scanner says about a secret (rule, pairing,
   * token claims, commit), and where a secret finding points */
  "ALTER TABLE secrets ADD COLUMN attrs TEXT;"
  "ALTER TABLE findings ADD COLUMN location TEXT;"
  "ALTER TABLE findings ADD COLUMN secret_type TEXT;"
  "CREATE INDEX secrets_fingerprint ON secrets(fingerprint);",

  /* v3: data_access, every can_read and can_write pair, with the edges
   * to a set of stores (to_type 'resource_set') spread over the stores
   * they stand for */
  "CREATE VIEW data_access AS"
  "  SELECT e.id AS edge_id, e.kind, e.from_ref AS identity_ref,"
  "    e.to_ref AS resource_ref, e.actions, e.attrs"
  "  FROM edges e"
  "  WHERE e.kind IN ('can_read', 'can_write') AND e.to_type = 'resource'"
  "  UNION ALL"
  "  SELECT s.id, s.kind, s.from_ref, r.native_id, s.actions, s.attrs"
  "  FROM (SELECT e.*, json_extract(e.attrs, '$.set.provider') AS provider,"
  "      json_extract(e.attrs, '$.resource_type') AS type,"
  "      json_extract(e.attrs, '$.set.prefix') AS prefix,"
  "      json_extract(e.attrs, '$.set.account') AS account"
  "    FROM edges e WHERE e.kind IN ('can_read', 'can_write')"
  "    AND e.to_type = 'resource_set') s"
  "  JOIN resources r ON r.provider = s.provider AND r.type = s.type"
  "    AND r.native_id >= s.prefix"
  "    AND substr(r.native_id, 1, length(s.prefix)) = s.prefix"
  "    AND r.account IS s.account"
  "  WHERE NOT EXISTS (SELECT 1 FROM json_each(s.attrs, '$.set.except') x"
  "    WHERE x.value = r.native_id);",

  /* v4: paths, each AI agent's shortest way to each confidential or
   * restricted resource it can read or write, and whether activity
   * shows it used; activity found by caller and resource */
  "CREATE TABLE paths ("
  "  id INTEGER PRIMARY KEY,"
  "  agent TEXT NOT NULL,"
  "  platform TEXT,"
  "  identity TEXT NOT NULL,"
  "  via_identity TEXT NOT NULL,"
  "  resource TEXT NOT NULL,"
  "  resource_type TEXT,"
  "  sensitivity TEXT,"
  "  sensitivity_source TEXT,"
  "  sensitivity_confidence TEXT,"
  "  access TEXT NOT NULL CHECK (access IN ('read','write')),"
  "  hops INTEGER NOT NULL,"
  "  decision TEXT NOT NULL CHECK (decision IN ('allow','indeterminate')),"
  "  steps TEXT NOT NULL,"
  "  trace TEXT NOT NULL CHECK (trace IN ('used','not-seen','unlogged')),"
  "  logging TEXT NOT NULL CHECK (logging IN"
  "    ('logged','partial','not-logged','unknown')),"
  "  trace_count INTEGER,"
  "  first_seen TEXT,"
  "  last_seen TEXT,"
  "  attrs TEXT);"
  "CREATE INDEX paths_agent ON paths(agent, resource);"
  "CREATE INDEX activity_ref ON activity(identity_ref, resource);",

  /* v5: scoring, the findings' report order and the remediation plan's
   * efforts read from indexes alone: a finding's row carries its
   * evidence, and reading every row once per question made a report of
   * 100,000 findings read its store a dozen times */
  "DROP INDEX findings_check;"
  "CREATE INDEX findings_check ON findings(check_id, effort);"
  "CREATE INDEX findings_score ON findings(question, severity, status,"
  "  identity_ref, check_id, resource_ref);",
};

size_t nhi_store_migration_count(void)
{
  return sizeof migrations / sizeof migrations[0];
}

const char *nhi_store_migration(size_t version)
{
  if (version < 1 || version > nhi_store_migration_count())
    return NULL;
  return migrations[version - 1];
}
