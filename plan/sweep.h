/*
 * sweep.h — `jobsim sweep`: Monte Carlo replications of a scenario over a
 * grid of variations, per world.
 *
 * A variation is PATH=VALUES: PATH a JSON path into the scenario document
 * (job.abortConfig.criteriaList[0].thresholdPercentage; a leading "$." is
 * optional), VALUES a comma-separated list (each value read as JSON when it
 * is JSON — 5, 2.5, true, "x" — and as a string otherwise) or a numeric
 * range start:stop:step (stop included when it falls on the grid). Several
 * variations make a grid, the first one varying slowest. Each grid point is
 * a copy of the scenario document with the values written in, loaded again
 * with model_scenario_load_text, so every value passes the normal
 * validation; then every world of the point runs `replications` times.
 * Replication i uses the same seed at every point and in every world (see
 * reps.h).
 *
 * Ownership: a plan_sweep owns its scenarios and results; the base scenario
 * and the variations are borrowed and must outlive it.
 */
#ifndef JOBSIM_PLAN_SWEEP_H
#define JOBSIM_PLAN_SWEEP_H

#include <stdio.h>
#include <cjson/cJSON.h>
#include "metrics.h"
#include "stats.h"

#define PLAN_MAX_VARY 8
#define PLAN_MAX_VALUES 10000
#define PLAN_MAX_POINTS 100000

typedef struct plan_vary {
  char path[512];     /* as given, without a leading "$." */
  char **json;        /* each value as JSON text */
  char **label;       /* each value as printed (strings without quotes) */
  double *num;        /* each value as a number (when numeric) */
  size_t n;
  bool numeric;       /* every value is a number */
} plan_vary;

/* Parse "PATH=VALUES". Usage errors are written to err (no prefix). */
int plan_vary_parse(plan_vary *v, const char *arg, char *err, size_t n);
void plan_vary_release(plan_vary *v);

/* Write `value` (ownership taken, also on failure) at `path` in `root`:
 * objects on the way are created when missing, array elements must exist. */
int plan_json_set(cJSON *root, const char *path, cJSON *value, char *err, size_t n);
/* The value at `path`, or NULL. */
const cJSON *plan_json_get(const cJSON *root, const char *path);

/* Aggregates of one (grid point, world). Times are ms. */
typedef struct plan_agg {
  size_t n;                       /* replications */
  int64_t aborted, completed;
  double p_abort, abort_lo, abort_hi;
  double p_completed, completed_lo, completed_hi;
  plan_summary completion;        /* all replications */
  int64_t rollout_done, terminal_reached; /* replications that got there */
  plan_summary rollout;           /* the last execution created: replications
                                     whose rollout finished */
  plan_summary terminal;          /* PLAN_TERMINAL_DEFAULT % of the targeted
                                     things finished: replications that got there */
  plan_summary abort_time;        /* aborted replications only */
  plan_summary notified, ran, failed, rejected, timed_out, retries, exposure;
} plan_agg;

void plan_aggregate(const plan_metrics *m, size_t n, plan_agg *a);

typedef struct plan_sweep_opts {
  size_t replications;
  uint64_t seed;
  unsigned threads;
  /* Refuse (SIM_ERR_NOMEM, before any replication) when the grid's largest
   * scenario (a --vary may change the fleet) would not fit; 0: no check. */
  uint64_t max_memory;
  const struct plan_reps_progress *progress;   /* or NULL (reps.h) */
} plan_sweep_opts;

/* Bytes a sweep of `base` over `points` grid points and `worlds` worlds
 * with `reps` replications on `threads` threads needs at its peak: a
 * loaded copy of the scenario per point and per (point, world), the
 * metrics of every replication, one engine per thread, a fixed allowance.
 * An estimate (per-copy cost measured: twice the scenario text and 3 KB),
 * for refusing sweeps that cannot fit before building anything. */
uint64_t plan_sweep_memory_estimate(const model_scenario *base, size_t points, size_t worlds,
                                    size_t reps, unsigned threads);

typedef struct plan_sweep {
  const model_scenario *base;
  const plan_vary *vary;
  size_t n_vary;
  size_t n_points;
  size_t n_worlds;
  char **worlds;           /* world names (the base scenario's) */
  bool *world_affects;     /* the world affects at least one group */
  size_t reps;
  uint64_t seed;
  unsigned threads;
  plan_metrics *m;         /* [(point * n_worlds + world) * reps + rep] */
  model_scenario **sc;     /* per point and world */
  model_scenario **point;  /* per point */
} plan_sweep;

/* Run the sweep. On an invalid grid point the error is in d and `where`
 * says which point ("grid point 3 (PATH=VALUE, ...)"). */
int plan_sweep_run(plan_sweep **out, const model_scenario *base, const plan_vary *v,
                   size_t n_vary, const plan_sweep_opts *o, char *where, size_t wn,
                   sim_diag *d);
void plan_sweep_free(plan_sweep *s);     /* NULL is a no-op */

/* Value index of variation k at grid point `point`. */
size_t plan_sweep_value(const plan_sweep *s, size_t point, size_t k);
/* The replications of (point, world). */
const plan_metrics *plan_sweep_metrics(const plan_sweep *s, size_t point, size_t world);

/* The CSV (docs/sweep.md): one row per grid point and world. */
int plan_sweep_csv(const plan_sweep *s, FILE *f);

#endif
