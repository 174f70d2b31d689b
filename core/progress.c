/* Progress on a terminal: one line, rewritten in place, for long stages;
 * nothing at all when stderr is not a terminal or logging is quiet. */
#include "progress.h"
#include "nhi.h"

#include <stdio.h>
#include <unistd.h>

/* Progress would interleave with -v's own lines, and -q asks for
 * silence: show it only at the default level, on a terminal. */
static int wanted(void)
{
  return nhi_log_threshold == NHI_LOG_WARN && isatty(STDERR_FILENO);
}

void nhi_progress(const char *stage, size_t i, size_t n, const char *label)
{
  if (!wanted())
    return;
  fprintf(stderr, "\r\033[K%s %zu/%zu%s%.60s", stage, i, n,
          label ? ": " : "", label ? label : "");
  fflush(stderr);
}

void nhi_progress_done(void)
{
  if (!wanted())
    return;
  fputs("\r\033[K", stderr);
  fflush(stderr);
}
