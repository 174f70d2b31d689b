/* CloudTrail event selectors summarised: which management events a trail
 * logs, and the data resources whose reads it logs. */
#include "aws_selectors.h"

#include "aws_arn.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct summary {
  struct nhi_where *w;
  int mgmt_read, mgmt_write, partial;
  cJSON *scope, *exclusions;
};

/* The fields of one advanced selector that the summary reads. */
struct fields {
  const char *category;
  const cJSON *read_only, *types, *arn;
  int other;
};

/* "AWS::S3::Object" gives "s3", malloc'd; another shape is lowercased
 * whole. NULL when memory runs out. */
static char *service_of(const char *type)
{
  const char *p = strncmp(type, "AWS::", 5) == 0 ? type + 5 : type;
  const char *end = strstr(p, "::");
  size_t n = end ? (size_t)(end - p) : strlen(p);
  char *s = malloc(n + 1);

  if (!s)
    return NULL;
  for (size_t i = 0; i < n; i++)
    s[i] = (char)tolower((unsigned char)p[i]);
  s[n] = '\0';
  return s;
}

/* A value naming a whole service, not a resource: "arn:aws:s3",
 * "arn:aws:s3:::", "arn:aws:lambda". */
static int is_whole_service(const char *value)
{
  struct nhi_aws_arn a;

  if (strncmp(value, "arn:", 4) != 0)
    return 0;
  return !nhi_aws_arn_parse(value, &a) || a.resource[0] == '\0';
}

/* Records that reads of value (NULL: every resource) in svc are logged;
 * "all" absorbs any list. */
static enum nhi_rc scope_add(struct summary *sm, const char *svc,
                             const char *value)
{
  cJSON *cur = cJSON_GetObjectItemCaseSensitive(sm->scope, svc), *all;

  if (cJSON_IsString(cur))
    return NHI_OK;
  if (!value || is_whole_service(value)) {
    all = cJSON_CreateString("all");
    if (!all || (cur ? !cJSON_ReplaceItemInObjectCaseSensitive(sm->scope,
                                                               svc, all)
                     : !cJSON_AddItemToObject(sm->scope, svc, all))) {
      cJSON_Delete(all);
      return nhi_where_oom(sm->w);
    }
    return NHI_OK;
  }
  if (!cur)
    cur = cJSON_AddArrayToObject(sm->scope, svc);
  if (!cur || !nhi_field_add_unique(cur, value))
    return nhi_where_oom(sm->w);
  return NHI_OK;
}

static enum nhi_rc exclusion_add(struct summary *sm, const char *svc,
                                 const char *value)
{
  cJSON *cur = cJSON_GetObjectItemCaseSensitive(sm->exclusions, svc);

  if (!cur)
    cur = cJSON_AddArrayToObject(sm->exclusions, svc);
  if (!cur || !nhi_field_add_unique(cur, value))
    return nhi_where_oom(sm->w);
  return NHI_OK;
}

typedef enum nhi_rc (*add_fn)(struct summary *, const char *,
                              const char *);

/* Runs add on each string of the array at key (absent: none). */
static enum nhi_rc add_each(struct summary *sm, const cJSON *obj,
                            const char *key, const char *svc, add_fn add,
                            int *added)
{
  const cJSON *e;
  cJSON *list;
  enum nhi_rc rc;

  rc = nhi_field_node(sm->w, obj, key, 0, &list);
  cJSON_ArrayForEach(e, (rc ? NULL : list)) {
    if (!cJSON_IsString(e))
      return nhi_where_fail(sm->w, "%s holds a value that is not a "
                            "string", key);
    rc = add(sm, svc, e->valuestring);
    if (rc)
      return rc;
    if (added)
      (*added)++;
  }
  return rc;
}

/* One DataResources entry of a basic selector that logs reads. */
static enum nhi_rc basic_resource(struct summary *sm, const cJSON *dr)
{
  const char *type;
  enum nhi_rc rc;
  char *svc;

  if (!cJSON_IsObject(dr))
    return nhi_where_fail(sm->w, "DataResources holds a value that is "
                          "not an object");
  rc = nhi_field_string(sm->w, dr, "Type", 1, &type);
  if (rc)
    return rc;
  svc = service_of(type);
  if (!svc)
    return nhi_where_oom(sm->w);
  rc = add_each(sm, dr, "Values", svc, scope_add, NULL);
  free(svc);
  return rc;
}

static enum nhi_rc basic_selector(struct summary *sm, const cJSON *sel)
{
  const cJSON *mgmt = nhi_field_get(sel, "IncludeManagementEvents"), *dr;
  const char *rw;
  int reads, writes;
  cJSON *list;
  enum nhi_rc rc;

  rc = nhi_field_string(sm->w, sel, "ReadWriteType", 0, &rw);
  if (!rc)
    rc = nhi_field_node(sm->w, sel, "DataResources", 0, &list);
  if (rc)
    return rc;
  reads = !rw || strcmp(rw, "WriteOnly") != 0;
  writes = !rw || strcmp(rw, "ReadOnly") != 0;
  if (!mgmt || cJSON_IsTrue(mgmt)) {
    sm->mgmt_read |= reads;
    sm->mgmt_write |= writes;
  }
  cJSON_ArrayForEach(dr, (reads ? list : NULL)) {
    rc = basic_resource(sm, dr);
    if (rc)
      return rc;
  }
  return NHI_OK;
}

/* The first string of fsel's Equals list, or NULL. */
static const char *first_equal(const cJSON *fsel)
{
  const cJSON *eq = nhi_field_get(fsel, "Equals");
  const cJSON *first = cJSON_IsArray(eq) ? eq->child : NULL;

  return cJSON_IsString(first) ? first->valuestring : NULL;
}

static enum nhi_rc read_fields(struct summary *sm, const cJSON *sel,
                               struct fields *f)
{
  const cJSON *fsel;
  const char *field;
  cJSON *list;
  enum nhi_rc rc;

  memset(f, 0, sizeof *f);
  rc = nhi_field_node(sm->w, sel, "FieldSelectors", 0, &list);
  cJSON_ArrayForEach(fsel, (rc ? NULL : list)) {
    if (!cJSON_IsObject(fsel))
      return nhi_where_fail(sm->w, "FieldSelectors holds a value that is "
                            "not an object");
    rc = nhi_field_string(sm->w, fsel, "Field", 1, &field);
    if (rc)
      return rc;
    if (strcmp(field, "eventCategory") == 0)
      f->category = first_equal(fsel);
    else if (strcmp(field, "readOnly") == 0)
      f->read_only = nhi_field_get(fsel, "Equals");
    else if (strcmp(field, "resources.type") == 0)
      f->types = nhi_field_get(fsel, "Equals");
    else if (strcmp(field, "resources.ARN") == 0)
      f->arn = fsel;
    else
      f->other = 1;
  }
  return rc;
}

/* The data resources of one advanced selector that logs reads. */
static enum nhi_rc advanced_data(struct summary *sm, const struct fields *f)
{
  const cJSON *type;
  enum nhi_rc rc = NHI_OK;
  int listed = 0;
  char *svc;

  if (f->other || !cJSON_IsArray(f->types) ||
      nhi_field_get(f->arn, "EndsWith") ||
      nhi_field_get(f->arn, "NotEndsWith")) {
    sm->partial = 1;
    return NHI_OK;
  }
  cJSON_ArrayForEach(type, f->types) {
    if (!cJSON_IsString(type))
      return nhi_where_fail(sm->w, "resources.type holds a value that is "
                            "not a string");
    if (!(svc = service_of(type->valuestring)))
      return nhi_where_oom(sm->w);
    listed = 0;
    rc = add_each(sm, f->arn, "Equals", svc, scope_add, &listed);
    if (!rc)
      rc = add_each(sm, f->arn, "StartsWith", svc, scope_add, &listed);
    if (!rc && !listed)
      rc = scope_add(sm, svc, NULL);
    if (!rc)
      rc = add_each(sm, f->arn, "NotEquals", svc, exclusion_add, NULL);
    if (!rc)
      rc = add_each(sm, f->arn, "NotStartsWith", svc, exclusion_add, NULL);
    free(svc);
    if (rc)
      return rc;
  }
  return NHI_OK;
}

static enum nhi_rc advanced_selector(struct summary *sm, const cJSON *sel)
{
  const cJSON *ro;
  struct fields f;
  enum nhi_rc rc;
  int reads = 1, writes = 1;

  rc = read_fields(sm, sel, &f);
  if (rc || !f.category)
    return rc;
  if (cJSON_IsArray(f.read_only) && f.read_only->child) {
    reads = writes = 0;
    cJSON_ArrayForEach(ro, f.read_only) {
      reads |= cJSON_IsString(ro) && strcmp(ro->valuestring, "true") == 0;
      writes |= cJSON_IsString(ro) && strcmp(ro->valuestring, "false") == 0;
    }
  }
  if (strcmp(f.category, "Management") == 0) {
    sm->mgmt_read |= reads;
    sm->mgmt_write |= writes;
  } else if (strcmp(f.category, "Data") == 0 && reads) {
    rc = advanced_data(sm, &f);
  }
  return rc;
}

typedef enum nhi_rc (*selector_fn)(struct summary *, const cJSON *);

static enum nhi_rc each_selector(struct summary *sm, const char *name,
                                 const cJSON *list, selector_fn one)
{
  const cJSON *sel;
  enum nhi_rc rc;

  sm->w->list = name;
  sm->w->index = 0;
  cJSON_ArrayForEach(sel, list) {
    if (!cJSON_IsObject(sel))
      return nhi_where_fail(sm->w, "expected an object");
    rc = one(sm, sel);
    if (rc)
      return rc;
    sm->w->index++;
  }
  sm->w->list = NULL;
  return NHI_OK;
}

static const char *management_word(const struct summary *sm)
{
  if (sm->mgmt_read && sm->mgmt_write)
    return "all";
  if (sm->mgmt_read)
    return "read";
  return sm->mgmt_write ? "write" : "none";
}

enum nhi_rc nhi_aws_selectors_summarize(struct nhi_where *w,
                                        const cJSON *basic,
                                        const cJSON *advanced,
                                        cJSON *attrs)
{
  struct summary sm = { w, 0, 0, 0, NULL, NULL };
  enum nhi_rc rc;

  sm.scope = cJSON_AddObjectToObject(attrs, "data_event_scope");
  sm.exclusions = cJSON_CreateObject();
  if (!sm.scope || !sm.exclusions) {
    cJSON_Delete(sm.exclusions);
    return nhi_where_oom(w);
  }
  rc = each_selector(&sm, "EventSelectors", basic, basic_selector);
  if (!rc)
    rc = each_selector(&sm, "AdvancedEventSelectors", advanced,
                       advanced_selector);
  if (!rc && !cJSON_AddStringToObject(attrs, "management_events",
                                      management_word(&sm)))
    rc = nhi_where_oom(w);
  if (!rc && sm.exclusions->child) {
    if (cJSON_AddItemToObject(attrs, "data_event_exclusions",
                              sm.exclusions))
      sm.exclusions = NULL;
    else
      rc = nhi_where_oom(w);
  }
  if (!rc && sm.partial &&
      !cJSON_AddTrueToObject(attrs, "data_event_scope_partial"))
    rc = nhi_where_oom(w);
  cJSON_Delete(sm.exclusions);
  return rc;
}
