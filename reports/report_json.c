/* The JSON report: the report.json tree, built from the evidence store.
 * Order is fixed everywhere so the same evidence gives the same bytes. */
#include "report_json.h"
#include "plugin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Adds column i of the row as a JSON value: NULL as null, integers as
 * exact raw numbers, text as a string, or as raw JSON when json is set. */
static void add_column(cJSON *obj, const char *key, sqlite3_stmt *st, int i,
                       int json)
{
  char num[32];

  switch (sqlite3_column_type(st, i)) {
  case SQLITE_NULL:
    cJSON_AddNullToObject(obj, key);
    break;
  case SQLITE_INTEGER:
    snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(st, i));
    cJSON_AddRawToObject(obj, key, num);
    break;
  case SQLITE_FLOAT:
    cJSON_AddNumberToObject(obj, key, sqlite3_column_double(st, i));
    break;
  default:
    if (json)
      cJSON_AddRawToObject(obj, key, (const char *)sqlite3_column_text(st, i));
    else
      cJSON_AddStringToObject(obj, key,
                              (const char *)sqlite3_column_text(st, i));
  }
}

/* Runs sql and returns an array with one object per row, keyed by the
 * column names; columns named in json_cols hold JSON text. */
static cJSON *query_array(struct nhi_store *s, const char *sql,
                          const char *const *json_cols)
{
  cJSON *arr = cJSON_CreateArray(), *row;
  sqlite3_stmt *st = NULL;
  int rc;

  if (!arr || sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
    nhi_error("evidence store '%s': cannot read for the report: %s",
              s->path, sqlite3_errmsg(s->db));
    cJSON_Delete(arr);
    return NULL;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    row = cJSON_CreateObject();
    cJSON_AddItemToArray(arr, row);
    for (int i = 0; i < sqlite3_column_count(st); i++) {
      const char *name = sqlite3_column_name(st, i);
      int json = 0;

      for (const char *const *j = json_cols; j && *j; j++)
        json |= strcmp(*j, name) == 0;
      add_column(row, name, st, i, json);
    }
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    cJSON_Delete(arr);
    return NULL;
  }
  return arr;
}

static void add_meta(cJSON *obj, struct nhi_store *s, const char *key,
                     int json)
{
  char *v = nhi_store_meta_get(s, key);

  if (!v)
    cJSON_AddNullToObject(obj, key);
  else if (json)
    cJSON_AddRawToObject(obj, key, v);
  else
    cJSON_AddStringToObject(obj, key, v);
  free(v);
}

static const char sources_sql[] =
  "SELECT spec, provider, kind, method, location, sha256, account,"
  " collector, status, error, coalesce(gaps, '[]') AS gaps, collected_at"
  " FROM sources ORDER BY id";

static const char *const sources_json_cols[] = { "gaps", NULL };

static cJSON *assessment(struct nhi_store *s)
{
  cJSON *a = cJSON_CreateObject(), *profile;

  add_meta(a, s, "client", 0);
  add_meta(a, s, "prepared_by", 0);
  add_meta(a, s, "now", 0);
  add_meta(a, s, "lang", 0);
  add_meta(a, s, "framework", 0);
  profile = cJSON_AddObjectToObject(a, "profile");
  add_meta(profile, s, "profile", 0);
  add_meta(profile, s, "overrides", 1);
  add_meta(profile, s, "disabled", 1);
  add_meta(profile, s, "sensitivity", 1);
  add_meta(profile, s, "known_accounts", 1);
  cJSON_AddItemToObject(a, "sources", query_array(s, sources_sql,
                                                  sources_json_cols));
  return a;
}

static cJSON *question(const struct nhi_question_score *q)
{
  cJSON *o = cJSON_CreateObject(), *counts, *missing;

  cJSON_AddStringToObject(o, "id", q->id);
  cJSON_AddStringToObject(o, "answer", q->answer);
  if (q->assessed)
    cJSON_AddNumberToObject(o, "score", q->score);
  else
    cJSON_AddNullToObject(o, "score");
  cJSON_AddNumberToObject(o, "coverage", q->coverage);
  missing = cJSON_AddArrayToObject(o, "missing_evidence");
  for (size_t i = 0; i < q->nmissing; i++)
    cJSON_AddItemToArray(missing, cJSON_CreateString(q->missing[i]));
  counts = cJSON_AddObjectToObject(o, "findings");
  cJSON_AddNumberToObject(counts, "total", (double)q->total);
  for (int i = 0; i < NHI_SEVERITIES; i++)
    cJSON_AddNumberToObject(counts, nhi_severities[i],
                            (double)q->counts[i]);
  cJSON_AddNumberToObject(counts, "indeterminate",
                          (double)q->indeterminate);
  cJSON_AddNumberToObject(o, "checks_run", q->checks_ok);
  cJSON_AddNumberToObject(o, "checks_failed", q->checks_failed);
  return o;
}

static const char by_provider_sql[] =
  "SELECT provider, count(*) AS total, sum(is_human = 0) AS non_human,"
  " sum(is_human) AS human FROM identities GROUP BY provider"
  " ORDER BY provider";
static const char by_kind_sql[] =
  "SELECT kind, count(*) AS total, sum(is_human = 0) AS non_human,"
  " sum(is_human) AS human FROM identities GROUP BY kind ORDER BY kind";

static void add_count(cJSON *o, struct nhi_store *s, const char *key,
                      const char *sql)
{
  cJSON *arr = query_array(s, sql, NULL);
  cJSON *v = cJSON_GetArrayItem(arr, 0);

  cJSON_AddItemToObject(o, key, v && v->child
                                  ? cJSON_Duplicate(v->child, 1)
                                  : cJSON_CreateNumber(0));
  cJSON_Delete(arr);
}

static cJSON *inventory(struct nhi_store *s)
{
  cJSON *o = cJSON_CreateObject();

  add_count(o, s, "identities", "SELECT count(*) FROM identities");
  add_count(o, s, "non_human",
            "SELECT count(*) FROM identities WHERE is_human = 0");
  add_count(o, s, "human",
            "SELECT count(*) FROM identities WHERE is_human = 1");
  cJSON_AddItemToObject(o, "by_provider",
                        query_array(s, by_provider_sql, NULL));
  cJSON_AddItemToObject(o, "by_kind", query_array(s, by_kind_sql, NULL));
  add_count(o, s, "resources", "SELECT count(*) FROM resources");
  add_count(o, s, "sensitive_resources",
            "SELECT count(*) FROM resources WHERE sensitivity IN "
            "('confidential', 'restricted')");
  add_count(o, s, "ai_agents", "SELECT count(*) FROM ai_agents");
  add_count(o, s, "credentials", "SELECT count(*) FROM credentials");
  return o;
}

#define SEVERITY_RANK                                                   \
  "CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1"            \
  " WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END"

static const char findings_sql[] =
  "SELECT printf('F%04d', row_number() OVER (ORDER BY " SEVERITY_RANK
  ", check_id, identity_ref, resource_ref, id)) AS id,"
  " check_id AS \"check\", question, category, owasp, severity, status,"
  " confidence, identity_ref AS identity, resource_ref AS resource, title,"
  " evidence, threshold, remediation, location, secret_type FROM findings"
  " ORDER BY " SEVERITY_RANK ", check_id, identity_ref, resource_ref, id";

/* One row per plugin: a failure outranks success, success a skip. */
static const char plugins_sql[] =
  "SELECT plugin_id AS id, kind, stage, status, error,"
  " finding_count AS findings FROM plugin_runs r"
  " WHERE id = (SELECT id FROM plugin_runs x"
  "   WHERE x.plugin_id = r.plugin_id"
  "   ORDER BY status = 'failed' DESC, status = 'ok' DESC, id DESC"
  "   LIMIT 1)"
  " ORDER BY kind = 'check', plugin_id";

/* Keys only some findings have (a secret's location) are left out of
 * the others rather than given as null. */
static void drop_nulls(cJSON *arr, const char *key)
{
  cJSON *it;

  cJSON_ArrayForEach(it, arr)
    if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(it, key)))
      cJSON_DeleteItemFromObjectCaseSensitive(it, key);
}

static cJSON *score_json(const struct nhi_score *sc)
{
  cJSON *o = cJSON_CreateObject();

  cJSON_AddNumberToObject(o, "overall", sc->overall);
  cJSON_AddStringToObject(o, "grade", sc->grade);
  cJSON_AddNumberToObject(o, "population", (double)sc->population);
  return o;
}

enum nhi_rc nhi_report_build(struct nhi_store *s, const struct nhi_score *sc,
                             cJSON **out)
{
  static const char *const json_cols[] = { "evidence", "threshold",
                                            "location", NULL };
  cJSON *r = cJSON_CreateObject(), *gen, *qs, *findings, *plugins;

  *out = NULL;
  if (!r)
    return NHI_ERR_NOMEM;
  cJSON_AddStringToObject(r, "schema_version", NHI_REPORT_SCHEMA_VERSION);
  gen = cJSON_AddObjectToObject(r, "generator");
  cJSON_AddStringToObject(gen, "name", "nhiscope");
  cJSON_AddStringToObject(gen, "version", NHI_VERSION);
  cJSON_AddItemToObject(r, "assessment", assessment(s));
  cJSON_AddItemToObject(r, "score", score_json(sc));
  qs = cJSON_AddArrayToObject(r, "questions");
  for (int i = 0; i < NHI_QUESTIONS; i++)
    cJSON_AddItemToArray(qs, question(&sc->q[i]));
  cJSON_AddItemToObject(r, "inventory", inventory(s));
  findings = query_array(s, findings_sql, json_cols);
  drop_nulls(findings, "location");
  drop_nulls(findings, "secret_type");
  plugins = query_array(s, plugins_sql, NULL);
  cJSON_AddItemToObject(r, "findings", findings);
  cJSON_AddItemToObject(r, "plugins", plugins);
  if (!findings || !plugins) {
    cJSON_Delete(r);
    return NHI_ERR_DB;
  }
  *out = r;
  return NHI_OK;
}

enum nhi_rc nhi_report_write_text(const char *text, const char *path)
{
  size_t n = strlen(path) + 8;
  char *tmp = malloc(n);
  FILE *f = NULL;
  int ok = 0;

  if (tmp) {
    snprintf(tmp, n, "%s.tmp", path);
    f = fopen(tmp, "w");
  }
  if (f) {
    ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    ok = (fclose(f) == 0) && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok)
      remove(tmp);
  }
  if (!ok)
    nhi_error("cannot write '%s': %s", path,
              tmp ? strerror(errno) : "out of memory");
  free(tmp);
  return ok ? NHI_OK : NHI_ERR_IO;
}
