/*
 * test_engine_findings.c — the engine's findings of issue 9, one test (or a
 * few) per finding, named after it. Expected outputs are derived by hand
 * from the scenario and AWS's semantics (see each test), never saved from
 * the program; goldens live in tests/golden/engine/.
 *
 *  8  delete-job-execution leaves the other executionNumbers unchanged
 */
#include "test_common.h"
#include "test_util.h"

#include <cjson/cJSON.h>

#include "describe.h"
#include "engine.h"
#include "execview.h"
#include "scenario.h"

bool test_update_golden;

static model_scenario *load_text(const char *name, const char *text) {
  sim_diag d;
  model_scenario *sc = NULL;
  int rc = model_scenario_load_text(&sc, name, text, strlen(text), &d);
  if (rc) fprintf(stderr, "%s: %s: %s\n", d.file, d.path, d.msg);
  assert_int_equal(rc, SIM_OK);
  return sc;
}

static model_engine *run_until(const model_scenario *sc, sim_time_ms t) {
  model_engine *e = NULL;
  sim_diag d;
  assert_int_equal(model_engine_new(&e, sc, sc->sim.seed, NULL, &d), SIM_OK);
  assert_int_equal(model_engine_run(e, t), SIM_OK);
  return e;
}

/* describe-job-execution of `thing`, execution exec_no (0: latest), against
 * golden tests/golden/engine/<golden>; golden NULL: must be not found. */
static void check_exec(const model_engine *e, const char *thing, int exec_no,
                       const char *golden) {
  report_opts o = {0};
  bool missing = false;
  int64_t t = model_engine_find_thing(e, thing);
  assert_true(t >= 0);
  char *text = report_describe_execution(e, t, exec_no, &o, &missing, NULL);
  if (!golden) {
    if (text) fprintf(stderr, "execution %d of %s should be gone, got:\n%s", exec_no,
                      thing, text);
    assert_true(missing);
    assert_null(text);
    return;
  }
  assert_false(missing);
  assert_non_null(text);
  char g[256];
  snprintf(g, sizeof g, "engine/%s", golden);
  assert_true(test_golden(g, text));
  free(text);
}

static void check_list(const model_engine *e, const char *golden) {
  report_opts o = {0};
  report_list_opts lo = {0};
  char *text = report_list_executions(e, &lo, &o, NULL);
  assert_non_null(text);
  char g[256];
  snprintf(g, sizeof g, "engine/%s", golden);
  assert_true(test_golden(g, text));
  free(text);
}

/* ------------------------------------------------------------ finding 8 ---
 *
 * One thing, dev, whose device always fails: start delay 10 s, run time
 * 1 min, FAILED retried twice. By the spec (O18, O27): execution 1 is QUEUED
 * at 0, IN_PROGRESS at 10 s, FAILED at 1m10s (versionNumber 3: created 1,
 * +1 per device update); the retry, execution 2 (retryAttempt 1), is QUEUED
 * at 1m10s, runs from 1m20s, FAILED at 2m20s; execution 3 (retryAttempt 2)
 * QUEUED at 2m20s, runs from 2m30s, FAILED at 3m30s; the budget is spent.
 * executionNumber names one execution of the thing (DescribeJobExecution
 * without a number shows the latest existing one); deleting one record
 * removes it from the counters and changes no other record. Start
 * 2026-01-01T00:00:00Z = 1767225600. Goldens finding08.exec{1,2,3}.json are
 * these three records; they must read the same whichever others are gone. */
#define F8_FMT \
    "{\"name\":\"f8\",\"job\":{\"jobId\":\"f8\"," \
    "\"targets\":[\"arn:aws:iot:us-west-2:123456789012:thing/dev\"],\"document\":\"{}\"," \
    "\"jobExecutionsRetryConfig\":{\"criteriaList\":[{\"failureType\":\"FAILED\"," \
    "\"numberOfRetries\":2}]}}," \
    "\"fleet\":{\"groups\":[{\"name\":\"g\",\"things\":[\"dev\"],\"behavior\":\"b\"}]," \
    "\"behaviors\":{\"b\":{\"startDelay\":\"10s\",\"runTime\":\"1m\"," \
    "\"outcomes\":{\"FAILED\":1}}}}," \
    "\"simulation\":{\"until\":\"10m\"}," \
    "\"operations\":[{\"at\":\"%s\",\"op\":\"delete-job-execution\",\"thingName\":\"dev\"," \
    "\"executionNumber\":%d}]}"

static model_engine *f8_run(model_scenario **sc, const char *at, int exec_no) {
  char text[2048];
  snprintf(text, sizeof text, F8_FMT, at, exec_no);
  *sc = load_text("f8.json", text);
  return run_until(*sc, 10 * SIM_MS_PER_MIN);
}

/* Delete the latest (3) at 5m: 1 and 2 stay as they were; the latest is 2. */
static void finding_08_delete_latest(void **state) {
  (void)state;
  model_scenario *sc;
  model_engine *e = f8_run(&sc, "5m", 3);
  check_exec(e, "dev", 1, "finding08.exec1.json");
  check_exec(e, "dev", 2, "finding08.exec2.json");
  check_exec(e, "dev", 3, NULL);
  check_exec(e, "dev", 0, "finding08.exec2.json");
  check_list(e, "finding08.list-latest-2.json");
  const model_job *j = model_engine_job(e);
  assert_int_equal(j->counters[MODEL_EXEC_FAILED], 2);
  assert_int_equal(j->records, 2);
  assert_int_equal(j->deleted, 1);
  assert_int_equal(j->refused_ops, 0);
  model_engine_free(e);
  model_scenario_free(sc);
}

/* Delete the middle one (2) at 5m: 1 and 3 stay; the latest is 3. */
static void finding_08_delete_middle(void **state) {
  (void)state;
  model_scenario *sc;
  model_engine *e = f8_run(&sc, "5m", 2);
  check_exec(e, "dev", 1, "finding08.exec1.json");
  check_exec(e, "dev", 2, NULL);
  check_exec(e, "dev", 3, "finding08.exec3.json");
  check_exec(e, "dev", 0, "finding08.exec3.json");
  check_list(e, "finding08.list-latest-3.json");
  assert_int_equal(model_engine_job(e)->records, 2);
  model_engine_free(e);
  model_scenario_free(sc);
}

/* Delete the latest twice (3, then 2, at 5m and 6m): 1 is the latest and
 * still execution 1, still describable and deletable. */
static void finding_08_delete_latest_twice(void **state) {
  (void)state;
  char text[2048];
  snprintf(text, sizeof text, F8_FMT, "5m", 3);
  /* a second operation: delete 2 at 6m, then 1 at 7m */
  char *end = strrchr(text, ']');
  assert_non_null(end);
  snprintf(end, sizeof text - (size_t)(end - text),
           ",{\"at\":\"6m\",\"op\":\"delete-job-execution\",\"thingName\":\"dev\","
           "\"executionNumber\":2}]}");
  model_scenario *sc = load_text("f8.json", text);
  model_engine *e = run_until(sc, 6 * SIM_MS_PER_MIN + 30000);
  check_exec(e, "dev", 1, "finding08.exec1.json");
  check_exec(e, "dev", 0, "finding08.exec1.json");
  check_exec(e, "dev", 2, NULL);
  check_exec(e, "dev", 3, NULL);
  assert_int_equal(model_engine_job(e)->records, 1);
  model_engine_free(e);
  model_scenario_free(sc);
}

/* Delete 1 at 1m40s, while the retry 2 runs: 2 then fails and is retried
 * as 3 (retryAttempt 2), exactly as without the deletion. */
static void finding_08_delete_then_retry(void **state) {
  (void)state;
  model_scenario *sc;
  model_engine *e = f8_run(&sc, "1m40s", 1);
  check_exec(e, "dev", 1, NULL);
  check_exec(e, "dev", 2, "finding08.exec2.json");
  check_exec(e, "dev", 3, "finding08.exec3.json");
  check_exec(e, "dev", 0, "finding08.exec3.json");
  check_list(e, "finding08.list-latest-3.json");
  const model_job *j = model_engine_job(e);
  assert_int_equal(j->counters[MODEL_EXEC_FAILED], 2);
  assert_int_equal(j->retries, 2);
  model_engine_free(e);
  model_scenario_free(sc);
}

/* A new execution after the latest was deleted takes a number never used
 * before (docs/semantics.md, O27). CONTINUOUS job on group g = {dev},
 * device: start 10 s, run 1 min, SUCCEEDED. Execution 1: QUEUED 0,
 * IN_PROGRESS 10 s (version 2); remove-things at 30 s makes it REMOVED
 * (service-side, version stays 2; lastUpdatedAt 30 s). add-things at 1m
 * re-joins dev: execution 2 QUEUED 1m, IN_PROGRESS 1m10s, SUCCEEDED 2m10s.
 * delete-job-execution 2 at 3m: execution 1 is the latest again, unchanged.
 * remove-things at 4m (nothing active to remove), add-things at 5m: a new
 * execution, number 3 (2 was used), retryAttempt 0, QUEUED 5m, IN_PROGRESS
 * 5m10s, SUCCEEDED 6m10s. */
static void finding_08_delete_latest_then_rejoin(void **state) {
  (void)state;
  static const char *const text =
      "{\"name\":\"f8c\",\"job\":{\"jobId\":\"f8c\",\"targetSelection\":\"CONTINUOUS\","
      "\"targets\":[\"arn:aws:iot:us-west-2:123456789012:thinggroup/g\"],\"document\":\"{}\"},"
      "\"fleet\":{\"groups\":[{\"name\":\"g\",\"things\":[\"dev\"],\"behavior\":\"b\"}],"
      "\"behaviors\":{\"b\":{\"startDelay\":\"10s\",\"runTime\":\"1m\"}}},"
      "\"simulation\":{\"until\":\"10m\"},\"operations\":["
      "{\"at\":\"30s\",\"op\":\"remove-things\",\"things\":[\"dev\"]},"
      "{\"at\":\"1m\",\"op\":\"add-things\",\"group\":\"g\",\"things\":[\"dev\"]},"
      "{\"at\":\"3m\",\"op\":\"delete-job-execution\",\"thingName\":\"dev\","
      "\"executionNumber\":2},"
      "{\"at\":\"4m\",\"op\":\"remove-things\",\"things\":[\"dev\"]},"
      "{\"at\":\"5m\",\"op\":\"add-things\",\"group\":\"g\",\"things\":[\"dev\"]}]}";
  model_scenario *sc = load_text("f8c.json", text);
  model_engine *e = run_until(sc, 3 * SIM_MS_PER_MIN + 30000);
  check_exec(e, "dev", 1, "finding08-rejoin.exec1.json");
  check_exec(e, "dev", 0, "finding08-rejoin.exec1.json");
  check_exec(e, "dev", 2, NULL);
  model_engine_run(e, 10 * SIM_MS_PER_MIN);
  check_exec(e, "dev", 1, "finding08-rejoin.exec1.json");
  check_exec(e, "dev", 2, NULL);
  check_exec(e, "dev", 3, "finding08-rejoin.exec3.json");
  check_exec(e, "dev", 0, "finding08-rejoin.exec3.json");
  check_list(e, "finding08-rejoin.list.json");
  const model_job *j = model_engine_job(e);
  assert_int_equal(j->counters[MODEL_EXEC_REMOVED], 1);
  assert_int_equal(j->counters[MODEL_EXEC_SUCCEEDED], 1);
  assert_int_equal(j->records, 2);
  model_engine_free(e);
  model_scenario_free(sc);
}

int main(int argc, char **argv) {
  test_parse_args(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(finding_08_delete_latest),
      cmocka_unit_test(finding_08_delete_middle),
      cmocka_unit_test(finding_08_delete_latest_twice),
      cmocka_unit_test(finding_08_delete_then_retry),
      cmocka_unit_test(finding_08_delete_latest_then_rejoin),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
