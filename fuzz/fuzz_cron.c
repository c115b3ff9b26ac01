/* fuzz_cron.c — libFuzzer entry point for fuzz_cron_one() (see fuzz.h). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  return fuzz_cron_one(data, size);
}
