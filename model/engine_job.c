/*
 * engine_job.c — the jobs' state and counters: it owns creating and freeing
 * a job's state, the job status, the per-status record counters, the
 * creation of execution records and every counted status change
 * (eng_set_status, eng_finish_execution), the concurrent-jobs count (O42),
 * a job's completion and the end of the run (eng_check_done,
 * eng_check_finished), the story log and the observation requests; it may
 * write model_job and the latest record of a thing, and touches the rollout
 * only to stop its windows when the job completes.
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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

void eng_log(model_engine *e, const eng_job *J, const char *fmt, ...) {
  if (!e->obs.on_log) return;
  char line[1400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  size_t was = e->observed;
  e->observed = J ? J->index : SIZE_MAX;
  e->obs.on_log(e->obs.ud, e, line);
  e->observed = was;
}

/* Ask for an observation of job J at the current instant, after every
 * change. */
void eng_observe(model_engine *e, eng_job *J, unsigned bits) {
  sim_time_ms now = now_of(e);
  if (J->obs_scheduled && J->obs_time == now) {
    J->obs_bits |= bits;
    return;
  }
  J->obs_scheduled = true;
  J->obs_time = now;
  J->obs_bits = bits;
  fail_if(e, sim_world_schedule(e->w, now, PRIO_OBSERVE, K_OBSERVE, J->index, 0, NULL));
}

void eng_set_job_status(model_engine *e, eng_job *J, model_job_status s) {
  if (J->job.status == s) return;
  J->job.status = s;
  J->job.last_updated_at = now_of(e);
  eng_observe(e, J, MODEL_ROW_STATUS);
}

/* ------------------------------------------------- concurrent jobs (O42) --- */

/* isConcurrent: rolling out or canceling. The number of such jobs is
 * capped by the concurrent-jobs quota; a job that reaches it waits
 * (waiting_slot) until one stops, oldest waiting job first. */
void eng_set_concurrent(model_engine *e, eng_job *J, bool on) {
  if (J->job.is_concurrent == on) return;
  J->job.is_concurrent = on;
  e->n_concurrent += on ? 1 : -1;
  if (on || e->n_concurrent >= e->sc->sim.concurrent_jobs) return;
  for (size_t k = 0; k < e->n_jobs; k++) {
    eng_job *W = e->jobs[k];
    if (!W->waiting_slot) continue;
    W->waiting_slot = false;
    eng_log(e, W, "a concurrent-jobs slot is free: the rollout starts");
    if (eng_rollout_allowed(W)) {
      eng_set_concurrent(e, W, true);   /* the slot is its own from now */
      eng_schedule_window(e, W, now_of(e));
    }
    break;
  }
}

/* ---------------------------------------------------------- records --- */

/* A new QUEUED record for thing t: the first one (rollout or a joiner), a
 * retry (O18, O20) or a re-join after removal. The previous record, if any
 * and not deleted, goes to the side table. */
void eng_new_execution(model_engine *e, eng_job *J, int64_t t, unsigned retry_attempt) {
  thing_state *th = eng_rec_make(e, J, t);
  if (!th) return;
  unsigned group = th->group;   /* before the stores below, see eng_notify_device */
  unsigned last = exec_high(e, J, t);
  if (last == UINT16_MAX) {   /* bad input, not a bug: refuse, go on */
    char name[160];
    model_engine_thing_name(e, t, name, sizeof name);
    eng_log(e, J, "thing %s has had 65535 executions; jobsim creates no more", name);
    return;
  }
  if (th->status != MODEL_EXEC_NONE) {
    int rc = eng_push_past(e, J, t, th);
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
  th->xflags = 0;
  J->job.counters[MODEL_EXEC_QUEUED]++;
  J->job.records++;
  J->job.created++;
  if (first) J->job.notified++;
  eng_notify_device(e, J, t, group);
}

/* A terminal transition: the device is free, then retry (§13 step 4),
 * abort, completion. */
void eng_finish_execution(model_engine *e, eng_job *J, int64_t t, thing_state *th,
                          model_exec_status s) {
  eng_set_status(e, J, t, th, s);
  if (e->multi) eng_device_free(e, t);
  if (s == MODEL_EXEC_FAILED || s == MODEL_EXEC_TIMED_OUT) eng_maybe_retry(e, J, t, s);
  eng_check_abort(e, J);
  eng_check_done(e, J);
}

/* ------------------------------------------------------- job lifecycle --- */

/* O22 + scheduling: COMPLETED once rollout is finished (or stopped at
 * endTime) and no record is QUEUED or IN_PROGRESS (a pending retry is a
 * QUEUED record); a CONTINUOUS job only after its endTime. */
void eng_check_done(model_engine *e, eng_job *J) {
  const int64_t *k = J->job.counters;
  bool active = k[MODEL_EXEC_QUEUED] > 0 || k[MODEL_EXEC_IN_PROGRESS] > 0;
  model_job_status s = J->job.status;
  bool rollout_over = J->cfg.continuous ? J->ended
                                        : (J->job.rollout_done || J->rollout_stopped);
  if ((s == MODEL_JOB_IN_PROGRESS || s == MODEL_JOB_SCHEDULED) && rollout_over &&
      !active) {
    sim_time_ms now = now_of(e);
    J->job.completed_at = now;
    J->waiting_slot = false;
    eng_set_concurrent(e, J, false);
    J->job.rate = 0;
    eng_stop_windows(e, J);
    eng_set_job_status(e, J, MODEL_JOB_COMPLETED);
    char d[64];
    sim_duration_format(now - J->job.created_at, d, sizeof d);
    eng_log(e, J, "job COMPLETED after %s: %" PRId64 " succeeded, %" PRId64
             " failed, %" PRId64 " rejected, %" PRId64 " timed out, %" PRId64
             " canceled, %" PRId64 " removed, %" PRId64 " retries",
          d, k[MODEL_EXEC_SUCCEEDED], k[MODEL_EXEC_FAILED], k[MODEL_EXEC_REJECTED],
          k[MODEL_EXEC_TIMED_OUT], k[MODEL_EXEC_CANCELED], k[MODEL_EXEC_REMOVED],
          J->job.retries);
  }
  if (!active || J->job.vanished) eng_check_finished(e);   /* else J is not settled */
}

static bool settled(const eng_job *J) {
  const int64_t *k = J->job.counters;
  bool active = k[MODEL_EXEC_QUEUED] > 0 || k[MODEL_EXEC_IN_PROGRESS] > 0;
  model_job_status s = J->job.status;
  return J->job.vanished || s == MODEL_JOB_COMPLETED ||
         (s == MODEL_JOB_CANCELED && !J->cancel_pending && !active);
}

/* The run is over when nothing can change any more: every job in a final
 * status with no propagation under way and no execution that can still
 * move, and no operation still to come. */
void eng_check_finished(model_engine *e) {
  if (e->finished || e->open || e->ops_left != 0 || e->n_jobs == 0) return;
  for (size_t k = 0; k < e->n_jobs; k++)
    if (!settled(e->jobs[k])) return;
  e->finished = true;
  for (size_t k = 0; k < e->n_jobs; k++) eng_observe(e, e->jobs[k], MODEL_ROW_END);
}

/* ---------------------------------------------------------- a job's state --- */

char *eng_keep(model_engine *e, eng_job *J, const char *s) {
  if (!s) return NULL;
  if (J->n_pool == J->cap_pool) {
    size_t nc = J->cap_pool ? J->cap_pool * 2 : 8;
    char **np = realloc(J->pool, nc * sizeof *np);
    if (!np) { sim_world_fail(e->w, SIM_ERR_NOMEM); return NULL; }
    J->pool = np;
    J->cap_pool = nc;
  }
  char *c = strdup(s);
  if (!c) { sim_world_fail(e->w, SIM_ERR_NOMEM); return NULL; }
  J->pool[J->n_pool++] = c;
  return c;
}

int eng_job_new(model_engine *e, eng_job **out) {
  *out = NULL;
  if (e->n_jobs == e->cap_jobs) {
    size_t nc = e->cap_jobs ? e->cap_jobs * 2 : 4;
    eng_job **nj = realloc(e->jobs, nc * sizeof *nj);
    if (!nj) return SIM_ERR_NOMEM;
    e->jobs = nj;
    e->cap_jobs = nc;
  }
  eng_job *J = calloc(1, sizeof *J);
  if (!J) return SIM_ERR_NOMEM;
  size_t ng = e->sc->fleet.n_groups;
  J->group_rng = calloc(ng ? ng : 1, sizeof *J->group_rng);
  J->group_ran = calloc(ng ? ng : 1, sizeof *J->group_ran);
  J->tgt_cursor = calloc(MODEL_MAX_TARGETS, sizeof *J->tgt_cursor);
  J->targets = calloc(MODEL_MAX_TARGETS, sizeof *J->targets);
  J->target_arns = calloc(MODEL_MAX_TARGETS, sizeof *J->target_arns);
  if (!J->group_rng || !J->group_ran || !J->tgt_cursor || !J->targets ||
      !J->target_arns) {
    eng_job_free(e, J);
    return SIM_ERR_NOMEM;
  }
  J->index = e->n_jobs;
  J->dense = J->index == 0;
  J->job.completed_at = -1;
  J->job.aborted_at = -1;
  J->job.abort_criterion = -1;
  e->jobs[e->n_jobs++] = J;
  *out = J;
  return SIM_OK;
}

void eng_job_free(model_engine *e, eng_job *J) {
  (void)e;
  if (!J) return;
  free(J->recs);
  free(J->rec_thing);
  free(J->past);
  free(J->group_rng);
  free(J->group_ran);
  free(J->deferred);
  sim_index_release(&J->rec_of);
  sim_index_release(&J->past_head);
  sim_index_release(&J->big_versions);
  sim_index_release(&J->exec_high);
  free(J->tgt_cursor);
  free(J->targets);
  free(J->target_arns);
  for (size_t i = 0; i < J->n_pool; i++) free(J->pool[i]);
  free(J->pool);
  free(J->own_windows);
  model_jobcfg_release(&J->own_cfg);
  free(J);
}
