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
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
    "        --max-memory <size>\n"
    "                            refuse a sweep estimated to need more (700M, 4G,\n"
    "                            unlimited; default: the memory available now)\n"
    "    -q, --quiet             no progress, warnings or summary on stderr\n"
    "    -h, --help              this help\n\n"
    "Example:\n"
    "    jobsim sweep scenarios/bad-release-abort.json -n 200 \\\n"
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

/* --------------------------------------------------------- progress --- */

/* One line on stderr, rewritten in place (only on a terminal, never with
 * --quiet), erased at the end. */
typedef struct progress_line {
  const char *cmd, *name;
  double t0, last;
  bool shown;
} progress_line;

static double wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fmt_secs(double s, char *b, size_t n) {
  if (s < 0) s = 0;
  long x = (long)(s + 0.5);
  if (x < 60) snprintf(b, n, "%lds", x);
  else if (x < 3600) snprintf(b, n, "%ldm%02lds", x / 60, x % 60);
  else snprintf(b, n, "%ldh%02ldm", x / 3600, x % 3600 / 60);
}

static void progress_clear_line(progress_line *p) {
  if (!p->shown) return;
  fputs("\r\033[K", stderr);
  fflush(stderr);
  p->shown = false;
}

/* Write the progress text on one terminal line: cut to the terminal's
 * width, since a line that wraps cannot be rewritten in place. */
static void progress_put(progress_line *p, const char *text) {
  struct winsize ws;
  int cols = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
  int len = (int)strlen(text);
  if (len > cols - 1) len = cols - 1 > 0 ? cols - 1 : 0;
  fprintf(stderr, "\r\033[K%.*s", len, text);
  fflush(stderr);
  p->shown = true;
}

static void plan_progress_cb(void *ud, const plan_progress *pp) {
  progress_line *p = ud;
  double now = wall_now(), el = now - p->t0;
  char e[32], left[80] = "", line[512];
  fmt_secs(el, e, sizeof e);
  if (pp->batch_done > 0 && pp->batch_total > pp->batch_done) {
    char t[32];
    double rate = (double)pp->reps_done / (el > 1e-6 ? el : 1e-6);
    fmt_secs((double)(pp->batch_total - pp->batch_done) / rate, t, sizeof t);
    snprintf(left, sizeof left, ", about %s left in this round", t);
  }
  snprintf(line, sizeof line, "jobsim: plan: %s: round %zu: %zu/%zu replications, %zu/%zu "
                              "candidates decided, %s elapsed%s",
           p->name, pp->round, pp->batch_done, pp->batch_total, pp->decided, pp->candidates,
           e, left);
  progress_put(p, line);
  p->last = now;
}

static void sweep_progress_cb(void *ud, size_t done, size_t total) {
  progress_line *p = ud;
  double now = wall_now(), el = now - p->t0;
  char e[32], t[32] = "?", line[512];
  fmt_secs(el, e, sizeof e);
  if (done) fmt_secs(el * (double)(total - done) / (double)done, t, sizeof t);
  snprintf(line, sizeof line, "jobsim: sweep: %s: %zu/%zu replications, %s elapsed, about %s left",
           p->name, done, total, e, t);
  progress_put(p, line);
  p->last = now;
}

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
  progress_line pl = {.cmd = "sweep", .name = sc->name, .t0 = wall_now()};
  plan_reps_progress pg = {sweep_progress_cb, &pl, 250};
  if (!quiet && isatty(STDERR_FILENO) && plan_par_rank() == 0) so.progress = &pg;
  rc = plan_sweep_run(&sw, sc, vary, n_vary, &so, where, sizeof where, &d);
  progress_clear_line(&pl);
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
    "usage: jobsim plan [<options>] --deadline <d> <scenario.json>\n\n"
    "Searches rollout settings (constant rate, or exponential base/factor/\n"
    "criteria) and abort criteria (threshold, minimum executed) for the fastest\n"
    "job that, at confidence level C,\n"
    "  - reaches the deadline measure on the healthy world:  P(T <= d) >= C\n"
    "  - aborts on the healthy world rarely:                 P(abort) <= p\n"
    "  - exposes few things to a bad release:                P(E <= k) >= C\n"
    "T is the deadline measure (--deadline-for), E the things of the\n"
    "bad-release world's affected groups that ran the job. Only --deadline is\n"
    "required: a limit not given is not applied (the table says so). Your own\n"
    "rollout and abort settings are always measured as the row 'yours'.\n"
    "Without $.worlds the scenario is the healthy world and the bad release is\n"
    "the default one: every targeted thing that runs the job fails.\n"
    "Candidates are derived from the fleet and the deadline (the output says\n"
    "how); --rates, --exponential, --thresholds, --min-executed set them by\n"
    "hand. Prints a ranked table and writes <dir>/create-job.json, ready for\n"
    "`aws iot create-job --cli-input-json file://create-job.json`.\n\n"
    "        --deadline <duration>    e.g. 6h (required)\n"
    "        --deadline-for <what>    what must happen by the deadline: rollout (the\n"
    "                                 last execution created), terminal:P (P % of\n"
    "                                 targeted things finished; default terminal:99)\n"
    "                                 or completed (the job COMPLETED)\n"
    "        --max-exposure <k>       things (default: not applied)\n"
    "        --max-false-abort <p>    probability 0..1 (default: not applied)\n"
    "        --confidence <c>         0.5..0.999 (default 0.9)\n"
    "        --healthy <world>        the healthy world (default: 'healthy', else the\n"
    "                                 first world that affects no group)\n"
    "        --bad <world>            the bad-release world (default: every other\n"
    "                                 world that affects groups, else the default)\n"
    "        --rates <list>           constant rates per minute\n"
    "        --exponential <list>     base:factor:notified settings, or none\n"
    "        --thresholds <list>      thresholdPercentage values\n"
    "        --min-executed <list>    minNumberOfExecutedThings values\n"
    "    -n, --replications <n>       first batch and batch size (default 50)\n"
    "        --max-replications <n>   cap per candidate and world (default 200)\n"
    "    -j, --threads <n>            worker threads (default: all cores)\n"
    "    -o, --out <dir>              output directory (default out/<name>-plan)\n"
    "    -s, --seed <n>               master seed (default: the scenario's)\n"
    "        --max-memory <size>      refuse a search estimated to need more (700M,\n"
    "                                 4G, unlimited; default: the memory available)\n"
    "    -q, --quiet                  no progress or warnings on stderr\n"
    "    -h, --help                   this help\n\n"
    "Example:\n"
    "    jobsim plan --deadline 6h --max-exposure 100 scenarios/bad-release-abort.json\n\n"
    "Exit 1 when no candidate meets every limit (the binding one is named, with\n"
    "the smallest limits some candidate meets).\n";

static const char plan_example[] =
    "jobsim: plan: example: jobsim plan --deadline 6h --max-exposure 100 "
    "--max-false-abort 0.05 %s\n";

static int plan_main(int argc, char **argv) {
  const char *deadline_s = NULL, *dlfor_s = NULL, *exp_s = NULL, *fa_s = NULL,
             *conf_s = NULL;
  const char *healthy = NULL, *bad = NULL, *rates_s = NULL, *expo_s = NULL,
             *thr_s = NULL, *minx_s = NULL, *reps_s = NULL, *max_s = NULL,
             *threads_s = NULL, *out = NULL, *seed_s = NULL, *maxmem_s = NULL;
  bool help = false, quiet = false;
  const opt opts[] = {{"deadline", 0, true, &deadline_s, NULL},
                      {"deadline-for", 0, true, &dlfor_s, NULL},
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
  if (n > 1) return cli_usage_error("plan", "one scenario at a time, got '%s' too", argv[1]);
  plan_planner_opts o;
  memset(&o, 0, sizeof o);
  if (deadline_s && (sim_duration_parse(deadline_s, &o.deadline, NULL) || o.deadline <= 0))
    return cli_usage_error("plan", "--deadline needs a duration such as 6h, not '%s'",
                           deadline_s);
  o.deadline_for = PLAN_DL_TERMINAL;
  o.terminal_pct = PLAN_TERMINAL_DEFAULT;
  if (dlfor_s && !plan_deadline_for_parse(dlfor_s, &o.deadline_for, &o.terminal_pct))
    return cli_usage_error("plan", "--deadline-for needs rollout, terminal:P (P a percentage "
                                   "0..100, e.g. terminal:99) or completed, not '%s'", dlfor_s);
  uint64_t u = 0;
  if (exp_s) {
    if (!cli_parse_u64(exp_s, &u))
      return cli_usage_error("plan", "--max-exposure needs a number of things, not '%s'",
                             exp_s);
    o.has_exposure = true;
    o.max_exposure = (int64_t)u;
  }
  if (fa_s) {
    if (!parse_prob(fa_s, 0.0, 1.0, &o.max_false_abort))
      return cli_usage_error("plan", "--max-false-abort needs a probability 0..1, not '%s'",
                             fa_s);
    o.has_false_abort = true;
  }
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
  /* what is missing, all at once: the scenario, --deadline, the worlds */
  if (n == 0 || !deadline_s) {
    if (n == 0) fprintf(stderr, "jobsim: plan: missing <scenario.json>\n");
    if (!deadline_s)
      fprintf(stderr, "jobsim: plan: --deadline is required: when the rollout must be done, "
                      "e.g. --deadline 6h (what must be done by then: --deadline-for)\n");
  }
  if (n > 0) {
    int rc = model_scenario_load(&sc, argv[0], &d);
    if (rc) {
      if (n == 0 || !deadline_s) fprintf(stderr, plan_example, argv[0]);
      cli_report_diag(&d);
      return cli_exit_for(rc);
    }
    char names[9][72], err[1024];
    size_t nw = 0;
    bool dflt = false;
    if (!plan_planner_worlds(sc, &o, names, &nw, &dflt, err, sizeof err)) {
      for (char *line = err, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl) nl = line + strlen(line) - 1;
        else *nl = 0;
        fprintf(stderr, "jobsim: plan: %s: $.worlds: %s\n", sc->file, line);
      }
      deadline_s = NULL;   /* report as a usage error below */
    }
  }
  if (n == 0 || !deadline_s) {
    fprintf(stderr, plan_example, n > 0 ? argv[0] : "SCENARIO.json");
    fprintf(stderr, "jobsim: see 'jobsim plan --help'\n");
    model_scenario_free(sc);
    return EXIT_USAGE;
  }
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
    o.set_rates = true;
    for (size_t i = 0; i < nt; i++) o.rates[i] = (int64_t)tmp[i];
  }
  if (expo_s) {
    o.n_exps = 0;
    o.set_exps = true;
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
    o.set_thresholds = true;
  }
  if (minx_s) {
    if (!parse_list(minx_s, 1, 2147483647, true, tmp, &nt)) {
      ret = list_error("--min-executed", minx_s, "integers >= 1 separated by commas");
      goto out;
    }
    o.n_min_exec = nt;
    o.set_min_exec = true;
    for (size_t i = 0; i < nt; i++) o.min_exec[i] = (int64_t)tmp[i];
  }
  if ((ret = common_opts("plan", threads_s, seed_s, sc, &o.threads, &o.seed))) goto out;
  plan_planner_grid(&o, sc, NULL, 0);   /* for the size; the planner derives it again */
  if (o.n_rates + o.n_exps == 0) {
    ret = cli_usage_error("plan", "%s", "no rollout candidates (--rates and --exponential)");
    goto out;
  }
  uint64_t need = plan_planner_memory_estimate(sc, &o);   /* before anything is built */
  if (max_memory && need > max_memory) {
    char what[200];
    snprintf(what, sizeof what, "%zu candidates x up to %zu replications per world on %u "
             "threads", plan_planner_count(&o), o.max, o.threads);
    ret = too_big("plan", need, max_memory, maxmem_s != NULL, what);
    goto out;
  }
  progress_line pl = {.cmd = "plan", .name = sc->name, .t0 = wall_now()};
  if (!quiet && isatty(STDERR_FILENO) && plan_par_rank() == 0) {
    o.progress = plan_progress_cb;
    o.progress_ud = &pl;
  }
  sim_diag_init(&d, sc->file);
  int rc = plan_planner_run(&res, sc, &o, &d);
  progress_clear_line(&pl);
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
    for (const char *a = res->advice; *a;) {
      const char *nl = strchr(a, '\n');
      size_t l = nl ? (size_t)(nl - a) : strlen(a);
      fprintf(stderr, "jobsim: plan: %.*s\n", (int)l, a);
      a += l + (nl != NULL);
    }
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
