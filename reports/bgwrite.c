/*
 * bgwrite.c — whole files written on a second thread (see bgwrite.h): a
 * ring of REPORT_BGWRITE_QUEUE entries under one mutex, two condition
 * variables (work to do, room or done).
 */
#define _POSIX_C_SOURCE 200809L
#include "bgwrite.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define REL_MAX 256   /* a relative path inside the report, bytes */

typedef struct entry {
  char rel[REL_MAX];
  char *data;
  size_t len;
} entry;

struct report_bgwrite {
  const report_outdir *dir;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t work, room;   /* work: to the thread; room: to the caller */
  entry ring[REPORT_BGWRITE_QUEUE];
  size_t head, count;          /* oldest entry, entries waiting */
  bool busy;                   /* the thread is writing one (taken off the ring) */
  bool stop;                   /* free(): drop the rest and end */
  int rc;                      /* first failure, SIM_OK */
  sim_diag err;                /* its message */
};

static void *run(void *arg) {
  report_bgwrite *w = arg;
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (!w->count && !w->stop) pthread_cond_wait(&w->work, &w->mu);
    if (w->stop) break;
    entry e = w->ring[w->head];
    w->head = (w->head + 1) % REPORT_BGWRITE_QUEUE;
    w->count--;
    w->busy = true;
    bool failed = w->rc != SIM_OK;
    pthread_mutex_unlock(&w->mu);
    sim_diag d;
    sim_diag_init(&d, NULL);
    int rc = failed ? SIM_OK : report_outdir_write(w->dir, e.rel, e.data, e.len, &d);
    free(e.data);
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

int report_bgwrite_new(report_bgwrite **out, const report_outdir *dir, sim_diag *d) {
  *out = NULL;
  report_bgwrite *w = calloc(1, sizeof *w);
  if (!w) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  w->dir = dir;
  sim_diag_init(&w->err, NULL);
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->work, NULL);
  pthread_cond_init(&w->room, NULL);
  /* the thread inherits a mask that blocks everything */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_attr_t at;
  pthread_attr_init(&at);
  pthread_attr_setstacksize(&at, 256 * 1024);
  int e = pthread_create(&w->thread, &at, run, w);
  pthread_attr_destroy(&at);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (e) {
    pthread_cond_destroy(&w->room);
    pthread_cond_destroy(&w->work);
    pthread_mutex_destroy(&w->mu);
    free(w);
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot start the file writer thread: %s",
                        strerror(e));
  }
  *out = w;
  return SIM_OK;
}

/* The first failure into d (mutex held). */
static int failure(report_bgwrite *w, sim_diag *d) {
  if (d) *d = w->err;
  return w->rc;
}

int report_bgwrite_put(report_bgwrite *w, const char *rel, char *data, size_t len,
                       sim_diag *d) {
  size_t n = strlen(rel);
  if (n >= REL_MAX) {
    free(data);
    return sim_diag_set(d, SIM_ERR_LIMIT, NULL, "report path '%s' is longer than %d bytes",
                        rel, REL_MAX - 1);
  }
  pthread_mutex_lock(&w->mu);
  while (w->count == REPORT_BGWRITE_QUEUE && !w->rc) pthread_cond_wait(&w->room, &w->mu);
  if (w->rc) {
    int rc = failure(w, d);
    pthread_mutex_unlock(&w->mu);
    free(data);
    return rc;
  }
  entry *e = &w->ring[(w->head + w->count) % REPORT_BGWRITE_QUEUE];
  memcpy(e->rel, rel, n + 1);
  e->data = data;
  e->len = len;
  w->count++;
  pthread_cond_signal(&w->work);
  pthread_mutex_unlock(&w->mu);
  return SIM_OK;
}

int report_bgwrite_finish(report_bgwrite *w, sim_diag *d) {
  pthread_mutex_lock(&w->mu);
  while ((w->count || w->busy) && !w->rc) pthread_cond_wait(&w->room, &w->mu);
  int rc = w->rc ? failure(w, d) : SIM_OK;
  pthread_mutex_unlock(&w->mu);
  return rc;
}

void report_bgwrite_free(report_bgwrite *w) {
  if (!w) return;
  pthread_mutex_lock(&w->mu);
  w->stop = true;
  pthread_cond_signal(&w->work);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->thread, NULL);
  for (size_t i = 0; i < w->count; i++) free(w->ring[(w->head + i) % REPORT_BGWRITE_QUEUE].data);
  pthread_cond_destroy(&w->room);
  pthread_cond_destroy(&w->work);
  pthread_mutex_destroy(&w->mu);
  free(w);
}
