/*
 * jsonw.c — streaming JSON writer in the AWS CLI's print style.
 */
#include "jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static void put(report_jsonw *w, const char *s, size_t n) {
  if (w->failed) return;
  if (w->len + n + 1 > w->cap) {
    size_t nc = w->cap ? w->cap : 4096;
    while (w->len + n + 1 > nc) nc *= 2;
    char *nb = realloc(w->buf, nc);
    if (!nb) { w->failed = true; return; }
    w->buf = nb;
    w->cap = nc;
  }
  memcpy(w->buf + w->len, s, n);
  w->len += n;
  w->buf[w->len] = 0;
}

static void puts_(report_jsonw *w, const char *s) { put(w, s, strlen(s)); }

static void newline(report_jsonw *w) {
  if (w->compact) return;
  put(w, "\n", 1);
  for (int i = 0; i < w->depth; i++) put(w, "    ", 4);
}

/* Separator and indentation before a value or a key. */
static void before_value(report_jsonw *w) {
  if (w->after_key) {
    w->after_key = false;
    return;
  }
  if (w->depth > 0) {
    if (!w->first[w->depth]) put(w, ",", 1);
    w->first[w->depth] = false;
    newline(w);
  }
}

void report_jsonw_init(report_jsonw *w, bool compact) {
  memset(w, 0, sizeof *w);
  w->compact = compact;
}

void report_jsonw_release(report_jsonw *w) {
  free(w->buf);
  memset(w, 0, sizeof *w);
}

static void open_(report_jsonw *w, char c) {
  before_value(w);
  put(w, &c, 1);
  if (w->depth + 1 >= REPORT_JSONW_DEPTH) { w->failed = true; return; }
  w->depth++;
  w->first[w->depth] = true;
}

static void close_(report_jsonw *w, char c) {
  bool empty = w->first[w->depth];
  w->depth--;
  if (!empty) newline(w);
  put(w, &c, 1);
}

void report_jsonw_object(report_jsonw *w) { open_(w, '{'); }
void report_jsonw_array(report_jsonw *w) { open_(w, '['); }
void report_jsonw_end_object(report_jsonw *w) { close_(w, '}'); }
void report_jsonw_end_array(report_jsonw *w) { close_(w, ']'); }

static void put_escaped(report_jsonw *w, const char *s) {
  put(w, "\"", 1);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    char esc[8];
    switch (*p) {
      case '"': puts_(w, "\\\""); break;
      case '\\': puts_(w, "\\\\"); break;
      case '\n': puts_(w, "\\n"); break;
      case '\r': puts_(w, "\\r"); break;
      case '\t': puts_(w, "\\t"); break;
      case '\b': puts_(w, "\\b"); break;
      case '\f': puts_(w, "\\f"); break;
      default:
        if (*p < 0x20) {
          snprintf(esc, sizeof esc, "\\u%04x", *p);
          puts_(w, esc);
        } else {
          put(w, (const char *)p, 1);
        }
    }
  }
  put(w, "\"", 1);
}

void report_jsonw_key(report_jsonw *w, const char *k) {
  before_value(w);
  put_escaped(w, k);
  put(w, w->compact ? ":" : ": ", w->compact ? 1 : 2);
  w->after_key = true;
}

void report_jsonw_string(report_jsonw *w, const char *s) {
  before_value(w);
  put_escaped(w, s);
}

void report_jsonw_raw(report_jsonw *w, const char *text) {
  before_value(w);
  puts_(w, text);
}

void report_jsonw_int(report_jsonw *w, int64_t v) {
  char b[32];
  snprintf(b, sizeof b, "%" PRId64, v);
  report_jsonw_raw(w, b);
}

void report_jsonw_bool(report_jsonw *w, bool v) { report_jsonw_raw(w, v ? "true" : "false"); }

void report_jsonw_double(report_jsonw *w, double v) {
  char b[64];
  sim_json_format_double(v, b, sizeof b);
  report_jsonw_raw(w, b);
}

char *report_jsonw_take(report_jsonw *w, size_t *len) {
  put(w, "\n", 1);
  if (w->failed) {
    report_jsonw_release(w);
    return NULL;
  }
  char *r = w->buf;
  if (len) *len = w->len;
  w->buf = NULL;
  report_jsonw_release(w);
  return r;
}
