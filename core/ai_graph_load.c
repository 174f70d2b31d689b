/* Loading the AI access graph: one pass over each kind of row the
 * search needs, kept as arrays sorted for a deterministic walk. */
#include "ai_graph.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#define COL(st, i) ((const char *)sqlite3_column_text(st, i))

static const char resources_sql[] =
  "SELECT native_id, provider, type, account, sensitivity,"
  " sensitivity_source, CASE WHEN sensitivity_source IN ('profile', 'tag')"
  " THEN 'high' WHEN sensitivity_source = 'name' THEN 'low'"
  " ELSE coalesce(json_extract(attrs, '$.sensitivity_confidence'),"
  " 'medium') END"
  " FROM resources WHERE sensitivity IN ('confidential', 'restricted')"
  " ORDER BY native_id, provider";

static const char agents_sql[] =
  "SELECT a.native_id, a.platform, i.native_id FROM ai_agents a"
  " LEFT JOIN identities i ON i.id = a.identity_id"
  " ORDER BY a.native_id, a.platform";

static const char runs_sql[] =
  "SELECT id, from_ref, to_ref, json_extract(attrs, '$.as') FROM edges"
  " WHERE kind = 'runs_as' AND from_type = 'ai_agent'"
  " AND to_type = 'identity' ORDER BY id";

/* Edges of the kinds below are most of the table: read in one scan
 * ("+kind" keeps SQLite off the kind index, whose rows it would fetch
 * one by one), in rowid order; the JSON is parsed only where it can
 * say "indeterminate". */
static const char assume_sql[] =
  "SELECT id, from_type, from_ref, to_ref FROM edges"
  " WHERE +kind = 'can_assume' AND to_type = 'identity'"
  " AND from_type IN ('identity', 'account', 'any')";

static const char access_sql[] =
  "SELECT id, kind, from_ref, to_ref, CASE WHEN instr(attrs,"
  " 'indeterminate') THEN json_extract(attrs, '$.decision') END"
  " FROM edges WHERE +kind IN ('can_read', 'can_write')"
  " AND from_type = 'identity' AND to_type = 'resource'";

static const char sets_sql[] =
  "SELECT id, kind, from_ref, json_extract(attrs, '$.decision'),"
  " json_extract(attrs, '$.set.provider'),"
  " json_extract(attrs, '$.resource_type'),"
  " json_extract(attrs, '$.set.prefix'),"
  " json_extract(attrs, '$.set.account'),"
  " json_extract(attrs, '$.set.except')"
  " FROM edges WHERE +kind IN ('can_read', 'can_write')"
  " AND from_type = 'identity' AND to_type = 'resource_set'";

static char *dup_or_null(const char *s)
{
  return s ? strdup(s) : NULL;
}

static enum nhi_rc prepare(struct nhi_store *s, const char *sql,
                           sqlite3_stmt **st)
{
  if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) == SQLITE_OK)
    return NHI_OK;
  nhi_error("ai paths: cannot read the evidence store: %s",
            sqlite3_errmsg(s->db));
  return NHI_ERR_DB;
}

static enum nhi_rc finish(struct nhi_store *s, sqlite3_stmt *st, int step,
                          enum nhi_rc rc)
{
  sqlite3_finalize(st);
  if (!rc && step != SQLITE_DONE) {
    nhi_error("ai paths: cannot read the evidence store: %s",
              sqlite3_errmsg(s->db));
    return NHI_ERR_DB;
  }
  return rc;
}

/* Grows *arr (of size elements, *cap of them) to hold n. */
static enum nhi_rc reserve(void **arr, size_t *cap, size_t n, size_t size)
{
  void *p;
  size_t c = *cap ? *cap : 256;

  if (n <= *cap)
    return NHI_OK;
  while (c < n)
    c *= 2;
  p = realloc(*arr, c * size);
  if (!p)
    return NHI_ERR_NOMEM;
  memset((char *)p + *cap * size, 0, (c - *cap) * size);
  *arr = p;
  *cap = c;
  return NHI_OK;
}

/* The node of ref, added when new. */
static enum nhi_rc node_of(struct ag_graph *g, const char *ref,
                           uint32_t *idx)
{
  int added;
  enum nhi_rc rc = ag_map_put(&g->node_ids, ref, idx, &added);

  if (!rc && added)
    rc = reserve((void **)&g->nodes, &g->capnodes, g->node_ids.n,
                 sizeof *g->nodes);
  if (!rc && added) {
    g->nodes[*idx].root = AG_NONE;
    g->nodes[*idx].aws = strncmp(ref, "arn:", 4) == 0;
  }
  return rc;
}

static enum nhi_rc load_resources(struct nhi_store *s, struct ag_graph *g)
{
  sqlite3_stmt *st = NULL;
  enum nhi_rc rc = prepare(s, resources_sql, &st);
  size_t cap = 0;
  uint32_t idx;
  int step = SQLITE_DONE, added;

  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    rc = ag_map_put(&g->res_ids, COL(st, 0), &idx, &added);
    if (!rc && added)
      rc = reserve((void **)&g->res, &cap, idx + 1, sizeof *g->res);
    if (!rc && added) {
      struct ag_res *r = &g->res[idx];

      r->provider = dup_or_null(COL(st, 1));
      r->type = dup_or_null(COL(st, 2));
      r->account = dup_or_null(COL(st, 3));
      r->level = dup_or_null(COL(st, 4));
      r->source = dup_or_null(COL(st, 5));
      r->confidence = dup_or_null(COL(st, 6));
      if (!r->provider || !r->type || !r->level)
        rc = NHI_ERR_NOMEM;
    }
  }
  return finish(s, st, step, rc);
}

static enum nhi_rc add_run(struct ag_graph *g, uint32_t agent,
                           const char *identity, long long id,
                           const char *as)
{
  enum nhi_rc rc = reserve((void **)&g->runs, &g->capruns, g->nruns + 1,
                           sizeof *g->runs);
  struct ag_run *r;

  if (!rc)
    rc = node_of(g, identity, &g->runs[g->nruns].node);
  if (rc)
    return rc;
  r = &g->runs[g->nruns++];
  r->agent = agent;
  r->id = id;
  r->as = dup_or_null(as);
  return as && !r->as ? NHI_ERR_NOMEM : NHI_OK;
}

static enum nhi_rc load_agents(struct nhi_store *s, struct ag_graph *g)
{
  sqlite3_stmt *st = NULL;
  enum nhi_rc rc = prepare(s, agents_sql, &st);
  size_t cap = 0;
  uint32_t idx;
  int step = SQLITE_DONE, added;

  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    rc = ag_map_put(&g->agent_ids, COL(st, 0), &idx, &added);
    if (!rc && added)
      rc = reserve((void **)&g->agents, &cap, idx + 1, sizeof *g->agents);
    if (!rc && added) {
      g->agents[idx].platform = dup_or_null(COL(st, 1));
      rc = g->agents[idx].platform ? NHI_OK : NHI_ERR_NOMEM;
    }
    if (!rc && added && COL(st, 2))
      rc = add_run(g, idx, COL(st, 2), 0, NULL);
  }
  return finish(s, st, step, rc);
}

static enum nhi_rc load_runs(struct nhi_store *s, struct ag_graph *g)
{
  sqlite3_stmt *st = NULL;
  enum nhi_rc rc = prepare(s, runs_sql, &st);
  int step = SQLITE_DONE;
  uint32_t agent;

  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    agent = ag_map_get(&g->agent_ids, COL(st, 1));
    if (agent != AG_NONE)
      rc = add_run(g, agent, COL(st, 2), sqlite3_column_int64(st, 0),
                   COL(st, 3));
  }
  return finish(s, st, step, rc);
}

static enum nhi_rc load_assume(struct nhi_store *s, struct ag_graph *g)
{
  sqlite3_stmt *st = NULL;
  enum nhi_rc rc = prepare(s, assume_sql, &st);
  int step = SQLITE_DONE;
  struct ag_assume *a;
  uint32_t from, to;

  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    int any = strcmp(COL(st, 1), "any") == 0;

    rc = node_of(g, any ? "*" : COL(st, 2), &from);
    if (!rc)
      rc = node_of(g, COL(st, 3), &to);
    if (!rc)
      rc = reserve((void **)&g->assume, &g->capassume, g->nassume + 1,
                   sizeof *g->assume);
    if (rc || from == to)
      continue;
    a = &g->assume[g->nassume++];
    a->from = from;
    a->to = to;
    a->id = sqlite3_column_int64(st, 0);
    a->aws = g->nodes[to].aws && (any || g->nodes[from].aws);
  }
  return finish(s, st, step, rc);
}

static enum nhi_rc add_access(struct ag_graph *g, sqlite3_stmt *st,
                              uint32_t target, int set)
{
  const char *decision = COL(st, set ? 3 : 4);
  struct ag_access *a;
  enum nhi_rc rc = reserve((void **)&g->access, &g->capaccess,
                           g->naccess + 1, sizeof *g->access);

  if (rc)
    return rc;
  a = &g->access[g->naccess];
  rc = node_of(g, COL(st, 2), &a->from);
  if (rc)
    return rc;
  g->naccess++;
  a->target = target;
  a->id = sqlite3_column_int64(st, 0);
  a->write = strcmp(COL(st, 1), "can_write") == 0;
  a->set = (unsigned char)set;
  a->unsure = decision && strcmp(decision, "indeterminate") == 0;
  return NHI_OK;
}

static enum nhi_rc load_access(struct nhi_store *s, struct ag_graph *g)
{
  sqlite3_stmt *st = NULL;
  enum nhi_rc rc = prepare(s, access_sql, &st);
  int step = SQLITE_DONE;
  uint32_t res;

  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    res = ag_map_get(&g->res_ids, COL(st, 3));
    if (res != AG_NONE)
      rc = add_access(g, st, res, 0);
  }
  return finish(s, st, step, rc);
}

/* 1 when the except list (JSON text, may be NULL) names ref. */
static int excepted(const cJSON *except, const char *ref)
{
  const cJSON *e;

  cJSON_ArrayForEach(e, except)
    if (cJSON_IsString(e) && strcmp(e->valuestring, ref) == 0)
      return 1;
  return 0;
}

/* The first resource whose native id is not below prefix. */
static size_t lower_bound(const struct ag_graph *g, const char *prefix)
{
  size_t lo = 0, hi = g->res_ids.n, len = strlen(prefix);

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;

    if (strncmp(g->res_ids.keys[mid], prefix, len) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static int same(const char *a, const char *b)
{
  return a == b || (a && b && strcmp(a, b) == 0);
}

/* The sensitive stores of set edge st (columns 4..8), as the
 * data_access view spreads it. */
static enum nhi_rc expand_set(struct ag_graph *g, sqlite3_stmt *st,
                              struct ag_set *set)
{
  const char *prov = COL(st, 4), *type = COL(st, 5), *prefix = COL(st, 6);
  const char *acct = COL(st, 7);
  cJSON *except = COL(st, 8) ? cJSON_Parse(COL(st, 8)) : NULL;
  size_t len = prefix ? strlen(prefix) : 0, cap = 0;
  enum nhi_rc rc = NHI_OK;

  if (!prov || !type || !prefix)
    goto out;
  for (size_t i = lower_bound(g, prefix); i < g->res_ids.n && !rc &&
       strncmp(g->res_ids.keys[i], prefix, len) == 0; i++) {
    const struct ag_res *r = &g->res[i];

    if (strcmp(r->provider, prov) || strcmp(r->type, type) ||
        !same(r->account, acct) || excepted(except, g->res_ids.keys[i]))
      continue;
    rc = reserve((void **)&set->res, &cap, set->n + 1, sizeof *set->res);
    if (!rc)
      set->res[set->n++] = (uint32_t)i;
  }
out:
  cJSON_Delete(except);
  return rc;
}

/* The set of edge st, shared by every edge that names the same stores. */
static enum nhi_rc set_of(struct ag_graph *g, sqlite3_stmt *st,
                          uint32_t *idx)
{
  char *key = NULL;
  size_t n = 0;
  int added;
  enum nhi_rc rc;

  for (int i = 4; i <= 8; i++)
    n += (COL(st, i) ? strlen(COL(st, i)) : 0) + 1;
  key = calloc(n + 1, 1);
  if (!key)
    return NHI_ERR_NOMEM;
  for (int i = 4; i <= 8; i++) {
    strcat(key, COL(st, i) ? COL(st, i) : "");
    strcat(key, "\x1f");
  }
  rc = ag_map_put(&g->set_keys, key, idx, &added);
  free(key);
  if (!rc && added)
    rc = reserve((void **)&g->sets, &g->capsets, *idx + 1,
                 sizeof *g->sets);
  if (!rc && added)
    rc = expand_set(g, st, &g->sets[*idx]);
  return rc;
}

static enum nhi_rc load_sets(struct nhi_store *s, struct ag_graph *g)
{
  sqlite3_stmt *st = NULL;
  enum nhi_rc rc = prepare(s, sets_sql, &st);
  int step = SQLITE_DONE;
  uint32_t set;

  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    rc = set_of(g, st, &set);
    if (!rc && g->sets[set].n)
      rc = add_access(g, st, set, 1);
  }
  return finish(s, st, step, rc);
}

/* The graph the comparators below read names from: qsort takes no
 * context, and the derivation runs on one thread. */
static const struct ag_graph *sorting;

static int by_assume(const void *pa, const void *pb)
{
  const struct ag_assume *a = pa, *b = pb;

  if (a->from != b->from)
    return a->from < b->from ? -1 : 1;
  return strcmp(sorting->node_ids.keys[a->to],
                sorting->node_ids.keys[b->to]);
}

static int by_access(const void *pa, const void *pb)
{
  const struct ag_access *a = pa, *b = pb;

  if (a->from != b->from)
    return a->from < b->from ? -1 : 1;
  if (a->set != b->set)
    return a->set - b->set;
  if (a->target != b->target)
    return a->target < b->target ? -1 : 1;
  return a->write - b->write;
}

static int by_run(const void *pa, const void *pb)
{
  const struct ag_run *a = pa, *b = pb;
  int c;

  if (a->agent != b->agent)
    return a->agent < b->agent ? -1 : 1;
  c = strcmp(sorting->node_ids.keys[a->node],
             sorting->node_ids.keys[b->node]);
  if (c)
    return c;
  if ((a->id == 0) != (b->id == 0))
    return a->id == 0 ? 1 : -1;
  return (a->id > b->id) - (a->id < b->id);
}

/* Drops a second run to the same identity (the ai_agents identity
 * column besides its runs_as edge, sorted after it), keeping the
 * edge. */
static void unique_runs(struct ag_graph *g)
{
  size_t k = 0;

  for (size_t i = 0; i < g->nruns; i++) {
    if (k && g->runs[k - 1].agent == g->runs[i].agent &&
        g->runs[k - 1].node == g->runs[i].node) {
      free(g->runs[i].as);
      continue;
    }
    g->runs[k++] = g->runs[i];
  }
  g->nruns = k;
}

/* The node of the account root "arn:P:iam::ACCT:root" of an IAM ARN. */
static uint32_t root_of(const struct ag_graph *g, const char *arn)
{
  const char *p = arn;
  char buf[256];
  size_t n;

  for (int colons = 0; colons < 5; colons++) {
    p = strchr(p, ':');
    if (!p)
      return AG_NONE;
    p++;
  }
  n = (size_t)(p - arn);
  if (n + 5 > sizeof buf || strcmp(p, "root") == 0)
    return AG_NONE;
  memcpy(buf, arn, n);
  memcpy(buf + n, "root", 5);
  return ag_map_get(&g->node_ids, buf);
}

static void index_edges(struct ag_graph *g)
{
  sorting = g;
  if (g->nassume)
    qsort(g->assume, g->nassume, sizeof *g->assume, by_assume);
  if (g->naccess)
    qsort(g->access, g->naccess, sizeof *g->access, by_access);
  if (g->nruns)
    qsort(g->runs, g->nruns, sizeof *g->runs, by_run);
  unique_runs(g);
  for (size_t i = g->nassume; i-- > 0;) {
    g->nodes[g->assume[i].from].as_first = (uint32_t)i;
    g->nodes[g->assume[i].from].as_n++;
  }
  for (size_t i = g->naccess; i-- > 0;) {
    g->nodes[g->access[i].from].ac_first = (uint32_t)i;
    g->nodes[g->access[i].from].ac_n++;
  }
  for (size_t i = g->nruns; i-- > 0;) {
    g->agents[g->runs[i].agent].run_first = (uint32_t)i;
    g->agents[g->runs[i].agent].run_n++;
  }
  for (size_t i = 0; i < g->node_ids.n; i++)
    if (g->nodes[i].aws)
      g->nodes[i].root = root_of(g, g->node_ids.keys[i]);
  g->any = ag_map_get(&g->node_ids, "*");
}

enum nhi_rc ag_graph_load(struct nhi_store *store, struct ag_graph *g)
{
  enum nhi_rc rc = load_resources(store, g);

  if (!rc)
    rc = load_agents(store, g);
  if (!rc && g->agent_ids.n && g->res_ids.n)
    rc = load_runs(store, g);
  if (!rc && g->nruns)
    rc = load_assume(store, g);
  if (!rc && g->nruns)
    rc = load_access(store, g);
  if (!rc && g->nruns)
    rc = load_sets(store, g);
  if (!rc)
    index_edges(g);
  return rc;
}

void ag_graph_free(struct ag_graph *g)
{
  for (size_t i = 0; i < g->res_ids.n; i++) {
    struct ag_res *r = &g->res[i];

    free(r->provider);
    free(r->type);
    free(r->account);
    free(r->level);
    free(r->source);
    free(r->confidence);
    free(r->logged_by);
  }
  for (size_t i = 0; i < g->agent_ids.n; i++)
    free(g->agents[i].platform);
  for (size_t i = 0; i < g->set_keys.n; i++)
    free(g->sets[i].res);
  for (size_t i = 0; i < g->nruns; i++)
    free(g->runs[i].as);
  for (size_t i = 0; i < g->naccess; i++)
    ag_detail_clear(&g->access[i].detail);
  free(g->res);
  free(g->agents);
  free(g->sets);
  free(g->runs);
  free(g->nodes);
  free(g->assume);
  free(g->access);
  ag_map_free(&g->agent_ids);
  ag_map_free(&g->node_ids);
  ag_map_free(&g->res_ids);
  ag_map_free(&g->set_keys);
  memset(g, 0, sizeof *g);
}
