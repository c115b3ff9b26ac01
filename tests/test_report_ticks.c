/*
 * test_report_ticks.c — the plots' time-axis ticks (reports/ticks.h): span
 * to step, elapsed and clock labels. Expectations worked out by hand from
 * the rule "smallest round step giving at most 8 intervals"; the epochs
 * are from `date -u -d ... +%s`.
 */
#include "test_common.h"

#include "ticks.h"

#define S 1000LL
#define M (60 * S)
#define H (60 * M)
#define D (24 * H)

static void test_step_from_span(void **state) {
  (void)state;
  static const struct { int64_t span, step; } c[] = {
      {0, 10 * S},               /* nothing to span: the finest step */
      {-5, 10 * S},
      {80 * S, 10 * S},          /* 8 x 10 s = 80 s exactly */
      {81 * S, 15 * S},
      {4 * M, 30 * S},           /* 8 x 30 s = 4 min */
      {5 * M, M},
      {16 * M, 2 * M},
      {40 * M, 5 * M},
      {50 * M + 8136, 10 * M},   /* bad-release-abort's 50m8.136s run */
      {80 * M, 10 * M},
      {2 * H, 15 * M},           /* a 2-hour rollout: 15-minute ticks */
      {2 * H + M, 30 * M},
      {4 * H, 30 * M},
      {8 * H, H},
      {14 * H + 14 * M, 2 * H},  /* the 14-hour offline tail: every 2 h */
      {16 * H, 2 * H},
      {16 * H + 1, 6 * H},
      {2 * D, 6 * H},
      {3 * D + 8 * H + 10 * M, 12 * H},   /* nightly maintenance: 12 h */
      {4 * D, 12 * H},
      {5 * D, D},
      {16 * D, 2 * D},
      {17 * D, 7 * D},
      {56 * D, 7 * D},
      {100 * D, 14 * D},         /* beyond the list: whole weeks, ceil(100/56) = 2 */
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    int64_t got = report_ticks_step(c[i].span);
    if (got != c[i].step)
      fail_msg("span %" PRId64 " ms: step %" PRId64 ", expected %" PRId64, c[i].span, got,
               c[i].step);
  }
}

static void test_elapsed_labels(void **state) {
  (void)state;
  static const struct { int64_t t, step, span; const char *label, *unit; } c[] = {
      {0, 10 * M, 50 * M, "0:00", "h:mm"},
      {40 * M, 10 * M, 50 * M, "0:40", "h:mm"},
      {90 * S, 30 * S, 4 * M, "1:30", "m:ss"},      /* minutes and seconds */
      {150 * M, 30 * M, 4 * H, "2:30", "h:mm"},
      {14 * H, 2 * H, 14 * H + 14 * M, "14:00", "h:mm"},
      {24 * H, 6 * H, 24 * H, "24:00", "h:mm"},     /* a day exactly: still h:mm */
      {0, 12 * H, 80 * H, "0", "days, hours"},
      {12 * H, 12 * H, 80 * H, "12h", "days, hours"},
      {D, 12 * H, 80 * H, "1d", "days, hours"},
      {D + 12 * H, 12 * H, 80 * H, "1d 12h", "days, hours"},
      {3 * D, D, 5 * D, "3d", "days, hours"},
      {D + 6 * H + 30 * M, 30 * M, 26 * H, "1d 6h30", "days, hours"},
      {-10 * M, 10 * M, 50 * M, "-0:10", "h:mm"},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    char b[32];
    report_ticks_elapsed_label(c[i].t, c[i].step, c[i].span, b, sizeof b);
    assert_string_equal(b, c[i].label);
    assert_string_equal(report_ticks_elapsed_unit(c[i].step, c[i].span), c[i].unit);
  }
}

static void test_clock_ticks(void **state) {
  (void)state;
  const int64_t t0800 = 1772438400LL * S;   /* 2026-03-02T08:00:00Z */
  const int64_t t0807 = 1772438820LL * S;   /* 08:07 */
  const int64_t t0815 = 1772439300LL * S;   /* 08:15 */
  const int64_t mid = 1772409600LL * S;     /* 2026-03-02T00:00:00Z */
  const int64_t leap = 1709164800LL * S;    /* 2024-02-29T00:00:00Z */
  assert_int_equal(report_ticks_clock_first(t0807, 15 * M), t0815);
  assert_int_equal(report_ticks_clock_first(t0800, 15 * M), t0800);   /* on a tick */
  assert_int_equal(report_ticks_clock_first(t0800 + 1, 2 * H), t0800 + 2 * H);
  assert_int_equal(report_ticks_clock_first(t0807, 12 * H), mid + 12 * H);
  assert_int_equal(report_ticks_clock_first(t0807, D), mid + D);   /* next midnight */
  assert_int_equal(report_ticks_clock_first(-H - 1, H), -H);        /* before 1970 */
  char b[32];
  report_ticks_clock_label(t0815, 15 * M, b, sizeof b);
  assert_string_equal(b, "08:15");
  report_ticks_clock_label(t0800 + 30 * S, 30 * S, b, sizeof b);
  assert_string_equal(b, "08:00:30");
  report_ticks_clock_label(mid, 12 * H, b, sizeof b);
  assert_string_equal(b, "Mar 2");
  report_ticks_clock_label(mid - 6 * H, 6 * H, b, sizeof b);
  assert_string_equal(b, "18:00");
  report_ticks_clock_label(mid - D, D, b, sizeof b);
  assert_string_equal(b, "Mar 1");
  report_ticks_clock_label(mid - 2 * D, D, b, sizeof b);
  assert_string_equal(b, "Feb 28");   /* 2026 is not a leap year */
  report_ticks_clock_label(leap, D, b, sizeof b);
  assert_string_equal(b, "Feb 29");
  report_ticks_clock_label(leap + D, D, b, sizeof b);
  assert_string_equal(b, "Mar 1");
  report_ticks_clock_label(0, D, b, sizeof b);
  assert_string_equal(b, "Jan 1");
  report_ticks_clock_label(-H, H, b, sizeof b);
  assert_string_equal(b, "23:00");
  report_ticks_clock_label(-D, D, b, sizeof b);
  assert_string_equal(b, "Dec 31");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_step_from_span),
      cmocka_unit_test(test_elapsed_labels),
      cmocka_unit_test(test_clock_ticks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
