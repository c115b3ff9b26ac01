/*
 * timeline.h — one timeline row: the job's counters, rate and status at one
 * observation instant, as timeline.csv, the SQLite store and the plots all
 * show it. A row is a plain value copied out of the engine at the instant
 * (the engine's state moves on), so writers can keep rows for later.
 *
 * Ownership: rows are plain values; callers own every buffer.
 */
#ifndef JOBSIM_REPORT_TIMELINE_H
#define JOBSIM_REPORT_TIMELINE_H

#include <stdbool.h>
#include <stdio.h>
#include "engine.h"

typedef struct report_timeline_row {
  sim_time_ms at;             /* ms after the simulation start (the first job's
                                 creation) */
  unsigned why;               /* MODEL_ROW_* bits */
  model_job_status status;    /* job status */
  bool vanished;              /* the job was deleted (status shows DELETED) */
  int64_t rate;               /* rollout rate /min (window rate on window rows) */
  int64_t notified;           /* things notified so far */
  int64_t counters[MODEL_EXEC_STATUS_COUNT]; /* records per execution status */
  int64_t records;            /* execution records created */
} report_timeline_row;

/* The CSV header line (with newline) of timeline.csv. */
extern const char report_timeline_header[];

/* Copy the engine's state at an observation with reason bits `why`. */
void report_timeline_take(report_timeline_row *r, const model_engine *e, unsigned why);
/* The same for job `job` of the engine (report_timeline_take: job 0). */
void report_timeline_take_at(report_timeline_row *r, const model_engine *e, size_t job,
                             unsigned why);
/* "window+snapshot": the reason bits as text (n >= 80). */
void report_timeline_reason(unsigned why, char *buf, size_t n);
/* The status column: the job status, or DELETED once the job is gone. */
const char *report_timeline_status(const report_timeline_row *r);
/* One CSV line of timeline.csv (with newline); start_epoch_ms dates it. */
void report_timeline_write_csv(FILE *f, const report_timeline_row *r,
                               int64_t start_epoch_ms);

#endif
