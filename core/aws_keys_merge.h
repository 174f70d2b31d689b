/* One row per AWS access key or signing certificate, whichever sources
 * list it (see aws_keys_merge.c). */
#ifndef NHI_AWS_KEYS_MERGE_H
#define NHI_AWS_KEYS_MERGE_H

#include "store.h"

#include <stddef.h>

/* Merges, in one transaction, the credentials rows of AWS identities
 * that stand for a key another row stands for: the same key id; a
 * credential report's key (no id) and the one key of its identity with
 * an id made the same second; two credential reports' keys in the same
 * slot made the same second. The kept row takes the later last use and
 * what it lacked of the other, the other is deleted. *merged is the
 * number of rows merged away. On failure logs, rolls back and returns
 * NHI_ERR_DB. */
enum nhi_rc nhi_aws_keys_merge(struct nhi_store *store, size_t *merged);

#endif
