/*
 * rng.h — named random streams. Each stream is a GSL generator (mt19937)
 * seeded from (master seed, stream name) through a fixed mixing function
 * (FNV-1a of the name, then SplitMix64 of seed ^ hash), so adding a stream or
 * drawing in one place never shifts any other stream, on any machine.
 *
 * Ownership: the set owns its generators; `gsl_rng *` handed out are borrowed
 * and live until sim_rngset_free().
 */
#ifndef JOBSIM_SIM_RNG_H
#define JOBSIM_SIM_RNG_H

#include <gsl/gsl_rng.h>
#include "sim.h"

typedef struct sim_rngset sim_rngset;

int sim_rngset_new(sim_rngset **out, uint64_t master_seed, const sim_alloc *alloc);
void sim_rngset_free(sim_rngset *s);          /* NULL is a no-op */
uint64_t sim_rngset_seed(const sim_rngset *s);

/* Get or create the stream called `name`. The same name always yields the
 * same sequence for the same master seed. */
int sim_rngset_stream(sim_rngset *s, const char *name, gsl_rng **out);

/* The 64-bit seed derived for (master, name) — exposed for tests and for
 * recording in artefacts. */
uint64_t sim_rng_derive(uint64_t master_seed, const char *name);

/* ------------------------------------------------------ hot-path draws --- */

/* gsl_rng_uniform(r), bit for bit, without its two calls (the library's
 * exported gsl_rng_uniform, then the generator's get_double through a
 * pointer): for a stream of this set (GSL's mt19937) the draw is made here
 * on the generator's own state, so it interleaves freely with any GSL
 * function drawing from the same gsl_rng (gsl_ran_*), which sees the same
 * sequence. Any other generator goes to GSL. tests/test_sim_rng.c checks
 * that both paths give the same draws across refills.
 *
 * The state is GSL's mt19937 state (mt.c: 624 words, then the index of the
 * next one); sim_rng_fast_ok() says whether this build of GSL has that
 * layout (checked by size), and the fast path is used only then. */
typedef struct sim_mt_state {
  unsigned long mt[624];
  int mti;
} sim_mt_state;

/* Regenerate the 624 words (MT19937's twist, as GSL does it). */
void sim_mt_refill(sim_mt_state *s);
extern const gsl_rng_type *sim_rng_fast_type;   /* mt19937 when the layout fits */

static inline uint32_t sim_mt_next(sim_mt_state *s)
{
  unsigned long k;

  if (s->mti >= 624)
    sim_mt_refill(s);
  k = s->mt[s->mti++];
  k ^= k >> 11;
  k ^= (k << 7) & 0x9d2c5680UL;
  k ^= (k << 15) & 0xefc60000UL;
  k ^= k >> 18;
  return (uint32_t)k;
}

/* A double in [0, 1): gsl_rng_uniform(r). */
static inline double sim_rng_uniform(gsl_rng *r)
{
  if (r->type == sim_rng_fast_type)
    return (double)sim_mt_next((sim_mt_state *)r->state) / 4294967296.0;
  return gsl_rng_uniform(r);
}

#endif
