/* Unit tests for the CloudTrail field reader: the fields it keeps, and
 * that it accepts, refuses and stops where cJSON does. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "trail_fields.h"

/* Reads text (copied, as the reader decodes in place); returns the
 * reader's status, with the copy in *buf for the fields to point into. */
static int read_copy(const char *text, char **buf,
                     struct nhi_trail_fields *f, size_t *stop)
{
  size_t len = strlen(text);

  *buf = malloc(len + 1);
  assert_non_null(*buf);
  memcpy(*buf, text, len + 1);
  *stop = 0;
  return nhi_trail_fields_read(*buf, len, f, stop);
}

static void expect_field(const struct nhi_trail_fields *f,
                         enum nhi_trail_field which, const char *want)
{
  if (!want)
    assert_null(f->v[which]);
  else
    assert_string_equal(f->v[which], want);
}

static void test_fields_of_a_record(void **state)
{
  static const char rec[] =
    "{\"eventVersion\":\"1.10\",\"userIdentity\":{\"type\":\"AssumedRole\","
    "\"principalId\":\"AROA1:s\",\"arn\":\"arn:aws:sts::1:assumed-role/r/s\","
    "\"accountId\":\"1\",\"sessionContext\":{\"sessionIssuer\":{\"type\":"
    "\"Role\",\"arn\":\"arn:aws:iam::1:role/r\"},\"attributes\":{}}},"
    "\"eventTime\":\"2026-11-23T16:00:01Z\",\"eventSource\":"
    "\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"awsRegion\":"
    "\"eu-west-1\",\"sourceIPAddress\":\"10.1.2.3\",\"userAgent\":"
    "\"[aws-cli/2.15 \\\"quoted\\\"]\",\"requestParameters\":{\"bucketName\":"
    "\"b\",\"key\":\"a\\/b\\u00e9\\ud83d\\ude00\"},\"resources\":[{\"type\":"
    "\"AWS::S3::Object\"},{\"ARN\":7},{\"ARN\":\"arn:aws:s3:::b/x\"},{\"ARN\":"
    "\"arn:aws:s3:::b\"}],\"readOnly\":true,\"n\":-1.5e3,\"z\":null,"
    "\"recipientAccountId\":\"1\"}";
  struct nhi_trail_fields f;
  size_t stop;
  char *buf;

  (void)state;
  assert_int_equal(read_copy(rec, &buf, &f, &stop), 0);
  expect_field(&f, NHI_TF_UID_TYPE, "AssumedRole");
  expect_field(&f, NHI_TF_ISSUER_ARN, "arn:aws:iam::1:role/r");
  expect_field(&f, NHI_TF_UID_ARN, "arn:aws:sts::1:assumed-role/r/s");
  expect_field(&f, NHI_TF_TIME, "2026-11-23T16:00:01Z");
  expect_field(&f, NHI_TF_AGENT, "[aws-cli/2.15 \"quoted\"]");
  expect_field(&f, NHI_TF_KEY, "a/b\xc3\xa9\xf0\x9f\x98\x80");
  expect_field(&f, NHI_TF_RESOURCE_ARN, "arn:aws:s3:::b/x");
  expect_field(&f, NHI_TF_ACCOUNT, "1");
  expect_field(&f, NHI_TF_ERROR, NULL);
  expect_field(&f, NHI_TF_CONSOLE_LOGIN, NULL);
  free(buf);
}

/* The first occurrence of a key counts, as with cJSON's lookups; a
 * value of another type is no field; arrays and look-alike nesting do
 * not count. */
static void test_first_occurrence_and_types(void **state)
{
  struct nhi_trail_fields f;
  size_t stop;
  char *buf;

  (void)state;
  assert_int_equal(read_copy("{\"eventName\":1,\"eventName\":\"Later\","
                             "\"userIdentity\":[{\"type\":\"IAMUser\"}],"
                             "\"x\":{\"eventSource\":\"nested\"},"
                             "\"responseElements\":{\"ConsoleLogin\":"
                             "\"Failure\"},\"userIdentity\":{\"type\":"
                             "\"Root\"}}", &buf, &f, &stop), 0);
  expect_field(&f, NHI_TF_NAME, NULL);
  expect_field(&f, NHI_TF_UID_TYPE, NULL);
  expect_field(&f, NHI_TF_SOURCE, NULL);
  expect_field(&f, NHI_TF_CONSOLE_LOGIN, "Failure");
  free(buf);
  assert_int_equal(read_copy("[{\"eventName\":\"x\"}]", &buf, &f, &stop), 0);
  expect_field(&f, NHI_TF_NAME, NULL);
  free(buf);
}

/* Valid or not, and where it stopped, compared with cJSON's verdict on
 * the same text. */
static void expect_like_cjson(const char *text)
{
  const char *end = NULL;
  cJSON *tree = cJSON_ParseWithLengthOpts(text, strlen(text) + 1, &end, 1);
  struct nhi_trail_fields f;
  size_t stop;
  char *buf;
  int rc = read_copy(text, &buf, &f, &stop);

  if (tree && rc)
    fail_msg("'%s': refused at %zu, cJSON reads it", text, stop);
  if (!tree && !rc)
    fail_msg("'%s': read, cJSON refuses it", text);
  if (!tree) {
    assert_non_null(end);
    if (stop != (size_t)(end - text))
      fail_msg("'%s': stopped at %zu, cJSON at %zu", text, stop,
               (size_t)(end - text));
  }
  cJSON_Delete(tree);
  free(buf);
}

static void test_accepts_and_refuses_as_cjson(void **state)
{
  static const char *const cases[] = {
    "{}", " {\"a\" : [ 1 , -2.5e-3 , true , false , null , \"s\" ] } ",
    "{\"a\":{\"b\":{\"c\":[[],{}]}}}", "\"text\"", "12",
    "{\"a\":1 \"b\":2}", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":}", "{a:1}",
    "{\"a\":[1,2}", "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12G4\"}",
    "{\"a\":\"\\ud83d\"}", "{\"a\":\"unended}", "{\"a\":1}}", "{\"a\":-}",
    "{\"a\":1.2.3}", "{\"a\":01}", "", "   ", "{\"a\":[1,]}", "[1 2]",
    "{\"resources\":[{\"ARN\":\"x\"},]}", "{\"eventTime\":\"t\"} x",
    "{\"a\":\"\\u12\"}", "{\"a\":\"x\\", "\"\\\\\"", "{\"a\":\"\\u00e9\\/\"}",
    "{\"a\":\"\\ud83d\\u0041\"}", "{\"a\":\"\\ud83d\\ude00\"}", "\"\\q\"",
  };

  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    expect_like_cjson(cases[i]);
}

/* Nesting beyond cJSON's limit is refused, as cJSON refuses it. */
static void test_nesting_limit(void **state)
{
  size_t n = 1200;
  char *deep = malloc(2 * n + 1);

  (void)state;
  assert_non_null(deep);
  memset(deep, '[', n);
  memset(deep + n, ']', n);
  deep[2 * n] = '\0';
  expect_like_cjson(deep);
  free(deep);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_fields_of_a_record),
    cmocka_unit_test(test_first_occurrence_and_types),
    cmocka_unit_test(test_accepts_and_refuses_as_cjson),
    cmocka_unit_test(test_nesting_limit),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
