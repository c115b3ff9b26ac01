/*
 * bench_engine.c — the core benchmark of the engine issue. Builds the
 * workload scenario for N things in memory and runs `jobsim run` on it:
 * constant 1,000/min, start delay exponential mean 10 s, run time lognormal
 * median 60 s sigma 0.5, outcomes 95/3/1/1 % SUCCEEDED/FAILED/REJECTED/
 * NO_RESPONSE, 10-minute in-progress timeout, FAILED retried twice, an abort
 * rule that never fires, a timeline row per minute and a snapshot every 5
 * minutes, all written to a report directory.
 *
 * usage: bench_engine [--store] [things ...]   (default: 1000000 10000000)
 * Prints wall time, events/s, peak pending events and peak RSS per size.
 * Each size runs in a child process so peak RSS is that run's own.
 *
 * --store also runs each size twice more with the SQLite store (run.sqlite):
 * without and with its execution table, and prints what the store costs
 * over the core run and what storing the per-execution records adds.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "run.h"
#include "scenario.h"

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
    "\"simulation\":{\"seed\":42,\"until\":\"30d\",\"snapshotEvery\":\"5m\"}}";

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum { CORE, STORE, STORE_EXECUTIONS };

/* One run; its wall time and record count go to `fd` for the parent. */
static int bench_one(long long things, const char *outdir, int mode, int fd) {
  char text[4096];
  snprintf(text, sizeof text, scenario_fmt, things, things);
  sim_diag d;
  model_scenario *sc = NULL;
  if (model_scenario_load_text(&sc, "bench.json", text, strlen(text), &d)) {
    fprintf(stderr, "bench: %s\n", d.msg);
    return 1;
  }
  report_run_opts o = {.write_files = true, .version_info = "bench",
                       .store = mode != CORE, .no_executions = mode == STORE};
  report_run_stats st;
  double t0 = now_s();
  int rc = report_run(sc, sc->sim.seed, outdir, &o, &st, &d);
  double wall = now_s() - t0;
  if (rc) {
    fprintf(stderr, "bench: %s\n", d.msg);
    model_scenario_free(sc);
    return 1;
  }
  double msg[2] = {wall, (double)st.job.records};
  if (write(fd, msg, sizeof msg) != (ssize_t)sizeof msg) return 1;
  if (mode != CORE) {
    model_scenario_free(sc);
    return 0;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("things=%lld wall_s=%.3f events=%" PRIu64 " events_per_s=%.0f "
         "peak_pending=%zu peak_rss_mib=%.1f sim_end_h=%.1f status=%s "
         "records=%" PRId64 " snapshots=%zu rows=%zu\n",
         things, wall, st.events, (double)st.events / wall, st.peak_pending,
         (double)ru.ru_maxrss / 1024.0, (double)st.end / 3600000.0,
         model_job_status_name(st.job.status), st.job.records, st.snapshots, st.rows);
  fflush(stdout);
  model_scenario_free(sc);
  return 0;
}

/* Run one mode in a child process; false on failure. */
static bool run_child(long long things, const char *outdir, int mode, double *wall,
                      double *records) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    _exit(bench_one(things, outdir, mode, fds[1]));
  }
  close(fds[1]);
  double msg[2] = {0, 0};
  ssize_t got = read(fds[0], msg, sizeof msg);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  *wall = msg[0];
  *records = msg[1];
  return got == (ssize_t)sizeof msg && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void thousands(long long v, char *buf, size_t n) {
  char d[32];
  int len = snprintf(d, sizeof d, "%lld", v), k = 0;
  size_t o = 0;
  for (int i = 0; i < len && o + 2 < n; i++) {
    buf[o++] = d[i];
    k = len - i - 1;
    if (k > 0 && k % 3 == 0) buf[o++] = ',';
  }
  buf[o] = 0;
}

int main(int argc, char **argv) {
  gsl_set_error_handler_off();
  long long sizes[16] = {1000000, 10000000};
  int n = 2;
  bool store = false;
  int given = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--store") == 0) { store = true; continue; }
    if (given == 0) n = 0;
    given++;
    if (n < 16) sizes[n++] = atoll(argv[i]);
  }
  char outdir[256];
  snprintf(outdir, sizeof outdir, "/tmp/jobsim-bench-%ld", (long)getpid());
  int bad = 0;
  for (int i = 0; i < n; i++) {
    double core = 0, with_store = 0, with_exec = 0, records = 0, r2 = 0;
    if (!run_child(sizes[i], outdir, CORE, &core, &records)) { bad = 1; continue; }
    if (!store) continue;
    if (!run_child(sizes[i], outdir, STORE, &with_store, &r2) ||
        !run_child(sizes[i], outdir, STORE_EXECUTIONS, &with_exec, &r2)) {
      bad = 1;
      continue;
    }
    char recs[40];
    thousands((long long)records, recs, sizeof recs);
    printf("things=%lld core_wall_s=%.3f store_wall_s=%.3f store_executions_wall_s=%.3f\n"
           "the store without executions adds %.2f s; storing %s per-execution records "
           "adds %.2f s more\n",
           sizes[i], core, with_store, with_exec, with_store - core, recs,
           with_exec - with_store);
    fflush(stdout);
  }
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", outdir);
  if (system(cmd) != 0) bad = 1;
  return bad;
}
