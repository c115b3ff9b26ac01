/*
 * duration.c — durations as scenario files spell them ("1h30m", "250ms",
 * "1.5h", bare "90" = seconds) and their compact rendering.
 *
 * Parsing is exact: fractions are multiplied out digit by digit in integer
 * arithmetic (no binary floating point), rounded half up to the millisecond
 * per component, and every step is checked against SIM_DURATION_MAX before
 * it could overflow. Exponents, signs, spaces and upper-case units are not
 * accepted. Formatting is the inverse: parse(format(t)) == t for every
 * 0 <= t <= SIM_DURATION_MAX.
 */
#include "duration.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "json.h"

#define DURATION_RULE \
  "expected a duration such as \"90s\", \"5m\", \"1h30m\" or a number of seconds"

static const char why_too_long[] = "longer than the maximum of 100 years";

/* Units in the only order they may appear. */
static const struct unit {
  const char *name; /* as written after a number */
  int64_t ms;       /* length of one unit, ms */
} units[] = {
  {"d", SIM_MS_PER_D}, {"h", SIM_MS_PER_H}, {"m", SIM_MS_PER_MIN},
  {"s", SIM_MS_PER_S}, {"ms", 1},
};
#define N_UNITS (sizeof units / sizeof units[0])

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_lower(char c) { return c >= 'a' && c <= 'z'; }

/* A number as written: integer digits [ip, ip_end), fraction [fp, fp_end). */
typedef struct number {
  const char *ip;     /* first integer digit */
  const char *ip_end; /* one past the last integer digit */
  const char *fp;     /* first fraction digit (== fp_end when none) */
  const char *fp_end; /* one past the last fraction digit */
} number;

/* Scan a number at *ps; advances *ps. Returns NULL or a reason. */
static const char *scan_number(const char **ps, number *num)
{
  const char *s = *ps;

  if (!is_digit(*s))
    return *s == '-' ? "negative durations are not allowed"
                     : "expected a number";
  num->ip = s;
  while (is_digit(*s))
    s++;
  num->ip_end = s;
  num->fp = num->fp_end = s;
  if (*s == '.') {
    s++;
    if (!is_digit(*s))
      return "expected a digit after '.'";
    num->fp = s;
    while (is_digit(*s))
      s++;
    num->fp_end = s;
  }
  *ps = s;
  return NULL;
}

/* num * unit_ms rounded half up, or -1 when above SIM_DURATION_MAX. */
static int64_t number_ms(const number *num, int64_t unit_ms)
{
  int64_t ip = 0, carry = 0, digit = 0;
  const char *p;

  for (p = num->ip; p < num->ip_end; p++) {
    ip = ip * 10 + (*p - '0');
    if (ip > SIM_DURATION_MAX)
      return -1;
  }
  if (ip > SIM_DURATION_MAX / unit_ms)
    return -1;
  /* Long multiplication of 0.f1f2...fk by unit_ms from the last digit: at
   * the end `carry` is the integer part and `digit` the first fraction
   * digit of the product, which decides the rounding. */
  for (p = num->fp_end; p > num->fp; p--) {
    int64_t t = (p[-1] - '0') * unit_ms + carry;
    digit = t % 10;
    carry = t / 10;
  }
  ip = ip * unit_ms + carry + (digit >= 5);
  return ip > SIM_DURATION_MAX ? -1 : ip;
}

int sim_duration_parse(const char *s, sim_time_ms *out, const char **why)
{
  const char *reason = NULL;
  int64_t total = 0;
  size_t next_unit = 0; /* index of the smallest unit still allowed */
  int code = SIM_ERR_PARSE;
  int first = 1;

  if (s == NULL || *s == '\0') {
    reason = "empty duration";
    goto fail;
  }
  while (*s) {
    number num;
    const char *u;
    size_t len, i;
    int64_t ms;

    if ((reason = scan_number(&s, &num)) != NULL)
      goto fail;
    if (*s == '\0' && first) { /* a bare number is seconds */
      u = "s";
      len = 1;
    } else {
      u = s;
      while (is_lower(*s))
        s++;
      len = (size_t)(s - u);
      if (len == 0) {
        reason = "expected a unit (d, h, m, s or ms) after each number";
        goto fail;
      }
    }
    for (i = 0; i < N_UNITS; i++)
      if (strlen(units[i].name) == len && memcmp(units[i].name, u, len) == 0)
        break;
    if (i == N_UNITS) {
      reason = "unknown unit; use d, h, m, s or ms";
      goto fail;
    }
    if (i < next_unit) {
      reason = "units must appear at most once, in the order d, h, m, s, ms";
      goto fail;
    }
    next_unit = i + 1;
    ms = number_ms(&num, units[i].ms);
    if (ms < 0 || ms > SIM_DURATION_MAX - total) {
      code = SIM_ERR_RANGE;
      reason = why_too_long;
      goto fail;
    }
    total += ms;
    first = 0;
  }
  *out = total;
  if (why)
    *why = NULL;
  return SIM_OK;

fail:
  if (why)
    *why = reason;
  return code;
}

int sim_duration_from_json(const cJSON *item, sim_time_ms *out, sim_diag *d,
                           const char *path)
{
  if (cJSON_IsNumber(item)) {
    double v = item->valuedouble;

    if (!isfinite(v))
      return sim_diag_set(d, SIM_ERR_RANGE, path,
                          "expected a finite number of seconds");
    if (v < 0)
      return sim_diag_set(d, SIM_ERR_RANGE, path,
                          "expected a non-negative duration, got %g", v);
    if (v * 1000.0 > (double)SIM_DURATION_MAX)
      return sim_diag_set(d, SIM_ERR_RANGE, path, "duration %g s is %s", v,
                          why_too_long);
    *out = (sim_time_ms)llround(v * 1000.0);
    if (*out > SIM_DURATION_MAX) /* the double compare rounded */
      *out = SIM_DURATION_MAX;
    return SIM_OK;
  }
  if (cJSON_IsString(item)) {
    const char *why = NULL;
    const char *s = item->valuestring;
    int rc = sim_duration_parse(s, out, &why);

    if (rc == SIM_ERR_RANGE)
      return sim_diag_set(d, rc, path, "duration \"%.40s\" is %s", s, why);
    if (rc != SIM_OK)
      return sim_diag_set(d, rc, path, DURATION_RULE ", got \"%.40s\"%s (%s)",
                          s, strlen(s) > 40 ? "..." : "", why);
    return SIM_OK;
  }
  return sim_diag_set(d, SIM_ERR_SCHEMA, path, DURATION_RULE ", got %s",
                      sim_json_type_name(item));
}

void sim_duration_format(sim_time_ms t, char *buf, size_t n)
{
  char tmp[64];
  size_t at = 0;
  uint64_t u, days, h, m, sec, ms;

  if (n == 0)
    return;
  if (t < 0) {
    tmp[at++] = '-';
    u = (uint64_t)(-(t + 1)) + 1;
  } else {
    u = (uint64_t)t;
  }
  days = u / (uint64_t)SIM_MS_PER_D;
  u %= (uint64_t)SIM_MS_PER_D;
  h = u / (uint64_t)SIM_MS_PER_H;
  u %= (uint64_t)SIM_MS_PER_H;
  m = u / (uint64_t)SIM_MS_PER_MIN;
  u %= (uint64_t)SIM_MS_PER_MIN;
  sec = u / 1000;
  ms = u % 1000;
  if (days)
    at += (size_t)snprintf(tmp + at, sizeof tmp - at, "%" PRIu64 "d", days);
  if (h)
    at += (size_t)snprintf(tmp + at, sizeof tmp - at, "%" PRIu64 "h", h);
  if (m)
    at += (size_t)snprintf(tmp + at, sizeof tmp - at, "%" PRIu64 "m", m);
  if (ms) {
    at += (size_t)snprintf(tmp + at, sizeof tmp - at, "%" PRIu64 ".%03" PRIu64,
                           sec, ms);
    while (tmp[at - 1] == '0')
      at--;
    tmp[at++] = 's';
    tmp[at] = '\0';
  } else if (sec || at == 0) {
    snprintf(tmp + at, sizeof tmp - at, "%" PRIu64 "s", sec);
  }
  snprintf(buf, n, "%s", tmp);
}
