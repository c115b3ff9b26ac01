/*
 * test_report_golden.c — golden describe-job outputs and timelines:
 *  - example-job-01 at t=0 reproduces the AWS CLI documentation's
 *    describe-job example (same keys, same order, same values except the
 *    timestamps and the newer isConcurrent), and its full text is golden;
 *  - the exponential scenario's rollout windows run at 50/min until 1,000
 *    notified, then 100, 200, 400 (asserted, and golden);
 *  - the ISO 8601 timestamp form of the AWS CLI v2.
 * Regenerate goldens only with --update-golden.
 */
#include "test_common.h"
#include "test_util.h"

#include <cjson/cJSON.h>

#include "describe.h"
#include "engine.h"
#include "scenario.h"

bool test_update_golden;

static model_scenario *load(const char *name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/scenarios/%s", JOBSIM_SOURCE_DIR, name);
  sim_diag d;
  model_scenario *sc = NULL;
  int rc = model_scenario_load(&sc, path, &d);
  if (rc) fprintf(stderr, "%s: %s: %s\n", d.file, d.path, d.msg);
  assert_int_equal(rc, SIM_OK);
  return sc;
}

static char *describe_at(model_scenario *sc, sim_time_ms at, report_ts_format f) {
  model_engine *e = NULL;
  sim_diag d;
  assert_int_equal(model_engine_new(&e, sc, sc->sim.seed, NULL, &d), SIM_OK);
  assert_int_equal(model_engine_run(e, at), SIM_OK);
  report_opts o = {.ts = f};
  char *text = report_describe_job(e, &o, NULL);
  assert_non_null(text);
  model_engine_free(e);
  return text;
}

static void test_example_job_01_matches_aws_cli_example(void **state) {
  (void)state;
  model_scenario *sc = load("example-job-01.json");
  char *ours = describe_at(sc, 0, REPORT_TS_EPOCH);
  assert_true(test_golden("example-job-01.t0.json", ours));

  char path[1024];
  snprintf(path, sizeof path, "%s/tests/golden/aws-cli-describe-job-example.json",
           JOBSIM_SOURCE_DIR);
  char *aws_text = test_read_file(path, NULL);
  assert_non_null(aws_text);
  cJSON *aws = cJSON_Parse(aws_text), *got = cJSON_Parse(ours);
  assert_non_null(aws);
  assert_non_null(got);
  /* Top level: the same single key. */
  assert_int_equal(cJSON_GetArraySize(aws), cJSON_GetArraySize(got));
  cJSON *aj = cJSON_GetObjectItemCaseSensitive(aws, "job");
  cJSON *gj = cJSON_GetObjectItemCaseSensitive(got, "job");
  assert_non_null(gj);
  /* Same keys in the same order, ignoring the timestamps (simulated clock)
   * and isConcurrent (newer than the 2019 example). */
  const char *skip[] = {"createdAt", "lastUpdatedAt", "isConcurrent"};
  const cJSON *a = aj->child, *g = gj->child;
  for (;;) {
    while (a && (strcmp(a->string, skip[0]) == 0 || strcmp(a->string, skip[1]) == 0 ||
                 strcmp(a->string, skip[2]) == 0))
      a = a->next;
    while (g && (strcmp(g->string, skip[0]) == 0 || strcmp(g->string, skip[1]) == 0 ||
                 strcmp(g->string, skip[2]) == 0))
      g = g->next;
    if (!a || !g) break;
    assert_string_equal(g->string, a->string);
    if (!cJSON_Compare(a, g, 1)) {
      fprintf(stderr, "value of '%s' differs from the AWS example\n", a->string);
      fail();
    }
    /* nested order (jobProcessDetails) */
    const cJSON *ac = a->child, *gc = g->child;
    for (; ac && gc; ac = ac->next, gc = gc->next)
      if (ac->string) assert_string_equal(gc->string, ac->string);
    assert_true(ac == NULL && gc == NULL);
    a = a->next;
    g = g->next;
  }
  assert_null(a);
  assert_null(g);
  /* createdAt is the documented creation instant (scenario startTime). */
  assert_true(cJSON_GetObjectItem(gj, "createdAt")->valuedouble ==
              cJSON_GetObjectItem(aj, "createdAt")->valuedouble);
  assert_non_null(strstr(ours, "\"createdAt\": 1560787022.733,"));
  assert_non_null(strstr(ours, "\"isConcurrent\": false\n"));
  cJSON_Delete(aws);
  cJSON_Delete(got);
  free(aws_text);
  free(ours);
  model_scenario_free(sc);
}

static void test_example_job_01_final_and_iso(void **state) {
  (void)state;
  model_scenario *sc = load("example-job-01.json");
  char *fin = describe_at(sc, sc->sim.until, REPORT_TS_EPOCH);
  assert_true(test_golden("example-job-01.final.json", fin));
  char *iso = describe_at(sc, 0, REPORT_TS_ISO8601);
  /* AWS CLI v2: Python isoformat, microseconds, explicit UTC offset */
  assert_non_null(strstr(iso, "\"createdAt\": \"2019-06-17T15:57:02.733000+00:00\""));
  free(fin);
  free(iso);
  model_scenario_free(sc);
}

typedef struct rows {
  char text[65536];
  size_t len;
  int64_t rates[256];
  int64_t notified_before[256];
  size_t n;
  int64_t last_notified;
} rows;

static void collect(void *ud, const model_engine *e, unsigned why) {
  rows *r = ud;
  const model_job *j = model_engine_job(e);
  if (!(why & MODEL_ROW_WINDOW)) return;
  if (r->n < 256) {
    r->rates[r->n] = j->window_rate;
    r->notified_before[r->n] = r->last_notified;
    r->n++;
  }
  r->last_notified = j->notified;
  r->len += (size_t)snprintf(r->text + r->len, sizeof r->text - r->len,
                             "t=%" PRId64 "s rate=%" PRId64 "/min notified=%" PRId64 "\n",
                             model_engine_now(e) / 1000, j->window_rate, j->notified);
}

static void test_exponential_guide_rates(void **state) {
  (void)state;
  model_scenario *sc = load("exponential-aws-guide.json");
  rows *r = calloc(1, sizeof *r);
  model_observer obs = {collect, NULL, r, NULL};
  model_engine *e = NULL;
  sim_diag d;
  assert_int_equal(model_engine_new(&e, sc, sc->sim.seed, &obs, &d), SIM_OK);
  assert_int_equal(model_engine_run(e, sc->sim.until), SIM_OK);
  /* Each window's rate follows from the notified count before it (O2). */
  int64_t seen[4] = {0};
  for (size_t i = 0; i < r->n; i++) {
    int64_t nb = r->notified_before[i];
    int64_t want = nb < 1000 ? 50 : nb < 2000 ? 100 : nb < 3000 ? 200 : 400;
    assert_int_equal(r->rates[i], want);
    seen[want == 50 ? 0 : want == 100 ? 1 : want == 200 ? 2 : 3]++;
  }
  assert_int_equal(seen[0], 20);   /* 20 x 50 = 1000 */
  assert_int_equal(seen[1], 10);   /* 10 x 100 = 2000 */
  assert_int_equal(seen[2], 5);    /* 5 x 200 = 3000 */
  assert_int_equal(seen[3], 3);    /* 400, 400, 200 left = 4000 */
  assert_true(test_golden("exponential-aws-guide.windows.txt", r->text));
  model_engine_free(e);
  free(r);
  model_scenario_free(sc);
}

int main(int argc, char **argv) {
  test_parse_args(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_example_job_01_matches_aws_cli_example),
      cmocka_unit_test(test_example_job_01_final_and_iso),
      cmocka_unit_test(test_exponential_guide_rates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
