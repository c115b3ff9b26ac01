/*
 * test_cli_story.c — how `jobsim` tells a run (issue 13, points 6, 8 and 10),
 * through the real binary (JOBSIM_EXE), stdout and stderr captured:
 *  - the summary line: the abort instant and its figures apart from the end
 *    instant, for an abort, a cancel-job and an abort cut by the horizon;
 *  - the horizon: the stderr warning and the page's yellow banner of a run
 *    stopped with the job IN_PROGRESS, and `validate`'s warning when the
 *    rollout alone cannot finish before `until` (and none when it can);
 *  - the page's story: runs of window lines collapsed into one line, and a
 *    story longer than the page keeps its first lines and its ending;
 *  - `file://`: positionals, --scenario, --db and "job": "file://...";
 *  - --db for describe-job-execution and list-job-executions-for-job;
 *  - the README's scenario example is valid as written.
 * The expected texts are derived by hand from the scenarios in tests/story/
 * (deterministic fleets: constant delays, one outcome per group); the long
 * story is checked against the run's own events.log, an independent record.
 */
#define _XOPEN_SOURCE 700
#include "test_common.h"
#include "test_util.h"

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

/* Run jobsim with args (NULL-terminated, args[0] ignored) in directory `cwd`
 * (NULL: the current one); stdout and stderr returned (caller frees).
 * Returns the exit status. */
static int run_in(const char *cwd, const char *const *args, char **out, char **err) {
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
    if (cwd && chdir(cwd) != 0) _exit(125);
    char *argv[40];
    int n = 0;
    argv[n++] = strdup(JOBSIM_EXE);
    for (int i = 1; args[i] && n < 39; i++) argv[n++] = strdup(args[i]);
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
static int run(const char *const *args, char **out, char **err) {
  return run_in(NULL, args, out, err);
}

static void story_path(char *b, size_t n, const char *name) {
  snprintf(b, n, "%s/tests/story/%s", JOBSIM_SOURCE_DIR, name);
}

static char *read_in(const char *dir, const char *rel) {
  char p[1200];
  snprintf(p, sizeof p, "%s/%s", dir, rel);
  char *t = test_read_file(p, NULL);
  if (!t) fprintf(stderr, "cannot read %s\n", p);
  assert_non_null(t);
  return t;
}

/* stdout of a `jobsim run` must be exactly `want` with %D for the report
 * directory. */
static void expect_line(const char *got, const char *want, const char *dir) {
  char w[2048];
  const char *d = strstr(want, "%D");
  assert_non_null(d);
  snprintf(w, sizeof w, "%.*s%s%s", (int)(d - want), want, dir, d + 2);
  if (strcmp(got, w) != 0) fprintf(stderr, "got:  %swant: %s", got, w);
  assert_string_equal(got, w);
}

/* ---------------------------------------------------------- summary line */

/* summary-abort.json: 20 things that fail after 10 s and 80 that succeed
 * after 10 min, all notified in the first window (1,000/min), started at
 * once (connected, no start delay). Abort: ALL >= 10 % once 10 executed.
 * At +10 s the 10th failure makes 10 of 10 executed = 100.00 % >= 10 %: the
 * abort fires at +10s; nothing is QUEUED (0 canceled), the 90 IN_PROGRESS
 * run on; the last 80 succeed at +10m. */
static void test_summary_abort(void **state) {
  (void)state;
  char sc[1024], dir[700];
  story_path(sc, sizeof sc, "summary-abort.json");
  snprintf(dir, sizeof dir, "%s/abort", g_dir);
  char *out, *err;
  const char *a[] = {"", "run", "--no-plots", "-o", dir, sc, NULL};
  assert_int_equal(run(a, &out, &err), 0);
  expect_line(out,
              "summary-abort: CANCELED by abort at +10s (ALL 100.00 % >= 10 % after 10); "
              "last execution ended +10m: 100 of 100 things notified, 80 succeeded, 20 "
              "failed, 0 rejected, 0 timed out, 0 canceled, 0 removed, 0 retries; report "
              "in %D\n", dir);
  assert_string_equal(err, "");   /* finished: no horizon warning */
  free(out);
  free(err);
  /* the page: the abort instant and its margin, the rollout end, the end */
  char *html = read_in(dir, "index.html");
  assert_non_null(strstr(html, "CANCELED by abort at 10s (ALL failures 100.00\u00a0% \u2265\u00a010\u00a0%, "
                               "90.00 points over, with 10 executed \u2265\u00a010): 100 of 100 "
                               "(100.0\u00a0%) devices notified: 20 failed (20.0\u00a0%), 0 rejected, "
                               "0 timed out"));
  assert_non_null(strstr(html, "Rollout: all 100 targeted things notified, the last at +0s. "
                               "The last execution ended at +10m."));
  assert_null(strstr(html, "class=\"warn\""));
  free(html);
}

/* The same cut at +5m: the abort has fired, 80 executions are still
 * IN_PROGRESS at the horizon, so the end instant is not "last execution
 * ended" but how many are still in flight. */
static void test_summary_abort_at_horizon(void **state) {
  (void)state;
  char sc[1024], dir[700];
  story_path(sc, sizeof sc, "summary-abort.json");
  snprintf(dir, sizeof dir, "%s/abort-cut", g_dir);
  char *out, *err;
  const char *a[] = {"", "run", "--no-plots", "--until", "5m", "-o", dir, sc, NULL};
  assert_int_equal(run(a, &out, &err), 0);
  expect_line(out,
              "summary-abort: CANCELED by abort at +10s (ALL 100.00 % >= 10 % after 10); "
              "at the horizon +5m 80 executions still QUEUED or IN_PROGRESS: 100 of 100 "
              "things notified, 0 succeeded, 20 failed, 0 rejected, 0 timed out, 0 "
              "canceled, 0 removed, 0 retries; report in %D\n", dir);
  assert_string_equal(err, "");   /* CANCELED is not IN_PROGRESS: no warning */
  char *html = read_in(dir, "index.html");
  assert_non_null(strstr(html, "At the horizon +5m, 80 executions were still QUEUED or "
                               "IN_PROGRESS"));
  assert_null(strstr(html, "The last execution ended"));
  free(html);
  free(out);
  free(err);
}

/* summary-cancel.json: 100 things at 50/min, each IN_PROGRESS for 10 min
 * from its notification; cancel-job (no force) at +30s, after the first
 * window only: 50 notified, none QUEUED, the 50 IN_PROGRESS succeed at
 * +10m. */
static void test_summary_cancel(void **state) {
  (void)state;
  char sc[1024], dir[700];
  story_path(sc, sizeof sc, "summary-cancel.json");
  snprintf(dir, sizeof dir, "%s/cancel", g_dir);
  char *out, *err;
  const char *a[] = {"", "run", "--no-plots", "-o", dir, sc, NULL};
  assert_int_equal(run(a, &out, &err), 0);
  expect_line(out,
              "summary-cancel: CANCELED by cancel-job at +30s; last execution ended +10m: "
              "50 of 100 things notified, 50 succeeded, 0 failed, 0 rejected, 0 timed out, "
              "0 canceled, 0 removed, 0 retries; report in %D\n", dir);
  assert_string_equal(err, "");
  char *html = read_in(dir, "index.html");
  assert_non_null(strstr(html, "Rollout: stopped by the cancellation with 50 of 100 things "
                               "notified, the last at +0s. The last execution ended at "
                               "+10m."));
  free(html);
  free(out);
  free(err);
}

/* ---------------------------------------------------------------- horizon */

/* horizon-cut.json: 10,000 things at 100/min, each done 1 min after its
 * notification, horizon +30m30s. Windows at 0, 1m, ..., 30m: 3,100
 * notified; those of 30m are still IN_PROGRESS (100), the 3,000 earlier
 * ones succeeded. The rollout needs 100 windows: the last at +99m =
 * +1h39m. */
static const char horizon_run_warning[] =
    "jobsim: warning: horizon-cut: the run stopped at its horizon +30m30s with the job "
    "still IN_PROGRESS (3100 of 10000 things notified, 100 executions QUEUED or "
    "IN_PROGRESS); the report shows no outcome: raise $.simulation.until or --until\n";

static void test_horizon_warning(void **state) {
  (void)state;
  char sc[1024], dir[700], want[2048];
  story_path(sc, sizeof sc, "horizon-cut.json");
  snprintf(dir, sizeof dir, "%s/horizon", g_dir);
  char *out, *err;
  /* validate: ok, and the warning, exit 0; -q keeps the warning */
  const char *v[] = {"", "validate", sc, NULL};
  assert_int_equal(run(v, &out, &err), 0);
  snprintf(want, sizeof want,
           "%s: ok: job horizon-cut, 1 targets, 10000 things targeted of 10000 in the "
           "fleet\n", sc);
  assert_string_equal(out, want);
  snprintf(want, sizeof want,
           "jobsim: warning: %s: $.simulation.until: the rollout alone cannot finish before "
           "the horizon +30m30s: at most 100 executions a minute, the last of 10,000 things "
           "is notified at +1h39m at the earliest; a run stops at the horizon before the "
           "job can end (raise until or the rate)\n", sc);
  assert_string_equal(err, want);
  free(out);
  free(err);
  const char *vq[] = {"", "validate", "-q", sc, NULL};
  assert_int_equal(run(vq, &out, &err), 0);
  assert_string_equal(out, "");
  assert_string_equal(err, want);
  free(out);
  free(err);
  /* run: NOT FINISHED on stdout, the warning on stderr (also with -q) */
  const char *a[] = {"", "run", "-q", "--no-plots", "-o", dir, sc, NULL};
  assert_int_equal(run(a, &out, &err), 0);
  expect_line(out,
              "horizon-cut: NOT FINISHED: IN_PROGRESS at the horizon +30m30s: 3100 of 10000 "
              "things notified, 3000 succeeded, 0 failed, 0 rejected, 0 timed out, 0 "
              "canceled, 0 removed, 0 retries; report in %D\n", dir);
  assert_string_equal(err, horizon_run_warning);
  free(out);
  free(err);
  /* the page: the yellow banner, before the plots */
  char *html = read_in(dir, "index.html");
  const char *banner = strstr(html, "<div class=\"warn\">Not finished: the simulation stopped "
                                    "at its horizon (+30m30s) with the job still IN_PROGRESS "
                                    "and 100 executions QUEUED or IN_PROGRESS.");
  assert_non_null(banner);
  assert_non_null(strstr(html, ".warn{background:#fff3bf"));   /* yellow */
  const char *plots = strstr(html, "<h2>Plots</h2>");
  assert_non_null(plots);
  assert_true(banner < plots);
  assert_non_null(strstr(html, "IN_PROGRESS at the horizon 30m30s: 3,100 of 10,000 (31.0\u00a0%) "
                               "devices notified, 3,000 succeeded (96.8\u00a0%), 0 failed, 100 "
                               "still QUEUED or IN_PROGRESS"));
  free(html);
}

/* A copy of scenario `name` with simulation.until replaced, in g_dir. */
static void with_until(const char *name, const char *until, char *out, size_t n) {
  char src[1024];
  snprintf(src, sizeof src, "%s/scenarios/%s.json", JOBSIM_SOURCE_DIR, name);
  char *t = test_read_file(src, NULL);
  assert_non_null(t);
  char *u = strstr(t, "\"until\": \"");
  assert_non_null(u);
  char *q = strchr(u + 10, '"');
  assert_non_null(q);
  snprintf(out, n, "%s/%s-%s.json", g_dir, name, until);
  FILE *f = fopen(out, "w");
  assert_non_null(f);
  fprintf(f, "%.*s%s%s", (int)(u + 10 - t), t, until, q);
  fclose(f);
  free(t);
}

/* validate's bound at its edges, derived by hand: constant-rate-10k
 * notifies 10,000 things at 500/min, 20 windows, the last at +19m (a
 * horizon of 19m is too short, 20m is not); nightly-maintenance-window
 * notifies 30,000 at 100/min only inside 02:00-04:00 UTC windows from a
 * creation at 18:00: 120 windows a night, the 300th at 02:59 of the third
 * night, +2d8h59m. */
static void test_validate_bound(void **state) {
  (void)state;
  static const struct {
    const char *scenario, *until, *last;   /* last: NULL, no warning */
    const char *how;
  } cases[] = {
      {"constant-rate-10k", "19m", "+19m", "at most 500 executions a minute"},
      {"constant-rate-10k", "20m", NULL, NULL},
      {"nightly-maintenance-window", "1d", "+2d8h59m",
       "at most 100 executions a minute while a maintenance window is open"},
      {"nightly-maintenance-window", "2d8h59m", "+2d8h59m",
       "at most 100 executions a minute while a maintenance window is open"},
      {"nightly-maintenance-window", "2d9h", NULL, NULL},
      /* exponentialRate 50/min x2 every 1,000 notified, capped at 1,000: 50 x 20
       * windows, 100 x 10, 200 x 5, 400 x 3 (4,000 at the 38th, +37m) */
      {"exponential-aws-guide", "37m", "+37m", NULL},
      {"exponential-aws-guide", "37m1s", NULL, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char sc[1200];
    with_until(cases[i].scenario, cases[i].until, sc, sizeof sc);
    char *out, *err;
    const char *v[] = {"", "validate", "-q", sc, NULL};
    assert_int_equal(run(v, &out, &err), 0);
    assert_string_equal(out, "");
    if (!cases[i].last) {
      if (err[0]) fprintf(stderr, "%s until %s: %s", cases[i].scenario, cases[i].until, err);
      assert_string_equal(err, "");
    } else {
      char w[300];
      snprintf(w, sizeof w, "is notified at %s at the earliest", cases[i].last);
      if (!strstr(err, w)) fprintf(stderr, "%s until %s: %s", cases[i].scenario,
                                   cases[i].until, err);
      assert_non_null(strstr(err, w));
      snprintf(w, sizeof w, "the rollout alone cannot finish before the horizon +%s:",
               cases[i].until);
      assert_non_null(strstr(err, w));
      if (cases[i].how) assert_non_null(strstr(err, cases[i].how));
    }
    free(out);
    free(err);
  }
}

/* ------------------------------------------------------------------ story */

/* The text of the page's story, HTML entities decoded. */
static char *page_story(const char *html) {
  const char *a = strstr(html, "<pre class=\"story\">");
  assert_non_null(a);
  a += strlen("<pre class=\"story\">");
  const char *b = strstr(a, "</pre>");
  assert_non_null(b);
  char *s = malloc((size_t)(b - a) + 1);
  assert_non_null(s);
  size_t k = 0;
  static const struct { const char *e; char c; } ent[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
  for (const char *p = a; p < b;) {
    bool done = false;
    for (size_t i = 0; i < 5 && !done; i++)
      if (strncmp(p, ent[i].e, strlen(ent[i].e)) == 0) {
        s[k++] = ent[i].c;
        p += strlen(ent[i].e);
        done = true;
      }
    if (!done) s[k++] = *p++;
  }
  s[k] = 0;
  return s;
}

/* Split text into lines (in place); returns the count, *lines malloc'd. */
static size_t split(char *t, char ***lines) {
  size_t n = 0, cap = 64;
  char **v = malloc(cap * sizeof *v);
  assert_non_null(v);
  for (char *p = t; *p;) {
    char *nl = strchr(p, '\n');
    if (nl) *nl = 0;
    if (n == cap) {
      cap *= 2;
      v = realloc(v, cap * sizeof *v);
      assert_non_null(v);
    }
    v[n++] = p;
    if (!nl) break;
    p = nl + 1;
  }
  *lines = v;
  return n;
}

/* `jobsim run -q --no-plots` of tests/story/<file> into <g_dir>/<sub>, which
 * must exit 0; the report directory's path into dir. */
static void run_story(const char *file, const char *sub, char *dir, size_t n) {
  char sc[1024];
  story_path(sc, sizeof sc, file);
  snprintf(dir, n, "%s/%s", g_dir, sub);
  const char *a[] = {"", "run", "-q", "--no-plots", "-o", dir, sc, NULL};
  assert_int_equal(run(a, NULL, NULL), 0);
}

/* collapse.json: 10,000 things at 300/min: windows 1..33 create 300 each,
 * window 34 (at +33m) the last 100, all at 300/min: one line for the 34. */
static void test_story_collapses_windows(void **state) {
  (void)state;
  char dir[700];
  run_story("collapse.json", "collapse", dir, sizeof dir);
  char *html = read_in(dir, "index.html");
  char *st = page_story(html);
  assert_non_null(strstr(st, "rollout finished: 10000 things notified in 34 windows\n"));
  char **l;
  size_t n = split(st, &l);
  size_t runs = 0;
  for (size_t i = 0; i < n; i++) {
    assert_null(strstr(l[i], "  window "));   /* no single window line is left */
    if (strstr(l[i], "windows 1\u201334: 300/min, 10,000 executions created, 10,000 things "
                     "notified by +33m")) {
      runs++;
      assert_non_null(strstr(l[i], "2026-01-01T00:00:00.000Z  +0s "));   /* from window 1 */
    }
  }
  assert_int_equal(runs, 1);
  assert_int_equal(n, 5);   /* created, starts, the run, finished, COMPLETED */
  assert_non_null(strstr(html, "Runs of rollout windows at one rate are shown as one line"));
  /* events.log keeps each window */
  char *ev = read_in(dir, "events.log");
  assert_non_null(strstr(ev, "window 34: 100 executions created at 300/min, 10000 things "
                             "notified\n"));
  free(ev);
  free(l);
  free(st);
  free(html);
}

/* collapse-two.json: two jobs on the same 10,000 things, 'collapse' at
 * 300/min (windows 1..34, the last of 100) and 'second' at 200/min
 * (windows 1..50): events.log interleaves their window lines minute by
 * minute. Each job's windows become one line, tagged with the job, at its
 * first window's time; the other lines keep their order, so the story
 * reads: 2 created, then per job "rollout starts" and its run, then the
 * two jobs' endings, 10 lines in all, times never going back. */
static void test_story_collapses_windows_of_each_job(void **state) {
  (void)state;
  char dir[700];
  run_story("collapse-two.json", "collapse-two", dir, sizeof dir);
  char *ev = read_in(dir, "events.log");
  /* the log interleaves the jobs' windows: collapse's window 2 follows
   * second's window 1 */
  const char *w1 = strstr(ev, "[second] window 1: 200 executions created");
  const char *w2 = strstr(ev, "[collapse] window 2: 300 executions created");
  assert_non_null(w1);
  assert_non_null(w2);
  assert_true(w1 < w2);
  char *html = read_in(dir, "index.html");
  /* the headline is collapse's, but the run ends with second's last
   * execution (+50m, collapse's ended at +34m): it says whose end it is */
  assert_non_null(strstr(html, "Rollout: all 10,000 targeted things notified, the last at "
                               "+33m. The last execution of the run&#39;s 2 jobs ended at "
                               "+50m."));
  char *st = page_story(html);
  char **l;
  size_t n = split(st, &l);
  assert_int_equal(n, 10);
  size_t runs = 0;
  for (size_t i = 0; i < n; i++) {
    assert_null(strstr(l[i], "] window "));   /* no single window line is left */
    if (i > 0) assert_true(strncmp(l[i - 1], l[i], 24) <= 0);   /* ISO times in order */
  }
  assert_non_null(strstr(l[3], "2026-01-01T00:00:00.000Z  +0s           [collapse] windows "
                               "1\u201334: 300/min, 10,000 executions created, 10,000 things "
                               "notified by +33m"));
  assert_non_null(strstr(l[5], "2026-01-01T00:00:00.000Z  +0s           [second] windows "
                               "1\u201350: 200/min, 10,000 executions created, 10,000 things "
                               "notified by +49m"));
  for (size_t i = 0; i < n; i++) runs += strstr(l[i], "] windows ") != NULL;
  assert_int_equal(runs, 2);
  assert_non_null(strstr(l[2], "[collapse] rollout starts at 300/min"));
  assert_non_null(strstr(l[4], "[second] rollout starts at 200/min"));
  assert_non_null(strstr(l[7], "[collapse] job COMPLETED after 34m"));
  assert_non_null(strstr(l[9], "[second] job COMPLETED after 50m"));
  free(l);
  free(st);
  free(html);
  free(ev);
}

/* long-story.json: 400 things at 1/min inside a 1-minute window every hour:
 * each window line stands between "opens" and "closes" lines, nothing to
 * collapse, 2,404 lines in all. The page shows 2,000: the first 1,950
 * lines of events.log, one line saying how many were left out (404), and
 * the last 50, which end with the job COMPLETED. */
static void test_story_keeps_its_ending(void **state) {
  (void)state;
  char dir[700];
  run_story("long-story.json", "long", dir, sizeof dir);
  char *ev = read_in(dir, "events.log");
  char **el;
  size_t ne = split(ev, &el);
  size_t skip = 0;
  while (skip < ne && el[skip][0] == '#') skip++;
  el += skip;
  ne -= skip;
  assert_int_equal(ne, 2404);
  assert_non_null(strstr(el[ne - 1], "job COMPLETED after 16d16h10s: 400 succeeded"));
  char *html = read_in(dir, "index.html");
  char *st = page_story(html);
  char **pl;
  size_t np = split(st, &pl);
  /* 1,950 + blank + note + blank + 50 */
  assert_int_equal(np, 1950 + 3 + 50);
  for (size_t i = 0; i < 1950; i++) assert_string_equal(pl[i], el[i]);
  assert_string_equal(pl[1950], "");
  assert_string_equal(pl[1951], "        \u2026 404 lines left out here (all are in "
                                "events.log and run.sqlite) \u2026");
  assert_string_equal(pl[1952], "");
  for (size_t i = 0; i < 50; i++) assert_string_equal(pl[1953 + i], el[ne - 50 + i]);
  free(pl);
  free(st);
  free(html);
  free(el - skip);
  free(ev);
}

/* ---------------------------------------------------------------- file:// */

static void test_file_url(void **state) {
  (void)state;
  char sc[1024], url[1100], dir[700], db[800], dburl[900], want[2048];
  story_path(sc, sizeof sc, "summary-cancel.json");
  snprintf(url, sizeof url, "file://%s", sc);
  char *out, *err, *o2, *e2;
  /* a positional */
  const char *v[] = {"", "validate", url, NULL};
  assert_int_equal(run(v, &out, &err), 0);
  snprintf(want, sizeof want, "%s: ok: job summary-cancel, 1 targets, 100 things targeted "
                              "of 100 in the fleet\n", sc);
  assert_string_equal(out, want);
  free(out);
  free(err);
  snprintf(dir, sizeof dir, "%s/file-url", g_dir);
  const char *r[] = {"", "run", "-q", "--no-plots", "-o", dir, url, NULL};
  assert_int_equal(run(r, &out, &err), 0);
  assert_non_null(strstr(out, "summary-cancel: CANCELED by cancel-job at +30s;"));
  free(out);
  free(err);
  /* --scenario and --db, both forms give the same bytes */
  const char *d1[] = {"", "describe-job", "--scenario", sc, "--job-id", "summary-cancel",
                      "--at", "1m", NULL};
  const char *d2[] = {"", "describe-job", "--scenario", url, "--job-id", "summary-cancel",
                      "--at", "1m", NULL};
  assert_int_equal(run(d1, &out, &err), 0);
  assert_int_equal(run(d2, &o2, &e2), 0);
  assert_non_null(strstr(out, "\"status\": \"CANCELED\""));
  assert_string_equal(o2, out);
  assert_string_equal(e2, "");
  free(o2);
  free(e2);
  snprintf(db, sizeof db, "%s/run.sqlite", dir);
  snprintf(dburl, sizeof dburl, "file://%s", db);
  const char *d3[] = {"", "describe-job", "--db", dburl, "--job-id", "summary-cancel",
                      "--at", "1m", NULL};
  assert_int_equal(run(d3, &o2, &e2), 0);
  assert_string_equal(o2, out);
  free(o2);
  free(e2);
  free(out);
  free(err);
  /* "job": "file://create-job.json", relative to the scenario file: the same
   * describe-job as the job written inline */
  char fj[1024], ij[1024];
  story_path(fj, sizeof fj, "job-file-url.json");
  story_path(ij, sizeof ij, "job-inline.json");
  const char *j1[] = {"", "describe-job", "--scenario", fj, "--job-id", "from-a-file",
                      "--at", "2m", NULL};
  const char *j2[] = {"", "describe-job", "--scenario", ij, "--job-id", "from-a-file",
                      "--at", "2m", NULL};
  assert_int_equal(run(j1, &out, &err), 0);
  assert_string_equal(err, "");
  assert_int_equal(run(j2, &o2, &e2), 0);
  assert_non_null(strstr(out, "\"maximumPerMinute\": 10"));
  assert_non_null(strstr(out, "\"numberOfSucceededThings\": 10,"));   /* window 1, 90 s */
  assert_string_equal(out, o2);
  free(out);
  free(err);
  free(o2);
  free(e2);
  /* from another directory: still relative to the scenario file */
  const char *j3[] = {"", "validate", fj, NULL};
  assert_int_equal(run_in("/", j3, &out, &err), 0);
  assert_string_equal(err, "");
  free(out);
  free(err);
  /* "file://" with nothing after it */
  char ej[1024];
  story_path(ej, sizeof ej, "job-file-url-empty.json");
  const char *j4[] = {"", "validate", ej, NULL};
  assert_int_equal(run(j4, &out, &err), 3);
  snprintf(want, sizeof want, "jobsim: %s: $.job: expected a path after 'file://', got "
                              "nothing\n", ej);
  assert_string_equal(err, want);
  assert_string_equal(out, "");
  free(out);
  free(err);
}

/* ------------------------------------------------------ --db, executions */

static void test_db_execution_views(void **state) {
  (void)state;
  char sc[1024], dir[700], db[800];
  snprintf(sc, sizeof sc, "%s/scenarios/hanging-devices-retry.json", JOBSIM_SOURCE_DIR);
  snprintf(dir, sizeof dir, "%s/hanging", g_dir);
  snprintf(db, sizeof db, "%s/run.sqlite", dir);
  const char *r[] = {"", "run", "-q", "--no-plots", "-o", dir, sc, NULL};
  assert_int_equal(run(r, NULL, NULL), 0);
  const char *job = "agent-upgrade-with-retries";
  /* instants: the start, mid-rollout, the golden's 40m, the horizon
   * (default); things: one retried after a timeout, one that was not */
  const char *ats[] = {"0", "7m30.25s", "40m", NULL};
  const char *things[] = {"kiosks-000053", "kiosks-000000", "kiosks-001999"};
  const char *fmt[] = {"epoch", "iso8601"};
  int compared = 0;
  for (int ai = 0; ai < 4; ai++)
    for (int f = 0; f < 2; f++) {
      for (int ti = 0; ti < 3; ti++)
        for (int en = 0; en < 2; en++) {
          const char *a[20] = {"", "describe-job-execution", "--scenario", sc, "--job-id",
                               job, "--thing-name", things[ti], "--timestamp-format",
                               fmt[f]};
          int n = 10;
          if (ats[ai]) { a[n++] = "--at"; a[n++] = ats[ai]; }
          if (en) { a[n++] = "--execution-number"; a[n++] = "1"; }
          a[n] = NULL;
          char *want, *we, *got, *ge;
          int rc1 = run(a, &want, &we);
          a[2] = "--db";
          a[3] = db;
          int rc2 = run(a, &got, &ge);
          if (rc1 != rc2 || strcmp(want, got) != 0 || strcmp(we, ge) != 0)
            fprintf(stderr, "%s %s at %s (%s): exit %d/%d\n%s%s", things[ti],
                    en ? "#1" : "latest", ats[ai] ? ats[ai] : "horizon", fmt[f], rc1, rc2,
                    we, ge);
          assert_int_equal(rc2, rc1);
          assert_string_equal(got, want);
          assert_string_equal(ge, we);
          if (rc1 == 0) compared++;
          free(want);
          free(we);
          free(got);
          free(ge);
        }
      /* the list: all pages, one status, one page and the next */
      const char *opts[][5] = {{NULL}, {"--status", "TIMED_OUT", NULL},
                               {"--max-results", "3", NULL},
                               {"--status", "SUCCEEDED", "--max-results", "2", NULL}};
      for (int oi = 0; oi < 4; oi++) {
        const char *a[20] = {"", "list-job-executions-for-job", "--scenario", sc, "--job-id",
                             job, "--timestamp-format", fmt[f]};
        int n = 8;
        if (ats[ai]) { a[n++] = "--at"; a[n++] = ats[ai]; }
        for (int k = 0; k < 4 && opts[oi][k]; k++) a[n++] = opts[oi][k];
        a[n] = NULL;
        char *want, *we, *got, *ge;
        int rc1 = run(a, &want, &we);
        a[2] = "--db";
        a[3] = db;
        int rc2 = run(a, &got, &ge);
        assert_int_equal(rc1, 0);
        assert_int_equal(rc2, 0);
        assert_string_equal(got, want);
        assert_string_equal(ge, "");
        compared++;
        free(want);
        free(we);
        free(got);
        free(ge);
      }
    }
  assert_true(compared > 40);
  /* the retried thing at 40m: its latest execution is number 2 (the golden
   * tests/golden/cli/...kiosks-000053.v1.json, recorded from the CLI) */
  char gp[1024];
  snprintf(gp, sizeof gp,
           "%s/tests/golden/cli/hanging-devices-retry@40m.kiosks-000053.v1.json",
           JOBSIM_SOURCE_DIR);
  char *gold = test_read_file(gp, NULL);
  assert_non_null(gold);
  const char *g[] = {"", "describe-job-execution", "--db", db, "--job-id", job,
                     "--thing-name", "kiosks-000053", "--at", "40m", NULL};
  char *out, *err;
  assert_int_equal(run(g, &out, &err), 0);
  assert_string_equal(out, gold);
  free(gold);
  free(out);
  free(err);
  /* no such thing: the same refusal from --db */
  const char *nf[] = {"", "describe-job-execution", "--db", db, "--job-id", job,
                      "--thing-name", "nobody", NULL};
  assert_int_equal(run(nf, &out, &err), 1);
  assert_string_equal(err, "jobsim: describe-job-execution: ResourceNotFoundException: no "
                           "execution of job 'agent-upgrade-with-retries' on thing 'nobody'\n");
  free(out);
  free(err);
  /* --db and --scenario together: usage */
  const char *both[] = {"", "list-job-executions-for-job", "--db", db, "--scenario", sc,
                        "--job-id", job, NULL};
  assert_int_equal(run(both, &out, &err), 2);
  assert_non_null(strstr(err, "--db and --scenario exclude each other"));
  free(out);
  free(err);
}

/* A store whose recorded run no longer replays to what it records (here its
 * seed was changed afterwards) is refused (exit 1), never answered from a
 * different run. */
static void test_db_execution_refuses_other_run(void **state) {
  (void)state;
  char sc[1024], dir[700], db[800];
  snprintf(sc, sizeof sc, "%s/scenarios/bad-release-abort.json", JOBSIM_SOURCE_DIR);
  snprintf(dir, sizeof dir, "%s/reseeded", g_dir);
  snprintf(db, sizeof db, "%s/run.sqlite", dir);
  const char *r[] = {"", "run", "-q", "--no-plots", "-o", dir, sc, NULL};
  assert_int_equal(run(r, NULL, NULL), 0);
  sqlite3 *h = NULL;
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  assert_int_equal(sqlite3_exec(h, "UPDATE run SET seed = seed + 1", NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(h);
  const char *kinds[][2] = {{"describe-job-execution", "--thing-name"},
                            {"list-job-executions-for-job", "--status"}};
  const char *val[] = {"rev-b-000007", "FAILED"};
  for (int k = 0; k < 2; k++) {
    const char *a[] = {"", kinds[k][0], "--db", db, "--job-id", "fw-3-0-0-rev-b-regression",
                       kinds[k][1], val[k], "--at", "20m", NULL};
    char *out, *err;
    int rc = run(a, &out, &err);
    if (rc != 1) fprintf(stderr, "exit %d\n%s%s", rc, out, err);
    assert_int_equal(rc, 1);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "replaying the recorded scenario and seed does not give the "
                                "job the store records"));
    free(out);
    free(err);
  }
}

/* ----------------------------------------------------------------- README */

/* The README's scenario example (the first json block under "## Scenario
 * files") is valid as written. */
static void test_readme_example_validates(void **state) {
  (void)state;
  char p[1024];
  snprintf(p, sizeof p, "%s/README.md", JOBSIM_SOURCE_DIR);
  char *md = test_read_file(p, NULL);
  assert_non_null(md);
  char *h = strstr(md, "## Scenario files\n\n```json\n");
  assert_non_null(h);
  h += strlen("## Scenario files\n\n```json\n");
  char *e = strstr(h, "```\n");
  assert_non_null(e);
  char ex[800];
  snprintf(ex, sizeof ex, "%s/readme-example.json", g_dir);
  FILE *f = fopen(ex, "w");
  assert_non_null(f);
  fwrite(h, 1, (size_t)(e - h), f);
  fclose(f);
  char *out, *err;
  const char *v[] = {"", "validate", ex, NULL};
  int rc = run(v, &out, &err);
  if (rc) fprintf(stderr, "%s", err);
  assert_int_equal(rc, 0);
  assert_string_equal(err, "");
  assert_non_null(strstr(out, ": ok: job "));
  free(out);
  free(err);
  free(md);
}

/* `jobsim help`: every command's summary starts in one column. */
static void test_help_aligned(void **state) {
  (void)state;
  char *out, *err;
  const char *a[] = {"", "help", NULL};
  assert_int_equal(run(a, &out, &err), 0);
  char **l;
  size_t n = split(out, &l);
  size_t i = 0;
  while (i < n && strcmp(l[i], "commands:") != 0) i++;
  assert_true(i < n);
  int col = -1, rows = 0;
  for (i++; i < n && l[i][0]; i++) {
    assert_true(strncmp(l[i], "    ", 4) == 0);
    const char *s = l[i] + 4;
    const char *gap = strstr(s, "  ");
    assert_non_null(gap);
    while (*gap == ' ') gap++;
    int c = (int)(gap - l[i]);
    if (s[0] != ' ') {   /* a command line, not a continuation */
      if (col < 0) col = c;
      assert_int_equal(c, col);
      rows++;
    }
    assert_true(strlen(l[i]) <= 80);
  }
  assert_true(rows >= 10);
  free(l);
  free(out);
  free(err);
}

static int setup(void **state) {
  (void)state;
  snprintf(g_dir, sizeof g_dir, "%s/test_cli_story.XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  rm_rf(g_dir);
  return 0;
}

int main(int argc, char **argv) {
  test_parse_args(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_summary_abort),
      cmocka_unit_test(test_summary_abort_at_horizon),
      cmocka_unit_test(test_summary_cancel),
      cmocka_unit_test(test_horizon_warning),
      cmocka_unit_test(test_validate_bound),
      cmocka_unit_test(test_story_collapses_windows),
      cmocka_unit_test(test_story_collapses_windows_of_each_job),
      cmocka_unit_test(test_story_keeps_its_ending),
      cmocka_unit_test(test_file_url),
      cmocka_unit_test(test_db_execution_views),
      cmocka_unit_test(test_db_execution_refuses_other_run),
      cmocka_unit_test(test_readme_example_validates),
      cmocka_unit_test(test_help_aligned),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
