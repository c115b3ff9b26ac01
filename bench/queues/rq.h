/* rq.h — prototype radix-heap queue with the sim_queue API (bench only). */
#ifndef RQ_H
#define RQ_H
#include <stdbool.h>
#include "queue.h"
typedef struct rq_queue rq_queue;
int rq_new(rq_queue **out, const sim_alloc *alloc);
void rq_free(rq_queue *q);
int rq_push(rq_queue *q, sim_time_ms time, int32_t prio, uint32_t kind, uint64_t subject,
            uint64_t arg, sim_event_id *id);
int rq_cancel(rq_queue *q, sim_event_id id);
bool rq_pending(const rq_queue *q, sim_event_id id);
bool rq_pop(rq_queue *q, sim_event *out);
const sim_event *rq_peek(rq_queue *q);
size_t rq_size(const rq_queue *q);
size_t rq_peak(const rq_queue *q);
#endif
