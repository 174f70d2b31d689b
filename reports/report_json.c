/* The JSON report: the report.json tree, built from the evidence store.
 * Order is fixed everywhere so the same evidence gives the same bytes. */
#include "report_json.h"
#include "plugin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Column i of the row as a JSON value: NULL as null, integers as exact
 * raw numbers, text as a string, or as raw JSON when json is set. */
static cJSON *column_value(sqlite3_stmt *st, int i, int json)
{
  char num[32];
  const char *text;

  switch (sqlite3_column_type(st, i)) {
  case SQLITE_NULL:
    return cJSON_CreateNull();
  case SQLITE_INTEGER:
    snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(st, i));
    return cJSON_CreateRaw(num);
  case SQLITE_FLOAT:
    return cJSON_CreateNumber(sqlite3_column_double(st, i));
  default:
    text = (const char *)sqlite3_column_text(st, i);
    return json ? cJSON_CreateRaw(text) : cJSON_CreateString(text);
  }
}

/* Appends the current row of st to arr as an object keyed by the
 * column names, or by keys (static strings, one per column, shared by
 * every row instead of copied) when given; columns named in json_cols
 * hold JSON text. */
static void add_row(cJSON *arr, sqlite3_stmt *st,
                    const char *const *json_cols, const char *const *keys)
{
  cJSON *row = cJSON_CreateObject();

  cJSON_AddItemToArray(arr, row);
  for (int i = 0; row && i < sqlite3_column_count(st); i++) {
    const char *name = sqlite3_column_name(st, i);
    int json = 0;

    for (const char *const *j = json_cols; j && *j; j++)
      json |= strcmp(*j, name) == 0;
    if (keys)
      cJSON_AddItemToObjectCS(row, keys[i], column_value(st, i, json));
    else
      cJSON_AddItemToObject(row, name, column_value(st, i, json));
  }
}

static sqlite3_stmt *prepare(struct nhi_store *s, const char *sql)
{
  sqlite3_stmt *st = NULL;

  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK)
    return st;
  nhi_error("evidence store '%s': cannot read for the report: %s",
            s->path, sqlite3_errmsg(s->db));
  sqlite3_finalize(st);
  return NULL;
}

/* Runs sql and returns an array with one object per row, keyed by the
 * column names; columns named in json_cols hold JSON text. */
static cJSON *query_array(struct nhi_store *s, const char *sql,
                          const char *const *json_cols)
{
  cJSON *arr = cJSON_CreateArray();
  sqlite3_stmt *st = arr ? prepare(s, sql) : NULL;
  int rc;

  if (!st) {
    cJSON_Delete(arr);
    return NULL;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    add_row(arr, st, json_cols, NULL);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    cJSON_Delete(arr);
    return NULL;
  }
  return arr;
}

/* The store's meta value of key as obj.name: JSON text as is when json
 * is set, else a string; null when the store has none. */
static void add_meta_as(cJSON *obj, struct nhi_store *s, const char *key,
                        const char *name, int json)
{
  char *v = nhi_store_meta_get(s, key);

  if (!v)
    cJSON_AddNullToObject(obj, name);
  else if (json)
    cJSON_AddRawToObject(obj, name, v);
  else
    cJSON_AddStringToObject(obj, name, v);
  free(v);
}

static void add_meta(cJSON *obj, struct nhi_store *s, const char *key,
                     int json)
{
  add_meta_as(obj, s, key, key, json);
}

static const char sources_sql[] =
  "SELECT spec, provider, kind, method, location, sha256, account,"
  " collector, status, error, coalesce(gaps, '[]') AS gaps, collected_at"
  " FROM sources ORDER BY id";

static const char *const sources_json_cols[] = { "gaps", NULL };

static cJSON *assessment(struct nhi_store *s)
{
  cJSON *a = cJSON_CreateObject(), *profile, *branding;

  add_meta(a, s, "client", 0);
  add_meta(a, s, "prepared_by", 0);
  add_meta(a, s, "now", 0);
  add_meta(a, s, "lang", 0);
  add_meta(a, s, "framework", 0);
  branding = cJSON_AddObjectToObject(a, "branding");
  add_meta(branding, s, "company", 0);
  add_meta(branding, s, "logo", 0);
  add_meta_as(branding, s, "brand_colours", "colours", 1);
  profile = cJSON_AddObjectToObject(a, "profile");
  add_meta(profile, s, "profile", 0);
  add_meta(profile, s, "overrides", 1);
  add_meta(profile, s, "disabled", 1);
  add_meta(profile, s, "sensitivity", 1);
  add_meta(profile, s, "known_accounts", 1);
  add_meta(profile, s, "sensitivity_tags", 1);
  add_meta(profile, s, "max_hops", 1);
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

/* The findings' order: sorting their ids alone, then reading each row,
 * keeps SQLite from spilling whole rows to a temporary file. */
static const char findings_order_sql[] =
  "SELECT id FROM findings"
  " ORDER BY " SEVERITY_RANK ", check_id, identity_ref, resource_ref, id";

static const char finding_sql[] =
  "SELECT printf('F%04d', ?1) AS id,"
  " check_id AS \"check\", question, category, owasp, severity, status,"
  " confidence, identity_ref AS identity, resource_ref AS resource, title,"
  " evidence, threshold, remediation, location, secret_type FROM findings"
  " WHERE id = ?2";

/* finding_sql's column names, as keys every finding shares. */
static const char *const finding_keys[] = {
  "id", "check", "question", "category", "owasp", "severity", "status",
  "confidence", "identity", "resource", "title", "evidence", "threshold",
  "remediation", "location", "secret_type"
};

#define N_FINDING_KEYS (sizeof finding_keys / sizeof *finding_keys)

/* Appends each finding, in report order, to arr. Returns 0 on a store
 * error (logged). */
static int add_findings(struct nhi_store *s, cJSON *arr,
                        const char *const *json_cols)
{
  sqlite3_stmt *order = prepare(s, findings_order_sql);
  sqlite3_stmt *one = order ? prepare(s, finding_sql) : NULL;
  long long n = 0;
  int rc = one ? SQLITE_ROW : SQLITE_ERROR, got;
  const char *const *keys = one && sqlite3_column_count(one) ==
                                   (int)N_FINDING_KEYS ? finding_keys
                                                       : NULL;

  while (one && (rc = sqlite3_step(order)) == SQLITE_ROW) {
    sqlite3_bind_int64(one, 1, ++n);
    sqlite3_bind_int64(one, 2, sqlite3_column_int64(order, 0));
    got = sqlite3_step(one);
    if (got == SQLITE_ROW)
      add_row(arr, one, json_cols, keys);
    sqlite3_reset(one);
    if (got != SQLITE_ROW) {
      rc = got;
      break;
    }
  }
  if (rc != SQLITE_DONE && one)
    nhi_error("evidence store '%s': cannot read the findings: %s", s->path,
              sqlite3_errmsg(s->db));
  sqlite3_finalize(one);
  sqlite3_finalize(order);
  return rc == SQLITE_DONE;
}

static cJSON *findings_array(struct nhi_store *s,
                             const char *const *json_cols)
{
  cJSON *arr = cJSON_CreateArray();

  if (arr && add_findings(s, arr, json_cols))
    return arr;
  cJSON_Delete(arr);
  return NULL;
}

/* One row per plugin: a failure outranks success, success a skip. */
static const char ai_agents_sql[] =
  "SELECT a.native_id AS id, a.platform, a.name, coalesce(i.native_id,"
  " (SELECT min(e.to_ref) FROM edges e WHERE e.kind = 'runs_as'"
  " AND e.from_type = 'ai_agent' AND e.from_ref = a.native_id))"
  " AS identity, a.model, CASE WHEN json_valid(a.data_sources)"
  " THEN a.data_sources ELSE '[]' END AS data_sources"
  " FROM ai_agents a LEFT JOIN identities i ON i.id = a.identity_id"
  " ORDER BY a.native_id, a.platform";

static const char ai_paths_sql[] =
  "SELECT agent, resource, resource_type, access, sensitivity,"
  " sensitivity_source, sensitivity_confidence, identity, via_identity,"
  " hops, decision, steps, trace, trace_count AS count, first_seen,"
  " last_seen, logging FROM paths ORDER BY agent, resource, access";

/* The AI part: the agents, and their paths to sensitive data. */
static cJSON *ai_json(struct nhi_store *s)
{
  static const char *const agent_json[] = { "data_sources", NULL };
  static const char *const path_json[] = { "steps", NULL };
  cJSON *o = cJSON_CreateObject();
  cJSON *agents = query_array(s, ai_agents_sql, agent_json);
  cJSON *paths = query_array(s, ai_paths_sql, path_json);

  if (!o || !agents || !paths) {
    cJSON_Delete(o);
    cJSON_Delete(agents);
    cJSON_Delete(paths);
    return NULL;
  }
  cJSON_AddItemToObject(o, "agents", agents);
  cJSON_AddItemToObject(o, "paths", paths);
  return o;
}

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
  cJSON *r = cJSON_CreateObject(), *gen, *qs, *findings, *plugins, *ai;

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
  ai = ai_json(s);
  cJSON_AddItemToObject(r, "ai", ai);
  findings = findings_array(s, json_cols);
  drop_nulls(findings, "location");
  drop_nulls(findings, "secret_type");
  plugins = query_array(s, plugins_sql, NULL);
  cJSON_AddItemToObject(r, "findings", findings);
  cJSON_AddItemToObject(r, "plugins", plugins);
  if (!findings || !plugins || !ai) {
    cJSON_Delete(r);
    return NHI_ERR_DB;
  }
  *out = r;
  return NHI_OK;
}

/* Writes path whole or not at all: put(f, arg) writes a temporary file
 * beside it, which then replaces it. put returns 0 on a write error. */
static enum nhi_rc write_replacing(const char *path,
                                   int (*put)(FILE *, const void *),
                                   const void *arg)
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
    ok = put(f, arg);
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

static int put_text(FILE *f, const void *text)
{
  return fputs(text, f) >= 0 && fputc('\n', f) != EOF;
}

enum nhi_rc nhi_report_write_text(const char *text, const char *path)
{
  return write_replacing(path, put_text, text);
}

/* Writes text as printed at depth: a tab after each line break (in
 * cJSON's formatted output every line break is structural: strings
 * carry theirs escaped). Returns 0 on a write error. */
static int put_indented(FILE *f, const char *text, int depth)
{
  const char *nl;

  while ((nl = strchr(text, '\n')) != NULL) {
    if (fwrite(text, 1, (size_t)(nl - text) + 1, f) != (size_t)(nl - text)
        + 1)
      return 0;
    for (int i = 0; i < depth; i++)
      if (fputc('\t', f) == EOF)
        return 0;
    text = nl + 1;
  }
  return fputs(text, f) >= 0;
}

static int put_value(FILE *f, const cJSON *v, int depth)
{
  char *text = cJSON_Print(v);
  int ok = text && put_indented(f, text, depth);

  free(text);
  return ok;
}

/* A top-level array, one element printed at a time. */
static int put_array(FILE *f, const cJSON *arr)
{
  const cJSON *e;
  int ok = fputc('[', f) != EOF;

  cJSON_ArrayForEach(e, arr) {
    if (!ok)
      break;
    ok = put_value(f, e, 2) && (!e->next || fputs(", ", f) >= 0);
  }
  return ok && fputc(']', f) != EOF;
}

/* The tree as cJSON_Print would write it, member by member, so that a
 * large report is never held as one string as well as a tree. */
static int put_report(FILE *f, const cJSON *tree)
{
  const cJSON *m;
  char *key;
  int ok = fputs("{\n", f) >= 0;

  cJSON_ArrayForEach(m, tree) {
    key = ok ? cJSON_PrintUnformatted(&(cJSON){ .type = cJSON_String,
                                                .valuestring = m->string })
             : NULL;
    ok = key && fprintf(f, "\t%s:\t", key) >= 0;
    free(key);
    if (ok)
      ok = cJSON_IsArray(m) ? put_array(f, m) : put_value(f, m, 1);
    ok = ok && fputs(m->next ? ",\n" : "\n", f) >= 0;
  }
  return ok && fputs("}\n", f) >= 0;
}

static int put_tree(FILE *f, const void *tree)
{
  return cJSON_IsObject(tree) && put_report(f, tree);
}

enum nhi_rc nhi_report_write_tree(const cJSON *tree, const char *path)
{
  return write_replacing(path, put_tree, tree);
}

/* Replaces raw item v of parent by its parsed value, under its key. */
static int settle_raw(cJSON *parent, cJSON *v)
{
  cJSON *parsed = cJSON_Parse(v->valuestring);

  if (!parsed)
    return 0;
  if (v->string && !(parsed->string = strdup(v->string))) {
    cJSON_Delete(parsed);
    return 0;
  }
  if (!cJSON_ReplaceItemViaPointer(parent, v, parsed)) {
    cJSON_Delete(parsed);
    return 0;
  }
  return 1;
}

static int is_kept_raw(const cJSON *v)
{
  return v->string && (!strcmp(v->string, "evidence") ||
                       !strcmp(v->string, "threshold"));
}

/* Where in the report a node is, for what stays raw. */
enum settle_at { AT_TOP, AT_PLAIN, AT_FINDINGS, AT_FINDING };

static enum settle_at child_at(enum settle_at at, const cJSON *v)
{
  if (at == AT_TOP && cJSON_IsArray(v) && !strcmp(v->string, "findings"))
    return AT_FINDINGS;
  return at == AT_FINDINGS ? AT_FINDING : AT_PLAIN;
}

static int settle_in(cJSON *node, enum settle_at at)
{
  cJSON *v = node->child, *next;

  for (; v; v = next) {
    next = v->next;
    if (cJSON_IsRaw(v) && !(at == AT_FINDING && is_kept_raw(v))) {
      if (!settle_raw(node, v))
        return 0;
    } else if ((cJSON_IsObject(v) || cJSON_IsArray(v)) &&
               !settle_in(v, child_at(at, v))) {
      return 0;
    }
  }
  return 1;
}

enum nhi_rc nhi_report_settle(cJSON *tree)
{
  if (settle_in(tree, AT_TOP))
    return NHI_OK;
  nhi_error("cannot finish the report: out of memory or a malformed "
            "value in the store");
  return NHI_ERR_NOMEM;
}

const cJSON *nhi_report_value(const cJSON *obj, const char *key,
                              cJSON **owned)
{
  const cJSON *v = cJSON_IsObject(obj)
                     ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;

  *owned = NULL;
  if (!cJSON_IsRaw(v) || !v->valuestring)
    return v;
  *owned = cJSON_Parse(v->valuestring);
  return *owned;
}
