/* Unit tests for the ISO-8601 time helpers (core/timeutil.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "timeutil.h"

/* 2024-05-01T00:00:00Z and 10:00 that day, in epoch seconds. */
#define MAY_1 1714521600LL
#define MAY_1_10H (MAY_1 + 10 * 3600)

/* Parses s and checks it names the epoch second want. */
static void expect_time(const char *s, long long want)
{
  time_t t = 0;
  enum nhi_rc rc = nhi_time_parse(s, &t);

  if (rc != NHI_OK)
    fail_msg("'%s' was refused (rc %d)", s, rc);
  if ((long long)t != want)
    fail_msg("'%s' parsed as %lld, expected %lld", s, (long long)t, want);
}

static void expect_refused(const char *s)
{
  time_t t = 0;

  if (nhi_time_parse(s, &t) != NHI_ERR_INPUT)
    fail_msg("'%s' was accepted as %lld", s ? s : "(null)", (long long)t);
}

static void test_parse_date_only(void **state)
{
  (void)state;
  expect_time("2024-05-01", MAY_1);
  expect_time("1970-01-01", 0);
}

static void test_parse_utc_date_time(void **state)
{
  (void)state;
  expect_time("2024-05-01T10:00:00Z", MAY_1_10H);
  expect_time("2024-05-01t10:00:00z", MAY_1_10H);
}

static void test_parse_fraction_and_offset(void **state)
{
  (void)state;
  expect_time("2024-05-01T10:00:00.123+02:00", MAY_1_10H - 7200);
  expect_time("2024-05-01T10:00:00.5-01:30", MAY_1_10H + 5400);
}

static void test_parse_space_separator(void **state)
{
  (void)state;
  expect_time("2024-05-01 10:00:00", MAY_1_10H);
}

static void test_parse_compact_zone(void **state)
{
  (void)state;
  expect_time("2024-05-01T10:00:00+0530", MAY_1_10H - 19800);
  expect_time("2024-05-01T10:00:00-0530", MAY_1_10H + 19800);
  expect_time("2024-05-01T10:00:00+05", MAY_1_10H - 18000);
}

static void test_rejects_impossible_dates(void **state)
{
  (void)state;
  expect_refused("2024-13-01");
  expect_refused("2024-00-10");
  expect_refused("2024-02-30");
  expect_refused("2024-04-31");
  expect_refused("2024-05-00");
}

static void test_rejects_impossible_clock(void **state)
{
  (void)state;
  expect_refused("2024-05-01T25:00:00Z");
  expect_refused("2024-05-01T24:00:00Z");
  expect_refused("2024-05-01T10:60:00Z");
  expect_refused("2024-05-01T10:00:61Z");
  expect_refused("2024-05-01T10:00:00+24:00");
}

static void test_rejects_garbage(void **state)
{
  (void)state;
  expect_refused("garbage");
  expect_refused("");
  expect_refused(NULL);
  expect_refused("2024");
  expect_refused("2024-5-1");
  expect_refused("2024-05-01T");
  expect_refused("2024-05-01T10");
  expect_refused("20240501");
}

static void test_rejects_trailing_junk(void **state)
{
  (void)state;
  expect_refused("2024-05-01x");
  expect_refused("2024-05-01 ");
  expect_refused("2024-05-01T10:00:00Zjunk");
  expect_refused("2024-05-01T10:00:00+02:00:00");
  expect_refused("2024-05-01T10:00:00Z ");
}

static void test_leap_years(void **state)
{
  (void)state;
  expect_time("2024-02-29", MAY_1 - 62LL * 86400);
  expect_time("2000-02-29", 951782400);
  expect_refused("2023-02-29");
  expect_refused("1900-02-29");
  expect_refused("2100-02-29");
}

static void test_format(void **state)
{
  char buf[NHI_TIME_SIZE];

  (void)state;
  nhi_time_format((time_t)MAY_1_10H, buf);
  assert_string_equal(buf, "2024-05-01T10:00:00Z");
  nhi_time_format(0, buf);
  assert_string_equal(buf, "1970-01-01T00:00:00Z");
  nhi_time_format(-1, buf);
  assert_string_equal(buf, "1969-12-31T23:59:59Z");
}

static void test_format_parse_round_trip(void **state)
{
  static const long long moments[] = {
    0, 1, 86399, 951782400, 1709164800, MAY_1_10H, 4102444799LL,
    -86400
  };
  char buf[NHI_TIME_SIZE];
  time_t back;

  (void)state;
  for (size_t i = 0; i < sizeof moments / sizeof moments[0]; i++) {
    nhi_time_format((time_t)moments[i], buf);
    if (nhi_time_parse(buf, &back) != NHI_OK)
      fail_msg("formatted '%s' does not parse back", buf);
    if ((long long)back != moments[i])
      fail_msg("'%s' came back as %lld, not %lld", buf, (long long)back,
               moments[i]);
  }
}

static void expect_normal(const char *in, const char *want)
{
  char buf[NHI_TIME_SIZE];

  if (nhi_time_normalize(in, buf) != NHI_OK)
    fail_msg("'%s' did not normalise", in);
  if (strcmp(buf, want) != 0)
    fail_msg("'%s' normalised to '%s', expected '%s'", in, buf, want);
}

static void test_normalize(void **state)
{
  char buf[NHI_TIME_SIZE];

  (void)state;
  expect_normal("2024-05-01", "2024-05-01T00:00:00Z");
  expect_normal("2024-05-01T10:00:00.123+02:00", "2024-05-01T08:00:00Z");
  expect_normal("2024-05-01 10:00:00", "2024-05-01T10:00:00Z");
  expect_normal("2024-05-01T01:00:00+0530", "2024-04-30T19:30:00Z");
  expect_normal("2024-12-31T23:30:00-01:00", "2025-01-01T00:30:00Z");
  assert_int_equal(nhi_time_normalize("2024-02-30", buf), NHI_ERR_INPUT);
  assert_int_equal(nhi_time_normalize("yesterday", buf), NHI_ERR_INPUT);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse_date_only),
    cmocka_unit_test(test_parse_utc_date_time),
    cmocka_unit_test(test_parse_fraction_and_offset),
    cmocka_unit_test(test_parse_space_separator),
    cmocka_unit_test(test_parse_compact_zone),
    cmocka_unit_test(test_rejects_impossible_dates),
    cmocka_unit_test(test_rejects_impossible_clock),
    cmocka_unit_test(test_rejects_garbage),
    cmocka_unit_test(test_rejects_trailing_junk),
    cmocka_unit_test(test_leap_years),
    cmocka_unit_test(test_format),
    cmocka_unit_test(test_format_parse_round_trip),
    cmocka_unit_test(test_normalize),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
