/*
 * estimate.h — maximum-likelihood fits of one group's behaviour from its
 * execution records, with censoring (docs/fit.md has the estimators):
 *
 *   start delay   queued -> device acts (started, or rejected): a mixture
 *                 p * F_online + (1 - p) * F_offline, where the offline
 *                 component is the reconnection plus the start delay; the
 *                 one-component model (p = 1) is a candidate too, and AIC
 *                 decides. Records that never acted are right-censored.
 *   run time      started -> report, jointly with the outcome mix: an
 *                 attempt reports after F_run with probability w (SUCCEEDED
 *                 with 1 - rho, FAILED with rho) or never (NO_RESPONSE); a
 *                 TIMED_OUT or unfinished attempt is censored at its last
 *                 instant and contributes (1 - w) + w * S_run(c). Attempts
 *                 only known through a later record's retryAttempt add the
 *                 probability of ending in a retried failure type.
 *   rejected      REJECTED at the start instant: binomial, closed form.
 *
 * Exact durations are grouped into narrow bins (the AWS clock has whole
 * milliseconds; below 0.1 s each millisecond is its own bin, above it bins
 * grow by 2 %) and each bin contributes log P(bin); censored values are
 * kept exact (rounded down to 0.05 % when there are very many). The cost of
 * one likelihood evaluation is then independent of the number of records.
 * Optimisation is GSL's Nelder-Mead simplex (gsl_multimin nmsimplex2) in the
 * working parameters (logs and logits); 95 % intervals come from the
 * inverse of the numerical Hessian there (Wald), mapped back.
 *
 * Ownership: samples own their arrays (release with fit_sample_release);
 * results are plain values.
 */
#ifndef JOBSIM_FIT_ESTIMATE_H
#define JOBSIM_FIT_ESTIMATE_H

#include <stdbool.h>
#include <stddef.h>
#include "family.h"

/* ------------------------------------------------------------- grid --- */

#define FIT_GRID_MAX 1600

/* Bin edges in ms: 0, 0.5, 1.5, ..., 99.5, then x 1.02 snapped to half a
 * millisecond, up to past 100 years. Bin i is [edge[i], edge[i+1]). */
typedef struct fit_grid {
  double edge[FIT_GRID_MAX];
  size_t n_bins;              /* bins (edges - 1) */
} fit_grid;

void fit_grid_init(fit_grid *g);
size_t fit_grid_bin(const fit_grid *g, double x_ms);

/* ------------------------------------------------------------ sample --- */

/* Observations of one duration: exact ones counted per bin, right-censored
 * ones as sorted distinct values with weights. */
typedef struct fit_sample {
  const fit_grid *grid;
  double *count;              /* exact observations per bin */
  size_t lo, hi;              /* first and last non-empty bin (hi < lo: none) */
  double n_exact;             /* exact observations */
  double *cx, *cw;            /* censored values (ms, ascending) and weights */
  size_t n_cx, cap_cx;
  double n_cens;              /* censored observations */
  bool sorted;                /* fit_sample_finish() ran */
} fit_sample;

int fit_sample_init(fit_sample *s, const fit_grid *g);     /* SIM_ERR_NOMEM */
void fit_sample_release(fit_sample *s);
void fit_sample_add(fit_sample *s, double x_ms);
int fit_sample_censor(fit_sample *s, double c_ms);         /* SIM_ERR_NOMEM */
/* Sort and merge the censored values (call once, after the last add). */
void fit_sample_finish(fit_sample *s);
/* Nearest-rank quantile of the exact observations (bin midpoint), ms. */
double fit_sample_quantile(const fit_sample *s, double p);

/* -------------------------------------------------------------- fits --- */

#define FIT_MAX_X 8        /* working parameters of the largest model */

/* An estimate with its 95 % interval (lo/hi NaN: not available). */
typedef struct fit_value {
  double v, lo, hi;
} fit_value;

/* One fitted candidate model of a duration. */
typedef struct fit_model {
  bool fitted;                /* was tried and converged to a finite maximum */
  fit_family fam;             /* (online / only) component */
  fit_family fam2;            /* offline component, FIT_FAMILY_COUNT: none */
  int k;                      /* free parameters (for AIC) */
  double loglik, aic;
  fit_value p1[FIT_MAX_PARAMS];   /* natural parameters of fam, ms or plain */
  fit_value p2[FIT_MAX_PARAMS];   /* ... of fam2 */
  fit_value mix;              /* start delay: p (connected); run time: w */
  fit_value rho;              /* run time: P(FAILED | reports) */
  bool has_ci;                /* the Hessian was positive definite */
  double x[FIT_MAX_X];        /* working parameters at the maximum */
  int nx;
  double cov[FIT_MAX_X * FIT_MAX_X]; /* their covariance (has_ci) */
} fit_model;

/* Start delay: every single-family model and every (online, offline) pair. */
typedef struct fit_delay {
  fit_model single[FIT_FAMILY_COUNT];
  fit_model mixed[FIT_FAMILY_COUNT][FIT_CONSTANT];
  const fit_model *best;      /* lowest AIC (NULL: no data) */
  double ks;                  /* sup |Kaplan-Meier - fitted CDF| */
  /* The written reconnectAfter: the offline component minus the online
   * start delay (means and variances subtracted), in fam2's family. */
  fit_value reconnect[FIT_MAX_PARAMS];
  bool reconnect_shifted;     /* the subtraction was possible */
} fit_delay;

/* What the run-time and outcome fit needs beyond the durations. */
typedef struct fit_run_input {
  fit_sample times;           /* exact: reported run times; censored: TIMED_OUT,
                                 unfinished and canceled-in-progress attempts */
  double n_succeeded;         /* exact observations that were SUCCEEDED */
  double n_failed;            /* ... FAILED */
  double n_rejected_started;  /* ... REJECTED after starting */
  double n_rejected;          /* REJECTED at the start instant (no run) */
  double unseen[11];          /* things with k earlier attempts known only by
                                 count (retryAttempt), k = 1..10 */
  bool has_timeout;           /* timeoutConfig.inProgressTimeoutInMinutes */
  double timeout_ms;
  /* retried failure types: FAILED budget, TIMED_OUT budget, or ALL */
  int retry_failed, retry_timed_out, retry_all;   /* budgets, -1: not retried */
} fit_run_input;

typedef struct fit_run {
  fit_model fam[FIT_FAMILY_COUNT];
  const fit_model *best;      /* NULL: nothing started */
  double ks;
  /* outcome probabilities of an attempt, indexed SUCCEEDED, FAILED,
   * REJECTED, NO_RESPONSE (model_outcome order) */
  fit_value outcome[4];
  double attempts;            /* attempts that acted (the denominator) */
} fit_run;

int fit_delay_estimate(const fit_sample *s, fit_delay *out);
int fit_run_estimate(const fit_run_input *in, fit_run *out);

/* Fitted CDF of the start delay at x (the mixture) and of "reported by x"
 * for the run time (w * F_run(x)). */
double fit_delay_cdf(const fit_model *m, double x);
double fit_run_cdf(const fit_model *m, double x);
/* A model's quantile p of its (online / only) component. */
double fit_model_quantile(const fit_model *m, double p);

/* Kaplan-Meier estimate at the upper edge of each bin lo..hi (censored
 * values leave the risk set after the bin's events); returns how many
 * points were written (at most cap). */
size_t fit_km(const fit_sample *s, double *t, double *F, size_t cap);

#endif
