/* The remediation plan: findings grouped into one action per check,
 * ordered by the risk each removes per unit of effort, quick wins
 * first. The method is docs/scoring.md; keep the two in step. */
#ifndef NHI_PLAN_H
#define NHI_PLAN_H

#include "nhi.h"

/* One finding as the plan reads it; every string is borrowed. */
struct nhi_plan_finding {
  const char *id;              /* "F0001" */
  const char *check;           /* a finding without one is left out */
  const char *severity;        /* critical, high, medium, low, info */
  const char *status;          /* fail or indeterminate */
  const char *identity;        /* native id, or NULL */
  const char *effort;          /* low, medium, high; NULL reads medium */
};

/* One action: every finding of one check. Strings are borrowed from the
 * findings given to nhi_plan_build; the arrays are owned by the plan. */
struct nhi_plan_action {
  const char *check;
  const char *severity;        /* the worst of its findings */
  const char *effort;          /* low, medium or high */
  double risk_removed;         /* sum of its findings' weights */
  int quick_win;               /* low effort, high severity or worse */
  const char **identities;     /* sorted, unique */
  size_t nidentities;
  const char **findings;       /* finding ids, sorted */
  size_t nfindings;
};

struct nhi_plan {
  struct nhi_plan_action *actions;   /* in the order to do them */
  size_t count;
};

/* The weight of one finding in the score (docs/scoring.md): critical 4,
 * high 2, medium 1, low 0.25, info 0, half when indeterminate. */
double nhi_plan_weight(const char *severity, const char *status);

/* Units of work an effort stands for: low 1, medium 2, high 4. */
double nhi_plan_effort_units(const char *effort);

/* Groups the n findings f into *out (the caller frees it with
 * nhi_plan_free; it borrows f's strings, which must outlive it).
 * Returns NHI_OK or NHI_ERR_NOMEM (logged). */
enum nhi_rc nhi_plan_build(const struct nhi_plan_finding *f, size_t n,
                           struct nhi_plan *out);

/* Frees what nhi_plan_build allocated; safe on a zeroed plan. */
void nhi_plan_free(struct nhi_plan *p);

#endif
