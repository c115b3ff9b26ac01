/*
 * engine_exec.c — the execution records beyond each thing's latest one: it
 * owns the side table of superseded executions (past_record chains),
 * versionNumbers above 254 (big_versions) and the read-only views of every
 * record (describe-job-execution, list-job-executions-for-job); it writes
 * only the side table and big_versions, never the job's counters.
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <stdlib.h>
#include <string.h>

static uint32_t version_of(const model_engine *e, int64_t t) {
  const thing_state *th = &e->things[t];
  if (th->version != VERSION_BIG) return th->version;
  size_t cur = 0;
  return (uint32_t)sim_index_next(&e->big_versions, (uint64_t)t, &cur);
}

/* One more device update of thing t's execution. */
void eng_version_inc(model_engine *e, int64_t t) {
  thing_state *th = &e->things[t];
  if (th->version < VERSION_BIG - 1) {
    th->version++;
    return;
  }
  uint32_t v = version_of(e, t) + 1;
  th->version = VERSION_BIG;
  if (v < UINT32_MAX && sim_index_set(&e->big_versions, (uint64_t)t, v))
    sim_world_fail(e->w, SIM_ERR_NOMEM);
}

int eng_push_past(model_engine *e, int64_t t) {
  if (e->n_past == e->cap_past) {
    size_t nc = e->cap_past ? e->cap_past * 2 : 1024;
    past_record *np = realloc(e->past, nc * sizeof *np);
    if (!np) return SIM_ERR_NOMEM;
    e->past = np;
    e->cap_past = nc;
  }
  const thing_state *th = &e->things[t];
  size_t cur = 0;
  int64_t prev = sim_index_next(&e->past_head, (uint64_t)t, &cur);
  if (sim_index_set(&e->past_head, (uint64_t)t, (int64_t)e->n_past)) return SIM_ERR_NOMEM;
  past_record *r = &e->past[e->n_past++];
  r->prev = prev;
  r->queued_at = th->queued_at;
  r->started_at = th->started_at;
  r->updated_at = th->updated_at;
  r->thing = (uint32_t)t;
  r->version = version_of(e, t);
  r->exec_no = th->exec_no;
  r->status = th->status;
  r->retry_attempt = th->retry_attempt;
  r->force = (th->flags & F_FORCE) != 0;
  return SIM_OK;
}

/* Thing t's past record with executionNumber exec_no (the newest one still
 * there when exec_no is 0), following its chain; NULL when none. */
past_record *eng_past_of(const model_engine *e, int64_t t, int64_t exec_no) {
  size_t cur = 0;
  int64_t i = sim_index_next(&e->past_head, (uint64_t)t, &cur);
  for (; i >= 0; i = e->past[i].prev) {
    past_record *r = &e->past[i];
    if (r->status == EXEC_DELETED) continue;
    if (exec_no == 0 || r->exec_no == exec_no) return r;
  }
  return NULL;
}

/* --------------------------------------------------- execution records --- */

static void view_of(model_exec_view *v, int64_t thing, unsigned exec_no,
                    unsigned retry_attempt, unsigned version, unsigned status,
                    sim_time_ms q, sim_time_ms s, sim_time_ms u, bool force,
                    bool latest) {
  v->thing = thing;
  v->exec_no = (int)exec_no;
  v->retry_attempt = (int)retry_attempt;
  v->version = (int)version;
  v->status = (model_exec_status)status;
  v->queued_at = q;
  v->started_at = s;
  v->updated_at = u;
  v->force_canceled = force;
  v->latest = latest;
}

static void view_thing(const model_engine *e, int64_t t, model_exec_view *v) {
  const thing_state *th = &e->things[t];
  view_of(v, t, th->exec_no, th->retry_attempt, version_of(e, t), th->status, th->queued_at,
          th->started_at, th->updated_at, (th->flags & F_FORCE) != 0, true);
}

static void view_past(const past_record *r, model_exec_view *v) {
  view_of(v, r->thing, r->exec_no, r->retry_attempt, r->version, r->status, r->queued_at,
          r->started_at, r->updated_at, r->force != 0, false);
}

static int cmp_past(const void *a, const void *b) {
  const past_record *x = a, *y = b;
  if (x->thing != y->thing) return x->thing < y->thing ? -1 : 1;
  return (int)x->exec_no - (int)y->exec_no;
}

int model_engine_foreach_exec(const model_engine *e, model_exec_fn fn, void *ud) {
  past_record *p = NULL;
  if (e->n_past) {
    p = malloc(e->n_past * sizeof *p);
    if (!p) return SIM_ERR_NOMEM;
    memcpy(p, e->past, e->n_past * sizeof *p);
    qsort(p, e->n_past, sizeof *p, cmp_past);
  }
  size_t k = 0;
  int rc = 0;
  model_exec_view v;
  for (int64_t t = 0; t < e->n_things && !rc; t++) {
    for (; k < e->n_past && p[k].thing == (uint32_t)t && !rc; k++) {
      if (p[k].status == EXEC_DELETED) continue;
      view_past(&p[k], &v);
      rc = fn(ud, &v);
    }
    if (rc || e->things[t].status == MODEL_EXEC_NONE) continue;
    view_thing(e, t, &v);
    rc = fn(ud, &v);
  }
  free(p);
  return rc;
}

bool model_engine_exec(const model_engine *e, int64_t thing, int exec_no,
                       model_exec_view *out) {
  if (thing < 0 || thing >= e->n_things) return false;
  const thing_state *th = &e->things[thing];
  if (th->status != MODEL_EXEC_NONE && (exec_no <= 0 || exec_no == th->exec_no)) {
    view_thing(e, thing, out);
    return true;
  }
  const past_record *r = eng_past_of(e, thing, exec_no);
  if (!r) return false;
  view_past(r, out);
  return true;
}
