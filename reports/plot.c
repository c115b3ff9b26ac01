/*
 * plot.c — gnuplot scripts, data and images of a report (see plot.h).
 *
 * Every plot has minutes since the job's creation on the bottom axis and the
 * UTC clock on the top one (linked axes), and a title naming the scenario
 * and the seed. Data files hold one line per timeline row; gnuplot draws
 * straight lines between them (the counters are exact at the rows).
 */
#define _POSIX_C_SOURCE 200809L
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "duration.h"
#include "ticks.h"

const char *const report_plot_names[] = {"counters", "failures", "rate", "abort",
                                          "progress", NULL};

const char *report_plot_caption(const char *name) {
  if (strcmp(name, "counters") == 0)
    return "Execution records per status over time (stacked): what describe-job's "
           "jobProcessDetails counters show at each instant. Statuses that stay at "
           "zero are left out; a rollout shorter than a third of the run gets a "
           "second panel zoomed on it; maintenance windows are shaded.";
  if (strcmp(name, "failures") == 0)
    return "FAILED, REJECTED and TIMED_OUT execution records over time on their own "
           "scale (statuses that stay at zero are left out).";
  if (strcmp(name, "rate") == 0)
    return "Rollout rate (executions created per minute) over time; each increase "
           "is marked with the new rate (zoomed on the rollout as the counters are).";
  if (strcmp(name, "abort") == 0)
    return "Failure percentage of executed things against each abort criterion's "
           "threshold, drawn from its gate: the first observation (timeline row) at "
           "which its minimum count is reached, marked by a dotted line. The abort, "
           "if any, is marked.";
  if (strcmp(name, "progress") == 0)
    return "Things notified against execution records in a terminal status, and "
           "records still in flight (QUEUED or IN_PROGRESS).";
  return "";
}

bool report_plot_find_gnuplot(char *path, size_t n) {
  const char *p = getenv("PATH");
  if (!p || !*p) return false;
  while (*p) {
    const char *c = strchr(p, ':');
    size_t len = c ? (size_t)(c - p) : strlen(p);
    char dir[4096];
    if (len == 0) snprintf(dir, sizeof dir, ".");      /* empty entry: cwd */
    else snprintf(dir, sizeof dir, "%.*s", (int)len, p);
    if (snprintf(path, n, "%s/gnuplot", dir) < (int)n) {
      struct stat st;
      if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
        return true;
    }
    p += len;
    if (*p == ':') p++;
  }
  return false;
}

/* ------------------------------------------------------------- writing --- */

typedef struct out {
  FILE *f;
  char path[4300];
} out;

static int open_out(out *o, const report_outdir *dir, const char *rel, sim_diag *d) {
  report_outdir_path(dir, rel, o->path, sizeof o->path);
  o->f = fopen(o->path, "w");
  if (!o->f)
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot create '%s': %s", o->path,
                        strerror(errno));
  return SIM_OK;
}

static int close_out(out *o, sim_diag *d) {
  FILE *f = o->f;
  o->f = NULL;
  return report_fclose_checked(f, o->path, d);
}

static double minutes(sim_time_ms t) { return (double)t / 60000.0; }

static void epoch(const model_scenario *sc, sim_time_ms t, char *b, size_t n) {
  int64_t ms = sc->sim.start_epoch_ms + t;
  snprintf(b, n, "%" PRId64 ".%03d", ms / 1000, (int)(ms % 1000));
}

static int64_t executed_of(const int64_t *k) {
  return k[MODEL_EXEC_SUCCEEDED] + k[MODEL_EXEC_FAILED] + k[MODEL_EXEC_REJECTED] +
         k[MODEL_EXEC_TIMED_OUT];
}

static void pct(FILE *f, int64_t num, int64_t den) {
  if (den == 0) fputs(" NaN", f);
  else fprintf(f, " %.4f", 100.0 * (double)num / (double)den);
}

/* The layers of counters.gp, top down: each is drawn as the sum of its
 * status and every status below it (a stack), so QUEUED's top is every
 * record. */
static const struct {
  const char *label, *color;
  model_exec_status st;
} layer[] = {
    {"QUEUED", "c_queued", MODEL_EXEC_QUEUED},
    {"IN_PROGRESS", "c_in_progress", MODEL_EXEC_IN_PROGRESS},
    {"REMOVED", "c_removed", MODEL_EXEC_REMOVED},
    {"CANCELED", "c_canceled", MODEL_EXEC_CANCELED},
    {"TIMED_OUT", "c_timed_out", MODEL_EXEC_TIMED_OUT},
    {"REJECTED", "c_rejected", MODEL_EXEC_REJECTED},
    {"FAILED", "c_failed", MODEL_EXEC_FAILED},
    {"SUCCEEDED", "c_succeeded", MODEL_EXEC_SUCCEEDED}};
#define N_LAYERS (sizeof layer / sizeof layer[0])

static int write_data(const report_outdir *dir, const report_plot_input *in,
                      sim_diag *d) {
  const model_scenario *sc = in->sc;
  const model_jobcfg *c = &sc->job;
  out o = {0};
  int rc;
  char ep[40];
  /* timeline.dat: the counters */
  if ((rc = open_out(&o, dir, "plots/timeline.dat", d))) return rc;
  fprintf(o.f, "# jobsim timeline of scenario %s, seed %" PRIu64 "\n"
               "# 1 minutes since creation, 2 epoch seconds, 3 queued, 4 in_progress,"
               " 5 succeeded, 6 failed, 7 rejected, 8 timed_out, 9 canceled,"
               " 10 removed, 11 notified, 12 rate_per_min, 13 terminal records,"
               " 14 executed, 15 in flight\n", sc->name, in->seed);
  for (size_t i = 0; i < in->n_rows; i++) {
    const report_timeline_row *r = &in->rows[i];
    const int64_t *k = r->counters;
    int64_t executed = executed_of(k);
    int64_t terminal = executed + k[MODEL_EXEC_CANCELED] + k[MODEL_EXEC_REMOVED];
    epoch(sc, r->at, ep, sizeof ep);
    fprintf(o.f, "%.4f %s", minutes(r->at), ep);
    static const model_exec_status cols[] = {
        MODEL_EXEC_QUEUED, MODEL_EXEC_IN_PROGRESS, MODEL_EXEC_SUCCEEDED,
        MODEL_EXEC_FAILED, MODEL_EXEC_REJECTED, MODEL_EXEC_TIMED_OUT,
        MODEL_EXEC_CANCELED, MODEL_EXEC_REMOVED};
    for (int j = 0; j < 8; j++) fprintf(o.f, " %" PRId64, k[cols[j]]);
    fprintf(o.f, " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 "\n",
            r->notified, r->rate, terminal, executed,
            k[MODEL_EXEC_QUEUED] + k[MODEL_EXEC_IN_PROGRESS]);
  }
  if ((rc = close_out(&o, d))) return rc;
  /* counters.dat: the top of each layer of the stack, summed here rather
   * than by a `using` expression: gnuplot evaluates an expression with two
   * signal() calls and a sigsetjmp per point, which made counters.gp cost
   * as much as the other four plots together. A status at zero throughout
   * adds nothing to a sum, so the tops of the layers drawn are exact. */
  if ((rc = open_out(&o, dir, "plots/counters.dat", d))) return rc;
  fprintf(o.f, "# stacked counters of scenario %s, seed %" PRIu64 ": the top of each"
               " layer of counters.gp (that status plus every status drawn below"
               " it)\n# 1 minutes since creation, 2 epoch seconds", sc->name, in->seed);
  for (size_t j = 0; j < N_LAYERS; j++)
    fprintf(o.f, ", %zu %s", j + 3, layer[j].label);
  fputc('\n', o.f);
  for (size_t i = 0; i < in->n_rows; i++) {
    const report_timeline_row *r = &in->rows[i];
    int64_t top[N_LAYERS], sum = 0;
    for (size_t j = N_LAYERS; j-- > 0;) top[j] = sum += r->counters[layer[j].st];
    epoch(sc, r->at, ep, sizeof ep);
    fprintf(o.f, "%.4f %s", minutes(r->at), ep);
    for (size_t j = 0; j < N_LAYERS; j++) fprintf(o.f, " %" PRId64, top[j]);
    fputc('\n', o.f);
  }
  if ((rc = close_out(&o, d))) return rc;
  /* increases.dat: window rows whose rate went up */
  if ((rc = open_out(&o, dir, "plots/increases.dat", d))) return rc;
  fprintf(o.f, "# rollout rate increases: 1 minutes, 2 epoch seconds, 3 old rate, "
               "4 new rate (per minute)\n");
  int64_t prev = -1;
  for (size_t i = 0; i < in->n_rows; i++) {
    const report_timeline_row *r = &in->rows[i];
    if (!(r->why & MODEL_ROW_WINDOW)) continue;
    if (prev > 0 && r->rate > prev) {
      epoch(sc, r->at, ep, sizeof ep);
      fprintf(o.f, "%.4f %s %" PRId64 " %" PRId64 "\n", minutes(r->at), ep, prev, r->rate);
    }
    prev = r->rate;
  }
  if ((rc = close_out(&o, d))) return rc;
  /* abort.dat: failure percentages and, per criterion, its threshold once
   * its minimum number is reached */
  if ((rc = open_out(&o, dir, "plots/abort.dat", d))) return rc;
  fprintf(o.f, "# 1 minutes, 2 epoch seconds, 3 executed, 4 notified, 5 %% FAILED,"
               " 6 %% REJECTED, 7 %% TIMED_OUT, 8 %% ALL (of executed)");
  for (size_t a = 0; a < c->n_abort; a++)
    fprintf(o.f, ", %zu threshold of criterion %zu once its gate is open", 9 + a, a);
  fputc('\n', o.f);
  for (size_t i = 0; i < in->n_rows; i++) {
    const report_timeline_row *r = &in->rows[i];
    const int64_t *k = r->counters;
    int64_t ex = executed_of(k);
    epoch(sc, r->at, ep, sizeof ep);
    fprintf(o.f, "%.4f %s %" PRId64 " %" PRId64, minutes(r->at), ep, ex, r->notified);
    pct(o.f, k[MODEL_EXEC_FAILED], ex);
    pct(o.f, k[MODEL_EXEC_REJECTED], ex);
    pct(o.f, k[MODEL_EXEC_TIMED_OUT], ex);
    pct(o.f, k[MODEL_EXEC_FAILED] + k[MODEL_EXEC_REJECTED] + k[MODEL_EXEC_TIMED_OUT], ex);
    for (size_t a = 0; a < c->n_abort; a++) {
      int64_t gate = sc->sim.abort_gate == MODEL_GATE_NOTIFIED ? r->notified : ex;
      if (gate >= c->abort[a].min_executed)
        fprintf(o.f, " %.2f", c->abort[a].threshold_percentage);
      else
        fputs(" NaN", o.f);
    }
    fputc('\n', o.f);
  }
  return close_out(&o, d);
}

/* ------------------------------------------------------------- scripts --- */

static const char style_gp[] =
    "# style.gp - the shared look of jobsim's plots. Edit it, then re-render a\n"
    "# plot with `gnuplot NAME.gp` in this directory.\n"
    "set termoption noenhanced\n"
    "PNG = 'pngcairo noenhanced size 960,540 font \"Sans,10\" background rgb \"white\"'\n"
    "SVG = 'svg noenhanced size 960,540 font \"Sans,10\" background rgb \"white\"'\n"
    "# two panels (the whole run above, the rollout zoomed below)\n"
    "PNG2 = 'pngcairo noenhanced size 960,920 font \"Sans,10\" background rgb \"white\"'\n"
    "SVG2 = 'svg noenhanced size 960,920 font \"Sans,10\" background rgb \"white\"'\n"
    "set grid lc rgb '#dddddd'\n"
    "set key below horizontal spacing 1.2\nset bmargin 7.5\n"
    "set border 3\n"
    "set xtics nomirror\n"
    "set ytics nomirror\n"
    "set style fill solid 0.85 noborder\n"
    "c_queued = '#9ecae1'; c_in_progress = '#3182bd'; c_succeeded = '#31a354'\n"
    "c_failed = '#de2d26'; c_rejected = '#fd8d3c'; c_timed_out = '#756bb1'\n"
    "c_canceled = '#969696'; c_removed = '#636363'\n"
    "c_window = '#fff0b3'\n";

/* What the scripts need to know about the run, worked out once. */
typedef struct pctx {
  const report_plot_input *in;
  sim_time_ms end;                 /* the last row's instant (at least 1 min) */
  bool nonzero[MODEL_EXEC_STATUS_COUNT];   /* status seen in some row */
  bool increases;                  /* the rate went up at some window row */
  bool zoom;                       /* second panel on the rollout */
  sim_time_ms z0, z1;              /* its range */
  sim_time_ms gate_at[MODEL_MAX_ABORT_CRITERIA];   /* gate open, -1: never */
  const char *what;                /* the plot's title */
} pctx;

#define MAX_WINDOW_SHADES 400

static void gq(FILE *f, const char *s) {   /* a single-quoted gnuplot string */
  fputc('\'', f);
  for (; *s; s++) {
    if (*s == '\'') fputs("''", f);
    else fputc(*s, f);
  }
  fputc('\'', f);
}

/* xrange, x2range and the round ticks of both time axes over [from, to]. */
static void time_axes(FILE *f, const pctx *c, sim_time_ms from, sim_time_ms to) {
  const model_scenario *sc = c->in->sc;
  sim_time_ms span = to - from;
  int64_t step = report_ticks_step(span);
  char lab[48];
  fprintf(f, "set xrange [%.4f:%.4f]\nset x2range [%.4f:%.4f]\n", minutes(from),
          minutes(to), minutes(from), minutes(to));
  fputs("set xtics (", f);
  int64_t t = report_ticks_clock_first(from, step);   /* multiples of step from 0 */
  for (int k = 0; t <= to; t += step, k++) {
    report_ticks_elapsed_label(t, step, span, lab, sizeof lab);
    fprintf(f, "%s'%s' %.4f", k ? ", " : "", lab, minutes(t));
  }
  fputs(")\n", f);
  fputs("set x2tics (", f);
  int64_t s0 = sc->sim.start_epoch_ms;
  int64_t e = report_ticks_clock_first(s0 + from, step);
  for (int k = 0; e <= s0 + to; e += step, k++) {
    report_ticks_clock_label(e, step, lab, sizeof lab);
    fprintf(f, "%s'%s' %.4f", k ? ", " : "", lab, minutes(e - s0));
  }
  fputs(")\n", f);
  fprintf(f, "set xlabel 'time since job creation (%s)'\n",
          report_ticks_elapsed_unit(step, span));
  char start[40];
  model_format_iso8601(s0, start, sizeof start);
  char *ms = strstr(start, ".000Z");
  if (ms) memcpy(ms, "Z", 2);   /* whole seconds: no ".000" */
  fprintf(f, "set x2label 'UTC clock time (job created %s)'\n", start);
}

/* Maintenance windows as shaded bands, the abort and (abort plot) the
 * gates, for the panel [from, to]. */
static void marks(FILE *f, const pctx *c, sim_time_ms from, sim_time_ms to, bool gates) {
  const model_scenario *sc = c->in->sc;
  fputs("unset object\nunset arrow\nunset label\n", f);
  int obj = 1;
  int64_t s0 = sc->sim.start_epoch_ms;
  for (size_t w = 0; w < sc->n_windows && w < sc->job.n_windows; w++) {
    int64_t dur = sc->job.windows[w].duration_min * SIM_MS_PER_MIN;
    int64_t at = s0 + from - dur, next;
    while (obj <= MAX_WINDOW_SHADES && model_cron_next(&sc->windows[w], at, &next) &&
           next < s0 + to) {
      fprintf(f, "set object %d rect from %.4f, graph 0 to %.4f, graph 1 back "
                 "fc rgb c_window fs solid 1 noborder\n",
              obj++, minutes(next - s0), minutes(next - s0 + dur));
      at = next;
    }
  }
  int arrow = 1, label = 1;
  sim_time_ms ab = c->in->abort_at;
  if (ab >= from && ab <= to) {
    char dur[64];
    sim_duration_format(ab, dur, sizeof dur);
    fprintf(f, "set arrow %d from %.4f, graph 0 to %.4f, graph 1 nohead lw 2 "
               "lc rgb '#b00000' dt 2 front\n"
               "set label %d 'abort at +%s' at %.4f, graph 0.96 right offset -0.5,0 "
               "tc rgb '#b00000' front\n",
            arrow++, minutes(ab), minutes(ab), label++, dur, minutes(ab));
  }
  if (!gates) return;
  const model_jobcfg *jc = &sc->job;
  for (size_t a = 0; a < jc->n_abort; a++) {
    sim_time_ms g = c->gate_at[a];
    bool dup = false;
    for (size_t b = 0; b < a; b++)
      if (c->gate_at[b] == g && jc->abort[b].min_executed == jc->abort[a].min_executed)
        dup = true;
    if (g < from || g > to || dup) continue;
    char dur[64];
    sim_duration_format(g, dur, sizeof dur);
    double y = 0.88 - 0.06 * (double)(label - 1);
    fprintf(f, "set arrow %d from %.4f, graph 0 to %.4f, graph 1 nohead lw 1.5 "
               "lc rgb '#555555' dt 3 front\n"
               "set label %d 'gate open: %" PRId64 " %s by +%s' at %.4f, graph %.2f left "
               "offset 0.5,0 tc rgb '#555555' front\n",
            arrow++, minutes(g), minutes(g), label++, jc->abort[a].min_executed,
            sc->sim.abort_gate == MODEL_GATE_NOTIFIED ? "notified" : "executed", dur,
            minutes(g), y);
  }
}

/* Title, axes and marks of one panel. */
static void panel(FILE *f, const pctx *c, bool zoomed, bool gates) {
  const report_plot_input *in = c->in;
  sim_time_ms from = zoomed ? c->z0 : 0, to = zoomed ? c->z1 : c->end;
  fputs("set title ", f);
  char t[512];
  if (zoomed) {
    char a[32], b[32];
    report_ticks_elapsed_label(from - from % SIM_MS_PER_MIN, SIM_MS_PER_MIN, 0, a, sizeof a);
    report_ticks_elapsed_label(to - to % SIM_MS_PER_MIN, SIM_MS_PER_MIN, 0, b, sizeof b);
    snprintf(t, sizeof t, "zoomed on the rollout: %s to %s (h:mm)", a, b);
  } else {
    snprintf(t, sizeof t, "%s: %s (seed %" PRIu64 ")", in->sc->name, c->what, in->seed);
  }
  gq(f, t);
  fputc('\n', f);
  time_axes(f, c, from, to);
  marks(f, c, from, to, gates);
  fputs(zoomed ? "set key off\n" : "set key\n", f);
}

typedef void (*body_fn)(FILE *f, const pctx *c, bool zoomed);

/* The whole script: head, then the panels once per terminal (PNG, SVG);
 * with a zoom (when `zoomable`), two panels stacked. */
static void script(FILE *f, const pctx *c, const char *name, const char *data,
                   bool zoomable, body_fn body) {
  const model_scenario *sc = c->in->sc;
  bool two = zoomable && c->zoom;
  char start[40];
  model_format_iso8601(sc->sim.start_epoch_ms, start, sizeof start);
  fprintf(f,
          "# %s.gp - %s\n# %s\n# Data: %s. Render: gnuplot %s.gp (in this directory)\n"
          "# Time: column 1 is minutes since the job's creation (%s); tick labels\n"
          "# are written out by jobsim at round elapsed and clock times.\n"
          "load 'style.gp'\n",
          name, c->what, report_plot_caption(name), data, name, start);
  static const char *const ext[] = {"png", "svg"}, *const term[] = {"PNG", "SVG"};
  for (int k = 0; k < 2; k++) {
    fprintf(f, "\nset terminal @%s%s\nset output '%s.%s'\n", term[k], two ? "2" : "",
            name, ext[k]);
    if (two) fputs("set multiplot layout 2,1\n", f);
    body(f, c, false);
    if (two) {
      fputs("set bmargin 4\n", f);
      body(f, c, true);
      fputs("unset multiplot\nset bmargin 7.5\n", f);
    }
    fputs("unset output\n", f);
  }
}

static const char window_key[] =
    ", \\\n  keyentry with boxes fc rgb c_window fs solid 1 title 'maintenance window'";

static void counters_body(FILE *f, const pctx *c, bool zoomed) {
  panel(f, c, zoomed, false);
  fputs("set ylabel 'execution records'\nset yrange [0:1<*]\n", f);
  /* stacked, drawn from the top down (counters.dat holds each layer's
   * top); a status that is zero throughout is neither drawn nor in the key */
  fputs("plot", f);
  int items = 0;
  for (size_t i = 0; i < N_LAYERS; i++) {
    if (!c->nonzero[layer[i].st]) continue;
    fprintf(f, "%s \\\n  'counters.dat' using 1:%zu with filledcurves x1 lc rgb %s title '%s'",
            items++ ? "," : "", i + 3, layer[i].color, layer[i].label);
  }
  if (!items) fputs(" \\\n  'timeline.dat' using 1:3 with lines lc rgb c_queued "
                    "title 'no execution records'", f);
  if (c->in->sc->n_windows) fputs(window_key, f);
  fputc('\n', f);
}

static void failures_body(FILE *f, const pctx *c, bool zoomed) {
  panel(f, c, zoomed, false);
  fputs("set ylabel 'execution records'\nset yrange [0:1<*]\n"
        "set offsets 0, 0, graph 0.1, 0\n", f);
  static const struct { const char *label, *color; int col; model_exec_status st; } L[] = {
      {"FAILED", "c_failed", 6, MODEL_EXEC_FAILED},
      {"REJECTED", "c_rejected", 7, MODEL_EXEC_REJECTED},
      {"TIMED_OUT", "c_timed_out", 8, MODEL_EXEC_TIMED_OUT}};
  bool any = false;
  for (size_t i = 0; i < 3; i++) any = any || c->nonzero[L[i].st];
  if (!any) fputs("set yrange [0:1]\n", f);
  fputs("plot", f);
  int items = 0;
  for (size_t i = 0; i < 3; i++) {
    if (!c->nonzero[L[i].st]) continue;
    fprintf(f, "%s \\\n  'timeline.dat' using 1:%d with lines lw 2 lc rgb %s title '%s'",
            items++ ? "," : "", L[i].col, L[i].color, L[i].label);
  }
  if (!any)
    fputs(" \\\n  0 with lines lw 2 lc rgb '#31a354' "
          "title 'no FAILED, REJECTED or TIMED_OUT records'", f);
  if (c->in->sc->n_windows) fputs(window_key, f);
  fputc('\n', f);
}

static void rate_body(FILE *f, const pctx *c, bool zoomed) {
  panel(f, c, zoomed, false);
  fputs("set ylabel 'executions created per minute'\nset yrange [0:1<*]\n"
        "set offsets 0, 0, graph 0.12, 0\n", f);
  fputs("plot 'timeline.dat' using 1:12 with steps lw 2 lc rgb '#3182bd' "
        "title 'rollout rate'", f);
  if (c->increases)
    fputs(", \\\n  'increases.dat' using 1:4 with points pt 7 ps 1.3 "
          "lc rgb '#de2d26' title 'rate increase', \\\n"
          "  'increases.dat' using 1:4:(sprintf('%d/min', $4)) with labels "
          "offset 0,1 notitle", f);
  if (c->in->sc->n_windows) fputs(window_key, f);
  fputc('\n', f);
}

static void abort_body(FILE *f, const pctx *c, bool zoomed) {
  const model_scenario *sc = c->in->sc;
  const model_jobcfg *jc = &sc->job;
  panel(f, c, zoomed, true);
  /* all zero (no failure, no threshold drawn): gnuplot would warn of an
   * empty range */
  bool drawn = c->nonzero[MODEL_EXEC_FAILED] || c->nonzero[MODEL_EXEC_REJECTED] ||
               c->nonzero[MODEL_EXEC_TIMED_OUT];
  for (size_t a = 0; a < jc->n_abort; a++)
    if (c->gate_at[a] >= 0 && jc->abort[a].threshold_percentage > 0) drawn = true;
  fputs(drawn ? "set ylabel '% of executed things'\nset yrange [0:1<*]\n"
              : "set ylabel '% of executed things'\nset yrange [0:1]\n", f);
  fputs("set offsets 0, 0, graph 0.1, 0\n", f);
  fputs("plot", f);
  bool shown[4] = {false, false, false, false};
  static const char *const type_color[] = {"c_failed", "c_rejected", "c_timed_out",
                                           "'#000000'"};
  size_t items = 0;
  for (size_t a = 0; a < jc->n_abort; a++) {
    model_failure_type t = jc->abort[a].failure_type;
    if (!shown[t]) {
      shown[t] = true;
      fprintf(f, "%s \\\n  'abort.dat' using 1:%d with lines lw 2 lc rgb %s "
                 "title '%s failures %%'",
              items++ ? "," : "", 5 + (int)t, type_color[t], model_failure_type_name(t));
    }
    fprintf(f, ", \\\n  'abort.dat' using 1:%zu with lines lw 1.5 dt 2 lc rgb "
               "%s title 'criterion %zu: %s >= %g%% once %" PRId64 " %s'",
            9 + a, type_color[t], a, model_failure_type_name(t),
            jc->abort[a].threshold_percentage, jc->abort[a].min_executed,
            sc->sim.abort_gate == MODEL_GATE_NOTIFIED ? "notified" : "executed");
  }
  if (items == 0)
    fputs(" 'abort.dat' using 1:8 with lines lw 2 lc rgb '#000000' "
          "title 'ALL failures % (no abortConfig)'", f);
  if (sc->n_windows) fputs(window_key, f);
  fputc('\n', f);
}

static void progress_body(FILE *f, const pctx *c, bool zoomed) {
  const model_scenario *sc = c->in->sc;
  panel(f, c, zoomed, false);
  fputs("set ylabel 'things / execution records'\nset yrange [0:1<*]\n"
        "set offsets 0, 0, graph 0.08, 0\n", f);
  fprintf(f, "plot %" PRId64 " with lines dt 3 lc rgb '#636363' title 'things targeted "
             "(%" PRId64 ")', \\\n"
             "  'timeline.dat' using 1:11 with lines lw 2 lc rgb '#3182bd' "
             "title 'things notified', \\\n"
             "  'timeline.dat' using 1:13 with lines lw 2 lc rgb '#31a354' "
             "title 'records in a terminal status', \\\n"
             "  'timeline.dat' using 1:15 with lines lw 1.5 lc rgb '#fd8d3c' "
             "title 'records in flight'",
          sc->n_targeted, sc->n_targeted);
  if (sc->n_windows) fputs(window_key, f);
  fputc('\n', f);
}

/* The run's facts the scripts use: statuses seen, rate increases, the
 * rollout's extent (zoom when it takes less than a third of the run) and
 * the instant each abort criterion's gate opens (first row at or past its
 * minimum count). */
static void context(pctx *c, const report_plot_input *in) {
  memset(c, 0, sizeof *c);
  c->in = in;
  c->end = in->n_rows ? in->rows[in->n_rows - 1].at : 0;
  if (c->end < SIM_MS_PER_MIN) c->end = SIM_MS_PER_MIN;
  const model_jobcfg *jc = &in->sc->job;
  for (size_t a = 0; a < MODEL_MAX_ABORT_CRITERIA; a++) c->gate_at[a] = -1;
  int64_t prev = -1, max_notified = 0;
  for (size_t i = 0; i < in->n_rows; i++) {
    const report_timeline_row *r = &in->rows[i];
    for (int s = 0; s < MODEL_EXEC_STATUS_COUNT; s++)
      if (r->counters[s]) c->nonzero[s] = true;
    if (r->why & MODEL_ROW_WINDOW) {
      if (prev > 0 && r->rate > prev) c->increases = true;
      prev = r->rate;
    }
    if (r->notified > max_notified) max_notified = r->notified;
    int64_t gate = in->sc->sim.abort_gate == MODEL_GATE_NOTIFIED
                       ? r->notified : executed_of(r->counters);
    for (size_t a = 0; a < jc->n_abort && a < MODEL_MAX_ABORT_CRITERIA; a++)
      if (c->gate_at[a] < 0 && gate >= jc->abort[a].min_executed) c->gate_at[a] = r->at;
  }
  sim_time_ms r0 = -1, r1 = -1;   /* first notification, the last */
  for (size_t i = 0; i < in->n_rows && max_notified > 0; i++) {
    if (r0 < 0 && in->rows[i].notified > 0) r0 = in->rows[i].at;
    if (in->rows[i].notified == max_notified) {
      r1 = in->rows[i].at;
      break;
    }
  }
  if (r0 >= 0 && r1 >= r0 && 3 * (r1 - r0) < c->end) {
    if (in->abort_at > r1) r1 = in->abort_at;
    sim_time_ms pad = (r1 - r0) / 10;
    if (pad < SIM_MS_PER_MIN) pad = SIM_MS_PER_MIN;
    c->z0 = r0 - pad < 0 ? 0 : r0 - pad;
    c->z1 = r1 + pad > c->end ? c->end : r1 + pad;
    /* and only when the zoom has rows enough to show more than the whole
     * run does (a 5-minute rollout of one-minute windows does not) */
    size_t inside = 0;
    for (size_t i = 0; i < in->n_rows; i++)
      if (in->rows[i].at >= c->z0 && in->rows[i].at <= c->z1) inside++;
    c->zoom = 3 * (c->z1 - c->z0) < c->end && inside >= 10;
  }
}

static int one_script(const report_outdir *dir, pctx *c, const char *name,
                      const char *what, const char *data, bool zoomable, body_fn body,
                      sim_diag *d) {
  out o = {0};
  char rel[64];
  snprintf(rel, sizeof rel, "plots/%s.gp", name);
  int rc = open_out(&o, dir, rel, d);
  if (rc) return rc;
  c->what = what;
  script(o.f, c, name, data, zoomable, body);
  return close_out(&o, d);
}

static int write_scripts(const report_outdir *dir, const report_plot_input *in,
                         sim_diag *d) {
  int rc;
  if ((rc = report_outdir_write(dir, "plots/style.gp", style_gp, strlen(style_gp), d)))
    return rc;
  pctx c;
  context(&c, in);
  if ((rc = one_script(dir, &c, "counters", "execution records by status", "counters.dat",
                       true, counters_body, d)) ||
      (rc = one_script(dir, &c, "failures", "FAILED, REJECTED and TIMED_OUT records",
                       "timeline.dat", false, failures_body, d)) ||
      (rc = one_script(dir, &c, "rate", "rollout rate", "timeline.dat, increases.dat", true,
                       rate_body, d)) ||
      (rc = one_script(dir, &c, "abort", "failure percentage and abort thresholds",
                       "abort.dat", false, abort_body, d)) ||
      (rc = one_script(dir, &c, "progress", "notified vs terminal", "timeline.dat", false,
                       progress_body, d)))
    return rc;
  return SIM_OK;
}

/* ------------------------------------------------------------ rendering --- */

static void first_line(const char *path, char *why, size_t n) {
  FILE *f = fopen(path, "r");
  if (!f) return;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    const char *p = line;
    while (*p == ' ' || *p == '^') p++;
    if (*p) {
      size_t l = strlen(p);
      if (l >= n) l = n - 1;
      memcpy(why, p, l);
      why[l] = 0;
      break;
    }
  }
  fclose(f);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds gnuplot may take: JOBSIM_GNUPLOT_TIMEOUT, default 120. */
static double deadline_s(void) {
  const char *e = getenv("JOBSIM_GNUPLOT_TIMEOUT");
  char *end;
  double v = e && *e ? strtod(e, &end) : 0;
  return e && *e && !*end && v > 0 && v < 1e6 ? v : 120.0;
}

/* Start gnuplot on `scripts` (NULL-terminated, at most 15; NULL: none, its
 * commands come from `in`, else from /dev/null) in directory pdir, its
 * output into `log`: *pid > 0, or FAILED with the reason in why. */
static report_plot_status spawn_one(const char *pdir, const char *gnuplot,
                                    const char *const *scripts, int in_fd, const char *log,
                                    int *pid_out, char *why, size_t n) {
  char names[16][64], *argv[17];
  size_t k = 0;
  snprintf(names[k], sizeof names[k], "gnuplot");
  argv[k] = names[k];
  for (k = 1; scripts && k < 16 && scripts[k - 1]; k++) {
    snprintf(names[k], sizeof names[k], "%s", scripts[k - 1]);
    argv[k] = names[k];
  }
  argv[k] = NULL;
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(why, n, "cannot start gnuplot: %s", strerror(errno));
    return REPORT_PLOT_FAILED;
  }
  if (pid == 0) {   /* child: only async-signal-safe calls until exec */
    /* its own process group: a Ctrl-C on the terminal reaches jobsim only,
     * which stops gnuplot itself (gnuplot can hang in its own handler) */
    setpgid(0, 0);
    signal(SIGXFSZ, SIG_DFL);   /* jobsim ignores it; gnuplot should not */
    int in = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);
    int lg = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (in < 0 || lg < 0 || chdir(pdir) != 0 || dup2(in, 0) < 0 || dup2(lg, 1) < 0 ||
        dup2(lg, 2) < 0)
      _exit(126);
    execv(gnuplot, argv);
    _exit(127);
  }
  setpgid(pid, pid);   /* both sides, so there is no race with the kill */
  *pid_out = pid;
  return REPORT_PLOT_RENDERED;
}

/* Close the command sockets of gnuplots started early, once. */
static void close_cmds(report_plot_job *job) {
  if (!job->early) return;
  for (int i = 0; i < job->n; i++)
    if (job->cmd[i] >= 0) close(job->cmd[i]), job->cmd[i] = -1;
}

/* Kill and reap every gnuplot of job still running. */
static void kill_all(report_plot_job *job) {
  close_cmds(job);
  for (int i = 0; i < job->n; i++) {
    if (job->pid[i] <= 0) continue;
    kill(-job->pid[i], SIGKILL);
    int status;
    while (waitpid(job->pid[i], &status, 0) < 0 && errno == EINTR) {}
    job->pid[i] = 0;
  }
}

/* Start gnuplot on each NULL-terminated group of scripts (at most
 * REPORT_PLOT_PROCS), the k-th logging to gnuplot.log (k = 0) or
 * gnuplot-<k+1>.log. */
static report_plot_status spawn(const char *pdir, const char *gnuplot,
                                const char *const *const *groups, int ngroups,
                                report_plot_job *job, char *why, size_t n) {
  job->limit = deadline_s();
  job->n = 0;
  for (int k = 0; k < ngroups && k < REPORT_PLOT_PROCS; k++) {
    if (k == 0) snprintf(job->log[k], sizeof job->log[k], "%s/gnuplot.log", pdir);
    else snprintf(job->log[k], sizeof job->log[k], "%s/gnuplot-%d.log", pdir, k + 1);
    job->pid[k] = 0;
    report_plot_status st =
        spawn_one(pdir, gnuplot, groups[k], -1, job->log[k], &job->pid[k], why, n);
    job->n = k + 1;
    if (st != REPORT_PLOT_RENDERED) {
      kill_all(job);
      for (int i = 0; i < job->n; i++) remove(job->log[i]);
      job->n = 0;
      return st;
    }
  }
  job->t0 = now_s();
  return REPORT_PLOT_RENDERED;
}

/* Append the file at `from` to `to` and remove it; false on an error. */
static bool append_log(const char *to, const char *from) {
  FILE *in = fopen(from, "rb");
  if (!in) return false;
  FILE *dst = fopen(to, "ab");
  bool ok = dst != NULL;
  char buf[4096];
  size_t got;
  while (ok && (got = fread(buf, 1, sizeof buf, in)) > 0) ok = fwrite(buf, 1, got, dst) == got;
  ok = !ferror(in) && ok;
  fclose(in);
  if (dst && fclose(dst) != 0) ok = false;
  if (ok) remove(from);
  return ok;
}

/* The verdict on one gnuplot that exited with `status` (log: its output). */
static report_plot_status verdict(int status, const char *log, char *why, size_t n) {
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return REPORT_PLOT_RENDERED;
  char first[400] = "";
  first_line(log, first, sizeof first);
  if (WIFSIGNALED(status))
    snprintf(why, n, "gnuplot killed by signal %d%s%s", WTERMSIG(status),
             first[0] ? ": " : "", first);
  else
    snprintf(why, n, "gnuplot exited with status %d%s%s (plots/gnuplot.log)",
             WEXITSTATUS(status), first[0] ? ": " : "", first);
  return REPORT_PLOT_FAILED;
}

/* Wait for the gnuplots that spawn() started and reap them. */
static report_plot_status wait_for(report_plot_job *job, char *why, size_t n) {
  double limit = job->limit, t0 = job->t0;
  /* Wait with a deadline, looking at the interrupt flag: on either, every
   * group is killed and reaped. */
  int status[REPORT_PLOT_PROCS] = {0};
  const char *stopped = NULL;
  for (;;) {
    int running = 0;
    for (int i = 0; i < job->n; i++) {
      if (job->pid[i] <= 0) continue;
      pid_t w = waitpid(job->pid[i], &status[i], WNOHANG);
      if (w == job->pid[i]) {
        job->pid[i] = 0;
        continue;
      }
      if (w < 0 && errno != EINTR) {
        snprintf(why, n, "waiting for gnuplot: %s", strerror(errno));
        kill_all(job);
        return REPORT_PLOT_FAILED;
      }
      running++;
    }
    if (!running) break;
    if (report_interrupted()) stopped = "interrupted";
    else if (now_s() - t0 > limit) stopped = "deadline";
    if (stopped) {
      kill_all(job);
      break;
    }
    struct timespec ts = {0, 2 * 1000000L};   /* 2 ms */
    nanosleep(&ts, NULL);
  }
  if (stopped && stopped[0] == 'i') {
    snprintf(why, n, "gnuplot stopped: interrupted");
    return REPORT_PLOT_FAILED;
  }
  if (stopped) {
    snprintf(why, n, "gnuplot did not finish within %g s and was stopped "
                     "(JOBSIM_GNUPLOT_TIMEOUT sets the limit)", limit);
    return REPORT_PLOT_FAILED;
  }
  /* the first group (in script order) that failed gives the message */
  report_plot_status st = REPORT_PLOT_RENDERED;
  for (int i = 0; i < job->n && st == REPORT_PLOT_RENDERED; i++)
    st = verdict(status[i], job->log[i], why, n);
  /* one gnuplot.log, in script order, removed when empty */
  for (int i = 1; i < job->n; i++)
    if (!append_log(job->log[0], job->log[i]) && st == REPORT_PLOT_RENDERED) {
      snprintf(why, n, "cannot join gnuplot's logs into plots/gnuplot.log: %s",
               strerror(errno));
      st = REPORT_PLOT_FAILED;
    }
  struct stat sb;
  if (st == REPORT_PLOT_RENDERED && stat(job->log[0], &sb) == 0 && sb.st_size == 0)
    remove(job->log[0]);   /* rendered without a word; else kept for the curious */
  job->n = 0;
  return st;
}

/* The scripts of each gnuplot: two halves of about equal cost (each about
 * 40 % of the five drawn by one gnuplot, which pays its start-up once). */
static const char *const first_half[] = {"counters.gp", "failures.gp", NULL};
static const char *const second_half[] = {"rate.gp", "abort.gp", "progress.gp", NULL};
static const char *const *const halves[REPORT_PLOT_PROCS] = {first_half, second_half};

/* What an early gnuplot is sent at once, while the engine runs: one plot
 * of the cairo terminal into /dev/null, so that cairo, pango and
 * fontconfig are loaded and the font found before the data exists (about
 * 20 ms of each gnuplot's time on the critical path here). Small (160 x
 * 120: about 8 ms of CPU less than the default 640 x 480, most of it PNG
 * encoding; smaller sizes make gnuplot warn that the plot does not fit,
 * and a word in the log keeps it in the report). Its settings are all set
 * again by every script (terminal, output); the images come out byte for
 * byte as without it (checked on every bundled scenario). */
static const char warm_up[] =
    "set terminal pngcairo noenhanced font \"Sans,10\" size 160,120\n"
    "set output '/dev/null'\n"
    "plot x\n"
    "unset output\n";

int report_plot_prestart(const report_outdir *dir, report_plot_job *job, sim_diag *d) {
  memset(job, 0, sizeof *job);
  job->status = REPORT_PLOT_NO_GNUPLOT;
  int rc = report_outdir_mkdir(dir, "plots", d);
  if (rc) return rc;
  job->prepared = true;
  char pdir[4200], gp[4096];
  report_outdir_path(dir, "plots", pdir, sizeof pdir);
  if (!report_plot_find_gnuplot(gp, sizeof gp)) return SIM_OK;
  job->early = true;
  job->limit = deadline_s();
  job->status = REPORT_PLOT_RENDERED;
  for (int k = 0; k < REPORT_PLOT_PROCS; k++) {
    if (k == 0) snprintf(job->log[k], sizeof job->log[k], "%s/gnuplot.log", pdir);
    else snprintf(job->log[k], sizeof job->log[k], "%s/gnuplot-%d.log", pdir, k + 1);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
      snprintf(job->why, sizeof job->why, "cannot start gnuplot: %s", strerror(errno));
      job->status = REPORT_PLOT_FAILED;
      break;
    }
    job->cmd[k] = sv[0];
    job->pid[k] = 0;
    job->n = k + 1;
    job->status = spawn_one(pdir, gp, NULL, sv[1], job->log[k], &job->pid[k], job->why,
                            sizeof job->why);
    close(sv[1]);
    if (job->status != REPORT_PLOT_RENDERED) break;
    /* a socket buffer holds it: no wait; a gnuplot already gone (EPIPE) is
     * judged by its exit status */
    (void)send(sv[0], warm_up, sizeof warm_up - 1, MSG_NOSIGNAL);
  }
  if (job->status != REPORT_PLOT_RENDERED) {   /* none runs, no log is left */
    kill_all(job);
    for (int i = 0; i < job->n; i++) remove(job->log[i]);
    job->n = 0;
  }
  return SIM_OK;
}

/* Send each early gnuplot its scripts and the end of its input. One that
 * has already ended (EPIPE) is judged by its exit status. */
static void send_scripts(report_plot_job *job) {
  for (int k = 0; k < job->n; k++) {
    char buf[512];
    size_t len = 0;
    for (const char *const *s = halves[k]; *s; s++)
      len += (size_t)snprintf(buf + len, sizeof buf - len, "load '%s'\n", *s);
    for (size_t off = 0; off < len;) {
      ssize_t w = send(job->cmd[k], buf + off, len - off, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      off += (size_t)w;
    }
  }
  close_cmds(job);
  job->early = false;
  job->t0 = now_s();
}

int report_plot_start(const report_outdir *dir, const report_plot_input *in,
                      report_plot_job *job, sim_diag *d) {
  int rc;
  if (job->prepared) {   /* plots/ made and gnuplot started (if any) */
    if ((rc = write_data(dir, in, d)) || (rc = write_scripts(dir, in, d))) return rc;
    if (job->early) send_scripts(job);
    return SIM_OK;
  }
  memset(job, 0, sizeof *job);
  job->status = REPORT_PLOT_NO_GNUPLOT;
  if ((rc = report_outdir_mkdir(dir, "plots", d)) || (rc = write_data(dir, in, d)) ||
      (rc = write_scripts(dir, in, d)))
    return rc;
  char pdir[4200], gp[4096];
  report_outdir_path(dir, "plots", pdir, sizeof pdir);
  if (report_plot_find_gnuplot(gp, sizeof gp))
    job->status = spawn(pdir, gp, halves, REPORT_PLOT_PROCS, job, job->why, sizeof job->why);
  return SIM_OK;
}

void report_plot_finish(report_plot_job *job, report_plot_status *status, char *why,
                        size_t n) {
  if (n) why[0] = 0;
  if (job->n > 0) job->status = wait_for(job, job->why, sizeof job->why);
  *status = job->status;
  if (n) snprintf(why, n, "%s", job->why);
}

void report_plot_cancel(report_plot_job *job) {
  kill_all(job);
  job->n = 0;
}

int report_plot_write(const report_outdir *dir, const report_plot_input *in,
                      report_plot_status *status, char *why, size_t n, sim_diag *d) {
  if (n) why[0] = 0;
  *status = REPORT_PLOT_NO_GNUPLOT;
  report_plot_job job;
  memset(&job, 0, sizeof job);
  int rc = report_plot_start(dir, in, &job, d);
  if (rc) return rc;
  report_plot_finish(&job, status, why, n);
  return SIM_OK;
}

report_plot_status report_plot_render(const char *pdir, const char *const *scripts,
                                      char *why, size_t n) {
  char gp[4096];
  if (!report_plot_find_gnuplot(gp, sizeof gp)) return REPORT_PLOT_NO_GNUPLOT;
  report_plot_job job;
  memset(&job, 0, sizeof job);
  const char *const *const groups[] = {scripts};
  report_plot_status s = spawn(pdir, gp, groups, 1, &job, why, n);
  return job.n > 0 ? wait_for(&job, why, n) : s;
}
