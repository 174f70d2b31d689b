/* Found secrets into the evidence store. */
#ifndef NHI_SCAN_STORE_H
#define NHI_SCAN_STORE_H

#include "scan.h"
#include "store.h"

#include <cJSON.h>

/* Writes one secrets row for h found at path (relative to what was
 * scanned): type, line, fingerprint, preview, validated (NULL when the
 * rule has no validator), in_history, and attrs {rule, generic, what the
 * rule's validator read, the members of extra (may be NULL)}. The row
 * carries s->source_id; *rowid (if not NULL) gets its id. Returns the
 * store's result (NHI_ERR_NOMEM logged). */
enum nhi_rc nhi_scan_store_hit(struct nhi_store *s, const char *path,
                               const struct nhi_scan_hit *h, int in_history,
                               const cJSON *extra, long long *rowid);

/* Writes a secrets row for every hit of a tree scan. */
enum nhi_rc nhi_scan_store_result(struct nhi_store *s,
                                  const struct nhi_scan_result *r);

#endif
