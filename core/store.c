/* Opening, migrating and transacting on the evidence store. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum nhi_rc db_error(struct nhi_store *s, const char *what)
{
  nhi_error("evidence store '%s': %s: %s", s->path, what,
            sqlite3_errmsg(s->db));
  return NHI_ERR_DB;
}

enum nhi_rc nhi_store_exec(struct nhi_store *s, const char *sql,
                           const char *what)
{
  char *msg = NULL;

  if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
    return NHI_OK;
  nhi_error("evidence store '%s': %s: %s", s->path, what,
            msg ? msg : "unknown error");
  sqlite3_free(msg);
  return NHI_ERR_DB;
}

long long nhi_store_cache_size(struct nhi_store *s)
{
  sqlite3_stmt *st = NULL;
  long long n = 0;

  if (sqlite3_prepare_v2(s->db, "PRAGMA cache_size", -1, &st,
                         NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

enum nhi_rc nhi_store_set_cache_size(struct nhi_store *s, long long n)
{
  char sql[48];

  snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", n);
  return nhi_store_exec(s, sql, "cannot size the page cache");
}

static enum nhi_rc read_version(struct nhi_store *s, int *version)
{
  sqlite3_stmt *st = NULL;

  if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL))
    return db_error(s, "cannot read schema version");
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    return db_error(s, "cannot read schema version");
  }
  *version = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return NHI_OK;
}

/* Applies each missing migration in its own transaction. */
static enum nhi_rc migrate(struct nhi_store *s)
{
  size_t latest = nhi_store_migration_count();
  enum nhi_rc rc;
  int version;
  char pragma[48];

  rc = read_version(s, &version);
  if (rc)
    return rc;
  if (version < 0 || (size_t)version > latest) {
    nhi_error("evidence store '%s' has schema version %d; this nhiscope "
              "knows up to %zu: use a newer nhiscope", s->path, version,
              latest);
    return NHI_ERR_INPUT;
  }
  for (size_t v = (size_t)version + 1; v <= latest; v++) {
    rc = nhi_store_begin(s);
    if (!rc)
      rc = nhi_store_exec(s, nhi_store_migration(v), "migration failed");
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %zu", v);
    if (!rc)
      rc = nhi_store_exec(s, pragma, "cannot set schema version");
    if (!rc)
      rc = nhi_store_commit(s);
    if (rc) {
      nhi_store_rollback(s);
      return rc;
    }
  }
  return NHI_OK;
}

enum nhi_rc nhi_store_open(const char *path, struct nhi_store **out)
{
  struct nhi_store *s = calloc(1, sizeof *s);
  enum nhi_rc rc = NHI_ERR_NOMEM;

  *out = NULL;
  if (!s || !(s->path = strdup(path)))
    goto out;
  if (sqlite3_open_v2(path, &s->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)) {
    rc = db_error(s, "cannot open");
    goto out;
  }
  sqlite3_busy_timeout(s->db, 5000);
  rc = nhi_store_exec(s, "PRAGMA journal_mode = WAL;"
                         "PRAGMA synchronous = NORMAL;"
                         "PRAGMA foreign_keys = ON;",
                      "cannot configure");
  if (!rc)
    rc = migrate(s);
out:
  if (rc) {
    nhi_store_close(s);
    return rc;
  }
  *out = s;
  return NHI_OK;
}

enum nhi_rc nhi_store_open_reader(const struct nhi_store *s,
                                  struct nhi_store **out)
{
  const char *file = sqlite3_db_filename(s->db, "main");
  struct nhi_store *r;

  *out = NULL;
  if (!file || !file[0])
    return NHI_ERR_USAGE;
  r = calloc(1, sizeof *r);
  if (!r || !(r->path = strdup(s->path))) {
    free(r);
    return NHI_ERR_NOMEM;
  }
  if (sqlite3_open_v2(file, &r->db, SQLITE_OPEN_READONLY, NULL)) {
    enum nhi_rc rc = db_error(r, "cannot open a second connection");

    nhi_store_close(r);
    return rc;
  }
  sqlite3_busy_timeout(r->db, 5000);
  *out = r;
  return NHI_OK;
}

void nhi_store_close(struct nhi_store *s)
{
  if (!s)
    return;
  for (size_t i = 0; i < NHI_T_COUNT; i++)
    sqlite3_finalize(s->writers[i]);
  sqlite3_close(s->db);
  free(s->path);
  free(s);
}

enum nhi_rc nhi_store_begin(struct nhi_store *s)
{
  return nhi_store_exec(s, "BEGIN IMMEDIATE", "cannot begin transaction");
}

enum nhi_rc nhi_store_commit(struct nhi_store *s)
{
  return nhi_store_exec(s, "COMMIT", "cannot commit");
}

void nhi_store_rollback(struct nhi_store *s)
{
  if (!sqlite3_get_autocommit(s->db))
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

enum nhi_rc nhi_store_meta_set(struct nhi_store *s, const char *key,
                               const char *value)
{
  sqlite3_stmt *st = NULL;
  int ok;

  if (!value && sqlite3_prepare_v2(s->db, "DELETE FROM meta WHERE key = ?",
                                   -1, &st, NULL))
    return db_error(s, "cannot record assessment settings");
  if (value && sqlite3_prepare_v2(s->db, "INSERT INTO meta(key, value) "
                                  "VALUES(?,?) ON CONFLICT(key) DO UPDATE "
                                  "SET value=excluded.value", -1, &st, NULL))
    return db_error(s, "cannot record assessment settings");
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  if (value)
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
  ok = sqlite3_step(st) == SQLITE_DONE;
  sqlite3_finalize(st);
  return ok ? NHI_OK : db_error(s, "cannot record assessment settings");
}

char *nhi_store_meta_get(struct nhi_store *s, const char *key)
{
  sqlite3_stmt *st = NULL;
  char *value = NULL;

  if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?",
                         -1, &st, NULL))
    return NULL;
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    value = strdup((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return value;
}

enum nhi_rc nhi_store_identity_id(struct nhi_store *s, const char *native_id,
                                  long long *id)
{
  sqlite3_stmt *st = NULL;
  int step;

  if (sqlite3_prepare_v2(s->db, "SELECT id FROM identities "
                         "WHERE native_id = ? ORDER BY id LIMIT 1",
                         -1, &st, NULL))
    return db_error(s, "cannot look up identity");
  sqlite3_bind_text(st, 1, native_id, -1, SQLITE_STATIC);
  step = sqlite3_step(st);
  if (step == SQLITE_ROW)
    *id = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return step == SQLITE_ROW ? NHI_OK : NHI_ERR_INPUT;
}
