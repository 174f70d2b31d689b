/* report.json's remediation plan: the actions of core/plan.c, each with
 * its sentence from the word catalogue. */
#include "report_plan.h"

#include "pdf_layout.h"
#include "plan.h"
#include "strutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char efforts_sql[] =
  "SELECT DISTINCT check_id, effort FROM findings"
  " WHERE effort IS NOT NULL ORDER BY check_id";

/* { check id: effort } from the store. */
static enum nhi_rc load_efforts(struct nhi_store *s, cJSON **out)
{
  sqlite3_stmt *st = NULL;
  cJSON *map = cJSON_CreateObject();
  int rc = SQLITE_ERROR;

  *out = NULL;
  if (map && sqlite3_prepare_v2(s->db, efforts_sql, -1, &st, NULL) == 0)
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
      cJSON_AddStringToObject(map,
                              (const char *)sqlite3_column_text(st, 0),
                              (const char *)sqlite3_column_text(st, 1));
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    nhi_error("evidence store '%s': cannot read efforts for the "
              "remediation plan: %s", s->path, sqlite3_errmsg(s->db));
    cJSON_Delete(map);
    return NHI_ERR_DB;
  }
  *out = map;
  return NHI_OK;
}

static const char *str_of(const cJSON *obj, const char *key)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The plan's view of report.json's findings; *out is the caller's. */
static struct nhi_plan_finding *plan_findings(const cJSON *findings,
                                              const cJSON *efforts,
                                              size_t *n)
{
  size_t count = (size_t)cJSON_GetArraySize(findings), i = 0;
  struct nhi_plan_finding *v = calloc(count ? count : 1, sizeof *v);
  const cJSON *f;

  *n = 0;
  if (!v)
    return NULL;
  cJSON_ArrayForEach(f, findings) {
    if (i >= count)
      break;
    v[i].id = str_of(f, "id");
    v[i].check = str_of(f, "check");
    v[i].severity = str_of(f, "severity");
    v[i].status = str_of(f, "status");
    v[i].identity = str_of(f, "identity");
    v[i].effort = v[i].check ? str_of(efforts, v[i].check) : NULL;
    i++;
  }
  *n = i;
  return v;
}

/* words[prefix + check + suffix], or NULL. */
static const char *word_for(const cJSON *words, const char *check,
                            const char *suffix)
{
  char *key = nhi_aprintf("action.%s%s", check, suffix);
  const char *w = key ? str_of(words, key) : NULL;

  free(key);
  return w;
}

/* The action's sentence; the caller frees it. */
static char *action_text(const cJSON *words, const struct nhi_plan_action *a)
{
  const char *one = a->nfindings == 1 ? ".one" : "";
  const char *t = word_for(words, a->check, one);
  char num[32];

  if (!t)
    t = word_for(words, a->check, "");
  if (!t)
    t = word_for(words, "generic", one);
  if (!t)
    t = word_for(words, "generic", "");
  snprintf(num, sizeof num, "%zu", a->nfindings);
  return nhi_pdf_subst(t ? t : "{check}", (const char *const[]){
    "count", num, "check", a->check, NULL });
}

static cJSON *strings_array(const char *const *v, size_t n)
{
  cJSON *arr = cJSON_CreateArray();

  for (size_t i = 0; arr && i < n; i++)
    cJSON_AddItemToArray(arr, cJSON_CreateString(v[i]));
  return arr;
}

static cJSON *action_json(const cJSON *words, const struct nhi_plan_action *a,
                          size_t index)
{
  cJSON *o = cJSON_CreateObject();
  char id[32], *text = action_text(words, a);

  if (!o || !text) {
    cJSON_Delete(o);
    free(text);
    return NULL;
  }
  snprintf(id, sizeof id, "R%02zu", index + 1);
  cJSON_AddStringToObject(o, "id", id);
  cJSON_AddStringToObject(o, "action", text);
  cJSON_AddStringToObject(o, "check", a->check);
  cJSON_AddStringToObject(o, "severity", a->severity);
  cJSON_AddNumberToObject(o, "count", (double)a->nfindings);
  cJSON_AddItemToObject(o, "identities",
                        strings_array(a->identities, a->nidentities));
  cJSON_AddItemToObject(o, "findings",
                        strings_array(a->findings, a->nfindings));
  cJSON_AddStringToObject(o, "effort", a->effort);
  cJSON_AddNumberToObject(o, "risk_removed", a->risk_removed);
  cJSON_AddBoolToObject(o, "quick_win", a->quick_win);
  free(text);
  return o;
}

static cJSON *plan_json(const cJSON *words, const struct nhi_plan *plan)
{
  cJSON *arr = cJSON_CreateArray(), *item;

  for (size_t i = 0; arr && i < plan->count; i++) {
    item = action_json(words, &plan->actions[i], i);
    if (!item) {
      cJSON_Delete(arr);
      return NULL;
    }
    cJSON_AddItemToArray(arr, item);
  }
  return arr;
}

/* Puts item under key right after the member named after (else last):
 * the members that followed it move behind item, in their order. */
static void add_after(cJSON *obj, const char *after, const char *key,
                      cJSON *item)
{
  cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, after), *next;

  m = m ? m->next : NULL;
  cJSON_AddItemToObject(obj, key, item);
  for (; m && m != item; m = next) {
    next = m->next;
    cJSON_DetachItemViaPointer(obj, m);
    cJSON_AddItemToArray(obj, m);
  }
}

static enum nhi_rc no_memory(void)
{
  nhi_error("cannot build the remediation plan: out of memory");
  return NHI_ERR_NOMEM;
}

enum nhi_rc nhi_report_add_remediation(cJSON *report, struct nhi_store *s,
                                       const cJSON *words)
{
  const cJSON *findings = cJSON_GetObjectItemCaseSensitive(report,
                                                           "findings");
  struct nhi_plan_finding *v = NULL;
  struct nhi_plan plan = { 0 };
  cJSON *efforts = NULL, *arr = NULL;
  size_t n = 0;
  enum nhi_rc rc = load_efforts(s, &efforts);

  if (!rc && !(v = plan_findings(findings, efforts, &n)))
    rc = no_memory();
  if (!rc)
    rc = nhi_plan_build(v, n, &plan);
  if (!rc && !(arr = plan_json(words, &plan)))
    rc = no_memory();
  if (!rc)
    add_after(report, "findings", "remediation", arr);
  nhi_plan_free(&plan);
  free(v);
  cJSON_Delete(efforts);
  return rc;
}
