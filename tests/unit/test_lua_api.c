/* Unit tests for the ctx a plugin's run(ctx) receives and the nhi module
 * (core/lua_api.c, lua_ctx.c, lua_db.c, lua_evidence.c). */
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

#include <lauxlib.h>

#include "lua_api.h"
#include "sandbox.h"
#include "secret.h"

#define SECRET "wJalrXUtnFEMI-K7MDENG-bPxRfiCYzzUNITSECRET"

struct fixture {
  char dir[64];
  char *db_path;
  struct nhi_store *store;
  struct nhi_plugin plugin;    /* filled by hand; strings are literals */
  struct nhi_source_spec source;
  struct nhi_run run;
  char *error;                 /* the last run's error, or NULL */
  const char *roots[2];        /* the sandbox's read roots, or none */
  const char *lib_dirs[3];     /* what require() and nhi.data search */
};

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

/* DIR/rel, malloc'd. */
static char *path_in(struct fixture *fx, const char *rel)
{
  size_t n = strlen(fx->dir) + strlen(rel) + 2;
  char *p = malloc(n);

  assert_non_null(p);
  snprintf(p, n, "%s/%s", fx->dir, rel);
  return p;
}

static char *write_file(struct fixture *fx, const char *rel,
                        const char *text)
{
  char *path = path_in(fx, rel);
  FILE *f = fopen(path, "w");

  if (!f)
    fail_msg("cannot write '%s'", path);
  fputs(text, f);
  fclose(f);
  return path;
}

/* Temp folder, store with one source row (id 1) being collected. */
static struct fixture *new_fixture(void)
{
  struct fixture *fx = calloc(1, sizeof *fx);

  if (!fx)
    return NULL;
  strcpy(fx->dir, "/tmp/nhi-unit-lua-api-XXXXXX");
  if (!mkdtemp(fx->dir)) {
    free(fx);
    return NULL;
  }
  fx->db_path = path_in(fx, "evidence.db");
  if (nhi_store_open(fx->db_path, &fx->store) != NHI_OK ||
      nhi_store_exec(fx->store, "INSERT INTO sources(id, spec, provider, "
                     "kind, method) VALUES(1, 'aws:authz=x.json', 'aws', "
                     "'authz', 'import')", "test") != NHI_OK)
    return NULL;
  fx->store->source_id = 1;
  fx->source = (struct nhi_source_spec){ "aws:authz=x.json", "aws",
                                         "authz", NULL, 1 };
  fx->run.store = fx->store;
  fx->run.plugin = &fx->plugin;
  fx->run.now = "2026-01-01T00:00:00Z";
  fx->run.now_unix = 1767225600;
  return fx;
}

static int setup_collector(void **state)
{
  struct fixture *fx = new_fixture();

  if (!fx)
    return -1;
  fx->plugin.id = "test.collect";
  fx->plugin.kind = NHI_PLUGIN_COLLECTOR;
  fx->plugin.source = "aws:authz";
  fx->plugin.params_json = "{}";
  fx->run.source = &fx->source;
  fx->run.params_json = "{}";
  *state = fx;
  return 0;
}

static int setup_check(void **state)
{
  struct fixture *fx = new_fixture();

  if (!fx)
    return -1;
  fx->plugin.id = "test.check";
  fx->plugin.kind = NHI_PLUGIN_CHECK;
  fx->plugin.question = "overprivilege";
  fx->plugin.category = "admin-equivalent";
  fx->plugin.owasp = "NHI5";
  fx->plugin.severity = "high";
  fx->plugin.title = "Unused for {max_days} days ({nope})";
  fx->plugin.remediation = "Remove it.";
  fx->plugin.params_json = "{\"max_days\":90}";
  fx->run.params_json = "{\"max_days\":90}";
  *state = fx;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *fx = *state;

  nhi_store_close(fx->store);
  remove_tree(fx->dir);
  free(fx->db_path);
  free(fx->error);
  free(fx->run.account);
  free(fx);
  return 0;
}

/* Runs code as the body of run(ctx) (the chunk gets ctx as ...) in a
 * fresh sandbox, the way core/run.c does; keeps the error message. */
static enum nhi_rc run_lua(struct fixture *fx, const char *code)
{
  struct nhi_sandbox_limits limits = { 64u << 20, 50000000ULL };
  struct nhi_sandbox *sb = NULL;
  char *path = write_file(fx, "chunk.lua", code);
  enum nhi_rc rc;

  free(fx->error);
  fx->error = NULL;
  assert_int_equal(nhi_sandbox_new(&limits, fx->plugin.id, &sb), NHI_OK);
  if (fx->roots[0])
    sb->read_roots = fx->roots;
  sb->lib_dirs = fx->lib_dirs;
  nhi_api_push(sb->L);
  nhi_sandbox_push_env(sb, -1, 1);
  lua_remove(sb->L, -2);
  rc = nhi_sandbox_load(sb, path);
  if (!rc) {
    nhi_api_push_ctx(sb->L, &fx->run);
    sb->host = &fx->run;
    nhi_api_guard_sql(fx->store, &fx->run);
    rc = nhi_sandbox_call(sb, 1, 0);
    nhi_api_guard_sql(fx->store, NULL);
  }
  if (rc && sb->error)
    fx->error = strdup(sb->error);
  nhi_sandbox_free(sb);
  free(path);
  return rc;
}

static void expect_ok(struct fixture *fx, const char *code)
{
  if (run_lua(fx, code) != NHI_OK)
    fail_msg("snippet failed: %s", fx->error ? fx->error : "?");
}

static void expect_error(struct fixture *fx, const char *code,
                         const char *want)
{
  if (run_lua(fx, code) != NHI_ERR_PLUGIN)
    fail_msg("snippet succeeded; expected an error with '%s'", want);
  if (!fx->error || !strstr(fx->error, want))
    fail_msg("error '%s' lacks '%s'", fx->error ? fx->error : "(none)",
             want);
}

static long long query_int(struct fixture *fx, const char *sql)
{
  sqlite3_stmt *st = NULL;
  long long n = -1;

  if (sqlite3_prepare_v2(fx->store->db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("cannot prepare '%s': %s", sql, sqlite3_errmsg(fx->store->db));
  if (sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

static void expect_text(struct fixture *fx, const char *sql,
                        const char *want)
{
  sqlite3_stmt *st = NULL;
  const char *got = NULL;
  int ok;

  if (sqlite3_prepare_v2(fx->store->db, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("cannot prepare '%s': %s", sql, sqlite3_errmsg(fx->store->db));
  if (sqlite3_step(st) == SQLITE_ROW)
    got = (const char *)sqlite3_column_text(st, 0);
  ok = want ? got && strcmp(got, want) == 0 : got == NULL;
  if (!ok) {
    char msg[512];

    snprintf(msg, sizeof msg, "'%s' gave '%s', expected '%s'", sql,
             got ? got : "NULL", want ? want : "NULL");
    sqlite3_finalize(st);
    fail_msg("%s", msg);
  }
  sqlite3_finalize(st);
}

/* True when needle occurs anywhere in the bytes of the file at path. */
static int file_holds(const char *path, const char *needle)
{
  size_t len = 0, n = strlen(needle);
  char *data = NULL;
  FILE *f = fopen(path, "rb");
  int found = 0;

  if (!f)
    return 0;
  fseek(f, 0, SEEK_END);
  len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  data = malloc(len + 1);
  if (data && fread(data, 1, len, f) == len)
    for (size_t i = 0; !found && i + n <= len; i++)
      found = memcmp(data + i, needle, n) == 0;
  free(data);
  fclose(f);
  return found;
}

/* True when needle is in the store's database or WAL file. */
static int store_holds(struct fixture *fx, const char *needle)
{
  char *wal = path_in(fx, "evidence.db-wal");
  int found = file_holds(fx->db_path, needle) || file_holds(wal, needle);

  free(wal);
  return found;
}

static void test_identity_writes_row(void **state)
{
  struct fixture *fx = *state;

  expect_ok(fx, "local ctx = ...\n"
            "local id = ctx.evidence:identity{provider = 'aws',\n"
            "  account = '111122223333', kind = 'role',\n"
            "  native_id = 'arn:aws:iam::1:role/a', name = 'a',\n"
            "  is_human = false, tags = {team = 'x'},\n"
            "  attrs = {path = '/', n = 2}}\n"
            "assert(math.type(id) == 'integer' and id > 0, 'row id')\n"
            "local again = ctx.evidence:identity{provider = 'aws',\n"
            "  kind = 'role', native_id = 'arn:aws:iam::1:role/a'}\n"
            "assert(again == id, 'upsert returned another id')\n");
  expect_text(fx, "SELECT name || '|' || kind || '|' || account || '|' || "
              "is_human || '|' || source_id FROM identities",
              "a|role|111122223333|0|1");
  expect_text(fx, "SELECT tags FROM identities", "{\"team\":\"x\"}");
  expect_text(fx, "SELECT attrs FROM identities", "{\"n\":2,\"path\":\"/\"}");
}

static void test_writer_unknown_field(void **state)
{
  struct fixture *fx = *state;

  expect_error(fx, "local ctx = ...\n"
               "ctx.evidence:identity{provider = 'aws', kind = 'role',\n"
               "  native_id = 'x', nmae = 'a'}\n",
               "evidence:identity: unknown field 'nmae'");
  expect_error(fx, "local ctx = ...\n"
               "ctx.evidence:grant{identity = 1, 'positional'}\n",
               "fields must be named");
  assert_int_equal(query_int(fx, "SELECT count(*) FROM identities"), 0);
}

static void test_writer_wrong_type(void **state)
{
  struct fixture *fx = *state;

  expect_error(fx, "local ctx = ...\n"
               "ctx.evidence:identity{provider = 'aws', kind = 'role',\n"
               "  native_id = 'x', name = 5}\n",
               "field 'name' must be a string (got number)");
  expect_error(fx, "local ctx = ...\n"
               "ctx.evidence:identity{provider = 'aws', kind = 'role',\n"
               "  native_id = 'x', is_human = 'yes'}\n",
               "field 'is_human' must be a boolean");
  expect_error(fx, "local ctx = ...\n"
               "ctx.evidence:activity{identity_ref = 'x', action = 'a',\n"
               "  count = 1.5}\n", "field 'count' must be an integer");
  expect_error(fx, "local ctx = ...\n"
               "ctx.evidence:identity{provider = 'aws', kind = 'role',\n"
               "  native_id = 'x', attrs = {f = print}}\n",
               "cannot encode");
  assert_int_equal(query_int(fx, "SELECT count(*) FROM identities"), 0);
}

static void test_writer_required_field(void **state)
{
  expect_error(*state, "local ctx = ...\n"
               "ctx.evidence:identity{provider = 'aws', kind = 'role'}\n",
               "field 'native_id' is required");
}

static void test_writer_vocabulary(void **state)
{
  struct fixture *fx = *state;

  expect_error(fx, "local ctx = ...\n"
               "ctx.evidence:identity{provider = 'aws', kind = 'robot',\n"
               "  native_id = 'x'}\n",
               "field 'kind' must be one of user, service_account, role, "
               "workload, api_key, bot, oauth_app, ai_agent (got 'robot')");
  expect_error(fx, "local ctx = ...\n"
               "ctx.evidence:edge{kind = 'knows', from_type = 'identity',\n"
               "  from = 'a', to_type = 'identity', to = 'b'}\n",
               "field 'kind' must be one of can_assume");
}

static void test_time_fields_normalised(void **state)
{
  struct fixture *fx = *state;

  expect_ok(fx, "local ctx = ...\n"
            "ctx.evidence:identity{provider = 'aws', kind = 'role',\n"
            "  native_id = 'x', created_at = '2024-05-01T10:00:00+02:00',\n"
            "  last_used_at = 1714557600,\n"
            "  usage_tracked_since = '2024-05-01'}\n");
  expect_text(fx, "SELECT created_at FROM identities",
              "2024-05-01T08:00:00Z");
  expect_text(fx, "SELECT last_used_at FROM identities",
              "2024-05-01T10:00:00Z");
  expect_text(fx, "SELECT usage_tracked_since FROM identities",
              "2024-05-01T00:00:00Z");
}

static void test_bad_time_raises(void **state)
{
  struct fixture *fx = *state;

  expect_error(fx, "local ctx = ...\n"
               "ctx.evidence:identity{provider = 'aws', kind = 'role',\n"
               "  native_id = 'x', created_at = 'last tuesday'}\n",
               "field 'created_at' must be an ISO-8601 time");
  expect_error(fx, "local ctx = ...\n"
               "ctx.evidence:activity{identity_ref = 'x', action = 'a',\n"
               "  first_seen = '2024-02-30'}\n",
               "field 'first_seen' must be an ISO-8601 time");
  expect_error(fx, "local ctx = ...\n"
               "ctx.evidence:credential{kind = 'key', expires_at = {}}\n",
               "field 'expires_at' must be an ISO-8601 time");
}

static void test_grant_identity_by_native_id(void **state)
{
  struct fixture *fx = *state;

  expect_ok(fx, "local ctx = ...\n"
            "local id = ctx.evidence:identity{provider = 'aws',\n"
            "  kind = 'role', native_id = 'arn:aws:iam::1:role/a'}\n"
            "ctx.evidence:grant{identity = 'arn:aws:iam::1:role/a',\n"
            "  effect = 'allow', actions = {'s3:GetObject'},\n"
            "  resources = {'*'}, via = 'inline'}\n"
            "ctx.evidence:grant{identity = id, effect = 'deny',\n"
            "  actions = {'*'}, resources = {'*'}, via = 'managed',\n"
            "  not_action = true}\n");
  assert_int_equal(query_int(fx, "SELECT count(*) FROM grants g JOIN "
                             "identities i ON i.id = g.identity_id"), 2);
  expect_text(fx, "SELECT actions FROM grants WHERE effect = 'allow'",
              "[\"s3:GetObject\"]");
  assert_int_equal(query_int(fx, "SELECT not_action FROM grants WHERE "
                             "effect = 'deny'"), 1);
  expect_error(fx, "local ctx = ...\n"
               "ctx.evidence:grant{identity = 'arn:nope', effect = 'allow',\n"
               "  actions = {'*'}, resources = {'*'}, via = 'inline'}\n",
               "no identity 'arn:nope' has been written");
  expect_error(fx, "local ctx = ...\n"
               "ctx.evidence:grant{identity = true, effect = 'allow',\n"
               "  actions = {'*'}, resources = {'*'}, via = 'inline'}\n",
               "field 'identity' must be");
}

static void test_credential_keeps_only_fingerprint(void **state)
{
  struct fixture *fx = *state;
  char fp[NHI_FINGERPRINT_SIZE], sql[128];

  assert_int_equal(nhi_secret_fingerprint(SECRET, strlen(SECRET), fp),
                   NHI_OK);
  expect_ok(fx, "local ctx = ...\n"
            "ctx.evidence:credential{kind = 'access_key',\n"
            "  native_id = 'AKIAUNITTEST', secret = '" SECRET "'}\n");
  snprintf(sql, sizeof sql, "SELECT count(*) FROM credentials WHERE "
           "fingerprint = '%s'", fp);
  assert_int_equal(query_int(fx, sql), 1);
  assert_true(store_holds(fx, "AKIAUNITTEST"));
  if (store_holds(fx, SECRET))
    fail_msg("the raw secret was written to the store files");
  expect_error(fx, "local ctx = ...\n"
               "ctx.evidence:credential{kind = 'pin', secret = 12345678}\n",
               "field 'secret' must be a string");
}

static void test_secret_keeps_fingerprint_and_preview(void **state)
{
  struct fixture *fx = *state;
  char fp[NHI_FINGERPRINT_SIZE];

  assert_int_equal(nhi_secret_fingerprint(SECRET, strlen(SECRET), fp),
                   NHI_OK);
  expect_ok(fx, "local ctx = ...\n"
            "ctx.evidence:secret{path = 'app/.env', line = 3,\n"
            "  type = 'aws-secret-key', value = '" SECRET "'}\n");
  expect_text(fx, "SELECT fingerprint FROM secrets", fp);
  expect_text(fx, "SELECT preview FROM secrets", "wJal\xe2\x80\xa6" "ET");
  assert_int_equal(query_int(fx, "SELECT line FROM secrets"), 3);
  assert_int_equal(query_int(fx, "SELECT in_history FROM secrets"), 0);
  if (store_holds(fx, SECRET))
    fail_msg("the raw secret was written to the store files");
  expect_error(fx, "local ctx = ...\n"
               "ctx.evidence:secret{path = 'a', type = 't'}\n",
               "field 'fingerprint' is required");
}

static void test_db_rows_binds_params(void **state)
{
  struct fixture *fx = *state;

  expect_ok(fx, "local ctx = ...\n"
            "for _, n in ipairs{'b', 'a', 'c'} do\n"
            "  ctx.evidence:identity{provider = 'aws', kind = 'role',\n"
            "    native_id = n, owner = n ~= 'c' and 'team' or nil}\n"
            "end\n"
            "local seen = {}\n"
            "for r in ctx.db:rows([[SELECT native_id, owner, ? AS f,\n"
            "    ? AS t, ? IS NULL AS n, ? AS s, ? AS i FROM identities\n"
            "    WHERE kind = ? ORDER BY native_id]],\n"
            "    1.5, true, nil, 'str', 7, 'role') do\n"
            "  seen[#seen + 1] = r.native_id\n"
            "  assert(r.f == 1.5 and r.t == 1 and r.n == 1, 'binding')\n"
            "  assert(r.s == 'str' and math.type(r.i) == 'integer')\n"
            "  assert(r.native_id ~= 'c' or r.owner == nil, 'NULL kept')\n"
            "end\n"
            "assert(table.concat(seen, ',') == 'a,b,c', 'order')\n"
            "local one = ctx.db:first('SELECT count(*) AS n FROM '\n"
            "  .. 'identities WHERE owner = ?', 'team')\n"
            "assert(one.n == 2, 'first')\n"
            "assert(ctx.db:first('SELECT 1 WHERE ?', false) == nil,\n"
            "       'false binds as 0')\n"
            "assert(ctx.db:first('SELECT ? IS NULL AS n', nhi.json.null)\n"
            "  .n == 1, 'json null binds as NULL')\n");
  expect_error(fx, "local ctx = ...\n"
               "ctx.db:first('SELECT ?', 1, 2)\n",
               "2 values given for 1 parameters");
  expect_error(fx, "local ctx = ...\n"
               "ctx.db:first('SELECT ?', {})\n",
               "SQL parameters must be nil, boolean, number or string");
  expect_error(fx, "local ctx = ...\n"
               "ctx.db:first('SELEC 1')\n", "ctx.db:first:");
}

static void test_db_exec_denied_on_host_tables(void **state)
{
  static const char *const writes[] = {
    "INSERT INTO findings(check_id, question, severity, title) "
    "VALUES('x', 'overprivilege', 'low', 't')",
    "DELETE FROM sources",
    "UPDATE meta SET value = 'x'",
    "INSERT INTO meta(key, value) VALUES('client', 'evil')",
    "DELETE FROM plugin_runs",
    NULL
  };
  struct fixture *fx = *state;
  char code[512];

  for (const char *const *w = writes; *w; w++) {
    snprintf(code, sizeof code, "local ctx = ...\nctx.db:exec(\"%s\")\n",
             *w);
    expect_error(fx, code, "not authorized");
  }
  assert_int_equal(query_int(fx, "SELECT count(*) FROM sources"), 1);
  assert_int_equal(query_int(fx, "SELECT count(*) FROM meta"), 0);
  assert_int_equal(query_int(fx, "SELECT count(*) FROM findings"), 0);
}

static void test_db_exec_writes_evidence(void **state)
{
  struct fixture *fx = *state;

  expect_ok(fx, "local ctx = ...\n" "local id = "
            "ctx.evidence:identity{provider = 'aws', kind = 'role',\n"
            "  native_id = 'x'}\n"
            "local n = ctx.db:exec('UPDATE identities SET owner = ? '\n"
            "  .. 'WHERE id = ?', 'team', id)\n"
            "assert(n == 1, 'changed ' .. tostring(n))\n"
            "n = ctx.db:exec('SELECT count(*) FROM identities')\n"
            "assert(n == 0, 'a read changed ' .. tostring(n))\n");
  expect_text(fx, "SELECT owner FROM identities", "team");
}

static void test_attach_pragma_and_schema_denied(void **state)
{
  static const char *const denied[] = {
    "ctx.db:exec(\"ATTACH DATABASE ':memory:' AS other\")",
    "ctx.db:exec('PRAGMA journal_mode = DELETE')",
    "ctx.db:first('PRAGMA user_version')",
    "for r in ctx.db:rows('PRAGMA table_info(identities)') do end",
    "ctx.db:exec('BEGIN')",
    "ctx.db:exec('CREATE TABLE t(x)')",
    "ctx.db:exec('DROP TABLE identities')",
    "ctx.db:exec('CREATE TRIGGER t AFTER INSERT ON identities BEGIN "
    "DELETE FROM identities; END')",
    NULL
  };
  struct fixture *fx = *state;
  char code[512];

  for (const char *const *d = denied; *d; d++) {
    snprintf(code, sizeof code, "local ctx = ...\n%s\n", *d);
    expect_error(fx, code, "not authorized");
  }
  assert_int_equal(query_int(fx, "SELECT count(*) FROM "
                             "pragma_database_list"), 1);
  expect_text(fx, "PRAGMA journal_mode", "wal");
}

static void test_check_cannot_write(void **state)
{
  struct fixture *fx = *state;

  assert_int_equal(nhi_store_exec(fx->store, "INSERT INTO identities("
                                  "provider, native_id, kind) VALUES('aws',"
                                  " 'x', 'role')", "test"), NHI_OK);
  expect_ok(fx, "local ctx = ...\n"
            "assert(ctx.db.exec == nil, 'checks get no exec')\n"
            "assert(ctx.evidence == nil, 'checks get no writers')\n"
            "assert(ctx.import == nil, 'checks get no importers')\n"
            "assert(ctx.db:first('SELECT count(*) AS n FROM identities')\n"
            "  .n == 1, 'checks read')\n");
  expect_error(fx, "local ctx = ...\n"
               "for r in ctx.db:rows('DELETE FROM identities') do end\n",
               "only reads");
  expect_error(fx, "local ctx = ...\n"
               "ctx.db:first(\"UPDATE identities SET name = 'y'\")\n",
               "only reads");
  assert_int_equal(query_int(fx, "SELECT count(*) FROM identities WHERE "
                             "name IS NULL"), 1);
}

static void test_finding_writes_row(void **state)
{
  struct fixture *fx = *state;

  expect_ok(fx, "local ctx = ...\n"
            "ctx:finding{identity = 'arn:aws:iam::1:role/a',\n"
            "  evidence = {days = 120}}\n"
            "ctx:finding{identity = 'arn:aws:iam::1:role/b',\n"
            "  severity = 'critical', status = 'indeterminate',\n"
            "  confidence = 'low', title = 'Custom title',\n"
            "  resource = 'arn:aws:s3:::bucket', threshold = {days = 7}}\n");
  assert_int_equal(fx->run.findings, 2);
  expect_text(fx, "SELECT check_id || '|' || question || '|' || category ||"
              " '|' || owasp || '|' || severity || '|' || status || '|' ||"
              " confidence || '|' || remediation FROM findings WHERE "
              "identity_ref = 'arn:aws:iam::1:role/a'",
              "test.check|overprivilege|admin-equivalent|NHI5|high|fail|"
              "high|Remove it.");
  expect_text(fx, "SELECT title FROM findings WHERE identity_ref = "
              "'arn:aws:iam::1:role/a'", "Unused for 90 days ({nope})");
  expect_text(fx, "SELECT evidence FROM findings WHERE identity_ref = "
              "'arn:aws:iam::1:role/a'", "{\"days\":120}");
  expect_text(fx, "SELECT threshold FROM findings WHERE identity_ref = "
              "'arn:aws:iam::1:role/a'", "{\"max_days\":90}");
  expect_text(fx, "SELECT severity || '|' || status || '|' || confidence ||"
              " '|' || title || '|' || resource_ref || '|' || threshold "
              "FROM findings WHERE identity_ref = 'arn:aws:iam::1:role/b'",
              "critical|indeterminate|low|Custom title|"
              "arn:aws:s3:::bucket|{\"days\":7}");
}

static void test_finding_rejects_bad_fields(void **state)
{
  struct fixture *fx = *state;

  expect_error(fx, "local ctx = ...\nctx:finding{identiy = 'x'}\n",
               "ctx:finding: unknown field 'identiy'");
  expect_error(fx, "local ctx = ...\nctx:finding{severity = 'urgent'}\n",
               "field 'severity' has an unknown value 'urgent'");
  expect_error(fx, "local ctx = ...\nctx:finding{status = 'pass'}\n",
               "field 'status' has an unknown value 'pass'");
  expect_error(fx, "local ctx = ...\nctx:finding{identity = {}}\n",
               "field 'identity' must be a string");
  assert_int_equal(query_int(fx, "SELECT count(*) FROM findings"), 0);
  assert_int_equal(fx->run.findings, 0);
}

static void test_ctx_fields(void **state)
{
  struct fixture *fx = *state;

  fx->source.location = "/data/gaad.json";
  expect_ok(fx, "local ctx = ...\n"
            "assert(ctx.plugin == 'test.collect', 'plugin')\n"
            "assert(ctx.now == '2026-01-01T00:00:00Z', 'now')\n"
            "assert(type(ctx.params) == 'table', 'params')\n"
            "assert(ctx.source.provider == 'aws' and\n"
            "       ctx.source.kind == 'authz' and\n"
            "       ctx.source.spec == 'aws:authz=x.json' and\n"
            "       ctx.source.location == '/data/gaad.json', 'source')\n"
            "assert(ctx.finding == nil, 'collectors write no findings')\n");
}

static const char gaad[] =
  "{\"UserDetailList\": [], \"GroupDetailList\": [], \"Policies\": [],\n"
  " \"RoleDetailList\": [{\"Path\": \"/\", \"RoleName\": \"deploy\",\n"
  "   \"RoleId\": \"AROAUNITTEST00000001\",\n"
  "   \"Arn\": \"arn:aws:iam::111122223333:role/deploy\",\n"
  "   \"CreateDate\": \"2024-01-01T00:00:00+00:00\",\n"
  "   \"AssumeRolePolicyDocument\": {\"Version\": \"2012-10-17\",\n"
  "     \"Statement\": []},\n"
  "   \"RolePolicyList\": [], \"AttachedManagedPolicies\": [],\n"
  "   \"RoleLastUsed\": {}}]}\n";

static void test_import_runs_importer(void **state)
{
  struct fixture *fx = *state;
  char *path = write_file(fx, "gaad.json", gaad);
  char *bad = write_file(fx, "bad.json", "{\"RoleDetailList\": [\n");

  fx->source.location = path;
  expect_ok(fx, "local ctx = ...\n"
            "local got = ctx:import('aws.authz', ctx.source.location)\n"
            "assert(got.identities == 1, 'identities ' .. got.identities)\n"
            "assert(got.account == '111122223333', 'account')\n");
  assert_int_equal(query_int(fx, "SELECT count(*) FROM identities WHERE "
                             "native_id = 'arn:aws:iam::111122223333:role/"
                             "deploy' AND source_id = 1"), 1);
  assert_non_null(fx->run.account);
  assert_string_equal(fx->run.account, "111122223333");
  expect_error(fx, "local ctx = ...\nctx:import('nope', 'x.json')\n",
               "no importer named 'nope'");
  fx->source.location = bad;
  expect_error(fx, "local ctx = ...\n"
               "ctx:import('aws.authz', ctx.source.location)\n", "bad.json");
  assert_true(fx->run.error_logged);
  free(path);
  free(bad);
}

static void test_nhi_module(void **state)
{
  expect_ok(*state,
            "assert(nhi.version == '" NHI_VERSION "', 'version')\n"
            "assert(nhi.time.parse('2024-05-01T10:00:00Z') == 1714557600)\n"
            "local t, why = nhi.time.parse('soon')\n"
            "assert(t == nil and why:find('ISO%-8601'), 'parse failure')\n"
            "assert(nhi.time.format(0) == '1970-01-01T00:00:00Z')\n"
            "assert(nhi.time.days('2024-05-01', '2024-05-31') == 30)\n"
            "assert(nhi.time.days('2024-05-02', '2024-05-01T12:00:00Z')\n"
            "  == -1, 'days rounds down')\n"
            "assert(not pcall(nhi.time.days, 'x', 0), 'bad time raises')\n"
            "nhi.log.debug('%s %d', 'quiet', 1)\n");
}

static void test_fs_list(void **state)
{
  struct fixture *fx = *state;
  char *in = path_in(fx, "in"), *sub = path_in(fx, "in/sub");
  char *real, code[2048];

  assert_int_equal(mkdir(in, 0700), 0);
  assert_int_equal(mkdir(sub, 0700), 0);
  free(write_file(fx, "in/b.json", "{}"));
  free(write_file(fx, "in/sub/a.json", "{}"));
  free(write_file(fx, "in/.hidden", "x"));
  free(write_file(fx, "out.txt", "x"));
  {
    char *link = path_in(fx, "in/link.json"), *out = path_in(fx, "out.txt");

    assert_int_equal(symlink(out, link), 0);
    free(link);
    free(out);
  }
  real = realpath(in, NULL);
  assert_non_null(real);
  fx->roots[0] = real;
  snprintf(code, sizeof code,
           "local l = assert(nhi.fs.list('%s'))\n"
           "assert(#l == 2, 'two files, not the hidden one nor the "
           "link: ' .. #l)\n"
           "assert(l[1] == 'b.json' and l[2] == 'sub/a.json', 'sorted, "
           "relative: ' .. table.concat(l, ','))\n"
           "local none, why = nhi.fs.list('%s/b.json')\n"
           "assert(none == nil and why:find('is not a folder'), why)\n",
           real, real);
  expect_ok(fx, code);
  snprintf(code, sizeof code, "nhi.fs.list('%s')", fx->dir);
  expect_error(fx, code, "outside the paths");
  fx->roots[0] = NULL;
  free(real);
  free(in);
  free(sub);
}

/* nhi.data reads a table from the data/ beside a lib folder: the first
 * folder holding it wins; a missing one is nil and a reason; a name that
 * climbs out is refused. */
static void test_data_file(void **state)
{
  struct fixture *fx = *state;
  char *lib1 = path_in(fx, "one/lib"), *lib2 = path_in(fx, "two/lib");
  char *d;

  d = path_in(fx, "two");
  assert_int_equal(mkdir(d, 0700), 0);
  free(d);
  d = path_in(fx, "two/data");
  assert_int_equal(mkdir(d, 0700), 0);
  free(d);
  d = path_in(fx, "two/data/gcp");
  assert_int_equal(mkdir(d, 0700), 0);
  free(d);
  free(write_file(fx, "two/data/gcp/roles.tsv", "roles/owner\t1\n"));
  fx->lib_dirs[0] = lib1;
  fx->lib_dirs[1] = lib2;
  expect_ok(fx, "assert(nhi.data('gcp/roles.tsv') == 'roles/owner\\t1\\n')\n"
            "local t, why = nhi.data('gcp/none.tsv')\n"
            "assert(t == nil and why:find('gcp/none.tsv', 1, true))\n");
  expect_error(fx, "nhi.data('../two/data/gcp/roles.tsv')",
               "bad data file name");
  expect_error(fx, "nhi.data('gcp/../../x')", "bad data file name");
  fx->lib_dirs[0] = fx->lib_dirs[1] = NULL;
  free(lib1);
  free(lib2);
}

int main(void)
{
#define C(f) cmocka_unit_test_setup_teardown(f, setup_collector, teardown)
#define K(f) cmocka_unit_test_setup_teardown(f, setup_check, teardown)
  const struct CMUnitTest tests[] = {
    C(test_identity_writes_row),
    C(test_writer_unknown_field),
    C(test_writer_wrong_type),
    C(test_writer_required_field),
    C(test_writer_vocabulary),
    C(test_time_fields_normalised),
    C(test_bad_time_raises),
    C(test_grant_identity_by_native_id),
    C(test_credential_keeps_only_fingerprint),
    C(test_secret_keeps_fingerprint_and_preview),
    C(test_db_rows_binds_params),
    C(test_db_exec_denied_on_host_tables),
    C(test_db_exec_writes_evidence),
    C(test_attach_pragma_and_schema_denied),
    K(test_check_cannot_write),
    K(test_finding_writes_row),
    K(test_finding_rejects_bad_fields),
    C(test_ctx_fields),
    C(test_import_runs_importer),
    K(test_nhi_module),
    C(test_fs_list),
    C(test_data_file),
  };
#undef C
#undef K

  return cmocka_run_group_tests(tests, NULL, NULL);
}
