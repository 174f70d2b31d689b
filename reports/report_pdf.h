/* The PDF report: report.json's tree laid out for executives. */
#ifndef NHI_REPORT_PDF_H
#define NHI_REPORT_PDF_H

#include "nhi.h"

#include <cJSON.h>

/* What one rendering drew, for tests and logs. */
struct nhi_pdf_stats {
  unsigned pages;
  unsigned long texts;          /* runs of text placed */
  unsigned long outside;        /* of them, past the page or their box */
  unsigned images;              /* images placed (the logo) */
  unsigned arcs;                /* arcs stroked (the gauges) */
};

/* How to render: every field but stats is required. */
struct nhi_pdf_options {
  const char *template_dir;     /* templates/ */
  const char *template_name;    /* NULL: the default (executive) */
  const char *lang;             /* NULL: "en" */
  const char *font_path;        /* TrueType, embedded as a subset */
  const char *bold_font_path;
  struct nhi_pdf_stats *stats;  /* filled when not NULL */
};

/* Renders report (the report.json tree; any field may be missing or null)
 * to a PDF at path with the template and word catalogue o names (see
 * report_template.h; lang/<lang>.json holds every word shown). The
 * cover shows report's assessment.branding (logo, company, colours).
 * Nothing is kept by the callee. Returns NHI_OK, or logs one message
 * naming path and what failed and returns NHI_ERR_USAGE (an unknown
 * template), NHI_ERR_INPUT (templates, logo), NHI_ERR_IO, NHI_ERR_NOMEM
 * or NHI_ERR_INTERNAL. */
enum nhi_rc nhi_pdf_render(const cJSON *report,
                           const struct nhi_pdf_options *o,
                           const char *path);

#endif
