/*
 * page.c — self-contained HTML report pages (see page.h). Everything from
 * the scenario is HTML-escaped; images are PNG data URIs. Long stories and
 * snapshot tables are cut (with a note) so a huge run stays a page a
 * browser opens quickly: the full data is in events.log, timeline.csv and
 * run.sqlite beside it.
 */
#define _POSIX_C_SOURCE 200809L
#include "page.h"

#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "plot.h"

#define MAX_STORY_LINES 2000
#define MAX_SNAPSHOT_ROWS 600

typedef struct buf {
  char *p;
  size_t len, cap;
  bool failed;
} buf;

static void put(buf *b, const char *s, size_t n) {
  if (b->failed) return;
  if (b->len + n + 1 > b->cap) {
    size_t nc = b->cap ? b->cap : 16384;
    while (nc < b->len + n + 1) nc *= 2;
    char *np = realloc(b->p, nc);
    if (!np) { b->failed = true; return; }
    b->p = np;
    b->cap = nc;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static void putf(buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void putf(buf *b, const char *fmt, ...) {
  char tmp[2048];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* HTML-escaped text. */
static void esc(buf *b, const char *s) {
  if (!s) return;
  const char *run = s;
  for (; *s; s++) {
    const char *r = NULL;
    switch (*s) {
      case '&': r = "&amp;"; break;
      case '<': r = "&lt;"; break;
      case '>': r = "&gt;"; break;
      case '"': r = "&quot;"; break;
      case '\'': r = "&#39;"; break;
      default: break;
    }
    if (r) {
      put(b, run, (size_t)(s - run));
      puts_(b, r);
      run = s + 1;
    }
  }
  put(b, run, (size_t)(s - run));
}

static void base64(buf *b, const unsigned char *p, size_t n) {
  static const char t[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char out[4];
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16;
    if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
    if (i + 2 < n) v |= p[i + 2];
    out[0] = t[(v >> 18) & 63];
    out[1] = t[(v >> 12) & 63];
    out[2] = i + 1 < n ? t[(v >> 6) & 63] : '=';
    out[3] = i + 2 < n ? t[v & 63] : '=';
    put(b, out, 4);
  }
}

/* A whole file (plot image, events.log), NULL when unreadable: the shared
 * reader, which also caps the size. */
static char *slurp(const char *path, size_t *len) {
  sim_diag d;
  char *p = NULL;
  size_t n = 0;
  sim_diag_init(&d, path);
  if (sim_json_read_file(path, &p, &n, &d)) return NULL;
  if (len) *len = n;
  return p;
}

static void dur(sim_time_ms t, char *b, size_t n) {
  sim_duration_format(t - t % 1000, b, n);   /* whole seconds read better */
}

void report_page_outcome(const model_scenario *sc, const model_job *j, sim_time_ms end,
                         sim_time_ms canceled_at, char *b, size_t n) {
  char d1[64], of[48] = "";
  /* "of M" only when M bounds it: things that join a group later are
   * notified too (CONTINUOUS jobs) */
  if (j->notified <= sc->n_targeted)
    snprintf(of, sizeof of, " of %" PRId64, sc->n_targeted);
  const int64_t *k = j->counters;
  switch (j->status) {
    case MODEL_JOB_COMPLETED:
      dur(j->completed_at, d1, sizeof d1);
      snprintf(b, n, "COMPLETED in %s: %" PRId64 " succeeded, %" PRId64 " failed, %" PRId64
               " rejected, %" PRId64 " timed out",
               d1, k[MODEL_EXEC_SUCCEEDED], k[MODEL_EXEC_FAILED], k[MODEL_EXEC_REJECTED],
               k[MODEL_EXEC_TIMED_OUT]);
      return;
    case MODEL_JOB_CANCELED:
      dur(canceled_at >= 0 ? canceled_at : j->last_updated_at, d1, sizeof d1);
      snprintf(b, n, "CANCELED %s at %s, %" PRId64 "%s"
               " devices hit (notified): %" PRId64 " failed, %" PRId64 " rejected, %" PRId64
               " timed out",
               j->aborted ? "by abort" : "by cancel-job", d1, j->notified, of,
               k[MODEL_EXEC_FAILED], k[MODEL_EXEC_REJECTED], k[MODEL_EXEC_TIMED_OUT]);
      return;
    case MODEL_JOB_IN_PROGRESS:
    case MODEL_JOB_DELETION_IN_PROGRESS:
    case MODEL_JOB_SCHEDULED:
    default:
      dur(end, d1, sizeof d1);
      snprintf(b, n, "%s at the horizon %s: %" PRId64 "%s"
               " devices notified, %" PRId64 " succeeded, %" PRId64 " still in flight",
               model_job_status_name(j->status), d1, j->notified, of,
               k[MODEL_EXEC_SUCCEEDED], k[MODEL_EXEC_QUEUED] + k[MODEL_EXEC_IN_PROGRESS]);
      return;
  }
}

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
    "margin:0;background:#f6f7f9;color:#1d232b;line-height:1.45}"
    "main{max-width:1060px;margin:0 auto;padding:24px 28px 60px;background:#fff;"
    "box-shadow:0 0 12px rgba(0,0,0,.06)}"
    "h1{font-size:1.7em;margin:.2em 0 .1em}h2{font-size:1.25em;margin:1.6em 0 .5em;"
    "border-bottom:1px solid #e3e6ea;padding-bottom:.2em}"
    ".outcome{font-size:1.1em;font-weight:600;padding:.5em .8em;border-radius:6px;"
    "display:inline-block;margin:.4em 0}"
    ".COMPLETED{background:#e5f5e0;color:#14532d}.CANCELED{background:#fde0dc;"
    "color:#7f1d1d}.IN_PROGRESS{background:#e0ecf8;color:#1e3a8a}"
    ".meta{color:#5b6570;font-size:.9em}"
    "table{border-collapse:collapse;font-size:.88em;margin:.4em 0}"
    "th,td{border:1px solid #e3e6ea;padding:3px 8px;text-align:left;vertical-align:top}"
    "th{background:#f1f3f5}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "table.kv th{width:14em}"
    "pre{background:#f6f8fa;border:1px solid #e3e6ea;padding:10px;overflow-x:auto;"
    "font-size:.8em;line-height:1.35}"
    "pre.story{max-height:420px;overflow-y:auto}"
    "figure{margin:1em 0}figure img{max-width:100%;border:1px solid #e3e6ea}"
    "figcaption{color:#5b6570;font-size:.88em}"
    ".note{color:#8a5a00;background:#fff6e0;padding:.4em .7em;border-radius:4px}"
    "a{color:#1f5fbf}";

static void head(buf *b, const char *title) {
  puts_(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<title>");
  esc(b, title);
  puts_(b, "</title>\n<style>");
  puts_(b, css);
  puts_(b, "</style>\n</head>\n<body>\n<main>\n");
}

static void kv(buf *b, const char *k, const char *v) {
  puts_(b, "<tr><th>");
  esc(b, k);
  puts_(b, "</th><td>");
  esc(b, v);
  puts_(b, "</td></tr>\n");
}

static const char *arn_tail(const char *arn) {
  const char *p = strrchr(arn, ':');
  return p ? p + 1 : arn;
}

static void job_config(buf *b, const model_scenario *sc) {
  const model_jobcfg *c = &sc->job;
  char v[2048];
  puts_(b, "<h2>Job configuration</h2>\n<table class=\"kv\">\n");
  kv(b, "jobId", c->job_id);
  if (c->description) kv(b, "description", c->description);
  kv(b, "targetSelection", c->continuous ? "CONTINUOUS" : "SNAPSHOT");
  puts_(b, "<tr><th>targets</th><td>");
  for (size_t i = 0; i < c->n_targets; i++) {
    const model_target *t = &sc->targets[i];
    if (i) puts_(b, "<br>");
    esc(b, arn_tail(c->targets[i]));
    if (t->is_group) putf(b, " (%" PRId64 " things)", t->count);
  }
  putf(b, "<br><b>%" PRId64 " distinct things targeted</b></td></tr>\n", sc->n_targeted);
  if (c->has_exponential) {
    size_t l = (size_t)snprintf(v, sizeof v,
                                "exponential: starts at %" PRId64 "/min, multiplied by %.1f",
                                c->base_rate_per_minute, c->increment_factor);
    if (c->has_notified_criterion)
      l += (size_t)snprintf(v + l, sizeof v - l, " every %" PRId64 " things notified",
                            c->notified_things);
    if (c->has_succeeded_criterion)
      l += (size_t)snprintf(v + l, sizeof v - l, "%s every %" PRId64 " things succeeded",
                            c->has_notified_criterion ? " or" : "", c->succeeded_things);
    snprintf(v + l, sizeof v - l, "; capped at %" PRId64 "/min%s",
             c->has_max_per_minute ? c->max_per_minute : sc->sim.rollout_quota,
             c->has_max_per_minute ? " (maximumPerMinute)" : " (rollout quota)");
  } else if (c->has_max_per_minute) {
    snprintf(v, sizeof v, "constant: at most %" PRId64 " executions per minute "
                          "(maximumPerMinute)", c->max_per_minute);
  } else {
    snprintf(v, sizeof v, "no rollout configuration: the rollout quota, %" PRId64 "/min",
             sc->sim.rollout_quota);
  }
  kv(b, "rollout", v);
  if (c->has_abort) {
    puts_(b, "<tr><th>abort</th><td>");
    for (size_t i = 0; i < c->n_abort; i++) {
      const model_abort_criteria *a = &c->abort[i];
      snprintf(v, sizeof v,
               "criterion %zu: cancel the job when %s failures reach %g%% of executed "
               "things, once %" PRId64 " things have %s",
               i, model_failure_type_name(a->failure_type), a->threshold_percentage,
               a->min_executed,
               sc->sim.abort_gate == MODEL_GATE_NOTIFIED ? "been notified" : "executed");
      if (i) puts_(b, "<br>");
      esc(b, v);
    }
    puts_(b, "</td></tr>\n");
  } else {
    kv(b, "abort", "none");
  }
  if (c->has_in_progress_timeout)
    snprintf(v, sizeof v, "an execution IN_PROGRESS for %" PRId64
                          " minutes becomes TIMED_OUT", c->in_progress_timeout_min);
  else
    snprintf(v, sizeof v, "none: an execution may stay IN_PROGRESS for ever");
  kv(b, "timeout", v);
  if (c->has_retry) {
    size_t l = 0;
    v[0] = 0;
    for (size_t i = 0; i < c->n_retry; i++)
      l += (size_t)snprintf(v + l, sizeof v - l, "%s%s: up to %" PRId64 " retries",
                            i ? "; " : "", model_failure_type_name(c->retry[i].failure_type),
                            c->retry[i].number_of_retries);
    kv(b, "retry", v);
  } else {
    kv(b, "retry", "none");
  }
  if (c->document) kv(b, "document", c->document);
  if (c->document_source) kv(b, "documentSource", c->document_source);
  puts_(b, "</table>\n");
}

/* "lognormal, mean 2m5.3s" or "constant 30s". */
static void dist_text(const sim_dist *dd, char *v, size_t n) {
  char m[64];
  double mean = sim_dist_mean(dd);
  sim_duration_format((sim_time_ms)(mean + 0.5), m, sizeof m);
  if (dd->kind == SIM_DIST_CONSTANT) snprintf(v, n, "%s", m);
  else snprintf(v, n, "%s, mean %s", sim_dist_name(dd->kind), m);
}

static void fleet(buf *b, const model_scenario *sc) {
  const model_fleet *f = &sc->fleet;
  puts_(b, "<h2>Fleet</h2>\n<table>\n<tr><th>group</th><th>things</th><th>behaviour</th>"
           "<th>online when notified</th><th>offline: reconnects after</th>"
           "<th>start delay</th><th>run time</th><th>outcomes</th></tr>\n");
  static const char *const on[] = {"SUCCEEDED", "FAILED", "REJECTED", "NO_RESPONSE"};
  for (size_t g = 0; g < f->n_groups; g++) {
    const model_group *gr = &f->groups[g];
    const model_behavior *bh = &f->behaviors[gr->behavior];
    puts_(b, "<tr><td>");
    esc(b, gr->name);
    putf(b, "</td><td class=\"n\">%" PRId64 "</td><td>", gr->count);
    esc(b, bh->name);
    putf(b, "</td><td class=\"n\">%.1f%%</td>", 100.0 * bh->connected);
    char v[128];
    const sim_dist *ds[] = {&bh->reconnect_after, &bh->start_delay, &bh->run_time};
    for (int i = 0; i < 3; i++) {
      dist_text(ds[i], v, sizeof v);
      puts_(b, "<td>");
      esc(b, v);
      puts_(b, "</td>");
    }
    puts_(b, "<td>");
    bool first = true;
    for (int o = 0; o < MODEL_OUTCOME_COUNT; o++)
      if (bh->outcome_p[o] > 0) {
        putf(b, "%s%s %.1f%%", first ? "" : ", ", on[o], 100.0 * bh->outcome_p[o]);
        first = false;
      }
    puts_(b, "</td></tr>\n");
  }
  puts_(b, "</table>\n");
}

static void settings(buf *b, const model_scenario *sc, uint64_t seed,
                     const char *version) {
  char v[256], t[40];
  puts_(b, "<h2>Simulation</h2>\n<table class=\"kv\">\n");
  snprintf(v, sizeof v, "%" PRIu64, seed);
  kv(b, "seed", v);
  model_format_iso8601(sc->sim.start_epoch_ms, t, sizeof t);
  kv(b, "job created at", t);
  sim_duration_format(sc->sim.until, v, sizeof v);
  kv(b, "horizon", v);
  sim_duration_format(sc->sim.snapshot_every, v, sizeof v);
  kv(b, "snapshot every", v);
  snprintf(v, sizeof v, "%" PRId64 "/min rollout quota, %" PRId64
                        "/min cancellation propagation", sc->sim.rollout_quota,
           sc->sim.cancel_rate);
  kv(b, "service limits", v);
  kv(b, "abort gate", sc->sim.abort_gate == MODEL_GATE_NOTIFIED
                          ? "notified (minNumberOfExecutedThings counts things notified)"
                          : "executed (minNumberOfExecutedThings counts things executed)");
  kv(b, "scenario file", sc->file);
  kv(b, "versions", version ? version : "");
  puts_(b, "</table>\n");
}

static void plots(buf *b, const report_outdir *dir, const report_page_input *in) {
  puts_(b, "<h2>Plots</h2>\n");
  if (!in->plots) {
    puts_(b, "<p class=\"note\">");
    esc(b, in->plots_note ? in->plots_note : "no plots");
    puts_(b, " The gnuplot scripts and data are in <code>plots/</code>; run "
             "<code>gnuplot NAME.gp</code> there to render them.</p>\n");
    return;
  }
  for (const char *const *nm = report_plot_names; *nm; nm++) {
    char rel[64], path[4300];
    snprintf(rel, sizeof rel, "plots/%s.png", *nm);
    report_outdir_path(dir, rel, path, sizeof path);
    size_t len = 0;
    char *png = slurp(path, &len);
    puts_(b, "<figure>");
    if (png) {
      puts_(b, "<img alt=\"");
      esc(b, *nm);
      puts_(b, " plot\" src=\"data:image/png;base64,");
      base64(b, (const unsigned char *)png, len);
      puts_(b, "\">");
      free(png);
    } else {
      putf(b, "<p class=\"note\">plots/%s.png is missing</p>", *nm);
    }
    puts_(b, "<figcaption>");
    esc(b, report_plot_caption(*nm));
    putf(b, " (<code>plots/%s.svg</code>, <code>plots/%s.gp</code>)</figcaption>"
            "</figure>\n", *nm, *nm);
  }
}

static void story(buf *b, const report_outdir *dir) {
  char path[4300];
  report_outdir_path(dir, "events.log", path, sizeof path);
  char *text = slurp(path, NULL);
  puts_(b, "<h2>The story (events.log)</h2>\n<pre class=\"story\">");
  size_t lines = 0, skipped = 0;
  for (char *p = text; p && *p;) {
    char *nl = strchr(p, '\n');
    size_t l = nl ? (size_t)(nl - p) : strlen(p);
    if (p[0] != '#') {
      if (lines < MAX_STORY_LINES) {
        char save = p[l];
        p[l] = 0;
        esc(b, p);
        p[l] = save;
        puts_(b, "\n");
        lines++;
      } else {
        skipped++;
      }
    }
    p += l + (nl ? 1 : 0);
  }
  puts_(b, "</pre>\n");
  if (skipped)
    putf(b, "<p class=\"note\">%zu more lines in events.log</p>\n", skipped);
  free(text);
}

static void snapshots(buf *b, const report_page_input *in) {
  const model_scenario *sc = in->sc;
  puts_(b, "<h2>Snapshots</h2>\n<p>What describe-job showed at each snapshot instant "
           "(files in <code>snapshots/</code>).</p>\n<table>\n<tr><th>instant</th>"
           "<th>UTC</th><th>status</th><th>queued</th><th>in progress</th>"
           "<th>succeeded</th><th>failed</th><th>rejected</th><th>timed out</th>"
           "<th>canceled</th><th>removed</th></tr>\n");
  size_t step = 1;
  while (in->n_rows / step > MAX_SNAPSHOT_ROWS) step++;
  for (size_t i = 0; i < in->n_rows; i++) {
    if (i % step != 0 && i + 1 != in->n_rows) continue;
    const report_timeline_row *r = &in->rows[i];
    char d1[64], iso[40];
    sim_duration_format(r->at, d1, sizeof d1);
    model_format_iso8601(sc->sim.start_epoch_ms + r->at, iso, sizeof iso);
    const int64_t *k = r->counters;
    putf(b, "<tr><td>+%s</td><td>%s</td><td>%s</td>", d1, iso,
         model_job_status_name(r->status));
    static const model_exec_status cols[] = {
        MODEL_EXEC_QUEUED, MODEL_EXEC_IN_PROGRESS, MODEL_EXEC_SUCCEEDED,
        MODEL_EXEC_FAILED, MODEL_EXEC_REJECTED, MODEL_EXEC_TIMED_OUT,
        MODEL_EXEC_CANCELED, MODEL_EXEC_REMOVED};
    for (int c = 0; c < 8; c++) putf(b, "<td class=\"n\">%" PRId64 "</td>", k[cols[c]]);
    puts_(b, "</tr>\n");
  }
  puts_(b, "</table>\n");
  if (step > 1)
    putf(b, "<p class=\"note\">every %zu%s snapshot shown; all are in "
            "<code>snapshots/</code> and <code>run.sqlite</code></p>\n",
         step, step == 2 ? "nd" : step == 3 ? "rd" : "th");
}

int report_page_write(const report_outdir *dir, const report_page_input *in,
                      sim_diag *d) {
  const model_scenario *sc = in->sc;
  buf b = {0};
  char title[256], outcome[512];
  snprintf(title, sizeof title, "jobsim: %s (seed %" PRIu64 ")", sc->name, in->seed);
  report_page_outcome(sc, in->final, in->end, in->canceled_at, outcome, sizeof outcome);
  head(&b, title);
  puts_(&b, "<h1>");
  esc(&b, sc->name);
  puts_(&b, "</h1>\n<div class=\"outcome ");
  puts_(&b, model_job_status_name(in->final->status));
  puts_(&b, "\">");
  esc(&b, outcome);
  putf(&b, "</div>\n<p class=\"meta\">job <code>");
  esc(&b, sc->job.job_id);
  putf(&b, "</code> &middot; seed %" PRIu64 " &middot; %" PRId64
           " things targeted &middot; simulated by jobsim</p>\n", in->seed, sc->n_targeted);
  if (sc->description) {
    puts_(&b, "<h2>What this scenario teaches</h2>\n<p>");
    esc(&b, sc->description);
    puts_(&b, "</p>\n");
  }
  plots(&b, dir, in);
  job_config(&b, sc);
  fleet(&b, sc);
  story(&b, dir);
  snapshots(&b, in);
  puts_(&b, "<h2>Final describe-job</h2>\n<pre>");
  esc(&b, in->describe_job);
  puts_(&b, "</pre>\n");
  settings(&b, sc, in->seed, in->version_info);
  puts_(&b, "<p class=\"meta\">Files beside this page: describe-job.json, snapshots/, "
            "timeline.csv, events.log, run.sqlite (schema: docs/store.md), plots/, "
            "run.json.</p>\n</main>\n</body>\n</html>\n");
  if (b.failed) {
    free(b.p);
    return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  }
  int rc = report_outdir_write(dir, "index.html", b.p, b.len, d);
  free(b.p);
  return rc;
}

int report_page_index(const char *path, const report_page_entry *e, size_t n,
                      const char *version_info, sim_diag *d) {
  buf b = {0};
  head(&b, "jobsim reports");
  putf(&b, "<h1>jobsim reports</h1>\n<p class=\"meta\">%zu scenario%s &middot; ", n,
       n == 1 ? "" : "s");
  esc(&b, version_info ? version_info : "");
  puts_(&b, "</p>\n<table>\n<tr><th>scenario</th><th>outcome</th><th>what it teaches"
            "</th></tr>\n");
  for (size_t i = 0; i < n; i++) {
    puts_(&b, "<tr><td>");
    if (e[i].ok) {
      puts_(&b, "<a href=\"");
      esc(&b, e[i].name);
      puts_(&b, "/index.html\">");
      esc(&b, e[i].name);
      puts_(&b, "</a>");
    } else {
      esc(&b, e[i].name);
    }
    puts_(&b, "</td><td>");
    esc(&b, e[i].outcome);
    puts_(&b, "</td><td>");
    esc(&b, e[i].description ? e[i].description : "");
    puts_(&b, "</td></tr>\n");
  }
  puts_(&b, "</table>\n</main>\n</body>\n</html>\n");
  if (b.failed) {
    free(b.p);
    return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  }
  int rc = report_write_file_atomic(path, b.p, b.len, d);
  free(b.p);
  return rc;
}
