/* ISO-8601 timestamps: the only time format the store and reports use. */
#ifndef NHI_TIMEUTIL_H
#define NHI_TIMEUTIL_H

#include "nhi.h"

#include <time.h>

/* "YYYY-MM-DDTHH:MM:SSZ" + NUL */
#define NHI_TIME_SIZE 21

/* Parses an ISO-8601 / RFC 3339 date or date-time ("2024-05-01",
 * "2024-05-01T10:00:00Z", "...T10:00:00.123+02:00", "... 10:00:00") into
 * seconds since the epoch, UTC. Returns NHI_ERR_INPUT if s is not one. */
enum nhi_rc nhi_time_parse(const char *s, time_t *out);

/* Formats t as "YYYY-MM-DDTHH:MM:SSZ". */
void nhi_time_format(time_t t, char out[NHI_TIME_SIZE]);

/* Rewrites s in the canonical UTC form; NHI_ERR_INPUT if unparseable. */
enum nhi_rc nhi_time_normalize(const char *s, char out[NHI_TIME_SIZE]);

#endif
