/* report.sarif: the findings as SARIF 2.1.0, for code-scanning tools. */
#ifndef NHI_REPORT_SARIF_H
#define NHI_REPORT_SARIF_H

#include "plugin.h"

#include <cJSON.h>

/* Writes report (as parsed from report.json) to path as one SARIF run:
 * a rule per check that ran, a result per finding. plugins (may be
 * NULL) give the rules their metadata; a check not among them takes it
 * from its findings. */
enum nhi_rc nhi_sarif_write(const cJSON *report,
                            const struct nhi_plugin_set *plugins,
                            const char *path);

#endif
