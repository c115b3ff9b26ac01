#define _POSIX_C_SOURCE 200809L
/*
 * storein.c — the only SQL of `jobsim fit` (storein.h). The store is opened
 * read-only and treated as hostile: a file that is SQLite but not a jobsim
 * store, or of a schema version jobsim does not know, is refused with the
 * table or version named.
 */
#include "storein.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"

bool fit_store_is_sqlite(const char *path) {
  /* only a regular file can be a store: a FIFO or a device is not read here
   * (opened without blocking, not read), the JSON reader refuses it */
  int fd = open(path, O_RDONLY | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st;
  char head[16];
  bool yes = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && read(fd, head, 16) == 16 &&
             memcmp(head, "SQLite format 3", 16) == 0;
  close(fd);
  return yes;
}

static int db_error(sim_diag *d, sqlite3 *db, const char *what) {
  return sim_diag_set(d, SIM_ERR_SCHEMA, NULL, "%s: %s", what, db ? sqlite3_errmsg(db) : "?");
}

/* Open read-only and check the schema version. */
static int open_store(const char *path, sqlite3 **out, sim_diag *d) {
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
  int rc = open_store(path, &db, d);
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

int fit_store_read_executions(const char *path, fit_store_run *run, fit_store_exec_fn fn,
                              void *ud, sim_diag *d) {
  sqlite3 *db;
  int rc = open_store(path, &db, d);
  if (rc) return rc;
  if ((rc = read_run(db, run, d))) goto out;
  if (!run->executions_stored) {
    rc = sim_diag_set(d, SIM_ERR_RANGE, NULL,
                      "table execution: empty (the run was made with --no-executions)");
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
