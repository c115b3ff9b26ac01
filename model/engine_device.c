/*
 * engine_device.c — the device model: it owns what a device does with its
 * execution (when it acts on a QUEUED one, its outcome, progress updates,
 * its report), the in-progress and step timers with their lag, the retry
 * budget, and the QUEUED executions deferred until a window opens; it may
 * write the times, version and F_RAN/F_DEFERRED flags of a thing's latest
 * record and the exposure counts, and changes statuses only through
 * engine_job.c (eng_set_status, eng_finish_execution, eng_new_execution).
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <math.h>

#include <gsl/gsl_rng.h>

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

/* The device learns of a new QUEUED execution: it acts after its start
 * delay, or after reconnecting first when it is offline. */
void eng_notify_device(model_engine *e, int64_t t) {
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

void eng_maybe_retry(model_engine *e, int64_t t, model_exec_status s) {
  thing_state *th = &e->things[t];
  /* O16: no retries once the job is canceled; none for things that left. */
  if (e->job.canceled || e->job.status == MODEL_JOB_DELETION_IN_PROGRESS) return;
  if (th->flags & F_GONE) return;
  if (!take_retry(e, th, s)) return;
  e->job.retries++;
  eng_new_execution(e, t, th->retry_attempt + 1u);
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

/* Next step of an IN_PROGRESS execution: whichever comes first of the
 * device's report, its next progress update and the timer (in-progress and
 * step, bounded by the former; O17 lag added). */
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

void eng_on_device_act(sim_world *w, const sim_event *ev, void *ud) {
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
    eng_version_inc(e, t);
    eng_finish_execution(e, t, MODEL_EXEC_REJECTED);
    return;
  }
  eng_set_status(e, t, MODEL_EXEC_IN_PROGRESS);
  th->started_at = now;
  eng_version_inc(e, t);
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

void eng_on_device_done(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w;
  if (!live_in_progress(e, ev)) return;
  int64_t t = ev_thing(ev);
  eng_version_inc(e, t);
  eng_finish_execution(e, t, ev_outcome(ev) == MODEL_OUTCOME_SUCCEEDED
                             ? MODEL_EXEC_SUCCEEDED : MODEL_EXEC_FAILED);
}

void eng_on_progress(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  if (!live_in_progress(e, ev)) return;
  int64_t t = ev_thing(ev);
  thing_state *th = &e->things[t];
  eng_version_inc(e, t);
  th->updated_at = sim_world_now(w);
  schedule_next(e, t, ev_outcome(ev), ev_tmo(ev), ev_report(ev));
}

void eng_on_timeout(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w;
  if (!live_in_progress(e, ev)) return;
  eng_finish_execution(e, ev_thing(ev), MODEL_EXEC_TIMED_OUT);
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
