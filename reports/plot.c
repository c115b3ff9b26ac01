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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "duration.h"

const char *const report_plot_names[] = {"counters", "rate", "abort", "progress", NULL};

const char *report_plot_caption(const char *name) {
  if (strcmp(name, "counters") == 0)
    return "Execution records per status over time (stacked): what describe-job's "
           "jobProcessDetails counters show at each instant.";
  if (strcmp(name, "rate") == 0)
    return "Rollout rate (executions created per minute) over time; each increase "
           "is marked with the new rate.";
  if (strcmp(name, "abort") == 0)
    return "Failure percentage of executed things against each abort criterion's "
           "threshold (drawn from the instant its minimum count is reached); the "
           "abort, if any, is marked.";
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
    "set grid lc rgb '#dddddd'\n"
    "set key below horizontal spacing 1.2\nset bmargin 7.5\n"
    "set border 3\n"
    "set xtics nomirror\n"
    "set ytics nomirror\n"
    "set style fill solid 0.85 noborder\n"
    "c_queued = '#9ecae1'; c_in_progress = '#3182bd'; c_succeeded = '#31a354'\n"
    "c_failed = '#de2d26'; c_rejected = '#fd8d3c'; c_timed_out = '#756bb1'\n"
    "c_canceled = '#969696'; c_removed = '#636363'\n";

static void preamble(FILE *f, const report_plot_input *in, const char *name,
                     const char *what, const char *data) {
  const model_scenario *sc = in->sc;
  sim_time_ms end = in->n_rows ? in->rows[in->n_rows - 1].at : 0;
  double xmax = minutes(end);
  if (xmax < 1.0) xmax = 1.0;
  char start[40];
  model_format_iso8601(sc->sim.start_epoch_ms, start, sizeof start);
  fprintf(f,
          "# %s.gp - %s\n# %s\n# Data: %s. Render: gnuplot %s.gp (in this directory)\n"
          "load 'style.gp'\n"
          "S = %" PRId64 ".%03d   # job creation, epoch seconds (%s)\n"
          "set xlabel 'minutes since job creation'\n"
          "set xrange [0:%.4f]\n"
          "set link x2 via S + x*60 inverse (x - S)/60\n"
          "set x2data time\n"
          "set x2tics format '%s' timedate\n"
          "set x2label 'UTC clock time'\n"
          "set title '%s: %s (seed %" PRIu64 ")'\n",
          name, what, report_plot_caption(name), data, name,
          sc->sim.start_epoch_ms / 1000, (int)(sc->sim.start_epoch_ms % 1000), start,
          xmax, end > 24 * SIM_MS_PER_H ? "%m-%d %H:%M" : "%H:%M", sc->name, what,
          in->seed);
}

static void render_twice(FILE *f, const char *name, const char *plot) {
  fprintf(f, "set terminal @PNG\nset output '%s.png'\n%s\n"
             "set terminal @SVG\nset output '%s.svg'\nreplot\nunset output\n",
          name, plot, name);
}

static void abort_mark(FILE *f, const report_plot_input *in) {
  if (in->abort_at < 0) return;
  char dur[64];
  sim_duration_format(in->abort_at, dur, sizeof dur);
  fprintf(f, "set arrow 1 from %.4f, graph 0 to %.4f, graph 1 nohead lw 2 "
             "lc rgb '#b00000' dt 2 front\n"
             "set label 1 'abort at +%s' at %.4f, graph 0.96 right offset -0.5,0 "
             "tc rgb '#b00000' front\n",
          minutes(in->abort_at), minutes(in->abort_at), dur, minutes(in->abort_at));
}

static int write_scripts(const report_outdir *dir, const report_plot_input *in,
                         bool increases, sim_diag *d) {
  const model_scenario *sc = in->sc;
  const model_jobcfg *c = &sc->job;
  out o = {0};
  int rc;
  if ((rc = report_outdir_write(dir, "plots/style.gp", style_gp, strlen(style_gp), d)))
    return rc;

  /* counters: stacked areas, the total drawn first and each lower sum over it */
  if ((rc = open_out(&o, dir, "plots/counters.gp", d))) return rc;
  preamble(o.f, in, "counters", "execution records by status", "timeline.dat");
  fprintf(o.f, "set ylabel 'execution records'\nset yrange [0:*]\n");
  abort_mark(o.f, in);
  static const struct { const char *label, *color; int col; } layers[] = {
      {"QUEUED", "c_queued", 3},       {"IN_PROGRESS", "c_in_progress", 4},
      {"REMOVED", "c_removed", 10},    {"CANCELED", "c_canceled", 9},
      {"TIMED_OUT", "c_timed_out", 8}, {"REJECTED", "c_rejected", 7},
      {"FAILED", "c_failed", 6},       {"SUCCEEDED", "c_succeeded", 5}};
  char plot[4096];
  size_t len = (size_t)snprintf(plot, sizeof plot, "plot");
  for (size_t i = 0; i < 8; i++) {
    char sum[128] = "";
    size_t sl = 0;
    for (size_t j = i; j < 8; j++)
      sl += (size_t)snprintf(sum + sl, sizeof sum - sl, "%s$%d", j > i ? "+" : "",
                             layers[j].col);
    len += (size_t)snprintf(plot + len, sizeof plot - len,
                            "%s \\\n  'timeline.dat' using 1:(%s) with filledcurves x1 "
                            "lc rgb %s title '%s'",
                            i ? "," : "", sum, layers[i].color, layers[i].label);
  }
  render_twice(o.f, "counters", plot);
  if ((rc = close_out(&o, d))) return rc;

  /* rate */
  if ((rc = open_out(&o, dir, "plots/rate.gp", d))) return rc;
  preamble(o.f, in, "rate", "rollout rate", "timeline.dat, increases.dat");
  fprintf(o.f, "set ylabel 'executions created per minute'\nset yrange [0:*]\n"
               "set offsets 0, 0, graph 0.12, 0\n");
  abort_mark(o.f, in);
  snprintf(plot, sizeof plot,
           "plot 'timeline.dat' using 1:12 with steps lw 2 lc rgb '#3182bd' "
           "title 'rollout rate'%s",
           increases ? ", \\\n  'increases.dat' using 1:4 with points pt 7 ps 1.3 "
                       "lc rgb '#de2d26' title 'rate increase', \\\n"
                       "  'increases.dat' using 1:4:(sprintf('%d/min', $4)) with labels "
                       "offset 0,1 notitle"
                     : "");
  render_twice(o.f, "rate", plot);
  if ((rc = close_out(&o, d))) return rc;

  /* abort */
  if ((rc = open_out(&o, dir, "plots/abort.gp", d))) return rc;
  preamble(o.f, in, "abort", "failure percentage and abort thresholds", "abort.dat");
  fprintf(o.f, "set ylabel '%% of executed things'\nset yrange [0:*]\n"
               "set offsets 0, 0, graph 0.1, 0\n");
  abort_mark(o.f, in);
  len = (size_t)snprintf(plot, sizeof plot, "plot");
  bool shown[4] = {false, false, false, false};
  static const char *const type_color[] = {"c_failed", "c_rejected", "c_timed_out",
                                           "'#000000'"};
  size_t items = 0;
  for (size_t a = 0; a < c->n_abort; a++) {
    model_failure_type t = c->abort[a].failure_type;
    if (!shown[t]) {
      shown[t] = true;
      len += (size_t)snprintf(plot + len, sizeof plot - len,
                              "%s \\\n  'abort.dat' using 1:%d with lines lw 2 lc rgb %s "
                              "title '%s failures %%'",
                              items++ ? "," : "", 5 + (int)t, type_color[t],
                              model_failure_type_name(t));
    }
    len += (size_t)snprintf(plot + len, sizeof plot - len,
                            ", \\\n  'abort.dat' using 1:%zu with lines lw 1.5 dt 2 lc rgb "
                            "%s title 'criterion %zu: %s >= %g%% once %" PRId64 " %s'",
                            9 + a, type_color[t], a, model_failure_type_name(t),
                            c->abort[a].threshold_percentage, c->abort[a].min_executed,
                            sc->sim.abort_gate == MODEL_GATE_NOTIFIED ? "notified"
                                                                      : "executed");
  }
  if (items == 0)
    snprintf(plot, sizeof plot,
             "plot 'abort.dat' using 1:8 with lines lw 2 lc rgb '#000000' "
             "title 'ALL failures %% (no abortConfig)'");
  render_twice(o.f, "abort", plot);
  if ((rc = close_out(&o, d))) return rc;

  /* progress */
  if ((rc = open_out(&o, dir, "plots/progress.gp", d))) return rc;
  preamble(o.f, in, "progress", "notified vs terminal", "timeline.dat");
  fprintf(o.f, "set ylabel 'things / execution records'\nset yrange [0:*]\n"
               "set offsets 0, 0, graph 0.08, 0\n");
  abort_mark(o.f, in);
  snprintf(plot, sizeof plot,
           "plot %" PRId64 " with lines dt 3 lc rgb '#636363' title 'things targeted "
           "(%" PRId64 ")', \\\n"
           "  'timeline.dat' using 1:11 with lines lw 2 lc rgb '#3182bd' "
           "title 'things notified', \\\n"
           "  'timeline.dat' using 1:13 with lines lw 2 lc rgb '#31a354' "
           "title 'records in a terminal status', \\\n"
           "  'timeline.dat' using 1:15 with lines lw 1.5 lc rgb '#fd8d3c' "
           "title 'records in flight'",
           sc->n_targeted, sc->n_targeted);
  render_twice(o.f, "progress", plot);
  return close_out(&o, d);
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

/* Start gnuplot on `scripts` (NULL-terminated, at most 15) in directory
 * pdir: job->pid > 0, or FAILED with the reason in why. */
static report_plot_status spawn(const char *pdir, const char *gnuplot,
                                const char *const *scripts, report_plot_job *job,
                                char *why, size_t n) {
  snprintf(job->log, sizeof job->log, "%s/gnuplot.log", pdir);
  const char *log = job->log;
  char names[16][64], *argv[17];
  size_t k = 0;
  snprintf(names[k], sizeof names[k], "gnuplot");
  argv[k] = names[k];
  for (k = 1; k < 16 && scripts[k - 1]; k++) {
    snprintf(names[k], sizeof names[k], "%s", scripts[k - 1]);
    argv[k] = names[k];
  }
  argv[k] = NULL;
  job->limit = deadline_s();
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
    int in = open("/dev/null", O_RDONLY);
    int lg = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (in < 0 || lg < 0 || chdir(pdir) != 0 || dup2(in, 0) < 0 || dup2(lg, 1) < 0 ||
        dup2(lg, 2) < 0)
      _exit(126);
    execv(gnuplot, argv);
    _exit(127);
  }
  setpgid(pid, pid);   /* both sides, so there is no race with the kill */
  job->pid = pid;
  job->t0 = now_s();
  return REPORT_PLOT_RENDERED;
}

/* Wait for the gnuplot that spawn() started and reap it. */
static report_plot_status wait_for(report_plot_job *job, char *why, size_t n) {
  pid_t pid = job->pid;
  const char *log = job->log;
  double limit = job->limit, t0 = job->t0;
  job->pid = 0;
  /* Wait with a deadline, looking at the interrupt flag: on either, the
   * whole group is killed and reaped. */
  int status = 0;
  const char *stopped = NULL;
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) {
      snprintf(why, n, "waiting for gnuplot: %s", strerror(errno));
      kill(-pid, SIGKILL);
      return REPORT_PLOT_FAILED;
    }
    if (report_interrupted()) stopped = "interrupted";
    else if (now_s() - t0 > limit) stopped = "deadline";
    if (stopped) {
      kill(-pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
      break;
    }
    struct timespec ts = {0, 5 * 1000000L};   /* 5 ms */
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
  struct stat st;
  bool quiet_log = stat(log, &st) == 0 && st.st_size == 0;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && quiet_log) {
    remove(log);
    return REPORT_PLOT_RENDERED;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    /* Rendered with warnings: keep the log for the curious. */
    return REPORT_PLOT_RENDERED;
  }
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

int report_plot_start(const report_outdir *dir, const report_plot_input *in,
                      report_plot_job *job, sim_diag *d) {
  memset(job, 0, sizeof *job);
  job->status = REPORT_PLOT_NO_GNUPLOT;
  int rc;
  bool increases = false;
  int64_t prev = -1;
  for (size_t i = 0; i < in->n_rows; i++)
    if (in->rows[i].why & MODEL_ROW_WINDOW) {
      if (prev > 0 && in->rows[i].rate > prev) increases = true;
      prev = in->rows[i].rate;
    }
  if ((rc = report_outdir_mkdir(dir, "plots", d)) || (rc = write_data(dir, in, d)) ||
      (rc = write_scripts(dir, in, increases, d)))
    return rc;
  static const char *const scripts[] = {"counters.gp", "rate.gp", "abort.gp",
                                         "progress.gp", NULL};
  char pdir[4200], gp[4096];
  report_outdir_path(dir, "plots", pdir, sizeof pdir);
  if (report_plot_find_gnuplot(gp, sizeof gp))
    job->status = spawn(pdir, gp, scripts, job, job->why, sizeof job->why);
  return SIM_OK;
}

void report_plot_finish(report_plot_job *job, report_plot_status *status, char *why,
                        size_t n) {
  if (n) why[0] = 0;
  if (job->pid > 0) job->status = wait_for(job, job->why, sizeof job->why);
  *status = job->status;
  if (n) snprintf(why, n, "%s", job->why);
}

void report_plot_cancel(report_plot_job *job) {
  if (job->pid <= 0) return;
  kill(-job->pid, SIGKILL);
  int status;
  while (waitpid(job->pid, &status, 0) < 0 && errno == EINTR) {}
  job->pid = 0;
}

int report_plot_write(const report_outdir *dir, const report_plot_input *in,
                      report_plot_status *status, char *why, size_t n, sim_diag *d) {
  if (n) why[0] = 0;
  *status = REPORT_PLOT_NO_GNUPLOT;
  report_plot_job job;
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
  report_plot_status s = spawn(pdir, gp, scripts, &job, why, n);
  return job.pid > 0 ? wait_for(&job, why, n) : s;
}
