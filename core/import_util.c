/* Helpers the importers share: evidence rows filled by column name, JSON
 * fields read with messages that say where the input is wrong, and
 * malloc'd string building. */
#include "import_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nhi_row_start(struct nhi_row *r, enum nhi_table t)
{
  memset(r, 0, sizeof *r);
  r->table = t;
  r->desc = nhi_store_table(t);
}

static struct nhi_value *row_slot(struct nhi_row *r, const char *col)
{
  for (size_t i = 0; r->desc && i < r->desc->ncols && i < NHI_ROW_MAX; i++)
    if (strcmp(r->desc->cols[i].name, col) == 0)
      return &r->vals[i];
  r->unknown = col;
  return NULL;
}

void nhi_row_text(struct nhi_row *r, const char *col, const char *text)
{
  struct nhi_value *v = row_slot(r, col);

  if (!v)
    return;
  v->type = text ? NHI_V_TEXT : NHI_V_NULL;
  v->text = text;
}

void nhi_row_int(struct nhi_row *r, const char *col, long long num)
{
  struct nhi_value *v = row_slot(r, col);

  if (!v)
    return;
  v->type = NHI_V_INT;
  v->num = num;
}

enum nhi_rc nhi_row_put(struct nhi_store *s, struct nhi_row *r,
                        long long *rowid)
{
  if (!r->desc || r->desc->ncols > NHI_ROW_MAX || r->unknown) {
    nhi_error("evidence store '%s': table %s has no column '%s'", s->path,
              r->desc ? r->desc->table : "?",
              r->unknown ? r->unknown : "?");
    return NHI_ERR_INTERNAL;
  }
  return nhi_store_put(s, r->table, r->vals, rowid);
}

static char *vprintf_alloc(const char *fmt, va_list ap)
{
  va_list again;
  char *s;
  int n;

  va_copy(again, ap);
  n = vsnprintf(NULL, 0, fmt, ap);
  s = n < 0 ? NULL : malloc((size_t)n + 1);
  if (s)
    vsnprintf(s, (size_t)n + 1, fmt, again);
  va_end(again);
  return s;
}

char *nhi_str_printf(const char *fmt, ...)
{
  va_list ap;
  char *s;

  va_start(ap, fmt);
  s = vprintf_alloc(fmt, ap);
  va_end(ap);
  return s;
}

char *nhi_str_join(const char *a, const char *sep, const char *b)
{
  size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
  char *s = malloc(la + ls + lb + 1);

  if (s) {
    memcpy(s, a, la);
    memcpy(s + la, sep, ls);
    memcpy(s + la + ls, b, lb + 1);
  }
  return s;
}

enum nhi_rc nhi_where_oom(const struct nhi_where *w)
{
  nhi_error("cannot read '%s': out of memory", w->path);
  return NHI_ERR_NOMEM;
}

enum nhi_rc nhi_where_fail(const struct nhi_where *w, const char *fmt, ...)
{
  char *detail, *sub = NULL;
  va_list ap;

  va_start(ap, fmt);
  detail = vprintf_alloc(fmt, ap);
  va_end(ap);
  if (w->list && w->sub)
    sub = nhi_str_printf(": %s[%zu]", w->sub, w->subindex);
  if (!detail || (w->list && w->sub && !sub)) {
    free(detail);
    return nhi_where_oom(w);
  }
  if (!w->list)
    nhi_error("cannot read '%s': %s", w->path, detail);
  else
    nhi_error("cannot read '%s': %s[%zu]%s%s%s%s: %s", w->path, w->list,
              w->index, w->name ? " (" : "", w->name ? w->name : "",
              w->name ? ")" : "", sub ? sub : "", detail);
  free(detail);
  free(sub);
  return NHI_ERR_INPUT;
}

cJSON *nhi_field_get(const cJSON *obj, const char *key)
{
  cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

  return cJSON_IsNull(v) ? NULL : v;
}

enum nhi_rc nhi_field_string(const struct nhi_where *w, const cJSON *obj,
                             const char *key, int required,
                             const char **out)
{
  const cJSON *v = nhi_field_get(obj, key);

  *out = NULL;
  if (!v)
    return required ? nhi_where_fail(w, "%s is missing", key) : NHI_OK;
  if (!cJSON_IsString(v))
    return nhi_where_fail(w, "%s is not a string", key);
  *out = v->valuestring;
  return NHI_OK;
}

enum nhi_rc nhi_field_node(const struct nhi_where *w, const cJSON *obj,
                           const char *key, int object, cJSON **out)
{
  cJSON *v = nhi_field_get(obj, key);

  *out = NULL;
  if (v && !(object ? cJSON_IsObject(v) : cJSON_IsArray(v)))
    return nhi_where_fail(w, "%s is not %s", key,
                          object ? "an object" : "an array");
  *out = v;
  return NHI_OK;
}

enum nhi_rc nhi_field_time(const struct nhi_where *w, const cJSON *obj,
                           const char *key, char out[NHI_TIME_SIZE])
{
  const char *text;
  enum nhi_rc rc;

  out[0] = '\0';
  rc = nhi_field_string(w, obj, key, 0, &text);
  if (rc || !text)
    return rc;
  if (nhi_time_normalize(text, out))
    return nhi_where_fail(w, "%s is not a date: '%s'", key, text);
  return NHI_OK;
}

int nhi_field_add_unique(cJSON *arr, const char *s)
{
  const cJSON *e;

  cJSON_ArrayForEach(e, arr)
    if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0)
      return 1;
  return cJSON_AddItemToArray(arr, cJSON_CreateString(s));
}
