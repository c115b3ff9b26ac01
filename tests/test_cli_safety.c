/*
 * test_cli_safety.c — `jobsim run` under hostile conditions, through the
 * binary: SIGINT and SIGTERM mid-run (exit 130 / 143, no report and no
 * temporary directory left), an output directory that cannot be created
 * (a read-only file system: exit 4), stdout on /dev/full (exit 4), the
 * memory refusal and the event cap (exit 4, messages naming the flags), and a
 * scenario name that tries to leave --out (exit 3, nothing written).
 */
#define _POSIX_C_SOURCE 200809L
#include "test_common.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[256];

typedef struct result {
  int status;        /* exit code, or 128 + signal */
  bool signaled;     /* died of a signal */
  bool timed_out;    /* killed after the time limit */
  double seconds;    /* wall time from start to exit */
  double after_sig;  /* wall time from the signal to the exit */
  char err[8192];    /* stderr */
} result;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* How to run jobsim: extra environment ("NAME=value", NULL-terminated),
 * a working directory, a time limit (default 60 s) after which it is
 * killed, a signal sent after delay_ms. */
typedef struct run_opts {
  const char *stdout_path;
  int sig, delay_ms;
  const char *const *env;
  const char *cwd;
  double limit_s;
  struct rlimit *fsize;   /* RLIMIT_FSIZE for the child, or NULL */
} run_opts;

static void run_with(result *r, const run_opts *o, const char *const *args) {
  char errf[512];
  snprintf(errf, sizeof errf, "%s/stderr.txt", tmpdir);
  double t0 = now_s();
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int e = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int out = open(o->stdout_path ? o->stdout_path : "/dev/null", O_WRONLY);
    if (e < 0 || out < 0) _exit(120);
    dup2(e, 2);
    dup2(out, 1);
    if (o->cwd && chdir(o->cwd) != 0) _exit(122);
    for (const char *const *v = o->env; v && *v; v++) {
      char kv[4096];
      snprintf(kv, sizeof kv, "%s", *v);
      char *eq = strchr(kv, '=');
      if (eq) *eq = 0, setenv(kv, eq + 1, 1);
    }
    if (o->fsize) setrlimit(RLIMIT_FSIZE, o->fsize);
    char *argv[40];
    int n = 0;
    argv[n++] = (char *)(uintptr_t)JOBSIM_EXE;
    for (; args[n - 1] && n < 39; n++) argv[n] = (char *)(uintptr_t)args[n - 1];
    argv[n] = NULL;
    execv(JOBSIM_EXE, argv);
    _exit(121);
  }
  double limit = o->limit_s > 0 ? o->limit_s : 60, t_sig = 0;
  if (o->sig > 0) {
    sleep_ms(o->delay_ms);
    kill(pid, o->sig);
    t_sig = now_s();
  }
  int st = 0;
  memset(r, 0, sizeof *r);
  for (;;) {
    pid_t w = waitpid(pid, &st, WNOHANG);
    if (w == pid) break;
    if (now_s() - t0 > limit) {
      r->timed_out = true;
      kill(pid, SIGKILL);
      waitpid(pid, &st, 0);
      break;
    }
    sleep_ms(5);
  }
  double t1 = now_s();
  r->seconds = t1 - t0;
  r->after_sig = o->sig > 0 ? t1 - t_sig : 0;
  r->signaled = WIFSIGNALED(st);
  r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  FILE *f = fopen(errf, "r");
  size_t n = f ? fread(r->err, 1, sizeof r->err - 1, f) : 0;
  r->err[n] = 0;
  if (f) fclose(f);
}

/* Run jobsim with args; if sig > 0, send it after delay_ms. */
static void run(result *r, const char *stdout_path, int sig, int delay_ms,
                const char *const *args) {
  run_opts o = {.stdout_path = stdout_path, .sig = sig, .delay_ms = delay_ms};
  run_with(r, &o, args);
}

static bool exists(const char *p) {
  struct stat st;
  return lstat(p, &st) == 0;
}

/* Anything but the scenario and stderr.txt left in tmpdir? */
static int leftovers(void) {
  DIR *d = opendir(tmpdir);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
        strcmp(e->d_name, "stderr.txt") && strcmp(e->d_name, "big.json") &&
        strcmp(e->d_name, "escape.json"))
      n++;
  closedir(d);
  return n;
}

static const char big[] =
    "{\"name\":\"big\",\"job\":{\"jobId\":\"big\",\"targets\":["
    "\"arn:aws:iot:us-west-2:123456789012:thinggroup/g\"],\"document\":\"{}\","
    "\"jobExecutionsRolloutConfig\":{\"maximumPerMinute\":1000},"
    "\"timeoutConfig\":{\"inProgressTimeoutInMinutes\":10}},"
    "\"fleet\":{\"groups\":[{\"name\":\"g\",\"things\":5000000,\"behavior\":\"b\"}],"
    "\"behaviors\":{\"b\":{\"startDelay\":\"10s\",\"runTime\":{\"distribution\":"
    "\"lognormal\",\"median\":\"60s\",\"sigma\":0.5},\"outcomes\":{\"SUCCEEDED\":0.99,"
    "\"NO_RESPONSE\":0.01}}}},\"simulation\":{\"until\":\"10d\",\"snapshotEvery\":\"5m\"}}";

static int setup(void **state) {
  (void)state;
  snprintf(tmpdir, sizeof tmpdir, "%s/safety-XXXXXX", JOBSIM_BINARY_DIR);
  if (!mkdtemp(tmpdir)) return -1;
  char p[512];
  snprintf(p, sizeof p, "%s/big.json", tmpdir);
  FILE *f = fopen(p, "w");
  fputs(big, f);
  fclose(f);
  snprintf(p, sizeof p, "%s/escape.json", tmpdir);
  f = fopen(p, "w");
  fputs("{\"name\":\"../../escaped\",\"job\":{\"jobId\":\"j\",\"targets\":["
        "\"arn:aws:iot:us-west-2:123456789012:thinggroup/g\"],\"document\":\"{}\"},"
        "\"fleet\":{\"groups\":[{\"name\":\"g\",\"things\":1,\"behavior\":\"b\"}],"
        "\"behaviors\":{\"b\":{}}}}", f);
  fclose(f);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

static void interrupted(int sig, int want) {
  char scen[512], out[512];
  snprintf(scen, sizeof scen, "%s/big.json", tmpdir);
  snprintf(out, sizeof out, "%s/out", tmpdir);
  result r;
  const char *args[] = {"run", "--no-plots", "--quiet", scen, "--out", out, NULL};
  run(&r, NULL, sig, 500, args);
  assert_int_equal(r.status, want);
  assert_non_null(strstr(r.err, "interrupted"));
  assert_non_null(strstr(r.err, "no report written"));
  assert_false(exists(out));
  assert_int_equal(leftovers(), 0);   /* no .out.tmp-PID either */
}

static void test_sigint(void **s) { (void)s; interrupted(SIGINT, 130); }
static void test_sigterm(void **s) { (void)s; interrupted(SIGTERM, 143); }

static void test_unwritable(void **s) {
  (void)s;
  char scen[1024];
  snprintf(scen, sizeof scen, "%s/scenarios/example-job-01.json", JOBSIM_SOURCE_DIR);
  result r;
  /* /sys is a read-only file system here, even for root */
  const char *args[] = {"run", "--no-plots", scen, "--out", "/sys/jobsim-report", NULL};
  run(&r, NULL, 0, 0, args);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "cannot create '/sys/.jobsim-report.tmp-"));
  /* stdout that cannot be written: /dev/full */
  const char *args2[] = {"describe-job", "--scenario", scen, "--job-id", "example-job-01",
                         "--at", "0", NULL};
  run(&r, "/dev/full", 0, 0, args2);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "writing output failed"));
}

static void test_limits(void **s) {
  (void)s;
  char scen[512], out[512];
  snprintf(scen, sizeof scen, "%s/big.json", tmpdir);
  snprintf(out, sizeof out, "%s/out", tmpdir);
  result r;
  const char *a1[] = {"run", "--no-plots", scen, "--out", out, "--max-memory", "64M", NULL};
  run(&r, NULL, 0, 0, a1);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "$.fleet: the run needs about"));
  assert_non_null(strstr(r.err, "use --max-memory SIZE to allow more"));
  assert_false(exists(out));
  const char *a2[] = {"run", "--no-plots", scen, "--out", out, "--max-events", "10000", NULL};
  run(&r, NULL, 0, 0, a2);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "exceeds the event cap (--max-events 10000)"));
  assert_false(exists(out));
  assert_int_equal(leftovers(), 0);
}

/* Finding 14 (issue 9): a FIFO given as --db blocked forever in open(). */
static void finding_14_fifo_db(void **s) {
  (void)s;
  char fifo[512];
  snprintf(fifo, sizeof fifo, "%s/run.sqlite", tmpdir);
  assert_int_equal(mkfifo(fifo, 0600), 0);
  result r;
  const char *args[] = {"describe-job", "--db", fifo, "--job-id", "j", NULL};
  run_opts o = {.limit_s = 10};
  run_with(&r, &o, args);
  remove(fifo);
  assert_false(r.timed_out);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "run.sqlite': not a regular file (a FIFO)"));
}

static void test_path_escape(void **s) {
  (void)s;
  char scen[512], out[512], esc[512];
  snprintf(scen, sizeof scen, "%s/escape.json", tmpdir);
  snprintf(out, sizeof out, "%s/reports", tmpdir);
  snprintf(esc, sizeof esc, "%s/../escaped", tmpdir);
  result r;
  /* several scenarios: each goes to <out>/<name>; a name with '/' or '..'
   * is refused before anything is written */
  const char *args[] = {"run", "--no-plots", scen, scen, "--out", out, NULL};
  run(&r, NULL, 0, 0, args);
  assert_int_equal(r.status, 3);
  assert_non_null(strstr(r.err, "$.name: expected 1 to 64 characters from [A-Za-z0-9._-]"));
  assert_false(exists(esc));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sigint),      cmocka_unit_test(test_sigterm),
      cmocka_unit_test(test_unwritable),  cmocka_unit_test(test_limits),
      cmocka_unit_test(test_path_escape),
      cmocka_unit_test(finding_14_fifo_db),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
