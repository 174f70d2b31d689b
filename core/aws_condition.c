/* IAM Condition blocks: every condition operator, the IfExists suffix and
 * the ForAllValues/ForAnyValue set operators, over a request context. */
#include "aws_condition.h"

#include "aws_match.h"
#include "timeutil.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum op_type {
  OP_STRING, OP_STRING_NOCASE, OP_STRING_LIKE, OP_NUMERIC, OP_DATE,
  OP_BOOL, OP_BINARY, OP_IP, OP_ARN, OP_NULL
};

enum op_cmp { CMP_EQ, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

enum op_set { SET_NONE, SET_ALL, SET_ANY };

struct op_def {
  const char *name;
  enum op_type type;
  enum op_cmp cmp;
  int negated;
};

/* An operator as written: its definition and qualifiers. */
struct op {
  const struct op_def *def;
  enum op_set set;
  int if_exists;
};

static const struct op_def op_defs[] = {
  { "StringEquals", OP_STRING, CMP_EQ, 0 },
  { "StringNotEquals", OP_STRING, CMP_EQ, 1 },
  { "StringEqualsIgnoreCase", OP_STRING_NOCASE, CMP_EQ, 0 },
  { "StringNotEqualsIgnoreCase", OP_STRING_NOCASE, CMP_EQ, 1 },
  { "StringLike", OP_STRING_LIKE, CMP_EQ, 0 },
  { "StringNotLike", OP_STRING_LIKE, CMP_EQ, 1 },
  { "NumericEquals", OP_NUMERIC, CMP_EQ, 0 },
  { "NumericNotEquals", OP_NUMERIC, CMP_EQ, 1 },
  { "NumericLessThan", OP_NUMERIC, CMP_LT, 0 },
  { "NumericLessThanEquals", OP_NUMERIC, CMP_LE, 0 },
  { "NumericGreaterThan", OP_NUMERIC, CMP_GT, 0 },
  { "NumericGreaterThanEquals", OP_NUMERIC, CMP_GE, 0 },
  { "DateEquals", OP_DATE, CMP_EQ, 0 },
  { "DateNotEquals", OP_DATE, CMP_EQ, 1 },
  { "DateLessThan", OP_DATE, CMP_LT, 0 },
  { "DateLessThanEquals", OP_DATE, CMP_LE, 0 },
  { "DateGreaterThan", OP_DATE, CMP_GT, 0 },
  { "DateGreaterThanEquals", OP_DATE, CMP_GE, 0 },
  { "Bool", OP_BOOL, CMP_EQ, 0 },
  { "BinaryEquals", OP_BINARY, CMP_EQ, 0 },
  { "IpAddress", OP_IP, CMP_EQ, 0 },
  { "NotIpAddress", OP_IP, CMP_EQ, 1 },
  { "ArnEquals", OP_ARN, CMP_EQ, 0 },
  { "ArnLike", OP_ARN, CMP_EQ, 0 },
  { "ArnNotEquals", OP_ARN, CMP_EQ, 1 },
  { "ArnNotLike", OP_ARN, CMP_EQ, 1 },
  { "Null", OP_NULL, CMP_EQ, 0 },
};

/* Kleene logic over the three values. */
static enum nhi_aws_tri tri_not(enum nhi_aws_tri a)
{
  return a == NHI_AWS_UNKNOWN ? a : a == NHI_AWS_YES ? NHI_AWS_NO
                                                     : NHI_AWS_YES;
}

static enum nhi_aws_tri tri_or(enum nhi_aws_tri a, enum nhi_aws_tri b)
{
  if (a == NHI_AWS_YES || b == NHI_AWS_YES)
    return NHI_AWS_YES;
  return a == NHI_AWS_UNKNOWN || b == NHI_AWS_UNKNOWN ? NHI_AWS_UNKNOWN
                                                      : NHI_AWS_NO;
}

static enum nhi_aws_tri tri_and(enum nhi_aws_tri a, enum nhi_aws_tri b)
{
  return tri_not(tri_or(tri_not(a), tri_not(b)));
}

static int has_prefix(const char *s, const char *prefix, size_t *len)
{
  *len = strlen(prefix);
  return strncasecmp(s, prefix, *len) == 0;
}

/* Reads "ForAnyValue:StringLikeIfExists" into op; 0 when unknown. */
static int parse_op(const char *name, struct op *op)
{
  static const char suffix[] = "IfExists";
  size_t n, len, slen = sizeof suffix - 1;

  memset(op, 0, sizeof *op);
  if (has_prefix(name, "ForAllValues:", &n))
    op->set = SET_ALL;
  else if (has_prefix(name, "ForAnyValue:", &n))
    op->set = SET_ANY;
  else
    n = 0;
  name += n;
  len = strlen(name);
  if (len > slen && strcasecmp(name + len - slen, suffix) == 0) {
    op->if_exists = 1;
    len -= slen;
  }
  for (size_t i = 0; i < sizeof op_defs / sizeof op_defs[0]; i++)
    if (strlen(op_defs[i].name) == len &&
        strncasecmp(op_defs[i].name, name, len) == 0) {
      op->def = &op_defs[i];
      return !(op->if_exists && op->def->type == OP_NULL);
    }
  return 0;
}

/* The text of a scalar policy value into buf (numbers and booleans as
 * AWS reads them); NULL for other JSON types. */
static const char *scalar_text(const cJSON *v, char buf[32])
{
  double d;

  if (cJSON_IsString(v))
    return v->valuestring;
  if (cJSON_IsBool(v))
    return cJSON_IsTrue(v) ? "true" : "false";
  if (!cJSON_IsNumber(v))
    return NULL;
  d = v->valuedouble;
  if (d == (double)(long long)d && d > -1e15 && d < 1e15)
    snprintf(buf, 32, "%lld", (long long)d);
  else
    snprintf(buf, 32, "%.17g", d);
  return buf;
}

static int parse_number(const char *s, double *out)
{
  char *end;

  if (!*s || isspace((unsigned char)*s))
    return 0;
  *out = strtod(s, &end);
  return *end == '\0';
}

/* A date as ISO 8601 or as seconds since the epoch. */
static int parse_date(const char *s, double *out)
{
  time_t t;

  if (parse_number(s, out))
    return 1;
  if (nhi_time_parse(s, &t))
    return 0;
  *out = (double)t;
  return 1;
}

static int compare(double a, double b, enum op_cmp cmp)
{
  switch (cmp) {
  case CMP_LT: return a < b;
  case CMP_LE: return a <= b;
  case CMP_GT: return a > b;
  case CMP_GE: return a >= b;
  default: return a == b;
  }
}

/* Reads an address, or a CIDR block, of either family. bits is the
 * prefix length (the full width for a plain address). */
static int parse_ip(const char *s, int *family, unsigned char addr[16],
                    int *bits)
{
  const char *slash = strchr(s, '/');
  size_t n = slash ? (size_t)(slash - s) : strlen(s);
  char text[64];
  char *end;
  long b;

  if (n == 0 || n >= sizeof text)
    return 0;
  memcpy(text, s, n);
  text[n] = '\0';
  if (inet_pton(AF_INET, text, addr) == 1)
    *family = AF_INET;
  else if (inet_pton(AF_INET6, text, addr) == 1)
    *family = AF_INET6;
  else
    return 0;
  *bits = *family == AF_INET ? 32 : 128;
  if (!slash)
    return 1;
  b = strtol(slash + 1, &end, 10);
  if (*end || end == slash + 1 || b < 0 || b > *bits)
    return 0;
  *bits = (int)b;
  return 1;
}

static int ip_in(const char *cidr, const char *ip)
{
  unsigned char net[16], addr[16];
  int nf, af, nbits, abits, full;

  if (!parse_ip(cidr, &nf, net, &nbits) || !parse_ip(ip, &af, addr, &abits)
      || nf != af || abits != (af == AF_INET ? 32 : 128))
    return 0;
  full = nbits / 8;
  if (memcmp(net, addr, (size_t)full) != 0)
    return 0;
  if (nbits % 8 == 0)
    return 1;
  return ((net[full] ^ addr[full]) & (0xff00 >> (nbits % 8))) == 0;
}

static int is_true_text(const char *s)
{
  return strcasecmp(s, "true") == 0;
}

/* Compares one context value with one policy value (variables already
 * replaced), without the operator's negation. */
static int compare_one(const struct op_def *d, const char *pv,
                       const char *cv)
{
  double a, b;

  switch (d->type) {
  case OP_STRING: case OP_BINARY:
    return strcmp(pv, cv) == 0;
  case OP_STRING_NOCASE:
    return strcasecmp(pv, cv) == 0;
  case OP_STRING_LIKE:
    return nhi_aws_glob(pv, strlen(pv), cv, strlen(cv), 0);
  case OP_NUMERIC:
    return parse_number(cv, &a) && parse_number(pv, &b) &&
           compare(a, b, d->cmp);
  case OP_DATE:
    return parse_date(cv, &a) && parse_date(pv, &b) && compare(a, b, d->cmp);
  case OP_BOOL:
    return strcasecmp(pv, cv) == 0;
  case OP_IP:
    return ip_in(pv, cv);
  case OP_ARN:
    return nhi_aws_arn_like(pv, cv);
  default:
    return 0;
  }
}

static int allows_variables(enum op_type t)
{
  return t == OP_STRING || t == OP_STRING_NOCASE || t == OP_STRING_LIKE ||
         t == OP_ARN;
}

/* Whether one policy value matches the context value cv. */
static enum nhi_rc match_value(const struct op_def *d, const char *pv,
                               const char *cv,
                               const struct nhi_aws_context *ctx,
                               enum nhi_aws_tri *out)
{
  int pattern = d->type == OP_STRING_LIKE || d->type == OP_ARN;
  enum nhi_aws_tri res;
  char *subst = NULL;
  enum nhi_rc rc;

  if (!allows_variables(d->type)) {
    *out = compare_one(d, pv, cv) ? NHI_AWS_YES : NHI_AWS_NO;
    return NHI_OK;
  }
  rc = nhi_aws_context_subst(ctx, pv, pattern, &res, &subst);
  if (rc)
    return rc;
  *out = res;
  if (res == NHI_AWS_YES)
    *out = compare_one(d, subst ? subst : pv, cv) ? NHI_AWS_YES
                                                  : NHI_AWS_NO;
  free(subst);
  return NHI_OK;
}

/* Whether any of the policy values matches the context value cv. */
static enum nhi_rc match_any(const struct op_def *d, const cJSON *values,
                             const char *cv,
                             const struct nhi_aws_context *ctx,
                             enum nhi_aws_tri *out)
{
  const cJSON *v = cJSON_IsArray(values) ? values->child : values;
  enum nhi_aws_tri one;
  char buf[32];
  const char *pv;
  enum nhi_rc rc;

  *out = NHI_AWS_NO;
  for (; v && *out != NHI_AWS_YES; v = cJSON_IsArray(values) ? v->next
                                                           : NULL) {
    pv = scalar_text(v, buf);
    if (!pv) {
      *out = NHI_AWS_UNKNOWN;
      continue;
    }
    rc = match_value(d, pv, cv, ctx, &one);
    if (rc)
      return rc;
    *out = tri_or(*out, one);
  }
  return NHI_OK;
}

/* The Null operator: the policy says whether the key must be absent. */
static enum nhi_aws_tri eval_null(const cJSON *values, int present)
{
  const cJSON *v = cJSON_IsArray(values) ? values->child : values;
  enum nhi_aws_tri out = NHI_AWS_NO;
  char buf[32];
  const char *pv;

  for (; v; v = cJSON_IsArray(values) ? v->next : NULL) {
    pv = scalar_text(v, buf);
    if (!pv)
      return NHI_AWS_UNKNOWN;
    if (is_true_text(pv) == !present)
      out = NHI_AWS_YES;
  }
  return out;
}

/* The result for a key the context knows is absent (or empty). */
static enum nhi_aws_tri eval_absent(const struct op *op)
{
  if (op->if_exists || op->set == SET_ALL)
    return NHI_AWS_YES;
  if (op->set == SET_ANY)
    return NHI_AWS_NO;
  return op->def->negated ? NHI_AWS_YES : NHI_AWS_NO;
}

/* Combines what each context value gave (m[i]: some policy value
 * matched it) as the operator's set qualifier and negation say. */
static enum nhi_aws_tri combine(const struct op *op,
                                const enum nhi_aws_tri *m, size_t n)
{
  enum nhi_aws_tri out = op->set == SET_ALL ? NHI_AWS_YES : NHI_AWS_NO;

  for (size_t i = 0; i < n; i++) {
    enum nhi_aws_tri hit = op->set != SET_NONE && op->def->negated
                           ? tri_not(m[i]) : m[i];

    out = op->set == SET_ALL ? tri_and(out, hit) : tri_or(out, hit);
  }
  if (op->set == SET_NONE && op->def->negated)
    out = tri_not(out);
  return out;
}

/* One key of one operator. */
static enum nhi_rc eval_key(const struct op *op, const char *key,
                            const cJSON *values,
                            const struct nhi_aws_context *ctx,
                            enum nhi_aws_tri *out)
{
  const struct nhi_aws_ctx_entry *e;
  enum nhi_aws_tri found = nhi_aws_context_get(ctx, key, &e), *m;
  enum nhi_rc rc = NHI_OK;

  if (found == NHI_AWS_UNKNOWN) {
    *out = NHI_AWS_UNKNOWN;
    return NHI_OK;
  }
  if (op->def->type == OP_NULL) {
    *out = eval_null(values, found == NHI_AWS_YES && e->nvalues > 0);
    return NHI_OK;
  }
  if (found == NHI_AWS_NO || e->nvalues == 0) {
    *out = eval_absent(op);
    return NHI_OK;
  }
  m = malloc(e->nvalues * sizeof *m);
  if (!m)
    return NHI_ERR_NOMEM;
  for (size_t i = 0; i < e->nvalues && !rc; i++)
    rc = match_any(op->def, values, e->values[i], ctx, &m[i]);
  if (!rc)
    *out = combine(op, m, e->nvalues);
  free(m);
  return rc;
}

/* Folds one part's result into *result, noting the first part that
 * settled it. */
static void fold(enum nhi_aws_tri part, const char *op, const char *key,
                 const char *why, enum nhi_aws_tri *result,
                 struct nhi_aws_cond_note *note)
{
  if (part == NHI_AWS_YES || *result == NHI_AWS_NO)
    return;
  if (part == NHI_AWS_NO || !note->op) {
    note->op = op;
    note->key = key;
    note->why = part == NHI_AWS_NO ? NULL : why;
  }
  *result = tri_and(*result, part);
}

enum nhi_rc nhi_aws_condition_eval(const cJSON *cond,
                                   const struct nhi_aws_context *ctx,
                                   enum nhi_aws_tri *result,
                                   struct nhi_aws_cond_note *note)
{
  struct nhi_aws_cond_note scratch;
  enum nhi_aws_tri part;
  struct op op;
  enum nhi_rc rc;

  note = note ? note : &scratch;
  memset(note, 0, sizeof *note);
  *result = NHI_AWS_YES;
  if (!cond)
    return NHI_OK;
  if (!cJSON_IsObject(cond)) {
    fold(NHI_AWS_UNKNOWN, NULL, NULL, "the Condition is not an object",
         result, note);
    return NHI_OK;
  }
  for (const cJSON *o = cond->child; o && *result != NHI_AWS_NO;
       o = o->next) {
    if (!parse_op(o->string, &op) || !cJSON_IsObject(o)) {
      fold(NHI_AWS_UNKNOWN, o->string, NULL, "unsupported condition "
           "operator", result, note);
      continue;
    }
    for (const cJSON *k = o->child; k && *result != NHI_AWS_NO;
         k = k->next) {
      rc = eval_key(&op, k->string, k, ctx, &part);
      if (rc)
        return rc;
      fold(part, o->string, k->string, "the request context does not say",
           result, note);
    }
  }
  return NHI_OK;
}
