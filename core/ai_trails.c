/* Whether CloudTrail records reads of a data resource, from the trails
 * the aws:trails source recorded (their data_event_scope, as
 * core/aws_selectors.c summarises the selectors); the same judgement
 * as plugins/lib/cloudtrail.lua's reads_logged. */
#include "ai_graph.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

struct trail {
  char *name;
  cJSON *attrs;
};

struct ag_trails {
  struct trail *list;
  size_t n;
  int known;                  /* a trail or the account row collected */
};

static const char trails_sql[] =
  "SELECT coalesce(name, native_id), attrs, type FROM resources"
  " WHERE provider = 'aws'"
  " AND type IN ('cloudtrail-trail', 'cloudtrail-account')"
  " ORDER BY native_id";

static enum nhi_rc add_trail(struct ag_trails *t, sqlite3_stmt *st)
{
  const char *attrs = (const char *)sqlite3_column_text(st, 1);
  struct trail *list = realloc(t->list, (t->n + 1) * sizeof *list);

  if (!list)
    return NHI_ERR_NOMEM;
  t->list = list;
  list[t->n].name = strdup((const char *)sqlite3_column_text(st, 0));
  list[t->n].attrs = cJSON_Parse(attrs ? attrs : "{}");
  if (!list[t->n].attrs)
    list[t->n].attrs = cJSON_CreateObject();
  if (!list[t->n].name || !list[t->n].attrs) {
    free(list[t->n].name);
    cJSON_Delete(list[t->n].attrs);
    return NHI_ERR_NOMEM;
  }
  t->n++;
  return NHI_OK;
}

enum nhi_rc ag_trails_load(struct nhi_store *store, struct ag_trails **out)
{
  struct ag_trails *t = calloc(1, sizeof *t);
  sqlite3_stmt *st = NULL;
  enum nhi_rc rc = t ? NHI_OK : NHI_ERR_NOMEM;
  int step = SQLITE_DONE;

  if (!rc && sqlite3_prepare_v2(store->db, trails_sql, -1, &st, NULL))
    rc = NHI_ERR_DB;
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    t->known = 1;
    if (strcmp((const char *)sqlite3_column_text(st, 2),
               "cloudtrail-trail") == 0)
      rc = add_trail(t, st);
  }
  sqlite3_finalize(st);
  if (!rc && step != SQLITE_DONE)
    rc = NHI_ERR_DB;
  if (rc == NHI_ERR_DB)
    nhi_error("ai paths: cannot read the trails: %s",
              sqlite3_errmsg(store->db));
  if (rc) {
    ag_trails_free(t);
    t = NULL;
  }
  *out = t;
  return rc;
}

void ag_trails_free(struct ag_trails *t)
{
  if (!t)
    return;
  for (size_t i = 0; i < t->n; i++) {
    free(t->list[i].name);
    cJSON_Delete(t->list[i].attrs);
  }
  free(t->list);
  free(t);
}

static int starts(const char *s, const char *prefix)
{
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* How one trail's scope for service covers target: 2 all, 1 part, 0. */
static int covers(const cJSON *attrs, const char *service,
                  const char *target)
{
  const cJSON *scope = cJSON_GetObjectItemCaseSensitive(
    cJSON_GetObjectItemCaseSensitive(attrs, "data_event_scope"), service);
  const cJSON *excl = cJSON_GetObjectItemCaseSensitive(
    cJSON_GetObjectItemCaseSensitive(attrs, "data_event_exclusions"),
    service);
  const cJSON *p, *list = cJSON_IsArray(scope) ? scope : NULL;
  int how = 0;

  if (cJSON_IsString(scope) && strcmp(scope->valuestring, "all") == 0)
    how = 2;
  cJSON_ArrayForEach(p, list) {
    if (!cJSON_IsString(p))
      continue;
    if (starts(target, p->valuestring))
      how = 2;
    else if (!how && starts(p->valuestring, target))
      how = 1;
  }
  list = how && cJSON_IsArray(excl) ? excl : NULL;
  cJSON_ArrayForEach(p, list) {
    if (!cJSON_IsString(p))
      continue;
    if (starts(target, p->valuestring))
      return 0;
    if (starts(p->valuestring, target))
      how = 1;
  }
  return how;
}

static int is_logging(const cJSON *attrs)
{
  return !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(attrs,
                                                         "is_logging"));
}

/* "arn:P:SERVICE:..." gives SERVICE into buf; 0 when not an ARN. */
static int service_of(const char *arn, char *buf, size_t size)
{
  const char *a, *b;

  if (strncmp(arn, "arn:", 4) || !(a = strchr(arn + 4, ':')) ||
      !(b = strchr(a + 1, ':')) || (size_t)(b - a - 1) >= size ||
      b == a + 1)
    return 0;
  memcpy(buf, a + 1, (size_t)(b - a - 1));
  buf[b - a - 1] = '\0';
  return 1;
}

/* What data events name for arn: a bucket's reads are its objects'. */
static char *target_of(const char *arn)
{
  size_t n = strlen(arn);
  char *t = malloc(n + 2);

  if (!t)
    return NULL;
  memcpy(t, arn, n + 1);
  if (starts(arn, "arn:") && strstr(arn, ":s3:::") && !strchr(arn, '/')) {
    t[n] = '/';
    t[n + 1] = '\0';
  }
  return t;
}

static void note(cJSON **list, const char *name)
{
  if (!*list)
    *list = cJSON_CreateArray();
  if (*list)
    cJSON_AddItemToArray(*list, cJSON_CreateString(name));
}

enum ag_logging ag_trails_logging(const struct ag_trails *t,
                                  const char *arn, char **by)
{
  char service[64], *target;
  cJSON *full = NULL, *part = NULL;
  int unknown = 0;
  enum ag_logging l;

  if (by)
    *by = NULL;
  if (!t->known || !service_of(arn, service, sizeof service) ||
      !(target = target_of(arn)))
    return AG_UNKNOWN;
  for (size_t i = 0; i < t->n; i++) {
    const cJSON *a = t->list[i].attrs;
    int how;

    if (!is_logging(a))
      continue;
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a,
                                                       "selectors_known"))) {
      unknown = 1;
      continue;
    }
    how = covers(a, service, target);
    if (how)
      note(how == 2 ? &full : &part, t->list[i].name);
  }
  free(target);
  l = full ? AG_LOGGED : part ? AG_PARTIAL
           : unknown ? AG_UNKNOWN : AG_NOT_LOGGED;
  if (by && (full || part))
    *by = cJSON_PrintUnformatted(full ? full : part);
  cJSON_Delete(full);
  cJSON_Delete(part);
  return l;
}

const char *ag_logging_name(enum ag_logging l)
{
  static const char *const names[] = { "logged", "partial", "not-logged",
                                       "unknown" };

  return names[l];
}
