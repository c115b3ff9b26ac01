/*
 * worker.c — the jobs of worker.h on a thread of their own: a ring of
 * fixed-size jobs under one mutex, two condition variables (work to do,
 * room or done).
 */
#define _POSIX_C_SOURCE 200809L
#include "worker.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

struct report_worker {
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t work, room;   /* work: to the thread; room: to the callers */
  report_worker_run_fn run;
  report_worker_drop_fn drop;
  void *ctx;
  size_t job_size, capacity, batch;
  unsigned char *ring;         /* capacity jobs of job_size bytes */
  unsigned char *job;          /* the thread's copy of the job it runs */
  size_t head, count;          /* oldest job, jobs waiting */
  bool busy;                   /* the thread has taken one off the ring */
  bool stop;                   /* free(): end once the ring is empty ... */
  bool discard;                /* ... not running the jobs left */
  int rc;                      /* first failure, SIM_OK */
  sim_diag err;                /* its message */
};

static void *main_of(void *arg) {
  report_worker *w = arg;
  unsigned char *job = w->job;
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (!w->count && !w->stop) pthread_cond_wait(&w->work, &w->mu);
    if (!w->count) break;   /* stopped, and nothing left */
    memcpy(job, w->ring + w->head * w->job_size, w->job_size);
    w->head = (w->head + 1) % w->capacity;
    w->count--;
    w->busy = true;
    bool skip = w->rc != SIM_OK || w->discard;
    pthread_mutex_unlock(&w->mu);
    sim_diag d;
    sim_diag_init(&d, NULL);
    int rc = skip ? SIM_OK : w->run(w->ctx, job, &d);
    if (w->drop) w->drop(job);
    pthread_mutex_lock(&w->mu);
    if (rc && !w->rc) {
      w->rc = rc;
      w->err = d;
    }
    w->busy = false;
    pthread_cond_broadcast(&w->room);
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

static void destroy(report_worker *w) {
  pthread_cond_destroy(&w->room);
  pthread_cond_destroy(&w->work);
  pthread_mutex_destroy(&w->mu);
  free(w->ring);
  free(w->job);
  free(w);
}

int report_worker_new(report_worker **out, size_t job_size, size_t capacity, size_t batch,
                      report_worker_run_fn run, report_worker_drop_fn drop, void *ctx,
                      const char *what, sim_diag *d) {
  *out = NULL;
  report_worker *w = calloc(1, sizeof *w);
  unsigned char *ring = calloc(capacity ? capacity : 1, job_size);
  unsigned char *job = malloc(job_size);
  if (!w || !ring || !job) {
    free(w);
    free(ring);
    free(job);
    return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  }
  w->run = run;
  w->drop = drop;
  w->ctx = ctx;
  w->job_size = job_size;
  w->capacity = capacity ? capacity : 1;
  w->batch = batch ? batch : 1;
  w->ring = ring;
  w->job = job;
  sim_diag_init(&w->err, NULL);
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->work, NULL);
  pthread_cond_init(&w->room, NULL);
  sigset_t all, old;   /* the thread inherits a mask that blocks everything */
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_attr_t at;
  pthread_attr_init(&at);
  pthread_attr_setstacksize(&at, 1024 * 1024);   /* SQLite's steps included */
  int e = pthread_create(&w->thread, &at, main_of, w);
  pthread_attr_destroy(&at);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (e) {
    destroy(w);
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot start %s: %s", what, strerror(e));
  }
  *out = w;
  return SIM_OK;
}

/* The first failure into d, as the caller's own diagnostic (its file
 * stays the caller's). Mutex held. */
static int failure(const report_worker *w, sim_diag *d) {
  return sim_diag_set(d, w->rc, w->err.path[0] ? w->err.path : NULL, "%s", w->err.msg);
}

int report_worker_put(report_worker *w, const void *job, sim_diag *d) {
  pthread_mutex_lock(&w->mu);
  while (w->count == w->capacity && !w->rc) pthread_cond_wait(&w->room, &w->mu);
  if (w->rc) {
    int rc = failure(w, d);
    pthread_mutex_unlock(&w->mu);
    if (w->drop) w->drop(job);
    return rc;
  }
  memcpy(w->ring + ((w->head + w->count) % w->capacity) * w->job_size, job, w->job_size);
  if (++w->count % w->batch == 0 || w->count == w->capacity) pthread_cond_signal(&w->work);
  pthread_mutex_unlock(&w->mu);
  return SIM_OK;
}

int report_worker_failed(report_worker *w, sim_diag *d) {
  pthread_mutex_lock(&w->mu);
  int rc = w->rc ? failure(w, d) : SIM_OK;
  pthread_mutex_unlock(&w->mu);
  return rc;
}

int report_worker_finish(report_worker *w, sim_diag *d) {
  pthread_mutex_lock(&w->mu);
  if (w->count) pthread_cond_signal(&w->work);   /* a batch not yet full */
  while ((w->count || w->busy) && !w->rc) pthread_cond_wait(&w->room, &w->mu);
  int rc = w->rc ? failure(w, d) : SIM_OK;
  pthread_mutex_unlock(&w->mu);
  return rc;
}

int report_worker_free(report_worker *w, bool run_rest, sim_diag *d) {
  if (!w) return SIM_OK;
  pthread_mutex_lock(&w->mu);
  w->stop = true;
  w->discard = !run_rest;
  pthread_cond_signal(&w->work);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->thread, NULL);   /* it drops what it does not run */
  int rc = w->rc ? failure(w, d) : SIM_OK;
  destroy(w);
  return rc;
}
