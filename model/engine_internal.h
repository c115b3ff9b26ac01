/*
 * engine_internal.h — the engine's shared state: it owns the layout of
 * struct model_engine, the per-thing record, the side table of superseded
 * executions, the event kinds and priorities, and declares the functions the
 * engine's files call across file lines; only model/engine*.c include it.
 *
 * Who may touch what: each engine file's header comment says which fields
 * it writes; everything else it only reads. The functions declared at the
 * end are the engine's internal API, prefixed eng_ (the public one, engine.h,
 * is model_engine_); file-local helpers stay static and unprefixed.
 *
 * Per-thing state is one 32-byte record (its latest execution plus group,
 * membership and retry budget); superseded attempts of retried things go to
 * a side table, so memory is 32 bytes per thing plus 48 per retry. Pending
 * events stay proportional to the things in flight: a device has at most one
 * pending event (act, progress update, report or timeout — the engine
 * schedules whichever comes first, never several), plus a handful of
 * job-level events (rollout window, cancel batch, snapshot tick, operations,
 * maintenance windows, arrival processes).
 *
 * Device events carry the execution number they were scheduled for; an event
 * whose execution has moved on (canceled, removed, timed out, superseded) is
 * stale and ignored when it fires, which keeps force-cancel, removal and
 * deletion O(1) per execution.
 */
#ifndef JOBSIM_MODEL_ENGINE_INTERNAL_H
#define JOBSIM_MODEL_ENGINE_INTERNAL_H

#include <stdarg.h>

#include <gsl/gsl_rng.h>

#include "engine.h"
#include "index.h"
#include "world.h"

/* Event kinds (handler table indices). */
enum {
  K_DEVICE_ACT,      /* device picks up (or rejects) its QUEUED execution */
  K_DEVICE_DONE,     /* device reports a terminal status */
  K_TIMEOUT,         /* in-progress or step timer expires */
  K_PROGRESS,        /* device reports IN_PROGRESS again (step timer) */
  K_WINDOW,          /* a 60-second rollout window opens */
  K_CANCEL_BATCH,    /* cancellation propagation step */
  K_DELETE_BATCH,    /* deletion propagation step */
  K_TICK,            /* periodic describe-job snapshot */
  K_OBSERVE,         /* observation instant (after all changes at now) */
  K_OP,              /* an operation of $.operations */
  K_SCHED_START,     /* schedulingConfig.startTime */
  K_MW_OPEN,         /* a maintenance window opens */
  K_MW_CLOSE,        /* ... and closes */
  K_END_TIME,        /* schedulingConfig.endTime */
  K_ARRIVAL,         /* a new thing joins a group (Poisson) */
  K_DEPARTURE,       /* a member leaves a group (Poisson) */
  K_COUNT
};

/* Priorities at one instant: devices, then operations, then job steps, then
 * observation. */
enum {
  PRIO_DEVICE = 0,
  PRIO_FLEET = 3,
  PRIO_OP = 5,
  PRIO_SCHED = 8,
  PRIO_JOB = 10,
  PRIO_TICK = 20,
  PRIO_OBSERVE = 100
};

#define WINDOW_MS SIM_MS_PER_MIN

/* Per-thing flags. */
enum {
  F_MEMBER = 1 << 0,   /* in its fleet group now */
  F_SNAP = 1 << 1,     /* SNAPSHOT: member of a target group at rollout start */
  F_GONE = 1 << 2,     /* thing deleted */
  F_FORCE = 1 << 3,    /* latest execution was force-canceled */
  F_DEFERRED = 1 << 4, /* QUEUED execution waiting for a maintenance window */
  F_ROLLED = 1 << 5,   /* has had an execution (rollout does not return) */
  F_RAN = 1 << 6,      /* its device acted on an execution (started or rejected) */
  F_LISTED = 1 << 7    /* in its group's array of members (group_dyn.members) */
};

/* Internal status of a deleted record (never counted, never shown). */
#define EXEC_DELETED 0xff

typedef struct thing_state {
  sim_time_ms queued_at;     /* latest execution: queuedAt, ms */
  sim_time_ms started_at;    /* ms, -1 when never IN_PROGRESS */
  sim_time_ms updated_at;    /* ms, lastUpdatedAt */
  uint16_t group;            /* fleet group index */
  uint16_t exec_no;          /* its executionNumber, 0 = none yet */
  uint32_t status : 4;       /* model_exec_status of the latest execution */
  uint32_t flags : 8;        /* F_* */
  uint32_t retries : 8;      /* retries spent: low nibble FAILED, high TIMED_OUT */
  uint32_t retry_attempt : 4;/* its retryAttempt (<= 10) */
  uint32_t version : 8;      /* versionNumber; VERSION_BIG: see big_versions */
} thing_state;

/* versionNumber above 254 (a device that reports progress often) lives in
 * the engine's big_versions index; the 8-bit field then says VERSION_BIG.
 * This keeps the per-thing record at 32 bytes. */
#define VERSION_BIG 255u

_Static_assert(sizeof(thing_state) == 32, "per-thing state is 32 bytes");

typedef struct past_record {   /* a superseded execution (retried thing) */
  sim_time_ms queued_at, started_at, updated_at; /* ms */
  uint32_t thing;              /* thing index */
  uint32_t version;            /* versionNumber */
  uint16_t exec_no;            /* executionNumber */
  uint8_t status;              /* terminal status, or EXEC_DELETED */
  uint8_t retry_attempt;       /* retryAttempt */
  uint8_t force;               /* force-canceled */
  int64_t prev;                /* the thing's previous past record, -1 none */
} past_record;

typedef struct group_dyn {     /* things that joined a group after the start */
  int64_t *extras;             /* thing indices, ascending */
  char **names;                /* explicit name per extra, or NULL */
  int64_t n, cap;
  gsl_rng *rng;                /* fleet/<group>: arrivals, departures, picks */
  /* Current members, for random picks (departures, remove-/delete-things
   * by count): built at the first pick, then kept. Every member is in it
   * once (F_LISTED); a thing that left by name stays until a pick meets it
   * and drops it, so a pick is uniform over the members now. */
  uint32_t *members;
  int64_t n_members, cap_members;
  bool listed;                 /* members is built and maintained */
} group_dyn;

struct model_engine {
  const model_scenario *sc;
  model_jobcfg cfg;            /* live configuration (UpdateJob changes it) */
  model_target *targets;       /* live targets (AssociateTargetsWithJob adds) */
  char **target_arns;          /* borrowed strings, parallel to targets */
  size_t n_targets;
  sim_world *w;
  model_observer obs;
  uint64_t seed;
  model_job job;
  thing_state *things;         /* n_things records */
  int64_t n_things, cap_things;
  past_record *past;           /* side table of superseded executions */
  size_t n_past, cap_past;
  sim_index past_head;         /* thing -> its newest past record (chain) */
  sim_index extra_names;       /* hash(name) -> thing, for named joiners */
  sim_index big_versions;      /* thing -> versionNumber when above 254 */
  sim_index exec_high;         /* thing -> highest executionNumber issued, kept
                                  once its latest record was deleted (O27) */
  gsl_rng **group_rng;         /* one device stream per fleet group */
  group_dyn *groups;           /* dynamic membership per group */
  gsl_rng *lag_rng;            /* service/timeout-lag (O17) */
  int64_t *group_ran;          /* per group: things whose device acted */
  /* rollout */
  size_t tgt;                  /* current target index */
  int64_t *tgt_cursor;         /* next position inside each target's list */
  sim_event_id window_ev;      /* pending rollout window */
  int64_t windows;             /* rollout windows opened */
  bool rollout_started;        /* the first rollout window ran */
  bool rollout_stopped;        /* endTime with STOP_ROLLOUT (or CANCEL) */
  bool sched_started;          /* startTime passed (or none) */
  bool ended;                  /* endTime passed */
  int open_windows;            /* maintenance windows open now */
  int64_t *deferred;           /* things whose QUEUED execution waits for a window */
  size_t n_deferred, cap_deferred;
  /* cancellation / deletion propagation */
  bool cancel_pending;
  int64_t cancel_cursor;
  bool cancel_force;
  bool delete_pending;
  size_t delete_past_cursor;
  int64_t delete_cursor;
  /* observation */
  sim_time_ms obs_time;
  unsigned obs_bits;
  bool obs_scheduled;
  bool finished;
  bool end_emitted;
  sim_time_ms horizon;
};

static inline bool is_terminal(unsigned s) {
  return s >= MODEL_EXEC_SUCCEEDED && s < MODEL_EXEC_STATUS_COUNT;
}

static inline bool is_active(unsigned s) {
  return s == MODEL_EXEC_QUEUED || s == MODEL_EXEC_IN_PROGRESS;
}

static inline void fail_if(model_engine *e, int rc) {
  if (rc) sim_world_fail(e->w, rc);
}

static inline sim_time_ms now_of(const model_engine *e) { return sim_world_now(e->w); }

/* The highest executionNumber thing t has been given (0: none): its latest
 * record's, unless that was deleted (numbers are never reused, O27). */
static inline unsigned exec_high(const model_engine *e, int64_t t) {
  unsigned n = e->things[t].exec_no;
  if (e->exec_high.count) {
    size_t cur = 0;
    int64_t h = sim_index_next(&e->exec_high, (uint64_t)t, &cur);
    if (h > (int64_t)n) n = (unsigned)h;
  }
  return n;
}

static inline int64_t group_count0(const model_engine *e, long g) {
  return e->sc->fleet.groups[g].count;
}

/* ------------------------------------------ across the engine's files --- */

/* engine_job.c: the job's state and counters */
void eng_log(model_engine *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void eng_observe(model_engine *e, unsigned bits);
void eng_set_job_status(model_engine *e, model_job_status s);
void eng_set_status(model_engine *e, int64_t t, model_exec_status s);
void eng_new_execution(model_engine *e, int64_t t, unsigned retry_attempt);
void eng_finish_execution(model_engine *e, int64_t t, model_exec_status s);
void eng_check_done(model_engine *e);

/* engine_exec.c: execution records */
void eng_version_inc(model_engine *e, int64_t t);
int eng_push_past(model_engine *e, int64_t t);
past_record *eng_past_of(const model_engine *e, int64_t t, int64_t exec_no);

/* engine_device.c: the device model */
void eng_notify_device(model_engine *e, int64_t t);
void eng_maybe_retry(model_engine *e, int64_t t, model_exec_status s);
void eng_on_device_act(sim_world *w, const sim_event *ev, void *ud);
void eng_on_device_done(sim_world *w, const sim_event *ev, void *ud);
void eng_on_progress(sim_world *w, const sim_event *ev, void *ud);
void eng_on_timeout(sim_world *w, const sim_event *ev, void *ud);

/* engine_abort.c: the abort rules */
void eng_check_abort(model_engine *e);

/* engine_rollout.c: the rollout and the schedule */
bool eng_rollout_allowed(const model_engine *e);
void eng_schedule_window(model_engine *e, sim_time_ms at);
void eng_stop_windows(model_engine *e);
void eng_schedule_next_window(model_engine *e, size_t wi, sim_time_ms after);
void eng_on_window(sim_world *w, const sim_event *ev, void *ud);
void eng_on_sched_start(sim_world *w, const sim_event *ev, void *ud);
void eng_on_mw_open(sim_world *w, const sim_event *ev, void *ud);
void eng_on_mw_close(sim_world *w, const sim_event *ev, void *ud);
void eng_on_end_time(sim_world *w, const sim_event *ev, void *ud);

/* engine_ops.c: operations, cancellation and deletion */
void eng_cancel_job(model_engine *e, bool force, const char *reason,
                const char *comment, bool aborted);
void eng_cancel_upgrade(model_engine *e, const char *reason, const char *comment);
void eng_on_cancel_batch(sim_world *w, const sim_event *ev, void *ud);
void eng_on_delete_batch(sim_world *w, const sim_event *ev, void *ud);
void eng_on_op(sim_world *w, const sim_event *ev, void *ud);

/* engine_fleet.c: membership during the run */
int64_t eng_add_thing(model_engine *e, long gi, const char *name);
void eng_join(model_engine *e, int64_t t, const char *why);
void eng_leave(model_engine *e, int64_t t, const char *why);
void eng_delete_thing(model_engine *e, int64_t t);
int64_t eng_random_member(model_engine *e, long gi);
sim_time_ms eng_poisson_gap(gsl_rng *r, double per_hour);
void eng_on_arrival(sim_world *w, const sim_event *ev, void *ud);
void eng_on_departure(sim_world *w, const sim_event *ev, void *ud);

#endif
