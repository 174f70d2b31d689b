/* AWS Organizations service control policies in the evidence store, and
 * the levels of them that apply to an account.
 *
 * The store holds each SCP as a policies row of kind "scp" (native_id
 * the policy's ARN or id, document its content, attrs.targets the ids
 * of the root, OUs and accounts it is attached to) and the organization
 * tree as member_of edges from an account or OU (from_type "account" or
 * "ou") to its parent (to_type "ou" or "root"). */
#ifndef NHI_AWS_ORG_H
#define NHI_AWS_ORG_H

#include "aws_stmt.h"
#include "nhi.h"
#include "store.h"

struct nhi_aws_org;

/* Reads every SCP and the organization tree from s. *out is the
 * caller's (nhi_aws_org_free). An SCP whose document cannot be read is
 * warned about and left out. Store errors are logged (NHI_ERR_DB);
 * NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_org_load(struct nhi_store *s, struct nhi_aws_org **out);

void nhi_aws_org_free(struct nhi_aws_org *o);

/* The SCPs that apply to account, one statement list per level of the
 * organization (the root, each OU, the account) that has SCPs attached:
 * a request must be allowed at every level. An account the tree does
 * not place is taken to sit right below the organization's root(s).
 * *levels (n entries) is borrowed from o, built on first use; n is 0
 * when no SCP applies. NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_org_levels(struct nhi_aws_org *o, const char *account,
                               const struct nhi_aws_stmts *const **levels,
                               size_t *n);

#endif
