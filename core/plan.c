/* The remediation plan: one action per check, quick wins first, then the
 * most risk removed per unit of effort. See docs/scoring.md. */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

static const char *const severities[] = {
  "critical", "high", "medium", "low", "info"
};
#define N_SEVERITIES (sizeof severities / sizeof severities[0])

/* 0 for critical down to 4 for info; anything else ranks below info. */
static size_t severity_rank(const char *s)
{
  for (size_t i = 0; s && i < N_SEVERITIES; i++)
    if (!strcmp(s, severities[i]))
      return i;
  return N_SEVERITIES;
}

double nhi_plan_weight(const char *severity, const char *status)
{
  static const double weights[N_SEVERITIES] = { 4, 2, 1, 0.25, 0 };
  size_t r = severity_rank(severity);
  double w = r < N_SEVERITIES ? weights[r] : 0;

  return status && !strcmp(status, "indeterminate") ? w / 2 : w;
}

double nhi_plan_effort_units(const char *effort)
{
  if (effort && !strcmp(effort, "low"))
    return 1;
  if (effort && !strcmp(effort, "high"))
    return 4;
  return 2;
}

/* The effort's own name, medium for anything unknown. */
static const char *effort_name(double units)
{
  return units <= 1 ? "low" : units >= 4 ? "high" : "medium";
}

static int by_check(const void *a, const void *b)
{
  const struct nhi_plan_finding *const *pa = a, *const *pb = b;
  const struct nhi_plan_finding *x = *pa, *y = *pb;
  int c = strcmp(x->check, y->check);

  return c ? c : (x > y) - (x < y);
}

static int by_text(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts the n strings of v and drops repeats; returns how many remain. */
static size_t sort_unique(const char **v, size_t n)
{
  size_t m = 0;

  qsort(v, n, sizeof *v, by_text);
  for (size_t i = 0; i < n; i++)
    if (!m || strcmp(v[m - 1], v[i]))
      v[m++] = v[i];
  return m;
}

/* Fills a from the k findings of one check in g. */
static enum nhi_rc fill_action(struct nhi_plan_action *a,
                               const struct nhi_plan_finding *const *g,
                               size_t k)
{
  size_t worst = N_SEVERITIES;
  double units = 0;

  a->check = g[0]->check;
  a->identities = malloc(k * sizeof *a->identities);
  a->findings = malloc(k * sizeof *a->findings);
  if (!a->identities || !a->findings)
    return NHI_ERR_NOMEM;
  for (size_t i = 0; i < k; i++) {
    size_t r = severity_rank(g[i]->severity);
    double u = nhi_plan_effort_units(g[i]->effort);

    worst = r < worst ? r : worst;
    units = u > units ? u : units;
    a->risk_removed += nhi_plan_weight(g[i]->severity, g[i]->status);
    if (g[i]->identity)
      a->identities[a->nidentities++] = g[i]->identity;
    if (g[i]->id)
      a->findings[a->nfindings++] = g[i]->id;
  }
  a->nidentities = sort_unique(a->identities, a->nidentities);
  a->nfindings = sort_unique(a->findings, a->nfindings);
  a->severity = severities[worst < N_SEVERITIES ? worst : 4];
  a->effort = effort_name(units);
  a->quick_win = units <= 1 && worst <= 1;
  return NHI_OK;
}

/* Quick wins first, then the most risk removed per unit of effort, then
 * the check id, so equal actions keep one order. */
static int by_priority(const void *a, const void *b)
{
  const struct nhi_plan_action *x = a, *y = b;
  double rx = x->risk_removed / nhi_plan_effort_units(x->effort);
  double ry = y->risk_removed / nhi_plan_effort_units(y->effort);

  if (x->quick_win != y->quick_win)
    return y->quick_win - x->quick_win;
  if (rx != ry)
    return rx < ry ? 1 : -1;
  return strcmp(x->check, y->check);
}

/* Cuts the sorted findings v (m of them) into actions in out. */
static enum nhi_rc group(const struct nhi_plan_finding **v, size_t m,
                         struct nhi_plan *out)
{
  enum nhi_rc rc = NHI_OK;
  size_t j;

  for (size_t i = 0; i < m && !rc; i = j) {
    for (j = i + 1; j < m && !strcmp(v[j]->check, v[i]->check); j++)
      ;
    rc = fill_action(&out->actions[out->count++], v + i, j - i);
  }
  return rc;
}

enum nhi_rc nhi_plan_build(const struct nhi_plan_finding *f, size_t n,
                           struct nhi_plan *out)
{
  const struct nhi_plan_finding **v = malloc((n ? n : 1) * sizeof *v);
  enum nhi_rc rc = NHI_OK;
  size_t m = 0;

  memset(out, 0, sizeof *out);
  out->actions = calloc(n ? n : 1, sizeof *out->actions);
  if (!v || !out->actions)
    rc = NHI_ERR_NOMEM;
  for (size_t i = 0; !rc && i < n; i++)
    if (f[i].check)
      v[m++] = &f[i];
  if (!rc) {
    qsort(v, m, sizeof *v, by_check);
    rc = group(v, m, out);
  }
  if (!rc)
    qsort(out->actions, out->count, sizeof *out->actions, by_priority);
  free(v);
  if (rc) {
    nhi_error("remediation plan: out of memory");
    nhi_plan_free(out);
  }
  return rc;
}

void nhi_plan_free(struct nhi_plan *p)
{
  for (size_t i = 0; p->actions && i < p->count; i++) {
    free(p->actions[i].identities);
    free(p->actions[i].findings);
  }
  free(p->actions);
  memset(p, 0, sizeof *p);
}
