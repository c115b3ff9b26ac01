/*
 * engine_rollout.c — the rollout: it owns the targets' cursors, the
 * 60-second rollout windows and their rate (constant, exponential, quota
 * cap), the SNAPSHOT membership fixed at rollout start, schedulingConfig
 * startTime and endTime, the maintenance windows and the IN_PROGRESS <->
 * SCHEDULED switch; it creates executions only through eng_new_execution and
 * changes the job status only through eng_set_job_status, eng_cancel_job
 * and eng_cancel_upgrade.
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <inttypes.h>
#include <math.h>

#include "duration.h"

/* ------------------------------------------------------------- rollout --- */

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

bool eng_rollout_allowed(const model_engine *e) {
  return e->job.status == MODEL_JOB_IN_PROGRESS && !e->rollout_stopped &&
         !e->job.rollout_done;
}

void eng_schedule_window(model_engine *e, sim_time_ms at) {
  if (e->window_ev) return;
  fail_if(e, sim_world_schedule(e->w, at, PRIO_JOB, K_WINDOW, 0, 0, &e->window_ev));
}

void eng_stop_windows(model_engine *e) {
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

void eng_on_window(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)ev;
  e->window_ev = SIM_EVENT_NONE;
  if (!eng_rollout_allowed(e)) return;
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
    eng_log(e, "rollout starts at %" PRId64 "/min (%s)", rate,
          e->cfg.has_exponential ? "exponentialRate" : "constant rate");
  else if (resumed && !why)
    eng_log(e, "rollout resumes at %" PRId64 "/min", rate);
  else if (rate != prev) {
    if (why)
      eng_log(e, "rate %" PRId64 "/min -> %" PRId64 "/min: %s criterion met "
               "(increase %" PRId64 ": %" PRId64 " notified, %" PRId64
               " succeeded; exact rate %.3f)",
            prev, rate, why, e->job.rate_k, e->job.notified,
            e->job.counters[MODEL_EXEC_SUCCEEDED], e->job.exact_rate);
    else
      eng_log(e, "rate %" PRId64 "/min -> %" PRId64 "/min: the rollout configuration "
               "changed (update-job)", prev, rate);
  }
  int64_t made = 0;
  while (made < rate && !rollout_advance(e)) {
    int64_t t = target_thing(e, e->tgt, e->tgt_cursor[e->tgt]);
    eng_new_execution(e, t, 0);
    e->tgt_cursor[e->tgt]++;
    made++;
  }
  bool done = rollout_advance(e);
  if (made > 0) e->job.last_updated_at = now;
  eng_log(e, "window %" PRId64 ": %" PRId64 " executions created at %" PRId64
           "/min, %" PRId64 " things notified",
        e->windows, made, rate, e->job.notified);
  if (done) {
    e->job.rollout_done = true;
    e->job.rate = 0;
    e->job.is_concurrent = e->cancel_pending;
    e->job.last_updated_at = now;
    eng_log(e, "rollout finished: %" PRId64 " things notified in %" PRId64 " windows",
          e->job.notified, e->windows);
  } else {
    eng_schedule_window(e, now + WINDOW_MS);
  }
  eng_observe(e, MODEL_ROW_WINDOW);
  eng_check_done(e);   /* an empty rollout, or one whose things all finished */
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
    if (th->status == MODEL_EXEC_QUEUED) eng_notify_device(e, t);
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
    eng_set_job_status(e, MODEL_JOB_IN_PROGRESS);
    eng_log(e, "job IN_PROGRESS%s", e->sc->n_windows ? " (maintenance window open)" : "");
    release_deferred(e);
    if (eng_rollout_allowed(e)) eng_schedule_window(e, now_of(e));  /* O7: anchored here */
  } else if (!in && s == MODEL_JOB_IN_PROGRESS) {
    eng_set_job_status(e, MODEL_JOB_SCHEDULED);
    eng_stop_windows(e);
    e->job.rate = 0;
    e->job.is_concurrent = e->cancel_pending;
    if (e->job.rollout_done || e->rollout_stopped)
      eng_log(e, "job SCHEDULED: maintenance window closed");
    else
      eng_log(e, "job SCHEDULED: maintenance window closed; rollout paused with %" PRId64
               " things notified",
            e->job.notified);
  }
}

void eng_on_sched_start(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w; (void)ev;
  e->sched_started = true;
  eng_log(e, "schedulingConfig.startTime reached");
  update_schedule_status(e);
}

void eng_schedule_next_window(model_engine *e, size_t wi, sim_time_ms after) {
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
void eng_on_mw_open(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  size_t wi = (size_t)ev->subject;
  sim_time_ms occ = (sim_time_ms)ev->arg;
  sim_time_ms len = e->sc->job.windows[wi].duration_min * SIM_MS_PER_MIN;
  e->open_windows++;
  char d[32];
  sim_duration_format(occ + len - sim_world_now(w), d, sizeof d);
  eng_log(e, "maintenance window %zu opens for %s (%s)", wi, d, e->sc->job.windows[wi].cron);
  fail_if(e, sim_world_schedule(w, occ + len, PRIO_SCHED, K_MW_CLOSE, wi, 0, NULL));
  eng_schedule_next_window(e, wi, occ);
  update_schedule_status(e);
}

void eng_on_mw_close(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w;
  e->open_windows--;
  eng_log(e, "maintenance window %zu closes", (size_t)ev->subject);
  update_schedule_status(e);
}

void eng_on_end_time(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w; (void)ev;
  e->ended = true;
  model_job_status s = e->job.status;
  model_end_behavior b = e->cfg.has_end_behavior ? e->cfg.end_behavior
                                                  : MODEL_END_STOP_ROLLOUT;
  if (s == MODEL_JOB_CANCELED && b == MODEL_END_FORCE_CANCEL && !e->job.force_canceled) {
    /* FORCE_CANCEL is a forced CancelJob: it upgrades an earlier cancel */
    eng_log(e, "schedulingConfig.endTime reached: endBehavior FORCE_CANCEL upgrades the "
               "earlier cancel; %" PRId64 " IN_PROGRESS executions to cancel",
            e->job.counters[MODEL_EXEC_IN_PROGRESS]);
    eng_cancel_upgrade(e, NULL, NULL);
    eng_check_done(e);
    return;
  }
  if (s != MODEL_JOB_IN_PROGRESS && s != MODEL_JOB_SCHEDULED) {
    eng_log(e, "schedulingConfig.endTime reached; the job is already %s",
          model_job_status_name(s));
    eng_check_done(e);
    return;
  }
  eng_log(e, "schedulingConfig.endTime reached: endBehavior %s", model_end_behavior_name(b));
  e->rollout_stopped = true;
  eng_stop_windows(e);
  e->job.rate = 0;
  if (b == MODEL_END_STOP_ROLLOUT) {
    e->job.is_concurrent = e->cancel_pending;
    e->job.last_updated_at = now_of(e);
    update_schedule_status(e);   /* windows no longer apply (O32 choice) */
    eng_observe(e, MODEL_ROW_STATUS);
    eng_check_done(e);
  } else {
    eng_cancel_job(e, b == MODEL_END_FORCE_CANCEL, NULL,
               b == MODEL_END_FORCE_CANCEL
                   ? "Canceled by schedulingConfig endBehavior FORCE_CANCEL at endTime [synthetic text]"
                   : "Canceled by schedulingConfig endBehavior CANCEL at endTime [synthetic text]",
               false);
  }
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
