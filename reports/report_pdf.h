/* The PDF report: report.json's tree laid out for executives. */
#ifndef NHI_REPORT_PDF_H
#define NHI_REPORT_PDF_H

#include "nhi.h"

#include <cJSON.h>

/* Renders report (the report.json tree; any field may be missing or null)
 * to a PDF at path. template_dir is the templates/ folder, holding
 * report.json (layout, colours) and lang/<lang>.json (every word shown);
 * lang picks the catalogue ("en" when NULL). font_path and bold_font_path
 * are TrueType files, embedded as subsets. Nothing is kept by the callee.
 * Returns NHI_OK, or logs one message naming path and what failed and
 * returns NHI_ERR_INPUT (templates), NHI_ERR_IO, NHI_ERR_NOMEM or
 * NHI_ERR_INTERNAL. */
enum nhi_rc nhi_pdf_render(const cJSON *report, const char *template_dir,
                           const char *lang, const char *font_path,
                           const char *bold_font_path, const char *path);

#endif
