/*
 * describe.h — `aws iot describe-job` output for the current state of an
 * engine, in the exact shape, field presence and field order of spec §11
 * (O35, O39, O40), printed as the AWS CLI prints it.
 *
 * Ownership: returned text is the caller's (free with free()).
 */
#ifndef JOBSIM_REPORT_DESCRIBE_H
#define JOBSIM_REPORT_DESCRIBE_H

#include <stdbool.h>
#include "engine.h"

typedef enum report_ts_format {
  REPORT_TS_EPOCH,     /* 1560787022.733, 1767225600.0 (AWS CLI v1: Python float repr) */
  REPORT_TS_ISO8601    /* 2019-06-17T15:57:02.733000+00:00 (AWS CLI v2, UTC) */
} report_ts_format;

typedef struct report_opts {
  report_ts_format ts;   /* timestamp rendering */
  bool compact;          /* one line instead of the CLI's indentation */
} report_opts;

/* Render a simulated instant (ms after start) as a JSON value text. */
void report_timestamp(const model_scenario *sc, sim_time_ms t, report_ts_format f,
                      char *buf, size_t n);

/* describe-job JSON of the engine's current state; NULL when out of memory.
 * report_describe_job is about job 0, the _at form about job `job`. */
char *report_describe_job(const model_engine *e, const report_opts *o, size_t *len);
char *report_describe_job_at(const model_engine *e, size_t job, const report_opts *o,
                             size_t *len);

/* Everything describe-job shows, from wherever it comes. */
typedef struct report_job_view {
  const model_scenario *sc;      /* region, account, creation instant */
  const model_jobcfg *cfg;       /* configuration now (UpdateJob applied) */
  const model_job *job;          /* job-level state */
  const size_t *processing;      /* indices of processingTargets (O8) */
  size_t n_processing;
  const int64_t *rollouts;       /* next maintenance-window starts, epoch ms (O35) */
  size_t n_rollouts;
} report_job_view;

char *report_describe_job_view(const report_job_view *v, const report_opts *o,
                               size_t *len);

/* The same from a job state recorded elsewhere (the SQLite store): `j` is the
 * job-level state, `processing` the indices of the processingTargets (O8),
 * n_processing of them; the configuration is the scenario's own. */
char *report_describe_job_state(const model_scenario *sc, const model_job *j,
                                const size_t *processing, size_t n_processing,
                                const report_opts *o, size_t *len);

#endif
