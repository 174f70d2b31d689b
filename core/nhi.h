/* Shared vocabulary of the nhiscope host: result codes and logging. */
#ifndef NHI_H
#define NHI_H

#include <stddef.h>

#define NHI_VERSION "0.1.0"

/* Every fallible function returns one of these. The human message is
 * logged once, where the failure is found; callers only pass the code up. */
enum nhi_rc {
  NHI_OK = 0,
  NHI_ERR_USAGE,     /* bad command line or profile */
  NHI_ERR_INPUT,     /* an input file is missing, malformed or wrong */
  NHI_ERR_IO,        /* reading or writing a file failed */
  NHI_ERR_NOMEM,     /* an allocation failed */
  NHI_ERR_DB,        /* the evidence store refused an operation */
  NHI_ERR_PLUGIN,    /* a plugin failed to load or run */
  NHI_ERR_PARTIAL,   /* finished, but some source or plugin failed */
  NHI_ERR_INTERNAL   /* a library call failed unexpectedly */
};

enum nhi_log_level {
  NHI_LOG_ERROR = 0,
  NHI_LOG_WARN,
  NHI_LOG_INFO,
  NHI_LOG_DEBUG
};

/* The current level; written once by the CLI before any work starts. */
extern enum nhi_log_level nhi_log_threshold;

/* Writes one line to stderr: "nhiscope: [prefix: ]message". The prefix
 * names the plugin or stage speaking and may be NULL. */
void nhi_log_write(enum nhi_log_level level, const char *prefix,
                   const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

/* The text of the last error logged (without "nhiscope: " or prefix),
 * so a caller can record in the store what the user was told. */
const char *nhi_log_last_error(void);

#define nhi_logp(level, prefix, ...)                                      \
  do {                                                                    \
    if ((level) <= nhi_log_threshold)                                     \
      nhi_log_write((level), (prefix), __VA_ARGS__);                      \
  } while (0)

#define nhi_log(level, ...) nhi_logp((level), NULL, __VA_ARGS__)
#define nhi_error(...) nhi_log(NHI_LOG_ERROR, __VA_ARGS__)
#define nhi_warn(...)  nhi_log(NHI_LOG_WARN, __VA_ARGS__)
#define nhi_info(...)  nhi_log(NHI_LOG_INFO, __VA_ARGS__)
#define nhi_debug(...) nhi_log(NHI_LOG_DEBUG, __VA_ARGS__)

#endif
