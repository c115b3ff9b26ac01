/*
 * test_fuzz_regressions.c — every input the fuzzers (fuzz/) ever tripped
 * on, run again through the same harness bodies (fuzz/harness.c) in the
 * ordinary and the sanitizer builds, so a fixed crash stays fixed without
 * clang or libFuzzer.
 *
 * tests/fuzz-regressions/<harness>/<file> goes to fuzz_<harness>_one();
 * the committed seed corpus (fuzz/corpus/<harness>/) is run as well, as a
 * smoke test of the harnesses. A harness checks that the code under test
 * either succeeds or fails with a diagnostic, and aborts otherwise; so
 * passing here means: no crash, no assertion, no sanitizer report, a clean
 * error or success. `test_fuzz_regressions FILE...` runs single files
 * through every harness (for replaying an artefact).
 */
#define _XOPEN_SOURCE 700
#include "test_common.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fuzz.h"

typedef int (*harness_fn)(const uint8_t *data, size_t size);

static const struct harness {
  const char *name;   /* directory name under fuzz-regressions/ and corpus/ */
  harness_fn fn;
} harnesses[] = {
    {"scenario", fuzz_scenario_one},
    {"duration", fuzz_duration_one},
    {"cron", fuzz_cron_one},
    {"sim", fuzz_sim_one},
};
#define N_HARNESSES (sizeof harnesses / sizeof harnesses[0])

static uint8_t *read_bytes(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  uint8_t *b = NULL;
  size_t n = 0, cap = 0, got;
  if (f == NULL) fail_msg("cannot open %s", path);
  do {
    if (n == cap) {
      cap = cap ? cap * 2 : 4096;
      b = realloc(b, cap);
      assert_non_null(b);
    }
    got = fread(b + n, 1, cap - n, f);
    n += got;
  } while (got > 0);
  fclose(f);
  *len = n;
  return b;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every regular file of `dir` (sorted) through `h`; returns how many. */
static size_t run_dir(const struct harness *h, const char *dir) {
  DIR *d = opendir(dir);
  char **names = NULL;
  size_t n = 0;
  struct dirent *de;
  if (d == NULL) return 0;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.') continue;
    names = realloc(names, (n + 1) * sizeof *names);
    assert_non_null(names);
    names[n] = strdup(de->d_name);
    assert_non_null(names[n++]);
  }
  closedir(d);
  if (n) qsort(names, n, sizeof *names, cmp_names);
  size_t ran = 0;
  for (size_t i = 0; i < n; i++) {
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
      size_t len;
      uint8_t *data = read_bytes(path, &len);
      print_message("fuzz_%s: %s (%zu bytes)\n", h->name, path, len);
      assert_int_equal(h->fn(data, len), 0);
      free(data);
      ran++;
    }
    free(names[i]);
  }
  free(names);
  return ran;
}

static void test_regressions(void **state) {
  (void)state;
  size_t total = 0;
  for (size_t i = 0; i < N_HARNESSES; i++) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/fuzz-regressions/%s", JOBSIM_SOURCE_DIR,
             harnesses[i].name);
    total += run_dir(&harnesses[i], dir);
  }
  print_message("%zu regression inputs\n", total);
  assert_true(total > 0);
}

static void test_seed_corpus(void **state) {
  (void)state;
  for (size_t i = 0; i < N_HARNESSES; i++) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/fuzz/corpus/%s", JOBSIM_SOURCE_DIR,
             harnesses[i].name);
    assert_true(run_dir(&harnesses[i], dir) > 0);
  }
}

int main(int argc, char **argv) {
  if (argc > 1) {   /* replay files through every harness */
    for (int a = 1; a < argc; a++) {
      size_t len;
      uint8_t *data = read_bytes(argv[a], &len);
      for (size_t i = 0; i < N_HARNESSES; i++) harnesses[i].fn(data, len);
      free(data);
      printf("%s: ok\n", argv[a]);
    }
    return 0;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_regressions),
      cmocka_unit_test(test_seed_corpus),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
