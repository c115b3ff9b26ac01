/*
 * awstime.c — exact conversions of AWS CLI timestamps (awstime.h).
 */
#include "awstime.h"

#include <string.h>

#include "calendar.h"

#define MAX_US INT64_C(95617584000000000)   /* 5000-01-01 in microseconds */

static int64_t us_to_ms(int64_t us) { return (us + 500) / 1000; }

bool fit_time_from_number(const char *t, int64_t *out) {
  char dig[64];
  size_t nd = 0;
  long point = -1;   /* digits before the decimal point */
  const char *p = t;
  if (*p == '-') return false;
  for (; *p && *p != 'e' && *p != 'E'; p++) {
    if (*p == '.') {
      point = (long)nd;
      continue;
    }
    if (*p < '0' || *p > '9') return false;
    if (nd == 0 && *p == '0' && point < 0) continue;   /* leading zeros */
    if (nd == sizeof dig) {
      if (point < 0) return false;   /* too many integer digits */
      continue;                      /* fraction digits past 64: ignored */
    }
    dig[nd++] = *p;
  }
  if (point < 0) point = (long)nd;
  long e = 0;
  if (*p == 'e' || *p == 'E') {
    p++;
    int sign = 1;
    if (*p == '+' || *p == '-') sign = *p++ == '-' ? -1 : 1;
    if (!*p) return false;
    for (; *p; p++) {
      if (*p < '0' || *p > '9') return false;
      if (e < 100000) e = e * 10 + (*p - '0');
    }
    e *= sign;
  }
  long pos = point + e + 6;   /* digits of the microsecond integer part */
  if (pos > 18) return false;
  int64_t us = 0;
  for (long i = 0; i < pos; i++) us = us * 10 + (i < (long)nd ? dig[i] - '0' : 0);
  if (pos >= 0 && pos < (long)nd && dig[pos] >= '5') us++;   /* half up */
  if (us > MAX_US) return false;
  *out = us_to_ms(us);
  return true;
}

static bool digits(const char **p, int n, int *v) {
  *v = 0;
  for (int i = 0; i < n; i++) {
    char c = (*p)[i];
    if (c < '0' || c > '9') return false;
    *v = *v * 10 + (c - '0');
  }
  *p += n;
  return true;
}

bool fit_time_from_iso(const char *s, int64_t *out) {
  int Y, M, D, h, mi, sec;
  const char *p = s;
  if (!digits(&p, 4, &Y) || *p++ != '-' || !digits(&p, 2, &M) || *p++ != '-' ||
      !digits(&p, 2, &D) || *p++ != 'T' || !digits(&p, 2, &h) || *p++ != ':' ||
      !digits(&p, 2, &mi) || *p++ != ':' || !digits(&p, 2, &sec))
    return false;
  int64_t frac_us = 0;
  if (*p == '.') {
    p++;
    int nd = 0;
    int64_t scale = 100000;
    bool up = false;
    while (*p >= '0' && *p <= '9') {
      if (nd < 6) frac_us += (*p - '0') * scale, scale /= 10;
      else if (nd == 6) up = *p >= '5';
      nd++, p++;
    }
    if (nd < 1 || nd > 9) return false;
    if (up) frac_us++;
  }
  int64_t off_min = 0;
  if (*p == 'Z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int sign = *p++ == '-' ? -1 : 1, oh, om;
    if (!digits(&p, 2, &oh) || *p++ != ':' || !digits(&p, 2, &om) || oh > 23 || om > 59)
      return false;
    off_min = sign * (oh * 60 + om);
  } else {
    return false;
  }
  if (*p) return false;
  if (Y < 1970 || Y > 4999 || M < 1 || M > 12 || h > 23 || mi > 59 || sec > 59) return false;
  if (D < 1 || (unsigned)D > sim_days_in_month(Y, (unsigned)M)) return false;
  int64_t days = sim_days_from_civil(Y, (unsigned)M, (unsigned)D);
  int64_t us = (((days * 24 + h) * 60 + mi - off_min) * 60 + sec) * INT64_C(1000000) + frac_us;
  if (us < 0 || us > MAX_US) return false;
  *out = us_to_ms(us);
  return true;
}
