/*
 * iot_write.c — control-plane writes (`aws iot create-job`, update-job,
 * cancel-job, delete-job, associate-targets-with-job,
 * cancel-job-execution, delete-job-execution). Each is applied at the
 * current simulated instant, after every event up to it, by the engine's
 * own operations: a request is turned into the scenario operation of the
 * same name and validated with its rules (`jobsim validate`'s messages,
 * naming "request body"), and a refusal is the engine's (AWS's exception
 * and a message). Shapes and query parameters from the botocore iot
 * 2015-05-28 model.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint_internal.h"
#include "jsonw.h"

/* {"jobArn", "jobId", "description"} of CreateJob, CancelJob and
 * AssociateTargetsWithJob. */
static void job_reply(serve_call *c, size_t j) {
  const model_engine *e = c->ep->e;
  const model_scenario *sc = model_engine_scenario(e);
  const model_jobcfg *cfg = model_engine_config_at(e, j);
  char arn[256];
  snprintf(arn, sizeof arn, "arn:aws:iot:%s:%s:job/%s", sc->sim.region, sc->sim.account_id,
           cfg->job_id);
  report_jsonw w;
  report_jsonw_init(&w, true);
  report_jsonw_object(&w);
  report_jsonw_key(&w, "jobArn");
  report_jsonw_string(&w, arn);
  report_jsonw_key(&w, "jobId");
  report_jsonw_string(&w, cfg->job_id);
  if (cfg->description) {
    report_jsonw_key(&w, "description");
    report_jsonw_string(&w, cfg->description);
  }
  report_jsonw_end_object(&w);
  size_t len = 0;
  char *t = report_jsonw_take(&w, &len);
  serve_call_reply(c, t, len);
}

/* 200 with an empty JSON object (operations without an output shape). */
static void empty_reply(serve_call *c) {
  char *t = malloc(3);
  if (t) memcpy(t, "{}", 3);
  serve_call_reply(c, t, 2);
}

/* A boolean query parameter into the operation object (force=true). */
static bool query_flag(serve_call *c, cJSON *op, const char *key) {
  bool v = false;
  if (!serve_call_query_bool(c, key, &v)) return false;
  if (v && !cJSON_AddBoolToObject(op, key, true)) {
    serve_call_error(c, SERVE_ERR_INTERNAL, "out of memory");
    return false;
  }
  return true;
}

/* op[key] = value; false after an error reply. */
static bool add_str(serve_call *c, cJSON *op, const char *key, const char *value) {
  if (cJSON_AddStringToObject(op, key, value)) return true;
  serve_call_error(c, SERVE_ERR_INTERNAL, "out of memory");
  return false;
}

/* namespaceId (query): jobs of another namespace do not exist. */
static bool namespace_ok(serve_call *c, size_t j) {
  const char *ns = serve_request_query(c->rq, "namespaceId");
  const model_jobcfg *cfg = model_engine_config_at(c->ep->e, j);
  if (!ns || (cfg->namespace_id && strcmp(ns, cfg->namespace_id) == 0)) return true;
  serve_call_error(c, SERVE_ERR_NOT_FOUND, "Job %s does not exist in namespace %.64s",
                   cfg->job_id, ns);
  return false;
}

void serve_iot_create_job(serve_call *c) {
  const char *id = serve_call_label(c, "jobId");
  if (!c->body) {
    serve_call_error(c, SERVE_ERR_INVALID_REQUEST,
                     "CreateJob needs a body with at least 'targets'");
    return;
  }
  /* The request as --cli-input-json has it: the path's jobId in. */
  cJSON *req = cJSON_Duplicate(c->body, 1);
  if (req) {
    cJSON_DeleteItemFromObjectCaseSensitive(req, "jobId");
    if (!cJSON_AddStringToObject(req, "jobId", id)) {
      cJSON_Delete(req);
      req = NULL;
    }
  }
  if (!req) {
    serve_call_error(c, SERVE_ERR_INTERNAL, "out of memory");
    return;
  }
  const model_scenario *sc = c->ep->sc;
  model_jobcfg_opts opts = {.rollout_quota = sc->sim.rollout_quota};
  model_jobcfg cfg;
  sim_diag d;
  sim_diag_init(&d, "request body");
  int rc = model_jobcfg_parse(&cfg, req, &opts, &d, "$");
  cJSON_Delete(req);
  if (rc) {
    char m[1200];
    sim_diag_format(&d, m, sizeof m);
    serve_call_error(c, rc == SIM_ERR_NOMEM ? SERVE_ERR_INTERNAL : SERVE_ERR_INVALID_REQUEST,
                     "%s", m);
    return;
  }
  size_t j;
  model_refusal why;
  rc = model_engine_create_job(c->ep->e, &cfg, "request body", &j, &why);
  if (rc == SIM_ERR_STATE) {
    serve_call_refusal(c, &why);
    return;
  }
  if (!serve_call_engine_ok(c, rc)) return;
  rc = model_engine_run(c->ep->e, model_engine_now(c->ep->e));   /* its first window */
  if (!serve_call_engine_ok(c, rc)) return;
  job_reply(c, j);
}

void serve_iot_update_job(serve_call *c) {
  const char *id = serve_call_label(c, "jobId");
  size_t j;
  if (!serve_call_job(c, id, &j) || !namespace_ok(c, j)) return;
  if (!serve_call_op(c, serve_call_op_object(c, "update-job", id))) return;
  empty_reply(c);
}

void serve_iot_cancel_job(serve_call *c) {
  const char *id = serve_call_label(c, "jobId");
  size_t j;
  if (!serve_call_job(c, id, &j)) return;
  cJSON *op = serve_call_op_object(c, "cancel-job", id);
  if (op && !query_flag(c, op, "force")) {
    cJSON_Delete(op);
    return;
  }
  if (!serve_call_op(c, op)) return;
  job_reply(c, j);
}

void serve_iot_delete_job(serve_call *c) {
  const char *id = serve_call_label(c, "jobId");
  size_t j;
  if (!serve_call_job(c, id, &j) || !namespace_ok(c, j)) return;
  cJSON *op = serve_call_op_object(c, "delete-job", id);
  if (op && !query_flag(c, op, "force")) {
    cJSON_Delete(op);
    return;
  }
  if (!serve_call_op(c, op)) return;
  empty_reply(c);
}

void serve_iot_associate_targets(serve_call *c) {
  const char *id = serve_call_label(c, "jobId");
  size_t j;
  if (!serve_call_job(c, id, &j) || !namespace_ok(c, j)) return;
  if (!serve_call_op(c, serve_call_op_object(c, "associate-targets-with-job", id))) return;
  job_reply(c, j);
}

/* The thing of a job-execution call: ResourceNotFound when unknown. */
static bool thing_of(serve_call *c, const char *job, int64_t *t) {
  const char *name = serve_call_label(c, "thingName");
  *t = model_engine_find_thing(c->ep->e, name);
  if (*t >= 0 && !model_engine_thing_gone(c->ep->e, *t)) return true;
  serve_call_error(c, SERVE_ERR_NOT_FOUND, "Job execution of job %s on thing %s does not exist",
                   job, name);
  return false;
}

void serve_iot_cancel_execution(serve_call *c) {
  const char *id = serve_call_label(c, "jobId"), *name = serve_call_label(c, "thingName");
  size_t j;
  int64_t t;
  if (!serve_call_job(c, id, &j) || !thing_of(c, id, &t)) return;
  cJSON *op = serve_call_op_object(c, "cancel-job-execution", id);
  /* statusDetails of the request: the execution's details are the device's
   * in jobsim (data plane); the control plane's are accepted and ignored. */
  if (op) cJSON_DeleteItemFromObjectCaseSensitive(op, "statusDetails");
  if (op && (!add_str(c, op, "thingName", name) || !query_flag(c, op, "force"))) {
    cJSON_Delete(op);
    return;
  }
  if (!serve_call_op(c, op)) return;
  empty_reply(c);
}

void serve_iot_delete_execution(serve_call *c) {
  const char *id = serve_call_label(c, "jobId"), *name = serve_call_label(c, "thingName");
  const char *no = serve_call_label(c, "executionNumber");
  size_t j;
  int64_t t;
  if (!serve_call_job(c, id, &j) || !namespace_ok(c, j) || !thing_of(c, id, &t)) return;
  cJSON *op = serve_call_op_object(c, "delete-job-execution", id);
  if (op && (!add_str(c, op, "thingName", name) || !query_flag(c, op, "force"))) {
    cJSON_Delete(op);
    return;
  }
  if (op && !cJSON_AddNumberToObject(op, "executionNumber", strtod(no, NULL))) {
    cJSON_Delete(op);
    op = NULL;   /* answered as out of memory */
  }
  if (!serve_call_op(c, op)) return;
  empty_reply(c);
}
