/*
 * fuzz.h — the bodies of jobsim's libFuzzer harnesses, one per input
 * language, callable from a fuzzer (fuzz_<name>_main.c provides
 * LLVMFuzzerTestOneInput) and from tests/test_fuzz_regressions.c, which runs
 * every saved crashing input through the same code paths.
 *
 * Each body takes arbitrary bytes, never writes a file or to stdout, frees
 * everything it allocates, and returns 0. A bug shows as an assertion
 * failure, a sanitizer report, a leak or a hang; bad input is simply
 * rejected by the code under test. Inputs a harness does not want (an
 * absolute job-file path, a fleet above the simulation cap) are skipped.
 *
 * Ownership: `data` is borrowed for the call.
 */
#ifndef JOBSIM_FUZZ_H
#define JOBSIM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Scenario loading and validation: model_scenario_load_text(data). */
int fuzz_scenario_one(const uint8_t *data, size_t size);
/* Durations (sim_duration_parse, round trip through sim_duration_format)
 * and distributions (sim_dist_from_json, a few samples). */
int fuzz_duration_one(const uint8_t *data, size_t size);
/* AWS cron: model_cron_parse and a few model_cron_next steps. */
int fuzz_cron_one(const uint8_t *data, size_t size);
/* A bounded simulation of a scenario that validates, then describe-job and
 * the execution views. Caps: FUZZ_SIM_MAX_THINGS things (initial and
 * added by operations; the run stops once arrivals make it four times
 * that), horizon FUZZ_SIM_MAX_UNTIL, about FUZZ_SIM_MAX_EVENTS events
 * (checked after each step of 1 s to 64 s). */
int fuzz_sim_one(const uint8_t *data, size_t size);

#define FUZZ_SIM_MAX_THINGS 10000
#define FUZZ_SIM_MAX_UNTIL (INT64_C(2) * 86400000)       /* 2 days, ms */
#define FUZZ_SIM_MAX_EVENTS UINT64_C(200000)

#endif
