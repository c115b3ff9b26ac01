/*
 * engine_abort.c — the abort rules: it owns the evaluation of
 * abortConfig.criteriaList (after every terminal transition and when
 * UpdateJob changes it, O11/O12); it reads the job's counters and may only
 * record which criterion fired and start the cancel (eng_cancel_job).
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

/* O11/O12: criteria in list order, right after every terminal transition. */
void eng_check_abort(model_engine *e) {
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
    eng_log(e, "abort: criterion %zu (%s) fired: %" PRId64 " of %" PRId64
             " executed executions failed (%.2f%% >= %.2f%%), gate %" PRId64
             " >= %" PRId64 "; %" PRId64 " things notified",
          i, model_failure_type_name(a->failure_type), fail, executed,
          100.0 * (double)fail / (double)executed, a->threshold_percentage, gate,
          a->min_executed, e->job.notified);
    e->job.abort_criterion = (int)i;
    e->job.aborted_at = now_of(e);
    eng_cancel_job(e, false, e->sc->sim.abort_reason_code, comment, true);
    return;
  }
}
