/* binheap.h — the indexed binary heap that was sim/queue.c (60e2797), kept
 * with the sim_queue API for bench_queue's comparison (bench only). */
#ifndef BH_H
#define BH_H
#include <stdbool.h>
#include "queue.h"
typedef struct bh_queue bh_queue;
int bh_new(bh_queue **out, const sim_alloc *alloc);
void bh_free(bh_queue *q);
int bh_push(bh_queue *q, sim_time_ms time, int32_t prio, uint32_t kind, uint64_t subject,
            uint64_t arg, sim_event_id *id);
int bh_cancel(bh_queue *q, sim_event_id id);
bool bh_pending(const bh_queue *q, sim_event_id id);
bool bh_pop(bh_queue *q, sim_event *out);
const sim_event *bh_peek(const bh_queue *q);
size_t bh_size(const bh_queue *q);
size_t bh_peak(const bh_queue *q);
#endif
