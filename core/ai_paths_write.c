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
  struct ag_text steps, attrs, seen;
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
  free(w->steps.p);
  free(w->attrs.p);
  free(w->seen.p);
  free(w);
}

/* What activity shows of via on the resource; actions, a JSON list,
 * in the writer's buffer. */
struct seen {
  long long count;
  char *first, *last;
  struct ag_text *actions;
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
  s->actions = &w->seen;
  w->seen.n = 0;
  w->seen.failed = 0;
  if (ag_map_get(&w->active, via) == AG_NONE)
    return NHI_OK;
  sqlite3_bind_text(st, 1, via, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, res, -1, SQLITE_STATIC);
  if (strcmp(r->provider, "aws") == 0 && a->detail.actions)
    sqlite3_bind_text(st, 3, a->detail.actions, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 3);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    ag_text_raw(s->actions, s->actions->n ? "," : "[");
    ag_text_str(s->actions, (const char *)sqlite3_column_text(st, 0));
    s->count += sqlite3_column_int64(st, 1);
    keep_min(&s->first, (const char *)sqlite3_column_text(st, 2), 1);
    keep_min(&s->last, (const char *)sqlite3_column_text(st, 3), 0);
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (s->actions->n)
    ag_text_raw(s->actions, "]");
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
}

/* The path's attrs into t: S3 objects reachable, the trails logging it,
 * the actions activity shows (each JSON text already). */
static void attrs_of(struct ag_text *t, const struct ag_access *a,
                     const char *logged_by, const struct seen *s)
{
  const char *sep = "{";

  t->n = 0;
  t->failed = 0;
  if (a->detail.objects) {
    ag_text_raw(t, "{\"objects\":");
    ag_text_raw(t, a->detail.objects);
    sep = ",";
  }
  if (logged_by) {
    ag_text_raw(t, sep);
    ag_text_raw(t, "\"logged_by\":");
    ag_text_raw(t, logged_by);
    sep = ",";
  }
  if (s->actions->n) {
    ag_text_raw(t, sep);
    ag_text_raw(t, "\"actions_seen\":");
    ag_text_raw(t, s->actions->p);
    sep = ",";
  }
  ag_text_raw(t, *sep == '{' ? "{}" : "}");
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
    sqlite3_bind_text(st, first + i, v[i], -1, SQLITE_STATIC);
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
  const char *via = NULL, *by = NULL;
  enum ag_logging l;
  enum nhi_rc rc = ag_steps_text(w->edge, w->g, h, chain, &w->steps, &via);

  if (!rc)
    rc = trace_of(w, via, w->g->res_ids.keys[h->res], &w->g->res[h->res],
                  a, &s);
  l = logging_of(w, h->res, &by);
  if (!rc)
    attrs_of(&w->attrs, a, by, &s);
  if (!rc && (w->attrs.failed || w->seen.failed))
    rc = NHI_ERR_NOMEM;
  if (!rc)
    rc = insert(w, h, w->g->node_ids.keys[w->g->runs[chain[0] >> 1].node],
                via, w->steps.p, &s, l, w->attrs.p);
  if (!rc) {
    st->paths++;
    st->used += s.count > 0;
    st->unlogged += !s.count && l == AG_NOT_LOGGED;
  }
  seen_clear(&s);
  return rc;
}
