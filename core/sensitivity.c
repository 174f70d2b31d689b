/* Resource sensitivity from the resources' own tags: the one list of
 * classification tag names every collector's resources are read with,
 * and the tag mapping an assessment profile may add. */
#include "sensitivity.h"

#include "strutil.h"

#include <cJSON.h>
#include <stdlib.h>

enum nhi_rc nhi_sensitivity_from_tags(struct nhi_store *store)
{
  static const char level[] =
    "(SELECT lower(t.value) FROM json_each(resources.tags) t"
    " WHERE replace(replace(lower(t.key), '-', ''), '_', '') IN"
    " ('dataclassification', 'classification', 'datasensitivity',"
    " 'sensitivity', 'confidentiality')"
    " AND lower(t.value) IN"
    " ('public', 'internal', 'confidential', 'restricted')"
    " ORDER BY CASE lower(t.value) WHEN 'restricted' THEN 0"
    " WHEN 'confidential' THEN 1 WHEN 'internal' THEN 2 ELSE 3 END"
    " LIMIT 1)";
  char *sql = nhi_aprintf("UPDATE resources SET sensitivity = %s,"
                          " sensitivity_source = 'tag'"
                          " WHERE json_valid(tags) AND json_type(tags) ="
                          " 'object' AND coalesce(sensitivity_source, '')"
                          " <> 'profile' AND %s IS NOT NULL", level,
                          level);
  enum nhi_rc rc;

  if (!sql)
    return NHI_ERR_NOMEM;
  rc = nhi_store_exec(store, sql, "labelling resources from their tags");
  free(sql);
  return rc;
}

#define RANK(x) "CASE " x " WHEN 'restricted' THEN 3 WHEN 'confidential'" \
  " THEN 2 WHEN 'internal' THEN 1 WHEN 'public' THEN 0 ELSE -1 END"

/* One entry of the profile's tag mapping: tag key (any case), value
 * (any case, "*" for any) and the level it gives. */
static const char map_sql[] =
  "UPDATE resources SET sensitivity = ?3, sensitivity_source = 'tag'"
  " WHERE json_valid(tags) AND json_type(tags) = 'object'"
  " AND coalesce(sensitivity_source, '') <> 'profile'"
  " AND EXISTS (SELECT 1 FROM json_each(resources.tags) t"
  "   WHERE lower(t.key) = lower(?1)"
  "   AND (?2 = '*' OR lower(t.value) = lower(?2)))"
  " AND (coalesce(sensitivity_source, '') <> 'tag'"
  "   OR " RANK("sensitivity") " < " RANK("?3") ")";

static int apply_entry(sqlite3_stmt *st, const char *key, const char *value,
                       const char *level)
{
  int ok;

  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, level, -1, SQLITE_STATIC);
  ok = sqlite3_step(st) == SQLITE_DONE;
  sqlite3_reset(st);
  return ok;
}

enum nhi_rc nhi_sensitivity_from_tag_map(struct nhi_store *store,
                                         const cJSON *map)
{
  const cJSON *key, *value;
  sqlite3_stmt *st = NULL;
  int ok;

  if (!map || !map->child)
    return NHI_OK;
  ok = sqlite3_prepare_v2(store->db, map_sql, -1, &st, NULL) == SQLITE_OK;
  cJSON_ArrayForEach(key, map)
    cJSON_ArrayForEach(value, key)
      ok = ok && apply_entry(st, key->string, value->string,
                             value->valuestring);
  sqlite3_finalize(st);
  if (!ok)
    nhi_error("labelling resources from the profile's sensitivity_tags: "
              "%s", sqlite3_errmsg(store->db));
  return ok ? NHI_OK : NHI_ERR_DB;
}
