/*
 * outdir.h — atomic report directories. A run writes into a fresh hidden
 * sibling directory (".NAME.tmp-PID") and, only when every file is complete,
 * renames it into place; an earlier jobsim output at that path is replaced
 * as a whole. A reader therefore sees the old report or the new one, never a
 * half-written one. A path that exists and is not a jobsim output directory
 * is never replaced.
 *
 * Ownership: the caller owns the report_outdir struct; paths inside it are
 * fixed buffers.
 */
#ifndef JOBSIM_REPORT_OUTDIR_H
#define JOBSIM_REPORT_OUTDIR_H

#include <stdbool.h>
#include <stdio.h>
#include "sim.h"

#define REPORT_MARKER "run.json"   /* every jobsim output directory has it */

typedef struct report_outdir {
  char final[4096];   /* where the report will live */
  char tmp[4096];     /* where it is being written */
  bool open;          /* tmp exists and must be committed or aborted */
} report_outdir;

/* Create the temporary directory for `final` (checks that `final` is absent
 * or a jobsim output, and that its parent exists and is writable). */
int report_outdir_begin(report_outdir *o, const char *final, sim_diag *d);
/* Path of a file inside the temporary directory. */
void report_outdir_path(const report_outdir *o, const char *rel, char *buf, size_t n);
/* Write a whole file inside the temporary directory. */
int report_outdir_write(const report_outdir *o, const char *rel, const void *data,
                        size_t len, sim_diag *d);
/* Make a subdirectory inside the temporary directory. */
int report_outdir_mkdir(const report_outdir *o, const char *rel, sim_diag *d);
/* Rename into place (replacing an old report). */
int report_outdir_commit(report_outdir *o, sim_diag *d);
/* Remove the temporary directory and everything in it (safe if not open). */
void report_outdir_abort(report_outdir *o);

/* Write a whole file atomically (temp file in the same directory + rename). */
int report_write_file_atomic(const char *path, const void *data, size_t len,
                             sim_diag *d);
/* Close a stdio stream, turning any buffered write error into SIM_ERR_IO. */
int report_fclose_checked(FILE *f, const char *path, sim_diag *d);

#endif
