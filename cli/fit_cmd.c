/*
 * fit_cmd.c — `jobsim fit`: a past job's AWS CLI history (or a jobsim
 * report's run.sqlite) in, a fitted scenario out (fit/fit.h does the work;
 * docs/fit.md explains it).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "awstime.h"
#include "backtest.h"
#include "cli.h"
#include "fit.h"

const char cli_fit_usage[] =
    "usage: jobsim fit --job <describe-job.json> --executions <list.json>\n"
    "                  [--executions <more.json> ...] [--group <NAME=things.json> ...]\n"
    "                  --out <scenario.json> [<options>]\n\n"
    "Learns the fleet's behaviour from a past job: per fleet group the start\n"
    "delay (with an offline share and its reconnection when the data need one),\n"
    "the run time and the outcome mix, by maximum likelihood with censoring, the\n"
    "family (exponential, lognormal, gamma, weibull) chosen by AIC, with 95 %\n"
    "intervals. Writes an ordinary scenario (the job's settings from\n"
    "describe-job, the fitted fleet, the job's start time) that `jobsim run`\n"
    "runs; its \"fit\" object records how it was fitted.\n\n"
    "Inputs are what the AWS CLI prints (v1 epoch or v2 ISO 8601 timestamps):\n"
    "    aws iot describe-job --job-id J > describe-job.json\n"
    "    aws iot list-job-executions-for-job --job-id J > list.json\n"
    "    aws iot list-things-in-thing-group --thing-group-name G > G.json\n"
    "or a jobsim report's run.sqlite for --job and --executions.\n\n"
    "        --job <file>            describe-job output or run.sqlite (required)\n"
    "        --executions <file>     list-job-executions-for-job output (all pages\n"
    "                                joined, or one page per option) or run.sqlite\n"
    "        --group <NAME=file>     list-things-in-thing-group output: the things\n"
    "                                of fleet group NAME (repeatable)\n"
    "        --document <file>       the job document (describe-job does not show\n"
    "                                it; default \"{}\")\n"
    "        --observed-at <time>    when the listing was taken (ISO 8601 with offset\n"
    "                                or epoch seconds; default: the latest timestamp\n"
    "                                seen); unfinished executions are censored there\n"
    "    -o, --out <file>            the fitted scenario (required)\n"
    "        --report <dir>          fit report: CDF plots, AIC tables, backtest\n"
    "        --backtest <n>          replications of the backtest (default 50 with\n"
    "                                --report, else 0: none)\n"
    "    -j, --threads <n>           backtest threads (default: all cores)\n"
    "    -s, --seed <n>              simulation.seed of the scenario (default 1)\n"
    "        --no-plots              report without plots (and without gnuplot)\n"
    "    -q, --quiet                 no summary on stdout, no warnings on stderr\n"
    "    -h, --help                  this help\n\n"
    "Bad input is refused with FILE: JSON.PATH: rule (exit 3) and nothing is\n"
    "written. Groups of fewer than 30 records are fitted, with a warning.\n";

#define MAX_FILES 249

/* Pull every "--NAME X" / "--NAME=X" out of argv; new argc, -1 on error. */
static int take_repeated(const char *name, int argc, char **argv, const char **vals,
                         size_t cap, size_t *n) {
  size_t nl = strlen(name);
  int k = 1;
  *n = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      while (i < argc) argv[k++] = argv[i++];
      break;
    }
    if (strncmp(a, "--", 2) == 0 && strncmp(a + 2, name, nl) == 0 &&
        (a[2 + nl] == 0 || a[2 + nl] == '=')) {
      const char *v = a[2 + nl] == '=' ? a + 3 + nl : NULL;
      if (!v) {
        if (i + 1 >= argc) {
          cli_usage_error("fit", "option '--%s' needs a value", name);
          return -1;
        }
        v = argv[++i];
      }
      if (*n == cap) {
        cli_usage_error("fit", "at most %zu --%s options", cap, name);
        return -1;
      }
      vals[(*n)++] = v;
      continue;
    }
    argv[k++] = argv[i];
  }
  return k;
}

static bool same_file(const char *a, const char *b) {
  struct stat sa, sb;
  if (strcmp(a, "-") == 0 || strcmp(b, "-") == 0) return false;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

static void print_value(const char *label, fit_value v, double scale, const char *unit) {
  printf("%s %.4g%s", label, v.v / scale, unit);
  if (!isnan(v.lo)) printf(" [%.4g, %.4g]", v.lo / scale, v.hi / scale);
}

static void summary(const fit_job *j) {
  const fit_history *h = j->h;
  printf("%s: %zu records of %" PRId64 " things (%s, observed %.1f min), %zu group%s\n",
         h->job_id, h->n_rec, h->n_things, model_job_status_name(h->status),
         (double)h->observed_at / 60000.0, h->n_groups, h->n_groups == 1 ? "" : "s");
  for (size_t g = 0; g < j->n_g; g++) {
    const fit_group_result *r = &j->g[g];
    if (h->groups[g].things == 0) continue;
    printf("  %s: %" PRId64 " things, %" PRId64 " records", h->groups[g].name,
           h->groups[g].things, r->records);
    if (r->borrowed >= 0) {
      printf(", behaviour of %s\n", h->groups[r->borrowed].name);
      continue;
    }
    printf("\n");
    const fit_model *dm = r->d.best;
    if (dm) {
      double nat[2] = {dm->p1[0].v, dm->p1[1].v};
      printf("    startDelay  %-12s median %.3fs p90 %.3fs ks %.3f", fit_family_name(dm->fam),
             fit_family_quantile(dm->fam, nat, 0.5) / 1000,
             fit_family_quantile(dm->fam, nat, 0.9) / 1000, r->d.ks);
      if (dm->fam2 != FIT_FAMILY_COUNT) {
        printf("; ");
        print_value("connected", dm->mix, 1, "");
        printf(", reconnectAfter %s mean %.1fs", fit_family_name(dm->fam2),
               fit_family_mean(dm->fam2, (double[]){r->d.reconnect[0].v, r->d.reconnect[1].v}) /
                   1000);
      }
      printf("\n");
    }
    const fit_model *rm = r->r.best;
    if (rm) {
      double nat[2] = {rm->p1[0].v, rm->p1[1].v};
      printf("    runTime     %-12s median %.3fs p90 %.3fs ks %.3f\n", fit_family_name(rm->fam),
             fit_family_quantile(rm->fam, nat, 0.5) / 1000,
             fit_family_quantile(rm->fam, nat, 0.9) / 1000, r->r.ks);
    }
    static const char *const on[4] = {"SUCCEEDED", "FAILED", "REJECTED", "NO_RESPONSE"};
    printf("    outcomes   ");
    for (int o = 0; o < 4; o++) {
      printf("%s", o ? ", " : " ");
      print_value(on[o], r->r.outcome[o], 1, "");
    }
    printf("\n");
  }
  if (j->bt) printf("  backtest (%zu replications): %s\n", j->bt->reps, j->bt->verdict);
}

int cmd_fit(int argc, char **argv) {
  const char *execs[MAX_FILES], *groups[MAX_FILES];
  size_t n_exec = 0, n_group = 0;
  argc = take_repeated("executions", argc, argv, execs, MAX_FILES, &n_exec);
  if (argc < 0) return EXIT_USAGE;
  argc = take_repeated("group", argc, argv, groups, MAX_FILES, &n_group);
  if (argc < 0) return EXIT_USAGE;
  const char *job = NULL, *out = NULL, *report = NULL, *doc = NULL, *obs = NULL,
             *bt_s = NULL, *thr_s = NULL, *seed_s = NULL;
  bool help = false, no_plots = false, quiet = false;
  const opt opts[] = {{"job", 0, true, &job, NULL},
                      {"out", 'o', true, &out, NULL},
                      {"report", 0, true, &report, NULL},
                      {"document", 0, true, &doc, NULL},
                      {"observed-at", 0, true, &obs, NULL},
                      {"backtest", 0, true, &bt_s, NULL},
                      {"threads", 'j', true, &thr_s, NULL},
                      {"seed", 's', true, &seed_s, NULL},
                      {"no-plots", 0, false, NULL, &no_plots},
                      {"quiet", 'q', false, NULL, &quiet},
                      {NULL, 0, false, NULL, NULL}};
  int n = cli_parse_opts("fit", argc, argv, opts, &help);
  if (n < 0) return EXIT_USAGE;
  if (help) {
    cli_print_help("fit", stdout);
    return EXIT_OK;
  }
  if (n > 0) return cli_usage_error("fit", "unexpected argument '%s'", argv[0]);
  if (!job) return cli_usage_error("fit", "--job is required");
  if (n_exec == 0) return cli_usage_error("fit", "--executions is required");
  if (!out) return cli_usage_error("fit", "--out is required");
  const char *gnames[MAX_FILES], *gfiles[MAX_FILES];
  char gbuf[MAX_FILES][130];
  for (size_t i = 0; i < n_group; i++) {
    const char *eq = strchr(groups[i], '=');
    if (!eq || eq == groups[i] || !eq[1] || (size_t)(eq - groups[i]) > 128)
      return cli_usage_error("fit", "--group takes NAME=FILE, got '%s'", groups[i]);
    snprintf(gbuf[i], sizeof gbuf[i], "%.*s", (int)(eq - groups[i]), groups[i]);
    gnames[i] = gbuf[i];
    gfiles[i] = eq + 1;
  }
  fit_opts o = {.job = job, .executions = execs, .n_executions = n_exec,
                .group_names = gnames, .group_files = gfiles, .n_groups = n_group,
                .document = doc, .seed = 1};
  if (seed_s && !cli_parse_u64(seed_s, &o.seed))
    return cli_usage_error("fit", "--seed: expected an integer from 0 to 2^53, got '%s'",
                           seed_s);
  if (obs) {
    int64_t ms;
    if (!fit_time_from_iso(obs, &ms) && !fit_time_from_number(obs, &ms))
      return cli_usage_error("fit",
                             "--observed-at: expected an ISO 8601 time with a UTC offset "
                             "or epoch seconds, got '%s'", obs);
    o.has_observed_at = true;
    o.observed_at_epoch_ms = ms;
  }
  uint64_t reps = report ? 50 : 0, threads = 0;
  if (bt_s && (!cli_parse_u64(bt_s, &reps) || reps > 10000))
    return cli_usage_error("fit", "--backtest: expected 0 to 10000 replications, got '%s'",
                           bt_s);
  if (thr_s && (!cli_parse_u64(thr_s, &threads) || threads < 1 || threads > 64))
    return cli_usage_error("fit", "--threads: expected 1 to 64, got '%s'", thr_s);
  /* the output must not replace an input */
  const char *inputs[2 * MAX_FILES + 2];
  size_t ni = 0;
  inputs[ni++] = job;
  if (doc) inputs[ni++] = doc;
  for (size_t i = 0; i < n_exec; i++) inputs[ni++] = execs[i];
  for (size_t i = 0; i < n_group; i++) inputs[ni++] = gfiles[i];
  for (size_t i = 0; i < ni; i++)
    if (same_file(out, inputs[i]))
      return cli_usage_error("fit", "--out '%s' is the input file '%s'", out, inputs[i]);
  char ver[256];
  cli_version_info(ver, sizeof ver);
  o.version_info = ver;
  cli_catch_signals();

  sim_diag d;
  sim_diag_init(&d, NULL);
  fit_job *j = NULL;
  int rc = fit_job_new(&j, &o, &d);
  if (rc) {
    cli_report_diag(&d);
    return cli_exit_for(rc);
  }
  if (!quiet)
    for (size_t i = 0; i < j->n_warnings; i++)
      fprintf(stderr, "jobsim: warning: %s\n", j->warnings[i]);
  if (reps > 0 && (rc = fit_job_backtest(j, (size_t)reps, (unsigned)threads, &d))) {
    cli_report_diag(&d);
    fit_job_free(j);
    return cli_exit_for(rc);
  }
  char note[512];
  rc = fit_job_write(j, out, report, !no_plots, ver, note, sizeof note, &d);
  if (rc) {
    cli_report_diag(&d);
    fit_job_free(j);
    return cli_exit_for(rc);
  }
  if (!quiet && note[0]) fprintf(stderr, "jobsim: warning: %s\n", note);
  if (!quiet) {
    summary(j);
    printf("  scenario: %s%s%s\n", out, report ? "; report: " : "", report ? report : "");
  }
  fit_job_free(j);
  return EXIT_OK;
}
