/*
 * test_serve_jobs.c — several jobs on one fleet (issue 12 part 4) and the
 * engine side of jobsim serve's writes (parts 3 and 5). Every expected value
 * below is derived by hand from the rules (spec §7, §15: O25, O41, O42; the
 * scenario's constant delays), in the comment above each test; none is
 * saved program output.
 */
#define _POSIX_C_SOURCE 200809L
#include "test_common.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "describe.h"
#include "engine.h"
#include "run.h"
#include "scenario.h"

bool test_update_golden;

#define S 1000
#define ARN "arn:aws:iot:us-west-2:123456789012:"

static model_scenario *load_text(const char *text) {
  sim_diag d;
  model_scenario *sc = NULL;
  int rc = model_scenario_load_text(&sc, "test.json", text, strlen(text), &d);
  if (rc) fprintf(stderr, "%s: %s: %s\n", d.file, d.path, d.msg);
  assert_int_equal(rc, SIM_OK);
  return sc;
}

static model_engine *engine_of(const model_scenario *sc) {
  model_engine *e = NULL;
  sim_diag d;
  assert_int_equal(model_engine_new(&e, sc, sc->sim.seed, NULL, &d), SIM_OK);
  return e;
}

/* One row of an expected execution: job, thing, status, queuedAt,
 * startedAt (-1: none), lastUpdatedAt, versionNumber; times in seconds. */
typedef struct exp_exec {
  const char *job, *thing;
  model_exec_status status;
  int64_t queued, started, updated;
  int version;
} exp_exec;

static void check_exec(const model_engine *e, const exp_exec *x, sim_time_ms at) {
  long j = model_engine_find_job(e, x->job);
  int64_t t = model_engine_find_thing(e, x->thing);
  assert_true(j >= 0 && t >= 0);
  model_exec_view v;
  bool has = model_engine_exec_at(e, (size_t)j, t, 0, &v);
  if (!has || v.status != x->status || v.queued_at != x->queued * S ||
      v.started_at != (x->started < 0 ? -1 : x->started * S) ||
      v.updated_at != x->updated * S || v.version != x->version) {
    fprintf(stderr,
            "at %" PRId64 " s, job %s on %s: want %s q=%" PRId64 " s=%" PRId64 " u=%" PRId64
            " v=%d, got %s%s q=%" PRId64 " s=%" PRId64 " u=%" PRId64 " v=%d\n",
            at / S, x->job, x->thing, model_exec_status_name(x->status), x->queued,
            x->started, x->updated, x->version, has ? "" : "(none) ",
            has ? model_exec_status_name(v.status) : "", v.queued_at / S,
            v.started_at < 0 ? -1 : v.started_at / S, v.updated_at / S, v.version);
    fail();
  }
}

static void check_counters(const model_engine *e, const char *job, model_job_status st,
                           int64_t queued, int64_t in_progress, int64_t succeeded) {
  long j = model_engine_find_job(e, job);
  assert_true(j >= 0);
  const model_job *k = model_engine_job_at(e, (size_t)j);
  if (k->status != st || k->counters[MODEL_EXEC_QUEUED] != queued ||
      k->counters[MODEL_EXEC_IN_PROGRESS] != in_progress ||
      k->counters[MODEL_EXEC_SUCCEEDED] != succeeded) {
    fprintf(stderr, "job %s at %" PRId64 " s: want %s %" PRId64 "/%" PRId64 "/%" PRId64
                    ", got %s %" PRId64 "/%" PRId64 "/%" PRId64 "\n",
            job, model_engine_now(e) / S, model_job_status_name(st), queued, in_progress,
            succeeded, model_job_status_name(k->status), k->counters[MODEL_EXEC_QUEUED],
            k->counters[MODEL_EXEC_IN_PROGRESS], k->counters[MODEL_EXEC_SUCCEEDED]);
    fail();
  }
}

/* ---------------------------------------------------------- three jobs ---
 *
 * Group g of 3 things; every device starts 10 s after it takes an
 * execution and succeeds 60 s later (versionNumber 1 QUEUED, 2 IN_PROGRESS,
 * 3 SUCCEEDED). Jobs A and B at 0 (B at 1 execution a minute: g-000000 at
 * 0, g-000001 at 60 s, g-000002 at 120 s), C created at 30 s. O41: a device
 * works on one execution at a time and takes the next in StartNext order,
 * the oldest queuedAt first:
 *
 *   0    A queues 3 (devices take them, act at 10 s); B queues g0 (its
 *        device is busy with A: it waits)
 *   10   A IN_PROGRESS on all three, reports due at 70
 *   30   C queues 3 (all wait)
 *   60   B queues g1 (waits)
 *   70   A SUCCEEDED x3, A COMPLETED. g0 takes B (queued 0 < C's 30);
 *        g1 takes C (30 < B's 60); g2 takes C (its only one): act at 80
 *   80   B on g0, C on g1 and g2 IN_PROGRESS, reports at 140
 *   120  B queues g2 (waits; B's rollout is over)
 *   140  B on g0, C on g1 and g2 SUCCEEDED; g0 takes C, g1 takes B (60),
 *        g2 takes B (120): act at 150
 *   150  IN_PROGRESS, reports at 210
 *   210  all SUCCEEDED: B and C COMPLETED
 *
 * g0 runs A, B, C; g1 and g2 run A, C, B although B was created first. */
static const char three_jobs[] =
    "{\"name\":\"three\",\"jobs\":["
    "{\"jobId\":\"A\",\"targets\":[\"" ARN "thinggroup/g\"],\"document\":\"{}\"},"
    "{\"jobId\":\"B\",\"targets\":[\"" ARN "thinggroup/g\"],\"document\":\"{}\","
    "\"jobExecutionsRolloutConfig\":{\"maximumPerMinute\":1}}],"
    "\"operations\":[{\"at\":\"30s\",\"op\":\"create-job\",\"job\":{\"jobId\":\"C\","
    "\"targets\":[\"" ARN "thinggroup/g\"],\"document\":\"{}\"}}],"
    "\"fleet\":{\"groups\":[{\"name\":\"g\",\"things\":3,\"behavior\":\"b\"}],"
    "\"behaviors\":{\"b\":{\"startDelay\":\"10s\",\"runTime\":\"60s\"}}},"
    "\"simulation\":{\"until\":\"1h\",\"snapshotEvery\":\"1m\"}}";

static void three_jobs_order(void **state) {
  (void)state;
  model_scenario *sc = load_text(three_jobs);
  model_engine *e = engine_of(sc);
  static const exp_exec at100[] = {
      {"A", "g-000000", MODEL_EXEC_SUCCEEDED, 0, 10, 70, 3},
      {"A", "g-000001", MODEL_EXEC_SUCCEEDED, 0, 10, 70, 3},
      {"A", "g-000002", MODEL_EXEC_SUCCEEDED, 0, 10, 70, 3},
      {"B", "g-000000", MODEL_EXEC_IN_PROGRESS, 0, 80, 80, 2},
      {"B", "g-000001", MODEL_EXEC_QUEUED, 60, -1, 60, 1},
      {"C", "g-000000", MODEL_EXEC_QUEUED, 30, -1, 30, 1},
      {"C", "g-000001", MODEL_EXEC_IN_PROGRESS, 30, 80, 80, 2},
      {"C", "g-000002", MODEL_EXEC_IN_PROGRESS, 30, 80, 80, 2}};
  static const exp_exec at_end[] = {
      {"A", "g-000000", MODEL_EXEC_SUCCEEDED, 0, 10, 70, 3},
      {"B", "g-000000", MODEL_EXEC_SUCCEEDED, 0, 80, 140, 3},
      {"C", "g-000000", MODEL_EXEC_SUCCEEDED, 30, 150, 210, 3},
      {"A", "g-000001", MODEL_EXEC_SUCCEEDED, 0, 10, 70, 3},
      {"C", "g-000001", MODEL_EXEC_SUCCEEDED, 30, 80, 140, 3},
      {"B", "g-000001", MODEL_EXEC_SUCCEEDED, 60, 150, 210, 3},
      {"A", "g-000002", MODEL_EXEC_SUCCEEDED, 0, 10, 70, 3},
      {"C", "g-000002", MODEL_EXEC_SUCCEEDED, 30, 80, 140, 3},
      {"B", "g-000002", MODEL_EXEC_SUCCEEDED, 120, 150, 210, 3}};

  /* 60 s: g1 holds A IN_PROGRESS, C QUEUED (30), B QUEUED (60), in that
   * StartNext order; StartNext would answer A. */
  assert_int_equal(model_engine_run(e, 60 * S), SIM_OK);
  model_exec_view v[4];
  int64_t g1 = model_engine_find_thing(e, "g-000001");
  assert_int_equal(model_engine_thing_execs(e, g1, v, 4), 3);
  assert_string_equal(model_engine_config_at(e, v[0].job)->job_id, "A");
  assert_int_equal(v[0].status, MODEL_EXEC_IN_PROGRESS);
  assert_string_equal(model_engine_config_at(e, v[1].job)->job_id, "C");
  assert_string_equal(model_engine_config_at(e, v[2].job)->job_id, "B");
  assert_true(model_engine_next_exec(e, g1, &v[3]));
  assert_string_equal(model_engine_config_at(e, v[3].job)->job_id, "A");
  check_counters(e, "A", MODEL_JOB_IN_PROGRESS, 0, 3, 0);
  check_counters(e, "B", MODEL_JOB_IN_PROGRESS, 2, 0, 0);
  check_counters(e, "C", MODEL_JOB_IN_PROGRESS, 3, 0, 0);

  assert_int_equal(model_engine_run(e, 100 * S), SIM_OK);
  for (size_t i = 0; i < sizeof at100 / sizeof at100[0]; i++) check_exec(e, &at100[i], 100 * S);
  check_counters(e, "A", MODEL_JOB_COMPLETED, 0, 0, 3);
  check_counters(e, "B", MODEL_JOB_IN_PROGRESS, 1, 1, 0);
  check_counters(e, "C", MODEL_JOB_IN_PROGRESS, 1, 2, 0);
  assert_int_equal(model_engine_job_at(e, 0)->completed_at, 70 * S);

  assert_int_equal(model_engine_run(e, SIM_MS_PER_H), SIM_OK);
  assert_true(model_engine_finished(e));
  assert_int_equal(model_engine_now(e), 210 * S);
  for (size_t i = 0; i < sizeof at_end / sizeof at_end[0]; i++) check_exec(e, &at_end[i], 210 * S);
  check_counters(e, "B", MODEL_JOB_COMPLETED, 0, 0, 3);
  check_counters(e, "C", MODEL_JOB_COMPLETED, 0, 0, 3);
  long c = model_engine_find_job(e, "C");
  assert_int_equal(model_engine_job_at(e, (size_t)c)->created_at, 30 * S);
  assert_int_equal(model_engine_job_at(e, (size_t)c)->completed_at, 210 * S);
  model_engine_free(e);
  model_scenario_free(sc);
}

/* ------------------------------------------------- concurrent-jobs quota ---
 *
 * O42 with simulation.concurrentJobs 1: A rolls out 1 execution a minute
 * over g's 3 things (0, 60, 120 s), B (created at 0 too) waits IN_PROGRESS
 * with nothing rolled out and isConcurrent false until A's rollout ends in
 * its 120 s window, then rolls out at once (120 s). Devices as above:
 *   A/g0 q0 run 10-70; A/g1 q60 run 70-130; A/g2 q120 run 130-190
 *   B/g0 q120: g0 free since 70: runs 130-190
 *   B/g1 q120: waits for A/g1 (until 130): runs 140-200
 *   B/g2 q120: A/g2 was queued first in that instant: waits until 190,
 *   runs 200-260.  A COMPLETED at 190, B at 260. */
static void concurrent_quota(void **state) {
  (void)state;
  model_scenario *sc = load_text(
      "{\"jobs\":["
      "{\"jobId\":\"A\",\"targets\":[\"" ARN "thinggroup/g\"],\"document\":\"{}\","
      "\"jobExecutionsRolloutConfig\":{\"maximumPerMinute\":1}},"
      "{\"jobId\":\"B\",\"targets\":[\"" ARN "thinggroup/g\"],\"document\":\"{}\"}],"
      "\"fleet\":{\"groups\":[{\"name\":\"g\",\"things\":3,\"behavior\":\"b\"}],"
      "\"behaviors\":{\"b\":{\"startDelay\":\"10s\",\"runTime\":\"60s\"}}},"
      "\"simulation\":{\"until\":\"1h\",\"concurrentJobs\":1}}");
  model_engine *e = engine_of(sc);
  assert_int_equal(model_engine_run(e, 119 * S), SIM_OK);
  const model_job *b = model_engine_job_at(e, 1);
  assert_int_equal(b->status, MODEL_JOB_IN_PROGRESS);
  assert_false(b->is_concurrent);
  assert_int_equal(b->created, 0);
  assert_true(model_engine_job_at(e, 0)->is_concurrent);
  assert_int_equal(model_engine_run(e, 120 * S), SIM_OK);
  assert_int_equal(b->created, 3);
  assert_true(b->is_concurrent || b->rollout_done);
  assert_false(model_engine_job_at(e, 0)->is_concurrent);
  assert_int_equal(model_engine_run(e, SIM_MS_PER_H), SIM_OK);
  static const exp_exec want[] = {
      {"A", "g-000000", MODEL_EXEC_SUCCEEDED, 0, 10, 70, 3},
      {"A", "g-000001", MODEL_EXEC_SUCCEEDED, 60, 70, 130, 3},
      {"A", "g-000002", MODEL_EXEC_SUCCEEDED, 120, 130, 190, 3},
      {"B", "g-000000", MODEL_EXEC_SUCCEEDED, 120, 130, 190, 3},
      {"B", "g-000001", MODEL_EXEC_SUCCEEDED, 120, 140, 200, 3},
      {"B", "g-000002", MODEL_EXEC_SUCCEEDED, 120, 200, 260, 3}};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) check_exec(e, &want[i], 260 * S);
  assert_int_equal(model_engine_job_at(e, 0)->completed_at, 190 * S);
  assert_int_equal(b->completed_at, 260 * S);
  model_engine_free(e);
  model_scenario_free(sc);
}

/* ------------------------------------------------ rollout quota (O37) ---
 *
 * O37: the rollout quota caps each job's rate on its own, not the jobs'
 * sum. Jobs A and B over g's 10 things, no maximumPerMinute, rolloutQuota
 * 2: each creates 2 executions per 60-s window (0, 60, 120, ... s), so at
 * 30 s A and B have 2 each (4 in all; a per-account quota would allow 2),
 * at 90 s 4 each, and at 270 s all 10 each (five windows). */
static void rollout_quota_per_job(void **state) {
  (void)state;
  model_scenario *sc = load_text(
      "{\"jobs\":["
      "{\"jobId\":\"A\",\"targets\":[\"" ARN "thinggroup/g\"],\"document\":\"{}\"},"
      "{\"jobId\":\"B\",\"targets\":[\"" ARN "thinggroup/g\"],\"document\":\"{}\"}],"
      "\"fleet\":{\"groups\":[{\"name\":\"g\",\"things\":10,\"behavior\":\"b\"}],"
      "\"behaviors\":{\"b\":{\"startDelay\":\"10s\",\"runTime\":\"60s\"}}},"
      "\"simulation\":{\"until\":\"1h\",\"rolloutQuota\":2}}");
  model_engine *e = engine_of(sc);
  static const struct { int64_t at, created; } want[] = {{30, 2}, {90, 4}, {150, 6},
                                                          {270, 10}};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    assert_int_equal(model_engine_run(e, want[i].at * S), SIM_OK);
    assert_int_equal(model_engine_job_at(e, 0)->created, want[i].created);
    assert_int_equal(model_engine_job_at(e, 1)->created, want[i].created);
  }
  model_engine_free(e);
  model_scenario_free(sc);
}

/* --------------------------------------------------------- streams (§8) ---
 *
 * Conventions §8: adding a job does not shift another job's draws. A
 * stochastic job over group a, with a second job over the disjoint group
 * z added: job 0's describe-job at the horizon is byte for byte the one of
 * the scenario without the second job. */
static void second_job_shifts_nothing(void **state) {
  (void)state;
#define FLEET                                                                             \
  "\"fleet\":{\"groups\":[{\"name\":\"a\",\"things\":200,\"behavior\":\"r\"},"           \
  "{\"name\":\"z\",\"things\":50,\"behavior\":\"r\"}],"                                   \
  "\"behaviors\":{\"r\":{\"startDelay\":{\"distribution\":\"exponential\",\"mean\":\"20s\"}," \
  "\"runTime\":{\"distribution\":\"lognormal\",\"median\":\"60s\",\"sigma\":0.5},"         \
  "\"outcomes\":{\"SUCCEEDED\":0.8,\"FAILED\":0.2}}}},"                                     \
  "\"simulation\":{\"seed\":7,\"until\":\"6h\"}}"
#define JOB_A                                                                              \
  "{\"jobId\":\"A\",\"targets\":[\"" ARN "thinggroup/a\"],\"document\":\"{}\","             \
  "\"jobExecutionsRolloutConfig\":{\"maximumPerMinute\":20},"                               \
  "\"jobExecutionsRetryConfig\":{\"criteriaList\":[{\"failureType\":\"FAILED\","            \
  "\"numberOfRetries\":2}]}}"
  model_scenario *one = load_text("{\"job\":" JOB_A "," FLEET);
  model_scenario *two = load_text(
      "{\"jobs\":[" JOB_A ",{\"jobId\":\"Z\",\"targets\":[\"" ARN "thinggroup/z\"],"
      "\"document\":\"{}\"}]," FLEET);
  model_engine *e1 = engine_of(one), *e2 = engine_of(two);
  assert_int_equal(model_engine_run(e1, 6 * SIM_MS_PER_H), SIM_OK);
  assert_int_equal(model_engine_run(e2, 6 * SIM_MS_PER_H), SIM_OK);
  report_opts o = {REPORT_TS_EPOCH, true};
  char *t1 = report_describe_job_at(e1, 0, &o, NULL);
  char *t2 = report_describe_job_at(e2, 0, &o, NULL);
  assert_string_equal(t1, t2);
  assert_true(model_engine_job_at(e1, 0)->counters[MODEL_EXEC_FAILED] > 0);  /* it drew */
  assert_int_equal(model_engine_job_at(e2, 1)->counters[MODEL_EXEC_SUCCEEDED] +
                       model_engine_job_at(e2, 1)->counters[MODEL_EXEC_FAILED],
                   50);
  free(t1);
  free(t2);
  model_engine_free(e1);
  model_engine_free(e2);
  model_scenario_free(one);
  model_scenario_free(two);
}

/* ------------------------------------------------------- external things ---
 *
 * `jobsim run` leaves an external thing's executions QUEUED: no simulated
 * device drives them. Group g (2 simulated things, done at 70 s) and x (2
 * external ones): at the horizon the job is IN_PROGRESS with 2 SUCCEEDED
 * and 2 QUEUED. */
static const char with_external[] =
    "{\"job\":{\"jobId\":\"J\",\"targets\":[\"" ARN "thinggroup/g\",\"" ARN
    "thinggroup/x\"],\"document\":\"{}\",\"timeoutConfig\":{\"inProgressTimeoutInMinutes\":30}},"
    "\"fleet\":{\"groups\":[{\"name\":\"g\",\"things\":2,\"behavior\":\"b\"},"
    "{\"name\":\"x\",\"things\":2,\"behavior\":\"ext\"}],"
    "\"behaviors\":{\"b\":{\"startDelay\":\"10s\",\"runTime\":\"60s\"},"
    "\"ext\":{\"external\":true}}},\"simulation\":{\"until\":\"2h\"}}";

static void external_stays_queued(void **state) {
  (void)state;
  model_scenario *sc = load_text(with_external);
  model_engine *e = engine_of(sc);
  assert_int_equal(model_engine_run(e, 2 * SIM_MS_PER_H), SIM_OK);
  check_counters(e, "J", MODEL_JOB_IN_PROGRESS, 2, 0, 2);
  exp_exec x = {"J", "x-000001", MODEL_EXEC_QUEUED, 0, -1, 0, 1};
  check_exec(e, &x, 0);
  assert_true(model_engine_thing_external(e, model_engine_find_thing(e, "x-000001")));
  assert_false(model_engine_thing_external(e, model_engine_find_thing(e, "g-000001")));
  model_engine_free(e);
  model_scenario_free(sc);
}

/* ----------------------------------------------------------- data plane ---
 *
 * The external things of the scenario above, driven through the engine's
 * data plane (spec §7, §15):
 *  - StartNext at 60 s on x-000000: its QUEUED execution (queued 0) becomes
 *    IN_PROGRESS, version 2, startedAt 60 s, details {step: download}, a
 *    5-minute step timer (deadline 6 m, before the 30-minute in-progress
 *    one at 31 m);
 *  - StartNext again: the IN_PROGRESS one, unchanged;
 *  - update with expectedVersion 1: VersionConflictException, nothing
 *    changes; IN_PROGRESS with expectedVersion 2 at 2 m: version 3, the
 *    step timer untouched (no stepTimeoutInMinutes): TIMED_OUT at 6 m;
 *  - any update of the TIMED_OUT execution: InvalidStateTransition;
 *  - x-000001: QUEUED -> SUCCEEDED directly (O25): startedAt stays absent,
 *    version 2; the job then has 2 SUCCEEDED (g), 1 SUCCEEDED, 1 TIMED_OUT
 *    and nothing active: COMPLETED at 6 m. */
static void data_plane_rules(void **state) {
  (void)state;
  model_scenario *sc = load_text(with_external);
  model_engine *e = engine_of(sc);
  model_engine_set_open(e, true);
  int64_t x0 = model_engine_find_thing(e, "x-000000");
  int64_t x1 = model_engine_find_thing(e, "x-000001");
  assert_int_equal(model_engine_run(e, 60 * S), SIM_OK);
  char k0[] = "step", v0[] = "download";
  model_details det = {1, {k0}, {v0}};
  bool found = false;
  model_exec_view v;
  model_refusal why;
  assert_int_equal(model_engine_start_next(e, x0, &det, 5, &found, &v, &why), SIM_OK);
  assert_true(found);
  assert_int_equal(v.status, MODEL_EXEC_IN_PROGRESS);
  assert_int_equal(v.version, 2);
  assert_int_equal(v.started_at, 60 * S);
  assert_non_null(v.details);
  assert_int_equal(v.details->n, 1);
  assert_string_equal(v.details->value[0], "download");
  assert_int_equal(model_engine_exec_deadline_at(e, 0, x0), 6 * SIM_MS_PER_MIN);
  assert_int_equal(model_engine_start_next(e, x0, NULL, 0, &found, &v, &why), SIM_OK);
  assert_int_equal(v.version, 2);   /* unchanged */

  model_exec_update u = {MODEL_EXEC_IN_PROGRESS, NULL, 1, 0, 0};
  assert_int_equal(model_engine_update_exec(e, 0, x0, &u, &v, &why), SIM_ERR_STATE);
  assert_string_equal(why.exception, "VersionConflictException");
  assert_int_equal(v.version, 2);
  assert_int_equal(model_engine_run(e, 2 * SIM_MS_PER_MIN), SIM_OK);
  u.expected_version = 2;
  assert_int_equal(model_engine_update_exec(e, 0, x0, &u, &v, &why), SIM_OK);
  assert_int_equal(v.version, 3);
  assert_int_equal(v.updated_at, 2 * SIM_MS_PER_MIN);
  assert_int_equal(model_engine_exec_deadline_at(e, 0, x0), 6 * SIM_MS_PER_MIN);

  model_exec_update done = {MODEL_EXEC_SUCCEEDED, NULL, -1, 0, 0};
  assert_int_equal(model_engine_update_exec(e, 0, x1, &done, &v, &why), SIM_OK);
  assert_int_equal(v.status, MODEL_EXEC_SUCCEEDED);
  assert_int_equal(v.started_at, -1);
  assert_int_equal(v.version, 2);

  assert_int_equal(model_engine_run(e, 6 * SIM_MS_PER_MIN - 1), SIM_OK);
  assert_true(model_engine_exec_at(e, 0, x0, 0, &v));
  assert_int_equal(v.status, MODEL_EXEC_IN_PROGRESS);
  assert_int_equal(model_engine_run(e, 6 * SIM_MS_PER_MIN), SIM_OK);
  assert_true(model_engine_exec_at(e, 0, x0, 0, &v));
  assert_int_equal(v.status, MODEL_EXEC_TIMED_OUT);
  assert_int_equal(model_engine_update_exec(e, 0, x0, &done, &v, &why), SIM_ERR_STATE);
  assert_string_equal(why.exception, "InvalidStateTransitionException");
  const model_job *j = model_engine_job_at(e, 0);
  assert_int_equal(j->status, MODEL_JOB_COMPLETED);
  assert_int_equal(j->completed_at, 6 * SIM_MS_PER_MIN);
  assert_int_equal(j->counters[MODEL_EXEC_SUCCEEDED], 3);
  assert_int_equal(j->counters[MODEL_EXEC_TIMED_OUT], 1);
  model_engine_free(e);
  model_scenario_free(sc);
}

/* ------------------------------------------------------------ applying ---
 *
 * model_engine_apply: the scenario's operations, now, with their refusals
 * returned. On the three-job scenario at 100 s: cancel-job of B (force,
 * reason TEST): CANCELED at once, its QUEUED g1 execution canceled by the
 * batch at 100 s, g0's IN_PROGRESS one (force) too; the device of g0 then
 * takes C (queued 30, waiting) and acts 10 s later; a second cancel without
 * force: refused with the scenario's message; an unknown job:
 * ResourceNotFoundException. */
static void apply_now(void **state) {
  (void)state;
  model_scenario *sc = load_text(three_jobs);
  model_engine *e = engine_of(sc);
  model_engine_set_open(e, true);
  assert_int_equal(model_engine_run(e, 100 * S), SIM_OK);
  model_op op = {.kind = MODEL_OP_CANCEL_JOB, .force = true};
  char id[] = "B", reason[] = "TEST";
  op.job_id = id;
  op.reason_code = reason;
  model_refusal why;
  assert_int_equal(model_engine_apply(e, &op, &why), SIM_OK);
  const model_job *b = model_engine_job_at(e, 1);
  assert_int_equal(b->status, MODEL_JOB_CANCELED);
  assert_true(b->force_canceled);
  assert_string_equal(b->reason_code, "TEST");
  assert_int_equal(b->counters[MODEL_EXEC_CANCELED], 2);
  assert_int_equal(b->last_updated_at, 100 * S);
  op.force = false;
  assert_int_equal(model_engine_apply(e, &op, &why), SIM_ERR_STATE);
  assert_string_equal(why.exception, "InvalidRequestException");
  assert_string_equal(why.message, "the job is already CANCELED with force");
  char nope[] = "nope";
  op.job_id = nope;
  assert_int_equal(model_engine_apply(e, &op, &why), SIM_ERR_STATE);
  assert_string_equal(why.exception, "ResourceNotFoundException");
  assert_int_equal(model_engine_run(e, 110 * S), SIM_OK);
  exp_exec c0 = {"C", "g-000000", MODEL_EXEC_IN_PROGRESS, 30, 110, 110, 2};
  check_exec(e, &c0, 110 * S);
  model_engine_free(e);
  model_scenario_free(sc);
}

/* ------------------------------------------------------------ creation ---
 *
 * model_engine_create_job now: createdAt is now; a schedulingConfig startTime
 * 20 minutes after now is refused with jobsim validate's rule and the
 * creation instant in the message; a jobId in use: ResourceAlreadyExists. */
static void create_now(void **state) {
  (void)state;
  model_scenario *sc = load_text(three_jobs);
  model_engine *e = engine_of(sc);
  model_engine_set_open(e, true);
  assert_int_equal(model_engine_run(e, 4 * SIM_MS_PER_MIN + 30 * S), SIM_OK);
  const char *ok = "{\"jobId\":\"D\",\"targets\":[\"" ARN "thing/g-000001\"],\"document\":\"{}\"}";
  const char *early = "{\"jobId\":\"E\",\"targets\":[\"" ARN "thing/g-000001\"],"
                      "\"document\":\"{}\",\"schedulingConfig\":{\"startTime\":\"2026-01-01T00:24\"}}";
  const char *dup = "{\"jobId\":\"A\",\"targets\":[\"" ARN "thing/g-000001\"],\"document\":\"{}\"}";
  const char *texts[3] = {ok, early, dup};
  int want[3] = {SIM_OK, SIM_ERR_STATE, SIM_ERR_STATE};
  const char *exc[3] = {"", "InvalidRequestException", "ResourceAlreadyExistsException"};
  const char *msg[3] = {
      "",
      "request body: $.schedulingConfig.startTime: startTime must be between 30 minutes and "
      "one year (525600 minutes) after the job's creation (2026-01-01T00:04:30.000Z, +4m30s "
      "into the simulation), got 19 minutes",
      "Job A already exists"};
  for (int i = 0; i < 3; i++) {
    cJSON *j = cJSON_Parse(texts[i]);
    model_jobcfg cfg;
    sim_diag d;
    model_jobcfg_opts opts = {1000};
    assert_int_equal(model_jobcfg_parse(&cfg, j, &opts, &d, "$"), SIM_OK);
    cJSON_Delete(j);
    size_t k = 0;
    model_refusal why;
    assert_int_equal(model_engine_create_job(e, &cfg, "request body", &k, &why), want[i]);
    if (want[i]) {
      assert_string_equal(why.exception, exc[i]);
      assert_string_equal(why.message, msg[i]);
    } else {
      assert_int_equal(k, 3);
      assert_int_equal(model_engine_job_at(e, k)->created_at, 270 * S);
    }
  }
  /* D's execution on g1 waits behind the device's others: queued 270 s */
  assert_int_equal(model_engine_run(e, 5 * SIM_MS_PER_MIN), SIM_OK);
  exp_exec d1 = {"D", "g-000001", MODEL_EXEC_SUCCEEDED, 270, 280, 340, 3};
  assert_int_equal(model_engine_run(e, 6 * SIM_MS_PER_MIN), SIM_OK);
  check_exec(e, &d1, 360 * S);
  model_engine_free(e);
  model_scenario_free(sc);
}

/* ------------------------------------------------------------- reports ---
 *
 * jobsim run of the three-job scenario: the first job's files where a
 * one-job run has them, jobs/B and jobs/C with their own; C's timeline
 * starts at its creation (30 s) and ends COMPLETED at 210 s with 3
 * succeeded. */
static void run_layout(void **state) {
  (void)state;
  model_scenario *sc = load_text(three_jobs);
  char dir[] = "/tmp/jobsim-jobs-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char out[128], p[256];
  snprintf(out, sizeof out, "%s/out", dir);
  report_run_opts o = {.out = {REPORT_TS_EPOCH, false}, .write_files = true, .store = true};
  report_run_stats st;
  sim_diag d;
  assert_int_equal(report_run(sc, 1, out, &o, &st, &d), SIM_OK);
  assert_int_equal(st.n_jobs, 3);
  assert_string_equal(st.more_jobs, "; jobs B COMPLETED, C COMPLETED");
  const char *files[] = {"describe-job.json", "timeline.csv", "events.log", "run.json",
                         "jobs/B/describe-job.json", "jobs/B/timeline.csv",
                         "jobs/B/events.log", "jobs/C/describe-job.json",
                         "jobs/C/snapshots/000000_+000d00h00m30.000s.json"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    struct stat sb;
    snprintf(p, sizeof p, "%s/%s", out, files[i]);
    if (stat(p, &sb) != 0) fprintf(stderr, "missing %s\n", p);
    assert_int_equal(stat(p, &sb), 0);
  }
  snprintf(p, sizeof p, "%s/jobs/C/timeline.csv", out);
  FILE *f = fopen(p, "r");
  assert_non_null(f);
  char line[512], first[512] = "", last[512] = "";
  assert_non_null(fgets(line, sizeof line, f));   /* header */
  while (fgets(line, sizeof line, f)) {
    if (!first[0]) snprintf(first, sizeof first, "%s", line);
    snprintf(last, sizeof last, "%s", line);
  }
  fclose(f);
  assert_string_equal(first, "2026-01-01T00:00:30.000Z,30.000,start+window,IN_PROGRESS,1000,"
                             "3,3,0,0,0,0,0,0,0,3\n");
  assert_string_equal(last, "2026-01-01T00:03:30.000Z,210.000,status+end,COMPLETED,0,3,0,0,3,"
                            "0,0,0,0,0,3\n");
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
  model_scenario_free(sc);
}

int main(int argc, char **argv) {
  test_parse_args(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(three_jobs_order),    cmocka_unit_test(concurrent_quota),
      cmocka_unit_test(rollout_quota_per_job),
      cmocka_unit_test(second_job_shifts_nothing), cmocka_unit_test(external_stays_queued),
      cmocka_unit_test(data_plane_rules),    cmocka_unit_test(apply_now),
      cmocka_unit_test(create_now),          cmocka_unit_test(run_layout),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
