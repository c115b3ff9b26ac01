/*
 * index.c — open-addressing hash index (see index.h).
 */
#include "index.h"

#include <string.h>

static size_t mix(uint64_t k) {
  k ^= k >> 33;
  k *= UINT64_C(0xff51afd7ed558ccd);
  k ^= k >> 33;
  return (size_t)k;
}

void sim_index_init(sim_index *ix) { memset(ix, 0, sizeof *ix); }

void sim_index_release(sim_index *ix) {
  if (!ix) return;
  free(ix->slots);
  memset(ix, 0, sizeof *ix);
}

static void insert(sim_index_slot *slots, size_t cap, uint64_t key, int64_t value) {
  size_t i = mix(key) & (cap - 1);
  while (slots[i].value >= 0) i = (i + 1) & (cap - 1);
  slots[i].key = key;
  slots[i].value = value;
}

static int grow(sim_index *ix) {
  size_t cap = ix->capacity ? ix->capacity * 2 : 64;
  sim_index_slot *s = sim_malloc(NULL, cap * sizeof *s);   /* huge pages when big (sim.h) */
  if (!s) return SIM_ERR_NOMEM;
  for (size_t i = 0; i < cap; i++) s[i].value = -1;
  for (size_t i = 0; i < ix->capacity; i++)
    if (ix->slots[i].value >= 0) insert(s, cap, ix->slots[i].key, ix->slots[i].value);
  free(ix->slots);
  ix->slots = s;
  ix->capacity = cap;
  return SIM_OK;
}

int sim_index_add(sim_index *ix, uint64_t key, int64_t value) {
  SIM_ASSERT(value >= 0);
  if ((ix->count + 1) * 2 > ix->capacity) {
    int rc = grow(ix);
    if (rc) return rc;
  }
  insert(ix->slots, ix->capacity, key, value);
  ix->count++;
  return SIM_OK;
}

int sim_index_set(sim_index *ix, uint64_t key, int64_t value) {
  if (ix->capacity) {
    for (size_t i = mix(key) & (ix->capacity - 1); ix->slots[i].value >= 0;
         i = (i + 1) & (ix->capacity - 1))
      if (ix->slots[i].key == key) {
        ix->slots[i].value = value;
        return SIM_OK;
      }
  }
  return sim_index_add(ix, key, value);
}

int64_t sim_index_next(const sim_index *ix, uint64_t key, size_t *cursor) {
  if (!ix->capacity) return -1;
  /* cursor counts probe steps taken from the home slot */
  for (size_t i = (mix(key) + *cursor) & (ix->capacity - 1); ix->slots[i].value >= 0;
       i = (i + 1) & (ix->capacity - 1)) {
    (*cursor)++;
    if (ix->slots[i].key == key) return ix->slots[i].value;
  }
  return -1;
}

uint64_t sim_index_hash_str(const char *s) {
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  for (; *s; s++) h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
  return h;
}
