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
  REPORT_TS_EPOCH,     /* 1560787022.733 (wire format, AWS CLI v1) */
  REPORT_TS_ISO8601    /* 2019-06-17T15:57:02.733000+00:00 (AWS CLI v2, UTC) */
} report_ts_format;

typedef struct report_opts {
  report_ts_format ts;   /* timestamp rendering */
  bool compact;          /* one line instead of the CLI's indentation */
} report_opts;

/* Render a simulated instant (ms after start) as a JSON value text. */
void report_timestamp(const model_scenario *sc, sim_time_ms t, report_ts_format f,
                      char *buf, size_t n);

/* describe-job JSON of the engine's current state; NULL when out of memory. */
char *report_describe_job(const model_engine *e, const report_opts *o, size_t *len);

#endif
