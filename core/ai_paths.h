/* AI agent paths: from every AI agent, through the identities it runs
 * as and the roles those may assume, to every confidential or
 * restricted resource they can read or write; kept as the paths table
 * with whether activity shows each one used. */
#ifndef NHI_AI_PATHS_H
#define NHI_AI_PATHS_H

#include "nhi.h"
#include "store.h"

#include <stddef.h>

/* The default and the largest number of steps of a path (runs_as, each
 * role assumed, and the read or write). */
#define NHI_AI_PATHS_MAX_HOPS 6
#define NHI_AI_PATHS_HOPS_LIMIT 16

/* What one derivation did, for the log. */
struct nhi_ai_paths_stats {
  size_t agents;              /* ai_agents rows */
  size_t identities;          /* graph nodes */
  size_t edges;               /* runs_as, can_assume, can_read/write */
  size_t resources;           /* confidential or restricted */
  size_t decisions;           /* sts:AssumeRole questions to the engine */
  size_t paths;               /* rows written */
  size_t used, unlogged;      /* of those, by trace */
};

/* Replaces the paths table of store with the shortest path (fewest
 * steps, at most max_hops) from each AI agent to each confidential or
 * restricted resource for each of read and write, in one transaction.
 * An AWS can_assume hop counts when the policy engine allows the caller
 * sts:AssumeRole on the role (home: the install root, for the action
 * catalogue; borrowed); others are taken as the edge says. Paths of
 * allowed steps are preferred; a pair reached only through an
 * indeterminate step or edge gets such a path, marked so. stats (may be
 * NULL) is filled in. Failures are logged and rolled back; returns
 * NHI_ERR_DB or NHI_ERR_NOMEM. */
enum nhi_rc nhi_ai_paths_derive(struct nhi_store *store, const char *home,
                                int max_hops,
                                struct nhi_ai_paths_stats *stats);

#endif
