/*
 * http.c — libmicrohttpd glue (see http.h).
 *
 * Per request: the URI log callback keeps the request target exactly as
 * sent (SigV4 signs the raw path and query) and allocates the request
 * context; the first access-handler call (headers read) checks
 * Content-Length against the body limit; further calls collect the body;
 * the last one runs the handler and queues its reply.
 */
#define _POSIX_C_SOURCE 200809L
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

struct serve_http {
  struct MHD_Daemon *d;
  serve_http_handler fn;
  void *ud;
  size_t max_body;
  unsigned timeout_s;
  FILE *log;
  uint64_t served;           /* requests answered (request ids) */
  unsigned port;
};

typedef struct conn_ctx {
  char *target;              /* request target as sent */
  double started;            /* wall seconds at the request line */
  bool headers_seen;
  bool too_big;              /* body passed the limit: discard, answer 413 */
  char *body;
  size_t len, cap;
} conn_ctx;

double serve_wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
  (void)cls;
  (void)c;
  conn_ctx *x = calloc(1, sizeof *x);
  if (!x) return NULL;
  x->target = strdup(uri ? uri : "");
  if (!x->target) {
    free(x);
    return NULL;
  }
  x->started = serve_wall_now();
  return x;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)c;
  (void)toe;
  conn_ctx *x = *con_cls;
  if (!x) return;
  free(x->target);
  free(x->body);
  free(x);
  *con_cls = NULL;
}

/* Header lookup for serve_request: every value of one header. */
typedef struct hdr_scan {
  const char *name;
  const char **vals;
  size_t cap, n;
} hdr_scan;

static enum MHD_Result hdr_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value) {
  (void)kind;
  hdr_scan *s = cls;
  if (key && strcasecmp(key, s->name) == 0) {
    if (s->n < s->cap) s->vals[s->n] = value ? value : "";
    s->n++;
  }
  return MHD_YES;
}

static size_t header_values(void *ud, const char *lname, const char **vals, size_t cap) {
  hdr_scan s = {lname, vals, cap, 0};
  MHD_get_connection_values((struct MHD_Connection *)ud, MHD_HEADER_KIND, hdr_iter, &s);
  return s.n;
}

static void free_body(void *p) { free(p); }

static enum MHD_Result send_reply(serve_http *h, struct MHD_Connection *c,
                                  serve_reply *rp) {
  struct MHD_Response *r;
  if (rp->body) {
    r = MHD_create_response_from_buffer_with_free_callback(rp->len, rp->body, free_body);
    if (r) rp->body = NULL;   /* MHD owns it now */
  } else {
    r = MHD_create_response_from_buffer(0, (void *)(uintptr_t)"", MHD_RESPMEM_PERSISTENT);
  }
  if (!r) return MHD_NO;
  h->served++;
  char id[64];
  snprintf(id, sizeof id, "00000000-0000-4000-8000-%012" PRIx64, h->served);
  MHD_add_response_header(r, "Content-Type", "application/json");
  MHD_add_response_header(r, "x-amzn-RequestId", id);
  if (rp->error_type[0]) MHD_add_response_header(r, "x-amzn-ErrorType", rp->error_type);
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)rp->status, r);
  MHD_destroy_response(r);
  return ok;
}

static void log_line(serve_http *h, const char *method, const char *target,
                     const serve_reply *rp, double t0) {
  if (!h->log) return;
  char safe[200];
  size_t k = 0;
  for (const char *p = target; *p && k + 1 < sizeof safe; p++)
    safe[k++] = ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f) ? *p : '?';
  safe[k] = 0;
  fprintf(h->log, "jobsim: serve: %s %s -> %d%s%s (%.2f ms)\n", method, safe, rp->status,
          rp->error_type[0] ? " " : "", rp->error_type, (serve_wall_now() - t0) * 1e3);
  fflush(h->log);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version,
                                 const char *upload, size_t *upload_size, void **con_cls) {
  (void)url;
  (void)version;
  serve_http *h = cls;
  conn_ctx *x = *con_cls;
  if (!x) return MHD_NO;   /* out of memory in on_uri */
  serve_reply rp = {0};
  if (!x->headers_seen) {
    x->headers_seen = true;
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (cl) {
      char *end;
      errno = 0;
      unsigned long long n = strtoull(cl, &end, 10);
      if (errno || *end || end == cl || n > h->max_body) {
        serve_reply_error(&rp, SERVE_PLANE_IOT, SERVE_ERR_TOO_LARGE,
                          "the request body (Content-Length %.40s) is over the limit of "
                          "%zu bytes",
                          cl, h->max_body);
        enum MHD_Result ok = send_reply(h, c, &rp);
        log_line(h, method, x->target, &rp, x->started);
        serve_reply_release(&rp);
        return ok;
      }
    }
    return MHD_YES;
  }
  if (*upload_size) {
    if (serve_wall_now() - x->started > (double)h->timeout_s) return MHD_NO;
    if (x->too_big || x->len + *upload_size > h->max_body) {
      x->too_big = true;   /* keep reading (bounded by the deadline), answer 413 */
      *upload_size = 0;
      return MHD_YES;
    }
    if (x->len + *upload_size + 1 > x->cap) {
      size_t cap = x->cap ? x->cap : 4096;
      while (cap < x->len + *upload_size + 1) cap *= 2;
      char *b = realloc(x->body, cap);
      if (!b) return MHD_NO;
      x->body = b;
      x->cap = cap;
    }
    memcpy(x->body + x->len, upload, *upload_size);
    x->len += *upload_size;
    x->body[x->len] = 0;
    *upload_size = 0;
    return MHD_YES;
  }
  /* The whole request is in. */
  if (x->too_big) {
    serve_reply_error(&rp, SERVE_PLANE_IOT, SERVE_ERR_TOO_LARGE,
                      "the request body is over the limit of %zu bytes", h->max_body);
  } else {
    serve_request rq = {0};
    const char *why;
    bool nomem;
    if (!serve_request_parse_target(&rq, x->target, &why, &nomem)) {
      serve_reply_error(&rp, SERVE_PLANE_IOT,
                        nomem ? SERVE_ERR_INTERNAL : SERVE_ERR_INVALID_REQUEST, "%s", why);
    } else {
      rq.method = method;
      rq.body = x->body;
      rq.body_len = x->len;
      rq.header = header_values;
      rq.header_ud = c;
      h->fn(h->ud, &rq, &rp);
    }
    serve_request_release(&rq);
  }
  enum MHD_Result ok = send_reply(h, c, &rp);
  log_line(h, method, x->target, &rp, x->started);
  serve_reply_release(&rp);
  return ok;
}

int serve_http_new(serve_http **out, const serve_http_opts *o, serve_http_handler fn,
                   void *ud, sim_diag *d) {
  *out = NULL;
  serve_http *h = calloc(1, sizeof *h);
  if (!h) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  h->fn = fn;
  h->ud = ud;
  h->max_body = o->max_body;
  h->timeout_s = o->timeout_s ? o->timeout_s : 10;
  h->log = o->log;
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  unsigned flags = MHD_USE_EPOLL;
  struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
  if (inet_pton(AF_INET, o->listen, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)o->port);
  } else if (inet_pton(AF_INET6, o->listen, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)o->port);
    flags |= MHD_USE_IPv6;
  } else {
    free(h);
    return sim_diag_set(d, SIM_ERR_USAGE, NULL,
                        "--listen needs a numeric IPv4 or IPv6 address, not '%s'",
                        o->listen);
  }
  errno = 0;
  h->d = MHD_start_daemon(
      flags, (uint16_t)o->port, NULL, NULL, on_access, h, MHD_OPTION_SOCK_ADDR,
      (struct sockaddr *)&ss, MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_CONNECTION_TIMEOUT,
      h->timeout_s, MHD_OPTION_CONNECTION_LIMIT,
      o->max_connections ? o->max_connections : 256u, MHD_OPTION_END);
  if (!h->d) {
    int err = errno;
    free(h);
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot listen on %s port %u: %s", o->listen,
                        o->port, err ? strerror(err) : "libmicrohttpd refused to start");
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
  h->port = info ? info->port : o->port;
  *out = h;
  return SIM_OK;
}

void serve_http_free(serve_http *h) {
  if (!h) return;
  if (h->d) MHD_stop_daemon(h->d);
  free(h);
}

unsigned serve_http_port(const serve_http *h) { return h->port; }

int serve_http_run(serve_http *h, volatile sig_atomic_t *stop, void (*tick)(void *),
                   void *ud) {
  while (!*stop) {
    if (MHD_run_wait(h->d, 50) != MHD_YES && errno != EINTR)
      return SIM_ERR_IO;
    if (tick && !*stop) tick(ud);
  }
  return SIM_OK;
}
