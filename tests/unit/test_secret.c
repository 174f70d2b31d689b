/* Unit tests for secret fingerprints and previews (core/secret.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "secret.h"

#define ELLIPSIS "\xe2\x80\xa6"

static void expect_fingerprint(const char *value, size_t len,
                               const char *want)
{
  char fp[NHI_FINGERPRINT_SIZE];

  memset(fp, 'X', sizeof fp);
  assert_int_equal(nhi_secret_fingerprint(value, len, fp), NHI_OK);
  if (strcmp(fp, want) != 0)
    fail_msg("fingerprint of a %zu-byte value is '%s', expected '%s'", len,
             fp, want);
}

/* SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a3...: the
 * fingerprint is its first 12 bytes in hex. */
static void test_fingerprint_known_vector(void **state)
{
  (void)state;
  expect_fingerprint("abc", 3, "sha256:ba7816bf8f01cfea414140de");
}

/* SHA-256("") = e3b0c44298fc1c149afbf4c8996fb924... */
static void test_fingerprint_empty_value(void **state)
{
  (void)state;
  expect_fingerprint("", 0, "sha256:e3b0c44298fc1c149afbf4c8");
}

static void test_fingerprint_shape(void **state)
{
  char fp[NHI_FINGERPRINT_SIZE];

  (void)state;
  assert_int_equal(nhi_secret_fingerprint("hunter2", 7, fp), NHI_OK);
  assert_int_equal(strlen(fp), strlen("sha256:") + 24);
  assert_true(strncmp(fp, "sha256:", 7) == 0);
  for (const char *p = fp + 7; *p; p++)
    if (!strchr("0123456789abcdef", *p))
      fail_msg("'%s' holds a non-hex digit '%c'", fp, *p);
}

/* The length given counts, not a terminating NUL. */
static void test_fingerprint_uses_length(void **state)
{
  char a[NHI_FINGERPRINT_SIZE], b[NHI_FINGERPRINT_SIZE];

  (void)state;
  assert_int_equal(nhi_secret_fingerprint("ab\0cd", 5, a), NHI_OK);
  assert_int_equal(nhi_secret_fingerprint("ab", 2, b), NHI_OK);
  if (strcmp(a, b) == 0)
    fail_msg("bytes after a NUL were ignored: both give '%s'", a);
  expect_fingerprint("abcdef", 3, "sha256:ba7816bf8f01cfea414140de");
}

static void expect_preview(const char *value, const char *want)
{
  char out[NHI_PREVIEW_SIZE];

  nhi_secret_preview(value, strlen(value), out);
  if (strcmp(out, want) != 0)
    fail_msg("preview of '%s' is '%s', expected '%s'", value, out, want);
}

static void test_preview_keeps_ends(void **state)
{
  (void)state;
  expect_preview("AKIAIOSFODNN7EXAMPLE", "AKIA" ELLIPSIS "LE");
  expect_preview("ghp_0123456789abcdefXY", "ghp_" ELLIPSIS "XY");
  expect_preview("123456789012", "1234" ELLIPSIS "12");
}

static void test_preview_masks_short_values(void **state)
{
  (void)state;
  expect_preview("12345678901", ELLIPSIS);
  expect_preview("hunter2", ELLIPSIS);
  expect_preview("", ELLIPSIS);
}

/* Neither output may ever hold the value itself. */
static void test_value_never_appears(void **state)
{
  static const char *const values[] = {
    "abcdefg", "12345678901", "123456789012", "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL
  };
  char fp[NHI_FINGERPRINT_SIZE], preview[NHI_PREVIEW_SIZE];

  (void)state;
  for (const char *const *v = values; *v; v++) {
    size_t len = strlen(*v);

    assert_int_equal(nhi_secret_fingerprint(*v, len, fp), NHI_OK);
    nhi_secret_preview(*v, len, preview);
    if (strstr(fp, *v))
      fail_msg("fingerprint '%s' holds the value '%s'", fp, *v);
    if (strstr(preview, *v))
      fail_msg("preview '%s' holds the value '%s'", preview, *v);
    assert_true(strlen(preview) < NHI_PREVIEW_SIZE);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_fingerprint_known_vector),
    cmocka_unit_test(test_fingerprint_empty_value),
    cmocka_unit_test(test_fingerprint_shape),
    cmocka_unit_test(test_fingerprint_uses_length),
    cmocka_unit_test(test_preview_keeps_ends),
    cmocka_unit_test(test_preview_masks_short_values),
    cmocka_unit_test(test_value_never_appears),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
