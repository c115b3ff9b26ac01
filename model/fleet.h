/*
 * fleet.h — the simulated fleet: named groups of things, each group tied to
 * a device behaviour (connectivity, start delay, run time, outcome mix), and
 * the resolution of CreateJob target ARNs (thing/<name>, thinggroup/<name>)
 * to thing indices.
 *
 * Things are numbered 0..n-1, group by group in file order, so a group is a
 * contiguous index range and no per-thing storage is needed here. Generated
 * names are "<group>-NNNNNN" (zero-padded to at least 6 digits, wider for
 * groups above a million), numbered from 0; a group may instead list explicit
 * names. Each thing belongs to exactly one group (static membership; dynamic
 * membership is the lifecycle work).
 *
 * Ownership: a model_fleet owns its groups, behaviours and names; release
 * with model_fleet_release().
 */
#ifndef JOBSIM_MODEL_FLEET_H
#define JOBSIM_MODEL_FLEET_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "sim.h"
#include "dist.h"
#include "index.h"

#define MODEL_MAX_THINGS INT64_C(100000000)  /* 1e8: sim cap, see docs */
#define MODEL_MAX_GROUPS 1024

/* Device outcomes of one execution attempt. */
typedef enum model_outcome {
  MODEL_OUTCOME_SUCCEEDED,
  MODEL_OUTCOME_FAILED,
  MODEL_OUTCOME_REJECTED,     /* straight from QUEUED, at the start instant */
  MODEL_OUTCOME_NO_RESPONSE,  /* starts, never reports: only a timeout ends it */
  MODEL_OUTCOME_COUNT
} model_outcome;

typedef struct model_behavior {
  char *name;                 /* key in fleet.behaviors */
  double connected;           /* P(device online when notified), 0..1 */
  sim_dist reconnect_after;   /* offline: delay until it reconnects, ms */
  sim_dist start_delay;       /* notified -> StartNext (or reject), ms */
  sim_dist run_time;          /* IN_PROGRESS -> terminal report, ms */
  double outcome_cum[MODEL_OUTCOME_COUNT]; /* cumulative P, last == 1 */
  double outcome_p[MODEL_OUTCOME_COUNT];   /* as given, for reports */
  int64_t step_timeout_min;   /* stepTimeoutInMinutes sent with StartNext, 0 none */
  bool has_progress;          /* the device reports IN_PROGRESS periodically */
  sim_dist progress_every;    /* delay between progress updates, ms */
  int64_t progress_step_min;  /* step timeout sent with each update: 1..10080,
                                 -1 clears the step timer, 0 leaves it alone */
  bool external;              /* {"external": true}: no simulated device; only
                                 the served data plane moves its executions */
} model_behavior;

typedef struct model_group {
  char *name;                 /* thing-group name, [a-zA-Z0-9:_-]{1,128} */
  int64_t first;              /* index of its first thing */
  int64_t count;              /* number of things */
  size_t behavior;            /* index into model_fleet.behaviors */
  char **names;               /* explicit thing names, or NULL (generated) */
  int digits;                 /* width of generated numbers (>= 6) */
  double arrivals_per_hour;   /* Poisson joins of new things, 0 none */
  double departures_per_hour; /* Poisson departures of members, 0 none */
} model_group;

typedef struct model_fleet {
  model_group *groups;
  size_t n_groups;
  model_behavior *behaviors;
  size_t n_behaviors;
  int64_t n_things;           /* total things */
  sim_index names;            /* explicit thing names -> thing index */
} model_fleet;

/* Parse fleet JSON (path is e.g. "$.fleet"). */
int model_fleet_parse(model_fleet *f, const cJSON *json, sim_diag *d,
                      const char *path);
void model_fleet_release(model_fleet *f);          /* safe on zeroed */

/* Group of a thing index (binary search, O(log groups)). */
size_t model_fleet_group_of(const model_fleet *f, int64_t thing);
/* Write the thing's name into buf. */
void model_fleet_thing_name(const model_fleet *f, int64_t thing, char *buf,
                            size_t n);
/* Look up things by name; -1 if unknown. O(groups + explicit names). */
int64_t model_fleet_find_thing(const model_fleet *f, const char *name);
/* Number within a generated-name group of "<group>-NNNNNN" (any number,
 * including things that joined later); -1 when the name has another form. */
int64_t model_group_generated_index(const model_group *g, const char *name);
/* Look up a group by name; -1 if unknown. */
long model_fleet_find_group(const model_fleet *f, const char *name);
/* "; did you mean 'x'?" into hint[hn] when name is near a group's name
 * (sim_did_you_mean), else "". */
void model_fleet_group_hint(const model_fleet *f, const char *name, char *hint, size_t hn);

/* Draw an outcome from a behaviour (one uniform). */
model_outcome model_behavior_outcome(const model_behavior *b, double u);
const char *model_outcome_name(model_outcome o);

#endif
