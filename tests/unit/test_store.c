/* Unit tests for the evidence store: schema, migrations, writers
 * (core/store.c, core/store_schema.c, core/evidence.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

struct fixture {
  char dir[64];
  char path[128];
  struct nhi_store *store;
};

/* Removes a folder and everything below it. */
static void remove_tree(const char *path)
{
  struct stat sb;
  struct dirent *e;
  DIR *d;
  char sub[4096];

  if (lstat(path, &sb) != 0)
    return;
  if (!S_ISDIR(sb.st_mode)) {
    unlink(path);
    return;
  }
  d = opendir(path);
  while (d && (e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
    remove_tree(sub);
  }
  if (d)
    closedir(d);
  rmdir(path);
}

static int setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);

  if (!fx)
    return -1;
  strcpy(fx->dir, "/tmp/nhi-unit-store-XXXXXX");
  if (!mkdtemp(fx->dir)) {
    free(fx);
    return -1;
  }
  snprintf(fx->path, sizeof fx->path, "%s/evidence.db", fx->dir);
  if (nhi_store_open(fx->path, &fx->store) != NHI_OK) {
    remove_tree(fx->dir);
    free(fx);
    return -1;
  }
  *state = fx;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *fx = *state;

  nhi_store_close(fx->store);
  remove_tree(fx->dir);
  free(fx);
  return 0;
}

/* The first column of the first row of sql as an integer, or -1. */
static long long query_int(struct nhi_store *s, const char *sql)
{
  sqlite3_stmt *st = NULL;
  long long n = -1;

  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("cannot prepare '%s': %s", sql, sqlite3_errmsg(s->db));
  if (sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

/* The first column of the first row of sql as text (malloc'd) or NULL. */
static char *query_text(struct nhi_store *s, const char *sql)
{
  sqlite3_stmt *st = NULL;
  char *text = NULL;

  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("cannot prepare '%s': %s", sql, sqlite3_errmsg(s->db));
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    text = strdup((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return text;
}

static void expect_text(struct nhi_store *s, const char *sql,
                        const char *want)
{
  char *got = query_text(s, sql);

  if (!want && got)
    fail_msg("'%s' gave '%s', expected NULL", sql, got);
  if (want && (!got || strcmp(got, want) != 0))
    fail_msg("'%s' gave '%s', expected '%s'", sql, got ? got : "NULL",
             want);
  free(got);
}

static struct nhi_value text(const char *s)
{
  return (struct nhi_value){ .type = NHI_V_TEXT, .text = s };
}

static struct nhi_value num(long long n)
{
  return (struct nhi_value){ .type = NHI_V_INT, .num = n };
}

/* Fills vals (one per identity column) for one identity row; name and
 * owner may be NULL. */
static void identity_row(struct nhi_value *vals, const char *native_id,
                         const char *kind, const char *name,
                         const char *owner)
{
  const struct nhi_table_desc *d = nhi_store_table(NHI_T_IDENTITY);

  memset(vals, 0, d->ncols * sizeof *vals);
  for (size_t i = 0; i < d->ncols; i++) {
    const char *col = d->cols[i].name;

    if (strcmp(col, "provider") == 0)
      vals[i] = text("aws");
    else if (strcmp(col, "native_id") == 0)
      vals[i] = text(native_id);
    else if (strcmp(col, "kind") == 0)
      vals[i] = text(kind);
    else if (strcmp(col, "name") == 0 && name)
      vals[i] = text(name);
    else if (strcmp(col, "owner") == 0 && owner)
      vals[i] = text(owner);
  }
}

/* Sets the value of column col in vals for table t. */
static void set_col(enum nhi_table t, struct nhi_value *vals,
                    const char *col, struct nhi_value v)
{
  const struct nhi_table_desc *d = nhi_store_table(t);

  for (size_t i = 0; i < d->ncols; i++)
    if (strcmp(d->cols[i].name, col) == 0) {
      vals[i] = v;
      return;
    }
  fail_msg("table %s has no column '%s'", d->table, col);
}

static long long put_identity(struct nhi_store *s, const char *native_id,
                              const char *name, const char *owner)
{
  struct nhi_value vals[16];
  long long id = 0;

  identity_row(vals, native_id, "role", name, owner);
  if (nhi_store_put(s, NHI_T_IDENTITY, vals, &id) != NHI_OK)
    fail_msg("cannot write identity '%s'", native_id);
  return id;
}

static void test_open_creates_schema(void **state)
{
  struct fixture *fx = *state;
  long long version = query_int(fx->store, "PRAGMA user_version");

  assert_true(nhi_store_migration_count() >= 1);
  if (version != (long long)nhi_store_migration_count())
    fail_msg("user_version is %lld, expected %zu", version,
             nhi_store_migration_count());
}

static void test_migrations_are_numbered_from_one(void **state)
{
  size_t n = nhi_store_migration_count();

  (void)state;
  assert_null(nhi_store_migration(0));
  assert_non_null(nhi_store_migration(1));
  assert_non_null(nhi_store_migration(n));
  assert_null(nhi_store_migration(n + 1));
}

static void test_reopen_keeps_rows(void **state)
{
  struct fixture *fx = *state;
  long long id = put_identity(fx->store, "arn:aws:iam::1:role/keep", "k",
                              NULL);

  nhi_store_close(fx->store);
  fx->store = NULL;
  assert_int_equal(nhi_store_open(fx->path, &fx->store), NHI_OK);
  assert_int_equal(query_int(fx->store, "PRAGMA user_version"),
                   (long long)nhi_store_migration_count());
  assert_int_equal(query_int(fx->store, "SELECT id FROM identities WHERE "
                             "native_id = 'arn:aws:iam::1:role/keep'"), id);
}

static void test_refuses_newer_schema(void **state)
{
  struct fixture *fx = *state;
  char sql[64];
  struct nhi_store *again = (struct nhi_store *)1;

  snprintf(sql, sizeof sql, "PRAGMA user_version = %zu",
           nhi_store_migration_count() + 1);
  assert_int_equal(nhi_store_exec(fx->store, sql, "test"), NHI_OK);
  nhi_store_close(fx->store);
  fx->store = NULL;
  assert_int_equal(nhi_store_open(fx->path, &again), NHI_ERR_INPUT);
  assert_null(again);
}

static void test_journal_mode_is_wal(void **state)
{
  struct fixture *fx = *state;

  expect_text(fx->store, "PRAGMA journal_mode", "wal");
  assert_int_equal(query_int(fx->store, "PRAGMA foreign_keys"), 1);
}

static void test_every_table_exists(void **state)
{
  static const char *const names[] = {
    "meta", "sources", "identities", "credentials", "policies", "grants",
    "resources", "edges", "activity", "ai_agents", "secrets", "plugin_runs",
    "findings", NULL
  };
  struct fixture *fx = *state;
  char sql[128];

  for (const char *const *n = names; *n; n++) {
    snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE "
             "type = 'table' AND name = '%s'", *n);
    if (query_int(fx->store, sql) != 1)
      fail_msg("table '%s' is missing from the schema", *n);
  }
}

/* Every writer descriptor names real columns of its table. */
static void test_writers_match_schema(void **state)
{
  struct fixture *fx = *state;
  char sql[160];

  for (int t = 0; t < NHI_T_COUNT; t++) {
    const struct nhi_table_desc *d = nhi_store_table((enum nhi_table)t);

    for (size_t i = 0; i < d->ncols; i++) {
      snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info"
               "('%s') WHERE name = '%s'", d->table, d->cols[i].name);
      if (query_int(fx->store, sql) != 1)
        fail_msg("writer '%s' names column '%s' that %s lacks", d->writer,
                 d->cols[i].name, d->table);
    }
    assert_int_equal(nhi_store_table_by_writer(d->writer), t);
  }
  assert_int_equal(nhi_store_table_by_writer("identities"), -1);
  assert_null(nhi_store_table(NHI_T_COUNT));
}

static void test_put_inserts_row(void **state)
{
  struct fixture *fx = *state;
  long long id = put_identity(fx->store, "arn:aws:iam::1:role/a", "a",
                              "team-a");

  assert_true(id > 0);
  expect_text(fx->store, "SELECT name || '|' || kind || '|' || owner || "
              "'|' || is_human FROM identities WHERE native_id = "
              "'arn:aws:iam::1:role/a'", "a|role|team-a|0");
  assert_int_equal(query_int(fx->store, "SELECT count(*) FROM identities "
                             "WHERE source_id IS NULL"), 1);
}

static void test_put_carries_source_id(void **state)
{
  struct fixture *fx = *state;

  assert_int_equal(nhi_store_exec(fx->store, "INSERT INTO sources(id, spec,"
                                  " provider, kind, method) VALUES(7, "
                                  "'aws:authz=x.json', 'aws', 'authz', "
                                  "'import')", "test"), NHI_OK);
  fx->store->source_id = 7;
  put_identity(fx->store, "arn:aws:iam::1:role/s", NULL, NULL);
  assert_int_equal(query_int(fx->store, "SELECT source_id FROM identities "
                             "WHERE native_id = 'arn:aws:iam::1:role/s'"), 7);
}

static void test_upsert_merges_identity(void **state)
{
  struct fixture *fx = *state;
  long long first = put_identity(fx->store, "arn:aws:iam::1:role/u", "old",
                                 "team-old");
  long long second = put_identity(fx->store, "arn:aws:iam::1:role/u", NULL,
                                  "team-new");

  assert_int_equal(first, second);
  assert_int_equal(query_int(fx->store, "SELECT count(*) FROM identities"),
                   1);
  expect_text(fx->store, "SELECT name FROM identities", "old");
  expect_text(fx->store, "SELECT owner FROM identities", "team-new");
}

/* A column with a fallback (is_human defaults to 0) must not undo what
 * an earlier write said when a later one leaves it out. */
static void test_upsert_keeps_flag_left_out(void **state)
{
  struct fixture *fx = *state;
  struct nhi_value vals[16];
  long long id = 0;

  identity_row(vals, "arn:aws:iam::1:user/alice", "user", "alice", NULL);
  set_col(NHI_T_IDENTITY, vals, "is_human", num(1));
  assert_int_equal(nhi_store_put(fx->store, NHI_T_IDENTITY, vals, &id),
                   NHI_OK);
  identity_row(vals, "arn:aws:iam::1:user/alice", "user", NULL, "it");
  assert_int_equal(nhi_store_put(fx->store, NHI_T_IDENTITY, vals, &id),
                   NHI_OK);
  expect_text(fx->store, "SELECT is_human || '|' || name || '|' || owner "
              "FROM identities", "1|alice|it");
}

static void test_check_rejects_bad_kind(void **state)
{
  struct fixture *fx = *state;
  struct nhi_value vals[16];
  long long id = -5;

  identity_row(vals, "arn:aws:iam::1:role/bad", "robot", NULL, NULL);
  assert_int_equal(nhi_store_put(fx->store, NHI_T_IDENTITY, vals, &id),
                   NHI_ERR_DB);
  assert_int_equal(query_int(fx->store, "SELECT count(*) FROM identities"),
                   0);
  /* the writer statement is reusable after a failure */
  put_identity(fx->store, "arn:aws:iam::1:role/good", NULL, NULL);
}

static void test_required_column_rejects_null(void **state)
{
  struct fixture *fx = *state;
  struct nhi_value vals[16];

  identity_row(vals, "arn:aws:iam::1:role/x", "role", NULL, NULL);
  set_col(NHI_T_IDENTITY, vals, "provider", (struct nhi_value){ 0 });
  assert_int_equal(nhi_store_put(fx->store, NHI_T_IDENTITY, vals, NULL),
                   NHI_ERR_DB);
}

static void test_foreign_key_rejects_unknown_identity(void **state)
{
  struct fixture *fx = *state;
  struct nhi_value vals[16] = { 0 };

  set_col(NHI_T_GRANT, vals, "identity_id", num(999));
  set_col(NHI_T_GRANT, vals, "effect", text("allow"));
  set_col(NHI_T_GRANT, vals, "actions", text("[\"*\"]"));
  set_col(NHI_T_GRANT, vals, "resources", text("[\"*\"]"));
  set_col(NHI_T_GRANT, vals, "via", text("inline"));
  assert_int_equal(nhi_store_put(fx->store, NHI_T_GRANT, vals, NULL),
                   NHI_ERR_DB);
  set_col(NHI_T_GRANT, vals, "identity_id",
          num(put_identity(fx->store, "arn:aws:iam::1:role/g", NULL, NULL)));
  assert_int_equal(nhi_store_put(fx->store, NHI_T_GRANT, vals, NULL),
                   NHI_OK);
  assert_int_equal(query_int(fx->store, "SELECT not_action FROM grants"), 0);
}

static void test_rollback_discards_rows(void **state)
{
  struct fixture *fx = *state;

  assert_int_equal(nhi_store_begin(fx->store), NHI_OK);
  put_identity(fx->store, "arn:aws:iam::1:role/gone", NULL, NULL);
  nhi_store_rollback(fx->store);
  assert_int_equal(query_int(fx->store, "SELECT count(*) FROM identities"),
                   0);
  assert_int_equal(nhi_store_begin(fx->store), NHI_OK);
  put_identity(fx->store, "arn:aws:iam::1:role/kept", NULL, NULL);
  assert_int_equal(nhi_store_commit(fx->store), NHI_OK);
  nhi_store_rollback(fx->store);  /* no transaction: a no-op */
  assert_int_equal(query_int(fx->store, "SELECT count(*) FROM identities"),
                   1);
}

static void test_meta_set_get(void **state)
{
  struct fixture *fx = *state;
  char *value;

  assert_null(nhi_store_meta_get(fx->store, "client"));
  assert_int_equal(nhi_store_meta_set(fx->store, "client", "ACME"), NHI_OK);
  value = nhi_store_meta_get(fx->store, "client");
  assert_non_null(value);
  assert_string_equal(value, "ACME");
  free(value);
  assert_int_equal(nhi_store_meta_set(fx->store, "client", "Globex"),
                   NHI_OK);
  value = nhi_store_meta_get(fx->store, "client");
  assert_string_equal(value, "Globex");
  free(value);
  assert_int_equal(query_int(fx->store, "SELECT count(*) FROM meta"), 1);
}

static void test_meta_set_null_removes(void **state)
{
  struct fixture *fx = *state;

  assert_int_equal(nhi_store_meta_set(fx->store, "logo", "/a.png"), NHI_OK);
  assert_int_equal(nhi_store_meta_set(fx->store, "logo", NULL), NHI_OK);
  assert_null(nhi_store_meta_get(fx->store, "logo"));
  assert_int_equal(nhi_store_meta_set(fx->store, "logo", NULL), NHI_OK);
  assert_int_equal(query_int(fx->store, "SELECT count(*) FROM meta"), 0);
}

static void test_identity_lookup(void **state)
{
  struct fixture *fx = *state;
  long long id = put_identity(fx->store, "arn:aws:iam::1:role/find", NULL,
                              NULL), got = 0;

  assert_int_equal(nhi_store_identity_id(fx->store,
                                         "arn:aws:iam::1:role/find", &got),
                   NHI_OK);
  assert_int_equal(got, id);
  assert_int_equal(nhi_store_identity_id(fx->store, "arn:nope", &got),
                   NHI_ERR_INPUT);
}

/* Fails unless SQLite answers sql from an index alone, without reading
 * the findings' rows, which carry their evidence. */
static void expect_covered(struct nhi_store *s, const char *sql)
{
  char plan[512] = "";
  sqlite3_stmt *st = NULL;
  char *explain = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);

  assert_non_null(explain);
  if (sqlite3_prepare_v2(s->db, explain, -1, &st, NULL) != SQLITE_OK)
    fail_msg("cannot prepare '%s': %s", explain, sqlite3_errmsg(s->db));
  while (sqlite3_step(st) == SQLITE_ROW)
    snprintf(plan + strlen(plan), sizeof plan - strlen(plan), "%s; ",
             (const char *)sqlite3_column_text(st, 3));
  sqlite3_finalize(st);
  sqlite3_free(explain);
  if (strstr(plan, "SCAN findings USING COVERING INDEX") == NULL &&
      strstr(plan, "SEARCH findings USING COVERING INDEX") == NULL)
    fail_msg("'%s' reads the findings' rows: %s", sql, plan);
}

/* The shapes in which scoring, the report's order and the remediation
 * plan read every finding. */
static void test_findings_read_from_indexes(void **state)
{
  struct fixture *fx = *state;

  expect_covered(fx->store, "SELECT severity, status, count(*) FROM"
                 " findings WHERE question = 'q' GROUP BY severity, status");
  expect_covered(fx->store, "SELECT max(severity) FROM findings WHERE"
                 " question = 'q' AND identity_ref IS NOT NULL"
                 " GROUP BY identity_ref");
  expect_covered(fx->store, "SELECT id FROM findings ORDER BY"
                 " severity, check_id, identity_ref, resource_ref, id");
  expect_covered(fx->store, "SELECT DISTINCT check_id, effort FROM"
                 " findings WHERE effort IS NOT NULL ORDER BY check_id");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
    T(test_open_creates_schema),
    T(test_migrations_are_numbered_from_one),
    T(test_reopen_keeps_rows),
    T(test_refuses_newer_schema),
    T(test_journal_mode_is_wal),
    T(test_every_table_exists),
    T(test_writers_match_schema),
    T(test_put_inserts_row),
    T(test_put_carries_source_id),
    T(test_upsert_merges_identity),
    T(test_upsert_keeps_flag_left_out),
    T(test_check_rejects_bad_kind),
    T(test_required_column_rejects_null),
    T(test_foreign_key_rejects_unknown_identity),
    T(test_rollback_discards_rows),
    T(test_meta_set_get),
    T(test_meta_set_null_removes),
    T(test_identity_lookup),
    T(test_findings_read_from_indexes),
  };
#undef T

  return cmocka_run_group_tests(tests, NULL, NULL);
}
