/*
 * test_cli_badinput.c — the bad-input catalogue: malformed and hostile
 * scenario files, each run through `jobsim validate` (JOBSIM_EXE).
 *
 * Three sources of cases:
 *  - every tests/bad/<name>.json, with tests/bad/<name>.expect holding two
 *    lines: the exit code and a fragment of the message (usually
 *    "JSON.PATH: rule") that must appear on stderr; jobsim runs in
 *    tests/bad with the relative file name, so messages are stable;
 *  - files too big to commit (10 MB strings, 100,000 nested brackets, maps
 *    of 200,000 members), generated into a scratch directory;
 *  - paths that are not scenario files at all (a directory, /dev/zero).
 *
 * For each: jobsim is not killed by a signal and finishes within
 * CASE_TIMEOUT_S seconds, the exit code is the expected one, stdout is
 * empty, stderr starts with a line "jobsim: FILE: ..." naming the scenario
 * (or the job file it points to) that contains the fragment, and holds no
 * raw control character (hostile keys are escaped); further lines are other
 * problems of the file ("jobsim: ...") or, after a JSON syntax error, the
 * line with a caret (two lines starting with a blank).
 */
#define _XOPEN_SOURCE 700   /* fork, execv, mkdtemp, nftw */
#include "test_common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef JOBSIM_EXE
#error "JOBSIM_EXE must name the jobsim executable"
#endif

#define BAD_DIR JOBSIM_SOURCE_DIR "/tests/bad"
#ifndef JOBSIM_TIMEOUT_SCALE
#define JOBSIM_TIMEOUT_SCALE 1
#endif
#define CASE_TIMEOUT_S (60 * JOBSIM_TIMEOUT_SCALE)   /* scaled under valgrind */

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
  if (n) memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

static void buf_str(buf *b, const char *s) { buf_add(b, s, strlen(s)); }

static void buf_rep(buf *b, const char *s, size_t times) {
  size_t n = strlen(s);
  for (size_t i = 0; i < times; i++) buf_add(b, s, n);
}

static void buf_fmt(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_fmt(buf *b, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  assert_true(n >= 0 && (size_t)n < sizeof tmp);
  buf_add(b, tmp, (size_t)n);
}

/* What a run of jobsim left behind. */
typedef struct run {
  int status;      /* waitpid status */
  bool timed_out;  /* killed after CASE_TIMEOUT_S */
  double seconds;  /* wall time */
  buf out, err;
} run;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run `jobsim validate <arg>` in `dir` with stdin from /dev/null. */
static void run_validate(const char *dir, const char *arg, run *r) {
  int out[2], err[2];
  memset(r, 0, sizeof *r);
  buf_add(&r->out, "", 0);
  buf_add(&r->err, "", 0);
  assert_int_equal(pipe(out), 0);
  assert_int_equal(pipe(err), 0);
  double t0 = now_s();
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int nul = open("/dev/null", O_RDONLY);
    if (nul < 0 || dup2(nul, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0 ||
        chdir(dir) != 0)
      _exit(127);
    close(out[0]);
    close(err[0]);
    char exe[] = JOBSIM_EXE, cmd[] = "validate", file[1024];
    snprintf(file, sizeof file, "%s", arg);
    char *argv[] = {exe, cmd, file, NULL};
    execv(JOBSIM_EXE, argv);
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    int left_ms = (int)((t0 + CASE_TIMEOUT_S - now_s()) * 1000);
    if (left_ms <= 0) {
      r->timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    int n = poll(fds, 2, left_ms);
    if (n < 0 && errno == EINTR) continue;
    assert_true(n >= 0);
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char tmp[65536];
      ssize_t got = read(fds[i].fd, tmp, sizeof tmp);
      if (got > 0) {
        buf_add(i == 0 ? &r->out : &r->err, tmp, (size_t)got);
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        open_fds--;
      }
    }
  }
  for (int i = 0; i < 2; i++)
    if (fds[i].fd >= 0) close(fds[i].fd);
  assert_int_equal(waitpid(pid, &r->status, 0), pid);
  r->seconds = now_s() - t0;
}

static void run_release(run *r) {
  free(r->out.s);
  free(r->err.s);
}

/* The checks every case shares. `file` is the name jobsim was given. */
static void check_case(const char *dir, const char *file, int want_exit,
                       const char *fragment) {
  run r;
  run_validate(dir, file, &r);
  print_message("%s: exit %d expected, %.2f s\n", file, want_exit, r.seconds);
  if (r.timed_out)
    fail_msg("%s: jobsim hung (killed after %d s)", file, CASE_TIMEOUT_S);
  if (WIFSIGNALED(r.status))
    fail_msg("%s: jobsim died of signal %d; stderr: %s", file, WTERMSIG(r.status),
             r.err.s);
  assert_true(WIFEXITED(r.status));
  if (WEXITSTATUS(r.status) != want_exit)
    fail_msg("%s: expected exit %d, got %d; stderr: %s", file, want_exit,
             WEXITSTATUS(r.status), r.err.s);
  if (r.out.n != 0)
    fail_msg("%s: a failure wrote to stdout: %s", file, r.out.s);
  /* one line, naming the scenario or the job file it points to */
  char prefix[1024], jprefix[1024];
  snprintf(prefix, sizeof prefix, "jobsim: %s: ", file);
  snprintf(jprefix, sizeof jprefix, "jobsim: jobfiles/");
  if (strncmp(r.err.s, prefix, strlen(prefix)) != 0 &&
      strncmp(r.err.s, jprefix, strlen(jprefix)) != 0)
    fail_msg("%s: stderr does not start with '%s': %s", file, prefix, r.err.s);
  /* lines: the problem the case is about, then perhaps the others validate
   * found in the file ("jobsim: " lines) or, after a JSON syntax error, the
   * offending line and its caret (two lines that start with a blank) */
  if (r.err.n == 0 || r.err.s[r.err.n - 1] != '\n')
    fail_msg("%s: stderr does not end in a newline: %s", file, r.err.s);
  const char *nl = memchr(r.err.s, '\n', r.err.n);
  size_t excerpt = 0;
  for (const char *l = nl + 1; l < r.err.s + r.err.n; l = strchr(l, '\n') + 1) {
    if (l[0] == ' ')
      excerpt++;
    else if (strncmp(l, "jobsim: ", 8) != 0)
      fail_msg("%s: stray line on stderr: %s", file, r.err.s);
  }
  if (excerpt != 0 && (excerpt != 2 || nl[1] != ' ' || strchr(nl + 1, '\n')[1] != ' '))
    fail_msg("%s: an excerpt is two lines right after the first: %s", file, r.err.s);
  for (size_t i = 0; i + 1 < r.err.n; i++)
    if (((unsigned char)r.err.s[i] < 0x20 && r.err.s[i] != '\n') || r.err.s[i] == 0x7f)
      fail_msg("%s: raw control character 0x%02x on stderr at byte %zu", file,
               (unsigned char)r.err.s[i], i);
  char *first = strndup(r.err.s, (size_t)(nl - r.err.s));
  assert_non_null(first);
  if (strstr(first, fragment) == NULL)
    fail_msg("%s: the first line lacks '%s'; got: %s", file, fragment, r.err.s);
  free(first);
  run_release(&r);
}

/* ------------------------------------------------ committed catalogue --- */

typedef struct bad_case {
  char name[256];      /* file name in tests/bad */
  int exit_code;       /* expected exit code */
  char fragment[1024]; /* must appear on stderr */
} bad_case;

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void read_expect(const char *name, bad_case *c) {
  char path[1024], line[sizeof c->fragment];
  size_t n = strlen(name);
  snprintf(path, sizeof path, "%s/%.*s.expect", BAD_DIR, (int)(n - 5), name);
  FILE *f = fopen(path, "r");
  if (f == NULL) fail_msg("%s: no %s (two lines: exit code, fragment)", name, path);
  snprintf(c->name, sizeof c->name, "%s", name);
  if (!fgets(line, sizeof line, f) || sscanf(line, "%d", &c->exit_code) != 1)
    fail_msg("%s: first line must be the exit code", path);
  if (!fgets(line, sizeof line, f) || strlen(line) < 2)
    fail_msg("%s: second line must be the message fragment", path);
  line[strcspn(line, "\n")] = '\0';
  memcpy(c->fragment, line, sizeof line);
  fclose(f);
}

static void test_catalogue(void **state) {
  (void)state;
  DIR *dir = opendir(BAD_DIR);
  assert_non_null(dir);
  char **names = NULL;
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir(dir)) != NULL) {
    size_t len = strlen(de->d_name);
    if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0) {
      names = realloc(names, (n + 1) * sizeof *names);
      assert_non_null(names);
      names[n] = strdup(de->d_name);
      assert_non_null(names[n++]);
    }
  }
  closedir(dir);
  qsort(names, n, sizeof *names, cmp_names);
  print_message("tests/bad: %zu files\n", n);
  assert_true(n >= 60);
  for (size_t i = 0; i < n; i++) {
    bad_case c;
    read_expect(names[i], &c);
    check_case(BAD_DIR, c.name, c.exit_code, c.fragment);
    free(names[i]);
  }
  free(names);
}


/* Finding 12 (issue 9): a startTime up to year 9999 was allowed but cron
 * years stop at 2199: a 2200 start with a daily window validated and stayed
 * SCHEDULED for ever; a cron year in the past was accepted and never rolled
 * out. validate says when a window never opens, or none before the
 * horizon. */
static void finding_12_windows_never_open(void **state) {
  (void)state;
  static const char *const files[] = {"job-window-start-2200.json", "job-window-past-year.json",
                                      "job-window-feb-30.json",
                                      "job-window-after-horizon.json"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    bad_case c;
    read_expect(files[i], &c);
    check_case(BAD_DIR, c.name, c.exit_code, c.fragment);
  }
}

/* ------------------------------------------------- generated, big ones --- */

static char g_dir[256];   /* scratch directory */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb; (void)flag; (void)ftw;
  return remove(p);
}

static void write_file(const char *name, const buf *b) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", g_dir, name);
  FILE *f = fopen(path, "wb");
  if (f == NULL) fail_msg("cannot create %s: %s", path, strerror(errno));
  if (b->n && fwrite(b->s, 1, b->n, f) != b->n) fail_msg("short write to %s", path);
  assert_int_equal(fclose(f), 0);
}

#define ARN "arn:aws:iot:us-west-2:123456789012:"

/* A valid scenario around `fleet` (a JSON object text) and `extra` members
 * ("" or ", ..."), with one target on group g0. */
static void scenario(buf *b, const char *fleet_groups, const char *behaviors,
                     const char *extra) {
  buf_fmt(b, "{\"job\": {\"jobId\": \"gen\", \"targets\": [\"" ARN
             "thinggroup/g0\"], \"document\": \"{}\"}");
  buf_str(b, ", \"fleet\": {\"groups\": ");
  buf_add(b, fleet_groups, strlen(fleet_groups));
  buf_str(b, ", \"behaviors\": ");
  buf_add(b, behaviors, strlen(behaviors));
  buf_str(b, "}");
  buf_add(b, extra, strlen(extra));
  buf_str(b, "}\n");
}

static const char one_group[] = "[{\"name\": \"g0\", \"things\": 10, \"behavior\": \"b\"}]";
static const char one_behavior[] = "{\"b\": {}}";

static void gen_and_check(const char *name, const buf *b, int want_exit,
                          const char *fragment) {
  write_file(name, b);
  check_case(g_dir, name, want_exit, fragment);
}

static void test_generated(void **state) {
  (void)state;
  buf b = {0};

  /* 100,000 '[' and 100,000 '{"a":' : stopped by the depth pre-scan */
  buf_rep(&b, "[", 100000);
  gen_and_check("nesting-100000-arrays.json", &b, 3,
                "nesting deeper than 64 levels at line 1, column 65");
  b.n = 0;
  buf_rep(&b, "{\"a\":", 100000);
  gen_and_check("nesting-100000-objects.json", &b, 3,
                "nesting deeper than 64 levels at line 1, column 321");

  /* a 10 MB description and a 10 MB job document */
  buf s = {0};
  buf_str(&s, ", \"description\": \"");
  buf_rep(&s, "0123456789", 1000000);
  buf_str(&s, "\"");
  b.n = 0;
  scenario(&b, one_group, one_behavior, s.s);
  gen_and_check("description-10mb.json", &b, 3,
                "$.description: expected a string of 0 to 4096 characters");
  b.n = 0;
  buf_str(&b, "{\"job\": {\"jobId\": \"gen\", \"targets\": [\"" ARN "thinggroup/g0\"], "
              "\"document\": \"");
  buf_rep(&b, "0123456789", 1000000);
  buf_fmt(&b, "\"}, \"fleet\": {\"groups\": %s, \"behaviors\": %s}}", one_group,
          one_behavior);
  gen_and_check("document-10mb.json", &b, 3,
                "$.job.document: expected a string of 0 to 32768 characters");

  /* a map of 200,000 behaviours whose last name repeats the first: found
   * by sorting (this took minutes when each name was compared with all) */
  s.n = 0;
  buf_str(&s, "{");
  for (int i = 0; i < 200000; i++) buf_fmt(&s, "\"b%d\": {}, ", i);
  buf_str(&s, "\"b0\": {}}");
  b.n = 0;
  scenario(&b, "[{\"name\": \"g0\", \"things\": 10, \"behavior\": \"b1\"}]", s.s, "");
  gen_and_check("behaviors-200000-duplicate.json", &b, 3,
                "$.fleet.behaviors.b0: duplicate field 'b0'");

  /* 1,000,000 listed thing names, the last one a repeat */
  s.n = 0;
  buf_str(&s, "[{\"name\": \"g0\", \"behavior\": \"b\", \"things\": [");
  for (int i = 0; i < 1000000; i++) buf_fmt(&s, "\"t%d\", ", i);
  buf_str(&s, "\"t999\"]}]");
  b.n = 0;
  scenario(&b, s.s, one_behavior, "");
  gen_and_check("things-1000000-names-duplicate.json", &b, 3,
                "$.fleet.groups: thing name 't999' appears more than once in the fleet");

  /* 100,000 groups, 10,000 targets, 100,001 operations */
  s.n = 0;
  buf_str(&s, "[");
  for (int i = 0; i < 100000; i++)
    buf_fmt(&s, "%s{\"name\": \"g%d\", \"things\": 1, \"behavior\": \"b\"}", i ? "," : "", i);
  buf_str(&s, "]");
  b.n = 0;
  scenario(&b, s.s, one_behavior, "");
  gen_and_check("groups-100000.json", &b, 3,
                "$.fleet.groups: expected 1 to 1024 groups, got 100000");
  b.n = 0;
  buf_str(&b, "{\"job\": {\"jobId\": \"gen\", \"document\": \"{}\", \"targets\": [");
  for (int i = 0; i < 10000; i++)
    buf_fmt(&b, "%s\"" ARN "thing/g0-%06d\"", i ? "," : "", i);
  buf_fmt(&b, "]}, \"fleet\": {\"groups\": [{\"name\": \"g0\", \"things\": 10000, "
              "\"behavior\": \"b\"}], \"behaviors\": %s}}", one_behavior);
  gen_and_check("targets-10000.json", &b, 3,
                "$.job.targets: expected 1 to 100 targets, got 10000");
  s.n = 0;
  buf_str(&s, ", \"operations\": [");
  for (int i = 0; i <= 100000; i++)
    buf_fmt(&s, "%s{\"at\": \"1m\", \"op\": \"cancel-job\"}", i ? "," : "");
  buf_str(&s, "]");
  b.n = 0;
  scenario(&b, one_group, one_behavior, s.s);
  gen_and_check("operations-100001.json", &b, 3,
                "$.operations: expected at most 100000 operations, got 100001");

  free(s.s);
  free(b.s);
}

/* ---------------------------------------------- paths that are not files --- */

static void test_paths(void **state) {
  (void)state;
  /* a directory, a device without end, a file that does not exist */
  check_case(BAD_DIR, "jobfiles", 4,
             "cannot read 'jobfiles': not a regular file (a directory)");
  check_case(BAD_DIR, "/dev/zero", 4,
             "cannot read '/dev/zero': not a regular file (a character device)");
  check_case(BAD_DIR, "no-such-scenario.json", 4,
             "cannot open 'no-such-scenario.json': No such file or directory");
}

/* Finding 14 (issue 9): a FIFO given as the scenario file or as the "job"
 * path blocked jobsim forever in open(). Only regular files are read. */
static void finding_14_fifo_paths(void **state) {
  (void)state;
  char fifo[512];
  snprintf(fifo, sizeof fifo, "%s/fifo.json", g_dir);
  assert_int_equal(mkfifo(fifo, 0600), 0);
  check_case(g_dir, "fifo.json", 4, "cannot read 'fifo.json': not a regular file (a FIFO)");
  buf b = {0};
  buf_fmt(&b, "{\"job\": \"fifo.json\", \"fleet\": {\"groups\": %s, \"behaviors\": %s}}\n",
          one_group, one_behavior);
  write_file("job-fifo.json", &b);
  check_case(g_dir, "job-fifo.json", 4,
             "$.job: job file: cannot read 'fifo.json': not a regular file (a FIFO)");
  free(b.s);
  remove(fifo);
}

int main(void) {
  const char *tmp = getenv("TMPDIR");
  snprintf(g_dir, sizeof g_dir, "%s/jobsim-bad-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(g_dir) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_catalogue),
      cmocka_unit_test(test_generated),
      cmocka_unit_test(test_paths),
      cmocka_unit_test(finding_14_fifo_paths),
      cmocka_unit_test(finding_12_windows_never_open),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return rc;
}
