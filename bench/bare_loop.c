/*
 * bare_loop.c — the benchmark workload's model as a bare loop (see
 * bare_loop.h). Everything a thing needs travels in its one pending event
 * (thing index, attempt, outcome), so the loop keeps no per-thing state.
 */
#include "bare_loop.h"

#include <math.h>
#include <stdlib.h>

#include "rng.h"

enum { ACT, DONE_OK, DONE_FAILED, TIMEOUT, WINDOW };
enum { PRIO_DEVICE = 0, PRIO_JOB = 10 };   /* the engine's priorities */

typedef struct ev {
  int64_t time;       /* ms */
  int32_t prio;
  uint32_t thing;
  uint64_t seq;       /* push order */
  uint32_t kind;      /* ACT .. WINDOW */
  uint32_t attempt;   /* retries spent by this thing so far */
} ev;

typedef struct heap {
  ev *a;
  size_t n, cap, peak;
  uint64_t seq;
} heap;

static int before(const ev *x, const ev *y) {
  if (x->time != y->time) return x->time < y->time;
  if (x->prio != y->prio) return x->prio < y->prio;
  return x->seq < y->seq;
}

static int push(heap *h, int64_t time, int32_t prio, uint32_t kind, uint32_t thing,
                uint32_t attempt) {
  if (h->n == h->cap) {
    size_t cap = h->cap ? h->cap * 2 : 1024;
    ev *a = realloc(h->a, cap * sizeof *a);
    if (!a) return -2;
    h->a = a;
    h->cap = cap;
  }
  ev e = {time, prio, thing, h->seq++, kind, attempt};
  size_t i = h->n++;
  if (h->n > h->peak) h->peak = h->n;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!before(&e, &h->a[p])) break;
    h->a[i] = h->a[p];
    i = p;
  }
  h->a[i] = e;
  return 0;
}

static ev pop(heap *h) {
  ev top = h->a[0], last = h->a[--h->n];
  size_t i = 0, n = h->n;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && before(&h->a[c + 1], &h->a[c])) c++;
    if (!before(&h->a[c], &last)) break;
    h->a[i] = h->a[c];
    i = c;
  }
  if (n) h->a[i] = last;
  return top;
}

/* Delay before a device acts on a new QUEUED execution, drawn as the
 * engine's hand() does: offline with probability 1 - connected (then it
 * reconnects first), then the start delay. */
static int64_t act_delay(const model_behavior *b, gsl_rng *r) {
  int64_t delay = 0;
  if (b->connected < 1.0 && !(sim_rng_uniform(r) < b->connected))
    delay += sim_dist_sample(&b->reconnect_after, r);
  return delay + sim_dist_sample(&b->start_delay, r);
}

int bare_loop_run(const model_scenario *sc, uint64_t seed, bare_result *out,
                  const char **why) {
  const model_jobcfg *c = &sc->job;
  const model_fleet *f = &sc->fleet;
  *why = NULL;
  if (f->n_groups != 1 || sc->n_ops || sc->has_start || sc->n_windows || c->continuous ||
      c->has_exponential || f->groups[0].arrivals_per_hour > 0 ||
      f->groups[0].departures_per_hour > 0 || sc->sim.timeout_lag_max > 0 ||
      c->n_abort > 1 || c->n_retry > 1 ||
      (c->n_retry && c->retry[0].failure_type != MODEL_FAILURE_FAILED)) {
    *why = "the bare loop models one group, a constant rate, FAILED retries and at most "
           "one abort criterion, nothing else";
    return -1;
  }
  const model_behavior *b = &f->behaviors[f->groups[0].behavior];
  if (b->has_progress || b->step_timeout_min || b->external) {
    *why = "the bare loop models simulated devices without progress updates";
    return -1;
  }
  int64_t n = f->n_things;
  int64_t rate = c->has_max_per_minute ? c->max_per_minute : 1000;
  if (rate > sc->sim.rollout_quota) rate = sc->sim.rollout_quota;
  int64_t tmo = c->has_in_progress_timeout ? c->in_progress_timeout_min * SIM_MS_PER_MIN : 0;
  int64_t retries = c->n_retry ? c->retry[0].number_of_retries : 0;
  int64_t thr = c->n_abort ? llround(c->abort[0].threshold_percentage * 100.0) : 0;
  int64_t min_exec = c->n_abort ? c->abort[0].min_executed : 0;
  model_failure_type abort_type = c->n_abort ? c->abort[0].failure_type : MODEL_FAILURE_ALL;
  int gate_notified = sc->sim.abort_gate == MODEL_GATE_NOTIFIED;

  sim_rngset *rs = NULL;
  gsl_rng *r = NULL;
  char name[256];
  snprintf(name, sizeof name, "device/%s", f->groups[0].name);
  if (sim_rngset_new(&rs, seed, NULL) || sim_rngset_stream(rs, name, &r)) {
    sim_rngset_free(rs);
    return -2;
  }
  heap h = {0};
  bare_result z = {.completed_at = -1};
  int64_t queued = 0, in_progress = 0, next_thing = 0;
  int rc = push(&h, 0, PRIO_JOB, WINDOW, 0, 0);
  while (rc == 0 && h.n > 0) {
    ev e = pop(&h);
    int64_t now = e.time;
    z.events++;
    int terminal = 0;
    switch (e.kind) {
      case WINDOW:
        z.windows++;
        for (int64_t k = 0; k < rate && next_thing < n && rc == 0; k++, next_thing++) {
          queued++;
          z.created++;
          rc = push(&h, now + act_delay(b, r), PRIO_DEVICE, ACT, (uint32_t)next_thing, 0);
        }
        if (next_thing < n && rc == 0) rc = push(&h, now + SIM_MS_PER_MIN, PRIO_JOB, WINDOW, 0, 0);
        break;
      case ACT: {
        model_outcome o = model_behavior_outcome(b, sim_rng_uniform(r));
        queued--;
        if (o == MODEL_OUTCOME_REJECTED) {
          z.rejected++;
          terminal = 1;
          break;
        }
        in_progress++;
        int64_t deadline = tmo ? now + tmo : INT64_MAX;
        int64_t report = o == MODEL_OUTCOME_NO_RESPONSE
                             ? INT64_MAX : now + sim_dist_sample(&b->run_time, r);
        if (report < deadline)
          rc = push(&h, report, PRIO_DEVICE,
                    o == MODEL_OUTCOME_SUCCEEDED ? DONE_OK : DONE_FAILED, e.thing, e.attempt);
        else if (deadline != INT64_MAX)
          rc = push(&h, deadline, PRIO_DEVICE, TIMEOUT, e.thing, e.attempt);
        break;
      }
      case DONE_OK:
        in_progress--;
        z.succeeded++;
        terminal = 1;
        break;
      case DONE_FAILED:
        in_progress--;
        z.failed++;
        terminal = 1;
        if (e.attempt < retries) {   /* a new QUEUED execution, notified now */
          z.retries++;
          z.created++;
          queued++;
          rc = push(&h, now + act_delay(b, r), PRIO_DEVICE, ACT, e.thing, e.attempt + 1);
        }
        break;
      case TIMEOUT:
        in_progress--;
        z.timed_out++;
        terminal = 1;
        break;
    }
    if (!terminal) continue;
    if (c->n_abort) {
      int64_t executed = z.succeeded + z.failed + z.rejected + z.timed_out;
      int64_t gate = gate_notified ? next_thing : executed;
      int64_t fail = abort_type == MODEL_FAILURE_FAILED     ? z.failed
                     : abort_type == MODEL_FAILURE_REJECTED ? z.rejected
                     : abort_type == MODEL_FAILURE_TIMED_OUT
                         ? z.timed_out : z.failed + z.rejected + z.timed_out;
      if (gate >= min_exec && fail * 10000 >= thr * executed) {
        z.aborted = 1;
        break;
      }
    }
    if (next_thing == n && queued == 0 && in_progress == 0) {
      z.completed_at = now;
      break;
    }
  }
  z.peak_pending = h.peak;
  free(h.a);
  sim_rngset_free(rs);
  if (rc) return rc;
  *out = z;
  return 0;
}
