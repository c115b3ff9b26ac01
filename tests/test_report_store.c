/*
 * test_report_store.c — the SQLite store of a run (reports/store.h):
 *  - run.sqlite agrees with itself and with the report files: schema
 *    version, run and scenario rows, the timeline table equals timeline.csv
 *    row for row and its last row equals the final counters, every timeline
 *    row equals the counters log at its instant, the execution rows counted
 *    by status equal the final counters, the snapshot rows equal the
 *    snapshots/ files and the last one describe-job.json, the event rows
 *    equal events.log;
 *  - describe-job answered from the store equals the engine's describe-job,
 *    byte for byte in all four renderings, at every snapshot instant and at
 *    instants between them (every instant at which the counters or the job
 *    view changed, and one millisecond either side), for every bundled
 *    scenario;
 *  - a store written without executions answers the same;
 *  - a scenario whose job is a separate file is self-contained in the store;
 *  - the content hash is FNV-1a 64 of the scenario bytes;
 *  - the execution and job_execution views (schema version 2) give every
 *    record of the engine, in order, with version 1's columns and types:
 *    generated, listed and joined thing names, several jobs;
 *  - a version 1 store (store_v1.h) is still read.
 * Seeds come from the scenarios.
 */
#define _XOPEN_SOURCE 700
#include "test_common.h"
#include "test_util.h"

#include <dirent.h>
#include <sys/stat.h>
#include <ftw.h>
#include <unistd.h>

#include <sqlite3.h>

#include "describe.h"
#include "engine.h"
#include "run.h"
#include "scenario.h"
#include "store.h"
#include "store_v1.h"

bool test_update_golden;

static const report_opts renderings[4] = {{REPORT_TS_EPOCH, false},
                                          {REPORT_TS_EPOCH, true},
                                          {REPORT_TS_ISO8601, false},
                                          {REPORT_TS_ISO8601, true}};

static int rm_cb(const char *p, const struct stat *sb, int f, struct FTW *w) {
  (void)sb; (void)f; (void)w;
  return remove(p);
}
static void rm_rf(const char *p) { nftw(p, rm_cb, 16, FTW_DEPTH | FTW_PHYS); }

static size_t list_scenarios(char names[][256], size_t cap) {
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/scenarios", JOBSIM_SOURCE_DIR);
  DIR *d = opendir(dir);
  assert_non_null(d);
  size_t n = 0;
  struct dirent *ent;
  while ((ent = readdir(d)) && n < cap) {
    size_t l = strlen(ent->d_name);
    if (l > 5 && strcmp(ent->d_name + l - 5, ".json") == 0 &&
        strncmp(ent->d_name, "job-", 4) != 0)   /* job-*.json: CreateJob files */
      if (snprintf(names[n], 256, "%s/%s", dir, ent->d_name) < 256) n++;
  }
  closedir(d);
  qsort(names, n, 256, (int (*)(const void *, const void *))strcmp);
  return n;
}

static model_scenario *load(const char *path) {
  sim_diag d;
  model_scenario *sc = NULL;
  int rc = model_scenario_load(&sc, path, &d);
  if (rc) fprintf(stderr, "%s: %s: %s\n", d.file, d.path, d.msg);
  assert_int_equal(rc, SIM_OK);
  return sc;
}

static void base_dir(char *buf, size_t n, const char *what) {
  snprintf(buf, n, "%s/store-%s-%ld", JOBSIM_BINARY_DIR, what, (long)getpid());
  rm_rf(buf);
}

static void write_report(const model_scenario *sc, const char *dir, bool executions,
                         report_run_stats *st) {
  report_run_opts o = {.write_files = true, .version_info = "test", .store = true,
                       .no_executions = !executions};
  sim_diag d;
  sim_diag_init(&d, sc->file);
  int rc = report_run(sc, sc->sim.seed, dir, &o, st, &d);
  if (rc) fprintf(stderr, "%s: %s\n", sc->name, d.msg);
  assert_int_equal(rc, SIM_OK);
}

static sqlite3 *open_db(const char *dir) {
  char p[1200];
  snprintf(p, sizeof p, "%s/run.sqlite", dir);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  return db;
}

static int64_t q_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
    fprintf(stderr, "SQL error: %s: %s\n", sql, sqlite3_errmsg(db));
  assert_non_null(s);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  int64_t v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

static char *q_text(sqlite3 *db, const char *sql) {
  sqlite3_stmt *s = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  const unsigned char *t = sqlite3_column_text(s, 0);
  char *r = strdup(t ? (const char *)t : "");
  sqlite3_finalize(s);
  return r;
}

/* ---------------------------------------------- store vs report files --- */

static const char *const status_col[] = {
    NULL, "queued", "in_progress", "succeeded", "failed", "timed_out", "rejected",
    "removed", "canceled"};

static void check_consistency(const model_scenario *sc, const char *dir,
                              const report_run_stats *st) {
  sqlite3 *db = open_db(dir);
  char sql[1024], path[2800];
  assert_int_equal(q_int(db, "PRAGMA user_version"), REPORT_STORE_VERSION);
  assert_int_equal(q_int(db, "SELECT count(*) FROM run"), 1);
  char *name = q_text(db, "SELECT scenario FROM run");
  assert_string_equal(name, sc->name);
  free(name);
  assert_int_equal(q_int(db, "SELECT seed FROM run"), (int64_t)sc->sim.seed);
  assert_int_equal(q_int(db, "SELECT executions_stored FROM run"), 1);
  assert_int_equal(q_int(db, "SELECT end_ms FROM run"), st->end);
  char *json = q_text(db, "SELECT json FROM scenario");
  assert_string_equal(json, sc->json_text);
  free(json);
  char *hash = q_text(db, "SELECT content_hash FROM run");
  char want[17];
  snprintf(want, sizeof want, "%016" PRIx64,
           report_store_fnv1a(REPORT_STORE_FNV_INIT, sc->json_text, strlen(sc->json_text)));
  assert_string_equal(hash, want);
  free(hash);

  /* timeline: as many rows as timeline.csv, the same text, last = final */
  assert_int_equal(q_int(db, "SELECT count(*) FROM timeline"), (int64_t)st->rows);
  snprintf(path, sizeof path, "%s/timeline.csv", dir);
  char *csv = test_read_file(path, NULL);
  assert_non_null(csv);
  sqlite3_stmt *s = NULL;
  assert_int_equal(
      sqlite3_prepare_v2(db,
                         "SELECT time || ',' || printf('%d.%03d', offset_ms / 1000, "
                         "offset_ms % 1000) || ',' || reason || ',' || status || ',' || "
                         "rate_per_min || ',' || notified || ',' || queued || ',' || "
                         "in_progress || ',' || succeeded || ',' || failed || ',' || "
                         "rejected || ',' || timed_out || ',' || canceled || ',' || "
                         "removed || ',' || records FROM timeline ORDER BY rowid",
                         -1, &s, NULL),
      SQLITE_OK);
  char *line = strchr(csv, '\n') + 1;   /* after the header */
  while (sqlite3_step(s) == SQLITE_ROW) {
    char *nl = strchr(line, '\n');
    assert_non_null(nl);
    *nl = 0;
    assert_string_equal((const char *)sqlite3_column_text(s, 0), line);
    line = nl + 1;
  }
  assert_int_equal(*line, 0);
  sqlite3_finalize(s);
  free(csv);
  for (int k = MODEL_EXEC_QUEUED; k < MODEL_EXEC_STATUS_COUNT; k++) {
    snprintf(sql, sizeof sql, "SELECT %s FROM timeline ORDER BY rowid DESC LIMIT 1",
             status_col[k]);
    assert_int_equal(q_int(db, sql), st->job.counters[k]);
    /* executions by final status = final counters */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM execution WHERE status = '%s'",
             model_exec_status_name((model_exec_status)k));
    assert_int_equal(q_int(db, sql), st->job.counters[k]);
  }
  assert_int_equal(q_int(db, "SELECT count(*) FROM execution"), st->job.records);
  /* every timeline row equals the counters log at its instant, and the
   * log ends with the final counters */
  snprintf(path, sizeof path, "%s/run.sqlite", dir);
  report_store *rs = NULL;
  sim_diag d;
  assert_int_equal(report_store_open(&rs, path, &d), SIM_OK);
  int64_t k[MODEL_EXEC_STATUS_COUNT];
  assert_int_equal(report_store_counters(rs, st->end, k, &d), SIM_OK);
  for (int i = MODEL_EXEC_QUEUED; i < MODEL_EXEC_STATUS_COUNT; i++)
    assert_int_equal(k[i], st->job.counters[i]);
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT offset_ms, queued, in_progress, succeeded, "
                                      "failed, timed_out, rejected, removed, canceled "
                                      "FROM timeline ORDER BY rowid",
                                      -1, &s, NULL),
                   SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW) {
    assert_int_equal(report_store_counters(rs, sqlite3_column_int64(s, 0), k, &d), SIM_OK);
    for (int i = MODEL_EXEC_QUEUED; i < MODEL_EXEC_STATUS_COUNT; i++)
      assert_int_equal(k[i], sqlite3_column_int64(s, i));   /* enum order */
  }
  sqlite3_finalize(s);
  report_store_free(rs);

  /* snapshots: the files, in order; the last one is describe-job.json */
  char sdir[1300];
  snprintf(sdir, sizeof sdir, "%s/snapshots", dir);
  struct dirent **list = NULL;
  int nf = scandir(sdir, &list, NULL, alphasort);
  assert_true(nf >= 2);
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT describe_job FROM snapshot ORDER BY rowid",
                                      -1, &s, NULL),
                   SQLITE_OK);
  char *last = NULL;
  size_t files = 0;
  for (int i = 0; i < nf; i++) {
    if (list[i]->d_name[0] != '.') {
      snprintf(path, sizeof path, "%s/%s", sdir, list[i]->d_name);
      char *want_text = test_read_file(path, NULL);
      assert_non_null(want_text);
      assert_int_equal(sqlite3_step(s), SQLITE_ROW);
      assert_string_equal((const char *)sqlite3_column_text(s, 0), want_text);
      free(last);
      last = want_text;
      files++;
    }
    free(list[i]);
  }
  free(list);
  assert_int_equal(sqlite3_step(s), SQLITE_DONE);
  sqlite3_finalize(s);
  assert_int_equal(files, st->snapshots);
  snprintf(path, sizeof path, "%s/describe-job.json", dir);
  char *fin = test_read_file(path, NULL);
  if (!st->job.vanished) {
    assert_non_null(fin);
    assert_string_equal(fin, last);
  }
  free(fin);
  free(last);

  /* events: the story lines of events.log */
  snprintf(path, sizeof path, "%s/events.log", dir);
  char *log = test_read_file(path, NULL);
  assert_non_null(log);
  int64_t lines = 0;
  for (char *p = log; *p;) {
    char *nl = strchr(p, '\n');
    if (p[0] != '#') lines++;
    p = nl ? nl + 1 : p + strlen(p);
  }
  free(log);
  assert_int_equal(q_int(db, "SELECT count(*) FROM event"), lines);
  sqlite3_close(db);
}

/* ------------------------------------- execution views vs engine --- */

typedef struct rows_ctx {
  const model_engine *e;
  sqlite3_stmt *s;
  size_t n;
} rows_ctx;

/* The next row of the view is record v, column by column. */
static int row_is(void *ud, const model_exec_view *v) {
  rows_ctx *c = ud;
  sqlite3_stmt *s = c->s;
  char name[256];
  model_engine_thing_name(c->e, v->thing, name, sizeof name);
  if (sqlite3_step(s) != SQLITE_ROW) fail_msg("record %zu (%s): no row", c->n, name);
  assert_int_equal(sqlite3_column_type(s, 0), SQLITE_TEXT);
  assert_string_equal((const char *)sqlite3_column_text(s, 0), name);
  assert_int_equal(sqlite3_column_type(s, 1), SQLITE_INTEGER);
  assert_int_equal(sqlite3_column_int64(s, 1), v->exec_no);
  assert_int_equal(sqlite3_column_int64(s, 2), v->retry_attempt);
  assert_int_equal(sqlite3_column_type(s, 3), SQLITE_TEXT);
  assert_string_equal((const char *)sqlite3_column_text(s, 3),
                      model_exec_status_name(v->status));
  assert_int_equal(sqlite3_column_int64(s, 4), v->queued_at);
  if (v->started_at < 0) assert_int_equal(sqlite3_column_type(s, 5), SQLITE_NULL);
  else assert_int_equal(sqlite3_column_int64(s, 5), v->started_at);
  assert_int_equal(sqlite3_column_int64(s, 6), v->updated_at);
  assert_int_equal(sqlite3_column_type(s, 7), SQLITE_INTEGER);
  assert_int_equal(sqlite3_column_int64(s, 7), v->version);
  c->n++;
  return 0;
}

/* Every execution record of a fresh engine of sc, job by job, is the next
 * row of execution (job 0) or job_execution (the others), and no row is
 * left over. Returns the records compared. */
static size_t check_exec_rows(const model_scenario *sc, const char *dir) {
  model_engine *e = NULL;
  sim_diag d;
  sim_diag_init(&d, sc->file);
  assert_int_equal(model_engine_new(&e, sc, sc->sim.seed, NULL, &d), SIM_OK);
  assert_int_equal(model_engine_run(e, sc->sim.until), SIM_OK);
  sqlite3 *db = open_db(dir);
  size_t total = 0;
  for (size_t j = 0; j < model_engine_n_jobs(e); j++) {
    const char *cols = "thing, execution_number, retry_attempt, status, queued_at_ms, "
                       "started_at_ms, last_updated_at_ms, version_number";
    char q[600];
    if (j == 0) snprintf(q, sizeof q, "SELECT %s FROM execution", cols);
    else snprintf(q, sizeof q, "SELECT %s FROM job_execution WHERE job_id = ?", cols);
    rows_ctx c = {e, NULL, 0};
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &c.s, NULL), SQLITE_OK);
    if (j) sqlite3_bind_text(c.s, 1, model_engine_config_at(e, j)->job_id, -1, SQLITE_STATIC);
    assert_int_equal(model_engine_foreach_exec_at(e, j, row_is, &c), 0);
    assert_int_equal(sqlite3_step(c.s), SQLITE_DONE);
    sqlite3_finalize(c.s);
    assert_int_equal((int64_t)c.n, model_engine_job_at(e, j)->records);
    total += c.n;
  }
  /* and job_execution holds nothing else */
  assert_int_equal(q_int(db, "SELECT count(*) FROM job_execution") +
                       q_int(db, "SELECT count(*) FROM execution"),
                   (int64_t)total);
  sqlite3_close(db);
  model_engine_free(e);
  return total;
}

static void test_store_agrees_with_files(void **state) {
  (void)state;
  static char names[64][256];
  size_t n = list_scenarios(names, 64);
  assert_true(n >= 12);
  char base[512];
  base_dir(base, sizeof base, "agree");
  for (size_t i = 0; i < n; i++) {
    model_scenario *sc = load(names[i]);
    fprintf(stderr, "# %s seed %" PRIu64 "\n", sc->name, sc->sim.seed);
    char dir[800];
    snprintf(dir, sizeof dir, "%s/%s", base, sc->name);
    report_run_stats st;
    write_report(sc, dir, true, &st);
    check_consistency(sc, dir, &st);
    check_exec_rows(sc, dir);
    model_scenario_free(sc);
  }
  rm_rf(base);
}

/* -------------------------------------------- store vs engine, any T --- */

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* Instants worth asking about: 0, the horizon, every instant at which the
 * counters or the job view changed (at most `cap` of them, evenly spread),
 * and one millisecond before and after each. */
static uint64_t varint(const unsigned char **p) {
  uint64_t r = 0;
  for (int shift = 0;; shift += 7) {
    unsigned char b = *(*p)++;
    r |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) return r;
  }
}

/* Every instant of the counters log, decoded from its chunks (the format of
 * docs/store.md), and the job view instants. */
static size_t change_instants(sqlite3 *db, int64_t **out) {
  size_t n = 0, cap = 1024;
  int64_t *v = malloc(cap * sizeof *v);
  assert_non_null(v);
  sqlite3_stmt *s = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT from_ms, to_ms, instants, deltas FROM "
                                          "counts ORDER BY from_ms", -1, &s, NULL),
                   SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW) {
    int64_t t = sqlite3_column_int64(s, 0), n_in = sqlite3_column_int64(s, 2);
    const unsigned char *p = sqlite3_column_blob(s, 3);
    const unsigned char *end = p + sqlite3_column_bytes(s, 3);
    for (int64_t i = 0; i < n_in; i++) {
      if (i > 0) {
        t += (int64_t)varint(&p);
        unsigned mask = *p++;
        for (int b = 0; b < 8; b++)
          if (mask & (1u << b)) (void)varint(&p);
      }
      if (n == cap) {
        cap *= 2;
        v = realloc(v, cap * sizeof *v);
        assert_non_null(v);
      }
      v[n++] = t;
    }
    assert_true(p == end || n_in == 1);
    assert_int_equal(t, sqlite3_column_int64(s, 1));   /* to_ms */
  }
  sqlite3_finalize(s);
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT at_ms FROM job_view", -1, &s, NULL),
                   SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW) {
    if (n == cap) {
      cap *= 2;
      v = realloc(v, cap * sizeof *v);
      assert_non_null(v);
    }
    v[n++] = sqlite3_column_int64(s, 0);
  }
  sqlite3_finalize(s);
  *out = v;
  return n;
}

static size_t instants(sqlite3 *db, sim_time_ms until, int64_t *out, size_t cap) {
  int64_t *all = NULL;
  size_t n_all = change_instants(db, &all);
  qsort(all, n_all, sizeof *all, cmp_i64);
  size_t step = n_all / (cap / 3) + 1;
  size_t n = 0;
  out[n++] = 0;
  out[n++] = until;
  for (size_t i = 0; i < n_all; i += step) {
    if (n + 3 > cap) break;
    int64_t t = all[i];
    for (int64_t dt = -1; dt <= 1; dt++)
      if (t + dt >= 0 && t + dt <= until) out[n++] = t + dt;
  }
  free(all);
  qsort(out, n, sizeof *out, cmp_i64);
  size_t u = 0;
  for (size_t i = 0; i < n; i++)
    if (u == 0 || out[u - 1] != out[i]) out[u++] = out[i];
  return u;
}

static size_t compare_any_instant(const model_scenario *sc, const char *dir,
                                  size_t cap) {
  char path[1200];
  snprintf(path, sizeof path, "%s/run.sqlite", dir);
  report_store *st = NULL;
  sim_diag d;
  sim_diag_init(&d, NULL);
  int rc = report_store_open(&st, path, &d);
  if (rc) fprintf(stderr, "%s\n", d.msg);
  assert_int_equal(rc, SIM_OK);
  sqlite3 *db = open_db(dir);
  int64_t *ts = malloc(cap * sizeof *ts);
  assert_non_null(ts);
  size_t n = instants(db, sc->sim.until, ts, cap);
  sqlite3_close(db);
  model_engine *e = NULL;
  assert_int_equal(model_engine_new(&e, sc, sc->sim.seed, NULL, &d), SIM_OK);
  size_t compared = 0;
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(model_engine_run(e, ts[i]), SIM_OK);
    for (int r = 0; r < 4; r++) {
      if (r > 0 && i % 7 != 0) continue;   /* every rendering at some instants */
      char *from_db = NULL;
      size_t len = 0;
      bool deleted = false;
      rc = report_store_describe_job(st, ts[i], &renderings[r], &from_db, &len, &deleted,
                                     &d);
      if (rc) fprintf(stderr, "%s at %" PRId64 ": %s\n", sc->name, ts[i], d.msg);
      assert_int_equal(rc, SIM_OK);
      bool vanished = model_engine_job(e)->vanished;
      if (deleted != vanished)
        fprintf(stderr, "%s at %" PRId64 " ms: deleted %d, engine %d\n", sc->name, ts[i],
                deleted, vanished);
      assert_int_equal(deleted, vanished);
      if (!vanished) {
        size_t elen = 0;
        char *from_engine = report_describe_job(e, &renderings[r], &elen);
        assert_non_null(from_engine);
        if (strcmp(from_db, from_engine) != 0)
          fprintf(stderr, "%s at %" PRId64 " ms, rendering %d:\n--- engine\n%s--- store\n%s",
                  sc->name, ts[i], r, from_engine, from_db);
        assert_string_equal(from_db, from_engine);
        assert_int_equal(len, elen);
        free(from_engine);
      }
      free(from_db);
      compared++;
    }
  }
  model_engine_free(e);
  free(ts);
  report_store_free(st);
  return compared;
}

static void test_store_answers_any_instant(void **state) {
  (void)state;
  static char names[64][256];
  size_t n = list_scenarios(names, 64);
  char base[512];
  base_dir(base, sizeof base, "any");
  for (size_t i = 0; i < n; i++) {
    model_scenario *sc = load(names[i]);
    char dir[800];
    snprintf(dir, sizeof dir, "%s/%s", base, sc->name);
    report_run_stats st;
    write_report(sc, dir, true, &st);
    size_t c = compare_any_instant(sc, dir, 1500);
    fprintf(stderr, "# %s: %zu describe-job answers compared\n", sc->name, c);
    model_scenario_free(sc);
  }
  rm_rf(base);
}

/* Past the end: a finished run answers with its final state; a run cut by
 * its horizon refuses. */
static void test_store_after_the_end(void **state) {
  (void)state;
  char path[1024], base[512], dir[800];
  base_dir(base, sizeof base, "end");
  snprintf(path, sizeof path, "%s/scenarios/bad-release-abort.json", JOBSIM_SOURCE_DIR);
  model_scenario *sc = load(path);
  snprintf(dir, sizeof dir, "%s/a", base);
  report_run_stats st;
  write_report(sc, dir, true, &st);
  assert_true(st.end < sc->sim.until);
  snprintf(path, sizeof path, "%s/run.sqlite", dir);
  report_store *rs = NULL;
  sim_diag d;
  assert_int_equal(report_store_open(&rs, path, &d), SIM_OK);
  assert_true(report_store_info_of(rs)->finished);
  char *text = NULL;
  size_t len;
  bool deleted;
  assert_int_equal(report_store_describe_job(rs, sc->sim.until * 3, &renderings[0], &text,
                                             &len, &deleted, &d),
                   SIM_OK);
  snprintf(path, sizeof path, "%s/describe-job.json", dir);
  char *fin = test_read_file(path, NULL);
  assert_string_equal(text, fin);
  free(fin);
  free(text);
  report_store_free(rs);
  model_scenario_free(sc);

  /* cut by the horizon: the job could still change */
  snprintf(path, sizeof path, "%s/scenarios/bad-release-abort.json", JOBSIM_SOURCE_DIR);
  sc = load(path);
  sc->sim.until = 10 * SIM_MS_PER_MIN;
  snprintf(dir, sizeof dir, "%s/b", base);
  write_report(sc, dir, true, &st);
  snprintf(path, sizeof path, "%s/run.sqlite", dir);
  assert_int_equal(report_store_open(&rs, path, &d), SIM_OK);
  assert_false(report_store_info_of(rs)->finished);
  assert_int_equal(report_store_describe_job(rs, sc->sim.until, &renderings[0], &text,
                                             &len, &deleted, &d),
                   SIM_OK);
  free(text);
  assert_int_equal(report_store_describe_job(rs, sc->sim.until + 1, &renderings[0], &text,
                                             &len, &deleted, &d),
                   SIM_ERR_RANGE);
  assert_null(text);
  assert_non_null(strstr(d.msg, "horizon"));
  report_store_free(rs);
  model_scenario_free(sc);
  rm_rf(base);
}

/* --no-executions: no execution rows, the same answers. */
static void test_store_without_executions(void **state) {
  (void)state;
  char path[1024], base[512], dir[800];
  base_dir(base, sizeof base, "noexec");
  snprintf(path, sizeof path, "%s/scenarios/hanging-devices-retry.json", JOBSIM_SOURCE_DIR);
  model_scenario *sc = load(path);
  snprintf(dir, sizeof dir, "%s/x", base);
  report_run_stats st;
  write_report(sc, dir, false, &st);
  sqlite3 *db = open_db(dir);
  assert_int_equal(q_int(db, "SELECT count(*) FROM execution"), 0);
  assert_int_equal(q_int(db, "SELECT executions_stored FROM run"), 0);
  assert_true(q_int(db, "SELECT count(*) FROM counts") > 0);
  sqlite3_close(db);
  assert_true(compare_any_instant(sc, dir, 300) > 100);
  model_scenario_free(sc);
  rm_rf(base);
}

/* Two jobs on a fleet of a generated group, a group of listed names and
 * things that join later (named and generated): every record through the
 * views. Then the same store as version 1 (store_v1.h): opened, answering
 * describe-job as the engine does, its execution table the view's rows. */
static const char views_scenario[] =
    "{\"name\":\"views\",\"jobs\":["
    "{\"jobId\":\"first\",\"targets\":["
    "\"arn:aws:iot:us-west-2:123456789012:thinggroup/gen\","
    "\"arn:aws:iot:us-west-2:123456789012:thinggroup/lab\"],\"document\":\"{}\","
    "\"targetSelection\":\"CONTINUOUS\",\"timeoutConfig\":{\"inProgressTimeoutInMinutes\":10},"
    "\"jobExecutionsRetryConfig\":{\"criteriaList\":[{\"failureType\":\"FAILED\","
    "\"numberOfRetries\":2}]}},"
    "{\"jobId\":\"second\",\"targets\":["
    "\"arn:aws:iot:us-west-2:123456789012:thinggroup/lab\"],\"document\":\"{}\"}],"
    "\"fleet\":{\"groups\":["
    "{\"name\":\"gen\",\"things\":300,\"behavior\":\"b\",\"arrivals\":{\"ratePerHour\":40}},"
    "{\"name\":\"lab\",\"things\":[\"lab-a\",\"lab:b\",\"Lab_c\"],\"behavior\":\"b\"}],"
    "\"behaviors\":{\"b\":{"
    "\"startDelay\":{\"distribution\":\"exponential\",\"mean\":\"10s\"},"
    "\"runTime\":{\"distribution\":\"exponential\",\"mean\":\"30s\"},"
    "\"outcomes\":{\"SUCCEEDED\":0.6,\"FAILED\":0.3,\"NO_RESPONSE\":0.1}}}},"
    "\"operations\":[{\"at\":\"20m\",\"op\":\"add-things\",\"group\":\"lab\","
    "\"things\":[\"late-one\"]}],"
    "\"simulation\":{\"seed\":7,\"until\":\"2h\"}}\n";

static void test_store_execution_views(void **state) {
  (void)state;
  char base[512], scen[800], dir[800], v1dir[800], v1[900], v2[900];
  base_dir(base, sizeof base, "views");
  assert_int_equal(mkdir(base, 0777), 0);
  snprintf(scen, sizeof scen, "%s/views.json", base);
  FILE *f = fopen(scen, "w");
  assert_non_null(f);
  fputs(views_scenario, f);
  assert_int_equal(fclose(f), 0);
  model_scenario *sc = load(scen);
  snprintf(dir, sizeof dir, "%s/v2", base);
  report_run_stats st;
  write_report(sc, dir, true, &st);
  size_t n = check_exec_rows(sc, dir);
  sqlite3 *db = open_db(dir);
  /* each kind of thing is there: generated, listed, joined */
  assert_true(q_int(db, "SELECT count(*) FROM execution WHERE thing = 'gen-000299'") > 0);
  assert_true(q_int(db, "SELECT count(*) FROM execution WHERE thing = 'lab:b'") > 0);
  assert_true(q_int(db, "SELECT count(*) FROM job_execution WHERE thing = 'Lab_c' AND "
                        "job_id = 'second'") > 0);
  assert_true(q_int(db, "SELECT count(*) FROM execution WHERE thing = 'late-one'") > 0);
  assert_true(q_int(db, "SELECT count(*) FROM execution WHERE thing = 'gen-000300'") > 0);
  assert_true(q_int(db, "SELECT count(*) FROM execution WHERE execution_number > 1") > 0);
  assert_true(q_int(db, "SELECT count(*) FROM execution WHERE started_at_ms IS NULL") +
                  q_int(db, "SELECT count(*) FROM execution WHERE status = 'TIMED_OUT'") > 0);
  assert_int_equal(q_int(db, "SELECT count(*) FROM execution WHERE thing IS NULL OR "
                             "status IS NULL"), 0);
  sqlite3_close(db);
  fprintf(stderr, "# views: %zu records\n", n);

  /* version 1 */
  snprintf(v2, sizeof v2, "%s/run.sqlite", dir);
  snprintf(v1dir, sizeof v1dir, "%s/v1", base);
  assert_int_equal(mkdir(v1dir, 0777), 0);
  snprintf(v1, sizeof v1, "%s/run.sqlite", v1dir);
  assert_int_equal(store_make_v1(v2, v1), 0);
  db = open_db(v1dir);
  assert_int_equal(q_int(db, "PRAGMA user_version"), 1);
  assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                             "name = 'execution'"), 1);
  sqlite3_close(db);
  assert_int_equal(check_exec_rows(sc, v1dir), n);
  assert_true(compare_any_instant(sc, v1dir, 200) > 50);
  model_scenario_free(sc);
  rm_rf(base);
}

/* $.job naming a CreateJob file: the store keeps its bytes, so describe-job
 * --db works after the files are gone. */
static void test_store_job_file(void **state) {
  (void)state;
  char base[512], p[900], dir[800];
  base_dir(base, sizeof base, "jobfile");
  assert_int_equal(mkdir(base, 0777), 0);
  snprintf(p, sizeof p, "%s/job.json", base);
  FILE *f = fopen(p, "w");
  assert_non_null(f);
  fputs("{\"jobId\": \"from-file\", \"targets\": "
        "[\"arn:aws:iot:us-west-2:123456789012:thinggroup/g\"], \"document\": \"{}\", "
        "\"description\": \"a job from a file\", "
        "\"jobExecutionsRolloutConfig\": {\"exponentialRate\": {\"baseRatePerMinute\": 10, "
        "\"incrementFactor\": 1.5, \"rateIncreaseCriteria\": {\"numberOfNotifiedThings\": "
        "20}}, \"maximumPerMinute\": 40}}\n", f);
  fclose(f);
  snprintf(p, sizeof p, "%s/scenario.json", base);
  f = fopen(p, "w");
  assert_non_null(f);
  fputs("{\"name\": \"job-file\", \"job\": \"job.json\", \"fleet\": {\"groups\": "
        "[{\"name\": \"g\", \"things\": 300, \"behavior\": \"b\"}], \"behaviors\": "
        "{\"b\": {\"startDelay\": \"10s\", \"runTime\": {\"distribution\": \"uniform\", "
        "\"min\": \"30s\", \"max\": \"3m\"}}}}, \"simulation\": {\"seed\": 5, "
        "\"until\": \"2h\"}}\n", f);
  fclose(f);
  model_scenario *sc = load(p);
  snprintf(dir, sizeof dir, "%s/out", base);
  report_run_stats st;
  write_report(sc, dir, true, &st);
  snprintf(p, sizeof p, "%s/job.json", base);
  assert_int_equal(remove(p), 0);   /* the store must not need it any more */
  sqlite3 *db = open_db(dir);
  char *jp = q_text(db, "SELECT job_file FROM scenario");
  assert_non_null(strstr(jp, "job.json"));
  free(jp);
  sqlite3_close(db);
  assert_true(compare_any_instant(sc, dir, 300) > 50);
  model_scenario_free(sc);
  rm_rf(base);
}

static void test_store_hash(void **state) {
  (void)state;
  /* FNV-1a 64 reference vectors */
  assert_true(report_store_fnv1a(REPORT_STORE_FNV_INIT, "", 0) ==
              UINT64_C(0xcbf29ce484222325));
  assert_true(report_store_fnv1a(REPORT_STORE_FNV_INIT, "a", 1) ==
              UINT64_C(0xaf63dc4c8601ec8c));
  assert_true(report_store_fnv1a(REPORT_STORE_FNV_INIT, "foobar", 6) ==
              UINT64_C(0x85944171f73967e8));
}


/* ---------------------------------------- SQLite out of memory (issue 9) */

/* SQLite's allocator, wrapped: while armed, the Nth allocation fails. */
static sqlite3_mem_methods sq_real;
static long sq_count, sq_fail_at;
static bool sq_armed, sq_failed;

static bool sq_should_fail(void) {
  if (!sq_armed || ++sq_count != sq_fail_at) return false;
  sq_failed = true;
  return true;
}
static void *sq_malloc(int n) { return sq_should_fail() ? NULL : sq_real.xMalloc(n); }
static void *sq_realloc(void *p, int n) {
  return sq_should_fail() ? NULL : sq_real.xRealloc(p, n);
}

static void sq_wrap(void) {
  sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sq_real);
  sqlite3_mem_methods m = sq_real;
  m.xMalloc = sq_malloc;
  m.xRealloc = sq_realloc;
  sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}

/* Finding 25 (issue 9, first message): SQLite running out of memory read
 * "insert: no such table: snapshot" (an earlier failure had rolled the
 * transaction back, and a later statement's error was reported). Every
 * failing SQLite allocation during a run must read "out of memory". */
static void finding_25_sqlite_nomem_message(void **state) {
  (void)state;
  char name[1][256];
  snprintf(name[0], 256, "%s/scenarios/bad-release-abort.json", JOBSIM_SOURCE_DIR);
  model_scenario *sc = load(name[0]);
  char dir[1200];
  base_dir(dir, sizeof dir, "nomem");
  report_run_opts o = {.write_files = true, .version_info = "test", .store = true};
  report_run_stats st;
  sim_diag d;
  /* how many SQLite allocations a run makes */
  sq_count = 0;
  sq_fail_at = -1;
  sq_armed = true;
  sim_diag_init(&d, sc->file);
  assert_int_equal(report_run(sc, sc->sim.seed, dir, &o, &st, &d), SIM_OK);
  sq_armed = false;
  /* 150 samples (about 5 s); 20 under valgrind; NOMEM_DENSE=1: 2000 */
  const char *pre = getenv("LD_PRELOAD");
  long samples = getenv("NOMEM_DENSE") ? 2000 : pre && strstr(pre, "vgpreload") ? 20 : 150;
  long total = sq_count, step = total / samples + 1, nomem = 0, wrong = 0;
  rm_rf(dir);
  for (long n = 1; n <= total; n += step) {
    sq_count = 0;
    sq_fail_at = n;
    sq_failed = false;
    sq_armed = true;
    sim_diag_init(&d, sc->file);
    int rc = report_run(sc, sc->sim.seed, dir, &o, &st, &d);
    sq_armed = false;
    rm_rf(dir);
    if (!sq_failed || rc == SIM_OK) continue;   /* SQLite may survive a failure */
    if (rc == SIM_ERR_NOMEM && strstr(d.msg, "out of memory")) {
      nomem++;
      continue;
    }
    wrong++;
    fprintf(stderr, "SQLite allocation %ld of %ld failed: %s (%s)\n", n, total, d.msg,
            sim_errname(rc));
  }
  print_message("SQLite allocations in a run: %ld; every %ld-th failed once: %ld read "
                "'out of memory', %ld did not\n", total, step, nomem, wrong);
  assert_int_equal(wrong, 0);
  assert_true(nomem > samples / 15);
  model_scenario_free(sc);
}

int main(int argc, char **argv) {
  test_parse_args(argc, argv);
  sq_wrap();   /* before SQLite initialises */
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_store_hash),
      cmocka_unit_test(test_store_agrees_with_files),
      cmocka_unit_test(test_store_answers_any_instant),
      cmocka_unit_test(test_store_after_the_end),
      cmocka_unit_test(test_store_without_executions),
      cmocka_unit_test(test_store_job_file),
      cmocka_unit_test(test_store_execution_views),
      cmocka_unit_test(finding_25_sqlite_nomem_message),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
