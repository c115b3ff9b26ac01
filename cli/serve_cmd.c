/*
 * serve_cmd.c — `jobsim serve`: a scenario's fleet behind an AWS-compatible
 * endpoint (serve/) that the unmodified `aws` CLI and boto3 talk to.
 *
 * stdout carries one line, the URL (so scripts can read the port chosen by
 * --port 0); stderr a short banner and, with --verbose, one line per
 * request. SIGINT/SIGTERM stop the server within about 50 ms (exit 130/143).
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "duration.h"
#include "endpoint.h"
#include "http.h"
#include "scenario.h"

/* cli_serve_usage: serve_usage.c (also in the jobsim that runs this one) */

/* Set by SIGINT/SIGTERM: the server loop and the engine catch-up poll it. */
static volatile sig_atomic_t serve_signal = 0;

static void on_serve_signal(int sig) { serve_signal = sig; }

static bool loopback(const char *addr) {
  struct in_addr a4;
  struct in6_addr a6;
  if (inet_pton(AF_INET, addr, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
  if (inet_pton(AF_INET6, addr, &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
  return false;
}

static bool valid_addr(const char *addr) {
  struct in_addr a4;
  struct in6_addr a6;
  return inet_pton(AF_INET, addr, &a4) == 1 || inet_pton(AF_INET6, addr, &a6) == 1;
}

/* "KEY:SECRET" or "@FILE" into key and secret; false with a reason. */
static bool parse_credentials(const char *s, char *key, size_t kn, char *secret,
                              size_t sn, char *why, size_t wn) {
  char line[600];
  if (s[0] == '@') {
    FILE *f = fopen(s + 1, "r");
    if (!f) {
      snprintf(why, wn, "cannot read '%s': %s", s + 1, strerror(errno));
      return false;
    }
    if (!fgets(line, sizeof line, f)) line[0] = 0;
    fclose(f);
    line[strcspn(line, "\r\n")] = 0;
  } else {
    snprintf(line, sizeof line, "%s", s);
  }
  char *colon = strchr(line, ':');
  if (!colon || colon == line || !colon[1]) {
    snprintf(why, wn, "%s", "--credentials needs ACCESS_KEY:SECRET (or @FILE)");
    return false;
  }
  *colon = 0;
  size_t kl = strlen(line), sl = strlen(colon + 1);
  for (const char *p = line; *p; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))) {
      snprintf(why, wn, "%s", "the access key must be letters and digits");
      return false;
    }
  for (const char *p = colon + 1; *p; p++)
    if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e) {
      snprintf(why, wn, "%s", "the secret must be printable ASCII without spaces");
      return false;
    }
  if (kl >= kn || sl >= sn || kl > 128 || sl > 128) {
    snprintf(why, wn, "%s", "the access key and the secret are at most 128 characters");
    return false;
  }
  memcpy(key, line, kl + 1);
  memcpy(secret, colon + 1, sl + 1);
  return true;
}

int cmd_serve(int argc, char **argv) {
  const char *port_s = NULL, *listen_s = NULL, *clock_s = NULL, *speed_s = NULL,
             *cred_s = NULL, *seed_s = NULL, *timeout_s = NULL;
  bool help = false, verbose = false, quiet = false;
  const opt opts[] = {{"port", 'p', true, &port_s, NULL},
                      {"listen", 0, true, &listen_s, NULL},
                      {"clock", 0, true, &clock_s, NULL},
                      {"speed", 0, true, &speed_s, NULL},
                      {"credentials", 0, true, &cred_s, NULL},
                      {"seed", 's', true, &seed_s, NULL},
                      {"request-timeout", 0, true, &timeout_s, NULL},
                      {"verbose", 0, false, NULL, &verbose},
                      {"quiet", 'q', false, NULL, &quiet},
                      {NULL, 0, false, NULL, NULL}};
  int n = cli_parse_opts("serve", argc, argv, opts, &help);
  if (n < 0) return EXIT_USAGE;
  if (help) {
    cli_print_help("serve", stdout);
    return EXIT_OK;
  }
  if (n == 0) return cli_usage_error("serve", "%s", "missing <scenario.json>");
  if (n > 1) return cli_usage_error("serve", "one scenario only, not also '%s'", argv[1]);
  uint64_t port = 8080;
  if (port_s && (!cli_parse_u64(port_s, &port) || port > 65535))
    return cli_usage_error("serve", "--port needs an integer 0..65535, not '%s'", port_s);
  const char *listen = listen_s ? listen_s : "127.0.0.1";
  if (!valid_addr(listen))
    return cli_usage_error("serve", "--listen needs a numeric IPv4 or IPv6 address, not '%s'",
                           listen);
  if (clock_s && strcmp(clock_s, "manual") != 0)
    return cli_usage_error("serve", "--clock takes 'manual', not '%s'", clock_s);
  if (clock_s && speed_s)
    return cli_usage_error("serve", "%s", "--clock manual and --speed exclude each other");
  double speed = 1;
  if (speed_s) {
    char *end;
    errno = 0;
    speed = strtod(speed_s, &end);
    if (errno || end == speed_s || *end || !isfinite(speed) || speed <= 0 ||
        speed > SERVE_SPEED_MAX)
      return cli_usage_error("serve", "--speed needs a number above 0, at most 1e6, not '%s'",
                             speed_s);
  }
  uint64_t timeout = 10;
  if (timeout_s && (!cli_parse_u64(timeout_s, &timeout) || timeout < 1 || timeout > 3600))
    return cli_usage_error("serve", "--request-timeout needs seconds 1..3600, not '%s'",
                           timeout_s);
  uint64_t seed = 0;
  if (seed_s && !cli_parse_u64(seed_s, &seed))
    return cli_usage_error("serve", "--seed needs an integer 0..2^53, not '%s'", seed_s);
  char key[130] = "", secret[130] = "", why[300];
  if (cred_s && !parse_credentials(cred_s, key, sizeof key, secret, sizeof secret, why,
                                   sizeof why))
    return cli_usage_error("serve", "%s", why);
  if (!loopback(listen) && !cred_s)
    return cli_usage_error("serve",
                           "--listen %s is not a loopback address: it needs --credentials "
                           "KEY:SECRET so that every request is signed",
                           listen);

  sim_diag d;
  model_scenario *sc = NULL;
  /* A served scenario may have no job: clients create them (CreateJob). */
  int rc = model_scenario_load_flags(&sc, argv[0], MODEL_SCENARIO_FLEET_ONLY, &d);
  if (rc) {
    cli_report_diag(&d);
    return cli_exit_for(rc);
  }
  if (seed_s) sc->sim.seed = seed;

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_serve_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  serve_endpoint_opts eo = {.manual = clock_s != NULL,
                            .speed = speed,
                            .access_key = cred_s ? key : NULL,
                            .secret = cred_s ? secret : NULL,
                            .loopback_guard = !cred_s,
                            .stop = &serve_signal};
  serve_endpoint *ep = NULL;
  serve_http *h = NULL;
  int ret = EXIT_OK;
  sim_diag_init(&d, sc->file);
  if ((rc = serve_endpoint_new(&ep, sc, &eo, &d))) {
    cli_report_diag(&d);
    ret = rc == SIM_ERR_INTR ? 128 + (int)serve_signal : cli_exit_for(rc);
    goto out;
  }
  serve_http_opts ho = {.listen = listen,
                        .port = (unsigned)port,
                        .max_body = 1024 * 1024,
                        .timeout_s = (unsigned)timeout,
                        .max_connections = 256,
                        .log = verbose ? stderr : NULL};
  sim_diag_init(&d, NULL);
  if ((rc = serve_http_new(&h, &ho, serve_endpoint_handle, ep, &d))) {
    cli_report_diag(&d);
    ret = rc == SIM_ERR_USAGE ? EXIT_USAGE : EXIT_IO;
    goto out;
  }
  bool v6 = strchr(listen, ':') != NULL;
  printf("http://%s%s%s:%u\n", v6 ? "[" : "", listen, v6 ? "]" : "", serve_http_port(h));
  fflush(stdout);
  if (!quiet) {
    char until[64];
    sim_duration_format(serve_endpoint_now(ep), until, sizeof until);
    char jobs[160];
    size_t nj = model_scenario_n_jobs(sc);
    if (nj == 0) snprintf(jobs, sizeof jobs, "no job yet");
    else if (nj == 1) snprintf(jobs, sizeof jobs, "job %s", sc->job.job_id);
    else snprintf(jobs, sizeof jobs, "jobs %s and %zu more", sc->job.job_id, nj - 1);
    fprintf(stderr,
            "jobsim: serve: %s: %s over %" PRId64 " things, seed %" PRIu64
            ", clock %s%s%s; %s; Ctrl-C stops\n",
            sc->name, jobs, sc->fleet.n_things, sc->sim.seed,
            clock_s ? "manual" : "running at ", clock_s ? "" : speed_s ? speed_s : "1",
            clock_s ? " (POST /jobsim/clock)" : "x",
            cred_s ? "SigV4 signatures verified" : "loopback only, signatures not checked");
  }
  rc = serve_http_run(h, &serve_signal, serve_endpoint_tick, ep);
  if (rc) {
    fprintf(stderr, "jobsim: serve: the server loop failed: %s\n", sim_strerror(rc));
    ret = EXIT_IO;
  } else if (serve_signal) {
    ret = 128 + (int)serve_signal;
  }
out:
  serve_http_free(h);
  serve_endpoint_free(ep);
  model_scenario_free(sc);
  return ret;
}
