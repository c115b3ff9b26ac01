/*
 * engine_rollout.c — the rollout: it owns each job's start (status at
 * creation, schedule events), the targets' cursors, the 60-second rollout
 * windows and their rate (constant, exponential, quota cap), the
 * concurrent-jobs gate (O42), the SNAPSHOT membership fixed at rollout
 * start, schedulingConfig startTime and endTime, the maintenance windows and
 * the IN_PROGRESS <-> SCHEDULED switch; it creates executions only through
 * eng_new_execution and changes the job status only through
 * eng_set_job_status, eng_cancel_job and eng_cancel_upgrade.
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <inttypes.h>
#include <math.h>

#include "duration.h"

/* ------------------------------------------------------------- rollout --- */

#define HOLE (-2)   /* a created group's member that left */

/* Thing at position p of target i's list (fleet group: initial things in
 * index order, then those that joined later, in joining order; created
 * group: its members in joining order); -1 past the end, HOLE for a
 * member that left. */
static inline int64_t target_thing(const model_engine *e, const eng_job *J, size_t i,
                                   int64_t p) {
  const model_target *t = &J->targets[i];
  if (!t->is_group) return p == 0 ? t->first : -1;
  if (p < t->count && t->first >= 0) return t->first + p;   /* a fleet group's own */
  size_t nf = e->sc->fleet.n_groups;
  if ((size_t)t->group >= nf) {
    const eng_tgroup *g = &e->tgroups[(size_t)t->group - nf];
    if (p >= g->n_members) return -1;
    return g->members[p] < 0 ? HOLE : g->members[p];
  }
  int64_t c0 = group_count0(e, t->group);
  if (p < c0) return e->sc->fleet.groups[t->group].first + p;
  const group_dyn *g = &e->groups[t->group];
  return p - c0 < g->n ? g->extras[p - c0] : -1;
}

bool eng_in_created_group(const model_engine *e, size_t g, int64_t t) {
  if (!e->tg_member.count) return false;
  size_t cur = 0;
  int64_t pos = sim_index_next(&e->tg_member, (uint64_t)g << 32 | (uint64_t)t, &cur);
  return pos >= 0 && e->tgroups[g].members[pos] == t;
}

/* May the rollout of target i create an execution for thing t? */
static inline bool eligible(const model_engine *e, const eng_job *J, size_t i, int64_t t) {
  const thing_state *th;
  if (J->dense) {   /* the fleet's record is the job's */
    th = &e->things[t];
    if (th->flags & (F_ROLLED | F_GONE)) return false;
  } else {
    if (e->things[t].flags & F_GONE) return false;
    th = eng_rec(e, J, t);
  }
  if (th && ((th->flags & F_ROLLED) || th->status != MODEL_EXEC_NONE)) return false;
  const model_target *tg = &J->targets[i];
  if (!tg->is_group) return true;
  /* O9: SNAPSHOT resolves membership at rollout start; CONTINUOUS follows it. */
  if (J->cfg.continuous) return eng_in_target_group(e, tg, t);
  return th && (th->flags & F_SNAP);
}

/* Move cursor of target i to its next eligible thing; true when there is one. */
static bool target_advance(model_engine *e, eng_job *J, size_t i) {
  for (;;) {
    int64_t t = target_thing(e, J, i, J->tgt_cursor[i]);
    if (t == -1) return false;
    if (t >= 0 && eligible(e, J, i, t)) return true;
    J->tgt_cursor[i]++;
  }
}

/* Move the rollout cursor past exhausted targets; true when all are. */
static bool rollout_advance(model_engine *e, eng_job *J) {
  while (J->tgt < J->n_targets) {
    if (target_advance(e, J, J->tgt)) return false;
    J->tgt++;
  }
  return true;
}

/* O2/O3/O4: exponential k from cumulative multiples, floor, capped. */
static int64_t window_rate(const model_engine *e, eng_job *J, const char **why) {
  const model_jobcfg *c = &J->cfg;
  int64_t quota = e->sc->sim.rollout_quota;
  int64_t cap = c->has_max_per_minute ? c->max_per_minute : 1000;
  *why = NULL;
  if (cap > quota) cap = quota;
  if (!c->has_exponential) {
    J->job.exact_rate = (double)cap;
    return cap;
  }
  int64_t kn = c->has_notified_criterion ? J->job.notified / c->notified_things : 0;
  int64_t ks = c->has_succeeded_criterion
                   ? J->job.counters[MODEL_EXEC_SUCCEEDED] / c->succeeded_things
                   : 0;
  int64_t k = kn > ks ? kn : ks;
  if (k > J->job.rate_k)
    *why = kn >= ks ? "numberOfNotifiedThings" : "numberOfSucceededThings";
  J->job.rate_k = k;
  double exact = (double)c->base_rate_per_minute * pow(c->increment_factor, (double)k);
  J->job.exact_rate = exact;
  int64_t r = exact >= (double)cap ? cap : (int64_t)floor(exact);
  return r < 1 ? 1 : r;
}

bool eng_rollout_allowed(const eng_job *J) {
  return J->job.status == MODEL_JOB_IN_PROGRESS && !J->rollout_stopped &&
         !J->job.rollout_done && !J->waiting_slot;
}

void eng_schedule_window(model_engine *e, eng_job *J, sim_time_ms at) {
  if (J->window_ev) return;
  fail_if(e, sim_world_schedule(e->w, at, PRIO_JOB, K_WINDOW, J->index, 0, &J->window_ev));
}

void eng_stop_windows(model_engine *e, eng_job *J) {
  if (J->window_ev) {
    sim_world_cancel(e->w, J->window_ev);
    J->window_ev = SIM_EVENT_NONE;
  }
}

/* O9: at the first rollout window a SNAPSHOT job fixes which members of its
 * target groups it covers (one pass over those groups). */
static void snapshot_targets(model_engine *e, eng_job *J) {
  if (J->cfg.continuous) return;
  size_t nf = e->sc->fleet.n_groups;
  for (size_t i = 0; i < J->n_targets; i++) {
    const model_target *tg = &J->targets[i];
    if (!tg->is_group) continue;
    if ((size_t)tg->group < nf && J->dense) {   /* the common case, kept tight */
      const model_group *fg = &e->sc->fleet.groups[tg->group];
      const group_dyn *g = &e->groups[tg->group];
      for (int64_t p = 0; p < fg->count + g->n; p++) {
        thing_state *th = &e->things[p < fg->count ? fg->first + p : g->extras[p - fg->count]];
        if ((th->flags & (F_MEMBER | F_GONE)) == F_MEMBER) th->flags |= F_SNAP;
      }
      continue;
    }
    for (int64_t p = 0;; p++) {
      int64_t t = target_thing(e, J, i, p);
      if (t == -1) break;
      if (t < 0 || (e->things[t].flags & F_GONE) || !eng_in_target_group(e, tg, t))
        continue;
      thing_state *th = eng_rec_make(e, J, t);
      if (!th) return;
      th->flags |= F_SNAP;
    }
  }
}

/* O42: may job J start (or resume) rolling out? It may when it already
 * holds a concurrent slot or one is free. */
static bool slot_free(const model_engine *e, const eng_job *J) {
  return J->job.is_concurrent || e->n_concurrent < e->sc->sim.concurrent_jobs;
}

void eng_on_window(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  eng_job *J = e->jobs[ev->subject];
  J->window_ev = SIM_EVENT_NONE;
  if (!eng_rollout_allowed(J)) return;
  if (!slot_free(e, J)) {
    J->waiting_slot = true;
    eng_log(e, J, "rollout waits: %" PRId64 " jobs are rolling out or canceling "
                  "(the concurrent-jobs quota, $.simulation.concurrentJobs)",
            e->n_concurrent);
    eng_observe(e, J, MODEL_ROW_WINDOW);
    return;
  }
  sim_time_ms now = sim_world_now(w);
  if (!J->rollout_started) {
    J->rollout_started = true;
    snapshot_targets(e, J);
  }
  const char *why;
  int64_t prev = J->job.window_rate;
  bool resumed = J->windows_opened > 0 && J->job.rate == 0;   /* after a pause */
  int64_t rate = window_rate(e, J, &why);
  J->job.rate = J->job.window_rate = rate;
  J->windows_opened++;
  eng_set_concurrent(e, J, true);
  if (J->windows_opened == 1)
    eng_log(e, J, "rollout starts at %" PRId64 "/min (%s)", rate,
          J->cfg.has_exponential ? "exponentialRate" : "constant rate");
  else if (resumed && !why)
    eng_log(e, J, "rollout resumes at %" PRId64 "/min", rate);
  else if (rate != prev) {
    if (why)
      eng_log(e, J, "rate %" PRId64 "/min -> %" PRId64 "/min: %s criterion met "
               "(increase %" PRId64 ": %" PRId64 " notified, %" PRId64
               " succeeded; exact rate %.3f)",
            prev, rate, why, J->job.rate_k, J->job.notified,
            J->job.counters[MODEL_EXEC_SUCCEEDED], J->job.exact_rate);
    else
      eng_log(e, J, "rate %" PRId64 "/min -> %" PRId64 "/min: the rollout configuration "
               "changed (update-job)", prev, rate);
  }
  int64_t made = 0;
  while (made < rate && !rollout_advance(e, J)) {
    int64_t t = target_thing(e, J, J->tgt, J->tgt_cursor[J->tgt]);
    eng_new_execution(e, J, t, 0);
    J->tgt_cursor[J->tgt]++;
    made++;
  }
  bool done = rollout_advance(e, J);
  if (made > 0) J->job.last_updated_at = now;
  eng_log(e, J, "window %" PRId64 ": %" PRId64 " executions created at %" PRId64
           "/min, %" PRId64 " things notified",
        J->windows_opened, made, rate, J->job.notified);
  if (done) {
    J->job.rollout_done = true;
    J->job.rate = 0;
    eng_set_concurrent(e, J, J->cancel_pending);
    J->job.last_updated_at = now;
    eng_log(e, J, "rollout finished: %" PRId64 " things notified in %" PRId64 " windows",
          J->job.notified, J->windows_opened);
  } else {
    eng_schedule_window(e, J, now + WINDOW_MS);
  }
  eng_observe(e, J, MODEL_ROW_WINDOW);
  eng_check_done(e, J);   /* an empty rollout, or one whose things all finished */
}

/* ----------------------------------------------------- status machine --- */

/* Re-hand QUEUED executions that waited for a window to their devices
 * (connected already: they start after their start delay, O34). */
static void release_deferred(model_engine *e, eng_job *J) {
  size_t n = J->n_deferred;
  J->n_deferred = 0;
  for (size_t i = 0; i < n; i++) {
    int64_t t = J->deferred[i];
    thing_state *th = eng_rec(e, J, t);
    th->flags &= (uint8_t)~F_DEFERRED;
    if (th->status == MODEL_EXEC_QUEUED) eng_device_resume(e, J, t);
  }
}

/* IN_PROGRESS or SCHEDULED, from the schedule: started, and inside a
 * maintenance window when windows are used (O34); after endTime the window
 * regime ends. Terminal job statuses never change here. */
static void update_schedule_status(model_engine *e, eng_job *J) {
  model_job_status s = J->job.status;
  if (s != MODEL_JOB_IN_PROGRESS && s != MODEL_JOB_SCHEDULED) return;
  bool in = J->sched_started &&
            (J->n_windows == 0 || J->open_windows > 0 || J->ended);
  if (in && s == MODEL_JOB_SCHEDULED) {
    eng_set_job_status(e, J, MODEL_JOB_IN_PROGRESS);
    eng_log(e, J, "job IN_PROGRESS%s", J->n_windows ? " (maintenance window open)" : "");
    release_deferred(e, J);
    if (eng_rollout_allowed(J)) eng_schedule_window(e, J, now_of(e));  /* O7: anchored here */
  } else if (!in && s == MODEL_JOB_IN_PROGRESS) {
    eng_set_job_status(e, J, MODEL_JOB_SCHEDULED);
    eng_stop_windows(e, J);
    J->job.rate = 0;
    J->waiting_slot = false;
    eng_set_concurrent(e, J, J->cancel_pending);
    if (J->job.rollout_done || J->rollout_stopped)
      eng_log(e, J, "job SCHEDULED: maintenance window closed");
    else
      eng_log(e, J, "job SCHEDULED: maintenance window closed; rollout paused with %" PRId64
               " things notified",
            J->job.notified);
  }
}

void eng_on_sched_start(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w;
  eng_job *J = e->jobs[ev->subject];
  J->sched_started = true;
  eng_log(e, J, "schedulingConfig.startTime reached");
  update_schedule_status(e, J);
}

/* Maintenance-window events: (job << 32 | window) in the subject. */
static uint64_t mw_subject(const eng_job *J, size_t wi) {
  return (uint64_t)J->index << 32 | (uint64_t)wi;
}

void eng_schedule_next_window(model_engine *e, eng_job *J, size_t wi, sim_time_ms after) {
  int64_t next;
  int64_t base = e->sc->sim.start_epoch_ms;
  if (!model_cron_next(&J->windows[wi], base + after, &next)) return;
  sim_time_ms at = next - base;
  if (at > e->horizon) return;
  /* Occurrences may overlap (every 5 minutes, 120 minutes long): one that
   * began before the job's creation and is still open opens now, each with
   * its own instant, so each closes at its own end. */
  sim_time_ms now = sim_world_now(e->w);
  fail_if(e, sim_world_schedule(e->w, at < now ? now : at, PRIO_SCHED, K_MW_OPEN,
                                mw_subject(J, wi), (uint64_t)at, NULL));
}

/* A window opens; `arg` is its occurrence instant (before now for a window
 * that was already open when the job was created). */
void eng_on_mw_open(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  eng_job *J = e->jobs[ev->subject >> 32];
  size_t wi = (size_t)(ev->subject & 0xffffffffu);
  sim_time_ms occ = (sim_time_ms)ev->arg;
  sim_time_ms len = J->cfg.windows[wi].duration_min * SIM_MS_PER_MIN;
  J->open_windows++;
  if (occ + len > J->mw_open_until) J->mw_open_until = occ + len;
  char d[32];
  sim_duration_format(occ + len - sim_world_now(w), d, sizeof d);
  eng_log(e, J, "maintenance window %zu opens for %s (%s)", wi, d, J->cfg.windows[wi].cron);
  fail_if(e, sim_world_schedule(w, occ + len, PRIO_SCHED, K_MW_CLOSE, ev->subject, 0, NULL));
  eng_schedule_next_window(e, J, wi, occ);
  update_schedule_status(e, J);
}

void eng_on_mw_close(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w;
  eng_job *J = e->jobs[ev->subject >> 32];
  J->open_windows--;
  eng_log(e, J, "maintenance window %zu closes", (size_t)(ev->subject & 0xffffffffu));
  update_schedule_status(e, J);
}

void eng_on_end_time(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w;
  eng_job *J = e->jobs[ev->subject];
  J->ended = true;
  model_job_status s = J->job.status;
  model_end_behavior b = J->cfg.has_end_behavior ? J->cfg.end_behavior
                                                  : MODEL_END_STOP_ROLLOUT;
  if (s == MODEL_JOB_CANCELED && b == MODEL_END_FORCE_CANCEL && !J->job.force_canceled) {
    /* FORCE_CANCEL is a forced CancelJob: it upgrades an earlier cancel */
    eng_log(e, J, "schedulingConfig.endTime reached: endBehavior FORCE_CANCEL upgrades the "
               "earlier cancel; %" PRId64 " IN_PROGRESS executions to cancel",
            J->job.counters[MODEL_EXEC_IN_PROGRESS]);
    eng_cancel_upgrade(e, J, NULL, NULL);
    eng_check_done(e, J);
    return;
  }
  if (s != MODEL_JOB_IN_PROGRESS && s != MODEL_JOB_SCHEDULED) {
    eng_log(e, J, "schedulingConfig.endTime reached; the job is already %s",
          model_job_status_name(s));
    eng_check_done(e, J);
    return;
  }
  eng_log(e, J, "schedulingConfig.endTime reached: endBehavior %s",
          model_end_behavior_name(b));
  J->rollout_stopped = true;
  J->waiting_slot = false;
  eng_stop_windows(e, J);
  J->job.rate = 0;
  if (b == MODEL_END_STOP_ROLLOUT) {
    eng_set_concurrent(e, J, J->cancel_pending);
    J->job.last_updated_at = now_of(e);
    update_schedule_status(e, J);   /* windows no longer apply (O32 choice) */
    eng_observe(e, J, MODEL_ROW_STATUS);
    eng_check_done(e, J);
  } else {
    eng_cancel_job(e, J, b == MODEL_END_FORCE_CANCEL, NULL,
               b == MODEL_END_FORCE_CANCEL
                   ? "Canceled by schedulingConfig endBehavior FORCE_CANCEL at endTime [synthetic text]"
                   : "Canceled by schedulingConfig endBehavior CANCEL at endTime [synthetic text]",
               false);
  }
}

/* ------------------------------------------------------------ creation --- */

/* Job J is created now: IN_PROGRESS and rolling out at once (O7), or
 * SCHEDULED until its startTime / first maintenance window; a job at the
 * concurrent-jobs quota waits for a slot (O42). */
int eng_start_job(model_engine *e, eng_job *J) {
  sim_time_ms now = now_of(e);
  int rc = SIM_OK;
  J->job.created_at = J->job.last_updated_at = now;
  J->sched_started = !J->has_start;
  J->job.status = (J->has_start || J->n_windows) ? MODEL_JOB_SCHEDULED
                                                 : MODEL_JOB_IN_PROGRESS;
  if (J->job.status == MODEL_JOB_IN_PROGRESS) {
    if (slot_free(e, J)) {
      eng_set_concurrent(e, J, true);
      eng_schedule_window(e, J, now);
    } else {
      J->waiting_slot = true;
    }
  }
  if (J->has_start &&
      (rc = sim_world_schedule(e->w, J->start_at, PRIO_SCHED, K_SCHED_START, J->index, 0,
                               NULL)))
    return rc;
  if (J->has_end && J->end_at <= e->horizon &&
      (rc = sim_world_schedule(e->w, J->end_at, PRIO_SCHED, K_END_TIME, J->index, 0, NULL)))
    return rc;
  for (size_t wi = 0; wi < J->n_windows; wi++) {
    /* A window that opened before now and is still open counts as open
     * now: look back one window length. */
    sim_time_ms len = J->cfg.windows[wi].duration_min * SIM_MS_PER_MIN;
    int64_t occ, base = e->sc->sim.start_epoch_ms;
    if (model_cron_next(&J->windows[wi], base + now - len, &occ) && occ - base < now)
      rc = sim_world_schedule(e->w, now, PRIO_SCHED, K_MW_OPEN, mw_subject(J, wi),
                              (uint64_t)(occ - base), NULL);
    else
      eng_schedule_next_window(e, J, wi, now - 1);
    if (rc) return rc;
  }
  return SIM_OK;
}

/* ------------------------------------------------------------ readers --- */

/* Does target i still have a thing without an execution? Scans from its
 * cursor to the first eligible thing (usually the first one looked at). */
static bool target_open(const model_engine *e, const eng_job *J, size_t i) {
  for (int64_t p = J->tgt_cursor[i];; p++) {
    int64_t t = target_thing(e, J, i, p);
    if (t == -1) return false;
    if (t >= 0 && eligible(e, J, i, t)) return true;
  }
}

size_t model_engine_processing_targets_at(const model_engine *e, size_t j, size_t *idx,
                                          size_t cap) {
  if (j >= e->n_jobs) return 0;
  const eng_job *J = e->jobs[j];
  /* O8: only while rolling out (not SCHEDULED, CANCELED, COMPLETED). */
  if (J->job.status != MODEL_JOB_IN_PROGRESS || J->job.rollout_done ||
      J->rollout_stopped || !J->rollout_started)
    return 0;
  size_t n = 0;
  for (size_t i = J->tgt; i < J->n_targets; i++)
    if (target_open(e, J, i)) {
      if (n < cap) idx[n] = i;
      n++;
    }
  return n;
}

size_t model_engine_processing_targets(const model_engine *e, size_t *idx, size_t cap) {
  return model_engine_processing_targets_at(e, 0, idx, cap);
}

/* O35: the next seven maintenance-window starts after now, all windows
 * merged, as epoch ms. */
size_t model_engine_next_windows_at(const model_engine *e, size_t j, int64_t *out,
                                    size_t cap) {
  if (j >= e->n_jobs) return 0;
  const eng_job *J = e->jobs[j];
  size_t n = 0;
  int64_t base = e->sc->sim.start_epoch_ms, from = base + now_of(e);
  int64_t cur[MODEL_MAX_WINDOWS];
  bool has[MODEL_MAX_WINDOWS];
  for (size_t wi = 0; wi < J->n_windows; wi++)
    has[wi] = model_cron_next(&J->windows[wi], from, &cur[wi]);
  while (n < cap) {
    size_t best = SIZE_MAX;
    for (size_t wi = 0; wi < J->n_windows; wi++)
      if (has[wi] && (best == SIZE_MAX || cur[wi] < cur[best])) best = wi;
    if (best == SIZE_MAX) break;
    if (n == 0 || out[n - 1] != cur[best]) out[n++] = cur[best];
    has[best] = model_cron_next(&J->windows[best], cur[best], &cur[best]);
  }
  return n;
}

size_t model_engine_next_windows(const model_engine *e, int64_t *out, size_t cap) {
  return model_engine_next_windows_at(e, 0, out, cap);
}
