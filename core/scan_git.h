/* The history of a local git clone scanned for secrets. */
#ifndef NHI_SCAN_GIT_H
#define NHI_SCAN_GIT_H

#include "scan.h"
#include "store.h"

struct nhi_git_stats {
  long long commits;          /* commits read */
  long long lines;            /* added lines scanned */
  long long secrets;          /* secrets rows written */
  long long in_history;       /* of them, gone from HEAD */
};

/* Streams `git log -p --all --reverse --unified=0` of the clone at dir
 * (the git command must be installed) and scans every commit's added
 * lines, hunk by hunk. Each secret (by path and fingerprint) is written
 * once, as a secrets row at the line of the commit that first added it,
 * with attrs.commit and attrs.committed_at; in_history is 1 when the
 * file at HEAD no longer holds it (deleted, or the secret removed).
 * Returns NHI_OK, or NHI_ERR_INPUT when dir is no readable clone (one
 * message naming it and what git said), NHI_ERR_NOMEM, NHI_ERR_DB. */
enum nhi_rc nhi_scan_git(struct nhi_store *s,
                         const struct nhi_scan_rules *set, const char *dir,
                         struct nhi_git_stats *stats);

#endif
