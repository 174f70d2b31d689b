/* IAM Condition blocks: every condition operator, the IfExists suffix and
 * the ForAllValues/ForAnyValue set operators, over a request context. */
#ifndef NHI_AWS_CONDITION_H
#define NHI_AWS_CONDITION_H

#include "aws_context.h"
#include "nhi.h"

#include <cJSON.h>

/* Which part of a block settled its result: the first operator and key
 * that failed (result NO) or could not be decided (UNKNOWN). Strings
 * are borrowed from the block; both NULL when the result is YES. */
struct nhi_aws_cond_note {
  const char *op;
  const char *key;
  const char *why;            /* static text, for UNKNOWN */
};

/* Evaluates a Condition block ({"StringEquals": {"aws:x": "v"}, ...})
 * against ctx. Every operator and key must hold (AND); the values given
 * for one key are alternatives (OR), all of them must miss for negated
 * operators (StringNotEquals...). A key absent from the context makes
 * operators false, negated operators and ...IfExists true, Null follow
 * the key's presence, ForAllValues true and ForAnyValue false, as AWS
 * documents. A key the context does not know, an operator nhiscope
 * does not know, or a malformed block gives UNKNOWN, unless another
 * part of the block is definitely false. cond NULL is YES. note (may
 * be NULL) says why. Returns NHI_OK or NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_condition_eval(const cJSON *cond,
                                   const struct nhi_aws_context *ctx,
                                   enum nhi_aws_tri *result,
                                   struct nhi_aws_cond_note *note);

#endif
