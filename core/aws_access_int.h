/* What the data access derivation's files share: the stores it asks
 * about, the identities and stores it loads, and how it asks and
 * writes. Internal to aws_access*.c. */
#ifndef NHI_AWS_ACCESS_INT_H
#define NHI_AWS_ACCESS_INT_H

#include "aws_access.h"
#include "aws_engine.h"

#include <stddef.h>

/* attrs.derived of the edges written here: a later derivation replaces
 * them, and nothing else. */
#define NHI_ACCESS_DERIVED "aws-policy-engine"

/* A kind of data store and the actions that reach its data. Read: the
 * data leaves the store, or can be made to (a snapshot taken, restored
 * or shared elsewhere). Write: the data is changed or destroyed. */
struct data_store {
  const char *type;           /* resources.type */
  const char *service;        /* the IAM prefix of its actions */
  const char *arn_part;       /* the ARN holds this; NULL: any */
  const char *object;         /* appended to the ARN to name the data */
  const char *const *read;    /* NULL-terminated */
  const char *const *write;   /* NULL-terminated, or NULL: none */
};

/* A list of strings, owned. */
struct strings {
  char **items;
  size_t n, cap;
};

/* An identity whose Allow grants may name the service, and the Resource
 * patterns of those grants. */
struct candidate {
  char *arn;
  struct strings patterns;
};

struct candidates {
  struct candidate *items;    /* sorted by arn */
  size_t n, cap;
};

/* One data store and what its resource-based policy says. */
struct target {
  const struct data_store *ds;
  char *arn;
  char *data;                 /* arn and ds->object: what is asked */
  char *account;              /* its row's account; NULL when none */
  int has_policy;
  int has_tags;
  int default_key_policy;     /* a key whose policy was not collected */
  int is_stand_in;            /* asked as a stand-in (nhi_aws_query) */
  struct strings named;       /* identities its policy may name, sorted */
  struct strings scopes;      /* S3: object patterns its policy names */
  size_t *reach;              /* candidates whose patterns may cover it */
  size_t nreach, capreach;
  size_t group;               /* its group (struct group), by index */
  size_t mark;                /* scratch: the deriver's stamp when set */
};

struct targets {
  struct target *items;       /* sorted by arn */
  size_t n, cap;
};

/* Stores of one kind whose ARNs share everything but their name
 * (partition, service, region, account, resource type) and whose rows
 * give one account: what tells them apart is only what a principal's
 * policies say of each. */
struct group {
  size_t index;               /* its place among the groups */
  size_t first, n;            /* the targets that share its prefix, some
                                 of them (another account) not its own */
  size_t members;             /* targets whose group it is */
  char *prefix;               /* "arn:aws:dynamodb:eu-west-1:1111:table/" */
  const char *account;        /* its stores' row account; NULL: none */
  struct target stand_in;     /* a store of the group no policy names */
};

struct deriver {
  struct nhi_store *store;
  struct nhi_aws_engine *engine;
  struct nhi_aws_access_stats stats;
  sqlite3_stmt *insert;       /* one edge row */
  size_t min_set;             /* plain stores that make a set edge */
  size_t stamp;               /* marks targets, see struct target */
};

/* What the engine said about one kind of access for one pair. */
struct access {
  cJSON *allowed;             /* action names */
  cJSON *unsure;              /* {action, why, condition_key} */
  cJSON *objects;             /* S3: object patterns something allows */
  int by_identity, by_resource;
};

void nhi_access_strings_free(struct strings *s);
enum nhi_rc nhi_access_strings_add(struct strings *s, const char *text);
int nhi_access_strings_has(const struct strings *s, const char *text);

/* 1 when pattern p may cover some of t's data: it matches what is asked
 * of t, or names some of a bucket's objects. */
int nhi_access_may_cover(const char *p, const struct target *t);

/* Whether one of c's Allow patterns may cover t's data. */
int nhi_access_may_reach(const struct candidate *c, const struct target *t);

/* Asks the engine about every read and then write action of t for
 * identity arn (c: its grants' patterns, NULL when it has none for the
 * service) into read and write (the caller's, access_clear'd after).
 * t may be a stand-in. */
enum nhi_rc nhi_access_judge(struct deriver *d, const struct target *t,
                             const char *arn, const struct candidate *c,
                             struct access *read, struct access *write);

/* 1 when a holds an edge's worth: an action allowed or indeterminate. */
int nhi_access_any(const struct access *a);

void nhi_access_clear(struct access *a);

/* Writes the kind ("can_read") edge from arn to t that a says. */
enum nhi_rc nhi_access_write_edge(struct deriver *d, const struct target *t,
                                  const char *arn, const char *kind,
                                  const struct access *a);

/* Writes the kind edge from arn to every store of g that is not marked
 * with the deriver's stamp, those marked listed as exceptions; plain is
 * how many that covers. */
enum nhi_rc nhi_access_write_set(struct deriver *d, const struct group *g,
                                 const struct targets *ts, const char *arn,
                                 const char *kind, const struct access *a,
                                 size_t plain);

/* The first of targets lo .. hi - 1 (sorted) whose ARN is not below
 * the len bytes of p; hi when there is none. */
size_t nhi_access_lower_bound(const struct targets *ts, size_t lo,
                              size_t hi, const char *p, size_t len);

/* Splits ts (loaded, sorted) into groups, setting each target's group;
 * *out is the caller's (nhi_access_groups_free). */
enum nhi_rc nhi_access_groups(struct targets *ts, struct group **out,
                              size_t *n);
void nhi_access_groups_free(struct group *g, size_t n);

/* 1 when one of c's patterns covers g's stand-in: c reaches every store
 * of g alike, and nhi_access_derive_broad judges it. */
int nhi_access_is_broad(const struct candidate *c, const struct group *g);

/* Judges broad candidate c on g: once on the stand-in for the stores
 * its policies do not tell apart, and store by store for the others. */
enum nhi_rc nhi_access_derive_broad(struct deriver *d, struct group *g,
                                    struct targets *ts,
                                    const struct candidate *c);

#endif
