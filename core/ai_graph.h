/* The access graph the AI path search walks, loaded once from the
 * store into arrays: agents, the identities they run as and may become,
 * and the confidential or restricted resources those can read or write.
 * Internal to ai_*.c. */
#ifndef NHI_AI_GRAPH_H
#define NHI_AI_GRAPH_H

#include "ai_paths.h"
#include "aws_engine.h"

#include <stdint.h>

#define AG_NONE UINT32_MAX

/* Strings to dense indices, in the order first added; keys owned. */
struct ag_map {
  char **keys;                /* by index */
  uint32_t *slots;            /* open addressing: index + 1, 0 empty */
  size_t n, cap, nslots;
};

/* An identity (or an account root, or "*" for any principal). */
struct ag_node {
  uint32_t root;              /* its account's root node, or AG_NONE */
  uint32_t as_first, as_n;    /* its can_assume edges in graph.assume */
  uint32_t ac_first, ac_n;    /* its access edges in graph.access */
  unsigned char aws;          /* an AWS ARN */
};

/* A can_assume edge: the trust of role to lets from (an identity, an
 * account root or "*") assume it. */
struct ag_assume {
  uint32_t from, to;
  long long id;
  unsigned char aws;          /* both ends AWS: the engine decides */
};

/* What an edge row says beyond its ends: its actions (JSON text,
 * compact), the first of them, and for S3 the objects it covers. */
struct ag_detail {
  char *actions, *first, *objects;
};

/* A can_read or can_write edge to a resource or to a set of them. */
struct ag_access {
  uint32_t from, target;      /* target: a resource, or a set */
  long long id;
  unsigned char write, set, unsure;
  unsigned char loaded;       /* detail read, when a path first needs it */
  struct ag_detail detail;
};

/* A confidential or restricted resource; loaded in native_id order. */
struct ag_res {
  char *provider, *type, *account, *level, *source, *confidence;
  unsigned char logging;      /* enum ag_logging + 1; 0: not asked yet */
  char *logged_by;            /* JSON list of trails, or NULL */
};

/* The stores one resource_set edge stands for that are sensitive. */
struct ag_set {
  uint32_t *res;
  size_t n;
};

/* A runs_as step of an agent. */
struct ag_run {
  uint32_t agent, node;
  long long id;               /* the edge, 0 for ai_agents.identity */
  char *as;
};

struct ag_agent {
  char *platform;
  uint32_t run_first, run_n;
};

struct ag_graph {
  struct ag_map agent_ids, node_ids, res_ids, set_keys;
  struct ag_agent *agents;
  struct ag_node *nodes;
  size_t capnodes;
  struct ag_res *res;
  struct ag_set *sets;
  size_t capsets;
  struct ag_run *runs;
  size_t nruns, capruns;
  struct ag_assume *assume;
  size_t nassume, capassume;
  struct ag_access *access;
  size_t naccess, capaccess;
  uint32_t any;               /* the node "*" */
};

/* What the trails say of reads of a resource. */
enum ag_logging { AG_LOGGED, AG_PARTIAL, AG_NOT_LOGGED, AG_UNKNOWN };

/* The map's index of key, adding a copy when absent (*added set). */
enum nhi_rc ag_map_put(struct ag_map *m, const char *key, uint32_t *idx,
                       int *added);
/* The index of key, or AG_NONE. */
uint32_t ag_map_get(const struct ag_map *m, const char *key);
void ag_map_free(struct ag_map *m);

/* Loads every agent, runs_as, can_assume and access edge of store that
 * can be part of a path into g (zeroed by the caller; ag_graph_free). */
enum nhi_rc ag_graph_load(struct nhi_store *store, struct ag_graph *g);
void ag_graph_free(struct ag_graph *g);

/* The trail configuration, for ag_trails_logging. */
struct ag_trails;
enum nhi_rc ag_trails_load(struct nhi_store *store, struct ag_trails **out);
void ag_trails_free(struct ag_trails *t);

/* Whether the trails log reads of the AWS resource arn; *by (may be
 * NULL) gets a JSON list of the trails that do (caller frees). */
enum ag_logging ag_trails_logging(const struct ag_trails *t,
                                  const char *arn, char **by);
const char *ag_logging_name(enum ag_logging l);

/* One path found: the agent, the resource and kind, and its steps as
 * indices (the run, then each assume edge), then the access edge. */
struct ag_hit {
  uint32_t agent, res, access;
  unsigned char write, unsure;
  uint32_t chain, nchain;     /* in the writer's chain pool */
};

/* JSON text built in place; failed set when memory ran out. */
struct ag_text {
  char *p;
  size_t n, cap;
  int failed;
};

void ag_text_raw(struct ag_text *t, const char *s);
/* s as a JSON string (NULL: null). */
void ag_text_str(struct ag_text *t, const char *s);

/* Reads the detail of edge id with st ("SELECT actions, objects FROM
 * edges WHERE id = ?") into d (the caller's: ag_detail_clear). */
enum nhi_rc ag_edge_detail(sqlite3_stmt *st, long long id,
                           struct ag_detail *d);
void ag_detail_clear(struct ag_detail *d);

/* The steps of h (chain: its entries) as a JSON list into t (emptied
 * first); *via gets the last identity's native id (borrowed). edge is
 * the statement ag_edge_detail reads with. */
enum nhi_rc ag_steps_text(sqlite3_stmt *edge, struct ag_graph *g,
                          const struct ag_hit *h, const uint32_t *chain,
                          struct ag_text *t, const char **via);

/* Writes paths rows: prepared once, then one row per hit. */
struct ag_writer;
enum nhi_rc ag_writer_new(struct nhi_store *store, struct ag_graph *g,
                          struct ag_writer **out);
enum nhi_rc ag_writer_put(struct ag_writer *w, const struct ag_hit *h,
                          const uint32_t *chain,
                          struct nhi_ai_paths_stats *st);
void ag_writer_free(struct ag_writer *w);

#endif
