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
  sim_time_ms rollout_end;            /* last instant a thing was first notified, -1 */
  bool finished;                      /* the job could no longer change at `end` */
} report_page_input;

/* 1234567 as "1,234,567". */
void report_thousands(int64_t v, char *buf, size_t n);

/* What an abort fired on, read back from the comment the engine gives the
 * job (engine_abort.c): criterion index, failure type, failures among
 * executed, the gate count and the criterion's threshold and minimum. */
typedef struct report_abort_facts {
  int criterion;
  char type[16];
  int64_t failed, executed, gate, min_executed;
  double threshold;   /* % */
} report_abort_facts;
bool report_abort_facts_of(const model_job *j, report_abort_facts *out);

/* "(ALL 5.00 % >= 5 % after 500)": the abort's figures for one-line
 * summaries; "" when the job did not abort. */
void report_abort_brief(const model_job *j, char *buf, size_t n);

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
  bool thumb;                /* NAME/plots/counters.png exists: show it */
} report_page_entry;

/* Write `path` (atomically): an index of several runs, each linked to
 * NAME/index.html with its outcome. */
int report_page_index(const char *path, const report_page_entry *e, size_t n,
                      const char *version_info, sim_diag *d);

#endif
