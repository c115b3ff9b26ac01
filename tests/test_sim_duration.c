/*
 * test_sim_duration.c — duration strings and numbers: the grammar, exact
 * fraction rounding, overflow-safe range checks, JSON diagnostics, the
 * compact rendering, and the property parse(format(t)) == t over many values
 * (edges plus pseudo-random ones; JOBSIM_TEST_SEED overrides the seed).
 */
#include "test_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "duration.h"

static const struct { const char *s; sim_time_ms ms; } good[] = {
  {"0", 0},
  {"90", 90000},
  {"1.5", 1500},
  {"0s", 0},
  {"250ms", 250},
  {"90s", 90000},
  {"5m", 300000},
  {"1h30m", 5400000},
  {"2d", 2 * 86400000LL},
  {"1d2h3m4.5s", 86400000LL + 7200000 + 180000 + 4500},
  {"1.5h", 5400000},
  {"0.25s", 250},
  {"1m30s500ms", 90500},
  {"1s1ms", 1001},
  {"0.0005s", 1},           /* half a millisecond rounds up */
  {"0.0004999s", 0},
  {"0.5ms", 1},
  {"0.4ms", 0},
  {"1.0000000000000000000000000001s", 1000},
  {"0.001d", 86400},
  {"007m", 420000},
  {"36600d", 36600LL * 86400000},   /* exactly SIM_DURATION_MAX */
  {"3162240000000ms", 3162240000000LL},
};

static const struct { const char *s; int code; const char *why; } bad[] = {
  {"", SIM_ERR_PARSE, "empty duration"},
  {"-5s", SIM_ERR_PARSE, "negative durations are not allowed"},
  {"1x", SIM_ERR_PARSE, "unknown unit; use d, h, m, s or ms"},
  {"1min", SIM_ERR_PARSE, "unknown unit; use d, h, m, s or ms"},
  {"1H", SIM_ERR_PARSE, "expected a unit (d, h, m, s or ms) after each number"},
  {"nan", SIM_ERR_PARSE, "expected a number"},
  {"NaN", SIM_ERR_PARSE, "expected a number"},
  {"inf", SIM_ERR_PARSE, "expected a number"},
  {"s", SIM_ERR_PARSE, "expected a number"},
  {".5s", SIM_ERR_PARSE, "expected a number"},
  {"+5s", SIM_ERR_PARSE, "expected a number"},
  {" 5s", SIM_ERR_PARSE, "expected a number"},
  {"5s ", SIM_ERR_PARSE, "expected a number"},
  {"1h 30m", SIM_ERR_PARSE, "expected a number"},
  {"5 s", SIM_ERR_PARSE, "expected a unit (d, h, m, s or ms) after each number"},
  {"1.s", SIM_ERR_PARSE, "expected a digit after '.'"},
  {"1e3", SIM_ERR_PARSE, "unknown unit; use d, h, m, s or ms"},
  {"1h30", SIM_ERR_PARSE, "expected a unit (d, h, m, s or ms) after each number"},
  {"30m1h", SIM_ERR_PARSE,
   "units must appear at most once, in the order d, h, m, s, ms"},
  {"1s1s", SIM_ERR_PARSE,
   "units must appear at most once, in the order d, h, m, s, ms"},
  {"1ms1s", SIM_ERR_PARSE,
   "units must appear at most once, in the order d, h, m, s, ms"},
  {"36601d", SIM_ERR_RANGE, "longer than the maximum of 100 years"},
  {"36600d1ms", SIM_ERR_RANGE, "longer than the maximum of 100 years"},
  {"3162240000001ms", SIM_ERR_RANGE, "longer than the maximum of 100 years"},
  {"99999999999999999999999999s", SIM_ERR_RANGE,
   "longer than the maximum of 100 years"},
  {"9223372036854775807d", SIM_ERR_RANGE, "longer than the maximum of 100 years"},
  {"36599.99999999999999999999999d", SIM_OK, NULL},
};

static void test_parse_good(void **state)
{
  size_t i;

  (void)state;
  for (i = 0; i < sizeof good / sizeof good[0]; i++) {
    sim_time_ms ms = -1;
    const char *why = "x";

    print_message("parse \"%s\"\n", good[i].s);
    assert_int_equal(sim_duration_parse(good[i].s, &ms, &why), SIM_OK);
    assert_int_equal(ms, good[i].ms);
    assert_null(why);
  }
}

static void test_parse_bad(void **state)
{
  size_t i;

  (void)state;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    sim_time_ms ms = -7;
    const char *why = NULL;
    int rc = sim_duration_parse(bad[i].s, &ms, &why);

    print_message("parse \"%s\"\n", bad[i].s);
    assert_int_equal(rc, bad[i].code);
    if (rc == SIM_OK)
      continue;
    assert_int_equal(ms, -7);
    assert_string_equal(why, bad[i].why);
  }
  assert_int_equal(sim_duration_parse(NULL, &(sim_time_ms){0}, NULL),
                   SIM_ERR_PARSE);
}

static void test_format(void **state)
{
  static const struct { sim_time_ms ms; const char *s; } tab[] = {
    {0, "0s"},
    {1, "0.001s"},
    {250, "0.25s"},
    {1000, "1s"},
    {1500, "1.5s"},
    {60000, "1m"},
    {5400000, "1h30m"},
    {90061001, "1d1h1m1.001s"},
    {86400000, "1d"},
    {86400001, "1d0.001s"},
    {3600000 + 10, "1h0.01s"},
    {SIM_DURATION_MAX, "36600d"},
    {-1500, "-1.5s"},
  };
  char buf[64];
  size_t i;

  (void)state;
  for (i = 0; i < sizeof tab / sizeof tab[0]; i++) {
    sim_duration_format(tab[i].ms, buf, sizeof buf);
    assert_string_equal(buf, tab[i].s);
  }
  sim_duration_format(INT64_MIN, buf, sizeof buf);
  assert_string_equal(buf, "-106751991167d7h12m55.808s");
  sim_duration_format(90061001, buf, 5); /* truncates, NUL-terminated */
  assert_string_equal(buf, "1d1h");
  buf[0] = 'x';
  sim_duration_format(5, buf, 0);
  assert_int_equal(buf[0], 'x');
}

static uint64_t next_rand(uint64_t *s) /* SplitMix64 */
{
  uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static void round_trip(sim_time_ms t)
{
  char buf[64];
  sim_time_ms back = -1;

  sim_duration_format(t, buf, sizeof buf);
  if (sim_duration_parse(buf, &back, NULL) != SIM_OK || back != t)
    fail_msg("round trip of %lld failed: \"%s\" -> %lld", (long long)t, buf,
             (long long)back);
}

static void test_round_trip(void **state)
{
  const char *env = getenv("JOBSIM_TEST_SEED");
  uint64_t seed = env ? strtoull(env, NULL, 0) : UINT64_C(20240501);
  uint64_t rs = seed;
  sim_time_ms t;
  int i;

  (void)state;
  fprintf(stderr, "test_sim_duration: using seed 0x%llx (set JOBSIM_TEST_SEED "
                  "to override)\n", (unsigned long long)seed);
  for (t = 0; t < 200000; t++)
    round_trip(t);
  for (t = 0; t < 2000; t++) {
    round_trip(t * SIM_MS_PER_MIN);
    round_trip(t * SIM_MS_PER_H + 1);
    round_trip(t * SIM_MS_PER_D + 999);
    round_trip(SIM_DURATION_MAX - t);
  }
  for (i = 0; i < 300000; i++) {
    uint64_t r = next_rand(&rs);

    /* spread over magnitudes: up to 10^k ms for k = 0..12 */
    switch (r % 3) {
    case 0:
      t = (sim_time_ms)((r >> 8) % ((uint64_t)SIM_DURATION_MAX + 1));
      break;
    case 1:
      t = (sim_time_ms)((r >> 8) % 100000000);
      break;
    default:
      t = (sim_time_ms)(((r >> 8) % 100000) * 1000);
      break;
    }
    round_trip(t);
  }
}

static void test_from_json(void **state)
{
  static const struct { const char *json; sim_time_ms ms; } ok[] = {
    {"90", 90000}, {"1.5", 1500}, {"0", 0}, {"0.0004", 0}, {"0.0006", 1},
    {"\"1h30m\"", 5400000}, {"3162240000", SIM_DURATION_MAX},
    {"1e-300", 0},
  };
  static const struct {
    const char *json; int code; const char *msg;
  } ko[] = {
    {"-1", SIM_ERR_RANGE, "expected a non-negative duration, got -1"},
    {"-0.5", SIM_ERR_RANGE, "expected a non-negative duration, got -0.5"},
    {"3162240000.001", SIM_ERR_RANGE,
     "duration 3.16224e+09 s is longer than the maximum of 100 years"},
    {"1e300", SIM_ERR_RANGE,
     "duration 1e+300 s is longer than the maximum of 100 years"},
    {"\"36601d\"", SIM_ERR_RANGE,
     "duration \"36601d\" is longer than the maximum of 100 years"},
    {"\"1x\"", SIM_ERR_PARSE,
     "expected a duration such as \"90s\", \"5m\", \"1h30m\" or a number of "
     "seconds, got \"1x\" (unknown unit; use d, h, m, s or ms)"},
    {"\"\"", SIM_ERR_PARSE,
     "expected a duration such as \"90s\", \"5m\", \"1h30m\" or a number of "
     "seconds, got \"\" (empty duration)"},
    {"true", SIM_ERR_SCHEMA,
     "expected a duration such as \"90s\", \"5m\", \"1h30m\" or a number of "
     "seconds, got boolean"},
    {"null", SIM_ERR_SCHEMA,
     "expected a duration such as \"90s\", \"5m\", \"1h30m\" or a number of "
     "seconds, got null"},
    {"{}", SIM_ERR_SCHEMA,
     "expected a duration such as \"90s\", \"5m\", \"1h30m\" or a number of "
     "seconds, got object"},
    {"\"12345678901234567890123456789012345678901234567890x\"", SIM_ERR_PARSE,
     "expected a duration such as \"90s\", \"5m\", \"1h30m\" or a number of "
     "seconds, got \"1234567890123456789012345678901234567890\"... "
     "(unknown unit; use d, h, m, s or ms)"},
  };
  size_t i;
  sim_diag d;

  (void)state;
  for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    cJSON *j = cJSON_Parse(ok[i].json);
    sim_time_ms ms = -1;

    assert_non_null(j);
    sim_diag_init(&d, NULL);
    assert_int_equal(sim_duration_from_json(j, &ms, &d, "$.t"), SIM_OK);
    assert_int_equal(ms, ok[i].ms);
    assert_int_equal(d.code, SIM_OK);
    cJSON_Delete(j);
  }
  for (i = 0; i < sizeof ko / sizeof ko[0]; i++) {
    cJSON *j = cJSON_Parse(ko[i].json);
    sim_time_ms ms = -1;

    assert_non_null(j);
    sim_diag_init(&d, "f.json");
    assert_int_equal(sim_duration_from_json(j, &ms, &d, "$.a.t"), ko[i].code);
    assert_int_equal(d.code, ko[i].code);
    assert_string_equal(d.path, "$.a.t");
    assert_string_equal(d.msg, ko[i].msg);
    assert_int_equal(ms, -1);
    cJSON_Delete(j);
  }
  {
    /* numbers cJSON cannot produce from text but a program can */
    cJSON *n = cJSON_CreateNumber(NAN), *inf = cJSON_CreateNumber(INFINITY);
    sim_time_ms ms;

    sim_diag_init(&d, NULL);
    assert_int_equal(sim_duration_from_json(n, &ms, &d, "$"), SIM_ERR_RANGE);
    assert_string_equal(d.msg, "expected a finite number of seconds");
    assert_int_equal(sim_duration_from_json(inf, &ms, &d, "$"), SIM_ERR_RANGE);
    assert_int_equal(sim_duration_from_json(NULL, &ms, &d, "$"),
                     SIM_ERR_SCHEMA);
    cJSON_Delete(n);
    cJSON_Delete(inf);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse_good),
    cmocka_unit_test(test_parse_bad),
    cmocka_unit_test(test_format),
    cmocka_unit_test(test_round_trip),
    cmocka_unit_test(test_from_json),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
