/* Unit tests for the AWS CloudTrail trail configuration importer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import_util.h"
#include "importers.h"
#include "store.h"
#include "support/store_rows.h"

/* Tests run from the repository root, like the build. */
#define DIR "tests/fixtures/aws/trails/"
#define ORG "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-audit"
#define LEGACY "arn:aws:cloudtrail:eu-central-1:111122223333:trail/" \
  "legacy-euc1"

struct run {
  struct nhi_store *s;
  struct nhi_import_stats stats;
  enum nhi_rc rc;
  char *log;
};

static void open_store(struct run *r)
{
  memset(r, 0, sizeof *r);
  if (nhi_store_open(":memory:", &r->s) || nhi_store_begin(r->s))
    fail_msg("cannot set up an in-memory evidence store");
}

static void import_into(struct run *r, const char *path)
{
  char log[] = "/tmp/nhi-test-trails-log-XXXXXX";
  int fd = mkstemp(log), saved = dup(STDERR_FILENO);

  if (fd < 0 || saved < 0 || dup2(fd, STDERR_FILENO) < 0)
    fail_msg("cannot capture stderr");
  r->rc = nhi_import_aws_trails(r->s, path, 0, &r->stats);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  r->log = slurp(log);
  unlink(log);
  if (!r->log)
    fail_msg("cannot read the captured stderr");
}

static void run_import(struct run *r, const char *path)
{
  open_store(r);
  import_into(r, path);
}

static void run_free(struct run *r)
{
  nhi_store_rollback(r->s);
  nhi_store_close(r->s);
  free(r->log);
}

/* The first column of the first row sql gives, malloc'd; "NULL" for
 * NULL and "" when there is no row. */
static char *value(struct nhi_store *s, const char *sql, const char *arg)
{
  sqlite3_stmt *st = NULL;
  const char *v = "";
  char *out;

  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL))
    fail_msg("bad test query: %s: %s", sql, sqlite3_errmsg(s->db));
  if (arg)
    sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_text(st, 0) ?
        (const char *)sqlite3_column_text(st, 0) : "NULL";
  out = strdup(v);
  sqlite3_finalize(st);
  if (!out)
    fail_msg("out of memory");
  return out;
}

#define assert_value(s, sql, arg, want)                                  \
  check_value((s), (sql), (arg), (want), __LINE__)

static void check_value(struct nhi_store *s, const char *sql,
                        const char *arg, const char *want, int line)
{
  char *got = value(s, sql, arg);

  if (strcmp(got, want) != 0) {
    print_error("line %d: %s [%s]\n--- expected:\n%s\n--- got:\n%s\n",
                line, sql, arg ? arg : "", want, got);
    free(got);
    fail_msg("query result differs (line %d)", line);
  }
  free(got);
}

/* One attribute of the trail or account resource native_id names. */
#define assert_attr(s, id, path, want)                                   \
  check_value((s), "SELECT attrs ->> '" path "' FROM resources "          \
              "WHERE native_id = ?", (id), (want), __LINE__)

static void expect_ok(const struct run *r)
{
  if (r->rc != NHI_OK)
    fail_msg("import failed (%d): %s", r->rc, r->log);
}

static void expect_error(const char *path, const char *want)
{
  char expected[1024];
  struct run r;

  run_import(&r, path);
  snprintf(expected, sizeof expected, "nhiscope: error: cannot read '%s': "
           "%s\n", path, want);
  if (r.rc != NHI_ERR_INPUT)
    fail_msg("expected NHI_ERR_INPUT for %s, got %d", path, r.rc);
  if (strcmp(r.log, expected) != 0)
    fail_msg("expected the message\n  %s but stderr was\n  %s", expected,
             r.log);
  run_free(&r);
}

static void test_folder_rows(void **state)
{
  struct run r;

  (void)state;
  run_import(&r, DIR "full");
  expect_ok(&r);
  assert_string_equal(r.log, "");
  assert_int_equal(r.stats.files, 4);
  assert_int_equal(r.stats.records, 2);
  assert_string_equal(r.stats.account, "111122223333");
  assert_value(r.s, "SELECT group_concat(type || ' ' || name || ' ' || "
               "account, ', ') FROM (SELECT * FROM resources ORDER BY "
               "native_id)", NULL,
               "cloudtrail-account 111122223333 111122223333, "
               "cloudtrail-trail legacy-euc1 111122223333, "
               "cloudtrail-trail org-audit 111122223333");
  run_free(&r);
}

static void test_trail_settings(void **state)
{
  struct run r;

  (void)state;
  run_import(&r, DIR "full");
  expect_ok(&r);
  assert_attr(r.s, ORG, "$.is_multi_region", "1");
  assert_attr(r.s, ORG, "$.log_file_validation", "1");
  assert_attr(r.s, ORG, "$.include_global_events", "1");
  assert_attr(r.s, ORG, "$.is_organization_trail", "0");
  assert_attr(r.s, ORG, "$.home_region", "us-east-1");
  assert_attr(r.s, ORG, "$.s3_bucket", "acme-cloudtrail-logs");
  assert_attr(r.s, LEGACY, "$.is_multi_region", "0");
  assert_attr(r.s, LEGACY, "$.log_file_validation", "0");
  assert_attr(r.s, LEGACY, "$.include_global_events", "0");
  run_free(&r);
}

static void test_status_by_file_name(void **state)
{
  struct run r;

  (void)state;
  run_import(&r, DIR "full");
  expect_ok(&r);
  assert_attr(r.s, ORG, "$.is_logging", "1");
  assert_attr(r.s, ORG, "$.latest_delivery_time", "2026-12-01T08:52:11Z");
  assert_attr(r.s, LEGACY, "$.is_logging", "0");
  assert_attr(r.s, LEGACY, "$.stop_logging_time", "2024-03-02T11:45:19Z");
  run_free(&r);
}

static void test_advanced_selectors(void **state)
{
  struct run r;

  (void)state;
  run_import(&r, DIR "full");
  expect_ok(&r);
  assert_attr(r.s, ORG, "$.selectors_known", "1");
  assert_attr(r.s, ORG, "$.management_events", "all");
  assert_attr(r.s, ORG, "$.data_event_scope",
              "{\"s3\":[\"arn:aws:s3:::acme-support-kb/\","
              "\"arn:aws:s3:::acme-finance/reports/\"],"
              "\"dynamodb\":\"all\",\"lambda\":\"all\"}");
  assert_attr(r.s, ORG, "$.data_event_exclusions",
              "{\"lambda\":[\"arn:aws:lambda:us-east-1:111122223333:"
              "function:healthcheck\"]}");
  assert_attr(r.s, ORG, "$.data_event_scope_partial", "1");
  assert_attr(r.s, ORG, "$.advanced_event_selectors[1].Name",
              "S3 reads of two buckets");
  run_free(&r);
}

/* Without custom selectors a trail logs management events only. */
static void test_default_selectors(void **state)
{
  struct run r;

  (void)state;
  run_import(&r, DIR "full");
  expect_ok(&r);
  assert_attr(r.s, LEGACY, "$.selectors_known", "1");
  assert_attr(r.s, LEGACY, "$.management_events", "all");
  assert_attr(r.s, LEGACY, "$.data_event_scope", "{}");
  run_free(&r);
}

static void test_basic_selectors(void **state)
{
  const char *id = "arn:aws:cloudtrail:us-east-1:111122223333:trail/main";
  struct run r;

  (void)state;
  run_import(&r, DIR "basic-selectors.json");
  expect_ok(&r);
  assert_attr(r.s, id, "$.management_events", "all");
  assert_attr(r.s, id, "$.data_event_scope",
              "{\"s3\":\"all\",\"lambda\":[\"arn:aws:lambda:us-east-1:"
              "111122223333:function:ship-order\"]}");
  assert_attr(r.s, id, "$.event_selectors[1].ReadWriteType", "WriteOnly");
  assert_attr(r.s, id, "$.data_event_scope_partial", "NULL");
  assert_value(r.s, "SELECT count(*) FROM resources "
               "WHERE type = 'cloudtrail-account'", NULL, "0");
  run_free(&r);
}

static void test_get_trail(void **state)
{
  const char *id = "arn:aws:cloudtrail:us-east-1:111122223333:trail/main";
  struct run r;

  (void)state;
  run_import(&r, DIR "get-trail.json");
  expect_ok(&r);
  assert_attr(r.s, id, "$.name", "main");
  assert_attr(r.s, id, "$.is_multi_region", "1");
  assert_attr(r.s, "arn:aws:cloudtrail:::account/111122223333",
              "$.trail_count", "1");
  run_free(&r);
}

/* An empty trailList is a fact: the account has no trail. */
static void test_empty_trail_list(void **state)
{
  struct run r;

  (void)state;
  run_import(&r, DIR "empty");
  expect_ok(&r);
  assert_value(r.s, "SELECT count(*) FROM resources WHERE type = "
               "'cloudtrail-trail'", NULL, "0");
  assert_attr(r.s, "arn:aws:cloudtrail:::account/unknown",
              "$.trail_count", "0");
  assert_attr(r.s, "arn:aws:cloudtrail:::account/unknown",
              "$.trails_collected", "1");
  assert_string_equal(r.stats.account, "");
  run_free(&r);
}

/* With IAM already imported, the account is the identities' one. */
static void test_empty_trail_list_account_from_store(void **state)
{
  struct nhi_row row;
  struct run r;

  (void)state;
  open_store(&r);
  nhi_row_start(&row, NHI_T_IDENTITY);
  nhi_row_text(&row, "provider", "aws");
  nhi_row_text(&row, "account", "444455556666");
  nhi_row_text(&row, "native_id", "arn:aws:iam::444455556666:role/x");
  nhi_row_text(&row, "kind", "role");
  if (nhi_row_put(r.s, &row, NULL))
    fail_msg("cannot write an identity");
  import_into(&r, DIR "empty");
  expect_ok(&r);
  assert_attr(r.s, "arn:aws:cloudtrail:::account/444455556666",
              "$.trail_count", "0");
  assert_string_equal(r.stats.account, "444455556666");
  run_free(&r);
}

static void test_status_without_a_trail_name(void **state)
{
  struct run r;

  (void)state;
  run_import(&r, DIR "ambiguous");
  expect_ok(&r);
  assert_non_null(strstr(r.log, "ambiguous/status.json': skipped: cannot "
                         "tell which trail"));
  assert_value(r.s, "SELECT count(*) FROM resources "
               "WHERE attrs ->> '$.is_logging' IS NOT NULL", NULL, "0");
  run_free(&r);
}

static void test_wrong_file_type(void **state)
{
  (void)state;
  expect_error(DIR "list-users.json", "not a CloudTrail trail export "
               "(expected the output of aws cloudtrail describe-trails, "
               "get-trail, get-event-selectors or get-trail-status)");
}

static void test_trail_without_arn(void **state)
{
  (void)state;
  expect_error(DIR "bad-trail.json", "trailList[0]: TrailARN is missing");
}

static void test_setting_of_wrong_type(void **state)
{
  (void)state;
  expect_error(DIR "bad-bool.json",
               "trailList[0] (legacy-euc1): IsMultiRegionTrail is not a "
               "boolean");
}

static void test_malformed_json(void **state)
{
  char path[] = "/tmp/nhi-test-trails-XXXXXX";
  int fd = mkstemp(path);

  (void)state;
  if (fd < 0 || write(fd, "{\"trailList\": [}", 16) != 16)
    fail_msg("cannot write a temporary file");
  close(fd);
  expect_error(path, "line 1, column 16: unexpected '}'");
  unlink(path);
}

static void test_folder_without_json(void **state)
{
  char dir[] = "/tmp/nhi-test-trails-dir-XXXXXX";

  (void)state;
  if (!mkdtemp(dir))
    fail_msg("cannot create a temporary folder");
  expect_error(dir, "no *.json files in it");
  rmdir(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_folder_rows),
    cmocka_unit_test(test_trail_settings),
    cmocka_unit_test(test_status_by_file_name),
    cmocka_unit_test(test_advanced_selectors),
    cmocka_unit_test(test_default_selectors),
    cmocka_unit_test(test_basic_selectors),
    cmocka_unit_test(test_get_trail),
    cmocka_unit_test(test_empty_trail_list),
    cmocka_unit_test(test_empty_trail_list_account_from_store),
    cmocka_unit_test(test_status_without_a_trail_name),
    cmocka_unit_test(test_wrong_file_type),
    cmocka_unit_test(test_trail_without_arn),
    cmocka_unit_test(test_setting_of_wrong_type),
    cmocka_unit_test(test_malformed_json),
    cmocka_unit_test(test_folder_without_json),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
