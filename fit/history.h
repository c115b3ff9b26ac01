/*
 * history.h — a past job as `jobsim fit` reads it: the describe-job
 * document, every execution record it was given, the things and the groups
 * they belong to. Sources, any mix of them:
 *   --job         `aws iot describe-job` output ({"job": {...}}), or a
 *                 jobsim report's run.sqlite (the job as describe-job shows
 *                 it at the end of the run);
 *   --executions  `aws iot list-job-executions-for-job` output, the whole
 *                 joined listing or one page per file ({"executionSummaries":
 *                 [...], "nextToken"/"NextToken": ...}), or a run.sqlite
 *                 (every record of the run, retried attempts included);
 *   --group       `aws iot list-things-in-thing-group` output ({"things":
 *                 [...]}), as NAME=FILE; one group may come in several files.
 * Timestamps are epoch numbers (CLI v1) or ISO 8601 strings (CLI v2) and are
 * kept as milliseconds after the job's createdAt.
 *
 * Every refusal names the file, the JSON path (or the SQLite table) and the
 * rule, with SIM_ERR_SCHEMA/RANGE/PARSE (exit 3) or SIM_ERR_IO/DB (exit 4).
 *
 * Ownership: a fit_history owns everything it holds; free it with
 * fit_history_free(). Paths passed in are copied.
 */
#ifndef JOBSIM_FIT_HISTORY_H
#define JOBSIM_FIT_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "engine.h"
#include "index.h"
#include "sim.h"

/* One execution record (an attempt of one thing). */
typedef struct fit_record {
  sim_time_ms queued;        /* queuedAt, ms after createdAt */
  sim_time_ms started;       /* startedAt, ms after createdAt; -1 when absent */
  sim_time_ms updated;       /* lastUpdatedAt, ms after createdAt */
  int32_t thing;             /* index into the history's things */
  uint32_t index;            /* its place in its input (for messages) */
  int32_t exec_no;           /* executionNumber */
  uint16_t retry;            /* retryAttempt */
  uint8_t status;            /* model_exec_status */
  uint8_t source;            /* index of the --executions input it came from */
} fit_record;

/* A fleet group of the fitted scenario. */
typedef struct fit_group {
  char name[129];            /* thing-group name */
  int64_t things;            /* members (things with records and listed ones) */
  int64_t unnamed;           /* members known only by count (run.sqlite) */
  bool from_file;            /* given by --group */
  bool named;                /* write the members' names (a thing target) */
  size_t n_files;            /* --group files of this group */
} fit_group;

/* One input file, for the provenance. */
typedef struct fit_input {
  char *path;                /* as given */
  char kind[32];             /* "describe-job", "list-job-executions", "store",
                                "list-things" */
  char group[129];           /* --group name */
  int64_t items;             /* records or things read from it */
} fit_input;

typedef struct fit_history {
  /* the job */
  cJSON *describe;           /* the describe-job document */
  const cJSON *job;          /* its "job" member (borrowed from describe) */
  char job_id[65];
  char region[32];           /* from the job ARN */
  char account[16];
  char partition[16];
  int64_t created_epoch_ms;  /* createdAt */
  sim_time_ms last_updated;  /* lastUpdatedAt, ms after createdAt */
  sim_time_ms completed;     /* completedAt, -1 when absent */
  model_job_status status;
  bool force_canceled;
  bool has_timeout;
  int64_t timeout_min;       /* inProgressTimeoutInMinutes */
  int retry_failed, retry_timed_out, retry_all;   /* budgets, -1 none */
  bool has_abort;            /* abortConfig present */

  /* things: names in an arena, indexed by hash */
  char *names;               /* NUL-terminated names, back to back */
  size_t names_len, names_cap;
  size_t *name_off;          /* offset of each thing's name */
  int32_t *group_of;         /* group of each thing, -1 none yet */
  bool *targeted;            /* targeted by a thing ARN of the job */
  int64_t n_things, cap_things;
  sim_index by_name;

  fit_record *rec;           /* every record, in input order */
  size_t n_rec, cap_rec;

  fit_group *groups;
  size_t n_groups;

  /* what bounds the observation */
  sim_time_ms observed_at;   /* the listing's instant: the run's end for a
                                store, else the latest timestamp seen (or
                                --observed-at), ms after createdAt */
  bool observed_given;       /* from --observed-at */
  int64_t observed_epoch_ms; /* ... as given, epoch ms */
  sim_time_ms cancel_at;     /* when the job was canceled, -1 if it was not */
  int64_t store_targeted;    /* things the run targeted (store), -1 unknown */

  fit_input *inputs;
  size_t n_inputs;
  char **notes;              /* what the reader decided, for the provenance */
  size_t n_notes;
} fit_history;

int fit_history_new(fit_history **out);
void fit_history_free(fit_history *h);

/* The instant the listing was taken (--observed-at), epoch ms: unfinished
 * records are censored there. Call before the reads. */
void fit_history_set_observed(fit_history *h, int64_t epoch_ms);
/* Read the describe-job document (JSON or run.sqlite). Must come first. */
int fit_history_read_job(fit_history *h, const char *path, sim_diag *d);
/* Read one --executions file (JSON page/listing or run.sqlite). */
int fit_history_read_executions(fit_history *h, const char *path, sim_diag *d);
/* Read one --group NAME=FILE. */
int fit_history_read_group(fit_history *h, const char *name, const char *path,
                           sim_diag *d);
/* After all reads: check record order and duplicates, assign every thing
 * to a group (docs/fit.md: the groups the job's targets imply), and settle
 * the observation and cancel instants. */
int fit_history_finish(fit_history *h, sim_diag *d);

/* Thing index of a name, -1 if unknown. */
int64_t fit_history_find(const fit_history *h, const char *name);
/* Name of thing t. */
const char *fit_history_thing(const fit_history *h, int64_t t);
/* Add a note for the provenance (printf-style). */
int fit_history_note(fit_history *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
