/*
 * engine.c — the engine's wiring: it owns creating and freeing a
 * replication, the event-handler table, running to a horizon, the
 * observation instant, the snapshot tick and the read-only accessors of
 * engine.h; it sets the other parts' state up at creation and touches it
 * afterwards only through their functions (engine_internal.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <inttypes.h>
#include <string.h>

#include "duration.h"

static void on_tick(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)ev;
  eng_observe(e, MODEL_ROW_SNAPSHOT);
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
      free(e->groups[g].members);
    }
    free(e->groups);
  }
  free(e->deferred);
  free(e->group_ran);
  sim_index_release(&e->past_head);
  sim_index_release(&e->extra_names);
  sim_index_release(&e->big_versions);
  sim_index_release(&e->exec_high);
  free(e->tgt_cursor);
  free(e->targets);
  free(e->target_arns);
  free(e);
}

int model_engine_new(model_engine **out, const model_scenario *sc, uint64_t seed,
                     const model_observer *obs, sim_diag *d) {
  static const sim_handler_fn handlers[K_COUNT] = {
      eng_on_device_act, eng_on_device_done, eng_on_timeout, eng_on_progress, eng_on_window,
      eng_on_cancel_batch, eng_on_delete_batch, on_tick, on_observe, eng_on_op,
      eng_on_sched_start, eng_on_mw_open, eng_on_mw_close, eng_on_end_time, eng_on_arrival,
      eng_on_departure};
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
    eng_schedule_window(e, 0);
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
      eng_schedule_next_window(e, wi, -1);
    if (rc) goto fail;
  }
  for (size_t i = 0; i < sc->n_ops; i++)
    if ((rc = sim_world_schedule(e->w, sc->ops[i].at, PRIO_OP, K_OP, i, 0, NULL)))
      goto fail;
  for (size_t g = 0; g < sc->fleet.n_groups; g++) {
    const model_group *fg = &sc->fleet.groups[g];
    if (fg->arrivals_per_hour > 0 &&
        (rc = sim_world_schedule(e->w,
                                 eng_poisson_gap(e->groups[g].rng, fg->arrivals_per_hour),
                                 PRIO_FLEET, K_ARRIVAL, g, 0, NULL)))
      goto fail;
    if (fg->departures_per_hour > 0 &&
        (rc = sim_world_schedule(e->w,
                                 eng_poisson_gap(e->groups[g].rng, fg->departures_per_hour),
                                 PRIO_FLEET, K_DEPARTURE, g, 0, NULL)))
      goto fail;
  }
  if ((rc = sim_world_schedule(e->w, 0, PRIO_TICK, K_TICK, 0, 0, NULL))) goto fail;
  char d1[64];
  sim_duration_format(sc->sim.until, d1, sizeof d1);
  eng_log(e, "job %s created %s: %s, %zu targets covering %" PRId64
           " things, seed %" PRIu64 ", horizon %s",
        sc->job.job_id, model_job_status_name(e->job.status),
        sc->job.continuous ? "CONTINUOUS" : "SNAPSHOT", sc->job.n_targets,
        sc->n_targeted, seed, d1);
  eng_observe(e, MODEL_ROW_START);
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
    eng_log(e, "horizon reached with the job %s", model_job_status_name(e->job.status));
    e->finished = true;
    eng_observe(e, MODEL_ROW_END);
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
  size_t n = (size_t)e->cap_things * sizeof(thing_state) +
             e->cap_past * sizeof(past_record);
  for (size_t g = 0; g < e->sc->fleet.n_groups; g++)
    n += (size_t)e->groups[g].cap_members * sizeof *e->groups[g].members;
  return n;
}
