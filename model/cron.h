/*
 * cron.h — the AWS EventBridge cron dialect used by job maintenance windows
 * (schedulingConfig.maintenanceWindows[].startTime, spec §9, OPEN O33):
 * `cron(minutes hours day-of-month month day-of-week year)`, six fields,
 * always UTC, minute resolution. Parses an expression into bitsets and finds
 * the next occurrence after a given instant; also renders instants in the
 * "YYYY-MM-DDTHH:MM" form AWS uses for schedulingConfig times and
 * Job.scheduledJobRollouts (O35).
 *
 * Left out: rate() expressions, time zones, seconds, and instants outside
 * the year field's range 1970-2199.
 *
 * Ownership: a model_cron is a plain value (no pointers, no heap); callers
 * own every buffer; nothing here allocates.
 */
#ifndef JOBSIM_MODEL_CRON_H
#define JOBSIM_MODEL_CRON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim.h"

/* ------------------------------------------------------------- dialect --- */

/* Fields, values and wildcards follow AWS's "Cron expressions" reference for
 * EventBridge schedule rules:
 *
 *   minutes       0-59                , - * /
 *   hours         0-23                , - * /
 *   day-of-month  1-31                , - * ? / L W
 *   month         1-12 or JAN-DEC     , - * /
 *   day-of-week   1-7 or SUN-SAT      , - * ? L #     (1 = SUN)
 *   year          1970-2199           , - * /
 *
 * AWS rules: one of day-of-month and day-of-week must be '?' (a value or '*'
 * in one requires '?' in the other); '#' allows only one expression in
 * day-of-week ("3#1,6#3" is invalid); ranges may wrap (AWS's own example
 * "0/30 20-2 ? * MON-FRI *").
 *
 * Where the AWS text is silent the Quartz behaviour is used (see cron.c for
 * the list): names and L/W are case-insensitive; both day fields '?' is an
 * error; 'LW', 'L-n' and 'L-nW' are accepted in day-of-month; 'L', 'W', 'nL'
 * and 'n#k' must be the only expression in their field; 'L' alone in
 * day-of-week is Saturday (every week); 'nW' never leaves the month; a step
 * is 1..59 minutes, 1..23 hours, 1..31 days, 1..12 months, 1..229 years;
 * year ranges do not wrap. */

/* How the day of a month is chosen (exactly one of the day fields is '?'). */
typedef enum model_cron_days {
  MODEL_CRON_DAYS_DOM,      /* day-of-month list in `dom`; day-of-week '?' */
  MODEL_CRON_DAYS_DOW,      /* day-of-week list in `dow`; day-of-month '?' */
  MODEL_CRON_DAYS_LAST,     /* "L", "L-n", "LW", "L-nW": last day minus dom_offset */
  MODEL_CRON_DAYS_WEEKDAY,  /* "nW": the weekday nearest to day dom_day */
  MODEL_CRON_DAYS_LAST_DOW, /* "nL": the last day dow_day of the month */
  MODEL_CRON_DAYS_NTH_DOW   /* "n#k": the dow_nth-th day dow_day of the month */
} model_cron_days;

/* A parsed expression. A complete type on purpose (convention 2 prefers
 * opaque handles): it is a small value that window configs embed and tests
 * allocate on the stack, with no resources to release. Treat the fields as
 * read-only; only model_cron_parse() fills them. */
typedef struct model_cron {
  uint64_t minutes;         /* bit m set: minute m matches, 0..59 */
  uint32_t hours;           /* bit h set: hour h matches, 0..23 */
  uint32_t dom;             /* bit d set: day of month d, 1..31 (DAYS_DOM) */
  uint16_t months;          /* bit m set: month m, 1..12 */
  uint8_t dow;              /* bit d set: day of week d, 1 = SUN..7 = SAT (DAYS_DOW) */
  uint64_t years[4];        /* bit y - 1970 set: year y, 1970..2199 */
  model_cron_days days;     /* which day rule applies */
  int dom_day;              /* DAYS_WEEKDAY: n of "nW", 1..31 */
  int dom_offset;           /* DAYS_LAST: n of "L-n", days before the last, 0..30 */
  bool dom_weekday;         /* DAYS_LAST: 'W' suffix, nearest weekday */
  int dow_day;              /* DAYS_LAST_DOW, DAYS_NTH_DOW: day of week, 1..7 */
  int dow_nth;              /* DAYS_NTH_DOW: k of "n#k", 1..5 */
  bool fires;               /* it has an occurrence in 1970..2199 */
  int64_t first_ms, last_ms;  /* its first and last occurrence, epoch ms */
} model_cron;

#define MODEL_CRON_YEAR_MIN 1970
#define MODEL_CRON_YEAR_MAX 2199

/* ----------------------------------------------------------------- API --- */

/* Parse `expr` ("cron(0 2 ? * SUN *)") into *out. Returns SIM_OK, or
 * SIM_ERR_RANGE with d (may be NULL) set to `path` (the JSON path of the
 * string, may be NULL) and a message naming the 1-based character position
 * inside `expr` and what was expected; for "cron(0 12 ? * FOO *)":
 *   invalid cron expression at position 15: expected a day of week 1-7 or
 *   SUN-SAT, got 'FOO'
 * On failure *out is zeroed. O(strlen(expr)). */
int model_cron_parse(model_cron *out, const char *expr, sim_diag *d,
                     const char *path);

/* The first occurrence strictly after `after_epoch_ms` (ms since 1970-01-01
 * UTC). Occurrences are whole minutes, so *next_epoch_ms is a multiple of
 * SIM_MS_PER_MIN. Returns false (leaving *next_epoch_ms alone) when there is
 * none before 2200-01-01. model_cron_parse() finds the first and the last
 * occurrence once (fires, first_ms, last_ms), so before the first, after the
 * last and for an expression that never fires ("cron(0 0 30 FEB ? *)", a
 * year in the past) the answer costs nothing; in between the search skips
 * by year, month, day and hour, never minute by minute. */
bool model_cron_next(const model_cron *c, int64_t after_epoch_ms,
                     int64_t *next_epoch_ms);

/* Render epoch ms as "YYYY-MM-DDTHH:MM" (UTC, seconds dropped, rounding
 * towards the past), the schedulingConfig / scheduledJobRollouts form.
 * Always NUL-terminates when n >= 1; n >= 17 holds the full text for years
 * 0..9999. */
void model_cron_format_time(int64_t epoch_ms, char *buf, size_t n);

#endif
