/* What decides that a match is a secret: entropy, the placeholder lists,
 * and the validators a rule names (checksums, decodable structure). */
#include "scan_int.h"
#include "timeutil.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

static const char *const validator_names[V_COUNT] = {
  "", "github-crc32", "jwt", "gcp-service-account", "pem", "anthropic",
  "mixed"
};

int nhi_scan_validator_by_name(const char *name)
{
  for (int i = 1; i < V_COUNT; i++)
    if (!strcmp(validator_names[i], name))
      return i;
  return -1;
}

/* n log2 n for the counts of short strings, computed once. */
#define CLOG_MAX 1024
static double clog_table[CLOG_MAX + 1];
static pthread_once_t clog_once = PTHREAD_ONCE_INIT;

static void fill_clog(void)
{
  for (int n = 1; n <= CLOG_MAX; n++)
    clog_table[n] = n * log2((double)n);
}

/* H = log2 N - (sum of c log2 c) / N over the byte counts c. */
double nhi_scan_entropy(const char *s, size_t len)
{
  unsigned counts[256];
  double sum = 0;

  if (!len)
    return 0;
  pthread_once(&clog_once, fill_clog);
  memset(counts, 0, sizeof counts);
  for (size_t i = 0; i < len; i++)
    counts[(unsigned char)s[i]]++;
  for (size_t i = 0; i < len; i++) {
    unsigned c = counts[(unsigned char)s[i]];

    if (!c)
      continue;
    sum += c <= CLOG_MAX ? clog_table[c] : c * log2((double)c);
    counts[(unsigned char)s[i]] = 0;
  }
  return log2((double)len) - sum / (double)len;
}

static unsigned char lower(unsigned char c)
{
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Whether needle (lower case) occurs in s[0..len) regardless of case. */
static int contains_folded(const char *s, size_t len, const char *needle)
{
  size_t n = strlen(needle);

  for (size_t i = 0; n && i + n <= len; i++) {
    size_t k = 0;

    while (k < n && lower((unsigned char)s[i + k]) ==
                    (unsigned char)needle[k])
      k++;
    if (k == n)
      return 1;
  }
  return 0;
}

/* Few distinct characters: "xxxxxxxx", "00000000", "abababab". */
static int is_monotone(const char *s, size_t len)
{
  unsigned char seen[256] = { 0 };
  int distinct = 0;

  for (size_t i = 0; i < len; i++)
    if (!seen[(unsigned char)s[i]]++)
      distinct++;
  return len >= 6 && distinct <= 2;
}

int nhi_scan_is_placeholder(const struct nhi_scan_rules *set,
                            const char *value, size_t len)
{
  for (size_t i = 0; i < set->nequals; i++) {
    size_t n = strlen(set->ph_equals[i]), k = 0;

    while (k < n && k < len &&
           lower((unsigned char)value[k]) ==
             (unsigned char)set->ph_equals[i][k])
      k++;
    if (k == n && n == len)
      return 1;
  }
  for (size_t i = 0; i < set->ncontains; i++)
    if (contains_folded(value, len, set->ph_contains[i]))
      return 1;
  return is_monotone(value, len);
}

int nhi_scan_github_checksum(const char *token, size_t len)
{
  static const char digits[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const char *us = memchr(token, '_', len < 8 ? len : 8);
  const char *body;
  char want[7];
  unsigned long crc;

  if (!us || (size_t)(token + len - (us + 1)) != 36)
    return 0;
  body = us + 1;
  crc = crc32(0L, (const Bytef *)body, 30);
  for (int i = 5; i >= 0; i--) {
    want[i] = digits[crc % 62];
    crc /= 62;
  }
  return memcmp(want, body + 30, 6) == 0;
}

/* Decodes base64url (or standard base64) without padding into a new
 * NUL-terminated buffer; NULL on a bad character or no memory. */
static char *b64url_decode(const char *s, size_t len, size_t *out_len)
{
  char *out = malloc(len * 3 / 4 + 4);
  unsigned acc = 0;
  int bits = 0;
  size_t n = 0;

  if (!out)
    return NULL;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    int v;

    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-' || c == '+') v = 62;
    else if (c == '_' || c == '/') v = 63;
    else if (c == '=') break;
    else {
      free(out);
      return NULL;
    }
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (char)((acc >> bits) & 0xff);
    }
  }
  out[n] = '\0';
  *out_len = n;
  return out;
}

static cJSON *decode_part(const char *s, size_t len)
{
  size_t n = 0;
  char *text = b64url_decode(s, len, &n);
  cJSON *o = text ? cJSON_ParseWithLength(text, n) : NULL;

  free(text);
  if (o && !cJSON_IsObject(o)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static void copy_string(cJSON *to, const char *key, const cJSON *from,
                        const char *from_key)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, from_key);

  if (cJSON_IsString(v))
    cJSON_AddStringToObject(to, key, v->valuestring);
}

/* A JWT: header and claims are JSON objects and the header names alg.
 * attrs get alg, iss and exp (ISO-8601). */
static int check_jwt(const char *buf, struct scan_raw *raw)
{
  const char *s = buf + raw->off, *d1, *d2;
  cJSON *head = NULL, *claims = NULL;
  const cJSON *exp;
  int ok = 0;

  d1 = memchr(s, '.', raw->len);
  d2 = d1 ? memchr(d1 + 1, '.', raw->len - (size_t)(d1 + 1 - s)) : NULL;
  if (!d2)
    return 0;
  head = decode_part(s, (size_t)(d1 - s));
  claims = decode_part(d1 + 1, (size_t)(d2 - d1 - 1));
  if (!head || !claims ||
      !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(head, "alg")))
    goto out;
  copy_string(raw->attrs, "alg", head, "alg");
  copy_string(raw->attrs, "iss", claims, "iss");
  exp = cJSON_GetObjectItemCaseSensitive(claims, "exp");
  if (cJSON_IsNumber(exp) && exp->valuedouble > 0 &&
      exp->valuedouble < 253402300800.0) {
    char t[NHI_TIME_SIZE];

    nhi_time_format((time_t)exp->valuedouble, t);
    cJSON_AddStringToObject(raw->attrs, "exp", t);
  }
  ok = 1;
out:
  cJSON_Delete(head);
  cJSON_Delete(claims);
  return ok;
}

/* Finds "key" : "value" in buf[lo..hi); *vo, *vl get the value. */
static int find_json_string(const char *buf, size_t lo, size_t hi,
                            const char *key, size_t *vo, size_t *vl)
{
  size_t kn = strlen(key);

  for (size_t i = lo; i + kn + 2 < hi; i++) {
    size_t p = i + kn + 2, e;

    if (buf[i] != '"' || memcmp(buf + i + 1, key, kn) || buf[i + kn + 1]
        != '"')
      continue;
    while (p < hi && (buf[p] == ' ' || buf[p] == '\t' || buf[p] == '\n' ||
                      buf[p] == '\r'))
      p++;
    if (p >= hi || buf[p++] != ':')
      continue;
    while (p < hi && (buf[p] == ' ' || buf[p] == '\t' || buf[p] == '\n' ||
                      buf[p] == '\r'))
      p++;
    if (p >= hi || buf[p++] != '"')
      continue;
    for (e = p; e < hi && buf[e] != '"' && buf[e] != '\n'; e++)
      ;
    if (e >= hi || buf[e] != '"')
      continue;
    *vo = p;
    *vl = e - p;
    return 1;
  }
  return 0;
}

static int all_hex(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  return 1;
}

/* A service-account key file: the secret becomes its private_key_id,
 * and everything around it (the private key) is covered by it. */
static int check_gcp_sa(const char *buf, size_t len, struct scan_raw *raw)
{
  size_t lo = raw->off > 8192 ? raw->off - 8192 : 0;
  size_t hi = raw->off + 8192 < len ? raw->off + 8192 : len;
  size_t vo, vl, eo, el;

  if (!find_json_string(buf, lo, hi, "private_key_id", &vo, &vl) ||
      vl != 40 || !all_hex(buf + vo, vl) ||
      !find_json_string(buf, lo, hi, "private_key", &eo, &el))
    return 0;
  if (find_json_string(buf, lo, hi, "client_email", &eo, &el)) {
    char *email = malloc(el + 1);

    if (email) {
      memcpy(email, buf + eo, el);
      email[el] = '\0';
      cJSON_AddStringToObject(raw->attrs, "client_email", email);
      free(email);
    }
  }
  raw->off = vo;
  raw->len = vl;
  raw->cover_start = lo;
  raw->cover_end = hi;
  return 1;
}

static int blank_at(const char *s, size_t n)
{
  if (n >= 2 && s[0] == '\\' && (s[1] == 'n' || s[1] == 'r'))
    return 2;
  return n && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r');
}

/* Narrows raw to its text without surrounding blanks or "\n" escapes. */
static void trim_blank(const char *buf, struct scan_raw *raw)
{
  int k;

  while ((k = blank_at(buf + raw->off, raw->len)) > 0) {
    raw->off += (size_t)k;
    raw->len -= (size_t)k;
  }
  while (raw->len) {
    const char *e = buf + raw->off + raw->len;

    if (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')
      raw->len--;
    else if (raw->len >= 2 && e[-2] == '\\' && (e[-1] == 'n' ||
                                                 e[-1] == 'r'))
      raw->len -= 2;
    else
      break;
  }
}

/* A private key: a base64 body of some length after a BEGIN line whose
 * kind (RSA, EC, OPENSSH, DSA, ENCRYPTED, or PKCS#8) goes in attrs. */
static int check_pem(const char *buf, struct scan_raw *raw)
{
  static const char begin[] = "-----BEGIN ";
  size_t b64 = 0, lo = raw->off > 64 ? raw->off - 64 : 0;
  const char *s;

  trim_blank(buf, raw);
  s = buf + raw->off;
  for (size_t i = 0; i < raw->len; i++) {
    char c = s[i];

    if (c == '\\' && i + 1 < raw->len && (s[i + 1] == 'n' ||
                                          s[i + 1] == 'r')) {
      i++;
      continue;
    }
    b64 += (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '+' || c == '/';
  }
  if (b64 < 64)
    return 0;
  for (size_t i = lo; i + sizeof begin - 1 <= raw->off; i++)
    if (!memcmp(buf + i, begin, sizeof begin - 1)) {
      const char *k = buf + i + sizeof begin - 1;
      const char *kinds[] = { "RSA", "EC", "OPENSSH", "DSA", "ENCRYPTED" };
      const char *kind = "PKCS#8";

      for (size_t j = 0; j < 5; j++)
        if (!strncmp(k, kinds[j], strlen(kinds[j])) &&
            k[strlen(kinds[j])] == ' ')
          kind = kinds[j];
      cJSON_AddStringToObject(raw->attrs, "key_kind", kind);
      break;
    }
  return 1;
}

static int ident_char(unsigned char c, int first)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c == '$' || (!first && c >= '0' && c <= '9');
}

/* An identifier, or a dotted chain of them: process.env.DB_PASSWORD,
 * self.password, config.v2.secret. */
static int is_name_chain(const char *s, size_t n)
{
  int first = 1;

  for (size_t i = 0; i < n; i++) {
    if (s[i] == '.' && !first && i + 1 < n) {
      first = 1;
      continue;
    }
    if (!ident_char((unsigned char)s[i], first))
      return 0;
    first = 0;
  }
  return 1;
}

/* A password: letters mixed with digits or symbols, and not a name
 * (config.db.password, process.env.TOKEN, getPassword). */
static int check_mixed(const char *buf, const struct scan_raw *raw)
{
  const char *s = buf + raw->off;
  int letter = 0, other = 0;

  if (memchr(s, '.', raw->len) && is_name_chain(s, raw->len))
    return 0;
  for (size_t i = 0; i < raw->len; i++) {
    unsigned char c = (unsigned char)s[i];

    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
      letter = 1;
    else if (c != '_' && c != '.' && c != '-')
      other = 1;
  }
  return letter && other;
}

int nhi_scan_validate(const struct scan_rule *r, const char *buf,
                      size_t len, struct scan_raw *raw)
{
  switch (r->validator) {
  case V_GITHUB:
    return nhi_scan_github_checksum(buf + raw->off, raw->len);
  case V_JWT:
    return check_jwt(buf, raw);
  case V_GCP_SA:
    return check_gcp_sa(buf, len, raw);
  case V_PEM:
    return check_pem(buf, raw);
  case V_ANTHROPIC:
    return raw->len > 2 && !memcmp(buf + raw->off + raw->len - 2, "AA", 2);
  case V_MIXED:
    return check_mixed(buf, raw);
  default:
    return -1;
  }
}
