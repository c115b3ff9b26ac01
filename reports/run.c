/*
 * run.c — the observer that turns engine observations into report files.
 * Snapshots are rendered at observation instants only (a few hundred per
 * run), the timeline and the story are streamed through stdio buffers, so
 * the writer adds little to the engine's own cost.
 */
#define _POSIX_C_SOURCE 200809L
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "bgwrite.h"
#include "duration.h"
#include "jsonw.h"
#include "outdir.h"
#include "page.h"
#include "store.h"
#include "timeline.h"

/* A job after the first: its files under jobs/<jobId>/. */
typedef struct job_out {
  char id[65];
  char dir[80];                /* "jobs/<jobId>" */
  FILE *timeline, *events;
  char timeline_path[4200], events_path[4200];
  size_t snapshots, rows;
  sim_time_ms last_snapshot;
} job_out;

typedef struct writer {
  const model_scenario *sc;
  const report_run_opts *o;
  report_outdir dir;
  FILE *timeline, *events;
  char timeline_path[4200], events_path[4200];
  size_t snapshots, rows;
  sim_time_ms last_snapshot;
  int rc;                   /* first error */
  sim_diag *d;
  report_store *store;      /* run.sqlite, or NULL */
  bool keep_rows;           /* rows and snaps are kept (plots, page) */
  report_timeline_row *trows, *snaps;  /* every row / the snapshot rows */
  size_t n_trows, cap_trows, n_snaps, cap_snaps;
  sim_time_ms canceled_at;  /* first observation of CANCELED, -1 */
  int64_t last_notified;    /* things notified at the last row */
  sim_time_ms rollout_end;  /* last row at which a thing was first notified, -1 */
  bool multi;               /* the scenario has several jobs */
  job_out *jobs;            /* jobs 1.. of the engine, made as they appear */
  size_t n_jobs;
  report_plot_job plot;     /* gnuplot, drawing while the rest is written */
  report_bgwrite *bg;       /* writes the snapshot files on the second core */
} writer;

static int push_row(report_timeline_row **v, size_t *n, size_t *cap,
                    const report_timeline_row *r) {
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 256;
    report_timeline_row *nv = realloc(*v, nc * sizeof *nv);
    if (!nv) return SIM_ERR_NOMEM;
    *v = nv;
    *cap = nc;
  }
  (*v)[(*n)++] = *r;
  return SIM_OK;
}

static void offset_name(sim_time_ms t, char *buf, size_t n) {
  int64_t d = t / SIM_MS_PER_D, h = t / SIM_MS_PER_H % 24, m = t / SIM_MS_PER_MIN % 60,
          s = t / 1000 % 60, ms = t % 1000;
  snprintf(buf, n, "+%03" PRId64 "d%02" PRId64 "h%02" PRId64 "m%02" PRId64 ".%03" PRId64 "s",
           d, h, m, s, ms);
}

static void fail(writer *w, int rc) {
  if (!w->rc) w->rc = rc;
}

/* Snapshot files are named %06zu_...: beyond this many the names would no
 * longer sort. The scenario's limits keep a run far below it
 * (MODEL_MAX_SNAPSHOTS periodic ones, at most 100000 operations). */
#define MAX_SNAPSHOT_FILES 999999
static FILE *open_in(writer *w, const char *rel, char *path, size_t n);

/* The files of engine job j >= 1, opened at its first observation or line. */
static job_out *job_of(writer *w, const model_engine *e, size_t j) {
  while (w->n_jobs < j) {
    job_out *nj = realloc(w->jobs, (w->n_jobs + 1) * sizeof *nj);
    if (!nj) {
      fail(w, sim_diag_set(w->d, SIM_ERR_NOMEM, NULL, "out of memory"));
      return NULL;
    }
    w->jobs = nj;
    job_out *o = &w->jobs[w->n_jobs++];
    memset(o, 0, sizeof *o);
    snprintf(o->id, sizeof o->id, "%s", model_engine_config_at(e, w->n_jobs)->job_id);
    snprintf(o->dir, sizeof o->dir, "jobs/%s", o->id);
    char rel[160];
    int rc = w->n_jobs == 1 ? report_outdir_mkdir(&w->dir, "jobs", w->d) : SIM_OK;
    if (rc == SIM_OK) rc = report_outdir_mkdir(&w->dir, o->dir, w->d);
    snprintf(rel, sizeof rel, "%s/snapshots", o->dir);
    if (rc == SIM_OK) rc = report_outdir_mkdir(&w->dir, rel, w->d);
    if (rc) { fail(w, rc); return NULL; }
    snprintf(rel, sizeof rel, "%s/timeline.csv", o->dir);
    o->timeline = open_in(w, rel, o->timeline_path, sizeof o->timeline_path);
    snprintf(rel, sizeof rel, "%s/events.log", o->dir);
    o->events = open_in(w, rel, o->events_path, sizeof o->events_path);
    if (!o->timeline || !o->events) return NULL;
    fputs(report_timeline_header, o->timeline);
    fprintf(o->events, "# jobsim run of scenario '%s' (%s): job %s\n", w->sc->name,
            w->sc->file, o->id);
  }
  return &w->jobs[j - 1];
}

/* Observation of a job after the first: its row and snapshot. */
static void job_observe(writer *w, const model_engine *e, size_t j, unsigned why) {
  job_out *o = job_of(w, e, j);
  if (!o || w->rc) return;
  report_timeline_row r;
  report_timeline_take_at(&r, e, j, why);
  report_timeline_write_csv(o->timeline, &r, w->sc->sim.start_epoch_ms);
  o->rows++;
  if (w->store) {
    int rc = report_store_job_row(w->store, o->id, &r, w->d);
    if (rc) { fail(w, rc); return; }
  }
  sim_time_ms now = model_engine_now(e);
  if (!(why & (MODEL_ROW_SNAPSHOT | MODEL_ROW_STATUS | MODEL_ROW_START | MODEL_ROW_END |
               MODEL_ROW_OP)) ||
      model_engine_job_at(e, j)->vanished || (o->snapshots > 0 && now == o->last_snapshot))
    return;
  size_t len;
  char *text = report_describe_job_at(e, j, &w->o->out, &len);
  if (!text) {
    fail(w, sim_diag_set(w->d, SIM_ERR_NOMEM, NULL, "out of memory"));
    return;
  }
  char off[64], rel[200];
  offset_name(now, off, sizeof off);
  snprintf(rel, sizeof rel, "%s/snapshots/%06zu_%s.json", o->dir, o->snapshots, off);
  int rc = report_bgwrite_put(w->bg, rel, text, len, w->d);   /* takes text */
  if (rc) { fail(w, rc); return; }
  o->snapshots++;
  o->last_snapshot = now;
}

static void write_snapshot(writer *w, const model_engine *e) {
  sim_time_ms now = model_engine_now(e);
  if (w->snapshots > 0 && now == w->last_snapshot) return;
  if (w->snapshots == MAX_SNAPSHOT_FILES) {
    fail(w, sim_diag_set(w->d, SIM_ERR_LIMIT, NULL,
                         "more than %d snapshots: their file names would no longer sort",
                         MAX_SNAPSHOT_FILES));
    return;
  }
  size_t len;
  char *text = report_describe_job(e, &w->o->out, &len);
  if (!text) {
    fail(w, sim_diag_set(w->d, SIM_ERR_NOMEM, NULL, "out of memory"));
    return;
  }
  char off[64], rel[128];
  offset_name(now, off, sizeof off);
  snprintf(rel, sizeof rel, "snapshots/%06zu_%s.json", w->snapshots, off);
  int rc = w->store ? report_store_snapshot(w->store, now, text, len, w->d) : SIM_OK;
  if (rc) free(text);
  else rc = report_bgwrite_put(w->bg, rel, text, len, w->d);   /* takes text */
  if (rc) { fail(w, rc); return; }
  if (w->keep_rows) {
    report_timeline_row r;
    report_timeline_take(&r, e, 0);
    if (push_row(&w->snaps, &w->n_snaps, &w->cap_snaps, &r))
      fail(w, sim_diag_set(w->d, SIM_ERR_NOMEM, NULL, "out of memory"));
  }
  w->snapshots++;
  w->last_snapshot = now;
}

static void write_row(writer *w, const model_engine *e, unsigned why) {
  report_timeline_row r;
  report_timeline_take(&r, e, why);
  report_timeline_write_csv(w->timeline, &r, w->sc->sim.start_epoch_ms);
  w->rows++;
  int rc = SIM_OK;
  if (w->store) rc = report_store_observe(w->store, e, &r, w->d);
  if (!rc && w->keep_rows && push_row(&w->trows, &w->n_trows, &w->cap_trows, &r))
    rc = sim_diag_set(w->d, SIM_ERR_NOMEM, NULL, "out of memory");
  if (rc) fail(w, rc);
  if (w->canceled_at < 0 && r.status == MODEL_JOB_CANCELED) w->canceled_at = r.at;
  if (r.notified > w->last_notified) {   /* a thing got its first execution */
    w->last_notified = r.notified;
    w->rollout_end = r.at;
  }
}

static void on_observe(void *ud, const model_engine *e, unsigned why) {
  writer *w = ud;
  if (w->rc || !w->o->write_files) return;
  size_t j = model_engine_observed(e);
  if (j != 0 && j != SIZE_MAX) {
    job_observe(w, e, j, why);
    return;
  }
  write_row(w, e, why);
  if (w->rc) return;   /* keep the first failure's message */
  /* A deleted job has no describe-job any more (ResourceNotFoundException). */
  if ((why & (MODEL_ROW_SNAPSHOT | MODEL_ROW_STATUS | MODEL_ROW_START | MODEL_ROW_END |
              MODEL_ROW_OP)) &&
      !model_engine_job(e)->vanished)
    write_snapshot(w, e);
}

static void on_log(void *ud, const model_engine *e, const char *line) {
  writer *w = ud;
  if (w->rc || !w->o->write_files) return;
  sim_time_ms now = model_engine_now(e);
  char iso[40], off[64];
  model_format_iso8601(w->sc->sim.start_epoch_ms + now, iso, sizeof iso);
  sim_duration_format(now, off, sizeof off);
  /* With several jobs each line says whose it is; a job's own events.log
   * holds its lines (the first job's are in the top-level one). */
  size_t j = model_engine_observed(e);
  char tagged[1500];
  if (w->multi && j != SIZE_MAX) {
    snprintf(tagged, sizeof tagged, "[%s] %s", model_engine_config_at(e, j)->job_id, line);
    if (j > 0) {
      job_out *o = job_of(w, e, j);
      if (!o) return;
      fprintf(o->events, "%s  +%-12s %s\n", iso, off, line);
    }
    line = tagged;
  }
  fprintf(w->events, "%s  +%-12s %s\n", iso, off, line);
  if (w->store) {
    int rc = report_store_log(w->store, now, line, w->d);
    if (rc) fail(w, rc);
  }
}

static void on_event(void *ud, const model_engine *e) {
  writer *w = ud;
  report_store_on_event(w->store, e);
}

static FILE *open_in(writer *w, const char *rel, char *path, size_t n) {
  report_outdir_path(&w->dir, rel, path, n);
  FILE *f = fopen(path, "w");
  if (!f)
    fail(w, sim_diag_set(w->d, SIM_ERR_IO, NULL, "cannot create '%s': %s", path,
                         strerror(errno)));
  return f;
}

static int write_meta(writer *w, const model_engine *e, uint64_t seed,
                      const report_run_stats *st) {
  report_jsonw j;
  report_jsonw_init(&j, false);
  char start[40], end[40];
  model_format_iso8601(w->sc->sim.start_epoch_ms, start, sizeof start);
  model_format_iso8601(w->sc->sim.start_epoch_ms + st->end, end, sizeof end);
  report_jsonw_object(&j);
  report_jsonw_key(&j, "formatVersion");
  report_jsonw_int(&j, 1);
  report_jsonw_key(&j, "scenario");
  report_jsonw_string(&j, w->sc->name);
  report_jsonw_key(&j, "scenarioFile");
  report_jsonw_string(&j, w->sc->file);
  report_jsonw_key(&j, "seed");
  report_jsonw_int(&j, (int64_t)seed);
  report_jsonw_key(&j, "versions");
  report_jsonw_string(&j, w->o->version_info ? w->o->version_info : "");
  report_jsonw_key(&j, "startTime");
  report_jsonw_string(&j, start);
  report_jsonw_key(&j, "endTime");
  report_jsonw_string(&j, end);
  report_jsonw_key(&j, "finalStatus");
  report_jsonw_string(&j, model_job_status_name(st->job.status));
  report_jsonw_key(&j, "jobDeleted");
  report_jsonw_bool(&j, st->job.vanished);
  report_jsonw_key(&j, "aborted");
  report_jsonw_bool(&j, st->job.aborted);
  report_jsonw_key(&j, "thingsTargeted");
  report_jsonw_int(&j, w->sc->n_targeted);
  report_jsonw_key(&j, "thingsNotified");
  report_jsonw_int(&j, st->job.notified);
  report_jsonw_key(&j, "executionRecords");
  report_jsonw_int(&j, st->job.records);
  report_jsonw_key(&j, "events");
  report_jsonw_int(&j, (int64_t)st->events);
  report_jsonw_key(&j, "snapshots");
  report_jsonw_int(&j, (int64_t)st->snapshots);
  if (w->multi) {   /* every job, the first one included */
    report_jsonw_key(&j, "jobs");
    report_jsonw_array(&j);
    for (size_t k = 0; k < model_engine_n_jobs(e); k++) {
      const model_job *jb = model_engine_job_at(e, k);
      char created[40], dir[96];
      model_format_iso8601(w->sc->sim.start_epoch_ms + jb->created_at, created,
                           sizeof created);
      snprintf(dir, sizeof dir, k ? "jobs/%s" : ".", model_engine_config_at(e, k)->job_id);
      report_jsonw_object(&j);
      report_jsonw_key(&j, "jobId");
      report_jsonw_string(&j, model_engine_config_at(e, k)->job_id);
      report_jsonw_key(&j, "dir");
      report_jsonw_string(&j, dir);
      report_jsonw_key(&j, "createdAt");
      report_jsonw_string(&j, created);
      report_jsonw_key(&j, "finalStatus");
      report_jsonw_string(&j, model_job_status_name(jb->status));
      report_jsonw_key(&j, "jobDeleted");
      report_jsonw_bool(&j, jb->vanished);
      report_jsonw_key(&j, "aborted");
      report_jsonw_bool(&j, jb->aborted);
      report_jsonw_key(&j, "thingsTargeted");
      report_jsonw_int(&j, model_engine_targeted_at(e, k));
      report_jsonw_key(&j, "thingsNotified");
      report_jsonw_int(&j, jb->notified);
      report_jsonw_key(&j, "executionRecords");
      report_jsonw_int(&j, jb->records);
      report_jsonw_end_object(&j);
    }
    report_jsonw_end_array(&j);
  }
  report_jsonw_end_object(&j);
  size_t len;
  char *text = report_jsonw_take(&j, &len);
  if (!text) return sim_diag_set(w->d, SIM_ERR_NOMEM, NULL, "out of memory");
  int rc = report_outdir_write(&w->dir, REPORT_MARKER, text, len, w->d);
  free(text);
  return rc;
}

/* The run's options as the store records them (JSON object text). */
static void options_json(const model_scenario *sc, const report_run_opts *o, char *buf,
                         size_t n) {
  char until[64];
  sim_duration_format(sc->sim.until, until, sizeof until);
  snprintf(buf, n,
           "{\"until\":\"%s\",\"timestampFormat\":\"%s\",\"compact\":%s,"
           "\"executions\":%s,\"plots\":%s,\"page\":%s}",
           until, o->out.ts == REPORT_TS_ISO8601 ? "iso8601" : "epoch",
           o->out.compact ? "true" : "false", o->no_executions ? "false" : "true",
           o->plots ? "true" : "false", o->page ? "true" : "false");
}

void report_run_outcome(const model_scenario *sc, const report_run_stats *st, char *buf,
                        size_t n) {
  if (st->job.vanished) {
    char d1[64];
    sim_duration_format(st->end - st->end % 1000, d1, sizeof d1);
    snprintf(buf, n, "DELETED by %s: %" PRId64 " devices notified", d1, st->job.notified);
    return;
  }
  report_page_outcome(sc, &st->job, st->end, st->canceled_at, buf, n);
  if (st->more_jobs[0]) {
    size_t l = strlen(buf);
    snprintf(buf + l, n > l ? n - l : 0, "%s", st->more_jobs);
  }
}

/* Does the scenario create several jobs ($.jobs, create-job)? */
static bool several_jobs(const model_scenario *sc) {
  size_t n = model_scenario_n_jobs(sc);
  for (size_t i = 0; i < sc->n_ops; i++) n += sc->ops[i].kind == MODEL_OP_CREATE_JOB;
  return n > 1;
}

/* Advance the engine to the horizon. With progress, an interrupt flag or an
 * event cap it goes in slices of simulated time (a minute with progress or
 * an interrupt flag, an hour otherwise) and looks at them between slices;
 * the same events run in the same order either way. */
static int advance(model_engine *e, const model_scenario *sc, const report_run_opts *o,
                   sim_diag *d) {
  if (!o->progress && !o->stop && !o->max_events)
    return model_engine_run(e, sc->sim.until);
  /* a minute: an interrupt or the cap takes effect fast even when an hour
   * of simulated time holds millions of events */
  const sim_time_ms slice = o->progress || o->stop ? SIM_MS_PER_MIN : SIM_MS_PER_H;
  int rc = SIM_OK;
  for (sim_time_ms t = 0; !rc;) {
    t = t > sc->sim.until - slice ? sc->sim.until : t + slice;
    rc = model_engine_run(e, t);
    if (o->progress) o->progress(o->progress_ud, e);
    if (rc) break;
    if (o->stop && *o->stop)
      return sim_diag_set(d, SIM_ERR_INTR, NULL, "interrupted at simulated +%" PRId64
                          "s; no report written", model_engine_now(e) / 1000);
    if (o->max_events && model_engine_events(e) > o->max_events)
      return sim_diag_set(d, SIM_ERR_LIMIT, NULL,
                          "stopped after %" PRIu64 " events at simulated +%" PRId64
                          "s: the run exceeds the event cap (--max-events %" PRIu64 ")",
                          model_engine_events(e), model_engine_now(e) / 1000,
                          o->max_events);
    if (model_engine_finished(e) || t >= sc->sim.until) break;
  }
  return rc;
}

/* plots/: its data and scripts, and the gnuplots (started before the run)
 * sent them, as soon as the run is over; they draw on the other core
 * while the store is written (write_extras waits for them). */
static int start_plots(writer *w, uint64_t seed, const report_run_stats *st) {
  if (!w->o->plots) return SIM_OK;
  report_plot_input pi = {w->sc, seed, w->trows, w->n_trows, -1};
  if (st->job.aborted) pi.abort_at = w->canceled_at;
  return report_plot_start(&w->dir, &pi, &w->plot, w->d);
}

/* gnuplot's end and index.html, once every other file is written. */
static int write_extras(writer *w, const model_engine *e, uint64_t seed,
                        report_run_stats *st, const char *final_text) {
  if (w->o->plots)
    report_plot_finish(&w->plot, &st->plots, st->plots_why, sizeof st->plots_why);
  if (!w->o->page) return SIM_OK;
  const char *note = NULL;
  if (st->plots == REPORT_PLOT_OFF) note = "Plots were not requested for this run.";
  else if (st->plots == REPORT_PLOT_NO_GNUPLOT)
    note = "gnuplot was not found on PATH when this report was written.";
  else if (st->plots == REPORT_PLOT_FAILED) note = st->plots_why;
  report_page_input pg = {w->sc, seed, w->o->version_info, &st->job, st->end,
                          w->canceled_at, w->snaps, w->n_snaps,
                          final_text ? final_text : "(the job was deleted: describe-job "
                                                    "fails with ResourceNotFoundException)",
                          st->plots == REPORT_PLOT_RENDERED, note, st->rollout_end,
                          st->finished};
  (void)e;
  return report_page_write(&w->dir, &pg, w->d);
}

int report_run(const model_scenario *sc, uint64_t seed, const char *outdir,
               const report_run_opts *o, report_run_stats *stats, sim_diag *d) {
  writer w = {.sc = sc, .o = o, .d = d, .canceled_at = -1, .rollout_end = -1,
              .multi = several_jobs(sc)};
  model_engine *e = NULL;
  report_run_stats st;
  memset(&st, 0, sizeof st);
  char *final_text = NULL;
  int rc;
  if (o->write_files) {
    if ((rc = report_outdir_begin(&w.dir, outdir, d))) return rc;
    if ((rc = report_outdir_mkdir(&w.dir, "snapshots", d))) goto done;
    if ((rc = report_bgwrite_new(&w.bg, &w.dir, d))) goto done;
    if (o->plots && (rc = report_plot_prestart(&w.dir, &w.plot, d))) goto done;
    w.timeline = open_in(&w, "timeline.csv", w.timeline_path, sizeof w.timeline_path);
    w.events = open_in(&w, "events.log", w.events_path, sizeof w.events_path);
    if (w.rc) { rc = w.rc; goto done; }
    fputs(report_timeline_header, w.timeline);
    fprintf(w.events, "# jobsim run of scenario '%s' (%s), seed %" PRIu64 "\n# %s\n",
            sc->name, sc->file, seed, o->version_info ? o->version_info : "");
    w.keep_rows = o->plots || o->page;
    if (o->store) {
      char path[4300], opts[512];
      report_outdir_path(&w.dir, "run.sqlite", path, sizeof path);
      options_json(sc, o, opts, sizeof opts);
      if ((rc = report_store_new(&w.store, path, sc, seed, o->version_info, opts, d)))
        goto done;
    }
  }
  model_observer obs = {on_observe, on_log, &w, w.store ? on_event : NULL};
  if ((rc = model_engine_new(&e, sc, seed, &obs, d))) goto done;
  rc = advance(e, sc, o, d);
  if (!rc) rc = w.rc;
  if (rc) {
    if (!d->msg[0]) sim_diag_set(d, rc, NULL, "simulation failed: %s", sim_strerror(rc));
    goto done;
  }
  st.job = *model_engine_job(e);
  st.end = model_engine_now(e);
  st.events = model_engine_events(e);
  st.peak_pending = model_engine_peak_pending(e);
  st.snapshots = w.snapshots;
  st.rows = w.rows;
  st.engine_bytes = model_engine_bytes(e);
  st.things = model_engine_things(e);
  st.canceled_at = w.canceled_at;
  st.rollout_end = w.rollout_end;
  /* as the store counts it: a run that reached its horizon is unfinished */
  st.finished = model_engine_finished(e) && st.end < sc->sim.until;
  st.n_jobs = model_engine_n_jobs(e);
  for (size_t k = 1; k < st.n_jobs; k++) {
    const model_job *jb = model_engine_job_at(e, k);
    size_t l = strlen(st.more_jobs);
    snprintf(st.more_jobs + l, sizeof st.more_jobs - l, "%s%s %s", k == 1 ? "; jobs " : ", ",
             model_engine_config_at(e, k)->job_id,
             jb->vanished ? "DELETED" : model_job_status_name(jb->status));
  }
  if (o->write_files) {
    size_t len = 0;
    if ((rc = start_plots(&w, seed, &st))) goto done;
    if (!st.job.vanished) {   /* a deleted job has no describe-job */
      final_text = report_describe_job(e, &o->out, &len);
      if (!final_text) { rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory"); goto done; }
      rc = report_outdir_write(&w.dir, "describe-job.json", final_text, len, d);
      if (rc) goto done;
    }
    for (size_t k = 1; k < st.n_jobs && !rc; k++) {   /* the other jobs' files */
      job_out *jo = job_of(&w, e, k);
      if (!jo) { rc = w.rc; break; }
      if (!model_engine_job_at(e, k)->vanished) {
        size_t jl = 0;
        char rel[120];
        char *text = report_describe_job_at(e, k, &o->out, &jl);
        if (!text) { rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory"); break; }
        snprintf(rel, sizeof rel, "%s/describe-job.json", jo->dir);
        rc = report_outdir_write(&w.dir, rel, text, jl, d);
        free(text);
        if (rc) break;
      }
      FILE *t = jo->timeline, *ev = jo->events;
      jo->timeline = jo->events = NULL;
      if ((rc = report_fclose_checked(t, jo->timeline_path, d))) { fclose(ev); break; }
      rc = report_fclose_checked(ev, jo->events_path, d);
    }
    if (rc) goto done;
    FILE *t = w.timeline, *ev = w.events;
    w.timeline = w.events = NULL;
    if ((rc = report_fclose_checked(t, w.timeline_path, d))) { fclose(ev); goto done; }
    if ((rc = report_fclose_checked(ev, w.events_path, d))) goto done;
    if (w.store) {
      if (!o->no_executions && (rc = report_store_executions(w.store, e, d))) goto done;
      if ((rc = report_store_finish(w.store, e, !o->no_executions, d))) goto done;
    }
    if ((rc = write_extras(&w, e, seed, &st, final_text))) goto done;
    if ((rc = report_bgwrite_finish(w.bg, d))) goto done;   /* every snapshot */
    if ((rc = write_meta(&w, e, seed, &st))) goto done;
    if (o->stop && *o->stop) {   /* a signal while the files were written */
      rc = sim_diag_set(d, SIM_ERR_INTR, NULL, "interrupted; no report written");
      goto done;
    }
    rc = report_outdir_commit(&w.dir, d);
  }
done:
  report_bgwrite_free(w.bg);     /* before the temporary directory can go */
  report_plot_cancel(&w.plot);   /* a gnuplot not waited for (an error) */
  if (w.timeline) fclose(w.timeline);
  if (w.events) fclose(w.events);
  for (size_t k = 0; k < w.n_jobs; k++) {
    if (w.jobs[k].timeline) fclose(w.jobs[k].timeline);
    if (w.jobs[k].events) fclose(w.jobs[k].events);
  }
  free(w.jobs);
  report_store_free(w.store);
  if (rc) report_outdir_abort(&w.dir);
  model_engine_free(e);
  free(final_text);
  free(w.trows);
  free(w.snaps);
  if (!rc && stats) *stats = st;
  return rc;
}
