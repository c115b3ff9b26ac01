/*
 * json.h — strict, path-aware readers over cJSON trees, shared by every
 * loader. Each reader either stores a value or fills the caller's sim_diag
 * with the JSON path and the rule that failed ("expected integer 1..1000"),
 * so no loader ever repeats type and range checks by hand.
 *
 * Ownership: the cJSON tree is borrowed; strings returned through `const char
 * **` point into the tree and live as long as it does.
 */
#ifndef JOBSIM_SIM_JSON_H
#define JOBSIM_SIM_JSON_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "sim.h"

/* Parse a whole document of `len` bytes (text[len] need not be NUL).
 * Rejects empty input, trailing garbage, a UTF-8 BOM (with its own
 * message), invalid UTF-8 (message gives the byte offset), raw control
 * characters inside strings and nesting deeper than 64 arrays/objects
 * (checked before cJSON runs, so deep input cannot exhaust the stack); on
 * error the message gives line:column (column counted in code points), the
 * code is SIM_ERR_PARSE and *out is NULL. `d->file` should already name the
 * source. On success *out is owned by the caller (cJSON_Delete). */
int sim_json_parse(const char *text, size_t len, cJSON **out, sim_diag *d);

/* Strict JSON syntax check of text[0..len) without building a tree (RFC
 * 8259, plus cJSON's limits: \u surrogates paired, numbers under 63
 * characters). Iterative: any depth up to 65,536 levels (deeper counts as
 * invalid) in bounded stack. Allocates nothing. */
bool sim_json_valid(const char *text, size_t len);

/* Read a whole file into a NUL-terminated heap buffer (free with free());
 * *len excludes the NUL. "-" reads stdin. Only a regular file is read (see
 * sim_json_open_regular). Errors: SIM_ERR_IO with strerror text in d,
 * SIM_ERR_LIMIT above 256 MiB, SIM_ERR_NOMEM. */
int sim_json_read_file(const char *path, char **out, size_t *len, sim_diag *d);

/* Open `path` read-only if it is a regular file: opened non-blocking (a
 * FIFO without a writer cannot block) and checked with fstat on the open
 * descriptor, then switched back to blocking. *fd is the caller's to
 * close. Errors (SIM_ERR_IO, *fd = -1): "cannot open 'P': <strerror>" or
 * "cannot read 'P': not a regular file (a FIFO)" (a directory, a
 * character device, ...). */
int sim_json_open_regular(const char *path, int *fd, sim_diag *d);

/* Object checks. `allowed` is a NULL-terminated list of member names (NULL
 * allows any name). Fails with SIM_ERR_SCHEMA on a non-object ("expected an
 * object, got array", at `path`), an unknown member ("unknown field 'x'") or
 * a member given twice ("duplicate field 'x'"), both at path.x. */
int sim_json_check_object(const cJSON *obj, const char *const *allowed,
                          sim_diag *d, const char *path);
/* The same, where an unknown member that is a known slip gets its own
 * explanation: hints is {key, text} pairs ended by {NULL, NULL}, and an
 * unknown member named key reads "unknown field 'key' (text)". Otherwise an
 * unknown member near an allowed name reads "unknown field 'x'; did you
 * mean 'y'?" (sim_did_you_mean). */
typedef struct sim_json_hint {
  const char *key;
  const char *hint;
} sim_json_hint;
int sim_json_check_object_hints(const cJSON *obj, const char *const *allowed,
                                const sim_json_hint *hints, sim_diag *d,
                                const char *path);

/* "Did you mean": the member of the NULL-ended `list` nearest to `s` when
 * it is near enough to be a slip of it, else NULL. Distance is Levenshtein
 * with an adjacent transposition as one edit and ASCII case ignored; near
 * enough is no edit but case for names of 1 or 2 bytes, at most 1 edit up
 * to 4 bytes, 2 up to 8, else 3.
 * Ties go to the earlier member; `s` itself (exactly) is never suggested. */
const char *sim_did_you_mean(const char *s, const char *const *list);

/* Member lookup (case-sensitive). NULL when absent. */
const cJSON *sim_json_get(const cJSON *obj, const char *key);

/* Typed readers for a member `key` of `obj`. If `required` is false and the
 * member is absent, they return SIM_OK and leave *out untouched; `*present`
 * (may be NULL) tells which happened. A required member that is absent
 * gives "missing required field 'key'" at `path` (the parent); every other
 * message is at path.key. Codes: SIM_ERR_SCHEMA for a wrong JSON type
 * ("expected an integer, got string"; null is a wrong type, not absence),
 * SIM_ERR_RANGE for a value outside the bounds. Integers must be integral
 * numbers with |x| <= 2^53 ("expected an integer from 1 to 1000", or
 * "expected an integer >= 1" when max is INT64_MAX); numbers must be finite
 * ("expected a number from 0.5 to 2"; a bound of +-DBL_MAX or +-HUGE_VAL is
 * left out of the message). *out is written only on success. */
int sim_json_int(const cJSON *obj, const char *key, bool required, int64_t min,
                 int64_t max, int64_t *out, bool *present, sim_diag *d,
                 const char *path);
int sim_json_num(const cJSON *obj, const char *key, bool required, double min,
                 double max, double *out, bool *present, sim_diag *d,
                 const char *path);
int sim_json_bool(const cJSON *obj, const char *key, bool required, bool *out,
                  bool *present, sim_diag *d, const char *path);
/* String of byte length min_len..max_len (max_len SIZE_MAX: no limit);
 * messages say "characters" but count bytes. */
int sim_json_str(const cJSON *obj, const char *key, bool required,
                 size_t min_len, size_t max_len, const char **out,
                 bool *present, sim_diag *d, const char *path);
/* String that must be one of `choices` (NULL-terminated, case-sensitive);
 * stores the index. Failure: "expected one of SNAPSHOT, CONTINUOUS". */
int sim_json_enum(const cJSON *obj, const char *key, bool required,
                  const char *const *choices, int *out, bool *present,
                  sim_diag *d, const char *path);

/* Value checks on an item already in hand (for array elements). `path` is
 * the item's own path. */
int sim_json_item_int(const cJSON *it, int64_t min, int64_t max, int64_t *out,
                      sim_diag *d, const char *path);
int sim_json_item_num(const cJSON *it, double min, double max, double *out,
                      sim_diag *d, const char *path);

/* Name of the JSON type of an item for messages ("string", "number",
 * "object", "array", "boolean", "null"). */
const char *sim_json_type_name(const cJSON *it);

/* Print a double the way jobsim prints every JSON double: shortest form that
 * round-trips, always with a decimal point ("2.0", "12.5", "0.1") unless it
 * has an exponent, which is used as %.17g would (decimal exponent below -4
 * or above 16: "1e+21", "1e-05"). Non-finite values print "nan", "inf",
 * "-inf" (not JSON; callers must not emit them). */
void sim_json_format_double(double v, char *buf, size_t n);

#endif
