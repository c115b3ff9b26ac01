/*
 * mutator.c — a JSON-aware libFuzzer mutator for the scenario harnesses.
 * Byte-level mutations of a scenario almost never give another valid
 * scenario, so the bounded simulation would see few new ones. Half of the
 * time this parses the input with cJSON, changes one value (a number to an
 * edge value, a string to a duration, cron expression, time or enum value
 * of the format, a boolean flipped, a member added, removed or copied, an
 * array element repeated or dropped) and prints it again; the other half,
 * and whenever the input is not JSON, it leaves the work to libFuzzer's own
 * mutations (LLVMFuzzerMutate), which keep the syntax paths covered.
 *
 * Ownership: works on the fuzzer's buffer in place; everything else it
 * allocates it frees before returning.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
                               unsigned int seed);

/* xorshift64*: the fuzzer's seed decides every choice, so runs replay. */
static uint64_t next(uint64_t *s)
{
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * UINT64_C(2685821657736338717);
}

static size_t pick(uint64_t *s, size_t n) { return n ? (size_t)(next(s) % n) : 0; }

static const double numbers[] = {
    0, 1, -1, 2, 0.5, 0.25, 0.999, 1.5, 3, 10, 50, 60, 100, 101, 1000, 1001,
    10000, 100000, 1e7, 1e8, 2147483648.0, 4294967296.0, 9007199254740992.0,
    1e15, 1e300, -0.0, 1e-9, 1430, 1440, 10080, 10081, 65535, 65536};

static const char *const strings[] = {
    /* durations */
    "0s", "1ms", "999ms", "1s", "30s", "1m", "5m", "59m", "1h", "1h30m", "12h",
    "1d", "2d", "30d", "36600d", "1.5s", "0.0005s",
    /* AWS cron */
    "cron(0 2 ? * SUN *)", "cron(0/5 * * * ? *)", "cron(0 0 L * ? *)",
    "cron(0 0 15W * ? *)", "cron(30 23 ? * 6L *)", "cron(0 12 ? * 2#1 *)",
    "cron(0/30 20-2 ? * MON-FRI *)", "cron(0 0 29 2 ? 2028)",
    /* times */
    "2026-01-01T00:00:00Z", "2026-01-01T00:30:00Z", "2026-01-01T01:00",
    "2026-01-01T00:30", "2026-06-30T12:00", "2027-12-31T23:59", "1970-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999Z",
    /* enum values and names of the format */
    "SNAPSHOT", "CONTINUOUS", "FAILED", "REJECTED", "TIMED_OUT", "ALL", "CANCEL",
    "STOP_ROLLOUT", "FORCE_CANCEL", "executed", "notified", "constant", "uniform",
    "exponential", "lognormal", "normal", "weibull", "gamma", "empirical",
    "cancel-job", "update-job", "delete-job", "associate-targets-with-job",
    "cancel-job-execution", "delete-job-execution", "add-things", "remove-things",
    "delete-things", "arn:aws:iot:us-west-2:123456789012:thinggroup/g",
    "arn:aws:iot:us-west-2:123456789012:thing/g-000001", ""};

static const char *const keys[] = {
    "connected", "reconnectAfter", "startDelay", "runTime", "outcomes", "progress",
    "every", "stepTimeoutInMinutes", "SUCCEEDED", "FAILED", "REJECTED", "NO_RESPONSE",
    "arrivals", "departures", "ratePerHour", "operations", "at", "op", "force",
    "count", "things", "group", "thingName", "executionNumber", "targets",
    "abortConfig", "timeoutConfig", "inProgressTimeoutInMinutes",
    "jobExecutionsRetryConfig", "jobExecutionsRolloutConfig", "maximumPerMinute",
    "exponentialRate", "schedulingConfig", "maintenanceWindows", "startTime",
    "endTime", "endBehavior", "durationInMinutes", "until", "snapshotEvery",
    "timeoutLagMax", "rolloutQuota", "cancelRatePerMinute", "abortGate", "seed",
    "targetSelection", "criteriaList", "numberOfRetries", "failureType"};

/* Every node of the tree but the root, in document order, with its
 * parent. */
typedef struct nodes {
  cJSON **v, **parent;
  size_t n, cap;
} nodes;

static bool collect(nodes *ns, cJSON *parent)
{
  for (cJSON *it = parent->child; it; it = it->next) {
    if (ns->n == ns->cap) {
      size_t cap = ns->cap ? ns->cap * 2 : 64;
      cJSON **v = realloc(ns->v, cap * sizeof *v);
      cJSON **p;

      if (v == NULL)
        return false;
      ns->v = v;
      if ((p = realloc(ns->parent, cap * sizeof *p)) == NULL)
        return false;
      ns->parent = p;
      ns->cap = cap;
    }
    ns->v[ns->n] = it;
    ns->parent[ns->n++] = parent;
    if (!collect(ns, it))
      return false;
  }
  return true;
}

/* Change one node; false when nothing could be done. The node list is
 * stale afterwards (nodes may have been freed). */
static bool mutate_node(nodes *ns, uint64_t *s)
{
  size_t i = pick(s, ns->n);
  cJSON *it = ns->v[i];

  if (pick(s, 8) == 0) {   /* replace the value by a copy of another node */
    cJSON *copy = cJSON_Duplicate(ns->v[pick(s, ns->n)], true);

    return copy != NULL && cJSON_ReplaceItemViaPointer(ns->parent[i], it, copy);
  }
  if (cJSON_IsNumber(it)) {
    double v = numbers[pick(s, sizeof numbers / sizeof numbers[0])];

    if (pick(s, 3) == 0)
      v = it->valuedouble * (pick(s, 2) ? 2 : 0.5) + (double)pick(s, 3) - 1;
    cJSON_SetNumberValue(it, v);
    return true;
  }
  if (cJSON_IsString(it))
    return cJSON_SetValuestring(it, strings[pick(s, sizeof strings /
                                                       sizeof strings[0])]) != NULL;
  if (cJSON_IsBool(it)) {
    it->type = cJSON_IsTrue(it) ? cJSON_False : cJSON_True;
    return true;
  }
  if (cJSON_IsObject(it)) {
    const char *key = keys[pick(s, sizeof keys / sizeof keys[0])];
    cJSON *m;

    if (it->child != NULL && pick(s, 2) == 0) {   /* drop a member */
      cJSON_DeleteItemFromArray(it, (int)pick(s, (size_t)cJSON_GetArraySize(it)));
      return true;
    }
    if ((m = cJSON_Duplicate(ns->v[pick(s, ns->n)], true)) == NULL)  /* add one */
      return false;
    cJSON_DeleteItemFromObjectCaseSensitive(it, key);
    return cJSON_AddItemToObject(it, key, m);
  }
  if (cJSON_IsArray(it) && it->child != NULL) {
    size_t n = (size_t)cJSON_GetArraySize(it);
    cJSON *e;

    if (pick(s, 2) == 0) {
      cJSON_DeleteItemFromArray(it, (int)pick(s, n));
      return true;
    }
    e = cJSON_Duplicate(cJSON_GetArrayItem(it, (int)pick(s, n)), true);
    return e != NULL && cJSON_AddItemToArray(it, e);
  }
  return false;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
                               unsigned int seed)
{
  uint64_t s = (uint64_t)seed * UINT64_C(0x9E3779B97F4A7C15) + 1;
  nodes ns = {NULL, NULL, 0, 0};
  cJSON *root;
  char *text;
  size_t len = 0;
  bool changed = false;

  if (pick(&s, 2) == 0)
    return LLVMFuzzerMutate(data, size, max_size);
  root = cJSON_ParseWithLength((const char *)data, size);
  if (root == NULL)
    goto fallback;
  for (size_t k = 1 + pick(&s, 3); k > 0; k--) {
    ns.n = 0;
    if (!collect(&ns, root) || ns.n == 0)
      break;
    changed = mutate_node(&ns, &s) || changed;
  }
  if (!changed)
    goto fallback;
  text = pick(&s, 2) ? cJSON_PrintUnformatted(root) : cJSON_Print(root);
  if (text != NULL && (len = strlen(text)) <= max_size) {
    memcpy(data, text, len);
    cJSON_free(text);
    free(ns.v);
    free(ns.parent);
    cJSON_Delete(root);
    return len;
  }
  cJSON_free(text);
fallback:
  free(ns.v);
  free(ns.parent);
  cJSON_Delete(root);
  return LLVMFuzzerMutate(data, size, max_size);
}
