/*
 * test_plan_cli.c — `jobsim sweep` and `jobsim plan` through the binary:
 * output byte-identical for --threads 1 and 2, the --out directories, exit
 * codes. With --mpi (registered as test_plan_mpi when built with
 * JOBSIM_MPI): `mpirun -np 2 jobsim ...` against one process, on loopback
 * (--mca btl self,vader, --allow-run-as-root, --oversubscribe).
 */
#define _XOPEN_SOURCE 700
#include "test_common.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#ifndef JOBSIM_EXE
#error "JOBSIM_EXE must name the jobsim executable"
#endif

static char g_dir[256];
static const char *const scenario = JOBSIM_SOURCE_DIR "/scenarios/bad-release-abort.json";

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *b = NULL;
  size_t n = 0, cap = 0;
  int c;
  while ((c = fgetc(f)) != EOF) {
    if (n + 2 > cap) {
      cap = cap ? cap * 2 : 4096;
      b = realloc(b, cap);
    }
    b[n++] = (char)c;
  }
  fclose(f);
  if (!b) b = calloc(1, 1);
  else b[n] = 0;
  return b;
}

/* Run argv (NULL-terminated); stdout and stderr into files; exit code. */
static int run(const char *const args[], const char *out, const char *err) {
  char *argv[64];
  size_t n = 0;
  for (; args[n] && n < 63; n++) argv[n] = strdup(args[n]);
  argv[n] = NULL;
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0) _exit(125);
    execv(argv[0], argv);
    _exit(127);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  for (size_t i = 0; i < n; i++) free(argv[i]);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *path(const char *name) {
  static char p[8][512];
  static int k = 0;
  k = (k + 1) % 8;
  snprintf(p[k], sizeof p[k], "%s/%s", g_dir, name);
  return p[k];
}

#define SWEEP_ARGS(threads)                                                          \
  JOBSIM_EXE, "sweep", "-n", "24", "-j",     \
      (threads), "--vary",                                            \
      "job.abortConfig.criteriaList[0].thresholdPercentage=5,8",             \
      scenario
#define PLAN_ARGS(threads, out)                                                      \
  JOBSIM_EXE, "plan", "--deadline", "4h30m",        \
      "--max-exposure", "1500", "--max-false-abort",          \
      "0.05", "--rates", "200,400", "--exponential",  \
      "none", "--thresholds", "5", "--min-executed",  \
      "100,500", "-n", "20", "--max-replications",    \
      "40", "-q", "-j", (threads), "-o",      \
      (out), scenario

static void expect_same_file(const char *a, const char *b) {
  char *x = slurp(a), *y = slurp(b);
  assert_non_null(x);
  assert_non_null(y);
  assert_true(strlen(x) > 0);
  if (strcmp(x, y) != 0) fprintf(stderr, "%s and %s differ\n", a, b);
  assert_string_equal(x, y);
  free(x);
  free(y);
}

static void test_sweep_threads_identical(void **state) {
  (void)state;
  const char *const a1[] = {SWEEP_ARGS("1"), NULL};
  const char *const a2[] = {SWEEP_ARGS("2"), NULL};
  assert_int_equal(run(a1, path("s1.csv"), path("s1.err")), 0);
  assert_int_equal(run(a2, path("s2.csv"), path("s2.err")), 0);
  expect_same_file(path("s1.csv"), path("s2.csv"));
  char *csv = slurp(path("s1.csv"));
  assert_non_null(strstr(csv, "point,job.abortConfig.criteriaList[0].thresholdPercentage,"
                              "world,replications,aborted,p_abort,"));
  assert_non_null(strstr(csv, "\n0,5,healthy,24,"));
  assert_non_null(strstr(csv, "\n1,8,bad-release,24,"));
  free(csv);
}

static void test_sweep_out_dir(void **state) {
  (void)state;
  const char *const a[] = {SWEEP_ARGS("2"), "-q", "-o", path("sweep-out"), NULL};
  assert_int_equal(run(a, path("so.out"), path("so.err")), 0);
  char *stdo = slurp(path("so.out"));
  assert_string_equal(stdo, "");
  free(stdo);
  const char *const b[] = {SWEEP_ARGS("2"), NULL};
  assert_int_equal(run(b, path("so.csv"), path("so.err")), 0);
  expect_same_file(path("sweep-out/sweep.csv"), path("so.csv"));
  assert_int_equal(access(path("sweep-out/run.json"), F_OK), 0);
  assert_int_equal(access(path("sweep-out/plots/abort.gp"), F_OK), 0);
  assert_int_equal(access(path("sweep-out/plots/exposure.gp"), F_OK), 0);
  assert_int_equal(access(path("sweep-out/plots/completion.gp"), F_OK), 0);
  assert_int_equal(access(path("sweep-out/plots/sweep.dat"), F_OK), 0);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open_v2(path("sweep-out/sweep.sqlite"), &db, SQLITE_OPEN_READONLY,
                                   NULL), SQLITE_OK);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT (SELECT user_version FROM pragma_user_version),"
                                          " (SELECT count(*) FROM replication),"
                                          " (SELECT count(*) FROM result)", -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(st, 0), 2);
  assert_int_equal(sqlite3_column_int(st, 1), 2 * 2 * 24);
  assert_int_equal(sqlite3_column_int(st, 2), 4);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

static void test_sweep_errors(void **state) {
  (void)state;
  const char *const bad_vary[] = {JOBSIM_EXE, "sweep", "--vary",
                            "nothing", scenario, NULL};
  assert_int_equal(run(bad_vary, path("e.out"), path("e.err")), 2);
  const char *const bad_value[] = {JOBSIM_EXE, "sweep", "-n", "2",
                             "--vary",
                             "job.jobExecutionsRolloutConfig.maximumPerMinute=100,5000",
                             scenario, NULL};
  assert_int_equal(run(bad_value, path("e.out"), path("e.err")), 3);
  char *err = slurp(path("e.err"));
  assert_non_null(strstr(err, "jobsim: sweep: grid point 1 "
                              "(job.jobExecutionsRolloutConfig.maximumPerMinute=5000): "));
  assert_non_null(strstr(err, "$.job.jobExecutionsRolloutConfig.maximumPerMinute"));
  free(err);
}

static void test_plan_threads_identical(void **state) {
  (void)state;
  const char *const a1[] = {PLAN_ARGS("1", path("p1")), NULL};
  const char *const a2[] = {PLAN_ARGS("2", path("p2")), NULL};
  assert_int_equal(run(a1, path("p1.txt"), path("p1.err")), 0);
  assert_int_equal(run(a2, path("p2.txt"), path("p2.err")), 0);
  expect_same_file(path("p1.txt"), path("p2.txt"));
  expect_same_file(path("p1/candidates.csv"), path("p2/candidates.csv"));
  expect_same_file(path("p1/create-job.json"), path("p2/create-job.json"));
  char *job = slurp(path("p1/create-job.json"));
  assert_non_null(strstr(job, "\"jobId\": \"fw-3-0-0-rev-b-regression\""));
  assert_non_null(strstr(job, "\"abortConfig\""));
  free(job);
}

static void test_plan_infeasible_exit_1(void **state) {
  (void)state;
  const char *const a[] = {JOBSIM_EXE, "plan", "--deadline", "10m",
                     "--max-exposure", "100", "--max-false-abort",
                     "0.05", "--rates", "1000", "--exponential",
                     "none", "--thresholds", "5",
                     "--min-executed", "500", "-n", "10",
                     "-q", "-o", path("pinf"), scenario, NULL};
  assert_int_equal(run(a, path("pi.txt"), path("pi.err")), 1);
  char *err = slurp(path("pi.err"));
  assert_non_null(strstr(err, "jobsim: plan: no feasible configuration: "));
  free(err);
  const char *const usage[] = {JOBSIM_EXE, "plan", scenario, NULL};
  assert_int_equal(run(usage, path("pu.txt"), path("pu.err")), 2);
}

/* `jobsim validate` checks worlds; `jobsim run --world` picks one. */
static void test_validate_and_run_worlds(void **state) {
  (void)state;
  const char *f = path("w.json");
  FILE *o = fopen(f, "w");
  assert_non_null(o);
  fputs("{\"job\": {\"jobId\": \"j\", \"document\": \"{}\", \"targets\": "
        "[\"arn:aws:iot:us-west-2:123456789012:thinggroup/g\"]},\n"
        " \"fleet\": {\"groups\": [{\"name\": \"g\", \"things\": 10, \"behavior\": \"b\"}],"
        " \"behaviors\": {\"b\": {}}},\n"
        " \"worlds\": {\"bad\": {\"behaviors\": {\"b\": {\"outcomes\": {\"FAILED\": 0.5}}}}}}\n",
        o);
  fclose(o);
  const char *const v[] = {JOBSIM_EXE, "validate", f, NULL};
  assert_int_equal(run(v, path("v.out"), path("v.err")), 3);
  char *err = slurp(path("v.err")), want[1024];
  snprintf(want, sizeof want, "jobsim: %s: $.worlds.bad.behaviors.b.outcomes: outcome "
                              "probabilities must sum to 1, got 0.5\n", f);
  assert_string_equal(err, want);
  free(err);
  const char *const r[] = {JOBSIM_EXE, "run", "-q", "--world", "healthy", "-o", path("rw"),
                           scenario, NULL};
  assert_int_equal(run(r, path("r.out"), path("r.err")), 0);
  char *out = slurp(path("r.out"));
  assert_non_null(strstr(out, "bad-release-abort: COMPLETED"));
  free(out);
  const char *const u[] = {JOBSIM_EXE, "run", "-q", "--world", "nope", "-o", path("rw2"),
                           scenario, NULL};
  assert_int_equal(run(u, path("u.out"), path("u.err")), 2);
  err = slurp(path("u.err"));
  assert_non_null(strstr(err, "$.worlds: unknown world 'nope'; the scenario's worlds are "
                              "healthy, bad-release"));
  free(err);
}

/* ------------------------------------------------------------------ MPI --- */

#ifdef JOBSIM_MPIEXEC
static void test_mpi_matches_one_process(void **state) {
  (void)state;
  setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
#define MPIRUN JOBSIM_MPIEXEC, "-np", "2", "--oversubscribe", \
               "--mca", "btl", "self,vader"
  const char *const s1[] = {SWEEP_ARGS("1"), NULL};
  const char *const s2[] = {MPIRUN, SWEEP_ARGS("1"), NULL};
  assert_int_equal(run(s1, path("m1.csv"), path("m1.err")), 0);
  int rc = run(s2, path("m2.csv"), path("m2.err"));
  if (rc) {
    char *e = slurp(path("m2.err"));
    fprintf(stderr, "mpirun exit %d:\n%s\n", rc, e ? e : "");
    free(e);
  }
  assert_int_equal(rc, 0);
  expect_same_file(path("m1.csv"), path("m2.csv"));
  const char *const p1[] = {PLAN_ARGS("1", path("mp1")), NULL};
  const char *const p2[] = {MPIRUN, PLAN_ARGS("1", path("mp2")), NULL};
  assert_int_equal(run(p1, path("mp1.txt"), path("mp1.err")), 0);
  assert_int_equal(run(p2, path("mp2.txt"), path("mp2.err")), 0);
  expect_same_file(path("mp1.txt"), path("mp2.txt"));
  expect_same_file(path("mp1/create-job.json"), path("mp2/create-job.json"));
}
#endif

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(p);
}

int main(int argc, char **argv) {
  const char *tmp = getenv("TMPDIR");
  snprintf(g_dir, sizeof g_dir, "%s/jobsim-plan-cli-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(g_dir)) return 1;
  int rc;
  if (argc > 1 && strcmp(argv[1], "--mpi") == 0) {
#ifdef JOBSIM_MPIEXEC
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_mpi_matches_one_process)};
    rc = cmocka_run_group_tests(tests, NULL, NULL);
#else
    fprintf(stderr, "built without JOBSIM_MPI\n");
    rc = 1;
#endif
  } else {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_threads_identical),
        cmocka_unit_test(test_sweep_out_dir),
        cmocka_unit_test(test_sweep_errors),
        cmocka_unit_test(test_plan_threads_identical),
        cmocka_unit_test(test_plan_infeasible_exit_1),
        cmocka_unit_test(test_validate_and_run_worlds),
    };
    rc = cmocka_run_group_tests(tests, NULL, NULL);
  }
  nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return rc;
}
