/*
 * describe.c — describe-job JSON (spec §11). Configuration objects echo what
 * the CreateJob request gave, no defaults filled in; presignedUrlConfig,
 * jobExecutionsRolloutConfig and timeoutConfig print {} when absent, as in
 * the AWS CLI example. Counters come in the service's order.
 */
#include "describe.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "scenario.h"

void report_timestamp(const model_scenario *sc, sim_time_ms t, report_ts_format f,
                      char *buf, size_t n) {
  int64_t ms = sc->sim.start_epoch_ms + t;
  if (f == REPORT_TS_EPOCH) {
    /* As AWS CLI v1 prints it (and v2 with cli_timestamp_format = wire):
     * the wire number parsed into a Python float and printed by json.dump,
     * i.e. float.__repr__, the shortest text that reads back as the same
     * double. An epoch in seconds with milliseconds has at most 13
     * significant digits, well within a double's 15, so that text is the
     * decimal with its trailing zeros dropped, keeping at least one:
     * 1767225600.0, 1767225600.12, 1560787022.733. Before 1970 (negative
     * offsets) the sign goes in front of the whole number. */
    int64_t a = ms < 0 ? -ms : ms;
    int frac = (int)(a % 1000);
    char fr[8];
    if (frac == 0) snprintf(fr, sizeof fr, "0");
    else if (frac % 100 == 0) snprintf(fr, sizeof fr, "%d", frac / 100);
    else if (frac % 10 == 0) snprintf(fr, sizeof fr, "%02d", frac / 10);
    else snprintf(fr, sizeof fr, "%03d", frac);
    snprintf(buf, n, "%s%" PRId64 ".%s", ms < 0 ? "-" : "", a / 1000, fr);
    return;
  }
  /* Python datetime.isoformat() as AWS CLI v2 prints it, in UTC: the
   * fraction is omitted when it is zero, else given in microseconds. */
  char iso[40];
  model_format_iso8601(ms, iso, sizeof iso);      /* YYYY-MM-DDTHH:MM:SS.mmmZ */
  if (ms % 1000 == 0)
    snprintf(buf, n, "\"%.19s+00:00\"", iso);
  else
    snprintf(buf, n, "\"%.23s000+00:00\"", iso);
}

static void ts(report_jsonw *w, const model_scenario *sc, const char *key, sim_time_ms t,
               const report_opts *o) {
  char b[64];
  report_timestamp(sc, t, o->ts, b, sizeof b);
  report_jsonw_key(w, key);
  report_jsonw_raw(w, b);
}

static void string_list(report_jsonw *w, const char *key, char *const *v, size_t n) {
  report_jsonw_key(w, key);
  report_jsonw_array(w);
  for (size_t i = 0; i < n; i++) report_jsonw_string(w, v[i]);
  report_jsonw_end_array(w);
}

static void rollout_config(report_jsonw *w, const model_jobcfg *c) {
  report_jsonw_key(w, "jobExecutionsRolloutConfig");
  report_jsonw_object(w);
  if (c->has_max_per_minute) {
    report_jsonw_key(w, "maximumPerMinute");
    report_jsonw_int(w, c->max_per_minute);
  }
  if (c->has_exponential) {
    report_jsonw_key(w, "exponentialRate");
    report_jsonw_object(w);
    report_jsonw_key(w, "baseRatePerMinute");
    report_jsonw_int(w, c->base_rate_per_minute);
    report_jsonw_key(w, "incrementFactor");
    report_jsonw_double(w, c->increment_factor);
    report_jsonw_key(w, "rateIncreaseCriteria");
    report_jsonw_object(w);
    if (c->has_notified_criterion) {
      report_jsonw_key(w, "numberOfNotifiedThings");
      report_jsonw_int(w, c->notified_things);
    }
    if (c->has_succeeded_criterion) {
      report_jsonw_key(w, "numberOfSucceededThings");
      report_jsonw_int(w, c->succeeded_things);
    }
    report_jsonw_end_object(w);
    report_jsonw_end_object(w);
  }
  report_jsonw_end_object(w);
}

static void process_details(report_jsonw *w, const model_jobcfg *c,
                            const model_job *j, const size_t *idx, size_t n) {
  report_jsonw_key(w, "jobProcessDetails");
  report_jsonw_object(w);
  if (n > 0) {   /* O8: only while rolling out */
    report_jsonw_key(w, "processingTargets");
    report_jsonw_array(w);
    for (size_t i = 0; i < n; i++) report_jsonw_string(w, c->targets[idx[i]]);
    report_jsonw_end_array(w);
  }
  static const struct { const char *key; model_exec_status s; } order[] = {
      {"numberOfCanceledThings", MODEL_EXEC_CANCELED},
      {"numberOfSucceededThings", MODEL_EXEC_SUCCEEDED},
      {"numberOfFailedThings", MODEL_EXEC_FAILED},
      {"numberOfRejectedThings", MODEL_EXEC_REJECTED},
      {"numberOfQueuedThings", MODEL_EXEC_QUEUED},
      {"numberOfInProgressThings", MODEL_EXEC_IN_PROGRESS},
      {"numberOfRemovedThings", MODEL_EXEC_REMOVED},
      {"numberOfTimedOutThings", MODEL_EXEC_TIMED_OUT}};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
    report_jsonw_key(w, order[i].key);
    report_jsonw_int(w, j->counters[order[i].s]);
  }
  report_jsonw_end_object(w);
}

char *report_describe_job_at(const model_engine *e, size_t job, const report_opts *o,
                             size_t *len) {
  size_t idx[MODEL_MAX_TARGETS];
  size_t n = model_engine_processing_targets_at(e, job, idx, MODEL_MAX_TARGETS);
  if (n > MODEL_MAX_TARGETS) n = MODEL_MAX_TARGETS;
  int64_t rollouts[7];
  size_t nr = model_engine_next_windows_at(e, job, rollouts, 7);
  report_job_view v = {model_engine_scenario(e), model_engine_config_at(e, job),
                       model_engine_job_at(e, job), idx, n, rollouts, nr};
  return report_describe_job_view(&v, o, len);
}

char *report_describe_job(const model_engine *e, const report_opts *o, size_t *len) {
  return report_describe_job_at(e, 0, o, len);
}

char *report_describe_job_state(const model_scenario *sc, const model_job *j,
                                const size_t *processing, size_t n_processing,
                                const report_opts *o, size_t *len) {
  report_job_view v = {sc, &sc->job, j, processing, n_processing, NULL, 0};
  return report_describe_job_view(&v, o, len);
}

/* Scheduling (O33, O35): schedulingConfig echoes the request; times are
 * "YYYY-MM-DDTHH:MM" strings, as AWS takes and returns them. */
static void scheduling(report_jsonw *w, const report_job_view *v) {
  const model_jobcfg *c = v->cfg;
  if (!c->has_scheduling) return;
  report_jsonw_key(w, "schedulingConfig");
  report_jsonw_object(w);
  if (c->start_time) {
    report_jsonw_key(w, "startTime");
    report_jsonw_string(w, c->start_time);
  }
  if (c->end_time) {
    report_jsonw_key(w, "endTime");
    report_jsonw_string(w, c->end_time);
  }
  if (c->has_end_behavior) {
    report_jsonw_key(w, "endBehavior");
    report_jsonw_string(w, model_end_behavior_name(c->end_behavior));
  }
  if (c->n_windows) {
    report_jsonw_key(w, "maintenanceWindows");
    report_jsonw_array(w);
    for (size_t i = 0; i < c->n_windows; i++) {
      report_jsonw_object(w);
      report_jsonw_key(w, "startTime");
      report_jsonw_string(w, c->windows[i].cron);
      report_jsonw_key(w, "durationInMinutes");
      report_jsonw_int(w, c->windows[i].duration_min);
      report_jsonw_end_object(w);
    }
    report_jsonw_end_array(w);
  }
  report_jsonw_end_object(w);
  if (c->n_windows) {   /* O35: only with maintenance windows */
    report_jsonw_key(w, "scheduledJobRollouts");
    report_jsonw_array(w);
    for (size_t i = 0; i < v->n_rollouts; i++) {
      char t[32];
      model_cron_format_time(v->rollouts[i], t, sizeof t);
      report_jsonw_object(w);
      report_jsonw_key(w, "startTime");
      report_jsonw_string(w, t);
      report_jsonw_end_object(w);
    }
    report_jsonw_end_array(w);
  }
}

char *report_describe_job_view(const report_job_view *v, const report_opts *o,
                               size_t *len) {
  const model_scenario *sc = v->sc;
  const model_jobcfg *c = v->cfg;
  const model_job *j = v->job;
  report_jsonw w;
  report_jsonw_init(&w, o->compact);
  report_jsonw_object(&w);
  if (c->document_source) {
    report_jsonw_key(&w, "documentSource");
    report_jsonw_string(&w, c->document_source);
  }
  report_jsonw_key(&w, "job");
  report_jsonw_object(&w);
  char arn[256];
  snprintf(arn, sizeof arn, "arn:aws:iot:%s:%s:job/%s", sc->sim.region,
           sc->sim.account_id, c->job_id);
  report_jsonw_key(&w, "jobArn");
  report_jsonw_string(&w, arn);
  report_jsonw_key(&w, "jobId");
  report_jsonw_string(&w, c->job_id);
  report_jsonw_key(&w, "targetSelection");
  report_jsonw_string(&w, c->continuous ? "CONTINUOUS" : "SNAPSHOT");
  report_jsonw_key(&w, "status");
  report_jsonw_string(&w, model_job_status_name(j->status));
  if (j->canceled) {   /* O39: only after a cancel */
    report_jsonw_key(&w, "forceCanceled");
    report_jsonw_bool(&w, j->force_canceled);
  }
  if (j->reason_code[0]) {
    report_jsonw_key(&w, "reasonCode");
    report_jsonw_string(&w, j->reason_code);
  }
  if (j->comment[0]) {
    report_jsonw_key(&w, "comment");
    report_jsonw_string(&w, j->comment);
  }
  string_list(&w, "targets", c->targets, c->n_targets);
  if (c->description) {
    report_jsonw_key(&w, "description");
    report_jsonw_string(&w, c->description);
  }
  report_jsonw_key(&w, "presignedUrlConfig");
  report_jsonw_object(&w);
  if (c->presigned_role_arn) {
    report_jsonw_key(&w, "roleArn");
    report_jsonw_string(&w, c->presigned_role_arn);
  }
  if (c->has_expires_in_sec) {
    report_jsonw_key(&w, "expiresInSec");
    report_jsonw_int(&w, c->expires_in_sec);
  }
  report_jsonw_end_object(&w);
  rollout_config(&w, c);
  if (c->has_abort) {
    report_jsonw_key(&w, "abortConfig");
    report_jsonw_object(&w);
    report_jsonw_key(&w, "criteriaList");
    report_jsonw_array(&w);
    for (size_t i = 0; i < c->n_abort; i++) {
      const model_abort_criteria *a = &c->abort[i];
      report_jsonw_object(&w);
      report_jsonw_key(&w, "failureType");
      report_jsonw_string(&w, model_failure_type_name(a->failure_type));
      report_jsonw_key(&w, "action");
      report_jsonw_string(&w, "CANCEL");
      report_jsonw_key(&w, "thresholdPercentage");
      report_jsonw_double(&w, a->threshold_percentage);
      report_jsonw_key(&w, "minNumberOfExecutedThings");
      report_jsonw_int(&w, a->min_executed);
      report_jsonw_end_object(&w);
    }
    report_jsonw_end_array(&w);
    report_jsonw_end_object(&w);
  }
  ts(&w, sc, "createdAt", j->created_at, o);
  ts(&w, sc, "lastUpdatedAt", j->last_updated_at, o);
  if (j->status == MODEL_JOB_COMPLETED) ts(&w, sc, "completedAt", j->completed_at, o);
  process_details(&w, c, j, v->processing, v->n_processing);
  report_jsonw_key(&w, "timeoutConfig");
  report_jsonw_object(&w);
  if (c->has_in_progress_timeout) {
    report_jsonw_key(&w, "inProgressTimeoutInMinutes");
    report_jsonw_int(&w, c->in_progress_timeout_min);
  }
  report_jsonw_end_object(&w);
  if (c->namespace_id) {
    report_jsonw_key(&w, "namespaceId");
    report_jsonw_string(&w, c->namespace_id);
  }
  if (c->job_template_arn) {
    report_jsonw_key(&w, "jobTemplateArn");
    report_jsonw_string(&w, c->job_template_arn);
  }
  if (c->has_retry) {
    report_jsonw_key(&w, "jobExecutionsRetryConfig");
    report_jsonw_object(&w);
    report_jsonw_key(&w, "criteriaList");
    report_jsonw_array(&w);
    for (size_t i = 0; i < c->n_retry; i++) {
      report_jsonw_object(&w);
      report_jsonw_key(&w, "failureType");
      report_jsonw_string(&w, model_failure_type_name(c->retry[i].failure_type));
      report_jsonw_key(&w, "numberOfRetries");
      report_jsonw_int(&w, c->retry[i].number_of_retries);
      report_jsonw_end_object(&w);
    }
    report_jsonw_end_array(&w);
    report_jsonw_end_object(&w);
  }
  if (c->document_parameters) {
    report_jsonw_key(&w, "documentParameters");
    report_jsonw_object(&w);
    for (const cJSON *p = c->document_parameters->child; p; p = p->next) {
      report_jsonw_key(&w, p->string);
      report_jsonw_string(&w, cJSON_IsString(p) ? p->valuestring : "");
    }
    report_jsonw_end_object(&w);
  }
  report_jsonw_key(&w, "isConcurrent");   /* O39: always present */
  report_jsonw_bool(&w, j->is_concurrent);
  scheduling(&w, v);
  if (c->has_destination_package_versions)
    string_list(&w, "destinationPackageVersions", c->destination_package_versions,
                c->n_destination_package_versions);
  report_jsonw_end_object(&w);
  report_jsonw_end_object(&w);
  return report_jsonw_take(&w, len);
}
