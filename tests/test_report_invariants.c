/*
 * test_report_invariants.c — properties every bundled scenario must keep, at
 * every observation instant and in every written snapshot:
 *  - the eight counters sum to the execution records created;
 *  - things notified <= things targeted;
 *  - simulated time never goes back;
 *  - a COMPLETED job has no QUEUED or IN_PROGRESS record;
 *  - the same scenario and seed give a byte-identical report directory
 *    (run.sqlite, plots/ and index.html included, and whether or not the run
 *    advances in slices for a progress display), another seed changes a
 *    stochastic scenario's outcome.
 * Seeds come from the scenarios; JOBSIM_TEST_SEED overrides them (printed).
 */
#define _XOPEN_SOURCE 700
#include "test_common.h"
#include "test_util.h"

#include <dirent.h>
#include <ftw.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "describe.h"
#include "engine.h"
#include "run.h"
#include "scenario.h"

bool test_update_golden;

static bool has_arrivals(const model_scenario *sc) {
  for (size_t g = 0; g < sc->fleet.n_groups; g++)
    if (sc->fleet.groups[g].arrivals_per_hour > 0) return true;
  return false;
}

typedef struct check {
  const model_scenario *sc;
  sim_time_ms last;
  size_t observations;
  int64_t last_records;
} check;

static void on_observe(void *ud, const model_engine *e, unsigned why) {
  check *c = ud;
  const model_job *j = model_engine_job(e);
  sim_time_ms now = model_engine_now(e);
  (void)why;
  assert_true(now >= c->last);
  c->last = now;
  int64_t sum = 0;
  for (int s = MODEL_EXEC_QUEUED; s < MODEL_EXEC_STATUS_COUNT; s++) {
    assert_true(j->counters[s] >= 0);
    sum += j->counters[s];
  }
  assert_int_equal(j->counters[MODEL_EXEC_NONE], 0);
  assert_int_equal(sum, j->records);
  assert_int_equal(j->records + j->deleted, j->created);
  assert_true(j->created >= c->last_records);
  c->last_records = j->created;
  /* notified counts things, at most once each */
  assert_true(j->notified <= model_engine_things(e));
  if (c->sc->n_ops == 0 && !has_arrivals(c->sc)) assert_true(j->notified <= c->sc->n_targeted);
  if (j->status == MODEL_JOB_COMPLETED) {
    assert_int_equal(j->counters[MODEL_EXEC_QUEUED], 0);
    assert_int_equal(j->counters[MODEL_EXEC_IN_PROGRESS], 0);
    assert_true(j->completed_at >= 0 && j->completed_at <= now);
  }
  c->observations++;
}

static int rm_cb(const char *p, const struct stat *sb, int f, struct FTW *w) {
  (void)sb; (void)f; (void)w;
  return remove(p);
}

static void rm_rf(const char *p) { nftw(p, rm_cb, 16, FTW_DEPTH | FTW_PHYS); }

static size_t list_scenarios(char names[][256], size_t cap) {
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/scenarios", JOBSIM_SOURCE_DIR);
  DIR *d = opendir(dir);
  assert_non_null(d);
  size_t n = 0;
  struct dirent *ent;
  while ((ent = readdir(d)) && n < cap) {
    size_t l = strlen(ent->d_name);
    if (l > 5 && strcmp(ent->d_name + l - 5, ".json") == 0)
      if (snprintf(names[n], 256, "%s/%s", dir, ent->d_name) < 256) n++;
  }
  closedir(d);
  qsort(names, n, 256, (int (*)(const void *, const void *))strcmp);
  return n;
}

static uint64_t seed_for(const model_scenario *sc) {
  const char *s = getenv("JOBSIM_TEST_SEED");
  return s ? strtoull(s, NULL, 10) : sc->sim.seed;
}

static void test_invariants_every_observation(void **state) {
  (void)state;
  static char names[64][256];
  size_t n = list_scenarios(names, 64);
  assert_true(n >= 6);
  for (size_t i = 0; i < n; i++) {
    sim_diag d;
    model_scenario *sc = NULL;
    assert_int_equal(model_scenario_load(&sc, names[i], &d), SIM_OK);
    check c = {.sc = sc};
    model_observer obs = {on_observe, NULL, &c, NULL};
    model_engine *e = NULL;
    uint64_t seed = seed_for(sc);
    fprintf(stderr, "# %s seed %" PRIu64 "\n", sc->name, seed);
    assert_int_equal(model_engine_new(&e, sc, seed, &obs, &d), SIM_OK);
    assert_int_equal(model_engine_run(e, sc->sim.until), SIM_OK);
    assert_true(model_engine_finished(e));
    assert_true(c.observations > 0);
    model_engine_free(e);
    model_scenario_free(sc);
  }
}

/* Every snapshot file: counters present, sums never decrease (unless records
 * were deleted), and the last snapshot equals describe-job.json (absent when
 * the job itself was deleted). */
static void check_snapshots(const char *dir, const model_job *job) {
  int64_t records = job->records;
  bool monotone = job->deleted == 0;
  char sdir[1200];
  snprintf(sdir, sizeof sdir, "%s/snapshots", dir);
  struct dirent **list = NULL;
  int n = scandir(sdir, &list, NULL, alphasort);
  assert_true(n > 2);
  int64_t prev = 0;
  char *last = NULL;
  for (int i = 0; i < n; i++) {
    if (list[i]->d_name[0] != '.') {
      char p[1500];
      snprintf(p, sizeof p, "%s/%s", sdir, list[i]->d_name);
      free(last);
      last = test_read_file(p, NULL);
      assert_non_null(last);
      cJSON *root = cJSON_Parse(last);
      assert_non_null(root);
      cJSON *pd = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "job"), "jobProcessDetails");
      assert_non_null(pd);
      int64_t sum = 0;
      int counters = 0;
      for (cJSON *k = pd->child; k; k = k->next)
        if (strncmp(k->string, "numberOf", 8) == 0) {
          sum += (int64_t)k->valuedouble;
          counters++;
        }
      assert_int_equal(counters, 8);
      if (monotone) assert_true(sum >= prev);
      prev = sum;
      cJSON_Delete(root);
    }
    free(list[i]);
  }
  free(list);
  char p[1200];
  snprintf(p, sizeof p, "%s/describe-job.json", dir);
  char *fin = test_read_file(p, NULL);
  if (job->vanished) {
    assert_null(fin);
    free(last);
    return;
  }
  assert_int_equal(prev, records);
  assert_non_null(fin);
  assert_string_equal(fin, last);
  free(fin);
  free(last);
}

static void count_progress(void *ud, const model_engine *e) {
  (void)e;
  (*(size_t *)ud)++;
}

static bool same_tree(const char *a, const char *b) {
  char cmd[2600];
  snprintf(cmd, sizeof cmd, "diff -r '%s' '%s' >/dev/null", a, b);
  return system(cmd) == 0;
}

static void test_reports_deterministic(void **state) {
  (void)state;
  static char names[64][256];
  size_t n = list_scenarios(names, 64);
  char base[256];
  snprintf(base, sizeof base, "%s/inv-%ld", JOBSIM_BINARY_DIR, (long)getpid());
  rm_rf(base);
  for (size_t i = 0; i < n; i++) {
    sim_diag d;
    model_scenario *sc = NULL;
    assert_int_equal(model_scenario_load(&sc, names[i], &d), SIM_OK);
    uint64_t seed = seed_for(sc);
    char a[600], b[600], c[600];
    snprintf(a, sizeof a, "%s/a/%s", base, sc->name);
    snprintf(b, sizeof b, "%s/b/%s", base, sc->name);
    snprintf(c, sizeof c, "%s/c/%s", base, sc->name);
    /* every artefact: store, plots (when gnuplot is on PATH: its PNG and
     * SVG output is byte-stable too) and page; the second run advances in
     * one-minute slices with a progress callback, which must not change a
     * byte */
    report_run_opts o = {.write_files = true, .version_info = "test", .store = true,
                         .plots = true, .page = true};
    size_t calls = 0;
    report_run_opts ob = o;
    ob.progress = count_progress;
    ob.progress_ud = &calls;
    report_run_stats st1, st2, st3;
    assert_int_equal(report_run(sc, seed, a, &o, &st1, &d), SIM_OK);
    assert_int_equal(report_run(sc, seed, b, &ob, &st2, &d), SIM_OK);
    assert_true(calls > 0);
    assert_true(same_tree(a, b));
    check_snapshots(a, &st1.job);
    /* another seed: a stochastic scenario's story changes */
    assert_int_equal(report_run(sc, seed + 1, c, &o, &st3, &d), SIM_OK);
    if (strcmp(sc->name, "example-job-01") != 0) {
      char pa[700], pc[700];
      snprintf(pa, sizeof pa, "%s/timeline.csv", a);
      snprintf(pc, sizeof pc, "%s/timeline.csv", c);
      char *ta = test_read_file(pa, NULL), *tc = test_read_file(pc, NULL);
      assert_non_null(ta);
      assert_non_null(tc);
      assert_true(strcmp(ta, tc) != 0);
      free(ta);
      free(tc);
    } else {
      assert_false(same_tree(a, c));   /* run.json records the seed */
    }
    model_scenario_free(sc);
  }
  rm_rf(base);
}

int main(int argc, char **argv) {
  test_parse_args(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_invariants_every_observation),
      cmocka_unit_test(test_reports_deterministic),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
