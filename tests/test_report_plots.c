/*
 * test_report_plots.c — what the report's gnuplot scripts say (gnuplot is
 * taken off PATH, so only scripts and data are written): round time ticks
 * on both axes, statuses that stay at zero left out of the key, the
 * failures plot, maintenance windows shaded, the abort gate marked, the
 * zoomed rollout panel, and byte-identical scripts and data on a rerun.
 * Expected ticks and windows are worked out by hand from the scenarios'
 * start times, run lengths and cron expressions (comments below).
 */
#define _XOPEN_SOURCE 700
#include "test_common.h"
#include "test_util.h"

#include <ftw.h>
#include <unistd.h>

#include "run.h"
#include "scenario.h"

bool test_update_golden;
static char g_dir[512];

static int rm_cb(const char *p, const struct stat *sb, int f, struct FTW *w) {
  (void)sb; (void)f; (void)w;
  return remove(p);
}
static void rm_rf(const char *p) { nftw(p, rm_cb, 16, FTW_DEPTH | FTW_PHYS); }

/* Run bundled scenario `name` into g_dir/<sub>; returns its directory. */
static void run_one(const char *name, const char *sub, char *out, size_t n) {
  char file[700];
  snprintf(file, sizeof file, "%s/scenarios/%s.json", JOBSIM_SOURCE_DIR, name);
  snprintf(out, n, "%s/%s/%s", g_dir, sub, name);
  sim_diag d;
  model_scenario *sc = NULL;
  assert_int_equal(model_scenario_load(&sc, file, &d), SIM_OK);
  report_run_opts o = {.write_files = true, .version_info = "test", .plots = true};
  report_run_stats st;
  assert_int_equal(report_run(sc, sc->sim.seed, out, &o, &st, &d), SIM_OK);
  model_scenario_free(sc);
}

static char *script(const char *dir, const char *name) {
  char p[900];
  snprintf(p, sizeof p, "%s/plots/%s", dir, name);
  char *t = test_read_file(p, NULL);
  if (!t) fail_msg("cannot read %s", p);
  return t;
}

static size_t count(const char *s, const char *what) {
  size_t n = 0;
  for (const char *p = s; (p = strstr(p, what)); p += strlen(what)) n++;
  return n;
}

#define HAS(s, w) do { if (!strstr((s), (w))) fail_msg("missing: %s", (w)); } while (0)
#define HASNT(s, w) do { if (strstr((s), (w))) fail_msg("unexpected: %s", (w)); } while (0)

/* Every row of counters.dat against the same row of timeline.dat: the
 * same instant (columns 1 and 2, as text), and column 3 + j is the sum of
 * the statuses of layer j and every layer below it (top down: QUEUED,
 * IN_PROGRESS, REMOVED, CANCELED, TIMED_OUT, REJECTED, FAILED, SUCCEEDED,
 * which are timeline.dat's columns 3, 4, 10, 9, 8, 7, 6, 5). */
static void check_stack(const char *dir) {
  char *tl = script(dir, "timeline.dat"), *st = script(dir, "counters.dat");
  static const int tcol[8] = {3, 4, 10, 9, 8, 7, 6, 5};
  size_t rows = 0;
  char *ts = NULL, *ss = NULL;
  char *tline = strtok_r(tl, "\n", &ts), *sline = strtok_r(st, "\n", &ss);
  for (; tline && sline; tline = strtok_r(NULL, "\n", &ts), sline = strtok_r(NULL, "\n", &ss)) {
    if (tline[0] == '#' || sline[0] == '#') {
      assert_true(tline[0] == '#' && sline[0] == '#');
      continue;
    }
    char tm[40], te[40], sm[40], se[40];
    long long t[13], s[8];
    assert_int_equal(sscanf(tline, "%39s %39s %lld %lld %lld %lld %lld %lld %lld %lld %lld "
                                   "%lld %lld %lld %lld", tm, te, &t[0], &t[1], &t[2], &t[3],
                            &t[4], &t[5], &t[6], &t[7], &t[8], &t[9], &t[10], &t[11], &t[12]),
                     15);
    assert_int_equal(sscanf(sline, "%39s %39s %lld %lld %lld %lld %lld %lld %lld %lld", sm, se,
                            &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6], &s[7]),
                     10);
    assert_string_equal(tm, sm);
    assert_string_equal(te, se);
    for (int j = 0; j < 8; j++) {
      long long sum = 0;
      for (int k = j; k < 8; k++) sum += t[tcol[k] - 3];
      if (s[j] != sum) fail_msg("counters.dat row %zu column %d: %lld, timeline.dat sum %lld",
                                rows, j + 3, s[j], sum);
    }
    rows++;
  }
  assert_null(tline);
  assert_null(sline);
  assert_true(rows > 10);
  free(tl);
  free(st);
}

/* bad-release-abort: created 2026-01-01T00:00Z, ends +50m8.136s: 10-minute
 * steps (5 min would be 10 intervals, more than 8); nothing is ever
 * REMOVED; the abort (ALL >= 5 % once 500 executed) fires at +30m41.964s,
 * well past a third of the run, so no zoom. */
static void test_bad_release(void **state) {
  (void)state;
  char dir[700];
  run_one("bad-release-abort", "a", dir, sizeof dir);
  char *c = script(dir, "counters.gp");
  HAS(c, "set xtics ('0:00' 0.0000, '0:10' 10.0000, '0:20' 20.0000, '0:30' 30.0000, "
         "'0:40' 40.0000, '0:50' 50.0000)\n");
  HAS(c, "set x2tics ('Jan 1' 0.0000, '00:10' 10.0000, '00:20' 20.0000, '00:30' 30.0000, "
         "'00:40' 40.0000, '00:50' 50.0000)\n");
  HAS(c, "set xlabel 'time since job creation (h:mm)'");
  HAS(c, "title 'CANCELED'");
  HAS(c, "title 'SUCCEEDED'");
  HASNT(c, "title 'REMOVED'");
  HASNT(c, "multiplot");
  HASNT(c, "\nset object");
  HAS(c, "'abort at +30m41.964s'");
  /* the stack is read from counters.dat, not summed by gnuplot: QUEUED,
   * IN_PROGRESS, CANCELED, TIMED_OUT, REJECTED, FAILED, SUCCEEDED drawn */
  HAS(c, "  'counters.dat' using 1:3 with filledcurves x1 lc rgb c_queued title 'QUEUED'");
  HAS(c, "  'counters.dat' using 1:6 with filledcurves x1 lc rgb c_canceled title 'CANCELED'");
  HAS(c, "  'counters.dat' using 1:10 with filledcurves x1 lc rgb c_succeeded "
         "title 'SUCCEEDED'");
  HASNT(c, "using 1:(");
  HASNT(c, "using 1:5 ");   /* REMOVED: zero throughout */
  free(c);
  check_stack(dir);
  char *a = script(dir, "abort.gp");
  HAS(a, "'gate open: 500 executed by +");
  free(a);
  char *f = script(dir, "failures.gp");
  HAS(f, "title 'FAILED'");
  HAS(f, "title 'REJECTED'");
  HAS(f, "title 'TIMED_OUT'");
  free(f);
}

/* nightly-maintenance-window: created 2026-03-01T18:00Z, ends +3d8h10m
 * (4810 min): 12-hour steps (6 h would be 13 intervals); elapsed labels in
 * days and hours; clock ticks at UTC midnight and noon, the first at
 * +6h = 360 min. Windows cron(0 2 * * ? *) for 120 min: 02:00 on Mar 2, 3,
 * 4 and 5 = +480, +1920, +3360, +4800 min, the last one still open at the
 * end (4800 < 4810): four bands per panel, PNG and SVG each. Only FAILED
 * among the failures. */
static void test_nightly(void **state) {
  (void)state;
  char dir[700];
  run_one("nightly-maintenance-window", "a", dir, sizeof dir);
  char *r = script(dir, "rate.gp");
  HAS(r, "set xtics ('0' 0.0000, '12h' 720.0000, '1d' 1440.0000, '1d 12h' 2160.0000, "
         "'2d' 2880.0000, '2d 12h' 3600.0000, '3d' 4320.0000)\n");
  HAS(r, "set x2tics ('Mar 2' 360.0000, '12:00' 1080.0000, 'Mar 3' 1800.0000, "
         "'12:00' 2520.0000, 'Mar 4' 3240.0000, '12:00' 3960.0000, 'Mar 5' 4680.0000)\n");
  HAS(r, "set xlabel 'time since job creation (days, hours)'");
  HAS(r, "set object 1 rect from 480.0000, graph 0 to 600.0000, graph 1");
  HAS(r, "set object 2 rect from 1920.0000, graph 0 to 2040.0000, graph 1");
  HAS(r, "set object 3 rect from 3360.0000, graph 0 to 3480.0000, graph 1");
  HAS(r, "set object 4 rect from 4800.0000, graph 0 to 4920.0000, graph 1");
  assert_int_equal(count(r, "\nset object "), 8);
  HAS(r, "title 'maintenance window'");
  free(r);
  char *f = script(dir, "failures.gp");
  HAS(f, "title 'FAILED'");
  HASNT(f, "title 'REJECTED'");
  HASNT(f, "title 'TIMED_OUT'");
  free(f);
}

/* offline-long-reconnect: 2,000 things at 200/min are notified within ten
 * minutes, the job completes about two days later: counters and rate get
 * a second panel zoomed on the rollout (0:00 to 0:1x, 2-minute ticks),
 * the other plots do not. */
static void test_zoom(void **state) {
  (void)state;
  char dir[700];
  run_one("offline-long-reconnect", "a", dir, sizeof dir);
  static const char *const zoomed[] = {"counters.gp", "rate.gp"},
                           *const whole[] = {"failures.gp", "abort.gp", "progress.gp"};
  for (size_t i = 0; i < 2; i++) {
    char *s = script(dir, zoomed[i]);
    assert_int_equal(count(s, "set multiplot layout 2,1\n"), 2);
    HAS(s, "set terminal @PNG2\n");
    HAS(s, "set title 'zoomed on the rollout: 0:00 to 0:1");
    HAS(s, "'0:02' 2.0000, '0:04' 4.0000");
    free(s);
  }
  for (size_t i = 0; i < 3; i++) {
    char *s = script(dir, whole[i]);
    HASNT(s, "multiplot");
    HAS(s, "set terminal @PNG\n");
    free(s);
  }
}

/* The same scenario and seed again: scripts and data byte-identical. */
static void test_deterministic(void **state) {
  (void)state;
  static const char *const sc[] = {"bad-release-abort", "nightly-maintenance-window",
                                   "offline-long-reconnect"};
  static const char *const files[] = {"counters.gp", "failures.gp", "rate.gp",
                                      "abort.gp", "progress.gp", "style.gp",
                                      "timeline.dat", "counters.dat", "increases.dat",
                                      "abort.dat"};
  for (size_t i = 0; i < 3; i++) {
    char a[700], b[700];
    snprintf(a, sizeof a, "%s/a/%s", g_dir, sc[i]);
    run_one(sc[i], "b", b, sizeof b);
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
      char *x = script(a, files[k]), *y = script(b, files[k]);
      if (strcmp(x, y) != 0) fail_msg("%s/plots/%s differs on a rerun", sc[i], files[k]);
      free(x);
      free(y);
    }
  }
}

int main(int argc, char **argv) {
  test_parse_args(argc, argv);
  setenv("PATH", "", 1);   /* no gnuplot: scripts and data only */
  snprintf(g_dir, sizeof g_dir, "%s/report-plots-%ld", JOBSIM_BINARY_DIR, (long)getpid());
  rm_rf(g_dir);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bad_release),
      cmocka_unit_test(test_nightly),
      cmocka_unit_test(test_zoom),
      cmocka_unit_test(test_deterministic),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  if (rc == 0) rm_rf(g_dir);
  return rc;
}
