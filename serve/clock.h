/*
 * clock.h — the simulated clock of jobsim serve. Simulated time is an offset
 * (ms) after the scenario's start instant (the job's creation). With
 * `--speed X` it runs X simulated seconds per wall second from where it was
 * last set; with `--clock manual` it stands still until set. Setting it
 * (POST /jobsim/clock, {"advance": "10m"} or {"to": "+1h"}) works in both
 * modes and never goes back.
 *
 * Wall time is passed in (seconds on a monotonic clock), so the clock is a
 * pure value and tests need no sleeping.
 */
#ifndef JOBSIM_SERVE_CLOCK_H
#define JOBSIM_SERVE_CLOCK_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "sim.h"

#define SERVE_SPEED_MAX 1e6

typedef struct serve_clock {
  bool manual;             /* stands still between settings */
  double speed;            /* simulated s per wall s (speed mode) */
  sim_time_ms base;        /* offset at wall_base */
  double wall_base;        /* monotonic seconds when base was set */
  sim_time_ms limit;       /* the clock never passes this offset */
} serve_clock;

void serve_clock_init(serve_clock *c, bool manual, double speed, sim_time_ms limit,
                      double wall_now);
/* Offset now (ms after start), at most c->limit. */
sim_time_ms serve_clock_now(const serve_clock *c, double wall_now);
/* Move the clock to offset `to`; SIM_ERR_RANGE (and c untouched) when that
 * is before now or past the limit. */
int serve_clock_set(serve_clock *c, sim_time_ms to, double wall_now);

/* Apply a POST /jobsim/clock body: {"advance": DURATION} or {"to": OFFSET},
 * OFFSET being "+1h", "1h", seconds, or an ISO 8601 UTC time (start_epoch_ms
 * turns it into an offset). Errors go to d with the JSON path and the rule. */
int serve_clock_apply(serve_clock *c, const cJSON *body, int64_t start_epoch_ms,
                      double wall_now, sim_diag *d);

/* {"now": "2026-01-01T00:10:00.000Z", "offset": "10m"} (compact, newline);
 * heap, NULL when out of memory. */
char *serve_clock_json(sim_time_ms offset, int64_t start_epoch_ms, size_t *len);

#endif
