/*
 * history.c — reading a past job (history.h). The describe-job document is
 * small and goes through cJSON (sim/json.h); the listings can be hundreds
 * of megabytes and are walked with the pull reader (scan.h) over a
 * read-only mapping of the file, so memory holds one fixed-size record per
 * execution, not a tree. A run.sqlite goes through storein.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "history.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "awstime.h"
#include "json.h"
#include "scan.h"
#include "storein.h"

/* ---------------------------------------------------------- basics --- */

int fit_history_new(fit_history **out) {
  fit_history *h = calloc(1, sizeof *h);
  *out = h;
  if (!h) return SIM_ERR_NOMEM;
  h->completed = -1;
  h->cancel_at = -1;
  h->store_targeted = -1;
  h->observed_at = -1;
  h->retry_failed = h->retry_timed_out = h->retry_all = -1;
  sim_index_init(&h->by_name);
  return SIM_OK;
}

void fit_history_free(fit_history *h) {
  if (!h) return;
  cJSON_Delete(h->describe);
  free(h->names);
  free(h->name_off);
  free(h->group_of);
  free(h->targeted);
  sim_index_release(&h->by_name);
  free(h->rec);
  free(h->groups);
  for (size_t i = 0; i < h->n_inputs; i++) free(h->inputs[i].path);
  free(h->inputs);
  for (size_t i = 0; i < h->n_notes; i++) free(h->notes[i]);
  free(h->notes);
  free(h);
}

void fit_history_set_observed(fit_history *h, int64_t epoch_ms) {
  h->observed_given = true;
  h->observed_epoch_ms = epoch_ms;
}

const char *fit_history_thing(const fit_history *h, int64_t t) {
  return h->names + h->name_off[t];
}

int fit_history_note(fit_history *h, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  char **nn = realloc(h->notes, (h->n_notes + 1) * sizeof *nn);
  if (!nn) return SIM_ERR_NOMEM;
  h->notes = nn;
  if (!(h->notes[h->n_notes] = strdup(buf))) return SIM_ERR_NOMEM;
  h->n_notes++;
  return SIM_OK;
}

static fit_input *add_input(fit_history *h, const char *path, const char *kind,
                            const char *group) {
  fit_input *ni = realloc(h->inputs, (h->n_inputs + 1) * sizeof *ni);
  if (!ni) return NULL;
  h->inputs = ni;
  fit_input *in = &h->inputs[h->n_inputs];
  memset(in, 0, sizeof *in);
  if (!(in->path = strdup(path))) return NULL;
  snprintf(in->kind, sizeof in->kind, "%s", kind);
  snprintf(in->group, sizeof in->group, "%s", group ? group : "");
  h->n_inputs++;
  return in;
}

/* AWS thing and thing-group names: [a-zA-Z0-9:_-]{1,128}. */
static bool valid_name(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > 128) return false;
  for (const char *p = s; *p; p++) {
    char c = *p;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == ':' || c == '_' || c == '-'))
      return false;
  }
  return true;
}

/* Thing index of `name`, adding it when new (*added). */
static int thing_of(fit_history *h, const char *name, int64_t *t, bool *added) {
  uint64_t key = sim_index_hash_str(name);
  size_t cur = 0;
  if (added) *added = false;
  for (int64_t v; (v = sim_index_next(&h->by_name, key, &cur)) >= 0;)
    if (strcmp(fit_history_thing(h, v), name) == 0) {
      *t = v;
      return SIM_OK;
    }
  size_t len = strlen(name) + 1;
  if (h->names_len + len > h->names_cap) {
    size_t nc = h->names_cap ? h->names_cap * 2 : 65536;
    while (nc < h->names_len + len) nc *= 2;
    char *nn = realloc(h->names, nc);
    if (!nn) return SIM_ERR_NOMEM;
    h->names = nn;
    h->names_cap = nc;
  }
  if (h->n_things == h->cap_things) {
    int64_t nc = h->cap_things ? h->cap_things * 2 : 1024;
    size_t *no = realloc(h->name_off, (size_t)nc * sizeof *no);
    if (no) h->name_off = no;
    int32_t *ng = realloc(h->group_of, (size_t)nc * sizeof *ng);
    if (ng) h->group_of = ng;
    bool *nt = realloc(h->targeted, (size_t)nc * sizeof *nt);
    if (nt) h->targeted = nt;
    if (!no || !ng || !nt) return SIM_ERR_NOMEM;
    h->cap_things = nc;
  }
  memcpy(h->names + h->names_len, name, len);
  h->name_off[h->n_things] = h->names_len;
  h->group_of[h->n_things] = -1;
  h->targeted[h->n_things] = false;
  h->names_len += len;
  if (sim_index_add(&h->by_name, key, h->n_things)) return SIM_ERR_NOMEM;
  *t = h->n_things++;
  if (added) *added = true;
  return SIM_OK;
}

int64_t fit_history_find(const fit_history *h, const char *name) {
  uint64_t key = sim_index_hash_str(name);
  size_t cur = 0;
  for (int64_t v; (v = sim_index_next(&h->by_name, key, &cur)) >= 0;)
    if (strcmp(fit_history_thing(h, v), name) == 0) return v;
  return -1;
}

/* ------------------------------------------------------------- files --- */

/* A whole file: mapped read-only when it is a regular file, read when it
 * is stdin ("-"). Directories and other special files are refused. */
typedef struct mapped {
  char *p;
  size_t len;
  bool is_map;
} mapped;

static int map_file(const char *path, mapped *m, sim_diag *d) {
  memset(m, 0, sizeof *m);
  if (strcmp(path, "-") == 0) {
    size_t cap = 1 << 20;
    m->p = malloc(cap);
    if (!m->p) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    for (;;) {
      if (m->len == cap) {
        char *np = realloc(m->p, cap *= 2);
        if (!np) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
        m->p = np;
      }
      size_t k = fread(m->p + m->len, 1, cap - m->len, stdin);
      m->len += k;
      if (k == 0) break;
    }
    if (ferror(stdin)) return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot read stdin");
    return SIM_OK;
  }
  int fd = open(path, O_RDONLY | O_NONBLOCK);
  if (fd < 0) return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot open: %s", strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot stat: %s", strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return sim_diag_set(d, SIM_ERR_IO, NULL, "is a directory, not a file");
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return sim_diag_set(d, SIM_ERR_IO, NULL, "not a regular file");
  }
  m->len = (size_t)st.st_size;
  if (m->len == 0) {
    close(fd);
    return sim_diag_set(d, SIM_ERR_PARSE, NULL, "empty file (expected JSON)");
  }
  void *p = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (p == MAP_FAILED) return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot read: %s",
                                           strerror(errno));
  posix_madvise(p, m->len, POSIX_MADV_SEQUENTIAL);
  m->p = p;
  m->is_map = true;
  return SIM_OK;
}

static void unmap_file(mapped *m) {
  if (m->is_map) munmap(m->p, m->len);
  else free(m->p);
  memset(m, 0, sizeof *m);
}

/* ------------------------------------------------------ describe-job --- */

static const char *const job_statuses[] = {"IN_PROGRESS", "CANCELED", "COMPLETED",
                                           "DELETION_IN_PROGRESS", "SCHEDULED", NULL};

/* A timestamp member of a cJSON object (epoch number or ISO string) as ms
 * after `origin`. */
static int json_time(const cJSON *obj, const char *key, bool required, int64_t origin,
                     int64_t *out, bool *present, sim_diag *d, const char *path) {
  const cJSON *it = sim_json_get(obj, key);
  if (present) *present = it != NULL;
  char p[512];
  sim_path_key(p, sizeof p, path, key);
  if (!it) {
    if (required)
      return sim_diag_set(d, SIM_ERR_SCHEMA, path, "missing required field '%s'", key);
    return SIM_OK;
  }
  int64_t ms;
  if (cJSON_IsNumber(it)) {
    char txt[64];
    /* the double cJSON holds, printed exactly enough to recover the
     * millisecond the CLI printed */
    snprintf(txt, sizeof txt, "%.6f", it->valuedouble);
    if (!fit_time_from_number(txt, &ms))
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "expected epoch seconds from 1970 to 4999, got %s", txt);
  } else if (cJSON_IsString(it)) {
    if (!fit_time_from_iso(it->valuestring, &ms))
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "expected an ISO 8601 time with seconds and a UTC offset, such "
                          "as 2022-03-07T15:58:42.195000-08:00");
  } else {
    return sim_diag_set(d, SIM_ERR_SCHEMA, p,
                        "expected a timestamp (epoch seconds or ISO 8601 string), got %s",
                        sim_json_type_name(it));
  }
  *out = ms - origin;
  return SIM_OK;
}

/* "arn:PARTITION:iot:REGION:ACCOUNT:KIND/NAME": the parts, false when the
 * ARN has another form. */
static bool split_arn(const char *arn, char *part, size_t np, char *region, size_t nr,
                      char *acct, size_t na, char *kind, size_t nk, const char **name) {
  const char *f[6];
  size_t len[6];
  const char *p = arn;
  for (int i = 0; i < 5; i++) {
    const char *c = strchr(p, ':');
    if (!c) return false;
    f[i] = p;
    len[i] = (size_t)(c - p);
    p = c + 1;
  }
  const char *slash = strchr(p, '/');
  if (!slash) return false;
  f[5] = p;
  len[5] = (size_t)(slash - p);
  if (len[0] != 3 || memcmp(f[0], "arn", 3) != 0 || len[2] != 3 ||
      memcmp(f[2], "iot", 3) != 0 || len[1] == 0 || len[1] >= np || len[3] == 0 ||
      len[3] >= nr || len[4] == 0 || len[4] >= na || len[5] >= nk)
    return false;
  memcpy(part, f[1], len[1]);
  part[len[1]] = 0;
  memcpy(region, f[3], len[3]);
  region[len[3]] = 0;
  memcpy(acct, f[4], len[4]);
  acct[len[4]] = 0;
  memcpy(kind, f[5], len[5]);
  kind[len[5]] = 0;
  *name = slash + 1;
  return true;
}

static int parse_describe(fit_history *h, const char *text, size_t len, sim_diag *d) {
  static const char *const top_keys[] = {"job", "documentSource", NULL};
  static const char *const job_keys[] = {
      "jobArn", "jobId", "targetSelection", "status", "forceCanceled", "reasonCode",
      "comment", "targets", "description", "presignedUrlConfig",
      "jobExecutionsRolloutConfig", "abortConfig", "createdAt", "lastUpdatedAt",
      "completedAt", "jobProcessDetails", "timeoutConfig", "namespaceId", "jobTemplateArn",
      "jobExecutionsRetryConfig", "documentParameters", "isConcurrent", "schedulingConfig",
      "scheduledJobRollouts", "destinationPackageVersions", NULL};
  int rc = sim_json_parse(text, len, &h->describe, d);
  if (rc) return rc;
  const cJSON *root = h->describe;
  if (!cJSON_IsObject(root))
    return sim_diag_set(d, SIM_ERR_SCHEMA, "$",
                        "expected the output of `aws iot describe-job` (an object with "
                        "\"job\"), got %s", sim_json_type_name(root));
  if (sim_json_get(root, "executionSummaries"))
    return sim_diag_set(d, SIM_ERR_SCHEMA, "$.executionSummaries",
                        "this is `aws iot list-job-executions-for-job` output; --job takes "
                        "`aws iot describe-job` output");
  if (sim_json_get(root, "things"))
    return sim_diag_set(d, SIM_ERR_SCHEMA, "$.things",
                        "this is `aws iot list-things-in-thing-group` output; --job takes "
                        "`aws iot describe-job` output");
  if ((rc = sim_json_check_object(root, top_keys, d, "$"))) return rc;
  const cJSON *job = sim_json_get(root, "job");
  if (!job)
    return sim_diag_set(d, SIM_ERR_SCHEMA, "$",
                        "missing required field 'job' (expected the output of `aws iot "
                        "describe-job`)");
  if ((rc = sim_json_check_object(job, job_keys, d, "$.job"))) return rc;
  h->job = job;
  const char *s;
  if ((rc = sim_json_str(job, "jobId", true, 1, 64, &s, NULL, d, "$.job"))) return rc;
  snprintf(h->job_id, sizeof h->job_id, "%s", s);
  const char *arn;
  if ((rc = sim_json_str(job, "jobArn", true, 1, 2048, &arn, NULL, d, "$.job"))) return rc;
  char kind[32];
  const char *name;
  if (!split_arn(arn, h->partition, sizeof h->partition, h->region, sizeof h->region,
                 h->account, sizeof h->account, kind, sizeof kind, &name) ||
      strcmp(kind, "job") != 0)
    return sim_diag_set(d, SIM_ERR_RANGE, "$.job.jobArn",
                        "expected arn:aws:iot:REGION:ACCOUNT:job/JOB_ID");
  if (strcmp(name, h->job_id) != 0)
    return sim_diag_set(d, SIM_ERR_RANGE, "$.job.jobArn",
                        "names job '%s' but jobId is '%s'", name, h->job_id);
  int st;
  if ((rc = sim_json_enum(job, "status", true, job_statuses, &st, NULL, d, "$.job")))
    return rc;
  h->status = (model_job_status)st;
  bool fc = false;
  if ((rc = sim_json_bool(job, "forceCanceled", false, &fc, NULL, d, "$.job"))) return rc;
  h->force_canceled = fc;
  int64_t created = 0;
  if ((rc = json_time(job, "createdAt", true, 0, &created, NULL, d, "$.job"))) return rc;
  h->created_epoch_ms = created;
  bool present;
  int64_t v;
  if ((rc = json_time(job, "lastUpdatedAt", false, created, &v, &present, d, "$.job")))
    return rc;
  h->last_updated = present ? v : 0;
  if ((rc = json_time(job, "completedAt", false, created, &v, &present, d, "$.job")))
    return rc;
  h->completed = present ? v : -1;
  if (h->last_updated < 0 || (present && h->completed < 0))
    return sim_diag_set(d, SIM_ERR_RANGE, present && h->completed < 0 ? "$.job.completedAt"
                                                                       : "$.job.lastUpdatedAt",
                        "before the job's createdAt (timestamps going backwards)");
  const cJSON *tg = sim_json_get(job, "targets");
  if (!cJSON_IsArray(tg) || cJSON_GetArraySize(tg) < 1)
    return sim_diag_set(d, SIM_ERR_SCHEMA, tg ? "$.job.targets" : "$.job",
                        tg ? "expected a non-empty array of target ARNs"
                           : "missing required field 'targets'");
  size_t i = 0;
  for (const cJSON *t = tg->child; t; t = t->next, i++) {
    char p[64], part[16], reg[32], acct[16], k[32];
    snprintf(p, sizeof p, "$.job.targets[%zu]", i);
    if (!cJSON_IsString(t) ||
        !split_arn(t->valuestring, part, sizeof part, reg, sizeof reg, acct, sizeof acct, k,
                   sizeof k, &name) ||
        (strcmp(k, "thing") != 0 && strcmp(k, "thinggroup") != 0) || !valid_name(name))
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "expected a thing or thing-group ARN "
                          "(arn:aws:iot:REGION:ACCOUNT:thing/NAME or .../thinggroup/NAME)");
    if (strcmp(reg, h->region) != 0 || strcmp(acct, h->account) != 0)
      return sim_diag_set(d, SIM_ERR_RANGE, p,
                          "target in region %s, account %s, but the job is in %s, %s", reg,
                          acct, h->region, h->account);
    if (strcmp(k, "thing") == 0) {
      int64_t th;
      if (thing_of(h, name, &th, NULL)) return sim_diag_set(d, SIM_ERR_NOMEM, p, "out of memory");
      h->targeted[th] = true;
    }
  }
  const cJSON *to = sim_json_get(job, "timeoutConfig");
  if (to && cJSON_IsObject(to)) {
    bool has = false;
    if ((rc = sim_json_int(to, "inProgressTimeoutInMinutes", false, 1, 10080, &h->timeout_min,
                           &has, d, "$.job.timeoutConfig")))
      return rc;
    h->has_timeout = has;
  }
  const cJSON *rt = sim_json_get(job, "jobExecutionsRetryConfig");
  const cJSON *cl = rt ? sim_json_get(rt, "criteriaList") : NULL;
  if (cJSON_IsArray(cl)) {
    static const char *const types[] = {"FAILED", "TIMED_OUT", "ALL", NULL};
    i = 0;
    for (const cJSON *c = cl->child; c; c = c->next, i++) {
      char p[80];
      snprintf(p, sizeof p, "$.job.jobExecutionsRetryConfig.criteriaList[%zu]", i);
      int ty;
      int64_t n;
      if ((rc = sim_json_enum(c, "failureType", true, types, &ty, NULL, d, p)) ||
          (rc = sim_json_int(c, "numberOfRetries", true, 0, 10, &n, NULL, d, p)))
        return rc;
      if (ty == 0) h->retry_failed = (int)n;
      else if (ty == 1) h->retry_timed_out = (int)n;
      else h->retry_all = (int)n;
    }
  }
  h->has_abort = sim_json_get(job, "abortConfig") != NULL;
  if (h->observed_given) {
    h->observed_at = h->observed_epoch_ms - created;
    if (h->observed_at < 0)
      return sim_diag_set(d, SIM_ERR_USAGE, NULL,
                          "--observed-at is before the job's createdAt");
  }
  return SIM_OK;
}

int fit_history_read_job(fit_history *h, const char *path, sim_diag *d) {
  sim_diag_init(d, path);
  if (h->describe)
    return sim_diag_set(d, SIM_ERR_USAGE, NULL, "only one --job may be given");
  fit_input *in = add_input(h, path, "describe-job", NULL);
  if (!in) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  int rc;
  if (strcmp(path, "-") != 0 && fit_store_is_sqlite(path)) {
    snprintf(in->kind, sizeof in->kind, "store");
    fit_store_run run;
    char *text = NULL;
    if ((rc = fit_store_read_job(path, &run, &text, d))) return rc;
    rc = parse_describe(h, text, strlen(text), d);
    free(text);
    if (rc) return rc;
    if (run.start_epoch_ms != h->created_epoch_ms)
      return sim_diag_set(d, SIM_ERR_SCHEMA, NULL,
                          "table run: start_epoch_ms disagrees with describe-job's createdAt");
    h->store_targeted = run.things_targeted;
    if (!h->observed_given) h->observed_at = run.end_ms;
    return SIM_OK;
  }
  mapped m;
  if ((rc = map_file(path, &m, d))) return rc;
  if (m.len > ((size_t)64 << 20)) {
    unmap_file(&m);
    return sim_diag_set(d, SIM_ERR_LIMIT, NULL,
                        "larger than 64 MiB: not the output of `aws iot describe-job`");
  }
  rc = parse_describe(h, m.p, m.len, d);
  unmap_file(&m);
  return rc;
}

/* --------------------------------------------------------- records --- */

static const char *const exec_statuses[] = {"QUEUED",   "IN_PROGRESS", "SUCCEEDED",
                                            "FAILED",   "TIMED_OUT",   "REJECTED",
                                            "REMOVED",  "CANCELED",    NULL};

static int status_of(const char *s) {
  for (int i = 0; exec_statuses[i]; i++)
    if (strcmp(s, exec_statuses[i]) == 0) return MODEL_EXEC_QUEUED + i;
  return -1;
}

static fit_record *new_record(fit_history *h) {
  if (h->n_rec == h->cap_rec) {
    size_t nc = h->cap_rec ? h->cap_rec * 2 : 4096;
    fit_record *nr = realloc(h->rec, nc * sizeof *nr);
    if (!nr) return NULL;
    h->rec = nr;
    h->cap_rec = nc;
  }
  return &h->rec[h->n_rec++];
}

/* Consistency of one record (the path names it in messages). */
static int check_record(const fit_record *r, sim_diag *d, const char *path) {
  char p[600];
  if (r->queued < 0) {
    snprintf(p, sizeof p, "%s.queuedAt", path);
    return sim_diag_set(d, SIM_ERR_RANGE, p,
                        "before the job's createdAt (timestamps going backwards)");
  }
  if (r->started >= 0 && r->started < r->queued) {
    snprintf(p, sizeof p, "%s.startedAt", path);
    return sim_diag_set(d, SIM_ERR_RANGE, p, "before queuedAt (timestamps going backwards)");
  }
  sim_time_ms low = r->started >= 0 ? r->started : r->queued;
  if (r->updated < low) {
    snprintf(p, sizeof p, "%s.lastUpdatedAt", path);
    return sim_diag_set(d, SIM_ERR_RANGE, p, "before %s (timestamps going backwards)",
                        r->started >= 0 ? "startedAt" : "queuedAt");
  }
  bool needs_start = r->status == MODEL_EXEC_IN_PROGRESS || r->status == MODEL_EXEC_TIMED_OUT;
  if (needs_start && r->started < 0)
    return sim_diag_set(d, SIM_ERR_SCHEMA, path,
                        "an execution %s has a startedAt (missing)",
                        r->status == MODEL_EXEC_TIMED_OUT ? "that TIMED_OUT" : "IN_PROGRESS");
  if (r->status == MODEL_EXEC_QUEUED && r->started >= 0) {
    snprintf(p, sizeof p, "%s.startedAt", path);
    return sim_diag_set(d, SIM_ERR_SCHEMA, p, "a QUEUED execution has no startedAt");
  }
  return SIM_OK;
}

typedef struct page_ctx {
  fit_history *h;
  fit_scan sc;
  sim_diag *d;
  uint8_t source;
  size_t index;            /* element of executionSummaries */
  int64_t count;
  sim_time_ms max_seen;    /* latest timestamp in this file */
} page_ctx;

static int elem_path(char *p, size_t n, size_t index, const char *rest) {
  return snprintf(p, n, "$.executionSummaries[%zu]%s", index, rest);
}

static int rule(page_ctx *c, int code, const char *rest, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int rule(page_ctx *c, int code, const char *rest, const char *fmt, ...) {
  char p[512];
  elem_path(p, sizeof p, c->index, rest);
  va_list ap;
  va_start(ap, fmt);
  int rc = sim_diag_vset(c->d, code, p, fmt, ap);
  va_end(ap);
  return rc;
}

/* A timestamp value at the read position. */
static int scan_time(page_ctx *c, const char *key, int64_t *out) {
  char rest[64], buf[400];
  snprintf(rest, sizeof rest, ".jobExecutionSummary.%s", key);
  fit_kind k = fit_scan_peek(&c->sc);
  int64_t ms;
  int rc;
  if (k == FIT_JSON_NUMBER) {
    if ((rc = fit_scan_number(&c->sc, buf, sizeof buf))) return rc;
    if (!fit_time_from_number(buf, &ms))
      return rule(c, SIM_ERR_RANGE, rest, "expected epoch seconds from 1970 to 4999, got %s",
                  buf);
  } else if (k == FIT_JSON_STRING) {
    if ((rc = fit_scan_string(&c->sc, buf, sizeof buf, NULL)))
      return rc == SIM_ERR_RANGE ? rule(c, rc, rest, "%s", "timestamp string too long") : rc;
    if (!fit_time_from_iso(buf, &ms))
      return rule(c, SIM_ERR_RANGE, rest,
                  "expected an ISO 8601 time with seconds and a UTC offset, such as "
                  "2022-03-07T15:58:42.195000-08:00");
  } else {
    return rule(c, SIM_ERR_SCHEMA, rest,
                "expected a timestamp (epoch seconds or ISO 8601 string), got %s",
                fit_kind_name(k));
  }
  *out = ms - c->h->created_epoch_ms;
  if (*out > c->max_seen) c->max_seen = *out;
  return SIM_OK;
}

static int scan_int(page_ctx *c, const char *key, int64_t lo, int64_t hi, int64_t *out) {
  char rest[64], buf[400];
  snprintf(rest, sizeof rest, ".jobExecutionSummary.%s", key);
  fit_kind k = fit_scan_peek(&c->sc);
  if (k != FIT_JSON_NUMBER)
    return rule(c, SIM_ERR_SCHEMA, rest, "expected an integer, got %s", fit_kind_name(k));
  int rc = fit_scan_number(&c->sc, buf, sizeof buf);
  if (rc) return rc;
  char *end;
  errno = 0;
  long long v = strtoll(buf, &end, 10);
  if (*end || errno || v < lo || v > hi)
    return rule(c, SIM_ERR_RANGE, rest, "expected an integer from %lld to %lld, got %s",
                (long long)lo, (long long)hi, buf);
  *out = v;
  return SIM_OK;
}

/* {"status": ..., "queuedAt": ..., ...} */
static int scan_summary(page_ctx *c, fit_record *r) {
  enum { F_STATUS, F_QUEUED, F_STARTED, F_UPDATED, F_NUMBER, F_RETRY, F_N };
  static const char *const keys[F_N] = {"status", "queuedAt", "startedAt", "lastUpdatedAt",
                                        "executionNumber", "retryAttempt"};
  bool seen[F_N] = {false};
  fit_scan *s = &c->sc;
  if (fit_scan_peek(s) != FIT_JSON_OBJECT)
    return rule(c, SIM_ERR_SCHEMA, ".jobExecutionSummary", "expected an object, got %s",
                fit_kind_name(fit_scan_peek(s)));
  int rc = fit_scan_enter(s);
  if (rc) return rc;
  r->started = -1;
  r->retry = 0;
  for (;;) {
    char key[72];
    bool more;
    if ((rc = fit_scan_key(s, key, sizeof key, &more))) return rc;
    if (!more) break;
    int f = 0;
    while (f < F_N && strcmp(key, keys[f]) != 0) f++;
    char rest[128];
    snprintf(rest, sizeof rest, ".jobExecutionSummary.%.64s", key);
    if (f == F_N) return rule(c, SIM_ERR_SCHEMA, rest, "unknown field '%s'", key);
    if (seen[f]) return rule(c, SIM_ERR_SCHEMA, rest, "duplicate field '%s'", key);
    seen[f] = true;
    int64_t v;
    switch (f) {
      case F_STATUS: {
        char buf[32];
        if (fit_scan_peek(s) != FIT_JSON_STRING)
          return rule(c, SIM_ERR_SCHEMA, rest, "expected a string, got %s",
                      fit_kind_name(fit_scan_peek(s)));
        rc = fit_scan_string(s, buf, sizeof buf, NULL);
        int st = rc ? -1 : status_of(buf);
        if (rc == SIM_ERR_PARSE) return rc;
        if (st < 0)
          return rule(c, SIM_ERR_RANGE, rest,
                      "expected one of QUEUED, IN_PROGRESS, SUCCEEDED, FAILED, TIMED_OUT, "
                      "REJECTED, REMOVED, CANCELED");
        r->status = (uint8_t)st;
        break;
      }
      case F_QUEUED: rc = scan_time(c, key, &r->queued); break;
      case F_STARTED: rc = scan_time(c, key, &r->started); break;
      case F_UPDATED: rc = scan_time(c, key, &r->updated); break;
      case F_NUMBER:
        if (!(rc = scan_int(c, key, 1, INT32_MAX, &v))) r->exec_no = (int32_t)v;
        break;
      case F_RETRY:
        if (!(rc = scan_int(c, key, 0, 10, &v))) r->retry = (uint16_t)v;
        break;
      default: break;
    }
    if (rc) return rc;
  }
  for (int f = 0; f < F_N; f++)
    if (!seen[f] && f != F_STARTED && f != F_RETRY)
      return rule(c, SIM_ERR_SCHEMA, ".jobExecutionSummary",
                  "missing required field '%s'%s", keys[f],
                  f == F_QUEUED || f == F_UPDATED ? " (records need their timestamps)" : "");
  char p[512];
  elem_path(p, sizeof p, c->index, ".jobExecutionSummary");
  return check_record(r, c->d, p);
}

/* {"thingArn": ..., "jobExecutionSummary": {...}} */
static int scan_element(page_ctx *c) {
  fit_scan *s = &c->sc;
  fit_history *h = c->h;
  if (fit_scan_peek(s) != FIT_JSON_OBJECT)
    return rule(c, SIM_ERR_SCHEMA, "", "expected an object, got %s",
                fit_kind_name(fit_scan_peek(s)));
  int rc = fit_scan_enter(s);
  if (rc) return rc;
  fit_record *r = new_record(h);
  if (!r) return sim_diag_set(c->d, SIM_ERR_NOMEM, NULL, "out of memory");
  memset(r, 0, sizeof *r);
  r->thing = -1;
  r->index = (uint32_t)c->index;
  bool have_arn = false, have_sum = false;
  for (;;) {
    char key[72];
    bool more;
    if ((rc = fit_scan_key(s, key, sizeof key, &more))) return rc;
    if (!more) break;
    char rest[96];
    snprintf(rest, sizeof rest, ".%.64s", key);
    if (strcmp(key, "thingArn") == 0) {
      if (have_arn) return rule(c, SIM_ERR_SCHEMA, rest, "duplicate field 'thingArn'");
      have_arn = true;
      char arn[2100];
      if (fit_scan_peek(s) != FIT_JSON_STRING)
        return rule(c, SIM_ERR_SCHEMA, rest, "expected a string, got %s",
                    fit_kind_name(fit_scan_peek(s)));
      rc = fit_scan_string(s, arn, sizeof arn, NULL);
      if (rc == SIM_ERR_PARSE) return rc;
      char part[16], reg[32], acct[16], kind[32];
      const char *name = NULL;
      if (rc || !split_arn(arn, part, sizeof part, reg, sizeof reg, acct, sizeof acct, kind,
                           sizeof kind, &name) ||
          strcmp(kind, "thing") != 0 || !valid_name(name))
        return rule(c, SIM_ERR_RANGE, rest,
                    "expected a thing ARN (arn:aws:iot:REGION:ACCOUNT:thing/NAME)");
      if (strcmp(reg, h->region) != 0 || strcmp(acct, h->account) != 0)
        return rule(c, SIM_ERR_RANGE, rest,
                    "a thing of region %s, account %s, but job '%s' is in %s, %s: not this "
                    "job's executions", reg, acct, h->job_id, h->region, h->account);
      int64_t t;
      if (thing_of(h, name, &t, NULL)) return sim_diag_set(c->d, SIM_ERR_NOMEM, NULL,
                                                           "out of memory");
      r = &h->rec[h->n_rec - 1];   /* (no reallocation in between) */
      r->thing = (int32_t)t;
    } else if (strcmp(key, "jobExecutionSummary") == 0) {
      if (have_sum)
        return rule(c, SIM_ERR_SCHEMA, rest, "duplicate field 'jobExecutionSummary'");
      have_sum = true;
      int64_t t = r->thing;
      if ((rc = scan_summary(c, r))) return rc;
      r->thing = (int32_t)t;
    } else {
      return rule(c, SIM_ERR_SCHEMA, rest, "unknown field '%s'", key);
    }
  }
  if (!have_arn) return rule(c, SIM_ERR_SCHEMA, "", "missing required field 'thingArn'");
  if (!have_sum)
    return rule(c, SIM_ERR_SCHEMA, "", "missing required field 'jobExecutionSummary'");
  r->source = c->source;
  c->count++;
  return SIM_OK;
}

static int read_listing(fit_history *h, const char *path, fit_input *in, sim_diag *d) {
  mapped m;
  int rc = map_file(path, &m, d);
  if (rc) return rc;
  page_ctx c = {.h = h, .d = d, .source = (uint8_t)(h->n_inputs - 1), .max_seen = -1};
  fit_scan_init(&c.sc, m.p, m.len, d);
  fit_scan *s = &c.sc;
  bool have_list = false;
  if (fit_scan_peek(s) != FIT_JSON_OBJECT) {
    rc = fit_scan_peek(s) == FIT_JSON_BAD
             ? fit_scan_enter(s)   /* a syntax error with its position */
             : sim_diag_set(d, SIM_ERR_SCHEMA, "$",
                            "expected the output of `aws iot list-job-executions-for-job` (an "
                            "object with \"executionSummaries\"), got %s",
                            fit_kind_name(fit_scan_peek(s)));
    goto out;
  }
  if ((rc = fit_scan_enter(s))) goto out;
  for (;;) {
    char key[72], p[96];
    bool more;
    if ((rc = fit_scan_key(s, key, sizeof key, &more))) goto out;
    if (!more) break;
    snprintf(p, sizeof p, "$.%.64s", key);
    if (strcmp(key, "executionSummaries") == 0) {
      if (have_list) {
        rc = sim_diag_set(d, SIM_ERR_SCHEMA, p, "duplicate field 'executionSummaries'");
        goto out;
      }
      have_list = true;
      if (fit_scan_peek(s) != FIT_JSON_ARRAY) {
        rc = sim_diag_set(d, SIM_ERR_SCHEMA, p, "expected an array, got %s",
                          fit_kind_name(fit_scan_peek(s)));
        goto out;
      }
      if ((rc = fit_scan_enter(s))) goto out;
      for (c.index = 0;; c.index++) {
        if ((rc = fit_scan_elem(s, &more))) goto out;
        if (!more) break;
        if ((rc = scan_element(&c))) goto out;
        h->rec[h->n_rec - 1].source = c.source;
      }
    } else if (strcmp(key, "nextToken") == 0 || strcmp(key, "NextToken") == 0) {
      if (fit_scan_peek(s) != FIT_JSON_STRING && fit_scan_peek(s) != FIT_JSON_NULL) {
        rc = sim_diag_set(d, SIM_ERR_SCHEMA, p, "expected a string, got %s",
                          fit_kind_name(fit_scan_peek(s)));
        goto out;
      }
      if ((rc = fit_scan_skip(s))) goto out;
    } else {
      const char *hint = strcmp(key, "job") == 0
                             ? " (this is `aws iot describe-job` output; --executions takes "
                               "`aws iot list-job-executions-for-job` output)"
                         : strcmp(key, "things") == 0
                             ? " (this is `aws iot list-things-in-thing-group` output; give it "
                               "as --group NAME=FILE)"
                             : "";
      rc = sim_diag_set(d, SIM_ERR_SCHEMA, p, "unknown field '%s'%s", key, hint);
      goto out;
    }
  }
  if ((rc = fit_scan_finish(s))) goto out;
  if (!have_list)
    rc = sim_diag_set(d, SIM_ERR_SCHEMA, "$",
                      "missing required field 'executionSummaries' (expected the output of "
                      "`aws iot list-job-executions-for-job`)");
out:
  unmap_file(&m);
  in->items = c.count;
  if (!rc && c.max_seen > h->observed_at && !h->observed_given) h->observed_at = c.max_seen;
  return rc;
}

typedef struct store_ctx {
  fit_history *h;
  sim_diag *d;
  uint8_t source;
  int64_t count;
} store_ctx;

static int store_row(void *ud, const char *thing, int64_t exec_no, int64_t retry,
                     const char *status, int64_t q, int64_t s, int64_t u) {
  store_ctx *c = ud;
  fit_history *h = c->h;
  char p[200];
  snprintf(p, sizeof p, "execution[%" PRId64 "]", c->count);
  if (!valid_name(thing))
    return sim_diag_set(c->d, SIM_ERR_SCHEMA, p, "thing '%.130s' is not a valid thing name",
                        thing);
  int st = status_of(status);
  if (st < 0 || exec_no < 1 || exec_no > INT32_MAX || retry < 0 || retry > 10)
    return sim_diag_set(c->d, SIM_ERR_SCHEMA, p,
                        "status, execution_number or retry_attempt out of range");
  fit_record *r = new_record(h);
  if (!r) return sim_diag_set(c->d, SIM_ERR_NOMEM, NULL, "out of memory");
  int64_t t;
  if (thing_of(h, thing, &t, NULL)) return sim_diag_set(c->d, SIM_ERR_NOMEM, NULL,
                                                        "out of memory");
  r = &h->rec[h->n_rec - 1];
  *r = (fit_record){.queued = q, .started = s, .updated = u, .thing = (int32_t)t,
                    .index = (uint32_t)c->count,
                    .exec_no = (int32_t)exec_no, .retry = (uint16_t)retry,
                    .status = (uint8_t)st, .source = c->source};
  int rc = check_record(r, c->d, p);
  if (rc) return rc;
  c->count++;
  return SIM_OK;
}

int fit_history_read_executions(fit_history *h, const char *path, sim_diag *d) {
  sim_diag_init(d, path);
  if (!h->describe) return sim_diag_set(d, SIM_ERR_USAGE, NULL, "--job must come first");
  if (h->n_inputs >= 250)
    return sim_diag_set(d, SIM_ERR_LIMIT, NULL, "more than 249 input files");
  fit_input *in = add_input(h, path, "list-job-executions", NULL);
  if (!in) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  if (strcmp(path, "-") != 0 && fit_store_is_sqlite(path)) {
    snprintf(in->kind, sizeof in->kind, "store");
    store_ctx c = {h, d, (uint8_t)(h->n_inputs - 1), 0};
    fit_store_run run;
    int rc = fit_store_read_executions(path, &run, store_row, &c, d);
    in->items = c.count;
    if (rc) return rc;
    if (run.start_epoch_ms != h->created_epoch_ms)
      return sim_diag_set(d, SIM_ERR_RANGE, NULL,
                          "a run of another job: its start (%" PRId64 " ms) is not the "
                          "job's createdAt (%" PRId64 " ms)",
                          run.start_epoch_ms, h->created_epoch_ms);
    if (!h->observed_given && run.end_ms > h->observed_at) h->observed_at = run.end_ms;
    if (run.things_targeted > h->store_targeted) h->store_targeted = run.things_targeted;
    return SIM_OK;
  }
  return read_listing(h, path, in, d);
}

/* ------------------------------------------------------------ groups --- */

int fit_history_read_group(fit_history *h, const char *name, const char *path,
                           sim_diag *d) {
  sim_diag_init(d, path);
  if (!valid_name(name))
    return sim_diag_set(d, SIM_ERR_USAGE, NULL,
                        "--group: '%s' is not a thing-group name ([a-zA-Z0-9:_-], 1 to 128)",
                        name);
  if (h->n_inputs >= 250)
    return sim_diag_set(d, SIM_ERR_LIMIT, NULL, "more than 249 input files");
  fit_input *in = add_input(h, path, "list-things", name);
  if (!in) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
  size_t g = 0;
  while (g < h->n_groups && strcmp(h->groups[g].name, name) != 0) g++;
  if (g == h->n_groups) {
    if (h->n_groups >= 1000)
      return sim_diag_set(d, SIM_ERR_LIMIT, NULL, "more than 1000 groups");
    fit_group *ng = realloc(h->groups, (h->n_groups + 1) * sizeof *ng);
    if (!ng) return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    h->groups = ng;
    memset(&h->groups[g], 0, sizeof h->groups[g]);
    snprintf(h->groups[g].name, sizeof h->groups[g].name, "%s", name);
    h->groups[g].from_file = true;
    h->n_groups++;
  }
  h->groups[g].n_files++;
  mapped m;
  int rc = map_file(path, &m, d);
  if (rc) return rc;
  fit_scan sc;
  fit_scan_init(&sc, m.p, m.len, d);
  bool have = false;
  int64_t count = 0;
  if (fit_scan_peek(&sc) != FIT_JSON_OBJECT) {
    rc = fit_scan_peek(&sc) == FIT_JSON_BAD
             ? fit_scan_enter(&sc)
             : sim_diag_set(d, SIM_ERR_SCHEMA, "$",
                            "expected the output of `aws iot list-things-in-thing-group` (an "
                            "object with \"things\"), got %s",
                            fit_kind_name(fit_scan_peek(&sc)));
    goto out;
  }
  if ((rc = fit_scan_enter(&sc))) goto out;
  for (;;) {
    char key[72], p[96];
    bool more;
    if ((rc = fit_scan_key(&sc, key, sizeof key, &more))) goto out;
    if (!more) break;
    snprintf(p, sizeof p, "$.%.64s", key);
    if (strcmp(key, "things") == 0 && !have) {
      have = true;
      if (fit_scan_peek(&sc) != FIT_JSON_ARRAY) {
        rc = sim_diag_set(d, SIM_ERR_SCHEMA, p, "expected an array, got %s",
                          fit_kind_name(fit_scan_peek(&sc)));
        goto out;
      }
      if ((rc = fit_scan_enter(&sc))) goto out;
      for (size_t i = 0;; i++) {
        if ((rc = fit_scan_elem(&sc, &more))) goto out;
        if (!more) break;
        char ep[64], tn[200];
        snprintf(ep, sizeof ep, "$.things[%zu]", i);
        if (fit_scan_peek(&sc) != FIT_JSON_STRING ||
            (rc = fit_scan_string(&sc, tn, sizeof tn, NULL)) == SIM_ERR_RANGE ||
            (!rc && !valid_name(tn))) {
          if (rc == SIM_ERR_PARSE) goto out;
          rc = sim_diag_set(d, SIM_ERR_RANGE, ep,
                            "expected a thing name of 1 to 128 characters from "
                            "[a-zA-Z0-9:_-]");
          goto out;
        }
        if (rc) goto out;
        int64_t t;
        if ((rc = thing_of(h, tn, &t, NULL))) {
          rc = sim_diag_set(d, rc, NULL, "out of memory");
          goto out;
        }
        if (h->group_of[t] >= 0) {
          const fit_group *og = &h->groups[h->group_of[t]];
          rc = sim_diag_set(d, SIM_ERR_RANGE, ep,
                            (size_t)h->group_of[t] == g
                                ? "thing '%s' listed twice for group '%s'"
                                : "thing '%s' is in two --group files (groups '%s' and '%s'): "
                                  "a thing belongs to one fleet group",
                            tn, og->name, name);
          goto out;
        }
        h->group_of[t] = (int32_t)g;
        count++;
      }
    } else if (strcmp(key, "nextToken") == 0 || strcmp(key, "NextToken") == 0) {
      if ((rc = fit_scan_skip(&sc))) goto out;
    } else {
      const char *hint = strcmp(key, "executionSummaries") == 0
                             ? " (this is `aws iot list-job-executions-for-job` output; give "
                               "it as --executions FILE)"
                         : strcmp(key, "job") == 0
                             ? " (this is `aws iot describe-job` output; give it as --job FILE)"
                             : "";
      rc = sim_diag_set(d, SIM_ERR_SCHEMA, p, strcmp(key, "things") == 0
                                                  ? "duplicate field '%s'%s"
                                                  : "unknown field '%s'%s",
                        key, hint);
      goto out;
    }
  }
  if ((rc = fit_scan_finish(&sc))) goto out;
  if (!have)
    rc = sim_diag_set(d, SIM_ERR_SCHEMA, "$",
                      "missing required field 'things' (expected the output of `aws iot "
                      "list-things-in-thing-group`)");
out:
  unmap_file(&m);
  in->items = count;
  h->groups[g].things += count;
  return rc;
}

/* ------------------------------------------------------------ finish --- */

/* Records in (thing, executionNumber, input) order. */
/* Where record r is in its input, for messages: the element of
 * executionSummaries (its thingArn) or the store's execution row. */
static void record_path(const fit_history *h, const fit_record *r, char *p, size_t n) {
  if (strcmp(h->inputs[r->source].kind, "store") == 0)
    snprintf(p, n, "execution[%" PRIu32 "]", r->index);
  else
    snprintf(p, n, "$.executionSummaries[%" PRIu32 "].thingArn", r->index);
}

static int cmp_rec_direct(const void *a, const void *b) {
  const fit_record *x = a, *y = b;
  if (x->thing != y->thing) return x->thing < y->thing ? -1 : 1;
  if (x->exec_no != y->exec_no) return x->exec_no < y->exec_no ? -1 : 1;
  return x->source < y->source ? -1 : x->source > y->source;
}

static int add_group(fit_history *h, const char *name, size_t *g) {
  fit_group *ng = realloc(h->groups, (h->n_groups + 1) * sizeof *ng);
  if (!ng) return SIM_ERR_NOMEM;
  h->groups = ng;
  *g = h->n_groups++;
  memset(&h->groups[*g], 0, sizeof h->groups[*g]);
  snprintf(h->groups[*g].name, sizeof h->groups[*g].name, "%s", name);
  return SIM_OK;
}

int fit_history_finish(fit_history *h, sim_diag *d) {
  const char *job_file = h->inputs[0].path;
  /* records in (thing, executionNumber) order: duplicates and order */
  qsort(h->rec, h->n_rec, sizeof *h->rec, cmp_rec_direct);
  for (size_t i = 1; i < h->n_rec; i++) {
    const fit_record *a = &h->rec[i - 1], *b = &h->rec[i];
    if (a->thing != b->thing) continue;
    sim_diag_init(d, h->inputs[b->source].path);
    char rp[80];
    record_path(h, b, rp, sizeof rp);
    if (a->exec_no == b->exec_no)
      return sim_diag_set(d, SIM_ERR_RANGE, rp,
                          "execution %d of thing '%s' appears twice (also in %s): the same "
                          "page given twice?",
                          b->exec_no, fit_history_thing(h, b->thing),
                          h->inputs[a->source].path);
    if (b->queued < a->updated)
      return sim_diag_set(d, SIM_ERR_RANGE, rp,
                          "thing '%s': execution %d was queued before execution %d was last "
                          "updated (timestamps going backwards)",
                          fit_history_thing(h, b->thing), b->exec_no, a->exec_no);
  }
  /* the job's targets */
  const cJSON *tg = sim_json_get(h->job, "targets");
  size_t n_open = 0;
  const char *open_name = NULL;
  char open_list[600] = "";
  for (const cJSON *t = tg->child; t; t = t->next) {
    const char *nm = strrchr(t->valuestring, '/') + 1;
    if (strstr(t->valuestring, ":thinggroup/") == NULL) continue;
    bool has_file = false;
    for (size_t g = 0; g < h->n_groups; g++)
      if (strcmp(h->groups[g].name, nm) == 0) has_file = true;
    if (has_file) continue;
    bool dup = false;
    for (const cJSON *u = tg->child; u != t; u = u->next)
      if (strcmp(u->valuestring, t->valuestring) == 0) dup = true;
    if (dup) continue;
    n_open++;
    if (!open_name) open_name = nm;
    size_t l = strlen(open_list);
    snprintf(open_list + l, sizeof open_list - l, "%s%s", l ? ", " : "", nm);
  }
  /* things no --group file named */
  int64_t unassigned = 0, untargeted = -1;
  for (int64_t t = 0; t < h->n_things; t++)
    if (h->group_of[t] < 0) {
      unassigned++;
      if (!h->targeted[t] && untargeted < 0) untargeted = t;
    }
  int64_t extra = 0;
  if (h->store_targeted >= 0 && h->store_targeted > h->n_things)
    extra = h->store_targeted - h->n_things;
  if (unassigned > 0 || (extra > 0 && n_open == 1)) {
    if (n_open > 1) {
      sim_diag_init(d, job_file);
      return sim_diag_set(d, SIM_ERR_RANGE, "$.job.targets",
                          "the job targets %zu thing groups without a --group file (%s): "
                          "jobsim cannot tell their things apart; give --group "
                          "NAME=THINGS.json (aws iot list-things-in-thing-group) for all but "
                          "one of them",
                          n_open, open_list);
    }
    if (n_open == 0 && untargeted >= 0) {
      /* find a record of that thing to name its file and place */
      char rp[80] = "";
      for (size_t i = 0; i < h->n_rec; i++)
        if (h->rec[i].thing == untargeted) {
          sim_diag_init(d, h->inputs[h->rec[i].source].path);
          record_path(h, &h->rec[i], rp, sizeof rp);
          break;
        }
      return sim_diag_set(d, SIM_ERR_RANGE, rp,
                          "executions of thing '%s', which is in no --group file and not a "
                          "target of job '%s' (every thing-group target has a --group "
                          "file): executions of no known thing",
                          fit_history_thing(h, untargeted), h->job_id);
    }
    const char *gname = n_open == 1 ? open_name : "fleet";
    size_t g = 0;
    while (g < h->n_groups && strcmp(h->groups[g].name, gname) != 0) g++;
    if (g == h->n_groups && add_group(h, gname, &g))
      return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory");
    for (int64_t t = 0; t < h->n_things; t++)
      if (h->group_of[t] < 0) {
        h->group_of[t] = (int32_t)g;
        h->groups[g].things++;
      }
    if (n_open == 1 && extra > 0) {
      h->groups[g].unnamed = extra;
      h->groups[g].things += extra;
      if (fit_history_note(h, "group %s: %" PRId64 " things the run targeted had no "
                              "execution; counted in the group",
                           gname, extra))
        return SIM_ERR_NOMEM;
    }
    if (n_open == 1 && unassigned > 0 &&
        fit_history_note(h, "group %s: the %" PRId64 " things with executions and no --group "
                            "file (the job's only thing-group target without one)",
                         gname, unassigned))
      return SIM_ERR_NOMEM;
  }
  for (int64_t t = 0; t < h->n_things; t++)
    if (h->targeted[t]) h->groups[h->group_of[t]].named = true;
  /* the observation and cancellation instants */
  if (h->observed_at < 0 || (!h->observed_given && h->store_targeted < 0)) {
    sim_time_ms m = h->observed_at;
    if (!h->observed_given) {
      if (h->last_updated > m) m = h->last_updated;
      if (h->completed > m) m = h->completed;
      for (size_t i = 0; i < h->n_rec; i++)
        if (h->rec[i].updated > m) m = h->rec[i].updated;
    }
    h->observed_at = m < 0 ? 0 : m;
  }
  if (h->status == MODEL_JOB_CANCELED) {
    sim_time_ms c = h->last_updated;
    for (size_t i = 0; i < h->n_rec; i++)
      if (h->rec[i].status == MODEL_EXEC_CANCELED && h->rec[i].started < 0 &&
          h->rec[i].updated < c)
        c = h->rec[i].updated;
    h->cancel_at = c;
  }
  if (h->n_rec == 0) {
    sim_diag_init(d, h->n_inputs > 1 ? h->inputs[1].path : job_file);
    return sim_diag_set(d, SIM_ERR_RANGE, NULL, "no execution records to fit");
  }
  return SIM_OK;
}
