/* fuzz_sim.c — libFuzzer entry point for fuzz_sim_one() (see fuzz.h). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  return fuzz_sim_one(data, size);
}
