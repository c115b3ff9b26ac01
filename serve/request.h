/*
 * request.h — one HTTP request as jobsim serve sees it once libmicrohttpd
 * has read it: the method, the request target exactly as sent (for the
 * SigV4 canonical request) and split into percent-decoded path segments and
 * query parameters (for routing), the headers through a lookup function,
 * and the body.
 *
 * Only the request target is taken apart here (split at '?', '/', '&', '=',
 * %XX decoded); the HTTP syntax itself is libmicrohttpd's business.
 *
 * Ownership: a serve_request owns the decoded copies (serve_request_release);
 * method, body and the header lookup are borrowed from the connection.
 */
#ifndef JOBSIM_SERVE_REQUEST_H
#define JOBSIM_SERVE_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "sigv4.h"

#define SERVE_MAX_SEGMENTS 16
#define SERVE_MAX_PARAMS 32

typedef struct serve_param {
  char *key;      /* decoded */
  char *value;    /* decoded ("" for "?flag") */
} serve_param;

typedef struct serve_request {
  const char *method;          /* "GET", "PUT", ... */
  char *raw_path;              /* as sent: "/things/t%3A1/jobs/%24next" */
  char *raw_query;             /* as sent after '?', "" when none */
  char *seg[SERVE_MAX_SEGMENTS]; /* decoded non-empty path segments */
  size_t n_seg;
  serve_param q[SERVE_MAX_PARAMS];
  size_t n_q;
  const char *body;            /* NULL when empty */
  size_t body_len;
  serve_sigv4_header_fn header;  /* all values of a header (lower-case name) */
  void *header_ud;
  const char *peer;            /* client address, for logs */
} serve_request;

/* Split and decode `target` (the request target as sent, e.g.
 * "/jobs/j1/things?status=QUEUED&maxResults=2"). Fails (false, static reason
 * in *why) on a target not starting with '/', a malformed or NUL %XX escape,
 * more than SERVE_MAX_SEGMENTS segments or SERVE_MAX_PARAMS parameters, or a
 * parameter given twice; *nomem is set when memory ran out instead. Fields
 * other than the parsed ones are left alone. */
bool serve_request_parse_target(serve_request *r, const char *target,
                                const char **why, bool *nomem);
void serve_request_release(serve_request *r);

/* Decoded value of query parameter `key`, NULL when absent. */
const char *serve_request_query(const serve_request *r, const char *key);
/* First value of header `lname` (lower case), NULL when absent. */
const char *serve_request_header(const serve_request *r, const char *lname);

#endif
