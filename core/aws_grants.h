/* AWS policy statements as evidence: grants, trust edges and the data
 * resources they name. */
#ifndef NHI_AWS_GRANTS_H
#define NHI_AWS_GRANTS_H

#include "aws_arn.h"
#include "nhi.h"
#include "store.h"

#include <cJSON.h>

/* Who holds a grant and through what. */
struct nhi_aws_grant_src {
  long long identity;         /* identities row id */
  const char *via;            /* "inline", "managed", "group:<name>" */
  const char *policy;         /* managed policy ARN or inline native id */
};

/* Resources collected from documents, with repeats until written. */
struct nhi_aws_resources {
  struct nhi_aws_resource *items;
  size_t n, cap;
};

/* Writes one grant per statement of doc (checked by nhi_aws_policy_load)
 * into s and adds the rows written to *count. Returns NHI_OK,
 * NHI_ERR_NOMEM (not logged) or the store's error (logged). */
enum nhi_rc nhi_aws_grants_write(struct nhi_store *s,
                                 const struct nhi_aws_grant_src *g,
                                 const cJSON *doc, long long *count);

/* Writes a can_assume edge to role_arn for each principal of each Allow
 * statement of the trust policy doc, and adds them to *count. Results
 * as for nhi_aws_grants_write. */
enum nhi_rc nhi_aws_trust_write(struct nhi_store *s, const char *role_arn,
                                const cJSON *doc, long long *count);

/* Adds to set the concrete data resources doc's Allow statements name.
 * NHI_ERR_NOMEM (not logged) when memory runs out. */
enum nhi_rc nhi_aws_resources_add(struct nhi_aws_resources *set,
                                  const cJSON *doc);

/* Writes each distinct resource of set once and adds them to *count.
 * Results as for nhi_aws_grants_write. */
enum nhi_rc nhi_aws_resources_write(struct nhi_aws_resources *set,
                                    struct nhi_store *s, long long *count);

/* Frees what set holds and empties it. */
void nhi_aws_resources_free(struct nhi_aws_resources *set);

#endif
