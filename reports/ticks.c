/*
 * ticks.c — round tick marks for the time axes (see ticks.h).
 */
#include "ticks.h"

#include <inttypes.h>
#include <stdio.h>

#include "sim.h"

static const int64_t steps[] = {
    10 * SIM_MS_PER_S, 15 * SIM_MS_PER_S, 30 * SIM_MS_PER_S, SIM_MS_PER_MIN,
    2 * SIM_MS_PER_MIN, 5 * SIM_MS_PER_MIN, 10 * SIM_MS_PER_MIN, 15 * SIM_MS_PER_MIN,
    30 * SIM_MS_PER_MIN, SIM_MS_PER_H, 2 * SIM_MS_PER_H, 6 * SIM_MS_PER_H,
    12 * SIM_MS_PER_H, SIM_MS_PER_D, 2 * SIM_MS_PER_D, 7 * SIM_MS_PER_D};

int64_t report_ticks_step(int64_t span_ms) {
  if (span_ms <= 0) return steps[0];
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
    if (steps[i] * REPORT_TICKS_MAX >= span_ms) return steps[i];
  int64_t week = 7 * SIM_MS_PER_D, per = week * REPORT_TICKS_MAX;
  return week * ((span_ms + per - 1) / per);
}

static int days_form(int64_t step, int64_t span_ms) {
  return step >= SIM_MS_PER_MIN && span_ms > SIM_MS_PER_D;
}

const char *report_ticks_elapsed_unit(int64_t step, int64_t span_ms) {
  if (step < SIM_MS_PER_MIN) return "m:ss";
  return days_form(step, span_ms) ? "days, hours" : "h:mm";
}

void report_ticks_elapsed_label(int64_t t_ms, int64_t step, int64_t span_ms, char *buf,
                                size_t n) {
  int neg = t_ms < 0;
  int64_t t = neg ? -t_ms : t_ms;
  const char *s = neg ? "-" : "";
  if (step < SIM_MS_PER_MIN) {
    snprintf(buf, n, "%s%" PRId64 ":%02d", s, t / SIM_MS_PER_MIN,
             (int)(t % SIM_MS_PER_MIN / SIM_MS_PER_S));
  } else if (!days_form(step, span_ms)) {
    snprintf(buf, n, "%s%" PRId64 ":%02d", s, t / SIM_MS_PER_H,
             (int)(t % SIM_MS_PER_H / SIM_MS_PER_MIN));
  } else {
    int64_t d = t / SIM_MS_PER_D, h = t % SIM_MS_PER_D / SIM_MS_PER_H,
            m = t % SIM_MS_PER_H / SIM_MS_PER_MIN;
    char hm[24] = "";
    if (m) snprintf(hm, sizeof hm, "%" PRId64 "h%02d", h, (int)m);
    else if (h) snprintf(hm, sizeof hm, "%" PRId64 "h", h);
    if (d && hm[0]) snprintf(buf, n, "%s%" PRId64 "d %s", s, d, hm);
    else if (d) snprintf(buf, n, "%s%" PRId64 "d", s, d);
    else if (hm[0]) snprintf(buf, n, "%s%s", s, hm);
    else snprintf(buf, n, "0");
  }
}

/* floor division for negative epochs too */
static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t report_ticks_clock_first(int64_t from_ms, int64_t step) {
  int64_t k = floor_div(from_ms, step);
  int64_t t = k * step;
  return t < from_ms ? t + step : t;
}

/* days since 1970-01-01 to civil date (Howard Hinnant's algorithm) */
static void civil(int64_t days, int *month, int *day) {
  int64_t z = days + 719468;
  int64_t era = floor_div(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *day = (int)(doy - (153 * mp + 2) / 5 + 1);
  *month = (int)(mp < 10 ? mp + 3 : mp - 9);
}

void report_ticks_clock_label(int64_t epoch_ms, int64_t step, char *buf, size_t n) {
  static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t days = floor_div(epoch_ms, SIM_MS_PER_D);
  int64_t in_day = epoch_ms - days * SIM_MS_PER_D;
  int h = (int)(in_day / SIM_MS_PER_H), m = (int)(in_day % SIM_MS_PER_H / SIM_MS_PER_MIN),
      sec = (int)(in_day % SIM_MS_PER_MIN / SIM_MS_PER_S);
  if (in_day == 0) {
    int mo, d;
    civil(days, &mo, &d);
    snprintf(buf, n, "%s %d", mon[mo - 1], d);
  } else if (step < SIM_MS_PER_MIN) {
    snprintf(buf, n, "%02d:%02d:%02d", h, m, sec);
  } else {
    snprintf(buf, n, "%02d:%02d", h, m);
  }
}
