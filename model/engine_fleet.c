/*
 * engine_fleet.c — the fleet during the run: it owns the things that join
 * (arrivals, add-things, CreateThing), leave (departures, remove-things) or
 * are deleted, the extra things' storage and names, thing lookup by name,
 * and the groups' arrays of current members for random picks; it may write
 * a thing's membership flags and, through eng_set_status and
 * eng_new_execution, the executions that follow a join or a departure.
 *
 * A thing has one fleet group, its behaviour, which is also a thing group
 * it is a member of or not (the scenario's things start as members);
 * created thing groups (engine_registry.c) hold any things.
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>


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
    thing_state *nt = sim_realloc(NULL, e->things, (size_t)e->cap_things * sizeof *nt,
                                  (size_t)nc * sizeof *nt);
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
int eng_joined(model_engine *e, int64_t t, long g) {
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
int eng_left(model_engine *e, int64_t t, bool deleted) {
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
  int got = eng_joined(e, t, th->group);
  eng_log(e, e->n_jobs == 1 ? e->jobs[0] : NULL, "thing %s joins group %s (%s)%s", name,
          e->sc->fleet.groups[th->group].name, why,
          got ? ": CONTINUOUS job queues an execution for it" : "");
}

void eng_leave(model_engine *e, int64_t t, const char *why) {
  thing_state *th = &e->things[t];
  char name[160];
  model_engine_thing_name(e, t, name, sizeof name);
  th->flags &= (uint8_t)~F_MEMBER;
  int removed = eng_left(e, t, false);
  eng_log(e, e->n_jobs == 1 ? e->jobs[0] : NULL, "thing %s leaves group %s (%s)%s", name,
          e->sc->fleet.groups[th->group].name, why,
          removed ? ": its execution is REMOVED" : "");
}

void eng_delete_thing(model_engine *e, int64_t t) {
  thing_state *th = &e->things[t];
  char name[160];
  model_engine_thing_name(e, t, name, sizeof name);
  th->flags = (uint8_t)((th->flags | F_GONE) & ~F_MEMBER);
  int removed = eng_left(e, t, true);   /* any job type */
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
