/* Unit tests for IAM pattern matching and policy variables. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "aws_context.h"
#include "aws_match.h"

static void expect_action(const char *pattern, const char *action, int want)
{
  if (nhi_aws_action_match(pattern, action) != want)
    fail_msg("action pattern '%s' against '%s': expected %s", pattern,
             action, want ? "a match" : "no match");
}

static void expect_arn(const char *pattern, const char *arn, int want)
{
  if (nhi_aws_arn_match(pattern, arn) != want)
    fail_msg("Resource '%s' against '%s': expected %s", pattern, arn,
             want ? "a match" : "no match");
}

static void expect_like(const char *pattern, const char *value, int want)
{
  if (nhi_aws_arn_like(pattern, value) != want)
    fail_msg("ArnLike '%s' against '%s': expected %s", pattern, value,
             want ? "a match" : "no match");
}

static void test_action_glob_ignores_case(void **state)
{
  expect_action("iam:Put*", "iam:PutRolePolicy", 1);
  expect_action("IAM:put*", "iam:PutRolePolicy", 1);
  expect_action("s3:get?bject", "s3:GetObject", 1);
  expect_action("*", "sts:AssumeRole", 1);
  expect_action("iam:*Policy", "iam:PutRolePolicy", 1);
  expect_action("iam:Put*", "iam:GetRole", 0);
  expect_action("s3:Get", "s3:GetObject", 0);
  expect_action("s3:get?bject", "s3:GetObjects", 0);
  expect_action("ec2:*", "ec2-instance-connect:SendSSHPublicKey", 0);
}

static void test_glob_star_question_and_escape(void **state)
{
  if (!nhi_aws_glob("a*b*c", 5, "axxbyyc", 7, 0) ||
      nhi_aws_glob("a*b*c", 5, "axxbyy", 6, 0))
    fail_msg("'*' must take any run of characters, the rest must match");
  if (!nhi_aws_glob("", 0, "", 0, 0) || nhi_aws_glob("", 0, "x", 1, 0))
    fail_msg("an empty pattern matches only the empty text");
  if (!nhi_aws_glob("a\x01*", 3, "a*", 2, 0) ||
      nhi_aws_glob("a\x01*", 3, "ab", 2, 0))
    fail_msg("an escaped '*' must match only itself");
  if (nhi_aws_glob("Abc", 3, "abc", 3, 0) ||
      !nhi_aws_glob("Abc", 3, "abc", 3, 1))
    fail_msg("case must matter unless nocase is set");
}

static void test_glob_adversarial_pattern_is_fast(void **state)
{
  char text[4001], pattern[64];

  memset(text, 'a', 4000);
  text[4000] = '\0';
  strcpy(pattern, "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
  if (nhi_aws_glob(pattern, strlen(pattern), text, 4000, 0))
    fail_msg("a pattern ending in 'b' cannot match a run of 'a'");
}

static void test_arn_wildcards_within_segments(void **state)
{
  expect_arn("arn:aws:iam::123456789012:user/*",
             "arn:aws:iam::123456789012:user/ops/alice", 1);
  expect_arn("arn:aws:iam::123456789012:user/Bob",
             "arn:aws:iam::123456789012:user/bob", 0);
  expect_arn("arn:aws:ec2:*:*:instance/*",
             "arn:aws:ec2:us-east-1:123456789012:instance/i-1", 1);
  expect_arn("arn:aws:ec2:us-?ast-1:*:instance/*",
             "arn:aws:ec2:us-east-1:123456789012:instance/i-1", 1);
  expect_arn("arn:aws:iam::*:role/app-*",
             "arn:aws:iam::123456789012:user/app-1", 0);
  expect_arn("*", "arn:aws:s3:::bucket/key", 1);
  expect_arn("*", "*", 1);
  expect_arn("arn:aws:s3:::*", "*", 0);
}

static void test_arn_trailing_star_crosses_colons(void **state)
{
  expect_arn("arn:aws:s3:::*", "arn:aws:s3:::bucket/a:b", 1);
  expect_arn("arn:aws:logs:*:*:log-group:app*",
             "arn:aws:logs:us-east-1:1:log-group:app:log-stream:x", 1);
  expect_arn("arn:aws:*", "arn:aws:sqs:eu-west-1:123456789012:q", 1);
  expect_arn("arn:aws:logs:us-*-1:1:log-group:x",
             "arn:aws:logs:us-east:west-1:1:log-group:x", 0);
  expect_arn("arn:aws:s3:::a?c", "arn:aws:s3:::a:c", 0);
}

static void test_arn_like_compares_six_fields(void **state)
{
  expect_like("arn:aws:iam::*:role/*", "arn:aws:iam::123:role/a", 1);
  expect_like("arn:aws:iam::123:role/*", "arn:aws:iam::124:role/a", 0);
  expect_like("arn:aws:sqs:*:*:q", "arn:aws:sqs:us-east-1:1:q", 1);
  expect_like("arn:aws:iam::*:role/*", "not-an-arn", 0);
  expect_like("*", "not-an-arn", 1);
  expect_like("arn:aws:logs:*:*:log-group:*",
              "arn:aws:logs:us-east-1:1:log-group:a:log-stream:b", 1);
}

/* Substitutes text in c and checks the result and the text. */
static void expect_subst(const struct nhi_aws_context *c, const char *text,
                         int escape, enum nhi_aws_tri want,
                         const char *want_text)
{
  enum nhi_aws_tri got;
  char *out = NULL;

  if (nhi_aws_context_subst(c, text, escape, &got, &out))
    fail_msg("out of memory");
  if (got != want)
    fail_msg("'%s': expected result %d, got %d", text, want, got);
  if (want_text && (!out || strcmp(out, want_text) != 0))
    fail_msg("'%s': expected '%s', got '%s'", text, want_text,
             out ? out : "(no substitution)");
  if (!want_text && out)
    fail_msg("'%s': expected no text, got '%s'", text, out);
  free(out);
}

static void test_policy_variables(void **state)
{
  struct nhi_aws_context c;

  nhi_aws_context_init(&c, 0);
  if (nhi_aws_context_add(&c, "aws:username", "alice") ||
      nhi_aws_context_add(&c, "aws:PrincipalTag/team", "a*b") ||
      nhi_aws_context_know(&c, "aws:PrincipalTag/"))
    fail_msg("out of memory");
  expect_subst(&c, "arn:aws:iam::1:user/${aws:username}", 1, NHI_AWS_YES,
               "arn:aws:iam::1:user/alice");
  expect_subst(&c, "home/${AWS:UserName}/*", 1, NHI_AWS_YES,
               "home/alice/*");
  expect_subst(&c, "${aws:PrincipalTag/team}", 1, NHI_AWS_YES,
               "a\x01*b");
  expect_subst(&c, "${aws:PrincipalTag/team}", 0, NHI_AWS_YES, "a*b");
  expect_subst(&c, "x${*}y${?}${$}", 1, NHI_AWS_YES, "x\x01*y\x01?$");
  expect_subst(&c, "${aws:PrincipalTag/none}", 1, NHI_AWS_NO, NULL);
  expect_subst(&c, "${aws:PrincipalTag/none, 'dflt'}", 1, NHI_AWS_YES,
               "dflt");
  expect_subst(&c, "${aws:SourceIp}", 1, NHI_AWS_UNKNOWN, NULL);
  expect_subst(&c, "no variable here", 1, NHI_AWS_YES, NULL);
  nhi_aws_context_free(&c);
}

static void test_context_layers_and_completeness(void **state)
{
  struct nhi_aws_context top, below;
  const struct nhi_aws_ctx_entry *e;

  nhi_aws_context_init(&top, 0);
  nhi_aws_context_init(&below, 0);
  top.next = &below;
  if (nhi_aws_context_add(&below, "aws:SourceIp", "10.0.0.1") ||
      nhi_aws_context_add(&top, "aws:TagKeys", NULL) ||
      nhi_aws_context_know(&below, "aws:ResourceTag/"))
    fail_msg("out of memory");
  if (nhi_aws_context_get(&top, "aws:sourceip", &e) != NHI_AWS_YES ||
      strcmp(e->values[0], "10.0.0.1") != 0)
    fail_msg("a key of a lower layer must be found, without regard to "
             "case");
  if (nhi_aws_context_get(&top, "aws:TagKeys", &e) != NHI_AWS_YES ||
      e->nvalues != 0)
    fail_msg("a key added without values is present and empty");
  if (nhi_aws_context_get(&top, "aws:ResourceTag/env", &e) != NHI_AWS_NO)
    fail_msg("a key under a known prefix is absent, not unknown");
  if (nhi_aws_context_get(&top, "aws:MultiFactorAuthPresent", &e) !=
      NHI_AWS_UNKNOWN)
    fail_msg("a key of a partial context must be unknown");
  below.complete = 1;
  if (nhi_aws_context_get(&top, "aws:MultiFactorAuthPresent", &e) !=
      NHI_AWS_NO)
    fail_msg("a key of a complete context must be absent");
  nhi_aws_context_free(&top);
  nhi_aws_context_free(&below);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_action_glob_ignores_case),
    cmocka_unit_test(test_glob_star_question_and_escape),
    cmocka_unit_test(test_glob_adversarial_pattern_is_fast),
    cmocka_unit_test(test_arn_wildcards_within_segments),
    cmocka_unit_test(test_arn_trailing_star_crosses_colons),
    cmocka_unit_test(test_arn_like_compares_six_fields),
    cmocka_unit_test(test_policy_variables),
    cmocka_unit_test(test_context_layers_and_completeness),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
