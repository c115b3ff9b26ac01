/*
 * bench_serve.c — the benchmark of the serve issue: describe-job on a served
 * 1,000,000-thing fleet while the clock runs at --speed 60 (the rollout is
 * moving: 1,000 executions per simulated minute, so about 1,000 per wall
 * second), median latency and requests per second.
 *
 * It starts `jobsim serve SCENARIO --port 0 --speed 60`, then measures with a
 * small keep-alive HTTP/1.1 client (this file): latency on one connection,
 * one request at a time; throughput with 8 connections, each with one
 * request in flight. As the same-run reference it measures GET /jobsim/clock
 * (the server's cheapest answer: the HTTP round trip and nothing else) the
 * same way, alternating the two, and prints describe-job's figures beside
 * the reference's and as a ratio; each figure is the median of the rounds.
 *
 * usage: bench_serve [things [seconds-per-measure [rounds]]]
 *        (default 1000000 2 3)
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const scenario_fmt =
    "{\"name\":\"bench-serve\",\"job\":{\"jobId\":\"bench\","
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

static int port;

static int dial(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    perror("bench_serve: connect");
    exit(1);
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

/* One keep-alive connection of the client. */
typedef struct conn {
  int fd;
  char buf[1 << 16];
  size_t len;
  double sent;
} conn;

/* Bytes of one whole response at the start of c->buf (0: not complete yet;
 * -1: malformed or not 200). Responses come from jobsim serve itself:
 * a status line, headers with Content-Length, the body. */
static long whole_response(const conn *c) {
  const char *end = NULL;
  for (size_t i = 0; i + 3 < c->len; i++)
    if (memcmp(c->buf + i, "\r\n\r\n", 4) == 0) {
      end = c->buf + i + 4;
      break;
    }
  if (!end) return 0;
  if (strncmp(c->buf, "HTTP/1.1 200", 12) != 0) return -1;
  long cl = -1;
  for (const char *p = c->buf; p < end; p++)
    if ((p == c->buf || p[-1] == '\n') && strncasecmp(p, "content-length:", 15) == 0)
      cl = strtol(p + 15, NULL, 10);
  if (cl < 0) return -1;
  long total = (long)(end - c->buf) + cl;
  return (long)c->len >= total ? total : 0;
}

static void send_req(conn *c, const char *path) {
  char req[256];
  int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", path,
                   port);
  c->sent = now_s();
  if (write(c->fd, req, (size_t)n) != n) {
    perror("bench_serve: write");
    exit(1);
  }
}

/* Read until one response is complete; returns its latency. */
static double await(conn *c) {
  for (;;) {
    long got = whole_response(c);
    if (got < 0) {
      fprintf(stderr, "bench_serve: bad response: %.80s\n", c->buf);
      exit(1);
    }
    if (got > 0) {
      memmove(c->buf, c->buf + got, c->len - (size_t)got);
      c->len -= (size_t)got;
      return now_s() - c->sent;
    }
    ssize_t r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
    if (r <= 0) {
      fprintf(stderr, "bench_serve: connection closed\n");
      exit(1);
    }
    c->len += (size_t)r;
  }
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef struct figures {
  double median_ms, p99_ms, rps1, rps8;
} figures;

static figures measure(const char *path, double secs) {
  figures f = {0};
  /* latency: one connection, one request at a time */
  conn *c = calloc(1, sizeof *c);
  c->fd = dial();
  size_t cap = 1 << 20, n = 0;
  double *lat = malloc(cap * sizeof *lat);
  double t0 = now_s();
  while (now_s() - t0 < secs && n < cap) {
    send_req(c, path);
    lat[n++] = await(c);
  }
  double el = now_s() - t0;
  qsort(lat, n, sizeof *lat, cmp_d);
  f.median_ms = lat[n / 2] * 1e3;
  f.p99_ms = lat[n * 99 / 100] * 1e3;
  f.rps1 = (double)n / el;
  close(c->fd);
  free(c);
  free(lat);
  /* throughput: 8 connections, one request in flight on each */
  enum { K = 8 };
  conn *cs = calloc(K, sizeof *cs);
  struct pollfd pf[K];
  for (int i = 0; i < K; i++) {
    cs[i].fd = dial();
    pf[i] = (struct pollfd){.fd = cs[i].fd, .events = POLLIN};
    send_req(&cs[i], path);
  }
  uint64_t done = 0;
  t0 = now_s();
  while (now_s() - t0 < secs) {
    if (poll(pf, K, 1000) <= 0) continue;
    for (int i = 0; i < K; i++) {
      if (!(pf[i].revents & POLLIN)) continue;
      conn *x = &cs[i];
      ssize_t r = read(x->fd, x->buf + x->len, sizeof x->buf - x->len);
      if (r <= 0) {
        fprintf(stderr, "bench_serve: connection closed\n");
        exit(1);
      }
      x->len += (size_t)r;
      long got;
      while ((got = whole_response(x)) > 0) {
        memmove(x->buf, x->buf + got, x->len - (size_t)got);
        x->len -= (size_t)got;
        done++;
        send_req(x, path);
      }
      if (got < 0) {
        fprintf(stderr, "bench_serve: bad response\n");
        exit(1);
      }
    }
  }
  f.rps8 = (double)done / (now_s() - t0);
  for (int i = 0; i < K; i++) close(cs[i].fd);
  free(cs);
  return f;
}

static double med(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_d);
  return v[n / 2];
}

/* The body of one GET (for the clock and the job's counters). */
static char *fetch(const char *path) {
  conn *c = calloc(1, sizeof *c);
  c->fd = dial();
  send_req(c, path);
  await(c);
  /* await() consumed it: redo, keeping the bytes */
  send_req(c, path);
  long got;
  while ((got = whole_response(c)) == 0) {
    ssize_t r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len - 1);
    if (r <= 0) break;
    c->len += (size_t)r;
  }
  c->buf[c->len] = 0;
  char *b = strstr(c->buf, "\r\n\r\n");
  char *out = strdup(b ? b + 4 : "");
  close(c->fd);
  free(c);
  return out;
}

static long long counter(const char *json, const char *key) {
  const char *p = strstr(json, key);
  if (!p) return -1;
  p += strlen(key);
  while (*p == ':' || *p == ' ') p++;
  return strtoll(p, NULL, 10);
}

int main(int argc, char **argv) {
  long long things = argc > 1 ? atoll(argv[1]) : 1000000;
  double secs = argc > 2 ? atof(argv[2]) : 2.0;
  int rounds = argc > 3 ? atoi(argv[3]) : 3;
  if (things < 1 || secs <= 0 || rounds < 1 || rounds > 20) {
    fprintf(stderr, "usage: bench_serve [things [seconds [rounds]]]\n");
    return 2;
  }
  char path[] = "/tmp/jobsim-bench-serve-XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!f) {
    perror("bench_serve: scenario");
    return 1;
  }
  fprintf(f, scenario_fmt, things);
  fclose(f);

  int out[2];
  if (pipe(out) != 0) return 1;
  double t_start = now_s();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    execl(JOBSIM_EXE, JOBSIM_EXE, "serve", path, "--port", "0", "--speed", "60", "--quiet",
          (char *)NULL);
    _exit(127);
  }
  close(out[1]);
  char line[128] = "";
  size_t k = 0;
  while (k + 1 < sizeof line && read(out[0], line + k, 1) == 1 && line[k] != '\n') k++;
  line[k] = 0;
  const char *colon = strrchr(line, ':');
  if (strncmp(line, "http://", 7) != 0 || !colon) {
    fprintf(stderr, "bench_serve: jobsim serve did not start\n");
    return 1;
  }
  port = atoi(colon + 1);
  double t_ready = now_s();
  printf("bench_serve: %lld things served at %s (--speed 60), ready in %.2f s\n", things,
         line, t_ready - t_start);
  char *c0 = fetch("/jobsim/clock");

  double dm[20], dp[20], d1[20], d8[20], cm[20], c1[20], c8[20];
  for (int r = 0; r < rounds; r++) {
    figures ref = measure("/jobsim/clock", secs);
    figures dj = measure("/jobs/bench", secs);
    cm[r] = ref.median_ms;
    c1[r] = ref.rps1;
    c8[r] = ref.rps8;
    dm[r] = dj.median_ms;
    dp[r] = dj.p99_ms;
    d1[r] = dj.rps1;
    d8[r] = dj.rps8;
    printf("  round %d: describe-job median %.3f ms (p99 %.3f), %.0f req/s on 1 conn, %.0f "
           "req/s on 8; clock %.3f ms, %.0f / %.0f req/s\n",
           r + 1, dj.median_ms, dj.p99_ms, dj.rps1, dj.rps8, ref.median_ms, ref.rps1,
           ref.rps8);
  }
  char *c1s = fetch("/jobsim/clock");
  char *job = fetch("/jobs/bench");
  double djm = med(dm, rounds), djp = med(dp, rounds), dj1 = med(d1, rounds),
         dj8 = med(d8, rounds), ckm = med(cm, rounds), ck1 = med(c1, rounds),
         ck8 = med(c8, rounds);
  printf("describe-job on %lld things at --speed 60 (median of %d rounds of %.1f s):\n",
         things, rounds, secs);
  printf("  median latency %.3f ms (p99 %.3f ms)       target <= 5 ms: %s\n", djm, djp,
         djm <= 5 ? "met" : "NOT met");
  printf("  %.0f requests/s on 8 connections (%.0f on 1)  target >= 2,000/s: %s\n", dj8, dj1,
         dj8 >= 2000 ? "met" : "NOT met");
  printf("  reference GET /jobsim/clock: %.3f ms, %.0f req/s on 8 (%.0f on 1)\n", ckm, ck8,
         ck1);
  printf("  describe-job / reference: latency x%.2f, throughput x%.2f\n", djm / ckm,
         dj8 / ck8);
  printf("  clock: %s  ->  %s", c0, c1s);
  printf("  job meanwhile: %lld succeeded, %lld in progress, %lld queued\n",
         counter(job, "\"numberOfSucceededThings\""), counter(job, "\"numberOfInProgressThings\""),
         counter(job, "\"numberOfQueuedThings\""));
  free(c0);
  free(c1s);
  free(job);
  kill(pid, SIGTERM);
  int st;
  waitpid(pid, &st, 0);
  unlink(path);
  return 0;
}
