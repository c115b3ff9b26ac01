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

/* Whole file into a NUL-terminated buffer (NULL if unreadable). */
static inline char *test_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  if (b && fread(b, 1, (size_t)n, f) != (size_t)n) { free(b); b = NULL; }
  fclose(f);
  if (b) { b[n] = 0; if (len) *len = (size_t)n; }
  return b;
}

/* Copy file a to b (both must work). */
static inline void test_copy_file(const char *a, const char *b) {
  size_t n = 0;
  char *t = test_read_file(a, &n);
  assert_non_null(t);
  FILE *f = fopen(b, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(t, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
  free(t);
}

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
