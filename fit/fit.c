/*
 * fit.c — the `jobsim fit` pipeline (fit.h): read, turn each group's
 * records into the samples of estimate.h by the censoring rules of
 * docs/fit.md, fit, write the scenario and check it loads.
 */
#define _POSIX_C_SOURCE 200809L
#include "fit.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backtest.h"
#include "fitreport.h"
#include "outdir.h"
#include "json.h"
#include "scenout.h"

static double wall(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int warn(fit_job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int warn(fit_job *j, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  char **nw = realloc(j->warnings, (j->n_warnings + 1) * sizeof *nw);
  if (!nw) return SIM_ERR_NOMEM;
  j->warnings = nw;
  if (!(nw[j->n_warnings] = strdup(buf))) return SIM_ERR_NOMEM;
  j->n_warnings++;
  return SIM_OK;
}

void fit_job_free(fit_job *j) {
  if (!j) return;
  for (size_t i = 0; i < j->n_g; i++) {
    fit_sample_release(&j->g[i].delay);
    fit_sample_release(&j->g[i].run.times);
  }
  free(j->g);
  free(j->scenario);
  free(j->document);
  model_scenario_free(j->sc);
  for (size_t i = 0; i < j->n_warnings; i++) free(j->warnings[i]);
  free(j->warnings);
  fit_backtest_free(j->bt);
  fit_history_free(j->h);
  free(j);
}

/* One thing's records (sorted by executionNumber) into its group's
 * samples. */
static int add_thing(const fit_history *h, const fit_record *r, size_t n,
                     fit_group_result *g) {
  int rc;
  sim_time_ms cancel = h->cancel_at >= 0 ? h->cancel_at : SIM_TIME_MAX;
  sim_time_ms tau = h->has_timeout ? h->timeout_min * SIM_MS_PER_MIN : -1;
  for (size_t i = 0; i < n; i++) {
    const fit_record *x = &r[i];
    g->records++;
    model_exec_status st = (model_exec_status)x->status;
    /* start delay: queued -> the device acted */
    if (x->started >= 0) {
      fit_sample_add(&g->delay, (double)(x->started - x->queued));
    } else if (st == MODEL_EXEC_REJECTED || st == MODEL_EXEC_SUCCEEDED ||
               st == MODEL_EXEC_FAILED) {
      fit_sample_add(&g->delay, (double)(x->updated - x->queued));
    } else {
      /* QUEUED: censored where the listing was taken; CANCELED, REMOVED:
       * where the record ended; either way not after the job's cancel,
       * from which on no device may start */
      sim_time_ms end = st == MODEL_EXEC_QUEUED ? h->observed_at : x->updated;
      if (end > cancel) end = cancel;
      if (end >= x->queued && (rc = fit_sample_censor(&g->delay, (double)(end - x->queued))))
        return rc;
    }
    /* run time and outcome */
    fit_run_input *ri = &g->run;
    if (x->started >= 0) {
      double rt = (double)(x->updated - x->started);
      switch (st) {
        case MODEL_EXEC_SUCCEEDED: fit_sample_add(&ri->times, rt); ri->n_succeeded++; break;
        case MODEL_EXEC_FAILED: fit_sample_add(&ri->times, rt); ri->n_failed++; break;
        case MODEL_EXEC_REJECTED:
          fit_sample_add(&ri->times, rt);
          ri->n_rejected_started++;
          break;
        case MODEL_EXEC_TIMED_OUT:
          if ((rc = fit_sample_censor(&ri->times, rt))) return rc;
          if (tau >= 0 && rt - (double)tau > g->lag_ms) g->lag_ms = rt - (double)tau;
          break;
        case MODEL_EXEC_IN_PROGRESS: {
          sim_time_ms c = h->observed_at - x->started;
          if ((rc = fit_sample_censor(&ri->times, (double)(c > 0 ? c : 0)))) return rc;
          break;
        }
        default:   /* CANCELED or REMOVED while IN_PROGRESS */
          if ((rc = fit_sample_censor(&ri->times, rt))) return rc;
          break;
      }
    } else if (st == MODEL_EXEC_REJECTED) {
      ri->n_rejected++;
    } else if (st == MODEL_EXEC_SUCCEEDED) {
      ri->n_succeeded++;   /* reported without IN_PROGRESS: no run time */
    } else if (st == MODEL_EXEC_FAILED) {
      ri->n_failed++;
    }
  }
  /* attempts the listing shows only through the latest retryAttempt */
  int k = (int)r[n - 1].retry - (int)(n - 1);
  if (k > 0) {
    if (k > 10) k = 10;
    g->run.unseen[k] += 1;
    g->unseen += k;
  }
  g->things_seen++;
  return SIM_OK;
}

static int fit_groups(fit_job *j, sim_diag *d) {
  fit_history *h = j->h;
  j->n_g = h->n_groups;
  j->g = calloc(j->n_g ? j->n_g : 1, sizeof *j->g);
  if (!j->g) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  for (size_t i = 0; i < j->n_g; i++) {
    fit_group_result *g = &j->g[i];
    g->group = i;
    g->borrowed = -1;
    if (fit_sample_init(&g->delay, &j->grid) || fit_sample_init(&g->run.times, &j->grid))
      return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    g->run.has_timeout = h->has_timeout;
    g->run.timeout_ms = (double)(h->timeout_min * SIM_MS_PER_MIN);
    g->run.retry_failed = h->retry_failed;
    g->run.retry_timed_out = h->retry_timed_out;
    g->run.retry_all = h->retry_all;
  }
  int rc;
  for (size_t a = 0; a < h->n_rec;) {
    size_t b = a + 1;
    while (b < h->n_rec && h->rec[b].thing == h->rec[a].thing) b++;
    int32_t gi = h->group_of[h->rec[a].thing];
    if (gi >= 0 && (rc = add_thing(h, &h->rec[a], b - a, &j->g[gi])))
      return sim_diag_set(d, rc, NULL, "out of memory");
    a = b;
  }
  long biggest = -1;
  for (size_t i = 0; i < j->n_g; i++) {
    fit_group_result *g = &j->g[i];
    fit_sample_finish(&g->delay);
    fit_sample_finish(&g->run.times);
    if ((rc = fit_delay_estimate(&g->delay, &g->d)) ||
        (rc = fit_run_estimate(&g->run, &g->r)))
      return sim_diag_set(d, rc, NULL, "out of memory");
    if (g->records > 0 && (biggest < 0 || g->records > j->g[biggest].records))
      biggest = (long)i;
  }
  for (size_t i = 0; i < j->n_g; i++) {
    fit_group_result *g = &j->g[i];
    const fit_group *fg = &h->groups[i];
    if (fg->things == 0) continue;
    if (g->records == 0) {
      g->borrowed = biggest;
      if ((rc = warn(j, "group %s has no execution records: it gets the behaviour fitted "
                        "for group %s", fg->name, h->groups[biggest].name)))
        return rc;
    } else if (!g->d.best) {
      /* no device acted in the observation: one event assumed at the end
       * of the time at risk (the exponential's estimate with 1 event) */
      double at_risk = 0;
      for (size_t k = 0; k < g->delay.n_cx; k++)
        at_risk += g->delay.cx[k] * (g->delay.cw ? g->delay.cw[k] : 1.0);
      g->delay_fallback_ms = at_risk > 1 ? at_risk : 1;
      if ((rc = warn(j, "group %s: no device acted on its execution while the job was "
                        "observed: the start delay cannot be fitted; written as exponential "
                        "with the mean of one event in the whole time at risk (%.0f s), a "
                        "lower bound on what the devices need", fg->name,
                     g->delay_fallback_ms / 1000)))
        return rc;
    }
    if (g->records > 0 && g->records < FIT_SMALL_GROUP) {
      g->small = true;
      if ((rc = warn(j, "group %s has only %" PRId64 " execution records (fewer than %d): "
                        "fitted anyway, but too few to trust; its intervals are as wide as "
                        "the data make them", fg->name, g->records, FIT_SMALL_GROUP)))
        return rc;
    }
  }
  return SIM_OK;
}

/* --document FILE: the job document, JSON as AWS requires. */
static int read_document(fit_job *j, const char *path, sim_diag *d) {
  size_t len = 0;
  sim_diag_init(d, path);
  int rc = sim_json_read_file(path, &j->document, &len, d);
  if (rc) return rc;
  if (strlen(j->document) != len || !sim_json_valid(j->document, len))
    return sim_diag_set(d, SIM_ERR_PARSE, "$", "the job document is not valid JSON");
  if (len > 32768)
    return sim_diag_set(d, SIM_ERR_RANGE, "$",
                        "the job document is longer than 32768 bytes (AWS's limit)");
  return SIM_OK;
}

int fit_job_new(fit_job **out, const fit_opts *o, sim_diag *d) {
  *out = NULL;
  fit_job *j = calloc(1, sizeof *j);
  if (!j) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  fit_grid_init(&j->grid);
  double t0 = wall();
  int rc = fit_history_new(&j->h);
  if (rc) {
    rc = sim_diag_set(d, rc, NULL, "out of memory");
    goto fail;
  }
  if (o->has_observed_at) fit_history_set_observed(j->h, o->observed_at_epoch_ms);
  if ((rc = fit_history_read_job(j->h, o->job, d))) goto fail;
  for (size_t i = 0; i < o->n_groups; i++)
    if ((rc = fit_history_read_group(j->h, o->group_names[i], o->group_files[i], d)))
      goto fail;
  for (size_t i = 0; i < o->n_executions; i++)
    if ((rc = fit_history_read_executions(j->h, o->executions[i], d))) goto fail;
  if ((rc = fit_history_finish(j->h, d))) goto fail;
  if (o->document && (rc = read_document(j, o->document, d))) goto fail;
  j->seed = o->seed;
  snprintf(j->version, sizeof j->version, "%s", o->version_info ? o->version_info : "jobsim");
  double t1 = wall();
  j->seconds_read = t1 - t0;
  sim_diag_init(d, NULL);
  if ((rc = fit_groups(j, d))) goto fail;
  j->seconds_fit = wall() - t1;
  if ((rc = fit_scenario_build(j, o, d))) goto fail;
  *out = j;
  return SIM_OK;
fail:
  fit_job_free(j);
  return rc;
}

int fit_job_backtest(fit_job *j, size_t reps, unsigned threads, sim_diag *d) {
  fit_backtest_free(j->bt);
  j->bt = NULL;
  return fit_backtest_run(&j->bt, j->h, j->sc, reps, threads, d);
}

int fit_job_write(fit_job *j, const char *out, const char *report_dir, bool plots,
                  const char *version_info, char *plots_note, size_t n, sim_diag *d) {
  char *text = NULL;
  size_t len = 0;
  int rc = fit_scenario_text(j, true, &text, &len, d);
  if (rc) return rc;
  if (n) plots_note[0] = 0;
  if (report_dir) {
    rc = fit_report_write(j, report_dir, out, text, len, plots, version_info, plots_note, n, d);
  } else {
    sim_diag_init(d, out);
    rc = report_write_file_atomic(out, text, len, d);
  }
  free(text);
  return rc;
}
