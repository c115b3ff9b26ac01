/*
 * rq.c — PROTOTYPE radix heap with the sim_queue API (speed measurement
 * only: bucket growth inside pop aborts on allocation failure).
 *
 * Keys are event times mapped to unsigned. Bucket 0 holds the events whose
 * time equals `last` (the time of the last redistribution minimum) as a
 * binary heap ordered by (prio, seq); bucket i >= 1 holds events whose time
 * differs from `last` first at bit i-1, unordered. A push below `last` (not
 * in a world, whose pushes are >= now) rebuckets everything.
 */
#include "rq.h"

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define MIN_CAP 16
#define NB 65

typedef struct hent {
  uint64_t key;     /* biased time */
  int32_t prio;
  uint32_t slot;
  uint64_t seq;
} hent;

typedef struct slot {
  sim_event ev;
  uint32_t gen;
} slot;

typedef struct bucket {
  hent *a;
  uint32_t n, cap;
} bucket;

struct rq_queue {
  sim_alloc alloc;
  bucket b[NB];
  uint64_t mask;      /* bit i-1: bucket i >= 1 non-empty */
  uint64_t last;
  size_t size;
  slot *slots;
  uint32_t *pos;      /* index inside its bucket, or next free slot */
  uint8_t *where;     /* its bucket */
  size_t nslots, slot_cap;
  uint32_t free_head;
  uint64_t next_seq;
  size_t peak;
};

static inline uint64_t key_of(sim_time_ms t) { return (uint64_t)t ^ (UINT64_C(1) << 63); }

static inline unsigned bucket_of(uint64_t k, uint64_t last)
{
  return k == last ? 0u : 64u - (unsigned)__builtin_clzll(k ^ last);
}

static inline bool less0(const hent *a, const hent *b)
{
  if (a->prio != b->prio)
    return a->prio < b->prio;
  return a->seq < b->seq;
}

static void grow(rq_queue *q, bucket *b)
{
  uint32_t cap = b->cap ? b->cap * 2 : 64;
  hent *p = sim_realloc(&q->alloc, b->a, b->cap * sizeof *p, cap * sizeof *p);
  if (!p)
    abort();
  b->a = p;
  b->cap = cap;
}

/* bucket 0: heap on (prio, seq) */
static void h0_up(rq_queue *q, size_t i, hent e)
{
  hent *h = q->b[0].a;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!less0(&e, &h[p]))
      break;
    h[i] = h[p];
    q->pos[h[i].slot] = (uint32_t)i;
    i = p;
  }
  h[i] = e;
  q->pos[e.slot] = (uint32_t)i;
}

static void h0_down(rq_queue *q, size_t i, hent e)
{
  hent *h = q->b[0].a;
  size_t n = q->b[0].n;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n)
      break;
    if (c + 1 < n && less0(&h[c + 1], &h[c]))
      c++;
    if (!less0(&h[c], &e))
      break;
    h[i] = h[c];
    q->pos[h[i].slot] = (uint32_t)i;
    i = c;
  }
  h[i] = e;
  q->pos[e.slot] = (uint32_t)i;
}

static inline void place(rq_queue *q, hent e)
{
  unsigned i = bucket_of(e.key, q->last);
  bucket *b = &q->b[i];

  if (b->n == b->cap)
    grow(q, b);
  q->where[e.slot] = (uint8_t)i;
  if (i == 0) {
    b->n++;
    h0_up(q, b->n - 1, e);
    return;
  }
  q->pos[e.slot] = b->n;
  b->a[b->n++] = e;
  q->mask |= UINT64_C(1) << (i - 1);
}

/* Refill bucket 0 from the lowest non-empty bucket. */
static void settle(rq_queue *q)
{
  if (q->b[0].n || !q->mask)
    return;
  unsigned i = (unsigned)__builtin_ctzll(q->mask) + 1;
  bucket *b = &q->b[i];
  uint64_t m = b->a[0].key;
  for (uint32_t k = 1; k < b->n; k++)
    if (b->a[k].key < m)
      m = b->a[k].key;
  q->last = m;
  uint32_t n = b->n;
  b->n = 0;
  q->mask &= ~(UINT64_C(1) << (i - 1));
  for (uint32_t k = 0; k < n; k++)
    place(q, b->a[k]);
}

static void rebucket(rq_queue *q, uint64_t last)
{
  /* gather everything into a temporary array, then place again */
  size_t n = q->size, k = 0;
  hent *tmp = malloc((n ? n : 1) * sizeof *tmp);
  if (!tmp)
    abort();
  for (unsigned i = 0; i < NB; i++) {
    memcpy(tmp + k, q->b[i].a, q->b[i].n * sizeof *tmp);
    k += q->b[i].n;
    q->b[i].n = 0;
  }
  q->mask = 0;
  q->last = last;
  for (k = 0; k < n; k++)
    place(q, tmp[k]);
  free(tmp);
}

static inline sim_event_id make_id(uint32_t gen, size_t idx)
{
  return ((uint64_t)gen << 32) | (uint64_t)(idx + 1);
}

static void free_slot(rq_queue *q, uint32_t idx)
{
  q->slots[idx].gen++;
  q->pos[idx] = q->free_head;
  q->free_head = idx;
}

int rq_new(rq_queue **out, const sim_alloc *alloc)
{
  rq_queue *q = sim_calloc(alloc, 1, sizeof *q);
  *out = NULL;
  if (!q)
    return SIM_ERR_NOMEM;
  if (alloc)
    q->alloc = *alloc;
  q->free_head = NIL;
  *out = q;
  return SIM_OK;
}

void rq_free(rq_queue *q)
{
  if (!q)
    return;
  sim_alloc a = q->alloc;
  for (unsigned i = 0; i < NB; i++)
    sim_free(&a, q->b[i].a, q->b[i].cap * sizeof(hent));
  sim_free(&a, q->slots, q->slot_cap * sizeof *q->slots);
  sim_free(&a, q->pos, q->slot_cap * sizeof *q->pos);
  sim_free(&a, q->where, q->slot_cap);
  sim_free(&a, q, sizeof *q);
}

static int reserve(rq_queue *q)
{
  if (q->free_head == NIL && q->nslots == q->slot_cap) {
    size_t cap = q->slot_cap ? q->slot_cap * 2 : MIN_CAP;
    uint32_t *pp = sim_realloc(&q->alloc, q->pos, q->slot_cap * sizeof *pp, cap * sizeof *pp);
    if (!pp)
      return SIM_ERR_NOMEM;
    q->pos = pp;
    uint8_t *w = sim_realloc(&q->alloc, q->where, q->slot_cap, cap);
    if (!w)
      return SIM_ERR_NOMEM;
    q->where = w;
    slot *p = sim_realloc(&q->alloc, q->slots, q->slot_cap * sizeof *p, cap * sizeof *p);
    if (!p)
      return SIM_ERR_NOMEM;
    q->slots = p;
    q->slot_cap = cap;
  }
  return SIM_OK;
}

int rq_push(rq_queue *q, sim_time_ms time, int32_t prio, uint32_t kind, uint64_t subject,
            uint64_t arg, sim_event_id *id)
{
  int rc = reserve(q);
  if (rc)
    return rc;
  uint32_t idx;
  if (q->free_head != NIL) {
    idx = q->free_head;
    q->free_head = q->pos[idx];
  } else {
    idx = (uint32_t)q->nslots++;
    q->slots[idx].gen = 0;
  }
  slot *s = &q->slots[idx];
  s->ev.time = time;
  s->ev.prio = prio;
  s->ev.kind = kind;
  s->ev.seq = q->next_seq++;
  s->ev.subject = subject;
  s->ev.arg = arg;
  s->ev.id = make_id(s->gen, idx);
  hent e = {key_of(time), prio, idx, s->ev.seq};
  if (q->size == 0)
    q->last = e.key;
  else if (e.key < q->last)
    rebucket(q, e.key);
  q->size++;
  place(q, e);
  if (q->size > q->peak)
    q->peak = q->size;
  if (id)
    *id = s->ev.id;
  return SIM_OK;
}

bool rq_pending(const rq_queue *q, sim_event_id id)
{
  uint32_t low = (uint32_t)id;
  if (low == 0 || low > q->nslots)
    return false;
  const slot *s = &q->slots[low - 1];
  return s->gen == (uint32_t)(id >> 32) && s->ev.id == id;
}

int rq_cancel(rq_queue *q, sim_event_id id)
{
  if (!rq_pending(q, id))
    return SIM_ERR_STATE;
  uint32_t idx = (uint32_t)id - 1, pos = q->pos[idx];
  unsigned w = q->where[idx];
  bucket *b = &q->b[w];
  free_slot(q, idx);
  q->size--;
  hent last = b->a[--b->n];
  if (w == 0) {
    if (pos < b->n) {
      if (pos > 0 && less0(&last, &b->a[(pos - 1) / 2]))
        h0_up(q, pos, last);
      else
        h0_down(q, pos, last);
    }
  } else {
    if (pos < b->n) {
      b->a[pos] = last;
      q->pos[last.slot] = pos;
    }
    if (b->n == 0)
      q->mask &= ~(UINT64_C(1) << (w - 1));
  }
  return SIM_OK;
}

const sim_event *rq_peek(rq_queue *q)
{
  if (!q->size)
    return NULL;
  settle(q);
  return &q->slots[q->b[0].a[0].slot].ev;
}

bool rq_pop(rq_queue *q, sim_event *out)
{
  if (!q->size)
    return false;
  settle(q);
  bucket *b = &q->b[0];
  uint32_t idx = b->a[0].slot;
  *out = q->slots[idx].ev;
  free_slot(q, idx);
  q->size--;
  uint32_t n = --b->n;
  if (n)
    h0_down(q, 0, b->a[n]);
  return true;
}

size_t rq_size(const rq_queue *q) { return q->size; }
size_t rq_peak(const rq_queue *q) { return q->peak; }
