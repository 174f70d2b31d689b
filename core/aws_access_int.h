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

/* Edge rows judged but not yet written: each row is six NUL-terminated
 * strings one after the other (kind, from_ref, to_type, to_ref,
 * actions, attrs). */
struct rows {
  char *buf;
  size_t len, cap;
  size_t n;                   /* rows */
};

/* What one thread judges with: its own connection to the store (read
 * only when there are several threads), engine and counts. */
struct deriver {
  struct nhi_store *store;    /* read through; borrowed */
  struct nhi_aws_engine *engine;
  struct nhi_aws_access_stats stats;
  struct rows *out;           /* where the edges judged go */
  size_t min_set;             /* plain stores that make a set edge */
  const struct target *base;  /* the targets that marks[] follows */
  size_t *marks;              /* scratch: the stamp a target was marked
                                 with, by its place from base */
  size_t nmarks;
  size_t stamp;
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

/* 1 when t (one of d->base's) is marked with d's stamp. */
int nhi_access_marked(const struct deriver *d, const struct target *t);

/* The columns of a queued row: kind, from_ref, to_type, to_ref, actions,
 * attrs. */
#define NHI_ACCESS_ROW_COLS 6

/* Appends one row (its columns copied) to r. */
enum nhi_rc nhi_access_rows_add(struct rows *r,
                                const char *const row[NHI_ACCESS_ROW_COLS]);

/* Queues the kind ("can_read") edge from arn to t that a says. */
enum nhi_rc nhi_access_write_edge(struct deriver *d, const struct target *t,
                                  const char *arn, const char *kind,
                                  const struct access *a);

/* Queues the kind edge from arn to every store of g that is not marked
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
enum nhi_rc nhi_access_derive_broad(struct deriver *d, const struct group *g,
                                    const struct targets *ts,
                                    const struct candidate *c);

/* The threads that judge, each with its deriver, and the writer that
 * inserts what they judged in the order of the jobs. */
struct crew;

/* One job: index is its place in the list; d the running thread's. */
typedef enum nhi_rc (*nhi_access_job_fn)(struct deriver *d, void *arg,
                                         size_t index);

/* A crew of threads threads (0: one per processor, at most 4; one when
 * store has no file) over store, writing there. *out is the caller's
 * (nhi_access_crew_free). Failures are logged. */
enum nhi_rc nhi_access_crew_new(struct nhi_store *store, const char *home,
                                size_t min_set, size_t threads,
                                struct crew **out);
void nhi_access_crew_free(struct crew *c);

/* The deriver of the calling thread, for work before the threads
 * start. */
struct deriver *nhi_access_crew_main(struct crew *c);

/* Gives every deriver a mark per target of ts (zeroed), for
 * nhi_access_marked. */
enum nhi_rc nhi_access_crew_marks(struct crew *c, const struct targets *ts);

/* Runs job for 0 .. n - 1 on the crew's threads; what the jobs queue is
 * dropped. The failure of the lowest index is returned. */
enum nhi_rc nhi_access_crew_each(struct crew *c, size_t n,
                                 nhi_access_job_fn job, void *arg);

/* Runs job for 0 .. n - 1 on the crew's threads, and writes the edges
 * each queued in index order, the same rows as one thread writes. */
enum nhi_rc nhi_access_crew_write(struct crew *c, size_t n,
                                  nhi_access_job_fn job, void *arg);

/* The counts of every deriver, summed. */
void nhi_access_crew_stats(const struct crew *c,
                           struct nhi_aws_access_stats *out);

#endif
