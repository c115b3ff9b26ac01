/*
 * main.c — the `jobsim` command: dispatch table, option parsing, exit codes.
 * Data goes to stdout, diagnostics to stderr as "jobsim: FILE: PATH: message".
 * Exit codes (design.md): 0 ok, 1 a requested check failed, 2 usage,
 * 3 invalid scenario, 4 I/O or system error, 130 interrupted.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "describe.h"
#include "duration.h"
#include "engine.h"
#include "run.h"
#include "scenario.h"

#ifndef JOBSIM_VERSION
#define JOBSIM_VERSION "0.0.0"
#endif

enum { EXIT_OK = 0, EXIT_CHECK = 1, EXIT_USAGE = 2, EXIT_INVALID = 3, EXIT_IO = 4 };

typedef struct command {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *summary;
  const char *usage;    /* full help text after the usage line */
} command;

static bool quiet = false;

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
    case SIM_ERR_INTR: return 130;
    default: return EXIT_IO;
  }
}

static void report_diag(const sim_diag *d) {
  char buf[2048];
  sim_diag_format(d, buf, sizeof buf);
  fprintf(stderr, "jobsim: %s\n", buf);
}

/* ----------------------------------------------------- option parsing --- */

typedef struct opt {
  const char *lng;      /* long name without "--" */
  char shrt;            /* short letter or 0 */
  bool has_arg;
  const char **value;   /* where the argument goes (has_arg) */
  bool *flag;           /* set to true (no arg) */
} opt;

/* Parse options before/among arguments; collects positionals into argv
 * (in place), returns their count, or -1 on a usage error (printed). */
static int parse_opts(const char *cmd, int argc, char **argv, const opt *opts,
                      bool *help) {
  int npos = 0;
  bool only_pos = false;
  for (int i = 1; i < argc; i++) {
    char *a = argv[i];
    if (only_pos || a[0] != '-' || strcmp(a, "-") == 0) {
      argv[npos++] = a;
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
      *o->value = inline_val;
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

static const command *find_command(const char *name);
static void print_help(const command *c, FILE *f);

/* ---------------------------------------------------------------- run --- */

static int cmd_run(int argc, char **argv) {
  const char *out = NULL, *seed_s = NULL, *until_s = NULL, *ts_s = NULL;
  bool fail_on_abort = false, compact = false, help = false;
  const opt opts[] = {{"out", 'o', true, &out, NULL},
                      {"seed", 's', true, &seed_s, NULL},
                      {"until", 0, true, &until_s, NULL},
                      {"timestamp-format", 0, true, &ts_s, NULL},
                      {"fail-on-abort", 0, false, NULL, &fail_on_abort},
                      {"compact", 0, false, NULL, &compact},
                      {"quiet", 'q', false, NULL, &quiet},
                      {NULL, 0, false, NULL, NULL}};
  int n = parse_opts("run", argc, argv, opts, &help);
  if (n < 0) return EXIT_USAGE;
  if (help) { print_help(find_command("run"), stdout); return EXIT_OK; }
  if (n == 0) return usage_error("run", "%s", "missing <scenario.json>");
  report_run_opts ro = {.write_files = true};
  if (!parse_ts(ts_s, &ro.out.ts))
    return usage_error("run", "--timestamp-format must be epoch or iso8601, not '%s'",
                       ts_s);
  ro.out.compact = compact;
  uint64_t seed = 0;
  if (seed_s && !parse_seed(seed_s, &seed))
    return usage_error("run", "--seed needs an integer 0..2^53, not '%s'", seed_s);
  sim_time_ms until = 0;
  if (until_s && (sim_duration_parse(until_s, &until, NULL) || until <= 0))
    return usage_error("run", "--until needs a duration such as 6h, not '%s'", until_s);
  char ver[256];
  version_info(ver, sizeof ver);
  ro.version_info = ver;
  int worst = EXIT_OK;
  for (int i = 0; i < n; i++) {
    sim_diag d;
    model_scenario *sc = NULL;
    int rc = model_scenario_load(&sc, argv[i], &d);
    if (rc) {
      report_diag(&d);
      int x = exit_for(rc);
      if (x > worst) worst = x;
      continue;
    }
    if (seed_s) sc->sim.seed = seed;
    if (until_s) sc->sim.until = until;
    char dir[4096];
    if (n == 1 && out) snprintf(dir, sizeof dir, "%s", out);
    else snprintf(dir, sizeof dir, "%s/%s", out ? out : "out", sc->name);
    if (!out || n > 1) {
      /* the parent of per-scenario directories is created on demand */
      const char *parent = out ? out : "out";
      if (mkdir(parent, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "jobsim: cannot create '%s': %s\n", parent, strerror(errno));
        model_scenario_free(sc);
        return EXIT_IO;
      }
    }
    report_run_stats st;
    sim_diag_init(&d, sc->file);
    rc = report_run(sc, sc->sim.seed, dir, &ro, &st, &d);
    if (rc) {
      report_diag(&d);
      int x = exit_for(rc);
      if (x > worst) worst = x;
    } else {
      char end[64];
      sim_duration_format(st.end, end, sizeof end);
      const int64_t *k = st.job.counters;
      printf("%s: %s%s at +%s: %" PRId64 "/%" PRId64 " things notified, %" PRId64
             " succeeded, %" PRId64 " failed, %" PRId64 " rejected, %" PRId64
             " timed out, %" PRId64 " canceled, %" PRId64 " retries; report in %s\n",
             sc->name, model_job_status_name(st.job.status),
             st.job.aborted ? " (aborted)" : "", end, st.job.notified, sc->n_targeted,
             k[MODEL_EXEC_SUCCEEDED], k[MODEL_EXEC_FAILED], k[MODEL_EXEC_REJECTED],
             k[MODEL_EXEC_TIMED_OUT], k[MODEL_EXEC_CANCELED], st.job.retries, dir);
      if (fail_on_abort && st.job.aborted && worst < EXIT_CHECK) worst = EXIT_CHECK;
    }
    model_scenario_free(sc);
  }
  return worst;
}

/* ----------------------------------------------------------- validate --- */

static int cmd_validate(int argc, char **argv) {
  bool help = false, bail = false;
  const opt opts[] = {{"bail", 0, false, NULL, &bail},
                      {"quiet", 'q', false, NULL, &quiet},
                      {NULL, 0, false, NULL, NULL}};
  int n = parse_opts("validate", argc, argv, opts, &help);
  if (n < 0) return EXIT_USAGE;
  if (help) { print_help(find_command("validate"), stdout); return EXIT_OK; }
  if (n == 0) return usage_error("validate", "%s", "missing <scenario.json>");
  int worst = EXIT_OK;
  for (int i = 0; i < n; i++) {
    sim_diag d;
    model_scenario *sc = NULL;
    int rc = model_scenario_load(&sc, argv[i], &d);
    if (rc) {
      report_diag(&d);
      int x = exit_for(rc);
      if (x > worst) worst = x;
      if (bail) break;
      continue;
    }
    if (!quiet)
      printf("%s: ok: job %s, %zu targets, %" PRId64 " things targeted of %" PRId64
             " in the fleet\n",
             argv[i], sc->job.job_id, sc->job.n_targets, sc->n_targeted,
             sc->fleet.n_things);
    model_scenario_free(sc);
  }
  return worst;
}

/* ------------------------------------------------------- describe-job --- */

static int cmd_describe_job(int argc, char **argv) {
  const char *scen = NULL, *job_id = NULL, *at_s = NULL, *seed_s = NULL, *ts_s = NULL;
  bool help = false, compact = false;
  const opt opts[] = {{"scenario", 0, true, &scen, NULL},
                      {"job-id", 0, true, &job_id, NULL},
                      {"at", 0, true, &at_s, NULL},
                      {"seed", 's', true, &seed_s, NULL},
                      {"timestamp-format", 0, true, &ts_s, NULL},
                      {"compact", 0, false, NULL, &compact},
                      {NULL, 0, false, NULL, NULL}};
  int n = parse_opts("describe-job", argc, argv, opts, &help);
  if (n < 0) return EXIT_USAGE;
  if (help) { print_help(find_command("describe-job"), stdout); return EXIT_OK; }
  if (n > 0) return usage_error("describe-job", "unexpected argument '%s'", argv[0]);
  if (!scen) return usage_error("describe-job", "%s", "missing --scenario <file>");
  if (!job_id) return usage_error("describe-job", "%s", "missing --job-id <id>");
  report_opts ro = {.compact = compact};
  if (!parse_ts(ts_s, &ro.ts))
    return usage_error("describe-job",
                       "--timestamp-format must be epoch or iso8601, not '%s'", ts_s);
  uint64_t seed = 0;
  if (seed_s && !parse_seed(seed_s, &seed))
    return usage_error("describe-job", "--seed needs an integer 0..2^53, not '%s'",
                       seed_s);
  sim_diag d;
  model_scenario *sc = NULL;
  int rc = model_scenario_load(&sc, scen, &d);
  if (rc) {
    report_diag(&d);
    return exit_for(rc);
  }
  int ret = EXIT_OK;
  sim_time_ms at = sc->sim.until;
  if (at_s && !parse_at(at_s, sc, &at)) {
    ret = usage_error("describe-job",
                      "--at needs an offset such as 10m or an ISO 8601 UTC time "
                      "not before the job's creation, not '%s'", at_s);
    goto out;
  }
  if (strcmp(job_id, sc->job.job_id) != 0) {
    fprintf(stderr,
            "jobsim: describe-job: ResourceNotFoundException: job '%s' does not "
            "exist (scenario %s creates job '%s')\n", job_id, scen, sc->job.job_id);
    ret = EXIT_CHECK;
    goto out;
  }
  if (seed_s) sc->sim.seed = seed;
  if (at > sc->sim.until) sc->sim.until = at;   /* look past the scenario horizon */
  model_engine *e = NULL;
  sim_diag_init(&d, scen);
  if ((rc = model_engine_new(&e, sc, sc->sim.seed, NULL, &d)) ||
      (rc = model_engine_run(e, at))) {
    if (!d.msg[0]) sim_diag_set(&d, rc, NULL, "simulation failed: %s", sim_strerror(rc));
    report_diag(&d);
    model_engine_free(e);
    ret = exit_for(rc);
    goto out;
  }
  size_t len;
  char *text = report_describe_job(e, &ro, &len);
  model_engine_free(e);
  if (!text) {
    fprintf(stderr, "jobsim: describe-job: out of memory\n");
    ret = EXIT_IO;
    goto out;
  }
  fwrite(text, 1, len, stdout);
  free(text);
out:
  model_scenario_free(sc);
  return ret;
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
    "    130  interrupted\n";

static const command commands[] = {
    {"run", cmd_run, "simulate scenarios and write their reports",
     "usage: jobsim run [<options>] <scenario.json>...\n\n"
     "Simulates the job of each scenario over its fleet and writes a report\n"
     "directory: describe-job.json, snapshots/, timeline.csv, events.log, run.json.\n\n"
     "    -o, --out <dir>             report directory (one scenario; default\n"
     "                                out/<name>) or parent of one per scenario\n"
     "    -s, --seed <n>              override the scenario's seed\n"
     "        --until <duration>      override the horizon (e.g. 6h, 2d)\n"
     "        --timestamp-format <f>  epoch (default, AWS wire format) or iso8601\n"
     "                                (AWS CLI v2 look)\n"
     "        --compact               one-line JSON\n"
     "        --fail-on-abort         exit 1 when a job ends aborted\n"
     "    -q, --quiet                 no progress on stderr\n"
     "    -h, --help                  this help\n"},
    {"validate", cmd_validate, "check scenario files without running them",
     "usage: jobsim validate [<options>] <scenario.json>...\n\n"
     "Checks every field of each scenario (the CreateJob request with AWS's\n"
     "constraints, the fleet, the simulation settings) and prints one line per\n"
     "valid file; errors read FILE: JSON.PATH: rule.\n\n"
     "        --bail       stop at the first invalid file\n"
     "    -q, --quiet      print nothing for valid files\n"
     "    -h, --help       this help\n"},
    {"describe-job", cmd_describe_job,
     "print what `aws iot describe-job` shows at a simulated instant",
     "usage: jobsim describe-job --scenario <file> --job-id <id> [<options>]\n\n"
     "Simulates the scenario up to an instant and prints exactly what\n"
     "`aws iot describe-job --job-id <id>` would print then.\n\n"
     "        --scenario <file>       the scenario\n"
     "        --job-id <id>           the job (ResourceNotFoundException otherwise)\n"
     "        --at <time>             offset after creation (10m, 1h30m) or ISO 8601\n"
     "                                UTC time; default: the scenario's horizon\n"
     "    -s, --seed <n>              override the scenario's seed\n"
     "        --timestamp-format <f>  epoch (default) or iso8601\n"
     "        --compact               one-line JSON\n"
     "    -h, --help                  this help\n"},
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

static void print_main_help(FILE *f) {
  fprintf(f, "usage: jobsim <command> [<options>] [<args>]\n\n"
             "Simulates AWS IoT Jobs rollouts offline.\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "    %-14s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\n    -h, --help     this help ('jobsim <command> -h' for a command)\n"
             "        --version  versions of jobsim and its libraries\n\n%s",
          exit_table);
}

static int cmd_help(int argc, char **argv) {
  if (argc < 2) {
    print_main_help(stdout);
    return EXIT_OK;
  }
  const command *c = find_command(argv[1]);
  if (!c) return usage_error("help", "unknown command '%s'", argv[1]);
  print_help(c, stdout);
  return EXIT_OK;
}

/* Flush stdout and turn a failed write into exit 4 (git's run_builtin). */
static int finish_stdout(int code) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "jobsim: error: writing output failed: %s\n", strerror(errno));
    return EXIT_IO;
  }
  return code;
}

int main(int argc, char **argv) {
  gsl_set_error_handler_off();
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
    fprintf(stderr, "jobsim: '%s' is not a jobsim command\njobsim: see 'jobsim --help'\n",
            name);
    return EXIT_USAGE;
  }
  return finish_stdout(c->fn(argc - 1, argv + 1));
}
