/* test_common.h — the preamble cmocka 1.1.5 needs, plus small helpers shared
 * by every test executable. */
#ifndef JOBSIM_TEST_COMMON_H
#define JOBSIM_TEST_COMMON_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

/* A test that cannot run here (a tool it needs is missing) calls
 * test_skip("why", ...): a cmocka skip, marked "# SKIPPED:" on stderr, on a
 * developer machine; a failure under CI=true, because .ci/run installs
 * everything the suite uses (scripts/test.sh also fails a CI run whose
 * output shows any cmocka skip). */
static inline int test_in_ci(void) {
  const char *ci = getenv("CI");
  return ci != NULL && (strcmp(ci, "true") == 0 || strcmp(ci, "1") == 0);
}
#define test_skip(...)                                                              \
  do {                                                                              \
    fprintf(stderr, "# SKIPPED: ");                                                 \
    fprintf(stderr, __VA_ARGS__);                                                   \
    fprintf(stderr, "\n");                                                          \
    if (test_in_ci()) fail_msg("a skipped test is a failure under CI=true");        \
    skip();                                                                         \
  } while (0)
#endif
