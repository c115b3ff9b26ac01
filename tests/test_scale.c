/*
 * test_scale.c — nothing is quadratic in the fleet size: a million things
 * with explicit names go through every code path that touches all things
 * (fleet parsing and the name index, target resolution, rollout, retries,
 * membership changes by name, execution deletes and cancels by name,
 * cancellation and deletion propagation, the execution views and their
 * pages). CTest's timeout is the check: a quadratic path would take hours.
 * Each stage prints its wall time.
 */
#define _POSIX_C_SOURCE 200809L
#include "test_common.h"

#include <time.h>

#include "describe.h"
#include "engine.h"
#include "execview.h"
#include "scenario.h"

#define THINGS 1000000
#define NAMED_OPS 100000

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct buf {
  char *p;
  size_t len, cap;
} buf;

static void put(buf *b, const char *fmt, ...) {
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if ((size_t)n < b->cap - b->len) { b->len += (size_t)n; return; }
    b->cap = b->cap * 2 + 4096;
    b->p = realloc(b->p, b->cap);
    assert_non_null(b->p);
  }
}

static void name_list(buf *b, int from, int count) {
  for (int i = 0; i < count; i++) put(b, "%s\"n%07d\"", i ? "," : "", from + i);
}

static char *scenario_text(size_t *len) {
  buf b = {0};
  const char *arn = "arn:aws:iot:us-west-2:123456789012:";
  put(&b, "{\"name\":\"scale\",\"job\":{\"jobId\":\"scale\",\"targetSelection\":\"CONTINUOUS\","
          "\"document\":\"{}\",\"targets\":[\"%sthinggroup/g\"", arn);
  for (int i = 0; i < 99; i++) put(&b, ",\"%sthing/n%07d\"", arn, THINGS - 1 - i);
  put(&b, "],\"jobExecutionsRolloutConfig\":{\"maximumPerMinute\":1000},"
          "\"timeoutConfig\":{\"inProgressTimeoutInMinutes\":30},"
          "\"jobExecutionsRetryConfig\":{\"criteriaList\":[{\"failureType\":\"FAILED\","
          "\"numberOfRetries\":2}]}},");
  put(&b, "\"fleet\":{\"groups\":[{\"name\":\"g\",\"behavior\":\"b\",\"things\":[");
  name_list(&b, 0, THINGS);
  put(&b, "]}],\"behaviors\":{\"b\":{\"startDelay\":\"5s\",\"runTime\":\"1m\","
          "\"outcomes\":{\"SUCCEEDED\":0.9,\"FAILED\":0.1}}}},");
  put(&b, "\"operations\":[");
  put(&b, "{\"at\":\"5h\",\"op\":\"remove-things\",\"things\":[");
  name_list(&b, 0, NAMED_OPS);
  put(&b, "]},{\"at\":\"6h\",\"op\":\"add-things\",\"group\":\"g\",\"things\":[");
  name_list(&b, 0, NAMED_OPS);
  put(&b, "]},{\"at\":\"6h\",\"op\":\"add-things\",\"group\":\"g\",\"things\":[");
  for (int i = 0; i < NAMED_OPS; i++) put(&b, "%s\"late%06d\"", i ? "," : "", i);
  put(&b, "]},{\"at\":\"7h\",\"op\":\"delete-things\",\"things\":[");
  name_list(&b, 419000, NAMED_OPS);   /* some of them in flight at 7h */
  put(&b, "]}");
  for (int i = 0; i < 10000; i++)
    put(&b, ",{\"at\":\"8h\",\"op\":\"delete-job-execution\",\"thingName\":\"n%07d\","
            "\"executionNumber\":1,\"force\":true}"
            ",{\"at\":\"8h\",\"op\":\"cancel-job-execution\",\"thingName\":\"n%07d\","
            "\"force\":true}", 300000 + i, 400000 + i);
  put(&b, ",{\"at\":\"20h\",\"op\":\"cancel-job\",\"force\":true}"
          ",{\"at\":\"21h\",\"op\":\"delete-job\",\"force\":true}],");
  put(&b, "\"simulation\":{\"until\":\"2d\",\"snapshotEvery\":\"1h\"}}");
  *len = b.len;
  return b.p;
}

static int count_exec(void *ud, const model_exec_view *v) {
  (void)v;
  (*(int64_t *)ud)++;
  return 0;
}

static void test_million_things(void **state) {
  (void)state;
  double t0 = now_s();
  size_t len;
  char *text = scenario_text(&len);
  fprintf(stderr, "# scenario text %.1f MB built in %.2fs\n", (double)len / 1e6,
          now_s() - t0);
  sim_diag d;
  model_scenario *sc = NULL;
  t0 = now_s();
  int rc = model_scenario_load_text(&sc, "scale.json", text, len, &d);
  if (rc) fprintf(stderr, "%s: %s\n", d.path, d.msg);
  assert_int_equal(rc, SIM_OK);
  free(text);
  fprintf(stderr, "# parsed and validated in %.2fs\n", now_s() - t0);
  assert_int_equal(sc->fleet.n_things, THINGS);
  assert_int_equal(model_fleet_find_thing(&sc->fleet, "n0999999"), THINGS - 1);

  model_engine *e = NULL;
  t0 = now_s();
  assert_int_equal(model_engine_new(&e, sc, 1, NULL, &d), SIM_OK);
  /* up to the instant before deletion: everything but the deletion */
  sim_time_ms at = 20 * SIM_MS_PER_H + 30 * SIM_MS_PER_MIN;
  assert_int_equal(model_engine_run(e, at), SIM_OK);
  const model_job *j = model_engine_job(e);
  fprintf(stderr, "# simulated to +20h30m in %.2fs: %" PRId64 " records, %" PRId64
                  " retries, %" PRId64 " refused operations\n",
          now_s() - t0, j->records, j->retries, j->refused_ops);
  assert_int_equal(j->status, MODEL_JOB_CANCELED);
  assert_true(j->counters[MODEL_EXEC_REMOVED] > 0);
  assert_true(j->retries > 50000);
  assert_true(model_engine_things(e) == THINGS + NAMED_OPS);

  t0 = now_s();
  for (int i = 0; i < NAMED_OPS; i++) {
    char name[32];
    snprintf(name, sizeof name, "late%06d", i);
    assert_true(model_engine_find_thing(e, name) == THINGS + i);
  }
  int64_t n = 0;
  assert_int_equal(model_engine_foreach_exec(e, count_exec, &n), 0);
  assert_int_equal(n, j->records);
  report_opts o = {.compact = true};
  report_list_opts lo = {.max_results = 250};
  int64_t pages = 0;
  for (;;) {   /* every page: each starts where the last ended */
    char *page = report_list_executions(e, &lo, &o, NULL);
    assert_non_null(page);
    pages++;
    char *tok = strstr(page, "\"nextToken\":\"");
    bool more = false;
    if (tok) {
      tok += 13;
      char *q = strchr(tok, '"');
      assert_non_null(q);
      *q = 0;
      more = report_parse_next_token(tok, &lo.start);
    }
    free(page);
    if (!more) break;
  }
  char *dj = report_describe_job(e, &o, NULL);
  assert_non_null(dj);
  free(dj);
  fprintf(stderr, "# 100000 name lookups, %" PRId64 " records walked, %" PRId64
                  " pages listed in %.2fs\n", n, pages, now_s() - t0);

  t0 = now_s();
  assert_int_equal(model_engine_run(e, sc->sim.until), SIM_OK);
  assert_true(model_engine_job(e)->vanished);   /* deleted: every record gone */
  assert_int_equal(model_engine_job(e)->records, 0);
  fprintf(stderr, "# deletion of every record in %.2fs\n", now_s() - t0);
  model_engine_free(e);
  model_scenario_free(sc);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_million_things)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
