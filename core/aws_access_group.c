/* Data access for identities whose grants cover every store of a kind
 * ("s3:*" on "*"): most stores are alike to them, so the engine is asked
 * once about a stand-in for those, and store by store only about the
 * stores their policies tell apart (a pattern that names some, a
 * resource policy, tags a condition reads). */
#include "aws_access_int.h"

#include "aws_arn.h"
#include "aws_match.h"
#include "strutil.h"

#include <stdlib.h>
#include <string.h>

/* The name of a group's stand-in: no data store is called so. */
#define STAND_IN_NAME "#any#"

/* What an ARN shares with the others of its group: everything up to
 * its resource name ("arn:aws:dynamodb:eu-west-1:1111:table/"). The
 * whole ARN when it does not parse. */
static size_t prefix_length(const char *arn)
{
  struct nhi_aws_arn a;
  size_t n;

  if (!nhi_aws_arn_parse(arn, &a))
    return strlen(arn);
  n = strcspn(a.resource, "/:");
  if (a.resource[n])
    n++;
  else
    n = 0;
  return (size_t)(a.resource - arn) + n;
}

static int same_account(const char *a, const char *b)
{
  return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static enum nhi_rc group_start(struct group *g, size_t index,
                               const struct target *t, size_t len)
{
  memset(g, 0, sizeof *g);
  g->index = index;
  g->account = t->account;
  g->prefix = nhi_aprintf("%.*s", (int)len, t->arn);
  g->stand_in.ds = t->ds;
  g->stand_in.is_stand_in = 1;
  g->stand_in.account = t->account;
  g->stand_in.default_key_policy = strcmp(t->ds->type, "kms-key") == 0;
  if (g->prefix)
    g->stand_in.arn = nhi_aprintf("%s" STAND_IN_NAME, g->prefix);
  if (g->stand_in.arn)
    g->stand_in.data = nhi_aprintf("%s%s", g->stand_in.arn, t->ds->object);
  return g->stand_in.data ? NHI_OK : NHI_ERR_NOMEM;
}

void nhi_access_groups_free(struct group *g, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(g[i].prefix);
    free(g[i].stand_in.arn);
    free(g[i].stand_in.data);
  }
  free(g);
}

/* The end of the run of targets from first that share its prefix. */
static size_t run_end(const struct targets *ts, size_t first, size_t len)
{
  const char *arn = ts->items[first].arn;
  size_t k = first + 1;

  while (k < ts->n && prefix_length(ts->items[k].arn) == len &&
         strncmp(ts->items[k].arn, arn, len) == 0)
    k++;
  return k;
}

/* Gives each target of the run [first, end) the group of its account,
 * starting groups from *k. */
static enum nhi_rc split_run(struct targets *ts, size_t first, size_t end,
                             size_t len, struct group *g, size_t *k)
{
  size_t start = *k, j;
  struct target *t;
  enum nhi_rc rc = NHI_OK;

  for (size_t i = first; i < end && !rc; i++) {
    t = &ts->items[i];
    for (j = start; j < *k; j++)
      if (same_account(g[j].account, t->account))
        break;
    if (j == *k && (rc = group_start(&g[(*k)++], j, t, len)) != NHI_OK)
      break;
    g[j].first = first;
    g[j].n = end - first;
    g[j].members++;
    t->group = j;
  }
  return rc;
}

enum nhi_rc nhi_access_groups(struct targets *ts, struct group **out,
                              size_t *n)
{
  struct group *g = ts->n ? calloc(ts->n, sizeof *g) : NULL;
  enum nhi_rc rc = NHI_OK;
  size_t k = 0, end, len;

  *out = NULL;
  *n = 0;
  if (ts->n && !g)
    return NHI_ERR_NOMEM;
  for (size_t i = 0; i < ts->n && !rc; i = end) {
    len = prefix_length(ts->items[i].arn);
    end = run_end(ts, i, len);
    rc = split_run(ts, i, end, len, g, &k);
  }
  if (rc) {
    nhi_access_groups_free(g, k);
    return rc;
  }
  *out = g;
  *n = k;
  return NHI_OK;
}

/* The target at k when it is one of g's stores, else NULL. */
static const struct target *member(const struct group *g,
                                   const struct targets *ts, size_t k)
{
  return ts->items[k].group == g->index ? &ts->items[k] : NULL;
}

int nhi_access_is_broad(const struct candidate *c, const struct group *g)
{
  return nhi_access_may_reach(c, &g->stand_in);
}

int nhi_access_marked(const struct deriver *d, const struct target *t)
{
  return d->marks[t - d->base] == d->stamp;
}

/* Marks t with d's stamp in d's own scratch: threads judging the same
 * group do not share it. */
static void mark(struct deriver *d, const struct target *t, size_t *marked)
{
  size_t *m = &d->marks[t - d->base];

  if (*m != d->stamp) {
    *m = d->stamp;
    (*marked)++;
  }
}

/* 1 when p covers every store of g: "*", or the group's prefix (or less
 * of it) and a closing '*'. */
static int covers_all(const char *p, const struct group *g)
{
  size_t len = strlen(p);

  if (strcmp(p, "*") == 0)
    return 1;
  return len && p[len - 1] == '*' && strcspn(p, "*?") == len - 1 &&
         len - 1 <= strlen(g->prefix) &&
         strncmp(p, g->prefix, len - 1) == 0;
}

size_t nhi_access_lower_bound(const struct targets *ts, size_t lo,
                              size_t hi, const char *p, size_t len)
{
  size_t mid;

  while (lo < hi) {
    mid = lo + (hi - lo) / 2;
    if (strncmp(ts->items[mid].arn, p, len) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The first target of g whose ARN is not below the len bytes of p. */
static size_t lower_bound(const struct group *g, const struct targets *ts,
                          const char *p, size_t len)
{
  return nhi_access_lower_bound(ts, g->first, g->first + g->n, p, len);
}

/* Marks the stores of g that p (which does not cover the stand-in) may
 * cover: those whose ARN starts with p's text before its first
 * wildcard, and those whose ARN is that text cut at a '/' or ':' (p
 * names some of their objects). */
static void mark_covered(struct deriver *d, const struct group *g,
                         const struct targets *ts, const char *p,
                         size_t *marked)
{
  size_t len = strcspn(p, "*?"), end = g->first + g->n, k;
  const struct target *t;

  for (k = lower_bound(g, ts, p, len); k < end; k++) {
    if (strncmp(ts->items[k].arn, p, len) != 0)
      break;
    if ((t = member(g, ts, k)) && nhi_access_may_cover(p, t))
      mark(d, t, marked);
  }
  for (size_t j = 1; j < len; j++) {
    if (p[j] != '/' && p[j] != ':')
      continue;
    k = lower_bound(g, ts, p, j);
    t = k < end ? member(g, ts, k) : NULL;
    if (t && strlen(t->arn) == j && strncmp(t->arn, p, j) == 0 &&
        nhi_access_may_cover(p, t))
      mark(d, t, marked);
  }
}

/* Marks the stores of g that pattern p tells apart from the stand-in:
 * those it may cover when it does not cover the stand-in, those it does
 * not cover when it does. A pattern with a variable marks every store
 * it may cover, whatever the variable's value. */
static enum nhi_rc mark_by_pattern(struct deriver *d, const struct group *g,
                                   const struct targets *ts, const char *p,
                                   int variable, size_t *marked)
{
  char *wide = variable ? nhi_aws_widen(p) : NULL;
  const struct target *t;

  if (variable && !wide)
    return NHI_ERR_NOMEM;
  if (variable || !nhi_access_may_cover(p, &g->stand_in)) {
    mark_covered(d, g, ts, wide ? wide : p, marked);
  } else if (!covers_all(p, g)) {
    for (size_t k = g->first; k < g->first + g->n; k++)
      if ((t = member(g, ts, k)) && !nhi_access_may_cover(p, t))
        mark(d, t, marked);
  }
  free(wide);
  return NHI_OK;
}

/* Marks the stores of g that arn's policies tell apart from the
 * stand-in; *marked counts them. */
static enum nhi_rc mark_distinct(struct deriver *d, const struct group *g,
                                 const struct targets *ts, const char *arn,
                                 size_t *marked)
{
  struct nhi_aws_terms terms = { 0 };
  enum nhi_rc rc = nhi_aws_engine_terms(d->engine, arn, &terms);
  const struct target *t;

  d->stamp++;
  *marked = 0;
  for (size_t k = g->first; k < g->first + g->n && !rc; k++) {
    t = member(g, ts, k);
    if (t && (t->has_policy || (t->has_tags && terms.reads_resource_tags)))
      mark(d, t, marked);
  }
  for (size_t i = 0; i < terms.n && !rc; i++)
    rc = mark_by_pattern(d, g, ts, terms.patterns[i], terms.variable[i],
                         marked);
  nhi_aws_terms_free(&terms);
  return rc;
}

static int compare_text(const void *key, const void *item)
{
  return strcmp(key, *(char *const *)item);
}

static int names(const struct target *t, const char *arn)
{
  return t->named.n && bsearch(arn, t->named.items, t->named.n,
                               sizeof *t->named.items, compare_text);
}

/* What c may do to each marked store of g, asked store by store. */
static enum nhi_rc judge_marked(struct deriver *d, const struct group *g,
                                const struct targets *ts,
                                const struct candidate *c)
{
  struct access read, write;
  const struct target *t;
  enum nhi_rc rc = NHI_OK;

  for (size_t k = g->first; k < g->first + g->n && !rc; k++) {
    t = member(g, ts, k);
    if (!t || !nhi_access_marked(d, t) ||
        (!nhi_access_may_reach(c, t) && !names(t, c->arn)))
      continue;
    rc = nhi_access_judge(d, t, c->arn, c, &read, &write);
    if (!rc && nhi_access_any(&read))
      rc = nhi_access_write_edge(d, t, c->arn, "can_read", &read);
    if (!rc && nhi_access_any(&write))
      rc = nhi_access_write_edge(d, t, c->arn, "can_write", &write);
    nhi_access_clear(&read);
    nhi_access_clear(&write);
  }
  return rc;
}

/* The kind edge of every unmarked store of g from the stand-in's
 * answer a: one set edge when they are many, else one edge each. */
static enum nhi_rc write_plain(struct deriver *d, const struct group *g,
                               const struct targets *ts,
                               const struct candidate *c, const char *kind,
                               const struct access *a, size_t plain)
{
  enum nhi_rc rc = NHI_OK;

  if (!plain || !nhi_access_any(a))
    return NHI_OK;
  if (plain >= d->min_set)
    return nhi_access_write_set(d, g, ts, c->arn, kind, a, plain);
  for (size_t k = g->first; k < g->first + g->n && !rc; k++)
    if (ts->items[k].group == g->index &&
        !nhi_access_marked(d, &ts->items[k]))
      rc = nhi_access_write_edge(d, &ts->items[k], c->arn, kind, a);
  return rc;
}

enum nhi_rc nhi_access_derive_broad(struct deriver *d, const struct group *g,
                                    const struct targets *ts,
                                    const struct candidate *c)
{
  struct access read, write;
  size_t marked = 0, plain;
  enum nhi_rc rc = mark_distinct(d, g, ts, c->arn, &marked);

  if (rc)
    return rc;
  plain = g->members - marked;
  rc = judge_marked(d, g, ts, c);
  if (rc || !plain)
    return rc;
  rc = nhi_access_judge(d, &g->stand_in, c->arn, c, &read, &write);
  if (!rc)
    rc = write_plain(d, g, ts, c, "can_read", &read, plain);
  if (!rc)
    rc = write_plain(d, g, ts, c, "can_write", &write, plain);
  nhi_access_clear(&read);
  nhi_access_clear(&write);
  return rc;
}
