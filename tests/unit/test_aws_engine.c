/* Unit tests for AWS policy evaluation: AWS's documented examples over
 * policy sets, then the engine over an evidence store. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_engine.h"
#include "aws_eval.h"
#include "aws_policy.h"
#include "import_util.h"
#include "importers.h"
#include "timeutil.h"

#define ACCT "111122223333"
#define OTHER "444455556666"
#define USER "arn:aws:iam::" ACCT ":user/alice"
#define ROLE "arn:aws:iam::" ACCT ":role/app"
#define BUCKET "arn:aws:s3:::data-bucket"

/* A policy set under test: each layer a JSON document or NULL. */
struct set {
  const char *identity, *boundary, *resource;
  const char *scps[3];
  enum nhi_aws_rpolicy kind;
  int role;
};

/* A request under test. */
struct ask {
  const char *principal, *action, *resource, *resource_account;
  const struct nhi_aws_context *ctx;
};

static void compile(const char *json, struct nhi_aws_stmts *out)
{
  cJSON *wrap = cJSON_CreateObject(), *doc = NULL;
  char *why = NULL;

  memset(out, 0, sizeof *out);
  if (!wrap || !cJSON_AddStringToObject(wrap, "d", json) ||
      nhi_aws_policy_load(wrap, "d", &doc, &why) ||
      nhi_aws_stmts_add_doc(out, "test-policy", doc))
    fail_msg("test policy refused: %s: %s", why ? why : "out of memory",
             json);
  cJSON_Delete(wrap);
}

/* Evaluates a against s and returns the decision; *summary (if not
 * NULL) gets the summary. */
static enum nhi_aws_decision decide(const struct set *s,
                                    const struct ask *a,
                                    const char **summary)
{
  struct nhi_aws_stmts lists[6];
  const struct nhi_aws_stmts *scps[3];
  struct nhi_aws_policyset ps = { 0 };
  struct nhi_aws_context empty;
  struct nhi_aws_request rq;
  struct nhi_aws_result r;
  const char *docs[6] = { s->identity, s->boundary, s->resource,
                          s->scps[0], s->scps[1], s->scps[2] };
  enum nhi_aws_decision d;

  nhi_aws_context_init(&empty, 1);
  for (int i = 0; i < 6; i++)
    if (docs[i])
      compile(docs[i], &lists[i]);
  ps.identity = s->identity ? &lists[0] : NULL;
  ps.boundary = s->boundary ? &lists[1] : NULL;
  ps.resource = s->resource ? &lists[2] : NULL;
  for (int i = 0; i < 3 && s->scps[i]; i++)
    scps[ps.nscps++] = &lists[3 + i];
  ps.scps = scps;
  ps.resource_kind = s->kind;
  ps.principal_is_role = s->role;
  rq = (struct nhi_aws_request){
    a->principal ? a->principal : USER, ACCT, a->action, a->resource,
    a->resource_account ? a->resource_account : ACCT,
    a->ctx ? a->ctx : &empty
  };
  if (strncmp(rq.principal, "arn:", 4) != 0)
    rq.principal_account = NULL;
  if (nhi_aws_evaluate(&ps, &rq, &r))
    fail_msg("out of memory");
  d = r.decision;
  if (summary)
    *summary = r.summary;
  nhi_aws_result_clear(&r);
  for (int i = 0; i < 6; i++)
    if (docs[i])
      nhi_aws_stmts_free(&lists[i]);
  return d;
}

static void expect(const struct set *s, const struct ask *a,
                   enum nhi_aws_decision want, const char *what)
{
  const char *summary = NULL;
  enum nhi_aws_decision got = decide(s, a, &summary);

  if (got != want)
    fail_msg("%s: %s on %s: expected %s, got %s (%s)", what, a->action,
             a->resource, nhi_aws_decision_name(want),
             nhi_aws_decision_name(got), summary ? summary : "");
}

#define STMT(effect, rest) \
  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"" effect \
  "\"," rest "}]}"

static void test_explicit_deny_overrides_allow(void **state)
{
  struct set s = {
    .identity = "{\"Version\":\"2012-10-17\",\"Statement\":["
                "{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
                "\"Resource\":\"*\"},"
                "{\"Effect\":\"Deny\",\"Action\":\"s3:DeleteObject\","
                "\"Resource\":\"" BUCKET "/*\"}]}"
  };
  struct ask get = { NULL, "s3:GetObject", BUCKET "/k", NULL, NULL };
  struct ask del = { NULL, "s3:deleteobject", BUCKET "/k", NULL, NULL };

  expect(&s, &get, NHI_AWS_ALLOW, "an Allow with no Deny allows");
  expect(&s, &del, NHI_AWS_DENY, "an explicit Deny wins over Allow");
}

static void test_not_action_with_allow(void **state)
{
  struct set s = {
    .identity = STMT("Allow", "\"NotAction\":\"iam:*\",\"Resource\":\"*\"")
  };
  struct ask s3 = { NULL, "s3:GetObject", BUCKET "/k", NULL, NULL };
  struct ask iam = { NULL, "iam:CreateUser", "*", NULL, NULL };

  expect(&s, &s3, NHI_AWS_ALLOW, "NotAction allows what it does not name");
  expect(&s, &iam, NHI_AWS_IMPLICIT_DENY,
         "NotAction with Allow grants nothing on what it names");
}

static void test_not_resource_with_deny(void **state)
{
  struct set s = {
    .identity = "{\"Version\":\"2012-10-17\",\"Statement\":["
                "{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
                "\"Resource\":\"*\"},"
                "{\"Effect\":\"Deny\",\"Action\":\"s3:*\","
                "\"NotResource\":[\"" BUCKET "\",\"" BUCKET "/*\"]}]}"
  };
  struct ask in = { NULL, "s3:GetObject", BUCKET "/k", NULL, NULL };
  struct ask out = { NULL, "s3:GetObject", "arn:aws:s3:::other/k", NULL,
                     NULL };

  expect(&s, &in, NHI_AWS_ALLOW, "NotResource spares what it names");
  expect(&s, &out, NHI_AWS_DENY, "NotResource denies everything else");
}

static void test_boundary_limits_identity_policies(void **state)
{
  struct set s = {
    .identity = STMT("Allow", "\"Action\":[\"iam:*\",\"s3:*\"],"
                     "\"Resource\":\"*\""),
    .boundary = STMT("Allow", "\"Action\":\"s3:*\",\"Resource\":\"*\"")
  };
  struct ask iam = { NULL, "iam:CreateUser", "*", NULL, NULL };
  struct ask s3 = { NULL, "s3:PutObject", BUCKET "/k", NULL, NULL };
  const char *summary = NULL;

  expect(&s, &s3, NHI_AWS_ALLOW, "inside the boundary");
  if (decide(&s, &iam, &summary) != NHI_AWS_IMPLICIT_DENY ||
      !strstr(summary, "boundary"))
    fail_msg("the boundary must block iam:CreateUser and say so");
}

static void test_resource_policy_same_account(void **state)
{
  struct set s = {
    .resource = STMT("Allow", "\"Principal\":{\"AWS\":\"" USER "\"},"
                     "\"Action\":\"s3:GetObject\",\"Resource\":\""
                     BUCKET "/*\"")
  };
  struct set by_root = {
    .resource = STMT("Allow", "\"Principal\":{\"AWS\":\"arn:aws:iam::"
                     ACCT ":root\"},\"Action\":\"s3:GetObject\","
                     "\"Resource\":\"" BUCKET "/*\"")
  };
  struct set role = {
    .boundary = STMT("Allow", "\"Action\":\"ec2:*\",\"Resource\":\"*\""),
    .resource = STMT("Allow", "\"Principal\":{\"AWS\":\"" ROLE "\"},"
                     "\"Action\":\"s3:GetObject\",\"Resource\":\""
                     BUCKET "/*\""),
    .role = 1
  };
  struct ask get = { NULL, "s3:GetObject", BUCKET "/k", NULL, NULL };
  struct ask get_role = { ROLE, "s3:GetObject", BUCKET "/k", NULL, NULL };

  expect(&s, &get, NHI_AWS_ALLOW,
         "a bucket policy naming the user allows it within the account");
  expect(&by_root, &get, NHI_AWS_IMPLICIT_DENY,
         "a bucket policy naming the account delegates to IAM policies");
  expect(&role, &get_role, NHI_AWS_IMPLICIT_DENY,
         "a role's boundary limits a resource policy naming the role");
}

static void test_resource_policy_cross_account(void **state)
{
  const char *allow_id = STMT("Allow", "\"Action\":\"s3:GetObject\","
                              "\"Resource\":\"*\"");
  struct set none = { .identity = allow_id };
  struct set both = {
    .identity = allow_id,
    .resource = STMT("Allow", "\"Principal\":{\"AWS\":\"" ACCT "\"},"
                     "\"Action\":\"s3:GetObject\",\"Resource\":\""
                     BUCKET "/*\"")
  };
  struct set only_resource = { .resource = both.resource };
  struct ask get = { NULL, "s3:GetObject", BUCKET "/k", OTHER, NULL };
  const char *summary = NULL;

  if (decide(&none, &get, &summary) != NHI_AWS_IMPLICIT_DENY ||
      !strstr(summary, "cross-account"))
    fail_msg("across accounts the bucket policy must allow too");
  expect(&both, &get, NHI_AWS_ALLOW,
         "across accounts identity and resource policy together allow");
  expect(&only_resource, &get, NHI_AWS_IMPLICIT_DENY,
         "across accounts a resource policy alone does not allow");
}

static void test_key_policy_and_trust_policy_must_allow(void **state)
{
  const char *key = "arn:aws:kms:us-east-1:" ACCT ":key/k1";
  struct set no_key = {
    .identity = STMT("Allow", "\"Action\":\"kms:*\",\"Resource\":\"*\""),
    .kind = NHI_AWS_RP_REQUIRED
  };
  struct set root_key = no_key, trust = { .kind = NHI_AWS_RP_REQUIRED };
  struct ask decrypt = { NULL, "kms:Decrypt", key, NULL, NULL };
  struct ask assume = { "ec2.amazonaws.com", "sts:AssumeRole", ROLE, NULL,
                        NULL };

  root_key.resource = STMT("Allow", "\"Principal\":{\"AWS\":\"arn:aws:iam::"
                           ACCT ":root\"},\"Action\":\"kms:*\","
                           "\"Resource\":\"*\"");
  trust.resource = STMT("Allow", "\"Principal\":{\"Service\":"
                        "\"ec2.amazonaws.com\"},\"Action\":"
                        "\"sts:AssumeRole\"");
  expect(&no_key, &decrypt, NHI_AWS_IMPLICIT_DENY,
         "without a key policy allowing it, IAM policies are not enough");
  expect(&root_key, &decrypt, NHI_AWS_ALLOW,
         "a key policy naming the account lets IAM policies decide");
  expect(&trust, &assume, NHI_AWS_ALLOW,
         "a trust policy naming a service lets it assume the role");
  assume.principal = "lambda.amazonaws.com";
  expect(&trust, &assume, NHI_AWS_IMPLICIT_DENY,
         "a service the trust policy does not name cannot assume it");
}

static void test_scps_must_allow_at_every_level(void **state)
{
  const char *full = STMT("Allow", "\"Action\":\"*\",\"Resource\":\"*\"");
  struct set s = {
    .identity = full,
    .scps = { full, STMT("Allow", "\"Action\":\"s3:*\","
                         "\"Resource\":\"*\"") }
  };
  struct set deny = {
    .identity = full,
    .scps = { full, STMT("Deny", "\"Action\":\"iam:*\","
                         "\"Resource\":\"*\"") }
  };
  struct ask s3 = { NULL, "s3:GetObject", BUCKET "/k", NULL, NULL };
  struct ask iam = { NULL, "iam:CreateUser", "*", NULL, NULL };
  const char *summary = NULL;

  expect(&s, &s3, NHI_AWS_ALLOW, "allowed at every SCP level");
  if (decide(&s, &iam, &summary) != NHI_AWS_IMPLICIT_DENY ||
      !strstr(summary, "service control policy"))
    fail_msg("an SCP level that does not allow it must block it");
  expect(&deny, &iam, NHI_AWS_DENY, "an SCP Deny is an explicit deny");
}

static void test_unknown_conditions(void **state)
{
  struct nhi_aws_context partial;
  struct set mfa = {
    .identity = STMT("Allow", "\"Action\":\"s3:*\",\"Resource\":\"*\","
                     "\"Condition\":{\"Bool\":"
                     "{\"aws:MultiFactorAuthPresent\":\"true\"}}")
  };
  struct set deny_ip = {
    .identity = "{\"Version\":\"2012-10-17\",\"Statement\":["
                "{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
                "\"Resource\":\"*\"},"
                "{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\","
                "\"Condition\":{\"NotIpAddress\":"
                "{\"aws:SourceIp\":\"10.0.0.0/8\"}}}]}"
  };
  struct ask get = { NULL, "s3:GetObject", BUCKET "/k", NULL, &partial };
  struct ask iam = { NULL, "iam:CreateUser", "*", NULL, &partial };

  nhi_aws_context_init(&partial, 0);
  expect(&mfa, &get, NHI_AWS_INDETERMINATE,
         "an Allow depending on an unknown key is not a silent allow");
  expect(&deny_ip, &get, NHI_AWS_INDETERMINATE,
         "a Deny that may apply leaves an Allow undecided");
  expect(&deny_ip, &iam, NHI_AWS_IMPLICIT_DENY,
         "nothing allows it, whatever the Deny does");
  if (nhi_aws_context_add(&partial, "aws:SourceIp", "203.0.113.9"))
    fail_msg("out of memory");
  expect(&deny_ip, &get, NHI_AWS_DENY, "the Deny applies once the IP is "
         "known");
  nhi_aws_context_free(&partial);
}

static void test_policy_variables_in_resource(void **state)
{
  struct nhi_aws_context ctx;
  struct set s = {
    .identity = STMT("Allow", "\"Action\":\"s3:*\",\"Resource\":"
                     "\"" BUCKET "/home/${aws:username}/*\"")
  };
  struct ask own = { NULL, "s3:GetObject", BUCKET "/home/alice/a", NULL,
                     &ctx };
  struct ask other = { NULL, "s3:GetObject", BUCKET "/home/bob/a", NULL,
                       &ctx };

  nhi_aws_context_init(&ctx, 1);
  if (nhi_aws_context_add(&ctx, "aws:username", "alice"))
    fail_msg("out of memory");
  expect(&s, &own, NHI_AWS_ALLOW, "${aws:username} resolves to alice");
  expect(&s, &other, NHI_AWS_IMPLICIT_DENY, "another user's home");
  nhi_aws_context_free(&ctx);
  ctx.complete = 0;
  nhi_aws_context_init(&ctx, 0);
  expect(&s, &own, NHI_AWS_INDETERMINATE,
         "an unknown username leaves the Resource undecided");
  nhi_aws_context_free(&ctx);
}

/* The GAAD export the store tests import. */
static const char gaad[] =
  "{\"UserDetailList\":[{\"UserName\":\"alice\",\"UserId\":\"AIDA1\","
  "\"Arn\":\"" USER "\",\"Path\":\"/\",\"CreateDate\":"
  "\"2025-01-01T00:00:00Z\",\"GroupList\":[\"ops\"],"
  "\"Tags\":[{\"Key\":\"team\",\"Value\":\"data\"}],"
  "\"UserPolicyList\":[{\"PolicyName\":\"own\",\"PolicyDocument\":"
  "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
  "\"Action\":\"iam:PassRole\",\"Resource\":\"arn:aws:iam::" ACCT
  ":role/app*\",\"Condition\":{\"StringEquals\":"
  "{\"aws:PrincipalTag/team\":\"data\"}}}}}],"
  "\"AttachedManagedPolicies\":[]}],"
  "\"GroupDetailList\":[{\"GroupName\":\"ops\",\"GroupId\":\"AGPA1\","
  "\"Arn\":\"arn:aws:iam::" ACCT ":group/ops\",\"Path\":\"/\","
  "\"CreateDate\":\"2025-01-01T00:00:00Z\",\"GroupPolicyList\":[],"
  "\"AttachedManagedPolicies\":[{\"PolicyName\":\"read\",\"PolicyArn\":"
  "\"arn:aws:iam::" ACCT ":policy/read\"}]}],"
  "\"RoleDetailList\":[{\"RoleName\":\"app\",\"RoleId\":\"AROA1\","
  "\"Arn\":\"" ROLE "\",\"Path\":\"/\",\"CreateDate\":"
  "\"2025-01-01T00:00:00Z\",\"AssumeRolePolicyDocument\":"
  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
  "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":"
  "\"sts:AssumeRole\"}]},\"RolePolicyList\":[],"
  "\"AttachedManagedPolicies\":[{\"PolicyName\":\"read\",\"PolicyArn\":"
  "\"arn:aws:iam::" ACCT ":policy/read\"}],"
  "\"PermissionsBoundary\":{\"PermissionsBoundaryType\":\"Policy\","
  "\"PermissionsBoundaryArn\":\"arn:aws:iam::" ACCT ":policy/gone\"},"
  "\"Tags\":[]}],"
  "\"Policies\":[{\"PolicyName\":\"read\",\"PolicyId\":\"ANPA1\","
  "\"Arn\":\"arn:aws:iam::" ACCT ":policy/read\",\"Path\":\"/\","
  "\"DefaultVersionId\":\"v1\",\"AttachmentCount\":2,"
  "\"PolicyVersionList\":[{\"VersionId\":\"v1\",\"IsDefaultVersion\":"
  "true,\"Document\":{\"Version\":\"2012-10-17\",\"Statement\":"
  "{\"Effect\":\"Allow\",\"Action\":[\"s3:Get*\",\"s3:List*\"],"
  "\"Resource\":\"*\"}}}]}]}";

static void put_policy(struct nhi_store *s, const char *id,
                       const char *kind, const char *doc, const char *attrs)
{
  struct nhi_row r;

  nhi_row_start(&r, NHI_T_POLICY);
  nhi_row_text(&r, "provider", "aws");
  nhi_row_text(&r, "native_id", id);
  nhi_row_text(&r, "kind", kind);
  nhi_row_text(&r, "document", doc);
  nhi_row_text(&r, "attrs", attrs);
  if (nhi_row_put(s, &r, NULL))
    fail_msg("cannot write policy '%s'", id);
}

static void put_edge(struct nhi_store *s, const char *from_type,
                     const char *from, const char *to_type, const char *to)
{
  struct nhi_row r;

  nhi_row_start(&r, NHI_T_EDGE);
  nhi_row_text(&r, "kind", "member_of");
  nhi_row_text(&r, "from_type", from_type);
  nhi_row_text(&r, "from_ref", from);
  nhi_row_text(&r, "to_type", to_type);
  nhi_row_text(&r, "to_ref", to);
  if (nhi_row_put(s, &r, NULL))
    fail_msg("cannot write an edge");
}

static int setup_store(void **state)
{
  char path[] = "/tmp/nhi-engine-gaad-XXXXXX";
  struct nhi_import_stats stats;
  struct nhi_store *s = NULL;
  int fd = mkstemp(path);
  time_t now = 0;

  if (fd < 0 || write(fd, gaad, strlen(gaad)) != (ssize_t)strlen(gaad))
    fail_msg("cannot write the test export");
  close(fd);
  if (nhi_time_parse("2026-12-01T09:00:00Z", &now) ||
      nhi_store_open(":memory:", &s) ||
      nhi_import_aws_authz(s, path, now, &stats))
    fail_msg("cannot import the test export");
  unlink(path);
  put_policy(s, BUCKET, "resource", STMT("Deny", "\"Principal\":\"*\","
             "\"Action\":\"s3:*\",\"Resource\":\"" BUCKET "/secret/*\""),
             NULL);
  put_policy(s, "p-root", "scp", STMT("Allow", "\"Action\":\"*\","
             "\"Resource\":\"*\""), "{\"targets\":[\"r-1\"]}");
  put_policy(s, "p-ou", "scp", STMT("Allow", "\"NotAction\":\"iam:Create*\","
             "\"Resource\":\"*\""), "{\"targets\":[\"ou-1\"]}");
  put_edge(s, "account", ACCT, "ou", "ou-1");
  put_edge(s, "ou", "ou-1", "root", "r-1");
  *state = s;
  return 0;
}

static int free_store(void **state)
{
  nhi_store_close(*state);
  return 0;
}

static enum nhi_aws_decision engine_decide(struct nhi_store *s,
                                           const char *principal,
                                           const char *action,
                                           const char *resource,
                                           const char **summary)
{
  struct nhi_aws_query q = { .principal = principal, .action = action,
                             .resource = resource };
  struct nhi_aws_engine *e = NULL;
  struct nhi_aws_context ctx;
  struct nhi_aws_result r;
  enum nhi_aws_decision d;

  nhi_aws_context_init(&ctx, 1);
  q.ctx = &ctx;
  if (nhi_aws_engine_new(s, NULL, &e) || nhi_aws_engine_decide(e, &q, &r))
    fail_msg("the engine failed on %s %s", action, resource);
  d = r.decision;
  if (summary)
    *summary = r.summary;
  nhi_aws_result_clear(&r);
  nhi_aws_engine_free(e);
  nhi_aws_context_free(&ctx);
  return d;
}

static void expect_engine(void **state, const char *principal,
                          const char *action, const char *resource,
                          enum nhi_aws_decision want, const char *what)
{
  const char *summary = NULL;
  enum nhi_aws_decision got = engine_decide(*state, principal, action,
                                            resource, &summary);

  if (got != want)
    fail_msg("%s: expected %s, got %s (%s)", what,
             nhi_aws_decision_name(want), nhi_aws_decision_name(got),
             summary ? summary : "");
}

static void test_engine_reads_grants_groups_and_tags(void **state)
{
  expect_engine(state, USER, "s3:GetObject", BUCKET "/a", NHI_AWS_ALLOW,
                "a group's managed policy grants s3:Get*");
  expect_engine(state, USER, "s3:PutObject", BUCKET "/a",
                NHI_AWS_IMPLICIT_DENY, "nothing grants s3:PutObject");
  expect_engine(state, USER, "iam:PassRole", ROLE, NHI_AWS_ALLOW,
                "the inline policy's tag condition holds from the "
                "principal's own tags");
}

static void test_engine_resource_policy_and_scps(void **state)
{
  expect_engine(state, USER, "s3:GetObject", BUCKET "/secret/x",
                NHI_AWS_DENY, "the bucket policy's Deny applies to objects");
  expect_engine(state, USER, "iam:CreateUser", "*", NHI_AWS_IMPLICIT_DENY,
                "the OU's SCP does not allow iam:Create*");
}

static void test_engine_missing_boundary_is_indeterminate(void **state)
{
  const char *summary = NULL;

  if (engine_decide(*state, ROLE, "s3:GetObject", BUCKET "/a", &summary)
      != NHI_AWS_INDETERMINATE || !strstr(summary, "boundary"))
    fail_msg("a boundary whose document is absent must leave the "
             "decision open and say why");
  expect_engine(state, ROLE, "s3:PutObject", BUCKET "/a",
                NHI_AWS_IMPLICIT_DENY,
                "nothing grants it, whatever the boundary says");
}

static void test_engine_trust_policy(void **state)
{
  expect_engine(state, "ec2.amazonaws.com", "sts:AssumeRole", ROLE,
                NHI_AWS_ALLOW, "the trust policy lets EC2 assume the role");
  expect_engine(state, USER, "sts:AssumeRole", ROLE, NHI_AWS_IMPLICIT_DENY,
                "the trust policy does not name alice");
}

static void test_engine_unknown_principal(void **state)
{
  expect_engine(state, "arn:aws:iam::" OTHER ":role/ext", "s3:GetObject",
                BUCKET "/a", NHI_AWS_IMPLICIT_DENY,
                "another account's role without a bucket policy grant");
  expect_engine(state, "arn:aws:iam::" ACCT ":user/ghost", "s3:GetObject",
                BUCKET "/a", NHI_AWS_INDETERMINATE,
                "a principal the evidence lacks has unknown policies");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_explicit_deny_overrides_allow),
    cmocka_unit_test(test_not_action_with_allow),
    cmocka_unit_test(test_not_resource_with_deny),
    cmocka_unit_test(test_boundary_limits_identity_policies),
    cmocka_unit_test(test_resource_policy_same_account),
    cmocka_unit_test(test_resource_policy_cross_account),
    cmocka_unit_test(test_key_policy_and_trust_policy_must_allow),
    cmocka_unit_test(test_scps_must_allow_at_every_level),
    cmocka_unit_test(test_unknown_conditions),
    cmocka_unit_test(test_policy_variables_in_resource),
    cmocka_unit_test_setup_teardown(test_engine_reads_grants_groups_and_tags,
                                    setup_store, free_store),
    cmocka_unit_test_setup_teardown(test_engine_resource_policy_and_scps,
                                    setup_store, free_store),
    cmocka_unit_test_setup_teardown(
      test_engine_missing_boundary_is_indeterminate, setup_store,
      free_store),
    cmocka_unit_test_setup_teardown(test_engine_trust_policy, setup_store,
                                    free_store),
    cmocka_unit_test_setup_teardown(test_engine_unknown_principal,
                                    setup_store, free_store),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
