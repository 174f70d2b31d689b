/* Row writers the AWS unit tests share: an identity, a grant, a
 * resource and a policy, each written to the evidence store or the test
 * failed. Fields left NULL (or 0) are not written, except as said. */
#ifndef NHI_TEST_AWS_ROWS_H
#define NHI_TEST_AWS_ROWS_H

#include "store.h"

struct aws_identity {
  const char *arn;
  const char *account;
  const char *kind;    /* NULL: "role" or "user", from the ARN */
  const char *attrs, *tags;
};

struct aws_grant {
  const char *effect;  /* "allow" or "deny" */
  const char *actions, *resources, *condition;   /* JSON text */
  int not_action, not_resource;
  const char *policy;  /* NULL: "test-policy" */
  const char *sid;
};

struct aws_resource {
  const char *arn, *type, *account, *tags;
  const char *label;   /* a profile's sensitivity label */
};

/* Writes i, named after the last part of its ARN; returns its id. */
long long aws_put_identity(struct nhi_store *s, const struct aws_identity *i);

/* Writes g as an inline grant of identity id. */
void aws_put_grant(struct nhi_store *s, long long id,
                   const struct aws_grant *g);

/* Writes r. */
void aws_put_resource(struct nhi_store *s, const struct aws_resource *r);

/* Writes the policy document doc of kind ("resource", "trust"...) as
 * arn's. */
void aws_put_policy(struct nhi_store *s, const char *arn, const char *kind,
                    const char *doc);

#endif
