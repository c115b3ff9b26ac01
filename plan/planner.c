/*
 * planner.c — candidate grid, sequential replications with common random
 * numbers, decisions, ranking, the table and the output directory.
 */
#define _POSIX_C_SOURCE 200809L
#include "planner.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "json.h"
#include "jsonw.h"
#include "outdir.h"
#include "reps.h"
#include "scenario.h"
#include "sweep.h"

/* ---------------------------------------------------------------- grid --- */

void plan_deadline_for_name(plan_deadline_for f, double pct, char *buf, size_t n) {
  if (f == PLAN_DL_ROLLOUT) snprintf(buf, n, "rollout");
  else if (f == PLAN_DL_COMPLETED) snprintf(buf, n, "completed");
  else snprintf(buf, n, "terminal:%.6g", pct > 0 ? pct : PLAN_TERMINAL_DEFAULT);
}

bool plan_deadline_for_parse(const char *s, plan_deadline_for *f, double *pct) {
  *pct = PLAN_TERMINAL_DEFAULT;
  if (!s) return false;
  if (strcmp(s, "rollout") == 0) return *f = PLAN_DL_ROLLOUT, true;
  if (strcmp(s, "completed") == 0) return *f = PLAN_DL_COMPLETED, true;
  if (strcmp(s, "terminal") == 0) return *f = PLAN_DL_TERMINAL, true;
  if (strncmp(s, "terminal:", 9) != 0 || !s[9]) return false;
  char *end;
  double x = strtod(s + 9, &end);
  if (*end == '%') end++;
  if (*end || !(x > 0.0 && x <= 100.0)) return false;
  *f = PLAN_DL_TERMINAL;
  *pct = x;
  return true;
}

/* x rounded to two significant digits, up or down. */
static int64_t nice(double x, bool up) {
  if (x <= 1.0) return 1;
  double p = pow(10.0, floor(log10(x)) - 1.0);
  double m = x / p;
  m = up ? ceil(m - 1e-9) : floor(m + 1e-9);
  int64_t r = (int64_t)llround(m * p);
  return r < 1 ? 1 : r;
}

static void fmt_num(double x, char *b, size_t n) { snprintf(b, n, "%.12g", x); }

static bool has_i64(const int64_t *v, size_t n, int64_t x) {
  for (size_t i = 0; i < n; i++)
    if (v[i] == x) return true;
  return false;
}

static void fmt_count(int64_t v, char *b, size_t n) {
  char t[32];
  snprintf(t, sizeof t, "%" PRId64, v < 0 ? -v : v);
  size_t l = strlen(t), k = 0;
  if (v < 0 && k + 1 < n) b[k++] = '-';
  for (size_t i = 0; i < l && k + 2 < n; i++) {
    if (i && (l - i) % 3 == 0) b[k++] = ',';
    b[k++] = t[i];
  }
  b[k] = 0;
}

size_t plan_planner_count(const plan_planner_opts *o) {
  return (o->n_rates + o->n_exps) * o->n_thresholds * o->n_min_exec;
}

void plan_planner_grid(plan_planner_opts *o, const model_scenario *sc, char *why, size_t wn) {
  int64_t n = sc->n_targeted > 0 ? sc->n_targeted : 1;
  int64_t quota = sc->sim.rollout_quota > 0 ? sc->sim.rollout_quota : 1000;
  int64_t dmin = o->deadline / 60000;
  if (dmin < 1) dmin = 1;
  /* the slowest constant rate whose rollout fits in the deadline */
  int64_t slow = (n + dmin - 1) / dmin;
  if (slow > quota) slow = quota;
  if (slow < 1) slow = 1;
  char nb[32], dl[64], sb[32];
  fmt_count(n, nb, sizeof nb);
  sim_duration_format(o->deadline, dl, sizeof dl);
  fmt_count(slow, sb, sizeof sb);
  /* a rate above the targeted things per minute notifies them all in the
   * first minute, as the quota does: the top of the list */
  int64_t top = quota < n ? quota : n;
  if (slow > top) slow = top;
  if (!o->set_rates) {
    o->n_rates = 0;
    o->rates[o->n_rates++] = nice((double)slow, true) > top ? top : nice((double)slow, true);
    for (int i = 1; i <= 4; i++) {
      double x = (double)slow * pow((double)top / (double)slow, i / 4.0);
      int64_t r = i == 4 ? top : nice(x, false);
      if (r > top) r = top;
      if (!has_i64(o->rates, o->n_rates, r)) o->rates[o->n_rates++] = r;
    }
  }
  int64_t k = (int64_t)llround((double)n * 0.02);
  if (k < 1) k = 1;
  int64_t blo = nice((double)slow / 2.0, false), bhi = nice((double)slow, false);
  if (blo > 1000) blo = 1000;
  if (bhi > 1000) bhi = 1000;
  if (!o->set_exps) {
    o->n_exps = 0;
    o->exps[o->n_exps++] = (plan_exp_rate){blo, 2.0, k};
    o->exps[o->n_exps++] = (plan_exp_rate){blo, 3.0, k};
    if (bhi != blo) o->exps[o->n_exps++] = (plan_exp_rate){bhi, 2.0, k};
  }
  if (!o->set_thresholds) {
    static const double th[] = {2, 5, 10, 20};
    o->n_thresholds = 4;
    for (size_t i = 0; i < 4; i++) o->thresholds[i] = th[i];
  }
  if (!o->set_min_exec) {
    static const int share[] = {1, 2, 5, 10};
    o->n_min_exec = 0;
    for (size_t i = 0; i < 4; i++) {
      int64_t m = (int64_t)llround((double)n * share[i] / 100.0);
      if (m < 1) m = 1;
      if (!has_i64(o->min_exec, o->n_min_exec, m)) o->min_exec[o->n_min_exec++] = m;
    }
  }
  if (!why || !wn) return;
  char b[1024];
  size_t l = 0;
  l += (size_t)snprintf(b + l, sizeof b - l, "%zu candidates = %zu rollouts x %zu thresholds "
                                             "x %zu minimum-executed counts",
                        plan_planner_count(o), o->n_rates + o->n_exps, o->n_thresholds,
                        o->n_min_exec);
  char list[400];
  list[0] = 0;
  for (size_t i = 0; i < o->n_rates; i++) {
    size_t ll = strlen(list);
    snprintf(list + ll, sizeof list - ll, "%s%" PRId64, i ? ", " : "", o->rates[i]);
  }
  if (l < sizeof b)
    l += (size_t)snprintf(b + l, sizeof b - l, "; constant rates %s/min%s", list,
                          o->set_rates ? " (--rates)" : "");
  if (!o->set_rates && l < sizeof b)
    l += (size_t)snprintf(b + l, sizeof b - l,
                          ", from the slowest whose rollout of the %s targeted things fits "
                          "in %s up to %s",
                          nb, dl, top < quota ? "the targeted things per minute (a faster "
                                                "rate notifies them all in the first minute)"
                                              : "the rollout quota");
  list[0] = 0;
  for (size_t i = 0; i < o->n_exps; i++) {
    size_t ll = strlen(list);
    char f[32];
    fmt_num(o->exps[i].factor, f, sizeof f);
    snprintf(list + ll, sizeof list - ll, "%s%" PRId64 ":%s:%" PRId64, i ? ", " : "",
             o->exps[i].base, f, o->exps[i].notified);
  }
  if (l < sizeof b)
    l += (size_t)snprintf(b + l, sizeof b - l, "; exponential base:factor:notified %s%s",
                          o->n_exps ? list : "none", o->set_exps ? " (--exponential)" : "");
  if (!o->set_exps && l < sizeof b) {
    char kb[32];
    fmt_count(k, kb, sizeof kb);
    l += (size_t)snprintf(b + l, sizeof b - l,
                          " (starting at half and all of the slowest rate %s/min, growing x2 "
                          "or x3 every %s notified, 2 %% of the targeted things)",
                          sb, kb);
  }
  list[0] = 0;
  for (size_t i = 0; i < o->n_thresholds; i++) {
    size_t ll = strlen(list);
    char t[32];
    fmt_num(o->thresholds[i], t, sizeof t);
    snprintf(list + ll, sizeof list - ll, "%s%s", i ? ", " : "", t);
  }
  if (l < sizeof b)
    l += (size_t)snprintf(b + l, sizeof b - l, "; thresholds %s %%%s", list,
                          o->set_thresholds ? " (--thresholds)" : "");
  list[0] = 0;
  for (size_t i = 0; i < o->n_min_exec; i++) {
    size_t ll = strlen(list);
    snprintf(list + ll, sizeof list - ll, "%s%" PRId64, i ? ", " : "", o->min_exec[i]);
  }
  if (l < sizeof b)
    l += (size_t)snprintf(b + l, sizeof b - l, "; minimum executed %s%s", list,
                          o->set_min_exec ? " (--min-executed)"
                                          : " (1, 2, 5, 10 % of the targeted things)");
  snprintf(why, wn, "%s", b);
}

/* -------------------------------------------------------------- worlds --- */

static bool targeted_group(const model_scenario *sc, size_t g) {
  for (size_t i = 0; i < sc->job.n_targets; i++)
    if (sc->targets[i].group == (long)g) return true;
  return false;
}

static void add_line(char *err, size_t en, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_line(char *err, size_t en, const char *fmt, ...) {
  size_t l = strlen(err);
  if (l + 2 >= en) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err + l, en - l, fmt, ap);
  va_end(ap);
  l = strlen(err);
  if (l + 1 < en) err[l] = '\n', err[l + 1] = 0;
}

bool plan_planner_worlds(const model_scenario *sc, const plan_planner_opts *o,
                         char names[9][72], size_t *n, bool *default_bad, char *err,
                         size_t en) {
  *n = 0;
  *default_bad = false;
  if (en) err[0] = 0;
  char list[1024];
  model_world_list(sc, list, sizeof list);
  bool ok = true;
  if (!sc->n_worlds) {
    if (o->healthy && strcmp(o->healthy, "healthy") != 0) {
      add_line(err, en, "--healthy %s: the scenario has no $.worlds (without worlds the "
                        "healthy world is the scenario as written, named 'healthy')%s",
               o->healthy, "");
      ok = false;
    }
    if (o->bad && strcmp(o->bad, "bad-release") != 0) {
      add_line(err, en, "--bad %s: the scenario has no $.worlds (without worlds the bad "
                        "release is the default one, named 'bad-release')%s", o->bad, "");
      ok = false;
    }
    snprintf(names[(*n)++], 72, "healthy");
    snprintf(names[(*n)++], 72, "bad-release");
    *default_bad = true;
    return ok;
  }
  long hw = -1;
  if (o->healthy) {
    hw = model_world_find(sc, o->healthy);
    if (hw < 0) {
      add_line(err, en, "--healthy %s: no such world (the worlds are %s)", o->healthy, list);
      ok = false;
    }
  } else {
    hw = model_world_find(sc, "healthy");
    for (size_t w = 0; hw < 0 && w < sc->n_worlds; w++)
      if (!sc->worlds[w].n_affects) hw = (long)w;
    if (hw < 0) {
      add_line(err, en, "no healthy world: name one 'healthy', give one \"affects\": [], or "
                        "pass --healthy WORLD (the worlds are %s)%s", list, "");
      ok = false;
    }
  }
  if (o->bad) {
    long bw = model_world_find(sc, o->bad);
    if (bw < 0) {
      add_line(err, en, "--bad %s: no such world (the worlds are %s)", o->bad, list);
      ok = false;
    } else if (bw == hw) {
      add_line(err, en, "--bad %s: that is the healthy world%s", o->bad, "");
      ok = false;
    }
  }
  if (!ok) return false;
  snprintf(names[(*n)++], 72, "%s", sc->worlds[hw].name);
  for (size_t w = 0; w < sc->n_worlds && *n < 8; w++) {
    if ((long)w == hw) continue;
    bool pick = o->bad ? strcmp(o->bad, sc->worlds[w].name) == 0 : sc->worlds[w].n_affects > 0;
    if (pick) snprintf(names[(*n)++], 72, "%s", sc->worlds[w].name);
  }
  if (*n < 2) {
    const char *nm = "bad-release";
    if (model_world_find(sc, nm) >= 0) nm = "default-bad-release";
    snprintf(names[(*n)++], 72, "%s", nm);
    *default_bad = true;
  }
  return true;
}

/* Add the default bad release (and, without worlds, the healthy world) to
 * a copy of the scenario document. */
static int add_default_bad(cJSON *root, const model_scenario *sc, const char *bad_name,
                           sim_diag *d) {
  cJSON *worlds = cJSON_GetObjectItemCaseSensitive(root, "worlds");
  if (!worlds) {
    worlds = cJSON_AddObjectToObject(root, "worlds");
    cJSON *h = worlds ? cJSON_AddObjectToObject(worlds, "healthy") : NULL;
    if (!h) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    cJSON_AddStringToObject(h, "description", "the scenario as written");
    cJSON_AddArrayToObject(h, "affects");
  }
  cJSON *b = cJSON_AddObjectToObject(worlds, bad_name);
  cJSON *beh = b ? cJSON_AddObjectToObject(b, "behaviors") : NULL;
  cJSON *aff = b ? cJSON_AddArrayToObject(b, "affects") : NULL;
  if (!beh || !aff) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  cJSON_AddStringToObject(b, "description", PLAN_DEFAULT_BAD_DESC);
  for (size_t g = 0; g < sc->fleet.n_groups; g++) {
    if (!targeted_group(sc, g)) continue;
    const char *bn = sc->fleet.behaviors[sc->fleet.groups[g].behavior].name;
    cJSON_AddItemToArray(aff, cJSON_CreateString(sc->fleet.groups[g].name));
    if (cJSON_GetObjectItemCaseSensitive(beh, bn)) continue;
    cJSON *x = cJSON_AddObjectToObject(beh, bn);
    cJSON *oc = x ? cJSON_AddObjectToObject(x, "outcomes") : NULL;
    if (!oc) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    cJSON_AddNumberToObject(oc, "FAILED", 1);
  }
  return SIM_OK;
}

static void candidate_release(plan_candidate *c, size_t nw) {
  if (c->world)
    for (size_t w = 0; w < nw; w++)
      if (c->world[w] != c->sc) model_scenario_free(c->world[w]);
  model_scenario_free(c->sc);
  if (c->m)
    for (size_t w = 0; w < nw; w++) free(c->m[w]);
  free(c->m);
  free(c->world);
  free(c->have);
  free(c->need);
  free(c->job_json);
}

void plan_result_free(plan_result *r) {
  if (!r) return;
  for (size_t i = 0; i < r->n; i++) candidate_release(&r->c[i], r->n_worlds);
  free(r->c);
  for (size_t w = 0; w < r->n_worlds; w++) free(r->world_names[w]);
  model_scenario_free(r->own_base);
  free(r);
}

/* ------------------------------------------------------------ building --- */

static cJSON *rollout_json(const plan_candidate *c) {
  cJSON *r = cJSON_CreateObject();
  if (!r) return NULL;
  if (!c->exponential) {
    cJSON_AddNumberToObject(r, "maximumPerMinute", (double)c->rate);
    return r;
  }
  cJSON *e = cJSON_AddObjectToObject(r, "exponentialRate");
  cJSON_AddNumberToObject(e, "baseRatePerMinute", (double)c->exp.base);
  cJSON_AddNumberToObject(e, "incrementFactor", c->exp.factor);
  cJSON *k = cJSON_AddObjectToObject(e, "rateIncreaseCriteria");
  cJSON_AddNumberToObject(k, "numberOfNotifiedThings", (double)c->exp.notified);
  cJSON_AddNumberToObject(r, "maximumPerMinute", (double)c->rate);
  return r;
}

static cJSON *abort_json(const plan_candidate *c, const char *failure_type) {
  cJSON *a = cJSON_CreateObject();
  cJSON *l = cJSON_AddArrayToObject(a, "criteriaList");
  cJSON *k = cJSON_CreateObject();
  cJSON_AddStringToObject(k, "failureType", failure_type);
  cJSON_AddStringToObject(k, "action", "CANCEL");
  cJSON_AddNumberToObject(k, "thresholdPercentage", c->threshold);
  cJSON_AddNumberToObject(k, "minNumberOfExecutedThings", (double)c->min_executed);
  cJSON_AddItemToArray(l, k);
  return a;
}

/* A cJSON value as the AWS CLI prints JSON (reports/jsonw.h): integral
 * numbers without a decimal point, others with one. */
static void emit(report_jsonw *w, const cJSON *v) {
  if (cJSON_IsObject(v)) {
    report_jsonw_object(w);
    for (const cJSON *c = v->child; c; c = c->next) {
      report_jsonw_key(w, c->string);
      emit(w, c);
    }
    report_jsonw_end_object(w);
  } else if (cJSON_IsArray(v)) {
    report_jsonw_array(w);
    for (const cJSON *c = v->child; c; c = c->next) emit(w, c);
    report_jsonw_end_array(w);
  } else if (cJSON_IsString(v)) {
    report_jsonw_string(w, v->valuestring);
  } else if (cJSON_IsNumber(v)) {
    double x = v->valuedouble;
    if (x == floor(x) && fabs(x) < 9007199254740992.0) report_jsonw_int(w, (int64_t)x);
    else report_jsonw_double(w, x);
  } else if (cJSON_IsBool(v)) {
    report_jsonw_bool(w, cJSON_IsTrue(v));
  } else {
    report_jsonw_raw(w, "null");
  }
}

/* The first batch of every (candidate, world): a screening batch of 2/5 of
 * -n (at least 10) when -n is 25 or more, since most candidates fail
 * clearly; later batches add -n. */
static size_t first_batch(const plan_planner_opts *o) {
  size_t f = o->initial >= 25 ? o->initial * 2 / 5 : o->initial;
  if (f < 10 && o->initial >= 10) f = 10;
  return f > o->max ? o->max : f;
}

static int build(plan_result *r, plan_candidate *c, const cJSON *root, const char *ft,
                 sim_diag *d) {
  cJSON *doc = cJSON_Duplicate(root, 1);
  if (!doc) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  cJSON *job = cJSON_GetObjectItemCaseSensitive(doc, "job");
  if (!c->baseline) {
    cJSON *ro = rollout_json(c), *ab = abort_json(c, ft);
    if (!ro || !ab) {
      cJSON_Delete(ro);
      cJSON_Delete(ab);
      cJSON_Delete(doc);
      return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    }
    if (cJSON_GetObjectItemCaseSensitive(job, "jobExecutionsRolloutConfig"))
      cJSON_ReplaceItemInObjectCaseSensitive(job, "jobExecutionsRolloutConfig", ro);
    else
      cJSON_AddItemToObject(job, "jobExecutionsRolloutConfig", ro);
    if (cJSON_GetObjectItemCaseSensitive(job, "abortConfig"))
      cJSON_ReplaceItemInObjectCaseSensitive(job, "abortConfig", ab);
    else
      cJSON_AddItemToObject(job, "abortConfig", ab);
  }
  report_jsonw jw;
  report_jsonw_init(&jw, false);
  emit(&jw, job);
  c->job_json = report_jsonw_take(&jw, NULL);
  report_jsonw_release(&jw);
  char *text = cJSON_PrintUnformatted(doc);
  cJSON_Delete(doc);
  if (!text || !c->job_json) {
    cJSON_free(text);
    return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  }
  int rc = model_scenario_load_text(&c->sc, r->base->file, text, strlen(text), d);
  cJSON_free(text);
  if (rc) return rc;
  c->sc->sim = r->base->sim;
  size_t nw = r->n_worlds;
  c->world = calloc(nw, sizeof *c->world);
  c->m = calloc(nw, sizeof *c->m);
  c->have = calloc(nw, sizeof *c->have);
  c->need = calloc(nw, sizeof *c->need);
  if (!c->world || !c->m || !c->have || !c->need)
    return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  for (size_t w = 0; w < nw; w++) {
    if ((rc = model_world_load(&c->world[w], c->sc, r->world_names[w], d))) return rc;
    if (!(c->m[w] = calloc(r->o.max, sizeof *c->m[w])))
      return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    /* bad worlds once the healthy world has not failed (schedule_more);
     * the baseline everywhere at once */
    c->need[w] = w == 0 || c->baseline ? first_batch(&r->o) : 0;
  }
  return SIM_OK;
}

/* The baseline's descriptions, from the job as written. */
static void describe_baseline(plan_candidate *c, const model_scenario *sc) {
  const model_jobcfg *j = &sc->job;
  int64_t quota = sc->sim.rollout_quota;
  int64_t cap = j->has_max_per_minute ? j->max_per_minute : 1000;
  if (cap > quota) cap = quota;
  c->rate = cap;
  c->exponential = j->has_exponential;
  if (j->has_exponential) {
    char f[32];
    fmt_num(j->increment_factor, f, sizeof f);
    c->exp = (plan_exp_rate){j->base_rate_per_minute, j->increment_factor,
                             j->has_notified_criterion ? j->notified_things : 0};
    if (j->has_notified_criterion)
      snprintf(c->rollout, sizeof c->rollout,
               "yours: exp %" PRId64 "/min x%s per %" PRId64 " notified, max %" PRId64,
               j->base_rate_per_minute, f, j->notified_things, cap);
    else
      snprintf(c->rollout, sizeof c->rollout,
               "yours: exp %" PRId64 "/min x%s per %" PRId64 " succeeded, max %" PRId64,
               j->base_rate_per_minute, f, j->succeeded_things, cap);
  } else {
    snprintf(c->rollout, sizeof c->rollout, "yours: constant %" PRId64 "/min%s", cap,
             j->has_max_per_minute ? "" : " (default)");
  }
  if (!j->n_abort) {
    snprintf(c->abort, sizeof c->abort, "none");
    c->threshold = 0;
    c->min_executed = 0;
    return;
  }
  char t[32];
  fmt_num(j->abort[0].threshold_percentage, t, sizeof t);
  c->threshold = j->abort[0].threshold_percentage;
  c->min_executed = j->abort[0].min_executed;
  snprintf(c->abort, sizeof c->abort, "%s >= %s%% after %" PRId64 "%s",
           model_failure_type_name(j->abort[0].failure_type), t, j->abort[0].min_executed,
           j->n_abort > 1 ? " (+ more)" : "");
}

/* ----------------------------------------------------------- decisions --- */

static void estimate(plan_estimate *e, int64_t k, int64_t n, double limit, bool at_least) {
  e->k = k;
  e->n = n;
  e->p = n ? (double)k / (double)n : 0.0;
  plan_wilson(k, n, PLAN_Z95, &e->lo, &e->hi);
  e->decision = n ? plan_decide(k, n, limit, at_least, PLAN_Z95) : PLAN_PASS;
  e->evaluated = n > 0;
}

static void finalize_estimate(plan_estimate *e, double limit, bool at_least) {
  if (e->decision != PLAN_CLOSE) return;
  e->at_cap = true;
  bool ok = at_least ? e->p >= limit : e->p <= limit;
  e->decision = ok ? PLAN_PASS : PLAN_FAIL;
}

static const size_t *world_affects(const plan_result *r, size_t w, size_t *n) {
  long i = model_world_find(r->base, r->world_names[w]);
  *n = r->base->worlds[i].n_affects;
  return r->base->worlds[i].affects;
}

/* The deadline measure of one replication, -1 when not reached. */
static sim_time_ms measure(const plan_metrics *m, plan_deadline_for f) {
  if (f == PLAN_DL_ROLLOUT) return m->rollout_end;
  if (f == PLAN_DL_TERMINAL) return m->terminal_at;
  return m->completed ? m->completion : -1;
}

static void evaluate(const plan_result *r, plan_candidate *c) {
  const plan_planner_opts *o = &r->o;
  const plan_metrics *h = c->m[0];
  int64_t n = (int64_t)c->have[0], met = 0, ab = 0;
  for (int64_t i = 0; i < n; i++) {
    sim_time_ms t = measure(&h[i], o->deadline_for);
    met += t >= 0 && t <= o->deadline;
    ab += h[i].aborted != 0;
  }
  estimate(&c->est[PLAN_C_DEADLINE], met, n, o->confidence, true);
  estimate(&c->est[PLAN_C_FALSE_ABORT], ab, n, o->has_false_abort ? o->max_false_abort : 1.0,
           false);
  if (!o->has_false_abort) c->est[PLAN_C_FALSE_ABORT].decision = PLAN_PASS;
  plan_decision dec = PLAN_PASS;
  size_t worst = 0;
  for (size_t w = 1; w < r->n_worlds; w++) {
    int64_t nb = (int64_t)c->have[w], ok = 0;
    for (int64_t i = 0; i < nb; i++)
      ok += !o->has_exposure || c->m[w][i].exposure <= o->max_exposure;
    plan_estimate *b = &c->bad_est[w - 1];
    estimate(b, ok, nb, o->confidence, true);
    if (!o->has_exposure) b->decision = PLAN_PASS;
    if (b->decision == PLAN_FAIL) dec = PLAN_FAIL;
    else if (b->decision == PLAN_CLOSE && dec != PLAN_FAIL) dec = PLAN_CLOSE;
    if (b->evaluated && (!c->bad_est[worst].evaluated || b->p < c->bad_est[worst].p))
      worst = w - 1;
  }
  c->est[PLAN_C_EXPOSURE] = c->bad_est[worst];
  c->est[PLAN_C_EXPOSURE].decision = dec;
}

static bool failing(const plan_candidate *c) {
  for (int k = 0; k < PLAN_C_COUNT; k++)
    if (c->est[k].decision == PLAN_FAIL) return true;
  return false;
}

static void schedule_more(const plan_result *r, plan_candidate *c, bool *more) {
  if (failing(c)) return;
  size_t cap = r->o.max;
  /* bad worlds only once the healthy world has not failed */
  for (size_t w = 1; w < r->n_worlds; w++)
    if (c->need[w] == 0) {
      c->need[w] = first_batch(&r->o);
      *more = true;
    }
  if ((c->est[PLAN_C_DEADLINE].decision == PLAN_CLOSE ||
       c->est[PLAN_C_FALSE_ABORT].decision == PLAN_CLOSE) &&
      c->have[0] < cap) {
    c->need[0] = c->have[0] + r->o.initial < cap ? c->have[0] + r->o.initial : cap;
    *more = true;
  }
  for (size_t w = 1; w < r->n_worlds; w++)
    if (c->bad_est[w - 1].decision == PLAN_CLOSE && c->have[w] < cap) {
      c->need[w] = c->have[w] + r->o.initial < cap ? c->have[w] + r->o.initial : cap;
      *more = true;
    }
}

/* Progress: candidates with nothing left to run. */
typedef struct round_progress {
  plan_result *r;
  size_t round, before;
  size_t batch_total;          /* items of the whole round */
  size_t batch_before;         /* items of earlier groups of this round */
} round_progress;

static void progress_cb(void *ud, size_t done, size_t total) {
  round_progress *rp = ud;
  plan_result *r = rp->r;
  (void)total;
  size_t decided = 0;
  for (size_t i = 0; i < r->n; i++) {
    bool open = false;
    for (size_t w = 0; w < r->n_worlds && !open; w++) open = r->c[i].have[w] < r->c[i].need[w];
    decided += !open;
  }
  plan_progress p = {.reps_done = rp->before + rp->batch_before + done,
                     .batch_done = rp->batch_before + done,
                     .batch_total = rp->batch_total,
                     .round = rp->round,
                     .candidates = r->n,
                     .decided = decided};
  r->o.progress(r->o.progress_ud, &p);
}

/* Run every (candidate, world) whose have < need, grouped by (have, need). */
static int run_round(plan_result *r, size_t round, sim_diag *d) {
  size_t nt = r->n * r->n_worlds;
  plan_task *tasks = calloc(nt ? nt : 1, sizeof *tasks);
  size_t *who = calloc(nt ? nt : 1, sizeof *who);
  bool *done = calloc(nt ? nt : 1, sizeof *done);
  int rc = SIM_OK;
  if (!tasks || !who || !done) {
    rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    goto out;
  }
  round_progress rp = {.r = r, .round = round, .before = r->replications};
  for (size_t i = 0; i < nt; i++) {
    const plan_candidate *c = &r->c[i / r->n_worlds];
    size_t w = i % r->n_worlds;
    if (c->have[w] < c->need[w]) rp.batch_total += c->need[w] - c->have[w];
  }
  plan_reps_progress pg = {progress_cb, &rp, 250};
  for (;;) {
    /* the first pending group, in (candidate, world) order */
    size_t have = 0, need = 0;
    bool found = false;
    for (size_t i = 0; i < nt && !found; i++) {
      plan_candidate *c = &r->c[i / r->n_worlds];
      size_t w = i % r->n_worlds;
      if (!done[i] && c->have[w] < c->need[w]) {
        have = c->have[w], need = c->need[w];
        found = true;
      }
    }
    if (!found) break;
    size_t k = 0;
    for (size_t i = 0; i < nt; i++) {
      plan_candidate *c = &r->c[i / r->n_worlds];
      size_t w = i % r->n_worlds;
      if (done[i] || c->have[w] != have || c->need[w] != need) continue;
      size_t na = 0;
      const size_t *af = w ? world_affects(r, w, &na) : NULL;
      tasks[k] = (plan_task){c->world[w], af, na};
      who[k++] = i;
      done[i] = true;
    }
    size_t cnt = need - have;
    plan_metrics *buf = calloc(k * cnt, sizeof *buf);
    if (!buf) {
      rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
      goto out;
    }
    rc = plan_reps_run_progress(tasks, k, have, cnt, r->o.seed, r->o.threads,
                                r->o.terminal_pct, buf, r->o.progress ? &pg : NULL, d);
    if (!rc)
      for (size_t j = 0; j < k; j++) {
        plan_candidate *c = &r->c[who[j] / r->n_worlds];
        size_t w = who[j] % r->n_worlds;
        memcpy(c->m[w] + have, buf + j * cnt, cnt * sizeof *buf);
        c->have[w] = need;
      }
    r->replications += k * cnt;
    rp.batch_before += k * cnt;
    free(buf);
    if (rc) goto out;
  }
out:
  free(tasks);
  free(who);
  free(done);
  return rc;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* v may hold INT64_MAX ("never"), so no sums here. */
static int64_t quantile_of(int64_t *v, size_t n, double conf) {
  if (!n) return INT64_MAX;
  qsort(v, n, sizeof *v, cmp_i64);
  int permille = (int)ceil(conf * 1000.0 - 1e-9);
  if (permille < 1) permille = 1;
  if (permille > 1000) permille = 1000;
  return plan_quantile_sorted(v, n, permille);
}

static int cmp_rank(const void *a, const void *b) {
  const plan_candidate *x = *(plan_candidate *const *)a, *y = *(plan_candidate *const *)b;
  if (x->t_q != y->t_q) return x->t_q < y->t_q ? -1 : 1;
  if (x->e_q != y->e_q) return x->e_q < y->e_q ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

static const char *const cname[PLAN_C_COUNT] = {"deadline", "false-abort limit",
                                                "exposure limit"};

/* Counted over the grid's candidates (not the baseline). */
static void find_binding(plan_result *r) {
  size_t fails[PLAN_C_COUNT] = {0}, only[PLAN_C_COUNT] = {0}, ng = 0;
  for (size_t i = 0; i < r->n; i++) {
    const plan_candidate *c = &r->c[i];
    if (c->baseline) continue;
    ng++;
    int nf = 0, last = -1;
    for (int k = 0; k < PLAN_C_COUNT; k++)
      if (c->est[k].decision == PLAN_FAIL) nf++, last = k, fails[k]++;
    if (nf == 1) only[last]++;
  }
  int best = -1;
  for (int k = 0; k < PLAN_C_COUNT; k++)
    if (only[k] && (best < 0 || only[k] > only[best])) best = k;
  if (best >= 0) {
    snprintf(r->binding, sizeof r->binding,
             "the %s binds: %zu of %zu candidates fail only it (deadline fails %zu, "
             "false-abort limit %zu, exposure limit %zu)",
             cname[best], only[best], ng, fails[0], fails[1], fails[2]);
  } else {
    int most = 0;
    for (int k = 1; k < PLAN_C_COUNT; k++)
      if (fails[k] > fails[most]) most = k;
    snprintf(r->binding, sizeof r->binding,
             "the constraints bind together: no candidate fails only one of them "
             "(deadline fails %zu, false-abort limit %zu, exposure limit %zu; the %s "
             "rejects the most)",
             fails[0], fails[1], fails[2], cname[most]);
  }
}

uint64_t plan_planner_memory_estimate(const model_scenario *sc, const plan_planner_opts *o) {
  const double fixed = 32.0 * 1024 * 1024;
  double cands = (double)plan_planner_count(o) + 1.0;
  double worlds = sc->n_worlds < 2 ? 2 : sc->n_worlds > 9 ? 9 : (double)sc->n_worlds;
  double copy = 2.0 * (double)strlen(sc->json_text) + 3072.0;   /* as plan/sweep.c */
  double results = cands * worlds * (double)o->max * sizeof(plan_metrics) * 2.0;
  double engine = (double)model_scenario_memory_estimate(sc) - fixed;
  double bytes = fixed + cands * (1 + worlds) * copy + results +
                 (double)(o->threads ? o->threads : 1) * (engine > 0 ? engine : 0);
  return bytes > 1.8e19 ? UINT64_MAX : (uint64_t)bytes;
}

void plan_fmt_duration(int64_t ms, char *b, size_t n) {
  if (ms == INT64_MAX || ms < 0) {
    snprintf(b, n, "never");
    return;
  }
  /* rounded up to the unit shown, so that a time shown as meeting a limit
   * does */
  int64_t s = (ms + 999) / 1000;
  if (s < 60) {
    snprintf(b, n, "%" PRId64 "s", s);
    return;
  }
  if (s < 3600) {
    snprintf(b, n, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
    return;
  }
  int64_t m = (s + 59) / 60;
  if (m < 1440) snprintf(b, n, "%" PRId64 "h%02" PRId64 "m", m / 60, m % 60);
  else {
    int64_t h = (m + 59) / 60;
    snprintf(b, n, "%" PRId64 "d%02" PRId64 "h", h / 24, h % 24);
  }
}

/* The smallest limits some candidate meets and the closest candidate, when
 * nothing is feasible (plan_result.advice). */
static void advise(plan_result *r) {
  const plan_planner_opts *o = &r->o;
  size_t bt = SIZE_MAX, be = SIZE_MAX, bp = SIZE_MAX, close = SIZE_MAX;
  double best_score = INFINITY;
  for (size_t i = 0; i < r->n; i++) {
    const plan_candidate *c = &r->c[i];
    if (c->t_q != INT64_MAX && (bt == SIZE_MAX || c->t_q < r->c[bt].t_q)) bt = i;
    if (c->e_q >= 0 && (be == SIZE_MAX || c->e_q < r->c[be].e_q)) be = i;
    if (c->have[0] && (bp == SIZE_MAX || c->p_abort < r->c[bp].p_abort)) bp = i;
    /* how far each applied limit would have to move, as a ratio */
    double score = c->t_q == INT64_MAX ? INFINITY : (double)c->t_q / (double)o->deadline;
    if (o->has_exposure)
      score = fmax(score, c->e_q < 0 ? INFINITY
                                     : (double)c->e_q / fmax(1.0, (double)o->max_exposure));
    if (o->has_false_abort)
      score = fmax(score, c->p_abort / fmax(1e-3, o->max_false_abort));
    if (score < best_score) best_score = score, close = i;
  }
  char dn[32], b[2048];
  plan_deadline_for_name(o->deadline_for, o->terminal_pct, dn, sizeof dn);
  size_t l = 0;
  if (bt != SIZE_MAX) {
    char t[32];
    plan_fmt_duration(r->c[bt].t_q, t, sizeof t);
    l += (size_t)snprintf(b + l, sizeof b - l,
                          "smallest deadline met (%s, q%d): %s, by candidate %zu (%s; %s)",
                          dn, (int)ceil(o->confidence * 100 - 1e-9), t, r->c[bt].id,
                          r->c[bt].rollout, r->c[bt].abort);
    char m0[32], m1[32], pn[32];
    plan_fmt_duration(r->c[bt].t_all[PLAN_DL_ROLLOUT], m0, sizeof m0);
    plan_fmt_duration(r->c[bt].t_all[PLAN_DL_TERMINAL], m1, sizeof m1);
    plan_deadline_for_name(PLAN_DL_TERMINAL, o->terminal_pct, pn, sizeof pn);
    if (o->deadline_for == PLAN_DL_COMPLETED && l < sizeof b)
      l += (size_t)snprintf(b + l, sizeof b - l,
                            "; the same candidate's rollout ends by %s and %s is reached by "
                            "%s: COMPLETED waits for the slowest device (one offline "
                            "or hanging until its timeout), so try --deadline-for %s",
                            m0, pn, m1, pn);
    if (l < sizeof b) l += (size_t)snprintf(b + l, sizeof b - l, "\n");
  } else {
    char t[32];
    plan_fmt_duration(r->base->sim.until, t, sizeof t);
    l += (size_t)snprintf(b + l, sizeof b - l,
                          "smallest deadline met (%s): none; no candidate reaches it in %d%% "
                          "of the healthy runs within the horizon (simulation.until %s)\n",
                          dn, (int)ceil(o->confidence * 100 - 1e-9), t);
  }
  if (be != SIZE_MAX && l < sizeof b)
    l += (size_t)snprintf(b + l, sizeof b - l,
                          "smallest exposure met (q%d): %" PRId64 " things, by candidate %zu "
                          "(%s; %s)%s\n",
                          (int)ceil(o->confidence * 100 - 1e-9), r->c[be].e_q, r->c[be].id,
                          r->c[be].rollout, r->c[be].abort,
                          o->has_exposure ? "" : " (the limit is not applied)");
  if (bp != SIZE_MAX && l < sizeof b)
    l += (size_t)snprintf(b + l, sizeof b - l,
                          "smallest false-abort probability: %.3f, by candidate %zu (%s; %s)%s\n",
                          r->c[bp].p_abort, r->c[bp].id, r->c[bp].rollout, r->c[bp].abort,
                          o->has_false_abort ? "" : " (the limit is not applied)");
  if (close != SIZE_MAX && l < sizeof b) {
    const plan_candidate *c = &r->c[close];
    char t[32], dl[32];
    plan_fmt_duration(c->t_q, t, sizeof t);
    plan_fmt_duration(o->deadline, dl, sizeof dl);
    l += (size_t)snprintf(b + l, sizeof b - l,
                          "closest on all applied limits: candidate %zu (%s; %s): T %s "
                          "(deadline %s)",
                          c->id, c->rollout, c->abort, t, dl);
    if (o->has_exposure && l < sizeof b) {
      if (c->e_q >= 0)
        l += (size_t)snprintf(b + l, sizeof b - l, ", exposure %" PRId64 " (max %" PRId64 ")",
                              c->e_q, o->max_exposure);
      else
        l += (size_t)snprintf(b + l, sizeof b - l, ", exposure not measured");
    }
    if (o->has_false_abort && l < sizeof b)
      l += (size_t)snprintf(b + l, sizeof b - l, ", P(false abort) %.3f (max %.3g)",
                            c->p_abort, o->max_false_abort);
    if (l < sizeof b) l += (size_t)snprintf(b + l, sizeof b - l, "\n");
  }
  snprintf(r->advice, sizeof r->advice, "%s", b);
}

/* The pick against the baseline (plan_result.verdict). */
static void compare(plan_result *r) {
  const plan_candidate *y = NULL;
  for (size_t i = 0; i < r->n && !y; i++)
    if (r->c[i].baseline) y = &r->c[i];
  if (!y) return;
  char why[512] = "";
  for (int k = 0; k < PLAN_C_COUNT; k++)
    if (y->est[k].decision == PLAN_FAIL) {
      size_t l = strlen(why);
      snprintf(why + l, sizeof why - l, "%s%s", l ? " and the " : "the ", cname[k]);
    }
  char yt[32];
  plan_fmt_duration(y->t_q, yt, sizeof yt);
  if (r->chosen == SIZE_MAX) {
    snprintf(r->verdict, sizeof r->verdict, "yours (%s; %s) %s%s; T %s", y->rollout + 7,
             y->abort, y->feasible ? "meets every limit" : "fails ", y->feasible ? "" : why,
             yt);
    return;
  }
  const plan_candidate *p = &r->c[r->chosen];
  if (p->baseline) {
    snprintf(r->verdict, sizeof r->verdict,
             "yours (%s; %s) is the best: it meets every limit and no candidate of the grid "
             "is faster; keep your settings",
             y->rollout + 7, y->abort);
    return;
  }
  char dt[160], de[64], pt[32];
  plan_fmt_duration(p->t_q, pt, sizeof pt);
  if (y->t_q == INT64_MAX) snprintf(dt, sizeof dt, "T %s where yours never gets there", pt);
  else if (p->t_q <= y->t_q) {
    char x[32];
    plan_fmt_duration(y->t_q - p->t_q, x, sizeof x);
    snprintf(dt, sizeof dt, "T %s, %s sooner than yours (%s)", pt, x, yt);
  } else {
    char x[32];
    plan_fmt_duration(p->t_q - y->t_q, x, sizeof x);
    snprintf(dt, sizeof dt, "T %s, %s later than yours (%s)", pt, x, yt);
  }
  if (p->e_q >= 0 && y->e_q >= 0)
    snprintf(de, sizeof de, "exposure %" PRId64 " against %" PRId64, p->e_q, y->e_q);
  else
    snprintf(de, sizeof de, "exposure not measured");
  if (y->feasible)
    snprintf(r->verdict, sizeof r->verdict,
             "yours (%s; %s) also meets every limit; the pick is ranked ahead: %s, %s",
             y->rollout + 7, y->abort, dt, de);
  else
    snprintf(r->verdict, sizeof r->verdict,
             "yours (%s; %s) fails %s; the pick meets every limit: %s, %s", y->rollout + 7,
             y->abort, why, dt, de);
}

int plan_planner_run(plan_result **out, const model_scenario *sc,
                     const plan_planner_opts *o, sim_diag *d) {
  *out = NULL;
  plan_result *r = calloc(1, sizeof *r);
  cJSON *root = NULL;
  int rc = SIM_OK;
  if (!r) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  r->base = sc;
  r->o = *o;
  if (!(r->o.terminal_pct > 0 && r->o.terminal_pct <= 100))
    r->o.terminal_pct = PLAN_TERMINAL_DEFAULT;
  r->chosen = SIZE_MAX;
  r->no_worlds = sc->n_worlds == 0;
  sim_diag_init(d, sc->file);
  char names[9][72], err[1024];
  size_t nw = 0;
  if (!plan_planner_worlds(sc, o, names, &nw, &r->default_bad, err, sizeof err)) {
    size_t l = strlen(err);
    while (l && err[l - 1] == '\n') err[--l] = 0;
    rc = sim_diag_set(d, SIM_ERR_USAGE, "$.worlds", "%s", err);
    goto fail;
  }
  for (size_t w = 0; w < nw; w++)
    if (!(r->world_names[r->n_worlds++] = strdup(names[w]))) {
      rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
      goto fail;
    }
  if ((rc = sim_json_parse(sc->json_text, strlen(sc->json_text), &root, d))) goto fail;
  if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "job"))) {
    rc = sim_diag_set(d, SIM_ERR_SCHEMA, "$.job",
                      "jobsim plan needs the CreateJob request inline in the scenario");
    goto fail;
  }
  if (r->default_bad) {
    if ((rc = add_default_bad(root, sc, r->world_names[r->n_worlds - 1], d))) goto fail;
    char *text = cJSON_PrintUnformatted(root);
    if (!text) {
      rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
      goto fail;
    }
    rc = model_scenario_load_text(&r->own_base, sc->file, text, strlen(text), d);
    cJSON_free(text);
    if (rc) goto fail;
    r->own_base->sim = sc->sim;
    r->base = r->own_base;
  }
  plan_planner_grid(&r->o, r->base, r->grid_why, sizeof r->grid_why);
  o = &r->o;
  const char *ft = sc->job.n_abort ? model_failure_type_name(sc->job.abort[0].failure_type)
                                   : "ALL";
  size_t nro = o->n_rates + o->n_exps, nab = o->n_thresholds * o->n_min_exec;
  r->c = calloc(nro * nab + 1, sizeof *r->c);
  if (!r->c) {
    rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    goto fail;
  }
  /* candidate 0: the baseline */
  {
    plan_candidate *c = &r->c[r->n++];
    c->id = 0;
    c->baseline = true;
    describe_baseline(c, sc);
    if ((rc = build(r, c, root, ft, d))) goto fail;
  }
  int64_t cap_rate = sc->sim.rollout_quota < 1000 ? sc->sim.rollout_quota : 1000;
  for (size_t i = 0; i < nro; i++)
    for (size_t j = 0; j < nab; j++) {
      plan_candidate *c = &r->c[r->n];
      c->id = r->n;
      if (i < o->n_rates) {
        c->rate = o->rates[i];
        snprintf(c->rollout, sizeof c->rollout, "constant %" PRId64 "/min", c->rate);
      } else {
        c->exponential = true;
        c->exp = o->exps[i - o->n_rates];
        c->rate = cap_rate < c->exp.base ? c->exp.base : cap_rate;
        char f[32];
        fmt_num(c->exp.factor, f, sizeof f);
        snprintf(c->rollout, sizeof c->rollout,
                 "exp %" PRId64 "/min x%s per %" PRId64 " notified, max %" PRId64,
                 c->exp.base, f, c->exp.notified, c->rate);
      }
      c->threshold = o->thresholds[j / o->n_min_exec];
      c->min_executed = o->min_exec[j % o->n_min_exec];
      char t[32];
      fmt_num(c->threshold, t, sizeof t);
      snprintf(c->abort, sizeof c->abort, "%s >= %s%% after %" PRId64, ft, t,
               c->min_executed);
      r->n++;
      if ((rc = build(r, c, root, ft, d))) {
        char msg[1200];
        sim_diag_format(d, msg, sizeof msg);
        sim_diag_init(d, sc->file);
        rc = sim_diag_set(d, rc, NULL, "candidate %zu (%s; abort %s) is not a valid job: %s",
                          c->id, c->rollout, c->abort, msg);
        goto fail;
      }
    }
  cJSON_Delete(root);
  root = NULL;

  for (size_t round = 1;; round++) {
    if ((rc = run_round(r, round, d))) goto fail;
    bool more = false;
    for (size_t i = 0; i < r->n; i++) {
      evaluate(r, &r->c[i]);
      schedule_more(r, &r->c[i], &more);
    }
    if (!more) break;
  }
  bool any = false;
  for (size_t i = 0; i < r->n && !any; i++) any = !failing(&r->c[i]);
  if (!any) {   /* nothing feasible: measure every constraint, to say which binds */
    for (size_t i = 0; i < r->n; i++)
      for (size_t w = 1; w < r->n_worlds; w++)
        if (r->c[i].need[w] == 0) r->c[i].need[w] = first_batch(o);
    if ((rc = run_round(r, 0, d))) goto fail;
    for (size_t i = 0; i < r->n; i++) evaluate(r, &r->c[i]);
  }
  /* final decisions, quantiles, ranking */
  plan_candidate **order = calloc(r->n ? r->n : 1, sizeof *order);
  int64_t *v = calloc(o->max ? o->max : 1, sizeof *v);
  if (!order || !v) {
    free(order);
    free(v);
    rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    goto fail;
  }
  size_t nf = 0;
  for (size_t i = 0; i < r->n; i++) {
    plan_candidate *c = &r->c[i];
    /* A candidate that fails a constraint got no more replications; its
     * other close calls stay undecided. Otherwise close calls at the cap
     * are decided by their point estimates. */
    bool settle = !failing(c);
    if (settle) {
      finalize_estimate(&c->est[PLAN_C_DEADLINE], o->confidence, true);
      if (o->has_false_abort)
        finalize_estimate(&c->est[PLAN_C_FALSE_ABORT], o->max_false_abort, false);
    }
    bool exfail = false, exclose = false, exopen = false;
    c->e_q = 0;
    c->p_abort_bad = 1.0;
    for (size_t w = 1; w < r->n_worlds; w++) {
      if (settle && o->has_exposure) finalize_estimate(&c->bad_est[w - 1], o->confidence, true);
      exfail = exfail || c->bad_est[w - 1].decision == PLAN_FAIL;
      exclose = exclose || c->bad_est[w - 1].at_cap;
      exopen = exopen || c->bad_est[w - 1].decision == PLAN_CLOSE ||
               (o->has_exposure && !c->bad_est[w - 1].evaluated);
      for (size_t k = 0; k < c->have[w]; k++) v[k] = c->m[w][k].exposure;
      int64_t q = quantile_of(v, c->have[w], o->confidence);
      if (q > c->e_q) c->e_q = q;
      size_t na = 0;
      for (size_t k = 0; k < c->have[w]; k++) na += c->m[w][k].aborted != 0;
      double pa = c->have[w] ? (double)na / (double)c->have[w] : 0.0;
      if (pa < c->p_abort_bad) c->p_abort_bad = pa;
    }
    /* the exposure estimate shown: the worst bad world */
    size_t worst = 0;
    for (size_t w = 1; w + 1 < r->n_worlds; w++)
      if (c->bad_est[w].evaluated && c->bad_est[w].p < c->bad_est[worst].p) worst = w;
    c->est[PLAN_C_EXPOSURE] = c->bad_est[worst];
    c->est[PLAN_C_EXPOSURE].decision = exfail ? PLAN_FAIL : exopen ? PLAN_CLOSE : PLAN_PASS;
    c->est[PLAN_C_EXPOSURE].at_cap = exclose;
    if (!c->bad_est[worst].evaluated) c->e_q = -1;
    size_t na = 0;
    for (size_t k = 0; k < c->have[0]; k++) na += c->m[0][k].aborted != 0;
    c->p_abort = c->have[0] ? (double)na / (double)c->have[0] : 0.0;
    for (int f = 0; f < PLAN_DL_COUNT; f++) {
      for (size_t k = 0; k < c->have[0]; k++) {
        sim_time_ms t = measure(&c->m[0][k], (plan_deadline_for)f);
        v[k] = t < 0 ? INT64_MAX : t;
      }
      c->t_all[f] = quantile_of(v, c->have[0], o->confidence);
    }
    c->t_q = c->t_all[o->deadline_for];
    c->feasible = true;
    for (int k = 0; k < PLAN_C_COUNT; k++)
      c->feasible = c->feasible && c->est[k].decision == PLAN_PASS;
    if (c->feasible) order[nf++] = c;
  }
  qsort(order, nf, sizeof *order, cmp_rank);
  for (size_t i = 0; i < nf; i++) order[i]->rank = i + 1;
  if (nf) r->chosen = (size_t)(order[0] - r->c);
  else {
    find_binding(r);
    advise(r);
  }
  compare(r);
  free(order);
  free(v);
  *out = r;
  return SIM_OK;
fail:
  cJSON_Delete(root);
  plan_result_free(r);
  return rc;
}

