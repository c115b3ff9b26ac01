/*
 * plan_cmd.c — `jobsim sweep` and `jobsim plan`: option handling around
 * plan/ (sweep.h, planner.h). Under mpirun every rank runs the command;
 * ranks other than 0 compute their share and stay silent.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "duration.h"
#include "par.h"
#include "planner.h"
#include "reps.h"
#include "scenario.h"
#include "sweep.h"
#include "sweepout.h"

const char cli_sweep_usage[] =
    "usage: jobsim sweep [<options>] <scenario.json>\n\n"
    "Runs the scenario's job many times (replications) for every point of a\n"
    "grid of settings and every world of the scenario ($.worlds), and prints\n"
    "per point and world: abort and completion probabilities with 95 % Wilson\n"
    "intervals, mean and p50/p90/p99 of completion and abort times and of the\n"
    "counts (things notified, things that ran the job, failed, rejected and\n"
    "timed-out records, retries, exposure of the world's affected groups).\n"
    "CSV on stdout (docs/sweep.md), or a directory with --out.\n\n"
    "    -n, --replications <n>  replications per point and world (default 100)\n"
    "        --vary <path=values>\n"
    "                            a JSON path into the scenario and its values:\n"
    "                            a list (5,10,20) or a range start:stop:step;\n"
    "                            repeat for a grid (the first varies slowest)\n"
    "    -j, --threads <n>       worker threads (default: all cores)\n"
    "    -o, --out <dir>         write sweep.csv, sweep.sqlite and plots/ there\n"
    "    -s, --seed <n>          master seed (default: the scenario's); replication\n"
    "                            i uses the same seed at every point and world\n"
    "        --max-memory <size> refuse a sweep estimated to need more (700M, 4G,\n"
    "                            unlimited; default: the memory available now)\n"
    "    -q, --quiet             no warnings or summary on stderr\n"
    "    -h, --help              this help\n\n"
    "Example:\n"
    "    jobsim sweep scenarios/bad-release-worlds.json -n 200 \\\n"
    "        --vary job.abortConfig.criteriaList[0].thresholdPercentage=5:50:5\n\n"
    "Under `mpirun -np N jobsim sweep ...` (built with -DJOBSIM_MPI=ON) the\n"
    "replications are spread over the ranks; the output is the same bytes.\n";

/* Pull every "--vary X" / "--vary=X" out of argv (the option parser keeps
 * one value per option); returns the new argc or -1 on a usage error. */
static int take_repeated(const char *cmd, const char *name, int argc, char **argv,
                         const char **vals, size_t cap, size_t *n) {
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
          cli_usage_error(cmd, "option '--%s' needs a value", name);
          return -1;
        }
        v = argv[++i];
      }
      if (*n == cap) {
        cli_usage_error(cmd, "at most %zu --%s options", cap, name);
        return -1;
      }
      vals[(*n)++] = v;
      continue;
    }
    argv[k++] = argv[i];
  }
  return k;
}

static bool parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out) {
  return s && cli_parse_u64(s, out) && *out >= min && *out <= max;
}

/* Under MPI, ranks other than 0 say nothing. */
static void silence_other_ranks(void) {
  if (plan_par_rank() == 0) return;
  if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) return;
}

static int start_par(const char *cmd) {
  if (plan_par_init(NULL, NULL)) {
    fprintf(stderr, "jobsim: %s: cannot start MPI\n", cmd);
    return EXIT_IO;
  }
  silence_other_ranks();
  return EXIT_OK;
}

static int common_opts(const char *cmd, const char *threads_s, const char *seed_s,
                       const model_scenario *sc, unsigned *threads, uint64_t *seed) {
  uint64_t t = 0;
  if (threads_s && !parse_count(threads_s, 1, 256, &t))
    return cli_usage_error(cmd, "--threads needs an integer 1..256, not '%s'", threads_s);
  *threads = threads_s ? (unsigned)t : plan_default_threads();
  *seed = sc->sim.seed;
  if (seed_s && !cli_parse_u64(seed_s, seed))
    return cli_usage_error(cmd, "--seed needs an integer 0..2^53, not '%s'", seed_s);
  return EXIT_OK;
}

/* The refusal of a sweep or a plan that would not fit (exit 4, as run). */
static int too_big(const char *cmd, uint64_t need, uint64_t max, bool given,
                   const char *what) {
  fprintf(stderr, "jobsim: %s: the %s needs about %.1f MiB (%s), more than the %.1f MiB %s; "
                  "use --max-memory SIZE to allow more\n",
          cmd, cmd, (double)need / 1048576.0, what, (double)max / 1048576.0,
          given ? "allowed by --max-memory" : "available (MemAvailable)");
  return EXIT_IO;
}

static int mkdir_p_parent(const char *p) {
  return mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* --------------------------------------------------------------- sweep --- */

static int sweep_main(int argc, char **argv) {
  const char *reps_s = NULL, *threads_s = NULL, *out = NULL, *seed_s = NULL,
             *maxmem_s = NULL;
  const char *vary_s[PLAN_MAX_VARY];
  size_t n_vary = 0;
  bool help = false, quiet = false;
  argc = take_repeated("sweep", "vary", argc, argv, vary_s, PLAN_MAX_VARY, &n_vary);
  if (argc < 0) return EXIT_USAGE;
  const opt opts[] = {{"replications", 'n', true, &reps_s, NULL},
                      {"threads", 'j', true, &threads_s, NULL},
                      {"out", 'o', true, &out, NULL},
                      {"seed", 's', true, &seed_s, NULL},
                      {"max-memory", 0, true, &maxmem_s, NULL},
                      {"quiet", 'q', false, NULL, &quiet},
                      {NULL, 0, false, NULL, NULL}};
  int n = cli_parse_opts("sweep", argc, argv, opts, &help);
  if (n < 0) return EXIT_USAGE;
  if (help) {
    cli_print_help("sweep", stdout);
    return EXIT_OK;
  }
  if (n == 0) return cli_usage_error("sweep", "%s", "missing <scenario.json>");
  if (n > 1) return cli_usage_error("sweep", "one scenario at a time, got '%s' too", argv[1]);
  uint64_t reps = 100;
  if (reps_s && !parse_count(reps_s, 1, 1000000, &reps))
    return cli_usage_error("sweep", "--replications needs an integer 1..1000000, not '%s'",
                           reps_s);
  uint64_t max_memory = 0, no_events = 0;
  if (!cli_parse_limits("sweep", maxmem_s, NULL, &max_memory, &no_events)) return EXIT_USAGE;
  plan_vary vary[PLAN_MAX_VARY];
  memset(vary, 0, sizeof vary);
  int ret = EXIT_OK;
  model_scenario *sc = NULL;
  plan_sweep *sw = NULL;
  for (size_t k = 0; k < n_vary; k++) {
    char err[600];
    int rc = plan_vary_parse(&vary[k], vary_s[k], err, sizeof err);
    if (rc) {
      ret = rc == SIM_ERR_USAGE ? cli_usage_error("sweep", "%s", err) : EXIT_IO;
      goto out;
    }
  }
  sim_diag d;
  int rc = model_scenario_load(&sc, argv[0], &d);
  if (rc) {
    cli_report_diag(&d);
    ret = cli_exit_for(rc);
    goto out;
  }
  plan_sweep_opts so = {.replications = (size_t)reps};
  if ((ret = common_opts("sweep", threads_s, seed_s, sc, &so.threads, &so.seed))) goto out;
  /* the size, before anything is built */
  size_t points = 1;
  for (size_t k = 0; k < n_vary && points <= PLAN_MAX_POINTS; k++) points *= vary[k].n;
  size_t worlds = sc->n_worlds ? sc->n_worlds : 1;
  uint64_t need = points <= PLAN_MAX_POINTS
                      ? plan_sweep_memory_estimate(sc, points, worlds, so.replications,
                                                   so.threads)
                      : 0;   /* plan_sweep_run says the grid is too big */
  so.max_memory = max_memory;   /* and again per point, once the grid is built */
  if (max_memory && need > max_memory) {
    char what[200];
    snprintf(what, sizeof what, "%zu points x %zu worlds x %zu replications on %u threads",
             points, worlds, so.replications, so.threads);
    ret = too_big("sweep", need, max_memory, maxmem_s != NULL, what);
    goto out;
  }
  char where[2048];
  rc = plan_sweep_run(&sw, sc, vary, n_vary, &so, where, sizeof where, &d);
  if (rc) {
    char msg[2048];
    sim_diag_format(&d, msg, sizeof msg);
    if (rc == SIM_ERR_USAGE) {
      ret = cli_usage_error("sweep", "%s%s%s", where, where[0] ? ": " : "", msg);
    } else {
      fprintf(stderr, "jobsim: sweep: %s%s%s\n", where, where[0] ? ": " : "", msg);
      ret = cli_exit_for(rc);
    }
    goto out;
  }
  if (!out) {
    if (plan_sweep_csv(sw, stdout)) ret = EXIT_IO;
    goto out;
  }
  if (plan_par_rank() == 0) {
    char ver[256];
    cli_version_info(ver, sizeof ver);
    plan_out_status ps;
    char why[512];
    sim_diag_init(&d, NULL);
    rc = plan_sweepout_write(sw, out, ver, &ps, why, sizeof why, &d);
    if (rc) {
      cli_report_diag(&d);
      ret = cli_exit_for(rc);
      goto out;
    }
    if (!quiet && ps == PLAN_OUT_NO_GNUPLOT)
      fprintf(stderr, "jobsim: warning: gnuplot not found: wrote the plot scripts and "
                      "data to %s/plots/ but no images\n", out);
    else if (!quiet && ps == PLAN_OUT_PLOT_FAILED)
      fprintf(stderr, "jobsim: warning: plots not rendered: %s\n", why);
    if (!quiet)
      fprintf(stderr, "jobsim: sweep: %zu points x %zu worlds x %zu replications; "
                      "results in %s\n",
              sw->n_points, sw->n_worlds, sw->reps, out);
  }
out:
  plan_sweep_free(sw);
  model_scenario_free(sc);
  for (size_t k = 0; k < n_vary; k++) plan_vary_release(&vary[k]);
  return ret;
}

int cmd_sweep(int argc, char **argv) {
  cli_catch_signals();
  int ret = start_par("sweep");
  if (ret == EXIT_OK) ret = sweep_main(argc, argv);
  fflush(stdout);
  plan_par_finalize();
  return ret;
}

/* ---------------------------------------------------------------- plan --- */

const char cli_plan_usage[] =
    "usage: jobsim plan [<options>] --deadline <d> --max-exposure <k>\n"
    "                   --max-false-abort <p> <scenario.json>\n\n"
    "Searches rollout settings (constant rate, or exponential base/factor/\n"
    "criteria) and abort criteria (threshold, minimum executed) for the fastest\n"
    "job that, at confidence level C,\n"
    "  - completes on the healthy world by the deadline:  P(T <= d) >= C\n"
    "  - aborts on the healthy world rarely:              P(abort) <= p\n"
    "  - exposes few things to a bad release:             P(E <= k) >= C\n"
    "(T: completion time, never when the job does not complete; E: things of the\n"
    "bad-release world's affected groups that ran the job). Every candidate uses\n"
    "the same seeds (common random numbers); a constraint whose 95 % Wilson\n"
    "interval straddles its limit gets more replications. Prints a ranked table\n"
    "and writes <dir>/create-job.json, ready for\n"
    "`aws iot create-job --cli-input-json file://create-job.json`.\n\n"
    "        --deadline <duration>    e.g. 4h (required)\n"
    "        --max-exposure <k>       things (required)\n"
    "        --max-false-abort <p>    probability 0..1 (required)\n"
    "        --confidence <c>         0.5..0.999 (default 0.9)\n"
    "        --healthy <world>        the healthy world (default: 'healthy', else the\n"
    "                                 first world that affects no group)\n"
    "        --bad <world>            the bad-release world (default: every other\n"
    "                                 world that affects groups)\n"
    "        --rates <list>           constant rates per minute (default\n"
    "                                 100,200,400,700,1000)\n"
    "        --exponential <list>     base:factor:notified settings, or none\n"
    "                                 (default 50:2:500,100:2:1000; max 1000/min)\n"
    "        --thresholds <list>      thresholdPercentage values (default 5,10)\n"
    "        --min-executed <list>    minNumberOfExecutedThings (default 100,500)\n"
    "    -n, --replications <n>       first batch and batch size (default 50)\n"
    "        --max-replications <n>   cap per candidate and world (default 200)\n"
    "    -j, --threads <n>            worker threads (default: all cores)\n"
    "    -o, --out <dir>              output directory (default out/<name>-plan)\n"
    "    -s, --seed <n>               master seed (default: the scenario's)\n"
    "        --max-memory <size>      refuse a search estimated to need more (700M,\n"
    "                                 4G, unlimited; default: the memory available)\n"
    "    -q, --quiet                  no warnings on stderr\n"
    "    -h, --help                   this help\n\n"
    "Exit 1 when no candidate meets every constraint (the binding one is named).\n";

static bool parse_prob(const char *s, double lo, double hi, double *out) {
  if (!s || !*s) return false;
  char *end;
  errno = 0;
  double x = strtod(s, &end);
  if (errno || *end || !(x >= lo && x <= hi)) return false;
  *out = x;
  return true;
}

/* Values in a comma list (empty items count, so that "1,,2" has 3). */
static size_t list_count(const char *s) {
  size_t n = 1;
  for (; *s; s++) n += *s == ',';
  return n;
}

/* Comma list of numbers into out (at most PLAN_MAX_CHOICES: a longer list
 * is refused by its count first, see list_error). */
static bool parse_list(const char *s, double lo, double hi, bool integer, double *out,
                       size_t *n) {
  char buf[1024];
  if (!s || strlen(s) >= sizeof buf || list_count(s) > PLAN_MAX_CHOICES) return false;
  snprintf(buf, sizeof buf, "%s", s);
  *n = 0;
  char *save = NULL;
  for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    double x;
    if (*n == PLAN_MAX_CHOICES || !parse_prob(t, lo, hi, &x)) return false;
    if (integer && x != floor(x)) return false;
    out[(*n)++] = x;
  }
  return *n > 0;
}

/* The usage error of a list option that parse_list refused: its count
 * when there are too many values, else `rule`. */
static int list_error(const char *opt_name, const char *s, const char *rule) {
  size_t n = list_count(s);
  if (n > PLAN_MAX_CHOICES)
    return cli_usage_error("plan", "%s takes at most %d values, got %zu", opt_name,
                           PLAN_MAX_CHOICES, n);
  return cli_usage_error("plan", "%s needs %s, not '%.200s'", opt_name, rule, s);
}

static int plan_main(int argc, char **argv) {
  const char *deadline_s = NULL, *exp_s = NULL, *fa_s = NULL, *conf_s = NULL;
  const char *healthy = NULL, *bad = NULL, *rates_s = NULL, *expo_s = NULL,
             *thr_s = NULL, *minx_s = NULL, *reps_s = NULL, *max_s = NULL,
             *threads_s = NULL, *out = NULL, *seed_s = NULL, *maxmem_s = NULL;
  bool help = false, quiet = false;
  const opt opts[] = {{"deadline", 0, true, &deadline_s, NULL},
                      {"max-exposure", 0, true, &exp_s, NULL},
                      {"max-false-abort", 0, true, &fa_s, NULL},
                      {"confidence", 0, true, &conf_s, NULL},
                      {"healthy", 0, true, &healthy, NULL},
                      {"bad", 0, true, &bad, NULL},
                      {"rates", 0, true, &rates_s, NULL},
                      {"exponential", 0, true, &expo_s, NULL},
                      {"thresholds", 0, true, &thr_s, NULL},
                      {"min-executed", 0, true, &minx_s, NULL},
                      {"replications", 'n', true, &reps_s, NULL},
                      {"max-replications", 0, true, &max_s, NULL},
                      {"threads", 'j', true, &threads_s, NULL},
                      {"out", 'o', true, &out, NULL},
                      {"seed", 's', true, &seed_s, NULL},
                      {"max-memory", 0, true, &maxmem_s, NULL},
                      {"quiet", 'q', false, NULL, &quiet},
                      {NULL, 0, false, NULL, NULL}};
  int n = cli_parse_opts("plan", argc, argv, opts, &help);
  if (n < 0) return EXIT_USAGE;
  if (help) {
    cli_print_help("plan", stdout);
    return EXIT_OK;
  }
  if (n == 0) return cli_usage_error("plan", "%s", "missing <scenario.json>");
  if (n > 1) return cli_usage_error("plan", "one scenario at a time, got '%s' too", argv[1]);
  if (!deadline_s || !exp_s || !fa_s)
    return cli_usage_error("plan", "%s",
                           "--deadline, --max-exposure and --max-false-abort are required");
  plan_planner_opts o;
  memset(&o, 0, sizeof o);
  if (sim_duration_parse(deadline_s, &o.deadline, NULL) || o.deadline <= 0)
    return cli_usage_error("plan", "--deadline needs a duration such as 4h, not '%s'",
                           deadline_s);
  uint64_t u = 0;
  if (!cli_parse_u64(exp_s, &u))
    return cli_usage_error("plan", "--max-exposure needs a number of things, not '%s'", exp_s);
  o.max_exposure = (int64_t)u;
  if (!parse_prob(fa_s, 0.0, 1.0, &o.max_false_abort))
    return cli_usage_error("plan", "--max-false-abort needs a probability 0..1, not '%s'",
                           fa_s);
  o.confidence = 0.9;
  if (conf_s && !parse_prob(conf_s, 0.5, 0.999, &o.confidence))
    return cli_usage_error("plan", "--confidence needs a number 0.5..0.999, not '%s'",
                           conf_s);
  uint64_t reps = 50, cap = 200;
  if (reps_s && !parse_count(reps_s, 1, 100000, &reps))
    return cli_usage_error("plan", "--replications needs an integer 1..100000, not '%s'",
                           reps_s);
  if (max_s && !parse_count(max_s, 1, 1000000, &cap))
    return cli_usage_error("plan", "--max-replications needs an integer 1..1000000, not '%s'",
                           max_s);
  if (cap < reps) cap = reps;
  uint64_t max_memory = 0, no_events = 0;
  if (!cli_parse_limits("plan", maxmem_s, NULL, &max_memory, &no_events)) return EXIT_USAGE;
  o.initial = (size_t)reps;
  o.max = (size_t)cap;
  o.healthy = healthy;
  o.bad = bad;
  sim_diag d;
  model_scenario *sc = NULL;
  plan_result *res = NULL;
  int ret = EXIT_OK;
  int rc = model_scenario_load(&sc, argv[0], &d);
  if (rc) {
    cli_report_diag(&d);
    return cli_exit_for(rc);
  }
  plan_planner_defaults(&o, sc->sim.rollout_quota);
  double tmp[PLAN_MAX_CHOICES];
  size_t nt = 0;
  if (rates_s) {
    if (!parse_list(rates_s, 1, (double)sc->sim.rollout_quota, true, tmp, &nt)) {
      char rule[96];
      snprintf(rule, sizeof rule, "integers 1..%" PRId64 " separated by commas",
               sc->sim.rollout_quota);
      ret = list_error("--rates", rates_s, rule);
      goto out;
    }
    o.n_rates = nt;
    for (size_t i = 0; i < nt; i++) o.rates[i] = (int64_t)tmp[i];
  }
  if (expo_s) {
    o.n_exps = 0;
    if (strcmp(expo_s, "none") != 0) {
      char buf[1024];
      if (strlen(expo_s) >= sizeof buf || list_count(expo_s) > PLAN_MAX_CHOICES) {
        ret = list_error("--exponential", expo_s, "at most 1023 characters");
        goto out;
      }
      snprintf(buf, sizeof buf, "%s", expo_s);
      char *save = NULL;
      for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        long long b = 0, k = 0;
        double f = 0;
        char tail = 0;
        if (o.n_exps == PLAN_MAX_CHOICES ||
            sscanf(t, "%lld:%lf:%lld%c", &b, &f, &k, &tail) != 3 || b < 1 || k < 1) {
          ret = list_error("--exponential", expo_s,
                           "base:factor:notified settings separated by commas, or none");
          goto out;
        }
        o.exps[o.n_exps++] = (plan_exp_rate){b, f, k};
      }
    }
  }
  if (thr_s) {
    if (!parse_list(thr_s, 0, 100, false, o.thresholds, &o.n_thresholds)) {
      ret = list_error("--thresholds", thr_s, "percentages 0..100 separated by commas");
      goto out;
    }
  }
  if (minx_s) {
    if (!parse_list(minx_s, 1, 2147483647, true, tmp, &nt)) {
      ret = list_error("--min-executed", minx_s, "integers >= 1 separated by commas");
      goto out;
    }
    o.n_min_exec = nt;
    for (size_t i = 0; i < nt; i++) o.min_exec[i] = (int64_t)tmp[i];
  }
  if (o.n_rates + o.n_exps == 0) {
    ret = cli_usage_error("plan", "%s", "no rollout candidates (--rates and --exponential)");
    goto out;
  }
  if ((ret = common_opts("plan", threads_s, seed_s, sc, &o.threads, &o.seed))) goto out;
  uint64_t need = plan_planner_memory_estimate(sc, &o);   /* before anything is built */
  if (max_memory && need > max_memory) {
    char what[200];
    snprintf(what, sizeof what, "%zu candidates x up to %zu replications per world on %u "
             "threads", (o.n_rates + o.n_exps) * o.n_thresholds * o.n_min_exec, o.max,
             o.threads);
    ret = too_big("plan", need, max_memory, maxmem_s != NULL, what);
    goto out;
  }
  sim_diag_init(&d, sc->file);
  rc = plan_planner_run(&res, sc, &o, &d);
  if (rc) {
    if (rc == SIM_ERR_USAGE) {
      ret = cli_usage_error("plan", "%s", d.msg);
    } else {
      cli_report_diag(&d);
      ret = cli_exit_for(rc);
    }
    goto out;
  }
  if (plan_result_table(res, stdout)) {
    ret = EXIT_IO;
    goto out;
  }
  if (plan_par_rank() == 0) {
    char dir[4096], ver[256];
    if (out) snprintf(dir, sizeof dir, "%s", out);
    else snprintf(dir, sizeof dir, "out/%s-plan", sc->name);
    if (!out && mkdir_p_parent("out")) {
      fprintf(stderr, "jobsim: cannot create 'out': %s\n", strerror(errno));
      ret = EXIT_IO;
      goto out;
    }
    cli_version_info(ver, sizeof ver);
    plan_out_status ps;
    char why[512];
    sim_diag_init(&d, NULL);
    if ((rc = plan_result_write(res, dir, ver, &ps, why, sizeof why, &d))) {
      cli_report_diag(&d);
      ret = cli_exit_for(rc);
      goto out;
    }
    if (!quiet && ps == PLAN_OUT_NO_GNUPLOT)
      fprintf(stderr, "jobsim: warning: gnuplot not found: wrote %s/plots/front.gp and its "
                      "data but no image\n", dir);
    else if (!quiet && ps == PLAN_OUT_PLOT_FAILED)
      fprintf(stderr, "jobsim: warning: plot not rendered: %s\n", why);
    if (!quiet && res->chosen != SIZE_MAX)
      fprintf(stderr, "jobsim: plan: chosen job in %s/create-job.json\n", dir);
  }
  if (res->chosen == SIZE_MAX) {
    fprintf(stderr, "jobsim: plan: no feasible configuration: %s\n", res->binding);
    ret = EXIT_CHECK;
  }
out:
  plan_result_free(res);
  model_scenario_free(sc);
  return ret;
}

int cmd_plan(int argc, char **argv) {
  cli_catch_signals();
  int ret = start_par("plan");
  if (ret == EXIT_OK) ret = plan_main(argc, argv);
  fflush(stdout);
  plan_par_finalize();
  return ret;
}
