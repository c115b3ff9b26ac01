/*
 * page.h — the report pages: DIR/index.html for one run (scenario
 * description, the job configuration in words, the plots, the story from
 * events.log, a table of the snapshots and the final describe-job) and an
 * index page over several runs. Each page is one self-contained HTML file:
 * inline CSS, images embedded as base64 data URIs, no scripts, no network.
 *
 * Ownership: everything passed in is borrowed for the call.
 */
#ifndef JOBSIM_REPORT_PAGE_H
#define JOBSIM_REPORT_PAGE_H

#include <stdbool.h>
#include "outdir.h"
#include "timeline.h"

typedef struct report_page_input {
  const model_scenario *sc;
  uint64_t seed;                      /* the run's master seed */
  const char *version_info;           /* jobsim and library versions */
  const model_job *final;             /* final job state */
  sim_time_ms end;                    /* simulated end, ms */
  sim_time_ms canceled_at;            /* instant of the cancel/abort, -1 if none */
  const report_timeline_row *rows;    /* timeline rows of the snapshots */
  size_t n_rows;
  const char *describe_job;           /* final describe-job text */
  bool plots;                         /* the plots/ PNG images exist: embed them */
  const char *plots_note;             /* why there are no plots, or NULL */
} report_page_input;

/* One line of outcome: "COMPLETED in 3h12m4s", "CANCELED by abort at 14m3s,
 * 212 of 10000 devices notified", "IN_PROGRESS at the horizon 12h: ...". */
void report_page_outcome(const model_scenario *sc, const model_job *final,
                         sim_time_ms end, sim_time_ms canceled_at, char *buf, size_t n);

/* Write index.html into the report's temporary directory (reads events.log
 * and plots/ from there). */
int report_page_write(const report_outdir *dir, const report_page_input *in,
                      sim_diag *d);

typedef struct report_page_entry {
  const char *name;          /* scenario name = subdirectory */
  const char *description;   /* or NULL */
  const char *outcome;       /* report_page_outcome() text, or an error */
  bool ok;                   /* the report exists (link it) */
} report_page_entry;

/* Write `path` (atomically): an index of several runs, each linked to
 * NAME/index.html with its outcome. */
int report_page_index(const char *path, const report_page_entry *e, size_t n,
                      const char *version_info, sim_diag *d);

#endif
