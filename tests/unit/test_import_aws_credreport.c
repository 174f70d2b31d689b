/* Unit tests for the AWS IAM credential report importer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "import_util.h"
#include "importers.h"
#include "store.h"
#include "timeutil.h"
#include "support/store_rows.h"

#define NOW "2026-12-01T09:00:00Z"
#define ACCT "arn:aws:iam::111122223333:"

#define HEADER                                                            \
  "user,arn,user_creation_time,password_enabled,password_last_used,"      \
  "password_last_changed,password_next_rotation,mfa_active,"              \
  "access_key_1_active,access_key_1_last_rotated,"                        \
  "access_key_1_last_used_date,access_key_1_last_used_region,"            \
  "access_key_1_last_used_service,access_key_2_active,"                   \
  "access_key_2_last_rotated,access_key_2_last_used_date,"                \
  "access_key_2_last_used_region,access_key_2_last_used_service,"         \
  "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"

#define NO_KEY "false,N/A,N/A,N/A,N/A,"
#define NO_CERTS "false,N/A,false,N/A"

/* The root user (password used, no keys), a machine user (no password,
 * one used key and one never used) and a person (password use unknown,
 * an inactive key, a signing certificate). */
#define ROW_ROOT                                                          \
  "<root_account>," ACCT "root,2019-01-10T08:00:00+00:00,not_supported,"  \
  "2026-11-02T10:00:00+00:00,not_supported,not_supported,true,"          \
  NO_KEY NO_KEY NO_CERTS
#define ROW_SVC                                                           \
  "svc-backup," ACCT "user/service/svc-backup,2021-03-02T10:00:00+00:00," \
  "false,N/A,N/A,N/A,false,"                                              \
  "true,2021-03-02T10:05:00+00:00,2026-05-30T04:15:00+00:00,us-east-1,"   \
  "s3,true,2026-11-20T08:00:00+00:00,N/A,N/A,N/A," NO_CERTS
#define ROW_ANA                                                           \
  "ana.silva," ACCT "user/ana.silva,2022-05-01T09:00:00+00:00,true,"      \
  "no_information,2022-05-01T09:01:00+00:00,N/A,true,"                    \
  "false,2023-01-01T00:00:00+00:00,2023-02-01T00:00:00+00:00,eu-west-1,"  \
  "ec2," NO_KEY "true,2022-06-01T00:00:00+00:00,false,N/A"

#define REPORT HEADER "\n" ROW_ROOT "\n" ROW_SVC "\n" ROW_ANA "\n"

#define IDENTITIES                                                        \
  "SELECT native_id, name, kind, is_human, account, created_at,"         \
  " last_used_at, usage_tracked_since,"                                   \
  " json_remove(attrs, '$.credential_report_generated')"                  \
  " FROM identities ORDER BY native_id"
#define CREDENTIALS                                                       \
  "SELECT i.name, c.kind, c.native_id, c.created_at, c.last_used_at,"     \
  " c.status, c.attrs FROM credentials c"                                 \
  " JOIN identities i ON i.id = c.identity_id"                            \
  " ORDER BY i.name, c.kind, c.created_at"

#define WANT_IDENTITIES                                                   \
  ACCT "root|<root_account>|user|1|111122223333|2019-01-10T08:00:00Z|"    \
  "2026-11-02T10:00:00Z|2015-04-22T00:00:00Z|"                            \
  "{\"password_last_used\":\"2026-11-02T10:00:00Z\",\"mfa_active\":true," \
  "\"root\":true}\n"                                                      \
  ACCT "user/ana.silva|ana.silva|user|1|111122223333|"                    \
  "2022-05-01T09:00:00Z|2023-02-01T00:00:00Z|NULL|"                       \
  "{\"password_enabled\":true,\"password_last_used_unknown\":true,"       \
  "\"password_last_changed\":\"2022-05-01T09:01:00Z\","                   \
  "\"mfa_active\":true}\n"                                                \
  ACCT "user/service/svc-backup|svc-backup|service_account|0|"            \
  "111122223333|2021-03-02T10:00:00Z|2026-05-30T04:15:00Z|"               \
  "2015-04-22T00:00:00Z|"                                                 \
  "{\"password_enabled\":false,\"password_last_used\":null,"              \
  "\"password_last_changed\":null,\"mfa_active\":false}"

#define WANT_CREDENTIALS                                                  \
  "ana.silva|access_key|NULL|2023-01-01T00:00:00Z|2023-02-01T00:00:00Z|"  \
  "inactive|{\"slot\":1,\"last_used_region\":\"eu-west-1\","              \
  "\"last_used_service\":\"ec2\"}\n"                                      \
  "ana.silva|signing_certificate|NULL|2022-06-01T00:00:00Z|NULL|active|"  \
  "{\"slot\":1}\n"                                                        \
  "svc-backup|access_key|NULL|2021-03-02T10:05:00Z|"                      \
  "2026-05-30T04:15:00Z|active|{\"slot\":1,\"last_used_region\":"         \
  "\"us-east-1\",\"last_used_service\":\"s3\"}\n"                         \
  "svc-backup|access_key|NULL|2026-11-20T08:00:00Z|NULL|active|"          \
  "{\"slot\":2,\"never_used\":true}"

/* One import into an in-memory store, and what it logged. */
struct run {
  struct nhi_store *s;
  struct nhi_import_stats stats;
  enum nhi_rc rc;
  char *path;
  char *log;
};

/* Writes text to a new temporary file; the caller frees the path. */
static char *write_temp(const char *text)
{
  char *path = strdup("/tmp/nhi-test-cred-in-XXXXXX");
  int fd = path ? mkstemp(path) : -1;
  size_t n = strlen(text);

  if (fd < 0 || write(fd, text, n) != (ssize_t)n)
    fail_msg("cannot write a temporary report");
  close(fd);
  return path;
}

static void open_store(struct run *r)
{
  memset(r, 0, sizeof *r);
  if (nhi_store_open(":memory:", &r->s) || nhi_store_begin(r->s))
    fail_msg("cannot set up an in-memory evidence store");
}

/* Imports path into r's store with stderr sent to a file. */
static void import_path(struct run *r, const char *path)
{
  char log[] = "/tmp/nhi-test-cred-XXXXXX";
  time_t now = 0;
  int fd, saved;

  if (nhi_time_parse(NOW, &now))
    fail_msg("bad test clock");
  fd = mkstemp(log);
  saved = dup(STDERR_FILENO);
  if (fd < 0 || saved < 0 || dup2(fd, STDERR_FILENO) < 0)
    fail_msg("cannot capture stderr");
  r->rc = nhi_import_aws_credreport(r->s, path, now, &r->stats);
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

/* Writes text to a temporary file and imports it into r's store. */
static void import_text(struct run *r, const char *text)
{
  free(r->path);
  r->path = write_temp(text);
  import_path(r, r->path);
}

static void run_text(struct run *r, const char *text)
{
  open_store(r);
  import_text(r, text);
}

static void run_free(struct run *r)
{
  nhi_store_rollback(r->s);
  nhi_store_close(r->s);
  if (r->path)
    unlink(r->path);
  free(r->path);
  free(r->log);
}

#define assert_ok(r)                                                      \
  do {                                                                    \
    if ((r)->rc != NHI_OK)                                                \
      fail_msg("import failed (%d): %s", (r)->rc, (r)->log);              \
  } while (0)

/* Checks the one message an import of text logs, after "cannot read
 * 'PATH': ", and that it wrote nothing. */
static void expect_error(const char *text, const char *want)
{
  struct run r;
  char *msg;

  run_text(&r, text);
  if (r.rc != NHI_ERR_INPUT)
    fail_msg("expected NHI_ERR_INPUT, got %d (%s)", r.rc, r.log);
  msg = nhi_str_printf("nhiscope: error: cannot read '%s': %s\n", r.path,
                       want);
  if (!msg)
    fail_msg("out of memory");
  if (strcmp(r.log, msg) != 0)
    fail_msg("expected the message\n  %s but stderr was\n  %s", msg, r.log);
  free(msg);
  run_free(&r);
}

/* The JSON get-credential-report prints, with csv as its Content,
 * base64 with a line break every wrap characters (0: none). */
static char *report_json(const char *csv, size_t wrap)
{
  size_t n = strlen(csv), enc_len = 4 * ((n + 2) / 3);
  unsigned char *enc = malloc(enc_len + 1);
  char *wrapped = malloc(2 * enc_len + 2), *json;
  size_t w = 0;

  if (!enc || !wrapped)
    fail_msg("out of memory");
  EVP_EncodeBlock(enc, (const unsigned char *)csv, (int)n);
  for (size_t i = 0; i < enc_len; i++) {
    if (wrap && i && i % wrap == 0) {
      wrapped[w++] = '\\';
      wrapped[w++] = 'n';
    }
    wrapped[w++] = (char)enc[i];
  }
  wrapped[w] = '\0';
  json = nhi_str_printf("{\n    \"Content\": \"%s\",\n    \"ReportFormat\": "
                        "\"text/csv\",\n    \"GeneratedTime\": "
                        "\"2026-12-01T08:47:12+00:00\"\n}\n", wrapped);
  free(enc);
  free(wrapped);
  if (!json)
    fail_msg("out of memory");
  return json;
}

/* Imports csv and checks the identity and credential rows it gives. */
static void expect_report_rows(const char *csv)
{
  struct run r;

  run_text(&r, csv);
  assert_ok(&r);
  assert_rows(r.s, IDENTITIES, WANT_IDENTITIES);
  assert_rows(r.s, CREDENTIALS, WANT_CREDENTIALS);
  run_free(&r);
}

static void test_csv_rows(void **state)
{
  expect_report_rows(REPORT);
}

static void test_stats(void **state)
{
  struct run r;

  run_text(&r, REPORT);
  assert_ok(&r);
  assert_int_equal(r.stats.records, 3);
  assert_int_equal(r.stats.identities, 3);
  assert_int_equal(r.stats.credentials, 4);
  assert_string_equal(r.stats.account, "111122223333");
  assert_string_equal(r.log, "");
  run_free(&r);
}

static void test_json_gives_same_rows(void **state)
{
  char *json = report_json(REPORT, 0);
  struct run r;

  run_text(&r, json);
  assert_ok(&r);
  assert_rows(r.s, IDENTITIES, WANT_IDENTITIES);
  assert_rows(r.s, CREDENTIALS, WANT_CREDENTIALS);
  assert_rows(r.s, "SELECT DISTINCT json_extract(attrs, "
              "'$.credential_report_generated') FROM identities",
              "2026-12-01T08:47:12Z");
  run_free(&r);
  free(json);
}

static void test_json_padding_and_line_breaks(void **state)
{
  /* REPORT plus 0, 1 and 2 characters: every padding of the last
   * base64 group; the wrapped form has a line break every 76. */
  static const char *const tails[] = { "", "\n", "\n\n" };
  char *csv, *json;
  struct run r;

  for (size_t i = 0; i < 3; i++) {
    csv = nhi_str_printf("%s%s", REPORT, tails[i]);
    if (!csv)
      fail_msg("out of memory");
    for (size_t wrap = 0; wrap <= 76; wrap += 76) {
      json = report_json(csv, wrap);
      run_text(&r, json);
      assert_ok(&r);
      assert_rows(r.s, CREDENTIALS, WANT_CREDENTIALS);
      assert_int_equal(r.stats.records, 3);
      run_free(&r);
      free(json);
    }
    free(csv);
  }
}

static void test_sentinels(void **state)
{
  struct run r;

  run_text(&r, REPORT);
  assert_ok(&r);
  /* N/A: no password, so no last use and no change (null) */
  assert_rows(r.s, "SELECT json_type(attrs, '$.password_last_used'), "
              "json_type(attrs, '$.password_last_changed') FROM identities "
              "WHERE name = 'svc-backup'", "null|null");
  /* no_information: unknown, which is not "never" */
  assert_rows(r.s, "SELECT json_type(attrs, '$.password_last_used'), "
              "json_extract(attrs, '$.password_last_used_unknown') FROM "
              "identities WHERE name = 'ana.silva'", "NULL|1");
  /* not_supported: the root user's password fields say nothing */
  assert_rows(r.s, "SELECT json_type(attrs, '$.password_enabled'), "
              "json_type(attrs, '$.password_last_changed') FROM "
              "identities WHERE name = '<root_account>'", "NULL|NULL");
  /* a key's N/A last use is "never used"; a slot with no key is none */
  assert_rows(r.s, "SELECT json_extract(attrs, '$.slot'), "
              "json_extract(attrs, '$.never_used') FROM credentials WHERE "
              "kind = 'access_key' ORDER BY created_at",
              "1|NULL\n1|NULL\n2|1");
  run_free(&r);
}

static void test_root_row(void **state)
{
  struct run r;

  run_text(&r, HEADER "\n" ROW_ROOT "\n");
  assert_ok(&r);
  assert_rows(r.s, "SELECT native_id, name, kind, is_human, "
              "json_extract(attrs, '$.root') FROM identities",
              ACCT "root|<root_account>|user|1|1");
  assert_rows(r.s, "SELECT count(*) FROM credentials", "0");
  run_free(&r);
}

static void test_classification_of_new_users(void **state)
{
  struct run r;

  run_text(&r, HEADER "\n"
           "svc-a," ACCT "user/svc-a,2021-03-02T10:00:00+00:00,false,N/A,"
           "N/A,N/A,false,true,2021-03-02T10:05:00+00:00,N/A,N/A,N/A,"
           NO_KEY NO_CERTS "\n"
           "svc-b," ACCT "user/svc-b,2021-03-02T10:00:00+00:00,false,N/A,"
           "N/A,N/A,false,false,2021-03-02T10:05:00+00:00,N/A,N/A,N/A,"
           NO_KEY NO_CERTS "\n"
           "bo.li," ACCT "user/bo.li,2021-03-02T10:00:00+00:00,true,N/A,"
           "N/A,N/A,true,true,2021-03-02T10:05:00+00:00,N/A,N/A,N/A,"
           NO_KEY NO_CERTS "\n");
  assert_ok(&r);
  /* no password and an active key: a machine; an inactive key only,
   * or a password: a person */
  assert_rows(r.s, "SELECT name, kind, is_human FROM identities ORDER BY "
              "name", "bo.li|user|1\nsvc-a|service_account|0\n"
              "svc-b|user|1");
  run_free(&r);
}

/* An identity row as another source (GAAD) would have written it. */
static void put_identity(struct run *r, const char *native_id,
                         const char *kind, int human, const char *used)
{
  struct nhi_row row;

  nhi_row_start(&row, NHI_T_IDENTITY);
  nhi_row_text(&row, "provider", "aws");
  nhi_row_text(&row, "native_id", native_id);
  nhi_row_text(&row, "kind", kind);
  nhi_row_int(&row, "is_human", human);
  nhi_row_text(&row, "last_used_at", used);
  nhi_row_text(&row, "attrs", "{\"path\":\"/service/\"}");
  if (nhi_row_put(r->s, &row, NULL))
    fail_msg("cannot write a test identity");
}

static void test_existing_identity_keeps_kind(void **state)
{
  struct run r;

  open_store(&r);
  put_identity(&r, ACCT "user/service/svc-backup", "user", 1, NULL);
  import_text(&r, REPORT);
  assert_ok(&r);
  assert_rows(r.s, "SELECT kind, is_human, json_extract(attrs, '$.path'), "
              "json_extract(attrs, '$.mfa_active') FROM identities WHERE "
              "name = 'svc-backup'", "user|1|/service/|0");
  assert_rows(r.s, "SELECT count(*) FROM identities", "3");
  run_free(&r);
}

static void test_last_used_only_moves_later(void **state)
{
  struct run r;

  open_store(&r);
  put_identity(&r, ACCT "user/service/svc-backup", "service_account", 0,
               "2026-11-30T00:00:00Z");
  put_identity(&r, ACCT "user/ana.silva", "user", 1,
               "2022-12-01T00:00:00Z");
  import_text(&r, REPORT);
  assert_ok(&r);
  assert_rows(r.s, "SELECT name, last_used_at FROM identities WHERE name "
              "IN ('svc-backup', 'ana.silva') ORDER BY name",
              "ana.silva|2023-02-01T00:00:00Z\n"
              "svc-backup|2026-11-30T00:00:00Z");
  run_free(&r);
}

static void test_columns_matched_by_name(void **state)
{
  /* the columns reversed, with one AWS may add later */
  expect_report_rows(
    "cert_2_last_rotated,cert_2_active,cert_1_last_rotated,cert_1_active,"
    "access_key_2_last_used_service,access_key_2_last_used_region,"
    "access_key_2_last_used_date,access_key_2_last_rotated,"
    "access_key_2_active,access_key_1_last_used_service,"
    "access_key_1_last_used_region,access_key_1_last_used_date,"
    "access_key_1_last_rotated,access_key_1_active,mfa_active,"
    "password_next_rotation,password_last_changed,password_last_used,"
    "password_enabled,user_creation_time,arn,user,future_column\n"
    "N/A,false,N/A,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,true,"
    "not_supported,not_supported,2026-11-02T10:00:00+00:00,not_supported,"
    "2019-01-10T08:00:00+00:00," ACCT "root,<root_account>,x\n"
    "N/A,false,N/A,false,N/A,N/A,N/A,2026-11-20T08:00:00+00:00,true,s3,"
    "us-east-1,2026-05-30T04:15:00+00:00,2021-03-02T10:05:00+00:00,true,"
    "false,N/A,N/A,N/A,false,2021-03-02T10:00:00+00:00,"
    ACCT "user/service/svc-backup,svc-backup,y\n"
    "N/A,false,2022-06-01T00:00:00+00:00,true,N/A,N/A,N/A,N/A,false,ec2,"
    "eu-west-1,2023-02-01T00:00:00+00:00,2023-01-01T00:00:00+00:00,false,"
    "true,N/A,2022-05-01T09:01:00+00:00,no_information,true,"
    "2022-05-01T09:00:00+00:00," ACCT "user/ana.silva,ana.silva,z\n");
}

static void test_quoted_fields(void **state)
{
  /* AWS quotes nothing, but a report saved by a spreadsheet quotes
   * freely: "" inside quotes is one quote, commas and line breaks
   * inside quotes belong to the field. */
  struct run r;

  run_text(&r, HEADER "\n"
           "\"svc-backup\",\"" ACCT "user/service/svc-backup\","
           "2021-03-02T10:00:00+00:00,false,N/A,N/A,N/A,false,\"true\","
           "2021-03-02T10:05:00+00:00,2026-05-30T04:15:00+00:00,"
           "\"us-east-1, then\nelsewhere\",\"s3 \"\"bulk\"\"\","
           NO_KEY NO_CERTS "\n"
           "bad," ACCT "user/bad\n");
  assert_int_equal(r.rc, NHI_ERR_INPUT);
  /* the quoted line break counts: the short row is on line 4 */
  if (!strstr(r.log, "line 4: expected 22 fields, found 2"))
    fail_msg("wrong message: %s", r.log);
  run_free(&r);

  run_text(&r, HEADER "\n"
           "\"svc-backup\",\"" ACCT "user/service/svc-backup\","
           "2021-03-02T10:00:00+00:00,false,N/A,N/A,N/A,false,\"true\","
           "2021-03-02T10:05:00+00:00,2026-05-30T04:15:00+00:00,"
           "\"us-east-1, then\nelsewhere\",\"s3 \"\"bulk\"\"\","
           NO_KEY NO_CERTS "\n");
  assert_ok(&r);
  assert_rows(r.s, "SELECT json_extract(attrs, '$.last_used_region'), "
              "json_extract(attrs, '$.last_used_service'), status "
              "FROM credentials", "us-east-1, then\nelsewhere|s3 \"bulk\"|"
              "active");
  run_free(&r);
}

static void test_crlf_line_endings(void **state)
{
  expect_report_rows(HEADER "\r\n" ROW_ROOT "\r\n" ROW_SVC "\r\n" ROW_ANA
                     "\r\n");
}

static void test_no_final_line_break_and_bom(void **state)
{
  expect_report_rows("\xEF\xBB\xBF" HEADER "\n" ROW_ROOT "\n" ROW_SVC "\n"
                     ROW_ANA);
}

static void test_header_only(void **state)
{
  struct run r;

  run_text(&r, HEADER "\n");
  assert_ok(&r);
  assert_int_equal(r.stats.records, 0);
  if (!strstr(r.log, "the credential report lists no users"))
    fail_msg("no warning: %s", r.log);
  run_free(&r);
}

static void test_missing_column(void **state)
{
  expect_error("user,password_enabled,mfa_active\nsvc,false,false\n",
               "not an AWS credential report (missing column 'arn')");
}

static void test_malformed_rows(void **state)
{
  expect_error(HEADER "\n" ROW_ROOT "\nsvc-x," ACCT "user/svc-x,N/A\n",
               "line 3: expected 22 fields, found 3");
  expect_error(HEADER "\n\n" ROW_ROOT "\n"
               "svc-x," ACCT "user/svc-x,2021-03-02T10:00:00+00:00,"
               "false,N/A,N/A,N/A,false,true,yesterday,N/A,N/A,N/A,"
               NO_KEY NO_CERTS "\n",
               "line 4 (svc-x): access_key_1_last_rotated is not a date: "
               "'yesterday'");
  expect_error(HEADER "\n"
               "svc-x," ACCT "user/svc-x,2021-03-02T10:00:00+00:00,"
               "no,N/A,N/A,N/A,false," NO_KEY NO_KEY NO_CERTS "\n",
               "line 2 (svc-x): password_enabled is not true or false: "
               "'no'");
  expect_error(HEADER "\n"
               "svc-x,svc-x,2021-03-02T10:00:00+00:00,"
               "false,N/A,N/A,N/A,false," NO_KEY NO_KEY NO_CERTS "\n",
               "line 2 (svc-x): arn is not an IAM ARN: 'svc-x'");
  expect_error(HEADER "\n\"svc-x," ACCT "user/svc-x\n",
               "line 2: malformed CSV: a quoted field is not closed");
  expect_error(HEADER "\n\"svc-x\"x," ACCT "user/svc-x\n",
               "line 2: malformed CSV: text after a closing quote");
}

static void test_malformed_row_in_json(void **state)
{
  char *json = report_json(HEADER "\n" ROW_ROOT "\nsvc-x,x\n", 0);

  expect_error(json, "Content line 3: expected 22 fields, found 2");
  free(json);
}

static void test_empty_file(void **state)
{
  expect_error("", "file is empty");
  expect_error("\n  \r\n", "file is empty");
  expect_error("{\"Content\": \"\"}", "Content is empty");
}

static void test_missing_file(void **state)
{
  struct run r;

  open_store(&r);
  import_path(&r, "/tmp/nhi-test-no-such-report.csv");
  assert_int_equal(r.rc, NHI_ERR_INPUT);
  if (!strstr(r.log, "cannot read '/tmp/nhi-test-no-such-report.csv': "))
    fail_msg("wrong message: %s", r.log);
  run_free(&r);
}

static void test_wrong_file_type(void **state)
{
  struct run r;

  open_store(&r);
  import_path(&r, "tests/fixtures/aws/authz/gaad.json");
  assert_int_equal(r.rc, NHI_ERR_INPUT);
  assert_string_equal(r.log, "nhiscope: error: cannot read 'tests/fixtures/"
                      "aws/authz/gaad.json': not an AWS credential report "
                      "(expected the CSV, or the JSON of 'aws iam "
                      "get-credential-report' with Content)\n");
  assert_rows(r.s, "SELECT count(*) FROM identities", "0");
  run_free(&r);
  expect_error("arn:aws:iam::111122223333:user/a\n",
               "not an AWS credential report (missing column 'user')");
}

static void test_bad_json_fields(void **state)
{
  expect_error("{\"Content\": \"dXNlcg==\", \"ReportFormat\": "
               "\"application/pdf\"}",
               "ReportFormat is 'application/pdf', expected 'text/csv'");
  expect_error("{\"Content\": \"not base64!\"}",
               "Content is not base64 text");
  expect_error("{\"Content\": 42}", "Content is not a string");
  expect_error("{\"Content\": \"dXNlcg==\", \"GeneratedTime\": \"soon\"}",
               "GeneratedTime is not a date: 'soon'");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_csv_rows),
    cmocka_unit_test(test_stats),
    cmocka_unit_test(test_json_gives_same_rows),
    cmocka_unit_test(test_json_padding_and_line_breaks),
    cmocka_unit_test(test_sentinels),
    cmocka_unit_test(test_root_row),
    cmocka_unit_test(test_classification_of_new_users),
    cmocka_unit_test(test_existing_identity_keeps_kind),
    cmocka_unit_test(test_last_used_only_moves_later),
    cmocka_unit_test(test_columns_matched_by_name),
    cmocka_unit_test(test_quoted_fields),
    cmocka_unit_test(test_crlf_line_endings),
    cmocka_unit_test(test_no_final_line_break_and_bom),
    cmocka_unit_test(test_header_only),
    cmocka_unit_test(test_missing_column),
    cmocka_unit_test(test_malformed_rows),
    cmocka_unit_test(test_malformed_row_in_json),
    cmocka_unit_test(test_empty_file),
    cmocka_unit_test(test_missing_file),
    cmocka_unit_test(test_wrong_file_type),
    cmocka_unit_test(test_bad_json_fields),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
