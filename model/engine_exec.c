/*
 * engine_exec.c — the execution records: it owns where a job's records live
 * (the fleet's array for job 0, a job's own array and index after it), the
 * side table of superseded executions (past_record chains), versionNumbers
 * above 254 (big_versions), statusDetails sent through the data plane and
 * the read-only views of every record (describe-job-execution,
 * list-job-executions-for-job, a thing's executions across jobs); it writes
 * only those tables, never the jobs' counters.
 */
#define _POSIX_C_SOURCE 200809L
#include "engine_internal.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ records --- */

thing_state *eng_rec_slow(const model_engine *e, const eng_job *J, int64_t t) {
  (void)e;
  if (!J->rec_of.count) return NULL;
  size_t cur = 0;
  int64_t i = sim_index_next(&J->rec_of, (uint64_t)t, &cur);
  return i < 0 ? NULL : &J->recs[i];
}

thing_state *eng_rec_make_slow(model_engine *e, eng_job *J, int64_t t) {
  thing_state *th = eng_rec_slow(e, J, t);
  if (th) return th;
  if (J->n_recs == J->cap_recs) {
    int64_t nc = J->cap_recs ? J->cap_recs * 2 : 64;
    thing_state *nr = sim_realloc(NULL, J->recs, (size_t)J->cap_recs * sizeof *nr,
                                  (size_t)nc * sizeof *nr);
    if (nr) J->recs = nr;
    uint32_t *nt = realloc(J->rec_thing, (size_t)nc * sizeof *nt);
    if (nt) J->rec_thing = nt;
    if (!nr || !nt) { sim_world_fail(e->w, SIM_ERR_NOMEM); return NULL; }
    J->cap_recs = nc;
  }
  if (sim_index_set(&J->rec_of, (uint64_t)t, J->n_recs)) {
    sim_world_fail(e->w, SIM_ERR_NOMEM);
    return NULL;
  }
  th = &J->recs[J->n_recs];
  J->rec_thing[J->n_recs++] = (uint32_t)t;
  memset(th, 0, sizeof *th);
  th->started_at = -1;
  th->group = e->things[t].group;
  return th;
}

/* Thing of job J's i-th record (dense: i itself). */
int64_t eng_rec_thing(const model_engine *e, const eng_job *J, int64_t i) {
  (void)e;
  return J->dense ? i : (int64_t)J->rec_thing[i];
}

uint32_t eng_version_of(const eng_job *J, int64_t t, const thing_state *th) {
  if (th->version != VERSION_BIG) return th->version;
  size_t cur = 0;
  return (uint32_t)sim_index_next(&J->big_versions, (uint64_t)t, &cur);
}

/* versionNumber past the 8-bit field (see eng_version_inc). */
void eng_version_inc_slow(model_engine *e, eng_job *J, int64_t t, thing_state *th) {
  uint32_t v = eng_version_of(J, t, th) + 1;
  th->version = VERSION_BIG;
  if (v < UINT32_MAX && sim_index_set(&J->big_versions, (uint64_t)t, v))
    sim_world_fail(e->w, SIM_ERR_NOMEM);
}

int eng_push_past(model_engine *e, eng_job *J, int64_t t, const thing_state *th) {
  (void)e;
  if (J->n_past == J->cap_past) {
    size_t nc = J->cap_past ? J->cap_past * 2 : 1024;
    past_record *np = sim_realloc(NULL, J->past, J->cap_past * sizeof *np, nc * sizeof *np);
    if (!np) return SIM_ERR_NOMEM;
    J->past = np;
    J->cap_past = nc;
  }
  size_t cur = 0;
  int64_t prev = sim_index_next(&J->past_head, (uint64_t)t, &cur);
  if (sim_index_set(&J->past_head, (uint64_t)t, (int64_t)J->n_past)) return SIM_ERR_NOMEM;
  past_record *r = &J->past[J->n_past++];
  r->prev = prev;
  r->queued_at = th->queued_at;
  r->started_at = th->started_at;
  r->updated_at = th->updated_at;
  r->thing = (uint32_t)t;
  r->version = eng_version_of(J, t, th);
  r->exec_no = th->exec_no;
  r->status = th->status;
  r->retry_attempt = th->retry_attempt;
  r->force = (th->flags & F_FORCE) != 0;
  return SIM_OK;
}

/* Thing t's past record with executionNumber exec_no (the newest one still
 * there when exec_no is 0), following its chain; NULL when none. */
past_record *eng_past_of(const eng_job *J, int64_t t, int64_t exec_no) {
  if (!J->past_head.count) return NULL;
  size_t cur = 0;
  int64_t i = sim_index_next(&J->past_head, (uint64_t)t, &cur);
  for (; i >= 0; i = J->past[i].prev) {
    past_record *r = &J->past[i];
    if (r->status == EXEC_DELETED) continue;
    if (exec_no == 0 || r->exec_no == exec_no) return r;
  }
  return NULL;
}

/* --------------------------------------------------------- statusDetails --- */

static uint64_t details_key(const eng_job *J, int64_t t) {
  return (uint64_t)J->index << 32 | (uint64_t)t;
}

const model_details *eng_details(const model_engine *e, const eng_job *J, int64_t t,
                                 const thing_state *th) {
  if (!(th->xflags & X_DETAILS)) return NULL;
  size_t cur = 0;
  int64_t i = sim_index_next(&e->details_of, details_key(J, t), &cur);
  return i < 0 ? NULL : &e->details[i];
}

static void details_clear(model_details *d) {
  for (size_t i = 0; i < d->n; i++) {
    free(d->key[i]);
    free(d->value[i]);
  }
  memset(d, 0, sizeof *d);
}

/* Merge `in` into the statusDetails of J's execution on t (AWS merges the
 * map: keys given replace, others stay); at most MODEL_MAX_DETAILS pairs.
 * SIM_ERR_RANGE when the merged map would hold more. */
int eng_details_merge(model_engine *e, eng_job *J, int64_t t, thing_state *th,
                      const model_details *in) {
  if (!in || in->n == 0) return SIM_OK;
  model_details *d = NULL;
  if (th->xflags & X_DETAILS) {
    size_t cur = 0;
    int64_t i = sim_index_next(&e->details_of, details_key(J, t), &cur);
    if (i >= 0) d = &e->details[i];
  }
  size_t fresh = 0;
  for (size_t k = 0; k < in->n; k++) {
    bool have = false;
    for (size_t i = 0; d && i < d->n && !have; i++) have = strcmp(d->key[i], in->key[k]) == 0;
    if (!have) fresh++;
  }
  if ((d ? d->n : 0) + fresh > MODEL_MAX_DETAILS) return SIM_ERR_RANGE;
  if (!d) {
    size_t cur = 0;
    int64_t i = sim_index_next(&e->details_of, details_key(J, t), &cur);
    if (i < 0) {
      if (e->n_details == e->cap_details) {
        size_t nc = e->cap_details ? e->cap_details * 2 : 16;
        model_details *nd = realloc(e->details, nc * sizeof *nd);
        if (!nd) return SIM_ERR_NOMEM;
        e->details = nd;
        e->cap_details = nc;
      }
      i = (int64_t)e->n_details;
      memset(&e->details[i], 0, sizeof e->details[i]);
      if (sim_index_set(&e->details_of, details_key(J, t), i)) return SIM_ERR_NOMEM;
      e->n_details++;
    }
    d = &e->details[i];
    details_clear(d);   /* an earlier execution's details */
  }
  for (size_t k = 0; k < in->n; k++) {
    char *v = strdup(in->value[k]);
    if (!v) return SIM_ERR_NOMEM;
    size_t i = 0;
    while (i < d->n && strcmp(d->key[i], in->key[k]) != 0) i++;
    if (i == d->n) {
      char *key = strdup(in->key[k]);
      if (!key) { free(v); return SIM_ERR_NOMEM; }
      d->key[d->n] = key;
      d->value[d->n++] = v;
    } else {
      free(d->value[i]);
      d->value[i] = v;
    }
  }
  th->xflags |= X_DETAILS;
  return SIM_OK;
}

void eng_details_free(model_engine *e) {
  for (size_t i = 0; i < e->n_details; i++) details_clear(&e->details[i]);
  free(e->details);
  sim_index_release(&e->details_of);
}

/* --------------------------------------------------- execution records --- */

static void view_of(model_exec_view *v, size_t job, int64_t thing, unsigned exec_no,
                    unsigned retry_attempt, unsigned version, unsigned status,
                    sim_time_ms q, sim_time_ms s, sim_time_ms u, bool force,
                    bool latest) {
  v->job = job;
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
  v->details = NULL;
}

static void view_thing(const model_engine *e, const eng_job *J, int64_t t,
                       const thing_state *th, model_exec_view *v) {
  view_of(v, J->index, t, th->exec_no, th->retry_attempt, eng_version_of(J, t, th),
          th->status, th->queued_at, th->started_at, th->updated_at,
          (th->flags & F_FORCE) != 0, true);
  v->details = eng_details(e, J, t, th);
}

static void view_past(const eng_job *J, const past_record *r, model_exec_view *v) {
  view_of(v, J->index, r->thing, r->exec_no, r->retry_attempt, r->version, r->status,
          r->queued_at, r->started_at, r->updated_at, r->force != 0, false);
}

static int cmp_past(const void *a, const void *b) {
  const past_record *x = a, *y = b;
  if (x->thing != y->thing) return x->thing < y->thing ? -1 : 1;
  return (int)x->exec_no - (int)y->exec_no;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static const eng_job *job_of(const model_engine *e, size_t j) {
  return j < e->n_jobs ? e->jobs[j] : NULL;
}

int model_engine_foreach_exec_at(const model_engine *e, size_t j, model_exec_fn fn,
                                 void *ud) {
  const eng_job *J = job_of(e, j);
  if (!J) return 0;
  past_record *p = NULL;
  uint64_t *order = NULL;   /* (thing << 32 | record) of a sparse job, sorted */
  if (J->n_past) {
    p = malloc(J->n_past * sizeof *p);
    if (!p) return SIM_ERR_NOMEM;
    memcpy(p, J->past, J->n_past * sizeof *p);
    qsort(p, J->n_past, sizeof *p, cmp_past);
  }
  int64_t n = J->dense ? e->n_things : J->n_recs;
  if (!J->dense && n) {
    order = malloc((size_t)n * sizeof *order);
    if (!order) { free(p); return SIM_ERR_NOMEM; }
    for (int64_t i = 0; i < n; i++)
      order[i] = (uint64_t)J->rec_thing[i] << 32 | (uint64_t)i;
    qsort(order, (size_t)n, sizeof *order, cmp_u64);
  }
  size_t k = 0;
  int rc = 0;
  model_exec_view v;
  for (int64_t i = 0; i < n && !rc; i++) {
    int64_t t = J->dense ? i : (int64_t)(order[i] >> 32);
    const thing_state *th = J->dense ? &e->things[t] : &J->recs[order[i] & 0xffffffffu];
    for (; k < J->n_past && p[k].thing < (uint32_t)t; k++) {}   /* no latest left */
    for (; k < J->n_past && p[k].thing == (uint32_t)t && !rc; k++) {
      if (p[k].status == EXEC_DELETED) continue;
      view_past(J, &p[k], &v);
      rc = fn(ud, &v);
    }
    if (rc || th->status == MODEL_EXEC_NONE) continue;
    view_thing(e, J, t, th, &v);
    rc = fn(ud, &v);
  }
  free(p);
  free(order);
  return rc;
}

bool model_engine_exec_at(const model_engine *e, size_t j, int64_t thing, int exec_no,
                          model_exec_view *out) {
  const eng_job *J = job_of(e, j);
  if (!J || J->job.vanished || thing < 0 || thing >= e->n_things) return false;
  const thing_state *th = eng_rec(e, J, thing);
  if (!th) return false;
  if (th->status != MODEL_EXEC_NONE && (exec_no <= 0 || exec_no == th->exec_no)) {
    view_thing(e, J, thing, th, out);
    return true;
  }
  const past_record *r = eng_past_of(J, thing, exec_no);
  if (!r) return false;
  view_past(J, r, out);
  return true;
}

int model_engine_foreach_exec(const model_engine *e, model_exec_fn fn, void *ud) {
  return model_engine_foreach_exec_at(e, 0, fn, ud);
}

bool model_engine_exec(const model_engine *e, int64_t thing, int exec_no,
                       model_exec_view *out) {
  return model_engine_exec_at(e, 0, thing, exec_no, out);
}

/* StartNext order: IN_PROGRESS before QUEUED, then queuedAt, then job. */
static int next_rank(const model_exec_view *v) {
  return v->status == MODEL_EXEC_IN_PROGRESS ? 0 : v->status == MODEL_EXEC_QUEUED ? 1 : 2;
}

static int cmp_next(const model_exec_view *a, const model_exec_view *b) {
  int ra = next_rank(a), rb = next_rank(b);
  if (ra != rb) return ra - rb;
  if (ra < 2 && a->queued_at != b->queued_at) return a->queued_at < b->queued_at ? -1 : 1;
  return a->job < b->job ? -1 : a->job > b->job;
}

size_t model_engine_thing_execs(const model_engine *e, int64_t t, model_exec_view *out,
                                size_t cap) {
  if (t < 0 || t >= e->n_things) return 0;
  size_t n = 0;
  for (size_t j = 0; j < e->n_jobs; j++) {
    model_exec_view v;
    if (!model_engine_exec_at(e, j, t, 0, &v)) continue;
    if (n < cap) {   /* insertion sort: a handful of jobs per thing */
      size_t i = n;
      while (i > 0 && cmp_next(&v, &out[i - 1]) < 0) {
        out[i] = out[i - 1];
        i--;
      }
      out[i] = v;
    }
    n++;
  }
  return n;
}

bool model_engine_next_exec(const model_engine *e, int64_t t, model_exec_view *out) {
  if (t < 0 || t >= e->n_things) return false;
  bool found = false;
  for (size_t j = 0; j < e->n_jobs; j++) {
    model_exec_view v;
    if (!model_engine_exec_at(e, j, t, 0, &v) || next_rank(&v) == 2) continue;
    if (v.status == MODEL_EXEC_QUEUED && e->jobs[j]->job.status != MODEL_JOB_IN_PROGRESS)
      continue;
    if (!found || cmp_next(&v, out) < 0) *out = v;
    found = true;
  }
  return found;
}
