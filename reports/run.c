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

#include "duration.h"
#include "jsonw.h"
#include "outdir.h"

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
} writer;

static void offset_name(sim_time_ms t, char *buf, size_t n) {
  int64_t d = t / SIM_MS_PER_D, h = t / SIM_MS_PER_H % 24, m = t / SIM_MS_PER_MIN % 60,
          s = t / 1000 % 60, ms = t % 1000;
  snprintf(buf, n, "+%03" PRId64 "d%02" PRId64 "h%02" PRId64 "m%02" PRId64 ".%03" PRId64 "s",
           d, h, m, s, ms);
}

static void fail(writer *w, int rc) {
  if (!w->rc) w->rc = rc;
}

static void write_snapshot(writer *w, const model_engine *e) {
  sim_time_ms now = model_engine_now(e);
  if (w->snapshots > 0 && now == w->last_snapshot) return;
  size_t len;
  char *text = report_describe_job(e, &w->o->out, &len);
  if (!text) {
    fail(w, sim_diag_set(w->d, SIM_ERR_NOMEM, NULL, "out of memory"));
    return;
  }
  char off[64], rel[128];
  offset_name(now, off, sizeof off);
  snprintf(rel, sizeof rel, "snapshots/%06zu_%s.json", w->snapshots, off);
  int rc = report_outdir_write(&w->dir, rel, text, len, w->d);
  free(text);
  if (rc) { fail(w, rc); return; }
  w->snapshots++;
  w->last_snapshot = now;
}

static void write_row(writer *w, const model_engine *e, unsigned why) {
  const model_job *j = model_engine_job(e);
  sim_time_ms now = model_engine_now(e);
  char iso[40], reason[64] = "";
  model_format_iso8601(w->sc->sim.start_epoch_ms + now, iso, sizeof iso);
  static const struct { unsigned bit; const char *name; } rs[] = {
      {MODEL_ROW_START, "start"}, {MODEL_ROW_WINDOW, "window"},
      {MODEL_ROW_SNAPSHOT, "snapshot"}, {MODEL_ROW_STATUS, "status"},
      {MODEL_ROW_END, "end"}, {MODEL_ROW_CANCEL, "cancel"}, {MODEL_ROW_OP, "operation"}};
  for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++)
    if (why & rs[i].bit) {
      if (reason[0]) strcat(reason, "+");
      strcat(reason, rs[i].name);
    }
  const int64_t *k = j->counters;
  fprintf(w->timeline,
          "%s,%" PRId64 ".%03d,%s,%s,%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64
          ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64
          ",%" PRId64 "\n",
          iso, now / 1000, (int)(now % 1000), reason,
          j->vanished ? "DELETED" : model_job_status_name(j->status),
          (why & MODEL_ROW_WINDOW) ? j->window_rate : j->rate, j->notified, k[MODEL_EXEC_QUEUED], k[MODEL_EXEC_IN_PROGRESS],
          k[MODEL_EXEC_SUCCEEDED], k[MODEL_EXEC_FAILED], k[MODEL_EXEC_REJECTED],
          k[MODEL_EXEC_TIMED_OUT], k[MODEL_EXEC_CANCELED], k[MODEL_EXEC_REMOVED],
          j->records);
  w->rows++;
}

static void on_observe(void *ud, const model_engine *e, unsigned why) {
  writer *w = ud;
  if (w->rc || !w->o->write_files) return;
  write_row(w, e, why);
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
  fprintf(w->events, "%s  +%-12s %s\n", iso, off, line);
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
  report_jsonw_end_object(&j);
  size_t len;
  char *text = report_jsonw_take(&j, &len);
  if (!text) return sim_diag_set(w->d, SIM_ERR_NOMEM, NULL, "out of memory");
  int rc = report_outdir_write(&w->dir, REPORT_MARKER, text, len, w->d);
  free(text);
  (void)e;
  return rc;
}

int report_run(const model_scenario *sc, uint64_t seed, const char *outdir,
               const report_run_opts *o, report_run_stats *stats, sim_diag *d) {
  writer w = {.sc = sc, .o = o, .d = d};
  model_engine *e = NULL;
  report_run_stats st;
  memset(&st, 0, sizeof st);
  int rc;
  if (o->write_files) {
    if ((rc = report_outdir_begin(&w.dir, outdir, d))) return rc;
    if ((rc = report_outdir_mkdir(&w.dir, "snapshots", d))) goto done;
    w.timeline = open_in(&w, "timeline.csv", w.timeline_path, sizeof w.timeline_path);
    w.events = open_in(&w, "events.log", w.events_path, sizeof w.events_path);
    if (w.rc) { rc = w.rc; goto done; }
    fprintf(w.timeline, "time,offset_s,reason,status,rate_per_min,notified,queued,"
                        "in_progress,succeeded,failed,rejected,timed_out,canceled,"
                        "removed,records\n");
    fprintf(w.events, "# jobsim run of scenario '%s' (%s), seed %" PRIu64 "\n# %s\n",
            sc->name, sc->file, seed, o->version_info ? o->version_info : "");
  }
  model_observer obs = {on_observe, on_log, &w, NULL};
  if ((rc = model_engine_new(&e, sc, seed, &obs, d))) goto done;
  rc = model_engine_run(e, sc->sim.until);
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
  if (o->write_files) {
    if (!st.job.vanished) {   /* a deleted job has no describe-job */
      size_t len;
      char *text = report_describe_job(e, &o->out, &len);
      if (!text) { rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory"); goto done; }
      rc = report_outdir_write(&w.dir, "describe-job.json", text, len, d);
      free(text);
      if (rc) goto done;
    }
    FILE *t = w.timeline, *ev = w.events;
    w.timeline = w.events = NULL;
    if ((rc = report_fclose_checked(t, w.timeline_path, d))) { fclose(ev); goto done; }
    if ((rc = report_fclose_checked(ev, w.events_path, d))) goto done;
    if ((rc = write_meta(&w, e, seed, &st))) goto done;
    rc = report_outdir_commit(&w.dir, d);
  }
done:
  if (w.timeline) fclose(w.timeline);
  if (w.events) fclose(w.events);
  if (rc) report_outdir_abort(&w.dir);
  model_engine_free(e);
  if (!rc && stats) *stats = st;
  return rc;
}
