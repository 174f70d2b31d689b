/* Unit tests for MCP client configurations: servers as ai_agents rows,
 * env and header values classified, JSONC read, secrets masked. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan_mcp.h"
#include "store.h"
#include "support/store_rows.h"

static struct nhi_scan_rules *rules;

static int setup(void **state)
{
  const char *home = getenv("NHISCOPE_HOME");
  char path[4096];

  snprintf(path, sizeof path, "%s/plugins/data/secrets/rules.json",
           home ? home : ".");
  if (nhi_scan_rules_load(path, &rules))
    fail_msg("cannot load '%s'", path);
  return 0;
}

static int teardown(void **state)
{
  nhi_scan_rules_free(rules);
  return 0;
}

/* Imports text as the configuration rel into a new in-memory store. */
static struct nhi_store *import(const char *rel, const char *text,
                                struct nhi_mcp_stats *st)
{
  char path[] = "/tmp/nhi-test-mcp-XXXXXX";
  int fd = mkstemp(path);
  struct nhi_store *s = NULL;

  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  assert_int_equal(nhi_store_open(":memory:", &s), NHI_OK);
  memset(st, 0, sizeof *st);
  assert_int_equal(nhi_mcp_import(s, rules, path, rel, st), NHI_OK);
  unlink(path);
  return s;
}

static void test_names(void **state)
{
  assert_true(nhi_mcp_is_config("claude_desktop_config.json"));
  assert_true(nhi_mcp_is_config("app/.cursor/mcp.json"));
  assert_true(nhi_mcp_is_config(".vscode/mcp.json"));
  assert_true(nhi_mcp_is_config(".mcp.json"));
  assert_false(nhi_mcp_is_config("src/mcp.json.bak"));
  assert_false(nhi_mcp_is_config("package.json"));
}

static void test_cursor_env_secret(void **state)
{
  struct nhi_mcp_stats st;
  struct nhi_store *s = import(".cursor/mcp.json",
    "{\"mcpServers\": {\"github\": {\"command\": \"npx\", \"args\": [\"-y\","
    " \"@modelcontextprotocol/server-github\"], \"env\": {"
    "\"GITHUB_PERSONAL_ACCESS_TOKEN\": "
    "\"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\", \"LOG_LEVEL\": "
    "\"debug\"}}}}", &st);

  assert_int_equal(st.agents, 1);
  assert_int_equal(st.secrets, 1);
  assert_rows(s, "SELECT native_id, name, platform,"
              " json_extract(attrs, '$.env.GITHUB_PERSONAL_ACCESS_TOKEN'),"
              " json_extract(attrs, '$.env.LOG_LEVEL'),"
              " json_extract(attrs, '$.unpinned_package'),"
              " json_extract(attrs, '$.literal_secrets') FROM ai_agents",
              "mcp:.cursor/mcp.json#github|github|cursor|"
              "{\"kind\":\"secret\",\"type\":\"github_token\","
              "\"fingerprint\":\"sha256:6e36abbbff8d2057893fd939\","
              "\"preview\":\"ghp_\xe2\x80\xa6IL\"}|{\"kind\":\"value\"}|1|1");
  assert_rows(s, "SELECT path, line, type, preview,"
              " json_extract(attrs, '$.mcp_server'),"
              " json_extract(attrs, '$.mcp_field') FROM secrets",
              ".cursor/mcp.json|1|github_token|ghp_\xe2\x80\xa6IL|github|"
              "env.GITHUB_PERSONAL_ACCESS_TOKEN");
  /* the value itself is nowhere */
  assert_rows(s, "SELECT count(*) FROM ai_agents WHERE attrs LIKE"
              " '%Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y3gm1IL%'", "0");
  nhi_store_close(s);
}

static void test_vscode_jsonc(void **state)
{
  struct nhi_mcp_stats st;
  struct nhi_store *s = import(".vscode/mcp.json",
    "{\n  // prompted for\n  \"inputs\": [{\"type\": \"promptString\","
    " \"id\": \"tok\", \"password\": true}],\n"
    "  \"servers\": {\n    \"gh\": {\"command\": \"docker\", \"env\":"
    " {\"GITHUB_TOKEN\": \"${input:tok}\"},},\n"
    "    /* remote */ \"gw\": {\"type\": \"http\", \"url\":"
    " \"http://gw.internal.test/mcp\", \"headers\": {\"X-Api-Key\":"
    " \"Qm7Tz2KvX9pLw4RnYb8cJ3dF\"}},\n  },\n}\n", &st);

  assert_int_equal(st.agents, 2);
  assert_rows(s, "SELECT name, platform, json_extract(attrs, '$.transport'),"
              " json_extract(attrs, '$.plain_http'),"
              " json_extract(attrs, '$.literal_secrets') FROM ai_agents"
              " ORDER BY name",
              "gh|vscode|stdio|0|0\ngw|vscode|http|1|1");
  assert_rows(s, "SELECT json_extract(attrs, '$.env.GITHUB_TOKEN.ref')"
              " FROM ai_agents WHERE name = 'gh'", "${input:tok}");
  /* no rule knows the header's value: its name says it is a key */
  assert_rows(s, "SELECT type, line, json_extract(attrs, '$.mcp_field')"
              " FROM secrets", "generic_secret|6|headers.X-Api-Key");
  nhi_store_close(s);
}

static void test_args_and_reach(void **state)
{
  struct nhi_mcp_stats st;
  struct nhi_store *s = import("claude_desktop_config.json",
    "{\"mcpServers\": {\"fs\": {\"command\": \"npx\", \"args\": [\"-y\","
    " \"@modelcontextprotocol/server-filesystem@0.6.2\", \"/srv/kb\","
    " \"~/Documents\"]}, \"db\": {\"command\": \"npx\", \"args\": [\"-y\","
    " \"@modelcontextprotocol/server-postgres\", \"postgresql://app:"
    "Pq7xK2vL9mR4@db.internal/app\"]}}}", &st);

  assert_rows(s, "SELECT name, platform, data_sources,"
              " json_extract(attrs, '$.unpinned_package') FROM ai_agents"
              " ORDER BY name",
              "db|claude-desktop|NULL|1\n"
              "fs|claude-desktop|[\"/srv/kb\",\"~/Documents\"]|0");
  assert_rows(s, "SELECT json_extract(attrs, '$.args[2]') FROM ai_agents"
              " WHERE name = 'db'",
              "postgresql://app:Pq7x\xe2\x80\xa6R4@db.internal/app");
  nhi_store_close(s);
}

static void test_not_a_config(void **state)
{
  struct nhi_mcp_stats st;
  struct nhi_store *s = import("mcp.json", "{\"name\": \"x\"}", &st);

  assert_int_equal(st.agents, 0);
  assert_rows(s, "SELECT count(*) FROM ai_agents", "0");
  nhi_store_close(s);
  s = import("mcp.json", "not json at all {", &st);
  assert_int_equal(st.agents, 0);
  nhi_store_close(s);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_names),
    cmocka_unit_test(test_cursor_env_secret),
    cmocka_unit_test(test_vscode_jsonc),
    cmocka_unit_test(test_args_and_reach),
    cmocka_unit_test(test_not_a_config),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
