/*
 * engine_device.c — the device model: it owns what a device does with its
 * executions (which one it works on when several jobs have queued one, O41;
 * when it acts on a QUEUED one, its outcome, progress updates, its report),
 * the in-progress and step timers with their lag (also those the data plane
 * starts on external things), the retry budget, and the QUEUED executions
 * deferred until a window opens; it may write the times, version and
 * F_RAN/F_DEFERRED/X_WAIT flags of a thing's latest record and the
 * exposure counts, and changes statuses only through engine_job.c
 * (eng_set_status, eng_finish_execution, eng_new_execution).
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <math.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "rng.h"

/* ------------------------------------------------------------- things --- */

static const model_behavior *behavior_of_group(const model_engine *e, unsigned g) {
  const model_fleet *f = &e->sc->fleet;
  return &f->behaviors[f->groups[g].behavior];
}

static const model_behavior *behavior_of(const model_engine *e, int64_t t) {
  return behavior_of_group(e, e->things[t].group);
}

bool eng_external(const model_engine *e, int64_t t) { return behavior_of(e, t)->external; }

bool model_engine_thing_external(const model_engine *e, int64_t t) {
  return t >= 0 && t < e->n_things && eng_external(e, t);
}

/* Device stream of fleet group g for job J: "device/<group>" for job 0 (as
 * a one-job run always had), "device/<group>/<jobId>" for the others, so a
 * job added to a scenario shifts no other job's draws. */
gsl_rng *eng_device_rng_slow(model_engine *e, eng_job *J, size_t g) {
  char name[512];
  if (J->index == 0)
    snprintf(name, sizeof name, "device/%s", e->sc->fleet.groups[g].name);
  else
    snprintf(name, sizeof name, "device/%s/%s", e->sc->fleet.groups[g].name,
             J->cfg.job_id);
  int rc = sim_world_stream(e->w, name, &J->group_rng[g]);
  if (rc) {
    sim_world_fail(e->w, rc);
    return NULL;
  }
  return J->group_rng[g];
}

/* Device events pack (thing, execution number, outcome, job) in the subject
 * and (report instant, in-progress timeout minutes) in the argument: the
 * report instant fits 42 bits (SIM_DURATION_MAX < 2^42; all ones = never
 * reports), the timeout 14 bits (<= 10080), the job 12 bits. */
#define NO_REPORT ((UINT64_C(1) << 42) - 1)
static uint64_t dev_subject(const eng_job *J, int64_t t, unsigned exec_no,
                            unsigned outcome) {
  return (uint64_t)t | (uint64_t)exec_no << 32 | (uint64_t)outcome << 48 |
         (uint64_t)J->index << 52;
}
static uint64_t dev_arg(sim_time_ms report_at, unsigned tmo_min) {
  uint64_t r = report_at < 0 ? NO_REPORT : (uint64_t)report_at;
  return r | (uint64_t)tmo_min << 48;
}
static int64_t ev_thing(const sim_event *ev) { return (int64_t)(ev->subject & 0xffffffffu); }
static unsigned ev_exec(const sim_event *ev) { return (unsigned)(ev->subject >> 32) & 0xffff; }
static unsigned ev_outcome(const sim_event *ev) { return (unsigned)(ev->subject >> 48) & 0xf; }
static eng_job *ev_job(const model_engine *e, const sim_event *ev) {
  return e->jobs[ev->subject >> 52];
}
static unsigned ev_tmo(const sim_event *ev) { return (unsigned)(ev->arg >> 48) & 0x3fff; }
static sim_time_ms ev_report(const sim_event *ev) {
  uint64_t r = ev->arg & NO_REPORT;
  return r == NO_REPORT ? -1 : (sim_time_ms)r;
}

/* --------------------------------------------- one execution at a time --- */

/* Is thing t's device working on (or about to act on) an execution of a job
 * other than `except`? An IN_PROGRESS execution, or a QUEUED one handed to
 * it (neither waiting for the device nor deferred to a window). */
static bool device_busy(const model_engine *e, int64_t t, const eng_job *except) {
  for (size_t k = 0; k < e->n_jobs; k++) {
    const eng_job *K = e->jobs[k];
    if (K == except) continue;
    const thing_state *r = eng_rec(e, K, t);
    if (!r) continue;
    if (r->status == MODEL_EXEC_IN_PROGRESS) return true;
    if (r->status == MODEL_EXEC_QUEUED && !(r->xflags & X_WAIT) &&
        !(r->flags & F_DEFERRED))
      return true;
  }
  return false;
}

/* Hand J's QUEUED execution on t to the device: it acts after its start
 * delay, or after reconnecting first when it is offline (drawn unless the
 * device is known to be `online`). */
static inline void hand(model_engine *e, eng_job *J, int64_t t, thing_state *th,
                        const model_behavior *b, bool online, unsigned group) {
  gsl_rng *r = eng_device_rng(e, J, group);
  if (!r) return;
  sim_time_ms delay = 0;
  if (!online && b->connected < 1.0 && !(sim_rng_uniform(r) < b->connected))
    delay += sim_dist_sample(&b->reconnect_after, r);
  delay += sim_dist_sample(&b->start_delay, r);
  fail_if(e, sim_world_schedule(e->w, now_of(e) + delay, PRIO_DEVICE, K_DEVICE_ACT,
                                dev_subject(J, t, th->exec_no, 0), 0, NULL));
}

/* The device learns of a QUEUED execution of J: it takes it at once unless
 * it is busy with another job's, then it waits (X_WAIT) for
 * eng_device_free. External things have no device. */
static void offer(model_engine *e, eng_job *J, int64_t t, bool online, int g) {
  const model_behavior *b = g >= 0 && J->dense ? behavior_of_group(e, (unsigned)g)
                                               : behavior_of(e, t);
  if (b->external) return;
  thing_state *th = eng_rec(e, J, t);
  unsigned group = g >= 0 ? (unsigned)g : th->group;
  if (e->multi) {
    if (device_busy(e, t, J)) {
      th->xflags |= X_WAIT;
      return;
    }
    th->xflags &= (uint16_t)~X_WAIT;
  }
  hand(e, J, t, th, b, online, group);
}

/* A new QUEUED execution of J on t, whose record's group is `group` (read
 * by the caller before it wrote the record's flags: reading the 16-bit
 * group-and-flags unit right after a byte store to it stalls the CPU). */
void eng_notify_device(model_engine *e, eng_job *J, int64_t t, unsigned group) {
  offer(e, J, t, false, (int)group);
}

static void defer(model_engine *e, eng_job *J, int64_t t, thing_state *th);

/* Thing t's device is done with an execution: it takes the next one in
 * StartNextPendingJobExecution order (oldest queuedAt, then the older job)
 * among the executions waiting for it. One whose job is between
 * maintenance windows is deferred to its window instead; one of a job that
 * is canceling or being deleted is passed over (its propagation ends it). */
void eng_device_free(model_engine *e, int64_t t) {
  if (eng_external(e, t) || device_busy(e, t, NULL)) return;
  for (;;) {
    eng_job *best = NULL;
    thing_state *bt = NULL;
    for (size_t k = 0; k < e->n_jobs; k++) {
      eng_job *K = e->jobs[k];
      thing_state *r = eng_rec(e, K, t);
      if (!r || r->status != MODEL_EXEC_QUEUED || !(r->xflags & X_WAIT)) continue;
      model_job_status s = K->job.status;
      if (s != MODEL_JOB_IN_PROGRESS && s != MODEL_JOB_SCHEDULED) continue;
      if (!bt || r->queued_at < bt->queued_at) {
        best = K;
        bt = r;
      }
    }
    if (!best) return;
    bt->xflags &= (uint16_t)~X_WAIT;
    if (best->job.status == MODEL_JOB_SCHEDULED) {
      defer(e, best, t, bt);
      continue;
    }
    hand(e, best, t, bt, behavior_of(e, t), false, bt->group);
    return;
  }
}

/* A device whose QUEUED execution waited for a maintenance window is
 * connected: at the opening it acts after its start delay (O34), without
 * being drawn offline again. With several jobs a device busy with another
 * job's execution waits for it (X_WAIT) as eng_notify_device does. */
void eng_device_resume(model_engine *e, eng_job *J, int64_t t) { offer(e, J, t, true, -1); }

/* Retry budget (O19): separate FAILED / TIMED_OUT budgets, or one shared
 * budget for ALL. Returns true and spends one retry when allowed. */
static bool take_retry(const eng_job *J, thing_state *th, model_exec_status s) {
  const model_jobcfg *c = &J->cfg;
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

void eng_maybe_retry(model_engine *e, eng_job *J, int64_t t, model_exec_status s) {
  thing_state *th = eng_rec(e, J, t);
  /* O16: no retries once the job is canceled; none for things that left. */
  if (J->job.canceled || J->job.status == MODEL_JOB_DELETION_IN_PROGRESS) return;
  if (e->things[t].flags & F_GONE) return;
  if (!take_retry(J, th, s)) return;
  J->job.retries++;
  eng_new_execution(e, J, t, th->retry_attempt + 1u);
}

/* -------------------------------------------------------------- device --- */

/* The job hands QUEUED executions to devices only while it is IN_PROGRESS:
 * between maintenance windows (SCHEDULED) they wait (O34), and after a
 * cancel they wait for the cancellation to reach them. */
static bool devices_may_start(const eng_job *J) {
  return J->job.status == MODEL_JOB_IN_PROGRESS;
}

static void defer(model_engine *e, eng_job *J, int64_t t, thing_state *th) {
  if (th->flags & F_DEFERRED) return;
  if (J->n_deferred == J->cap_deferred) {
    size_t nc = J->cap_deferred ? J->cap_deferred * 2 : 256;
    int64_t *nd = realloc(J->deferred, nc * sizeof *nd);
    if (!nd) { sim_world_fail(e->w, SIM_ERR_NOMEM); return; }
    J->deferred = nd;
    J->cap_deferred = nc;
  }
  J->deferred[J->n_deferred++] = t;
  th->flags |= F_DEFERRED;
}

/* Timer deadline of thing t's IN_PROGRESS execution with an in-progress
 * timeout of tmo_min minutes (0: none): the step timer — set at StartNext,
 * then set, cleared or kept by each progress update (updates so far =
 * version - 2) — never extends past the in-progress deadline (DG-CFG).
 * SIM_TIME_MAX when no timer runs. */
static sim_time_ms timer_deadline(const model_behavior *b, const thing_state *th,
                                  unsigned tmo_min) {
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

static sim_time_ms lagged(model_engine *e, eng_job *J, sim_time_ms deadline) {
  sim_time_ms fire = deadline;
  if (J->lag_rng)
    fire += (sim_time_ms)llround(gsl_rng_uniform(J->lag_rng) *
                                 (double)e->sc->sim.timeout_lag_max);
  sim_time_ms now = now_of(e);
  return fire < now ? now : fire;
}

/* Next step of an IN_PROGRESS execution: whichever comes first of the
 * device's report, its next progress update and the timer (in-progress and
 * step, bounded by the former; O17 lag added). */
static void schedule_next(model_engine *e, eng_job *J, int64_t t, thing_state *th,
                          const model_behavior *b, unsigned outcome, unsigned tmo_min,
                          sim_time_ms report_at) {
  sim_time_ms now = now_of(e);
  sim_time_ms deadline = timer_deadline(b, th, tmo_min);
  sim_time_ms fire = deadline;
  if (deadline != SIM_TIME_MAX) fire = lagged(e, J, deadline);
  sim_time_ms next_progress = SIM_TIME_MAX;
  if (b->has_progress && report_at >= 0)   /* a hanging device sends nothing */
    next_progress = now + sim_dist_sample(&b->progress_every, J->group_rng[th->group]);
  uint64_t subj = dev_subject(J, t, th->exec_no, outcome);
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

static unsigned in_progress_timeout(const eng_job *J) {
  return J->cfg.has_in_progress_timeout ? (unsigned)J->cfg.in_progress_timeout_min : 0u;
}

void eng_on_device_act(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  int64_t t = ev_thing(ev);
  eng_job *J = ev_job(e, ev);
  thing_state *th = eng_rec(e, J, t);
  if (!th || th->exec_no != ev_exec(ev) || th->status != MODEL_EXEC_QUEUED) return;
  if (ev->prio < PRIO_SCHED && J->job.status == MODEL_JOB_IN_PROGRESS && J->n_windows &&
      !J->ended && J->mw_open_until <= sim_world_now(w)) {
    /* Every open maintenance window closes at this instant: a window is
     * [occurrence, occurrence + duration) (O33), so act after the schedule
     * changes of this instant, when the job is SCHEDULED (or IN_PROGRESS
     * again, when another window opens now). */
    fail_if(e, sim_world_schedule(w, sim_world_now(w), PRIO_SCHED + 1, K_DEVICE_ACT,
                                  ev->subject, ev->arg, NULL));
    return;
  }
  if (!devices_may_start(J)) {
    /* SCHEDULED between windows: wait for the next window; canceled or
     * being deleted: wait for the propagation to reach it. With several
     * jobs the device moves on to its next execution meanwhile. */
    if (J->job.status == MODEL_JOB_SCHEDULED) defer(e, J, t, th);
    else if (e->multi) th->xflags |= X_WAIT;
    if (e->multi) eng_device_free(e, t);
    return;
  }
  const model_behavior *b = behavior_of(e, t);
  gsl_rng *r = J->group_rng[th->group];
  model_outcome o = model_behavior_outcome(b, sim_rng_uniform(r));
  sim_time_ms now = sim_world_now(w);
  if (!(th->flags & F_RAN)) {   /* exposure: the device ran (or refused) the job */
    th->flags |= F_RAN;
    J->job.things_ran++;
    J->group_ran[th->group]++;
  }
  if (o == MODEL_OUTCOME_REJECTED) {          /* QUEUED -> REJECTED directly */
    eng_version_inc(e, J, t, th);
    eng_finish_execution(e, J, t, th, MODEL_EXEC_REJECTED);
    return;
  }
  eng_set_status(e, J, t, th, MODEL_EXEC_IN_PROGRESS);
  th->started_at = now;
  eng_version_inc(e, J, t, th);
  sim_time_ms report = -1;
  if (o != MODEL_OUTCOME_NO_RESPONSE) report = now + sim_dist_sample(&b->run_time, r);
  schedule_next(e, J, t, th, b, (unsigned)o, in_progress_timeout(J), report);
}

static inline thing_state *live_in_progress(const model_engine *e, const eng_job *J,
                                            const sim_event *ev) {
  thing_state *th = eng_rec(e, J, ev_thing(ev));
  return th && th->exec_no == ev_exec(ev) && th->status == MODEL_EXEC_IN_PROGRESS ? th
                                                                                 : NULL;
}

void eng_on_device_done(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w;
  eng_job *J = ev_job(e, ev);
  thing_state *th = live_in_progress(e, J, ev);
  if (!th) return;
  int64_t t = ev_thing(ev);
  eng_version_inc(e, J, t, th);
  eng_finish_execution(e, J, t, th, ev_outcome(ev) == MODEL_OUTCOME_SUCCEEDED
                                        ? MODEL_EXEC_SUCCEEDED : MODEL_EXEC_FAILED);
}

void eng_on_progress(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  eng_job *J = ev_job(e, ev);
  thing_state *th = live_in_progress(e, J, ev);
  if (!th) return;
  int64_t t = ev_thing(ev);
  eng_version_inc(e, J, t, th);
  th->updated_at = sim_world_now(w);
  schedule_next(e, J, t, th, behavior_of(e, t), ev_outcome(ev), ev_tmo(ev), ev_report(ev));
}

/* A timer of an external thing's execution is marked in the outcome bits
 * (simulated devices use 0..3). */
#define EXT_TIMER 0xfu

void eng_on_timeout(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w;
  eng_job *J = ev_job(e, ev);
  thing_state *th = live_in_progress(e, J, ev);
  if (!th) return;
  int64_t t = ev_thing(ev);
  if (ev_outcome(ev) == EXT_TIMER) {
    uint64_t key = (uint64_t)J->index << 32 | (uint64_t)t;
    size_t cur = 0;
    if (sim_index_next(&e->ext_timer, key, &cur) != (int64_t)ev->id) return;   /* reset */
    if (sim_index_set(&e->ext_timer, key, 0) || sim_index_set(&e->ext_deadline, key, 0))
      sim_world_fail(e->w, SIM_ERR_NOMEM);
  }
  eng_finish_execution(e, J, t, th, MODEL_EXEC_TIMED_OUT);
}

/* ------------------------------------------------ external things' timers --- */

/* The timer of an external thing's IN_PROGRESS execution after a data-plane
 * call: the in-progress timeout from its start and the step timer, whichever
 * comes first; O17 lag added. fresh (StartNext, or IN_PROGRESS from QUEUED):
 * a new timer, with a step timer of step_min minutes when > 0. Otherwise (a
 * progress update) step_min > 0 restarts the step timer from now, -1 clears
 * it, 0 keeps the timer running as it is. */
void eng_start_timer(model_engine *e, eng_job *J, int64_t t, thing_state *th,
                     int64_t step_min, bool fresh) {
  uint64_t key = (uint64_t)J->index << 32 | (uint64_t)t;
  size_t cur = 0;
  int64_t old_id = sim_index_next(&e->ext_timer, key, &cur);
  if (!fresh && step_min == 0) return;   /* the running timer stands */
  if (old_id > 0) sim_world_cancel(e->w, (sim_event_id)old_id);
  unsigned tmo = in_progress_timeout(J);
  sim_time_ms deadline = tmo ? th->started_at + (sim_time_ms)tmo * SIM_MS_PER_MIN
                             : SIM_TIME_MAX;
  if (step_min > 0 && now_of(e) + step_min * SIM_MS_PER_MIN < deadline)
    deadline = now_of(e) + step_min * SIM_MS_PER_MIN;
  sim_event_id id = SIM_EVENT_NONE;
  if (deadline != SIM_TIME_MAX)
    fail_if(e, sim_world_schedule(e->w, lagged(e, J, deadline), PRIO_DEVICE, K_TIMEOUT,
                                  dev_subject(J, t, th->exec_no, EXT_TIMER), 0, &id));
  if (sim_index_set(&e->ext_timer, key, (int64_t)id) ||
      sim_index_set(&e->ext_deadline, key, deadline == SIM_TIME_MAX ? 0 : deadline))
    sim_world_fail(e->w, SIM_ERR_NOMEM);
}

/* Deadline of an IN_PROGRESS execution for approximateSecondsBeforeTimedOut:
 * the in-progress timer as configured when it started is not kept per
 * execution, so the current configuration is used (exact unless UpdateJob
 * changed the timeout while it ran). -1 when no timer runs. */
sim_time_ms model_engine_exec_deadline_at(const model_engine *e, size_t j, int64_t t) {
  if (j >= e->n_jobs || t < 0 || t >= e->n_things) return -1;
  const eng_job *J = e->jobs[j];
  const thing_state *th = eng_rec(e, J, t);
  if (!th || th->status != MODEL_EXEC_IN_PROGRESS) return -1;
  if (eng_external(e, t)) {
    size_t cur = 0;
    int64_t dl = sim_index_next(&e->ext_deadline, (uint64_t)J->index << 32 | (uint64_t)t,
                                &cur);
    return dl <= 0 ? -1 : dl;   /* 0: no timer (a deadline is never at 0) */
  }
  sim_time_ms d = timer_deadline(behavior_of(e, t), th, in_progress_timeout(J));
  return d == SIM_TIME_MAX ? -1 : d;
}

sim_time_ms model_engine_exec_deadline(const model_engine *e, int64_t t) {
  return model_engine_exec_deadline_at(e, 0, t);
}
