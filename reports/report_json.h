/* The JSON report: the report.json tree, built from the evidence store. */
#ifndef NHI_REPORT_JSON_H
#define NHI_REPORT_JSON_H

#include "score.h"
#include "store.h"

#include <cJSON.h>

#define NHI_REPORT_SCHEMA_VERSION "1.0"

/* Builds the whole report tree (docs/report.schema.json) from the store
 * and its score. *out is the caller's (cJSON_Delete). */
enum nhi_rc nhi_report_build(struct nhi_store *s, const struct nhi_score *sc,
                             cJSON **out);

/* Writes text to path through a temporary file, so a reader never sees
 * half a report. */
enum nhi_rc nhi_report_write_text(const char *text, const char *path);

#endif
