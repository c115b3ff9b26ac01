/*
 * scenout.h — the scenario file `jobsim fit` writes: the job's create-job
 * settings recovered from describe-job, the fleet with the fitted
 * behaviours, the simulation settings of the real job, and the "fit"
 * provenance object (inputs, record counts, candidate families with their
 * log-likelihoods and AIC, parameters with 95 % intervals, warnings and, once
 * there is one, the backtest's verdict), which `jobsim run` ignores.
 *
 * Ownership: texts are malloc'ed and the caller's.
 */
#ifndef JOBSIM_FIT_SCENOUT_H
#define JOBSIM_FIT_SCENOUT_H

#include <stdbool.h>
#include <stddef.h>
#include "fit.h"

/* Build j->scenario (without a backtest) and load it back into j->sc
 * through the ordinary scenario loader (a refusal there is a bug of the
 * fit, reported as such). */
int fit_scenario_build(fit_job *j, const fit_opts *o, sim_diag *d);
/* The scenario text, with the backtest (j->bt) in "fit" when asked and
 * present. */
int fit_scenario_text(const fit_job *j, bool with_backtest, char **text, size_t *len,
                      sim_diag *d);

#endif
