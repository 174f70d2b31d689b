/* Progress on a terminal: one line, rewritten in place, for long stages;
 * nothing at all when stderr is not a terminal or logging is quiet. */
#ifndef NHI_PROGRESS_H
#define NHI_PROGRESS_H

#include <stddef.h>

/* Shows "stage i/n: label" (label may be NULL). */
void nhi_progress(const char *stage, size_t i, size_t n, const char *label);

/* Clears the line, so the next message starts clean. */
void nhi_progress_done(void);

#endif
