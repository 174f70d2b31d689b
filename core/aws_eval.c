/* AWS's policy evaluation logic over one principal's policy set: explicit
 * deny first, then SCPs, identity-based and resource-based policies and
 * the permissions boundary, with an answer for what the evidence cannot
 * settle. */
#include "aws_eval.h"

#include <stdlib.h>
#include <string.h>

/* What one policy, or one list of statements, says about a request. */
struct verdict {
  enum nhi_aws_tri allow;     /* some Allow applies */
  enum nhi_aws_tri deny;      /* some Deny applies */
  enum nhi_aws_tri named;     /* an Allow naming the principal itself */
  enum nhi_aws_tri any;       /* an Allow for any principal */
  enum nhi_aws_tri account;   /* an Allow naming only its account */
};

/* The terms the decision is made of. */
struct terms {
  enum nhi_aws_tri deny, scp, identity, boundary, named, any, account;
};

static enum nhi_aws_tri or3(enum nhi_aws_tri a, enum nhi_aws_tri b)
{
  if (a == NHI_AWS_YES || b == NHI_AWS_YES)
    return NHI_AWS_YES;
  return a == NHI_AWS_UNKNOWN || b == NHI_AWS_UNKNOWN ? NHI_AWS_UNKNOWN
                                                      : NHI_AWS_NO;
}

static enum nhi_aws_tri and3(enum nhi_aws_tri a, enum nhi_aws_tri b)
{
  if (a == NHI_AWS_NO || b == NHI_AWS_NO)
    return NHI_AWS_NO;
  return a == NHI_AWS_UNKNOWN || b == NHI_AWS_UNKNOWN ? NHI_AWS_UNKNOWN
                                                      : NHI_AWS_YES;
}

const char *nhi_aws_decision_name(enum nhi_aws_decision d)
{
  static const char *const names[] = {
    "allow", "deny", "implicit-deny", "indeterminate"
  };

  return (unsigned)d < 4 ? names[d] : "indeterminate";
}

const char *nhi_aws_layer_name(enum nhi_aws_layer l)
{
  static const char *const names[] = {
    "identity", "boundary", "scp", "resource"
  };

  return (unsigned)l < 4 ? names[l] : "identity";
}

void nhi_aws_result_clear(struct nhi_aws_result *r)
{
  free(r->reasons);
  memset(r, 0, sizeof *r);
}

static enum nhi_rc add_reason(struct nhi_aws_result *out,
                              const struct nhi_aws_reason *r)
{
  struct nhi_aws_reason *grown;
  size_t cap;

  if (out->nreasons == out->cap) {
    cap = out->cap ? out->cap * 2 : 8;
    grown = realloc(out->reasons, cap * sizeof *grown);
    if (!grown)
      return NHI_ERR_NOMEM;
    out->reasons = grown;
    out->cap = cap;
  }
  out->reasons[out->nreasons++] = *r;
  return NHI_OK;
}

/* Matches every statement of list, noting those that apply or may. */
static enum nhi_rc judge(const struct nhi_aws_stmts *list,
                         enum nhi_aws_layer layer, size_t level,
                         const struct nhi_aws_request *rq,
                         struct verdict *v, struct nhi_aws_result *out)
{
  int principals = layer == NHI_AWS_L_RESOURCE;
  struct nhi_aws_stmt_match m;
  const struct nhi_aws_stmt *st;
  struct nhi_aws_reason r;
  enum nhi_rc rc;

  memset(v, 0, sizeof *v);
  for (size_t i = 0; list && i < list->n; i++) {
    st = &list->items[i];
    rc = nhi_aws_stmt_match(st, rq, principals, &m);
    if (rc)
      return rc;
    if (m.applies == NHI_AWS_NO)
      continue;
    r = (struct nhi_aws_reason){ layer, level, st, m.applies, m.why,
                                 m.note.op, m.note.key };
    rc = add_reason(out, &r);
    if (rc)
      return rc;
    if (!st->allow) {
      v->deny = or3(v->deny, m.applies);
      continue;
    }
    v->allow = or3(v->allow, m.applies);
    if (m.principal == NHI_AWS_PM_ACCOUNT)
      v->account = or3(v->account, m.applies);
    else if (m.principal == NHI_AWS_PM_ANY)
      v->any = or3(v->any, m.applies);
    else
      v->named = or3(v->named, m.applies);
  }
  return NHI_OK;
}

/* Fills the terms from every layer of ps. */
static enum nhi_rc gather(const struct nhi_aws_policyset *ps,
                          const struct nhi_aws_request *rq, struct terms *t,
                          struct nhi_aws_result *out)
{
  struct verdict v;
  enum nhi_rc rc;

  rc = judge(ps->identity, NHI_AWS_L_IDENTITY, 0, rq, &v, out);
  if (rc)
    return rc;
  t->deny = v.deny;
  t->identity = v.allow;
  if (ps->identity_partial) {
    t->deny = or3(t->deny, NHI_AWS_UNKNOWN);
    t->identity = or3(t->identity, NHI_AWS_UNKNOWN);
  }
  t->boundary = NHI_AWS_YES;
  if (ps->boundary_missing)
    t->boundary = NHI_AWS_UNKNOWN;
  else if (ps->boundary) {
    rc = judge(ps->boundary, NHI_AWS_L_BOUNDARY, 0, rq, &v, out);
    if (rc)
      return rc;
    t->deny = or3(t->deny, v.deny);
    t->boundary = v.allow;
  }
  t->scp = NHI_AWS_YES;
  for (size_t i = 0; i < ps->nscps && rq->principal_account; i++) {
    rc = judge(ps->scps[i], NHI_AWS_L_SCP, i, rq, &v, out);
    if (rc)
      return rc;
    t->deny = or3(t->deny, v.deny);
    t->scp = and3(t->scp, v.allow);
  }
  rc = judge(ps->resource, NHI_AWS_L_RESOURCE, 0, rq, &v, out);
  t->deny = or3(t->deny, v.deny);
  t->named = v.named;
  t->any = v.any;
  t->account = v.account;
  if (ps->resource_missing) {
    t->deny = or3(t->deny, NHI_AWS_UNKNOWN);
    t->named = or3(t->named, NHI_AWS_UNKNOWN);
    t->account = or3(t->account, NHI_AWS_UNKNOWN);
  }
  return rc;
}

static int same_account(const struct nhi_aws_request *rq)
{
  return !rq->resource_account ||
         strcmp(rq->resource_account, rq->principal_account) == 0;
}

/* Whether the allowing policies allow, before SCPs and explicit deny.
 * Within the account, a resource-based policy that names a role by its
 * ARN is held to the role's boundary; one that grants to "*" reaches
 * the role's session and is not. */
static enum nhi_aws_tri grants(const struct nhi_aws_policyset *ps,
                               const struct nhi_aws_request *rq,
                               const struct terms *t)
{
  enum nhi_aws_tri iam = and3(t->identity, t->boundary);
  enum nhi_aws_tri named = t->named, direct;

  if (!rq->principal_account)
    return or3(t->named, t->any);
  if (!same_account(rq))
    return and3(iam, or3(or3(t->named, t->any), t->account));
  if (ps->principal_is_role)
    named = and3(named, t->boundary);
  direct = or3(named, t->any);
  if (ps->resource_kind == NHI_AWS_RP_REQUIRED)
    return or3(direct, and3(t->account, iam));
  return or3(direct, iam);
}

/* Words for an implicit deny: the first term that failed. */
static const char *why_not(const struct nhi_aws_policyset *ps,
                           const struct nhi_aws_request *rq,
                           const struct terms *t)
{
  if (t->scp == NHI_AWS_NO)
    return "a service control policy does not allow it";
  if (rq->principal_account && t->identity == NHI_AWS_YES &&
      t->boundary == NHI_AWS_NO)
    return "the permissions boundary does not allow it";
  if (ps->resource_kind == NHI_AWS_RP_REQUIRED && t->named == NHI_AWS_NO
      && t->any == NHI_AWS_NO && t->account == NHI_AWS_NO)
    return "the key policy or trust policy does not allow it";
  if (rq->principal_account && !same_account(rq) &&
      t->identity == NHI_AWS_YES)
    return "the resource-based policy does not allow this cross-account "
           "request";
  return "no policy allows it";
}

static const char *why_unknown(const struct nhi_aws_policyset *ps,
                               const struct terms *t)
{
  if (ps->boundary_missing && t->boundary == NHI_AWS_UNKNOWN)
    return "the permissions boundary's document is not in the evidence";
  if (ps->identity_partial)
    return "some of the principal's policies are not in the evidence";
  if (ps->resource_missing)
    return "the resource-based policy in the evidence cannot be read";
  return "a condition or policy variable depends on what the request "
         "context does not say";
}

enum nhi_rc nhi_aws_evaluate(const struct nhi_aws_policyset *ps,
                             const struct nhi_aws_request *rq,
                             struct nhi_aws_result *out)
{
  struct terms t;
  enum nhi_aws_tri allowed;
  enum nhi_rc rc;

  memset(out, 0, sizeof *out);
  rc = gather(ps, rq, &t, out);
  if (rc)
    return rc;
  allowed = and3(t.scp, grants(ps, rq, &t));
  if (t.deny == NHI_AWS_YES) {
    out->decision = NHI_AWS_DENY;
    out->summary = "an explicit Deny applies";
  } else if (allowed == NHI_AWS_NO) {
    out->decision = NHI_AWS_IMPLICIT_DENY;
    out->summary = why_not(ps, rq, &t);
  } else if (allowed == NHI_AWS_YES && t.deny == NHI_AWS_NO) {
    out->decision = NHI_AWS_ALLOW;
    out->summary = and3(t.identity, t.boundary) == NHI_AWS_YES
                   ? "an identity-based policy allows it"
                   : "the resource-based policy allows it";
  } else {
    out->decision = NHI_AWS_INDETERMINATE;
    out->summary = why_unknown(ps, &t);
  }
  return NHI_OK;
}
