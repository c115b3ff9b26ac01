/*
 * engine.h — one replication of an AWS IoT job over a simulated fleet: the
 * rollout controller (60-second windows, constant or exponential rate, quota
 * cap), the job-execution state machine driven by the device behaviours,
 * in-progress timeouts, retries, abort criteria, cancellation propagation and
 * the job status machine (spec §1-§7, §13). It writes no files: it reports
 * through a model_observer, and exposes its state read-only for reports.
 *
 * Event order at one instant: device transitions and timers (PRIO_DEVICE),
 * then job-level steps (rollout window, cancel batch), then observations
 * (timeline rows, snapshots), so an observation at T sees every change at T.
 *
 * Ownership: the engine borrows the scenario (it must outlive the engine) and
 * owns everything else.
 *
 * Layout: one file per part of the engine: engine.c (wiring and this API),
 * engine_job.c (job status and counters), engine_exec.c (execution records
 * and their views), engine_device.c (device model, timers, retries),
 * engine_abort.c (abort rules), engine_rollout.c (rollout and schedule),
 * engine_ops.c ($.operations, cancellation, deletion), engine_fleet.c
 * (membership during the run); engine_internal.h is their shared state.
 */
#ifndef JOBSIM_MODEL_ENGINE_H
#define JOBSIM_MODEL_ENGINE_H

#include <stdbool.h>
#include "sim.h"
#include "scenario.h"

typedef enum model_job_status {
  MODEL_JOB_IN_PROGRESS,
  MODEL_JOB_CANCELED,
  MODEL_JOB_COMPLETED,
  MODEL_JOB_DELETION_IN_PROGRESS,
  MODEL_JOB_SCHEDULED
} model_job_status;

/* Execution status; NONE means "no execution yet" (not rolled out). The
 * counter array of model_job is indexed by this enum. */
typedef enum model_exec_status {
  MODEL_EXEC_NONE,
  MODEL_EXEC_QUEUED,
  MODEL_EXEC_IN_PROGRESS,
  MODEL_EXEC_SUCCEEDED,
  MODEL_EXEC_FAILED,
  MODEL_EXEC_TIMED_OUT,
  MODEL_EXEC_REJECTED,
  MODEL_EXEC_REMOVED,
  MODEL_EXEC_CANCELED,
  MODEL_EXEC_STATUS_COUNT
} model_exec_status;

/* Job-level state, as describe-job shows it. */
typedef struct model_job {
  model_job_status status;
  sim_time_ms created_at;        /* ms after simulation start (always 0) */
  sim_time_ms last_updated_at;   /* ms, O24 */
  sim_time_ms completed_at;      /* ms, -1 unless COMPLETED */
  bool canceled;                 /* a cancel (user or abort) happened */
  bool force_canceled;           /* meaningful when canceled (O15, O39) */
  bool aborted;                  /* the cancel came from abortConfig */
  sim_time_ms aborted_at;        /* ms, -1 unless aborted */
  int abort_criterion;           /* index in criteriaList that fired, -1 none */
  int64_t things_ran;            /* things whose device started or rejected it */
  char reason_code[129];         /* "" when none */
  char comment[2048 + 1];        /* "" when none */
  bool is_concurrent;            /* rolling out or canceling */
  bool rollout_done;             /* every target thing has an execution */
  int64_t counters[MODEL_EXEC_STATUS_COUNT]; /* records per status */
  int64_t records;               /* execution records that exist (sum of counters) */
  int64_t created;               /* execution records ever created */
  int64_t deleted;               /* records deleted (DeleteJobExecution, DeleteJob) */
  int64_t notified;              /* things given a first execution (O6) */
  int64_t retries;               /* retry records created */
  int64_t refused_ops;           /* operations AWS would refuse (logged) */
  int64_t ops_left;              /* operations still to come */
  bool vanished;                 /* deleted: describe-job -> ResourceNotFound */
  int64_t rate;                  /* executions per minute now (0: not rolling out) */
  int64_t window_rate;           /* rate of the latest rollout window */
  double exact_rate;             /* un-floored exponential rate (O3) */
  int64_t rate_k;                /* number of exponential increases so far */
} model_job;

/* Why a timeline row was taken (bits; a row may have several). */
enum {
  MODEL_ROW_START = 1 << 0,
  MODEL_ROW_WINDOW = 1 << 1,
  MODEL_ROW_SNAPSHOT = 1 << 2,
  MODEL_ROW_STATUS = 1 << 3,   /* job status changed at this instant */
  MODEL_ROW_END = 1 << 4,
  MODEL_ROW_CANCEL = 1 << 5,   /* a cancellation or deletion batch ran */
  MODEL_ROW_OP = 1 << 6        /* an operation changed the job (snapshot due) */
};

typedef struct model_engine model_engine;

typedef struct model_observer {
  /* One observation instant: all changes at `now` are applied. `why` is a
   * MODEL_ROW_* mask; a describe-job snapshot is due when it has SNAPSHOT,
   * STATUS, START or END. */
  void (*on_observe)(void *ud, const model_engine *e, unsigned why);
  /* (why: STATUS, START, END, SNAPSHOT and OP mean a snapshot is due) */
  /* A line of the job's story ("rate 50/min -> 100/min: ..."), no newline. */
  void (*on_log)(void *ud, const model_engine *e, const char *line);
  void *ud;
  /* Optional, NULL for none: called after every simulation event, so a
   * recorder can log each change of the job's counters at its instant (the
   * SQLite store does). Keep it cheap: it runs on the hot path. */
  void (*on_event)(void *ud, const model_engine *e);
} model_observer;

/* Build a replication of `sc` with master seed `seed`. `obs` may be NULL. */
int model_engine_new(model_engine **out, const model_scenario *sc, uint64_t seed,
                     const model_observer *obs, sim_diag *d);
void model_engine_free(model_engine *e);          /* NULL is a no-op */

/* Advance to `until` (ms after start; clamp to the scenario horizon). Stops
 * early once the job can no longer change (then model_engine_finished()).
 * May be called again with a later time. Emits an END observation when the
 * run finishes or reaches the horizon. */
int model_engine_run(model_engine *e, sim_time_ms until);
bool model_engine_finished(const model_engine *e);

const model_scenario *model_engine_scenario(const model_engine *e);
/* The job's configuration now: the CreateJob request with every UpdateJob
 * and AssociateTargetsWithJob applied so far. */
const model_jobcfg *model_engine_config(const model_engine *e);
/* Things of fleet group `group` whose device ran (started or rejected) an
 * execution of the job: the exposure of a release in that group. */
int64_t model_engine_group_ran(const model_engine *e, size_t group);
/* Things in the fleet now (initial ones plus those that joined). */
int64_t model_engine_things(const model_engine *e);
/* Name of thing t (also for things that joined later). */
void model_engine_thing_name(const model_engine *e, int64_t t, char *buf, size_t n);
/* Thing by name, -1 if unknown. O(groups + named joiners). */
int64_t model_engine_find_thing(const model_engine *e, const char *name);
/* O35: the next (up to cap) maintenance-window starts after now, all windows
 * merged, as epoch ms; returns how many. */
size_t model_engine_next_windows(const model_engine *e, int64_t *out, size_t cap);
const model_job *model_engine_job(const model_engine *e);
sim_time_ms model_engine_now(const model_engine *e);
uint64_t model_engine_seed(const model_engine *e);

/* Indices (into the job's targets) of the targets that still have things
 * without an execution, in target order (O8). Returns how many; writes at
 * most cap of them. */
size_t model_engine_processing_targets(const model_engine *e, size_t *idx,
                                       size_t cap);

/* ------------------------------------------------- execution records --- */

/* One job-execution record, as describe-job-execution and
 * list-job-executions-for-job show it. */
typedef struct model_exec_view {
  int64_t thing;                /* thing index (model_fleet_thing_name) */
  int exec_no;                  /* executionNumber, 1.. */
  int retry_attempt;            /* retryAttempt = executionNumber - 1 (O18) */
  int version;                  /* versionNumber: 1, +1 per device update */
  model_exec_status status;
  sim_time_ms queued_at;        /* ms */
  sim_time_ms started_at;       /* ms, -1 when never IN_PROGRESS */
  sim_time_ms updated_at;       /* ms, lastUpdatedAt */
  bool force_canceled;          /* canceled with force while IN_PROGRESS */
  bool latest;                  /* the thing's current execution */
} model_exec_view;

typedef int (*model_exec_fn)(void *ud, const model_exec_view *v);

/* Call fn for every execution record in (thing, executionNumber) order;
 * stops and returns fn's value when it is non-zero. O(records log retries). */
int model_engine_foreach_exec(const model_engine *e, model_exec_fn fn, void *ud);
/* The record of (thing, exec_no), or the latest one when exec_no <= 0.
 * false when the thing has no such execution. */
bool model_engine_exec(const model_engine *e, int64_t thing, int exec_no,
                       model_exec_view *out);

/* Timer deadline (ms) of thing t's IN_PROGRESS execution, -1 if none: for
 * approximateSecondsBeforeTimedOut. */
sim_time_ms model_engine_exec_deadline(const model_engine *e, int64_t t);

/* Kernel statistics for benchmarks. */
uint64_t model_engine_events(const model_engine *e);
size_t model_engine_peak_pending(const model_engine *e);
size_t model_engine_bytes(const model_engine *e);   /* heap held by the engine */

const char *model_job_status_name(model_job_status s);
const char *model_exec_status_name(model_exec_status s);

#endif
