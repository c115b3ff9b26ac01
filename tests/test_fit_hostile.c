/* test_fit_hostile.c — `jobsim fit` against inputs jobsim did not make
 * (issue 9's attack pass, applied to fit): every input is hostile until
 * checked.
 *
 *   - a FIFO given as --job or --executions blocked for ever (the check
 *     "is it a SQLite store?" opened it with a blocking fopen); it must be
 *     refused at once as not a regular file, exit 4, nothing written;
 *   - a describe-job whose jobId is not an AWS job ID ('../../evil' with a
 *     matching jobArn, '.hidden', 'a b') was accepted and then failed as
 *     "a bug of jobsim fit" (exit 4) when the fitted scenario's name did not
 *     load; AWS job IDs are 1 to 64 of [a-zA-Z0-9_-], so it is invalid
 *     input: exit 3 naming $.job.jobId, nothing written;
 *   - a store of schema version 2 whose execution_chunk rows are not what
 *     jobsim writes (cut JSON, nine numbers, a number of 19 digits, a
 *     status code out of 1..8, a thing with no name) is refused, exit 3,
 *     naming the table and row and what is wrong, nothing written.
 *
 * Each run has a deadline (a hang fails the test instead of the suite's
 * timeout). Inputs are made by jobsim's own describe-job and
 * list-job-executions-for-job on tests/fit/export.json. */
#define _XOPEN_SOURCE 700
#include "test_common.h"

#include <sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef JOBSIM_EXE
#error "JOBSIM_EXE must name the jobsim executable"
#endif

static char g_dir[512];
static const char *g_export = JOBSIM_SOURCE_DIR "/tests/fit/export.json";

/* The whole file, or NULL when it cannot be read. */
static char *slurp(const char *path) { return test_read_file(path, NULL); }

static bool exists(const char *rel) {
  char p[1100];
  snprintf(p, sizeof p, "%s/%s", g_dir, rel);
  struct stat st;
  return lstat(p, &st) == 0;
}

typedef struct {
  int status;      /* exit status, -1 when killed at the deadline */
  double secs;
  char *out, *err;
} res;

/* jobsim ARGS in g_dir, stdout to OUT_FILE (relative) when given; killed
 * after `limit` seconds. */
static void run(res *r, const char *out_file, double limit, const char *const *args) {
  char op[1100], ep[1100];
  snprintf(op, sizeof op, "%s/%s", g_dir, out_file ? out_file : ".stdout");
  snprintf(ep, sizeof ep, "%s/.stderr", g_dir);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int fo = open(op, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = open(ep, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0 || chdir(g_dir) != 0) _exit(126);
    char *argv[32];
    size_t n = 0;
    argv[n++] = strdup("jobsim");
    for (size_t i = 0; args[i] && n < 31; i++) argv[n++] = strdup(args[i]);
    argv[n] = NULL;
    execv(JOBSIM_EXE, argv);
    _exit(127);
  }
  int st = 0;
  bool killed = false;
  for (;;) {
    pid_t w = waitpid(pid, &st, WNOHANG);
    if (w == pid) break;
    assert_true(w == 0 || errno == EINTR);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!killed && (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9 > limit) {
      kill(pid, SIGKILL);
      killed = true;
    }
    nanosleep(&(struct timespec){0, 10000000}, NULL);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  r->secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  r->out = out_file ? NULL : slurp(op);
  r->err = slurp(ep);
  if (!r->err) r->err = calloc(1, 1);
  if (killed) r->status = -1;
  else if (WIFSIGNALED(st)) fail_msg("jobsim killed by signal %d: %s", WTERMSIG(st), r->err);
  else r->status = WEXITSTATUS(st);
  if (r->status == 126 || r->status == 127) fail_msg("could not run %s", JOBSIM_EXE);
}

static void res_free(res *r) {
  free(r->out);
  free(r->err);
}

static void put(const char *rel, const char *text) {
  char p[1100];
  snprintf(p, sizeof p, "%s/%s", g_dir, rel);
  FILE *f = fopen(p, "wb");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* The job's describe-job and listing at 2h (one targeted group). */
static void make_inputs(void) {
  if (exists("le.json")) return;
  res r;
  const char *a[] = {"describe-job", "--scenario", g_export, "--job-id", "fit-export",
                     "--at", "2h", NULL};
  run(&r, "dj-two.json", 60, a);
  assert_int_equal(r.status, 0);
  res_free(&r);
  const char *b[] = {"list-job-executions-for-job", "--scenario", g_export, "--job-id",
                     "fit-export", "--at", "2h", NULL};
  run(&r, "le.json", 60, b);
  assert_int_equal(r.status, 0);
  res_free(&r);
  /* one thing-group target: no --group file needed */
  char p[1100];
  snprintf(p, sizeof p, "%s/dj-two.json", g_dir);
  char *s = slurp(p);
  assert_non_null(s);
  const char *gw = ",\n            \"arn:aws:iot:us-west-2:123456789012:thinggroup/gateways\"";
  char *at = strstr(s, gw);
  assert_non_null(at);
  memmove(at, at + strlen(gw), strlen(at + strlen(gw)) + 1);
  put("dj.json", s);
  free(s);
}

/* stderr contains `want`, exit `status`, nothing written. */
static void refused(const char *const *args, int status, const char *want) {
  res r;
  run(&r, NULL, 10, args);
  if (r.status == -1) fail_msg("%s %s: still running after 10 s (blocked)", args[1], args[2]);
  if (r.status != status || !strstr(r.err, want))
    fail_msg("%s %s: exit %d (want %d), stderr: %s(want '%s')", args[1], args[2], r.status,
             status, r.err, want);
  assert_string_equal(r.out, "");
  assert_false(exists("out.json"));
  assert_false(exists("rep"));
  res_free(&r);
}

static void fit_fifo_inputs(void **s) {
  (void)s;
  make_inputs();
  char p[1100];
  snprintf(p, sizeof p, "%s/fifo", g_dir);
  if (!exists("fifo")) assert_int_equal(mkfifo(p, 0600), 0);
  const char *a[] = {"fit", "--job", "fifo", "--executions", "le.json", "--out", "out.json",
                     "--report", "rep", NULL};
  refused(a, 4, "jobsim: fifo: not a regular file\n");
  const char *b[] = {"fit", "--job", "dj.json", "--executions", "fifo", "--out", "out.json",
                     NULL};
  refused(b, 4, "jobsim: fifo: not a regular file\n");
  const char *c[] = {"fit", "--job", "dj.json", "--executions", "le.json", "--executions",
                     "fifo", "--out", "out.json", NULL};
  refused(c, 4, "jobsim: fifo: not a regular file\n");
  /* and the same inputs as regular files are fitted (the refusal is the FIFO) */
  res r;
  const char *ok[] = {"fit", "--job", "dj.json", "--executions", "le.json", "--out",
                      "fitted.json", NULL};
  run(&r, NULL, 120, ok);
  if (r.status != 0) fail_msg("fit of the regular files: exit %d: %s", r.status, r.err);
  assert_true(exists("fitted.json"));
  res_free(&r);
}

static void fit_hostile_job_id(void **s) {
  (void)s;
  make_inputs();
  char p[1100];
  snprintf(p, sizeof p, "%s/dj.json", g_dir);
  char *dj = slurp(p);
  assert_non_null(dj);
  static const char *ids[] = {"../../evil", ".hidden", "a b", "x/y", "caf\xc3\xa9"};
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
    /* jobId and jobArn both name the hostile ID */
    size_t cap = strlen(dj) + 256;
    char *t = malloc(cap), *o = t;
    const char *q = dj, *hit;
    while ((hit = strstr(q, "fit-export\""))) {
      memcpy(o, q, (size_t)(hit - q));
      o += hit - q;
      o += sprintf(o, "%s\"", ids[i]);
      q = hit + strlen("fit-export\"");
    }
    strcpy(o, q);
    put("dj-bad.json", t);
    free(t);
    const char *a[] = {"fit", "--job", "dj-bad.json", "--executions", "le.json", "--out",
                       "out.json", "--report", "rep", NULL};
    refused(a, 3,
            "jobsim: dj-bad.json: $.job.jobId: expected an AWS job ID: 1 to 64 characters "
            "from [a-zA-Z0-9_-]\n");
  }
  free(dj);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(p);
}

/* A copy of a version 2 store with one execution_chunk row replaced. */
static void fit_hostile_chunks(void **s) {
  (void)s;
  make_inputs();
  res r;
  const char *mk[] = {"run", "--no-plots", "-q", "--out", "st", g_export, NULL};
  if (!exists("st/run.sqlite")) {
    run(&r, NULL, 120, mk);
    assert_int_equal(r.status, 0);
    res_free(&r);
  }
  static const struct { const char *rows, *want; } cases[] = {
      {"[[0,1,0,3,0,null,0,1", "table execution_chunk, row 1: not a JSON array of "
                               "8-number records"},
      {"[[0,1,0,3,0,null,0,1,5]]", "table execution_chunk, row 1: not a JSON array"},
      {"[[0,1,0,3,0,1234567890123456789,0,1]]", "row 1: not a JSON array"},
      {"[[0,1,0,3,0,null,0,1]] x", "row 1: not a JSON array"},
      {"[[0,1,0,9,0,null,0,1]]", "table execution_chunk, row 1: status code 9 is not 1..8"},
      {"[[0,1,0,0,0,null,0,1]]", "row 1: status code 0 is not 1..8"},
      {"[[99999999,1,0,3,0,null,0,1]]",
       "table execution_chunk, row 1: thing 99999999 is in neither thing_range nor thing"},
      {"[[-1,1,0,3,0,null,0,1]]", "row 1: thing -1 is in neither"},
  };
  char src[1100], dst[1100];
  snprintf(src, sizeof src, "%s/st/run.sqlite", g_dir);
  snprintf(dst, sizeof dst, "%s/bad.sqlite", g_dir);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    remove(dst);
    sqlite3 *db = NULL;
    char q[1300];
    snprintf(q, sizeof q, "VACUUM INTO '%s'", dst);
    assert_int_equal(sqlite3_open_v2(src, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(sqlite3_open(dst, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "UPDATE execution_chunk SET rows = ? "
                                            "WHERE rowid = 1", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, cases[i].rows, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    const char *a[] = {"fit", "--job", "dj.json", "--executions", "bad.sqlite", "--out",
                       "out.json", NULL};
    refused(a, 3, cases[i].want);
  }
  remove(dst);
}

int main(void) {
  snprintf(g_dir, sizeof g_dir, "%s/fit-hostile-XXXXXX", JOBSIM_BINARY_DIR);
  if (!mkdtemp(g_dir)) {
    perror("mkdtemp");
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fit_fifo_inputs),
      cmocka_unit_test(fit_hostile_job_id),
      cmocka_unit_test(fit_hostile_chunks),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return rc;
}
