/*
 * backtest.c — the fitted scenario's replications against the real job
 * (backtest.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "backtest.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "reps.h"

static const char *const series_names[FIT_BT_SERIES] = {
    "QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED", "TIMED_OUT",
    "REJECTED", "REMOVED", "CANCELED", "terminal"};

const char *fit_backtest_series_name(int i) {
  return i >= 0 && i < FIT_BT_SERIES ? series_names[i] : "?";
}

void fit_backtest_free(fit_backtest *b) {
  if (!b) return;
  free(b->real);
  free(b->lo);
  free(b->med);
  free(b->hi);
  free(b);
}

/* First grid index with t[i] >= x (n when none). */
static size_t grid_at(const sim_time_ms *t, size_t n, sim_time_ms x) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (t[mid] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/* Series accumulator: differences per grid index, then prefix sums. */
typedef struct acc {
  const sim_time_ms *t;
  size_t n;
  double *diff;            /* [(n + 1) * FIT_BT_SERIES] */
  double *term;            /* terminal instants (for the 95 % instant) */
  size_t n_term, cap_term;
  bool failed;
} acc;

static void span(acc *a, int s, sim_time_ms from, sim_time_ms to) {
  size_t i = grid_at(a->t, a->n, from), j = to < 0 ? a->n : grid_at(a->t, a->n, to);
  if (j <= i) return;
  a->diff[i * FIT_BT_SERIES + (size_t)s] += 1;
  a->diff[j * FIT_BT_SERIES + (size_t)s] -= 1;
}

static bool is_terminal(int st) {
  return st != MODEL_EXEC_QUEUED && st != MODEL_EXEC_IN_PROGRESS && st != MODEL_EXEC_NONE;
}

/* One thing's latest record with final status st. */
static void acc_record(acc *a, int st, sim_time_ms q, sim_time_ms s, sim_time_ms u) {
  const int QS = MODEL_EXEC_QUEUED - 1, IP = MODEL_EXEC_IN_PROGRESS - 1;
  if (st == MODEL_EXEC_QUEUED) {
    span(a, QS, q, -1);
    return;
  }
  if (st == MODEL_EXEC_IN_PROGRESS) {
    span(a, QS, q, s);
    span(a, IP, s, -1);
    return;
  }
  if (s >= 0) {
    span(a, QS, q, s);
    span(a, IP, s, u);
  } else {
    span(a, QS, q, u);
  }
  span(a, st - 1, u, -1);
  if (a->n_term == a->cap_term) {
    size_t nc = a->cap_term ? a->cap_term * 2 : 1024;
    double *nt = realloc(a->term, nc * sizeof *nt);
    if (!nt) {
      a->failed = true;
      return;
    }
    a->term = nt;
    a->cap_term = nc;
  }
  a->term[a->n_term++] = (double)u;
}

static int cmp_d(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return a < b ? -1 : a > b;
}

/* Prefix sums into out[n][FIT_BT_SERIES] (terminal filled) and the 95 %
 * terminal instant. */
static double acc_finish(acc *a, double *out, int64_t things) {
  double run[FIT_BT_SERIES] = {0};
  for (size_t i = 0; i < a->n; i++) {
    double term = 0;
    for (int s = 0; s < FIT_BT_TERMINAL; s++) {
      run[s] += a->diff[i * FIT_BT_SERIES + (size_t)s];
      out[i * FIT_BT_SERIES + (size_t)s] = run[s];
      if (is_terminal(s + 1)) term += run[s];
    }
    out[i * FIT_BT_SERIES + FIT_BT_TERMINAL] = term;
  }
  double need = ceil(0.95 * (double)things);
  if (need < 1) need = 1;
  if ((double)a->n_term < need) return NAN;
  qsort(a->term, a->n_term, sizeof *a->term, cmp_d);
  return a->term[(size_t)need - 1];
}

static int acc_init(acc *a, const sim_time_ms *t, size_t n) {
  memset(a, 0, sizeof *a);
  a->t = t;
  a->n = n;
  a->diff = calloc((n + 1) * FIT_BT_SERIES, sizeof *a->diff);
  return a->diff ? SIM_OK : SIM_ERR_NOMEM;
}

static void acc_release(acc *a) {
  free(a->diff);
  free(a->term);
  memset(a, 0, sizeof *a);
}

/* ------------------------------------------------------ replications --- */

typedef struct rep_job {
  const model_scenario *sc;
  const sim_time_ms *t;
  size_t n_t;
  int64_t things;
  size_t reps;
  double *series;          /* [reps][n_t][FIT_BT_SERIES] */
  double *t95;             /* [reps] */
  atomic_size_t next;
  atomic_int rc;
  sim_diag diag;           /* the first failure (lowest replication) */
  size_t diag_rep;
  pthread_mutex_t mu;
} rep_job;

static int latest_cb(void *ud, const model_exec_view *v) {
  acc *a = ud;
  if (v->latest) acc_record(a, (int)v->status, v->queued_at, v->started_at, v->updated_at);
  return a->failed ? SIM_ERR_NOMEM : 0;
}

static int one_rep(rep_job *j, size_t i, sim_diag *d) {
  model_engine *e = NULL;
  int rc = model_engine_new(&e, j->sc, plan_rep_seed(j->sc->sim.seed, i), NULL, d);
  if (rc) return rc;
  acc a;
  if ((rc = acc_init(&a, j->t, j->n_t))) {
    model_engine_free(e);
    return sim_diag_set(d, rc, NULL, "out of memory");
  }
  rc = model_engine_run(e, j->sc->sim.until);
  if (rc) {
    sim_diag_set(d, rc, NULL, "backtest replication %zu failed (%s)", i, sim_strerror(rc));
  } else if ((rc = model_engine_foreach_exec(e, latest_cb, &a))) {
    sim_diag_set(d, rc, NULL, "out of memory");
  } else {
    j->t95[i] = acc_finish(&a, j->series + i * j->n_t * FIT_BT_SERIES, j->things);
  }
  acc_release(&a);
  model_engine_free(e);
  return rc;
}

static void *worker(void *p) {
  rep_job *j = p;
  for (;;) {
    size_t i = atomic_fetch_add(&j->next, 1);
    if (i >= j->reps || atomic_load(&j->rc)) break;
    sim_diag d;
    sim_diag_init(&d, j->sc->file);
    int rc = one_rep(j, i, &d);
    if (rc) {
      pthread_mutex_lock(&j->mu);
      if (!atomic_load(&j->rc) || i < j->diag_rep) {
        j->diag = d;
        j->diag_rep = i;
      }
      atomic_store(&j->rc, rc);
      pthread_mutex_unlock(&j->mu);
    }
  }
  return NULL;
}

/* Linear interpolation between order statistics of sorted v[0..n). */
static double quantile(const double *v, size_t n, double p) {
  if (n == 0) return NAN;
  double x = p * (double)(n - 1);
  size_t k = (size_t)floor(x);
  if (k + 1 >= n) return v[n - 1];
  return v[k] + (x - (double)k) * (v[k + 1] - v[k]);
}

int fit_backtest_run(fit_backtest **out, const fit_history *h, const model_scenario *sc,
                     size_t reps, unsigned threads, sim_diag *d) {
  *out = NULL;
  if (reps < 1) reps = 1;
  fit_backtest *b = calloc(1, sizeof *b);
  rep_job j = {0};
  int rc = SIM_ERR_NOMEM;
  if (!b) return sim_diag_set(d, rc, NULL, "out of memory");
  b->reps = reps;
  b->n_t = FIT_BT_POINTS;
  b->worst_series = -1;
  sim_time_ms horizon = sc->sim.until;
  for (size_t i = 0; i < b->n_t; i++)
    b->t[i] = (sim_time_ms)llround((double)horizon * (double)i / (double)(b->n_t - 1));
  for (size_t g = 0; g < h->n_groups; g++) b->things += h->groups[g].things;
  size_t cells = b->n_t * FIT_BT_SERIES;
  b->real = calloc(cells, sizeof *b->real);
  b->lo = calloc(cells, sizeof *b->lo);
  b->med = calloc(cells, sizeof *b->med);
  b->hi = calloc(cells, sizeof *b->hi);
  j.series = malloc(reps * cells * sizeof *j.series);
  j.t95 = malloc(reps * sizeof *j.t95);
  double *col = malloc(reps * sizeof *col);
  acc a = {0};
  if (!b->real || !b->lo || !b->med || !b->hi || !j.series || !j.t95 || !col ||
      acc_init(&a, b->t, b->n_t)) {
    sim_diag_set(d, rc, NULL, "out of memory");
    goto fail;
  }
  /* the real job: each thing's latest record */
  for (size_t i = 0; i < h->n_rec; i++) {
    const fit_record *r = &h->rec[i];
    if (i + 1 < h->n_rec && h->rec[i + 1].thing == r->thing) continue;
    acc_record(&a, r->status, r->queued, r->started, r->updated);
  }
  if (a.failed) {
    sim_diag_set(d, rc, NULL, "out of memory");
    goto fail;
  }
  b->real_t95 = acc_finish(&a, b->real, b->things);
  /* the replications */
  j.sc = sc;
  j.t = b->t;
  j.n_t = b->n_t;
  j.things = sc->fleet.n_things;
  j.reps = reps;
  atomic_init(&j.next, 0);
  atomic_init(&j.rc, 0);
  pthread_mutex_init(&j.mu, NULL);
  if (threads == 0) threads = plan_default_threads();
  if (threads > reps) threads = (unsigned)reps;
  if (threads < 1) threads = 1;
  pthread_t tid[64];
  if (threads > 64) threads = 64;
  unsigned started = 0;
  for (unsigned k = 1; k < threads; k++) {
    if (pthread_create(&tid[started], NULL, worker, &j) != 0) break;
    started++;
  }
  worker(&j);
  for (unsigned k = 0; k < started; k++) pthread_join(tid[k], NULL);
  pthread_mutex_destroy(&j.mu);
  if ((rc = atomic_load(&j.rc))) {
    *d = j.diag;
    goto fail;
  }
  /* bands */
  for (size_t c = 0; c < cells; c++) {
    for (size_t r = 0; r < reps; r++) col[r] = j.series[r * cells + c];
    qsort(col, reps, sizeof *col, cmp_d);
    b->lo[c] = quantile(col, reps, 0.05);
    b->med[c] = quantile(col, reps, 0.50);
    b->hi[c] = quantile(col, reps, 0.95);
  }
  size_t nr = 0;
  for (size_t r = 0; r < reps; r++)
    if (!isnan(j.t95[r])) col[nr++] = j.t95[r];
  qsort(col, nr, sizeof *col, cmp_d);
  b->reps_t95 = nr;
  b->rep_t95_lo = quantile(col, nr, 0.05);
  b->rep_t95_med = quantile(col, nr, 0.50);
  b->rep_t95_hi = quantile(col, nr, 0.95);
  /* the verdict */
  bool t95_ok;
  b->t95_rel_err = NAN;
  if (!isnan(b->real_t95) && nr * 2 > reps) {
    b->t95_rel_err = fabs(b->rep_t95_med - b->real_t95) / (b->real_t95 > 0 ? b->real_t95 : 1);
    t95_ok = b->t95_rel_err <= FIT_BT_T95_TOL;
  } else {
    t95_ok = isnan(b->real_t95) && nr * 2 <= reps;
  }
  double tol = FIT_BT_BAND_TOL * (double)b->things;
  b->worst_excess = 0;
  for (size_t i = 0; i < b->n_t; i++)
    for (int s = 0; s < FIT_BT_SERIES; s++) {
      size_t c = i * FIT_BT_SERIES + (size_t)s;
      double x = b->real[c], ex = x > b->hi[c] ? x - b->hi[c] : x < b->lo[c] ? b->lo[c] - x : 0;
      if (ex > b->worst_excess) {
        b->worst_excess = ex;
        b->worst_t = b->t[i];
        b->worst_series = s;
      }
    }
  bool band_ok = b->worst_excess <= tol;
  b->reproduces = t95_ok && band_ok;
  char t95[200], worst[300];
  if (!isnan(b->real_t95))
    snprintf(t95, sizeof t95,
             "95 %% of the %" PRId64 " things terminal at %.1f s (replications: median "
             "%.1f s, 5-95 %% %.1f-%.1f s, %.1f %% off)",
             b->things, b->real_t95 / 1000, b->rep_t95_med / 1000, b->rep_t95_lo / 1000,
             b->rep_t95_hi / 1000, 100 * b->t95_rel_err);
  else
    snprintf(t95, sizeof t95,
             "95 %% of the %" PRId64 " things never terminal (in %zu of %zu replications "
             "they were)", b->things, nr, reps);
  if (b->worst_series >= 0)
    snprintf(worst, sizeof worst,
             "worst: %s at %.1f s, %.0f things outside the 5-95 %% band (tolerance %.0f)",
             fit_backtest_series_name(b->worst_series), (double)b->worst_t / 1000,
             b->worst_excess, tol);
  else
    snprintf(worst, sizeof worst, "every series inside the 5-95 %% band");
  snprintf(b->verdict, sizeof b->verdict, "%s: %s; %s",
           b->reproduces ? "reproduces" : "does not reproduce", t95, worst);
  acc_release(&a);
  free(j.series);
  free(j.t95);
  free(col);
  *out = b;
  return SIM_OK;
fail:
  acc_release(&a);
  free(j.series);
  free(j.t95);
  free(col);
  fit_backtest_free(b);
  return rc ? rc : SIM_ERR_NOMEM;
}
