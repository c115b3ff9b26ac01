/*
 * test_plan_stats.c — the pieces of plan/ with exact answers: Wilson
 * intervals, nearest-rank quantiles, decisions, --vary parsing, JSON paths,
 * world validation and world loading, per-replication metrics and the
 * thread-count independence of a sweep's CSV.
 */
#define _POSIX_C_SOURCE 200809L
#include "test_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "metrics.h"
#include "reps.h"
#include "scenario.h"
#include "stats.h"
#include "sweep.h"

static void test_wilson_known_values(void **state) {
  (void)state;
  double lo, hi;
  plan_wilson(0, 10, PLAN_Z95, &lo, &hi);
  assert_true(lo == 0.0);
  assert_true(fabs(hi - 0.277532) < 1e-6);
  plan_wilson(5, 10, PLAN_Z95, &lo, &hi);
  assert_true(fabs(lo - 0.236593) < 1e-6);
  assert_true(fabs(hi - 0.763407) < 1e-6);
  plan_wilson(10, 10, PLAN_Z95, &lo, &hi);
  assert_true(hi == 1.0);
  assert_true(fabs(lo - 0.722468) < 1e-6);
  plan_wilson(0, 0, PLAN_Z95, &lo, &hi);
  assert_true(lo == 0.0 && hi == 1.0);
}

static void test_quantiles_nearest_rank(void **state) {
  (void)state;
  int64_t v[] = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
  plan_summary s;
  plan_summarize(v, 10, &s);
  assert_int_equal(s.min, 1);
  assert_int_equal(s.max, 10);
  assert_int_equal(s.p50, 5);    /* ceil(0.5 * 10) = 5th */
  assert_int_equal(s.p90, 9);    /* 9th */
  assert_int_equal(s.p99, 10);   /* ceil(9.9) = 10th */
  assert_true(fabs(s.mean - 5.5) < 1e-12);
  int64_t one[] = {42};
  plan_summarize(one, 1, &s);
  assert_int_equal(s.p50, 42);
  assert_int_equal(s.p99, 42);
  plan_summarize(one, 0, &s);
  assert_int_equal((int)s.n, 0);
}

static void test_decisions(void **state) {
  (void)state;
  assert_int_equal(plan_decide(0, 100, 0.05, false, PLAN_Z95), PLAN_PASS);  /* hi .037 */
  assert_int_equal(plan_decide(3, 100, 0.05, false, PLAN_Z95), PLAN_CLOSE);
  assert_int_equal(plan_decide(20, 100, 0.05, false, PLAN_Z95), PLAN_FAIL);
  assert_int_equal(plan_decide(100, 100, 0.9, true, PLAN_Z95), PLAN_PASS);
  assert_int_equal(plan_decide(46, 50, 0.9, true, PLAN_Z95), PLAN_CLOSE);
  assert_int_equal(plan_decide(20, 50, 0.9, true, PLAN_Z95), PLAN_FAIL);
}

static void test_vary_parsing(void **state) {
  (void)state;
  plan_vary v;
  char err[256];
  assert_int_equal(plan_vary_parse(&v, "job.abortConfig.criteriaList[0].thresholdPercentage=5:50:5",
                                   err, sizeof err), SIM_OK);
  assert_int_equal((int)v.n, 10);
  assert_true(v.numeric);
  assert_string_equal(v.json[0], "5");
  assert_string_equal(v.json[9], "50");
  plan_vary_release(&v);
  assert_int_equal(plan_vary_parse(&v, "$.x=0.1:0.3:0.1", err, sizeof err), SIM_OK);
  assert_int_equal((int)v.n, 3);
  assert_string_equal(v.path, "x");
  assert_string_equal(v.json[2], "0.3");
  plan_vary_release(&v);
  assert_int_equal(plan_vary_parse(&v, "a.b=1h, 2, \"x,y\" ,true", err, sizeof err), SIM_OK);
  /* commas always split: "x and y" are two bare words */
  assert_int_equal((int)v.n, 5);
  assert_false(v.numeric);
  assert_string_equal(v.json[0], "\"1h\"");
  assert_string_equal(v.label[0], "1h");
  assert_string_equal(v.json[1], "2");
  assert_string_equal(v.json[4], "true");
  plan_vary_release(&v);
  assert_int_equal(plan_vary_parse(&v, "a=5:1:1", err, sizeof err), SIM_ERR_USAGE);
  assert_int_equal(plan_vary_parse(&v, "=5", err, sizeof err), SIM_ERR_USAGE);
  assert_int_equal(plan_vary_parse(&v, "a[x]=5", err, sizeof err), SIM_ERR_USAGE);
}

static void test_json_paths(void **state) {
  (void)state;
  cJSON *root = cJSON_Parse("{\"job\":{\"abortConfig\":{\"criteriaList\":[{\"t\":1}]}},"
                            "\"a.b\":{\"c\":1}}");
  char err[256];
  assert_int_equal(plan_json_set(root, "job.abortConfig.criteriaList[0].t",
                                 cJSON_CreateNumber(7), err, sizeof err), SIM_OK);
  assert_true(plan_json_get(root, "$.job.abortConfig.criteriaList[0].t")->valuedouble == 7);
  assert_int_equal(plan_json_set(root, "simulation.seed", cJSON_CreateNumber(3), err,
                                 sizeof err), SIM_OK);   /* created on the way */
  assert_true(plan_json_get(root, "simulation.seed")->valuedouble == 3);
  assert_int_equal(plan_json_set(root, "[\"a.b\"].c", cJSON_CreateNumber(9), err, sizeof err),
                   SIM_OK);
  assert_true(plan_json_get(root, "[\"a.b\"].c")->valuedouble == 9);
  assert_int_equal(plan_json_set(root, "job.abortConfig.criteriaList[3].t",
                                 cJSON_CreateNumber(1), err, sizeof err), SIM_ERR_USAGE);
  assert_int_equal(plan_json_set(root, "job.nope[0]", cJSON_CreateNumber(1), err, sizeof err),
                   SIM_ERR_USAGE);
  cJSON_Delete(root);
}

/* ---------------------------------------------------------------- worlds --- */

static const char base_fleet[] =
    "\"job\": {\"jobId\": \"j\", \"document\": \"{}\", \"targets\": ["
    "\"arn:aws:iot:us-west-2:123456789012:thinggroup/a\","
    "\"arn:aws:iot:us-west-2:123456789012:thinggroup/b\"],"
    "\"abortConfig\": {\"criteriaList\": [{\"failureType\": \"FAILED\", \"action\": \"CANCEL\","
    "\"thresholdPercentage\": 50, \"minNumberOfExecutedThings\": 10}]}},"
    "\"fleet\": {\"groups\": [{\"name\": \"a\", \"things\": 30, \"behavior\": \"ok\"},"
    "{\"name\": \"b\", \"things\": 20, \"behavior\": \"shaky\"}],"
    "\"behaviors\": {\"ok\": {\"runTime\": \"30s\"}, \"shaky\": {\"runTime\": \"30s\","
    "\"outcomes\": {\"SUCCEEDED\": 0.5, \"FAILED\": 0.5}}}},"
    "\"simulation\": {\"until\": \"2h\"}";

static int load_with(const char *worlds, model_scenario **sc, sim_diag *d) {
  char text[4096];
  snprintf(text, sizeof text, "{%s%s%s}", base_fleet, worlds ? ", \"worlds\": " : "",
           worlds ? worlds : "");
  return model_scenario_load_text(sc, "w.json", text, strlen(text), d);
}

static void expect_error(const char *worlds, const char *path, const char *msg) {
  model_scenario *sc = NULL;
  sim_diag d;
  int rc = load_with(worlds, &sc, &d);
  if (rc == SIM_OK || strcmp(d.path, path) != 0 || strcmp(d.msg, msg) != 0)
    fprintf(stderr, "worlds %s: got rc %d, %s: %s\n", worlds, rc, d.path, d.msg);
  assert_int_not_equal(rc, SIM_OK);
  assert_string_equal(d.path, path);
  assert_string_equal(d.msg, msg);
  assert_null(sc);
}

static void test_world_validation(void **state) {
  (void)state;
  expect_error("[]", "$.worlds", "expected an object, got array");
  expect_error("{}", "$.worlds", "expected 1 to 64 worlds, got 0");
  expect_error("{\".x\": {}}", "$.worlds..x",
               "expected a world name of 1 to 64 characters from [A-Za-z0-9._-], not "
               "starting with '.'");
  expect_error("{\"w\": {\"size\": 1}}", "$.worlds.w.size", "unknown field 'size'");
  expect_error("{\"w\": 3}", "$.worlds.w", "expected an object, got number");
  expect_error("{\"w\": {\"behaviors\": {\"nope\": {}}}}", "$.worlds.w.behaviors.nope",
               "unknown behavior 'nope' (not defined in $.fleet.behaviors)");
  expect_error("{\"w\": {\"behaviors\": {\"ok\": 1}}}", "$.worlds.w.behaviors.ok",
               "expected an object, got number");
  expect_error("{\"w\": {\"behaviors\": {\"ok\": {\"connected\": 2}}}}",
               "$.worlds.w.behaviors.ok.connected", "expected a number from 0 to 1");
  expect_error("{\"w\": {\"behaviors\": {\"ok\": {\"outcomes\": {\"FAILED\": 0.5}}}}}",
               "$.worlds.w.behaviors.ok.outcomes",
               "outcome probabilities must sum to 1, got 0.5");
  expect_error("{\"w\": {\"behaviors\": {\"ok\": {\"speed\": 1}}}}",
               "$.worlds.w.behaviors.ok.speed", "unknown field 'speed'");
  expect_error("{\"w\": {\"affects\": \"a\"}}", "$.worlds.w.affects",
               "expected an array, got string");
  expect_error("{\"w\": {\"affects\": [1]}}", "$.worlds.w.affects[0]",
               "expected a string, got number");
  expect_error("{\"w\": {\"affects\": [\"c\"]}}", "$.worlds.w.affects[0]",
               "unknown group 'c' (not in $.fleet.groups)");
  expect_error("{\"w\": {\"affects\": [\"a\", \"a\"]}}", "$.worlds.w.affects[1]",
               "duplicate group 'a', already given at $.worlds.w.affects[0]");
  expect_error("{\"w\": {\"description\": 5}}", "$.worlds.w.description",
               "expected a string, got number");
}

static void test_world_defaults_and_loading(void **state) {
  (void)state;
  model_scenario *sc = NULL, *w = NULL;
  sim_diag d;
  assert_int_equal(load_with("{\"healthy\": {\"behaviors\": {\"shaky\": {\"outcomes\": "
                             "{\"SUCCEEDED\": 1}}}, \"affects\": []},"
                             "\"bad\": {\"behaviors\": {\"shaky\": {\"connected\": 0.9}}}}",
                             &sc, &d),
                   SIM_OK);
  assert_int_equal((int)sc->n_worlds, 2);
  assert_int_equal((int)sc->worlds[0].n_affects, 0);
  assert_int_equal((int)sc->worlds[1].n_affects, 1);   /* default: groups of "shaky" */
  assert_int_equal((int)sc->worlds[1].affects[0], 1);
  /* field-level override: outcomes replaced, runTime kept */
  assert_int_equal(model_world_load(&w, sc, "healthy", &d), SIM_OK);
  assert_int_equal((int)w->n_worlds, 0);
  assert_true(w->fleet.behaviors[1].outcome_p[MODEL_OUTCOME_SUCCEEDED] == 1.0);
  assert_true(sim_dist_mean(&w->fleet.behaviors[1].run_time) == 30000.0);
  model_scenario_free(w);
  assert_int_equal(model_world_load(&w, sc, "bad", &d), SIM_OK);
  assert_true(w->fleet.behaviors[1].connected == 0.9);
  assert_true(w->fleet.behaviors[1].outcome_p[MODEL_OUTCOME_FAILED] == 0.5);
  model_scenario_free(w);
  assert_int_equal(model_world_load(&w, sc, "nope", &d), SIM_ERR_RANGE);
  assert_string_equal(d.msg, "unknown world 'nope'; the scenario's worlds are healthy, bad");
  model_scenario_free(sc);
  /* no worlds: only "default" */
  assert_int_equal(load_with(NULL, &sc, &d), SIM_OK);
  assert_int_equal(model_world_load(&w, sc, MODEL_WORLD_DEFAULT, &d), SIM_OK);
  model_scenario_free(w);
  assert_int_equal(model_world_load(&w, sc, "healthy", &d), SIM_ERR_RANGE);
  model_scenario_free(sc);
}

/* -------------------------------------------------------------- metrics --- */

static void test_metrics_and_exposure(void **state) {
  (void)state;
  model_scenario *sc = NULL;
  sim_diag d;
  assert_int_equal(load_with("{\"bad\": {\"behaviors\": {\"shaky\": {\"outcomes\": "
                             "{\"FAILED\": 1}}}}}", &sc, &d), SIM_OK);
  model_scenario *w = NULL;
  assert_int_equal(model_world_load(&w, sc, "bad", &d), SIM_OK);
  plan_metrics m;
  assert_int_equal(plan_metrics_run(&m, w, 7, sc->worlds[0].affects,
                                    sc->worlds[0].n_affects, &d), SIM_OK);
  /* 50 things at the default 1000/min: all start at 0 and end at 30 s; the
   * 30 of group a succeed, the 20 of b fail: 40 % < 50 %, no abort */
  assert_int_equal(m.aborted, 0);
  assert_int_equal(m.completed, 1);
  assert_int_equal(m.completion, 30000);
  assert_int_equal(m.notified, 50);
  assert_int_equal(m.things_ran, 50);
  assert_int_equal(m.failed, 20);
  assert_int_equal(m.exposure, 20);
  assert_int_equal(m.abort_criterion, -1);
  assert_int_equal(m.aborted_at, -1);
  model_scenario_free(w);
  model_scenario_free(sc);
}

/* A sweep's CSV is the same bytes for 1, 2 and 3 threads. */
static char *sweep_csv(const model_scenario *sc, const plan_vary *v, unsigned threads) {
  plan_sweep *s = NULL;
  sim_diag d;
  char where[256];
  plan_sweep_opts o = {.replications = 30, .seed = 11, .threads = threads};
  assert_int_equal(plan_sweep_run(&s, sc, v, 1, &o, where, sizeof where, &d), SIM_OK);
  char *buf = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&buf, &n);
  assert_int_equal(plan_sweep_csv(s, f), SIM_OK);
  fclose(f);
  plan_sweep_free(s);
  return buf;
}

static void test_sweep_thread_independent(void **state) {
  (void)state;
  model_scenario *sc = NULL;
  sim_diag d;
  assert_int_equal(load_with("{\"healthy\": {\"behaviors\": {\"shaky\": {\"outcomes\": "
                             "{\"SUCCEEDED\": 1}}}, \"affects\": []}, \"bad\": {}}",
                             &sc, &d), SIM_OK);
  plan_vary v;
  char err[256];
  assert_int_equal(plan_vary_parse(&v, "job.abortConfig.criteriaList[0].thresholdPercentage"
                                       "=10,30,60", err, sizeof err), SIM_OK);
  char *a = sweep_csv(sc, &v, 1), *b = sweep_csv(sc, &v, 2), *c = sweep_csv(sc, &v, 3);
  assert_string_equal(a, b);
  assert_string_equal(a, c);
  /* 3 points x 2 worlds + header */
  size_t lines = 0;
  for (const char *p = a; *p; p++) lines += *p == '\n';
  assert_int_equal((int)lines, 7);
  free(a), free(b), free(c);
  /* an invalid value names its grid point */
  plan_vary bad;
  assert_int_equal(plan_vary_parse(&bad, "job.abortConfig.criteriaList[0].thresholdPercentage"
                                         "=50,101", err, sizeof err), SIM_OK);
  plan_sweep *s = NULL;
  char where[256];
  plan_sweep_opts o = {.replications = 2, .seed = 1, .threads = 1};
  assert_int_equal(plan_sweep_run(&s, sc, &bad, 1, &o, where, sizeof where, &d),
                   SIM_ERR_RANGE);
  assert_string_equal(where, "grid point 1 (job.abortConfig.criteriaList[0]."
                             "thresholdPercentage=101)");
  assert_string_equal(d.path, "$.job.abortConfig.criteriaList[0].thresholdPercentage");
  plan_vary_release(&bad);
  plan_vary_release(&v);
  model_scenario_free(sc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_wilson_known_values),
      cmocka_unit_test(test_quantiles_nearest_rank),
      cmocka_unit_test(test_decisions),
      cmocka_unit_test(test_vary_parsing),
      cmocka_unit_test(test_json_paths),
      cmocka_unit_test(test_world_validation),
      cmocka_unit_test(test_world_defaults_and_loading),
      cmocka_unit_test(test_metrics_and_exposure),
      cmocka_unit_test(test_sweep_thread_independent),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
