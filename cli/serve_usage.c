/*
 * serve_usage.c — the help of `jobsim serve`, in both programs: jobsim,
 * which prints it for `jobsim help serve` and runs jobsim-serve for
 * `jobsim serve`, and jobsim-serve itself (see serve_exec.c).
 */
#include "cli.h"

const char cli_serve_usage[] =
    "usage: jobsim serve <scenario.json> [<options>]\n\n"
    "Serves the scenario's fleet behind an AWS-compatible endpoint for the\n"
    "unmodified `aws` CLI, boto3 and device agents (aws iot ... --endpoint-url\n"
    "URL). The scenario's job is created at simulated instant 0 and its\n"
    "operations run as in `jobsim run`; every request is answered at the\n"
    "current simulated instant, after every event up to it, by the same engine\n"
    "as `jobsim describe-job`. One port serves both planes: requests are\n"
    "routed by the service of their SigV4 credential scope (iot or\n"
    "iot-jobs-data). The first line on stdout is the URL.\n\n"
    "    -p, --port <n>              TCP port (default 8080; 0: a free port)\n"
    "        --listen <addr>         numeric address to listen on (default\n"
    "                                127.0.0.1); a non-loopback address needs\n"
    "                                --credentials\n"
    "        --clock manual          simulated time stands still until\n"
    "                                POST /jobsim/clock {\"advance\": \"10m\"} or\n"
    "                                {\"to\": \"+1h\"}; GET /jobsim/clock reads it\n"
    "        --speed <x>             simulated seconds per wall second (default 1)\n"
    "        --credentials <k:s>     verify every request's SigV4 signature with\n"
    "                                access key k and secret s (or @FILE holding\n"
    "                                k:s on its first line)\n"
    "    -s, --seed <n>              override the scenario's seed\n"
    "        --request-timeout <s>   close connections idle (or with a body still\n"
    "                                arriving) for s seconds (default 10)\n"
    "        --verbose               one line per request on stderr\n"
    "    -q, --quiet                 no banner on stderr\n"
    "    -h, --help                  this help\n";
