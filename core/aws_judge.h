/* Many resources judged for one principal, action and request context:
 * the decisions nhi_aws_engine_decide gives, found with less work. */
#ifndef NHI_AWS_JUDGE_H
#define NHI_AWS_JUDGE_H

#include "aws_engine.h"

/* Accounts whose decision a judge keeps (see nhi_aws_judge_one). */
#define NHI_AWS_JUDGE_ACCOUNTS 8

struct nhi_aws_judged_account {
  char id[16];                /* a 12-digit account id */
  enum nhi_aws_decision decision;
};

/* One principal, action and context; the caller's, filled by
 * nhi_aws_judge_start and freed by nhi_aws_judge_free. */
struct nhi_aws_judge {
  struct nhi_aws_engine *engine;
  struct nhi_aws_query q;     /* borrowed strings; resource per call */
  struct nhi_aws_scope scope;   /* what an Allow may name */
  int alike;                  /* nhi_aws_engine_alike said so */
  struct nhi_aws_result result;
  struct nhi_aws_judged_account seen[NHI_AWS_JUDGE_ACCOUNTS];
  size_t nseen;
};

/* Starts judging q's principal doing q's action in q's context (q's
 * resource is ignored; its strings must outlive j). Store errors are
 * logged (NHI_ERR_DB); NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_judge_start(struct nhi_aws_judge *j,
                                struct nhi_aws_engine *e,
                                const struct nhi_aws_query *q);

/* The decision on resource into *out, as nhi_aws_engine_decide's, but
 * for one thing: a resource that no Allow of the action may name and
 * that takes no resource-based policy in the evidence is refused
 * without asking, as an implicit deny (a Deny may apply as well). When
 * the principal's policies treat every resource alike
 * (nhi_aws_engine_alike), an IAM resource (which takes no resource-based
 * policy) gets the decision of the first one of its account asked. */
enum nhi_rc nhi_aws_judge_one(struct nhi_aws_judge *j, const char *resource,
                              enum nhi_aws_decision *out);

/* Frees what j holds. */
void nhi_aws_judge_free(struct nhi_aws_judge *j);

#endif
