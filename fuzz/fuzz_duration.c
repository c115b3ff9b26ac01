/* fuzz_duration.c — libFuzzer entry point for fuzz_duration_one() (see fuzz.h). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  return fuzz_duration_one(data, size);
}
