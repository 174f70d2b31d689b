/* report.sarif: one SARIF 2.1.0 run. Rules are the checks that ran,
 * results the findings; a finding with a file location (a secret in a
 * repository) points at the file and line, others name the identity. */
#include "report_sarif.h"
#include "report_json.h"
#include "strutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

static const char *string_of(const cJSON *obj, const char *name)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* critical and high are errors, medium a warning, the rest notes. */
static const char *level_of(const char *severity)
{
  if (!severity)
    return "note";
  if (!strcmp(severity, "critical") || !strcmp(severity, "high"))
    return "error";
  return strcmp(severity, "medium") ? "note" : "warning";
}

/* Index of s among the strings of arr, or -1. */
static int index_of(const cJSON *arr, const char *s)
{
  const cJSON *v;
  int i = 0;

  cJSON_ArrayForEach(v, arr) {
    if (cJSON_IsString(v) && !strcmp(v->valuestring, s))
      return i;
    i++;
  }
  return -1;
}

static int ran(const cJSON *plugin)
{
  const char *kind = string_of(plugin, "kind");
  const char *status = string_of(plugin, "status");

  return kind && !strcmp(kind, "check") && status &&
         strcmp(status, "skipped") != 0;
}

/* The ids of the checks that ran (not skipped), then of any check with
 * findings not among them. NULL when out of memory. */
static cJSON *rule_ids(const cJSON *report)
{
  const cJSON *p, *f;
  cJSON *ids = cJSON_CreateArray();
  const char *id;
  int ok = ids != NULL;

  cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(report,
                                                         "plugins")) {
    id = string_of(p, "id");
    if (ok && id && ran(p) && index_of(ids, id) < 0)
      ok = cJSON_AddItemToArray(ids, cJSON_CreateString(id));
  }
  cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(report,
                                                         "findings")) {
    id = string_of(f, "check");
    if (ok && id && index_of(ids, id) < 0)
      ok = cJSON_AddItemToArray(ids, cJSON_CreateString(id));
  }
  if (!ok)
    cJSON_Delete(ids);
  return ok ? ids : NULL;
}

static const cJSON *first_finding(const cJSON *report, const char *check)
{
  const cJSON *f;

  cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(report,
                                                         "findings")) {
    const char *c = string_of(f, "check");

    if (c && !strcmp(c, check))
      return f;
  }
  return NULL;
}

/* A param's value as the title shows it (Lua's tostring of it). */
static char *param_text(const cJSON *v)
{
  if (cJSON_IsString(v))
    return nhi_aprintf("%s", v->valuestring);
  if (cJSON_IsBool(v))
    return nhi_aprintf("%s", cJSON_IsTrue(v) ? "true" : "false");
  if (cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble)
    return nhi_aprintf("%lld", (long long)v->valuedouble);
  if (cJSON_IsNumber(v))
    return nhi_aprintf("%.14g", v->valuedouble);
  return NULL;
}

/* The title with each {name} replaced by the param's value; unknown
 * names stay as written. NULL when out of memory. */
static char *fill_title(const char *title, const cJSON *params)
{
  char *out = nhi_aprintf("%s", title), *next, *value, *name;
  const char *open, *close;
  size_t done = 0;

  while (out && (open = strchr(out + done, '{')) &&
         (close = strchr(open, '}'))) {
    name = nhi_aprintf("%.*s", (int)(close - open - 1), open + 1);
    value = name ? param_text(cJSON_GetObjectItemCaseSensitive(params,
                                                               name))
                 : NULL;
    next = value ? nhi_aprintf("%.*s%s%s", (int)(open - out), out, value,
                               close + 1) : NULL;
    done = next ? (size_t)(open - out) + strlen(value)
                : (size_t)(close - out) + 1;
    if (next) {
      free(out);
      out = next;
    }
    free(name);
    free(value);
  }
  return out;
}

/* The check's params: its defaults, with the assessment's overrides. */
static cJSON *params_of(const struct nhi_plugin *p, const cJSON *report)
{
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(report, "assessment");
  const cJSON *prof = cJSON_GetObjectItemCaseSensitive(a, "profile");
  const cJSON *all = cJSON_GetObjectItemCaseSensitive(prof, "overrides");
  const cJSON *over = cJSON_GetObjectItemCaseSensitive(all, p->id), *v;
  cJSON *params = cJSON_Parse(p->params_json ? p->params_json : "{}");

  cJSON_ArrayForEach(v, over) {
    if (!params || !v->string)
      break;
    cJSON_DeleteItemFromObjectCaseSensitive(params, v->string);
    cJSON_AddItemToObject(params, v->string, cJSON_Duplicate(v, 1));
  }
  return params;
}

/* Adds {"text": text} as key; a NULL text adds nothing. */
static int add_message(cJSON *obj, const char *key, const char *text)
{
  cJSON *m;

  if (!text)
    return 1;
  m = cJSON_AddObjectToObject(obj, key);
  return m && cJSON_AddStringToObject(m, "text", text);
}

static int add_string(cJSON *obj, const char *key, const char *s)
{
  return !s || cJSON_AddStringToObject(obj, key, s);
}

/* What a rule says, from the plugin or else from a finding of it. */
struct rule_text {
  const char *title, *description, *remediation, *severity;
  const char *category, *owasp, *question;
};

static void rule_text_of(const struct nhi_plugin *p, const cJSON *f,
                         struct rule_text *t)
{
  if (p) {
    *t = (struct rule_text){ p->title, p->description, p->remediation,
                             p->severity, p->category, p->owasp,
                             p->question };
    return;
  }
  *t = (struct rule_text){
    string_of(f, "title"), NULL, string_of(f, "remediation"),
    string_of(f, "severity"), string_of(f, "category"),
    string_of(f, "owasp"), string_of(f, "question")
  };
}

static cJSON *rule(const char *id, const struct nhi_plugin *p,
                   const cJSON *report)
{
  struct rule_text t;
  cJSON *r = cJSON_CreateObject(), *params = p ? params_of(p, report) : NULL;
  cJSON *conf, *props;
  char *title;
  int ok;

  rule_text_of(p, first_finding(report, id), &t);
  title = t.title && p ? fill_title(t.title, params)
                       : nhi_aprintf("%s", t.title ? t.title : id);
  ok = r && title && cJSON_AddStringToObject(r, "id", id) &&
       add_message(r, "shortDescription", title) &&
       add_message(r, "fullDescription",
                   t.description ? t.description : title) &&
       add_message(r, "help", t.remediation) &&
       (conf = cJSON_AddObjectToObject(r, "defaultConfiguration")) &&
       cJSON_AddStringToObject(conf, "level", level_of(t.severity)) &&
       (props = cJSON_AddObjectToObject(r, "properties")) &&
       add_string(props, "category", t.category) &&
       add_string(props, "owasp", t.owasp) &&
       add_string(props, "question", t.question);
  free(title);
  cJSON_Delete(params);
  if (!ok)
    cJSON_Delete(r);
  return ok ? r : NULL;
}

/* A file path as a URI: absolute paths as file:// URIs; bytes other
 * than unreserved ones and '/' percent-encoded. */
static char *path_uri(const char *path)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t n = strlen(path);
  char *uri = malloc(n * 3 + 8), *o = uri;

  if (!uri)
    return NULL;
  if (path[0] == '/')
    o += sprintf(o, "file://");
  for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
    if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
        (*c >= '0' && *c <= '9') || strchr("-._~/", *c)) {
      *o++ = (char)*c;
    } else {
      *o++ = '%';
      *o++ = hex[*c >> 4];
      *o++ = hex[*c & 15];
    }
  }
  *o = '\0';
  return uri;
}

/* evidence.location.path, or NULL; ev is the finding's evidence. */
static const char *file_path(const cJSON *ev)
{
  return string_of(cJSON_GetObjectItemCaseSensitive(ev, "location"),
                   "path");
}

/* A physical location from evidence.location {path, line}. */
static int add_file_location(cJSON *loc, const cJSON *ev)
{
  const cJSON *at = cJSON_GetObjectItemCaseSensitive(ev, "location");
  const cJSON *line = cJSON_GetObjectItemCaseSensitive(at, "line");
  char *uri = path_uri(file_path(ev));
  cJSON *phys, *art, *region;
  int ok;

  ok = uri && (phys = cJSON_AddObjectToObject(loc, "physicalLocation")) &&
       (art = cJSON_AddObjectToObject(phys, "artifactLocation")) &&
       cJSON_AddStringToObject(art, "uri", uri);
  if (ok && cJSON_IsNumber(line) && line->valuedouble >= 1)
    ok = (region = cJSON_AddObjectToObject(phys, "region")) &&
         cJSON_AddNumberToObject(region, "startLine",
                                 (double)(long long)line->valuedouble);
  free(uri);
  return ok;
}

/* The finding's place: its file and line, else its identity (or
 * resource) as a logical location. 0 when out of memory. */
static int add_locations_with(cJSON *result, const cJSON *f,
                              const cJSON *ev)
{
  const char *name = string_of(f, "identity");
  cJSON *locs, *loc, *logical, *one;

  if (!name)
    name = string_of(f, "resource");
  if (!name && !file_path(ev))
    return 1;
  if (!(locs = cJSON_AddArrayToObject(result, "locations")) ||
      !(loc = cJSON_CreateObject()) || !cJSON_AddItemToArray(locs, loc))
    return 0;
  if (file_path(ev))
    return add_file_location(loc, ev);
  return (logical = cJSON_AddArrayToObject(loc, "logicalLocations")) &&
         (one = cJSON_CreateObject()) &&
         cJSON_AddItemToArray(logical, one) &&
         cJSON_AddStringToObject(one, "fullyQualifiedName", name) &&
         cJSON_AddStringToObject(one, "kind", "resource");
}

/* The finding's evidence may still be raw text (nhi_report_settle). */
static int add_locations(cJSON *result, const cJSON *f)
{
  cJSON *owned;
  const cJSON *ev = nhi_report_value(f, "evidence", &owned);
  int ok = add_locations_with(result, f, ev);

  cJSON_Delete(owned);
  return ok;
}

/* The finding's own fields a SARIF viewer has no place for. */
static int add_properties(cJSON *result, const cJSON *f)
{
  static const char *const keys[] = {
    "id", "severity", "status", "confidence", "identity", "resource",
    "category", "owasp", "question", NULL
  };
  cJSON *props = cJSON_AddObjectToObject(result, "properties");

  for (size_t i = 0; props && keys[i]; i++)
    if (!add_string(props, keys[i], string_of(f, keys[i])))
      return 0;
  return props != NULL;
}

static cJSON *result(const cJSON *f, const cJSON *ids)
{
  const char *check = string_of(f, "check");
  cJSON *r = cJSON_CreateObject();
  int ok;

  ok = r && check && cJSON_AddStringToObject(r, "ruleId", check) &&
       cJSON_AddNumberToObject(r, "ruleIndex", index_of(ids, check)) &&
       cJSON_AddStringToObject(r, "level",
                               level_of(string_of(f, "severity"))) &&
       add_message(r, "message", string_of(f, "title")) &&
       add_locations(r, f) && add_properties(r, f);
  if (!ok)
    cJSON_Delete(r);
  return ok ? r : NULL;
}

/* The run's tool, with a rule per id in ids. */
static cJSON *tool(const cJSON *report, const cJSON *ids,
                   const struct nhi_plugin_set *plugins)
{
  cJSON *t = cJSON_CreateObject(), *driver, *rules = NULL, *r;
  const cJSON *id;
  int ok;

  ok = t && (driver = cJSON_AddObjectToObject(t, "driver")) &&
       cJSON_AddStringToObject(driver, "name", "nhiscope") &&
       cJSON_AddStringToObject(driver, "version", NHI_VERSION) &&
       (rules = cJSON_AddArrayToObject(driver, "rules"));
  cJSON_ArrayForEach(id, ids) {
    if (!ok)
      break;
    r = rule(id->valuestring, plugins ? nhi_plugin_find(plugins,
                                                        id->valuestring)
                                      : NULL, report);
    ok = r && cJSON_AddItemToArray(rules, r);
  }
  if (!ok)
    cJSON_Delete(t);
  return ok ? t : NULL;
}

static cJSON *run(const cJSON *report, const struct nhi_plugin_set *plugins)
{
  cJSON *ids = rule_ids(report), *run = cJSON_CreateObject(), *t;
  cJSON *results = NULL;
  const cJSON *f;
  int ok;

  ok = ids && run && (t = tool(report, ids, plugins)) &&
       cJSON_AddItemToObject(run, "tool", t) &&
       (results = cJSON_AddArrayToObject(run, "results"));
  cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(report,
                                                         "findings")) {
    if (!ok)
      break;
    ok = cJSON_AddItemToArray(results, result(f, ids));
  }
  cJSON_Delete(ids);
  if (!ok)
    cJSON_Delete(run);
  return ok ? run : NULL;
}

enum nhi_rc nhi_sarif_write(const cJSON *report,
                            const struct nhi_plugin_set *plugins,
                            const char *path)
{
  cJSON *log = cJSON_CreateObject(), *runs, *one = NULL;
  char *text = NULL;
  enum nhi_rc rc;

  if (log && cJSON_AddStringToObject(log, "$schema", SARIF_SCHEMA) &&
      cJSON_AddStringToObject(log, "version", "2.1.0") &&
      (runs = cJSON_AddArrayToObject(log, "runs")) &&
      (one = run(report, plugins)) && cJSON_AddItemToArray(runs, one))
    text = cJSON_Print(log);
  else if (one)
    cJSON_Delete(one);
  if (text) {
    rc = nhi_report_write_text(text, path);
  } else {
    nhi_error("cannot write '%s': out of memory", path);
    rc = NHI_ERR_NOMEM;
  }
  free(text);
  cJSON_Delete(log);
  return rc;
}
