/* Small string helpers the host shares. */
#ifndef NHI_STRUTIL_H
#define NHI_STRUTIL_H

/* Formats into a new malloc'd string (caller frees); NULL on failure. */
char *nhi_aprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
