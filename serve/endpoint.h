/*
 * endpoint.h — the AWS-compatible endpoint over a simulated fleet: one
 * scenario, its engine, the served clock, and the request handler that
 * checks the caller (SigV4 with --credentials, loopback guard without),
 * brings the engine to the current simulated instant and routes the request
 * by the service of its credential scope (`iot`: control plane,
 * `iot-jobs-data`: device data plane) and by the botocore models' HTTP
 * method and request URI.
 *
 * The engine is the one `jobsim run` and `jobsim describe-job` use, run
 * forward to "now" before every answer (in slices, so an interrupt is seen
 * within a slice), so an answer at simulated instant T is the offline answer
 * at T.
 *
 * Ownership: the endpoint borrows the scenario (it must outlive the
 * endpoint) and owns its engine.
 */
#ifndef JOBSIM_SERVE_ENDPOINT_H
#define JOBSIM_SERVE_ENDPOINT_H

#include <signal.h>
#include <stdbool.h>

#include "reply.h"
#include "request.h"
#include "duration.h"
#include "scenario.h"

typedef struct serve_endpoint serve_endpoint;

typedef struct serve_endpoint_opts {
  bool manual;                  /* --clock manual */
  double speed;                 /* --speed X (simulated s per wall s) */
  const char *access_key;       /* --credentials KEY:SECRET; NULL: no checks */
  const char *secret;
  bool loopback_guard;          /* refuse Host/Origin that are not loopback */
  double (*wall)(void);         /* monotonic seconds; NULL: serve_wall_now */
  volatile sig_atomic_t *stop;  /* set by a signal: stop catching up */
  sim_time_ms skew_ms;          /* allowed X-Amz-Date skew (default 15 min) */
} serve_endpoint_opts;

/* Served horizon: the clock may run as far as any duration jobsim accepts. */
#define SERVE_HORIZON SIM_DURATION_MAX

/* Build the engine of `sc` (its seed) at simulated instant 0. Sets
 * sc->sim.until to SERVE_HORIZON first: a served fleet has no horizon. */
int serve_endpoint_new(serve_endpoint **out, model_scenario *sc,
                       const serve_endpoint_opts *o, sim_diag *d);
void serve_endpoint_free(serve_endpoint *ep);      /* NULL is a no-op */

/* Answer one request (serve_http_handler). */
void serve_endpoint_handle(void *ep, serve_request *rq, serve_reply *rp);
/* Keep the engine near "now" between requests (speed mode). */
void serve_endpoint_tick(void *ep);

/* Simulated offset now (ms after start). */
sim_time_ms serve_endpoint_now(const serve_endpoint *ep);

#endif
