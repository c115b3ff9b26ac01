/*
 * test_sim_world.c — the run loop and the kernel vocabulary it stands on:
 * deterministic (time, prio, seq) dispatch under scrambled scheduling (after
 * ROSS's splay_order_test), cancel and schedule during dispatch, run(until)
 * resumption, stop and sticky failure, streams, allocator wrappers, failing
 * the Nth allocation without leaks, and the assertions that guard kernel
 * invariants (checked in a forked child that must abort with the message).
 */
#define _POSIX_C_SOURCE 200809L
#include "test_common.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "world.h"

/* ------------------------------------------------------------- helpers --- */

static uint64_t test_seed(const char *what)
{
  const char *env = getenv("JOBSIM_TEST_SEED");
  uint64_t seed = env ? strtoull(env, NULL, 0) : UINT64_C(0xC0FFEE);

  fprintf(stderr, "test_sim_world: %s: using seed 0x%llx (set "
                  "JOBSIM_TEST_SEED to override)\n", what,
          (unsigned long long)seed);
  return seed;
}

static uint64_t next_rand(uint64_t *s) /* SplitMix64 */
{
  uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static sim_world *make_world(uint64_t seed)
{
  sim_world *w = NULL;

  assert_int_equal(sim_world_new(&w, seed, NULL), SIM_OK);
  assert_non_null(w);
  return w;
}

/* A log of dispatched events, filled by the `record` handler. */
typedef struct trace {
  sim_event ev[20000]; /* events in dispatch order */
  sim_time_ms now[20000]; /* world clock seen by the handler, ms */
  size_t n;            /* events recorded */
} trace;

static void record(sim_world *w, const sim_event *ev, void *ud)
{
  trace *t = ud;

  assert_true(t->n < 20000);
  t->now[t->n] = sim_world_now(w);
  t->ev[t->n++] = *ev;
}

static trace *new_trace(void)
{
  trace *t = calloc(1, sizeof *t);

  assert_non_null(t);
  return t;
}

/* ------------------------------------------------------------- ordering --- */

static void test_new_free(void **state)
{
  sim_world *w = make_world(77);

  (void)state;
  assert_int_equal(sim_world_seed(w), 77);
  assert_int_equal(sim_world_now(w), 0);
  assert_non_null(sim_world_alloc(w));
  assert_null(sim_world_alloc(w)->fn);
  assert_int_equal(sim_world_pending(w), 0);
  assert_int_equal(sim_world_dispatched(w), 0);
  assert_int_equal(sim_world_run(w, 100), SIM_OK);
  assert_int_equal(sim_world_now(w), 100);
  assert_int_equal(sim_world_on(w, SIM_MAX_KINDS, record, NULL), SIM_ERR_RANGE);
  assert_int_equal(sim_world_on(w, SIM_MAX_KINDS - 1, record, NULL), SIM_OK);
  sim_world_free(w);
  sim_world_free(NULL);
}

/* splay_order_test, scaled up: 10000 scrambled pushes with many ties. */
static void test_scrambled_order(void **state)
{
  enum { N = 10000 };
  uint64_t rs = test_seed("scrambled order");
  sim_world *w = make_world(1);
  trace *t = new_trace();
  size_t i;

  (void)state;
  for (i = 0; i < 4; i++)
    assert_int_equal(sim_world_on(w, (uint32_t)i, record, t), SIM_OK);
  for (i = 0; i < N; i++) {
    sim_time_ms at = (sim_time_ms)(next_rand(&rs) % 100); /* ~100 per time */
    int32_t prio = (int32_t)(next_rand(&rs) % 3) - 1;

    assert_int_equal(sim_world_schedule(w, at, prio,
                                        (uint32_t)(next_rand(&rs) % 4), i, 0,
                                        NULL), SIM_OK);
  }
  assert_int_equal(sim_world_pending(w), N);
  assert_int_equal(sim_world_peak_pending(w), N);
  assert_int_equal(sim_world_run(w, 1000), SIM_OK);
  assert_int_equal(t->n, N);
  assert_int_equal(sim_world_dispatched(w), N);
  assert_int_equal(sim_world_pending(w), 0);
  for (i = 1; i < N; i++) {
    const sim_event *a = &t->ev[i - 1], *b = &t->ev[i];

    assert_true(a->time <= b->time);
    assert_int_equal(t->now[i], b->time);
    if (a->time == b->time) {
      assert_true(a->prio <= b->prio);
      if (a->prio == b->prio) { /* FIFO among ties */
        assert_true(a->seq < b->seq);
        assert_true(a->subject < b->subject);
      }
    }
  }
  free(t);
  sim_world_free(w);
}

static void test_prio_order(void **state)
{
  sim_world *w = make_world(1);
  trace *t = new_trace();

  (void)state;
  sim_world_on(w, 0, record, t);
  sim_world_schedule(w, 10, 5, 0, 1, 0, NULL);
  sim_world_schedule(w, 10, -5, 0, 2, 0, NULL);
  sim_world_schedule(w, 10, 0, 0, 3, 0, NULL);
  sim_world_schedule(w, 9, 100, 0, 4, 0, NULL);
  sim_world_schedule(w, 10, INT32_MIN, 0, 5, 0, NULL);
  sim_world_schedule(w, 10, INT32_MAX, 0, 6, 0, NULL);
  assert_int_equal(sim_world_run(w, 10), SIM_OK);
  assert_int_equal(t->n, 6);
  assert_int_equal(t->ev[0].subject, 4);
  assert_int_equal(t->ev[1].subject, 5);
  assert_int_equal(t->ev[2].subject, 2);
  assert_int_equal(t->ev[3].subject, 3);
  assert_int_equal(t->ev[4].subject, 1);
  assert_int_equal(t->ev[5].subject, 6);
  free(t);
  sim_world_free(w);
}

/* ------------------------------------------------------------- dispatch --- */

typedef struct canceller {
  sim_event_id victim; /* handle to cancel when kind 1 fires */
  sim_event_id self;   /* the canceller's own handle */
  int rc_victim;       /* result of cancelling the victim */
  int rc_self;         /* result of cancelling itself (already popped) */
  trace *t;            /* log of everything that ran */
} canceller;

static void cancel_handler(sim_world *w, const sim_event *ev, void *ud)
{
  canceller *c = ud;

  record(w, ev, c->t);
  c->rc_victim = sim_world_cancel(w, c->victim);
  c->rc_self = sim_world_cancel(w, c->self);
}

static void test_cancel_during_dispatch(void **state)
{
  sim_world *w = make_world(1);
  canceller c = {0, 0, 99, 99, new_trace()};
  sim_event_id other;

  (void)state;
  sim_world_on(w, 0, record, c.t);
  sim_world_on(w, 1, cancel_handler, &c);
  assert_int_equal(sim_world_schedule(w, 20, 0, 0, 20, 0, &c.victim), SIM_OK);
  assert_int_equal(sim_world_schedule(w, 10, 0, 1, 10, 0, &c.self), SIM_OK);
  assert_int_equal(sim_world_schedule(w, 30, 0, 0, 30, 0, &other), SIM_OK);
  assert_int_equal(sim_world_run(w, 100), SIM_OK);
  assert_int_equal(c.rc_victim, SIM_OK);
  assert_int_equal(c.rc_self, SIM_ERR_STATE);
  assert_int_equal(c.t->n, 2);
  assert_int_equal(c.t->ev[0].subject, 10);
  assert_int_equal(c.t->ev[1].subject, 30);
  /* stale handles: fired, cancelled, and cancelled twice */
  assert_int_equal(sim_world_cancel(w, other), SIM_ERR_STATE);
  assert_int_equal(sim_world_cancel(w, c.victim), SIM_ERR_STATE);
  assert_int_equal(sim_world_cancel(w, SIM_EVENT_NONE), SIM_ERR_STATE);
  free(c.t);
  sim_world_free(w);
}

typedef struct chainer {
  int left;  /* events still to schedule at the current instant */
  trace *t;  /* log */
} chainer;

static void chain_handler(sim_world *w, const sim_event *ev, void *ud)
{
  chainer *c = ud;

  record(w, ev, c->t);
  if (c->left > 0) {
    c->left--;
    assert_int_equal(sim_world_schedule(w, sim_world_now(w), ev->prio, 0,
                                        100 + ev->subject, 0, NULL), SIM_OK);
  }
}

/* An event scheduled for now during dispatch runs after the current one and
 * after everything already pending at the same (time, prio). */
static void test_schedule_now_runs_after(void **state)
{
  sim_world *w = make_world(1);
  chainer c = {3, new_trace()};

  (void)state;
  sim_world_on(w, 0, chain_handler, &c);
  sim_world_schedule(w, 5, 0, 0, 1, 0, NULL);
  sim_world_schedule(w, 5, 0, 0, 2, 0, NULL);
  sim_world_schedule(w, 6, 0, 0, 3, 0, NULL);
  assert_int_equal(sim_world_run(w, 100), SIM_OK);
  assert_int_equal(c.t->n, 6);
  /* 1, 2, then 101 (from 1), 102 (from 2), 201 (from 101) all at t=5 */
  assert_int_equal(c.t->ev[0].subject, 1);
  assert_int_equal(c.t->ev[1].subject, 2);
  assert_int_equal(c.t->ev[2].subject, 101);
  assert_int_equal(c.t->ev[3].subject, 102);
  assert_int_equal(c.t->ev[4].subject, 201);
  assert_int_equal(c.t->ev[4].time, 5);
  assert_int_equal(c.t->ev[5].subject, 3);
  free(c.t);
  sim_world_free(w);
}

static void test_peak_pending(void **state)
{
  sim_world *w = make_world(1);
  trace *t = new_trace();
  sim_event_id ids[50];
  int i;

  (void)state;
  sim_world_on(w, 0, record, t);
  for (i = 0; i < 50; i++)
    sim_world_schedule(w, i, 0, 0, (uint64_t)i, 0, &ids[i]);
  for (i = 0; i < 50; i += 2)
    assert_int_equal(sim_world_cancel(w, ids[i]), SIM_OK);
  assert_int_equal(sim_world_pending(w), 25);
  assert_int_equal(sim_world_peak_pending(w), 50);
  assert_int_equal(sim_world_run(w, 1000), SIM_OK);
  assert_int_equal(t->n, 25);
  assert_int_equal(sim_world_pending(w), 0);
  assert_int_equal(sim_world_peak_pending(w), 50);
  free(t);
  sim_world_free(w);
}

static void test_run_until(void **state)
{
  sim_world *w = make_world(1);
  trace *t = new_trace();

  (void)state;
  sim_world_on(w, 0, record, t);
  sim_world_schedule(w, 10, 0, 0, 10, 0, NULL);
  sim_world_schedule(w, 20, 0, 0, 20, 0, NULL);
  sim_world_schedule(w, 30, 0, 0, 30, 0, NULL);
  assert_int_equal(sim_world_run(w, 15), SIM_OK);
  assert_int_equal(t->n, 1);
  assert_int_equal(sim_world_now(w), 15);
  assert_int_equal(sim_world_pending(w), 2);
  /* scheduling at the new now is fine */
  sim_world_schedule(w, 15, 0, 0, 15, 0, NULL);
  /* until is inclusive */
  assert_int_equal(sim_world_run(w, 30), SIM_OK);
  assert_int_equal(t->n, 4);
  assert_int_equal(t->ev[1].subject, 15);
  assert_int_equal(t->ev[3].subject, 30);
  assert_int_equal(sim_world_now(w), 30);
  /* a run that goes nowhere does not move time backwards */
  assert_int_equal(sim_world_run(w, 5), SIM_OK);
  assert_int_equal(sim_world_now(w), 30);
  assert_int_equal(sim_world_run(w, 100), SIM_OK);
  assert_int_equal(sim_world_now(w), 100);
  assert_int_equal(sim_world_dispatched(w), 4);
  free(t);
  sim_world_free(w);
}

static void stop_at_20(sim_world *w, const sim_event *ev, void *ud)
{
  record(w, ev, ud);
  if (ev->time == 20)
    sim_world_stop(w);
}

static void test_stop(void **state)
{
  sim_world *w = make_world(1);
  trace *t = new_trace();

  (void)state;
  sim_world_on(w, 0, stop_at_20, t);
  sim_world_schedule(w, 10, 0, 0, 0, 0, NULL);
  sim_world_schedule(w, 20, 0, 0, 0, 0, NULL);
  sim_world_schedule(w, 20, 0, 0, 0, 0, NULL);
  sim_world_schedule(w, 30, 0, 0, 0, 0, NULL);
  assert_int_equal(sim_world_run(w, 100), SIM_OK);
  assert_int_equal(t->n, 2);
  assert_int_equal(sim_world_now(w), 20); /* stopped: not moved to until */
  /* a second run continues, and stops again at the second t=20 event */
  assert_int_equal(sim_world_run(w, 100), SIM_OK);
  assert_int_equal(t->n, 3);
  assert_int_equal(sim_world_run(w, 100), SIM_OK);
  assert_int_equal(t->n, 4);
  assert_int_equal(sim_world_now(w), 100);
  free(t);
  sim_world_free(w);
}

static void fail_handler(sim_world *w, const sim_event *ev, void *ud)
{
  record(w, ev, ud);
  sim_world_fail(w, ev->subject == 1 ? SIM_ERR_LIMIT : SIM_ERR_IO);
  sim_world_fail(w, SIM_ERR_DB); /* first one wins */
}

static void test_fail(void **state)
{
  sim_world *w = make_world(1);
  trace *t = new_trace();

  (void)state;
  sim_world_on(w, 0, fail_handler, t);
  sim_world_schedule(w, 10, 0, 0, 1, 0, NULL);
  sim_world_schedule(w, 20, 0, 0, 2, 0, NULL);
  assert_int_equal(sim_world_run(w, 100), SIM_ERR_LIMIT);
  assert_int_equal(t->n, 1);
  assert_int_equal(sim_world_now(w), 10);
  /* sticky: nothing more runs */
  assert_int_equal(sim_world_run(w, 100), SIM_ERR_LIMIT);
  assert_int_equal(t->n, 1);
  assert_int_equal(sim_world_pending(w), 1);
  free(t);
  sim_world_free(w);
}

/* Two worlds in one process, interleaved, behave like two separate runs. */
static void draw_handler(sim_world *w, const sim_event *ev, void *ud)
{
  gsl_rng *r = NULL;
  trace *t = ud;

  assert_int_equal(sim_world_stream(w, "jobs", &r), SIM_OK);
  record(w, ev, t);
  t->ev[t->n - 1].arg = gsl_rng_get(r);
  if (ev->subject < 50)
    sim_world_schedule(w, sim_world_now(w) + (sim_time_ms)(gsl_rng_get(r) % 7),
                       0, 0, ev->subject + 1, 0, NULL);
}

static void test_streams_and_worlds(void **state)
{
  sim_world *a = make_world(9), *b = make_world(9), *c = make_world(10);
  trace *ta = new_trace(), *tb = new_trace(), *tc = new_trace();
  gsl_rng *r1 = NULL, *r2 = NULL;
  sim_time_ms until;
  size_t i;

  (void)state;
  assert_int_equal(sim_world_stream(a, "x", &r1), SIM_OK);
  assert_int_equal(sim_world_stream(a, "x", &r2), SIM_OK);
  assert_ptr_equal(r1, r2);
  sim_world_on(a, 0, draw_handler, ta);
  sim_world_on(b, 0, draw_handler, tb);
  sim_world_on(c, 0, draw_handler, tc);
  sim_world_schedule(a, 0, 0, 0, 0, 0, NULL);
  sim_world_schedule(b, 0, 0, 0, 0, 0, NULL);
  sim_world_schedule(c, 0, 0, 0, 0, 0, NULL);
  for (until = 0; until < 400; until += 3) {
    assert_int_equal(sim_world_run(a, until), SIM_OK);
    assert_int_equal(sim_world_run(b, until + 1), SIM_OK);
  }
  assert_int_equal(sim_world_run(c, 400), SIM_OK);
  assert_int_equal(ta->n, 51);
  assert_int_equal(tb->n, 51);
  for (i = 0; i < ta->n; i++) {
    assert_int_equal(ta->ev[i].time, tb->ev[i].time);
    assert_int_equal(ta->ev[i].arg, tb->ev[i].arg);
  }
  assert_true(ta->ev[0].arg != tc->ev[0].arg);
  free(ta);
  free(tb);
  free(tc);
  sim_world_free(a);
  sim_world_free(b);
  sim_world_free(c);
}

/* ------------------------------------------------------------ allocator --- */

typedef struct memctl {
  long fail_at; /* 1-based allocation to fail, 0 = never */
  long count;   /* allocations attempted */
  long blocks;  /* live blocks */
  size_t bytes; /* live bytes */
} memctl;

/* Checks that every osize matches the block's real size. */
static void *memctl_fn(void *ud, void *p, size_t osize, size_t nsize)
{
  memctl *m = ud;
  size_t *h = p ? (size_t *)p - 2 : NULL;

  if (h)
    assert_int_equal(h[0], osize);
  if (nsize == 0) {
    if (h) {
      m->bytes -= osize;
      m->blocks--;
      free(h);
    }
    return NULL;
  }
  if (++m->count == m->fail_at)
    return NULL;
  h = realloc(h, nsize + 2 * sizeof(size_t));
  if (h == NULL)
    return NULL;
  if (p)
    m->bytes -= osize;
  else
    m->blocks++;
  m->bytes += nsize;
  h[0] = nsize;
  return h + 2;
}

static void test_alloc_wrappers(void **state)
{
  memctl m = {0, 0, 0, 0};
  sim_alloc a = {memctl_fn, &m};
  unsigned char *p;
  char *s;
  size_t i;

  (void)state;
  p = sim_calloc(&a, 10, 10);
  assert_non_null(p);
  for (i = 0; i < 100; i++)
    assert_int_equal(p[i], 0);
  p = sim_realloc(&a, p, 100, 1000);
  assert_non_null(p);
  assert_int_equal(m.bytes, 1000);
  assert_null(sim_realloc(&a, p, 1000, 0)); /* frees */
  assert_int_equal(m.blocks, 0);
  assert_null(sim_calloc(&a, SIZE_MAX / 2, 3)); /* overflow: no call made */
  assert_int_equal(m.count, 2);
  s = sim_strdup(&a, "hello");
  assert_string_equal(s, "hello");
  assert_int_equal(m.bytes, 6);
  sim_strfree(&a, s);
  assert_null(sim_strdup(&a, NULL));
  sim_strfree(&a, NULL);
  sim_free(&a, NULL, 5);
  p = sim_malloc(&a, 0); /* a real block, never NULL-as-success */
  assert_non_null(p);
  sim_free(&a, p, 1);
  assert_int_equal(m.blocks, 0);
  /* the C library default, with and without a sim_alloc */
  p = sim_malloc(NULL, 16);
  assert_non_null(p);
  p = sim_realloc(&(sim_alloc){NULL, NULL}, p, 16, 32);
  assert_non_null(p);
  sim_free(NULL, p, 32);
  s = sim_strdup(NULL, "x");
  assert_string_equal(s, "x");
  sim_strfree(NULL, s);
}

static void noop(sim_world *w, const sim_event *ev, void *ud)
{
  (void)w;
  (void)ev;
  (void)ud;
}

/* Fail allocation N for N = 1, 2, ... until a whole scenario succeeds:
 * every failure surfaces as SIM_ERR_NOMEM, the world stays usable, and
 * every byte is returned. */
static void test_fail_nth_allocation(void **state)
{
  long n;
  int completed = 0;

  (void)state;
  for (n = 1; !completed; n++) {
    memctl m = {n, 0, 0, 0};
    sim_alloc a = {memctl_fn, &m};
    sim_world *w = NULL;
    gsl_rng *r;
    int rc, i, scheduled = 0;
    char name[16];

    assert_true(n < 1000);
    rc = sim_world_new(&w, 5, &a);
    if (rc != SIM_OK) {
      assert_int_equal(rc, SIM_ERR_NOMEM);
      assert_null(w);
      assert_int_equal(m.blocks, 0);
      assert_int_equal(m.bytes, 0);
      continue;
    }
    sim_world_on(w, 0, noop, NULL);
    for (i = 0; i < 100 && rc == SIM_OK; i++) {
      rc = sim_world_schedule(w, 100 - i, 0, 0, 0, 0, NULL);
      scheduled += rc == SIM_OK;
    }
    for (i = 0; i < 12 && rc == SIM_OK; i++) {
      snprintf(name, sizeof name, "stream-%d", i);
      rc = sim_world_stream(w, name, &r);
    }
    if (rc == SIM_OK)
      completed = 1;
    else
      assert_int_equal(rc, SIM_ERR_NOMEM);
    /* whatever was scheduled still runs, in order */
    assert_int_equal(sim_world_run(w, 1000), SIM_OK);
    assert_int_equal(sim_world_dispatched(w), scheduled);
    sim_world_free(w);
    assert_int_equal(m.blocks, 0);
    assert_int_equal(m.bytes, 0);
  }
  print_message("scenario needs %ld allocations\n", n - 1);
}

/* ----------------------------------------------------------- assertions --- */

/* Run fn in a child; it must abort with an assertion message on stderr
 * containing `expect`. */
static void expect_abort(void (*fn)(void), const char *expect)
{
  int fds[2], status = 0;
  char buf[1024];
  size_t got = 0;
  ssize_t r;
  pid_t pid;

  assert_int_equal(pipe(fds), 0);
  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 2);
    fn();
    _exit(0); /* not reached when the assertion fires */
  }
  close(fds[1]);
  while (got < sizeof buf - 1 &&
         (r = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0)
    got += (size_t)r;
  buf[got] = '\0';
  close(fds[0]);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGABRT);
  if (strstr(buf, expect) == NULL)
    fail_msg("child stderr lacks \"%s\": %s", expect, buf);
}

static void run_unknown_kind(void)
{
  sim_world *w = NULL;

  sim_world_new(&w, 1, NULL);
  sim_world_schedule(w, 1, 0, 7, 0, 0, NULL); /* no handler for kind 7 */
  sim_world_run(w, 10);
}

static void run_schedule_past(void)
{
  sim_world *w = NULL;

  sim_world_new(&w, 1, NULL);
  sim_world_run(w, 50);
  sim_world_schedule(w, 49, 0, 0, 0, 0, NULL);
}

static void run_kind_range(void)
{
  sim_world *w = NULL;

  sim_world_new(&w, 1, NULL);
  sim_world_schedule(w, 1, 0, SIM_MAX_KINDS, 0, 0, NULL);
}

static void run_plain_assert(void)
{
  int two = 2;

  SIM_ASSERT(two == 3);
}

static void test_assertions(void **state)
{
  (void)state;
  expect_abort(run_unknown_kind,
               "jobsim: assertion failed: h->fn != NULL (");
  expect_abort(run_schedule_past,
               "jobsim: assertion failed: at >= w->now (");
  expect_abort(run_kind_range,
               "jobsim: assertion failed: kind < SIM_MAX_KINDS (");
  expect_abort(run_plain_assert,
               "jobsim: assertion failed: two == 3 (");
  expect_abort(run_plain_assert, "test_sim_world.c:");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_new_free),
    cmocka_unit_test(test_scrambled_order),
    cmocka_unit_test(test_prio_order),
    cmocka_unit_test(test_cancel_during_dispatch),
    cmocka_unit_test(test_schedule_now_runs_after),
    cmocka_unit_test(test_peak_pending),
    cmocka_unit_test(test_run_until),
    cmocka_unit_test(test_stop),
    cmocka_unit_test(test_fail),
    cmocka_unit_test(test_streams_and_worlds),
    cmocka_unit_test(test_alloc_wrappers),
    cmocka_unit_test(test_fail_nth_allocation),
    cmocka_unit_test(test_assertions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
