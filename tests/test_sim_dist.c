/*
 * test_sim_dist.c — duration distributions: every JSON form parses, every
 * invalid form names its exact path and rule, sample means over 200000 draws
 * land within 2% of the analytic mean, constants draw nothing, truncation
 * and clamping hold, and empirical weights are honoured. Draws come from a
 * named stream of a fixed seed (JOBSIM_TEST_SEED overrides).
 */
#include "test_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "dist.h"
#include "duration.h"
#include "json.h"
#include "rng.h"

typedef struct fixture {
  uint64_t seed;    /* master seed of the streams */
  sim_rngset *rngs; /* one stream per test case, by name */
} fixture;

static int group_setup(void **state)
{
  const char *env = getenv("JOBSIM_TEST_SEED");
  fixture *f = calloc(1, sizeof *f);

  if (f == NULL)
    return -1;
  f->seed = env ? strtoull(env, NULL, 0) : UINT64_C(424242);
  fprintf(stderr, "test_sim_dist: using seed 0x%llx (set JOBSIM_TEST_SEED to "
                  "override)\n", (unsigned long long)f->seed);
  *state = f;
  return sim_rngset_new(&f->rngs, f->seed, NULL) == SIM_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
  fixture *f = *state;

  sim_rngset_free(f->rngs);
  free(f);
  return 0;
}

static gsl_rng *rng(void **state, const char *name)
{
  fixture *f = *state;
  gsl_rng *r = NULL;

  assert_int_equal(sim_rngset_stream(f->rngs, name, &r), SIM_OK);
  return r;
}

/* Parse `text` (valid JSON) as a distribution at path "$.d". */
static int parse(sim_dist *out, const char *text, sim_diag *d)
{
  cJSON *j = NULL;
  int rc;

  sim_diag_init(d, "t.json");
  assert_int_equal(sim_json_parse(text, strlen(text), &j, d), SIM_OK);
  rc = sim_dist_from_json(out, j, NULL, d, "$.d");
  cJSON_Delete(j);
  return rc;
}

static void test_forms(void **state)
{
  static const struct {
    const char *json; sim_dist_kind kind; double p1, p2, mean;
  } tab[] = {
    {"\"30s\"", SIM_DIST_CONSTANT, 30000, 0, 30000},
    {"45", SIM_DIST_CONSTANT, 45000, 0, 45000},
    {"{\"distribution\":\"constant\",\"value\":\"30s\"}", SIM_DIST_CONSTANT,
     30000, 0, 30000},
    {"{\"distribution\":\"uniform\",\"min\":\"1s\",\"max\":\"5s\"}",
     SIM_DIST_UNIFORM, 1000, 5000, 3000},
    {"{\"distribution\":\"uniform\",\"min\":2,\"max\":2}", SIM_DIST_UNIFORM,
     2000, 2000, 2000},
    {"{\"distribution\":\"exponential\",\"mean\":\"30m\"}",
     SIM_DIST_EXPONENTIAL, 1800000, 0, 1800000},
    {"{\"distribution\":\"lognormal\",\"median\":\"5s\",\"sigma\":0.5}",
     SIM_DIST_LOGNORMAL, 5000, 0.5, 5000 * 1.1331484530668263},
    {"{\"distribution\":\"normal\",\"mean\":\"1m\",\"stddev\":\"10s\"}",
     SIM_DIST_NORMAL, 60000, 10000, 60000.0001},
    {"{\"sigma\":0,\"median\":\"1s\",\"distribution\":\"lognormal\"}",
     SIM_DIST_LOGNORMAL, 1000, 0, 1000},
    {"{\"distribution\":\"weibull\",\"scale\":\"1m\",\"shape\":1.5}",
     SIM_DIST_WEIBULL, 60000, 1.5, 60000 * 0.9027452929509336},
    {"{\"distribution\":\"gamma\",\"shape\":2,\"scale\":\"30s\"}",
     SIM_DIST_GAMMA, 2, 30000, 60000},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof tab / sizeof tab[0]; i++) {
    sim_dist dist;
    sim_diag d;

    print_message("form %s\n", tab[i].json);
    assert_int_equal(parse(&dist, tab[i].json, &d), SIM_OK);
    assert_int_equal(dist.kind, tab[i].kind);
    assert_true(dist.p1 == tab[i].p1);
    assert_true(dist.p2 == tab[i].p2);
    assert_true(fabs(sim_dist_mean(&dist) - tab[i].mean) <= 1e-6 * tab[i].mean);
    sim_dist_release(&dist);
  }
}

static void test_empirical_form(void **state)
{
  sim_dist dist;
  sim_diag d;

  (void)state;
  assert_int_equal(parse(&dist, "{\"distribution\":\"empirical\",\"values\":"
                                "[\"1s\",\"5s\",\"30s\"],\"weights\":[1,2,1]}",
                         &d), SIM_OK);
  assert_int_equal(dist.kind, SIM_DIST_EMPIRICAL);
  assert_int_equal(dist.n, 3);
  assert_true(dist.values[0] == 1000 && dist.values[2] == 30000);
  assert_true(dist.cum[0] == 0.25 && dist.cum[1] == 0.75 && dist.cum[2] == 1);
  assert_true(fabs(sim_dist_mean(&dist) - (1000 + 10000 + 30000) / 4.0) < 1e-9);
  sim_dist_release(&dist);
  assert_null(dist.values);
  assert_int_equal(dist.n, 0);
  sim_dist_release(&dist); /* twice is fine: zeroed */

  assert_int_equal(parse(&dist, "{\"distribution\":\"empirical\",\"values\":"
                                "[2, \"1m\"]}", &d), SIM_OK);
  assert_true(dist.cum[0] == 0.5 && dist.cum[1] == 1);
  assert_true(sim_dist_mean(&dist) == 31000);
  sim_dist_release(&dist);
}

static void test_invalid_forms(void **state)
{
  static const struct {
    const char *json; int code; const char *path; const char *msg;
  } tab[] = {
    {"{\"mean\":\"1s\"}", SIM_ERR_SCHEMA, "$.d",
     "missing required field 'distribution'"},
    {"{\"distribution\":\"poisson\",\"mean\":\"1s\"}", SIM_ERR_SCHEMA,
     "$.d.distribution",
     "unknown distribution 'poisson'; expected one of constant, uniform, "
     "exponential, lognormal, normal, weibull, gamma, empirical"},
    {"{\"distribution\":7}", SIM_ERR_SCHEMA, "$.d.distribution",
     "expected a distribution name, got number"},
    {"{\"distribution\":\"exponential\",\"mean\":\"1s\",\"median\":\"1s\"}",
     SIM_ERR_SCHEMA, "$.d.median", "unknown field 'median'"},
    {"{\"distribution\":\"exponential\",\"mean\":\"1s\",\"mean\":\"2s\"}",
     SIM_ERR_SCHEMA, "$.d.mean", "duplicate field 'mean'"},
    {"{\"distribution\":\"constant\"}", SIM_ERR_SCHEMA, "$.d",
     "missing required field 'value'"},
    {"{\"distribution\":\"exponential\"}", SIM_ERR_SCHEMA, "$.d",
     "missing required field 'mean'"},
    {"{\"distribution\":\"exponential\",\"mean\":\"0s\"}", SIM_ERR_RANGE,
     "$.d.mean", "expected a duration greater than 0"},
    {"{\"distribution\":\"exponential\",\"mean\":-1}", SIM_ERR_RANGE,
     "$.d.mean", "expected a non-negative duration, got -1"},
    {"{\"distribution\":\"exponential\",\"mean\":\"1x\"}", SIM_ERR_PARSE,
     "$.d.mean",
     "expected a duration such as \"90s\", \"5m\", \"1h30m\" or a number of "
     "seconds, got \"1x\" (unknown unit; use d, h, m, s or ms)"},
    {"{\"distribution\":\"uniform\",\"min\":\"5s\",\"max\":\"1s\"}",
     SIM_ERR_RANGE, "$.d.max", "expected a duration of at least min (5s)"},
    {"{\"distribution\":\"uniform\",\"max\":\"1s\"}", SIM_ERR_SCHEMA, "$.d",
     "missing required field 'min'"},
    {"{\"distribution\":\"lognormal\",\"median\":\"0s\",\"sigma\":1}",
     SIM_ERR_RANGE, "$.d.median", "expected a duration greater than 0"},
    {"{\"distribution\":\"lognormal\",\"median\":\"5s\",\"sigma\":-0.5}",
     SIM_ERR_RANGE, "$.d.sigma", "expected a number >= 0"},
    {"{\"distribution\":\"lognormal\",\"median\":\"5s\",\"sigma\":\"0.5\"}",
     SIM_ERR_SCHEMA, "$.d.sigma", "expected a number, got string"},
    {"{\"distribution\":\"lognormal\",\"median\":\"5s\"}", SIM_ERR_SCHEMA,
     "$.d", "missing required field 'sigma'"},
    {"{\"distribution\":\"normal\",\"mean\":\"1m\",\"stddev\":\"-1s\"}",
     SIM_ERR_PARSE, "$.d.stddev",
     "expected a duration such as \"90s\", \"5m\", \"1h30m\" or a number of "
     "seconds, got \"-1s\" (negative durations are not allowed)"},
    {"{\"distribution\":\"weibull\",\"scale\":\"1m\",\"shape\":0}",
     SIM_ERR_RANGE, "$.d.shape", "expected a number greater than 0"},
    {"{\"distribution\":\"weibull\",\"scale\":0,\"shape\":1}", SIM_ERR_RANGE,
     "$.d.scale", "expected a duration greater than 0"},
    {"{\"distribution\":\"gamma\",\"shape\":-1,\"scale\":\"1s\"}",
     SIM_ERR_RANGE, "$.d.shape", "expected a number greater than 0"},
    {"{\"distribution\":\"gamma\",\"shape\":1,\"scale\":\"0ms\"}",
     SIM_ERR_RANGE, "$.d.scale", "expected a duration greater than 0"},
    {"{\"distribution\":\"empirical\"}", SIM_ERR_SCHEMA, "$.d",
     "missing required field 'values'"},
    {"{\"distribution\":\"empirical\",\"values\":[]}", SIM_ERR_RANGE,
     "$.d.values", "expected 1 to 10000 values, got 0"},
    {"{\"distribution\":\"empirical\",\"values\":\"1s\"}", SIM_ERR_SCHEMA,
     "$.d.values", "expected an array of durations, got string"},
    {"{\"distribution\":\"empirical\",\"values\":[\"1s\",true]}",
     SIM_ERR_SCHEMA, "$.d.values[1]",
     "expected a duration such as \"90s\", \"5m\", \"1h30m\" or a number of "
     "seconds, got boolean"},
    {"{\"distribution\":\"empirical\",\"values\":[\"1s\",\"2s\"],"
     "\"weights\":[1]}", SIM_ERR_SCHEMA, "$.d.weights",
     "expected 2 weights, one per value, got 1"},
    {"{\"distribution\":\"empirical\",\"values\":[\"1s\"],\"weights\":{}}",
     SIM_ERR_SCHEMA, "$.d.weights", "expected an array of numbers, got object"},
    {"{\"distribution\":\"empirical\",\"values\":[\"1s\",\"2s\"],"
     "\"weights\":[0,0]}", SIM_ERR_RANGE, "$.d.weights",
     "expected at least one positive weight"},
    {"{\"distribution\":\"empirical\",\"values\":[\"1s\",\"2s\"],"
     "\"weights\":[1,-1]}", SIM_ERR_RANGE, "$.d.weights[1]",
     "expected a number from 0 to 1e+15"},
    {"{\"distribution\":\"empirical\",\"values\":[\"1s\",\"2s\"],"
     "\"weights\":[1,\"1\"]}", SIM_ERR_SCHEMA, "$.d.weights[1]",
     "expected a number, got string"},
    {"[1, 2]", SIM_ERR_SCHEMA, "$.d",
     "expected a duration or a distribution object, got array"},
    {"null", SIM_ERR_SCHEMA, "$.d",
     "expected a duration or a distribution object, got null"},
    {"\"1x\"", SIM_ERR_PARSE, "$.d",
     "expected a duration such as \"90s\", \"5m\", \"1h30m\" or a number of "
     "seconds, got \"1x\" (unknown unit; use d, h, m, s or ms)"},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof tab / sizeof tab[0]; i++) {
    sim_dist dist;
    sim_diag d;

    print_message("invalid form %s\n", tab[i].json);
    assert_int_equal(parse(&dist, tab[i].json, &d), tab[i].code);
    assert_int_equal(d.code, tab[i].code);
    assert_string_equal(d.path, tab[i].path);
    assert_string_equal(d.msg, tab[i].msg);
    assert_null(dist.values); /* left released */
    assert_null(dist.cum);
    sim_dist_release(&dist);
  }
}

static void test_empirical_too_many(void **state)
{
  cJSON *obj = cJSON_CreateObject(), *vals = cJSON_CreateArray();
  sim_dist dist;
  sim_diag d;
  int i;

  (void)state;
  cJSON_AddStringToObject(obj, "distribution", "empirical");
  for (i = 0; i < 10001; i++)
    cJSON_AddItemToArray(vals, cJSON_CreateNumber(i));
  cJSON_AddItemToObject(obj, "values", vals);
  sim_diag_init(&d, NULL);
  assert_int_equal(sim_dist_from_json(&dist, obj, NULL, &d, "$.x"),
                   SIM_ERR_RANGE);
  assert_string_equal(d.path, "$.x.values");
  assert_string_equal(d.msg, "expected 1 to 10000 values, got 10001");
  cJSON_DeleteItemFromArray(vals, 0);
  assert_int_equal(sim_dist_from_json(&dist, obj, NULL, &d, "$.x"), SIM_OK);
  assert_int_equal(dist.n, 10000);
  assert_true(fabs(sim_dist_mean(&dist) - 5000500.0) < 1e-3);
  sim_dist_release(&dist);
  cJSON_Delete(obj);
}

/* Sample mean of n draws, in ms. */
static double sample_mean(const sim_dist *dist, gsl_rng *r, int n)
{
  double sum = 0;
  int i;

  for (i = 0; i < n; i++) {
    sim_time_ms x = sim_dist_sample(dist, r);

    assert_true(x >= 0 && x <= SIM_DURATION_MAX);
    sum += (double)x;
  }
  return sum / n;
}

static void test_sample_means(void **state)
{
  static const char *const forms[] = {
    "{\"distribution\":\"exponential\",\"mean\":\"30s\"}",
    "{\"distribution\":\"lognormal\",\"median\":\"5s\",\"sigma\":0.5}",
    "{\"distribution\":\"uniform\",\"min\":\"1s\",\"max\":\"5s\"}",
    "{\"distribution\":\"gamma\",\"shape\":2,\"scale\":\"30s\"}",
    "{\"distribution\":\"gamma\",\"shape\":0.5,\"scale\":\"30s\"}",
    "{\"distribution\":\"weibull\",\"scale\":\"1m\",\"shape\":1.5}",
    "{\"distribution\":\"weibull\",\"scale\":\"1m\",\"shape\":0.8}",
    "{\"distribution\":\"normal\",\"mean\":\"1m\",\"stddev\":\"10s\"}",
    "{\"distribution\":\"normal\",\"mean\":\"0s\",\"stddev\":\"10s\"}",
    "{\"distribution\":\"normal\",\"mean\":\"5s\",\"stddev\":\"10s\"}",
    ("{\"distribution\":\"empirical\",\"values\":[\"1s\",\"5s\",\"30s\"],"
     "\"weights\":[1,2,1]}"),
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
    sim_dist dist;
    sim_diag d;
    double want, got;

    assert_int_equal(parse(&dist, forms[i], &d), SIM_OK);
    want = sim_dist_mean(&dist);
    got = sample_mean(&dist, rng(state, forms[i]), 200000);
    print_message("%s: mean %.1f, sample %.1f\n", forms[i], want, got);
    if (fabs(got - want) > 0.02 * want)
      fail_msg("%s: sample mean %.1f not within 2%% of %.1f (seed 0x%llx)",
               forms[i], got, want,
               (unsigned long long)((fixture *)*state)->seed);
    sim_dist_release(&dist);
  }
}

static void test_constant_draws_nothing(void **state)
{
  gsl_rng *r = rng(state, "constant"), *copy = gsl_rng_clone(r);
  sim_dist dist;
  int i;

  (void)state;
  sim_dist_constant(&dist, 1234);
  assert_int_equal(dist.kind, SIM_DIST_CONSTANT);
  for (i = 0; i < 10; i++)
    assert_int_equal(sim_dist_sample(&dist, r), 1234);
  assert_true(sim_dist_mean(&dist) == 1234);
  assert_int_equal(gsl_rng_get(r), gsl_rng_get(copy));
  sim_dist_release(&dist);
  gsl_rng_free(copy);
}

static void test_empirical_weights(void **state)
{
  sim_dist dist;
  sim_diag d;
  gsl_rng *r = rng(state, "empirical");
  int counts[4] = {0, 0, 0, 0}, i;

  (void)state;
  assert_int_equal(parse(&dist, "{\"distribution\":\"empirical\",\"values\":"
                                "[\"0s\",\"1s\",\"2s\",\"3s\"],"
                                "\"weights\":[0,3,0,1]}", &d), SIM_OK);
  for (i = 0; i < 100000; i++) {
    sim_time_ms x = sim_dist_sample(&dist, r);

    assert_true(x % 1000 == 0 && x <= 3000);
    counts[x / 1000]++;
  }
  assert_int_equal(counts[0], 0);
  assert_int_equal(counts[2], 0);
  assert_true(abs(counts[1] - 75000) < 1000);
  sim_dist_release(&dist);
  /* a single value */
  assert_int_equal(parse(&dist, "{\"distribution\":\"empirical\",\"values\":"
                                "[\"7s\"]}", &d), SIM_OK);
  for (i = 0; i < 100; i++)
    assert_int_equal(sim_dist_sample(&dist, r), 7000);
  sim_dist_release(&dist);
}

static void test_bounds_and_rounding(void **state)
{
  sim_dist dist;
  sim_diag d;
  gsl_rng *r = rng(state, "extremes");
  int i, saw_max = 0;

  (void)state;
  /* a huge sigma overflows exp(): clamped, never negative or wrapped */
  assert_int_equal(parse(&dist, "{\"distribution\":\"lognormal\",\"median\":"
                                "\"1d\",\"sigma\":1000}", &d), SIM_OK);
  for (i = 0; i < 1000; i++) {
    sim_time_ms x = sim_dist_sample(&dist, r);

    assert_true(x >= 0 && x <= SIM_DURATION_MAX);
    saw_max += x == SIM_DURATION_MAX;
  }
  assert_true(saw_max > 0);
  sim_dist_release(&dist);
  /* uniform stays inside [min, max] after rounding */
  assert_int_equal(parse(&dist, "{\"distribution\":\"uniform\",\"min\":"
                                "\"10ms\",\"max\":\"12ms\"}", &d), SIM_OK);
  for (i = 0; i < 10000; i++) {
    sim_time_ms x = sim_dist_sample(&dist, r);

    assert_true(x >= 10 && x <= 12);
  }
  sim_dist_release(&dist);
  /* a truncated normal never goes below zero */
  assert_int_equal(parse(&dist, "{\"distribution\":\"normal\",\"mean\":0,"
                                "\"stddev\":\"1h\"}", &d), SIM_OK);
  for (i = 0; i < 10000; i++)
    assert_true(sim_dist_sample(&dist, r) >= 0);
  sim_dist_release(&dist);
}

/* Draws equal what GSL's own samplers, rounded with llround, give on a
 * twin stream: sampling takes shortcuts (inline uniform and exponential,
 * rounding without libm) that must not change a single millisecond. */
static sim_time_ms ref_ms(double x)
{
  if (!(x > 0))
    return 0;
  if (x >= (double)SIM_DURATION_MAX)
    return SIM_DURATION_MAX;
  return (sim_time_ms)llround(x);
}

static void test_same_draws_as_gsl(void **state)
{
  static const char *const forms[] = {
    "{\"distribution\":\"exponential\",\"mean\":\"10s\"}",
    "{\"distribution\":\"exponential\",\"mean\":\"3ms\"}",
    "{\"distribution\":\"uniform\",\"min\":\"1s\",\"max\":\"5s\"}",
    "{\"distribution\":\"lognormal\",\"median\":\"90s\",\"sigma\":0.4}",
    "{\"distribution\":\"empirical\",\"values\":[\"1s\",\"5s\",\"30s\"],"
    "\"weights\":[1,2,1]}",
  };
  sim_rngset *s1 = NULL, *s2 = NULL;
  gsl_rng *a = NULL, *b = NULL;
  size_t k;
  int i;

  (void)state;
  assert_int_equal(sim_rngset_new(&s1, 77, NULL), SIM_OK);
  assert_int_equal(sim_rngset_new(&s2, 77, NULL), SIM_OK);
  assert_int_equal(sim_rngset_stream(s1, "twin", &a), SIM_OK);
  assert_int_equal(sim_rngset_stream(s2, "twin", &b), SIM_OK);
  for (k = 0; k < sizeof forms / sizeof forms[0]; k++) {
    sim_dist dist;
    sim_diag d;

    assert_int_equal(parse(&dist, forms[k], &d), SIM_OK);
    for (i = 0; i < 3000; i++) {
      double x = 0, u;
      size_t j;

      switch (dist.kind) {
      case SIM_DIST_EXPONENTIAL:
        x = gsl_ran_exponential(b, dist.p1);
        break;
      case SIM_DIST_UNIFORM:
        x = dist.p1 + (dist.p2 - dist.p1) * gsl_rng_uniform(b);
        break;
      case SIM_DIST_LOGNORMAL:
        x = dist.p1 * exp(dist.p2 * gsl_ran_gaussian_ziggurat(b, 1.0));
        break;
      default: /* empirical: the first value whose cumulative weight exceeds u */
        u = gsl_rng_uniform(b);
        for (j = 0; u >= dist.cum[j]; j++)
          ;
        x = dist.values[j];
        break;
      }
      assert_int_equal(sim_dist_sample(&dist, a), ref_ms(x));
    }
    sim_dist_release(&dist);
  }
  /* rounding: halves go up, just below a half goes down, as llround */
  for (i = 0; i < 20000; i++) {
    sim_dist c;
    double base = (double)(i * 7919 % 1000003), x;

    memset(&c, 0, sizeof c);
    c.kind = SIM_DIST_CONSTANT;
    x = i % 4 == 0   ? base + 0.5
        : i % 4 == 1 ? nextafter(base + 0.5, 0.0)
        : i % 4 == 2 ? nextafter(base + 0.5, 1e9)
                     : base + gsl_rng_uniform(b);
    c.p1 = x;
    assert_int_equal(sim_dist_sample(&c, a), ref_ms(x));
  }
  sim_rngset_free(s1);
  sim_rngset_free(s2);
}

/* A generator whose uniform draw is whatever the test puts in it. */
typedef struct preset_state {
  double u;
} preset_state;
static void preset_set(void *st, unsigned long seed) { ((preset_state *)st)->u = (double)seed; }
static unsigned long preset_get(void *st) { (void)st; return 0; }
static double preset_get_double(void *st) { return ((preset_state *)st)->u; }
static const gsl_rng_type preset_type = {"preset", 0xffffffffUL, 0, sizeof(preset_state),
                                         preset_set, preset_get, preset_get_double};

/* The exponential draw takes log(1 - u) for log1p(-u) where the rounded
 * millisecond cannot differ, and GSL's log1p near a rounding boundary: on
 * mt19937's grid of u = k / 2^32 (ends included), on any u >= 1/2 (1 - u
 * exact), on u below 1/2 off the grid (1 - u inexact: GSL's way), and on u
 * placed so that the draw lands within a few ulps of a half millisecond
 * (the fallback), for means from 1 ms to ones that reach SIM_DURATION_MAX,
 * every draw equals gsl_ran_exponential's rounded with llround. */
static void test_exponential_exact(void **state)
{
  static const double means[] = {1.0, 3.0, 7.3, 10000.0, 1.8e6, 1.0e11, 1.6e11};
  preset_state st = {0};
  gsl_rng r = {&preset_type, &st};
  size_t m;
  long i;

  (void)state;
  for (m = 0; m < sizeof means / sizeof means[0]; m++) {
    sim_dist d;

    memset(&d, 0, sizeof d);
    d.kind = SIM_DIST_EXPONENTIAL;
    d.p1 = means[m];
    for (i = 0; i < 60000; i++) {
      uint64_t k = i < 100 ? (uint64_t)i
                   : i < 200 ? (UINT64_C(1) << 32) - 1 - (uint64_t)(i - 100)
                             : ((uint64_t)i * UINT64_C(2654435761)) & 0xffffffffu;
      double u[3];
      int j;

      u[0] = (double)k / 4294967296.0;
      u[1] = 0.5 + 0.5 * ((double)k / 4294967296.0 + (double)(i % 1013) * 0x1p-45);
      u[2] = nextafter(u[0] * 0.37, 1.0);                     /* off the grid */
      for (j = 0; j < 3; j++) {
        if (!(u[j] < 1.0))
          continue;
        st.u = u[j];
        assert_int_equal(sim_dist_sample(&d, &r), ref_ms(-d.p1 * log1p(-u[j])));
      }
    }
    for (i = 0; i < 20000; i++) {   /* draws at n + 1/2 ms, give or take ulps */
      double x = (double)(i / 5) + 0.5, u0 = -expm1(-x / d.p1), u = u0;
      int j;

      if (!(u0 < 1.0) || !(u0 > 0))
        continue;
      for (j = 0; j < (i % 5); j++)
        u = nextafter(u, i % 2 ? 1.0 : 0.0);
      st.u = u;
      assert_int_equal(sim_dist_sample(&d, &r), ref_ms(-d.p1 * log1p(-u)));
    }
  }
}

static void test_names(void **state)
{
  static const char *const want[] = {"constant", "uniform", "exponential",
                                     "lognormal", "normal", "weibull",
                                     "gamma", "empirical"};
  int k;

  (void)state;
  for (k = SIM_DIST_CONSTANT; k <= SIM_DIST_EMPIRICAL; k++)
    assert_string_equal(sim_dist_name((sim_dist_kind)k), want[k]);
  assert_string_equal(sim_dist_name((sim_dist_kind)99), "unknown");
}

typedef struct memctl {
  long fail_at; /* 1-based allocation to fail, 0 = never */
  long count;   /* allocations attempted */
  long blocks;  /* live blocks */
} memctl;

static void *memctl_fn(void *ud, void *p, size_t osize, size_t nsize)
{
  memctl *m = ud;

  if (nsize == 0) {
    if (p)
      m->blocks--;
    free(p);
    return NULL;
  }
  if (++m->count == m->fail_at)
    return NULL;
  p = realloc(p, nsize);
  if (p && osize == 0)
    m->blocks++;
  return p;
}

static void test_alloc_failure(void **state)
{
  const char *text = "{\"distribution\":\"empirical\",\"values\":[1,2,3]}";
  cJSON *j = NULL;
  long n;
  sim_diag d;

  (void)state;
  sim_diag_init(&d, NULL);
  assert_int_equal(sim_json_parse(text, strlen(text), &j, &d), SIM_OK);
  for (n = 1; n <= 3; n++) {
    memctl m = {n, 0, 0};
    sim_alloc a = {memctl_fn, &m};
    sim_dist dist;
    int rc = sim_dist_from_json(&dist, j, &a, &d, "$");

    if (n <= 2) {
      assert_int_equal(rc, SIM_ERR_NOMEM);
      assert_string_equal(d.msg, "out of memory");
    } else {
      assert_int_equal(rc, SIM_OK);
      assert_int_equal(m.blocks, 2);
    }
    sim_dist_release(&dist);
    assert_int_equal(m.blocks, 0);
  }
  cJSON_Delete(j);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_forms),
    cmocka_unit_test(test_empirical_form),
    cmocka_unit_test(test_invalid_forms),
    cmocka_unit_test(test_empirical_too_many),
    cmocka_unit_test(test_sample_means),
    cmocka_unit_test(test_constant_draws_nothing),
    cmocka_unit_test(test_empirical_weights),
    cmocka_unit_test(test_bounds_and_rounding),
    cmocka_unit_test(test_same_draws_as_gsl),
    cmocka_unit_test(test_exponential_exact),
    cmocka_unit_test(test_names),
    cmocka_unit_test(test_alloc_failure),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
