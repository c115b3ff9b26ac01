/*
 * serve_exec.c — `jobsim serve` in the jobsim program: it runs the program
 * jobsim-serve, built next to it, with the same arguments.
 *
 * Why two programs: the endpoint needs libmicrohttpd, which brings GnuTLS
 * and a dozen libraries more, and OpenSSL's libcrypto for SigV4. Every
 * start of a program linked with them paid for loading and relocating
 * them: about 7 ms of CPU on the machine of 8 December 2026 (10.5 ms for
 * an empty program linked with jobsim's libraries, 3.2 ms without those
 * two), 140 ms under valgrind. `jobsim run` is started by every user and
 * every test, `jobsim serve` by a few; jobsim-serve is the whole jobsim
 * (the same main.c, every command), so `jobsim serve` behaves, reads and
 * fails exactly as it did.
 *
 * Where: the directory of this program (/proc/self/exe, else argv[0] when
 * it names a path), else jobsim-serve on PATH.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cmd_serve(int argc, char **argv) {
  char self[4096], path[4200];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) self[n] = 0;
  else snprintf(self, sizeof self, "%s", cli_argv0 ? cli_argv0 : "");
  char *slash = strrchr(self, '/');
  char **args = calloc((size_t)argc + 2, sizeof *args);
  if (!args) {
    fprintf(stderr, "jobsim: serve: out of memory\n");
    return EXIT_IO;
  }
  args[0] = "jobsim";   /* as jobsim-serve's own messages name the program */
  for (int i = 0; i < argc; i++) args[i + 1] = argv[i];   /* "serve", then its arguments */
  fflush(NULL);
  if (slash) {
    snprintf(path, sizeof path, "%.*s/jobsim-serve", (int)(slash - self), self);
    execv(path, args);
  } else {
    snprintf(path, sizeof path, "jobsim-serve");
    execvp(path, args);
  }
  int e = errno;
  free(args);
  fprintf(stderr, "jobsim: serve: cannot run %s: %s (it is built and installed next to "
                  "jobsim)\n", path, strerror(e));
  return EXIT_IO;
}
