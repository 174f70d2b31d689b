/* Writing AI paths: each path's steps with the permission that opens
 * each, and its trace: whether activity shows the last identity reading
 * or writing the resource, and whether the trails log such reads. */
#include "ai_graph.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

struct ag_writer {
  struct nhi_store *store;
  struct ag_graph *g;
  struct ag_trails *trails;
  sqlite3_stmt *insert, *edge, *activity;
  struct ag_map active;       /* identities with any activity */
};

static const char active_sql[] = "SELECT DISTINCT identity_ref FROM activity";

static const char insert_sql[] =
  "INSERT INTO paths(agent, platform, identity, via_identity, resource,"
  " resource_type, sensitivity, sensitivity_source,"
  " sensitivity_confidence, access, hops, decision, steps, trace,"
  " logging, trace_count, first_seen, last_seen, attrs)"
  " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static const char edge_sql[] =
  "SELECT actions, json_extract(attrs, '$.objects') FROM edges"
  " WHERE id = ?";

/* The activity of the path's last identity on the resource (an S3
 * bucket's objects included) by the actions of its access edge, or, for
 * another provider's resource (?3 NULL), by any action allowed. */
static const char activity_sql[] =
  "SELECT action, sum(count), min(first_seen), max(last_seen)"
  " FROM activity WHERE identity_ref = ?1"
  " AND (resource = ?2 OR (resource >= ?2 || '/' AND resource < ?2 || '0'))"
  " AND CASE WHEN ?3 IS NULL THEN action NOT LIKE '%#denied'"
  " ELSE action IN (SELECT value FROM json_each(?3)) END"
  " GROUP BY action ORDER BY action";

/* Most identities on a path have no activity: knowing which do saves a
 * query per path. */
static enum nhi_rc load_active(struct ag_writer *w)
{
  sqlite3_stmt *st = NULL;
  enum nhi_rc rc = NHI_OK;
  uint32_t idx;
  int step = SQLITE_DONE, added;

  if (sqlite3_prepare_v2(w->store->db, active_sql, -1, &st, NULL))
    rc = NHI_ERR_DB;
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
    rc = ag_map_put(&w->active, (const char *)sqlite3_column_text(st, 0),
                    &idx, &added);
  sqlite3_finalize(st);
  if (!rc && step != SQLITE_DONE)
    rc = NHI_ERR_DB;
  if (rc == NHI_ERR_DB)
    nhi_error("ai paths: cannot read the activity: %s",
              sqlite3_errmsg(w->store->db));
  return rc;
}

enum nhi_rc ag_writer_new(struct nhi_store *store, struct ag_graph *g,
                          struct ag_writer **out)
{
  struct ag_writer *w = calloc(1, sizeof *w);
  enum nhi_rc rc = w ? NHI_OK : NHI_ERR_NOMEM;

  *out = NULL;
  if (rc)
    return rc;
  w->store = store;
  w->g = g;
  if (sqlite3_prepare_v2(store->db, insert_sql, -1, &w->insert, NULL) ||
      sqlite3_prepare_v2(store->db, edge_sql, -1, &w->edge, NULL) ||
      sqlite3_prepare_v2(store->db, activity_sql, -1, &w->activity,
                         NULL)) {
    nhi_error("ai paths: cannot prepare the paths table: %s",
              sqlite3_errmsg(store->db));
    rc = NHI_ERR_DB;
  }
  if (!rc)
    rc = ag_trails_load(store, &w->trails);
  if (!rc)
    rc = load_active(w);
  if (rc)
    ag_writer_free(w);
  else
    *out = w;
  return rc;
}

void ag_writer_free(struct ag_writer *w)
{
  if (!w)
    return;
  sqlite3_finalize(w->insert);
  sqlite3_finalize(w->edge);
  sqlite3_finalize(w->activity);
  ag_trails_free(w->trails);
  ag_map_free(&w->active);
  free(w);
}

/* An edge's actions and S3 objects (JSON text, malloc'd; NULL absent). */
static enum nhi_rc edge_detail(struct ag_writer *w, long long id,
                               char **actions, char **objects)
{
  const char *a, *o;
  enum nhi_rc rc = NHI_OK;

  sqlite3_bind_int64(w->edge, 1, id);
  if (sqlite3_step(w->edge) == SQLITE_ROW) {
    a = (const char *)sqlite3_column_text(w->edge, 0);
    o = (const char *)sqlite3_column_text(w->edge, 1);
    *actions = a ? strdup(a) : NULL;
    if (objects)
      *objects = o ? strdup(o) : NULL;
    if ((a && !*actions) || (objects && o && !*objects))
      rc = NHI_ERR_NOMEM;
  }
  sqlite3_reset(w->edge);
  return rc;
}

/* The first action of a JSON list, or fallback. */
static cJSON *first_action(const cJSON *list, const char *fallback)
{
  const cJSON *a = cJSON_GetArrayItem(list, 0);

  return cJSON_CreateString(cJSON_IsString(a) ? a->valuestring : fallback);
}

static cJSON *step(const char *kind, const char *from, const char *to,
                   cJSON *permission, cJSON *actions, int unsure,
                   const char *as)
{
  cJSON *s = cJSON_CreateObject();

  cJSON_AddStringToObject(s, "kind", kind);
  cJSON_AddStringToObject(s, "from", from);
  cJSON_AddStringToObject(s, "to", to);
  cJSON_AddItemToObject(s, "permission", permission);
  cJSON_AddItemToObject(s, "actions", actions ? actions
                                              : cJSON_CreateNull());
  cJSON_AddStringToObject(s, "decision", unsure ? "indeterminate"
                                                : "allow");
  if (as)
    cJSON_AddStringToObject(s, "as", as);
  else
    cJSON_AddNullToObject(s, "as");
  return s;
}

/* The can_assume step of chain entry c (an assume edge << 1 | unsure). */
static enum nhi_rc assume_step(struct ag_writer *w, uint32_t c,
                               cJSON *steps)
{
  const struct ag_graph *g = w->g;
  const struct ag_assume *a = &g->assume[c >> 1];
  const cJSON *prev = cJSON_GetArrayItem(steps,
                                         cJSON_GetArraySize(steps) - 1);
  const char *from = cJSON_GetObjectItem(prev, "to")->valuestring;
  char *actions = NULL;
  cJSON *list = NULL, *perm;
  enum nhi_rc rc = NHI_OK;

  if (a->aws) {
    perm = cJSON_CreateString("sts:AssumeRole");
  } else {
    rc = edge_detail(w, a->id, &actions, NULL);
    list = actions ? cJSON_Parse(actions) : NULL;
    perm = first_action(list, "can_assume");
  }
  free(actions);
  cJSON_AddItemToArray(steps, step("can_assume", from,
                                   g->node_ids.keys[a->to], perm, list,
                                   c & 1, NULL));
  return rc;
}

static enum nhi_rc access_step(struct ag_writer *w, struct ag_access *a,
                               const char *from, const char *res,
                               cJSON *steps)
{
  enum nhi_rc rc = NHI_OK;
  cJSON *list;

  if (!a->actions)
    rc = edge_detail(w, a->id, &a->actions, &a->objects);
  list = a->actions ? cJSON_Parse(a->actions) : NULL;
  cJSON_AddItemToArray(steps, step(a->write ? "can_write" : "can_read",
                                   from, res, first_action(list, "access"),
                                   list, a->unsure, NULL));
  return rc;
}

/* The steps of h as JSON; *via gets the last identity (borrowed). */
static enum nhi_rc steps_of(struct ag_writer *w, const struct ag_hit *h,
                            const uint32_t *chain, cJSON **out,
                            const char **via)
{
  struct ag_graph *g = w->g;
  const struct ag_run *run = &g->runs[chain[0] >> 1];
  cJSON *steps = cJSON_CreateArray();
  enum nhi_rc rc = steps ? NHI_OK : NHI_ERR_NOMEM;

  *via = g->node_ids.keys[run->node];
  if (!rc)
    cJSON_AddItemToArray(steps, step("runs_as", g->agent_ids.keys[h->agent],
                                     *via, cJSON_CreateString("runs_as"),
                                     NULL, 0, run->as));
  for (uint32_t k = 1; !rc && k < h->nchain; k++) {
    rc = assume_step(w, chain[k], steps);
    *via = g->node_ids.keys[g->assume[chain[k] >> 1].to];
  }
  if (!rc)
    rc = access_step(w, &g->access[h->access], *via,
                     g->res_ids.keys[h->res], steps);
  *out = steps;
  return rc;
}

/* What activity shows of via on the resource. */
struct seen {
  long long count;
  char *first, *last;
  cJSON *actions;
};

static void keep_min(char **cur, const char *v, int min)
{
  if (!v || (*cur && (min ? strcmp(v, *cur) >= 0 : strcmp(v, *cur) <= 0)))
    return;
  free(*cur);
  *cur = strdup(v);
}

static enum nhi_rc trace_of(struct ag_writer *w, const char *via,
                            const char *res, const struct ag_res *r,
                            const struct ag_access *a, struct seen *s)
{
  sqlite3_stmt *st = w->activity;
  int step;

  memset(s, 0, sizeof *s);
  if (ag_map_get(&w->active, via) == AG_NONE)
    return NHI_OK;
  sqlite3_bind_text(st, 1, via, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, res, -1, SQLITE_STATIC);
  if (strcmp(r->provider, "aws") == 0 && a->actions)
    sqlite3_bind_text(st, 3, a->actions, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 3);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (!s->actions)
      s->actions = cJSON_CreateArray();
    cJSON_AddItemToArray(s->actions, cJSON_CreateString(
      (const char *)sqlite3_column_text(st, 0)));
    s->count += sqlite3_column_int64(st, 1);
    keep_min(&s->first, (const char *)sqlite3_column_text(st, 2), 1);
    keep_min(&s->last, (const char *)sqlite3_column_text(st, 3), 0);
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (step != SQLITE_DONE) {
    nhi_error("ai paths: cannot read the activity: %s",
              sqlite3_errmsg(w->store->db));
    return NHI_ERR_DB;
  }
  return NHI_OK;
}

static void seen_clear(struct seen *s)
{
  free(s->first);
  free(s->last);
  cJSON_Delete(s->actions);
}

/* The path's attrs: S3 objects reachable, the trails logging it, the
 * actions activity shows. */
static char *attrs_of(const struct ag_access *a, const char *logged_by,
                      const struct seen *s)
{
  cJSON *o = cJSON_CreateObject();
  char *text;

  if (a->objects)
    cJSON_AddItemToObject(o, "objects", cJSON_Parse(a->objects));
  if (logged_by)
    cJSON_AddItemToObject(o, "logged_by", cJSON_Parse(logged_by));
  if (s->actions)
    cJSON_AddItemReferenceToObject(o, "actions_seen", s->actions);
  text = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return text;
}

/* What the trails say of the resource, asked once per resource; *by is
 * borrowed from it. */
static enum ag_logging logging_of(struct ag_writer *w, uint32_t res,
                                  const char **by)
{
  struct ag_res *r = &w->g->res[res];

  if (!r->logging)
    r->logging = (unsigned char)(1 + (strcmp(r->provider, "aws") != 0
      ? AG_UNKNOWN
      : ag_trails_logging(w->trails, w->g->res_ids.keys[res],
                          &r->logged_by)));
  *by = r->logged_by;
  return (enum ag_logging)(r->logging - 1);
}

static void bind_texts(sqlite3_stmt *st, int first, const char *const *v,
                       int n)
{
  for (int i = 0; i < n; i++)
    sqlite3_bind_text(st, first + i, v[i], -1, SQLITE_TRANSIENT);
}

static enum nhi_rc insert(struct ag_writer *w, const struct ag_hit *h,
                          const char *first, const char *via,
                          const char *steps,
                          const struct seen *s, enum ag_logging l,
                          const char *attrs)
{
  const struct ag_graph *g = w->g;
  const struct ag_res *r = &g->res[h->res];
  const char *trace = s->count ? "used" : l == AG_NOT_LOGGED ? "unlogged"
                                                             : "not-seen";
  const char *a[] = {
    g->agent_ids.keys[h->agent], g->agents[h->agent].platform,
    first, via,
    g->res_ids.keys[h->res], r->type, r->level, r->source, r->confidence,
    h->write ? "write" : "read",
  };
  const char *b[] = { h->unsure ? "indeterminate" : "allow", steps, trace,
                      ag_logging_name(l) };
  int ok;

  bind_texts(w->insert, 1, a, 10);
  sqlite3_bind_int(w->insert, 11, (int)h->nchain + 1);
  bind_texts(w->insert, 12, b, 4);
  if (s->count)
    sqlite3_bind_int64(w->insert, 16, s->count);
  bind_texts(w->insert, 17, (const char *const[]){ s->first, s->last,
                                                   attrs }, 3);
  ok = sqlite3_step(w->insert) == SQLITE_DONE;
  sqlite3_reset(w->insert);
  sqlite3_clear_bindings(w->insert);
  if (!ok)
    nhi_error("ai paths: cannot write a path: %s",
              sqlite3_errmsg(w->store->db));
  return ok ? NHI_OK : NHI_ERR_DB;
}

enum nhi_rc ag_writer_put(struct ag_writer *w, const struct ag_hit *h,
                          const uint32_t *chain,
                          struct nhi_ai_paths_stats *st)
{
  struct ag_access *a = &w->g->access[h->access];
  struct seen s = { 0 };
  cJSON *steps = NULL;
  char *text = NULL, *attrs = NULL;
  const char *by = NULL;
  const char *via = NULL;
  enum ag_logging l;
  enum nhi_rc rc = steps_of(w, h, chain, &steps, &via);

  if (!rc)
    rc = trace_of(w, via, w->g->res_ids.keys[h->res], &w->g->res[h->res],
                  a, &s);
  l = logging_of(w, h->res, &by);
  text = rc ? NULL : cJSON_PrintUnformatted(steps);
  attrs = text ? attrs_of(a, by, &s) : NULL;
  if (!rc && (!text || !attrs))
    rc = NHI_ERR_NOMEM;
  if (!rc)
    rc = insert(w, h, w->g->node_ids.keys[w->g->runs[chain[0] >> 1].node],
                via, text, &s, l, attrs);
  if (!rc) {
    st->paths++;
    st->used += s.count > 0;
    st->unlogged += !s.count && l == AG_NOT_LOGGED;
  }
  seen_clear(&s);
  cJSON_Delete(steps);
  free(text);
  free(attrs);
  return rc;
}
