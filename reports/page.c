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
#include <math.h>
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

void report_thousands(int64_t v, char *b, size_t n) {
  char t[32];
  snprintf(t, sizeof t, "%" PRId64, v < 0 ? -v : v);
  size_t l = strlen(t), k = 0;
  char o[48];
  if (v < 0) o[k++] = '-';
  for (size_t i = 0; i < l; i++) {
    if (i && (l - i) % 3 == 0) o[k++] = ',';
    o[k++] = t[i];
  }
  o[k] = 0;
  snprintf(b, n, "%s", o);
}

bool report_abort_facts_of(const model_job *j, report_abort_facts *f) {
  memset(f, 0, sizeof *f);
  if (!j->aborted) return false;
  /* engine_abort.c: "Job aborted by abortConfig criterion %zu: %s %ld of %ld
   * executed (%.2f%%) >= thresholdPercentage %.2f%% with %ld %s >=
   * minNumberOfExecutedThings %ld [synthetic text]" */
  char gate_kind[16];
  int n = sscanf(j->comment,
                 "Job aborted by abortConfig criterion %d: %15s %" SCNd64 " of %" SCNd64
                 " executed (%*f%%) >= thresholdPercentage %lf%% with %" SCNd64
                 " %15s >= minNumberOfExecutedThings %" SCNd64,
                 &f->criterion, f->type, &f->failed, &f->executed, &f->threshold, &f->gate,
                 gate_kind, &f->min_executed);
  return n == 8 && f->executed > 0;
}

/* The failure percentage with enough decimals to show it is over the
 * threshold (5.003 % when 5.00 % would read as equal). */
static int pct_decimals(double pct, double thr) {
  int dec = 2;
  while (dec < 4) {
    double sc = dec == 2 ? 100.0 : dec == 3 ? 1000.0 : 10000.0;
    if (floor(pct * sc + 0.5) / sc > thr || pct <= thr) break;
    dec++;
  }
  return dec;
}

void report_abort_brief(const model_job *j, char *b, size_t n) {
  report_abort_facts f;
  if (!report_abort_facts_of(j, &f)) {
    if (n) b[0] = 0;
    return;
  }
  double pct = 100.0 * (double)f.failed / (double)f.executed;
  snprintf(b, n, "(%s %.*f %% >= %g %% after %" PRId64 ")", f.type,
           pct_decimals(pct, f.threshold), pct, f.threshold, f.min_executed);
}

/* " (96.9 %)" of den; "" when v or den is 0 (a zero count needs no share).
 * A share that rounds to 0.0 or 100.0 but is not keeps two decimals. */
static void share(int64_t v, int64_t den, char *b, size_t n) {
  if (den <= 0 || v <= 0) { if (n) b[0] = 0; return; }
  double p = 100.0 * (double)v / (double)den;
  snprintf(b, n, " (%.*f\u00a0%%)", (p < 0.05 || (p >= 99.95 && v < den)) ? 2 : 1, p);
}

void report_page_outcome(const model_scenario *sc, const model_job *j, sim_time_ms end,
                         sim_time_ms canceled_at, char *b, size_t n) {
  char d1[64], of[64] = "", nt[32], tg[32], c[4][32], p[4][24];
  /* "of M" only when M bounds it: things that join a group later are
   * notified too (CONTINUOUS jobs) */
  report_thousands(j->notified, nt, sizeof nt);
  report_thousands(sc->n_targeted, tg, sizeof tg);
  if (j->notified <= sc->n_targeted) {
    char sh[24];
    share(j->notified, sc->n_targeted, sh, sizeof sh);
    snprintf(of, sizeof of, " of %s%s", tg, sh);
  }
  const int64_t *k = j->counters;
  static const model_exec_status st4[] = {MODEL_EXEC_SUCCEEDED, MODEL_EXEC_FAILED,
                                          MODEL_EXEC_REJECTED, MODEL_EXEC_TIMED_OUT};
  for (int i = 0; i < 4; i++) {
    report_thousands(k[st4[i]], c[i], sizeof c[i]);
    share(k[st4[i]], j->records, p[i], sizeof p[i]);
  }
  switch (j->status) {
    case MODEL_JOB_COMPLETED:
      dur(j->completed_at, d1, sizeof d1);
      snprintf(b, n, "COMPLETED in %s: %s succeeded%s, %s failed%s, %s rejected%s, %s timed "
               "out%s", d1, c[0], p[0], c[1], p[1], c[2], p[2], c[3], p[3]);
      return;
    case MODEL_JOB_CANCELED: {
      report_abort_facts f;
      char why[400] = "";
      if (j->aborted && report_abort_facts_of(j, &f)) {
        double pct = 100.0 * (double)f.failed / (double)f.executed;
        char ex[32], mn[32];
        report_thousands(f.gate, ex, sizeof ex);
        report_thousands(f.min_executed, mn, sizeof mn);
        int dec = pct_decimals(pct, f.threshold);
        snprintf(why, sizeof why, " (%s failures %.*f\u00a0%% \u2265\u00a0%g\u00a0%%, "
                 "%.*f points over, with %s %s \u2265\u00a0%s)", f.type, dec, pct,
                 f.threshold, dec,
                 pct - f.threshold, ex,
                 sc->sim.abort_gate == MODEL_GATE_NOTIFIED ? "notified" : "executed", mn);
      }
      sim_time_ms at = j->aborted && j->aborted_at >= 0 ? j->aborted_at
                       : canceled_at >= 0                ? canceled_at
                                                         : j->last_updated_at;
      dur(at, d1, sizeof d1);
      snprintf(b, n, "CANCELED %s at %s%s: %s%s devices notified: %s failed%s, %s "
               "rejected%s, %s timed out%s", j->aborted ? "by abort" : "by cancel-job", d1,
               why, nt, of, c[1], p[1], c[2], p[2], c[3], p[3]);
      return;
    }
    case MODEL_JOB_IN_PROGRESS:
    case MODEL_JOB_DELETION_IN_PROGRESS:
    case MODEL_JOB_SCHEDULED:
    default: {
      char fl[32];
      dur(end, d1, sizeof d1);
      report_thousands(k[MODEL_EXEC_QUEUED] + k[MODEL_EXEC_IN_PROGRESS], fl, sizeof fl);
      snprintf(b, n, "%s at the horizon %s: %s%s devices notified, %s succeeded%s, %s "
               "failed%s, %s still QUEUED or IN_PROGRESS", model_job_status_name(j->status),
               d1, nt, of, c[0], p[0], c[1], p[1], fl);
      return;
    }
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
    "table.kv th{width:14em}td.t{white-space:nowrap}"
    ".wide{overflow-x:auto}table.snap{font-size:.8em}table.snap td,table.snap th{padding:2px 6px}"
    ".warn{background:#fff3bf;border:2px solid #e0a800;color:#5c4400;padding:.6em .9em;"
    "border-radius:6px;font-weight:600;margin:.6em 0}"
    ".sub{color:#3b4450;margin:.2em 0 .4em}"
    ".thumb{width:240px;border:1px solid #e3e6ea}"
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
    char cnt[32];
    report_thousands(t->count, cnt, sizeof cnt);
    if (t->is_group) putf(b, " (%s things)", cnt);
  }
  char tg[32];
  report_thousands(sc->n_targeted, tg, sizeof tg);
  putf(b, "<br><b>%s distinct things targeted</b></td></tr>\n", tg);
  char n1[32], n2[32];
  if (c->has_exponential) {
    report_thousands(c->base_rate_per_minute, n1, sizeof n1);
    size_t l = (size_t)snprintf(v, sizeof v, "exponential: starts at %s/min, multiplied by "
                                "%g", n1, c->increment_factor);
    if (c->has_notified_criterion) {
      report_thousands(c->notified_things, n2, sizeof n2);
      l += (size_t)snprintf(v + l, sizeof v - l, " every %s things notified", n2);
    }
    if (c->has_succeeded_criterion) {
      report_thousands(c->succeeded_things, n2, sizeof n2);
      l += (size_t)snprintf(v + l, sizeof v - l, "%s every %s things succeeded",
                            c->has_notified_criterion ? " or" : "", n2);
    }
    report_thousands(c->has_max_per_minute ? c->max_per_minute : sc->sim.rollout_quota, n1,
                     sizeof n1);
    snprintf(v + l, sizeof v - l, "; capped at %s/min%s", n1,
             c->has_max_per_minute ? " (maximumPerMinute)" : " (rollout quota)");
  } else if (c->has_max_per_minute) {
    report_thousands(c->max_per_minute, n1, sizeof n1);
    snprintf(v, sizeof v, "constant: at most %s executions per minute (maximumPerMinute)",
             n1);
  } else {
    report_thousands(sc->sim.rollout_quota, n1, sizeof n1);
    snprintf(v, sizeof v, "no rollout configuration: the rollout quota, %s/min", n1);
  }
  kv(b, "rollout", v);
  if (c->has_abort) {
    puts_(b, "<tr><th>abort</th><td>");
    for (size_t i = 0; i < c->n_abort; i++) {
      const model_abort_criteria *a = &c->abort[i];
      report_thousands(a->min_executed, n1, sizeof n1);
      snprintf(v, sizeof v,
               "criterion %zu: cancel the job when %s failures reach %g%% of executed "
               "things, once %s things have %s",
               i, model_failure_type_name(a->failure_type), a->threshold_percentage, n1,
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

/* A distribution as the scenario writes it: "lognormal median 5s σ 0.5",
 * "exponential mean 6h", "uniform 1s–5s", "30s" (constant). */
static void dist_text(const sim_dist *dd, char *v, size_t n) {
  char a[40], c[40];
  sim_duration_format((sim_time_ms)(dd->p1 + 0.5), a, sizeof a);
  sim_duration_format((sim_time_ms)(dd->p2 + 0.5), c, sizeof c);
  switch (dd->kind) {
    case SIM_DIST_CONSTANT: snprintf(v, n, "%s", a); return;
    case SIM_DIST_UNIFORM: snprintf(v, n, "uniform %s\u2013%s", a, c); return;
    case SIM_DIST_EXPONENTIAL: snprintf(v, n, "exponential mean %s", a); return;
    case SIM_DIST_LOGNORMAL:
      snprintf(v, n, "lognormal median %s \u03c3 %g", a, dd->p2);
      return;
    case SIM_DIST_NORMAL:
      snprintf(v, n, "normal mean %s stddev %s (cut at 0)", a, c);
      return;
    case SIM_DIST_WEIBULL: snprintf(v, n, "weibull scale %s shape %g", a, dd->p2); return;
    case SIM_DIST_GAMMA:
      sim_duration_format((sim_time_ms)(dd->p2 + 0.5), c, sizeof c);
      snprintf(v, n, "gamma shape %g scale %s", dd->p1, c);
      return;
    case SIM_DIST_EMPIRICAL:
    default: {
      /* the values as written, each with its share of the weights (up to
       * eight; beyond, how many and their mean) */
      if (dd->n > 8 || !dd->values || !dd->cum) {
        char m[64];
        sim_duration_format((sim_time_ms)(sim_dist_mean(dd) + 0.5), m, sizeof m);
        snprintf(v, n, "empirical, %zu values, mean %s", dd->n, m);
        return;
      }
      size_t l = (size_t)snprintf(v, n, "empirical");
      bool equal = true;
      for (size_t i = 1; i < dd->n; i++)
        if (fabs((dd->cum[i] - dd->cum[i - 1]) - dd->cum[0]) > 1e-9) equal = false;
      for (size_t i = 0; i < dd->n && l < n; i++) {
        char x[40];
        sim_duration_format((sim_time_ms)(dd->values[i] + 0.5), x, sizeof x);
        double w = i ? dd->cum[i] - dd->cum[i - 1] : dd->cum[0];
        if (equal)
          l += (size_t)snprintf(v + l, n - l, "%s %s", i ? "," : "", x);
        else
          l += (size_t)snprintf(v + l, n - l, "%s %s (%.0f %%)", i ? "," : "", x, 100.0 * w);
      }
      return;
    }
  }
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
    char cnt[32];
    report_thousands(gr->count, cnt, sizeof cnt);
    putf(b, "</td><td class=\"n\">%s</td><td>", cnt);
    esc(b, bh->name);
    putf(b, "</td><td class=\"n\">%.1f%%</td>", 100.0 * bh->connected);
    char v[256];
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
  char q1[32], q2[32];
  report_thousands(sc->sim.rollout_quota, q1, sizeof q1);
  report_thousands(sc->sim.cancel_rate, q2, sizeof q2);
  snprintf(v, sizeof v, "%s/min rollout quota, %s/min cancellation propagation", q1, q2);
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

/* One line of events.log: "ISO  +OFFSET  text", where text starts with
 * "[job-id] " when the run has several jobs. */
typedef struct story_line {
  const char *p;   /* the line (not NUL-terminated) */
  size_t len;
  const char *text;   /* after the time columns */
  const char *tag;    /* "[job-id] " at the start of text, or NULL */
  size_t tag_len;     /* its length, the space included */
  int64_t window, created, rate, notified;   /* a window line, else window -1 */
} story_line;

static void parse_line(story_line *l) {
  l->window = -1;
  l->tag = NULL;
  l->tag_len = 0;
  const char *e = l->p + l->len;
  const char *t = l->p;
  /* two space-separated columns, then the text */
  for (int col = 0; col < 2 && t < e; col++) {
    while (t < e && *t != ' ') t++;
    while (t < e && *t == ' ') t++;
  }
  l->text = t;
  const char *w = t;
  if (w < e && *w == '[') {
    const char *close = memchr(w, ']', (size_t)(e - w));
    if (close && close + 1 < e && close[1] == ' ') {
      l->tag = w;
      l->tag_len = (size_t)(close + 2 - w);
      w = close + 2;
    }
  }
  if ((size_t)(e - w) < 7 || memcmp(w, "window ", 7) != 0) return;   /* most lines */
  char tmp[160];
  size_t tl = (size_t)(e - w) < sizeof tmp - 1 ? (size_t)(e - w) : sizeof tmp - 1;
  memcpy(tmp, w, tl);
  tmp[tl] = 0;
  int64_t wn, c, r, nt;
  int used = 0;
  if (sscanf(tmp, "window %" SCNd64 ": %" SCNd64 " executions created at %" SCNd64
                  "/min, %" SCNd64 " things notified%n", &wn, &c, &r, &nt, &used) == 4 &&
      tmp[used] == 0) {
    l->window = wn;
    l->created = c;
    l->rate = r;
    l->notified = nt;
  }
}

static bool same_tag(const story_line *a, const story_line *b) {
  return a->tag_len == b->tag_len && (a->tag_len == 0 || memcmp(a->tag, b->tag, a->tag_len) == 0);
}

static void put_line(buf *b, const story_line *l) {
  char tmp[8192];
  size_t n = l->len < sizeof tmp - 1 ? l->len : sizeof tmp - 1;
  memcpy(tmp, l->p, n);
  tmp[n] = 0;
  esc(b, tmp);
  puts_(b, "\n");
}

/* The next story line from *cur (skipping # lines), parsed; false at the
 * end. */
static bool next_line(const char **cur, story_line *l) {
  const char *p = *cur;
  while (p && *p) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    const char *next = p + len + (nl ? 1 : 0);
    if (p[0] != '#') {
      *l = (story_line){.p = p, .len = len};
      parse_line(l);
      *cur = next;
      return true;
    }
    p = next;
  }
  *cur = p;
  return false;
}

/* One item of the story: a line, or a run of three or more window lines of
 * one job at one rate, numbered one after another (first, last, how many,
 * executions created). Only the job's own lines break its run (any line of
 * it that is not the next window at the same rate): with several jobs the
 * lines of each are interleaved, and the other jobs' lines between stay
 * where they are, after the run's one line, which keeps its first window's
 * time, so the times down the page still never go back. With one job
 * every line is the job's own. */
typedef struct story_item {
  story_line first, last;
  size_t lines;
  int64_t created;
} story_item;

static bool bit(const unsigned char *m, size_t i) { return m[i / 8] >> (i % 8) & 1; }
static void set_bit(unsigned char *m, size_t i) { m[i / 8] |= (unsigned char)(1u << (i % 8)); }

static void put_item(buf *b, const story_item *it) {
  const story_line *first = &it->first, *last_l = &it->last;
  if (it->lines == 1) { put_line(b, first); return; }
  char cr[32], nt[32], head[400], last[64] = "";
  report_thousands(it->created, cr, sizeof cr);
  report_thousands(last_l->notified, nt, sizeof nt);
  /* the time columns and the job's tag of the first window */
  size_t hl = (size_t)(first->text - first->p) + first->tag_len;
  if (hl >= sizeof head) hl = sizeof head - 1;
  memcpy(head, first->p, hl);
  head[hl] = 0;
  /* the last window's offset: the second column of its line */
  const char *o = last_l->p;
  while (o < last_l->text && *o != ' ') o++;
  while (o < last_l->text && *o == ' ') o++;
  size_t ol = 0;
  while (o + ol < last_l->text && o[ol] != ' ' && ol < sizeof last - 1) ol++;
  memcpy(last, o, ol);
  last[ol] = 0;
  esc(b, head);
  putf(b, "windows %" PRId64 "\u2013%" PRId64 ": %" PRId64 "/min, %s executions created, "
          "%s things notified by %s\n", first->window, last_l->window, first->rate,
       cr, nt, last);
}

/* The story's items in order: put (when b is not NULL) those outside
 * [head, tail_from) and one line for what is left out; returns how many
 * there are. `used` is a cleared bitmap of a bit per story line: the lines
 * that runs take are marked in it. Memory is that bitmap (a bit a line):
 * a run is found by reading on from its first line, not by keeping the
 * lines (events.log of a large fleet has millions). */
static size_t story_items(const char *text, unsigned char *used, buf *b, size_t head,
                          size_t tail_from) {
  const char *p = text;
  story_line l;
  size_t ni = 0, left_out = 0;
  for (size_t i = 0; next_line(&p, &l); i++) {
    if (bit(used, i)) continue;
    story_item it = {l, l, 1, l.window >= 0 ? l.created : 0};
    if (l.window >= 0) {
      story_item run = it;
      size_t last = i;
      const char *q = p;
      story_line m;
      for (size_t j = i + 1; next_line(&q, &m); j++) {
        if (bit(used, j) || !same_tag(&m, &l)) continue;
        if (m.window != run.last.window + 1 || m.rate != l.rate) break;
        run.last = m;
        run.lines++;
        run.created += m.created;
        last = j;
      }
      if (run.lines >= 3) {
        it = run;
        q = p;
        for (size_t j = i + 1; j <= last && next_line(&q, &m); j++)
          if (!bit(used, j) && same_tag(&m, &l)) set_bit(used, j);
      }
    }
    size_t k = ni++;
    if (!b) continue;
    if (k >= head && k < tail_from) {
      left_out += it.lines;
      if (k + 1 == tail_from) {
        char ls[32];
        report_thousands((int64_t)left_out, ls, sizeof ls);
        putf(b, "\n        \u2026 %s lines left out here (all are in events.log and "
                "run.sqlite) \u2026\n\n", ls);
      }
      continue;
    }
    put_item(b, &it);
  }
  return ni;
}

/* The story: events.log without its # header. Runs of three or more
 * window lines of a job at one rate become one line; when the result is
 * still longer than MAX_STORY_LINES, the middle is left out and the first
 * lines and the last STORY_TAIL lines (the outcome) are kept. Two passes
 * over the text: one counts the items, one puts them. */
#define STORY_TAIL 50

static void story(buf *b, const report_outdir *dir) {
  char path[4300];
  report_outdir_path(dir, "events.log", path, sizeof path);
  char *text = slurp(path, NULL);
  puts_(b, "<h2>The story (events.log)</h2>\n");
  size_t n = 1;
  for (const char *c = text; c && *c; c++) n += *c == '\n';
  unsigned char *used = text ? calloc(n / 8 + 1, 1) : NULL;
  if (!used) {   /* e.g. larger than the reader takes */
    puts_(b, "<p class=\"note\">events.log could not be read back for this page; it is "
             "beside this page, and in run.sqlite.</p>\n");
    free(text);
    return;
  }
  size_t ni = story_items(text, used, NULL, 0, 0);
  size_t head = ni, tail_from = ni;
  if (ni > MAX_STORY_LINES) {
    head = MAX_STORY_LINES - STORY_TAIL;
    tail_from = ni - STORY_TAIL;
  }
  bool collapsed = false;   /* some run was made one line: some line was taken */
  for (size_t i = 0; i < n / 8 + 1 && !collapsed; i++) collapsed = used[i] != 0;
  memset(used, 0, n / 8 + 1);
  puts_(b, "<pre class=\"story\">");
  story_items(text, used, b, head, tail_from);
  puts_(b, "</pre>\n");
  if (collapsed)
    puts_(b, "<p class=\"meta\">Runs of rollout windows at one rate are shown as one line; "
             "<code>events.log</code> has each window.</p>\n");
  free(used);
  free(text);
}

static void snapshots(buf *b, const report_page_input *in) {
  const model_scenario *sc = in->sc;
  puts_(b, "<h2>Snapshots</h2>\n<p>What describe-job showed at each snapshot instant "
           "(files in <code>snapshots/</code>).</p>\n<div class=\"wide\"><table class=\"snap\">\n"
           "<tr><th>instant</th>"
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
    putf(b, "<tr><td class=\"t\">+%s</td><td class=\"t\">%.10s %.12s</td><td>%s</td>", d1,
         iso, iso + 11, model_job_status_name(r->status));
    static const model_exec_status cols[] = {
        MODEL_EXEC_QUEUED, MODEL_EXEC_IN_PROGRESS, MODEL_EXEC_SUCCEEDED,
        MODEL_EXEC_FAILED, MODEL_EXEC_REJECTED, MODEL_EXEC_TIMED_OUT,
        MODEL_EXEC_CANCELED, MODEL_EXEC_REMOVED};
    for (int c = 0; c < 8; c++) {
      char v[32];
      report_thousands(k[cols[c]], v, sizeof v);
      putf(b, "<td class=\"n\">%s</td>", v);
    }
    puts_(b, "</tr>\n");
  }
  puts_(b, "</table></div>\n");
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
  puts_(&b, "</div>\n");
  if (!in->finished && !in->final->vanished &&
      in->final->status != MODEL_JOB_COMPLETED && in->final->status != MODEL_JOB_CANCELED) {
    char h[64], fl[32];
    sim_duration_format(sc->sim.until, h, sizeof h);
    const int64_t *k = in->final->counters;
    report_thousands(k[MODEL_EXEC_QUEUED] + k[MODEL_EXEC_IN_PROGRESS], fl, sizeof fl);
    if (sc->job.continuous)
      putf(&b, "<p class=\"note\">A CONTINUOUS job stays %s until it is canceled: the "
               "simulation stopped at its horizon (+%s) with %s executions QUEUED or "
               "IN_PROGRESS.</p>\n", model_job_status_name(in->final->status), h, fl);
    else
      putf(&b, "<div class=\"warn\">Not finished: the simulation stopped at its horizon "
               "(+%s) with the job still %s and %s executions QUEUED or IN_PROGRESS. What "
               "this page shows is not the outcome; raise <code>simulation.until</code> (or "
               "<code>--until</code>) to see the job end.</div>\n", h,
           model_job_status_name(in->final->status), fl);
  }
  {
    /* when the rollout ended (or how far it got), then when the last
     * execution ended */
    char r[64], e2[64], line[512], nt[32], tg[32];
    size_t l = 0;
    line[0] = 0;
    const model_job *j = in->final;
    report_thousands(j->notified, nt, sizeof nt);
    report_thousands(sc->n_targeted, tg, sizeof tg);
    if (in->rollout_end >= 0) {
      sim_duration_format(in->rollout_end, r, sizeof r);
      if (j->notified > sc->n_targeted)   /* CONTINUOUS: things joined later */
        l += (size_t)snprintf(line + l, sizeof line - l, "Rollout: %s things notified, the "
                              "last at +%s. ", nt, r);
      else if (j->notified == sc->n_targeted)
        l += (size_t)snprintf(line + l, sizeof line - l, "Rollout: all %s targeted things "
                              "notified, the last at +%s. ", tg, r);
      else if (j->status == MODEL_JOB_CANCELED)
        l += (size_t)snprintf(line + l, sizeof line - l, "Rollout: stopped by the %s with %s "
                              "of %s things notified, the last at +%s. ",
                              j->aborted ? "abort" : "cancellation", nt, tg, r);
      else
        l += (size_t)snprintf(line + l, sizeof line - l, "Rollout: %s of %s things notified "
                              "by the end of the run, the last at +%s. ", nt, tg, r);
    } else if (!j->vanished) {
      l += (size_t)snprintf(line + l, sizeof line - l, "Rollout: no thing was notified. ");
    }
    dur(in->end, e2, sizeof e2);
    const int64_t *k = j->counters;
    int64_t fl = k[MODEL_EXEC_QUEUED] + k[MODEL_EXEC_IN_PROGRESS];
    if (in->finished) {
      /* with several jobs the run ends with the last of any job's
       * executions, not necessarily this job's */
      size_t nj = model_scenario_n_jobs(sc);
      if (nj > 1)
        snprintf(line + l, sizeof line - l, "The last execution of the run's %zu jobs ended "
                 "at +%s.", nj, e2);
      else
        snprintf(line + l, sizeof line - l, "The last execution ended at +%s.", e2);
    } else if (j->status == MODEL_JOB_CANCELED && fl > 0) {
      char f[32];
      report_thousands(fl, f, sizeof f);
      snprintf(line + l, sizeof line - l, "At the horizon +%s, %s executions were still "
               "QUEUED or IN_PROGRESS (they run on to their end).", e2, f);
    }
    for (l = strlen(line); l > 0 && line[l - 1] == ' ';) line[--l] = 0;
    puts_(&b, "<p class=\"sub\">");
    esc(&b, line);
    puts_(&b, "</p>\n");
  }
  putf(&b, "<p class=\"meta\">job <code>");
  esc(&b, sc->job.job_id);
  char tgt[32];
  report_thousands(sc->n_targeted, tgt, sizeof tgt);
  putf(&b, "</code> &middot; seed %" PRIu64 " &middot; %s"
           " things targeted &middot; simulated by jobsim</p>\n", in->seed, tgt);
  if (sc->description) {
    puts_(&b, "<h2>About this scenario</h2>\n<p>");
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
  puts_(&b, "</p>\n<table>\n<tr><th>scenario</th><th>counters</th><th>outcome</th>"
            "<th>about</th></tr>\n");
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
    if (e[i].ok && e[i].thumb) {
      puts_(&b, "<a href=\"");
      esc(&b, e[i].name);
      puts_(&b, "/index.html\"><img class=\"thumb\" alt=\"counters plot of ");
      esc(&b, e[i].name);
      puts_(&b, "\" src=\"");
      esc(&b, e[i].name);
      puts_(&b, "/plots/counters.png\"></a>");
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
