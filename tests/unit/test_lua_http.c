/* Unit tests for nhi.http, nhi.aws, nhi.xml and the ctx methods
 * ctx:save_raw and ctx:coverage_gap (core/lua_http.c). */
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

#include <lauxlib.h>

#include "digest.h"
#include "lua_api.h"
#include "sandbox.h"

struct fixture {
  char dir[64];
  char out[96];
  struct nhi_store *store;
  struct nhi_plugin plugin;
  struct nhi_source_spec source;
  struct nhi_run run;
  char *error;
};

/* Settings of the caller's environment the tests must not see. */
static const char *const cleared[] = {
  "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
  "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
  "NHISCOPE_AWS_ENDPOINT", NULL
};

static int setup_kind(void **state, enum nhi_plugin_kind kind)
{
  struct fixture *fx = calloc(1, sizeof *fx);
  char db[128];

  if (!fx)
    return -1;
  strcpy(fx->dir, "/tmp/nhi-unit-lua-http-XXXXXX");
  if (!mkdtemp(fx->dir))
    return -1;
  snprintf(fx->out, sizeof fx->out, "%s/out", fx->dir);
  snprintf(db, sizeof db, "%s/evidence.db", fx->dir);
  if (nhi_store_open(db, &fx->store) != NHI_OK)
    return -1;
  fx->plugin.id = kind == NHI_PLUGIN_CHECK ? "test.check" : "test.live";
  fx->plugin.kind = kind;
  fx->plugin.source = "aws:live";
  fx->plugin.question = "overprivilege";
  fx->plugin.owasp = "NHI5";
  fx->plugin.severity = "low";
  fx->plugin.title = "t";
  fx->plugin.remediation = "r";
  fx->source = (struct nhi_source_spec){ "aws:live", "aws", "live", NULL,
                                         7 };
  fx->run.store = fx->store;
  fx->run.plugin = &fx->plugin;
  fx->run.source = &fx->source;
  fx->run.params_json = "{}";
  fx->run.now = "2026-12-01T09:00:00Z";
  fx->run.out_dir = fx->out;
  for (const char *const *v = cleared; *v; v++)
    unsetenv(*v);
  setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
  *state = fx;
  return 0;
}

static int setup_collector(void **state)
{
  return setup_kind(state, NHI_PLUGIN_COLLECTOR);
}

static int setup_check(void **state)
{
  return setup_kind(state, NHI_PLUGIN_CHECK);
}

static int teardown(void **state)
{
  struct fixture *fx = *state;
  char cmd[160];

  nhi_store_close(fx->store);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
  if (system(cmd) != 0)
    fprintf(stderr, "cannot remove %s\n", fx->dir);
  free(fx->error);
  cJSON_Delete(fx->run.gaps);
  free(fx);
  return 0;
}

/* Runs code as run(ctx)'s body, as core/run.c does. */
static enum nhi_rc run_lua(struct fixture *fx, const char *code)
{
  struct nhi_sandbox_limits limits = { 64u << 20, 50000000ULL };
  struct nhi_sandbox *sb = NULL;
  char path[128];
  FILE *f;
  enum nhi_rc rc;

  snprintf(path, sizeof path, "%s/chunk.lua", fx->dir);
  f = fopen(path, "w");
  assert_non_null(f);
  fputs(code, f);
  fclose(f);
  free(fx->error);
  fx->error = NULL;
  assert_int_equal(nhi_sandbox_new(&limits, fx->plugin.id, &sb), NHI_OK);
  nhi_api_push(sb->L);
  nhi_sandbox_push_env(sb, -1, 1);
  lua_remove(sb->L, -2);
  rc = nhi_sandbox_load(sb, path);
  if (!rc) {
    nhi_api_push_ctx(sb->L, &fx->run);
    sb->host = &fx->run;
    rc = nhi_sandbox_call(sb, 1, 0);
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
  if (run_lua(fx, code) != NHI_ERR_PLUGIN)
    fail_msg("snippet succeeded; expected an error with '%s'", want);
  if (!fx->error || !strstr(fx->error, want))
    fail_msg("error '%s' does not hold '%s'", fx->error, want);
}

static void test_form_and_encode(void **state)
{
  expect_ok(*state,
    "local f = nhi.http.form{ b = '2', a = 'x y', ['a.b'] = true, n = 5,\n"
    "  ['k/~'] = '+&=' }\n"
    "assert(f == 'a=x%20y&a.b=true&b=2&k%2F~=%2B%26%3D&n=5', f)\n"
    "assert(nhi.http.form{} == '')\n"
    "assert(nhi.http.encode('caf\\xc3\\xa9 ~') == 'caf%C3%A9%20~')\n");
  expect_error(*state, "nhi.http.form{ a = {} }",
               "values must be strings, numbers or booleans");
  expect_error(*state, "nhi.http.form{ 'x' }", "keys must be strings");
}

static void test_xml_decode(void **state)
{
  expect_ok(*state,
    "local doc = nhi.xml.decode('<R a=\"1\"><B><N>x</N></B><B/>t</R>')\n"
    "assert(doc.name == 'R' and doc.attrs.a == '1' and doc.text == 't')\n"
    "assert(#doc == 2 and doc[1].name == 'B' and doc[1][1].text == 'x')\n"
    "assert(doc[2].attrs == nil and #doc[2] == 0)\n"
    "local none, err = nhi.xml.decode('<R>')\n"
    "assert(none == nil and err:find('line 1, column 4'), err)\n");
}

static void test_endpoint(void **state)
{
  setenv("NHISCOPE_AWS_ENDPOINT_CLOUDTRAIL", "http://127.0.0.1:7/", 1);
  expect_ok(*state,
    "local url, region = nhi.aws.endpoint('iam', 'eu-west-1')\n"
    "assert(url == 'https://iam.amazonaws.com' and region == 'us-east-1')\n"
    "url, region = nhi.aws.endpoint('cloudtrail', 'eu-west-1')\n"
    "assert(url == 'http://127.0.0.1:7' and region == 'eu-west-1', url)\n");
  unsetenv("NHISCOPE_AWS_ENDPOINT_CLOUDTRAIL");
  expect_error(*state, "nhi.aws.endpoint('s3', 'x/y')",
               "lowercase letters, digits and '-'");
}

static void test_checks_stay_offline(void **state)
{
  expect_error(*state, "nhi.http.request{ url = 'http://127.0.0.1:9/' }",
               "nhi.http.request: only a collector's run may reach the "
               "network");
  expect_error(*state, "nhi.aws.credentials()", "nhi.aws.credentials: "
               "only a collector's run");
  expect_error(*state, "nhi.http.env_secret('OPENAI_ADMIN_KEY')",
               "nhi.http.env_secret: only a collector's run");
  expect_error(*state, "nhi.http.setting('OPENAI_BASE_URL')",
               "nhi.http.setting: only a collector's run");
}

static void test_credentials_handle(void **state)
{
  setenv("AWS_ACCESS_KEY_ID", "AKIAUNITTEST", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "unit/SECRET+value", 1);
  setenv("AWS_REGION", "eu-central-1", 1);
  expect_ok(*state,
    "local h, info = nhi.aws.credentials()\n"
    "assert(type(h) == 'userdata' and not getmetatable(h))\n"
    "assert(info.region == 'eu-central-1' and info.method == "
    "'environment')\n"
    "assert(tostring(h) == 'aws credentials (environment)', tostring(h))\n"
    "for k, v in pairs(info) do\n"
    "  assert(not tostring(v):find('SECRET'), k)\n"
    "end\n");
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  expect_ok(*state,
    "local h, err = nhi.aws.credentials()\n"
    "assert(h == nil and err:find('no AWS credentials'), err)\n"
    "h, err = nhi.aws.credentials('missing')\n"
    "assert(h == nil and err:find(\"profile 'missing'\"), err)\n");
}

/* API keys from the environment are opaque handles, good only as auth
 * tokens; settings are NHISCOPE_* variables only. */
static void test_env_secret_and_setting(void **state)
{
  setenv("NHI_UNIT_API_KEY", "sk-admin-UNITsecretVALUE", 1);
  setenv("NHISCOPE_UNIT_BASE_URL", "http://127.0.0.1:9/v1", 1);
  expect_ok(*state,
    "local h = nhi.http.env_secret('NHI_UNIT_API_KEY')\n"
    "assert(type(h) == 'userdata' and not getmetatable(h))\n"
    "assert(tostring(h) == 'secret (from NHI_UNIT_API_KEY)', tostring(h))\n"
    "assert(not tostring(h):find('UNIT'..'secret'))\n"
    "local none, why = nhi.http.env_secret('NHI_UNIT_NOT_SET')\n"
    "assert(none == nil and why == 'the environment variable "
    "NHI_UNIT_NOT_SET is not set', why)\n"
    "assert(nhi.http.setting('UNIT_BASE_URL') == 'http://127.0.0.1:9/v1')\n"
    "assert(nhi.http.setting('UNIT_NOT_SET') == nil)\n"
    "local r, err = nhi.http.request{ url = 'http://127.0.0.1:9/',\n"
    "  retry = false, auth = { type = 'header', name = 'x-api-key',\n"
    "  token = h } }\n"
    "assert(r == nil and err:find('cannot fetch'), err)\n"
    "r, err = nhi.http.request{ url = 'http://127.0.0.1:9/',\n"
    "  retry = false, auth = { type = 'bearer', token = h } }\n"
    "assert(r == nil and not err:find('UNIT'..'secret'), err)\n");
  expect_error(*state, "nhi.http.env_secret('lower-case')",
               "an environment variable name");
  expect_error(*state, "nhi.http.request{ url = 'http://x/',\n"
               "  auth = { type = 'header', name = 'x-api-key',\n"
               "    token = {} } }",
               "token must be a string or a handle from "
               "nhi.http.env_secret");
  expect_error(*state, "nhi.http.request{ url = 'http://x/',\n"
               "  auth = { type = 'bearer' } }",
               "this auth type needs a token");
  unsetenv("NHI_UNIT_API_KEY");
  unsetenv("NHISCOPE_UNIT_BASE_URL");
}

static void test_request_misuse(void **state)
{
  expect_error(*state, "nhi.http.request{ urll = 'http://x/' }",
               "unknown field 'urll'");
  expect_error(*state, "nhi.http.request{ url = 'http://x/',\n"
               "  headers = { ['X-A'] = 'a\\r\\nX-B: b' } }",
               "(header 'X-A' is not a 'Name: value' line)");
  expect_error(*state, "nhi.http.request{ url = 'http://x/',\n"
               "  auth = { type = 'sigv4', service = 'iam',\n"
               "    credentials = {} } }",
               "credentials must be a handle from nhi.aws.credentials");
  expect_error(*state, "nhi.http.request{ url = 'http://x/',\n"
               "  retry = { max = 99 } }",
               "field 'max' must be an integer from 1 to 10");
  expect_ok(*state,
    "local r, err = nhi.http.request{ url = 'http://127.0.0.1:9/?a=1',\n"
    "  retry = false, label = 'probe' }\n"
    "assert(r == nil and err:find(\"probe: cannot fetch "
    "'http://127.0.0.1:9/'\") and err:find('1 attempt'), err)\n");
}

static void test_save_raw(void **state)
{
  struct fixture *fx = *state;
  char path[160], stale[160], sha[NHI_SHA256_HEX];
  FILE *f;

  snprintf(stale, sizeof stale, "%s/raw/7-aws/old/stale.json", fx->out);
  mkdir(fx->out, 0755);
  snprintf(path, sizeof path, "%s/raw", fx->out);
  mkdir(path, 0755);
  snprintf(path, sizeof path, "%s/raw/7-aws", fx->out);
  mkdir(path, 0755);
  snprintf(path, sizeof path, "%s/raw/7-aws/old", fx->out);
  mkdir(path, 0755);
  f = fopen(stale, "w");
  assert_non_null(f);
  fclose(f);
  expect_ok(fx, "local ctx = ...\n"
    "local p, sha = ctx:save_raw('iam/gaad.json', '{\"a\":1}')\n"
    "assert(p:find('/out/raw/7%-aws/iam/gaad.json$'), p)\n"
    "assert(#sha == 64, sha)\n"
    "ctx:save_raw('other.json', '[]')\n"
    "local again = ctx:save_raw('iam/gaad.json', '{}')\n"
    "assert(again == p)\n");
  assert_int_equal(access(stale, F_OK), -1);  /* an earlier run's file */
  snprintf(path, sizeof path, "%s/raw/7-aws/other.json", fx->out);
  assert_int_equal(access(path, F_OK), 0);    /* this run's, kept */
  snprintf(path, sizeof path, "%s/raw/7-aws/iam/gaad.json", fx->out);
  assert_int_equal(nhi_file_sha256(path, sha), NHI_OK);
  assert_string_equal(sha, "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e"
                      "8310c060f61caaff8a");
  expect_error(fx, "(...):save_raw('../x', '')", "a relative name");
  expect_error(fx, "(...):save_raw('/etc/x', '')", "a relative name");
  expect_error(fx, "(...):save_raw('a/.hidden', '')", "a relative name");
  expect_error(fx, "(...):save_raw('a//b', '')", "a relative name");
  expect_error(fx, "(...):save_raw('a b', '')", "a relative name");
  fx->run.out_dir = NULL;
  expect_error(fx, "(...):save_raw('x', '')", "this run has no output "
               "folder");
}

static void expect_gap(const cJSON *gaps, int i, const char *call,
                       const char *reason)
{
  const cJSON *gap = cJSON_GetArrayItem(gaps, i);

  assert_non_null(gap);
  assert_string_equal(cJSON_GetStringValue(
    cJSON_GetObjectItemCaseSensitive(gap, "call")), call);
  assert_string_equal(cJSON_GetStringValue(
    cJSON_GetObjectItemCaseSensitive(gap, "reason")), reason);
}

static void test_coverage_gaps(void **state)
{
  struct fixture *fx = *state;

  expect_ok(fx, "local ctx = ...\n"
    "ctx:coverage_gap('cloudtrail:LookupEvents', 'AccessDeniedException')\n"
    "ctx:coverage_gap('s3:GetBucketPolicy', '2 calls:\\nAccessDenied')\n");
  assert_non_null(fx->run.gaps);
  assert_int_equal(cJSON_GetArraySize(fx->run.gaps), 2);
  expect_gap(fx->run.gaps, 0, "cloudtrail:LookupEvents",
             "AccessDeniedException");
  expect_gap(fx->run.gaps, 1, "s3:GetBucketPolicy", "2 calls: AccessDenied");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_form_and_encode, setup_collector,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_xml_decode, setup_check, teardown),
    cmocka_unit_test_setup_teardown(test_endpoint, setup_collector,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_checks_stay_offline, setup_check,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_credentials_handle,
                                    setup_collector, teardown),
    cmocka_unit_test_setup_teardown(test_env_secret_and_setting,
                                    setup_collector, teardown),
    cmocka_unit_test_setup_teardown(test_request_misuse, setup_collector,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_save_raw, setup_collector,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_coverage_gaps, setup_collector,
                                    teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
