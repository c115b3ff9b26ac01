/*
 * execview.c — describe-job-execution and list-job-executions-for-job.
 * statusDetails is {} unless a device sent some through the data plane (then
 * {"detailsMap": {...}}, as the AWS CLI prints it); forceCanceled
 * appears only on an execution canceled with force while IN_PROGRESS;
 * approximateSecondsBeforeTimedOut only while a timer runs (spec §4).
 */
#include "execview.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

static void ts(report_jsonw *w, const model_engine *e, const char *key, sim_time_ms t,
               const report_opts *o) {
  char b[64];
  report_timestamp(model_engine_scenario(e), t, o->ts, b, sizeof b);
  report_jsonw_key(w, key);
  report_jsonw_raw(w, b);
}

static void thing_arn(const model_engine *e, int64_t t, char *buf, size_t n) {
  const model_scenario *sc = model_engine_scenario(e);
  char name[160];
  model_engine_thing_name(e, t, name, sizeof name);
  snprintf(buf, n, "arn:aws:iot:%s:%s:thing/%s", sc->sim.region, sc->sim.account_id,
           name);
}

/* statusDetails as the CLI prints it: {} or {"detailsMap": {...}}. */
void report_status_details(report_jsonw *w, const model_details *d) {
  report_jsonw_key(w, "statusDetails");
  report_jsonw_object(w);
  if (d && d->n) {
    report_jsonw_key(w, "detailsMap");
    report_jsonw_object(w);
    for (size_t i = 0; i < d->n; i++) {
      report_jsonw_key(w, d->key[i]);
      report_jsonw_string(w, d->value[i]);
    }
    report_jsonw_end_object(w);
  }
  report_jsonw_end_object(w);
}

char *report_describe_execution(const model_engine *e, int64_t thing, int exec_no,
                                const report_opts *o, bool *not_found, size_t *len) {
  return report_describe_execution_at(e, 0, thing, exec_no, o, not_found, len);
}

char *report_describe_execution_at(const model_engine *e, size_t job, int64_t thing,
                                   int exec_no, const report_opts *o, bool *not_found,
                                   size_t *len) {
  model_exec_view v;
  *not_found = false;
  if (job >= model_engine_n_jobs(e) || model_engine_job_at(e, job)->vanished ||
      !model_engine_exec_at(e, job, thing, exec_no, &v)) {
    *not_found = true;
    return NULL;
  }
  report_jsonw w;
  report_jsonw_init(&w, o->compact);
  report_jsonw_object(&w);
  report_jsonw_key(&w, "execution");
  report_jsonw_object(&w);
  report_jsonw_key(&w, "jobId");
  report_jsonw_string(&w, model_engine_config_at(e, job)->job_id);
  report_jsonw_key(&w, "status");
  report_jsonw_string(&w, model_exec_status_name(v.status));
  if (v.force_canceled) {
    report_jsonw_key(&w, "forceCanceled");
    report_jsonw_bool(&w, true);
  }
  report_status_details(&w, v.details);
  char arn[300];
  thing_arn(e, thing, arn, sizeof arn);
  report_jsonw_key(&w, "thingArn");
  report_jsonw_string(&w, arn);
  ts(&w, e, "queuedAt", v.queued_at, o);
  if (v.started_at >= 0) ts(&w, e, "startedAt", v.started_at, o);
  ts(&w, e, "lastUpdatedAt", v.updated_at, o);
  report_jsonw_key(&w, "executionNumber");
  report_jsonw_int(&w, v.exec_no);
  report_jsonw_key(&w, "versionNumber");
  report_jsonw_int(&w, v.version);
  if (v.latest) {
    sim_time_ms dl = model_engine_exec_deadline_at(e, job, thing);
    if (dl >= 0) {
      sim_time_ms left = dl - model_engine_now(e);
      report_jsonw_key(&w, "approximateSecondsBeforeTimedOut");
      report_jsonw_int(&w, left > 0 ? left / 1000 : 0);
    }
  }
  report_jsonw_end_object(&w);
  report_jsonw_end_object(&w);
  return report_jsonw_take(&w, len);
}

void report_next_token(int64_t pos, char *buf, size_t n) {
  snprintf(buf, n, "jobsim-v1-%" PRId64, pos);
}

bool report_parse_next_token(const char *s, int64_t *pos) {
  if (strncmp(s, "jobsim-v1-", 10) != 0 || !s[10]) return false;
  char *end;
  long long v = strtoll(s + 10, &end, 10);
  if (*end || v < 0) return false;
  *pos = v;
  return true;
}

char *report_list_executions(const model_engine *e, const report_list_opts *lo,
                             const report_opts *o, size_t *len) {
  return report_list_executions_at(e, 0, lo, o, len);
}

char *report_list_executions_at(const model_engine *e, size_t job,
                                const report_list_opts *lo, const report_opts *o,
                                size_t *len) {
  report_jsonw w;
  report_jsonw_init(&w, o->compact);
  report_jsonw_object(&w);
  report_jsonw_key(&w, "executionSummaries");
  report_jsonw_array(&w);
  int64_t n = model_engine_things(e), shown = 0, t = lo->start;
  bool more = false;
  bool gone = job >= model_engine_n_jobs(e) || model_engine_job_at(e, job)->vanished;
  for (; t < n && !gone; t++) {
    model_exec_view v;
    if (!model_engine_exec_at(e, job, t, 0, &v)) continue;
    if (lo->has_status && v.status != lo->status) continue;
    if (lo->max_results > 0 && shown == lo->max_results) {
      more = true;
      break;
    }
    char arn[300];
    thing_arn(e, t, arn, sizeof arn);
    report_jsonw_object(&w);
    report_jsonw_key(&w, "thingArn");
    report_jsonw_string(&w, arn);
    report_jsonw_key(&w, "jobExecutionSummary");
    report_jsonw_object(&w);
    report_jsonw_key(&w, "status");
    report_jsonw_string(&w, model_exec_status_name(v.status));
    ts(&w, e, "queuedAt", v.queued_at, o);
    if (v.started_at >= 0) ts(&w, e, "startedAt", v.started_at, o);
    ts(&w, e, "lastUpdatedAt", v.updated_at, o);
    report_jsonw_key(&w, "executionNumber");
    report_jsonw_int(&w, v.exec_no);
    report_jsonw_key(&w, "retryAttempt");
    report_jsonw_int(&w, v.retry_attempt);
    report_jsonw_end_object(&w);
    report_jsonw_end_object(&w);
    shown++;
  }
  report_jsonw_end_array(&w);
  if (more) {
    char tok[64];
    report_next_token(t, tok, sizeof tok);
    report_jsonw_key(&w, "nextToken");
    report_jsonw_string(&w, tok);
  }
  report_jsonw_end_object(&w);
  return report_jsonw_take(&w, len);
}
