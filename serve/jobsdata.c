/*
 * jobsdata.c — device data-plane operations (`aws iot-jobs-data ...`):
 * GetPendingJobExecutions, DescribeJobExecution ($next included),
 * StartNextPendingJobExecution and UpdateJobExecution, over the engine's
 * jobs (a thing holds executions of several; the order is
 * StartNextPendingJobExecution's: IN_PROGRESS, then QUEUED by queuedAt).
 * Shapes from the botocore iot-jobs-data 2017-09-29 model: times are `long`
 * epoch seconds (whole seconds, as live captures of the service show);
 * statusDetails is a plain map here (the control plane wraps it in
 * detailsMap) and is left out while no device has sent any.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint_internal.h"
#include "jsonw.h"

static void secs(report_jsonw *w, const model_scenario *sc, const char *key, sim_time_ms t) {
  int64_t ms = sc->sim.start_epoch_ms + t;
  report_jsonw_key(w, key);
  report_jsonw_int(w, ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
}

static void details_map(report_jsonw *w, const model_details *d) {
  if (!d || !d->n) return;
  report_jsonw_key(w, "statusDetails");
  report_jsonw_object(w);
  for (size_t i = 0; i < d->n; i++) {
    report_jsonw_key(w, d->key[i]);
    report_jsonw_string(w, d->value[i]);
  }
  report_jsonw_end_object(w);
}

static void summary(report_jsonw *w, const model_engine *e, const model_exec_view *v) {
  const model_scenario *sc = model_engine_scenario(e);
  report_jsonw_object(w);
  report_jsonw_key(w, "jobId");
  report_jsonw_string(w, model_engine_config_at(e, v->job)->job_id);
  secs(w, sc, "queuedAt", v->queued_at);
  if (v->started_at >= 0) secs(w, sc, "startedAt", v->started_at);
  secs(w, sc, "lastUpdatedAt", v->updated_at);
  report_jsonw_key(w, "versionNumber");
  report_jsonw_int(w, v->version);
  report_jsonw_key(w, "executionNumber");
  report_jsonw_int(w, v->exec_no);
  report_jsonw_end_object(w);
}

/* A JobExecution object (under `key`) of the data plane. */
static void execution(report_jsonw *w, const model_engine *e, const char *key,
                      const char *thing, const model_exec_view *v, bool with_doc) {
  const model_scenario *sc = model_engine_scenario(e);
  const model_jobcfg *cfg = model_engine_config_at(e, v->job);
  report_jsonw_key(w, key);
  report_jsonw_object(w);
  report_jsonw_key(w, "jobId");
  report_jsonw_string(w, cfg->job_id);
  report_jsonw_key(w, "thingName");
  report_jsonw_string(w, thing);
  report_jsonw_key(w, "status");
  report_jsonw_string(w, model_exec_status_name(v->status));
  details_map(w, v->details);
  secs(w, sc, "queuedAt", v->queued_at);
  if (v->started_at >= 0) secs(w, sc, "startedAt", v->started_at);
  secs(w, sc, "lastUpdatedAt", v->updated_at);
  if (v->latest) {
    sim_time_ms dl = model_engine_exec_deadline_at(e, v->job, v->thing);
    if (dl >= 0) {
      sim_time_ms left = dl - model_engine_now(e);
      report_jsonw_key(w, "approximateSecondsBeforeTimedOut");
      report_jsonw_int(w, left > 0 ? left / 1000 : 0);
    }
  }
  report_jsonw_key(w, "versionNumber");
  report_jsonw_int(w, v->version);
  report_jsonw_key(w, "executionNumber");
  report_jsonw_int(w, v->exec_no);
  if (with_doc && cfg->document) {
    report_jsonw_key(w, "jobDocument");
    report_jsonw_string(w, cfg->document);
  }
  report_jsonw_end_object(w);
}

static void reply_w(serve_call *c, report_jsonw *w) {
  size_t len = 0;
  char *text = report_jsonw_take(w, &len);
  serve_reply_json(c->rp, 200, text, len);
}

void serve_data_get_pending(serve_call *c) {
  const model_engine *e = c->ep->e;
  int64_t t = model_engine_find_thing(e, serve_call_label(c, "thingName"));
  size_t n = model_engine_n_jobs(e);
  model_exec_view *v = n ? malloc(n * sizeof *v) : NULL;
  if (n && !v) {
    serve_call_error(c, SERVE_ERR_INTERNAL, "out of memory");
    return;
  }
  size_t k = t >= 0 ? model_engine_thing_execs(e, t, v, n) : 0;
  report_jsonw w;
  report_jsonw_init(&w, true);
  report_jsonw_object(&w);
  static const model_exec_status lists[2] = {MODEL_EXEC_IN_PROGRESS, MODEL_EXEC_QUEUED};
  static const char *const keys[2] = {"inProgressJobs", "queuedJobs"};
  for (int l = 0; l < 2; l++) {
    report_jsonw_key(&w, keys[l]);
    report_jsonw_array(&w);
    for (size_t i = 0; i < k && i < n; i++)
      if (v[i].status == lists[l]) summary(&w, e, &v[i]);
    report_jsonw_end_array(&w);
  }
  report_jsonw_end_object(&w);
  free(v);
  reply_w(c, &w);
}

void serve_data_describe_execution(serve_call *c) {
  bool with_doc = false;
  int64_t no = 0;
  bool present;
  if (!serve_call_query_bool(c, "includeJobDocument", &with_doc) ||
      !serve_call_query_int(c, "executionNumber", 1, INT32_MAX, &no, &present))
    return;
  const model_engine *e = c->ep->e;
  const char *job = serve_call_label(c, "jobId"), *thing = serve_call_label(c, "thingName");
  int64_t t = model_engine_find_thing(e, thing);
  model_exec_view v;
  if (strcmp(job, "$next") == 0) {
    if (!model_engine_next_exec(e, t, &v)) {
      serve_call_error(c, SERVE_ERR_NOT_FOUND, "No pending job execution on thing %s",
                       thing);
      return;
    }
  } else {
    long j = model_engine_find_job(e, job);
    if (t < 0 || j < 0 || !model_engine_exec_at(e, (size_t)j, t, (int)no, &v)) {
      serve_call_error(c, SERVE_ERR_NOT_FOUND,
                       "Job execution of job %s on thing %s does not exist", job, thing);
      return;
    }
  }
  report_jsonw w;
  report_jsonw_init(&w, true);
  report_jsonw_object(&w);
  execution(&w, e, "execution", thing, &v, with_doc);
  report_jsonw_end_object(&w);
  reply_w(c, &w);
}

/* ------------------------------------------------------------- writes --- */

static bool printable(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f) return false;
  return true;
}

/* statusDetails of the body: a map of at most 10 pairs, keys
 * [a-zA-Z0-9:_-]{1,128}, values of 1..1024 characters without control
 * characters. *out NULL when absent. */
static bool body_details(serve_call *c, model_details *d, const model_details **out) {
  *out = NULL;
  memset(d, 0, sizeof *d);
  const cJSON *m = c->body ? cJSON_GetObjectItemCaseSensitive(c->body, "statusDetails") : NULL;
  if (!m) return true;
  if (!cJSON_IsObject(m)) {
    serve_call_error(c, SERVE_ERR_INVALID_REQUEST, "statusDetails must be a map of strings");
    return false;
  }
  for (const cJSON *it = m->child; it; it = it->next) {
    const char *k = it->string;
    bool key_ok = strlen(k) >= 1 && strlen(k) <= 128;
    for (const char *p = k; key_ok && *p; p++)
      key_ok = isalnum((unsigned char)*p) || *p == ':' || *p == '_' || *p == '-';
    if (!key_ok) {
      serve_call_error(c, SERVE_ERR_INVALID_REQUEST,
                       "1 validation error detected: Value '%.128s' at 'statusDetails' failed "
                       "to satisfy constraint: Map keys must satisfy constraint: [Member must "
                       "satisfy regular expression pattern: [a-zA-Z0-9:_-]+]",
                       k);
      return false;
    }
    if (!cJSON_IsString(it) || !it->valuestring[0] || strlen(it->valuestring) > 1024 ||
        !printable(it->valuestring)) {
      serve_call_error(c, SERVE_ERR_INVALID_REQUEST,
                       "statusDetails.%.128s must be a string of 1 to 1024 characters "
                       "without control characters",
                       k);
      return false;
    }
    if (d->n == MODEL_MAX_DETAILS) {
      serve_call_error(c, SERVE_ERR_INVALID_REQUEST,
                       "statusDetails can hold at most %d pairs", MODEL_MAX_DETAILS);
      return false;
    }
    d->key[d->n] = it->string;
    d->value[d->n++] = it->valuestring;
  }
  *out = d;
  return true;
}

/* An integer member of the body within [min, max] (-1 allowed with
 * minus_one); absent leaves *out. */
static bool body_int(serve_call *c, const char *key, int64_t min, int64_t max,
                     bool minus_one, int64_t *out, bool *present) {
  const cJSON *v = c->body ? cJSON_GetObjectItemCaseSensitive(c->body, key) : NULL;
  if (present) *present = v != NULL;
  if (!v) return true;
  double x = cJSON_IsNumber(v) ? v->valuedouble : NAN;
  bool ok = cJSON_IsNumber(v) && x == floor(x) &&
            ((x >= (double)min && x <= (double)max) || (minus_one && x == -1));
  if (!ok) {
    serve_call_error(c, SERVE_ERR_INVALID_REQUEST,
                     "%s must be an integer from %" PRId64 " to %" PRId64 "%s", key, min, max,
                     minus_one ? ", or -1" : "");
    return false;
  }
  *out = (int64_t)x;
  return true;
}

static bool body_bool(serve_call *c, const char *key, bool *out) {
  const cJSON *v = c->body ? cJSON_GetObjectItemCaseSensitive(c->body, key) : NULL;
  if (!v) return true;
  if (!cJSON_IsBool(v)) {
    serve_call_error(c, SERVE_ERR_INVALID_REQUEST, "%s must be true or false", key);
    return false;
  }
  *out = cJSON_IsTrue(v);
  return true;
}

static bool thing_known(serve_call *c, int64_t *t) {
  const char *thing = serve_call_label(c, "thingName");
  *t = model_engine_find_thing(c->ep->e, thing);
  if (*t >= 0 && !model_engine_thing_gone(c->ep->e, *t)) return true;
  serve_call_error(c, SERVE_ERR_NOT_FOUND, "Thing %s does not exist", thing);
  return false;
}

void serve_data_start_next(serve_call *c) {
  model_details dm;
  const model_details *details;
  int64_t step = 0, t;
  if (!body_details(c, &dm, &details) ||
      !body_int(c, "stepTimeoutInMinutes", 1, 10080, true, &step, NULL) || !thing_known(c, &t))
    return;
  bool found = false;
  model_exec_view v;
  model_refusal why;
  int rc = model_engine_start_next(c->ep->e, t, details, step, &found, &v, &why);
  if (rc == SIM_ERR_STATE) {
    serve_call_refusal(c, &why);
    return;
  }
  if (!serve_call_engine_ok(c, rc)) return;
  report_jsonw w;
  report_jsonw_init(&w, true);
  report_jsonw_object(&w);
  if (found) execution(&w, c->ep->e, "execution", serve_call_label(c, "thingName"), &v, true);
  report_jsonw_end_object(&w);
  reply_w(c, &w);
}

/* "executionState": {status, statusDetails, versionNumber} */
static void state(report_jsonw *w, const model_exec_view *v) {
  report_jsonw_key(w, "executionState");
  report_jsonw_object(w);
  report_jsonw_key(w, "status");
  report_jsonw_string(w, model_exec_status_name(v->status));
  details_map(w, v->details);
  report_jsonw_key(w, "versionNumber");
  report_jsonw_int(w, v->version);
  report_jsonw_end_object(w);
}

void serve_data_update_execution(serve_call *c) {
  static const char *const keys[] = {"status", "statusDetails", "stepTimeoutInMinutes",
                                     "expectedVersion", "includeJobExecutionState",
                                     "includeJobDocument", "executionNumber", NULL};
  model_details dm;
  model_exec_update u = {.expected_version = -1};
  bool with_state = false, with_doc = false;
  int64_t t;
  for (const cJSON *m = c->body ? c->body->child : NULL; m; m = m->next) {
    bool ok = false;
    for (size_t i = 0; keys[i]; i++) ok = ok || strcmp(keys[i], m->string) == 0;
    if (!ok) {
      serve_call_error(c, SERVE_ERR_INVALID_REQUEST,
                       "UpdateJobExecution has no member '%.64s'", m->string);
      return;
    }
  }
  const cJSON *st = c->body ? cJSON_GetObjectItemCaseSensitive(c->body, "status") : NULL;
  static const char *const settable[] = {"IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED"};
  static const model_exec_status values[] = {MODEL_EXEC_IN_PROGRESS, MODEL_EXEC_SUCCEEDED,
                                             MODEL_EXEC_FAILED, MODEL_EXEC_REJECTED};
  if (!cJSON_IsString(st)) {
    serve_call_error(c, SERVE_ERR_INVALID_REQUEST,
                     "1 validation error detected: Value null at 'status' failed to satisfy "
                     "constraint: Member must not be null");
    return;
  }
  int si = -1;
  for (int i = 0; i < 4; i++)
    if (strcmp(st->valuestring, settable[i]) == 0) si = i;
  if (si < 0) {
    serve_call_error(c, SERVE_ERR_INVALID_REQUEST,
                     "status '%.32s' cannot be set by a device: it must be IN_PROGRESS, "
                     "SUCCEEDED, FAILED or REJECTED",
                     st->valuestring);
    return;
  }
  u.status = values[si];
  if (!body_details(c, &dm, &u.details) ||
      !body_int(c, "stepTimeoutInMinutes", 1, 10080, true, &u.step_min, NULL) ||
      !body_int(c, "expectedVersion", 0, INT64_C(9007199254740992), false,
                &u.expected_version, NULL) ||
      !body_int(c, "executionNumber", 1, INT64_C(9007199254740992), false,
                &u.execution_number, NULL) ||
      !body_bool(c, "includeJobExecutionState", &with_state) ||
      !body_bool(c, "includeJobDocument", &with_doc) || !thing_known(c, &t))
    return;
  const char *job = serve_call_label(c, "jobId");
  long j = model_engine_find_job(c->ep->e, job);
  if (j < 0 || model_engine_job_at(c->ep->e, (size_t)j)->vanished) {
    serve_call_error(c, SERVE_ERR_NOT_FOUND, "Job execution of job %s on thing %s does not exist",
                     job, serve_call_label(c, "thingName"));
    return;
  }
  model_exec_view v;
  model_refusal why;
  int rc = model_engine_update_exec(c->ep->e, (size_t)j, t, &u, &v, &why);
  if (rc == SIM_ERR_STATE) {
    if (strcmp(why.exception, "ResourceNotFoundException") == 0) {
      serve_call_error(c, SERVE_ERR_NOT_FOUND,
                       "Job execution of job %s on thing %s does not exist", job,
                       serve_call_label(c, "thingName"));
      return;
    }
    /* InvalidStateTransition (and a version conflict): the body carries the
     * execution's state, as AWS's does */
    report_jsonw w;
    report_jsonw_init(&w, true);
    report_jsonw_object(&w);
    state(&w, &v);
    report_jsonw_end_object(&w);
    size_t len = 0;
    char *text = report_jsonw_take(&w, &len);
    serve_err e = strcmp(why.exception, "VersionConflictException") == 0
                      ? SERVE_ERR_VERSION_CONFLICT
                  : strcmp(why.exception, "InvalidStateTransitionException") == 0
                      ? SERVE_ERR_INVALID_STATE
                      : SERVE_ERR_INVALID_REQUEST;
    while (text && len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' ')) len--;
    if (text && len >= 2 && text[len - 1] == '}') {   /* the members of {...} */
      text[len - 1] = 0;
      serve_reply_error_extra(c->rp, c->plane, e, text + 1, "%s", why.message);
    } else {
      serve_call_error(c, e, "%s", why.message);
    }
    free(text);
    return;
  }
  if (!serve_call_engine_ok(c, rc)) return;
  report_jsonw w;
  report_jsonw_init(&w, true);
  report_jsonw_object(&w);
  if (with_state) state(&w, &v);
  const model_jobcfg *cfg = model_engine_config_at(c->ep->e, (size_t)j);
  if (with_doc && cfg->document) {
    report_jsonw_key(&w, "jobDocument");
    report_jsonw_string(&w, cfg->document);
  }
  report_jsonw_end_object(&w);
  reply_w(c, &w);
}
