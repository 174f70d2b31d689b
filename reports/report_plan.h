/* report.json's remediation plan: core/plan.c's actions, in words. */
#ifndef NHI_REPORT_PLAN_H
#define NHI_REPORT_PLAN_H

#include "store.h"

#include <cJSON.h>

/* Adds the top-level "remediation" array to report (a tree from
 * nhi_report_build), right after its findings: one action per check
 * (docs/schema.md), each sentence from words ("action.<check>", else
 * "action.generic"; a ".one" variant when the count is 1). Efforts come
 * from the store's findings. Returns NHI_OK, or logs and returns
 * NHI_ERR_DB or NHI_ERR_NOMEM, leaving report without the key. */
enum nhi_rc nhi_report_add_remediation(cJSON *report, struct nhi_store *s,
                                       const cJSON *words);

#endif
