/* ISO-8601 timestamps: the only time format the store and reports use. */
#include "timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Reads exactly n digits at *p into *val and advances *p. */
static int read_digits(const char **p, int n, int *val)
{
  int v = 0;

  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*p)[i]))
      return 0;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  *val = v;
  return 1;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long long days_from_civil(int y, int m, int d)
{
  long long era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                              31 };
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

  return m == 2 && leap ? 29 : days[m - 1];
}

/* Parses "+HH:MM", "+HHMM", "Z" or nothing into an offset in seconds. */
static int read_zone(const char **p, long *offset)
{
  int sign, hh, mm = 0;

  *offset = 0;
  if (**p == 'Z' || **p == 'z') {
    (*p)++;
    return 1;
  }
  if (**p != '+' && **p != '-')
    return 1;
  sign = **p == '-' ? -1 : 1;
  (*p)++;
  if (!read_digits(p, 2, &hh))
    return 0;
  if (**p == ':')
    (*p)++;
  if (isdigit((unsigned char)**p) && !read_digits(p, 2, &mm))
    return 0;
  *offset = sign * (hh * 3600L + mm * 60L);
  return hh < 24 && mm < 60;
}

static int read_clock(const char **p, int *hh, int *mi, int *ss)
{
  *hh = *mi = *ss = 0;
  if (**p != 'T' && **p != 't' && **p != ' ')
    return 1;
  (*p)++;
  if (!read_digits(p, 2, hh) || *(*p)++ != ':' || !read_digits(p, 2, mi))
    return 0;
  if (**p == ':') {
    (*p)++;
    if (!read_digits(p, 2, ss))
      return 0;
    if (**p == '.' || **p == ',') {
      (*p)++;
      while (isdigit((unsigned char)**p))
        (*p)++;
    }
  }
  return *hh < 24 && *mi < 60 && *ss <= 60;
}

enum nhi_rc nhi_time_parse(const char *s, time_t *out)
{
  const char *p = s;
  int y, m, d, hh, mi, ss;
  long offset;
  long long t;

  if (!s || !read_digits(&p, 4, &y) || *p++ != '-' ||
      !read_digits(&p, 2, &m) || *p++ != '-' || !read_digits(&p, 2, &d))
    return NHI_ERR_INPUT;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
    return NHI_ERR_INPUT;
  if (!read_clock(&p, &hh, &mi, &ss) || !read_zone(&p, &offset) || *p)
    return NHI_ERR_INPUT;
  t = days_from_civil(y, m, d) * 86400LL + hh * 3600LL + mi * 60LL + ss;
  *out = (time_t)(t - offset);
  return NHI_OK;
}

void nhi_time_format(time_t t, char out[NHI_TIME_SIZE])
{
  struct tm tm;

  gmtime_r(&t, &tm);
  strftime(out, NHI_TIME_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

enum nhi_rc nhi_time_normalize(const char *s, char out[NHI_TIME_SIZE])
{
  time_t t;

  if (nhi_time_parse(s, &t))
    return NHI_ERR_INPUT;
  nhi_time_format(t, out);
  return NHI_OK;
}
