/*
 * test_fit_cli.c — `jobsim fit` through the real binary (JOBSIM_EXE), fed
 * with what jobsim's own AWS-shaped commands print for a simulated job
 * (`jobsim describe-job` / `list-job-executions-for-job`, whose output is
 * checked against the real AWS CLI by tests/serve/):
 *   - epoch and ISO 8601 timestamps, one listing or pages of 200 (also
 *     pages of mixed styles), give the same fitted scenario (everything but
 *     the input file names);
 *   - --job/--executions from a jobsim report's run.sqlite: a scenario that
 *     `jobsim validate` accepts and `jobsim run` runs;
 *   - the backtest (issue 11 acceptance): the fitted scenario of a simulated
 *     job reproduces the instant at which 95 % of the fleet reached a
 *     terminal status within 10 %; the instants are computed here from the
 *     listings (the real job's, and those of the fitted scenario run with
 *     five seeds), not taken from fit/backtest.c, whose own figure is
 *     checked against them;
 *   - bad input: each rule of issue 11 point 5 with its exact message
 *     (`jobsim: FILE: JSON.PATH: rule`), exit 3, and neither the scenario
 *     nor the report written;
 *   - fewer than 30 records in a group: fitted, with the warning;
 *   - the report: index.html, the plots (PNG + SVG) and, without gnuplot
 *     on PATH, exactly one warning and a page without images.
 */
#define _XOPEN_SOURCE 700
#include "test_common.h"
#include "store_v1.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#ifndef JOBSIM_EXE
#error "JOBSIM_EXE must name the jobsim executable"
#endif

static char g_dir[256];
static const char *g_export = JOBSIM_SOURCE_DIR "/tests/fit/export.json";

/* ------------------------------------------------------------ helpers --- */

static char *read_all(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  char *s = malloc(cap);
  assert_non_null(s);
  size_t k;
  while ((k = fread(s + n, 1, cap - n - 1, f)) > 0) {
    n += k;
    if (cap - n - 1 == 0) {
      cap *= 2;
      s = realloc(s, cap);
      assert_non_null(s);
    }
  }
  fclose(f);
  s[n] = 0;
  return s;
}

static bool exists(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0;
}

typedef struct run_result {
  int status;
  char *out, *err;
} run_result;

static void run_release(run_result *r) {
  free(r->out);
  free(r->err);
  memset(r, 0, sizeof *r);
}

/* When not 0, the child gets this many seconds before SIGALRM stops it: for
 * a run that could hang. */
static unsigned g_alarm;

/* Run jobsim with args (NULL-terminated); stdout to `stdout_path` when
 * given, else captured; `path_env` replaces PATH when not NULL. */
static void run_env(const char *const *args, const char *stdout_path, const char *path_env,
                    run_result *r) {
  char out_path[512], err_path[512];
  snprintf(out_path, sizeof out_path, "%s/.stdout", g_dir);
  snprintf(err_path, sizeof err_path, "%s/.stderr", g_dir);
  char *argv[64];
  size_t n = 0;
  argv[n++] = strdup("jobsim");
  for (size_t i = 0; args[i]; i++) {
    assert_true(n < 63);
    argv[n++] = strdup(args[i]);
  }
  argv[n] = NULL;
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int fo = open(stdout_path ? stdout_path : out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0) _exit(126);
    if (chdir(g_dir) != 0) _exit(126);
    if (path_env) setenv("PATH", path_env, 1);
    if (g_alarm) alarm(g_alarm);   /* jobsim stops on SIGALRM (exit 142) */
    execv(JOBSIM_EXE, argv);
    _exit(127);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0) assert_int_equal(errno, EINTR);
  for (size_t i = 0; i < n; i++) free(argv[i]);
  r->out = stdout_path ? strdup("") : read_all(out_path);
  r->err = read_all(err_path);
  if (WIFSIGNALED(st)) fail_msg("jobsim killed by signal %d; stderr:\n%s", WTERMSIG(st), r->err);
  r->status = WEXITSTATUS(st);
  if (r->status == 126 || r->status == 127) fail_msg("could not run %s", JOBSIM_EXE);
}

static void run_ok(const char *const *args, const char *stdout_path) {
  run_result r;
  run_env(args, stdout_path, NULL, &r);
  if (r.status != 0) fail_msg("%s %s: exit %d\n%s", args[0], args[1], r.status, r.err);
  run_release(&r);
}

/* Paths are relative to g_dir (the child runs there); this one is for the
 * test itself. */
static void at(const char *rel, char *buf, size_t n) { snprintf(buf, n, "%s/%s", g_dir, rel); }

static void write_text(const char *rel, const char *text) {
  char p[600];
  at(rel, p, sizeof p);
  FILE *f = fopen(p, "wb");
  assert_non_null(f);
  assert_int_equal(fputs(text, f) >= 0, 1);
  assert_int_equal(fclose(f), 0);
}

static cJSON *read_json(const char *rel) {
  char p[600];
  at(rel, p, sizeof p);
  char *s = read_all(p);
  if (!s) fail_msg("cannot read %s", p);
  cJSON *j = cJSON_Parse(s);
  free(s);
  if (!j) fail_msg("%s is not JSON", p);
  return j;
}

static void write_json(const char *rel, const cJSON *j) {
  char *s = cJSON_Print(j);
  assert_non_null(s);
  write_text(rel, s);
  free(s);
}

/* The AWS-shaped inputs of scenario `sc` (relative to g_dir or absolute):
 * PREFIX-dj-{e,i}.json and PREFIX-le-{e,i}.json. */
static void export_job(const char *sc, const char *job_id, const char *prefix) {
  static const char *const fmt[2] = {"epoch", "iso8601"};
  static const char *const sfx[2] = {"e", "i"};
  for (int k = 0; k < 2; k++) {
    char out[600], rel[200];
    snprintf(rel, sizeof rel, "%s-dj-%s.json", prefix, sfx[k]);
    at(rel, out, sizeof out);
    const char *a[] = {"describe-job", "--scenario", sc, "--job-id", job_id,
                       "--timestamp-format", fmt[k], NULL};
    run_ok(a, out);
    snprintf(rel, sizeof rel, "%s-le-%s.json", prefix, sfx[k]);
    at(rel, out, sizeof out);
    const char *b[] = {"list-job-executions-for-job", "--scenario", sc, "--job-id", job_id,
                       "--timestamp-format", fmt[k], NULL};
    run_ok(b, out);
  }
}

/* The fitted scenario without what names the input files. */
static char *fitted_text(const char *rel) {
  cJSON *j = read_json(rel);
  cJSON *fit = cJSON_GetObjectItemCaseSensitive(j, "fit");
  assert_non_null(fit);
  cJSON *in = cJSON_GetObjectItemCaseSensitive(fit, "inputs");
  assert_non_null(in);
  cJSON *x;
  cJSON_ArrayForEach(x, in) cJSON_DeleteItemFromObjectCaseSensitive(x, "file");
  /* pages: the per-file record counts differ, their sum does not */
  int64_t recs = 0;
  for (int i = cJSON_GetArraySize(in) - 1; i >= 0; i--) {
    cJSON *e = cJSON_GetArrayItem(in, i);
    cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "kind");
    cJSON *rc = cJSON_GetObjectItemCaseSensitive(e, "records");
    if (k && cJSON_IsString(k) && strcmp(k->valuestring, "list-job-executions") == 0) {
      assert_non_null(rc);
      recs += (int64_t)rc->valuedouble;
      cJSON_DeleteItemFromArray(in, i);
    }
  }
  cJSON_AddNumberToObject(fit, "listedRecords", (double)recs);
  char *s = cJSON_Print(j);
  cJSON_Delete(j);
  return s;
}

static void meters_file(void) {
  /* list-things-in-thing-group output for the meters of export.json */
  cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "things");
  for (int i = 0; i < 300; i++) {
    char nm[32];
    snprintf(nm, sizeof nm, "meters-%06d", i);
    cJSON_AddItemToArray(arr, cJSON_CreateString(nm));
  }
  write_json("meters.json", root);
  cJSON_Delete(root);
}

/* ----------------------------------------------- timestamps and pages --- */

static void fit_to(const char *dj, const char *const *le, size_t n_le, const char *out) {
  const char *a[40];
  size_t k = 0;
  a[k++] = "fit";
  a[k++] = "--job";
  a[k++] = dj;
  for (size_t i = 0; i < n_le; i++) {
    a[k++] = "--executions";
    a[k++] = le[i];
  }
  a[k++] = "--group";
  a[k++] = "meters=meters.json";
  a[k++] = "--out";
  a[k++] = out;
  a[k++] = "-q";
  a[k] = NULL;
  run_ok(a, NULL);
}

/* Pages of 200 in style fmt[i % 2 == 0 ? first : second]. */
static size_t pages(const char *prefix, const char *first, const char *second) {
  char token[100] = "";
  size_t n = 0;
  for (;;) {
    char rel[200], out[600];
    snprintf(rel, sizeof rel, "%s-%zu.json", prefix, n);
    at(rel, out, sizeof out);
    const char *a[16] = {"list-job-executions-for-job", "--scenario", g_export, "--job-id",
                         "fit-export", "--max-results", "200", "--timestamp-format",
                         n % 2 == 0 ? first : second, NULL};
    if (token[0]) {
      a[9] = "--next-token";
      a[10] = token;
      a[11] = NULL;
    }
    run_ok(a, out);
    n++;
    cJSON *j = read_json(rel);
    cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "nextToken");
    if (!t) {
      cJSON_Delete(j);
      break;
    }
    assert_true(cJSON_IsString(t));
    snprintf(token, sizeof token, "%s", t->valuestring);
    cJSON_Delete(j);
    assert_true(n < 10);
  }
  return n;
}

static void test_styles_and_pages(void **state) {
  (void)state;
  export_job(g_export, "fit-export", "x");
  meters_file();
  const char *le_e[] = {"x-le-e.json"}, *le_i[] = {"x-le-i.json"};
  fit_to("x-dj-e.json", le_e, 1, "fit-e.json");
  fit_to("x-dj-i.json", le_i, 1, "fit-i.json");
  size_t np = pages("pe", "epoch", "epoch");
  assert_int_equal(np, 3);   /* 500 records in pages of 200 */
  pages("pm", "iso8601", "epoch");
  const char *pe[] = {"pe-0.json", "pe-1.json", "pe-2.json"};
  const char *pm[] = {"pm-2.json", "pm-0.json", "pm-1.json"};   /* any order */
  fit_to("x-dj-e.json", pe, 3, "fit-pe.json");
  fit_to("x-dj-i.json", pm, 3, "fit-pm.json");
  char *e = fitted_text("fit-e.json"), *i = fitted_text("fit-i.json");
  char *p1 = fitted_text("fit-pe.json"), *p2 = fitted_text("fit-pm.json");
  assert_string_equal(e, i);
  assert_string_equal(e, p1);
  assert_string_equal(e, p2);
  /* and it is a fit of all 500 records */
  cJSON *j = read_json("fit-e.json");
  cJSON *recs = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "fit"),
                                                 "records");
  assert_non_null(recs);
  assert_int_equal((int)recs->valuedouble, 500);
  cJSON_Delete(j);
  free(e);
  free(i);
  free(p1);
  free(p2);
}

/* ------------------------------------------------------------ store --- */

static void test_from_store(void **state) {
  (void)state;
  const char *a[] = {"run", "--no-plots", "-q", "--out", "st", g_export, NULL};
  run_ok(a, NULL);
  /* the store does not say which group a thing was in: --group, as for
   * AWS's records */
  const char *b[] = {"fit", "--job", "st/run.sqlite", "--executions", "st/run.sqlite",
                     "--group", "meters=meters.json", "--out", "fit-st.json", "-q", NULL};
  run_ok(b, NULL);
  const char *c[] = {"validate", "fit-st.json", NULL};
  run_ok(c, NULL);
  /* a store of schema version 1 (its execution table, not version 2's view)
   * gives the same fit */
  char v2[512], v1[512];
  at("st/run.sqlite", v2, sizeof v2);
  at("st-v1.sqlite", v1, sizeof v1);
  assert_int_equal(store_make_v1(v2, v1), 0);
  const char *b1[] = {"fit", "--job", "st-v1.sqlite", "--executions", "st-v1.sqlite",
                      "--group", "meters=meters.json", "--out", "fit-st1.json", "-q", NULL};
  run_ok(b1, NULL);
  char *f2 = fitted_text("fit-st.json"), *f1 = fitted_text("fit-st1.json");
  assert_string_equal(f1, f2);
  free(f1);
  free(f2);
  const char *d[] = {"run", "--no-plots", "-q", "--out", "st2", "fit-st.json", NULL};
  run_ok(d, NULL);
  cJSON *j = read_json("fit-st.json");
  cJSON *groups = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(j, "fleet"), "groups");
  assert_int_equal(cJSON_GetArraySize(groups), 2);
  const char *names[2] = {"meters", "gateways"};
  int64_t things[2] = {300, 200};
  for (int k = 0; k < 2; k++) {
    cJSON *g = cJSON_GetArrayItem(groups, k);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(g, "name")->valuestring, names[k]);
    assert_int_equal((int64_t)cJSON_GetObjectItemCaseSensitive(g, "things")->valuedouble,
                     things[k]);
  }
  /* the store has every attempt (retries too): more records than things */
  cJSON *recs = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "fit"),
                                                 "records");
  assert_true(recs->valuedouble > 500);
  cJSON_Delete(j);
}

/* --------------------------------------------------------- backtest --- */

/* The instant (ms after createdAt) at which 95 % of the listing's things
 * were in a terminal status: each thing's latest record is terminal from
 * its lastUpdatedAt on; the ceil(0.95 n)-th earliest. NAN: never. */
static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double t95_of(const char *rel, double created_s) {
  cJSON *j = read_json(rel);
  cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "executionSummaries");
  int n = cJSON_GetArraySize(arr);
  double *t = malloc((size_t)n * sizeof *t);
  assert_non_null(t);
  int k = 0;
  cJSON *x;
  cJSON_ArrayForEach(x, arr) {
    cJSON *s = cJSON_GetObjectItemCaseSensitive(x, "jobExecutionSummary");
    const char *st = cJSON_GetObjectItemCaseSensitive(s, "status")->valuestring;
    bool term = strcmp(st, "QUEUED") != 0 && strcmp(st, "IN_PROGRESS") != 0;
    t[k++] = term ? (cJSON_GetObjectItemCaseSensitive(s, "lastUpdatedAt")->valuedouble -
                     created_s) * 1000
                  : INFINITY;
  }
  qsort(t, (size_t)n, sizeof *t, cmp_d);
  int need = (int)ceil(0.95 * n);
  double r = t[need - 1];
  free(t);
  cJSON_Delete(j);
  return isinf(r) ? NAN : r;
}

static double created_of(const char *rel) {
  cJSON *j = read_json(rel);
  double c = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "job"),
                                              "createdAt")->valuedouble;
  cJSON_Delete(j);
  return c;
}

static const char bt_scenario[] =
    "{\"name\": \"bt\", \"job\": {\"jobId\": \"bt\", \"targets\": "
    "[\"arn:aws:iot:us-west-2:123456789012:thinggroup/devices\"], \"document\": \"{}\", "
    "\"jobExecutionsRolloutConfig\": {\"maximumPerMinute\": 500}, "
    "\"timeoutConfig\": {\"inProgressTimeoutInMinutes\": 10}, "
    "\"jobExecutionsRetryConfig\": {\"criteriaList\": [{\"failureType\": \"FAILED\", "
    "\"numberOfRetries\": 1}]}}, "
    "\"fleet\": {\"groups\": [{\"name\": \"devices\", \"things\": 4000, \"behavior\": "
    "\"b\"}], \"behaviors\": {\"b\": {\"connected\": 0.85, \"reconnectAfter\": "
    "{\"distribution\": \"exponential\", \"mean\": \"20m\"}, \"startDelay\": "
    "{\"distribution\": \"lognormal\", \"median\": \"15s\", \"sigma\": 0.8}, \"runTime\": "
    "{\"distribution\": \"gamma\", \"shape\": 2, \"scale\": \"40s\"}, \"outcomes\": "
    "{\"SUCCEEDED\": 0.93, \"FAILED\": 0.04, \"REJECTED\": 0.01, \"NO_RESPONSE\": 0.02}}}}, "
    "\"simulation\": {\"seed\": 7, \"until\": \"6h\"}}";

static void test_backtest(void **state) {
  (void)state;
  write_text("bt.json", bt_scenario);
  export_job("bt.json", "bt", "bt");
  double created = created_of("bt-dj-e.json");
  double real = t95_of("bt-le-e.json", created);
  assert_false(isnan(real));
  const char *a[] = {"fit", "--job", "bt-dj-e.json", "--executions", "bt-le-e.json",
                     "--out", "bt-fit.json", "--backtest", "50", "-q", NULL};
  run_ok(a, NULL);
  /* the fitted scenario, run with seeds 1..5 and listed the same way */
  double rep[5];
  for (int s = 0; s < 5; s++) {
    char seed[8], rel[64], out[600];
    snprintf(seed, sizeof seed, "%d", s + 1);
    snprintf(rel, sizeof rel, "bt-rep-%d.json", s + 1);
    at(rel, out, sizeof out);
    const char *b[] = {"list-job-executions-for-job", "--scenario", "bt-fit.json",
                       "--job-id", "bt", "--seed", seed, NULL};
    run_ok(b, out);
    rep[s] = t95_of(rel, created);
    assert_false(isnan(rep[s]));
  }
  qsort(rep, 5, sizeof *rep, cmp_d);
  double err = fabs(rep[2] - real) / real;
  print_message("backtest: real 95 %% terminal at %.1f s; fitted scenario, 5 seeds: "
                "%.1f .. %.1f s, median %.1f s (%.1f %% off, tolerance 10 %%)\n",
                real / 1000, rep[0] / 1000, rep[4] / 1000, rep[2] / 1000, 100 * err);
  assert_true(err <= 0.10);
  /* fit's own backtest (50 replications) agrees and says so */
  cJSON *j = read_json("bt-fit.json");
  cJSON *bt = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "fit"),
                                               "backtest");
  assert_non_null(bt);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(bt, "reproduces")));
  cJSON *t95 = cJSON_GetObjectItemCaseSensitive(bt, "terminal95");
  double rel_err = cJSON_GetObjectItemCaseSensitive(t95, "relativeError")->valuedouble;
  print_message("jobsim fit --backtest 50: %s\n",
                cJSON_GetObjectItemCaseSensitive(bt, "verdict")->valuestring);
  assert_true(rel_err <= 0.10);
  /* its real instant is the one computed here (it prints milliseconds) */
  const char *rs = cJSON_GetObjectItemCaseSensitive(t95, "real")->valuestring;
  char want[64];
  double sec = real / 1000;
  int h = (int)(sec / 3600), m = (int)(fmod(sec, 3600) / 60);
  double srem = sec - 3600.0 * h - 60.0 * m;
  if (h)
    snprintf(want, sizeof want, "%dh%dm%.3fs", h, m, srem);
  else
    snprintf(want, sizeof want, "%dm%.3fs", m, srem);
  /* drop a trailing ".000"-style zero run the way durations print */
  char *dot = strchr(want, '.');
  if (dot) {
    char *end = want + strlen(want) - 2;   /* before 's' */
    while (end > dot && *end == '0') memmove(end, end + 1, strlen(end)), end--;
    if (end == dot) memmove(dot, dot + 1, strlen(dot));
  }
  assert_string_equal(rs, want);
  cJSON_Delete(j);
}

/* -------------------------------------------------------- bad input --- */

/* Index of the first element of FILE's executionSummaries whose thingArn
 * names THING. */
static int first_of(const char *rel, const char *thing) {
  cJSON *j = read_json(rel);
  cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "executionSummaries");
  int i = 0, found = -1;
  cJSON *e;
  cJSON_ArrayForEach(e, arr) {
    const char *arn = cJSON_GetObjectItemCaseSensitive(e, "thingArn")->valuestring;
    const char *slash = strrchr(arn, '/');
    if (slash && strcmp(slash + 1, thing) == 0) { found = i; break; }
    i++;
  }
  cJSON_Delete(j);
  assert_true(found >= 0);
  return found;
}

static void expect_refused(const char *const *args, const char *want_err) {
  run_result r;
  run_env(args, NULL, NULL, &r);
  if (r.status != 3) fail_msg("expected exit 3, got %d\n%s", r.status, r.err);
  if (strcmp(r.err, want_err) != 0) fail_msg("stderr differs\n  want: %s  got:  %s", want_err, r.err);
  assert_string_equal(r.out, "");
  char p[600];
  at("bad-out.json", p, sizeof p);
  assert_false(exists(p));
  at("bad-report", p, sizeof p);
  assert_false(exists(p));
  run_release(&r);
}

/* A copy of the epoch listing with record `i` changed by `edit`. */
static void edited(const char *rel, int i, void (*edit)(cJSON *summary)) {
  cJSON *j = read_json("x-le-e.json");
  cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "executionSummaries"), i);
  edit(cJSON_GetObjectItemCaseSensitive(e, "jobExecutionSummary"));
  write_json(rel, j);
  cJSON_Delete(j);
}

static void drop_queued(cJSON *s) { cJSON_DeleteItemFromObjectCaseSensitive(s, "queuedAt"); }
static void drop_all_times(cJSON *s) {
  cJSON_DeleteItemFromObjectCaseSensitive(s, "queuedAt");
  cJSON_DeleteItemFromObjectCaseSensitive(s, "startedAt");
  cJSON_DeleteItemFromObjectCaseSensitive(s, "lastUpdatedAt");
}
static void backwards(cJSON *s) {
  double q = cJSON_GetObjectItemCaseSensitive(s, "queuedAt")->valuedouble;
  cJSON_ReplaceItemInObjectCaseSensitive(s, "lastUpdatedAt", cJSON_CreateNumber(q - 5));
}

static void test_bad_input(void **state) {
  (void)state;
  /* export_job and meters_file ran in test_styles_and_pages */
  /* wrong top-level key: each file given as the other kind */
  {
    const char *a[] = {"fit", "--job", "x-le-e.json", "--executions", "x-le-e.json",
                       "--out", "bad-out.json", "--report", "bad-report", NULL};
    expect_refused(a, "jobsim: x-le-e.json: $.executionSummaries: this is `aws iot "
                      "list-job-executions-for-job` output; --job takes `aws iot "
                      "describe-job` output\n");
  }
  {
    const char *a[] = {"fit", "--job", "x-dj-e.json", "--executions", "x-dj-e.json",
                       "--out", "bad-out.json", "--report", "bad-report", NULL};
    expect_refused(a, "jobsim: x-dj-e.json: $.job: unknown field 'job' (this is `aws iot "
                      "describe-job` output; --executions takes `aws iot "
                      "list-job-executions-for-job` output)\n");
  }
  {
    write_text("wrongkey.json", "{\"executions\": []}\n");
    const char *a[] = {"fit", "--job", "x-dj-e.json", "--executions", "wrongkey.json",
                       "--out", "bad-out.json", NULL};
    expect_refused(a, "jobsim: wrongkey.json: $.executions: unknown field 'executions'\n");
  }
  /* records without timestamps */
  edited("noq.json", 3, drop_queued);
  {
    const char *a[] = {"fit", "--job", "x-dj-e.json", "--executions", "noq.json",
                       "--group", "meters=meters.json", "--out", "bad-out.json", NULL};
    expect_refused(a, "jobsim: noq.json: $.executionSummaries[3].jobExecutionSummary: "
                      "missing required field 'queuedAt' (records need their timestamps)\n");
  }
  edited("notimes.json", 0, drop_all_times);
  {
    const char *a[] = {"fit", "--job", "x-dj-e.json", "--executions", "notimes.json",
                       "--group", "meters=meters.json", "--out", "bad-out.json", NULL};
    expect_refused(a, "jobsim: notimes.json: $.executionSummaries[0].jobExecutionSummary: "
                      "missing required field 'queuedAt' (records need their timestamps)\n");
  }
  /* timestamps going backwards */
  edited("back.json", 7, backwards);
  {
    const char *a[] = {"fit", "--job", "x-dj-e.json", "--executions", "back.json",
                       "--group", "meters=meters.json", "--out", "bad-out.json",
                       "--report", "bad-report", NULL};
    expect_refused(a, "jobsim: back.json: $.executionSummaries[7].jobExecutionSummary."
                      "lastUpdatedAt: before startedAt (timestamps going backwards)\n");
  }
  /* a thing in two --group files */
  write_text("two.json", "{\"things\": [\"gateways-000000\", \"meters-000005\"]}\n");
  {
    const char *a[] = {"fit", "--job", "x-dj-e.json", "--executions", "x-le-e.json",
                       "--group", "meters=meters.json", "--group", "gateways=two.json",
                       "--out", "bad-out.json", NULL};
    expect_refused(a, "jobsim: two.json: $.things[1]: thing 'meters-000005' is in two "
                      "--group files (groups 'meters' and 'gateways'): a thing belongs to "
                      "one fleet group\n");
  }
  /* executions of no known thing: every target group has a file, one thing
   * is in none */
  write_text("gw.json", "{\"things\": [\"gateways-000000\"]}\n");
  {
    const char *a[] = {"fit", "--job", "x-dj-e.json", "--executions", "x-le-e.json",
                       "--group", "meters=meters.json", "--group", "gateways=gw.json",
                       "--out", "bad-out.json", "--report", "bad-report", NULL};
    /* the message points at that thing's first element in the listing */
    int first = first_of("x-le-e.json", "gateways-000001");
    char want[600];
    snprintf(want, sizeof want,
             "jobsim: x-le-e.json: $.executionSummaries[%d].thingArn: executions of thing "
             "'gateways-000001', which is in no --group file and not a target of job "
             "'fit-export' (every thing-group target has a --group file): executions of no "
             "known thing\n", first);
    expect_refused(a, want);
  }
  /* --out cannot be written: refused before the report is committed, so
   * neither the scenario nor the report is left (exit 4, I/O) */
  {
    const char *a[] = {"fit", "--job", "x-dj-e.json", "--executions", "x-le-e.json",
                       "--group", "meters=meters.json", "--out", "no-such-dir/fitted.json",
                       "--report", "bad-report", "--backtest", "0", "--no-plots", NULL};
    run_result r;
    run_env(a, NULL, NULL, &r);
    if (r.status != 4) fail_msg("expected exit 4, got %d\n%s", r.status, r.err);
    assert_non_null(strstr(r.err, "no-such-dir/fitted.json"));
    char p[600];
    at("bad-report", p, sizeof p);
    if (exists(p)) fail_msg("the report was committed although --out failed:\n%s", r.err);
    run_release(&r);
  }
  /* a FIFO as --job or --executions: refused at once as not a regular file
   * (it used to block reading it to see whether it was a store) */
  {
    char p[600];
    at("fifo.json", p, sizeof p);
    unlink(p);
    assert_int_equal(mkfifo(p, 0600), 0);
    const char *a[] = {"fit", "--job", "fifo.json", "--executions", "x-le-e.json",
                       "--out", "bad-out.json", NULL};
    const char *b[] = {"fit", "--job", "x-dj-e.json", "--executions", "fifo.json",
                       "--out", "bad-out.json", NULL};
    const char *const *both[] = {a, b};
    for (int k = 0; k < 2; k++) {
      run_result r;
      g_alarm = 20;
      run_env(both[k], NULL, NULL, &r);
      g_alarm = 0;
      if (r.status != 4) fail_msg("FIFO as input %d: expected exit 4, got %d\n%s", k, r.status,
                                  r.err);
      assert_string_equal(r.err, "jobsim: fifo.json: not a regular file\n");
      run_release(&r);
    }
    unlink(p);
  }
  /* the same page given twice: the second copy's first element is named */
  {
    cJSON *j = read_json("x-le-e.json");
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "executionSummaries");
    cJSON *e0 = cJSON_GetArrayItem(arr, 0);
    const char *arn = cJSON_GetObjectItemCaseSensitive(e0, "thingArn")->valuestring;
    const char *name0 = strrchr(arn, '/') + 1;
    int exec0 = cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(e0, "jobExecutionSummary"),
                    "executionNumber")->valueint;
    char thing0[128];
    snprintf(thing0, sizeof thing0, "%s", name0);
    cJSON_Delete(j);
    const char *a[] = {"fit", "--job", "x-dj-e.json", "--executions", "x-le-e.json",
                       "--executions", "x-le-e-copy.json", "--group", "meters=meters.json",
                       "--out", "bad-out.json", NULL};
    j = read_json("x-le-e.json");
    write_json("x-le-e-copy.json", j);
    cJSON_Delete(j);
    char want[600];
    snprintf(want, sizeof want,
             "jobsim: x-le-e-copy.json: $.executionSummaries[0].thingArn: execution %d of "
             "thing '%s' appears twice (also in x-le-e.json): the same page given twice?\n",
             exec0, thing0);
    expect_refused(a, want);
  }
  /* not JSON at all */
  write_text("garbage.json", "{\"executionSummaries\": [\n");
  {
    const char *a[] = {"fit", "--job", "x-dj-e.json", "--executions", "garbage.json",
                       "--out", "bad-out.json", NULL};
    run_result r;
    run_env(a, NULL, NULL, &r);
    assert_int_equal(r.status, 3);
    assert_true(strncmp(r.err, "jobsim: garbage.json: ", 22) == 0);
    run_release(&r);
  }
}

/* ------------------------------------------------------- small group --- */

static void test_small_group(void **state) {
  (void)state;
  write_text("small.json",
             "{\"name\": \"small\", \"job\": {\"jobId\": \"small\", \"targets\": "
             "[\"arn:aws:iot:us-west-2:123456789012:thinggroup/few\"], \"document\": \"{}\"}, "
             "\"fleet\": {\"groups\": [{\"name\": \"few\", \"things\": 20, \"behavior\": "
             "\"b\"}], \"behaviors\": {\"b\": {\"startDelay\": {\"distribution\": "
             "\"exponential\", \"mean\": \"10s\"}, \"runTime\": {\"distribution\": "
             "\"exponential\", \"mean\": \"30s\"}, \"outcomes\": {\"SUCCEEDED\": 1}}}}, "
             "\"simulation\": {\"seed\": 3, \"until\": \"1h\"}}");
  export_job("small.json", "small", "sm");
  const char *a[] = {"fit", "--job", "sm-dj-i.json", "--executions", "sm-le-i.json",
                     "--out", "sm-fit.json", NULL};
  run_result r;
  run_env(a, NULL, NULL, &r);
  assert_int_equal(r.status, 0);
  assert_string_equal(r.err, "jobsim: warning: group few has only 20 execution records "
                             "(fewer than 30): fitted anyway, but too few to trust; its "
                             "intervals are as wide as the data make them\n");
  run_release(&r);
  cJSON *j = read_json("sm-fit.json");
  cJSON *g = cJSON_GetArrayItem(
      cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "fit"), "groups"),
      0);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "tooFewToTrust")));
  cJSON_Delete(j);
}

/* ------------------------------------------------------------ report --- */

static bool have_gnuplot(void) { return system("command -v gnuplot >/dev/null 2>&1") == 0; }

static void test_report(void **state) {
  (void)state;
  const char *a[] = {"fit", "--job", "x-dj-e.json", "--executions", "x-le-e.json",
                     "--group", "meters=meters.json", "--out", "rep.json", "--report", "rep",
                     "--backtest", "20", NULL};
  run_result r;
  run_env(a, NULL, NULL, &r);
  if (r.status != 0) fail_msg("exit %d: %s", r.status, r.err);
  assert_string_equal(r.err, "");
  run_release(&r);
  char p[600];
  static const char *const files[] = {"rep/index.html", "rep/scenario.json", "rep/run.json",
                                      "rep/plots/cdf-meters-delay.gp",
                                      "rep/plots/cdf-gateways-run.dat",
                                      "rep/plots/backtest.gp", NULL};
  for (const char *const *f = files; *f; f++) {
    at(*f, p, sizeof p);
    if (!exists(p)) fail_msg("%s missing", *f);
  }
  at("rep/index.html", p, sizeof p);
  char *html = read_all(p);
  assert_non_null(strstr(html, "Backtest: reproduces"));
  assert_non_null(strstr(html, "<h2>Group meters</h2>"));
  assert_non_null(strstr(html, "<h2>Group gateways</h2>"));
  assert_non_null(strstr(html, "KS distance"));
  assert_null(strstr(html, "src=\"plots/"));   /* self-contained */
  if (have_gnuplot()) {
    static const char *const img[] = {"cdf-meters-delay", "cdf-meters-run",
                                      "cdf-gateways-delay", "cdf-gateways-run", "backtest",
                                      NULL};
    for (const char *const *f = img; *f; f++) {
      char rel[200];
      snprintf(rel, sizeof rel, "rep/plots/%s.png", *f);
      at(rel, p, sizeof p);
      assert_true(exists(p));
      snprintf(rel, sizeof rel, "rep/plots/%s.svg", *f);
      at(rel, p, sizeof p);
      assert_true(exists(p));
    }
    assert_non_null(strstr(html, "src=\"data:image/png;base64,"));
  }
  free(html);
  /* the scenario in the report is the --out file */
  char q[600];
  at("rep.json", p, sizeof p);
  at("rep/scenario.json", q, sizeof q);
  char *x = read_all(p), *y = read_all(q);
  assert_string_equal(x, y);
  free(x);
  free(y);
  /* no gnuplot on PATH: one warning, the page without images */
  const char *b[] = {"fit", "--job", "x-dj-e.json", "--executions", "x-le-e.json",
                     "--group", "meters=meters.json", "--out", "rep2.json", "--report",
                     "rep2", "--backtest", "5", NULL};
  run_env(b, NULL, "/nonexistent", &r);
  assert_int_equal(r.status, 0);
  assert_string_equal(r.err, "jobsim: warning: gnuplot was not found on PATH: the fit "
                             "report's plots were skipped (scripts and data are in plots/)\n");
  run_release(&r);
  at("rep2/index.html", p, sizeof p);
  html = read_all(p);
  assert_non_null(html);
  assert_null(strstr(html, "data:image/png"));
  assert_non_null(strstr(html, "gnuplot was not found on PATH"));
  free(html);
  at("rep2/plots/backtest.png", p, sizeof p);
  assert_false(exists(p));
  /* a second run replaces the report as a whole */
  run_env(a, NULL, NULL, &r);
  assert_int_equal(r.status, 0);
  run_release(&r);
}

int main(void) {
  snprintf(g_dir, sizeof g_dir, "%s/fit-cli-%ld", JOBSIM_BINARY_DIR, (long)getpid());
  if (mkdir(g_dir, 0777) != 0) {
    perror(g_dir);
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_styles_and_pages), cmocka_unit_test(test_bad_input),
      cmocka_unit_test(test_from_store),       cmocka_unit_test(test_small_group),
      cmocka_unit_test(test_report),           cmocka_unit_test(test_backtest),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  if (rc == 0 && !getenv("JOBSIM_KEEP")) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", g_dir);
  }
  return rc;
}
