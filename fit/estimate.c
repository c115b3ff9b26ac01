/*
 * estimate.c — the likelihoods of estimate.h and their maximisation with
 * GSL's simplex. Every objective returns the negative log-likelihood, or a
 * huge finite value outside the parameter box (nmsimplex2 only compares
 * values, so a plateau there pushes it back inside).
 */
#include "estimate.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sort.h>

#include "sim.h"
#include "stats.h"

#define BIG 1e300
#define Z95 1.959963984540054
#define LOGIT_MAX 30.0

/* ------------------------------------------------------------- grid --- */

void fit_grid_init(fit_grid *g) {
  size_t n = 0;
  g->edge[n++] = 0.0;
  for (int k = 0; k < 100; k++) g->edge[n++] = k + 0.5;   /* 0.5 .. 99.5 */
  while (n < FIT_GRID_MAX && g->edge[n - 1] < 4e12) {
    double e = floor(g->edge[n - 1] * 1.04) + 0.5;
    g->edge[n++] = e;
  }
  g->n_bins = n - 1;
}

size_t fit_grid_bin(const fit_grid *g, double x) {
  if (x < 99.5) return x < 0.5 ? 0 : (size_t)(x + 0.5);
  size_t lo = 100, hi = g->n_bins;   /* edge[lo] <= x; answer in [lo, hi) */
  if (x >= g->edge[hi]) return hi - 1;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (g->edge[mid] <= x) lo = mid; else hi = mid;
  }
  return lo;
}

static double bin_mid(const fit_grid *g, size_t b) {
  if (b < 100) return (double)b;
  return sqrt(g->edge[b] * g->edge[b + 1]);
}

/* ----------------------------------------------------------- sample --- */

int fit_sample_init(fit_sample *s, const fit_grid *g) {
  memset(s, 0, sizeof *s);
  s->grid = g;
  s->count = calloc(g->n_bins, sizeof *s->count);
  s->lo = g->n_bins;
  s->hi = 0;
  return s->count ? SIM_OK : SIM_ERR_NOMEM;
}

void fit_sample_release(fit_sample *s) {
  if (!s) return;
  free(s->count);
  free(s->cx);
  free(s->cw);
  memset(s, 0, sizeof *s);
}

void fit_sample_add(fit_sample *s, double x) {
  if (x < 0) x = 0;
  size_t b = fit_grid_bin(s->grid, x);
  s->count[b] += 1;
  s->n_exact += 1;
  if (b < s->lo) s->lo = b;
  if (b > s->hi || s->n_exact == 1) s->hi = b;
}

int fit_sample_censor(fit_sample *s, double c) {
  if (c < 0) c = 0;
  if (s->n_cx == s->cap_cx) {
    size_t nc = s->cap_cx ? s->cap_cx * 2 : 1024;
    double *nx = realloc(s->cx, nc * sizeof *nx);
    if (!nx) return SIM_ERR_NOMEM;
    s->cx = nx;
    s->cap_cx = nc;
  }
  s->cx[s->n_cx++] = c;
  s->n_cens += 1;
  return SIM_OK;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

void fit_sample_finish(fit_sample *s) {
  if (s->sorted) return;
  s->sorted = true;
  if (s->n_cx == 0) return;
  qsort(s->cx, s->n_cx, sizeof *s->cx, cmp_double);
  /* distinct values; beyond 20,000 of them round down to 0.05 % steps
   * (claims a little less than was seen, never more) */
  size_t distinct = 1;
  for (size_t i = 1; i < s->n_cx; i++) distinct += s->cx[i] != s->cx[i - 1];
  bool coarse = distinct > 20000;
  double *w = malloc(s->n_cx * sizeof *w);
  if (!w) {   /* keep them unmerged, weight 1: correct, only slower */
    s->cw = NULL;
    return;
  }
  size_t o = 0;
  for (size_t i = 0; i < s->n_cx; i++) {
    double c = s->cx[i];
    if (coarse && c > 1) c = exp(floor(log(c) / 5e-4) * 5e-4);
    if (o > 0 && s->cx[o - 1] == c) {
      w[o - 1] += 1;
    } else {
      s->cx[o] = c;
      w[o++] = 1;
    }
  }
  s->n_cx = o;
  s->cw = w;
}

static double cens_w(const fit_sample *s, size_t i) { return s->cw ? s->cw[i] : 1.0; }

double fit_sample_quantile(const fit_sample *s, double p) {
  double want = p * s->n_exact, acc = 0;
  for (size_t b = s->lo; b <= s->hi && s->n_exact > 0; b++) {
    acc += s->count[b];
    if (acc >= want && s->count[b] > 0) return bin_mid(s->grid, b);
  }
  return NAN;
}

/* Moments of the exact observations with x in [a, b) (bin midpoints). */
static void moments(const fit_sample *s, double a, double b, double *n, double *m,
                    double *v) {
  double sw = 0, sx = 0, sxx = 0;
  for (size_t i = s->lo; i <= s->hi && s->n_exact > 0; i++) {
    double x = bin_mid(s->grid, i);
    if (s->count[i] == 0 || x < a || x >= b) continue;
    sw += s->count[i];
    sx += s->count[i] * x;
    sxx += s->count[i] * x * x;
  }
  *n = sw;
  *m = sw > 0 ? sx / sw : 0;
  *v = sw > 1 ? (sxx - sx * sx / sw) / (sw - 1) : 0;
}

/* Most frequent bin of the exact observations and its share. */
static size_t modal_bin(const fit_sample *s, double *share) {
  size_t best = s->lo;
  for (size_t b = s->lo; b <= s->hi && s->n_exact > 0; b++)
    if (s->count[b] > s->count[best]) best = b;
  *share = s->n_exact > 0 ? s->count[best] / s->n_exact : 0;
  return best;
}

/* ------------------------------------------------------- optimiser --- */

typedef double (*objective)(const double *x, void *ud);

typedef struct obj_wrap {
  objective f;
  void *ud;
} obj_wrap;

static double gsl_obj(const gsl_vector *v, void *p) {
  const obj_wrap *w = p;
  double x[FIT_MAX_X];
  for (size_t i = 0; i < v->size; i++) x[i] = gsl_vector_get(v, i);
  double r = w->f(x, w->ud);
  return isfinite(r) ? r : BIG;
}

/* Minimise f from x (n parameters) with the simplex, restarted from its
 * result until a restart no longer improves; x gets the minimum. */
static double minimize(objective f, void *ud, double *x, size_t n, double step) {
  obj_wrap w = {f, ud};
  gsl_multimin_function fn = {gsl_obj, n, &w};
  gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(
      gsl_multimin_fminimizer_nmsimplex2, n);
  gsl_vector *xv = gsl_vector_alloc(n), *sv = gsl_vector_alloc(n);
  double best = BIG;
  if (!m || !xv || !sv) goto out;
  best = f(x, ud);
  for (int round = 0; round < 3; round++) {
    for (size_t i = 0; i < n; i++) gsl_vector_set(xv, i, x[i]);
    gsl_vector_set_all(sv, round == 0 ? step : step / 4);
    if (gsl_multimin_fminimizer_set(m, &fn, xv, sv) != GSL_SUCCESS) break;
    for (int it = 0; it < 3000; it++) {
      if (gsl_multimin_fminimizer_iterate(m) != GSL_SUCCESS) break;
      if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(m), 1e-5) == GSL_SUCCESS)
        break;
    }
    double v = gsl_multimin_fminimizer_minimum(m);
    bool better = v < best - 1e-9 * (1 + fabs(best));
    if (v < best) {
      best = v;
      for (size_t i = 0; i < n; i++) x[i] = gsl_vector_get(m->x, i);
    }
    if (!better && round > 0) break;
  }
out:
  gsl_multimin_fminimizer_free(m);
  gsl_vector_free(xv);
  gsl_vector_free(sv);
  return best;
}

/* Covariance of the working parameters: the inverse of the numerical
 * Hessian of f (the negative log-likelihood) at its minimum x. */
static bool covariance(objective f, void *ud, const double *x0, size_t n, double *cov) {
  if (n == 0) return true;
  double x[FIT_MAX_X], h = 1e-3;
  memcpy(x, x0, n * sizeof *x);
  double f0 = f(x, ud);
  gsl_matrix *H = gsl_matrix_alloc(n, n);
  if (!H) return false;
  bool ok = true;
  for (size_t i = 0; i < n && ok; i++) {
    for (size_t j = i; j < n && ok; j++) {
      double v;
      if (i == j) {
        x[i] = x0[i] + h;
        double fp = f(x, ud);
        x[i] = x0[i] - h;
        double fm = f(x, ud);
        x[i] = x0[i];
        v = (fp - 2 * f0 + fm) / (h * h);
      } else {
        double s[4];
        static const int si[4] = {1, 1, -1, -1}, sj[4] = {1, -1, 1, -1};
        for (int k = 0; k < 4; k++) {
          x[i] = x0[i] + si[k] * h;
          x[j] = x0[j] + sj[k] * h;
          s[k] = f(x, ud);
        }
        x[i] = x0[i];
        x[j] = x0[j];
        v = (s[0] - s[1] - s[2] + s[3]) / (4 * h * h);
      }
      if (!isfinite(v) || fabs(v) > 1e250) ok = false;
      gsl_matrix_set(H, i, j, v);
      gsl_matrix_set(H, j, i, v);
    }
  }
  if (ok) {   /* (GSL's error handler is off: main() turns it off) */
    ok = gsl_linalg_cholesky_decomp1(H) == GSL_SUCCESS &&
         gsl_linalg_cholesky_invert(H) == GSL_SUCCESS;
  }
  if (ok)
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < n; j++) {
        cov[i * n + j] = gsl_matrix_get(H, i, j);
        if (i == j && !(cov[i * n + j] > 0)) ok = false;
      }
  gsl_matrix_free(H);
  return ok;
}

static double logistic(double z) { return 1 / (1 + exp(-z)); }
static double logit(double p) {
  if (p <= 0) return -LOGIT_MAX;
  if (p >= 1) return LOGIT_MAX;
  double z = log(p / (1 - p));
  return z < -LOGIT_MAX ? -LOGIT_MAX : z > LOGIT_MAX ? LOGIT_MAX : z;
}

static fit_value wald_exp(double x, double var, bool ok) {
  fit_value r = {exp(x), NAN, NAN};
  if (ok && var > 0) {
    r.lo = exp(x - Z95 * sqrt(var));
    r.hi = exp(x + Z95 * sqrt(var));
  }
  return r;
}

static fit_value wald_logistic(double z, double var, bool ok) {
  fit_value r = {logistic(z), NAN, NAN};
  if (ok && var > 0) {
    r.lo = logistic(z - Z95 * sqrt(var));
    r.hi = logistic(z + Z95 * sqrt(var));
  }
  return r;
}

/* ------------------------------------------------- bin probabilities --- */

/* The non-empty bins of a sample and the edges they need, with scratch
 * space for one component's CDF there. */
typedef struct binset {
  const fit_sample *s;
  size_t *bin;       /* non-empty bins */
  size_t *lower;     /* position in edge[] of each one's lower edge */
  size_t nb;
  size_t *edge;      /* grid edge indices needed, ascending */
  size_t ne;
  double *P[2], *Q[2];  /* CDF and survival at each needed edge, per component */
  double *pb[2];     /* probability of each non-empty bin, per component */
  double *sc[2];     /* survival at each censored value, per component */
} binset;

static void binset_release(binset *b) {
  free(b->bin);
  free(b->lower);
  free(b->edge);
  for (int c = 0; c < 2; c++) {
    free(b->P[c]);
    free(b->Q[c]);
    free(b->pb[c]);
    free(b->sc[c]);
  }
  memset(b, 0, sizeof *b);
}

static int binset_init(binset *b, const fit_sample *s) {
  memset(b, 0, sizeof *b);
  b->s = s;
  size_t nb = 0;
  for (size_t i = s->lo; i <= s->hi && s->n_exact > 0; i++) nb += s->count[i] > 0;
  size_t cap = nb ? nb : 1, ncx = s->n_cx ? s->n_cx : 1;
  b->bin = malloc(cap * sizeof *b->bin);
  b->lower = malloc(cap * sizeof *b->lower);
  b->edge = malloc(2 * cap * sizeof *b->edge);
  bool ok = b->bin && b->lower && b->edge;
  for (int c = 0; c < 2; c++) {
    b->P[c] = malloc(2 * cap * sizeof *b->P[c]);
    b->Q[c] = malloc(2 * cap * sizeof *b->Q[c]);
    b->pb[c] = malloc(cap * sizeof *b->pb[c]);
    b->sc[c] = malloc(ncx * sizeof *b->sc[c]);
    ok = ok && b->P[c] && b->Q[c] && b->pb[c] && b->sc[c];
  }
  if (!ok) {
    binset_release(b);
    return SIM_ERR_NOMEM;
  }
  for (size_t i = s->lo; i <= s->hi && s->n_exact > 0; i++) {
    if (s->count[i] == 0) continue;
    if (b->ne == 0 || b->edge[b->ne - 1] != i) b->edge[b->ne++] = i;
    b->lower[b->nb] = b->ne - 1;
    b->edge[b->ne++] = i + 1;
    b->bin[b->nb++] = i;
  }
  return SIM_OK;
}

/* Fill pb[c] and sc[c] for family f with natural parameters nat. */
static void binset_eval(binset *b, int c, fit_family f, const double *nat) {
  const fit_grid *g = b->s->grid;
  if (f == FIT_CONSTANT) {
    double v = nat[0];
    for (size_t i = 0; i < b->nb; i++) {
      size_t k = b->bin[i];
      b->pb[c][i] = g->edge[k] <= v && v < g->edge[k + 1] ? 1.0 : 0.0;
    }
    for (size_t i = 0; i < b->s->n_cx; i++) b->sc[c][i] = v > b->s->cx[i] ? 1.0 : 0.0;
    return;
  }
  for (size_t e = 0; e < b->ne; e++) {
    double x = g->edge[b->edge[e]];
    double P = fit_family_cdf(f, nat, x);
    b->P[c][e] = P;
    b->Q[c][e] = P >= 0.5 ? fit_family_sf(f, nat, x) : 1 - P;
  }
  for (size_t i = 0; i < b->nb; i++) {
    size_t e = b->lower[i];
    double p = b->P[c][e] < 0.5 ? b->P[c][e + 1] - b->P[c][e] : b->Q[c][e] - b->Q[c][e + 1];
    b->pb[c][i] = p > 0 ? p : 0;
  }
  for (size_t i = 0; i < b->s->n_cx; i++) b->sc[c][i] = fit_family_sf(f, nat, b->s->cx[i]);
}

static double safe_log(double p) { return log(p > 1e-300 ? p : 1e-300); }

/* -------------------------------------------------------- start delay --- */

typedef struct delay_ctx {
  binset bs;
  fit_family f1, f2;      /* f2 == FIT_FAMILY_COUNT: one component */
  double const_v;         /* value of a constant component */
  int k1, k2;             /* working parameters of each component */
} delay_ctx;

static bool comp_nat(fit_family f, const double *x, double const_v, double *nat) {
  if (f == FIT_CONSTANT) {
    nat[0] = const_v;
    return true;
  }
  if (!fit_family_in_bounds(f, x)) return false;
  fit_family_natural(f, x, nat);
  return true;
}

static double delay_nll(const double *x, void *ud) {
  delay_ctx *c = ud;
  double n1[2], n2[2];
  if (!comp_nat(c->f1, x, c->const_v, n1)) return BIG;
  bool mix = c->f2 != FIT_FAMILY_COUNT;
  double p = 1;
  if (mix) {
    if (!comp_nat(c->f2, x + c->k1, 0, n2)) return BIG;
    double z = x[c->k1 + c->k2];
    if (fabs(z) > LOGIT_MAX) return BIG;
    p = logistic(z);
  }
  binset *b = &c->bs;
  binset_eval(b, 0, c->f1, n1);
  if (mix) binset_eval(b, 1, c->f2, n2);
  double ll = 0;
  const fit_sample *s = b->s;
  for (size_t i = 0; i < b->nb; i++) {
    double q = b->pb[0][i];
    if (mix) q = p * q + (1 - p) * b->pb[1][i];
    ll += s->count[b->bin[i]] * safe_log(q);
  }
  for (size_t i = 0; i < s->n_cx; i++) {
    double q = b->sc[0][i];
    if (mix) q = p * q + (1 - p) * b->sc[1][i];
    ll += cens_w(s, i) * safe_log(q);
  }
  return -ll;
}

/* Starting values of a component from moments (any family). */
static void start_from_moments(fit_family f, double m, double v, double *x) {
  double nat[2];
  if (!(m > 0)) m = 1;
  if (!(v > 0)) v = m * m * 0.25;
  if (!fit_family_from_moments(f, m, v, nat)) {
    fit_family_from_moments(FIT_LOGNORMAL, m, v, nat);
    if (f == FIT_GAMMA || f == FIT_WEIBULL) {
      /* shape near 1, scale near the mean */
      nat[f == FIT_GAMMA ? 0 : 1] = 1;
      nat[f == FIT_GAMMA ? 1 : 0] = m;
    } else {
      nat[0] = m;
    }
  }
  double lo = 1e-3 * 1.0001, hi_t = 1e13 / 1.0001, hi_s = 1e3 / 1.0001;
  for (int i = 0; i < fit_family_nparams(f); i++) {
    bool dur;
    fit_family_param(f, i, &dur);
    double hi = dur ? hi_t : hi_s;
    if (nat[i] < lo) nat[i] = lo;
    if (nat[i] > hi) nat[i] = hi;
  }
  fit_family_working(f, nat, x);
}

/* Fill a model's natural parameters and intervals from its working ones. */
static void fill_params(fit_model *m, fit_family f, const double *x, int off, double const_v,
                        fit_value *out) {
  if (f == FIT_CONSTANT) {
    out[0] = (fit_value){const_v, const_v, const_v};
    return;
  }
  for (int i = 0; i < fit_family_nparams(f); i++) {
    double var = m->has_ci ? m->cov[(off + i) * m->nx + off + i] : NAN;
    out[i] = wald_exp(x[off + i], var, m->has_ci);
  }
}

static void delay_fit(delay_ctx *c, fit_model *m, const double *x0) {
  int n = c->k1 + c->k2 + (c->f2 != FIT_FAMILY_COUNT);
  double x[FIT_MAX_X];
  memcpy(x, x0, (size_t)n * sizeof *x);
  double nll = n > 0 ? minimize(delay_nll, c, x, (size_t)n, 0.3) : delay_nll(x, c);
  memset(m, 0, sizeof *m);
  m->fam = c->f1;
  m->fam2 = c->f2;
  m->nx = n;
  m->k = n + (c->f1 == FIT_CONSTANT);   /* the constant's value counts */
  if (!(nll < BIG / 2)) return;
  m->fitted = true;
  m->loglik = -nll;
  m->aic = 2 * m->k + 2 * nll;
  memcpy(m->x, x, (size_t)n * sizeof *x);
  m->has_ci = covariance(delay_nll, c, x, (size_t)n, m->cov);
  fill_params(m, c->f1, x, 0, c->const_v, m->p1);
  if (c->f2 != FIT_FAMILY_COUNT) {
    fill_params(m, c->f2, x, c->k1, 0, m->p2);
    int z = c->k1 + c->k2;
    m->mix = wald_logistic(x[z], m->has_ci ? m->cov[z * n + z] : NAN, m->has_ci);
  } else {
    m->mix = (fit_value){1, 1, 1};
  }
}

static void nat_of(fit_family f, const fit_value *p, double *nat) {
  for (int i = 0; i < fit_family_nparams(f); i++) nat[i] = p[i].v;
}

double fit_delay_cdf(const fit_model *m, double x) {
  double n1[2], n2[2];
  nat_of(m->fam, m->p1, n1);
  double F = fit_family_cdf(m->fam, n1, x);
  if (m->fam2 == FIT_FAMILY_COUNT) return F;
  nat_of(m->fam2, m->p2, n2);
  return m->mix.v * F + (1 - m->mix.v) * fit_family_cdf(m->fam2, n2, x);
}

double fit_model_quantile(const fit_model *m, double p) {
  double n1[2];
  nat_of(m->fam, m->p1, n1);
  return fit_family_quantile(m->fam, n1, p);
}

size_t fit_km(const fit_sample *s, double *t, double *F, size_t cap) {
  /* censored values per bin (they leave after the bin's events) */
  size_t n = 0, ci = 0;
  double at_risk = s->n_exact + s->n_cens, surv = 1;
  const fit_grid *g = s->grid;
  size_t hi = s->hi;
  if (s->n_cx) {
    size_t cb = fit_grid_bin(g, s->cx[s->n_cx - 1]);
    if (s->n_exact == 0 || cb > hi) hi = cb;
  }
  size_t lo = s->n_exact > 0 ? s->lo : (s->n_cx ? fit_grid_bin(g, s->cx[0]) : 0);
  /* censored before the first bin leave at once */
  while (ci < s->n_cx && fit_grid_bin(g, s->cx[ci]) < lo) at_risk -= cens_w(s, ci++);
  for (size_t b = lo; b <= hi && n < cap; b++) {
    double dth = s->count[b];
    if (dth > 0 && at_risk > 0) surv *= 1 - dth / at_risk;
    at_risk -= dth;
    while (ci < s->n_cx && fit_grid_bin(g, s->cx[ci]) <= b) at_risk -= cens_w(s, ci++);
    t[n] = g->edge[b + 1];
    F[n++] = 1 - surv;
  }
  return n;
}

static double ks_of(const fit_sample *s, const fit_model *m,
                    double (*cdf)(const fit_model *, double)) {
  size_t cap = s->grid->n_bins;
  double *t = malloc(cap * sizeof *t), *F = malloc(cap * sizeof *F);
  double ks = NAN;
  if (t && F) {
    size_t n = fit_km(s, t, F, cap);
    ks = 0;
    for (size_t i = 0; i < n; i++) {
      double d = fabs(F[i] - cdf(m, t[i]));
      if (d > ks) ks = d;
    }
  }
  free(t);
  free(F);
  return ks;
}

/* Data-driven split of the exact observations for a mixture start:
 * observations above `mult` times the median are taken as offline. */
static void mixture_start(const fit_sample *s, fit_family f1, fit_family f2, double mult,
                          double const_v, double *x, int k1) {
  double med = fit_sample_quantile(s, 0.5);
  if (!(med > 1)) med = 1;
  double T = mult * med, n_lo, m_lo, v_lo, n_hi, m_hi, v_hi;
  moments(s, 0, T, &n_lo, &m_lo, &v_lo);
  moments(s, T, DBL_MAX, &n_hi, &m_hi, &v_hi);
  double tot = s->n_exact + s->n_cens;
  double q = (n_hi + s->n_cens * 0.5) / (tot > 0 ? tot : 1);
  if (n_hi < 2) {
    m_hi = 50 * med;
    v_hi = m_hi * m_hi;
  }
  if (q < 0.001) q = 0.001;
  if (q > 0.5) q = 0.5;
  if (f1 != FIT_CONSTANT) start_from_moments(f1, m_lo, v_lo, x);
  (void)const_v;
  start_from_moments(f2, m_hi, v_hi, x + k1);
  x[k1 + fit_family_nparams(f2)] = logit(1 - q);
}

/* The chosen model among fitted candidates: the fewest parameters among
 * those within 2 of the lowest AIC (a nested family, exponential inside
 * gamma and weibull, wins unless the extra shape parameter buys more than
 * 2 points of AIC), ties by AIC. NULL when none was fitted. */
static const fit_model *parsimonious(const fit_model *const *c, size_t n) {
  const fit_model *lo = NULL, *pick = NULL;
  for (size_t i = 0; i < n; i++)
    if (c[i] && c[i]->fitted && (!lo || c[i]->aic < lo->aic)) lo = c[i];
  for (size_t i = 0; i < n && lo; i++) {
    const fit_model *m = c[i];
    if (!m || !m->fitted || m->aic > lo->aic + 2) continue;
    if (!pick || m->k < pick->k || (m->k == pick->k && m->aic < pick->aic)) pick = m;
  }
  return pick;
}

int fit_delay_estimate(const fit_sample *s, fit_delay *out) {
  memset(out, 0, sizeof *out);
  if (s->n_exact < 1) return SIM_OK;   /* nothing acted: nothing to fit */
  delay_ctx c = {0};
  int rc = binset_init(&c.bs, s);
  if (rc) return rc;
  double share;
  size_t mb = modal_bin(s, &share);
  bool constant_ok = share >= 0.5;
  c.const_v = mb < 100 ? (double)mb : floor(bin_mid(s->grid, mb) + 0.5);
  double n_all, m_all, v_all;
  moments(s, 0, DBL_MAX, &n_all, &m_all, &v_all);
  const fit_model *best = NULL;
  for (int f = 0; f < FIT_FAMILY_COUNT; f++) {
    fit_family ff = (fit_family)f;
    if (ff == FIT_CONSTANT && !constant_ok) continue;
    c.f1 = ff;
    c.f2 = FIT_FAMILY_COUNT;
    c.k1 = ff == FIT_CONSTANT ? 0 : fit_family_nparams(ff);
    c.k2 = 0;
    double x[FIT_MAX_X] = {0};
    if (ff != FIT_CONSTANT) start_from_moments(ff, m_all, v_all, x);
    delay_fit(&c, &out->single[f], x);
    if (out->single[f].fitted && (!best || out->single[f].aic < best->aic))
      best = &out->single[f];
  }
  /* mixtures in two stages (the online family barely depends on the
   * offline one): every online family with an exponential offline
   * component, then the best online family with each other offline one */
  const fit_model *best_mix = NULL;
  for (int stage = 0; stage < 2; stage++) {
    for (int f = 0; f < FIT_FAMILY_COUNT; f++) {
      fit_family f1 = (fit_family)f;
      if (f1 == FIT_CONSTANT && !constant_ok) continue;
      if (stage == 1 && (!best_mix || best_mix->fam != f1)) continue;
      for (int g = stage == 0 ? 0 : 1; g < (stage == 0 ? 1 : FIT_CONSTANT); g++) {
        c.f1 = f1;
        c.f2 = (fit_family)g;
        c.k1 = f1 == FIT_CONSTANT ? 0 : fit_family_nparams(f1);
        c.k2 = fit_family_nparams(c.f2);
        fit_model *m = &out->mixed[f][g];
        static const double mults[] = {10, 4};
        for (size_t t = 0; t < (stage == 0 ? 2u : 1u); t++) {
          double x[FIT_MAX_X] = {0};
          mixture_start(s, f1, c.f2, mults[t], c.const_v, x, c.k1);
          if (stage == 1) {   /* from the stage-0 solution, offline by moments */
            const fit_model *e = &out->mixed[f][0];
            double n2[2];
            nat_of(FIT_EXPONENTIAL, e->p2, n2);
            memcpy(x, e->x, (size_t)c.k1 * sizeof *x);
            start_from_moments(c.f2, n2[0], n2[0] * n2[0], x + c.k1);
            x[c.k1 + c.k2] = e->x[e->nx - 1];
          }
          fit_model trial;
          delay_fit(&c, &trial, x);
          if (trial.fitted && (!m->fitted || trial.aic < m->aic)) *m = trial;
        }
        /* the offline component must be the slower one */
        if (m->fitted) {
          double n1[2], n2[2];
          nat_of(m->fam, m->p1, n1);
          nat_of(m->fam2, m->p2, n2);
          if (fit_family_mean(m->fam2, n2) <= fit_family_mean(m->fam, n1)) m->fitted = false;
        }
        if (m->fitted && (!best_mix || m->aic < best_mix->aic)) best_mix = m;
      }
    }
  }
  {
    const fit_model *cand[FIT_FAMILY_COUNT * FIT_CONSTANT + FIT_FAMILY_COUNT];
    size_t nc = 0;
    for (int f = 0; f < FIT_FAMILY_COUNT; f++) cand[nc++] = &out->single[f];
    best = parsimonious(cand, nc);
    nc = 0;
    for (int f = 0; f < FIT_FAMILY_COUNT; f++)
      for (int g = 0; g < FIT_CONSTANT; g++) cand[nc++] = &out->mixed[f][g];
    best_mix = parsimonious(cand, nc);
  }
  /* The offline component must earn its parameters at BIC's price
   * (log n each, not AIC's 2): AIC is known to over-select mixture
   * components, and a spurious offline share changes what `connected`
   * means (docs/fit.md). Among singles and among mixtures, AIC chooses. */
  if (best_mix && best) {
    double n = s->n_exact + s->n_cens;
    double extra = (double)(best_mix->k - best->k) * (log(n > 3 ? n : 3) - 2);
    if (best_mix->aic + extra < best->aic) best = best_mix;
  } else if (best_mix) {
    best = best_mix;
  }
  out->best = best;
  if (best) out->ks = ks_of(s, best, fit_delay_cdf);
  /* reconnectAfter = offline - online, by moments */
  if (best && best->fam2 != FIT_FAMILY_COUNT) {
    double n1[2], n2[2], nr[2];
    nat_of(best->fam, best->p1, n1);
    nat_of(best->fam2, best->p2, n2);
    double m = fit_family_mean(best->fam2, n2) - fit_family_mean(best->fam, n1);
    double v = fit_family_var(best->fam2, n2) - fit_family_var(best->fam, n1);
    if (best->fam2 == FIT_EXPONENTIAL) v = m * m;
    out->reconnect_shifted = m > 0 && v > 0 && fit_family_from_moments(best->fam2, m, v, nr);
    for (int i = 0; i < fit_family_nparams(best->fam2); i++) {
      fit_value p = best->p2[i];
      if (out->reconnect_shifted) {
        double r = nr[i] / p.v;   /* same relative interval */
        p.v = nr[i];
        p.lo *= r;
        p.hi *= r;
      }
      out->reconnect[i] = p;
    }
  }
  binset_release(&c.bs);
  return SIM_OK;
}

/* ----------------------------------------------------------- run time --- */

typedef struct run_ctx {
  binset bs;
  const fit_run_input *in;
  fit_family f;
  double const_v;
  int kf;                 /* family working parameters */
  bool w_free, rho_free;
} run_ctx;

/* w and rho of a working vector. */
static void run_mix(const run_ctx *c, const double *x, double *w, double *rho) {
  int i = c->kf;
  *w = c->w_free ? logistic(x[i++]) : 1.0;
  *rho = c->rho_free ? logistic(x[i]) : 0.0;
}

/* Probability that k earlier attempts all ended in retried failure types
 * (FAILED with probability PF, TIMED_OUT with PT), within the budgets. */
static double unseen_prob(const fit_run_input *in, int k, double PF, double PT) {
  if (in->retry_all >= 0) return pow(PF + PT, k);
  int nf = in->retry_failed, nt = in->retry_timed_out;
  if (nf < 0) return pow(PT, k);
  if (nt < 0) return pow(PF, k);
  int jlo = k - nt > 0 ? k - nt : 0, jhi = k < nf ? k : nf;
  if (jlo > jhi) jlo = 0, jhi = k;   /* inconsistent with the budgets: any mix */
  double p = 0;
  for (int j = jlo; j <= jhi; j++)
    p += exp(gsl_sf_lnchoose((unsigned)k, (unsigned)j)) * pow(PF, j) * pow(PT, k - j);
  return p;
}

static double run_nll(const double *x, void *ud) {
  run_ctx *c = ud;
  const fit_run_input *in = c->in;
  double nat[2];
  if (!comp_nat(c->f, x, c->const_v, nat)) return BIG;
  for (int i = c->kf; i < c->kf + c->w_free + c->rho_free; i++)
    if (fabs(x[i]) > LOGIT_MAX) return BIG;
  double w, rho;
  run_mix(c, x, &w, &rho);
  binset *b = &c->bs;
  binset_eval(b, 0, c->f, nat);
  const fit_sample *s = b->s;
  double ll = 0;
  if (in->n_succeeded > 0) ll += in->n_succeeded * safe_log(w * (1 - rho));
  if (in->n_failed > 0) ll += in->n_failed * safe_log(w * rho);
  for (size_t i = 0; i < b->nb; i++) ll += s->count[b->bin[i]] * safe_log(b->pb[0][i]);
  for (size_t i = 0; i < s->n_cx; i++)
    ll += cens_w(s, i) * safe_log((1 - w) + w * b->sc[0][i]);
  double Ft = 1, St = 0;
  if (in->has_timeout) {
    Ft = fit_family_cdf(c->f, nat, in->timeout_ms);
    St = fit_family_sf(c->f, nat, in->timeout_ms);
  }
  double PF = w * rho * Ft, PT = in->has_timeout ? (1 - w) + w * St : 0;
  for (int k = 1; k <= 10; k++)
    if (in->unseen[k] > 0) ll += in->unseen[k] * safe_log(unseen_prob(in, k, PF, PT));
  return -ll;
}

double fit_run_cdf(const fit_model *m, double x) {
  double n1[2];
  nat_of(m->fam, m->p1, n1);
  return m->mix.v * fit_family_cdf(m->fam, n1, x);
}

static bool any_unseen(const fit_run_input *in) {
  for (int k = 1; k <= 10; k++)
    if (in->unseen[k] > 0) return true;
  return false;
}

/* Outcome probabilities of (logit a, working run parameters). */
static void outcomes_of(const run_ctx *c, double la, const double *x, double *p) {
  double a = la <= -LOGIT_MAX ? 0 : logistic(la), w, rho;
  run_mix(c, x, &w, &rho);
  p[0] = (1 - a) * w * (1 - rho);
  p[1] = (1 - a) * w * rho;
  p[2] = a;
  p[3] = (1 - a) * (1 - w);
}

int fit_run_estimate(const fit_run_input *in, fit_run *out) {
  memset(out, 0, sizeof *out);
  const fit_sample *s = &in->times;
  double unseen_n = 0;
  for (int k = 1; k <= 10; k++) unseen_n += k * in->unseen[k];
  double nonrej = s->n_exact - in->n_rejected_started + s->n_cens + unseen_n;
  double rej = in->n_rejected + in->n_rejected_started;
  out->attempts = nonrej + rej;
  double a = out->attempts > 0 ? rej / out->attempts : 0;
  run_ctx c = {0};
  c.in = in;
  int rc = binset_init(&c.bs, s);
  if (rc) return rc;
  bool timeout_retry = in->has_timeout && (in->retry_timed_out >= 0 || in->retry_all >= 0);
  bool failed_retry = in->retry_failed >= 0 || in->retry_all >= 0;
  c.w_free = s->n_cens > 0 || (timeout_retry && any_unseen(in));
  c.rho_free = in->n_failed > 0 || (failed_retry && any_unseen(in));
  double share;
  size_t mb = modal_bin(s, &share);
  c.const_v = mb < 100 ? (double)mb : floor(bin_mid(s->grid, mb) + 0.5);
  double n_all, m_all, v_all;
  moments(s, 0, DBL_MAX, &n_all, &m_all, &v_all);
  const fit_model *best = NULL;
  if (s->n_exact >= 1) {
    for (int f = 0; f < FIT_FAMILY_COUNT; f++) {
      fit_family ff = (fit_family)f;
      if (ff == FIT_CONSTANT && share < 0.5) continue;
      c.f = ff;
      c.kf = ff == FIT_CONSTANT ? 0 : fit_family_nparams(ff);
      int n = c.kf + c.w_free + c.rho_free;
      double x[FIT_MAX_X] = {0};
      if (ff != FIT_CONSTANT) start_from_moments(ff, m_all, v_all, x);
      int i = c.kf;
      double reported = s->n_exact + 0.5;
      if (c.w_free) x[i++] = logit(reported / (reported + s->n_cens + 0.5));
      if (c.rho_free)
        x[i] = logit((in->n_failed + 0.5) / (in->n_succeeded + in->n_failed + 1));
      double nll = n > 0 ? minimize(run_nll, &c, x, (size_t)n, 0.3) : run_nll(x, &c);
      fit_model *m = &out->fam[f];
      m->fam = ff;
      m->fam2 = FIT_FAMILY_COUNT;
      m->nx = n;
      m->k = n + (ff == FIT_CONSTANT);
      if (!(nll < BIG / 2)) continue;
      m->fitted = true;
      m->loglik = -nll;
      m->aic = 2 * m->k + 2 * nll;
      memcpy(m->x, x, (size_t)n * sizeof *x);
      m->has_ci = covariance(run_nll, &c, x, (size_t)n, m->cov);
      fill_params(m, ff, x, 0, c.const_v, m->p1);
      i = c.kf;
      m->mix = c.w_free ? wald_logistic(x[i], m->has_ci ? m->cov[i * n + i] : NAN,
                                        m->has_ci)
                        : (fit_value){1, 1, 1};
      if (c.w_free) i++;
      m->rho = c.rho_free ? wald_logistic(x[i], m->has_ci ? m->cov[i * n + i] : NAN,
                                          m->has_ci)
                          : (fit_value){0, 0, 0};
      if (!best || m->aic < best->aic) best = m;
    }
  }
  {
    const fit_model *cand[FIT_FAMILY_COUNT];
    for (int f = 0; f < FIT_FAMILY_COUNT; f++) cand[f] = &out->fam[f];
    best = parsimonious(cand, FIT_FAMILY_COUNT);
  }
  out->best = best;
  /* outcome probabilities and their intervals (delta method on the logit
   * scale, a's binomial variance independent of the rest) */
  double xb[FIT_MAX_X] = {0};
  int nb = 0;
  if (best) {
    c.f = best->fam;
    c.kf = best->fam == FIT_CONSTANT ? 0 : fit_family_nparams(best->fam);
    nb = best->nx;
    memcpy(xb, best->x, (size_t)nb * sizeof *xb);
    out->ks = ks_of(s, best, fit_run_cdf);
  } else {
    /* nothing reported: every non-rejected attempt is taken as silent */
    c.kf = 0;
    c.w_free = false;
    c.rho_free = false;
  }
  double la = a > 0 ? logit(a) : -LOGIT_MAX;
  double p[4];
  outcomes_of(&c, la, xb, p);
  if (!best && nonrej > 0) {
    p[0] = p[1] = 0;
    p[3] = 1 - a;
  }
  double var_la = a > 0 && a < 1 ? 1 / (out->attempts * a * (1 - a)) : 0;
  for (int o = 0; o < 4; o++) {
    fit_value v = {p[o], NAN, NAN};
    double lo, hi;
    if (p[o] <= 1e-12 || p[o] >= 1 - 1e-12) {
      /* at a boundary: the Wilson interval of what was seen */
      int64_t nn = (int64_t)llround(out->attempts);
      plan_wilson(p[o] <= 1e-12 ? 0 : nn, nn, Z95, &lo, &hi);
      v.lo = lo;
      v.hi = hi;
    } else if (best && best->has_ci) {
      /* gradient of logit(p_o) in (la, x) by central differences */
      double g[FIT_MAX_X + 1] = {0}, h = 1e-5;
      for (int j = 0; j <= nb; j++) {
        double xp[FIT_MAX_X], xm[FIT_MAX_X], pp[4], pm[4];
        memcpy(xp, xb, sizeof xp);
        memcpy(xm, xb, sizeof xm);
        double lap = la, lam = la;
        if (j == 0) lap += h, lam -= h;
        else xp[j - 1] += h, xm[j - 1] -= h;
        outcomes_of(&c, lap, xp, pp);
        outcomes_of(&c, lam, xm, pm);
        g[j] = (logit(pp[o]) - logit(pm[o])) / (2 * h);
      }
      double var = g[0] * g[0] * var_la;
      for (int i = 0; i < nb; i++)
        for (int j = 0; j < nb; j++) var += g[i + 1] * g[j + 1] * best->cov[i * nb + j];
      if (var > 0) {
        v.lo = logistic(logit(p[o]) - Z95 * sqrt(var));
        v.hi = logistic(logit(p[o]) + Z95 * sqrt(var));
      }
    } else if (!best) {
      int64_t nn = (int64_t)llround(out->attempts);
      plan_wilson((int64_t)llround(p[o] * (double)nn), nn, Z95, &lo, &hi);
      v.lo = lo;
      v.hi = hi;
    }
    out->outcome[o] = v;
  }
  binset_release(&c.bs);
  return SIM_OK;
}
