/*
 * queue.h — the pending-event set over a slot pool, ordered by (time, prio,
 * seq): a radix heap (8-bit digits) in front of a small binary heap, see
 * queue.c; it replaced an indexed binary heap that popped the same order
 * and was about 1.5x slower (bench/bench_queue). `seq` is stamped at push, so
 * ties in time and priority resolve in scheduling order (FIFO) and the order
 * is total and deterministic. Every pushed event gets a handle; cancel by
 * handle makes the handle stale at once (an entry in a far bucket is
 * unlinked later, see queue.c), and the
 * queue's size is exactly the number of pending events.
 *
 * Handles are (generation << 32 | slot + 1); a stale handle (fired or
 * cancelled event) is detected, never confused with a reused slot (until
 * one slot has been reused 2^32 times).
 *
 * Ownership: the queue owns its arrays; events are plain values (no payload
 * pointers), so nothing needs a finalizer.
 */
#ifndef JOBSIM_SIM_QUEUE_H
#define JOBSIM_SIM_QUEUE_H

#include <stdbool.h>
#include "sim.h"

typedef uint64_t sim_event_id;      /* 0 is never a valid handle */
#define SIM_EVENT_NONE ((sim_event_id)0)

typedef struct sim_event {
  sim_time_ms time;   /* when it fires, ms */
  int32_t prio;       /* lower fires first among equal times */
  uint32_t kind;      /* handler index, see world.h */
  uint64_t seq;       /* push order, assigned by the queue */
  uint64_t subject;   /* what the event is about (e.g. a thing index) */
  uint64_t arg;       /* free argument (e.g. an execution generation) */
  sim_event_id id;    /* the handle returned at push */
} sim_event;

typedef struct sim_queue sim_queue;

/* `alloc` is copied (NULL: C library). Arrays are allocated on first push. */
int sim_queue_new(sim_queue **out, const sim_alloc *alloc);
void sim_queue_free(sim_queue *q);          /* NULL is a no-op */

/* Push; *id (may be NULL) receives the handle. O(log n). SIM_ERR_NOMEM
 * (queue unchanged) or SIM_ERR_LIMIT beyond 2^31 pending events. */
int sim_queue_push(sim_queue *q, sim_time_ms time, int32_t prio, uint32_t kind,
                   uint64_t subject, uint64_t arg, sim_event_id *id);
/* Remove a pending event. SIM_OK if it was pending, SIM_ERR_STATE if the
 * handle is stale (already fired or cancelled). O(log n). */
int sim_queue_cancel(sim_queue *q, sim_event_id id);
/* Is the handle still pending? O(1). */
bool sim_queue_pending(const sim_queue *q, sim_event_id id);
/* Pop the least event into *out. false when empty. O(log n). */
bool sim_queue_pop(sim_queue *q, sim_event *out);
/* Pop the least event into *out when it is due by `until` (time <= until):
 * sim_queue_peek, the comparison and sim_queue_pop in one step (the run
 * loop's). false, and the queue unchanged, when empty or not yet due. */
bool sim_queue_pop_until(sim_queue *q, sim_time_ms until, sim_event *out);
/* Least event without removing it (NULL when empty). */
const sim_event *sim_queue_peek(sim_queue *q);

size_t sim_queue_size(const sim_queue *q);   /* pending events now */
size_t sim_queue_peak(const sim_queue *q);   /* largest size ever reached */

#endif
