/* The typed evidence writers: one descriptor per evidence table, and the
 * one insert path that C importers and Lua writers share. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const identity_kinds[] = {
  "user", "service_account", "role", "workload", "api_key", "bot",
  "oauth_app", "ai_agent", NULL
};
static const char *const sensitivities[] = {
  "public", "internal", "confidential", "restricted", NULL
};
static const char *const edge_kinds[] = {
  "can_assume", "member_of", "runs_as", "can_read", "can_write",
  "uses_credential", NULL
};
static const char *const effects[] = { "allow", "deny", NULL };

#define T NHI_COL_TEXT
#define I NHI_COL_INT
#define J NHI_COL_JSON
#define B NHI_COL_BOOL

static const struct nhi_column identity_cols[] = {
  { "provider", "provider", T, 1, NULL, NULL },
  { "account", "account", T, 0, NULL, NULL },
  { "native_id", "native_id", T, 1, NULL, NULL },
  { "name", "name", T, 0, NULL, NULL },
  { "kind", "kind", T, 1, identity_kinds, NULL },
  { "is_human", "is_human", B, 0, NULL, "0" },
  { "owner", "owner", T, 0, NULL, NULL },
  { "created_at", "created_at", T, 0, NULL, NULL },
  { "last_used_at", "last_used_at", T, 0, NULL, NULL },
  { "usage_tracked_since", "usage_tracked_since", T, 0, NULL, NULL },
  { "tags", "tags", J, 0, NULL, NULL },
  { "attrs", "attrs", J, 0, NULL, NULL },
};
static const struct nhi_column credential_cols[] = {
  { "identity_id", "identity", I, 0, NULL, NULL },
  { "kind", "kind", T, 1, NULL, NULL },
  { "native_id", "native_id", T, 0, NULL, NULL },
  { "fingerprint", "fingerprint", T, 0, NULL, NULL },
  { "created_at", "created_at", T, 0, NULL, NULL },
  { "expires_at", "expires_at", T, 0, NULL, NULL },
  { "last_used_at", "last_used_at", T, 0, NULL, NULL },
  { "status", "status", T, 0, NULL, NULL },
  { "attrs", "attrs", J, 0, NULL, NULL },
};
static const struct nhi_column policy_cols[] = {
  { "provider", "provider", T, 1, NULL, NULL },
  { "native_id", "native_id", T, 1, NULL, NULL },
  { "name", "name", T, 0, NULL, NULL },
  { "kind", "kind", T, 1, NULL, NULL },
  { "document", "document", J, 0, NULL, NULL },
  { "attrs", "attrs", J, 0, NULL, NULL },
};
static const struct nhi_column grant_cols[] = {
  { "identity_id", "identity", I, 1, NULL, NULL },
  { "effect", "effect", T, 1, effects, NULL },
  { "actions", "actions", J, 1, NULL, NULL },
  { "not_action", "not_action", B, 0, NULL, "0" },
  { "resources", "resources", J, 1, NULL, NULL },
  { "not_resource", "not_resource", B, 0, NULL, "0" },
  { "condition", "condition", J, 0, NULL, NULL },
  { "via", "via", T, 1, NULL, NULL },
  { "policy", "policy", T, 0, NULL, NULL },
  { "sid", "sid", T, 0, NULL, NULL },
};
static const struct nhi_column resource_cols[] = {
  { "provider", "provider", T, 1, NULL, NULL },
  { "account", "account", T, 0, NULL, NULL },
  { "native_id", "native_id", T, 1, NULL, NULL },
  { "type", "type", T, 1, NULL, NULL },
  { "name", "name", T, 0, NULL, NULL },
  { "sensitivity", "sensitivity", T, 0, sensitivities, NULL },
  { "sensitivity_source", "sensitivity_source", T, 0, NULL, NULL },
  { "data_classes", "data_classes", J, 0, NULL, NULL },
  { "tags", "tags", J, 0, NULL, NULL },
  { "attrs", "attrs", J, 0, NULL, NULL },
};
static const struct nhi_column edge_cols[] = {
  { "kind", "kind", T, 1, edge_kinds, NULL },
  { "from_type", "from_type", T, 1, NULL, NULL },
  { "from_ref", "from", T, 1, NULL, NULL },
  { "to_type", "to_type", T, 1, NULL, NULL },
  { "to_ref", "to", T, 1, NULL, NULL },
  { "actions", "actions", J, 0, NULL, NULL },
  { "condition", "condition", J, 0, NULL, NULL },
  { "attrs", "attrs", J, 0, NULL, NULL },
};
static const struct nhi_column activity_cols[] = {
  { "identity_id", "identity", I, 0, NULL, NULL },
  { "identity_ref", "identity_ref", T, 1, NULL, NULL },
  { "action", "action", T, 1, NULL, NULL },
  { "resource", "resource", T, 0, NULL, NULL },
  { "source_ip", "source_ip", T, 0, NULL, NULL },
  { "user_agent", "user_agent", T, 0, NULL, NULL },
  { "first_seen", "first_seen", T, 0, NULL, NULL },
  { "last_seen", "last_seen", T, 0, NULL, NULL },
  { "count", "count", I, 0, NULL, "1" },
};
static const struct nhi_column ai_agent_cols[] = {
  { "identity_id", "identity", I, 0, NULL, NULL },
  { "native_id", "native_id", T, 1, NULL, NULL },
  { "name", "name", T, 0, NULL, NULL },
  { "platform", "platform", T, 1, NULL, NULL },
  { "model", "model", T, 0, NULL, NULL },
  { "tools", "tools", J, 0, NULL, NULL },
  { "data_sources", "data_sources", J, 0, NULL, NULL },
  { "attrs", "attrs", J, 0, NULL, NULL },
};
/* No column may hold a secret's value: the Lua writer turns a value into
 * fingerprint and preview before it gets here. */
static const struct nhi_column secret_cols[] = {
  { "identity_id", "identity", I, 0, NULL, NULL },
  { "path", "path", T, 1, NULL, NULL },
  { "line", "line", I, 0, NULL, NULL },
  { "type", "type", T, 1, NULL, NULL },
  { "fingerprint", "fingerprint", T, 1, NULL, NULL },
  { "preview", "preview", T, 1, NULL, NULL },
  { "validated", "validated", B, 0, NULL, NULL },
  { "in_history", "in_history", B, 0, NULL, "0" },
  { "attrs", "attrs", J, 0, NULL, NULL },
};

#undef T
#undef I
#undef J
#undef B

#define DESC(table, writer, cols, key) \
  { table, writer, cols, sizeof cols / sizeof cols[0], key }

static const struct nhi_table_desc tables[NHI_T_COUNT] = {
  DESC("identities", "identity", identity_cols, "provider, native_id"),
  DESC("credentials", "credential", credential_cols, NULL),
  DESC("policies", "policy", policy_cols, "provider, native_id"),
  DESC("grants", "grant", grant_cols, NULL),
  DESC("resources", "resource", resource_cols, "provider, native_id"),
  DESC("edges", "edge", edge_cols, NULL),
  DESC("activity", "activity", activity_cols, NULL),
  DESC("ai_agents", "ai_agent", ai_agent_cols, "platform, native_id"),
  DESC("secrets", "secret", secret_cols, NULL),
};

const struct nhi_table_desc *nhi_store_table(enum nhi_table t)
{
  return (unsigned)t < NHI_T_COUNT ? &tables[t] : NULL;
}

int nhi_store_table_by_writer(const char *writer)
{
  for (int i = 0; i < NHI_T_COUNT; i++)
    if (strcmp(tables[i].writer, writer) == 0)
      return i;
  return -1;
}

/* Appends s to buf at *len; buf is sized by the caller to fit. */
static void append(char *buf, size_t *len, const char *s)
{
  size_t n = strlen(s);

  memcpy(buf + *len, s, n + 1);
  *len += n;
}

static int is_object_column(const struct nhi_column *c)
{
  return c->type == NHI_COL_JSON &&
         (!strcmp(c->name, "attrs") || !strcmp(c->name, "tags"));
}

/* ", a = coalesce(?N, a)": a later row fills what an earlier one left
 * NULL and updates what it says. Object columns (attrs, tags) merge key
 * by key, so two sources describing one identity add up. */
static void append_update(char *sql, size_t *len, const struct nhi_column *c,
                          size_t param)
{
  char p[24];

  snprintf(p, sizeof p, "?%zu", param);
  append(sql, len, ", ");
  append(sql, len, c->name);
  if (is_object_column(c)) {
    append(sql, len, " = CASE WHEN ");
    append(sql, len, p);
    append(sql, len, " IS NULL THEN ");
    append(sql, len, c->name);
    append(sql, len, " WHEN ");
    append(sql, len, c->name);
    append(sql, len, " IS NULL THEN ");
    append(sql, len, p);
    append(sql, len, " ELSE json_patch(");
    append(sql, len, c->name);
    append(sql, len, ", ");
    append(sql, len, p);
    append(sql, len, ") END");
    return;
  }
  append(sql, len, " = coalesce(");
  append(sql, len, p);
  append(sql, len, ", ");
  append(sql, len, c->name);
  append(sql, len, ")");
}

/* Builds "INSERT INTO t(source_id, a, b) VALUES(?,?,?) [ON CONFLICT(k)
 * DO UPDATE SET a=coalesce(?2, a), ...] RETURNING id". The update reads
 * the bound value, not excluded.a, so that a column's fallback never
 * overwrites what an earlier row said when a later one leaves it out. */
static char *build_insert(const struct nhi_table_desc *d)
{
  size_t cap = 128 + strlen(d->table), len = 0;
  char *sql;

  for (size_t i = 0; i < d->ncols; i++)
    cap += 5 * strlen(d->cols[i].name) + 96;
  sql = malloc(cap);
  if (!sql)
    return NULL;
  sql[0] = '\0';
  append(sql, &len, "INSERT INTO ");
  append(sql, &len, d->table);
  append(sql, &len, "(source_id");
  for (size_t i = 0; i < d->ncols; i++) {
    append(sql, &len, ", ");
    append(sql, &len, d->cols[i].name);
  }
  append(sql, &len, ") VALUES(?");
  for (size_t i = 0; i < d->ncols; i++) {
    if (!d->cols[i].fallback) {
      append(sql, &len, ", ?");
      continue;
    }
    append(sql, &len, ", coalesce(?, ");
    append(sql, &len, d->cols[i].fallback);
    append(sql, &len, ")");
  }
  append(sql, &len, ")");
  if (d->upsert_key) {
    append(sql, &len, " ON CONFLICT(");
    append(sql, &len, d->upsert_key);
    append(sql, &len, ") DO UPDATE SET source_id = source_id");
    for (size_t i = 0; i < d->ncols; i++)
      append_update(sql, &len, &d->cols[i], i + 2);
  }
  append(sql, &len, " RETURNING id");
  return sql;
}

static enum nhi_rc writer_stmt(struct nhi_store *s, enum nhi_table t,
                               sqlite3_stmt **out)
{
  char *sql;
  int prc;

  if (!s->writers[t]) {
    sql = build_insert(&tables[t]);
    if (!sql) {
      nhi_error("evidence store '%s': out of memory", s->path);
      return NHI_ERR_NOMEM;
    }
    prc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                             &s->writers[t], NULL);
    free(sql);
    if (prc) {
      nhi_error("evidence store '%s': cannot prepare %s writer: %s",
                s->path, tables[t].table, sqlite3_errmsg(s->db));
      return NHI_ERR_DB;
    }
  }
  *out = s->writers[t];
  return NHI_OK;
}

static void bind_value(sqlite3_stmt *st, int idx, const struct nhi_value *v)
{
  switch (v->type) {
  case NHI_V_TEXT:
    sqlite3_bind_text(st, idx, v->text, -1, SQLITE_TRANSIENT);
    break;
  case NHI_V_INT:
    sqlite3_bind_int64(st, idx, v->num);
    break;
  default:
    sqlite3_bind_null(st, idx);
  }
}

enum nhi_rc nhi_store_put(struct nhi_store *s, enum nhi_table t,
                          const struct nhi_value *vals, long long *rowid)
{
  const struct nhi_table_desc *d = nhi_store_table(t);
  sqlite3_stmt *st = NULL;
  enum nhi_rc rc;
  int step;

  if (!d)
    return NHI_ERR_INTERNAL;
  rc = writer_stmt(s, t, &st);
  if (rc)
    return rc;
  if (s->source_id > 0)
    sqlite3_bind_int64(st, 1, s->source_id);
  else
    sqlite3_bind_null(st, 1);
  for (size_t i = 0; i < d->ncols; i++)
    bind_value(st, (int)i + 2, &vals[i]);
  step = sqlite3_step(st);
  if (step == SQLITE_ROW && rowid)
    *rowid = sqlite3_column_int64(st, 0);
  if (step == SQLITE_ROW)
    step = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (step != SQLITE_DONE) {
    nhi_error("evidence store '%s': cannot write %s row: %s", s->path,
              d->table, sqlite3_errmsg(s->db));
    return NHI_ERR_DB;
  }
  return NHI_OK;
}
