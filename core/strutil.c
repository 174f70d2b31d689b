/* Small string helpers the host shares. */
#include "strutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

char *nhi_aprintf(const char *fmt, ...)
{
  va_list ap, copy;
  char *s = NULL;
  int n;

  va_start(ap, fmt);
  va_copy(copy, ap);
  n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  if (n >= 0 && (s = malloc((size_t)n + 1)))
    vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}
