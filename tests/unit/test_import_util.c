/* Unit tests for the importers' shared helpers. */
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

/* Runs nhi_where_fail through w with stderr captured; returns what it
 * logged (the caller frees it). */
static char *logged_fail(const struct nhi_where *w, const char *detail)
{
  char path[] = "/tmp/nhi-test-import-util-XXXXXX", *text = NULL;
  int fd = mkstemp(path), saved = dup(STDERR_FILENO);
  FILE *f;
  long n;

  if (fd < 0 || saved < 0 || dup2(fd, STDERR_FILENO) < 0)
    fail_msg("cannot capture stderr");
  assert_int_equal(nhi_where_fail(w, "%s", detail), NHI_ERR_INPUT);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  f = fopen(path, "rb");
  if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
      fseek(f, 0, SEEK_SET) || !(text = calloc(1, (size_t)n + 1)) ||
      fread(text, 1, (size_t)n, f) != (size_t)n)
    fail_msg("cannot read the captured stderr");
  fclose(f);
  unlink(path);
  return text;
}

static void test_where_messages(void **state)
{
  struct nhi_where w = { "gaad.json", NULL, 0, NULL, NULL, 0 };
  char *text;

  text = logged_fail(&w, "Policies is not an array");
  assert_string_equal(text, "nhiscope: error: cannot read 'gaad.json': "
                      "Policies is not an array\n");
  free(text);
  w.list = "RoleDetailList";
  w.index = 3;
  text = logged_fail(&w, "RoleName is missing");
  assert_string_equal(text, "nhiscope: error: cannot read 'gaad.json': "
                      "RoleDetailList[3]: RoleName is missing\n");
  free(text);
  w.name = "ci-deployer";
  w.sub = "Tags";
  w.subindex = 1;
  text = logged_fail(&w, "Key is missing");
  assert_string_equal(text, "nhiscope: error: cannot read 'gaad.json': "
                      "RoleDetailList[3] (ci-deployer): Tags[1]: Key is "
                      "missing\n");
  free(text);
}

static void test_fields(void **state)
{
  struct nhi_where w = { "t.json", "L", 0, NULL, NULL, 0 };
  cJSON *obj = cJSON_Parse("{\"s\": \"x\", \"n\": null, \"a\": [], "
                           "\"o\": {}, \"d\": \"2024-05-01 10:00:00+02:00\"}");
  char when[NHI_TIME_SIZE];
  const char *s = "unset";
  cJSON *node = NULL;

  assert_non_null(obj);
  assert_int_equal(nhi_field_string(&w, obj, "s", 1, &s), NHI_OK);
  assert_string_equal(s, "x");
  assert_int_equal(nhi_field_string(&w, obj, "n", 0, &s), NHI_OK);
  assert_null(s);
  assert_null(nhi_field_get(obj, "n"));
  assert_int_equal(nhi_field_node(&w, obj, "a", 0, &node), NHI_OK);
  assert_true(cJSON_IsArray(node));
  assert_int_equal(nhi_field_node(&w, obj, "o", 1, &node), NHI_OK);
  assert_true(cJSON_IsObject(node));
  assert_int_equal(nhi_field_node(&w, obj, "absent", 1, &node), NHI_OK);
  assert_null(node);
  assert_int_equal(nhi_field_time(&w, obj, "d", when), NHI_OK);
  assert_string_equal(when, "2024-05-01T08:00:00Z");
  assert_int_equal(nhi_field_time(&w, obj, "absent", when), NHI_OK);
  assert_string_equal(when, "");
  cJSON_Delete(obj);
}

static void test_add_unique(void **state)
{
  cJSON *arr = cJSON_CreateArray();
  char *text;

  assert_non_null(arr);
  assert_true(nhi_field_add_unique(arr, "a"));
  assert_true(nhi_field_add_unique(arr, "b"));
  assert_true(nhi_field_add_unique(arr, "a"));
  text = cJSON_PrintUnformatted(arr);
  assert_string_equal(text, "[\"a\",\"b\"]");
  cJSON_free(text);
  cJSON_Delete(arr);
}

static void test_strings(void **state)
{
  char *s = nhi_str_printf("%s[%d]", "Tags", 4);

  assert_string_equal(s, "Tags[4]");
  free(s);
  s = nhi_str_join("arn:aws:iam::111122223333:role/r", "#", "trust");
  assert_string_equal(s, "arn:aws:iam::111122223333:role/r#trust");
  free(s);
}

static void test_rows_by_column_name(void **state)
{
  struct nhi_store *s = NULL;
  struct nhi_row r;
  sqlite3_stmt *st = NULL;
  long long id = 0;

  assert_int_equal(nhi_store_open(":memory:", &s), NHI_OK);
  nhi_row_start(&r, NHI_T_RESOURCE);
  nhi_row_text(&r, "type", "s3-bucket");
  nhi_row_text(&r, "native_id", "arn:aws:s3:::b");
  nhi_row_text(&r, "provider", "aws");
  nhi_row_text(&r, "account", NULL);
  assert_int_equal(nhi_row_put(s, &r, &id), NHI_OK);
  assert_true(id > 0);
  assert_int_equal(sqlite3_prepare_v2(s->db, "SELECT provider || '|' || "
                                      "native_id || '|' || type || '|' || "
                                      "ifnull(account, 'NULL') FROM "
                                      "resources", -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0),
                      "aws|arn:aws:s3:::b|s3-bucket|NULL");
  sqlite3_finalize(st);

  nhi_row_start(&r, NHI_T_RESOURCE);
  nhi_row_text(&r, "provider", "aws");
  nhi_row_int(&r, "no_such_column", 1);
  assert_int_equal(nhi_row_put(s, &r, NULL), NHI_ERR_INTERNAL);
  nhi_store_close(s);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_where_messages),
    cmocka_unit_test(test_fields),
    cmocka_unit_test(test_add_unique),
    cmocka_unit_test(test_strings),
    cmocka_unit_test(test_rows_by_column_name),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
