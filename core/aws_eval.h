/* AWS's policy evaluation logic over one principal's policy set: explicit
 * deny first, then SCPs, identity-based and resource-based policies and
 * the permissions boundary, with an answer for what the evidence cannot
 * settle. */
#ifndef NHI_AWS_EVAL_H
#define NHI_AWS_EVAL_H

#include "aws_stmt.h"
#include "nhi.h"

enum nhi_aws_decision {
  NHI_AWS_ALLOW = 0,
  NHI_AWS_DENY,               /* an explicit Deny applies */
  NHI_AWS_IMPLICIT_DENY,      /* nothing allows it */
  NHI_AWS_INDETERMINATE       /* the evidence cannot settle it */
};

/* Which kind of policy a statement belongs to. */
enum nhi_aws_layer {
  NHI_AWS_L_IDENTITY = 0,
  NHI_AWS_L_BOUNDARY,
  NHI_AWS_L_SCP,
  NHI_AWS_L_RESOURCE
};

/* How a resource-based policy takes part. Most (S3 bucket policies,
 * SQS, SNS...) may grant on their own within the account; a KMS key
 * policy or a role's trust policy must allow the request itself, and
 * then lets identity-based policies decide only when it names the
 * account. */
enum nhi_aws_rpolicy { NHI_AWS_RP_OPTIONAL = 0, NHI_AWS_RP_REQUIRED };

/* Everything evaluated for one request; lists borrowed. */
struct nhi_aws_policyset {
  const struct nhi_aws_stmts *identity;   /* NULL: none */
  int identity_partial;       /* some of its policies are not in the
                                 evidence: what they say is unknown */
  const struct nhi_aws_stmts *boundary;   /* NULL: no boundary */
  int boundary_missing;       /* a boundary is set, its document absent */
  const struct nhi_aws_stmts *const *scps;  /* one list per level of the
                                               organization, each must
                                               allow; nscps 0: none */
  size_t nscps;
  const struct nhi_aws_stmts *resource;   /* NULL: none */
  int resource_missing;       /* one exists but cannot be read */
  enum nhi_aws_rpolicy resource_kind;
  int principal_is_role;      /* a boundary limits what a resource policy
                                 grants a role by its ARN, not a user */
};

/* One statement that applied, or may have. */
struct nhi_aws_reason {
  enum nhi_aws_layer layer;
  size_t level;               /* the SCP level, for NHI_AWS_L_SCP */
  const struct nhi_aws_stmt *st;  /* borrowed from the policy set */
  enum nhi_aws_tri applies;   /* YES or UNKNOWN */
  const char *why;            /* static, when UNKNOWN */
  const char *cond_op, *cond_key;  /* the condition part left unknown */
};

struct nhi_aws_result {
  enum nhi_aws_decision decision;
  const char *summary;        /* static: what decided, in words */
  struct nhi_aws_reason *reasons;  /* owned (nhi_aws_result_clear) */
  size_t nreasons, cap;
};

/* Decides rq against ps as AWS documents: an explicit Deny in any policy
 * denies; otherwise every SCP level must allow, and the identity-based
 * policies (within the permissions boundary) or, within the account, a
 * resource-based policy naming the principal must allow; across
 * accounts both must. A statement that may apply (UNKNOWN) makes the
 * result INDETERMINATE unless the outcome stands either way. out is the
 * caller's; clear it with nhi_aws_result_clear. NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_evaluate(const struct nhi_aws_policyset *ps,
                             const struct nhi_aws_request *rq,
                             struct nhi_aws_result *out);

/* Frees the reasons and zeroes r. */
void nhi_aws_result_clear(struct nhi_aws_result *r);

/* "allow", "deny", "implicit-deny" or "indeterminate". */
const char *nhi_aws_decision_name(enum nhi_aws_decision d);

/* "identity", "boundary", "scp" or "resource". */
const char *nhi_aws_layer_name(enum nhi_aws_layer l);

#endif
