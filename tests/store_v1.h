/* store_v1.h — a store of schema version 1, made from a store jobsim writes
 * now, for the tests that check every reader still reads version 1.
 *
 * Version 1 kept the execution records as rows of two tables; version 2
 * keeps them in execution_chunk (JSON) and names the things from thing and
 * thing_range, with views of version 1's columns. store_make_v1() copies a
 * store, fills version 1's tables (their DDL below, copied from version 1's
 * writer) from the views, drops what version 2 added and sets user_version
 * to 1: what version 1's writer wrote, apart from page layout. */
#ifndef JOBSIM_TEST_STORE_V1_H
#define JOBSIM_TEST_STORE_V1_H
#include <sqlite3.h>
#include <stdio.h>

static const char store_v1_sql[] =
    "CREATE TABLE execution_v1(\n"
    "  thing TEXT NOT NULL,               -- thing name\n"
    "  execution_number INTEGER NOT NULL,\n"
    "  retry_attempt INTEGER NOT NULL,\n"
    "  status TEXT NOT NULL,              -- at the end of the run\n"
    "  queued_at_ms INTEGER NOT NULL,     -- ms after the job's creation\n"
    "  started_at_ms INTEGER,             -- NULL when never IN_PROGRESS\n"
    "  last_updated_at_ms INTEGER NOT NULL,\n"
    "  version_number INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE job_execution_v1(           -- execution records of the jobs after the first\n"
    "  job_id TEXT NOT NULL, thing TEXT NOT NULL,\n"
    "  execution_number INTEGER NOT NULL, retry_attempt INTEGER NOT NULL,\n"
    "  status TEXT NOT NULL, queued_at_ms INTEGER NOT NULL, started_at_ms INTEGER,\n"
    "  last_updated_at_ms INTEGER NOT NULL, version_number INTEGER NOT NULL\n"
    ");\n"
    "INSERT INTO execution_v1 SELECT * FROM execution;\n"
    "INSERT INTO job_execution_v1 SELECT * FROM job_execution;\n"
    "DROP VIEW execution; DROP VIEW job_execution;\n"
    "DROP TABLE execution_chunk; DROP TABLE thing; DROP TABLE thing_range;\n"
    "ALTER TABLE execution_v1 RENAME TO execution;\n"
    "ALTER TABLE job_execution_v1 RENAME TO job_execution;\n"
    "PRAGMA user_version = 1;\n"
    "VACUUM;\n";

/* Write dst (must not exist) as the version 1 store of src. 0 on success,
 * else -1 with SQLite's message on stderr. */
static inline int store_make_v1(const char *src, const char *dst) {
  sqlite3 *db = NULL;
  char *err = NULL, into[1200];
  int rc = -1;
  snprintf(into, sizeof into, "VACUUM INTO '%s'", dst);
  if (sqlite3_open_v2(src, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_exec(db, into, NULL, NULL, &err) != SQLITE_OK)
    goto out;
  sqlite3_close(db);
  db = NULL;
  if (sqlite3_open(dst, &db) != SQLITE_OK ||
      sqlite3_exec(db, store_v1_sql, NULL, NULL, &err) != SQLITE_OK)
    goto out;
  rc = 0;
out:
  if (rc) fprintf(stderr, "store_make_v1 %s: %s\n", src, err ? err : sqlite3_errmsg(db));
  sqlite3_free(err);
  sqlite3_close(db);
  return rc;
}
#endif
