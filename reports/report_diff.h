/* Comparing two reports: findings new, resolved and changed, and how
 * the scores moved. The shape is "baseline" in docs/report.schema.json. */
#ifndef NHI_REPORT_DIFF_H
#define NHI_REPORT_DIFF_H

#include "nhi.h"

#include <cJSON.h>
#include <stdio.h>

/* Reads the report.json at path, or path/report.json when path is a
 * folder, and checks it holds what a comparison reads (a score, the
 * questions, findings each with id, check, severity, status and title).
 * NHI_ERR_INPUT with one message naming the file when it does not.
 * *out is the caller's (cJSON_Delete). */
enum nhi_rc nhi_diff_load(const char *path, cJSON **out);

/* Compares the report older with newer (both as nhi_diff_load or
 * nhi_report_build give them). A finding is the same in both when its
 * check, identity and resource are; several findings with one such key
 * pair up in report order. old_path is written as the object's
 * "report". *out is the caller's (cJSON_Delete). */
enum nhi_rc nhi_diff_build(const cJSON *older, const cJSON *newer,
                           const char *old_path, cJSON **out);

/* Prints a readable summary of diff (from nhi_diff_build) to f; newer
 * is the report it compared, for the scores now. */
void nhi_diff_print(FILE *f, const cJSON *diff, const cJSON *newer,
                    const char *new_path);

#endif
