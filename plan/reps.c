/*
 * reps.c — the replication runner: ranks, then threads, then items.
 */
#define _POSIX_C_SOURCE 200809L
#include "reps.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "par.h"
#include "rng.h"

uint64_t plan_rep_seed(uint64_t seed, size_t index) {
  char name[48];
  snprintf(name, sizeof name, "replication/%zu", index);
  return sim_rng_derive(seed, name);
}

unsigned plan_default_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) n = 1;
  long per = n / plan_par_local_size();
  return per < 1 ? 1u : (unsigned)per;
}

typedef struct batch {
  const plan_task *tasks;
  size_t count, first, lo, hi;   /* items [lo, hi) are this rank's */
  uint64_t seed;
  plan_metrics *out;
  atomic_size_t next;
  atomic_size_t failed_at;       /* lowest failing item, or SIZE_MAX */
  atomic_size_t done;            /* items finished (progress) */
  const plan_reps_progress *pg;  /* or NULL */
  double terminal_pct;
  double last;                   /* wall s of the last report (calling thread) */
  pthread_mutex_t lock;          /* guards diag */
  sim_diag diag;
} batch;

static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *work(batch *b, bool caller) {
  for (;;) {
    size_t item = atomic_fetch_add(&b->next, 1) + b->lo;
    if (item >= b->hi) break;
    if (atomic_load(&b->failed_at) < item) break;   /* an earlier item failed */
    size_t t = item / b->count, r = item % b->count;
    const plan_task *tk = &b->tasks[t];
    sim_diag d;
    sim_diag_init(&d, tk->sc->file);
    int rc = plan_metrics_run_pct(&b->out[item], tk->sc,
                                  plan_rep_seed(b->seed, b->first + r), tk->affects,
                                  tk->n_affects, b->terminal_pct, &d);
    if (rc) {
      pthread_mutex_lock(&b->lock);
      if (item < atomic_load(&b->failed_at)) {
        atomic_store(&b->failed_at, item);
        b->diag = d;
        if (!b->diag.code) b->diag.code = rc;
      }
      pthread_mutex_unlock(&b->lock);
    }
    atomic_fetch_add(&b->done, 1);
    if (caller && b->pg) {
      double now = wall_s();
      if ((now - b->last) * 1000.0 >= (double)b->pg->every_ms) {
        b->last = now;
        b->pg->fn(b->pg->ud, atomic_load(&b->done), b->hi - b->lo);
      }
    }
  }
  return NULL;
}

static void *worker(void *arg) { return work(arg, false); }

int plan_reps_run(const plan_task *tasks, size_t n_tasks, size_t first, size_t count,
                  uint64_t seed, unsigned threads, plan_metrics *out, sim_diag *d) {
  return plan_reps_run_progress(tasks, n_tasks, first, count, seed, threads, 0, out, NULL, d);
}

int plan_reps_run_progress(const plan_task *tasks, size_t n_tasks, size_t first,
                           size_t count, uint64_t seed, unsigned threads, double terminal_pct,
                           plan_metrics *out, const plan_reps_progress *pg, sim_diag *d) {
  size_t n = n_tasks * count;
  if (!n) return SIM_OK;
  int size = plan_par_size(), rank = plan_par_rank();
  size_t off[1024], len[1024];
  if (size > 1024) return sim_diag_set(d, SIM_ERR_LIMIT, NULL, "more than 1024 MPI ranks");
  for (int r = 0; r < size; r++) {
    size_t lo = n * (size_t)r / (size_t)size, hi = n * (size_t)(r + 1) / (size_t)size;
    off[r] = lo * sizeof *out;
    len[r] = (hi - lo) * sizeof *out;
  }
  batch b = {.tasks = tasks, .count = count, .first = first, .seed = seed, .out = out,
             .lo = n * (size_t)rank / (size_t)size,
             .hi = n * (size_t)(rank + 1) / (size_t)size};
  atomic_init(&b.next, 0);
  atomic_init(&b.failed_at, SIZE_MAX);
  atomic_init(&b.done, 0);
  b.pg = pg && pg->fn ? pg : NULL;
  b.terminal_pct = terminal_pct;
  b.last = -1e9;   /* the first item done here reports at once, then every every_ms */
  pthread_mutex_init(&b.lock, NULL);
  sim_diag_init(&b.diag, NULL);
  memset(out + b.lo, 0, (b.hi - b.lo) * sizeof *out);
  if (threads < 1) threads = 1;
  if (threads > b.hi - b.lo) threads = (unsigned)(b.hi - b.lo > 0 ? b.hi - b.lo : 1);
  pthread_t tid[256];
  if (threads > 256) threads = 256;
  unsigned started = 0;
  for (unsigned i = 1; i < threads; i++) {
    if (pthread_create(&tid[started], NULL, worker, &b) != 0) break;
    started++;
  }
  work(&b, true);   /* the calling thread works too, and reports progress */
  for (unsigned i = 0; i < started; i++) pthread_join(tid[i], NULL);
  pthread_mutex_destroy(&b.lock);

  /* Agree on the first failure over all ranks, and share its message. */
  uint64_t fail = atomic_load(&b.failed_at) == SIZE_MAX ? UINT64_MAX
                                                        : (uint64_t)atomic_load(&b.failed_at);
  int rc = plan_par_min_u64(&fail);
  if (rc) return sim_diag_set(d, rc, NULL, "MPI reduction failed");
  if (fail != UINT64_MAX) {
    int owner = 0;
    while (owner + 1 < size && n * (size_t)(owner + 1) / (size_t)size <= fail) owner++;
    if ((rc = plan_par_bcast(&b.diag, sizeof b.diag, owner)))
      return sim_diag_set(d, rc, NULL, "MPI broadcast failed");
    if (d) *d = b.diag;
    return b.diag.code ? b.diag.code : SIM_ERR_STATE;
  }
  if ((rc = plan_par_allgather(out, off, len)))
    return sim_diag_set(d, rc, NULL, "MPI gather of replication results failed");
  return SIM_OK;
}
