/* IAM pattern matching: action globs, Resource ARN patterns, the
 * wildcards of StringLike and ArnLike conditions. */
#include "aws_match.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

/* One colon-separated segment [p, p + n) of a longer string. */
struct segment {
  const char *p;
  size_t n;
};

static int same_char(char a, char b, int nocase)
{
  if (nocase)
    return tolower((unsigned char)a) == tolower((unsigned char)b);
  return a == b;
}

/* The classic two-cursor wildcard match: on a mismatch, the last '*'
 * seen takes one more character, which bounds the work by plen * tlen
 * without recursion. */
int nhi_aws_glob(const char *p, size_t plen, const char *t, size_t tlen,
                 int nocase)
{
  size_t pi = 0, ti = 0, star_p = SIZE_MAX, star_t = 0, lit;

  while (ti < tlen) {
    if (pi < plen && p[pi] == '*') {
      star_p = ++pi;
      star_t = ti;
      continue;
    }
    if (pi < plen && p[pi] == '?') {
      pi++;
      ti++;
      continue;
    }
    if (pi < plen) {
      lit = p[pi] == NHI_AWS_ESC && pi + 1 < plen ? pi + 1 : pi;
      if (same_char(p[lit], t[ti], nocase)) {
        pi = lit + 1;
        ti++;
        continue;
      }
    }
    if (star_p == SIZE_MAX)
      return 0;
    pi = star_p;
    ti = ++star_t;
  }
  while (pi < plen && p[pi] == '*')
    pi++;
  return pi == plen;
}

int nhi_aws_action_match(const char *pattern, const char *action)
{
  return nhi_aws_glob(pattern, strlen(pattern), action, strlen(action), 1);
}

/* The segment of s (length len) that starts at *pos; *pos moves past its
 * colon, or beyond len after the last segment. Returns 0 when there is
 * no segment left. */
static int next_segment(const char *s, size_t len, size_t *pos,
                        struct segment *out)
{
  const char *colon;

  if (*pos > len)
    return 0;
  out->p = s + *pos;
  colon = memchr(out->p, ':', len - *pos);
  out->n = colon ? (size_t)(colon - out->p) : len - *pos;
  *pos += out->n + 1;
  return 1;
}

/* A pattern segment whose last character is an unescaped '*' may run
 * across the colons after it. */
static int is_open(const struct segment *s)
{
  return s->n > 0 && s->p[s->n - 1] == '*' &&
         (s->n < 2 || s->p[s->n - 2] != NHI_AWS_ESC);
}

/* Segments are matched one by one; an open segment is followed by a
 * "segment star" that takes any number of whole text segments, matched
 * with the same two-cursor scheme as nhi_aws_glob, one level up. */
int nhi_aws_arn_match(const char *pattern, const char *arn)
{
  size_t plen = strlen(pattern), tlen = strlen(arn);
  size_t pp = 0, tp = 0, star_pp = 0, star_tp = 0, next;
  int pstar = 0, have_star = 0;
  struct segment ps, ts;

  while (tp <= tlen) {
    if (pstar) {
      pstar = 0;
      have_star = 1;
      star_pp = pp;
      star_tp = tp;
      continue;
    }
    next = pp;
    if (next_segment(pattern, plen, &next, &ps)) {
      size_t tnext = tp;

      next_segment(arn, tlen, &tnext, &ts);
      if (nhi_aws_glob(ps.p, ps.n, ts.p, ts.n, 0)) {
        pstar = is_open(&ps);
        pp = next;
        tp = tnext;
        continue;
      }
    }
    if (!have_star)
      return 0;
    pp = star_pp;
    next_segment(arn, tlen, &star_tp, &ts);
    tp = star_tp;
  }
  return pp > plen;
}

/* Splits s into the six fields of an ARN; 0 when it has fewer. */
static int arn_fields(const char *s, struct segment f[6])
{
  const char *colon;

  for (int i = 0; i < 5; i++) {
    colon = strchr(s, ':');
    if (!colon)
      return 0;
    f[i].p = s;
    f[i].n = (size_t)(colon - s);
    s = colon + 1;
  }
  f[5].p = s;
  f[5].n = strlen(s);
  return 1;
}

int nhi_aws_arn_like(const char *pattern, const char *value)
{
  struct segment pf[6], vf[6];

  if (strcmp(pattern, "*") == 0)
    return 1;
  if (!arn_fields(pattern, pf) || !arn_fields(value, vf))
    return 0;
  for (int i = 0; i < 6; i++)
    if (!nhi_aws_glob(pf[i].p, pf[i].n, vf[i].p, vf[i].n, 0))
      return 0;
  return 1;
}
