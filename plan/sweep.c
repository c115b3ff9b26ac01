/*
 * sweep.c — variations, grid points, per-world replications, aggregation
 * and the CSV. Column order and number formats are part of the interface
 * (docs/sweep.md): probabilities %.6f, times in seconds with 3 decimals,
 * means %.3f, quantiles of counts as integers.
 */
#define _POSIX_C_SOURCE 200809L
#include "sweep.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "json.h"
#include "reps.h"
#include "scenario.h"

/* ---------------------------------------------------------- JSON paths --- */

typedef struct token {
  bool is_index;
  size_t index;
  char key[256];
} token;

/* Split a path into tokens: key, .key, [3], ["key with . or ["]. */
static int tokenize(const char *path, token *t, size_t cap, size_t *n, char *err,
                    size_t en) {
  const char *p = path;
  *n = 0;
  if (p[0] == '$') {
    p++;
    if (*p == '.') p++;
  }
  if (!*p) {
    snprintf(err, en, "empty JSON path '%s'", path);
    return SIM_ERR_USAGE;
  }
  while (*p) {
    if (*n == cap) {
      snprintf(err, en, "JSON path '%s' is too deep", path);
      return SIM_ERR_USAGE;
    }
    token *k = &t[(*n)++];
    memset(k, 0, sizeof *k);
    if (*p == '[' && p[1] == '"') {
      const char *e = strchr(p + 2, '"');
      if (!e || e[1] != ']' || (size_t)(e - p - 2) >= sizeof k->key) goto bad;
      memcpy(k->key, p + 2, (size_t)(e - p - 2));
      p = e + 2;
    } else if (*p == '[') {
      p++;
      if (!isdigit((unsigned char)*p)) goto bad;
      errno = 0;
      char *end;
      unsigned long long v = strtoull(p, &end, 10);
      if (errno || *end != ']' || v > 1000000) goto bad;
      k->is_index = true;
      k->index = (size_t)v;
      p = end + 1;
    } else {
      size_t l = strcspn(p, ".[");
      if (l == 0 || l >= sizeof k->key) goto bad;
      memcpy(k->key, p, l);
      p += l;
    }
    if (*p == '.') {
      p++;
      if (!*p) goto bad;
    } else if (*p && *p != '[') {
      goto bad;
    }
  }
  return SIM_OK;
bad:
  snprintf(err, en,
           "cannot read JSON path '%s' (expected keys separated by '.', array "
           "indices as [0], keys with dots as [\"key\"])",
           path);
  return SIM_ERR_USAGE;
}

int plan_json_set(cJSON *root, const char *path, cJSON *value, char *err, size_t n) {
  token t[32];
  size_t nt;
  int rc = tokenize(path, t, 32, &nt, err, n);
  if (rc) {
    cJSON_Delete(value);
    return rc;
  }
  cJSON *cur = root;
  for (size_t i = 0; i < nt; i++) {
    bool last = i + 1 == nt;
    if (t[i].is_index) {
      int size = cJSON_IsArray(cur) ? cJSON_GetArraySize(cur) : -1;
      if (size < 0 || t[i].index >= (size_t)size) {
        snprintf(err, n, "JSON path '%s': %s", path,
                 size < 0 ? "an index into something that is not an array"
                          : "the array has no element at that index");
        cJSON_Delete(value);
        return SIM_ERR_USAGE;
      }
      if (last) {
        cJSON_ReplaceItemInArray(cur, (int)t[i].index, value);
        return SIM_OK;
      }
      cur = cJSON_GetArrayItem(cur, (int)t[i].index);
      continue;
    }
    if (!cJSON_IsObject(cur)) {
      snprintf(err, n, "JSON path '%s': '%s' is inside something that is not an object",
               path, t[i].key);
      cJSON_Delete(value);
      return SIM_ERR_USAGE;
    }
    cJSON *next = cJSON_GetObjectItemCaseSensitive(cur, t[i].key);
    if (last) {
      if (next) cJSON_ReplaceItemInObjectCaseSensitive(cur, t[i].key, value);
      else cJSON_AddItemToObject(cur, t[i].key, value);
      return SIM_OK;
    }
    if (!next) {
      if (t[i + 1].is_index) {
        snprintf(err, n, "JSON path '%s': there is no array '%s' to index", path,
                 t[i].key);
        cJSON_Delete(value);
        return SIM_ERR_USAGE;
      }
      next = cJSON_AddObjectToObject(cur, t[i].key);
      if (!next) {
        cJSON_Delete(value);
        return SIM_ERR_NOMEM;
      }
    }
    cur = next;
  }
  cJSON_Delete(value);
  return SIM_ERR_USAGE;
}

const cJSON *plan_json_get(const cJSON *root, const char *path) {
  token t[32];
  size_t nt;
  char err[8];
  if (tokenize(path, t, 32, &nt, err, sizeof err)) return NULL;
  const cJSON *cur = root;
  for (size_t i = 0; i < nt && cur; i++)
    cur = t[i].is_index ? (cJSON_IsArray(cur) ? cJSON_GetArrayItem(cur, (int)t[i].index)
                                              : NULL)
                        : (cJSON_IsObject(cur)
                               ? cJSON_GetObjectItemCaseSensitive(cur, t[i].key)
                               : NULL);
  return cur;
}

/* ---------------------------------------------------------- variations --- */

void plan_vary_release(plan_vary *v) {
  if (!v) return;
  for (size_t i = 0; i < v->n; i++) {
    if (v->json) free(v->json[i]);
    if (v->label) free(v->label[i]);
  }
  free(v->json);
  free(v->label);
  free(v->num);
  memset(v, 0, sizeof *v);
}

static bool full_double(const char *s, double *out) {
  if (!*s || isspace((unsigned char)*s)) return false;
  char *end;
  errno = 0;
  double x = strtod(s, &end);
  if (errno || *end || !isfinite(x)) return false;
  *out = x;
  return true;
}

static int add_value(plan_vary *v, const char *json, const char *label, double num,
                     bool numeric) {
  size_t k = v->n;
  char **j = realloc(v->json, (k + 1) * sizeof *j);
  if (!j) return SIM_ERR_NOMEM;
  v->json = j;
  char **l = realloc(v->label, (k + 1) * sizeof *l);
  if (!l) return SIM_ERR_NOMEM;
  v->label = l;
  double *nu = realloc(v->num, (k + 1) * sizeof *nu);
  if (!nu) return SIM_ERR_NOMEM;
  v->num = nu;
  v->json[k] = strdup(json);
  v->label[k] = strdup(label);
  v->num[k] = num;
  v->n = k + 1;
  if (!v->json[k] || !v->label[k]) return SIM_ERR_NOMEM;
  if (!numeric) v->numeric = false;
  return SIM_OK;
}

static void trim(char *s) {
  size_t a = 0, b = strlen(s);
  while (a < b && isspace((unsigned char)s[a])) a++;
  while (b > a && isspace((unsigned char)s[b - 1])) b--;
  memmove(s, s + a, b - a);
  s[b - a] = 0;
}

int plan_vary_parse(plan_vary *v, const char *arg, char *err, size_t n) {
  memset(v, 0, sizeof *v);
  v->numeric = true;
  const char *eq = strchr(arg, '=');
  if (!eq || eq == arg) {
    snprintf(err, n, "--vary needs PATH=VALUES, not '%s'", arg);
    return SIM_ERR_USAGE;
  }
  size_t pl = (size_t)(eq - arg);
  if (pl >= sizeof v->path) {
    snprintf(err, n, "--vary: path too long");
    return SIM_ERR_USAGE;
  }
  const char *path = arg;
  if (pl >= 2 && arg[0] == '$' && arg[1] == '.') path += 2, pl -= 2;
  memcpy(v->path, path, pl);
  v->path[pl] = 0;
  token t[32];
  size_t nt;
  int rc = tokenize(v->path, t, 32, &nt, err, n);
  if (rc) return rc;
  const char *vals = eq + 1;
  char *copy = strdup(vals);
  if (!copy) return SIM_ERR_NOMEM;
  /* start:stop:step with three numbers */
  char *c1 = strchr(copy, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  double a, b, s;
  if (c1 && c2 && !strchr(c2 + 1, ':')) {
    *c1 = *c2 = 0;
    char *pa = copy, *pb = c1 + 1, *ps = c2 + 1;
    trim(pa), trim(pb), trim(ps);
    if (full_double(pa, &a) && full_double(pb, &b) && full_double(ps, &s)) {
      free(copy);
      if (s == 0.0 || (b - a) / s < -1e-9) {
        snprintf(err, n, "--vary %s: the range %s needs a step that goes from start "
                         "towards stop", v->path, vals);
        return SIM_ERR_USAGE;
      }
      double cnt = floor((b - a) / s + 1e-9) + 1.0;
      if (cnt > PLAN_MAX_VALUES) {
        snprintf(err, n, "--vary %s: more than %d values", v->path, PLAN_MAX_VALUES);
        return SIM_ERR_USAGE;
      }
      for (size_t i = 0; i < (size_t)cnt; i++) {
        char txt[64];
        double x = a + (double)i * s;
        snprintf(txt, sizeof txt, "%.12g", x);
        if ((rc = add_value(v, txt, txt, strtod(txt, NULL), true))) return rc;
      }
      return SIM_OK;
    }
    if (full_double(pa, &a) && full_double(pb, &b)) {
      snprintf(err, n, "--vary %s=%s: a range is start:stop:step with three numbers, and "
                       "'%s' is not a step: e.g. %s=%s:%s:%g gives %s, %g, ... up to %s; or "
                       "list the values: %s=%s,%s",
               v->path, vals, ps, v->path, pa, pb, b > a ? (b - a) / 4 : 1.0, pa,
               a + (b > a ? (b - a) / 4 : 1.0), pb, v->path, pa, pb);
      free(copy);
      return SIM_ERR_USAGE;
    }
    free(copy);
    copy = strdup(vals);
    if (!copy) return SIM_ERR_NOMEM;
  } else if (c1 && !c2 && !strchr(copy, ',')) {
    /* start:stop without a step */
    *c1 = 0;
    char *pa = copy, *pb = c1 + 1;
    trim(pa), trim(pb);
    if (full_double(pa, &a) && full_double(pb, &b)) {
      double st = b > a ? (b - a) / 4 : 1.0;
      snprintf(err, n, "--vary %s=%s: a range needs a step: start:stop:step, e.g. "
                       "%s=%s:%s:%g gives %s, %g, ... up to %s (stop included when it falls "
                       "on the grid); or list the values: %s=%s,%s (to mean the text "
                       "'%s:%s', write it as a JSON string: '\"%s:%s\"')",
               v->path, vals, v->path, pa, pb, st, pa, a + st, pb, v->path, pa, pb, pa, pb,
               pa, pb);
      free(copy);
      return SIM_ERR_USAGE;
    }
    free(copy);
    copy = strdup(vals);
    if (!copy) return SIM_ERR_NOMEM;
  }
  char *save = NULL;
  for (char *it = strtok_r(copy, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
    trim(it);
    if (!*it) continue;
    if (v->n == PLAN_MAX_VALUES) {
      free(copy);
      snprintf(err, n, "--vary %s: more than %d values", v->path, PLAN_MAX_VALUES);
      return SIM_ERR_USAGE;
    }
    cJSON *j = cJSON_ParseWithOpts(it, NULL, 1);
    double x = 0;
    if (j) {
      char *txt = cJSON_PrintUnformatted(j);
      bool num = cJSON_IsNumber(j) && full_double(it, &x);
      const char *label = cJSON_IsString(j) ? j->valuestring : it;
      rc = txt ? add_value(v, num ? it : txt, label, x, num) : SIM_ERR_NOMEM;
      cJSON_free(txt);
      cJSON_Delete(j);
    } else {   /* a bare word: a string */
      cJSON *sj = cJSON_CreateString(it);
      char *txt = sj ? cJSON_PrintUnformatted(sj) : NULL;
      rc = txt ? add_value(v, txt, it, 0, false) : SIM_ERR_NOMEM;
      cJSON_free(txt);
      cJSON_Delete(sj);
    }
    if (rc) {
      free(copy);
      return rc;
    }
  }
  free(copy);
  if (v->n == 0) {
    snprintf(err, n, "--vary %s: no values after '='", v->path);
    return SIM_ERR_USAGE;
  }
  return SIM_OK;
}

/* ---------------------------------------------------------- aggregates --- */

void plan_aggregate(const plan_metrics *m, size_t n, plan_agg *a) {
  memset(a, 0, sizeof *a);
  a->n = n;
  int64_t *v = malloc((n ? n : 1) * sizeof *v);
  if (!v) return;   /* n stays: callers print what they have */
  for (size_t i = 0; i < n; i++) {
    a->aborted += m[i].aborted != 0;
    a->completed += m[i].completed != 0;
  }
  a->p_abort = n ? (double)a->aborted / (double)n : 0.0;
  a->p_completed = n ? (double)a->completed / (double)n : 0.0;
  plan_wilson(a->aborted, (int64_t)n, PLAN_Z95, &a->abort_lo, &a->abort_hi);
  plan_wilson(a->completed, (int64_t)n, PLAN_Z95, &a->completed_lo, &a->completed_hi);
#define SUMMARY(field, dst)                                 \
  do {                                                      \
    for (size_t i = 0; i < n; i++) v[i] = m[i].field;       \
    plan_summarize(v, n, &a->dst);                          \
  } while (0)
  SUMMARY(completion, completion);
  SUMMARY(notified, notified);
  SUMMARY(things_ran, ran);
  SUMMARY(failed, failed);
  SUMMARY(rejected, rejected);
  SUMMARY(timed_out, timed_out);
  SUMMARY(retries, retries);
  SUMMARY(exposure, exposure);
#undef SUMMARY
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (m[i].aborted) v[k++] = m[i].aborted_at;
  plan_summarize(v, k, &a->abort_time);
  k = 0;
  for (size_t i = 0; i < n; i++)
    if (m[i].rollout_end >= 0) v[k++] = m[i].rollout_end;
  a->rollout_done = (int64_t)k;
  plan_summarize(v, k, &a->rollout);
  k = 0;
  for (size_t i = 0; i < n; i++)
    if (m[i].terminal_at >= 0) v[k++] = m[i].terminal_at;
  a->terminal_reached = (int64_t)k;
  plan_summarize(v, k, &a->terminal);
  free(v);
}

/* --------------------------------------------------------------- sweep --- */

size_t plan_sweep_value(const plan_sweep *s, size_t point, size_t k) {
  size_t idx = point;
  for (size_t j = s->n_vary; j-- > k + 1;) idx /= s->vary[j].n;
  return idx % s->vary[k].n;
}

const plan_metrics *plan_sweep_metrics(const plan_sweep *s, size_t point, size_t world) {
  return s->m + (point * s->n_worlds + world) * s->reps;
}

void plan_sweep_free(plan_sweep *s) {
  if (!s) return;
  size_t nsc = s->n_points * s->n_worlds;
  if (s->sc)
    for (size_t i = 0; i < nsc; i++)
      if (s->point == NULL || s->sc[i] != s->point[i / s->n_worlds])
        model_scenario_free(s->sc[i]);
  if (s->point)
    for (size_t i = 0; i < s->n_points; i++) model_scenario_free(s->point[i]);
  if (s->worlds)
    for (size_t i = 0; i < s->n_worlds; i++) free(s->worlds[i]);
  free(s->worlds);
  free(s->world_affects);
  free(s->sc);
  free(s->point);
  free(s->m);
  free(s);
}

static void describe_point(const plan_sweep *s, size_t point, char *buf, size_t n) {
  snprintf(buf, n, "grid point %zu", point);
  if (!s->n_vary) return;
  size_t l = strlen(buf);
  snprintf(buf + l, n - l, " (");
  for (size_t k = 0; k < s->n_vary; k++) {
    l = strlen(buf);
    snprintf(buf + l, n - l, "%s%s=%s", k ? ", " : "", s->vary[k].path,
             s->vary[k].label[plan_sweep_value(s, point, k)]);
  }
  l = strlen(buf);
  snprintf(buf + l, n - l, ")");
}

/* A loaded copy of scenario `sc`: its text and what it parses into
 * (measured as peak RSS per grid point: 4.7 KB for a 1.0 KB scenario, 6.4 KB
 * for 1.7 KB, 16.4 KB for three copies of 2.6 KB). */
static double copy_bytes(const model_scenario *sc) {
  return 2.0 * (double)strlen(sc->json_text) + 3072.0;
}

uint64_t plan_sweep_memory_estimate(const model_scenario *base, size_t points, size_t worlds,
                                    size_t reps, unsigned threads) {
  const double fixed = 32.0 * 1024 * 1024;
  double per_point = copy_bytes(base) * (double)(1 + (base->n_worlds ? worlds : 0));
  double results = (double)points * (double)worlds * (double)reps * sizeof(plan_metrics);
  double engine = (double)model_scenario_memory_estimate(base) - fixed;
  double bytes = fixed + (double)points * per_point + results +
                 (double)(threads ? threads : 1) * (engine > 0 ? engine : 0);
  return bytes > 1.8e19 ? UINT64_MAX : (uint64_t)bytes;
}

int plan_sweep_run(plan_sweep **out, const model_scenario *base, const plan_vary *v,
                   size_t n_vary, const plan_sweep_opts *o, char *where, size_t wn,
                   sim_diag *d) {
  *out = NULL;
  if (wn) where[0] = 0;
  plan_sweep *s = calloc(1, sizeof *s);
  cJSON *root = NULL;
  plan_task *tasks = NULL;
  int rc = SIM_ERR_NOMEM;
  if (!s) return sim_diag_set(d, rc, NULL, "out of memory");
  s->base = base;
  s->vary = v;
  s->n_vary = n_vary;
  s->reps = o->replications;
  s->seed = o->seed;
  s->threads = o->threads;
  s->n_points = 1;
  for (size_t k = 0; k < n_vary; k++) {
    if (s->n_points * v[k].n > PLAN_MAX_POINTS) {
      rc = sim_diag_set(d, SIM_ERR_USAGE, NULL, "the grid has more than %d points",
                        PLAN_MAX_POINTS);
      goto fail;
    }
    s->n_points *= v[k].n;
  }
  s->n_worlds = base->n_worlds ? base->n_worlds : 1;
  s->worlds = calloc(s->n_worlds, sizeof *s->worlds);
  s->world_affects = calloc(s->n_worlds, sizeof *s->world_affects);
  s->point = calloc(s->n_points, sizeof *s->point);
  s->sc = calloc(s->n_points * s->n_worlds, sizeof *s->sc);
  tasks = calloc(s->n_points * s->n_worlds, sizeof *tasks);
  if (!s->worlds || !s->world_affects || !s->point || !s->sc || !tasks) {
    sim_diag_set(d, rc, NULL, "out of memory");
    goto fail;
  }
  for (size_t w = 0; w < s->n_worlds; w++) {
    s->worlds[w] = strdup(base->n_worlds ? base->worlds[w].name : MODEL_WORLD_DEFAULT);
    if (!s->worlds[w]) {
      sim_diag_set(d, rc, NULL, "out of memory");
      goto fail;
    }
    s->world_affects[w] = base->n_worlds && base->worlds[w].n_affects > 0;
  }
  sim_diag_init(d, base->file);
  if ((rc = sim_json_parse(base->json_text, strlen(base->json_text), &root, d))) goto fail;

  for (size_t p = 0; p < s->n_points; p++) {
    cJSON *doc = cJSON_Duplicate(root, 1);
    if (!doc) {
      rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
      goto fail;
    }
    for (size_t k = 0; k < n_vary; k++) {
      size_t i = plan_sweep_value(s, p, k);
      cJSON *val = cJSON_Parse(v[k].json[i]);
      char err[512];
      if (!val || (rc = plan_json_set(doc, v[k].path, val, err, sizeof err))) {
        if (!val) rc = SIM_ERR_NOMEM;
        cJSON_Delete(doc);
        describe_point(s, p, where, wn);
        sim_diag_init(d, NULL);
        sim_diag_set(d, rc, NULL, "%s", rc == SIM_ERR_NOMEM ? "out of memory" : err);
        goto fail;
      }
    }
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    if (!text) {
      rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
      goto fail;
    }
    rc = model_scenario_load_text(&s->point[p], base->file, text, strlen(text), d);
    cJSON_free(text);
    if (rc) {
      describe_point(s, p, where, wn);
      goto fail;
    }
    model_scenario *ps = s->point[p];   /* its own settings: --vary may change them */
    bool same = ps->n_worlds == base->n_worlds;
    for (size_t w = 0; same && w < ps->n_worlds; w++)
      same = strcmp(ps->worlds[w].name, base->worlds[w].name) == 0;
    if (!same) {
      describe_point(s, p, where, wn);
      rc = sim_diag_set(d, SIM_ERR_SCHEMA, "$.worlds",
                        "a variation may not change the names of the worlds");
      goto fail;
    }
    for (size_t w = 0; w < s->n_worlds; w++) {
      size_t t = p * s->n_worlds + w;
      if (!ps->n_worlds) {
        s->sc[t] = ps;
      } else {
        if ((rc = model_world_load(&s->sc[t], ps, ps->worlds[w].name, d))) {
          describe_point(s, p, where, wn);
          goto fail;
        }
        tasks[t].affects = ps->worlds[w].affects;
        tasks[t].n_affects = ps->worlds[w].n_affects;
      }
      tasks[t].sc = s->sc[t];
    }
  }
  cJSON_Delete(root);
  root = NULL;
  if (o->max_memory) {
    /* the engines as the grid's points need them: a variation may change
     * the fleet, which the estimate from the base scenario did not see */
    const double fixed = 32.0 * 1024 * 1024;
    double worst = 0;
    size_t at = 0;
    for (size_t t = 0; t < s->n_points * s->n_worlds; t++) {
      double e = (double)model_scenario_memory_estimate(s->sc[t]) - fixed;
      if (e > worst) worst = e, at = t / s->n_worlds;
    }
    double base_engine = (double)model_scenario_memory_estimate(base) - fixed;
    double need = (double)plan_sweep_memory_estimate(base, s->n_points, s->n_worlds,
                                                     s->reps, s->threads) +
                  (double)(s->threads ? s->threads : 1) *
                      (worst - (base_engine > 0 ? base_engine : 0));
    if (need > (double)o->max_memory) {
      describe_point(s, at, where, wn);
      rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL,
                        "the sweep needs about %.1f MiB with this point's fleet (%" PRId64
                        " things) on %u threads, more than the %.1f MiB allowed; use "
                        "--max-memory SIZE to allow more", need / 1048576.0,
                        s->point[at]->fleet.n_things, s->threads ? s->threads : 1,
                        (double)o->max_memory / 1048576.0);
      goto fail;
    }
  }
  s->m = calloc(s->n_points * s->n_worlds * (s->reps ? s->reps : 1), sizeof *s->m);
  if (!s->m) {
    rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    goto fail;
  }
  if ((rc = plan_reps_run_progress(tasks, s->n_points * s->n_worlds, 0, s->reps, s->seed,
                                   s->threads, 0, s->m, o->progress, d)))
    goto fail;
  free(tasks);
  *out = s;
  return SIM_OK;
fail:
  cJSON_Delete(root);
  free(tasks);
  plan_sweep_free(s);
  return rc;
}

/* ----------------------------------------------------------------- CSV --- */

static void csv_field(FILE *f, const char *s) {
  if (strpbrk(s, ",\"\r\n")) {
    fputc('"', f);
    for (; *s; s++) {
      if (*s == '"') fputc('"', f);
      fputc(*s, f);
    }
    fputc('"', f);
  } else {
    fputs(s, f);
  }
}

static void put_seconds(FILE *f, int64_t ms) {
  fprintf(f, ",%" PRId64 ".%03d", ms / 1000, (int)(ms % 1000));
}

static void put_times(FILE *f, const plan_summary *s) {
  if (!s->n) {
    fputs(",,,,", f);
    return;
  }
  fprintf(f, ",%.3f", s->mean / 1000.0);
  put_seconds(f, s->p50);
  put_seconds(f, s->p90);
  put_seconds(f, s->p99);
}

static void put_counts(FILE *f, const plan_summary *s) {
  if (!s->n) {
    fputs(",,,,", f);
    return;
  }
  fprintf(f, ",%.3f,%" PRId64 ",%" PRId64 ",%" PRId64, s->mean, s->p50, s->p90, s->p99);
}

static const char *const count_names[] = {"notified", "ran", "failed", "rejected",
                                          "timed_out", "retries", "exposure", NULL};

int plan_sweep_csv(const plan_sweep *s, FILE *f) {
  fputs("point", f);
  for (size_t k = 0; k < s->n_vary; k++) {
    fputc(',', f);
    csv_field(f, s->vary[k].path);
  }
  fputs(",world,replications,aborted,p_abort,p_abort_lo,p_abort_hi,"
        "completed,p_completed,p_completed_lo,p_completed_hi,"
        "completion_s_mean,completion_s_p50,completion_s_p90,completion_s_p99,"
        "rollout_done,rollout_s_mean,rollout_s_p50,rollout_s_p90,rollout_s_p99,"
        "terminal99,terminal99_s_mean,terminal99_s_p50,terminal99_s_p90,terminal99_s_p99,"
        "abort_s_mean,abort_s_p50,abort_s_p90,abort_s_p99",
        f);
  for (size_t i = 0; count_names[i]; i++)
    fprintf(f, ",%s_mean,%s_p50,%s_p90,%s_p99", count_names[i], count_names[i],
            count_names[i], count_names[i]);
  fputc('\n', f);
  for (size_t p = 0; p < s->n_points; p++)
    for (size_t w = 0; w < s->n_worlds; w++) {
      plan_agg a;
      plan_aggregate(plan_sweep_metrics(s, p, w), s->reps, &a);
      fprintf(f, "%zu", p);
      for (size_t k = 0; k < s->n_vary; k++) {
        fputc(',', f);
        csv_field(f, s->vary[k].label[plan_sweep_value(s, p, k)]);
      }
      fputc(',', f);
      csv_field(f, s->worlds[w]);
      fprintf(f, ",%zu,%" PRId64 ",%.6f,%.6f,%.6f,%" PRId64 ",%.6f,%.6f,%.6f", a.n,
              a.aborted, a.p_abort, a.abort_lo, a.abort_hi, a.completed, a.p_completed,
              a.completed_lo, a.completed_hi);
      put_times(f, &a.completion);
      fprintf(f, ",%" PRId64, a.rollout_done);
      put_times(f, &a.rollout);
      fprintf(f, ",%" PRId64, a.terminal_reached);
      put_times(f, &a.terminal);
      put_times(f, &a.abort_time);
      const plan_summary *c[] = {&a.notified, &a.ran, &a.failed, &a.rejected,
                                 &a.timed_out, &a.retries, &a.exposure};
      for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) put_counts(f, c[i]);
      fputc('\n', f);
    }
  return ferror(f) ? SIM_ERR_IO : SIM_OK;
}
