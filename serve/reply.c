/*
 * reply.c — success and AWS-shaped error replies (see reply.h).
 */
#include "reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name;
  int status;
} errs[] = {
#define SERVE_ERR_ROW(id, name, status) {name, status},
    SERVE_ERR_MAP(SERVE_ERR_ROW)
#undef SERVE_ERR_ROW
};

const char *serve_err_name(serve_err e) {
  return (unsigned)e < SERVE_ERR_COUNT ? errs[e].name : "InternalFailureException";
}

int serve_err_status(serve_err e, serve_plane plane) {
  if (e == SERVE_ERR_THROTTLING && plane == SERVE_PLANE_JOBS_DATA) return 429;
  return (unsigned)e < SERVE_ERR_COUNT ? errs[e].status : 500;
}

void serve_reply_release(serve_reply *rp) {
  free(rp->body);
  rp->body = NULL;
  rp->len = 0;
}

void serve_reply_json(serve_reply *rp, int status, char *body, size_t len) {
  serve_reply_release(rp);
  if (!body) {
    serve_reply_error(rp, SERVE_PLANE_IOT, SERVE_ERR_INTERNAL, "out of memory");
    return;
  }
  rp->status = status;
  rp->body = body;
  rp->len = len;
  rp->error_type[0] = 0;
}

void serve_reply_error(serve_reply *rp, serve_plane plane, serve_err e, const char *fmt,
                       ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  serve_reply_release(rp);
  rp->status = serve_err_status(e, plane);
  snprintf(rp->error_type, sizeof rp->error_type, "%s", serve_err_name(e));
  /* {"message":"..."}: printable ASCII only, '"' and '\' escaped */
  size_t cap = strlen(msg) * 2 + 32;
  char *b = malloc(cap);
  if (!b) return;   /* status and header still say what happened */
  size_t k = (size_t)snprintf(b, cap, "{\"message\":\"");
  for (const char *p = msg; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '"' || c == '\\') b[k++] = '\\';
    b[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
  }
  k += (size_t)snprintf(b + k, cap - k, "\"}\n");
  rp->body = b;
  rp->len = k;
}
