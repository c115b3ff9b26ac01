/*
 * engine_cancel.c — cancellation and deletion as they propagate: it owns
 * canceling a job (cancel-job, an abort, endTime), the upgrade of a cancel
 * to force (O29), and the batches that cancel QUEUED (with force also
 * IN_PROGRESS) executions (O28) and delete a job's records (O31) at the
 * cancel rate; it may write the job's cancel and deletion fields and the
 * records it cancels or deletes, changes statuses only through
 * engine_job.c (eng_set_status, eng_set_job_status) and touches the
 * rollout only to stop its windows.
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* -------------------------------------------------------- cancellation --- */

static void start_cancel_batches(model_engine *e, eng_job *J) {
  int64_t todo = J->job.counters[MODEL_EXEC_QUEUED] +
                 (J->cancel_force ? J->job.counters[MODEL_EXEC_IN_PROGRESS] : 0);
  J->cancel_cursor = 0;
  if (todo > 0 && !J->cancel_pending) {
    J->cancel_pending = true;
    fail_if(e, sim_world_schedule(e->w, now_of(e), PRIO_JOB, K_CANCEL_BATCH, J->index, 0,
                                  NULL));
  }
  eng_set_concurrent(e, J, J->cancel_pending);
}

void eng_cancel_job(model_engine *e, eng_job *J, bool force, const char *reason,
                    const char *comment, bool aborted) {
  J->job.canceled = true;
  J->job.aborted = aborted;
  J->job.force_canceled = force;
  J->rollout_stopped = true;
  J->waiting_slot = false;
  J->job.rate = 0;
  snprintf(J->job.reason_code, sizeof J->job.reason_code, "%s", reason ? reason : "");
  snprintf(J->job.comment, sizeof J->job.comment, "%s", comment ? comment : "");
  eng_stop_windows(e, J);             /* rollout of new executions stops */
  eng_set_job_status(e, J, MODEL_JOB_CANCELED);
  J->job.last_updated_at = now_of(e);
  J->cancel_force = force;
  int64_t todo = J->job.counters[MODEL_EXEC_QUEUED] +
                 (force ? J->job.counters[MODEL_EXEC_IN_PROGRESS] : 0);
  eng_log(e, J, "job CANCELED%s%s: %" PRId64 " executions to cancel at %" PRId64
           "/min; %" PRId64 " things notified, %" PRId64 " IN_PROGRESS continue",
        aborted ? " by abort" : "", force ? " (force)" : "", todo,
        e->sc->sim.cancel_rate, J->job.notified,
        force ? (int64_t)0 : J->job.counters[MODEL_EXEC_IN_PROGRESS]);
  start_cancel_batches(e, J);
  eng_check_done(e, J);
}

/* O29: a forced cancel of a job canceled without force (by the user or an
 * abort), from cancel-job --force or endBehavior FORCE_CANCEL: the job
 * becomes forceCanceled and its IN_PROGRESS executions are canceled too, at
 * the propagation rate. reason and comment replace the earlier ones when
 * given (NULL keeps them). */
void eng_cancel_upgrade(model_engine *e, eng_job *J, const char *reason,
                        const char *comment) {
  J->job.force_canceled = true;
  J->cancel_force = true;
  if (reason) snprintf(J->job.reason_code, sizeof J->job.reason_code, "%s", reason);
  if (comment) snprintf(J->job.comment, sizeof J->job.comment, "%s", comment);
  J->job.last_updated_at = now_of(e);
  start_cancel_batches(e, J);
  eng_observe(e, J, MODEL_ROW_OP);
}

static int64_t n_records(const model_engine *e, const eng_job *J) {
  return J->dense ? e->n_things : J->n_recs;
}

static thing_state *rec_at(model_engine *e, eng_job *J, int64_t i) {
  return J->dense ? &e->things[i] : &J->recs[i];
}

/* O28: QUEUED (and with force IN_PROGRESS) executions become CANCELED at up
 * to cancel_rate per minute, in thing order (job 0) or in the order the
 * records were made (later jobs). No new QUEUED record appears after a
 * cancel, so every one left is ahead of the cursor. */
void eng_on_cancel_batch(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  eng_job *J = e->jobs[ev->subject];
  int64_t budget = e->sc->sim.cancel_rate, done = 0, n = n_records(e, J);
  while (done < budget && J->cancel_cursor < n) {
    int64_t i = J->cancel_cursor;
    thing_state *th = rec_at(e, J, i);
    unsigned s = th->status;
    if (s == MODEL_EXEC_QUEUED || (J->cancel_force && s == MODEL_EXEC_IN_PROGRESS)) {
      int64_t t = eng_rec_thing(e, J, i);
      eng_set_status(e, J, t, th, MODEL_EXEC_CANCELED);
      if (s == MODEL_EXEC_IN_PROGRESS) th->flags |= F_FORCE;
      if (e->multi) eng_device_free(e, t);
      done++;
    }
    J->cancel_cursor++;
  }
  int64_t left = J->job.counters[MODEL_EXEC_QUEUED] +
                 (J->cancel_force ? J->job.counters[MODEL_EXEC_IN_PROGRESS] : 0);
  eng_log(e, J, "cancellation: %" PRId64 " executions CANCELED, %" PRId64 " left", done,
        left);
  if (left > 0 && J->cancel_cursor < n) {
    fail_if(e, sim_world_schedule(w, sim_world_now(w) + WINDOW_MS, PRIO_JOB,
                                  K_CANCEL_BATCH, J->index, 0, NULL));
  } else {
    J->cancel_pending = false;
    eng_set_concurrent(e, J, false);
    J->job.last_updated_at = sim_world_now(w);
    eng_log(e, J, "cancellation finished");
  }
  eng_observe(e, J, MODEL_ROW_CANCEL);
  eng_check_done(e, J);
}

/* ------------------------------------------------------------ deletion --- */

/* O31: records are deleted at cancel_rate per minute (side table first),
 * then the job vanishes. */
void eng_on_delete_batch(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  eng_job *J = e->jobs[ev->subject];
  int64_t budget = e->sc->sim.cancel_rate, done = 0, n = n_records(e, J);
  while (done < budget && J->delete_past_cursor < J->n_past) {
    past_record *r = &J->past[J->delete_past_cursor++];
    if (r->status == EXEC_DELETED) continue;
    eng_delete_record_counts(J, r->status);
    r->status = EXEC_DELETED;
    done++;
  }
  while (done < budget && J->delete_cursor < n) {
    int64_t i = J->delete_cursor++;
    thing_state *th = rec_at(e, J, i);
    if (th->status == MODEL_EXEC_NONE) continue;
    unsigned s = th->status;
    eng_delete_record_counts(J, s);
    th->status = MODEL_EXEC_NONE;
    if (e->multi && is_active(s)) eng_device_free(e, eng_rec_thing(e, J, i));
    done++;
  }
  eng_log(e, J, "deletion: %" PRId64 " execution records deleted, %" PRId64 " left", done,
        J->job.records);
  if (J->job.records > 0) {
    fail_if(e, sim_world_schedule(w, sim_world_now(w) + WINDOW_MS, PRIO_JOB,
                                  K_DELETE_BATCH, J->index, 0, NULL));
    eng_observe(e, J, MODEL_ROW_CANCEL);
    return;
  }
  J->delete_pending = false;
  J->job.vanished = true;
  eng_log(e, J, "job deleted: describe-job now fails with ResourceNotFoundException");
  eng_check_done(e, J);
}
