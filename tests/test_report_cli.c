/*
 * test_report_cli.c — the report features through the real `jobsim` binary
 * (JOBSIM_EXE), run with fork/execv and its output captured:
 *  - `describe-job --db DIR/run.sqlite` prints byte for byte what
 *    `describe-job --scenario` prints, at 5 instants of 3 scenarios (before,
 *    at and between snapshots, at an abort, past the end of a finished run),
 *    in both timestamp formats and compact form;
 *  - --db refuses, with exit 1, an instant past the horizon of a run that had
 *    not finished, and a job id the store does not hold;
 *  - with gnuplot not on PATH, `jobsim run` of two scenarios exits 0 with
 *    exactly one warning line on stderr, and still writes the scripts, the
 *    data and the pages;
 *  - with stderr not a terminal, `jobsim run` prints nothing on stderr (no
 *    progress line), and several scenarios get an index page linking each.
 */
#define _XOPEN_SOURCE 700
#include "test_common.h"
#include "test_util.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef JOBSIM_EXE
#error "JOBSIM_EXE must name the jobsim executable"
#endif

bool test_update_golden;

static char g_dir[512];

static int rm_cb(const char *p, const struct stat *sb, int f, struct FTW *w) {
  (void)sb; (void)f; (void)w;
  return remove(p);
}
static void rm_rf(const char *p) { nftw(p, rm_cb, 16, FTW_DEPTH | FTW_PHYS); }

/* Run jobsim with argv (NULL-terminated, argv[0] ignored); stdout and stderr
 * go to files under g_dir and are returned (caller frees). `path_env`
 * replaces PATH when not NULL. Returns the exit status. */
static int run(const char *const *args, const char *path_env, char **out, char **err) {
  char po[700], pe[700];
  snprintf(po, sizeof po, "%s/stdout", g_dir);
  snprintf(pe, sizeof pe, "%s/stderr", g_dir);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int fo = open(po, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fi = open("/dev/null", O_RDONLY);
    if (fo < 0 || fe < 0 || fi < 0 || dup2(fi, 0) < 0 || dup2(fo, 1) < 0 ||
        dup2(fe, 2) < 0)
      _exit(126);
    if (path_env) setenv("PATH", path_env, 1);
    char *argv[32];
    int n = 0;
    argv[n++] = strdup(JOBSIM_EXE);
    for (int i = 1; args[i] && n < 31; i++) argv[n++] = strdup(args[i]);
    argv[n] = NULL;
    execv(JOBSIM_EXE, argv);
    _exit(127);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  char *o = test_read_file(po, NULL), *e = test_read_file(pe, NULL);
  assert_non_null(o);
  assert_non_null(e);
  if (out) *out = o; else free(o);
  if (err) *err = e; else free(e);
  return WEXITSTATUS(status);
}

static void scenario_path(char *buf, size_t n, const char *name) {
  snprintf(buf, n, "%s/scenarios/%s.json", JOBSIM_SOURCE_DIR, name);
}

static bool exists(const char *dir, const char *rel) {
  char p[1200];
  snprintf(p, sizeof p, "%s/%s", dir, rel);
  return access(p, F_OK) == 0;
}

/* ------------------------------------------------------- --db vs --scenario */

typedef struct db_case {
  const char *scenario;
  const char *job_id;
  const char *at[5];
} db_case;

static const db_case db_cases[] = {
    /* abort: before the first snapshot, between snapshots, a snapshot
     * instant, the abort instant, past the end (the run finished) */
    {"bad-release-abort", "fw-3-0-0-rev-b-regression",
     {"0", "7m13.5s", "15m", "30m41.964s", "20h"}},
    /* exponential rate: each increase, between windows */
    {"exponential-aws-guide", "exponential-guide-example",
     {"59.999s", "20m0.001s", "33m30s", "1h", "2026-01-01T01:30:00Z"}},
    /* maintenance windows: scheduledJobRollouts move with the clock */
    {"nightly-maintenance-window", "nightly-firmware",
     {"30m", "2h59m59.999s", "1d3h12m", "2d", "4d"}},
};

static const char *const formats[][3] = {
    {NULL, NULL, NULL},
    {"--compact", NULL, NULL},
    {"--timestamp-format", "iso8601", NULL},
    {"--timestamp-format", "iso8601", "--compact"}};

static void test_db_matches_scenario(void **state) {
  (void)state;
  char out[700];
  snprintf(out, sizeof out, "%s/db", g_dir);
  for (size_t c = 0; c < sizeof db_cases / sizeof db_cases[0]; c++) {
    const db_case *k = &db_cases[c];
    char sc[1024], dir[900], db[1000];
    scenario_path(sc, sizeof sc, k->scenario);
    snprintf(dir, sizeof dir, "%s/%s", out, k->scenario);
    snprintf(db, sizeof db, "%s/run.sqlite", dir);
    const char *r[] = {"", "run", "--no-plots", "--quiet", sc, "--out", dir, NULL};
    assert_int_equal(run(r, NULL, NULL, NULL), 0);
    for (int i = 0; i < 5; i++)
      for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
        const char *a[16] = {"", "describe-job", "--job-id", k->job_id, "--at", k->at[i]};
        int n = 6;
        for (int j = 0; j < 3 && formats[f][j]; j++) a[n++] = formats[f][j];
        a[n] = "--scenario";
        a[n + 1] = sc;
        a[n + 2] = NULL;
        char *want = NULL, *got = NULL, *e1 = NULL, *e2 = NULL;
        int rc1 = run(a, NULL, &want, &e1);
        a[n] = "--db";
        a[n + 1] = db;
        int rc2 = run(a, NULL, &got, &e2);
        if (rc1 || rc2 || strcmp(want, got) != 0)
          fprintf(stderr, "%s at %s (format %zu): exit %d/%d\n%s%s--- scenario\n%s--- db\n%s",
                  k->scenario, k->at[i], f, rc1, rc2, e1, e2, want, got);
        assert_int_equal(rc1, 0);
        assert_int_equal(rc2, 0);
        assert_true(strlen(want) > 500);
        assert_string_equal(got, want);
        free(want);
        free(got);
        free(e1);
        free(e2);
      }
  }
}

static void test_db_refusals(void **state) {
  (void)state;
  char sc[1024], dir[900], db[1000];
  scenario_path(sc, sizeof sc, "bad-release-abort");
  snprintf(dir, sizeof dir, "%s/short", g_dir);
  snprintf(db, sizeof db, "%s/run.sqlite", dir);
  /* cut at 10 minutes: the job could still change afterwards */
  const char *r[] = {"", "run", "--no-plots", "--until", "10m", sc, "--out", dir, NULL};
  assert_int_equal(run(r, NULL, NULL, NULL), 0);
  char *o = NULL, *e = NULL;
  const char *a[] = {"", "describe-job", "--db", db, "--job-id",
                     "fw-3-0-0-rev-b-regression", "--at", "11m", NULL};
  assert_int_equal(run(a, NULL, &o, &e), 1);
  assert_string_equal(o, "");
  assert_non_null(strstr(e, "horizon +10m"));
  free(o);
  free(e);
  const char *b[] = {"", "describe-job", "--db", db, "--job-id", "other-job", NULL};
  assert_int_equal(run(b, NULL, &o, &e), 1);
  assert_non_null(strstr(e, "ResourceNotFoundException"));
  free(o);
  free(e);
  const char *c[] = {"", "describe-job", "--db", db, "--scenario", sc, "--job-id", "x", NULL};
  assert_int_equal(run(c, NULL, NULL, NULL), 2);
  char missing[1000];
  snprintf(missing, sizeof missing, "%s/nowhere/run.sqlite", g_dir);
  const char *m[] = {"", "describe-job", "--db", missing, "--job-id", "x", NULL};
  assert_int_equal(run(m, NULL, NULL, NULL), 4);
}

/* ------------------------------------------------------------ gnuplot --- */

static void test_without_gnuplot(void **state) {
  (void)state;
  char empty[700], out[700], a[1024], b[1024];
  snprintf(empty, sizeof empty, "%s/empty-bin", g_dir);
  assert_int_equal(mkdir(empty, 0777), 0);
  snprintf(out, sizeof out, "%s/nognuplot", g_dir);
  scenario_path(a, sizeof a, "example-job-01");
  scenario_path(b, sizeof b, "bad-release-abort");
  const char *r[] = {"", "run", a, b, "--out", out, NULL};
  char *o = NULL, *e = NULL;
  assert_int_equal(run(r, empty, &o, &e), 0);
  assert_string_equal(e, "jobsim: warning: gnuplot not found on PATH; plots skipped\n");
  assert_non_null(strstr(o, "bad-release-abort: CANCELED"));
  free(o);
  free(e);
  char dir[900];
  snprintf(dir, sizeof dir, "%s/bad-release-abort", out);
  assert_true(exists(dir, "plots/counters.gp"));
  assert_true(exists(dir, "plots/timeline.dat"));
  assert_false(exists(dir, "plots/counters.png"));
  assert_true(exists(dir, "index.html"));
  assert_true(exists(dir, "run.sqlite"));
  assert_true(exists(out, "index.html"));
}

/* stderr not a terminal: no progress line; several scenarios: an index. */
static void test_quiet_stderr_and_index(void **state) {
  (void)state;
  char out[700], a[1024], b[1024], c[1024];
  snprintf(out, sizeof out, "%s/many", g_dir);
  scenario_path(a, sizeof a, "example-job-01");
  scenario_path(b, sizeof b, "bad-release-abort");
  scenario_path(c, sizeof c, "hanging-devices-retry");
  const char *r[] = {"", "run", "--no-plots", a, b, c, "--out", out, NULL};
  char *o = NULL, *e = NULL;
  assert_int_equal(run(r, NULL, &o, &e), 0);
  assert_string_equal(e, "");
  free(o);
  free(e);
  char p[900];
  snprintf(p, sizeof p, "%s/index.html", out);
  char *html = test_read_file(p, NULL);
  assert_non_null(html);
  assert_non_null(strstr(html, "href=\"example-job-01/index.html\""));
  assert_non_null(strstr(html, "href=\"bad-release-abort/index.html\""));
  assert_non_null(strstr(html, "href=\"hanging-devices-retry/index.html\""));
  assert_non_null(strstr(html, "CANCELED by abort at 30m41s"));
  assert_non_null(strstr(html, "COMPLETED in"));
  free(html);
}

int main(int argc, char **argv) {
  test_parse_args(argc, argv);
  snprintf(g_dir, sizeof g_dir, "%s/report-cli-%ld", JOBSIM_BINARY_DIR, (long)getpid());
  rm_rf(g_dir);
  if (mkdir(g_dir, 0777) != 0) {
    perror(g_dir);
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_db_matches_scenario),
      cmocka_unit_test(test_db_refusals),
      cmocka_unit_test(test_without_gnuplot),
      cmocka_unit_test(test_quiet_stderr_and_index),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  if (rc == 0) rm_rf(g_dir);
  return rc;
}
