/* Report templates: templates/<name>.json, each over the one it names as
 * its base, and the checks made on a profile's branding. */
#ifndef NHI_REPORT_TEMPLATE_H
#define NHI_REPORT_TEMPLATE_H

#include "nhi.h"

#include <cJSON.h>

/* The template a report uses when none is named. */
#define NHI_TEMPLATE_DEFAULT "executive"

/* The file templates/report.json holds the default template, which every
 * other one builds on. */
#define NHI_TEMPLATE_DEFAULT_FILE "report"

/* Reads the template name (NULL: the default) from dir into *out (the
 * caller's, cJSON_Delete). "executive" is dir/report.json; any other
 * name is dir/<name>.json, whose "base" member names a template it is
 * laid over: its objects merge into the base's, its other values
 * replace the base's. Returns NHI_OK, or logs (naming the file) and
 * returns NHI_ERR_USAGE (a bad or unknown name), NHI_ERR_INPUT (a
 * malformed file) or NHI_ERR_NOMEM. */
enum nhi_rc nhi_template_read(const char *dir, const char *name,
                              cJSON **out);

/* The file name a PDF of template name gets in an output folder:
 * "report.pdf" for the default, else "report-<name>.pdf". The caller
 * frees it; NULL when out of memory. */
char *nhi_template_pdf_name(const char *name);

/* What kind of image a logo file holds, by its first bytes. */
enum nhi_logo_kind { NHI_LOGO_NONE = 0, NHI_LOGO_PNG, NHI_LOGO_JPEG };

/* The kind of image at path; NHI_LOGO_NONE when it cannot be read or is
 * neither. */
enum nhi_logo_kind nhi_template_logo_kind(const char *path);

/* Checks that path is a PNG or JPEG image the PDF library can place.
 * shown is how messages name it (as the profile wrote it); origin is
 * what named it ("profile 'p.lua'"). Returns NHI_OK, or logs one
 * message naming both and returns NHI_ERR_USAGE. */
enum nhi_rc nhi_template_check_logo(const char *path, const char *shown,
                                    const char *origin);

/* Whether key is a brand colour the profile may set (see
 * templates/report.json's "branding"). */
int nhi_template_brand_colour(const char *key);

#endif
