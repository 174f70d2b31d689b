/* AWS policy statements as evidence: grants, trust edges and the data
 * resources they name. */
#include "aws_grants.h"

#include "aws_policy.h"
#include "import_util.h"

#include <stdlib.h>
#include <string.h>

/* The parts of a trust statement every edge it gives shares. */
struct trust_edge {
  const char *role_arn;
  char *actions;
  char *condition;
  char *attrs;
};

/* The next entry of a string-or-array value (the first when prev is
 * NULL); NULL at the end. */
static const cJSON *next_value(const cJSON *v, const cJSON *prev)
{
  if (cJSON_IsString(v))
    return prev ? NULL : v;
  if (!cJSON_IsArray(v))
    return NULL;
  return prev ? prev->next : v->child;
}

/* One grant row for statement st. */
static enum nhi_rc write_grant(struct nhi_store *s,
                               const struct nhi_aws_grant_src *g,
                               const cJSON *st)
{
  const cJSON *act = nhi_field_get(st, "Action");
  const cJSON *res = nhi_field_get(st, "Resource");
  const cJSON *nact = act ? NULL : nhi_field_get(st, "NotAction");
  const cJSON *nres = res ? NULL : nhi_field_get(st, "NotResource");
  const cJSON *cond = nhi_field_get(st, "Condition");
  const cJSON *sid = nhi_field_get(st, "Sid");
  char *actions = nhi_aws_policy_list(act ? act : nact);
  char *resources = nhi_aws_policy_list(res ? res : nres);
  char *condition = cond ? cJSON_PrintUnformatted(cond) : NULL;
  enum nhi_rc rc = NHI_ERR_NOMEM;
  struct nhi_row r;

  if (((act || nact) && !actions) || ((res || nres) && !resources) ||
      (cond && !condition))
    goto out;
  nhi_row_start(&r, NHI_T_GRANT);
  nhi_row_int(&r, "identity_id", g->identity);
  nhi_row_text(&r, "effect", nhi_aws_policy_allows(st) ? "allow" : "deny");
  /* A statement without Action is invalid at AWS; it grants nothing. */
  nhi_row_text(&r, "actions", actions ? actions : "[]");
  nhi_row_int(&r, "not_action", nact != NULL);
  nhi_row_text(&r, "resources", resources ? resources : "[\"*\"]");
  nhi_row_int(&r, "not_resource", nres != NULL);
  nhi_row_text(&r, "condition", condition);
  nhi_row_text(&r, "via", g->via);
  nhi_row_text(&r, "policy", g->policy);
  nhi_row_text(&r, "sid", cJSON_IsString(sid) ? sid->valuestring : NULL);
  rc = nhi_row_put(s, &r, NULL);
out:
  cJSON_free(actions);
  cJSON_free(resources);
  cJSON_free(condition);
  return rc;
}

enum nhi_rc nhi_aws_grants_write(struct nhi_store *s,
                                 const struct nhi_aws_grant_src *g,
                                 const cJSON *doc, long long *count)
{
  enum nhi_rc rc = NHI_OK;

  for (const cJSON *st = nhi_aws_policy_next(doc, NULL); st && !rc;
       st = nhi_aws_policy_next(doc, st)) {
    rc = write_grant(s, g, st);
    if (!rc)
      (*count)++;
  }
  return rc;
}

static enum nhi_rc write_edge(struct nhi_store *s, const struct trust_edge *t,
                              const char *from_type, const char *from_ref,
                              long long *count)
{
  enum nhi_rc rc;
  struct nhi_row r;

  nhi_row_start(&r, NHI_T_EDGE);
  nhi_row_text(&r, "kind", "can_assume");
  nhi_row_text(&r, "from_type", from_type);
  nhi_row_text(&r, "from_ref", from_ref);
  nhi_row_text(&r, "to_type", "identity");
  nhi_row_text(&r, "to_ref", t->role_arn);
  nhi_row_text(&r, "actions", t->actions);
  nhi_row_text(&r, "condition", t->condition);
  nhi_row_text(&r, "attrs", t->attrs);
  rc = nhi_row_put(s, &r, NULL);
  if (!rc)
    (*count)++;
  return rc;
}

/* One edge per entry of one Principal type ("AWS": [...]). */
static enum nhi_rc trust_principals(struct nhi_store *s,
                                    const struct trust_edge *t,
                                    const cJSON *entries, long long *count)
{
  const char *from_type;
  char *from_ref;
  enum nhi_rc rc = NHI_OK;

  for (const cJSON *v = next_value(entries, NULL); v && !rc;
       v = next_value(entries, v)) {
    if (nhi_aws_principal_ref(entries->string, v->valuestring, t->role_arn,
                              &from_type, &from_ref))
      return NHI_ERR_NOMEM;
    if (from_type)
      rc = write_edge(s, t, from_type, from_ref, count);
    free(from_ref);
  }
  return rc;
}

/* The edges' attrs (sid, and how the statement is negated) as JSON text
 * in *out; NULL when there is nothing to say. */
static enum nhi_rc trust_attrs(const cJSON *st, int not_action, char **out)
{
  const cJSON *sid = nhi_field_get(st, "Sid");
  const cJSON *notp = nhi_field_get(st, "NotPrincipal");
  cJSON *attrs;

  *out = NULL;
  if (!sid && !not_action && !notp)
    return NHI_OK;
  attrs = cJSON_CreateObject();
  if (attrs && (!sid || cJSON_AddStringToObject(attrs, "sid",
                                                sid->valuestring)) &&
      (!not_action || cJSON_AddTrueToObject(attrs, "not_action")) &&
      (!notp || cJSON_AddItemToObject(attrs, "not_principal",
                                      cJSON_Duplicate(notp, 1))))
    *out = cJSON_PrintUnformatted(attrs);
  cJSON_Delete(attrs);
  return *out ? NHI_OK : NHI_ERR_NOMEM;
}

/* The edges one Allow statement of a trust policy gives. */
static enum nhi_rc trust_statement(struct nhi_store *s, const char *role_arn,
                                   const cJSON *st, long long *count)
{
  const cJSON *act = nhi_field_get(st, "Action");
  const cJSON *nact = act ? NULL : nhi_field_get(st, "NotAction");
  const cJSON *cond = nhi_field_get(st, "Condition");
  const cJSON *principal = nhi_field_get(st, "Principal");
  struct trust_edge t = { role_arn, NULL, NULL, NULL };
  enum nhi_rc rc = NHI_ERR_NOMEM;

  t.actions = nhi_aws_policy_list(act ? act : nact);
  t.condition = cond ? cJSON_PrintUnformatted(cond) : NULL;
  if (((act || nact) && !t.actions) || (cond && !t.condition))
    goto out;
  rc = trust_attrs(st, nact != NULL, &t.attrs);
  if (rc)
    goto out;
  /* Allow with NotPrincipal trusts everyone but the principals named. */
  if (cJSON_IsString(principal) || nhi_field_get(st, "NotPrincipal"))
    rc = write_edge(s, &t, "any", "*", count);
  else if (principal)
    for (const cJSON *type = principal->child; type && !rc;
         type = type->next)
      rc = trust_principals(s, &t, type, count);
out:
  cJSON_free(t.actions);
  cJSON_free(t.condition);
  cJSON_free(t.attrs);
  return rc;
}

enum nhi_rc nhi_aws_trust_write(struct nhi_store *s, const char *role_arn,
                                const cJSON *doc, long long *count)
{
  enum nhi_rc rc = NHI_OK;

  for (const cJSON *st = nhi_aws_policy_next(doc, NULL); st && !rc;
       st = nhi_aws_policy_next(doc, st))
    if (nhi_aws_policy_allows(st))
      rc = trust_statement(s, role_arn, st, count);
  return rc;
}

/* Appends r to set, taking its strings. */
static enum nhi_rc append_resource(struct nhi_aws_resources *set,
                                   struct nhi_aws_resource *r)
{
  struct nhi_aws_resource *grown;
  size_t cap;

  if (set->n == set->cap) {
    cap = set->cap ? set->cap * 2 : 64;
    grown = realloc(set->items, cap * sizeof *grown);
    if (!grown)
      return NHI_ERR_NOMEM;
    set->items = grown;
    set->cap = cap;
  }
  set->items[set->n++] = *r;
  return NHI_OK;
}

enum nhi_rc nhi_aws_resources_add(struct nhi_aws_resources *set,
                                  const cJSON *doc)
{
  struct nhi_aws_resource r;
  const cJSON *list;

  for (const cJSON *st = nhi_aws_policy_next(doc, NULL); st;
       st = nhi_aws_policy_next(doc, st)) {
    if (!nhi_aws_policy_allows(st))
      continue;
    list = nhi_field_get(st, "Resource");
    for (const cJSON *v = next_value(list, NULL); v;
         v = next_value(list, v)) {
      if (nhi_aws_resource_parse(v->valuestring, &r))
        return NHI_ERR_NOMEM;
      if (r.native_id && append_resource(set, &r)) {
        nhi_aws_resource_free(&r);
        return NHI_ERR_NOMEM;
      }
    }
  }
  return NHI_OK;
}

static int by_native_id(const void *a, const void *b)
{
  return strcmp(((const struct nhi_aws_resource *)a)->native_id,
                ((const struct nhi_aws_resource *)b)->native_id);
}

enum nhi_rc nhi_aws_resources_write(struct nhi_aws_resources *set,
                                    struct nhi_store *s, long long *count)
{
  const struct nhi_aws_resource *x;
  enum nhi_rc rc = NHI_OK;
  struct nhi_row r;

  if (set->n)
    qsort(set->items, set->n, sizeof *set->items, by_native_id);
  for (size_t i = 0; i < set->n && !rc; i++) {
    x = &set->items[i];
    if (i > 0 && strcmp(x->native_id, set->items[i - 1].native_id) == 0)
      continue;
    nhi_row_start(&r, NHI_T_RESOURCE);
    nhi_row_text(&r, "provider", "aws");
    nhi_row_text(&r, "account", x->account);
    nhi_row_text(&r, "native_id", x->native_id);
    nhi_row_text(&r, "type", x->type);
    nhi_row_text(&r, "name", x->name);
    rc = nhi_row_put(s, &r, NULL);
    if (!rc)
      (*count)++;
  }
  return rc;
}

void nhi_aws_resources_free(struct nhi_aws_resources *set)
{
  for (size_t i = 0; i < set->n; i++)
    nhi_aws_resource_free(&set->items[i]);
  free(set->items);
  memset(set, 0, sizeof *set);
}
