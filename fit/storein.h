/*
 * storein.h — what `jobsim fit` reads from a jobsim report's run.sqlite.
 * Every SQL statement that touches the store is in storein.c, and each
 * names only columns docs/store.md documents (run.start_epoch_ms, end_ms,
 * things_targeted, executions_stored; job_view.at_ms, deleted, epoch; in a
 * version 1 store the execution table's thing, execution_number,
 * retry_attempt, status, queued_at_ms, started_at_ms, last_updated_at_ms;
 * in a version 2 store execution_chunk, thing_range and thing, read
 * directly rather than through the view `execution`, which builds names
 * and status words in SQL at about three times the cost of the whole fit).
 * A chunk is checked as it is parsed: exit 3 naming table and row.
 *
 * Ownership: strings handed to the callback live for the call only; the
 * describe-job text is the caller's (free()).
 */
#ifndef JOBSIM_FIT_STOREIN_H
#define JOBSIM_FIT_STOREIN_H

#include <stdbool.h>
#include <stdint.h>
#include "sim.h"

/* True when the file starts with the SQLite header. */
bool fit_store_is_sqlite(const char *path);

typedef struct fit_store_run {
  int64_t start_epoch_ms;     /* the job's createdAt */
  int64_t end_ms;             /* where the run ended, ms after creation */
  int64_t things_targeted;    /* things the job targeted */
  bool executions_stored;     /* false after jobsim run --no-executions */
} fit_store_run;

/* The run row and the final describe-job (epoch timestamps), *text is
 * malloc'ed. */
int fit_store_read_job(const char *path, fit_store_run *run, char **text, sim_diag *d);

typedef int (*fit_store_exec_fn)(void *ud, const char *thing, int64_t exec_no,
                                 int64_t retry, const char *status, int64_t queued_ms,
                                 int64_t started_ms /* -1: NULL */, int64_t updated_ms);
/* Every execution record; the run row too (for the observation instant).
 * Stops at the callback's first non-zero return and returns it. */
int fit_store_read_executions(const char *path, fit_store_run *run, fit_store_exec_fn fn,
                              void *ud, sim_diag *d);

#endif
