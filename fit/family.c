/*
 * family.c — CDFs, quantiles and moments of the fitted families (family.h),
 * all from GSL. GSL's error handler must be off (main() turns it off, as
 * conventions.md asks); arguments are kept inside fit_family_in_bounds()
 * anyway, where the incomplete gamma function converges.
 */
#include "family.h"

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>

static const char *const names[FIT_FAMILY_COUNT] = {"exponential", "lognormal", "gamma",
                                                    "weibull", "constant"};

const char *fit_family_name(fit_family f) { return names[f]; }

int fit_family_nparams(fit_family f) {
  return f == FIT_EXPONENTIAL || f == FIT_CONSTANT ? 1 : 2;
}

const char *fit_family_param(fit_family f, int i, bool *dur) {
  static const char *const p[FIT_FAMILY_COUNT][2] = {
      {"mean", ""}, {"median", "sigma"}, {"shape", "scale"}, {"scale", "shape"},
      {"value", ""}};
  static const bool isd[FIT_FAMILY_COUNT][2] = {
      {true, false}, {true, false}, {false, true}, {true, false}, {true, false}};
  if (dur) *dur = isd[f][i];
  return p[f][i];
}

void fit_family_natural(fit_family f, const double *w, double *nat) {
  for (int i = 0; i < fit_family_nparams(f); i++) nat[i] = exp(w[i]);
}

void fit_family_working(fit_family f, const double *nat, double *w) {
  for (int i = 0; i < fit_family_nparams(f); i++) w[i] = log(nat[i]);
}

bool fit_family_in_bounds(fit_family f, const double *w) {
  for (int i = 0; i < fit_family_nparams(f); i++) {
    bool dur;
    fit_family_param(f, i, &dur);
    double lo = dur ? log(1e-3) : log(1e-3), hi = dur ? log(1e13) : log(1e3);
    if (!(w[i] >= lo && w[i] <= hi)) return false;
  }
  return true;
}

double fit_family_cdf(fit_family f, const double *p, double x) {
  if (x <= 0) return f == FIT_CONSTANT && p[0] <= 0 ? 1.0 : 0.0;
  switch (f) {
    case FIT_EXPONENTIAL: return gsl_cdf_exponential_P(x, p[0]);
    case FIT_LOGNORMAL: return gsl_cdf_lognormal_P(x, log(p[0]), p[1]);
    case FIT_GAMMA: return gsl_cdf_gamma_P(x, p[0], p[1]);
    case FIT_WEIBULL: return gsl_cdf_weibull_P(x, p[0], p[1]);
    case FIT_CONSTANT: return x >= p[0] ? 1.0 : 0.0;
    default: return NAN;
  }
}

double fit_family_sf(fit_family f, const double *p, double x) {
  if (x <= 0) return f == FIT_CONSTANT && p[0] <= 0 ? 0.0 : 1.0;
  switch (f) {
    case FIT_EXPONENTIAL: return gsl_cdf_exponential_Q(x, p[0]);
    case FIT_LOGNORMAL: return gsl_cdf_lognormal_Q(x, log(p[0]), p[1]);
    case FIT_GAMMA: return gsl_cdf_gamma_Q(x, p[0], p[1]);
    case FIT_WEIBULL: return gsl_cdf_weibull_Q(x, p[0], p[1]);
    case FIT_CONSTANT: return x >= p[0] ? 0.0 : 1.0;
    default: return NAN;
  }
}

double fit_family_prob(fit_family f, const double *p, double a, double b) {
  double fa = fit_family_cdf(f, p, a);
  if (fa < 0.5) return fit_family_cdf(f, p, b) - fa;
  return fit_family_sf(f, p, a) - fit_family_sf(f, p, b);
}

double fit_family_quantile(fit_family f, const double *p, double q) {
  switch (f) {
    case FIT_EXPONENTIAL: return gsl_cdf_exponential_Pinv(q, p[0]);
    case FIT_LOGNORMAL: return gsl_cdf_lognormal_Pinv(q, log(p[0]), p[1]);
    case FIT_GAMMA: return gsl_cdf_gamma_Pinv(q, p[0], p[1]);
    case FIT_WEIBULL: return gsl_cdf_weibull_Pinv(q, p[0], p[1]);
    case FIT_CONSTANT: return p[0];
    default: return NAN;
  }
}

double fit_family_mean(fit_family f, const double *p) {
  switch (f) {
    case FIT_EXPONENTIAL: return p[0];
    case FIT_LOGNORMAL: return p[0] * exp(p[1] * p[1] / 2);
    case FIT_GAMMA: return p[0] * p[1];
    case FIT_WEIBULL: return p[0] * exp(gsl_sf_lngamma(1 + 1 / p[1]));
    case FIT_CONSTANT: return p[0];
    default: return NAN;
  }
}

double fit_family_var(fit_family f, const double *p) {
  switch (f) {
    case FIT_EXPONENTIAL: return p[0] * p[0];
    case FIT_LOGNORMAL: {
      double s2 = p[1] * p[1];
      return expm1(s2) * p[0] * p[0] * exp(s2);
    }
    case FIT_GAMMA: return p[0] * p[1] * p[1];
    case FIT_WEIBULL: {
      double g1 = exp(gsl_sf_lngamma(1 + 1 / p[1])), g2 = exp(gsl_sf_lngamma(1 + 2 / p[1]));
      return p[0] * p[0] * (g2 - g1 * g1);
    }
    case FIT_CONSTANT: return 0;
    default: return NAN;
  }
}

/* Weibull: squared coefficient of variation as a function of log shape,
 * minus the target (decreasing in the shape). */
static double weibull_cv2(double lk, void *target) {
  double k = exp(lk);
  double l1 = gsl_sf_lngamma(1 + 1 / k), l2 = gsl_sf_lngamma(1 + 2 / k);
  return expm1(l2 - 2 * l1) - *(const double *)target;
}

bool fit_family_from_moments(fit_family f, double m, double v, double *p) {
  if (!(m > 0)) return false;
  if (f == FIT_CONSTANT) {
    p[0] = m;
    return v == 0;
  }
  if (!(v > 0)) return false;
  double cv2 = v / (m * m);
  switch (f) {
    case FIT_EXPONENTIAL: p[0] = m; return true;
    case FIT_LOGNORMAL: {
      double s2 = log1p(cv2);
      p[0] = m / sqrt(1 + cv2);
      p[1] = sqrt(s2);
      return true;
    }
    case FIT_GAMMA: p[0] = 1 / cv2; p[1] = v / m; return true;
    case FIT_WEIBULL: {
      /* shape 1e-2..1e3 covers every coefficient of variation we meet */
      double lo = log(0.05), hi = log(1e3);
      gsl_function fn = {weibull_cv2, &cv2};
      if (weibull_cv2(lo, &cv2) < 0 || weibull_cv2(hi, &cv2) > 0) return false;
      gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
      if (!s) return false;
      gsl_root_fsolver_set(s, &fn, lo, hi);
      double r = 0;
      for (int i = 0; i < 200; i++) {
        if (gsl_root_fsolver_iterate(s)) break;
        r = gsl_root_fsolver_root(s);
        if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
                                   1e-12, 1e-10) == GSL_SUCCESS)
          break;
      }
      gsl_root_fsolver_free(s);
      double k = exp(r);
      p[1] = k;
      p[0] = m / exp(gsl_sf_lngamma(1 + 1 / k));
      return true;
    }
    default: return false;
  }
}
