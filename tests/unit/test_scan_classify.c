/* Unit tests for the sensitive-data classifiers: each class's positives
 * and look-alikes, and the level the counts suggest. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "scan_classify.h"

static long long count(const char *text, enum nhi_data_class c)
{
  struct nhi_classify_counts n;

  memset(&n, 0, sizeof n);
  nhi_classify_buffer(text, strlen(text), &n);
  return n.n[c];
}

#define expect(text, c, want) \
  do { \
    long long got_ = count((text), (c)); \
    if (got_ != (want)) \
      fail_msg("line %d: <%s>: %s %lld, want %d", __LINE__, (text), \
               nhi_classify_name(c), got_, (want)); \
  } while (0)

static void test_email(void **state)
{
  expect("contact: ana.silva@northwind-robotics.test, ok", NHI_DC_EMAIL, 1);
  expect("a+tag@mail.example.co.uk b_c@x-y.io", NHI_DC_EMAIL, 2);
  expect("root@localhost", NHI_DC_EMAIL, 0);
  expect("x@y.c", NHI_DC_EMAIL, 0);
  expect("@decorator\ndef f(): pass", NHI_DC_EMAIL, 0);
  expect("pkg@1.2.3", NHI_DC_EMAIL, 0);
  expect("postgres://app:Pq7xK2@db.internal.test/app", NHI_DC_EMAIL, 0);
  expect("git clone ssh://git@github.example.com/a.git", NHI_DC_EMAIL, 0);
}

static void test_phone(void **state)
{
  expect("tel. +34 912 345 678", NHI_DC_PHONE, 1);
  expect("+1 (415) 555-0134 or (415) 555-0199", NHI_DC_PHONE, 2);
  expect("+44 20 7946 0958.", NHI_DC_PHONE, 1);
  expect("x = a +12;", NHI_DC_PHONE, 0);
  expect("version 1.2.3.4567", NHI_DC_PHONE, 0);
  expect("+0 123 456 789", NHI_DC_PHONE, 0);
}

static void test_cards(void **state)
{
  expect("card 4111 1111 1111 1111 exp 12/29", NHI_DC_CARD, 1);
  expect("5500-0000-0000-0004", NHI_DC_CARD, 1);
  expect("amex 378282246310005", NHI_DC_CARD, 1);
  /* Luhn fails; no issuer starts with 12; a longer digit run */
  expect("4111 1111 1111 1112", NHI_DC_CARD, 0);
  expect("order 1234567812345670", NHI_DC_CARD, 0);
  expect("41111111111111110000", NHI_DC_CARD, 0);
  expect("id4111111111111111", NHI_DC_CARD, 0);
}

static void test_iban(void **state)
{
  expect("IBAN ES91 2100 0418 4502 0005 1332", NHI_DC_IBAN, 1);
  expect("GB82WEST12345698765432", NHI_DC_IBAN, 1);
  expect("ES91 2100 0418 4502 0005 1333", NHI_DC_IBAN, 0);
  expect("AB12CDEFGHIJKLMNOP", NHI_DC_IBAN, 0);
}

static void test_ssn(void **state)
{
  expect("ssn: 123-45-6789", NHI_DC_SSN, 1);
  expect("000-12-3456 666-12-3456 900-12-3456", NHI_DC_SSN, 0);
  expect("123-00-4567 123-45-0000", NHI_DC_SSN, 0);
  expect("123456789 1234-45-6789", NHI_DC_SSN, 0);
}

static void test_dni_nie(void **state)
{
  expect("DNI 12345678Z", NHI_DC_DNI, 1);
  expect("NIE X1234567L, Y1234567X and 12345678-Z", NHI_DC_DNI, 3);
  expect("12345678A X1234567A", NHI_DC_DNI, 0);
  expect("112345678Z", NHI_DC_DNI, 0);
}

static void test_levels(void **state)
{
  struct nhi_classify_counts c;
  const char *conf = NULL;

  memset(&c, 0, sizeof c);
  assert_string_equal(nhi_classify_level(&c, 0, &conf), "internal");
  assert_string_equal(conf, "low");
  c.n[NHI_DC_EMAIL] = 3;
  assert_string_equal(nhi_classify_level(&c, 0, &conf), "internal");
  assert_string_equal(conf, "medium");
  assert_string_equal(nhi_classify_level(&c, 1, &conf), "confidential");
  c.n[NHI_DC_EMAIL] = 40;
  assert_string_equal(nhi_classify_level(&c, 0, &conf), "confidential");
  assert_string_equal(conf, "high");
  c.n[NHI_DC_CARD] = 1;
  assert_string_equal(nhi_classify_level(&c, 0, &conf), "restricted");
  assert_string_equal(conf, "medium");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_email),
    cmocka_unit_test(test_phone),
    cmocka_unit_test(test_cards),
    cmocka_unit_test(test_iban),
    cmocka_unit_test(test_ssn),
    cmocka_unit_test(test_dni_nie),
    cmocka_unit_test(test_levels),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
