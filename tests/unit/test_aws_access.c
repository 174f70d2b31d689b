/* Unit tests for data access edges (can_read, can_write) and resource
 * sensitivity from tags, over a small evidence store. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_access.h"
#include "import_util.h"
#include "sensitivity.h"
#include "strutil.h"
#include "support/aws_rows.h"

#define ACCT "111122223333"
#define IAM "arn:aws:iam::" ACCT ":"
#define READER IAM "role/reader"
#define WRITER IAM "user/service/writer"
#define PARTNER IAM "role/partner"
#define DENIED IAM "role/denied"
#define VPCE IAM "role/vpce-only"
#define KEYUSER IAM "role/key-user"
#define KEYNAMED IAM "role/key-named"
#define BUCKET "arn:aws:s3:::acme-data"
#define OTHER "arn:aws:s3:::acme-other"
#define SECRET "arn:aws:secretsmanager:eu-west-1:" ACCT ":secret:db-AbCdEf"
#define KEY "arn:aws:kms:eu-west-1:" ACCT ":key/0000-guarded"
#define BAREKEY "arn:aws:kms:eu-west-1:" ACCT ":key/1111-no-policy"

#define DOC(stmts) "{\"Version\":\"2012-10-17\",\"Statement\":[" stmts "]}"

static long long put_identity(struct nhi_store *s, const char *arn,
                              const char *kind)
{
  return aws_put_identity(s, &(struct aws_identity){
    .arn = arn, .account = ACCT, .kind = kind });
}

static void put_grant(struct nhi_store *s, long long id, const char *effect,
                      const char *actions, const char *resources,
                      const char *condition)
{
  aws_put_grant(s, id, &(struct aws_grant){
    .effect = effect, .actions = actions, .resources = resources,
    .condition = condition });
}

static void put_resource(struct nhi_store *s, const char *arn,
                         const char *type, const char *tags,
                         const char *label)
{
  aws_put_resource(s, &(struct aws_resource){
    .arn = arn, .type = type, .tags = tags, .label = label });
}

static void put_policy(struct nhi_store *s, const char *arn,
                       const char *doc)
{
  aws_put_policy(s, arn, "resource", doc);
}

static void put_identities(struct nhi_store *s)
{
  long long denied;

  put_grant(s, put_identity(s, READER, "role"), "allow",
            "[\"s3:GetObject\",\"s3:ListBucket\"]",
            "[\"" BUCKET "\",\"" BUCKET "/reports/*\"]", NULL);
  put_grant(s, put_identity(s, WRITER, "service_account"), "allow",
            "[\"s3:Put*\"]", "[\"arn:aws:s3:::acme-*\"]", NULL);
  put_identity(s, PARTNER, "role");
  denied = put_identity(s, DENIED, "role");
  put_grant(s, denied, "allow", "[\"s3:*\"]", "[\"*\"]", NULL);
  put_grant(s, denied, "deny", "[\"s3:*\"]", "[\"" BUCKET "\",\"" BUCKET
            "/*\"]", NULL);
  put_grant(s, put_identity(s, VPCE, "role"), "allow",
            "[\"secretsmanager:GetSecretValue\"]", "[\"" SECRET "\"]",
            "{\"StringEquals\":{\"aws:SourceVpce\":\"vpce-1a2b3c\"}}");
  put_grant(s, put_identity(s, KEYUSER, "role"), "allow",
            "[\"kms:Decrypt\"]", "[\"*\"]", NULL);
  put_identity(s, KEYNAMED, "role");
  put_identity(s, "arn:aws:iam::" ACCT ":root", "user");
}

static void put_resources(struct nhi_store *s)
{
  put_resource(s, BUCKET, "s3-bucket",
               "{\"DataClassification\":\"Confidential\"}", NULL);
  put_resource(s, OTHER, "s3-bucket",
               "{\"data_classification\":\"internal\","
               "\"Confidentiality\":\"RESTRICTED\"}", NULL);
  put_resource(s, SECRET, "secretsmanager-secret",
               "{\"sensitivity\":\"public\"}", "restricted");
  put_resource(s, KEY, "kms-key", "{\"classification\":\"secret\"}",
               NULL);
  put_resource(s, BAREKEY, "kms-key", NULL, NULL);
  put_policy(s, BUCKET, DOC("{\"Effect\":\"Allow\",\"Principal\":"
             "{\"AWS\":\"" PARTNER "\"},\"Action\":\"s3:GetObject\","
             "\"Resource\":\"" BUCKET "/shared/*\"}"));
  put_policy(s, KEY, DOC("{\"Effect\":\"Allow\",\"Principal\":"
             "{\"AWS\":\"" KEYNAMED "\"},\"Action\":\"kms:*\","
             "\"Resource\":\"*\"}"));
}

static int setup(void **state)
{
  struct nhi_store *s = NULL;

  if (nhi_store_open(":memory:", &s))
    fail_msg("cannot open a store");
  put_identities(s);
  put_resources(s);
  if (nhi_aws_access_derive(s, NULL, NULL))
    fail_msg("the derivation failed");
  *state = s;
  return 0;
}

static int teardown(void **state)
{
  nhi_store_close(*state);
  return 0;
}

/* One text answer of sql with two parameters, malloc'd; NULL when
 * there is no row. */
static char *query(struct nhi_store *s, const char *sql, const char *a,
                   const char *b)
{
  sqlite3_stmt *st = NULL;
  char *out = NULL;

  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL))
    fail_msg("bad test query: %s", sqlite3_errmsg(s->db));
  sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    out = strdup((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return out;
}

/* "actions decision [objects] [condition key]" of the edge of kind from
 * identity to resource, or NULL when there is none. */
static char *edge(struct nhi_store *s, const char *kind, const char *from,
                  const char *to)
{
  char *sql, *out;

  sql = nhi_aprintf("SELECT actions || ' ' || json_extract(attrs,"
                    " '$.decision') || coalesce(' ' || json_extract(attrs,"
                    " '$.objects'), '') || coalesce(' ' ||"
                    " json_extract(attrs, '$.indeterminate[0]"
                    ".condition_key'), '') FROM edges WHERE kind = '%s'"
                    " AND from_ref = ?1 AND to_ref = ?2", kind);
  if (!sql)
    fail_msg("out of memory");
  out = query(s, sql, from, to);
  free(sql);
  return out;
}

static void expect_edge(struct nhi_store *s, const char *kind,
                        const char *from, const char *to, const char *want)
{
  char *got = edge(s, kind, from, to);

  if (!want && got)
    fail_msg("%s %s -> %s: expected no edge, got %s", kind, from, to, got);
  if (want && (!got || strcmp(got, want) != 0))
    fail_msg("%s %s -> %s: expected '%s', got '%s'", kind, from, to, want,
             got ? got : "(none)");
  free(got);
}

static void test_reader_through_identity_policy(void **state)
{
  expect_edge(*state, "can_read", READER, BUCKET,
              "[\"s3:GetObject\"] allow [\"reports/*\"]");
  expect_edge(*state, "can_write", READER, BUCKET, NULL);
}

static void test_writer_through_identity_policy(void **state)
{
  expect_edge(*state, "can_write", WRITER, BUCKET,
              "[\"s3:PutObject\"] allow [\"*\"]");
  expect_edge(*state, "can_write", WRITER, OTHER,
              "[\"s3:PutObject\"] allow [\"*\"]");
  expect_edge(*state, "can_read", WRITER, BUCKET, NULL);
}

static void test_bucket_policy_grants_a_role(void **state)
{
  char *via = query(*state, "SELECT json_extract(attrs, '$.via[0]') FROM"
                    " edges WHERE from_ref = ?1 AND to_ref = ?2",
                    PARTNER, BUCKET);

  expect_edge(*state, "can_read", PARTNER, BUCKET,
              "[\"s3:GetObject\"] allow [\"shared/*\"]");
  assert_non_null(via);
  assert_string_equal(via, "resource");
  free(via);
  expect_edge(*state, "can_read", PARTNER, OTHER, NULL);
}

static void test_explicit_deny_removes_the_edge(void **state)
{
  expect_edge(*state, "can_read", DENIED, BUCKET, NULL);
  expect_edge(*state, "can_write", DENIED, BUCKET, NULL);
  expect_edge(*state, "can_read", DENIED, OTHER,
              "[\"s3:GetObject\",\"s3:GetObjectVersion\"] allow [\"*\"]");
}

static void test_condition_gives_indeterminate(void **state)
{
  expect_edge(*state, "can_read", VPCE, SECRET,
              "[\"secretsmanager:GetSecretValue\"] indeterminate "
              "aws:SourceVpce");
}

static void test_key_policy_must_allow(void **state)
{
  char *why = query(*state, "SELECT json_extract(attrs,"
                    " '$.indeterminate[0].why') FROM edges WHERE"
                    " from_ref = ?1 AND to_ref = ?2", KEYUSER, BAREKEY);

  expect_edge(*state, "can_read", KEYUSER, KEY, NULL);
  expect_edge(*state, "can_read", KEYNAMED, KEY,
              "[\"kms:Decrypt\"] allow");
  expect_edge(*state, "can_read", KEYUSER, BAREKEY,
              "[\"kms:Decrypt\"] indeterminate");
  assert_non_null(why);
  assert_non_null(strstr(why, "key policy is not in the evidence"));
  free(why);
  expect_edge(*state, "can_read", KEYNAMED, BAREKEY, NULL);
}

static void test_root_is_not_asked(void **state)
{
  char *n = query(*state, "SELECT count(*) FROM edges WHERE from_ref"
                  " = ?1", IAM "root", NULL);

  assert_string_equal(n, "0");
  free(n);
}

static void test_rerun_replaces_its_edges_only(void **state)
{
  struct nhi_store *s = *state;
  struct nhi_aws_access_stats stats;
  struct nhi_row r;
  char *before, *after;

  nhi_row_start(&r, NHI_T_EDGE);
  nhi_row_text(&r, "kind", "can_read");
  nhi_row_text(&r, "from_type", "identity");
  nhi_row_text(&r, "from_ref", "some-collector-identity");
  nhi_row_text(&r, "to_type", "resource");
  nhi_row_text(&r, "to_ref", BUCKET);
  assert_int_equal(nhi_row_put(s, &r, NULL), NHI_OK);
  before = query(s, "SELECT count(*) FROM edges", NULL, NULL);
  assert_int_equal(nhi_aws_access_derive(s, NULL, &stats), NHI_OK);
  after = query(s, "SELECT count(*) FROM edges", NULL, NULL);
  assert_string_equal(before, after);
  assert_int_equal(stats.reads + stats.writes + 1, atoi(after));
  free(before);
  free(after);
}

static void test_sensitivity_from_tags(void **state)
{
  struct nhi_store *s = *state;
  const char *sql = "SELECT coalesce(sensitivity, '-') || ' ' ||"
                    " coalesce(sensitivity_source, '-') FROM resources"
                    " WHERE native_id = ?1 OR native_id = ?2";
  const char *want[][2] = {
    { BUCKET, "confidential tag" },     /* DataClassification */
    { OTHER, "restricted tag" },        /* the most sensitive tag */
    { SECRET, "restricted profile" },   /* the profile's word wins */
    { KEY, "- -" },                     /* "secret" is no level */
    { BAREKEY, "- -" },                 /* no tags */
  };
  char *got;

  assert_int_equal(nhi_sensitivity_from_tags(s), NHI_OK);
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    got = query(s, sql, want[i][0], NULL);
    if (!got || strcmp(got, want[i][1]) != 0)
      fail_msg("%s: expected '%s', got '%s'", want[i][0], want[i][1],
               got ? got : "(none)");
    free(got);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_reader_through_identity_policy,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_writer_through_identity_policy,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_bucket_policy_grants_a_role,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_explicit_deny_removes_the_edge,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_condition_gives_indeterminate,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_key_policy_must_allow, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_root_is_not_asked, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_rerun_replaces_its_edges_only,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_sensitivity_from_tags, setup,
                                    teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
