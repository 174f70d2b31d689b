/* The AWS policy engine over the evidence store: each principal's
 * identity-based policies, permissions boundary and SCPs, the resource
 * policies collected, built on first use and kept for the run. */
#ifndef NHI_AWS_ENGINE_H
#define NHI_AWS_ENGINE_H

#include "aws_catalog.h"
#include "aws_context.h"
#include "aws_eval.h"
#include "nhi.h"
#include "store.h"

struct nhi_aws_engine;

/* One question: may principal do action on resource? Strings borrowed.
 * ctx (may be NULL: nothing known beyond the evidence) is the caller's
 * request context; the engine adds what the evidence says about the
 * principal and the resource under it. */
struct nhi_aws_query {
  const char *principal;      /* an IAM user or role ARN, or a service
                                 principal ("ec2.amazonaws.com") */
  const char *action;         /* "iam:PassRole" */
  const char *resource;       /* ARN, or "*" */
  const struct nhi_aws_context *ctx;
  /* A stand-in for resources alike: with stand_in set the evidence is
   * not asked about the resource; it is taken as collected, untagged
   * and owned by stand_in_account (NULL: the account the engine would
   * give a resource whose ARN and row name none). */
  int stand_in;
  const char *stand_in_account;
};

/* An engine reading store; home is the install root holding the action
 * catalogue (loaded on first use). Both are borrowed and must outlive
 * the engine. *out is the caller's (nhi_aws_engine_free). Nothing is
 * read before the first question. NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_engine_new(struct nhi_store *store, const char *home,
                               struct nhi_aws_engine **out);

void nhi_aws_engine_free(struct nhi_aws_engine *e);

/* How a KMS key whose key policy is not in the evidence is judged: by
 * default as having none, so it allows nothing; with on, as having the
 * policy AWS gives a key created without one, which lets the key's
 * account's IAM policies decide. Set it before the first question. */
void nhi_aws_engine_default_key_policy(struct nhi_aws_engine *e, int on);

/* The action catalogue, loaded on first call. Failures are logged
 * ("cannot read '...actions.tsv': ...") and returned each time. */
enum nhi_rc nhi_aws_engine_catalog(struct nhi_aws_engine *e,
                                   const struct nhi_aws_catalog **out);

/* Decides q from the evidence into out (the caller clears it with
 * nhi_aws_result_clear; its reasons borrow statements the engine keeps
 * until it is freed). The evidence supplies aws:PrincipalArn,
 * aws:PrincipalAccount, aws:PrincipalType, aws:username, aws:userid (for
 * users), aws:PrincipalIsAWSService, aws:PrincipalTag/<key> (the principal's
 * tags, all of them), aws:ResourceAccount and aws:ResourceTag/<key> (when
 * the resource was collected). A principal absent from the evidence has
 * unknown identity-based policies. Store errors are logged
 * (NHI_ERR_DB); NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_engine_decide(struct nhi_aws_engine *e,
                                  const struct nhi_aws_query *q,
                                  struct nhi_aws_result *out);

/* The terms of principal's identity-based policies, permissions
 * boundary and the SCPs above its account that can tell resources
 * apart (nhi_aws_terms_add), into t (the caller's, emptied first; its
 * patterns are borrowed from the engine until it is freed). Store
 * errors are logged (NHI_ERR_DB); NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_engine_terms(struct nhi_aws_engine *e,
                                 const char *principal,
                                 struct nhi_aws_terms *t);

/* What principal's identity-based policies may allow of action
 * (nhi_aws_scope_add) into sc (the caller's, emptied first): sc->all
 * when some of those policies are not in the evidence or the principal
 * is not. Store errors are logged (NHI_ERR_DB); NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_engine_allow_scope(struct nhi_aws_engine *e,
                                       const char *principal,
                                       const char *action,
                                       struct nhi_aws_scope *sc);

/* Whether, for action, principal's identity-based policies, permissions
 * boundary and the SCPs above its account treat every resource alike
 * (nhi_aws_stmts_alike) into *alike: then the decision on a resource
 * that takes no resource-based policy depends only on the resource's
 * account. Store errors are logged (NHI_ERR_DB); NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_engine_alike(struct nhi_aws_engine *e,
                                 const char *principal, const char *action,
                                 int *alike);

/* 1 when q acts on an IAM resource other than through sts: IAM's users,
 * roles, groups and policies take no resource-based policy (a role's
 * trust policy governs only the sts: calls on it). */
int nhi_aws_iam_without_policy(const struct nhi_aws_query *q);

/* *has is 1 when q's resource-based policy (a bucket's, a key's, a
 * role's trust policy for an STS action...) is in the evidence or could
 * not be read, or would be AWS's default key policy; 0 when q is judged
 * without one. */
enum nhi_rc nhi_aws_engine_has_rpolicy(struct nhi_aws_engine *e,
                                       const struct nhi_aws_query *q,
                                       int *has);

#endif
