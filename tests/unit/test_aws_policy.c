/* Unit tests for decoding and reading AWS IAM policy documents. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "aws_policy.h"

static void test_percent_decode(void **state)
{
  size_t len = 0, bad = 0;
  char *out = NULL;

  assert_int_equal(nhi_aws_percent_decode("%7B%22a%22%3a%20%22b+c%22%7d",
                                          &out, &len, &bad), NHI_OK);
  assert_string_equal(out, "{\"a\": \"b+c\"}");
  assert_int_equal(len, 12);
  free(out);
  assert_int_equal(nhi_aws_percent_decode("", &out, &len, &bad), NHI_OK);
  assert_string_equal(out, "");
  free(out);
}

/* in must be refused, naming the escape at byte offset at. */
static void check_bad_escape(const char *in, size_t at)
{
  size_t len = 0, bad = 99;
  char *out = NULL;

  if (nhi_aws_percent_decode(in, &out, &len, &bad) != NHI_ERR_INPUT)
    fail_msg("'%s' was accepted", in);
  if (out || bad != at)
    fail_msg("'%s': expected the bad escape at %zu, got %zu", in, at, bad);
}

static void test_percent_decode_rejects_bad_escapes(void **state)
{
  check_bad_escape("%", 0);
  check_bad_escape("%7", 0);
  check_bad_escape("%7B%2", 3);
  check_bad_escape("%7B%G1", 3);
  check_bad_escape("%7B%1G", 3);
  check_bad_escape("ab%00cd", 2);
  check_bad_escape("%%41", 0);
}

/* Loads {"Doc": value} and returns the reason it was refused, or "ok"
 * and the document printed compactly. */
static char *load(const char *value_json)
{
  char *text = malloc(strlen(value_json) + 16), *why = NULL, *out = NULL;
  cJSON *parent, *doc = NULL;
  enum nhi_rc rc;

  if (!text)
    fail_msg("out of memory");
  strcpy(text, "{\"Doc\": ");
  strcat(text, value_json);
  strcat(text, "}");
  parent = cJSON_Parse(text);
  free(text);
  if (!parent)
    fail_msg("bad test input: %s", value_json);
  rc = nhi_aws_policy_load(parent, "Doc", &doc, &why);
  if (rc == NHI_OK) {
    if (doc != cJSON_GetObjectItemCaseSensitive(parent, "Doc"))
      fail_msg("the document is not held by its parent");
    out = cJSON_PrintUnformatted(doc);
  } else if (rc == NHI_ERR_INPUT && why && !doc) {
    out = strdup(why);
  } else {
    fail_msg("unexpected result %d for %s", rc, value_json);
  }
  free(why);
  cJSON_Delete(parent);
  return out;
}

#define assert_load(value, want)                                          \
  do {                                                                    \
    char *got_ = load(value);                                             \
    if (strcmp(got_, (want)) != 0)                                        \
      fail_msg("%s\n  expected %s\n  got      %s", (value), (want), got_); \
    free(got_);                                                           \
  } while (0)

static void test_load_three_forms(void **state)
{
  const char *want = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\""
                     ":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}";

  assert_load("{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": "
              "\"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}", want);
  assert_load("\"%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement"
              "%22%3A%20%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Action%22"
              "%3A%20%22s3%3A%2A%22%2C%20%22Resource%22%3A%20%22%2A%22%7D"
              "%7D\"", want);
  assert_load("\"%0A%7B%22Version%22%3A%222012-10-17%22%2C%22Statement"
              "%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A"
              "*%22%2C%22Resource%22%3A%22*%22%7D%7D%0A\"", want);
  assert_load("\"\\n {\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement"
              "\\\": {\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": "
              "\\\"s3:*\\\", \\\"Resource\\\": \\\"*\\\"}}\"", want);
  assert_load("{\"Version\": \"2012-10-17\"}", "{\"Version\":\"2012-10-17\"}");
}

static void test_load_refuses_what_is_no_document(void **state)
{
  assert_load("null", "missing");
  assert_load("12", "expected a JSON object, or a string holding one as "
              "JSON text or URL-encoded JSON");
  assert_load("\"Allow everything\"", "expected a JSON object, or a string "
              "holding one as JSON text or URL-encoded JSON");
  assert_load("\"%5B%5D\"", "URL-decoded document is JSON but not an "
              "object");
  assert_load("\"[{}]\"", "expected a JSON object, or a string holding "
              "one as JSON text or URL-encoded JSON");
  assert_load("\"%7B%22a%22%3A%zz%7D\"", "URL-encoded document: invalid "
              "percent-escape at character 14");
  assert_load("\"%7B%22a%22%3A\"", "URL-decoded document: line 1, column 6:"
              " unexpected end of input");
  assert_load("\"%7B%22a%22%3A%22b%7D\"", "URL-decoded document: line 1, "
              "column 6: unexpected end of input (string not closed)");
  assert_load("\"{\\\"Statement\\\": []} x\"", "document: line 1, column 19:"
              " unexpected 'x'");
  assert_load("\"{\\\"a\\\":\\n\\u007f}\"", "document: line 2, column 1: "
              "unexpected byte 0x7f");
}

static void test_load_checks_statements(void **state)
{
  assert_load("{\"Statement\": \"Allow\"}",
              "Statement: expected an object or an array");
  assert_load("{\"Statement\": [{\"Effect\": \"Allow\"}, 3]}",
              "Statement[1]: expected an object");
  assert_load("{\"Statement\": [{\"Effect\": \"allow\"}]}",
              "Statement[0].Effect: expected \"Allow\" or \"Deny\"");
  assert_load("{\"Statement\": {\"Action\": \"s3:*\"}}",
              "Statement.Effect: expected \"Allow\" or \"Deny\"");
  assert_load("{\"Statement\": [{\"Effect\": \"Allow\", \"NotResource\": "
              "[\"a\", 1]}]}",
              "Statement[0].NotResource: expected a string or an array of "
              "strings");
  assert_load("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": "
              "\"arn:aws:iam::111122223333:root\"}}",
              "Statement.Principal: expected \"*\" or an object");
  assert_load("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": "
              "{\"Users\": \"x\"}}}",
              "Statement.Principal.Users: unknown principal type");
  assert_load("{\"Statement\": {\"Effect\": \"Deny\", \"NotPrincipal\": "
              "{\"AWS\": {\"a\": 1}}}}",
              "Statement.NotPrincipal.AWS: expected a string or an array of "
              "strings");
  assert_load("{\"Statement\": {\"Effect\": \"Allow\", \"Condition\": []}}",
              "Statement.Condition: expected an object");
  assert_load("{\"Statement\": {\"Effect\": \"Allow\", \"Sid\": 1}}",
              "Statement.Sid: expected a string");
}

static void test_statements_and_lists(void **state)
{
  cJSON *doc = cJSON_Parse("{\"Statement\": [{\"Effect\": \"Deny\", "
                           "\"Action\": \"s3:*\"}, {\"Effect\": \"Allow\", "
                           "\"Action\": [\"a:b\", \"c:*\"]}]}");
  const cJSON *st;
  char *text;

  assert_non_null(doc);
  st = nhi_aws_policy_next(doc, NULL);
  assert_false(nhi_aws_policy_allows(st));
  text = nhi_aws_policy_list(cJSON_GetObjectItem(st, "Action"));
  assert_string_equal(text, "[\"s3:*\"]");
  cJSON_free(text);
  st = nhi_aws_policy_next(doc, st);
  assert_true(nhi_aws_policy_allows(st));
  text = nhi_aws_policy_list(cJSON_GetObjectItem(st, "Action"));
  assert_string_equal(text, "[\"a:b\",\"c:*\"]");
  cJSON_free(text);
  assert_null(nhi_aws_policy_next(doc, st));
  assert_null(nhi_aws_policy_list(NULL));
  cJSON_Delete(doc);

  doc = cJSON_Parse("{\"Statement\": {\"Effect\": \"Allow\"}}");
  st = nhi_aws_policy_next(doc, NULL);
  assert_ptr_equal(st, cJSON_GetObjectItem(doc, "Statement"));
  assert_null(nhi_aws_policy_next(doc, st));
  cJSON_Delete(doc);

  doc = cJSON_Parse("{\"Version\": \"2012-10-17\"}");
  assert_null(nhi_aws_policy_next(doc, NULL));
  cJSON_Delete(doc);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_percent_decode),
    cmocka_unit_test(test_percent_decode_rejects_bad_escapes),
    cmocka_unit_test(test_load_three_forms),
    cmocka_unit_test(test_load_refuses_what_is_no_document),
    cmocka_unit_test(test_load_checks_statements),
    cmocka_unit_test(test_statements_and_lists),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
