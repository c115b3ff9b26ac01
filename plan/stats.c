/*
 * stats.c — Wilson intervals, nearest-rank quantiles, decisions.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

void plan_wilson(int64_t k, int64_t n, double z, double *lo, double *hi) {
  if (n <= 0) {
    *lo = 0.0;
    *hi = 1.0;
    return;
  }
  double nn = (double)n, p = (double)k / nn, z2 = z * z;
  double den = 1.0 + z2 / nn;
  double centre = (p + z2 / (2.0 * nn)) / den;
  double half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / den;
  *lo = k == 0 ? 0.0 : centre - half;
  *hi = k == n ? 1.0 : centre + half;
  if (*lo < 0.0) *lo = 0.0;
  if (*hi > 1.0) *hi = 1.0;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

int64_t plan_quantile_sorted(const int64_t *v, size_t n, int permille) {
  size_t rank = ((size_t)permille * n + 999) / 1000;   /* ceil(p n) */
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return v[rank - 1];
}

void plan_summarize(int64_t *v, size_t n, plan_summary *s) {
  s->n = n;
  s->mean = 0.0;
  s->min = s->p50 = s->p90 = s->p99 = s->max = 0;
  if (!n) return;
  qsort(v, n, sizeof *v, cmp_i64);
  /* exact integer sum (samples are ms or counts: far below 2^63 / n) */
  int64_t sum = 0;
  for (size_t i = 0; i < n; i++) sum += v[i];
  s->mean = (double)sum / (double)n;
  s->min = v[0];
  s->max = v[n - 1];
  s->p50 = plan_quantile_sorted(v, n, 500);
  s->p90 = plan_quantile_sorted(v, n, 900);
  s->p99 = plan_quantile_sorted(v, n, 990);
}

plan_decision plan_decide(int64_t k, int64_t n, double limit, bool at_least, double z) {
  double lo, hi;
  plan_wilson(k, n, z, &lo, &hi);
  if (at_least) {
    if (lo >= limit) return PLAN_PASS;
    if (hi < limit) return PLAN_FAIL;
  } else {
    if (hi <= limit) return PLAN_PASS;
    if (lo > limit) return PLAN_FAIL;
  }
  return PLAN_CLOSE;
}
