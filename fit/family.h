/*
 * family.h — the distribution families `jobsim fit` chooses among, in the
 * parameters the scenario format writes them with (sim/dist.h):
 *   exponential {mean}           lognormal {median, sigma}
 *   gamma {shape, scale}         weibull {scale, shape}
 *   constant {value}             (only for data piled in one millisecond)
 * Times are milliseconds. Each family also has a working parametrisation,
 * the logarithms of its natural parameters, in which the optimiser moves
 * freely and the 95 % intervals are symmetric. CDF, survival function,
 * quantile and moments come from GSL (gsl_cdf_*, gsl_sf_*).
 *
 * Ownership: nothing allocates.
 */
#ifndef JOBSIM_FIT_FAMILY_H
#define JOBSIM_FIT_FAMILY_H

#include <stdbool.h>
#include <stddef.h>

typedef enum fit_family {
  FIT_EXPONENTIAL,
  FIT_LOGNORMAL,
  FIT_GAMMA,
  FIT_WEIBULL,
  FIT_CONSTANT,
  FIT_FAMILY_COUNT
} fit_family;

#define FIT_MAX_PARAMS 2

/* The family's name as the scenario format spells it ("lognormal"). */
const char *fit_family_name(fit_family f);
/* Number of parameters (constant: 1, fixed by the data, not fitted). */
int fit_family_nparams(fit_family f);
/* Name of parameter i ("median", "sigma") and whether it is a duration. */
const char *fit_family_param(fit_family f, int i, bool *is_duration);

/* Natural parameters from working ones (exp of each) and back. */
void fit_family_natural(fit_family f, const double *work, double *nat);
void fit_family_working(fit_family f, const double *nat, double *work);
/* Working parameters inside the box the optimiser may use (shapes and
 * sigmas 1e-3..1e3, time scales 1e-3 ms..1e13 ms), so GSL's special
 * functions are never asked for absurd arguments. */
bool fit_family_in_bounds(fit_family f, const double *work);

/* P(X <= x) and P(X > x) at x >= 0 ms. Constant: a point mass at nat[0]. */
double fit_family_cdf(fit_family f, const double *nat, double x);
double fit_family_sf(fit_family f, const double *nat, double x);
/* Probability of (a, b], computed from the side where it does not cancel. */
double fit_family_prob(fit_family f, const double *nat, double a, double b);
/* The p-quantile (0 < p < 1), ms. */
double fit_family_quantile(fit_family f, const double *nat, double p);
double fit_family_mean(fit_family f, const double *nat);
double fit_family_var(fit_family f, const double *nat);
/* Natural parameters with the given mean and variance (> 0); false when the
 * family cannot have them (a constant needs variance 0). */
bool fit_family_from_moments(fit_family f, double mean, double var, double *nat);

#endif
