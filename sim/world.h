/*
 * world.h — one simulation run's whole state: clock, pending events, random
 * streams, allocator and the handler table. There is no global state, so any
 * number of worlds may live in one process (sweeps, parallel tests).
 *
 * An event is (time, prio, kind, subject, arg). The model registers one
 * handler per kind; the kernel dispatches in (time, prio, seq) order, never
 * moves time backwards, and lets handlers schedule (at >= now) and cancel
 * freely during dispatch. An event scheduled for the current instant during
 * dispatch runs after the current one (its seq is larger).
 *
 * Ownership: the world owns its queue and streams; handler `ud` pointers are
 * borrowed.
 */
#ifndef JOBSIM_SIM_WORLD_H
#define JOBSIM_SIM_WORLD_H

#include <stdbool.h>
#include <gsl/gsl_rng.h>
#include "sim.h"
#include "queue.h"

#define SIM_MAX_KINDS 32

typedef struct sim_world sim_world;
typedef void (*sim_handler_fn)(sim_world *w, const sim_event *ev, void *ud);

/* What the model's hot path reads and calls on every event, without a call
 * into world.c: the world begins with this (its first member), so the
 * inline functions below read it through the world pointer. Fields are
 * the world's; never write them. */
typedef struct sim_world_hot {
  sim_time_ms now;                   /* simulated clock, ms */
  sim_queue *queue;                  /* pending events */
} sim_world_hot;

int sim_world_new(sim_world **out, uint64_t seed, const sim_alloc *alloc);
void sim_world_free(sim_world *w);             /* NULL is a no-op */

const sim_alloc *sim_world_alloc(const sim_world *w);
uint64_t sim_world_seed(const sim_world *w);
static inline sim_time_ms sim_world_now(const sim_world *w)
{
  return ((const sim_world_hot *)(const void *)w)->now;
}

/* Register the handler for `kind` (< SIM_MAX_KINDS, else SIM_ERR_RANGE);
 * fn NULL unregisters. The handler gets a copy of the event, valid for the
 * call only; by then the event is no longer pending (its handle is stale). */
int sim_world_on(sim_world *w, uint32_t kind, sim_handler_fn fn, void *ud);

/* Schedule at absolute time `at` (>= now and kind < SIM_MAX_KINDS, both
 * asserted). SIM_OK, SIM_ERR_NOMEM or SIM_ERR_LIMIT (2^31 pending). */
static inline int sim_world_schedule(sim_world *world, sim_time_ms at, int32_t prio,
                                     uint32_t kind, uint64_t subject, uint64_t arg,
                                     sim_event_id *id)
{
  const sim_world_hot *w = (const sim_world_hot *)(const void *)world;

  SIM_ASSERT(at >= w->now);
  SIM_ASSERT(kind < SIM_MAX_KINDS);
  return sim_queue_push(w->queue, at, prio, kind, subject, arg, id);
}
int sim_world_cancel(sim_world *w, sim_event_id id);   /* see sim_queue_cancel */

/* Optional hook called after every dispatched event (after its handler,
 * before the next event), e.g. to record state changes as they happen. One
 * branch per event when unset. fn NULL removes it; `ud` is borrowed. */
typedef void (*sim_after_fn)(sim_world *w, const sim_event *ev, void *ud);
void sim_world_after(sim_world *w, sim_after_fn fn, void *ud);

/* Dispatch every event with time <= until, in order; afterwards now = until
 * (unless stopped or failed earlier; an until below now dispatches nothing
 * and leaves now alone). Returns SIM_OK, or the code given to
 * sim_world_fail(); a failure is sticky, so later runs return it at once.
 * Not re-entrant: calling it from a handler is asserted against. An event
 * whose kind has no registered handler is a bug and fails an assertion. */
int sim_world_run(sim_world *w, sim_time_ms until);
/* Ask the run loop to return after the current handler (now stays at that
 * event's time). Each run starts un-stopped, so a stop outside a run is
 * forgotten. */
void sim_world_stop(sim_world *w);
/* Record a failure from a handler (first one wins) and stop. `code` must
 * be an error, not SIM_OK (asserted). */
void sim_world_fail(sim_world *w, int code);

/* Named random stream (see rng.h). */
int sim_world_stream(sim_world *w, const char *name, gsl_rng **out);

/* Statistics. */
uint64_t sim_world_dispatched(const sim_world *w);   /* events handled */
size_t sim_world_pending(const sim_world *w);        /* queued now */
size_t sim_world_peak_pending(const sim_world *w);   /* max queued ever */

#endif
