/*
 * plot.h — the plots of a report, DIR/plots/: gnuplot scripts (.gp), their
 * data (.dat) and, when gnuplot is on PATH, PNG and SVG renderings of
 *   counters   execution records per status over time, stacked
 *   rate       rollout rate over time, each increase marked
 *   abort      failure percentage against each abort threshold, abort marked
 *   progress   things notified against records in a terminal status
 * Scripts and data stay beside the images so a user can restyle them
 * (style.gp holds the shared look) and re-render with `gnuplot NAME.gp`.
 *
 * gnuplot runs as a child process (fork + execv of the file found on PATH,
 * arguments passed as a vector, never through a shell) in the plots
 * directory, in a process group of its own. jobsim waits for it with a
 * deadline (JOBSIM_GNUPLOT_TIMEOUT seconds, default 120) and watches the
 * interrupt flag (outdir.h): on either it kills the group and reaps it, so
 * a gnuplot that hangs (also in its own signal handler) never holds jobsim
 * up. Its output is deterministic for given inputs on one machine.
 *
 * Ownership: everything passed in is borrowed for the call.
 */
#ifndef JOBSIM_REPORT_PLOT_H
#define JOBSIM_REPORT_PLOT_H

#include <stdbool.h>
#include "outdir.h"
#include "timeline.h"

typedef enum report_plot_status {
  REPORT_PLOT_OFF,          /* not asked for */
  REPORT_PLOT_RENDERED,     /* scripts, data and images written */
  REPORT_PLOT_NO_GNUPLOT,   /* scripts and data only: gnuplot not on PATH */
  REPORT_PLOT_FAILED        /* gnuplot ran and failed (see the message) */
} report_plot_status;

typedef struct report_plot_input {
  const model_scenario *sc;
  uint64_t seed;                     /* shown in titles */
  const report_timeline_row *rows;   /* the run's timeline, in time order */
  size_t n_rows;
  sim_time_ms abort_at;              /* instant the abort fired, -1 if none */
} report_plot_input;

/* The plot names, in page order; NULL-terminated. */
extern const char *const report_plot_names[];
/* A one-line caption for plot `name`. */
const char *report_plot_caption(const char *name);

/* Find an executable `gnuplot` on PATH; false when there is none. */
bool report_plot_find_gnuplot(char *path, size_t n);

/* Run gnuplot (from PATH) on `scripts` (NULL-terminated, at most 15) in
 * directory `pdir`, as report_plot_write does; its output goes to
 * pdir/gnuplot.log, removed when empty. Shared with the sweep and planner
 * plots (plan/). NO_GNUPLOT when gnuplot is not on PATH. */
report_plot_status report_plot_render(const char *pdir, const char *const *scripts,
                                      char *why, size_t n);

/* gnuplot started by report_plot_start and not yet reaped. */
/* A report's five plots are drawn by two gnuplot processes side by side
 * (REPORT_PLOT_PROCS; the scripts split into two halves of about equal
 * cost), each logging to a file of its own; when both are done their logs
 * are joined into gnuplot.log in script order (removed when empty). */
#define REPORT_PLOT_PROCS 2
typedef struct report_plot_job {
  int pid[REPORT_PLOT_PROCS];   /* > 0 while that gnuplot runs */
  int n;                        /* processes started */
  bool prepared;                /* report_plot_prestart made plots/ */
  bool early;                   /* started by report_plot_prestart ... */
  int cmd[REPORT_PLOT_PROCS];   /* ... reading its commands from these, until sent */
  double t0, limit;             /* their start (monotonic s) and deadline */
  report_plot_status status;    /* when not running */
  char log[REPORT_PLOT_PROCS][4300];
  char why[512];
} report_plot_job;

/* report_plot_write in two halves, so that gnuplot draws while jobsim
 * writes the rest of the report (the store): start writes DIR/plots/ and
 * starts gnuplot without waiting (an error only for the scripts or data;
 * then nothing runs); finish waits for it as report_plot_write does and
 * gives its status; cancel kills and reaps a gnuplot still running (every
 * path that does not call finish must call it). The job starts zeroed, or
 * as report_plot_prestart left it. */
int report_plot_start(const report_outdir *dir, const report_plot_input *in,
                      report_plot_job *job, sim_diag *d);
/* Before the run: make DIR/plots/ and start the gnuplots already, reading
 * their commands from a socket, so that their own start-up (loading
 * cairo, pango and the rest) overlaps the run. Each is sent at once a
 * warm-up plot into /dev/null (the font found while the engine runs);
 * report_plot_start then writes the data and scripts and sends each a
 * `load` per script. The images are the same bytes. A gnuplot that is
 * never sent its scripts (the run failed: report_plot_cancel; jobsim
 * killed: the socket closes) ends without drawing a file. */
int report_plot_prestart(const report_outdir *dir, report_plot_job *job, sim_diag *d);
void report_plot_finish(report_plot_job *job, report_plot_status *status, char *why,
                        size_t n);
void report_plot_cancel(report_plot_job *job);

/* Write DIR/plots/ inside the report's temporary directory and render it.
 * Returns an error only for failures to write the scripts or data; a
 * missing or failing gnuplot is reported through *status (and, for a
 * failure, a message in `why`, n >= 1). */
int report_plot_write(const report_outdir *dir, const report_plot_input *in,
                      report_plot_status *status, char *why, size_t n, sim_diag *d);

#endif
