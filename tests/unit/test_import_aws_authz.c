/* Unit tests for the AWS get-account-authorization-details importer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "importers.h"
#include "store.h"
#include "timeutil.h"
#include "support/store_rows.h"

/* Tests run from the repository root, like the build. */
#define DIR "tests/fixtures/aws/authz/"
#define NOW "2025-07-01T00:00:00Z"

/* One import into a fresh in-memory store, and what it logged. */
struct run {
  struct nhi_store *s;
  struct nhi_import_stats stats;
  enum nhi_rc rc;
  char *log;
};

/* Imports path with stderr sent to a file, so messages can be checked. */
static void run_import(struct run *r, const char *path)
{
  char log[] = "/tmp/nhi-test-gaad-XXXXXX";
  time_t now = 0;
  int fd, saved;

  memset(r, 0, sizeof *r);
  if (nhi_time_parse(NOW, &now) || nhi_store_open(":memory:", &r->s) ||
      nhi_store_begin(r->s))
    fail_msg("cannot set up an in-memory evidence store");
  r->s->source_id = 0;
  fd = mkstemp(log);
  saved = dup(STDERR_FILENO);
  if (fd < 0 || saved < 0 || dup2(fd, STDERR_FILENO) < 0)
    fail_msg("cannot capture stderr");
  r->rc = nhi_import_aws_authz(r->s, path, now, &r->stats);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  r->log = slurp(log);
  unlink(log);
  if (!r->log)
    fail_msg("cannot read the captured stderr");
}

static void run_free(struct run *r)
{
  nhi_store_rollback(r->s);
  nhi_store_close(r->s);
  free(r->log);
}

#define assert_logged(r, want)                                           \
  do {                                                                    \
    if (!strstr((r)->log, (want)))                                        \
      fail_msg("stderr lacks \"%s\"; it was: %s", (want), (r)->log);       \
  } while (0)

/* Writes text to a new temporary file; path must be a mkstemp pattern. */
static void write_temp(char *path, const char *text)
{
  int fd = mkstemp(path);
  size_t n = strlen(text);

  if (fd < 0 || write(fd, text, n) != (ssize_t)n)
    fail_msg("cannot write a temporary export");
  close(fd);
}

/* Imports text as an export and checks the one error it logs. */
static void expect_error(const char *text, const char *want)
{
  char path[] = "/tmp/nhi-test-gaad-in-XXXXXX";
  char *msg;
  struct run r;

  write_temp(path, text);
  run_import(&r, path);
  unlink(path);
  if (r.rc != NHI_ERR_INPUT)
    fail_msg("expected NHI_ERR_INPUT for %s, got %d", text, r.rc);
  msg = malloc(strlen(path) + strlen(want) + 64);
  if (!msg)
    fail_msg("out of memory");
  sprintf(msg, "nhiscope: error: cannot read '%s': %s\n", path, want);
  if (strcmp(r.log, msg) != 0)
    fail_msg("expected the message\n  %s but stderr was\n  %s", msg, r.log);
  free(msg);
  run_free(&r);
}

static int setup_full(void **state)
{
  struct run *r = malloc(sizeof *r);

  if (!r)
    return -1;
  run_import(r, DIR "gaad.json");
  if (r->rc != NHI_OK) {
    print_error("import failed: %s\n", r->log);
    return -1;
  }
  *state = r;
  return 0;
}

static int teardown_run(void **state)
{
  run_free(*state);
  free(*state);
  return 0;
}

static struct nhi_store *store(void **state)
{
  return ((struct run *)*state)->s;
}

static void test_stats_count_rows(void **state)
{
  struct run *r = *state;

  assert_int_equal(r->stats.identities, 12);
  assert_int_equal(r->stats.policies, 16);
  assert_int_equal(r->stats.grants, 15);
  assert_int_equal(r->stats.edges, 12);
  assert_int_equal(r->stats.resources, 11);
  assert_int_equal(r->stats.truncated, 0);
  assert_string_equal(r->stats.account, "111122223333");
  assert_string_equal(r->log, "");
  assert_rows(r->s, "SELECT (SELECT count(*) FROM identities), "
              "(SELECT count(*) FROM policies), (SELECT count(*) FROM grants),"
              " (SELECT count(*) FROM edges), "
              "(SELECT count(*) FROM resources)", "12|16|15|12|11");
}

static void test_role_row(void **state)
{
  assert_rows(store(state),
              "SELECT provider, account, name, kind, is_human, owner, "
              "created_at, last_used_at, usage_tracked_since, tags, attrs, "
              "source_id FROM identities "
              "WHERE native_id = 'arn:aws:iam::111122223333:role/ci-deployer'",
              "aws|111122223333|ci-deployer|role|0|devops|"
              "2023-02-14T09:12:00Z|2025-06-01T22:03:11Z|"
              "2024-05-27T00:00:00Z|{\"owning-team\":\"devops\"}|"
              "{\"path\":\"/\",\"id\":\"AROAEXAMPLE7Q2ZK4HJ3\","
              "\"attached_policies\":"
              "[\"arn:aws:iam::aws:policy/AdministratorAccess\"],"
              "\"instance_profiles\":[],\"last_used_region\":\"eu-west-1\","
              "\"service_linked\":false,\"unresolved_policies\":[]}|NULL");
}

static void test_role_unused_in_window(void **state)
{
  assert_rows(store(state),
              "SELECT last_used_at, usage_tracked_since, owner, attrs "
              "FROM identities WHERE name = 'cross-account-audit'",
              "NULL|2024-05-27T00:00:00Z|NULL|"
              "{\"path\":\"/\",\"id\":\"AROAEXAMPLEAUDIT0004\","
              "\"attached_policies\":[],\"permissions_boundary\":"
              "\"arn:aws:iam::111122223333:policy/BoundaryPolicy\","
              "\"instance_profiles\":[],\"service_linked\":false,"
              "\"unresolved_policies\":[]}");
}

static void test_role_kinds(void **state)
{
  assert_rows(store(state),
              "SELECT name, is_human, attrs ->> '$.service_linked', "
              "attrs ->> '$.instance_profiles' FROM identities "
              "WHERE kind = 'role' ORDER BY id",
              "AWSServiceRoleForSupport|0|1|[]\n"
              "AWSReservedSSO_AdministratorAccess_8f3c2a1b9d7e6f50|1|0|[]\n"
              "ci-deployer|0|0|[]\n"
              "cross-account-audit|0|0|[]\n"
              "public-reader|0|0|[]\n"
              "orders-lambda|0|0|[]\n"
              "app-server|0|0|[\"app-server-profile\"]");
}

static void test_user_row(void **state)
{
  assert_rows(store(state),
              "SELECT account, kind, is_human, owner, created_at, "
              "last_used_at, usage_tracked_since, tags, attrs "
              "FROM identities WHERE name = 'alice'",
              "111122223333|user|1|web-platform|2021-03-04T10:20:30Z|NULL|"
              "NULL|{\"Team\":\"web-platform\",\"Owner\":"
              "\"alice@example.com\"}|{\"path\":\"/\",\"id\":"
              "\"AIDAEXAMPLEALICE0001\",\"attached_policies\":[],"
              "\"groups\":[\"developers\"],\"unresolved_groups\":[],"
              "\"human_signal\":\"no machine tag, path or name\","
              "\"unresolved_policies\":[]}");
}

static void test_user_human_or_machine(void **state)
{
  assert_rows(store(state),
              "SELECT name, kind, is_human, owner, "
              "coalesce(attrs ->> '$.machine_signal', "
              "'human: ' || (attrs ->> '$.human_signal')) "
              "FROM identities WHERE kind != 'role' ORDER BY id",
              "alice|user|1|web-platform|human: no machine tag, path or name\n"
              "svc-backup|service_account|0|storage-team|"
              "name starts with 'svc-'\n"
              "report-runner|service_account|0|NULL|"
              "path contains 'automation'\n"
              "build-agent|service_account|0|NULL|"
              "tag identity-type=Workload\n"
              "deploy-manager|user|1|NULL|human: tag Type=Human");
}

static void test_groups_are_not_identities(void **state)
{
  assert_rows(store(state),
              "SELECT count(*) FROM identities WHERE native_id LIKE "
              "'%:group/%'", "0");
  assert_rows(store(state),
              "SELECT attrs ->> '$.groups', attrs ->> '$.unresolved_groups' "
              "FROM identities WHERE name = 'report-runner'",
              "[\"developers\",\"legacy-ops\"]|[\"legacy-ops\"]");
}

static void test_grants_own_policies(void **state)
{
  assert_rows(store(state),
              "SELECT effect, actions, not_action, resources, not_resource, "
              "condition, via, policy, sid, source_id FROM grants "
              "WHERE identity_id = (SELECT id FROM identities "
              "WHERE name = 'alice') AND via = 'inline'",
              "allow|[\"s3:GetObject\",\"s3:ListBucket\"]|0|"
              "[\"arn:aws:s3:::acme-reports\","
              "\"arn:aws:s3:::acme-reports/*\"]|0|NULL|inline|"
              "arn:aws:iam::111122223333:user/alice#reports-read|"
              "ReadReports|NULL");
  assert_rows(store(state),
              "SELECT effect, actions, resources, via, policy FROM grants "
              "WHERE identity_id = (SELECT id FROM identities "
              "WHERE name = 'ci-deployer')",
              "allow|[\"*\"]|[\"*\"]|managed|"
              "arn:aws:iam::aws:policy/AdministratorAccess");
}

static void test_grants_inherited_from_group(void **state)
{
  assert_rows(store(state),
              "SELECT i.name, g.effect, g.actions, g.resources, g.via, "
              "g.policy, g.sid FROM grants g JOIN identities i "
              "ON i.id = g.identity_id WHERE g.via LIKE 'group:%' "
              "ORDER BY g.id",
              "alice|allow|[\"dynamodb:Query\"]|[\"arn:aws:dynamodb:"
              "eu-west-1:111122223333:table/Orders/index/*\"]|"
              "group:developers|arn:aws:iam::111122223333:group/"
              "developers#orders-table-read|NULL\n"
              "alice|allow|[\"s3:Get*\",\"s3:List*\","
              "\"dynamodb:Describe*\"]|[\"*\"]|group:developers|"
              "arn:aws:iam::aws:policy/ReadOnlyAccess|ReadOnly\n"
              "report-runner|allow|[\"dynamodb:Query\"]|[\"arn:aws:"
              "dynamodb:eu-west-1:111122223333:table/Orders/index/*\"]|"
              "group:developers|arn:aws:iam::111122223333:group/"
              "developers#orders-table-read|NULL\n"
              "report-runner|allow|[\"s3:Get*\",\"s3:List*\","
              "\"dynamodb:Describe*\"]|[\"*\"]|group:developers|"
              "arn:aws:iam::aws:policy/ReadOnlyAccess|ReadOnly");
}

static void test_grants_not_action_not_resource(void **state)
{
  assert_rows(store(state),
              "SELECT effect, actions, not_action, resources, not_resource, "
              "sid FROM grants WHERE identity_id = (SELECT id FROM "
              "identities WHERE name = 'cross-account-audit') ORDER BY id",
              "deny|[\"iam:Get*\",\"iam:List*\"]|1|[\"*\"]|0|NULL\n"
              "allow|[\"s3:GetObject\"]|0|[\"arn:aws:s3:::acme-secrets/*\"]|"
              "1|NoSecretsBucket");
}

static void test_grants_default_version_only(void **state)
{
  assert_rows(store(state),
              "SELECT actions, resources, policy FROM grants "
              "WHERE identity_id = (SELECT id FROM identities "
              "WHERE name = 'svc-backup')",
              "[\"s3:GetObject\",\"s3:ListBucket\"]|"
              "[\"arn:aws:s3:::acme-backups\","
              "\"arn:aws:s3:::acme-backups/*\"]|"
              "arn:aws:iam::111122223333:policy/BackupReadOnly");
}

static void test_policies(void **state)
{
  assert_rows(store(state),
              "SELECT native_id, name, kind, attrs FROM policies "
              "WHERE kind = 'managed' ORDER BY id",
              "arn:aws:iam::aws:policy/AdministratorAccess|"
              "AdministratorAccess|managed|{\"default_version\":\"v1\","
              "\"attachment_count\":2,\"aws_managed\":true}\n"
              "arn:aws:iam::aws:policy/ReadOnlyAccess|ReadOnlyAccess|"
              "managed|{\"default_version\":\"v3\",\"attachment_count\":2,"
              "\"aws_managed\":true}\n"
              "arn:aws:iam::aws:policy/aws-service-role/"
              "AWSSupportServiceRolePolicy|AWSSupportServiceRolePolicy|"
              "managed|{\"default_version\":\"v1\",\"attachment_count\":1,"
              "\"aws_managed\":true}\n"
              "arn:aws:iam::111122223333:policy/BackupReadOnly|"
              "BackupReadOnly|managed|{\"default_version\":\"v2\","
              "\"attachment_count\":1,\"aws_managed\":false}\n"
              "arn:aws:iam::111122223333:policy/BoundaryPolicy|"
              "BoundaryPolicy|managed|{\"default_version\":\"v1\","
              "\"attachment_count\":0,\"aws_managed\":false}");
  assert_rows(store(state),
              "SELECT document FROM policies WHERE name = 'BackupReadOnly'",
              "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
              "\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:ListBucket\"],"
              "\"Resource\":[\"arn:aws:s3:::acme-backups\","
              "\"arn:aws:s3:::acme-backups/*\"]}]}");
  assert_rows(store(state),
              "SELECT native_id, name FROM policies WHERE kind = 'inline' "
              "ORDER BY id",
              "arn:aws:iam::111122223333:group/developers#"
              "orders-table-read|orders-table-read\n"
              "arn:aws:iam::111122223333:role/cross-account-audit#"
              "iam-read-only|iam-read-only\n"
              "arn:aws:iam::111122223333:role/orders-lambda#orders-data|"
              "orders-data\n"
              "arn:aws:iam::111122223333:user/alice#reports-read|"
              "reports-read");
  assert_rows(store(state),
              "SELECT count(*) FROM policies p JOIN identities i "
              "ON p.native_id = i.native_id || '#trust' "
              "WHERE p.kind = 'trust' AND p.name = 'trust'", "7");
  assert_rows(store(state),
              "SELECT document FROM policies WHERE native_id = "
              "'arn:aws:iam::111122223333:role/orders-lambda#trust'",
              "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
              "\"Allow\",\"Principal\":{\"Service\":"
              "\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}");
}

static void test_trust_edges(void **state)
{
  assert_rows(store(state),
              "SELECT substr(to_ref, 32), from_type, from_ref, actions, "
              "condition, attrs FROM edges WHERE kind = 'can_assume' "
              "ORDER BY id",
              "aws-service-role/support.amazonaws.com/"
              "AWSServiceRoleForSupport|service|support.amazonaws.com|"
              "[\"sts:AssumeRole\"]|NULL|NULL\n"
              "aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_"
              "AdministratorAccess_8f3c2a1b9d7e6f50|federated|"
              "arn:aws:iam::111122223333:saml-provider/AWSSSO_"
              "5a1b2c3d4e5f6a7b_DO_NOT_DELETE|[\"sts:AssumeRoleWithSAML\","
              "\"sts:TagSession\"]|{\"StringEquals\":{\"SAML:aud\":"
              "\"https://signin.aws.amazon.com/saml\"}}|NULL\n"
              "ci-deployer|federated|arn:aws:iam::111122223333:"
              "oidc-provider/token.actions.githubusercontent.com|"
              "[\"sts:AssumeRoleWithWebIdentity\"]|{\"StringEquals\":"
              "{\"token.actions.githubusercontent.com:aud\":"
              "\"sts.amazonaws.com\"},\"StringLike\":"
              "{\"token.actions.githubusercontent.com:sub\":"
              "\"repo:acme/*\"}}|NULL\n"
              "cross-account-audit|account|arn:aws:iam::444455556666:root|"
              "[\"sts:AssumeRole\"]|{\"StringEquals\":{\"sts:ExternalId\":"
              "\"acme-audit-7731\"}}|{\"sid\":\"AuditTrust\"}\n"
              "cross-account-audit|account|arn:aws:iam::444455556666:root|"
              "[\"sts:AssumeRole\"]|{\"StringEquals\":{\"sts:ExternalId\":"
              "\"acme-audit-7731\"}}|{\"sid\":\"AuditTrust\"}\n"
              "cross-account-audit|identity|arn:aws:iam::444455556666:"
              "role/auditor|[\"sts:AssumeRole\"]|{\"StringEquals\":"
              "{\"sts:ExternalId\":\"acme-audit-7731\"}}|"
              "{\"sid\":\"AuditTrust\"}\n"
              "public-reader|any|*|[\"sts:AssumeRole\"]|NULL|NULL\n"
              "public-reader|any|*|[\"sts:AssumeRole\"]|"
              "{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-a1b2c3d4e5\"}}|"
              "NULL\n"
              "orders-lambda|service|lambda.amazonaws.com|"
              "[\"sts:AssumeRole\"]|NULL|NULL\n"
              "app-server|service|ec2.amazonaws.com|[\"sts:AssumeRole\"]|"
              "NULL|NULL");
  assert_rows(store(state),
              "SELECT DISTINCT to_type, substr(to_ref, 1, 31) FROM edges "
              "WHERE kind = 'can_assume'",
              "identity|arn:aws:iam::111122223333:role/");
}

static void test_membership_edges(void **state)
{
  assert_rows(store(state),
              "SELECT from_type, from_ref, to_type, to_ref, actions, "
              "condition, attrs FROM edges WHERE kind = 'member_of' "
              "ORDER BY id",
              "identity|arn:aws:iam::111122223333:user/alice|group|"
              "arn:aws:iam::111122223333:group/developers|NULL|NULL|NULL\n"
              "identity|arn:aws:iam::111122223333:user/automation/"
              "report-runner|group|arn:aws:iam::111122223333:group/"
              "developers|NULL|NULL|NULL");
}

static void test_resources(void **state)
{
  assert_rows(store(state),
              "SELECT native_id, type, account, name, provider FROM "
              "resources ORDER BY native_id",
              "arn:aws:dynamodb:eu-west-1:111122223333:table/Orders|"
              "dynamodb-table|111122223333|Orders|aws\n"
              "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-"
              "56ef-1234567890ab|kms-key|111122223333|1234abcd-12ab-34cd-"
              "56ef-1234567890ab|aws\n"
              "arn:aws:lambda:eu-west-1:111122223333:function:orders-notify|"
              "lambda-function|111122223333|orders-notify|aws\n"
              "arn:aws:rds:eu-west-1:111122223333:db:orders-db|rds-db|"
              "111122223333|orders-db|aws\n"
              "arn:aws:s3:::acme-backups|s3-bucket|NULL|acme-backups|aws\n"
              "arn:aws:s3:::acme-orders|s3-bucket|NULL|acme-orders|aws\n"
              "arn:aws:s3:::acme-reports|s3-bucket|NULL|acme-reports|aws\n"
              "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/"
              "orders/db-AbCdEf|secretsmanager-secret|111122223333|"
              "db-AbCdEf|aws\n"
              "arn:aws:sns:eu-west-1:111122223333:orders-events|sns-topic|"
              "111122223333|orders-events|aws\n"
              "arn:aws:sqs:eu-west-1:111122223333:orders-queue|sqs-queue|"
              "111122223333|orders-queue|aws\n"
              "arn:aws:ssm:eu-west-1:111122223333:parameter/prod/orders/"
              "api-url|ssm-parameter|111122223333|api-url|aws");
}

/* Every evidence row an import wrote, in order. */
static char *dump(struct nhi_store *s)
{
  static const char *const sql =
    "SELECT 'identity', * FROM identities UNION ALL "
    "SELECT 'policy', id, source_id, provider, native_id, name, kind, "
    "document, attrs, NULL, NULL, NULL, NULL, NULL, NULL FROM policies "
    "UNION ALL SELECT 'grant', *, NULL, NULL FROM grants UNION ALL "
    "SELECT 'edge', *, NULL, NULL, NULL, NULL FROM edges UNION ALL "
    "SELECT 'resource', *, NULL, NULL FROM resources";

  return rows(s, sql);
}

static void check_same_rows(void **state, const char *path)
{
  char *want = dump(store(state)), *got;
  struct run r;

  run_import(&r, path);
  assert_int_equal(r.rc, NHI_OK);
  got = dump(r.s);
  if (strcmp(want, got) != 0) {
    print_error("--- from gaad.json:\n%s\n--- from %s:\n%s\n", want, path,
                got);
    fail_msg("%s gives other rows than gaad.json", path);
  }
  assert_true(strlen(got) > 1000);
  free(want);
  free(got);
  run_free(&r);
}

static void test_url_encoded_documents(void **state)
{
  check_same_rows(state, DIR "gaad-urlencoded.json");
}

static void test_plain_string_documents(void **state)
{
  check_same_rows(state, DIR "gaad-plain-strings.json");
}

static void test_filtered_export(void **state)
{
  struct run r;

  run_import(&r, DIR "gaad-filtered.json");
  assert_int_equal(r.rc, NHI_OK);
  assert_int_equal(r.stats.grants, 0);
  assert_rows(r.s, "SELECT attrs ->> '$.attached_policies', "
              "attrs ->> '$.unresolved_policies' FROM identities",
              "[\"arn:aws:iam::aws:policy/AdministratorAccess\"]|"
              "[\"arn:aws:iam::aws:policy/AdministratorAccess\"]");
  assert_rows(r.s, "SELECT from_type, from_ref, condition FROM edges",
              "account|arn:aws:iam::111122223333:root|"
              "{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}");
  assert_rows(r.s, "SELECT count(*) FROM grants", "0");
  run_free(&r);
}

static void test_truncated_export(void **state)
{
  struct run r;

  run_import(&r, DIR "gaad-truncated.json");
  assert_int_equal(r.rc, NHI_OK);
  assert_int_equal(r.stats.truncated, 1);
  assert_int_equal(r.stats.identities, 1);
  assert_string_equal(r.log, "nhiscope: warning: '" DIR "gaad-truncated"
                      ".json': the export is incomplete (IsTruncated is "
                      "true): re-export without --max-items to get every "
                      "identity\n");
  assert_rows(r.s, "SELECT name, kind FROM identities", "carol|user");
  run_free(&r);
}

static void test_malformed_json(void **state)
{
  struct run r;

  run_import(&r, DIR "malformed.json");
  assert_int_equal(r.rc, NHI_ERR_INPUT);
  assert_string_equal(r.log, "nhiscope: error: cannot read '" DIR
                      "malformed.json': line 15, column 5: unexpected end "
                      "of input\n");
  assert_int_equal(r.stats.identities, 0);
  run_free(&r);
}

static void test_empty_file(void **state)
{
  struct run r;

  run_import(&r, DIR "empty.json");
  assert_int_equal(r.rc, NHI_ERR_INPUT);
  assert_string_equal(r.log, "nhiscope: error: cannot read '" DIR
                      "empty.json': file is empty\n");
  run_free(&r);
}

static void test_missing_file(void **state)
{
  struct run r;

  run_import(&r, DIR "no-such-export.json");
  assert_int_equal(r.rc, NHI_ERR_INPUT);
  assert_logged(&r, "cannot read '" DIR "no-such-export.json': No such "
                "file or directory");
  run_free(&r);
}

static void test_wrong_export_type(void **state)
{
  struct run r;

  run_import(&r, DIR "list-users.json");
  assert_int_equal(r.rc, NHI_ERR_INPUT);
  assert_string_equal(r.log, "nhiscope: error: cannot read '" DIR
                      "list-users.json': not an AWS get-account-"
                      "authorization-details export (expected "
                      "UserDetailList, RoleDetailList, GroupDetailList or "
                      "Policies)\n");
  assert_rows(r.s, "SELECT count(*) FROM identities", "0");
  run_free(&r);
}

static void test_top_level_array(void **state)
{
  expect_error("[{\"RoleDetailList\": []}]",
               "not an AWS get-account-authorization-details export: the "
               "top level is an array (expected an object with "
               "UserDetailList, RoleDetailList, GroupDetailList or "
               "Policies)");
}

static void test_undecodable_trust_document(void **state)
{
  struct run r;

  run_import(&r, DIR "bad-trust.json");
  assert_int_equal(r.rc, NHI_ERR_INPUT);
  assert_string_equal(r.log, "nhiscope: error: cannot read '" DIR
                      "bad-trust.json': RoleDetailList[3] (ci-deployer): "
                      "AssumeRolePolicyDocument: URL-encoded document: "
                      "invalid percent-escape at character 191\n");
  run_free(&r);
}

static void test_encoded_document_not_json(void **state)
{
  expect_error("{\"RoleDetailList\": [{\"RoleName\": \"r\", \"Arn\": "
               "\"arn:aws:iam::111122223333:role/r\", "
               "\"AssumeRolePolicyDocument\": \"%7B%22Version%22%3A\"}]}",
               "RoleDetailList[0] (r): AssumeRolePolicyDocument: "
               "URL-decoded document: line 1, column 12: unexpected end of "
               "input");
}

static void test_list_not_an_array(void **state)
{
  expect_error("{\"RoleDetailList\": {\"RoleName\": \"r\"}}",
               "RoleDetailList is not an array");
}

static void test_arn_missing(void **state)
{
  expect_error("{\"UserDetailList\": [{\"UserName\": \"u\", "
               "\"Arn\": \"arn:aws:iam::111122223333:user/u\"}, "
               "{\"UserName\": \"ci-bot\"}]}",
               "UserDetailList[1] (ci-bot): Arn is missing");
}

static void test_field_wrong_type(void **state)
{
  expect_error("{\"UserDetailList\": [{\"UserName\": \"u\", "
               "\"Arn\": \"arn:aws:iam::111122223333:user/u\", "
               "\"AttachedManagedPolicies\": [{\"PolicyArn\": 7}]}]}",
               "UserDetailList[0] (u): AttachedManagedPolicies[0]: "
               "PolicyArn is not a string");
  expect_error("{\"Policies\": [{\"PolicyName\": \"p\", \"Arn\": "
               "\"arn:aws:iam::111122223333:policy/p\", "
               "\"PolicyVersionList\": [{\"VersionId\": \"v1\", "
               "\"IsDefaultVersion\": true, \"Document\": {\"Statement\": "
               "[{\"Effect\": \"Allow\", \"Action\": 3}]}}]}]}",
               "Policies[0] (p): PolicyVersionList[0]: Document: "
               "Statement[0].Action: expected a string or an array of "
               "strings");
  expect_error("{\"GroupDetailList\": [{\"GroupName\": \"g\", \"Arn\": "
               "\"arn:aws:iam::111122223333:group/g\", \"GroupPolicyList\": "
               "[{\"PolicyName\": \"x\", \"PolicyDocument\": \"{\\\"Stat"
               "ement\\\": {\\\"Effect\\\": \\\"Permit\\\"}}\"}]}]}",
               "GroupDetailList[0] (g): GroupPolicyList[0]: "
               "PolicyDocument: Statement.Effect: expected \"Allow\" or "
               "\"Deny\"");
  expect_error("{\"RoleDetailList\": [{\"RoleName\": \"r\", \"Arn\": "
               "\"arn:aws:iam::111122223333:role/r\", \"CreateDate\": "
               "\"yesterday\"}]}",
               "RoleDetailList[0] (r): CreateDate is not a date: "
               "'yesterday'");
}

int main(void)
{
  const struct CMUnitTest full[] = {
#define FULL(t) cmocka_unit_test_setup_teardown(t, setup_full, teardown_run)
    FULL(test_stats_count_rows),
    FULL(test_role_row),
    FULL(test_role_unused_in_window),
    FULL(test_role_kinds),
    FULL(test_user_row),
    FULL(test_user_human_or_machine),
    FULL(test_groups_are_not_identities),
    FULL(test_grants_own_policies),
    FULL(test_grants_inherited_from_group),
    FULL(test_grants_not_action_not_resource),
    FULL(test_grants_default_version_only),
    FULL(test_policies),
    FULL(test_trust_edges),
    FULL(test_membership_edges),
    FULL(test_resources),
    FULL(test_url_encoded_documents),
    FULL(test_plain_string_documents),
#undef FULL
    cmocka_unit_test(test_filtered_export),
    cmocka_unit_test(test_truncated_export),
    cmocka_unit_test(test_malformed_json),
    cmocka_unit_test(test_empty_file),
    cmocka_unit_test(test_missing_file),
    cmocka_unit_test(test_wrong_export_type),
    cmocka_unit_test(test_top_level_array),
    cmocka_unit_test(test_undecodable_trust_document),
    cmocka_unit_test(test_encoded_document_not_json),
    cmocka_unit_test(test_list_not_an_array),
    cmocka_unit_test(test_arn_missing),
    cmocka_unit_test(test_field_wrong_type),
  };

  return cmocka_run_group_tests(full, NULL, NULL);
}
