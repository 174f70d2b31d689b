/* Level-gated logging to stderr. */
#include "nhi.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum nhi_log_level nhi_log_threshold = NHI_LOG_WARN;

/* The last error message, kept for callers that must record it. */
static char last_error[1024];

/* Threads that log at once (readers, judges) keep their lines whole
 * and last_error one message. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

const char *nhi_log_last_error(void)
{
  return last_error;
}

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
  char line[sizeof last_error];
  va_list ap;

  va_start(ap, fmt);
  pthread_mutex_lock(&log_lock);
  if (level == NHI_LOG_ERROR) {
    va_list copy;

    va_copy(copy, ap);
    vsnprintf(line, sizeof line, fmt, copy);
    va_end(copy);
    memcpy(last_error, line, sizeof line);
  }
  fprintf(stderr, "nhiscope: %s%s%s", prefix ? prefix : "",
          prefix ? ": " : "", level_tag(level));
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  pthread_mutex_unlock(&log_lock);
  va_end(ap);
}
