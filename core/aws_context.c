/* The request context of an IAM decision: condition keys and their
 * values, what is known to be absent, and policy variables. */
#include "aws_context.h"

#include "aws_match.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A growing string for substitutions. */
struct text_buf {
  char *p;
  size_t n, cap;
};

void nhi_aws_context_init(struct nhi_aws_context *c, int complete)
{
  memset(c, 0, sizeof *c);
  c->complete = complete;
}

void nhi_aws_context_free(struct nhi_aws_context *c)
{
  for (size_t i = 0; i < c->n; i++) {
    for (size_t k = 0; k < c->items[i].nvalues; k++)
      free(c->items[i].values[k]);
    free(c->items[i].values);
    free(c->items[i].key);
  }
  for (size_t i = 0; i < c->nprefixes; i++)
    free(c->prefixes[i]);
  free(c->items);
  free(c->prefixes);
  c->items = NULL;
  c->prefixes = NULL;
  c->n = c->cap = c->nprefixes = 0;
}

static struct nhi_aws_ctx_entry *find_own(const struct nhi_aws_context *c,
                                          const char *key)
{
  for (size_t i = 0; i < c->n; i++)
    if (strcasecmp(c->items[i].key, key) == 0)
      return &c->items[i];
  return NULL;
}

static struct nhi_aws_ctx_entry *add_key(struct nhi_aws_context *c,
                                         const char *key)
{
  struct nhi_aws_ctx_entry *grown, *e;
  size_t cap;

  if (c->n == c->cap) {
    cap = c->cap ? c->cap * 2 : 8;
    grown = realloc(c->items, cap * sizeof *grown);
    if (!grown)
      return NULL;
    c->items = grown;
    c->cap = cap;
  }
  e = &c->items[c->n];
  memset(e, 0, sizeof *e);
  e->key = strdup(key);
  if (!e->key)
    return NULL;
  c->n++;
  return e;
}

enum nhi_rc nhi_aws_context_add(struct nhi_aws_context *c, const char *key,
                                const char *value)
{
  struct nhi_aws_ctx_entry *e = find_own(c, key);
  char **grown, *copy;

  if (!e && !(e = add_key(c, key)))
    return NHI_ERR_NOMEM;
  if (!value)
    return NHI_OK;
  copy = strdup(value);
  grown = copy ? realloc(e->values, (e->nvalues + 1) * sizeof *grown)
               : NULL;
  if (!grown) {
    free(copy);
    return NHI_ERR_NOMEM;
  }
  e->values = grown;
  e->values[e->nvalues++] = copy;
  return NHI_OK;
}

enum nhi_rc nhi_aws_context_know(struct nhi_aws_context *c,
                                 const char *prefix)
{
  char **grown, *copy = strdup(prefix);

  grown = copy ? realloc(c->prefixes, (c->nprefixes + 1) * sizeof *grown)
               : NULL;
  if (!grown) {
    free(copy);
    return NHI_ERR_NOMEM;
  }
  c->prefixes = grown;
  c->prefixes[c->nprefixes++] = copy;
  return NHI_OK;
}

static int knows_absent(const struct nhi_aws_context *c, const char *key)
{
  if (c->complete)
    return 1;
  for (size_t i = 0; i < c->nprefixes; i++)
    if (strncasecmp(key, c->prefixes[i], strlen(c->prefixes[i])) == 0)
      return 1;
  return 0;
}

enum nhi_aws_tri nhi_aws_context_get(const struct nhi_aws_context *c,
                                     const char *key,
                                     const struct nhi_aws_ctx_entry **out)
{
  const struct nhi_aws_context *layer;
  int absent = 0;

  *out = NULL;
  for (layer = c; layer; layer = layer->next) {
    *out = find_own(layer, key);
    if (*out)
      return NHI_AWS_YES;
    absent = absent || knows_absent(layer, key);
  }
  return absent ? NHI_AWS_NO : NHI_AWS_UNKNOWN;
}

static int buf_add(struct text_buf *b, const char *s, size_t n, int escape)
{
  size_t need = b->n + 2 * n + 1, cap;
  char *grown;

  if (need > b->cap) {
    cap = b->cap ? b->cap : 64;
    while (cap < need)
      cap *= 2;
    grown = realloc(b->p, cap);
    if (!grown)
      return 0;
    b->p = grown;
    b->cap = cap;
  }
  for (size_t i = 0; i < n; i++) {
    if (escape && (s[i] == '*' || s[i] == '?' || s[i] == NHI_AWS_ESC))
      b->p[b->n++] = NHI_AWS_ESC;
    b->p[b->n++] = s[i];
  }
  b->p[b->n] = '\0';
  return 1;
}

/* Trims spaces from both ends of [*s, *s + *n). */
static void trim(const char **s, size_t *n)
{
  while (*n && **s == ' ') {
    (*s)++;
    (*n)--;
  }
  while (*n && (*s)[*n - 1] == ' ')
    (*n)--;
}

/* The value of the variable whose inside ("aws:username" or
 * "aws:username, 'x'") is [in, in + n): *val and *vlen, or the result
 * that stops the substitution. key has room for n + 1 bytes. */
static enum nhi_aws_tri resolve(const struct nhi_aws_context *c,
                                const char *in, size_t n, char *key,
                                const char **val, size_t *vlen)
{
  const struct nhi_aws_ctx_entry *e;
  const char *comma = memchr(in, ',', n), *k = in, *dflt = NULL;
  size_t klen = comma ? (size_t)(comma - in) : n, dlen = 0;
  enum nhi_aws_tri found;

  trim(&k, &klen);
  if (comma) {
    dflt = comma + 1;
    dlen = (size_t)(in + n - dflt);
    trim(&dflt, &dlen);
    if (dlen >= 2 && dflt[0] == '\'' && dflt[dlen - 1] == '\'') {
      dflt++;
      dlen -= 2;
    }
  }
  memcpy(key, k, klen);
  key[klen] = '\0';
  found = nhi_aws_context_get(c, key, &e);
  if (found == NHI_AWS_YES && e->nvalues == 1) {
    *val = e->values[0];
    *vlen = strlen(e->values[0]);
    return NHI_AWS_YES;
  }
  if (found == NHI_AWS_UNKNOWN)
    return NHI_AWS_UNKNOWN;
  if (found == NHI_AWS_NO && dflt) {
    *val = dflt;
    *vlen = dlen;
    return NHI_AWS_YES;
  }
  return NHI_AWS_NO;
}

/* Appends the value of one variable, [in, in + n) being its inside. */
static enum nhi_rc add_variable(const struct nhi_aws_context *c,
                                struct text_buf *b, const char *in,
                                size_t n, int escape, enum nhi_aws_tri *res)
{
  const char *val = NULL;
  size_t vlen = 0;
  char *key;

  if (n == 1 && (*in == '*' || *in == '?' || *in == '$')) {
    if (escape && *in != '$' && !buf_add(b, "\x01", 1, 0))
      return NHI_ERR_NOMEM;
    return buf_add(b, in, 1, 0) ? NHI_OK : NHI_ERR_NOMEM;
  }
  key = malloc(n + 1);
  if (!key)
    return NHI_ERR_NOMEM;
  *res = resolve(c, in, n, key, &val, &vlen);
  free(key);
  if (*res != NHI_AWS_YES)
    return NHI_OK;
  return buf_add(b, val, vlen, escape) ? NHI_OK : NHI_ERR_NOMEM;
}

enum nhi_rc nhi_aws_context_subst(const struct nhi_aws_context *c,
                                  const char *text, int escape,
                                  enum nhi_aws_tri *result, char **out)
{
  struct text_buf b = { NULL, 0, 0 };
  const char *p = text, *open, *close;
  enum nhi_rc rc = NHI_OK;

  *result = NHI_AWS_YES;
  *out = NULL;
  while ((open = strstr(p, "${")) && (close = strchr(open + 2, '}'))) {
    if (!buf_add(&b, p, (size_t)(open - p), 0)) {
      rc = NHI_ERR_NOMEM;
      break;
    }
    rc = add_variable(c, &b, open + 2, (size_t)(close - open - 2), escape,
                      result);
    if (rc || *result != NHI_AWS_YES)
      break;
    p = close + 1;
  }
  if (!rc && *result == NHI_AWS_YES && p != text &&
      !buf_add(&b, p, strlen(p), 0))
    rc = NHI_ERR_NOMEM;
  if (!rc && *result == NHI_AWS_YES && p != text) {
    *out = b.p;
    return NHI_OK;
  }
  free(b.p);
  return rc;
}
