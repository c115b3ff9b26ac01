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
 * Several jobs (the scenario's "jobs", create-job operations, a served
 * CreateJob) share the fleet: each keeps its own rollout, abort, timeouts,
 * retries and counters, and a simulated device works on one execution at a
 * time in StartNextPendingJobExecution order (O41). Jobs are numbered in
 * creation order; the functions without a job index are about job 0, the
 * scenario's first job.
 *
 * Ownership: the engine borrows the scenario (it must outlive the engine) and
 * owns everything else.
 *
 * Layout: one file per part of the engine: engine.c (wiring and this API),
 * engine_job.c (job status and counters), engine_exec.c (execution records
 * and their views), engine_device.c (device model, timers, retries),
 * engine_abort.c (abort rules), engine_rollout.c (rollout and schedule),
 * engine_ops.c ($.operations and the operations applied now),
 * engine_cancel.c (cancellation and deletion as they propagate),
 * engine_fleet.c (membership during the run), engine_registry.c (thing
 * groups and things beyond the scenario's), engine_data.c (the device data
 * plane); engine_internal.h is their shared state.
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
  sim_time_ms created_at;        /* ms after simulation start */
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
  /* One observation instant of one job (model_engine_observed): all changes
   * at `now` are applied. `why` is a MODEL_ROW_* mask; a describe-job
   * snapshot is due when it has SNAPSHOT, STATUS, START, END or OP. */
  void (*on_observe)(void *ud, const model_engine *e, unsigned why);
  /* A line of the story ("rate 50/min -> 100/min: ..."), no newline; about
   * job model_engine_observed(e), or the fleet when that is SIZE_MAX. */
  void (*on_log)(void *ud, const model_engine *e, const char *line);
  void *ud;
  /* Optional, NULL for none: called after every simulation event, so a
   * recorder can log each change of the job's counters at its instant (the
   * SQLite store does). Keep it cheap: it runs on the hot path. */
  void (*on_event)(void *ud, const model_engine *e);
} model_observer;

/* Build a replication of `sc` with master seed `seed`. `obs` may be NULL.
 * The scenario's jobs ($.job, $.jobs) are created at instant 0, its
 * create-job operations at their instants. */
int model_engine_new(model_engine **out, const model_scenario *sc, uint64_t seed,
                     const model_observer *obs, sim_diag *d);
void model_engine_free(model_engine *e);          /* NULL is a no-op */
/* Served fleets: the run never ends (no END observation, no horizon). */
void model_engine_set_open(model_engine *e, bool open);

/* Advance to `until` (ms after start; clamp to the scenario horizon). Stops
 * early once no job can change any more (then model_engine_finished()).
 * May be called again with a later time. Emits an END observation of every
 * job when the run finishes or reaches the horizon. */
int model_engine_run(model_engine *e, sim_time_ms until);
bool model_engine_finished(const model_engine *e);

const model_scenario *model_engine_scenario(const model_engine *e);
/* Things in the fleet now (initial ones plus those that joined). */
int64_t model_engine_things(const model_engine *e);
/* Name of thing t (also for things that joined later). */
void model_engine_thing_name(const model_engine *e, int64_t t, char *buf, size_t n);
/* Thing by name, -1 if the name was never a thing's; a deleted thing is
 * found (model_engine_thing_gone says so). O(groups + named joiners). */
int64_t model_engine_find_thing(const model_engine *e, const char *name);
bool model_engine_thing_gone(const model_engine *e, int64_t t);
sim_time_ms model_engine_now(const model_engine *e);
uint64_t model_engine_seed(const model_engine *e);
/* The job the current observer call is about; SIZE_MAX for fleet lines. */
size_t model_engine_observed(const model_engine *e);

/* ---------------------------------------------------------------- jobs --- */

#define MODEL_MAX_JOBS 4096    /* jobs one engine holds (event subjects: 12 bits) */

/* Jobs created so far (deleted ones included: job_at(j)->vanished). */
size_t model_engine_n_jobs(const model_engine *e);
/* Job by jobId, -1 if none was created with it. The newest one when a
 * deleted job's id was used again. */
long model_engine_find_job(const model_engine *e, const char *job_id);

const model_job *model_engine_job_at(const model_engine *e, size_t j);
/* The job's configuration now: the CreateJob request with every UpdateJob
 * and AssociateTargetsWithJob applied so far. */
const model_jobcfg *model_engine_config_at(const model_engine *e, size_t j);
/* Distinct things its targets covered when it was created. */
int64_t model_engine_targeted_at(const model_engine *e, size_t j);
/* Things of fleet group `group` whose device ran (started or rejected) an
 * execution of the job: the exposure of a release in that group. */
int64_t model_engine_group_ran_at(const model_engine *e, size_t j, size_t group);
/* Indices (into the job's targets) of the targets that still have things
 * without an execution, in target order (O8). Returns how many; writes at
 * most cap of them. */
size_t model_engine_processing_targets_at(const model_engine *e, size_t j, size_t *idx,
                                          size_t cap);
/* O35: the next (up to cap) maintenance-window starts after now, all windows
 * merged, as epoch ms; returns how many. */
size_t model_engine_next_windows_at(const model_engine *e, size_t j, int64_t *out,
                                    size_t cap);

/* Job 0 (the scenario's first job); these need one to exist. */
const model_jobcfg *model_engine_config(const model_engine *e);
const model_job *model_engine_job(const model_engine *e);
int64_t model_engine_group_ran(const model_engine *e, size_t group);
size_t model_engine_processing_targets(const model_engine *e, size_t *idx,
                                       size_t cap);
size_t model_engine_next_windows(const model_engine *e, int64_t *out, size_t cap);

/* ------------------------------------------------- execution records --- */

#define MODEL_MAX_DETAILS 10   /* statusDetails pairs (M-DATA) */

/* statusDetails an execution was given through the data plane. */
typedef struct model_details {
  size_t n;
  char *key[MODEL_MAX_DETAILS];     /* [a-zA-Z0-9:_-]+, 1..128 */
  char *value[MODEL_MAX_DETAILS];   /* 1..1024 characters */
} model_details;

/* One job-execution record, as describe-job-execution and
 * list-job-executions-for-job show it. */
typedef struct model_exec_view {
  size_t job;                   /* job index */
  int64_t thing;                /* thing index (model_engine_thing_name) */
  int exec_no;                  /* executionNumber, 1.. */
  int retry_attempt;            /* retryAttempt = executionNumber - 1 (O18) */
  int version;                  /* versionNumber: 1, +1 per device update */
  model_exec_status status;
  sim_time_ms queued_at;        /* ms */
  sim_time_ms started_at;       /* ms, -1 when never IN_PROGRESS */
  sim_time_ms updated_at;       /* ms, lastUpdatedAt */
  bool force_canceled;          /* canceled with force while IN_PROGRESS */
  bool latest;                  /* the thing's current execution */
  const model_details *details; /* statusDetails, NULL when none were sent */
} model_exec_view;

typedef int (*model_exec_fn)(void *ud, const model_exec_view *v);

/* Call fn for every execution record of job j in (thing, executionNumber)
 * order; stops and returns fn's value when it is non-zero. O(records log
 * records). */
int model_engine_foreach_exec_at(const model_engine *e, size_t j, model_exec_fn fn,
                                 void *ud);
/* The record of (thing, exec_no) of job j, or the latest one when exec_no
 * <= 0. false when the thing has no such execution (or the job vanished). */
bool model_engine_exec_at(const model_engine *e, size_t j, int64_t thing, int exec_no,
                          model_exec_view *out);
/* Timer deadline (ms) of thing t's IN_PROGRESS execution of job j, -1 if
 * none: for approximateSecondsBeforeTimedOut. */
sim_time_ms model_engine_exec_deadline_at(const model_engine *e, size_t j, int64_t t);

int model_engine_foreach_exec(const model_engine *e, model_exec_fn fn, void *ud);
bool model_engine_exec(const model_engine *e, int64_t thing, int exec_no,
                       model_exec_view *out);
sim_time_ms model_engine_exec_deadline(const model_engine *e, int64_t t);

/* Thing t's latest executions of every job that has one (vanished jobs
 * left out), pending ones first in StartNextPendingJobExecution order
 * (IN_PROGRESS, then QUEUED, each by queuedAt, then job creation order),
 * then the others in job order. Returns how many; writes at most cap. */
size_t model_engine_thing_execs(const model_engine *e, int64_t t, model_exec_view *out,
                                size_t cap);
/* The execution StartNextPendingJobExecution would return for thing t:
 * its IN_PROGRESS one, else its oldest QUEUED one of a job that is
 * IN_PROGRESS. false when none. */
bool model_engine_next_exec(const model_engine *e, int64_t t, model_exec_view *out);

/* ------------------------------------------------------------- writes --- */

/* A refusal as AWS would answer it: exception name and message. */
typedef struct model_refusal {
  char exception[48];            /* "InvalidStateTransitionException" */
  char message[600];
} model_refusal;

/* Apply operation `op` now, after every event up to now, with the rules and
 * messages of the scenario's operations; op->at and op->index are ignored,
 * its targets are resolved against the registry now. SIM_OK: applied;
 * SIM_ERR_STATE: refused, *why says why, nothing changed; other codes:
 * engine failure. Every string the engine keeps is copied. Events the
 * operation starts at now (a cancel batch, a rollout window) run at the
 * next model_engine_run, which may be to now. */
int model_engine_apply(model_engine *e, const model_op *op, model_refusal *why);

/* CreateJob now: `cfg` (validated by model_jobcfg_parse) is checked
 * against now (schedulingConfig) and the registry (targets), with the
 * messages of `jobsim validate` naming `file` and the paths under "$";
 * taken by the engine in every case (released on refusal). *index is the
 * new job's. Refusals: InvalidRequestException (validation),
 * ResourceAlreadyExistsException (the jobId exists, also while a deleted
 * one's deletion runs), LimitExceededException (MODEL_MAX_JOBS). */
int model_engine_create_job(model_engine *e, model_jobcfg *cfg, const char *file,
                            size_t *index, model_refusal *why);

/* Resolve a target ARN against the registry now (fleet groups, created
 * thing groups, every thing), with the scenario's messages. */
int model_engine_resolve_target(const model_engine *e, const char *arn,
                                model_target *out, sim_diag *d, const char *path);

/* ----------------------------------------------------------- registry --- */

/* A thing group as DescribeThingGroup shows it. */
typedef struct model_group_view {
  const char *name;
  const char *parent;            /* NULL: none */
  const char *description;       /* NULL: none */
  char id[40];
  sim_time_ms created_at;        /* ms; 0 for the scenario's groups */
  int64_t version;
  int64_t members;               /* members now */
  bool fleet;                    /* a group of the scenario's fleet */
} model_group_view;

/* Groups: the fleet's (0 .. n_fleet-1) then the created ones. */
size_t model_engine_n_groups(const model_engine *e);
long model_engine_find_group(const model_engine *e, const char *name);
void model_engine_group(const model_engine *e, size_t g, model_group_view *out);
/* Members of group g now, from position *pos (start at 0): up to cap of
 * them, in the group's order; *pos moves past them (-1 at the end).
 * recursive: also the members of its child groups. */
size_t model_engine_group_members(const model_engine *e, size_t g, bool recursive,
                                  int64_t *pos, int64_t *out, size_t cap);
/* thingId of thing t: a UUID minted from its name. */
void model_engine_thing_id(const model_engine *e, int64_t t, char *out, size_t n);
/* The groups thing t is in now, up to cap; returns how many. */
size_t model_engine_thing_groups(const model_engine *e, int64_t t, size_t *out, size_t cap);

/* CreateThing: a new thing in no group, driven by the behaviour of fleet
 * group `behavior_group`. ResourceAlreadyExists when the name is taken. */
int model_engine_create_thing(model_engine *e, const char *name, long behavior_group,
                              int64_t *thing, model_refusal *why);
/* DeleteThing (its executions of every job become REMOVED, O26). */
int model_engine_delete_thing(model_engine *e, int64_t t, model_refusal *why);
/* CreateThingGroup (parent: NULL or an existing created group). */
int model_engine_create_group(model_engine *e, const char *name, const char *parent,
                              const char *description, size_t *group,
                              model_refusal *why);
/* AddThingToThingGroup / RemoveThingFromThingGroup: membership changes
 * feed CONTINUOUS jobs as arrivals and departures do (join: an execution
 * when a job targets the group; leave: REMOVED, O26). A thing keeps its
 * fleet group as its behaviour; it joins or leaves that group, and any
 * created group, up to 10 groups at once. */
int model_engine_add_member(model_engine *e, int64_t t, size_t g, model_refusal *why);
int model_engine_remove_member(model_engine *e, int64_t t, size_t g, model_refusal *why);

/* ---------------------------------------------------------- data plane --- */

/* Things of a behaviour {"external": true}: no simulated device. */
bool model_engine_thing_external(const model_engine *e, int64_t t);

/* StartNextPendingJobExecution for thing t: its IN_PROGRESS execution
 * unchanged, or its oldest QUEUED one (model_engine_next_exec) moved to
 * IN_PROGRESS with `details` (NULL: none) and a step timer of step_min
 * minutes (0: none). *found false when nothing is pending. */
int model_engine_start_next(model_engine *e, int64_t t, const model_details *details,
                            int64_t step_min, bool *found, model_exec_view *out,
                            model_refusal *why);

typedef struct model_exec_update {
  model_exec_status status;      /* IN_PROGRESS, SUCCEEDED, FAILED or REJECTED */
  const model_details *details;  /* NULL: unchanged */
  int64_t expected_version;      /* -1: not given */
  int64_t execution_number;      /* 0: not given (the latest) */
  int64_t step_min;              /* stepTimeoutInMinutes 1..10080; -1 clears the
                                    step timer; 0: not given */
} model_exec_update;

/* UpdateJobExecution of job j on thing t, with AWS's rules: a terminal
 * execution refuses any change (InvalidStateTransitionException), so does
 * a force-canceled one; expectedVersion must equal versionNumber
 * (VersionConflictException); executionNumber must be the latest. A
 * terminal status feeds retries, abort and counters as a device's report
 * does. *out is the state after the update. */
int model_engine_update_exec(model_engine *e, size_t j, int64_t t,
                             const model_exec_update *u, model_exec_view *out,
                             model_refusal *why);

/* ----------------------------------------------------------- figures --- */

/* Kernel statistics for benchmarks. */
uint64_t model_engine_events(const model_engine *e);
size_t model_engine_peak_pending(const model_engine *e);
size_t model_engine_bytes(const model_engine *e);   /* heap held for records */

const char *model_job_status_name(model_job_status s);
const char *model_exec_status_name(model_exec_status s);

#endif
