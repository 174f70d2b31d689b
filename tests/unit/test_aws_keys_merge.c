/* One row per AWS key, whichever sources list it (aws_keys_merge.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "aws_keys_merge.h"
#include "import_util.h"
#include "support/aws_rows.h"
#include "support/store_rows.h"

#define ACCT "111122223333"
#define IAM "arn:aws:iam::" ACCT ":"
#define MADE "2026-03-02T10:15:00Z"

/* A credentials row of identity id; NULL fields are not written. */
struct key {
  const char *kind, *native_id, *created, *used, *status, *attrs;
};

static void put_key(struct nhi_store *s, long long id, const struct key *k)
{
  struct nhi_row r;

  nhi_row_start(&r, NHI_T_CREDENTIAL);
  nhi_row_int(&r, "identity_id", id);
  nhi_row_text(&r, "kind", k->kind ? k->kind : "access_key");
  nhi_row_text(&r, "native_id", k->native_id);
  nhi_row_text(&r, "created_at", k->created);
  nhi_row_text(&r, "last_used_at", k->used);
  nhi_row_text(&r, "status", k->status);
  nhi_row_text(&r, "attrs", k->attrs);
  if (nhi_row_put(s, &r, NULL))
    fail_msg("cannot write a key");
}

static long long user(struct nhi_store *s, const char *name)
{
  char arn[128];

  snprintf(arn, sizeof arn, IAM "user/%s", name);
  return aws_put_identity(s, &(struct aws_identity){ .arn = arn,
                                                     .account = ACCT });
}

static size_t merge(struct nhi_store *s)
{
  size_t merged = 99;

  assert_int_equal(nhi_aws_keys_merge(s, &merged), NHI_OK);
  return merged;
}

static const char keys_sql[] =
  "SELECT i.name, c.kind, c.native_id, c.created_at, c.last_used_at,"
  " c.status, c.attrs FROM credentials c JOIN identities i"
  " ON i.id = c.identity_id ORDER BY i.name, c.id";

static int setup(void **state)
{
  struct nhi_store *s = NULL;

  if (nhi_store_open(":memory:", &s))
    fail_msg("cannot open a store");
  *state = s;
  return 0;
}

static int teardown(void **state)
{
  nhi_store_close(*state);
  return 0;
}

/* Two credential reports of the account and ListAccessKeys: one key. */
static void report_keys_take_the_listed_id(void **state)
{
  struct nhi_store *s = *state;
  long long ci = user(s, "ci");

  put_key(s, ci, &(struct key){ .created = MADE, .status = "active",
    .used = "2026-11-02T08:00:00Z",
    .attrs = "{\"slot\":1,\"last_used_service\":\"s3\"}" });
  put_key(s, ci, &(struct key){ .created = MADE, .status = "active",
    .used = "2026-11-20T08:00:00Z", .attrs = "{\"slot\":1}" });
  put_key(s, ci, &(struct key){ .native_id = "AKIAEXAMPLEKEY000001",
    .created = MADE, .status = "inactive",
    .attrs = "{\"user\":\"ci\",\"never_used\":true}" });
  assert_int_equal(merge(s), 2);
  assert_rows(s, keys_sql,
              "ci|access_key|AKIAEXAMPLEKEY000001|" MADE "|"
              "2026-11-20T08:00:00Z|inactive|{\"slot\":1,"
              "\"last_used_service\":\"s3\",\"user\":\"ci\"}");
}

/* Two credential reports and no listing: the first report's row stays,
 * with the later use. */
static void two_reports_make_one_key(void **state)
{
  struct nhi_store *s = *state;
  long long ci = user(s, "ci");

  put_key(s, ci, &(struct key){ .created = MADE, .status = "active",
    .attrs = "{\"slot\":1,\"never_used\":true}" });
  put_key(s, ci, &(struct key){ .created = MADE, .status = "active",
    .used = "2026-11-20T08:00:00Z", .attrs = "{\"slot\":1}" });
  put_key(s, ci, &(struct key){ .kind = "signing_certificate",
    .created = MADE, .status = "active", .attrs = "{\"slot\":1}" });
  put_key(s, ci, &(struct key){ .kind = "signing_certificate",
    .created = MADE, .status = "active", .attrs = "{\"slot\":1}" });
  assert_int_equal(merge(s), 2);
  assert_rows(s, keys_sql,
              "ci|access_key|NULL|" MADE "|2026-11-20T08:00:00Z|active|"
              "{\"slot\":1}\n"
              "ci|signing_certificate|NULL|" MADE "|NULL|active|"
              "{\"slot\":1}");
}

/* The same key id from two listings. */
static void same_id_twice_is_one_key(void **state)
{
  struct nhi_store *s = *state;
  long long ci = user(s, "ci");

  put_key(s, ci, &(struct key){ .native_id = "AKIAEXAMPLEKEY000001",
    .created = MADE, .status = "active" });
  put_key(s, ci, &(struct key){ .native_id = "AKIAEXAMPLEKEY000001",
    .created = MADE, .used = "2026-11-20T08:00:00Z" });
  assert_int_equal(merge(s), 1);
  assert_rows(s, keys_sql,
              "ci|access_key|AKIAEXAMPLEKEY000001|" MADE "|"
              "2026-11-20T08:00:00Z|active|{}");
}

/* Keys that may be different ones stay apart: other seconds, other
 * slots, other users, two listed keys made the same second (the
 * report's key could be either), keys without a creation time. */
static void different_keys_stay_apart(void **state)
{
  struct nhi_store *s = *state;
  long long ci = user(s, "ci"), ops = user(s, "ops");
  long long twin = user(s, "twin");

  put_key(s, ci, &(struct key){ .created = MADE, .attrs = "{\"slot\":1}" });
  put_key(s, ci, &(struct key){ .created = "2026-03-02T10:15:01Z",
    .attrs = "{\"slot\":1}" });
  put_key(s, ci, &(struct key){ .created = MADE, .attrs = "{\"slot\":2}" });
  put_key(s, ops, &(struct key){ .created = MADE,
    .attrs = "{\"slot\":1}" });
  put_key(s, twin, &(struct key){ .created = MADE,
    .attrs = "{\"slot\":1}" });
  put_key(s, twin, &(struct key){ .native_id = "AKIAEXAMPLEKEY000002",
    .created = MADE });
  put_key(s, twin, &(struct key){ .native_id = "AKIAEXAMPLEKEY000003",
    .created = MADE });
  put_key(s, twin, &(struct key){ .attrs = "{\"slot\":2}" });
  put_key(s, twin, &(struct key){ .attrs = "{\"slot\":2}" });
  assert_int_equal(merge(s), 0);
  assert_rows(s, "SELECT count(*) FROM credentials", "9");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(report_keys_take_the_listed_id, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(two_reports_make_one_key, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(same_id_twice_is_one_key, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(different_keys_stay_apart, setup,
                                    teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
