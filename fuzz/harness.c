/*
 * harness.c — the bodies of the libFuzzer harnesses (see fuzz.h). Besides
 * "no crash, no leak, no sanitizer report", a few properties are checked and
 * turned into an abort() when broken, so the fuzzer reports them as crashes:
 * durations round-trip through sim_duration_format, samples stay within
 * 0..SIM_DURATION_MAX, a cron occurrence lies strictly after the instant
 * asked about and on a whole minute, every rendered view is non-empty.
 *
 * Left out on purpose: job files named by an absolute path (the harness
 * would read the machine's files, /dev/zero or stdin); relative ones
 * resolve under a directory that does not exist, so they fail cleanly.
 */
#include "fuzz.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_rng.h>

#include "cron.h"
#include "describe.h"
#include "dist.h"
#include "duration.h"
#include "engine.h"
#include "execview.h"
#include "json.h"
#include "scenario.h"

/* The scenario's name as a file: relative job paths resolve under a
 * directory that does not exist. */
#define FUZZ_FILE "/nonexistent-jobsim-fuzz/scenario.json"

static void check(bool ok)
{
  if (!ok)
    abort();
}

/* A NUL-terminated copy of the input (the parsers take C strings). */
static char *cstr(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);

  if (s == NULL)
    return NULL;
  if (size)
    memcpy(s, data, size);
  s[size] = '\0';
  return s;
}

/* True when the document's $.job names a file by an absolute path. */
static bool absolute_job_path(const uint8_t *data, size_t size)
{
  cJSON *root = cJSON_ParseWithLength((const char *)data, size);
  const cJSON *job = cJSON_GetObjectItemCaseSensitive(root, "job");
  bool abs = cJSON_IsString(job) && job->valuestring[0] == '/';

  cJSON_Delete(root);
  return abs;
}

/* ------------------------------------------------------------ scenario --- */

int fuzz_scenario_one(const uint8_t *data, size_t size)
{
  model_scenario *sc = NULL;
  sim_diag d;
  int rc;

  if (absolute_job_path(data, size))
    return 0;
  rc = model_scenario_load_text(&sc, FUZZ_FILE, (const char *)data, size, &d);
  if (rc == SIM_OK) {
    check(sc != NULL && d.code == SIM_OK);
  } else {
    char buf[2048];

    check(sc == NULL && rc < 0 && d.code == rc && d.msg[0] != '\0');
    sim_diag_format(&d, buf, sizeof buf);
    check(strlen(buf) < sizeof buf);
  }
  model_scenario_free(sc);
  return 0;
}

/* ------------------------------------------------------------ duration --- */

static void duration_roundtrip(sim_time_ms t)
{
  char buf[64];
  sim_time_ms back = -1;

  sim_duration_format(t, buf, sizeof buf);
  check(buf[0] != '\0');
  if (t >= 0 && t <= SIM_DURATION_MAX) {
    check(sim_duration_parse(buf, &back, NULL) == SIM_OK);
    check(back == t);
  }
}

static void dist_samples(const cJSON *root)
{
  sim_dist dist;
  sim_diag d;
  gsl_rng *r;

  sim_diag_init(&d, "fuzz");
  if (sim_dist_from_json(&dist, root, NULL, &d, "$") != SIM_OK) {
    check(d.msg[0] != '\0');
    sim_dist_release(&dist);
    return;
  }
  r = gsl_rng_alloc(gsl_rng_mt19937);
  if (r != NULL) {
    for (int i = 0; i < 32; i++) {
      sim_time_ms v = sim_dist_sample(&dist, r);

      check(v >= 0 && v <= SIM_DURATION_MAX);
    }
    (void)sim_dist_mean(&dist);
    gsl_rng_free(r);
  }
  sim_dist_release(&dist);
}

int fuzz_duration_one(const uint8_t *data, size_t size)
{
  char *s = cstr(data, size);
  const char *why = NULL;
  sim_time_ms t = -1;
  cJSON *root = NULL;
  sim_diag d;
  int rc;

  if (s == NULL)
    return 0;
  rc = sim_duration_parse(s, &t, &why);
  if (rc == SIM_OK) {
    check(why == NULL && t >= 0 && t <= SIM_DURATION_MAX);
    duration_roundtrip(t);
  } else {
    check((rc == SIM_ERR_PARSE || rc == SIM_ERR_RANGE) && why != NULL);
  }
  if (size >= 8) {   /* formatting any int64, negative ones included */
    uint64_t u;

    memcpy(&u, data, 8);
    duration_roundtrip((sim_time_ms)u);
  }
  sim_diag_init(&d, "fuzz");
  if (sim_json_parse(s, size, &root, &d) == SIM_OK) {
    rc = sim_duration_from_json(root, &t, &d, "$");
    if (rc == SIM_OK)
      duration_roundtrip(t);
    else
      check(d.msg[0] != '\0');
    dist_samples(root);
  }
  cJSON_Delete(root);
  free(s);
  return 0;
}

/* ---------------------------------------------------------------- cron --- */

int fuzz_cron_one(const uint8_t *data, size_t size)
{
  /* 1970, the default simulation start (2026), a leap day, the last
   * representable year, and an instant taken from the input. */
  int64_t starts[5] = {0, INT64_C(1767225600000), INT64_C(1709164800000),
                       INT64_C(7258118340000), 0};
  char *s = cstr(data, size);
  model_cron c;
  sim_diag d;
  char when[32];

  if (s == NULL)
    return 0;
  if (size >= 8) {
    uint64_t u;

    memcpy(&u, data, 8);
    starts[4] = (int64_t)(u % UINT64_C(8000000000000)) - INT64_C(500000000000);
    model_cron_format_time((int64_t)u, when, sizeof when);
  }
  sim_diag_init(&d, "fuzz");
  if (model_cron_parse(&c, s, &d, "$.startTime") != SIM_OK) {
    check(d.msg[0] != '\0');
    free(s);
    return 0;
  }
  for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
    int64_t at = starts[i], next;

    for (int k = 0; k < 4 && model_cron_next(&c, at, &next); k++) {
      check(next > at && next % (60 * 1000) == 0);
      model_cron_format_time(next, when, sizeof when);
      check(strlen(when) == 16);
      at = next;
    }
  }
  free(s);
  return 0;
}

/* ----------------------------------------------------------------- sim --- */

static void render(const model_engine *e)
{
  static const report_opts opts[] = {{REPORT_TS_EPOCH, false},
                                     {REPORT_TS_ISO8601, true}};
  int64_t n = model_engine_things(e);
  int64_t picks[4] = {0, n / 3, n / 2, n - 1};
  size_t len = 0;
  char *text;

  for (size_t k = 0; k < 2; k++) {
    const report_opts *o = &opts[k];
    report_list_opts lo = {false, MODEL_EXEC_NONE, 0, 0};

    text = report_describe_job(e, o, &len);
    check(text != NULL && len > 0);
    free(text);
    text = report_list_executions(e, &lo, o, &len);
    check(text != NULL);
    free(text);
    lo.max_results = 3;
    lo.start = n / 2;
    lo.has_status = true;
    lo.status = (model_exec_status)(model_engine_events(e) %
                                    (MODEL_EXEC_STATUS_COUNT - 1) + 1);
    text = report_list_executions(e, &lo, o, &len);
    check(text != NULL);
    free(text);
    for (size_t i = 0; i < 4 && n > 0; i++) {
      for (int exec_no = 0; exec_no <= 2; exec_no++) {
        bool not_found = false;

        text = report_describe_execution(e, picks[i], exec_no, o, &not_found,
                                         &len);
        check(text != NULL || not_found);
        free(text);
      }
    }
  }
}

/* Things the scenario would ever create: the fleet plus add-things. */
static int64_t things_ever(const model_scenario *sc)
{
  int64_t n = sc->fleet.n_things;

  for (size_t i = 0; i < sc->n_ops; i++)
    if (sc->ops[i].kind == MODEL_OP_ADD_THINGS)
      n += sc->ops[i].count + (int64_t)sc->ops[i].n_names;
  return n;
}

int fuzz_sim_one(const uint8_t *data, size_t size)
{
  model_scenario *sc = NULL;
  model_engine *e = NULL;
  sim_diag d;
  sim_time_ms t, until, step = 1000;

  if (absolute_job_path(data, size))
    return 0;
  if (model_scenario_load_text(&sc, FUZZ_FILE, (const char *)data, size, &d) !=
      SIM_OK)
    return 0;
  if (things_ever(sc) > FUZZ_SIM_MAX_THINGS)
    goto done;
  if (sc->sim.until > FUZZ_SIM_MAX_UNTIL)
    sc->sim.until = FUZZ_SIM_MAX_UNTIL;
  until = sc->sim.until;
  if (model_engine_new(&e, sc, sc->sim.seed, NULL, &d) != SIM_OK) {
    check(d.msg[0] != '\0');
    goto done;
  }
  render(e);
  /* In steps of 1 s to 64 s: a step doubles while it dispatches few events
   * and drops back to 1 s when it dispatches many, so the event cap is
   * overshot by little and quiet stretches (a job waiting days for its
   * maintenance window) cost few calls. */
  for (t = 0; t < until && !model_engine_finished(e);) {
    uint64_t before = model_engine_events(e), ran;
    sim_time_ms was = t;

    t = t + step < until ? t + step : until;
    if (model_engine_run(e, t) != SIM_OK)
      break;
    check(model_engine_now(e) <= t);
    ran = model_engine_events(e) - before;
    step = ran > 2000 ? 1000 : ran < 200 && step < 60000 ? step * 2 : step;
    if (was < 60000 && t >= 60000)
      render(e);
    if (was < 3600000 && t >= 3600000)
      render(e);
    if (model_engine_events(e) > FUZZ_SIM_MAX_EVENTS ||
        model_engine_things(e) > 4 * FUZZ_SIM_MAX_THINGS)   /* arrivals */
      break;
  }
  render(e);
done:
  model_engine_free(e);
  model_scenario_free(sc);
  return 0;
}
