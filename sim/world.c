/*
 * world.c — one simulation run: clock, pending events, random streams and
 * the handler table, with the dispatch loop.
 *
 * Invariants (asserted): time never moves backwards, nothing is scheduled
 * in the past, every dispatched kind has a handler, and run() is not
 * re-entered from a handler. A failure recorded by sim_world_fail() is
 * sticky: later runs return it at once. The world does not interpret
 * subjects or payloads; the model does.
 */
#include "world.h"

#include <string.h>

#include "rng.h"

typedef struct handler {
  sim_handler_fn fn; /* NULL when the kind is unregistered */
  void *ud;          /* borrowed user data handed to fn */
} handler;

struct sim_world {
  sim_world_hot hot;                 /* clock and queue (first: world.h) */
  sim_alloc alloc;                   /* allocator for all run state */
  uint64_t seed;                     /* master seed of every stream */
  sim_rngset *rngs;                  /* named random streams */
  handler handlers[SIM_MAX_KINDS];   /* indexed by event kind */
  uint64_t dispatched;               /* events handled so far, count */
  int failure;                       /* first sim_world_fail() code, or 0 */
  bool stop;                         /* leave the run loop after this event */
  bool running;                      /* inside sim_world_run() */
  sim_after_fn after;                /* hook after each event, or NULL */
  void *after_ud;                    /* borrowed user data for it */
};

int sim_world_new(sim_world **out, uint64_t seed, const sim_alloc *alloc)
{
  sim_world *w;
  int rc = SIM_ERR_NOMEM;

  *out = NULL;
  if ((w = sim_calloc(alloc, 1, sizeof *w)) == NULL)
    return SIM_ERR_NOMEM;
  if (alloc)
    w->alloc = *alloc;
  w->seed = seed;
  if ((rc = sim_queue_new(&w->hot.queue, &w->alloc)) != SIM_OK)
    goto fail;
  if ((rc = sim_rngset_new(&w->rngs, seed, &w->alloc)) != SIM_OK)
    goto fail;
  *out = w;
  return SIM_OK;

fail:
  sim_world_free(w);
  return rc;
}

void sim_world_free(sim_world *w)
{
  sim_alloc a;

  if (w == NULL)
    return;
  a = w->alloc;
  sim_rngset_free(w->rngs);
  sim_queue_free(w->hot.queue);
  sim_free(&a, w, sizeof *w);
}

const sim_alloc *sim_world_alloc(const sim_world *w) { return &w->alloc; }
uint64_t sim_world_seed(const sim_world *w) { return w->seed; }

int sim_world_on(sim_world *w, uint32_t kind, sim_handler_fn fn, void *ud)
{
  if (kind >= SIM_MAX_KINDS)
    return SIM_ERR_RANGE;
  w->handlers[kind].fn = fn;
  w->handlers[kind].ud = ud;
  return SIM_OK;
}

int sim_world_cancel(sim_world *w, sim_event_id id)
{
  return sim_queue_cancel(w->hot.queue, id);
}

int sim_world_run(sim_world *w, sim_time_ms until)
{
  SIM_ASSERT(!w->running);
  if (w->failure != SIM_OK)
    return w->failure;
  w->running = true;
  w->stop = false;
  for (;;) {
    const handler *h;
    sim_event ev;

    if (!sim_queue_pop_until(w->hot.queue, until, &ev))
      break;
    SIM_ASSERT(ev.time >= w->hot.now);
    w->hot.now = ev.time;
    SIM_ASSERT(ev.kind < SIM_MAX_KINDS);
    h = &w->handlers[ev.kind];
    SIM_ASSERT(h->fn != NULL);
    h->fn(w, &ev, h->ud);
    w->dispatched++;
    if (w->after)
      w->after(w, &ev, w->after_ud);
    if (w->stop || w->failure != SIM_OK)
      break;
  }
  w->running = false;
  if (!w->stop && w->failure == SIM_OK && until > w->hot.now)
    w->hot.now = until;
  return w->failure;
}

void sim_world_after(sim_world *w, sim_after_fn fn, void *ud)
{
  w->after = fn;
  w->after_ud = ud;
}

void sim_world_stop(sim_world *w) { w->stop = true; }

void sim_world_fail(sim_world *w, int code)
{
  SIM_ASSERT(code != SIM_OK);
  if (w->failure == SIM_OK)
    w->failure = code;
  w->stop = true;
}

int sim_world_stream(sim_world *w, const char *name, gsl_rng **out)
{
  return sim_rngset_stream(w->rngs, name, out);
}

uint64_t sim_world_dispatched(const sim_world *w) { return w->dispatched; }
size_t sim_world_pending(const sim_world *w) { return sim_queue_size(w->hot.queue); }
size_t sim_world_peak_pending(const sim_world *w)
{
  return sim_queue_peak(w->hot.queue);
}
