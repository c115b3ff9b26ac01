/*
 * store.c — the SQLite record of a run (see store.h and docs/store.md).
 *
 * Writing is one transaction over prepared statements with the journal off:
 * the file sits in the report's temporary directory, and a failed run
 * removes that directory, so a rollback journal would buy nothing.
 *
 * The counters log holds every instant at which the counters changed: the
 * on_event hook compares the eight counters after each event with the last
 * ones seen (a 72-byte memcmp) and records the pending instant only when the
 * clock has moved on, so an entry holds the counters after every change at
 * its instant. Entries go into chunks of COUNTS_CHUNK instants, one row each:
 * the counters at the chunk's first instant in columns, the later instants
 * delta-encoded in a BLOB (varint time step, a byte with one bit per changed
 * counter, zigzag varint deltas). A million-thing run has about two million
 * such instants; one SQL row per instant cost seconds, a row per chunk costs
 * milliseconds, and an answer decodes at most one chunk.
 */
#define _POSIX_C_SOURCE 200809L
#include "store.h"

#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "cron.h"
#include "duration.h"
#include "jsonw.h"
#include "outdir.h"
#include "worker.h"

/* scheduledJobRollouts lists this many window starts (describe.c). */
#define ROLLOUTS_SHOWN 7

/* Instants per counts row, and the largest encoding of one instant: a
 * 10-byte varint step, the mask byte, eight 10-byte varint deltas. */
#define COUNTS_CHUNK 512
#define COUNTS_ENTRY_MAX (10 + 1 + 8 * 10)

/* Longest thing name the store writes (names are at most 128 + 1 + 20). */
#define EXEC_NAME_MAX 256

enum { S_TIMELINE, S_JOB_VIEW, S_COUNTS, S_SNAPSHOT, S_EVENT, S_THING_RANGE, S_THING,
       S_EXEC_CHUNK, S_JOB, S_JOB_TIMELINE, S_COUNT };

/* The four renderings of describe-job, in job_view column order. */
static const report_opts renderings[4] = {{REPORT_TS_EPOCH, false},
                                          {REPORT_TS_EPOCH, true},
                                          {REPORT_TS_ISO8601, false},
                                          {REPORT_TS_ISO8601, true}};

struct report_store {
  sqlite3 *db;
  sqlite3_stmt *st[S_COUNT];   /* writer statements */
  bool in_tx;                  /* a write transaction is open */
  const model_scenario *sc;    /* writer: borrowed; reader: own_sc */
  model_scenario *own_sc;      /* reader: the scenario loaded from the store */
  int64_t start_epoch_ms;      /* the job's creation instant, epoch ms */
  char path[4096];             /* for messages */
  report_store_info info;      /* the run row (reader); seed (writer) */
  /* writer: job_view changes */
  char *last_view;             /* last stored epoch/indented view text */
  bool last_deleted;
  /* writer: counters log */
  int64_t cur[MODEL_EXEC_STATUS_COUNT];  /* counters after the last event */
  bool pending;                /* cur holds an instant not yet in the chunk */
  sim_time_ms pending_at;      /* that instant, ms */
  int64_t base[8];             /* counters at the chunk's first instant */
  int64_t prev[8];             /* counters at its last instant */
  sim_time_ms chunk_from, chunk_to;   /* its first and last instants, ms */
  size_t chunk_n;              /* instants in the chunk (0: none open) */
  unsigned char *blob;         /* deltas of the later instants */
  size_t blob_len, blob_cap;
  int fd;                      /* reader: the file, held open (-1: none) */
  char meta_hash[17];          /* writer: content hash, for the run row */
  char *meta_version, *meta_options;
  int hook_rc;                 /* first error inside on_event */
  char hook_msg[512];          /* its message, as the diagnostic reads */
  report_worker *ins;          /* writer: the insert thread while the run goes */
};

/* The columns of schema version 1's execution table, from a record of
 * execution_chunk (r: json_each of its rows) and the thing tables. */
#define EXEC_COLUMNS \
    "coalesce((SELECT CASE WHEN json_extract(r.value, '$[0]') <= last THEN\n" \
    "       printf('%s-%0*d', prefix, digits, json_extract(r.value, '$[0]') - first) END\n" \
    "     FROM thing_range WHERE first <= json_extract(r.value, '$[0]')\n" \
    "     ORDER BY first DESC LIMIT 1),\n" \
    "    (SELECT name FROM thing WHERE id = json_extract(r.value, '$[0]'))) AS thing,\n" \
    "    json_extract(r.value, '$[1]') AS execution_number,\n" \
    "    json_extract(r.value, '$[2]') AS retry_attempt,\n" \
    "    CASE json_extract(r.value, '$[3]') WHEN 1 THEN 'QUEUED' WHEN 2 THEN 'IN_PROGRESS'\n" \
    "      WHEN 3 THEN 'SUCCEEDED' WHEN 4 THEN 'FAILED' WHEN 5 THEN 'TIMED_OUT'\n" \
    "      WHEN 6 THEN 'REJECTED' WHEN 7 THEN 'REMOVED' WHEN 8 THEN 'CANCELED' END AS status,\n" \
    "    json_extract(r.value, '$[4]') AS queued_at_ms,\n" \
    "    json_extract(r.value, '$[5]') AS started_at_ms,\n" \
    "    json_extract(r.value, '$[6]') AS last_updated_at_ms,\n" \
    "    json_extract(r.value, '$[7]') AS version_number\n"

static const char schema[] =
    "CREATE TABLE run(\n"
    "  scenario TEXT NOT NULL,            -- scenario name\n"
    "  scenario_file TEXT NOT NULL,       -- path it was loaded from\n"
    "  content_hash TEXT NOT NULL,        -- FNV-1a 64 of scenario (+ job file) bytes\n"
    "  seed INTEGER NOT NULL,             -- master seed of the run\n"
    "  jobsim_version TEXT NOT NULL,      -- jobsim and library versions\n"
    "  options TEXT NOT NULL,             -- JSON object: options of the run\n"
    "  job_id TEXT NOT NULL,\n"
    "  start_time TEXT NOT NULL,          -- job creation, ISO 8601 UTC\n"
    "  start_epoch_ms INTEGER NOT NULL,   -- the same, ms since 1970\n"
    "  until_ms INTEGER NOT NULL,         -- horizon, ms after creation\n"
    "  end_ms INTEGER NOT NULL,           -- simulated end, ms after creation\n"
    "  finished INTEGER NOT NULL,         -- 1: the job could no longer change\n"
    "  final_status TEXT NOT NULL,        -- job status, DELETED when deleted\n"
    "  aborted INTEGER NOT NULL,\n"
    "  things_targeted INTEGER NOT NULL,\n"
    "  things_notified INTEGER NOT NULL,\n"
    "  execution_records INTEGER NOT NULL,\n"
    "  executions_stored INTEGER NOT NULL, -- 0 with --no-executions\n"
    "  events INTEGER NOT NULL            -- simulation events dispatched\n"
    ");\n"
    "CREATE TABLE scenario(\n"
    "  json TEXT NOT NULL,                -- the scenario file's bytes\n"
    "  job_file TEXT,                     -- $.job when it names a file\n"
    "  job_json TEXT                      -- that file's bytes\n"
    ");\n"
    "CREATE TABLE timeline(\n"
    "  time TEXT NOT NULL, offset_s REAL NOT NULL, offset_ms INTEGER NOT NULL,\n"
    "  reason TEXT NOT NULL, status TEXT NOT NULL, rate_per_min INTEGER NOT NULL,\n"
    "  notified INTEGER NOT NULL, queued INTEGER NOT NULL, in_progress INTEGER NOT NULL,\n"
    "  succeeded INTEGER NOT NULL, failed INTEGER NOT NULL, rejected INTEGER NOT NULL,\n"
    "  timed_out INTEGER NOT NULL, canceled INTEGER NOT NULL, removed INTEGER NOT NULL,\n"
    "  records INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE job_view(\n"
    "  at_ms INTEGER PRIMARY KEY,         -- observation instant it holds from\n"
    "  deleted INTEGER NOT NULL,          -- 1: the job no longer exists\n"
    "  epoch TEXT NOT NULL,               -- describe-job, counters 0, no\n"
    "  epoch_compact TEXT NOT NULL,       --   scheduledJobRollouts, in four\n"
    "  iso8601 TEXT NOT NULL,             --   renderings\n"
    "  iso8601_compact TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE counts(                 -- every instant the counters changed\n"
    "  from_ms INTEGER PRIMARY KEY,       -- first instant of this chunk\n"
    "  to_ms INTEGER NOT NULL,            -- last instant of this chunk\n"
    "  instants INTEGER NOT NULL,         -- instants in it, 1..512\n"
    "  queued INTEGER NOT NULL, in_progress INTEGER NOT NULL, -- the counters\n"
    "  succeeded INTEGER NOT NULL, failed INTEGER NOT NULL,   -- after every\n"
    "  rejected INTEGER NOT NULL, timed_out INTEGER NOT NULL, -- change at\n"
    "  canceled INTEGER NOT NULL, removed INTEGER NOT NULL,   -- from_ms\n"
    "  deltas BLOB NOT NULL               -- the later instants (docs/store.md)\n"
    ");\n"
    "CREATE TABLE snapshot(\n"
    "  at_ms INTEGER NOT NULL, time TEXT NOT NULL,\n"
    "  describe_job TEXT NOT NULL         -- the snapshots/ file's bytes\n"
    ");\n"
    "CREATE TABLE event(\n"
    "  at_ms INTEGER NOT NULL, time TEXT NOT NULL, text TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE thing_range(            -- things named <prefix>-<number>\n"
    "  first INTEGER PRIMARY KEY,          -- thing index of number 0\n"
    "  last INTEGER NOT NULL,              -- last thing index of the range\n"
    "  prefix TEXT NOT NULL,               -- the fleet group's name\n"
    "  digits INTEGER NOT NULL             -- zero-padded to at least this many\n"
    ");\n"
    "CREATE TABLE thing(                  -- names of the things in no range\n"
    "  id INTEGER PRIMARY KEY,             -- thing index\n"
    "  name TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE execution_chunk(        -- execution records, in order\n"
    "  job INTEGER NOT NULL,               -- job.position (0: table execution)\n"
    "  rows TEXT NOT NULL                  -- JSON array of up to 1024 [thing,\n"
    "                                      --   execution_number, retry_attempt,\n"
    "                                      --   status code, queued_at_ms,\n"
    "                                      --   started_at_ms or null,\n"
    "                                      --   last_updated_at_ms, version_number]\n"
    ");\n"
    "CREATE TABLE job(                     -- every job of the run, creation order\n"
    "  position INTEGER PRIMARY KEY,       -- 0: run.job_id, the job of the tables above\n"
    "  job_id TEXT NOT NULL,\n"
    "  dir TEXT NOT NULL,                  -- its files in the report directory\n"
    "  created_ms INTEGER NOT NULL,        -- ms after the simulation start\n"
    "  final_status TEXT NOT NULL,         -- job status, DELETED when deleted\n"
    "  aborted INTEGER NOT NULL,\n"
    "  things_targeted INTEGER NOT NULL,\n"
    "  things_notified INTEGER NOT NULL,\n"
    "  execution_records INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE job_timeline(            -- timeline rows of the jobs after the first\n"
    "  job_id TEXT NOT NULL,\n"
    "  time TEXT NOT NULL, offset_s REAL NOT NULL, offset_ms INTEGER NOT NULL,\n"
    "  reason TEXT NOT NULL, status TEXT NOT NULL, rate_per_min INTEGER NOT NULL,\n"
    "  notified INTEGER NOT NULL, queued INTEGER NOT NULL, in_progress INTEGER NOT NULL,\n"
    "  succeeded INTEGER NOT NULL, failed INTEGER NOT NULL, rejected INTEGER NOT NULL,\n"
    "  timed_out INTEGER NOT NULL, canceled INTEGER NOT NULL, removed INTEGER NOT NULL,\n"
    "  records INTEGER NOT NULL\n"
    ");\n"
    "CREATE VIEW execution AS             -- version 1's table, as a view\n"
    "  SELECT " EXEC_COLUMNS
    "  FROM execution_chunk AS c, json_each(c.rows) AS r WHERE c.job = 0;\n"
    "CREATE VIEW job_execution AS         -- the records of the jobs after the first\n"
    "  SELECT (SELECT job_id FROM job WHERE position = c.job) AS job_id, " EXEC_COLUMNS
    "  FROM execution_chunk AS c, json_each(c.rows) AS r WHERE c.job > 0;\n";

static const char *const insert_sql[S_COUNT] = {
    "INSERT INTO timeline VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "INSERT OR REPLACE INTO job_view VALUES(?,?,?,?,?,?)",
    "INSERT INTO counts VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
    "INSERT INTO snapshot VALUES(?,?,?)",
    "INSERT INTO event VALUES(?,?,?)",
    "INSERT INTO thing_range VALUES(?,?,?,?)",
    "INSERT INTO thing VALUES(?,?)",
    "INSERT INTO execution_chunk VALUES(?,?)",
    "INSERT INTO job VALUES(?,?,?,?,?,?,?,?,?)",
    "INSERT INTO job_timeline VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"};

/* Counter columns of timeline and counts, in order. */
static const model_exec_status counter_cols[8] = {
    MODEL_EXEC_QUEUED, MODEL_EXEC_IN_PROGRESS, MODEL_EXEC_SUCCEEDED,
    MODEL_EXEC_FAILED, MODEL_EXEC_REJECTED,    MODEL_EXEC_TIMED_OUT,
    MODEL_EXEC_CANCELED, MODEL_EXEC_REMOVED};

/* The jobProcessDetails keys of describe-job and their counters. */
static const struct { const char *key; model_exec_status s; } counter_keys[8] = {
    {"\"numberOfCanceledThings\":", MODEL_EXEC_CANCELED},
    {"\"numberOfSucceededThings\":", MODEL_EXEC_SUCCEEDED},
    {"\"numberOfFailedThings\":", MODEL_EXEC_FAILED},
    {"\"numberOfRejectedThings\":", MODEL_EXEC_REJECTED},
    {"\"numberOfQueuedThings\":", MODEL_EXEC_QUEUED},
    {"\"numberOfInProgressThings\":", MODEL_EXEC_IN_PROGRESS},
    {"\"numberOfRemovedThings\":", MODEL_EXEC_REMOVED},
    {"\"numberOfTimedOutThings\":", MODEL_EXEC_TIMED_OUT}};

uint64_t report_store_fnv1a(uint64_t h, const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= UINT64_C(0x100000001b3);
  }
  return h;
}

/* SQLite's error as ours: out of memory is SIM_ERR_NOMEM (exit 4 as every
 * out-of-memory, with the words users look for). */
static int db_error_errno(const report_store *st, sim_diag *d, const char *what, int sys) {
  int code = st->db ? sqlite3_errcode(st->db) & 0xff : SQLITE_NOMEM;
  if (code == SQLITE_NOMEM)
    return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "%s: %s: out of memory (SQLite)", st->path,
                        what);
  /* a failed write: say why (EFBIG past ulimit -f, ENOSPC, EDQUOT); SQLite's
   * own sqlite3_system_errno() is not always set on that path */
  if (!sys) sys = sqlite3_system_errno(st->db);
  if ((code == SQLITE_IOERR || code == SQLITE_FULL) &&
      (sys == EFBIG || sys == ENOSPC || sys == EDQUOT || sys == EIO))
    return sim_diag_set(d, SIM_ERR_IO, NULL, "%s: %s: %s", st->path, what, strerror(sys));
  return sim_diag_set(d, SIM_ERR_DB, NULL, "%s: %s: %s", st->path, what,
                      sqlite3_errmsg(st->db));
}

/* SQLite's error as ours: out of memory is SIM_ERR_NOMEM (exit 4 as every
 * out-of-memory, with the words users look for). */
static int db_error(const report_store *st, sim_diag *d, const char *what) {
  return db_error_errno(st, d, what, 0);
}

/* Run every statement of `sql`. Statement by statement rather than
 * sqlite3_exec: the system error of a failed write (EFBIG past ulimit -f,
 * ENOSPC) is only known right after the failing step. */
static int exec_sql(report_store *st, const char *sql, const char *what, sim_diag *d) {
  for (const char *tail = sql; tail && *tail;) {
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, tail, -1, &s, &tail) != SQLITE_OK)
      return db_error(st, d, what);
    if (!s) break;   /* only white space and comments left */
    int r;
    errno = 0;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {}
    int e = errno;
    int rc = r == SQLITE_DONE ? SIM_OK : db_error_errno(st, d, what, e);
    sqlite3_finalize(s);
    if (rc) return rc;
  }
  return SIM_OK;
}

/* Run an insert whose parameters are bound, then reset it for the next.
 * The bindings are not cleared (sqlite3_clear_bindings on each of a
 * million rows cost measurably): every caller binds every parameter before each step,
 * NULLs included, and a SQLITE_STATIC text left bound is never read. */
static int step_reset(report_store *st, sqlite3_stmt *s, sim_diag *d) {
  errno = 0;
  int r = sqlite3_step(s);
  int e = errno;
  sqlite3_reset(s);
  return r == SQLITE_DONE ? SIM_OK : db_error_errno(st, d, "insert", e);
}

static void iso_of(const report_store *st, sim_time_ms t, char *buf, size_t n) {
  model_format_iso8601(st->start_epoch_ms + t, buf, n);
}

/* ------------------------------------------------- the insert thread --- */

/*
 * While the engine runs, the store's inserts (timeline rows, job views,
 * counts chunks, snapshots, story lines) are executed by a thread of their
 * own (a worker, worker.h), so that SQLite's B-tree and page writes take the
 * second core and not the engine's. An insert is an op: the statement and
 * the values to bind, texts and blobs copied into the op's own bytes; the
 * caller builds it from the very values it bound before, and the thread
 * binds them and steps, one op at a time in the order they were handed
 * over. Same statements, same values, same order on the same connection:
 * the file is byte for byte what synchronous inserts write (checked on
 * every bundled scenario).
 *
 * The connection is only ever used by one thread at a time: by the insert
 * thread from report_store_new() until ins_stop(), which waits until every
 * op is done and ends the thread, and by the caller's thread before and
 * after (the execution table, the run row, the commit). The first failure
 * is kept with its message (made on the insert thread right after the
 * failing step, so errno and SQLite's error are its own), later ops are
 * dropped, and the next call of the caller returns it: the run stops a few
 * inserts later than it would have, with the same message. The thread
 * blocks every signal. Memory: at most INS_QUEUE ops wait (a put blocks
 * when the queue is full).
 */
#define OP_VALUES 18   /* the most parameters of an insert (S_JOB_TIMELINE: 17) */
#define INS_QUEUE 256  /* ops waiting at most */
#define INS_BATCH 64   /* ops handed over before the thread is woken */

enum { V_INT, V_DOUBLE, V_TEXT, V_BLOB };

typedef struct op_val {
  unsigned char type;
  size_t len;          /* V_TEXT, V_BLOB: bytes at bytes + off */
  union { int64_t i; double f; size_t off; } u;
} op_val;

typedef struct op {
  int stmt;            /* S_* */
  int n;               /* values, bound to parameters 1..n */
  op_val v[OP_VALUES];
  char *bytes;         /* the texts and blobs (malloc'd, the op's own) */
  size_t len, cap;
  bool nomem;          /* a copy failed: the op is not handed over */
} op;

static void op_begin(op *o, int stmt) {
  o->stmt = stmt;
  o->n = 0;
  o->bytes = NULL;
  o->len = o->cap = 0;
  o->nomem = false;
}

static op_val *op_next(op *o, unsigned char type) {
  op_val *v = &o->v[o->n++];   /* n < OP_VALUES: checked by report_store_new */
  v->type = type;
  v->len = 0;
  return v;
}

static void op_int(op *o, int64_t i) { op_next(o, V_INT)->u.i = i; }
static void op_double(op *o, double f) { op_next(o, V_DOUBLE)->u.f = f; }

static void op_bytes(op *o, unsigned char type, const void *p, size_t len) {
  op_val *v = op_next(o, type);
  if (o->len + len > o->cap) {
    size_t nc = o->cap ? o->cap : 256;
    while (nc < o->len + len) nc *= 2;
    char *nb = realloc(o->bytes, nc);
    if (!nb) {
      o->nomem = true;
      return;
    }
    o->bytes = nb;
    o->cap = nc;
  }
  if (len) memcpy(o->bytes + o->len, p, len);
  v->u.off = o->len;
  v->len = len;
  o->len += len;
}

static void op_text(op *o, const char *t) { op_bytes(o, V_TEXT, t, strlen(t)); }

/* Bind o's values to its statement and step it. */
static int op_run(report_store *st, const op *o, sim_diag *d) {
  sqlite3_stmt *s = st->st[o->stmt];
  for (int i = 0; i < o->n; i++) {
    const op_val *v = &o->v[i];
    /* never a NULL pointer: that would bind NULL, not an empty value */
    const char *p = v->type >= V_TEXT && o->bytes ? o->bytes + v->u.off : "";
    switch (v->type) {
    case V_INT: sqlite3_bind_int64(s, i + 1, v->u.i); break;
    case V_DOUBLE: sqlite3_bind_double(s, i + 1, v->u.f); break;
    case V_TEXT: sqlite3_bind_text(s, i + 1, p, (int)v->len, SQLITE_STATIC); break;
    default: sqlite3_bind_blob(s, i + 1, p, (int)v->len, SQLITE_STATIC); break;
    }
  }
  return step_reset(st, s, d);
}

/* The insert thread's job: run op `job` (worker.h). */
static int op_job(void *ctx, void *job, sim_diag *d) { return op_run(ctx, job, d); }
static void op_drop(const void *job) { free(((const op *)job)->bytes); }

/* Start the insert thread (the store is already written to: its schema). */
static int ins_start(report_store *st, sim_diag *d) {
  return report_worker_new(&st->ins, sizeof(op), INS_QUEUE, INS_BATCH, op_job, op_drop, st,
                           "the store's insert thread", d);
}

/* Wait until every op is done (or, with `drop`, until the one under way
 * is) and end the thread; the first failure. From here on the caller's
 * thread is the connection's. No thread: SIM_OK. */
static int ins_stop(report_store *st, bool drop, sim_diag *d) {
  int rc = report_worker_free(st->ins, !drop, d);
  st->ins = NULL;
  return rc;
}

/* Hand o over to the insert thread, or run it here when there is none.
 * Takes o's bytes in every case. Returns an earlier failure, if any. */
static int op_put(report_store *st, op *o, sim_diag *d) {
  if (o->nomem) {
    free(o->bytes);
    return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "%s: insert: out of memory", st->path);
  }
  if (st->ins) return report_worker_put(st->ins, o, d);
  int rc = op_run(st, o, d);
  free(o->bytes);
  return rc;
}

/* An earlier failure of the insert thread, without waiting for it. */
static int ins_check(report_store *st, sim_diag *d) {
  return st->ins ? report_worker_failed(st->ins, d) : SIM_OK;
}


/* $.job naming a file: its path (relative to the scenario, as scenario.c
 * resolves it) and its bytes, so that the store is self-contained. */
static int job_file_of(const model_scenario *sc, char *path, size_t pn, char **text,
                       size_t *len, sim_diag *d) {
  path[0] = 0;
  *text = NULL;
  *len = 0;
  cJSON *root = cJSON_Parse(sc->json_text);
  const cJSON *job = root ? cJSON_GetObjectItemCaseSensitive(root, "job") : NULL;
  int rc = SIM_OK;
  if (cJSON_IsString(job)) {
    const char *slash = strrchr(sc->file, '/');
    if (job->valuestring[0] == '/' || !slash)
      snprintf(path, pn, "%s", job->valuestring);
    else
      snprintf(path, pn, "%.*s/%s", (int)(slash - sc->file), sc->file, job->valuestring);
    sim_diag rd;
    sim_diag_init(&rd, path);
    if (sim_json_read_file(path, text, len, &rd))
      rc = sim_diag_set(d, SIM_ERR_IO, NULL, "cannot read job file: %s", rd.msg);
  }
  cJSON_Delete(root);
  return rc;
}

/* ------------------------------------------------------------ writing --- */

int report_store_new(report_store **out, const char *path, const model_scenario *sc,
                     uint64_t seed, const char *version, const char *options_json,
                     sim_diag *d) {
  *out = NULL;
  report_store *st = calloc(1, sizeof *st);
  if (!st) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  st->fd = -1;
  report_brief_path(path, st->path, 160);   /* for messages only */
  st->sc = sc;
  st->start_epoch_ms = sc->sim.start_epoch_ms;
  st->info.seed = seed;
  int rc;
  char *job_text = NULL;
  size_t job_len = 0;
  char job_path[4096];
  sqlite3_stmt *s = NULL;
  /* NOMUTEX: a store is written by one thread; SQLite's own mutexes around
   * every bind and step were a tenth of a million-row run. */
  if (sqlite3_open_v2(path, &st->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      NULL) != SQLITE_OK) {
    rc = db_error(st, d, "cannot create");
    goto fail;
  }
  char pragmas[200];
  snprintf(pragmas, sizeof pragmas,
           "PRAGMA page_size=16384; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
           " PRAGMA cache_size=-8192;"
           " PRAGMA user_version=%d;", REPORT_STORE_VERSION);
  if ((rc = exec_sql(st, pragmas, "settings", d)) || (rc = exec_sql(st, "BEGIN", "begin", d)))
    goto fail;
  st->in_tx = true;
  if ((rc = exec_sql(st, schema, "create the tables", d))) goto fail;
  for (int i = 0; i < S_COUNT; i++) {
    if (sqlite3_prepare_v3(st->db, insert_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                           &st->st[i], NULL) != SQLITE_OK) {
      rc = db_error(st, d, "prepare");
      goto fail;
    }
    /* an op binds every parameter of its statement, into OP_VALUES slots */
    if (sqlite3_bind_parameter_count(st->st[i]) > OP_VALUES) {
      rc = sim_diag_set(d, SIM_ERR_LIMIT, NULL, "%s: insert %d has more than %d parameters",
                        st->path, i, OP_VALUES);
      goto fail;
    }
  }
  if ((rc = job_file_of(sc, job_path, sizeof job_path, &job_text, &job_len, d)))
    goto fail;
  if (sqlite3_prepare_v2(st->db, "INSERT INTO scenario VALUES(?,?,?)", -1, &s, NULL) !=
      SQLITE_OK) {
    rc = db_error(st, d, "prepare");
    goto fail;
  }
  sqlite3_bind_text(s, 1, sc->json_text, -1, SQLITE_STATIC);
  if (job_text) {
    sqlite3_bind_text(s, 2, job_path, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, job_text, (int)job_len, SQLITE_STATIC);
  }
  if ((rc = step_reset(st, s, d))) goto fail;
  sqlite3_finalize(s);
  s = NULL;
  /* What the run row needs besides the final figures, kept until
   * report_store_finish() (in memory: a temporary table needed a temporary
   * file, and one more thing to fail). */
  uint64_t h = report_store_fnv1a(REPORT_STORE_FNV_INIT, sc->json_text,
                                  strlen(sc->json_text));
  if (job_text) h = report_store_fnv1a(h, job_text, job_len);
  free(job_text);
  job_text = NULL;
  snprintf(st->meta_hash, sizeof st->meta_hash, "%016" PRIx64, h);
  if (!(st->meta_version = strdup(version ? version : "")) ||
      !(st->meta_options = strdup(options_json ? options_json : "{}"))) {
    rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    goto fail;
  }
  if ((rc = ins_start(st, d))) goto fail;   /* the inserts of the run, from here on */
  *out = st;
  return SIM_OK;
fail:
  sqlite3_finalize(s);
  free(job_text);
  report_store_free(st);
  return rc;
}

static size_t put_varint(unsigned char *p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  p[n++] = (unsigned char)v;
  return n;
}

static void hook_fail(report_store *st, int rc, const char *msg) {
  if (st->hook_rc) return;
  st->hook_rc = rc;
  snprintf(st->hook_msg, sizeof st->hook_msg, "%s", msg);
}

/* The first failure inside on_event, reported by the next call: after it
 * SQLite may have rolled the transaction back, and any later statement
 * fails for that reason ("no such table"), not the real one. */
static int hook_error(const report_store *st, sim_diag *d) {
  return sim_diag_set(d, st->hook_rc, NULL, "%s", st->hook_msg);
}

/* The first failure so far: of on_event's inserts, or of the insert
 * thread's. */
static int failed(report_store *st, sim_diag *d) {
  return st->hook_rc ? hook_error(st, d) : ins_check(st, d);
}

/* Write the open chunk as one counts row. */
static void flush_chunk(report_store *st) {
  if (st->chunk_n == 0) return;
  op o;
  op_begin(&o, S_COUNTS);
  op_int(&o, st->chunk_from);
  op_int(&o, st->chunk_to);
  op_int(&o, (int64_t)st->chunk_n);
  for (int i = 0; i < 8; i++) op_int(&o, st->base[i]);
  op_bytes(&o, V_BLOB, st->blob, st->blob_len);
  sim_diag d;
  sim_diag_init(&d, NULL);
  int rc = op_put(st, &o, &d);
  if (rc) hook_fail(st, rc, d.msg);
  st->chunk_n = 0;
  st->blob_len = 0;
}

/* Append the pending instant (counters cur at pending_at) to the log. */
static void log_pending(report_store *st) {
  st->pending = false;
  int64_t v[8];
  for (int i = 0; i < 8; i++) v[i] = st->cur[counter_cols[i]];
  if (st->chunk_n == COUNTS_CHUNK) flush_chunk(st);
  if (st->chunk_n == 0) {
    memcpy(st->base, v, sizeof v);
    memcpy(st->prev, v, sizeof v);
    st->chunk_from = st->chunk_to = st->pending_at;
    st->chunk_n = 1;
    return;
  }
  if (st->blob_len + COUNTS_ENTRY_MAX > st->blob_cap) {
    size_t nc = st->blob_cap ? st->blob_cap * 2 : 4096;
    unsigned char *nb = realloc(st->blob, nc);
    if (!nb) {
      sim_diag m;
      sim_diag_init(&m, NULL);
      hook_fail(st, sim_diag_set(&m, SIM_ERR_NOMEM, NULL, "%s: insert: out of memory",
                                 st->path), m.msg);
      return;
    }
    st->blob = nb;
    st->blob_cap = nc;
  }
  unsigned char *p = st->blob + st->blob_len;
  size_t n = put_varint(p, (uint64_t)(st->pending_at - st->chunk_to));
  unsigned char *mask = p + n++;
  *mask = 0;
  for (int i = 0; i < 8; i++)
    if (v[i] != st->prev[i]) {
      int64_t dv = v[i] - st->prev[i];
      *mask |= (unsigned char)(1u << i);
      n += put_varint(p + n, ((uint64_t)dv << 1) ^ (uint64_t)(dv >> 63));   /* zigzag */
    }
  st->blob_len += n;
  memcpy(st->prev, v, sizeof v);
  st->chunk_to = st->pending_at;
  st->chunk_n++;
}

void report_store_on_event(report_store *st, const model_engine *e) {
  const int64_t *k = model_engine_job(e)->counters;
  if (memcmp(k, st->cur, sizeof st->cur) == 0) return;
  sim_time_ms now = model_engine_now(e);
  if (st->pending && now != st->pending_at) log_pending(st);
  memcpy(st->cur, k, sizeof st->cur);
  st->pending = true;
  st->pending_at = now;
}

/* A timeline row into statement s from column `at` on. */
/* A timeline row's values, appended to o. */
static void put_row(report_store *st, op *o, const report_timeline_row *r) {
  char iso[40], reason[64];
  iso_of(st, r->at, iso, sizeof iso);
  report_timeline_reason(r->why, reason, sizeof reason);
  op_text(o, iso);
  op_double(o, (double)r->at / 1000.0);
  op_int(o, r->at);
  op_text(o, reason);
  op_text(o, report_timeline_status(r));
  op_int(o, r->rate);
  op_int(o, r->notified);
  for (int i = 0; i < 8; i++) op_int(o, r->counters[counter_cols[i]]);
  op_int(o, r->records);
}

int report_store_job_row(report_store *st, const char *job_id,
                         const report_timeline_row *r, sim_diag *d) {
  int rc = failed(st, d);
  if (rc) return rc;
  op o;
  op_begin(&o, S_JOB_TIMELINE);
  op_text(&o, job_id);
  put_row(st, &o, r);
  return op_put(st, &o, d);
}

int report_store_observe(report_store *st, const model_engine *e,
                         const report_timeline_row *r, sim_diag *d) {
  int rc = failed(st, d);
  if (rc) return rc;
  /* the timeline row */
  op o;
  op_begin(&o, S_TIMELINE);
  put_row(st, &o, r);
  if ((rc = op_put(st, &o, d))) return rc;

  /* the job view: describe-job without counters and scheduledJobRollouts */
  model_job j = *model_engine_job(e);
  memset(j.counters, 0, sizeof j.counters);
  size_t idx[MODEL_MAX_TARGETS];
  size_t n = model_engine_processing_targets(e, idx, MODEL_MAX_TARGETS);
  if (n > MODEL_MAX_TARGETS) n = MODEL_MAX_TARGETS;
  report_job_view v = {model_engine_scenario(e), model_engine_config(e), &j, idx, n,
                       NULL, 0};
  char *text[4] = {NULL, NULL, NULL, NULL};
  size_t len[4] = {0, 0, 0, 0};
  text[0] = report_describe_job_view(&v, &renderings[0], &len[0]);
  if (!text[0]) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  /* The other renderings follow from the same view: equal epoch texts mean
   * equal views. */
  if (st->last_view && st->last_deleted == j.vanished &&
      strcmp(st->last_view, text[0]) == 0) {
    free(text[0]);
    return SIM_OK;
  }
  for (int i = 1; i < 4; i++) {
    text[i] = report_describe_job_view(&v, &renderings[i], &len[i]);
    if (!text[i]) rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  }
  if (!rc) {
    op_begin(&o, S_JOB_VIEW);
    op_int(&o, r->at);
    op_int(&o, j.vanished);
    for (int i = 0; i < 4; i++) op_bytes(&o, V_TEXT, text[i], len[i]);
    rc = op_put(st, &o, d);
  }
  for (int i = 1; i < 4; i++) free(text[i]);
  if (rc) {
    free(text[0]);
    return rc;
  }
  free(st->last_view);
  st->last_view = text[0];
  st->last_deleted = j.vanished;
  return SIM_OK;
}

int report_store_snapshot(report_store *st, sim_time_ms at, const char *text,
                          size_t len, sim_diag *d) {
  int rc = failed(st, d);
  if (rc) return rc;
  char iso[40];
  iso_of(st, at, iso, sizeof iso);
  op o;
  op_begin(&o, S_SNAPSHOT);
  op_int(&o, at);
  op_text(&o, iso);
  op_bytes(&o, V_TEXT, text, len);
  return op_put(st, &o, d);
}

int report_store_log(report_store *st, sim_time_ms at, const char *line, sim_diag *d) {
  int rc = failed(st, d);
  if (rc) return rc;
  char iso[40];
  iso_of(st, at, iso, sizeof iso);
  op o;
  op_begin(&o, S_EVENT);
  op_int(&o, at);
  op_text(&o, iso);
  op_text(&o, line);
  return op_put(st, &o, d);
}

/* Execution records go in EXEC_CHUNK at a time, one execution_chunk row
 * each: a JSON array of integer arrays (schema comment), which the views
 * execution and job_execution read back as version 1's rows. A million
 * records as a million SQL rows cost more than the simulation (binding and
 * inserting each was about 3,400 instructions); as JSON text they cost the
 * digits. */
#define EXEC_CHUNK 1024
#define EXEC_ROW_MAX (2 + 8 * 21)   /* "[", eight numbers and separators, "]" */

/* The store's status codes (the CASE of EXEC_COLUMNS): fixed here, not
 * the engine's enumeration, so that the file does not follow its order. */
static int status_code(model_exec_status s) {
  switch (s) {
  case MODEL_EXEC_QUEUED: return 1;
  case MODEL_EXEC_IN_PROGRESS: return 2;
  case MODEL_EXEC_SUCCEEDED: return 3;
  case MODEL_EXEC_FAILED: return 4;
  case MODEL_EXEC_TIMED_OUT: return 5;
  case MODEL_EXEC_REJECTED: return 6;
  case MODEL_EXEC_REMOVED: return 7;
  case MODEL_EXEC_CANCELED: return 8;
  default: return 0;   /* never stored: a record has a status */
  }
}

typedef struct exec_ctx {
  report_store *st;
  sim_diag *d;
  size_t n;                    /* records seen (for the interrupt check) */
  size_t job;                  /* job position */
  size_t fill;                 /* records in buf */
  size_t len;                  /* bytes in buf */
  char buf[2 + EXEC_CHUNK * (EXEC_ROW_MAX + 1)];
} exec_ctx;

/* Decimal digits of v at p, two at a time; the end. */
static char *put_int(char *p, int64_t v) {
  static const char two[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  if (v >= 0 && v < 10) {   /* half the numbers of a record */
    *p = (char)('0' + v);
    return p + 1;
  }
  uint64_t u = (uint64_t)v;
  if (v < 0) {
    *p++ = '-';
    u = (uint64_t)0 - u;
  }
  /* digits: from the bit length, then one comparison (pow10[n] <= u) */
  static const uint64_t pow10[20] = {
      UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000), UINT64_C(10000),
      UINT64_C(100000), UINT64_C(1000000), UINT64_C(10000000), UINT64_C(100000000),
      UINT64_C(1000000000), UINT64_C(10000000000), UINT64_C(100000000000),
      UINT64_C(1000000000000), UINT64_C(10000000000000), UINT64_C(100000000000000),
      UINT64_C(1000000000000000), UINT64_C(10000000000000000),
      UINT64_C(100000000000000000), UINT64_C(1000000000000000000),
      UINT64_C(10000000000000000000)};
  int bits = 64 - __builtin_clzll(u | 1);        /* 1..64 */
  size_t n = (size_t)((bits * 1233) >> 12);      /* floor(bits * log10 2) */
  n += n < 20 && u >= pow10[n];
  if (n == 0) n = 1;
  char *end = p + n;
  for (; u >= 100; u /= 100) {
    end -= 2;
    memcpy(end, two + 2 * (u % 100), 2);
  }
  if (u >= 10) memcpy(end - 2, two + 2 * u, 2);
  else end[-1] = (char)('0' + u);
  return p + n;
}

/* The waiting records as one execution_chunk row. */
static int flush_execs(exec_ctx *c) {
  if (!c->fill) return SIM_OK;
  c->buf[c->len++] = ']';
  sqlite3_stmt *s = c->st->st[S_EXEC_CHUNK];
  sqlite3_bind_int64(s, 1, (sqlite3_int64)c->job);
  sqlite3_bind_text(s, 2, c->buf, (int)c->len, SQLITE_STATIC);
  c->fill = 0;
  c->len = 0;
  return step_reset(c->st, s, c->d);
}

static int put_exec(void *ud, const model_exec_view *v) {
  exec_ctx *c = ud;
  /* millions of rows take seconds: an interrupt stops them (outdir.h) */
  if ((++c->n & 16383) == 0 && report_interrupted())
    return sim_diag_set(c->d, SIM_ERR_INTR, NULL, "interrupted; no report written");
  char *p = c->buf + c->len;
  *p++ = c->fill ? ',' : '[';
  *p++ = '[';
  p = put_int(p, v->thing);
  *p++ = ',';
  p = put_int(p, v->exec_no);
  *p++ = ',';
  p = put_int(p, v->retry_attempt);
  *p++ = ',';
  p = put_int(p, status_code(v->status));
  *p++ = ',';
  p = put_int(p, v->queued_at);
  *p++ = ',';
  if (v->started_at >= 0) p = put_int(p, v->started_at);
  else {
    memcpy(p, "null", 4);
    p += 4;
  }
  *p++ = ',';
  p = put_int(p, v->updated_at);
  *p++ = ',';
  p = put_int(p, v->version);
  *p++ = ']';
  c->len = (size_t)(p - c->buf);
  return ++c->fill == EXEC_CHUNK ? flush_execs(c) : SIM_OK;
}

/* The thing tables the views name things from: a thing_range per group of
 * the fleet with generated names, and a thing row for every other thing
 * (listed names, things that joined later), names as the engine gives them. */
static int put_things(report_store *st, const model_engine *e, sim_diag *d) {
  const model_fleet *f = &model_engine_scenario(e)->fleet;
  int rc = SIM_OK;
  sqlite3_stmt *s = st->st[S_THING_RANGE];
  for (size_t gi = 0; gi < f->n_groups && !rc; gi++) {
    const model_group *g = &f->groups[gi];
    if (g->names || g->count == 0) continue;
    sqlite3_bind_int64(s, 1, g->first);
    sqlite3_bind_int64(s, 2, g->first + g->count - 1);
    sqlite3_bind_text(s, 3, g->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, g->digits);
    rc = step_reset(st, s, d);
  }
  s = st->st[S_THING];
  int64_t n = model_engine_things(e);
  for (int64_t t = 0; t < n && !rc; t++) {
    if (t < f->n_things) {
      const model_group *g = &f->groups[model_fleet_group_of(f, t)];
      if (!g->names) {   /* in a range: on to its end */
        t = g->first + g->count - 1;
        continue;
      }
    }
    char name[EXEC_NAME_MAX];
    model_engine_thing_name(e, t, name, sizeof name);
    sqlite3_bind_int64(s, 1, t);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    rc = step_reset(st, s, d);
  }
  return rc;
}

int report_store_executions(report_store *st, const model_engine *e, sim_diag *d) {
  if (st->hook_rc) return hook_error(st, d);
  int rc = ins_stop(st, false, d);   /* the connection is this thread's again */
  if (rc) return rc;
  rc = put_things(st, e, d);
  if (rc) return rc;
  exec_ctx *c = malloc(sizeof *c);
  if (!c) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  for (size_t j = 0; j < model_engine_n_jobs(e) && !rc; j++) {
    c->st = st;
    c->d = d;
    c->n = 0;
    c->job = j;
    c->fill = 0;
    c->len = 0;
    rc = model_engine_foreach_exec_at(e, j, put_exec, c);
    if (!rc) rc = flush_execs(c);
    if (rc == SIM_ERR_NOMEM && !d->msg[0]) sim_diag_set(d, rc, NULL, "out of memory");
  }
  free(c);
  return rc;
}

/* One row of table job per job of the engine. */
static int put_jobs(report_store *st, const model_engine *e, sim_diag *d) {
  sqlite3_stmt *s = st->st[S_JOB];
  for (size_t k = 0; k < model_engine_n_jobs(e); k++) {
    const model_job *j = model_engine_job_at(e, k);
    const char *id = model_engine_config_at(e, k)->job_id;
    char dir[128];
    if (k == 0) snprintf(dir, sizeof dir, ".");
    else snprintf(dir, sizeof dir, "jobs/%s", id);
    int i = 1;
    sqlite3_bind_int64(s, i++, (sqlite3_int64)k);
    sqlite3_bind_text(s, i++, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, i++, dir, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, i++, j->created_at);
    sqlite3_bind_text(s, i++, j->vanished ? "DELETED" : model_job_status_name(j->status),
                      -1, SQLITE_STATIC);
    sqlite3_bind_int(s, i++, j->aborted);
    sqlite3_bind_int64(s, i++, model_engine_targeted_at(e, k));
    sqlite3_bind_int64(s, i++, j->notified);
    sqlite3_bind_int64(s, i++, j->records);
    int rc = step_reset(st, s, d);
    if (rc) return rc;
  }
  return SIM_OK;
}

int report_store_finish(report_store *st, const model_engine *e, bool executions,
                        sim_diag *d) {
  const model_scenario *sc = st->sc;
  const model_job *j = model_engine_job(e);
  sqlite3_stmt *s = NULL;
  int rc;
  if (st->pending) log_pending(st);
  flush_chunk(st);
  if (st->hook_rc) return hook_error(st, d);
  if ((rc = ins_stop(st, false, d))) return rc;   /* the connection is this thread's again */
  if (sqlite3_prepare_v2(st->db,
                         "INSERT INTO run VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         -1, &s, NULL) != SQLITE_OK)
    return db_error(st, d, "prepare");
  char start[40];
  iso_of(st, 0, start, sizeof start);
  sim_time_ms end = model_engine_now(e);
  /* The engine stops before its horizon only once the job can no longer
   * change; a run that reached the horizon counts as unfinished. */
  bool finished = model_engine_finished(e) && end < sc->sim.until;
  int i = 1;
  sqlite3_bind_text(s, i++, sc->name, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, i++, sc->file, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, i++, st->meta_hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, i++, (sqlite3_int64)st->info.seed);
  sqlite3_bind_text(s, i++, st->meta_version, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, i++, st->meta_options, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, i++, sc->job.job_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, i++, start, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, i++, sc->sim.start_epoch_ms);
  sqlite3_bind_int64(s, i++, sc->sim.until);
  sqlite3_bind_int64(s, i++, end);
  sqlite3_bind_int(s, i++, finished);
  sqlite3_bind_text(s, i++, j->vanished ? "DELETED" : model_job_status_name(j->status),
                    -1, SQLITE_STATIC);
  sqlite3_bind_int(s, i++, j->aborted);
  sqlite3_bind_int64(s, i++, sc->n_targeted);
  sqlite3_bind_int64(s, i++, j->notified);
  sqlite3_bind_int64(s, i++, j->records);
  sqlite3_bind_int(s, i++, executions);
  sqlite3_bind_int64(s, i++, (sqlite3_int64)model_engine_events(e));
  rc = step_reset(st, s, d);
  sqlite3_finalize(s);
  if (!rc) rc = put_jobs(st, e, d);
  if (rc) return rc;
  for (int k = 0; k < S_COUNT; k++) {
    sqlite3_finalize(st->st[k]);
    st->st[k] = NULL;
  }
  if ((rc = exec_sql(st, "COMMIT", "commit", d))) return rc;
  st->in_tx = false;
  if (sqlite3_close(st->db) != SQLITE_OK) return db_error(st, d, "close");
  st->db = NULL;
  return SIM_OK;
}

/* ------------------------------------------------------------ reading --- */

/* ------------------------------------------------- validated reading --- */

/* Nothing read from a store is trusted: it may be damaged, or crafted.
 * Every value is checked against what the writer can produce, and a
 * failure names the table and the row (exit 3). */
#define COUNTER_MAX (INT64_C(1) << 53)   /* eight of them cannot overflow */
#define TIME_MAX (INT64_C(1) << 53)      /* ms; far beyond any horizon */

static int damaged(const report_store *st, sim_diag *d, const char *table,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int damaged(const report_store *st, sim_diag *d, const char *table,
                   const char *fmt, ...) {
  char what[300];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return sim_diag_set(d, SIM_ERR_SCHEMA, NULL,
                      "%s: damaged jobsim store: table %s, %s", st->path, table, what);
}

/* A varint as put_varint writes it: at most 10 bytes, at most 64 bits,
 * no superfluous final zero byte. */
static bool get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v) {
  uint64_t r = 0;
  for (int i = 0; i < 10; i++) {
    if (*p >= end) return false;
    unsigned char b = *(*p)++;
    if (i == 9 && b > 1) return false;
    r |= (uint64_t)(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      if (i > 0 && b == 0) return false;
      *v = r;
      return true;
    }
  }
  return false;
}

/* One counts row, decoded: the counters at every instant of the chunk. */
typedef struct chunk {
  sim_time_ms from, to;
  size_t n;                               /* instants */
  sim_time_ms when[COUNTS_CHUNK];
  int64_t v[COUNTS_CHUNK][8];             /* counter_cols order */
} chunk;

/* Decode the counts row under statement s (columns from_ms, to_ms,
 * instants, the eight counters, deltas) into *c, checking everything. */
static int decode_chunk(const report_store *st, sqlite3_stmt *s, chunk *c, sim_diag *d) {
  c->from = sqlite3_column_int64(s, 0);
  c->to = sqlite3_column_int64(s, 1);
  int64_t inst = sqlite3_column_int64(s, 2);
  const sim_time_ms from = c->from;
  if (c->from < 0 || c->to < c->from || c->to > st->info.end)
    return damaged(st, d, "counts", "row from_ms %" PRId64 ": from_ms..to_ms %" PRId64
                   "..%" PRId64 " is not inside 0..%" PRId64 " (the run's end)", from,
                   c->from, c->to, st->info.end);
  if (inst < 1 || inst > COUNTS_CHUNK)
    return damaged(st, d, "counts", "row from_ms %" PRId64 ": instants %" PRId64
                   " is not in 1..%d", from, inst, COUNTS_CHUNK);
  for (int i = 0; i < 8; i++) {
    if (sqlite3_column_type(s, 3 + i) != SQLITE_INTEGER)
      return damaged(st, d, "counts", "row from_ms %" PRId64 ": a counter is not an "
                     "integer", from);
    c->v[0][i] = sqlite3_column_int64(s, 3 + i);
    if (c->v[0][i] < 0 || c->v[0][i] > COUNTER_MAX)
      return damaged(st, d, "counts", "row from_ms %" PRId64 ": counter %" PRId64
                     " is out of range", from, c->v[0][i]);
  }
  c->when[0] = c->from;
  c->n = 1;
  if (sqlite3_column_type(s, 11) != SQLITE_BLOB && sqlite3_column_type(s, 11) != SQLITE_NULL &&
      sqlite3_column_bytes(s, 11) != 0)
    return damaged(st, d, "counts", "row from_ms %" PRId64 ": deltas is not a blob", from);
  const unsigned char *p = sqlite3_column_blob(s, 11);
  const unsigned char *end = p ? p + sqlite3_column_bytes(s, 11) : NULL;
  while (p && p < end) {
    uint64_t step;
    if (c->n == (size_t)inst)
      return damaged(st, d, "counts", "row from_ms %" PRId64 ": deltas hold more than "
                     "its %" PRId64 " instants", from, inst);
    if (!get_varint(&p, end, &step) || p >= end)
      return damaged(st, d, "counts", "row from_ms %" PRId64 ": deltas: instant %zu has a "
                     "malformed time step", from, c->n);
    sim_time_ms prev = c->when[c->n - 1];
    if (step < 1 || step > (uint64_t)(c->to - prev))
      return damaged(st, d, "counts", "row from_ms %" PRId64 ": deltas: instant %zu steps "
                     "%" PRIu64 " ms, not 1..%" PRId64 " (to_ms)", from, c->n, step,
                     c->to - prev);
    c->when[c->n] = prev + (sim_time_ms)step;
    unsigned mask = *p++;
    for (int i = 0; i < 8; i++) {
      int64_t x = c->v[c->n - 1][i];
      if (mask & (1u << i)) {
        uint64_t z;
        if (!get_varint(&p, end, &z))
          return damaged(st, d, "counts", "row from_ms %" PRId64 ": deltas: instant %zu "
                         "has a malformed counter delta", from, c->n);
        uint64_t mag = z >> 1;   /* zigzag: z = 2|dv| - (dv < 0) */
        if (mag >= (uint64_t)COUNTER_MAX)
          return damaged(st, d, "counts", "row from_ms %" PRId64 ": deltas: instant %zu "
                         "has a counter delta out of range", from, c->n);
        x = z & 1 ? x - (int64_t)mag - 1 : x + (int64_t)mag;
        if (x < 0 || x > COUNTER_MAX)
          return damaged(st, d, "counts", "row from_ms %" PRId64 ": deltas: at %" PRId64
                         " ms a counter becomes %" PRId64, from, c->when[c->n], x);
      }
      c->v[c->n][i] = x;
    }
    c->n++;
  }
  if (c->n != (size_t)inst || c->when[c->n - 1] != c->to)
    return damaged(st, d, "counts", "row from_ms %" PRId64 ": deltas hold %zu instants "
                   "ending at %" PRId64 " ms, the row says %" PRId64 " ending at %" PRId64,
                   from, c->n, c->when[c->n - 1], inst, c->to);
  return SIM_OK;
}

static const char counts_cols[] =
    "from_ms, to_ms, instants, queued, in_progress, succeeded, failed, rejected, "
    "timed_out, canceled, removed, deltas";

int report_store_counters(const report_store *st, sim_time_ms at, int64_t *k,
                          sim_diag *d) {
  memset(k, 0, MODEL_EXEC_STATUS_COUNT * sizeof *k);
  sqlite3_stmt *s = NULL;
  char sql[400];
  snprintf(sql, sizeof sql, "SELECT %s FROM counts WHERE from_ms <= ? ORDER BY from_ms "
           "DESC LIMIT 1", counts_cols);
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
    return db_error(st, d, "query counts");
  sqlite3_bind_int64(s, 1, at);
  int rc = SIM_OK;
  int r = sqlite3_step(s);
  if (r == SQLITE_ROW) {
    chunk *c = malloc(sizeof *c);
    if (!c) rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    else if (!(rc = decode_chunk(st, s, c, d))) {
      size_t i = c->n - 1;
      while (i > 0 && c->when[i] > at) i--;
      for (int j = 0; j < 8; j++) k[counter_cols[j]] = c->v[i][j];
    }
    free(c);
  } else if (r != SQLITE_DONE) {
    rc = db_error(st, d, "query counts");
  }
  sqlite3_finalize(s);
  return rc;
}

/* The whole counters log against the timeline, once at open: chunks in
 * order and apart, every timeline row in time order inside the run, its
 * counters those of the log at its instant and summing to its records,
 * the log ending with the run row's execution_records. */
static int validate_counts(report_store *st, int64_t records, sim_diag *d) {
  sqlite3_stmt *cs = NULL, *ts = NULL;
  chunk *c = malloc(sizeof *c);
  int rc = SIM_OK;
  char sql[400];
  snprintf(sql, sizeof sql, "SELECT %s FROM counts ORDER BY from_ms", counts_cols);
  if (!c) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  if (sqlite3_prepare_v2(st->db, sql, -1, &cs, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(st->db,
                         "SELECT rowid, offset_ms, queued, in_progress, succeeded, failed, "
                         "rejected, timed_out, canceled, removed, records FROM timeline "
                         "ORDER BY rowid", -1, &ts, NULL) != SQLITE_OK) {
    rc = db_error(st, d, "query counts");
    goto out;
  }
  int64_t cur[8] = {0};
  size_t ci = 0;           /* next instant of *c to apply */
  bool have = false;       /* *c holds a decoded chunk */
  bool all = false;        /* every chunk read (a further step would restart) */
  sim_time_ms last_to = -1, last_row = 0;
  /* move the log on to every instant <= t */
  for (int r;;) {
    r = sqlite3_step(ts);
    bool row = r == SQLITE_ROW;
    if (!row && r != SQLITE_DONE) {
      rc = db_error(st, d, "query timeline");
      goto out;
    }
    int64_t rowid = row ? sqlite3_column_int64(ts, 0) : 0;
    sim_time_ms t = row ? sqlite3_column_int64(ts, 1) : TIME_MAX;
    if (row && (t < last_row || t > st->info.end)) {
      rc = damaged(st, d, "timeline", "row %" PRId64 ": offset_ms %" PRId64 " is before the "
                   "row above or after the run's end", rowid, t);
      goto out;
    }
    if (row) last_row = t;
    for (;;) {
      if (have && ci < c->n) {
        if (c->when[ci] > t) break;
        memcpy(cur, c->v[ci], sizeof cur);
        ci++;
        continue;
      }
      if (all) break;
      int q = sqlite3_step(cs);
      if (q == SQLITE_DONE) {
        all = true;
        break;
      }
      if (q != SQLITE_ROW) {
        rc = db_error(st, d, "query counts");
        goto out;
      }
      if ((rc = decode_chunk(st, cs, c, d))) goto out;
      if (c->from <= last_to) {
        rc = damaged(st, d, "counts", "row from_ms %" PRId64 ": overlaps the chunk before "
                     "(which ends at %" PRId64 ")", c->from, last_to);
        goto out;
      }
      last_to = c->to;
      have = true;
      ci = 0;
    }
    if (!row) break;
    int64_t sum = 0;
    for (int i = 0; i < 8; i++) {
      int64_t x = sqlite3_column_int64(ts, 2 + i);
      if (x != cur[i]) {
        rc = damaged(st, d, "timeline", "row %" PRId64 ": the counters at %" PRId64 " ms "
                     "differ from table counts", rowid, t);
        goto out;
      }
      sum += x;
    }
    if (sum != sqlite3_column_int64(ts, 10)) {
      rc = damaged(st, d, "timeline", "row %" PRId64 ": the counters sum to %" PRId64
                   ", not to its records %" PRId64, rowid, sum,
                   (int64_t)sqlite3_column_int64(ts, 10));
      goto out;
    }
  }
  int64_t sum = 0;
  for (int i = 0; i < 8; i++) sum += cur[i];
  if (sum != records)
    rc = damaged(st, d, "counts", "the last counters sum to %" PRId64 ", not to the "
                 "run's execution_records %" PRId64, sum, records);
out:
  sqlite3_finalize(cs);
  sqlite3_finalize(ts);
  free(c);
  return rc;
}

static int text_col(sqlite3_stmt *s, int i, char **out) {
  const unsigned char *t = sqlite3_column_text(s, i);
  *out = NULL;
  if (!t) return SIM_OK;
  *out = strdup((const char *)t);
  return *out ? SIM_OK : SIM_ERR_NOMEM;
}

/* The scenario as recorded: with a job file, its bytes replace the path. */
static int load_scenario(report_store *st, sim_diag *d) {
  sqlite3_stmt *s = NULL;
  char *json = NULL, *job_json = NULL, *merged = NULL, *file = NULL;
  int rc = SIM_OK;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT scenario.json, scenario.job_json, run.scenario_file "
                         "FROM scenario, run", -1, &s, NULL) != SQLITE_OK) {
    rc = db_error(st, d, "not a jobsim store");
    goto out;
  }
  if (sqlite3_step(s) != SQLITE_ROW) {
    rc = damaged(st, d, "scenario", "no row: no scenario recorded");
    goto out;
  }
  if (text_col(s, 0, &json) || text_col(s, 1, &job_json) || text_col(s, 2, &file)) {
    rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    goto out;
  }
  if (!json || !file) {
    rc = damaged(st, d, "scenario", "row 1: no scenario recorded (json or the run's "
                 "scenario_file is NULL)");
    goto out;
  }
  const char *text = json;
  if (!job_json) {
    /* a store is self-contained: a scenario naming a job file must carry
     * it, never send jobsim to read some file on this machine */
    cJSON *root = cJSON_Parse(json);
    bool names_file = root && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "job"));
    cJSON_Delete(root);
    if (names_file) {
      rc = damaged(st, d, "scenario", "row 1: $.job names a file, but the store holds no "
                   "job_json");
      goto out;
    }
  }
  if (job_json) {
    cJSON *root = cJSON_Parse(json), *job = cJSON_Parse(job_json);
    if (!root || !job || !cJSON_ReplaceItemInObjectCaseSensitive(root, "job", job)) {
      cJSON_Delete(root);
      cJSON_Delete(job);
      rc = damaged(st, d, "scenario", "row 1: the recorded scenario or job file is not "
                   "valid JSON");
      goto out;
    }
    merged = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!merged) {
      rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
      goto out;
    }
    text = merged;
  }
  sim_diag sd;
  rc = model_scenario_load_text(&st->own_sc, file, text, strlen(text), &sd);
  if (rc) {
    char msg[1200];
    sim_diag_format(&sd, msg, sizeof msg);
    rc = sim_diag_set(d, rc, NULL, "%s: the recorded scenario does not load: %.300s",
                      st->path, msg);
    goto out;
  }
  st->sc = st->own_sc;
out:
  sqlite3_finalize(s);
  free(json);
  free(job_json);
  free(file);
  cJSON_free(merged);
  return rc;
}

int report_store_open(report_store **out, const char *path, sim_diag *d) {
  *out = NULL;
  report_store *st = calloc(1, sizeof *st);
  if (!st) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  st->fd = -1;
  report_brief_path(path, st->path, 160);   /* for messages only */
  sqlite3_stmt *s = NULL;
  int rc;
  /* Only a regular file: a FIFO would block in open() for ever. SQLite then
   * opens the very file checked, through /proc/self/fd when there is one. */
  char via[64];
  const char *dbpath = path;
  if ((rc = sim_json_open_regular(path, &st->fd, d))) goto fail;
  snprintf(via, sizeof via, "/proc/self/fd/%d", st->fd);
  if (access(via, R_OK) == 0) dbpath = via;
  if (sqlite3_open_v2(dbpath, &st->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    rc = sim_diag_set(d, SIM_ERR_IO, NULL, "cannot open '%s': %s", path,
                      st->db ? sqlite3_errmsg(st->db) : "out of memory");
    goto fail;
  }
  /* A jobsim store: a SQLite database with the tables read here, then of
   * this schema version. An empty file opens as an empty database. */
  if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK ||
      sqlite3_step(s) != SQLITE_ROW) {
    rc = sim_diag_set(d, SIM_ERR_SCHEMA, NULL,
                      "%s: not a jobsim store (not a SQLite database: %s)", path,
                      sqlite3_errmsg(st->db));
    goto fail;
  }
  int v = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name "
                         "IN ('run', 'scenario', 'timeline', 'job_view', 'counts')",
                         -1, &s, NULL) != SQLITE_OK ||
      sqlite3_step(s) != SQLITE_ROW) {
    rc = db_error(st, d, "read the schema");
    goto fail;
  }
  int tables = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  s = NULL;
  if (tables != 5) {
    rc = sim_diag_set(d, SIM_ERR_SCHEMA, NULL,
                      "%s: not a jobsim store (a SQLite database without %s)", path,
                      tables ? "all of jobsim's tables" : "jobsim's tables");
    goto fail;
  }
  /* Version 2 changed only how execution records are kept (the execution
   * view reads them as version 1's table did); nothing read here. */
  if (v < 1 || v > REPORT_STORE_VERSION) {
    rc = sim_diag_set(d, SIM_ERR_SCHEMA, NULL,
                      "%s: store schema version %d, this jobsim reads versions 1 to %d",
                      path, v, REPORT_STORE_VERSION);
    goto fail;
  }
  if (sqlite3_prepare_v2(st->db,
                         "SELECT job_id, seed, until_ms, end_ms, finished, "
                         "executions_stored, start_epoch_ms, execution_records, "
                         "(SELECT count(*) FROM run), (SELECT count(*) FROM scenario) "
                         "FROM run", -1, &s, NULL) != SQLITE_OK) {
    rc = db_error(st, d, "query run");
    goto fail;
  }
  int r = sqlite3_step(s);
  if (r != SQLITE_ROW) {
    rc = r == SQLITE_DONE ? damaged(st, d, "run", "no row: no run recorded")
                          : db_error(st, d, "query run");
    goto fail;
  }
  for (int i = 1; i < 8; i++)
    if (sqlite3_column_type(s, i) != SQLITE_INTEGER) {
      rc = damaged(st, d, "run", "row 1: %s is not an integer",
                   sqlite3_column_name(s, i));
      goto fail;
    }
  report_store_info *in = &st->info;
  const unsigned char *jid = sqlite3_column_text(s, 0);
  int64_t seed = sqlite3_column_int64(s, 1), fin = sqlite3_column_int64(s, 4),
          ex = sqlite3_column_int64(s, 5), records = sqlite3_column_int64(s, 7);
  in->until = sqlite3_column_int64(s, 2);
  in->end = sqlite3_column_int64(s, 3);
  st->start_epoch_ms = sqlite3_column_int64(s, 6);
  const char *bad = NULL;
  if (sqlite3_column_int64(s, 8) != 1) bad = "more than one run row (a store records one run)";
  else if (sqlite3_column_int64(s, 9) != 1) bad = "not exactly one scenario row";
  else if (!jid || !*jid || strlen((const char *)jid) > 64) bad = "job_id is not a job id";
  else if (seed < 0 || seed > INT64_C(9007199254740992)) bad = "seed is out of range 0..2^53";
  else if (in->until < 1 || in->until > TIME_MAX) bad = "until_ms is out of range";
  else if (in->end < 0 || in->end > in->until) bad = "end_ms is not within 0..until_ms";
  else if (fin != 0 && fin != 1) bad = "finished is neither 0 nor 1";
  else if (ex != 0 && ex != 1) bad = "executions_stored is neither 0 nor 1";
  else if (st->start_epoch_ms < 0 || st->start_epoch_ms > INT64_C(253402300799999))
    bad = "start_epoch_ms is not a time of the years 1970..9999";
  else if (records < 0 || records > COUNTER_MAX) bad = "execution_records is out of range";
  if (bad) {
    rc = damaged(st, d, "run", "row 1: %s", bad);
    goto fail;
  }
  snprintf(in->job_id, sizeof in->job_id, "%s", (const char *)jid);
  in->seed = (uint64_t)seed;
  in->finished = fin != 0;
  in->executions = ex != 0;
  sqlite3_finalize(s);
  s = NULL;
  if ((rc = load_scenario(st, d))) goto fail;
  if (strcmp(st->own_sc->job.job_id, in->job_id) != 0 ||
      st->own_sc->sim.start_epoch_ms != st->start_epoch_ms) {
    rc = damaged(st, d, "run", "row 1: job_id or start_epoch_ms differ from the recorded "
                 "scenario's");
    goto fail;
  }
  if ((rc = validate_counts(st, records, d))) goto fail;
  st->own_sc->sim.until = in->until;
  st->own_sc->sim.seed = in->seed;
  *out = st;
  return SIM_OK;
fail:
  sqlite3_finalize(s);
  report_store_free(st);
  return rc;
}

const report_store_info *report_store_info_of(const report_store *st) {
  return &st->info;
}
const model_scenario *report_store_scenario(const report_store *st) { return st->sc; }

/* The maintenance-window starts after `at`, all windows merged, as the
 * engine's model_engine_next_windows() computes them for its clock. */
static size_t next_windows(const model_scenario *sc, sim_time_ms at, int64_t *out,
                           size_t cap) {
  size_t n = 0;
  int64_t from = sc->sim.start_epoch_ms + at;
  int64_t cur[MODEL_MAX_WINDOWS];
  bool has[MODEL_MAX_WINDOWS];
  for (size_t wi = 0; wi < sc->n_windows; wi++)
    has[wi] = model_cron_next(&sc->windows[wi], from, &cur[wi]);
  while (n < cap) {
    size_t best = SIZE_MAX;
    for (size_t wi = 0; wi < sc->n_windows; wi++)
      if (has[wi] && (best == SIZE_MAX || cur[wi] < cur[best])) best = wi;
    if (best == SIZE_MAX) break;
    if (n == 0 || out[n - 1] != cur[best]) out[n++] = cur[best];
    has[best] = model_cron_next(&sc->windows[best], cur[best], &cur[best]);
  }
  return n;
}

/* The scheduledJobRollouts array as describe-job prints it two levels deep
 * (inside {"job": {...}}), rendered through the same writer. */
static char *rollouts_text(const int64_t *r, size_t n, bool compact, size_t *len) {
  report_jsonw w;
  report_jsonw_init(&w, compact);
  report_jsonw_object(&w);
  report_jsonw_key(&w, "job");
  report_jsonw_object(&w);
  report_jsonw_key(&w, "scheduledJobRollouts");
  report_jsonw_array(&w);
  for (size_t i = 0; i < n; i++) {
    char t[32];
    model_cron_format_time(r[i], t, sizeof t);
    report_jsonw_object(&w);
    report_jsonw_key(&w, "startTime");
    report_jsonw_string(&w, t);
    report_jsonw_end_object(&w);
  }
  report_jsonw_end_array(&w);
  report_jsonw_end_object(&w);
  report_jsonw_end_object(&w);
  size_t all;
  char *doc = report_jsonw_take(&w, &all);
  if (!doc) return NULL;
  char *open = strchr(doc, '['), *close = strrchr(doc, ']');
  *len = (size_t)(close - open + 1);
  memmove(doc, open, *len);
  doc[*len] = 0;
  return doc;
}

typedef struct edit {
  size_t at, cut;          /* replace template[at .. at+cut) */
  const char *with;        /* by this text */
  size_t len;
} edit;

static int cmp_edit(const void *a, const void *b) {
  const edit *x = a, *y = b;
  return x->at < y->at ? -1 : x->at > y->at;
}

/* Fill the job view's template: counters and scheduledJobRollouts. */
static int fill(const char *tpl, const int64_t *k, const char *roll, size_t roll_len,
                char **out, size_t *out_len) {
  edit ed[9];
  char num[8][24];
  size_t ne = 0;
  const char *pd = strstr(tpl, "\"jobProcessDetails\":");
  if (!pd) return SIM_ERR_DB;
  for (int i = 0; i < 8; i++) {
    const char *p = strstr(pd, counter_keys[i].key);
    if (!p) return SIM_ERR_DB;
    p += strlen(counter_keys[i].key);
    while (*p == ' ') p++;
    if (*p != '0') return SIM_ERR_DB;
    snprintf(num[i], sizeof num[i], "%" PRId64, k[counter_keys[i].s]);
    ed[ne++] = (edit){(size_t)(p - tpl), 1, num[i], strlen(num[i])};
  }
  if (roll) {
    const char *p = strstr(tpl, "\"scheduledJobRollouts\":");
    if (p) {
      p += strlen("\"scheduledJobRollouts\":");
      while (*p == ' ') p++;
      if (strncmp(p, "[]", 2) != 0) return SIM_ERR_DB;
      ed[ne++] = (edit){(size_t)(p - tpl), 2, roll, roll_len};
    }
  }
  qsort(ed, ne, sizeof ed[0], cmp_edit);
  size_t tl = strlen(tpl), n = tl;
  for (size_t i = 0; i < ne; i++) n = n - ed[i].cut + ed[i].len;
  char *o = malloc(n + 1);
  if (!o) return SIM_ERR_NOMEM;
  size_t from = 0, w = 0;
  for (size_t i = 0; i < ne; i++) {
    memcpy(o + w, tpl + from, ed[i].at - from);
    w += ed[i].at - from;
    memcpy(o + w, ed[i].with, ed[i].len);
    w += ed[i].len;
    from = ed[i].at + ed[i].cut;
  }
  memcpy(o + w, tpl + from, tl - from);
  w += tl - from;
  o[w] = 0;
  *out = o;
  *out_len = w;
  return SIM_OK;
}

int report_store_describe_job(const report_store *st, sim_time_ms at,
                              const report_opts *o, char **text, size_t *len,
                              bool *deleted, sim_diag *d) {
  *text = NULL;
  *len = 0;
  *deleted = false;
  if (at > st->info.until && !st->info.finished) {
    char h[64], a[64];
    sim_duration_format(st->info.until, h, sizeof h);
    sim_duration_format(at, a, sizeof a);
    return sim_diag_set(d, SIM_ERR_RANGE, NULL,
                        "%s: the run stopped at its horizon +%s with the job still able "
                        "to change, so the store cannot tell what describe-job shows at "
                        "+%s; run again with a longer --until, or use --scenario",
                        st->path, h, a);
  }
  int col = o->ts == REPORT_TS_ISO8601 ? 2 : 0;
  if (o->compact) col++;
  static const char *const view_sql[4] = {
      "SELECT at_ms, deleted, epoch FROM job_view WHERE at_ms <= ? ORDER BY at_ms DESC LIMIT 1",
      "SELECT at_ms, deleted, epoch_compact FROM job_view WHERE at_ms <= ? "
      "ORDER BY at_ms DESC LIMIT 1",
      "SELECT at_ms, deleted, iso8601 FROM job_view WHERE at_ms <= ? ORDER BY at_ms DESC LIMIT 1",
      "SELECT at_ms, deleted, iso8601_compact FROM job_view WHERE at_ms <= ? "
      "ORDER BY at_ms DESC LIMIT 1"};
  sqlite3_stmt *s = NULL;
  char *tpl = NULL, *roll = NULL;
  int rc = SIM_OK;
  if (sqlite3_prepare_v2(st->db, view_sql[col], -1, &s, NULL) != SQLITE_OK) {
    rc = db_error(st, d, "query job_view");
    goto out;
  }
  sqlite3_bind_int64(s, 1, at);
  int r = sqlite3_step(s);
  if (r != SQLITE_ROW) {
    rc = r == SQLITE_DONE ? damaged(st, d, "job_view", "no row at or before %" PRId64 " ms",
                                    at)
                          : db_error(st, d, "query job_view");
    goto out;
  }
  int64_t view_at = sqlite3_column_int64(s, 0), del = sqlite3_column_int64(s, 1);
  if (sqlite3_column_type(s, 1) != SQLITE_INTEGER || (del != 0 && del != 1) ||
      sqlite3_column_type(s, 2) != SQLITE_TEXT) {
    rc = damaged(st, d, "job_view", "row at_ms %" PRId64 ": deleted is neither 0 nor 1, or "
                 "the view is not text", view_at);
    goto out;
  }
  if (del) {
    *deleted = true;
    goto out;
  }
  if (text_col(s, 2, &tpl) || !tpl) {
    rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    goto out;
  }
  sqlite3_finalize(s);
  s = NULL;
  int64_t k[MODEL_EXEC_STATUS_COUNT];
  if ((rc = report_store_counters(st, at, k, d))) goto out;
  size_t roll_len = 0;
  if (st->sc->n_windows > 0) {
    /* The engine's clock stops where the run ended: past the end of a
     * finished run, describe-job lists the windows after that instant. */
    int64_t rw[ROLLOUTS_SHOWN];
    size_t nr = next_windows(st->sc, at < st->info.end ? at : st->info.end, rw,
                             ROLLOUTS_SHOWN);
    roll = rollouts_text(rw, nr, o->compact, &roll_len);
    if (!roll) {
      rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
      goto out;
    }
  }
  rc = fill(tpl, k, roll, roll_len, text, len);
  if (rc == SIM_ERR_NOMEM) {
    sim_diag_set(d, rc, NULL, "out of memory");
  } else if (rc || !sim_json_valid(*text, *len) || strncmp(*text, "{", 1) != 0) {
    free(*text);
    *text = NULL;
    *len = 0;
    rc = damaged(st, d, "job_view", "row at_ms %" PRId64 ": %s", view_at,
                 rc ? "the view lacks the counters describe-job has"
                    : "the view is not a JSON object");
  }
out:
  sqlite3_finalize(s);
  free(tpl);
  free(roll);
  return rc;
}

void report_store_free(report_store *st) {
  if (!st) return;
  ins_stop(st, true, NULL);   /* a failed run: the ops left are dropped */
  for (int i = 0; i < S_COUNT; i++) sqlite3_finalize(st->st[i]);
  if (st->db && st->in_tx) sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close(st->db);
  if (st->fd >= 0) close(st->fd);
  model_scenario_free(st->own_sc);
  free(st->last_view);
  free(st->blob);
  free(st->meta_version);
  free(st->meta_options);
  free(st);
}
