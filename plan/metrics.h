/*
 * metrics.h — what one replication of a scenario measured, for sweeps and
 * the planner: the job's final status, the abort (if any: when, which
 * criterion), the completion time, counts of things and records, and the
 * exposure of a bad release (things of the world's affected groups whose
 * device ran the job).
 *
 * Ownership: plain values; the scenario is borrowed for the call.
 */
#ifndef JOBSIM_PLAN_METRICS_H
#define JOBSIM_PLAN_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include "engine.h"

typedef struct plan_metrics {
  int32_t status;          /* model_job_status at the end */
  int32_t abort_criterion; /* index in abortConfig.criteriaList that fired, -1 */
  int32_t aborted;         /* 1 when the abort criteria canceled the job */
  int32_t completed;       /* 1 when the job reached COMPLETED */
  sim_time_ms aborted_at;  /* ms after creation, -1 unless aborted */
  sim_time_ms completion;  /* completedAt when COMPLETED, else the instant the
                              run stopped (job finished changing, or horizon) */
  sim_time_ms end;         /* instant the run stopped */
  int64_t notified;        /* things given a first execution */
  int64_t things_ran;      /* things whose device started or rejected it */
  int64_t succeeded;       /* records SUCCEEDED at the end */
  int64_t failed;          /* records FAILED at the end */
  int64_t rejected;        /* records REJECTED at the end */
  int64_t timed_out;       /* records TIMED_OUT at the end */
  int64_t canceled;        /* records CANCELED at the end */
  int64_t retries;         /* retry records created */
  int64_t exposure;        /* things of affected groups that ran the job */
  sim_time_ms rollout_end; /* ms: the instant every targeted thing had an
                              execution (the last one was created), -1 never */
  sim_time_ms terminal_at; /* ms: the first instant at which the share of
                              targeted things asked for (99 % by default)
                              had a finished execution, -1 never */
} plan_metrics;

/* The default share of targeted things for terminal_at, percent. */
#define PLAN_TERMINAL_DEFAULT 99.0

/* Run one replication of `sc` with master seed `seed` to the scenario's
 * horizon and measure it. `affects` lists fleet group indices whose
 * model_engine_group_ran() sum is the exposure (n_affects may be 0).
 * terminal_at is measured for PLAN_TERMINAL_DEFAULT %. */
int plan_metrics_run(plan_metrics *m, const model_scenario *sc, uint64_t seed,
                     const size_t *affects, size_t n_affects, sim_diag *d);
/* The same with terminal_at for `terminal_pct` % (0 < pct <= 100) of the
 * targeted things. A thing counts as finished when its latest execution is
 * SUCCEEDED, FAILED, REJECTED, TIMED_OUT (no retry left: a retry is queued
 * at the instant of the failure) or REMOVED; CANCELED does not count (a
 * canceled job delivered nothing to that thing). */
int plan_metrics_run_pct(plan_metrics *m, const model_scenario *sc, uint64_t seed,
                         const size_t *affects, size_t n_affects, double terminal_pct,
                         sim_diag *d);
/* Things that make up terminal_pct % of `targeted` (at least 1). */
int64_t plan_terminal_need(int64_t targeted, double terminal_pct);

/* Fill `m` from a finished engine. */
void plan_metrics_of(plan_metrics *m, const model_engine *e, const size_t *affects,
                     size_t n_affects);

#endif
