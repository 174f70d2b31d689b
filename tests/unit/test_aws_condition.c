/* Unit tests for IAM condition operators over a request context. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "aws_condition.h"

/* The context the tests share: complete unless a test says otherwise. */
static void setup_ctx(struct nhi_aws_context *c, int complete)
{
  nhi_aws_context_init(c, complete);
  if (nhi_aws_context_add(c, "aws:PrincipalAccount", "111122223333") ||
      nhi_aws_context_add(c, "aws:username", "alice") ||
      nhi_aws_context_add(c, "aws:SourceIp", "203.0.113.7") ||
      nhi_aws_context_add(c, "aws:MultiFactorAuthPresent", "true") ||
      nhi_aws_context_add(c, "aws:MultiFactorAuthAge", "300") ||
      nhi_aws_context_add(c, "aws:CurrentTime", "2026-12-01T09:00:00Z") ||
      nhi_aws_context_add(c, "aws:TagKeys", "env") ||
      nhi_aws_context_add(c, "aws:TagKeys", "team") ||
      nhi_aws_context_add(c, "aws:SourceArn",
                          "arn:aws:sns:us-east-1:111122223333:topic") ||
      nhi_aws_context_add(c, "aws:PrincipalTag/team", "data") ||
      nhi_aws_context_add(c, "s3:prefix", "home/alice/docs"))
    fail_msg("out of memory");
}

/* Evaluates the condition block cond (JSON) against c. */
static enum nhi_aws_tri eval_in(const struct nhi_aws_context *c,
                                const char *cond)
{
  cJSON *j = cJSON_Parse(cond);
  enum nhi_aws_tri out = NHI_AWS_UNKNOWN;

  if (!j)
    fail_msg("test condition is not JSON: %s", cond);
  if (nhi_aws_condition_eval(j, c, &out, NULL))
    fail_msg("out of memory");
  cJSON_Delete(j);
  return out;
}

static void expect(const char *cond, enum nhi_aws_tri want)
{
  struct nhi_aws_context c;
  enum nhi_aws_tri got;

  setup_ctx(&c, 1);
  got = eval_in(&c, cond);
  nhi_aws_context_free(&c);
  if (got != want)
    fail_msg("%s: expected %s, got %s", cond,
             want == NHI_AWS_YES ? "true" : want == NHI_AWS_NO ? "false"
                                                              : "unknown",
             got == NHI_AWS_YES ? "true" : got == NHI_AWS_NO ? "false"
                                                            : "unknown");
}

static void expect_partial(const char *cond, enum nhi_aws_tri want)
{
  struct nhi_aws_context c;
  enum nhi_aws_tri got;

  setup_ctx(&c, 0);
  got = eval_in(&c, cond);
  nhi_aws_context_free(&c);
  if (got != want)
    fail_msg("%s (partial context): expected %d, got %d", cond, want, got);
}

static void test_string_operators(void **state)
{
  expect("{\"StringEquals\":{\"aws:username\":\"alice\"}}", NHI_AWS_YES);
  expect("{\"StringEquals\":{\"aws:username\":\"Alice\"}}", NHI_AWS_NO);
  expect("{\"StringEqualsIgnoreCase\":{\"aws:username\":\"ALICE\"}}",
         NHI_AWS_YES);
  expect("{\"StringEquals\":{\"aws:username\":[\"bob\",\"alice\"]}}",
         NHI_AWS_YES);
  expect("{\"StringLike\":{\"s3:prefix\":\"home/*/docs\"}}", NHI_AWS_YES);
  expect("{\"StringLike\":{\"s3:prefix\":\"home/?lice*\"}}", NHI_AWS_YES);
  expect("{\"StringLike\":{\"s3:prefix\":\"Home/*\"}}", NHI_AWS_NO);
  expect("{\"StringEquals\":{\"aws:username\":\"al*\"}}", NHI_AWS_NO);
}

static void test_negated_operators_need_every_value_to_miss(void **state)
{
  expect("{\"StringNotEquals\":{\"aws:username\":[\"bob\",\"carol\"]}}",
         NHI_AWS_YES);
  expect("{\"StringNotEquals\":{\"aws:username\":[\"bob\",\"alice\"]}}",
         NHI_AWS_NO);
  expect("{\"StringNotLike\":{\"s3:prefix\":\"home/bob/*\"}}", NHI_AWS_YES);
  expect("{\"NotIpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}",
         NHI_AWS_NO);
}

static void test_absent_key(void **state)
{
  expect("{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-1\"}}", NHI_AWS_NO);
  expect("{\"StringNotEquals\":{\"aws:PrincipalOrgID\":\"o-1\"}}",
         NHI_AWS_YES);
  expect("{\"StringEqualsIfExists\":{\"aws:PrincipalOrgID\":\"o-1\"}}",
         NHI_AWS_YES);
  expect("{\"StringEqualsIfExists\":{\"aws:username\":\"bob\"}}",
         NHI_AWS_NO);
  expect("{\"BoolIfExists\":{\"aws:SecureTransport\":\"false\"}}",
         NHI_AWS_YES);
}

static void test_null_operator(void **state)
{
  expect("{\"Null\":{\"aws:PrincipalOrgID\":\"true\"}}", NHI_AWS_YES);
  expect("{\"Null\":{\"aws:PrincipalOrgID\":\"false\"}}", NHI_AWS_NO);
  expect("{\"Null\":{\"aws:username\":\"false\"}}", NHI_AWS_YES);
  expect("{\"Null\":{\"aws:username\":true}}", NHI_AWS_NO);
}

static void test_set_operators(void **state)
{
  expect("{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"team\"]}}",
         NHI_AWS_YES);
  expect("{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"cost\"]}}",
         NHI_AWS_NO);
  expect("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":"
         "[\"env\",\"team\",\"cost\"]}}", NHI_AWS_YES);
  expect("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"env\"]}}",
         NHI_AWS_NO);
  expect("{\"ForAllValues:StringEquals\":{\"aws:RequestTag/x\":[\"a\"]}}",
         NHI_AWS_YES);
  expect("{\"ForAnyValue:StringEquals\":{\"aws:RequestTag/x\":[\"a\"]}}",
         NHI_AWS_NO);
  expect("{\"ForAnyValue:StringNotEquals\":{\"aws:TagKeys\":[\"env\"]}}",
         NHI_AWS_YES);
  expect("{\"ForAllValues:StringNotEquals\":{\"aws:TagKeys\":[\"env\"]}}",
         NHI_AWS_NO);
  expect("{\"ForAllValues:StringLike\":{\"aws:TagKeys\":[\"e*\",\"t*\"]}}",
         NHI_AWS_YES);
}

static void test_numeric_date_bool(void **state)
{
  expect("{\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"3600\"}}",
         NHI_AWS_YES);
  expect("{\"NumericGreaterThan\":{\"aws:MultiFactorAuthAge\":3600}}",
         NHI_AWS_NO);
  expect("{\"NumericEquals\":{\"aws:MultiFactorAuthAge\":\"3e2\"}}",
         NHI_AWS_YES);
  expect("{\"NumericEquals\":{\"aws:username\":\"1\"}}", NHI_AWS_NO);
  expect("{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2026-01-01\"}}",
         NHI_AWS_YES);
  expect("{\"DateLessThan\":{\"aws:CurrentTime\":"
         "\"2026-12-01T10:00:00+02:00\"}}", NHI_AWS_NO);
  expect("{\"DateEquals\":{\"aws:CurrentTime\":\"1796115600\"}}",
         NHI_AWS_YES);
  expect("{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}",
         NHI_AWS_YES);
  expect("{\"Bool\":{\"aws:MultiFactorAuthPresent\":false}}", NHI_AWS_NO);
}

static void test_ip_addresses(void **state)
{
  struct nhi_aws_context c;

  expect("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}",
         NHI_AWS_YES);
  expect("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.112.0/24\"}}",
         NHI_AWS_NO);
  expect("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.7\"}}",
         NHI_AWS_YES);
  expect("{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.6/31\"}}",
         NHI_AWS_YES);
  expect("{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::/32\"}}",
         NHI_AWS_NO);
  nhi_aws_context_init(&c, 1);
  if (nhi_aws_context_add(&c, "aws:SourceIp", "2001:db8:1::5"))
    fail_msg("out of memory");
  if (eval_in(&c, "{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::/32\"}}")
      != NHI_AWS_YES ||
      eval_in(&c, "{\"IpAddress\":{\"aws:SourceIp\":\"2001:db9::/32\"}}")
      != NHI_AWS_NO)
    fail_msg("IPv6 CIDR blocks must match by prefix");
  nhi_aws_context_free(&c);
}

static void test_arn_operators(void **state)
{
  expect("{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:sns:*:111122223333:*\"}}",
         NHI_AWS_YES);
  expect("{\"ArnEquals\":{\"aws:SourceArn\":"
         "\"arn:aws:sns:us-east-1:111122223333:topic\"}}", NHI_AWS_YES);
  expect("{\"ArnNotLike\":{\"aws:SourceArn\":\"arn:aws:sqs:*:*:*\"}}",
         NHI_AWS_YES);
  expect("{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:sns:*:999:*\"}}",
         NHI_AWS_NO);
}

static void test_variables_in_values(void **state)
{
  expect("{\"StringLike\":{\"s3:prefix\":\"home/${aws:username}/*\"}}",
         NHI_AWS_YES);
  expect("{\"StringEquals\":{\"aws:PrincipalTag/team\":"
         "\"${aws:PrincipalTag/team}\"}}", NHI_AWS_YES);
  expect("{\"StringLike\":{\"s3:prefix\":\"home/${aws:userid}/*\"}}",
         NHI_AWS_NO);
  expect_partial("{\"StringLike\":{\"s3:prefix\":\"home/${aws:userid}/*\"}}",
                 NHI_AWS_UNKNOWN);
}

static void test_unknown_keys_make_it_unknown(void **state)
{
  struct nhi_aws_cond_note note;
  struct nhi_aws_context c;
  enum nhi_aws_tri got;
  cJSON *j = cJSON_Parse("{\"Bool\":{\"aws:SecureTransport\":\"true\"}}");

  expect_partial("{\"Bool\":{\"aws:SecureTransport\":\"true\"}}",
                 NHI_AWS_UNKNOWN);
  expect_partial("{\"BoolIfExists\":{\"aws:SecureTransport\":\"true\"}}",
                 NHI_AWS_UNKNOWN);
  expect_partial("{\"Null\":{\"aws:SecureTransport\":\"true\"}}",
                 NHI_AWS_UNKNOWN);
  expect_partial("{\"Bool\":{\"aws:SecureTransport\":\"true\"},"
                 "\"StringEquals\":{\"aws:username\":\"bob\"}}", NHI_AWS_NO);
  expect_partial("{\"StringEquals\":{\"aws:username\":\"alice\"}}",
                 NHI_AWS_YES);
  setup_ctx(&c, 0);
  if (!j || nhi_aws_condition_eval(j, &c, &got, &note))
    fail_msg("out of memory");
  if (got != NHI_AWS_UNKNOWN || !note.key ||
      strcmp(note.key, "aws:SecureTransport") != 0 || !note.why)
    fail_msg("the note must name the key the context does not say");
  nhi_aws_context_free(&c);
  cJSON_Delete(j);
}

static void test_bad_operators_are_never_a_silent_match(void **state)
{
  expect("{\"StringEqualz\":{\"aws:username\":\"alice\"}}",
         NHI_AWS_UNKNOWN);
  expect("{\"StringEquals\":\"alice\"}", NHI_AWS_UNKNOWN);
  expect("{\"NullIfExists\":{\"aws:username\":\"true\"}}", NHI_AWS_UNKNOWN);
  expect("{\"StringEquals\":{\"aws:username\":{\"a\":1}}}", NHI_AWS_UNKNOWN);
  expect("{}", NHI_AWS_YES);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_string_operators),
    cmocka_unit_test(test_negated_operators_need_every_value_to_miss),
    cmocka_unit_test(test_absent_key),
    cmocka_unit_test(test_null_operator),
    cmocka_unit_test(test_set_operators),
    cmocka_unit_test(test_numeric_date_bool),
    cmocka_unit_test(test_ip_addresses),
    cmocka_unit_test(test_arn_operators),
    cmocka_unit_test(test_variables_in_values),
    cmocka_unit_test(test_unknown_keys_make_it_unknown),
    cmocka_unit_test(test_bad_operators_are_never_a_silent_match),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
