/* test_common.h — the preamble cmocka 1.1.5 needs, plus small helpers shared
 * by every test executable. */
#ifndef JOBSIM_TEST_COMMON_H
#define JOBSIM_TEST_COMMON_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <inttypes.h>
#include <cmocka.h>
#endif
