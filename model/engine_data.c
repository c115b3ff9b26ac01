/*
 * engine_data.c — the device data plane (iot-jobs-data) over the engine:
 * StartNextPendingJobExecution and UpdateJobExecution with AWS's
 * state-transition and version rules (spec §7, §15), mostly for things of an
 * {"external": true} behaviour, which no simulated device drives. It may
 * write the latest record of a (job, thing) and its statusDetails, and
 * changes statuses only through engine_job.c (eng_set_status,
 * eng_finish_execution); timers go through engine_device.c.
 *
 * On a simulated thing a data-plane call acts as its device would; the
 * simulated device's own pending step on that execution then finds it
 * changed and does nothing.
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int refused(model_refusal *why, const char *exc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int refused(model_refusal *why, const char *exc, const char *fmt, ...) {
  snprintf(why->exception, sizeof why->exception, "%s", exc);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why->message, sizeof why->message, fmt, ap);
  va_end(ap);
  return SIM_ERR_STATE;
}

/* Would merging `in` into th's statusDetails keep at most 10 pairs? */
static bool details_fit(const model_engine *e, const eng_job *J, int64_t t,
                        const thing_state *th, const model_details *in) {
  if (!in) return true;
  const model_details *d = eng_details(e, J, t, th);
  size_t n = d ? d->n : 0;
  for (size_t k = 0; k < in->n; k++) {
    bool have = false;
    for (size_t i = 0; d && i < d->n && !have; i++) have = strcmp(d->key[i], in->key[k]) == 0;
    n += !have;
  }
  return n <= MODEL_MAX_DETAILS;
}

/* QUEUED -> IN_PROGRESS by the device: started now, a fresh timer. */
static int start(model_engine *e, eng_job *J, int64_t t, thing_state *th,
                 const model_details *details, int64_t step_min) {
  if (!(th->flags & F_RAN)) {   /* exposure: a device ran the job */
    th->flags |= F_RAN;
    J->job.things_ran++;
    J->group_ran[th->group]++;
  }
  th->xflags &= (uint16_t)~X_WAIT;
  eng_set_status(e, J, t, th, MODEL_EXEC_IN_PROGRESS);
  th->started_at = now_of(e);
  eng_version_inc(e, J, t, th);
  int rc = eng_details_merge(e, J, t, th, details);
  if (rc) return rc;
  eng_start_timer(e, J, t, th, step_min > 0 ? step_min : 0, true);
  return SIM_OK;
}

static void view_latest(const model_engine *e, const eng_job *J, int64_t t,
                        model_exec_view *out) {
  (void)model_engine_exec_at(e, J->index, t, 0, out);
}

int model_engine_start_next(model_engine *e, int64_t t, const model_details *details,
                            int64_t step_min, bool *found, model_exec_view *out,
                            model_refusal *why) {
  memset(why, 0, sizeof *why);
  *found = false;
  if (model_engine_thing_gone(e, t))
    return refused(why, "ResourceNotFoundException", "The thing does not exist");
  model_exec_view v;
  if (!model_engine_next_exec(e, t, &v)) return SIM_OK;
  *found = true;
  eng_job *J = e->jobs[v.job];
  thing_state *th = eng_rec(e, J, t);
  if (v.status == MODEL_EXEC_QUEUED) {
    if (!details_fit(e, J, t, th, details))
      return refused(why, "InvalidRequestException",
                     "statusDetails can hold at most %d pairs", MODEL_MAX_DETAILS);
    int rc = start(e, J, t, th, details, step_min);
    if (rc) return rc;
  }
  view_latest(e, J, t, out);
  return model_engine_run(e, now_of(e));
}

int model_engine_update_exec(model_engine *e, size_t j, int64_t t,
                             const model_exec_update *u, model_exec_view *out,
                             model_refusal *why) {
  memset(why, 0, sizeof *why);
  if (j >= e->n_jobs || e->jobs[j]->job.vanished)
    return refused(why, "ResourceNotFoundException", "The job does not exist");
  eng_job *J = e->jobs[j];
  thing_state *th = t >= 0 && t < e->n_things ? eng_rec(e, J, t) : NULL;
  const past_record *pr = NULL;   /* an earlier execution named by its number */
  if (th && th->status != MODEL_EXEC_NONE && u->execution_number > 0 &&
      u->execution_number != th->exec_no)
    pr = eng_past_of(J, t, u->execution_number);
  if (!th || th->status == MODEL_EXEC_NONE ||
      (u->execution_number > 0 && u->execution_number != th->exec_no && !pr))
    return refused(why, "ResourceNotFoundException", "The job execution does not exist");
  model_exec_status s = pr ? (model_exec_status)pr->status : th->status;
  if (pr) (void)model_engine_exec_at(e, j, t, pr->exec_no, out);
  else view_latest(e, J, t, out);
  if (pr || is_terminal(s))   /* a terminal execution takes no update */
    return refused(why, "InvalidStateTransitionException",
                   "Job execution %d of job %s is %s: a terminal status cannot change",
                   out->exec_no, J->cfg.job_id, model_exec_status_name(s));
  uint32_t version = eng_version_of(J, t, th);
  if (u->expected_version >= 0 && u->expected_version != (int64_t)version)
    return refused(why, "VersionConflictException",
                   "The expected version %" PRId64 " does not match the current version %u",
                   u->expected_version, (unsigned)version);
  if (!details_fit(e, J, t, th, u->details))
    return refused(why, "InvalidRequestException",
                   "statusDetails can hold at most %d pairs", MODEL_MAX_DETAILS);
  int rc = SIM_OK;
  unsigned no = th->exec_no;   /* a retry may follow a terminal status */
  switch (u->status) {
    case MODEL_EXEC_IN_PROGRESS:
      if (s == MODEL_EXEC_QUEUED) {
        rc = start(e, J, t, th, u->details, u->step_min);
      } else {   /* a progress update */
        eng_version_inc(e, J, t, th);
        th->updated_at = now_of(e);
        rc = eng_details_merge(e, J, t, th, u->details);
        if (!rc) eng_start_timer(e, J, t, th, u->step_min, false);
      }
      break;
    case MODEL_EXEC_SUCCEEDED:
    case MODEL_EXEC_FAILED:
    case MODEL_EXEC_REJECTED:
      if (!(th->flags & F_RAN)) {
        th->flags |= F_RAN;
        J->job.things_ran++;
        J->group_ran[th->group]++;
      }
      th->xflags &= (uint16_t)~X_WAIT;
      eng_version_inc(e, J, t, th);
      rc = eng_details_merge(e, J, t, th, u->details);
      if (!rc) eng_finish_execution(e, J, t, th, u->status);   /* retry, abort, done */
      break;
    default:
      return refused(why, "InvalidRequestException",
                     "status must be IN_PROGRESS, SUCCEEDED, FAILED or REJECTED");
  }
  if (rc) return rc;
  rc = model_engine_run(e, now_of(e));
  (void)model_engine_exec_at(e, j, t, (int)no, out);
  return rc;
}
