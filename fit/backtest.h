/*
 * backtest.h — does the fitted scenario reproduce the job it was fitted on?
 *
 * Both sides are seen the same way, the way `aws iot
 * list-job-executions-for-job` shows a job: each thing's latest execution
 * record, which counts in the status it had at time t from its queuedAt on
 * (QUEUED until startedAt, IN_PROGRESS until lastUpdatedAt, then its final
 * status; a record without startedAt goes from QUEUED to its final status at
 * lastUpdatedAt). The real job's series come from its records; the fitted
 * scenario is run `reps` times (replication i with master seed
 * plan_rep_seed(seed, i), so the result does not depend on the thread
 * count), each replication's latest records give its series, and per
 * instant and status the 5 %, 50 % and 95 % points of the replications make
 * the band.
 *
 * The verdict: "reproduces" when the instant at which 95 % of the fleet's
 * things reached a terminal status is within 10 % of the replications'
 * median (or is reached by neither) and every series of the real job stays
 * inside the band widened by 2 % of the fleet; otherwise "does not
 * reproduce", naming the worst instant and status.
 *
 * Ownership: a fit_backtest owns its arrays; free it with fit_backtest_free().
 */
#ifndef JOBSIM_FIT_BACKTEST_H
#define JOBSIM_FIT_BACKTEST_H

#include <stdbool.h>
#include <stddef.h>
#include "history.h"
#include "scenario.h"

#define FIT_BT_SERIES 9          /* the 8 statuses (model_exec_status 1..8), terminal */
#define FIT_BT_TERMINAL 8        /* index of the terminal series */
#define FIT_BT_POINTS 241        /* instants from 0 to the horizon */
#define FIT_BT_T95_TOL 0.10      /* relative tolerance of the 95 % terminal instant */
#define FIT_BT_BAND_TOL 0.02     /* band widening, share of the fleet */

typedef struct fit_backtest {
  size_t reps;
  size_t n_t;
  sim_time_ms t[FIT_BT_POINTS];          /* instants, ms after createdAt */
  int64_t things;                        /* things of the fleet */
  double *real;                          /* [n_t][FIT_BT_SERIES] */
  double *lo, *med, *hi;                 /* 5 %, 50 %, 95 % of the replications */
  double real_t95;                       /* ms, NAN: not reached */
  double rep_t95_lo, rep_t95_med, rep_t95_hi;  /* over replications that reached it */
  size_t reps_t95;                       /* replications that reached it */
  double t95_rel_err;                    /* |median - real| / real, NAN when undefined */
  bool reproduces;
  sim_time_ms worst_t;                   /* where the real series is farthest out */
  int worst_series;                      /* index, -1 none */
  double worst_excess;                   /* things outside the band there */
  char verdict[600];
} fit_backtest;

/* Name of series i ("QUEUED" .. "CANCELED", "terminal"). */
const char *fit_backtest_series_name(int i);

/* Run `reps` replications (threads 0: all cores) of `sc` up to its horizon
 * against the records of `h`. */
int fit_backtest_run(fit_backtest **out, const fit_history *h, const model_scenario *sc,
                     size_t reps, unsigned threads, sim_diag *d);
void fit_backtest_free(fit_backtest *b);   /* NULL is a no-op */

#endif
