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

/* Parse a whole document. Rejects empty input, trailing garbage, a UTF-8
 * BOM (with its own message) and nesting deeper than 64; on error the
 * message gives line:column. `d->file` should already name the source. */
int sim_json_parse(const char *text, size_t len, cJSON **out, sim_diag *d);

/* Read a whole file into a NUL-terminated heap buffer (free with free()).
 * "-" reads stdin. Errors: SIM_ERR_IO with strerror text in d. */
int sim_json_read_file(const char *path, char **out, size_t *len, sim_diag *d);

/* Object checks. `allowed` is a NULL-terminated list of member names.
 * Fails on a non-object, an unknown member ("unknown field 'x'") or a member
 * given twice ("duplicate field 'x'"). */
int sim_json_check_object(const cJSON *obj, const char *const *allowed,
                          sim_diag *d, const char *path);

/* Member lookup (case-sensitive). NULL when absent. */
const cJSON *sim_json_get(const cJSON *obj, const char *key);

/* Typed readers for a member `key` of `obj`. If `required` is false and the
 * member is absent, they return SIM_OK and leave *out untouched; `*present`
 * (may be NULL) tells which happened. The path in messages is parent.key. */
int sim_json_int(const cJSON *obj, const char *key, bool required, int64_t min,
                 int64_t max, int64_t *out, bool *present, sim_diag *d,
                 const char *path);
int sim_json_num(const cJSON *obj, const char *key, bool required, double min,
                 double max, double *out, bool *present, sim_diag *d,
                 const char *path);
int sim_json_bool(const cJSON *obj, const char *key, bool required, bool *out,
                  bool *present, sim_diag *d, const char *path);
/* String of byte length min_len..max_len. */
int sim_json_str(const cJSON *obj, const char *key, bool required,
                 size_t min_len, size_t max_len, const char **out,
                 bool *present, sim_diag *d, const char *path);
/* String that must be one of `choices` (NULL-terminated); stores the index. */
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
 * round-trips, always with a decimal point ("2.0", "12.5", "0.1"). */
void sim_json_format_double(double v, char *buf, size_t n);

#endif
