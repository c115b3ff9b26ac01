/*
 * store.h — the SQLite record of one run, DIR/run.sqlite (schema and design
 * in docs/store.md, versioned with PRAGMA user_version), and the query that
 * answers `jobsim describe-job --db` from it without re-simulating.
 *
 * One run per file. The writer fills it inside the report's temporary
 * directory in one transaction with prepared statements (journal off: until
 * the directory is renamed into place nobody reads it), so the atomic rename
 * of outdir.h covers the store too and readers never see a half-written one.
 *
 * describe-job at any instant T is rebuilt exactly from two logs:
 *  - job_view: the describe-job text with the eight counters at 0 and no
 *    scheduledJobRollouts, in the four renderings (epoch/ISO timestamps,
 *    indented/compact), stored at every observation instant where it
 *    differs from the previous one. The engine observes at every instant at
 *    which anything describe-job shows changes, except the counters (which
 *    devices move at any instant) and scheduledJobRollouts (a function of
 *    the clock);
 *  - counts: the eight counters after every instant at which they changed
 *    (model_observer.on_event sees every event), in delta-encoded chunks.
 * The answer is the job_view row in force at T with the counters in force at
 * T written in and scheduledJobRollouts computed for T.
 *
 * The inserts of the run (observe, job rows, snapshots, story lines, the
 * counters log) are executed on a thread of the store's own, in the order
 * they were made, from report_store_new() until report_store_executions()
 * or report_store_finish(), which wait for them: the engine's thread only
 * hands their values over. The file is byte for byte what inserting on the
 * caller's thread writes. A failed insert's message is the one it would
 * have had; the next call returns it (a few inserts later than a direct
 * insert would have failed).
 *
 * Ownership: a report_store owns its connection, statements, insert thread
 * and (when opened for reading) the scenario it loaded; everything passed
 * in is borrowed for the call (the inserts copy what they keep).
 */
#ifndef JOBSIM_REPORT_STORE_H
#define JOBSIM_REPORT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include "describe.h"
#include "engine.h"
#include "timeline.h"

#define REPORT_STORE_VERSION 2   /* PRAGMA user_version of the schema written;
                                    readers also read version 1 */

typedef struct report_store report_store;

/* What the run row says about the run. */
typedef struct report_store_info {
  char job_id[65];            /* the scenario's jobId */
  uint64_t seed;              /* master seed of the run */
  sim_time_ms until;          /* horizon the run used, ms after creation */
  sim_time_ms end;            /* simulated end instant, ms after creation */
  bool finished;              /* the job could no longer change at `end` */
  bool executions;            /* the execution table was written */
} report_store_info;

/* ------------------------------------------------------------ writing --- */

/* Create `path` (must not exist) with the schema and the scenario, and open
 * the transaction. `options_json` is a JSON object describing the run's
 * options; `version` names jobsim and its libraries. */
int report_store_new(report_store **out, const char *path, const model_scenario *sc,
                     uint64_t seed, const char *version, const char *options_json,
                     sim_diag *d);
/* After every engine event (model_observer.on_event): logs the counters when
 * they changed. Errors are kept and returned by report_store_finish(). */
void report_store_on_event(report_store *st, const model_engine *e);
/* An observation: its timeline row, and the job_view when it changed. */
int report_store_observe(report_store *st, const model_engine *e,
                         const report_timeline_row *r, sim_diag *d);
/* A describe-job snapshot file's bytes, taken at `at`. */
int report_store_snapshot(report_store *st, sim_time_ms at, const char *text,
                          size_t len, sim_diag *d);
/* A line of the job's story at `at`. */
int report_store_log(report_store *st, sim_time_ms at, const char *line, sim_diag *d);
/* A timeline row of a job after the first (table job_timeline). */
int report_store_job_row(report_store *st, const char *job_id,
                         const report_timeline_row *r, sim_diag *d);
/* Every execution record of the engine (model_engine_foreach_exec order):
 * the first job's in table execution, the others' in job_execution. */
int report_store_executions(report_store *st, const model_engine *e, sim_diag *d);
/* Write the run row from the engine's final state and commit. */
int report_store_finish(report_store *st, const model_engine *e, bool executions,
                        sim_diag *d);

/* ------------------------------------------------------------ reading --- */

/* Open an existing store read-only: checks the schema version, loads the run
 * row and the scenario it records. */
int report_store_open(report_store **out, const char *path, sim_diag *d);
const report_store_info *report_store_info_of(const report_store *st);
/* The recorded scenario (with the run's seed and horizon). */
const model_scenario *report_store_scenario(const report_store *st);
/* The eight counters in force at `at` (ms after creation), indexed by
 * model_exec_status (k has MODEL_EXEC_STATUS_COUNT entries). */
int report_store_counters(const report_store *st, sim_time_ms at, int64_t *k,
                          sim_diag *d);
/* describe-job at `at` (ms after creation): byte for byte what the engine
 * prints at that instant. *deleted is set when the job no longer exists
 * then (text NULL). SIM_ERR_RANGE when the store cannot know: beyond the
 * horizon of a run that had not finished. Text is the caller's (free()). */
int report_store_describe_job(const report_store *st, sim_time_ms at,
                              const report_opts *o, char **text, size_t *len,
                              bool *deleted, sim_diag *d);

/* Close, rolling back an unfinished write. NULL is a no-op. */
void report_store_free(report_store *st);

/* 64-bit FNV-1a: start from REPORT_STORE_FNV_INIT and feed bytes; the store
 * records it as 16 lower-case hex digits. No SHA-256 is available in the
 * libraries jobsim links (libc, GSL, SQLite, cJSON); FNV-1a is stable and
 * enough to tell scenario versions apart (it is not a security measure). */
#define REPORT_STORE_FNV_INIT UINT64_C(0xcbf29ce484222325)
uint64_t report_store_fnv1a(uint64_t h, const void *data, size_t len);

#endif
