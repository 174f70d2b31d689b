/* Found secrets into the evidence store: one secrets row per hit, with
 * fingerprint and preview only. */
#include "scan_store.h"
#include "import_util.h"

#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

/* attrs: the rule, what the scanner said (pairing, claims), and extra. */
static char *hit_attrs(const struct nhi_scan_hit *h, const cJSON *extra)
{
  cJSON *o = h->attrs ? cJSON_Parse(h->attrs) : cJSON_CreateObject();
  const cJSON *it;
  char *text = NULL;

  if (!o)
    return NULL;
  cJSON_AddStringToObject(o, "rule", h->rule);
  if (h->generic)
    cJSON_AddBoolToObject(o, "generic", 1);
  cJSON_ArrayForEach(it, extra)
    cJSON_AddItemToObject(o, it->string, cJSON_Duplicate(it, 1));
  text = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return text;
}

enum nhi_rc nhi_scan_store_hit(struct nhi_store *s, const char *path,
                               const struct nhi_scan_hit *h, int in_history,
                               const cJSON *extra, long long *rowid)
{
  struct nhi_row row;
  char *attrs = hit_attrs(h, extra);
  enum nhi_rc rc;

  if (!attrs) {
    nhi_error("evidence store '%s': out of memory", s->path);
    return NHI_ERR_NOMEM;
  }
  nhi_row_start(&row, NHI_T_SECRET);
  nhi_row_text(&row, "path", path);
  nhi_row_int(&row, "line", h->line);
  nhi_row_text(&row, "type", h->type);
  nhi_row_text(&row, "fingerprint", h->fingerprint);
  nhi_row_text(&row, "preview", h->preview);
  if (h->validated >= 0)
    nhi_row_int(&row, "validated", h->validated);
  nhi_row_int(&row, "in_history", in_history);
  nhi_row_text(&row, "attrs", attrs);
  rc = nhi_row_put(s, &row, rowid);
  free(attrs);
  return rc;
}

enum nhi_rc nhi_scan_store_result(struct nhi_store *s,
                                  const struct nhi_scan_result *r)
{
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; i < r->hits.count && !rc; i++) {
    const struct nhi_scan_hit *h = &r->hits.items[i];

    rc = nhi_scan_store_hit(s, r->files[h->file].path, h, 0, NULL, NULL);
  }
  return rc;
}
