/*
 * scenout.c — the fitted scenario's text (scenout.h), written with the
 * report JSON writer so it reads like every other jobsim JSON file.
 */
#define _POSIX_C_SOURCE 200809L
#include "scenout.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtest.h"
#include "duration.h"
#include "json.h"
#include "jsonw.h"

/* ------------------------------------------------------------ values --- */

static void num(report_jsonw *w, double v) {
  if (!isfinite(v)) {
    report_jsonw_raw(w, "null");
    return;
  }
  char b[48];
  snprintf(b, sizeof b, "%.6g", v);
  report_jsonw_raw(w, b);
}

/* A duration in ms as the scenario format writes it (whole ms, >= 1 ms). */
static void dur_text(double ms, char *b, size_t n) {
  if (!(ms >= 1)) ms = 1;
  if (ms > (double)SIM_DURATION_MAX) ms = (double)SIM_DURATION_MAX;
  sim_duration_format((sim_time_ms)llround(ms), b, n);
}

static void dur(report_jsonw *w, double ms) {
  char b[64];
  dur_text(ms, b, sizeof b);
  report_jsonw_string(w, b);
}

/* Any cJSON value, as the writer prints. */
static void copy_json(report_jsonw *w, const cJSON *v) {
  if (cJSON_IsObject(v)) {
    report_jsonw_object(w);
    for (const cJSON *c = v->child; c; c = c->next) {
      report_jsonw_key(w, c->string);
      copy_json(w, c);
    }
    report_jsonw_end_object(w);
  } else if (cJSON_IsArray(v)) {
    report_jsonw_array(w);
    for (const cJSON *c = v->child; c; c = c->next) copy_json(w, c);
    report_jsonw_end_array(w);
  } else if (cJSON_IsString(v)) {
    report_jsonw_string(w, v->valuestring);
  } else if (cJSON_IsBool(v)) {
    report_jsonw_bool(w, cJSON_IsTrue(v));
  } else if (cJSON_IsNumber(v)) {
    double x = v->valuedouble;
    if (x == floor(x) && fabs(x) < 9e15) report_jsonw_int(w, (int64_t)x);
    else {
      char b[48];
      sim_json_format_double(x, b, sizeof b);
      report_jsonw_raw(w, b);
    }
  } else {
    report_jsonw_raw(w, "null");
  }
}

/* A distribution of family f with natural parameters nat. */
static void dist(report_jsonw *w, fit_family f, const double *nat) {
  report_jsonw_object(w);
  report_jsonw_key(w, "distribution");
  report_jsonw_string(w, fit_family_name(f));
  for (int i = 0; i < fit_family_nparams(f); i++) {
    bool is_dur;
    report_jsonw_key(w, fit_family_param(f, i, &is_dur));
    if (is_dur) dur(w, nat[i]);
    else num(w, nat[i]);
  }
  report_jsonw_end_object(w);
}

static void nat_of(fit_family f, const fit_value *p, double *nat) {
  for (int i = 0; i < fit_family_nparams(f); i++) nat[i] = p[i].v;
}

/* {"value": v, "ci95": [lo, hi]} (durations as duration strings). */
static void value_ci(report_jsonw *w, fit_value v, bool is_dur) {
  report_jsonw_object(w);
  report_jsonw_key(w, "value");
  if (is_dur) dur(w, v.v); else num(w, v.v);
  report_jsonw_key(w, "ci95");
  if (isnan(v.lo) || isnan(v.hi)) {
    report_jsonw_raw(w, "null");
  } else {
    report_jsonw_array(w);
    if (is_dur) {
      dur(w, v.lo);
      dur(w, v.hi);
    } else {
      num(w, v.lo);
      num(w, v.hi);
    }
    report_jsonw_end_array(w);
  }
  report_jsonw_end_object(w);
}

static void params_ci(report_jsonw *w, fit_family f, const fit_value *p) {
  report_jsonw_object(w);
  for (int i = 0; i < fit_family_nparams(f); i++) {
    bool is_dur;
    report_jsonw_key(w, fit_family_param(f, i, &is_dur));
    value_ci(w, p[i], is_dur);
  }
  report_jsonw_end_object(w);
}

static const char *model_label(const fit_model *m, char *b, size_t n) {
  if (m->fam2 == FIT_FAMILY_COUNT) snprintf(b, n, "%s", fit_family_name(m->fam));
  else snprintf(b, n, "%s+%s", fit_family_name(m->fam), fit_family_name(m->fam2));
  return b;
}

static void candidate(report_jsonw *w, const fit_model *m, const fit_model *best) {
  char b[64];
  report_jsonw_object(w);
  report_jsonw_key(w, "model");
  report_jsonw_string(w, model_label(m, b, sizeof b));
  report_jsonw_key(w, "parameters");
  report_jsonw_int(w, m->k);
  report_jsonw_key(w, "logLikelihood");
  num(w, m->loglik);
  report_jsonw_key(w, "aic");
  num(w, m->aic);
  report_jsonw_key(w, "deltaAic");
  num(w, m->aic - best->aic);
  report_jsonw_end_object(w);
}

/* The chosen model's label, log-likelihood, AIC and KS distance. */
static void best_head(report_jsonw *w, const fit_model *b, double ks) {
  char l[64];
  report_jsonw_key(w, "model");
  report_jsonw_string(w, model_label(b, l, sizeof l));
  report_jsonw_key(w, "logLikelihood");
  num(w, b->loglik);
  report_jsonw_key(w, "aic");
  num(w, b->aic);
  report_jsonw_key(w, "ks");
  num(w, ks);
}

/* Median and p90 of family fam with fitted parameters p. */
static void median_p90(report_jsonw *w, fit_family fam, const fit_value *p) {
  double nat[2];
  nat_of(fam, p, nat);
  report_jsonw_key(w, "median");
  dur(w, fit_family_quantile(fam, nat, 0.5));
  report_jsonw_key(w, "p90");
  dur(w, fit_family_quantile(fam, nat, 0.9));
}

/* ------------------------------------------------------------- fleet --- */

/* What a group's behaviour is written from. */
static const fit_group_result *source_of(const fit_job *j, size_t g) {
  const fit_group_result *r = &j->g[g];
  return r->borrowed >= 0 ? &j->g[r->borrowed] : r;
}

static void outcomes(report_jsonw *w, const fit_run *r) {
  char b[4][32];
  double rest = 0;
  for (int o = 1; o < 4; o++) {
    double p = r->outcome[o].v;
    if (!(p > 0)) p = 0;
    snprintf(b[o], sizeof b[o], "%.6f", p);
    rest += strtod(b[o], NULL);
  }
  double s = 1 - rest;
  if (s < 0) s = 0;
  snprintf(b[0], sizeof b[0], "%.6f", s);
  /* the parser wants a sum of 1 within 1e-9: the last digit goes to the
   * largest share when rounding left a residue */
  report_jsonw_object(w);
  static const char *const names[4] = {"SUCCEEDED", "FAILED", "REJECTED", "NO_RESPONSE"};
  for (int o = 0; o < 4; o++) {
    report_jsonw_key(w, names[o]);
    report_jsonw_raw(w, o == 0 ? b[0] : b[o]);
  }
  report_jsonw_end_object(w);
}

static void behavior(report_jsonw *w, const fit_group_result *r) {
  report_jsonw_object(w);
  const fit_model *dm = r->d.best;
  double nat[2];
  if (dm && dm->fam2 != FIT_FAMILY_COUNT) {
    report_jsonw_key(w, "connected");
    char b[32];
    snprintf(b, sizeof b, "%.6f", dm->mix.v);
    report_jsonw_raw(w, b);
    report_jsonw_key(w, "reconnectAfter");
    nat_of(dm->fam2, r->d.reconnect, nat);
    dist(w, dm->fam2, nat);
  }
  report_jsonw_key(w, "startDelay");
  if (dm) {
    nat_of(dm->fam, dm->p1, nat);
    dist(w, dm->fam, nat);
  } else {
    nat[0] = r->delay_fallback_ms;
    dist(w, FIT_EXPONENTIAL, nat);
  }
  if (r->r.best) {
    report_jsonw_key(w, "runTime");
    nat_of(r->r.best->fam, r->r.best->p1, nat);
    dist(w, r->r.best->fam, nat);
  }
  report_jsonw_key(w, "outcomes");
  outcomes(w, &r->r);
  report_jsonw_end_object(w);
}

/* Is fleet group `name` among the written groups? */
static bool has_group(const fit_job *j, const char *name) {
  for (size_t g = 0; g < j->h->n_groups; g++)
    if (j->h->groups[g].things > 0 && strcmp(j->h->groups[g].name, name) == 0) return true;
  return false;
}

static void fleet(report_jsonw *w, const fit_job *j) {
  const fit_history *h = j->h;
  report_jsonw_object(w);
  report_jsonw_key(w, "groups");
  report_jsonw_array(w);
  for (size_t g = 0; g < h->n_groups; g++) {
    const fit_group *fg = &h->groups[g];
    if (fg->things == 0) continue;
    report_jsonw_object(w);
    report_jsonw_key(w, "name");
    report_jsonw_string(w, fg->name);
    report_jsonw_key(w, "things");
    if (fg->named) {
      report_jsonw_array(w);
      for (int64_t t = 0; t < h->n_things; t++)
        if (h->group_of[t] == (int32_t)g) report_jsonw_string(w, fit_history_thing(h, t));
      report_jsonw_end_array(w);
    } else {
      report_jsonw_int(w, fg->things);
    }
    report_jsonw_key(w, "behavior");
    const fit_group_result *r = &j->g[g];
    report_jsonw_string(w, h->groups[r->borrowed >= 0 ? (size_t)r->borrowed : g].name);
    report_jsonw_end_object(w);
  }
  report_jsonw_end_array(w);
  report_jsonw_key(w, "behaviors");
  report_jsonw_object(w);
  for (size_t g = 0; g < h->n_groups; g++) {
    if (h->groups[g].things == 0 || j->g[g].borrowed >= 0 || j->g[g].records == 0) continue;
    report_jsonw_key(w, h->groups[g].name);
    behavior(w, source_of(j, g));
  }
  report_jsonw_end_object(w);
  report_jsonw_end_object(w);
}

/* --------------------------------------------------------------- job --- */

static void job(report_jsonw *w, const fit_job *j) {
  const fit_history *h = j->h;
  const cJSON *jb = h->job;
  report_jsonw_object(w);
  report_jsonw_key(w, "jobId");
  report_jsonw_string(w, h->job_id);
  report_jsonw_key(w, "targets");
  report_jsonw_array(w);
  const cJSON *tg = sim_json_get(jb, "targets");
  bool replaced = false;
  for (const cJSON *t = tg->child; t; t = t->next) {
    const char *s = t->valuestring, *nm = strrchr(s, '/') + 1;
    if (strstr(s, ":thinggroup/") && !has_group(j, nm)) {
      /* a thing group the --group files split up: target its parts */
      if (!replaced) {
        replaced = true;
        for (size_t g = 0; g < h->n_groups; g++) {
          const fit_group *fg = &h->groups[g];
          if (fg->things == 0 || fg->named) continue;
          bool targeted = false;
          for (const cJSON *u = tg->child; u; u = u->next)
            if (strstr(u->valuestring, ":thinggroup/") &&
                strcmp(strrchr(u->valuestring, '/') + 1, fg->name) == 0)
              targeted = true;
          if (targeted) continue;
          char arn[300];
          snprintf(arn, sizeof arn, "arn:%s:iot:%s:%s:thinggroup/%s", h->partition,
                   h->region, h->account, fg->name);
          report_jsonw_string(w, arn);
        }
      }
      continue;
    }
    report_jsonw_string(w, s);
  }
  report_jsonw_end_array(w);
  report_jsonw_key(w, "document");
  report_jsonw_string(w, j->document ? j->document : "{}");
  const cJSON *desc = sim_json_get(jb, "description");
  report_jsonw_key(w, "description");
  if (cJSON_IsString(desc)) {
    report_jsonw_string(w, desc->valuestring);
  } else {
    report_jsonw_string(w, j->document ? "Fitted by jobsim fit; the document was given with "
                                         "--document"
                                       : "Fitted by jobsim fit; describe-job does not show "
                                         "the job document, so it is \"{}\" here");
  }
  static const char *const copy[] = {
      "targetSelection", "jobExecutionsRolloutConfig", "abortConfig", "timeoutConfig",
      "jobExecutionsRetryConfig", "schedulingConfig", "namespaceId",
      "destinationPackageVersions", NULL};
  const cJSON *pu = sim_json_get(jb, "presignedUrlConfig");
  if (cJSON_IsObject(pu) && sim_json_get(pu, "roleArn")) {
    report_jsonw_key(w, "presignedUrlConfig");
    copy_json(w, pu);
  }
  for (int i = 0; copy[i]; i++) {
    const cJSON *v = sim_json_get(jb, copy[i]);
    if (!v) continue;
    if (cJSON_IsObject(v) && !v->child) continue;   /* {}: nothing set */
    report_jsonw_key(w, copy[i]);
    copy_json(w, v);
  }
  report_jsonw_end_object(w);
}

/* Was the job canceled by its abortConfig (then the simulation aborts by
 * itself) rather than by a user's cancel-job? */
static bool aborted(const fit_history *h) {
  const cJSON *rc = sim_json_get(h->job, "reasonCode");
  if (!h->has_abort) return false;
  return !cJSON_IsString(rc) || strstr(rc->valuestring, "ABORT") != NULL;
}

static void operations(report_jsonw *w, const fit_job *j) {
  const fit_history *h = j->h;
  report_jsonw_array(w);
  if (h->status == MODEL_JOB_CANCELED && h->cancel_at >= 0 && !aborted(h)) {
    report_jsonw_object(w);
    report_jsonw_key(w, "at");
    char b[64];
    sim_duration_format(h->cancel_at, b, sizeof b);
    report_jsonw_string(w, b);
    report_jsonw_key(w, "op");
    report_jsonw_string(w, "cancel-job");
    if (h->force_canceled) {
      report_jsonw_key(w, "force");
      report_jsonw_bool(w, true);
    }
    const cJSON *rc = sim_json_get(h->job, "reasonCode"), *cm = sim_json_get(h->job, "comment");
    if (cJSON_IsString(rc)) {
      report_jsonw_key(w, "reasonCode");
      report_jsonw_string(w, rc->valuestring);
    }
    if (cJSON_IsString(cm)) {
      report_jsonw_key(w, "comment");
      report_jsonw_string(w, cm->valuestring);
    }
    report_jsonw_end_object(w);
  }
  report_jsonw_end_array(w);
}

/* The scenario's horizon: the listing instant, up to the next second. */
sim_time_ms fit_scenario_horizon(const fit_history *h) {
  sim_time_ms u = h->observed_at;
  if (u < SIM_MS_PER_S) u = SIM_MS_PER_S;
  return (u + SIM_MS_PER_S - 1) / SIM_MS_PER_S * SIM_MS_PER_S;
}

static void simulation(report_jsonw *w, const fit_job *j) {
  const fit_history *h = j->h;
  char b[64];
  report_jsonw_object(w);
  report_jsonw_key(w, "seed");
  report_jsonw_int(w, (int64_t)j->seed);
  report_jsonw_key(w, "startTime");
  model_format_iso8601(h->created_epoch_ms, b, sizeof b);
  report_jsonw_string(w, b);
  report_jsonw_key(w, "until");
  sim_duration_format(fit_scenario_horizon(h), b, sizeof b);
  report_jsonw_string(w, b);
  report_jsonw_key(w, "region");
  report_jsonw_string(w, h->region);
  if (strlen(h->account) == 12) {
    report_jsonw_key(w, "accountId");
    report_jsonw_string(w, h->account);
  }
  const cJSON *ro = sim_json_get(h->job, "jobExecutionsRolloutConfig");
  const cJSON *mpm = ro ? sim_json_get(ro, "maximumPerMinute") : NULL;
  if (cJSON_IsNumber(mpm) && mpm->valuedouble > 1000 && mpm->valuedouble <= 1000000) {
    report_jsonw_key(w, "rolloutQuota");
    report_jsonw_int(w, (int64_t)mpm->valuedouble);
  }
  double lag = 0;
  for (size_t g = 0; g < j->n_g; g++)
    if (j->g[g].lag_ms > lag) lag = j->g[g].lag_ms;
  if (lag > 0) {
    double s = ceil(lag / 1000);
    if (s > 60) s = 60;
    report_jsonw_key(w, "timeoutLagMax");
    sim_duration_format((sim_time_ms)s * SIM_MS_PER_S, b, sizeof b);
    report_jsonw_string(w, b);
  }
  report_jsonw_end_object(w);
}

/* ------------------------------------------------------- provenance --- */

static void delay_prov(report_jsonw *w, const fit_group_result *r) {
  const fit_delay *dl = &r->d;
  report_jsonw_object(w);
  report_jsonw_key(w, "exact");
  report_jsonw_int(w, (int64_t)r->delay.n_exact);
  report_jsonw_key(w, "censored");
  report_jsonw_int(w, (int64_t)r->delay.n_cens);
  const fit_model *b = dl->best;
  if (!b) {
    report_jsonw_key(w, "fitted");
    report_jsonw_bool(w, false);
    report_jsonw_end_object(w);
    return;
  }
  best_head(w, b, dl->ks);
  report_jsonw_key(w, "startDelay");
  report_jsonw_object(w);
  report_jsonw_key(w, "distribution");
  report_jsonw_string(w, fit_family_name(b->fam));
  report_jsonw_key(w, "parameters");
  params_ci(w, b->fam, b->p1);
  median_p90(w, b->fam, b->p1);
  report_jsonw_end_object(w);
  if (b->fam2 != FIT_FAMILY_COUNT) {
    report_jsonw_key(w, "connected");
    value_ci(w, b->mix, false);
    report_jsonw_key(w, "reconnectAfter");
    report_jsonw_object(w);
    report_jsonw_key(w, "distribution");
    report_jsonw_string(w, fit_family_name(b->fam2));
    report_jsonw_key(w, "parameters");
    params_ci(w, b->fam2, dl->reconnect);
    report_jsonw_key(w, "offlineComponent");
    params_ci(w, b->fam2, b->p2);
    report_jsonw_end_object(w);
  } else {
    report_jsonw_key(w, "connected");
    report_jsonw_raw(w, "1");
  }
  report_jsonw_key(w, "candidates");
  report_jsonw_array(w);
  for (int f = 0; f < FIT_FAMILY_COUNT; f++)
    if (dl->single[f].fitted) candidate(w, &dl->single[f], b);
  for (int f = 0; f < FIT_FAMILY_COUNT; f++)
    for (int g = 0; g < FIT_CONSTANT; g++)
      if (dl->mixed[f][g].fitted) candidate(w, &dl->mixed[f][g], b);
  report_jsonw_end_array(w);
  report_jsonw_end_object(w);
}

static void run_prov(report_jsonw *w, const fit_group_result *r) {
  const fit_run *rn = &r->r;
  report_jsonw_object(w);
  report_jsonw_key(w, "exact");
  report_jsonw_int(w, (int64_t)r->run.times.n_exact);
  report_jsonw_key(w, "censored");
  report_jsonw_int(w, (int64_t)r->run.times.n_cens);
  report_jsonw_key(w, "attempts");
  report_jsonw_int(w, (int64_t)llround(rn->attempts));
  const fit_model *b = rn->best;
  if (b) {
    best_head(w, b, rn->ks);
    report_jsonw_key(w, "parameters");
    params_ci(w, b->fam, b->p1);
    median_p90(w, b->fam, b->p1);
    report_jsonw_key(w, "reports");
    value_ci(w, b->mix, false);
    report_jsonw_key(w, "failedWhenReporting");
    value_ci(w, b->rho, false);
    report_jsonw_key(w, "candidates");
    report_jsonw_array(w);
    for (int f = 0; f < FIT_FAMILY_COUNT; f++)
      if (rn->fam[f].fitted) candidate(w, &rn->fam[f], b);
    report_jsonw_end_array(w);
  } else {
    report_jsonw_key(w, "fitted");
    report_jsonw_bool(w, false);
  }
  report_jsonw_key(w, "outcomes");
  report_jsonw_object(w);
  static const char *const names[4] = {"SUCCEEDED", "FAILED", "REJECTED", "NO_RESPONSE"};
  for (int o = 0; o < 4; o++) {
    report_jsonw_key(w, names[o]);
    value_ci(w, rn->outcome[o], false);
  }
  report_jsonw_end_object(w);
  report_jsonw_end_object(w);
}

static void backtest_prov(report_jsonw *w, const fit_backtest *b) {
  report_jsonw_object(w);
  report_jsonw_key(w, "replications");
  report_jsonw_int(w, (int64_t)b->reps);
  report_jsonw_key(w, "reproduces");
  report_jsonw_bool(w, b->reproduces);
  report_jsonw_key(w, "verdict");
  report_jsonw_string(w, b->verdict);
  report_jsonw_key(w, "terminal95");
  report_jsonw_object(w);
  report_jsonw_key(w, "real");
  if (isnan(b->real_t95)) report_jsonw_raw(w, "null"); else dur(w, b->real_t95);
  report_jsonw_key(w, "median");
  if (isnan(b->rep_t95_med)) report_jsonw_raw(w, "null"); else dur(w, b->rep_t95_med);
  report_jsonw_key(w, "relativeError");
  num(w, b->t95_rel_err);
  report_jsonw_end_object(w);
  report_jsonw_key(w, "worst");
  report_jsonw_object(w);
  report_jsonw_key(w, "series");
  report_jsonw_string(w, b->worst_series >= 0 ? fit_backtest_series_name(b->worst_series)
                                              : "");
  report_jsonw_key(w, "at");
  char t[64];
  sim_duration_format(b->worst_t, t, sizeof t);
  report_jsonw_string(w, t);
  report_jsonw_key(w, "thingsOutsideBand");
  num(w, b->worst_excess);
  report_jsonw_end_object(w);
  report_jsonw_end_object(w);
}

static void provenance(report_jsonw *w, const fit_job *j, bool with_bt) {
  const fit_history *h = j->h;
  char b[64];
  report_jsonw_object(w);
  report_jsonw_key(w, "by");
  report_jsonw_string(w, j->version);
  report_jsonw_key(w, "method");
  report_jsonw_string(w, "maximum likelihood with right-censoring (GSL nmsimplex2); family "
                         "by AIC; 95 % Wald intervals from the observed information");
  report_jsonw_key(w, "inputs");
  report_jsonw_array(w);
  for (size_t i = 0; i < h->n_inputs; i++) {
    report_jsonw_object(w);
    report_jsonw_key(w, "file");
    report_jsonw_string(w, h->inputs[i].path);
    report_jsonw_key(w, "kind");
    report_jsonw_string(w, h->inputs[i].kind);
    if (h->inputs[i].group[0]) {
      report_jsonw_key(w, "group");
      report_jsonw_string(w, h->inputs[i].group);
    }
    if (i > 0 || strcmp(h->inputs[i].kind, "describe-job") != 0) {
      report_jsonw_key(w, strcmp(h->inputs[i].kind, "list-things") == 0 ? "things"
                                                                         : "records");
      report_jsonw_int(w, h->inputs[i].items);
    }
    report_jsonw_end_object(w);
  }
  report_jsonw_end_array(w);
  report_jsonw_key(w, "jobStatus");
  report_jsonw_string(w, model_job_status_name(h->status));
  report_jsonw_key(w, "records");
  report_jsonw_int(w, (int64_t)h->n_rec);
  report_jsonw_key(w, "things");
  report_jsonw_int(w, h->n_things);
  report_jsonw_key(w, "observedAt");
  model_format_iso8601(h->created_epoch_ms + h->observed_at, b, sizeof b);
  report_jsonw_string(w, b);
  if (h->cancel_at >= 0) {
    report_jsonw_key(w, "canceledAt");
    model_format_iso8601(h->created_epoch_ms + h->cancel_at, b, sizeof b);
    report_jsonw_string(w, b);
  }
  report_jsonw_key(w, "groups");
  report_jsonw_array(w);
  for (size_t g = 0; g < h->n_groups; g++) {
    const fit_group *fg = &h->groups[g];
    const fit_group_result *r = &j->g[g];
    if (fg->things == 0) continue;
    report_jsonw_object(w);
    report_jsonw_key(w, "name");
    report_jsonw_string(w, fg->name);
    report_jsonw_key(w, "things");
    report_jsonw_int(w, fg->things);
    report_jsonw_key(w, "thingsWithRecords");
    report_jsonw_int(w, r->things_seen);
    report_jsonw_key(w, "records");
    report_jsonw_int(w, r->records);
    report_jsonw_key(w, "attemptsKnownByRetryAttemptOnly");
    report_jsonw_int(w, r->unseen);
    report_jsonw_key(w, "tooFewToTrust");
    report_jsonw_bool(w, r->small);
    if (r->borrowed >= 0) {
      report_jsonw_key(w, "behaviorOf");
      report_jsonw_string(w, h->groups[r->borrowed].name);
    } else {
      report_jsonw_key(w, "startDelay");
      delay_prov(w, r);
      report_jsonw_key(w, "runTime");
      run_prov(w, r);
    }
    report_jsonw_end_object(w);
  }
  report_jsonw_end_array(w);
  report_jsonw_key(w, "notes");
  report_jsonw_array(w);
  for (size_t i = 0; i < h->n_notes; i++) report_jsonw_string(w, h->notes[i]);
  report_jsonw_end_array(w);
  report_jsonw_key(w, "warnings");
  report_jsonw_array(w);
  for (size_t i = 0; i < j->n_warnings; i++) report_jsonw_string(w, j->warnings[i]);
  report_jsonw_end_array(w);
  if (with_bt && j->bt) {
    report_jsonw_key(w, "backtest");
    backtest_prov(w, j->bt);
  }
  report_jsonw_end_object(w);
}

int fit_scenario_text(const fit_job *j, bool with_bt, char **text, size_t *len,
                      sim_diag *d) {
  const fit_history *h = j->h;
  report_jsonw w;
  report_jsonw_init(&w, false);
  report_jsonw_object(&w);
  report_jsonw_key(&w, "name");
  report_jsonw_string(&w, j->name);
  report_jsonw_key(&w, "description");
  char desc[1024];
  snprintf(desc, sizeof desc,
           "Fitted by jobsim fit from job %s: %zu execution records of %" PRId64
           " things, observed for %.1f minutes after its creation. %s",
           h->job_id, h->n_rec, h->n_things, (double)h->observed_at / 60000.0,
           j->document ? "The job document is the --document file."
                       : "describe-job does not show the job document: \"{}\" stands "
                         "in for it.");
  report_jsonw_string(&w, desc);
  report_jsonw_key(&w, "job");
  job(&w, j);
  report_jsonw_key(&w, "fleet");
  fleet(&w, j);
  report_jsonw_key(&w, "operations");
  operations(&w, j);
  report_jsonw_key(&w, "simulation");
  simulation(&w, j);
  report_jsonw_key(&w, "fit");
  provenance(&w, j, with_bt);
  report_jsonw_end_object(&w);
  *text = report_jsonw_take(&w, len);
  if (!*text) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  return SIM_OK;
}

int fit_scenario_build(fit_job *j, const fit_opts *o, sim_diag *d) {
  (void)o;
  snprintf(j->name, sizeof j->name, "%.60s-fit", j->h->job_id);
  free(j->scenario);
  j->scenario = NULL;
  int rc = fit_scenario_text(j, false, &j->scenario, &j->scenario_len, d);
  if (rc) return rc;
  model_scenario_free(j->sc);
  j->sc = NULL;
  sim_diag inner;
  rc = model_scenario_load_text(&j->sc, "(fitted scenario)", j->scenario, j->scenario_len,
                                &inner);
  if (rc) {
    char m[1200];
    sim_diag_format(&inner, m, sizeof m);
    sim_diag_init(d, NULL);
    return sim_diag_set(d, SIM_ERR_STATE, NULL,
                        "the fitted scenario does not load (a bug of jobsim fit): %s", m);
  }
  return SIM_OK;
}
