/*
 * bench_sweep.c — replications per second of the sweep runner, and how they
 * scale with threads. Runs N replications (default 1000) of a scenario
 * (default scenarios/constant-rate-10k.json, 10,000 things) with 1 thread,
 * then with T threads (default 2), checks that both gave the same metrics,
 * and prints the wall times and the speed-up. Targets (issue 5): 1,000
 * replications of a 10,000-thing scenario in <= 2.5 s with 2 threads, and
 * >= 1.8x faster than with 1.
 *
 * Each measurement is the best (least wall time) of `repeats` runs (default
 * 3), which filters out other processes competing for the cores.
 *
 * usage: bench_sweep [scenario.json [replications [threads [repeats [world]]]]]
 */
#define _POSIX_C_SOURCE 200809L
#include <gsl/gsl_errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reps.h"
#include "scenario.h"

static double wall(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  gsl_set_error_handler_off();
  const char *file = argc > 1 ? argv[1] : JOBSIM_SOURCE_DIR "/scenarios/constant-rate-10k.json";
  size_t reps = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000;
  unsigned threads = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 2;
  int repeats = argc > 4 ? atoi(argv[4]) : 3;
  const char *world = argc > 5 ? argv[5] : NULL;
  if (repeats < 1) repeats = 1;
  sim_diag d;
  model_scenario *sc = NULL, *ws = NULL;
  if (model_scenario_load(&sc, file, &d) ||
      (world && model_world_load(&ws, sc, world, &d))) {
    fprintf(stderr, "bench_sweep: %s: %s: %s\n", d.file, d.path, d.msg);
    return 1;
  }
  const model_scenario *run = ws ? ws : sc;
  plan_metrics *a = calloc(reps, sizeof *a), *b = calloc(reps, sizeof *b);
  if (!a || !b) return 1;
  plan_task t = {run, NULL, 0};
  double best1 = 1e300, best2 = 1e300, cpu1 = 0, cpu2 = 0;
  for (int k = 0; k < repeats; k++) {
    double w0 = wall(), c0 = cpu();
    if (plan_reps_run(&t, 1, 0, reps, sc->sim.seed, 1, a, &d)) return 1;
    double w1 = wall(), c1 = cpu();
    if (plan_reps_run(&t, 1, 0, reps, sc->sim.seed, threads, b, &d)) return 1;
    double w2 = wall(), c2 = cpu();
    if (w1 - w0 < best1) best1 = w1 - w0, cpu1 = c1 - c0;
    if (w2 - w1 < best2) best2 = w2 - w1, cpu2 = c2 - c1;
  }
  bool same = memcmp(a, b, reps * sizeof *a) == 0;
  int64_t things = run->fleet.n_things;
  double mean_end = 0;
  for (size_t i = 0; i < reps; i++) mean_end += (double)a[i].end / 60000.0;
  mean_end /= (double)reps;
  printf("bench_sweep: %zu replications of %s%s%s (%" PRId64 " things, mean run %.1f "
         "simulated min)\n", reps, run->name, world ? " world " : "", world ? world : "",
         things, mean_end);
  printf("  1 thread:  %.3f s wall, %.3f s CPU, %.2f ms per replication (best of %d)\n",
         best1, cpu1, best1 * 1000.0 / (double)reps, repeats);
  printf("  %u threads: %.3f s wall, %.3f s CPU (best of %d)\n", threads, best2, cpu2,
         repeats);
  printf("  speed-up: %.2fx; results identical: %s\n", best1 / best2, same ? "yes" : "NO");
  printf("  targets: <= 2.5 s with 2 threads: %s; >= 1.8x: %s\n",
         best2 <= 2.5 ? "met" : "missed", best1 / best2 >= 1.8 ? "met" : "missed");
  free(a);
  free(b);
  model_scenario_free(ws);
  model_scenario_free(sc);
  return same ? 0 : 1;
}
