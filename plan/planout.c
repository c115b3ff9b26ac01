/*
 * planout.c — what `jobsim plan` shows and writes: the ranked table
 * (stdout and plan.txt), candidates.csv, create-job.json, run.json and the
 * trade-off plot plots/front.*, whose labels are placed here so that none
 * overlaps another label, a point, the limit lines or their labels.
 */
#define _POSIX_C_SOURCE 200809L
#include "planner.h"
#include "planout.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "outdir.h"
#include "ticks.h"

/* --------------------------------------------------------------- table --- */

static void fmt_est(const plan_estimate *e, char *b, size_t n) {
  if (!e->evaluated) snprintf(b, n, "-");
  else snprintf(b, n, "%.3f [%.3f,%.3f]", e->p, e->lo, e->hi);
}

static int conf_pct(const plan_planner_opts *o) {
  return (int)ceil(o->confidence * 100.0 - 1e-9);
}

static void reasons(const plan_result *r, const plan_candidate *c, char *b, size_t n) {
  const plan_planner_opts *o = &r->o;
  char dl[64], dn[32];
  plan_fmt_duration(o->deadline, dl, sizeof dl);
  plan_deadline_for_name(o->deadline_for, o->terminal_pct, dn, sizeof dn);
  b[0] = 0;
  if (c->feasible) {
    snprintf(b, n, "ok%s", c->est[0].at_cap || c->est[1].at_cap || c->est[2].at_cap
                               ? " (a constraint decided at the replication cap)" : "");
    return;
  }
  for (int k = 0; k < PLAN_C_COUNT; k++) {
    const plan_estimate *e = &c->est[k];
    if (e->decision != PLAN_FAIL) continue;
    size_t l = strlen(b);
    const char *cap = e->at_cap ? " at the cap" : "";
    if (k == PLAN_C_DEADLINE)
      snprintf(b + l, n - l, "%sdeadline: P(%s<=%s) %.3f < %.3g%s", l ? "; " : "", dn, dl,
               e->p, o->confidence, cap);
    else if (k == PLAN_C_FALSE_ABORT)
      snprintf(b + l, n - l, "%sfalse abort: P(abort|%s) %.3f > %.3g%s", l ? "; " : "",
               r->world_names[0], e->p, o->max_false_abort, cap);
    else
      for (size_t w = 1; w < r->n_worlds; w++) {
        const plan_estimate *x = &c->bad_est[w - 1];
        if (x->decision != PLAN_FAIL) continue;
        l = strlen(b);
        snprintf(b + l, n - l, "%sexposure in %s: P(E<=%" PRId64 ") %.3f < %.3g%s",
                 l ? "; " : "", r->world_names[w], o->max_exposure, x->p, o->confidence,
                 x->at_cap ? " at the cap" : "");
      }
  }
  if (!b[0]) snprintf(b, n, "undecided");
}

static void fmt_count(int64_t v, char *b, size_t n) {
  char t[32];
  snprintf(t, sizeof t, "%" PRId64, v < 0 ? -v : v);
  size_t l = strlen(t), k = 0;
  if (v < 0 && k + 1 < n) b[k++] = '-';
  for (size_t i = 0; i < l && k + 2 < n; i++) {
    if (i && (l - i) % 3 == 0) b[k++] = ',';
    b[k++] = t[i];
  }
  b[k] = 0;
}

static const char *world_desc(const plan_result *r, size_t w) {
  long i = model_world_find(r->base, r->world_names[w]);
  if (i < 0) return NULL;
  return r->base->worlds[i].description;
}

void plan_deadline_explain(const plan_result *r, char *b, size_t n) {
  const plan_planner_opts *o = &r->o;
  char tn[32], need[32];
  fmt_count(r->base->n_targeted, tn, sizeof tn);
  if (o->deadline_for == PLAN_DL_ROLLOUT)
    snprintf(b, n, "the instant the last execution is created (all %s targeted things "
                   "notified)", tn);
  else if (o->deadline_for == PLAN_DL_COMPLETED)
    snprintf(b, n, "the job reaching COMPLETED (every targeted thing finished, the last "
                   "offline device included)");
  else {
    fmt_count(plan_terminal_need(r->base->n_targeted, o->terminal_pct), need, sizeof need);
    snprintf(b, n, "the first instant %.6g %% of the %s targeted things (%s) have finished: "
                   "SUCCEEDED, FAILED, REJECTED, TIMED_OUT or REMOVED",
             o->terminal_pct, tn, need);
  }
}

int plan_result_table(const plan_result *r, FILE *f) {
  const plan_planner_opts *o = &r->o;
  char dl[64], dn[32], expl[256];
  plan_fmt_duration(o->deadline, dl, sizeof dl);
  plan_deadline_for_name(o->deadline_for, o->terminal_pct, dn, sizeof dn);
  plan_deadline_explain(r, expl, sizeof expl);
  int cq = conf_pct(o);
  char reps[32];
  fmt_count((int64_t)r->replications, reps, sizeof reps);
  fprintf(f, "# plan for %s: %zu candidates and yours, %s replications in all, seed %" PRIu64
             "\n", r->base->name, r->n - 1, reps, o->seed);
  for (size_t w = 0; w < r->n_worlds; w++) {
    const char *ds = world_desc(r, w);
    fprintf(f, "# %s world: '%s'%s%s%s\n", w ? "bad-release" : "healthy", r->world_names[w],
            ds ? " (" : "", ds ? ds : "", ds ? ")" : "");
  }
  if (r->default_bad)
    fprintf(f, "# %s added the default bad release: every behaviour used by a targeted "
               "group fails (outcomes FAILED 1), and the targeted groups count as exposed\n",
            r->no_worlds ? "the scenario has no $.worlds, so the planner" : "no world affects "
                                                                            "a group, so the planner");
  fprintf(f, "# grid: %s\n", r->grid_why);
  fprintf(f, "# deadline (%s): P(T <= %s) >= %.3g, T = %s\n", dn, dl, o->confidence, expl);
  if (o->has_false_abort)
    fprintf(f, "# false aborts: P(abort | %s) <= %.3g\n", r->world_names[0], o->max_false_abort);
  else
    fprintf(f, "# false aborts: not applied (no --max-false-abort); P(abort|healthy) shown\n");
  if (o->has_exposure)
    fprintf(f, "# exposure: P(E <= %" PRId64 ") >= %.3g in every bad-release world, E = things "
               "of its affected groups that ran the job\n", o->max_exposure, o->confidence);
  else
    fprintf(f, "# exposure: not applied (no --max-exposure); E shown for the candidates "
               "measured in the bad-release world\n");
  fprintf(f, "# T and E are q%d quantiles; [lo,hi] are 95%% Wilson intervals; reps = "
             "healthy/bad-release replications\n", cq);
  char th[32], eh[32], ph[96];
  snprintf(th, sizeof th, "T(q%d)", cq);
  snprintf(eh, sizeof eh, "E(q%d)", cq);
  snprintf(ph, sizeof ph, "P(T<=%s)", dl);
  fprintf(f, "%4s %4s  %-50s %-24s %8s %-22s %-22s %7s %-22s %9s  %s\n", "rank", "cand",
          "rollout", "abort", th, ph, "P(abort|healthy)", eh,
          o->has_exposure ? "P(E<=max)" : "P(E<=max) n/a", "reps", "verdict");
  /* feasible ones in rank order, then the others in candidate order */
  for (int pass = 0; pass < 2; pass++)
    for (size_t rk = 1, i = 0; pass == 0 ? rk <= r->n : i < r->n; pass == 0 ? rk++ : i++) {
      const plan_candidate *c = NULL;
      if (pass == 0) {
        for (size_t j = 0; j < r->n && !c; j++)
          if (r->c[j].feasible && r->c[j].rank == rk) c = &r->c[j];
        if (!c) break;
      } else {
        c = &r->c[i];
        if (c->feasible) continue;
      }
      char rank[16], cand[16], tq[32], e1[96], e2[96], e3[96], eq[32], rp[48], why[1024];
      if (c->feasible) snprintf(rank, sizeof rank, "%zu", c->rank);
      else snprintf(rank, sizeof rank, "-");
      if (c->baseline) snprintf(cand, sizeof cand, "yours");
      else snprintf(cand, sizeof cand, "%zu", c->id);
      plan_fmt_duration(c->t_q, tq, sizeof tq);
      fmt_est(&c->est[PLAN_C_DEADLINE], e1, sizeof e1);
      fmt_est(&c->est[PLAN_C_FALSE_ABORT], e2, sizeof e2);
      if (o->has_exposure) fmt_est(&c->est[PLAN_C_EXPOSURE], e3, sizeof e3);
      else snprintf(e3, sizeof e3, "-");
      if (c->e_q < 0) snprintf(eq, sizeof eq, "-");
      else snprintf(eq, sizeof eq, "%" PRId64, c->e_q);
      size_t rb = 0;
      for (size_t w = 1; w < r->n_worlds; w++) rb += c->have[w];
      snprintf(rp, sizeof rp, "%zu/%zu", c->have[0], rb);
      reasons(r, c, why, sizeof why);
      fprintf(f, "%4s %4s  %-50s %-24s %8s %-22s %-22s %7s %-22s %9s  %s\n", rank, cand,
              c->rollout, c->abort, tq, e1, e2, eq, e3, rp, why);
    }
  if (r->chosen != SIZE_MAX) {
    const plan_candidate *c = &r->c[r->chosen];
    char tq[32], t0[32], t1[32], t2[32];
    plan_fmt_duration(c->t_q, tq, sizeof tq);
    plan_fmt_duration(c->t_all[PLAN_DL_ROLLOUT], t0, sizeof t0);
    plan_fmt_duration(c->t_all[PLAN_DL_TERMINAL], t1, sizeof t1);
    plan_fmt_duration(c->t_all[PLAN_DL_COMPLETED], t2, sizeof t2);
    char pct[32];
    plan_deadline_for_name(PLAN_DL_TERMINAL, o->terminal_pct, pct, sizeof pct);
    if (c->baseline)
      fprintf(f, "# pick: yours, %s, abort %s", c->rollout + 7, c->abort);
    else
      fprintf(f, "# pick: candidate %zu, %s, abort %s", c->id, c->rollout, c->abort);
    fprintf(f, ": %s reached within %s in %d%% of healthy runs", dn, tq, cq);
    if (c->e_q >= 0)
      fprintf(f, ", exposure at most %" PRId64 " things in %d%% of bad-release runs", c->e_q,
              cq);
    fputc('\n', f);
    fprintf(f, "# the pick's other deadline measures (q%d): rollout %s, %s %s, completed %s%s\n",
            cq, t0, pct, t1, t2,
            c->t_all[PLAN_DL_COMPLETED] > o->deadline && o->deadline_for != PLAN_DL_COMPLETED
                ? " (later than the deadline: COMPLETED waits for the slowest devices, offline "
                  "ones reconnecting or hanging ones timing out)"
                : "");
  } else {
    fprintf(f, "# no feasible configuration: %s\n", r->binding);
    const char *a = r->advice;
    while (*a) {
      const char *nl = strchr(a, '\n');
      size_t l = nl ? (size_t)(nl - a) : strlen(a);
      fprintf(f, "# %.*s\n", (int)l, a);
      a += l + (nl != NULL);
    }
  }
  if (r->verdict[0]) fprintf(f, "# against yours: %s\n", r->verdict);
  return ferror(f) ? SIM_ERR_IO : SIM_OK;
}

/* -------------------------------------------------------------- labels --- */

typedef struct box { double x0, y0, x1, y1; } box;

static bool overlap(box a, box b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

int plan_place_labels(const plan_label_in *in, size_t n, const box_px *fixed, size_t nfixed,
                      double w, double h, plan_label_out *out) {
  /* occupied: the fixed boxes, every point's marker, placed labels */
  size_t cap = nfixed + 2 * n + 1, nocc = 0;
  box *occ = calloc(cap, sizeof *occ);
  if (!occ) return -1;
  for (size_t i = 0; i < nfixed; i++)
    occ[nocc++] = (box){fixed[i].x0, fixed[i].y0, fixed[i].x1, fixed[i].y1};
  for (size_t i = 0; i < n; i++)
    occ[nocc++] = (box){in[i].x - 4, in[i].y - 4, in[i].x + 4, in[i].y + 4};
  static const double dirs[8][2] = {{1, 0}, {1, 1}, {0, 1}, {-1, 1},
                                    {-1, 0}, {-1, -1}, {0, -1}, {1, -1}};
  static const double radii[] = {7, 14, 24, 38, 56, 80, 110, 150};
  int unplaced = 0;
  for (size_t i = 0; i < n; i++) {
    double bw = in[i].w, bh = in[i].h;
    out[i].placed = false;
    for (size_t ri = 0; ri < sizeof radii / sizeof radii[0] && !out[i].placed; ri++)
      for (size_t di = 0; di < 8 && !out[i].placed; di++) {
        double dx = dirs[di][0], dy = dirs[di][1], rr = radii[ri];
        double ax = in[i].x + dx * rr, ay = in[i].y + dy * rr * 0.8;
        /* anchor: left edge east of the point, right edge west, centre above/below */
        box b;
        b.x0 = dx > 0 ? ax : dx < 0 ? ax - bw : ax - bw / 2;
        b.x1 = b.x0 + bw;
        b.y0 = dy > 0 ? ay : dy < 0 ? ay - bh : ay - bh / 2;
        b.y1 = b.y0 + bh;
        if (b.x0 < 0 || b.y0 < 0 || b.x1 > w || b.y1 > h) continue;
        bool clash = false;
        for (size_t k = 0; k < nocc && !clash; k++) clash = overlap(b, occ[k]);
        if (clash) continue;
        out[i].placed = true;
        out[i].x = b.x0;
        out[i].y = b.y0;
        out[i].leader = ri >= 2;
        /* a gap around each label, so that two never touch ("104" and "86"
         * side by side read as "10486") */
        occ[nocc++] = (box){b.x0 - 4, b.y0 - 1, b.x1 + 4, b.y1 + 1};
      }
    if (!out[i].placed) unplaced++;
  }
  free(occ);
  return unplaced;
}

/* -------------------------------------------------------------- output --- */

static int write_text(const report_outdir *o, const char *rel, FILE *m, char **buf,
                      size_t *n, sim_diag *d) {
  int bad = ferror(m);
  int rc = fclose(m) != 0 || bad
               ? sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory building %s", rel)
               : report_outdir_write(o, rel, *buf, *n, d);
  free(*buf);
  *buf = NULL;
  return rc;
}

static void csv_est(FILE *f, const plan_estimate *e) {
  if (!e->evaluated) {
    fputs(",,,,,", f);
    return;
  }
  fprintf(f, ",%" PRId64 ",%" PRId64 ",%.6f,%.6f,%.6f", e->k, e->n, e->p, e->lo, e->hi);
}

static void csv_ms(FILE *f, int64_t v) {
  fputc(',', f);
  if (v != INT64_MAX && v >= 0) fprintf(f, "%" PRId64, v);
}

/* One label per distinct point (several candidates can share one). */
typedef struct spot {
  double e, t;                 /* data */
  char text[64];
  int prio;                    /* 0 pick, 1 yours, 2 feasible, 3 other */
  size_t first;
} spot;

static int cmp_spot(const void *a, const void *b) {
  const spot *x = a, *y = b;
  if (x->prio != y->prio) return x->prio < y->prio ? -1 : 1;
  return x->first < y->first ? -1 : x->first > y->first;
}

/* A spot's label: its candidates' ids, "yours" for the baseline ("yours
 * (pick)" when the pick is yours: its marker is the pick's). */
static void append_id(char *t, size_t n, const plan_candidate *c, bool chosen, int *count) {
  size_t l = strlen(t);
  if (*count == 4) snprintf(t + l, n - l, ",…");
  else if (*count < 4) {
    if (c->baseline) snprintf(t + l, n - l, "%syours%s", l ? "," : "", chosen ? " (pick)" : "");
    else snprintf(t + l, n - l, "%s%zu", l ? "," : "", c->id);
  }
  (*count)++;
}

static void gp_quote(FILE *f, const char *s) {
  fputc('\'', f);
  for (; *s; s++) {
    if (*s == '\'') fputs("''", f);
    else fputc(*s, f);
  }
  fputc('\'', f);
}

/* The front plot: plots/front.dat and plots/front.gp. */
static int write_front(const plan_result *r, FILE *dat, FILE *gp) {
  const plan_planner_opts *o = &r->o;
  int cq = conf_pct(o);
  /* scale: hours when anything is past two hours */
  double tmax = (double)o->deadline, emax = o->has_exposure ? (double)o->max_exposure : 0;
  size_t shown = 0, never = 0, unmeasured = 0;
  for (size_t i = 0; i < r->n; i++) {
    const plan_candidate *c = &r->c[i];
    if (c->e_q < 0) {
      unmeasured++;
      continue;
    }
    if (c->t_q == INT64_MAX) {
      never++;
      continue;
    }
    shown++;
    if ((double)c->t_q > tmax) tmax = (double)c->t_q;
    if ((double)c->e_q > emax) emax = (double)c->e_q;
  }
  bool hours = tmax > 2.0 * 3600000.0;
  double unit = hours ? 3600000.0 : 60000.0;
  double ymax = tmax / unit * 1.12, xmax = emax * 1.1 + 1.0;
  char dn[32], dl[32];
  plan_deadline_for_name(o->deadline_for, o->terminal_pct, dn, sizeof dn);
  plan_fmt_duration(o->deadline, dl, sizeof dl);
  /* block 0: points */
  fprintf(dat, "# front.dat - block 0: every candidate measured in both worlds: 1 exposure\n"
               "# q%d, 2 T q%d (%s; %s), 3 candidate (0: yours), 4 feasible, 5 pick,\n"
               "# 6 yours. Block 1: the Pareto front (no other candidate is as fast and\n"
               "# exposes as few, one of them strictly better), by exposure.\n",
          cq, cq, dn, hours ? "hours" : "minutes");
  size_t *front = calloc(r->n ? r->n : 1, sizeof *front), nfront = 0;
  spot *sp = calloc(r->n ? r->n : 1, sizeof *sp);
  int *spn = calloc(r->n ? r->n : 1, sizeof *spn);
  size_t nsp = 0;
  if (!front || !sp || !spn) {
    free(front);
    free(sp);
    free(spn);
    return SIM_ERR_NOMEM;
  }
  for (size_t i = 0; i < r->n; i++) {
    const plan_candidate *c = &r->c[i];
    if (c->e_q < 0 || c->t_q == INT64_MAX) continue;
    bool on = true;
    for (size_t j = 0; j < r->n && on; j++) {
      const plan_candidate *x = &r->c[j];
      if (j == i || x->t_q == INT64_MAX || x->e_q < 0) continue;
      if (x->t_q <= c->t_q && x->e_q <= c->e_q && (x->t_q < c->t_q || x->e_q < c->e_q))
        on = false;
    }
    if (on) front[nfront++] = i;
    double t = (double)c->t_q / unit;
    fprintf(dat, "%" PRId64 " %.4f %zu %d %d %d\n", c->e_q, t, c->id, c->feasible,
            i == r->chosen, c->baseline);
    size_t k = 0;
    for (; k < nsp; k++)
      if (sp[k].e == (double)c->e_q && fabs(sp[k].t - t) < 1e-9) break;
    if (k == nsp) {
      sp[nsp] = (spot){(double)c->e_q, t, "", 3, i};
      nsp++;
    }
    int prio = i == r->chosen ? 0 : c->baseline ? 1 : c->feasible ? 2 : 3;
    if (prio < sp[k].prio) sp[k].prio = prio;
    append_id(sp[k].text, sizeof sp[k].text, c, i == r->chosen, &spn[k]);
  }
  if (!shown) fputs("NaN NaN 0 0 0 0\n", dat);
  for (size_t i = 1; i < nfront; i++)
    for (size_t j = i; j > 0; j--) {
      const plan_candidate *x = &r->c[front[j - 1]], *y = &r->c[front[j]];
      if (x->e_q < y->e_q || (x->e_q == y->e_q && x->t_q <= y->t_q)) break;
      size_t t = front[j - 1];
      front[j - 1] = front[j];
      front[j] = t;
    }
  fputs("\n\n", dat);
  for (size_t i = 0; i < nfront; i++)
    fprintf(dat, "%" PRId64 " %.4f %zu\n", r->c[front[i]].e_q,
            (double)r->c[front[i]].t_q / unit, r->c[front[i]].id);
  if (!nfront) fputs("NaN NaN 0\n", dat);
  free(front);

  /* geometry: the plot area in pixels, fixed by the margins below */
  const double W = 1100, H = 640, L = 0.08, R = 0.97, B = 0.16, T = 0.88;
  double pw = (R - L) * W, ph = (T - B) * H;
  qsort(sp, nsp, sizeof *sp, cmp_spot);
  plan_label_in *li = calloc(nsp ? nsp : 1, sizeof *li);
  plan_label_out *lo = calloc(nsp ? nsp : 1, sizeof *lo);
  if (!li || !lo) {
    free(sp);
    free(spn);
    free(li);
    free(lo);
    return SIM_ERR_NOMEM;
  }
  for (size_t i = 0; i < nsp; i++) {
    li[i].x = sp[i].e / xmax * pw;
    li[i].y = sp[i].t / ymax * ph;
    li[i].w = (double)strlen(sp[i].text) * 5.6 + 4;
    li[i].h = 11;
  }
  /* the limit lines' labels, top right of the deadline line and at the
   * top of the exposure line */
  box_px fixed[4];
  size_t nfixed = 0;
  char dlab[96], elab[64];
  snprintf(dlab, sizeof dlab, "deadline %s (%s)", dl, dn);
  double dy = (double)o->deadline / unit / ymax * ph;
  double dlw = (double)strlen(dlab) * 6.2 + 6;
  fixed[nfixed++] = (box_px){pw - dlw - 4, dy + 2, pw, dy + 16};
  double ex = 0;
  if (o->has_exposure) {
    snprintf(elab, sizeof elab, "max exposure %" PRId64, o->max_exposure);
    ex = (double)o->max_exposure / xmax * pw;
    double elw = (double)strlen(elab) * 6.2 + 6;
    fixed[nfixed++] = (box_px){ex + 3, ph - 16, ex + 3 + elw, ph};
  }
  /* the limit lines themselves: no label is drawn across one (fixed[0]
   * stays the deadline label's box, used below) */
  fixed[nfixed++] = (box_px){0, dy - 1.5, pw, dy + 1.5};
  if (o->has_exposure) fixed[nfixed++] = (box_px){ex - 1.5, 0, ex + 1.5, ph};
  int unplaced = plan_place_labels(li, nsp, fixed, nfixed, pw, ph, lo);

  char title[512];
  snprintf(title, sizeof title, "%s: time to %s (healthy world) against exposure (bad "
                                "release), q%d of each", r->base->name, dn, cq);
  fprintf(gp, "# front.gp - the planner's trade-off: deadline measure against exposure.\n"
              "# Render: gnuplot front.gp (in this directory). Labels are placed by jobsim\n"
              "# (plan/planout.c) so that none overlaps another: the plot area is fixed by\n"
              "# the margins below.\n"
              "set terminal pngcairo noenhanced size %.0f,%.0f font 'Sans,10' background rgb "
              "'white'\nset output 'front.png'\nset termoption noenhanced\n",
          W, H);
  fprintf(gp, "set lmargin at screen %.2f\nset rmargin at screen %.2f\n"
              "set bmargin at screen %.2f\nset tmargin at screen %.2f\n", L, R, B, T);
  fprintf(gp, "set grid lc rgb '#e5e5e5'\nset border 3\nset xtics nomirror\n"
              "set ytics nomirror\nset key at screen 0.5, screen 0.035 center horizontal\n");
  fprintf(gp, "set xrange [0:%.6g]\nset yrange [0:%.6g]\n", xmax, ymax);
  /* the title and the line under it as labels, one above the other (a
   * gnuplot title sits where the subtitle goes) */
  fputs("set label 4 ", gp);
  gp_quote(gp, title);
  fputs(" at screen 0.5, screen 0.965 center font ',11'\n", gp);
  {
    char sub[512];
    size_t l = (size_t)snprintf(sub, sizeof sub, "%zu of %zu candidates shown", shown, r->n);
    if (never)
      l += (size_t)snprintf(sub + l, sizeof sub - l, "; %zu never reach %s in %d%% of runs",
                            never, dn, cq);
    if (unmeasured && l < sizeof sub)
      l += (size_t)snprintf(sub + l, sizeof sub - l,
                            "; %zu rejected before the bad-release runs", unmeasured);
    if (unplaced > 0 && l < sizeof sub)
      snprintf(sub + l, sizeof sub - l, "; %d crowded labels left out (candidates.csv)",
               unplaced);
    fputs("set label 1 ", gp);
    gp_quote(gp, sub);
    fputs(" at screen 0.5, screen 0.93 center font ',9' tc rgb '#555555'\n", gp);
  }
  fprintf(gp, "set xlabel 'things exposed in the bad-release world (q%d)'\n", cq);
  /* the time axis at round steps, labelled as elapsed time (h:mm) */
  {
    int64_t span = (int64_t)(ymax * unit), step = report_ticks_step(span);
    fputs("set ytics (", gp);
    for (int64_t t = 0, k = 0; t <= span; t += step, k++) {
      char lab[32];
      report_ticks_elapsed_label(t, step, span, lab, sizeof lab);
      fprintf(gp, "%s'%s' %.6g", k ? ", " : "", lab, (double)t / unit);
    }
    fputs(")\n", gp);
    fprintf(gp, "set ylabel 'time to %s on the healthy world (%s, q%d)'\n", dn,
            report_ticks_elapsed_unit(step, span), cq);
  }
  /* the feasible region and the limit lines */
  double dly = (double)o->deadline / unit;
  if (o->has_exposure)
    fprintf(gp, "set object 1 rect from 0,0 to %" PRId64 ",%.6g fc rgb '#e5f5e0' fs solid "
                "noborder behind\n", o->max_exposure, dly);
  else
    fprintf(gp, "set object 1 rect from 0,0 to graph 1, first %.6g fc rgb '#e5f5e0' fs solid "
                "noborder behind\n", dly);
  fprintf(gp, "set arrow 1 from graph 0, first %.6g to graph 1, first %.6g nohead dt 2 lw 1.5 "
              "lc rgb '#b00000'\n", dly, dly);
  fputs("set label 2 ", gp);
  gp_quote(gp, dlab);
  fprintf(gp, " at first %.6g, first %.6g right offset 0,0.6 tc rgb '#b00000'\n",
          (fixed[0].x1 - 2) / pw * xmax, dly);
  if (o->has_exposure) {
    fprintf(gp, "set arrow 2 from %" PRId64 ", graph 0 to %" PRId64 ", graph 1 nohead dt 2 "
                "lw 1.5 lc rgb '#b00000'\n", o->max_exposure, o->max_exposure);
    fputs("set label 3 ", gp);
    gp_quote(gp, elab);
    fprintf(gp, " at first %.6g, graph 1 left offset 0.4,-0.6 tc rgb '#b00000'\n",
            (double)o->max_exposure);
  }
  (void)ex;
  /* candidate labels */
  for (size_t i = 0; i < nsp; i++) {
    if (!lo[i].placed) continue;
    double lx = lo[i].x / pw * xmax, ly = (lo[i].y + li[i].h / 2) / ph * ymax;
    const char *col = sp[i].prio == 0 ? "#de2d26" : sp[i].prio == 1 ? "#6a3d9a"
                                                  : sp[i].prio == 2 ? "#08519c" : "#777777";
    fprintf(gp, "set label %zu ", 10 + i);
    gp_quote(gp, sp[i].text);
    fprintf(gp, " at first %.6g, first %.6g left font ',%d' tc rgb '%s' front\n", lx + 2.0 /
            pw * xmax, ly, sp[i].prio <= 1 ? 9 : 8, col);
    if (lo[i].leader) {
      double tx = fmin(fmax(li[i].x, lo[i].x), lo[i].x + li[i].w);
      double ty = fmin(fmax(li[i].y, lo[i].y), lo[i].y + li[i].h);
      fprintf(gp, "set arrow %zu from first %.6g, first %.6g to first %.6g, first %.6g nohead "
                  "lw 0.5 lc rgb '#aaaaaa'\n", 10 + i, sp[i].e, sp[i].t, tx / pw * xmax,
              ty / ph * ymax);
    }
  }
  fprintf(gp,
          "plot 'front.dat' index 1 using 1:2 with lines lw 1.5 lc rgb '#31a354' title "
          "'Pareto front', \\\n"
          "     'front.dat' index 0 using (($4==0 && $6==0) ? $1 : NaN):2 with points pt 6 "
          "ps 0.8 lc rgb '#999999' title 'rejected', \\\n"
          "     'front.dat' index 0 using ($4==1 ? $1 : NaN):2 with points pt 7 lc rgb "
          "'#3182bd' title 'feasible', \\\n"
          "     'front.dat' index 0 using ($6==1 ? $1 : NaN):2 with points pt 5 ps 1.4 lc rgb "
          "'#6a3d9a' title 'yours', \\\n"
          "     'front.dat' index 0 using ($5==1 ? $1 : NaN):2 with points pt 9 ps 2.2 lc rgb "
          "'#de2d26' title 'pick', \\\n"
          "     NaN with boxes fs solid fc rgb '#e5f5e0' title 'meets every limit'\n"
          "set terminal svg noenhanced size %.0f,%.0f font 'Sans,10' background rgb 'white'\n"
          "set output 'front.svg'\nreplot\nunset output\n", W, H);
  free(sp);
  free(spn);
  free(li);
  free(lo);
  return SIM_OK;
}

int plan_result_write(const plan_result *r, const char *dir, const char *version,
                      plan_out_status *ps, char *why, size_t wn, sim_diag *d) {
  report_outdir od;
  memset(&od, 0, sizeof od);
  *ps = PLAN_OUT_NO_PLOTS;
  if (wn) why[0] = 0;
  int rc = report_outdir_begin(&od, dir, d);
  if (rc) return rc;
  char *buf = NULL;
  size_t n = 0;
  FILE *m = open_memstream(&buf, &n);
  if (!m) goto nomem;
  fputs("candidate,rank,feasible,rollout,abort,exponential,maximumPerMinute,"
        "baseRatePerMinute,incrementFactor,numberOfNotifiedThings,thresholdPercentage,"
        "minNumberOfExecutedThings,t_q_ms,t_rollout_q_ms,t_terminal_q_ms,t_completed_q_ms,"
        "exposure_q,p_abort_healthy,"
        "deadline_k,deadline_n,p_deadline,p_deadline_lo,p_deadline_hi,"
        "abort_k,abort_n,p_abort,p_abort_lo,p_abort_hi,"
        "exposure_k,exposure_n,p_exposure,p_exposure_lo,p_exposure_hi,verdict\n", m);
  for (size_t i = 0; i < r->n; i++) {
    const plan_candidate *c = &r->c[i];
    char w[1024];
    reasons(r, c, w, sizeof w);
    if (c->baseline) fputs("yours", m);
    else fprintf(m, "%zu", c->id);
    fprintf(m, ",%zu,%d,\"%s\",\"%s\",%d,%" PRId64, c->rank, c->feasible, c->rollout,
            c->abort, c->exponential, c->rate);
    if (c->exponential)
      fprintf(m, ",%" PRId64 ",%.12g,%" PRId64, c->exp.base, c->exp.factor, c->exp.notified);
    else
      fputs(",,,", m);
    if (c->min_executed) fprintf(m, ",%.12g,%" PRId64, c->threshold, c->min_executed);
    else fputs(",,", m);
    csv_ms(m, c->t_q);
    for (int f = 0; f < PLAN_DL_COUNT; f++) {
      static const int order[PLAN_DL_COUNT] = {PLAN_DL_ROLLOUT, PLAN_DL_TERMINAL,
                                               PLAN_DL_COMPLETED};
      csv_ms(m, c->t_all[order[f]]);
    }
    fputc(',', m);
    if (c->e_q >= 0) fprintf(m, "%" PRId64, c->e_q);
    fprintf(m, ",%.6f", c->p_abort);
    for (int k = 0; k < PLAN_C_COUNT; k++) csv_est(m, &c->est[k]);
    fprintf(m, ",\"%s\"\n", w);
  }
  if ((rc = write_text(&od, "candidates.csv", m, &buf, &n, d))) goto fail;
  if (!(m = open_memstream(&buf, &n))) goto nomem;
  plan_result_table(r, m);
  if ((rc = write_text(&od, "plan.txt", m, &buf, &n, d))) goto fail;
  if (r->chosen != SIZE_MAX) {
    const char *j = r->c[r->chosen].job_json;
    if (!(m = open_memstream(&buf, &n))) goto nomem;
    fwrite(j, 1, strlen(j), m);   /* ends in a newline already */
    if ((rc = write_text(&od, "create-job.json", m, &buf, &n, d))) goto fail;
  }
  if ((rc = report_outdir_mkdir(&od, "plots", d))) goto fail;
  char *gbuf = NULL;
  size_t gn = 0;
  FILE *g = open_memstream(&gbuf, &gn);
  if (!(m = open_memstream(&buf, &n)) || !g) {
    if (m) fclose(m);
    if (g) fclose(g);
    free(buf);
    free(gbuf);
    buf = NULL;
    goto nomem;
  }
  if (write_front(r, m, g)) {
    fclose(m);
    fclose(g);
    free(buf);
    free(gbuf);
    buf = NULL;
    goto nomem;
  }
  if ((rc = write_text(&od, "plots/front.dat", m, &buf, &n, d))) {
    fclose(g);
    free(gbuf);
    goto fail;
  }
  if ((rc = write_text(&od, "plots/front.gp", g, &gbuf, &gn, d))) goto fail;
  char pdir[4200];
  report_outdir_path(&od, "plots", pdir, sizeof pdir);
  static const char *const scripts[] = {"front.gp", NULL};
  *ps = plan_render(pdir, scripts, why, wn);
  cJSON *rj = cJSON_CreateObject();
  if (!rj) goto nomem;
  char dn[32];
  plan_deadline_for_name(r->o.deadline_for, r->o.terminal_pct, dn, sizeof dn);
  cJSON_AddNumberToObject(rj, "formatVersion", 2);
  cJSON_AddStringToObject(rj, "command", "plan");
  cJSON_AddStringToObject(rj, "scenario", r->base->name);
  cJSON_AddStringToObject(rj, "scenarioFile", r->base->file);
  cJSON_AddNumberToObject(rj, "seed", (double)r->o.seed);
  cJSON_AddNumberToObject(rj, "deadlineMs", (double)r->o.deadline);
  cJSON_AddStringToObject(rj, "deadlineFor", dn);
  if (r->o.has_exposure) cJSON_AddNumberToObject(rj, "maxExposure", (double)r->o.max_exposure);
  else cJSON_AddNullToObject(rj, "maxExposure");
  if (r->o.has_false_abort) cJSON_AddNumberToObject(rj, "maxFalseAbort", r->o.max_false_abort);
  else cJSON_AddNullToObject(rj, "maxFalseAbort");
  cJSON_AddNumberToObject(rj, "confidence", r->o.confidence);
  cJSON *wa = cJSON_AddArrayToObject(rj, "worlds");
  for (size_t w = 0; w < r->n_worlds; w++)
    cJSON_AddItemToArray(wa, cJSON_CreateString(r->world_names[w]));
  cJSON_AddBoolToObject(rj, "defaultBadRelease", r->default_bad);
  cJSON_AddNumberToObject(rj, "candidates", (double)(r->n - 1));
  cJSON_AddStringToObject(rj, "grid", r->grid_why);
  cJSON_AddNumberToObject(rj, "replications", (double)r->replications);
  if (r->chosen != SIZE_MAX) {
    if (r->c[r->chosen].baseline) cJSON_AddStringToObject(rj, "chosen", "yours");
    else cJSON_AddNumberToObject(rj, "chosen", (double)r->c[r->chosen].id);
  } else {
    cJSON_AddStringToObject(rj, "binding", r->binding);
    cJSON_AddStringToObject(rj, "advice", r->advice);
  }
  cJSON_AddStringToObject(rj, "againstYours", r->verdict);
  cJSON_AddStringToObject(rj, "jobsimVersion", version);
  char *txt = cJSON_Print(rj);
  cJSON_Delete(rj);
  if (!txt) goto nomem;
  if (!(m = open_memstream(&buf, &n))) {
    cJSON_free(txt);
    goto nomem;
  }
  fprintf(m, "%s\n", txt);
  cJSON_free(txt);
  if ((rc = write_text(&od, REPORT_MARKER, m, &buf, &n, d))) goto fail;
  if ((rc = report_outdir_commit(&od, d))) goto fail;
  return SIM_OK;
nomem:
  rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
fail:
  report_outdir_abort(&od);
  return rc;
}
