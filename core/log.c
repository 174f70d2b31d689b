/* Level-gated logging to stderr. */
#include "nhi.h"

#include <stdarg.h>
#include <stdio.h>

enum nhi_log_level nhi_log_threshold = NHI_LOG_WARN;

static const char *level_tag(enum nhi_log_level level)
{
  switch (level) {
  case NHI_LOG_ERROR: return "error: ";
  case NHI_LOG_WARN:  return "warning: ";
  default:            return "";
  }
}

void nhi_log_write(enum nhi_log_level level, const char *prefix,
                   const char *fmt, ...)
{
  va_list ap;

  fputs("nhiscope: ", stderr);
  if (prefix)
    fprintf(stderr, "%s: ", prefix);
  fputs(level_tag(level), stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}
