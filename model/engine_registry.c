/*
 * engine_registry.c — the registry beyond the scenario's fleet groups: it
 * owns thing and group ids, the views of groups and of a thing's groups,
 * thing groups created at run time (CreateThingGroup, parents, members,
 * up to 10 groups per thing), membership changes through the registry
 * (AddThingToThingGroup, RemoveThingFromThingGroup), CreateThing and
 * DeleteThing, and the resolution of a target ARN against it; it may write
 * the created groups and their member indices, and changes fleet
 * membership only through engine_fleet.c (eng_add_thing, eng_joined,
 * eng_left, eng_delete_thing).
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MAX_GROUPS_PER_THING 10   /* AWS: a thing is in at most 10 thing groups */

/* ------------------------------------------------------------ registry --- */

static void refusal(model_refusal *why, const char *exc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void refusal(model_refusal *why, const char *exc, const char *fmt, ...) {
  snprintf(why->exception, sizeof why->exception, "%s", exc);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why->message, sizeof why->message, fmt, ap);
  va_end(ap);
}

static uint64_t mix64(uint64_t x) {
  x += UINT64_C(0x9e3779b97f4a7c15);
  x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
  return x ^ (x >> 31);
}

/* A UUID (version 4 layout) minted from a name: the same name, the same id. */
static void mint_uuid(const char *kind, const char *name, char *out, size_t n) {
  uint64_t h = sim_index_hash_str(name) ^ sim_index_hash_str(kind);
  uint64_t a = mix64(h), b = mix64(h ^ UINT64_C(0x5bd1e995));
  snprintf(out, n, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
           (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
           (unsigned)((b >> 48) & 0x3fff) | 0x8000,
           (unsigned long long)(b & UINT64_C(0xffffffffffff)));
}

void model_engine_thing_id(const model_engine *e, int64_t t, char *out, size_t n) {
  char name[160];
  model_engine_thing_name(e, t, name, sizeof name);
  mint_uuid("thing", name, out, n);
}

size_t model_engine_n_groups(const model_engine *e) {
  return e->sc->fleet.n_groups + e->n_tgroups;
}

long model_engine_find_group(const model_engine *e, const char *name) {
  long g = model_fleet_find_group(&e->sc->fleet, name);
  if (g >= 0) return g;
  for (size_t i = 0; i < e->n_tgroups; i++)
    if (strcmp(e->tgroups[i].name, name) == 0)
      return (long)(e->sc->fleet.n_groups + i);
  return -1;
}

static int64_t fleet_members(const model_engine *e, size_t g) {
  const model_group *fg = &e->sc->fleet.groups[g];
  int64_t n = 0;
  for (int64_t p = 0; p < fg->count + e->groups[g].n; p++) {
    int64_t t = p < fg->count ? fg->first + p : e->groups[g].extras[p - fg->count];
    n += (e->things[t].flags & (F_MEMBER | F_GONE)) == F_MEMBER;
  }
  return n;
}

void model_engine_group(const model_engine *e, size_t g, model_group_view *out) {
  memset(out, 0, sizeof *out);
  size_t nf = e->sc->fleet.n_groups;
  if (g < nf) {
    out->name = e->sc->fleet.groups[g].name;
    out->fleet = true;
    out->version = 1;
    out->members = fleet_members(e, g);
    mint_uuid("thinggroup", out->name, out->id, sizeof out->id);
    return;
  }
  const eng_tgroup *tg = &e->tgroups[g - nf];
  out->name = tg->name;
  out->parent = tg->parent;
  out->description = tg->description;
  snprintf(out->id, sizeof out->id, "%s", tg->id);
  out->created_at = tg->created_at;
  out->version = tg->version;
  out->members = tg->count;
}

/* Is t in group g now? */
static bool member_of(const model_engine *e, int64_t t, size_t g) {
  model_target tg = {.is_group = true, .group = (long)g};
  return !(e->things[t].flags & F_GONE) && eng_in_target_group(e, &tg, t);
}

size_t model_engine_thing_groups(const model_engine *e, int64_t t, size_t *out,
                                 size_t cap) {
  size_t n = 0;
  if (t < 0 || t >= e->n_things || (e->things[t].flags & F_GONE)) return 0;
  if (e->things[t].flags & F_MEMBER) {
    if (n < cap) out[n] = e->things[t].group;
    n++;
  }
  size_t nf = e->sc->fleet.n_groups;
  for (size_t i = 0; i < e->n_tgroups; i++)
    if (member_of(e, t, nf + i)) {
      if (n < cap) out[n] = nf + i;
      n++;
    }
  return n;
}

static size_t groups_of(const model_engine *e, int64_t t) {
  return model_engine_thing_groups(e, t, NULL, 0);
}

/* Append the direct members of g (and with recursive its descendants'),
 * each thing once, to a growing list. */
typedef struct tlist {
  int64_t *v;
  size_t n, cap;
  sim_index seen;
} tlist;

static int tlist_add(tlist *l, int64_t t) {
  size_t cur = 0;
  if (sim_index_next(&l->seen, (uint64_t)t, &cur) >= 0) return SIM_OK;
  if (sim_index_add(&l->seen, (uint64_t)t, 1)) return SIM_ERR_NOMEM;
  if (l->n == l->cap) {
    size_t nc = l->cap ? l->cap * 2 : 256;
    int64_t *nv = realloc(l->v, nc * sizeof *nv);
    if (!nv) return SIM_ERR_NOMEM;
    l->v = nv;
    l->cap = nc;
  }
  l->v[l->n++] = t;
  return SIM_OK;
}

static int collect(const model_engine *e, size_t g, bool recursive, tlist *l, int depth) {
  size_t nf = e->sc->fleet.n_groups;
  if (g < nf) {
    const model_group *fg = &e->sc->fleet.groups[g];
    for (int64_t p = 0; p < fg->count + e->groups[g].n; p++) {
      int64_t t = p < fg->count ? fg->first + p : e->groups[g].extras[p - fg->count];
      if ((e->things[t].flags & (F_MEMBER | F_GONE)) == F_MEMBER && tlist_add(l, t))
        return SIM_ERR_NOMEM;
    }
  } else {
    const eng_tgroup *tg = &e->tgroups[g - nf];
    for (int64_t p = 0; p < tg->n_members; p++)
      if (tg->members[p] >= 0 && tlist_add(l, tg->members[p])) return SIM_ERR_NOMEM;
  }
  if (!recursive || depth > 8) return SIM_OK;
  const char *name = g < nf ? e->sc->fleet.groups[g].name : e->tgroups[g - nf].name;
  for (size_t i = 0; i < e->n_tgroups; i++)
    if (e->tgroups[i].parent && strcmp(e->tgroups[i].parent, name) == 0 &&
        collect(e, nf + i, true, l, depth + 1))
      return SIM_ERR_NOMEM;
  return SIM_OK;
}

size_t model_engine_group_members(const model_engine *e, size_t g, bool recursive,
                                  int64_t *pos, int64_t *out, size_t cap) {
  tlist l = {0};
  size_t n = 0;
  if (g < model_engine_n_groups(e) && *pos >= 0 && !collect(e, g, recursive, &l, 0)) {
    size_t from = (size_t)*pos;
    for (size_t i = from; i < l.n && n < cap; i++) out[n++] = l.v[i];
    *pos = from + n < l.n ? (int64_t)(from + n) : -1;
  } else {
    *pos = -1;
  }
  free(l.v);
  sim_index_release(&l.seen);
  return n;
}

int model_engine_create_group(model_engine *e, const char *name, const char *parent,
                              const char *description, size_t *group,
                              model_refusal *why) {
  long g = model_engine_find_group(e, name);
  if (g >= 0) {   /* AWS: the same group again is a success, another one a conflict */
    model_group_view v;
    model_engine_group(e, (size_t)g, &v);
    bool same = (!parent == !v.parent) && (!parent || strcmp(parent, v.parent) == 0) &&
                (!description == !v.description) &&
                (!description || strcmp(description, v.description) == 0);
    if (!same) {
      refusal(why, "ResourceAlreadyExistsException",
              "Thing group %s already exists with different properties", name);
      return SIM_ERR_STATE;
    }
    *group = (size_t)g;
    return SIM_OK;
  }
  if (parent && model_engine_find_group(e, parent) < 0) {
    refusal(why, "ResourceNotFoundException", "Thing group %s does not exist", parent);
    return SIM_ERR_STATE;
  }
  if (e->sc->fleet.n_groups + e->n_tgroups >= 100000) {
    refusal(why, "LimitExceededException", "jobsim holds at most 100000 thing groups");
    return SIM_ERR_STATE;
  }
  if (e->n_tgroups == e->cap_tgroups) {
    size_t nc = e->cap_tgroups ? e->cap_tgroups * 2 : 8;
    eng_tgroup *nt = realloc(e->tgroups, nc * sizeof *nt);
    if (!nt) return SIM_ERR_NOMEM;
    e->tgroups = nt;
    e->cap_tgroups = nc;
  }
  eng_tgroup *tg = &e->tgroups[e->n_tgroups];
  memset(tg, 0, sizeof *tg);
  tg->name = strdup(name);
  tg->parent = parent ? strdup(parent) : NULL;
  tg->description = description ? strdup(description) : NULL;
  if (!tg->name || (parent && !tg->parent) || (description && !tg->description)) {
    free(tg->name);
    free(tg->parent);
    free(tg->description);
    return SIM_ERR_NOMEM;
  }
  mint_uuid("thinggroup", name, tg->id, sizeof tg->id);
  tg->created_at = now_of(e);
  tg->version = 1;
  *group = e->sc->fleet.n_groups + e->n_tgroups++;
  eng_log(e, NULL, "thing group %s created%s%s", name, parent ? " under " : "",
          parent ? parent : "");
  return SIM_OK;
}

void eng_tgroups_free(model_engine *e) {
  for (size_t i = 0; i < e->n_tgroups; i++) {
    free(e->tgroups[i].name);
    free(e->tgroups[i].parent);
    free(e->tgroups[i].description);
    free(e->tgroups[i].members);
  }
  free(e->tgroups);
  sim_index_release(&e->tg_member);
  sim_index_release(&e->tg_count);
  sim_index_release(&e->thing_created);
}

static bool thing_ok(model_engine *e, int64_t t, model_refusal *why) {
  if (t >= 0 && t < e->n_things && !(e->things[t].flags & F_GONE)) return true;
  refusal(why, "ResourceNotFoundException", "The thing does not exist");
  return false;
}

int model_engine_add_member(model_engine *e, int64_t t, size_t g, model_refusal *why) {
  if (!thing_ok(e, t, why)) return SIM_ERR_STATE;
  size_t nf = e->sc->fleet.n_groups;
  char name[160];
  model_engine_thing_name(e, t, name, sizeof name);
  if (g >= model_engine_n_groups(e)) {
    refusal(why, "ResourceNotFoundException", "The thing group does not exist");
    return SIM_ERR_STATE;
  }
  if (member_of(e, t, g)) return SIM_OK;   /* already: AWS answers 200 */
  if (groups_of(e, t) >= MAX_GROUPS_PER_THING) {
    refusal(why, "InvalidRequestException",
            "thing %s is in %d thing groups already, the most a thing can be in", name,
            MAX_GROUPS_PER_THING);
    return SIM_ERR_STATE;
  }
  if (g < nf) {
    if (e->things[t].group != g) {
      refusal(why, "InvalidRequestException",
              "thing %s belongs to fleet group %s, which gives its device behavior; in "
              "jobsim a thing is in one fleet group (add it to a created thing group "
              "instead)",
              name, e->sc->fleet.groups[e->things[t].group].name);
      return SIM_ERR_STATE;
    }
    eng_join(e, t, "add-thing-to-thing-group");
    return SIM_OK;
  }
  eng_tgroup *tg = &e->tgroups[g - nf];
  if (tg->n_members == tg->cap_members) {
    int64_t nc = tg->cap_members ? tg->cap_members * 2 : 16;
    int64_t *nm = realloc(tg->members, (size_t)nc * sizeof *nm);
    if (!nm) return SIM_ERR_NOMEM;
    tg->members = nm;
    tg->cap_members = nc;
  }
  if (sim_index_set(&e->tg_member, (uint64_t)(g - nf) << 32 | (uint64_t)t, tg->n_members))
    return SIM_ERR_NOMEM;
  tg->members[tg->n_members++] = t;
  tg->count++;
  int got = eng_joined(e, t, (long)g);
  eng_log(e, NULL, "thing %s joins group %s (add-thing-to-thing-group)%s", name, tg->name,
          got ? ": CONTINUOUS job queues an execution for it" : "");
  return SIM_OK;
}

int model_engine_remove_member(model_engine *e, int64_t t, size_t g, model_refusal *why) {
  if (!thing_ok(e, t, why)) return SIM_ERR_STATE;
  if (g >= model_engine_n_groups(e)) {
    refusal(why, "ResourceNotFoundException", "The thing group does not exist");
    return SIM_ERR_STATE;
  }
  if (!member_of(e, t, g)) return SIM_OK;   /* not a member: AWS answers 200 */
  size_t nf = e->sc->fleet.n_groups;
  if (g < nf) {
    eng_leave(e, t, "remove-thing-from-thing-group");
    return SIM_OK;
  }
  eng_tgroup *tg = &e->tgroups[g - nf];
  size_t cur = 0;
  int64_t pos = sim_index_next(&e->tg_member, (uint64_t)(g - nf) << 32 | (uint64_t)t, &cur);
  tg->members[pos] = -1;
  tg->count--;
  char name[160];
  model_engine_thing_name(e, t, name, sizeof name);
  int removed = eng_left(e, t, false);
  eng_log(e, NULL, "thing %s leaves group %s (remove-thing-from-thing-group)%s", name,
          tg->name, removed ? ": its execution is REMOVED" : "");
  return SIM_OK;
}

int model_engine_create_thing(model_engine *e, const char *name, long behavior_group,
                              int64_t *thing, model_refusal *why) {
  int64_t t = model_engine_find_thing(e, name);
  if (t >= 0) {
    if (e->things[t].flags & F_GONE)
      refusal(why, "ResourceAlreadyExistsException",
              "thing %s was deleted; jobsim does not give its name to a new thing", name);
    else
      refusal(why, "ResourceAlreadyExistsException", "Thing %s already exists", name);
    if (!(e->things[t].flags & F_GONE)) *thing = t;
    return SIM_ERR_STATE;
  }
  if (behavior_group < 0 || (size_t)behavior_group >= e->sc->fleet.n_groups) {
    refusal(why, "InvalidRequestException", "no fleet group gives the thing a behavior");
    return SIM_ERR_STATE;
  }
  t = eng_add_thing(e, behavior_group, name);
  if (t < 0) return SIM_ERR_NOMEM;
  if (sim_index_set(&e->thing_created, (uint64_t)t, now_of(e))) return SIM_ERR_NOMEM;
  eng_log(e, NULL, "thing %s created (behavior of group %s, in no group)", name,
          e->sc->fleet.groups[behavior_group].name);
  *thing = t;
  return SIM_OK;
}

int model_engine_delete_thing(model_engine *e, int64_t t, model_refusal *why) {
  if (!thing_ok(e, t, why)) return SIM_ERR_STATE;
  size_t nf = e->sc->fleet.n_groups;
  for (size_t i = 0; i < e->n_tgroups; i++)   /* it leaves the created groups */
    if (member_of(e, t, nf + i)) {
      size_t cur = 0;
      int64_t pos = sim_index_next(&e->tg_member, (uint64_t)i << 32 | (uint64_t)t, &cur);
      e->tgroups[i].members[pos] = -1;
      e->tgroups[i].count--;
    }
  eng_delete_thing(e, t);
  for (size_t k = 0; k < e->n_jobs; k++) eng_check_done(e, e->jobs[k]);
  return SIM_OK;
}

/* Target resolution against the registry now: created thing groups and
 * every thing the engine knows; the rest (and every message) is the
 * scenario's. */
int model_engine_resolve_target(const model_engine *e, const char *arn,
                                model_target *out, sim_diag *d, const char *path) {
  const model_scenario *sc = e->sc;
  char prefix[128];
  snprintf(prefix, sizeof prefix, "arn:aws:iot:%s:%s:", sc->sim.region, sc->sim.account_id);
  size_t pl = strlen(prefix);
  if (strncmp(arn, prefix, pl) == 0) {
    const char *rest = arn + pl;
    memset(out, 0, sizeof *out);
    if (strncmp(rest, "thinggroup/", 11) == 0) {
      long g = model_engine_find_group(e, rest + 11);
      if (g >= (long)sc->fleet.n_groups) {
        out->is_group = true;
        out->group = g;
        out->first = -1;
        out->count = e->tgroups[g - (long)sc->fleet.n_groups].count;
        return SIM_OK;
      }
    } else if (strncmp(rest, "thing/", 6) == 0) {
      int64_t t = model_engine_find_thing(e, rest + 6);
      if (t >= 0 && (e->things[t].flags & F_GONE))
        return sim_diag_set(d, SIM_ERR_RANGE, path,
                            "target names thing '%s', which was deleted", rest + 6);
      if (t >= 0) {
        out->group = e->things[t].group;
        out->first = t;
        out->count = 1;
        return SIM_OK;
      }
    }
  }
  return model_scenario_resolve_arn(sc, arn, out, d, path);
}
