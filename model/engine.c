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
  for (size_t k = 0; k < e->n_jobs; k++) eng_observe(e, e->jobs[k], MODEL_ROW_SNAPSHOT);
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
  eng_job *J = e->jobs[ev->subject];
  unsigned bits = J->obs_bits;
  J->obs_scheduled = false;
  J->obs_bits = 0;
  if (e->finished && (bits & MODEL_ROW_END) && !J->end_seen) {
    J->end_seen = true;
    if (++e->ends_seen == e->n_jobs) e->end_emitted = true;
  }
  if (e->obs.on_observe) {
    e->observed = J->index;
    e->obs.on_observe(e->obs.ud, e, bits);
    e->observed = SIZE_MAX;
  }
  if (e->end_emitted) sim_world_stop(w);
}

/* ---------------------------------------------------------------- API --- */

void model_engine_free(model_engine *e) {
  if (!e) return;
  sim_world_free(e->w);
  for (size_t k = 0; k < e->n_jobs; k++) eng_job_free(e, e->jobs[k]);
  free(e->jobs);
  free(e->things);
  if (e->groups) {
    for (size_t g = 0; g < e->sc->fleet.n_groups; g++) {
      for (int64_t k = 0; k < e->groups[g].n; k++) free(e->groups[g].names[k]);
      free(e->groups[g].names);
      free(e->groups[g].extras);
      free(e->groups[g].members);
    }
    free(e->groups);
  }
  sim_index_release(&e->extra_names);
  sim_index_release(&e->ext_timer);
  sim_index_release(&e->ext_deadline);
  eng_details_free(e);
  eng_tgroups_free(e);
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
  e->seed = seed;
  e->observed = SIZE_MAX;
  if (obs) e->obs = *obs;
  e->n_things = e->cap_things = sc->fleet.n_things;
  e->horizon = sc->sim.until;
  e->ops_left = (int64_t)sc->n_ops;
  /* the default allocator: a block this big gets huge pages (sim.h) */
  e->things = sim_malloc(NULL, (size_t)e->cap_things * sizeof *e->things);
  e->groups = calloc(sc->fleet.n_groups ? sc->fleet.n_groups : 1, sizeof *e->groups);
  if (!e->things || !e->groups) goto nomem;
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
    snprintf(name, sizeof name, "fleet/%s", sc->fleet.groups[g].name);
    if ((rc = sim_world_stream(e->w, name, &e->groups[g].rng))) goto fail;
  }
  /* t = 0: the scenario's jobs are created. */
  for (size_t k = 0; k < model_scenario_n_jobs(sc); k++) {
    model_job_spec spec = model_scenario_job(sc, k);
    if ((rc = eng_create_scenario_job(e, &spec))) goto fail;
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
  for (size_t k = 0; k < e->n_jobs; k++) e->jobs[k]->job.ops_left = e->ops_left;
  *out = e;
  return SIM_OK;
nomem:
  rc = SIM_ERR_NOMEM;
fail:
  model_engine_free(e);
  return sim_diag_set(d, rc, NULL, "cannot set up the simulation: %s",
                      sim_strerror(rc));
}

void model_engine_set_open(model_engine *e, bool open) { e->open = open; }

int model_engine_run(model_engine *e, sim_time_ms until) {
  if (until > e->horizon) until = e->horizon;
  if (e->end_emitted) return SIM_OK;
  if (until < sim_world_now(e->w)) return SIM_OK;
  int rc = sim_world_run(e->w, until);
  if (rc) return rc;
  if (!e->end_emitted && !e->open && until >= e->horizon) {
    /* Horizon reached with a job still able to change. */
    if (e->n_jobs == 1)
      eng_log(e, e->jobs[0], "horizon reached with the job %s",
              model_job_status_name(e->jobs[0]->job.status));
    else
      eng_log(e, NULL, "horizon reached");
    e->finished = true;
    for (size_t k = 0; k < e->n_jobs; k++) eng_observe(e, e->jobs[k], MODEL_ROW_END);
    rc = sim_world_run(e->w, until);
  }
  return rc;
}

bool model_engine_finished(const model_engine *e) { return e->end_emitted; }
const model_scenario *model_engine_scenario(const model_engine *e) { return e->sc; }
sim_time_ms model_engine_now(const model_engine *e) { return sim_world_now(e->w); }
uint64_t model_engine_seed(const model_engine *e) { return e->seed; }
int64_t model_engine_things(const model_engine *e) { return e->n_things; }
size_t model_engine_observed(const model_engine *e) { return e->observed; }

size_t model_engine_n_jobs(const model_engine *e) { return e->n_jobs; }

long model_engine_find_job(const model_engine *e, const char *job_id) {
  for (size_t k = e->n_jobs; k-- > 0;)
    if (strcmp(e->jobs[k]->cfg.job_id, job_id) == 0) return (long)k;
  return -1;
}

const model_job *model_engine_job_at(const model_engine *e, size_t j) {
  return &e->jobs[j]->job;
}
const model_jobcfg *model_engine_config_at(const model_engine *e, size_t j) {
  return &e->jobs[j]->cfg;
}
int64_t model_engine_targeted_at(const model_engine *e, size_t j) {
  return e->jobs[j]->n_targeted;
}
int64_t model_engine_group_ran_at(const model_engine *e, size_t j, size_t group) {
  return j < e->n_jobs && group < e->sc->fleet.n_groups ? e->jobs[j]->group_ran[group] : 0;
}

const model_jobcfg *model_engine_config(const model_engine *e) {
  return model_engine_config_at(e, 0);
}
const model_job *model_engine_job(const model_engine *e) { return model_engine_job_at(e, 0); }
int64_t model_engine_group_ran(const model_engine *e, size_t group) {
  return model_engine_group_ran_at(e, 0, group);
}

uint64_t model_engine_events(const model_engine *e) { return sim_world_dispatched(e->w); }
size_t model_engine_peak_pending(const model_engine *e) {
  return sim_world_peak_pending(e->w);
}
size_t model_engine_bytes(const model_engine *e) {
  size_t n = (size_t)e->cap_things * sizeof(thing_state);
  for (size_t k = 0; k < e->n_jobs; k++) {
    const eng_job *J = e->jobs[k];
    n += J->cap_past * sizeof(past_record) +
         (size_t)J->cap_recs * (sizeof(thing_state) + sizeof(uint32_t)) +
         J->rec_of.capacity * sizeof(sim_index_slot);
  }
  for (size_t g = 0; g < e->sc->fleet.n_groups; g++)
    n += (size_t)e->groups[g].cap_members * sizeof *e->groups[g].members;
  return n;
}
