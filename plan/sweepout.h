/*
 * sweepout.h — `jobsim sweep --out DIR`: the sweep as a directory, written
 * all at once (reports/outdir.h):
 *   sweep.csv      the CSV that stdout would carry
 *   sweep.sqlite   the same aggregates plus every replication's metrics
 *                  (schema in docs/sweep.md, PRAGMA user_version)
 *   plots/         gnuplot scripts, data and PNG/SVG images: probability of
 *                  abort, exposure and completion time against the first
 *                  variation, one line per world (and per value of the
 *                  other variations)
 *   run.json       what ran: scenario, seed, replications, variations
 *
 * Ownership: everything passed in is borrowed.
 */
#ifndef JOBSIM_PLAN_SWEEPOUT_H
#define JOBSIM_PLAN_SWEEPOUT_H

#include <stddef.h>
#include "sweep.h"

#define PLAN_SWEEP_DB_VERSION 2   /* PRAGMA user_version of sweep.sqlite */

typedef enum plan_out_status {
  PLAN_OUT_RENDERED,      /* images written */
  PLAN_OUT_NO_GNUPLOT,    /* scripts and data only */
  PLAN_OUT_PLOT_FAILED,   /* gnuplot failed: see why */
  PLAN_OUT_NO_PLOTS       /* nothing to plot (no variation) */
} plan_out_status;

int plan_sweepout_write(const plan_sweep *s, const char *dir, const char *version,
                        plan_out_status *ps, char *why, size_t wn, sim_diag *d);

/* The setting a --vary PATH changes, in words, for the plots' axis and key
 * ("abort threshold (%)" for job.abortConfig.criteriaList[0].thresholdPercentage);
 * a path it does not know comes back as given. Always NUL-terminates. */
void plan_vary_words(const char *path, char *buf, size_t n);

/* Render the gnuplot scripts `scripts` (NULL-terminated, run in that order
 * in directory `pdir`). Shared with the planner's plot. */
plan_out_status plan_render(const char *pdir, const char *const *scripts, char *why,
                            size_t wn);

#endif
