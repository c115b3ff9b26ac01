/*
 * engine.c — one replication of an AWS IoT job (see engine.h).
 *
 * Per-thing state is one 32-byte packed record (latest execution only);
 * superseded attempts of retried things go to a side table, so memory is
 * ~32 bytes per thing plus ~32 per retry. Pending events stay proportional
 * to the things in flight: a device has at most one pending event (act,
 * report or timeout — the engine schedules whichever of report and timeout
 * comes first, never both), plus a handful of job-level events.
 *
 * Device events carry the execution number they were scheduled for; an event
 * whose execution has moved on (canceled, timed out, superseded) is stale and
 * ignored when it fires, which keeps force-cancel O(1) per execution.
 */
#include "engine.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "duration.h"
#include "world.h"

/* Event kinds (handler table indices). */
enum {
  K_DEVICE_ACT,      /* device picks up (or rejects) its QUEUED execution */
  K_DEVICE_DONE,     /* device reports a terminal status */
  K_TIMEOUT,         /* in-progress timer expires */
  K_WINDOW,          /* a 60-second rollout window opens */
  K_CANCEL_BATCH,    /* cancellation propagation step */
  K_TICK,            /* periodic describe-job snapshot */
  K_OBSERVE,         /* observation instant (after all changes at now) */
  K_COUNT
};

/* Priorities at one instant. */
enum { PRIO_DEVICE = 0, PRIO_JOB = 10, PRIO_TICK = 20, PRIO_OBSERVE = 100 };

#define WINDOW_MS SIM_MS_PER_MIN

typedef struct thing_state {
  sim_time_ms queued_at;     /* latest execution: queuedAt, ms */
  sim_time_ms started_at;    /* ms, -1 when never IN_PROGRESS */
  sim_time_ms updated_at;    /* ms, lastUpdatedAt */
  uint8_t status;            /* model_exec_status of the latest execution */
  uint8_t exec_no;           /* its executionNumber, 0 = none yet */
  uint8_t retried_failed;    /* retries spent on FAILED */
  uint8_t retried_timed_out; /* retries spent on TIMED_OUT */
} thing_state;

typedef struct past_record {   /* a superseded execution (retried thing) */
  sim_time_ms queued_at, started_at, updated_at; /* ms */
  uint32_t thing;              /* thing index */
  uint8_t exec_no;             /* executionNumber */
  uint8_t status;              /* terminal status it ended in */
} past_record;

struct model_engine {
  const model_scenario *sc;
  const model_jobcfg *cfg;
  sim_world *w;
  model_observer obs;
  uint64_t seed;
  model_job job;
  thing_state *things;         /* n_things records */
  int64_t n_things;
  past_record *past;           /* side table of superseded executions */
  size_t n_past, cap_past;
  gsl_rng **group_rng;         /* one device stream per fleet group */
  /* rollout */
  size_t tgt;                  /* current target index */
  int64_t *tgt_cursor;         /* next thing offset inside each target */
  sim_event_id window_ev;      /* pending rollout window */
  int64_t windows;             /* windows opened */
  /* cancellation propagation */
  bool cancel_pending;         /* batches still to run */
  int64_t cancel_cursor;       /* next thing index to inspect */
  bool cancel_force;           /* include IN_PROGRESS */
  /* observation */
  sim_time_ms obs_time;        /* instant of the pending observe event */
  unsigned obs_bits;           /* MODEL_ROW_* bits for it */
  bool obs_scheduled;
  bool finished;               /* job can no longer change */
  bool end_emitted;
  sim_time_ms horizon;         /* scenario until, ms */
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
  return s >= MODEL_EXEC_SUCCEEDED;
}

/* ------------------------------------------------------------ logging --- */

static void logf_(model_engine *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void logf_(model_engine *e, const char *fmt, ...) {
  if (!e->obs.on_log) return;
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  e->obs.on_log(e->obs.ud, e, line);
}

/* Ask for an observation at the current instant, after every change. */
static void observe(model_engine *e, unsigned bits) {
  sim_time_ms now = sim_world_now(e->w);
  if (e->obs_scheduled && e->obs_time == now) {
    e->obs_bits |= bits;
    return;
  }
  e->obs_scheduled = true;
  e->obs_time = now;
  e->obs_bits = bits;
  int rc = sim_world_schedule(e->w, now, PRIO_OBSERVE, K_OBSERVE, 0, 0, NULL);
  if (rc) sim_world_fail(e->w, rc);
}

/* ---------------------------------------------------------- execution --- */

static void set_status(model_engine *e, int64_t t, model_exec_status s) {
  thing_state *th = &e->things[t];
  SIM_ASSERT(th->status != MODEL_EXEC_NONE || s == MODEL_EXEC_QUEUED);
  SIM_ASSERT(!is_terminal(th->status));   /* no move out of a terminal status */
  e->job.counters[th->status]--;
  e->job.counters[s]++;
  th->status = (uint8_t)s;
  th->updated_at = sim_world_now(e->w);
}

/* The device learns of a new QUEUED execution: it acts after its start
 * delay, or after reconnecting first when it is offline. */
static void notify_device(model_engine *e, int64_t t) {
  size_t g = model_fleet_group_of(&e->sc->fleet, t);
  const model_behavior *b = &e->sc->fleet.behaviors[e->sc->fleet.groups[g].behavior];
  gsl_rng *r = e->group_rng[g];
  sim_time_ms delay = 0;
  if (b->connected < 1.0 && !(gsl_rng_uniform(r) < b->connected))
    delay += sim_dist_sample(&b->reconnect_after, r);
  delay += sim_dist_sample(&b->start_delay, r);
  int rc = sim_world_schedule(e->w, sim_world_now(e->w) + delay, PRIO_DEVICE,
                              K_DEVICE_ACT, (uint64_t)t, e->things[t].exec_no, NULL);
  if (rc) sim_world_fail(e->w, rc);
}

static void create_execution(model_engine *e, int64_t t) {
  thing_state *th = &e->things[t];
  sim_time_ms now = sim_world_now(e->w);
  th->status = MODEL_EXEC_QUEUED;
  th->exec_no = 1;
  th->queued_at = th->updated_at = now;
  th->started_at = -1;
  e->job.counters[MODEL_EXEC_QUEUED]++;
  e->job.records++;
  e->job.notified++;
  notify_device(e, t);
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
  e->past[e->n_past++] = (past_record){th->queued_at, th->started_at, th->updated_at,
                                       (uint32_t)t, th->exec_no, th->status};
  return SIM_OK;
}

/* Retry budget (O19): separate FAILED / TIMED_OUT budgets, or one shared
 * budget for ALL. Returns true and spends one retry when allowed. */
static bool take_retry(model_engine *e, thing_state *th, model_exec_status s) {
  const model_jobcfg *c = e->cfg;
  if (!c->has_retry) return false;
  for (size_t i = 0; i < c->n_retry; i++) {
    const model_retry_criteria *rc = &c->retry[i];
    int64_t n = rc->number_of_retries;
    if (rc->failure_type == MODEL_FAILURE_ALL) {
      if (th->retried_failed + th->retried_timed_out >= n) return false;
    } else if (rc->failure_type == MODEL_FAILURE_FAILED && s == MODEL_EXEC_FAILED) {
      if (th->retried_failed >= n) return false;
    } else if (rc->failure_type == MODEL_FAILURE_TIMED_OUT &&
               s == MODEL_EXEC_TIMED_OUT) {
      if (th->retried_timed_out >= n) return false;
    } else {
      continue;
    }
    if (s == MODEL_EXEC_FAILED) th->retried_failed++;
    else th->retried_timed_out++;
    return true;
  }
  return false;
}

/* O18/O20: a retry is a new QUEUED record, queued at the failure instant,
 * not rate-limited and not counted as notified. */
static void maybe_retry(model_engine *e, int64_t t, model_exec_status s) {
  thing_state *th = &e->things[t];
  if (e->job.canceled) return;         /* O16: no retries after cancel/abort */
  if (!take_retry(e, th, s)) return;
  int rc = push_past(e, t);
  if (rc) { sim_world_fail(e->w, rc); return; }
  sim_time_ms now = sim_world_now(e->w);
  th->exec_no++;
  th->status = MODEL_EXEC_QUEUED;
  th->queued_at = th->updated_at = now;
  th->started_at = -1;
  e->job.counters[MODEL_EXEC_QUEUED]++;
  e->job.records++;
  e->job.retries++;
  notify_device(e, t);
}

static void cancel_job(model_engine *e, bool force, const char *reason,
                       const char *comment, bool aborted);
static void check_done(model_engine *e);

/* O11/O12: criteria in list order, right after every terminal transition. */
static void check_abort(model_engine *e) {
  const model_jobcfg *c = e->cfg;
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

static void on_device_act(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  int64_t t = (int64_t)ev->subject;
  thing_state *th = &e->things[t];
  if (th->exec_no != ev->arg || th->status != MODEL_EXEC_QUEUED) return; /* stale */
  /* After a cancel, QUEUED executions are no longer handed to devices
   * ("as soon as possible", DG-CLI); they wait for the cancel batch. */
  if (e->job.canceled) return;
  size_t g = model_fleet_group_of(&e->sc->fleet, t);
  const model_behavior *b = &e->sc->fleet.behaviors[e->sc->fleet.groups[g].behavior];
  gsl_rng *r = e->group_rng[g];
  model_outcome o = model_behavior_outcome(b, gsl_rng_uniform(r));
  sim_time_ms now = sim_world_now(w);
  if (o == MODEL_OUTCOME_REJECTED) {          /* QUEUED -> REJECTED directly */
    finish_execution(e, t, MODEL_EXEC_REJECTED);
    return;
  }
  set_status(e, t, MODEL_EXEC_IN_PROGRESS);
  th->started_at = now;
  sim_time_ms deadline = SIM_TIME_MAX;
  if (e->cfg->has_in_progress_timeout)
    deadline = now + e->cfg->in_progress_timeout_min * SIM_MS_PER_MIN;
  int rc;
  if (o == MODEL_OUTCOME_NO_RESPONSE) {
    rc = deadline == SIM_TIME_MAX
             ? SIM_OK
             : sim_world_schedule(w, deadline, PRIO_DEVICE, K_TIMEOUT, ev->subject,
                                  ev->arg, NULL);
  } else {
    sim_time_ms done = now + sim_dist_sample(&b->run_time, r);
    if (done >= deadline)   /* the timer fires first; the late report is refused */
      rc = sim_world_schedule(w, deadline, PRIO_DEVICE, K_TIMEOUT, ev->subject,
                              ev->arg, NULL);
    else
      rc = sim_world_schedule(w, done, PRIO_DEVICE, K_DEVICE_DONE, ev->subject,
                              ev->arg | ((uint64_t)o << 8), NULL);
  }
  if (rc) sim_world_fail(w, rc);
}

static void on_device_done(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  int64_t t = (int64_t)ev->subject;
  thing_state *th = &e->things[t];
  if (th->exec_no != (ev->arg & 0xff) || th->status != MODEL_EXEC_IN_PROGRESS) return;
  model_outcome o = (model_outcome)(ev->arg >> 8);
  finish_execution(e, t, o == MODEL_OUTCOME_SUCCEEDED ? MODEL_EXEC_SUCCEEDED
                                                       : MODEL_EXEC_FAILED);
  (void)w;
}

static void on_timeout(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  int64_t t = (int64_t)ev->subject;
  thing_state *th = &e->things[t];
  if (th->exec_no != ev->arg || th->status != MODEL_EXEC_IN_PROGRESS) return;
  finish_execution(e, t, MODEL_EXEC_TIMED_OUT);
  (void)w;
}

/* ------------------------------------------------------------- rollout --- */

/* O2/O3/O4: exponential k from cumulative multiples, floor, capped. */
static int64_t window_rate(model_engine *e, const char **why) {
  const model_jobcfg *c = e->cfg;
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

/* Move the rollout cursor past things that already have an execution;
 * returns true when every target is exhausted. */
static bool rollout_advance(model_engine *e) {
  const model_target *tg = e->sc->targets;
  while (e->tgt < e->cfg->n_targets) {
    const model_target *t = &tg[e->tgt];
    int64_t *cur = &e->tgt_cursor[e->tgt];
    while (*cur < t->count && e->things[t->first + *cur].status != MODEL_EXEC_NONE)
      (*cur)++;
    if (*cur < t->count) return false;
    e->tgt++;
  }
  return true;
}

static void on_window(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)ev;
  e->window_ev = SIM_EVENT_NONE;
  if (e->job.status != MODEL_JOB_IN_PROGRESS || e->job.rollout_done) return;
  sim_time_ms now = sim_world_now(w);
  const char *why;
  int64_t prev = e->job.rate;
  int64_t rate = window_rate(e, &why);
  e->job.rate = e->job.window_rate = rate;
  e->windows++;
  if (e->windows == 1)
    logf_(e, "rollout starts at %" PRId64 "/min (%s)", rate,
          e->cfg->has_exponential ? "exponentialRate" : "constant rate");
  else if (rate != prev) {
    if (why)
      logf_(e, "rate %" PRId64 "/min -> %" PRId64 "/min: %s criterion met "
               "(increase %" PRId64 ": %" PRId64 " notified, %" PRId64
               " succeeded; exact rate %.3f)",
            prev, rate, why, e->job.rate_k, e->job.notified,
            e->job.counters[MODEL_EXEC_SUCCEEDED], e->job.exact_rate);
    else
      logf_(e, "rate %" PRId64 "/min -> %" PRId64 "/min", prev, rate);
  }
  int64_t made = 0;
  const model_target *tg = e->sc->targets;
  while (made < rate && !rollout_advance(e)) {
    const model_target *t = &tg[e->tgt];
    create_execution(e, t->first + e->tgt_cursor[e->tgt]);
    e->tgt_cursor[e->tgt]++;
    made++;
  }
  bool done = rollout_advance(e);
  if (made > 0) e->job.last_updated_at = now;
  logf_(e, "window %" PRId64 ": %" PRId64 " executions created at %" PRId64
           "/min, %" PRId64 " of %" PRId64 " things notified",
        e->windows, made, rate, e->job.notified, e->sc->n_targeted);
  if (done) {
    e->job.rollout_done = true;
    e->job.rate = 0;
    e->job.is_concurrent = e->cancel_pending;
    e->job.last_updated_at = now;
    logf_(e, "rollout finished: %" PRId64 " executions created in %" PRId64
             " windows", e->job.notified, e->windows);
  } else {
    int rc = sim_world_schedule(w, now + WINDOW_MS, PRIO_JOB, K_WINDOW, 0, 0,
                                &e->window_ev);
    if (rc) sim_world_fail(w, rc);
  }
  observe(e, MODEL_ROW_WINDOW);
  check_done(e);   /* an empty rollout, or one whose things all finished */
}

/* -------------------------------------------------------- cancellation --- */

static void cancel_job(model_engine *e, bool force, const char *reason,
                       const char *comment, bool aborted) {
  sim_time_ms now = sim_world_now(e->w);
  e->job.status = MODEL_JOB_CANCELED;
  e->job.canceled = true;
  e->job.aborted = aborted;
  e->job.force_canceled = force;
  e->job.last_updated_at = now;
  e->job.rate = 0;
  snprintf(e->job.reason_code, sizeof e->job.reason_code, "%s", reason ? reason : "");
  snprintf(e->job.comment, sizeof e->job.comment, "%s", comment ? comment : "");
  if (e->window_ev) {
    sim_world_cancel(e->w, e->window_ev);   /* rollout of new executions stops */
    e->window_ev = SIM_EVENT_NONE;
  }
  e->cancel_force = force;
  e->cancel_cursor = 0;
  int64_t todo = e->job.counters[MODEL_EXEC_QUEUED] +
                 (force ? e->job.counters[MODEL_EXEC_IN_PROGRESS] : 0);
  logf_(e, "job CANCELED%s%s: %" PRId64 " executions to cancel at %" PRId64
           "/min; %" PRId64 " things notified, %" PRId64 " IN_PROGRESS continue",
        aborted ? " by abort" : "", force ? " (force)" : "", todo,
        e->sc->sim.cancel_rate, e->job.notified,
        force ? (int64_t)0 : e->job.counters[MODEL_EXEC_IN_PROGRESS]);
  if (todo > 0) {
    e->cancel_pending = true;
    e->job.is_concurrent = true;
    int rc = sim_world_schedule(e->w, now, PRIO_JOB, K_CANCEL_BATCH, 0, 0, NULL);
    if (rc) sim_world_fail(e->w, rc);
  } else {
    e->job.is_concurrent = false;
  }
  observe(e, MODEL_ROW_STATUS);
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
    unsigned s = e->things[t].status;
    if (s == MODEL_EXEC_QUEUED || (e->cancel_force && s == MODEL_EXEC_IN_PROGRESS)) {
      set_status(e, t, MODEL_EXEC_CANCELED);
      done++;
    }
    e->cancel_cursor++;
  }
  int64_t left = e->job.counters[MODEL_EXEC_QUEUED] +
                 (e->cancel_force ? e->job.counters[MODEL_EXEC_IN_PROGRESS] : 0);
  logf_(e, "cancellation: %" PRId64 " executions CANCELED, %" PRId64 " left", done,
        left);
  if (left > 0 && e->cancel_cursor < e->n_things) {
    int rc = sim_world_schedule(w, sim_world_now(w) + WINDOW_MS, PRIO_JOB,
                                K_CANCEL_BATCH, 0, 0, NULL);
    if (rc) sim_world_fail(w, rc);
  } else {
    e->cancel_pending = false;
    e->job.is_concurrent = false;
    e->job.last_updated_at = sim_world_now(w);
    logf_(e, "cancellation finished");
  }
  observe(e, MODEL_ROW_CANCEL);
  check_done(e);
}

/* ------------------------------------------------------- job lifecycle --- */

/* O22: COMPLETED once rollout is finished and no record is QUEUED or
 * IN_PROGRESS (a pending retry is a QUEUED record). The run is over when
 * nothing can change any more. */
static void check_done(model_engine *e) {
  const int64_t *k = e->job.counters;
  bool active = k[MODEL_EXEC_QUEUED] > 0 || k[MODEL_EXEC_IN_PROGRESS] > 0;
  if (e->job.status == MODEL_JOB_IN_PROGRESS && e->job.rollout_done && !active) {
    sim_time_ms now = sim_world_now(e->w);
    e->job.status = MODEL_JOB_COMPLETED;
    e->job.completed_at = e->job.last_updated_at = now;
    e->job.is_concurrent = false;
    char d[64];
    sim_duration_format(now, d, sizeof d);
    logf_(e, "job COMPLETED after %s: %" PRId64 " succeeded, %" PRId64
             " failed, %" PRId64 " rejected, %" PRId64 " timed out, %" PRId64
             " retries",
          d, k[MODEL_EXEC_SUCCEEDED], k[MODEL_EXEC_FAILED], k[MODEL_EXEC_REJECTED],
          k[MODEL_EXEC_TIMED_OUT], e->job.retries);
    observe(e, MODEL_ROW_STATUS);
  }
  if (!e->finished &&
      (e->job.status == MODEL_JOB_COMPLETED ||
       (e->job.status == MODEL_JOB_CANCELED && !e->cancel_pending && !active))) {
    e->finished = true;
    observe(e, MODEL_ROW_END);
  }
}

static void on_tick(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)ev;
  observe(e, MODEL_ROW_SNAPSHOT);
  sim_time_ms next = sim_world_now(w) + e->sc->sim.snapshot_every;
  if (next <= e->horizon) {
    int rc = sim_world_schedule(w, next, PRIO_TICK, K_TICK, 0, 0, NULL);
    if (rc) sim_world_fail(w, rc);
  }
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

/* ---------------------------------------------------------------- API --- */

void model_engine_free(model_engine *e) {
  if (!e) return;
  sim_world_free(e->w);
  free(e->things);
  free(e->past);
  free(e->group_rng);
  free(e->tgt_cursor);
  free(e);
}

int model_engine_new(model_engine **out, const model_scenario *sc, uint64_t seed,
                     const model_observer *obs, sim_diag *d) {
  static const sim_handler_fn handlers[K_COUNT] = {
      on_device_act, on_device_done, on_timeout, on_window,
      on_cancel_batch, on_tick, on_observe};
  *out = NULL;
  model_engine *e = calloc(1, sizeof *e);
  int rc = SIM_ERR_NOMEM;
  if (!e) goto nomem;
  e->sc = sc;
  e->cfg = &sc->job;
  e->seed = seed;
  if (obs) e->obs = *obs;
  e->n_things = sc->fleet.n_things;
  e->horizon = sc->sim.until;
  e->job.completed_at = -1;
  e->job.status = MODEL_JOB_IN_PROGRESS;
  e->job.is_concurrent = true;
  /* calloc: status NONE, exec_no 0 for every thing; no per-thing heap. */
  e->things = calloc((size_t)e->n_things, sizeof *e->things);
  e->group_rng = calloc(sc->fleet.n_groups, sizeof *e->group_rng);
  e->tgt_cursor = calloc(sc->job.n_targets ? sc->job.n_targets : 1,
                         sizeof *e->tgt_cursor);
  if (!e->things || !e->group_rng || !e->tgt_cursor) goto nomem;
  if ((rc = sim_world_new(&e->w, seed, NULL))) goto fail;
  for (uint32_t k = 0; k < K_COUNT; k++)
    if ((rc = sim_world_on(e->w, k, handlers[k], e))) goto fail;
  for (size_t g = 0; g < sc->fleet.n_groups; g++) {
    char name[256];
    snprintf(name, sizeof name, "device/%s", sc->fleet.groups[g].name);
    if ((rc = sim_world_stream(e->w, name, &e->group_rng[g]))) goto fail;
  }
  /* t = 0: the job is created IN_PROGRESS and rolls out at once (O7). */
  if ((rc = sim_world_schedule(e->w, 0, PRIO_JOB, K_WINDOW, 0, 0, &e->window_ev)) ||
      (rc = sim_world_schedule(e->w, 0, PRIO_TICK, K_TICK, 0, 0, NULL)))
    goto fail;
  char d1[64];
  sim_duration_format(sc->sim.until, d1, sizeof d1);
  logf_(e, "job %s created: %s, %zu targets covering %" PRId64
           " things, seed %" PRIu64 ", horizon %s",
        sc->job.job_id, sc->job.continuous ? "CONTINUOUS" : "SNAPSHOT",
        sc->job.n_targets, sc->n_targeted, seed, d1);
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
const model_job *model_engine_job(const model_engine *e) { return &e->job; }
sim_time_ms model_engine_now(const model_engine *e) { return sim_world_now(e->w); }
uint64_t model_engine_seed(const model_engine *e) { return e->seed; }
uint64_t model_engine_events(const model_engine *e) { return sim_world_dispatched(e->w); }
size_t model_engine_peak_pending(const model_engine *e) {
  return sim_world_peak_pending(e->w);
}
size_t model_engine_bytes(const model_engine *e) {
  return (size_t)e->n_things * sizeof(thing_state) + e->cap_past * sizeof(past_record);
}

size_t model_engine_processing_targets(const model_engine *e, size_t *idx,
                                       size_t cap) {
  if (e->job.status != MODEL_JOB_IN_PROGRESS || e->job.rollout_done) return 0;
  size_t n = 0;
  const model_target *tg = e->sc->targets;
  for (size_t i = e->tgt; i < e->cfg->n_targets; i++) {
    const model_target *t = &tg[i];
    int64_t from = i == e->tgt ? e->tgt_cursor[i] : 0;
    bool open;
    if (!t->is_group) {
      open = e->things[t->first].status == MODEL_EXEC_NONE;
    } else {
      /* Things of the group still without an execution: the range left
       * minus those reached already through thing targets (<= 100). */
      int64_t left = t->count - from;
      for (size_t j = 0; j < e->cfg->n_targets && left > 0; j++) {
        const model_target *u = &tg[j];
        if (u->is_group || u->first < t->first + from || u->first >= t->first + t->count)
          continue;
        bool seen = false;   /* count each thing once */
        for (size_t m = 0; m < j && !seen; m++)
          seen = !tg[m].is_group && tg[m].first == u->first;
        if (!seen && e->things[u->first].status != MODEL_EXEC_NONE) left--;
      }
      open = left > 0;
    }
    if (open) {
      if (n < cap) idx[n] = i;
      n++;
    }
  }
  return n;
}

/* --------------------------------------------------- execution records --- */

static int version_of(unsigned status, sim_time_ms started) {
  /* 1 when queued, +1 when the device moved it to IN_PROGRESS, +1 when the
   * device reported a terminal status (service-set statuses do not count). */
  int v = 1 + (started >= 0);
  if (status == MODEL_EXEC_SUCCEEDED || status == MODEL_EXEC_FAILED ||
      status == MODEL_EXEC_REJECTED)
    v++;
  return v;
}

static void view_of(model_exec_view *v, int64_t thing, unsigned exec_no,
                    unsigned status, sim_time_ms q, sim_time_ms s, sim_time_ms u,
                    bool latest) {
  v->thing = thing;
  v->exec_no = (int)exec_no;
  v->retry_attempt = (int)exec_no - 1;
  v->status = (model_exec_status)status;
  v->queued_at = q;
  v->started_at = s;
  v->updated_at = u;
  v->version = version_of(status, s);
  v->latest = latest;
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
    const thing_state *th = &e->things[t];
    if (th->status == MODEL_EXEC_NONE) continue;
    for (; k < e->n_past && p[k].thing == (uint32_t)t && !rc; k++) {
      view_of(&v, t, p[k].exec_no, p[k].status, p[k].queued_at, p[k].started_at,
              p[k].updated_at, false);
      rc = fn(ud, &v);
    }
    if (rc) break;
    view_of(&v, t, th->exec_no, th->status, th->queued_at, th->started_at,
            th->updated_at, true);
    rc = fn(ud, &v);
  }
  free(p);
  return rc;
}

bool model_engine_exec(const model_engine *e, int64_t thing, int exec_no,
                       model_exec_view *out) {
  if (thing < 0 || thing >= e->n_things) return false;
  const thing_state *th = &e->things[thing];
  if (th->status == MODEL_EXEC_NONE) return false;
  if (exec_no <= 0 || exec_no == th->exec_no) {
    view_of(out, thing, th->exec_no, th->status, th->queued_at, th->started_at,
            th->updated_at, true);
    return true;
  }
  for (size_t i = 0; i < e->n_past; i++)   /* linear: a query, not a hot path */
    if (e->past[i].thing == (uint32_t)thing && e->past[i].exec_no == exec_no) {
      const past_record *r = &e->past[i];
      view_of(out, thing, r->exec_no, r->status, r->queued_at, r->started_at,
              r->updated_at, false);
      return true;
    }
  return false;
}
