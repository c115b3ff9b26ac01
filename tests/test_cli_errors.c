/*
 * test_cli_errors.c — errors that suggest the fix (issue 13, point 9),
 * through the jobsim executable (JOBSIM_EXE), with exact stderr:
 *  - "did you mean X?" for unknown members, enum values, behaviour names,
 *    group names, commands and help topics, and none when nothing is near
 *    or the near name is already used;
 *  - members put in the wrong object say where they belong;
 *  - a JSON syntax error shows the line with a caret under the column and
 *    names a trailing comma (reported where the comma is);
 *  - validate lists every problem one pass finds, at most 20, and nothing
 *    that only follows from an earlier one; run stops at the first;
 *  - sweep --vary start:stop without a step explains start:stop:step.
 * Every expected message is written out by hand from the rule (the edit
 * distances and the columns are counted in the comments), not captured
 * from a run. Kept apart from test_cli_validate, which is slow under
 * valgrind.
 */
#define _XOPEN_SOURCE 700   /* fork, execv, mkdtemp, nftw */
#include "test_common.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef JOBSIM_EXE
#error "JOBSIM_EXE must name the jobsim executable"
#endif

static char g_dir[256];

/* The whole file (it must exist). */
static char *read_all(const char *path) {
  char *s = test_read_file(path, NULL);
  assert_non_null(s);
  return s;
}

/* Write `text` to g_dir/s.json; single quotes become double quotes unless
 * `raw` (then the bytes are written as given). */
static void write_scenario(const char *text, bool raw) {
  char path[512];
  snprintf(path, sizeof path, "%s/s.json", g_dir);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  for (const char *c = text; *c; c++) fputc(!raw && *c == '\'' ? '"' : *c, f);
  assert_int_equal(fclose(f), 0);
}

/* Run jobsim in g_dir with args (NULL-ended); exit status, stderr, stdout. */
static int run(const char *const *args, char **err, char **out) {
  char ep[512], op[512];
  char *argv[16];
  size_t n = 0;
  snprintf(ep, sizeof ep, "%s/.stderr", g_dir);
  snprintf(op, sizeof op, "%s/.stdout", g_dir);
  argv[n++] = strdup("jobsim");
  for (size_t i = 0; args[i]; i++) argv[n++] = strdup(args[i]);
  argv[n] = NULL;
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int fe = open(ep, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fo = open(op, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fe < 0 || fo < 0 || dup2(fe, 2) < 0 || dup2(fo, 1) < 0 || chdir(g_dir) != 0)
      _exit(126);
    execv(JOBSIM_EXE, argv);
    _exit(127);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0) assert_int_equal(errno, EINTR);
  for (size_t i = 0; i < n; i++) free(argv[i]);
  if (WIFSIGNALED(st)) fail_msg("jobsim killed by signal %d", WTERMSIG(st));
  *err = read_all(ep);
  *out = read_all(op);
  return WEXITSTATUS(st);
}

static void expect_run(const char *name, const char *const *args, int code,
                       const char *want_err) {
  char *err, *out;
  int rc = run(args, &err, &out);
  print_message("%s\n", name);
  if (rc != code || strcmp(err, want_err) != 0)
    fail_msg("%s: want exit %d and stderr:\n%s--- got exit %d and stderr:\n%s---", name,
             code, want_err, rc, err);
  assert_string_equal(out, "");
  free(err);
  free(out);
}

/* `jobsim validate s.json` on `text`: exit 3 and exactly `want_err`. */
static void expect_validate(const char *name, const char *text, bool raw,
                            const char *want_err) {
  const char *args[] = {"validate", "s.json", NULL};
  write_scenario(text, raw);
  expect_run(name, args, 3, want_err);
}

/* ------------------------------------------------ a valid base to vary --- */

#define ARN "arn:aws:iot:us-west-2:123456789012:"
#define JOBX(extra)                                                              \
  "'job':{'jobId':'fw-1','targets':['" ARN "thinggroup/rev-a'],'document':'{}'" \
  extra "}"
#define GROUP(extra) "{'name':'rev-a','things':10" extra "}"
#define FLEETX(group, behaviour) \
  "'fleet':{'groups':[" group "],'behaviors':{'healthy':{" behaviour "}}}"
#define FLEET FLEETX(GROUP(",'behavior':'healthy'"), "")
#define E "jobsim: s.json: "

static int setup(void **state) {
  (void)state;
  snprintf(g_dir, sizeof g_dir, "/tmp/jobsim-errors-XXXXXX");
  return mkdtemp(g_dir) ? 0 : -1;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(p);
}

static int teardown(void **state) {
  (void)state;
  return nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_base_is_valid(void **state) {
  (void)state;
  const char *args[] = {"validate", "-q", "s.json", NULL};
  write_scenario("{" JOBX("") "," FLEET "}", false);
  expect_run("base", args, 0, "");
}

/* ------------------------------------------------------ did you mean --- */

static void test_did_you_mean(void **state) {
  (void)state;
  /* 1. descripton -> description: one insertion */
  expect_validate("top-level member", "{" JOBX("") "," FLEET ",'descripton':'x'}", false,
                  E "$.descripton: unknown field 'descripton'; did you mean 'description'?\n");
  /* 2. untill -> until: one deletion */
  expect_validate("simulation member", "{" JOBX("") "," FLEET ",'simulation':{'untill':'1h'}}",
                  false,
                  E "$.simulation.untill: unknown field 'untill'; did you mean 'until'?\n");
  /* 3. conected -> connected: one insertion */
  expect_validate("behaviour member",
                  "{" JOBX("") "," FLEETX(GROUP(",'behavior':'healthy'"), "'conected':0.9") "}",
                  false,
                  E "$.fleet.behaviors.healthy.conected: unknown field 'conected'; did you "
                    "mean 'connected'?\n");
  /* 4. timeoutconfig -> timeoutConfig: case only (distance 0 folded) */
  expect_validate("case only",
                  "{" JOBX(",'timeoutconfig':{'inProgressTimeoutInMinutes':5}") "," FLEET "}",
                  false,
                  E "$.job.timeoutconfig: unknown field 'timeoutconfig'; did you mean "
                    "'timeoutConfig'?\n");
  /* 5. critreiaList -> criteriaList: one transposition; the missing
   * criteriaList that setting it aside leaves is the same slip, not listed */
  expect_validate("transposition", "{" JOBX(",'abortConfig':{'critreiaList':[]}") "," FLEET "}",
                  false,
                  E "$.job.abortConfig.critreiaList: unknown field 'critreiaList'; did you "
                    "mean 'criteriaList'?\n");
  /* 6. an enum value: CONTINOUS -> CONTINUOUS, one insertion */
  expect_validate("enum value", "{" JOBX(",'targetSelection':'CONTINOUS'") "," FLEET "}", false,
                  E "$.job.targetSelection: expected one of SNAPSHOT, CONTINUOUS; did you mean "
                    "'CONTINUOUS'?\n");
  /* 7. a behaviour name: helthy -> healthy, one insertion */
  expect_validate("behaviour name", "{" JOBX("") "," FLEETX(GROUP(",'behavior':'helthy'"), "") "}",
                  false,
                  E "$.fleet.groups[0].behavior: unknown behavior 'helthy' (not defined in "
                    "$.fleet.behaviors); did you mean 'healthy'?\n");
  /* 8. a group name: rev_a -> rev-a, one substitution */
  expect_validate("group name",
                  "{" JOBX("") "," FLEET ",'operations':[{'at':'1m','op':'add-things',"
                  "'group':'rev_a','count':2}]}",
                  false,
                  E "$.operations[0].group: unknown group 'rev_a' (not in $.fleet.groups); did "
                    "you mean 'rev-a'?\n");
  /* 8b. a group named in a target ARN: rev-b -> rev-a, one substitution
   * (the job's own target, not an operation's group member) */
  expect_validate("target group",
                  "{'job':{'jobId':'fw-1','targets':['" ARN "thinggroup/rev-b'],"
                  "'document':'{}'}," FLEET "}",
                  false,
                  E "$.job.targets[0]: target names thing group 'rev-b', which is not a "
                    "group of the scenario's $.fleet.groups; did you mean 'rev-a'?\n");
  /* 9. an outcome: SUCCEDED -> SUCCEEDED, one insertion; the outcomes left
   * empty (summing to 0) follow from it and are not listed */
  expect_validate("outcome name",
                  "{" JOBX("") "," FLEETX(GROUP(",'behavior':'healthy'"),
                                          "'outcomes':{'SUCCEDED':1}") "}",
                  false,
                  E "$.fleet.behaviors.healthy.outcomes.SUCCEDED: unknown field 'SUCCEDED'; "
                    "did you mean 'SUCCEEDED'?\n");
  /* 10. a command: valdate -> validate, one insertion */
  {
    const char *args[] = {"valdate", "s.json", NULL};
    expect_run("command", args, 2,
               "jobsim: 'valdate' is not a jobsim command; did you mean 'validate'?\n"
               "jobsim: see 'jobsim --help'\n");
  }
  /* 11. a help topic: describe-jobs -> describe-job, one deletion */
  {
    const char *args[] = {"help", "describe-jobs", NULL};
    expect_run("help topic", args, 2,
               "jobsim: help: unknown command 'describe-jobs'; did you mean 'describe-job'?\n"
               "jobsim: see 'jobsim help --help'\n");
  }
  /* 12. a command three edits away (23 characters allow 3):
   * describe-jobs-execution -> describe-job-execution, one deletion */
  {
    const char *args[] = {"describe-jobs-execution", NULL};
    expect_run("long command", args, 2,
               "jobsim: 'describe-jobs-execution' is not a jobsim command; did you mean "
               "'describe-job-execution'?\n"
               "jobsim: see 'jobsim --help'\n");
  }
}

static void test_no_suggestion(void **state) {
  (void)state;
  /* nothing within 1 edit of a 4-character name */
  expect_validate("far", "{" JOBX("") "," FLEET ",'zzzz':1}", false,
                  E "$.zzzz: unknown field 'zzzz'\n");
  /* 'connected' is there already: 'conected' is not a slip of it */
  expect_validate("name in use",
                  "{" JOBX("") "," FLEETX(GROUP(",'behavior':'healthy'"),
                                          "'connected':0.9,'conected':0.8") "}",
                  false, E "$.fleet.behaviors.healthy.conected: unknown field 'conected'\n");
  /* a 1-character name: only a case difference would count */
  expect_validate("one character", "{" JOBX("") "," FLEET ",'x':1}", false,
                  E "$.x: unknown field 'x'\n");
  const char *args[] = {"frobnicate", NULL};
  expect_run("far command", args, 2,
             "jobsim: 'frobnicate' is not a jobsim command\njobsim: see 'jobsim --help'\n");
}

/* ---------------------------------------------------- misplacements --- */

static void test_misplaced(void **state) {
  (void)state;
  expect_validate("maximumPerMinute inside exponentialRate",
                  "{" JOBX(",'jobExecutionsRolloutConfig':{'exponentialRate':{"
                           "'baseRatePerMinute':10,'incrementFactor':2,"
                           "'rateIncreaseCriteria':{'numberOfNotifiedThings':5},"
                           "'maximumPerMinute':100}}") "," FLEET "}",
                  false,
                  E "$.job.jobExecutionsRolloutConfig.exponentialRate.maximumPerMinute: "
                    "unknown field 'maximumPerMinute' (it belongs in "
                    "jobExecutionsRolloutConfig, beside exponentialRate)\n");
  expect_validate("baseRatePerMinute beside exponentialRate",
                  "{" JOBX(",'jobExecutionsRolloutConfig':{'baseRatePerMinute':10}") "," FLEET
                  "}",
                  false,
                  E "$.job.jobExecutionsRolloutConfig.baseRatePerMinute: unknown field "
                    "'baseRatePerMinute' (it belongs inside "
                    "jobExecutionsRolloutConfig.exponentialRate)\n");
  expect_validate("inProgressTimeoutInMinutes on the job",
                  "{" JOBX(",'inProgressTimeoutInMinutes':10") "," FLEET "}", false,
                  E "$.job.inProgressTimeoutInMinutes: unknown field "
                    "'inProgressTimeoutInMinutes' (it belongs in timeoutConfig)\n");
  /* the outcomes then sum to 0.9: that follows from it, not listed */
  expect_validate("TIMED_OUT as an outcome",
                  "{" JOBX("") "," FLEETX(GROUP(",'behavior':'healthy'"),
                                          "'outcomes':{'SUCCEEDED':0.9,'TIMED_OUT':0.1}") "}",
                  false,
                  E "$.fleet.behaviors.healthy.outcomes.TIMED_OUT: unknown field 'TIMED_OUT' "
                    "(TIMED_OUT is the status the service gives an execution whose device "
                    "does not report in time: give that device NO_RESPONSE and the job a "
                    "timeoutConfig)\n");
  /* the missing 'behavior' is the same slip, not listed */
  expect_validate("behaviour in a group",
                  "{" JOBX("") "," FLEETX(GROUP(",'behaviour':'healthy'"), "") "}", false,
                  E "$.fleet.groups[0].behaviour: unknown field 'behaviour' (jobsim spells it "
                    "'behavior', US style)\n");
  expect_validate("behaviours in the fleet",
                  "{" JOBX("") ",'fleet':{'groups':[" GROUP(",'behavior':'healthy'")
                  "],'behaviours':{'healthy':{}}}}",
                  false,
                  E "$.fleet.behaviours: unknown field 'behaviours' (jobsim spells it "
                    "'behaviors', US style)\n");
}

/* ------------------------------------------------ syntax: the caret --- */

static void test_caret(void **state) {
  (void)state;
  /* line 3 is 4 blanks, "groups" (cols 5-12), ':' 13, ' ' 14, '[' 15,
   * '1' 16, ',' 17, ' ' 18, '2' 19, ',' 20, ']' 21: the comma is at 20 */
  expect_validate("trailing comma in an array",
                  "{\n  \"fleet\": {\n    \"groups\": [1, 2,]\n  }\n}\n", true,
                  E "invalid JSON at line 3, column 20: trailing comma before ']' (JSON "
                    "allows none)\n"
                    "    3 |     \"groups\": [1, 2,]\n"
                    "      |                    ^\n");
  /* the comma ends line 2 ("  \"name\": \"x\"," : column 14), the '}' is on
   * line 3 */
  expect_validate("trailing comma before a '}' on the next line",
                  "{\n  \"name\": \"x\",\n}\n", true,
                  E "invalid JSON at line 2, column 14: trailing comma before '}' (JSON "
                    "allows none)\n"
                    "    2 |   \"name\": \"x\",\n"
                    "      |              ^\n");
  /* "fleet" starts line 3 at column 3, right after the value "x" */
  expect_validate("missing comma", "{\n  \"name\": \"x\"\n  \"fleet\": {}\n}\n", true,
                  E "invalid JSON at line 3, column 3 (a missing comma before it?)\n"
                    "    3 |   \"fleet\": {}\n"
                    "      |   ^\n");
  /* columns count characters: '{' 1, "description" 2-14, ':' 15, ' ' 16,
   * "é" 17-19, ',' 20, tab 21 (shown as a blank), "x" 22-24, ' ' 25, '1' 26
   * where a ':' should be */
  expect_validate("UTF-8 and a tab before the column",
                  "{\"description\": \"\xc3\xa9\",\t\"x\" 1}", true,
                  E "invalid JSON at line 1, column 26\n"
                    "    1 | {\"description\": \"\xc3\xa9\", \"x\" 1}\n"
                    "      |                          ^\n");
  /* a long line: '{' '"' 'a' '"' ':' ' ' '"' (cols 1-7), 100 x (8-107),
   * '"' 108, ',' 109, ' ' 110, "b" 111-113, ':' 114, ' ' 115, 'n' 116.
   * The excerpt keeps 52 characters before the column: from column 64
   * (an 'x'), so 44 x, then the rest of the line; "..." marks the cut. */
  {
    char text[256], want[512], xs[101];
    memset(xs, 'x', 100);
    xs[100] = 0;
    snprintf(text, sizeof text, "{\"a\": \"%s\", \"b\": nope}", xs);
    snprintf(want, sizeof want,
             E "invalid JSON at line 1, column 116\n"
               "    1 | ...%.44s\", \"b\": nope}\n"
               "      | %55s^\n",
             xs, "");
    expect_validate("long line", text, true, want);
  }
}

/* --------------------------------------------- every problem, once --- */

static void test_all_problems(void **state) {
  (void)state;
  /* five problems in four places, in the loader's order (top level,
   * simulation, behaviours, job) */
  const char *five =
      "{'descripton':'x','simulation':{'seed':-1},"
      "'fleet':{'groups':[{'name':'rev-a','things':10,'behavior':'healthy'}],"
      "'behaviors':{'healthy':{'connected':1.5}}},"
      "'job':{'jobId':'fw-1','targets':['" ARN "thinggroup/rev-a'],'document':'{}',"
      "'targetSelection':'ALL','jobExecutionsRolloutConfig':{'maximumPerMinute':0}}}";
  const char *want5 =
      E "$.descripton: unknown field 'descripton'; did you mean 'description'?\n"
      E "$.simulation.seed: expected an integer from 0 to 9007199254740992\n"
      E "$.fleet.behaviors.healthy.connected: expected a number from 0 to 1\n"
      E "$.job.targetSelection: expected one of SNAPSHOT, CONTINUOUS\n"
      E "$.job.jobExecutionsRolloutConfig.maximumPerMinute: expected an integer from 1 "
        "to 1000\n";
  expect_validate("five problems", five, false, want5);
  /* a required member that is wrong ends the pass: without it nothing
   * after can be checked truthfully (the job's targets name the group) */
  expect_validate("required member",
                  "{" JOBX(",'targetSelection':'ALL'") ",'fleet':{'groups':[{'name':'rev-a',"
                  "'things':0,'behavior':'healthy'}],'behaviors':{'healthy':{}}}}",
                  false, E "$.fleet.groups[0].things: expected an integer from 1 to 100000000\n");
  /* run (and plan, sweep) stop at the first */
  {
    const char *args[] = {"run", "-q", "-o", "out", "s.json", NULL};
    write_scenario(five, false);
    expect_run("run stops at the first", args, 3,
               E "$.descripton: unknown field 'descripton'; did you mean 'description'?\n");
    char out[512];
    struct stat sb;
    snprintf(out, sizeof out, "%s/out", g_dir);
    assert_int_equal(stat(out, &sb), -1);   /* no report */
  }
  /* what follows from a problem is not a problem: an invalid document is
   * not also a missing one; a probability above 1 does not also make the
   * outcomes sum wrong */
  expect_validate("document",
                  "{'job':{'jobId':'fw-1','targets':['" ARN "thinggroup/rev-a'],"
                  "'document':'{nope'}," FLEET "}",
                  false, E "$.job.document: document is not valid JSON\n");
  expect_validate("probability",
                  "{" JOBX("") "," FLEETX(GROUP(",'behavior':'healthy'"),
                                          "'outcomes':{'SUCCEEDED':1.5,'FAILED':0}") "}",
                  false,
                  E "$.fleet.behaviors.healthy.outcomes.SUCCEEDED: expected a number from 0 "
                    "to 1\n");
  /* a repeated member: the repeat is set aside, the next problem found */
  expect_validate("duplicate",
                  "{'name':'a','name':'b'," JOBX(",'targetSelection':'ALL'") "," FLEET "}",
                  false,
                  E "$.name: duplicate field 'name'\n"
                  E "$.job.targetSelection: expected one of SNAPSHOT, CONTINUOUS\n");
}

/* twenty problems: all listed; twenty-five: the first twenty, then one
 * line saying that there are more */
static void test_cap(void **state) {
  (void)state;
  char text[2048], want[8192];
  for (int total = 20; total <= 25; total += 5) {
    size_t t = (size_t)snprintf(text, sizeof text, "{" JOBX("") "," FLEET);
    size_t w = 0;
    want[0] = 0;
    for (int i = 1; i <= total; i++) {
      t += (size_t)snprintf(text + t, sizeof text - t, ",'u%02d':1", i);
      if (i <= 20)
        w += (size_t)snprintf(want + w, sizeof want - w,
                              E "$.u%02d: unknown field 'u%02d'\n", i, i);
    }
    snprintf(text + t, sizeof text - t, "}");
    if (total > 20)
      snprintf(want + w, sizeof want - w,
               E "more problems follow; validate lists the first 20\n");
    expect_validate(total == 20 ? "20 problems" : "25 problems", text, false, want);
  }
}

/* ------------------------------------------------- --vary, no step --- */

/* `jobsim serve` runs jobsim-serve from jobsim's own directory: a jobsim
 * copied alone elsewhere says where it looked, exit 4. (Under valgrind
 * JOBSIM_EXE is a script running JOBSIM_EXE.real: that one is copied.) */
static void test_serve_program_missing(void **state) {
  (void)state;
  char src[600], dst[512];
  snprintf(src, sizeof src, "%s", JOBSIM_EXE);
  char *head = test_read_file(src, NULL);
  assert_non_null(head);
  if (strncmp(head, "#!", 2) == 0) snprintf(src, sizeof src, "%s.real", JOBSIM_EXE);
  free(head);
  snprintf(dst, sizeof dst, "%s/lone", g_dir);
  assert_int_equal(mkdir(dst, 0755), 0);
  snprintf(dst, sizeof dst, "%s/lone/jobsim", g_dir);
  test_copy_file(src, dst);
  assert_int_equal(chmod(dst, 0755), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  char ep[512];
  snprintf(ep, sizeof ep, "%s/.stderr", g_dir);
  if (pid == 0) {
    int fe = open(ep, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fe < 0 || dup2(fe, 2) < 0 || chdir(g_dir) != 0) _exit(126);
    execl(dst, "jobsim", "serve", "s.json", (char *)NULL);
    _exit(127);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0) assert_int_equal(errno, EINTR);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 4);
  char *err = read_all(ep);
  char want[1200];
  snprintf(want, sizeof want, "jobsim: serve: cannot run %s/lone/jobsim-serve: No such file or "
                              "directory (it is built and installed next to jobsim)\n", g_dir);
  assert_string_equal(err, want);
  free(err);
  assert_int_equal(unlink(dst), 0);
  snprintf(dst, sizeof dst, "%s/lone", g_dir);
  assert_int_equal(rmdir(dst), 0);
}

static void test_vary_without_step(void **state) {
  (void)state;
  write_scenario("{" JOBX("") "," FLEET "}", false);
  /* the example step is a quarter of the range: (20 - 5) / 4 = 3.75 */
  const char *args[] = {"sweep", "--vary",
                        "job.abortConfig.criteriaList[0].thresholdPercentage=5:20", "s.json",
                        NULL};
  expect_run("--vary 5:20", args, 2,
             "jobsim: sweep: --vary job.abortConfig.criteriaList[0].thresholdPercentage=5:20: "
             "a range needs a step: start:stop:step, e.g. "
             "job.abortConfig.criteriaList[0].thresholdPercentage=5:20:3.75 gives 5, 8.75, "
             "... up to 20 (stop included when it falls on the grid); or list the values: "
             "job.abortConfig.criteriaList[0].thresholdPercentage=5,20 (to mean the text "
             "'5:20', write it as a JSON string: '\"5:20\"')\n"
             "jobsim: see 'jobsim sweep --help'\n");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_base_is_valid),
      cmocka_unit_test(test_did_you_mean),
      cmocka_unit_test(test_no_suggestion),
      cmocka_unit_test(test_misplaced),
      cmocka_unit_test(test_caret),
      cmocka_unit_test(test_all_problems),
      cmocka_unit_test(test_cap),
      cmocka_unit_test(test_vary_without_step),
      cmocka_unit_test(test_serve_program_missing),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
