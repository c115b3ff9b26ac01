/*
 * bgwrite.h — whole files written on a second thread. A run creates a few
 * hundred small files (one describe-job snapshot per observation) while
 * the engine, which is single-threaded, keeps one core busy; creating a
 * file costs far more in the kernel than writing its bytes (on a file
 * system without a journal, ext4 scans every recently deleted inode of
 * the group before it hands out a new one: half a millisecond a file
 * here). The writer takes that off the engine's thread.
 *
 * Same files, same bytes, same order: one thread creates the files in the
 * order they were handed over, through report_outdir_write, so every file
 * and every error message is what a synchronous write gives. The first
 * failure is kept; the next put and the finish return it (the run then
 * stops a few files later than a synchronous write would, with the same
 * message, and its temporary directory is removed as before).
 *
 * The thread blocks every signal: handlers run on the caller's thread, as
 * without it. Memory: at most REPORT_BGWRITE_QUEUE files wait (a put blocks
 * when the queue is full).
 *
 * Ownership: the caller owns the handle and the report_outdir it names,
 * which must outlive the writer; a put takes ownership of `data` (freed by
 * the writer, also when the put fails).
 */
#ifndef JOBSIM_REPORT_BGWRITE_H
#define JOBSIM_REPORT_BGWRITE_H

#include <stddef.h>

#include "outdir.h"
#include "sim.h"

#define REPORT_BGWRITE_QUEUE 256   /* files waiting at most */

typedef struct report_bgwrite report_bgwrite;

/* Start the thread that writes files inside `dir`. */
int report_bgwrite_new(report_bgwrite **out, const report_outdir *dir, sim_diag *d);
/* Hand over `dir`/`rel` with its `len` bytes of `data` (malloc'd; taken in
 * every case). Returns the first failure of an earlier file, if any. */
int report_bgwrite_put(report_bgwrite *w, const char *rel, char *data, size_t len,
                       sim_diag *d);
/* Wait until every file handed over is written; the first failure. */
int report_bgwrite_finish(report_bgwrite *w, sim_diag *d);
/* Stop: files not yet written are dropped; waits for the thread (so the
 * temporary directory can be removed safely). NULL is a no-op. */
void report_bgwrite_free(report_bgwrite *w);

#endif
