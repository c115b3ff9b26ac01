/*
 * test_report_worker.c — the worker thread under the snapshot writer and
 * the store's insert thread (reports/worker.h): jobs run in the order they
 * were handed over, also beyond the ring and with a wake-up batch larger
 * than the ring or not yet full; the first failure comes back from every
 * later call with its message, the jobs after it are dropped, not run;
 * every job is dropped exactly once, whether it ran or not; freeing with
 * jobs left either runs them or drops them.
 */
#define _POSIX_C_SOURCE 200809L
#include "test_common.h"

#include <time.h>

#include "worker.h"

typedef struct job {
  int n;        /* its number, 0, 1, 2, ... */
  int *owned;   /* a malloc'd copy of n: what drop frees */
} job;

typedef struct ctx {
  int ran[4096];   /* numbers in the order they ran */
  int n_ran;
  int fail_at;     /* the job that fails (-1: none) */
  int slow;        /* ms each job takes (the ring fills) */
} ctx;

static int dropped;   /* drop calls (the worker's thread and the callers) */

static int run_job(void *c, void *jp, sim_diag *d) {
  ctx *x = c;
  job *j = jp;
  assert_int_equal(*j->owned, j->n);   /* the bytes handed over */
  if (x->slow) {
    struct timespec ts = {0, x->slow * 1000000L};
    nanosleep(&ts, NULL);
  }
  x->ran[x->n_ran++] = j->n;
  if (j->n == x->fail_at) return sim_diag_set(d, SIM_ERR_IO, "$.x", "job %d failed", j->n);
  return SIM_OK;
}

static void drop_job(const void *jp) {
  free(((const job *)jp)->owned);
  __atomic_add_fetch(&dropped, 1, __ATOMIC_SEQ_CST);
}

static job make(int n) {
  job j = {n, malloc(sizeof(int))};
  assert_non_null(j.owned);
  *j.owned = n;
  return j;
}

static report_worker *start(ctx *x, size_t capacity, size_t batch) {
  report_worker *w = NULL;
  sim_diag d;
  sim_diag_init(&d, NULL);
  dropped = 0;
  assert_int_equal(report_worker_new(&w, sizeof(job), capacity, batch, run_job, drop_job, x,
                                     "the test worker", &d),
                   SIM_OK);
  return w;
}

/* 1,000 jobs through a ring of 8 with batches of 64 (never a full batch
 * in the ring: woken when the ring is full) and of 1; then 10 jobs, a
 * batch not yet full, which finish must still see run. */
static void test_order(void **state) {
  (void)state;
  static const size_t batch[] = {64, 1, 3};
  for (size_t b = 0; b < 3; b++) {
    ctx *x = calloc(1, sizeof *x);
    x->fail_at = -1;
    report_worker *w = start(x, 8, batch[b]);
    sim_diag d;
    sim_diag_init(&d, NULL);
    for (int i = 0; i < 1000; i++) {
      job j = make(i);
      assert_int_equal(report_worker_put(w, &j, &d), SIM_OK);
    }
    assert_int_equal(report_worker_finish(w, &d), SIM_OK);
    assert_int_equal(x->n_ran, 1000);
    for (int i = 0; i < 1000; i++) assert_int_equal(x->ran[i], i);
    for (int i = 1000; i < 1010; i++) {
      job j = make(i);
      assert_int_equal(report_worker_put(w, &j, &d), SIM_OK);
    }
    assert_int_equal(report_worker_finish(w, &d), SIM_OK);
    assert_int_equal(x->n_ran, 1010);
    assert_int_equal(report_worker_free(w, true, &d), SIM_OK);
    assert_int_equal(dropped, 1010);
    free(x);
  }
}

/* Job 5 fails: it ran, nothing after it runs; the failure, with its path
 * and message in the caller's diagnostic (whose file stays), comes back
 * from the later puts, failed(), finish() and free(); every job is
 * dropped once. */
static void test_first_failure(void **state) {
  (void)state;
  ctx *x = calloc(1, sizeof *x);
  x->fail_at = 5;
  report_worker *w = start(x, 4, 2);
  sim_diag d;
  sim_diag_init(&d, "caller.json");
  int failures = 0;
  for (int i = 0; i < 40; i++) {
    job j = make(i);
    if (report_worker_put(w, &j, &d) != SIM_OK) failures++;
  }
  sim_diag_init(&d, "caller.json");
  assert_int_equal(report_worker_finish(w, &d), SIM_ERR_IO);
  assert_string_equal(d.msg, "job 5 failed");
  assert_string_equal(d.path, "$.x");
  assert_string_equal(d.file, "caller.json");
  assert_true(failures > 0);   /* the ring holds 4: later puts saw it */
  assert_int_equal(x->n_ran, 6);
  assert_int_equal(x->ran[5], 5);
  sim_diag_init(&d, NULL);
  assert_int_equal(report_worker_failed(w, &d), SIM_ERR_IO);
  assert_string_equal(d.msg, "job 5 failed");
  job j = make(99);
  assert_int_equal(report_worker_put(w, &j, &d), SIM_ERR_IO);
  assert_int_equal(report_worker_free(w, true, &d), SIM_ERR_IO);
  assert_int_equal(x->n_ran, 6);
  assert_int_equal(dropped, 41);
  free(x);
}

/* Slow jobs, then free: with run_rest every job runs first; without, the
 * jobs still in the ring are dropped, not run (at most the one under way
 * finishes). */
static void test_free_with_jobs_left(void **state) {
  (void)state;
  for (int rest = 0; rest < 2; rest++) {
    ctx *x = calloc(1, sizeof *x);
    x->fail_at = -1;
    x->slow = 20;
    report_worker *w = start(x, 16, 1);
    sim_diag d;
    sim_diag_init(&d, NULL);
    for (int i = 0; i < 10; i++) {
      job j = make(i);
      assert_int_equal(report_worker_put(w, &j, &d), SIM_OK);
    }
    assert_int_equal(report_worker_free(w, rest, &d), SIM_OK);
    if (rest) assert_int_equal(x->n_ran, 10);
    else assert_true(x->n_ran <= 2);
    for (int i = 0; i < x->n_ran; i++) assert_int_equal(x->ran[i], i);
    assert_int_equal(dropped, 10);
    free(x);
  }
  sim_diag d;
  sim_diag_init(&d, NULL);
  assert_int_equal(report_worker_free(NULL, true, &d), SIM_OK);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_order),
      cmocka_unit_test(test_first_failure),
      cmocka_unit_test(test_free_with_jobs_left),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
