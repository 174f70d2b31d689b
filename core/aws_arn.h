/* AWS ARNs: splitting them, naming data resources and trust principals. */
#ifndef NHI_AWS_ARN_H
#define NHI_AWS_ARN_H

#include "nhi.h"

#include <stddef.h>

/* The fields of "arn:partition:service:region:account:resource", as
 * spans borrowed from the ARN text; resource runs to the end of it. */
struct nhi_aws_arn {
  const char *partition, *service, *region, *account, *resource;
  size_t partition_len, service_len, region_len, account_len;
};

/* A data resource named by a policy's Resource element. */
struct nhi_aws_resource {
  char *native_id;            /* canonical ARN, e.g. arn:aws:s3:::bucket */
  const char *type;           /* "s3-bucket", "dynamodb-table"... static */
  char *account;              /* account id, or NULL (S3) */
  char *name;                 /* last segment of the resource id */
};

/* Splits arn into borrowed spans. Returns 1 when arn has the six fields
 * of an ARN with an "aws" partition, 0 otherwise (out is then zeroed). */
int nhi_aws_arn_parse(const char *arn, struct nhi_aws_arn *out);

/* The account field of arn as a malloc'd string (the caller frees it).
 * *out is NULL when arn is not an ARN or names no account. Returns
 * NHI_ERR_NOMEM when the copy cannot be made. */
enum nhi_rc nhi_aws_arn_account(const char *arn, char **out);

/* Recognises a concrete data resource in a Resource entry: an S3 bucket
 * (object keys dropped), DynamoDB table (indexes and streams dropped),
 * Secrets Manager secret, SSM parameter, KMS key, RDS instance or
 * cluster, SQS queue, SNS topic or Lambda function (qualifier dropped).
 * Entries with a wildcard (*, ?) or a policy variable (${...}) in what
 * is kept are not concrete. On success out's strings are the caller's
 * (nhi_aws_resource_free); out->native_id is NULL when arn names no such
 * resource. Returns NHI_ERR_NOMEM when a copy cannot be made. */
enum nhi_rc nhi_aws_resource_parse(const char *arn,
                                   struct nhi_aws_resource *out);

/* Frees the strings of r (not r itself) and zeroes it; NULL is ignored. */
void nhi_aws_resource_free(struct nhi_aws_resource *r);

/* Names one trust-policy principal as an edge's source. type is the
 * Principal key ("AWS", "Service", "Federated", "CanonicalUser") and
 * value one of its entries; near_arn (the trusting role's ARN) gives
 * the partition for a bare account id. *from_type is static text:
 * "any" for "*", "account" for a 12-digit account id (written as its
 * root ARN) or a root ARN, "identity" for any other AWS principal,
 * "service", "federated" or "canonical_user"; NULL for an unknown type.
 * *from_ref is malloc'd (the caller frees it). Returns NHI_ERR_NOMEM
 * when it cannot be built. */
enum nhi_rc nhi_aws_principal_ref(const char *type, const char *value,
                                  const char *near_arn,
                                  const char **from_type, char **from_ref);

#endif
