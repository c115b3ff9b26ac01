/*
 * fitreport.c — `jobsim fit --report DIR` (fitreport.h): per group and
 * quantity the empirical CDF (Kaplan-Meier, which is the plain empirical
 * CDF when nothing is censored) against the fitted CDF, the table of
 * candidate models with AIC, and the backtest's band plot and verdict, in
 * a self-contained index.html. The directory is written through
 * reports/outdir.h, so a reader sees the old report or the new one.
 */
#define _POSIX_C_SOURCE 200809L
#include "fitreport.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtest.h"
#include "outdir.h"
#include "plot.h"

/* ---------------------------------------------------------- buffers --- */

typedef struct buf {
  char *s;
  size_t n, cap;
  bool oom;
} buf;

static void put(buf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (b->n + n + 1 > cap) cap *= 2;
    char *p = realloc(b->s, cap);
    if (!p) {
      b->oom = true;
      return;
    }
    b->s = p;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = 0;
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static void putf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(buf *b, const char *fmt, ...) {
  char tmp[2048];
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (k < 0) return;
  put(b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}

static void esc(buf *b, const char *s) {
  for (; *s; s++) {
    switch (*s) {
      case '<': puts_(b, "&lt;"); break;
      case '>': puts_(b, "&gt;"); break;
      case '&': puts_(b, "&amp;"); break;
      case '"': puts_(b, "&quot;"); break;
      default: put(b, s, 1);
    }
  }
}

static void base64(buf *b, const unsigned char *p, size_t n) {
  static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)p[i] << 16;
    if (i + 1 < n) v |= (unsigned)p[i + 1] << 8;
    if (i + 2 < n) v |= p[i + 2];
    char o[4] = {t[(v >> 18) & 63], t[(v >> 12) & 63], i + 1 < n ? t[(v >> 6) & 63] : '=',
                 i + 2 < n ? t[v & 63] : '='};
    put(b, o, 4);
  }
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  buf b = {0};
  char tmp[65536];
  size_t k;
  while ((k = fread(tmp, 1, sizeof tmp, f)) > 0) put(&b, tmp, k);
  fclose(f);
  if (b.oom) {
    free(b.s);
    return NULL;
  }
  *len = b.n;
  return b.s;
}

static int write_buf(const report_outdir *o, const char *rel, buf *b, sim_diag *d) {
  if (b->oom) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  return report_outdir_write(o, rel, b->s ? b->s : "", b->n, d);
}

/* gnuplot single-quoted string: ' doubled. */
static void gq(buf *b, const char *s) {
  put(b, "'", 1);
  for (; *s; s++) {
    if (*s == '\'') put(b, "'", 1);
    put(b, s, 1);
  }
  put(b, "'", 1);
}

/* --------------------------------------------------------------- plots --- */

static const char style_gp[] =
    "# style.gp - the shared look of the fit report's plots. Edit it, then\n"
    "# re-render a plot with `gnuplot NAME.gp` in this directory.\n"
    "set termoption noenhanced\n"
    "PNG = 'pngcairo noenhanced size 960,540 font \"Sans,10\" background rgb \"white\"'\n"
    "SVG = 'svg noenhanced size 960,540 font \"Sans,10\" background rgb \"white\"'\n"
    "set grid lc rgb '#dddddd'\n"
    "set key below horizontal spacing 1.2\n"
    "set border 3\nset xtics nomirror\nset ytics nomirror\n";

static void render_twice(buf *b, const char *name, const char *plot) {
  putf(b, "set terminal @PNG\nset output '%s.png'\n%s\n"
          "set terminal @SVG\nset output '%s.svg'\nreplot\nunset output\n",
       name, plot, name);
}

typedef struct plot_ref {
  char name[200];       /* file stem in plots/ */
  char caption[600];
} plot_ref;

typedef struct rep {
  const fit_job *j;
  report_outdir dir;
  sim_diag *d;
  plot_ref *plots;
  size_t n_plots, cap_plots;
} rep;

static int add_plot(rep *r, const char *name, const char *caption) {
  if (r->n_plots == r->cap_plots) {
    size_t nc = r->cap_plots ? 2 * r->cap_plots : 16;
    plot_ref *np = realloc(r->plots, nc * sizeof *np);
    if (!np) return sim_diag_set(r->d, SIM_ERR_NOMEM, NULL, "out of memory");
    r->plots = np;
    r->cap_plots = nc;
  }
  plot_ref *p = &r->plots[r->n_plots++];
  snprintf(p->name, sizeof p->name, "%s", name);
  snprintf(p->caption, sizeof p->caption, "%s", caption);
  return SIM_OK;
}

/* A group name as a file-name component (thing-group names are
 * [a-zA-Z0-9:_-], ':' is replaced). */
static void stem(const char *name, char *out, size_t n) {
  size_t k = 0;
  for (; *name && k + 1 < n; name++) out[k++] = *name == ':' ? '_' : *name;
  out[k] = 0;
}

/* CDF plot of one quantity: Kaplan-Meier steps and the fitted CDF. */
static int cdf_plot(rep *r, size_t gi, bool run) {
  const fit_job *j = r->j;
  const fit_group_result *g = &j->g[gi];
  const fit_sample *s = run ? &g->run.times : &g->delay;
  const fit_model *m = run ? g->r.best : g->d.best;
  if (!m || s->n_exact <= 0) return SIM_OK;
  size_t cap = s->grid->n_bins;
  double *t = malloc(cap * sizeof *t), *F = malloc(cap * sizeof *F);
  if (!t || !F) {
    free(t);
    free(F);
    return sim_diag_set(r->d, SIM_ERR_NOMEM, NULL, "out of memory");
  }
  size_t n = fit_km(s, t, F, cap);
  char gs[140], nm[200], rel[260];
  stem(j->h->groups[gi].name, gs, sizeof gs);
  snprintf(nm, sizeof nm, "cdf-%s-%s", gs, run ? "run" : "delay");
  /* data: seconds, Kaplan-Meier, fitted */
  buf dat = {0};
  putf(&dat, "# %s: Kaplan-Meier estimate (seconds, F) at each bin's upper edge, and the "
             "fitted CDF there\n", nm);
  double xmax = 0;
  for (size_t i = 0; i < n; i++) {
    double fit = run ? fit_run_cdf(m, t[i]) : fit_delay_cdf(m, t[i]);
    putf(&dat, "%.6g %.6f %.6f\n", t[i] / 1000, F[i], fit);
    if (t[i] > xmax) xmax = t[i];
  }
  free(t);
  free(F);
  /* the fitted curve on a fine grid too (smooth line) */
  putf(&dat, "\n\n");
  double lo = s->grid->edge[s->lo + 1] / 1000, hi = xmax / 1000;
  if (lo <= 0) lo = 1e-3;
  if (hi <= lo) hi = lo * 10;
  for (int i = 0; i <= 400; i++) {
    double x = lo * pow(hi / lo, i / 400.0);
    double fit = run ? fit_run_cdf(m, x * 1000) : fit_delay_cdf(m, x * 1000);
    putf(&dat, "%.6g %.6f\n", x, fit);
  }
  snprintf(rel, sizeof rel, "plots/%s.dat", nm);
  int rc = write_buf(&r->dir, rel, &dat, r->d);
  free(dat.s);
  if (rc) return rc;
  const fit_model *mm = m;
  char model[200];
  if (!run && mm->fam2 != FIT_FAMILY_COUNT)
    snprintf(model, sizeof model, "%s online + %s offline (connected %.3f)",
             fit_family_name(mm->fam), fit_family_name(mm->fam2), mm->mix.v);
  else
    snprintf(model, sizeof model, "%s", fit_family_name(mm->fam));
  double ks = run ? g->r.ks : g->d.ks;
  buf gp = {0};
  putf(&gp, "# %s.gp - %s of group %s: empirical against fitted CDF\n"
            "# Data: %s.dat. Render: gnuplot %s.gp (in this directory)\n"
            "reset\nload 'style.gp'\n",
       nm, run ? "run time" : "start delay", j->h->groups[gi].name, nm, nm);
  puts_(&gp, "set title ");
  char title[600];
  snprintf(title, sizeof title, "%s: %s of group %s (%.0f exact, %.0f censored), KS %.3f",
           j->h->job_id, run ? "run time (reported by t)" : "start delay",
           j->h->groups[gi].name, s->n_exact, s->n_cens, ks);
  gq(&gp, title);
  puts_(&gp, "\nset xlabel 'seconds (log scale)'\nset logscale x\n"
             "set ylabel 'cumulative share'\nset yrange [0:1.02]\n"
             "set key bottom right inside\n");
  char plot[1200];
  snprintf(plot, sizeof plot,
           "plot '%s.dat' index 0 using 1:2 with steps lw 2 lc rgb '#3182bd' title '%s', "
           "'' index 1 using 1:2 with lines lw 2 dt 2 lc rgb '#de2d26' title 'fitted: %s'",
           nm, s->n_cens > 0 ? "Kaplan-Meier (censored records)" : "empirical CDF", model);
  render_twice(&gp, nm, plot);
  snprintf(rel, sizeof rel, "plots/%s.gp", nm);
  rc = write_buf(&r->dir, rel, &gp, r->d);
  free(gp.s);
  if (rc) return rc;
  char cap_[600];
  snprintf(cap_, sizeof cap_,
           "Group %s, %s: %s against the fitted %s; Kolmogorov-Smirnov distance %.3f.",
           j->h->groups[gi].name, run ? "run time" : "start delay",
           s->n_cens > 0 ? "Kaplan-Meier estimate" : "empirical CDF", model, ks);
  return add_plot(r, nm, cap_);
}

static const int bt_shown[] = {0, 1, 2, 8};   /* QUEUED, IN_PROGRESS, SUCCEEDED, terminal */

static int backtest_plot(rep *r) {
  const fit_backtest *b = r->j->bt;
  if (!b) return SIM_OK;
  buf dat = {0};
  puts_(&dat, "# backtest: minutes since creation, then per series (");
  for (size_t k = 0; k < sizeof bt_shown / sizeof bt_shown[0]; k++)
    putf(&dat, "%s%s", k ? ", " : "", fit_backtest_series_name(bt_shown[k]));
  puts_(&dat, "): real, 5 %, median, 95 % of the replications\n");
  for (size_t i = 0; i < b->n_t; i++) {
    putf(&dat, "%.4f", (double)b->t[i] / 60000.0);
    for (size_t k = 0; k < sizeof bt_shown / sizeof bt_shown[0]; k++) {
      size_t c = i * FIT_BT_SERIES + (size_t)bt_shown[k];
      putf(&dat, " %.1f %.1f %.1f %.1f", b->real[c], b->lo[c], b->med[c], b->hi[c]);
    }
    puts_(&dat, "\n");
  }
  int rc = write_buf(&r->dir, "plots/backtest.dat", &dat, r->d);
  free(dat.s);
  if (rc) return rc;
  buf gp = {0};
  puts_(&gp, "# backtest.gp - the real job's records per status against the fitted\n"
             "# scenario's replications (median and 5-95 % band)\n"
             "# Data: backtest.dat. Render: gnuplot backtest.gp (in this directory)\n"
             "reset\nload 'style.gp'\n");
  char title[400];
  snprintf(title, sizeof title, "%s: real job (points) against %zu replications of the "
                                "fitted scenario (median, 5-95 %% band)",
           r->j->h->job_id, b->reps);
  puts_(&gp, "set title ");
  gq(&gp, title);
  puts_(&gp, "\nset xlabel 'minutes since job creation'\nset ylabel 'things'\n"
             "set yrange [0:*]\nset key below horizontal\n");
  if (!isnan(b->real_t95))
    putf(&gp, "set arrow 1 from %.4f, graph 0 to %.4f, graph 1 nohead lc rgb '#444444' dt 3\n"
              "set label 1 '95 %% terminal (real)' at %.4f, graph 0.55 left offset 0.5,0\n",
         b->real_t95 / 60000, b->real_t95 / 60000, b->real_t95 / 60000);
  static const char *const colors[] = {"#9ecae1", "#3182bd", "#31a354", "#111111"};
  buf pl = {0};
  puts_(&pl, "plot ");
  for (size_t k = 0; k < sizeof bt_shown / sizeof bt_shown[0]; k++) {
    int c0 = 2 + 4 * (int)k;
    const char *nm = fit_backtest_series_name(bt_shown[k]);
    putf(&pl, "%s'backtest.dat' using 1:%d:%d with filledcurves fs transparent solid 0.25 "
              "noborder lc rgb '%s' notitle, "
              "'' using 1:%d with lines lw 1.5 lc rgb '%s' title '%s median', "
              "'' using 1:%d every 3 with points pt 7 ps 0.45 lc rgb '%s' title '%s real'",
         k ? ", " : "", c0 + 1, c0 + 3, colors[k], c0 + 2, colors[k], nm, c0, colors[k], nm);
  }
  if (pl.oom) {
    free(gp.s);
    return sim_diag_set(r->d, SIM_ERR_NOMEM, NULL, "out of memory");
  }
  render_twice(&gp, "backtest", pl.s);
  free(pl.s);
  rc = write_buf(&r->dir, "plots/backtest.gp", &gp, r->d);
  free(gp.s);
  if (rc) return rc;
  return add_plot(r, "backtest",
                  "Backtest: the real job's records per status over time (points) against "
                  "the fitted scenario's replications (median line, 5-95 % band).");
}

/* --------------------------------------------------------------- page --- */

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
    "margin:0;background:#f6f7f9;color:#1d232b;line-height:1.45}"
    "main{max-width:1060px;margin:0 auto;padding:24px 28px 60px;background:#fff;"
    "box-shadow:0 0 12px rgba(0,0,0,.06)}"
    "h1{font-size:1.7em;margin:.2em 0 .1em}h2{font-size:1.25em;margin:1.6em 0 .5em;"
    "border-bottom:1px solid #e3e6ea;padding-bottom:.2em}h3{font-size:1.05em;margin:1.2em 0 .3em}"
    ".outcome{font-size:1.1em;font-weight:600;padding:.5em .8em;border-radius:6px;"
    "display:inline-block;margin:.4em 0}"
    ".ok{background:#e5f5e0;color:#14532d}.bad{background:#fde0dc;color:#7f1d1d}"
    ".meta{color:#5b6570;font-size:.9em}"
    "table{border-collapse:collapse;font-size:.88em;margin:.4em 0}"
    "th,td{border:1px solid #e3e6ea;padding:3px 8px;text-align:left;vertical-align:top}"
    "th{background:#f1f3f5}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "tr.best td{background:#eef6ff;font-weight:600}"
    "table.kv th{width:14em}"
    ".warn{background:#fff3bf;border:2px solid #e0a800;color:#5c4400;padding:.6em .9em;"
    "border-radius:6px;font-weight:600;margin:.6em 0}"
    "figure{margin:1em 0}figure img{max-width:100%;border:1px solid #e3e6ea}"
    "figcaption{color:#5b6570;font-size:.88em}"
    ".note{color:#8a5a00;background:#fff6e0;padding:.4em .7em;border-radius:4px}"
    "a{color:#1f5fbf}";

static void kv(buf *b, const char *k, const char *v) {
  puts_(b, "<tr><th>");
  esc(b, k);
  puts_(b, "</th><td>");
  esc(b, v);
  puts_(b, "</td></tr>\n");
}

static void param_text(const fit_model *m, fit_family f, const fit_value *p, char *out,
                       size_t n) {
  (void)m;
  size_t k = 0;
  out[0] = 0;
  for (int i = 0; i < fit_family_nparams(f) && k < n; i++) {
    bool dur = false;
    const char *pn = fit_family_param(f, i, &dur);
    double sc = dur ? 1000 : 1;
    int w;
    if (!isnan(p[i].lo))
      w = snprintf(out + k, n - k, "%s%s %.4g%s [%.4g, %.4g]", i ? ", " : "", pn,
                   p[i].v / sc, dur ? " s" : "", p[i].lo / sc, p[i].hi / sc);
    else
      w = snprintf(out + k, n - k, "%s%s %.4g%s", i ? ", " : "", pn, p[i].v / sc,
                   dur ? " s" : "");
    if (w < 0) break;
    k += (size_t)w;
  }
}

static void model_row(buf *b, const fit_model *m, const fit_model *best, bool delay) {
  if (!m->fitted) return;
  double best_aic = best ? best->aic : NAN;
  putf(b, "<tr%s><td>", m == best ? " class=\"best\"" : "");
  esc(b, fit_family_name(m->fam));
  if (delay) {
    puts_(b, "</td><td>");
    esc(b, m->fam2 != FIT_FAMILY_COUNT ? fit_family_name(m->fam2) : "none");
  }
  putf(b, "</td><td class=\"n\">%d</td><td class=\"n\">%.2f</td><td class=\"n\">%.2f</td>"
          "<td class=\"n\">%.2f</td><td>",
       m->k, m->loglik, m->aic, m->aic - best_aic);
  char p[600];
  param_text(m, m->fam, m->p1, p, sizeof p);
  esc(b, p);
  if (delay && m->fam2 != FIT_FAMILY_COUNT) {
    char q[300];
    snprintf(q, sizeof q, "; connected %.4f", m->mix.v);
    esc(b, q);
    if (!isnan(m->mix.lo)) putf(b, " [%.4f, %.4f]", m->mix.lo, m->mix.hi);
  }
  puts_(b, m == best ? "</td><td>chosen" : "</td><td>");
  puts_(b, "</td></tr>\n");
}

static void group_section(buf *b, const fit_job *j, size_t gi) {
  const fit_history *h = j->h;
  const fit_group_result *g = &j->g[gi];
  const fit_group *fg = &h->groups[gi];
  if (fg->things == 0) return;
  puts_(b, "<h2>Group ");
  esc(b, fg->name);
  puts_(b, "</h2>\n");
  putf(b, "<p class=\"meta\">%" PRId64 " things, %" PRId64 " with records, %" PRId64
          " execution records; %" PRId64 " earlier attempts known only by retryAttempt.</p>\n",
       fg->things, g->things_seen, g->records, g->unseen);
  if (g->borrowed >= 0) {
    puts_(b, "<p class=\"note\">No execution records: this group gets the behaviour fitted "
             "for group ");
    esc(b, h->groups[g->borrowed].name);
    puts_(b, ".</p>\n");
    return;
  }
  if (g->small)
    putf(b, "<p class=\"warn\">Only %" PRId64 " execution records (fewer than %d): fitted "
            "anyway, but too few to trust.</p>\n", g->records, FIT_SMALL_GROUP);
  /* start delay */
  putf(b, "<h3>startDelay</h3>\n<p class=\"meta\">%.0f exact, %.0f right-censored "
          "(still QUEUED, CANCELED, REMOVED); KS distance %.3f.</p>\n",
       g->delay.n_exact, g->delay.n_cens, g->d.ks);
  if (g->d.best) {
    puts_(b, "<table><tr><th>online</th><th>offline</th><th>k</th><th>log-likelihood</th>"
             "<th>AIC</th><th>&Delta;AIC</th><th>parameters (95 % interval)</th><th></th>"
             "</tr>\n");
    for (int f = 0; f < FIT_FAMILY_COUNT; f++) model_row(b, &g->d.single[f], g->d.best, true);
    for (int f = 0; f < FIT_FAMILY_COUNT; f++)
      for (int f2 = 0; f2 < FIT_CONSTANT; f2++)
        model_row(b, &g->d.mixed[f][f2], g->d.best, true);
    puts_(b, "</table>\n");
    if (g->d.best->fam2 != FIT_FAMILY_COUNT) {
      char p[600];
      param_text(NULL, g->d.best->fam2, g->d.reconnect, p, sizeof p);
      puts_(b, "<p>reconnectAfter (the offline component less the online start delay): ");
      esc(b, fit_family_name(g->d.best->fam2));
      puts_(b, " ");
      esc(b, p);
      puts_(b, "</p>\n");
    }
  } else {
    puts_(b, "<p class=\"note\">No device acted while the job was observed: the start "
             "delay could not be fitted.</p>\n");
  }
  /* run time */
  putf(b, "<h3>runTime and outcomes</h3>\n<p class=\"meta\">%.0f reported, %.0f "
          "right-censored (TIMED_OUT, unfinished, canceled in progress); KS distance %.3f "
          "(against the fitted &ldquo;reported by t&rdquo;).</p>\n",
       g->run.times.n_exact, g->run.times.n_cens, g->r.ks);
  if (g->r.best) {
    puts_(b, "<table><tr><th>family</th><th>k</th><th>log-likelihood</th><th>AIC</th>"
             "<th>&Delta;AIC</th><th>parameters (95 % interval)</th><th></th></tr>\n");
    for (int f = 0; f < FIT_FAMILY_COUNT; f++) model_row(b, &g->r.fam[f], g->r.best, false);
    puts_(b, "</table>\n");
  }
  static const char *const on[4] = {"SUCCEEDED", "FAILED", "REJECTED", "NO_RESPONSE"};
  putf(b, "<table><tr><th>outcome of an attempt</th><th>probability</th>"
          "<th>95 %% interval</th></tr>\n");
  for (int o = 0; o < 4; o++) {
    putf(b, "<tr><td>%s</td><td class=\"n\">%.4f</td>", on[o], g->r.outcome[o].v);
    if (!isnan(g->r.outcome[o].lo))
      putf(b, "<td class=\"n\">%.4f &ndash; %.4f</td></tr>\n", g->r.outcome[o].lo,
           g->r.outcome[o].hi);
    else
      puts_(b, "<td></td></tr>\n");
  }
  putf(b, "</table>\n<p class=\"meta\">%.0f attempts acted (the denominator).</p>\n",
       g->r.attempts);
}

static void figure(buf *b, const rep *r, const plot_ref *p, bool rendered) {
  puts_(b, "<figure>");
  if (rendered) {
    char rel[300], path[4400];
    snprintf(rel, sizeof rel, "plots/%s.png", p->name);
    report_outdir_path(&r->dir, rel, path, sizeof path);
    size_t len = 0;
    char *png = slurp(path, &len);
    if (png) {
      puts_(b, "<img alt=\"");
      esc(b, p->name);
      puts_(b, " plot\" src=\"data:image/png;base64,");
      base64(b, (const unsigned char *)png, len);
      puts_(b, "\">");
      free(png);
    } else {
      puts_(b, "<p class=\"note\">plots/");
      esc(b, p->name);
      puts_(b, ".png is missing</p>");
    }
  }
  puts_(b, "<figcaption>");
  esc(b, p->caption);
  puts_(b, " (<code>plots/");
  esc(b, p->name);
  puts_(b, ".svg</code>, <code>plots/");
  esc(b, p->name);
  puts_(b, ".gp</code>)</figcaption></figure>\n");
}

static void page(buf *b, const rep *r, bool rendered, const char *note,
                 const char *version_info) {
  const fit_job *j = r->j;
  const fit_history *h = j->h;
  puts_(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<title>jobsim fit: ");
  esc(b, h->job_id);
  puts_(b, "</title>\n<style>");
  puts_(b, css);
  puts_(b, "</style>\n</head>\n<body>\n<main>\n<h1>jobsim fit: ");
  esc(b, h->job_id);
  puts_(b, "</h1>\n<p class=\"meta\">");
  esc(b, version_info ? version_info : "jobsim");
  puts_(b, "</p>\n");
  if (j->bt) {
    putf(b, "<div class=\"outcome %s\">Backtest: ", j->bt->reproduces ? "ok" : "bad");
    esc(b, j->bt->verdict);
    puts_(b, "</div>\n");
  } else {
    puts_(b, "<p class=\"note\">No backtest was run (--backtest 0).</p>\n");
  }
  for (size_t i = 0; i < j->n_warnings; i++) {
    puts_(b, "<p class=\"warn\">");
    esc(b, j->warnings[i]);
    puts_(b, "</p>\n");
  }
  puts_(b, "<h2>Inputs</h2>\n<table class=\"kv\">\n");
  char v[600];
  kv(b, "job", h->job_id);
  kv(b, "status", model_job_status_name(h->status));
  snprintf(v, sizeof v, "%zu records of %" PRId64 " things, observed %.1f minutes after "
                        "creation", h->n_rec, h->n_things, (double)h->observed_at / 60000.0);
  kv(b, "records", v);
  for (size_t i = 0; i < h->n_inputs; i++) {
    /* the first input is --job (describe-job or a store): it holds no records */
    if (i == 0) {
      snprintf(v, sizeof v, "%s%s", h->inputs[i].path,
               strcmp(h->inputs[i].kind, "store") == 0 ? " (a jobsim store)" : "");
      kv(b, "job from", v);
      continue;
    }
    bool things = strcmp(h->inputs[i].kind, "list-things") == 0;
    snprintf(v, sizeof v, "%s (%" PRId64 " %s)", h->inputs[i].path, h->inputs[i].items,
             things ? "things" : "records");
    char key[160];
    if (things)
      snprintf(key, sizeof key, "group %s", h->inputs[i].group);
    else
      snprintf(key, sizeof key, "executions from");
    kv(b, key, v);
  }
  snprintf(v, sizeof v, "read %.3f s, fit %.3f s", j->seconds_read, j->seconds_fit);
  kv(b, "time", v);
  puts_(b, "</table>\n<p class=\"meta\">Maximum likelihood with right-censoring (GSL "
           "nmsimplex2); the family of each quantity by AIC (a nested model within 2 AIC of "
           "the best is preferred, and an offline component must pay for itself by a BIC margin, "
           "so &Delta;AIC against the chosen model may be negative); 95 % Wald intervals. "
           "The fitted scenario is "
           "<code>scenario.json</code>.</p>\n");
  for (size_t g = 0; g < j->n_g; g++) group_section(b, j, g);
  puts_(b, "<h2>Plots</h2>\n");
  if (!rendered) {
    puts_(b, "<p class=\"note\">");
    esc(b, note && note[0] ? note : "Plots were not requested.");
    puts_(b, " The gnuplot scripts and data are in <code>plots/</code>; run "
             "<code>gnuplot NAME.gp</code> there to render them.</p>\n");
  }
  for (size_t i = 0; i < r->n_plots; i++) figure(b, r, &r->plots[i], rendered);
  puts_(b, "</main>\n</body>\n</html>\n");
}

/* -------------------------------------------------------------- entry --- */

int fit_report_write(const fit_job *j, const char *dir, const char *out,
                     const char *scenario_text, size_t scenario_len, bool plots,
                     const char *version_info, char *plots_note, size_t n, sim_diag *d) {
  rep r = {.j = j, .d = d};
  sim_diag_init(d, dir);
  int rc = report_outdir_begin(&r.dir, dir, d);
  if (rc) return rc;
  if ((rc = report_outdir_write(&r.dir, "scenario.json", scenario_text, scenario_len, d)))
    goto fail;
  {
    buf m = {0};
    putf(&m, "{\n    \"kind\": \"fit\",\n    \"jobId\": \"%s\",\n    \"records\": %zu,\n"
             "    \"backtestReplications\": %zu,\n    \"by\": \"",
         j->h->job_id, j->h->n_rec, j->bt ? j->bt->reps : (size_t)0);
    for (const char *p = version_info ? version_info : "jobsim"; *p; p++)
      if (*p != '"' && *p != '\\' && (unsigned char)*p >= 0x20) put(&m, p, 1);
    puts_(&m, "\"\n}\n");
    rc = write_buf(&r.dir, REPORT_MARKER, &m, d);
    free(m.s);
    if (rc) goto fail;
  }
  if ((rc = report_outdir_mkdir(&r.dir, "plots", d))) goto fail;
  if ((rc = report_outdir_write(&r.dir, "plots/style.gp", style_gp, strlen(style_gp), d)))
    goto fail;
  for (size_t g = 0; g < j->n_g; g++) {
    if (j->g[g].borrowed >= 0 || j->h->groups[g].things == 0) continue;
    if ((rc = cdf_plot(&r, g, false)) || (rc = cdf_plot(&r, g, true))) goto fail;
  }
  if ((rc = backtest_plot(&r))) goto fail;
  bool rendered = false;
  if (n) plots_note[0] = 0;
  char note[512] = "";
  if (plots && r.n_plots) {
    char pdir[4400];
    report_outdir_path(&r.dir, "plots", pdir, sizeof pdir);
    rendered = true;
    /* report_plot_render takes at most 15 scripts at a time */
    for (size_t a = 0; a < r.n_plots && rendered; a += 15) {
      char names[15][210];
      const char *scripts[16];
      size_t k = 0;
      for (; k < 15 && a + k < r.n_plots; k++) {
        snprintf(names[k], sizeof names[k], "%s.gp", r.plots[a + k].name);
        scripts[k] = names[k];
      }
      scripts[k] = NULL;
      char why[400] = "";
      switch (report_plot_render(pdir, scripts, why, sizeof why)) {
        case REPORT_PLOT_RENDERED: break;
        case REPORT_PLOT_NO_GNUPLOT:
          snprintf(note, sizeof note, "gnuplot was not found on PATH: the fit report's plots "
                                      "were skipped (scripts and data are in plots/)");
          rendered = false;
          break;
        default:
          snprintf(note, sizeof note, "gnuplot failed, the fit report has no plots: %s", why);
          rendered = false;
          break;
      }
    }
    if (report_interrupted()) {
      rc = sim_diag_set(d, SIM_ERR_INTR, NULL, "interrupted");
      goto fail;
    }
  } else if (!plots) {
    snprintf(note, sizeof note, "Plots were not requested (--no-plots).");
  }
  {
    buf b = {0};
    page(&b, &r, rendered, note, version_info);
    rc = write_buf(&r.dir, "index.html", &b, d);
    free(b.s);
    if (rc) goto fail;
  }
  /* the scenario, then the report: a failed --out leaves neither */
  sim_diag_init(d, out);
  if ((rc = report_write_file_atomic(out, scenario_text, scenario_len, d))) goto fail;
  sim_diag_init(d, dir);
  if ((rc = report_outdir_commit(&r.dir, d))) goto fail;
  if (n && plots && !rendered && note[0]) snprintf(plots_note, n, "%s", note);
  free(r.plots);
  return SIM_OK;
fail:
  report_outdir_abort(&r.dir);
  free(r.plots);
  return rc;
}
