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

#endif
