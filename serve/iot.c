/*
 * iot.c — control-plane operations (`aws iot ...`), read side, over the
 * engine's one job. Shapes from the botocore iot 2015-05-28 model; the
 * describe-job and execution views are the reports' own renderings (the
 * same text `jobsim describe-job` prints), compact and with epoch
 * timestamps as on the wire.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "describe.h"
#include "endpoint_internal.h"
#include "execview.h"
#include "jsonw.h"

/* Default page size when maxResults is absent (the CLI pages on). */
#define DEFAULT_PAGE 250

static const report_opts wire = {REPORT_TS_EPOCH, true};

static void ts(report_jsonw *w, const model_scenario *sc, const char *key, sim_time_ms t) {
  char b[64];
  report_timestamp(sc, t, REPORT_TS_EPOCH, b, sizeof b);
  report_jsonw_key(w, key);
  report_jsonw_raw(w, b);
}

static void reply_text(serve_call *c, char *text, size_t len) {
  serve_reply_json(c->rp, 200, text, len);
}

void serve_iot_describe_job(serve_call *c) {
  bool before = false;
  if (!serve_call_query_bool(c, "beforeSubstitution", &before)) return;
  if (!serve_call_job(c, serve_call_label(c, "jobId"))) return;
  size_t len = 0;
  char *t = report_describe_job(c->ep->e, &wire, &len);
  reply_text(c, t, len);
}

void serve_iot_get_job_document(serve_call *c) {
  bool before = false;
  if (!serve_call_query_bool(c, "beforeSubstitution", &before)) return;
  if (!serve_call_job(c, serve_call_label(c, "jobId"))) return;
  const model_jobcfg *cfg = model_engine_config(c->ep->e);
  report_jsonw w;
  report_jsonw_init(&w, true);
  report_jsonw_object(&w);
  if (cfg->document) {   /* a documentSource job has no document here */
    report_jsonw_key(&w, "document");
    report_jsonw_string(&w, cfg->document);
  }
  report_jsonw_end_object(&w);
  size_t len = 0;
  char *t = report_jsonw_take(&w, &len);
  reply_text(c, t, len);
}

/* Enum query parameter: index into names, -1 when absent; false after an
 * error reply. */
static bool query_enum(serve_call *c, const char *key, const char *const *names, int n,
                       int *out) {
  const char *v = serve_request_query(c->rq, key);
  *out = -1;
  if (!v) return true;
  for (int i = 0; i < n; i++)
    if (names[i] && strcmp(v, names[i]) == 0) {
      *out = i;
      return true;
    }
  char rule[256];
  size_t k = (size_t)snprintf(rule, sizeof rule, "Member must satisfy enum value set: [");
  for (int i = 0, first = 1; i < n; i++)
    if (names[i]) {
      k += (size_t)snprintf(rule + k, sizeof rule - k, "%s%s", first ? "" : ", ", names[i]);
      first = 0;
    }
  snprintf(rule + k, sizeof rule - k, "]");
  serve_call_error(c, SERVE_ERR_INVALID_REQUEST,
                   "1 validation error detected: Value '%.100s' at '%s' failed to satisfy "
                   "constraint: %s",
                   v, key, rule);
  return false;
}

static bool page_args(serve_call *c, int64_t *max, int64_t *start) {
  bool present;
  *max = DEFAULT_PAGE;
  *start = 0;
  if (!serve_call_query_int(c, "maxResults", 1, 250, max, &present)) return false;
  const char *tok = serve_request_query(c->rq, "nextToken");
  if (tok && !report_parse_next_token(tok, start)) {
    serve_call_error(c, SERVE_ERR_INVALID_REQUEST, "The nextToken '%.80s' is not valid",
                     tok);
    return false;
  }
  return true;
}

static const char *const job_status_names[] = {"IN_PROGRESS", "CANCELED", "COMPLETED",
                                               "DELETION_IN_PROGRESS", "SCHEDULED"};

static bool job_targets_group(const model_jobcfg *cfg, const char *group) {
  for (size_t i = 0; i < cfg->n_targets; i++) {
    const char *a = strstr(cfg->targets[i], ":thinggroup/");
    if (a && strcmp(a + 12, group) == 0) return true;
  }
  return false;
}

void serve_iot_list_jobs(serve_call *c) {
  static const char *const sel_names[] = {"CONTINUOUS", "SNAPSHOT"};
  int status, sel;
  int64_t max, start;
  if (!query_enum(c, "status", job_status_names, 5, &status) ||
      !query_enum(c, "targetSelection", sel_names, 2, &sel) || !page_args(c, &max, &start))
    return;
  if (serve_request_query(c->rq, "thingGroupId")) {
    serve_call_error(c, SERVE_ERR_INVALID_REQUEST,
                     "jobsim serve has no thing-group IDs; filter with thingGroupName");
    return;
  }
  const char *group = serve_request_query(c->rq, "thingGroupName");
  const char *ns = serve_request_query(c->rq, "namespaceId");
  const model_engine *e = c->ep->e;
  const model_scenario *sc = model_engine_scenario(e);
  const model_jobcfg *cfg = model_engine_config(e);
  const model_job *j = model_engine_job(e);
  bool match = !j->vanished && (status < 0 || (int)j->status == status) &&
               (sel < 0 || (sel == 0) == cfg->continuous) &&
               (!group || job_targets_group(cfg, group)) &&
               (!ns || (cfg->namespace_id && strcmp(ns, cfg->namespace_id) == 0));
  report_jsonw w;
  report_jsonw_init(&w, true);
  report_jsonw_object(&w);
  report_jsonw_key(&w, "jobs");
  report_jsonw_array(&w);
  if (match && start == 0) {   /* one job, at position 0; max >= 1 */
    char arn[256];
    snprintf(arn, sizeof arn, "arn:aws:iot:%s:%s:job/%s", sc->sim.region,
             sc->sim.account_id, cfg->job_id);
    report_jsonw_object(&w);
    report_jsonw_key(&w, "jobArn");
    report_jsonw_string(&w, arn);
    report_jsonw_key(&w, "jobId");
    report_jsonw_string(&w, cfg->job_id);
    report_jsonw_key(&w, "targetSelection");
    report_jsonw_string(&w, cfg->continuous ? "CONTINUOUS" : "SNAPSHOT");
    report_jsonw_key(&w, "status");
    report_jsonw_string(&w, model_job_status_name(j->status));
    ts(&w, sc, "createdAt", j->created_at);
    ts(&w, sc, "lastUpdatedAt", j->last_updated_at);
    if (j->status == MODEL_JOB_COMPLETED) ts(&w, sc, "completedAt", j->completed_at);
    report_jsonw_key(&w, "isConcurrent");
    report_jsonw_bool(&w, j->is_concurrent);
    report_jsonw_end_object(&w);
  }
  (void)max;
  report_jsonw_end_array(&w);
  report_jsonw_end_object(&w);
  size_t len = 0;
  char *t = report_jsonw_take(&w, &len);
  reply_text(c, t, len);
}

static const char *const exec_status_names[] = {
    NULL, "QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED",
    "TIMED_OUT", "REJECTED", "REMOVED", "CANCELED"};

void serve_iot_describe_job_execution(serve_call *c) {
  int64_t no = 0;
  bool present;
  if (!serve_call_query_int(c, "executionNumber", 1, INT32_MAX, &no, &present)) return;
  const char *job = serve_call_label(c, "jobId"), *thing = serve_call_label(c, "thingName");
  if (!serve_call_job(c, job)) return;
  const model_engine *e = c->ep->e;
  int64_t t = model_engine_find_thing(e, thing);
  bool missing = t < 0;
  size_t len = 0;
  char *text = missing ? NULL : report_describe_execution(e, t, (int)no, &wire, &missing, &len);
  if (missing) {
    serve_call_error(c, SERVE_ERR_NOT_FOUND,
                     "Job execution %s%" PRId64 " of job %s on thing %s does not exist",
                     present ? "number " : "", present ? no : 0, job, thing);
    return;
  }
  reply_text(c, text, len);
}

void serve_iot_list_executions_for_job(serve_call *c) {
  int status;
  int64_t max, start;
  if (!query_enum(c, "status", exec_status_names, 9, &status) || !page_args(c, &max, &start))
    return;
  if (!serve_call_job(c, serve_call_label(c, "jobId"))) return;
  report_list_opts lo = {status >= 0, status >= 0 ? (model_exec_status)status : 0, (int)max,
                         start};
  size_t len = 0;
  char *t = report_list_executions(c->ep->e, &lo, &wire, &len);
  reply_text(c, t, len);
}

void serve_iot_list_executions_for_thing(serve_call *c) {
  int status;
  int64_t max, start;
  if (!query_enum(c, "status", exec_status_names, 9, &status) || !page_args(c, &max, &start))
    return;
  const model_engine *e = c->ep->e;
  const model_scenario *sc = model_engine_scenario(e);
  const model_jobcfg *cfg = model_engine_config(e);
  const char *job = serve_request_query(c->rq, "jobId");
  const char *ns = serve_request_query(c->rq, "namespaceId");
  int64_t t = model_engine_find_thing(e, serve_call_label(c, "thingName"));
  model_exec_view v;
  bool match = t >= 0 && !model_engine_job(e)->vanished && model_engine_exec(e, t, 0, &v) &&
               (status < 0 || (int)v.status == status) &&
               (!job || strcmp(job, cfg->job_id) == 0) &&
               (!ns || (cfg->namespace_id && strcmp(ns, cfg->namespace_id) == 0));
  report_jsonw w;
  report_jsonw_init(&w, true);
  report_jsonw_object(&w);
  report_jsonw_key(&w, "executionSummaries");
  report_jsonw_array(&w);
  if (match && start == 0) {   /* one job, at position 0; max >= 1 */
    {
      report_jsonw_object(&w);
      report_jsonw_key(&w, "jobId");
      report_jsonw_string(&w, cfg->job_id);
      report_jsonw_key(&w, "jobExecutionSummary");
      report_jsonw_object(&w);
      report_jsonw_key(&w, "status");
      report_jsonw_string(&w, model_exec_status_name(v.status));
      ts(&w, sc, "queuedAt", v.queued_at);
      if (v.started_at >= 0) ts(&w, sc, "startedAt", v.started_at);
      ts(&w, sc, "lastUpdatedAt", v.updated_at);
      report_jsonw_key(&w, "executionNumber");
      report_jsonw_int(&w, v.exec_no);
      report_jsonw_key(&w, "retryAttempt");
      report_jsonw_int(&w, v.retry_attempt);
      report_jsonw_end_object(&w);
      report_jsonw_end_object(&w);
    }
  }
  (void)max;
  report_jsonw_end_array(&w);
  report_jsonw_end_object(&w);
  size_t len = 0;
  char *text = report_jsonw_take(&w, &len);
  reply_text(c, text, len);
}
