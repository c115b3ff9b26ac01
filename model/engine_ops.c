/*
 * engine_ops.c — the operations: it owns $.operations as they fire
 * (cancel-job, update-job, delete-job, associate-targets-with-job,
 * cancel-job-execution, delete-job-execution, and the dispatch of
 * add-/remove-/delete-things) and the cancellation and deletion batches they
 * start (O28, O31); it may write the live configuration and targets, the
 * job's cancel and deletion fields, and the records it cancels or deletes.
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* -------------------------------------------------------- cancellation --- */

static void start_cancel_batches(model_engine *e) {
  int64_t todo = e->job.counters[MODEL_EXEC_QUEUED] +
                 (e->cancel_force ? e->job.counters[MODEL_EXEC_IN_PROGRESS] : 0);
  e->cancel_cursor = 0;
  if (todo > 0 && !e->cancel_pending) {
    e->cancel_pending = true;
    fail_if(e, sim_world_schedule(e->w, now_of(e), PRIO_JOB, K_CANCEL_BATCH, 0, 0,
                                  NULL));
  }
  e->job.is_concurrent = e->cancel_pending;
}

void eng_cancel_job(model_engine *e, bool force, const char *reason,
                       const char *comment, bool aborted) {
  e->job.canceled = true;
  e->job.aborted = aborted;
  e->job.force_canceled = force;
  e->rollout_stopped = true;
  e->job.rate = 0;
  snprintf(e->job.reason_code, sizeof e->job.reason_code, "%s", reason ? reason : "");
  snprintf(e->job.comment, sizeof e->job.comment, "%s", comment ? comment : "");
  eng_stop_windows(e);             /* rollout of new executions stops */
  eng_set_job_status(e, MODEL_JOB_CANCELED);
  e->job.last_updated_at = now_of(e);
  e->cancel_force = force;
  int64_t todo = e->job.counters[MODEL_EXEC_QUEUED] +
                 (force ? e->job.counters[MODEL_EXEC_IN_PROGRESS] : 0);
  eng_log(e, "job CANCELED%s%s: %" PRId64 " executions to cancel at %" PRId64
           "/min; %" PRId64 " things notified, %" PRId64 " IN_PROGRESS continue",
        aborted ? " by abort" : "", force ? " (force)" : "", todo,
        e->sc->sim.cancel_rate, e->job.notified,
        force ? (int64_t)0 : e->job.counters[MODEL_EXEC_IN_PROGRESS]);
  start_cancel_batches(e);
  eng_check_done(e);
}

/* O29: a forced cancel of a job canceled without force (by the user or an
 * abort), from cancel-job --force or endBehavior FORCE_CANCEL: the job
 * becomes forceCanceled and its IN_PROGRESS executions are canceled too, at
 * the propagation rate. reason and comment replace the earlier ones when
 * given (NULL keeps them). */
void eng_cancel_upgrade(model_engine *e, const char *reason, const char *comment) {
  e->job.force_canceled = true;
  e->cancel_force = true;
  if (reason) snprintf(e->job.reason_code, sizeof e->job.reason_code, "%s", reason);
  if (comment) snprintf(e->job.comment, sizeof e->job.comment, "%s", comment);
  e->job.last_updated_at = now_of(e);
  start_cancel_batches(e);
  eng_observe(e, MODEL_ROW_OP);
}

/* O28: QUEUED (and with force IN_PROGRESS) executions become CANCELED at up
 * to cancel_rate per minute, in thing order. No new QUEUED record appears
 * after a cancel, so every one left is ahead of the cursor. */
void eng_on_cancel_batch(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)ev;
  int64_t budget = e->sc->sim.cancel_rate, done = 0;
  while (done < budget && e->cancel_cursor < e->n_things) {
    int64_t t = e->cancel_cursor;
    thing_state *th = &e->things[t];
    unsigned s = th->status;
    if (s == MODEL_EXEC_QUEUED || (e->cancel_force && s == MODEL_EXEC_IN_PROGRESS)) {
      eng_set_status(e, t, MODEL_EXEC_CANCELED);
      if (s == MODEL_EXEC_IN_PROGRESS) th->flags |= F_FORCE;
      done++;
    }
    e->cancel_cursor++;
  }
  int64_t left = e->job.counters[MODEL_EXEC_QUEUED] +
                 (e->cancel_force ? e->job.counters[MODEL_EXEC_IN_PROGRESS] : 0);
  eng_log(e, "cancellation: %" PRId64 " executions CANCELED, %" PRId64 " left", done,
        left);
  if (left > 0 && e->cancel_cursor < e->n_things) {
    fail_if(e, sim_world_schedule(w, sim_world_now(w) + WINDOW_MS, PRIO_JOB,
                                  K_CANCEL_BATCH, 0, 0, NULL));
  } else {
    e->cancel_pending = false;
    e->job.is_concurrent = false;
    e->job.last_updated_at = sim_world_now(w);
    eng_log(e, "cancellation finished");
  }
  eng_observe(e, MODEL_ROW_CANCEL);
  eng_check_done(e);
}

/* ------------------------------------------------------------ deletion --- */

static void delete_record_counts(model_engine *e, unsigned status) {
  e->job.counters[status]--;
  e->job.records--;
  e->job.deleted++;
}

/* O31: records are deleted at cancel_rate per minute (side table first),
 * then the job vanishes. */
void eng_on_delete_batch(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)ev;
  int64_t budget = e->sc->sim.cancel_rate, done = 0;
  while (done < budget && e->delete_past_cursor < e->n_past) {
    past_record *r = &e->past[e->delete_past_cursor++];
    if (r->status == EXEC_DELETED) continue;
    delete_record_counts(e, r->status);
    r->status = EXEC_DELETED;
    done++;
  }
  while (done < budget && e->delete_cursor < e->n_things) {
    thing_state *th = &e->things[e->delete_cursor++];
    if (th->status == MODEL_EXEC_NONE) continue;
    delete_record_counts(e, th->status);
    th->status = MODEL_EXEC_NONE;
    done++;
  }
  eng_log(e, "deletion: %" PRId64 " execution records deleted, %" PRId64 " left", done,
        e->job.records);
  if (e->job.records > 0) {
    fail_if(e, sim_world_schedule(w, sim_world_now(w) + WINDOW_MS, PRIO_JOB,
                                  K_DELETE_BATCH, 0, 0, NULL));
    eng_observe(e, MODEL_ROW_CANCEL);
    return;
  }
  e->delete_pending = false;
  e->job.vanished = true;
  eng_log(e, "job deleted: describe-job now fails with ResourceNotFoundException");
  eng_check_done(e);
}

/* ---------------------------------------------------------- operations --- */

static void refuse(model_engine *e, const model_op *o, const char *exception,
                   const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static void refuse(model_engine *e, const model_op *o, const char *exception,
                   const char *fmt, ...) {
  char why[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  e->job.refused_ops++;
  eng_log(e, "operation %zu %s refused: %s: %s; nothing changed", o->index,
        model_op_name(o->kind), exception, why);
}

static void op_cancel_job(model_engine *e, const model_op *o) {
  switch (e->job.status) {
    case MODEL_JOB_IN_PROGRESS:
    case MODEL_JOB_SCHEDULED:
      eng_log(e, "operation %zu cancel-job%s", o->index, o->force ? " --force" : "");
      eng_cancel_job(e, o->force, o->reason_code, o->comment, false);
      return;
    case MODEL_JOB_CANCELED:
      if (o->force && !e->job.force_canceled) {   /* O29: force upgrades */
        eng_log(e, "operation %zu cancel-job --force: upgrades the earlier cancel; "
                 "%" PRId64 " IN_PROGRESS executions to cancel",
              o->index, e->job.counters[MODEL_EXEC_IN_PROGRESS]);
        eng_cancel_upgrade(e, o->reason_code, o->comment);
        return;
      }
      refuse(e, o, "InvalidRequestException", "the job is already CANCELED%s",
             e->job.force_canceled ? " with force" : "");
      return;
    case MODEL_JOB_COMPLETED:
      refuse(e, o, "InvalidRequestException", "the job is already COMPLETED");
      return;
    case MODEL_JOB_DELETION_IN_PROGRESS:
    default:
      refuse(e, o, "InvalidRequestException", "the job is being deleted");
      return;
  }
}

static void op_update_job(model_engine *e, const model_op *o) {
  model_job_status s = e->job.status;
  if (s != MODEL_JOB_IN_PROGRESS && s != MODEL_JOB_SCHEDULED) {
    refuse(e, o, "InvalidRequestException", "UpdateJob needs an IN_PROGRESS or "
                                            "SCHEDULED job; the job is %s",
           model_job_status_name(s));
    return;
  }
  const model_jobcfg *u = &o->update;
  model_jobcfg *c = &e->cfg;
  char what[256] = "";
  if (o->upd_description) {
    c->description = u->description;
    strcat(what, " description");
  }
  if (o->upd_presigned) {
    c->has_presigned = u->has_presigned;
    c->presigned_role_arn = u->presigned_role_arn;
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
  e->job.last_updated_at = now_of(e);
  eng_log(e, "operation %zu update-job:%s", o->index, what);
  eng_observe(e, MODEL_ROW_OP);
  if (o->upd_abort) eng_check_abort(e);   /* O30: evaluated at once */
}

static void op_delete_job(model_engine *e, const model_op *o) {
  model_job_status s = e->job.status;
  if (s == MODEL_JOB_DELETION_IN_PROGRESS) {
    refuse(e, o, "InvalidRequestException", "the job is already being deleted");
    return;
  }
  if (!o->force && s != MODEL_JOB_COMPLETED && s != MODEL_JOB_CANCELED) {
    refuse(e, o, "InvalidStateTransitionException",
           "the job is %s; deleting it needs force", model_job_status_name(s));
    return;
  }
  eng_log(e, "operation %zu delete-job%s: %" PRId64 " execution records to delete at %"
           PRId64 "/min", o->index, o->force ? " --force" : "", e->job.records,
        e->sc->sim.cancel_rate);
  e->rollout_stopped = true;
  eng_stop_windows(e);
  e->cancel_pending = false;
  e->job.rate = 0;
  e->job.is_concurrent = false;
  eng_set_job_status(e, MODEL_JOB_DELETION_IN_PROGRESS);
  e->delete_pending = true;
  fail_if(e, sim_world_schedule(e->w, now_of(e), PRIO_JOB, K_DELETE_BATCH, 0, 0, NULL));
}

static void op_associate(model_engine *e, const model_op *o) {
  if (!e->cfg.continuous) {
    refuse(e, o, "InvalidRequestException",
           "AssociateTargetsWithJob needs a CONTINUOUS job");
    return;
  }
  if (e->job.status != MODEL_JOB_IN_PROGRESS) {
    refuse(e, o, "InvalidRequestException",
           "AssociateTargetsWithJob needs an IN_PROGRESS job; the job is %s",
           model_job_status_name(e->job.status));
    return;
  }
  if (e->n_targets + o->n_targets > MODEL_MAX_TARGETS) {
    refuse(e, o, "LimitExceededException",
           "a job can have at most %d targets (it has %zu, %zu more asked)",
           MODEL_MAX_TARGETS, e->n_targets, o->n_targets);
    return;
  }
  for (size_t i = 0; i < o->n_targets; i++)
    for (size_t j = 0; j < e->n_targets; j++)
      if (strcmp(o->targets[i], e->target_arns[j]) == 0) {
        refuse(e, o, "InvalidRequestException", "target '%s' is already a target",
               o->targets[i]);
        return;
      }
  for (size_t i = 0; i < o->n_targets; i++) {
    e->targets[e->n_targets] = o->resolved[i];
    e->target_arns[e->n_targets] = o->targets[i];
    e->tgt_cursor[e->n_targets] = 0;
    e->n_targets++;
  }
  e->cfg.n_targets = e->n_targets;
  e->job.rollout_done = false;
  e->job.last_updated_at = now_of(e);
  eng_log(e, "operation %zu associate-targets-with-job: %zu targets added, rollout "
           "continues over them", o->index, o->n_targets);
  if (eng_rollout_allowed(e)) eng_schedule_window(e, now_of(e));
  eng_observe(e, MODEL_ROW_OP);
}

static void op_cancel_execution(model_engine *e, const model_op *o) {
  int64_t t = model_engine_find_thing(e, o->thing_name);
  if (t < 0 || e->things[t].status == MODEL_EXEC_NONE) {
    refuse(e, o, "ResourceNotFoundException", "no execution of the job on thing '%s'",
           o->thing_name);
    return;
  }
  thing_state *th = &e->things[t];
  if (th->status == MODEL_EXEC_IN_PROGRESS && !o->force) {
    refuse(e, o, "InvalidStateTransitionException",
           "the execution on '%s' is IN_PROGRESS; canceling it needs force",
           o->thing_name);
    return;
  }
  if (is_terminal(th->status)) {
    refuse(e, o, "InvalidStateTransitionException",
           "the execution on '%s' is already %s", o->thing_name,
           model_exec_status_name(th->status));
    return;
  }
  bool forced = th->status == MODEL_EXEC_IN_PROGRESS;
  eng_set_status(e, t, MODEL_EXEC_CANCELED);
  if (forced) th->flags |= F_FORCE;
  eng_log(e, "operation %zu cancel-job-execution: execution %u on %s CANCELED%s", o->index,
        th->exec_no, o->thing_name, forced ? " (force)" : "");
  eng_check_done(e);
}

static void op_delete_execution(model_engine *e, const model_op *o) {
  int64_t t = model_engine_find_thing(e, o->thing_name);
  thing_state *th = t >= 0 ? &e->things[t] : NULL;
  past_record *pr = NULL;
  bool latest = th && th->status != MODEL_EXEC_NONE && th->exec_no == o->execution_number;
  if (th && !latest) pr = eng_past_of(e, t, o->execution_number);
  if (!latest && !pr) {
    refuse(e, o, "ResourceNotFoundException",
           "no execution number %" PRId64 " of the job on thing '%s'",
           o->execution_number, o->thing_name);
    return;
  }
  unsigned status = latest ? th->status : pr->status;
  if (status == MODEL_EXEC_IN_PROGRESS && !o->force) {
    refuse(e, o, "InvalidStateTransitionException",
           "execution %" PRId64 " on '%s' is IN_PROGRESS; deleting it needs force",
           o->execution_number, o->thing_name);
    return;
  }
  delete_record_counts(e, status);
  if (pr) {
    pr->status = EXEC_DELETED;
  } else {
    /* The newest remaining earlier record becomes the latest again, with
     * its own number; the highest number given stays known, so a later
     * execution never reuses one (O27). Without an earlier record the
     * thing has none (NONE) and exec_no keeps the highest number. */
    past_record *prev = eng_past_of(e, t, 0);
    unsigned high = exec_high(e, t);
    if (prev) {
      th->queued_at = prev->queued_at;
      th->started_at = prev->started_at;
      th->updated_at = prev->updated_at;
      th->version = prev->version < VERSION_BIG ? prev->version : VERSION_BIG;
      if (prev->version >= VERSION_BIG &&
          sim_index_set(&e->big_versions, (uint64_t)t, prev->version))
        sim_world_fail(e->w, SIM_ERR_NOMEM);
      th->status = prev->status;
      th->retry_attempt = prev->retry_attempt;
      th->flags = (uint8_t)((th->flags & ~F_FORCE) | (prev->force ? F_FORCE : 0));
      th->exec_no = prev->exec_no;
      prev->status = EXEC_DELETED;   /* moved, still counted once */
      if (sim_index_set(&e->exec_high, (uint64_t)t, (int64_t)high))
        sim_world_fail(e->w, SIM_ERR_NOMEM);
    } else {
      th->status = MODEL_EXEC_NONE;
      th->exec_no = (uint16_t)high;
    }
  }
  eng_log(e, "operation %zu delete-job-execution: execution %" PRId64 " on %s deleted",
        o->index, o->execution_number, o->thing_name);
  eng_observe(e, MODEL_ROW_OP);
  eng_check_done(e);
}

static void op_things(model_engine *e, const model_op *o) {
  const char *what = model_op_name(o->kind);
  if (o->count > 0) {
    int64_t done = 0;
    for (int64_t i = 0; i < o->count; i++) {
      int64_t t;
      if (o->kind == MODEL_OP_ADD_THINGS) {
        if ((t = eng_add_thing(e, o->group, NULL)) < 0) return;
        eng_join(e, t, what);
      } else {
        if ((t = eng_random_member(e, o->group)) < 0) break;
        if (o->kind == MODEL_OP_REMOVE_THINGS) eng_leave(e, t, what);
        else eng_delete_thing(e, t);
      }
      done++;
    }
    eng_log(e, "operation %zu %s: %" PRId64 " of %" PRId64 " things in group %s", o->index,
          what, done, o->count, e->sc->fleet.groups[o->group].name);
    return;
  }
  for (size_t i = 0; i < o->n_names; i++) {
    const char *name = o->names[i];
    int64_t t = model_engine_find_thing(e, name);
    if (o->kind == MODEL_OP_ADD_THINGS) {
      if (t < 0) {
        if ((t = eng_add_thing(e, o->group, name)) < 0) return;
        eng_join(e, t, what);
      } else if (e->things[t].group != o->group) {
        refuse(e, o, "InvalidRequestException",
               "thing '%s' belongs to group %s (a thing is in one group in jobsim)",
               name, e->sc->fleet.groups[e->things[t].group].name);
      } else if (e->things[t].flags & F_GONE) {
        refuse(e, o, "ResourceNotFoundException", "thing '%s' was deleted", name);
      } else if (!(e->things[t].flags & F_MEMBER)) {
        eng_join(e, t, what);
      }
      continue;
    }
    if (t < 0 || (e->things[t].flags & F_GONE)) {
      refuse(e, o, "ResourceNotFoundException", "no thing named '%s'", name);
      continue;
    }
    if (o->kind == MODEL_OP_REMOVE_THINGS) {
      if (e->things[t].flags & F_MEMBER) eng_leave(e, t, what);
    } else {
      eng_delete_thing(e, t);
    }
  }
}

void eng_on_op(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  (void)w;
  const model_op *o = &e->sc->ops[ev->subject];
  e->job.ops_left--;
  bool job_op = o->kind <= MODEL_OP_DELETE_EXECUTION;
  if (job_op && e->job.vanished) {
    refuse(e, o, "ResourceNotFoundException", "job %s does not exist (deleted)",
           e->cfg.job_id);
  } else {
    switch (o->kind) {
      case MODEL_OP_CANCEL_JOB: op_cancel_job(e, o); break;
      case MODEL_OP_UPDATE_JOB: op_update_job(e, o); break;
      case MODEL_OP_DELETE_JOB: op_delete_job(e, o); break;
      case MODEL_OP_ASSOCIATE_TARGETS: op_associate(e, o); break;
      case MODEL_OP_CANCEL_EXECUTION: op_cancel_execution(e, o); break;
      case MODEL_OP_DELETE_EXECUTION: op_delete_execution(e, o); break;
      case MODEL_OP_ADD_THINGS:
      case MODEL_OP_REMOVE_THINGS:
      case MODEL_OP_DELETE_THINGS: op_things(e, o); break;
      default: break;
    }
  }
  eng_check_done(e);
}
