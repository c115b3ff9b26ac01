/*
 * queue.h — the pending-event set: an indexed binary min-heap over a slot
 * pool, ordered by (time, prio, seq). `seq` is a counter stamped at push, so
 * ties in time and priority resolve in scheduling order (FIFO) and the order
 * is total and deterministic. Every pushed event gets a handle; cancel by
 * handle is O(log n) and removes the entry at once (no tombstones), so the
 * queue's size is exactly the number of pending events.
 *
 * Handles are (generation << 32 | slot + 1); a stale handle (fired or
 * cancelled event) is detected, never confused with a reused slot (until
 * one slot has been reused 2^32 times).
 *
 * Ownership: the queue owns its arrays; events are plain values (no payload
 * pointers), so nothing needs a finalizer.
 */
#ifndef Q4_H
#define Q4_H

#include <stdbool.h>
#include "queue.h"



typedef struct q4_queue q4_queue;

/* `alloc` is copied (NULL: C library). Arrays are allocated on first push. */
int q4_new(q4_queue **out, const sim_alloc *alloc);
void q4_free(q4_queue *q);          /* NULL is a no-op */

/* Push; *id (may be NULL) receives the handle. O(log n). SIM_ERR_NOMEM
 * (queue unchanged) or SIM_ERR_LIMIT beyond 2^31 pending events. */
int q4_push(q4_queue *q, sim_time_ms time, int32_t prio, uint32_t kind,
                   uint64_t subject, uint64_t arg, sim_event_id *id);
/* Remove a pending event. SIM_OK if it was pending, SIM_ERR_STATE if the
 * handle is stale (already fired or cancelled). O(log n). */
int q4_cancel(q4_queue *q, sim_event_id id);
/* Is the handle still pending? O(1). */
bool q4_pending(const q4_queue *q, sim_event_id id);
/* Pop the least event into *out. false when empty. O(log n). */
bool q4_pop(q4_queue *q, sim_event *out);
/* Least event without removing it (NULL when empty). */
const sim_event *q4_peek(const q4_queue *q);

size_t q4_size(const q4_queue *q);   /* pending events now */
size_t q4_peak(const q4_queue *q);   /* largest size ever reached */

#endif
