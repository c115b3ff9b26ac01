/*
 * http.h — the HTTP side of jobsim serve, on libmicrohttpd: one thread, one
 * epoll loop, every request handed whole (target, headers, body) to a
 * handler that fills a serve_reply. No HTTP parsing here; libmicrohttpd
 * reads the requests.
 *
 * Hostile traffic: a body over `max_body` bytes gets 413 (at once when
 * Content-Length says so, at its end when chunked); a connection idle for
 * `timeout_s` seconds is closed, and so is a request whose body is still
 * arriving `timeout_s` seconds after its request line; at most
 * `max_connections` connections at once. Since the loop never blocks on one
 * client, a half-sent request does not delay the others.
 *
 * Ownership: serve_http_free() closes every connection and the listening
 * socket.
 */
#ifndef JOBSIM_SERVE_HTTP_H
#define JOBSIM_SERVE_HTTP_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "reply.h"
#include "request.h"
#include "sim.h"

typedef struct serve_http serve_http;

/* Fill rp for rq. Called on the loop thread, one request at a time. */
typedef void (*serve_http_handler)(void *ud, serve_request *rq, serve_reply *rp);

typedef struct serve_http_opts {
  const char *listen;          /* numeric IPv4 or IPv6 address */
  unsigned port;               /* 0: a free port */
  size_t max_body;             /* bytes; larger bodies get 413 */
  unsigned timeout_s;          /* idle and whole-request limit, seconds */
  unsigned max_connections;
  FILE *log;                   /* one line per request, or NULL */
} serve_http_opts;

int serve_http_new(serve_http **out, const serve_http_opts *o, serve_http_handler fn,
                   void *ud, sim_diag *d);
void serve_http_free(serve_http *h);      /* NULL is a no-op */
unsigned serve_http_port(const serve_http *h);

/* Serve until *stop is non-zero (checked at least every 50 ms), calling
 * tick(ud) between rounds (tick may be NULL). */
int serve_http_run(serve_http *h, volatile sig_atomic_t *stop, void (*tick)(void *),
                   void *ud);

/* Seconds on the monotonic clock. */
double serve_wall_now(void);

#endif
