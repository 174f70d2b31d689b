/* Comparing two reports: findings are matched on check, identity and
 * resource; the rest is which were matched and how their severity,
 * status and the scores moved. */
#include "report_diff.h"
#include "json.h"
#include "strutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One finding's identity key, and where it stands in its report. */
struct key {
  const char *check, *identity, *resource;
  size_t index;
};

static const char *string_of(const cJSON *obj, const char *name)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Says which part of a report is missing or wrong; NULL when none. */
static const char *report_fault(const cJSON *r)
{
  static const char *const needed[] = {
    "id", "check", "severity", "status", "title", NULL
  };
  const cJSON *score = cJSON_GetObjectItemCaseSensitive(r, "score");
  const cJSON *f;

  if (!cJSON_IsObject(r))
    return "not a JSON object";
  if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(score, "overall")))
    return "no 'score.overall' number";
  if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(r, "questions")))
    return "no 'questions' list";
  if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(r, "findings")))
    return "no 'findings' list";
  cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(r, "findings"))
    for (const char *const *k = needed; *k; k++)
      if (!string_of(f, *k))
        return "a finding without a string id, check, severity, status "
               "or title";
  return NULL;
}

enum nhi_rc nhi_diff_load(const char *path, cJSON **out)
{
  struct stat st;
  char *file = NULL;
  const char *fault;
  enum nhi_rc rc = NHI_OK;

  *out = NULL;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    file = nhi_aprintf("%s/report.json", path);
    if (!file)
      return NHI_ERR_NOMEM;
  }
  rc = nhi_json_read_file(file ? file : path, out);
  if (!rc && (fault = report_fault(*out))) {
    nhi_error("'%s' is not an nhiscope report.json: %s",
              file ? file : path, fault);
    cJSON_Delete(*out);
    *out = NULL;
    rc = NHI_ERR_INPUT;
  }
  free(file);
  return rc;
}

static int compare_text(const char *a, const char *b)
{
  if (!a || !b)
    return (a != NULL) - (b != NULL);
  return strcmp(a, b);
}

static int compare_key(const struct key *a, const struct key *b)
{
  int c = compare_text(a->check, b->check);

  if (!c)
    c = compare_text(a->identity, b->identity);
  return c ? c : compare_text(a->resource, b->resource);
}

/* Orders by key, then by place in the report, so the n-th finding with
 * a key in one report pairs with the n-th in the other. */
static int compare_sorted(const void *pa, const void *pb)
{
  const struct key *a = pa, *b = pb;
  int c = compare_key(a, b);

  if (c)
    return c;
  return (a->index > b->index) - (a->index < b->index);
}

/* The findings' keys, sorted; *n gets their number. NULL when out of
 * memory (or when there are none, with *n 0). */
static struct key *sorted_keys(const cJSON *report, size_t *n)
{
  const cJSON *all = cJSON_GetObjectItemCaseSensitive(report, "findings");
  const cJSON *f;
  struct key *keys;
  size_t i = 0;

  *n = (size_t)cJSON_GetArraySize(all);
  keys = *n ? calloc(*n, sizeof *keys) : NULL;
  if (!keys)
    return NULL;
  cJSON_ArrayForEach(f, all) {
    keys[i].check = string_of(f, "check");
    keys[i].identity = string_of(f, "identity");
    keys[i].resource = string_of(f, "resource");
    keys[i].index = i;
    i++;
  }
  qsort(keys, *n, sizeof *keys, compare_sorted);
  return keys;
}

/* Fills old_to_new[i] with the new index of old finding i (SIZE_MAX:
 * resolved) and new_to_old the other way (SIZE_MAX: new). */
static void pair_up(const struct key *ko, size_t nold, const struct key *kn,
                    size_t nnew, size_t *old_to_new, size_t *new_to_old)
{
  size_t i = 0, j = 0;
  int c;

  for (size_t k = 0; k < nold; k++)
    old_to_new[k] = SIZE_MAX;
  for (size_t k = 0; k < nnew; k++)
    new_to_old[k] = SIZE_MAX;
  while (i < nold && j < nnew) {
    c = compare_key(&ko[i], &kn[j]);
    if (c < 0) {
      i++;
    } else if (c > 0) {
      j++;
    } else {
      old_to_new[ko[i].index] = kn[j].index;
      new_to_old[kn[j].index] = ko[i].index;
      i++;
      j++;
    }
  }
}

/* Copies the named members of src into dst; absent ones as null. */
static int copy_members(cJSON *dst, const cJSON *src,
                        const char *const *names, const char *prefix)
{
  for (const char *const *n = names; *n; n++) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, *n);
    cJSON *copy = v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();
    char *key = nhi_aprintf("%s%s", prefix, *n);

    if (!copy || !key || !cJSON_AddItemToObject(dst, key, copy)) {
      cJSON_Delete(copy);
      free(key);
      return 0;
    }
    free(key);
  }
  return 1;
}

static cJSON *listed(const cJSON *f)
{
  static const char *const names[] = {
    "id", "check", "identity", "resource", "severity", "status", "title",
    NULL
  };
  cJSON *o = cJSON_CreateObject();

  if (o && !copy_members(o, f, names, ""))
    cJSON_Delete(o), o = NULL;
  return o;
}

/* A changed finding; NULL in *out when severity and status agree. */
static int changed(const cJSON *old, const cJSON *cur, cJSON **out)
{
  static const char *const id[] = { "id", NULL };
  static const char *const key_names[] = {
    "check", "identity", "resource", "title", NULL
  };
  static const char *const moved[] = { "severity", "status" };
  cJSON *o;
  int ok;

  *out = NULL;
  if (!strcmp(string_of(old, "severity"), string_of(cur, "severity")) &&
      !strcmp(string_of(old, "status"), string_of(cur, "status")))
    return 1;
  o = cJSON_CreateObject();
  ok = o && copy_members(o, cur, id, "") &&
       copy_members(o, old, id, "old_") &&
       copy_members(o, cur, key_names, "");
  for (size_t i = 0; ok && i < 2; i++) {
    const char *one[] = { moved[i], NULL };

    ok = copy_members(o, cur, one, "") && copy_members(o, old, one, "old_");
  }
  if (!ok)
    cJSON_Delete(o);
  *out = ok ? o : NULL;
  return ok;
}

struct lists {
  cJSON *added, *resolved, *changed;
};

static int fill_lists(const cJSON *older, const cJSON *newer,
                      const size_t *old_to_new, const size_t *new_to_old,
                      struct lists *l)
{
  const cJSON *all_old = cJSON_GetObjectItemCaseSensitive(older, "findings");
  const cJSON *f, *then;
  cJSON *item;
  size_t i = 0;

  cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(newer, "findings")) {
    if (new_to_old[i] == SIZE_MAX) {
      if (!(item = listed(f)) || !cJSON_AddItemToArray(l->added, item))
        return 0;
    } else {
      then = cJSON_GetArrayItem(all_old, (int)new_to_old[i]);
      if (!changed(then, f, &item))
        return 0;
      if (item && !cJSON_AddItemToArray(l->changed, item))
        return 0;
    }
    i++;
  }
  i = 0;
  cJSON_ArrayForEach(f, all_old) {
    if (old_to_new[i++] == SIZE_MAX &&
        (!(item = listed(f)) || !cJSON_AddItemToArray(l->resolved, item)))
      return 0;
  }
  return 1;
}

/* Adds new, resolved and changed to diff. */
static enum nhi_rc add_findings(cJSON *diff, const cJSON *older,
                                const cJSON *newer)
{
  size_t nold, nnew, *old_to_new = NULL, *new_to_old = NULL;
  struct key *ko = sorted_keys(older, &nold);
  struct key *kn = sorted_keys(newer, &nnew);
  struct lists l = {
    cJSON_AddArrayToObject(diff, "new"),
    cJSON_AddArrayToObject(diff, "resolved"),
    cJSON_AddArrayToObject(diff, "changed"),
  };
  int ok = l.added && l.resolved && l.changed && (ko || !nold) &&
           (kn || !nnew);

  if (ok) {
    old_to_new = malloc((nold + 1) * sizeof *old_to_new);
    new_to_old = malloc((nnew + 1) * sizeof *new_to_old);
    ok = old_to_new && new_to_old;
  }
  if (ok) {
    pair_up(ko, nold, kn, nnew, old_to_new, new_to_old);
    ok = fill_lists(older, newer, old_to_new, new_to_old, &l);
  }
  free(ko);
  free(kn);
  free(old_to_new);
  free(new_to_old);
  return ok ? NHI_OK : NHI_ERR_NOMEM;
}

static const cJSON *question_of(const cJSON *report, const char *id)
{
  const cJSON *q;

  cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(report,
                                                         "questions"))
    if (id && compare_text(string_of(q, "id"), id) == 0)
      return q;
  return NULL;
}

/* score in newer minus score in older, as a new cJSON number, or null
 * when either is not a number. */
static cJSON *delta(const cJSON *older, const cJSON *newer)
{
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(older, "score");
  const cJSON *b = cJSON_GetObjectItemCaseSensitive(newer, "score");

  if (cJSON_IsObject(a))
    a = cJSON_GetObjectItemCaseSensitive(a, "overall");
  if (cJSON_IsObject(b))
    b = cJSON_GetObjectItemCaseSensitive(b, "overall");
  if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b))
    return cJSON_CreateNull();
  return cJSON_CreateNumber(b->valuedouble - a->valuedouble);
}

static enum nhi_rc add_scores(cJSON *diff, const cJSON *older,
                              const cJSON *newer)
{
  cJSON *qs, *o, *d = delta(older, newer);
  const cJSON *q;
  int ok = d && cJSON_AddItemToObject(diff, "score_delta", d);

  qs = ok ? cJSON_AddArrayToObject(diff, "questions") : NULL;
  if (!ok)
    cJSON_Delete(d);
  cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(newer,
                                                         "questions")) {
    if (!qs || !string_of(q, "id"))
      continue;
    o = cJSON_CreateObject();
    ok = o && cJSON_AddItemToArray(qs, o) &&
         cJSON_AddStringToObject(o, "id", string_of(q, "id")) &&
         (d = delta(question_of(older, string_of(q, "id")), q)) &&
         cJSON_AddItemToObject(o, "score_delta", d);
    if (!ok)
      return NHI_ERR_NOMEM;
  }
  return qs ? NHI_OK : NHI_ERR_NOMEM;
}

enum nhi_rc nhi_diff_build(const cJSON *older, const cJSON *newer,
                           const char *old_path, cJSON **out)
{
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(older, "assessment");
  const char *now = string_of(a, "now");
  cJSON *diff = cJSON_CreateObject();
  enum nhi_rc rc = NHI_ERR_NOMEM;

  *out = NULL;
  if (diff && cJSON_AddStringToObject(diff, "report", old_path) &&
      (now ? cJSON_AddStringToObject(diff, "now", now)
           : cJSON_AddNullToObject(diff, "now")))
    rc = add_scores(diff, older, newer);
  if (!rc)
    rc = add_findings(diff, older, newer);
  if (rc) {
    nhi_error("cannot compare the reports: out of memory");
    cJSON_Delete(diff);
    return rc;
  }
  *out = diff;
  return NHI_OK;
}

/* "+4", "-3", "0", or "n/a" when a side was not assessed. */
static void format_delta(const cJSON *d, char *buf, size_t size)
{
  if (cJSON_IsNumber(d))
    snprintf(buf, size, "%+d", d->valueint);
  else
    snprintf(buf, size, "n/a");
}

static void print_scores(FILE *f, const cJSON *diff, const cJSON *newer)
{
  const cJSON *score = cJSON_GetObjectItemCaseSensitive(newer, "score");
  const cJSON *q, *now;
  char d[32];

  format_delta(cJSON_GetObjectItemCaseSensitive(diff, "score_delta"), d,
               sizeof d);
  now = cJSON_GetObjectItemCaseSensitive(score, "overall");
  fprintf(f, "overall score: %d (%s)\n", now ? now->valueint : 0, d);
  cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(diff,
                                                         "questions")) {
    now = cJSON_GetObjectItemCaseSensitive(
      question_of(newer, string_of(q, "id")), "score");
    format_delta(cJSON_GetObjectItemCaseSensitive(q, "score_delta"), d,
                 sizeof d);
    if (cJSON_IsNumber(now))
      fprintf(f, "  %-20s %d (%s)\n", string_of(q, "id"), now->valueint, d);
    else
      fprintf(f, "  %-20s not assessed\n", string_of(q, "id"));
  }
}

/* What a finding is about: its identity, else its resource. */
static const char *subject(const cJSON *f)
{
  const char *s = string_of(f, "identity");

  if (!s)
    s = string_of(f, "resource");
  return s ? s : "-";
}

static void print_list(FILE *f, const cJSON *diff, const char *name,
                       const char *mark)
{
  const cJSON *all = cJSON_GetObjectItemCaseSensitive(diff, name);
  const cJSON *x;
  int n = cJSON_GetArraySize(all);

  fprintf(f, "%s: %d finding%s\n", name, n, n == 1 ? "" : "s");
  cJSON_ArrayForEach(x, all) {
    fprintf(f, "  %s %s %-8s %s %s: %s\n", mark, string_of(x, "id"),
            string_of(x, "severity"), string_of(x, "check"), subject(x),
            string_of(x, "title"));
    if (string_of(x, "old_id"))
      fprintf(f, "      was %s %s %s, now %s %s\n", string_of(x, "old_id"),
              string_of(x, "old_severity"), string_of(x, "old_status"),
              string_of(x, "severity"), string_of(x, "status"));
  }
}

void nhi_diff_print(FILE *f, const cJSON *diff, const cJSON *newer,
                    const char *new_path)
{
  fprintf(f, "compared %s (%s) with %s\n",
          string_of(diff, "report"),
          string_of(diff, "now") ? string_of(diff, "now") : "no clock",
          new_path);
  print_scores(f, diff, newer);
  print_list(f, diff, "new", "+");
  print_list(f, diff, "resolved", "-");
  print_list(f, diff, "changed", "~");
}
