/*
 * run.h — `jobsim run`: one replication of a scenario written as a report
 * directory (design.md "Outputs"):
 *   describe-job.json   final describe-job
 *   snapshots/          one describe-job per snapshot instant, sorted names
 *   timeline.csv        a row per rollout window, snapshot and status change
 *   events.log          the job's story in plain words
 *   run.json            seed, versions, scenario name, figures of the run
 *   run.sqlite          all of it in SQLite (store.h), when opts.store
 *   plots/              gnuplot scripts, data and images (plot.h), opts.plots
 *   index.html          the report page (page.h), when opts.page
 * With several jobs ($.jobs, create-job) the files above are the first
 * job's (events.log: every line, each tagged "[jobId]"), and each further
 * job has jobs/<jobId>/ with its describe-job.json, snapshots/,
 * timeline.csv and events.log; run.json lists every job.
 * All of it appears at once (outdir.h) or not at all.
 *
 * Ownership: nothing returned needs freeing; the scenario is borrowed.
 */
#ifndef JOBSIM_REPORT_RUN_H
#define JOBSIM_REPORT_RUN_H

#include <signal.h>
#include <stdbool.h>
#include "describe.h"
#include "engine.h"
#include "plot.h"

typedef struct report_run_opts {
  report_opts out;           /* timestamp format, compact */
  bool write_files;          /* false: simulate only (benchmarks) */
  const char *version_info;  /* program and library versions for run.json */
  bool store;                /* write run.sqlite */
  bool no_executions;        /* ... without its execution table (huge fleets) */
  bool plots;                /* write plots/ (images when gnuplot is on PATH) */
  bool page;                 /* write index.html */
  /* Called every simulated minute when set (the run then advances in
   * one-minute slices; the output is the same either way). */
  void (*progress)(void *ud, const model_engine *e);
  void *progress_ud;
  /* When set and non-zero (a signal handler sets it), the run stops at the
   * next slice boundary with SIM_ERR_INTR and leaves no report behind. */
  const volatile sig_atomic_t *stop;
  /* Stop with SIM_ERR_LIMIT after this many events (0: no cap). */
  uint64_t max_events;
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
  sim_time_ms canceled_at;   /* instant of the cancel or abort, -1 if none */
  sim_time_ms rollout_end;   /* last instant a thing got its first execution, -1 */
  bool finished;             /* the job could no longer change at `end` (else the
                                run stopped at its horizon) */
  size_t n_jobs;             /* jobs of the run ($.jobs, create-job) */
  char more_jobs[512];       /* "; jobs B COMPLETED, C CANCELED" or "" */
  report_plot_status plots;  /* what became of the plots (opts.plots) */
  char plots_why[256];       /* REPORT_PLOT_FAILED: gnuplot's complaint */
} report_run_stats;

/* One line of outcome for a finished run ("COMPLETED in 3h12m4s: ...";
 * page.h report_page_outcome). */
void report_run_outcome(const model_scenario *sc, const report_run_stats *st, char *buf,
                        size_t n);

/* Run `sc` with `seed` and write the report to `outdir` (when write_files).
 * On failure nothing is left at `outdir` that was not there before. */
int report_run(const model_scenario *sc, uint64_t seed, const char *outdir,
               const report_run_opts *o, report_run_stats *stats, sim_diag *d);

#endif
