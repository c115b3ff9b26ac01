/*
 * endpoint.c — caller checks, the clock, routing (see endpoint.h).
 *
 * Routes are the botocore models' `http.method` and `http.requestUri` of
 * each operation (iot 2015-05-28, iot-jobs-data 2017-09-29). Operations of
 * the issue that the engine cannot do yet are routed too and answer 501
 * NotImplementedException naming the operation, so a client never mistakes
 * them for unknown paths.
 */
#define _POSIX_C_SOURCE 200809L
#include "endpoint_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "duration.h"
#include "http.h"
#include "json.h"
#include "sigv4.h"

/* Engine catch-up slice: the stop flag is checked between slices. */
#define SLICE_MS (10 * SIM_MS_PER_MIN)

/* ------------------------------------------------------------- routes --- */

typedef struct route {
  serve_plane plane;
  const char *method;
  const char *uri;          /* botocore requestUri */
  const char *op;
  serve_op_fn fn;           /* NULL: not implemented yet (501) */
} route;

static const route routes[] = {
    /* control plane, botocore iot 2015-05-28 */
    {SERVE_PLANE_IOT, "GET", "/jobs", "ListJobs", serve_iot_list_jobs},
    {SERVE_PLANE_IOT, "GET", "/jobs/{jobId}", "DescribeJob", serve_iot_describe_job},
    {SERVE_PLANE_IOT, "PUT", "/jobs/{jobId}", "CreateJob", NULL},
    {SERVE_PLANE_IOT, "PATCH", "/jobs/{jobId}", "UpdateJob", NULL},
    {SERVE_PLANE_IOT, "DELETE", "/jobs/{jobId}", "DeleteJob", NULL},
    {SERVE_PLANE_IOT, "PUT", "/jobs/{jobId}/cancel", "CancelJob", NULL},
    {SERVE_PLANE_IOT, "POST", "/jobs/{jobId}/targets", "AssociateTargetsWithJob", NULL},
    {SERVE_PLANE_IOT, "GET", "/jobs/{jobId}/job-document", "GetJobDocument",
     serve_iot_get_job_document},
    {SERVE_PLANE_IOT, "GET", "/jobs/{jobId}/things", "ListJobExecutionsForJob",
     serve_iot_list_executions_for_job},
    {SERVE_PLANE_IOT, "GET", "/things/{thingName}/jobs", "ListJobExecutionsForThing",
     serve_iot_list_executions_for_thing},
    {SERVE_PLANE_IOT, "GET", "/things/{thingName}/jobs/{jobId}", "DescribeJobExecution",
     serve_iot_describe_job_execution},
    {SERVE_PLANE_IOT, "PUT", "/things/{thingName}/jobs/{jobId}/cancel",
     "CancelJobExecution", NULL},
    {SERVE_PLANE_IOT, "DELETE",
     "/things/{thingName}/jobs/{jobId}/executionNumber/{executionNumber}",
     "DeleteJobExecution", NULL},
    {SERVE_PLANE_IOT, "POST", "/things/{thingName}", "CreateThing", NULL},
    {SERVE_PLANE_IOT, "DELETE", "/things/{thingName}", "DeleteThing", NULL},
    {SERVE_PLANE_IOT, "PUT", "/thing-groups/addThingToThingGroup", "AddThingToThingGroup",
     NULL},
    {SERVE_PLANE_IOT, "PUT", "/thing-groups/removeThingFromThingGroup",
     "RemoveThingFromThingGroup", NULL},
    {SERVE_PLANE_IOT, "GET", "/thing-groups", "ListThingGroups", NULL},
    {SERVE_PLANE_IOT, "POST", "/thing-groups/{thingGroupName}", "CreateThingGroup", NULL},
    {SERVE_PLANE_IOT, "GET", "/thing-groups/{thingGroupName}", "DescribeThingGroup", NULL},
    {SERVE_PLANE_IOT, "GET", "/thing-groups/{thingGroupName}/things",
     "ListThingsInThingGroup", NULL},
    /* device data plane, botocore iot-jobs-data 2017-09-29 */
    {SERVE_PLANE_JOBS_DATA, "GET", "/things/{thingName}/jobs", "GetPendingJobExecutions",
     serve_data_get_pending},
    {SERVE_PLANE_JOBS_DATA, "PUT", "/things/{thingName}/jobs/$next",
     "StartNextPendingJobExecution", NULL},
    {SERVE_PLANE_JOBS_DATA, "GET", "/things/{thingName}/jobs/{jobId}",
     "DescribeJobExecution", serve_data_describe_execution},
    {SERVE_PLANE_JOBS_DATA, "POST", "/things/{thingName}/jobs/{jobId}",
     "UpdateJobExecution", NULL},
};

/* Match the decoded segments against a requestUri; labels captured. Literal
 * segments match before labels because the table lists them first where
 * both could apply ($next). */
static bool match(const route *r, const serve_request *rq, serve_call *c) {
  const char *p = r->uri;
  size_t i = 0;
  c->n_labels = 0;
  while (*p) {
    if (*p == '/') p++;
    const char *s = strchr(p, '/');
    size_t l = s ? (size_t)(s - p) : strlen(p);
    if (i >= rq->n_seg) return false;
    if (p[0] == '{') {
      if (c->n_labels == 4) return false;
      c->label_names[c->n_labels] = p + 1;   /* the name runs up to '}' */
      c->label_values[c->n_labels++] = rq->seg[i];
    } else if (strlen(rq->seg[i]) != l || strncmp(rq->seg[i], p, l) != 0) {
      return false;
    }
    i++;
    p += l;
  }
  return i == rq->n_seg;
}

const char *serve_call_label(const serve_call *c, const char *name) {
  size_t n = strlen(name);
  for (size_t i = 0; i < c->n_labels; i++)
    if (strncmp(c->label_names[i], name, n) == 0 && c->label_names[i][n] == '}')
      return c->label_values[i];
  return NULL;
}

void serve_call_error(serve_call *c, serve_err e, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  serve_reply_error(c->rp, c->plane, e, "%s", msg);
}

/* AWS's validation message for a member that breaks its constraint. */
static void validation(serve_call *c, const char *value, const char *member,
                       const char *rule) {
  serve_call_error(c, SERVE_ERR_INVALID_REQUEST,
                   "1 validation error detected: Value '%.200s' at '%s' failed to satisfy "
                   "constraint: %s",
                   value, member, rule);
}

bool serve_call_query_int(serve_call *c, const char *key, int64_t min, int64_t max,
                          int64_t *out, bool *present) {
  const char *v = serve_request_query(c->rq, key);
  *present = v != NULL;
  if (!v) return true;
  char *end;
  long long x = strtoll(v, &end, 10);
  if (!*v || *end || (!isdigit((unsigned char)v[0]) && v[0] != '-')) {
    validation(c, v, key, "Member must be an integer");
    return false;
  }
  if (x < min || x > max) {
    char rule[160];
    if (max == INT64_MAX)
      snprintf(rule, sizeof rule, "Member must have value greater than or equal to %" PRId64,
               min);
    else
      snprintf(rule, sizeof rule,
               "Member must have value greater than or equal to %" PRId64
               " and less than or equal to %" PRId64,
               min, max);
    validation(c, v, key, rule);
    return false;
  }
  *out = x;
  return true;
}

bool serve_call_query_bool(serve_call *c, const char *key, bool *out) {
  const char *v = serve_request_query(c->rq, key);
  if (!v) return true;
  if (strcmp(v, "true") == 0) *out = true;
  else if (strcmp(v, "false") == 0) *out = false;
  else {
    validation(c, v, key, "Member must be true or false");
    return false;
  }
  return true;
}

bool serve_call_job(serve_call *c, const char *job_id) {
  const model_engine *e = c->ep->e;
  if (strcmp(job_id, model_engine_config(e)->job_id) != 0 || model_engine_job(e)->vanished) {
    serve_call_error(c, SERVE_ERR_NOT_FOUND, "Job %s does not exist", job_id);
    return false;
  }
  return true;
}

/* Label patterns of the models. */
static bool label_ok(serve_call *c) {
  for (size_t i = 0; i < c->n_labels; i++) {
    const char *n = c->label_names[i], *v = c->label_values[i];
    size_t len = strlen(v);
    const char *allowed, *rule;
    size_t max;
    if (strncmp(n, "jobId}", 6) == 0) {
      if (c->plane == SERVE_PLANE_JOBS_DATA && strcmp(v, "$next") == 0) continue;
      allowed = "-_";
      max = 64;
      rule = "Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+";
    } else if (strncmp(n, "thingName}", 10) == 0 || strncmp(n, "thingGroupName}", 15) == 0) {
      allowed = ":_-";
      max = 128;
      rule = "Member must satisfy regular expression pattern: [a-zA-Z0-9:_-]+";
    } else {   /* executionNumber */
      allowed = "";
      max = 19;
      rule = "Member must be an integer";
    }
    bool digits_only = !allowed[0];
    bool ok = len >= 1 && len <= max;
    for (size_t k = 0; ok && k < len; k++) {
      unsigned char ch = (unsigned char)v[k];
      if (digits_only) ok = isdigit(ch);
      else ok = isalnum(ch) || strchr(allowed, ch) != NULL;
    }
    if (!ok) {
      char member[40];
      size_t ml = strcspn(n, "}");
      snprintf(member, sizeof member, "%.*s", (int)ml, n);
      if (len < 1 || len > max) {
        char r2[96];
        snprintf(r2, sizeof r2, "Member must have length between 1 and %zu", max);
        validation(c, v, member, r2);
      } else {
        validation(c, v, member, rule);
      }
      return false;
    }
  }
  return true;
}

/* ------------------------------------------------------- caller checks --- */

static double wall(const serve_endpoint *ep) {
  return ep->o.wall ? ep->o.wall() : serve_wall_now();
}

/* Host part of a Host header or of an Origin URL. */
static bool loopback_host(const char *h) {
  if (strncmp(h, "http://", 7) == 0) h += 7;
  else if (strncmp(h, "https://", 8) == 0) h += 8;
  char host[256];
  size_t n;
  if (h[0] == '[') {
    n = strcspn(h + 1, "]");
    if (h[1 + n] != ']' || n >= sizeof host) return false;
    memcpy(host, h + 1, n);
  } else {
    n = strcspn(h, ":/");
    if (n >= sizeof host) return false;
    memcpy(host, h, n);
  }
  host[n] = 0;
  if (strcasecmp(host, "localhost") == 0) return true;
  if (n > 10 && strcasecmp(host + n - 10, ".localhost") == 0) return true;
  if (strcmp(host, "::1") == 0) return true;
  unsigned a, b, cc, d;
  char tail;
  if (sscanf(host, "%u.%u.%u.%u%c", &a, &b, &cc, &d, &tail) == 4 && a == 127 && b < 256 &&
      cc < 256 && d < 256)
    return true;
  return false;
}

static bool guard_ok(serve_call *c) {
  const char *host = serve_request_header(c->rq, "host");
  if (host && !loopback_host(host)) {
    serve_call_error(c, SERVE_ERR_ACCESS_DENIED,
                     "jobsim serve listens on loopback only and refuses Host '%.100s' "
                     "(use --listen and --credentials to serve other hosts)",
                     host);
    return false;
  }
  const char *origin = serve_request_header(c->rq, "origin");
  if (origin && !loopback_host(origin)) {
    serve_call_error(c, SERVE_ERR_ACCESS_DENIED,
                     "jobsim serve refuses requests from web pages (Origin '%.100s')",
                     origin);
    return false;
  }
  return true;
}

static const char *plane_service(serve_plane p) {
  return p == SERVE_PLANE_JOBS_DATA ? "iot-jobs-data" : "iot";
}

/* Plane from the credential scope, and with --credentials the signature. */
static bool auth_ok(serve_call *c, bool jobsim_path) {
  serve_endpoint *ep = c->ep;
  const char *h = serve_request_header(c->rq, "authorization");
  c->plane = SERVE_PLANE_IOT;
  if (!h) {
    if (ep->o.access_key) {
      serve_call_error(c, SERVE_ERR_MISSING_TOKEN, "Missing Authentication Token");
      return false;
    }
    return true;
  }
  serve_sigv4_auth a;
  const char *why;
  if (!serve_sigv4_parse(h, &a, &why)) {
    serve_call_error(c, SERVE_ERR_INCOMPLETE_SIGNATURE, "%s", why);
    return false;
  }
  /* The control plane signs as "iot" in current botocore models and as
   * "execute-api" in older ones (botocore 1.29, AWS CLI 2.9: Debian 12). */
  if (strcmp(a.service, "iot-jobs-data") == 0) c->plane = SERVE_PLANE_JOBS_DATA;
  else if (strcmp(a.service, "iot") != 0 && strcmp(a.service, "execute-api") != 0 &&
           !jobsim_path) {
    serve_call_error(c, SERVE_ERR_INVALID_SIGNATURE,
                     "Credential should be scoped to correct service: 'iot' (or "
                     "'execute-api') or 'iot-jobs-data', not '%.60s'",
                     a.service);
    return false;
  }
  if (!ep->o.access_key) return true;
  if (strcmp(a.access_key, ep->o.access_key) != 0) {
    serve_call_error(c, SERVE_ERR_UNRECOGNIZED_CLIENT,
                     "The security token included in the request is invalid.");
    return false;
  }
  if (strcmp(a.region, ep->sc->sim.region) != 0) {
    serve_call_error(c, SERVE_ERR_INVALID_SIGNATURE,
                     "Credential should be scoped to a valid region: '%s', not '%.60s'",
                     ep->sc->sim.region, a.region);
    return false;
  }
  const char *date = serve_request_header(c->rq, "x-amz-date");
  long long t;
  if (!date || !serve_sigv4_parse_amz_date(date, &t) || strncmp(date, a.date, 8) != 0) {
    serve_call_error(c, SERVE_ERR_INCOMPLETE_SIGNATURE,
                     "X-Amz-Date must be given as YYYYMMDD'T'HHMMSS'Z' on the scope's date");
    return false;
  }
  long long now = (long long)time(NULL);
  long long skew = (ep->o.skew_ms ? ep->o.skew_ms : 15 * SIM_MS_PER_MIN) / 1000;
  if (t < now - skew || t > now + skew) {
    serve_call_error(c, SERVE_ERR_INVALID_SIGNATURE,
                     "Signature expired: %s is more than %lld min from the server's time",
                     date, skew / 60);
    return false;
  }
  const char *sha = serve_request_header(c->rq, "x-amz-content-sha256");
  if (sha) {
    char body[65];
    serve_sigv4_sha256_hex(c->rq->body, c->rq->body_len, body);
    if (strcmp(sha, body) != 0) {
      serve_call_error(c, SERVE_ERR_INVALID_SIGNATURE,
                       "The provided x-amz-content-sha256 header does not match what was "
                       "computed.");
      return false;
    }
  }
  serve_sigv4_request sr = {c->rq->method, c->rq->raw_path, c->rq->raw_query,
                            c->rq->header, c->rq->header_ud, c->rq->body,
                            c->rq->body_len};
  char want[65];
  if (!serve_sigv4_signature(&sr, &a, date, ep->o.secret, want, &why) ||
      !serve_sigv4_equal(want, a.signature)) {
    serve_call_error(c, SERVE_ERR_INVALID_SIGNATURE,
                     "The request signature we calculated does not match the signature "
                     "you provided. Check your AWS Secret Access Key and signing method.%s%s",
                     why ? " " : "", why ? why : "");
    return false;
  }
  return true;
}

/* --------------------------------------------------------------- state --- */

/* Run the engine up to the clock's now, in slices. */
static int catch_up(serve_endpoint *ep) {
  if (ep->broken) return SIM_ERR_STATE;
  sim_time_ms target = serve_clock_now(&ep->clock, wall(ep));
  if (target <= ep->ran_to) return SIM_OK;
  sim_time_ms at = ep->ran_to < 0 ? 0 : ep->ran_to;
  do {
    sim_time_ms step = target - at > SLICE_MS ? at + SLICE_MS : target;
    int rc = model_engine_run(ep->e, step);
    if (rc) {
      ep->broken = true;
      snprintf(ep->broken_why, sizeof ep->broken_why, "the simulation failed: %s",
               sim_strerror(rc));
      return rc;
    }
    ep->ran_to = at = step;
    if (ep->o.stop && *ep->o.stop) return SIM_ERR_INTR;
  } while (at < target);
  return SIM_OK;
}

sim_time_ms serve_endpoint_now(const serve_endpoint *ep) {
  return serve_clock_now(&ep->clock, wall(ep));
}

void serve_endpoint_tick(void *ud) {
  serve_endpoint *ep = ud;
  if (!ep->clock.manual) (void)catch_up(ep);
}

int serve_endpoint_new(serve_endpoint **out, model_scenario *sc,
                       const serve_endpoint_opts *o, sim_diag *d) {
  *out = NULL;
  sc->sim.until = SERVE_HORIZON;
  serve_endpoint *ep = calloc(1, sizeof *ep);
  if (!ep) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  ep->sc = sc;
  ep->o = *o;
  ep->ran_to = -1;
  int rc = model_engine_new(&ep->e, sc, sc->sim.seed, NULL, d);
  if (rc) {
    free(ep);
    return rc;
  }
  serve_clock_init(&ep->clock, o->manual, o->speed, SERVE_HORIZON, wall(ep));
  if ((rc = catch_up(ep))) {
    sim_diag_set(d, rc, NULL, "%s", ep->broken_why);
    serve_endpoint_free(ep);
    return rc;
  }
  *out = ep;
  return SIM_OK;
}

void serve_endpoint_free(serve_endpoint *ep) {
  if (!ep) return;
  model_engine_free(ep->e);
  free(ep);
}

/* ------------------------------------------------------ /jobsim/clock --- */

static void clock_reply(serve_call *c) {
  size_t len = 0;
  char *j = serve_clock_json(serve_endpoint_now(c->ep), c->ep->sc->sim.start_epoch_ms, &len);
  serve_reply_json(c->rp, 200, j, len);
}

static void on_clock(serve_call *c) {
  serve_endpoint *ep = c->ep;
  if (strcmp(c->rq->method, "GET") == 0) {
    clock_reply(c);
    return;
  }
  if (strcmp(c->rq->method, "POST") != 0) {
    serve_call_error(c, SERVE_ERR_UNKNOWN_OPERATION,
                     "/jobsim/clock answers GET and POST, not %.20s", c->rq->method);
    return;
  }
  if (!c->body) {
    serve_call_error(c, SERVE_ERR_INVALID_REQUEST,
                     "POST /jobsim/clock needs a body: {\"advance\": \"10m\"} or "
                     "{\"to\": \"+1h\"}");
    return;
  }
  sim_diag d;
  sim_diag_init(&d, NULL);
  if (serve_clock_apply(&ep->clock, c->body, ep->sc->sim.start_epoch_ms, wall(ep), &d)) {
    char m[1200];
    sim_diag_format(&d, m, sizeof m);
    serve_call_error(c, SERVE_ERR_INVALID_REQUEST, "%s", m);
    return;
  }
  int rc = catch_up(ep);
  if (rc == SIM_ERR_INTR) {
    serve_call_error(c, SERVE_ERR_UNAVAILABLE, "jobsim serve is stopping");
    return;
  }
  if (rc) {
    serve_call_error(c, SERVE_ERR_INTERNAL, "%s", ep->broken_why);
    return;
  }
  clock_reply(c);
}

/* ------------------------------------------------------------- handle --- */

void serve_endpoint_handle(void *ud, serve_request *rq, serve_reply *rp) {
  serve_endpoint *ep = ud;
  serve_call c = {.ep = ep, .rq = rq, .rp = rp, .plane = SERVE_PLANE_IOT};
  bool jobsim_path = rq->n_seg >= 1 && strcmp(rq->seg[0], "jobsim") == 0;
  if (ep->o.loopback_guard && !guard_ok(&c)) return;
  if (!auth_ok(&c, jobsim_path)) return;
  /* the body: JSON object or nothing */
  if (rq->body_len > 0) {
    sim_diag d;
    sim_diag_init(&d, NULL);
    if (sim_json_parse(rq->body, rq->body_len, &c.body, &d)) {
      char m[1200];
      sim_diag_format(&d, m, sizeof m);
      serve_call_error(&c, d.code == SIM_ERR_NOMEM ? SERVE_ERR_INTERNAL
                                                   : SERVE_ERR_INVALID_REQUEST,
                       "the request body is not valid JSON: %s", m);
      return;
    }
    if (!cJSON_IsObject(c.body)) {
      serve_call_error(&c, SERVE_ERR_INVALID_REQUEST,
                       "the request body must be a JSON object, not %s",
                       sim_json_type_name(c.body));
      goto out;
    }
  }
  if (jobsim_path) {
    c.plane = SERVE_PLANE_JOBSIM;
    c.op = "Clock";
    if (rq->n_seg == 2 && strcmp(rq->seg[1], "clock") == 0) on_clock(&c);
    else
      serve_call_error(&c, SERVE_ERR_UNKNOWN_OPERATION,
                       "jobsim serve has no endpoint %.200s (there is /jobsim/clock)",
                       rq->raw_path);
    goto out;
  }
  if (ep->broken) {
    serve_call_error(&c, SERVE_ERR_INTERNAL, "%s", ep->broken_why);
    goto out;
  }
  int rc = catch_up(ep);
  if (rc) {
    serve_call_error(&c, rc == SIM_ERR_INTR ? SERVE_ERR_UNAVAILABLE : SERVE_ERR_INTERNAL,
                     "%s", rc == SIM_ERR_INTR ? "jobsim serve is stopping" : ep->broken_why);
    goto out;
  }
  const route *found = NULL;
  bool path_known = false;
  for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
    const route *r = &routes[i];
    if (r->plane != c.plane || !match(r, rq, &c)) continue;
    path_known = true;
    if (strcmp(r->method, rq->method) == 0) {
      found = r;
      break;
    }
  }
  if (!found) {
    serve_call_error(&c, SERVE_ERR_UNKNOWN_OPERATION,
                     "no %s operation answers %.10s %.200s%s", plane_service(c.plane),
                     rq->method, rq->raw_path,
                     path_known ? " (the path exists with another method)" : "");
    goto out;
  }
  c.op = found->op;
  if (!label_ok(&c)) goto out;
  if (!found->fn) {
    serve_call_error(&c, SERVE_ERR_NOT_IMPLEMENTED,
                     "jobsim serve does not implement %s yet", found->op);
    goto out;
  }
  found->fn(&c);
out:
  cJSON_Delete(c.body);
}
