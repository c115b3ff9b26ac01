/*
 * outdir.h — atomic report directories. A run writes into a fresh hidden
 * sibling directory (".NAME.tmp-PID") and, only when every file is complete,
 * puts it in place; an earlier jobsim output at that path is replaced as a
 * whole. A reader therefore sees the old report or the new one, never a
 * half-written one.
 *
 * What is ours. Every directory jobsim writes holds a marker,
 * REPORT_OUTDIR_MARKER, whose first line is REPORT_OUTDIR_MAGIC, then
 * "version N", "state writing|complete", "pid", "host" and, once complete,
 * one line per entry of the directory ("file NAME" or "dir NAME COUNT").
 * A directory is replaced only when its marker is complete and of a known
 * version and the directory holds nothing the marker does not list (no
 * other top-level name, no entry of another type, no subdirectory holding
 * more files than recorded or anything but regular files): a user's
 * directory that merely contains a run.json, or a report someone added
 * files to, is never replaced.
 *
 * Concurrency. The commit takes an exclusive flock on ".NAME.lock" next to
 * the target, re-checks the target under it (a directory created by
 * someone else during the run is refused, never deleted), swaps the new
 * report in (renameat2 RENAME_EXCHANGE where the file system has it, so
 * the path never disappears), verifies that what it swapped out is the
 * report it checked, deletes it and removes the lock file before
 * releasing it. Runs on one target thus commit one after another: the last
 * commit wins, and nothing else is left.
 *
 * Leftovers. report_outdir_begin() removes, in the target's parent, the
 * temporary and swapped-out directories (".X.tmp-PID", ".X.old-PID") of
 * jobsim processes of this host that no longer exist (killed by SIGKILL,
 * a power cut), recognised by their marker.
 *
 * Names. A target name is at most 255 bytes (NAME_MAX); the hidden sibling
 * names are shortened (prefix + hash) when the name is too long to carry
 * them. Checks of the path (length, components) come before any directory
 * is created.
 *
 * Interrupts. Signals are process-wide, and so is the one piece of state
 * kept here: the flag a signal handler sets (report_interrupt_watch). A
 * commit refuses once it is set (SIM_ERR_INTR, the temporary directory is
 * removed), a wait for gnuplot or for the lock ends, long writes stop.
 *
 * Ownership: the caller owns the report_outdir struct; paths inside it are
 * fixed buffers.
 */
#ifndef JOBSIM_REPORT_OUTDIR_H
#define JOBSIM_REPORT_OUTDIR_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include "sim.h"

#define REPORT_MARKER "run.json"   /* the metadata file of every output */
#define REPORT_OUTDIR_MARKER ".jobsim-output"
#define REPORT_OUTDIR_MAGIC "jobsim output directory"
#define REPORT_OUTDIR_VERSION 1

typedef struct report_outdir {
  char final[4096];   /* where the report will live */
  char tmp[4096];     /* where it is being written */
  char parent[4096];  /* directory of final */
  char base[256];     /* last component of final */
  bool open;          /* tmp exists and must be committed or aborted */
} report_outdir;

/* Check `final` (absent, or a complete jobsim output: see above; its name
 * legal, its parent creatable), create its parent directories, remove the
 * leftovers of dead jobsim processes there, and create the temporary
 * directory with its marker (state writing). */
int report_outdir_begin(report_outdir *o, const char *final, sim_diag *d);
/* Path of a file inside the temporary directory. */
void report_outdir_path(const report_outdir *o, const char *rel, char *buf, size_t n);
/* Write a whole file inside the temporary directory. */
int report_outdir_write(const report_outdir *o, const char *rel, const void *data,
                        size_t len, sim_diag *d);
/* Make a subdirectory inside the temporary directory. */
int report_outdir_mkdir(const report_outdir *o, const char *rel, sim_diag *d);
/* Complete the marker and put the report in place (see above). */
int report_outdir_commit(report_outdir *o, sim_diag *d);
/* Remove the temporary directory and everything in it (safe if not open). */
void report_outdir_abort(report_outdir *o);

/* Is `path` a complete jobsim output directory that may be replaced? When
 * not, `why` (n >= 1) says what is wrong ("no .jobsim-output marker",
 * "'main.c' is not part of the report"). */
bool report_outdir_is_ours(const char *path, char *why, size_t n);

/* Write `dir`/`name` (a file jobsim owns inside a directory it does not,
 * such as the index.html over several reports) atomically, only when it is
 * absent or still the very bytes jobsim wrote last time: a sidecar
 * ".`name`.jobsim" records their size and FNV-1a hash. Serialised with a
 * lock like a commit. Refuses (SIM_ERR_IO) a file someone else wrote. */
int report_outdir_write_owned(const char *dir, const char *name, const void *data,
                              size_t len, sim_diag *d);

/* The same for a file that `writer` writes at the path it is given (a
 * temporary name in `dir`). */
int report_outdir_write_owned_by(const char *dir, const char *name,
                                 int (*writer)(const char *path, void *ud, sim_diag *d),
                                 void *ud, sim_diag *d);

/* Write a whole file atomically (temp file in the same directory + rename). */
int report_write_file_atomic(const char *path, const void *data, size_t len,
                             sim_diag *d);
/* Close a stdio stream, turning any buffered write error into SIM_ERR_IO. */
int report_fclose_checked(FILE *f, const char *path, sim_diag *d);

/* `path` shortened for a message (at most about n - 1 bytes: its start,
 * "...", its end; cut between UTF-8 sequences), so the reason after it is
 * never cut off. Returns buf. */
const char *report_brief_path(const char *path, char *buf, size_t n);

/* The interrupt flag (see above): cli/main.c registers the variable its
 * signal handler sets; NULL stops watching. */
void report_interrupt_watch(const volatile sig_atomic_t *flag);
/* Has a signal asked the process to stop? */
bool report_interrupted(void);
/* Temporary directories open now (async-signal-safe to read): a handler
 * that finds none has nothing to clean up and may _exit at once. */
int report_outdir_open_count(void);

#endif
