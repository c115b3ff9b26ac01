/*
 * dist.c — duration distributions: parsing from scenario JSON, sampling with
 * an explicit gsl_rng, analytic means.
 *
 * Every parameter is validated at parse time, so sampling can never hand GSL
 * a parameter that would trip its error handler, and no GSL special function
 * that reports through that handler is called (means use C99 tgamma and the
 * error-free Gaussian pdf/cdf). Draws are rounded to whole milliseconds and
 * clamped to [0, SIM_DURATION_MAX]; the normal is truncated at 0 by
 * rejection. Times are kept in ms as doubles inside a sim_dist.
 */
#include "dist.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "duration.h"
#include "json.h"
#include "rng.h"

#define MAX_EMPIRICAL 10000      /* values in an empirical distribution */
#define MAX_WEIGHT 1e15          /* keeps the sum of weights finite */
#define NORMAL_TRIES 64          /* rejection rounds before returning 0 */

typedef struct kind_info {
  const char *name;             /* as written in "distribution" */
  const char *const *fields;    /* allowed members, NULL-terminated */
} kind_info;

static const char *const f_constant[] = {"distribution", "value", NULL};
static const char *const f_uniform[] = {"distribution", "min", "max", NULL};
static const char *const f_exponential[] = {"distribution", "mean", NULL};
static const char *const f_lognormal[] = {"distribution", "median", "sigma",
                                          NULL};
static const char *const f_normal[] = {"distribution", "mean", "stddev", NULL};
static const char *const f_weibull[] = {"distribution", "scale", "shape", NULL};
static const char *const f_gamma[] = {"distribution", "shape", "scale", NULL};
static const char *const f_empirical[] = {"distribution", "values", "weights",
                                          NULL};

/* Indexed by sim_dist_kind. */
static const kind_info kinds[] = {
  {"constant", f_constant},       {"uniform", f_uniform},
  {"exponential", f_exponential}, {"lognormal", f_lognormal},
  {"normal", f_normal},           {"weibull", f_weibull},
  {"gamma", f_gamma},             {"empirical", f_empirical},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

const char *sim_dist_name(sim_dist_kind k)
{
  return (size_t)k < N_KINDS ? kinds[k].name : "unknown";
}

void sim_dist_constant(sim_dist *d, sim_time_ms value)
{
  memset(d, 0, sizeof *d);
  d->kind = SIM_DIST_CONSTANT;
  d->p1 = (double)value;
}

void sim_dist_release(sim_dist *d)
{
  if (d == NULL)
    return;
  sim_free(d->alloc, d->values, d->n * sizeof *d->values);
  sim_free(d->alloc, d->cum, d->n * sizeof *d->cum);
  memset(d, 0, sizeof *d);
}

/* ------------------------------------------------------------- parsing --- */

/* Required duration member `key`, in ms; `positive` rejects 0. */
static int dur_field(const cJSON *obj, const char *key, bool positive,
                     double *out, sim_diag *d, const char *path)
{
  char child[sizeof d->path];
  const cJSON *it = sim_json_get(obj, key);
  sim_time_ms ms;
  int rc;

  if (it == NULL)
    return sim_diag_set(d, SIM_ERR_SCHEMA, path,
                        "missing required field '%s'", key);
  sim_path_key(child, sizeof child, path, key);
  if ((rc = sim_duration_from_json(it, &ms, d, child)) != SIM_OK)
    return rc;
  if (positive && ms <= 0)
    return sim_diag_set(d, SIM_ERR_RANGE, child,
                        "expected a duration greater than 0");
  *out = (double)ms;
  return SIM_OK;
}

/* Required plain-number member `key`; `positive` means > 0, else >= 0. */
static int num_field(const cJSON *obj, const char *key, bool positive,
                     double *out, sim_diag *d, const char *path)
{
  char child[sizeof d->path];
  int rc = sim_json_num(obj, key, true, positive ? -DBL_MAX : 0.0, DBL_MAX,
                        out, NULL, d, path);

  if (rc != SIM_OK)
    return rc;
  if (positive && *out <= 0) {
    sim_path_key(child, sizeof child, path, key);
    return sim_diag_set(d, SIM_ERR_RANGE, child,
                        "expected a number greater than 0");
  }
  return SIM_OK;
}

static int parse_empirical(sim_dist *out, const cJSON *obj, sim_diag *d,
                           const char *path)
{
  char vpath[sizeof d->path], wpath[sizeof d->path], epath[sizeof d->path];
  const cJSON *values = sim_json_get(obj, "values");
  const cJSON *weights = sim_json_get(obj, "weights");
  const cJSON *it;
  double sum = 0, run = 0;
  size_t n, i;
  int rc;

  sim_path_key(vpath, sizeof vpath, path, "values");
  sim_path_key(wpath, sizeof wpath, path, "weights");
  if (values == NULL)
    return sim_diag_set(d, SIM_ERR_SCHEMA, path,
                        "missing required field 'values'");
  if (!cJSON_IsArray(values))
    return sim_diag_set(d, SIM_ERR_SCHEMA, vpath,
                        "expected an array of durations, got %s",
                        sim_json_type_name(values));
  n = (size_t)cJSON_GetArraySize(values);
  if (n < 1 || n > MAX_EMPIRICAL)
    return sim_diag_set(d, SIM_ERR_RANGE, vpath,
                        "expected 1 to %d values, got %zu", MAX_EMPIRICAL, n);
  if (weights != NULL) {
    size_t nw;

    if (!cJSON_IsArray(weights))
      return sim_diag_set(d, SIM_ERR_SCHEMA, wpath,
                          "expected an array of numbers, got %s",
                          sim_json_type_name(weights));
    nw = (size_t)cJSON_GetArraySize(weights);
    if (nw != n)
      return sim_diag_set(d, SIM_ERR_SCHEMA, wpath,
                          "expected %zu weights, one per value, got %zu", n,
                          nw);
  }
  out->values = sim_calloc(out->alloc, n, sizeof *out->values);
  out->cum = sim_calloc(out->alloc, n, sizeof *out->cum);
  out->n = n;
  if (out->values == NULL || out->cum == NULL)
    return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
  for (i = 0, it = values->child; it; i++, it = it->next) {
    sim_time_ms ms;

    sim_path_index(epath, sizeof epath, vpath, i);
    if ((rc = sim_duration_from_json(it, &ms, d, epath)) != SIM_OK)
      return rc;
    out->values[i] = (double)ms;
  }
  for (i = 0, it = weights ? weights->child : NULL; i < n; i++) {
    double w = 1.0;

    if (it != NULL) {
      sim_path_index(epath, sizeof epath, wpath, i);
      if ((rc = sim_json_item_num(it, 0.0, MAX_WEIGHT, &w, d, epath)) != SIM_OK)
        return rc;
      it = it->next;
    }
    out->cum[i] = w;
    sum += w;
  }
  if (!(sum > 0))
    return sim_diag_set(d, SIM_ERR_RANGE, wpath,
                        "expected at least one positive weight");
  for (i = 0; i < n; i++) {
    run += out->cum[i];
    out->cum[i] = run / sum;
  }
  out->cum[n - 1] = 1.0;
  return SIM_OK;
}

static int parse_object(sim_dist *out, const cJSON *json, sim_diag *d,
                        const char *path)
{
  char child[sizeof d->path];
  const cJSON *name = sim_json_get(json, "distribution");
  size_t k;
  int rc;

  if (name == NULL)
    return sim_diag_set(d, SIM_ERR_SCHEMA, path,
                        "missing required field 'distribution'");
  sim_path_key(child, sizeof child, path, "distribution");
  if (!cJSON_IsString(name))
    return sim_diag_set(d, SIM_ERR_SCHEMA, child,
                        "expected a distribution name, got %s",
                        sim_json_type_name(name));
  for (k = 0; k < N_KINDS; k++)
    if (strcmp(name->valuestring, kinds[k].name) == 0)
      break;
  if (k == N_KINDS)
    return sim_diag_set(d, SIM_ERR_SCHEMA, child,
                        "unknown distribution '%.64s'; expected one of "
                        "constant, uniform, exponential, lognormal, normal, "
                        "weibull, gamma, empirical", name->valuestring);
  if ((rc = sim_json_check_object(json, kinds[k].fields, d, path)) != SIM_OK)
    return rc;
  out->kind = (sim_dist_kind)k;
  switch (out->kind) {
  case SIM_DIST_CONSTANT:
    return dur_field(json, "value", false, &out->p1, d, path);
  case SIM_DIST_UNIFORM:
    if ((rc = dur_field(json, "min", false, &out->p1, d, path)) != SIM_OK ||
        (rc = dur_field(json, "max", false, &out->p2, d, path)) != SIM_OK)
      return rc;
    if (out->p2 < out->p1) {
      char lo[32];

      sim_duration_format((sim_time_ms)out->p1, lo, sizeof lo);
      sim_path_key(child, sizeof child, path, "max");
      return sim_diag_set(d, SIM_ERR_RANGE, child,
                          "expected a duration of at least min (%s)", lo);
    }
    return SIM_OK;
  case SIM_DIST_EXPONENTIAL:
    return dur_field(json, "mean", true, &out->p1, d, path);
  case SIM_DIST_LOGNORMAL:
    if ((rc = dur_field(json, "median", true, &out->p1, d, path)) != SIM_OK)
      return rc;
    return num_field(json, "sigma", false, &out->p2, d, path);
  case SIM_DIST_NORMAL:
    if ((rc = dur_field(json, "mean", false, &out->p1, d, path)) != SIM_OK)
      return rc;
    return dur_field(json, "stddev", false, &out->p2, d, path);
  case SIM_DIST_WEIBULL:
    if ((rc = dur_field(json, "scale", true, &out->p1, d, path)) != SIM_OK)
      return rc;
    return num_field(json, "shape", true, &out->p2, d, path);
  case SIM_DIST_GAMMA:
    if ((rc = num_field(json, "shape", true, &out->p1, d, path)) != SIM_OK)
      return rc;
    return dur_field(json, "scale", true, &out->p2, d, path);
  case SIM_DIST_EMPIRICAL:
    return parse_empirical(out, json, d, path);
  }
  return SIM_ERR_STATE; /* not reached: k indexes kinds[] */
}

int sim_dist_from_json(sim_dist *out, const cJSON *json, const sim_alloc *alloc,
                       sim_diag *d, const char *path)
{
  sim_dist tmp;
  int rc;

  memset(out, 0, sizeof *out);
  memset(&tmp, 0, sizeof tmp);
  tmp.alloc = alloc;
  if (cJSON_IsString(json) || cJSON_IsNumber(json)) {
    sim_time_ms ms;

    if ((rc = sim_duration_from_json(json, &ms, d, path)) != SIM_OK)
      return rc;
    sim_dist_constant(out, ms);
    out->alloc = alloc;
    return SIM_OK;
  }
  if (!cJSON_IsObject(json))
    return sim_diag_set(d, SIM_ERR_SCHEMA, path,
                        "expected a duration or a distribution object, got %s",
                        sim_json_type_name(json));
  if ((rc = parse_object(&tmp, json, d, path)) != SIM_OK) {
    sim_dist_release(&tmp);
    return rc;
  }
  *out = tmp;
  return SIM_OK;
}

/* ------------------------------------------------------------ sampling --- */

/* llround(x) for 0 < x < SIM_DURATION_MAX (< 2^52), without the libm call:
 * x - trunc(x) is exact there, and a fraction of one half rounds up (away
 * from zero), as llround does. */
static sim_time_ms to_ms(double x)
{
  sim_time_ms i;

  if (!(x > 0)) /* negative, zero or NaN */
    return 0;
  if (x >= (double)SIM_DURATION_MAX)
    return SIM_DURATION_MAX;
  i = (sim_time_ms)x;
  return i + (x - (double)i >= 0.5);
}

/* to_ms(-mean * log1p(-u)), gsl_ran_exponential's draw rounded, with a
 * cheaper log where that cannot change the rounded value. When 1 - u is
 * exact (always for mt19937's u = k / 2^32; checked: w = 1 - u rounded, and
 * 1 - w is exact by Sterbenz's lemma, so 1 - w == u iff w is exact),
 * log(1 - u) and log1p(-u) approximate the same real number, each within a
 * couple of ulps (glibc's documented bounds: log 1, log1p 1), so the two
 * products with -mean differ by less than 2^-48 of their value. The value
 * rounded is then the same unless the product lies within 2^-40 of its
 * value (a margin 256 times that bound) of a half millisecond or of
 * SIM_DURATION_MAX: then, about once in 10^9 draws of a 10 s mean, the
 * draw is computed as GSL does. tests/test_sim_dist.c compares the two on
 * millions of draws. */
static sim_time_ms exponential_ms(double mean, double u)
{
  double w = 1.0 - u;

  if (1.0 - w == u) {
    double x = -mean * log(w);

    if (x < 0.5 * (double)SIM_DURATION_MAX) {
      double f = x - (double)(sim_time_ms)x;   /* x >= 0 (or -0.0) */

      if (fabs(f - 0.5) > x * 0x1p-40)
        return to_ms(x);
    }
  }
  return to_ms(-mean * log1p(-u));
}

sim_time_ms sim_dist_sample(const sim_dist *d, gsl_rng *r)
{
  double x = 0;
  size_t lo, hi;
  int i;

  switch (d->kind) {
  case SIM_DIST_CONSTANT:
    x = d->p1;
    break;
  case SIM_DIST_UNIFORM:
    x = d->p1 + (d->p2 - d->p1) * sim_rng_uniform(r);
    break;
  case SIM_DIST_EXPONENTIAL:   /* gsl_ran_exponential(r, mean), inline */
    return exponential_ms(d->p1, sim_rng_uniform(r));
  case SIM_DIST_LOGNORMAL:
    x = d->p1 * exp(d->p2 * gsl_ran_gaussian_ziggurat(r, 1.0));
    break;
  case SIM_DIST_NORMAL:
    x = 0;
    for (i = 0; i < NORMAL_TRIES; i++) {
      double y = d->p1 + gsl_ran_gaussian_ziggurat(r, d->p2);

      if (y >= 0) {
        x = y;
        break;
      }
    }
    break;
  case SIM_DIST_WEIBULL:
    x = gsl_ran_weibull(r, d->p1, d->p2);
    break;
  case SIM_DIST_GAMMA:
    x = gsl_ran_gamma(r, d->p1, d->p2);
    break;
  case SIM_DIST_EMPIRICAL: {
    double u = sim_rng_uniform(r);

    /* smallest i with u < cum[i]; cum[n-1] == 1 > u always */
    lo = 0;
    hi = d->n - 1;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;

      if (u < d->cum[mid])
        hi = mid;
      else
        lo = mid + 1;
    }
    x = d->values[lo];
    break;
  }
  }
  return to_ms(x);
}

double sim_dist_mean(const sim_dist *d)
{
  double m = 0, prev = 0;
  size_t i;

  switch (d->kind) {
  case SIM_DIST_CONSTANT:
    return d->p1;
  case SIM_DIST_UNIFORM:
    return (d->p1 + d->p2) / 2;
  case SIM_DIST_EXPONENTIAL:
    return d->p1;
  case SIM_DIST_LOGNORMAL:
    return d->p1 * exp(d->p2 * d->p2 / 2);
  case SIM_DIST_NORMAL: {
    /* mean of N(mu, sd) truncated to [0, inf): mu + sd * pdf(a) / Q(a) */
    double a;

    if (d->p2 <= 0)
      return d->p1;
    a = -d->p1 / d->p2;
    return d->p1 + d->p2 * gsl_ran_ugaussian_pdf(a) / gsl_cdf_ugaussian_Q(a);
  }
  case SIM_DIST_WEIBULL:
    return d->p1 * tgamma(1 + 1 / d->p2);
  case SIM_DIST_GAMMA:
    return d->p1 * d->p2;
  case SIM_DIST_EMPIRICAL:
    for (i = 0; i < d->n; i++) {
      m += d->values[i] * (d->cum[i] - prev);
      prev = d->cum[i];
    }
    return m;
  }
  return 0;
}
