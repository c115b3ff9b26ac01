/*
 * bgwrite.c — whole files written on a second thread (see bgwrite.h): a
 * worker (worker.h) whose jobs are the files, written by
 * report_outdir_write in the order they were handed over.
 */
#define _POSIX_C_SOURCE 200809L
#include "bgwrite.h"

#include <stdlib.h>
#include <string.h>

#include "worker.h"

#define REL_MAX 256   /* a relative path inside the report, bytes */

typedef struct entry {
  char rel[REL_MAX];
  char *data;
  size_t len;
} entry;

struct report_bgwrite {
  const report_outdir *dir;
  report_worker *worker;
};

static int write_one(void *ctx, void *job, sim_diag *d) {
  const report_bgwrite *w = ctx;
  const entry *e = job;
  return report_outdir_write(w->dir, e->rel, e->data, e->len, d);
}

static void drop_one(const void *job) { free(((const entry *)job)->data); }

int report_bgwrite_new(report_bgwrite **out, const report_outdir *dir, sim_diag *d) {
  *out = NULL;
  report_bgwrite *w = calloc(1, sizeof *w);
  if (!w) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  w->dir = dir;
  int rc = report_worker_new(&w->worker, sizeof(entry), REPORT_BGWRITE_QUEUE, 1, write_one,
                             drop_one, w, "the file writer thread", d);
  if (rc) {
    free(w);
    return rc;
  }
  *out = w;
  return SIM_OK;
}

int report_bgwrite_put(report_bgwrite *w, const char *rel, char *data, size_t len,
                       sim_diag *d) {
  size_t n = strlen(rel);
  if (n >= REL_MAX) {
    free(data);
    return sim_diag_set(d, SIM_ERR_LIMIT, NULL, "report path '%s' is longer than %d bytes",
                        rel, REL_MAX - 1);
  }
  entry e;
  memcpy(e.rel, rel, n + 1);
  e.data = data;
  e.len = len;
  return report_worker_put(w->worker, &e, d);
}

int report_bgwrite_finish(report_bgwrite *w, sim_diag *d) {
  return report_worker_finish(w->worker, d);
}

void report_bgwrite_free(report_bgwrite *w) {
  if (!w) return;
  report_worker_free(w->worker, false, NULL);   /* files not yet written are dropped */
  free(w);
}
