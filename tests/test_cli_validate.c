/*
 * test_cli_validate.c — every validation rule, seen from the command line.
 *
 * Runs the real `jobsim` binary (JOBSIM_EXE) with fork/exec and checks its
 * exit code and its exact stderr, "jobsim: FILE: JSON.PATH: message\n"
 * (design.md, "Exit codes": 0 ok, 1 check failed, 2 usage, 3 invalid
 * scenario, 4 I/O or system error). Three tables:
 *
 *  - the CreateJob rows of jobcfg_cases.h, each wrapped into a minimal
 *    scenario twice: inline under $.job, and as a separate --cli-input-json
 *    file named by $.job (then the error names the job file and paths are
 *    re-rooted under "$"); the wrapper's $.simulation.startTime is put 3
 *    days before the row's earliest schedulingConfig time, so that rows
 *    valid for CreateJob also pass the scenario's relative-time rules;
 *  - scenario-level rules (JSON syntax, fleet, behaviours, arrivals and
 *    departures, device timers, distributions, durations, simulation
 *    settings, target resolution, operations, scheduling relative to the
 *    simulation start, maintenance-window cron expressions, job files),
 *    with the exact stderr of each;
 *  - command-line usage (exit 2), help and version (0), a failed check (1)
 *    and I/O errors (4).
 *
 * Files are written to a fresh directory under $TMPDIR (or /tmp), removed
 * at the end. Every case is its own cmocka test, so a failure names it.
 */
#define _XOPEN_SOURCE 700   /* fork, execv, mkdtemp, nftw */
#include "test_common.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "jobcfg_cases.h"
#include "scenario.h"

#ifndef JOBSIM_EXE
#error "JOBSIM_EXE must name the jobsim executable"
#endif

enum { XC_OK = 0, XC_CHECK = 1, XC_USAGE = 2, XC_INVALID = 3, XC_IO = 4 };

static char g_dir[256];    /* the scratch directory, set once by main() */

/* ------------------------------------------------------------ helpers --- */

typedef struct buf {
  char *s;
  size_t n, cap;
} buf;

static void buf_add(buf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (b->n + n + 1 > cap) cap *= 2;
    char *p = realloc(b->s, cap);
    assert_non_null(p);
    b->s = p;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

static void buf_str(buf *b, const char *s) { buf_add(b, s, strlen(s)); }

/* Copy `tmpl`, replacing %D by the scratch directory, %F by `file`, %J by
 * `job` and %S by the source directory. The caller frees the result. */
static char *expand(const char *tmpl, const char *file, const char *job) {
  buf b = {0};
  buf_add(&b, "", 0);
  for (const char *p = tmpl; *p; p++) {
    if (p[0] == '%' && p[1] != '\0') {
      const char *v = NULL;
      switch (p[1]) {
        case 'D': v = g_dir; break;
        case 'F': v = file; break;
        case 'J': v = job; break;
        case 'S': v = JOBSIM_SOURCE_DIR; break;
        default: break;
      }
      if (v != NULL) {
        buf_str(&b, v);
        p++;
        continue;
      }
    }
    buf_add(&b, p, 1);
  }
  return b.s;
}

static void write_file(const char *path, const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) fail_msg("cannot create %s: %s", path, strerror(errno));
  if (len > 0 && fwrite(data, 1, len, f) != len) fail_msg("short write to %s", path);
  assert_int_equal(fclose(f), 0);
}

static char *read_all(const char *path) {
  FILE *f = fopen(path, "rb");
  buf b = {0};
  char tmp[4096];
  size_t got;
  buf_add(&b, "", 0);
  if (f == NULL) return b.s;
  while ((got = fread(tmp, 1, sizeof tmp, f)) > 0) buf_add(&b, tmp, got);
  fclose(f);
  return b.s;
}

static void write_json(const char *path, const cJSON *j) {
  char *text = cJSON_PrintUnformatted(j);
  assert_non_null(text);
  write_file(path, text, strlen(text));
  cJSON_free(text);
}

/* Merge `patch` into `dst` member by member: objects merge recursively, a
 * null member deletes, anything else replaces. Consumes `patch`. */
static void merge(cJSON *dst, cJSON *patch) {
  cJSON *m = patch->child;
  while (m != NULL) {
    cJSON *next = m->next;
    cJSON *old = cJSON_GetObjectItemCaseSensitive(dst, m->string);
    if (cJSON_IsNull(m)) {
      cJSON_DeleteItemFromObjectCaseSensitive(dst, m->string);
    } else if (cJSON_IsObject(m) && cJSON_IsObject(old)) {
      cJSON_DetachItemViaPointer(patch, m);
      merge(old, m);
    } else {
      cJSON_DetachItemViaPointer(patch, m);
      cJSON_DeleteItemFromObjectCaseSensitive(dst, m->string);
      cJSON_AddItemToObject(dst, m->string, m);
    }
    m = next;
  }
  cJSON_Delete(patch);
}

/* ------------------------------------------------------ running jobsim --- */

typedef struct run_result {
  int status;  /* exit code */
  char *out;   /* stdout */
  char *err;   /* stderr */
} run_result;

static void run_release(run_result *r) {
  free(r->out);
  free(r->err);
  memset(r, 0, sizeof *r);
}

/* Run jobsim with `args` (NULL-terminated, without argv[0]). stdout goes to
 * `stdout_path` when given (e.g. "/dev/full"), else it is captured. A crash
 * (signal) fails the test. */
static void run_jobsim(const char *const *args, const char *stdout_path,
                       run_result *r) {
  char out_path[512], err_path[512];
  char *argv[32];
  size_t n = 0;
  snprintf(out_path, sizeof out_path, "%s/.stdout", g_dir);
  snprintf(err_path, sizeof err_path, "%s/.stderr", g_dir);
  argv[n++] = strdup("jobsim");
  for (size_t i = 0; args[i] != NULL; i++) {
    assert_true(n < 31);
    argv[n++] = strdup(args[i]);
  }
  argv[n] = NULL;
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int fo = open(stdout_path ? stdout_path : out_path,
                  O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0) _exit(126);
    close(fo);
    close(fe);
    execv(JOBSIM_EXE, argv);
    _exit(127);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0) assert_int_equal(errno, EINTR);
  for (size_t i = 0; i < n; i++) free(argv[i]);
  r->out = stdout_path ? strdup("") : read_all(out_path);
  r->err = read_all(err_path);
  if (WIFSIGNALED(st))
    fail_msg("jobsim killed by signal %d; stderr:\n%s", WTERMSIG(st), r->err);
  assert_true(WIFEXITED(st));
  r->status = WEXITSTATUS(st);
  if (r->status == 126 || r->status == 127)
    fail_msg("could not run %s (status %d)", JOBSIM_EXE, r->status);
}

/* `jobsim validate <file>`. */
static void validate(const char *file, run_result *r) {
  const char *args[] = {"validate", file, NULL};
  run_jobsim(args, NULL, r);
}

static void expect_status(const char *what, const run_result *r, int want) {
  if (r->status != want)
    fail_msg("%s: expected exit %d, got %d\nstdout: %s\nstderr: %s", what, want,
             r->status, r->out, r->err);
}

/* A rejected file: exit `code` and, as the first line, exactly
 * "jobsim: FILE[: PATH]: MSG\n". validate goes on to the other problems it
 * finds in the file (each a "jobsim: " line; many rows here have more than
 * the one they test) and prints the line of a JSON syntax error with a
 * caret (lines that start with a blank); test_cli_errors checks those. */
static void expect_error(const char *what, const run_result *r, int code,
                         const char *file, const char *path, const char *msg) {
  buf want = {0};
  buf_str(&want, "jobsim: ");
  buf_str(&want, file);
  if (path != NULL && path[0] != '\0') {
    buf_str(&want, ": ");
    buf_str(&want, path);
  }
  buf_str(&want, ": ");
  buf_str(&want, msg);
  buf_str(&want, "\n");
  expect_status(what, r, code);
  if (strncmp(r->err, want.s, want.n) != 0)
    fail_msg("%s: stderr differs\n  want: %s  got:  %s", what, want.s, r->err);
  for (const char *l = r->err + want.n; *l; l = strchr(l, '\n') + 1) {
    if (!strchr(l, '\n')) fail_msg("%s: stderr does not end in a newline: %s", what, r->err);
    if (strncmp(l, "jobsim: ", 8) != 0 && l[0] != ' ')
      fail_msg("%s: stray stderr line after the first:\n%s", what, r->err);
  }
  assert_string_equal(r->out, "");
  free(want.s);
}

/* An accepted file: exit 0, nothing on stderr, one "FILE: ok: ..." line. */
static void expect_ok(const char *what, const run_result *r, const char *file) {
  char prefix[1024];
  expect_status(what, r, XC_OK);
  assert_string_equal(r->err, "");
  snprintf(prefix, sizeof prefix, "%s: ok: job ", file);
  if (strncmp(r->out, prefix, strlen(prefix)) != 0)
    fail_msg("%s: stdout does not start with '%s': %s", what, prefix, r->out);
}

/* --------------------------------------------- CreateJob rows via CLI --- */

/* The fleet every row's targets resolve in (see jobcfg_cases.h): thing
 * group g1, things t0..t99 and the 128-character name x...x. */
static cJSON *row_fleet(void) {
  cJSON *fleet = parse_sq("{'groups':[{'name':'g1','things':2,'behavior':'b'},"
                          "{'name':'devices','things':[],'behavior':'b'}],"
                          "'behaviors':{'b':{}}}");
  cJSON *things = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(fleet, "groups"), 1),
      "things");
  char name[32];
  for (int i = 0; i < 100; i++) {
    snprintf(name, sizeof name, "t%d", i);
    cJSON_AddItemToArray(things, cJSON_CreateString(name));
  }
  char *x = repeat('x', 128);
  cJSON_AddItemToArray(things, cJSON_CreateString(x));
  free(x);
  return fleet;
}

typedef enum row_mode { ROW_INLINE, ROW_FILE } row_mode;

typedef struct row_test {
  const jcase *row;
  row_mode mode;
  char name[96];
} row_test;

/* Rows that the CLI answers differently from model_jobcfg_parse(), with
 * what it says instead. Paths and messages are rooted at "$.job" and
 * re-rooted in file mode. */
static const struct row_override {
  const char *row;
  bool inline_only;  /* the difference exists only for an inline request */
  const char *path;
  const char *msg;
} k_row_overrides[] = {
  /* A scenario-level check rejects the request before CreateJob sees it. */
  {"request_not_object", true, "$.job",
   "expected a CreateJob object or a path to one, got array"},
  /* Valid for CreateJob (endTime exactly 730 days after startTime), but no
   * simulation start can make it valid for the scenario: relative to the
   * job's creation, startTime must be at least 30 minutes and endTime at
   * most 730 days ahead, so a span of 730 days never fits (at most 730 days
   * minus 30 minutes does). With the wrapper's start 3 days before
   * startTime, endTime is 733 days (1055520 minutes) ahead. */
  {"span_730_days_ok", false, "$.job.schedulingConfig.endTime",
   "endTime must be between 30 minutes and two years (1051200 minutes) after "
   "the job's creation (the scenario's $.simulation.startTime), got 1055520 "
   "minutes"},
};

/* The wrapper's $.simulation.startTime for a row: 3 days before the earliest
 * well-formed schedulingConfig startTime/endTime of the request (so that
 * each lies 30 minutes to one/two years after the job's creation whenever
 * that is possible), else 2026-01-01T00:00:00Z. */
static void row_start_time(const cJSON *req, char *out, size_t n) {
  const cJSON *sc = cJSON_GetObjectItemCaseSensitive(req, "schedulingConfig");
  static const char *const keys[] = {"startTime", "endTime"};
  int64_t best = INT64_MAX;
  for (size_t i = 0; i < 2; i++) {
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(sc, keys[i]);
    char iso[40];
    int64_t ms;
    if (!cJSON_IsString(t) || strlen(t->valuestring) != 16) continue;
    snprintf(iso, sizeof iso, "%s:00Z", t->valuestring);
    if (model_parse_iso8601(iso, &ms) && ms < best) best = ms;
  }
  if (best == INT64_MAX)
    snprintf(out, n, "2026-01-01T00:00:00Z");
  else
    model_format_iso8601(best - 3 * SIM_MS_PER_D, out, n);
}

/* `s` with "$.job" re-rooted to "$" (paths and paths inside messages). */
static char *reroot(const char *s) {
  buf b = {0};
  buf_add(&b, "", 0);
  while (*s) {
    if (strncmp(s, "$.job", 5) == 0 &&
        (s[5] == '\0' || s[5] == '.' || s[5] == '[' || s[5] == ' ' ||
         s[5] == ',' || s[5] == ')')) {
      buf_str(&b, "$");
      s += 5;
    } else {
      buf_add(&b, s, 1);
      s++;
    }
  }
  return b.s;
}

static void run_row(void **state) {
  const row_test *t = *state;
  const jcase *c = t->row;
  cJSON *req = c->raw ? parse_sq(c->json) : patched(c->json);
  if (c->build != NULL) c->build(req);
  char start[40];
  row_start_time(req, start, sizeof start);

  cJSON *scn = cJSON_CreateObject();
  char sname[100], file[512], jname[128], jfile[512];
  snprintf(sname, sizeof sname, "row-%s-%s", t->mode == ROW_FILE ? "file" : "inline",
           c->name);
  snprintf(file, sizeof file, "%s/%s.json", g_dir, sname);
  snprintf(jname, sizeof jname, "%s.job.json", sname);
  snprintf(jfile, sizeof jfile, "%s/%s", g_dir, jname);
  cJSON_AddStringToObject(scn, "name", sname);
  if (t->mode == ROW_FILE) {
    write_json(jfile, req);
    cJSON_Delete(req);
    cJSON_AddStringToObject(scn, "job", jname);
  } else {
    cJSON_AddItemToObject(scn, "job", req);
  }
  cJSON_AddItemToObject(scn, "fleet", row_fleet());
  cJSON *sim = parse_sq("{'region':'us-east-1','accountId':'123456789012'}");
  cJSON_AddStringToObject(sim, "startTime", start);
  if (c->quota > 0) cJSON_AddNumberToObject(sim, "rolloutQuota", (double)c->quota);
  cJSON_AddItemToObject(scn, "simulation", sim);
  write_json(file, scn);
  cJSON_Delete(scn);

  run_result r;
  validate(file, &r);
  const char *efile = t->mode == ROW_FILE ? jfile : file;
  bool bad = c->code != SIM_OK;
  const char *path = c->path, *msg = c->msg;
  for (size_t i = 0; i < sizeof k_row_overrides / sizeof k_row_overrides[0]; i++)
    if (strcmp(k_row_overrides[i].row, c->name) == 0 &&
        (t->mode == ROW_INLINE || !k_row_overrides[i].inline_only)) {
      bad = true;
      path = k_row_overrides[i].path;
      msg = k_row_overrides[i].msg;
    }
  if (bad) {
    if (t->mode == ROW_FILE) {
      char *p = reroot(path), *m = reroot(msg);
      expect_error(t->name, &r, XC_INVALID, efile, p, m);
      free(p);
      free(m);
    } else {
      expect_error(t->name, &r, XC_INVALID, efile, path, msg);
    }
  } else {
    expect_ok(t->name, &r, file);
  }
  run_release(&r);
  unlink(file);
  unlink(jfile);
}

/* ------------------------------------------------ scenario-level rules --- */

/* A small valid scenario; rows patch it (merge()). Its job targets group g1
 * and thing t1 of group devices. */
static const char k_scenario[] =
    "{'name':'cli-case',"
    " 'description':'scenario-level rule check',"
    " 'job':{'jobId':'job-1',"
    "        'targets':['arn:aws:iot:us-east-1:123456789012:thinggroup/g1',"
    "                   'arn:aws:iot:us-east-1:123456789012:thing/t1'],"
    "        'document':'{}'},"
    " 'fleet':{'groups':[{'name':'g1','things':3,'behavior':'steady'},"
    "                    {'name':'devices','things':['t1','t2'],"
    "                     'behavior':'flaky'}],"
    "          'behaviors':{'steady':{},"
    "                       'flaky':{'connected':0.9,"
    "                                'reconnectAfter':{'distribution':'exponential','mean':'30m'},"
    "                                'startDelay':{'distribution':'lognormal','median':'5s','sigma':0.5},"
    "                                'runTime':'2m',"
    "                                'outcomes':{'SUCCEEDED':0.9,'FAILED':0.05,"
    "                                            'REJECTED':0.03,'NO_RESPONSE':0.02}}}},"
    " 'simulation':{'seed':42,'startTime':'2026-01-01T00:00:00Z','until':'2d',"
    "               'snapshotEvery':'5m','region':'us-east-1',"
    "               'accountId':'123456789012'}}";

/* Where the error is reported: the scenario file, the job file, or in a
 * message without a file. */
typedef enum where { IN_SCN, IN_JOB } where;

typedef struct scase {
  const char *name;
  const char *patch;    /* single-quoted JSON merged into k_scenario */
  const char *raw;      /* or: the file's exact bytes (double quotes) */
  const char *job_ref;  /* $.job becomes this string (a file name) */
  const char *job;      /* single-quoted JSON written to %D/<job_ref> */
  bool no_file;         /* do not write the scenario at all */
  int exit;             /* expected exit code */
  where at;             /* file named on stderr */
  const char *path;     /* expected JSON path ("" when none) */
  const char *msg;      /* expected message (%D, %F, %J expanded) */
} scase;

#define B_BEH "{'fleet':{'behaviors':{'flaky':"
#define B_END "}}}"
#define DIST(x) B_BEH "{'runTime':" x "}" B_END
#define SIMS(x) "{'simulation':" x "}"
#define TGT(a) "{'job':{'targets':['" a "']}}"
#define DUR_RULE "expected a duration such as \"90s\", \"5m\", \"1h30m\" or a number of seconds"
#define DIST_NAMES "constant, uniform, exponential, lognormal, normal, weibull, gamma, empirical"
#define ARN "arn:aws:iot:us-east-1:123456789012:"
/* Rows that only patch k_scenario: rejected (exit 3, in the scenario file)
 * or accepted. */
#define SBAD(name, patch, path, msg) \
  {name, patch, NULL, NULL, NULL, false, XC_INVALID, IN_SCN, path, msg}
#define SOK(name, patch) {name, patch, NULL, NULL, NULL, false, XC_OK, IN_SCN, NULL, NULL}
#define OPS(x) "{'operations':[" x "]}"
#define P0 "$.operations[0]"
#define OP_NAMES "cancel-job, update-job, delete-job, associate-targets-with-job, " \
  "cancel-job-execution, delete-job-execution, add-things, remove-things, delete-things, " \
  "create-job"
#define UPD_FIELDS "UpdateJob takes description, presignedUrlConfig, " \
  "jobExecutionsRolloutConfig, abortConfig, timeoutConfig and jobExecutionsRetryConfig"
#define UPD_RETRIES "UpdateJob can only lower numberOfRetries to 0 (retries cannot " \
  "be changed otherwise after creation)"
#define AT_RULE "expected a duration after the simulation's start such as \"45m\", " \
  "or an ISO 8601 UTC time such as \"2026-01-01T00:45:00Z\" (year 1970..9999), got "
#define SCHED(x) "{'job':{'schedulingConfig':" x "}}"
#define SCHED_START_RULE "startTime must be between 30 minutes and one year (525600 " \
  "minutes) after the job's creation (the scenario's $.simulation.startTime), got "
#define SCHED_END_RULE "endTime must be between 30 minutes and two years (1051200 " \
  "minutes) after the job's creation (the scenario's $.simulation.startTime), got "
#define THING_NAME_RULE "expected a thing name of 1 to 128 characters from [a-zA-Z0-9:_-]"
/* k_scenario's groups with `x` added to group g1. */
#define GROUP_G1(x) "{'fleet':{'groups':[{'name':'g1','things':3,'behavior':'steady'" x \
  "},{'name':'devices','things':['t1','t2'],'behavior':'flaky'}]}}"
#define RATE_RULE "expected a number from 0 to 10000000 (things per hour)"
#define PROGRESS_STEP_RULE "expected 1 to 10080 minutes, or -1 to clear the step timer"

static const scase k_scases[] = {
  /* ---- the file itself */
  {"valid_base", NULL, NULL, NULL, NULL, false, XC_OK, IN_SCN, NULL, NULL},
  {"file_missing", NULL, NULL, NULL, NULL, true, XC_IO, IN_SCN, "",
   "cannot open '%F': No such file or directory"},
  {"empty_file", NULL, "", NULL, NULL, false, XC_INVALID, IN_SCN, "", "empty document"},
  {"whitespace_only", NULL, " \n\t\n", NULL, NULL, false, XC_INVALID, IN_SCN, "",
   "empty document"},
  {"bom", NULL, "\xEF\xBB\xBF{}", NULL, NULL, false, XC_INVALID, IN_SCN, "",
   "file starts with a UTF-8 byte order mark; save it without BOM"},
  {"malformed_json", NULL, "{\n  \"name\": \"x\",\n  \"fleet\": nope\n}", NULL, NULL,
   false, XC_INVALID, IN_SCN, "", "invalid JSON at line 3, column 12"},
  {"truncated_json", NULL, "{\n  \"name\": \"x\",\n  \"fleet\": {", NULL, NULL, false,
   XC_INVALID, IN_SCN, "", "unexpected end of input at line 3, column 13"},
  {"trailing_data", NULL, "{}\n{}", NULL, NULL, false, XC_INVALID, IN_SCN, "",
   "unexpected data after the JSON value at line 2, column 1"},
  {"invalid_utf8", NULL, "{\"name\":\"\xC3\x28\"}", NULL, NULL, false, XC_INVALID,
   IN_SCN, "", "invalid UTF-8 at byte offset 9 (line 1, column 10)"},
  {"top_level_array", NULL, "[]", NULL, NULL, false, XC_INVALID, IN_SCN, "$",
   "expected an object, got array"},

  /* ---- top level */
  {"unknown_top_field", "{'nmae':'x'}", NULL, NULL, NULL, false, XC_INVALID, IN_SCN,
   "$.nmae", "unknown field 'nmae'"},
  {"duplicate_top_field", NULL,
   "{\"name\":\"a\",\"name\":\"b\",\"job\":{},\"fleet\":{}}", NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.name", "duplicate field 'name'"},
  {"missing_fleet", "{'fleet':null}", NULL, NULL, NULL, false, XC_INVALID, IN_SCN, "$",
   "missing required field 'fleet'"},
  {"missing_job", "{'job':null}", NULL, NULL, NULL, false, XC_INVALID, IN_SCN, "$",
   "missing required field 'job'"},
  {"name_pattern", "{'name':'my scenario'}", NULL, NULL, NULL, false, XC_INVALID,
   IN_SCN, "$.name",
   "expected 1 to 64 characters from [A-Za-z0-9._-], not starting with '.'"},
  {"name_leading_dot", "{'name':'.hidden'}", NULL, NULL, NULL, false, XC_INVALID,
   IN_SCN, "$.name",
   "expected 1 to 64 characters from [A-Za-z0-9._-], not starting with '.'"},
  {"description_not_string", "{'description':5}", NULL, NULL, NULL, false, XC_INVALID,
   IN_SCN, "$.description", "expected a string, got number"},

  /* ---- $.job as a path to a --cli-input-json file */
  {"job_not_object", "{'job':5}", NULL, NULL, NULL, false, XC_INVALID, IN_SCN, "$.job",
   "expected a CreateJob object or a path to one, got number"},
  {"job_empty_path", NULL, NULL, "", NULL, false, XC_INVALID, IN_SCN, "$.job",
   "expected a CreateJob object or a path to one, got an empty string"},
  {"job_file_missing", NULL, NULL, "no-such-job.json", NULL, false, XC_IO, IN_SCN,
   "$.job", "job file: cannot open '%D/no-such-job.json': No such file or directory"},
  {"job_file_is_directory", NULL, NULL, ".", NULL, false, XC_IO, IN_SCN, "$.job",
   "job file: cannot read '%D/.': not a regular file (a directory)"},
  {"job_file_valid", NULL, NULL, "ok.job.json",
   "{'jobId':'from-file','targets':['" ARN "thinggroup/g1'],'document':'{}'}",
   false, XC_OK, IN_SCN, NULL, NULL},
  {"job_file_quota_from_scenario", SIMS("{'rolloutQuota':2000}"), NULL,
   "quota.job.json",
   "{'jobId':'q','targets':['" ARN "thinggroup/g1'],'document':'{}',"
   "'jobExecutionsRolloutConfig':{'maximumPerMinute':1500}}",
   false, XC_OK, IN_SCN, NULL, NULL},
  {"job_file_invalid", NULL, NULL, "bad.job.json",
   "{'jobID':'x','targets':['" ARN "thinggroup/g1'],'document':'{}'}", false,
   XC_INVALID, IN_JOB, "$.jobID", "unknown field 'jobID'; did you mean 'jobId'?"},
  {"job_file_deep_path", NULL, NULL, "deep.job.json",
   "{'jobId':'x','targets':['" ARN "thinggroup/g1'],'document':'{}',"
   "'timeoutConfig':{'inProgressTimeoutInMinutes':0}}",
   false, XC_INVALID, IN_JOB, "$.timeoutConfig.inProgressTimeoutInMinutes",
   "expected an integer from 1 to 10080"},
  {"job_file_malformed", NULL, NULL, "malformed.job.json", "{'jobId':}", false,
   XC_INVALID, IN_JOB, "", "invalid JSON at line 1, column 10"},
  {"job_file_unknown_group", NULL, NULL, "group.job.json",
   "{'jobId':'x','targets':['" ARN "thinggroup/nope'],'document':'{}'}", false,
   XC_INVALID, IN_JOB, "$.targets[0]",
   "target names thing group 'nope', which is not a group of the scenario's "
   "$.fleet.groups"},
  {"job_file_scheduling_relative",   /* 2030-01-01 is 1461 days after 2026-01-01 */
   NULL, NULL, "sched.job.json",
   "{'jobId':'x','targets':['" ARN "thinggroup/g1'],'document':'{}',"
   "'schedulingConfig':{'endTime':'2030-01-01T00:00'}}",
   false, XC_INVALID, IN_JOB, "$.schedulingConfig.endTime",
   SCHED_END_RULE "2103840 minutes"},
  {"job_file_scheduling_ok", NULL, NULL, "sched-ok.job.json",
   "{'jobId':'x','targets':['" ARN "thinggroup/g1'],'document':'{}',"
   "'schedulingConfig':{'startTime':'2026-01-01T06:00','endTime':'2026-01-02T00:00',"
   "'maintenanceWindows':[{'startTime':'cron(0 2 * * ? *)','durationInMinutes':120}]}}",
   false, XC_OK, IN_SCN, NULL, NULL},
  {"job_file_window_cron_invalid", NULL, NULL, "cron.job.json",
   "{'jobId':'x','targets':['" ARN "thinggroup/g1'],'document':'{}',"
   "'schedulingConfig':{'maintenanceWindows':[{'startTime':'cron(0 25 * * ? *)',"
   "'durationInMinutes':60}]}}",
   false, XC_INVALID, IN_JOB, "$.schedulingConfig.maintenanceWindows[0].startTime",
   "invalid cron expression at position 8: expected an hour 0-23, got '25'"},

  /* ---- targetSelection: CONTINUOUS is simulated (dynamic groups) */
  SOK("continuous_ok", "{'job':{'targetSelection':'CONTINUOUS'}}"),
  SOK("snapshot_ok", "{'job':{'targetSelection':'SNAPSHOT'}}"),

  /* ---- schedulingConfig against $.simulation.startTime (2026-01-01T00:00:00Z);
   *      2026 and 2027 have 365 days each */
  SOK("sched_empty_ok", SCHED("{}")),
  SBAD("sched_start_29_minutes", SCHED("{'startTime':'2026-01-01T00:29'}"),
       "$.job.schedulingConfig.startTime", SCHED_START_RULE "29 minutes"),
  SOK("sched_start_30_minutes_ok", SCHED("{'startTime':'2026-01-01T00:30'}")),
  /* a horizon past the start: else validate warns that the rollout cannot
   * finish before it */
  SOK("sched_start_365_days_ok", "{'job':{'schedulingConfig':{'startTime':'2027-01-01T00:00'}},"
      "'simulation':{'until':'366d','snapshotEvery':'1d'}}"),
  SBAD("sched_start_365_days_plus_1_minute", SCHED("{'startTime':'2027-01-01T00:01'}"),
       "$.job.schedulingConfig.startTime", SCHED_START_RULE "525601 minutes"),
  SBAD("sched_start_366_days", SCHED("{'startTime':'2027-01-02T00:00'}"),
       "$.job.schedulingConfig.startTime", SCHED_START_RULE "527040 minutes"),
  SBAD("sched_start_before_simulation", SCHED("{'startTime':'2025-12-31T23:00'}"),
       "$.job.schedulingConfig.startTime", SCHED_START_RULE "-60 minutes"),
  SBAD("sched_start_before_later_simulation",   /* 2026-03-01 is 92 days earlier */
       "{'simulation':{'startTime':'2026-06-01T00:00:00Z'},"
       "'job':{'schedulingConfig':{'startTime':'2026-03-01T00:00'}}}",
       "$.job.schedulingConfig.startTime", SCHED_START_RULE "-132480 minutes"),
  SBAD("sched_end_29_minutes", SCHED("{'endTime':'2026-01-01T00:29'}"),
       "$.job.schedulingConfig.endTime", SCHED_END_RULE "29 minutes"),
  SOK("sched_end_30_minutes_ok", SCHED("{'endTime':'2026-01-01T00:30'}")),
  SOK("sched_end_730_days_ok", SCHED("{'endTime':'2028-01-01T00:00'}")),
  SBAD("sched_end_730_days_plus_1_minute", SCHED("{'endTime':'2028-01-01T00:01'}"),
       "$.job.schedulingConfig.endTime", SCHED_END_RULE "1051201 minutes"),
  SBAD("sched_end_731_days", SCHED("{'endTime':'2028-01-02T00:00'}"),
       "$.job.schedulingConfig.endTime", SCHED_END_RULE "1052640 minutes"),
  SBAD("sched_start_ok_end_too_late",   /* span 730 days - 59 minutes: CreateJob ok */
       SCHED("{'startTime':'2026-01-01T01:00','endTime':'2028-01-01T00:01'}"),
       "$.job.schedulingConfig.endTime", SCHED_END_RULE "1051201 minutes"),
  SOK("sched_start_and_end_ok",
      SCHED("{'startTime':'2026-01-01T06:00','endTime':'2026-01-02T00:00',"
            "'endBehavior':'FORCE_CANCEL'}")),
  SBAD("window_cron_bad_day_of_week",
       SCHED("{'maintenanceWindows':[{'startTime':'cron(0 2 ? * FOO *)',"
             "'durationInMinutes':60}]}"),
       "$.job.schedulingConfig.maintenanceWindows[0].startTime",
       "invalid cron expression at position 14: expected a day of week 1-7 or "
       "SUN-SAT, got 'FOO'"),
  SBAD("window_cron_both_days",
       SCHED("{'maintenanceWindows':[{'startTime':'cron(0 2 * * MON *)',"
             "'durationInMinutes':60}]}"),
       "$.job.schedulingConfig.maintenanceWindows[0].startTime",
       "invalid cron expression at position 14: expected '?' in day-of-week, since "
       "day-of-month is given (AWS does not allow both), got 'MON'"),
  SBAD("window_cron_five_fields",
       SCHED("{'maintenanceWindows':[{'startTime':'cron(0 2 * * ?)',"
             "'durationInMinutes':60}]}"),
       "$.job.schedulingConfig.maintenanceWindows[0].startTime",
       "invalid cron expression at position 15: expected 6 fields (minutes hours "
       "day-of-month month day-of-week year), got 5"),
  SBAD("window_cron_second_window",
       SCHED("{'maintenanceWindows':[{'startTime':'cron(0 2 ? * MON *)',"
             "'durationInMinutes':60},{'startTime':'cron(61 2 ? * MON *)',"
             "'durationInMinutes':60}]}"),
       "$.job.schedulingConfig.maintenanceWindows[1].startTime",
       "invalid cron expression at position 6: expected a minute 0-59, got '61'"),
  SOK("window_cron_ok",
      SCHED("{'maintenanceWindows':[{'startTime':'cron(0 2 * * ? *)',"
            "'durationInMinutes':120}]}")),

  /* ---- $.operations: the list, op and at (horizon: until 2d) */
  SOK("operations_empty_ok", "{'operations':[]}"),
  SBAD("operations_not_array", "{'operations':{}}", "$.operations",
       "expected an array, got object"),
  SBAD("operation_not_object", OPS("5"), P0, "expected an object, got number"),
  SBAD("op_missing", OPS("{'at':'1m'}"), P0,
       "missing required field 'op' (one of " OP_NAMES ")"),
  SBAD("op_unknown", OPS("{'at':'1m','op':'pause-job'}"), P0 ".op",
       "expected one of " OP_NAMES),
  SBAD("op_not_string", OPS("{'at':'1m','op':1}"), P0 ".op",
       "expected one of " OP_NAMES ", got number"),
  SBAD("op_second_unknown",
       OPS("{'at':'1m','op':'delete-job'},{'at':'2m','op':'CancelJob'}"),
       "$.operations[1].op", "expected one of " OP_NAMES "; did you mean 'cancel-job'?"),
  SBAD("at_missing", OPS("{'op':'cancel-job'}"), P0, "missing required field 'at'"),
  SBAD("at_malformed", OPS("{'at':'soon','op':'cancel-job'}"), P0 ".at",
       DUR_RULE ", got \"soon\" (expected a number)"),
  SBAD("at_negative", OPS("{'at':-5,'op':'cancel-job'}"), P0 ".at",
       "expected a non-negative duration, got -5"),
  SBAD("at_boolean", OPS("{'at':true,'op':'cancel-job'}"), P0 ".at",
       "expected a duration such as \"90s\", \"5m\", \"1h30m\" or a number of "
       "seconds, got boolean"),
  SBAD("at_iso_malformed", OPS("{'at':'2026-13-01T00:00:00Z','op':'cancel-job'}"),
       P0 ".at", AT_RULE "\"2026-13-01T00:00:00Z\""),
  SBAD("at_iso_no_zone", OPS("{'at':'2026-01-01T01:00','op':'cancel-job'}"), P0 ".at",
       AT_RULE "\"2026-01-01T01:00\""),
  SBAD("at_date_only", OPS("{'at':'2026-01-01','op':'cancel-job'}"), P0 ".at",
       AT_RULE "\"2026-01-01\""),
  SBAD("at_iso_before_start", OPS("{'at':'2025-12-31T23:59:59Z','op':'cancel-job'}"),
       P0 ".at", "the instant is before the simulation's startTime"),
  SOK("at_iso_ok", OPS("{'at':'2026-01-01T00:45:00Z','op':'cancel-job'}")),
  SOK("at_iso_at_start_ok", OPS("{'at':'2026-01-01T00:00:00Z','op':'cancel-job'}")),
  SOK("at_horizon_ok", OPS("{'at':'2d','op':'cancel-job'}")),
  SBAD("at_after_horizon", OPS("{'at':'2d1s','op':'cancel-job'}"), P0 ".at",
       "the operation is after the simulation's horizon ($.simulation.until)"),
  SBAD("at_iso_after_horizon", OPS("{'at':'2026-01-03T00:00:01Z','op':'cancel-job'}"),
       P0 ".at", "the operation is after the simulation's horizon ($.simulation.until)"),

  /* ---- an unknown member in each operation kind */
  SBAD("cancel_job_unknown_field", OPS("{'at':'1m','op':'cancel-job','forse':true}"),
       P0 ".forse", "unknown field 'forse'; did you mean 'force'?"),
  SBAD("update_job_unknown_field",
       OPS("{'at':'1m','op':'update-job','descripton':'x'}"), P0 ".descripton",
       "update-job cannot change 'descripton': " UPD_FIELDS),
  SBAD("delete_job_unknown_field", OPS("{'at':'1m','op':'delete-job','comment':'x'}"),
       P0 ".comment", "unknown field 'comment'"),
  SBAD("associate_unknown_field",
       OPS("{'at':'1m','op':'associate-targets-with-job','force':true,"
           "'targets':['" ARN "thing/t2']}"),
       P0 ".force", "unknown field 'force'"),
  SBAD("cancel_execution_unknown_field",
       OPS("{'at':'1m','op':'cancel-job-execution','thingName':'t1',"
           "'executionNumber':1}"),
       P0 ".executionNumber", "unknown field 'executionNumber'"),
  SBAD("delete_execution_unknown_field",
       OPS("{'at':'1m','op':'delete-job-execution','thingName':'t1',"
           "'executionNumber':1,'comment':'x'}"),
       P0 ".comment", "unknown field 'comment'"),
  SBAD("add_things_unknown_field",
       OPS("{'at':'1m','op':'add-things','group':'g1','count':1,'behavior':'steady'}"),
       P0 ".behavior", "unknown field 'behavior'"),
  SBAD("remove_things_unknown_field",
       OPS("{'at':'1m','op':'remove-things','thing':'t1'}"), P0 ".thing",
       "unknown field 'thing'; did you mean 'things'?"),
  SBAD("delete_things_unknown_field",
       OPS("{'at':'1m','op':'delete-things','things':['t1'],'force':true}"),
       P0 ".force", "unknown field 'force'"),

  /* ---- cancel-job */
  SBAD("cancel_job_reason_code_pattern",
       OPS("{'at':'1m','op':'cancel-job','reasonCode':'too-many'}"), P0 ".reasonCode",
       "expected upper-case letters, digits and '_' (pattern [\\p{Upper}\\p{Digit}_]+)"),
  SBAD("cancel_job_reason_code_empty",
       OPS("{'at':'1m','op':'cancel-job','reasonCode':''}"), P0 ".reasonCode",
       "expected a string of 1 to 128 characters"),
  SBAD("cancel_job_comment_2029", OPS("{'at':'1m','op':'cancel-job'}"), P0 ".comment",
       "expected a string of 0 to 2028 characters"),   /* comment set by a builder */
  SOK("cancel_job_comment_2028_ok", OPS("{'at':'1m','op':'cancel-job'}")),
  SBAD("cancel_job_force_not_boolean",
       OPS("{'at':'1m','op':'cancel-job','force':'true'}"), P0 ".force",
       "expected a boolean, got string"),
  SOK("cancel_job_ok",
      OPS("{'at':'1h','op':'cancel-job','force':true,'reasonCode':'RECALL_2',"
          "'comment':'bad batch'}")),

  /* ---- update-job: UpdateJob's members, checked with the CreateJob rules
   *      (paths re-rooted at the operation) */
  SBAD("update_job_targets",
       OPS("{'at':'1m','op':'update-job','targets':['" ARN "thing/t2']}"),
       P0 ".targets", "update-job cannot change 'targets': " UPD_FIELDS),
  SBAD("update_job_document", OPS("{'at':'1m','op':'update-job','document':'{}'}"),
       P0 ".document", "update-job cannot change 'document': " UPD_FIELDS),
  SBAD("update_job_scheduling",
       OPS("{'at':'1m','op':'update-job','schedulingConfig':{}}"),
       P0 ".schedulingConfig", "update-job cannot change 'schedulingConfig': " UPD_FIELDS),
  SBAD("update_job_no_field", OPS("{'at':'1m','op':'update-job'}"), P0,
       "update-job needs at least one field to change"),
  SBAD("update_job_timeout_0",
       OPS("{'at':'1m','op':'update-job','timeoutConfig':"
           "{'inProgressTimeoutInMinutes':0}}"),
       P0 ".timeoutConfig.inProgressTimeoutInMinutes",
       "expected an integer from 1 to 10080"),
  SBAD("update_job_abort_empty_list",
       OPS("{'at':'1m','op':'update-job','abortConfig':{'criteriaList':[]}}"),
       P0 ".abortConfig.criteriaList", "expected 1 to 16 abort criteria, got 0"),
  SBAD("update_job_rollout_above_quota",
       OPS("{'at':'1m','op':'update-job','jobExecutionsRolloutConfig':"
           "{'maximumPerMinute':1001}}"),
       P0 ".jobExecutionsRolloutConfig.maximumPerMinute",
       "expected at most 1000 per minute (the rollout quota), got 1001; raise "
       "$.simulation.rolloutQuota in the scenario to allow more"),
  SBAD("update_job_description_control_char",
       OPS("{'at':'1m','op':'update-job','description':'a\\nb'}"), P0 ".description",
       "expected no control characters, got U+000A at offset 1"),
  SBAD("update_job_retries_1",
       OPS("{'at':'1m','op':'update-job','jobExecutionsRetryConfig':"
           "{'criteriaList':[{'failureType':'FAILED','numberOfRetries':1}]}}"),
       P0 ".jobExecutionsRetryConfig.criteriaList[0].numberOfRetries", UPD_RETRIES),
  SBAD("update_job_second_criterion_retries_2",
       OPS("{'at':'1m','op':'update-job','jobExecutionsRetryConfig':"
           "{'criteriaList':[{'failureType':'FAILED','numberOfRetries':0},"
           "{'failureType':'TIMED_OUT','numberOfRetries':2}]}}"),
       P0 ".jobExecutionsRetryConfig.criteriaList[1].numberOfRetries", UPD_RETRIES),
  SOK("update_job_retries_0_ok",
      OPS("{'at':'1m','op':'update-job','jobExecutionsRetryConfig':"
          "{'criteriaList':[{'failureType':'ALL','numberOfRetries':0}]}}")),
  SOK("update_job_ok",
      OPS("{'at':'1m','op':'update-job','description':'slower',"
          "'presignedUrlConfig':{'expiresInSec':600},"
          "'jobExecutionsRolloutConfig':{'maximumPerMinute':5},"
          "'abortConfig':{'criteriaList':[{'failureType':'FAILED','action':'CANCEL',"
          "'thresholdPercentage':50,'minNumberOfExecutedThings':2}]},"
          "'timeoutConfig':{'inProgressTimeoutInMinutes':30}}")),

  /* ---- delete-job */
  SBAD("delete_job_force_not_boolean", OPS("{'at':'1m','op':'delete-job','force':1}"),
       P0 ".force", "expected a boolean, got number"),
  SOK("delete_job_ok", OPS("{'at':'1d','op':'delete-job','force':true}")),

  /* ---- associate-targets-with-job */
  SBAD("associate_targets_missing", OPS("{'at':'1m','op':'associate-targets-with-job'}"),
       P0, "missing required field 'targets'"),
  SBAD("associate_targets_empty",
       OPS("{'at':'1m','op':'associate-targets-with-job','targets':[]}"), P0 ".targets",
       "expected 1 to 100 targets, got 0"),
  SBAD("associate_101_targets",   /* targets set by a builder */
       OPS("{'at':'1m','op':'associate-targets-with-job'}"), P0 ".targets",
       "expected 1 to 100 targets, got 101"),
  SBAD("associate_targets_not_array",
       OPS("{'at':'1m','op':'associate-targets-with-job','targets':'" ARN "thing/t2'}"),
       P0 ".targets", "expected an array, got string"),
  SBAD("associate_target_not_string",
       OPS("{'at':'1m','op':'associate-targets-with-job','targets':[5]}"),
       P0 ".targets[0]", "expected a string, got number"),
  SBAD("associate_target_other_region",
       OPS("{'at':'1m','op':'associate-targets-with-job','targets':"
           "['arn:aws:iot:eu-west-1:123456789012:thinggroup/g1']}"),
       P0 ".targets[0]",
       "target 'arn:aws:iot:eu-west-1:123456789012:thinggroup/g1' is not in the "
       "simulation's region and account (expected prefix "
       "'arn:aws:iot:us-east-1:123456789012:'; see the scenario's $.simulation.region "
       "and $.simulation.accountId)"),
  SBAD("associate_target_unknown_group",
       OPS("{'at':'1m','op':'associate-targets-with-job','targets':"
           "['" ARN "thinggroup/rev-b']}"),
       P0 ".targets[0]",
       "target names thing group 'rev-b', which is not a group of the scenario's "
       "$.fleet.groups"),
  SBAD("associate_second_target_unknown_thing",
       OPS("{'at':'1m','op':'associate-targets-with-job','targets':"
           "['" ARN "thing/t2','" ARN "thing/t9']}"),
       P0 ".targets[1]", "target names thing 't9', which is not in the scenario's fleet"),
  SOK("associate_ok",
      OPS("{'at':'1m','op':'associate-targets-with-job','targets':['" ARN "thing/t2'],"
          "'comment':'one more'}")),

  /* ---- cancel-job-execution, delete-job-execution */
  SBAD("cancel_execution_thing_missing", OPS("{'at':'1m','op':'cancel-job-execution'}"),
       P0, "missing required field 'thingName'"),
  SBAD("cancel_execution_bad_thing_name",
       OPS("{'at':'1m','op':'cancel-job-execution','thingName':'a b'}"), P0 ".thingName",
       THING_NAME_RULE),
  SBAD("cancel_execution_thing_not_string",
       OPS("{'at':'1m','op':'cancel-job-execution','thingName':5}"), P0 ".thingName",
       "expected a string, got number"),
  SOK("cancel_execution_ok",
      OPS("{'at':'1m','op':'cancel-job-execution','thingName':'t1','force':true}")),
  SBAD("delete_execution_number_missing",
       OPS("{'at':'1m','op':'delete-job-execution','thingName':'t1'}"), P0,
       "missing required field 'executionNumber'"),
  SBAD("delete_execution_number_0",
       OPS("{'at':'1m','op':'delete-job-execution','thingName':'t1','executionNumber':0}"),
       P0 ".executionNumber", "expected an integer from 1 to 9007199254740992"),
  SBAD("delete_execution_thing_missing",
       OPS("{'at':'1m','op':'delete-job-execution','executionNumber':1}"), P0,
       "missing required field 'thingName'"),
  SOK("delete_execution_ok",
      OPS("{'at':'1m','op':'delete-job-execution','thingName':'t1','executionNumber':1,"
          "'force':true}")),

  /* ---- add-things, remove-things, delete-things */
  SBAD("add_things_no_group", OPS("{'at':'1m','op':'add-things','count':2}"), P0,
       "missing required field 'group'"),
  SBAD("add_things_count_and_things",
       OPS("{'at':'1m','op':'add-things','group':'g1','count':1,'things':['n1']}"), P0,
       "exactly one of 'count' or 'things' is required, got both"),
  SBAD("add_things_neither", OPS("{'at':'1m','op':'add-things','group':'g1'}"), P0,
       "exactly one of 'count' or 'things' is required"),
  SBAD("add_things_unknown_group",
       OPS("{'at':'1m','op':'add-things','group':'rev-b','count':1}"), P0 ".group",
       "unknown group 'rev-b' (not in $.fleet.groups)"),
  SBAD("add_things_count_0", OPS("{'at':'1m','op':'add-things','group':'g1','count':0}"),
       P0 ".count", "expected an integer from 1 to 100000000"),
  SBAD("add_things_count_fraction",
       OPS("{'at':'1m','op':'add-things','group':'g1','count':1.5}"), P0 ".count",
       "expected an integer from 1 to 100000000"),
  SBAD("add_things_bad_name",
       OPS("{'at':'1m','op':'add-things','group':'devices','things':['t9','not ok']}"),
       P0 ".things[1]", THING_NAME_RULE),
  SBAD("add_things_no_names",
       OPS("{'at':'1m','op':'add-things','group':'devices','things':[]}"), P0 ".things",
       "expected 1 to 100000 thing names, got 0"),
  SBAD("add_things_name_not_string",
       OPS("{'at':'1m','op':'add-things','group':'devices','things':[5]}"),
       P0 ".things[0]", "expected a string, got number"),
  SOK("add_things_count_ok", OPS("{'at':'1m','op':'add-things','group':'g1','count':2}")),
  SOK("add_things_names_ok",
      OPS("{'at':'1m','op':'add-things','group':'devices','things':['t9','t10']}")),
  SBAD("remove_things_count_without_group",
       OPS("{'at':'1m','op':'remove-things','count':1}"), P0,
       "'count' needs 'group' (which group's things)"),
  SBAD("remove_things_unknown_group",
       OPS("{'at':'1m','op':'remove-things','group':'nope','things':['t1']}"),
       P0 ".group", "unknown group 'nope' (not in $.fleet.groups)"),
  SOK("remove_things_ok", OPS("{'at':'1m','op':'remove-things','group':'g1','count':1}")),
  SBAD("delete_things_bad_name",
       OPS("{'at':'1m','op':'delete-things','things':['t1','t 2']}"), P0 ".things[1]",
       THING_NAME_RULE),
  SOK("delete_things_ok", OPS("{'at':'1m','op':'delete-things','things':['t2']}")),

  /* ---- fleet and groups */
  {"fleet_not_object", "{'fleet':[]}", NULL, NULL, NULL, false, XC_INVALID, IN_SCN,
   "$.fleet", "expected an object, got array"},
  {"fleet_unknown_field", "{'fleet':{'devices':1}}", NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.fleet.devices", "unknown field 'devices'"},
  {"groups_missing", "{'fleet':{'groups':null}}", NULL, NULL, NULL, false, XC_INVALID,
   IN_SCN, "$.fleet", "missing required field 'groups'"},
  {"groups_empty", "{'fleet':{'groups':[]}}", NULL, NULL, NULL, false, XC_INVALID,
   IN_SCN, "$.fleet.groups", "expected 1 to 1024 groups, got 0"},
  {"groups_not_array", "{'fleet':{'groups':{}}}", NULL, NULL, NULL, false, XC_INVALID,
   IN_SCN, "$.fleet.groups", "expected an array, got object"},
  {"group_unknown_field",
   "{'fleet':{'groups':[{'name':'g1','things':3,'behavior':'steady','count':3}]}}",
   NULL, NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.groups[0].count",
   "unknown field 'count'"},
  {"group_name_pattern",
   "{'fleet':{'groups':[{'name':'rev a','things':3,'behavior':'steady'}]}}", NULL,
   NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.groups[0].name",
   "expected a thing-group name of 1 to 128 characters from [a-zA-Z0-9:_-]"},
  {"group_duplicate_name",
   "{'fleet':{'groups':[{'name':'g1','things':3,'behavior':'steady'},"
   "{'name':'g1','things':2,'behavior':'flaky'}]}}",
   NULL, NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.groups[1].name",
   "duplicate group name 'g1'"},
  {"group_unknown_behavior",
   "{'fleet':{'groups':[{'name':'g1','things':3,'behavior':'healthy'}]}}", NULL,
   NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.groups[0].behavior",
   "unknown behavior 'healthy' (not defined in $.fleet.behaviors)"},
  {"group_things_missing", "{'fleet':{'groups':[{'name':'g1','behavior':'steady'}]}}",
   NULL, NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.groups[0]",
   "missing required field 'things'"},
  {"group_things_0",
   "{'fleet':{'groups':[{'name':'g1','things':0,'behavior':'steady'}]}}", NULL,
   NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.groups[0].things",
   "expected an integer from 1 to 100000000"},
  {"group_things_too_many",
   "{'fleet':{'groups':[{'name':'g1','things':100000001,'behavior':'steady'}]}}",
   NULL, NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.groups[0].things",
   "expected an integer from 1 to 100000000"},
  {"group_things_empty_list",
   "{'fleet':{'groups':[{'name':'g1','things':[],'behavior':'steady'}]}}", NULL,
   NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.groups[0].things",
   "expected a thing count >= 1 or a non-empty list of names"},
  {"thing_name_pattern",
   "{'fleet':{'groups':[{'name':'g1','things':['ok','not ok'],'behavior':'steady'}]}}",
   NULL, NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.groups[0].things[1]",
   "expected a thing name of 1 to 128 characters from [a-zA-Z0-9:_-]"},
  {"thing_names_duplicate",
   "{'fleet':{'groups':[{'name':'g1','things':3,'behavior':'steady'},"
   "{'name':'devices','things':['t1','t2'],'behavior':'flaky'},"
   "{'name':'more','things':['t2'],'behavior':'flaky'}]}}",
   NULL, NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.groups",
   "thing name 't2' appears more than once in the fleet"},
  {"thing_name_clashes_with_generated",
   "{'fleet':{'groups':[{'name':'g1','things':3,'behavior':'steady'},"
   "{'name':'devices','things':['t1','g1-000002'],'behavior':'flaky'}]}}",
   NULL, NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.groups",
   "thing name 'g1-000002' clashes with a generated name of group 'g1'"},

  /* ---- arrivals and departures (dynamic groups) */
  SBAD("arrivals_not_object", GROUP_G1(",'arrivals':5"), "$.fleet.groups[0].arrivals",
       "expected an object, got number"),
  SBAD("arrivals_unknown_field", GROUP_G1(",'arrivals':{'rate':1}"),
       "$.fleet.groups[0].arrivals.rate", "unknown field 'rate'"),
  SBAD("arrivals_rate_missing", GROUP_G1(",'arrivals':{}"), "$.fleet.groups[0].arrivals",
       "missing required field 'ratePerHour'"),
  SBAD("arrivals_rate_negative", GROUP_G1(",'arrivals':{'ratePerHour':-1}"),
       "$.fleet.groups[0].arrivals.ratePerHour", RATE_RULE),
  SBAD("arrivals_rate_above_max", GROUP_G1(",'arrivals':{'ratePerHour':10000001}"),
       "$.fleet.groups[0].arrivals.ratePerHour", RATE_RULE),
  SBAD("arrivals_rate_string", GROUP_G1(",'arrivals':{'ratePerHour':'60'}"),
       "$.fleet.groups[0].arrivals.ratePerHour", "expected a number, got string"),
  SBAD("departures_rate_negative", GROUP_G1(",'departures':{'ratePerHour':-0.5}"),
       "$.fleet.groups[0].departures.ratePerHour", RATE_RULE),
  SOK("arrivals_departures_ok",
      GROUP_G1(",'arrivals':{'ratePerHour':0},'departures':{'ratePerHour':10000000}")),

  /* ---- behaviors */
  {"behaviors_missing", "{'fleet':{'behaviors':null}}", NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.fleet", "missing required field 'behaviors'"},
  {"behaviors_empty", NULL,
   "{\"job\":{},\"fleet\":{\"groups\":[],\"behaviors\":{}}}", NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.fleet.behaviors", "expected at least one behavior"},
  {"behavior_not_object", "{'fleet':{'behaviors':{'steady':1}}}", NULL, NULL, NULL,
   false, XC_INVALID, IN_SCN, "$.fleet.behaviors.steady", "expected an object, got number"},
  {"behavior_unknown_field", B_BEH "{'conected':1}" B_END, NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.conected", "unknown field 'conected'"},
  {"connected_negative", B_BEH "{'connected':-0.1}" B_END, NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.connected",
   "expected a number from 0 to 1"},
  {"connected_above_1", B_BEH "{'connected':1.01}" B_END, NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.connected",
   "expected a number from 0 to 1"},
  {"outcomes_sum_below_1",
   B_BEH "{'outcomes':{'SUCCEEDED':0.5,'FAILED':0.4,'REJECTED':0,'NO_RESPONSE':0}}" B_END,
   NULL, NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.outcomes",
   "outcome probabilities must sum to 1, got 0.9"},
  {"outcomes_sum_above_1",
   B_BEH "{'outcomes':{'SUCCEEDED':0.9,'FAILED':0.2,'REJECTED':0,'NO_RESPONSE':0}}" B_END,
   NULL, NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.outcomes",
   "outcome probabilities must sum to 1, got 1.1"},
  {"outcome_probability_above_1",
   B_BEH "{'outcomes':{'SUCCEEDED':1.5,'FAILED':0,'REJECTED':0,'NO_RESPONSE':0}}" B_END,
   NULL, NULL, NULL, false, XC_INVALID, IN_SCN,
   "$.fleet.behaviors.flaky.outcomes.SUCCEEDED", "expected a number from 0 to 1"},
  {"outcome_probability_negative",
   B_BEH "{'outcomes':{'SUCCEEDED':1,'FAILED':-0.1,'REJECTED':0,'NO_RESPONSE':0}}" B_END,
   NULL, NULL, NULL, false, XC_INVALID, IN_SCN,
   "$.fleet.behaviors.flaky.outcomes.FAILED", "expected a number from 0 to 1"},
  {"outcome_unknown_name",
   B_BEH "{'outcomes':{'SUCCEEDED':0.9,'FAILED':0.05,'REJECTED':0.03,"
   "'NO_RESPONSE':0.01,'TIMED_OUT':0.01}}" B_END,
   NULL, NULL, NULL, false, XC_INVALID, IN_SCN,
   "$.fleet.behaviors.flaky.outcomes.TIMED_OUT",
   "unknown field 'TIMED_OUT' (TIMED_OUT is the status the service gives an execution whose "
   "device does not report in time: give that device NO_RESPONSE and the job a "
   "timeoutConfig)"},

  /* ---- device timers: stepTimeoutInMinutes and progress */
  SBAD("step_timeout_0", B_BEH "{'stepTimeoutInMinutes':0}" B_END,
       "$.fleet.behaviors.flaky.stepTimeoutInMinutes", "expected an integer from 1 to 10080"),
  SBAD("step_timeout_10081", B_BEH "{'stepTimeoutInMinutes':10081}" B_END,
       "$.fleet.behaviors.flaky.stepTimeoutInMinutes", "expected an integer from 1 to 10080"),
  SOK("step_timeout_10080_ok", B_BEH "{'stepTimeoutInMinutes':10080}" B_END),
  SBAD("progress_not_object", B_BEH "{'progress':true}" B_END,
       "$.fleet.behaviors.flaky.progress", "expected an object, got boolean"),
  SBAD("progress_unknown_field", B_BEH "{'progress':{'every':'1m','step':1}}" B_END,
       "$.fleet.behaviors.flaky.progress.step", "unknown field 'step'"),
  SBAD("progress_without_every", B_BEH "{'progress':{'stepTimeoutInMinutes':5}}" B_END,
       "$.fleet.behaviors.flaky.progress", "missing required field 'every'"),
  SBAD("progress_every_mean_below_1s",
       B_BEH "{'progress':{'every':{'distribution':'exponential','mean':'999ms'}}}" B_END,
       "$.fleet.behaviors.flaky.progress.every",
       "expected progress updates at most once a second on average"),
  SBAD("progress_every_constant_500ms", B_BEH "{'progress':{'every':'500ms'}}" B_END,
       "$.fleet.behaviors.flaky.progress.every",
       "expected progress updates at most once a second on average"),
  SBAD("progress_every_unknown_distribution",
       B_BEH "{'progress':{'every':{'distribution':'poisson','mean':'1m'}}}" B_END,
       "$.fleet.behaviors.flaky.progress.every.distribution",
       "unknown distribution 'poisson'; expected one of " DIST_NAMES),
  SOK("progress_every_1s_ok", B_BEH "{'progress':{'every':'1s'}}" B_END),
  SBAD("progress_step_timeout_0",
       B_BEH "{'progress':{'every':'1m','stepTimeoutInMinutes':0}}" B_END,
       "$.fleet.behaviors.flaky.progress.stepTimeoutInMinutes", PROGRESS_STEP_RULE),
  SBAD("progress_step_timeout_minus_2",
       B_BEH "{'progress':{'every':'1m','stepTimeoutInMinutes':-2}}" B_END,
       "$.fleet.behaviors.flaky.progress.stepTimeoutInMinutes", PROGRESS_STEP_RULE),
  SBAD("progress_step_timeout_10081",
       B_BEH "{'progress':{'every':'1m','stepTimeoutInMinutes':10081}}" B_END,
       "$.fleet.behaviors.flaky.progress.stepTimeoutInMinutes", PROGRESS_STEP_RULE),
  SOK("progress_step_timeout_minus_1_ok",
      B_BEH "{'progress':{'every':'1m','stepTimeoutInMinutes':-1}}" B_END),
  SOK("progress_step_timeout_10080_ok",
      B_BEH "{'progress':{'every':'1m','stepTimeoutInMinutes':10080}}" B_END),

  /* ---- distributions (sim/dist.c) */
  {"dist_unknown_name", DIST("{'distribution':'poisson','mean':'1m'}"), NULL, NULL,
   NULL, false, XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.runTime.distribution",
   "unknown distribution 'poisson'; expected one of " DIST_NAMES},
  {"dist_name_missing", DIST("{'mean':'1m'}"), NULL, NULL, NULL, false, XC_INVALID,
   IN_SCN, "$.fleet.behaviors.flaky.runTime", "missing required field 'distribution'"},
  {"dist_not_duration_or_object", DIST("true"), NULL, NULL, NULL, false, XC_INVALID,
   IN_SCN, "$.fleet.behaviors.flaky.runTime",
   "expected a duration or a distribution object, got boolean"},
  {"dist_field_of_other_kind",
   DIST("{'distribution':'exponential','mean':'1m','sigma':1}"), NULL, NULL, NULL,
   false, XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.runTime.sigma",
   "unknown field 'sigma'"},
  {"lognormal_sigma_negative",
   DIST("{'distribution':'lognormal','median':'2m','sigma':-0.5}"), NULL, NULL, NULL,
   false, XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.runTime.sigma",
   "expected a number >= 0"},
  {"lognormal_median_0", DIST("{'distribution':'lognormal','median':0,'sigma':0.5}"),
   NULL, NULL, NULL, false, XC_INVALID, IN_SCN,
   "$.fleet.behaviors.flaky.runTime.median", "expected a duration greater than 0"},
  {"exponential_mean_missing", DIST("{'distribution':'exponential'}"), NULL, NULL,
   NULL, false, XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.runTime",
   "missing required field 'mean'"},
  {"uniform_max_below_min", DIST("{'distribution':'uniform','min':'5m','max':'1m'}"),
   NULL, NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.runTime.max",
   "expected a duration of at least min (5m)"},
  {"weibull_shape_0", DIST("{'distribution':'weibull','scale':'1m','shape':0}"), NULL,
   NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.runTime.shape",
   "expected a number greater than 0"},
  {"empirical_no_values", DIST("{'distribution':'empirical','values':[]}"), NULL,
   NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.runTime.values",
   "expected 1 to 10000 values, got 0"},
  {"empirical_weights_count",
   DIST("{'distribution':'empirical','values':['1m','2m'],'weights':[1]}"), NULL,
   NULL, NULL, false, XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.runTime.weights",
   "expected 2 weights, one per value, got 1"},
  {"empirical_weights_zero",
   DIST("{'distribution':'empirical','values':['1m'],'weights':[0]}"), NULL, NULL,
   NULL, false, XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.runTime.weights",
   "expected at least one positive weight"},

  /* ---- durations (sim/duration.c) */
  {"duration_negative_number", B_BEH "{'startDelay':-5}" B_END, NULL, NULL, NULL,
   false, XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.startDelay",
   "expected a non-negative duration, got -5"},
  {"duration_negative_string", B_BEH "{'startDelay':'-5s'}" B_END, NULL, NULL, NULL,
   false, XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.startDelay",
   DUR_RULE ", got \"-5s\" (negative durations are not allowed)"},
  {"duration_bad_unit", B_BEH "{'startDelay':'5x'}" B_END, NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.startDelay",
   DUR_RULE ", got \"5x\" (unknown unit; use d, h, m, s or ms)"},
  {"duration_upper_case_unit", B_BEH "{'startDelay':'5S'}" B_END, NULL, NULL, NULL,
   false, XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.startDelay",
   DUR_RULE ", got \"5S\" (expected a unit (d, h, m, s or ms) after each number)"},
  {"duration_units_out_of_order", B_BEH "{'startDelay':'5m1h'}" B_END, NULL, NULL,
   NULL, false, XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.startDelay",
   DUR_RULE ", got \"5m1h\" (units must appear at most once, in the order d, h, m, "
   "s, ms)"},
  {"duration_empty", B_BEH "{'startDelay':''}" B_END, NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.startDelay",
   DUR_RULE ", got \"\" (empty duration)"},
  {"duration_too_long", SIMS("{'until':'40000d'}"), NULL, NULL, NULL, false, XC_INVALID,
   IN_SCN, "$.simulation.until",
   "duration \"40000d\" is longer than the maximum of 100 years"},
  {"duration_absent_default", B_BEH "{'runTime':null}" B_END, NULL, NULL, NULL,
   false, XC_OK, IN_SCN, NULL, NULL},   /* null deletes the member: default */
  {"duration_array", B_BEH "{'runTime':['2m']}" B_END, NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.fleet.behaviors.flaky.runTime",
   "expected a duration or a distribution object, got array"},

  /* ---- simulation settings */
  {"simulation_not_object", "{'simulation':[]}", NULL, NULL, NULL, false, XC_INVALID,
   IN_SCN, "$.simulation", "expected an object, got array"},
  {"simulation_unknown_field", SIMS("{'seeds':1}"), NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.simulation.seeds", "unknown field 'seeds'"},
  {"seed_negative", SIMS("{'seed':-1}"), NULL, NULL, NULL, false, XC_INVALID, IN_SCN,
   "$.simulation.seed", "expected an integer from 0 to 9007199254740992"},
  {"seed_fraction", SIMS("{'seed':1.5}"), NULL, NULL, NULL, false, XC_INVALID, IN_SCN,
   "$.simulation.seed", "expected an integer from 0 to 9007199254740992"},
  {"seed_above_2_53", SIMS("{'seed':9007199254740994}"), NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.simulation.seed",
   "expected an integer from 0 to 9007199254740992"},
  {"seed_string", SIMS("{'seed':'42'}"), NULL, NULL, NULL, false, XC_INVALID, IN_SCN,
   "$.simulation.seed", "expected an integer, got string"},
  {"start_time_month_13", SIMS("{'startTime':'2026-13-01T00:00:00Z'}"), NULL, NULL,
   NULL, false, XC_INVALID, IN_SCN, "$.simulation.startTime",
   "expected an ISO 8601 UTC time such as \"2026-01-01T00:00:00Z\" (year "
   "1970..9999), got \"2026-13-01T00:00:00Z\""},
  {"start_time_no_zone", SIMS("{'startTime':'2026-01-01T00:00:00'}"), NULL, NULL,
   NULL, false, XC_INVALID, IN_SCN, "$.simulation.startTime",
   "expected an ISO 8601 UTC time such as \"2026-01-01T00:00:00Z\" (year "
   "1970..9999), got \"2026-01-01T00:00:00\""},
  {"start_time_feb_30", SIMS("{'startTime':'2026-02-30T00:00:00Z'}"), NULL, NULL,
   NULL, false, XC_INVALID, IN_SCN, "$.simulation.startTime",
   "expected an ISO 8601 UTC time such as \"2026-01-01T00:00:00Z\" (year "
   "1970..9999), got \"2026-02-30T00:00:00Z\""},
  {"start_time_fraction_ok", SIMS("{'startTime':'2019-06-17T15:57:02.733Z'}"), NULL,
   NULL, NULL, false, XC_OK, IN_SCN, NULL, NULL},
  {"until_0", SIMS("{'until':0}"), NULL, NULL, NULL, false, XC_INVALID, IN_SCN,
   "$.simulation.until", "expected a duration greater than 0"},
  {"snapshot_every_below_1s", SIMS("{'snapshotEvery':'500ms'}"), NULL, NULL, NULL,
   false, XC_INVALID, IN_SCN, "$.simulation.snapshotEvery",
   "expected a duration of at least 1s"},
  {"snapshot_every_1s_ok", SIMS("{'snapshotEvery':'1s','until':'1d'}"), NULL, NULL,
   NULL, false, XC_OK, IN_SCN, NULL, NULL},
  {"too_many_snapshots", SIMS("{'snapshotEvery':'1s','until':'2d'}"), NULL, NULL,
   NULL, false, XC_INVALID, IN_SCN, "$.simulation.snapshotEvery",
   "more than 100000 snapshots until the horizon; raise snapshotEvery or lower "
   "until"},
  {"region_malformed", SIMS("{'region':'US-EAST-1'}"), NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.simulation.region",
   "expected an AWS region name such as \"us-west-2\", got \"US-EAST-1\""},
  {"region_no_number", SIMS("{'region':'us-east'}"), NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.simulation.region",
   "expected an AWS region name such as \"us-west-2\", got \"us-east\""},
  {"account_id_short", SIMS("{'accountId':'1234'}"), NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.simulation.accountId",
   "expected an AWS account id of 12 decimal digits, got \"1234\""},
  {"account_id_letters", SIMS("{'accountId':'12345678901a'}"), NULL, NULL, NULL,
   false, XC_INVALID, IN_SCN, "$.simulation.accountId",
   "expected an AWS account id of 12 decimal digits, got \"12345678901a\""},
  {"account_id_number", SIMS("{'accountId':123456789012}"), NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.simulation.accountId", "expected a string, got number"},
  {"rollout_quota_0", SIMS("{'rolloutQuota':0}"), NULL, NULL, NULL, false, XC_INVALID,
   IN_SCN, "$.simulation.rolloutQuota", "expected an integer from 1 to 1000000"},
  {"cancel_rate_0", SIMS("{'cancelRatePerMinute':0}"), NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.simulation.cancelRatePerMinute",
   "expected an integer from 1 to 100000000"},
  {"abort_gate_enum", SIMS("{'abortGate':'completed'}"), NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.simulation.abortGate", "expected one of executed, notified"},
  {"abort_reason_code_pattern", SIMS("{'abortReasonCode':'too-many'}"), NULL, NULL,
   NULL, false, XC_INVALID, IN_SCN, "$.simulation.abortReasonCode",
   "expected upper-case letters, digits and '_' (pattern [\\p{Upper}\\p{Digit}_]+)"},
  {"max_per_minute_above_default_quota",
   "{'job':{'jobExecutionsRolloutConfig':{'maximumPerMinute':1001}}}", NULL, NULL,
   NULL, false, XC_INVALID, IN_SCN, "$.job.jobExecutionsRolloutConfig.maximumPerMinute",
   "expected at most 1000 per minute (the rollout quota), got 1001; raise "
   "$.simulation.rolloutQuota in the scenario to allow more"},
  SBAD("timeout_lag_61s", SIMS("{'timeoutLagMax':'61s'}"), "$.simulation.timeoutLagMax",
       "expected at most 60s (AWS times out up to 60 seconds late)"),
  SBAD("timeout_lag_1m1ms", SIMS("{'timeoutLagMax':'1m1ms'}"),
       "$.simulation.timeoutLagMax",
       "expected at most 60s (AWS times out up to 60 seconds late)"),
  SOK("timeout_lag_60s_ok", SIMS("{'timeoutLagMax':'1m'}")),
  SOK("timeout_lag_0_ok", SIMS("{'timeoutLagMax':0}")),
  SBAD("timeout_lag_malformed", SIMS("{'timeoutLagMax':'1 minute'}"),
       "$.simulation.timeoutLagMax",
       DUR_RULE ", got \"1 minute\" (expected a unit (d, h, m, s or ms) after each "
       "number)"),
  SBAD("timeout_lag_negative", SIMS("{'timeoutLagMax':-1}"), "$.simulation.timeoutLagMax",
       "expected a non-negative duration, got -1"),

  /* ---- targets against the fleet, region and account */
  {"target_other_region", TGT("arn:aws:iot:eu-west-1:123456789012:thinggroup/g1"),
   NULL, NULL, NULL, false, XC_INVALID, IN_SCN, "$.job.targets[0]",
   "target 'arn:aws:iot:eu-west-1:123456789012:thinggroup/g1' is not in the "
   "simulation's region and account (expected prefix "
   "'arn:aws:iot:us-east-1:123456789012:'; see the scenario's $.simulation.region "
   "and $.simulation.accountId)"},
  {"target_other_account", TGT("arn:aws:iot:us-east-1:210987654321:thing/t1"), NULL,
   NULL, NULL, false, XC_INVALID, IN_SCN, "$.job.targets[0]",
   "target 'arn:aws:iot:us-east-1:210987654321:thing/t1' is not in the "
   "simulation's region and account (expected prefix "
   "'arn:aws:iot:us-east-1:123456789012:'; see the scenario's $.simulation.region "
   "and $.simulation.accountId)"},
  {"target_default_region",   /* default region is us-west-2 */
   "{'simulation':{'region':null}}", NULL, NULL, NULL, false, XC_INVALID, IN_SCN,
   "$.job.targets[0]",
   "target 'arn:aws:iot:us-east-1:123456789012:thinggroup/g1' is not in the "
   "simulation's region and account (expected prefix "
   "'arn:aws:iot:us-west-2:123456789012:'; see the scenario's $.simulation.region "
   "and $.simulation.accountId)"},
  {"target_unknown_group", TGT(ARN "thinggroup/rev-b"), NULL, NULL, NULL, false,
   XC_INVALID, IN_SCN, "$.job.targets[0]",
   "target names thing group 'rev-b', which is not a group of the scenario's "
   "$.fleet.groups"},
  {"target_unknown_thing", TGT(ARN "thing/t3"), NULL, NULL, NULL, false, XC_INVALID,
   IN_SCN, "$.job.targets[0]",
   "target names thing 't3', which is not in the scenario's fleet"},
  {"target_generated_name_out_of_range", TGT(ARN "thing/g1-000003"), NULL, NULL, NULL,
   false, XC_INVALID, IN_SCN, "$.job.targets[0]",
   "target names thing 'g1-000003', which is not in the scenario's fleet"},
  {"target_generated_name_ok", TGT(ARN "thing/g1-000002"), NULL, NULL, NULL, false,
   XC_OK, IN_SCN, NULL, NULL},
  {"target_second_unknown",
   "{'job':{'targets':['" ARN "thing/t1','" ARN "thing/nobody']}}", NULL, NULL, NULL,
   false, XC_INVALID, IN_SCN, "$.job.targets[1]",
   "target names thing 'nobody', which is not in the scenario's fleet"},

  /* ---- every lifecycle feature at once: a CONTINUOUS job with start/end
   *      times and a maintenance window, dynamic groups, device timers, a
   *      timeout lag and one operation of each kind */
  SOK("lifecycle_all_features_ok",
      "{'job':{'targetSelection':'CONTINUOUS',"
      "        'schedulingConfig':{'startTime':'2026-01-01T00:30',"
      "                            'endTime':'2026-01-02T12:00','endBehavior':'CANCEL',"
      "                            'maintenanceWindows':[{'startTime':'cron(0 2 * * ? *)',"
      "                                                   'durationInMinutes':120}]},"
      "        'timeoutConfig':{'inProgressTimeoutInMinutes':60}},"
      " 'fleet':{'groups':[{'name':'g1','things':3,'behavior':'steady',"
      "                     'arrivals':{'ratePerHour':30},'departures':{'ratePerHour':5}},"
      "                    {'name':'devices','things':['t1','t2'],'behavior':'flaky'},"
      "                    {'name':'more','things':2,'behavior':'flaky',"
      "                     'arrivals':{'ratePerHour':2.5}}],"
      "          'behaviors':{'flaky':{'stepTimeoutInMinutes':30,"
      "                                'progress':{'every':{'distribution':'exponential',"
      "                                                     'mean':'20s'},"
      "                                            'stepTimeoutInMinutes':10}}}},"
      " 'simulation':{'timeoutLagMax':'30s'},"
      " 'operations':["
      "   {'at':'1h','op':'update-job','description':'slower',"
      "    'jobExecutionsRolloutConfig':{'maximumPerMinute':10},"
      "    'jobExecutionsRetryConfig':{'criteriaList':[{'failureType':'FAILED',"
      "                                                 'numberOfRetries':0}]}},"
      "   {'at':'1h30m','op':'associate-targets-with-job',"
      "    'targets':['" ARN "thinggroup/more'],'comment':'more too'},"
      "   {'at':'2h','op':'add-things','group':'g1','count':5},"
      "   {'at':'2h5m','op':'add-things','group':'devices','things':['t3','t4']},"
      "   {'at':'2h10m','op':'remove-things','group':'g1','count':1},"
      "   {'at':'2h15m','op':'remove-things','things':['t2']},"
      "   {'at':'2h30m','op':'cancel-job-execution','thingName':'t1','force':true},"
      "   {'at':'3h','op':'delete-job-execution','thingName':'t1','executionNumber':1,"
      "    'force':true},"
      "   {'at':'4h','op':'delete-things','things':['t4']},"
      "   {'at':'2026-01-01T05:00:00Z','op':'cancel-job','force':true,"
      "    'reasonCode':'RECALL','comment':'done'},"
      "   {'at':'6h','op':'delete-job','force':true}]}"),
  /* the job checks (targets) come before the operations */
  SBAD("job_checked_before_operations",
       "{'job':{'targets':['" ARN "thing/t9']},'operations':5}", "$.job.targets[0]",
       "target names thing 't9', which is not in the scenario's fleet"),
};

#define N_SCASES (sizeof k_scases / sizeof k_scases[0])

/* Cases whose scenario needs values too long to write as a patch: applied
 * after the patch, to the first operation. */
static cJSON *first_op(cJSON *scn) {
  cJSON *op = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(scn, "operations"), 0);
  assert_non_null(op);
  return op;
}
static void op_comment(cJSON *scn, size_t n) {
  char *c = repeat('c', n);
  set_str(first_op(scn), "comment", c);
  free(c);
}
static void b_comment_2028(cJSON *scn) { op_comment(scn, 2028); }
static void b_comment_2029(cJSON *scn) { op_comment(scn, 2029); }
static void b_associate_101(cJSON *scn) {
  cJSON *a = cJSON_CreateArray();
  char arn[128];
  for (int i = 0; i < 101; i++) {
    snprintf(arn, sizeof arn, ARN "thing/t%d", i);
    cJSON_AddItemToArray(a, cJSON_CreateString(arn));
  }
  set_item(first_op(scn), "targets", a);
}

static const struct scase_builder {
  const char *name;
  void (*build)(cJSON *scn);
} k_scase_builders[] = {
  {"cancel_job_comment_2028_ok", b_comment_2028},
  {"cancel_job_comment_2029", b_comment_2029},
  {"associate_101_targets", b_associate_101},
};

static void run_scase(void **state) {
  const scase *c = *state;
  char file[512], jfile[512] = "";
  snprintf(file, sizeof file, "%s/scn-%s.json", g_dir, c->name);
  if (c->job_ref != NULL) snprintf(jfile, sizeof jfile, "%s/%s", g_dir, c->job_ref);
  if (c->job != NULL) {
    char *text = squote(c->job);
    cJSON *j = cJSON_Parse(text);
    if (j != NULL) {
      write_json(jfile, j);
      cJSON_Delete(j);
    } else {   /* deliberately malformed: write as is */
      write_file(jfile, text, strlen(text));
    }
    free(text);
  }
  if (c->raw != NULL) {
    write_file(file, c->raw, strlen(c->raw));
  } else if (!c->no_file) {
    cJSON *scn = parse_sq(k_scenario);
    if (c->patch != NULL) merge(scn, parse_sq(c->patch));
    for (size_t i = 0; i < sizeof k_scase_builders / sizeof k_scase_builders[0]; i++)
      if (strcmp(k_scase_builders[i].name, c->name) == 0) k_scase_builders[i].build(scn);
    if (c->job_ref != NULL) {
      cJSON_DeleteItemFromObjectCaseSensitive(scn, "job");
      cJSON_AddStringToObject(scn, "job", c->job_ref);
    }
    write_json(file, scn);
    cJSON_Delete(scn);
  }

  run_result r;
  validate(file, &r);
  if (c->exit == XC_OK) {
    expect_ok(c->name, &r, file);
  } else {
    char *msg = expand(c->msg, file, jfile);
    expect_error(c->name, &r, c->exit, c->at == IN_JOB ? jfile : file, c->path, msg);
    free(msg);
  }
  run_release(&r);
  unlink(file);
  if (c->job != NULL) unlink(jfile);
}

/* ------------------------------------------------- command-line usage --- */

typedef struct ucase {
  const char *name;
  const char *args[8];      /* NULL-terminated; %D %S expanded */
  const char *stdout_to;    /* redirect stdout there instead of capturing */
  int exit;
  const char *out_prefix;   /* stdout starts with this (NULL: not checked) */
  const char *out_has;      /* stdout contains this (NULL: not checked) */
  const char *err;          /* exact stderr (NULL: not checked) */
  const char *err_prefix;   /* stderr starts with this (NULL: not checked) */
} ucase;

#define EX1 "%S/scenarios/example-job-01.json"
#define SCN(name) "%S/scenarios/" name ".json"

static const ucase k_ucases[] = {
  {"no_arguments", {NULL}, NULL, XC_USAGE, "", NULL, NULL,
   "usage: jobsim <command> [<options>] [<args>]\n"},
  {"unknown_command", {"frobnicate", NULL}, NULL, XC_USAGE, "", NULL,
   "jobsim: 'frobnicate' is not a jobsim command\njobsim: see 'jobsim --help'\n",
   NULL},
  {"run_missing_scenario", {"run", NULL}, NULL, XC_USAGE, "", NULL,
   "jobsim: run: missing <scenario.json>\njobsim: see 'jobsim run --help'\n", NULL},
  {"validate_missing_scenario", {"validate", NULL}, NULL, XC_USAGE, "", NULL,
   "jobsim: validate: missing <scenario.json>\njobsim: see 'jobsim validate --help'\n",
   NULL},
  {"run_unknown_option", {"run", "--bogus", EX1, NULL}, NULL, XC_USAGE, "", NULL,
   "jobsim: run: unknown option '--bogus'\njobsim: see 'jobsim run --help'\n", NULL},
  {"validate_unknown_short_option", {"validate", "-x", EX1, NULL}, NULL, XC_USAGE, "",
   NULL, "jobsim: validate: unknown option '-x'\njobsim: see 'jobsim validate --help'\n",
   NULL},
  {"run_option_needs_value", {"run", EX1, "--seed", NULL}, NULL, XC_USAGE, "", NULL,
   "jobsim: run: option '--seed' needs a value\njobsim: see 'jobsim run --help'\n",
   NULL},
  {"run_bad_seed", {"run", "--seed=-1", EX1, NULL}, NULL, XC_USAGE, "", NULL,
   "jobsim: run: --seed needs an integer 0..2^53, not '-1'\n"
   "jobsim: see 'jobsim run --help'\n", NULL},
  {"validate_flag_with_value", {"validate", "--bail=yes", EX1, NULL}, NULL, XC_USAGE,
   "", NULL, "jobsim: validate: option '--bail' takes no value\n"
   "jobsim: see 'jobsim validate --help'\n", NULL},
  {"describe_job_missing_job_id", {"describe-job", "--scenario", EX1, NULL}, NULL,
   XC_USAGE, "", NULL,
   "jobsim: describe-job: missing --job-id <id>\n"
   "jobsim: see 'jobsim describe-job --help'\n", NULL},
  {"help_unknown_command", {"help", "frobnicate", NULL}, NULL, XC_USAGE, "", NULL,
   "jobsim: help: unknown command 'frobnicate'\njobsim: see 'jobsim help --help'\n",
   NULL},
  {"main_help", {"--help", NULL}, NULL, XC_OK,
   "usage: jobsim <command> [<options>] [<args>]\n", "exit codes:\n", "", NULL},
  {"run_help", {"run", "--help", NULL}, NULL, XC_OK, "usage: jobsim run", "exit codes:\n",
   "", NULL},
  {"validate_help_short", {"validate", "-h", NULL}, NULL, XC_OK,
   "usage: jobsim validate", NULL, "", NULL},
  {"help_describe_job", {"help", "describe-job", NULL}, NULL, XC_OK,
   "usage: jobsim describe-job", NULL, "", NULL},
  {"version_option", {"--version", NULL}, NULL, XC_OK, "jobsim ", "cJSON", "", NULL},
  {"version_command", {"version", NULL}, NULL, XC_OK, "jobsim ", "cJSON", "", NULL},
  {"describe_job_not_found",
   {"describe-job", "--scenario", EX1, "--job-id", "nope", NULL}, NULL, XC_CHECK, "",
   NULL,
   "jobsim: describe-job: ResourceNotFoundException: job 'nope' does not exist "
   "(scenario " EX1 " creates job 'example-job-01')\n", NULL},
  {"run_fail_on_abort",
   {"run", "-q", "--fail-on-abort", "--out", "%D/abort-out",
    "%S/scenarios/bad-release-abort.json", NULL}, NULL, XC_CHECK,
   "bad-release-abort: CANCELED by abort at +30m41.964s (ALL 5.003 % >= 5 % after 500); "
   "last execution ended +50m8.136s: 9300 of 10000 things notified", NULL, "", NULL},
  {"validate_ok", {"validate", EX1, NULL}, NULL, XC_OK, EX1 ": ok: job example-job-01",
   NULL, "", NULL},
  {"validate_quiet_ok", {"validate", "-q", EX1, NULL}, NULL, XC_OK, "", NULL, "", NULL},
  /* --serve: a fleet without a job (what jobsim serve takes) is valid; without
   * it the job stays required (run, sweep, plan, describe-job need one) */
  {"validate_serve_fleet_only",
   {"validate", "--serve", "%S/tests/serve/fleet.json", "%S/examples/fleet.json", EX1, NULL},
   NULL, XC_OK,
   "%S/tests/serve/fleet.json: ok: no job (a fleet for jobsim serve), 8 things in the fleet\n"
   "%S/examples/fleet.json: ok: no job (a fleet for jobsim serve), 402 things in the fleet\n"
   EX1 ": ok: job example-job-01, ", NULL, "", NULL},
  {"validate_fleet_only_needs_serve", {"validate", "%S/tests/serve/fleet.json", NULL}, NULL,
   XC_INVALID, "", NULL,
   "jobsim: %S/tests/serve/fleet.json: $: missing required field 'job'\n", NULL},
  {"validate_serve_still_checks",
   {"validate", "--serve", "%S/tests/bad/fleet-duplicate-thing-name.json", NULL}, NULL,
   XC_INVALID, "", NULL,
   "jobsim: %S/tests/bad/fleet-duplicate-thing-name.json: $.fleet.groups: thing name "
   "'MyRaspberryPi' appears more than once in the fleet\n", NULL},
  /* the bundled lifecycle scenarios: operations, dynamic groups, device
   * timers, start/end times and maintenance windows */
  {"validate_lifecycle_scenarios",
   {"validate", "-q", SCN("cancel-and-force"), SCN("continuous-dynamic-group"),
    SCN("delete-after-cancel"), SCN("slow-down-update"), SCN("step-timeouts"), NULL},
   NULL, XC_OK, "", NULL, "", NULL},
  {"validate_scheduling_scenarios",
   {"validate", "-q", SCN("end-time-cancel"), SCN("end-time-force-cancel"),
    SCN("end-time-stop-rollout"), SCN("nightly-maintenance-window"), NULL},
   NULL, XC_OK, "", NULL, "", NULL},
  {"validate_nonexistent_file", {"validate", "%D/missing.json", NULL}, NULL, XC_IO, "",
   NULL,
   "jobsim: %D/missing.json: cannot open '%D/missing.json': No such file or "
   "directory\n", NULL},
  {"validate_directory", {"validate", "%D", NULL}, NULL, XC_IO, "", NULL,
   "jobsim: %D: cannot read '%D': not a regular file (a directory)\n", NULL},
  {"validate_worst_code_wins",   /* invalid (3) and unreadable (4): 4 */
   {"validate", "%D/missing.json", "%D/invalid.json", EX1, NULL}, NULL, XC_IO, NULL,
   EX1 ": ok: job example-job-01",
   "jobsim: %D/missing.json: cannot open '%D/missing.json': No such file or "
   "directory\n"
   "jobsim: %D/invalid.json: $: missing required field 'fleet'\n", NULL},
  {"validate_bail", {"validate", "--bail", "%D/invalid.json", "%D/missing.json", NULL},
   NULL, XC_INVALID, "", NULL,
   "jobsim: %D/invalid.json: $: missing required field 'fleet'\n", NULL},
  {"stdout_write_error", {"--version", NULL}, "/dev/full", XC_IO, NULL, NULL,
   "jobsim: error: writing output failed: No space left on device\n", NULL},
};

#define N_UCASES (sizeof k_ucases / sizeof k_ucases[0])

static void run_ucase(void **state) {
  const ucase *c = *state;
  char *args[8];
  size_t n = 0;
  for (; c->args[n] != NULL; n++) args[n] = expand(c->args[n], "", "");
  args[n] = NULL;
  if (strcmp(c->name, "validate_worst_code_wins") == 0 ||
      strcmp(c->name, "validate_bail") == 0) {
    char path[512];
    snprintf(path, sizeof path, "%s/invalid.json", g_dir);
    write_file(path, "{}", 2);
  }
  if (c->stdout_to != NULL && access(c->stdout_to, W_OK) != 0) {
    for (size_t i = 0; i < n; i++) free(args[i]);
    test_skip("%s: %s is not writable here", c->name, c->stdout_to);
  }
  run_result r;
  const char *cargs[8];
  for (size_t i = 0; i <= n; i++) cargs[i] = args[i];
  run_jobsim(cargs, c->stdout_to, &r);
  expect_status(c->name, &r, c->exit);
  if (c->out_prefix != NULL) {
    char *want = expand(c->out_prefix, "", "");
    if (want[0] == '\0' ? r.out[0] != '\0' : strncmp(r.out, want, strlen(want)) != 0)
      fail_msg("%s: stdout should %s '%s', got: %s", c->name,
               want[0] ? "start with" : "be", want, r.out);
    free(want);
  }
  if (c->out_has != NULL) {
    char *want = expand(c->out_has, "", "");
    if (strstr(r.out, want) == NULL)
      fail_msg("%s: stdout lacks '%s': %s", c->name, want, r.out);
    free(want);
  }
  if (c->err != NULL) {
    char *want = expand(c->err, "", "");
    if (strcmp(r.err, want) != 0)
      fail_msg("%s: stderr differs\n  want: %s  got:  %s", c->name, want, r.err);
    free(want);
  }
  if (c->err_prefix != NULL && strncmp(r.err, c->err_prefix, strlen(c->err_prefix)))
    fail_msg("%s: stderr should start with '%s', got: %s", c->name, c->err_prefix,
             r.err);
  run_release(&r);
  for (size_t i = 0; i < n; i++) free(args[i]);
}

/* ---------------------------------------------------------------- main --- */

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

int main(void) {
  const char *tmp = getenv("TMPDIR");
  snprintf(g_dir, sizeof g_dir, "%s/jobsim-cli-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(g_dir) == NULL) {
    fprintf(stderr, "cannot create a scratch directory: %s\n", strerror(errno));
    return 1;
  }

  size_t n_rows = 2 * JOBCFG_N_CASES;
  size_t total = n_rows + N_SCASES + N_UCASES;
  struct CMUnitTest *all = calloc(total, sizeof *all);
  row_test *rows = calloc(n_rows, sizeof *rows);
  if (all == NULL || rows == NULL) return 1;
  size_t k = 0;
  for (size_t m = 0; m < 2; m++)
    for (size_t i = 0; i < JOBCFG_N_CASES; i++) {
      row_test *t = &rows[m * JOBCFG_N_CASES + i];
      t->row = &k_jobcfg_cases[i];
      t->mode = m == 0 ? ROW_INLINE : ROW_FILE;
      snprintf(t->name, sizeof t->name, "jobcfg_%s/%s", m == 0 ? "inline" : "file",
               t->row->name);
      struct CMUnitTest u = {t->name, run_row, NULL, NULL, t};
      all[k++] = u;
    }
  /* cmocka states are void *; the tests only read the rows */
  for (size_t i = 0; i < N_SCASES; i++) {
    struct CMUnitTest u = {k_scases[i].name, run_scase, NULL, NULL,
                           (void *)(uintptr_t)&k_scases[i]};
    all[k++] = u;
  }
  for (size_t i = 0; i < N_UCASES; i++) {
    struct CMUnitTest u = {k_ucases[i].name, run_ucase, NULL, NULL,
                           (void *)(uintptr_t)&k_ucases[i]};
    all[k++] = u;
  }
  int failed = _cmocka_run_group_tests("cli_validate", all, k, NULL, NULL);
  free(all);
  free(rows);
  nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return failed;
}
