/*
 * worlds.h — alternative worlds of a scenario ($.worlds): what-if variants of
 * the fleet's device behaviours, such as "healthy" (the release works) and
 * "bad-release" (rev-B boards fail 30 %). Sweeps and the planner run every
 * world and report per world; `jobsim run` uses the fleet as written unless
 * `--world NAME` picks one.
 *
 *   "worlds": {
 *     "healthy":     { "behaviors": { "bad-release": { "outcomes": { "SUCCEEDED": 1 } } } },
 *     "bad-release": { "affects": ["rev-b"] }
 *   }
 *
 * A world overrides behaviours of $.fleet.behaviors field by field: each
 * member given in $.worlds.W.behaviors.B replaces that member of behaviour B
 * as a whole (an `outcomes` object replaces the whole outcome mix and must
 * sum to 1 by itself); members not given keep the fleet's values. A world
 * cannot add behaviours or change which behaviour a group uses. `affects`
 * names the fleet groups whose things count as the exposure of a bad
 * release in that world; by default, the groups whose behaviour the world
 * overrides. `description` is free text.
 *
 * A scenario without $.worlds has one implicit world, "default": the fleet
 * as written, affecting no group.
 *
 * Ownership: model_world arrays are owned by the scenario that parsed them
 * (model_worlds_free). This module knows the fleet, not the scenario:
 * loading a scenario as a world sees it is scenario.h's model_world_load.
 */
#ifndef JOBSIM_MODEL_WORLDS_H
#define JOBSIM_MODEL_WORLDS_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "sim.h"
#include "fleet.h"

#define MODEL_MAX_WORLDS 64
#define MODEL_WORLD_DEFAULT "default"   /* the implicit world's name */

typedef struct model_world {
  char *name;            /* key in $.worlds: [A-Za-z0-9._-]{1,64} */
  char *description;     /* or NULL */
  size_t *affects;       /* fleet group indices, ascending, no duplicates */
  size_t n_affects;
  size_t n_overrides;    /* behaviours the world overrides */
  bool affects_given;    /* `affects` was written (else the default) */
} model_world;

/* Parse and validate $.worlds (`json` may be NULL: no worlds, *n = 0)
 * against the already parsed fleet `f` and its JSON `fleet_json`. Messages
 * name the path under $.worlds. */
int model_worlds_parse(model_world **out, size_t *n, const cJSON *json,
                       const cJSON *fleet_json, const model_fleet *f, sim_diag *d);
void model_worlds_free(model_world *w, size_t n);   /* NULL is a no-op */

/* Rewrite a scenario document in place as world `name` sees it: merge the
 * world's overrides into $.fleet.behaviors and remove $.worlds. A document
 * without worlds accepts only MODEL_WORLD_DEFAULT. SIM_ERR_RANGE (with a
 * message listing the worlds) for an unknown name. The document must
 * already have passed validation. */
int model_world_apply(cJSON *root, const char *name, sim_diag *d);

#endif
