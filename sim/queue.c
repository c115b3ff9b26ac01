/*
 * queue.c — the pending-event set (see queue.h): a radix heap
 * with 8-bit digits (a hierarchical timing wheel that keeps exact order)
 * in front of a small binary heap.
 *
 * Keys are times mapped to unsigned (sign bit flipped). `last` never
 * decreases. Every pending event is in exactly one of:
 *   near    a binary min-heap on (time, prio, seq) of the events whose key
 *           is <= last (the events due at `last`, usually one or two, and
 *           any pushed below `last`, which a world never does during a run);
 *   bucket (L, d)  an unordered singly linked list, threaded through the
 *           slots, of events whose key is > last, differs from last first
 *           in byte L and has d in that byte.
 * So near's events all precede every bucket's, and bucket (L, d) precedes
 * (L, d') for d < d' and every bucket of a higher level. Pop takes near's
 * root; when near is empty it moves `last` up to the least key of the
 * lowest non-empty bucket and redistributes that bucket: its events land in
 * near (those equal to the new `last`) or in lower levels. An event moves
 * at most once per level (three times for delays under 4.6 hours).
 *
 * Cancelling an event in near removes it at once; one in a bucket is marked
 * dead (its handle is stale at once, and size counts pending events only)
 * and unlinked when its bucket is next redistributed, or by a sweep of all
 * buckets when dead events outnumber pending ones by 1,024.
 */
#include "queue.h"

#include <string.h>

#define NIL 0u                           /* list end: links hold slot + 1 */
#define MAX_SLOTS ((size_t)1 << 31)
#define MIN_CAP 16
#define LEVELS 8
#define DIGITS 256
#define SWEEP_SLACK 1024

enum { S_FREE, S_NEAR, S_BUCKET, S_DEAD };

typedef struct hent {  /* near-heap entry: the key beside the slot index */
  sim_time_ms time;
  int32_t prio;
  uint32_t slot;
  uint64_t seq;
} hent;

/* One event, split in two arrays indexed by slot (struct of arrays): what
 * the bucket walks read and write (key, link, state: 16 bytes, so the lists
 * of ~2,000 pending events stay in L1 while they are walked) and the rest,
 * read when the event enters near and when it is popped. */
typedef struct hot {
  uint64_t key;        /* key_of(time) */
  uint32_t link;       /* S_BUCKET/S_DEAD: next in its list (slot + 1, 0 end);
                          S_NEAR: index in near; S_FREE: next free slot + 1 */
  uint32_t state;      /* S_* */
} hot;

typedef struct slot {  /* 40 bytes */
  uint64_t seq;
  uint64_t subject;
  uint64_t arg;
  int32_t prio;
  uint32_t kind;
  uint32_t gen;        /* bumped when the event stops being pending */
  uint32_t pad;
} slot;

struct sim_queue {
  sim_alloc alloc;
  hot *hot;
  slot *slots;
  size_t nslots, slot_cap, hot_cap;
  uint32_t free_head;             /* slot + 1, or NIL */
  hent *near;
  size_t n_near, near_cap;
  uint64_t last;                  /* key bound: near <= last < buckets */
  size_t size, dead, peak;        /* pending, dead in buckets, max size */
  uint64_t next_seq;
  sim_event top;                  /* what peek returned */
  uint32_t levels;                /* bit L: some bucket of level L non-empty */
  uint64_t bits[LEVELS][DIGITS / 64];
  uint32_t head[LEVELS][DIGITS];  /* list heads, slot + 1 */
};

static inline uint64_t key_of(sim_time_ms t) { return (uint64_t)t ^ (UINT64_C(1) << 63); }
static inline sim_time_ms time_of(uint64_t k) { return (sim_time_ms)(k ^ (UINT64_C(1) << 63)); }

static inline bool less(const hent *a, const hent *b)
{
  if (a->time != b->time)
    return a->time < b->time;
  if (a->prio != b->prio)
    return a->prio < b->prio;
  return a->seq < b->seq;
}

/* ------------------------------------------------------------- near --- */

static inline __attribute__((always_inline)) void near_up(sim_queue *q, size_t i, hent e)
{
  hent *h = q->near;

  while (i > 0) {
    size_t p = (i - 1) / 2;

    if (!less(&e, &h[p]))
      break;
    h[i] = h[p];
    q->hot[h[i].slot].link = (uint32_t)i;
    i = p;
  }
  h[i] = e;
  q->hot[e.slot].link = (uint32_t)i;
}

static inline __attribute__((always_inline)) void near_down(sim_queue *q, size_t i, hent e)
{
  hent *h = q->near;
  size_t n = q->n_near;

  for (;;) {
    size_t c = 2 * i + 1;

    if (c >= n)
      break;
    if (c + 1 < n && less(&h[c + 1], &h[c]))
      c++;
    if (!less(&h[c], &e))
      break;
    h[i] = h[c];
    q->hot[h[i].slot].link = (uint32_t)i;
    i = c;
  }
  h[i] = e;
  q->hot[e.slot].link = (uint32_t)i;
}

static inline void near_push(sim_queue *q, uint32_t idx)
{
  const slot *s = &q->slots[idx];
  hent e = {time_of(q->hot[idx].key), s->prio, idx, s->seq};

  q->hot[idx].state = S_NEAR;
  q->n_near++;
  near_up(q, q->n_near - 1, e);
}

/* Remove near[i] (the root when i == 0). */
static void near_remove(sim_queue *q, size_t i)
{
  hent last = q->near[--q->n_near];

  if (i >= q->n_near)
    return;
  if (i > 0 && less(&last, &q->near[(i - 1) / 2]))
    near_up(q, i, last);
  else
    near_down(q, i, last);
}

/* ---------------------------------------------------------- buckets --- */

/* File slot idx under `last`: near when its key is <= last, else the bucket
 * of the highest byte in which it differs from last. */
static inline void place(sim_queue *q, uint32_t idx)
{
  hot *s = &q->hot[idx];
  uint64_t k = s->key, x = k ^ q->last;

  if (k <= q->last) {
    near_push(q, idx);
    return;
  }
  unsigned bit = 63u - (unsigned)__builtin_clzll(x);
  unsigned l = bit >> 3, d = (unsigned)(k >> (l * 8)) & 0xff;

  s->state = S_BUCKET;
  s->link = q->head[l][d];
  q->head[l][d] = idx + 1;
  q->bits[l][d >> 6] |= UINT64_C(1) << (d & 63);
  q->levels |= 1u << l;
}

static void free_slot(sim_queue *q, uint32_t idx)
{
  hot *s = &q->hot[idx];

  s->state = S_FREE;
  s->link = q->free_head;
  q->free_head = idx + 1;
}

/* Take the list of the lowest non-empty bucket; *l, *d receive it. */
static uint32_t take_lowest(sim_queue *q, unsigned *l, unsigned *d)
{
  unsigned lv = (unsigned)__builtin_ctz(q->levels), w = 0;
  uint64_t *b = q->bits[lv];

  while (b[w] == 0)
    w++;
  unsigned dg = w * 64 + (unsigned)__builtin_ctzll(b[w]);
  uint32_t h = q->head[lv][dg];

  q->head[lv][dg] = NIL;
  b[w] &= b[w] - 1;
  if (!(b[0] | b[1] | b[2] | b[3]))
    q->levels &= ~(1u << lv);
  *l = lv;
  *d = dg;
  return h;
}

/* Make near non-empty (when anything is pending). The lowest non-empty
 * bucket holds the least events. A bucket of level 0 or 1 (one key, or a
 * 256 ms span) goes into near whole, and `last` moves to the top of its
 * span; a higher one is redistributed under its lower bound, so its events
 * land in lower levels (or, equal to the bound, in near). */
static void settle(sim_queue *q)
{
  while (q->n_near == 0 && q->size > 0) {
    unsigned l, d;
    uint32_t h = take_lowest(q, &l, &d);
    unsigned shift = l * 8;
    uint64_t high = l == LEVELS - 1 ? 0 : q->last & ~((UINT64_C(1) << (shift + 8)) - 1);
    uint64_t base = high | (uint64_t)d << shift;

    if (l <= 1) {
      q->last = base | ((UINT64_C(1) << shift) - 1);
      while (h != NIL) {
        uint32_t idx = h - 1;

        h = q->hot[idx].link;
        if (q->hot[idx].state == S_DEAD) {
          q->dead--;
          free_slot(q, idx);
        } else {
          near_push(q, idx);
        }
      }
      continue;
    }
    q->last = base;
    while (h != NIL) {
      uint32_t idx = h - 1;

      h = q->hot[idx].link;
      if (q->hot[idx].state == S_DEAD) {
        q->dead--;
        free_slot(q, idx);
      } else {
        place(q, idx);
      }
    }
  }
}

/* Unlink every dead event (when they have piled up). */
static void sweep(sim_queue *q)
{
  for (unsigned l = 0; l < LEVELS; l++) {
    if (!(q->levels & (1u << l)))
      continue;
    for (unsigned d = 0; d < DIGITS; d++) {
      uint32_t h = q->head[l][d], keep = NIL;

      if (h == NIL)
        continue;
      while (h != NIL) {
        uint32_t idx = h - 1;

        h = q->hot[idx].link;
        if (q->hot[idx].state == S_DEAD) {
          free_slot(q, idx);
        } else {
          q->hot[idx].link = keep;
          keep = idx + 1;
        }
      }
      q->head[l][d] = keep;
      if (keep == NIL)
        q->bits[l][d >> 6] &= ~(UINT64_C(1) << (d & 63));
    }
    if (!(q->bits[l][0] | q->bits[l][1] | q->bits[l][2] | q->bits[l][3]))
      q->levels &= ~(1u << l);
  }
  q->dead = 0;
}

/* ---------------------------------------------------------------- API --- */

static inline sim_event_id make_id(uint32_t gen, size_t idx)
{
  return ((uint64_t)gen << 32) | (uint64_t)(idx + 1);
}

int sim_queue_new(sim_queue **out, const sim_alloc *alloc)
{
  sim_queue *q = sim_calloc(alloc, 1, sizeof *q);

  *out = NULL;
  if (q == NULL)
    return SIM_ERR_NOMEM;
  if (alloc)
    q->alloc = *alloc;
  *out = q;
  return SIM_OK;
}

void sim_queue_free(sim_queue *q)
{
  sim_alloc a;

  if (q == NULL)
    return;
  a = q->alloc;
  sim_free(&a, q->hot, q->hot_cap * sizeof *q->hot);
  sim_free(&a, q->slots, q->slot_cap * sizeof *q->slots);
  sim_free(&a, q->near, q->near_cap * sizeof *q->near);
  sim_free(&a, q, sizeof *q);
}

/* Room for one more event: a slot, and near able to hold every pending
 * event (so pop never allocates). Leaves the queue valid on failure. */
static int reserve(sim_queue *q)
{
  if (q->free_head == NIL && q->nslots == q->slot_cap) {
    size_t cap = q->slot_cap ? q->slot_cap * 2 : MIN_CAP;
    slot *p;
    hot *t;

    if (q->slot_cap >= MAX_SLOTS)
      return SIM_ERR_LIMIT;
    /* hot grows first (to hot_cap); slot_cap, the usable size, only once
     * both have grown, so a failure leaves the queue valid. */
    if (q->hot_cap < cap) {
      t = sim_realloc(&q->alloc, q->hot, q->hot_cap * sizeof *t, cap * sizeof *t);
      if (t == NULL)
        return SIM_ERR_NOMEM;
      q->hot = t;
      q->hot_cap = cap;
    }
    p = sim_realloc(&q->alloc, q->slots, q->slot_cap * sizeof *p, cap * sizeof *p);
    if (p == NULL)
      return SIM_ERR_NOMEM;
    q->slots = p;
    q->slot_cap = cap;
  }
  if (q->size == q->near_cap) {
    size_t cap = q->slot_cap;
    hent *p = sim_realloc(&q->alloc, q->near, q->near_cap * sizeof *p, cap * sizeof *p);

    if (p == NULL)
      return SIM_ERR_NOMEM;
    q->near = p;
    q->near_cap = cap;
  }
  return SIM_OK;
}

int sim_queue_push(sim_queue *q, sim_time_ms time, int32_t prio, uint32_t kind, uint64_t subject,
            uint64_t arg, sim_event_id *id)
{
  uint32_t idx;
  slot *s;
  int rc = reserve(q);

  if (rc != SIM_OK)
    return rc;
  if (q->free_head != NIL) {
    idx = q->free_head - 1;
    q->free_head = q->hot[idx].link;
  } else {
    idx = (uint32_t)q->nslots++;
    q->slots[idx].gen = 0;
  }
  s = &q->slots[idx];
  q->hot[idx].key = key_of(time);
  s->prio = prio;
  s->kind = kind;
  s->seq = q->next_seq++;
  s->subject = subject;
  s->arg = arg;
  if (q->size == 0 && q->dead == 0)
    q->last = key_of(time);   /* empty: start the wheel here */
  q->size++;
  place(q, idx);
  if (q->size > q->peak)
    q->peak = q->size;
  if (id)
    *id = make_id(s->gen, idx);
  return SIM_OK;
}

static const slot *live(const sim_queue *q, sim_event_id id)
{
  uint32_t low = (uint32_t)id;
  const slot *s;
  uint32_t st;

  if (low == 0 || low > q->nslots)
    return NULL;
  s = &q->slots[low - 1];
  st = q->hot[low - 1].state;
  if (s->gen != (uint32_t)(id >> 32) || (st != S_NEAR && st != S_BUCKET))
    return NULL;
  return s;
}

bool sim_queue_pending(const sim_queue *q, sim_event_id id) { return live(q, id) != NULL; }

int sim_queue_cancel(sim_queue *q, sim_event_id id)
{
  const slot *c = live(q, id);
  uint32_t idx;
  slot *s;

  if (c == NULL)
    return SIM_ERR_STATE;
  idx = (uint32_t)id - 1;
  s = &q->slots[idx];
  s->gen++;
  q->size--;
  if (q->hot[idx].state == S_NEAR) {
    near_remove(q, q->hot[idx].link);
    free_slot(q, idx);
    return SIM_OK;
  }
  q->hot[idx].state = S_DEAD;
  if (++q->dead > q->size + SWEEP_SLACK)
    sweep(q);
  return SIM_OK;
}

static void fill(const sim_queue *q, uint32_t idx, sim_event *ev)
{
  const slot *s = &q->slots[idx];

  ev->time = time_of(q->hot[idx].key);
  ev->prio = s->prio;
  ev->kind = s->kind;
  ev->seq = s->seq;
  ev->subject = s->subject;
  ev->arg = s->arg;
  ev->id = make_id(s->gen, idx);
}

const sim_event *sim_queue_peek(sim_queue *q)
{
  if (q->size == 0)
    return NULL;
  settle(q);
  fill(q, q->near[0].slot, &q->top);
  return &q->top;
}

/* Remove the earliest event (settled in near[0]) into *out. */
static inline void take_first(sim_queue *q, sim_event *out)
{
  uint32_t idx = q->near[0].slot;

  fill(q, idx, out);
  q->slots[idx].gen++;
  q->size--;
  if (--q->n_near > 0)   /* near_remove(q, 0), inline */
    near_down(q, 0, q->near[q->n_near]);
  free_slot(q, idx);
}

bool sim_queue_pop(sim_queue *q, sim_event *out)
{
  if (q->size == 0)
    return false;
  if (q->n_near == 0)
    settle(q);
  take_first(q, out);
  return true;
}

bool sim_queue_pop_until(sim_queue *q, sim_time_ms until, sim_event *out)
{
  if (q->size == 0)
    return false;
  if (q->n_near == 0)
    settle(q);
  if (q->near[0].time > until)
    return false;
  take_first(q, out);
  return true;
}

size_t sim_queue_size(const sim_queue *q) { return q->size; }
size_t sim_queue_peak(const sim_queue *q) { return q->peak; }
