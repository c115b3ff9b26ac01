/*
 * rng.c — named random streams: GSL mt19937 generators seeded with
 * SplitMix64(master ^ FNV-1a-64(name)) folded to the 32 bits mt19937 uses,
 * so a stream's draws depend only on its name and the master seed.
 * Generators are built through the set's sim_alloc (gsl_rng is a public
 * struct) rather than gsl_rng_alloc: failure is SIM_ERR_NOMEM instead of
 * GSL's error handler, and allocator tests see every byte. Never pass them
 * to gsl_rng_free; gsl_rng_clone copies are ordinary GSL generators.
 * Streams sit in an array searched linearly: a run has a handful of them,
 * and callers keep the gsl_rng * instead of looking it up per event.
 */
#include "rng.h"

#include <string.h>

/* Used when the folded seed is 0: mt19937's set() silently replaces 0 with
 * its default seed 4357, which we prefer not to depend on. */
#define ZERO_SEED_SUBSTITUTE UINT32_C(0x6a09e667)

typedef struct stream {
  char *name;    /* stream id, owned copy */
  gsl_rng *rng;  /* generator; its state follows it in the same block */
  size_t bytes;  /* size of the block holding rng and state, bytes */
} stream;

/* A generator and its state in one allocation. */
typedef struct rng_block {
  gsl_rng rng;               /* type + state pointer into `state` */
  max_align_t state[];       /* type->size bytes of generator state */
} rng_block;

struct sim_rngset {
  sim_alloc alloc;   /* allocator for everything below */
  uint64_t seed;     /* master seed, as given */
  stream *v;         /* streams in creation order */
  size_t n;          /* streams in use, entries */
  size_t cap;        /* capacity of v, entries */
};

static uint64_t fnv1a64(const char *s)
{
  uint64_t h = UINT64_C(0xcbf29ce484222325);

  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= UINT64_C(0x100000001b3);
  }
  return h;
}

static uint64_t splitmix64(uint64_t x)
{
  uint64_t z = x + UINT64_C(0x9e3779b97f4a7c15);

  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

uint64_t sim_rng_derive(uint64_t master_seed, const char *name)
{
  return splitmix64(master_seed ^ fnv1a64(name));
}

int sim_rngset_new(sim_rngset **out, uint64_t master_seed, const sim_alloc *alloc)
{
  sim_rngset *s = sim_calloc(alloc, 1, sizeof *s);

  *out = NULL;
  if (s == NULL)
    return SIM_ERR_NOMEM;
  if (alloc)
    s->alloc = *alloc;
  s->seed = master_seed;
  *out = s;
  return SIM_OK;
}

void sim_rngset_free(sim_rngset *s)
{
  sim_alloc a;
  size_t i;

  if (s == NULL)
    return;
  a = s->alloc;
  for (i = 0; i < s->n; i++) {
    sim_free(&a, s->v[i].rng, s->v[i].bytes);
    sim_strfree(&a, s->v[i].name);
  }
  sim_free(&a, s->v, s->cap * sizeof *s->v);
  sim_free(&a, s, sizeof *s);
}

uint64_t sim_rngset_seed(const sim_rngset *s) { return s->seed; }

/* ------------------------------------------------------ hot-path draws --- */

#define MT_N 624
#define MT_M 397
#define MT_UPPER UINT32_C(0x80000000)
#define MT_LOWER UINT32_C(0x7fffffff)
/* 0x9908b0df when y is odd, else 0, without a branch: y's low bit is a
 * coin flip, so a branch here mispredicts on half the words. */
#define MT_MAGIC(y) ((0UL - ((y) & 0x1UL)) & 0x9908b0dfUL)

const gsl_rng_type *sim_rng_fast_type;

/* Run before main (no race with the threads that draw): the fast path is
 * on when GSL's mt19937 state is laid out as sim_mt_state (size checked
 * here, draws compared in tests/test_sim_rng.c). Without a constructor it
 * stays off (NULL matches no generator). */
#if defined(__GNUC__)
__attribute__((constructor)) static void fast_init(void)
{
  if (gsl_rng_mt19937->size == sizeof(sim_mt_state))
    sim_rng_fast_type = gsl_rng_mt19937;
}
#endif

void sim_mt_refill(sim_mt_state *s)
{
  unsigned long *const mt = s->mt;
  int kk;

  for (kk = 0; kk < MT_N - MT_M; kk++) {
    unsigned long y = (mt[kk] & MT_UPPER) | (mt[kk + 1] & MT_LOWER);

    mt[kk] = mt[kk + MT_M] ^ (y >> 1) ^ MT_MAGIC(y);
  }
  for (; kk < MT_N - 1; kk++) {
    unsigned long y = (mt[kk] & MT_UPPER) | (mt[kk + 1] & MT_LOWER);

    mt[kk] = mt[kk + (MT_M - MT_N)] ^ (y >> 1) ^ MT_MAGIC(y);
  }
  {
    unsigned long y = (mt[MT_N - 1] & MT_UPPER) | (mt[0] & MT_LOWER);

    mt[MT_N - 1] = mt[MT_M - 1] ^ (y >> 1) ^ MT_MAGIC(y);
  }
  s->mti = 0;
}

int sim_rngset_stream(sim_rngset *s, const char *name, gsl_rng **out)
{
  const gsl_rng_type *type = gsl_rng_mt19937;
  rng_block *b = NULL;
  char *copy = NULL;
  size_t i, bytes;
  uint64_t x;
  unsigned long seed32;

  SIM_ASSERT(name != NULL);
  for (i = 0; i < s->n; i++) {
    if (strcmp(s->v[i].name, name) == 0) {
      *out = s->v[i].rng;
      return SIM_OK;
    }
  }
  *out = NULL;
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 8;
    stream *v = sim_realloc(&s->alloc, s->v, s->cap * sizeof *v,
                            cap * sizeof *v);

    if (v == NULL)
      return SIM_ERR_NOMEM;
    s->v = v;
    s->cap = cap;
  }
  bytes = sizeof *b + type->size;
  if ((b = sim_malloc(&s->alloc, bytes)) == NULL)
    goto fail;
  if ((copy = sim_strdup(&s->alloc, name)) == NULL)
    goto fail;
  memset(b, 0, bytes);
  b->rng.type = type;
  b->rng.state = b->state;
  x = sim_rng_derive(s->seed, name);
  seed32 = (unsigned long)((x ^ (x >> 32)) & UINT32_C(0xffffffff));
  if (seed32 == 0)
    seed32 = ZERO_SEED_SUBSTITUTE;
  gsl_rng_set(&b->rng, seed32);
  s->v[s->n].name = copy;
  s->v[s->n].rng = &b->rng;
  s->v[s->n].bytes = bytes;
  s->n++;
  *out = &b->rng;
  return SIM_OK;

fail:
  sim_free(&s->alloc, b, bytes);
  return SIM_ERR_NOMEM;
}
