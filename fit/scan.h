/*
 * scan.h — a strict pull reader over one JSON document held in memory, for
 * the AWS CLI outputs `jobsim fit` reads. They can be large (a million
 * execution summaries are about 400 MB as the CLI prints them), so nothing
 * builds a tree: the caller walks objects and arrays member by member and
 * reads strings into its own buffers and numbers as their exact text (an
 * epoch timestamp is converted from its decimal digits, never through a
 * double). Syntax follows RFC 8259 (UTF-8 checked inside strings, \u
 * surrogates paired, nesting at most 64 deep); every error names the line
 * and column.
 *
 * Ownership: the scanner borrows the text for its lifetime; the caller owns
 * every buffer it passes in.
 */
#ifndef JOBSIM_FIT_SCAN_H
#define JOBSIM_FIT_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include "sim.h"

typedef struct fit_scan {
  const char *text;   /* the document */
  size_t len;         /* its length, bytes */
  size_t pos;         /* read position, bytes */
  int depth;          /* open arrays and objects */
  bool first;         /* nothing read yet in the innermost container */
  uint64_t objmask;   /* bit i set: container at depth i is an object */
  sim_diag *d;        /* where errors go (file already named) */
} fit_scan;

/* JSON value kinds, as fit_scan_peek() sees the next value. */
typedef enum fit_kind {
  FIT_JSON_OBJECT, FIT_JSON_ARRAY, FIT_JSON_STRING, FIT_JSON_NUMBER,
  FIT_JSON_TRUE, FIT_JSON_FALSE, FIT_JSON_NULL, FIT_JSON_BAD
} fit_kind;

void fit_scan_init(fit_scan *s, const char *text, size_t len, sim_diag *d);

/* Kind of the value at the read position (after whitespace). */
fit_kind fit_scan_peek(fit_scan *s);
/* "object", "array", ... for messages. */
const char *fit_kind_name(fit_kind k);

/* Enter the object/array at the read position (SIM_ERR_PARSE otherwise). */
int fit_scan_enter(fit_scan *s);
/* Next member of the innermost object: its key into key[cap] (a longer key
 * is cut and ends in "..."), positioned on its value; *more is false at the
 * closing '}' (which is consumed). */
int fit_scan_key(fit_scan *s, char *key, size_t cap, bool *more);
/* Next element of the innermost array: positioned on it; *more false at
 * ']' (consumed). */
int fit_scan_elem(fit_scan *s, bool *more);

/* A string value, decoded, NUL-terminated, into buf[cap]; SIM_ERR_RANGE
 * (message "string longer than N bytes") when it does not fit. *n gets its
 * length (may be NULL). */
int fit_scan_string(fit_scan *s, char *buf, size_t cap, size_t *n);
/* A number value's text (validated) into buf[cap]. */
int fit_scan_number(fit_scan *s, char *buf, size_t cap);
/* Skip any value. */
int fit_scan_skip(fit_scan *s);
/* After the top-level value: only whitespace may follow. */
int fit_scan_finish(fit_scan *s);

/* Line and column (1-based, column in code points) of the read position,
 * for messages about values the caller rejects. */
void fit_scan_where(const fit_scan *s, size_t *line, size_t *col);

#endif
