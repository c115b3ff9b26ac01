/* rw.h — candidate radix-wheel queue with the sim_queue API (bench only). */
#ifndef RW_H
#define RW_H
#include <stdbool.h>
#include "queue.h"
typedef struct rw_queue rw_queue;
int rw_new(rw_queue **out, const sim_alloc *alloc);
void rw_free(rw_queue *q);
int rw_push(rw_queue *q, sim_time_ms time, int32_t prio, uint32_t kind, uint64_t subject,
            uint64_t arg, sim_event_id *id);
int rw_cancel(rw_queue *q, sim_event_id id);
bool rw_pending(const rw_queue *q, sim_event_id id);
bool rw_pop(rw_queue *q, sim_event *out);
const sim_event *rw_peek(rw_queue *q);
size_t rw_size(const rw_queue *q);
size_t rw_peak(const rw_queue *q);
#endif
