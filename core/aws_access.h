/* Data access: which AWS identities can read or write which data stores,
 * asked of the policy engine after collection and kept as can_read and
 * can_write edges. */
#ifndef NHI_AWS_ACCESS_H
#define NHI_AWS_ACCESS_H

#include "nhi.h"
#include "store.h"

#include <stddef.h>

/* What one derivation did, for the log. */
struct nhi_aws_access_stats {
  size_t resources;           /* data stores looked at */
  size_t pairs;               /* (identity, store) pairs asked about */
  size_t decisions;           /* questions put to the engine */
  size_t reads, writes;       /* edges written */
  size_t sets;                /* of those, edges to a set of stores */
  size_t indeterminate;       /* of those, edges that are indeterminate */
};

/* How many stores alike to an identity (its policies tell none of them
 * apart) make one edge to their set instead of one edge each. */
#define NHI_AWS_ACCESS_MIN_SET 8

/* Replaces the can_read and can_write edges an earlier derivation wrote
 * in store with the policy engine's answers for every IAM user and role
 * (the account root excepted) and every collected data store, in one
 * transaction, judged on one thread per processor (at most 4). home is
 * the install root (borrowed). stats (may be NULL) is filled in.
 * Failures are logged and the transaction rolled back; returns
 * NHI_ERR_DB or NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_access_derive(struct nhi_store *store, const char *home,
                                  struct nhi_aws_access_stats *stats);

/* nhi_aws_access_derive with sets from min_set alike stores; SIZE_MAX
 * writes one edge per store. With min_set 0 the engine is asked about
 * every store on its own, never about a stand-in for stores alike: the
 * same edges, slowly, to check the faster way against. The engine is
 * asked on threads threads, each with its own read-only connection to
 * store's file (0: one per processor, at most 4; always one for a store
 * without a file); the edges are the same rows, in the same order,
 * whatever the threads. */
enum nhi_rc nhi_aws_access_derive_with(struct nhi_store *store,
                                       const char *home, size_t min_set,
                                       size_t threads,
                                       struct nhi_aws_access_stats *stats);

#endif
