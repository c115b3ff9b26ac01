/*
 * test_report_cli.c — the report features through the real `jobsim` binary
 * (JOBSIM_EXE), run with fork/execv and its output captured:
 *  - `describe-job --db DIR/run.sqlite` prints byte for byte what
 *    `describe-job --scenario` prints, at 5 instants of 3 scenarios (before,
 *    at and between snapshots, at an abort, past the end of a finished run),
 *    in both timestamp formats and compact form;
 *    and so does the same store rewritten as schema version 1 (store_v1.h),
 *    which list-job-executions-for-job --db also reads as version 2;
 *  - --db refuses, with exit 1, an instant past the horizon of a run that had
 *    not finished, and a job id the store does not hold;
 *  - with gnuplot not on PATH, `jobsim run` of two scenarios exits 0 with
 *    exactly one warning line on stderr, and still writes the scripts, the
 *    data and the pages;
 *  - two gnuplots (fakes here) draw the plots: each script once, in page
 *    order, one joined gnuplot.log, the first failure's message;
 *  - with stderr not a terminal, `jobsim run` prints nothing on stderr (no
 *    progress line), and several scenarios get an index page linking each.
 */
#define _XOPEN_SOURCE 700
#include "test_common.h"
#include "test_util.h"
#include "store_v1.h"

#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
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
    char sc[1024], dir[900], db[1000], db1[1000];
    scenario_path(sc, sizeof sc, k->scenario);
    snprintf(dir, sizeof dir, "%s/%s", out, k->scenario);
    snprintf(db, sizeof db, "%s/run.sqlite", dir);
    const char *r[] = {"", "run", "--no-plots", "--quiet", sc, "--out", dir, NULL};
    assert_int_equal(run(r, NULL, NULL, NULL), 0);
    snprintf(db1, sizeof db1, "%s/v1.sqlite", out);
    remove(db1);
    assert_int_equal(store_make_v1(db, db1), 0);
    {   /* the execution listing, replayed from either version */
      const char *l[] = {"", "list-job-executions-for-job", "--job-id", k->job_id, "--db", db,
                         NULL};
      char *a2 = NULL, *b2 = NULL;
      assert_int_equal(run(l, NULL, &a2, NULL), 0);
      l[5] = db1;
      assert_int_equal(run(l, NULL, &b2, NULL), 0);
      assert_true(strlen(a2) > 100);
      assert_string_equal(b2, a2);
      free(a2);
      free(b2);
    }
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
        free(got);
        free(e2);
        a[n + 1] = db1;   /* version 1 */
        assert_int_equal(run(a, NULL, &got, &e2), 0);
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


/* --------------------------------------------- untrusted stores (issue 9) */

static void sql(const char *db, const char *stmt) {
  sqlite3 *h = NULL;
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  char *err = NULL;
  if (sqlite3_exec(h, stmt, NULL, NULL, &err) != SQLITE_OK)
    fail_msg("%s: %s", stmt, err ? err : "?");
  sqlite3_close(h);
}

/* describe-job --db on a copy of `good` changed by `stmt` (NULL: as is):
 * exit `want`, nothing on stdout (unless 0), `frag` on stderr. */
static void bad_store(const char *good, const char *stmt, int want, const char *frag) {
  char db[1000];
  snprintf(db, sizeof db, "%s/bad.sqlite", g_dir);
  test_copy_file(good, db);
  if (stmt) sql(db, stmt);
  char *o = NULL, *e = NULL;
  const char *a[] = {"", "describe-job", "--db", db, "--job-id", "fw-3-0-0-rev-b-regression",
                     "--at", "20m", NULL};
  int rc = run(a, NULL, &o, &e);
  if (rc != want || (want != 0) != (o[0] == 0) || !strstr(e, frag))
    fail_msg("%s: exit %d (want %d), stdout %.200s, stderr: %s (want '%s')",
             stmt ? stmt : "(as is)", rc, want, o, e, frag);
  free(o);
  free(e);
  remove(db);
}

/* A store of bad-release-abort, once. */
static void good_store(char *db, size_t n) {
  char sc[1024], dir[900];
  scenario_path(sc, sizeof sc, "bad-release-abort");
  snprintf(dir, sizeof dir, "%s/good", g_dir);
  snprintf(db, n, "%s/run.sqlite", dir);
  if (access(db, F_OK) == 0) return;
  const char *r[] = {"", "run", "--no-plots", "--quiet", sc, "--out", dir, NULL};
  assert_int_equal(run(r, NULL, NULL, NULL), 0);
}

/* Finding 7 (issue 9): a crafted counts.deltas blob gave UBSan signed
 * overflow, and an over-long varint passed the chunk check and printed
 * "numberOfQueuedThings": -9223372036854775658 with exit 0. Everything
 * read from a store is checked; a failure is exit 3 naming table and row. */
static void finding_07_store_untrusted(void **state) {
  (void)state;
  char good[1000];
  good_store(good, sizeof good);
  bad_store(good, NULL, 0, "");
  const char first[] = "(SELECT min(from_ms) FROM counts)";
  char q[1200];
  /* an 11-byte varint as the first time step */
  snprintf(q, sizeof q, "UPDATE counts SET instants = 2, to_ms = from_ms + 1, deltas = "
                        "X'FFFFFFFFFFFFFFFFFFFF7F00' WHERE from_ms = %s", first);
  bad_store(good, q, 3, "damaged jobsim store: table counts, row from_ms 0: deltas: "
                        "instant 1 has a malformed time step");
  /* a 10-byte delta of 2^63 - 1: the sum overflows int64 */
  snprintf(q, sizeof q, "UPDATE counts SET instants = 2, to_ms = from_ms + 1, deltas = "
                        "X'0101FEFFFFFFFFFFFFFFFF01' WHERE from_ms = %s", first);
  bad_store(good, q, 3, "table counts, row from_ms 0: deltas: instant 1 has a counter "
                        "delta out of range");
  /* a delta of -1,000,000 (zigzag 1999999): a counter below 0 */
  snprintf(q, sizeof q, "UPDATE counts SET instants = 2, to_ms = from_ms + 1, deltas = "
                        "X'0101FF887A' WHERE from_ms = %s", first);
  bad_store(good, q, 3, "table counts, row from_ms 0: deltas: at 1 ms a counter becomes -");
  snprintf(q, sizeof q, "UPDATE counts SET queued = -5 WHERE from_ms = %s", first);
  bad_store(good, q, 3, "table counts, row from_ms 0: counter -5 is out of range");
  snprintf(q, sizeof q, "UPDATE counts SET instants = instants - 1 WHERE from_ms = %s",
           first);
  bad_store(good, q, 3, "table counts, row from_ms 0: deltas hold more than its 511 "
                        "instants");
  snprintf(q, sizeof q, "UPDATE counts SET instants = 513 WHERE from_ms = %s", first);
  bad_store(good, q, 3, "table counts, row from_ms 0: instants 513 is not in 1..512");
  bad_store(good, "UPDATE run SET end_ms = until_ms + 1", 3,
            "table run, row 1: end_ms is not within 0..until_ms");
  bad_store(good, "UPDATE run SET seed = 'x'", 3, "table run, row 1: seed is not an integer");
  bad_store(good, "INSERT INTO run SELECT * FROM run", 3,
            "table run, row 1: more than one run row");
  bad_store(good, "DELETE FROM run", 3, "table run, no row: no run recorded");
  bad_store(good, "UPDATE run SET execution_records = execution_records + 1", 3,
            "table counts, the last counters sum to");
  bad_store(good, "UPDATE timeline SET succeeded = succeeded + 1 WHERE rowid = 3", 3,
            "table timeline, row 3: the counters at");
  bad_store(good, "UPDATE timeline SET records = records + 1 WHERE rowid = 3", 3,
            "table timeline, row 3: the counters sum to");
  bad_store(good, "UPDATE job_view SET deleted = 7", 3,
            "table job_view, row at_ms 1200000: deleted is neither 0 nor 1");
  bad_store(good, "UPDATE job_view SET epoch = replace(epoch, '\"jobId\"', '\"jobId\" 1')",
            3, "table job_view, row at_ms 1200000: the view is not a JSON object");
  bad_store(good, "DELETE FROM job_view", 3, "table job_view, no row at or before");
  /* a scenario that names a job file the store does not carry: never read
   * from this machine */
  bad_store(good, "UPDATE scenario SET json = json_set(json, '$.job', '/etc/passwd')", 3,
            "table scenario, row 1: $.job names a file, but the store holds no job_json");
}

/* Finding 24 (issue 9): a foreign or empty SQLite file was "store schema
 * version 0"; say it is not a jobsim store. */
static void finding_24_foreign_store(void **state) {
  (void)state;
  char good[1000], db[1000];
  good_store(good, sizeof good);
  snprintf(db, sizeof db, "%s/empty.sqlite", g_dir);
  FILE *f = fopen(db, "w");
  fclose(f);
  char *o = NULL, *e = NULL;
  const char *a[] = {"", "describe-job", "--db", db, "--job-id", "x", NULL};
  assert_int_equal(run(a, NULL, &o, &e), 3);
  assert_non_null(strstr(e, "empty.sqlite: not a jobsim store (a SQLite database without "
                            "jobsim's tables)"));
  free(o);
  free(e);
  sql(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1)");
  assert_int_equal(run(a, NULL, &o, &e), 3);
  assert_non_null(strstr(e, "not a jobsim store (a SQLite database without jobsim's tables)"));
  free(o);
  free(e);
  f = fopen(db, "w");
  fputs("this is a text file, not a database, and it is long enough to have a header\n", f);
  fclose(f);
  assert_int_equal(run(a, NULL, &o, &e), 3);
  assert_non_null(strstr(e, "not a jobsim store (not a SQLite database: file is not a "
                            "database)"));
  free(o);
  free(e);
  bad_store(good, "PRAGMA user_version = 3", 3,
            "store schema version 3, this jobsim reads versions 1 to 2");
  bad_store(good, "PRAGMA user_version = 0", 3,
            "store schema version 0, this jobsim reads versions 1 to 2");
  bad_store(good, "DROP TABLE counts", 3,
            "not a jobsim store (a SQLite database without all of jobsim's tables)");
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

/* A fake gnuplot `body` (sh) in a fresh bin directory; the run's report
 * dir into `out`; returns jobsim's exit status, stderr into *err. */
static int run_fake_gnuplot(const char *tag, const char *body, char *out, size_t on,
                            char **err) {
  char bin[700], gp[800], a[1024];
  snprintf(bin, sizeof bin, "%s/bin-%s", g_dir, tag);
  assert_int_equal(mkdir(bin, 0777), 0);
  snprintf(gp, sizeof gp, "%s/gnuplot", bin);
  FILE *f = fopen(gp, "w");
  assert_non_null(f);
  fprintf(f, "#!/bin/sh\n%s", body);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(chmod(gp, 0755), 0);
  char path[1800];
  snprintf(path, sizeof path, "%s:/usr/bin:/bin", bin);
  snprintf(out, on, "%s/gp-%s", g_dir, tag);
  scenario_path(a, sizeof a, "example-job-01");
  const char *r[] = {"", "run", "-q", a, "--out", out, NULL};
  return run(r, path, NULL, err);
}

static void assert_log(const char *out, const char *want) {
  char p[900];
  snprintf(p, sizeof p, "%s/plots/gnuplot.log", out);
  char *got = test_read_file(p, NULL);
  assert_non_null(got);
  assert_string_equal(got, want);
  free(got);
  assert_false(exists(out, "plots/gnuplot-2.log"));
}

/* The five plots are drawn by two gnuplots, started before the run and sent
 * their scripts on stdin once the data is written: between them they get
 * every script once, in page order; their logs end up in one gnuplot.log,
 * in that order; the first that fails (in script order) names the failure. */
static void test_two_gnuplots(void **state) {
  (void)state;
  char out[900];
  char *e = NULL;
  /* a gnuplot that says what it was given, and succeeds */
  assert_int_equal(run_fake_gnuplot("echo", "echo \"args: $*\"\ncat\n", out, sizeof out, &e), 0);
  free(e);
  /* each first gets the warm-up plot into /dev/null (reports/plot.c) */
#define WARM_UP "set terminal pngcairo noenhanced font \"Sans,10\" size 160,120\n" \
                "set output '/dev/null'\n" \
                "plot x\nunset output\n"
  assert_log(out, "args: \n" WARM_UP "load 'counters.gp'\nload 'failures.gp'\n"
                  "args: \n" WARM_UP "load 'rate.gp'\nload 'abort.gp'\nload 'progress.gp'\n");
  /* the second half fails: its message, its log */
  const char *second = "in=$(cat)\ncase \"$in\" in *rate.gp*) echo 'no rate today' >&2; "
                       "exit 3;; esac\n";
  assert_int_equal(run_fake_gnuplot("second", second, out, sizeof out, &e), 0);
  assert_non_null(strstr(e, "gnuplot exited with status 3: no rate today (plots/gnuplot.log)"));
  free(e);
  assert_log(out, "no rate today\n");
  assert_true(exists(out, "index.html"));
  /* both fail: the first half's message; both logs, in order */
  const char *both = "in=$(cat)\ncase \"$in\" in *counters.gp*) echo 'counters broke' >&2; "
                     "exit 2;; esac\necho 'rate broke' >&2\nexit 3\n";
  assert_int_equal(run_fake_gnuplot("both", both, out, sizeof out, &e), 0);
  assert_non_null(strstr(e, "gnuplot exited with status 2: counters broke (plots/gnuplot.log)"));
  assert_null(strstr(e, "rate broke"));
  free(e);
  assert_log(out, "counters broke\nrate broke\n");
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
      cmocka_unit_test(test_two_gnuplots),
      cmocka_unit_test(test_quiet_stderr_and_index),
      cmocka_unit_test(finding_07_store_untrusted),
      cmocka_unit_test(finding_24_foreign_store),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  if (rc == 0) rm_rf(g_dir);
  return rc;
}
