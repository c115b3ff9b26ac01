/*
 * jobcfg.h — the CreateJob request (what `aws iot create-job
 * --cli-input-json` takes), parsed and validated with AWS's own constraints
 * (botocore iot 2015-05-28 model plus the Developer Guide ranges; see
 * ../shared/spec/aws-iot-jobs-semantics.md §1, §3, §4, §5, §9, §14).
 * Unknown fields are rejected. Every error names the JSON path and the rule.
 *
 * Left out on purpose: checks that need the fleet or the simulation clock
 * (target resolution, schedulingConfig times relative to "now") live in
 * scenario.c, which knows both.
 *
 * Ownership: a model_jobcfg owns all its strings and arrays (copied out of
 * the cJSON tree); release with model_jobcfg_release().
 */
#ifndef JOBSIM_MODEL_JOBCFG_H
#define JOBSIM_MODEL_JOBCFG_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "sim.h"

#define MODEL_MAX_TARGETS 100
#define MODEL_MAX_ABORT_CRITERIA 16     /* model: list, min 1, no max; sim cap */
#define MODEL_MAX_RETRY_CRITERIA 2
#define MODEL_MAX_WINDOWS 16

typedef enum model_failure_type {
  MODEL_FAILURE_FAILED,
  MODEL_FAILURE_REJECTED,
  MODEL_FAILURE_TIMED_OUT,
  MODEL_FAILURE_ALL
} model_failure_type;

typedef enum model_end_behavior {
  MODEL_END_STOP_ROLLOUT,
  MODEL_END_CANCEL,
  MODEL_END_FORCE_CANCEL
} model_end_behavior;

typedef struct model_abort_criteria {
  model_failure_type failure_type;   /* FAILED | REJECTED | TIMED_OUT | ALL */
  double threshold_percentage;       /* 0..100, <= 2 decimals */
  int64_t min_executed;              /* minNumberOfExecutedThings >= 1 */
} model_abort_criteria;

typedef struct model_retry_criteria {
  model_failure_type failure_type;   /* FAILED | TIMED_OUT | ALL */
  int64_t number_of_retries;         /* 0..10 */
} model_retry_criteria;

typedef struct model_window {
  char *cron;                        /* startTime, "cron(...)" 1..256 chars */
  int64_t duration_min;              /* durationInMinutes 1..1430 */
} model_window;

typedef struct model_jobcfg {
  char *job_id;                      /* 1..64 [a-zA-Z0-9_-]+ */
  char **targets;                    /* ARNs, 1..100, in given order */
  size_t n_targets;
  char *document;                    /* <= 32768 chars, or NULL */
  char *document_source;             /* 1..1350 chars, or NULL */
  char *description;                 /* <= 2028 chars, no control chars, or NULL */
  bool target_selection_given;
  bool continuous;                   /* targetSelection CONTINUOUS (default SNAPSHOT) */

  bool has_presigned;                /* presignedUrlConfig given */
  char *presigned_role_arn;          /* 20..2048 chars, or NULL */
  bool has_expires_in_sec;
  int64_t expires_in_sec;            /* 60..3600 */

  bool has_rollout;                  /* jobExecutionsRolloutConfig given */
  bool has_max_per_minute;
  int64_t max_per_minute;            /* 1..rollout quota (default quota 1000) */
  bool has_exponential;
  int64_t base_rate_per_minute;      /* 1..1000 */
  double increment_factor;           /* 1.1..5, <= 1 decimal */
  bool has_notified_criterion;
  int64_t notified_things;           /* numberOfNotifiedThings >= 1 */
  bool has_succeeded_criterion;
  int64_t succeeded_things;          /* numberOfSucceededThings >= 1 */

  bool has_abort;
  size_t n_abort;
  model_abort_criteria abort[MODEL_MAX_ABORT_CRITERIA];

  bool has_timeout;                  /* timeoutConfig given (maybe {}) */
  bool has_in_progress_timeout;
  int64_t in_progress_timeout_min;   /* 1..10080 minutes */

  bool has_retry;
  size_t n_retry;
  model_retry_criteria retry[MODEL_MAX_RETRY_CRITERIA];

  char *namespace_id;                /* [a-zA-Z0-9_-]+, or NULL */
  char *job_template_arn;            /* 1..1600, ^arn:[!-~]+$, or NULL */
  cJSON *document_parameters;        /* owned copy of the map, or NULL */
  char **destination_package_versions; /* 0..25 ARNs */
  size_t n_destination_package_versions;
  bool has_destination_package_versions;

  bool has_scheduling;               /* schedulingConfig given */
  char *start_time;                  /* "YYYY-MM-DDTHH:MM" as given, or NULL */
  char *end_time;                    /* or NULL */
  bool has_end_behavior;
  model_end_behavior end_behavior;   /* default STOP_ROLLOUT (O32) */
  size_t n_windows;
  model_window windows[MODEL_MAX_WINDOWS];
} model_jobcfg;

typedef struct model_jobcfg_opts {
  int64_t rollout_quota;             /* max maximumPerMinute accepted (1000) */
} model_jobcfg_opts;

/* Parse and validate a CreateJob request object. `path` is the JSON path of
 * `json` in its file ("$" or "$.job"). On failure *cfg is left released and
 * d names path and rule; returns SIM_ERR_SCHEMA/RANGE/PARSE/NOMEM. */
int model_jobcfg_parse(model_jobcfg *cfg, const cJSON *json,
                       const model_jobcfg_opts *opts, sim_diag *d,
                       const char *path);
void model_jobcfg_release(model_jobcfg *cfg);   /* safe on zeroed/half-built */

/* Text of an enum value as AWS spells it ("TIMED_OUT", "STOP_ROLLOUT"). */
const char *model_failure_type_name(model_failure_type t);
const char *model_end_behavior_name(model_end_behavior b);

#endif
