/*
 * fit.h — `jobsim fit`: a past job's history (history.h) in, a fitted,
 * validated scenario out, with a backtest and a report on request.
 *
 *   fit_job_new()       read the inputs, fit every group's behaviour
 *                       (estimate.h), build the scenario text and load it
 *                       back through model_scenario_load_text(), so what is
 *                       returned is a scenario `jobsim validate` accepts;
 *   fit_job_backtest()  run the fitted scenario N times against the real
 *                       job's counters (backtest.h);
 *   fit_job_write()     the scenario file (atomically) and, when asked, the
 *                       report directory (fitreport.h), all at once.
 *
 * Ownership: a fit_job owns its history, results and texts; free it with
 * fit_job_free(). Options are borrowed for the calls.
 */
#ifndef JOBSIM_FIT_FIT_H
#define JOBSIM_FIT_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include "estimate.h"
#include "history.h"
#include "scenario.h"

#define FIT_SMALL_GROUP 30     /* fewer records than this: warn */

typedef struct fit_opts {
  const char *job;                 /* --job */
  const char *const *executions;   /* --executions, in order */
  size_t n_executions;
  const char *const *group_names;  /* --group NAME=FILE */
  const char *const *group_files;
  size_t n_groups;
  const char *document;            /* --document FILE, or NULL */
  bool has_observed_at;            /* --observed-at */
  int64_t observed_at_epoch_ms;
  uint64_t seed;                   /* simulation.seed of the output (1) */
  const char *version_info;        /* jobsim and library versions */
} fit_opts;

/* What was fitted for one group. */
typedef struct fit_group_result {
  size_t group;                    /* index into the history's groups */
  int64_t records;                 /* execution records seen */
  int64_t things_seen;             /* things with at least one record */
  int64_t unseen;                  /* earlier attempts known by retryAttempt only */
  fit_sample delay;                /* start delays (owned) */
  fit_run_input run;               /* run times and outcomes (owned sample) */
  fit_delay d;
  fit_run r;
  double lag_ms;                   /* largest lateness of a TIMED_OUT, ms */
  bool small;                      /* fewer than FIT_SMALL_GROUP records */
  long borrowed;                   /* no records: behaviour of this group, or -1 */
  double delay_fallback_ms;        /* no device acted: exponential mean written */
} fit_group_result;

typedef struct fit_job {
  fit_history *h;
  fit_grid grid;
  fit_group_result *g;
  size_t n_g;
  char *scenario;                  /* the scenario file's text (without backtest) */
  size_t scenario_len;
  model_scenario *sc;              /* the same, loaded and validated */
  char name[65];                   /* scenario name */
  char **warnings;                 /* printed by the command on stderr */
  size_t n_warnings;
  struct fit_backtest *bt;         /* after fit_job_backtest() */
  double seconds_read, seconds_fit;   /* wall time of the phases */
  char *document;                  /* --document's text, or NULL ("{}") */
  uint64_t seed;                   /* simulation.seed written */
  char version[256];               /* "jobsim X (...)", for the provenance */
} fit_job;

int fit_job_new(fit_job **out, const fit_opts *o, sim_diag *d);
void fit_job_free(fit_job *j);     /* NULL is a no-op */

/* The fitted scenario's horizon: the listing instant up to the next second. */
sim_time_ms fit_scenario_horizon(const fit_history *h);

/* Replicate the fitted scenario `reps` times (threads 0: all cores). */
int fit_job_backtest(fit_job *j, size_t reps, unsigned threads, sim_diag *d);

/* Write the scenario to `out` (with the backtest's verdict in "fit" when
 * there is one) and, when report_dir is not NULL, the report there. */
int fit_job_write(fit_job *j, const char *out, const char *report_dir, bool plots,
                  const char *version_info, char *plots_note, size_t n, sim_diag *d);

#endif
