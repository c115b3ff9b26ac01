/*
 * scenario.h — a jobsim scenario file: the CreateJob request (inline or a
 * path to a --cli-input-json file), the fleet, and simulation settings. Loads,
 * validates everything (including what needs both the job and the fleet:
 * target ARNs against the fleet, region and account), and resolves targets.
 *
 * Ownership: a model_scenario owns everything it points to; free with
 * model_scenario_free().
 */
#ifndef JOBSIM_MODEL_SCENARIO_H
#define JOBSIM_MODEL_SCENARIO_H

#include <stdbool.h>
#include "sim.h"
#include "jobcfg.h"
#include "fleet.h"
#include "cron.h"
#include "worlds.h"

typedef enum model_abort_gate {
  MODEL_GATE_EXECUTED,     /* guide: completed executions (default, O11) */
  MODEL_GATE_NOTIFIED      /* API text: executions created */
} model_abort_gate;

struct model_scenario;

typedef struct model_target {
  bool is_group;           /* thinggroup/<name> or thing/<name> */
  long group;              /* fleet group (of the thing, for a thing target) */
  int64_t first;           /* first thing index covered */
  int64_t count;           /* things covered (1 for a thing) */
} model_target;

/* A job as the engine creates it: the CreateJob request, its targets
 * resolved, its schedulingConfig relative to the simulation start. */
typedef struct model_job_spec {
  model_jobcfg job;            /* the CreateJob request */
  model_target *targets;       /* resolved job targets, same order */
  int64_t n_targeted;          /* distinct things covered by the targets */
  bool has_start;              /* schedulingConfig.startTime */
  sim_time_ms start_at;        /* ... as ms after the simulation start */
  bool has_end;                /* schedulingConfig.endTime */
  sim_time_ms end_at;          /* ... ms after start */
  model_cron *windows;         /* parsed maintenanceWindows[].startTime */
  size_t n_windows;
} model_job_spec;

void model_job_spec_release(model_job_spec *j);   /* safe on zeroed */

/* Target ARN resolution for model_job_spec_finish: the fleet's (the
 * scenario loader's) or the registry of a running engine. */
typedef int (*model_resolve_fn)(void *ud, const char *arn, model_target *out,
                                sim_diag *d, const char *path);

/* Check j->job's schedulingConfig against the creation instant `created`
 * (ms after the simulation start) and resolve its targets with `resolve`;
 * `jp` is the JSON path of the request ("$" or "$.job"). */
int model_job_spec_finish(model_job_spec *j, const struct model_scenario *sc,
                          sim_time_ms created, model_resolve_fn resolve, void *ud,
                          sim_diag *d, const char *jp);

/* Resolve a target ARN against the scenario's fleet. */
int model_scenario_resolve_arn(const struct model_scenario *sc, const char *arn,
                               model_target *out, sim_diag *d, const char *path);

/* Operations on the timeline ($.operations), each at an instant. */
typedef enum model_op_kind {
  MODEL_OP_CANCEL_JOB,
  MODEL_OP_UPDATE_JOB,
  MODEL_OP_DELETE_JOB,
  MODEL_OP_ASSOCIATE_TARGETS,
  MODEL_OP_CANCEL_EXECUTION,
  MODEL_OP_DELETE_EXECUTION,
  MODEL_OP_ADD_THINGS,
  MODEL_OP_REMOVE_THINGS,
  MODEL_OP_DELETE_THINGS,
  MODEL_OP_CREATE_JOB,
  MODEL_OP_COUNT
} model_op_kind;

typedef struct model_op {
  model_op_kind kind;
  sim_time_ms at;              /* ms after start */
  size_t index;                /* position in $.operations */
  bool force;                  /* cancel/delete: force */
  char *reason_code;           /* cancel-job, or NULL */
  char *comment;               /* cancel-job / associate, or NULL */
  model_jobcfg update;         /* update-job: the fields given (has_* flags) */
  bool upd_description, upd_presigned, upd_rollout, upd_abort, upd_timeout,
      upd_retry;               /* update-job: which members were given */
  char **targets;              /* associate-targets-with-job: ARNs */
  model_target *resolved;      /* ... resolved against the fleet */
  size_t n_targets;
  char *thing_name;            /* job-execution ops */
  int64_t execution_number;    /* delete-job-execution (cancel: 0 = latest) */
  int64_t expected_version;    /* cancel-job-execution: expectedVersion, 0 none */
  long group;                  /* add/remove/delete-things: group, -1 none */
  int64_t count;               /* ... a number of things */
  char **names;                /* ... or named things */
  size_t n_names;
  char *job_id;                /* job operations: the job ("jobId"), NULL: the
                                  scenario's first */
  model_job_spec *create;      /* create-job: the job, created at `at` */
} model_op;

/* Job operations name a job; add-/remove-/delete-things do not. */
static inline bool model_op_is_job_op(model_op_kind k) {
  return k <= MODEL_OP_DELETE_EXECUTION;
}

/* Parse one operation object as $.operations holds it (`path` names it in
 * messages), against the scenario's fleet and jobs. Flags: without
 * MODEL_OP_PARSE_RESOLVE, associate-targets-with-job leaves its targets
 * unresolved (a running engine resolves them when it applies the
 * operation); MODEL_OP_PARSE_NO_AT takes no "at" (an operation applied
 * now). Release with model_op_release. */
enum { MODEL_OP_PARSE_RESOLVE = 1, MODEL_OP_PARSE_NO_AT = 2 };
int model_op_parse(const struct model_scenario *sc, model_op *o, const cJSON *obj,
                   unsigned flags, sim_diag *d, const char *path);
void model_op_release(model_op *o);

const char *model_op_name(model_op_kind k);

typedef struct model_sim_settings {
  uint64_t seed;               /* master seed (default 1) */
  int64_t start_epoch_ms;      /* job creation instant, ms since 1970 UTC */
  sim_time_ms until;           /* horizon, ms after start (default 30d) */
  sim_time_ms snapshot_every;  /* describe-job snapshot period, ms (5m) */
  char region[32];             /* us-west-2 */
  char account_id[16];         /* 123456789012 */
  int64_t rollout_quota;       /* per-job rollout ceiling /min (1000) */
  int64_t cancel_rate;         /* cancellation propagation /min (1000, O28) */
  model_abort_gate abort_gate; /* O11 switch */
  char abort_reason_code[129]; /* O14, "ABORT_CRITERIA_MET" */
  sim_time_ms timeout_lag_max; /* O17: uniform lag 0..this after a deadline (0) */
  int64_t concurrent_jobs;     /* O42: jobs rolling out or canceling at once (500) */
} model_sim_settings;

typedef struct model_scenario {
  char *file;                  /* path it was loaded from ("-" for stdin) */
  bool has_job;                /* a job at instant 0 ($.job or $.jobs[0]); only
                                  a served scenario may have none */
  char *name;                  /* [A-Za-z0-9._-]{1,64}; default file stem */
  char *description;           /* or NULL */
  model_jobcfg job;            /* the CreateJob request */
  model_fleet fleet;
  model_sim_settings sim;
  model_target *targets;       /* resolved job targets, same order */
  int64_t n_targeted;          /* distinct things covered by the targets */
  model_op *ops;               /* $.operations in file order */
  size_t n_ops;
  bool has_start;              /* schedulingConfig.startTime */
  sim_time_ms start_at;        /* ... as ms after the simulation start */
  bool has_end;                /* schedulingConfig.endTime */
  sim_time_ms end_at;          /* ... ms after start */
  model_cron *windows;         /* parsed maintenanceWindows[].startTime */
  size_t n_windows;
  /* Jobs after the first created at instant 0: $.jobs[1..] (the fields
   * above are $.jobs[0] then, or $.job). */
  model_job_spec *more_jobs;
  size_t n_more_jobs;
  char *json_text;             /* the scenario file's bytes, for the record */
  model_world *worlds;         /* $.worlds in file order (worlds.h); none: the
                                  implicit world "default" */
  size_t n_worlds;
} model_scenario;

/* Load and validate `file`. On failure returns an error code, *out is NULL
 * and d says file, JSON path and rule. */
int model_scenario_load(model_scenario **out, const char *file, sim_diag *d);
/* Same from text already in memory (`file` names it in messages). */
int model_scenario_load_text(model_scenario **out, const char *file,
                             const char *text, size_t len, sim_diag *d);
/* Same, with MODEL_SCENARIO_FLEET_ONLY: a scenario without a job is
 * accepted (jobsim serve: clients create the jobs). */
enum { MODEL_SCENARIO_FLEET_ONLY = 1 };
int model_scenario_load_flags(model_scenario **out, const char *file, unsigned flags,
                              sim_diag *d);

/* Load `file` as model_scenario_load does; when it is invalid, report as
 * many of its problems as one pass can find (jobsim validate): found[0] is
 * what model_scenario_load says, found[1..*n) the problems the loader meets
 * when run again with each faulty member set aside (removed, or emptied for
 * an object; a repeat dropped). It stops at a JSON syntax error, a missing
 * member, a problem at an array element or in a job file, and at `max`
 * problems (*more then says that there are others). Returns found[0]'s
 * code (SIM_OK, *n 0 and *out set when the scenario is valid). */
int model_scenario_load_all(model_scenario **out, const char *file, unsigned flags,
                            sim_diag *found, size_t max, size_t *n, bool *more);

/* The earliest instant the first job's rollout can create its last
 * execution (a lower bound from the rate cap, exponential increases as early
 * as they can come, startTime and the maintenance windows); *cap gets the
 * rate cap used. -1 without a job or targets, INT64_MAX when no window opens
 * any more. (jobsim validate warns when it is not before the horizon.) */
sim_time_ms model_scenario_rollout_lower_bound(const model_scenario *s, int64_t *cap);

/* Jobs created at instant 0 (0 only for a fleet-only scenario), and job k
 * of them as a spec (a shallow view: the scenario owns it). */
size_t model_scenario_n_jobs(const model_scenario *s);
/* Is `id` the jobId of a job of the scenario ($.job, $.jobs, create-job)? */
bool model_scenario_has_job(const model_scenario *s, const char *id);
model_job_spec model_scenario_job(const model_scenario *s, size_t k);
void model_scenario_free(model_scenario *s);     /* NULL is a no-op */

/* Periodic describe-job snapshots until the horizon, at most. */
#define MODEL_MAX_SNAPSHOTS 100000

/* The limits that depend on settings a command line can override (the
 * horizon): checked at load, and again after every override. `until` names
 * the horizon's source in the message ("until", "--until"). */
int model_scenario_check_limits(const model_scenario *s, const char *until, sim_diag *d);

/* Bytes a run of this scenario is expected to need at its peak: the engine's
 * per-thing records (initial things, expected arrivals, things added by
 * operations), the executions (at most the rollout quota per minute; all at
 * once for things added to a CONTINUOUS job), the side table of retried
 * executions (at the failure rates of the behaviours and the retry budget),
 * the report page's copy of events.log and a fixed allowance; per-item
 * costs measured on the engine (scenario.c). An estimate, meant for refusing
 * runs that cannot fit, not an accounting. */
uint64_t model_scenario_memory_estimate(const model_scenario *s);

/* Parse "2026-01-01T00:00:00Z" (fraction and "+00:00" allowed) to epoch ms.
 * Returns false when malformed. */
bool model_parse_iso8601(const char *s, int64_t *epoch_ms);
/* Format epoch ms as "2026-01-01T00:00:00.000Z" (n >= 25). */
void model_format_iso8601(int64_t epoch_ms, char *buf, size_t n);

/* ------------------------------------------------ the scenario's worlds ---
 * (model/scenario_worlds.c, above both scenario.c and worlds.c) */

/* Load scenario `sc` again as world `name` sees it (a new scenario without
 * worlds, same file name, same settings). */
int model_world_load(struct model_scenario **out, const struct model_scenario *sc,
                     const char *name, sim_diag *d);

/* Index of world `name` in sc's worlds, -1 if none. */
long model_world_find(const struct model_scenario *sc, const char *name);
/* Names of the worlds of sc, comma-separated, into buf ("default" when the
 * scenario has none). */
void model_world_list(const struct model_scenario *sc, char *buf, size_t n);

#endif
