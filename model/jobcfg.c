/*
 * jobcfg.c — parse and validate a CreateJob request (the object that
 * `aws iot create-job --cli-input-json` takes) into a model_jobcfg.
 *
 * Mirrors the botocore iot 2015-05-28 shapes CreateJobRequest and below, plus
 * the Developer Guide ranges and the simulator's OPEN-point choices (spec
 * §1, §3, §4, §5, §9, §14; O1, O4, O13, O19, O32, O33). Types, ranges and
 * unknown members go through the sim_json_* readers so those messages are
 * uniform; patterns and cross-field rules have their own messages here, all
 * synthetic (O36). docs/validation.md lists every rule with its message.
 *
 * Left out on purpose: target resolution against the fleet and scheduling
 * times relative to "now" (scenario.c knows the fleet and the clock).
 * Invariant: on failure *cfg is zeroed; on success it owns every string.
 * All strings and arrays use the C library allocator (sim_alloc NULL);
 * documentParameters is a cJSON tree made with cJSON's hooks.
 */
#include "jobcfg.h"

#include "calendar.h"

#include <math.h>
#include <string.h>

#include "json.h"

/* ------------------------------------------------------------- limits --- */

#define DEFAULT_ROLLOUT_QUOTA 1000      /* SQ: "Job execution roll out rate" */
#define INT_MODEL_MAX 2147483647        /* botocore "integer" = Java int */
#define JOB_ID_MAX 64
#define DOCUMENT_MAX 32768
#define DOCUMENT_SOURCE_MAX 1350
#define DESCRIPTION_MAX 2028
#define ROLE_ARN_MIN 20
#define ROLE_ARN_MAX 2048
#define TARGET_ARN_MAX 2048
#define TARGET_NAME_MAX 128             /* thing and thing-group names */
#define ARN_MAX 1600                    /* JobTemplateArn, PackageVersionArn */
#define NAMESPACE_MAX 64                /* sim: the model gives no length */
#define PARAM_KEY_MAX 128
#define PARAM_VALUE_MAX 30720
#define TAG_KEY_MAX 128
#define TAG_VALUE_MAX 256
#define MAX_PACKAGE_VERSIONS 25
#define TIMEOUT_MAX_MIN 10080           /* 7 days */
#define RETRY_TOTAL_MAX 10              /* DG-CFG: per device, all types */
#define WINDOW_DURATION_MAX 1430
#define CRON_MAX 256
#define DATETIME_MAX 64
#define SCHED_MIN_SPAN_MIN 30
#define SCHED_MAX_SPAN_MIN (2 * 365 * 1440) /* "two years" read as 730 days */

/* ------------------------------------------------------ member tables --- */

static const char *const k_top_fields[] = {
  "jobId", "targets", "documentSource", "document", "description",
  "presignedUrlConfig", "targetSelection", "jobExecutionsRolloutConfig",
  "abortConfig", "timeoutConfig", "tags", "namespaceId", "jobTemplateArn",
  "jobExecutionsRetryConfig", "documentParameters", "schedulingConfig",
  "destinationPackageVersions", NULL};
static const char *const k_presigned_fields[] = {"roleArn", "expiresInSec",
                                                 NULL};
static const char *const k_rollout_fields[] = {"maximumPerMinute",
                                               "exponentialRate", NULL};
static const char *const k_exp_fields[] = {
  "baseRatePerMinute", "incrementFactor", "rateIncreaseCriteria", NULL};
static const char *const k_rate_crit_fields[] = {
  "numberOfNotifiedThings", "numberOfSucceededThings", NULL};
static const char *const k_criteria_list_fields[] = {"criteriaList", NULL};
static const char *const k_abort_crit_fields[] = {
  "failureType", "action", "thresholdPercentage",
  "minNumberOfExecutedThings", NULL};
static const char *const k_timeout_fields[] = {"inProgressTimeoutInMinutes",
                                               NULL};
static const char *const k_retry_crit_fields[] = {"failureType",
                                                  "numberOfRetries", NULL};
static const char *const k_tag_fields[] = {"Key", "Value", NULL};
static const char *const k_sched_fields[] = {
  "startTime", "endTime", "endBehavior", "maintenanceWindows", NULL};
static const char *const k_window_fields[] = {"startTime",
                                              "durationInMinutes", NULL};

static const char *const k_target_selection[] = {"SNAPSHOT", "CONTINUOUS",
                                                 NULL};
/* Same order as model_failure_type. */
static const char *const k_abort_failure[] = {"FAILED", "REJECTED",
                                              "TIMED_OUT", "ALL", NULL};
static const char *const k_retry_failure[] = {"FAILED", "TIMED_OUT", "ALL",
                                              NULL};
static const model_failure_type k_retry_failure_val[] = {
  MODEL_FAILURE_FAILED, MODEL_FAILURE_TIMED_OUT, MODEL_FAILURE_ALL};
static const char *const k_abort_action[] = {"CANCEL", NULL};
/* Same order as model_end_behavior. */
static const char *const k_end_behavior[] = {"STOP_ROLLOUT", "CANCEL",
                                             "FORCE_CANCEL", NULL};

/* ----------------------------------------------------- small helpers --- */

typedef bool (*char_ok_fn)(unsigned char c);

static bool is_id_char(unsigned char c) {   /* [a-zA-Z0-9_-] */
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static bool is_thing_name_char(unsigned char c) {   /* [a-zA-Z0-9:_-] */
  return is_id_char(c) || c == ':';
}

static bool is_region_char(unsigned char c) {   /* [a-z0-9-] */
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static bool is_arn_char(unsigned char c) {   /* [!-~] */
  return c >= '!' && c <= '~';
}

/* TagKey ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$, ASCII part only: non-ASCII bytes
 * are let through (they may be letters, digits or separators). */
static bool is_tag_key_char(unsigned char c) {
  if (c >= 0x80)
    return true;
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == ' ' || strchr("_.:/=+-@", c) != NULL;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Describe byte c for a message: 'x' when printable ASCII, else 0xNN. */
static void char_repr(unsigned char c, char *buf, size_t n) {
  if (c >= 0x20 && c < 0x7f)
    snprintf(buf, n, "'%c'", (char)c);
  else
    snprintf(buf, n, "0x%02X", (unsigned)c);
}

/* First byte of s[0..len) that fails ok(), or len. */
static size_t first_bad(const char *s, size_t len, char_ok_fn ok) {
  size_t i = 0;
  while (i < len && ok((unsigned char)s[i]))
    i++;
  return i;
}

/* Pattern check: every byte must pass ok(); `allowed` names the set. */
static int check_chars(const char *s, char_ok_fn ok, const char *allowed,
                       sim_diag *d, const char *path) {
  size_t len = strlen(s);
  size_t i = first_bad(s, len, ok);
  char c[8];
  if (i == len)
    return SIM_OK;
  char_repr((unsigned char)s[i], c, sizeof c);
  return sim_diag_set(d, SIM_ERR_RANGE, path,
                      "expected only %s, got %s at offset %zu",
                      allowed, c, i);
}

/* Botocore [^\p{C}]: no C0 controls, DEL, or C1 controls (U+0080..U+009F,
 * UTF-8 C2 80..C2 9F). Format characters (Cf) are not detected. */
static int check_no_control(const char *s, sim_diag *d, const char *path) {
  size_t i;
  for (i = 0; s[i] != '\0'; i++) {
    unsigned char c = (unsigned char)s[i];
    unsigned code = c;
    if (c == 0xC2 && (unsigned char)s[i + 1] >= 0x80 &&
        (unsigned char)s[i + 1] <= 0x9F)
      code = (unsigned char)s[i + 1];   /* C1 control as a code point */
    else if (c >= 0x20 && c != 0x7F)
      continue;
    return sim_diag_set(d, SIM_ERR_RANGE, path,
                        "expected no control characters, got U+%04X at "
                        "offset %zu",
                        code, i);
  }
  return SIM_OK;
}

/* Copy a kept string (C library allocator). */
static int keep_str(char **dst, const char *s, sim_diag *d, const char *path) {
  *dst = sim_strdup(NULL, s);
  if (*dst == NULL)
    return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
  return SIM_OK;
}

static void drop_str(char **s) {
  if (*s != NULL)
    sim_strfree(NULL, *s);
  *s = NULL;
}

/* A value quoted for a message, cut at 64 bytes. */
#define QUOTE_MAX 64
#define QUOTE_FMT "'%.*s%s'"
#define QUOTE_ARGS(s) \
  (int)(strlen(s) > QUOTE_MAX ? QUOTE_MAX : strlen(s)), (s), \
  (strlen(s) > QUOTE_MAX ? "..." : "")

/* ------------------------------------------------ structure helpers --- */

/* Members people put in the wrong object (often as guide examples or other
 * tools write them): for an unknown member of the object named `key`, where
 * the member belongs instead. */
static const sim_json_hint k_hint_rollout[] = {
  {"baseRatePerMinute", "it belongs inside jobExecutionsRolloutConfig.exponentialRate"},
  {"incrementFactor", "it belongs inside jobExecutionsRolloutConfig.exponentialRate"},
  {"rateIncreaseCriteria", "it belongs inside jobExecutionsRolloutConfig.exponentialRate"},
  {NULL, NULL}};
static const sim_json_hint k_hint_exp[] = {
  {"maximumPerMinute", "it belongs in jobExecutionsRolloutConfig, beside exponentialRate"},
  {"numberOfNotifiedThings", "it belongs inside exponentialRate.rateIncreaseCriteria"},
  {"numberOfSucceededThings", "it belongs inside exponentialRate.rateIncreaseCriteria"},
  {NULL, NULL}};
static const sim_json_hint k_hint_abort[] = {
  {"failureType", "it belongs in each element of abortConfig.criteriaList"},
  {"action", "it belongs in each element of abortConfig.criteriaList"},
  {"thresholdPercentage", "it belongs in each element of abortConfig.criteriaList"},
  {"minNumberOfExecutedThings", "it belongs in each element of abortConfig.criteriaList"},
  {NULL, NULL}};
static const sim_json_hint k_hint_retry[] = {
  {"failureType", "it belongs in each element of jobExecutionsRetryConfig.criteriaList"},
  {"numberOfRetries", "it belongs in each element of jobExecutionsRetryConfig.criteriaList"},
  {NULL, NULL}};
static const sim_json_hint *hints_for(const char *key) {
  if (strcmp(key, "jobExecutionsRolloutConfig") == 0) return k_hint_rollout;
  if (strcmp(key, "exponentialRate") == 0) return k_hint_exp;
  if (strcmp(key, "abortConfig") == 0) return k_hint_abort;
  if (strcmp(key, "jobExecutionsRetryConfig") == 0) return k_hint_retry;
  return NULL;
}
static const sim_json_hint k_hint_top[] = {
  {"maximumPerMinute", "it belongs in jobExecutionsRolloutConfig"},
  {"exponentialRate", "it belongs in jobExecutionsRolloutConfig"},
  {"inProgressTimeoutInMinutes", "it belongs in timeoutConfig"},
  {"criteriaList", "it belongs in abortConfig or jobExecutionsRetryConfig"},
  {"maintenanceWindows", "it belongs in schedulingConfig"},
  {NULL, NULL}};

/* Member `key` of `obj` must be present (when `required`) and an object with
 * only `allowed` members. *out is NULL when absent; `child` receives the
 * member's path. */
static int get_object(const cJSON *obj, const char *key, bool required,
                      const char *const *allowed, const cJSON **out,
                      char *child, size_t child_n, sim_diag *d,
                      const char *path) {
  const cJSON *it = sim_json_get(obj, key);
  sim_path_key(child, child_n, path, key);
  *out = NULL;
  if (it == NULL) {
    if (required)
      return sim_diag_set(d, SIM_ERR_SCHEMA, path,
                          "missing required field '%s'", key);
    return SIM_OK;
  }
  int rc = sim_json_check_object_hints(it, allowed, hints_for(key), d, child);
  if (rc != SIM_OK)
    return rc;
  *out = it;
  return SIM_OK;
}

/* Member `key` of `obj` must be an array of min..max elements (max 0 means
 * no maximum); `noun` names the elements in the count message. */
static int get_array(const cJSON *obj, const char *key, bool required,
                     size_t min, size_t max, const char *noun,
                     const cJSON **out, size_t *count, char *child,
                     size_t child_n, sim_diag *d, const char *path) {
  const cJSON *it = sim_json_get(obj, key);
  sim_path_key(child, child_n, path, key);
  *out = NULL;
  *count = 0;
  if (it == NULL) {
    if (required)
      return sim_diag_set(d, SIM_ERR_SCHEMA, path,
                          "missing required field '%s'", key);
    return SIM_OK;
  }
  if (!cJSON_IsArray(it))
    return sim_diag_set(d, SIM_ERR_SCHEMA, child, "expected an array, got %s",
                        sim_json_type_name(it));
  int n = cJSON_GetArraySize(it);
  size_t un = n > 0 ? (size_t)n : 0;
  if (un < min || (max > 0 && un > max)) {
    if (max == 0)
      return sim_diag_set(d, SIM_ERR_RANGE, child,
                          "expected at least %zu %s, got %zu", min, noun, un);
    if (min == 0)
      return sim_diag_set(d, SIM_ERR_RANGE, child,
                          "expected at most %zu %s, got %zu", max, noun, un);
    return sim_diag_set(d, SIM_ERR_RANGE, child, "expected %zu to %zu %s, got %zu",
                        min, max, noun, un);
  }
  *out = it;
  *count = un;
  return SIM_OK;
}

/* An array element that must be a string of min_len..max_len bytes. */
static int item_str(const cJSON *it, size_t min_len, size_t max_len,
                    const char **out, sim_diag *d, const char *path) {
  if (!cJSON_IsString(it) || it->valuestring == NULL)
    return sim_diag_set(d, SIM_ERR_SCHEMA, path, "expected a string, got %s",
                        sim_json_type_name(it));
  size_t len = strlen(it->valuestring);
  if (len < min_len || len > max_len)
    return sim_diag_set(d, SIM_ERR_RANGE, path,
                        "expected a string of %zu to %zu characters",
                        min_len, max_len);
  *out = it->valuestring;
  return SIM_OK;
}

/* ------------------------------------------------------ value checks --- */

/* At most `digits` digits after the decimal point (1 or 2). */
static int check_decimals(double v, int digits, const char *example,
                          sim_diag *d, const char *path) {
  double scale = digits == 1 ? 10.0 : 100.0;
  char got[40];
  if (fabs(v * scale - round(v * scale)) < 1e-9)
    return SIM_OK;
  sim_json_format_double(v, got, sizeof got);
  return sim_diag_set(d, SIM_ERR_RANGE, path,
                      "expected at most %s digit%s after the decimal point "
                      "(e.g. %s), got %s",
                      digits == 1 ? "one" : "two", digits == 1 ? "" : "s",
                      example, got);
}

/* ^arn:[!-~]+$ (JobTemplateArn, PackageVersionArn). */
static int check_generic_arn(const char *s, sim_diag *d, const char *path) {
  if (strncmp(s, "arn:", 4) != 0 || s[4] == '\0')
    return sim_diag_set(d, SIM_ERR_RANGE, path,
                        "expected an ARN matching ^arn:[!-~]+$, got " QUOTE_FMT,
                        QUOTE_ARGS(s));
  return check_chars(s, is_arn_char, "printable ASCII without spaces ([!-~])",
                     d, path);
}

/* arn:aws:iot:<region>:<12-digit account>:thing/<name> or thinggroup/<name>,
 * names 1..128 of [a-zA-Z0-9:_-]. */
static int check_target_arn(const char *s, sim_diag *d, const char *path) {
  static const char prefix[] = "arn:aws:iot:";
  const char *p = s;
  size_t n;
  if (strncmp(p, prefix, sizeof prefix - 1) != 0)
    return sim_diag_set(d, SIM_ERR_RANGE, path,
                        "expected a thing or thing group ARN starting with "
                        "'arn:aws:iot:', got " QUOTE_FMT,
                        QUOTE_ARGS(s));
  p += sizeof prefix - 1;
  n = first_bad(p, strlen(p), is_region_char);
  if (n == 0 || p[n] != ':')
    return sim_diag_set(d, SIM_ERR_RANGE, path,
                        "expected a region of [a-z0-9-] after 'arn:aws:iot:', "
                        "got " QUOTE_FMT,
                        QUOTE_ARGS(s));
  p += n + 1;
  n = 0;
  while (is_digit(p[n]))
    n++;
  if (n != 12 || p[n] != ':')
    return sim_diag_set(d, SIM_ERR_RANGE, path,
                        "expected a 12-digit account id after the region, "
                        "got " QUOTE_FMT,
                        QUOTE_ARGS(s));
  p += n + 1;
  const char *kind;
  if (strncmp(p, "thing/", 6) == 0) {
    kind = "thing";
    p += 6;
  } else if (strncmp(p, "thinggroup/", 11) == 0) {
    kind = "thing group";
    p += 11;
  } else {
    return sim_diag_set(d, SIM_ERR_RANGE, path,
                        "expected resource 'thing/<name>' or "
                        "'thinggroup/<name>' after the account id, got " QUOTE_FMT,
                        QUOTE_ARGS(s));
  }
  n = strlen(p);
  if (n == 0 || n > TARGET_NAME_MAX ||
      first_bad(p, n, is_thing_name_char) != n)
    return sim_diag_set(d, SIM_ERR_RANGE, path,
                        "expected a %s name of 1 to %d characters "
                        "[a-zA-Z0-9:_-], got " QUOTE_FMT,
                        kind, TARGET_NAME_MAX, QUOTE_ARGS(p));
  return SIM_OK;
}

static int digits_at(const char *s, int at, int n) {
  int v = 0;
  for (int i = 0; i < n; i++)
    v = v * 10 + (s[at + i] - '0');
  return v;
}

/* "YYYY-MM-DDTHH:MM" (UTC, O33) -> minutes since the Unix epoch. */
static int parse_datetime(const char *s, int64_t *minutes, sim_diag *d,
                          const char *path) {
  static const char shape[] = "dddd-dd-ddTdd:dd";
  size_t len = strlen(s);
  bool ok = len == sizeof shape - 1;
  for (size_t i = 0; ok && i < len; i++)
    ok = shape[i] == 'd' ? is_digit(s[i]) : s[i] == shape[i];
  if (!ok)
    return sim_diag_set(d, SIM_ERR_RANGE, path,
                        "expected a UTC date and time of the form "
                        "YYYY-MM-DDTHH:MM, got " QUOTE_FMT,
                        QUOTE_ARGS(s));
  int y = digits_at(s, 0, 4), mo = digits_at(s, 5, 2), dd = digits_at(s, 8, 2);
  int h = digits_at(s, 11, 2), mi = digits_at(s, 14, 2);
  if (mo < 1 || mo > 12)
    return sim_diag_set(d, SIM_ERR_RANGE, path,
                        "expected month 01 to 12, got %02d in '%s'", mo, s);
  int dim = (int)sim_days_in_month(y, (unsigned)mo);
  if (dd < 1 || dd > dim)
    return sim_diag_set(d, SIM_ERR_RANGE, path,
                        "expected day 01 to %d for %04d-%02d, got %02d in '%s'",
                        dim, y, mo, dd, s);
  if (h > 23)
    return sim_diag_set(d, SIM_ERR_RANGE, path,
                        "expected hour 00 to 23, got %02d in '%s'", h, s);
  if (mi > 59)
    return sim_diag_set(d, SIM_ERR_RANGE, path,
                        "expected minute 00 to 59, got %02d in '%s'", mi, s);
  *minutes = sim_days_from_civil(y, (unsigned)mo, (unsigned)dd) * 1440 + h * 60 + mi;
  return SIM_OK;
}

/* ---------------------------------------------------- section parsers --- */

/* Every section parser takes the request object `o` and its path `p`. */

static int parse_targets(model_jobcfg *cfg, const cJSON *o, sim_diag *d,
                         const char *p) {
  char lp[512], ip[512], jp[512];
  const cJSON *arr;
  size_t n;
  int rc = get_array(o, "targets", true, 1, MODEL_MAX_TARGETS, "targets", &arr,
                     &n, lp, sizeof lp, d, p);
  if (rc != SIM_OK)
    return rc;
  cfg->targets = sim_calloc(NULL, n, sizeof *cfg->targets);
  if (cfg->targets == NULL)
    return sim_diag_set(d, SIM_ERR_NOMEM, lp, "out of memory");
  cfg->n_targets = n;   /* slots are NULL until filled: release copes */
  for (size_t i = 0; i < n; i++) {
    const char *s = NULL;
    sim_path_index(ip, sizeof ip, lp, i);
    rc = item_str(cJSON_GetArrayItem(arr, (int)i), 1, TARGET_ARN_MAX, &s, d,
                  ip);
    if (rc == SIM_OK)
      rc = check_target_arn(s, d, ip);
    for (size_t j = 0; rc == SIM_OK && j < i; j++) {
      if (strcmp(cfg->targets[j], s) == 0) {
        sim_path_index(jp, sizeof jp, lp, j);
        rc = sim_diag_set(d, SIM_ERR_RANGE, ip,
                          "duplicate target, already given at %s", jp);
      }
    }
    if (rc == SIM_OK)
      rc = keep_str(&cfg->targets[i], s, d, ip);
    if (rc != SIM_OK)
      return rc;
  }
  return SIM_OK;
}

static int parse_document(model_jobcfg *cfg, const cJSON *o, sim_diag *d,
                          const char *p) {
  char mp[512];
  const char *doc = NULL, *src = NULL, *tmpl = NULL;
  bool has_doc = false, has_src = false, has_tmpl = false;
  int rc = sim_json_str(o, "document", false, 0, DOCUMENT_MAX, &doc, &has_doc,
                        d, p);
  if (rc != SIM_OK)
    return rc;
  if (has_doc) {
    /* AWS requires a JSON job document: checked by the allocation-free
     * strict syntax check (no parse tree needed, no out-of-memory case). */
    sim_path_key(mp, sizeof mp, p, "document");
    if (!sim_json_valid(doc, strlen(doc)))
      return sim_diag_set(d, SIM_ERR_RANGE, mp, "document is not valid JSON");
  }
  rc = sim_json_str(o, "documentSource", false, 1, DOCUMENT_SOURCE_MAX, &src,
                    &has_src, d, p);
  if (rc != SIM_OK)
    return rc;
  rc = sim_json_str(o, "jobTemplateArn", false, 1, ARN_MAX, &tmpl, &has_tmpl,
                    d, p);
  if (rc != SIM_OK)
    return rc;
  if (has_tmpl) {
    sim_path_key(mp, sizeof mp, p, "jobTemplateArn");
    rc = check_generic_arn(tmpl, d, mp);
    if (rc != SIM_OK)
      return rc;
  }
  if (has_doc && has_src)
    return sim_diag_set(d, SIM_ERR_SCHEMA, p,
                        "exactly one of 'document' or 'documentSource' is "
                        "required, got both");
  if (!has_doc && !has_src && !has_tmpl)
    return sim_diag_set(d, SIM_ERR_SCHEMA, p,
                        "exactly one of 'document' or 'documentSource' is "
                        "required");
  if (has_doc && (rc = keep_str(&cfg->document, doc, d, p)) != SIM_OK)
    return rc;
  if (has_src && (rc = keep_str(&cfg->document_source, src, d, p)) != SIM_OK)
    return rc;
  if (has_tmpl && (rc = keep_str(&cfg->job_template_arn, tmpl, d, p)) != SIM_OK)
    return rc;
  return SIM_OK;
}

static int parse_presigned(model_jobcfg *cfg, const cJSON *o, sim_diag *d,
                           const char *p) {
  char cp[512];
  const cJSON *obj;
  const char *role = NULL;
  bool has_role = false;
  int rc = get_object(o, "presignedUrlConfig", false, k_presigned_fields, &obj,
                      cp, sizeof cp, d, p);
  if (rc != SIM_OK || obj == NULL)
    return rc;
  cfg->has_presigned = true;
  rc = sim_json_str(obj, "roleArn", false, ROLE_ARN_MIN, ROLE_ARN_MAX, &role,
                    &has_role, d, cp);
  if (rc == SIM_OK)
    rc = sim_json_int(obj, "expiresInSec", false, 60, 3600,
                      &cfg->expires_in_sec, &cfg->has_expires_in_sec, d, cp);
  if (rc == SIM_OK && has_role)
    rc = keep_str(&cfg->presigned_role_arn, role, d, cp);
  return rc;
}

static int parse_rollout(model_jobcfg *cfg, const cJSON *o, int64_t quota,
                         sim_diag *d, const char *p) {
  char rp[512], ep[512], cp[512], mp[512];
  const cJSON *ro, *ex, *crit;
  int rc = get_object(o, "jobExecutionsRolloutConfig", false, k_rollout_fields,
                      &ro, rp, sizeof rp, d, p);
  if (rc != SIM_OK || ro == NULL)
    return rc;
  cfg->has_rollout = true;

  /* maximumPerMinute: model min 1, no max; capped by the simulated rollout
   * quota (O4), which has its own message saying how to raise it. */
  const cJSON *mpm = sim_json_get(ro, "maximumPerMinute");
  if (mpm != NULL && cJSON_IsNumber(mpm) && mpm->valuedouble > (double)quota &&
      mpm->valuedouble <= (double)INT_MODEL_MAX &&
      mpm->valuedouble == floor(mpm->valuedouble)) {
    sim_path_key(mp, sizeof mp, rp, "maximumPerMinute");
    return sim_diag_set(d, SIM_ERR_RANGE, mp,
                        "expected at most %lld per minute (the rollout quota), "
                        "got %.0f; raise $.simulation.rolloutQuota in the "
                        "scenario to allow more",
                        (long long)quota, mpm->valuedouble);
  }
  rc = sim_json_int(ro, "maximumPerMinute", false, 1, quota,
                    &cfg->max_per_minute, &cfg->has_max_per_minute, d, rp);
  if (rc != SIM_OK)
    return rc;

  rc = get_object(ro, "exponentialRate", false, k_exp_fields, &ex, ep,
                  sizeof ep, d, rp);
  if (rc != SIM_OK || ex == NULL)
    return rc;
  cfg->has_exponential = true;
  rc = sim_json_int(ex, "baseRatePerMinute", true, 1, 1000,
                    &cfg->base_rate_per_minute, NULL, d, ep);
  if (rc == SIM_OK)
    rc = sim_json_num(ex, "incrementFactor", true, 1.1, 5.0,
                      &cfg->increment_factor, NULL, d, ep);
  if (rc == SIM_OK) {
    sim_path_key(mp, sizeof mp, ep, "incrementFactor");
    rc = check_decimals(cfg->increment_factor, 1, "1.5", d, mp);
  }
  if (rc == SIM_OK)
    rc = get_object(ex, "rateIncreaseCriteria", true, k_rate_crit_fields,
                    &crit, cp, sizeof cp, d, ep);
  if (rc == SIM_OK)
    rc = sim_json_int(crit, "numberOfNotifiedThings", false, 1, INT_MODEL_MAX,
                      &cfg->notified_things, &cfg->has_notified_criterion, d,
                      cp);
  if (rc == SIM_OK)
    rc = sim_json_int(crit, "numberOfSucceededThings", false, 1, INT_MODEL_MAX,
                      &cfg->succeeded_things, &cfg->has_succeeded_criterion,
                      d, cp);
  /* O1: the model allows an empty criteria object; an exponential rate
   * without a criterion never increases, so jobsim rejects it. */
  if (rc == SIM_OK && !cfg->has_notified_criterion &&
      !cfg->has_succeeded_criterion)
    rc = sim_diag_set(d, SIM_ERR_SCHEMA, cp,
                      "rateIncreaseCriteria needs numberOfNotifiedThings or "
                      "numberOfSucceededThings");
  return rc;
}

static int parse_abort(model_jobcfg *cfg, const cJSON *o, sim_diag *d,
                       const char *p) {
  char ap[512], lp[512], ip[512], mp[512];
  const cJSON *ao, *list;
  size_t n;
  int rc = get_object(o, "abortConfig", false, k_criteria_list_fields, &ao,
                      ap, sizeof ap, d, p);
  if (rc != SIM_OK || ao == NULL)
    return rc;
  cfg->has_abort = true;
  /* The model sets min 1 and no maximum; MODEL_MAX_ABORT_CRITERIA is a
   * jobsim cap (a fixed array in model_jobcfg). */
  rc = get_array(ao, "criteriaList", true, 1, MODEL_MAX_ABORT_CRITERIA,
                 "abort criteria", &list, &n, lp, sizeof lp, d, ap);
  if (rc != SIM_OK)
    return rc;
  for (size_t i = 0; i < n; i++) {
    const cJSON *it = cJSON_GetArrayItem(list, (int)i);
    model_abort_criteria *c = &cfg->abort[i];
    int ft = 0, act = 0;
    sim_path_index(ip, sizeof ip, lp, i);
    rc = sim_json_check_object(it, k_abort_crit_fields, d, ip);
    if (rc == SIM_OK)
      rc = sim_json_enum(it, "failureType", true, k_abort_failure, &ft, NULL,
                         d, ip);
    if (rc == SIM_OK)
      rc = sim_json_enum(it, "action", true, k_abort_action, &act, NULL, d,
                         ip);
    /* O13: the model has no minimum; 0 is accepted. */
    if (rc == SIM_OK)
      rc = sim_json_num(it, "thresholdPercentage", true, 0.0, 100.0,
                        &c->threshold_percentage, NULL, d, ip);
    if (rc == SIM_OK) {
      sim_path_key(mp, sizeof mp, ip, "thresholdPercentage");
      rc = check_decimals(c->threshold_percentage, 2, "10.99", d, mp);
    }
    if (rc == SIM_OK)
      rc = sim_json_int(it, "minNumberOfExecutedThings", true, 1,
                        INT_MODEL_MAX, &c->min_executed, NULL, d, ip);
    if (rc != SIM_OK)
      return rc;
    c->failure_type = (model_failure_type)ft;
    cfg->n_abort = i + 1;
  }
  return SIM_OK;
}

static int parse_timeout(model_jobcfg *cfg, const cJSON *o, sim_diag *d,
                         const char *p) {
  char tp[512];
  const cJSON *to;
  int rc = get_object(o, "timeoutConfig", false, k_timeout_fields, &to, tp,
                      sizeof tp, d, p);
  if (rc != SIM_OK || to == NULL)
    return rc;
  cfg->has_timeout = true;
  return sim_json_int(to, "inProgressTimeoutInMinutes", false, 1,
                      TIMEOUT_MAX_MIN, &cfg->in_progress_timeout_min,
                      &cfg->has_in_progress_timeout, d, tp);
}

/* Retry (O19): duplicated failureType, ALL with another entry and a total
 * above 10 retries are rejected. Retrying on TIMED_OUT without
 * timeoutConfig is accepted: step timers can time an execution out. */
static int parse_retry(model_jobcfg *cfg, const cJSON *o, sim_diag *d,
                       const char *p) {
  char rp[512], lp[512], ip[512], mp[512];
  const cJSON *ro, *list;
  size_t n;
  int64_t total = 0;
  int rc = get_object(o, "jobExecutionsRetryConfig", false,
                      k_criteria_list_fields, &ro, rp, sizeof rp, d, p);
  if (rc != SIM_OK || ro == NULL)
    return rc;
  cfg->has_retry = true;
  rc = get_array(ro, "criteriaList", true, 1, MODEL_MAX_RETRY_CRITERIA,
                 "retry criteria", &list, &n, lp, sizeof lp, d, rp);
  if (rc != SIM_OK)
    return rc;
  for (size_t i = 0; i < n; i++) {
    const cJSON *it = cJSON_GetArrayItem(list, (int)i);
    model_retry_criteria *c = &cfg->retry[i];
    int ft = 0;
    sim_path_index(ip, sizeof ip, lp, i);
    rc = sim_json_check_object(it, k_retry_crit_fields, d, ip);
    if (rc == SIM_OK)
      rc = sim_json_enum(it, "failureType", true, k_retry_failure, &ft, NULL,
                         d, ip);
    if (rc == SIM_OK)
      rc = sim_json_int(it, "numberOfRetries", true, 0, RETRY_TOTAL_MAX,
                        &c->number_of_retries, NULL, d, ip);
    if (rc != SIM_OK)
      return rc;
    c->failure_type = k_retry_failure_val[ft];
    sim_path_key(mp, sizeof mp, ip, "failureType");
    for (size_t j = 0; j < i; j++) {
      if (cfg->retry[j].failure_type == c->failure_type)
        return sim_diag_set(d, SIM_ERR_RANGE, mp,
                            "duplicate failureType '%s', already given at "
                            "criteriaList[%zu]",
                            model_failure_type_name(c->failure_type), j);
      if (cfg->retry[j].failure_type == MODEL_FAILURE_ALL ||
          c->failure_type == MODEL_FAILURE_ALL)
        return sim_diag_set(d, SIM_ERR_RANGE, mp,
                            "failureType 'ALL' cannot be combined with "
                            "another retry criterion");
    }
    total += c->number_of_retries;
    cfg->n_retry = i + 1;
  }
  if (total > RETRY_TOTAL_MAX)
    return sim_diag_set(d, SIM_ERR_RANGE, lp,
                        "expected at most %d retries per device in total "
                        "(sum of numberOfRetries), got %lld",
                        RETRY_TOTAL_MAX, (long long)total);
  return SIM_OK;
}

/* Validated, not stored: tags never appear in DescribeJob. */
static int parse_tags(const cJSON *o, sim_diag *d, const char *p) {
  char lp[512], ip[512], kp[512];
  const cJSON *list;
  size_t n;
  int rc = get_array(o, "tags", false, 0, 0, "tags", &list, &n, lp, sizeof lp,
                     d, p);
  for (size_t i = 0; rc == SIM_OK && i < n; i++) {
    const cJSON *it = cJSON_GetArrayItem(list, (int)i);
    const char *key = NULL, *val = NULL;
    sim_path_index(ip, sizeof ip, lp, i);
    rc = sim_json_check_object(it, k_tag_fields, d, ip);
    if (rc == SIM_OK)
      rc = sim_json_str(it, "Key", true, 1, TAG_KEY_MAX, &key, NULL, d, ip);
    if (rc == SIM_OK) {
      sim_path_key(kp, sizeof kp, ip, "Key");
      rc = check_chars(key, is_tag_key_char,
                       "letters, digits, spaces and _.:/=+-@", d, kp);
    }
    if (rc == SIM_OK)
      rc = sim_json_str(it, "Value", false, 0, TAG_VALUE_MAX, &val, NULL, d,
                        ip);
  }
  return rc;
}

static int parse_parameters(model_jobcfg *cfg, const cJSON *o, sim_diag *d,
                            const char *p) {
  char pp[512], kp[512];
  const cJSON *obj = sim_json_get(o, "documentParameters");
  const cJSON *it;
  if (obj == NULL)
    return SIM_OK;
  sim_path_key(pp, sizeof pp, p, "documentParameters");
  if (!cJSON_IsObject(obj))
    return sim_diag_set(d, SIM_ERR_SCHEMA, pp, "expected an object, got %s",
                        sim_json_type_name(obj));
  /* M-IOT: only for jobs made from AWS managed templates. */
  if (sim_json_get(o, "jobTemplateArn") == NULL)
    return sim_diag_set(d, SIM_ERR_SCHEMA, pp,
                        "documentParameters requires 'jobTemplateArn' (AWS "
                        "managed templates only)");
  cJSON_ArrayForEach(it, obj) {
    const char *key = it->string != NULL ? it->string : "";
    const char *val = NULL;
    size_t klen = strlen(key);
    if (klen < 1 || klen > PARAM_KEY_MAX)
      return sim_diag_set(d, SIM_ERR_RANGE, pp,
                          "expected parameter names of 1 to %d characters, got "
                          "%zu",
                          PARAM_KEY_MAX, klen);
    int rc = check_chars(key, is_id_char,
                         "characters [a-zA-Z0-9_-] in parameter names", d, pp);
    if (rc != SIM_OK)
      return rc;
    sim_path_key(kp, sizeof kp, pp, key);
    for (const cJSON *prev = obj->child; prev != it; prev = prev->next)
      if (prev->string != NULL && strcmp(prev->string, key) == 0)
        return sim_diag_set(d, SIM_ERR_SCHEMA, kp, "duplicate field '%s'",
                            key);
    rc = sim_json_str(obj, key, true, 1, PARAM_VALUE_MAX, &val, NULL, d, pp);
    if (rc != SIM_OK)
      return rc;
    rc = check_no_control(val, d, kp);
    if (rc != SIM_OK)
      return rc;
  }
  cfg->document_parameters = cJSON_Duplicate(obj, 1);
  if (cfg->document_parameters == NULL)
    return sim_diag_set(d, SIM_ERR_NOMEM, pp, "out of memory");
  return SIM_OK;
}

static int parse_packages(model_jobcfg *cfg, const cJSON *o, sim_diag *d,
                          const char *p) {
  char lp[512], ip[512];
  const cJSON *list;
  size_t n;
  int rc = get_array(o, "destinationPackageVersions", false, 0,
                     MAX_PACKAGE_VERSIONS, "package version ARNs", &list, &n,
                     lp, sizeof lp, d, p);
  if (rc != SIM_OK || list == NULL)
    return rc;
  cfg->has_destination_package_versions = true;
  if (n == 0)
    return SIM_OK;
  cfg->destination_package_versions =
      sim_calloc(NULL, n, sizeof *cfg->destination_package_versions);
  if (cfg->destination_package_versions == NULL)
    return sim_diag_set(d, SIM_ERR_NOMEM, lp, "out of memory");
  cfg->n_destination_package_versions = n;
  for (size_t i = 0; i < n; i++) {
    const char *s = NULL;
    sim_path_index(ip, sizeof ip, lp, i);
    rc = item_str(cJSON_GetArrayItem(list, (int)i), 1, ARN_MAX, &s, d, ip);
    if (rc == SIM_OK)
      rc = check_generic_arn(s, d, ip);
    if (rc == SIM_OK)
      rc = keep_str(&cfg->destination_package_versions[i], s, d, ip);
    if (rc != SIM_OK)
      return rc;
  }
  return SIM_OK;
}

static int parse_scheduling(model_jobcfg *cfg, const cJSON *o, sim_diag *d,
                            const char *p) {
  char sp[512], mp[512], lp[512], ip[512];
  const cJSON *so, *list;
  const char *start = NULL, *end = NULL;
  bool has_start = false, has_end = false;
  int64_t start_min = 0, end_min = 0;
  int eb = 0;
  size_t n;
  int rc = get_object(o, "schedulingConfig", false, k_sched_fields, &so, sp,
                      sizeof sp, d, p);
  if (rc != SIM_OK || so == NULL)
    return rc;
  cfg->has_scheduling = true;
  cfg->end_behavior = MODEL_END_STOP_ROLLOUT;   /* O32 default */

  rc = sim_json_str(so, "startTime", false, 1, DATETIME_MAX, &start,
                    &has_start, d, sp);
  if (rc == SIM_OK && has_start) {
    sim_path_key(mp, sizeof mp, sp, "startTime");
    rc = parse_datetime(start, &start_min, d, mp);
  }
  if (rc == SIM_OK)
    rc = sim_json_str(so, "endTime", false, 1, DATETIME_MAX, &end, &has_end, d,
                      sp);
  if (rc == SIM_OK && has_end) {
    sim_path_key(mp, sizeof mp, sp, "endTime");
    rc = parse_datetime(end, &end_min, d, mp);
  }
  /* Both given: 30 minutes .. two years apart. Checks against "now" live
   * in scenario.c. */
  if (rc == SIM_OK && has_start && has_end) {
    int64_t span = end_min - start_min;
    if (span < SCHED_MIN_SPAN_MIN)
      rc = sim_diag_set(d, SIM_ERR_RANGE, mp,
                        "expected endTime at least %d minutes after "
                        "startTime, got %lld minutes",
                        SCHED_MIN_SPAN_MIN, (long long)span);
    else if (span > SCHED_MAX_SPAN_MIN)
      rc = sim_diag_set(d, SIM_ERR_RANGE, mp,
                        "expected endTime at most 2 years (%d minutes) after "
                        "startTime, got %lld minutes",
                        SCHED_MAX_SPAN_MIN, (long long)span);
  }
  if (rc == SIM_OK)
    rc = sim_json_enum(so, "endBehavior", false, k_end_behavior, &eb,
                       &cfg->has_end_behavior, d, sp);
  if (rc != SIM_OK)
    return rc;
  if (cfg->has_end_behavior)
    cfg->end_behavior = (model_end_behavior)eb;
  if (has_start && (rc = keep_str(&cfg->start_time, start, d, sp)) != SIM_OK)
    return rc;
  if (has_end && (rc = keep_str(&cfg->end_time, end, d, sp)) != SIM_OK)
    return rc;

  /* The model has no maximum; MODEL_MAX_WINDOWS is a jobsim cap. */
  rc = get_array(so, "maintenanceWindows", false, 0, MODEL_MAX_WINDOWS,
                 "maintenance windows", &list, &n, lp, sizeof lp, d, sp);
  for (size_t i = 0; rc == SIM_OK && i < n; i++) {
    const cJSON *it = cJSON_GetArrayItem(list, (int)i);
    model_window *w = &cfg->windows[i];
    const char *cron = NULL;
    sim_path_index(ip, sizeof ip, lp, i);
    rc = sim_json_check_object(it, k_window_fields, d, ip);
    if (rc == SIM_OK)
      rc = sim_json_str(it, "startTime", true, 1, CRON_MAX, &cron, NULL, d,
                        ip);
    if (rc == SIM_OK) {
      size_t len = strlen(cron);
      /* Only the envelope here; the cron fields are parsed later. */
      if (len < 7 || strncmp(cron, "cron(", 5) != 0 || cron[len - 1] != ')') {
        sim_path_key(mp, sizeof mp, ip, "startTime");
        rc = sim_diag_set(d, SIM_ERR_RANGE, mp,
                          "expected a cron expression of the form "
                          "cron(<fields>), got " QUOTE_FMT,
                          QUOTE_ARGS(cron));
      }
    }
    if (rc == SIM_OK)
      rc = sim_json_int(it, "durationInMinutes", true, 1, WINDOW_DURATION_MAX,
                        &w->duration_min, NULL, d, ip);
    if (rc == SIM_OK)
      rc = keep_str(&w->cron, cron, d, ip);
    if (rc == SIM_OK)
      cfg->n_windows = i + 1;
  }
  return rc;
}

/* ------------------------------------------------------------- public --- */

int model_jobcfg_parse(model_jobcfg *cfg, const cJSON *json,
                       const model_jobcfg_opts *opts, sim_diag *d,
                       const char *path) {
  SIM_ASSERT(cfg != NULL && d != NULL && path != NULL);
  /* A non-positive quota means "not set": use the AWS default. */
  int64_t quota = opts != NULL && opts->rollout_quota > 0
                      ? opts->rollout_quota
                      : DEFAULT_ROLLOUT_QUOTA;
  char mp[512];
  const char *s = NULL;
  bool present = false;
  int ts = 0;
  int rc;

  memset(cfg, 0, sizeof *cfg);
  rc = sim_json_check_object_hints(json, k_top_fields, k_hint_top, d, path);
  if (rc != SIM_OK)
    goto fail;

  rc = sim_json_str(json, "jobId", true, 1, JOB_ID_MAX, &s, NULL, d, path);
  if (rc != SIM_OK)
    goto fail;
  sim_path_key(mp, sizeof mp, path, "jobId");
  if ((rc = check_chars(s, is_id_char, "characters [a-zA-Z0-9_-]", d,
                           mp)) != SIM_OK ||
      (rc = keep_str(&cfg->job_id, s, d, mp)) != SIM_OK)
    goto fail;

  if ((rc = parse_targets(cfg, json, d, path)) != SIM_OK ||
      (rc = parse_document(cfg, json, d, path)) != SIM_OK)
    goto fail;

  rc = sim_json_str(json, "description", false, 0, DESCRIPTION_MAX, &s,
                    &present, d, path);
  if (rc != SIM_OK)
    goto fail;
  if (present) {
    sim_path_key(mp, sizeof mp, path, "description");
    if ((rc = check_no_control(s, d, mp)) != SIM_OK ||
        (rc = keep_str(&cfg->description, s, d, mp)) != SIM_OK)
      goto fail;
  }

  rc = sim_json_enum(json, "targetSelection", false, k_target_selection, &ts,
                     &cfg->target_selection_given, d, path);
  if (rc != SIM_OK)
    goto fail;
  cfg->continuous = cfg->target_selection_given && ts == 1;

  if ((rc = parse_presigned(cfg, json, d, path)) != SIM_OK ||
      (rc = parse_rollout(cfg, json, quota, d, path)) != SIM_OK ||
      (rc = parse_abort(cfg, json, d, path)) != SIM_OK ||
      (rc = parse_timeout(cfg, json, d, path)) != SIM_OK ||
      (rc = parse_retry(cfg, json, d, path)) != SIM_OK ||
      (rc = parse_tags(json, d, path)) != SIM_OK)
    goto fail;

  present = false;
  rc = sim_json_str(json, "namespaceId", false, 1, NAMESPACE_MAX, &s, &present,
                    d, path);
  if (rc != SIM_OK)
    goto fail;
  if (present) {
    sim_path_key(mp, sizeof mp, path, "namespaceId");
    if ((rc = check_chars(s, is_id_char, "characters [a-zA-Z0-9_-]", d,
                           mp)) != SIM_OK ||
        (rc = keep_str(&cfg->namespace_id, s, d, mp)) != SIM_OK)
      goto fail;
  }

  if ((rc = parse_parameters(cfg, json, d, path)) != SIM_OK ||
      (rc = parse_packages(cfg, json, d, path)) != SIM_OK ||
      (rc = parse_scheduling(cfg, json, d, path)) != SIM_OK)
    goto fail;
  return SIM_OK;

fail:
  model_jobcfg_release(cfg);
  return rc;
}

void model_jobcfg_release(model_jobcfg *cfg) {
  if (cfg == NULL)
    return;
  drop_str(&cfg->job_id);
  if (cfg->targets != NULL) {
    for (size_t i = 0; i < cfg->n_targets; i++)
      drop_str(&cfg->targets[i]);
    sim_free(NULL, cfg->targets, cfg->n_targets * sizeof *cfg->targets);
  }
  drop_str(&cfg->document);
  drop_str(&cfg->document_source);
  drop_str(&cfg->description);
  drop_str(&cfg->presigned_role_arn);
  drop_str(&cfg->namespace_id);
  drop_str(&cfg->job_template_arn);
  cJSON_Delete(cfg->document_parameters);
  if (cfg->destination_package_versions != NULL) {
    for (size_t i = 0; i < cfg->n_destination_package_versions; i++)
      drop_str(&cfg->destination_package_versions[i]);
    sim_free(NULL, cfg->destination_package_versions,
             cfg->n_destination_package_versions *
                 sizeof *cfg->destination_package_versions);
  }
  drop_str(&cfg->start_time);
  drop_str(&cfg->end_time);
  for (size_t i = 0; i < cfg->n_windows && i < MODEL_MAX_WINDOWS; i++)
    drop_str(&cfg->windows[i].cron);
  memset(cfg, 0, sizeof *cfg);
}

const char *model_failure_type_name(model_failure_type t) {
  switch (t) {
  case MODEL_FAILURE_FAILED: return "FAILED";
  case MODEL_FAILURE_REJECTED: return "REJECTED";
  case MODEL_FAILURE_TIMED_OUT: return "TIMED_OUT";
  case MODEL_FAILURE_ALL: return "ALL";
  }
  return "UNKNOWN";
}

const char *model_end_behavior_name(model_end_behavior b) {
  switch (b) {
  case MODEL_END_STOP_ROLLOUT: return "STOP_ROLLOUT";
  case MODEL_END_CANCEL: return "CANCEL";
  case MODEL_END_FORCE_CANCEL: return "FORCE_CANCEL";
  }
  return "UNKNOWN";
}
