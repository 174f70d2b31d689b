/* Resource sensitivity from the resources' own tags, the one list of
 * classification tag names every collector's resources are read with. */
#include "sensitivity.h"

#include "strutil.h"

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
