/*
 * engine_fleet.c — the fleet during the run: it owns the things that join
 * (arrivals, add-things, CreateThing), leave (departures, remove-things) or
 * are deleted, the extra things' storage and names, thing lookup by name,
 * the groups' arrays of current members for random picks, and the registry
 * beyond the scenario's groups (CreateThingGroup, memberships, target
 * resolution against it); it may write a thing's membership flags and,
 * through eng_set_status and eng_new_execution, the executions that follow
 * a join or a departure.
 *
 * A thing has one fleet group, its behaviour, which is also a thing group
 * it is a member of or not (the scenario's things start as members);
 * created thing groups hold any things, up to 10 groups per thing.
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#define MAX_GROUPS_PER_THING 10   /* AWS: a thing is in at most 10 thing groups */

/* -------------------------------------------------------- fleet changes --- */

static bool group_targeted(const eng_job *J, long g) {
  for (size_t i = 0; i < J->n_targets; i++)
    if (J->targets[i].is_group && J->targets[i].group == g) return true;
  return false;
}

/* Does one of J's targets cover thing t now (its thing ARN, or a group it
 * is a member of)? */
static bool covered(const model_engine *e, const eng_job *J, int64_t t) {
  for (size_t i = 0; i < J->n_targets; i++) {
    const model_target *tg = &J->targets[i];
    if (!tg->is_group ? tg->first == t : eng_in_target_group(e, tg, t)) return true;
  }
  return false;
}

/* Position of thing t among the extras of its group (binary search). */
static int64_t extra_pos(const model_engine *e, int64_t t) {
  const group_dyn *g = &e->groups[e->things[t].group];
  int64_t lo = 0, hi = g->n - 1;
  while (lo <= hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (g->extras[mid] == t) return mid;
    if (g->extras[mid] < t) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}

void model_engine_thing_name(const model_engine *e, int64_t t, char *buf, size_t n) {
  if (t < e->sc->fleet.n_things) {
    model_fleet_thing_name(&e->sc->fleet, t, buf, n);
    return;
  }
  long gi = e->things[t].group;
  const model_group *g = &e->sc->fleet.groups[gi];
  int64_t k = extra_pos(e, t);
  if (k >= 0 && e->groups[gi].names[k])
    snprintf(buf, n, "%s", e->groups[gi].names[k]);
  else
    snprintf(buf, n, "%s-%0*lld", g->name, g->digits, (long long)(g->count + k));
}

int64_t model_engine_find_thing(const model_engine *e, const char *name) {
  int64_t t = model_fleet_find_thing(&e->sc->fleet, name);
  if (t >= 0) return t;
  size_t cur = 0;   /* named joiners: the hash index */
  for (int64_t x; (x = sim_index_next(&e->extra_names, sim_index_hash_str(name), &cur)) >= 0;) {
    int64_t k = extra_pos(e, x);
    const char *xn = k >= 0 ? e->groups[e->things[x].group].names[k] : NULL;
    if (xn && strcmp(xn, name) == 0) return x;
  }
  for (size_t gi = 0; gi < e->sc->fleet.n_groups; gi++) {
    const group_dyn *g = &e->groups[gi];
    int64_t v = model_group_generated_index(&e->sc->fleet.groups[gi], name);
    int64_t c0 = e->sc->fleet.groups[gi].count;
    if (v >= c0 && v - c0 < g->n && !g->names[v - c0]) return g->extras[v - c0];
  }
  return -1;
}

bool model_engine_thing_gone(const model_engine *e, int64_t t) {
  return t < 0 || t >= e->n_things || (e->things[t].flags & F_GONE);
}

/* A new thing joins group gi (an arrival or add-things). */
int64_t eng_add_thing(model_engine *e, long gi, const char *name) {
  if (e->n_things >= INT64_C(0xffffffff)) {   /* event subjects hold 32 bits */
    sim_world_fail(e->w, SIM_ERR_LIMIT);
    return -1;
  }
  if (e->n_things == e->cap_things) {
    int64_t nc = e->cap_things * 2 + 1024;
    thing_state *nt = realloc(e->things, (size_t)nc * sizeof *nt);
    if (!nt) { sim_world_fail(e->w, SIM_ERR_NOMEM); return -1; }
    e->things = nt;
    e->cap_things = nc;
  }
  group_dyn *g = &e->groups[gi];
  if (g->n == g->cap) {
    int64_t nc = g->cap * 2 + 64;
    int64_t *nx = realloc(g->extras, (size_t)nc * sizeof *nx);
    if (nx) g->extras = nx;
    char **nn = realloc(g->names, (size_t)nc * sizeof *nn);
    if (nn) g->names = nn;
    if (!nx || !nn) { sim_world_fail(e->w, SIM_ERR_NOMEM); return -1; }
    g->cap = nc;
  }
  char *copy = NULL;
  if (name && !(copy = strdup(name))) { sim_world_fail(e->w, SIM_ERR_NOMEM); return -1; }
  if (name && sim_index_add(&e->extra_names, sim_index_hash_str(name), e->n_things)) {
    free(copy);
    sim_world_fail(e->w, SIM_ERR_NOMEM);
    return -1;
  }
  int64_t t = e->n_things++;
  thing_state *th = &e->things[t];
  memset(th, 0, sizeof *th);
  th->started_at = -1;
  th->group = (uint16_t)gi;
  g->extras[g->n] = t;
  g->names[g->n] = copy;
  g->n++;
  return t;
}

/* Append thing t to the member array of its group (once, and only once
 * the array is built). */
static int list_member(model_engine *e, int64_t t) {
  thing_state *th = &e->things[t];
  group_dyn *g = &e->groups[th->group];
  if (!g->listed || (th->flags & F_LISTED)) return SIM_OK;
  if (g->n_members == g->cap_members) {
    int64_t nc = g->cap_members * 2 + 64;
    uint32_t *nm = realloc(g->members, (size_t)nc * sizeof *nm);
    if (!nm) {
      sim_world_fail(e->w, SIM_ERR_NOMEM);
      return SIM_ERR_NOMEM;
    }
    g->members = nm;
    g->cap_members = nc;
  }
  g->members[g->n_members++] = (uint32_t)t;
  th->flags |= F_LISTED;
  return SIM_OK;
}

/* Build group gi's member array from its current members: initial things in
 * index order, then those that joined later, in joining order. */
static int build_members(model_engine *e, long gi) {
  group_dyn *g = &e->groups[gi];
  const model_group *fg = &e->sc->fleet.groups[gi];
  g->listed = true;
  for (int64_t p = 0; p < fg->count + g->n; p++) {
    int64_t t = p < fg->count ? fg->first + p : g->extras[p - fg->count];
    int rc = (e->things[t].flags & (F_MEMBER | F_GONE)) == F_MEMBER ? list_member(e, t)
                                                                     : SIM_OK;
    if (rc) return rc;
  }
  return SIM_OK;
}

/* Thing t joined group g (fleet or created): every CONTINUOUS job that
 * targets g and is rolling out gives it an execution at once, not
 * rate-limited (DG-CFG); a re-joined thing's retry count restarts at zero.
 * Returns how many jobs did. */
static int joined(model_engine *e, int64_t t, long g) {
  int n = 0;
  for (size_t k = 0; k < e->n_jobs; k++) {
    eng_job *J = e->jobs[k];
    model_job_status s = J->job.status;
    if (!J->cfg.continuous || !J->rollout_started || J->rollout_stopped ||
        (s != MODEL_JOB_IN_PROGRESS && s != MODEL_JOB_SCHEDULED) || !group_targeted(J, g))
      continue;
    thing_state *th = eng_rec(e, J, t);
    if (th && th->status != MODEL_EXEC_NONE && th->status != MODEL_EXEC_REMOVED) continue;
    if (!(th = eng_rec_make(e, J, t))) return n;
    th->retries = 0;
    eng_new_execution(e, J, t, 0);
    n++;
  }
  return n;
}

/* O26: J's QUEUED or IN_PROGRESS execution on t becomes REMOVED (a pending
 * retry is a QUEUED record, so it goes too). */
static bool remove_execution(model_engine *e, eng_job *J, int64_t t) {
  thing_state *th = eng_rec(e, J, t);
  if (!th || !is_active(th->status)) return false;
  eng_set_status(e, J, t, th, MODEL_EXEC_REMOVED);
  return true;
}

/* Thing t left a group (or was deleted: every job): CONTINUOUS jobs that no
 * longer cover it remove its execution (SNAPSHOT ignores membership changes
 * once rolled out, O9, O26). Returns how many did. */
static int left(model_engine *e, int64_t t, bool deleted) {
  int n = 0;
  for (size_t k = 0; k < e->n_jobs; k++) {
    eng_job *J = e->jobs[k];
    if (!deleted && (!J->cfg.continuous || covered(e, J, t))) continue;
    if (remove_execution(e, J, t)) n++;
  }
  if (n && e->multi) eng_device_free(e, t);
  for (size_t k = 0; n && k < e->n_jobs; k++) eng_check_done(e, e->jobs[k]);
  return n;
}

/* A thing becomes a member of its fleet group again (or for the first
 * time). */
void eng_join(model_engine *e, int64_t t, const char *why) {
  thing_state *th = &e->things[t];
  char name[160];
  model_engine_thing_name(e, t, name, sizeof name);
  th->flags |= F_MEMBER;
  (void)list_member(e, t);   /* out of memory fails the run */
  int got = joined(e, t, th->group);
  eng_log(e, e->n_jobs == 1 ? e->jobs[0] : NULL, "thing %s joins group %s (%s)%s", name,
          e->sc->fleet.groups[th->group].name, why,
          got ? ": CONTINUOUS job queues an execution for it" : "");
}

void eng_leave(model_engine *e, int64_t t, const char *why) {
  thing_state *th = &e->things[t];
  char name[160];
  model_engine_thing_name(e, t, name, sizeof name);
  th->flags &= (uint8_t)~F_MEMBER;
  int removed = left(e, t, false);
  eng_log(e, e->n_jobs == 1 ? e->jobs[0] : NULL, "thing %s leaves group %s (%s)%s", name,
          e->sc->fleet.groups[th->group].name, why,
          removed ? ": its execution is REMOVED" : "");
}

void eng_delete_thing(model_engine *e, int64_t t) {
  thing_state *th = &e->things[t];
  char name[160];
  model_engine_thing_name(e, t, name, sizeof name);
  th->flags = (uint8_t)((th->flags | F_GONE) & ~F_MEMBER);
  int removed = left(e, t, true);   /* any job type */
  eng_log(e, e->n_jobs == 1 ? e->jobs[0] : NULL, "thing %s deleted%s", name,
          removed ? ": its execution is REMOVED" : "");
}

/* A uniformly random current member of group gi, or -1 when it has none.
 * Draws an entry of the member array; one that is no longer a member (it
 * left by name or was deleted) is dropped and the draw repeated, so each
 * draw is uniform over the entries and the one returned uniform over the
 * members. The member returned is dropped too: the caller makes it leave. */
int64_t eng_random_member(model_engine *e, long gi) {
  group_dyn *g = &e->groups[gi];
  if (!g->listed && build_members(e, gi)) return -1;
  while (g->n_members > 0) {
    int64_t i = (int64_t)gsl_rng_uniform_int(g->rng, (unsigned long)g->n_members);
    int64_t t = g->members[i];
    g->members[i] = g->members[--g->n_members];   /* swap-remove */
    thing_state *th = &e->things[t];
    th->flags &= (uint8_t)~F_LISTED;
    if ((th->flags & (F_MEMBER | F_GONE)) == F_MEMBER) return t;
  }
  return -1;
}

sim_time_ms eng_poisson_gap(gsl_rng *r, double per_hour) {
  return (sim_time_ms)llround(gsl_ran_exponential(r, 3600000.0 / per_hour)) + 1;
}

void eng_on_arrival(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  long gi = (long)ev->subject;
  int64_t t = eng_add_thing(e, gi, NULL);
  if (t >= 0) eng_join(e, t, "arrival");
  double per_hour = e->sc->fleet.groups[gi].arrivals_per_hour;
  sim_time_ms next = sim_world_now(w) + eng_poisson_gap(e->groups[gi].rng, per_hour);
  if (next <= e->horizon)
    fail_if(e, sim_world_schedule(w, next, PRIO_FLEET, K_ARRIVAL, ev->subject, 0, NULL));
}

void eng_on_departure(sim_world *w, const sim_event *ev, void *ud) {
  model_engine *e = ud;
  long gi = (long)ev->subject;
  int64_t t = eng_random_member(e, gi);
  if (t >= 0) eng_leave(e, t, "departure");
  double per_hour = e->sc->fleet.groups[gi].departures_per_hour;
  sim_time_ms next = sim_world_now(w) + eng_poisson_gap(e->groups[gi].rng, per_hour);
  if (next <= e->horizon)
    fail_if(e, sim_world_schedule(w, next, PRIO_FLEET, K_DEPARTURE, ev->subject, 0, NULL));
}

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
  int got = joined(e, t, (long)g);
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
  int removed = left(e, t, false);
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
