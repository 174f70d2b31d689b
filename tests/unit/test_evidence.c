/* Evidence writers: how upserts merge two sources' view of one row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store.h"

static struct nhi_store *open_memory(void)
{
  struct nhi_store *s = NULL;

  assert_int_equal(nhi_store_open(":memory:", &s), NHI_OK);
  return s;
}

static long long put_identity(struct nhi_store *s, const char *kind,
                              const char *owner, const char *attrs)
{
  struct nhi_value v[12] = { 0 };
  long long id = 0;

  v[0] = (struct nhi_value){ .type = NHI_V_TEXT, .text = "aws" };
  v[2] = (struct nhi_value){ .type = NHI_V_TEXT,
                             .text = "arn:aws:iam::111122223333:user/svc" };
  v[4] = (struct nhi_value){ .type = NHI_V_TEXT, .text = kind };
  if (owner)
    v[6] = (struct nhi_value){ .type = NHI_V_TEXT, .text = owner };
  if (attrs)
    v[11] = (struct nhi_value){ .type = NHI_V_TEXT, .text = attrs };
  assert_int_equal(nhi_store_put(s, NHI_T_IDENTITY, v, &id), NHI_OK);
  return id;
}

static char *column(struct nhi_store *s, const char *sql)
{
  sqlite3_stmt *st = NULL;
  char *out = NULL;

  assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL),
                   SQLITE_OK);
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    out = strdup((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return out;
}

static void test_upsert_merges_attrs_key_by_key(void **state)
{
  struct nhi_store *s = open_memory();
  long long a, b;
  char *attrs;

  (void)state;
  a = put_identity(s, "service_account", "team-data",
                   "{\"path\":\"/service/\",\"flags\":{\"a\":1}}");
  b = put_identity(s, "service_account", NULL,
                   "{\"password_enabled\":false,\"flags\":{\"b\":2}}");
  assert_true(a == b && a > 0);
  attrs = column(s, "SELECT attrs FROM identities");
  assert_non_null(attrs);
  assert_string_equal(attrs, "{\"path\":\"/service/\",\"flags\":{\"a\":1,"
                      "\"b\":2},\"password_enabled\":false}");
  free(attrs);
  attrs = column(s, "SELECT owner FROM identities");
  assert_string_equal(attrs, "team-data");
  free(attrs);
  nhi_store_close(s);
}

static void test_upsert_keeps_attrs_when_new_row_has_none(void **state)
{
  struct nhi_store *s = open_memory();
  char *attrs;

  (void)state;
  put_identity(s, "role", NULL, "{\"path\":\"/\"}");
  put_identity(s, "role", NULL, NULL);
  attrs = column(s, "SELECT attrs FROM identities");
  assert_string_equal(attrs, "{\"path\":\"/\"}");
  free(attrs);
  nhi_store_close(s);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_upsert_merges_attrs_key_by_key),
    cmocka_unit_test(test_upsert_keeps_attrs_when_new_row_has_none),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
