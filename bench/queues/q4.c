/*
 * queue.c — the pending-event set: an indexed binary min-heap over a slot
 * pool. Heap entries copy the key (time, prio, seq) beside the slot index,
 * so sifting compares contiguous 24-byte entries and never touches a slot;
 * slots hold the event and a generation that makes old handles stale.
 * Invariants: heap[i] <= its children in (time, prio, seq) order; for a
 * pending slot s, heap[pos[s]].slot == s; free slots form a LIFO list
 * threaded through `pos`. Arrays grow by doubling and never shrink. A binary
 * heap beat a pairing heap or calendar queue on flat arrays and predictable
 * cost; revisit only if profiling says so.
 */
#include "q4.h"

#include <string.h>

#define NIL UINT32_MAX                   /* end of the free list */
#define MAX_SLOTS ((size_t)1 << 31)      /* keeps slot + 1 and pos in 32 bits */
#define MIN_CAP 16                       /* first allocation, entries */

typedef struct hent {
  sim_time_ms time; /* copy of the event's time, ms */
  int32_t prio;     /* copy of the event's priority (lower first) */
  uint32_t slot;    /* index into slots */
  uint64_t seq;     /* copy of the event's push counter */
} hent;

typedef struct slot {
  sim_event ev; /* the event; ev.id is its handle while pending */
  uint32_t gen; /* generation, bumped each time the slot is freed */
} slot;

struct q4_queue {
  sim_alloc alloc;    /* allocator for the arrays and the queue itself */
  hent *heap;         /* binary heap, `size` entries used */
  size_t size;        /* pending events, entries */
  size_t heap_cap;    /* capacity of heap, entries */
  slot *slots;        /* slot pool, `nslots` ever used */
  uint32_t *pos;      /* per slot: heap index while pending, next free
                         slot while free (apart from slots: sifting writes
                         it at every level, so it must stay cache-dense) */
  size_t nslots;      /* slots handed out at least once, entries */
  size_t slot_cap;    /* capacity of slots, entries */
  size_t pos_cap;     /* capacity of pos (>= slot_cap), entries */
  uint32_t free_head; /* first free slot below nslots, NIL if none */
  uint64_t next_seq;  /* seq for the next push, counter */
  size_t peak;        /* largest size ever reached, entries */
};

static inline bool less(const hent *a, const hent *b)
{
  if (a->time != b->time)
    return a->time < b->time;
  if (a->prio != b->prio)
    return a->prio < b->prio;
  return a->seq < b->seq;
}

static inline sim_event_id make_id(uint32_t gen, size_t idx)
{
  return ((uint64_t)gen << 32) | (uint64_t)(idx + 1);
}

/* 4-ary heap: children of i are 4i+1 .. 4i+4, parent of i is (i-1)/4. */
static void sift_up(q4_queue *q, size_t i, hent e)
{
  hent *h = q->heap;

  while (i > 0) {
    size_t p = (i - 1) / 4;

    if (!less(&e, &h[p]))
      break;
    h[i] = h[p];
    q->pos[h[i].slot] = (uint32_t)i;
    i = p;
  }
  h[i] = e;
  q->pos[e.slot] = (uint32_t)i;
}

/* Index of the least of the children of i (c = 4i+1 < n). */
static inline size_t min_child(const hent *h, size_t c, size_t n)
{
  if (c + 3 < n) {
    size_t a = less(&h[c + 1], &h[c]) ? c + 1 : c;
    size_t b = less(&h[c + 3], &h[c + 2]) ? c + 3 : c + 2;
    return less(&h[b], &h[a]) ? b : a;
  }
  size_t m = c;
  for (size_t k = c + 1; k < n; k++)
    if (less(&h[k], &h[m]))
      m = k;
  return m;
}

static void sift_down(q4_queue *q, size_t i, hent e)
{
  hent *h = q->heap;
  size_t n = q->size;

  for (;;) {
    size_t c = 4 * i + 1;

    if (c >= n)
      break;
    c = min_child(h, c, n);
    if (!less(&h[c], &e))
      break;
    h[i] = h[c];
    q->pos[h[i].slot] = (uint32_t)i;
    i = c;
  }
  h[i] = e;
  q->pos[e.slot] = (uint32_t)i;
}

static void remove_root(q4_queue *q)
{
  size_t n = --q->size;

  if (n == 0)
    return;
  sift_down(q, 0, q->heap[n]);
}

static void free_slot(q4_queue *q, uint32_t idx)
{
  q->slots[idx].gen++;
  q->pos[idx] = q->free_head;
  q->free_head = idx;
}

/* Make room for one more pending event. Leaves the queue valid on failure. */
static int reserve(q4_queue *q)
{
  if (q->free_head == NIL && q->nslots == q->slot_cap) {
    size_t cap = q->slot_cap ? q->slot_cap * 2 : MIN_CAP;
    slot *p;
    uint32_t *pp;

    if (q->slot_cap >= MAX_SLOTS)
      return SIM_ERR_LIMIT;
    /* pos first: it may end up larger than slot_cap, never smaller */
    if (q->pos_cap < cap) {
      pp = sim_realloc(&q->alloc, q->pos, q->pos_cap * sizeof *pp,
                       cap * sizeof *pp);
      if (pp == NULL)
        return SIM_ERR_NOMEM;
      q->pos = pp;
      q->pos_cap = cap;
    }
    p = sim_realloc(&q->alloc, q->slots, q->slot_cap * sizeof *p,
                    cap * sizeof *p);
    if (p == NULL)
      return SIM_ERR_NOMEM;
    q->slots = p;
    q->slot_cap = cap;
  }
  if (q->size == q->heap_cap) {
    size_t cap = q->slot_cap; /* size < nslots <= slot_cap after the above */
    hent *p = sim_realloc(&q->alloc, q->heap, q->heap_cap * sizeof *p,
                          cap * sizeof *p);

    if (p == NULL)
      return SIM_ERR_NOMEM;
    q->heap = p;
    q->heap_cap = cap;
  }
  return SIM_OK;
}

int q4_new(q4_queue **out, const sim_alloc *alloc)
{
  q4_queue *q = sim_calloc(alloc, 1, sizeof *q);

  *out = NULL;
  if (q == NULL)
    return SIM_ERR_NOMEM;
  if (alloc)
    q->alloc = *alloc;
  q->free_head = NIL;
  *out = q;
  return SIM_OK;
}

void q4_free(q4_queue *q)
{
  sim_alloc a;

  if (q == NULL)
    return;
  a = q->alloc;
  sim_free(&a, q->heap, q->heap_cap * sizeof *q->heap);
  sim_free(&a, q->slots, q->slot_cap * sizeof *q->slots);
  sim_free(&a, q->pos, q->pos_cap * sizeof *q->pos);
  sim_free(&a, q, sizeof *q);
}

int q4_push(q4_queue *q, sim_time_ms time, int32_t prio, uint32_t kind,
                   uint64_t subject, uint64_t arg, sim_event_id *id)
{
  uint32_t idx;
  slot *s;
  hent e;
  int rc = reserve(q);

  if (rc != SIM_OK)
    return rc;
  if (q->free_head != NIL) {
    idx = q->free_head;
    q->free_head = q->pos[idx];
  } else {
    idx = (uint32_t)q->nslots++;
    q->slots[idx].gen = 0;
  }
  s = &q->slots[idx];
  s->ev.time = time;
  s->ev.prio = prio;
  s->ev.kind = kind;
  s->ev.seq = q->next_seq++;
  s->ev.subject = subject;
  s->ev.arg = arg;
  s->ev.id = make_id(s->gen, idx);
  e.time = time;
  e.prio = prio;
  e.slot = idx;
  e.seq = s->ev.seq;
  q->size++;
  sift_up(q, q->size - 1, e);
  if (q->size > q->peak)
    q->peak = q->size;
  if (id)
    *id = s->ev.id;
  return SIM_OK;
}

bool q4_pending(const q4_queue *q, sim_event_id id)
{
  uint32_t low = (uint32_t)id;
  const slot *s;

  if (low == 0 || low > q->nslots)
    return false;
  s = &q->slots[low - 1];
  return s->gen == (uint32_t)(id >> 32) && s->ev.id == id;
}

int q4_cancel(q4_queue *q, sim_event_id id)
{
  uint32_t idx, pos;
  hent last;

  if (!q4_pending(q, id))
    return SIM_ERR_STATE;
  idx = (uint32_t)id - 1;
  pos = q->pos[idx];
  SIM_ASSERT(pos < q->size && q->heap[pos].slot == idx);
  free_slot(q, idx);
  last = q->heap[--q->size];
  if (pos < q->size) {
    if (pos > 0 && less(&last, &q->heap[(pos - 1) / 2]))
      sift_up(q, pos, last);
    else
      sift_down(q, pos, last);
  }
  return SIM_OK;
}

bool q4_pop(q4_queue *q, sim_event *out)
{
  uint32_t idx;

  if (q->size == 0)
    return false;
  idx = q->heap[0].slot;
  SIM_ASSERT(q->pos[idx] == 0);
  *out = q->slots[idx].ev;
  free_slot(q, idx);
  remove_root(q);
  return true;
}

const sim_event *q4_peek(const q4_queue *q)
{
  return q->size ? &q->slots[q->heap[0].slot].ev : NULL;
}

size_t q4_size(const q4_queue *q) { return q->size; }
size_t q4_peak(const q4_queue *q) { return q->peak; }
