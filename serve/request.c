/*
 * request.c — the request target split and percent-decoded (see request.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "request.h"

#include <stdlib.h>
#include <string.h>

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decoded heap copy of s[0..n); NULL with *why on a bad escape or %00,
 * NULL with *nomem when out of memory. '+' stays '+' (SigV4 semantics). */
static char *decode(const char *s, size_t n, const char **why, bool *nomem) {
  char *out = malloc(n + 1);
  if (!out) {
    *nomem = true;
    return NULL;
  }
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '%') {
      out[k++] = s[i];
      continue;
    }
    int h = i + 2 < n ? hexval(s[i + 1]) : -1;
    int l = i + 2 < n ? hexval(s[i + 2]) : -1;
    if (h < 0 || l < 0 || (h == 0 && l == 0)) {
      *why = h == 0 && l == 0 ? "the request target holds %00"
                              : "malformed percent-encoding in the request target";
      free(out);
      return NULL;
    }
    out[k++] = (char)(h * 16 + l);
    i += 2;
  }
  out[k] = 0;
  return out;
}

bool serve_request_parse_target(serve_request *r, const char *target,
                                const char **why, bool *nomem) {
  *why = NULL;
  *nomem = false;
  r->raw_path = r->raw_query = NULL;
  r->n_seg = r->n_q = 0;
  if (!target || target[0] != '/') {
    *why = "the request target must start with '/'";
    return false;
  }
  const char *qm = strchr(target, '?');
  size_t plen = qm ? (size_t)(qm - target) : strlen(target);
  r->raw_path = strndup(target, plen);
  r->raw_query = strdup(qm ? qm + 1 : "");
  if (!r->raw_path || !r->raw_query) goto nomem;
  for (const char *p = r->raw_path; *p;) {
    const char *s = strchr(p, '/');
    size_t l = s ? (size_t)(s - p) : strlen(p);
    if (l > 0) {
      if (r->n_seg == SERVE_MAX_SEGMENTS) {
        *why = "the request path has too many segments";
        return false;
      }
      char *d = decode(p, l, why, nomem);
      if (!d) return false;
      r->seg[r->n_seg++] = d;
    }
    if (!s) break;
    p = s + 1;
  }
  for (const char *p = r->raw_query; *p;) {
    const char *amp = strchr(p, '&');
    size_t l = amp ? (size_t)(amp - p) : strlen(p);
    if (l > 0) {
      if (r->n_q == SERVE_MAX_PARAMS) {
        *why = "the query string has too many parameters";
        return false;
      }
      const char *eq = memchr(p, '=', l);
      size_t kl = eq ? (size_t)(eq - p) : l;
      char *k = decode(p, kl, why, nomem);
      if (!k) return false;
      char *v = eq ? decode(eq + 1, l - kl - 1, why, nomem) : strdup("");
      if (!v) {
        free(k);
        if (!eq) goto nomem;
        return false;
      }
      for (size_t i = 0; i < r->n_q; i++)
        if (strcmp(r->q[i].key, k) == 0) {
          free(k);
          free(v);
          *why = "a query parameter is given twice";
          return false;
        }
      r->q[r->n_q].key = k;
      r->q[r->n_q++].value = v;
    }
    if (!amp) break;
    p = amp + 1;
  }
  return true;
nomem:
  *nomem = true;
  *why = "out of memory";
  return false;
}

void serve_request_release(serve_request *r) {
  free(r->raw_path);
  free(r->raw_query);
  for (size_t i = 0; i < r->n_seg; i++) free(r->seg[i]);
  for (size_t i = 0; i < r->n_q; i++) {
    free(r->q[i].key);
    free(r->q[i].value);
  }
  r->raw_path = r->raw_query = NULL;
  r->n_seg = r->n_q = 0;
}

const char *serve_request_query(const serve_request *r, const char *key) {
  for (size_t i = 0; i < r->n_q; i++)
    if (strcmp(r->q[i].key, key) == 0) return r->q[i].value;
  return NULL;
}

const char *serve_request_header(const serve_request *r, const char *lname) {
  const char *v = NULL;
  if (!r->header || r->header(r->header_ud, lname, &v, 1) == 0) return NULL;
  return v;
}
