/*
 * engine.c — one replication of an AWS IoT job (see engine.h).
 *
 * Per-thing state is one 40-byte record (its latest execution plus group,
 * membership and retry budget); superseded attempts of retried things go to
 * a side table, so memory is ~40 bytes per thing plus ~40 per retry. Pending
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
#define _POSIX_C_SOURCE 200809L
#include "engine.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "duration.h"
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
  F_RAN = 1 << 6       /* its device acted on an execution (started or rejected) */
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
  uint32_t flags : 7;        /* F_* */
  uint32_t retries : 8;      /* retries spent: low nibble FAILED, high TIMED_OUT */
  uint32_t retry_attempt : 4;/* its retryAttempt (<= 10) */
  uint32_t version : 9;      /* versionNumber; VERSION_BIG: see big_versions */
} thing_state;

/* versionNumber above 510 (a device that reports progress very often) lives
 * in the engine's big_versions index; the 9-bit field then says VERSION_BIG.
 * This keeps the per-thing record at 32 bytes. */
#define VERSION_BIG 511u

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
  sim_index big_versions;      /* thing -> versionNumber when above 510 */
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

static const char *const job_status_names[] = {
    "IN_PROGRESS", "CANCELED", "COMPLETED", "DELETION_IN_PROGRESS", "SCHEDULED"};
static const char *const exec_status_names[] = {
    "NONE", "QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED",
    "TIMED_OUT", "REJECTED", "REMOVED", "CANCELED"};

const char *model_job_status_name(model_job_status s) {
  return (unsigned)s < 5 ? job_status_names[s] : "?";
}
const char *model_exec_status_name(model_exec_status s) {
  return (unsigned)s < MODEL_EXEC_STATUS_COUNT ? exec_status_names[s] : "?";
}

static bool is_terminal(unsigned s) {
  return s >= MODEL_EXEC_SUCCEEDED && s < MODEL_EXEC_STATUS_COUNT;
}

static bool is_active(unsigned s) {
  return s == MODEL_EXEC_QUEUED || s == MODEL_EXEC_IN_PROGRESS;
}

/* ------------------------------------------------------------ logging --- */

static void logf_(model_engine *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void logf_(model_engine *e, const char *fmt, ...) {
  if (!e->obs.on_log) return;
  char line[1400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  e->obs.on_log(e->obs.ud, e, line);
}

static void fail_if(model_engine *e, int rc) {
  if (rc) sim_world_fail(e->w, rc);
}

static sim_time_ms now_of(const model_engine *e) { return sim_world_now(e->w); }

/* Ask for an observation at the current instant, after every change. */
static void observe(model_engine *e, unsigned bits) {
  sim_time_ms now = now_of(e);
  if (e->obs_scheduled && e->obs_time == now) {
    e->obs_bits |= bits;
    return;
  }
  e->obs_scheduled = true;
  e->obs_time = now;
  e->obs_bits = bits;
  fail_if(e, sim_world_schedule(e->w, now, PRIO_OBSERVE, K_OBSERVE, 0, 0, NULL));
}

static void set_job_status(model_engine *e, model_job_status s) {
  if (e->job.status == s) return;
  e->job.status = s;
  e->job.last_updated_at = now_of(e);
  observe(e, MODEL_ROW_STATUS);
}

/* ------------------------------------------------------------- things --- */

static const model_behavior *behavior_of(const model_engine *e, int64_t t) {
  const model_fleet *f = &e->sc->fleet;
  return &f->behaviors[f->groups[e->things[t].group].behavior];
}

/* Device events pack (thing, execution number, outcome) in the subject and
 * (report instant, in-progress timeout minutes) in the argument: the report
 * instant fits 42 bits (SIM_DURATION_MAX < 2^42; all ones = never reports),
 * the timeout 14 bits (<= 10080). */
#define NO_REPORT ((UINT64_C(1) << 42) - 1)
static uint64_t dev_subject(int64_t t, unsigned exec_no, unsigned outcome) {
  return (uint64_t)t | (uint64_t)exec_no << 32 | (uint64_t)outcome << 48;
}
static uint64_t dev_arg(sim_time_ms report_at, unsigned tmo_min) {
  uint64_t r = report_at < 0 ? NO_REPORT : (uint64_t)report_at;
  return r | (uint64_t)tmo_min << 48;
}
static int64_t ev_thing(const sim_event *ev) { return (int64_t)(ev->subject & 0xffffffffu); }
static unsigned ev_exec(const sim_event *ev) { return (unsigned)(ev->subject >> 32) & 0xffff; }
static unsigned ev_outcome(const sim_event *ev) { return (unsigned)(ev->subject >> 48) & 0xf; }
static unsigned ev_tmo(const sim_event *ev) { return (unsigned)(ev->arg >> 48) & 0x3fff; }
static sim_time_ms ev_report(const sim_event *ev) {
  uint64_t r = ev->arg & NO_REPORT;
  return r == NO_REPORT ? -1 : (sim_time_ms)r;
}

static void set_status(model_engine *e, int64_t t, model_exec_status s) {
  thing_state *th = &e->things[t];
  SIM_ASSERT(th->status != MODEL_EXEC_NONE);
  SIM_ASSERT(!is_terminal(th->status));   /* no move out of a terminal status */
  e->job.counters[th->status]--;
  e->job.counters[s]++;
  th->status = (uint8_t)s;
  th->updated_at = now_of(e);
}

/* The device learns of a new QUEUED execution: it acts after its start
 * delay, or after reconnecting first when it is offline. */
static void notify_device(model_engine *e, int64_t t) {
  thing_state *th = &e->things[t];
  const model_behavior *b = behavior_of(e, t);
  gsl_rng *r = e->group_rng[th->group];
  sim_time_ms delay = 0;
  if (b->connected < 1.0 && !(gsl_rng_uniform(r) < b->connected))
    delay += sim_dist_sample(&b->reconnect_after, r);
  delay += sim_dist_sample(&b->start_delay, r);
  fail_if(e, sim_world_schedule(e->w, now_of(e) + delay, PRIO_DEVICE, K_DEVICE_ACT,
                                dev_subject(t, th->exec_no, 0), 0, NULL));
}

static uint32_t version_of(const model_engine *e, int64_t t) {
  const thing_state *th = &e->things[t];
  if (th->version != VERSION_BIG) return th->version;
  size_t cur = 0;
  return (uint32_t)sim_index_next(&e->big_versions, (uint64_t)t, &cur);
}

/* One more device update of thing t's execution. */
static void version_inc(model_engine *e, int64_t t) {
  thing_state *th = &e->things[t];
  if (th->version < VERSION_BIG - 1) {
    th->version++;
    return;
  }
  uint32_t v = version_of(e, t) + 1;
  th->version = VERSION_BIG;
  if (v < UINT32_MAX && sim_index_set(&e->big_versions, (uint64_t)t, v))
    sim_world_fail(e->w, SIM_ERR_NOMEM);
}

static int push_past(model_engine *e, int64_t t) {
  if (e->n_past == e->cap_past) {
    size_t nc = e->cap_past ? e->cap_past * 2 : 1024;
    past_record *np = realloc(e->past, nc * sizeof *np);
    if (!np) return SIM_ERR_NOMEM;
    e->past = np;
    e->cap_past = nc;
  }
  const thing_state *th = &e->things[t];
  size_t cur = 0;
  int64_t prev = sim_index_next(&e->past_head, (uint64_t)t, &cur);
  if (sim_index_set(&e->past_head, (uint64_t)t, (int64_t)e->n_past)) return SIM_ERR_NOMEM;
  past_record *r = &e->past[e->n_past++];
  r->prev = prev;
  r->queued_at = th->queued_at;
  r->started_at = th->started_at;
  r->updated_at = th->updated_at;
  r->thing = (uint32_t)t;
  r->version = version_of(e, t);
  r->exec_no = th->exec_no;
  r->status = th->status;
  r->retry_attempt = th->retry_attempt;
  r->force = (th->flags & F_FORCE) != 0;
  return SIM_OK;
}

/* Thing t's past record with executionNumber exec_no (the newest one still
 * there when exec_no is 0), following its chain; NULL when none. */
static past_record *past_of(const model_engine *e, int64_t t, int64_t exec_no) {
  size_t cur = 0;
  int64_t i = sim_index_next(&e->past_head, (uint64_t)t, &cur);
  for (; i >= 0; i = e->past[i].prev) {
    past_record *r = &e->past[i];
    if (r->status == EXEC_DELETED) continue;
    if (exec_no == 0 || r->exec_no == exec_no) return r;
  }
  return NULL;
}

/* A new QUEUED record for thing t: the first one (rollout or a joiner), a
 * retry (O18, O20) or a re-join after removal. The previous record, if any
 * and not deleted, goes to the side table. */
static void new_execution(model_engine *e, int64_t t, unsigned retry_attempt) {
  thing_state *th = &e->things[t];
  if (th->exec_no == UINT16_MAX) {   /* bad input, not a bug: refuse, go on */
    char name[160];
    model_engine_thing_name(e, t, name, sizeof name);
    logf_(e, "thing %s has had 65535 executions; jobsim creates no more", name);
    return;
  }
  if (th->status != MODEL_EXEC_NONE) {
    int rc = push_past(e, t);
    if (rc) { sim_world_fail(e->w, rc); return; }
  }
  bool first = !(th->flags & F_ROLLED);
  sim_time_ms now = now_of(e);
  th->exec_no++;
  th->status = MODEL_EXEC_QUEUED;
  th->retry_attempt = (uint8_t)retry_attempt;
  th->version = 1;
  th->queued_at = th->updated_at = now;
  th->started_at = -1;
  th->flags = (uint8_t)((th->flags | F_ROLLED) & ~(F_FORCE | F_DEFERRED));
  e->job.counters[MODEL_EXEC_QUEUED]++;
  e->job.records++;
  e->job.created++;
  if (first) e->job.notified++;
  notify_device(e, t);
}

/* Retry budget (O19): separate FAILED / TIMED_OUT budgets, or one shared
 * budget for ALL. Returns true and spends one retry when allowed. */
static bool take_retry(model_engine *e, thing_state *th, model_exec_status s) {
  const model_jobcfg *c = &e->cfg;
  if (!c->has_retry) return false;
  unsigned rf = th->retries & 0xf, rt = th->retries >> 4;
  for (size_t i = 0; i < c->n_retry; i++) {
    const model_retry_criteria *rc = &c->retry[i];
    int64_t n = rc->number_of_retries;
    if (rc->failure_type == MODEL_FAILURE_ALL) {
      if (rf + rt >= n) return false;
    } else if (rc->failure_type == MODEL_FAILURE_FAILED && s == MODEL_EXEC_FAILED) {
      if (rf >= n) return false;
    } else if (rc->failure_type == MODEL_FAILURE_TIMED_OUT &&
               s == MODEL_EXEC_TIMED_OUT) {
      if (rt >= n) return false;
    } else {
      continue;
    }
    if (s == MODEL_EXEC_FAILED) rf++;
    else rt++;
    th->retries = (uint8_t)(rf | rt << 4);
    return true;
  }
  return false;
}

static void maybe_retry(model_engine *e, int64_t t, model_exec_status s) {
  thing_state *th = &e->things[t];
  /* O16: no retries once the job is canceled; none for things that left. */
  if (e->job.canceled || e->job.status == MODEL_JOB_DELETION_IN_PROGRESS) return;
  if (th->flags & F_GONE) return;
  if (!take_retry(e, th, s)) return;
  e->job.retries++;
  new_execution(e, t, th->retry_attempt + 1u);
}

static void cancel_job(model_engine *e, bool force, const char *reason,
                       const char *comment, bool aborted);
static void check_done(model_engine *e);

/* O11/O12: criteria in list order, right after every terminal transition. */
static void check_abort(model_engine *e) {
  const model_jobcfg *c = &e->cfg;
  if (!c->has_abort || e->job.status != MODEL_JOB_IN_PROGRESS) return;
  const int64_t *k = e->job.counters;
  int64_t executed = k[MODEL_EXEC_SUCCEEDED] + k[MODEL_EXEC_FAILED] +
                     k[MODEL_EXEC_REJECTED] + k[MODEL_EXEC_TIMED_OUT];
  int64_t gate = e->sc->sim.abort_gate == MODEL_GATE_NOTIFIED ? e->job.notified
                                                                : executed;
  if (executed == 0) return;
  for (size_t i = 0; i < c->n_abort; i++) {
    const model_abort_criteria *a = &c->abort[i];
    if (gate < a->min_executed) continue;
    int64_t fail;
    switch (a->failure_type) {
      case MODEL_FAILURE_FAILED: fail = k[MODEL_EXEC_FAILED]; break;
      case MODEL_FAILURE_REJECTED: fail = k[MODEL_EXEC_REJECTED]; break;
      case MODEL_FAILURE_TIMED_OUT: fail = k[MODEL_EXEC_TIMED_OUT]; break;
      case MODEL_FAILURE_ALL:
      default:
        fail = k[MODEL_EXEC_FAILED] + k[MODEL_EXEC_REJECTED] + k[MODEL_EXEC_TIMED_OUT];
        break;
    }
    /* Exact test in hundredths of a percent: thresholds have <= 2 decimals. */
    int64_t thr = llround(a->threshold_percentage * 100.0);
    if (fail * 10000 < thr * executed) continue;
    char comment[512];
    snprintf(comment, sizeof comment,
             "Job aborted by abortConfig criterion %zu: %s %" PRId64 " of %" PRId64
             " executed (%.2f%%) >= thresholdPercentage %.2f%% with %" PRId64
             " %s >= minNumberOfExecutedThings %" PRId64 " [synthetic text]",
             i, model_failure_type_name(a->failure_type), fail, executed,
             100.0 * (double)fail / (double)executed, a->threshold_percentage, gate,
             e->sc->sim.abort_gate == MODEL_GATE_NOTIFIED ? "notified" : "executed",
             a->min_executed);
    logf_(e, "abort: criterion %zu (%s) fired: %" PRId64 " of %" PRId64
             " executed executions failed (%.2f%% >= %.2f%%), gate %" PRId64
             " >= %" PRId64 "; %" PRId64 " things notified",
          i, model_failure_type_name(a->failure_type), fail, executed,
          100.0 * (double)fail / (double)executed, a->threshold_percentage, gate,
          a->min_executed, e->job.notified);
    e->job.abort_criterion = (int)i;
    e->job.aborted_at = now_of(e);
    cancel_job(e, false, e->sc->sim.abort_reason_code, comment, true);
    return;
  }
}

/* A terminal transition: then retry (§13 step 4), abort, completion. */
static void finish_execution(model_engine *e, int64_t t, model_exec_status s) {
  set_status(e, t, s);
  if (s == MODEL_EXEC_FAILED || s == MODEL_EXEC_TIMED_OUT) maybe_retry(e, t, s);
  check_abort(e);
  check_done(e);
}

/* -------------------------------------------------------------- device --- */

/* The job hands QUEUED executions to devices only while it is IN_PROGRESS:
 * between maintenance windows (SCHEDULED) they wait (O34), and after a
 * cancel they wait for the cancellation to reach them. */
static bool devices_may_start(const model_engine *e) {
  return e->job.status == MODEL_JOB_IN_PROGRESS;
}

static void defer(model_engine *e, int64_t t) {
  thing_state *th = &e->things[t];
  if (th->flags & F_DEFERRED) return;
  if (e->n_deferred == e->cap_deferred) {
    size_t nc = e->cap_deferred ? e->cap_deferred * 2 : 256;
    int64_t *nd = realloc(e->deferred, nc * sizeof *nd);
    if (!nd) { sim_world_fail(e->w, SIM_ERR_NOMEM); return; }
    e->deferred = nd;
    e->cap_deferred = nc;
  }
  e->deferred[e->n_deferred++] = t;
  th->flags |= F_DEFERRED;
}

/* Next step of an IN_PROGRESS execution: whichever comes first of the
 * device's report, its next progress update and the timer (in-progress and
 * step, bounded by the former; O17 lag added). */
/* Timer deadline of thing t's IN_PROGRESS execution with an in-progress
 * timeout of tmo_min minutes (0: none): the step timer — set at StartNext,
 * then set, cleared or kept by each progress update (updates so far =
 * version - 2) — never extends past the in-progress deadline (DG-CFG).
 * SIM_TIME_MAX when no timer runs. */
static sim_time_ms timer_deadline(const model_engine *e, int64_t t, unsigned tmo_min) {
  const thing_state *th = &e->things[t];
  const model_behavior *b = behavior_of(e, t);
  sim_time_ms deadline = SIM_TIME_MAX;
  if (tmo_min) deadline = th->started_at + (sim_time_ms)tmo_min * SIM_MS_PER_MIN;
  int64_t step = b->step_timeout_min;
  sim_time_ms step_from = th->started_at;
  if (th->version > 2 && b->has_progress && b->progress_step_min != 0) {
    step = b->progress_step_min > 0 ? b->progress_step_min : 0;
    step_from = th->updated_at;
  }
  if (step > 0 && step_from + step * SIM_MS_PER_MIN < deadline)
    deadline = step_from + step * SIM_MS_PER_MIN;
  return deadline;
}

static void schedule_next(model_engine *e, int64_t t, unsigned outcome,
                          unsigned tmo_min, sim_time_ms report_at) {
  thing_state *th = &e->things[t];
  const model_behavior *b = behavior_of(e, t);
  sim_time_ms now = now_of(e);
  sim_time_ms deadline = timer_deadline(e, t, tmo_min);
  sim_time_ms fire = deadline;
  if (deadline != SIM_TIME_MAX) {
    if (e->lag_rng)
      fire += (sim_time_ms)llround(gsl_rng_uniform(e->lag_rng) *
                                   (double)e->sc->sim.timeout_lag_max);
    if (fire < now) fire = now;
  }
  sim_time_ms next_progress = SIM_TIME_MAX;
  if (b->has_progress && report_at >= 0)   /* a hanging device sends nothing */
    next_progress = now + sim_dist_sample(&b->progress_every, e->group_rng[th->group]);
  uint64_t subj = dev_subject(t, th->exec_no, outcome);
  uint64_t arg = dev_arg(report_at, tmo_min);
  sim_time_ms rep = report_at < 0 ? SIM_TIME_MAX : report_at;
  int rc = SIM_OK;
  if (rep < fire && rep <= next_progress)
    rc = sim_world_schedule(e->w, rep, PRIO_DEVICE, K_DEVICE_DONE, subj, arg, NULL);
  else if (next_progress < fire && next_progress < rep)
    rc = sim_world_schedule(e->w, next_progress, PRIO_DEVICE, K_PROGRESS, subj, arg,
                            NULL);
  else if (fire != SIM_TIME_MAX)   /* the timer wins a tie with the report */
    rc = sim_world_schedule(e->w, fire, PRIO_DEVICE, K_TIMEOUT, subj, arg, NULL);
  fail_if(e, rc);
}

static void on_device_act(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  int64_t t = ev_thing(ev);
  thing_state *th = &e->things[t];
  if (th->exec_no != ev_exec(ev) || th->status != MODEL_EXEC_QUEUED) return; /* stale */
  if (!devices_may_start(e)) {
    /* SCHEDULED between windows: wait for the next window; canceled or
     * being deleted: wait for the propagation to reach it. */
    if (e->job.status == MODEL_JOB_SCHEDULED) defer(e, t);
    return;
  }
  const model_behavior *b = behavior_of(e, t);
  gsl_rng *r = e->group_rng[th->group];
  model_outcome o = model_behavior_outcome(b, gsl_rng_uniform(r));
  sim_time_ms now = sim_world_now(w);
  if (!(th->flags & F_RAN)) {   /* exposure: the device ran (or refused) the job */
    th->flags |= F_RAN;
    e->job.things_ran++;
    e->group_ran[th->group]++;
  }
  if (o == MODEL_OUTCOME_REJECTED) {          /* QUEUED -> REJECTED directly */
    version_inc(e, t);
    finish_execution(e, t, MODEL_EXEC_REJECTED);
    return;
  }
  set_status(e, t, MODEL_EXEC_IN_PROGRESS);
  th->started_at = now;
  version_inc(e, t);
  unsigned tmo = e->cfg.has_in_progress_timeout
                     ? (unsigned)e->cfg.in_progress_timeout_min : 0u;
  sim_time_ms report = -1;
  if (o != MODEL_OUTCOME_NO_RESPONSE) report = now + sim_dist_sample(&b->run_time, r);
  schedule_next(e, t, (unsigned)o, tmo, report);
}

static bool live_in_progress(const model_engine *e, const sim_event *ev) {
  const thing_state *th = &e->things[ev_thing(ev)];
  return th->exec_no == ev_exec(ev) && th->status == MODEL_EXEC_IN_PROGRESS;
}

static void on_device_done(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w;
  if (!live_in_progress(e, ev)) return;
  int64_t t = ev_thing(ev);
  version_inc(e, t);
  finish_execution(e, t, ev_outcome(ev) == MODEL_OUTCOME_SUCCEEDED
                             ? MODEL_EXEC_SUCCEEDED : MODEL_EXEC_FAILED);
}

static void on_progress(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  if (!live_in_progress(e, ev)) return;
  int64_t t = ev_thing(ev);
  thing_state *th = &e->things[t];
  version_inc(e, t);
  th->updated_at = sim_world_now(w);
  schedule_next(e, t, ev_outcome(ev), ev_tmo(ev), ev_report(ev));
}

static void on_timeout(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w;
  if (!live_in_progress(e, ev)) return;
  finish_execution(e, ev_thing(ev), MODEL_EXEC_TIMED_OUT);
}

/* ------------------------------------------------------------- rollout --- */

static int64_t group_count0(const model_engine *e, long g) {
  return e->sc->fleet.groups[g].count;
}

/* Thing at position p of target i's list (group: initial things in index
 * order, then those that joined later, in joining order); -1 past the end. */
static int64_t target_thing(const model_engine *e, size_t i, int64_t p) {
  const model_target *t = &e->targets[i];
  if (!t->is_group) return p == 0 ? t->first : -1;
  int64_t c0 = group_count0(e, t->group);
  if (p < c0) return e->sc->fleet.groups[t->group].first + p;
  const group_dyn *g = &e->groups[t->group];
  return p - c0 < g->n ? g->extras[p - c0] : -1;
}

/* May the rollout of target i create an execution for thing th? */
static bool eligible(const model_engine *e, size_t i, const thing_state *th) {
  if (th->flags & (F_ROLLED | F_GONE)) return false;
  if (th->status != MODEL_EXEC_NONE) return false;
  if (!e->targets[i].is_group) return true;
  /* O9: SNAPSHOT resolves membership at rollout start; CONTINUOUS follows it. */
  return e->cfg.continuous ? (th->flags & F_MEMBER) != 0 : (th->flags & F_SNAP) != 0;
}

/* Move cursor of target i to its next eligible thing; true when there is one. */
static bool target_advance(model_engine *e, size_t i) {
  for (;;) {
    int64_t t = target_thing(e, i, e->tgt_cursor[i]);
    if (t < 0) return false;
    if (eligible(e, i, &e->things[t])) return true;
    e->tgt_cursor[i]++;
  }
}

/* Move the rollout cursor past exhausted targets; true when all are. */
static bool rollout_advance(model_engine *e) {
  while (e->tgt < e->n_targets) {
    if (target_advance(e, e->tgt)) return false;
    e->tgt++;
  }
  return true;
}

/* O2/O3/O4: exponential k from cumulative multiples, floor, capped. */
static int64_t window_rate(model_engine *e, const char **why) {
  const model_jobcfg *c = &e->cfg;
  int64_t quota = e->sc->sim.rollout_quota;
  int64_t cap = c->has_max_per_minute ? c->max_per_minute : 1000;
  *why = NULL;
  if (cap > quota) cap = quota;
  if (!c->has_exponential) {
    e->job.exact_rate = (double)cap;
    return cap;
  }
  int64_t kn = c->has_notified_criterion ? e->job.notified / c->notified_things : 0;
  int64_t ks = c->has_succeeded_criterion
                   ? e->job.counters[MODEL_EXEC_SUCCEEDED] / c->succeeded_things
                   : 0;
  int64_t k = kn > ks ? kn : ks;
  if (k > e->job.rate_k)
    *why = kn >= ks ? "numberOfNotifiedThings" : "numberOfSucceededThings";
  e->job.rate_k = k;
  double exact = (double)c->base_rate_per_minute * pow(c->increment_factor, (double)k);
  e->job.exact_rate = exact;
  int64_t r = exact >= (double)cap ? cap : (int64_t)floor(exact);
  return r < 1 ? 1 : r;
}

static bool rollout_allowed(const model_engine *e) {
  return e->job.status == MODEL_JOB_IN_PROGRESS && !e->rollout_stopped &&
         !e->job.rollout_done;
}

static void schedule_window(model_engine *e, sim_time_ms at) {
  if (e->window_ev) return;
  fail_if(e, sim_world_schedule(e->w, at, PRIO_JOB, K_WINDOW, 0, 0, &e->window_ev));
}

static void stop_windows(model_engine *e) {
  if (e->window_ev) {
    sim_world_cancel(e->w, e->window_ev);
    e->window_ev = SIM_EVENT_NONE;
  }
}

/* O9: at the first rollout window a SNAPSHOT job fixes which members of its
 * target groups it covers (one pass over those groups). */
static void snapshot_targets(model_engine *e) {
  if (e->cfg.continuous) return;
  for (size_t i = 0; i < e->n_targets; i++) {
    if (!e->targets[i].is_group) continue;
    for (int64_t p = 0;; p++) {
      int64_t t = target_thing(e, i, p);
      if (t < 0) break;
      thing_state *th = &e->things[t];
      if ((th->flags & F_MEMBER) && !(th->flags & F_GONE)) th->flags |= F_SNAP;
    }
  }
}

static void on_window(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)ev;
  e->window_ev = SIM_EVENT_NONE;
  if (!rollout_allowed(e)) return;
  sim_time_ms now = sim_world_now(w);
  if (!e->rollout_started) {
    e->rollout_started = true;
    snapshot_targets(e);
  }
  const char *why;
  int64_t prev = e->job.window_rate;
  bool resumed = e->windows > 0 && e->job.rate == 0;   /* after a pause */
  int64_t rate = window_rate(e, &why);
  e->job.rate = e->job.window_rate = rate;
  e->windows++;
  e->job.is_concurrent = true;
  if (e->windows == 1)
    logf_(e, "rollout starts at %" PRId64 "/min (%s)", rate,
          e->cfg.has_exponential ? "exponentialRate" : "constant rate");
  else if (resumed && !why)
    logf_(e, "rollout resumes at %" PRId64 "/min", rate);
  else if (rate != prev) {
    if (why)
      logf_(e, "rate %" PRId64 "/min -> %" PRId64 "/min: %s criterion met "
               "(increase %" PRId64 ": %" PRId64 " notified, %" PRId64
               " succeeded; exact rate %.3f)",
            prev, rate, why, e->job.rate_k, e->job.notified,
            e->job.counters[MODEL_EXEC_SUCCEEDED], e->job.exact_rate);
    else
      logf_(e, "rate %" PRId64 "/min -> %" PRId64 "/min: the rollout configuration "
               "changed (update-job)", prev, rate);
  }
  int64_t made = 0;
  while (made < rate && !rollout_advance(e)) {
    int64_t t = target_thing(e, e->tgt, e->tgt_cursor[e->tgt]);
    new_execution(e, t, 0);
    e->tgt_cursor[e->tgt]++;
    made++;
  }
  bool done = rollout_advance(e);
  if (made > 0) e->job.last_updated_at = now;
  logf_(e, "window %" PRId64 ": %" PRId64 " executions created at %" PRId64
           "/min, %" PRId64 " things notified",
        e->windows, made, rate, e->job.notified);
  if (done) {
    e->job.rollout_done = true;
    e->job.rate = 0;
    e->job.is_concurrent = e->cancel_pending;
    e->job.last_updated_at = now;
    logf_(e, "rollout finished: %" PRId64 " things notified in %" PRId64 " windows",
          e->job.notified, e->windows);
  } else {
    schedule_window(e, now + WINDOW_MS);
  }
  observe(e, MODEL_ROW_WINDOW);
  check_done(e);   /* an empty rollout, or one whose things all finished */
}

/* ----------------------------------------------------- status machine --- */

/* Re-hand QUEUED executions that waited for a window to their devices. */
static void release_deferred(model_engine *e) {
  size_t n = e->n_deferred;
  e->n_deferred = 0;
  for (size_t i = 0; i < n; i++) {
    int64_t t = e->deferred[i];
    thing_state *th = &e->things[t];
    th->flags &= (uint8_t)~F_DEFERRED;
    if (th->status == MODEL_EXEC_QUEUED) notify_device(e, t);
  }
}

/* IN_PROGRESS or SCHEDULED, from the schedule: started, and inside a
 * maintenance window when windows are used (O34); after endTime the window
 * regime ends. Terminal job statuses never change here. */
static void update_schedule_status(model_engine *e) {
  model_job_status s = e->job.status;
  if (s != MODEL_JOB_IN_PROGRESS && s != MODEL_JOB_SCHEDULED) return;
  bool in = e->sched_started &&
            (e->sc->n_windows == 0 || e->open_windows > 0 || e->ended);
  if (in && s == MODEL_JOB_SCHEDULED) {
    set_job_status(e, MODEL_JOB_IN_PROGRESS);
    logf_(e, "job IN_PROGRESS%s", e->sc->n_windows ? " (maintenance window open)" : "");
    release_deferred(e);
    if (rollout_allowed(e)) schedule_window(e, now_of(e));  /* O7: anchored here */
  } else if (!in && s == MODEL_JOB_IN_PROGRESS) {
    set_job_status(e, MODEL_JOB_SCHEDULED);
    stop_windows(e);
    e->job.rate = 0;
    e->job.is_concurrent = e->cancel_pending;
    if (e->job.rollout_done || e->rollout_stopped)
      logf_(e, "job SCHEDULED: maintenance window closed");
    else
      logf_(e, "job SCHEDULED: maintenance window closed; rollout paused with %" PRId64
               " things notified",
            e->job.notified);
  }
}

static void on_sched_start(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w; (void)ev;
  e->sched_started = true;
  logf_(e, "schedulingConfig.startTime reached");
  update_schedule_status(e);
}

static void schedule_next_window(model_engine *e, size_t wi, sim_time_ms after) {
  int64_t next;
  int64_t base = e->sc->sim.start_epoch_ms;
  if (!model_cron_next(&e->sc->windows[wi], base + after, &next)) return;
  sim_time_ms at = next - base;
  if (at > e->horizon) return;
  /* Occurrences may overlap (every 5 minutes, 120 minutes long): one that
   * began before t = 0 and is still open opens now, each with its own
   * instant, so each closes at its own end. */
  sim_time_ms now = sim_world_now(e->w);
  fail_if(e, sim_world_schedule(e->w, at < now ? now : at, PRIO_SCHED, K_MW_OPEN, wi,
                                (uint64_t)at, NULL));
}

/* A window opens; `arg` is its occurrence instant (before now for a window
 * that was already open at t = 0). */
static void on_mw_open(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  size_t wi = (size_t)ev->subject;
  sim_time_ms occ = (sim_time_ms)ev->arg;
  sim_time_ms len = e->sc->job.windows[wi].duration_min * SIM_MS_PER_MIN;
  e->open_windows++;
  char d[32];
  sim_duration_format(occ + len - sim_world_now(w), d, sizeof d);
  logf_(e, "maintenance window %zu opens for %s (%s)", wi, d, e->sc->job.windows[wi].cron);
  fail_if(e, sim_world_schedule(w, occ + len, PRIO_SCHED, K_MW_CLOSE, wi, 0, NULL));
  schedule_next_window(e, wi, occ);
  update_schedule_status(e);
}

static void on_mw_close(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w;
  e->open_windows--;
  logf_(e, "maintenance window %zu closes", (size_t)ev->subject);
  update_schedule_status(e);
}

static void on_end_time(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w; (void)ev;
  e->ended = true;
  model_job_status s = e->job.status;
  if (s != MODEL_JOB_IN_PROGRESS && s != MODEL_JOB_SCHEDULED) {
    logf_(e, "schedulingConfig.endTime reached; the job is already %s",
          model_job_status_name(s));
    check_done(e);
    return;
  }
  model_end_behavior b = e->cfg.has_end_behavior ? e->cfg.end_behavior
                                                  : MODEL_END_STOP_ROLLOUT;
  logf_(e, "schedulingConfig.endTime reached: endBehavior %s", model_end_behavior_name(b));
  e->rollout_stopped = true;
  stop_windows(e);
  e->job.rate = 0;
  if (b == MODEL_END_STOP_ROLLOUT) {
    e->job.is_concurrent = e->cancel_pending;
    e->job.last_updated_at = now_of(e);
    update_schedule_status(e);   /* windows no longer apply (O32 choice) */
    observe(e, MODEL_ROW_STATUS);
    check_done(e);
  } else {
    cancel_job(e, b == MODEL_END_FORCE_CANCEL, NULL,
               b == MODEL_END_FORCE_CANCEL
                   ? "Canceled by schedulingConfig endBehavior FORCE_CANCEL at endTime [synthetic text]"
                   : "Canceled by schedulingConfig endBehavior CANCEL at endTime [synthetic text]",
               false);
  }
}

/* -------------------------------------------------------- cancellation --- */

static void start_cancel_batches(model_engine *e) {
  int64_t todo = e->job.counters[MODEL_EXEC_QUEUED] +
                 (e->cancel_force ? e->job.counters[MODEL_EXEC_IN_PROGRESS] : 0);
  e->cancel_cursor = 0;
  if (todo > 0 && !e->cancel_pending) {
    e->cancel_pending = true;
    fail_if(e, sim_world_schedule(e->w, now_of(e), PRIO_JOB, K_CANCEL_BATCH, 0, 0,
                                  NULL));
  }
  e->job.is_concurrent = e->cancel_pending;
}

static void cancel_job(model_engine *e, bool force, const char *reason,
                       const char *comment, bool aborted) {
  e->job.canceled = true;
  e->job.aborted = aborted;
  e->job.force_canceled = force;
  e->rollout_stopped = true;
  e->job.rate = 0;
  snprintf(e->job.reason_code, sizeof e->job.reason_code, "%s", reason ? reason : "");
  snprintf(e->job.comment, sizeof e->job.comment, "%s", comment ? comment : "");
  stop_windows(e);             /* rollout of new executions stops */
  set_job_status(e, MODEL_JOB_CANCELED);
  e->job.last_updated_at = now_of(e);
  e->cancel_force = force;
  int64_t todo = e->job.counters[MODEL_EXEC_QUEUED] +
                 (force ? e->job.counters[MODEL_EXEC_IN_PROGRESS] : 0);
  logf_(e, "job CANCELED%s%s: %" PRId64 " executions to cancel at %" PRId64
           "/min; %" PRId64 " things notified, %" PRId64 " IN_PROGRESS continue",
        aborted ? " by abort" : "", force ? " (force)" : "", todo,
        e->sc->sim.cancel_rate, e->job.notified,
        force ? (int64_t)0 : e->job.counters[MODEL_EXEC_IN_PROGRESS]);
  start_cancel_batches(e);
  check_done(e);
}

/* O28: QUEUED (and with force IN_PROGRESS) executions become CANCELED at up
 * to cancel_rate per minute, in thing order. No new QUEUED record appears
 * after a cancel, so every one left is ahead of the cursor. */
static void on_cancel_batch(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)ev;
  int64_t budget = e->sc->sim.cancel_rate, done = 0;
  while (done < budget && e->cancel_cursor < e->n_things) {
    int64_t t = e->cancel_cursor;
    thing_state *th = &e->things[t];
    unsigned s = th->status;
    if (s == MODEL_EXEC_QUEUED || (e->cancel_force && s == MODEL_EXEC_IN_PROGRESS)) {
      set_status(e, t, MODEL_EXEC_CANCELED);
      if (s == MODEL_EXEC_IN_PROGRESS) th->flags |= F_FORCE;
      done++;
    }
    e->cancel_cursor++;
  }
  int64_t left = e->job.counters[MODEL_EXEC_QUEUED] +
                 (e->cancel_force ? e->job.counters[MODEL_EXEC_IN_PROGRESS] : 0);
  logf_(e, "cancellation: %" PRId64 " executions CANCELED, %" PRId64 " left", done,
        left);
  if (left > 0 && e->cancel_cursor < e->n_things) {
    fail_if(e, sim_world_schedule(w, sim_world_now(w) + WINDOW_MS, PRIO_JOB,
                                  K_CANCEL_BATCH, 0, 0, NULL));
  } else {
    e->cancel_pending = false;
    e->job.is_concurrent = false;
    e->job.last_updated_at = sim_world_now(w);
    logf_(e, "cancellation finished");
  }
  observe(e, MODEL_ROW_CANCEL);
  check_done(e);
}

/* ------------------------------------------------------------ deletion --- */

static void delete_record_counts(model_engine *e, unsigned status) {
  e->job.counters[status]--;
  e->job.records--;
  e->job.deleted++;
}

/* O31: records are deleted at cancel_rate per minute (side table first),
 * then the job vanishes. */
static void on_delete_batch(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)ev;
  int64_t budget = e->sc->sim.cancel_rate, done = 0;
  while (done < budget && e->delete_past_cursor < e->n_past) {
    past_record *r = &e->past[e->delete_past_cursor++];
    if (r->status == EXEC_DELETED) continue;
    delete_record_counts(e, r->status);
    r->status = EXEC_DELETED;
    done++;
  }
  while (done < budget && e->delete_cursor < e->n_things) {
    thing_state *th = &e->things[e->delete_cursor++];
    if (th->status == MODEL_EXEC_NONE) continue;
    delete_record_counts(e, th->status);
    th->status = MODEL_EXEC_NONE;
    done++;
  }
  logf_(e, "deletion: %" PRId64 " execution records deleted, %" PRId64 " left", done,
        e->job.records);
  if (e->job.records > 0) {
    fail_if(e, sim_world_schedule(w, sim_world_now(w) + WINDOW_MS, PRIO_JOB,
                                  K_DELETE_BATCH, 0, 0, NULL));
    observe(e, MODEL_ROW_CANCEL);
    return;
  }
  e->delete_pending = false;
  e->job.vanished = true;
  logf_(e, "job deleted: describe-job now fails with ResourceNotFoundException");
  check_done(e);
}

/* ------------------------------------------------------- job lifecycle --- */

/* O22 + scheduling: COMPLETED once rollout is finished (or stopped at
 * endTime) and no record is QUEUED or IN_PROGRESS (a pending retry is a
 * QUEUED record); a CONTINUOUS job only after its endTime. The run is over
 * when nothing can change any more: a final status, no propagation under
 * way, no execution that can still move, no operation still to come. */
static void check_done(model_engine *e) {
  const int64_t *k = e->job.counters;
  bool active = k[MODEL_EXEC_QUEUED] > 0 || k[MODEL_EXEC_IN_PROGRESS] > 0;
  model_job_status s = e->job.status;
  bool rollout_over = e->cfg.continuous ? e->ended
                                        : (e->job.rollout_done || e->rollout_stopped);
  if ((s == MODEL_JOB_IN_PROGRESS || s == MODEL_JOB_SCHEDULED) && rollout_over &&
      !active) {
    sim_time_ms now = now_of(e);
    e->job.completed_at = now;
    e->job.is_concurrent = false;
    e->job.rate = 0;
    stop_windows(e);
    set_job_status(e, MODEL_JOB_COMPLETED);
    char d[64];
    sim_duration_format(now, d, sizeof d);
    logf_(e, "job COMPLETED after %s: %" PRId64 " succeeded, %" PRId64
             " failed, %" PRId64 " rejected, %" PRId64 " timed out, %" PRId64
             " canceled, %" PRId64 " removed, %" PRId64 " retries",
          d, k[MODEL_EXEC_SUCCEEDED], k[MODEL_EXEC_FAILED], k[MODEL_EXEC_REJECTED],
          k[MODEL_EXEC_TIMED_OUT], k[MODEL_EXEC_CANCELED], k[MODEL_EXEC_REMOVED],
          e->job.retries);
  }
  s = e->job.status;
  bool settled = e->job.vanished || s == MODEL_JOB_COMPLETED ||
                 (s == MODEL_JOB_CANCELED && !e->cancel_pending && !active);
  if (!e->finished && settled && e->job.ops_left == 0) {
    e->finished = true;
    observe(e, MODEL_ROW_END);
  }
}

static void on_tick(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)ev;
  observe(e, MODEL_ROW_SNAPSHOT);
  sim_time_ms next = sim_world_now(w) + e->sc->sim.snapshot_every;
  if (next <= e->horizon)
    fail_if(e, sim_world_schedule(w, next, PRIO_TICK, K_TICK, 0, 0, NULL));
}

/* model_observer.on_event: after every event (set only when asked for). */
static void after_event(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w; (void)ev;
  e->obs.on_event(e->obs.ud, e);
}

static void on_observe(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)ev;
  unsigned bits = e->obs_bits;
  e->obs_scheduled = false;
  e->obs_bits = 0;
  if (e->finished && (bits & MODEL_ROW_END)) e->end_emitted = true;
  if (e->obs.on_observe) e->obs.on_observe(e->obs.ud, e, bits);
  if (e->end_emitted) sim_world_stop(w);
}

/* -------------------------------------------------------- fleet changes --- */

static bool group_targeted(const model_engine *e, long g) {
  for (size_t i = 0; i < e->n_targets; i++)
    if (e->targets[i].is_group && e->targets[i].group == g) return true;
  return false;
}

static bool thing_targeted(const model_engine *e, int64_t t) {
  for (size_t i = 0; i < e->n_targets; i++)
    if (!e->targets[i].is_group && e->targets[i].first == t) return true;
  return false;
}

/* Position of thing t among the extras of its group (binary search). */
static int64_t extra_pos(const model_engine *e, int64_t t) {
  const group_dyn *g = &e->groups[e->things[t].group];
  int64_t lo = 0, hi = g->n - 1;
  while (lo <= hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (g->extras[mid] == t) return mid;
    if (g->extras[mid] < t) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}

void model_engine_thing_name(const model_engine *e, int64_t t, char *buf, size_t n) {
  if (t < e->sc->fleet.n_things) {
    model_fleet_thing_name(&e->sc->fleet, t, buf, n);
    return;
  }
  long gi = e->things[t].group;
  const model_group *g = &e->sc->fleet.groups[gi];
  int64_t k = extra_pos(e, t);
  if (k >= 0 && e->groups[gi].names[k])
    snprintf(buf, n, "%s", e->groups[gi].names[k]);
  else
    snprintf(buf, n, "%s-%0*lld", g->name, g->digits, (long long)(g->count + k));
}

int64_t model_engine_find_thing(const model_engine *e, const char *name) {
  int64_t t = model_fleet_find_thing(&e->sc->fleet, name);
  if (t >= 0) return t;
  size_t cur = 0;   /* named joiners: the hash index */
  for (int64_t x; (x = sim_index_next(&e->extra_names, sim_index_hash_str(name), &cur)) >= 0;) {
    int64_t k = extra_pos(e, x);
    const char *xn = k >= 0 ? e->groups[e->things[x].group].names[k] : NULL;
    if (xn && strcmp(xn, name) == 0) return x;
  }
  for (size_t gi = 0; gi < e->sc->fleet.n_groups; gi++) {
    const group_dyn *g = &e->groups[gi];
    int64_t v = model_group_generated_index(&e->sc->fleet.groups[gi], name);
    int64_t c0 = e->sc->fleet.groups[gi].count;
    if (v >= c0 && v - c0 < g->n && !g->names[v - c0]) return g->extras[v - c0];
  }
  return -1;
}

/* A new thing joins group gi (an arrival or add-things). */
static int64_t add_thing(model_engine *e, long gi, const char *name) {
  if (e->n_things >= INT64_C(0xffffffff)) {   /* event subjects hold 32 bits */
    sim_world_fail(e->w, SIM_ERR_LIMIT);
    return -1;
  }
  if (e->n_things == e->cap_things) {
    int64_t nc = e->cap_things * 2 + 1024;
    thing_state *nt = realloc(e->things, (size_t)nc * sizeof *nt);
    if (!nt) { sim_world_fail(e->w, SIM_ERR_NOMEM); return -1; }
    e->things = nt;
    e->cap_things = nc;
  }
  group_dyn *g = &e->groups[gi];
  if (g->n == g->cap) {
    int64_t nc = g->cap * 2 + 64;
    int64_t *nx = realloc(g->extras, (size_t)nc * sizeof *nx);
    if (nx) g->extras = nx;
    char **nn = realloc(g->names, (size_t)nc * sizeof *nn);
    if (nn) g->names = nn;
    if (!nx || !nn) { sim_world_fail(e->w, SIM_ERR_NOMEM); return -1; }
    g->cap = nc;
  }
  char *copy = NULL;
  if (name && !(copy = strdup(name))) { sim_world_fail(e->w, SIM_ERR_NOMEM); return -1; }
  if (name && sim_index_add(&e->extra_names, sim_index_hash_str(name), e->n_things)) {
    free(copy);
    sim_world_fail(e->w, SIM_ERR_NOMEM);
    return -1;
  }
  int64_t t = e->n_things++;
  thing_state *th = &e->things[t];
  memset(th, 0, sizeof *th);
  th->started_at = -1;
  th->group = (uint16_t)gi;
  g->extras[g->n] = t;
  g->names[g->n] = copy;
  g->n++;
  return t;
}

/* A thing becomes a member of its group again (or for the first time).
 * CONTINUOUS: late joiners of a target group get an execution at once, not
 * rate-limited (DG-CFG); a re-joined thing's retry count restarts at zero. */
static void join(model_engine *e, int64_t t, const char *why) {
  thing_state *th = &e->things[t];
  char name[160];
  model_engine_thing_name(e, t, name, sizeof name);
  th->flags |= F_MEMBER;
  model_job_status s = e->job.status;
  bool gets = e->cfg.continuous && group_targeted(e, th->group) && e->rollout_started &&
              !e->rollout_stopped &&
              (s == MODEL_JOB_IN_PROGRESS || s == MODEL_JOB_SCHEDULED) &&
              (th->status == MODEL_EXEC_NONE || th->status == MODEL_EXEC_REMOVED);
  if (gets) {
    th->retries = 0;
    new_execution(e, t, 0);
  }
  logf_(e, "thing %s joins group %s (%s)%s", name,
        e->sc->fleet.groups[th->group].name, why,
        gets ? ": CONTINUOUS job queues an execution for it" : "");
}

/* O26: the thing's QUEUED or IN_PROGRESS execution becomes REMOVED (a
 * pending retry is a QUEUED record, so it goes too). */
static bool remove_execution(model_engine *e, int64_t t) {
  thing_state *th = &e->things[t];
  if (!is_active(th->status)) return false;
  set_status(e, t, MODEL_EXEC_REMOVED);
  return true;
}

static void leave(model_engine *e, int64_t t, const char *why) {
  thing_state *th = &e->things[t];
  char name[160];
  model_engine_thing_name(e, t, name, sizeof name);
  th->flags &= (uint8_t)~F_MEMBER;
  /* SNAPSHOT ignores membership changes once rolled out (O9, O26). */
  bool removed = e->cfg.continuous && !thing_targeted(e, t) && remove_execution(e, t);
  logf_(e, "thing %s leaves group %s (%s)%s", name, e->sc->fleet.groups[th->group].name,
        why, removed ? ": its execution is REMOVED" : "");
  if (removed) check_done(e);
}

static void delete_thing(model_engine *e, int64_t t) {
  thing_state *th = &e->things[t];
  char name[160];
  model_engine_thing_name(e, t, name, sizeof name);
  th->flags = (uint8_t)((th->flags | F_GONE) & ~F_MEMBER);
  bool removed = remove_execution(e, t);   /* any job type */
  logf_(e, "thing %s deleted%s", name, removed ? ": its execution is REMOVED" : "");
  if (removed) check_done(e);
}

/* A random current member of group gi, or -1 (rejection sampling over the
 * group's things; gives up after 64 tries, which only a nearly empty group
 * reaches). */
static int64_t random_member(model_engine *e, long gi) {
  int64_t total = group_count0(e, gi) + e->groups[gi].n;
  if (total == 0) return -1;
  for (int tries = 0; tries < 64; tries++) {
    int64_t p = (int64_t)gsl_rng_uniform_int(e->groups[gi].rng, (unsigned long)total);
    int64_t t = p < group_count0(e, gi) ? e->sc->fleet.groups[gi].first + p
                                        : e->groups[gi].extras[p - group_count0(e, gi)];
    if ((e->things[t].flags & (F_MEMBER | F_GONE)) == F_MEMBER) return t;
  }
  return -1;
}

static sim_time_ms poisson_gap(gsl_rng *r, double per_hour) {
  return (sim_time_ms)llround(gsl_ran_exponential(r, 3600000.0 / per_hour)) + 1;
}

static void on_arrival(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  long gi = (long)ev->subject;
  int64_t t = add_thing(e, gi, NULL);
  if (t >= 0) join(e, t, "arrival");
  sim_time_ms next = sim_world_now(w) +
                     poisson_gap(e->groups[gi].rng, e->sc->fleet.groups[gi].arrivals_per_hour);
  if (next <= e->horizon)
    fail_if(e, sim_world_schedule(w, next, PRIO_FLEET, K_ARRIVAL, ev->subject, 0, NULL));
}

static void on_departure(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  long gi = (long)ev->subject;
  int64_t t = random_member(e, gi);
  if (t >= 0) leave(e, t, "departure");
  sim_time_ms next = sim_world_now(w) +
                     poisson_gap(e->groups[gi].rng, e->sc->fleet.groups[gi].departures_per_hour);
  if (next <= e->horizon)
    fail_if(e, sim_world_schedule(w, next, PRIO_FLEET, K_DEPARTURE, ev->subject, 0, NULL));
}

/* ---------------------------------------------------------- operations --- */

static void refuse(model_engine *e, const model_op *o, const char *exception,
                   const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static void refuse(model_engine *e, const model_op *o, const char *exception,
                   const char *fmt, ...) {
  char why[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  e->job.refused_ops++;
  logf_(e, "operation %zu %s refused: %s: %s; nothing changed", o->index,
        model_op_name(o->kind), exception, why);
}

static void op_cancel_job(model_engine *e, const model_op *o) {
  switch (e->job.status) {
    case MODEL_JOB_IN_PROGRESS:
    case MODEL_JOB_SCHEDULED:
      logf_(e, "operation %zu cancel-job%s", o->index, o->force ? " --force" : "");
      cancel_job(e, o->force, o->reason_code, o->comment, false);
      return;
    case MODEL_JOB_CANCELED:
      if (o->force && !e->job.force_canceled) {   /* O29: force upgrades */
        logf_(e, "operation %zu cancel-job --force: upgrades the earlier cancel; "
                 "%" PRId64 " IN_PROGRESS executions to cancel",
              o->index, e->job.counters[MODEL_EXEC_IN_PROGRESS]);
        e->job.force_canceled = true;
        e->cancel_force = true;
        if (o->reason_code)
          snprintf(e->job.reason_code, sizeof e->job.reason_code, "%s", o->reason_code);
        if (o->comment) snprintf(e->job.comment, sizeof e->job.comment, "%s", o->comment);
        e->job.last_updated_at = now_of(e);
        start_cancel_batches(e);
        observe(e, MODEL_ROW_OP);
        return;
      }
      refuse(e, o, "InvalidRequestException", "the job is already CANCELED%s",
             e->job.force_canceled ? " with force" : "");
      return;
    case MODEL_JOB_COMPLETED:
      refuse(e, o, "InvalidRequestException", "the job is already COMPLETED");
      return;
    case MODEL_JOB_DELETION_IN_PROGRESS:
    default:
      refuse(e, o, "InvalidRequestException", "the job is being deleted");
      return;
  }
}

static void op_update_job(model_engine *e, const model_op *o) {
  model_job_status s = e->job.status;
  if (s != MODEL_JOB_IN_PROGRESS && s != MODEL_JOB_SCHEDULED) {
    refuse(e, o, "InvalidRequestException", "UpdateJob needs an IN_PROGRESS or "
                                            "SCHEDULED job; the job is %s",
           model_job_status_name(s));
    return;
  }
  const model_jobcfg *u = &o->update;
  model_jobcfg *c = &e->cfg;
  char what[256] = "";
  if (o->upd_description) {
    c->description = u->description;
    strcat(what, " description");
  }
  if (o->upd_presigned) {
    c->has_presigned = u->has_presigned;
    c->presigned_role_arn = u->presigned_role_arn;
    c->has_expires_in_sec = u->has_expires_in_sec;
    c->expires_in_sec = u->expires_in_sec;
    strcat(what, " presignedUrlConfig");
  }
  if (o->upd_rollout) {   /* O30: from the next rollout window */
    c->has_rollout = u->has_rollout;
    c->has_max_per_minute = u->has_max_per_minute;
    c->max_per_minute = u->max_per_minute;
    c->has_exponential = u->has_exponential;
    c->base_rate_per_minute = u->base_rate_per_minute;
    c->increment_factor = u->increment_factor;
    c->has_notified_criterion = u->has_notified_criterion;
    c->notified_things = u->notified_things;
    c->has_succeeded_criterion = u->has_succeeded_criterion;
    c->succeeded_things = u->succeeded_things;
    strcat(what, " jobExecutionsRolloutConfig");
  }
  if (o->upd_abort) {
    c->has_abort = u->has_abort;
    c->n_abort = u->n_abort;
    memcpy(c->abort, u->abort, sizeof c->abort);
    strcat(what, " abortConfig");
  }
  if (o->upd_timeout) {   /* only executions that start from now on */
    c->has_timeout = u->has_timeout;
    c->has_in_progress_timeout = u->has_in_progress_timeout;
    c->in_progress_timeout_min = u->in_progress_timeout_min;
    strcat(what, " timeoutConfig");
  }
  if (o->upd_retry) {     /* retries can only go down to 0 */
    c->has_retry = u->has_retry;
    c->n_retry = u->n_retry;
    memcpy(c->retry, u->retry, sizeof c->retry);
    strcat(what, " jobExecutionsRetryConfig");
  }
  e->job.last_updated_at = now_of(e);
  logf_(e, "operation %zu update-job:%s", o->index, what);
  observe(e, MODEL_ROW_OP);
  if (o->upd_abort) check_abort(e);   /* O30: evaluated at once */
}

static void op_delete_job(model_engine *e, const model_op *o) {
  model_job_status s = e->job.status;
  if (s == MODEL_JOB_DELETION_IN_PROGRESS) {
    refuse(e, o, "InvalidRequestException", "the job is already being deleted");
    return;
  }
  if (!o->force && s != MODEL_JOB_COMPLETED && s != MODEL_JOB_CANCELED) {
    refuse(e, o, "InvalidStateTransitionException",
           "the job is %s; deleting it needs force", model_job_status_name(s));
    return;
  }
  logf_(e, "operation %zu delete-job%s: %" PRId64 " execution records to delete at %"
           PRId64 "/min", o->index, o->force ? " --force" : "", e->job.records,
        e->sc->sim.cancel_rate);
  e->rollout_stopped = true;
  stop_windows(e);
  e->cancel_pending = false;
  e->job.rate = 0;
  e->job.is_concurrent = false;
  set_job_status(e, MODEL_JOB_DELETION_IN_PROGRESS);
  e->delete_pending = true;
  fail_if(e, sim_world_schedule(e->w, now_of(e), PRIO_JOB, K_DELETE_BATCH, 0, 0, NULL));
}

static void op_associate(model_engine *e, const model_op *o) {
  if (!e->cfg.continuous) {
    refuse(e, o, "InvalidRequestException",
           "AssociateTargetsWithJob needs a CONTINUOUS job");
    return;
  }
  if (e->job.status != MODEL_JOB_IN_PROGRESS) {
    refuse(e, o, "InvalidRequestException",
           "AssociateTargetsWithJob needs an IN_PROGRESS job; the job is %s",
           model_job_status_name(e->job.status));
    return;
  }
  if (e->n_targets + o->n_targets > MODEL_MAX_TARGETS) {
    refuse(e, o, "LimitExceededException",
           "a job can have at most %d targets (it has %zu, %zu more asked)",
           MODEL_MAX_TARGETS, e->n_targets, o->n_targets);
    return;
  }
  for (size_t i = 0; i < o->n_targets; i++)
    for (size_t j = 0; j < e->n_targets; j++)
      if (strcmp(o->targets[i], e->target_arns[j]) == 0) {
        refuse(e, o, "InvalidRequestException", "target '%s' is already a target",
               o->targets[i]);
        return;
      }
  for (size_t i = 0; i < o->n_targets; i++) {
    e->targets[e->n_targets] = o->resolved[i];
    e->target_arns[e->n_targets] = o->targets[i];
    e->tgt_cursor[e->n_targets] = 0;
    e->n_targets++;
  }
  e->cfg.n_targets = e->n_targets;
  e->job.rollout_done = false;
  e->job.last_updated_at = now_of(e);
  logf_(e, "operation %zu associate-targets-with-job: %zu targets added, rollout "
           "continues over them", o->index, o->n_targets);
  if (rollout_allowed(e)) schedule_window(e, now_of(e));
  observe(e, MODEL_ROW_OP);
}

static void op_cancel_execution(model_engine *e, const model_op *o) {
  int64_t t = model_engine_find_thing(e, o->thing_name);
  if (t < 0 || e->things[t].status == MODEL_EXEC_NONE) {
    refuse(e, o, "ResourceNotFoundException", "no execution of the job on thing '%s'",
           o->thing_name);
    return;
  }
  thing_state *th = &e->things[t];
  if (th->status == MODEL_EXEC_IN_PROGRESS && !o->force) {
    refuse(e, o, "InvalidStateTransitionException",
           "the execution on '%s' is IN_PROGRESS; canceling it needs force",
           o->thing_name);
    return;
  }
  if (is_terminal(th->status)) {
    refuse(e, o, "InvalidStateTransitionException",
           "the execution on '%s' is already %s", o->thing_name,
           model_exec_status_name(th->status));
    return;
  }
  bool forced = th->status == MODEL_EXEC_IN_PROGRESS;
  set_status(e, t, MODEL_EXEC_CANCELED);
  if (forced) th->flags |= F_FORCE;
  logf_(e, "operation %zu cancel-job-execution: execution %u on %s CANCELED%s", o->index,
        th->exec_no, o->thing_name, forced ? " (force)" : "");
  check_done(e);
}

static void op_delete_execution(model_engine *e, const model_op *o) {
  int64_t t = model_engine_find_thing(e, o->thing_name);
  thing_state *th = t >= 0 ? &e->things[t] : NULL;
  past_record *pr = NULL;
  bool latest = th && th->status != MODEL_EXEC_NONE && th->exec_no == o->execution_number;
  if (th && !latest) pr = past_of(e, t, o->execution_number);
  if (!latest && !pr) {
    refuse(e, o, "ResourceNotFoundException",
           "no execution number %" PRId64 " of the job on thing '%s'",
           o->execution_number, o->thing_name);
    return;
  }
  unsigned status = latest ? th->status : pr->status;
  if (status == MODEL_EXEC_IN_PROGRESS && !o->force) {
    refuse(e, o, "InvalidStateTransitionException",
           "execution %" PRId64 " on '%s' is IN_PROGRESS; deleting it needs force",
           o->execution_number, o->thing_name);
    return;
  }
  delete_record_counts(e, status);
  if (pr) {
    pr->status = EXEC_DELETED;
  } else {
    /* The newest remaining earlier record becomes the latest again. */
    past_record *prev = past_of(e, t, 0);
    uint16_t exec_no = th->exec_no;
    if (prev) {
      th->queued_at = prev->queued_at;
      th->started_at = prev->started_at;
      th->updated_at = prev->updated_at;
      th->version = prev->version < VERSION_BIG ? prev->version : VERSION_BIG;
      if (prev->version >= VERSION_BIG &&
          sim_index_set(&e->big_versions, (uint64_t)t, prev->version))
        sim_world_fail(e->w, SIM_ERR_NOMEM);
      th->status = prev->status;
      th->retry_attempt = prev->retry_attempt;
      th->flags = (uint8_t)((th->flags & ~F_FORCE) | (prev->force ? F_FORCE : 0));
      prev->status = EXEC_DELETED;   /* moved, still counted once */
    } else {
      th->status = MODEL_EXEC_NONE;
    }
    th->exec_no = exec_no;           /* numbers are never reused */
  }
  logf_(e, "operation %zu delete-job-execution: execution %" PRId64 " on %s deleted",
        o->index, o->execution_number, o->thing_name);
  observe(e, MODEL_ROW_OP);
  check_done(e);
}

static void op_things(model_engine *e, const model_op *o) {
  const char *what = model_op_name(o->kind);
  if (o->count > 0) {
    int64_t done = 0;
    for (int64_t i = 0; i < o->count; i++) {
      int64_t t;
      if (o->kind == MODEL_OP_ADD_THINGS) {
        if ((t = add_thing(e, o->group, NULL)) < 0) return;
        join(e, t, what);
      } else {
        if ((t = random_member(e, o->group)) < 0) break;
        if (o->kind == MODEL_OP_REMOVE_THINGS) leave(e, t, what);
        else delete_thing(e, t);
      }
      done++;
    }
    logf_(e, "operation %zu %s: %" PRId64 " of %" PRId64 " things in group %s", o->index,
          what, done, o->count, e->sc->fleet.groups[o->group].name);
    return;
  }
  for (size_t i = 0; i < o->n_names; i++) {
    const char *name = o->names[i];
    int64_t t = model_engine_find_thing(e, name);
    if (o->kind == MODEL_OP_ADD_THINGS) {
      if (t < 0) {
        if ((t = add_thing(e, o->group, name)) < 0) return;
        join(e, t, what);
      } else if (e->things[t].group != o->group) {
        refuse(e, o, "InvalidRequestException",
               "thing '%s' belongs to group %s (a thing is in one group in jobsim)",
               name, e->sc->fleet.groups[e->things[t].group].name);
      } else if (e->things[t].flags & F_GONE) {
        refuse(e, o, "ResourceNotFoundException", "thing '%s' was deleted", name);
      } else if (!(e->things[t].flags & F_MEMBER)) {
        join(e, t, what);
      }
      continue;
    }
    if (t < 0 || (e->things[t].flags & F_GONE)) {
      refuse(e, o, "ResourceNotFoundException", "no thing named '%s'", name);
      continue;
    }
    if (o->kind == MODEL_OP_REMOVE_THINGS) {
      if (e->things[t].flags & F_MEMBER) leave(e, t, what);
    } else {
      delete_thing(e, t);
    }
  }
}

static void on_op(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w;
  const model_op *o = &e->sc->ops[ev->subject];
  e->job.ops_left--;
  bool job_op = o->kind <= MODEL_OP_DELETE_EXECUTION;
  if (job_op && e->job.vanished) {
    refuse(e, o, "ResourceNotFoundException", "job %s does not exist (deleted)",
           e->cfg.job_id);
  } else {
    switch (o->kind) {
      case MODEL_OP_CANCEL_JOB: op_cancel_job(e, o); break;
      case MODEL_OP_UPDATE_JOB: op_update_job(e, o); break;
      case MODEL_OP_DELETE_JOB: op_delete_job(e, o); break;
      case MODEL_OP_ASSOCIATE_TARGETS: op_associate(e, o); break;
      case MODEL_OP_CANCEL_EXECUTION: op_cancel_execution(e, o); break;
      case MODEL_OP_DELETE_EXECUTION: op_delete_execution(e, o); break;
      case MODEL_OP_ADD_THINGS:
      case MODEL_OP_REMOVE_THINGS:
      case MODEL_OP_DELETE_THINGS: op_things(e, o); break;
      default: break;
    }
  }
  check_done(e);
}

/* ---------------------------------------------------------------- API --- */

void model_engine_free(model_engine *e) {
  if (!e) return;
  sim_world_free(e->w);
  free(e->things);
  free(e->past);
  free(e->group_rng);
  if (e->groups) {
    for (size_t g = 0; g < e->sc->fleet.n_groups; g++) {
      for (int64_t k = 0; k < e->groups[g].n; k++) free(e->groups[g].names[k]);
      free(e->groups[g].names);
      free(e->groups[g].extras);
    }
    free(e->groups);
  }
  free(e->deferred);
  free(e->group_ran);
  sim_index_release(&e->past_head);
  sim_index_release(&e->extra_names);
  sim_index_release(&e->big_versions);
  free(e->tgt_cursor);
  free(e->targets);
  free(e->target_arns);
  free(e);
}

int model_engine_new(model_engine **out, const model_scenario *sc, uint64_t seed,
                     const model_observer *obs, sim_diag *d) {
  static const sim_handler_fn handlers[K_COUNT] = {
      on_device_act, on_device_done, on_timeout, on_progress, on_window,
      on_cancel_batch, on_delete_batch, on_tick, on_observe, on_op,
      on_sched_start, on_mw_open, on_mw_close, on_end_time, on_arrival,
      on_departure};
  *out = NULL;
  model_engine *e = calloc(1, sizeof *e);
  int rc = SIM_ERR_NOMEM;
  if (!e) goto nomem;
  e->sc = sc;
  e->cfg = sc->job;                /* shallow: strings stay the scenario's */
  e->seed = seed;
  if (obs) e->obs = *obs;
  e->n_things = e->cap_things = sc->fleet.n_things;
  e->horizon = sc->sim.until;
  e->job.completed_at = -1;
  e->job.aborted_at = -1;
  e->job.abort_criterion = -1;
  e->job.ops_left = (int64_t)sc->n_ops;
  e->things = malloc((size_t)(e->cap_things ? e->cap_things : 1) * sizeof *e->things);
  e->group_rng = calloc(sc->fleet.n_groups, sizeof *e->group_rng);
  e->groups = calloc(sc->fleet.n_groups, sizeof *e->groups);
  e->group_ran = calloc(sc->fleet.n_groups, sizeof *e->group_ran);
  e->tgt_cursor = calloc(MODEL_MAX_TARGETS, sizeof *e->tgt_cursor);
  e->targets = calloc(MODEL_MAX_TARGETS, sizeof *e->targets);
  e->target_arns = calloc(MODEL_MAX_TARGETS, sizeof *e->target_arns);
  if (!e->things || !e->group_rng || !e->groups || !e->group_ran || !e->tgt_cursor ||
      !e->targets ||
      !e->target_arns)
    goto nomem;
  e->n_targets = sc->job.n_targets;
  for (size_t i = 0; i < e->n_targets; i++) {
    e->targets[i] = sc->targets[i];
    e->target_arns[i] = sc->job.targets[i];
  }
  e->cfg.targets = e->target_arns;
  /* Every initial thing is a member of its group; no per-thing heap. */
  for (size_t g = 0; g < sc->fleet.n_groups; g++) {
    const model_group *fg = &sc->fleet.groups[g];
    for (int64_t t = fg->first; t < fg->first + fg->count; t++) {
      thing_state *th = &e->things[t];
      memset(th, 0, sizeof *th);
      th->started_at = -1;
      th->group = (uint16_t)g;
      th->flags = F_MEMBER;
    }
  }
  if ((rc = sim_world_new(&e->w, seed, NULL))) goto fail;
  for (uint32_t k = 0; k < K_COUNT; k++)
    if ((rc = sim_world_on(e->w, k, handlers[k], e))) goto fail;
  if (e->obs.on_event) sim_world_after(e->w, after_event, e);   /* store hook */
  for (size_t g = 0; g < sc->fleet.n_groups; g++) {
    char name[256];
    snprintf(name, sizeof name, "device/%s", sc->fleet.groups[g].name);
    if ((rc = sim_world_stream(e->w, name, &e->group_rng[g]))) goto fail;
    snprintf(name, sizeof name, "fleet/%s", sc->fleet.groups[g].name);
    if ((rc = sim_world_stream(e->w, name, &e->groups[g].rng))) goto fail;
  }
  if (sc->sim.timeout_lag_max > 0 &&
      (rc = sim_world_stream(e->w, "service/timeout-lag", &e->lag_rng)))
    goto fail;
  /* t = 0: the job is created; IN_PROGRESS and rolling out at once (O7),
   * or SCHEDULED until its startTime / first maintenance window. */
  e->sched_started = !sc->has_start;
  e->job.status = (sc->has_start || sc->n_windows) ? MODEL_JOB_SCHEDULED
                                                   : MODEL_JOB_IN_PROGRESS;
  if (e->job.status == MODEL_JOB_IN_PROGRESS) {
    e->job.is_concurrent = true;
    schedule_window(e, 0);
  }
  if (sc->has_start &&
      (rc = sim_world_schedule(e->w, sc->start_at, PRIO_SCHED, K_SCHED_START, 0, 0, NULL)))
    goto fail;
  if (sc->has_end && sc->end_at <= e->horizon &&
      (rc = sim_world_schedule(e->w, sc->end_at, PRIO_SCHED, K_END_TIME, 0, 0, NULL)))
    goto fail;
  for (size_t wi = 0; wi < sc->n_windows; wi++) {
    /* A window that opened before t = 0 and is still open counts as open
     * now: look back one window length. */
    sim_time_ms len = sc->job.windows[wi].duration_min * SIM_MS_PER_MIN;
    int64_t occ, base = sc->sim.start_epoch_ms;
    if (model_cron_next(&sc->windows[wi], base - len, &occ) && occ - base < 0)
      rc = sim_world_schedule(e->w, 0, PRIO_SCHED, K_MW_OPEN, wi,
                              (uint64_t)(occ - base), NULL);
    else
      schedule_next_window(e, wi, -1);
    if (rc) goto fail;
  }
  for (size_t i = 0; i < sc->n_ops; i++)
    if ((rc = sim_world_schedule(e->w, sc->ops[i].at, PRIO_OP, K_OP, i, 0, NULL)))
      goto fail;
  for (size_t g = 0; g < sc->fleet.n_groups; g++) {
    const model_group *fg = &sc->fleet.groups[g];
    if (fg->arrivals_per_hour > 0 &&
        (rc = sim_world_schedule(e->w, poisson_gap(e->groups[g].rng, fg->arrivals_per_hour),
                                 PRIO_FLEET, K_ARRIVAL, g, 0, NULL)))
      goto fail;
    if (fg->departures_per_hour > 0 &&
        (rc = sim_world_schedule(e->w,
                                 poisson_gap(e->groups[g].rng, fg->departures_per_hour),
                                 PRIO_FLEET, K_DEPARTURE, g, 0, NULL)))
      goto fail;
  }
  if ((rc = sim_world_schedule(e->w, 0, PRIO_TICK, K_TICK, 0, 0, NULL))) goto fail;
  char d1[64];
  sim_duration_format(sc->sim.until, d1, sizeof d1);
  logf_(e, "job %s created %s: %s, %zu targets covering %" PRId64
           " things, seed %" PRIu64 ", horizon %s",
        sc->job.job_id, model_job_status_name(e->job.status),
        sc->job.continuous ? "CONTINUOUS" : "SNAPSHOT", sc->job.n_targets,
        sc->n_targeted, seed, d1);
  observe(e, MODEL_ROW_START);
  *out = e;
  return SIM_OK;
nomem:
  rc = SIM_ERR_NOMEM;
fail:
  model_engine_free(e);
  return sim_diag_set(d, rc, NULL, "cannot set up the simulation: %s",
                      sim_strerror(rc));
}

int model_engine_run(model_engine *e, sim_time_ms until) {
  if (until > e->horizon) until = e->horizon;
  if (e->end_emitted) return SIM_OK;
  if (until < sim_world_now(e->w)) return SIM_OK;
  int rc = sim_world_run(e->w, until);
  if (rc) return rc;
  if (!e->end_emitted && until >= e->horizon) {
    /* Horizon reached with the job still able to change. */
    logf_(e, "horizon reached with the job %s", model_job_status_name(e->job.status));
    e->finished = true;
    observe(e, MODEL_ROW_END);
    rc = sim_world_run(e->w, until);
  }
  return rc;
}

bool model_engine_finished(const model_engine *e) { return e->end_emitted; }
const model_scenario *model_engine_scenario(const model_engine *e) { return e->sc; }
const model_jobcfg *model_engine_config(const model_engine *e) { return &e->cfg; }
const model_job *model_engine_job(const model_engine *e) { return &e->job; }
sim_time_ms model_engine_now(const model_engine *e) { return sim_world_now(e->w); }
uint64_t model_engine_seed(const model_engine *e) { return e->seed; }
int64_t model_engine_things(const model_engine *e) { return e->n_things; }
int64_t model_engine_group_ran(const model_engine *e, size_t group) {
  return group < e->sc->fleet.n_groups ? e->group_ran[group] : 0;
}
uint64_t model_engine_events(const model_engine *e) { return sim_world_dispatched(e->w); }
size_t model_engine_peak_pending(const model_engine *e) {
  return sim_world_peak_pending(e->w);
}
size_t model_engine_bytes(const model_engine *e) {
  return (size_t)e->cap_things * sizeof(thing_state) + e->cap_past * sizeof(past_record);
}

/* Does target i still have a thing without an execution? Scans from its
 * cursor to the first eligible thing (usually the first one looked at). */
static bool target_open(const model_engine *e, size_t i) {
  for (int64_t p = e->tgt_cursor[i];; p++) {
    int64_t t = target_thing(e, i, p);
    if (t < 0) return false;
    if (eligible(e, i, &e->things[t])) return true;
  }
}

size_t model_engine_processing_targets(const model_engine *e, size_t *idx,
                                       size_t cap) {
  /* O8: only while rolling out (not SCHEDULED, CANCELED, COMPLETED). */
  if (e->job.status != MODEL_JOB_IN_PROGRESS || e->job.rollout_done ||
      e->rollout_stopped || !e->rollout_started)
    return 0;
  size_t n = 0;
  for (size_t i = e->tgt; i < e->n_targets; i++)
    if (target_open(e, i)) {
      if (n < cap) idx[n] = i;
      n++;
    }
  return n;
}

/* O35: the next seven maintenance-window starts after now, all windows
 * merged, as epoch ms. */
size_t model_engine_next_windows(const model_engine *e, int64_t *out, size_t cap) {
  size_t n = 0;
  int64_t base = e->sc->sim.start_epoch_ms, from = base + now_of(e);
  int64_t cur[MODEL_MAX_WINDOWS];
  bool has[MODEL_MAX_WINDOWS];
  for (size_t wi = 0; wi < e->sc->n_windows; wi++)
    has[wi] = model_cron_next(&e->sc->windows[wi], from, &cur[wi]);
  while (n < cap) {
    size_t best = SIZE_MAX;
    for (size_t wi = 0; wi < e->sc->n_windows; wi++)
      if (has[wi] && (best == SIZE_MAX || cur[wi] < cur[best])) best = wi;
    if (best == SIZE_MAX) break;
    if (n == 0 || out[n - 1] != cur[best]) out[n++] = cur[best];
    has[best] = model_cron_next(&e->sc->windows[best], cur[best], &cur[best]);
  }
  return n;
}

/* --------------------------------------------------- execution records --- */

static void view_of(model_exec_view *v, int64_t thing, unsigned exec_no,
                    unsigned retry_attempt, unsigned version, unsigned status,
                    sim_time_ms q, sim_time_ms s, sim_time_ms u, bool force,
                    bool latest) {
  v->thing = thing;
  v->exec_no = (int)exec_no;
  v->retry_attempt = (int)retry_attempt;
  v->version = (int)version;
  v->status = (model_exec_status)status;
  v->queued_at = q;
  v->started_at = s;
  v->updated_at = u;
  v->force_canceled = force;
  v->latest = latest;
}

static void view_thing(const model_engine *e, int64_t t, model_exec_view *v) {
  const thing_state *th = &e->things[t];
  view_of(v, t, th->exec_no, th->retry_attempt, version_of(e, t), th->status, th->queued_at,
          th->started_at, th->updated_at, (th->flags & F_FORCE) != 0, true);
}

static void view_past(const past_record *r, model_exec_view *v) {
  view_of(v, r->thing, r->exec_no, r->retry_attempt, r->version, r->status, r->queued_at,
          r->started_at, r->updated_at, r->force != 0, false);
}

static int cmp_past(const void *a, const void *b) {
  const past_record *x = a, *y = b;
  if (x->thing != y->thing) return x->thing < y->thing ? -1 : 1;
  return (int)x->exec_no - (int)y->exec_no;
}

int model_engine_foreach_exec(const model_engine *e, model_exec_fn fn, void *ud) {
  past_record *p = NULL;
  if (e->n_past) {
    p = malloc(e->n_past * sizeof *p);
    if (!p) return SIM_ERR_NOMEM;
    memcpy(p, e->past, e->n_past * sizeof *p);
    qsort(p, e->n_past, sizeof *p, cmp_past);
  }
  size_t k = 0;
  int rc = 0;
  model_exec_view v;
  for (int64_t t = 0; t < e->n_things && !rc; t++) {
    for (; k < e->n_past && p[k].thing == (uint32_t)t && !rc; k++) {
      if (p[k].status == EXEC_DELETED) continue;
      view_past(&p[k], &v);
      rc = fn(ud, &v);
    }
    if (rc || e->things[t].status == MODEL_EXEC_NONE) continue;
    view_thing(e, t, &v);
    rc = fn(ud, &v);
  }
  free(p);
  return rc;
}

bool model_engine_exec(const model_engine *e, int64_t thing, int exec_no,
                       model_exec_view *out) {
  if (thing < 0 || thing >= e->n_things) return false;
  const thing_state *th = &e->things[thing];
  if (th->status != MODEL_EXEC_NONE && (exec_no <= 0 || exec_no == th->exec_no)) {
    view_thing(e, thing, out);
    return true;
  }
  const past_record *r = past_of(e, thing, exec_no);
  if (!r) return false;
  view_past(r, out);
  return true;
}

/* Deadline of an IN_PROGRESS execution for approximateSecondsBeforeTimedOut:
 * the in-progress timer as configured when it started is not kept per
 * execution, so the current configuration is used (exact unless UpdateJob
 * changed the timeout while it ran). -1 when no timer runs. */
sim_time_ms model_engine_exec_deadline(const model_engine *e, int64_t t) {
  if (e->things[t].status != MODEL_EXEC_IN_PROGRESS) return -1;
  unsigned tmo = e->cfg.has_in_progress_timeout ? (unsigned)e->cfg.in_progress_timeout_min
                                                : 0u;
  sim_time_ms d = timer_deadline(e, t, tmo);
  return d == SIM_TIME_MAX ? -1 : d;
}
