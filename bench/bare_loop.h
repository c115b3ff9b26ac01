/*
 * bare_loop.h — the floor every benchmark figure is divided by: the
 * benchmark workload's model as a bare C loop. One binary heap of inline
 * events ordered by (time, priority, push order), the same random stream,
 * the same distributions and draw order as the engine, drawn with the
 * engine's own draw functions (sim_rng_uniform, sim_dist_sample: a faster
 * draw there speeds up both alike), counters only: no
 * per-thing array, no handles, no cancel, no observer, no outputs.
 *
 * It covers exactly what the benchmark workload uses: one fleet group,
 * constant maximumPerMinute (capped by the rollout quota), devices that are
 * connected or reconnect first (drawn per execution, as the engine does), a
 * start delay, a run time, the four outcomes, an
 * in-progress timeout without timeout lag, retries of FAILED (one
 * criterion), and one abort criterion that is checked after every terminal
 * status (the workload's never fires). Because it draws from the engine's
 * stream ("device/<group>") in the engine's order, its counters and end
 * instant equal the engine's: bench_engine checks that, which is what makes
 * it "the same model".
 */
#ifndef JOBSIM_BENCH_BARE_LOOP_H
#define JOBSIM_BENCH_BARE_LOOP_H

#include <stdint.h>
#include "scenario.h"

typedef struct bare_result {
  int64_t created;        /* executions created (first attempts and retries) */
  int64_t succeeded, failed, rejected, timed_out;
  int64_t retries;        /* retries created */
  int64_t windows;        /* rollout windows opened */
  uint64_t events;        /* events popped */
  size_t peak_pending;    /* largest heap size */
  int64_t completed_at;   /* ms, -1 if it did not complete */
  int aborted;            /* the abort criterion fired (the loop then stops) */
} bare_result;

/* 0 on success; -1 when the scenario is outside what the loop models (the
 * reason goes to `why`), -2 out of memory. */
int bare_loop_run(const model_scenario *sc, uint64_t seed, bare_result *out,
                  const char **why);

#endif
