/*
 * test_model_cron.c — AWS EventBridge cron expressions (model/cron.c).
 *
 * One table row per known schedule: the next occurrences from a fixed start,
 * asserted exactly (AWS's own examples, last day of month across leap and
 * common Februaries, nearest weekday from a Saturday and a Sunday 1st, '#'
 * and 'L' in day-of-week, wrapping ranges, years that run out). One row per
 * rejection with its exact message. Then fixed tests for the edges of
 * model_cron_next(), the parsed fields, time rendering, speed, and a
 * randomised comparison with a minute-by-minute brute-force matcher whose
 * calendar comes from gmtime(), not from cron.c. Stochastic tests print
 * their seed; JOBSIM_TEST_SEED overrides.
 */
#include "test_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cron.h"
#include "scenario.h"
#include "sim.h"

/* ------------------------------------------------------------- helpers --- */

/* "2026-01-01T00:00" (optionally with ":SS.mmm") as epoch ms. */
static int64_t at(const char *s) {
  char buf[40];
  int64_t t = 0;
  snprintf(buf, sizeof buf, "%s%sZ", s, strlen(s) == 16 ? ":00" : "");
  if (!model_parse_iso8601(buf, &t))
    fail_msg("bad test time %s", s);
  return t;
}

static model_cron parse_ok(const char *expr) {
  model_cron c;
  sim_diag d;
  sim_diag_init(&d, NULL);
  int rc = model_cron_parse(&c, expr, &d, "$.x");
  if (rc != SIM_OK)
    fail_msg("%s: %s", expr, d.msg);
  return c;
}

/* The next n occurrences after `start`, space-separated ("none" ends the
 * list early when model_cron_next() says there is no more). */
static void occurrences(const char *expr, const char *start, int n, char *out,
                        size_t size) {
  model_cron c = parse_ok(expr);
  int64_t t = at(start), nx = 0;
  char one[32];
  out[0] = 0;
  for (int i = 0; i < n; i++) {
    bool ok = model_cron_next(&c, t, &nx);
    if (ok) {
      assert_true(nx > t);
      assert_int_equal(nx % SIM_MS_PER_MIN, 0);
      model_cron_format_time(nx, one, sizeof one);
    }
    snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "",
             ok ? one : "none");
    if (!ok)
      break;
    t = nx;
  }
}

/* --------------------------------------------------- occurrence tables --- */

typedef struct seq_case {
  const char *name;  /* test name */
  const char *expr;  /* the expression */
  const char *start; /* "YYYY-MM-DDTHH:MM[:SS.mmm]" UTC, exclusive */
  int n;             /* occurrences asked for */
  const char *want;  /* expected, space-separated */
} seq_case;

static const seq_case k_seq[] = {
  {"every Sunday 02:00", "cron(0 2 ? * SUN *)", "2026-01-01T00:00", 7,
   "2026-01-04T02:00 2026-01-11T02:00 2026-01-18T02:00 2026-01-25T02:00 "
   "2026-02-01T02:00 2026-02-08T02:00 2026-02-15T02:00"},
  {"every 15 minutes across new year", "cron(0/15 * * * ? *)",
   "2025-12-31T23:20", 7,
   "2025-12-31T23:30 2025-12-31T23:45 2026-01-01T00:00 2026-01-01T00:15 "
   "2026-01-01T00:30 2026-01-01T00:45 2026-01-01T01:00"},
  {"last day of month, leap year", "cron(0 18 L * ? *)", "2027-12-15T00:00", 7,
   "2027-12-31T18:00 2028-01-31T18:00 2028-02-29T18:00 2028-03-31T18:00 "
   "2028-04-30T18:00 2028-05-31T18:00 2028-06-30T18:00"},
  {"last day of month, common year", "cron(0 18 L * ? *)", "2026-01-15T00:00",
   7,
   "2026-01-31T18:00 2026-02-28T18:00 2026-03-31T18:00 2026-04-30T18:00 "
   "2026-05-31T18:00 2026-06-30T18:00 2026-07-31T18:00"},
  {"hourly on the last Friday", "cron(10 * ? * 6L 2026-2027)",
   "2026-01-30T21:00", 7,
   "2026-01-30T21:10 2026-01-30T22:10 2026-01-30T23:10 2026-02-27T00:10 "
   "2026-02-27T01:10 2026-02-27T02:10 2026-02-27T03:10"},
  {"1W: Sunday 1st -> Monday 2nd, Saturday 1st -> Monday 3rd",
   "cron(0 8 1W * ? *)", "2026-02-01T00:00", 7,
   "2026-02-02T08:00 2026-03-02T08:00 2026-04-01T08:00 2026-05-01T08:00 "
   "2026-06-01T08:00 2026-07-01T08:00 2026-08-03T08:00"},
  {"1W: Saturday Aug 1, Sunday Nov 1", "cron(0 8 1W * ? *)",
   "2026-07-15T00:00", 7,
   "2026-08-03T08:00 2026-09-01T08:00 2026-10-01T08:00 2026-11-02T08:00 "
   "2026-12-01T08:00 2027-01-01T08:00 2027-02-01T08:00"},
  {"15W: Sunday 15th -> Monday 16th", "cron(30 6 15W * ? *)",
   "2026-01-01T00:00", 7,
   "2026-01-15T06:30 2026-02-16T06:30 2026-03-16T06:30 2026-04-15T06:30 "
   "2026-05-15T06:30 2026-06-15T06:30 2026-07-15T06:30"},
  {"31W: short months have none, Saturday 31st -> Friday 30th",
   "cron(0 0 31W * ? *)", "2026-01-01T00:00", 7,
   "2026-01-30T00:00 2026-03-31T00:00 2026-05-29T00:00 2026-07-31T00:00 "
   "2026-08-31T00:00 2026-10-30T00:00 2026-12-31T00:00"},
  {"LW: last weekday", "cron(0 8 LW * ? *)", "2026-01-01T00:00", 7,
   "2026-01-30T08:00 2026-02-27T08:00 2026-03-31T08:00 2026-04-30T08:00 "
   "2026-05-29T08:00 2026-06-30T08:00 2026-07-31T08:00"},
  {"L-2: two days before the last", "cron(0 10 L-2 * ? *)",
   "2026-01-01T00:00", 7,
   "2026-01-29T10:00 2026-02-26T10:00 2026-03-29T10:00 2026-04-28T10:00 "
   "2026-05-29T10:00 2026-06-28T10:00 2026-07-29T10:00"},
  {"L-2W", "cron(0 10 L-2W * ? *)", "2026-01-01T00:00", 7,
   "2026-01-29T10:00 2026-02-26T10:00 2026-03-30T10:00 2026-04-28T10:00 "
   "2026-05-29T10:00 2026-06-29T10:00 2026-07-29T10:00"},
  {"first Monday", "cron(0 12 ? * 2#1 *)", "2026-01-01T00:00", 7,
   "2026-01-05T12:00 2026-02-02T12:00 2026-03-02T12:00 2026-04-06T12:00 "
   "2026-05-04T12:00 2026-06-01T12:00 2026-07-06T12:00"},
  {"fifth Friday skips months without one", "cron(0 12 ? * 6#5 *)",
   "2026-01-01T00:00", 7,
   "2026-01-30T12:00 2026-05-29T12:00 2026-07-31T12:00 2026-10-30T12:00 "
   "2027-01-29T12:00 2027-04-30T12:00 2027-07-30T12:00"},
  {"fifth Sunday, one year", "cron(0 0 ? * 1#5 2026)", "2026-01-01T00:00", 7,
   "2026-03-29T00:00 2026-05-31T00:00 2026-08-30T00:00 2026-11-29T00:00 "
   "none"},
  {"AWS: 10:15 on the last Friday, 2019-2022", "cron(15 10 ? * 6L 2019-2022)",
   "2019-01-01T00:00", 7,
   "2019-01-25T10:15 2019-02-22T10:15 2019-03-29T10:15 2019-04-26T10:15 "
   "2019-05-31T10:15 2019-06-28T10:15 2019-07-26T10:15"},
  {"last Friday, leap year", "cron(0 12 ? * 6L *)", "2028-01-01T00:00", 7,
   "2028-01-28T12:00 2028-02-25T12:00 2028-03-31T12:00 2028-04-28T12:00 "
   "2028-05-26T12:00 2028-06-30T12:00 2028-07-28T12:00"},
  {"L in day-of-week is Saturday", "cron(0 0 ? * L *)", "2026-01-01T00:00", 5,
   "2026-01-03T00:00 2026-01-10T00:00 2026-01-17T00:00 2026-01-24T00:00 "
   "2026-01-31T00:00"},
  {"weekdays 09:00", "cron(0 9 ? * MON-FRI *)", "2026-01-01T00:00", 7,
   "2026-01-01T09:00 2026-01-02T09:00 2026-01-05T09:00 2026-01-06T09:00 "
   "2026-01-07T09:00 2026-01-08T09:00 2026-01-09T09:00"},
  {"yearly, start on an occurrence", "cron(0 0 1 JAN ? *)", "2026-01-01T00:00",
   7,
   "2027-01-01T00:00 2028-01-01T00:00 2029-01-01T00:00 2030-01-01T00:00 "
   "2031-01-01T00:00 2032-01-01T00:00 2033-01-01T00:00"},
  {"year range ends", "cron(0 0 1 * ? 2026)", "2026-06-15T00:00", 7,
   "2026-07-01T00:00 2026-08-01T00:00 2026-09-01T00:00 2026-10-01T00:00 "
   "2026-11-01T00:00 2026-12-01T00:00 none"},
  {"29 February only", "cron(59 23 29 FEB ? *)", "2026-01-01T00:00", 3,
   "2028-02-29T23:59 2032-02-29T23:59 2036-02-29T23:59"},
  {"last minute of the year field", "cron(59 23 31 DEC ? 2199)",
   "2199-01-01T00:00", 2, "2199-12-31T23:59 none"},
  {"never fires", "cron(0 0 30 FEB ? *)", "1970-01-01T00:00", 1, "none"},
  {"AWS: 10:00 every day", "cron(0 10 * * ? *)", "2026-03-07T10:00", 3,
   "2026-03-08T10:00 2026-03-09T10:00 2026-03-10T10:00"},
  {"AWS: 18:00 Monday to Friday", "cron(0 18 ? * MON-FRI *)",
   "2026-01-01T00:00", 7,
   "2026-01-01T18:00 2026-01-02T18:00 2026-01-05T18:00 2026-01-06T18:00 "
   "2026-01-07T18:00 2026-01-08T18:00 2026-01-09T18:00"},
  {"AWS: 08:00 on the 1st", "cron(0 8 1 * ? *)", "2026-01-01T08:00", 3,
   "2026-02-01T08:00 2026-03-01T08:00 2026-04-01T08:00"},
  {"AWS: every 10 minutes Monday to Friday", "cron(0/10 * ? * MON-FRI *)",
   "2026-01-02T23:15", 7,
   "2026-01-02T23:20 2026-01-02T23:30 2026-01-02T23:40 2026-01-02T23:50 "
   "2026-01-05T00:00 2026-01-05T00:10 2026-01-05T00:20"},
  {"AWS: every 5 minutes 8-17 Monday to Friday", "cron(0/5 8-17 ? * MON-FRI *)",
   "2026-01-02T17:42", 7,
   "2026-01-02T17:45 2026-01-02T17:50 2026-01-02T17:55 2026-01-05T08:00 "
   "2026-01-05T08:05 2026-01-05T08:10 2026-01-05T08:15"},
  {"AWS: hours 20-2 wrap (field by field)", "cron(0/30 20-2 ? * MON-FRI *)",
   "2026-01-02T19:00", 9,
   "2026-01-02T20:00 2026-01-02T20:30 2026-01-02T21:00 2026-01-02T21:30 "
   "2026-01-02T22:00 2026-01-02T22:30 2026-01-02T23:00 2026-01-02T23:30 "
   "2026-01-05T00:00"},
  {"AWS: 14:05 and 14:35", "cron(5,35 14 * * ? *)", "2026-01-01T14:05", 7,
   "2026-01-01T14:35 2026-01-02T14:05 2026-01-02T14:35 2026-01-03T14:05 "
   "2026-01-03T14:35 2026-01-04T14:05 2026-01-04T14:35"},
  {"day-of-month range wraps", "cron(0 0 25-5 * ? *)", "2026-01-30T00:00", 9,
   "2026-01-31T00:00 2026-02-01T00:00 2026-02-02T00:00 2026-02-03T00:00 "
   "2026-02-04T00:00 2026-02-05T00:00 2026-02-25T00:00 2026-02-26T00:00 "
   "2026-02-27T00:00"},
  {"month and day-of-week ranges wrap, stepped",
   "cron(0 0 ? NOV-FEB/2 FRI-MON *)", "2026-01-20T00:00", 10,
   "2026-01-23T00:00 2026-01-24T00:00 2026-01-25T00:00 2026-01-26T00:00 "
   "2026-01-30T00:00 2026-01-31T00:00 2026-11-01T00:00 2026-11-02T00:00 "
   "2026-11-06T00:00 2026-11-07T00:00"},
  {"lower-case names, white space inside the parentheses",
   "cron( 0\t2  ? jan,Mar sun 2026 )", "2026-01-20T00:00", 4,
   "2026-01-25T02:00 2026-03-01T02:00 2026-03-08T02:00 2026-03-15T02:00"},
};
#define N_SEQ (sizeof k_seq / sizeof k_seq[0])

static void run_seq(void **state) {
  const seq_case *sc = (const seq_case *)*state;
  char got[1024];
  occurrences(sc->expr, sc->start, sc->n, got, sizeof got);
  if (strcmp(got, sc->want) != 0)
    print_error("%s from %s\n", sc->expr, sc->start);
  assert_string_equal(got, sc->want);
}

/* --------------------------------------------------------- rejections --- */

typedef struct bad_case {
  const char *name; /* test name */
  const char *expr; /* the expression */
  const char *msg;  /* exact diagnostic message */
} bad_case;

#define E "invalid cron expression at position "
#define COUNT "expected 6 fields (minutes hours day-of-month month " \
              "day-of-week year), got "

static const bad_case k_bad[] = {
  {"empty", "", E "1: expected 'cron(', got end of expression"},
  {"rate expression", "rate(5 minutes)",
   E "1: expected 'cron(', got 'rate('"},
  {"upper-case prefix", "CRON(0 2 ? * SUN *)",
   E "1: expected 'cron(', got 'CRON('"},
  {"no closing parenthesis", "cron(0 2 ? * SUN *",
   E "19: expected ')' to close the expression, got end of expression"},
  {"text after the parenthesis", "cron(0 2 ? * SUN *) ",
   E "20: expected the end of the expression after ')', got ' '"},
  {"no fields", "cron()", E "6: " COUNT "0"},
  {"five fields", "cron(0 2 ? * SUN)", E "17: " COUNT "5"},
  {"seven fields", "cron(0 0 2 ? * SUN *)", E "20: " COUNT "7"},
  {"both day fields", "cron(0 2 1 * SUN *)",
   E "14: expected '?' in day-of-week, since day-of-month is given (AWS "
     "does not allow both), got 'SUN'"},
  {"both day fields '*'", "cron(0 2 * * * *)",
   E "14: expected '?' in day-of-week, since day-of-month is given (AWS "
     "does not allow both), got '*'"},
  {"both day fields '?'", "cron(0 2 ? * ? *)",
   E "14: expected a day of week 1-7 or SUN-SAT, since day-of-month is '?' "
     "(only one of them may be '?'), got '?'"},
  {"'?' in minutes", "cron(? 2 ? * SUN *)",
   E "6: expected a minute 0-59 ('?' is only for day-of-month and "
     "day-of-week), got '?'"},
  {"'?' in a list", "cron(0 2 ?,1 * ? *)",
   E "10: expected '?' alone in the day-of-month field, got '?,1'"},
  {"minute 60", "cron(60 2 ? * SUN *)",
   E "6: expected a minute 0-59, got '60'"},
  {"hour 24", "cron(0 24 ? * SUN *)", E "8: expected an hour 0-23, got '24'"},
  {"day of month 0", "cron(0 2 0 * ? *)",
   E "10: expected a day of month 1-31, got '0'"},
  {"month 13", "cron(0 2 ? 13 SUN *)",
   E "12: expected a month 1-12 or JAN-DEC, got '13'"},
  {"day of week 8", "cron(0 2 ? * 8 *)",
   E "14: expected a day of week 1-7 or SUN-SAT, got '8'"},
  {"year 1969", "cron(0 2 ? * SUN 1969)",
   E "18: expected a year 1970-2199, got '1969'"},
  {"year 2200", "cron(0 2 ? * SUN 2026-2200)",
   E "23: expected a year 1970-2199, got '2200'"},
  {"step 0", "cron(*/0 2 ? * SUN *)", E "8: expected a step 1-59, got '0'"},
  {"step 60", "cron(0/60 2 1 * ? *)", E "8: expected a step 1-59, got '60'"},
  {"step in day-of-week", "cron(0 2 ? * MON/2 *)",
   E "17: expected '-', 'L', '#', ',' or the end of the day-of-week field, "
     "got '/'"},
  {"reversed year range", "cron(0 2 ? * SUN 2027-2026)",
   E "18: expected a year range from low to high (year ranges do not "
     "wrap), got '2027-2026'"},
  {"#6", "cron(0 2 ? * 3#6 *)",
   E "16: expected an occurrence 1-5 after '#', got '6'"},
  {"# without a number", "cron(0 2 ? * 6# *)",
   E "16: expected an occurrence 1-5 after '#', got the end of the "
     "day-of-week field"},
  {"two '#' expressions", "cron(0 2 ? * 3#1,6#3 *)",
   E "14: expected only one day-of-week expression when 'L' or '#' is "
     "used, got '3#1,6#3'"},
  {"LW in a list", "cron(0 2 1,LW * ? *)",
   E "10: expected only one day-of-month expression when 'L' or 'W' is "
     "used, got '1,LW'"},
  {"W after a range", "cron(0 2 1-5W * ? *)",
   E "12: expected a day of month 1-31, got '5W'"},
  {"32W", "cron(0 2 32W * ? *)",
   E "10: expected a day of month 1-31, got '32W'"},
  {"L-31", "cron(0 2 L-31 * ? *)",
   E "12: expected an offset 0-30 days after 'L-', got '31'"},
  {"step after L", "cron(0 2 L/2 * ? *)",
   E "11: expected ',' or the end of the day-of-month field, got '/'"},
  {"garbage day name", "cron(0 12 ? * FOO *)",
   E "15: expected a day of week 1-7 or SUN-SAT, got 'FOO'"},
  {"full day name", "cron(0 2 ? * FRIDAY *)",
   E "14: expected a day of week 1-7 or SUN-SAT, got 'FRIDAY'"},
  {"letters after a number", "cron(5x 2 ? * SUN *)",
   E "6: expected a minute 0-59, got '5x'"},
  {"empty list item", "cron(1,,2 2 ? * SUN *)",
   E "8: expected a minute 0-59, got ','"},
  {"trailing comma", "cron(1, 2 ? * SUN *)",
   E "8: expected a minute 0-59, got the end of the minutes field"},
  {"month name in hours", "cron(0 JAN ? * SUN *)",
   E "8: expected an hour 0-23, got 'JAN'"},
  {"'#' in day-of-month", "cron(0 2 3#2 * ? *)",
   E "11: expected '-', '/', 'W', ',' or the end of the day-of-month field, "
     "got '#'"},
};
#define N_BAD (sizeof k_bad / sizeof k_bad[0])

static void run_bad(void **state) {
  const bad_case *bc = (const bad_case *)*state;
  static const model_cron zero;
  model_cron c;
  sim_diag d;
  memset(&c, 0xab, sizeof c);
  sim_diag_init(&d, "scenario.json");
  assert_int_equal(model_cron_parse(&c, bc->expr, &d,
                                    "$.schedulingConfig.maintenanceWindows[0]"
                                    ".startTime"),
                   SIM_ERR_RANGE);
  assert_int_equal(d.code, SIM_ERR_RANGE);
  assert_string_equal(d.path, "$.schedulingConfig.maintenanceWindows[0]"
                              ".startTime");
  assert_string_equal(d.msg, bc->msg);
  assert_memory_equal(&c, &zero, sizeof c);
}

/* ------------------------------------------------------- fixed tests --- */

static void test_next_edges(void **state) {
  (void)state;
  model_cron q = parse_ok("cron(0/15 * * * ? *)");
  model_cron y = parse_ok("cron(0 0 1 JAN ? *)");
  model_cron all = parse_ok("cron(* * * * ? *)");
  int64_t nx = 0;

  /* strictly after, whole minutes, whatever the sub-minute part */
  assert_true(model_cron_next(&q, at("2026-05-05T10:15"), &nx));
  assert_int_equal(nx, at("2026-05-05T10:30"));
  assert_true(model_cron_next(&q, at("2026-05-05T10:14:59.999"), &nx));
  assert_int_equal(nx, at("2026-05-05T10:15"));
  assert_true(model_cron_next(&q, at("2026-05-05T10:15:00.001"), &nx));
  assert_int_equal(nx, at("2026-05-05T10:30"));
  assert_true(model_cron_next(&all, at("2026-05-05T10:15:30.000"), &nx));
  assert_int_equal(nx, at("2026-05-05T10:16"));
  assert_true(model_cron_next(&all, at("2026-05-05T10:15"), &nx));
  assert_int_equal(nx, at("2026-05-05T10:16"));

  /* before 1970 starts at the first possible minute */
  assert_true(model_cron_next(&y, -1, &nx));
  assert_int_equal(nx, 0);
  assert_true(model_cron_next(&y, INT64_MIN, &nx));
  assert_int_equal(nx, 0);
  assert_true(model_cron_next(&all, -SIM_MS_PER_D, &nx));
  assert_int_equal(nx, 0);

  /* nothing from 2200 on; *next is left alone */
  nx = 42;
  assert_false(model_cron_next(&all, at("2199-12-31T23:59"), &nx));
  assert_false(model_cron_next(&all, at("2300-01-01T00:00"), &nx));
  assert_false(model_cron_next(&all, INT64_MAX, &nx));
  assert_int_equal(nx, 42);
  assert_true(model_cron_next(&all, at("2199-12-31T23:58:59.999"), &nx));
  assert_int_equal(nx, at("2199-12-31T23:59"));
}

static void test_parsed_fields(void **state) {
  (void)state;
  model_cron c = parse_ok("cron(0/15 8-10,22 ? JAN,mar-APR/2 FRI-MON 2026/100)");
  assert_true(c.minutes == ((UINT64_C(1) << 0) | (UINT64_C(1) << 15) |
                            (UINT64_C(1) << 30) | (UINT64_C(1) << 45)));
  assert_int_equal(c.hours, (1u << 8) | (1u << 9) | (1u << 10) | (1u << 22));
  assert_int_equal(c.months, (1u << 1) | (1u << 3));
  assert_int_equal(c.dow, (1u << 6) | (1u << 7) | (1u << 1) | (1u << 2));
  assert_int_equal(c.days, MODEL_CRON_DAYS_DOW);
  /* bit y - 1970: 2026 is bit 56 of word 0, 2126 bit 28 of word 2 */
  assert_true(c.years[0] == UINT64_C(1) << 56 && c.years[1] == 0 &&
              c.years[2] == UINT64_C(1) << 28 && c.years[3] == 0);

  c = parse_ok("cron(59 23 */10 * ? *)");
  assert_true(c.minutes == UINT64_C(1) << 59);
  assert_int_equal(c.hours, 1u << 23);
  assert_int_equal(c.dom, (1u << 1) | (1u << 11) | (1u << 21) | (1u << 31));
  assert_int_equal(c.months, 0x1ffeu);
  assert_int_equal(c.days, MODEL_CRON_DAYS_DOM);
  assert_true(c.years[0] == ~UINT64_C(0) && c.years[3] ==
              (UINT64_C(1) << (230 - 192)) - 1);

  c = parse_ok("cron(0 0 l-3w * ? *)");
  assert_int_equal(c.days, MODEL_CRON_DAYS_LAST);
  assert_int_equal(c.dom_offset, 3);
  assert_true(c.dom_weekday);
  c = parse_ok("cron(0 0 L * ? *)");
  assert_int_equal(c.days, MODEL_CRON_DAYS_LAST);
  assert_int_equal(c.dom_offset, 0);
  assert_false(c.dom_weekday);
  c = parse_ok("cron(0 0 15W * ? *)");
  assert_int_equal(c.days, MODEL_CRON_DAYS_WEEKDAY);
  assert_int_equal(c.dom_day, 15);
  c = parse_ok("cron(0 0 ? * FRIL *)");
  assert_int_equal(c.days, MODEL_CRON_DAYS_LAST_DOW);
  assert_int_equal(c.dow_day, 6);
  c = parse_ok("cron(0 0 ? * tue#2 *)");
  assert_int_equal(c.days, MODEL_CRON_DAYS_NTH_DOW);
  assert_int_equal(c.dow_day, 3);
  assert_int_equal(c.dow_nth, 2);
  c = parse_ok("cron(0 0 ? * L *)");
  assert_int_equal(c.days, MODEL_CRON_DAYS_DOW);
  assert_int_equal(c.dow, 1u << 7);
  c = parse_ok("cron(50-10/20 * * * ? *)"); /* wraps: 50, 10 */
  assert_true(c.minutes == ((UINT64_C(1) << 50) | (UINT64_C(1) << 10)));
}

static void test_null_diag_and_expr(void **state) {
  (void)state;
  model_cron c;
  assert_int_equal(model_cron_parse(&c, "cron(0 2 ? * SUN)", NULL, NULL),
                   SIM_ERR_RANGE);
  sim_diag d;
  sim_diag_init(&d, NULL);
  assert_int_equal(model_cron_parse(&c, NULL, &d, NULL), SIM_ERR_RANGE);
  assert_string_equal(d.path, "");
  assert_string_equal(d.msg, E "1: expected 'cron(', got end of expression");
  char buf[512];
  sim_diag_init(&d, "s.json");
  model_cron_parse(&c, "cron(0 2 ? * SUN)", &d, "$.a.startTime");
  sim_diag_format(&d, buf, sizeof buf);
  assert_string_equal(buf, "s.json: $.a.startTime: " E "17: " COUNT "5");
}

static void test_format_time(void **state) {
  (void)state;
  char b[32];
  model_cron_format_time(0, b, sizeof b);
  assert_string_equal(b, "1970-01-01T00:00");
  model_cron_format_time(59999, b, sizeof b);
  assert_string_equal(b, "1970-01-01T00:00");
  model_cron_format_time(-1, b, sizeof b);
  assert_string_equal(b, "1969-12-31T23:59");
  model_cron_format_time(at("2028-02-29T23:59:59.999"), b, sizeof b);
  assert_string_equal(b, "2028-02-29T23:59");
  model_cron_format_time(at("2199-12-31T23:59"), b, sizeof b);
  assert_string_equal(b, "2199-12-31T23:59");
  model_cron_format_time(0, b, 5);
  assert_string_equal(b, "1970");
  b[0] = 'x';
  model_cron_format_time(0, b, 1);
  assert_string_equal(b, "");
  model_cron_format_time(0, NULL, 0); /* no-op */
}

static double now_s(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Skipping by month/day keeps even the slowest expressions cheap. Prints the
 * mean cost; asserts a bound loose enough for sanitizer builds. */
static void test_speed(void **state) {
  (void)state;
  static const char *const exprs[] = {
    "cron(0 0 1 JAN ? *)",       /* yearly */
    "cron(0 0 1 JAN ? 2199)",    /* one occurrence, 229 years away */
    "cron(0 0 30 FEB ? *)",      /* never: scans every month to 2200 */
    "cron(59 23 29 FEB ? *)",    /* leap days */
    "cron(0 12 ? * 2#5 *)",      /* fifth Monday */
  };
  const int reps = 2000;
  for (size_t k = 0; k < sizeof exprs / sizeof exprs[0]; k++) {
    model_cron c = parse_ok(exprs[k]);
    int64_t nx, sink = 0;
    double t0 = now_s();
    for (int i = 0; i < reps; i++)
      if (model_cron_next(&c, (int64_t)i * SIM_MS_PER_D, &nx))
        sink += nx;
    double us = (now_s() - t0) / reps * 1e6;
    fprintf(stderr, "test_model_cron: %-26s %7.2f us/next (%lld)\n",
            exprs[k], us, (long long)(sink % 7));
    assert_true(us < 2000.0);
  }
}

/* --------------------------------------------- brute-force comparison --- */

static uint64_t test_seed(void) {
  const char *env = getenv("JOBSIM_TEST_SEED");
  uint64_t seed = env ? strtoull(env, NULL, 0) : UINT64_C(0xc4011);
  fprintf(stderr, "test_model_cron: using seed 0x%llx (set JOBSIM_TEST_SEED "
                  "to override)\n", (unsigned long long)seed);
  return seed;
}

static uint64_t next_rand(uint64_t *s) { /* SplitMix64 */
  uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static int month_len(int y, int m) { /* m 1..12 */
  static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : len[m - 1];
}

/* Weekday (Mon-Fri) of the month closest to `target`; 0 if out of month. */
static int closest_weekday(int target, int mday, int wday, int ndays) {
  int best = 0, bestdist = 99;
  if (target < 1 || target > ndays)
    return 0;
  for (int day = 1; day <= ndays; day++) {
    int w = ((wday - (mday - day)) % 7 + 7) % 7; /* 0 = Sunday */
    int dist = abs(day - target);
    if (w != 0 && w != 6 && dist < bestdist)
      best = day, bestdist = dist;
  }
  return best;
}

/* Does minute t match? The calendar comes from gmtime(); only the parsed
 * bitsets and rule parameters come from cron.c. */
static bool brute_match(const model_cron *c, int64_t t_ms) {
  time_t tt = (time_t)(t_ms / 1000);
  struct tm *tm = gmtime(&tt);
  int y = tm->tm_year + 1900, m = tm->tm_mon + 1, md = tm->tm_mday;
  int wd = tm->tm_wday, nd = month_len(y, m); /* wd 0 = Sunday */
  int cw = wd + 1;                             /* cron numbering */
  bool day;

  if (y < MODEL_CRON_YEAR_MIN || y > MODEL_CRON_YEAR_MAX)
    return false;
  if (!((c->years[(y - 1970) / 64] >> ((y - 1970) % 64)) & 1) ||
      !((c->months >> m) & 1) || !((c->hours >> tm->tm_hour) & 1) ||
      !((c->minutes >> tm->tm_min) & 1))
    return false;
  switch (c->days) {
  case MODEL_CRON_DAYS_DOM: day = (c->dom >> md) & 1; break;
  case MODEL_CRON_DAYS_DOW: day = (c->dow >> cw) & 1; break;
  case MODEL_CRON_DAYS_LAST:
    if (c->dom_weekday)
      day = md == closest_weekday(nd - c->dom_offset, md, wd, nd);
    else
      day = md == nd - c->dom_offset;
    break;
  case MODEL_CRON_DAYS_WEEKDAY:
    day = md == closest_weekday(c->dom_day, md, wd, nd);
    break;
  case MODEL_CRON_DAYS_LAST_DOW: day = cw == c->dow_day && md + 7 > nd; break;
  case MODEL_CRON_DAYS_NTH_DOW:
    day = cw == c->dow_day && (md - 1) / 7 + 1 == c->dow_nth;
    break;
  default: day = false; break;
  }
  return day;
}

static void test_random_against_brute_force(void **state) {
  (void)state;
  static const char *const exprs[] = {
    "cron(0/15 * * * ? *)",          "cron(0 2 ? * SUN *)",
    "cron(0 18 L * ? *)",            "cron(10 * ? * 6L *)",
    "cron(0 8 1W * ? *)",            "cron(30 12 ? * 2#1 *)",
    "cron(15 10 ? * 6L 2026-2028)",  "cron(0/5 8-17 ? * MON-FRI *)",
    "cron(0/30 20-2 ? * MON-FRI *)", "cron(7 6 LW * ? *)",
    "cron(0 0 L-3W * ? *)",          "cron(45 23 31W * ? *)",
    "cron(5,35 14 1-10/3,25-2 * ? *)", "cron(0 0 ? NOV-FEB/2 FRI-MON *)",
    "cron(0 12 ? * 6#5 *)",          "cron(59 23 29 FEB ? *)",
    "cron(1/7 */5 ? MAR-OCT 4#3 2027/2)",
  };
  const int64_t lo = at("2025-12-01T00:00"), span = at("2031-01-01T00:00") - lo;
  const int64_t window = 31 * SIM_MS_PER_D;
  uint64_t rs = test_seed();

  for (size_t k = 0; k < sizeof exprs / sizeof exprs[0]; k++) {
    model_cron c = parse_ok(exprs[k]);
    for (int r = 0; r < 24; r++) {
      int64_t t = lo + (int64_t)(next_rand(&rs) % (uint64_t)span);
      for (int step = 0; step < 4; step++) {
        int64_t want = -1, got = -1;
        int64_t m = (t / SIM_MS_PER_MIN + 1) * SIM_MS_PER_MIN;
        for (; m <= t + window; m += SIM_MS_PER_MIN)
          if (brute_match(&c, m)) {
            want = m;
            break;
          }
        bool ok = model_cron_next(&c, t, &got);
        if (want >= 0 ? !(ok && got == want) : (ok && got <= t + window)) {
          char a[32], b[32], s[32];
          model_cron_format_time(t, s, sizeof s);
          model_cron_format_time(want, a, sizeof a);
          model_cron_format_time(got, b, sizeof b);
          fail_msg("%s after %s: brute force %s, next %s (ok=%d)", exprs[k], s,
                   want >= 0 ? a : "none within 31 days", b, ok);
        }
        if (want < 0)
          break;
        assert_true(brute_match(&c, got));
        t = got;
      }
    }
  }
}

/* Finding 15 (issue 9): 16 maintenance windows that never open made a
 * 100-thing run crawl (16 s): every search walked 230 years of months. The
 * parser now finds the first and the last occurrence once, and a search
 * outside them (an expression that never fires, a year in the past) costs
 * nothing. The bounds, computed independently (Python's datetime): */
static void finding_15_cron_bounds(void **state) {
  (void)state;
  static const struct { const char *expr; bool fires; int64_t first, last; } k[] = {
    {"cron(0 0 30 FEB ? *)", false, 0, 0},
    {"cron(0 0 ? * 2#5 1970-1970)", true, INT64_C(7603200000), 0},
    {"cron(0 0 1 JAN ? 2199)", true, INT64_C(7226582400000), INT64_C(7226582400000)},
    {"cron(59 23 29 FEB ? *)", true, INT64_C(68255940000), INT64_C(7137071940000)},
    {"cron(0 12 ? * 2#5 *)", true, INT64_C(7646400000),
     INT64_C(7257988800000)},
    {"cron(0/15 * * * ? 1970)", true, 0, INT64_C(31535100000)},
    {"cron(0 0 ? * 6L 2199)", true, 0, INT64_C(7257686400000)},
    {"cron(30 4 LW * ? *)", true, 0, INT64_C(7258048200000)},
  };
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
    model_cron c = parse_ok(k[i].expr);
    if (c.fires != k[i].fires) fail_msg("%s: fires %d", k[i].expr, c.fires);
    if (!c.fires) {
      int64_t nx;
      assert_false(model_cron_next(&c, 0, &nx));
      continue;
    }
    if (k[i].first && c.first_ms != k[i].first)
      fail_msg("%s: first %lld, expected %lld", k[i].expr, (long long)c.first_ms,
               (long long)k[i].first);
    if (k[i].last && c.last_ms != k[i].last)
      fail_msg("%s: last %lld, expected %lld", k[i].expr, (long long)c.last_ms,
               (long long)k[i].last);
    /* the bounds agree with the search itself */
    int64_t nx = -1;
    assert_true(model_cron_next(&c, c.first_ms - 1, &nx));
    assert_true(nx == c.first_ms);
    assert_true(model_cron_next(&c, c.last_ms - 1, &nx));
    assert_true(nx == c.last_ms);
    assert_false(model_cron_next(&c, c.last_ms, &nx));
    assert_true(brute_match(&c, c.first_ms));
    assert_true(brute_match(&c, c.last_ms));
  }
}

/* ---------------------------------------------------------------- main --- */

static const struct CMUnitTest k_fixed[] = {
  cmocka_unit_test(test_next_edges),
  cmocka_unit_test(test_parsed_fields),
  cmocka_unit_test(test_null_diag_and_expr),
  cmocka_unit_test(test_format_time),
  cmocka_unit_test(test_speed),
  cmocka_unit_test(finding_15_cron_bounds),
  cmocka_unit_test(test_random_against_brute_force),
};
#define N_FIXED (sizeof k_fixed / sizeof k_fixed[0])


int main(void) {
  static struct CMUnitTest all[N_FIXED + N_SEQ + N_BAD];
  size_t n = 0;
  for (size_t i = 0; i < N_FIXED; i++)
    all[n++] = k_fixed[i];
  for (size_t i = 0; i < N_SEQ; i++) {
    struct CMUnitTest t = {k_seq[i].name, run_seq, NULL, NULL,
                           (void *)(uintptr_t)&k_seq[i]};
    all[n++] = t;
  }
  for (size_t i = 0; i < N_BAD; i++) {
    struct CMUnitTest t = {k_bad[i].name, run_bad, NULL, NULL,
                           (void *)(uintptr_t)&k_bad[i]};
    all[n++] = t;
  }
  return cmocka_run_group_tests_name("model_cron", all, NULL, NULL);
}
