/*
 * index.h — an open-addressing hash index from 64-bit keys to 64-bit values
 * (linear probing, power-of-two capacity, grows at 50 % load). Several
 * values may share a key (sim_index_add); sim_index_set replaces the first.
 * No removal: callers mark their own records dead instead. Used where a
 * linear scan would make a code path quadratic in the fleet size (names of
 * things, a thing's earlier executions).
 *
 * Ownership: the index owns its table; free with sim_index_release().
 */
#ifndef JOBSIM_SIM_INDEX_H
#define JOBSIM_SIM_INDEX_H

#include <stdbool.h>
#include "sim.h"

typedef struct sim_index_slot {
  uint64_t key;      /* the key (any value) */
  int64_t value;     /* the value, or -1 for an empty slot */
} sim_index_slot;

typedef struct sim_index {
  sim_index_slot *slots;   /* capacity slots, or NULL when empty */
  size_t capacity;         /* power of two, 0 when empty */
  size_t count;            /* values stored */
} sim_index;

void sim_index_init(sim_index *ix);
void sim_index_release(sim_index *ix);
/* Add a value (values >= 0) under key; SIM_ERR_NOMEM on failure. */
int sim_index_add(sim_index *ix, uint64_t key, int64_t value);
/* Replace the first value under key, or add it. */
int sim_index_set(sim_index *ix, uint64_t key, int64_t value);
/* Values under key: start with *cursor = 0, call until it returns -1. */
int64_t sim_index_next(const sim_index *ix, uint64_t key, size_t *cursor);

/* FNV-1a 64 of a NUL-terminated string (a key for names). */
uint64_t sim_index_hash_str(const char *s);

#endif
