/*
 * test_model_jobcfg.c — CreateJob parsing and validation (model/jobcfg.c).
 *
 * A full request lands field by field in model_jobcfg; the AWS CLI example
 * parses; then one table row per validation rule (and per boundary side),
 * each checking the status code, the exact diagnostic path and the exact
 * message, and that a rejected request leaves the struct zeroed. Each row
 * runs as its own cmocka test so failures name the rule. The rows live in
 * jobcfg_cases.h, shared with test_cli_validate.c.
 */
#include "test_common.h"

#include <stdio.h>
#include <stdlib.h>

#include "jobcfg.h"
#include "json.h"
#include "sim.h"

#include "jobcfg_cases.h"

#define P JOBCFG_CASES_PREFIX

static bool is_zeroed(const model_jobcfg *cfg) {
  static const model_jobcfg zero;
  return memcmp(cfg, &zero, sizeof zero) == 0;
}

#define N_CASES JOBCFG_N_CASES

static void run_case(void **state) {
  const jcase *c = *state;
  cJSON *req = c->raw ? parse_sq(c->json) : patched(c->json);
  model_jobcfg cfg;
  model_jobcfg_opts opts = {c->quota};
  sim_diag d;
  if (c->build != NULL)
    c->build(req);
  sim_diag_init(&d, NULL);
  int rc = model_jobcfg_parse(&cfg, req, c->quota > 0 ? &opts : NULL, &d, P);
  if (rc != c->code)
    fail_msg("%s: expected %s, got %s (%s: %s)", c->name,
             sim_errname(c->code), sim_errname(rc), d.path, d.msg);
  if (c->code == SIM_OK) {
    assert_non_null(cfg.job_id);
    model_jobcfg_release(&cfg);
  } else {
    assert_string_equal(d.path, c->path);
    assert_string_equal(d.msg, c->msg);
    assert_int_equal(d.code, c->code);
    assert_true(is_zeroed(&cfg));
  }
  assert_true(is_zeroed(&cfg));
  cJSON_Delete(req);
}

/* ---------------------------------------------------- whole requests --- */

static const char k_full[] =
    "{\n"
    "  \"jobId\": \"fw-2024_05\",\n"
    "  \"targets\": [\n"
    "    \"arn:aws:iot:eu-west-1:123456789012:thinggroup/Canary\",\n"
    "    \"arn:aws:iot:eu-west-1:123456789012:thing/dev:0001\"\n"
    "  ],\n"
    "  \"document\": \"{\\\"operation\\\":\\\"update\\\",\\\"v\\\":[1,2]}\",\n"
    "  \"description\": \"firmware 2.1 canary\",\n"
    "  \"presignedUrlConfig\": {\n"
    "    \"roleArn\": \"arn:aws:iam::123456789012:role/JobsS3\",\n"
    "    \"expiresInSec\": 1800\n"
    "  },\n"
    "  \"targetSelection\": \"CONTINUOUS\",\n"
    "  \"jobExecutionsRolloutConfig\": {\n"
    "    \"maximumPerMinute\": 500,\n"
    "    \"exponentialRate\": {\n"
    "      \"baseRatePerMinute\": 50,\n"
    "      \"incrementFactor\": 1.5,\n"
    "      \"rateIncreaseCriteria\": {\n"
    "        \"numberOfNotifiedThings\": 1000,\n"
    "        \"numberOfSucceededThings\": 800\n"
    "      }\n"
    "    }\n"
    "  },\n"
    "  \"abortConfig\": {\n"
    "    \"criteriaList\": [\n"
    "      {\"failureType\": \"FAILED\", \"action\": \"CANCEL\",\n"
    "       \"thresholdPercentage\": 20.5, \"minNumberOfExecutedThings\": 100},\n"
    "      {\"failureType\": \"TIMED_OUT\", \"action\": \"CANCEL\",\n"
    "       \"thresholdPercentage\": 50, \"minNumberOfExecutedThings\": 200}\n"
    "    ]\n"
    "  },\n"
    "  \"timeoutConfig\": {\"inProgressTimeoutInMinutes\": 120},\n"
    "  \"tags\": [{\"Key\": \"team\", \"Value\": \"fleet ops\"}],\n"
    "  \"namespaceId\": \"gg-core\",\n"
    "  \"jobTemplateArn\": \"arn:aws:iot:eu-west-1::jobtemplate/AWS-Run:1.0\",\n"
    "  \"jobExecutionsRetryConfig\": {\n"
    "    \"criteriaList\": [\n"
    "      {\"failureType\": \"FAILED\", \"numberOfRetries\": 3},\n"
    "      {\"failureType\": \"TIMED_OUT\", \"numberOfRetries\": 2}\n"
    "    ]\n"
    "  },\n"
    "  \"documentParameters\": {\"command\": \"reboot\", \"runAs\": \"root\"},\n"
    "  \"schedulingConfig\": {\n"
    "    \"startTime\": \"2030-03-01T02:00\",\n"
    "    \"endTime\": \"2030-03-08T02:00\",\n"
    "    \"endBehavior\": \"CANCEL\",\n"
    "    \"maintenanceWindows\": [\n"
    "      {\"startTime\": \"cron(0 2 ? * SUN *)\", \"durationInMinutes\": 240},\n"
    "      {\"startTime\": \"cron(30 1 ? * WED *)\", \"durationInMinutes\": 60}\n"
    "    ]\n"
    "  },\n"
    "  \"destinationPackageVersions\": [\n"
    "    \"arn:aws:iot:eu-west-1:123456789012:package/fw/version/2.1\"\n"
    "  ]\n"
    "}\n";

static cJSON *parse_text(const char *text) {
  cJSON *j = cJSON_Parse(text);
  assert_non_null(j);
  return j;
}

static void test_full_config(void **state) {
  (void)state;
  cJSON *req = parse_text(k_full);
  model_jobcfg cfg;
  sim_diag d;
  sim_diag_init(&d, NULL);
  int rc = model_jobcfg_parse(&cfg, req, NULL, &d, P);
  if (rc != SIM_OK)
    fail_msg("%s: %s", d.path, d.msg);
  cJSON_Delete(req);   /* everything kept must be a copy */

  assert_string_equal(cfg.job_id, "fw-2024_05");
  assert_int_equal(cfg.n_targets, 2);
  assert_string_equal(cfg.targets[0],
                      "arn:aws:iot:eu-west-1:123456789012:thinggroup/Canary");
  assert_string_equal(cfg.targets[1],
                      "arn:aws:iot:eu-west-1:123456789012:thing/dev:0001");
  assert_string_equal(cfg.document,
                      "{\"operation\":\"update\",\"v\":[1,2]}");
  assert_null(cfg.document_source);
  assert_string_equal(cfg.description, "firmware 2.1 canary");
  assert_true(cfg.target_selection_given);
  assert_true(cfg.continuous);

  assert_true(cfg.has_presigned);
  assert_string_equal(cfg.presigned_role_arn,
                      "arn:aws:iam::123456789012:role/JobsS3");
  assert_true(cfg.has_expires_in_sec);
  assert_int_equal(cfg.expires_in_sec, 1800);

  assert_true(cfg.has_rollout);
  assert_true(cfg.has_max_per_minute);
  assert_int_equal(cfg.max_per_minute, 500);
  assert_true(cfg.has_exponential);
  assert_int_equal(cfg.base_rate_per_minute, 50);
  assert_true(cfg.increment_factor == 1.5);
  assert_true(cfg.has_notified_criterion);
  assert_int_equal(cfg.notified_things, 1000);
  assert_true(cfg.has_succeeded_criterion);
  assert_int_equal(cfg.succeeded_things, 800);

  assert_true(cfg.has_abort);
  assert_int_equal(cfg.n_abort, 2);
  assert_int_equal(cfg.abort[0].failure_type, MODEL_FAILURE_FAILED);
  assert_true(cfg.abort[0].threshold_percentage == 20.5);
  assert_int_equal(cfg.abort[0].min_executed, 100);
  assert_int_equal(cfg.abort[1].failure_type, MODEL_FAILURE_TIMED_OUT);
  assert_true(cfg.abort[1].threshold_percentage == 50.0);
  assert_int_equal(cfg.abort[1].min_executed, 200);

  assert_true(cfg.has_timeout);
  assert_true(cfg.has_in_progress_timeout);
  assert_int_equal(cfg.in_progress_timeout_min, 120);

  assert_true(cfg.has_retry);
  assert_int_equal(cfg.n_retry, 2);
  assert_int_equal(cfg.retry[0].failure_type, MODEL_FAILURE_FAILED);
  assert_int_equal(cfg.retry[0].number_of_retries, 3);
  assert_int_equal(cfg.retry[1].failure_type, MODEL_FAILURE_TIMED_OUT);
  assert_int_equal(cfg.retry[1].number_of_retries, 2);

  assert_string_equal(cfg.namespace_id, "gg-core");
  assert_string_equal(cfg.job_template_arn,
                      "arn:aws:iot:eu-west-1::jobtemplate/AWS-Run:1.0");
  assert_non_null(cfg.document_parameters);
  assert_int_equal(cJSON_GetArraySize(cfg.document_parameters), 2);
  assert_string_equal(
      cJSON_GetObjectItemCaseSensitive(cfg.document_parameters, "command")
          ->valuestring,
      "reboot");
  assert_string_equal(
      cJSON_GetObjectItemCaseSensitive(cfg.document_parameters, "runAs")
          ->valuestring,
      "root");

  assert_true(cfg.has_destination_package_versions);
  assert_int_equal(cfg.n_destination_package_versions, 1);
  assert_string_equal(cfg.destination_package_versions[0],
                      "arn:aws:iot:eu-west-1:123456789012:package/fw/version/2.1");

  assert_true(cfg.has_scheduling);
  assert_string_equal(cfg.start_time, "2030-03-01T02:00");
  assert_string_equal(cfg.end_time, "2030-03-08T02:00");
  assert_true(cfg.has_end_behavior);
  assert_int_equal(cfg.end_behavior, MODEL_END_CANCEL);
  assert_int_equal(cfg.n_windows, 2);
  assert_string_equal(cfg.windows[0].cron, "cron(0 2 ? * SUN *)");
  assert_int_equal(cfg.windows[0].duration_min, 240);
  assert_string_equal(cfg.windows[1].cron, "cron(30 1 ? * WED *)");
  assert_int_equal(cfg.windows[1].duration_min, 60);

  model_jobcfg_release(&cfg);
  assert_true(is_zeroed(&cfg));
  model_jobcfg_release(&cfg);   /* twice is harmless */
}

/* The example of `aws iot create-job` in the AWS CLI reference. */
static void test_cli_example(void **state) {
  (void)state;
  cJSON *req = parse_text(
      "{\"jobId\":\"example-job-01\","
      "\"targets\":[\"arn:aws:iot:us-west-2:123456789012:thing/MyRaspberryPi\"],"
      "\"document\":\"{\\\"key\\\":\\\"value\\\"}\","
      "\"description\":\"example job test\","
      "\"targetSelection\":\"SNAPSHOT\"}");
  model_jobcfg cfg;
  sim_diag d;
  sim_diag_init(&d, NULL);
  int rc = model_jobcfg_parse(&cfg, req, NULL, &d, "$");
  if (rc != SIM_OK)
    fail_msg("%s: %s", d.path, d.msg);
  cJSON_Delete(req);
  assert_string_equal(cfg.job_id, "example-job-01");
  assert_int_equal(cfg.n_targets, 1);
  assert_string_equal(cfg.targets[0],
                      "arn:aws:iot:us-west-2:123456789012:thing/MyRaspberryPi");
  assert_string_equal(cfg.document, "{\"key\":\"value\"}");
  assert_string_equal(cfg.description, "example job test");
  assert_true(cfg.target_selection_given);
  assert_false(cfg.continuous);
  /* Sections not given stay off. */
  assert_false(cfg.has_presigned);
  assert_false(cfg.has_rollout);
  assert_false(cfg.has_abort);
  assert_false(cfg.has_timeout);
  assert_false(cfg.has_retry);
  assert_false(cfg.has_scheduling);
  assert_false(cfg.has_destination_package_versions);
  assert_null(cfg.document_parameters);
  assert_null(cfg.namespace_id);
  model_jobcfg_release(&cfg);
}

/* documentSource is kept; scheduling without endBehavior defaults (O32). */
static void test_defaults_and_source(void **state) {
  (void)state;
  cJSON *req = patched(
      "{'document':null,'documentSource':'https://s3.amazonaws.com/b/j.json',"
      "'schedulingConfig':{'endTime':'2030-01-01T00:00'},"
      "'timeoutConfig':{}}");
  model_jobcfg cfg;
  sim_diag d;
  sim_diag_init(&d, NULL);
  int rc = model_jobcfg_parse(&cfg, req, NULL, &d, P);
  if (rc != SIM_OK)
    fail_msg("%s: %s", d.path, d.msg);
  cJSON_Delete(req);
  assert_null(cfg.document);
  assert_string_equal(cfg.document_source, "https://s3.amazonaws.com/b/j.json");
  assert_false(cfg.target_selection_given);
  assert_false(cfg.continuous);
  assert_true(cfg.has_scheduling);
  assert_null(cfg.start_time);
  assert_string_equal(cfg.end_time, "2030-01-01T00:00");
  assert_false(cfg.has_end_behavior);
  assert_int_equal(cfg.end_behavior, MODEL_END_STOP_ROLLOUT);
  assert_int_equal(cfg.n_windows, 0);
  assert_true(cfg.has_timeout);
  assert_false(cfg.has_in_progress_timeout);
  model_jobcfg_release(&cfg);
}

/* A failure late in the request, after targets, strings and parameters
 * were copied, frees them all and leaves the struct zeroed (the leak check
 * is the sanitizer build). */
static void test_late_failure_releases(void **state) {
  (void)state;
  cJSON *req = parse_text(k_full);
  cJSON *sc = cJSON_GetObjectItemCaseSensitive(req, "schedulingConfig");
  cJSON *wins = cJSON_GetObjectItemCaseSensitive(sc, "maintenanceWindows");
  cJSON *w1 = cJSON_GetArrayItem(wins, 1);
  cJSON_ReplaceItemInObjectCaseSensitive(w1, "durationInMinutes",
                                         cJSON_CreateNumber(2000));
  model_jobcfg cfg;
  sim_diag d;
  sim_diag_init(&d, NULL);
  int rc = model_jobcfg_parse(&cfg, req, NULL, &d, P);
  assert_int_equal(rc, SIM_ERR_RANGE);
  assert_string_equal(d.path,
                      P ".schedulingConfig.maintenanceWindows[1].durationInMinutes");
  assert_true(is_zeroed(&cfg));
  cJSON_Delete(req);
}

static void test_null_request(void **state) {
  (void)state;
  model_jobcfg cfg;
  sim_diag d;
  sim_diag_init(&d, NULL);
  assert_int_equal(model_jobcfg_parse(&cfg, NULL, NULL, &d, P),
                   SIM_ERR_SCHEMA);
  assert_string_equal(d.path, P);
  assert_string_equal(d.msg, "expected an object, got nothing");
  assert_true(is_zeroed(&cfg));
}

static void test_release_zeroed(void **state) {
  (void)state;
  model_jobcfg cfg;
  memset(&cfg, 0, sizeof cfg);
  model_jobcfg_release(&cfg);
  model_jobcfg_release(NULL);
  assert_true(is_zeroed(&cfg));
}

static void test_enum_names(void **state) {
  (void)state;
  assert_string_equal(model_failure_type_name(MODEL_FAILURE_FAILED), "FAILED");
  assert_string_equal(model_failure_type_name(MODEL_FAILURE_REJECTED),
                      "REJECTED");
  assert_string_equal(model_failure_type_name(MODEL_FAILURE_TIMED_OUT),
                      "TIMED_OUT");
  assert_string_equal(model_failure_type_name(MODEL_FAILURE_ALL), "ALL");
  assert_string_equal(model_end_behavior_name(MODEL_END_STOP_ROLLOUT),
                      "STOP_ROLLOUT");
  assert_string_equal(model_end_behavior_name(MODEL_END_CANCEL), "CANCEL");
  assert_string_equal(model_end_behavior_name(MODEL_END_FORCE_CANCEL),
                      "FORCE_CANCEL");
}

/* ---------------------------------------------------------------- main --- */

static const struct CMUnitTest k_fixed[] = {
  cmocka_unit_test(test_full_config),
  cmocka_unit_test(test_cli_example),
  cmocka_unit_test(test_defaults_and_source),
  cmocka_unit_test(test_late_failure_releases),
  cmocka_unit_test(test_null_request),
  cmocka_unit_test(test_release_zeroed),
  cmocka_unit_test(test_enum_names),
};

#define N_FIXED (sizeof k_fixed / sizeof k_fixed[0])

int main(void) {
  static struct CMUnitTest all[N_FIXED + N_CASES];
  for (size_t i = 0; i < N_FIXED; i++)
    all[i] = k_fixed[i];
  for (size_t i = 0; i < N_CASES; i++) {
    /* cmocka states are void *; run_case only reads the row */
    struct CMUnitTest t = {k_jobcfg_cases[i].name, run_case, NULL, NULL,
                           (void *)(uintptr_t)&k_jobcfg_cases[i]};
    all[N_FIXED + i] = t;
  }
  return cmocka_run_group_tests_name("model_jobcfg", all, NULL, NULL);
}
