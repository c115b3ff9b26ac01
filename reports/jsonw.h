/*
 * jsonw.h — a small streaming JSON writer that prints exactly like the AWS
 * CLI (Python json.dumps(indent=4, ensure_ascii=False)): four-space indent,
 * "key": value, empty containers as {} and [], keys in the order written.
 * Numbers are written by the caller as text, so doubles keep a decimal point
 * (O40) and timestamps keep three decimals.
 *
 * Ownership: the writer owns its buffer until report_jsonw_take() hands it
 * to the caller (free with free()).
 */
#ifndef JOBSIM_REPORT_JSONW_H
#define JOBSIM_REPORT_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPORT_JSONW_DEPTH 32

typedef struct report_jsonw {
  char *buf;          /* output so far */
  size_t len, cap;    /* bytes used / allocated */
  int depth;          /* open containers */
  bool first[REPORT_JSONW_DEPTH]; /* nothing written yet in this container */
  bool after_key;     /* a key was just written */
  bool compact;       /* no indentation or newlines */
  bool failed;        /* an allocation failed; output is unusable */
} report_jsonw;

void report_jsonw_init(report_jsonw *w, bool compact);
void report_jsonw_release(report_jsonw *w);
void report_jsonw_object(report_jsonw *w);     /* { */
void report_jsonw_array(report_jsonw *w);      /* [ */
void report_jsonw_end_object(report_jsonw *w); /* } */
void report_jsonw_end_array(report_jsonw *w);  /* ] */
void report_jsonw_key(report_jsonw *w, const char *k);
void report_jsonw_string(report_jsonw *w, const char *s);
void report_jsonw_int(report_jsonw *w, int64_t v);
void report_jsonw_bool(report_jsonw *w, bool v);
void report_jsonw_raw(report_jsonw *w, const char *text);  /* a number as text */
void report_jsonw_double(report_jsonw *w, double v);       /* always with a '.' */
/* Finish (adds a trailing newline) and hand the text over; NULL on failure. */
char *report_jsonw_take(report_jsonw *w, size_t *len);

#endif
