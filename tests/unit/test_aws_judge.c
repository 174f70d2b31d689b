/* Unit tests for judging many resources at once (aws_judge.c): every
 * decision must be the one of asking about each resource alone, on
 * hand-made cases that tell IAM resources apart (their account, a
 * Deny naming one, NotResource, a condition on tags) and on seeded
 * random policies; and the shortcut for policies that treat resources
 * alike must be taken where it may. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_judge.h"
#include "import_util.h"
#include "support/aws_rows.h"

#define ACCT "111122223333"
#define OTHER "444455556666"
#define IAM "arn:aws:iam::" ACCT ":"
#define IAM2 "arn:aws:iam::" OTHER ":"

static long long put_identity(struct nhi_store *s, const char *arn,
                              const char *account, const char *tags)
{
  return aws_put_identity(s, &(struct aws_identity){
    .arn = arn, .account = account, .tags = tags });
}

static void put_grant(struct nhi_store *s, long long id, const char *effect,
                      const char *actions, int not_action,
                      const char *resources, int not_resource,
                      const char *condition)
{
  aws_put_grant(s, id, &(struct aws_grant){
    .effect = effect, .actions = actions, .not_action = not_action,
    .resources = resources, .not_resource = not_resource,
    .condition = condition });
}

/* The candidates: users and roles of two accounts, some tagged, and a
 * bucket (not IAM: never taken by the shortcut). */
static const char *const candidates[] = {
  IAM "role/admin", IAM "role/app-1", IAM "role/app-2", IAM "role/ops",
  IAM "user/alice", IAM "user/build", IAM "user/deploy",
  IAM2 "role/vendor", IAM2 "user/carol", "arn:aws:s3:::data-bucket",
};
#define NCANDIDATES (sizeof candidates / sizeof candidates[0])

static void put_candidates(struct nhi_store *s)
{
  for (size_t i = 0; i + 1 < NCANDIDATES; i++)
    put_identity(s, candidates[i], strstr(candidates[i], OTHER) ? OTHER
                                                                : ACCT,
                 i % 3 == 0 ? "{\"team\":\"platform\"}" : NULL);
}

static struct nhi_store *open_store(void)
{
  struct nhi_store *s = NULL;

  if (nhi_store_open(":memory:", &s))
    fail_msg("cannot open a store");
  put_candidates(s);
  return s;
}

/* Deny and implicit deny are one to a judge, which refuses a resource
 * no Allow may name without asking whether a Deny applies too. */
static int refused(enum nhi_aws_decision d)
{
  return d == NHI_AWS_DENY || d == NHI_AWS_IMPLICIT_DENY;
}

/* What a judge must say of q: refused when no Allow of the action may
 * name the resource and it takes no resource-based policy (even where
 * the engine, asked, would say indeterminate: a policy variable it
 * cannot fill in a pattern that cannot match), else the engine's
 * decision. */
static enum nhi_aws_decision expected(struct nhi_aws_engine *e,
                                      const struct nhi_aws_query *q,
                                      const struct nhi_aws_scope *scope)
{
  struct nhi_aws_result r = { 0 };
  enum nhi_aws_decision d;
  int has = 1;

  if (!nhi_aws_scope_covers(scope, q->resource)) {
    assert_int_equal(nhi_aws_engine_has_rpolicy(e, q, &has), NHI_OK);
    if (!has)
      return NHI_AWS_IMPLICIT_DENY;
  }
  assert_int_equal(nhi_aws_engine_decide(e, q, &r), NHI_OK);
  d = r.decision;
  nhi_aws_result_clear(&r);
  return d;
}

/* Judges every candidate for principal and action with one judge and
 * compares each decision with the expected one; returns the number of
 * accounts the judge kept a decision for. */
static size_t check_same(struct nhi_aws_engine *e, const char *principal,
                         const char *action,
                         const struct nhi_aws_context *ctx)
{
  struct nhi_aws_query q = { principal, action, NULL, ctx, 0, NULL };
  struct nhi_aws_scope scope = { 0 };
  enum nhi_aws_decision d, want;
  struct nhi_aws_judge j;
  size_t kept;

  assert_int_equal(nhi_aws_judge_start(&j, e, &q), NHI_OK);
  assert_int_equal(nhi_aws_engine_allow_scope(e, principal, action, &scope),
                   NHI_OK);
  for (size_t i = 0; i < NCANDIDATES; i++) {
    assert_int_equal(nhi_aws_judge_one(&j, candidates[i], &d), NHI_OK);
    q.resource = candidates[i];
    want = expected(e, &q, &scope);
    if (refused(d) != refused(want) || (!refused(d) && d != want))
      fail_msg("%s %s on %s: judged %s, expected %s", principal, action,
               candidates[i], nhi_aws_decision_name(d),
               nhi_aws_decision_name(want));
  }
  kept = j.nseen;
  nhi_aws_scope_free(&scope);
  nhi_aws_judge_free(&j);
  return kept;
}

static void test_alike_policies_are_judged_per_account(void **state)
{
  struct nhi_store *s = open_store();
  struct nhi_aws_engine *e = NULL;
  long long id;

  (void)state;
  id = put_identity(s, IAM "role/broad", ACCT, NULL);
  put_grant(s, id, "allow", "[\"iam:*\"]", 0, "[\"*\"]", 0, NULL);
  assert_int_equal(nhi_aws_engine_new(s, NULL, &e), NHI_OK);
  /* Allowed in its account, not across: two accounts kept. */
  assert_int_equal(check_same(e, IAM "role/broad", "iam:PassRole", NULL), 2);
  nhi_aws_engine_free(e);
  nhi_store_close(s);
}

static void test_policies_that_tell_resources_apart_are_asked(void **state)
{
  static const char *const grants[][3] = {
    /* a Deny naming one role */
    { "deny", "[\"iam:PassRole\"]", "[\"" IAM "role/admin\"]" },
    /* NotResource */
    { "allow", "[\"iam:CreateAccessKey\"]", "!" },
    /* a condition on the resource's tags */
    { "allow", "[\"iam:UpdateAssumeRolePolicy\"]", "?" },
  };
  struct nhi_store *s = open_store();
  struct nhi_aws_engine *e = NULL;
  long long id;

  (void)state;
  id = put_identity(s, IAM "role/narrow", ACCT, NULL);
  put_grant(s, id, "allow", "[\"iam:*\"]", 0, "[\"*\"]", 0, NULL);
  put_grant(s, id, grants[0][0], grants[0][1], 0, grants[0][2], 0, NULL);
  put_grant(s, id, grants[1][0], grants[1][1], 0,
            "[\"" IAM "user/alice\"]", 1, NULL);
  put_grant(s, id, grants[2][0], grants[2][1], 0, "[\"*\"]", 0,
            "{\"StringEquals\":{\"aws:ResourceTag/team\":\"platform\"}}");
  assert_int_equal(nhi_aws_engine_new(s, NULL, &e), NHI_OK);
  assert_int_equal(check_same(e, IAM "role/narrow", "iam:PassRole", NULL), 0);
  assert_int_equal(check_same(e, IAM "role/narrow", "iam:CreateAccessKey",
                              NULL), 0);
  assert_int_equal(check_same(e, IAM "role/narrow",
                              "iam:UpdateAssumeRolePolicy", NULL), 0);
  /* Actions its other statements do not touch are still alike. */
  assert_int_equal(check_same(e, IAM "role/narrow", "iam:CreateLoginProfile",
                              NULL), 2);
  nhi_aws_engine_free(e);
  nhi_store_close(s);
}

/* A seeded draw, the same on every machine. */
static unsigned draw(unsigned *seed, unsigned n)
{
  *seed = *seed * 1103515245u + 12345u;
  return (*seed >> 16) % n;
}

static const char *const actions_pool[] = {
  "[\"*\"]", "[\"iam:*\"]", "[\"iam:PassRole\"]", "[\"iam:Create*\"]",
  "[\"iam:UpdateAssumeRolePolicy\",\"sts:AssumeRole\"]", "[\"s3:*\"]",
  "[\"iam:Get*\",\"iam:List*\"]",
};

static const char *const resources_pool[] = {
  "[\"*\"]", "[\"" IAM "role/*\"]", "[\"arn:aws:iam::*:user/*\"]",
  "[\"" IAM "role/app-*\"]", "[\"" IAM "user/${aws:username}\"]",
  "[\"*\",\"" IAM "role/ops\"]", "[\"arn:aws:s3:::*\"]",
};

static const char *const conditions_pool[] = {
  "{\"StringEquals\":{\"aws:ResourceTag/team\":\"platform\"}}",
  "{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}",
  "{\"StringEquals\":{\"aws:PrincipalTag/team\":\"platform\"}}",
  "{\"StringEquals\":{\"aws:ResourceAccount\":\"" ACCT "\"}}",
  "{\"StringEquals\":{\"iam:PassedToService\":\"ec2.amazonaws.com\"}}",
  "{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}",
};

#define PICK(pool) pool[draw(&seed, sizeof pool / sizeof pool[0])]

/* One random grant of id; the draws are made in order, one statement
 * each, so the same seed gives the same grants with any compiler. */
static void put_random_grant(struct nhi_store *s, long long id,
                             unsigned *seedp)
{
  unsigned seed = *seedp;
  const char *effect = draw(&seed, 10) < 2 ? "deny" : "allow";
  const char *actions = PICK(actions_pool);
  int not_action = draw(&seed, 12) == 0;
  const char *resources = PICK(resources_pool);
  int not_resource = draw(&seed, 12) == 0;
  const char *condition = draw(&seed, 10) < 4 ? PICK(conditions_pool)
                                              : NULL;

  put_grant(s, id, effect, actions, not_action, resources, not_resource,
            condition);
  *seedp = seed;
}

static void put_random(struct nhi_store *s, int n, unsigned seed)
{
  char arn[64];
  long long id;

  for (int i = 0; i < n; i++) {
    snprintf(arn, sizeof arn, IAM "%s/random-%03d",
             i % 3 ? "role" : "user", i);
    id = put_identity(s, arn, ACCT, i % 4 ? NULL : "{\"team\":\"platform\"}");
    for (unsigned k = 1 + draw(&seed, 4); k > 0; k--)
      put_random_grant(s, id, &seed);
  }
}

static void test_random_policies_get_the_engines_decisions(void **state)
{
  static const char *const actions[] = {
    "iam:PassRole", "iam:UpdateAssumeRolePolicy", "iam:CreateAccessKey",
    "sts:AssumeRole", "s3:GetObject",
  };
  struct nhi_store *s = open_store();
  struct nhi_aws_engine *e = NULL;
  struct nhi_aws_context passed;
  size_t shortcuts = 0;
  char arn[64];

  (void)state;
  put_random(s, 120, 20261204u);
  nhi_aws_context_init(&passed, 0);
  assert_int_equal(nhi_aws_context_add(&passed, "iam:PassedToService",
                                       "ec2.amazonaws.com"), NHI_OK);
  assert_int_equal(nhi_aws_engine_new(s, NULL, &e), NHI_OK);
  for (int i = 0; i < 120; i++) {
    snprintf(arn, sizeof arn, IAM "%s/random-%03d",
             i % 3 ? "role" : "user", i);
    for (size_t a = 0; a < sizeof actions / sizeof actions[0]; a++) {
      shortcuts += check_same(e, arn, actions[a], NULL) > 0;
      shortcuts += check_same(e, arn, actions[a], &passed) > 0;
    }
  }
  /* The shortcut is taken often enough to be tested, not always. */
  assert_true(shortcuts > 50);
  assert_true(shortcuts < 120 * 10);
  nhi_aws_context_free(&passed);
  nhi_aws_engine_free(e);
  nhi_store_close(s);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_alike_policies_are_judged_per_account),
    cmocka_unit_test(test_policies_that_tell_resources_apart_are_asked),
    cmocka_unit_test(test_random_policies_get_the_engines_decisions),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
