/*
 * planner.c — candidate grid, sequential replications with common random
 * numbers, decisions, ranking, the table and the output directory.
 */
#define _POSIX_C_SOURCE 200809L
#include "planner.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "duration.h"
#include "json.h"
#include "jsonw.h"
#include "outdir.h"
#include "reps.h"
#include "scenario.h"
#include "sweep.h"

void plan_planner_defaults(plan_planner_opts *o, int64_t quota) {
  static const int64_t rates[] = {100, 200, 400, 700, 1000};
  o->n_rates = 0;
  for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
    if (rates[i] <= quota) o->rates[o->n_rates++] = rates[i];
  o->n_exps = 2;
  o->exps[0] = (plan_exp_rate){50, 2.0, 500};
  o->exps[1] = (plan_exp_rate){100, 2.0, 1000};
  o->n_thresholds = 2;
  o->thresholds[0] = 5, o->thresholds[1] = 10;
  o->n_min_exec = 2;
  o->min_exec[0] = 100, o->min_exec[1] = 500;
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
  free(r);
}

/* ------------------------------------------------------------ building --- */

static void fmt_num(double x, char *b, size_t n) { snprintf(b, n, "%.12g", x); }

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

static int build(plan_result *r, plan_candidate *c, const cJSON *root, const char *ft,
                 const size_t *world_idx, sim_diag *d) {
  cJSON *doc = cJSON_Duplicate(root, 1);
  if (!doc) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  cJSON *job = cJSON_GetObjectItemCaseSensitive(doc, "job");
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
    c->need[w] = w == 0 ? r->o.initial : 0;   /* bad worlds: see schedule_more */
  }
  (void)world_idx;
  return SIM_OK;
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

static void evaluate(const plan_result *r, plan_candidate *c) {
  const plan_planner_opts *o = &r->o;
  const plan_metrics *h = c->m[0];
  int64_t n = (int64_t)c->have[0], met = 0, ab = 0;
  for (int64_t i = 0; i < n; i++) {
    met += h[i].completed && h[i].completion <= o->deadline;
    ab += h[i].aborted != 0;
  }
  estimate(&c->est[PLAN_C_DEADLINE], met, n, o->confidence, true);
  estimate(&c->est[PLAN_C_FALSE_ABORT], ab, n, o->max_false_abort, false);
  plan_decision dec = PLAN_PASS;
  size_t worst = 0;
  for (size_t w = 1; w < r->n_worlds; w++) {
    int64_t nb = (int64_t)c->have[w], ok = 0;
    for (int64_t i = 0; i < nb; i++) ok += c->m[w][i].exposure <= o->max_exposure;
    plan_estimate *b = &c->bad_est[w - 1];
    estimate(b, ok, nb, o->confidence, true);
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
      c->need[w] = r->o.initial;
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

/* Run every (candidate, world) whose have < need, grouped by (have, need). */
static int run_round(plan_result *r, sim_diag *d) {
  size_t nt = r->n * r->n_worlds;
  plan_task *tasks = calloc(nt ? nt : 1, sizeof *tasks);
  size_t *who = calloc(nt ? nt : 1, sizeof *who);
  bool *done = calloc(nt ? nt : 1, sizeof *done);
  int rc = SIM_OK;
  if (!tasks || !who || !done) {
    rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    goto out;
  }
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
    rc = plan_reps_run(tasks, k, have, cnt, r->o.seed, r->o.threads, buf, d);
    if (!rc)
      for (size_t j = 0; j < k; j++) {
        plan_candidate *c = &r->c[who[j] / r->n_worlds];
        size_t w = who[j] % r->n_worlds;
        memcpy(c->m[w] + have, buf + j * cnt, cnt * sizeof *buf);
        c->have[w] = need;
      }
    r->replications += k * cnt;
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

static void find_binding(plan_result *r) {
  size_t fails[PLAN_C_COUNT] = {0}, only[PLAN_C_COUNT] = {0};
  for (size_t i = 0; i < r->n; i++) {
    const plan_candidate *c = &r->c[i];
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
             cname[best], only[best], r->n, fails[0], fails[1], fails[2]);
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
  double cands = (double)(o->n_rates + o->n_exps) * (double)o->n_thresholds *
                 (double)o->n_min_exec;
  double worlds = sc->n_worlds < 2 ? 2 : sc->n_worlds > 9 ? 9 : (double)sc->n_worlds;
  double copy = 2.0 * (double)strlen(sc->json_text) + 3072.0;   /* as plan/sweep.c */
  double results = cands * worlds * (double)o->max * sizeof(plan_metrics) * 2.0;
  double engine = (double)model_scenario_memory_estimate(sc) - fixed;
  double bytes = fixed + cands * (1 + worlds) * copy + results +
                 (double)(o->threads ? o->threads : 1) * (engine > 0 ? engine : 0);
  return bytes > 1.8e19 ? UINT64_MAX : (uint64_t)bytes;
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
  r->chosen = SIZE_MAX;
  sim_diag_init(d, sc->file);
  if (!sc->n_worlds) {
    rc = sim_diag_set(d, SIM_ERR_SCHEMA, "$",
                      "jobsim plan needs $.worlds: a healthy world and at least one "
                      "bad-release world that affects some groups");
    goto fail;
  }
  /* the healthy world */
  long hw = -1;
  if (o->healthy) {
    hw = model_world_find(sc, o->healthy);
  } else {
    hw = model_world_find(sc, "healthy");
    for (size_t w = 0; hw < 0 && w < sc->n_worlds; w++)
      if (!sc->worlds[w].n_affects) hw = (long)w;
  }
  if (hw < 0) {
    char list[1024];
    model_world_list(sc, list, sizeof list);
    rc = sim_diag_set(d, SIM_ERR_USAGE, "$.worlds",
                      o->healthy ? "no world '%s' (the worlds are %s)"
                                 : "no healthy world: name one 'healthy', give one no "
                                   "affected groups, or pass --healthy (the worlds are %s)",
                      o->healthy ? o->healthy : list, list);
    goto fail;
  }
  r->world_names[r->n_worlds++] = strdup(sc->worlds[hw].name);
  for (size_t w = 0; w < sc->n_worlds; w++) {
    if ((long)w == hw) continue;
    bool pick = o->bad ? strcmp(o->bad, sc->worlds[w].name) == 0 : sc->worlds[w].n_affects > 0;
    if (pick && r->n_worlds < 9) r->world_names[r->n_worlds++] = strdup(sc->worlds[w].name);
  }
  for (size_t w = 0; w < r->n_worlds; w++)
    if (!r->world_names[w]) {
      rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
      goto fail;
    }
  if (r->n_worlds < 2) {
    rc = sim_diag_set(d, SIM_ERR_USAGE, "$.worlds",
                      o->bad ? "no bad-release world '%s' other than the healthy one"
                             : "no bad-release world: a world other than '%s' with "
                               "affected groups ($.worlds.*.affects)",
                      o->bad ? o->bad : r->world_names[0]);
    goto fail;
  }
  if ((rc = sim_json_parse(sc->json_text, strlen(sc->json_text), &root, d))) goto fail;
  if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "job"))) {
    rc = sim_diag_set(d, SIM_ERR_SCHEMA, "$.job",
                      "jobsim plan needs the CreateJob request inline in the scenario");
    goto fail;
  }
  const char *ft = sc->job.n_abort ? model_failure_type_name(sc->job.abort[0].failure_type)
                                   : "ALL";
  size_t nro = o->n_rates + o->n_exps, nab = o->n_thresholds * o->n_min_exec;
  r->c = calloc(nro * nab > 0 ? nro * nab : 1, sizeof *r->c);
  if (!r->c) {
    rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    goto fail;
  }
  for (size_t i = 0; i < nro; i++)
    for (size_t j = 0; j < nab; j++) {
      plan_candidate *c = &r->c[r->n];
      c->id = r->n + 1;
      if (i < o->n_rates) {
        c->rate = o->rates[i];
        snprintf(c->rollout, sizeof c->rollout, "constant %" PRId64 "/min", c->rate);
      } else {
        c->exponential = true;
        c->exp = o->exps[i - o->n_rates];
        c->rate = sc->sim.rollout_quota < 1000 ? sc->sim.rollout_quota : 1000;
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
      if ((rc = build(r, c, root, ft, NULL, d))) {
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

  for (;;) {
    if ((rc = run_round(r, d))) goto fail;
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
        if (r->c[i].need[w] == 0) r->c[i].need[w] = o->initial;
    if ((rc = run_round(r, d))) goto fail;
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
      finalize_estimate(&c->est[PLAN_C_FALSE_ABORT], o->max_false_abort, false);
    }
    bool exfail = false, exclose = false, exopen = false;
    c->e_q = 0;
    c->p_abort_bad = 1.0;
    for (size_t w = 1; w < r->n_worlds; w++) {
      if (settle) finalize_estimate(&c->bad_est[w - 1], o->confidence, true);
      exfail = exfail || c->bad_est[w - 1].decision == PLAN_FAIL;
      exclose = exclose || c->bad_est[w - 1].at_cap;
      exopen = exopen || c->bad_est[w - 1].decision == PLAN_CLOSE ||
               !c->bad_est[w - 1].evaluated;
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
    for (size_t k = 0; k < c->have[0]; k++)
      v[k] = c->m[0][k].completed ? c->m[0][k].completion : INT64_MAX;
    c->t_q = quantile_of(v, c->have[0], o->confidence);
    c->feasible = true;
    for (int k = 0; k < PLAN_C_COUNT; k++)
      c->feasible = c->feasible && c->est[k].decision == PLAN_PASS;
    if (c->feasible) order[nf++] = c;
  }
  qsort(order, nf, sizeof *order, cmp_rank);
  for (size_t i = 0; i < nf; i++) order[i]->rank = i + 1;
  if (nf) r->chosen = (size_t)(order[0] - r->c);
  else find_binding(r);
  free(order);
  free(v);
  *out = r;
  return SIM_OK;
fail:
  cJSON_Delete(root);
  plan_result_free(r);
  return rc;
}

/* --------------------------------------------------------------- table --- */

static void fmt_minutes(int64_t ms, char *b, size_t n) {
  if (ms == INT64_MAX) snprintf(b, n, "never");
  else snprintf(b, n, "%.1f", (double)ms / 60000.0);
}

static void fmt_est(const plan_estimate *e, char *b, size_t n) {
  if (!e->evaluated) snprintf(b, n, "-");
  else snprintf(b, n, "%.3f [%.3f,%.3f]", e->p, e->lo, e->hi);
}

static void reasons(const plan_result *r, const plan_candidate *c, char *b, size_t n) {
  const plan_planner_opts *o = &r->o;
  char dl[64];
  sim_duration_format(o->deadline, dl, sizeof dl);
  b[0] = 0;
  if (c->feasible) {
    snprintf(b, n, "ok%s", c->est[0].at_cap || c->est[1].at_cap || c->est[2].at_cap
                               ? " (a constraint decided at the replication cap)" : "");
    return;
  }
  for (int k = 0; k < PLAN_C_COUNT; k++) {
    const plan_estimate *e = &c->est[k];
    if (e->decision != PLAN_FAIL) continue;
    size_t l = strlen(b);
    const char *cap = e->at_cap ? " at the cap" : "";
    if (k == PLAN_C_DEADLINE)
      snprintf(b + l, n - l, "%sdeadline: P(T<=%s) %.3f < %.3g%s", l ? "; " : "", dl, e->p,
               o->confidence, cap);
    else if (k == PLAN_C_FALSE_ABORT)
      snprintf(b + l, n - l, "%sfalse abort: P(abort|%s) %.3f > %.3g%s", l ? "; " : "",
               r->world_names[0], e->p, o->max_false_abort, cap);
    else
      for (size_t w = 1; w < r->n_worlds; w++) {
        const plan_estimate *x = &c->bad_est[w - 1];
        if (x->decision != PLAN_FAIL) continue;
        l = strlen(b);
        snprintf(b + l, n - l, "%sexposure in %s: P(E<=%" PRId64 ") %.3f < %.3g%s",
                 l ? "; " : "", r->world_names[w], o->max_exposure, x->p, o->confidence,
                 x->at_cap ? " at the cap" : "");
      }
  }
}

int plan_result_table(const plan_result *r, FILE *f) {
  const plan_planner_opts *o = &r->o;
  char dl[64];
  sim_duration_format(o->deadline, dl, sizeof dl);
  int cq = (int)ceil(o->confidence * 100.0 - 1e-9);
  fprintf(f, "# %s: %zu candidates, healthy world '%s', bad-release world%s", r->base->name,
          r->n, r->world_names[0], r->n_worlds > 2 ? "s" : "");
  for (size_t w = 1; w < r->n_worlds; w++) fprintf(f, "%s'%s'", w > 1 ? ", " : " ", r->world_names[w]);
  fprintf(f, "; %zu replications in all, seed %" PRIu64 "\n", r->replications, o->seed);
  fprintf(f, "# constraints at confidence %.3g: P(T<=%s) >= %.3g, P(abort|healthy) <= %.3g, "
             "P(E<=%" PRId64 ") >= %.3g; [lo,hi] are 95%% Wilson intervals\n",
          o->confidence, dl, o->confidence, o->max_false_abort, o->max_exposure,
          o->confidence);
  fprintf(f, "%4s %4s  %-42s %-22s %8s %-22s %-22s %7s %-22s %9s  %s\n", "rank", "cand",
          "rollout", "abort", "T_q(min)", "P(T<=deadline)", "P(abort|healthy)", "E_q",
          "P(E<=max)", "reps", "verdict");
  (void)cq;
  /* feasible ones in rank order, then the others in candidate order */
  for (int pass = 0; pass < 2; pass++)
    for (size_t rk = 1, i = 0; pass == 0 ? rk <= r->n : i < r->n; pass == 0 ? rk++ : i++) {
      const plan_candidate *c = NULL;
      if (pass == 0) {
        for (size_t j = 0; j < r->n && !c; j++)
          if (r->c[j].feasible && r->c[j].rank == rk) c = &r->c[j];
        if (!c) break;
      } else {
        c = &r->c[i];
        if (c->feasible) continue;
      }
      char rank[16], tq[32], e1[64], e2[64], e3[64], eq[32], reps[32], why[1024];
      if (c->feasible) snprintf(rank, sizeof rank, "%zu", c->rank);
      else snprintf(rank, sizeof rank, "-");
      fmt_minutes(c->t_q, tq, sizeof tq);
      fmt_est(&c->est[PLAN_C_DEADLINE], e1, sizeof e1);
      fmt_est(&c->est[PLAN_C_FALSE_ABORT], e2, sizeof e2);
      fmt_est(&c->est[PLAN_C_EXPOSURE], e3, sizeof e3);
      if (c->e_q < 0) snprintf(eq, sizeof eq, "-");
      else snprintf(eq, sizeof eq, "%" PRId64, c->e_q);
      size_t rb = 0;
      for (size_t w = 1; w < r->n_worlds; w++) rb += c->have[w];
      snprintf(reps, sizeof reps, "%zu/%zu", c->have[0], rb);
      reasons(r, c, why, sizeof why);
      fprintf(f, "%4s %4zu  %-42s %-22s %8s %-22s %-22s %7s %-22s %9s  %s\n", rank, c->id,
              c->rollout, c->abort, tq, e1, e2, eq, e3, reps, why);
    }
  if (r->chosen != SIZE_MAX) {
    const plan_candidate *c = &r->c[r->chosen];
    char tq[32];
    fmt_minutes(c->t_q, tq, sizeof tq);
    fprintf(f, "# chosen: candidate %zu: %s, abort %s: completes within %s min in %d%% of "
               "healthy runs, exposure at most %" PRId64 " things in %d%% of bad-release runs\n",
            c->id, c->rollout, c->abort, tq, cq, c->e_q, cq);
  } else {
    fprintf(f, "# no feasible configuration: %s\n", r->binding);
  }
  return ferror(f) ? SIM_ERR_IO : SIM_OK;
}

/* -------------------------------------------------------------- output --- */

static int write_text(const report_outdir *o, const char *rel, FILE *m, char **buf,
                      size_t *n, sim_diag *d) {
  int bad = ferror(m);
  int rc = fclose(m) != 0 || bad
               ? sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory building %s", rel)
               : report_outdir_write(o, rel, *buf, *n, d);
  free(*buf);
  *buf = NULL;
  return rc;
}

static void csv_est(FILE *f, const plan_estimate *e) {
  if (!e->evaluated) {
    fputs(",,,,,", f);
    return;
  }
  fprintf(f, ",%" PRId64 ",%" PRId64 ",%.6f,%.6f,%.6f", e->k, e->n, e->p, e->lo, e->hi);
}

int plan_result_write(const plan_result *r, const char *dir, const char *version,
                      plan_out_status *ps, char *why, size_t wn, sim_diag *d) {
  report_outdir od;
  memset(&od, 0, sizeof od);
  *ps = PLAN_OUT_NO_PLOTS;
  if (wn) why[0] = 0;
  int rc = report_outdir_begin(&od, dir, d);
  if (rc) return rc;
  char *buf = NULL;
  size_t n = 0;
  FILE *m = open_memstream(&buf, &n);
  if (!m) goto nomem;
  fputs("candidate,rank,feasible,rollout,abort,exponential,maximumPerMinute,"
        "baseRatePerMinute,incrementFactor,numberOfNotifiedThings,thresholdPercentage,"
        "minNumberOfExecutedThings,completion_q_ms,exposure_q,"
        "deadline_k,deadline_n,p_deadline,p_deadline_lo,p_deadline_hi,"
        "abort_k,abort_n,p_abort,p_abort_lo,p_abort_hi,"
        "exposure_k,exposure_n,p_exposure,p_exposure_lo,p_exposure_hi,verdict\n", m);
  for (size_t i = 0; i < r->n; i++) {
    const plan_candidate *c = &r->c[i];
    char w[1024];
    reasons(r, c, w, sizeof w);
    fprintf(m, "%zu,%zu,%d,%s,\"%s\",%d,%" PRId64, c->id, c->rank, c->feasible, c->rollout,
            c->abort, c->exponential, c->rate);
    if (c->exponential)
      fprintf(m, ",%" PRId64 ",%.12g,%" PRId64, c->exp.base, c->exp.factor, c->exp.notified);
    else
      fputs(",,,", m);
    fprintf(m, ",%.12g,%" PRId64 ",", c->threshold, c->min_executed);
    if (c->t_q != INT64_MAX) fprintf(m, "%" PRId64, c->t_q);
    fputc(',', m);
    if (c->e_q >= 0) fprintf(m, "%" PRId64, c->e_q);
    for (int k = 0; k < PLAN_C_COUNT; k++) csv_est(m, &c->est[k]);
    fprintf(m, ",\"%s\"\n", w);
  }
  if ((rc = write_text(&od, "candidates.csv", m, &buf, &n, d))) goto fail;
  buf = NULL;
  if (!(m = open_memstream(&buf, &n))) goto nomem;
  plan_result_table(r, m);
  if ((rc = write_text(&od, "plan.txt", m, &buf, &n, d))) goto fail;
  buf = NULL;
  if (r->chosen != SIZE_MAX) {
    const char *j = r->c[r->chosen].job_json;
    size_t l = strlen(j);
    if (!(m = open_memstream(&buf, &n))) goto nomem;
    fwrite(j, 1, l, m);   /* ends in a newline already */
    if ((rc = write_text(&od, "create-job.json", m, &buf, &n, d))) goto fail;
    buf = NULL;
  }
  /* the trade-off front: completion-time quantile against exposure quantile */
  if ((rc = report_outdir_mkdir(&od, "plots", d))) goto fail;
  if (!(m = open_memstream(&buf, &n))) goto nomem;
  int cq = (int)ceil(r->o.confidence * 100.0 - 1e-9);
  fprintf(m, "# front.dat - block 0: every candidate measured on both worlds: 1 exposure\n"
             "# q%d, 2 completion q%d (min; NaN: not completed), 3 candidate, 4 feasible,\n"
             "# 5 chosen. Block 1: the Pareto front (no other candidate is as fast and\n"
             "# exposes as few, one of them strictly better), by exposure.\n", cq, cq);
  size_t *front = calloc(r->n ? r->n : 1, sizeof *front), nfront = 0;
  if (!front) {
    fclose(m);
    free(buf);
    buf = NULL;
    goto nomem;
  }
  for (size_t i = 0; i < r->n; i++) {
    const plan_candidate *c = &r->c[i];
    if (c->e_q < 0) continue;   /* not measured on the bad-release world */
    bool on = c->t_q != INT64_MAX;
    for (size_t j = 0; j < r->n && on; j++) {
      const plan_candidate *x = &r->c[j];
      if (j == i || x->t_q == INT64_MAX || x->e_q < 0) continue;
      if (x->t_q <= c->t_q && x->e_q <= c->e_q && (x->t_q < c->t_q || x->e_q < c->e_q))
        on = false;
    }
    if (on) front[nfront++] = i;
    if (c->t_q == INT64_MAX) fprintf(m, "%" PRId64 " NaN", c->e_q);
    else fprintf(m, "%" PRId64 " %.4f", c->e_q, (double)c->t_q / 60000.0);
    fprintf(m, " %zu %d %d\n", c->id, c->feasible, i == r->chosen);
  }
  /* insertion sort of the front by (exposure, time) */
  for (size_t i = 1; i < nfront; i++)
    for (size_t j = i; j > 0; j--) {
      const plan_candidate *x = &r->c[front[j - 1]], *y = &r->c[front[j]];
      if (x->e_q < y->e_q || (x->e_q == y->e_q && x->t_q <= y->t_q)) break;
      size_t t = front[j - 1];
      front[j - 1] = front[j];
      front[j] = t;
    }
  fputs("\n\n", m);
  for (size_t i = 0; i < nfront; i++)
    fprintf(m, "%" PRId64 " %.4f %zu\n", r->c[front[i]].e_q,
            (double)r->c[front[i]].t_q / 60000.0, r->c[front[i]].id);
  if (!nfront) fputs("NaN NaN 0\n", m);
  free(front);
  if ((rc = write_text(&od, "plots/front.dat", m, &buf, &n, d))) goto fail;
  buf = NULL;
  if (!(m = open_memstream(&buf, &n))) goto nomem;
  char dl[64];
  sim_duration_format(r->o.deadline, dl, sizeof dl);
  fprintf(m,
          "# front.gp - the planner's trade-off: completion time against exposure.\n"
          "# Render: gnuplot front.gp (in this directory)\n"
          "set terminal pngcairo noenhanced size 960,540 font 'Sans,10' background rgb 'white'\n"
          "set output 'front.png'\nset termoption noenhanced\n"
          "set grid lc rgb '#dddddd'\nset key below horizontal\nset border 3\n"
          "set xtics nomirror\nset ytics nomirror\n"
          "set title '%s: completion time (healthy, q%d) against exposure (bad release, q%d)'\n"
          "set xlabel 'things exposed in the bad-release world (q%d)'\n"
          "set ylabel 'minutes to complete on the healthy world (q%d)'\n"
          "set arrow 1 from %" PRId64 ", graph 0 to %" PRId64 ", graph 1 nohead dt 2 lc rgb '#b00000'\n"
          "set arrow 2 from graph 0, first %.4f to graph 1, first %.4f nohead dt 2 lc rgb '#b00000'\n"
          "plot 'front.dat' index 1 using 1:2 with lines lw 1.5 lc rgb '#31a354' title 'Pareto front', \\\n"
          "     'front.dat' index 0 using ($4==0?$1:NaN):2 with points pt 6 lc rgb '#999999' title 'rejected', \\\n"
          "     'front.dat' index 0 using ($4==1?$1:NaN):2 with points pt 7 lc rgb '#3182bd' title 'feasible', \\\n"
          "     'front.dat' index 0 using ($5==1?$1:NaN):2 with points pt 9 ps 2 lc rgb '#de2d26' title 'chosen', \\\n"
          "     'front.dat' index 0 using 1:2:(sprintf('%%d', $3)) with labels offset 0.8,0.5 font ',7' notitle\n"
          "set terminal svg noenhanced size 960,540 font 'Sans,10' background rgb 'white'\n"
          "set output 'front.svg'\nreplot\nunset output\n",
          r->base->name, cq, cq, cq, cq, r->o.max_exposure, r->o.max_exposure,
          (double)r->o.deadline / 60000.0, (double)r->o.deadline / 60000.0);
  if ((rc = write_text(&od, "plots/front.gp", m, &buf, &n, d))) goto fail;
  buf = NULL;
  char pdir[4200];
  report_outdir_path(&od, "plots", pdir, sizeof pdir);
  static const char *const scripts[] = {"front.gp", NULL};
  *ps = plan_render(pdir, scripts, why, wn);
  cJSON *rj = cJSON_CreateObject();
  if (!rj) goto nomem;
  cJSON_AddNumberToObject(rj, "formatVersion", 1);
  cJSON_AddStringToObject(rj, "command", "plan");
  cJSON_AddStringToObject(rj, "scenario", r->base->name);
  cJSON_AddStringToObject(rj, "scenarioFile", r->base->file);
  cJSON_AddNumberToObject(rj, "seed", (double)r->o.seed);
  cJSON_AddNumberToObject(rj, "deadlineMs", (double)r->o.deadline);
  cJSON_AddNumberToObject(rj, "maxExposure", (double)r->o.max_exposure);
  cJSON_AddNumberToObject(rj, "maxFalseAbort", r->o.max_false_abort);
  cJSON_AddNumberToObject(rj, "confidence", r->o.confidence);
  cJSON_AddNumberToObject(rj, "candidates", (double)r->n);
  cJSON_AddNumberToObject(rj, "replications", (double)r->replications);
  if (r->chosen != SIZE_MAX)
    cJSON_AddNumberToObject(rj, "chosen", (double)r->c[r->chosen].id);
  else
    cJSON_AddStringToObject(rj, "binding", r->binding);
  cJSON_AddStringToObject(rj, "jobsimVersion", version);
  char *txt = cJSON_Print(rj);
  cJSON_Delete(rj);
  if (!txt) goto nomem;
  if (!(m = open_memstream(&buf, &n))) {
    cJSON_free(txt);
    goto nomem;
  }
  fprintf(m, "%s\n", txt);
  cJSON_free(txt);
  if ((rc = write_text(&od, REPORT_MARKER, m, &buf, &n, d))) goto fail;
  if ((rc = report_outdir_commit(&od, d))) goto fail;
  return SIM_OK;
nomem:
  rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
fail:
  report_outdir_abort(&od);
  return rc;
}
