/*
 * test_plan_planner.c — a planner case whose optimum is known by
 * construction. Every device is deterministic (online, no start delay, a
 * run time of exactly 30 s); the healthy world succeeds everywhere, the
 * bad-release world fails everywhere. With N = 1000 things and a constant
 * rate R, window k (at 60k s) starts R executions that end at 60k + 30 s, so
 *   completion on the healthy world  T = 60 (ceil(N/R) - 1) + 30 s;
 *   on the bad world every execution fails, so the abort fires when the
 *   M-th execution ends (any threshold <= 100 %), after ceil(M/R) windows,
 *   when every thing of those windows has run: exposure E = R ceil(M/R)
 *   (at most N); the healthy world never aborts.
 * Candidates R in {100, 200, 400, 1000} x M in {100, 300}:
 *   R     T      E(M=100) E(M=300)
 *   100   570 s  100      300
 *   200   270 s  200      400
 *   400   150 s  400      400
 *   1000  30 s   1000     1000
 * With deadline 5 min and K = 300 the only feasible candidate is R = 200,
 * M = 100; with K = 500 the fastest feasible ones are R = 400 (both M, tie
 * broken by exposure, then candidate number: M = 100); with deadline 20 s
 * nothing is feasible and the deadline binds (R = 100 with either M and
 * R = 200 with M = 100 fail only it).
 */
#define _POSIX_C_SOURCE 200809L
#include "test_common.h"

#include <stdio.h>
#include <stdlib.h>

#include "planner.h"
#include "scenario.h"

static model_scenario *build(void) {
  static const char text[] =
      "{\"job\": {\"jobId\": \"known\", \"document\": \"{}\","
      " \"targets\": [\"arn:aws:iot:us-west-2:123456789012:thinggroup/g\"]},"
      " \"fleet\": {\"groups\": [{\"name\": \"g\", \"things\": 1000, \"behavior\": \"b\"}],"
      " \"behaviors\": {\"b\": {\"runTime\": \"30s\"}}},"
      " \"worlds\": {\"healthy\": {}, \"bad-release\": {\"behaviors\": {\"b\":"
      " {\"outcomes\": {\"FAILED\": 1}}}}},"
      " \"simulation\": {\"until\": \"2h\", \"seed\": 5}}";
  model_scenario *sc = NULL;
  sim_diag d;
  int rc = model_scenario_load_text(&sc, "known.json", text, strlen(text), &d);
  if (rc) fprintf(stderr, "%s: %s\n", d.path, d.msg);
  assert_int_equal(rc, SIM_OK);
  return sc;
}

static plan_planner_opts opts(sim_time_ms deadline, int64_t k, unsigned threads) {
  plan_planner_opts o;
  memset(&o, 0, sizeof o);
  o.deadline = deadline;
  o.has_exposure = true;
  o.max_exposure = k;
  o.has_false_abort = true;
  o.max_false_abort = 0.05;
  o.set_rates = o.set_exps = o.set_thresholds = o.set_min_exec = true;
  o.confidence = 0.9;
  o.initial = 20;
  o.max = 60;
  o.seed = 1;
  o.threads = threads;
  o.n_rates = 4;
  o.rates[0] = 100, o.rates[1] = 200, o.rates[2] = 400, o.rates[3] = 1000;
  o.n_thresholds = 1;
  o.thresholds[0] = 50;
  o.n_min_exec = 2;
  o.min_exec[0] = 100, o.min_exec[1] = 300;
  return o;
}

static plan_result *plan(const model_scenario *sc, const plan_planner_opts *o) {
  plan_result *r = NULL;
  sim_diag d;
  int rc = plan_planner_run(&r, sc, o, &d);
  if (rc) fprintf(stderr, "%s: %s\n", d.path, d.msg);
  assert_int_equal(rc, SIM_OK);
  return r;
}

static void test_known_optimum_tight_exposure(void **state) {
  (void)state;
  model_scenario *sc = build();
  plan_planner_opts o = opts(5 * 60000, 300, 2);
  plan_result *r = plan(sc, &o);
  assert_true(r->chosen != SIZE_MAX);
  const plan_candidate *c = &r->c[r->chosen];
  assert_int_equal(c->rate, 200);
  assert_int_equal(c->min_executed, 100);
  assert_int_equal(c->t_q, 270000);
  assert_int_equal(c->e_q, 200);
  /* exactly one feasible candidate; the checks of the construction */
  size_t feasible = 0;
  assert_true(r->c[0].baseline);   /* yours: no rollout config (1000/min), no abort */
  assert_false(r->c[0].feasible);
  for (size_t i = 1; i < r->n; i++) {
    const plan_candidate *x = &r->c[i];
    feasible += x->feasible;
    int64_t windows = (1000 + x->rate - 1) / x->rate;
    assert_int_equal(x->t_q, 60000 * (windows - 1) + 30000);
    if (x->e_q >= 0) {
      int64_t e = x->rate * ((x->min_executed + x->rate - 1) / x->rate);
      assert_int_equal(x->e_q, e > 1000 ? 1000 : e);
    }
    assert_true(x->est[PLAN_C_FALSE_ABORT].p == 0.0);
  }
  assert_int_equal((int)feasible, 1);
  assert_non_null(strstr(c->job_json, "\"maximumPerMinute\": 200"));
  assert_non_null(strstr(c->job_json, "\"minNumberOfExecutedThings\": 100"));
  plan_result_free(r);
  model_scenario_free(sc);
}

static void test_known_optimum_loose_exposure(void **state) {
  (void)state;
  model_scenario *sc = build();
  plan_planner_opts o = opts(5 * 60000, 500, 1);
  plan_result *r = plan(sc, &o);
  assert_true(r->chosen != SIZE_MAX);
  const plan_candidate *c = &r->c[r->chosen];
  assert_int_equal(c->rate, 400);
  assert_int_equal(c->min_executed, 100);
  assert_int_equal((int)c->rank, 1);
  assert_int_equal(c->t_q, 150000);
  plan_result_free(r);
  model_scenario_free(sc);
}

static void test_nothing_feasible_deadline_binds(void **state) {
  (void)state;
  model_scenario *sc = build();
  plan_planner_opts o = opts(20000, 300, 2);
  plan_result *r = plan(sc, &o);
  assert_true(r->chosen == SIZE_MAX);
  assert_non_null(strstr(r->binding, "the deadline binds: 3 of 8 candidates fail only it"));
  plan_result_free(r);
  model_scenario_free(sc);
}

/* The table is the same bytes for 1 and 2 threads. */
static void test_table_thread_independent(void **state) {
  (void)state;
  model_scenario *sc = build();
  char *out[2];
  for (unsigned t = 1; t <= 2; t++) {
    plan_planner_opts o = opts(5 * 60000, 300, t);
    plan_result *r = plan(sc, &o);
    size_t n = 0;
    FILE *f = open_memstream(&out[t - 1], &n);
    assert_int_equal(plan_result_table(r, f), SIM_OK);
    fclose(f);
    plan_result_free(r);
  }
  assert_string_equal(out[0], out[1]);
  free(out[0]);
  free(out[1]);
  model_scenario_free(sc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_known_optimum_tight_exposure),
      cmocka_unit_test(test_known_optimum_loose_exposure),
      cmocka_unit_test(test_nothing_feasible_deadline_binds),
      cmocka_unit_test(test_table_thread_independent),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
