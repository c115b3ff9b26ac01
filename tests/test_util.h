/* test_util.h — helpers shared by the report-level tests: golden
 * comparison with an explicit update switch, and running scenarios. */
#ifndef JOBSIM_TEST_UTIL_H
#define JOBSIM_TEST_UTIL_H
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Set by main() from --update-golden (or JOBSIM_UPDATE_GOLDEN=1). */
extern bool test_update_golden;

/* test_read_file (test_common.h): whole file into a buffer. */

/* Compare `got` with golden file tests/golden/<name>; with the update switch
 * rewrite the golden instead. Returns true when equal (or updated). */
static inline bool test_golden(const char *name, const char *got) {
  char path[1024];
  snprintf(path, sizeof path, "%s/tests/golden/%s", JOBSIM_SOURCE_DIR, name);
  if (test_update_golden) {
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    fputs(got, f);
    fclose(f);
    fprintf(stderr, "updated golden %s\n", path);
    return true;
  }
  char *want = test_read_file(path, NULL);
  if (!want) {
    fprintf(stderr, "missing golden %s (run with --update-golden)\n", path);
    return false;
  }
  bool eq = strcmp(want, got) == 0;
  if (!eq) fprintf(stderr, "golden %s differs; got:\n%s\n", path, got);
  free(want);
  return eq;
}

static inline void test_parse_args(int argc, char **argv) {
  const char *env = getenv("JOBSIM_UPDATE_GOLDEN");
  test_update_golden = env && strcmp(env, "1") == 0;
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--update-golden") == 0) test_update_golden = true;
}
#endif
