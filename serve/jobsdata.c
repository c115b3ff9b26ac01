/*
 * jobsdata.c — device data-plane operations (`aws iot-jobs-data ...`), read
 * side. Shapes from the botocore iot-jobs-data 2017-09-29 model: times are
 * `long` epoch seconds (whole seconds, as live captures of the service
 * show); statusDetails is left out while no device has sent any (simulated
 * devices send none).
 */
#include <inttypes.h>
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

static bool pending(model_exec_status s) {
  return s == MODEL_EXEC_QUEUED || s == MODEL_EXEC_IN_PROGRESS;
}

static void summary(report_jsonw *w, const model_engine *e, const model_exec_view *v) {
  const model_scenario *sc = model_engine_scenario(e);
  report_jsonw_object(w);
  report_jsonw_key(w, "jobId");
  report_jsonw_string(w, model_engine_config(e)->job_id);
  secs(w, sc, "queuedAt", v->queued_at);
  if (v->started_at >= 0) secs(w, sc, "startedAt", v->started_at);
  secs(w, sc, "lastUpdatedAt", v->updated_at);
  report_jsonw_key(w, "versionNumber");
  report_jsonw_int(w, v->version);
  report_jsonw_key(w, "executionNumber");
  report_jsonw_int(w, v->exec_no);
  report_jsonw_end_object(w);
}

/* The thing's latest execution of the job when it is pending. */
static bool pending_exec(const model_engine *e, int64_t t, model_exec_view *v) {
  return t >= 0 && !model_engine_job(e)->vanished && model_engine_exec(e, t, 0, v) &&
         pending(v->status);
}

void serve_data_get_pending(serve_call *c) {
  const model_engine *e = c->ep->e;
  int64_t t = model_engine_find_thing(e, serve_call_label(c, "thingName"));
  model_exec_view v;
  bool has = pending_exec(e, t, &v);
  report_jsonw w;
  report_jsonw_init(&w, true);
  report_jsonw_object(&w);
  report_jsonw_key(&w, "inProgressJobs");
  report_jsonw_array(&w);
  if (has && v.status == MODEL_EXEC_IN_PROGRESS) summary(&w, e, &v);
  report_jsonw_end_array(&w);
  report_jsonw_key(&w, "queuedJobs");
  report_jsonw_array(&w);
  if (has && v.status == MODEL_EXEC_QUEUED) summary(&w, e, &v);
  report_jsonw_end_array(&w);
  report_jsonw_end_object(&w);
  size_t len = 0;
  char *text = report_jsonw_take(&w, &len);
  serve_reply_json(c->rp, 200, text, len);
}

void serve_data_describe_execution(serve_call *c) {
  bool with_doc = false;
  int64_t no = 0;
  bool present;
  if (!serve_call_query_bool(c, "includeJobDocument", &with_doc) ||
      !serve_call_query_int(c, "executionNumber", 1, INT32_MAX, &no, &present))
    return;
  const model_engine *e = c->ep->e;
  const model_scenario *sc = model_engine_scenario(e);
  const model_jobcfg *cfg = model_engine_config(e);
  const char *job = serve_call_label(c, "jobId"), *thing = serve_call_label(c, "thingName");
  int64_t t = model_engine_find_thing(e, thing);
  model_exec_view v;
  bool found;
  if (strcmp(job, "$next") == 0) {
    found = pending_exec(e, t, &v);
    if (!found) {
      serve_call_error(c, SERVE_ERR_NOT_FOUND, "No pending job execution on thing %s",
                       thing);
      return;
    }
  } else {
    found = t >= 0 && strcmp(job, cfg->job_id) == 0 && !model_engine_job(e)->vanished &&
            model_engine_exec(e, t, (int)no, &v);
    if (!found) {
      serve_call_error(c, SERVE_ERR_NOT_FOUND,
                       "Job execution of job %s on thing %s does not exist", job, thing);
      return;
    }
  }
  report_jsonw w;
  report_jsonw_init(&w, true);
  report_jsonw_object(&w);
  report_jsonw_key(&w, "execution");
  report_jsonw_object(&w);
  report_jsonw_key(&w, "jobId");
  report_jsonw_string(&w, cfg->job_id);
  report_jsonw_key(&w, "thingName");
  report_jsonw_string(&w, thing);
  report_jsonw_key(&w, "status");
  report_jsonw_string(&w, model_exec_status_name(v.status));
  secs(&w, sc, "queuedAt", v.queued_at);
  if (v.started_at >= 0) secs(&w, sc, "startedAt", v.started_at);
  secs(&w, sc, "lastUpdatedAt", v.updated_at);
  if (v.latest) {
    sim_time_ms dl = model_engine_exec_deadline(e, t);
    if (dl >= 0) {
      sim_time_ms left = dl - model_engine_now(e);
      report_jsonw_key(&w, "approximateSecondsBeforeTimedOut");
      report_jsonw_int(&w, left > 0 ? left / 1000 : 0);
    }
  }
  report_jsonw_key(&w, "versionNumber");
  report_jsonw_int(&w, v.version);
  report_jsonw_key(&w, "executionNumber");
  report_jsonw_int(&w, v.exec_no);
  if (with_doc && cfg->document) {
    report_jsonw_key(&w, "jobDocument");
    report_jsonw_string(&w, cfg->document);
  }
  report_jsonw_end_object(&w);
  report_jsonw_end_object(&w);
  size_t len = 0;
  char *text = report_jsonw_take(&w, &len);
  serve_reply_json(c->rp, 200, text, len);
}
