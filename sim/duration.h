/*
 * duration.h — durations as users write them in scenario files: strings such
 * as "250ms", "90s", "5m", "1h30m", "2d", "1d2h3m4.5s", or JSON numbers of
 * seconds (fractions allowed, rounded to the millisecond). Also the inverse:
 * a compact human rendering used in logs and file names.
 *
 * Ownership: callers own every buffer; nothing allocates.
 */
#ifndef JOBSIM_SIM_DURATION_H
#define JOBSIM_SIM_DURATION_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "sim.h"

/* Largest duration accepted anywhere: 100 years in milliseconds. Keeps every
 * sum of two times far from int64 overflow. */
#define SIM_DURATION_MAX (INT64_C(100) * 366 * SIM_MS_PER_D)

/* Parse a duration string. Units: ms, s, m, h, d (each at most once, in
 * decreasing order); a number may carry a fraction ("1.5h"), which is
 * converted exactly and rounded half up to the millisecond per component; a
 * bare number is seconds. Negative values, empty strings, spaces, exponents,
 * unknown units and values above SIM_DURATION_MAX are rejected. Returns
 * SIM_OK, SIM_ERR_PARSE (syntax) or SIM_ERR_RANGE (too long) and a static
 * reason in *why (may be NULL; set to NULL on success). */
int sim_duration_parse(const char *s, sim_time_ms *out, const char **why);

/* Parse a JSON duration (string as above, or a non-negative number of
 * seconds). On failure fills d with path and rule, e.g.
 * `expected a duration such as "90s", "5m", "1h30m" or a number of seconds`. */
int sim_duration_from_json(const cJSON *item, sim_time_ms *out, sim_diag *d,
                           const char *path);

/* Render compactly: 0 -> "0s", 5400000 -> "1h30m", 1500 -> "1.5s",
 * 90061001 -> "1d1h1m1.001s"; below one second the milliseconds stay a
 * fraction of a second (250 -> "0.25s", never "250ms"); a negative value
 * gets a leading '-'. For 0 <= t <= SIM_DURATION_MAX,
 * sim_duration_parse(format(t)) == t. Always NUL-terminates (n >= 1). */
void sim_duration_format(sim_time_ms t, char *buf, size_t n);

#endif
