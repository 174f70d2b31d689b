/* Data access: asking the policy engine about one identity and one
 * store (or a stand-in for many), and writing the edge it answers. */
#include "aws_access_int.h"

#include "aws_match.h"
#include "strutil.h"

#include <stdlib.h>
#include <string.h>

void nhi_access_strings_free(struct strings *s)
{
  for (size_t i = 0; i < s->n; i++)
    free(s->items[i]);
  free(s->items);
  memset(s, 0, sizeof *s);
}

enum nhi_rc nhi_access_strings_add(struct strings *s, const char *text)
{
  char **grown;
  size_t cap;

  if (s->n == s->cap) {
    cap = s->cap ? s->cap * 2 : 8;
    grown = realloc(s->items, cap * sizeof *grown);
    if (!grown)
      return NHI_ERR_NOMEM;
    s->items = grown;
    s->cap = cap;
  }
  s->items[s->n] = strdup(text ? text : "");
  return s->items[s->n++] ? NHI_OK : NHI_ERR_NOMEM;
}

int nhi_access_strings_has(const struct strings *s, const char *text)
{
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->items[i], text) == 0)
      return 1;
  return 0;
}

/* 1 when pattern names some of bucket t's objects, not all of them. */
static int is_object_scope(const struct target *t, const char *pattern)
{
  size_t n = strlen(t->arn);

  return t->ds->object[0] && strncmp(pattern, t->arn, n) == 0 &&
         pattern[n] == '/' && strcmp(pattern + n, t->ds->object) != 0 &&
         !strstr(pattern, "${");
}

int nhi_access_may_cover(const char *p, const struct target *t)
{
  return strcmp(p, "*") == 0 || nhi_aws_arn_match(p, t->data) ||
         is_object_scope(t, p);
}

int nhi_access_may_reach(const struct candidate *c, const struct target *t)
{
  for (size_t i = 0; i < c->patterns.n; i++)
    if (nhi_access_may_cover(c->patterns.items[i], t))
      return 1;
  return 0;
}

/* The resources to ask about: t's data, and for a bucket each object
 * pattern the identity's grants or the bucket policy name. */
static enum nhi_rc scopes_of(const struct target *t,
                             const struct candidate *c, struct strings *out)
{
  enum nhi_rc rc = nhi_access_strings_add(out, t->data);
  const char *p;

  for (size_t i = 0; c && i < c->patterns.n && !rc; i++) {
    p = c->patterns.items[i];
    if (is_object_scope(t, p) && !nhi_access_strings_has(out, p))
      rc = nhi_access_strings_add(out, p);
  }
  for (size_t i = 0; i < t->scopes.n && !rc; i++) {
    p = t->scopes.items[i];
    if (is_object_scope(t, p) && !nhi_access_strings_has(out, p))
      rc = nhi_access_strings_add(out, p);
  }
  return rc;
}

void nhi_access_clear(struct access *a)
{
  cJSON_Delete(a->allowed);
  cJSON_Delete(a->unsure);
  cJSON_Delete(a->objects);
  memset(a, 0, sizeof *a);
}

static enum nhi_rc access_init(struct access *a)
{
  memset(a, 0, sizeof *a);
  a->allowed = cJSON_CreateArray();
  a->unsure = cJSON_CreateArray();
  a->objects = cJSON_CreateArray();
  if (a->allowed && a->unsure && a->objects)
    return NHI_OK;
  nhi_access_clear(a);
  return NHI_ERR_NOMEM;
}

int nhi_access_any(const struct access *a)
{
  return cJSON_GetArraySize(a->allowed) || cJSON_GetArraySize(a->unsure);
}

/* The condition key the engine could not settle, if it named one. */
static const char *unknown_key(const struct nhi_aws_result *r)
{
  for (size_t i = 0; i < r->nreasons; i++)
    if (r->reasons[i].applies == NHI_AWS_UNKNOWN && r->reasons[i].cond_key)
      return r->reasons[i].cond_key;
  return NULL;
}

/* {action, why, condition_key} for an action left indeterminate. */
static enum nhi_rc add_unsure(struct access *a, const char *action,
                              const char *why, const char *key)
{
  cJSON *o = cJSON_CreateObject();

  if (o && cJSON_AddStringToObject(o, "action", action) &&
      cJSON_AddStringToObject(o, "why", why) &&
      (!key || cJSON_AddStringToObject(o, "condition_key", key)) &&
      cJSON_AddItemToArray(a->unsure, o))
    return NHI_OK;
  cJSON_Delete(o);
  return NHI_ERR_NOMEM;
}

/* Records that action is allowed on scope (an object pattern of a
 * bucket, or the store itself). */
static enum nhi_rc add_allowed(struct access *a, const struct target *t,
                               const char *action, const char *scope,
                               const struct nhi_aws_result *r)
{
  const char *object = t->ds->object[0] ? scope + strlen(t->arn) + 1 : NULL;
  int n = cJSON_GetArraySize(a->allowed);
  const cJSON *last = n ? cJSON_GetArrayItem(a->allowed, n - 1) : NULL;

  if (strstr(r->summary, "identity-based"))
    a->by_identity = 1;
  else
    a->by_resource = 1;
  if ((!last || strcmp(last->valuestring, action) != 0) &&
      !cJSON_AddItemToArray(a->allowed, cJSON_CreateString(action)))
    return NHI_ERR_NOMEM;
  /* Every object allowed ("*") says all there is to say. */
  for (const cJSON *o = a->objects->child; object && o; o = o->next)
    if (strcmp(o->valuestring, object) == 0 ||
        strcmp(o->valuestring, "*") == 0)
      return NHI_OK;
  if (object && !cJSON_AddItemToArray(a->objects,
                                      cJSON_CreateString(object)))
    return NHI_ERR_NOMEM;
  return NHI_OK;
}

/* Asks the engine whether arn may do action on each scope. An allow for
 * a key whose policy is not in the evidence stays indeterminate: only
 * AWS's default key policy would make it one. The condition key named
 * is borrowed from the engine's statements. */
static enum nhi_rc judge_action(struct deriver *d, const struct target *t,
                                const char *arn, const char *action,
                                const struct strings *scopes,
                                struct access *a)
{
  static const char no_key_policy[] =
    "the key policy is not in the evidence: IAM policies allow it, and "
    "the default key policy would let them";
  struct nhi_aws_query q = { .principal = arn, .action = action,
                             .stand_in = t->is_stand_in,
                             .stand_in_account = t->account };
  struct nhi_aws_result r;
  const char *why = NULL, *key = NULL;
  enum nhi_rc rc = NHI_OK;
  int allowed = 0;

  for (size_t i = 0; i < scopes->n && !rc; i++) {
    q.resource = scopes->items[i];
    rc = nhi_aws_engine_decide(d->engine, &q, &r);
    d->stats.decisions++;
    if (!rc && r.decision == NHI_AWS_ALLOW && t->default_key_policy) {
      why = why ? why : no_key_policy;
    } else if (!rc && r.decision == NHI_AWS_ALLOW) {
      allowed = 1;
      rc = add_allowed(a, t, action, q.resource, &r);
    } else if (!rc && r.decision == NHI_AWS_INDETERMINATE && !why) {
      why = r.summary;
      key = unknown_key(&r);
    }
    nhi_aws_result_clear(&r);
  }
  if (!rc && !allowed && why)
    rc = add_unsure(a, action, why, key);
  return rc;
}

static enum nhi_rc judge_kind(struct deriver *d, const struct target *t,
                              const char *arn, const char *const *actions,
                              const struct strings *scopes,
                              struct access *a)
{
  enum nhi_rc rc = access_init(a);

  for (size_t i = 0; actions && actions[i] && !rc; i++)
    rc = judge_action(d, t, arn, actions[i], scopes, a);
  return rc;
}

enum nhi_rc nhi_access_judge(struct deriver *d, const struct target *t,
                             const char *arn, const struct candidate *c,
                             struct access *read, struct access *write)
{
  struct strings scopes = { 0 };
  enum nhi_rc rc = scopes_of(t, c, &scopes);

  memset(read, 0, sizeof *read);
  memset(write, 0, sizeof *write);
  d->stats.pairs++;
  if (!rc)
    rc = judge_kind(d, t, arn, t->ds->read, &scopes, read);
  if (!rc)
    rc = judge_kind(d, t, arn, t->ds->write, &scopes, write);
  nhi_access_strings_free(&scopes);
  return rc;
}

/* attrs of an edge: how it was derived, the decision, and what the
 * engine could not settle. */
static cJSON *edge_attrs(const struct target *t, const struct access *a,
                         int allowed)
{
  cJSON *o = cJSON_CreateObject(), *via = cJSON_AddArrayToObject(o, "via");
  int ok = o && via &&
           cJSON_AddStringToObject(o, "derived", NHI_ACCESS_DERIVED) &&
           cJSON_AddStringToObject(o, "decision",
                                   allowed ? "allow" : "indeterminate") &&
           cJSON_AddStringToObject(o, "resource_type", t->ds->type);

  if (ok && a->by_identity)
    ok = cJSON_AddItemToArray(via, cJSON_CreateString("identity"));
  if (ok && a->by_resource)
    ok = cJSON_AddItemToArray(via, cJSON_CreateString("resource"));
  if (ok && cJSON_GetArraySize(a->objects))
    ok = cJSON_AddItemToObject(o, "objects",
                               cJSON_Duplicate(a->objects, 1));
  if (ok && cJSON_GetArraySize(a->unsure))
    ok = cJSON_AddItemToObject(o, "indeterminate",
                               cJSON_Duplicate(a->unsure, 1));
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* The actions of an edge: those allowed, else those left
 * indeterminate. */
static cJSON *edge_actions(const struct access *a, int allowed)
{
  cJSON *list;

  if (allowed)
    return cJSON_Duplicate(a->allowed, 1);
  list = cJSON_CreateArray();
  for (const cJSON *u = a->unsure->child; list && u; u = u->next)
    if (!cJSON_AddItemToArray(list, cJSON_CreateString(
          cJSON_GetObjectItemCaseSensitive(u, "action")->valuestring))) {
      cJSON_Delete(list);
      return NULL;
    }
  return list;
}

/* Queues one edge row; actions and attrs are taken (freed here). */
static enum nhi_rc queue_edge(struct deriver *d, const char *kind,
                              const char *arn, const char *to_type,
                              const char *to_ref, cJSON *actions,
                              cJSON *attrs)
{
  char *actions_text = actions ? cJSON_PrintUnformatted(actions) : NULL;
  char *attrs_text = attrs ? cJSON_PrintUnformatted(attrs) : NULL;
  const char *row[NHI_ACCESS_ROW_COLS] = { kind, arn, to_type, to_ref,
                                           actions_text, attrs_text };
  enum nhi_rc rc = NHI_ERR_NOMEM;

  if (actions_text && attrs_text)
    rc = nhi_access_rows_add(d->out, row);
  cJSON_free(actions_text);
  cJSON_free(attrs_text);
  cJSON_Delete(actions);
  cJSON_Delete(attrs);
  return rc;
}

static void count_edge(struct deriver *d, const char *kind, int allowed)
{
  if (strcmp(kind, "can_read") == 0)
    d->stats.reads++;
  else
    d->stats.writes++;
  d->stats.indeterminate += !allowed;
}

enum nhi_rc nhi_access_write_edge(struct deriver *d, const struct target *t,
                                  const char *arn, const char *kind,
                                  const struct access *a)
{
  int allowed = cJSON_GetArraySize(a->allowed) > 0;
  enum nhi_rc rc;

  rc = queue_edge(d, kind, arn, "resource", t->arn,
                   edge_actions(a, allowed), edge_attrs(t, a, allowed));
  if (!rc)
    count_edge(d, kind, allowed);
  return rc;
}

/* attrs.set of a set edge: which stores it stands for. */
static cJSON *set_attrs(const struct deriver *d, const struct group *g,
                        const struct targets *ts, size_t plain)
{
  cJSON *o = cJSON_CreateObject(), *except;
  int ok = o && cJSON_AddStringToObject(o, "provider", "aws") &&
           cJSON_AddStringToObject(o, "prefix", g->prefix) &&
           (!g->account ||
            cJSON_AddStringToObject(o, "account", g->account)) &&
           cJSON_AddNumberToObject(o, "stores", (double)plain);

  except = ok ? cJSON_AddArrayToObject(o, "except") : NULL;
  for (size_t i = g->first; except && i < g->first + g->n; i++)
    if (ts->items[i].group == g->index &&
        nhi_access_marked(d, &ts->items[i]) &&
        !cJSON_AddItemToArray(except,
                              cJSON_CreateString(ts->items[i].arn)))
      except = NULL;
  if (!except) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

enum nhi_rc nhi_access_write_set(struct deriver *d, const struct group *g,
                                 const struct targets *ts, const char *arn,
                                 const char *kind, const struct access *a,
                                 size_t plain)
{
  int allowed = cJSON_GetArraySize(a->allowed) > 0;
  cJSON *attrs = edge_attrs(&g->stand_in, a, allowed);
  cJSON *set = attrs ? set_attrs(d, g, ts, plain) : NULL;
  char *to_ref = nhi_aprintf("%s*", g->prefix);
  enum nhi_rc rc = NHI_ERR_NOMEM;

  if (set && to_ref && cJSON_AddItemToObject(attrs, "set", set)) {
    set = NULL;
    rc = queue_edge(d, kind, arn, "resource_set", to_ref,
                     edge_actions(a, allowed), attrs);
    attrs = NULL;
  }
  cJSON_Delete(set);
  cJSON_Delete(attrs);
  free(to_ref);
  if (!rc) {
    count_edge(d, kind, allowed);
    d->stats.sets++;
  }
  return rc;
}
