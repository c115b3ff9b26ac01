/*
 * test_report_lifecycle.c — goldens and checks for the job lifecycle:
 * describe-job at chosen instants of every lifecycle scenario (SCHEDULED
 * between maintenance windows with scheduledJobRollouts, isConcurrent during
 * cancellation, forceCanceled, REMOVED counts, end behaviours, deletion),
 * describe-job-execution of a retried thing (latest and an earlier
 * execution), list-job-executions-for-job with a status filter and pages,
 * and refused operations. Regenerate goldens only with --update-golden.
 */
#include "test_common.h"
#include "test_util.h"

#include <cjson/cJSON.h>

#include "describe.h"
#include "duration.h"
#include "engine.h"
#include "execview.h"
#include "scenario.h"

bool test_update_golden;

static model_scenario *load(const char *name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/scenarios/%s.json", JOBSIM_SOURCE_DIR, name);
  sim_diag d;
  model_scenario *sc = NULL;
  int rc = model_scenario_load(&sc, path, &d);
  if (rc) fprintf(stderr, "%s: %s: %s\n", d.file, d.path, d.msg);
  assert_int_equal(rc, SIM_OK);
  return sc;
}

typedef struct log_buf {
  char text[1 << 20];
  size_t len;
} log_buf;

static void on_log(void *ud, const model_engine *e, const char *line) {
  log_buf *b = ud;
  char off[64];
  sim_duration_format(model_engine_now(e), off, sizeof off);
  if (b->len < sizeof b->text - 2048)
    b->len += (size_t)snprintf(b->text + b->len, sizeof b->text - b->len, "+%s %s\n",
                               off, line);
}

static model_engine *run_to(model_scenario *sc, const char *at, log_buf *lb) {
  sim_time_ms t;
  assert_int_equal(sim_duration_parse(at, &t, NULL), SIM_OK);
  model_observer obs = {NULL, on_log, lb, NULL};
  model_engine *e = NULL;
  sim_diag d;
  assert_int_equal(model_engine_new(&e, sc, sc->sim.seed, lb ? &obs : NULL, &d), SIM_OK);
  assert_int_equal(model_engine_run(e, t), SIM_OK);
  return e;
}

static cJSON *describe(model_scenario *sc, const char *at, const char *golden_name) {
  model_engine *e = run_to(sc, at, NULL);
  report_opts o = {0};
  char *text = report_describe_job(e, &o, NULL);
  assert_non_null(text);
  char g[256];
  snprintf(g, sizeof g, "lifecycle/%s@%s.json", golden_name, at);
  assert_true(test_golden(g, text));
  cJSON *root = cJSON_Parse(text);
  free(text);
  model_engine_free(e);
  return cJSON_GetObjectItem(root, "job") ? root : NULL;
}

static const cJSON *job_of(const cJSON *root) { return cJSON_GetObjectItem(root, "job"); }
static const char *str(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItem(o, k);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}
static int64_t counter(const cJSON *job, const char *k) {
  return (int64_t)cJSON_GetObjectItem(cJSON_GetObjectItem(job, "jobProcessDetails"), k)
      ->valuedouble;
}

static void test_maintenance_windows(void **state) {
  (void)state;
  model_scenario *sc = load("nightly-maintenance-window");
  /* 18:00 creation: SCHEDULED until the 02:00 window, seven rollouts listed */
  cJSON *r = describe(sc, "1h", "nightly-maintenance-window");
  assert_string_equal(str(job_of(r), "status"), "SCHEDULED");
  const cJSON *roll = cJSON_GetObjectItem(job_of(r), "scheduledJobRollouts");
  assert_int_equal(cJSON_GetArraySize(roll), 7);
  assert_string_equal(str(cJSON_GetArrayItem(roll, 0), "startTime"), "2026-03-02T02:00");
  assert_string_equal(str(cJSON_GetArrayItem(roll, 6), "startTime"), "2026-03-08T02:00");
  assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(job_of(r), "jobProcessDetails"),
                                  "processingTargets"));
  assert_int_equal(counter(job_of(r), "numberOfQueuedThings"), 0);
  cJSON_Delete(r);
  /* inside the window: IN_PROGRESS, rolling out, the next window listed first */
  r = describe(sc, "8h30m", "nightly-maintenance-window");
  assert_string_equal(str(job_of(r), "status"), "IN_PROGRESS");
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(job_of(r), "isConcurrent")));
  assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(job_of(r), "jobProcessDetails"),
                                      "processingTargets"));
  roll = cJSON_GetObjectItem(job_of(r), "scheduledJobRollouts");
  assert_string_equal(str(cJSON_GetArrayItem(roll, 0), "startTime"), "2026-03-03T02:00");
  cJSON_Delete(r);
  /* between windows: SCHEDULED again, 2 h x 100/min notified, QUEUED wait */
  r = describe(sc, "12h", "nightly-maintenance-window");
  assert_string_equal(str(job_of(r), "status"), "SCHEDULED");
  assert_false(cJSON_IsTrue(cJSON_GetObjectItem(job_of(r), "isConcurrent")));
  int64_t sum = 0;
  const char *ks[] = {"numberOfCanceledThings", "numberOfSucceededThings",
                      "numberOfFailedThings", "numberOfRejectedThings",
                      "numberOfQueuedThings", "numberOfInProgressThings",
                      "numberOfRemovedThings", "numberOfTimedOutThings"};
  for (int i = 0; i < 8; i++) sum += counter(job_of(r), ks[i]);
  assert_int_equal(sum, 12000);
  assert_true(counter(job_of(r), "numberOfQueuedThings") > 0);
  assert_int_equal(counter(job_of(r), "numberOfInProgressThings"), 0);
  cJSON_Delete(r);
  model_scenario_free(sc);
}

static void test_cancel_and_force(void **state) {
  (void)state;
  model_scenario *sc = load("cancel-and-force");
  cJSON *r = describe(sc, "6m", "cancel-and-force");
  const cJSON *j = job_of(r);
  assert_string_equal(str(j, "status"), "CANCELED");
  assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "forceCanceled")));
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "isConcurrent")));   /* propagating */
  assert_string_equal(str(j, "reasonCode"), "WRONG_DOCUMENT");
  assert_true(counter(j, "numberOfQueuedThings") > 0);
  assert_true(counter(j, "numberOfInProgressThings") > 0);
  assert_null(cJSON_GetObjectItem(j, "completedAt"));
  cJSON_Delete(r);
  r = describe(sc, "10m", "cancel-and-force");
  j = job_of(r);
  assert_false(cJSON_IsTrue(cJSON_GetObjectItem(j, "isConcurrent")));  /* done */
  assert_int_equal(counter(j, "numberOfQueuedThings"), 0);
  assert_true(counter(j, "numberOfInProgressThings") > 0);   /* not forced */
  cJSON_Delete(r);
  r = describe(sc, "12m30s", "cancel-and-force");
  j = job_of(r);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "forceCanceled")));
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "isConcurrent")));
  cJSON_Delete(r);
  r = describe(sc, "30m", "cancel-and-force");
  j = job_of(r);
  assert_int_equal(counter(j, "numberOfInProgressThings"), 0);
  cJSON_Delete(r);
  model_scenario_free(sc);
}

static void test_refused_operations(void **state) {
  (void)state;
  /* A COMPLETED job cannot be canceled: logged with AWS's exception, and
   * nothing changes. */
  model_scenario *sc = load("slow-down-update");
  log_buf *lb = calloc(1, sizeof *lb);
  model_engine *before = run_to(sc, "11h59m", NULL);
  model_engine *e = run_to(sc, "1d", lb);
  const model_job *a = model_engine_job(before), *b = model_engine_job(e);
  assert_int_equal(b->refused_ops, 1);
  assert_int_equal(a->status, MODEL_JOB_COMPLETED);
  assert_int_equal(b->status, MODEL_JOB_COMPLETED);
  assert_memory_equal(a->counters, b->counters, sizeof a->counters);
  assert_int_equal(a->last_updated_at, b->last_updated_at);
  assert_non_null(strstr(lb->text, "+12h operation 1 cancel-job refused: "
                                   "InvalidRequestException: the job is already "
                                   "COMPLETED; nothing changed\n"));
  /* the update-job took effect from the next window */
  assert_non_null(strstr(lb->text, "+10m rate 500/min -> 50/min: the rollout "
                                   "configuration changed (update-job)\n"));
  model_engine_free(before);
  model_engine_free(e);
  model_scenario_free(sc);
  cJSON *r = describe(sc = load("slow-down-update"), "11m", "slow-down-update");
  const cJSON *j = job_of(r);
  assert_int_equal((int)cJSON_GetObjectItem(cJSON_GetObjectItem(j, "jobExecutionsRolloutConfig"),
                                            "maximumPerMinute")->valuedouble, 50);
  assert_non_null(cJSON_GetObjectItem(j, "abortConfig"));
  assert_string_equal(str(j, "description"),
                      "Camera firmware 7.1 (slowed down after support tickets)");
  cJSON_Delete(r);
  model_scenario_free(sc);

  /* delete-job without force on an IN_PROGRESS job; cancel after delete */
  sc = load("delete-after-cancel");
  memset(lb, 0, sizeof *lb);
  e = run_to(sc, "3h", lb);
  assert_non_null(strstr(lb->text, "+25m operation 2 delete-job refused: "
                                   "InvalidStateTransitionException: the job is "
                                   "IN_PROGRESS; deleting it needs force; nothing "
                                   "changed\n"));
  assert_true(model_engine_job(e)->vanished);
  model_engine_free(e);
  r = describe(sc, "41m", "delete-after-cancel");
  assert_string_equal(str(job_of(r), "status"), "DELETION_IN_PROGRESS");
  cJSON_Delete(r);
  model_scenario_free(sc);
  free(lb);
}

static void test_continuous_removed(void **state) {
  (void)state;
  model_scenario *sc = load("continuous-dynamic-group");
  cJSON *r = describe(sc, "2h1m", "continuous-dynamic-group");
  const cJSON *pt = cJSON_GetObjectItem(cJSON_GetObjectItem(job_of(r), "jobProcessDetails"),
                                        "processingTargets");
  assert_int_equal(cJSON_GetArraySize(pt), 1);
  assert_string_equal(cJSON_GetArrayItem(pt, 0)->valuestring,
                      "arn:aws:iot:us-west-2:123456789012:thinggroup/trailers");
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(job_of(r), "targets")), 2);
  cJSON_Delete(r);
  r = describe(sc, "6h", "continuous-dynamic-group");
  assert_string_equal(str(job_of(r), "status"), "IN_PROGRESS");   /* never completes */
  assert_true(counter(job_of(r), "numberOfRemovedThings") > 0);
  cJSON_Delete(r);
  model_scenario_free(sc);
}

static void test_end_behaviors(void **state) {
  (void)state;
  const char *names[] = {"end-time-stop-rollout", "end-time-cancel",
                         "end-time-force-cancel"};
  for (int i = 0; i < 3; i++) {
    model_scenario *sc = load(names[i]);
    cJSON *r = describe(sc, "30m", names[i]);
    assert_string_equal(str(job_of(r), "status"), "SCHEDULED");   /* before startTime */
    assert_int_equal(counter(job_of(r), "numberOfQueuedThings"), 0);
    cJSON_Delete(r);
    r = describe(sc, "3h1m", names[i]);
    const cJSON *j = job_of(r);
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "jobProcessDetails"),
                                    "processingTargets"));
    if (i == 0) {
      assert_string_equal(str(j, "status"), "IN_PROGRESS");
      assert_null(cJSON_GetObjectItem(j, "forceCanceled"));
      assert_true(counter(j, "numberOfInProgressThings") > 0);
    } else {
      assert_string_equal(str(j, "status"), "CANCELED");
      assert_true(cJSON_IsBool(cJSON_GetObjectItem(j, "forceCanceled")));
      assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItem(j, "forceCanceled")), i == 2);
      if (i == 2) assert_int_equal(counter(j, "numberOfInProgressThings"), 0);
    }
    cJSON_Delete(r);
    model_scenario_free(sc);
  }
}

static void test_step_timeouts(void **state) {
  (void)state;
  model_scenario *sc = load("step-timeouts");
  cJSON *r = describe(sc, "20m", "step-timeouts");
  assert_true(counter(job_of(r), "numberOfTimedOutThings") > 0);
  cJSON_Delete(r);
  model_scenario_free(sc);
}

static char *exec_view(model_engine *e, const char *thing, int exec_no) {
  report_opts o = {0};
  bool missing = true;
  int64_t t = model_engine_find_thing(e, thing);
  assert_true(t >= 0);
  char *text = report_describe_execution(e, t, exec_no, &o, &missing, NULL);
  assert_false(missing);
  assert_non_null(text);
  return text;
}

static void test_execution_views(void **state) {
  (void)state;
  model_scenario *sc = load("hanging-devices-retry");
  model_engine *e = run_to(sc, "40m", NULL);
  /* kiosks-000053 hung twice, then succeeded on its second retry */
  char *latest = exec_view(e, "kiosks-000053", 0);
  char *first = exec_view(e, "kiosks-000053", 1);
  assert_true(test_golden("lifecycle/hanging-devices-retry@40m.kiosks-000053.json", latest));
  assert_true(test_golden("lifecycle/hanging-devices-retry@40m.kiosks-000053.1.json", first));
  assert_non_null(strstr(latest, "\"executionNumber\": 3,"));
  assert_non_null(strstr(first, "\"status\": \"TIMED_OUT\""));
  assert_null(strstr(first, "approximateSecondsBeforeTimedOut"));
  free(latest);
  free(first);
  /* list: retried things show their latest execution with retryAttempt */
  report_opts o = {0};
  report_list_opts lo = {.has_status = true, .status = MODEL_EXEC_SUCCEEDED,
                         .max_results = 3};
  char *p1 = report_list_executions(e, &lo, &o, NULL);
  assert_true(test_golden("lifecycle/hanging-devices-retry@40m.list-succeeded-p1.json", p1));
  cJSON *j1 = cJSON_Parse(p1);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j1, "executionSummaries")), 3);
  const char *tok = str(j1, "nextToken");
  assert_non_null(tok);
  assert_true(report_parse_next_token(tok, &lo.start));
  char *p2 = report_list_executions(e, &lo, &o, NULL);
  assert_true(test_golden("lifecycle/hanging-devices-retry@40m.list-succeeded-p2.json", p2));
  /* walking every page gives every thing once, same as no paging */
  lo = (report_list_opts){0};
  char *all = report_list_executions(e, &lo, &o, NULL);
  cJSON *ja = cJSON_Parse(all);
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(ja, "executionSummaries")), 2000);
  assert_null(cJSON_GetObjectItem(ja, "nextToken"));
  int retried = 0;
  cJSON *it;
  cJSON_ArrayForEach(it, cJSON_GetObjectItem(ja, "executionSummaries")) {
    const cJSON *s = cJSON_GetObjectItem(it, "jobExecutionSummary");
    int ra = (int)cJSON_GetObjectItem(s, "retryAttempt")->valuedouble;
    int en = (int)cJSON_GetObjectItem(s, "executionNumber")->valuedouble;
    assert_int_equal(ra, en - 1);
    retried += ra > 0;
  }
  assert_true(retried > 0);
  int64_t pos = 0, seen = 0;
  lo = (report_list_opts){.max_results = 250};
  for (;;) {
    lo.start = pos;
    char *pg = report_list_executions(e, &lo, &o, NULL);
    cJSON *jp = cJSON_Parse(pg);
    seen += cJSON_GetArraySize(cJSON_GetObjectItem(jp, "executionSummaries"));
    const char *t = str(jp, "nextToken");
    bool more = t && report_parse_next_token(t, &pos);
    cJSON_Delete(jp);
    free(pg);
    if (!more) break;
  }
  assert_int_equal(seen, 2000);
  cJSON_Delete(j1);
  cJSON_Delete(ja);
  free(p1);
  free(p2);
  free(all);
  model_engine_free(e);
  model_scenario_free(sc);
}

int main(int argc, char **argv) {
  test_parse_args(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_maintenance_windows),
      cmocka_unit_test(test_cancel_and_force),
      cmocka_unit_test(test_refused_operations),
      cmocka_unit_test(test_continuous_removed),
      cmocka_unit_test(test_end_behaviors),
      cmocka_unit_test(test_step_timeouts),
      cmocka_unit_test(test_execution_views),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
