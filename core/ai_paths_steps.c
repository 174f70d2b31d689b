/* A path's steps as JSON text, each with the permission that opens it:
 * runs_as, sts:AssumeRole on a role (or a non-AWS edge's first action),
 * then the access edge's first action (s3:GetObject). Written straight
 * into one buffer: a large graph has hundreds of thousands of paths. */
#include "ai_graph.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

static void put(struct ag_text *t, const char *s, size_t n)
{
  if (t->failed)
    return;
  if (t->n + n + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 512;
    char *p;

    while (cap < t->n + n + 1)
      cap *= 2;
    p = realloc(t->p, cap);
    if (!p) {
      t->failed = 1;
      return;
    }
    t->p = p;
    t->cap = cap;
  }
  memcpy(t->p + t->n, s, n);
  t->n += n;
  t->p[t->n] = '\0';
}

void ag_text_raw(struct ag_text *t, const char *s)
{
  put(t, s, strlen(s));
}

void ag_text_str(struct ag_text *t, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  const char *run = s;

  if (!s) {
    put(t, "null", 4);
    return;
  }
  put(t, "\"", 1);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    put(t, run, (size_t)(s - run));
    put(t, esc, c == '"' || c == '\\' ? 0 : 6);
    if (c == '"' || c == '\\')
      put(t, (const char[]){ '\\', (char)c }, 2);
    run = s + 1;
  }
  put(t, run, (size_t)(s - run));
  put(t, "\"", 1);
}

/* Fetches edge id's actions (and objects) once: the JSON re-printed
 * compact, and the first action; all NULL when absent or malformed. */
enum nhi_rc ag_edge_detail(sqlite3_stmt *st, long long id,
                           struct ag_detail *d)
{
  cJSON *a = NULL, *o = NULL, *first;
  enum nhi_rc rc = NHI_OK;

  memset(d, 0, sizeof *d);
  sqlite3_bind_int64(st, 1, id);
  if (sqlite3_step(st) == SQLITE_ROW) {
    const char *at = (const char *)sqlite3_column_text(st, 0);
    const char *ot = (const char *)sqlite3_column_text(st, 1);

    a = at ? cJSON_Parse(at) : NULL;
    o = ot ? cJSON_Parse(ot) : NULL;
  }
  sqlite3_reset(st);
  first = cJSON_GetArrayItem(a, 0);
  if (cJSON_IsArray(a)) {
    d->actions = cJSON_PrintUnformatted(a);
    rc = d->actions ? NHI_OK : NHI_ERR_NOMEM;
  }
  if (!rc && cJSON_IsString(first) &&
      !(d->first = strdup(first->valuestring)))
    rc = NHI_ERR_NOMEM;
  if (!rc && cJSON_IsArray(o) && !(d->objects = cJSON_PrintUnformatted(o)))
    rc = NHI_ERR_NOMEM;
  cJSON_Delete(a);
  cJSON_Delete(o);
  return rc;
}

void ag_detail_clear(struct ag_detail *d)
{
  free(d->actions);
  free(d->first);
  free(d->objects);
  memset(d, 0, sizeof *d);
}

/* One step; where it starts is where the one before it leads (the
 * first starts at the agent), so only where it leads is written. */
static void step(struct ag_text *t, const char *kind, const char *to,
                 const char *permission, const char *actions, int unsure,
                 const char *as)
{
  ag_text_raw(t, t->n > 1 ? ",{\"kind\":" : "{\"kind\":");
  ag_text_str(t, kind);
  ag_text_raw(t, ",\"to\":");
  ag_text_str(t, to);
  ag_text_raw(t, ",\"permission\":");
  ag_text_str(t, permission);
  ag_text_raw(t, ",\"actions\":");
  ag_text_raw(t, actions ? actions : "null");
  ag_text_raw(t, unsure ? ",\"decision\":\"indeterminate\",\"as\":"
                        : ",\"decision\":\"allow\",\"as\":");
  ag_text_str(t, as);
  ag_text_raw(t, "}");
}

/* The can_assume step of chain entry c (an assume edge << 1 | unsure);
 * a non-AWS edge is opened by its own first action. */
static enum nhi_rc assume_step(sqlite3_stmt *edge, const struct ag_graph *g,
                               uint32_t c, struct ag_text *t)
{
  const struct ag_assume *a = &g->assume[c >> 1];
  struct ag_detail d = { 0 };
  enum nhi_rc rc = a->aws ? NHI_OK : ag_edge_detail(edge, a->id, &d);

  if (!rc)
    step(t, "can_assume", g->node_ids.keys[a->to],
         a->aws ? "sts:AssumeRole" : d.first ? d.first : "can_assume",
         d.actions, c & 1, NULL);
  ag_detail_clear(&d);
  return rc;
}

enum nhi_rc ag_steps_text(sqlite3_stmt *edge, struct ag_graph *g,
                          const struct ag_hit *h, const uint32_t *chain,
                          struct ag_text *t, const char **via)
{
  const struct ag_run *run = &g->runs[chain[0] >> 1];
  struct ag_access *a = &g->access[h->access];
  enum nhi_rc rc = NHI_OK;

  t->n = 0;
  t->failed = 0;
  *via = g->node_ids.keys[run->node];
  ag_text_raw(t, "[");
  step(t, "runs_as", *via, "runs_as", NULL, 0, run->as);
  for (uint32_t k = 1; !rc && k < h->nchain; k++) {
    const char *to = g->node_ids.keys[g->assume[chain[k] >> 1].to];

    rc = assume_step(edge, g, chain[k], t);
    *via = to;
  }
  if (!rc && !a->loaded) {
    rc = ag_edge_detail(edge, a->id, &a->detail);
    a->loaded = 1;
  }
  if (!rc)
    step(t, a->write ? "can_write" : "can_read", g->res_ids.keys[h->res],
         a->detail.first ? a->detail.first : "access", a->detail.actions,
         a->unsure, NULL);
  ag_text_raw(t, "]");
  return rc ? rc : t->failed ? NHI_ERR_NOMEM : NHI_OK;
}
