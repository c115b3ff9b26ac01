/*
 * bench_sweep.c — device-simulations per second of the sweep runner
 * (plan/reps.c: what `jobsim sweep` and `jobsim plan` run), on 1 thread and
 * on T, each against the bare loop (bare_loop.c) on the same thread count,
 * measured in the same run.
 *
 * A device-simulation is one thing in one replication: N replications of a
 * scenario of M things are N * M of them. Each round runs, for 1 thread and
 * then for T threads, the bare loop over the N replications (same seeds:
 * plan_rep_seed) and the sweep runner over them, the order of the two
 * alternating from round to round (ABBA), so drift on a shared machine
 * hits both alike. Printed: per configuration the median over the rounds
 * of wall time, CPU time (all threads), M device-sims/s by wall and per
 * CPU-second (what a loaded machine's wall time hides), and the median of
 * the per-round ratios sweep / bare loop by wall (the figure to compare
 * across machines and loads). Checked: the sweep's metrics are
 * identical on 1 and T threads, and the bare loop's counters and end
 * instant equal the engine's for every replication (which is what makes
 * it "the same model"; a scenario outside the loop's model gets no ratio).
 *
 * Target (issue 10): >= 10 M device-sims/s on 2 threads for 1,000
 * replications of scenarios/constant-rate-10k.json (10,000 things).
 *
 * usage: bench_sweep [scenario.json [replications [threads [rounds [world]]]]]
 *        (defaults: scenarios/constant-rate-10k.json 1000 2 5)
 */
#define _POSIX_C_SOURCE 200809L
#include <gsl/gsl_errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bare_loop.h"
#include "reps.h"
#include "scenario.h"

#define MAX_ROUNDS 101
#define MAX_THREADS 256

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

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(const double *v, int n) {
  double s[MAX_ROUNDS];
  memcpy(s, v, (size_t)n * sizeof *s);
  qsort(s, (size_t)n, sizeof *s, cmp_double);
  return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
}

/* ------------------------------------------- the bare loop, threaded --- */

typedef struct bare_batch {
  const model_scenario *sc;
  uint64_t seed;
  size_t n;
  bare_result *out;
  atomic_size_t next;
  atomic_int failed;
} bare_batch;

static void *bare_work(void *arg) {
  bare_batch *b = arg;
  for (;;) {
    size_t i = atomic_fetch_add(&b->next, 1);
    if (i >= b->n) break;
    const char *why;
    if (bare_loop_run(b->sc, plan_rep_seed(b->seed, i), &b->out[i], &why))
      atomic_store(&b->failed, 1);
  }
  return NULL;
}

/* The N replications of the bare loop on `threads` threads (the calling one
 * included, as plan_reps_run does). */
static int bare_run(const model_scenario *sc, uint64_t seed, size_t n, unsigned threads,
                    bare_result *out) {
  bare_batch b = {.sc = sc, .seed = seed, .n = n, .out = out};
  atomic_init(&b.next, 0);
  atomic_init(&b.failed, 0);
  pthread_t tid[MAX_THREADS];
  unsigned started = 0;
  for (unsigned i = 1; i < threads && i < MAX_THREADS; i++) {
    if (pthread_create(&tid[started], NULL, bare_work, &b) != 0) break;
    started++;
  }
  bare_work(&b);
  for (unsigned i = 0; i < started; i++) pthread_join(tid[i], NULL);
  return atomic_load(&b.failed) ? -1 : 0;
}

/* Does the bare loop's replication equal the engine's? */
static bool agrees(const bare_result *r, const plan_metrics *m) {
  return r->succeeded == m->succeeded && r->failed == m->failed &&
         r->rejected == m->rejected && r->timed_out == m->timed_out &&
         r->retries == m->retries && r->aborted == m->aborted &&
         (r->completed_at >= 0) == (m->completed != 0) &&
         (!m->completed || r->completed_at == m->completion);
}

/* ------------------------------------------------------------ figures --- */

typedef struct figures {
  double wall[MAX_ROUNDS], cpu[MAX_ROUNDS], ratio[MAX_ROUNDS];
} figures;

static void print_row(const char *what, const figures *f, int rounds, double sims,
                      bool ratio) {
  double w = median(f->wall, rounds), c = median(f->cpu, rounds);
  printf("  %-22s %7.3f s wall %7.3f s CPU %6.2f M device-sims/s (%5.2f M per CPU-s)",
         what, w, c, sims / w / 1e6, sims / c / 1e6);
  if (ratio) printf("   x%.3f the bare loop", median(f->ratio, rounds));
  printf("\n");
}

int main(int argc, char **argv) {
  gsl_set_error_handler_off();
  const char *file = argc > 1 ? argv[1] : JOBSIM_SOURCE_DIR "/scenarios/constant-rate-10k.json";
  size_t reps = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000;
  unsigned threads = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 2;
  int rounds = argc > 4 ? atoi(argv[4]) : 5;
  const char *world = argc > 5 ? argv[5] : NULL;
  if (rounds < 1) rounds = 1;
  if (rounds > MAX_ROUNDS) rounds = MAX_ROUNDS;
  if (threads < 1) threads = 1;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  if (reps < 1) reps = 1;
  sim_diag d;
  model_scenario *sc = NULL, *ws = NULL;
  if (model_scenario_load(&sc, file, &d) ||
      (world && model_world_load(&ws, sc, world, &d))) {
    fprintf(stderr, "bench_sweep: %s: %s: %s\n", d.file, d.path, d.msg);
    return 1;
  }
  const model_scenario *run = ws ? ws : sc;
  uint64_t seed = sc->sim.seed;
  plan_metrics *a = calloc(reps, sizeof *a), *b = calloc(reps, sizeof *b);
  bare_result *br = calloc(reps, sizeof *br);
  if (!a || !b || !br) return 1;

  /* Is the scenario inside the bare loop's model? */
  const char *why = NULL;
  bare_result probe;
  bool have_bare = bare_loop_run(run, plan_rep_seed(seed, 0), &probe, &why) == 0;

  plan_task t = {run, NULL, 0};
  unsigned tc[2] = {1, threads};
  figures sw[2], bl[2];
  memset(sw, 0, sizeof sw);
  memset(bl, 0, sizeof bl);
  for (int k = 0; k < rounds; k++) {
    for (int c = 0; c < 2; c++) {
      plan_metrics *m = c == 0 ? a : b;
      for (int s = 0; s < 2; s++) {
        bool sweep_now = (s == 0) == (k % 2 == 0);   /* ABBA */
        if (!sweep_now && !have_bare) continue;
        double w0 = wall(), c0 = cpu();
        if (sweep_now) {
          if (plan_reps_run(&t, 1, 0, reps, seed, tc[c], m, &d)) {
            fprintf(stderr, "bench_sweep: %s\n", d.msg);
            return 1;
          }
        } else if (bare_run(run, seed, reps, tc[c], br)) {
          fprintf(stderr, "bench_sweep: the bare loop failed\n");
          return 1;
        }
        double w1 = wall(), c1 = cpu();
        figures *f = sweep_now ? &sw[c] : &bl[c];
        f->wall[k] = w1 - w0;
        f->cpu[k] = c1 - c0;
      }
      if (have_bare) sw[c].ratio[k] = sw[c].wall[k] / bl[c].wall[k];
    }
  }

  bool same = memcmp(a, b, reps * sizeof *a) == 0;
  size_t differ = 0;
  for (size_t i = 0; have_bare && i < reps; i++) differ += !agrees(&br[i], &a[i]);
  int64_t things = run->fleet.n_things;
  double sims = (double)reps * (double)things, mean_end = 0;
  for (size_t i = 0; i < reps; i++) mean_end += (double)a[i].end / 60000.0;
  mean_end /= (double)reps;
  printf("bench_sweep: %zu replications of %s%s%s (%" PRId64 " things, %.0f device-sims, "
         "mean run %.1f simulated min); medians of %d alternated rounds\n",
         reps, run->name, world ? " world " : "", world ? world : "", things, sims, mean_end,
         rounds);
  for (int c = 0; c < 2; c++) {
    char what[64];
    if (have_bare) {
      snprintf(what, sizeof what, "bare loop, %u thread%s", tc[c], tc[c] > 1 ? "s" : "");
      print_row(what, &bl[c], rounds, sims, false);
    }
    snprintf(what, sizeof what, "sweep, %u thread%s", tc[c], tc[c] > 1 ? "s" : "");
    print_row(what, &sw[c], rounds, sims, have_bare);
  }
  if (!have_bare) printf("  no bare loop: %s\n", why ? why : "it failed");
  double s1 = median(sw[0].wall, rounds), s2 = median(sw[1].wall, rounds);
  printf("  speed-up %u threads / 1: %.2fx; results identical on 1 and %u threads: %s\n",
         threads, s1 / s2, threads, same ? "yes" : "NO");
  if (have_bare)
    printf("  bare loop equals the engine (counters, end instant): %s\n",
           differ ? "NO" : "yes, every replication");
  if (differ) printf("    %zu of %zu replications differ\n", differ, reps);
  printf("  target >= 10 M device-sims/s on %u threads: %s (%.2f M/s)\n", threads,
         sims / s2 / 1e6 >= 10.0 ? "met" : "missed", sims / s2 / 1e6);
  free(a);
  free(b);
  free(br);
  model_scenario_free(ws);
  model_scenario_free(sc);
  return same && !differ ? 0 : 1;
}
