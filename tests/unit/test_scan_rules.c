/* Unit tests for the bundled secret rules: per rule, values of the real
 * shape that must be found and look-alikes that must not. Every value is
 * invented. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "scan.h"

static struct nhi_scan_rules *rules;

static int load_rules(void **state)
{
  const char *home = getenv("NHISCOPE_HOME");
  char path[4096];

  snprintf(path, sizeof path, "%s/plugins/data/secrets/rules.json",
           home ? home : ".");
  if (nhi_scan_rules_load(path, &rules))
    fail_msg("cannot load '%s'", path);
  return 0;
}

static int free_rules(void **state)
{
  nhi_scan_rules_free(rules);
  return 0;
}

/* The types found in text, in order, joined by ','; the caller frees. */
static char *types_in(const char *text, struct nhi_scan_hits *keep)
{
  struct nhi_scan_hits h = { 0 };
  size_t cap = 16, n = 0;
  char *out = malloc(cap);

  assert_non_null(out);
  out[0] = '\0';
  assert_int_equal(nhi_scan_buffer(rules, text, strlen(text), &h), NHI_OK);
  for (size_t i = 0; i < h.count; i++) {
    size_t need = n + strlen(h.items[i].type) + 2;

    if (need > cap) {
      cap = need * 2;
      out = realloc(out, cap);
      assert_non_null(out);
    }
    n += (size_t)sprintf(out + n, "%s%s", i ? "," : "", h.items[i].type);
  }
  if (keep)
    *keep = h;
  else
    nhi_scan_hits_free(&h);
  return out;
}

static void check_types(const char *text, const char *want, int line)
{
  char *got = types_in(text, NULL);

  if (strcmp(got, want))
    fail_msg("line %d: in <%s>\nfound [%s]\nwant  [%s]", line, text, got,
             want);
  free(got);
}

#define expect(text, want) check_types((text), (want), __LINE__)

/* A GitHub-format token: prefix, 30 characters, base62 CRC32 of them. */
static void make_github(const char *prefix, const char *body30, char *out)
{
  static const char digits[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  unsigned long crc = crc32(0L, (const Bytef *)body30, 30);
  size_t n = (size_t)sprintf(out, "%s%.30s", prefix, body30);

  for (int i = 5; i >= 0; i--) {
    out[n + (size_t)i] = digits[crc % 62];
    crc /= 62;
  }
  out[n + 6] = '\0';
}

static void test_aws_key_id(void **state)
{
  expect("key = AKIAQ3EGJ7KZ4WXHBN5M\n", "aws_access_key_id");
  expect("\"ASIAY7KD2MPQ4RXWJ3NB\"", "aws_access_key_id");
  /* the documented example, too short, glued to a word, lower case,
   * a character outside base32, one too long */
  expect("AKIAIOSFODNN7EXAMPLE", "");
  expect("AKIAQ3EGJ7KZ4WXHBN5", "");
  expect("XAKIAQ3EGJ7KZ4WXHBN5M", "");
  expect("akiaq3egj7kz4wxhbn5m", "");
  expect("AKIAQ3EGJ7KZ4WXHB05M", "");
  expect("AKIAQ3EGJ7KZ4WXHBN5MQ", "");
}

static void test_aws_secret_and_pairing(void **state)
{
  struct nhi_scan_hits h = { 0 };
  char *got;

  expect("aws_secret_access_key = vxvONyNCvcIB5ovK1874OU3xfuPTb+0AwZqAWeTa",
         "aws_secret_access_key");
  expect("AWS_SECRET_ACCESS_KEY: \"vxvONyNCvcIB5ovK1874OU3xfuPTb+0AwZqAWeTa\"",
         "aws_secret_access_key");
  /* AWS's documented example, 39 characters, no name before it */
  expect("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
         "");
  expect("aws_secret_access_key = vxvONyNCvcIB5ovK1874OU3xfuPTb+0AwZqAWeT",
         "");
  expect("value = vxvONyNCvcIB5ovK1874OU3xfuPTb+0AwZqAWeTa", "");

  got = types_in("[default]\naws_access_key_id = AKIAQ3EGJ7KZ4WXHBN5M\n"
                 "aws_secret_access_key = "
                 "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\n", &h);
  assert_string_equal(got, "aws_access_key_id,aws_secret_access_key");
  assert_int_equal(h.items[0].line, 2);
  assert_int_equal(h.items[1].line, 3);
  assert_non_null(h.items[0].attrs);
  assert_non_null(h.items[1].attrs);
  assert_non_null(strstr(h.items[0].attrs, h.items[1].fingerprint));
  assert_non_null(strstr(h.items[1].attrs, h.items[0].fingerprint));
  free(got);
  nhi_scan_hits_free(&h);
}

static void test_github_checksum(void **state)
{
  char tok[64];

  /* a token computed outside this code base (Python's zlib.crc32) */
  assert_true(nhi_scan_github_checksum(
    "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", 40));
  assert_false(nhi_scan_github_checksum(
    "ghp_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y3gm1IM", 40));
  assert_false(nhi_scan_github_checksum(
    "ghp_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y3gm1I", 39));
  make_github("gho_", "Eeeby3abP3E2Zs8IQ9Y7aJZqhB6bae", tok);
  assert_string_equal(tok, "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");
  make_github("ghu_", "R7mK2pX9vL4tQ8wZ1nY5cF3hJ6dS0a", tok);
  assert_true(nhi_scan_github_checksum(tok, strlen(tok)));
  tok[10] = tok[10] == 'A' ? 'B' : 'A';
  assert_false(nhi_scan_github_checksum(tok, strlen(tok)));
}

static void test_github_tokens(void **state)
{
  const char *prefixes[] = { "ghp_", "gho_", "ghu_", "ghs_", "ghr_" };
  char tok[64], text[128];

  for (size_t i = 0; i < 5; i++) {
    make_github(prefixes[i], "Zq8RkT2mWv9LpX4nYb7HcJ3dQf6sGa", tok);
    snprintf(text, sizeof text, "GITHUB_TOKEN=%s\n", tok);
    expect(text, "github_token");
    /* one character changed: the checksum no longer holds */
    tok[8] = tok[8] == 'x' ? 'y' : 'x';
    snprintf(text, sizeof text, "GITHUB_TOKEN=%s\n", tok);
    expect(text, "");
  }
  expect("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "");
  expect("github_pat_14an6P6sIO4z1sh0DDxw3U_OjPQ4aeCnhHL5JL0zQmx78Fj603TpVB"
         "hZCSWCkn8QfO7PQD0HtpbJu1DBPs", "github_fine_grained_pat");
  expect("github_pat_14an6P6sIO4z1sh0DDxw3U_OjPQ4aeCnhHL5JL0zQmx78Fj603TpVB",
         "");
}

static void test_gitlab_slack(void **state)
{
  expect("token: glpat-C5IRuX1gbn99BQV1llwG", "gitlab_token");
  expect("glpat-xxxxxxxxxxxxxxxxxxxx", "");
  expect("glpat-short", "");
  expect("SLACK_BOT_TOKEN=xoxb-4829175036-5938204716382-Zq8RkT2mWv9LpX4nYb7H"
         "cJ3d", "slack_token");
  expect("xoxp-4829175036-5938204716-7261538490-a8f3c9d27e4b1f6a0c5d8e2b9f"
         "7a3c1d", "slack_token");
  expect("xoxb-not-a-token", "");
  expect("SLACK_APP_TOKEN=xapp-1-A04K9QZ7M2X-4829175036123-a4c616e8c4bf144d"
         "3334955d46af783b52901a6ccaccdb251bce79793a67c9e2", "slack_token");
  expect("legacy: xoxa-2-4829175036-Zq8RkT2mWv9LpX4nYb7H", "slack_token");
  expect("https://hooks.slack.com/services/T04K9QZ7M/B05R2XW8N/q8RkT2mWv9Lp"
         "X4nYb7HcJ3dQ", "slack_webhook");
  expect("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXX"
         "XXXXXXXXXXXX", "");
}

static void test_stripe_openai_anthropic(void **state)
{
  expect("STRIPE_KEY=sk_live_zbUra8tOBe9JwEqdFkCAleyZChyOuUc5",
         "stripe_secret_key");
  expect("rk_live_Q3662WzGFljPGQqvcVIXBxk48EUZfsdd", "stripe_secret_key");
  expect("sk_test_zbUra8tOBe9JwEqdFkCAleyZChyOuUc5", "");
  expect("pk_live_zbUra8tOBe9JwEqdFkCAleyZChyOuUc5", "");
  expect("OPENAI_API_KEY=sk-proj-9ZRQ28YqvV75MalGBkHvT3BlbkFJgH42yjd429z8de"
         "H99vl5GhjAy9r3", "openai_api_key");
  expect("sk-svcacct--1mm19ABEWrgnwuxA3dBz2TE-_W1lcIPLhu-UfpWPtPRnSeQ",
         "openai_api_key");
  expect("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",
         "openai_api_key");
  expect("OPENAI_ADMIN_KEY=sk-admin-pmPMTVHBWnB_PrRlnRJxMhAByep5Y0sQkAxPx6"
         "jGRKuMM4E2LyrAsBId0m", "openai_api_key");
  expect("OPENAI_API_KEY=sk-proj-your-api-key-here-your-api-key-here-xx",
         "");
  expect("x-api-key: sk-ant-api03-5Zjd2HpwO3YUI6EvDl9PPyWM1y4MSYiKoSBqnGvwP0"
         "mhxfQCFRVnBdfX2iA4uhrZ_3R8s4MgHyJu-BSubLWdmQcIY-PqEAA",
         "anthropic_api_key");
  expect("sk-ant-admin01-0m35pF_BL8wqpYVy-GhtyeDOr3XG24OJT1afjV-D-FWPt2mqKQ"
         "RRHTiNeeOROCHUGBXnCtrGPp2CPjkEhO9zD34zIONEQAA",
         "anthropic_api_key");
  /* the right length without the closing AA */
  expect("sk-ant-api03-5Zjd2HpwO3YUI6EvDl9PPyWM1y4MSYiKoSBqnGvwP0mhxfQCFRVn"
         "BdfX2iA4uhrZ_3R8s4MgHyJu-BSubLWdmQcIY-PqEQB", "");
}

/* The provider_hint attrs of the one hit in text, or "" for none. */
static void check_hint(const char *text, const char *want, int line)
{
  struct nhi_scan_hits h = { 0 };
  char *types = types_in(text, &h);
  const char *attrs = h.count == 1 && h.items[0].attrs ? h.items[0].attrs
                                                         : "";
  const char *at = strstr(attrs, "\"provider_hint\":\"");
  char got[80] = "";

  if (at)
    sscanf(at + strlen("\"provider_hint\":\""), "%79[^\"]", got);
  if (h.count != 1 || strcmp(got, want))
    fail_msg("line %d: in <%s>\nfound [%s] hint [%s]\nwant hint [%s]", line,
             text, types, got, want);
  free(types);
  nhi_scan_hits_free(&h);
}

/* OpenAI and Anthropic keys carry the form their admin APIs show them
 * in (redacted_value, partial_key_hint), and never more of the key. */
static void test_provider_hints(void **state)
{
  check_hint("OPENAI_API_KEY=sk-proj-9ZRQ28YqvV75MalGBkHvT3BlbkFJgH42yjd429"
             "z8deH99vl5GhjAy9r3", "sk-proj-****y9r3", __LINE__);
  check_hint("sk-svcacct--1mm19ABEWrgnwuxA3dBz2TE-_W1lcIPLhu-UfpWPtPRnSeQ",
             "sk-svcacct-****nSeQ", __LINE__);
  check_hint("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",
             "sk-****2Htc", __LINE__);
  check_hint("KEY=sk-admin-pmPMTVHBWnB_PrRlnRJxMhAByep5Y0sQkAxPx6jGRKuMM4E2"
             "LyrAsBId0m", "sk-admin-****Id0m", __LINE__);
  check_hint("x-api-key: sk-ant-api03-5Zjd2HpwO3YUI6EvDl9PPyWM1y4MSYiKoSBqn"
             "GvwP0mhxfQCFRVnBdfX2iA4uhrZ_3R8s4MgHyJu-BSubLWdmQcIY-PqEAA",
             "sk-ant-api03-5Zj...qEAA", __LINE__);
  check_hint("sk-ant-admin01-0m35pF_BL8wqpYVy-GhtyeDOr3XG24OJT1afjV-D-FWPt2"
             "mqKQRRHTiNeeOROCHUGBXnCtrGPp2CPjkEhO9zD34zIONEQAA",
             "sk-ant-admin01-0m3...EQAA", __LINE__);
  /* a rule without a hint gives none */
  check_hint("STRIPE_KEY=sk_live_zbUra8tOBe9JwEqdFkCAleyZChyOuUc5", "",
             __LINE__);
}

static void test_google_gcp(void **state)
{
  struct nhi_scan_hits h = { 0 };
  char *got;

  expect("key=AIzaMKaC7Hx9CfoxsjtQl15PNqwklpOLC1fApOh", "google_api_key");
  expect("AIzaMKaC7Hx9CfoxsjtQl15PNqwklpOLC1fAp", "");
  got = types_in(
    "{\n  \"type\": \"service_account\",\n"
    "  \"project_id\": \"northwind-data\",\n"
    "  \"private_key_id\": \"29629fa947bab3ae8e9ea7c72bb0bcc6bc4552e9\",\n"
    "  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nErrIVKmLfQnsbZ7yd"
    "EcJM7w2z4eDPNjRUySuNZpMdzX+phBzSp6RHnZ7U1ylvVrK\\nrKfIXGY6JM0QJGAjYCz"
    "xAc2OrOBuQ4q/Kdedp9dx8k9HDoxFu1myUbEw1QJbmcho\\n-----END PRIVATE KEY-"
    "----\\n\",\n"
    "  \"client_email\": \"etl@northwind-data.iam.gserviceaccount.com\"\n"
    "}\n", &h);
  assert_string_equal(got, "gcp_service_account_key");
  assert_int_equal(h.items[0].line, 4);
  assert_non_null(strstr(h.items[0].attrs, "etl@northwind-data"));
  assert_string_equal(h.items[0].preview, "2962\xe2\x80\xa6" "e9");
  free(got);
  nhi_scan_hits_free(&h);
  /* a service-account file without a key is not a key */
  expect("{\"type\": \"service_account\", \"project_id\": \"x\"}", "");
}

static void test_azure(void **state)
{
  expect("DefaultEndpointsProtocol=https;AccountName=northwindlogs;AccountKe"
         "y=XZEKpHgltNpQN9hcyC1j6TYchRpN9n/RFo2EDUWup6Pm1CXWZhrCu95nKnyL/7s"
         "/rapdkazYab31V5Kqn6eo6e==;EndpointSuffix=core.windows.net",
         "azure_storage_key");
  expect("DefaultEndpointsProtocol=https;AccountName=devstoreaccount1;Accou"
         "ntKey=short==", "");
  expect("\"ClientSecret\": \"4pv8Q~SszWV5CxIVE6rwFQ6jJFkuHrwXrkHbGUzE\"",
         "azure_client_secret");
  expect("AZURE_CLIENT_SECRET=Hk3fLq9ZtW2vRx7NmB4cJ8dYp6sQe1aUo5iGh0KjT",
         "azure_client_secret");
  expect("client_secret = ${AZURE_CLIENT_SECRET}", "");
}

static void test_private_keys(void **state)
{
  static const char body[] =
    "ErrIVKmLfQnsbZ7ydEcJM7w2z4eDPNjRUySuNZpMdzX+phBzSp6RHnZ7U1ylvVrK\n"
    "rKfIXGY6JM0QJGAjYCzxAc2OrOBuQ4q/Kdedp9dx8k9HDoxFu1myUbEw1QJbmcho\n";
  const char *kinds[] = { "RSA ", "EC ", "OPENSSH ", "DSA ", "ENCRYPTED ",
                          "" };
  char text[512], want[64];
  struct nhi_scan_hits h = { 0 };
  char *got;

  for (size_t i = 0; i < 6; i++) {
    snprintf(text, sizeof text, "-----BEGIN %sPRIVATE KEY-----\n%s"
             "-----END %sPRIVATE KEY-----\n", kinds[i], body, kinds[i]);
    got = types_in(text, &h);
    assert_string_equal(got, "private_key");
    snprintf(want, sizeof want, "{\"key_kind\":\"%.*s\"}",
             i < 5 ? (int)strlen(kinds[i]) - 1 : 6,
             i < 5 ? kinds[i] : "PKCS#8");
    assert_string_equal(h.items[0].attrs, want);
    free(got);
    nhi_scan_hits_free(&h);
  }
  expect("-----BEGIN PUBLIC KEY-----\nErrIVKmLfQnsbZ7ydEcJM7w2z4eDPNjRUySuN"
         "ZpMdzX+phBzSp6RHnZ7U1ylvVrK\n-----END PUBLIC KEY-----\n", "");
  expect("-----BEGIN RSA PRIVATE KEY-----\n...\n"
         "-----END RSA PRIVATE KEY-----\n", "");
}

static void test_jwt(void **state)
{
  struct nhi_scan_hits h = { 0 };
  char *got = types_in(
    "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOi"
    "JodHRwczovL2F1dGgubm9ydGh3aW5kLXJvYm90aWNzLnRlc3QiLCJzdWIiOiJzdmMtZXR"
    "sIiwiZXhwIjoxNzk4NzYxNjAwfQ.2S7Kb2s8dAgAZDeA3ICsVS_hwoihgH-_95qi0mBx3"
    "k1\n", &h);

  assert_string_equal(got, "jwt");
  assert_non_null(strstr(h.items[0].attrs,
                         "\"iss\":\"https://auth.northwind-robotics.test\""));
  assert_non_null(strstr(h.items[0].attrs,
                         "\"exp\":\"2027-01-01T00:00:00Z\""));
  assert_non_null(strstr(h.items[0].attrs, "\"alg\":\"HS256\""));
  assert_int_equal(h.items[0].validated, 1);
  free(got);
  nhi_scan_hits_free(&h);
  /* base64url that is not JSON */
  expect("eyJub3QganNvbiBhdCBhbGw.eyJhbHNvIG5vdCBqc29u.c2lnbmF0dXJlc2lnbmF0"
         "dXJl", "");
}

static void test_npm_pypi(void **state)
{
  struct nhi_scan_hits h = { 0 };
  char *got = types_in("//registry.npmjs.org/:_authToken="
                       "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\n", &h);

  assert_string_equal(got, "npm_token");
  assert_int_equal(h.items[0].validated, 1);
  free(got);
  nhi_scan_hits_free(&h);
  expect("password = pypi-AgEIcHlwaS5vcmcdjZYOZUOVP571YXs34DSZ9BKUlzzjQhh-H"
         "9FvRusXnJlJfbNslCxfAAt_xc1", "pypi_token");
  expect("pypi-AgEIcHlwaS5vcmc", "");
}

static void test_database_urls(void **state)
{
  expect("DATABASE_URL=postgres://app:Pq7xK2vL9mR4@db.internal:5432/app",
         "database_password");
  expect("mongodb+srv://etl:w8Jk2LmQ9xZ3@cluster0.mongo.test/db",
         "database_password");
  expect("redis://:Hn4kT8pW2qZx@cache.internal:6379", "database_password");
  expect("postgres://user:password@localhost/db", "");
  expect("postgres://app:${DB_PASSWORD}@db/app", "");
  expect("postgres://db.internal:5432/app", "");
  expect("mysql://root:changeme@localhost/test", "");
}

static void test_generic(void **state)
{
  expect("password = \"Tr0ub4dor&3xQ\"", "generic_secret");
  expect("API_KEY: 9f2Kd7Lq3Xz8Vw1N", "generic_secret");
  expect("password = os.environ[\"DB_PASSWORD\"]", "");
  expect("password: changeme", "");
  expect("password = self.password", "");
  expect("secret_key = your-secret-key-here", "");
  expect("token = getToken()", "");
  expect("const secret = process.env.ORDER_SECRET;", "");
  expect("password = config.db.v2.password", "");
  expect("password=Summer2024x", "generic_secret");
  /* a Secrets Manager ARN names a secret; it does not assign one */
  expect("\"Resource\": \"arn:aws:secretsmanager:eu-central-1:"
         "412398765001:secret:prod/slack-webhook-Hn4cWd\"", "");
  /* a specific rule's secret is not a generic one too */
  expect("api_key = \"sk_live_zbUra8tOBe9JwEqdFkCAleyZChyOuUc5\"",
         "stripe_secret_key");
}

static void test_placeholders_and_entropy(void **state)
{
  assert_true(nhi_scan_is_placeholder(rules, "AKIAIOSFODNN7EXAMPLE", 20));
  assert_true(nhi_scan_is_placeholder(rules, "your-api-key-here", 17));
  assert_true(nhi_scan_is_placeholder(rules, "xxxxxxxxxxxx", 12));
  assert_true(nhi_scan_is_placeholder(rules, "CHANGEME", 8));
  assert_true(nhi_scan_is_placeholder(rules, "<your token>", 12));
  assert_false(nhi_scan_is_placeholder(rules, "Pq7xK2vL9mR4", 12));
  assert_true(nhi_scan_entropy("aaaa", 4) < 0.001);
  assert_true(nhi_scan_entropy("abcd", 4) > 1.999);
}

static void test_rules_file_errors(void **state)
{
  struct nhi_scan_rules *set = NULL;

  assert_int_equal(nhi_scan_rules_parse("{\"rules\": [{\"id\": \"x\", "
                   "\"keywords\": [\"k\"], \"pattern\": \"(\"}]}", "t.json",
                   &set), NHI_ERR_INPUT);
  assert_null(set);
  assert_int_equal(nhi_scan_rules_parse("{\"rules\": [{\"id\": \"x\", "
                   "\"keywords\": [\"k\"], \"colour\": 1, \"pattern\": "
                   "\"k\"}]}", "t.json", &set), NHI_ERR_INPUT);
  assert_int_equal(nhi_scan_rules_parse("{\"rules\": [{\"id\": \"x\", "
                   "\"keywords\": [], \"pattern\": \"k\"}]}", "t.json",
                   &set), NHI_ERR_INPUT);
}

/* A user's rules file adds a rule and replaces one by id. */
static void test_rules_extend(void **state)
{
  struct nhi_scan_rules *set = NULL;
  struct nhi_scan_hits h = { 0 };
  static const char text[] = "NWR-7f3kQ9zL2x and AKIAQ3EGJ7KZ4WXHBN5M";

  assert_int_equal(nhi_scan_rules_parse("{\"rules\": [{\"id\": \"aws-access"
                   "-key-id\", \"keywords\": [\"AKIA\"], \"token\": {\"charset"
                   "\": \"A-Z2-7\", \"min\": 16, \"max\": 16}}]}", "a.json",
                   &set), NHI_OK);
  assert_int_equal(nhi_scan_rules_parse("{\"rules\": [{\"id\": \"northwind"
                   "\", \"type\": \"internal_token\", \"keywords\": "
                   "[\"NWR-\"],"
                   " \"token\": {\"charset\": \"A-Za-z0-9\", \"min\": 10, "
                   "\"max\": 10}}]}", "b.json", &set), NHI_OK);
  assert_int_equal(nhi_scan_rules_count(set), 2);
  assert_int_equal(nhi_scan_buffer(set, text, strlen(text), &h), NHI_OK);
  assert_int_equal(h.count, 2);
  assert_string_equal(h.items[0].type, "internal_token");
  assert_string_equal(h.items[1].rule, "aws-access-key-id");
  nhi_scan_hits_free(&h);
  nhi_scan_rules_free(set);
}

/* Keywords are found whatever their case; the pattern then decides. */
static void test_keyword_case(void **state)
{
  expect("PASSWORD=Tr0ub4dor&3xQ", "generic_secret");
  expect("Password: Tr0ub4dor&3xQ", "generic_secret");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_aws_key_id),
    cmocka_unit_test(test_aws_secret_and_pairing),
    cmocka_unit_test(test_github_checksum),
    cmocka_unit_test(test_github_tokens),
    cmocka_unit_test(test_gitlab_slack),
    cmocka_unit_test(test_stripe_openai_anthropic),
    cmocka_unit_test(test_provider_hints),
    cmocka_unit_test(test_google_gcp),
    cmocka_unit_test(test_azure),
    cmocka_unit_test(test_private_keys),
    cmocka_unit_test(test_jwt),
    cmocka_unit_test(test_npm_pypi),
    cmocka_unit_test(test_database_urls),
    cmocka_unit_test(test_generic),
    cmocka_unit_test(test_placeholders_and_entropy),
    cmocka_unit_test(test_rules_file_errors),
    cmocka_unit_test(test_rules_extend),
    cmocka_unit_test(test_keyword_case),
  };

  return cmocka_run_group_tests(tests, load_rules, free_rules);
}
