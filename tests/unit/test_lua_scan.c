/* Unit tests for the scanner's Lua side (core/lua_scan.c): nhi.scan for
 * every plugin, ctx:scan_files for collectors, and the finding fields
 * secret checks use (location, secret_type). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lua_api.h"
#include "sandbox.h"
#include "support/store_rows.h"

#define TOKEN "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"

struct fixture {
  char dir[64];
  char lib[4096], extra_lib[4096];
  const char *lib_dirs[3];
  const char *roots[2];
  struct nhi_store *store;
  struct nhi_plugin plugin;
  struct nhi_source_spec source;
  struct nhi_run run;
  char *error;
};

static void write_at(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");

  if (!f)
    fail_msg("cannot write '%s'", path);
  fputs(text, f);
  fclose(f);
}

/* A collector (or, with check set, a check) run over an in-memory store;
 * its lib folders are the repository's plugins/lib and, when extra is
 * set, DIR/extra/lib with a rules file of one more rule. */
static struct fixture *new_fixture(int check, int extra)
{
  const char *home = getenv("NHISCOPE_HOME");
  struct fixture *fx = calloc(1, sizeof *fx);
  char path[4200];

  assert_non_null(fx);
  strcpy(fx->dir, "/tmp/nhi-unit-lua-scan-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  snprintf(fx->lib, sizeof fx->lib, "%s/plugins/lib", home ? home : ".");
  fx->lib_dirs[0] = fx->lib;
  if (extra) {
    snprintf(path, sizeof path, "%s/extra", fx->dir);
    mkdir(path, 0700);
    snprintf(fx->extra_lib, sizeof fx->extra_lib, "%s/extra/lib", fx->dir);
    mkdir(fx->extra_lib, 0700);
    snprintf(path, sizeof path, "%s/extra/data", fx->dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/extra/data/secrets", fx->dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/extra/data/secrets/rules.json",
             fx->dir);
    write_at(path, "{\"rules\": [{\"id\": \"acme-token\", \"type\": "
             "\"acme_token\", \"keywords\": [\"acme_\"], \"token\": "
             "{\"charset\": \"a-f0-9\", \"min\": 24, \"max\": 24}}]}");
    fx->lib_dirs[1] = fx->extra_lib;
  }
  fx->roots[0] = fx->dir;
  assert_int_equal(nhi_store_open(":memory:", &fx->store), NHI_OK);
  assert_int_equal(nhi_store_exec(fx->store, "INSERT INTO sources(id, spec,"
                   " provider, kind, method) VALUES(1, 'files:path=x',"
                   " 'files', 'path', 'import')", "test"), NHI_OK);
  fx->store->source_id = 1;
  fx->source = (struct nhi_source_spec){ "files:path=x", "files", "path",
                                         NULL, 1 };
  fx->plugin.id = check ? "test.check" : "test.collect";
  fx->plugin.kind = check ? NHI_PLUGIN_CHECK : NHI_PLUGIN_COLLECTOR;
  fx->plugin.source = "files:path";
  fx->plugin.question = "overprivilege";
  fx->plugin.category = "exposed-secret";
  fx->plugin.owasp = "NHI2";
  fx->plugin.severity = "high";
  fx->plugin.title = "Secret exposed";
  fx->plugin.remediation = "Rotate it.";
  fx->plugin.params_json = "{}";
  fx->run.store = fx->store;
  fx->run.plugin = &fx->plugin;
  fx->run.source = check ? NULL : &fx->source;
  fx->run.params_json = "{}";
  fx->run.now = "2026-12-01T09:00:00Z";
  fx->run.now_unix = 1796115600;
  return fx;
}

static int setup_collector(void **state)
{
  *state = new_fixture(0, 0);
  return 0;
}

static int setup_extra(void **state)
{
  *state = new_fixture(0, 1);
  return 0;
}

static int setup_check(void **state)
{
  *state = new_fixture(1, 0);
  return 0;
}

static int teardown(void **state)
{
  struct fixture *fx = *state;
  char cmd[128];

  nhi_store_close(fx->store);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
  if (system(cmd) != 0)
    fprintf(stderr, "cannot remove %s\n", fx->dir);
  free(fx->error);
  free(fx);
  return 0;
}

/* The chunk gets ctx as its first argument. */
static void write_chunk(const char *path, const char *code)
{
  FILE *f = fopen(path, "w");

  assert_non_null(f);
  fprintf(f, "local ctx = ...\n%s", code);
  fclose(f);
}

/* Runs code as run(ctx)'s body in a fresh sandbox, as core/run.c does. */
static enum nhi_rc run_lua(struct fixture *fx, const char *code)
{
  struct nhi_sandbox_limits limits = { 64u << 20, 50000000ULL };
  struct nhi_sandbox *sb = NULL;
  char path[128];
  enum nhi_rc rc;

  snprintf(path, sizeof path, "%s/chunk.lua", fx->dir);
  write_chunk(path, code);
  free(fx->error);
  fx->error = NULL;
  assert_int_equal(nhi_sandbox_new(&limits, fx->plugin.id, &sb), NHI_OK);
  sb->lib_dirs = fx->lib_dirs;
  sb->read_roots = fx->roots;
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
  if (run_lua(fx, code) == NHI_OK)
    fail_msg("snippet succeeded; expected an error with '%s'", want);
  if (!fx->error || !strstr(fx->error, want))
    fail_msg("error '%s' lacks '%s'", fx->error ? fx->error : "", want);
}

static void test_scan_text(void **state)
{
  expect_ok(*state,
    "local hits = nhi.scan.text('a = 1\\ntoken: " TOKEN "\\n')\n"
    "assert(#hits == 1, 'one hit')\n"
    "local h = hits[1]\n"
    "assert(h.type == 'github_token' and h.rule == 'github-token')\n"
    "assert(h.line == 2 and h.validated == true and h.generic == false)\n"
    "assert(h.preview == 'ghp_\xe2\x80\xa6IL', h.preview)\n"
    "assert(h.fingerprint == 'sha256:6e36abbbff8d2057893fd939')\n"
    "for k, v in pairs(h) do\n"
    "  assert(type(v) ~= 'string' or not v:find('Ky9Pf34q', 1, true), k)\n"
    "end\n"
    "assert(#nhi.scan.text('AKIAIOSFODNN7EXAMPLE') == 0, 'an example')\n");
}

static void test_fingerprint_and_classify(void **state)
{
  expect_ok(*state,
    "assert(nhi.scan.fingerprint('" TOKEN "') ==\n"
    "       'sha256:6e36abbbff8d2057893fd939')\n"
    "local c = nhi.scan.classify('ana@mail.example.com 123-45-6789 ' ..\n"
    "  '4111 1111 1111 1111 ' .. '" TOKEN "')\n"
    "assert(c.counts.email == 1 and c.counts.us_ssn == 1)\n"
    "assert(c.counts.payment_card == 1 and c.secrets == 1)\n"
    "assert(c.sensitivity == 'restricted' and c.confidence == 'medium')\n");
}

static void test_bad_arguments(void **state)
{
  expect_error(*state, "nhi.scan.text({})", "bad argument #1");
  expect_error(*state, "ctx:scan_files('/etc')", "not below a source path");
  expect_error(*state, "ctx:scan_files('/tmp/x', {max_file_size = -1})",
               "max_file_size must be positive");
}

/* A --plugins folder's data/secrets/rules.json adds its rules. */
static void test_plugin_folder_rules(void **state)
{
  expect_ok(*state,
    "local hits = nhi.scan.text('k = acme_9f3b2c71d0e4a85f6b2c9d1e')\n"
    "assert(#hits == 1 and hits[1].type == 'acme_token', #hits)\n"
    "assert(#nhi.scan.text('" TOKEN "') == 1, 'bundled rules too')\n");
}

static void test_scan_files(void **state)
{
  struct fixture *fx = *state;
  char path[128], code[512];

  snprintf(path, sizeof path, "%s/app.env", fx->dir);
  write_at(path, "GITHUB_TOKEN=" TOKEN "\nLOG=debug\n");
  snprintf(code, sizeof code,
           "local got = ctx:scan_files('%s')\n"
           "assert(got.secrets == 1 and got.skipped == 0, got.secrets)\n"
           "assert(got.data_classes.email == 0)\n", path);
  expect_ok(fx, code);
  assert_rows(fx->store, "SELECT path, line, type, validated,"
              " json_extract(attrs, '$.rule') FROM secrets",
              "app.env|1|github_token|1|github-token");
}

static void test_finding_location(void **state)
{
  struct fixture *fx = *state;

  expect_ok(fx, "ctx:finding{ location = { path = 'src/a.py', line = 3 },"
                " secret_type = 'github_token' }\n"
                "ctx:finding{ resource = 'x' }\n");
  assert_rows(fx->store, "SELECT location, secret_type FROM findings"
              " ORDER BY id",
              "{\"line\":3,\"path\":\"src/a.py\"}|github_token\nNULL|NULL");
  expect_error(fx, "ctx:finding{ location = { line = 3 } }",
               "field 'location' must be");
  expect_error(fx, "ctx:finding{ location = { path = 'a', line = 'x' } }",
               "field 'location' must be");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_scan_text, setup_collector,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_fingerprint_and_classify,
                                    setup_check, teardown),
    cmocka_unit_test_setup_teardown(test_bad_arguments, setup_collector,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_plugin_folder_rules, setup_extra,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_scan_files, setup_collector,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_finding_location, setup_check,
                                    teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
