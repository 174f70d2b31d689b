/* Aggregating activity events in memory into one row per (identity,
 * action, resource, source_ip, user_agent), for the activity table. */
#ifndef NHI_ACTIVITY_AGG_H
#define NHI_ACTIVITY_AGG_H

#include "nhi.h"

#include <time.h>

/* Importers write the rows out and clear the table when it holds this
 * many keys: at about 90 bytes a key, plus each distinct string once,
 * that bounds the table near 100 MiB (more when strings are long). */
#define NHI_ACTIVITY_MAX_KEYS (1u << 20)

/* What events are grouped by. identity and action are required; the
 * others may be NULL, which is a value of its own. */
struct nhi_activity_key {
  const char *identity;
  const char *action;
  const char *resource;
  const char *source_ip;
  const char *user_agent;
};

/* One aggregated row. Its strings belong to the table. */
struct nhi_activity_row {
  struct nhi_activity_key key;
  time_t first_seen, last_seen;
  long long count;
};

struct nhi_activity_agg;

/* A new empty table in *out (the caller's, freed with
 * nhi_activity_agg_free). Returns NHI_ERR_NOMEM, logging nothing, when
 * memory runs out. */
enum nhi_rc nhi_activity_agg_new(struct nhi_activity_agg **out);

/* Counts one event of key k at time t, copying the strings the table
 * has not seen before. Returns NHI_ERR_NOMEM (nothing logged). */
enum nhi_rc nhi_activity_agg_add(struct nhi_activity_agg *a,
                                 const struct nhi_activity_key *k,
                                 time_t t);

/* Counts every row of src into dst, as if dst had seen src's events;
 * src is left as it is. Returns NHI_ERR_NOMEM (nothing logged). */
enum nhi_rc nhi_activity_agg_merge(struct nhi_activity_agg *dst,
                                   const struct nhi_activity_agg *src);

/* Distinct keys held. */
size_t nhi_activity_agg_size(const struct nhi_activity_agg *a);

/* *out gets the rows sorted by key (identity, action, resource,
 * source_ip, user_agent, NULL first), *n their number. The array is the
 * caller's to free(); the rows stay the table's and are valid until the
 * next add or clear. Returns NHI_ERR_NOMEM (nothing logged). */
enum nhi_rc nhi_activity_agg_rows(const struct nhi_activity_agg *a,
                                  const struct nhi_activity_row ***out,
                                  size_t *n);

/* Forgets every row and string, keeping the table for reuse. */
void nhi_activity_agg_clear(struct nhi_activity_agg *a);

/* Frees the table; NULL is ignored. */
void nhi_activity_agg_free(struct nhi_activity_agg *a);

#endif
