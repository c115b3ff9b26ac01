/*
 * bench_fit.c — `jobsim fit` on 1,000,000 execution records (issue 11:
 * at most 5 s and 1 GiB on this machine).
 *
 * The records are synthetic and written the way `aws iot
 * list-job-executions-for-job` prints them (CLI v1 epoch numbers; one
 * document, as the CLI joins its pages), with a describe-job beside them:
 * one thing group "fleet" of N things, a job with maximumPerMinute 20000
 * and a 30-minute in-progress timeout; per thing a lognormal start delay
 * (median 20 s, sigma 0.6; 10 % offline, reconnecting after an exponential
 * 1 h), a gamma run time (shape 3, scale 20 s), outcomes SUCCEEDED 0.92,
 * FAILED 0.05, REJECTED 0.02, NO_RESPONSE 0.01 (TIMED_OUT at 30 min). A
 * fixed GSL seed makes the file the same on every run.
 *
 * Measured, each in a child process (wall time around it; peak RSS from
 * wait4's ru_maxrss): the fit (fit_job_new: read, check, fit every family,
 * build and validate the scenario; what `jobsim fit` does without a
 * backtest), and the bare loop: the same file read and each record's
 * timestamps found and parsed with strtod, differences summed (the least any fit of
 * these records must do). Rounds alternate; medians are printed, and the
 * fit as a ratio to the bare loop.
 *
 * usage: bench_fit [records [rounds]]   (default 1000000 3)
 */
#define _DEFAULT_SOURCE
#include <inttypes.h>
#include <math.h>
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
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "fit.h"

static char g_dir[256], g_dj[300], g_le[300];
static volatile double g_sink;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const double T0 = 1767225600.0;   /* createdAt, 2026-01-01T00:00:00Z */

static void generate(long n) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 11);
  FILE *f = fopen(g_le, "w");
  if (!f) {
    perror(g_le);
    exit(1);
  }
  fputs("{\n    \"executionSummaries\": [\n", f);
  double last = 0;
  for (long i = 0; i < n; i++) {
    double q = (double)(i / 20000) * 60.0;   /* maximumPerMinute 20000 */
    double delay = gsl_ran_lognormal(r, log(20.0), 0.6);
    if (gsl_rng_uniform(r) < 0.10) delay += gsl_ran_exponential(r, 3600.0);
    double s = q + delay, u = gsl_rng_uniform(r), run = gsl_ran_gamma(r, 3, 20.0);
    const char *st;
    bool started = true;
    double end;
    if (u < 0.02) {
      st = "REJECTED";
      started = false;
      end = s;
    } else if (u < 0.03 || run > 1800) {
      st = "TIMED_OUT";
      end = s + 1800;
    } else {
      st = u < 0.08 ? "FAILED" : "SUCCEEDED";
      end = s + run;
    }
    if (end > last) last = end;
    fprintf(f,
            "%s        {\n            \"thingArn\": "
            "\"arn:aws:iot:us-west-2:123456789012:thing/fleet-%07ld\",\n"
            "            \"jobExecutionSummary\": {\n"
            "                \"status\": \"%s\",\n"
            "                \"queuedAt\": %.3f,\n",
            i ? ",\n" : "", i, st, T0 + q);
    if (started) fprintf(f, "                \"startedAt\": %.3f,\n", T0 + s);
    fprintf(f,
            "                \"lastUpdatedAt\": %.3f,\n"
            "                \"executionNumber\": 1,\n"
            "                \"retryAttempt\": 0\n            }\n        }",
            T0 + end);
  }
  fputs("\n    ]\n}\n", f);
  if (fclose(f) != 0) {
    perror(g_le);
    exit(1);
  }
  gsl_rng_free(r);
  f = fopen(g_dj, "w");
  if (!f) {
    perror(g_dj);
    exit(1);
  }
  fprintf(f,
          "{\n    \"job\": {\n"
          "        \"jobArn\": \"arn:aws:iot:us-west-2:123456789012:job/bench\",\n"
          "        \"jobId\": \"bench\",\n        \"targetSelection\": \"SNAPSHOT\",\n"
          "        \"status\": \"COMPLETED\",\n"
          "        \"targets\": [\"arn:aws:iot:us-west-2:123456789012:thinggroup/fleet\"],\n"
          "        \"jobExecutionsRolloutConfig\": {\"maximumPerMinute\": 20000},\n"
          "        \"createdAt\": %.3f,\n        \"lastUpdatedAt\": %.3f,\n"
          "        \"completedAt\": %.3f,\n"
          "        \"timeoutConfig\": {\"inProgressTimeoutInMinutes\": 30}\n    }\n}\n",
          T0, T0 + last, T0 + last);
  fclose(f);
}

/* The bare loop: read the file, parse every timestamp, sum durations. */
static int bare(void) {
  FILE *f = fopen(g_le, "rb");
  if (!f) return 1;
  struct stat st;
  if (fstat(fileno(f), &st) != 0) return 1;
  char *b = malloc((size_t)st.st_size + 1);
  if (!b || fread(b, 1, (size_t)st.st_size, f) != (size_t)st.st_size) return 1;
  b[st.st_size] = 0;
  fclose(f);
  double sum = 0, prev = 0;
  long n = 0;
  for (char *p = b; (p = strstr(p, "At\": ")) != NULL;) {
    p += 5;
    double v = strtod(p, &p);
    sum += v - prev;   /* consecutive timestamps: the durations */
    prev = v;
    n++;
  }
  free(b);
  g_sink = sum + (double)n;
  return 0;
}

static int fit_once(void) {
  const char *ex[1] = {g_le};
  fit_opts o = {.job = g_dj, .executions = ex, .n_executions = 1, .seed = 1,
                .version_info = "bench"};
  fit_job *j = NULL;
  sim_diag d;
  sim_diag_init(&d, NULL);
  if (fit_job_new(&j, &o, &d)) {
    fprintf(stderr, "fit: %s: %s: %s\n", d.file, d.path, d.msg);
    return 1;
  }
  int rc = j->h->n_rec > 0 ? 0 : 1;
  fit_job_free(j);
  return rc;
}

/* Run fn in a child: wall seconds and peak RSS (MiB). */
static int measure(int (*fn)(void), double *secs, double *mib) {
  fflush(NULL);
  double t0 = now();
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) _exit(fn());
  int st;
  struct rusage ru;
  if (wait4(pid, &st, 0, &ru) != pid) return -1;
  *secs = now() - t0;
  *mib = (double)ru.ru_maxrss / 1024.0;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv) {
  gsl_set_error_handler_off();
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  int rounds = argc > 2 ? atoi(argv[2]) : 3;
  if (n < 1 || rounds < 1 || rounds > 50) {
    fprintf(stderr, "usage: bench_fit [records [rounds]]\n");
    return 2;
  }
  snprintf(g_dir, sizeof g_dir, "/tmp/bench_fit-%ld", (long)getpid());
  if (mkdir(g_dir, 0700) != 0) {
    perror(g_dir);
    return 1;
  }
  snprintf(g_dj, sizeof g_dj, "%s/describe-job.json", g_dir);
  snprintf(g_le, sizeof g_le, "%s/list.json", g_dir);
  double t0 = now();
  generate(n);
  struct stat st;
  stat(g_le, &st);
  printf("bench_fit: %ld records, list-job-executions-for-job file %.1f MB (generated in "
         "%.1f s)\n", n, (double)st.st_size / 1e6, now() - t0);
  double fs[50], fm[50], bs[50], bm[50];
  int rc = 0;
  for (int r = 0; r < rounds && !rc; r++) {
    if (measure(bare, &bs[r], &bm[r]) || measure(fit_once, &fs[r], &fm[r])) rc = 1;
    else
      printf("  round %d: bare loop %.3f s %.0f MiB; fit %.3f s %.0f MiB\n", r + 1, bs[r],
             bm[r], fs[r], fm[r]);
  }
  unlink(g_le);
  unlink(g_dj);
  rmdir(g_dir);
  if (rc) {
    fprintf(stderr, "bench_fit: a run failed\n");
    return 1;
  }
  double mf = median(fs, rounds), mb = median(bs, rounds);
  double peak = 0;
  for (int r = 0; r < rounds; r++)
    if (fm[r] > peak) peak = fm[r];
  printf("fit of %ld records: median %.3f s (target <= 5 s), peak RSS %.0f MiB (target <= "
         "1024 MiB); bare loop median %.3f s; fit / bare loop %.2f\n",
         n, mf, peak, mb, mf / mb);
  return 0;
}
