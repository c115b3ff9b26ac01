/*
 * sim.h — shared vocabulary of the jobsim discrete-event kernel: simulated
 * time, status codes, caller-owned diagnostics, the allocator hook and the
 * assertion macros. Knows nothing about AWS IoT Jobs.
 *
 * Ownership: nothing here allocates except through a sim_alloc; a sim_diag
 * is always owned by the caller.
 */
#ifndef JOBSIM_SIM_H
#define JOBSIM_SIM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- time --- */

/* Simulated time: integer milliseconds since the simulation start. Converted
 * to or from double seconds only at the edges (GSL draws, reports). */
typedef int64_t sim_time_ms;

#define SIM_TIME_MAX INT64_MAX
#define SIM_MS_PER_S   INT64_C(1000)
#define SIM_MS_PER_MIN INT64_C(60000)
#define SIM_MS_PER_H   INT64_C(3600000)
#define SIM_MS_PER_D   INT64_C(86400000)

/* -------------------------------------------------------------- errors --- */

/* 0 is OK; every error is a negative code from this one table, which also
 * generates sim_strerror() and sim_errname(). */
#define SIM_ERR_MAP(XX)                                   \
  XX(NOMEM,  -1, "out of memory")                         \
  XX(IO,     -2, "input/output error")                    \
  XX(PARSE,  -3, "malformed input")                       \
  XX(SCHEMA, -4, "input does not match the schema")       \
  XX(RANGE,  -5, "value out of range")                    \
  XX(STATE,  -6, "operation not allowed in this state")   \
  XX(DB,     -7, "database error")                        \
  XX(USAGE,  -8, "usage error")                           \
  XX(LIMIT,  -9, "resource limit exceeded")               \
  XX(INTR,  -10, "interrupted")

enum {
  SIM_OK = 0,
#define SIM_ERR_ENUM(name, code, text) SIM_ERR_##name = code,
  SIM_ERR_MAP(SIM_ERR_ENUM)
#undef SIM_ERR_ENUM
  SIM_ERR_LAST_ = -11
};

/* Static text for a status code ("out of memory"); never NULL. */
const char *sim_strerror(int code);
/* Symbolic name of a status code ("SIM_ERR_NOMEM"); never NULL. */
const char *sim_errname(int code);

/* ---------------------------------------------------------- diagnostics --- */

/* A caller-owned diagnostic: loaders and parsers fill it on failure so that
 * the message reads "FILE: JSON.PATH: message". */
typedef struct sim_diag {
  int code;          /* status code of the failure, SIM_OK when none */
  char file[512];    /* source file name ("" when not from a file) */
  char path[512];    /* JSON path of the offending value, "$..." ("" if none) */
  char msg[512];     /* human text: lower-case start, no final full stop */
  char context[400]; /* "" or, for a JSON syntax error, the offending line and
                        a caret under the column (two lines, printed after
                        the message; see sim_json_parse) */
} sim_diag;

/* Reset to "no error" and remember the file name (may be NULL). */
void sim_diag_init(sim_diag *d, const char *file);
/* Record a failure (first one wins is NOT applied: the latest call replaces
 * the previous). Returns `code` so callers can `return sim_diag_set(...)`.
 * `path` may be NULL; so may `d` (then nothing is recorded). */
int sim_diag_set(sim_diag *d, int code, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
int sim_diag_vset(sim_diag *d, int code, const char *path, const char *fmt,
                  va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 0)))
#endif
    ;
/* Format as "FILE: PATH: msg" (parts that are empty are left out) into buf.
 * Control characters are written as JSON escapes ("\n", "\u001b"), so the
 * text is one line whatever the input held; truncates safely. */
void sim_diag_format(const sim_diag *d, char *buf, size_t n);

/* Build a JSON path for a member or an element of `parent` into out
 * ("$.a" + "b" -> "$.a.b"; "$.a" + 3 -> "$.a[3]"). Truncates safely; a key
 * longer than SIM_PATH_KEY_MAX bytes is cut there and ends in "...". */
#define SIM_PATH_KEY_MAX 64
void sim_path_key(char *out, size_t n, const char *parent, const char *key);
void sim_path_index(char *out, size_t n, const char *parent, size_t index);

/* ------------------------------------------------------------ allocator --- */

/* Lua-style allocator hook: realloc when nsize > 0, free when nsize == 0.
 * osize is the old size (0 for a new block). Returns NULL on failure. */
typedef void *(*sim_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);
typedef struct sim_alloc {
  sim_alloc_fn fn; /* NULL means the C library's realloc/free */
  void *ud;        /* user data handed to fn */
} sim_alloc;

/* A NULL `a` behaves like {NULL, NULL}. sim_malloc(a, 0) returns a 1-byte
 * block (free it with osize 1); sim_realloc to nsize 0 frees and returns
 * NULL; sim_calloc returns NULL on count * size overflow without calling
 * the hook. The default allocator asks for transparent huge pages
 * (madvise MADV_HUGEPAGE) over the 2 MiB-aligned interior of every block
 * it makes or grows to 4 MiB or more: one page fault per 2 MiB instead of
 * 512 for the engine's big arrays; a hint only, the block is the same. */
void *sim_malloc(const sim_alloc *a, size_t n);
void *sim_calloc(const sim_alloc *a, size_t count, size_t size); /* zeroed; overflow-checked */
void *sim_realloc(const sim_alloc *a, void *p, size_t osize, size_t nsize);
void sim_free(const sim_alloc *a, void *p, size_t osize);
/* Copy a NUL-terminated string through the allocator (NULL stays NULL). */
char *sim_strdup(const sim_alloc *a, const char *s);
/* Free a string made by sim_strdup. */
void sim_strfree(const sim_alloc *a, char *s);

/* ----------------------------------------------------------- assertions --- */

/* Kernel invariants: stay on in every build type (including Release) unless
 * SIM_NO_ASSERT is defined. Bad input never asserts; it returns an error. */
/* Prints "jobsim: assertion failed: EXPR (FILE:LINE)" to stderr, flushes
 * it and calls abort(). Never returns; a named function to break on. */
_Noreturn void sim_assert_fail(const char *expr, const char *file, int line);
#ifdef SIM_NO_ASSERT
#define SIM_ASSERT(x) ((void)0)
#else
#define SIM_ASSERT(x) ((x) ? (void)0 : sim_assert_fail(#x, __FILE__, __LINE__))
#endif
/* Defensive branches that should never be taken (SQLite's ALWAYS/NEVER). */
#ifdef SIM_NO_ASSERT
#define SIM_ALWAYS(x) (x)
#define SIM_NEVER(x) (x)
#else
#define SIM_ALWAYS(x) ((x) ? 1 : (sim_assert_fail(#x, __FILE__, __LINE__), 0))
#define SIM_NEVER(x) ((x) ? (sim_assert_fail("!(" #x ")", __FILE__, __LINE__), 1) : 0)
#endif

#endif /* JOBSIM_SIM_H */
