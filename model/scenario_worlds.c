/*
 * scenario_worlds.c — a scenario seen through its worlds: it owns loading a
 * scenario again as one world sees it, and finding and listing a scenario's
 * worlds; it reads the scenario and calls worlds.c (model_world_apply) and
 * scenario.c (model_scenario_load_text), neither of which calls it, so
 * worlds.c stays below scenario.c and this file sits above both.
 */
#define _POSIX_C_SOURCE 200809L
#include "scenario.h"

#include <stdio.h>
#include <string.h>

#include "json.h"

int model_world_load(model_scenario **out, const model_scenario *sc, const char *name,
                     sim_diag *d) {
  *out = NULL;
  sim_diag_init(d, sc->file);
  cJSON *root = NULL;
  int rc = sim_json_parse(sc->json_text, strlen(sc->json_text), &root, d);
  if (rc) return rc;
  char *text = NULL;
  if (!(rc = model_world_apply(root, name, d))) {
    text = cJSON_PrintUnformatted(root);
    if (!text) rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  }
  cJSON_Delete(root);
  if (rc) return rc;
  rc = model_scenario_load_text(out, sc->file, text, strlen(text), d);
  cJSON_free(text);
  if (rc) return rc;
  (*out)->sim = sc->sim;   /* command-line overrides (seed, until) carry over */
  return SIM_OK;
}

long model_world_find(const model_scenario *sc, const char *name) {
  for (size_t i = 0; i < sc->n_worlds; i++)
    if (strcmp(sc->worlds[i].name, name) == 0) return (long)i;
  return -1;
}

void model_world_list(const model_scenario *sc, char *buf, size_t n) {
  if (!n) return;
  buf[0] = 0;
  if (sc->n_worlds == 0) {
    snprintf(buf, n, "%s", MODEL_WORLD_DEFAULT);
    return;
  }
  for (size_t i = 0; i < sc->n_worlds; i++) {
    size_t l = strlen(buf);
    snprintf(buf + l, n - l, "%s%s", i ? ", " : "", sc->worlds[i].name);
  }
}
