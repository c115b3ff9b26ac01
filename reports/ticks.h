/*
 * ticks.h — round tick marks for the time axes of the plots: elapsed time
 * since the job's creation (h:mm, or days and hours) on the bottom axis and
 * the UTC clock on the top one. Pure arithmetic, no I/O.
 *
 * The step is the smallest of 10 s, 15 s, 30 s, 1, 2, 5, 10, 15, 30 min,
 * 1, 2, 6, 12 h, 1, 2, 7 d (then whole weeks) that cuts the span into at
 * most REPORT_TICKS_MAX intervals. Elapsed ticks fall on multiples of the
 * step after creation, clock ticks on multiples of the step of UTC time
 * (midnight for a day or more).
 */
#ifndef JOBSIM_REPORT_TICKS_H
#define JOBSIM_REPORT_TICKS_H

#include <stddef.h>
#include <stdint.h>

#define REPORT_TICKS_MAX 8   /* intervals at most along an axis */

/* The tick step (ms) for an axis spanning `span_ms` (<= 0: 10 s). */
int64_t report_ticks_step(int64_t span_ms);

/* The label of elapsed instant `t_ms` (a multiple of `step`) on an axis
 * spanning `span_ms`: "m:ss" for steps under a minute, "h:mm" for spans up
 * to a day, else days and hours ("0", "18h", "1d", "1d 6h"). n >= 32. */
void report_ticks_elapsed_label(int64_t t_ms, int64_t step, int64_t span_ms, char *buf,
                                size_t n);
/* What report_ticks_elapsed_label's labels are, for the axis title:
 * "m:ss", "h:mm" or "days, hours". */
const char *report_ticks_elapsed_unit(int64_t step, int64_t span_ms);

/* The first clock tick at or after epoch `from_ms` for `step`. */
int64_t report_ticks_clock_first(int64_t from_ms, int64_t step);
/* The label of clock tick `epoch_ms`: "HH:MM:SS" for steps under a minute,
 * else "HH:MM", or the date ("Mar 2") at UTC midnight. n >= 32. */
void report_ticks_clock_label(int64_t epoch_ms, int64_t step, char *buf, size_t n);

#endif
