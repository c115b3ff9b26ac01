/*
 * metrics.c — one replication, measured. No observer: the engine runs at
 * full speed and only its final state is read.
 */
#include "metrics.h"

#include <string.h>

void plan_metrics_of(plan_metrics *m, const model_engine *e, const size_t *affects,
                     size_t n_affects) {
  const model_job *j = model_engine_job(e);
  memset(m, 0, sizeof *m);
  m->status = (int32_t)j->status;
  m->aborted = j->aborted;
  m->abort_criterion = j->aborted ? j->abort_criterion : -1;
  m->aborted_at = j->aborted ? j->aborted_at : -1;
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

int plan_metrics_run(plan_metrics *m, const model_scenario *sc, uint64_t seed,
                     const size_t *affects, size_t n_affects, sim_diag *d) {
  model_engine *e = NULL;
  int rc = model_engine_new(&e, sc, seed, NULL, d);
  if (!rc) rc = model_engine_run(e, sc->sim.until);
  if (!rc) plan_metrics_of(m, e, affects, n_affects);
  else if (d && !d->msg[0])
    sim_diag_set(d, rc, NULL, "simulation failed: %s", sim_strerror(rc));
  model_engine_free(e);
  return rc;
}
