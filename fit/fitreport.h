/*
 * fitreport.h — the report directory of `jobsim fit --report DIR`, written
 * atomically like every jobsim report (reports/outdir.h):
 *   index.html        self-contained page: inputs, per group and quantity the
 *                     table of candidate families with AIC, the chosen one
 *                     with its 95 % intervals and Kolmogorov-Smirnov distance,
 *                     the plots, and the backtest's verdict
 *   scenario.json     the fitted scenario (the --out file's bytes)
 *   run.json          what was run (marker of the output directory)
 *   plots/            per group: cdf-GROUP-delay / cdf-GROUP-run (empirical
 *                     CDF, Kaplan-Meier where censored, against the fitted
 *                     CDF) and backtest (the real job's series against the
 *                     replications' median and 5-95 % band): gnuplot
 *                     scripts, data, and PNG + SVG when gnuplot is on PATH.
 *
 * Ownership: everything passed in is borrowed.
 */
#ifndef JOBSIM_FIT_FITREPORT_H
#define JOBSIM_FIT_FITREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include "fit.h"

/* Writes the report into dir and the fitted scenario to `out` (atomically),
 * the scenario last before the report is committed: when `out` cannot be
 * written, no report is left either. plots_note gets a one-line note when
 * plots were skipped or failed (gnuplot missing or failing), else "". */
int fit_report_write(const fit_job *j, const char *dir, const char *out,
                     const char *scenario_text, size_t scenario_len, bool plots,
                     const char *version_info, char *plots_note, size_t n, sim_diag *d);

#endif
