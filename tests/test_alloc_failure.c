/*
 * test_alloc_failure.c — fail the Nth allocation, for every N, while a
 * scenario is loaded, simulated and described; each run must end with a clean
 * error (SIM_ERR_NOMEM) or success, and leak nothing.
 *
 * The test binary replaces malloc/calloc/realloc/free (glibc documents this
 * as supported) with wrappers over __libc_*; while armed they count
 * allocations, fail the chosen one, and track the blocks allocated so that
 * whatever is still live after cleanup is a leak. Every library in the
 * process (cJSON, GSL) goes through them too.
 */
#define _GNU_SOURCE
#include "test_common.h"

#include <errno.h>
#include <stdlib.h>

#include "describe.h"
#include "engine.h"
#include "execview.h"
#include "scenario.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

/* ---- a fixed-size open-addressing set of live pointers (no allocation) --- */
#define SLOTS (1u << 20)
static void *live[SLOTS];
static size_t n_live;
static int armed;
static long count, fail_at;
static int failed;

static size_t slot_of(void *p) {
  uintptr_t x = (uintptr_t)p;
  x ^= x >> 17;
  x *= 0xed5ad4bbu;
  return (size_t)(x ^ (x >> 11)) & (SLOTS - 1);
}
static void track(void *p) {
  if (!p) return;
  size_t i = slot_of(p);
  while (live[i] && live[i] != (void *)1) i = (i + 1) & (SLOTS - 1);
  live[i] = p;
  n_live++;
}
static int untrack(void *p) {
  size_t i = slot_of(p);
  for (size_t k = 0; k < SLOTS && live[i]; k++, i = (i + 1) & (SLOTS - 1))
    if (live[i] == p) {
      live[i] = (void *)1;   /* tombstone */
      n_live--;
      return 1;
    }
  return 0;
}
static int should_fail(void) {
  if (!armed) return 0;
  if (++count == fail_at) {
    failed = 1;
    errno = ENOMEM;   /* as the C library's malloc does */
    return 1;
  }
  return 0;
}

void *malloc(size_t n) {
  if (should_fail()) return NULL;
  void *p = __libc_malloc(n);
  if (armed) track(p);
  return p;
}
void *calloc(size_t a, size_t b) {
  if (should_fail()) return NULL;
  void *p = __libc_calloc(a, b);
  if (armed) track(p);
  return p;
}
void *realloc(void *old, size_t n) {
  if (!old) return malloc(n);
  if (should_fail()) return NULL;
  void *p = __libc_realloc(old, n);
  if (armed && p && untrack(old)) track(p);
  return p;
}
void free(void *p) {
  if (!p) return;
  if (armed) untrack(p);
  __libc_free(p);
}

static void arm(long n) {
  memset(live, 0, sizeof live);
  n_live = 0;
  count = 0;
  fail_at = n;
  failed = 0;
  armed = 1;
}

/* One load + simulate + describe; returns the status and, on success, the
 * describe-job and list texts joined in *out (caller frees). */
static int exercise(const char *path, char **out) {
  sim_diag d;
  model_scenario *sc = NULL;
  int rc = model_scenario_load(&sc, path, &d);
  if (rc) {
    if (rc != SIM_ERR_NOMEM) fprintf(stderr, "load: %s: %s: %s\n", d.file, d.path, d.msg);
    return rc;
  }
  model_engine *e = NULL;
  rc = model_engine_new(&e, sc, sc->sim.seed, NULL, &d);
  if (!rc) rc = model_engine_run(e, sc->sim.until);
  if (!rc) {
    report_opts o = {0};
    char *t = report_describe_job(e, &o, NULL);
    report_list_opts lo = {.max_results = 5};
    char *l = report_list_executions(e, &lo, &o, NULL);
    if (!t || !l) rc = SIM_ERR_NOMEM;
    else if ((*out = __libc_malloc(strlen(t) + strlen(l) + 1)) != NULL) {
      strcpy(*out, t);   /* outside the armed accounting */
      strcat(*out, l);
    }
    free(t);
    free(l);
  }
  model_engine_free(e);
  model_scenario_free(sc);
  return rc;
}

static void run_all(const char *name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", JOBSIM_SOURCE_DIR, name);
  long n = 1, failures = 0, tolerated = 0;
  char *base = NULL;
  assert_int_equal(exercise(path, &base), SIM_OK);   /* unarmed reference */
  assert_non_null(base);
  for (;; n++) {
    char *got = NULL;
    arm(n);
    int rc = exercise(path, &got);
    armed = 0;
    if (n_live != 0) {
      fprintf(stderr, "%s: failing allocation %ld leaked %zu blocks (rc %d)\n", name, n,
              n_live, rc);
      fail();
    }
    if (!failed) {   /* every allocation succeeded: done */
      assert_int_equal(rc, SIM_OK);
      assert_string_equal(got, base);
      __libc_free(got);
      break;
    }
    failures++;
    if (rc == SIM_OK) {
      /* C library code may survive a failed allocation (stdio falls back to
       * an unbuffered stream): then the result must be exactly the same. */
      tolerated++;
      assert_non_null(got);
      assert_string_equal(got, base);
    } else if (rc != SIM_ERR_NOMEM) {
      fprintf(stderr, "%s: failing allocation %ld gave %d (%s), not SIM_ERR_NOMEM\n",
              name, n, rc, sim_errname(rc));
      fail();
    }
    __libc_free(got);
  }
  __libc_free(base);
  fprintf(stderr, "# %s: %ld allocations, each failed once: %ld clean NOMEM errors, "
                  "%ld survived with identical output, no leak\n",
          name, n - 1, failures - tolerated, tolerated);
  assert_true(failures - tolerated > 10);
}

static void test_example(void **s) { (void)s; run_all("scenarios/example-job-01.json"); }
static void test_lifecycle(void **s) {
  (void)s;
  run_all("tests/alloc/lifecycle-small.json");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_example),
      cmocka_unit_test(test_lifecycle),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
