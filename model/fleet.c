/*
 * fleet.c — fleet groups, behaviours and target-name resolution.
 * Name lookup is a linear pass over groups (and explicit names): it runs only
 * for the at most 100 job targets, so no hash table is kept.
 */
#define _POSIX_C_SOURCE 200809L
#include "fleet.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "index.h"

static const char *const outcome_names[MODEL_OUTCOME_COUNT] = {
    "SUCCEEDED", "FAILED", "REJECTED", "NO_RESPONSE"};

const char *model_outcome_name(model_outcome o) {
  return (unsigned)o < MODEL_OUTCOME_COUNT ? outcome_names[o] : "?";
}

/* AWS thing and thing-group names: [a-zA-Z0-9:_-]+, 1..128. */
static bool valid_name(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > 128) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!(isalnum(c) || c == ':' || c == '_' || c == '-')) return false;
  }
  return true;
}

static void behavior_release(model_behavior *b) {
  free(b->name);
  sim_dist_release(&b->reconnect_after);
  sim_dist_release(&b->start_delay);
  sim_dist_release(&b->run_time);
  sim_dist_release(&b->progress_every);
  memset(b, 0, sizeof *b);
}

void model_fleet_release(model_fleet *f) {
  if (!f) return;
  for (size_t i = 0; i < f->n_groups; i++) {
    model_group *g = &f->groups[i];
    if (g->names) {
      for (int64_t k = 0; k < g->count; k++) free(g->names[k]);
      free(g->names);
    }
    free(g->name);
  }
  free(f->groups);
  for (size_t i = 0; i < f->n_behaviors; i++) behavior_release(&f->behaviors[i]);
  free(f->behaviors);
  sim_index_release(&f->names);
  memset(f, 0, sizeof *f);
}

static int parse_dist_field(const cJSON *obj, const char *key, sim_dist *out,
                            sim_time_ms dflt, sim_diag *d, const char *path) {
  const cJSON *it = sim_json_get(obj, key);
  if (!it) {
    sim_dist_constant(out, dflt);
    return SIM_OK;
  }
  char p[512];
  sim_path_key(p, sizeof p, path, key);
  return sim_dist_from_json(out, it, NULL, d, p);
}

static int parse_behavior(model_behavior *b, const char *name, const cJSON *obj,
                          sim_diag *d, const char *path) {
  static const char *const keys[] = {"connected", "reconnectAfter", "startDelay",
                                     "runTime", "outcomes", "stepTimeoutInMinutes",
                                     "progress", "external", NULL};
  static const char *const pkeys[] = {"every", "stepTimeoutInMinutes", NULL};
  static const char *const okeys[] = {"SUCCEEDED", "FAILED", "REJECTED",
                                      "NO_RESPONSE", NULL};
  int rc = sim_json_check_object(obj, keys, d, path);
  if (rc) return rc;
  b->name = strdup(name);
  if (!b->name) return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
  /* {"external": true}: things no simulated device drives (jobsim serve's
   * data plane moves them); nothing else to say about such a device. */
  if ((rc = sim_json_bool(obj, "external", false, &b->external, NULL, d, path))) return rc;
  if (b->external && cJSON_GetArraySize(obj) > 1) {
    const cJSON *m = obj->child;
    while (m && strcmp(m->string, "external") == 0) m = m->next;
    char mp[512];
    sim_path_key(mp, sizeof mp, path, m ? m->string : "external");
    return sim_diag_set(d, SIM_ERR_SCHEMA, mp,
                        "an external behavior takes no other fields: no simulated "
                        "device drives its things");
  }
  b->connected = 1.0;
  rc = sim_json_num(obj, "connected", false, 0.0, 1.0, &b->connected, NULL, d, path);
  if (rc) return rc;
  if ((rc = parse_dist_field(obj, "reconnectAfter", &b->reconnect_after,
                             5 * SIM_MS_PER_MIN, d, path)) ||
      (rc = parse_dist_field(obj, "startDelay", &b->start_delay, 0, d, path)) ||
      (rc = parse_dist_field(obj, "runTime", &b->run_time, SIM_MS_PER_MIN, d, path)))
    return rc;
  if (b->external) {   /* never drawn from; a valid mix for reports */
    b->outcome_p[MODEL_OUTCOME_SUCCEEDED] = 1.0;
    for (int i = 0; i < MODEL_OUTCOME_COUNT; i++) b->outcome_cum[i] = 1.0;
    return SIM_OK;
  }
  if ((rc = sim_json_int(obj, "stepTimeoutInMinutes", false, 1, 10080,
                         &b->step_timeout_min, NULL, d, path)))
    return rc;
  const cJSON *pg = sim_json_get(obj, "progress");
  if (pg) {
    char pp[512];
    sim_path_key(pp, sizeof pp, path, "progress");
    if ((rc = sim_json_check_object(pg, pkeys, d, pp))) return rc;
    const cJSON *ev = sim_json_get(pg, "every");
    if (!ev)
      return sim_diag_set(d, SIM_ERR_SCHEMA, pp, "missing required field 'every'");
    char ep[512];
    sim_path_key(ep, sizeof ep, pp, "every");
    if ((rc = sim_dist_from_json(&b->progress_every, ev, NULL, d, ep))) return rc;
    b->has_progress = true;
    if (sim_dist_mean(&b->progress_every) < 1000.0)
      return sim_diag_set(d, SIM_ERR_RANGE, ep,
                          "expected progress updates at most once a second on average");
    int64_t st = 0;
    bool st_given = false;
    rc = sim_json_int(pg, "stepTimeoutInMinutes", false, -1, 10080, &st, &st_given,
                      d, pp);
    /* One message for 0 and every other number outside {-1} u 1..10080 (the
     * shared "from -1 to 10080" would suggest that 0 is allowed). */
    if ((rc && cJSON_IsNumber(sim_json_get(pg, "stepTimeoutInMinutes"))) ||
        (!rc && st_given && st == 0)) {
      sim_path_key(ep, sizeof ep, pp, "stepTimeoutInMinutes");
      return sim_diag_set(d, SIM_ERR_RANGE, ep,
                          "expected 1 to 10080 minutes, or -1 to clear the step timer");
    }
    if (rc) return rc;
    b->progress_step_min = st;
  }
  const cJSON *oc = sim_json_get(obj, "outcomes");
  if (!oc) {
    b->outcome_p[MODEL_OUTCOME_SUCCEEDED] = 1.0;
  } else {
    char op[512];
    sim_path_key(op, sizeof op, path, "outcomes");
    static const sim_json_hint ohints[] = {
        {"TIMED_OUT", "TIMED_OUT is the status the service gives an execution "
                      "whose device does not report in time: give that device "
                      "NO_RESPONSE and the job a timeoutConfig"},
        {"CANCELED", "an execution is CANCELED by the job, not by its device"},
        {"TIMEOUT", "a device that never reports is NO_RESPONSE; the job's "
                    "timeoutConfig then makes it TIMED_OUT"},
        {NULL, NULL}};
    if ((rc = sim_json_check_object_hints(oc, okeys, ohints, d, op))) return rc;
    for (int i = 0; i < MODEL_OUTCOME_COUNT; i++) {
      rc = sim_json_num(oc, outcome_names[i], false, 0.0, 1.0, &b->outcome_p[i],
                        NULL, d, op);
      if (rc) return rc;
    }
  }
  double sum = 0;
  for (int i = 0; i < MODEL_OUTCOME_COUNT; i++) {
    sum += b->outcome_p[i];
    b->outcome_cum[i] = sum;
  }
  if (fabs(sum - 1.0) > 1e-9) {
    char op[512];
    sim_path_key(op, sizeof op, path, "outcomes");
    return sim_diag_set(d, SIM_ERR_RANGE, op,
                        "outcome probabilities must sum to 1, got %.10g", sum);
  }
  for (int i = 0; i < MODEL_OUTCOME_COUNT; i++)
    b->outcome_cum[i] /= sum;
  b->outcome_cum[MODEL_OUTCOME_COUNT - 1] = 1.0;
  return SIM_OK;
}

model_outcome model_behavior_outcome(const model_behavior *b, double u) {
  for (int i = 0; i < MODEL_OUTCOME_COUNT - 1; i++)
    if (u < b->outcome_cum[i]) return (model_outcome)i;
  return (model_outcome)(MODEL_OUTCOME_COUNT - 1);
}

static int digits_for(int64_t count) {
  int w = 1;
  for (int64_t x = count > 0 ? count - 1 : 0; x >= 10; x /= 10) w++;
  return w < 6 ? 6 : w;
}

int64_t model_group_generated_index(const model_group *g, const char *name) {
  size_t gl = strlen(g->name);
  if (strncmp(name, g->name, gl) != 0 || name[gl] != '-') return -1;
  const char *p = name + gl + 1;
  size_t n = strlen(p);
  /* exactly `digits` wide, or wider without a leading zero (numbers past
   * 10^digits, reached by arrivals) */
  if ((int)n < g->digits || n > 12 || ((int)n > g->digits && p[0] == '0')) return -1;
  int64_t v = 0;
  for (; *p; p++) {
    if (!isdigit((unsigned char)*p)) return -1;
    v = v * 10 + (*p - '0');
  }
  return v;
}

/* Index within group g of a generated name of one of its initial things. */
static int64_t generated_index(const model_group *g, const char *name) {
  if (g->names) return -1;
  int64_t v = model_group_generated_index(g, name);
  return v < g->count ? v : -1;
}

/* Explicit name of thing t (a thing of a group that lists names). */
static const char *explicit_name(const model_fleet *f, int64_t t) {
  const model_group *g = &f->groups[model_fleet_group_of(f, t)];
  return g->names ? g->names[t - g->first] : NULL;
}

int64_t model_fleet_find_thing(const model_fleet *f, const char *name) {
  /* explicit names: the hash index; generated names: parsed per group */
  size_t cur = 0;
  for (int64_t t; (t = sim_index_next(&f->names, sim_index_hash_str(name), &cur)) >= 0;)
    if (strcmp(explicit_name(f, t), name) == 0) return t;
  for (size_t i = 0; i < f->n_groups; i++) {
    int64_t k = generated_index(&f->groups[i], name);
    if (k >= 0) return f->groups[i].first + k;
  }
  return -1;
}

/* "; did you mean 'x'?" for a name near one of n names (name_at(i)), or "". */
static void near_hint(char *hint, size_t hn, const char *name, size_t n,
                      const char *(*name_at)(const model_fleet *, size_t),
                      const model_fleet *f) {
  hint[0] = 0;
  const char **names = malloc((n + 1) * sizeof *names);
  if (!names) return;
  for (size_t i = 0; i < n; i++) names[i] = name_at(f, i);
  names[n] = NULL;
  const char *near = sim_did_you_mean(name, names);
  if (near) snprintf(hint, hn, "; did you mean '%.128s'?", near);
  free(names);
}
static const char *group_name_at(const model_fleet *f, size_t i) { return f->groups[i].name; }
static const char *behavior_name_at(const model_fleet *f, size_t i) {
  return f->behaviors[i].name;
}
void model_fleet_group_hint(const model_fleet *f, const char *name, char *hint, size_t hn) {
  near_hint(hint, hn, name, f->n_groups, group_name_at, f);
}

long model_fleet_find_group(const model_fleet *f, const char *name) {
  for (size_t i = 0; i < f->n_groups; i++)
    if (strcmp(f->groups[i].name, name) == 0) return (long)i;
  return -1;
}

size_t model_fleet_group_of(const model_fleet *f, int64_t thing) {
  size_t lo = 0, hi = f->n_groups;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (f->groups[mid].first <= thing) lo = mid; else hi = mid;
  }
  return lo;
}

/* Copy src[0..len) into buf of n bytes as snprintf would: truncated to
 * n - 1 bytes, always terminated. Returns the bytes written. */
static size_t put_clipped(char *buf, size_t n, size_t at, const char *src, size_t len) {
  if (at + 1 >= n) return at;
  if (len > n - 1 - at) len = n - 1 - at;
  memcpy(buf + at, src, len);
  return at + len;
}

/* The same bytes as snprintf(buf, n, "%s" or "%s-%0*lld", ...), without
 * snprintf: a store names a million execution rows, and the format parser
 * was a tenth of such a run's instructions. */
void model_fleet_thing_name(const model_fleet *f, int64_t thing, char *buf,
                            size_t n) {
  if (n == 0) return;
  const model_group *g = &f->groups[model_fleet_group_of(f, thing)];
  int64_t k = thing - g->first;
  if (g->names) {
    buf[put_clipped(buf, n, 0, g->names[k], strlen(g->names[k]))] = 0;
    return;
  }
  char num[32];   /* k >= 0: a thing's position in its group */
  size_t len = 0;
  uint64_t v = (uint64_t)k;
  do {
    num[sizeof num - 1 - len++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (len < (size_t)g->digits && len < sizeof num) num[sizeof num - 1 - len++] = '0';
  size_t at = put_clipped(buf, n, 0, g->name, strlen(g->name));
  at = put_clipped(buf, n, at, "-", 1);
  at = put_clipped(buf, n, at, num + sizeof num - len, len);
  buf[at] = 0;
}


/* Every thing name must be unique across the fleet. Explicit names are
 * sorted once (O(n log n)); each is also checked against generated ranges. */
/* Every thing name must be unique across the fleet: explicit names go into
 * the hash index (which find_thing uses), each checked against those already
 * in it and against the generated names of the other groups. O(names x
 * groups), never quadratic in the fleet. */
static int index_names(model_fleet *f, sim_diag *d, const char *path) {
  for (size_t gi = 0; gi < f->n_groups; gi++) {
    const model_group *g = &f->groups[gi];
    if (!g->names) continue;
    for (int64_t k = 0; k < g->count; k++) {
      const char *name = g->names[k];
      uint64_t h = sim_index_hash_str(name);
      size_t cur = 0;
      for (int64_t t; (t = sim_index_next(&f->names, h, &cur)) >= 0;)
        if (strcmp(explicit_name(f, t), name) == 0)
          return sim_diag_set(d, SIM_ERR_RANGE, path,
                              "thing name '%s' appears more than once in the fleet", name);
      for (size_t o = 0; o < f->n_groups; o++)
        if (generated_index(&f->groups[o], name) >= 0)
          return sim_diag_set(d, SIM_ERR_RANGE, path,
                              "thing name '%s' clashes with a generated name of group "
                              "'%s'", name, f->groups[o].name);
      if (sim_index_add(&f->names, h, g->first + k))
        return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
    }
  }
  return SIM_OK;
}

static int parse_group(model_fleet *f, model_group *g, const cJSON *obj,
                       sim_diag *d, const char *path) {
  static const char *const keys[] = {"name", "things", "behavior", "arrivals",
                                     "departures", NULL};
  static const sim_json_hint hints[] = {
      {"behaviour", "jobsim spells it 'behavior', US style"},
      {"behaviors", "a group has one 'behavior', a name from $.fleet.behaviors"},
      {"behaviours", "a group has one 'behavior', a name from $.fleet.behaviors"},
      {NULL, NULL}};
  int rc = sim_json_check_object_hints(obj, keys, hints, d, path);
  if (rc) return rc;
  const char *name, *beh;
  if ((rc = sim_json_str(obj, "name", true, 1, 128, &name, NULL, d, path)))
    return rc;
  char p[512];
  sim_path_key(p, sizeof p, path, "name");
  if (!valid_name(name))
    return sim_diag_set(d, SIM_ERR_RANGE, p,
                        "expected a thing-group name of 1 to 128 characters from "
                        "[a-zA-Z0-9:_-]");
  if (model_fleet_find_group(f, name) >= 0)
    return sim_diag_set(d, SIM_ERR_RANGE, p, "duplicate group name '%s'", name);
  if ((g->name = strdup(name)) == NULL)
    return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
  if ((rc = sim_json_str(obj, "behavior", true, 1, 128, &beh, NULL, d, path)))
    return rc;
  size_t bi = 0;
  for (; bi < f->n_behaviors; bi++)
    if (strcmp(f->behaviors[bi].name, beh) == 0) break;
  if (bi == f->n_behaviors) {
    char hint[160];
    near_hint(hint, sizeof hint, beh, f->n_behaviors, behavior_name_at, f);
    sim_path_key(p, sizeof p, path, "behavior");
    return sim_diag_set(d, SIM_ERR_RANGE, p,
                        "unknown behavior '%s' (not defined in $.fleet.behaviors)%s", beh,
                        hint);
  }
  g->behavior = bi;
  const cJSON *th = sim_json_get(obj, "things");
  sim_path_key(p, sizeof p, path, "things");
  if (!th)
    return sim_diag_set(d, SIM_ERR_SCHEMA, path, "missing required field 'things'");
  if (cJSON_IsArray(th)) {
    int n = cJSON_GetArraySize(th);
    if (n < 1)
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "expected a thing count >= 1 or a non-empty list of names");
    g->names = calloc((size_t)n, sizeof *g->names);
    if (!g->names) return sim_diag_set(d, SIM_ERR_NOMEM, p, "out of memory");
    int k = 0;
    for (const cJSON *it = th->child; it; it = it->next, k++) {
      char ip[512];
      sim_path_index(ip, sizeof ip, p, (size_t)k);
      if (!cJSON_IsString(it) || !valid_name(it->valuestring))
        return sim_diag_set(d, SIM_ERR_RANGE, ip,
                            "expected a thing name of 1 to 128 characters from "
                            "[a-zA-Z0-9:_-]");
      if ((g->names[k] = strdup(it->valuestring)) == NULL)
        return sim_diag_set(d, SIM_ERR_NOMEM, ip, "out of memory");
      g->count = k + 1;
    }
  } else {
    if ((rc = sim_json_int(obj, "things", true, 1, MODEL_MAX_THINGS, &g->count,
                           NULL, d, path)))
      return rc;
  }
  static const char *const pkeys[] = {"ratePerHour", NULL};
  static const char *const procs[] = {"arrivals", "departures"};
  for (int i = 0; i < 2; i++) {
    const cJSON *pr = sim_json_get(obj, procs[i]);
    if (!pr) continue;
    char pp[512];
    sim_path_key(pp, sizeof pp, path, procs[i]);
    if ((rc = sim_json_check_object(pr, pkeys, d, pp))) return rc;
    double rate = 0;
    if ((rc = sim_json_num(pr, "ratePerHour", true, -DBL_MAX, DBL_MAX, &rate, NULL, d,
                           pp)))
      return rc;
    if (rate < 0.0 || rate > 1e7) {   /* not "%g": 1e7 would print as 1e+07 */
      char rp[512];
      sim_path_key(rp, sizeof rp, pp, "ratePerHour");
      return sim_diag_set(d, SIM_ERR_RANGE, rp,
                          "expected a number from 0 to 10000000 (things per hour)");
    }
    if (i == 0) g->arrivals_per_hour = rate;
    else g->departures_per_hour = rate;
  }
  g->digits = digits_for(g->count);
  g->first = f->n_things;
  if (f->n_things + g->count > MODEL_MAX_THINGS)
    return sim_diag_set(d, SIM_ERR_LIMIT, p,
                        "the fleet would have more than %lld things",
                        (long long)MODEL_MAX_THINGS);
  f->n_things += g->count;
  return SIM_OK;
}

int model_fleet_parse(model_fleet *f, const cJSON *json, sim_diag *d,
                      const char *path) {
  static const char *const keys[] = {"groups", "behaviors", NULL};
  static const sim_json_hint hints[] = {
      {"behaviours", "jobsim spells it 'behaviors', US style"},
      {"behaviour", "jobsim spells it 'behaviors' (a map of named behaviours)"},
      {"behavior", "the fleet's member is 'behaviors', a map of named behaviours"},
      {"group", "the fleet's member is 'groups', an array of groups"},
      {NULL, NULL}};
  memset(f, 0, sizeof *f);
  int rc = sim_json_check_object_hints(json, keys, hints, d, path);
  if (rc) return rc;
  char p[512], ip[512];

  /* Behaviours first: groups refer to them by name. */
  const cJSON *bs = sim_json_get(json, "behaviors");
  sim_path_key(p, sizeof p, path, "behaviors");
  if (!bs) return sim_diag_set(d, SIM_ERR_SCHEMA, path, "missing required field 'behaviors'");
  if (!cJSON_IsObject(bs))
    return sim_diag_set(d, SIM_ERR_SCHEMA, p, "expected an object, got %s",
                        sim_json_type_name(bs));
  int nb = cJSON_GetArraySize(bs);
  if (nb < 1)
    return sim_diag_set(d, SIM_ERR_RANGE, p, "expected at least one behavior");
  /* any name is allowed, but not twice (checked by sorting: the map of a
   * hostile file may have 10^5 members) */
  if ((rc = sim_json_check_object(bs, NULL, d, p))) return rc;
  f->behaviors = calloc((size_t)nb, sizeof *f->behaviors);
  if (!f->behaviors) return sim_diag_set(d, SIM_ERR_NOMEM, p, "out of memory");
  for (const cJSON *b = bs->child; b; b = b->next) {
    sim_path_key(ip, sizeof ip, p, b->string);
    rc = parse_behavior(&f->behaviors[f->n_behaviors], b->string, b, d, ip);
    f->n_behaviors++;
    if (rc) goto fail;
  }

  const cJSON *gs = sim_json_get(json, "groups");
  sim_path_key(p, sizeof p, path, "groups");
  if (!gs) {
    rc = sim_diag_set(d, SIM_ERR_SCHEMA, path, "missing required field 'groups'");
    goto fail;
  }
  if (!cJSON_IsArray(gs)) {
    rc = sim_diag_set(d, SIM_ERR_SCHEMA, p, "expected an array, got %s",
                      sim_json_type_name(gs));
    goto fail;
  }
  int ng = cJSON_GetArraySize(gs);
  if (ng < 1 || ng > MODEL_MAX_GROUPS) {
    rc = sim_diag_set(d, SIM_ERR_RANGE, p, "expected 1 to %d groups, got %d",
                      MODEL_MAX_GROUPS, ng);
    goto fail;
  }
  f->groups = calloc((size_t)ng, sizeof *f->groups);
  if (!f->groups) {
    rc = sim_diag_set(d, SIM_ERR_NOMEM, p, "out of memory");
    goto fail;
  }
  int k = 0;
  for (const cJSON *g = gs->child; g; g = g->next, k++) {
    sim_path_index(ip, sizeof ip, p, (size_t)k);
    rc = parse_group(f, &f->groups[f->n_groups], g, d, ip);
    f->n_groups++;
    if (rc) goto fail;
  }
  if ((rc = index_names(f, d, p))) goto fail;
  return SIM_OK;
fail:
  model_fleet_release(f);
  return rc;
}
