/*
 * awstime.h — the two ways the AWS CLI prints a timestamp: CLI v1 passes the
 * wire value through, epoch seconds as a JSON number (1560787022.733); CLI
 * v2 prints ISO 8601 with the local UTC offset
 * ("2022-03-07T15:58:42.195000-08:00", fraction left out when zero). Both
 * are converted exactly, from their digits, to integer microseconds and then
 * to milliseconds (half up), so one instant gives one value whichever way it
 * was printed.
 *
 * Ownership: nothing allocates.
 */
#ifndef JOBSIM_FIT_AWSTIME_H
#define JOBSIM_FIT_AWSTIME_H

#include <stdbool.h>
#include <stdint.h>

/* Epoch seconds from a JSON number's text (fraction and exponent allowed,
 * not negative, before year 5000): epoch milliseconds. */
bool fit_time_from_number(const char *text, int64_t *epoch_ms);
/* ISO 8601 with seconds, an optional fraction of 1 to 9 digits and a UTC
 * offset ("Z" or "+HH:MM"/"-HH:MM"), years 1970..4999: epoch milliseconds. */
bool fit_time_from_iso(const char *s, int64_t *epoch_ms);

#endif
