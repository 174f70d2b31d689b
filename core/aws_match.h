/* IAM pattern matching: action globs, Resource ARN patterns, the
 * wildcards of StringLike and ArnLike conditions. */
#ifndef NHI_AWS_MATCH_H
#define NHI_AWS_MATCH_H

#include <stddef.h>

/* In a pattern, this byte makes the character after it literal. Policy
 * variables put it before the '*' and '?' their values carry, and ${*}
 * and ${?} give an escaped '*' and '?'. It never occurs in ARNs. */
#define NHI_AWS_ESC '\x01'

/* Matches text against pattern, both of the given lengths: '*' stands
 * for any run of characters (none included), '?' for exactly one,
 * NHI_AWS_ESC makes the next character literal. nocase compares ASCII
 * letters without regard to case. Returns 1 on a match, 0 otherwise.
 * Runs in O(plen * tlen) at worst; allocates nothing. */
int nhi_aws_glob(const char *pattern, size_t plen, const char *text,
                 size_t tlen, int nocase);

/* 1 when the action name ("iam:PutRolePolicy") matches an Action
 * pattern ("iam:put*", "*"): IAM compares actions without regard to
 * case. */
int nhi_aws_action_match(const char *pattern, const char *action);

/* 1 when the ARN matches a Resource pattern as IAM reads it: '*' and '?'
 * stand within a colon-separated segment, but a '*' that ends a segment
 * may also run across the colons after it ("arn:aws:s3:::*",
 * "arn:aws:logs:*:*:log-group:app*"). Comparison is case-sensitive. */
int nhi_aws_arn_match(const char *pattern, const char *arn);

/* 1 when value matches the ArnLike pattern of a condition: both split
 * into the six fields of an ARN (the resource field runs to the end),
 * each field glob-matched on its own, case-sensitively. A value or
 * pattern with fewer than six fields matches nothing unless the
 * pattern is "*". */
int nhi_aws_arn_like(const char *pattern, const char *value);

#endif
