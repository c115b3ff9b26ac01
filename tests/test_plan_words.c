/*
 * test_plan_words.c — the sweep plots name the varied setting in words
 * (plan_vary_words, plan/sweepout.h); expectations written by hand.
 */
#include "test_common.h"

#include "sweepout.h"

static void test_words(void **state) {
  (void)state;
  static const struct { const char *path, *words; } c[] = {
      {"job.abortConfig.criteriaList[0].thresholdPercentage", "abort threshold (%)"},
      {"$.job.abortConfig.criteriaList[0].thresholdPercentage", "abort threshold (%)"},
      {"jobs[0].abortConfig.criteriaList[0].thresholdPercentage", "abort threshold (%)"},
      {"job.abortConfig.criteriaList[2].thresholdPercentage",
       "abort criterion 2: threshold (%)"},
      {"job.abortConfig.criteriaList[0].minNumberOfExecutedThings",
       "abort: minimum executed things"},
      {"job.jobExecutionsRolloutConfig.maximumPerMinute",
       "rollout rate (executions per minute)"},
      {"job.jobExecutionsRolloutConfig.exponentialRate.incrementFactor",
       "exponential rollout: increment factor"},
      {"job.timeoutConfig.inProgressTimeoutInMinutes", "in-progress timeout (minutes)"},
      {"job.jobExecutionsRetryConfig.criteriaList[1].numberOfRetries",
       "retry criterion 1: retries"},
      {"fleet.groups[1].things", "things in fleet group 1"},
      {"fleet.behaviors.rev-b.outcomes.FAILED", "rev-b: share of FAILED outcomes"},
      {"fleet.behaviors.home.connected", "home: share connected when notified"},
      {"simulation.seed", "seed"},
      /* not known, or a job setting outside the job: as given */
      {"abortConfig.criteriaList[0].thresholdPercentage",
       "abortConfig.criteriaList[0].thresholdPercentage"},
      {"job.abortConfig.criteriaList[x].thresholdPercentage",
       "job.abortConfig.criteriaList[x].thresholdPercentage"},
      {"job.abortConfig.criteriaList[0].thresholdPercentage.x",
       "job.abortConfig.criteriaList[0].thresholdPercentage.x"},
      {"fleet.behaviors.a.b.connected", "fleet.behaviors.a.b.connected"},
      {"job.description", "job.description"},
      {"", ""},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    char b[256];
    plan_vary_words(c[i].path, b, sizeof b);
    assert_string_equal(b, c[i].words);
  }
  char small[8];
  plan_vary_words("job.abortConfig.criteriaList[3].thresholdPercentage", small, sizeof small);
  assert_string_equal(small, "abort c");   /* cut, terminated */
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_words)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
