/*
 * dist.h — distributions of durations, parsed from scenario JSON and sampled
 * with an explicit gsl_rng. JSON forms (parameters that are times take
 * durations, shape parameters are plain numbers; unknown fields rejected):
 *   "30s"                                   constant (bare duration)
 *   {"distribution":"constant","value":"30s"}
 *   {"distribution":"uniform","min":"1s","max":"5s"}
 *   {"distribution":"exponential","mean":"30m"}
 *   {"distribution":"lognormal","median":"5s","sigma":0.5}
 *   {"distribution":"normal","mean":"1m","stddev":"10s"}   truncated at 0
 *   {"distribution":"weibull","scale":"1m","shape":1.5}
 *   {"distribution":"gamma","shape":2,"scale":"30s"}
 *   {"distribution":"empirical","values":["1s","5s","30s"],"weights":[1,2,1]}
 *                                           (weights optional: equal)
 *
 * Ownership: a sim_dist owns its empirical arrays; release it with
 * sim_dist_release().
 */
#ifndef JOBSIM_SIM_DIST_H
#define JOBSIM_SIM_DIST_H

#include <cjson/cJSON.h>
#include <gsl/gsl_rng.h>
#include "sim.h"

typedef enum sim_dist_kind {
  SIM_DIST_CONSTANT,
  SIM_DIST_UNIFORM,
  SIM_DIST_EXPONENTIAL,
  SIM_DIST_LOGNORMAL,
  SIM_DIST_NORMAL,
  SIM_DIST_WEIBULL,
  SIM_DIST_GAMMA,
  SIM_DIST_EMPIRICAL
} sim_dist_kind;

typedef struct sim_dist {
  sim_dist_kind kind;  /* which distribution; selects the meaning of p1/p2 */
  double p1;           /* value|min|mean|median|mean|scale|shape, ms or plain */
  double p2;           /* -|max|-|sigma|stddev ms|shape|scale ms */
  size_t n;            /* empirical: number of values */
  double *values;      /* empirical: values, ms */
  double *cum;         /* empirical: cumulative weights normalised to 1 */
  const sim_alloc *alloc; /* allocator of values/cum, borrowed: it must
                             outlive the dist (NULL: C library) */
} sim_dist;

/* A constant distribution (no allocation). */
void sim_dist_constant(sim_dist *d, sim_time_ms value);
/* Parse any form above at `path`. Parameters are validated here (means,
 * medians, scales > 0; sigma >= 0; min <= max; empirical 1..10000 values,
 * weights 0..1e15 with a positive sum), so sampling never hands GSL a bad
 * parameter. On failure *out is left zeroed (releasing it is a no-op). */
int sim_dist_from_json(sim_dist *out, const cJSON *json, const sim_alloc *alloc,
                       sim_diag *d, const char *path);
void sim_dist_release(sim_dist *d);         /* safe on a zeroed struct */

/* One draw in whole milliseconds, >= 0 (rounded to nearest, clamped to
 * SIM_DURATION_MAX). Constant draws consume no random numbers. */
sim_time_ms sim_dist_sample(const sim_dist *d, gsl_rng *r);
/* Analytic mean in ms (for estimates and docs). */
double sim_dist_mean(const sim_dist *d);
/* The kind's name as written in JSON ("lognormal"). */
const char *sim_dist_name(sim_dist_kind k);

#endif
