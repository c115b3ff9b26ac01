/*
 * engine_ops.c — the operations: it owns $.operations as they fire and the
 * same operations applied now (model_engine_apply: jobsim serve), job
 * creation (the scenario's jobs, create-job, CreateJob), cancel-job,
 * update-job, delete-job, associate-targets-with-job, cancel-job-execution,
 * delete-job-execution and the dispatch of add-/remove-/delete-things; it
 * may write the live configuration and targets, the job's cancel and
 * deletion fields, and the records it cancels or deletes, and leaves the
 * cancellation and deletion batches it starts to engine_cancel.c.
 *
 * Every refusal is what AWS would answer: an exception name and a message.
 * A scenario operation logs it ("operation N X refused: ..."); an applied
 * one returns it.
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"

/* ---------------------------------------------------------- operations --- */

static int refuse(model_engine *e, eng_job *J, const model_op *o, model_refusal *why,
                  const char *exception, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
static int refuse(model_engine *e, eng_job *J, const model_op *o, model_refusal *why,
                  const char *exception, const char *fmt, ...) {
  char text[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (!J && e->n_jobs) J = e->jobs[0];
  if (J) J->job.refused_ops++;
  if (why) {
    snprintf(why->exception, sizeof why->exception, "%s", exception);
    snprintf(why->message, sizeof why->message, "%s", text);
  } else {
    eng_log(e, J, "operation %zu %s refused: %s: %s; nothing changed", o->index,
            model_op_name(o->kind), exception, text);
  }
  return SIM_ERR_STATE;
}

/* "operation N" for a scenario operation, "request" for one applied now. */
static void op_label(const model_op *o, const model_refusal *why, char *buf, size_t n) {
  if (why) snprintf(buf, n, "request");
  else snprintf(buf, n, "operation %zu", o->index);
}

static int op_cancel_job(model_engine *e, eng_job *J, const model_op *o,
                         model_refusal *why) {
  char lb[48];
  op_label(o, why, lb, sizeof lb);
  switch (J->job.status) {
    case MODEL_JOB_IN_PROGRESS:
    case MODEL_JOB_SCHEDULED:
      eng_log(e, J, "%s cancel-job%s", lb, o->force ? " --force" : "");
      eng_cancel_job(e, J, o->force, o->reason_code, o->comment, false);
      return SIM_OK;
    case MODEL_JOB_CANCELED:
      if (o->force && !J->job.force_canceled) {   /* O29: force upgrades */
        eng_log(e, J, "%s cancel-job --force: upgrades the earlier cancel; "
                 "%" PRId64 " IN_PROGRESS executions to cancel",
              lb, J->job.counters[MODEL_EXEC_IN_PROGRESS]);
        eng_cancel_upgrade(e, J, o->reason_code, o->comment);
        return SIM_OK;
      }
      return refuse(e, J, o, why, "InvalidRequestException", "the job is already CANCELED%s",
                    J->job.force_canceled ? " with force" : "");
    case MODEL_JOB_COMPLETED:
      return refuse(e, J, o, why, "InvalidRequestException", "the job is already COMPLETED");
    case MODEL_JOB_DELETION_IN_PROGRESS:
    default:
      return refuse(e, J, o, why, "InvalidRequestException", "the job is being deleted");
  }
}

static int op_update_job(model_engine *e, eng_job *J, const model_op *o,
                         model_refusal *why) {
  model_job_status s = J->job.status;
  if (s != MODEL_JOB_IN_PROGRESS && s != MODEL_JOB_SCHEDULED)
    return refuse(e, J, o, why, "InvalidRequestException",
                  "UpdateJob needs an IN_PROGRESS or SCHEDULED job; the job is %s",
                  model_job_status_name(s));
  const model_jobcfg *u = &o->update;
  model_jobcfg *c = &J->cfg;
  char what[256] = "", lb[48];
  op_label(o, why, lb, sizeof lb);
  if (o->upd_description) {
    c->description = eng_keep(e, J, u->description);
    strcat(what, " description");
  }
  if (o->upd_presigned) {
    c->has_presigned = u->has_presigned;
    c->presigned_role_arn = eng_keep(e, J, u->presigned_role_arn);
    c->has_expires_in_sec = u->has_expires_in_sec;
    c->expires_in_sec = u->expires_in_sec;
    strcat(what, " presignedUrlConfig");
  }
  if (o->upd_rollout) {   /* O30: from the next rollout window */
    c->has_rollout = u->has_rollout;
    c->has_max_per_minute = u->has_max_per_minute;
    c->max_per_minute = u->max_per_minute;
    c->has_exponential = u->has_exponential;
    c->base_rate_per_minute = u->base_rate_per_minute;
    c->increment_factor = u->increment_factor;
    c->has_notified_criterion = u->has_notified_criterion;
    c->notified_things = u->notified_things;
    c->has_succeeded_criterion = u->has_succeeded_criterion;
    c->succeeded_things = u->succeeded_things;
    strcat(what, " jobExecutionsRolloutConfig");
  }
  if (o->upd_abort) {
    c->has_abort = u->has_abort;
    c->n_abort = u->n_abort;
    memcpy(c->abort, u->abort, sizeof c->abort);
    strcat(what, " abortConfig");
  }
  if (o->upd_timeout) {   /* only executions that start from now on */
    c->has_timeout = u->has_timeout;
    c->has_in_progress_timeout = u->has_in_progress_timeout;
    c->in_progress_timeout_min = u->in_progress_timeout_min;
    strcat(what, " timeoutConfig");
  }
  if (o->upd_retry) {     /* retries can only go down to 0 */
    c->has_retry = u->has_retry;
    c->n_retry = u->n_retry;
    memcpy(c->retry, u->retry, sizeof c->retry);
    strcat(what, " jobExecutionsRetryConfig");
  }
  J->job.last_updated_at = now_of(e);
  eng_log(e, J, "%s update-job:%s", lb, what);
  eng_observe(e, J, MODEL_ROW_OP);
  if (o->upd_abort) eng_check_abort(e, J);   /* O30: evaluated at once */
  return SIM_OK;
}

static int deleting_jobs(const model_engine *e) {
  int n = 0;
  for (size_t k = 0; k < e->n_jobs; k++)
    n += e->jobs[k]->job.status == MODEL_JOB_DELETION_IN_PROGRESS && !e->jobs[k]->job.vanished;
  return n;
}

static int op_delete_job(model_engine *e, eng_job *J, const model_op *o,
                         model_refusal *why) {
  model_job_status s = J->job.status;
  if (s == MODEL_JOB_DELETION_IN_PROGRESS)
    return refuse(e, J, o, why, "InvalidRequestException", "the job is already being deleted");
  if (!o->force && s != MODEL_JOB_COMPLETED && s != MODEL_JOB_CANCELED)
    return refuse(e, J, o, why, "InvalidStateTransitionException",
                  "the job is %s; deleting it needs force", model_job_status_name(s));
  if (deleting_jobs(e) >= 10)   /* M-IOT DeleteJob: at most 10 at a time */
    return refuse(e, J, o, why, "LimitExceededException",
                  "10 jobs are in DELETION_IN_PROGRESS already");
  char lb[48];
  op_label(o, why, lb, sizeof lb);
  eng_log(e, J, "%s delete-job%s: %" PRId64 " execution records to delete at %"
           PRId64 "/min", lb, o->force ? " --force" : "", J->job.records,
        e->sc->sim.cancel_rate);
  J->rollout_stopped = true;
  J->waiting_slot = false;
  eng_stop_windows(e, J);
  J->cancel_pending = false;
  J->job.rate = 0;
  eng_set_concurrent(e, J, false);
  eng_set_job_status(e, J, MODEL_JOB_DELETION_IN_PROGRESS);
  J->delete_pending = true;
  fail_if(e, sim_world_schedule(e->w, now_of(e), PRIO_JOB, K_DELETE_BATCH, J->index, 0,
                                NULL));
  return SIM_OK;
}

/* A target ARN resolved now: the scenario's own resolution when the
 * operation came from the file, the registry's otherwise. */
static int op_target(model_engine *e, const model_op *o, size_t i, model_target *out,
                     char *msg, size_t n) {
  if (o->resolved) {
    *out = o->resolved[i];
    return SIM_OK;
  }
  sim_diag d;
  sim_diag_init(&d, NULL);
  char p[64];
  snprintf(p, sizeof p, "$.targets[%zu]", i);
  int rc = model_engine_resolve_target(e, o->targets[i], out, &d, p);
  if (rc) snprintf(msg, n, "%.200s: %.340s", d.path, d.msg);
  return rc;
}

static int op_associate(model_engine *e, eng_job *J, const model_op *o,
                        model_refusal *why) {
  if (!J->cfg.continuous)
    return refuse(e, J, o, why, "InvalidRequestException",
                  "AssociateTargetsWithJob needs a CONTINUOUS job");
  if (J->job.status != MODEL_JOB_IN_PROGRESS)
    return refuse(e, J, o, why, "InvalidRequestException",
                  "AssociateTargetsWithJob needs an IN_PROGRESS job; the job is %s",
                  model_job_status_name(J->job.status));
  if (J->n_targets + o->n_targets > MODEL_MAX_TARGETS)
    return refuse(e, J, o, why, "LimitExceededException",
                  "a job can have at most %d targets (it has %zu, %zu more asked)",
                  MODEL_MAX_TARGETS, J->n_targets, o->n_targets);
  for (size_t i = 0; i < o->n_targets; i++) {
    for (size_t j = 0; j < J->n_targets; j++)
      if (strcmp(o->targets[i], J->target_arns[j]) == 0)
        return refuse(e, J, o, why, "InvalidRequestException",
                      "target '%s' is already a target", o->targets[i]);
    for (size_t j = 0; j < i; j++)
      if (strcmp(o->targets[i], o->targets[j]) == 0)
        return refuse(e, J, o, why, "InvalidRequestException",
                      "target '%s' is given twice", o->targets[i]);
  }
  model_target res[MODEL_MAX_TARGETS];
  for (size_t i = 0; i < o->n_targets; i++) {
    char msg[560];
    if (op_target(e, o, i, &res[i], msg, sizeof msg))
      return refuse(e, J, o, why, "InvalidRequestException", "%s", msg);
  }
  for (size_t i = 0; i < o->n_targets; i++) {
    J->targets[J->n_targets] = res[i];
    J->target_arns[J->n_targets] = eng_keep(e, J, o->targets[i]);
    J->tgt_cursor[J->n_targets] = 0;
    J->n_targets++;
  }
  J->cfg.n_targets = J->n_targets;
  J->cfg.targets = J->target_arns;
  J->job.rollout_done = false;
  J->job.last_updated_at = now_of(e);
  char lb[48];
  op_label(o, why, lb, sizeof lb);
  eng_log(e, J, "%s associate-targets-with-job: %zu targets added, rollout "
           "continues over them", lb, o->n_targets);
  if (eng_rollout_allowed(J)) eng_schedule_window(e, J, now_of(e));
  eng_observe(e, J, MODEL_ROW_OP);
  return SIM_OK;
}

static int op_cancel_execution(model_engine *e, eng_job *J, const model_op *o,
                               model_refusal *why) {
  int64_t t = model_engine_find_thing(e, o->thing_name);
  thing_state *th = t >= 0 ? eng_rec(e, J, t) : NULL;
  if (!th || th->status == MODEL_EXEC_NONE)
    return refuse(e, J, o, why, "ResourceNotFoundException",
                  "no execution of the job on thing '%s'", o->thing_name);
  if (o->execution_number > 0 && o->execution_number != th->exec_no)
    return refuse(e, J, o, why, "InvalidRequestException",
                  "execution %" PRId64 " on '%s' is not the latest (%u)",
                  o->execution_number, o->thing_name, (unsigned)th->exec_no);
  if (o->expected_version > 0 &&
      o->expected_version != (int64_t)eng_version_of(J, t, th))
    return refuse(e, J, o, why, "VersionConflictException",
                  "the execution on '%s' has versionNumber %u, not %" PRId64,
                  o->thing_name, (unsigned)eng_version_of(J, t, th), o->expected_version);
  if (th->status == MODEL_EXEC_IN_PROGRESS && !o->force)
    return refuse(e, J, o, why, "InvalidStateTransitionException",
                  "the execution on '%s' is IN_PROGRESS; canceling it needs force",
                  o->thing_name);
  if (is_terminal(th->status))
    return refuse(e, J, o, why, "InvalidStateTransitionException",
                  "the execution on '%s' is already %s", o->thing_name,
                  model_exec_status_name(th->status));
  bool forced = th->status == MODEL_EXEC_IN_PROGRESS;
  eng_set_status(e, J, t, th, MODEL_EXEC_CANCELED);
  if (forced) th->flags |= F_FORCE;
  if (e->multi) eng_device_free(e, t);
  char lb[48];
  op_label(o, why, lb, sizeof lb);
  eng_log(e, J, "%s cancel-job-execution: execution %u on %s CANCELED%s", lb,
          th->exec_no, o->thing_name, forced ? " (force)" : "");
  eng_check_done(e, J);
  return SIM_OK;
}

static int op_delete_execution(model_engine *e, eng_job *J, const model_op *o,
                               model_refusal *why) {
  int64_t t = model_engine_find_thing(e, o->thing_name);
  thing_state *th = t >= 0 ? eng_rec(e, J, t) : NULL;
  past_record *pr = NULL;
  bool latest = th && th->status != MODEL_EXEC_NONE && th->exec_no == o->execution_number;
  if (th && !latest) pr = eng_past_of(J, t, o->execution_number);
  if (!latest && !pr)
    return refuse(e, J, o, why, "ResourceNotFoundException",
                  "no execution number %" PRId64 " of the job on thing '%s'",
                  o->execution_number, o->thing_name);
  unsigned status = latest ? th->status : pr->status;
  if (status == MODEL_EXEC_IN_PROGRESS && !o->force)
    return refuse(e, J, o, why, "InvalidStateTransitionException",
                  "execution %" PRId64 " on '%s' is IN_PROGRESS; deleting it needs force",
                  o->execution_number, o->thing_name);
  eng_delete_record_counts(J, status);
  if (pr) {
    pr->status = EXEC_DELETED;
  } else {
    /* The newest remaining earlier record becomes the latest again, with
     * its own number; the highest number given stays known, so a later
     * execution never reuses one (O27). Without an earlier record the
     * thing has none (NONE) and exec_no keeps the highest number. */
    past_record *prev = eng_past_of(J, t, 0);
    unsigned high = exec_high(e, J, t);
    if (prev) {
      th->queued_at = prev->queued_at;
      th->started_at = prev->started_at;
      th->updated_at = prev->updated_at;
      th->version = prev->version < VERSION_BIG ? prev->version : VERSION_BIG;
      if (prev->version >= VERSION_BIG &&
          sim_index_set(&J->big_versions, (uint64_t)t, prev->version))
        sim_world_fail(e->w, SIM_ERR_NOMEM);
      th->status = prev->status;
      th->retry_attempt = prev->retry_attempt;
      th->flags = (uint8_t)((th->flags & ~F_FORCE) | (prev->force ? F_FORCE : 0));
      th->xflags = 0;
      th->exec_no = prev->exec_no;
      prev->status = EXEC_DELETED;   /* moved, still counted once */
      if (sim_index_set(&J->exec_high, (uint64_t)t, (int64_t)high))
        sim_world_fail(e->w, SIM_ERR_NOMEM);
    } else {
      th->status = MODEL_EXEC_NONE;
      th->exec_no = (uint16_t)high;
    }
    if (e->multi && is_active(status)) eng_device_free(e, t);
  }
  char lb[48];
  op_label(o, why, lb, sizeof lb);
  eng_log(e, J, "%s delete-job-execution: execution %" PRId64 " on %s deleted", lb,
          o->execution_number, o->thing_name);
  eng_observe(e, J, MODEL_ROW_OP);
  eng_check_done(e, J);
  return SIM_OK;
}

static int op_things(model_engine *e, const model_op *o, model_refusal *why) {
  const char *what = model_op_name(o->kind);
  if (o->count > 0) {
    int64_t done = 0;
    for (int64_t i = 0; i < o->count; i++) {
      int64_t t;
      if (o->kind == MODEL_OP_ADD_THINGS) {
        if ((t = eng_add_thing(e, o->group, NULL)) < 0) return SIM_OK;
        eng_join(e, t, what);
      } else {
        if ((t = eng_random_member(e, o->group)) < 0) break;
        if (o->kind == MODEL_OP_REMOVE_THINGS) eng_leave(e, t, what);
        else eng_delete_thing(e, t);
      }
      done++;
    }
    char lb[48];
    op_label(o, why, lb, sizeof lb);
    eng_log(e, NULL, "%s %s: %" PRId64 " of %" PRId64 " things in group %s", lb,
          what, done, o->count, e->sc->fleet.groups[o->group].name);
    return SIM_OK;
  }
  int rc = SIM_OK;
  for (size_t i = 0; i < o->n_names; i++) {
    const char *name = o->names[i];
    int64_t t = model_engine_find_thing(e, name);
    if (o->kind == MODEL_OP_ADD_THINGS) {
      if (t < 0) {
        if ((t = eng_add_thing(e, o->group, name)) < 0) return SIM_OK;
        eng_join(e, t, what);
      } else if (e->things[t].group != o->group) {
        rc = refuse(e, NULL, o, why, "InvalidRequestException",
                    "thing '%s' belongs to group %s (a thing is in one group in jobsim)",
                    name, e->sc->fleet.groups[e->things[t].group].name);
      } else if (e->things[t].flags & F_GONE) {
        rc = refuse(e, NULL, o, why, "ResourceNotFoundException", "thing '%s' was deleted",
                    name);
      } else if (!(e->things[t].flags & F_MEMBER)) {
        eng_join(e, t, what);
      } else {   /* AddThingToThingGroup of a member succeeds, changes nothing */
        eng_log(e, NULL, "operation %zu %s: thing %s is already in group %s; nothing changed",
                o->index, what, name, e->sc->fleet.groups[o->group].name);
      }
      continue;
    }
    if (t < 0 || (e->things[t].flags & F_GONE)) {
      rc = refuse(e, NULL, o, why, "ResourceNotFoundException", "no thing named '%s'", name);
      continue;
    }
    if (o->kind == MODEL_OP_REMOVE_THINGS) {
      if (e->things[t].flags & F_MEMBER) eng_leave(e, t, what);
      else   /* RemoveThingFromThingGroup of a non-member: likewise */
        eng_log(e, NULL, "operation %zu %s: thing %s is not in group %s; nothing changed",
                o->index, what, name, e->sc->fleet.groups[e->things[t].group].name);
    } else {
      eng_delete_thing(e, t);
    }
  }
  return rc;
}

/* ------------------------------------------------------------- creation --- */

/* Job index of a live (not vanished) job with that id, -1 if none. */
static long live_job(const model_engine *e, const char *id) {
  for (size_t k = e->n_jobs; k-- > 0;)
    if (!e->jobs[k]->job.vanished && strcmp(e->jobs[k]->cfg.job_id, id) == 0)
      return (long)k;
  return -1;
}

/* Create a job from `spec` now. borrowed: spec's storage outlives the
 * engine (the scenario's); otherwise the engine takes it (*spec zeroed). */
static int create_job(model_engine *e, model_job_spec *spec, bool borrowed,
                      size_t *index, model_refusal *why) {
  if (live_job(e, spec->job.job_id) >= 0) {
    if (why) {
      snprintf(why->exception, sizeof why->exception, "ResourceAlreadyExistsException");
      snprintf(why->message, sizeof why->message, "Job %s already exists",
               spec->job.job_id);
    }
    if (!borrowed) model_job_spec_release(spec);
    return SIM_ERR_STATE;
  }
  if (e->n_jobs >= MODEL_MAX_JOBS) {
    if (why) {
      snprintf(why->exception, sizeof why->exception, "LimitExceededException");
      snprintf(why->message, sizeof why->message,
               "jobsim holds at most %d jobs on one fleet", MODEL_MAX_JOBS);
    }
    if (!borrowed) model_job_spec_release(spec);
    return SIM_ERR_STATE;
  }
  eng_job *J;
  int rc = eng_job_new(e, &J);
  if (rc) {
    if (!borrowed) model_job_spec_release(spec);
    return rc;
  }
  J->cfg = spec->job;            /* shallow: strings stay the spec's */
  if (!borrowed) {
    J->own_cfg = spec->job;      /* released with the job */
    J->own_windows = spec->windows;
  }
  J->n_targets = spec->job.n_targets;
  for (size_t i = 0; i < J->n_targets; i++) {
    J->targets[i] = spec->targets[i];
    J->target_arns[i] = spec->job.targets[i];
  }
  J->cfg.targets = J->target_arns;
  J->n_targeted = spec->n_targeted;
  J->has_start = spec->has_start;
  J->start_at = spec->start_at;
  J->has_end = spec->has_end;
  J->end_at = spec->end_at;
  J->windows = spec->windows;
  J->n_windows = spec->n_windows;
  if (!borrowed) {
    free(spec->targets);
    memset(spec, 0, sizeof *spec);
  }
  if (J->index == 1) e->multi = true;
  /* Streams: job 0 keeps the names a one-job run always used. */
  size_t ng = e->sc->fleet.n_groups;
  if (J->index == 0)
    for (size_t g = 0; g < ng; g++)
      if (!eng_device_rng(e, J, g)) return SIM_ERR_NOMEM;
  if (e->sc->sim.timeout_lag_max > 0) {
    char name[160];
    if (J->index == 0) snprintf(name, sizeof name, "service/timeout-lag");
    else snprintf(name, sizeof name, "service/timeout-lag/%s", J->cfg.job_id);
    if ((rc = sim_world_stream(e->w, name, &J->lag_rng))) return rc;
  }
  if ((rc = eng_start_job(e, J))) return rc;
  char d1[64];
  sim_duration_format(e->horizon, d1, sizeof d1);
  eng_log(e, J, "job %s created %s: %s, %zu targets covering %" PRId64
               " things, seed %" PRIu64 ", horizon %s",
          J->cfg.job_id, model_job_status_name(J->job.status),
          J->cfg.continuous ? "CONTINUOUS" : "SNAPSHOT", J->n_targets, J->n_targeted,
          e->seed, d1);
  if (J->waiting_slot)
    eng_log(e, J, "rollout waits: %" PRId64 " jobs are rolling out or canceling "
                  "(the concurrent-jobs quota, $.simulation.concurrentJobs)",
            e->n_concurrent);
  eng_observe(e, J, MODEL_ROW_START);
  if (index) *index = J->index;
  return SIM_OK;
}

int eng_create_scenario_job(model_engine *e, const model_job_spec *spec) {
  model_job_spec s = *spec;
  return create_job(e, &s, true, NULL, NULL);
}

/* Registry resolution for model_job_spec_finish. */
static int resolve_cb(void *ud, const char *arn, model_target *out, sim_diag *d,
                      const char *path) {
  return model_engine_resolve_target(ud, arn, out, d, path);
}

int model_engine_create_job(model_engine *e, model_jobcfg *cfg, const char *file,
                            size_t *index, model_refusal *why) {
  model_job_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.job = *cfg;
  memset(cfg, 0, sizeof *cfg);
  if (live_job(e, spec.job.job_id) >= 0)
    return create_job(e, &spec, false, index, why);   /* refused, released */
  sim_diag d;
  sim_diag_init(&d, file);
  int rc = model_job_spec_finish(&spec, e->sc, now_of(e), resolve_cb, e, &d, "$");
  if (rc) {
    model_job_spec_release(&spec);
    if (rc == SIM_ERR_NOMEM) return rc;
    snprintf(why->exception, sizeof why->exception, "InvalidRequestException");
    sim_diag_format(&d, why->message, sizeof why->message);
    return SIM_ERR_STATE;
  }
  return create_job(e, &spec, false, index, why);
}

/* ----------------------------------------------------------- dispatch --- */

/* The job an operation is about: its jobId, or the first job. */
static eng_job *op_job(model_engine *e, const model_op *o) {
  if (!o->job_id) return e->n_jobs ? e->jobs[0] : NULL;
  long k = model_engine_find_job(e, o->job_id);
  return k >= 0 ? e->jobs[k] : NULL;
}

static int apply(model_engine *e, const model_op *o, model_refusal *why) {
  if (o->kind == MODEL_OP_CREATE_JOB) {   /* the scenario's job: borrowed */
    model_job_spec s = *o->create;
    int rc = create_job(e, &s, true, NULL, why);
    if (rc == SIM_ERR_STATE && !why)   /* the id is taken */
      eng_log(e, NULL, "operation %zu create-job refused: ResourceAlreadyExistsException: "
                       "job %s exists; nothing changed", o->index, o->create->job.job_id);
    return rc;
  }
  if (!model_op_is_job_op(o->kind)) return op_things(e, o, why);
  eng_job *J = op_job(e, o);
  if (!J || J->job.vanished)
    return refuse(e, J, o, why, "ResourceNotFoundException", "job %s does not exist%s",
                  o->job_id ? o->job_id : J ? J->cfg.job_id : "(none)",
                  J ? " (deleted)" : "");
  switch (o->kind) {
    case MODEL_OP_CANCEL_JOB: return op_cancel_job(e, J, o, why);
    case MODEL_OP_UPDATE_JOB: return op_update_job(e, J, o, why);
    case MODEL_OP_DELETE_JOB: return op_delete_job(e, J, o, why);
    case MODEL_OP_ASSOCIATE_TARGETS: return op_associate(e, J, o, why);
    case MODEL_OP_CANCEL_EXECUTION: return op_cancel_execution(e, J, o, why);
    case MODEL_OP_DELETE_EXECUTION: return op_delete_execution(e, J, o, why);
    default: return SIM_OK;
  }
}

void eng_on_op(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w;
  const model_op *o = &e->sc->ops[ev->subject];
  e->ops_left--;
  for (size_t k = 0; k < e->n_jobs; k++) e->jobs[k]->job.ops_left = e->ops_left;
  int rc = apply(e, o, NULL);
  if (rc && rc != SIM_ERR_STATE) sim_world_fail(e->w, rc);
  for (size_t k = 0; k < e->n_jobs; k++) eng_check_done(e, e->jobs[k]);
  eng_check_finished(e);
}

int model_engine_apply(model_engine *e, const model_op *op, model_refusal *why) {
  memset(why, 0, sizeof *why);
  if (op->kind == MODEL_OP_CREATE_JOB && !op->create) {
    snprintf(why->exception, sizeof why->exception, "InvalidRequestException");
    snprintf(why->message, sizeof why->message, "create-job without a job");
    return SIM_ERR_STATE;
  }
  int rc = apply(e, op, why);
  if (rc && rc != SIM_ERR_STATE) sim_world_fail(e->w, rc);
  for (size_t k = 0; k < e->n_jobs; k++) eng_check_done(e, e->jobs[k]);
  int wrc = model_engine_run(e, now_of(e));   /* what it started at now */
  return wrc ? wrc : rc;
}
