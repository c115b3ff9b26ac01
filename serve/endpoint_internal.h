/*
 * endpoint_internal.h — what endpoint.c shares with the operation files
 * (iot.c: control plane, jobsdata.c: device data plane). Not for other
 * modules.
 */
#ifndef JOBSIM_SERVE_ENDPOINT_INTERNAL_H
#define JOBSIM_SERVE_ENDPOINT_INTERNAL_H

#include <cjson/cJSON.h>

#include "clock.h"
#include "endpoint.h"
#include "engine.h"

struct serve_endpoint {
  const model_scenario *sc;
  model_engine *e;
  serve_clock clock;
  serve_endpoint_opts o;
  sim_time_ms ran_to;           /* engine run up to here, -1 before the first run */
  bool broken;                  /* the engine failed: every answer is 500 */
  char broken_why[256];
};

/* One call: the request, its reply, the plane and the URI labels. */
typedef struct serve_call {
  serve_endpoint *ep;
  serve_request *rq;
  serve_reply *rp;
  serve_plane plane;
  const char *op;               /* operation name ("DescribeJob") */
  const char *label_names[4];
  const char *label_values[4];
  size_t n_labels;
  cJSON *body;                  /* parsed JSON body, NULL when empty */
} serve_call;

typedef void (*serve_op_fn)(serve_call *c);

/* URI label by name ("jobId"), NULL when the route has none. */
const char *serve_call_label(const serve_call *c, const char *name);
/* Shorthand for serve_reply_error on the call's plane. */
void serve_call_error(serve_call *c, serve_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Query helpers: absent -> true and *present false; malformed -> false after
 * an InvalidRequestException naming the parameter and the rule. */
bool serve_call_query_int(serve_call *c, const char *key, int64_t min, int64_t max,
                          int64_t *out, bool *present);
bool serve_call_query_bool(serve_call *c, const char *key, bool *out);

/* The job of the engine, or NULL after a ResourceNotFoundException reply. */
bool serve_call_job(serve_call *c, const char *job_id);

/* Control plane (iot.c). */
void serve_iot_describe_job(serve_call *c);
void serve_iot_list_jobs(serve_call *c);
void serve_iot_get_job_document(serve_call *c);
void serve_iot_describe_job_execution(serve_call *c);
void serve_iot_list_executions_for_job(serve_call *c);
void serve_iot_list_executions_for_thing(serve_call *c);

/* Device data plane (jobsdata.c). */
void serve_data_get_pending(serve_call *c);
void serve_data_describe_execution(serve_call *c);

#endif
