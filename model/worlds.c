/*
 * worlds.c — $.worlds: parsing, validation (docs/validation.md, "Worlds") and
 * applying a world to a scenario document. A world's merged behaviours are
 * validated by the fleet parser itself, on a one-group fleet built from
 * them, so every behaviour rule and message applies unchanged and paths come
 * out under $.worlds.<w>.behaviors.<b>.
 */
#define _POSIX_C_SOURCE 200809L
#include "worlds.h"

#include <ctype.h>
#include <string.h>

#include "json.h"

void model_worlds_free(model_world *w, size_t n) {
  if (!w) return;
  for (size_t i = 0; i < n; i++) {
    free(w[i].name);
    free(w[i].description);
    free(w[i].affects);
  }
  free(w);
}

static bool valid_world_name(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > 64 || s[0] == '.') return false;
  for (; *s; s++)
    if (!(isalnum((unsigned char)*s) || *s == '.' || *s == '_' || *s == '-')) return false;
  return true;
}

/* Merge the overrides of `wb` ($.worlds.W.behaviors) into the behaviours
 * object `bs` (a copy of $.fleet.behaviors): each member replaces the
 * behaviour's member of that name as a whole. */
static int merge(cJSON *bs, const cJSON *wb) {
  for (const cJSON *o = wb ? wb->child : NULL; o; o = o->next) {
    cJSON *base = cJSON_GetObjectItemCaseSensitive(bs, o->string);
    if (!base) return SIM_ERR_STATE;
    for (const cJSON *m = o->child; m; m = m->next) {
      cJSON *v = cJSON_Duplicate(m, 1);
      if (!v) return SIM_ERR_NOMEM;
      if (cJSON_GetObjectItemCaseSensitive(base, m->string))
        cJSON_ReplaceItemInObjectCaseSensitive(base, m->string, v);
      else
        cJSON_AddItemToObject(base, m->string, v);
    }
  }
  return SIM_OK;
}

/* Validate the merged behaviours of one world with the fleet parser. */
static int check_behaviors(const cJSON *wb, const cJSON *fleet_json, sim_diag *d,
                           const char *wpath) {
  if (!wb || !wb->child) return SIM_OK;
  const cJSON *fb = sim_json_get(fleet_json, "behaviors");
  cJSON *tmp = cJSON_CreateObject();
  cJSON *all = cJSON_Duplicate(fb, 1);
  cJSON *bs = cJSON_CreateObject();
  cJSON *groups = cJSON_CreateArray();
  cJSON *g = cJSON_CreateObject();
  int rc = SIM_ERR_NOMEM;
  if (!tmp || !all || !bs || !groups || !g) goto out;
  if ((rc = merge(all, wb))) goto out;
  /* only the overridden ones, in the world's order */
  for (const cJSON *o = wb->child; o; o = o->next) {
    cJSON *m = cJSON_DetachItemFromObjectCaseSensitive(all, o->string);
    if (m) cJSON_AddItemToObject(bs, o->string, m);
  }
  cJSON_AddStringToObject(g, "name", "world");
  cJSON_AddNumberToObject(g, "things", 1);
  cJSON_AddStringToObject(g, "behavior", wb->child->string);
  cJSON_AddItemToArray(groups, g);
  g = NULL;
  cJSON_AddItemToObject(tmp, "behaviors", bs);
  bs = NULL;
  cJSON_AddItemToObject(tmp, "groups", groups);
  groups = NULL;
  model_fleet f;
  memset(&f, 0, sizeof f);
  rc = model_fleet_parse(&f, tmp, d, wpath);
  model_fleet_release(&f);
  cJSON_Delete(tmp);
  tmp = NULL;
out:
  if (rc == SIM_ERR_NOMEM) sim_diag_set(d, rc, wpath, "out of memory");
  cJSON_Delete(tmp);
  cJSON_Delete(all);
  cJSON_Delete(bs);
  cJSON_Delete(groups);
  cJSON_Delete(g);
  return rc;
}

static int cmp_size(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return x < y ? -1 : x > y;
}

static int parse_world(model_world *w, const cJSON *obj, const cJSON *fleet_json,
                       const model_fleet *f, sim_diag *d, const char *path) {
  static const char *const keys[] = {"description", "behaviors", "affects", NULL};
  char p[512], ip[512];
  int rc;
  if ((rc = sim_json_check_object(obj, keys, d, path))) return rc;
  const char *s;
  bool present;
  if ((rc = sim_json_str(obj, "description", false, 0, 4096, &s, &present, d, path)))
    return rc;
  if (present && !(w->description = strdup(s)))
    return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");

  const cJSON *wb = sim_json_get(obj, "behaviors");
  bool *overridden = calloc(f->n_behaviors ? f->n_behaviors : 1, sizeof *overridden);
  if (!overridden) return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
  if (wb) {
    sim_path_key(p, sizeof p, path, "behaviors");
    if ((rc = sim_json_check_object(wb, NULL, d, p))) goto out;
    for (const cJSON *o = wb->child; o; o = o->next) {
      sim_path_key(ip, sizeof ip, p, o->string);
      size_t b = 0;
      while (b < f->n_behaviors && strcmp(f->behaviors[b].name, o->string) != 0) b++;
      if (b == f->n_behaviors) {
        rc = sim_diag_set(d, SIM_ERR_RANGE, ip,
                          "unknown behavior '%.64s' (not defined in $.fleet.behaviors)",
                          o->string);
        goto out;
      }
      if (!cJSON_IsObject(o)) {
        rc = sim_diag_set(d, SIM_ERR_SCHEMA, ip, "expected an object, got %s",
                          sim_json_type_name(o));
        goto out;
      }
      if ((rc = sim_json_check_object(o, NULL, d, ip))) goto out;
      overridden[b] = true;
      w->n_overrides++;
    }
    if ((rc = check_behaviors(wb, fleet_json, d, path))) goto out;
  }

  const cJSON *af = sim_json_get(obj, "affects");
  size_t cap = af ? (size_t)cJSON_GetArraySize(af) : f->n_groups;
  w->affects = calloc(cap ? cap : 1, sizeof *w->affects);
  if (!w->affects) {
    rc = sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
    goto out;
  }
  if (af) {
    w->affects_given = true;
    sim_path_key(p, sizeof p, path, "affects");
    if (!cJSON_IsArray(af)) {
      rc = sim_diag_set(d, SIM_ERR_SCHEMA, p, "expected an array, got %s",
                        sim_json_type_name(af));
      goto out;
    }
    size_t k = 0;
    for (const cJSON *it = af->child; it; it = it->next, k++) {
      sim_path_index(ip, sizeof ip, p, k);
      if (!cJSON_IsString(it)) {
        rc = sim_diag_set(d, SIM_ERR_SCHEMA, ip, "expected a string, got %s",
                          sim_json_type_name(it));
        goto out;
      }
      long g = model_fleet_find_group(f, it->valuestring);
      if (g < 0) {
        rc = sim_diag_set(d, SIM_ERR_RANGE, ip,
                          "unknown group '%.64s' (not in $.fleet.groups)",
                          it->valuestring);
        goto out;
      }
      size_t j = 0;
      const cJSON *prev = af->child;
      for (; j < k; j++, prev = prev->next)
        if (strcmp(prev->valuestring, it->valuestring) == 0) break;
      if (j < k) {
        char jp[512];
        sim_path_index(jp, sizeof jp, p, j);
        rc = sim_diag_set(d, SIM_ERR_RANGE, ip,
                          "duplicate group '%.64s', already given at %s",
                          it->valuestring, jp);
        goto out;
      }
      w->affects[w->n_affects++] = (size_t)g;
    }
    qsort(w->affects, w->n_affects, sizeof *w->affects, cmp_size);
  } else {
    for (size_t g = 0; g < f->n_groups; g++)
      if (overridden[f->groups[g].behavior]) w->affects[w->n_affects++] = g;
  }
  rc = SIM_OK;
out:
  free(overridden);
  return rc;
}

int model_worlds_parse(model_world **out, size_t *n, const cJSON *json,
                       const cJSON *fleet_json, const model_fleet *f, sim_diag *d) {
  static const char *const path = "$.worlds";
  *out = NULL;
  *n = 0;
  if (!json) return SIM_OK;
  int rc;
  if ((rc = sim_json_check_object(json, NULL, d, path))) return rc;
  size_t cnt = (size_t)cJSON_GetArraySize(json);
  if (cnt < 1 || cnt > MODEL_MAX_WORLDS)
    return sim_diag_set(d, SIM_ERR_RANGE, path, "expected 1 to %d worlds, got %zu",
                        MODEL_MAX_WORLDS, cnt);
  model_world *w = calloc(cnt, sizeof *w);
  if (!w) return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
  size_t k = 0;
  for (const cJSON *it = json->child; it; it = it->next, k++) {
    char p[512];
    sim_path_key(p, sizeof p, path, it->string);
    if (!valid_world_name(it->string)) {
      rc = sim_diag_set(d, SIM_ERR_RANGE, p,
                        "expected a world name of 1 to 64 characters from "
                        "[A-Za-z0-9._-], not starting with '.'");
      goto fail;
    }
    if (!(w[k].name = strdup(it->string))) {
      rc = sim_diag_set(d, SIM_ERR_NOMEM, p, "out of memory");
      goto fail;
    }
    if ((rc = parse_world(&w[k], it, fleet_json, f, d, p))) goto fail;
  }
  *out = w;
  *n = cnt;
  return SIM_OK;
fail:
  model_worlds_free(w, cnt);
  return rc;
}

int model_world_apply(cJSON *root, const char *name, sim_diag *d) {
  cJSON *worlds = cJSON_GetObjectItemCaseSensitive(root, "worlds");
  if (!worlds) {
    if (strcmp(name, MODEL_WORLD_DEFAULT) == 0) return SIM_OK;
    return sim_diag_set(d, SIM_ERR_RANGE, "$",
                        "unknown world '%.64s': the scenario has no $.worlds, only "
                        "the implicit world '" MODEL_WORLD_DEFAULT "'", name);
  }
  const cJSON *w = cJSON_GetObjectItemCaseSensitive(worlds, name);
  if (!w) {
    char list[1024] = "";
    for (const cJSON *it = worlds->child; it; it = it->next)
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
               it == worlds->child ? "" : ", ", it->string);
    return sim_diag_set(d, SIM_ERR_RANGE, "$.worlds",
                        "unknown world '%.64s'; the scenario's worlds are %s", name, list);
  }
  cJSON *fleet = cJSON_GetObjectItemCaseSensitive(root, "fleet");
  cJSON *bs = fleet ? cJSON_GetObjectItemCaseSensitive(fleet, "behaviors") : NULL;
  int rc = bs ? merge(bs, cJSON_GetObjectItemCaseSensitive(w, "behaviors"))
              : SIM_ERR_STATE;
  if (rc) return sim_diag_set(d, rc, "$.worlds", "cannot apply world '%.64s': %s", name,
                              sim_strerror(rc));
  cJSON_DeleteItemFromObjectCaseSensitive(root, "worlds");
  return SIM_OK;
}
