/*
 * test_cli_safety.c — `jobsim run` under hostile conditions, through the
 * binary: SIGINT and SIGTERM mid-run (exit 130 / 143, no report and no
 * temporary directory left), an output directory that cannot be created
 * (a read-only file system: exit 4), stdout on /dev/full (exit 4), the
 * memory refusal and the event cap (exit 4, messages naming the flags), and a
 * scenario name that tries to leave --out (exit 3, nothing written).
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE   /* wait4 */
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
  /* before exec, the child links <plant_dir>/<plant_name>-<its pid> to
   * plant_target (a link planted where jobsim will put a temporary file) */
  const char *plant_dir, *plant_name, *plant_target;
  /* when set, `sig` is sent once the file sig_file_pre + child pid +
   * sig_file_post is at least sig_file_size bytes (not after delay_ms): an instant of
   * the run's own progress, not of the clock, which a loaded machine
   * stretches */
  const char *sig_file_pre, *sig_file_post;
  off_t sig_file_size;
} run_opts;

typedef struct child {
  pid_t pid;
  double t0;
  char errf[512];
} child;

/* Start jobsim with args (stderr to a file of its own: `tag`). */
static child spawn(const run_opts *o, const char *tag, const char *const *args) {
  child c;
  snprintf(c.errf, sizeof c.errf, "%s/stderr%s.txt", tmpdir, tag);
  c.t0 = now_s();
  c.pid = fork();
  assert_true(c.pid >= 0);
  if (c.pid == 0) {
    int e = open(c.errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
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
    if (o->plant_dir) {
      char link[1200];
      snprintf(link, sizeof link, "%s/%s-%ld", o->plant_dir, o->plant_name, (long)getpid());
      if (symlink(o->plant_target, link) != 0) _exit(123);
    }
    char *argv[40];
    int n = 0;
    argv[n++] = (char *)(uintptr_t)JOBSIM_EXE;
    for (; args[n - 1] && n < 39; n++) argv[n] = (char *)(uintptr_t)args[n - 1];
    argv[n] = NULL;
    execv(JOBSIM_EXE, argv);
    _exit(121);
  }
  return c;
}

/* Wait for c (killed after the time limit); t_sig: when a signal was sent
 * (0: none). */
static void reap(child *c, result *r, double limit_s, double t_sig) {
  double limit = limit_s > 0 ? limit_s : 60;
  int st = 0;
  memset(r, 0, sizeof *r);
  for (;;) {
    pid_t w = waitpid(c->pid, &st, WNOHANG);
    if (w == c->pid) break;
    if (now_s() - c->t0 > limit) {
      r->timed_out = true;
      kill(c->pid, SIGKILL);
      waitpid(c->pid, &st, 0);
      break;
    }
    sleep_ms(2);
  }
  double t1 = now_s();
  r->seconds = t1 - c->t0;
  r->after_sig = t_sig > 0 ? t1 - t_sig : 0;
  r->signaled = WIFSIGNALED(st);
  r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  FILE *f = fopen(c->errf, "r");
  size_t n = f ? fread(r->err, 1, sizeof r->err - 1, f) : 0;
  r->err[n] = 0;
  if (f) fclose(f);
}

static bool under_valgrind(void);

/* Under valgrind a jobsim process needs a second or more before main()
 * installs its signal handlers (valgrind starts, reads debug info), and a
 * signal sent earlier is taken by valgrind, not jobsim. Delays are counted
 * from the end of that start-up: measured once, as the time of `jobsim
 * help` under the wrapper, with half again for a loaded machine. 0 when
 * not under valgrind. */
static int startup_ms(void) {
  static int ms = -1;
  if (ms >= 0) return ms;
  ms = 0;
  if (!under_valgrind()) return ms;
  char cmd[600];
  snprintf(cmd, sizeof cmd, "'%s' help >/dev/null 2>&1", JOBSIM_EXE);
  double t0 = now_s();
  if (system(cmd) == -1) return ms;
  ms = (int)((now_s() - t0) * 1500.0);
  return ms;
}

static void run_with(result *r, const run_opts *o, const char *const *args) {
  int pre = o->sig > 0 ? startup_ms() : 0;   /* before the child: not timed */
  child c = spawn(o, "", args);
  double t_sig = 0;
  if (o->sig > 0 && o->sig_file_pre) {
    char path[900];
    snprintf(path, sizeof path, "%s%d%s", o->sig_file_pre, (int)c.pid, o->sig_file_post);
    for (;;) {
      struct stat st;
      if (stat(path, &st) == 0 && st.st_size >= o->sig_file_size) {
        kill(c.pid, o->sig);
        t_sig = now_s();
        break;
      }
      siginfo_t si = {0};   /* exited already? (not reaped: reap() does) */
      if (waitid(P_PID, (id_t)c.pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid)
        break;
      if (now_s() - c.t0 > (o->limit_s > 0 ? o->limit_s : 60)) break;
      sleep_ms(1);
    }
  } else if (o->sig > 0) {
    sleep_ms(o->delay_ms + pre);
    kill(c.pid, o->sig);
    t_sig = now_s();
  }
  reap(&c, r, o->limit_s, t_sig);
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
        strncmp(e->d_name, "stderr", 6) && strcmp(e->d_name, "big.json") &&
        strcmp(e->d_name, "escape.json") && strncmp(e->d_name, "f-", 2))
      n++;
  closedir(d);
  return n;
}


/* ------------------------------------------- helpers for issue 9 tests --- */

/* Under scripts/valgrind.sh, JOBSIM_EXE is a shell wrapper around valgrind:
 * everything is 20-50 times slower, so sizes shrink and bounds relax. */
static bool under_valgrind(void) {
  char head[3] = {0};
  FILE *f = fopen(JOBSIM_EXE, "rb");
  if (f) {
    if (fread(head, 1, 2, f) != 2) head[0] = 0;
    fclose(f);
  }
  return head[0] == '#' && head[1] == '!';
}


#define EXAMPLE JOBSIM_SOURCE_DIR "/scenarios/example-job-01.json"

static void put(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

/* A fresh directory tmpdir/f-<name> for one test; its path in buf. */
static void test_dir(char *buf, size_t n, const char *name) {
  snprintf(buf, n, "%s/f-%s", tmpdir, name);
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", buf);
  assert_int_equal(system(cmd), 0);
  assert_int_equal(mkdir(buf, 0777), 0);
}

/* Entries of `dir` other than those named in `keep` (NULL-terminated):
 * their count, and their names (space-separated) in `names`. */
static int others(const char *dir, const char *const *keep, char *names, size_t n) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  int k = 0;
  if (n) names[0] = 0;
  for (struct dirent *e; (e = readdir(d));) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    bool kept = false;
    for (const char *const *q = keep; q && *q && !kept; q++) kept = !strcmp(*q, e->d_name);
    if (kept) continue;
    k++;
    size_t l = strlen(names);
    snprintf(names + l, n - l, "%s%s", l ? " " : "", e->d_name);
  }
  closedir(d);
  return k;
}

/* The whole report jobsim writes (no plots): every file there,
 * describe-job.json the final state COMPLETED, `snapshots` snapshots
 * (example-job-01: 4). */
static void assert_report(const char *rep, int snapshots) {
  static const char *const files[] = {"describe-job.json", "events.log", "index.html",
                                      "run.json", "run.sqlite", "timeline.csv",
                                      ".jobsim-output", NULL};
  for (const char *const *f = files; *f; f++) {
    char p[1200];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", rep, *f);
    if (lstat(p, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
      fail_msg("%s: missing or empty %s", rep, *f);
  }
  char p[1200], text[4096];
  snprintf(p, sizeof p, "%s/describe-job.json", rep);
  FILE *f = fopen(p, "r");
  assert_non_null(f);
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = 0;
  assert_non_null(strstr(text, "\"status\": \"COMPLETED\""));
  snprintf(p, sizeof p, "%s/snapshots", rep);
  const char *none[] = {NULL};
  char names[256];
  assert_int_equal(others(p, none, names, sizeof names), snapshots);
}

static void assert_whole_report(const char *rep) { assert_report(rep, 4); }

/* Finding 1 (issue 9): `run --out DIR` replaced any directory that merely
 * contained a run.json (a project's main.c and src/ were deleted). */
static void finding_01_out_dir_not_ours(void **s) {
  (void)s;
  char dir[600], proj[700], p[800], rep[700];
  test_dir(dir, sizeof dir, "01");
  snprintf(proj, sizeof proj, "%s/proj", dir);
  assert_int_equal(mkdir(proj, 0777), 0);
  snprintf(p, sizeof p, "%s/src", proj);
  assert_int_equal(mkdir(p, 0777), 0);
  snprintf(p, sizeof p, "%s/run.json", proj);
  put(p, "{\"formatVersion\": 1}\n");
  snprintf(p, sizeof p, "%s/main.c", proj);
  put(p, "int main(void) { return 0; }\n");
  snprintf(p, sizeof p, "%s/src/util.c", proj);
  put(p, "int util;\n");
  result r;
  const char *a_run[] = {"run", "-q", "--no-plots", EXAMPLE, "--out", proj, NULL};
  run(&r, NULL, 0, 0, a_run);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "refusing to replace"));
  assert_non_null(strstr(r.err, "it is not a jobsim output directory (no valid "
                                ".jobsim-output marker inside)"));
  const char *a_sweep[] = {"sweep", "-q", "-n", "2", EXAMPLE, "-o", proj, NULL};
  run(&r, NULL, 0, 0, a_sweep);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "refusing to replace"));
  snprintf(p, sizeof p, "%s/main.c", proj);
  assert_true(exists(p));
  snprintf(p, sizeof p, "%s/src/util.c", proj);
  assert_true(exists(p));
  const char *keep[] = {"run.json", "main.c", "src", NULL};
  char names[512];
  assert_int_equal(others(proj, keep, names, sizeof names), 0);

  /* a report of jobsim with a file of the user's added: not ours any more */
  snprintf(rep, sizeof rep, "%s/rep", dir);
  const char *a_rep[] = {"run", "-q", "--no-plots", EXAMPLE, "--out", rep, NULL};
  run(&r, NULL, 0, 0, a_rep);
  assert_int_equal(r.status, 0);
  assert_whole_report(rep);
  snprintf(p, sizeof p, "%s/notes.txt", rep);
  put(p, "my notes\n");
  run(&r, NULL, 0, 0, a_rep);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "('notes.txt' is not part of the report)"));
  assert_true(exists(p));
  remove(p);
  snprintf(p, sizeof p, "%s/snapshots/mine.json", rep);
  put(p, "{}\n");
  run(&r, NULL, 0, 0, a_rep);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "('snapshots/' holds files the report did not write)"));
  assert_true(exists(p));
  remove(p);
  /* a forged marker of a version this jobsim does not know */
  snprintf(p, sizeof p, "%s/.jobsim-output", rep);
  put(p, "jobsim output directory\nversion 99\nstate complete\n");
  run(&r, NULL, 0, 0, a_rep);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "no valid .jobsim-output marker"));
  /* jobsim's own report, untouched: replaced */
  remove(p);
  assert_int_equal(system("true"), 0);
  char cmd[1600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", rep);
  assert_int_equal(system(cmd), 0);
  run(&r, NULL, 0, 0, a_rep);
  assert_int_equal(r.status, 0);
  run(&r, NULL, 0, 0, a_rep);
  assert_int_equal(r.status, 0);
  assert_whole_report(rep);
  const char *only[] = {"proj", "rep", NULL};
  assert_int_equal(others(dir, only, names, sizeof names), 0);
}

/* A gnuplot on PATH that sleeps `secs` then succeeds without drawing
 * (`secs` < 0: it ignores SIGINT/SIGTERM and never ends). */
static void fake_gnuplot(const char *bindir, int secs) {
  char p[4200];   /* bindir is a path of at most PATH_MAX */
  mkdir(bindir, 0777);
  assert_true((size_t)snprintf(p, sizeof p, "%s/gnuplot", bindir) < sizeof p);
  char text[256];
  if (secs >= 0)
    snprintf(text, sizeof text, "#!/bin/sh\nsleep %d\nexit 0\n", secs);
  else
    snprintf(text, sizeof text, "#!/bin/sh\ntrap '' INT TERM HUP QUIT\n"
                                "while :; do sleep 1; done\n");
  put(p, text);
  assert_int_equal(chmod(p, 0755), 0);
}

/* Finding 2 (issue 9): a directory created at --out by someone else while
 * the run went on was renamed aside and deleted at commit. Here the run
 * waits 2 s in a (fake) gnuplot; meanwhile a user creates the directory. */
static void finding_02_out_dir_appears(void **s) {
  (void)s;
  char dir[600], bin[700], out[700], path_env[1800], p[800];
  test_dir(dir, sizeof dir, "02");
  snprintf(bin, sizeof bin, "%s/bin", dir);
  fake_gnuplot(bin, 2);
  snprintf(out, sizeof out, "%s/out", dir);
  snprintf(path_env, sizeof path_env, "PATH=%s:/usr/bin:/bin", bin);
  const char *env[] = {path_env, NULL};
  const char *args[] = {"run", "-q", EXAMPLE, "--out", out, NULL};
  run_opts o = {.env = env};
  child c = spawn(&o, "02", args);
  sleep_ms(700 + startup_ms());
  assert_int_equal(mkdir(out, 0777), 0);   /* someone else's, during the run */
  snprintf(p, sizeof p, "%s/thesis.tex", out);
  put(p, "\\documentclass{article}\n");
  result r;
  reap(&c, &r, 30, 0);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "it appeared during the run, nothing replaced"));
  assert_true(exists(p));
  const char *keep[] = {"thesis.tex", NULL};
  char names[512];
  assert_int_equal(others(out, keep, names, sizeof names), 0);
  const char *keep2[] = {"bin", "out", NULL};
  assert_int_equal(others(dir, keep2, names, sizeof names), 0);   /* no .out.* */
}

/* Rounds of `runs` simultaneous `jobsim run` on one --out: exactly one
 * whole report each round, nothing else left in the parent. */
static void concurrent_rounds(int runs, int rounds) {
  char dir[600], out[700], tag[32], names[2048], scen[800];
  test_dir(dir, sizeof dir, "05");
  snprintf(out, sizeof out, "%s/same", dir);
  /* 20,000 things: about 0.1 s a run, so that the runs overlap */
  snprintf(scen, sizeof scen, "%s/conc.json", dir);
  put(scen, "{\"name\":\"conc\",\"job\":{\"jobId\":\"conc\",\"targets\":["
            "\"arn:aws:iot:us-west-2:123456789012:thinggroup/g\"],\"document\":\"{}\","
            "\"jobExecutionsRolloutConfig\":{\"maximumPerMinute\":1000}},"
            "\"fleet\":{\"groups\":[{\"name\":\"g\",\"things\":20000,\"behavior\":\"b\"}],"
            "\"behaviors\":{\"b\":{\"startDelay\":\"10s\",\"runTime\":{\"distribution\":"
            "\"lognormal\",\"median\":\"60s\",\"sigma\":0.5}}}},"
            "\"simulation\":{\"until\":\"1d\",\"snapshotEvery\":\"1h\"}}\n");
  const char *args[] = {"run", "-q", "--no-plots", scen, "--out", out, NULL};
  run_opts o = {0};
  int fails = 0;
  double t0 = now_s();
  for (int k = 0; k < rounds; k++) {
    child c[16];
    for (int i = 0; i < runs; i++) {
      snprintf(tag, sizeof tag, "05-%d", i);
      c[i] = spawn(&o, tag, args);
    }
    for (int i = 0; i < runs; i++) {
      result r;
      reap(&c[i], &r, 60, 0);
      if (r.status != 0) {
        fails++;
        fail_msg("round %d, run %d: exit %d: %s", k, i, r.status, r.err);
      }
    }
    assert_report(out, 2);
    const char *keep[] = {"same", "conc.json", NULL};
    if (others(dir, keep, names, sizeof names) != 0)
      fail_msg("round %d: left beside the report: %s", k, names);
    const char *keep2[] = {"describe-job.json", "events.log", "index.html", "run.json",
                           "run.sqlite", "timeline.csv", ".jobsim-output", "snapshots",
                           NULL};
    if (others(out, keep2, names, sizeof names) != 0)
      fail_msg("round %d: inside the report: %s", k, names);
  }
  print_message("concurrent: %d runs x %d rounds on one --out: %d failures, every "
                "round one whole report and nothing else, %.1f s\n",
                runs, rounds, fails, now_s() - t0);
}

/* Finding 5 (issue 9): concurrent runs on one --out gave misleading
 * messages and once left a whole old report as a hidden .same.old-PID.
 * The acceptance check is 8 runs x 200 rounds (JOBSIM_FULL=1); CI runs
 * 8 x 25. */
static void finding_05_concurrent_out(void **s) {
  (void)s;
  const char *full = getenv("JOBSIM_FULL");
  concurrent_rounds(8, full && *full == '1' ? 200 : under_valgrind() ? 2 : 25);
}

/* A pid that no process has: a child that exited and was reaped. */
static long dead_pid(void) {
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) _exit(0);
  waitpid(pid, NULL, 0);
  return (long)pid;
}

/* Finding 21 (issue 9, second half): the .NAME.tmp-PID directories of
 * killed runs were never cleaned. A later run removes those of dead jobsim
 * processes of this host, and only those. */
static void finding_21_stale_temp_dirs(void **s) {
  (void)s;
  char dir[600], p[900], host[256], names[1024], stale[800], foreign[800], alive[800];
  test_dir(dir, sizeof dir, "21");
  gethostname(host, sizeof host);
  long dead = dead_pid();
  /* jobsim's own leftovers: a temporary and a swapped-out directory */
  snprintf(stale, sizeof stale, "%s/.rep.tmp-%ld", dir, dead);
  assert_int_equal(mkdir(stale, 0777), 0);
  snprintf(p, sizeof p, "%s/.jobsim-output", stale);
  char text[512];
  snprintf(text, sizeof text, "jobsim output directory\nversion 1\nstate writing\n"
                              "pid %ld\nhost %s\n", dead, host);
  put(p, text);
  snprintf(p, sizeof p, "%s/timeline.csv", stale);
  put(p, "half a file");
  snprintf(p, sizeof p, "%s/.other.old-%ld", dir, dead);
  assert_int_equal(mkdir(p, 0777), 0);
  snprintf(p, sizeof p, "%s/.other.old-%ld/.jobsim-output", dir, dead);
  put(p, "jobsim output directory\nversion 1\nstate complete\nfile run.json\n");
  /* not ours (no marker), and ours but of a live process: kept */
  snprintf(foreign, sizeof foreign, "%s/.cache.tmp-%ld", dir, dead);
  assert_int_equal(mkdir(foreign, 0777), 0);
  snprintf(alive, sizeof alive, "%s/.busy.tmp-%ld", dir, (long)getpid());
  assert_int_equal(mkdir(alive, 0777), 0);
  snprintf(p, sizeof p, "%s/.jobsim-output", alive);
  snprintf(text, sizeof text, "jobsim output directory\nversion 1\nstate writing\n"
                              "pid %ld\nhost %s\n", (long)getpid(), host);
  put(p, text);
  result r;
  char rep[700];
  snprintf(rep, sizeof rep, "%s/rep", dir);
  const char *args[] = {"run", "-q", "--no-plots", EXAMPLE, "--out", rep, NULL};
  run(&r, NULL, 0, 0, args);
  assert_int_equal(r.status, 0);
  assert_false(exists(stale));
  const char *keep[] = {"rep", NULL};
  others(dir, keep, names, sizeof names);
  snprintf(text, sizeof text, ".busy.tmp-%ld .cache.tmp-%ld", (long)getpid(), dead);
  char text2[512];
  snprintf(text2, sizeof text2, ".cache.tmp-%ld .busy.tmp-%ld", dead, (long)getpid());
  if (strcmp(names, text) && strcmp(names, text2))
    fail_msg("left after cleaning: '%s' (expected the foreign and the live one)", names);

  /* a run killed by SIGKILL mid-way leaves its directory; the next removes it */
  char bin[700], path_env[1800];
  snprintf(bin, sizeof bin, "%s/bin", dir);
  fake_gnuplot(bin, 5);
  snprintf(path_env, sizeof path_env, "PATH=%s:/usr/bin:/bin", bin);
  const char *env[] = {path_env, NULL};
  char rep2[700];
  snprintf(rep2, sizeof rep2, "%s/rep2", dir);
  const char *a2[] = {"run", "-q", EXAMPLE, "--out", rep2, NULL};
  run_opts o = {.env = env, .sig = SIGKILL, .delay_ms = 500};
  run_with(&r, &o, a2);
  assert_int_equal(r.status, 128 + SIGKILL);
  const char *keep3[] = {"rep", "bin", NULL};
  assert_int_equal(others(dir, keep3, names, sizeof names), 3);   /* + .rep2.tmp-PID */
  assert_non_null(strstr(names, ".rep2.tmp-"));
  run(&r, NULL, 0, 0, args);
  assert_int_equal(r.status, 0);
  assert_null(strstr((others(dir, keep3, names, sizeof names), names), ".rep2.tmp-"));
  char cmd[2000];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", foreign, alive);
  assert_int_equal(system(cmd), 0);
}

/* Finding 25 (issue 9, names): a legal 250-byte --out name was refused as
 * "File name too long" (the hidden sibling's name is longer); a too-long
 * --out created its parents before being refused. */
static void finding_25_out_names(void **s) {
  (void)s;
  char dir[600], out[1200], names[1024];
  test_dir(dir, sizeof dir, "25");
  char name[251];
  memset(name, 'r', 250);
  name[250] = 0;
  snprintf(out, sizeof out, "%s/%s", dir, name);
  result r;
  const char *args[] = {"run", "-q", "--no-plots", EXAMPLE, "--out", out, NULL};
  run(&r, NULL, 0, 0, args);
  if (r.status != 0) fail_msg("250-byte name: exit %d: %s", r.status, r.err);
  assert_whole_report(out);
  run(&r, NULL, 0, 0, args);   /* and replaced */
  assert_int_equal(r.status, 0);
  const char *keep[] = {name, NULL};
  assert_int_equal(others(dir, keep, names, sizeof names), 0);
  /* too long: refused before anything is created */
  char lng[5200];
  snprintf(lng, sizeof lng, "%s/new-parent/", dir);
  for (size_t l = strlen(lng); l < 5000; l++) lng[l] = l % 100 == 99 ? '/' : 'x';
  lng[5000] = 0;
  const char *a2[] = {"run", "-q", "--no-plots", EXAMPLE, "--out", lng, NULL};
  run(&r, NULL, 0, 0, a2);
  assert_int_equal(r.status, 2);
  assert_non_null(strstr(r.err, "bytes long, more than 3000"));
  char p[800];
  snprintf(p, sizeof p, "%s/new-parent", dir);
  assert_false(exists(p));
  memset(name, 'q', 250);
  char nm[300];
  snprintf(nm, sizeof nm, "%.250s%s", name, "qqqqqqqqqq");   /* 260 bytes */
  snprintf(out, sizeof out, "%s/new-parent/%s/x", dir, nm);
  const char *a3[] = {"run", "-q", "--no-plots", EXAMPLE, "--out", out, NULL};
  run(&r, NULL, 0, 0, a3);
  assert_int_equal(r.status, 2);
  assert_non_null(strstr(r.err, "a name in it is 260 bytes long, more than 255"));
  assert_false(exists(p));
  /* beyond what SQLite opens (512 bytes): refused first, not after the run */
  snprintf(out, sizeof out, "%s/new-parent/%.250s/%.250s", dir, name, name);
  const char *a4[] = {"run", "-q", "--no-plots", EXAMPLE, "--out", out, NULL};
  run(&r, NULL, 0, 0, a4);
  assert_int_equal(r.status, 2);
  assert_non_null(strstr(r.err, "the store inside it would have an absolute path of "));
  assert_non_null(strstr(r.err, "bytes, and SQLite opens at most 511"));
  assert_false(exists(p));
  /* a message about a 5,000-byte path keeps its reason */
  const char *a5[] = {"validate", lng, NULL};
  run(&r, NULL, 0, 0, a5);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "...xxxx"));
  assert_non_null(strstr(r.err, "': File name too long\n"));   /* over PATH_MAX */
}

/* A one-thing scenario without a name: the name comes from its file. */
static const char example_named[] =
    "{\"name\":\"same\",\"job\":{\"jobId\":\"j\",\"targets\":["
    "\"arn:aws:iot:us-west-2:123456789012:thinggroup/g\"],\"document\":\"{}\"},"
    "\"fleet\":{\"groups\":[{\"name\":\"g\",\"things\":1,\"behavior\":\"b\"}],"
    "\"behaviors\":{\"b\":{}}}}\n";
static const char unnamed[] =
    "{\"job\":{\"jobId\":\"j\",\"targets\":["
    "\"arn:aws:iot:us-west-2:123456789012:thinggroup/g\"],\"document\":\"{}\"},"
    "\"fleet\":{\"groups\":[{\"name\":\"g\",\"things\":1,\"behavior\":\"b\"}],"
    "\"behaviors\":{\"b\":{}}}}\n";

/* Finding 23 (issue 9): the default name taken from a file name was not
 * checked for a leading dot: .hidden.json wrote a hidden report, ...json
 * became '..' and was refused late as a usage error. A leading dot becomes
 * '_' (".hidden" -> "_hidden", ".." -> "_."), like any other character a
 * name cannot hold. */
static void finding_23_default_names(void **s) {
  (void)s;
  char dir[600], p[800], names[512];
  test_dir(dir, sizeof dir, "23");
  snprintf(p, sizeof p, "%s/.hidden.json", dir);
  put(p, unnamed);
  snprintf(p, sizeof p, "%s/...json", dir);
  put(p, unnamed);
  result r;
  const char *a1[] = {"run", "-q", "--no-plots", ".hidden.json", NULL};
  run_opts o = {.cwd = dir};
  run_with(&r, &o, a1);
  if (r.status != 0) fail_msg(".hidden.json: exit %d: %s", r.status, r.err);
  const char *a2[] = {"run", "-q", "--no-plots", "...json", NULL};
  run_with(&r, &o, a2);
  if (r.status != 0) fail_msg("...json: exit %d: %s", r.status, r.err);
  snprintf(p, sizeof p, "%s/out", dir);
  const char *keep[] = {"_hidden", "_.", NULL};
  if (others(p, keep, names, sizeof names) != 0) fail_msg("out/ holds: %s", names);
  snprintf(p, sizeof p, "%s/out/_hidden", dir);
  assert_true(exists(p));
  snprintf(p, sizeof p, "%s/out/_.", dir);
  assert_true(exists(p));
}

/* Finding 4 (issue 9): two scenarios with one name in one run (given, or
 * cleaned from file names: "a b.json" and "a<newline>b.json" are both
 * a_b): the second silently replaced the first, exit 0, and the index
 * linked both to one directory. Refused before anything runs. */
static void finding_04_duplicate_names(void **s) {
  (void)s;
  char dir[600], p[800], names[512];
  test_dir(dir, sizeof dir, "04");
  snprintf(p, sizeof p, "%s/a b.json", dir);
  put(p, unnamed);
  snprintf(p, sizeof p, "%s/a\nb.json", dir);
  put(p, unnamed);
  result r;
  run_opts o = {.cwd = dir};
  const char *a1[] = {"run", "-q", "--no-plots", "a b.json", "a\nb.json", "-o", "batch",
                      NULL};
  run_with(&r, &o, a1);
  assert_int_equal(r.status, 2);
  assert_non_null(strstr(r.err, "jobsim: a\\nb.json: $.name: scenario name 'a_b' is also "
                                "the name of a b.json in this run; both reports would be "
                                "batch/a_b"));
  const char *keep[] = {"a b.json", "a\nb.json", NULL};
  assert_int_equal(others(dir, keep, names, sizeof names), 0);   /* nothing written */
  /* one "name" given twice */
  snprintf(p, sizeof p, "%s/one.json", dir);
  put(p, example_named);
  snprintf(p, sizeof p, "%s/two.json", dir);
  put(p, example_named);
  const char *a2[] = {"run", "-q", "--no-plots", "one.json", "two.json", NULL};
  run_with(&r, &o, a2);
  assert_int_equal(r.status, 2);
  assert_non_null(strstr(r.err, "jobsim: two.json: $.name: scenario name 'same' is also "
                                "the name of one.json in this run; both reports would be "
                                "out/same"));
  snprintf(p, sizeof p, "%s/out", dir);
  assert_false(exists(p));
}

static void read_text(const char *path, char *buf, size_t n) {
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  size_t got = fread(buf, 1, n - 1, f);
  buf[got] = 0;
  fclose(f);
}

/* Finding 3 (issue 9): with several scenarios, an existing DIR/index.html
 * was overwritten without a check, even when the run failed with exit 4.
 * jobsim replaces only an index it wrote itself, unchanged since, and only
 * when the batch wrote a report. */
static void finding_03_batch_index(void **s) {
  (void)s;
  char dir[600], p[800], text[16384], names[512];
  test_dir(dir, sizeof dir, "03");
  snprintf(p, sizeof p, "%s/one.json", dir);
  put(p, unnamed);
  snprintf(p, sizeof p, "%s/two.json", dir);
  put(p, unnamed);
  snprintf(p, sizeof p, "%s/site", dir);
  assert_int_equal(mkdir(p, 0777), 0);
  snprintf(p, sizeof p, "%s/site/index.html", dir);
  const char mine[] = "<h1>my site</h1>\n";
  put(p, mine);
  result r;
  run_opts o = {.cwd = dir};
  const char *a1[] = {"run", "-q", "--no-plots", "one.json", "two.json", "-o", "site", NULL};
  run_with(&r, &o, a1);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "jobsim: not replacing 'site/index.html': jobsim did not "
                                "write it, or it changed since"));
  read_text(p, text, sizeof text);
  assert_string_equal(text, mine);
  snprintf(p, sizeof p, "%s/site", dir);
  const char *keep[] = {"index.html", "one", "two", NULL};
  assert_int_equal(others(p, keep, names, sizeof names), 0);

  /* jobsim's own index: written, then replaced by the next batch */
  const char *a2[] = {"run", "-q", "--no-plots", "one.json", "two.json", "-o", "b", NULL};
  run_with(&r, &o, a2);
  assert_int_equal(r.status, 0);
  run_with(&r, &o, a2);
  assert_int_equal(r.status, 0);
  snprintf(p, sizeof p, "%s/b/index.html", dir);
  read_text(p, text, sizeof text);
  assert_non_null(strstr(text, "href=\"one/index.html\""));
  assert_non_null(strstr(text, "href=\"two/index.html\""));
  /* a batch that writes no report (exit 4) leaves the index alone */
  char before[16384];
  memcpy(before, text, sizeof before);
  const char *a3[] = {"run", "-q", "--no-plots", "--max-events", "1", "one.json", "two.json",
                      "-o", "b", NULL};
  run_with(&r, &o, a3);
  assert_int_equal(r.status, 4);
  read_text(p, text, sizeof text);
  assert_string_equal(text, before);
  /* edited by the user: no longer replaced */
  FILE *f = fopen(p, "a");
  fputs("<!-- my note -->\n", f);
  fclose(f);
  run_with(&r, &o, a2);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "not replacing 'b/index.html'"));
  read_text(p, text, sizeof text);
  assert_non_null(strstr(text, "<!-- my note -->"));
  snprintf(p, sizeof p, "%s/b", dir);
  const char *keep2[] = {"index.html", ".index.html.jobsim", "one", "two", NULL};
  if (others(p, keep2, names, sizeof names) != 0) fail_msg("b/ also holds: %s", names);
}


/* ------------------------------------------------ signals (issue 9) --- */

/* How long after a signal jobsim may take to exit: a second (the issue's
 * acceptance bound), more under valgrind. */
/* A second in a release build. Under ASan the exit itself takes longer
 * (LeakSanitizer scans the heap of a 300,000-thing run before the process
 * ends: 1.02 to 1.06 s seen on a loaded machine), so the bound is 3 s
 * there; under valgrind 30 s. */
#if defined(__SANITIZE_ADDRESS__)
#define EXIT_BOUND_RELEASE 3.0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EXIT_BOUND_RELEASE 3.0
#endif
#endif
#ifndef EXIT_BOUND_RELEASE
#define EXIT_BOUND_RELEASE 1.0
#endif
static double exit_bound(void) { return under_valgrind() ? 30.0 : EXIT_BOUND_RELEASE; }

/* A scenario of `things` things that rolls out fast, so that a run spends
 * a good share of its time writing (the execution table). */
static void write_sig_scenario(const char *path, long things) {
  char text[1200];
  snprintf(text, sizeof text,
           "{\"name\":\"sig\",\"job\":{\"jobId\":\"sig\",\"targets\":["
           "\"arn:aws:iot:us-west-2:123456789012:thinggroup/g\"],\"document\":\"{}\","
           "\"jobExecutionsRolloutConfig\":{\"maximumPerMinute\":100000}},"
           "\"fleet\":{\"groups\":[{\"name\":\"g\",\"things\":%ld,\"behavior\":\"b\"}],"
           "\"behaviors\":{\"b\":{\"startDelay\":\"10s\",\"runTime\":{\"distribution\":"
           "\"lognormal\",\"median\":\"60s\",\"sigma\":0.5}}}},"
           "\"simulation\":{\"until\":\"1d\",\"snapshotEvery\":\"1m\","
           "\"rolloutQuota\":100000}}\n", things);
  put(path, text);
}

/* Nothing but `keep` in dir (no report, no .NAME.tmp-PID, no lock). */
static void assert_only(const char *dir, const char *const *keep, const char *what) {
  char names[2048];
  if (others(dir, keep, names, sizeof names) != 0)
    fail_msg("%s: left behind: %s", what, names);
}

/* Finding 13 (issue 9): Ctrl-C while gnuplot rendered: gnuplot can
 * deadlock in its own handler, jobsim waited with no deadline and ignored
 * further signals (10 minutes observed). Here a fake gnuplot ignores
 * SIGINT/SIGTERM and never ends: jobsim must kill it and exit 130/143
 * within a second, and, without a signal, give up at its deadline with a
 * warning and write the report without images. */
static void finding_13_gnuplot_hangs(void **s) {
  (void)s;
  char dir[600], bin[700], out[700], path_env[1800], pidf[800];
  test_dir(dir, sizeof dir, "13");
  snprintf(bin, sizeof bin, "%s/bin", dir);
  snprintf(pidf, sizeof pidf, "%s/gnuplot.pid", dir);
  mkdir(bin, 0777);
  char gp[800], text[1400];
  snprintf(gp, sizeof gp, "%s/gnuplot", bin);
  snprintf(text, sizeof text, "#!/bin/sh\necho $$ > '%s'\ntrap '' INT TERM HUP QUIT\n"
                              "while :; do sleep 1; done\n", pidf);
  put(gp, text);
  assert_int_equal(chmod(gp, 0755), 0);
  snprintf(path_env, sizeof path_env, "PATH=%s:/usr/bin:/bin", bin);
  snprintf(out, sizeof out, "%s/out", dir);
  const char *args[] = {"run", "-q", EXAMPLE, "--out", out, NULL};
  const int sigs[] = {SIGINT, SIGTERM};
  for (int k = 0; k < 2; k++) {
    const char *env[] = {path_env, NULL};
    run_opts o = {.env = env};
    remove(pidf);
    child c = spawn(&o, "13", args);
    for (int i = 0; i < (under_valgrind() ? 12000 : 400) && !exists(pidf); i++)
      sleep_ms(5);   /* in gnuplot now */
    assert_true(exists(pidf));
    sleep_ms(200);
    kill(c.pid, sigs[k]);
    double t = now_s();
    result r;
    reap(&c, &r, 30, t);
    print_message("gnuplot hung, signal %d: exit %d after %.3f s\n", sigs[k], r.status,
                  r.after_sig);
    assert_false(r.timed_out);
    assert_int_equal(r.status, 128 + sigs[k]);
    assert_true(r.after_sig < exit_bound());
    char pidtext[32];
    read_text(pidf, pidtext, sizeof pidtext);
    pid_t gpid = (pid_t)atol(pidtext);
    assert_true(gpid > 0);
    assert_int_equal(kill(gpid, 0), -1);   /* gnuplot is gone too */
    const char *keep[] = {"bin", "gnuplot.pid", NULL};
    assert_only(dir, keep, "interrupted in gnuplot");
  }
  /* no signal: the deadline (1 s here) stops it */
  char tmo[] = "JOBSIM_GNUPLOT_TIMEOUT=1";
  const char *env[] = {path_env, tmo, NULL};
  run_opts o = {.env = env};
  result r;
  const char *a2[] = {"run", EXAMPLE, "--out", out, NULL};
  run_with(&r, &o, a2);
  assert_int_equal(r.status, 0);
  assert_non_null(strstr(r.err, "gnuplot did not finish within 1 s and was stopped"));
  assert_whole_report(out);
  char pidtext[32];
  read_text(pidf, pidtext, sizeof pidtext);
  assert_int_equal(kill((pid_t)atol(pidtext), 0), -1);

  /* sweep: interrupted while computing (no output yet: at once) and while
   * its (stuck) gnuplot renders the sweep plots */
  char scen[1024], sw[700];
  snprintf(scen, sizeof scen, "%s/scenarios/bad-release-abort.json", JOBSIM_SOURCE_DIR);
  snprintf(sw, sizeof sw, "%s/sweep", dir);
  const char *a3[] = {"sweep", "-q", "-n", "100000", scen, "-o", sw, NULL};
  const char *env2[] = {path_env, NULL};
  run_opts o3 = {.env = env2, .sig = SIGTERM, .delay_ms = 300};
  run_with(&r, &o3, a3);
  assert_int_equal(r.status, 143);
  assert_true(r.after_sig < exit_bound());
  const char *a4[] = {"sweep", "-q", "-n", "4", scen, "--vary",
                      "job.abortConfig.criteriaList[0].thresholdPercentage=5,10", "-o", sw,
                      NULL};
  remove(pidf);
  child c = spawn(&o3, "13s", a4);
  for (int i = 0; i < (under_valgrind() ? 60000 : 2000) && !exists(pidf); i++) sleep_ms(5);
  assert_true(exists(pidf));
  kill(c.pid, SIGINT);
  double t = now_s();
  reap(&c, &r, under_valgrind() ? 600 : 30, t);
  print_message("sweep, gnuplot hung, SIGINT: exit %d after %.3f s\n", r.status,
                r.after_sig);
  assert_int_equal(r.status, 130);
  assert_true(r.after_sig < exit_bound());
  const char *keep[] = {"bin", "gnuplot.pid", "out", NULL};
  assert_only(dir, keep, "sweep interrupted");
}

/* Finding 20 (issue 9): `ulimit -f` killed jobsim with SIGXFSZ (exit 153,
 * no message, temporary directory left). SIGXFSZ is ignored and the
 * failing write (EFBIG) is exit 4 with its reason. */
static void finding_20_file_size_limit(void **s) {
  (void)s;
  char dir[600], out[700];
  test_dir(dir, sizeof dir, "20");
  snprintf(out, sizeof out, "%s/out", dir);
  struct rlimit rl = {64 * 1024, 64 * 1024};   /* run.sqlite is bigger */
  run_opts o = {.fsize = &rl};
  const char *args[] = {"run", "-q", "--no-plots", EXAMPLE, "--out", out, NULL};
  result r;
  run_with(&r, &o, args);
  assert_false(r.signaled);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "File too large"));
  const char *none[] = {NULL};
  assert_only(dir, none, "file size limit");
}

/* One signal into a run of `scen` into dir/out, when `o` says (a delay or
 * an instant of the run's progress): exit 128 + sig within the bound,
 * nothing left in dir but `keep`. -1: the run finished before the signal. */
static double signal_with(const char *dir, const char *scen, run_opts *o,
                          const char *const *keep, bool plots, const char *when) {
  char out[700];
  snprintf(out, sizeof out, "%s/out", dir);
  const char *a1[] = {"run", "-q", "--no-plots", scen, "--out", out, NULL};
  const char *a2[] = {"run", "-q", scen, "--out", out, NULL};
  o->limit_s = 120;
  result r;
  run_with(&r, o, plots ? a2 : a1);
  if (r.status == 0) return -1;   /* finished before the signal */
  if (r.status != 128 + o->sig)
    fail_msg("signal %d %s: exit %d: %s", o->sig, when, r.status, r.err);
  if (r.after_sig > exit_bound())
    fail_msg("signal %d %s: exit %.3f s after the signal", o->sig, when, r.after_sig);
  assert_only(dir, keep, "after a signal");
  return r.after_sig;
}

/* One signal at `delay_ms` into the run (see signal_with). */
static double signal_once(const char *dir, const char *scen, const char *const *env, int sig,
                          int delay_ms, const char *const *keep, bool plots) {
  run_opts o = {.env = env, .sig = sig, .delay_ms = delay_ms};
  char when[40];
  snprintf(when, sizeof when, "at %d ms", delay_ms);
  return signal_with(dir, scen, &o, keep, plots, when);
}

/* One signal in the middle of the run: once the temporary report holds its
 * third snapshot (+2m of a write_sig_scenario run, which lasts 7m or more).
 * An instant of the run's own progress, not of the clock: a fixed delay
 * came after the end of a 30,000-thing run under valgrind on a faster
 * machine (CI, 2026-12-07), and a loaded one stretches any delay. */
#define SIG_SNAPSHOT "/snapshots/000002_+000d00h02m00.000s.json"
static double signal_mid_run(const char *dir, const char *scen, int sig,
                             const char *const *keep) {
  char pre[700];
  snprintf(pre, sizeof pre, "%s/.out.tmp-", dir);
  run_opts o = {.sig = sig, .sig_file_pre = pre, .sig_file_post = SIG_SNAPSHOT,
                .sig_file_size = 1};
  return signal_with(dir, scen, &o, keep, false, "at snapshot 2");
}

/* Finding 21 (issue 9, first half): SIGHUP, SIGQUIT and SIGXCPU left the
 * .NAME.tmp-PID directory; they stop jobsim like SIGTERM (128 + signal). */
static void finding_21_more_signals(void **s) {
  (void)s;
  char dir[600], scen[800];
  test_dir(dir, sizeof dir, "21s");
  snprintf(scen, sizeof scen, "%s/sig.json", dir);
  write_sig_scenario(scen, under_valgrind() ? 30000 : 1000000);
  const char *keep[] = {"sig.json", NULL};
  const int sigs[] = {SIGHUP, SIGQUIT, SIGXCPU};
  for (int i = 0; i < 3; i++) {
    double t = signal_mid_run(dir, scen, sigs[i], keep);
    if (t < 0) fail_msg("signal %d: the run finished before it", sigs[i]);
    print_message("signal %d at snapshot 2: exit 128+%d after %.3f s\n", sigs[i], sigs[i], t);
  }
}

/* Beyond the 25 (issue 9 audit): "every catchable signal". SIGUSR1, SIGUSR2,
 * SIGALRM, SIGPIPE, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSTKFLT, SIGTRAP,
 * SIGSYS, SIGABRT and the real-time signals all end a process by default,
 * and each left the .NAME.tmp-PID directory (exit 128 + signal, nothing
 * cleaned). They stop jobsim like SIGTERM. (SIGSEGV, SIGBUS, SIGFPE and
 * SIGILL mean a fault, which a handler cannot resume: a run that dies of
 * one leaves its directory to the next run, finding_21_stale_temp_dirs.) */
static const int more_stop_signals[] = {SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE, SIGVTALRM,
                                        SIGPROF, SIGIO, SIGPWR, SIGSTKFLT, SIGTRAP,
                                        SIGSYS, SIGABRT};

/* valgrind treats SIGTRAP and SIGSYS as synchronous (fault-like) signals: one
 * sent with kill() while the program runs makes valgrind itself abort
 * ("m_signals.c: async_signalhandler: Assertion 'tst->status ==
 * VgTs_WaitSys' failed"). Under valgrind they are left out; the release and
 * ASan runs of this test send them. valgrind also keeps the highest
 * real-time signal (SIGRTMAX) for itself: a program cannot catch it there. */
static bool signal_ok_here(int sig) {
  return !under_valgrind() || (sig != SIGTRAP && sig != SIGSYS && sig != SIGRTMAX);
}

static void beyond_every_catchable_signal(void **s) {
  (void)s;
  char dir[600], scen[800];
  test_dir(dir, sizeof dir, "allsig");
  snprintf(scen, sizeof scen, "%s/sig.json", dir);
  write_sig_scenario(scen, under_valgrind() ? 30000 : 1000000);
  const char *keep[] = {"sig.json", NULL};
  int sigs[40], n = 0;
  for (size_t i = 0; i < sizeof more_stop_signals / sizeof more_stop_signals[0]; i++)
    if (signal_ok_here(more_stop_signals[i]))
      sigs[n++] = more_stop_signals[i];
  sigs[n++] = SIGRTMIN;
  sigs[n++] = SIGRTMIN + 7;
  if (signal_ok_here(SIGRTMAX)) sigs[n++] = SIGRTMAX;
  for (int i = 0; i < n; i++) {
    double t = signal_mid_run(dir, scen, sigs[i], keep);
    if (t < 0) fail_msg("signal %d: the run finished before it", sigs[i]);
    print_message("signal %d at snapshot 2: exit 128+%d after %.3f s, nothing left\n", sigs[i],
                  sigs[i], t);
  }
}

/* Finding 22 (issue 9): SIGINT while an 11-million-record run wrote its
 * report took 15.6 s to take effect. A run of two million things spends
 * most of its time writing the execution table (seconds); a signal a
 * quarter into that must end it within a second. */
static void finding_22_signal_while_writing(void **s) {
  (void)s;
  if (under_valgrind()) {
    print_message("skipped under valgrind: a million things would take an hour\n");
    return;
  }
  char dir[600], scen[800], out[700];
  test_dir(dir, sizeof dir, "22");
  snprintf(scen, sizeof scen, "%s/sig.json", dir);
  write_sig_scenario(scen, 2000000);
  snprintf(out, sizeof out, "%s/out", dir);
  /* the instant: a quarter into the writing of the execution table (from
   * the end of a run without it to the end of a whole run) */
  const char *args[] = {"run", "-q", "--no-plots", scen, "--out", out, NULL};
  const char *noex[] = {"run", "-q", "--no-plots", "--no-executions", scen, "--out", out,
                        NULL};
  result r;
  run_opts o = {.limit_s = 300};
  run_with(&r, &o, noex);
  assert_int_equal(r.status, 0);
  double sim = r.seconds;
  char db[800];
  snprintf(db, sizeof db, "%s/run.sqlite", out);
  struct stat st;
  assert_int_equal(stat(db, &st), 0);
  off_t without = st.st_size;
  run_with(&r, &o, args);
  assert_int_equal(r.status, 0);
  double whole = r.seconds;
  assert_int_equal(stat(db, &st), 0);
  off_t with = st.st_size;
  /* the instant: a quarter into the execution table, by the size of the
   * store being written (.out.tmp-PID/run.sqlite) */
  const char *keep[] = {"sig.json", NULL};
  char cmd[1000], pre[900];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
  assert_int_equal(system(cmd), 0);
  snprintf(pre, sizeof pre, "%s/.out.tmp-", dir);
  off_t at = without + (with - without) / 4;
  run_opts so = {.limit_s = 300, .sig = SIGINT, .sig_file_pre = pre,
                 .sig_file_post = "/run.sqlite", .sig_file_size = at};
  run_with(&r, &so, args);
  if (r.status != 130)
    fail_msg("SIGINT at %lld of %lld bytes of the store: exit %d: %s", (long long)at,
             (long long)with, r.status, r.err);
  double t = r.after_sig;
  print_message("a %.2f s run (%.2f s without the execution table; store %lld bytes, %lld "
                "without), SIGINT at %lld bytes (writing the executions): exit 130 after "
                "%.3f s\n", whole, sim, (long long)with, (long long)without, (long long)at, t);
  if (t > exit_bound()) fail_msg("exit %.3f s after the signal", t);
  assert_only(dir, keep, "after a signal");
  /* and it did not wait for the rest of the table (three quarters of it).
   * Since schema version 2 the table costs a fraction of a second, within
   * the noise of two runs on a busy machine: compared only when the two
   * runs tell its time apart (a second or more), else said. */
  double table = whole - sim;
  if (table >= 1.0 && t > 0.5 * table)
    fail_msg("exit %.3f s after the signal: the rest of the table was written first", t);
  if (table < 1.0)
    print_message("the execution table took %.2f s by the two runs: too little to tell a "
                  "stop from a finished table by time; the exit bound (%.1f s) holds\n",
                  table, exit_bound());
}

/* The acceptance check of issue 9: every catchable stop signal at random
 * instants of runs (gnuplot stuck included): exit 128 + signal within a
 * second, no temporary directory, no report. CI: each of the 19 stop
 * signals once on 300,000 things; JOBSIM_FULL=1: each 5 times (95) on a
 * million. The seed is printed. */
static void acceptance_signals_at_random_instants(void **s) {
  (void)s;
  const char *full = getenv("JOBSIM_FULL");
  bool big = full && *full == '1';
  bool vg = under_valgrind();
  /* under valgrind 100,000: a run of 30,000 lasted under a second past
   * valgrind's start-up on a fast machine, too short a span to aim into */
  long things = vg ? 100000 : big ? 1000000 : 300000;
  /* every stop signal: the five of finding 21 and the others (beyond) */
  int sigs[40], n_sigs = 0;
  const int first[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGXCPU};
  for (size_t i = 0; i < 5; i++) sigs[n_sigs++] = first[i];
  for (size_t i = 0; i < sizeof more_stop_signals / sizeof more_stop_signals[0]; i++)
    if (signal_ok_here(more_stop_signals[i]))
      sigs[n_sigs++] = more_stop_signals[i];
  sigs[n_sigs++] = SIGRTMIN;
  if (signal_ok_here(SIGRTMAX)) sigs[n_sigs++] = SIGRTMAX;
  int rounds = vg ? 4 : big ? 5 * n_sigs : n_sigs;
  const char *seed_s = getenv("JOBSIM_TEST_SEED");
  unsigned seed = seed_s ? (unsigned)atol(seed_s) : (unsigned)time(NULL);
  print_message("signals at random instants: seed %u (JOBSIM_TEST_SEED)\n", seed);
  srand(seed);
  char dir[600], scen[800], out[700], bin[700], path_env[1800];
  test_dir(dir, sizeof dir, "acc-sig");
  snprintf(scen, sizeof scen, "%s/sig.json", dir);
  write_sig_scenario(scen, things);
  snprintf(bin, sizeof bin, "%s/bin", dir);
  fake_gnuplot(bin, -1);   /* stuck for ever */
  snprintf(path_env, sizeof path_env, "PATH=%s:/usr/bin:/bin", bin);
  snprintf(out, sizeof out, "%s/out", dir);
  const char *args[] = {"run", "-q", "--no-plots", scen, "--out", out, NULL};
  result r;
  run_opts o = {.limit_s = 600};
  run_with(&r, &o, args);
  assert_int_equal(r.status, 0);
  double whole = r.seconds, worst = 0, sum = 0;
  char cmd[1000];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
  assert_int_equal(system(cmd), 0);
  const char *keep[] = {"sig.json", "bin", NULL};
  int done = 0, finished = 0, in_gnuplot = 0;
  for (int k = 0; k < rounds; k++) {
    int sig = sigs[k % n_sigs];
    bool stuck = k % 3 == 2;   /* every third run waits in a stuck gnuplot */
    const char *env[] = {path_env, NULL};
    /* run_with counts the delay from the end of valgrind's start-up, which
     * `whole` includes */
    double span = whole * 1000 - startup_ms();
    int delay = stuck ? (int)span + 300 + rand() % 500
                      : 20 + rand() % (int)(span > 40 ? span - 20 : 20);
    double t = signal_once(dir, scen, stuck ? env : NULL, sig, delay, keep, stuck);
    if (t < 0) {
      finished++;
      assert_int_equal(system(cmd), 0);
      continue;
    }
    done++;
    in_gnuplot += stuck;
    sum += t;
    if (t > worst) worst = t;
  }
  print_message("signals at random instants: %d runs of %.2f s (%ld things), %d "
                "interrupted (%d with a hung gnuplot on PATH), %d finished first; exit after the "
                "signal: mean %.3f s, worst %.3f s; nothing left\n",
                rounds, whole, things, done, in_gnuplot, finished,
                done ? sum / done : 0, worst);
  assert_true(done > rounds / 2);
}


/* Finding 11 (issue 9): --execution-number was cast to int: 4294967297
 * showed execution 1, 2147483649 and 2^53 showed the latest instead of
 * "not found". */
static void finding_11_execution_number(void **s) {
  (void)s;
  static const char *const none[] = {"2", "4294967297", "2147483649", "9007199254740992",
                                     "4294967296"};
  char outf[700];
  snprintf(outf, sizeof outf, "%s/stdout.txt", tmpdir);
  for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
    const char *args[] = {"describe-job-execution", "--scenario", EXAMPLE, "--job-id",
                          "example-job-01", "--thing-name", "MyRaspberryPi",
                          "--execution-number", none[i], NULL};
    result r;
    put(outf, "");
    run(&r, outf, 0, 0, args);
    char text[4096];
    read_text(outf, text, sizeof text);
    if (r.status != 1 || text[0] ||
        !strstr(r.err, "ResourceNotFoundException: no execution with that number of job "
                       "'example-job-01' on thing 'MyRaspberryPi'"))
      fail_msg("--execution-number %s: exit %d, stdout %.80s, stderr %s", none[i], r.status,
               text, r.err);
  }
  const char *one[] = {"describe-job-execution", "--scenario", EXAMPLE, "--job-id",
                       "example-job-01", "--thing-name", "MyRaspberryPi",
                       "--execution-number", "1", NULL};
  result r;
  put(outf, "");
  run(&r, outf, 0, 0, one);
  assert_int_equal(r.status, 0);
  char text[4096];
  read_text(outf, text, sizeof text);
  assert_non_null(strstr(text, "\"executionNumber\": 1,"));
  remove(outf);
}


/* Finding 17 (issue 9): `run --until 3d` bypassed the 100,000-snapshot
 * limit that validate enforces (259,201 files, 1.3 GB, exit 0). Every limit
 * is applied again after every override. */
static void finding_17_limits_after_override(void **s) {
  (void)s;
  char dir[600], scen[800], out[700], text[1200];
  test_dir(dir, sizeof dir, "17");
  snprintf(scen, sizeof scen, "%s/one-second.json", dir);
  snprintf(text, sizeof text, "{\"job\":{\"jobId\":\"j\",\"targets\":["
           "\"arn:aws:iot:us-west-2:123456789012:thinggroup/g\"],\"document\":\"{}\"},"
           "\"fleet\":{\"groups\":[{\"name\":\"g\",\"things\":1,\"behavior\":\"b\"}],"
           "\"behaviors\":{\"b\":{}}},\"simulation\":{\"until\":\"1d\","
           "\"snapshotEvery\":\"1s\"}}\n");
  put(scen, text);
  snprintf(out, sizeof out, "%s/out", dir);
  result r;
  const char *a1[] = {"run", "-q", "--no-plots", "--until", "3d", scen, "--out", out, NULL};
  run(&r, NULL, 0, 0, a1);
  assert_int_equal(r.status, 2);
  assert_non_null(strstr(r.err, "one-second.json: $.simulation.snapshotEvery: more than "
                                "100000 snapshots until the horizon; raise snapshotEvery or "
                                "lower --until"));
  const char *keep[] = {"one-second.json", NULL};
  assert_only(dir, keep, "--until over the snapshot limit");
  /* within the limit after the override: runs */
  const char *a2[] = {"run", "-q", "--no-plots", "--until", "10m", scen, "--out", out, NULL};
  run(&r, NULL, 0, 0, a2);
  assert_int_equal(r.status, 0);
  /* finding 12 after an override: the nightly window (02:00, the job is
   * created at 18:00) cannot open before a horizon of --until 1h */
  char night[1024];
  snprintf(night, sizeof night, "%s/scenarios/nightly-maintenance-window.json",
           JOBSIM_SOURCE_DIR);
  const char *a3[] = {"run", "-q", "--no-plots", "--until", "1h", night, "--out", out, NULL};
  run(&r, NULL, 0, 0, a3);
  assert_int_equal(r.status, 2);
  assert_non_null(strstr(r.err, "$.job.schedulingConfig.maintenanceWindows: no maintenance "
                                "window opens before the horizon (+1h, "
                                "2026-03-01T19:00:00.000Z): the first opens at "
                                "2026-03-02T02:00:00.000Z, so the job would never roll out; "
                                "lengthen --until"));
}

/* Finding 19 (issue 9): --max-events 0, --max-memory 0 or 0.5 silently
 * switched the limits off. They are refused; "unlimited" says it. */
static void finding_19_zero_limits(void **s) {
  (void)s;
  static const struct { const char *opt, *val, *msg; } bad[] = {
      {"--max-events", "0", "--max-events needs an integer of at least 1, or 'unlimited', "
                            "not '0'"},
      {"--max-memory", "0", "--max-memory needs a size of at least 1 byte such as 700M or "
                            "4G, or 'unlimited', not '0'"},
      {"--max-memory", "0.5", "not '0.5'"},
      {"--max-memory", "0K", "not '0K'"},
      {"--max-events", "-1", "not '-1'"},
  };
  char dir[600], out[700];
  test_dir(dir, sizeof dir, "19");
  snprintf(out, sizeof out, "%s/out", dir);
  result r;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *args[] = {"run", "-q", "--no-plots", bad[i].opt, bad[i].val, EXAMPLE,
                          "--out", out, NULL};
    run(&r, NULL, 0, 0, args);
    if (r.status != 2 || !strstr(r.err, bad[i].msg))
      fail_msg("%s %s: exit %d: %s", bad[i].opt, bad[i].val, r.status, r.err);
  }
  const char *none[] = {NULL};
  assert_only(dir, none, "refused limits");
  /* "unlimited" switches a limit off, visibly: 64M refuses the big fleet,
   * unlimited does not refuse it (interrupted here, not run to the end) */
  char scen[800];
  snprintf(scen, sizeof scen, "%s/big.json", tmpdir);
  const char *a1[] = {"run", "-q", "--no-plots", "--max-memory", "64M", scen, "--out", out,
                      NULL};
  run(&r, NULL, 0, 0, a1);
  assert_int_equal(r.status, 4);
  const char *a2[] = {"run", "-q", "--no-plots", "--max-memory", "unlimited", "--max-events",
                      "unlimited", scen, "--out", out, NULL};
  run(&r, NULL, SIGINT, 700, a2);
  assert_int_equal(r.status, 130);
  assert_only(dir, none, "interrupted");
}


/* Finding 18 (issue 9): the memory estimate ignored what operations add:
 * 261 MiB estimated, 654 MB used for 3M add-things. Here: the estimate
 * jobsim states (refusing with --max-memory 1K) against the peak resident
 * size of the real run, for a million things added to a CONTINUOUS job and
 * to a SNAPSHOT one. Not under ASan or valgrind (their own memory). */
static void finding_18_estimate_with_operations(void **s) {
  (void)s;
#if defined(__SANITIZE_ADDRESS__)
  print_message("skipped under AddressSanitizer (shadow memory)\n");
  return;
#endif
  if (under_valgrind()) {
    print_message("skipped under valgrind\n");
    return;
  }
  char dir[600], scen[800], out[700], text[1400];
  test_dir(dir, sizeof dir, "18");
  snprintf(scen, sizeof scen, "%s/add.json", dir);
  snprintf(out, sizeof out, "%s/out", dir);
  static const char *const sel[] = {"CONTINUOUS", "SNAPSHOT"};
  for (int k = 0; k < 2; k++) {
    snprintf(text, sizeof text,
             "{\"name\":\"add\",\"job\":{\"jobId\":\"add\",\"targets\":["
             "\"arn:aws:iot:us-west-2:123456789012:thinggroup/g\"],\"document\":\"{}\","
             "\"targetSelection\":\"%s\"},"
             "\"fleet\":{\"groups\":[{\"name\":\"g\",\"things\":10,\"behavior\":\"b\"}],"
             "\"behaviors\":{\"b\":{}}},\"operations\":[{\"at\":\"1m\",\"op\":\"add-things\","
             "\"group\":\"g\",\"count\":1000000}],\"simulation\":{\"until\":\"10m\"}}\n",
             sel[k]);
    put(scen, text);
    result r;
    const char *a1[] = {"run", "-q", "--no-plots", "--max-memory", "1K", scen, "--out", out,
                        NULL};
    run(&r, NULL, 0, 0, a1);
    assert_int_equal(r.status, 4);
    const char *p = strstr(r.err, "needs about ");
    assert_non_null(p);
    double est_mib = atof(p + strlen("needs about "));
    /* the real run, its peak resident size */
    run_opts o = {0};
    const char *a2[] = {"run", "-q", "--no-plots", "--max-memory", "unlimited", scen,
                        "--out", out, NULL};
    child c = spawn(&o, "18", a2);
    int st = 0;
    struct rusage ru;
    assert_int_equal(wait4(c.pid, &st, 0, &ru), c.pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    double peak_mib = (double)ru.ru_maxrss / 1024.0;
    print_message("add-things 1,000,000, %s job: estimate %.1f MiB, peak %.1f MiB\n",
                  sel[k], est_mib, peak_mib);
    if (est_mib < peak_mib)
      fail_msg("%s: the estimate (%.1f MiB) is below what the run used (%.1f MiB)", sel[k],
               est_mib, peak_mib);
    if (est_mib > 3 * peak_mib + 64)
      fail_msg("%s: the estimate (%.1f MiB) is far above the use (%.1f MiB)", sel[k],
               est_mib, peak_mib);
    char cmd[800];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
    assert_int_equal(system(cmd), 0);
  }
}


/* Attack pass after the findings (docs/hardening.md): the memory estimate
 * counted one job; every further job ($.jobs[1..] or a create-job
 * operation) keeps about 80 bytes per thing of the fleet (its records and
 * their index), so 60 jobs on 100,000 things used 475 MB while
 * `--max-memory 100M` let the run go. Each shape: the estimate at least the
 * peak, and not three times above it. */
static void attack_estimate_several_jobs(void **s) {
  (void)s;
#if defined(__SANITIZE_ADDRESS__)
  print_message("skipped under AddressSanitizer (shadow memory)\n");
  return;
#endif
  if (under_valgrind()) {
    print_message("skipped under valgrind\n");
    return;
  }
  char dir[600], scen[800], out[700];
  test_dir(dir, sizeof dir, "jobs");
  snprintf(scen, sizeof scen, "%s/jobs.json", dir);
  snprintf(out, sizeof out, "%s/out", dir);
#define JOB_FMT "{\"jobId\":\"j%d\",\"targets\":[" \
  "\"arn:aws:iot:us-west-2:123456789012:thinggroup/g\"],\"document\":\"{}\"}"
  for (int k = 0; k < 2; k++) {
    size_t cap = 64 * 1024, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    if (k == 0) {   /* 40 jobs in $.jobs */
      n += (size_t)snprintf(text + n, cap - n, "{\"name\":\"jobs\",\"jobs\":[");
      for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s" JOB_FMT, i ? "," : "", i);
      n += (size_t)snprintf(text + n, cap - n, "]");
    } else {        /* one job and 39 create-job operations */
      n += (size_t)snprintf(text + n, cap - n, "{\"name\":\"jobs\",\"job\":" JOB_FMT, 0);
    }
    n += (size_t)snprintf(text + n, cap - n,
                          ",\"fleet\":{\"groups\":[{\"name\":\"g\",\"things\":100000,"
                          "\"behavior\":\"b\"}],\"behaviors\":{\"b\":{}}}");
    if (k == 1) {
      n += (size_t)snprintf(text + n, cap - n, ",\"operations\":[");
      for (int i = 1; i < 40; i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "%s{\"at\":\"1m\",\"op\":\"create-job\",\"job\":" JOB_FMT "}",
                              i > 1 ? "," : "", i);
      n += (size_t)snprintf(text + n, cap - n, "]");
    }
    n += (size_t)snprintf(text + n, cap - n, ",\"simulation\":{\"until\":\"10m\"}}\n");
    assert_true(n < cap);
    put(scen, text);
    free(text);
    result r;
    const char *a1[] = {"run", "-q", "--no-plots", "--max-memory", "1K", scen, "--out", out,
                        NULL};
    run(&r, NULL, 0, 0, a1);
    if (r.status != 4) fail_msg("40 jobs (%s): exit %d: %s", k ? "create-job" : "$.jobs",
                                r.status, r.err);
    const char *p = strstr(r.err, "needs about ");
    assert_non_null(p);
    double est_mib = atof(p + strlen("needs about "));
    run_opts o = {0};
    const char *a2[] = {"run", "-q", "--no-plots", "--max-memory", "unlimited", scen,
                        "--out", out, NULL};
    child c = spawn(&o, "jobs", a2);
    int st = 0;
    struct rusage ru;
    assert_int_equal(wait4(c.pid, &st, 0, &ru), c.pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    double peak_mib = (double)ru.ru_maxrss / 1024.0;
    print_message("40 jobs on 100,000 things (%s): estimate %.1f MiB, peak %.1f MiB\n",
                  k ? "39 create-job" : "$.jobs", est_mib, peak_mib);
    if (est_mib < peak_mib)
      fail_msg("%s: the estimate (%.1f MiB) is below what the run used (%.1f MiB)",
               k ? "create-job" : "$.jobs", est_mib, peak_mib);
    if (est_mib > 3 * peak_mib + 64)
      fail_msg("%s: the estimate (%.1f MiB) is far above the use (%.1f MiB)",
               k ? "create-job" : "$.jobs", est_mib, peak_mib);
    char cmd[800];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
    assert_int_equal(system(cmd), 0);
  }
}

/* Finding 16 (issue 9): sweep and plan at their allowed maxima had no size
 * check (4.4 GB and a minute building copies, or a bare "out of memory"),
 * and describe-job --at 100y on a churning CONTINUOUS job ran for minutes
 * with neither the memory estimate nor the event cap. Each is estimated and
 * refused before anything is built. */
static void finding_16_size_checks(void **s) {
  (void)s;
  char dir[600], sw[700];
  test_dir(dir, sizeof dir, "16");
  snprintf(sw, sizeof sw, "%s/sweep", dir);
  char scen[1024], cont[1024];
  snprintf(scen, sizeof scen, "%s/scenarios/bad-release-abort.json", JOBSIM_SOURCE_DIR);
  snprintf(cont, sizeof cont, "%s/scenarios/continuous-dynamic-group.json", JOBSIM_SOURCE_DIR);
  result r;
  /* 100,000 grid points */
  const char *a1[] = {"sweep", "-n", "100", scen, "--vary", "simulation.seed=1:1000:1",
                      "--vary", "job.abortConfig.criteriaList[0].thresholdPercentage=1:100:1",
                      "--max-memory", "1G", "-o", sw, NULL};
  run_opts o = {.limit_s = 30};
  run_with(&r, &o, a1);
  assert_false(r.timed_out);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "jobsim: sweep: the sweep needs about "));
  assert_non_null(strstr(r.err, "(100000 points x 2 worlds x 100 replications on "));
  assert_non_null(strstr(r.err, "more than the 1024.0 MiB allowed by --max-memory"));
  assert_true(r.seconds < 5 * exit_bound());
  /* a variation that grows the fleet: checked per point once the grid is
   * built, before any replication */
  const char *a6[] = {"sweep", "-n", "10", scen, "--vary",
                      "fleet.groups[0].things=10,90000000", "--max-memory", "1G", NULL};
  run_with(&r, &o, a6);
  assert_false(r.timed_out);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "grid point 1 (fleet.groups[0].things=90000000): "));
  assert_non_null(strstr(r.err, "with this point's fleet (90002000 things)"));
  /* a million replications */
  const char *a2[] = {"sweep", "-n", "1000000", scen, "--max-memory", "100M", NULL};
  run_with(&r, &o, a2);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "(1 points x 2 worlds x 1000000 replications on "));
  /* the planner at its maxima: 35 rollouts (with the scenario's own, "yours") x 32 x 32 abort settings, a
   * million replications each: refused against the memory available */
  char rates[400] = "", thr[200] = "";
  for (int i = 1; i <= 32; i++) {
    size_t l = strlen(rates), m = strlen(thr);
    snprintf(rates + l, sizeof rates - l, "%s%d", i > 1 ? "," : "", i * 10);
    snprintf(thr + m, sizeof thr - m, "%s%d", i > 1 ? "," : "", i);
  }
  const char *a3[] = {"plan", scen, "--deadline", "4h", "--max-exposure", "100",
                      "--max-false-abort", "0.1", "--rates", rates, "--thresholds", thr,
                      "--min-executed", thr, "--max-replications", "1000000", "-o", sw, NULL};
  run_with(&r, &o, a3);
  assert_false(r.timed_out);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "jobsim: plan: the plan needs about "));
  assert_non_null(strstr(r.err, "(35840 candidates x up to 1000000 replications per world"));
  assert_true(r.seconds < 5 * exit_bound());
  const char *keep[] = {NULL};
  assert_only(dir, keep, "refused sweep and plan");
  /* describe-job a century on: the memory estimate for that horizon, and
   * the event cap */
  const char *a4[] = {"describe-job", "--scenario", cont, "--job-id", "fleet-telematics-config",
                      "--at", "36500d", "--max-memory", "1G", NULL};
  run_with(&r, &o, a4);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "$.fleet: the run needs about "));
  assert_non_null(strstr(r.err, "(to +36500d), more than the 1024.0 MiB allowed by "
                                "--max-memory"));
  const char *a5[] = {"describe-job", "--scenario", cont, "--job-id", "fleet-telematics-config",
                      "--at", "36500d", "--max-memory", "unlimited", "--max-events",
                      "1000000", NULL};
  run_with(&r, &o, a5);
  assert_false(r.timed_out);
  assert_int_equal(r.status, 4);
  assert_non_null(strstr(r.err, "the simulation exceeds the event cap (--max-events 1000000)"));
}

/* Finding 25 (issue 9, plan --rates): too many values were refused with
 * the range rule instead of their count. */
static void finding_25_plan_list_count(void **s) {
  (void)s;
  char scen[1024], rates[400] = "";
  snprintf(scen, sizeof scen, "%s/scenarios/bad-release-abort.json", JOBSIM_SOURCE_DIR);
  for (int i = 1; i <= 40; i++) {
    size_t l = strlen(rates);
    snprintf(rates + l, sizeof rates - l, "%s%d", i > 1 ? "," : "", i);
  }
  static const char *const opts[] = {"--rates", "--thresholds", "--min-executed"};
  for (int k = 0; k < 3; k++) {
    const char *args[] = {"plan", scen, "--deadline", "4h", "--max-exposure", "100",
                          "--max-false-abort", "0.1", opts[k], rates, NULL};
    result r;
    run(&r, NULL, 0, 0, args);
    assert_int_equal(r.status, 2);
    char want[200];
    snprintf(want, sizeof want, "jobsim: plan: %s takes at most 32 values, got 40", opts[k]);
    if (!strstr(r.err, want)) fail_msg("%s: %s", opts[k], r.err);
  }
  /* and a value out of range still names the range */
  const char *a[] = {"plan", scen, "--deadline", "4h", "--max-exposure", "100",
                     "--max-false-abort", "0.1", "--rates", "0,5", NULL};
  result r;
  run(&r, NULL, 0, 0, a);
  assert_int_equal(r.status, 2);
  assert_non_null(strstr(r.err, "--rates needs integers 1..1000 separated by commas, not "
                                "'0,5'"));
}


/* Beyond the 25 (issue 9 attack): a symbolic link planted at the name of
 * a temporary file jobsim writes in a shared directory (the index's
 * ".index.html.tmp-PID" beside the reports) made jobsim overwrite the
 * link's target (here the temporary name of the index's sidecar). Temporary
 * files are created with O_EXCL | O_NOFOLLOW. */
static void beyond_planted_temp_link(void **s) {
  (void)s;
  char dir[600], victim[700], p[800];
  test_dir(dir, sizeof dir, "link");
  snprintf(victim, sizeof victim, "%s/victim.txt", dir);
  put(victim, "precious\n");
  snprintf(p, sizeof p, "%s/one.json", dir);
  put(p, unnamed);
  snprintf(p, sizeof p, "%s/two.json", dir);
  put(p, unnamed);
  snprintf(p, sizeof p, "%s/b", dir);
  assert_int_equal(mkdir(p, 0777), 0);
  run_opts o = {.cwd = dir, .plant_dir = p, .plant_name = "..index.html.jobsim.tmp",
                .plant_target = victim};
  const char *args[] = {"run", "-q", "--no-plots", "one.json", "two.json", "-o", "b", NULL};
  result r;
  run_with(&r, &o, args);
  assert_int_equal(r.status, 0);
  char text[64];
  read_text(victim, text, sizeof text);
  assert_string_equal(text, "precious\n");
  snprintf(p, sizeof p, "%s/b/index.html", dir);
  struct stat st;
  assert_int_equal(lstat(p, &st), 0);
  assert_true(S_ISREG(st.st_mode));
}


/* Beyond the 25 (issue 9 attack): SIGINT while `jobsim run -` waited for
 * its scenario on a pipe gave exit 4 "Interrupted system call". */
static void beyond_signal_while_reading_stdin(void **s) {
  (void)s;
  int pfd[2];
  assert_int_equal(pipe(pfd), 0);
  char dir[600];
  test_dir(dir, sizeof dir, "stdin");
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(pfd[0], 0);
    close(pfd[1]);
    int nul = open("/dev/null", O_WRONLY);
    dup2(nul, 2);
    if (chdir(dir) != 0) _exit(122);
    execl(JOBSIM_EXE, JOBSIM_EXE, "run", "-q", "--no-plots", "-", "-o", "out", (char *)NULL);
    _exit(121);
  }
  close(pfd[0]);
  sleep_ms(under_valgrind() ? 3000 : 300);
  kill(pid, SIGINT);
  int st = 0;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  close(pfd[1]);
  assert_true(WIFEXITED(st) || WIFSIGNALED(st));
  int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  assert_int_equal(code, 130);
  const char *none[] = {NULL};
  assert_only(dir, none, "interrupted while reading stdin");
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
      cmocka_unit_test(finding_01_out_dir_not_ours),
      cmocka_unit_test(finding_02_out_dir_appears),
      cmocka_unit_test(finding_05_concurrent_out),
      cmocka_unit_test(finding_21_stale_temp_dirs),
      cmocka_unit_test(finding_25_out_names),
      cmocka_unit_test(finding_23_default_names),
      cmocka_unit_test(finding_04_duplicate_names),
      cmocka_unit_test(finding_03_batch_index),
      cmocka_unit_test(finding_13_gnuplot_hangs),
      cmocka_unit_test(finding_20_file_size_limit),
      cmocka_unit_test(finding_21_more_signals),
      cmocka_unit_test(beyond_every_catchable_signal),
      cmocka_unit_test(finding_22_signal_while_writing),
      cmocka_unit_test(acceptance_signals_at_random_instants),
      cmocka_unit_test(finding_11_execution_number),
      cmocka_unit_test(finding_17_limits_after_override),
      cmocka_unit_test(finding_19_zero_limits),
      cmocka_unit_test(finding_18_estimate_with_operations),
      cmocka_unit_test(attack_estimate_several_jobs),
      cmocka_unit_test(finding_16_size_checks),
      cmocka_unit_test(finding_25_plan_list_count),
      cmocka_unit_test(beyond_planted_temp_link),
      cmocka_unit_test(beyond_signal_while_reading_stdin),
  };
  /* JOBSIM_TEST_FILTER=NAME (cmocka's glob) runs only the matching tests,
   * e.g. the full forms: JOBSIM_FULL=1 JOBSIM_TEST_FILTER=finding_05_* */
  const char *only = getenv("JOBSIM_TEST_FILTER");
  if (only && *only) cmocka_set_test_filter(only);
  return cmocka_run_group_tests(tests, setup, teardown);
}
