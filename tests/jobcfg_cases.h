/*
 * jobcfg_cases.h — the CreateJob rule table shared by test_model_jobcfg.c
 * (model_jobcfg_parse() called directly) and test_cli_validate.c (the same
 * requests wrapped in scenarios and run through `jobsim validate`).
 *
 * One row per validation rule and per boundary side: the request, the
 * expected status code, the exact diagnostic path and the exact message.
 * Row JSON is written with single quotes (turned into double quotes before
 * parsing) and, unless `raw`, merged member by member into a small valid
 * base request (a null member removes it from the base); `build` makes
 * further edits in C for values too long to write inline. Paths and
 * messages are rooted at JOBCFG_CASES_PREFIX ("$.job", the request inside a
 * scenario file). Every row's targets are in us-east-1, account
 * 123456789012, and name only thing t0..t99, thing x{128} or thinggroup g1.
 *
 * Include after test_common.h. Helpers are static inline so a test that
 * does not use one gets no warning.
 */
#ifndef JOBSIM_TEST_JOBCFG_CASES_H
#define JOBSIM_TEST_JOBCFG_CASES_H

#include "test_common.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "sim.h"

#define JOBCFG_CASES_PREFIX "$.job"
#define P JOBCFG_CASES_PREFIX

static const char k_base[] =
    "{'jobId':'job-1',"
    "'targets':['arn:aws:iot:us-east-1:123456789012:thing/t1'],"
    "'document':'{}'}";

/* ------------------------------------------------------------ helpers --- */

static inline char *squote(const char *in) {
  size_t n = strlen(in);
  char *out = malloc(n + 1);
  assert_non_null(out);
  for (size_t i = 0; i <= n; i++)
    out[i] = in[i] == '\'' ? '"' : in[i];
  return out;
}

static inline cJSON *parse_sq(const char *text) {
  char *t = squote(text);
  cJSON *j = cJSON_Parse(t);
  if (j == NULL)
    fail_msg("test JSON does not parse: %s", t);
  free(t);
  return j;
}

/* The base request with `patch`'s members replacing or adding to it. */
static inline cJSON *patched(const char *patch) {
  cJSON *req = parse_sq(k_base);
  if (patch == NULL)
    return req;
  cJSON *p = parse_sq(patch);
  cJSON *m = p->child;
  while (m != NULL) {
    cJSON *next = m->next;
    cJSON_DeleteItemFromObjectCaseSensitive(req, m->string);
    if (!cJSON_IsNull(m)) {
      cJSON_DetachItemViaPointer(p, m);
      cJSON_AddItemToObject(req, m->string, m);
    }
    m = next;
  }
  cJSON_Delete(p);
  return req;
}

static inline char *repeat(char c, size_t n) {
  char *s = malloc(n + 1);
  assert_non_null(s);
  memset(s, c, n);
  s[n] = '\0';
  return s;
}

static inline void set_str(cJSON *obj, const char *key, const char *val) {
  cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
  assert_non_null(cJSON_AddStringToObject(obj, key, val));
}

static inline void set_item(cJSON *obj, const char *key, cJSON *item) {
  cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
  assert_non_null(item);
  cJSON_AddItemToObject(obj, key, item);
}
/* ----------------------------------------------------- the rule table --- */

typedef struct jcase {
  const char *name;
  const char *json;          /* single-quoted JSON; see the file header */
  bool raw;                  /* json is the whole request, not a patch */
  void (*build)(cJSON *req); /* further edits made in C, or NULL */
  int64_t quota;             /* opts.rollout_quota; 0 passes opts = NULL */
  int code;                  /* expected status */
  const char *path;          /* expected d.path (when code != SIM_OK) */
  const char *msg;           /* expected d.msg */
} jcase;

/* Builders for values too long to write inline. */
static void b_job_id_64(cJSON *r) {
  char *s = repeat('a', 64);
  set_str(r, "jobId", s);
  free(s);
}
static void b_job_id_65(cJSON *r) {
  char *s = repeat('a', 65);
  set_str(r, "jobId", s);
  free(s);
}
static void targets_n(cJSON *r, int n) {
  cJSON *a = cJSON_CreateArray();
  char buf[128];
  for (int i = 0; i < n; i++) {
    snprintf(buf, sizeof buf, "arn:aws:iot:us-east-1:123456789012:thing/t%d",
             i);
    cJSON_AddItemToArray(a, cJSON_CreateString(buf));
  }
  set_item(r, "targets", a);
}
static void b_targets_100(cJSON *r) { targets_n(r, 100); }
static void b_targets_101(cJSON *r) { targets_n(r, 101); }
static void target_name(cJSON *r, size_t n) {
  char *name = repeat('x', n);
  char buf[300];
  snprintf(buf, sizeof buf, "arn:aws:iot:us-east-1:123456789012:thing/%s",
           name);
  free(name);
  cJSON *a = cJSON_CreateArray();
  cJSON_AddItemToArray(a, cJSON_CreateString(buf));
  set_item(r, "targets", a);
}
static void b_target_name_128(cJSON *r) { target_name(r, 128); }
static void b_target_name_129(cJSON *r) { target_name(r, 129); }
static void document_n(cJSON *r, size_t n) {   /* a JSON string literal */
  char *s = repeat('a', n);
  s[0] = '"';
  s[n - 1] = '"';
  set_str(r, "document", s);
  free(s);
}
static void b_document_32768(cJSON *r) { document_n(r, 32768); }
static void b_document_32769(cJSON *r) { document_n(r, 32769); }
static void b_description_2028(cJSON *r) {
  char *s = repeat('d', 2028);
  set_str(r, "description", s);
  free(s);
}
static void b_description_2029(cJSON *r) {
  char *s = repeat('d', 2029);
  set_str(r, "description", s);
  free(s);
}
static void abort_n(cJSON *r, int n) {
  cJSON *list = cJSON_CreateArray();
  for (int i = 0; i < n; i++)
    cJSON_AddItemToArray(
        list, parse_sq("{'failureType':'FAILED','action':'CANCEL',"
                       "'thresholdPercentage':50,"
                       "'minNumberOfExecutedThings':10}"));
  cJSON *ac = cJSON_CreateObject();
  cJSON_AddItemToObject(ac, "criteriaList", list);
  set_item(r, "abortConfig", ac);
}
static void b_abort_16(cJSON *r) { abort_n(r, 16); }
static void b_abort_17(cJSON *r) { abort_n(r, 17); }
static void packages_n(cJSON *r, int n) {
  cJSON *a = cJSON_CreateArray();
  char buf[128];
  for (int i = 0; i < n; i++) {
    snprintf(buf, sizeof buf,
             "arn:aws:iot:us-east-1:123456789012:package/p/version/1.%d", i);
    cJSON_AddItemToArray(a, cJSON_CreateString(buf));
  }
  set_item(r, "destinationPackageVersions", a);
}
static void b_packages_25(cJSON *r) { packages_n(r, 25); }
static void b_packages_26(cJSON *r) { packages_n(r, 26); }
static void windows_n(cJSON *r, int n) {
  cJSON *list = cJSON_CreateArray();
  for (int i = 0; i < n; i++)
    cJSON_AddItemToArray(list,
                         parse_sq("{'startTime':'cron(0 2 ? * MON *)',"
                                  "'durationInMinutes':60}"));
  cJSON *sc = cJSON_CreateObject();
  cJSON_AddItemToObject(sc, "maintenanceWindows", list);
  set_item(r, "schedulingConfig", sc);
}
static void b_windows_16(cJSON *r) { windows_n(r, 16); }
static void b_windows_17(cJSON *r) { windows_n(r, 17); }
static void tag_key(cJSON *r, size_t n) {
  char *k = repeat('k', n);
  cJSON *tag = cJSON_CreateObject();
  cJSON_AddStringToObject(tag, "Key", k);
  cJSON_AddStringToObject(tag, "Value", "v");
  free(k);
  cJSON *a = cJSON_CreateArray();
  cJSON_AddItemToArray(a, tag);
  set_item(r, "tags", a);
}
static void b_tag_key_128(cJSON *r) { tag_key(r, 128); }
static void b_tag_key_129(cJSON *r) { tag_key(r, 129); }
static void b_tag_value_257(cJSON *r) {
  char *v = repeat('v', 257);
  cJSON *tag = cJSON_CreateObject();
  cJSON_AddStringToObject(tag, "Key", "k");
  cJSON_AddStringToObject(tag, "Value", v);
  free(v);
  cJSON *a = cJSON_CreateArray();
  cJSON_AddItemToArray(a, tag);
  set_item(r, "tags", a);
}
static void param_name(cJSON *r, size_t n) {
  char *k = repeat('p', n);
  set_str(r, "jobTemplateArn", "arn:aws:iot:us-east-1::jobtemplate/AWS-Run:1.0");
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, k, "x");
  free(k);
  set_item(r, "documentParameters", o);
}
static void b_param_name_128(cJSON *r) { param_name(r, 128); }
static void b_param_name_129(cJSON *r) { param_name(r, 129); }

#define OK(n, j) {n, j, false, NULL, 0, SIM_OK, NULL, NULL}
#define OKB(n, b) {n, NULL, false, b, 0, SIM_OK, NULL, NULL}
#define BAD(n, j, c, p, m) {n, j, false, NULL, 0, c, p, m}
#define BADB(n, b, c, p, m) {n, NULL, false, b, 0, c, p, m}
#define SCH SIM_ERR_SCHEMA
#define RNG SIM_ERR_RANGE

static const jcase k_jobcfg_cases[] = {
  /* ---- top level */
  {"request_not_object", "['x']", true, NULL, 0, SCH, P,
      "expected an object, got array"},
  BAD("unknown_top_field", "{'jobID':'x'}", SCH, P ".jobID",
      "unknown field 'jobID'"),
  {"duplicate_top_field",
   "{'jobId':'a','jobId':'b','targets':"
   "['arn:aws:iot:us-east-1:123456789012:thing/t1'],'document':'{}'}",
   true, NULL, 0, SCH, P ".jobId",
      "duplicate field 'jobId'"},

  /* ---- jobId */
  BAD("job_id_missing", "{'jobId':null}", SCH, P,
      "missing required field 'jobId'"),
  BAD("job_id_not_string", "{'jobId':7}", SCH, P ".jobId",
      "expected a string, got number"),
  BAD("job_id_empty", "{'jobId':''}", RNG, P ".jobId",
      "expected a string of 1 to 64 characters"),
  OKB("job_id_64_ok", b_job_id_64),
  BADB("job_id_65", b_job_id_65, RNG, P ".jobId",
      "expected a string of 1 to 64 characters"),
  BAD("job_id_pattern", "{'jobId':'job 1'}", RNG, P ".jobId",
      "expected only characters [a-zA-Z0-9_-], got ' ' at offset 3"),

  /* ---- targets */
  BAD("targets_missing", "{'targets':null}", SCH, P,
      "missing required field 'targets'"),
  BAD("targets_not_array",
      "{'targets':'arn:aws:iot:us-east-1:123456789012:thing/t1'}", SCH,
      P ".targets", "expected an array, got string"),
  BAD("targets_empty", "{'targets':[]}", RNG, P ".targets",
      "expected 1 to 100 targets, got 0"),
  OKB("targets_100_ok", b_targets_100),
  BADB("targets_101", b_targets_101, RNG, P ".targets",
       "expected 1 to 100 targets, got 101"),
  BAD("target_not_string", "{'targets':[42]}", SCH, P ".targets[0]",
      "expected a string, got number"),
  BAD("target_not_iot_arn", "{'targets':['arn:aws:s3:::bucket']}", RNG,
      P ".targets[0]",
      "expected a thing or thing group ARN starting with 'arn:aws:iot:', "
      "got 'arn:aws:s3:::bucket'"),
  BAD("target_region_missing",
      "{'targets':['arn:aws:iot::123456789012:thing/t1']}", RNG,
      P ".targets[0]",
      "expected a region of [a-z0-9-] after 'arn:aws:iot:', got "
      "'arn:aws:iot::123456789012:thing/t1'"),
  BAD("target_account_11_digits",
      "{'targets':['arn:aws:iot:us-east-1:12345678901:thing/t1']}", RNG,
      P ".targets[0]",
      "expected a 12-digit account id after the region, got "
      "'arn:aws:iot:us-east-1:12345678901:thing/t1'"),
  BAD("target_resource_type",
      "{'targets':['arn:aws:iot:us-east-1:123456789012:job/j1']}", RNG,
      P ".targets[0]",
      "expected resource 'thing/<name>' or 'thinggroup/<name>' after the "
      "account id, got 'arn:aws:iot:us-east-1:123456789012:job/j1'"),
  BAD("target_name_pattern",
      "{'targets':['arn:aws:iot:us-east-1:123456789012:thinggroup/my group']}",
      RNG, P ".targets[0]",
      "expected a thing group name of 1 to 128 characters [a-zA-Z0-9:_-], got "
      "'my group'"),
  OKB("target_name_128_ok", b_target_name_128),
  BADB("target_name_129", b_target_name_129, RNG, P ".targets[0]",
       "expected a thing name of 1 to 128 characters [a-zA-Z0-9:_-], got "
       "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'"),
  BAD("target_duplicate",
      "{'targets':['arn:aws:iot:us-east-1:123456789012:thing/t1',"
      "'arn:aws:iot:us-east-1:123456789012:thinggroup/g1',"
      "'arn:aws:iot:us-east-1:123456789012:thing/t1']}",
      RNG, P ".targets[2]", "duplicate target, already given at $.job.targets[0]"),

  /* ---- document / documentSource / jobTemplateArn */
  BAD("document_and_source_missing", "{'document':null}", SCH, P,
      "exactly one of 'document' or 'documentSource' is required"),
  BAD("document_and_source_both",
      "{'documentSource':'https://s3.amazonaws.com/b/job.json'}", SCH, P,
      "exactly one of 'document' or 'documentSource' is required, got both"),
  OK("template_without_document",
     "{'document':null,'jobTemplateArn':"
     "'arn:aws:iot:us-east-1::jobtemplate/AWS-Reboot:1.0'}"),
  BAD("document_not_json", "{'document':'{key: value}'}", RNG, P ".document",
      "document is not valid JSON"),
  BAD("document_trailing_garbage", "{'document':'{} x'}", RNG, P ".document",
      "document is not valid JSON"),
  OKB("document_32768_ok", b_document_32768),
  BADB("document_32769", b_document_32769, RNG, P ".document",
      "expected a string of 0 to 32768 characters"),
  BAD("document_source_empty", "{'document':null,'documentSource':''}", RNG,
      P ".documentSource",
      "expected a string of 1 to 1350 characters"),
  BAD("template_arn_pattern", "{'jobTemplateArn':'AWS-Reboot'}", RNG,
      P ".jobTemplateArn",
      "expected an ARN matching ^arn:[!-~]+$, got 'AWS-Reboot'"),
  BAD("template_arn_space", "{'jobTemplateArn':'arn:aws:iot:x y'}", RNG,
      P ".jobTemplateArn",
      "expected only printable ASCII without spaces ([!-~]), got ' ' at "
      "offset 13"),

  /* ---- description, targetSelection */
  OK("description_empty_ok", "{'description':''}"),
  OKB("description_2028_ok", b_description_2028),
  BADB("description_2029", b_description_2029, RNG, P ".description",
      "expected a string of 0 to 2028 characters"),
  BAD("description_control_char", "{'description':'line1\\nline2'}", RNG,
      P ".description",
      "expected no control characters, got U+000A at offset 5"),
  BAD("description_c1_control", "{'description':'a\\u0085b'}", RNG,
      P ".description",
      "expected no control characters, got U+0085 at offset 1"),
  BAD("description_not_string", "{'description':['x']}", SCH,
      P ".description", "expected a string, got array"),
  BAD("target_selection_enum", "{'targetSelection':'snapshot'}", RNG,
      P ".targetSelection",
      "expected one of SNAPSHOT, CONTINUOUS; did you mean 'SNAPSHOT'?"),

  /* ---- presignedUrlConfig */
  OK("presigned_empty_ok", "{'presignedUrlConfig':{}}"),
  BAD("presigned_unknown_field", "{'presignedUrlConfig':{'expires':60}}", SCH,
      P ".presignedUrlConfig.expires",
      "unknown field 'expires'"),
  BAD("presigned_role_short", "{'presignedUrlConfig':{'roleArn':'arn:x'}}",
      RNG, P ".presignedUrlConfig.roleArn",
      "expected a string of 20 to 2048 characters"),
  OK("presigned_expires_60_ok", "{'presignedUrlConfig':{'expiresInSec':60}}"),
  BAD("presigned_expires_59", "{'presignedUrlConfig':{'expiresInSec':59}}",
      RNG, P ".presignedUrlConfig.expiresInSec",
      "expected an integer from 60 to 3600"),
  BAD("presigned_expires_3601",
      "{'presignedUrlConfig':{'expiresInSec':3601}}", RNG,
      P ".presignedUrlConfig.expiresInSec",
      "expected an integer from 60 to 3600"),

  /* ---- jobExecutionsRolloutConfig */
  OK("rollout_empty_ok", "{'jobExecutionsRolloutConfig':{}}"),
  OK("max_per_minute_1000_ok",
     "{'jobExecutionsRolloutConfig':{'maximumPerMinute':1000}}"),
  BAD("max_per_minute_1001",
      "{'jobExecutionsRolloutConfig':{'maximumPerMinute':1001}}", RNG,
      P ".jobExecutionsRolloutConfig.maximumPerMinute",
      "expected at most 1000 per minute (the rollout quota), got 1001; raise "
      "$.simulation.rolloutQuota in the scenario to allow more"),
  {"max_per_minute_raised_quota_ok",
   "{'jobExecutionsRolloutConfig':{'maximumPerMinute':1500}}", false, NULL,
   2000, SIM_OK, NULL, NULL},
  {"max_per_minute_above_raised_quota",
   "{'jobExecutionsRolloutConfig':{'maximumPerMinute':2001}}", false, NULL,
   2000, RNG, P ".jobExecutionsRolloutConfig.maximumPerMinute",
   "expected at most 2000 per minute (the rollout quota), got 2001; raise "
   "$.simulation.rolloutQuota in the scenario to allow more"},
  BAD("max_per_minute_0",
      "{'jobExecutionsRolloutConfig':{'maximumPerMinute':0}}", RNG,
      P ".jobExecutionsRolloutConfig.maximumPerMinute",
      "expected an integer from 1 to 1000"),
  BAD("max_per_minute_fraction",
      "{'jobExecutionsRolloutConfig':{'maximumPerMinute':10.5}}", SCH,
      P ".jobExecutionsRolloutConfig.maximumPerMinute",
      "expected an integer from 1 to 1000"),
  BAD("max_per_minute_nested_in_exponential",   /* the guide's mistake */
      "{'jobExecutionsRolloutConfig':{'exponentialRate':{"
      "'baseRatePerMinute':50,'incrementFactor':2,'maximumPerMinute':1000,"
      "'rateIncreaseCriteria':{'numberOfNotifiedThings':1000}}}}",
      SCH, P ".jobExecutionsRolloutConfig.exponentialRate.maximumPerMinute",
      "unknown field 'maximumPerMinute' (it belongs in "
      "jobExecutionsRolloutConfig, beside exponentialRate)"),
  BAD("base_rate_missing",
      "{'jobExecutionsRolloutConfig':{'exponentialRate':{"
      "'incrementFactor':2,'rateIncreaseCriteria':{'numberOfNotifiedThings':5}"
      "}}}",
      SCH, P ".jobExecutionsRolloutConfig.exponentialRate",
      "missing required field 'baseRatePerMinute'"),
  BAD("base_rate_1001",
      "{'jobExecutionsRolloutConfig':{'exponentialRate':{"
      "'baseRatePerMinute':1001,'incrementFactor':2,"
      "'rateIncreaseCriteria':{'numberOfNotifiedThings':5}}}}",
      RNG, P ".jobExecutionsRolloutConfig.exponentialRate.baseRatePerMinute",
      "expected an integer from 1 to 1000"),
  OK("increment_factor_1_1_ok",
     "{'jobExecutionsRolloutConfig':{'exponentialRate':{"
     "'baseRatePerMinute':1,'incrementFactor':1.1,"
     "'rateIncreaseCriteria':{'numberOfNotifiedThings':5}}}}"),
  BAD("increment_factor_1_05",
      "{'jobExecutionsRolloutConfig':{'exponentialRate':{"
      "'baseRatePerMinute':1,'incrementFactor':1.05,"
      "'rateIncreaseCriteria':{'numberOfNotifiedThings':5}}}}",
      RNG, P ".jobExecutionsRolloutConfig.exponentialRate.incrementFactor",
      "expected a number from 1.1 to 5"),
  OK("increment_factor_5_0_ok",
     "{'jobExecutionsRolloutConfig':{'exponentialRate':{"
     "'baseRatePerMinute':1000,'incrementFactor':5.0,"
     "'rateIncreaseCriteria':{'numberOfSucceededThings':5}}}}"),
  BAD("increment_factor_5_1",
      "{'jobExecutionsRolloutConfig':{'exponentialRate':{"
      "'baseRatePerMinute':1,'incrementFactor':5.1,"
      "'rateIncreaseCriteria':{'numberOfNotifiedThings':5}}}}",
      RNG, P ".jobExecutionsRolloutConfig.exponentialRate.incrementFactor",
      "expected a number from 1.1 to 5"),
  BAD("increment_factor_two_decimals",
      "{'jobExecutionsRolloutConfig':{'exponentialRate':{"
      "'baseRatePerMinute':1,'incrementFactor':1.55,"
      "'rateIncreaseCriteria':{'numberOfNotifiedThings':5}}}}",
      RNG, P ".jobExecutionsRolloutConfig.exponentialRate.incrementFactor",
      "expected at most one digit after the decimal point (e.g. 1.5), got "
      "1.55"),
  BAD("rate_criteria_missing",
      "{'jobExecutionsRolloutConfig':{'exponentialRate':{"
      "'baseRatePerMinute':1,'incrementFactor':2}}}",
      SCH, P ".jobExecutionsRolloutConfig.exponentialRate",
      "missing required field 'rateIncreaseCriteria'"),
  BAD("rate_criteria_empty",
      "{'jobExecutionsRolloutConfig':{'exponentialRate':{"
      "'baseRatePerMinute':1,'incrementFactor':2,'rateIncreaseCriteria':{}}}}",
      SCH,
      P ".jobExecutionsRolloutConfig.exponentialRate.rateIncreaseCriteria",
      "rateIncreaseCriteria needs numberOfNotifiedThings or "
      "numberOfSucceededThings"),
  BAD("rate_criteria_notified_0",
      "{'jobExecutionsRolloutConfig':{'exponentialRate':{"
      "'baseRatePerMinute':1,'incrementFactor':2,"
      "'rateIncreaseCriteria':{'numberOfNotifiedThings':0}}}}",
      RNG,
      P ".jobExecutionsRolloutConfig.exponentialRate.rateIncreaseCriteria"
        ".numberOfNotifiedThings",
      "expected an integer from 1 to 2147483647"),

  /* ---- abortConfig */
  BAD("abort_criteria_missing", "{'abortConfig':{}}", SCH, P ".abortConfig",
      "missing required field 'criteriaList'"),
  BAD("abort_criteria_empty", "{'abortConfig':{'criteriaList':[]}}", RNG,
      P ".abortConfig.criteriaList", "expected 1 to 16 abort criteria, got 0"),
  OKB("abort_16_ok", b_abort_16),
  BADB("abort_17", b_abort_17, RNG, P ".abortConfig.criteriaList",
       "expected 1 to 16 abort criteria, got 17"),
  BAD("abort_failure_type_enum",
      "{'abortConfig':{'criteriaList':[{'failureType':'REMOVED',"
      "'action':'CANCEL','thresholdPercentage':10,"
      "'minNumberOfExecutedThings':1}]}}",
      RNG, P ".abortConfig.criteriaList[0].failureType",
      "expected one of FAILED, REJECTED, TIMED_OUT, ALL"),
  BAD("abort_action_enum",
      "{'abortConfig':{'criteriaList':[{'failureType':'FAILED',"
      "'action':'STOP','thresholdPercentage':10,"
      "'minNumberOfExecutedThings':1}]}}",
      RNG, P ".abortConfig.criteriaList[0].action",
      "expected one of CANCEL"),
  BAD("abort_criterion_not_object",
      "{'abortConfig':{'criteriaList':['FAILED']}}", SCH,
      P ".abortConfig.criteriaList[0]", "expected an object, got string"),
  BAD("abort_action_missing",
      "{'abortConfig':{'criteriaList':[{'failureType':'FAILED',"
      "'thresholdPercentage':10,'minNumberOfExecutedThings':1}]}}",
      SCH, P ".abortConfig.criteriaList[0]",
      "missing required field 'action'"),
  BAD("abort_criterion_unknown_field",
      "{'abortConfig':{'criteriaList':[{'failureType':'FAILED',"
      "'action':'CANCEL','thresholdPercentage':10,"
      "'minNumberOfExecutedThings':1,'thresholdPercent':5}]}}",
      SCH, P ".abortConfig.criteriaList[0].thresholdPercent",
      "unknown field 'thresholdPercent'"),
  OK("abort_threshold_100_ok",
     "{'abortConfig':{'criteriaList':[{'failureType':'ALL',"
     "'action':'CANCEL','thresholdPercentage':100,"
     "'minNumberOfExecutedThings':1}]}}"),
  OK("abort_threshold_0_ok",   /* O13 */
     "{'abortConfig':{'criteriaList':[{'failureType':'ALL',"
     "'action':'CANCEL','thresholdPercentage':0,"
     "'minNumberOfExecutedThings':1}]}}"),
  BAD("abort_threshold_100_01",
      "{'abortConfig':{'criteriaList':[{'failureType':'FAILED',"
      "'action':'CANCEL','thresholdPercentage':100.01,"
      "'minNumberOfExecutedThings':1}]}}",
      RNG, P ".abortConfig.criteriaList[0].thresholdPercentage",
      "expected a number from 0 to 100"),
  BAD("abort_threshold_negative",
      "{'abortConfig':{'criteriaList':[{'failureType':'FAILED',"
      "'action':'CANCEL','thresholdPercentage':-1,"
      "'minNumberOfExecutedThings':1}]}}",
      RNG, P ".abortConfig.criteriaList[0].thresholdPercentage",
      "expected a number from 0 to 100"),
  OK("abort_threshold_10_99_ok",
     "{'abortConfig':{'criteriaList':[{'failureType':'FAILED',"
     "'action':'CANCEL','thresholdPercentage':10.99,"
     "'minNumberOfExecutedThings':1}]}}"),
  BAD("abort_threshold_three_decimals",
      "{'abortConfig':{'criteriaList':[{'failureType':'FAILED',"
      "'action':'CANCEL','thresholdPercentage':20,"
      "'minNumberOfExecutedThings':1},{'failureType':'TIMED_OUT',"
      "'action':'CANCEL','thresholdPercentage':10.999,"
      "'minNumberOfExecutedThings':1}]}}",
      RNG, P ".abortConfig.criteriaList[1].thresholdPercentage",
      "expected at most two digits after the decimal point (e.g. 10.99), got "
      "10.999"),
  BAD("abort_min_executed_0",
      "{'abortConfig':{'criteriaList':[{'failureType':'FAILED',"
      "'action':'CANCEL','thresholdPercentage':10,"
      "'minNumberOfExecutedThings':0}]}}",
      RNG, P ".abortConfig.criteriaList[0].minNumberOfExecutedThings",
      "expected an integer from 1 to 2147483647"),

  /* ---- timeoutConfig */
  OK("timeout_empty_ok", "{'timeoutConfig':{}}"),
  OK("timeout_10080_ok", "{'timeoutConfig':{'inProgressTimeoutInMinutes':10080}}"),
  BAD("timeout_10081",
      "{'timeoutConfig':{'inProgressTimeoutInMinutes':10081}}", RNG,
      P ".timeoutConfig.inProgressTimeoutInMinutes",
      "expected an integer from 1 to 10080"),
  BAD("timeout_0", "{'timeoutConfig':{'inProgressTimeoutInMinutes':0}}", RNG,
      P ".timeoutConfig.inProgressTimeoutInMinutes",
      "expected an integer from 1 to 10080"),

  /* ---- jobExecutionsRetryConfig */
  BAD("retry_criteria_missing", "{'jobExecutionsRetryConfig':{}}", SCH,
      P ".jobExecutionsRetryConfig", "missing required field 'criteriaList'"),
  BAD("retry_three_criteria",
      "{'jobExecutionsRetryConfig':{'criteriaList':["
      "{'failureType':'FAILED','numberOfRetries':1},"
      "{'failureType':'TIMED_OUT','numberOfRetries':1},"
      "{'failureType':'ALL','numberOfRetries':1}]}}",
      RNG, P ".jobExecutionsRetryConfig.criteriaList",
      "expected 1 to 2 retry criteria, got 3"),
  BAD("retry_failure_type_rejected",
      "{'jobExecutionsRetryConfig':{'criteriaList':["
      "{'failureType':'REJECTED','numberOfRetries':1}]}}",
      RNG, P ".jobExecutionsRetryConfig.criteriaList[0].failureType",
      "expected one of FAILED, TIMED_OUT, ALL"),
  BAD("retry_number_missing",
      "{'jobExecutionsRetryConfig':{'criteriaList':["
      "{'failureType':'FAILED'}]}}",
      SCH, P ".jobExecutionsRetryConfig.criteriaList[0]",
      "missing required field 'numberOfRetries'"),
  BAD("retry_number_fraction",
      "{'jobExecutionsRetryConfig':{'criteriaList':["
      "{'failureType':'FAILED','numberOfRetries':2.5}]}}",
      SCH, P ".jobExecutionsRetryConfig.criteriaList[0].numberOfRetries",
      "expected an integer from 0 to 10"),
  BAD("retry_number_11",
      "{'jobExecutionsRetryConfig':{'criteriaList':["
      "{'failureType':'FAILED','numberOfRetries':11}]}}",
      RNG, P ".jobExecutionsRetryConfig.criteriaList[0].numberOfRetries",
      "expected an integer from 0 to 10"),
  BAD("retry_duplicate_type",
      "{'jobExecutionsRetryConfig':{'criteriaList':["
      "{'failureType':'FAILED','numberOfRetries':1},"
      "{'failureType':'FAILED','numberOfRetries':2}]}}",
      RNG, P ".jobExecutionsRetryConfig.criteriaList[1].failureType",
      "duplicate failureType 'FAILED', already given at criteriaList[0]"),
  BAD("retry_all_combined",
      "{'jobExecutionsRetryConfig':{'criteriaList':["
      "{'failureType':'ALL','numberOfRetries':1},"
      "{'failureType':'TIMED_OUT','numberOfRetries':2}]}}",
      RNG, P ".jobExecutionsRetryConfig.criteriaList[1].failureType",
      "failureType 'ALL' cannot be combined with another retry criterion"),
  OK("retry_sum_10_ok",
     "{'jobExecutionsRetryConfig':{'criteriaList':["
     "{'failureType':'FAILED','numberOfRetries':4},"
     "{'failureType':'TIMED_OUT','numberOfRetries':6}]}}"),
  BAD("retry_sum_11",
      "{'jobExecutionsRetryConfig':{'criteriaList':["
      "{'failureType':'FAILED','numberOfRetries':5},"
      "{'failureType':'TIMED_OUT','numberOfRetries':6}]}}",
      RNG, P ".jobExecutionsRetryConfig.criteriaList",
      "expected at most 10 retries per device in total (sum of "
      "numberOfRetries), got 11"),
  OK("retry_timed_out_without_timeout_ok",   /* step timers can time out */
     "{'jobExecutionsRetryConfig':{'criteriaList':["
     "{'failureType':'TIMED_OUT','numberOfRetries':3}]}}"),

  /* ---- tags */
  OK("tags_value_optional_ok",
     "{'tags':[{'Key':'team'},{'Key':'env','Value':''}]}"),
  BAD("tags_not_array", "{'tags':{'Key':'a'}}", SCH, P ".tags",
      "expected an array, got object"),
  BAD("tag_key_missing", "{'tags':[{'Value':'x'}]}", SCH, P ".tags[0]",
      "missing required field 'Key'"),
  OKB("tag_key_128_ok", b_tag_key_128),
  BADB("tag_key_129", b_tag_key_129, RNG, P ".tags[0].Key",
      "expected a string of 1 to 128 characters"),
  BAD("tag_key_pattern", "{'tags':[{'Key':'cost#center'}]}", RNG,
      P ".tags[0].Key",
      "expected only letters, digits, spaces and _.:/=+-@, got '#' at "
      "offset 4"),
  BADB("tag_value_257", b_tag_value_257, RNG, P ".tags[0].Value",
      "expected a string of 0 to 256 characters"),

  /* ---- namespaceId */
  OK("namespace_ok", "{'namespaceId':'gg_core-1'}"),
  BAD("namespace_pattern", "{'namespaceId':'my.ns'}", RNG, P ".namespaceId",
      "expected only characters [a-zA-Z0-9_-], got '.' at offset 2"),

  /* ---- documentParameters */
  BAD("parameters_without_template",
      "{'documentParameters':{'pathToHandler':'/opt/h'}}", SCH,
      P ".documentParameters",
      "documentParameters requires 'jobTemplateArn' (AWS managed templates "
      "only)"),
  BAD("parameters_not_object",
      "{'jobTemplateArn':'arn:aws:iot:us-east-1::jobtemplate/AWS-Run:1.0',"
      "'documentParameters':['x']}",
      SCH, P ".documentParameters", "expected an object, got array"),
  BAD("parameters_key_empty",
      "{'jobTemplateArn':'arn:aws:iot:us-east-1::jobtemplate/AWS-Run:1.0',"
      "'documentParameters':{'':'x'}}",
      RNG, P ".documentParameters", "expected parameter names of 1 to 128 characters, got 0"),
  OKB("parameters_key_128_ok", b_param_name_128),
  BADB("parameters_key_129", b_param_name_129, RNG, P ".documentParameters",
       "expected parameter names of 1 to 128 characters, got 129"),
  BAD("parameters_key_pattern",
      "{'jobTemplateArn':'arn:aws:iot:us-east-1::jobtemplate/AWS-Run:1.0',"
      "'documentParameters':{'path.to':'x'}}",
      RNG, P ".documentParameters",
      "expected only characters [a-zA-Z0-9_-] in parameter names, got '.' at "
      "offset 4"),
  {"parameters_duplicate_key",
   "{'jobId':'j','targets':['arn:aws:iot:us-east-1:123456789012:thing/t1'],"
   "'jobTemplateArn':'arn:aws:iot:us-east-1::jobtemplate/AWS-Run:1.0',"
   "'documentParameters':{'a':'1','a':'2'}}",
   true, NULL, 0, SCH, P ".documentParameters.a", "duplicate field 'a'"},
  BAD("parameters_value_not_string",
      "{'jobTemplateArn':'arn:aws:iot:us-east-1::jobtemplate/AWS-Run:1.0',"
      "'documentParameters':{'n':5}}",
      SCH, P ".documentParameters.n",
      "expected a string, got number"),
  BAD("parameters_value_empty",
      "{'jobTemplateArn':'arn:aws:iot:us-east-1::jobtemplate/AWS-Run:1.0',"
      "'documentParameters':{'n':''}}",
      RNG, P ".documentParameters.n",
      "expected a string of 1 to 30720 characters"),

  /* ---- destinationPackageVersions */
  OK("packages_empty_ok", "{'destinationPackageVersions':[]}"),
  OKB("packages_25_ok", b_packages_25),
  BADB("packages_26", b_packages_26, RNG, P ".destinationPackageVersions",
       "expected at most 25 package version ARNs, got 26"),
  BAD("package_not_arn", "{'destinationPackageVersions':['p/1.0']}", RNG,
      P ".destinationPackageVersions[0]",
      "expected an ARN matching ^arn:[!-~]+$, got 'p/1.0'"),

  /* ---- schedulingConfig */
  OK("scheduling_empty_ok", "{'schedulingConfig':{}}"),
  BAD("scheduling_unknown_field",
      "{'schedulingConfig':{'startTime':'2030-01-01T00:00','timeZone':'UTC'}}",
      SCH, P ".schedulingConfig.timeZone",
      "unknown field 'timeZone'"),
  BAD("start_time_space_form",
      "{'schedulingConfig':{'startTime':'2030-05-01 08:30'}}", RNG,
      P ".schedulingConfig.startTime",
      "expected a UTC date and time of the form YYYY-MM-DDTHH:MM, got "
      "'2030-05-01 08:30'"),
  BAD("start_time_seconds",
      "{'schedulingConfig':{'startTime':'2030-05-01T08:30:00'}}", RNG,
      P ".schedulingConfig.startTime",
      "expected a UTC date and time of the form YYYY-MM-DDTHH:MM, got "
      "'2030-05-01T08:30:00'"),
  BAD("start_time_month_13",
      "{'schedulingConfig':{'startTime':'2030-13-01T08:30'}}", RNG,
      P ".schedulingConfig.startTime",
      "expected month 01 to 12, got 13 in '2030-13-01T08:30'"),
  OK("start_time_leap_day_ok",
     "{'schedulingConfig':{'startTime':'2032-02-29T00:00'}}"),
  BAD("start_time_not_leap_day",
      "{'schedulingConfig':{'startTime':'2031-02-29T00:00'}}", RNG,
      P ".schedulingConfig.startTime",
      "expected day 01 to 28 for 2031-02, got 29 in '2031-02-29T00:00'"),
  BAD("end_time_april_31",
      "{'schedulingConfig':{'endTime':'2030-04-31T00:00'}}", RNG,
      P ".schedulingConfig.endTime",
      "expected day 01 to 30 for 2030-04, got 31 in '2030-04-31T00:00'"),
  BAD("start_time_hour_24",
      "{'schedulingConfig':{'startTime':'2030-05-01T24:00'}}", RNG,
      P ".schedulingConfig.startTime",
      "expected hour 00 to 23, got 24 in '2030-05-01T24:00'"),
  BAD("start_time_minute_60",
      "{'schedulingConfig':{'startTime':'2030-05-01T08:60'}}", RNG,
      P ".schedulingConfig.startTime",
      "expected minute 00 to 59, got 60 in '2030-05-01T08:60'"),
  BAD("start_time_not_string",
      "{'schedulingConfig':{'startTime':1893456000}}", SCH,
      P ".schedulingConfig.startTime",
      "expected a string, got number"),
  OK("span_30_minutes_ok",
     "{'schedulingConfig':{'startTime':'2030-12-31T23:45',"
     "'endTime':'2031-01-01T00:15'}}"),
  BAD("span_29_minutes",
      "{'schedulingConfig':{'startTime':'2030-12-31T23:45',"
      "'endTime':'2031-01-01T00:14'}}",
      RNG, P ".schedulingConfig.endTime",
      "expected endTime at least 30 minutes after startTime, got 29 minutes"),
  BAD("span_negative",
      "{'schedulingConfig':{'startTime':'2030-05-01T10:00',"
      "'endTime':'2030-05-01T09:00'}}",
      RNG, P ".schedulingConfig.endTime",
      "expected endTime at least 30 minutes after startTime, got -60 minutes"),
  OK("span_730_days_ok",   /* crosses the 2032 leap day */
     "{'schedulingConfig':{'startTime':'2031-06-01T00:00',"
     "'endTime':'2033-05-31T00:00'}}"),
  BAD("span_730_days_plus_1_minute",
      "{'schedulingConfig':{'startTime':'2031-06-01T00:00',"
      "'endTime':'2033-05-31T00:01'}}",
      RNG, P ".schedulingConfig.endTime",
      "expected endTime at most 2 years (1051200 minutes) after startTime, "
      "got 1051201 minutes"),
  BAD("end_behavior_enum",
      "{'schedulingConfig':{'endTime':'2030-05-01T09:00',"
      "'endBehavior':'STOP'}}",
      RNG, P ".schedulingConfig.endBehavior",
      "expected one of STOP_ROLLOUT, CANCEL, FORCE_CANCEL"),
  BAD("window_cron_envelope",
      "{'schedulingConfig':{'maintenanceWindows':[{'startTime':'0 2 ? * MON *',"
      "'durationInMinutes':60}]}}",
      RNG, P ".schedulingConfig.maintenanceWindows[0].startTime",
      "expected a cron expression of the form cron(<fields>), got "
      "'0 2 ? * MON *'"),
  BAD("window_duration_0",
      "{'schedulingConfig':{'maintenanceWindows':[{'startTime':"
      "'cron(0 2 ? * MON *)','durationInMinutes':0}]}}",
      RNG, P ".schedulingConfig.maintenanceWindows[0].durationInMinutes",
      "expected an integer from 1 to 1430"),
  OK("window_duration_1430_ok",
     "{'schedulingConfig':{'maintenanceWindows':[{'startTime':"
     "'cron(0 2 ? * MON *)','durationInMinutes':1430}]}}"),
  BAD("window_duration_1431",
      "{'schedulingConfig':{'maintenanceWindows':[{'startTime':"
      "'cron(0 2 ? * MON *)','durationInMinutes':1431}]}}",
      RNG, P ".schedulingConfig.maintenanceWindows[0].durationInMinutes",
      "expected an integer from 1 to 1430"),
  BAD("window_duration_missing",
      "{'schedulingConfig':{'maintenanceWindows':[{'startTime':"
      "'cron(0 2 ? * MON *)'}]}}",
      SCH, P ".schedulingConfig.maintenanceWindows[0]",
      "missing required field 'durationInMinutes'"),
  OKB("windows_16_ok", b_windows_16),
  BADB("windows_17", b_windows_17, RNG, P ".schedulingConfig.maintenanceWindows",
       "expected at most 16 maintenance windows, got 17"),
};

/* Number of rows in k_jobcfg_cases. */
#define JOBCFG_N_CASES (sizeof k_jobcfg_cases / sizeof k_jobcfg_cases[0])

#undef OK
#undef OKB
#undef BAD
#undef BADB
#undef SCH
#undef RNG
#undef P

#endif
