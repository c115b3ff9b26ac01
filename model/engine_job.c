/*
 * engine_job.c — the job's state and counters: it owns the job status, the
 * per-status record counters, the creation of execution records and every
 * counted status change (eng_set_status, eng_finish_execution), the job's
 * completion and the end of the run (eng_check_done), the story log and the
 * observation requests; it may write model_job and the latest record of a
 * thing, and touches the rollout only to stop its windows when the job
 * completes.
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <inttypes.h>
#include <stdio.h>

#include "duration.h"

static const char *const job_status_names[] = {
    "IN_PROGRESS", "CANCELED", "COMPLETED", "DELETION_IN_PROGRESS", "SCHEDULED"};
static const char *const exec_status_names[] = {
    "NONE", "QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED",
    "TIMED_OUT", "REJECTED", "REMOVED", "CANCELED"};

const char *model_job_status_name(model_job_status s) {
  return (unsigned)s < 5 ? job_status_names[s] : "?";
}
const char *model_exec_status_name(model_exec_status s) {
  return (unsigned)s < MODEL_EXEC_STATUS_COUNT ? exec_status_names[s] : "?";
}

/* ------------------------------------------------------------ logging --- */

void eng_log(model_engine *e, const char *fmt, ...) {
  if (!e->obs.on_log) return;
  char line[1400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  e->obs.on_log(e->obs.ud, e, line);
}

/* Ask for an observation at the current instant, after every change. */
void eng_observe(model_engine *e, unsigned bits) {
  sim_time_ms now = now_of(e);
  if (e->obs_scheduled && e->obs_time == now) {
    e->obs_bits |= bits;
    return;
  }
  e->obs_scheduled = true;
  e->obs_time = now;
  e->obs_bits = bits;
  fail_if(e, sim_world_schedule(e->w, now, PRIO_OBSERVE, K_OBSERVE, 0, 0, NULL));
}

void eng_set_job_status(model_engine *e, model_job_status s) {
  if (e->job.status == s) return;
  e->job.status = s;
  e->job.last_updated_at = now_of(e);
  eng_observe(e, MODEL_ROW_STATUS);
}

void eng_set_status(model_engine *e, int64_t t, model_exec_status s) {
  thing_state *th = &e->things[t];
  SIM_ASSERT(th->status != MODEL_EXEC_NONE);
  SIM_ASSERT(!is_terminal(th->status));   /* no move out of a terminal status */
  e->job.counters[th->status]--;
  e->job.counters[s]++;
  th->status = (uint8_t)s;
  th->updated_at = now_of(e);
}

/* A new QUEUED record for thing t: the first one (rollout or a joiner), a
 * retry (O18, O20) or a re-join after removal. The previous record, if any
 * and not deleted, goes to the side table. */
void eng_new_execution(model_engine *e, int64_t t, unsigned retry_attempt) {
  thing_state *th = &e->things[t];
  unsigned last = exec_high(e, t);
  if (last == UINT16_MAX) {   /* bad input, not a bug: refuse, go on */
    char name[160];
    model_engine_thing_name(e, t, name, sizeof name);
    eng_log(e, "thing %s has had 65535 executions; jobsim creates no more", name);
    return;
  }
  if (th->status != MODEL_EXEC_NONE) {
    int rc = eng_push_past(e, t);
    if (rc) { sim_world_fail(e->w, rc); return; }
  }
  bool first = !(th->flags & F_ROLLED);
  sim_time_ms now = now_of(e);
  th->exec_no = (uint16_t)(last + 1);
  th->status = MODEL_EXEC_QUEUED;
  th->retry_attempt = (uint8_t)retry_attempt;
  th->version = 1;
  th->queued_at = th->updated_at = now;
  th->started_at = -1;
  th->flags = (uint8_t)((th->flags | F_ROLLED) & ~(F_FORCE | F_DEFERRED));
  e->job.counters[MODEL_EXEC_QUEUED]++;
  e->job.records++;
  e->job.created++;
  if (first) e->job.notified++;
  eng_notify_device(e, t);
}


/* A terminal transition: then retry (§13 step 4), abort, completion. */
void eng_finish_execution(model_engine *e, int64_t t, model_exec_status s) {
  eng_set_status(e, t, s);
  if (s == MODEL_EXEC_FAILED || s == MODEL_EXEC_TIMED_OUT) eng_maybe_retry(e, t, s);
  eng_check_abort(e);
  eng_check_done(e);
}

/* ------------------------------------------------------- job lifecycle --- */

/* O22 + scheduling: COMPLETED once rollout is finished (or stopped at
 * endTime) and no record is QUEUED or IN_PROGRESS (a pending retry is a
 * QUEUED record); a CONTINUOUS job only after its endTime. The run is over
 * when nothing can change any more: a final status, no propagation under
 * way, no execution that can still move, no operation still to come. */
void eng_check_done(model_engine *e) {
  const int64_t *k = e->job.counters;
  bool active = k[MODEL_EXEC_QUEUED] > 0 || k[MODEL_EXEC_IN_PROGRESS] > 0;
  model_job_status s = e->job.status;
  bool rollout_over = e->cfg.continuous ? e->ended
                                        : (e->job.rollout_done || e->rollout_stopped);
  if ((s == MODEL_JOB_IN_PROGRESS || s == MODEL_JOB_SCHEDULED) && rollout_over &&
      !active) {
    sim_time_ms now = now_of(e);
    e->job.completed_at = now;
    e->job.is_concurrent = false;
    e->job.rate = 0;
    eng_stop_windows(e);
    eng_set_job_status(e, MODEL_JOB_COMPLETED);
    char d[64];
    sim_duration_format(now, d, sizeof d);
    eng_log(e, "job COMPLETED after %s: %" PRId64 " succeeded, %" PRId64
             " failed, %" PRId64 " rejected, %" PRId64 " timed out, %" PRId64
             " canceled, %" PRId64 " removed, %" PRId64 " retries",
          d, k[MODEL_EXEC_SUCCEEDED], k[MODEL_EXEC_FAILED], k[MODEL_EXEC_REJECTED],
          k[MODEL_EXEC_TIMED_OUT], k[MODEL_EXEC_CANCELED], k[MODEL_EXEC_REMOVED],
          e->job.retries);
  }
  s = e->job.status;
  bool settled = e->job.vanished || s == MODEL_JOB_COMPLETED ||
                 (s == MODEL_JOB_CANCELED && !e->cancel_pending && !active);
  if (!e->finished && settled && e->job.ops_left == 0) {
    e->finished = true;
    eng_observe(e, MODEL_ROW_END);
  }
}
