/*
 * test_sim_queue.c — the pending-event heap: (time, prio, seq) order, FIFO
 * among ties, cancel anywhere in the heap, stale handles, peak size, growth
 * under a failing allocator, and a randomised comparison against a naive
 * reference. Stochastic tests print their seed; JOBSIM_TEST_SEED overrides.
 */
#include "test_common.h"

#include <stdio.h>
#include <stdlib.h>

#include "queue.h"

/* ------------------------------------------------------------- helpers --- */

static uint64_t test_seed(void)
{
  const char *env = getenv("JOBSIM_TEST_SEED");
  uint64_t seed = env ? strtoull(env, NULL, 0) : UINT64_C(0x5eed);

  fprintf(stderr, "test_sim_queue: using seed 0x%llx (set JOBSIM_TEST_SEED "
                  "to override)\n", (unsigned long long)seed);
  return seed;
}

static uint64_t next_rand(uint64_t *s) /* SplitMix64 */
{
  uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* An allocator that checks osize against the real block size and can fail
 * the Nth allocation. */
typedef struct memctl {
  long fail_at; /* 1-based allocation to fail, 0 = never */
  long count;   /* allocations attempted */
  long blocks;  /* live blocks */
  size_t bytes; /* live bytes */
} memctl;

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
  m->count++;
  if (m->fail_at && m->count == m->fail_at)
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

static int is_before(const sim_event *a, const sim_event *b)
{
  if (a->time != b->time)
    return a->time < b->time;
  if (a->prio != b->prio)
    return a->prio < b->prio;
  return a->seq < b->seq;
}

/* --------------------------------------------------------------- tests --- */

static void test_empty(void **state)
{
  sim_queue *q;
  sim_event ev;

  (void)state;
  assert_int_equal(sim_queue_new(&q, NULL), SIM_OK);
  assert_false(sim_queue_pop(q, &ev));
  assert_null(sim_queue_peek(q));
  assert_int_equal(sim_queue_size(q), 0);
  assert_int_equal(sim_queue_peak(q), 0);
  assert_int_equal(sim_queue_cancel(q, SIM_EVENT_NONE), SIM_ERR_STATE);
  assert_false(sim_queue_pending(q, SIM_EVENT_NONE));
  sim_queue_free(q);
  sim_queue_free(NULL);
}

static void test_fields_and_order(void **state)
{
  static const struct { sim_time_ms t; int32_t prio; } in[] = {
    {50, 0}, {10, 2}, {10, -1}, {30, 0}, {10, 2}, {0, 7}, {30, -3},
  };
  static const size_t want[] = {5, 2, 1, 4, 6, 3, 0}; /* indexes into in */
  sim_event_id ids[7];
  sim_queue *q;
  sim_event ev;
  size_t i;

  (void)state;
  assert_int_equal(sim_queue_new(&q, NULL), SIM_OK);
  for (i = 0; i < 7; i++)
    assert_int_equal(sim_queue_push(q, in[i].t, in[i].prio, (uint32_t)i + 1,
                                    100 + i, 200 + i, &ids[i]), SIM_OK);
  assert_int_equal(sim_queue_size(q), 7);
  for (i = 0; i < 7; i++) {
    const sim_event *top = sim_queue_peek(q);
    size_t k = want[i];

    assert_non_null(top);
    assert_int_equal(top->id, ids[k]);
    assert_true(sim_queue_pop(q, &ev));
    assert_int_equal(ev.time, in[k].t);
    assert_int_equal(ev.prio, in[k].prio);
    assert_int_equal(ev.kind, k + 1);
    assert_int_equal(ev.subject, 100 + k);
    assert_int_equal(ev.arg, 200 + k);
    assert_int_equal(ev.seq, k);
    assert_int_equal(ev.id, ids[k]);
    assert_false(sim_queue_pending(q, ids[k]));
  }
  assert_false(sim_queue_pop(q, &ev));
  sim_queue_free(q);
}

static void test_fifo_among_ties(void **state)
{
  sim_queue *q;
  sim_event ev;
  uint64_t i;

  (void)state;
  assert_int_equal(sim_queue_new(&q, NULL), SIM_OK);
  for (i = 0; i < 5000; i++)
    assert_int_equal(sim_queue_push(q, 42, 1, 0, i, 0, NULL), SIM_OK);
  for (i = 0; i < 5000; i++) {
    assert_true(sim_queue_pop(q, &ev));
    assert_int_equal(ev.subject, i);
  }
  sim_queue_free(q);
}

static void test_cancel_positions(void **state)
{
  sim_event_id ids[100];
  sim_queue *q;
  sim_event ev;
  sim_time_ms last = -1;
  size_t i, popped = 0;

  (void)state;
  assert_int_equal(sim_queue_new(&q, NULL), SIM_OK);
  for (i = 0; i < 100; i++) /* times 0..99 scrambled */
    assert_int_equal(sim_queue_push(q, (sim_time_ms)((i * 37) % 100), 0, 0, i,
                                    0, &ids[i]), SIM_OK);
  /* the root (time 0 is i = 0), a leaf (the last pushed) and the middle */
  assert_int_equal(sim_queue_cancel(q, ids[0]), SIM_OK);
  assert_int_equal(sim_queue_cancel(q, ids[99]), SIM_OK);
  for (i = 10; i < 60; i += 7)
    assert_int_equal(sim_queue_cancel(q, ids[i]), SIM_OK);
  assert_int_equal(sim_queue_cancel(q, ids[0]), SIM_ERR_STATE);
  assert_int_equal(sim_queue_cancel(q, ids[17]), SIM_ERR_STATE);
  assert_false(sim_queue_pending(q, ids[99]));
  assert_true(sim_queue_pending(q, ids[1]));
  assert_int_equal(sim_queue_size(q), 100 - 2 - 8);
  while (sim_queue_pop(q, &ev)) {
    assert_true(ev.time > last);
    assert_true(ev.subject != 0 && ev.subject != 99);
    assert_true(ev.subject < 10 || ev.subject >= 60 || (ev.subject - 10) % 7);
    last = ev.time;
    popped++;
  }
  assert_int_equal(popped, 90);
  sim_queue_free(q);
}

static void test_stale_handles(void **state)
{
  sim_event_id a, b, c;
  sim_queue *q;
  sim_event ev;

  (void)state;
  assert_int_equal(sim_queue_new(&q, NULL), SIM_OK);
  assert_int_equal(sim_queue_push(q, 1, 0, 0, 0, 0, &a), SIM_OK);
  assert_true(a != SIM_EVENT_NONE);
  assert_true(sim_queue_pop(q, &ev));
  assert_int_equal(sim_queue_cancel(q, a), SIM_ERR_STATE);
  /* the freed slot is reused with a new generation */
  assert_int_equal(sim_queue_push(q, 2, 0, 0, 0, 0, &b), SIM_OK);
  assert_true(b != a);
  assert_int_equal(b & 0xffffffffu, a & 0xffffffffu);
  assert_false(sim_queue_pending(q, a));
  assert_true(sim_queue_pending(q, b));
  assert_int_equal(sim_queue_cancel(q, a), SIM_ERR_STATE);
  assert_true(sim_queue_pending(q, b));
  assert_int_equal(sim_queue_cancel(q, b), SIM_OK);
  assert_int_equal(sim_queue_cancel(q, b), SIM_ERR_STATE);
  assert_int_equal(sim_queue_push(q, 3, 0, 0, 0, 0, &c), SIM_OK);
  assert_true(c != a && c != b);
  /* forged handles: slot out of range, wrong generation */
  assert_int_equal(sim_queue_cancel(q, UINT64_C(0x12345)), SIM_ERR_STATE);
  assert_int_equal(sim_queue_cancel(q, c + (UINT64_C(1) << 32)), SIM_ERR_STATE);
  assert_int_equal(sim_queue_size(q), 1);
  sim_queue_free(q);
}

static void test_peak(void **state)
{
  sim_queue *q;
  sim_event ev;
  int i;

  (void)state;
  assert_int_equal(sim_queue_new(&q, NULL), SIM_OK);
  for (i = 0; i < 10; i++)
    assert_int_equal(sim_queue_push(q, i, 0, 0, 0, 0, NULL), SIM_OK);
  for (i = 0; i < 5; i++)
    assert_true(sim_queue_pop(q, &ev));
  for (i = 0; i < 2; i++)
    assert_int_equal(sim_queue_push(q, i, 0, 0, 0, 0, NULL), SIM_OK);
  assert_int_equal(sim_queue_size(q), 7);
  assert_int_equal(sim_queue_peak(q), 10);
  sim_queue_free(q);
}

/* Random pushes, pops and cancels checked against a linear-scan reference. */
static void test_random_against_reference(void **state)
{
  enum { OPS = 30000, MAXN = 600 };
  sim_event *ref = malloc(MAXN * sizeof *ref);
  uint64_t rs = test_seed();
  uint64_t seq = 0;
  size_t n = 0, peak = 0, op;
  sim_queue *q;

  (void)state;
  assert_non_null(ref);
  assert_int_equal(sim_queue_new(&q, NULL), SIM_OK);
  for (op = 0; op < OPS; op++) {
    uint64_t r = next_rand(&rs);
    unsigned what = (unsigned)(r % 10);

    if (n == 0 || (what < 5 && n < MAXN)) {
      sim_event *e = &ref[n++];

      e->time = (sim_time_ms)(next_rand(&rs) % 50);
      e->prio = (int32_t)(next_rand(&rs) % 3) - 1;
      e->seq = seq++;
      e->subject = e->seq;
      assert_int_equal(sim_queue_push(q, e->time, e->prio, 0, e->subject, 0,
                                      &e->id), SIM_OK);
      if (n > peak)
        peak = n;
    } else if (what < 8) {
      sim_event ev;
      size_t best = 0, i;

      for (i = 1; i < n; i++)
        if (is_before(&ref[i], &ref[best]))
          best = i;
      assert_true(sim_queue_pop(q, &ev));
      assert_int_equal(ev.id, ref[best].id);
      assert_int_equal(ev.seq, ref[best].seq);
      ref[best] = ref[--n];
    } else {
      size_t k = (size_t)(next_rand(&rs) % n);

      assert_int_equal(sim_queue_cancel(q, ref[k].id), SIM_OK);
      ref[k] = ref[--n];
    }
    assert_int_equal(sim_queue_size(q), n);
  }
  assert_int_equal(sim_queue_peak(q), peak);
  sim_queue_free(q);
  free(ref);
}

/* The same contract over keys that exercise the whole structure: times that
 * span every digit level (deltas from 0 to 2^44 ms past the last popped
 * time), negative times, pushes at and below the last popped time, runs of
 * equal (time, prio), and cancel-heavy phases in which far-future events
 * are cancelled until dead entries outnumber pending ones by far more than
 * 1,024 (the queue's purge threshold). Every pop must be exactly the
 * reference's least (time, prio, seq); stale handles must be refused. */
static void test_wide_keys_against_reference(void **state)
{
  enum { OPS = 60000, MAXN = 3000 };
  sim_event *ref = malloc(MAXN * sizeof *ref);
  uint64_t rs = test_seed() ^ UINT64_C(0xa5a5);
  uint64_t seq = 0;
  sim_time_ms last = -1000;
  size_t n = 0, op, cancelled = 0;
  sim_queue *q;

  (void)state;
  assert_non_null(ref);
  assert_int_equal(sim_queue_new(&q, NULL), SIM_OK);
  for (op = 0; op < OPS; op++) {
    uint64_t r = next_rand(&rs);
    unsigned phase = (unsigned)((op / 4000) % 3); /* 0 fill, 1 cancel, 2 mix */
    unsigned what = (unsigned)(r % 10);
    int push = n == 0 || (n < MAXN && (phase == 0 ? what < 8 : what < 4));
    int cancel = !push && (phase == 1 ? what < 9 : what < 6);

    if (push) {
      sim_event *e = &ref[n++];
      unsigned shape = (unsigned)(next_rand(&rs) % 8);
      uint64_t mag = next_rand(&rs);

      if (shape == 0)
        e->time = last;                                  /* at last */
      else if (shape == 1)
        e->time = last - (sim_time_ms)(mag % 5000);      /* below last */
      else if (shape == 2)
        e->time = last + (sim_time_ms)(mag % 4);         /* ties */
      else
        e->time = last + (sim_time_ms)(mag % (UINT64_C(1) << (4 + 5 * shape)));
      e->prio = (int32_t)(next_rand(&rs) % 3) - 1;
      e->seq = seq++;
      e->subject = e->seq;
      assert_int_equal(sim_queue_push(q, e->time, e->prio, 0, e->subject, 0,
                                      &e->id), SIM_OK);
    } else if (cancel) {
      /* prefer the farthest of a few (those sit in high buckets) */
      size_t k = (size_t)(next_rand(&rs) % n), j, t;

      for (t = 0; t < 3; t++) {
        j = (size_t)(next_rand(&rs) % n);
        if (ref[j].time > ref[k].time)
          k = j;
      }
      assert_int_equal(sim_queue_cancel(q, ref[k].id), SIM_OK);
      assert_false(sim_queue_pending(q, ref[k].id));
      assert_int_equal(sim_queue_cancel(q, ref[k].id), SIM_ERR_STATE);
      ref[k] = ref[--n];
      cancelled++;
    } else {
      sim_event ev;
      size_t best = 0, i;

      for (i = 1; i < n; i++)
        if (is_before(&ref[i], &ref[best]))
          best = i;
      assert_non_null(sim_queue_peek(q));
      assert_int_equal(sim_queue_peek(q)->id, ref[best].id);
      assert_true(sim_queue_pop(q, &ev));
      assert_int_equal(ev.id, ref[best].id);
      assert_int_equal(ev.seq, ref[best].seq);
      assert_int_equal(ev.time, ref[best].time);
      assert_int_equal(ev.prio, ref[best].prio);
      assert_false(sim_queue_pending(q, ev.id));
      if (ev.time > last)
        last = ev.time;
      ref[best] = ref[--n];
    }
    assert_int_equal(sim_queue_size(q), n);
  }
  assert_true(cancelled > 4 * 1024);
  /* drain: the rest in exact order */
  while (n > 0) {
    sim_event ev;
    size_t best = 0, i;

    for (i = 1; i < n; i++)
      if (is_before(&ref[i], &ref[best]))
        best = i;
    assert_true(sim_queue_pop(q, &ev));
    assert_int_equal(ev.id, ref[best].id);
    ref[best] = ref[--n];
  }
  assert_null(sim_queue_peek(q));
  sim_queue_free(q);
  free(ref);
}

/* Growth under allocation failure: the push fails with NOMEM and the queue
 * stays intact and usable; every byte comes back. */
static void test_alloc_failure(void **state)
{
  long n;

  (void)state;
  for (n = 1; n <= 8; n++) {
    memctl m = {n, 0, 0, 0};
    sim_alloc a = {memctl_fn, &m};
    sim_queue *q = NULL;
    sim_event ev;
    int rc = sim_queue_new(&q, &a);
    int pushed = 0, i;
    sim_time_ms last = -1;

    if (rc != SIM_OK) {
      assert_int_equal(rc, SIM_ERR_NOMEM);
      assert_null(q);
      assert_int_equal(m.blocks, 0);
      continue;
    }
    for (i = 0; i < 200; i++) {
      rc = sim_queue_push(q, (sim_time_ms)((i * 7919) % 200), 0, 0, 0, 0,
                          NULL);
      if (rc != SIM_OK)
        break;
      pushed++;
    }
    /* 1 queue + 2 arrays per doubling: allocation 11 is needed for 200 */
    assert_int_equal(rc, SIM_ERR_NOMEM);
    assert_int_equal(sim_queue_size(q), pushed);
    /* the queue keeps working after the failure */
    assert_int_equal(sim_queue_push(q, 1000, 0, 0, 0, 0, NULL), SIM_OK);
    for (i = 0; i <= pushed; i++) {
      assert_true(sim_queue_pop(q, &ev));
      assert_true(ev.time >= last);
      last = ev.time;
    }
    assert_false(sim_queue_pop(q, &ev));
    sim_queue_free(q);
    assert_int_equal(m.blocks, 0);
    assert_int_equal(m.bytes, 0);
  }
}

/* Many events: heap order holds across several growth steps. */
static void test_bulk(void **state)
{
  enum { N = 200000 };
  uint64_t rs = 12345;
  sim_queue *q;
  sim_event ev, prev;
  size_t i;

  (void)state;
  assert_int_equal(sim_queue_new(&q, NULL), SIM_OK);
  for (i = 0; i < N; i++)
    assert_int_equal(sim_queue_push(q, (sim_time_ms)(next_rand(&rs) % 100000),
                                    (int32_t)(next_rand(&rs) % 4), 0, i, 0,
                                    NULL), SIM_OK);
  assert_true(sim_queue_pop(q, &prev));
  for (i = 1; i < N; i++) {
    assert_true(sim_queue_pop(q, &ev));
    assert_true(is_before(&prev, &ev));
    prev = ev;
  }
  assert_int_equal(sim_queue_peak(q), N);
  sim_queue_free(q);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_empty),
    cmocka_unit_test(test_fields_and_order),
    cmocka_unit_test(test_fifo_among_ties),
    cmocka_unit_test(test_cancel_positions),
    cmocka_unit_test(test_stale_handles),
    cmocka_unit_test(test_peak),
    cmocka_unit_test(test_random_against_reference),
    cmocka_unit_test(test_wide_keys_against_reference),
    cmocka_unit_test(test_alloc_failure),
    cmocka_unit_test(test_bulk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
