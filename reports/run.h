/*
 * run.h — `jobsim run`: one replication of a scenario written as a report
 * directory (design.md "Outputs"):
 *   describe-job.json   final describe-job
 *   snapshots/          one describe-job per snapshot instant, sorted names
 *   timeline.csv        a row per rollout window, snapshot and status change
 *   events.log          the job's story in plain words
 *   run.json            seed, versions, scenario name, figures of the run
 * All of it appears at once (outdir.h) or not at all.
 *
 * Ownership: nothing returned needs freeing; the scenario is borrowed.
 */
#ifndef JOBSIM_REPORT_RUN_H
#define JOBSIM_REPORT_RUN_H

#include <stdbool.h>
#include "describe.h"
#include "engine.h"

typedef struct report_run_opts {
  report_opts out;           /* timestamp format, compact */
  bool write_files;          /* false: simulate only (benchmarks) */
  const char *version_info;  /* program and library versions for run.json */
} report_run_opts;

typedef struct report_run_stats {
  model_job job;             /* final job state */
  sim_time_ms end;           /* simulated end instant, ms */
  uint64_t events;           /* events dispatched */
  size_t peak_pending;       /* largest pending-event set */
  size_t snapshots;          /* snapshot files written */
  size_t rows;               /* timeline rows */
  size_t engine_bytes;       /* engine heap for per-thing state */
  int64_t things;            /* things in the fleet at the end */
} report_run_stats;

/* Run `sc` with `seed` and write the report to `outdir` (when write_files).
 * On failure nothing is left at `outdir` that was not there before. */
int report_run(const model_scenario *sc, uint64_t seed, const char *outdir,
               const report_run_opts *o, report_run_stats *stats, sim_diag *d);

#endif
