/*
 * bench_queue.c — the pending-event set, candidate against candidate, on the
 * operation sequences that really occur.
 *
 * The traces: the push / pop / cancel calls the engine makes in one
 * replication, recorded from the real engine (the link wraps
 * sim_queue_push, _pop and _cancel): scenarios/constant-rate-10k.json (the
 * sweep benchmark's workload) and bench_engine's workload at 100,000 things
 * (pending sizes 1-2k in both), plus hold models at fixed pending sizes.
 * Each candidate replays each trace (peek then pop, as the world's loop
 * does), and must pop exactly the recorded sequence (checked every time):
 * the order is (time, prio, seq) for every candidate, so outputs cannot
 * change with the choice.
 *
 * Candidates: sim/queue.c as built (the real functions: a radix heap with
 * 8-bit digits in front of a small binary heap, keys, links and states in
 * an array of their own), and the prototypes in bench/queues/: the indexed
 * binary heap it replaced (binheap.c), a 4-ary heap (q4.c, keys inline),
 * the same with Floyd's pop and 128-bit keys (qf.c), a radix heap (rq.c;
 * bucket 0 a small heap on (prio, seq)) and the 8-bit radix heap with its
 * lists threaded through 64-byte slots (rw.c: sim/queue.c before the
 * struct-of-arrays split).
 *
 * usage: bench_queue [--rounds N] [--only NAME]
 *   Prints ns per event (one push + one peek/pop) for each candidate and
 *   trace: medians of N alternated rounds (default 7). --only runs one
 *   candidate once per trace (for callgrind instruction counts); --trace K
 *   with --only replays trace K (0-based) alone.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "engine.h"
#include "queue.h"
#include "queues/binheap.h"
#include "queues/q4.h"
#include "queues/qf.h"
#include "queues/rq.h"
#include "queues/rw.h"
#include "scenario.h"

/* ------------------------------------------------------------ tracing --- */

enum { OP_PUSH, OP_POP, OP_CANCEL };

typedef struct op {
  int64_t time;   /* push: its time */
  int32_t prio;   /* push: its priority */
  uint32_t kind;  /* OP_* */
  uint64_t ref;   /* pop: push index popped; cancel: push index cancelled */
} op;

typedef struct trace {
  const char *name;
  op *ops;
  size_t n, cap;
  size_t pushes, pops, peak;
} trace;

static trace *rec;              /* the trace being recorded, or NULL */
static sim_event_id *rec_ids;   /* handle of each push while recording */
static size_t rec_ids_cap;

static void add_op(trace *t, op o) {
  if (t->n == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 65536;
    t->ops = realloc(t->ops, t->cap * sizeof *t->ops);
    if (!t->ops) abort();
  }
  t->ops[t->n++] = o;
}

int __real_sim_queue_push(sim_queue *q, sim_time_ms time, int32_t prio, uint32_t kind,
                          uint64_t subject, uint64_t arg, sim_event_id *id);
bool __real_sim_queue_pop(sim_queue *q, sim_event *out);
bool __real_sim_queue_pop_until(sim_queue *q, sim_time_ms until, sim_event *out);
int __real_sim_queue_cancel(sim_queue *q, sim_event_id id);
int __wrap_sim_queue_push(sim_queue *q, sim_time_ms time, int32_t prio, uint32_t kind,
                          uint64_t subject, uint64_t arg, sim_event_id *id);
bool __wrap_sim_queue_pop(sim_queue *q, sim_event *out);
bool __wrap_sim_queue_pop_until(sim_queue *q, sim_time_ms until, sim_event *out);
int __wrap_sim_queue_cancel(sim_queue *q, sim_event_id id);

int __wrap_sim_queue_push(sim_queue *q, sim_time_ms time, int32_t prio, uint32_t kind,
                          uint64_t subject, uint64_t arg, sim_event_id *id) {
  sim_event_id mine;
  int rc = __real_sim_queue_push(q, time, prio, kind, subject, arg, &mine);
  if (id) *id = mine;
  if (rec && rc == SIM_OK) {
    if (rec->pushes == rec_ids_cap) {
      rec_ids_cap = rec_ids_cap ? rec_ids_cap * 2 : 65536;
      rec_ids = realloc(rec_ids, rec_ids_cap * sizeof *rec_ids);
      if (!rec_ids) abort();
    }
    rec_ids[rec->pushes++] = mine;
    add_op(rec, (op){time, prio, OP_PUSH, 0});
    if (sim_queue_size(q) > rec->peak) rec->peak = sim_queue_size(q);
  }
  return rc;
}

bool __wrap_sim_queue_pop(sim_queue *q, sim_event *out) {
  bool got = __real_sim_queue_pop(q, out);
  if (rec && got) {
    add_op(rec, (op){out->time, out->prio, OP_POP, out->seq});   /* seq = push index */
    rec->pops++;
  }
  return got;
}

/* The run loop pops through sim_queue_pop_until: recorded as a pop. */
bool __wrap_sim_queue_pop_until(sim_queue *q, sim_time_ms until, sim_event *out) {
  bool got = __real_sim_queue_pop_until(q, until, out);
  if (rec && got) {
    add_op(rec, (op){out->time, out->prio, OP_POP, out->seq});
    rec->pops++;
  }
  return got;
}

int __wrap_sim_queue_cancel(sim_queue *q, sim_event_id id) {
  int rc = __real_sim_queue_cancel(q, id);
  if (rec && rc == SIM_OK) {
    size_t k = rec->pushes;
    while (k > 0 && rec_ids[k - 1] != id) k--;
    if (k == 0) abort();
    add_op(rec, (op){0, 0, OP_CANCEL, k - 1});
  }
  return rc;
}

static int record_scenario(trace *t, const char *name, const char *file, const char *text) {
  sim_diag d;
  model_scenario *sc = NULL;
  int rc = text ? model_scenario_load_text(&sc, file, text, strlen(text), &d)
                : model_scenario_load(&sc, file, &d);
  if (rc) {
    fprintf(stderr, "bench_queue: %s: %s: %s\n", d.file, d.path, d.msg);
    return 1;
  }
  memset(t, 0, sizeof *t);
  t->name = name;
  rec = t;
  model_engine *e = NULL;
  rc = model_engine_new(&e, sc, sc->sim.seed, NULL, &d);
  if (!rc) rc = model_engine_run(e, sc->sim.until);
  rec = NULL;
  model_engine_free(e);
  model_scenario_free(sc);
  return rc != 0;
}

/* Hold model: n pending; each pop pushes one event at now + exp(mean) ms,
 * priority 0 or 10; the order comes from the kernel's own queue. */
static void record_hold(trace *t, const char *name, size_t n, double mean_ms, size_t events) {
  memset(t, 0, sizeof *t);
  t->name = name;
  sim_queue *q;
  if (sim_queue_new(&q, NULL)) abort();
  uint64_t s = 0x9e3779b97f4a7c15u;
  rec = t;
  for (size_t i = 0; i < n + events; i++) {
    sim_time_ms now = 0;
    if (i >= n) {
      sim_event ev;
      sim_queue_peek(q);
      __wrap_sim_queue_pop(q, &ev);
      now = ev.time;
    }
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    double u = (double)(s >> 11) * 0x1.0p-53;
    int64_t d = (int64_t)llround(-mean_ms * log1p(-u));
    if (i < events) __wrap_sim_queue_push(q, now + d, (s & 1) ? 10 : 0, 0, 0, 0, NULL);
  }
  rec = NULL;
  sim_queue_free(q);
}

/* ------------------------------------------------------------- replay --- */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static sim_event_id *ids;   /* handle per push index */

/* One replay of trace t: seconds, or -1 when a pop differs from the trace. */
#define DEFINE_REPLAY(NAME, TYPE, NEW, FREE, PUSH, PEEK, POP, CANCEL)            \
  static double replay_##NAME(const trace *t) {                                 \
    TYPE *q;                                                                    \
    if (NEW(&q, NULL)) abort();                                                 \
    size_t pushed = 0;                                                          \
    bool ok = true;                                                             \
    double t0 = now_s();                                                        \
    for (size_t i = 0; i < t->n; i++) {                                         \
      const op *o = &t->ops[i];                                                 \
      if (o->kind == OP_PUSH) {                                                 \
        if (PUSH(q, o->time, o->prio, 0, pushed, 0, &ids[pushed])) abort();     \
        pushed++;                                                               \
      } else if (o->kind == OP_POP) {                                           \
        sim_event ev;                                                           \
        const sim_event *top = PEEK(q);                                         \
        if (!top || top->time != o->time) ok = false;                           \
        POP(q, &ev);                                                            \
        if (ev.subject != o->ref) ok = false;                                   \
      } else {                                                                  \
        if (CANCEL(q, ids[o->ref])) ok = false;                                 \
      }                                                                         \
    }                                                                           \
    double dt = now_s() - t0;                                                   \
    FREE(q);                                                                    \
    return ok ? dt : -1;                                                        \
  }

static const sim_event *bin_peek(sim_queue *q) { return sim_queue_peek(q); }
DEFINE_REPLAY(binary, sim_queue, sim_queue_new, sim_queue_free, __real_sim_queue_push,
              bin_peek, __real_sim_queue_pop, __real_sim_queue_cancel)
static const sim_event *bh_peek_(bh_queue *q) { return bh_peek(q); }
DEFINE_REPLAY(binheap, bh_queue, bh_new, bh_free, bh_push, bh_peek_, bh_pop, bh_cancel)
static const sim_event *q4_peek_(q4_queue *q) { return q4_peek(q); }
static const sim_event *qf_peek_(qf_queue *q) { return qf_peek(q); }
DEFINE_REPLAY(quadf, qf_queue, qf_new, qf_free, qf_push, qf_peek_, qf_pop, qf_cancel)
DEFINE_REPLAY(quad, q4_queue, q4_new, q4_free, q4_push, q4_peek_, q4_pop, q4_cancel)
DEFINE_REPLAY(radix, rq_queue, rq_new, rq_free, rq_push, rq_peek, rq_pop, rq_cancel)
DEFINE_REPLAY(wheel, rw_queue, rw_new, rw_free, rw_push, rw_peek, rw_pop, rw_cancel)

typedef struct cand {
  const char *name;
  double (*replay)(const trace *t);
} cand;

static const cand cands[] = {
    {"sim/queue.c as built", replay_binary},
    {"binary heap (60e2797)", replay_binheap},
    {"4-ary heap", replay_quad},
    {"4-ary Floyd u128", replay_quadf},
    {"radix heap", replay_radix},
    {"radix-256 wheel", replay_wheel},
};
enum { NCAND = sizeof cands / sizeof cands[0] };

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  gsl_set_error_handler_off();
  int rounds = 7;
  const char *only = NULL;
  int only_trace = -1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) rounds = atoi(argv[++i]);
    else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = argv[++i];
    else if (strcmp(argv[i], "--trace") == 0 && i + 1 < argc) only_trace = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: bench_queue [--rounds N] [--only binary|4-ary|radix]\n");
      return 2;
    }
  }
  if (rounds < 1 || rounds > 99) rounds = 7;
  static const char *const bench_fmt =
      "{\"name\":\"bench\",\"job\":{\"jobId\":\"bench\","
      "\"targets\":[\"arn:aws:iot:us-west-2:123456789012:thinggroup/fleet\"],"
      "\"document\":\"{}\",\"jobExecutionsRolloutConfig\":{\"maximumPerMinute\":1000},"
      "\"abortConfig\":{\"criteriaList\":[{\"failureType\":\"ALL\",\"action\":\"CANCEL\","
      "\"thresholdPercentage\":50,\"minNumberOfExecutedThings\":1000}]},"
      "\"timeoutConfig\":{\"inProgressTimeoutInMinutes\":10},"
      "\"jobExecutionsRetryConfig\":{\"criteriaList\":[{\"failureType\":\"FAILED\","
      "\"numberOfRetries\":2}]}},"
      "\"fleet\":{\"groups\":[{\"name\":\"fleet\",\"things\":100000,\"behavior\":\"b\"}],"
      "\"behaviors\":{\"b\":{"
      "\"startDelay\":{\"distribution\":\"exponential\",\"mean\":\"10s\"},"
      "\"runTime\":{\"distribution\":\"lognormal\",\"median\":\"60s\",\"sigma\":0.5},"
      "\"outcomes\":{\"SUCCEEDED\":0.95,\"FAILED\":0.03,\"REJECTED\":0.01,"
      "\"NO_RESPONSE\":0.01}}}},"
      "\"simulation\":{\"seed\":42,\"until\":\"30d\",\"snapshotEvery\":\"5m\"}}";
  trace tr[5];
  int nt = 0;
  if (record_scenario(&tr[nt++], "sweep: constant-rate-10k, 1 replication",
                      JOBSIM_SOURCE_DIR "/scenarios/constant-rate-10k.json", NULL) ||
      record_scenario(&tr[nt++], "bench_engine workload, 100k things", "bench.json",
                      bench_fmt))
    return 1;
  record_hold(&tr[nt++], "hold model, 1,000 pending, mean 60 s", 1000, 60000, 400000);
  record_hold(&tr[nt++], "hold model, 2,000 pending, mean 60 s", 2000, 60000, 400000);
  record_hold(&tr[nt++], "hold model, 20,000 pending, mean 60 s", 20000, 60000, 400000);
  size_t maxpush = 0;
  for (int i = 0; i < nt; i++)
    if (tr[i].pushes > maxpush) maxpush = tr[i].pushes;
  ids = malloc(maxpush * sizeof *ids);
  if (!ids) return 1;

  int bad = 0;
  if (only) {
    for (int c = 0; c < NCAND; c++)
      if (strstr(cands[c].name, only) == cands[c].name)
        for (int i = 0; i < nt; i++) {
          if (only_trace >= 0 && i != only_trace) continue;
          double s = cands[c].replay(&tr[i]);
          printf("%s: %s: %.3f s%s\n", cands[c].name, tr[i].name, s, s < 0 ? " WRONG ORDER" : "");
          if (s < 0) bad = 1;
        }
    return bad;
  }
  printf("bench_queue: ns per event (push + peek/pop), median of %d alternated rounds; "
         "each replay must pop exactly the recorded order\n", rounds);
  printf("| trace | pushes | peak pending |");
  for (int c = 0; c < NCAND; c++) printf(" %s |", cands[c].name);
  printf("\n|---|---|---|");
  for (int c = 0; c < NCAND; c++) printf("---|");
  printf("\n");
  for (int i = 0; i < nt; i++) {
    double v[NCAND][99];
    /* repeat short traces so each measurement is >= ~2M events */
    size_t reps = tr[i].pushes >= 2000000 ? 1 : 2000000 / tr[i].pushes + 1;
    for (int r = 0; r < rounds; r++)
      for (int j = 0; j < NCAND; j++) {
        int c = (r + j) % NCAND;
        double sum = 0;
        for (size_t k = 0; k < reps; k++) {
          double s = cands[c].replay(&tr[i]);
          if (s < 0) { bad = 1; s = 0; }
          sum += s;
        }
        v[c][r] = sum * 1e9 / ((double)reps * (double)tr[i].pushes);
      }
    printf("| %s | %zu | %zu |", tr[i].name, tr[i].pushes, tr[i].peak);
    for (int c = 0; c < NCAND; c++) {
      qsort(v[c], (size_t)rounds, sizeof(double), cmp_d);
      printf(" %.1f |", v[c][rounds / 2]);
    }
    printf("\n");
    fflush(stdout);
  }
  printf("order identical to the recorded one in every replay: %s\n", bad ? "NO" : "yes");
  return bad;
}
