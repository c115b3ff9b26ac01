#define _POSIX_C_SOURCE 200809L
/*
 * storein.c — the only SQL of `jobsim fit` (storein.h). The store is opened
 * read-only and treated as hostile: a file that is SQLite but not a jobsim
 * store, or of a schema version jobsim does not know, is refused with the
 * table or version named.
 */
#include "storein.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"

/* Only a regular file can be a store: opened non-blocking, so that a FIFO
 * (no writer: open() would block for ever) or a device is never waited on;
 * the JSON reader then refuses it as not a regular file. */
bool fit_store_is_sqlite(const char *path) {
  int fd = open(path, O_RDONLY | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st;
  char head[16];
  bool yes = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
             read(fd, head, sizeof head) == (ssize_t)sizeof head &&
             memcmp(head, "SQLite format 3", 16) == 0;
  close(fd);
  return yes;
}

static int db_error(sim_diag *d, sqlite3 *db, const char *what) {
  return sim_diag_set(d, SIM_ERR_SCHEMA, NULL, "%s: %s", what, db ? sqlite3_errmsg(db) : "?");
}

/* Open read-only and check the schema version. */
static int open_store(const char *path, sqlite3 **out, int *version_out, sim_diag *d) {
  sqlite3 *db = NULL;
  *out = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    int rc = db_error(d, db, "cannot open the store");
    sqlite3_close(db);
    return rc;
  }
  sqlite3_stmt *st = NULL;
  int version = -1;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    version = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  if (version < 1 || version > REPORT_STORE_VERSION) {
    sqlite3_close(db);
    return sim_diag_set(d, SIM_ERR_SCHEMA, NULL,
                        "not a jobsim report store jobsim knows (schema version %d; this "
                        "jobsim reads 1 to %d)", version, REPORT_STORE_VERSION);
  }
  *out = db;
  if (version_out) *version_out = version;
  return SIM_OK;
}

static int read_run(sqlite3 *db, fit_store_run *run, sim_diag *d) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "SELECT start_epoch_ms, end_ms, things_targeted, executions_stored "
                         "FROM run",
                         -1, &st, NULL) != SQLITE_OK)
    return db_error(d, db, "table run");
  int rc = SIM_OK;
  if (sqlite3_step(st) != SQLITE_ROW) {
    rc = sim_diag_set(d, SIM_ERR_SCHEMA, NULL, "table run: no row (not a finished jobsim run)");
  } else {
    run->start_epoch_ms = sqlite3_column_int64(st, 0);
    run->end_ms = sqlite3_column_int64(st, 1);
    run->things_targeted = sqlite3_column_int64(st, 2);
    run->executions_stored = sqlite3_column_int64(st, 3) != 0;
    if (run->end_ms < 0 || run->things_targeted < 0)
      rc = sim_diag_set(d, SIM_ERR_SCHEMA, NULL, "table run: negative end_ms or things_targeted");
  }
  sqlite3_finalize(st);
  return rc;
}

int fit_store_read_job(const char *path, fit_store_run *run, char **text, sim_diag *d) {
  *text = NULL;
  sqlite3 *db;
  int rc = open_store(path, &db, NULL, d);
  if (rc) return rc;
  if ((rc = read_run(db, run, d))) goto out;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "SELECT epoch, deleted FROM job_view ORDER BY at_ms DESC LIMIT 1", -1,
                         &st, NULL) != SQLITE_OK) {
    rc = db_error(d, db, "table job_view");
    goto out;
  }
  if (sqlite3_step(st) != SQLITE_ROW) {
    rc = sim_diag_set(d, SIM_ERR_SCHEMA, NULL, "table job_view: no row");
  } else if (sqlite3_column_int(st, 1) != 0) {
    rc = sim_diag_set(d, SIM_ERR_RANGE, NULL,
                      "table job_view: the job was deleted (describe-job would say "
                      "ResourceNotFoundException); nothing to fit");
  } else {
    const unsigned char *t = sqlite3_column_text(st, 0);
    *text = t ? strdup((const char *)t) : NULL;
    if (!*text) rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  }
  sqlite3_finalize(st);
out:
  sqlite3_close(db);
  return rc;
}

/* ------------------------------------------- version 2's records --- */

/* Version 2 keeps the records as JSON chunks (docs/store.md); its view
 * `execution` builds names and status words in SQL, at about 5 s per
 * million records. Read here directly: the thing tables once, then each
 * chunk parsed by the strict reader below. */

typedef struct v2_range {
  int64_t first, last;
  int digits;
  char *prefix;
} v2_range;

typedef struct v2_names {
  v2_range *r;
  size_t nr;
  int64_t *id;                 /* thing table, by id */
  char **name;
  size_t nt;
} v2_names;

static void v2_names_free(v2_names *n) {
  for (size_t i = 0; i < n->nr; i++) free(n->r[i].prefix);
  for (size_t i = 0; i < n->nt; i++) free(n->name[i]);
  free(n->r);
  free(n->id);
  free(n->name);
}

static int nomem(sim_diag *d) { return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory"); }

static int v2_load_names(sqlite3 *db, v2_names *n, sim_diag *d) {
  sqlite3_stmt *st = NULL;
  int rc = SIM_OK, s;
  size_t cap = 0;
  int64_t prev_last = -1;
  if (sqlite3_prepare_v2(db, "SELECT first, last, prefix, digits FROM thing_range ORDER BY first",
                         -1, &st, NULL) != SQLITE_OK)
    return db_error(d, db, "table thing_range");
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    const unsigned char *p = sqlite3_column_text(st, 2);
    int64_t first = sqlite3_column_int64(st, 0), last = sqlite3_column_int64(st, 1);
    int64_t digits = sqlite3_column_int64(st, 3);
    if (!p || sqlite3_column_bytes(st, 2) > 128 || first < 0 || last < first ||
        first <= prev_last || digits < 0 || digits > 20) {
      rc = sim_diag_set(d, SIM_ERR_SCHEMA, NULL,
                        "table thing_range: a row out of range (first %" PRId64 ")", first);
      break;
    }
    prev_last = last;
    if (n->nr == cap) {
      size_t nc = cap ? 2 * cap : 8;
      v2_range *r = realloc(n->r, nc * sizeof *r);
      if (!r) {
        rc = nomem(d);
        break;
      }
      n->r = r;
      cap = nc;
    }
    v2_range *r = &n->r[n->nr];
    if (!(r->prefix = strdup((const char *)p))) {
      rc = nomem(d);
      break;
    }
    r->first = first;
    r->last = last;
    r->digits = (int)digits;
    n->nr++;
  }
  if (!rc && s != SQLITE_DONE) rc = db_error(d, db, "table thing_range");
  sqlite3_finalize(st);
  if (rc) return rc;
  cap = 0;
  if (sqlite3_prepare_v2(db, "SELECT id, name FROM thing ORDER BY id", -1, &st, NULL) !=
      SQLITE_OK)
    return db_error(d, db, "table thing");
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    const unsigned char *p = sqlite3_column_text(st, 1);
    if (!p) {
      rc = sim_diag_set(d, SIM_ERR_SCHEMA, NULL, "table thing: a NULL name");
      break;
    }
    if (n->nt == cap) {
      size_t nc = cap ? 2 * cap : 64;
      int64_t *id = realloc(n->id, nc * sizeof *id);
      if (id) n->id = id;
      char **nm = id ? realloc(n->name, nc * sizeof *nm) : NULL;
      if (!nm) {
        rc = nomem(d);
        break;
      }
      n->name = nm;
      cap = nc;
    }
    n->id[n->nt] = sqlite3_column_int64(st, 0);
    if (!(n->name[n->nt] = strdup((const char *)p))) {
      rc = nomem(d);
      break;
    }
    n->nt++;
  }
  if (!rc && s != SQLITE_DONE) rc = db_error(d, db, "table thing");
  sqlite3_finalize(st);
  return rc;
}

/* Thing t's name into buf (as the view names it); false when it has none. */
static bool v2_name(const v2_names *n, int64_t t, char *buf, size_t len) {
  size_t lo = 0, hi = n->nr;   /* the last range with first <= t */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (n->r[mid].first <= t) lo = mid + 1; else hi = mid;
  }
  if (lo > 0 && t <= n->r[lo - 1].last) {
    const v2_range *r = &n->r[lo - 1];
    snprintf(buf, len, "%s-%0*" PRId64, r->prefix, r->digits, t - r->first);
    return true;
  }
  lo = 0;
  hi = n->nt;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (n->id[mid] < t) lo = mid + 1; else hi = mid;
  }
  if (lo < n->nt && n->id[lo] == t) {
    snprintf(buf, len, "%s", n->name[lo]);
    return true;
  }
  return false;
}

static const char *skip_ws(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  return p;
}

/* An integer of at most 18 digits (or null when may_null: *v = -1). */
static const char *v2_int(const char *p, const char *end, bool may_null, int64_t *v) {
  p = skip_ws(p, end);
  if (may_null && end - p >= 4 && memcmp(p, "null", 4) == 0) {
    *v = -1;
    return p + 4;
  }
  bool neg = p < end && *p == '-';
  if (neg) p++;
  int64_t x = 0;
  int n = 0;
  while (p < end && *p >= '0' && *p <= '9' && n < 19) {
    x = x * 10 + (*p++ - '0');
    n++;
  }
  if (n == 0 || n > 18 || (p < end && *p >= '0' && *p <= '9')) return NULL;
  *v = neg ? -x : x;
  return p;
}

static const char *v2_char(const char *p, const char *end, char c) {
  p = skip_ws(p, end);
  return p < end && *p == c ? p + 1 : NULL;
}

/* One chunk's records to fn, in order. */
static int v2_chunk(const char *p, const char *end, int64_t row, const v2_names *names,
                    fit_store_exec_fn fn, void *ud, sim_diag *d) {
  static const char *const status[9] = {NULL,        "QUEUED",   "IN_PROGRESS",
                                        "SUCCEEDED", "FAILED",   "TIMED_OUT",
                                        "REJECTED",  "REMOVED",  "CANCELED"};
  if (!(p = v2_char(p, end, '['))) goto fail;
  const char *q = skip_ws(p, end);
  if (q < end && *q == ']') {
    p = q + 1;
  } else {
    for (;;) {
      int64_t v[8];
      if (!(p = v2_char(p, end, '['))) goto fail;
      for (int k = 0; k < 8; k++)
        if ((k && !(p = v2_char(p, end, ','))) || !(p = v2_int(p, end, k == 5, &v[k])))
          goto fail;
      if (!(p = v2_char(p, end, ']'))) goto fail;
      char name[256];
      if (v[3] < 1 || v[3] > 8)
        return sim_diag_set(d, SIM_ERR_SCHEMA, NULL,
                            "table execution_chunk, row %" PRId64 ": status code %" PRId64
                            " is not 1..8", row, v[3]);
      if (!v2_name(names, v[0], name, sizeof name))
        return sim_diag_set(d, SIM_ERR_SCHEMA, NULL,
                            "table execution_chunk, row %" PRId64 ": thing %" PRId64
                            " is in neither thing_range nor thing", row, v[0]);
      int rc = fn(ud, name, v[1], v[2], status[v[3]], v[4], v[5], v[6]);
      if (rc) return rc;
      q = skip_ws(p, end);
      if (q < end && *q == ',') {
        p = q + 1;
        continue;
      }
      if (!(p = v2_char(p, end, ']'))) goto fail;
      break;
    }
  }
  if (skip_ws(p, end) != end) goto fail;
  return SIM_OK;
fail:
  return sim_diag_set(d, SIM_ERR_SCHEMA, NULL,
                      "table execution_chunk, row %" PRId64
                      ": not a JSON array of 8-number records", row);
}

/* Version 2: the run's job's chunks (job 0), in order. */
static int read_v2(sqlite3 *db, fit_store_exec_fn fn, void *ud, sim_diag *d) {
  v2_names names = {0};
  int rc = v2_load_names(db, &names, d);
  sqlite3_stmt *st = NULL;
  if (!rc && sqlite3_prepare_v2(db,
                                "SELECT rowid, rows FROM execution_chunk WHERE job = 0 "
                                "ORDER BY rowid",
                                -1, &st, NULL) != SQLITE_OK)
    rc = db_error(d, db, "table execution_chunk");
  int s = SQLITE_DONE;
  while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
    const char *t = (const char *)sqlite3_column_text(st, 1);
    int n = sqlite3_column_bytes(st, 1);
    int64_t row = sqlite3_column_int64(st, 0);
    if (!t) rc = sim_diag_set(d, SIM_ERR_SCHEMA, NULL,
                              "table execution_chunk, row %" PRId64 ": NULL rows", row);
    else rc = v2_chunk(t, t + n, row, &names, fn, ud, d);
  }
  if (!rc && s != SQLITE_DONE) rc = db_error(d, db, "table execution_chunk");
  sqlite3_finalize(st);
  v2_names_free(&names);
  return rc;
}

int fit_store_read_executions(const char *path, fit_store_run *run, fit_store_exec_fn fn,
                              void *ud, sim_diag *d) {
  sqlite3 *db;
  int version = 1;
  int rc = open_store(path, &db, &version, d);
  if (rc) return rc;
  if ((rc = read_run(db, run, d))) goto out;
  if (!run->executions_stored) {
    rc = sim_diag_set(d, SIM_ERR_RANGE, NULL,
                      "table execution: empty (the run was made with --no-executions)");
    goto out;
  }
  if (version >= 2) {
    rc = read_v2(db, fn, ud, d);
    goto out;
  }
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "SELECT thing, execution_number, retry_attempt, status, queued_at_ms, "
                         "started_at_ms, last_updated_at_ms FROM execution",
                         -1, &st, NULL) != SQLITE_OK) {
    rc = db_error(d, db, "table execution");
    goto out;
  }
  int s;
  while ((s = sqlite3_step(st)) == SQLITE_ROW) {
    const unsigned char *thing = sqlite3_column_text(st, 0);
    const unsigned char *status = sqlite3_column_text(st, 3);
    int64_t started =
        sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 5);
    if (!thing || !status) {
      rc = sim_diag_set(d, SIM_ERR_SCHEMA, NULL, "table execution: NULL thing or status");
      break;
    }
    rc = fn(ud, (const char *)thing, sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
            (const char *)status, sqlite3_column_int64(st, 4), started,
            sqlite3_column_int64(st, 6));
    if (rc) break;
  }
  if (!rc && s != SQLITE_DONE) rc = db_error(d, db, "table execution");
  sqlite3_finalize(st);
out:
  sqlite3_close(db);
  return rc;
}
