/* The AI path search: breadth first from each agent's identities over
 * the graph loaded once, first along allowed steps only, then along
 * indeterminate ones for the pairs still unreached; an AWS role hop is
 * asked of the policy engine once per caller and role. */
#include "ai_graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum verdict { V_ALLOW, V_UNSURE, V_NO };

/* Decisions by (caller, role): open addressing over 64-bit keys. */
struct memo {
  uint64_t *keys;             /* key + 1; 0 empty */
  unsigned char *vals;
  size_t n, cap;
};

struct search {
  struct ag_graph *g;
  struct nhi_store *store;
  const char *home;
  struct nhi_aws_engine *engine;
  struct ag_writer *writer;
  struct nhi_ai_paths_stats *st;
  struct memo memo;
  struct nhi_aws_scope **scope; /* per caller: where sts:AssumeRole may
                                   be allowed by its own policies */
  uint32_t *stamp, *parent, *entry, *depth, *queue, *chain_at;
  uint32_t *chain_stamp, *found[2];
  unsigned char *unsure;
  uint32_t cur;
  int max_hops, saw_unsure;
  struct ag_hit *hits;
  size_t nhits, caphits;
  uint32_t *pool;
  size_t npool, cappool;
};

static size_t memo_slot(const struct memo *m, uint64_t key)
{
  size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 20) & (m->cap - 1);

  while (m->keys[i] && m->keys[i] != key + 1)
    i = (i + 1) & (m->cap - 1);
  return i;
}

static enum nhi_rc memo_grow(struct memo *m)
{
  struct memo old = *m;

  m->cap = old.cap ? old.cap * 2 : 4096;
  m->keys = calloc(m->cap, sizeof *m->keys);
  m->vals = malloc(m->cap);
  if (!m->keys || !m->vals) {
    free(m->keys);
    free(m->vals);
    *m = old;
    return NHI_ERR_NOMEM;
  }
  for (size_t i = 0; i < old.cap; i++)
    if (old.keys[i]) {
      size_t s = memo_slot(m, old.keys[i] - 1);

      m->keys[s] = old.keys[i];
      m->vals[s] = old.vals[i];
    }
  free(old.keys);
  free(old.vals);
  return NHI_OK;
}

/* May caller become role? The engine's answer on sts:AssumeRole. */
static enum nhi_rc ask(struct search *s, uint32_t caller, uint32_t role,
                       enum verdict *v)
{
  struct nhi_aws_query q = { .principal = s->g->node_ids.keys[caller],
                             .action = "sts:AssumeRole",
                             .resource = s->g->node_ids.keys[role] };
  struct nhi_aws_result r = { 0 };
  enum nhi_rc rc = NHI_OK;

  if (!s->engine)
    rc = nhi_aws_engine_new(s->store, s->home, &s->engine);
  if (!rc)
    rc = nhi_aws_engine_decide(s->engine, &q, &r);
  if (!rc)
    *v = r.decision == NHI_AWS_ALLOW ? V_ALLOW
       : r.decision == NHI_AWS_INDETERMINATE ? V_UNSURE : V_NO;
  nhi_aws_result_clear(&r);
  s->st->decisions++;
  return rc;
}

/* Whether caller's own policies may allow sts:AssumeRole on role at
 * all: a trust naming the caller's account leaves the answer to them,
 * so where they cannot, the engine need not be asked. */
static enum nhi_rc may_assume(struct search *s, uint32_t caller,
                              uint32_t role, int *may)
{
  struct nhi_aws_scope **sc = &s->scope[caller];
  enum nhi_rc rc = NHI_OK;

  *may = 0;
  if (!s->engine)
    rc = nhi_aws_engine_new(s->store, s->home, &s->engine);
  if (!rc && !*sc) {
    *sc = calloc(1, sizeof **sc);
    rc = *sc ? nhi_aws_engine_allow_scope(s->engine,
                                          s->g->node_ids.keys[caller],
                                          "sts:AssumeRole", *sc)
             : NHI_ERR_NOMEM;
  }
  *may = !rc && ((*sc)->all ||
                 nhi_aws_scope_covers(*sc, s->g->node_ids.keys[role]));
  return rc;
}

/* Whether caller's own policies allow sts:AssumeRole nowhere: then no
 * trust naming its account lets it in, and those are not walked. */
static enum nhi_rc holds_no_assume(struct search *s, uint32_t caller,
                                   int *none)
{
  int may;
  enum nhi_rc rc = may_assume(s, caller, caller, &may);

  *none = !rc && !s->scope[caller]->all && s->scope[caller]->n == 0;
  return rc;
}

static enum nhi_rc decide(struct search *s, uint32_t caller,
                          const struct ag_assume *e, enum verdict *v)
{
  uint64_t key = ((uint64_t)caller << 32) | e->to;
  size_t slot;
  enum nhi_rc rc;

  *v = V_ALLOW;
  if (!e->aws)
    return NHI_OK;
  if (!s->g->nodes[caller].aws) {
    *v = V_NO;
    return NHI_OK;
  }
  if ((s->memo.n + 1) * 2 > s->memo.cap && memo_grow(&s->memo))
    return NHI_ERR_NOMEM;
  slot = memo_slot(&s->memo, key);
  if (s->memo.keys[slot]) {
    *v = (enum verdict)s->memo.vals[slot];
    return NHI_OK;
  }
  if (e->from == s->g->nodes[caller].root) {
    int may;

    rc = may_assume(s, caller, e->to, &may);
    if (rc)
      return rc;
    if (!may) {
      *v = V_NO;
      return NHI_OK;
    }
  }
  rc = ask(s, caller, e->to, v);
  if (rc)
    return rc;
  s->memo.keys[slot] = key + 1;
  s->memo.vals[slot] = (unsigned char)*v;
  s->memo.n++;
  return NHI_OK;
}

static enum nhi_rc grow(void **arr, size_t *cap, size_t n, size_t size)
{
  size_t c = *cap ? *cap * 2 : 1024;
  void *p;

  if (n <= *cap)
    return NHI_OK;
  while (c < n)
    c *= 2;
  p = realloc(*arr, c * size);
  if (!p)
    return NHI_ERR_NOMEM;
  *arr = p;
  *cap = c;
  return NHI_OK;
}

/* The chain of entries that reached node x, in the pool once a pass. */
static enum nhi_rc chain_of(struct search *s, uint32_t x, uint32_t *off)
{
  uint32_t n = s->depth[x] + 1, y = x;
  enum nhi_rc rc;

  if (s->chain_stamp[x] == s->cur) {
    *off = s->chain_at[x];
    return NHI_OK;
  }
  rc = grow((void **)&s->pool, &s->cappool, s->npool + n, sizeof *s->pool);
  if (rc)
    return rc;
  for (uint32_t k = n; k-- > 0; y = s->parent[y])
    s->pool[s->npool + k] = s->entry[y];
  *off = s->chain_at[x] = (uint32_t)s->npool;
  s->chain_stamp[x] = s->cur;
  s->npool += n;
  return NHI_OK;
}

static enum nhi_rc hit(struct search *s, uint32_t agent, uint32_t x,
                       uint32_t access, uint32_t res)
{
  const struct ag_access *a = &s->g->access[access];
  uint32_t *found = &s->found[a->write][res];
  struct ag_hit *h;
  enum nhi_rc rc;

  if (*found == agent + 1)
    return NHI_OK;
  rc = grow((void **)&s->hits, &s->caphits, s->nhits + 1, sizeof *s->hits);
  if (rc)
    return rc;
  h = &s->hits[s->nhits];
  rc = chain_of(s, x, &h->chain);
  if (rc)
    return rc;
  *found = agent + 1;
  s->nhits++;
  h->agent = agent;
  h->res = res;
  h->access = access;
  h->write = a->write;
  h->unsure = s->unsure[x] || a->unsure;
  h->nchain = s->depth[x] + 1;
  return NHI_OK;
}

/* Every resource x can read or write that this agent has no path to. */
static enum nhi_rc reach(struct search *s, uint32_t agent, uint32_t x,
                         int pass)
{
  const struct ag_node *n = &s->g->nodes[x];
  enum nhi_rc rc = NHI_OK;

  for (uint32_t i = n->ac_first; i < n->ac_first + n->ac_n && !rc; i++) {
    const struct ag_access *a = &s->g->access[i];
    const struct ag_set *set = a->set ? &s->g->sets[a->target] : NULL;

    if (a->unsure && !pass) {
      s->saw_unsure = 1;
      continue;
    }
    if (!set)
      rc = hit(s, agent, x, i, a->target);
    for (size_t k = 0; set && k < set->n && !rc; k++)
      rc = hit(s, agent, x, i, set->res[k]);
  }
  return rc;
}

static void visit(struct search *s, uint32_t node, uint32_t parent,
                  uint32_t entry, int unsure, size_t *tail)
{
  s->stamp[node] = s->cur;
  s->parent[node] = parent;
  s->entry[node] = entry;
  s->unsure[node] = (unsigned char)unsure;
  s->depth[node] = parent == AG_NONE ? 0 : s->depth[parent] + 1;
  s->queue[(*tail)++] = node;
}

/* The roles x may assume through the trusts of from (x itself, its
 * account root or "*"). */
static enum nhi_rc assume_from(struct search *s, uint32_t x, uint32_t from,
                               int pass, size_t *tail)
{
  const struct ag_node *n;
  enum verdict v;
  enum nhi_rc rc = NHI_OK;

  if (from == AG_NONE)
    return NHI_OK;
  n = &s->g->nodes[from];
  if (n->as_n && from == s->g->nodes[x].root) {
    int none;

    rc = holds_no_assume(s, x, &none);
    if (rc || none)
      return rc;
  }
  for (uint32_t i = n->as_first; i < n->as_first + n->as_n && !rc; i++) {
    const struct ag_assume *e = &s->g->assume[i];

    if (s->stamp[e->to] == s->cur)
      continue;
    rc = decide(s, x, e, &v);
    if (rc || v == V_NO)
      continue;
    if (v == V_UNSURE && !pass) {
      s->saw_unsure = 1;
      continue;
    }
    visit(s, e->to, x, i << 1 | (v == V_UNSURE),
          s->unsure[x] || v == V_UNSURE, tail);
  }
  return rc;
}

static enum nhi_rc walk(struct search *s, uint32_t agent, int pass)
{
  const struct ag_agent *a = &s->g->agents[agent];
  size_t head = 0, tail = 0;
  enum nhi_rc rc = NHI_OK;

  s->cur++;
  for (uint32_t i = a->run_first; i < a->run_first + a->run_n; i++)
    if (s->stamp[s->g->runs[i].node] != s->cur)
      visit(s, s->g->runs[i].node, AG_NONE, i << 1, 0, &tail);
  while (head < tail && !rc) {
    uint32_t x = s->queue[head++];
    const struct ag_node *n = &s->g->nodes[x];

    rc = reach(s, agent, x, pass);
    if (rc || (int)s->depth[x] + 3 > s->max_hops)
      continue;
    rc = assume_from(s, x, x, pass, &tail);
    if (!rc && n->aws)
      rc = assume_from(s, x, n->root, pass, &tail);
    if (!rc && n->aws)
      rc = assume_from(s, x, s->g->any, pass, &tail);
  }
  return rc;
}

static int by_hit(const void *pa, const void *pb)
{
  const struct ag_hit *a = pa, *b = pb;

  if (a->res != b->res)
    return a->res < b->res ? -1 : 1;
  return a->write - b->write;
}

static enum nhi_rc search_agent(struct search *s, uint32_t agent)
{
  enum nhi_rc rc;

  s->nhits = s->npool = 0;
  s->saw_unsure = 0;
  rc = walk(s, agent, 0);
  if (!rc && s->saw_unsure)
    rc = walk(s, agent, 1);
  if (s->nhits)
    qsort(s->hits, s->nhits, sizeof *s->hits, by_hit);
  for (size_t i = 0; i < s->nhits && !rc; i++)
    rc = ag_writer_put(s->writer, &s->hits[i], s->pool + s->hits[i].chain,
                       s->st);
  return rc;
}

static enum nhi_rc search_new(struct search *s)
{
  size_t n = s->g->node_ids.n + 1, r = s->g->res_ids.n + 1;
  uint32_t **arrays[] = { &s->stamp, &s->parent, &s->entry, &s->depth,
                          &s->queue, &s->chain_at, &s->chain_stamp };

  for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++)
    if (!(*arrays[i] = calloc(n, sizeof(uint32_t))))
      return NHI_ERR_NOMEM;
  s->found[0] = calloc(r, sizeof(uint32_t));
  s->found[1] = calloc(r, sizeof(uint32_t));
  s->unsure = calloc(n, 1);
  s->scope = calloc(n, sizeof *s->scope);
  return s->found[0] && s->found[1] && s->unsure && s->scope
         ? NHI_OK : NHI_ERR_NOMEM;
}

static void search_free(struct search *s)
{
  uint32_t *arrays[] = { s->stamp, s->parent, s->entry, s->depth, s->queue,
                         s->chain_at, s->chain_stamp, s->found[0],
                         s->found[1] };

  for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++)
    free(arrays[i]);
  for (size_t i = 0; s->scope && i < s->g->node_ids.n; i++)
    if (s->scope[i]) {
      nhi_aws_scope_free(s->scope[i]);
      free(s->scope[i]);
    }
  free(s->scope);
  free(s->unsure);
  free(s->hits);
  free(s->pool);
  free(s->memo.keys);
  free(s->memo.vals);
  nhi_aws_engine_free(s->engine);
}

static enum nhi_rc search_all(struct nhi_store *store, const char *home,
                              int max_hops, struct ag_graph *g,
                              struct nhi_ai_paths_stats *st)
{
  struct search s = { .g = g, .store = store, .home = home, .st = st,
                      .max_hops = max_hops };
  enum nhi_rc rc = search_new(&s);

  if (!rc)
    rc = ag_writer_new(store, g, &s.writer);
  for (size_t i = 0; i < g->agent_ids.n && !rc; i++)
    rc = search_agent(&s, (uint32_t)i);
  ag_writer_free(s.writer);
  search_free(&s);
  return rc;
}

/* The page cache while paths are derived: the edges, resources and
 * activity are read in no useful order, and with SQLite's default cache
 * each read goes back to the file. */
#define PATHS_CACHE_KIB (256 * 1024)

static void count(const struct ag_graph *g, struct nhi_ai_paths_stats *st)
{
  st->agents = g->agent_ids.n;
  st->identities = g->node_ids.n;
  st->edges = g->nruns + g->nassume + g->naccess;
  st->resources = g->res_ids.n;
}

enum nhi_rc nhi_ai_paths_derive(struct nhi_store *store, const char *home,
                                int max_hops,
                                struct nhi_ai_paths_stats *stats)
{
  struct nhi_ai_paths_stats local;
  struct ag_graph g;
  long long cache = nhi_store_cache_size(store);
  enum nhi_rc rc;

  memset(&g, 0, sizeof g);
  if (!stats)
    stats = &local;
  memset(stats, 0, sizeof *stats);
  rc = cache ? nhi_store_set_cache_size(store, -PATHS_CACHE_KIB) : NHI_OK;
  if (!rc)
    rc = nhi_store_begin(store);
  if (rc)
    return rc;
  rc = nhi_store_exec(store, "DELETE FROM paths", "ai paths");
  if (!rc)
    rc = ag_graph_load(store, &g);
  count(&g, stats);
  if (!rc && g.nruns && g.res_ids.n)
    rc = search_all(store, home, max_hops, &g, stats);
  ag_graph_free(&g);
  if (!rc)
    rc = nhi_store_commit(store);
  if (rc)
    nhi_store_rollback(store);
  if (cache && nhi_store_set_cache_size(store, cache) && !rc)
    rc = NHI_ERR_DB;
  return rc;
}
