/* Unit tests for the in-memory activity aggregation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activity_agg.h"

static struct nhi_activity_agg *new_agg(void)
{
  struct nhi_activity_agg *a = NULL;

  if (nhi_activity_agg_new(&a) != NHI_OK || !a)
    fail_msg("cannot create an aggregate");
  return a;
}

static void add(struct nhi_activity_agg *a, const char *identity,
                const char *action, const char *resource, const char *ip,
                const char *ua, time_t t)
{
  struct nhi_activity_key k = { identity, action, resource, ip, ua };

  if (nhi_activity_agg_add(a, &k, t) != NHI_OK)
    fail_msg("cannot add an event");
}

static void test_same_key_aggregates(void **state)
{
  struct nhi_activity_agg *a = new_agg();
  const struct nhi_activity_row **rows = NULL;
  char action[16];
  size_t n = 0;

  (void)state;
  add(a, "arn:r", "s3:GetObject", "arn:aws:s3:::b/k", "10.0.0.1", "ua",
      200);
  strcpy(action, "s3:GetObject");
  add(a, "arn:r", action, "arn:aws:s3:::b/k", "10.0.0.1", "ua", 100);
  strcpy(action, "XXXXXXXXXXXX");
  add(a, "arn:r", "s3:GetObject", "arn:aws:s3:::b/k", "10.0.0.1", "ua",
      300);
  assert_int_equal(nhi_activity_agg_size(a), 1);
  assert_int_equal(nhi_activity_agg_rows(a, &rows, &n), NHI_OK);
  assert_int_equal(n, 1);
  assert_int_equal(rows[0]->count, 3);
  assert_int_equal(rows[0]->first_seen, 100);
  assert_int_equal(rows[0]->last_seen, 300);
  assert_string_equal(rows[0]->key.action, "s3:GetObject");
  free(rows);
  nhi_activity_agg_free(a);
}

static void test_null_parts_are_values(void **state)
{
  struct nhi_activity_agg *a = new_agg();
  const struct nhi_activity_row **rows = NULL;
  size_t n = 0;

  (void)state;
  add(a, "arn:r", "s3:ListBuckets", NULL, NULL, NULL, 1);
  add(a, "arn:r", "s3:ListBuckets", NULL, "", NULL, 2);
  add(a, "arn:r", "s3:ListBuckets", NULL, NULL, NULL, 3);
  assert_int_equal(nhi_activity_agg_rows(a, &rows, &n), NHI_OK);
  assert_int_equal(n, 2);
  assert_null(rows[0]->key.source_ip);
  assert_int_equal(rows[0]->count, 2);
  assert_string_equal(rows[1]->key.source_ip, "");
  assert_int_equal(rows[1]->count, 1);
  free(rows);
  nhi_activity_agg_free(a);
}

static void test_rows_sorted_by_key(void **state)
{
  struct nhi_activity_agg *a = new_agg();
  const struct nhi_activity_row **rows = NULL;
  size_t n = 0;

  (void)state;
  add(a, "b", "x:A", NULL, "2", NULL, 1);
  add(a, "a", "x:B", NULL, NULL, NULL, 1);
  add(a, "b", "x:A", NULL, "1", NULL, 1);
  add(a, "a", "x:A", "r", NULL, NULL, 1);
  assert_int_equal(nhi_activity_agg_rows(a, &rows, &n), NHI_OK);
  assert_int_equal(n, 4);
  assert_string_equal(rows[0]->key.action, "x:A");
  assert_string_equal(rows[0]->key.identity, "a");
  assert_string_equal(rows[1]->key.action, "x:B");
  assert_string_equal(rows[2]->key.source_ip, "1");
  assert_string_equal(rows[3]->key.source_ip, "2");
  free(rows);
  nhi_activity_agg_free(a);
}

/* Enough keys to grow both tables several times, then a clear. */
static void test_growth_and_clear(void **state)
{
  struct nhi_activity_agg *a = new_agg();
  const struct nhi_activity_row **rows = NULL;
  char id[32], ip[32];
  size_t n = 0;

  (void)state;
  for (int round = 0; round < 2; round++)
    for (int i = 0; i < 20000; i++) {
      snprintf(id, sizeof id, "arn:aws:iam::1:role/r%d", i % 700);
      snprintf(ip, sizeof ip, "10.0.%d.%d", i / 256 % 256, i % 256);
      add(a, id, "sts:GetCallerIdentity", NULL, ip, "sdk", i);
    }
  assert_int_equal(nhi_activity_agg_size(a), 20000);
  assert_int_equal(nhi_activity_agg_rows(a, &rows, &n), NHI_OK);
  assert_int_equal(n, 20000);
  for (size_t i = 0; i < n; i++)
    if (rows[i]->count != 2)
      fail_msg("row %zu counted %lld events, not 2", i, rows[i]->count);
  free(rows);
  nhi_activity_agg_clear(a);
  assert_int_equal(nhi_activity_agg_size(a), 0);
  add(a, "x", "y:Z", NULL, NULL, NULL, 5);
  assert_int_equal(nhi_activity_agg_rows(a, &rows, &n), NHI_OK);
  assert_int_equal(n, 1);
  assert_int_equal(rows[0]->count, 1);
  free(rows);
  nhi_activity_agg_free(a);
}

static void test_long_strings(void **state)
{
  struct nhi_activity_agg *a = new_agg();
  const struct nhi_activity_row **rows = NULL;
  char *big = malloc(200001);
  size_t n = 0;

  (void)state;
  if (!big)
    fail_msg("out of memory");
  memset(big, 'k', 200000);
  big[200000] = '\0';
  add(a, "arn:r", "s3:GetObject", big, NULL, NULL, 1);
  add(a, "arn:r", "s3:GetObject", big, NULL, NULL, 2);
  assert_int_equal(nhi_activity_agg_rows(a, &rows, &n), NHI_OK);
  assert_int_equal(n, 1);
  assert_int_equal(strlen(rows[0]->key.resource), 200000);
  free(rows);
  free(big);
  nhi_activity_agg_free(a);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_same_key_aggregates),
    cmocka_unit_test(test_null_parts_are_values),
    cmocka_unit_test(test_rows_sorted_by_key),
    cmocka_unit_test(test_growth_and_clear),
    cmocka_unit_test(test_long_strings),
  };

  nhi_activity_agg_free(NULL);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
