/*
 * planner.h — `jobsim plan`: search rollout settings and abort criteria for
 * the fastest configuration that meets a deadline and two risk limits.
 *
 * Candidates are the product of a rollout list (constant maximumPerMinute
 * values, and exponential base:factor:notified settings with a 1000/min cap)
 * and an abort list (thresholdPercentage x minNumberOfExecutedThings, with
 * the failureType of the scenario's first criterion, ALL when it has none;
 * action CANCEL). Each candidate is the scenario's job with those two
 * members replaced, loaded again so AWS's ranges are checked.
 *
 * Constraints, with T the completion time on the healthy world (infinite
 * when the job does not reach COMPLETED: aborted, or past the horizon) and
 * E the exposure on a bad-release world (things of its affected groups that
 * ran the job), at confidence level C:
 *   deadline     P(T <= D) >= C            (the C-quantile of T is <= D)
 *   false abort  P(abort | healthy) <= P
 *   exposure     P(E <= K) >= C, in every bad-release world
 * Each is a binomial proportion against a limit. With n replications it
 * PASSes when its 95 % Wilson interval lies on the good side, FAILs when it
 * lies on the bad side, and is CLOSE when it straddles the limit; a CLOSE
 * constraint gets `initial` more replications, up to `max` per world, and
 * is decided by its point estimate at the cap. A candidate that FAILs a
 * constraint gets no more replications. All candidates use the same seeds
 * per replication index (common random numbers).
 *
 * Feasible candidates are ranked by the C-quantile of T, then by the worst
 * C-quantile of E, then by candidate number.
 *
 * Ownership: a plan_result owns its candidates and scenarios; the scenario
 * and options passed in are borrowed for the call.
 */
#ifndef JOBSIM_PLAN_PLANNER_H
#define JOBSIM_PLAN_PLANNER_H

#include <stdio.h>
#include "metrics.h"
#include "stats.h"
#include "sweepout.h"

#define PLAN_MAX_CHOICES 32

typedef enum plan_constraint {
  PLAN_C_DEADLINE,
  PLAN_C_FALSE_ABORT,
  PLAN_C_EXPOSURE,
  PLAN_C_COUNT
} plan_constraint;

typedef struct plan_exp_rate {
  int64_t base;          /* baseRatePerMinute */
  double factor;         /* incrementFactor */
  int64_t notified;      /* rateIncreaseCriteria.numberOfNotifiedThings */
} plan_exp_rate;

typedef struct plan_planner_opts {
  sim_time_ms deadline;        /* D, ms after creation */
  int64_t max_exposure;        /* K */
  double max_false_abort;      /* P */
  double confidence;           /* C */
  size_t initial, max;         /* replications: first batch and batch size, cap */
  uint64_t seed;
  unsigned threads;
  const char *healthy;         /* world names; NULL: defaults (see plan_cmd.c) */
  const char *bad;             /* NULL: every world that affects a group */
  int64_t rates[PLAN_MAX_CHOICES];        /* constant maximumPerMinute */
  size_t n_rates;
  plan_exp_rate exps[PLAN_MAX_CHOICES];   /* exponential settings */
  size_t n_exps;
  double thresholds[PLAN_MAX_CHOICES];    /* thresholdPercentage */
  size_t n_thresholds;
  int64_t min_exec[PLAN_MAX_CHOICES];     /* minNumberOfExecutedThings */
  size_t n_min_exec;
} plan_planner_opts;

/* Fill the documented default candidate grid (rates capped at `quota`). */
void plan_planner_defaults(plan_planner_opts *o, int64_t quota);
/* Bytes plan_planner_run(sc, o) needs at its peak, at most: a scenario
 * copy per candidate and per (candidate, world), o->max replications'
 * metrics of every (candidate, world) and a round's buffer of as many, one
 * engine per thread, a fixed allowance. For refusing a search that cannot
 * fit before building anything. */
uint64_t plan_planner_memory_estimate(const model_scenario *sc, const plan_planner_opts *o);

typedef struct plan_estimate {
  int64_t k, n;                /* successes ("good" outcomes) of n */
  double p, lo, hi;            /* estimate and 95 % Wilson interval */
  plan_decision decision;
  bool at_cap;                 /* decided by the point estimate at the cap */
  bool evaluated;
} plan_estimate;

typedef struct plan_candidate {
  size_t id;
  bool exponential;
  int64_t rate;                /* constant rate, or the exponential's cap */
  plan_exp_rate exp;
  double threshold;
  int64_t min_executed;
  char rollout[96], abort[96]; /* descriptions */
  char *job_json;              /* the candidate's CreateJob request, as the
                                  AWS CLI prints JSON (free()) */
  model_scenario *sc;          /* the candidate scenario */
  model_scenario **world;      /* [0] healthy, [1..] bad worlds */
  plan_metrics **m;            /* per world, up to max replications */
  size_t *have, *need;         /* per world */
  plan_estimate est[PLAN_C_COUNT];
  plan_estimate bad_est[8];    /* exposure per bad world */
  int64_t t_q;                 /* C-quantile of T (ms), INT64_MAX: never */
  int64_t e_q;                 /* worst C-quantile of E over bad worlds */
  double p_abort_bad;          /* P(abort) in the bad worlds (lowest) */
  bool feasible;
  size_t rank;                 /* 1.. for feasible ones */
} plan_candidate;

typedef struct plan_result {
  const model_scenario *base;
  plan_planner_opts o;
  plan_candidate *c;
  size_t n;
  size_t n_worlds;             /* 1 + bad worlds */
  char *world_names[9];
  size_t chosen;               /* index of the best feasible one, SIZE_MAX none */
  size_t replications;         /* replications run in all */
  char binding[512];           /* when none is feasible: which constraint binds */
} plan_result;

int plan_planner_run(plan_result **out, const model_scenario *sc,
                     const plan_planner_opts *o, sim_diag *d);
void plan_result_free(plan_result *r);      /* NULL is a no-op */

/* The ranked table, for people. */
int plan_result_table(const plan_result *r, FILE *f);
/* DIR: candidates.csv, create-job.json (when one is chosen), plots/front.*,
 * run.json; written all at once. */
int plan_result_write(const plan_result *r, const char *dir, const char *version,
                      plan_out_status *ps, char *why, size_t wn, sim_diag *d);

#endif
