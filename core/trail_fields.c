/* A CloudTrail record's fields in one pass over its JSON text: no tree
 * is built; the dozen strings the importer reads are decoded in place,
 * and everything else is checked and skipped. It accepts and refuses
 * what cJSON does, so a bad record is reported at the same byte. */
#include "trail_fields.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cJSON's nesting limit. */
#define MAX_DEPTH 1000

/* The objects whose members are read; C_SKIP for all the others. */
enum context {
  C_TOP, C_UID, C_SESSION, C_ISSUER, C_RESPONSE, C_REQUEST, C_RESOURCES,
  C_RESOURCE, C_SKIP
};

/* A member of an object of context ctx: a field, or an object (an
 * array for C_RESOURCES) read as context child. */
struct rule {
  enum context ctx;
  const char *key;
  int field;                  /* -1 for a child */
  enum context child;
};

static const struct rule rules[] = {
  { C_TOP, "eventTime", NHI_TF_TIME, C_SKIP },
  { C_TOP, "eventSource", NHI_TF_SOURCE, C_SKIP },
  { C_TOP, "eventName", NHI_TF_NAME, C_SKIP },
  { C_TOP, "eventType", NHI_TF_TYPE, C_SKIP },
  { C_TOP, "errorCode", NHI_TF_ERROR, C_SKIP },
  { C_TOP, "awsRegion", NHI_TF_REGION, C_SKIP },
  { C_TOP, "recipientAccountId", NHI_TF_ACCOUNT, C_SKIP },
  { C_TOP, "sourceIPAddress", NHI_TF_IP, C_SKIP },
  { C_TOP, "userAgent", NHI_TF_AGENT, C_SKIP },
  { C_TOP, "userIdentity", -1, C_UID },
  { C_TOP, "responseElements", -1, C_RESPONSE },
  { C_TOP, "requestParameters", -1, C_REQUEST },
  { C_TOP, "resources", -1, C_RESOURCES },
  { C_UID, "type", NHI_TF_UID_TYPE, C_SKIP },
  { C_UID, "invokedBy", NHI_TF_UID_INVOKED_BY, C_SKIP },
  { C_UID, "arn", NHI_TF_UID_ARN, C_SKIP },
  { C_UID, "principalId", NHI_TF_UID_PRINCIPAL, C_SKIP },
  { C_UID, "accountId", NHI_TF_UID_ACCOUNT, C_SKIP },
  { C_UID, "sessionContext", -1, C_SESSION },
  { C_SESSION, "sessionIssuer", -1, C_ISSUER },
  { C_ISSUER, "arn", NHI_TF_ISSUER_ARN, C_SKIP },
  { C_RESPONSE, "ConsoleLogin", NHI_TF_CONSOLE_LOGIN, C_SKIP },
  { C_REQUEST, "bucketName", NHI_TF_BUCKET, C_SKIP },
  { C_REQUEST, "key", NHI_TF_KEY, C_SKIP },
  { C_RESOURCE, "ARN", NHI_TF_RESOURCE_ARN, C_SKIP },
};
#define NRULES (sizeof rules / sizeof rules[0])

struct reader {
  char *s;
  size_t pos, len;
  int depth;
  struct nhi_trail_fields *f;
};

static int read_value(struct reader *r, enum context ctx);

static void skip_space(struct reader *r)
{
  while (r->pos < r->len && (unsigned char)r->s[r->pos] <= 32)
    r->pos++;
}

/* Four hex digits as cJSON reads them: 0 when one is not a digit. */
static unsigned hex4(const char *p)
{
  unsigned v = 0;

  for (int i = 0; i < 4; i++) {
    char c = p[i];

    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (unsigned)(c - 'A' + 10);
    else
      return 0;
  }
  return v;
}

/* Writes code point cp as UTF-8 at *out. */
static void put_utf8(char **out, unsigned long cp)
{
  unsigned char *o = (unsigned char *)*out;

  if (cp < 0x80) {
    *o++ = (unsigned char)cp;
  } else if (cp < 0x800) {
    *o++ = (unsigned char)(0xC0 | (cp >> 6));
    *o++ = (unsigned char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *o++ = (unsigned char)(0xE0 | (cp >> 12));
    *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    *o++ = (unsigned char)(0x80 | (cp & 0x3F));
  } else {
    *o++ = (unsigned char)(0xF0 | (cp >> 18));
    *o++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    *o++ = (unsigned char)(0x80 | (cp & 0x3F));
  }
  *out = (char *)o;
}

/* A \u escape at in (its backslash), a surrogate pair taking two, as
 * UTF-8 at *out; the number of input bytes used, 0 when invalid. */
static size_t unicode_escape(const char *in, const char *end, char **out)
{
  unsigned hi, lo;

  if (end - in < 6)
    return 0;
  hi = hex4(in + 2);
  if (hi >= 0xDC00 && hi <= 0xDFFF)
    return 0;
  if (hi < 0xD800 || hi > 0xDBFF) {
    put_utf8(out, hi);
    return 6;
  }
  if (end - in < 12 || in[6] != '\\' || in[7] != 'u')
    return 0;
  lo = hex4(in + 8);
  if (lo < 0xDC00 || lo > 0xDFFF)
    return 0;
  put_utf8(out, 0x10000 + (((unsigned long)(hi & 0x3FF) << 10) |
                           (lo & 0x3FF)));
  return 12;
}

/* One escape at in (its backslash) decoded at *out; input bytes used,
 * 0 when it is not a JSON escape. */
static size_t escape(const char *in, const char *end, char **out)
{
  static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
  const char *hit;

  if (end - in < 2)
    return 0;
  if (in[1] == 'u')
    return unicode_escape(in, end, out);
  hit = in[1] ? strchr(from, in[1]) : NULL;
  if (!hit)
    return 0;
  *(*out)++ = to[hit - from];
  return 2;
}

/* The string at r->pos (its opening quote), decoded in place and
 * ended with '\0'; NULL (r->pos where it failed) when it is not one.
 * As in cJSON, its end is found first, and escapes are read within it. */
static char *read_string(struct reader *r)
{
  char *start = r->s + r->pos + 1, *limit = r->s + r->len;
  char *end = memchr(start, '"', (size_t)(limit - start)), *in, *out;
  size_t used;

  /* Most strings hold no escape: they end at the first quote and are
   * already what they decode to. */
  if (end && !memchr(start, '\\', (size_t)(end - start))) {
    r->pos = (size_t)(end - r->s) + 1;
    *end = '\0';
    return start;
  }
  end = in = out = start;
  while (end < limit && *end != '"') {
    if (*end == '\\' && end + 1 >= limit) {
      end = limit;
      break;
    }
    end += *end == '\\' ? 2 : 1;
  }
  if (end >= limit) {
    r->pos = (size_t)(start - r->s);      /* where cJSON says it stopped */
    return NULL;
  }
  while (in < end) {
    if (*in != '\\') {
      *out++ = *in++;
      continue;
    }
    used = escape(in, end, &out);
    if (!used) {
      r->pos = (size_t)(in - r->s);
      return NULL;
    }
    in += used;
  }
  r->pos = (size_t)(end - r->s) + 1;
  *out = '\0';
  return start;
}

/* A number as cJSON reads one: the longest run of number characters
 * (at most 63), of which strtod must take some. */
static int read_number(struct reader *r)
{
  char buf[64], *after;
  size_t n = 0;

  while (n < sizeof buf - 1 && r->pos + n < r->len &&
         strchr("0123456789+-.eE", r->s[r->pos + n]) && r->s[r->pos + n])
    n++;
  memcpy(buf, r->s + r->pos, n);
  buf[n] = '\0';
  (void)strtod(buf, &after);
  if (after == buf)
    return -1;
  r->pos += (size_t)(after - buf);
  return 0;
}

static int read_literal(struct reader *r)
{
  static const char *const words[] = { "null", "false", "true" };
  size_t n;

  for (size_t i = 0; i < 3; i++) {
    n = strlen(words[i]);
    if (r->len - r->pos >= n && strncmp(r->s + r->pos, words[i], n) == 0) {
      r->pos += n;
      return 0;
    }
  }
  return -1;
}

/* The rule for key in an object of context ctx, or -1. */
static int rule_for(enum context ctx, const char *key)
{
  if (ctx == C_SKIP)
    return -1;
  for (size_t i = 0; i < NRULES; i++)
    if (rules[i].ctx == ctx && rules[i].key[0] == key[0] &&
        strcmp(rules[i].key, key) == 0)
      return (int)i;
  return -1;
}

/* The context a member's value is read in, by its rule: a field's
 * string is kept, a child object (or the resources array) is read, and
 * anything else, or a key seen before in the object, is skipped. */
static int read_member(struct reader *r, int rule, uint32_t *seen)
{
  const struct rule *ru = rule >= 0 ? &rules[rule] : NULL;
  int first = ru && !(*seen & (1u << rule));
  char c = r->s[r->pos];
  char *text;

  if (ru)
    *seen |= 1u << rule;
  if (!first)
    return read_value(r, C_SKIP);
  if (ru->field >= 0) {
    if (c != '"')
      return read_value(r, C_SKIP);
    if (!(text = read_string(r)))
      return -1;
    if (ru->field != NHI_TF_RESOURCE_ARN || !r->f->v[ru->field])
      r->f->v[ru->field] = text;
    return 0;
  }
  if ((ru->child == C_RESOURCES) != (c == '['))
    return read_value(r, C_SKIP);
  return c == '{' || c == '[' ? read_value(r, ru->child)
                              : read_value(r, C_SKIP);
}

static int read_object(struct reader *r, enum context ctx)
{
  uint32_t seen = 0;
  char *key;

  r->pos++;
  skip_space(r);
  if (r->pos < r->len && r->s[r->pos] == '}') {
    r->pos++;
    return 0;
  }
  for (;;) {
    skip_space(r);
    if (r->pos >= r->len || r->s[r->pos] != '"') {
      r->pos++;                           /* cJSON stops one past it */
      return -1;
    }
    if (!(key = read_string(r)))
      return -1;
    skip_space(r);
    if (r->pos >= r->len || r->s[r->pos] != ':')
      return -1;
    r->pos++;
    skip_space(r);
    if (read_member(r, rule_for(ctx, key), &seen))
      return -1;
    skip_space(r);
    if (r->pos < r->len && r->s[r->pos] == ',') {
      r->pos++;
      continue;
    }
    if (r->pos >= r->len || r->s[r->pos] != '}')
      return -1;
    r->pos++;
    return 0;
  }
}

static int read_array(struct reader *r, enum context ctx)
{
  enum context item = ctx == C_RESOURCES ? C_RESOURCE : C_SKIP;

  r->pos++;
  skip_space(r);
  if (r->pos < r->len && r->s[r->pos] == ']') {
    r->pos++;
    return 0;
  }
  for (;;) {
    skip_space(r);
    if (read_value(r, item))
      return -1;
    skip_space(r);
    if (r->pos < r->len && r->s[r->pos] == ',') {
      r->pos++;
      continue;
    }
    if (r->pos >= r->len || r->s[r->pos] != ']')
      return -1;
    r->pos++;
    return 0;
  }
}

/* One value at r->pos; ctx applies when it is an object (or, for the
 * resources list, an array of objects). */
static int read_value(struct reader *r, enum context ctx)
{
  int rc;
  char c;

  if (r->pos >= r->len)
    return -1;
  c = r->s[r->pos];
  if (c == '"')
    return read_string(r) ? 0 : -1;
  if (c == '-' || (c >= '0' && c <= '9'))
    return read_number(r);
  if (c != '{' && c != '[')
    return read_literal(r);
  if (++r->depth > MAX_DEPTH)
    return -1;
  if (c == '{')
    rc = read_object(r, ctx == C_RESOURCES ? C_SKIP : ctx);
  else
    rc = read_array(r, ctx == C_RESOURCES ? ctx : C_SKIP);
  r->depth--;
  return rc;
}

int nhi_trail_fields_read(char *text, size_t len,
                          struct nhi_trail_fields *f, size_t *stop)
{
  struct reader r = { text, 0, len, 0, f };
  int rc;

  memset(f, 0, sizeof *f);
  skip_space(&r);
  rc = read_value(&r, C_TOP);
  if (!rc) {
    skip_space(&r);
    if (r.pos < r.len)
      rc = -1;
  }
  if (rc) {
    memset(f, 0, sizeof *f);
    *stop = r.pos <= len ? r.pos : len;   /* cJSON counts the '\0' */
  }
  return rc;
}
