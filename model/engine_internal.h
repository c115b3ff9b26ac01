/*
 * engine_internal.h — the engine's shared state: it owns the layout of
 * struct model_engine and of one job's state (struct eng_job), the per-thing
 * record, the side table of superseded executions, the event kinds and
 * priorities, and declares the functions the engine's files call across
 * file lines; only model/engine*.c include it.
 *
 * Who may touch what: each engine file's header comment says which fields
 * it writes; everything else it only reads. The functions declared at the
 * end are the engine's internal API, prefixed eng_ (the public one, engine.h,
 * is model_engine_); file-local helpers stay static and unprefixed.
 *
 * Several jobs share one fleet. The fleet's per-thing state (group,
 * membership) and the first job's executions live in one 32-byte record per
 * thing (e->things), so a one-job run costs what it always did: 32 bytes per
 * thing plus 48 per retry. Every later job keeps its records in its own
 * array, one per thing it has touched (an execution, or SNAPSHOT
 * membership), found through a hash index: memory per job and targeted
 * thing, nothing for things a job does not target. Superseded attempts of
 * retried things go to each job's side table.
 *
 * Pending events stay proportional to the things in flight: a device has at
 * most one pending event (act, progress update, report or timeout — the
 * engine schedules whichever comes first, never several), plus a handful of
 * job-level events per job (rollout window, cancel batch, operations,
 * maintenance windows) and fleet-level ones (snapshot tick, arrivals).
 *
 * Device events carry the job and the execution number they were scheduled
 * for; an event whose execution has moved on (canceled, removed, timed out,
 * superseded) is stale and ignored when it fires, which keeps force-cancel,
 * removal and deletion O(1) per execution.
 *
 * A device works on one execution at a time (O41): with several jobs, an
 * execution queued while its device is busy with another job's is marked
 * F_WAIT and handed to the device when that one ends, in
 * StartNextPendingJobExecution order (oldest queuedAt first, then job
 * creation order). A single-job run never sets F_WAIT.
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

/* Per-record flags (8 bits). F_MEMBER, F_GONE and F_LISTED are the fleet's
 * and live in e->things only; the others are per (job, thing). */
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
/* More per-(job, thing) flags, in the record's spare group bits. */
enum {
  X_WAIT = 1 << 0,     /* QUEUED, waiting for its device (busy with another job's) */
  X_DETAILS = 1 << 1   /* statusDetails were sent (e->details holds them) */
};

/* Internal status of a deleted record (never counted, never shown). */
#define EXEC_DELETED 0xff

typedef struct thing_state {
  sim_time_ms queued_at;     /* latest execution: queuedAt, ms */
  sim_time_ms started_at;    /* ms, -1 when never IN_PROGRESS */
  sim_time_ms updated_at;    /* ms, lastUpdatedAt */
  uint16_t group : 12;       /* fleet group index (< MODEL_MAX_GROUPS) */
  uint16_t xflags : 4;       /* X_* */
  uint16_t exec_no;          /* its executionNumber, 0 = none yet */
  uint32_t status : 4;       /* model_exec_status of the latest execution */
  uint32_t flags : 8;        /* F_* */
  uint32_t retries : 8;      /* retries spent: low nibble FAILED, high TIMED_OUT */
  uint32_t retry_attempt : 4;/* its retryAttempt (<= 10) */
  uint32_t version : 8;      /* versionNumber; VERSION_BIG: see big_versions */
} thing_state;

/* versionNumber above 254 (a device that reports progress often) lives in
 * the job's big_versions index; the 8-bit field then says VERSION_BIG.
 * This keeps the per-thing record at 32 bytes. */
#define VERSION_BIG 255u

_Static_assert(sizeof(thing_state) == 32, "per-thing state is 32 bytes");
_Static_assert(MODEL_MAX_GROUPS <= 4096, "group index fits 12 bits");

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

/* A thing group created at run time (CreateThingGroup): its members are
 * stored (the fleet's groups keep theirs implicit). */
typedef struct eng_tgroup {
  char *name;
  char *parent;                /* parentGroupName, or NULL */
  char *description;           /* thingGroupProperties.thingGroupDescription, or NULL */
  char id[40];                 /* a UUID minted from the name */
  sim_time_ms created_at;
  int64_t version;
  int64_t *members;            /* thing indices in joining order, -1 when left */
  int64_t n_members, cap_members;
  int64_t count;               /* members now */
} eng_tgroup;

/* One job: its configuration, its execution records and its rollout. */
typedef struct eng_job {
  size_t index;                /* creation order, 0.. */
  model_jobcfg cfg;            /* live configuration (UpdateJob changes it) */
  model_jobcfg own_cfg;        /* a created job's request, owned (else zeroed) */
  char **pool;                 /* strings copied from operations, owned */
  size_t n_pool, cap_pool;
  model_target *targets;       /* live targets (AssociateTargetsWithJob adds) */
  char **target_arns;          /* strings borrowed or pooled, parallel to targets */
  size_t n_targets;
  int64_t n_targeted;          /* distinct things its targets covered at creation */
  model_job job;
  /* schedulingConfig, relative to the simulation start */
  bool has_start, has_end;
  sim_time_ms start_at, end_at;
  const model_cron *windows;   /* parsed maintenanceWindows (borrowed or owned) */
  model_cron *own_windows;
  size_t n_windows;
  /* records: the first job's are e->things (dense); the others' are recs,
   * found by thing through rec_of */
  bool dense;
  thing_state *recs;
  uint32_t *rec_thing;         /* thing of each record in recs */
  int64_t n_recs, cap_recs;
  sim_index rec_of;            /* thing -> index in recs */
  past_record *past;           /* side table of superseded executions */
  size_t n_past, cap_past;
  sim_index past_head;         /* thing -> its newest past record (chain) */
  sim_index big_versions;      /* thing -> versionNumber when above 254 */
  sim_index exec_high;         /* thing -> highest executionNumber issued, kept
                                  once its latest record was deleted (O27) */
  gsl_rng **group_rng;         /* device stream per fleet group (lazy after job 0) */
  gsl_rng *lag_rng;            /* service/timeout-lag (O17), NULL when no lag */
  int64_t *group_ran;          /* per group: things whose device acted */
  /* rollout */
  size_t tgt;                  /* current target index */
  int64_t *tgt_cursor;         /* next position inside each target's list */
  sim_event_id window_ev;      /* pending rollout window */
  int64_t windows_opened;      /* rollout windows opened */
  bool rollout_started;        /* the first rollout window ran */
  bool rollout_stopped;        /* endTime with STOP_ROLLOUT (or CANCEL) */
  bool sched_started;          /* startTime passed (or none) */
  bool ended;                  /* endTime passed */
  bool waiting_slot;           /* O42: at the concurrent-jobs quota, rolls nothing */
  int open_windows;            /* maintenance windows open now */
  sim_time_ms mw_open_until;   /* latest close of the windows opened so far */
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
  bool end_seen;               /* its END observation ran */
} eng_job;

struct model_engine {
  const model_scenario *sc;
  sim_world *w;
  model_observer obs;
  uint64_t seed;
  bool open;                   /* served: never finishes, no horizon END */
  thing_state *things;         /* fleet state + the first job's records */
  int64_t n_things, cap_things;
  sim_index extra_names;       /* hash(name) -> thing, for named joiners */
  group_dyn *groups;           /* dynamic membership per group */
  eng_job **jobs;              /* creation order */
  size_t n_jobs, cap_jobs;
  bool multi;                  /* a second job exists: devices choose (O41) */
  int64_t n_concurrent;        /* jobs rolling out or canceling (O42) */
  int64_t ops_left;            /* scenario operations still to come */
  size_t observed;             /* job of the current observer call, SIZE_MAX fleet */
  /* registry beyond the scenario's groups */
  eng_tgroup *tgroups;
  size_t n_tgroups, cap_tgroups;
  sim_index tg_member;         /* (tgroup << 32 | thing) -> position in members */
  sim_index tg_count;          /* thing -> created groups it is in */
  sim_index thing_created;     /* thing -> creation instant (CreateThing) */
  /* statusDetails sent through the data plane: (job << 32 | thing) -> index */
  sim_index details_of;
  /* timers of external things' executions, (job << 32 | thing) -> */
  sim_index ext_timer;         /* ... the pending K_TIMEOUT's handle */
  sim_index ext_deadline;      /* ... its deadline, ms (0: none) */
  model_details *details;
  size_t n_details, cap_details;
  /* run */
  bool finished;
  bool end_emitted;
  size_t ends_seen;
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

/* Job J's record of thing t, NULL when it has none. */
thing_state *eng_rec_slow(const model_engine *e, const eng_job *J, int64_t t);
static inline thing_state *eng_rec(const model_engine *e, const eng_job *J, int64_t t) {
  return J->dense ? &e->things[t] : eng_rec_slow(e, J, t);
}

/* The highest executionNumber thing t has been given in job J (0: none):
 * its latest record's, unless that was deleted (numbers are never reused,
 * O27). */
static inline unsigned exec_high(const model_engine *e, const eng_job *J, int64_t t) {
  const thing_state *th = eng_rec(e, J, t);
  unsigned n = th ? th->exec_no : 0;
  if (J->exec_high.count) {
    size_t cur = 0;
    int64_t h = sim_index_next(&J->exec_high, (uint64_t)t, &cur);
    if (h > (int64_t)n) n = (unsigned)h;
  }
  return n;
}

static inline int64_t group_count0(const model_engine *e, long g) {
  return e->sc->fleet.groups[g].count;
}

/* ------------------------------------------ across the engine's files --- */

/* engine_job.c: the jobs' state and counters */
void eng_log(model_engine *e, const eng_job *J, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void eng_observe(model_engine *e, eng_job *J, unsigned bits);
void eng_set_job_status(model_engine *e, eng_job *J, model_job_status s);
void eng_set_concurrent(model_engine *e, eng_job *J, bool on);
/* A counted status change of J's record th (thing t). */
static inline void eng_set_status(model_engine *e, eng_job *J, int64_t t, thing_state *th,
                                  model_exec_status s) {
  (void)t;
  SIM_ASSERT(th->status != MODEL_EXEC_NONE);
  SIM_ASSERT(!is_terminal(th->status));   /* no move out of a terminal status */
  J->job.counters[th->status]--;
  J->job.counters[s]++;
  th->status = (uint8_t)s;
  th->updated_at = now_of(e);
}
void eng_new_execution(model_engine *e, eng_job *J, int64_t t, unsigned retry_attempt);
void eng_finish_execution(model_engine *e, eng_job *J, int64_t t, thing_state *th,
                          model_exec_status s);
void eng_check_done(model_engine *e, eng_job *J);
void eng_check_finished(model_engine *e);
int eng_job_new(model_engine *e, eng_job **out);
void eng_job_free(model_engine *e, eng_job *J);
char *eng_keep(model_engine *e, eng_job *J, const char *s);

/* engine_exec.c: execution records */
thing_state *eng_rec_make_slow(model_engine *e, eng_job *J, int64_t t);
/* Job J's record of thing t, made (no execution yet) when it has none;
 * NULL when out of memory (the run fails). May move J's other records. */
static inline thing_state *eng_rec_make(model_engine *e, eng_job *J, int64_t t) {
  return J->dense ? &e->things[t] : eng_rec_make_slow(e, J, t);
}
void eng_version_inc_slow(model_engine *e, eng_job *J, int64_t t, thing_state *th);
/* One more device update of thing t's execution. */
static inline void eng_version_inc(model_engine *e, eng_job *J, int64_t t,
                                   thing_state *th) {
  if (th->version < VERSION_BIG - 1) th->version++;
  else eng_version_inc_slow(e, J, t, th);
}
uint32_t eng_version_of(const eng_job *J, int64_t t, const thing_state *th);
int eng_push_past(model_engine *e, eng_job *J, int64_t t, const thing_state *th);
past_record *eng_past_of(const eng_job *J, int64_t t, int64_t exec_no);
int64_t eng_rec_thing(const model_engine *e, const eng_job *J, int64_t i);
const model_details *eng_details(const model_engine *e, const eng_job *J, int64_t t,
                                 const thing_state *th);
int eng_details_merge(model_engine *e, eng_job *J, int64_t t, thing_state *th,
                      const model_details *in);
void eng_details_free(model_engine *e);

/* engine_device.c: the device model */
void eng_notify_device(model_engine *e, eng_job *J, int64_t t, unsigned group);
void eng_device_resume(model_engine *e, eng_job *J, int64_t t);
void eng_device_free(model_engine *e, int64_t t);
void eng_maybe_retry(model_engine *e, eng_job *J, int64_t t, model_exec_status s);
bool eng_external(const model_engine *e, int64_t t);
gsl_rng *eng_device_rng_slow(model_engine *e, eng_job *J, size_t group);
static inline gsl_rng *eng_device_rng(model_engine *e, eng_job *J, size_t group) {
  return J->group_rng[group] ? J->group_rng[group] : eng_device_rng_slow(e, J, group);
}
void eng_start_timer(model_engine *e, eng_job *J, int64_t t, thing_state *th,
                     int64_t step_min, bool fresh);
void eng_on_device_act(sim_world *w, const sim_event *ev, void *ud);
void eng_on_device_done(sim_world *w, const sim_event *ev, void *ud);
void eng_on_progress(sim_world *w, const sim_event *ev, void *ud);
void eng_on_timeout(sim_world *w, const sim_event *ev, void *ud);

/* engine_abort.c: the abort rules */
void eng_check_abort(model_engine *e, eng_job *J);

/* engine_rollout.c: the rollout and the schedule */
bool eng_rollout_allowed(const eng_job *J);
void eng_schedule_window(model_engine *e, eng_job *J, sim_time_ms at);
void eng_stop_windows(model_engine *e, eng_job *J);
void eng_schedule_next_window(model_engine *e, eng_job *J, size_t wi, sim_time_ms after);
int eng_start_job(model_engine *e, eng_job *J);
void eng_on_window(sim_world *w, const sim_event *ev, void *ud);
void eng_on_sched_start(sim_world *w, const sim_event *ev, void *ud);
void eng_on_mw_open(sim_world *w, const sim_event *ev, void *ud);
void eng_on_mw_close(sim_world *w, const sim_event *ev, void *ud);
void eng_on_end_time(sim_world *w, const sim_event *ev, void *ud);
bool eng_in_created_group(const model_engine *e, size_t g, int64_t t);
/* Is thing t a member of the target group now? */
static inline bool eng_in_target_group(const model_engine *e, const model_target *tg,
                                       int64_t t) {
  size_t nf = e->sc->fleet.n_groups;
  if ((size_t)tg->group < nf)
    return e->things[t].group == tg->group && (e->things[t].flags & F_MEMBER);
  return eng_in_created_group(e, (size_t)tg->group - nf, t);
}

/* engine_cancel.c: cancellation and deletion as they propagate */
void eng_cancel_job(model_engine *e, eng_job *J, bool force, const char *reason,
                    const char *comment, bool aborted);
void eng_cancel_upgrade(model_engine *e, eng_job *J, const char *reason,
                        const char *comment);
void eng_on_cancel_batch(sim_world *w, const sim_event *ev, void *ud);
void eng_on_delete_batch(sim_world *w, const sim_event *ev, void *ud);
/* A deleted record of J with `status` leaves the counters (deletion
 * batches, delete-job-execution). */
static inline void eng_delete_record_counts(eng_job *J, unsigned status) {
  J->job.counters[status]--;
  J->job.records--;
  J->job.deleted++;
}

/* engine_ops.c: operations */
void eng_on_op(sim_world *w, const sim_event *ev, void *ud);
int eng_create_scenario_job(model_engine *e, const model_job_spec *spec);

/* engine_fleet.c: membership during the run */
int64_t eng_add_thing(model_engine *e, long gi, const char *name);
void eng_join(model_engine *e, int64_t t, const char *why);
void eng_leave(model_engine *e, int64_t t, const char *why);
int eng_joined(model_engine *e, int64_t t, long g);
int eng_left(model_engine *e, int64_t t, bool deleted);
void eng_delete_thing(model_engine *e, int64_t t);
int64_t eng_random_member(model_engine *e, long gi);
sim_time_ms eng_poisson_gap(gsl_rng *r, double per_hour);
void eng_on_arrival(sim_world *w, const sim_event *ev, void *ud);
void eng_on_departure(sim_world *w, const sim_event *ev, void *ud);

/* engine_registry.c: thing groups and things beyond the scenario's */
void eng_tgroups_free(model_engine *e);

#endif
