/*
 * scenario.c — loading and cross-validating a scenario file (design.md,
 * "Scenario file"). Parses the three parts, then checks what needs them
 * together: each target ARN must name the simulation's region and account
 * and a group or thing of the fleet.
 */
#define _POSIX_C_SOURCE 200809L
#include "scenario.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#include "calendar.h"
#include "duration.h"
#include "json.h"

/* ------------------------------------------------------------ ISO 8601 --- */

static bool take_digits(const char **p, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*p)[i])) return false;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  *out = v;
  return true;
}

bool model_parse_iso8601(const char *s, int64_t *epoch_ms) {
  int Y, M, D, h, mi, sec = 0, ms = 0;
  const char *p = s;
  if (!take_digits(&p, 4, &Y) || *p++ != '-' || !take_digits(&p, 2, &M) ||
      *p++ != '-' || !take_digits(&p, 2, &D) || (*p != 'T' && *p != ' '))
    return false;
  p++;
  if (!take_digits(&p, 2, &h) || *p++ != ':' || !take_digits(&p, 2, &mi))
    return false;
  if (*p == ':') {
    p++;
    if (!take_digits(&p, 2, &sec)) return false;
    if (*p == '.') {
      p++;
      int nd = 0, scale = 100;
      while (isdigit((unsigned char)*p)) {
        if (nd < 3) ms += (*p - '0') * scale, scale /= 10;
        nd++, p++;
      }
      if (nd == 0) return false;
    }
  }
  if (*p == 'Z') p++;
  else if (strcmp(p, "+00:00") == 0) p += 6;
  else return false;
  if (*p) return false;
  if (Y < 1970 || Y > 9999 || M < 1 || M > 12 || h > 23 || mi > 59 || sec > 59)
    return false;
  if (D < 1 || (unsigned)D > sim_days_in_month(Y, (unsigned)M)) return false;
  int64_t days = sim_days_from_civil(Y, (unsigned)M, (unsigned)D);
  *epoch_ms = ((days * 24 + h) * 60 + mi) * SIM_MS_PER_MIN + sec * SIM_MS_PER_S + ms;
  return true;
}

void model_format_iso8601(int64_t epoch_ms, char *buf, size_t n) {
  int64_t days = epoch_ms / SIM_MS_PER_D, rem = epoch_ms % SIM_MS_PER_D;
  if (rem < 0) rem += SIM_MS_PER_D, days--;
  int y; unsigned m, d;
  sim_civil_from_days(days, &y, &m, &d);
  snprintf(buf, n, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m, d,
           (int)(rem / SIM_MS_PER_H), (int)(rem / SIM_MS_PER_MIN % 60),
           (int)(rem / 1000 % 60), (int)(rem % 1000));
}

/* ----------------------------------------------------------- settings --- */

/* At most MODEL_MAX_SNAPSHOTS periodic snapshots until the horizon; `until`
 * names where the horizon came from ("until", "--until"). */
static int check_snapshots(const model_sim_settings *st, const char *until, sim_diag *d) {
  if (st->until / st->snapshot_every > MODEL_MAX_SNAPSHOTS)
    return sim_diag_set(d, SIM_ERR_LIMIT, "$.simulation.snapshotEvery",
                        "more than 100000 snapshots until the horizon; raise "
                        "snapshotEvery or lower %s", until);
  return SIM_OK;
}

/* One job's maintenance windows, as the checks below see them: its
 * request, the parsed cron expressions, and the instant (ms after the
 * start) its rollout may begin: its startTime, else its creation. */
typedef struct win_view {
  const model_jobcfg *c;
  const model_cron *win;
  size_t n;
  bool has_start;
  sim_time_ms from;
} win_view;

static int check_windows_horizon(const model_scenario *s, const win_view *v, const char *wp,
                                 const char *until, sim_diag *d);

/* Also checked when --until overrides the horizon: the scenario's first
 * job (the jobs created later are checked when they are created). */
int model_scenario_check_limits(const model_scenario *s, const char *until, sim_diag *d) {
  int rc = check_snapshots(&s->sim, until, d);
  if (!rc && s->n_windows) {
    const win_view v = {&s->job, s->windows, s->n_windows, s->has_start,
                        s->has_start ? s->start_at : 0};
    rc = check_windows_horizon(s, &v, "$.job.schedulingConfig.maintenanceWindows", until, d);
  }
  return rc;
}

static int parse_settings(model_sim_settings *st, const cJSON *obj, sim_diag *d,
                          const char *path) {
  static const char *const keys[] = {
      "seed", "startTime", "until", "snapshotEvery", "region", "accountId",
      "rolloutQuota", "cancelRatePerMinute", "abortGate", "abortReasonCode", "timeoutLagMax",
      "concurrentJobs", NULL};
  static const char *const gates[] = {"executed", "notified", NULL};
  char p[512];
  int rc;
  /* defaults */
  st->seed = 1;
  model_parse_iso8601("2026-01-01T00:00:00Z", &st->start_epoch_ms);
  st->until = 30 * SIM_MS_PER_D;
  st->snapshot_every = 5 * SIM_MS_PER_MIN;
  snprintf(st->region, sizeof st->region, "us-west-2");
  snprintf(st->account_id, sizeof st->account_id, "123456789012");
  st->rollout_quota = 1000;
  st->cancel_rate = 1000;
  st->concurrent_jobs = 500;
  st->abort_gate = MODEL_GATE_EXECUTED;
  snprintf(st->abort_reason_code, sizeof st->abort_reason_code, "ABORT_CRITERIA_MET");
  if (!obj) return SIM_OK;
  if ((rc = sim_json_check_object(obj, keys, d, path))) return rc;

  int64_t seed = 1;
  if ((rc = sim_json_int(obj, "seed", false, 0, INT64_C(9007199254740992), &seed,
                         NULL, d, path)))
    return rc;
  st->seed = (uint64_t)seed;
  const char *s;
  bool present;
  if ((rc = sim_json_str(obj, "startTime", false, 1, 64, &s, &present, d, path)))
    return rc;
  if (present && !model_parse_iso8601(s, &st->start_epoch_ms)) {
    sim_path_key(p, sizeof p, path, "startTime");
    return sim_diag_set(d, SIM_ERR_RANGE, p,
                        "expected an ISO 8601 UTC time such as "
                        "\"2026-01-01T00:00:00Z\" (year 1970..9999), got \"%s\"", s);
  }
  const cJSON *it;
  if ((it = sim_json_get(obj, "until"))) {
    sim_path_key(p, sizeof p, path, "until");
    if ((rc = sim_duration_from_json(it, &st->until, d, p))) return rc;
    if (st->until <= 0)
      return sim_diag_set(d, SIM_ERR_RANGE, p, "expected a duration greater than 0");
  }
  if ((it = sim_json_get(obj, "snapshotEvery"))) {
    sim_path_key(p, sizeof p, path, "snapshotEvery");
    if ((rc = sim_duration_from_json(it, &st->snapshot_every, d, p))) return rc;
    if (st->snapshot_every < SIM_MS_PER_S)
      return sim_diag_set(d, SIM_ERR_RANGE, p, "expected a duration of at least 1s");
  }
  if ((rc = check_snapshots(st, "until", d))) return rc;
  if ((rc = sim_json_str(obj, "region", false, 1, 31, &s, &present, d, path)))
    return rc;
  if (present) {
    bool ok = islower((unsigned char)s[0]);
    for (const char *c = s; *c && ok; c++)
      ok = islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-';
    if (!ok || !strchr(s, '-') || !isdigit((unsigned char)s[strlen(s) - 1])) {
      sim_path_key(p, sizeof p, path, "region");
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "expected an AWS region name such as \"us-west-2\", "
                          "got \"%s\"", s);
    }
    snprintf(st->region, sizeof st->region, "%s", s);
  }
  if ((rc = sim_json_str(obj, "accountId", false, 0, SIZE_MAX, &s, &present, d,
                         path)))
    return rc;
  if (present) {
    bool ok = strlen(s) == 12;
    for (const char *c = s; *c && ok; c++) ok = isdigit((unsigned char)*c);
    if (!ok) {
      sim_path_key(p, sizeof p, path, "accountId");
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "expected an AWS account id of 12 decimal digits, "
                          "got \"%.64s\"", s);
    }
    snprintf(st->account_id, sizeof st->account_id, "%s", s);
  }
  if ((rc = sim_json_int(obj, "rolloutQuota", false, 1, 1000000, &st->rollout_quota,
                         NULL, d, path)) ||
      (rc = sim_json_int(obj, "cancelRatePerMinute", false, 1, 100000000,
                         &st->cancel_rate, NULL, d, path)) ||
      (rc = sim_json_int(obj, "concurrentJobs", false, 1, 100000, &st->concurrent_jobs,
                         NULL, d, path)))
    return rc;
  if ((it = sim_json_get(obj, "timeoutLagMax"))) {
    sim_path_key(p, sizeof p, path, "timeoutLagMax");
    if ((rc = sim_duration_from_json(it, &st->timeout_lag_max, d, p))) return rc;
    if (st->timeout_lag_max > 60 * SIM_MS_PER_S)
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "expected at most 60s (AWS times out up to 60 seconds late)");
  }
  int gate = 0;
  if ((rc = sim_json_enum(obj, "abortGate", false, gates, &gate, NULL, d, path)))
    return rc;
  st->abort_gate = (model_abort_gate)gate;
  if ((rc = sim_json_str(obj, "abortReasonCode", false, 1, 128, &s, &present, d,
                         path)))
    return rc;
  if (present) {
    for (const char *c = s; *c; c++)
      if (!(isupper((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_')) {
        sim_path_key(p, sizeof p, path, "abortReasonCode");
        return sim_diag_set(d, SIM_ERR_RANGE, p,
                            "expected upper-case letters, digits and '_' "
                            "(pattern [\\p{Upper}\\p{Digit}_]+)");
      }
    snprintf(st->abort_reason_code, sizeof st->abort_reason_code, "%s", s);
  }
  return SIM_OK;
}

/* ------------------------------------------------------------ targets --- */

/* Resolve one target ARN against the fleet, in the simulation's region and
 * account. `p` is the JSON path of the ARN for messages. */
int model_scenario_resolve_arn(const model_scenario *s, const char *arn, model_target *t,
                               sim_diag *d, const char *p) {
  char prefix[128];
  snprintf(prefix, sizeof prefix, "arn:aws:iot:%s:%s:", s->sim.region,
           s->sim.account_id);
  size_t pl = strlen(prefix);
  if (strncmp(arn, prefix, pl) != 0)
    return sim_diag_set(d, SIM_ERR_RANGE, p,
                        "target '%s' is not in the simulation's region and "
                        "account (expected prefix '%s'; see the scenario's "
                        "$.simulation.region and $.simulation.accountId)", arn,
                        prefix);
  const char *rest = arn + pl;
  memset(t, 0, sizeof *t);
  if (strncmp(rest, "thinggroup/", 11) == 0) {
    long g = model_fleet_find_group(&s->fleet, rest + 11);
    if (g < 0) {
      char hint[160];
      model_fleet_group_hint(&s->fleet, rest + 11, hint, sizeof hint);
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "target names thing group '%s', which is not a group "
                          "of the scenario's $.fleet.groups%s", rest + 11, hint);
    }
    t->is_group = true;
    t->group = g;
    t->first = s->fleet.groups[g].first;
    t->count = s->fleet.groups[g].count;
  } else if (strncmp(rest, "thing/", 6) == 0) {
    int64_t th = model_fleet_find_thing(&s->fleet, rest + 6);
    if (th < 0)
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "target names thing '%s', which is not in the "
                          "scenario's fleet",
                          rest + 6);
    t->group = (long)model_fleet_group_of(&s->fleet, th);
    t->first = th;
    t->count = 1;
  } else {
    return sim_diag_set(d, SIM_ERR_RANGE, p,
                        "expected a thing or thinggroup ARN, got '%s'", arn);
  }
  return SIM_OK;
}

static int fleet_resolve(void *ud, const char *arn, model_target *out, sim_diag *d,
                         const char *path) {
  const model_scenario *s = *(const model_scenario *const *)ud;
  return model_scenario_resolve_arn(s, arn, out, d, path);
}

static int resolve_arn(const model_scenario *s, const char *arn, model_target *t,
                       sim_diag *d, const char *p) {
  return model_scenario_resolve_arn(s, arn, t, d, p);
}

static int resolve_targets(model_job_spec *j, model_resolve_fn resolve, void *ud,
                           sim_diag *d, const char *jobpath) {
  size_t n = j->job.n_targets;
  j->targets = calloc(n ? n : 1, sizeof *j->targets);
  if (!j->targets) return sim_diag_set(d, SIM_ERR_NOMEM, jobpath, "out of memory");
  char p[512], tp[512];
  sim_path_key(tp, sizeof tp, jobpath, "targets");
  int64_t covered = 0;
  for (size_t i = 0; i < n; i++) {
    sim_path_index(p, sizeof p, tp, i);
    int rc = resolve(ud, j->job.targets[i], &j->targets[i], d, p);
    if (rc) return rc;
  }
  /* Distinct things covered: fleet groups are disjoint ranges, each listed
   * once (duplicate targets are rejected); a thing counts unless a fleet
   * group target already covers it or an identical thing target came
   * before. (A group created at run time counts its members now.) */
  for (size_t i = 0; i < n; i++) {
    const model_target *t = &j->targets[i];
    if (t->is_group) { covered += t->count; continue; }
    bool dup = false;
    for (size_t k = 0; k < n && !dup; k++) {
      const model_target *u = &j->targets[k];
      if (u->is_group) dup = u->first >= 0 && t->first >= u->first &&
                             t->first < u->first + u->count;
      else if (k < i) dup = u->first == t->first;
    }
    if (!dup) covered++;
  }
  j->n_targeted = covered;
  return SIM_OK;
}

/* --------------------------------------------------------- operations --- */

static const char *const op_names[MODEL_OP_COUNT] = {
    "cancel-job", "update-job", "delete-job", "associate-targets-with-job",
    "cancel-job-execution", "delete-job-execution", "add-things", "remove-things",
    "delete-things", "create-job"};

const char *model_op_name(model_op_kind k) {
  return (unsigned)k < MODEL_OP_COUNT ? op_names[k] : "?";
}

static void op_release(model_op *o) {
  free(o->reason_code);
  free(o->comment);
  model_jobcfg_release(&o->update);
  for (size_t i = 0; i < o->n_targets; i++) free(o->targets[i]);
  free(o->targets);
  free(o->resolved);
  free(o->thing_name);
  for (size_t i = 0; i < o->n_names; i++) free(o->names[i]);
  free(o->names);
  free(o->job_id);
  if (o->create) model_job_spec_release(o->create);
  free(o->create);
  memset(o, 0, sizeof *o);
}

void model_op_release(model_op *o) { op_release(o); }

static bool valid_thing_name(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > 128) return false;
  for (; *s; s++)
    if (!(isalnum((unsigned char)*s) || *s == ':' || *s == '_' || *s == '-'))
      return false;
  return true;
}

/* A string that can only be meant as a time of day ('T', ':' or a date
 * "YYYY-"), never as a duration. */
static bool looks_like_time(const char *s) {
  if (strchr(s, 'T') || strchr(s, ':')) return true;
  for (int i = 0; i < 4; i++)
    if (!isdigit((unsigned char)s[i])) return false;
  return s[4] == '-';
}

/* An instant: a duration after the start, or an ISO 8601 UTC time. */
static int parse_at(const model_scenario *sc, const cJSON *obj, sim_time_ms *out,
                    sim_diag *d, const char *path) {
  const cJSON *at = sim_json_get(obj, "at");
  char p[512];
  sim_path_key(p, sizeof p, path, "at");
  if (!at) return sim_diag_set(d, SIM_ERR_SCHEMA, path, "missing required field 'at'");
  int64_t epoch;
  if (cJSON_IsString(at) && looks_like_time(at->valuestring)) {
    if (!model_parse_iso8601(at->valuestring, &epoch))
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "expected a duration after the simulation's start such "
                          "as \"45m\", or an ISO 8601 UTC time such as "
                          "\"2026-01-01T00:45:00Z\" (year 1970..9999), got \"%.64s\"",
                          at->valuestring);
    if (epoch < sc->sim.start_epoch_ms)
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "the instant is before the simulation's startTime");
    *out = epoch - sc->sim.start_epoch_ms;
    return SIM_OK;
  }
  return sim_duration_from_json(at, out, d, p);
}

static int copy_strings(const cJSON *arr, size_t min, size_t max, bool things,
                        const char *noun, char ***out, size_t *n, sim_diag *d,
                        const char *p) {
  if (!cJSON_IsArray(arr))
    return sim_diag_set(d, SIM_ERR_SCHEMA, p, "expected an array, got %s",
                        sim_json_type_name(arr));
  size_t cnt = (size_t)cJSON_GetArraySize(arr);
  if (cnt < min || cnt > max)
    return sim_diag_set(d, SIM_ERR_RANGE, p, "expected %zu to %zu %s, got %zu",
                        min, max, noun, cnt);
  *out = calloc(cnt ? cnt : 1, sizeof **out);
  if (!*out) return sim_diag_set(d, SIM_ERR_NOMEM, p, "out of memory");
  size_t k = 0;
  for (const cJSON *it = arr->child; it; it = it->next, k++) {
    char ip[512];
    sim_path_index(ip, sizeof ip, p, k);
    if (!cJSON_IsString(it))
      return sim_diag_set(d, SIM_ERR_SCHEMA, ip, "expected a string, got %s",
                          sim_json_type_name(it));
    if (things && !valid_thing_name(it->valuestring))
      return sim_diag_set(d, SIM_ERR_RANGE, ip,
                          "expected a thing name of 1 to 128 characters from "
                          "[a-zA-Z0-9:_-]");
    if (!((*out)[k] = strdup(it->valuestring)))
      return sim_diag_set(d, SIM_ERR_NOMEM, ip, "out of memory");
    *n = k + 1;
  }
  return SIM_OK;
}

/* update-job: the UpdateJob request members, validated with the CreateJob
 * rules (the same table of messages) by wrapping them in a minimal request. */
static int parse_update(const model_scenario *sc, model_op *o, const cJSON *obj,
                        sim_diag *d, const char *path) {
  static const char *const allowed[] = {
      "description", "presignedUrlConfig", "jobExecutionsRolloutConfig",
      "abortConfig", "timeoutConfig", "jobExecutionsRetryConfig", NULL};
  int given = 0;
  for (const cJSON *m = obj->child; m; m = m->next) {
    if (strcmp(m->string, "at") == 0 || strcmp(m->string, "op") == 0 ||
        strcmp(m->string, "jobId") == 0)
      continue;
    bool ok = false;
    for (size_t i = 0; allowed[i]; i++) ok = ok || strcmp(allowed[i], m->string) == 0;
    char p[512];
    sim_path_key(p, sizeof p, path, m->string);
    if (!ok)
      return sim_diag_set(d, SIM_ERR_SCHEMA, p,
                          "update-job cannot change '%s': UpdateJob takes description, "
                          "presignedUrlConfig, jobExecutionsRolloutConfig, abortConfig, "
                          "timeoutConfig and jobExecutionsRetryConfig", m->string);
    given++;
  }
  if (!given)
    return sim_diag_set(d, SIM_ERR_SCHEMA, path,
                        "update-job needs at least one field to change");
  cJSON *req = cJSON_Duplicate(obj, 1);
  if (!req) return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
  cJSON_DeleteItemFromObjectCaseSensitive(req, "at");
  cJSON_DeleteItemFromObjectCaseSensitive(req, "op");
  cJSON_DeleteItemFromObjectCaseSensitive(req, "jobId");
  cJSON *tg = cJSON_AddArrayToObject(req, "targets");
  char arn[160];   /* a stand-in: UpdateJob changes no targets */
  snprintf(arn, sizeof arn, "arn:aws:iot:%s:%s:thing/x", sc->sim.region,
           sc->sim.account_id);
  cJSON *t0 = cJSON_CreateString(arn);
  if (!t0 || !tg || !cJSON_AddItemToArray(tg, t0) ||
      !cJSON_AddStringToObject(req, "jobId", "x") ||
      !cJSON_AddStringToObject(req, "document", "{}")) {
    if (t0 && !(tg && t0->prev)) cJSON_Delete(t0);   /* not attached */
    cJSON_Delete(req);
    return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
  }
  model_jobcfg_opts opts = {.rollout_quota = sc->sim.rollout_quota};
  int rc = model_jobcfg_parse(&o->update, req, &opts, d, path);
  cJSON_Delete(req);
  if (rc) return rc;
  o->upd_description = sim_json_get(obj, "description") != NULL;
  o->upd_presigned = sim_json_get(obj, "presignedUrlConfig") != NULL;
  o->upd_rollout = sim_json_get(obj, "jobExecutionsRolloutConfig") != NULL;
  o->upd_abort = sim_json_get(obj, "abortConfig") != NULL;
  o->upd_timeout = sim_json_get(obj, "timeoutConfig") != NULL;
  o->upd_retry = sim_json_get(obj, "jobExecutionsRetryConfig") != NULL;
  for (size_t i = 0; i < o->update.n_retry; i++)
    if (o->update.retry[i].number_of_retries != 0) {
      char p[512], lp[512];
      sim_path_key(p, sizeof p, path, "jobExecutionsRetryConfig");
      sim_path_key(lp, sizeof lp, p, "criteriaList");
      sim_path_index(p, sizeof p, lp, i);
      sim_path_key(lp, sizeof lp, p, "numberOfRetries");
      return sim_diag_set(d, SIM_ERR_RANGE, lp,
                          "UpdateJob can only lower numberOfRetries to 0 (retries "
                          "cannot be changed otherwise after creation)");
    }
  return SIM_OK;
}

static int load_spec(const model_scenario *s, const cJSON *job, const char *jpath,
                     sim_time_ms created, model_job_spec *out, sim_diag *d);

static bool valid_job_id(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > 64) return false;
  for (; *s; s++)
    if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-')) return false;
  return true;
}

static int parse_op(const model_scenario *sc, model_op *o, const cJSON *obj, size_t idx,
                    unsigned flags, sim_diag *d, const char *path) {
  static const char *const kinds[] = {
      "cancel-job", "update-job", "delete-job", "associate-targets-with-job",
      "cancel-job-execution", "delete-job-execution", "add-things",
      "remove-things", "delete-things", "create-job", NULL};
  static const char *const k_cancel[] = {"at", "op", "jobId", "force", "reasonCode",
                                         "comment", NULL};
  static const char *const k_delete[] = {"at", "op", "jobId", "force", NULL};
  static const char *const k_assoc[] = {"at", "op", "jobId", "targets", "comment", NULL};
  static const char *const k_cexec[] = {"at", "op", "jobId", "thingName", "force",
                                        "expectedVersion", NULL};
  static const char *const k_dexec[] = {"at", "op", "jobId", "thingName",
                                        "executionNumber", "force", NULL};
  static const char *const k_things[] = {"at", "op", "group", "count", "things", NULL};
  static const char *const k_create[] = {"at", "op", "job", NULL};
  o->index = idx;
  o->group = -1;
  if (!cJSON_IsObject(obj))
    return sim_diag_set(d, SIM_ERR_SCHEMA, path, "expected an object, got %s",
                        sim_json_type_name(obj));
  int kind = 0, rc;
  if (!sim_json_get(obj, "op")) {   /* say which operations there are */
    char list[256] = "";
    for (size_t i = 0; kinds[i]; i++)
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
               kinds[i]);
    return sim_diag_set(d, SIM_ERR_SCHEMA, path,
                        "missing required field 'op' (one of %s)", list);
  }
  if ((rc = sim_json_enum(obj, "op", true, kinds, &kind, NULL, d, path))) return rc;
  o->kind = (model_op_kind)kind;
  if (!(flags & MODEL_OP_PARSE_NO_AT) || sim_json_get(obj, "at"))
    if ((rc = parse_at(sc, obj, &o->at, d, path))) return rc;
  if (o->at > sc->sim.until) {
    char p[512];
    sim_path_key(p, sizeof p, path, "at");
    return sim_diag_set(d, SIM_ERR_RANGE, p,
                        "the operation is after the simulation's horizon "
                        "($.simulation.until)");
  }
  const char *str;
  bool present;
  char p[512];
  if (model_op_is_job_op(o->kind)) {   /* which job: its jobId, or the first */
    if ((rc = sim_json_str(obj, "jobId", false, 1, 64, &str, &present, d, path)))
      return rc;
    if (present && !valid_job_id(str)) {
      sim_path_key(p, sizeof p, path, "jobId");
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "expected 1 to 64 characters from [a-zA-Z0-9_-]");
    }
    if (present && !(o->job_id = strdup(str)))
      return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
  }
  switch (o->kind) {
    case MODEL_OP_CREATE_JOB: {
      if ((rc = sim_json_check_object(obj, k_create, d, path))) return rc;
      const cJSON *job = sim_json_get(obj, "job");
      if (!job) return sim_diag_set(d, SIM_ERR_SCHEMA, path, "missing required field 'job'");
      if (!(o->create = calloc(1, sizeof *o->create)))
        return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
      sim_path_key(p, sizeof p, path, "job");
      return load_spec(sc, job, p, o->at, o->create, d);
    }
    case MODEL_OP_CANCEL_JOB:
      if ((rc = sim_json_check_object(obj, k_cancel, d, path)) ||
          (rc = sim_json_bool(obj, "force", false, &o->force, NULL, d, path)) ||
          (rc = sim_json_str(obj, "reasonCode", false, 1, 128, &str, &present, d, path)))
        return rc;
      if (present) {
        for (const char *c = str; *c; c++)
          if (!(isupper((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_')) {
            sim_path_key(p, sizeof p, path, "reasonCode");
            return sim_diag_set(d, SIM_ERR_RANGE, p,
                                "expected upper-case letters, digits and '_' "
                                "(pattern [\\p{Upper}\\p{Digit}_]+)");
          }
        if (!(o->reason_code = strdup(str)))
          return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
      }
      if ((rc = sim_json_str(obj, "comment", false, 0, 2028, &str, &present, d, path)))
        return rc;
      if (present && !(o->comment = strdup(str)))
        return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
      return SIM_OK;
    case MODEL_OP_UPDATE_JOB:
      return parse_update(sc, o, obj, d, path);
    case MODEL_OP_DELETE_JOB:
      if ((rc = sim_json_check_object(obj, k_delete, d, path))) return rc;
      return sim_json_bool(obj, "force", false, &o->force, NULL, d, path);
    case MODEL_OP_ASSOCIATE_TARGETS: {
      if ((rc = sim_json_check_object(obj, k_assoc, d, path))) return rc;
      const cJSON *t = sim_json_get(obj, "targets");
      if (!t) return sim_diag_set(d, SIM_ERR_SCHEMA, path,
                                  "missing required field 'targets'");
      sim_path_key(p, sizeof p, path, "targets");
      if ((rc = copy_strings(t, 1, MODEL_MAX_TARGETS, false, "targets", &o->targets,
                             &o->n_targets, d, p)))
        return rc;
      if (flags & MODEL_OP_PARSE_RESOLVE) {
        o->resolved = calloc(o->n_targets, sizeof *o->resolved);
        if (!o->resolved) return sim_diag_set(d, SIM_ERR_NOMEM, p, "out of memory");
      }
      for (size_t i = 0; o->resolved && i < o->n_targets; i++) {
        char ip[512];
        sim_path_index(ip, sizeof ip, p, i);
        if ((rc = resolve_arn(sc, o->targets[i], &o->resolved[i], d, ip))) return rc;
      }
      if ((rc = sim_json_str(obj, "comment", false, 0, 2028, &str, &present, d, path)))
        return rc;
      if (present && !(o->comment = strdup(str)))
        return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
      return SIM_OK;
    }
    case MODEL_OP_CANCEL_EXECUTION:
    case MODEL_OP_DELETE_EXECUTION:
      if ((rc = sim_json_check_object(obj, o->kind == MODEL_OP_CANCEL_EXECUTION
                                               ? k_cexec : k_dexec, d, path)) ||
          (rc = sim_json_str(obj, "thingName", true, 1, 128, &str, NULL, d, path)))
        return rc;
      if (!valid_thing_name(str)) {
        sim_path_key(p, sizeof p, path, "thingName");
        return sim_diag_set(d, SIM_ERR_RANGE, p,
                            "expected a thing name of 1 to 128 characters from "
                            "[a-zA-Z0-9:_-]");
      }
      if (!(o->thing_name = strdup(str)))
        return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
      if ((rc = sim_json_bool(obj, "force", false, &o->force, NULL, d, path)))
        return rc;
      if (o->kind == MODEL_OP_CANCEL_EXECUTION)
        return sim_json_int(obj, "expectedVersion", false, 1, INT64_C(9007199254740992),
                            &o->expected_version, NULL, d, path);
      if (o->kind == MODEL_OP_DELETE_EXECUTION)
        return sim_json_int(obj, "executionNumber", true, 1, INT64_C(9007199254740992),
                            &o->execution_number, NULL, d, path);
      return SIM_OK;
    case MODEL_OP_ADD_THINGS:
    case MODEL_OP_REMOVE_THINGS:
    case MODEL_OP_DELETE_THINGS: {
      if ((rc = sim_json_check_object(obj, k_things, d, path))) return rc;
      bool need_group = o->kind == MODEL_OP_ADD_THINGS;
      if ((rc = sim_json_str(obj, "group", need_group, 1, 128, &str, &present, d, path)))
        return rc;
      if (present) {
        o->group = model_fleet_find_group(&sc->fleet, str);
        if (o->group < 0) {
          char hint[160];
          model_fleet_group_hint(&sc->fleet, str, hint, sizeof hint);
          sim_path_key(p, sizeof p, path, "group");
          return sim_diag_set(d, SIM_ERR_RANGE, p,
                              "unknown group '%s' (not in $.fleet.groups)%s", str, hint);
        }
      }
      const cJSON *names = sim_json_get(obj, "things");
      bool has_count = sim_json_get(obj, "count") != NULL;
      if ((names != NULL) == has_count)
        return sim_diag_set(d, SIM_ERR_SCHEMA, path,
                            "exactly one of 'count' or 'things' is required%s",
                            has_count ? ", got both" : "");
      if (has_count) {
        if (o->group < 0)
          return sim_diag_set(d, SIM_ERR_SCHEMA, path,
                              "'count' needs 'group' (which group's things)");
        return sim_json_int(obj, "count", true, 1, MODEL_MAX_THINGS, &o->count, NULL,
                            d, path);
      }
      sim_path_key(p, sizeof p, path, "things");
      return copy_strings(names, 1, 100000, true, "thing names", &o->names,
                          &o->n_names, d, p);
    }
    default:
      return SIM_OK;
  }
}

int model_op_parse(const model_scenario *sc, model_op *o, const cJSON *obj,
                   unsigned flags, sim_diag *d, const char *path) {
  memset(o, 0, sizeof *o);
  int rc = parse_op(sc, o, obj, 0, flags, d, path);
  if (rc) op_release(o);
  return rc;
}

/* Is `id` the jobId of a job of the scenario (at instant 0 or created by a
 * create-job operation other than ops[self])? */
static bool scenario_job_id(const model_scenario *s, const char *id, size_t self) {
  for (size_t k = 0; k < model_scenario_n_jobs(s); k++)
    if (strcmp(model_scenario_job(s, k).job.job_id, id) == 0) return true;
  for (size_t i = 0; i < s->n_ops; i++)
    if (i != self && s->ops[i].kind == MODEL_OP_CREATE_JOB &&
        strcmp(s->ops[i].create->job.job_id, id) == 0)
      return true;
  return false;
}

bool model_scenario_has_job(const model_scenario *s, const char *id) {
  return scenario_job_id(s, id, SIZE_MAX);
}

/* Operations that name jobs name the scenario's; a create-job's id is new. */
static int check_op_jobs(const model_scenario *s, sim_diag *d) {
  for (size_t i = 0; i < s->n_ops; i++) {
    const model_op *o = &s->ops[i];
    char p[512], q[512];
    sim_path_index(q, sizeof q, "$.operations", i);
    if (o->kind == MODEL_OP_CREATE_JOB) {
      if (scenario_job_id(s, o->create->job.job_id, i)) {
        sim_path_key(p, sizeof p, q, "job");
        return sim_diag_set(d, SIM_ERR_RANGE, p,
                            "jobId '%s' is already the jobId of another job of the "
                            "scenario (jobs need distinct ids)",
                            o->create->job.job_id);
      }
      continue;
    }
    if (!model_op_is_job_op(o->kind)) continue;
    if (!o->job_id) {
      if (!s->has_job)
        return sim_diag_set(d, SIM_ERR_SCHEMA, q,
                            "missing required field 'jobId' (the scenario has no job "
                            "at its start)");
      continue;
    }
    if (!scenario_job_id(s, o->job_id, SIZE_MAX)) {
      sim_path_key(p, sizeof p, q, "jobId");
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "unknown job '%s' (not the jobId of $.job, $.jobs or a "
                          "create-job operation)",
                          o->job_id);
    }
  }
  return SIM_OK;
}

static int parse_ops(model_scenario *s, const cJSON *ops, sim_diag *d) {
  if (!ops) return SIM_OK;
  if (!cJSON_IsArray(ops))
    return sim_diag_set(d, SIM_ERR_SCHEMA, "$.operations", "expected an array, got %s",
                        sim_json_type_name(ops));
  size_t n = (size_t)cJSON_GetArraySize(ops);
  if (n > 100000)
    return sim_diag_set(d, SIM_ERR_LIMIT, "$.operations",
                        "expected at most 100000 operations, got %zu", n);
  if (n == 0) return SIM_OK;
  s->ops = calloc(n, sizeof *s->ops);
  if (!s->ops) return sim_diag_set(d, SIM_ERR_NOMEM, "$.operations", "out of memory");
  size_t k = 0;
  for (const cJSON *it = ops->child; it; it = it->next, k++) {
    char p[512];
    sim_path_index(p, sizeof p, "$.operations", k);
    s->n_ops = k + 1;
    int rc = parse_op(s, &s->ops[k], it, k, MODEL_OP_PARSE_RESOLVE, d, p);
    if (rc) return rc;
  }
  return check_op_jobs(s, d);
}

/* --------------------------------------------------------- scheduling --- */

/* "YYYY-MM-DDTHH:MM" (validated by jobcfg.c) to epoch ms. */
static int64_t sched_time(const char *s) {
  char iso[40];
  snprintf(iso, sizeof iso, "%.16s:00Z", s);
  int64_t ms = 0;
  model_parse_iso8601(iso, &ms);
  return ms;
}

/* Whole minutes in `ms`, rounded down (for messages). */
static int64_t floor_minutes(int64_t ms) {
  int64_t m = ms / SIM_MS_PER_MIN;
  return ms % SIM_MS_PER_MIN < 0 ? m - 1 : m;
}

/* Is maintenance window wi open at some instant of [lo, hi) (ms after the
 * start)? *at: its first such opening, epoch ms. */

static bool window_opens(const model_scenario *s, const win_view *v, size_t wi,
                         sim_time_ms lo, sim_time_ms hi, int64_t *at) {
  const int64_t base = s->sim.start_epoch_ms;
  const int64_t len = v->c->windows[wi].duration_min * SIM_MS_PER_MIN;
  /* an occurrence after lo - len is still open at lo */
  if (!model_cron_next(&v->win[wi], base + lo - len, at)) return false;
  return *at < base + hi;
}

/* The rollout happens only inside the windows: at least one must open
 * before the horizon, or the job can never roll out. */
static int check_windows_horizon(const model_scenario *s, const win_view *v, const char *wp,
                                 const char *until, sim_diag *d) {
  int64_t at, first = INT64_MAX;
  for (size_t i = 0; i < v->n; i++) {
    if (window_opens(s, v, i, v->from, s->sim.until, &at)) return SIM_OK;
    if (window_opens(s, v, i, v->from, INT64_MAX / 2, &at) && at < first) first = at;
  }
  char h[64], hi[40], fi[40];
  sim_duration_format(s->sim.until, h, sizeof h);
  model_format_iso8601(s->sim.start_epoch_ms + s->sim.until, hi, sizeof hi);
  model_format_iso8601(first, fi, sizeof fi);
  return sim_diag_set(d, SIM_ERR_RANGE, wp,
                      "no maintenance window opens before the horizon (+%s, %s): the first "
                      "opens at %s, so the job would never roll out; lengthen %s", h, hi,
                      fi, until);
}

/* Each window must open some time after the rollout may start: cron years
 * end at 2199, and an expression can have no occurrence at all. */
static int check_windows_open(const model_scenario *s, const win_view *v, const char *wp,
                              sim_diag *d) {
  for (size_t i = 0; i < v->n; i++) {
    int64_t at;
    if (window_opens(s, v, i, v->from, INT64_MAX / 2, &at)) continue;
    char ip[512], p[512], from[40];
    sim_path_index(ip, sizeof ip, wp, i);
    sim_path_key(p, sizeof p, ip, "startTime");
    const int64_t t = s->sim.start_epoch_ms + v->from;
    model_format_iso8601(t, from, sizeof from);
    const int64_t end = (int64_t)sim_days_from_civil(MODEL_CRON_YEAR_MAX + 1, 1, 1) *
                        SIM_MS_PER_D;
    if (t >= end)
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "the window can never open: the rollout starts at %s, and cron "
                          "years end at %d (jobsim computes maintenance windows up to "
                          "%d-12-31)", from, MODEL_CRON_YEAR_MAX, MODEL_CRON_YEAR_MAX);
    return sim_diag_set(d, SIM_ERR_RANGE, p,
                        "the window never opens: %s has no occurrence from %s (%s) to "
                        "the end of %d, the last year cron knows", v->c->windows[i].cron,
                        from, v->has_start ? "the job's startTime" : "the job's creation",
                        MODEL_CRON_YEAR_MAX);
  }
  return SIM_OK;
}

/* The creation instant for messages: the simulation start, or "at ..." */
static void creation_text(const model_scenario *s, sim_time_ms created, char *buf,
                          size_t n) {
  if (created == 0) {
    snprintf(buf, n, "the scenario's $.simulation.startTime");
    return;
  }
  char iso[40], off[64];
  model_format_iso8601(s->sim.start_epoch_ms + created, iso, sizeof iso);
  sim_duration_format(created, off, sizeof off);
  snprintf(buf, n, "%s, +%s into the simulation", iso, off);
}

/* AWS's time-window rules against "now" (the job's creation, `created` ms
 * after the simulation start), then the maintenance windows' cron
 * expressions. */
static int check_scheduling(model_job_spec *j, const model_scenario *s,
                            sim_time_ms created, sim_diag *d, const char *jp) {
  const model_jobcfg *c = &j->job;
  char sp[512], p[512], when[128];
  sim_path_key(sp, sizeof sp, jp, "schedulingConfig");
  const int64_t now = s->sim.start_epoch_ms + created, m30 = 30 * SIM_MS_PER_MIN;
  creation_text(s, created, when, sizeof when);
  if (c->start_time) {
    int64_t t = sched_time(c->start_time);
    sim_path_key(p, sizeof p, sp, "startTime");
    if (t < now + m30 || t > now + 365 * SIM_MS_PER_D)
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "startTime must be between 30 minutes and one year "
                          "(525600 minutes) after the job's creation (%s), got %lld "
                          "minutes",
                          when, (long long)floor_minutes(t - now));
    j->has_start = true;
    j->start_at = t - s->sim.start_epoch_ms;
  }
  if (c->end_time) {
    int64_t t = sched_time(c->end_time);
    sim_path_key(p, sizeof p, sp, "endTime");
    if (t < now + m30 || t > now + 730 * SIM_MS_PER_D)
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "endTime must be between 30 minutes and two years "
                          "(1051200 minutes) after the job's creation (%s), got %lld "
                          "minutes",
                          when, (long long)floor_minutes(t - now));
    j->has_end = true;
    j->end_at = t - s->sim.start_epoch_ms;
  }
  if (c->n_windows) {
    j->windows = calloc(c->n_windows, sizeof *j->windows);
    if (!j->windows) return sim_diag_set(d, SIM_ERR_NOMEM, sp, "out of memory");
    char wp[512];
    sim_path_key(wp, sizeof wp, sp, "maintenanceWindows");
    for (size_t i = 0; i < c->n_windows; i++) {
      char ip[512];
      sim_path_index(ip, sizeof ip, wp, i);
      sim_path_key(p, sizeof p, ip, "startTime");
      int rc = model_cron_parse(&j->windows[i], c->windows[i].cron, d, p);
      if (rc) return rc;
      j->n_windows = i + 1;
    }
    const win_view v = {c, j->windows, j->n_windows, j->has_start,
                        j->has_start ? j->start_at : created};
    int rc = check_windows_open(s, &v, wp, d);
    if (!rc) rc = check_windows_horizon(s, &v, wp, "$.simulation.until", d);
    if (rc) return rc;
  }
  return SIM_OK;
}

void model_job_spec_release(model_job_spec *j) {
  if (!j) return;
  model_jobcfg_release(&j->job);
  free(j->targets);
  free(j->windows);
  memset(j, 0, sizeof *j);
}

int model_job_spec_finish(model_job_spec *j, const model_scenario *sc, sim_time_ms created,
                          model_resolve_fn resolve, void *ud, sim_diag *d,
                          const char *jp) {
  int rc;
  if (j->job.has_scheduling && (rc = check_scheduling(j, sc, created, d, jp))) return rc;
  return resolve_targets(j, resolve, ud, d, jp);
}

size_t model_scenario_n_jobs(const model_scenario *s) {
  return s->has_job ? 1 + s->n_more_jobs : 0;
}

model_job_spec model_scenario_job(const model_scenario *s, size_t k) {
  if (k > 0) return s->more_jobs[k - 1];
  model_job_spec j = {s->job,     s->targets, s->n_targeted, s->has_start, s->start_at,
                      s->has_end, s->end_at,  s->windows,    s->n_windows};
  return j;
}

/* --------------------------------------------------------------- load --- */

void model_scenario_free(model_scenario *s) {
  if (!s) return;
  model_jobcfg_release(&s->job);
  model_fleet_release(&s->fleet);
  free(s->targets);
  for (size_t i = 0; i < s->n_ops; i++) op_release(&s->ops[i]);
  free(s->ops);
  free(s->windows);
  for (size_t i = 0; i < s->n_more_jobs; i++) model_job_spec_release(&s->more_jobs[i]);
  free(s->more_jobs);
  free(s->file);
  free(s->name);
  free(s->description);
  free(s->json_text);
  model_worlds_free(s->worlds, s->n_worlds);
  free(s);
}

static char *file_stem(const char *file) {
  const char *b = strrchr(file, '/');
  b = b ? b + 1 : file;
  size_t n = strlen(b);
  if (n > 5 && strcmp(b + n - 5, ".json") == 0) n -= 5;
  char *r = malloc(n + 9);
  if (!r) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n && k < 64; i++) {
    char c = b[i];
    /* a leading '.' would make a hidden report, or '.' and '..' ($.name
     * has the same rule) */
    bool ok = isalnum((unsigned char)c) || c == '_' || c == '-' || (c == '.' && k > 0);
    r[k++] = ok ? c : '_';
  }
  r[k] = 0;
  if (k == 0) memcpy(r, "scenario", 9);
  return r;
}

/* Parse a job item ($.job, $.jobs[i], a create-job's "job"): inline, or a
 * path to a --cli-input-json file relative to the scenario file. For a
 * file, `jfile` receives its path (else "") so that later checks of the job
 * report against that file with paths under "$". */
static int load_job_item(const model_scenario *s, const cJSON *job, const char *jpath,
                         model_jobcfg *out, char *jfile, size_t jn, sim_diag *d) {
  model_jobcfg_opts opts = {.rollout_quota = s->sim.rollout_quota};
  jfile[0] = 0;
  if (cJSON_IsString(job)) {
    if (!job->valuestring[0])
      return sim_diag_set(d, SIM_ERR_SCHEMA, jpath,
                          "expected a CreateJob object or a path to one, got an "
                          "empty string");
    /* "file://create-job.json", the AWS CLI's prefix, names the same file
     * as "create-job.json" (relative to the scenario file here, where the
     * CLI would take the current directory: a scenario and its job file
     * travel together) */
    const char *jv = job->valuestring;
    if (strncmp(jv, "file://", 7) == 0) jv += 7;
    if (!jv[0])
      return sim_diag_set(d, SIM_ERR_SCHEMA, jpath,
                          "expected a path after 'file://', got nothing");
    const char *slash = strrchr(s->file, '/');
    if (jv[0] == '/' || !slash)   /* "-" is a file, not stdin */
      snprintf(jfile, jn, "%s%s", strcmp(jv, "-") ? "" : "./", jv);
    else
      snprintf(jfile, jn, "%.*s/%s", (int)(slash - s->file), s->file, jv);
    sim_diag jd;
    sim_diag_init(&jd, jfile);
    char *text = NULL;
    size_t len = 0;
    cJSON *jroot = NULL;
    int rc = sim_json_read_file(jfile, &text, &len, &jd);
    if (rc) {
      /* Not readable: say which scenario field names the file. */
      sim_diag_set(d, rc, jpath, "job file: %s", jd.msg);
      jfile[0] = 0;
      return rc;
    }
    rc = sim_json_parse(text, len, &jroot, &jd);
    if (!rc) rc = model_jobcfg_parse(out, jroot, &opts, &jd, "$");
    cJSON_Delete(jroot);
    free(text);
    if (rc) *d = jd;
    return rc;
  }
  if (!cJSON_IsObject(job))
    return sim_diag_set(d, SIM_ERR_SCHEMA, jpath,
                        "expected a CreateJob object or a path to one, got %s",
                        sim_json_type_name(job));
  return model_jobcfg_parse(out, job, &opts, d, jpath);
}

/* A job item parsed, scheduled against its creation instant and resolved
 * against the fleet. On failure *out is released and d names the job file
 * when the job came from one. */
static int load_spec(const model_scenario *s, const cJSON *job, const char *jpath,
                     sim_time_ms created, model_job_spec *out, sim_diag *d) {
  char jfile[4096];
  memset(out, 0, sizeof *out);
  int rc = load_job_item(s, job, jpath, &out->job, jfile, sizeof jfile, d);
  /* From here on the checks are about the job: when it came from its own
   * file, report against that file and its paths. */
  if (!rc) {
    const char *jp = jfile[0] ? "$" : jpath;
    if (jfile[0]) sim_diag_init(d, jfile);
    rc = model_job_spec_finish(out, s, created, fleet_resolve, &s, d, jp);
    if (!rc) sim_diag_init(d, s->file);
  }
  if (rc) model_job_spec_release(out);
  return rc;
}

/* $.job or $.jobs: the jobs created at instant 0 (none only when allowed). */
static int load_jobs(model_scenario *s, const cJSON *root, unsigned flags, sim_diag *d) {
  const cJSON *job = sim_json_get(root, "job"), *jobs = sim_json_get(root, "jobs");
  if (job && jobs)
    return sim_diag_set(d, SIM_ERR_SCHEMA, "$.jobs",
                        "give either 'job' (one job) or 'jobs' (a list), not both");
  if (!job && !jobs) {
    if (flags & MODEL_SCENARIO_FLEET_ONLY) return SIM_OK;
    return sim_diag_set(d, SIM_ERR_SCHEMA, "$", "missing required field 'job'");
  }
  model_job_spec spec;
  int rc;
  if (job) {
    if ((rc = load_spec(s, job, "$.job", 0, &spec, d))) return rc;
  } else {
    if (!cJSON_IsArray(jobs))
      return sim_diag_set(d, SIM_ERR_SCHEMA, "$.jobs", "expected an array, got %s",
                          sim_json_type_name(jobs));
    size_t n = (size_t)cJSON_GetArraySize(jobs);
    if (n < 1 || n > 100)
      return sim_diag_set(d, SIM_ERR_RANGE, "$.jobs", "expected 1 to 100 jobs, got %zu", n);
    if (n > 1 && !(s->more_jobs = calloc(n - 1, sizeof *s->more_jobs)))
      return sim_diag_set(d, SIM_ERR_NOMEM, "$.jobs", "out of memory");
    size_t k = 0;
    for (const cJSON *it = jobs->child; it; it = it->next, k++) {
      char p[64];
      sim_path_index(p, sizeof p, "$.jobs", k);
      model_job_spec *dst = k == 0 ? &spec : &s->more_jobs[k - 1];
      if ((rc = load_spec(s, it, p, 0, dst, d))) {
        if (k > 0) model_job_spec_release(&spec);
        return rc;
      }
      if (k > 0) s->n_more_jobs = k;
      for (size_t m = 0; m < k; m++) {
        const char *other = m == 0 ? spec.job.job_id : s->more_jobs[m - 1].job.job_id;
        if (strcmp(other, dst->job.job_id) == 0) {
          char q[64];
          sim_path_index(q, sizeof q, "$.jobs", m);
          rc = sim_diag_set(d, SIM_ERR_RANGE, p,
                            "jobId '%s' is already the jobId of %s (jobs need distinct ids)",
                            dst->job.job_id, q);
          model_job_spec_release(&spec);
          return rc;
        }
      }
    }
  }
  s->has_job = true;
  s->job = spec.job;
  s->targets = spec.targets;
  s->n_targeted = spec.n_targeted;
  s->has_start = spec.has_start;
  s->start_at = spec.start_at;
  s->has_end = spec.has_end;
  s->end_at = spec.end_at;
  s->windows = spec.windows;
  s->n_windows = spec.n_windows;
  return SIM_OK;
}

/* Load from text; `given`, when not NULL, is text already parsed (and
 * perhaps pruned by model_scenario_load_all), used instead of parsing it. */
static int load_tree(model_scenario **out, const char *file, const char *text,
                     size_t len, unsigned flags, const cJSON *given, sim_diag *d);
static int load_text(model_scenario **out, const char *file, const char *text,
                     size_t len, unsigned flags, sim_diag *d) {
  return load_tree(out, file, text, len, flags, NULL, d);
}

static int load_tree(model_scenario **out, const char *file, const char *text,
                     size_t len, unsigned flags, const cJSON *given, sim_diag *d) {
  /* "fit": the provenance `jobsim fit` writes (docs/fit.md); not read */
  static const char *const keys[] = {"name", "description", "job", "jobs", "fleet",
                                     "operations", "simulation", "worlds",
                                     "fit", NULL};
  *out = NULL;
  sim_diag_init(d, file);
  model_scenario *s = calloc(1, sizeof *s);
  cJSON *parsed = NULL;
  const cJSON *root = given;
  int rc = SIM_ERR_NOMEM;
  if (!s || !(s->file = strdup(file)) || !(s->json_text = malloc(len + 1))) {
    sim_diag_set(d, rc, NULL, "out of memory");
    goto fail;
  }
  memcpy(s->json_text, text, len);
  s->json_text[len] = 0;
  if (!given) {
    if ((rc = sim_json_parse(text, len, &parsed, d))) goto fail;
    root = parsed;
  }
  if ((rc = sim_json_check_object(root, keys, d, "$"))) goto fail;

  const char *str;
  bool present;
  if ((rc = sim_json_str(root, "name", false, 1, 64, &str, &present, d, "$")))
    goto fail;
  if (present) {
    for (const char *c = str; *c; c++)
      if (!(isalnum((unsigned char)*c) || *c == '.' || *c == '_' || *c == '-') ||
          (c == str && *c == '.')) {
        rc = sim_diag_set(d, SIM_ERR_RANGE, "$.name",
                          "expected 1 to 64 characters from [A-Za-z0-9._-], not "
                          "starting with '.'");
        goto fail;
      }
    s->name = strdup(str);
  } else {
    s->name = file_stem(file);
  }
  if (!s->name) { rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory"); goto fail; }
  if ((rc = sim_json_str(root, "description", false, 0, 4096, &str, &present, d,
                         "$")))
    goto fail;
  if (present && !(s->description = strdup(str))) {
    rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    goto fail;
  }
  if ((rc = parse_settings(&s->sim, sim_json_get(root, "simulation"), d,
                           "$.simulation")))
    goto fail;
  const cJSON *fleet = sim_json_get(root, "fleet");
  if (!fleet) {
    rc = sim_diag_set(d, SIM_ERR_SCHEMA, "$", "missing required field 'fleet'");
    goto fail;
  }
  if ((rc = model_fleet_parse(&s->fleet, fleet, d, "$.fleet"))) goto fail;
  if ((rc = model_worlds_parse(&s->worlds, &s->n_worlds, sim_json_get(root, "worlds"),
                               fleet, &s->fleet, d)))
    goto fail;
  if ((rc = load_jobs(s, root, flags, d))) goto fail;
  if ((rc = parse_ops(s, sim_json_get(root, "operations"), d))) goto fail;
  cJSON_Delete(parsed);
  *out = s;
  return SIM_OK;
fail:
  cJSON_Delete(parsed);
  model_scenario_free(s);
  return rc ? rc : SIM_ERR_NOMEM;
}

int model_scenario_load_text(model_scenario **out, const char *file,
                             const char *text, size_t len, sim_diag *d) {
  return load_text(out, file, text, len, 0, d);
}

int model_scenario_load_flags(model_scenario **out, const char *file, unsigned flags,
                              sim_diag *d) {
  char *text = NULL;
  size_t len = 0;
  *out = NULL;
  sim_diag_init(d, file);
  int rc = sim_json_read_file(file, &text, &len, d);
  if (rc) return rc;
  rc = load_text(out, file, text, len, flags, d);
  free(text);
  return rc;
}

int model_scenario_load(model_scenario **out, const char *file, sim_diag *d) {
  return model_scenario_load_flags(out, file, 0, d);
}

/* ------------------------------------------- every problem, one pass --- */

/* The member of the tree at `target` (a path as the loader writes them),
 * found by building each member's path the same way; *parent is the object
 * or array holding it. NULL when no member has that path. */
static cJSON *find_member(cJSON *node, const char *npath, const char *target,
                          cJSON **parent) {
  size_t i = 0;
  for (cJSON *c = node->child; c; c = c->next, i++) {
    char cp[sizeof ((sim_diag *)0)->path];
    if (cJSON_IsObject(node))
      sim_path_key(cp, sizeof cp, npath, c->string);
    else
      sim_path_index(cp, sizeof cp, npath, i);
    if (strcmp(cp, target) == 0) {
      *parent = node;
      return c;
    }
    size_t l = strlen(cp);
    if (strncmp(cp, target, l) == 0 && (target[l] == '.' || target[l] == '[') &&
        (cJSON_IsObject(c) || cJSON_IsArray(c))) {
      cJSON *r = find_member(c, cp, target, parent);
      if (r) return r;
    }
  }
  return NULL;
}

static bool starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Take the member a problem names out of the way, so that the loader, run
 * again, can go past it: an unknown or any other faulty member is removed
 * (an object is emptied instead, so that a behaviour, a world, a group's
 * settings keep existing for what names them), a repeated member loses its
 * repeat. False when that cannot be done without changing what other
 * problems would say: a problem in another file (a job file), at the top,
 * at an array element (removing it renumbers the rest), a missing member,
 * or an error that is not about the input. */
enum { ASIDE_NONE, ASIDE_EMPTIED, ASIDE_REMOVED };
static int set_aside(cJSON *root, const char *file, const sim_diag *e) {
  if (strcmp(e->file, file) != 0 || e->path[0] != '$' || e->path[1] == '\0')
    return ASIDE_NONE;
  if (e->code != SIM_ERR_SCHEMA && e->code != SIM_ERR_RANGE && e->code != SIM_ERR_LIMIT)
    return ASIDE_NONE;
  if (starts_with(e->msg, "missing required field")) return ASIDE_NONE;
  cJSON *parent = NULL, *it = find_member(root, "$", e->path, &parent);
  if (!it || !parent || !cJSON_IsObject(parent)) return ASIDE_NONE;
  if (starts_with(e->msg, "duplicate field")) {
    cJSON *rep = it->next;
    while (rep && !(rep->string && it->string && strcmp(rep->string, it->string) == 0))
      rep = rep->next;
    if (!rep) return ASIDE_NONE;
    cJSON_Delete(cJSON_DetachItemViaPointer(parent, rep));
    return ASIDE_REMOVED;
  }
  if (cJSON_IsObject(it) && it->child) {
    while (it->child) cJSON_Delete(cJSON_DetachItemViaPointer(it, it->child));
    return ASIDE_EMPTIED;
  }
  if (!cJSON_IsObject(it) && starts_with(e->msg, "expected an object")) {
    /* a behaviour written as a number: {} in its place keeps the name */
    cJSON *empty = cJSON_CreateObject();
    if (!empty) return ASIDE_NONE;
    empty->string = it->string;
    it->string = NULL;
    cJSON_ReplaceItemViaPointer(parent, it, empty);
    return ASIDE_EMPTIED;
  }
  cJSON_Delete(cJSON_DetachItemViaPointer(parent, it));
  return ASIDE_REMOVED;
}

static bool same_place(const sim_diag *a, const sim_diag *b) {
  return strcmp(a->file, b->file) == 0 && strcmp(a->path, b->path) == 0;
}

/* Does this problem follow from a member set aside (a problem at its path,
 * or a missing member that is the one set aside, or that a reported
 * problem's hint named: 'behavior' after "unknown field 'behaviour'")? The
 * pass then ends: what it would say next is not news. */
static bool follows(const sim_diag *e, char (*aside)[sizeof e->path], size_t na,
                    const sim_diag *seen, size_t n) {
  char missing[sizeof e->path] = "", quoted[300] = "";
  const char *q = strchr(e->msg, '\'');
  if (starts_with(e->msg, "missing required field '") && q) {
    char key[256];
    size_t k = 0;
    for (q++; *q && *q != '\'' && k + 1 < sizeof key; q++) key[k++] = *q;
    key[k] = 0;
    sim_path_key(missing, sizeof missing, e->path, key);
    snprintf(quoted, sizeof quoted, "'%s'", key);
  }
  if (strcmp(e->file, seen[0].file) != 0) return false;
  for (size_t i = 0; i < na; i++)
    if (strcmp(aside[i], e->path) == 0 || strcmp(aside[i], missing) == 0) return true;
  size_t el = strlen(e->path);
  for (size_t i = 0; quoted[0] && i < n; i++)
    if (strncmp(seen[i].path, e->path, el) == 0 && seen[i].path[el] == '.' &&
        !strchr(seen[i].path + el + 1, '.') && starts_with(seen[i].msg, "unknown field") &&
        strstr(seen[i].msg, quoted))
      return true;
  return false;
}

/* Is this problem (not a missing member) about the object a member was
 * taken out of? Then it may well be that member's doing (outcomes that no
 * longer sum to 1, "exactly one of 'document' or 'documentSource'"): it
 * is set aside in turn, not reported. */
static bool knock_on(const sim_diag *e, char (*aside)[sizeof e->path], size_t n) {
  if (starts_with(e->msg, "missing required field")) return false;
  size_t el = strlen(e->path);
  for (size_t i = 0; i < n; i++)
    if (strncmp(aside[i], e->path, el) == 0 && aside[i][el] == '.' &&
        !strchr(aside[i] + el + 1, '.'))
      return true;
  return false;
}

int model_scenario_load_all(model_scenario **out, const char *file, unsigned flags,
                            sim_diag *found, size_t max, size_t *n, bool *more) {
  char *text = NULL;
  size_t len = 0;
  cJSON *root = NULL;
  *out = NULL;
  *n = 0;
  *more = false;
  if (max == 0) return SIM_ERR_USAGE;
  sim_diag_init(&found[0], file);
  int first = sim_json_read_file(file, &text, &len, &found[0]);
  if (first) {
    *n = 1;
    return first;
  }
  first = load_text(out, file, text, len, flags, &found[0]);
  if (!first) goto done;
  *n = 1;
  sim_diag e;
  sim_diag_init(&e, file);
  if (first == SIM_ERR_PARSE || sim_json_parse(text, len, &root, &e)) goto done;
  /* `last` is the problem just set aside (reported or a knock-on); an
   * object emptied that is still wrong empty (outcomes summing to 0) is
   * removed instead */
  sim_diag last = found[0];
  static char aside[64][sizeof e.path];   /* the paths set aside */
  size_t na = 0;
  int how = set_aside(root, file, &last);
  while (how != ASIDE_NONE && na < sizeof aside / sizeof aside[0]) {
    memcpy(aside[na++], last.path, sizeof last.path);
    model_scenario *s = NULL;
    sim_diag_init(&e, file);
    int rc = load_tree(&s, file, text, len, flags, root, &e);
    model_scenario_free(s);
    if (!rc) break;
    if (how == ASIDE_EMPTIED && same_place(&e, &last)) {
      how = set_aside(root, file, &last);   /* wrong even empty: removed now */
      continue;
    }
    if (follows(&e, aside, na, found, *n)) break;
    last = e;
    if (!knock_on(&e, aside, na)) {
      if (*n == max) {
        *more = true;
        break;
      }
      found[(*n)++] = e;
    }
    how = set_aside(root, file, &last);
  }
done:
  cJSON_Delete(root);
  free(text);
  return first;
}

/* ------------------------------------------- rollout lower bound --- */

/* The earliest instant the first job's rollout can create its last
 * execution: one window a minute from its start (schedulingConfig.startTime
 * or 0), each of at most the window's rate (maximumPerMinute or 1000, under
 * the rollout quota; an exponential rate as if every notified thing had
 * already succeeded, so its increases come as early as they can).
 * With maintenance windows, only while one is open. A lower bound; -1
 * without a job or targets, INT64_MAX when no window opens any more. */
sim_time_ms model_scenario_rollout_lower_bound(const model_scenario *sc, int64_t *cap_out) {
  const model_jobcfg *c = &sc->job;
  int64_t n = sc->n_targeted;
  if (!sc->has_job || n <= 0) return -1;
  int64_t cap = c->has_max_per_minute ? c->max_per_minute : 1000;
  if (cap > sc->sim.rollout_quota) cap = sc->sim.rollout_quota;
  if (cap < 1) cap = 1;
  *cap_out = cap;
  sim_time_ms at = sc->has_start ? sc->start_at : 0;
  const int64_t base = sc->sim.start_epoch_ms;
  /* the minutes up to `open_end` (exclusive) are known to be inside a
   * maintenance window (INT64_MAX: there are none) */
  sim_time_ms open_end = sc->n_windows > 0 ? at : INT64_MAX;
  for (int64_t done = 0;; at += SIM_MS_PER_MIN) {
    /* with maintenance windows, windows only while one is open: a window
     * of D minutes that opens at o has rollout windows at o .. o+D-1m */
    while (at >= open_end) {
      int64_t next = INT64_MAX, occ;
      for (size_t wi = 0; wi < sc->n_windows; wi++) {
        sim_time_ms len = c->windows[wi].duration_min * SIM_MS_PER_MIN;
        if (model_cron_next(&sc->windows[wi], base + at - len, &occ) && occ - base <= at) {
          if (open_end <= at || occ - base + len > open_end) open_end = occ - base + len;
        } else if (model_cron_next(&sc->windows[wi], base + at, &occ) && occ - base < next) {
          next = occ - base;
        }
      }
      if (open_end > at) break;
      if (next == INT64_MAX) return INT64_MAX;   /* no window opens any more */
      at = next;
    }
    int64_t r = cap;
    if (c->has_exponential) {
      int64_t k = 0;
      if (c->has_notified_criterion && c->notified_things > 0)
        k = done / c->notified_things;
      if (c->has_succeeded_criterion && c->succeeded_things > 0 &&
          done / c->succeeded_things > k)
        k = done / c->succeeded_things;
      double exact = (double)c->base_rate_per_minute * pow(c->increment_factor, (double)k);
      r = exact >= (double)cap ? cap : (int64_t)floor(exact);
      if (r < 1) r = 1;
    }
    if (r == cap) {   /* at the cap: the rest of the open stretch in one step */
      int64_t left = (n - done + cap - 1) / cap;   /* windows still needed */
      int64_t room = open_end == INT64_MAX ? left : (open_end - at + SIM_MS_PER_MIN - 1) /
                                                   SIM_MS_PER_MIN;
      int64_t k = left < room ? left : room;
      if (k > 1) {
        done += (k - 1) * cap;
        at += (k - 1) * SIM_MS_PER_MIN;
      }
    }
    done += r < n - done ? r : n - done;
    if (done >= n) return at;
  }
}

/* ----------------------------------------------------- memory estimate --- */

/* Does the job (or an associate-targets-with-job operation) target group g
 * as a whole? Things joining it later then get executions (CONTINUOUS). */
static bool group_targeted(const model_scenario *s, long g) {
  for (size_t i = 0; i < s->job.n_targets; i++)
    if (s->targets[i].is_group && s->targets[i].group == g) return true;
  for (size_t i = 0; i < s->n_ops; i++)
    if (s->ops[i].kind == MODEL_OP_ASSOCIATE_TARGETS)
      for (size_t k = 0; k < s->ops[i].n_targets; k++)
        if (s->ops[i].resolved[k].is_group && s->ops[i].resolved[k].group == g) return true;
  return false;
}

/* Per-item costs, measured on the engine (peak RSS of describe-job over
 * 1 and 3 million things, issue 9 finding 18): a thing of the fleet 40 B; a
 * thing that joins later (arrival, add-things: arrays that grow by
 * doubling) 48 B; an execution created at the rollout rate 20 B; an
 * execution queued together with many others (add-things in a CONTINUOUS
 * job: every new thing at once, its events pending together) 85 B; a retry
 * record 40 B, twice while its array grows. Executions at the rollout rate
 * are at most rolloutQuota per minute of the horizon. */
uint64_t model_scenario_memory_estimate(const model_scenario *s) {
  const double per_thing = 40.0, per_joined = 48.0, per_exec = 20.0, per_burst = 85.0,
               per_record = 40.0;
  double hours = (double)s->sim.until / (double)SIM_MS_PER_H;
  /* executions come at most at the rollout quota per minute */
  double notified = (double)s->sim.rollout_quota * ((double)s->sim.until / SIM_MS_PER_MIN);
  if (notified > (double)s->n_targeted) notified = (double)s->n_targeted;
  double bytes = (double)s->fleet.n_things * per_thing + notified * per_exec;
  double joined = 0;   /* things added by operations */
  double records = 0;
  int64_t budget = 0;
  for (size_t i = 0; i < s->job.n_retry; i++) budget += s->job.retry[i].number_of_retries;
  for (size_t g = 0; g < s->fleet.n_groups; g++) {
    const model_group *gr = &s->fleet.groups[g];
    double arrivals = gr->arrivals_per_hour * hours;
    bool execs = s->job.continuous && group_targeted(s, (long)g);
    bytes += arrivals * (per_joined + (execs ? per_exec : 0));
    const model_behavior *b = &s->fleet.behaviors[gr->behavior];
    double p_fail = b->outcome_p[MODEL_OUTCOME_FAILED] +
                    b->outcome_p[MODEL_OUTCOME_NO_RESPONSE];
    /* expected retries per thing: p + p^2 + ... up to the budget */
    double r = 0, pk = 1;
    for (int64_t k = 0; k < budget; k++) r += (pk *= p_fail);
    records += ((double)gr->count + arrivals) * r;
  }
  for (size_t i = 0; i < s->n_ops; i++)
    if (s->ops[i].kind == MODEL_OP_ADD_THINGS) {
      double n = (double)(s->ops[i].count + (int64_t)s->ops[i].n_names);
      bool execs = s->job.continuous && group_targeted(s, s->ops[i].group);
      bytes += n * (per_joined + (execs ? per_burst : 0));
      joined += n;
    }
  /* Every job after the first ($.jobs[1..], create-job operations) keeps
   * its own records and their index over the whole fleet: about 80 bytes
   * a thing (measured: 40 jobs on 100,000 things, 327 MiB at peak). */
  double more_jobs = s->n_more_jobs;
  for (size_t i = 0; i < s->n_ops; i++) more_jobs += s->ops[i].kind == MODEL_OP_CREATE_JOB;
  bytes += more_jobs * ((double)s->fleet.n_things + joined) * 96.0;
  /* The report page reads events.log whole (reports/page.c, story()),
   * which holds a line of about 128 B per thing an operation adds, up to
   * the reader's 256 MiB cap, and a doubling buffer copies it once. */
  double story = joined * 128.0;
  if (story > 256.0 * 1024 * 1024) story = 256.0 * 1024 * 1024;
  bytes += story * 1.5;
  bytes += records * per_record * 2.0 + 32.0 * 1024 * 1024;
  return bytes > 1.8e19 ? UINT64_MAX : (uint64_t)bytes;
}
