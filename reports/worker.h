/*
 * worker.h — a second thread that runs the jobs handed to it, one at a
 * time in the order they came: what the snapshot writer (bgwrite.c) and
 * the store's insert thread (store.c) are made of. The engine is
 * single-threaded and keeps one core busy; a worker gives the other core
 * work that does not need the engine's state (the job carries copies of
 * what it needs).
 *
 * A job is a fixed-size value copied into a ring of `capacity` under one
 * mutex (a put blocks while the ring is full). The first failure is kept
 * with its message; the jobs after it are not run, only dropped (their
 * `drop` frees what they own), and every later call returns it. The
 * thread blocks every signal: handlers run on the caller's threads.
 *
 * Waking the thread is a system call (several µs on a virtual machine),
 * more than a small job costs: with `batch` > 1 the thread is woken once
 * `batch` jobs wait (and by finish and free), not at every put.
 *
 * Ownership: a put takes what the job owns in every case (run or dropped
 * by the thread, or dropped by the put when it fails); the caller owns
 * `ctx`, which must outlive the worker.
 */
#ifndef JOBSIM_REPORT_WORKER_H
#define JOBSIM_REPORT_WORKER_H

#include <stdbool.h>
#include <stddef.h>

#include "sim.h"

typedef struct report_worker report_worker;

/* Runs one job (on the worker's thread); SIM_OK or a failure set in d. */
typedef int (*report_worker_run_fn)(void *ctx, void *job, sim_diag *d);
/* Frees what a job owns, after it ran or instead of running it. */
typedef void (*report_worker_drop_fn)(const void *job);

/* Start the thread. `what` names it in the message when it cannot start
 * ("the file writer thread"). */
int report_worker_new(report_worker **out, size_t job_size, size_t capacity, size_t batch,
                      report_worker_run_fn run, report_worker_drop_fn drop, void *ctx,
                      const char *what, sim_diag *d);
/* Hand over a copy of the job_size bytes at `job`. Returns the first
 * failure of an earlier job, if any (the job is then dropped). */
int report_worker_put(report_worker *w, const void *job, sim_diag *d);
/* The first failure so far, without waiting. */
int report_worker_failed(report_worker *w, sim_diag *d);
/* Wait until every job handed over has run (or one failed); the first
 * failure. The worker goes on taking jobs. */
int report_worker_finish(report_worker *w, sim_diag *d);
/* End the thread and free the worker: with `run_rest`, after every job
 * left has run (returns the first failure); else the jobs left are
 * dropped, only the one under way finishing first. NULL: SIM_OK. */
int report_worker_free(report_worker *w, bool run_rest, sim_diag *d);

#endif
