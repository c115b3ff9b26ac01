/*
 * cli.h — what the command files share with main.c: the option table and
 * parser, usage errors, diagnostics, exit codes and help. main.c owns the
 * command table; commands living in other files (plan_cmd.c: sweep, plan)
 * use these.
 *
 * Ownership: option values point into argv.
 */
#ifndef JOBSIM_CLI_H
#define JOBSIM_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include "sim.h"

enum { EXIT_OK = 0, EXIT_CHECK = 1, EXIT_USAGE = 2, EXIT_INVALID = 3, EXIT_IO = 4 };

typedef struct opt {
  const char *lng;      /* long name without "--" */
  char shrt;            /* short letter or 0 */
  bool has_arg;
  const char **value;   /* where the argument goes (has_arg) */
  bool *flag;           /* set to true (no arg) */
} opt;

/* Parse options among arguments; positionals are moved to the front of
 * argv; returns their count or -1 after printing a usage error. */
int cli_parse_opts(const char *cmd, int argc, char **argv, const opt *opts, bool *help);
/* "jobsim: CMD: message" + pointer to --help on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Exit code for a status code. */
int cli_exit_for(int rc);
/* "jobsim: FILE: PATH: message" on stderr. */
void cli_report_diag(const sim_diag *d);
/* Help of command `name` to f. */
void cli_print_help(const char *name, FILE *f);
/* "jobsim X (cJSON ..., GSL ..., SQLite ...)" */
void cli_version_info(char *buf, size_t n);
bool cli_parse_u64(const char *s, uint64_t *out);   /* 0..2^53 */
/* --max-memory / --max-events (either may be NULL): at least 1, or
 * "unlimited" (0); defaults the memory available now (0 when unknown) and
 * 10^9 events. Prints the usage error and returns false when malformed. */
bool cli_parse_limits(const char *cmd, const char *mem_s, const char *ev_s,
                      uint64_t *max_memory, uint64_t *max_events);
/* Stop on SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGXCPU with exit 128 + signal:
 * at once while no output directory is being written, else at its commit
 * (main.c). */
void cli_catch_signals(void);

/* Commands in plan_cmd.c */
int cmd_sweep(int argc, char **argv);
int cmd_plan(int argc, char **argv);
extern const char cli_sweep_usage[];
extern const char cli_plan_usage[];

/* Command in fit_cmd.c */
int cmd_fit(int argc, char **argv);
extern const char cli_fit_usage[];

/* Command in serve_cmd.c (the program jobsim-serve) or serve_exec.c (the
 * program jobsim, which runs jobsim-serve); its help in serve_usage.c */
int cmd_serve(int argc, char **argv);
extern const char cli_serve_usage[];

/* main()'s argv[0] */
extern const char *cli_argv0;

#endif
