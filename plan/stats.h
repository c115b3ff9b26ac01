/*
 * stats.h — the statistics sweeps and the planner report: Wilson score
 * intervals for probabilities, means and nearest-rank quantiles of integer
 * samples (times in ms, counts). Everything is computed in a fixed order
 * from integers, so results do not depend on how replications were spread
 * over threads or processes.
 *
 * Ownership: arrays passed in are borrowed (plan_summarize sorts its input
 * in place).
 */
#ifndef JOBSIM_PLAN_STATS_H
#define JOBSIM_PLAN_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLAN_Z95 1.959963984540054   /* two-sided 95 % normal quantile */

/* Wilson score interval for k successes in n trials at normal quantile z
 * (n = 0 gives [0, 1]). */
void plan_wilson(int64_t k, int64_t n, double z, double *lo, double *hi);

/* Mean and nearest-rank quantiles (the smallest sample x with at least
 * p % of the samples <= x) of n integer samples. */
typedef struct plan_summary {
  size_t n;        /* samples; 0: the rest is meaningless */
  double mean;
  int64_t min, p50, p90, p99, max;
} plan_summary;

void plan_summarize(int64_t *v, size_t n, plan_summary *s);   /* sorts v */
/* Nearest-rank quantile of sorted v (n > 0), permille 1..1000. */
int64_t plan_quantile_sorted(const int64_t *v, size_t n, int permille);

/* Where a proportion stands against a limit, given its interval. */
typedef enum plan_decision {
  PLAN_PASS,       /* the whole interval is on the good side */
  PLAN_FAIL,       /* the whole interval is on the bad side */
  PLAN_CLOSE       /* the interval straddles the limit */
} plan_decision;

/* Decide "p >= limit" (at_least true) or "p <= limit" from k of n, with a
 * Wilson interval at quantile z. */
plan_decision plan_decide(int64_t k, int64_t n, double limit, bool at_least, double z);

#endif
