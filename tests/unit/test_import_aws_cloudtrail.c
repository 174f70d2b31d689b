/* Unit tests for the AWS CloudTrail log importer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "import_util.h"
#include "importers.h"
#include "store.h"
#include "support/store_rows.h"

/* Tests run from the repository root, like the build. */
#define DIR "tests/fixtures/aws/cloudtrail/"
#define TREE DIR "tree"
#define ACCT "arn:aws:iam::111122223333:"

/* One import into a fresh in-memory store, and what it logged. */
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

/* Imports path into r's store, chunk bytes at a time, on threads
 * readers (0: as many as the importer likes), with stderr sent to a
 * file so that messages can be checked. */
static void import_threads(struct run *r, const char *path, size_t chunk,
                           size_t max_keys, size_t threads)
{
  struct nhi_trail_tuning t = { chunk, max_keys, threads };
  char log[] = "/tmp/nhi-test-ct-log-XXXXXX";
  int fd = mkstemp(log), saved = dup(STDERR_FILENO);

  if (fd < 0 || saved < 0 || dup2(fd, STDERR_FILENO) < 0)
    fail_msg("cannot capture stderr");
  r->rc = nhi_import_aws_cloudtrail_tuned(r->s, path, 0, &r->stats, &t);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  free(r->log);
  r->log = slurp(log);
  unlink(log);
  if (!r->log)
    fail_msg("cannot read the captured stderr");
}

static void import_into(struct run *r, const char *path, size_t chunk)
{
  import_threads(r, path, chunk, 0, 0);
}

static void run_import(struct run *r, const char *path, size_t chunk)
{
  open_store(r);
  import_into(r, path, chunk);
}

static void run_free(struct run *r)
{
  nhi_store_rollback(r->s);
  nhi_store_close(r->s);
  free(r->log);
}

static void expect_ok(const struct run *r)
{
  if (r->rc != NHI_OK)
    fail_msg("import failed (%d): %s", r->rc, r->log);
}

/* Imports path and checks the one error message it logs. */
static void expect_error(const char *path, enum nhi_rc rc,
                         const char *want)
{
  char expected[1024];
  struct run r;

  run_import(&r, path, 0);
  snprintf(expected, sizeof expected, "nhiscope: error: cannot read '%s': "
           "%s\n", path, want);
  if (r.rc != rc)
    fail_msg("expected %d for %s, got %d: %s", rc, path, r.rc, r.log);
  if (strcmp(r.log, expected) != 0)
    fail_msg("expected the message\n  %s but stderr was\n  %s", expected,
             r.log);
  assert_rows(r.s, "SELECT count(*) FROM activity", "0");
  run_free(&r);
}

/* The activity of the fixture tree, in the importer's key order. */
static const char tree_activity[] =
  ACCT "role/app/orders-api|dynamodb:GetItem|"
  "arn:aws:dynamodb:us-east-1:111122223333:table/orders|198.51.100.7|"
  "2026-11-01T09:05:00Z|2026-11-01T09:05:00Z|1\n"
  ACCT "role/app/orders-api|s3:GetObject|arn:aws:s3:::acme-pii/exports/"
  "a.csv|198.51.100.7|2026-11-01T10:00:00Z|2026-11-01T10:00:00Z|1\n"
  ACCT "user/service/svc-backup|iam:ListUsers#denied|NULL|203.0.113.10|"
  "2026-11-01T11:00:00Z|2026-11-01T11:00:00Z|1\n"
  ACCT "user/service/svc-backup|s3:ListBuckets|NULL|203.0.113.10|"
  "2026-11-01T08:00:00Z|2026-11-02T08:00:00Z|3\n"
  ACCT "user/service/svc-backup|signin:ConsoleLogin#denied|NULL|"
  "192.0.2.44|2026-11-02T08:30:00Z|2026-11-02T08:30:00Z|1\n"
  "ecs-tasks.amazonaws.com|sts:AssumeRole|" ACCT "role/app/orders-api|"
  "ecs-tasks.amazonaws.com|2026-11-01T07:55:00Z|2026-11-01T07:55:00Z|1";

static const char activity_sql[] =
  "SELECT identity_ref, action, resource, source_ip, first_seen, "
  "last_seen, count FROM activity ORDER BY id";

static void test_tree(void **state)
{
  struct run r;

  (void)state;
  run_import(&r, TREE, 0);
  expect_ok(&r);
  assert_int_equal(r.stats.files, 2);
  assert_int_equal(r.stats.records, 9);
  assert_int_equal(r.stats.activity, 6);
  assert_string_equal(r.stats.account, "111122223333");
  assert_string_equal(r.log, "");
  assert_rows(r.s, activity_sql, tree_activity);
  run_free(&r);
}

/* Every chunk size splits records somewhere else; the rows stay. */
static void test_records_split_across_reads(void **state)
{
  static const size_t chunks[] = { 1, 2, 3, 7, 64, 1000 };
  struct run r;

  (void)state;
  for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
    run_import(&r, TREE, chunks[i]);
    expect_ok(&r);
    assert_int_equal(r.stats.records, 9);
    assert_rows(r.s, activity_sql, tree_activity);
    run_free(&r);
  }
}

static void test_gzip_file(void **state)
{
  struct run r;

  (void)state;
  run_import(&r, TREE "/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/"
             "01/111122223333_CloudTrail_us-east-1_20261101T1005Z_"
             "Qm3r8XyLk2PaVn7d.json.gz", 0);
  expect_ok(&r);
  assert_int_equal(r.stats.files, 1);
  assert_int_equal(r.stats.records, 6);
  assert_rows(r.s, "SELECT action, count, first_seen, last_seen "
              "FROM activity WHERE action = 's3:ListBuckets'",
              "s3:ListBuckets|2|2026-11-01T08:00:00Z|2026-11-01T09:00:00Z");
  run_free(&r);
}

static void test_plain_file(void **state)
{
  struct run r;

  (void)state;
  run_import(&r, TREE "/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/"
             "02/111122223333_CloudTrail_us-east-1_20261102T0905Z_"
             "Hc4tW9sJz1BeRq5u.json", 0);
  expect_ok(&r);
  assert_int_equal(r.stats.records, 3);
  assert_int_equal(r.stats.activity, 2);
  assert_rows(r.s, "SELECT action, user_agent FROM activity ORDER BY id",
              "s3:ListBuckets|aws-cli/2.15.0 Python/3.11.6 "
              "Linux/6.1.0-13-amd64 exe/x86_64.debian.12 prompt/off "
              "command/s3.ls\n"
              "signin:ConsoleLogin#denied|Mozilla/5.0 (Windows NT 10.0; "
              "Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0.0.0 Safari/537.36");
  run_free(&r);
}

static void test_json_lines(void **state)
{
  struct run r;

  (void)state;
  run_import(&r, DIR "events.jsonl", 5);
  expect_ok(&r);
  assert_int_equal(r.stats.records, 6);
  assert_int_equal(r.stats.activity, 5);
  assert_rows(r.s, "SELECT action, count FROM activity ORDER BY id",
              "dynamodb:GetItem|1\ns3:GetObject|1\niam:ListUsers#denied|1\n"
              "s3:ListBuckets|2\nsts:AssumeRole|1");
  run_free(&r);
}

static void test_assumed_role_is_the_role(void **state)
{
  struct run r;

  (void)state;
  run_import(&r, TREE, 0);
  expect_ok(&r);
  assert_rows(r.s, "SELECT DISTINCT identity_ref FROM activity "
              "WHERE action LIKE 'dynamodb:%' OR action LIKE 's3:Get%'",
              ACCT "role/app/orders-api");
  assert_rows(r.s, "SELECT count(*) FROM activity "
              "WHERE identity_ref LIKE 'arn:aws:sts::%'", "0");
  run_free(&r);
}

static void test_s3_resource_from_parameters(void **state)
{
  struct run r;

  (void)state;
  run_import(&r, TREE, 0);
  expect_ok(&r);
  assert_rows(r.s, "SELECT resource FROM activity "
              "WHERE action = 's3:GetObject'",
              "arn:aws:s3:::acme-pii/exports/a.csv");
  assert_rows(r.s, "SELECT resource FROM activity "
              "WHERE action = 's3:ListBuckets'", "NULL");
  run_free(&r);
}

static void test_aws_service_calls_kept(void **state)
{
  struct run r;

  (void)state;
  run_import(&r, TREE, 0);
  expect_ok(&r);
  assert_rows(r.s, "SELECT identity_id, identity_ref, user_agent "
              "FROM activity WHERE action = 'sts:AssumeRole'",
              "NULL|ecs-tasks.amazonaws.com|ecs-tasks.amazonaws.com");
  run_free(&r);
}

static void test_denied_calls_kept_apart(void **state)
{
  struct run r;

  (void)state;
  run_import(&r, TREE, 0);
  expect_ok(&r);
  assert_rows(r.s, "SELECT action FROM activity "
              "WHERE action LIKE '%#denied' ORDER BY action",
              "iam:ListUsers#denied\nsignin:ConsoleLogin#denied");
  run_free(&r);
}

/* An identity already in the store gets its rows linked. */
static void test_identity_resolved(void **state)
{
  struct nhi_row row;
  long long id = 0;
  char want[32];
  struct run r;

  (void)state;
  open_store(&r);
  nhi_row_start(&row, NHI_T_IDENTITY);
  nhi_row_text(&row, "provider", "aws");
  nhi_row_text(&row, "native_id", ACCT "user/service/svc-backup");
  nhi_row_text(&row, "kind", "service_account");
  if (nhi_row_put(r.s, &row, &id))
    fail_msg("cannot write an identity");
  import_into(&r, TREE, 0);
  expect_ok(&r);
  snprintf(want, sizeof want, "%lld|3\nNULL|3", id);
  assert_rows(r.s, "SELECT identity_id, count(*) FROM activity "
              "GROUP BY identity_id ORDER BY identity_id IS NULL", want);
  run_free(&r);
}

/* With room for two keys at a time, rows are written as the table fills:
 * a key seen again later gets a second row, and the sums stay. One
 * reader, so that which rows are split is known. */
static void test_rows_written_in_batches(void **state)
{
  struct run r;

  (void)state;
  open_store(&r);
  import_threads(&r, TREE, 0, 2, 1);
  expect_ok(&r);
  assert_int_equal(r.stats.activity, 7);
  assert_rows(r.s, "SELECT count(*), sum(count) FROM activity "
              "WHERE action = 's3:ListBuckets'", "2|3");
  assert_rows(r.s, "SELECT identity_ref, action, resource, source_ip, "
              "min(first_seen), max(last_seen), sum(count) FROM activity "
              "GROUP BY identity_ref, action, resource, source_ip, "
              "user_agent ORDER BY identity_ref, action, resource, "
              "source_ip, user_agent", tree_activity);
  run_free(&r);
}

/* Writes n events, one per second, to a gzip file at path. */
static void write_big_log(const char *path, int n)
{
  gzFile g = gzopen(path, "wb");

  if (!g)
    fail_msg("cannot write %s", path);
  gzprintf(g, "{\"Records\":[");
  for (int i = 0; i < n; i++)
    gzprintf(g, "%s{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":"
             "\"IAMUser\",\"arn\":\"" ACCT "user/u%d\",\"accountId\":"
             "\"111122223333\"},\"eventTime\":\"2026-11-03T00:%02d:%02dZ\","
             "\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":"
             "\"DescribeInstances\",\"awsRegion\":\"eu-central-1\","
             "\"sourceIPAddress\":\"203.0.113.%d\",\"userAgent\":"
             "\"Boto3/1.34.0\",\"requestParameters\":{\"filterSet\":{},"
             "\"padding\":\"%0200d\"},\"recipientAccountId\":"
             "\"111122223333\"}", i ? "," : "", i % 3, i / 60 % 60, i % 60,
             i % 2, i);
  gzprintf(g, "]}");
  if (gzclose(g) != Z_OK)
    fail_msg("cannot write %s", path);
}

/* A file larger than the default read size: records cross reads. */
static void test_file_larger_than_a_read(void **state)
{
  char path[] = "/tmp/nhi-test-ct-big-XXXXXX.json.gz";
  int fd = mkstemps(path, 8);
  struct run r;

  (void)state;
  if (fd < 0)
    fail_msg("cannot create a temporary file");
  close(fd);
  write_big_log(path, 1200);
  run_import(&r, path, 0);
  unlink(path);
  expect_ok(&r);
  assert_int_equal(r.stats.records, 1200);
  assert_rows(r.s, "SELECT identity_ref, source_ip, count, first_seen, "
              "last_seen FROM activity ORDER BY id",
              ACCT "user/u0|203.0.113.0|200|2026-11-03T00:00:00Z|"
              "2026-11-03T00:19:54Z\n"
              ACCT "user/u0|203.0.113.1|200|2026-11-03T00:00:03Z|"
              "2026-11-03T00:19:57Z\n"
              ACCT "user/u1|203.0.113.0|200|2026-11-03T00:00:04Z|"
              "2026-11-03T00:19:58Z\n"
              ACCT "user/u1|203.0.113.1|200|2026-11-03T00:00:01Z|"
              "2026-11-03T00:19:55Z\n"
              ACCT "user/u2|203.0.113.0|200|2026-11-03T00:00:02Z|"
              "2026-11-03T00:19:56Z\n"
              ACCT "user/u2|203.0.113.1|200|2026-11-03T00:00:05Z|"
              "2026-11-03T00:19:59Z");
  run_free(&r);
}

/* A folder of n logs of 300 events each, the one at bad cut short. */
static void write_log_tree(char *dir, int n, int bad)
{
  char path[96];

  if (!mkdtemp(dir))
    fail_msg("cannot create a temporary folder");
  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/log-%02d.json.gz", dir, i);
    write_big_log(path, 300 + i);
    if (i == bad && truncate(path, 600) != 0)
      fail_msg("cannot cut %s short", path);
  }
}

static void remove_log_tree(const char *dir, int n)
{
  char path[96];

  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/log-%02d.json.gz", dir, i);
    unlink(path);
  }
  rmdir(dir);
}

/* Files read on several threads give the rows and counts of one. */
static void test_threads_change_nothing(void **state)
{
  char dir[] = "/tmp/nhi-test-ct-par-XXXXXX";
  static const char sql[] = "SELECT identity_ref, action, source_ip,"
    " first_seen, last_seen, count FROM activity ORDER BY id";
  struct run one, four;
  char *a, *b;

  (void)state;
  write_log_tree(dir, 12, -1);
  open_store(&one);
  import_threads(&one, dir, 0, 0, 1);
  open_store(&four);
  import_threads(&four, dir, 0, 0, 4);
  remove_log_tree(dir, 12);
  expect_ok(&one);
  expect_ok(&four);
  assert_int_equal(four.stats.files, 12);
  assert_int_equal(four.stats.records, 12 * 300 + 66);
  assert_int_equal(four.stats.activity, one.stats.activity);
  assert_string_equal(four.stats.account, "111122223333");
  a = rows(one.s, sql);
  b = rows(four.s, sql);
  assert_string_equal(a, b);
  free(a);
  free(b);
  run_free(&one);
  run_free(&four);
}

/* A truncated file among many read in parallel is named, and fails the
 * import. */
static void test_threads_name_the_bad_file(void **state)
{
  char dir[] = "/tmp/nhi-test-ct-bad-XXXXXX";
  char want[128];
  struct run r;

  (void)state;
  write_log_tree(dir, 8, 5);
  open_store(&r);
  import_threads(&r, dir, 0, 0, 3);
  remove_log_tree(dir, 8);
  assert_int_equal(r.rc, NHI_ERR_INPUT);
  snprintf(want, sizeof want, "%s/log-05.json.gz': record ", dir);
  if (!strstr(r.log, want) || !strstr(r.log, "the file is truncated"))
    fail_msg("expected the message to name %s, got:\n%s", want, r.log);
  run_free(&r);
}

static void test_empty_records(void **state)
{
  struct run r;

  (void)state;
  run_import(&r, DIR "empty.json.gz", 0);
  expect_ok(&r);
  assert_int_equal(r.stats.files, 1);
  assert_int_equal(r.stats.records, 0);
  assert_int_equal(r.stats.activity, 0);
  assert_string_equal(r.stats.account, "");
  run_free(&r);
}

static void test_corrupt_record(void **state)
{
  (void)state;
  expect_error(DIR "corrupt.json", NHI_ERR_INPUT,
               "record 2 at byte 791: unexpected '\"' at byte 1124");
}

static void test_truncated_gzip(void **state)
{
  (void)state;
  expect_error(DIR "truncated.json.gz", NHI_ERR_INPUT,
               "record 3 at byte 1570: the gzip data ends early: the file "
               "is truncated");
}

static void test_wrong_file_type(void **state)
{
  (void)state;
  expect_error(DIR "list-users.json", NHI_ERR_INPUT,
               "record 1 at byte 0: not a CloudTrail event (it lacks "
               "eventTime, eventSource or eventName); expected "
               "{\"Records\": [...]} or one event per line");
  expect_error("tests/fixtures/aws/authz/gaad.json", NHI_ERR_INPUT,
               "record 1 at byte 0: not a CloudTrail event (it lacks "
               "eventTime, eventSource or eventName); expected "
               "{\"Records\": [...]} or one event per line");
}

static void test_not_json(void **state)
{
  char path[] = "/tmp/nhi-test-ct-XXXXXX";
  char want[256];
  int fd = mkstemp(path);

  (void)state;
  if (fd < 0 || write(fd, "user,arn\n", 9) != 9)
    fail_msg("cannot write a temporary file");
  close(fd);
  snprintf(want, sizeof want, "byte 0: expected '{' or '[', found 'u'");
  expect_error(path, NHI_ERR_INPUT, want);
  unlink(path);
}

static void test_bad_event_time(void **state)
{
  char path[] = "/tmp/nhi-test-ct-XXXXXX";
  const char *text = "{\"eventTime\":\"yesterday\",\"eventSource\":"
                     "\"s3.amazonaws.com\",\"eventName\":\"ListBuckets\"}\n";
  int fd = mkstemp(path);

  (void)state;
  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
    fail_msg("cannot write a temporary file");
  close(fd);
  expect_error(path, NHI_ERR_INPUT,
               "record 1 at byte 0: eventTime is not a date: 'yesterday'");
  unlink(path);
}

static void test_folder_without_logs(void **state)
{
  char dir[] = "/tmp/nhi-test-ct-dir-XXXXXX";
  char file[64];
  FILE *f;

  (void)state;
  if (!mkdtemp(dir))
    fail_msg("cannot create a temporary folder");
  snprintf(file, sizeof file, "%s/notes.txt", dir);
  f = fopen(file, "w");
  if (!f)
    fail_msg("cannot write %s", file);
  fputs("{\"Records\":[]}\n", f);
  fclose(f);
  expect_error(dir, NHI_ERR_INPUT, "no CloudTrail log files in it "
               "(*.json.gz, *.json, *.jsonl)");
  unlink(file);
  rmdir(dir);
}

static void test_missing_path(void **state)
{
  (void)state;
  expect_error(DIR "no-such-folder", NHI_ERR_INPUT,
               "No such file or directory");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tree),
    cmocka_unit_test(test_records_split_across_reads),
    cmocka_unit_test(test_gzip_file),
    cmocka_unit_test(test_plain_file),
    cmocka_unit_test(test_json_lines),
    cmocka_unit_test(test_assumed_role_is_the_role),
    cmocka_unit_test(test_s3_resource_from_parameters),
    cmocka_unit_test(test_aws_service_calls_kept),
    cmocka_unit_test(test_denied_calls_kept_apart),
    cmocka_unit_test(test_identity_resolved),
    cmocka_unit_test(test_file_larger_than_a_read),
    cmocka_unit_test(test_rows_written_in_batches),
    cmocka_unit_test(test_threads_change_nothing),
    cmocka_unit_test(test_threads_name_the_bad_file),
    cmocka_unit_test(test_empty_records),
    cmocka_unit_test(test_corrupt_record),
    cmocka_unit_test(test_truncated_gzip),
    cmocka_unit_test(test_wrong_file_type),
    cmocka_unit_test(test_not_json),
    cmocka_unit_test(test_bad_event_time),
    cmocka_unit_test(test_folder_without_logs),
    cmocka_unit_test(test_missing_path),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
