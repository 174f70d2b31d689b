/* CloudTrail event selectors: what a trail's selectors say it logs. */
#ifndef NHI_AWS_SELECTORS_H
#define NHI_AWS_SELECTORS_H

#include "import_util.h"

#include <cJSON.h>

/* Adds to attrs what the basic (EventSelectors) and advanced
 * (AdvancedEventSelectors) selectors of one trail log; either may be
 * NULL. Keys added:
 * - "management_events": "all", "read", "write" or "none";
 * - "data_event_scope": an object with one key per service of the
 *   data resource types ("AWS::S3::Object" gives "s3", and
 *   "AWS::DynamoDB::Table" "dynamodb"), whose value is "all" or an
 *   array of the ARN prefixes whose reads are logged (write-only
 *   selectors log no reads and are left out);
 * - "data_event_exclusions": per service, the ARN prefixes advanced
 *   selectors exclude (NotEquals, NotStartsWith), when there are any;
 * - "data_event_scope_partial": true when an advanced data selector
 *   filters on something the scope cannot express (eventName, EndsWith
 *   ...): such a selector is left out of the scope, so the scope errs
 *   towards "not logged".
 * Returns NHI_ERR_INPUT when a selector is not an object or a field
 * has the wrong type, logged through w (w->list is set per selector),
 * and NHI_ERR_NOMEM likewise. */
enum nhi_rc nhi_aws_selectors_summarize(struct nhi_where *w,
                                        const cJSON *basic,
                                        const cJSON *advanced,
                                        cJSON *attrs);

#endif
