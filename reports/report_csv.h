/* findings.csv: the report's findings, one row each (RFC 4180). */
#ifndef NHI_REPORT_CSV_H
#define NHI_REPORT_CSV_H

#include "nhi.h"

#include <cJSON.h>

/* Writes the findings of report (as parsed from report.json) to path as
 * CSV: UTF-8, a header row, CRLF line ends, fields quoted when they hold
 * a comma, a quote or a line break. */
enum nhi_rc nhi_csv_write(const cJSON *report, const char *path);

#endif
