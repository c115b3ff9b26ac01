/*
 * metrics.c — one replication, measured. No observer: the engine runs at
 * full speed and only its final state is read.
 */
#include "metrics.h"

#include <math.h>
#include <string.h>

void plan_metrics_of(plan_metrics *m, const model_engine *e, const size_t *affects,
                     size_t n_affects) {
  const model_job *j = model_engine_job(e);
  memset(m, 0, sizeof *m);
  m->status = (int32_t)j->status;
  m->aborted = j->aborted;
  m->abort_criterion = j->aborted ? j->abort_criterion : -1;
  m->aborted_at = j->aborted ? j->aborted_at : -1;
  m->rollout_end = -1;
  m->terminal_at = -1;
  m->completed = j->status == MODEL_JOB_COMPLETED;
  m->end = model_engine_now(e);
  m->completion = m->completed ? j->completed_at : m->end;
  m->notified = j->notified;
  m->things_ran = j->things_ran;
  m->succeeded = j->counters[MODEL_EXEC_SUCCEEDED];
  m->failed = j->counters[MODEL_EXEC_FAILED];
  m->rejected = j->counters[MODEL_EXEC_REJECTED];
  m->timed_out = j->counters[MODEL_EXEC_TIMED_OUT];
  m->canceled = j->counters[MODEL_EXEC_CANCELED];
  m->retries = j->retries;
  for (size_t i = 0; i < n_affects; i++) m->exposure += model_engine_group_ran(e, affects[i]);
}

int64_t plan_terminal_need(int64_t targeted, double terminal_pct) {
  double x = ceil((double)targeted * terminal_pct / 100.0 - 1e-9);
  return x < 1.0 ? 1 : (int64_t)x;
}

/* The instants plan_metrics_of cannot see at the end: tracked after every
 * event (model_observer.on_event), a few loads per event. */
typedef struct tracker {
  int64_t need;
  sim_time_ms rollout_end, terminal_at;
  const model_job *j;   /* job 0's state: it stays put for the engine's life */
} tracker;

static void on_event(void *ud, const model_engine *e) {
  tracker *t = ud;
  const model_job *j = t->j;
  if (t->rollout_end < 0 && j->rollout_done) t->rollout_end = model_engine_now(e);
  if (t->terminal_at < 0) {
    int64_t done = j->notified - j->counters[MODEL_EXEC_QUEUED] -
                   j->counters[MODEL_EXEC_IN_PROGRESS] - j->counters[MODEL_EXEC_CANCELED];
    if (done >= t->need) t->terminal_at = model_engine_now(e);
  }
}

int plan_metrics_run(plan_metrics *m, const model_scenario *sc, uint64_t seed,
                     const size_t *affects, size_t n_affects, sim_diag *d) {
  return plan_metrics_run_pct(m, sc, seed, affects, n_affects, PLAN_TERMINAL_DEFAULT, d);
}

int plan_metrics_run_pct(plan_metrics *m, const model_scenario *sc, uint64_t seed,
                         const size_t *affects, size_t n_affects, double terminal_pct,
                         sim_diag *d) {
  model_engine *e = NULL;
  if (!(terminal_pct > 0.0 && terminal_pct <= 100.0)) terminal_pct = PLAN_TERMINAL_DEFAULT;
  tracker t = {plan_terminal_need(sc->n_targeted, terminal_pct), -1, -1, NULL};
  model_observer obs = {.on_event = on_event, .ud = &t};
  int rc = model_engine_new(&e, sc, seed, &obs, d);
  if (!rc) t.j = model_engine_job(e);
  if (!rc) rc = model_engine_run(e, sc->sim.until);
  if (!rc) {
    plan_metrics_of(m, e, affects, n_affects);
    m->rollout_end = t.rollout_end;
    m->terminal_at = t.terminal_at;
  }
  else if (d && !d->msg[0])
    sim_diag_set(d, rc, NULL, "simulation failed: %s", sim_strerror(rc));
  model_engine_free(e);
  return rc;
}
