/*
 * main.c — the `jobsim` command: dispatch table, option parsing, exit codes.
 * Data goes to stdout, diagnostics to stderr as "jobsim: FILE: PATH: message".
 * Exit codes (design.md): 0 ok, 1 a requested check failed, 2 usage,
 * 3 invalid scenario, 4 I/O or system error, 130 interrupted.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cron.h"
#include "describe.h"
#include "duration.h"
#include "execview.h"
#include "engine.h"
#include "outdir.h"
#include "page.h"
#include "run.h"
#include "store.h"
#include "scenario.h"
#include "json.h"

#ifndef JOBSIM_VERSION
#define JOBSIM_VERSION "0.0.0"
#endif


typedef struct command {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *summary;
  const char *usage;    /* full help text after the usage line */
} command;

static bool quiet = false;

/* Interrupts. The one mutable global besides `quiet`: a signal handler can
 * only talk to the program through a volatile sig_atomic_t. SIGINT, SIGTERM,
 * SIGHUP, SIGQUIT, SIGXCPU and every other signal that would end the process
 * (stop_signals: all but the faults) stop a command the same way, with exit
 * 128 + signal (130 for SIGINT, 143 for SIGTERM) and no report left:
 *  - `jobsim run` polls the flag between slices of simulated time and while
 *    it writes (outdir.h report_interrupted: gnuplot is killed, a commit
 *    refused, a long write stopped);
 *  - sweep and plan (which compute without polling) exit at once from the
 *    handler when no output directory is being written (nothing to clean),
 *    else they stop like `run` at the commit;
 *  - a second signal exits at once (a temporary directory it leaves is
 *    removed by the next run, outdir.h).
 * SIGXFSZ is ignored everywhere: a write beyond `ulimit -f` then fails with
 * EFBIG and is reported (exit 4) instead of killing jobsim. */
static volatile sig_atomic_t got_signal = 0;
static volatile sig_atomic_t exit_at_once = 0;

static void on_signal(int sig) {
  if (got_signal || (exit_at_once && report_outdir_open_count() == 0)) _exit(128 + sig);
  got_signal = sig;
}

/* Every signal whose default action ends the process, but the faults
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL: a handler cannot resume the faulting
 * instruction; a run that dies of one leaves its temporary directory to
 * the next run) and SIGKILL/SIGSTOP, which cannot be caught; plus the
 * real-time signals SIGRTMIN..SIGRTMAX (not constants, added below). */
static const int stop_signals[] = {SIGINT,  SIGTERM, SIGHUP,    SIGQUIT, SIGXCPU,
                                   SIGUSR1, SIGUSR2, SIGALRM,   SIGPIPE, SIGVTALRM,
                                   SIGPROF, SIGIO,   SIGPWR,    SIGSTKFLT, SIGTRAP,
                                   SIGSYS,  SIGABRT};

static void catch_signals(bool at_once) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  const size_t n = sizeof stop_signals / sizeof stop_signals[0];
  for (size_t i = 0; i < n; i++)
    sigaddset(&sa.sa_mask, stop_signals[i]);   /* one handler at a time */
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++) sigaddset(&sa.sa_mask, sig);
  exit_at_once = at_once;
  report_interrupt_watch(&got_signal);
  for (size_t i = 0; i < n; i++) sigaction(stop_signals[i], &sa, NULL);
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++) sigaction(sig, &sa, NULL);
}

/* For sweep and plan (cli.h). */
void cli_catch_signals(void) { catch_signals(true); }

/* "700M", "2G", "512MiB", "1.5GiB", "123456" (bytes). */
static bool parse_size(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || v < 0) return false;
  double mult = 1;
  if (*end == 'K' || *end == 'k') mult = 1024.0, end++;
  else if (*end == 'M') mult = 1024.0 * 1024, end++;
  else if (*end == 'G') mult = 1024.0 * 1024 * 1024, end++;
  else if (*end == 'T') mult = 1024.0 * 1024 * 1024 * 1024, end++;
  if (mult > 1 && (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0)) end += strlen(end);
  if (*end || v * mult > 1.8e19) return false;
  *out = (uint64_t)(v * mult);
  return true;
}

/* Memory the kernel says is available (MemAvailable), 0 when unknown. */
static uint64_t mem_available(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  if (!f) return 0;
  char line[256];
  uint64_t kb = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "MemAvailable: %" SCNu64 " kB", &kb) == 1) break;
  fclose(f);
  return kb * 1024;
}

static void version_info(char *buf, size_t n) {
  snprintf(buf, n, "jobsim %s (cJSON %s, GSL %s, SQLite %s)", JOBSIM_VERSION,
           cJSON_Version(), GSL_VERSION, sqlite3_libversion());
}

static int exit_for(int rc) {
  switch (rc) {
    case SIM_OK: return EXIT_OK;
    case SIM_ERR_USAGE: return EXIT_USAGE;
    case SIM_ERR_PARSE:
    case SIM_ERR_SCHEMA:
    case SIM_ERR_RANGE:
    case SIM_ERR_LIMIT: return EXIT_INVALID;
    case SIM_ERR_INTR: return 128 + (got_signal ? (int)got_signal : SIGINT);
    default: return EXIT_IO;
  }
}

static void report_diag(const sim_diag *d) {
  char buf[2048];
  sim_diag_format(d, buf, sizeof buf);
  fprintf(stderr, "jobsim: %s\n", buf);
  /* a JSON syntax error: the line and a caret under the column (made safe
   * for a terminal by sim_json_parse) */
  if (d->context[0]) fprintf(stderr, "%s\n", d->context);
}

/* ----------------------------------------------------- option parsing --- */

/* (struct opt is in cli.h, shared with plan_cmd.c) */

/* A file argument as the AWS CLI writes one: "file://s.json" is "s.json",
 * "file:///tmp/s.json" is "/tmp/s.json" (relative to the current directory,
 * as for the CLI). */
static const char *file_url(const char *a) {
  return strncmp(a, "file://", 7) == 0 && a[7] ? a + 7 : a;
}
static char *file_url_arg(char *a) {
  return strncmp(a, "file://", 7) == 0 && a[7] ? a + 7 : a;
}

/* Parse options before/among arguments; collects positionals into argv
 * (in place), returns their count, or -1 on a usage error (printed). */
static int parse_opts(const char *cmd, int argc, char **argv, const opt *opts,
                      bool *help) {
  int npos = 0;
  bool only_pos = false;
  for (int i = 1; i < argc; i++) {
    char *a = argv[i];
    if (only_pos || a[0] != '-' || strcmp(a, "-") == 0) {
      argv[npos++] = file_url_arg(a);   /* positionals are files */
      continue;
    }
    if (strcmp(a, "--") == 0) { only_pos = true; continue; }
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) { *help = true; continue; }
    const opt *o = NULL;
    const char *inline_val = NULL;
    if (a[1] == '-') {
      const char *name = a + 2;
      const char *eq = strchr(name, '=');
      size_t nl = eq ? (size_t)(eq - name) : strlen(name);
      for (const opt *p = opts; p->lng; p++)
        if (strlen(p->lng) == nl && strncmp(p->lng, name, nl) == 0) o = p;
      if (eq) inline_val = eq + 1;
    } else if (a[2] == 0) {
      for (const opt *p = opts; p->lng; p++)
        if (p->shrt == a[1]) o = p;
    }
    if (!o) {
      fprintf(stderr, "jobsim: %s: unknown option '%s'\n"
                      "jobsim: see 'jobsim %s --help'\n", cmd, a, cmd);
      return -1;
    }
    if (o->has_arg) {
      if (!inline_val) {
        if (i + 1 >= argc) {
          fprintf(stderr, "jobsim: %s: option '%s' needs a value\n"
                          "jobsim: see 'jobsim %s --help'\n", cmd, a, cmd);
          return -1;
        }
        inline_val = argv[++i];
      }
      *o->value = strcmp(o->lng, "scenario") == 0 || strcmp(o->lng, "db") == 0
                      ? file_url(inline_val) : inline_val;
    } else {
      if (inline_val) {
        fprintf(stderr, "jobsim: %s: option '--%s' takes no value\n"
                        "jobsim: see 'jobsim %s --help'\n", cmd, o->lng, cmd);
        return -1;
      }
      *o->flag = true;
    }
  }
  return npos;
}

static bool parse_seed(const char *s, uint64_t *out) {
  if (!s || !*s) return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || s[0] == '-' || v > UINT64_C(9007199254740992)) return false;
  *out = v;
  return true;
}

static bool parse_ts(const char *s, report_ts_format *f) {
  if (!s || strcmp(s, "epoch") == 0) { *f = REPORT_TS_EPOCH; return true; }
  if (strcmp(s, "iso8601") == 0) { *f = REPORT_TS_ISO8601; return true; }
  return false;
}

/* An instant as an offset ("10m") or an ISO 8601 UTC time. */
static bool parse_at(const char *s, const model_scenario *sc, sim_time_ms *out) {
  int64_t epoch;
  if (model_parse_iso8601(s, &epoch)) {
    *out = epoch - sc->sim.start_epoch_ms;
    return *out >= 0;
  }
  return sim_duration_parse(s, out, NULL) == SIM_OK;
}

static int usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "jobsim: %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\njobsim: see 'jobsim %s --help'\n", cmd);
  return EXIT_USAGE;
}

/* --max-memory and --max-events: a size / a count of at least 1, or
 * "unlimited" (0: no check); 0, or a size under a byte ("0.5"), would
 * switch the limit off unseen and is refused. Defaults: the memory
 * available now, 10^9 events. Prints the usage error itself. */
static bool parse_limits(const char *cmd, const char *mem_s, const char *ev_s,
                         uint64_t *max_memory, uint64_t *max_events) {
  *max_memory = mem_available();   /* 0: unknown, no check */
  if (mem_s && strcmp(mem_s, "unlimited") == 0) *max_memory = 0;
  else if (mem_s && (!parse_size(mem_s, max_memory) || *max_memory < 1)) {
    usage_error(cmd, "--max-memory needs a size of at least 1 byte such as 700M or 4G, or "
                "'unlimited', not '%s'", mem_s);
    return false;
  }
  *max_events = UINT64_C(1000000000);
  if (ev_s && strcmp(ev_s, "unlimited") == 0) *max_events = 0;
  else if (ev_s && (!parse_seed(ev_s, max_events) || *max_events < 1)) {
    usage_error(cmd, "--max-events needs an integer of at least 1, or 'unlimited', not '%s'",
                ev_s);
    return false;
  }
  return true;
}

static const command *find_command(const char *name);
static void print_help(const command *c, FILE *f);

/* ---------------------------------------------------------------- run --- */

/* Progress on stderr while a scenario runs (only on a terminal, never with
 * --quiet): simulated time reached and events per second, at most every
 * 0.25 s of wall time, erased when the run ends. */
typedef struct progress {
  const char *name;       /* scenario */
  char horizon[64];       /* "14h" */
  double t0, last;        /* wall seconds: start, last line */
  bool shown;             /* a line is on screen */
} progress;

static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_progress(void *ud, const model_engine *e) {
  progress *p = ud;
  double now = wall_s();
  if (now - p->last < 0.25) return;
  p->last = now;
  char t[64];
  sim_time_ms sim = model_engine_now(e);
  sim_duration_format(sim - sim % 1000, t, sizeof t);
  double ev = (double)model_engine_events(e);
  fprintf(stderr, "\r\033[Kjobsim: %s: +%s simulated of %s, %.2fM events, %.2fM events/s",
          p->name, t, p->horizon, ev / 1e6,
          ev / 1e6 / (now - p->t0 > 1e-9 ? now - p->t0 : 1e-9));
  fflush(stderr);
  p->shown = true;
}

static void progress_clear(progress *p) {
  if (!p->shown) return;
  fputs("\r\033[K", stderr);
  fflush(stderr);
  p->shown = false;
}

/* The index page over the reports of several scenarios. */
typedef struct index_entry {
  char name[80];
  char *description;
  char outcome[512];
  bool ok;
  bool thumb;             /* its plots/counters.png was rendered */
} index_entry;

typedef struct index_job {
  const report_page_entry *pe;
  size_t n;
  const char *ver;
} index_job;

static int index_writer(const char *path, void *ud, sim_diag *d) {
  const index_job *j = ud;
  return report_page_index(path, j->pe, j->n, j->ver, d);
}

/* parent/index.html: jobsim owns that file, not the directory, so it is
 * replaced only when it is still the one an earlier batch wrote
 * (report_outdir_write_owned), and only when this batch wrote a report. */
static int write_index(const char *parent, const index_entry *ix, size_t n,
                       const char *ver) {
  bool any = false;
  for (size_t i = 0; i < n; i++) any = any || ix[i].ok;
  if (!any) return EXIT_OK;
  report_page_entry *pe = calloc(n ? n : 1, sizeof *pe);
  if (!pe) return EXIT_IO;
  for (size_t i = 0; i < n; i++)
    pe[i] = (report_page_entry){ix[i].name, ix[i].description, ix[i].outcome, ix[i].ok,
                                ix[i].thumb};
  sim_diag d;
  sim_diag_init(&d, NULL);
  index_job j = {pe, n, ver};
  int rc = report_outdir_write_owned_by(parent, "index.html", index_writer, &j, &d);
  free(pe);
  if (rc) {
    report_diag(&d);
    return exit_for(rc);
  }
  return EXIT_OK;
}

/* `jobsim run`, in three steps: parse the options into run_args, check
 * each scenario (load, world, overrides, memory), run it and tell. */
typedef struct run_args {
  const char *out, *seed_s, *until_s, *ts_s, *world_s, *maxmem_s, *maxev_s;
  bool fail_on_abort, compact, no_exec, no_plots;
  uint64_t seed;
  sim_time_ms until;
  uint64_t max_memory;      /* 0: unknown, no check */
  report_run_opts ro;
  char ver[256];
} run_args;

/* Options of `jobsim run` into *a; the scenario files stay at the front of
 * argv. Returns their count, or -(exit code) after a usage error or help. */
static int run_parse(run_args *a, int argc, char **argv) {
  bool help = false;
  memset(a, 0, sizeof *a);
  const opt opts[] = {{"out", 'o', true, &a->out, NULL},
                      {"max-memory", 0, true, &a->maxmem_s, NULL},
                      {"max-events", 0, true, &a->maxev_s, NULL},
                      {"world", 0, true, &a->world_s, NULL},
                      {"no-executions", 0, false, NULL, &a->no_exec},
                      {"no-plots", 0, false, NULL, &a->no_plots},
                      {"seed", 's', true, &a->seed_s, NULL},
                      {"until", 0, true, &a->until_s, NULL},
                      {"timestamp-format", 0, true, &a->ts_s, NULL},
                      {"fail-on-abort", 0, false, NULL, &a->fail_on_abort},
                      {"compact", 0, false, NULL, &a->compact},
                      {"quiet", 'q', false, NULL, &quiet},
                      {NULL, 0, false, NULL, NULL}};
  int n = parse_opts("run", argc, argv, opts, &help);
  if (n < 0) return -EXIT_USAGE;
  if (help) {
    print_help(find_command("run"), stdout);
    return -EXIT_OK;
  }
  if (n == 0) return -usage_error("run", "%s", "missing <scenario.json>");
  report_run_opts *ro = &a->ro;
  ro->write_files = true;
  if (!parse_ts(a->ts_s, &ro->out.ts))
    return -usage_error("run", "--timestamp-format must be epoch or iso8601, not '%s'",
                        a->ts_s);
  ro->out.compact = a->compact;
  if (a->seed_s && !parse_seed(a->seed_s, &a->seed))
    return -usage_error("run", "--seed needs an integer 0..2^53, not '%s'", a->seed_s);
  if (a->until_s && (sim_duration_parse(a->until_s, &a->until, NULL) || a->until <= 0))
    return -usage_error("run", "--until needs a duration such as 6h, not '%s'",
                        a->until_s);
  if (!parse_limits("run", a->maxmem_s, a->maxev_s, &a->max_memory, &ro->max_events))
    return -EXIT_USAGE;
  ro->stop = &got_signal;
  version_info(a->ver, sizeof a->ver);
  ro->version_info = a->ver;
  ro->store = ro->page = true;
  ro->no_executions = a->no_exec;
  ro->plots = !a->no_plots;
  return n;
}

/* Does a run of sc (its horizon as overridden) fit in max_memory (0: no
 * check)? Says why not. */
static bool memory_fits(const model_scenario *sc, uint64_t max_memory, bool given) {
  uint64_t need = model_scenario_memory_estimate(sc);
  if (!max_memory || need <= max_memory) return true;
  char h[64];
  sim_duration_format(sc->sim.until, h, sizeof h);
  fprintf(stderr,
          "jobsim: %s: $.fleet: the run needs about %.1f MiB for %" PRId64
          " things (to +%s), more than the %.1f MiB %s; use --max-memory SIZE to allow "
          "more\n",
          sc->file, (double)need / 1048576.0, sc->fleet.n_things, h,
          (double)max_memory / 1048576.0,
          given ? "allowed by --max-memory" : "available (MemAvailable)");
  return false;
}

/* Load `file` as the run will see it: the world, the overrides, the memory
 * check. NULL after reporting why, with *exit set. */
static model_scenario *run_check(const run_args *a, const char *file, int *exit_code) {
  sim_diag d;
  model_scenario *sc = NULL;
  int rc = model_scenario_load(&sc, file, &d);
  if (rc) {
    report_diag(&d);
    *exit_code = exit_for(rc);
    return NULL;
  }
  if (a->world_s) {   /* the fleet as world --world sees it (worlds.h) */
    model_scenario *ws = NULL;
    rc = model_world_load(&ws, sc, a->world_s, &d);
    model_scenario_free(sc);
    if (rc) {
      report_diag(&d);
      *exit_code = rc == SIM_ERR_RANGE ? EXIT_USAGE : exit_for(rc);
      return NULL;
    }
    sc = ws;
  }
  if (a->seed_s) sc->sim.seed = a->seed;
  if (a->until_s) {   /* every limit again, after the override */
    sc->sim.until = a->until;
    sim_diag_init(&d, sc->file);
    if ((rc = model_scenario_check_limits(sc, "--until", &d))) {
      report_diag(&d);
      model_scenario_free(sc);
      *exit_code = EXIT_USAGE;
      return NULL;
    }
  }
  if (!memory_fits(sc, a->max_memory, a->maxmem_s != NULL)) {
    model_scenario_free(sc);
    *exit_code = EXIT_IO;
    return NULL;
  }
  return sc;
}

/* The line `jobsim run` prints for a finished scenario: how the job ended
 * and when (an abort's instant and figures, then when the last execution
 * ended), then the counters. */
static void run_print_summary(const model_scenario *sc, const report_run_stats *st,
                              const char *dir) {
  char end[64], at[64], state[640];
  const model_job *j = &st->job;
  sim_duration_format(j->status == MODEL_JOB_COMPLETED ? j->completed_at : st->end, end,
                      sizeof end);
  if (j->vanished) {
    snprintf(state, sizeof state, "deleted at +%s", end);
  } else if (j->status == MODEL_JOB_CANCELED) {
    char brief[160];
    report_abort_brief(j, brief, sizeof brief);
    sim_time_ms t = j->aborted && j->aborted_at >= 0 ? j->aborted_at : st->canceled_at;
    sim_duration_format(t >= 0 ? t : j->last_updated_at, at, sizeof at);
    char tail[160];
    const int64_t *k = j->counters;
    if (st->finished)
      snprintf(tail, sizeof tail, "last execution ended +%s", end);
    else   /* IN_PROGRESS executions run on past the horizon */
      snprintf(tail, sizeof tail, "at the horizon +%s %" PRId64 " executions still QUEUED or "
               "IN_PROGRESS", end, k[MODEL_EXEC_QUEUED] + k[MODEL_EXEC_IN_PROGRESS]);
    snprintf(state, sizeof state, "CANCELED by %s at +%s%s%s; %s",
             j->aborted ? "abort" : "cancel-job", at, brief[0] ? " " : "", brief, tail);
  } else if (j->status == MODEL_JOB_COMPLETED || st->finished) {
    snprintf(state, sizeof state, "%s at +%s", model_job_status_name(j->status), end);
  } else {
    snprintf(state, sizeof state, "NOT FINISHED: %s at the horizon +%s",
             model_job_status_name(j->status), end);
  }
  const int64_t *k = j->counters;
  printf("%s: %s: %" PRId64 " of %" PRId64 " things notified, %" PRId64
         " succeeded, %" PRId64 " failed, %" PRId64 " rejected, %" PRId64
         " timed out, %" PRId64 " canceled, %" PRId64 " removed, %" PRId64
         " retries%s; report in %s\n",
         sc->name, state, j->notified, st->things, k[MODEL_EXEC_SUCCEEDED],
         k[MODEL_EXEC_FAILED], k[MODEL_EXEC_REJECTED], k[MODEL_EXEC_TIMED_OUT],
         k[MODEL_EXEC_CANCELED], k[MODEL_EXEC_REMOVED], j->retries, st->more_jobs, dir);
}

/* A run that stopped at its horizon with the job still able to change
 * (IN_PROGRESS, SCHEDULED, DELETION_IN_PROGRESS): its report is not the
 * outcome, said on stderr whatever --quiet says. */
static void run_warn_horizon(const model_scenario *sc, const report_run_stats *st) {
  const model_job *j = &st->job;
  /* a CONTINUOUS job is IN_PROGRESS until someone cancels it: by design */
  if (st->finished || j->vanished || j->status == MODEL_JOB_COMPLETED ||
      j->status == MODEL_JOB_CANCELED || sc->job.continuous)
    return;
  char h[64];
  sim_duration_format(sc->sim.until, h, sizeof h);
  const int64_t *k = j->counters;
  fprintf(stderr, "jobsim: warning: %s: the run stopped at its horizon +%s with the job "
                  "still %s (%" PRId64 " of %" PRId64 " things notified, %" PRId64
                  " executions QUEUED or IN_PROGRESS); the report shows no outcome: raise "
                  "$.simulation.until or --until\n",
          sc->name, h, model_job_status_name(j->status), j->notified, sc->n_targeted,
          k[MODEL_EXEC_QUEUED] + k[MODEL_EXEC_IN_PROGRESS]);
}

/* Run one checked scenario into `dir`; its index entry in *x (when set).
 * Returns the exit code; *stop is set when the batch must end. */
static int run_one(run_args *a, const model_scenario *sc, const char *dir,
                   index_entry *x, bool *warned_gnuplot, bool *stop) {
  report_run_stats st;
  sim_diag d;
  sim_diag_init(&d, sc->file);
  progress pr = {.name = sc->name, .t0 = wall_s(), .last = wall_s()};
  sim_duration_format(sc->sim.until, pr.horizon, sizeof pr.horizon);
  report_run_opts ro = a->ro;
  if (!quiet && isatty(STDERR_FILENO)) {
    ro.progress = on_progress;
    ro.progress_ud = &pr;
  }
  int rc = report_run(sc, sc->sim.seed, dir, &ro, &st, &d);
  progress_clear(&pr);
  if (x) {
    snprintf(x->name, sizeof x->name, "%s", sc->name);
    x->description = sc->description ? strdup(sc->description) : NULL;
    x->ok = rc == SIM_OK;
    if (rc) snprintf(x->outcome, sizeof x->outcome, "no report: %.400s", d.msg);
    else report_run_outcome(sc, &st, x->outcome, sizeof x->outcome);
    x->thumb = rc == SIM_OK && st.plots == REPORT_PLOT_RENDERED;
  }
  if (!rc && st.plots == REPORT_PLOT_NO_GNUPLOT && !*warned_gnuplot) {
    fprintf(stderr, "jobsim: warning: gnuplot not found on PATH; plots skipped\n");
    *warned_gnuplot = true;
  } else if (!rc && st.plots == REPORT_PLOT_FAILED) {
    fprintf(stderr, "jobsim: warning: %s: %s; plots skipped\n", sc->name, st.plots_why);
  }
  if (rc) {
    report_diag(&d);
    *stop = rc == SIM_ERR_INTR;   /* stop the whole batch */
    /* a limit hit while running (--max-events) is a resource error */
    return rc == SIM_ERR_LIMIT ? EXIT_IO : exit_for(rc);
  }
  run_print_summary(sc, &st, dir);
  run_warn_horizon(sc, &st);
  return a->fail_on_abort && st.job.aborted ? EXIT_CHECK : EXIT_OK;
}

/* Several scenarios go to <parent>/<name>: two with one name (given, or
 * cleaned from file names: "a b.json" and "a?b.json" are both a_b) would
 * share a directory, the second replacing the first. Refused before
 * anything runs. Scenarios that do not load are left to the run. */
static int run_check_names(char **files, int n, const char *parent) {
  char (*names)[80] = calloc((size_t)n, sizeof *names);
  if (!names) {
    fprintf(stderr, "jobsim: run: out of memory\n");
    return EXIT_IO;
  }
  int ret = EXIT_OK;
  for (int i = 0; i < n && !ret; i++) {
    sim_diag d;
    model_scenario *sc = NULL;
    if (model_scenario_load(&sc, files[i], &d)) continue;
    snprintf(names[i], sizeof names[i], "%s", sc->name);
    for (int j = 0; j < i && !ret; j++)
      if (strcmp(names[i], names[j]) == 0) {
        sim_diag_init(&d, files[i]);
        sim_diag_set(&d, SIM_ERR_USAGE, "$.name",
                     "scenario name '%s' is also the name of %s in this run; both "
                     "reports would be %s/%s (give each scenario its own \"name\")",
                     sc->name, files[j], parent, sc->name);
        report_diag(&d);
        ret = EXIT_USAGE;
      }
    model_scenario_free(sc);
  }
  free(names);
  return ret;
}

static int cmd_run(int argc, char **argv) {
  run_args a;
  int n = run_parse(&a, argc, argv);
  if (n <= 0) return -n;
  if (n > 1) {
    int x = run_check_names(argv, n, a.out ? a.out : "out");
    if (x) return x;
  }
  catch_signals(false);
  bool warned_gnuplot = false, stop = false;
  bool many = !(n == 1 && a.out);   /* one directory per scenario under a parent */
  index_entry *ix = many && n > 1 ? calloc((size_t)n, sizeof *ix) : NULL;
  size_t nix = 0;
  int worst = EXIT_OK;
  for (int i = 0; i < n && !stop; i++) {
    int x = EXIT_OK;
    model_scenario *sc = run_check(&a, argv[i], &x);
    if (!sc) {
      if (got_signal) {   /* e.g. reading a scenario from a pipe: EINTR */
        worst = exit_for(SIM_ERR_INTR);
        break;
      }
      if (x > worst) worst = x;
      continue;
    }
    char dir[4096];
    if (n == 1 && a.out) snprintf(dir, sizeof dir, "%s", a.out);
    else snprintf(dir, sizeof dir, "%s/%s", a.out ? a.out : "out", sc->name);
    if (!a.out || n > 1) {
      /* the parent of per-scenario directories is created on demand */
      const char *parent = a.out ? a.out : "out";
      if (mkdir(parent, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "jobsim: cannot create '%s': %s\n", parent, strerror(errno));
        model_scenario_free(sc);
        for (size_t k = 0; k < nix; k++) free(ix[k].description);
        free(ix);
        return EXIT_IO;
      }
    }
    x = run_one(&a, sc, dir, ix ? &ix[nix++] : NULL, &warned_gnuplot, &stop);
    if (x > worst) worst = x;
    model_scenario_free(sc);
  }
  if (ix && nix > 0) {
    int x = write_index(a.out ? a.out : "out", ix, nix, a.ver);
    if (x > worst) worst = x;
  }
  for (size_t i = 0; i < nix; i++) free(ix[i].description);
  free(ix);
  return worst;
}

/* ----------------------------------------------------------- validate --- */

/* `validate`: a warning (not an error) when the rollout alone cannot end
 * before the horizon, so a run would stop with the job IN_PROGRESS. Not for
 * CONTINUOUS jobs (IN_PROGRESS until canceled) nor when schedulingConfig's
 * endTime ends the rollout first. */
static void validate_warn_horizon(const char *file, const model_scenario *sc) {
  int64_t cap = 0;
  sim_time_ms until = sc->sim.until, last = model_scenario_rollout_lower_bound(sc, &cap);
  if (last < until || sc->job.continuous || (sc->has_end && sc->end_at <= last)) return;
  char h[64], l[80] = "never (no maintenance window opens in time)", tg[32], rt[32],
       from[64] = "";
  sim_duration_format(until, h, sizeof h);
  if (last != INT64_MAX) {
    memcpy(l, "at +", 5);
    sim_duration_format(last, l + 4, sizeof l - 4);
    snprintf(l + strlen(l), sizeof l - strlen(l), " at the earliest");
  }
  report_thousands(sc->n_targeted, tg, sizeof tg);
  report_thousands(cap, rt, sizeof rt);
  if (sc->job.has_exponential)
    snprintf(from, sizeof from, " (exponentialRate from %" PRId64 ", rising as early as it "
             "can)", sc->job.base_rate_per_minute);
  fprintf(stderr, "jobsim: warning: %s: $.simulation.until: the rollout alone cannot finish "
                  "before the horizon +%s: at most %s execution%s a minute%s%s, the last of "
                  "%s things is notified %s%s; a run stops at the horizon before the "
                  "job can end (raise until or the rate)\n",
          file, h, rt, cap == 1 ? "" : "s", from, sc->n_windows ? " while a maintenance window is open" : "", tg,
          l,
          sc->has_start ? " (from schedulingConfig.startTime)" : "");
}

static int cmd_validate(int argc, char **argv) {
  bool help = false, bail = false, serve = false;
  const opt opts[] = {{"bail", 0, false, NULL, &bail},
                      {"serve", 0, false, NULL, &serve},
                      {"quiet", 'q', false, NULL, &quiet},
                      {NULL, 0, false, NULL, NULL}};
  int n = parse_opts("validate", argc, argv, opts, &help);
  if (n < 0) return EXIT_USAGE;
  if (help) { print_help(find_command("validate"), stdout); return EXIT_OK; }
  if (n == 0) return usage_error("validate", "%s", "missing <scenario.json>");
  int worst = EXIT_OK;
  for (int i = 0; i < n; i++) {
    /* every problem one pass can find, up to VALIDATE_MAX (run, plan and
     * sweep stop at the first) */
    enum { VALIDATE_MAX = 20 };
    static sim_diag found[VALIDATE_MAX];
    size_t nf = 0;
    bool more = false;
    model_scenario *sc = NULL;
    int rc = model_scenario_load_all(&sc, argv[i], serve ? MODEL_SCENARIO_FLEET_ONLY : 0, found,
                                     VALIDATE_MAX, &nf, &more);
    if (rc) {
      for (size_t k = 0; k < nf; k++) {
        report_diag(&found[k]);
        int x = exit_for(found[k].code ? found[k].code : rc);
        if (x > worst) worst = x;
      }
      if (more) {
        sim_diag m;
        sim_diag_init(&m, argv[i]);
        sim_diag_set(&m, SIM_ERR_LIMIT, NULL,
                     "more problems follow; validate lists the first %d", VALIDATE_MAX);
        report_diag(&m);
      }
      if (bail) break;
      continue;
    }
    if (!quiet && model_scenario_n_jobs(sc) == 0)   /* --serve only */
      printf("%s: ok: no job (a fleet for jobsim serve), %" PRId64 " things in the fleet\n",
             argv[i], sc->fleet.n_things);
    else if (!quiet)
      printf("%s: ok: job %s, %zu targets, %" PRId64 " things targeted of %" PRId64
             " in the fleet\n",
             argv[i], sc->job.job_id, sc->job.n_targets, sc->n_targeted,
             sc->fleet.n_things);
    validate_warn_horizon(argv[i], sc);
    model_scenario_free(sc);
  }
  return worst;
}

/* ------------------------------------------------------- describe-job --- */

/* The three read commands share one shape: load the scenario, run it to
 * --at, print a view of the state. */
typedef enum view_kind { VIEW_JOB, VIEW_EXECUTION, VIEW_LIST } view_kind;

static int not_found(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int not_found(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "jobsim: %s: ResourceNotFoundException: ", cmd);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return EXIT_CHECK;
}

/* describe-job --db: answer from a run's SQLite store, no simulation. */
static int describe_from_store(const char *cmd, const char *db, const char *job_id,
                               const char *at_s, const report_opts *ro) {
  sim_diag d;
  sim_diag_init(&d, NULL);
  report_store *st = NULL;
  int rc = report_store_open(&st, db, &d);
  if (rc) {
    report_diag(&d);
    return exit_for(rc);
  }
  const report_store_info *in = report_store_info_of(st);
  int ret = EXIT_OK;
  char *text = NULL;
  size_t len = 0;
  bool deleted = false;
  sim_time_ms at = in->until;
  if (at_s && !parse_at(at_s, report_store_scenario(st), &at)) {
    ret = usage_error(cmd, "--at needs an offset such as 10m or an ISO 8601 UTC time "
                           "not before the job's creation, not '%s'", at_s);
    goto out;
  }
  if (strcmp(job_id, in->job_id) != 0) {
    ret = not_found(cmd, "job '%s' does not exist (the run in %s is of job '%s')", job_id,
                    db, in->job_id);
    goto out;
  }
  if ((rc = report_store_describe_job(st, at, ro, &text, &len, &deleted, &d))) {
    report_diag(&d);
    ret = rc == SIM_ERR_RANGE ? EXIT_CHECK : exit_for(rc);
    goto out;
  }
  if (deleted) {
    ret = not_found(cmd, "job '%s' does not exist (it was deleted)", job_id);
    goto out;
  }
  fwrite(text, 1, len, stdout);
out:
  free(text);
  report_store_free(st);
  return ret;
}

/* Run the engine to `at` in slices of an hour, stopping with SIM_ERR_LIMIT
 * past max_events (0: no cap), as `jobsim run --max-events` does. */
static int run_capped(model_engine *e, sim_time_ms at, uint64_t max_events, sim_diag *d) {
  if (!max_events) return model_engine_run(e, at);
  for (sim_time_ms t = 0;;) {
    t = t > at - SIM_MS_PER_H ? at : t + SIM_MS_PER_H;
    int rc = model_engine_run(e, t);
    if (rc) return rc;
    if (model_engine_events(e) > max_events)
      return sim_diag_set(d, SIM_ERR_LIMIT, NULL,
                          "stopped after %" PRIu64 " events at simulated +%" PRId64
                          "s: the simulation exceeds the event cap (--max-events %" PRIu64
                          ")", model_engine_events(e), model_engine_now(e) / 1000,
                          max_events);
    if (t >= at) return SIM_OK;   /* the same events as one run to `at` */
  }
}

static int cmd_view(view_kind kind, int argc, char **argv) {
  static const char *const names[] = {"describe-job", "describe-job-execution",
                                      "list-job-executions-for-job"};
  const char *cmd = names[kind];
  const char *scen = NULL, *job_id = NULL, *at_s = NULL, *seed_s = NULL, *ts_s = NULL;
  const char *thing_s = NULL, *exec_s = NULL, *status_s = NULL, *max_s = NULL,
             *token_s = NULL, *db_s = NULL, *maxmem_s = NULL, *maxev_s = NULL;
  bool help = false, compact = false;
  opt opts[16] = {{"scenario", 0, true, &scen, NULL},
                  {"job-id", 0, true, &job_id, NULL},
                  {"at", 0, true, &at_s, NULL},
                  {"seed", 's', true, &seed_s, NULL},
                  {"timestamp-format", 0, true, &ts_s, NULL},
                  {"compact", 0, false, NULL, &compact},
                  {"max-memory", 0, true, &maxmem_s, NULL},
                  {"max-events", 0, true, &maxev_s, NULL}};
  size_t no = 8;
  opts[no++] = (opt){"db", 0, true, &db_s, NULL};
  if (kind == VIEW_EXECUTION) {
    opts[no++] = (opt){"thing-name", 0, true, &thing_s, NULL};
    opts[no++] = (opt){"execution-number", 0, true, &exec_s, NULL};
  } else if (kind == VIEW_LIST) {
    opts[no++] = (opt){"status", 0, true, &status_s, NULL};
    opts[no++] = (opt){"max-results", 0, true, &max_s, NULL};
    opts[no++] = (opt){"next-token", 0, true, &token_s, NULL};
  }
  opts[no] = (opt){NULL, 0, false, NULL, NULL};
  int n = parse_opts(cmd, argc, argv, opts, &help);
  if (n < 0) return EXIT_USAGE;
  if (help) { print_help(find_command(cmd), stdout); return EXIT_OK; }
  if (n > 0) return usage_error(cmd, "unexpected argument '%s'", argv[0]);
  if (db_s && scen) return usage_error(cmd, "%s", "--db and --scenario exclude each other");
  if (db_s && seed_s)
    return usage_error(cmd, "%s", "--seed does not apply to --db (the store records its "
                                  "run's seed)");
  if (!scen && !db_s)
    return usage_error(cmd, "%s", "missing --scenario <file> or --db <run.sqlite>");
  if (!job_id) return usage_error(cmd, "%s", "missing --job-id <id>");
  if (kind == VIEW_EXECUTION && !thing_s)
    return usage_error(cmd, "%s", "missing --thing-name <name>");
  report_opts ro = {.compact = compact};
  if (!parse_ts(ts_s, &ro.ts))
    return usage_error(cmd, "--timestamp-format must be epoch or iso8601, not '%s'", ts_s);
  uint64_t seed = 0;
  if (seed_s && !parse_seed(seed_s, &seed))
    return usage_error(cmd, "--seed needs an integer 0..2^53, not '%s'", seed_s);
  uint64_t max_memory = 0, max_events = 0;
  if (!parse_limits(cmd, maxmem_s, maxev_s, &max_memory, &max_events)) return EXIT_USAGE;
  uint64_t exec_no = 0;
  if (exec_s && (!parse_seed(exec_s, &exec_no) || exec_no < 1))
    return usage_error(cmd, "--execution-number needs an integer >= 1, not '%s'", exec_s);
  report_list_opts lo = {0};
  if (status_s) {
    lo.has_status = true;
    int k = MODEL_EXEC_QUEUED;
    for (; k < MODEL_EXEC_STATUS_COUNT; k++)
      if (strcmp(status_s, model_exec_status_name((model_exec_status)k)) == 0) break;
    if (k == MODEL_EXEC_STATUS_COUNT)
      return usage_error(cmd, "--status must be QUEUED, IN_PROGRESS, SUCCEEDED, FAILED, "
                              "TIMED_OUT, REJECTED, REMOVED or CANCELED, not '%s'",
                         status_s);
    lo.status = (model_exec_status)k;
  }
  if (max_s) {
    uint64_t m = 0;
    if (!parse_seed(max_s, &m) || m < 1 || m > 250)
      return usage_error(cmd, "--max-results needs an integer 1..250, not '%s'", max_s);
    lo.max_results = (int)m;
  }
  if (token_s && !report_parse_next_token(token_s, &lo.start))
    return usage_error(cmd, "--next-token '%s' is not a token jobsim returned", token_s);
  if (db_s && kind == VIEW_JOB) return describe_from_store(cmd, db_s, job_id, at_s, &ro);
  sim_diag d;
  model_scenario *sc = NULL;
  report_store *store = NULL;
  char *store_job = NULL;   /* describe-job at --at, from the store */
  int rc;
  if (db_s) {
    /* The store keeps the job's history, not every execution's: the
     * execution views replay the run it records (its scenario, seed and
     * horizon, deterministic), and check the replay against the store. */
    sim_diag_init(&d, NULL);
    if ((rc = report_store_open(&store, db_s, &d))) {
      report_diag(&d);
      return exit_for(rc);
    }
    const model_scenario *rs = report_store_scenario(store);
    sim_diag_init(&d, db_s);
    rc = model_scenario_load_text(&sc, rs->file, rs->json_text, strlen(rs->json_text), &d);
    if (rc) {
      report_diag(&d);
      report_store_free(store);
      return exit_for(rc);
    }
    sc->sim.seed = report_store_info_of(store)->seed;
    sc->sim.until = report_store_info_of(store)->until;
    scen = db_s;
  } else if ((rc = model_scenario_load(&sc, scen, &d))) {
    report_diag(&d);
    return exit_for(rc);
  }
  int ret = EXIT_OK;
  model_engine *e = NULL;
  char *text = NULL;
  size_t len = 0;
  sim_time_ms at = sc->sim.until;
  if (at_s && !parse_at(at_s, sc, &at)) {
    ret = usage_error(cmd, "--at needs an offset such as 10m or an ISO 8601 UTC time "
                           "not before the job's creation, not '%s'", at_s);
    goto out;
  }
  if (!model_scenario_has_job(sc, job_id)) {
    if (store)
      ret = not_found(cmd, "job '%s' does not exist (the run in %s is of job '%s')", job_id,
                      db_s, sc->job.job_id);
    else
      ret = not_found(cmd, "job '%s' does not exist (scenario %s creates job '%s')",
                      job_id, scen, sc->job.job_id);
    goto out;
  }
  if (store) {
    /* what the store can answer: describe-job at `at` (also the horizon
     * check: past the horizon of a run that had not finished, exit 1) */
    char *jt = NULL;
    size_t jl = 0;
    bool deleted = false;
    sim_diag_init(&d, NULL);
    if ((rc = report_store_describe_job(store, at, &ro, &jt, &jl, &deleted, &d))) {
      report_diag(&d);
      ret = rc == SIM_ERR_RANGE ? EXIT_CHECK : exit_for(rc);
      goto out;
    }
    store_job = jt;   /* compared with the replay's below */
    if (deleted) {
      ret = not_found(cmd, "job '%s' does not exist (it was deleted)", job_id);
      goto out;
    }
  }
  if (seed_s) sc->sim.seed = seed;
  if (at > sc->sim.until) sc->sim.until = at;   /* look past the scenario horizon */
  if (!memory_fits(sc, max_memory, maxmem_s != NULL)) {   /* limits after the override */
    ret = EXIT_IO;
    goto out;
  }
  sim_diag_init(&d, scen);
  if ((rc = model_engine_new(&e, sc, sc->sim.seed, NULL, &d)) ||
      (rc = run_capped(e, at, max_events, &d))) {
    if (!d.msg[0]) sim_diag_set(&d, rc, NULL, "simulation failed: %s", sim_strerror(rc));
    report_diag(&d);
    ret = rc == SIM_ERR_LIMIT ? EXIT_IO : exit_for(rc);
    goto out;
  }
  long jx = model_engine_find_job(e, job_id);   /* several jobs: $.jobs, create-job */
  if (jx < 0) {
    ret = not_found(cmd, "job '%s' does not exist yet at that instant", job_id);
    goto out;
  }
  if (model_engine_job_at(e, (size_t)jx)->vanished) {
    ret = not_found(cmd, "job '%s' does not exist (it was deleted)", job_id);
    goto out;
  }
  if (store_job) {
    size_t rl = 0;
    char *replayed = report_describe_job(e, &ro, &rl);
    bool same = replayed && rl == strlen(store_job) && memcmp(replayed, store_job, rl) == 0;
    free(replayed);
    if (!same) {
      fprintf(stderr, "jobsim: %s: %s: replaying the recorded scenario and seed does not "
                      "give the job the store records at that instant (was the store "
                      "changed after the run?); use --scenario with the run's options\n",
              cmd, db_s);
      ret = EXIT_CHECK;
      goto out;
    }
  }
  if (kind == VIEW_JOB) {
    text = report_describe_job_at(e, (size_t)jx, &ro, &len);
  } else if (kind == VIEW_LIST) {
    text = report_list_executions_at(e, (size_t)jx, &lo, &ro, &len);
  } else {
    bool missing = false;
    int64_t t = model_engine_find_thing(e, thing_s);
    /* execution numbers are ints in the engine: a larger one names none
     * (and must not wrap round to another, or to 0, "the latest") */
    if (exec_no > INT_MAX) missing = true;
    else if (t >= 0)
      text = report_describe_execution_at(e, (size_t)jx, t, (int)exec_no, &ro, &missing,
                                          &len);
    if (t < 0 || missing) {
      ret = not_found(cmd, "no execution%s of job '%s' on thing '%s'",
                      exec_s ? " with that number" : "", job_id, thing_s);
      goto out;
    }
  }
  if (!text) {
    fprintf(stderr, "jobsim: %s: out of memory\n", cmd);
    ret = EXIT_IO;
    goto out;
  }
  fwrite(text, 1, len, stdout);
out:
  free(text);
  free(store_job);
  model_engine_free(e);
  model_scenario_free(sc);
  report_store_free(store);
  return ret;
}

static int cmd_describe_job(int argc, char **argv) { return cmd_view(VIEW_JOB, argc, argv); }
static int cmd_describe_execution(int argc, char **argv) {
  return cmd_view(VIEW_EXECUTION, argc, argv);
}
static int cmd_list_executions(int argc, char **argv) {
  return cmd_view(VIEW_LIST, argc, argv);
}

/* --------------------------------------------------------------- help --- */

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv) {
  (void)argc; (void)argv;
  char v[256];
  version_info(v, sizeof v);
  printf("%s\n", v);
  return EXIT_OK;
}

static const char exit_table[] =
    "exit codes:\n"
    "    0    success\n"
    "    1    a requested check failed (e.g. --fail-on-abort and the job aborted)\n"
    "    2    usage error\n"
    "    3    invalid scenario or configuration\n"
    "    4    I/O or system error\n"
    "    130  interrupted (128 + the signal: 143 SIGTERM, 129 SIGHUP, ...)\n";

static const command commands[] = {
    {"run", cmd_run, "simulate scenarios and write their reports",
     "usage: jobsim run [<options>] <scenario.json>...\n\n"
     "Simulates the job of each scenario over its fleet and writes a report\n"
     "directory: describe-job.json, snapshots/, timeline.csv, events.log, run.json,\n"
     "run.sqlite, plots/ and index.html (with several scenarios, also an\n"
     "index.html in the parent directory).\n\n"
     "    -o, --out <dir>             report directory (one scenario; default\n"
     "                                out/<name>) or parent of one per scenario\n"
     "        --no-executions         leave the execution table out of run.sqlite\n"
     "                                (huge fleets)\n"
     "        --no-plots              no plots/ (and no gnuplot)\n"
     "    -s, --seed <n>              override the scenario's seed\n"
     "        --until <duration>      override the horizon (e.g. 6h, 2d)\n"
     "        --world <name>          run the fleet as world <name> of $.worlds sees\n"
     "                                it (default: the fleet as written)\n"
     "        --timestamp-format <f>  epoch (default, AWS wire format) or iso8601\n"
     "                                (AWS CLI v2 look)\n"
     "        --compact               one-line JSON\n"
     "        --fail-on-abort         exit 1 when a job ends aborted\n"
     "        --max-memory <size>     refuse runs estimated to need more (700M, 4G,\n"
     "                                unlimited; default: the memory available now)\n"
     "        --max-events <n>        stop a run after n events (or unlimited;\n"
     "                                default 10^9)\n"
     "    -q, --quiet                 no progress on stderr\n"
     "    -h, --help                  this help\n"},
    {"validate", cmd_validate, "check scenario files without running them",
     "usage: jobsim validate [<options>] <scenario.json>...\n\n"
     "Checks every field of each scenario (the CreateJob request with AWS's\n"
     "constraints, the fleet, the simulation settings) and prints one line per\n"
     "valid file; errors read FILE: JSON.PATH: rule, one line per problem, every\n"
     "problem one pass can find (at most 20 per file; run, plan and sweep stop\n"
     "at the first). A warning on stderr (exit still 0) says when the rollout\n"
     "alone cannot finish before the horizon.\n\n"
     "        --bail       stop at the first invalid file\n"
     "        --serve      check as `jobsim serve` reads a scenario: 'job' and\n"
     "                     'jobs' are optional (a fleet for clients' jobs)\n"
     "    -q, --quiet      print nothing for valid files\n"
     "    -h, --help       this help\n"},
    {"describe-job", cmd_describe_job,
     "the job as `aws iot describe-job` prints it",
     "usage: jobsim describe-job --scenario <file> --job-id <id> [<options>]\n"
     "   or: jobsim describe-job --db <dir/run.sqlite> --job-id <id> [<options>]\n\n"
     "Simulates the scenario up to an instant and prints exactly what\n"
     "`aws iot describe-job --job-id <id>` would print then. With --db it\n"
     "answers from a report's store instead, without simulating, byte for byte\n"
     "the same (exit 1 past the horizon of a run that had not finished).\n\n"
     "        --scenario <file>       the scenario (file://<file> too)\n"
     "        --db <file>             a report's run.sqlite (default --at: its horizon)\n"
     "        --job-id <id>           the job (ResourceNotFoundException otherwise)\n"
     "        --at <time>             offset after creation (10m, 1h30m) or ISO 8601\n"
     "                                UTC time; default: the scenario's horizon\n"
     "    -s, --seed <n>              override the scenario's seed\n"
     "        --timestamp-format <f>  epoch (default, as AWS CLI v1 prints it) or\n"
     "                                iso8601 (as AWS CLI v2 prints it)\n"
     "        --compact               one-line JSON\n"
     "        --max-memory <size>     refuse a simulation estimated to need more\n"
     "                                (default: the memory available now; unlimited)\n"
     "        --max-events <n>        stop a simulation after n events (default 10^9;\n"
     "                                unlimited)\n"
     "    -h, --help                  this help\n"},
    {"describe-job-execution", cmd_describe_execution,
     "one execution, as the AWS CLI prints it",
     "usage: jobsim describe-job-execution --scenario <file> --job-id <id>\n"
     "                                     --thing-name <name> [<options>]\n"
     "   or: jobsim describe-job-execution --db <dir/run.sqlite> --job-id <id>\n"
     "                                     --thing-name <name> [<options>]\n\n"
     "Prints the thing's latest execution of the job (or --execution-number N)\n"
     "exactly as `aws iot describe-job-execution` would at that instant. With\n"
     "--db it replays the run a report's store records (its scenario, seed and\n"
     "horizon), checked against the store's describe-job at that instant.\n\n"
     "        --scenario <file>       the scenario (file://<file> too)\n"
     "        --db <file>             a report's run.sqlite (default --at: its horizon)\n"
     "        --job-id <id>           the job (ResourceNotFoundException otherwise)\n"
     "        --thing-name <name>     the thing\n"
     "        --execution-number <n>  an earlier execution (a retry has its own)\n"
     "        --at <time>             offset after creation (10m, 1h30m) or ISO 8601\n"
     "                                UTC time; default: the scenario's horizon\n"
     "    -s, --seed <n>              override the scenario's seed\n"
     "        --timestamp-format <f>  epoch (default) or iso8601\n"
     "        --compact               one-line JSON\n"
     "        --max-memory <size>     refuse a simulation estimated to need more\n"
     "                                (default: the memory available now; unlimited)\n"
     "        --max-events <n>        stop a simulation after n events (default 10^9;\n"
     "                                unlimited)\n"
     "    -h, --help                  this help\n"},
    {"list-job-executions-for-job", cmd_list_executions,
     "the job's executions as the AWS CLI lists them",
     "usage: jobsim list-job-executions-for-job --scenario <file> --job-id <id>\n"
     "                                          [<options>]\n"
     "   or: jobsim list-job-executions-for-job --db <dir/run.sqlite> --job-id <id>\n"
     "                                          [<options>]\n\n"
     "Lists each thing's latest execution of the job (retryAttempt counts its\n"
     "retries). Like the AWS CLI, all pages are printed unless --max-results or\n"
     "--next-token asks for one page, which then ends with \"nextToken\". With\n"
     "--db it replays the run a report's store records, as describe-job-execution.\n\n"
     "        --scenario <file>       the scenario (file://<file> too)\n"
     "        --db <file>             a report's run.sqlite (default --at: its horizon)\n"
     "        --job-id <id>           the job\n"
     "        --status <status>       only executions in this status\n"
     "        --max-results <n>       one page of at most n (1..250)\n"
     "        --next-token <token>    the page after the one that returned it\n"
     "        --at <time>             offset after creation or ISO 8601 UTC time\n"
     "    -s, --seed <n>              override the scenario's seed\n"
     "        --timestamp-format <f>  epoch (default) or iso8601\n"
     "        --compact               one-line JSON\n"
     "        --max-memory <size>     refuse a simulation estimated to need more\n"
     "                                (default: the memory available now; unlimited)\n"
     "        --max-events <n>        stop a simulation after n events (default 10^9;\n"
     "                                unlimited)\n"
     "    -h, --help                  this help\n"},
    {"sweep", cmd_sweep, "Monte Carlo replications over a settings grid",
     cli_sweep_usage},
    {"plan", cmd_plan, "find rollout/abort settings meeting a deadline",
     cli_plan_usage},
    {"fit", cmd_fit, "a scenario fitted to a past job's CLI history",
     cli_fit_usage},
    {"serve", cmd_serve, "the fleet behind an AWS-compatible endpoint",
     cli_serve_usage},
    {"help", cmd_help, "show help for a command",
     "usage: jobsim help [<command>]\n"},
    {"version", cmd_version, "print versions of jobsim and its libraries",
     "usage: jobsim version\n"},
};

static const command *find_command(const char *name) {
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(commands[i].name, name) == 0) return &commands[i];
  return NULL;
}

static void print_help(const command *c, FILE *f) {
  fputs(c->usage, f);
  fputc('\n', f);
  fputs(exit_table, f);
}

/* The command table in two aligned columns: the summaries start one column
 * after the longest name and wrap at 80 columns under themselves. */
static void print_main_help(FILE *f) {
  fprintf(f, "usage: jobsim <command> [<options>] [<args>]\n\n"
             "Simulates AWS IoT Jobs rollouts offline.\n\ncommands:\n");
  const size_t nc = sizeof commands / sizeof commands[0];
  int w = 0;
  for (size_t i = 0; i < nc; i++)
    if ((int)strlen(commands[i].name) > w) w = (int)strlen(commands[i].name);
  const int col = 4 + w + 2, room = 79 - col > 20 ? 79 - col : 20;
  for (size_t i = 0; i < nc; i++) {
    fprintf(f, "    %-*s  ", w, commands[i].name);
    const char *s = commands[i].summary;
    while (*s) {
      int n = (int)strlen(s);
      if (n > room) {   /* break at the last space that fits */
        n = room;
        while (n > 0 && s[n] != ' ') n--;
        if (n == 0) n = room;
      }
      fprintf(f, "%.*s\n", n, s);
      s += n;
      while (*s == ' ') s++;
      if (*s) fprintf(f, "%*s", col, "");
    }
  }
  fprintf(f, "\n    %-*s  this help ('jobsim <command> -h' for a command)\n"
             "    %-*s  versions of jobsim and its libraries\n\n%s",
          w, "-h, --help", w, "    --version", exit_table);
}

/* The command a mistyped name is nearest to (did you mean), or NULL. */
static const char *command_near(const char *name) {
  const char *names[sizeof commands / sizeof commands[0] + 1];
  size_t n = 0;
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    names[n++] = commands[i].name;
  names[n] = NULL;
  return sim_did_you_mean(name, names);
}

static int cmd_help(int argc, char **argv) {
  if (argc < 2) {
    print_main_help(stdout);
    return EXIT_OK;
  }
  const command *c = find_command(argv[1]);
  if (!c) {
    const char *near = command_near(argv[1]);
    if (near)
      return usage_error("help", "unknown command '%s'; did you mean '%s'?", argv[1], near);
    return usage_error("help", "unknown command '%s'", argv[1]);
  }
  print_help(c, stdout);
  return EXIT_OK;
}

/* For the commands in other files (cli.h). */
int cli_parse_opts(const char *cmd, int argc, char **argv, const opt *opts, bool *help) {
  return parse_opts(cmd, argc, argv, opts, help);
}
int cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "jobsim: %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\njobsim: see 'jobsim %s --help'\n", cmd);
  return EXIT_USAGE;
}
int cli_exit_for(int rc) { return exit_for(rc); }
bool cli_parse_limits(const char *cmd, const char *mem_s, const char *ev_s,
                      uint64_t *max_memory, uint64_t *max_events) {
  return parse_limits(cmd, mem_s, ev_s, max_memory, max_events);
}
void cli_report_diag(const sim_diag *d) { report_diag(d); }
void cli_print_help(const char *name, FILE *f) { print_help(find_command(name), f); }
void cli_version_info(char *buf, size_t n) { version_info(buf, n); }
bool cli_parse_u64(const char *s, uint64_t *out) { return parse_seed(s, out); }

/* Flush stdout and turn a failed write into exit 4 (git's run_builtin). */
static int finish_stdout(int code) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "jobsim: error: writing output failed: %s\n", strerror(errno));
    return EXIT_IO;
  }
  return code;
}

const char *cli_argv0;

int main(int argc, char **argv) {
  cli_argv0 = argv[0];
  gsl_set_error_handler_off();
  signal(SIGXFSZ, SIG_IGN);   /* see got_signal */
  if (argc < 2) {
    print_main_help(stderr);
    return EXIT_USAGE;
  }
  const char *name = argv[1];
  if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
    print_main_help(stdout);
    return finish_stdout(EXIT_OK);
  }
  if (strcmp(name, "--version") == 0) return finish_stdout(cmd_version(0, NULL));
  const command *c = find_command(name);
  if (!c) {
    const char *near = command_near(name);
    if (near)
      fprintf(stderr, "jobsim: '%s' is not a jobsim command; did you mean '%s'?\n"
                      "jobsim: see 'jobsim --help'\n", name, near);
    else
      fprintf(stderr, "jobsim: '%s' is not a jobsim command\njobsim: see 'jobsim --help'\n",
              name);
    return EXIT_USAGE;
  }
  return finish_stdout(c->fn(argc - 1, argv + 1));
}
