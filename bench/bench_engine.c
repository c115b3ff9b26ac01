/*
 * bench_engine.c — the benchmark of the performance issue: what a user's
 * `jobsim run` costs, against the bare loop of the same model, in one run.
 *
 * The workload, N things (default 1,000,000): constant 1,000/min, start
 * delay exponential mean 10 s, run time lognormal median 60 s sigma 0.5,
 * outcomes 95/3/1/1 % SUCCEEDED/FAILED/REJECTED/NO_RESPONSE, a 10-minute
 * in-progress timeout, FAILED retried twice, an abort rule that never fires,
 * a snapshot every 5 minutes, horizon 30 days.
 *
 * Three figures per size, each in its own process (peak RSS is that
 * process's own, from wait4), alternated round by round, medians printed:
 *   bare loop      bare_loop.c: one binary heap, the same stream,
 *                  distributions and outcomes, counters only, no outputs.
 *                  The floor: every other figure is divided by it.
 *   engine alone   model_engine_new + model_engine_run with no observer:
 *                  no snapshots, no timeline, no store, no files at all.
 *                  Printed beside the headline, never instead of it.
 *   jobsim run     THE HEADLINE: the real `jobsim run -q -o DIR FILE` on the
 *                  scenario written to a file, with no option that turns an
 *                  output off, so exactly the default outputs a user gets:
 *                    describe-job.json (the final describe-job),
 *                    snapshots/ (203 describe-job snapshots, one per 5 min),
 *                    timeline.csv and events.log,
 *                    run.sqlite WITH its execution table (1,031,020 rows at
 *                      1M things: one per execution record) and its
 *                      timeline, job view, counters log, snapshot and event
 *                      tables,
 *                    plots/ (data, scripts and, when gnuplot is on PATH,
 *                      which the first line says, the PNG and SVG images:
 *                      gnuplot's time is inside the figure, its CPU too,
 *                      and its peak RSS if above jobsim's),
 *                    index.html (the report page),
 *                    run.json;
 *                  written to DIR on the local file system (--dir), the
 *                  temporary directory renamed into place at the end, as
 *                  every run does.
 * Wall: for the bare loop and the engine the timed section inside the child
 * (set-up, run, free; not process start or scenario parsing); for
 * `jobsim run` the whole process, fork to exit, as a user waits for it.
 * CPU: user + system time of the child process (for `jobsim run` with its
 * gnuplot); on a shared machine the CPU ratio moves less than the wall one.
 * The three must end with the same counters (checked; exit 1 otherwise).
 *
 * usage: bench_engine [--runs N] [--scale] [--dir DIR] [--jobsim PATH] [things ...]
 *   --runs N   rounds per size (default 5; 1 with --scale)
 *   --scale    sizes 100k 300k 1M 3M 10M unless given
 *   --dir DIR  where scenario files and reports go (default $TMPDIR or /tmp);
 *              everything written there is removed at the end
 * It also prints how busy the machine was: the CPU that other processes
 * used while it ran, from /proc/stat, as a share of all cores.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "bare_loop.h"
#include "engine.h"
#include "scenario.h"

#ifndef JOBSIM_BIN
#define JOBSIM_BIN "jobsim"
#endif

static const char *const scenario_fmt =
    "{\"name\":\"bench-%lld\",\"job\":{\"jobId\":\"bench\","
    "\"targets\":[\"arn:aws:iot:us-west-2:123456789012:thinggroup/fleet\"],"
    "\"document\":\"{}\","
    "\"jobExecutionsRolloutConfig\":{\"maximumPerMinute\":1000},"
    "\"abortConfig\":{\"criteriaList\":[{\"failureType\":\"ALL\",\"action\":\"CANCEL\","
    "\"thresholdPercentage\":50,\"minNumberOfExecutedThings\":1000}]},"
    "\"timeoutConfig\":{\"inProgressTimeoutInMinutes\":10},"
    "\"jobExecutionsRetryConfig\":{\"criteriaList\":[{\"failureType\":\"FAILED\","
    "\"numberOfRetries\":2}]}},"
    "\"fleet\":{\"groups\":[{\"name\":\"fleet\",\"things\":%lld,\"behavior\":\"b\"}],"
    "\"behaviors\":{\"b\":{"
    "\"startDelay\":{\"distribution\":\"exponential\",\"mean\":\"10s\"},"
    "\"runTime\":{\"distribution\":\"lognormal\",\"median\":\"60s\",\"sigma\":0.5},"
    "\"outcomes\":{\"SUCCEEDED\":0.95,\"FAILED\":0.03,\"REJECTED\":0.01,"
    "\"NO_RESPONSE\":0.01}}}},"
    "\"simulation\":{\"seed\":42,\"until\":\"30d\",\"snapshotEvery\":\"5m\"}}\n";

enum { BARE, ENGINE, FULL, NFIG };
static const char *const fig_name[NFIG] = {"bare loop", "engine alone",
                                           "jobsim run (every output)"};

typedef struct counts {   /* what all three must agree on */
  int64_t succeeded, failed, rejected, timed_out, retries;
} counts;

typedef struct sample {
  double wall, cpu;       /* s */
  double rss_mib;         /* peak RSS of the child */
  uint64_t events;
  counts k;
  bool ok;
} sample;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ children --- */

/* `bench_engine --child bare|engine FILE`: run, print one result line. */
static int child_main(const char *what, const char *file) {
  gsl_set_error_handler_off();
  sim_diag d;
  model_scenario *sc = NULL;
  if (model_scenario_load(&sc, file, &d)) {
    fprintf(stderr, "bench_engine: %s: %s: %s\n", d.file, d.path, d.msg);
    return 1;
  }
  counts k = {0};
  uint64_t events = 0;
  double t0 = now_s(), wall;
  if (strcmp(what, "bare") == 0) {
    bare_result r;
    const char *why = NULL;
    int rc = bare_loop_run(sc, sc->sim.seed, &r, &why);
    wall = now_s() - t0;
    if (rc) {
      fprintf(stderr, "bench_engine: bare loop: %s\n", why ? why : "out of memory");
      return 1;
    }
    k = (counts){r.succeeded, r.failed, r.rejected, r.timed_out, r.retries};
    events = r.events;
  } else {
    model_engine *e = NULL;
    int rc = model_engine_new(&e, sc, sc->sim.seed, NULL, &d);
    if (!rc) rc = model_engine_run(e, sc->sim.until);
    if (rc) {
      fprintf(stderr, "bench_engine: engine: %s\n", d.msg[0] ? d.msg : sim_strerror(rc));
      return 1;
    }
    const model_job *j = model_engine_job(e);
    k = (counts){j->counters[MODEL_EXEC_SUCCEEDED], j->counters[MODEL_EXEC_FAILED],
                 j->counters[MODEL_EXEC_REJECTED], j->counters[MODEL_EXEC_TIMED_OUT],
                 j->retries};
    events = model_engine_events(e);
    model_engine_free(e);
    wall = now_s() - t0;
  }
  printf("%.6f %" PRIu64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 "\n",
         wall, events, k.succeeded, k.failed, k.rejected, k.timed_out, k.retries);
  model_scenario_free(sc);
  return 0;
}

/* Run argv with stdout into buf; wall, rusage of the child. */
static bool spawn(char *const argv[], char *buf, size_t n, double *wall, struct rusage *ru) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  fflush(stdout);
  double t0 = now_s();
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[1]);
    execv(argv[0], argv);
    fprintf(stderr, "bench_engine: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  size_t got = 0;
  for (;;) {
    ssize_t r = read(fds[0], buf + got, n - 1 - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
    if (got == n - 1) break;
  }
  buf[got] = 0;
  close(fds[0]);
  int status = 0;
  while (wait4(pid, &status, 0, ru) < 0 && errno == EINTR) {}
  *wall = now_s() - t0;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static double cpu_of(const struct rusage *ru) {
  return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
         (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

/* The number written just before `word` in text ("979734 succeeded"). */
static int64_t number_before(const char *text, const char *word) {
  const char *p = strstr(text, word);
  if (!p) return -1;
  while (p > text && p[-1] == ' ') p--;
  const char *q = p;
  while (q > text && q[-1] >= '0' && q[-1] <= '9') q--;
  return q == p ? -1 : strtoll(q, NULL, 10);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb; (void)flag; (void)ftw;
  return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}
static void rm_tree(const char *dir) { nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

static sample run_fig(int fig, const char *self, const char *jobsim, const char *file,
                      const char *dir) {
  sample s = {0};
  char buf[8192], out[4400], a0[4400], a3[4400];
  char run[] = "run", q[] = "-q", o[] = "-o", child[] = "--child", bare[] = "bare",
       engine[] = "engine";
  struct rusage ru;
  double wall = 0;
  snprintf(a3, sizeof a3, "%s", file);
  if (fig == FULL) {
    snprintf(out, sizeof out, "%.4200s/report", dir);
    snprintf(a0, sizeof a0, "%s", jobsim);
    rm_tree(out);
    char *argv[] = {a0, run, q, o, out, a3, NULL};
    s.ok = spawn(argv, buf, sizeof buf, &wall, &ru);
    s.wall = wall;
    s.k = (counts){number_before(buf, " succeeded,"), number_before(buf, " failed,"),
                   number_before(buf, " rejected,"), number_before(buf, " timed out,"),
                   number_before(buf, " retries;")};
    char rj[4500];
    snprintf(rj, sizeof rj, "%s/run.json", out);
    FILE *f = fopen(rj, "r");
    if (f) {
      size_t len = fread(buf, 1, sizeof buf - 1, f);
      buf[len] = 0;
      fclose(f);
      const char *p = strstr(buf, "\"events\":");
      if (p) s.events = strtoull(p + 9, NULL, 10);
    }
    if (!s.events) s.ok = false;
    rm_tree(out);
  } else {
    snprintf(a0, sizeof a0, "%s", self);
    char *argv[] = {a0, child, fig == BARE ? bare : engine, a3, NULL};
    s.ok = spawn(argv, buf, sizeof buf, &wall, &ru) &&
           sscanf(buf, "%lf %" SCNu64 " %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNd64
                  " %" SCNd64, &s.wall, &s.events, &s.k.succeeded, &s.k.failed,
                  &s.k.rejected, &s.k.timed_out, &s.k.retries) == 7;
  }
  s.cpu = cpu_of(&ru);
  s.rss_mib = (double)ru.ru_maxrss / 1024.0;
  return s;
}

/* ------------------------------------------------------------- figures --- */

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_d);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Busy and idle jiffies of all CPUs so far. */
static void cpu_jiffies(double *busy, double *total) {
  unsigned long long v[10] = {0};
  *busy = *total = 0;
  FILE *f = fopen("/proc/stat", "r");
  if (!f) return;
  if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
             &v[4], &v[5], &v[6], &v[7]) == 8) {
    for (int i = 0; i < 8; i++) *total += (double)v[i];
    *busy = *total - (double)v[3] - (double)v[4];
  }
  fclose(f);
}

static void thousands(long long v, char *buf, size_t n) {
  char d[32];
  int len = snprintf(d, sizeof d, "%lld", v);
  size_t o = 0;
  for (int i = 0; i < len && o + 2 < n; i++) {
    buf[o++] = d[i];
    int k = len - i - 1;
    if (k > 0 && k % 3 == 0) buf[o++] = ',';
  }
  buf[o] = 0;
}

static bool on_path(const char *prog) {
  const char *path = getenv("PATH");
  char buf[4096];
  while (path && *path) {
    const char *end = strchr(path, ':');
    size_t len = end ? (size_t)(end - path) : strlen(path);
    snprintf(buf, sizeof buf, "%.*s/%s", (int)len, path, prog);
    if (access(buf, X_OK) == 0) return true;
    path = end ? end + 1 : NULL;
  }
  return false;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "--child") == 0) return child_main(argv[2], argv[3]);
  long long sizes[16];
  int n = 0, runs = 0;
  bool scale = false;
  const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  const char *jobsim = getenv("JOBSIM") ? getenv("JOBSIM") : JOBSIM_BIN;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--scale") == 0) scale = true;
    else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = atoi(argv[++i]);
    else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) base = argv[++i];
    else if (strcmp(argv[i], "--jobsim") == 0 && i + 1 < argc) jobsim = argv[++i];
    else if (argv[i][0] >= '1' && argv[i][0] <= '9' && n < 16) sizes[n++] = atoll(argv[i]);
    else {
      fprintf(stderr, "usage: bench_engine [--runs N] [--scale] [--dir DIR] "
                      "[--jobsim PATH] [things ...]\n");
      return 2;
    }
  }
  if (n == 0) {
    static const long long scale_sizes[] = {100000, 300000, 1000000, 3000000, 10000000};
    if (scale)
      for (n = 0; n < 5; n++) sizes[n] = scale_sizes[n];
    else
      sizes[n++] = 1000000;
  }
  if (runs < 1) runs = scale ? 1 : 5;
  char self[4096];
  ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
  if (sl <= 0) return 1;
  self[sl] = 0;
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/jobsim-bench-%ld", base, (long)getpid());
  if (mkdir(dir, 0700) != 0) {
    fprintf(stderr, "bench_engine: cannot create %s: %s\n", dir, strerror(errno));
    return 1;
  }
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  printf("bench_engine: %d alternated run%s per size; jobsim = %s; gnuplot %s; reports in "
         "%s\n", runs, runs == 1 ? "" : "s", jobsim,
         on_path("gnuplot") ? "on PATH (plots drawn)" : "NOT on PATH (plots skipped)", dir);
  int bad = 0;
  struct {
    long long things;
    double med[NFIG][4];   /* wall, cpu, rss, events/s */
    double ratio[NFIG];    /* median over rounds of wall / that round's bare wall */
    uint64_t events[NFIG];
  } tab[16];
  double busy0, total0, busy1, total1;
  struct rusage ch0, ch1;
  getrusage(RUSAGE_CHILDREN, &ch0);
  double t_start = now_s();
  cpu_jiffies(&busy0, &total0);
  for (int i = 0; i < n; i++) {
    char file[4300];
    snprintf(file, sizeof file, "%s/bench-%lld.json", dir, sizes[i]);
    FILE *f = fopen(file, "w");
    if (!f || fprintf(f, scenario_fmt, sizes[i], sizes[i]) < 0 || fclose(f) != 0) {
      fprintf(stderr, "bench_engine: cannot write %s\n", file);
      bad = 1;
      break;
    }
    double v[NFIG][4][64], walls[64][NFIG], rr[NFIG][64];
    int nr[NFIG] = {0};
    sample first[NFIG];
    int got[NFIG] = {0};
    for (int r = 0; r < runs && r < 64; r++) {
      for (int j = 0; j < NFIG; j++) walls[r][j] = 0;
      for (int j = 0; j < NFIG; j++) {
        int fig = (r + j) % NFIG;   /* rotate the order round by round */
        sample s = run_fig(fig, self, jobsim, file, dir);
        printf("  things=%lld run=%d %-26s wall_s=%.3f cpu_s=%.3f events=%" PRIu64
               " peak_rss_mib=%.1f%s\n", sizes[i], r + 1, fig_name[fig], s.wall, s.cpu,
               s.events, s.rss_mib, s.ok ? "" : " FAILED");
        fflush(stdout);
        if (!s.ok) { bad = 1; continue; }
        if (got[fig] == 0) first[fig] = s;
        else if (memcmp(&first[fig].k, &s.k, sizeof s.k) != 0) bad = 1;
        int g = got[fig]++;
        v[fig][0][g] = s.wall;
        v[fig][1][g] = s.cpu;
        v[fig][2][g] = s.rss_mib;
        v[fig][3][g] = (double)s.events / s.wall;
        walls[r][fig] = s.wall;
      }
      for (int fig = 0; fig < NFIG; fig++)
        if (walls[r][BARE] > 0 && walls[r][fig] > 0)
          rr[fig][nr[fig]++] = walls[r][fig] / walls[r][BARE];
    }
    tab[i].things = sizes[i];
    for (int fig = 0; fig < NFIG; fig++) {
      if (!got[fig]) { bad = 1; memset(tab[i].med[fig], 0, sizeof tab[i].med[fig]); continue; }
      for (int m = 0; m < 4; m++) tab[i].med[fig][m] = median(v[fig][m], got[fig]);
      tab[i].events[fig] = first[fig].events;
      tab[i].ratio[fig] = nr[fig] ? median(rr[fig], nr[fig]) : 0;
    }
    if (got[BARE] && got[ENGINE] && got[FULL]) {
      bool same = memcmp(&first[BARE].k, &first[ENGINE].k, sizeof(counts)) == 0 &&
                  memcmp(&first[BARE].k, &first[FULL].k, sizeof(counts)) == 0;
      const counts *k = &first[BARE].k;
      printf("  counters: %" PRId64 " succeeded, %" PRId64 " failed, %" PRId64
             " rejected, %" PRId64 " timed out, %" PRId64 " retries; same in all three "
             "figures and runs: %s\n", k->succeeded, k->failed, k->rejected, k->timed_out,
             k->retries, same && !bad ? "yes" : "NO");
      if (!same) bad = 1;
    }
    remove(file);
  }
  cpu_jiffies(&busy1, &total1);
  double elapsed = now_s() - t_start;
  getrusage(RUSAGE_CHILDREN, &ch1);
  double ours = cpu_of(&ch1) - cpu_of(&ch0);
  long hz = sysconf(_SC_CLK_TCK);
  double busy = (busy1 - busy0) / (double)hz;
  double others = busy - ours;
  if (others < 0) others = 0;

  printf("\nmedians of %d alternated run%s (wall: timed section for the bare loop and the "
         "engine, the whole process for jobsim run with every default output; wall / bare: "
         "ratio of the medians; per-round ratio: median of each round's wall over that "
         "round's bare loop; CPU / bare: ratio of the CPU medians):\n",
         runs, runs == 1 ? "" : "s");
  printf("| things | figure | wall s | CPU s | events/s | peak RSS MiB | bytes/thing "
         "| wall / bare | per-round ratio | CPU / bare |\n"
         "|---|---|---|---|---|---|---|---|---|---|\n");
  for (int i = 0; i < n && tab[i].things; i++) {
    char th[40];
    thousands(tab[i].things, th, sizeof th);
    for (int fig = 0; fig < NFIG; fig++) {
      const double *m = tab[i].med[fig];
      double bare = tab[i].med[BARE][0];
      double bare_cpu = tab[i].med[BARE][1];
      printf("| %s | %s | %.3f | %.3f | %.2f M | %.1f | %.1f | %.2fx | %.2fx | %.2fx |\n",
             th, fig_name[fig], m[0], m[1], m[3] / 1e6, m[2],
             m[2] * 1048576.0 / (double)tab[i].things, bare > 0 ? m[0] / bare : 0,
             tab[i].ratio[fig], bare_cpu > 0 ? m[1] / bare_cpu : 0);
    }
  }
  printf("\nmachine: %ld CPUs; over the %.1f s of this benchmark other processes used "
         "%.1f CPU-s (%.0f%% of all cores); load average now: ", ncpu, elapsed, others,
         100.0 * others / (elapsed * (double)ncpu));
  FILE *la = fopen("/proc/loadavg", "r");
  char line[128] = "?";
  if (la) {
    if (!fgets(line, sizeof line, la)) strcpy(line, "?\n");
    fclose(la);
  }
  fputs(line, stdout);
  rm_tree(dir);
  return bad;
}
