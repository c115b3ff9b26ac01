/*
 * reps.h — running replications in parallel. A batch is a list of tasks
 * (a scenario, as one world sees it, plus the groups whose exposure to
 * count) times a range of replication indices. Replication i of every task
 * uses the master seed derived from (seed, i) with the kernel's mixing
 * (sim_rng_derive(seed, "replication/<i>")): the same random inputs for every
 * grid point, world and candidate (common random numbers), whatever the
 * thread or process count.
 *
 * Work is spread over MPI ranks (par.h) in contiguous shares and, inside a
 * rank, over `threads` pthreads pulling items from a shared counter. Each
 * item writes its own slot, so the results are in (task, replication) order
 * no matter who computed what; reductions done afterwards read them in that
 * order, which is what makes output byte-identical for any thread count.
 *
 * Ownership: tasks and scenarios are borrowed (read-only, shared by the
 * threads); `out` is the caller's.
 */
#ifndef JOBSIM_PLAN_REPS_H
#define JOBSIM_PLAN_REPS_H

#include <stddef.h>
#include "metrics.h"

typedef struct plan_task {
  const model_scenario *sc;  /* the world's scenario */
  const size_t *affects;     /* fleet groups counted as exposure */
  size_t n_affects;
} plan_task;

/* Progress of a batch: called on the calling thread, at most every
 * `every_ms` of wall time, with items done and the batch's items (this
 * rank's share). */
typedef struct plan_reps_progress {
  void (*fn)(void *ud, size_t done, size_t total);
  void *ud;
  unsigned every_ms;
} plan_reps_progress;

/* Master seed of replication `index` under sweep/plan seed `seed`. */
uint64_t plan_rep_seed(uint64_t seed, size_t index);

/* Threads to use when the user gives none: the machine's online CPUs
 * divided among the MPI ranks sharing it (at least 1). */
unsigned plan_default_threads(void);

/* Run replications first .. first+count-1 of every task; out[t * count + r]
 * receives replication first + r of task t. On failure d names the first
 * failing item (lowest task, then replication). */
int plan_reps_run(const plan_task *tasks, size_t n_tasks, size_t first, size_t count,
                  uint64_t seed, unsigned threads, plan_metrics *out, sim_diag *d);
/* The same, with plan_metrics.terminal_at measured for terminal_pct % of
 * the targeted things (0: PLAN_TERMINAL_DEFAULT), reporting progress
 * through pg (NULL: none). */
int plan_reps_run_progress(const plan_task *tasks, size_t n_tasks, size_t first,
                           size_t count, uint64_t seed, unsigned threads, double terminal_pct,
                           plan_metrics *out, const plan_reps_progress *pg, sim_diag *d);

#endif
