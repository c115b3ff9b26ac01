/*
 * execview.h — the execution views of the AWS CLI: `aws iot
 * describe-job-execution` and `aws iot list-job-executions-for-job`, for the
 * current state of an engine, in the shapes of spec §11 (O21).
 *
 * Ownership: returned text is the caller's (free with free()).
 */
#ifndef JOBSIM_REPORT_EXECVIEW_H
#define JOBSIM_REPORT_EXECVIEW_H

#include <stdbool.h>
#include "describe.h"
#include "engine.h"

/* describe-job-execution for `thing`: the latest execution, or execution
 * number `exec_no` when > 0. NULL with *not_found set when the thing has no
 * such execution (AWS: ResourceNotFoundException), NULL otherwise on out of
 * memory. */
char *report_describe_execution(const model_engine *e, int64_t thing, int exec_no,
                                const report_opts *o, bool *not_found, size_t *len);
/* The same for job `job` (report_describe_execution: job 0). */
char *report_describe_execution_at(const model_engine *e, size_t job, int64_t thing,
                                   int exec_no, const report_opts *o, bool *not_found,
                                   size_t *len);

typedef struct report_list_opts {
  bool has_status;              /* --status filter given */
  model_exec_status status;     /* ... its value */
  int max_results;              /* page size 1..250; 0 = every page (CLI default) */
  int64_t start;                /* first position (from --next-token) */
} report_list_opts;

/* list-job-executions-for-job: the latest execution of each thing (O21), in
 * thing order, filtered by status, one page when max_results > 0 (with
 * "nextToken" when more follow). */
char *report_list_executions(const model_engine *e, const report_list_opts *lo,
                             const report_opts *o, size_t *len);
char *report_list_executions_at(const model_engine *e, size_t job,
                                const report_list_opts *lo, const report_opts *o,
                                size_t *len);

struct report_jsonw;
/* "statusDetails": {} or {"detailsMap": {...}} as the AWS CLI prints it. */
void report_status_details(struct report_jsonw *w, const model_details *d);

/* Next-token text for a position and back; false when malformed. */
void report_next_token(int64_t pos, char *buf, size_t n);
bool report_parse_next_token(const char *s, int64_t *pos);

#endif
