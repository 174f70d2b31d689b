/* Sensitive-data classifiers: email addresses, phone numbers, payment
 * cards (Luhn), IBANs (mod 97), US social security numbers (invalid
 * ranges excluded) and Spanish DNI/NIE (check letter), counted in a
 * sample; and the sensitivity level those counts suggest. */
#include "scan_classify.h"

#include <string.h>

static const char *const class_names[NHI_DC_COUNT] = {
  "email", "phone", "payment_card", "iban", "us_ssn", "es_dni_nie"
};

const char *nhi_classify_name(enum nhi_data_class c)
{
  return (unsigned)c < NHI_DC_COUNT ? class_names[c] : NULL;
}

static int is_digit(unsigned char c)
{
  return c >= '0' && c <= '9';
}

static int is_upper(unsigned char c)
{
  return c >= 'A' && c <= 'Z';
}

static int is_alnum(unsigned char c)
{
  return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}

static int is_local(unsigned char c)
{
  return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
         c == '-';
}

/* An address around the '@' at at: a local part before it, and a domain
 * of two or more labels after it whose last is 2+ letters. Returns the
 * bytes after at it spans, or 0. */
static size_t email_at(const unsigned char *b, size_t len, size_t at)
{
  size_t i = at, j = at + 1, dot = 0, tld = 0;

  while (i > 0 && is_local(b[i - 1]) && at - i < 64)
    i--;
  /* user:password@host in a URL is no address */
  if (i == at || b[i] == '.' || (i > 0 && (b[i - 1] == ':' ||
                                           b[i - 1] == '/')))
    return 0;
  for (; j < len && (is_alnum(b[j]) || b[j] == '-' || b[j] == '.'); j++) {
    if (b[j] == '.') {
      dot = j;
      tld = 0;
    } else {
      tld += !is_digit(b[j]) && b[j] != '-';
    }
  }
  while (j > at + 1 && b[j - 1] == '.')
    j--;
  if (!dot || dot >= j || dot == at + 1 || tld < 2 || j - dot - 1 < 2)
    return 0;
  return j - at;
}

static int luhn(const char *d, size_t n)
{
  int sum = 0;

  for (size_t i = 0; i < n; i++) {
    int v = d[n - 1 - i] - '0';

    if (i % 2) {
      v *= 2;
      if (v > 9)
        v -= 9;
    }
    sum += v;
  }
  return sum % 10 == 0;
}

/* Issuer prefixes: Visa, Mastercard, American Express, Discover, JCB,
 * Diners, UnionPay, Maestro. */
static int card_prefix(const char *d, size_t n)
{
  int two = (d[0] - '0') * 10 + (d[1] - '0');
  int four = two * 100 + (d[2] - '0') * 10 + (d[3] - '0');

  if (d[0] == '4')
    return n == 13 || n == 16 || n == 19;
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720))
    return n == 16;
  if (two == 34 || two == 37)
    return n == 15;
  if (four == 6011 || two == 65 || (two == 64 && d[2] >= '4'))
    return n >= 16;
  if (two == 35 || two == 36 || two == 30 || two == 38 || two == 39)
    return n >= 14;
  return two == 62 || two == 50 || (two >= 56 && two <= 69);
}

/* Digits from b[i], with single spaces or hyphens between groups, into
 * d (at most max). Returns the bytes read; *nd the digits. */
static size_t read_digits(const unsigned char *b, size_t len, size_t i,
                          char *d, size_t max, size_t *nd)
{
  size_t p = i;

  *nd = 0;
  while (p < len && *nd < max) {
    if (is_digit(b[p])) {
      d[(*nd)++] = (char)b[p++];
    } else if ((b[p] == ' ' || b[p] == '-') && p + 1 < len &&
               is_digit(b[p + 1]) && p > i) {
      p++;
    } else {
      break;
    }
  }
  return p - i;
}

static int card_at(const unsigned char *b, size_t len, size_t i,
                   size_t *span)
{
  char d[20];
  size_t nd;

  *span = read_digits(b, len, i, d, 19, &nd);
  if (i + *span < len && is_alnum(b[i + *span]))
    return 0;
  return nd >= 13 && nd <= 19 && card_prefix(d, nd) && luhn(d, nd);
}

/* ddd-dd-dddd, not area 000, 666 or 9xx, group 00 or serial 0000. */
static int ssn_at(const unsigned char *b, size_t len, size_t i)
{
  int area, group, serial;

  if (i + 11 > len || b[i + 3] != '-' || b[i + 6] != '-')
    return 0;
  for (size_t k = 0; k < 11; k++)
    if (k != 3 && k != 6 && !is_digit(b[i + k]))
      return 0;
  if (i + 11 < len && is_alnum(b[i + 11]))
    return 0;
  area = (b[i] - '0') * 100 + (b[i + 1] - '0') * 10 + (b[i + 2] - '0');
  group = (b[i + 4] - '0') * 10 + (b[i + 5] - '0');
  serial = (b[i + 7] - '0') * 1000 + (b[i + 8] - '0') * 100 +
           (b[i + 9] - '0') * 10 + (b[i + 10] - '0');
  return area != 0 && area != 666 && area < 900 && group && serial;
}

/* 8 digits (DNI) or X/Y/Z and 7 digits (NIE), then the check letter,
 * optionally after a hyphen. */
static int dni_at(const unsigned char *b, size_t len, size_t i)
{
  static const char letters[] = "TRWAGMYFPDXBNJZSQVHLCKE";
  unsigned long n = 0;
  size_t p = i, digits = 8;

  if (b[p] == 'X' || b[p] == 'Y' || b[p] == 'Z') {
    n = (unsigned long)(b[p] - 'X');
    p++;
    digits = 7;
  }
  for (size_t k = 0; k < digits; k++, p++) {
    if (p >= len || !is_digit(b[p]))
      return 0;
    n = n * 10 + (unsigned long)(b[p] - '0');
  }
  if (p < len && b[p] == '-')
    p++;
  if (p >= len || !is_upper(b[p]) || (p + 1 < len && is_alnum(b[p + 1])))
    return 0;
  return b[p] == letters[n % 23];
}

/* Two letters, two digits, 11 to 30 letters or digits (groups of four
 * may be spaced), mod 97 of the rearranged number is 1. */
static int iban_at(const unsigned char *b, size_t len, size_t i)
{
  char s[40];
  size_t n = 0, p = i;
  unsigned rem = 0;

  if (i + 15 > len || !is_upper(b[i]) || !is_upper(b[i + 1]) ||
      !is_digit(b[i + 2]) || !is_digit(b[i + 3]))
    return 0;
  while (p < len && n < 34) {
    if (is_digit(b[p]) || is_upper(b[p]))
      s[n++] = (char)b[p++];
    else if (b[p] == ' ' && n % 4 == 0 && p + 1 < len &&
             (is_digit(b[p + 1]) || is_upper(b[p + 1])))
      p++;
    else
      break;
  }
  if (n < 15 || (p < len && is_alnum(b[p])))
    return 0;
  for (size_t k = 0; k < n; k++) {
    char c = s[(k + 4) % n];

    if (is_digit((unsigned char)c))
      rem = (rem * 10 + (unsigned)(c - '0')) % 97;
    else
      rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
  }
  return rem == 1;
}

/* "+" and a country code, then 7 to 14 more digits with spaces, hyphens,
 * dots or parentheses between; or (ddd) ddd-dddd. */
static size_t phone_at(const unsigned char *b, size_t len, size_t i)
{
  size_t p = i + 1, digits = 0;

  if (b[i] == '(') {
    if (i + 14 <= len && is_digit(b[i + 1]) && is_digit(b[i + 2]) &&
        is_digit(b[i + 3]) && b[i + 4] == ')' && b[i + 5] == ' ' &&
        is_digit(b[i + 6]) && is_digit(b[i + 7]) && is_digit(b[i + 8]) &&
        b[i + 9] == '-' && is_digit(b[i + 10]) && is_digit(b[i + 11]) &&
        is_digit(b[i + 12]) && is_digit(b[i + 13]) &&
        (i + 14 == len || !is_alnum(b[i + 14])))
      return 14;
    return 0;
  }
  if (p >= len || !is_digit(b[p]) || b[p] == '0')
    return 0;
  for (; p < len; p++) {
    if (is_digit(b[p]))
      digits++;
    else if (!(b[p] == ' ' || b[p] == '-' || b[p] == '.' || b[p] == '(' ||
               b[p] == ')') || p + 1 >= len || !(is_digit(b[p + 1]) ||
                                                  b[p + 1] == '('))
      break;
  }
  if (digits < 8 || digits > 15 || (p < len && is_alnum(b[p])))
    return 0;
  return p - i;
}

/* Tries the classifiers that start with punctuation at b[i]; returns
 * the bytes matched, 0 for none. */
static size_t classify_mark(const unsigned char *b, size_t len, size_t i,
                            struct nhi_classify_counts *c)
{
  size_t span = 0;

  if (b[i] == '@' && (span = email_at(b, len, i)))
    c->n[NHI_DC_EMAIL]++;
  else if ((b[i] == '+' || b[i] == '(') && (i == 0 || !is_digit(b[i - 1]))
           && (span = phone_at(b, len, i)))
    c->n[NHI_DC_PHONE]++;
  return span;
}

/* Tries the classifiers that start with a letter or digit at b[i], the
 * start of a word; returns the bytes matched, 0 for none. */
static size_t classify_word(const unsigned char *b, size_t len, size_t i,
                            struct nhi_classify_counts *c)
{
  unsigned char ch = b[i];
  size_t span;

  if (is_digit(ch) && ssn_at(b, len, i)) {
    c->n[NHI_DC_SSN]++;
    return 11;
  }
  if ((is_digit(ch) || ch == 'X' || ch == 'Y' || ch == 'Z') &&
      dni_at(b, len, i)) {
    c->n[NHI_DC_DNI]++;
    return 9;
  }
  if (is_digit(ch) && card_at(b, len, i, &span)) {
    c->n[NHI_DC_CARD]++;
    return span;
  }
  if (is_upper(ch) && iban_at(b, len, i)) {
    c->n[NHI_DC_IBAN]++;
    return 15;
  }
  return 0;
}

void nhi_classify_buffer(const char *buf, size_t len,
                         struct nhi_classify_counts *c)
{
  const unsigned char *b = (const unsigned char *)buf;
  size_t i = 0, span;

  while (i < len) {
    if (is_alnum(b[i])) {
      span = classify_word(b, len, i, c);
      if (span) {
        i += span;
        continue;
      }
      /* nothing starts inside a word: go to its end */
      while (i < len && is_alnum(b[i]))
        i++;
      continue;
    }
    span = b[i] == '@' || b[i] == '+' || b[i] == '(' ?
           classify_mark(b, len, i, c) : 0;
    i += span ? span : 1;
  }
  c->bytes += (long long)len;
}

const char *nhi_classify_level(const struct nhi_classify_counts *c,
                               long long secrets, const char **confidence)
{
  long long strong = c->n[NHI_DC_CARD] + c->n[NHI_DC_IBAN] +
                     c->n[NHI_DC_SSN] + c->n[NHI_DC_DNI];
  long long pii = c->n[NHI_DC_EMAIL] + c->n[NHI_DC_PHONE];

  if (strong) {
    *confidence = strong >= 3 ? "high" : "medium";
    return "restricted";
  }
  if (secrets || pii >= 10) {
    *confidence = secrets >= 3 || pii >= 30 ? "high" : "medium";
    return "confidential";
  }
  *confidence = pii ? "medium" : "low";
  return "internal";
}
