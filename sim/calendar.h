/*
 * calendar.h — proleptic Gregorian calendar arithmetic on day numbers (days
 * since 1970-01-01, negative before), after Howard Hinnant's civil-date
 * algorithms: exact for every year an int64 day count holds, no tables, no
 * time zones (everything in jobsim is UTC). One copy for every module that
 * turns dates into instants (ISO 8601 times, schedulingConfig, cron).
 */
#ifndef JOBSIM_SIM_CALENDAR_H
#define JOBSIM_SIM_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

/* Day number of y-m-d (m 1..12, d 1..31; not range-checked). */
int64_t sim_days_from_civil(int64_t y, unsigned m, unsigned d);
/* The date of a day number. */
void sim_civil_from_days(int64_t days, int *y, unsigned *m, unsigned *d);
bool sim_is_leap(int64_t y);
/* Days in month m (1..12) of year y. */
unsigned sim_days_in_month(int64_t y, unsigned m);

#endif
