/*
 * timeline.c — timeline rows (see timeline.h).
 */
#include "timeline.h"

#include <inttypes.h>
#include <string.h>

const char report_timeline_header[] =
    "time,offset_s,reason,status,rate_per_min,notified,queued,in_progress,succeeded,"
    "failed,rejected,timed_out,canceled,removed,records\n";

void report_timeline_take(report_timeline_row *r, const model_engine *e, unsigned why) {
  report_timeline_take_at(r, e, 0, why);
}

void report_timeline_take_at(report_timeline_row *r, const model_engine *e, size_t job,
                             unsigned why) {
  const model_job *j = model_engine_job_at(e, job);
  r->at = model_engine_now(e);
  r->why = why;
  r->status = j->status;
  r->vanished = j->vanished;
  r->rate = (why & MODEL_ROW_WINDOW) ? j->window_rate : j->rate;
  r->notified = j->notified;
  memcpy(r->counters, j->counters, sizeof r->counters);
  r->records = j->records;
}

void report_timeline_reason(unsigned why, char *buf, size_t n) {
  static const struct { unsigned bit; const char *name; } rs[] = {
      {MODEL_ROW_START, "start"}, {MODEL_ROW_WINDOW, "window"},
      {MODEL_ROW_SNAPSHOT, "snapshot"}, {MODEL_ROW_STATUS, "status"},
      {MODEL_ROW_END, "end"}, {MODEL_ROW_CANCEL, "cancel"}, {MODEL_ROW_OP, "operation"}};
  size_t len = 0;
  if (n) buf[0] = 0;
  for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++)
    if ((why & rs[i].bit) && len < n) {
      int w = snprintf(buf + len, n - len, "%s%s", len ? "+" : "", rs[i].name);
      if (w > 0) len += (size_t)w;
    }
}

const char *report_timeline_status(const report_timeline_row *r) {
  return r->vanished ? "DELETED" : model_job_status_name(r->status);
}

void report_timeline_write_csv(FILE *f, const report_timeline_row *r,
                               int64_t start_epoch_ms) {
  char iso[40], reason[64];
  model_format_iso8601(start_epoch_ms + r->at, iso, sizeof iso);
  report_timeline_reason(r->why, reason, sizeof reason);
  const int64_t *k = r->counters;
  fprintf(f,
          "%s,%" PRId64 ".%03d,%s,%s,%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64
          ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64
          ",%" PRId64 "\n",
          iso, r->at / 1000, (int)(r->at % 1000), reason, report_timeline_status(r),
          r->rate, r->notified, k[MODEL_EXEC_QUEUED], k[MODEL_EXEC_IN_PROGRESS],
          k[MODEL_EXEC_SUCCEEDED], k[MODEL_EXEC_FAILED], k[MODEL_EXEC_REJECTED],
          k[MODEL_EXEC_TIMED_OUT], k[MODEL_EXEC_CANCELED], k[MODEL_EXEC_REMOVED],
          r->records);
}
