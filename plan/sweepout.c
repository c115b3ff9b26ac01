/*
 * sweepout.c — the sweep's output directory: CSV, SQLite, plots, run.json.
 * Everything is built in the report's temporary directory and renamed into
 * place at the end (outdir.h); the SQLite file is written there with the
 * journal off in one transaction, as reports/store.c does.
 */
#define _POSIX_C_SOURCE 200809L
#include "sweepout.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <string.h>

#include "outdir.h"
#include "plot.h"
#include "reps.h"
#include "scenario.h"
#include "ticks.h"

/* ------------------------------------------------------------ helpers --- */

typedef struct membuf {
  char *p;
  size_t n;
  FILE *f;
} membuf;

static int mb_open(membuf *m, sim_diag *d) {
  m->p = NULL;
  m->n = 0;
  m->f = open_memstream(&m->p, &m->n);
  return m->f ? SIM_OK : sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
}

/* Close and write to rel inside the directory. */
static int mb_write(membuf *m, const report_outdir *o, const char *rel, sim_diag *d) {
  int bad = ferror(m->f);
  if (fclose(m->f) != 0 || bad) {
    free(m->p);
    return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory building %s", rel);
  }
  int rc = report_outdir_write(o, rel, m->p, m->n, d);
  free(m->p);
  return rc;
}

static const char *status_name(int32_t s) {
  return model_job_status_name((model_job_status)s);
}

/* ------------------------------------------------------------- SQLite --- */

static const char schema[] =
    "CREATE TABLE sweep(\n"
    "  scenario TEXT NOT NULL,            -- scenario name\n"
    "  scenario_file TEXT NOT NULL,       -- path it was loaded from\n"
    "  seed INTEGER NOT NULL,             -- master seed of the sweep\n"
    "  replications INTEGER NOT NULL,     -- per point and world\n"
    "  points INTEGER NOT NULL,\n"
    "  worlds INTEGER NOT NULL,\n"
    "  jobsim_version TEXT NOT NULL       -- jobsim and library versions\n"
    ");\n"
    "CREATE TABLE scenario(\n"
    "  json TEXT NOT NULL                 -- the scenario file's bytes\n"
    ");\n"
    "CREATE TABLE vary(\n"
    "  idx INTEGER NOT NULL,              -- order of --vary (0 varies slowest)\n"
    "  path TEXT NOT NULL                 -- JSON path into the scenario\n"
    ");\n"
    "CREATE TABLE point(\n"
    "  point INTEGER NOT NULL,            -- grid point\n"
    "  vary INTEGER NOT NULL,             -- vary.idx\n"
    "  value TEXT NOT NULL,               -- the value as printed in the CSV\n"
    "  json TEXT NOT NULL                 -- the value as written into the scenario\n"
    ");\n"
    "CREATE TABLE world(\n"
    "  idx INTEGER NOT NULL,\n"
    "  name TEXT NOT NULL,                -- 'default' for a scenario without worlds\n"
    "  affects TEXT NOT NULL              -- affected groups, comma-separated\n"
    ");\n"
    "CREATE TABLE result(                 -- the CSV's rows; times in ms\n"
    "  point INTEGER NOT NULL, world TEXT NOT NULL, replications INTEGER NOT NULL,\n"
    "  aborted INTEGER NOT NULL, p_abort REAL NOT NULL, p_abort_lo REAL NOT NULL,\n"
    "  p_abort_hi REAL NOT NULL, completed INTEGER NOT NULL, p_completed REAL NOT NULL,\n"
    "  p_completed_lo REAL NOT NULL, p_completed_hi REAL NOT NULL,\n"
    "  completion_ms_mean REAL, completion_ms_p50 INTEGER, completion_ms_p90 INTEGER,\n"
    "  completion_ms_p99 INTEGER, abort_ms_mean REAL, abort_ms_p50 INTEGER,\n"
    "  abort_ms_p90 INTEGER, abort_ms_p99 INTEGER,\n"
    "  exposure_mean REAL, exposure_p50 INTEGER, exposure_p90 INTEGER,\n"
    "  exposure_p99 INTEGER, notified_mean REAL, ran_mean REAL, failed_mean REAL,\n"
    "  rejected_mean REAL, timed_out_mean REAL, retries_mean REAL,\n"
    "  rollout_done INTEGER NOT NULL,     -- replications whose rollout finished\n"
    "  rollout_ms_mean REAL, rollout_ms_p50 INTEGER, rollout_ms_p90 INTEGER,\n"
    "  rollout_ms_p99 INTEGER,\n"
    "  terminal99 INTEGER NOT NULL,       -- replications where 99 % of the targeted\n"
    "                                     -- things finished\n"
    "  terminal99_ms_mean REAL, terminal99_ms_p50 INTEGER, terminal99_ms_p90 INTEGER,\n"
    "  terminal99_ms_p99 INTEGER\n"
    ");\n"
    "CREATE TABLE replication(            -- every replication's metrics\n"
    "  point INTEGER NOT NULL, world TEXT NOT NULL, replication INTEGER NOT NULL,\n"
    "  seed TEXT NOT NULL,                -- its master seed, 16 hex digits\n"
    "  status TEXT NOT NULL,              -- job status at the end\n"
    "  aborted INTEGER NOT NULL, abort_criterion INTEGER, aborted_at_ms INTEGER,\n"
    "  completed INTEGER NOT NULL, completion_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,\n"
    "  notified INTEGER NOT NULL, ran INTEGER NOT NULL, succeeded INTEGER NOT NULL,\n"
    "  failed INTEGER NOT NULL, rejected INTEGER NOT NULL, timed_out INTEGER NOT NULL,\n"
    "  canceled INTEGER NOT NULL, retries INTEGER NOT NULL, exposure INTEGER NOT NULL,\n"
    "  rollout_ms INTEGER,                -- the last execution created; NULL: never\n"
    "  terminal99_ms INTEGER              -- 99 % of the targeted things finished; NULL: never\n"
    ");\n";

static int db_fail(sqlite3 *db, sim_diag *d, const char *what) {
  return sim_diag_set(d, SIM_ERR_DB, NULL, "sweep.sqlite: %s: %s", what,
                      db ? sqlite3_errmsg(db) : "cannot open");
}

static void bind_summary(sqlite3_stmt *st, int *col, const plan_summary *s, bool mean_only) {
  if (!s->n) {
    for (int i = 0; i < (mean_only ? 1 : 4); i++) sqlite3_bind_null(st, (*col)++);
    return;
  }
  sqlite3_bind_double(st, (*col)++, s->mean);
  if (mean_only) return;
  sqlite3_bind_int64(st, (*col)++, s->p50);
  sqlite3_bind_int64(st, (*col)++, s->p90);
  sqlite3_bind_int64(st, (*col)++, s->p99);
}

static int write_db(const plan_sweep *s, const char *path, const char *version,
                    sim_diag *d) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  int rc = SIM_OK;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
      SQLITE_OK) {
    rc = db_fail(db, d, "cannot create");
    goto out;
  }
  char pragmas[200];
  snprintf(pragmas, sizeof pragmas,
           "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA user_version=%d;",
           PLAN_SWEEP_DB_VERSION);
  if (sqlite3_exec(db, pragmas, NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
    rc = db_fail(db, d, "schema");
    goto out;
  }
#define PREP(sql)                                                        \
  do {                                                                   \
    sqlite3_finalize(st);                                                \
    st = NULL;                                                           \
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {       \
      rc = db_fail(db, d, "prepare");                                    \
      goto out;                                                          \
    }                                                                    \
  } while (0)
#define STEP()                                                           \
  do {                                                                   \
    if (sqlite3_step(st) != SQLITE_DONE) {                               \
      rc = db_fail(db, d, "insert");                                     \
      goto out;                                                          \
    }                                                                    \
    sqlite3_reset(st);                                                   \
    sqlite3_clear_bindings(st);                                          \
  } while (0)
  const model_scenario *b = s->base;
  PREP("INSERT INTO sweep VALUES(?,?,?,?,?,?,?)");
  sqlite3_bind_text(st, 1, b->name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, b->file, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, (sqlite3_int64)s->seed);
  sqlite3_bind_int64(st, 4, (sqlite3_int64)s->reps);
  sqlite3_bind_int64(st, 5, (sqlite3_int64)s->n_points);
  sqlite3_bind_int64(st, 6, (sqlite3_int64)s->n_worlds);
  sqlite3_bind_text(st, 7, version, -1, SQLITE_STATIC);
  STEP();
  PREP("INSERT INTO scenario VALUES(?)");
  sqlite3_bind_text(st, 1, b->json_text, -1, SQLITE_STATIC);
  STEP();
  PREP("INSERT INTO vary VALUES(?,?)");
  for (size_t k = 0; k < s->n_vary; k++) {
    sqlite3_bind_int64(st, 1, (sqlite3_int64)k);
    sqlite3_bind_text(st, 2, s->vary[k].path, -1, SQLITE_STATIC);
    STEP();
  }
  PREP("INSERT INTO point VALUES(?,?,?,?)");
  for (size_t p = 0; p < s->n_points; p++)
    for (size_t k = 0; k < s->n_vary; k++) {
      size_t i = plan_sweep_value(s, p, k);
      sqlite3_bind_int64(st, 1, (sqlite3_int64)p);
      sqlite3_bind_int64(st, 2, (sqlite3_int64)k);
      sqlite3_bind_text(st, 3, s->vary[k].label[i], -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 4, s->vary[k].json[i], -1, SQLITE_STATIC);
      STEP();
    }
  PREP("INSERT INTO world VALUES(?,?,?)");
  for (size_t w = 0; w < s->n_worlds; w++) {
    char aff[4096] = "";
    if (b->n_worlds)
      for (size_t g = 0; g < b->worlds[w].n_affects; g++) {
        size_t l = strlen(aff);
        snprintf(aff + l, sizeof aff - l, "%s%s", g ? "," : "",
                 b->fleet.groups[b->worlds[w].affects[g]].name);
      }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)w);
    sqlite3_bind_text(st, 2, s->worlds[w], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, aff, -1, SQLITE_TRANSIENT);
    STEP();
  }
  PREP("INSERT INTO result VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
       "?,?,?,?,?,?,?,?,?,?)");
  for (size_t p = 0; p < s->n_points; p++)
    for (size_t w = 0; w < s->n_worlds; w++) {
      plan_agg a;
      plan_aggregate(plan_sweep_metrics(s, p, w), s->reps, &a);
      int c = 1;
      sqlite3_bind_int64(st, c++, (sqlite3_int64)p);
      sqlite3_bind_text(st, c++, s->worlds[w], -1, SQLITE_STATIC);
      sqlite3_bind_int64(st, c++, (sqlite3_int64)a.n);
      sqlite3_bind_int64(st, c++, a.aborted);
      sqlite3_bind_double(st, c++, a.p_abort);
      sqlite3_bind_double(st, c++, a.abort_lo);
      sqlite3_bind_double(st, c++, a.abort_hi);
      sqlite3_bind_int64(st, c++, a.completed);
      sqlite3_bind_double(st, c++, a.p_completed);
      sqlite3_bind_double(st, c++, a.completed_lo);
      sqlite3_bind_double(st, c++, a.completed_hi);
      bind_summary(st, &c, &a.completion, false);
      bind_summary(st, &c, &a.abort_time, false);
      bind_summary(st, &c, &a.exposure, false);
      bind_summary(st, &c, &a.notified, true);
      bind_summary(st, &c, &a.ran, true);
      bind_summary(st, &c, &a.failed, true);
      bind_summary(st, &c, &a.rejected, true);
      bind_summary(st, &c, &a.timed_out, true);
      bind_summary(st, &c, &a.retries, true);
      sqlite3_bind_int64(st, c++, a.rollout_done);
      bind_summary(st, &c, &a.rollout, false);
      sqlite3_bind_int64(st, c++, a.terminal_reached);
      bind_summary(st, &c, &a.terminal, false);
      STEP();
    }
  PREP("INSERT INTO replication VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  for (size_t p = 0; p < s->n_points; p++)
    for (size_t w = 0; w < s->n_worlds; w++) {
      const plan_metrics *m = plan_sweep_metrics(s, p, w);
      for (size_t r = 0; r < s->reps; r++) {
        const plan_metrics *x = &m[r];
        char seed[24];
        snprintf(seed, sizeof seed, "%016" PRIx64, plan_rep_seed(s->seed, r));
        int c = 1;
        sqlite3_bind_int64(st, c++, (sqlite3_int64)p);
        sqlite3_bind_text(st, c++, s->worlds[w], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, c++, (sqlite3_int64)r);
        sqlite3_bind_text(st, c++, seed, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, c++, status_name(x->status), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, c++, x->aborted);
        if (x->aborted) {
          sqlite3_bind_int(st, c++, x->abort_criterion);
          sqlite3_bind_int64(st, c++, x->aborted_at);
        } else {
          sqlite3_bind_null(st, c++);
          sqlite3_bind_null(st, c++);
        }
        sqlite3_bind_int(st, c++, x->completed);
        sqlite3_bind_int64(st, c++, x->completion);
        sqlite3_bind_int64(st, c++, x->end);
        const int64_t v[] = {x->notified, x->things_ran, x->succeeded, x->failed,
                             x->rejected, x->timed_out, x->canceled, x->retries,
                             x->exposure};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
          sqlite3_bind_int64(st, c++, v[i]);
        const sim_time_ms at[] = {x->rollout_end, x->terminal_at};
        for (size_t i = 0; i < 2; i++) {
          if (at[i] >= 0) sqlite3_bind_int64(st, c++, at[i]);
          else sqlite3_bind_null(st, c++);
        }
        STEP();
      }
    }
#undef PREP
#undef STEP
  if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    rc = db_fail(db, d, "commit");
out:
  sqlite3_finalize(st);
  if (db && sqlite3_close(db) != SQLITE_OK && !rc) rc = db_fail(db, d, "close");
  return rc;
}

/* -------------------------------------------------------------- plots --- */

plan_out_status plan_render(const char *pdir, const char *const *scripts, char *why,
                            size_t wn) {
  switch (report_plot_render(pdir, scripts, why, wn)) {   /* reports/plot.c */
    case REPORT_PLOT_RENDERED: return PLAN_OUT_RENDERED;
    case REPORT_PLOT_NO_GNUPLOT: return PLAN_OUT_NO_GNUPLOT;
    default: return PLAN_OUT_PLOT_FAILED;
  }
}

/* gnuplot single-quoted string: ' doubled. */
static void gq(FILE *f, const char *s) {
  fputc('\'', f);
  for (; *s; s++) {
    if (*s == '\'') fputc('\'', f);
    fputc(*s, f);
  }
  fputc('\'', f);
}

/* ------------------------------------------------- settings in words --- */

/* `path` against `pat`: '#' matches a run of digits, '*' a key (up to the
 * next '.' or '['); their texts go to cap[0], cap[1]. */
static bool vmatch(const char *pat, const char *path, char cap[2][128]) {
  int k = 0;
  while (*pat) {
    if (*pat == '#' || *pat == '*') {
      size_t l = 0;
      if (*pat == '#')
        while (path[l] >= '0' && path[l] <= '9') l++;
      else
        while (path[l] && path[l] != '.' && path[l] != '[' && path[l] != ']') l++;
      if (l == 0 || l >= 128 || k >= 2) return false;
      memcpy(cap[k], path, l);
      cap[k++][l] = 0;
      path += l;
      pat++;
    } else if (*pat++ != *path++) {
      return false;
    }
  }
  return *path == 0;
}

/* `fmt` with each "%s" replaced by the next capture and "%%" by '%'. */
static void fill(char *buf, size_t n, const char *fmt, char cap[2][128]) {
  size_t l = 0;
  int k = 0;
  if (!n) return;
  for (const char *f = fmt; *f && l + 1 < n; f++) {
    if (f[0] == '%' && f[1] == 's' && k < 2) {
      for (const char *c = cap[k++]; *c && l + 1 < n; c++) buf[l++] = *c;
      f++;
    } else if (f[0] == '%' && f[1] == '%') {
      buf[l++] = '%';
      f++;
    } else {
      buf[l++] = *f;
    }
  }
  buf[l] = 0;
}

void plan_vary_words(const char *path, char *buf, size_t n) {
  static const struct { const char *pat, *fmt0, *fmt; } W[] = {
      {"abortConfig.criteriaList[#].thresholdPercentage", "abort threshold (%)",
       "abort criterion %s: threshold (%%)"},
      {"abortConfig.criteriaList[#].minNumberOfExecutedThings",
       "abort: minimum executed things", "abort criterion %s: minimum executed things"},
      {"abortConfig.criteriaList[#].failureType", "abort failure type",
       "abort criterion %s: failure type"},
      {"abortConfig.criteriaList[#].action", "abort action", "abort criterion %s: action"},
      {"jobExecutionsRolloutConfig.maximumPerMinute", "rollout rate (executions per minute)",
       NULL},
      {"jobExecutionsRolloutConfig.exponentialRate.baseRatePerMinute",
       "exponential rollout: base rate (per minute)", NULL},
      {"jobExecutionsRolloutConfig.exponentialRate.incrementFactor",
       "exponential rollout: increment factor", NULL},
      {"jobExecutionsRolloutConfig.exponentialRate.rateIncreaseCriteria."
       "numberOfNotifiedThings", "exponential rollout: things notified per increase", NULL},
      {"jobExecutionsRolloutConfig.exponentialRate.rateIncreaseCriteria."
       "numberOfSucceededThings", "exponential rollout: things succeeded per increase", NULL},
      {"timeoutConfig.inProgressTimeoutInMinutes", "in-progress timeout (minutes)", NULL},
      {"jobExecutionsRetryConfig.criteriaList[#].numberOfRetries", "retries",
       "retry criterion %s: retries"},
      {"schedulingConfig.maintenanceWindows[#].durationInMinutes",
       "maintenance window length (minutes)", "maintenance window %s: length (minutes)"},
      {"fleet.groups[#].things", NULL, "things in fleet group %s"},
      {"fleet.behaviors.*.connected", NULL, "%s: share connected when notified"},
      {"fleet.behaviors.*.outcomes.*", NULL, "%s: share of %s outcomes"},
      {"fleet.behaviors.*.reconnectAfter.mean", NULL, "%s: mean reconnect delay"},
      {"fleet.behaviors.*.reconnectAfter.median", NULL, "%s: median reconnect delay"},
      {"fleet.behaviors.*.runTime.mean", NULL, "%s: mean run time"},
      {"fleet.behaviors.*.runTime.median", NULL, "%s: median run time"},
      {"fleet.behaviors.*.startDelay.mean", NULL, "%s: mean start delay"},
      {"fleet.behaviors.*.startDelay.median", NULL, "%s: median start delay"},
      {"simulation.seed", "seed", NULL},
      {"simulation.abortGate", "abort gate (what the minimum count counts)", NULL},
  };
  const char *p = path;
  if (strncmp(p, "$.", 2) == 0) p += 2;
  const char *q = p;   /* the job's own settings: under job. or jobs[0]. */
  if (strncmp(q, "job.", 4) == 0) q += 4;
  else if (strncmp(q, "jobs[0].", 8) == 0) q += 8;
  for (size_t i = 0; i < sizeof W / sizeof W[0]; i++) {
    char cap[2][128] = {"", ""};
    bool job = strncmp(W[i].pat, "fleet.", 6) != 0 && strncmp(W[i].pat, "simulation.", 11);
    if (!vmatch(W[i].pat, job ? q : p, cap)) continue;
    if (job && q == p) continue;   /* a job setting outside the job */
    if (W[i].fmt0 && (!W[i].fmt || strcmp(cap[0], "0") == 0))
      snprintf(buf, n, "%s", W[i].fmt0);
    else
      fill(buf, n, W[i].fmt, cap);
    return;
  }
  snprintf(buf, n, "%s", path);
}

static const char term_png[] =
    "set terminal pngcairo noenhanced size 960,540 font 'Sans,10' background rgb 'white'\n";
static const char term_svg[] =
    "set terminal svg noenhanced size 960,540 font 'Sans,10' background rgb 'white'\n";

typedef struct series {
  size_t world, rest;   /* world, combination of the other variations */
} series;

static void series_title(FILE *f, const plan_sweep *s, const series *se) {
  char t[1024];
  snprintf(t, sizeof t, "%s", s->worlds[se->world]);
  for (size_t k = 1; k < s->n_vary; k++) {
    size_t l = strlen(t);
    char w[256];
    plan_vary_words(s->vary[k].path, w, sizeof w);
    snprintf(t + l, sizeof t - l, ", %s = %s", w,
             s->vary[k].label[plan_sweep_value(s, se->rest, k)]);
  }
  gq(f, t);
}

static void script_head(FILE *f, const plan_sweep *s, const char *name, const char *title,
                        const char *ylabel) {
  fprintf(f, "# %s.gp - %s. Data: sweep.dat (one block per line of the plot).\n"
             "# Render: gnuplot %s.gp (in this directory)\n",
          name, title, name);
  fputs(term_png, f);
  fprintf(f, "set output '%s.png'\nset termoption noenhanced\n", name);
  fputs("set grid lc rgb '#dddddd'\nset key below horizontal height 1.5\nset border 3\n"
        "set xtics nomirror\nset ytics nomirror\n", f);
  fprintf(f, "set title ");
  char t[1024];
  snprintf(t, sizeof t, "%s: %s (%zu replications per point, seed %" PRIu64 ")",
           s->base->name, title, s->reps, s->seed);
  gq(f, t);
  fprintf(f, "\nset xlabel ");
  char w[256];
  plan_vary_words(s->vary[0].path, w, sizeof w);
  gq(f, w);
  fprintf(f, "\nset ylabel ");
  gq(f, ylabel);
  fputc('\n', f);
  if (!s->vary[0].numeric) fprintf(f, "set xrange [-0.5:%zu.5]\n", s->vary[0].n - 1);
}

static void script_plot(FILE *f, const plan_sweep *s, const series *se, size_t nse,
                        const char *using_fmt, const char *style) {
  fputs("plot ", f);
  for (size_t i = 0; i < nse; i++) {
    if (i) fputs(", \\\n     ", f);
    fprintf(f, "'sweep.dat' index %zu using %s%s with %s title ", i, using_fmt,
            s->vary[0].numeric ? "" : ":xtic(12)", style);
    series_title(f, s, &se[i]);
  }
  fputc('\n', f);
}

static void script_tail(FILE *f, const char *name) {
  fputs(term_svg, f);
  fprintf(f, "set output '%s.svg'\nreplot\nunset output\n", name);
}

static int write_plots(const plan_sweep *s, const report_outdir *o, plan_out_status *ps,
                       char *why, size_t wn, sim_diag *d) {
  *ps = PLAN_OUT_NO_PLOTS;
  if (!s->n_vary) return SIM_OK;
  int rc;
  if ((rc = report_outdir_mkdir(o, "plots", d))) return rc;
  size_t n0 = s->vary[0].n, rest = s->n_points / n0;
  size_t nse = s->n_worlds * rest;
  series *se = calloc(nse, sizeof *se);
  if (!se) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  membuf m;
  if ((rc = mb_open(&m, d))) goto out;
  fprintf(m.f, "# sweep.dat - one block per plot line (world, other variations).\n"
               "# 1 x, 2 P(abort), 3 its 95%% Wilson low, 4 high, 5 exposure mean,\n"
               "# 6 exposure p50, 7 exposure p90, 8 completion mean (min),\n"
               "# 9 completion p50 (min), 10 completion p90 (min), 11 point,\n"
               "# 12 x label\n");
  size_t k = 0;
  int64_t cmax = 0;   /* the largest completion time plotted (ms) */
  for (size_t w = 0; w < s->n_worlds; w++)
    for (size_t r = 0; r < rest; r++, k++) {
      se[k] = (series){w, r};
      fprintf(m.f, "%s# %s", k ? "\n\n" : "", s->worlds[w]);
      for (size_t j = 1; j < s->n_vary; j++)
        fprintf(m.f, ", %s=%s", s->vary[j].path, s->vary[j].label[plan_sweep_value(s, r, j)]);
      fputc('\n', m.f);
      for (size_t i = 0; i < n0; i++) {
        size_t p = i * rest + r;
        plan_agg a;
        plan_aggregate(plan_sweep_metrics(s, p, w), s->reps, &a);
        if (a.completion.p90 > cmax) cmax = a.completion.p90;
        if ((int64_t)a.completion.mean > cmax) cmax = (int64_t)a.completion.mean;
        if (s->vary[0].numeric) fprintf(m.f, "%.12g", s->vary[0].num[i]);
        else fprintf(m.f, "%zu", i);
        fprintf(m.f, " %.6f %.6f %.6f %.3f %" PRId64 " %" PRId64 " %.4f %.4f %.4f %zu \"%s\"\n",
                a.p_abort, a.abort_lo, a.abort_hi, a.exposure.mean, a.exposure.p50,
                a.exposure.p90, a.completion.mean / 60000.0,
                (double)a.completion.p50 / 60000.0, (double)a.completion.p90 / 60000.0, p,
                s->vary[0].label[i]);
      }
    }
  if ((rc = mb_write(&m, o, "plots/sweep.dat", d))) goto out;

  /* abort.gp */
  if ((rc = mb_open(&m, d))) goto out;
  script_head(m.f, s, "abort", "probability that the abort fires, 95% Wilson interval",
              "P(abort)");
  fputs("set yrange [0:1]\n", m.f);
  script_plot(m.f, s, se, nse, "1:2:3:4", "yerrorlines lw 1.5 pt 7 ps 0.6");
  script_tail(m.f, "abort");
  if ((rc = mb_write(&m, o, "plots/abort.gp", d))) goto out;

  /* exposure.gp: worlds that affect groups (all when none does) */
  bool any = false;
  for (size_t w = 0; w < s->n_worlds; w++) any = any || s->world_affects[w];
  size_t nex = 0;
  series *ex = calloc(nse, sizeof *ex);
  if (!ex) {
    rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    goto out;
  }
  if ((rc = mb_open(&m, d))) {
    free(ex);
    goto out;
  }
  script_head(m.f, s, "exposure",
              "exposure: things of the affected groups that ran the job (mean; p50-p90 bar)",
              "things exposed");
  fputs("set yrange [0:*]\n", m.f);
  fputs("plot ", m.f);
  for (size_t i = 0; i < nse; i++) {
    if (any && !s->world_affects[se[i].world]) continue;
    ex[nex++] = se[i];
    if (nex > 1) fputs(", \\\n     ", m.f);
    fprintf(m.f, "'sweep.dat' index %zu using 1:5:6:7%s with yerrorlines lw 1.5 pt 7 "
                 "ps 0.6 title ", i, s->vary[0].numeric ? "" : ":xtic(12)");
    series_title(m.f, s, &se[i]);
  }
  fputc('\n', m.f);
  free(ex);
  script_tail(m.f, "exposure");
  if ((rc = mb_write(&m, o, "plots/exposure.gp", d))) goto out;

  /* completion.gp */
  if ((rc = mb_open(&m, d))) goto out;
  script_head(m.f, s, "completion",
              "completion time (completedAt, or the end of the run; mean, p50-p90 bar)",
              "time after creation");
  {
    /* minutes in the data; round steps labelled as elapsed time */
    int64_t span = cmax + cmax / 10;
    if (span < 60000) span = 60000;
    int64_t step = report_ticks_step(span);
    fprintf(m.f, "set yrange [0:%.4f]\nset ytics (", (double)span / 60000.0);
    for (int64_t t = 0; t <= span; t += step) {
      char lab[32];
      report_ticks_elapsed_label(t, step, span, lab, sizeof lab);
      fprintf(m.f, "%s'%s' %.4f", t ? ", " : "", lab, (double)t / 60000.0);
    }
    fprintf(m.f, ")\nset ylabel 'time after creation (%s)'\n",
            report_ticks_elapsed_unit(step, span));
  }
  script_plot(m.f, s, se, nse, "1:8:9:10", "yerrorlines lw 1.5 pt 7 ps 0.6");
  script_tail(m.f, "completion");
  if ((rc = mb_write(&m, o, "plots/completion.gp", d))) goto out;

  char pdir[4200];
  report_outdir_path(o, "plots", pdir, sizeof pdir);
  static const char *const scripts[] = {"abort.gp", "exposure.gp", "completion.gp", NULL};
  *ps = plan_render(pdir, scripts, why, wn);
out:
  free(se);
  return rc;
}

/* ------------------------------------------------------------ writing --- */

int plan_sweepout_write(const plan_sweep *s, const char *dir, const char *version,
                        plan_out_status *ps, char *why, size_t wn, sim_diag *d) {
  report_outdir o;
  memset(&o, 0, sizeof o);
  *ps = PLAN_OUT_NO_PLOTS;
  if (wn) why[0] = 0;
  int rc = report_outdir_begin(&o, dir, d);
  if (rc) return rc;
  membuf m;
  if ((rc = mb_open(&m, d))) goto fail;
  plan_sweep_csv(s, m.f);
  if ((rc = mb_write(&m, &o, "sweep.csv", d))) goto fail;
  char path[4200];
  report_outdir_path(&o, "sweep.sqlite", path, sizeof path);
  if ((rc = write_db(s, path, version, d))) goto fail;
  if ((rc = write_plots(s, &o, ps, why, wn, d))) goto fail;
  /* run.json last: it marks a complete jobsim output directory */
  cJSON *r = cJSON_CreateObject();
  if (!r) {
    rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    goto fail;
  }
  cJSON_AddNumberToObject(r, "formatVersion", 1);
  cJSON_AddStringToObject(r, "command", "sweep");
  cJSON_AddStringToObject(r, "scenario", s->base->name);
  cJSON_AddStringToObject(r, "scenarioFile", s->base->file);
  cJSON_AddNumberToObject(r, "seed", (double)s->seed);
  cJSON_AddNumberToObject(r, "replications", (double)s->reps);
  cJSON *va = cJSON_AddArrayToObject(r, "vary");
  for (size_t k = 0; k < s->n_vary; k++) {
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "path", s->vary[k].path);
    cJSON_AddItemToObject(e, "values",
                          cJSON_CreateStringArray((const char *const *)s->vary[k].label,
                                                  (int)s->vary[k].n));
    cJSON_AddItemToArray(va, e);
  }
  cJSON *wa = cJSON_AddArrayToObject(r, "worlds");
  for (size_t w = 0; w < s->n_worlds; w++)
    cJSON_AddItemToArray(wa, cJSON_CreateString(s->worlds[w]));
  cJSON_AddStringToObject(r, "jobsimVersion", version);
  char *txt = cJSON_Print(r);
  cJSON_Delete(r);
  if (!txt) {
    rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    goto fail;
  }
  size_t tl = strlen(txt);
  char *nl = realloc(txt, tl + 2);
  if (nl) {
    txt = nl;
    txt[tl++] = '\n';
    txt[tl] = 0;
  }
  rc = report_outdir_write(&o, REPORT_MARKER, txt, tl, d);
  cJSON_free(txt);
  if (rc) goto fail;
  if ((rc = report_outdir_commit(&o, d))) goto fail;
  return SIM_OK;
fail:
  report_outdir_abort(&o);
  return rc;
}
