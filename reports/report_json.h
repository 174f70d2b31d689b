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

/* Writes tree to path as cJSON_Print formats it, through a temporary
 * file, one top-level member (and one element of a top-level array) at
 * a time, so that no second copy of a large report is held. */
enum nhi_rc nhi_report_write_tree(const cJSON *tree, const char *path);

/* Turns the raw JSON values nhi_report_build leaves (exact integers,
 * the store's JSON columns) into ordinary cJSON values in place, as
 * parsing the written text back would, except each finding's evidence
 * and threshold: those stay raw JSON text, read with nhi_report_value,
 * since parsing all of them at once doubles a large report's memory.
 * Returns NHI_OK, or logs and returns NHI_ERR_NOMEM. */
enum nhi_rc nhi_report_settle(cJSON *tree);

/* obj.key as a value: the item itself, or when it is raw JSON text its
 * parsed value, left in *owned for the caller to cJSON_Delete. NULL
 * when missing or unparsable. */
const cJSON *nhi_report_value(const cJSON *obj, const char *key,
                              cJSON **owned);

#endif
