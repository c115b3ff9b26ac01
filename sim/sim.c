/*
 * sim.c — the kernel's shared vocabulary: status-code text generated from
 * SIM_ERR_MAP, caller-owned diagnostics, JSON path building, the allocator
 * hook and the assertion failure routine.
 *
 * Invariants: nothing here keeps state between calls; every allocation goes
 * through a sim_alloc (NULL allocator or NULL fn means realloc/free), and
 * every formatted buffer is NUL-terminated even when truncated.
 */
#define _DEFAULT_SOURCE   /* madvise, MADV_HUGEPAGE */
#include "sim.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

/* ---------------------------------------------------------------- errors --- */

const char *sim_strerror(int code)
{
  switch (code) {
  case SIM_OK:
    return "success";
#define XX(name, num, text) \
  case SIM_ERR_##name:      \
    return text;
    SIM_ERR_MAP(XX)
#undef XX
  default:
    return "unknown error";
  }
}

const char *sim_errname(int code)
{
  switch (code) {
  case SIM_OK:
    return "SIM_OK";
#define XX(name, num, text) \
  case SIM_ERR_##name:      \
    return "SIM_ERR_" #name;
    SIM_ERR_MAP(XX)
#undef XX
  default:
    return "SIM_ERR_UNKNOWN";
  }
}

/* ----------------------------------------------------------- diagnostics --- */

/* Copy src into dst[n] with truncation; src and dst may overlap. */
static void copy_str(char *dst, size_t n, const char *src)
{
  size_t len;

  if (n == 0)
    return;
  len = src ? strlen(src) : 0;
  if (len >= n)
    len = n - 1;
  if (len > 0)
    memmove(dst, src, len);
  dst[len] = '\0';
}

void sim_diag_init(sim_diag *d, const char *file)
{
  d->code = SIM_OK;
  copy_str(d->file, sizeof d->file, file);
  d->path[0] = '\0';
  d->msg[0] = '\0';
  d->context[0] = '\0';
}

int sim_diag_vset(sim_diag *d, int code, const char *path, const char *fmt,
                  va_list ap)
{
  char msg[sizeof d->msg];

  if (d == NULL) /* the caller does not want details */
    return code;
  /* Format first: the arguments may point into d itself. */
  vsnprintf(msg, sizeof msg, fmt, ap);
  d->code = code;
  copy_str(d->path, sizeof d->path, path);
  memcpy(d->msg, msg, sizeof msg);
  d->context[0] = '\0';
  return code;
}

int sim_diag_set(sim_diag *d, int code, const char *path, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  sim_diag_vset(d, code, path, fmt, ap);
  va_end(ap);
  return code;
}

/* Append src to buf[n] at *used, writing control characters (which may come
 * from the input: a key "\u001b[2J", a file name with a newline) as JSON
 * escapes, so that a diagnostic is one line and cannot drive a terminal.
 * Stops short rather than cut an escape. */
static bool append_escaped(char *buf, size_t n, size_t *used, const char *src)
{
  for (; *src; src++) {
    unsigned char c = (unsigned char)*src;
    char esc[8];
    size_t k;

    if (c >= 0x20 && c != 0x7f) {
      esc[0] = (char)c;
      esc[1] = '\0';
    } else if (c == '\n' || c == '\t' || c == '\r') {
      snprintf(esc, sizeof esc, "\\%c", c == '\n' ? 'n' : c == '\t' ? 't' : 'r');
    } else {
      snprintf(esc, sizeof esc, "\\u%04x", c);
    }
    k = strlen(esc);
    if (*used + k > n - 1)
      return false;
    memcpy(buf + *used, esc, k + 1);
    *used += k;
  }
  return true;
}

void sim_diag_format(const sim_diag *d, char *buf, size_t n)
{
  const char *parts[3];
  size_t used = 0;
  int i;

  if (n == 0)
    return;
  buf[0] = '\0';
  parts[0] = d->file;
  parts[1] = d->path;
  parts[2] = d->msg[0] ? d->msg : d->code ? sim_strerror(d->code) : "";
  for (i = 0; i < 3; i++) {
    if (parts[i][0] == '\0')
      continue;
    if ((used && !append_escaped(buf, n, &used, ": ")) ||
        !append_escaped(buf, n, &used, parts[i]))
      break;   /* full */
  }
}

/* Append src after the first `at` bytes of out[n]; returns the new length. */
static size_t append(char *out, size_t n, size_t at, const char *src)
{
  while (*src && at + 1 < n)
    out[at++] = *src++;
  out[at] = '\0';
  return at;
}

/* Start out[n] with parent ("$" when NULL or empty); out may equal parent. */
static size_t start_path(char *out, size_t n, const char *parent)
{
  copy_str(out, n, parent && parent[0] ? parent : "$");
  return strlen(out);
}

void sim_path_key(char *out, size_t n, const char *parent, const char *key)
{
  char cut[SIM_PATH_KEY_MAX + 4];
  size_t at, len;

  if (n == 0)
    return;
  key = key ? key : "";
  len = strlen(key);
  if (len > SIM_PATH_KEY_MAX) {   /* a hostile key: cut it, whole characters */
    len = SIM_PATH_KEY_MAX;
    while (len > 0 && ((unsigned char)key[len] & 0xC0) == 0x80)
      len--;
    memcpy(cut, key, len);
    memcpy(cut + len, "...", 4);
    key = cut;
  }
  at = start_path(out, n, parent);
  at = append(out, n, at, ".");
  append(out, n, at, key);
}

void sim_path_index(char *out, size_t n, const char *parent, size_t index)
{
  char num[32];
  size_t at;

  if (n == 0)
    return;
  snprintf(num, sizeof num, "[%zu]", index);
  at = start_path(out, n, parent);
  append(out, n, at, num);
}

/* ------------------------------------------------------------- allocator --- */

#define BIG_BLOCK ((size_t)4 << 20)

/* The huge-page hint for a block of n bytes at p not touched yet (sim.h). */
static void advise_big(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
  const uintptr_t huge = (uintptr_t)2 << 20;
  uintptr_t lo, hi;

  if (p == NULL || n < BIG_BLOCK)
    return;
  lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
  hi = ((uintptr_t)p + n) & ~(huge - 1);
  if (hi > lo)
    (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);   /* a hint: errors ignored */
#else
  (void)p;
  (void)n;
#endif
}

/* The default allocator: realloc/free, with Lua's calling convention; a
 * block made or grown to BIG_BLOCK or more gets the huge-page hint (on a
 * 2-core VM of December 2026 a page fault cost about 6 us of system time,
 * and the engine's arrays took 8,900 of them per million things). */
static void *call_alloc(const sim_alloc *a, void *p, size_t osize, size_t nsize)
{
  void *q;

  if (a != NULL && a->fn != NULL)
    return a->fn(a->ud, p, osize, nsize);
  if (nsize == 0) {
    free(p);
    return NULL;
  }
  q = realloc(p, nsize);
  if (nsize > osize)
    advise_big(q, nsize);
  return q;
}

void *sim_malloc(const sim_alloc *a, size_t n)
{
  return call_alloc(a, NULL, 0, n ? n : 1);
}

void *sim_calloc(const sim_alloc *a, size_t count, size_t size)
{
  size_t total;
  void *p;

  if (size != 0 && count > SIZE_MAX / size)
    return NULL;
  total = count * size;
  if (total == 0)
    total = 1;
  p = call_alloc(a, NULL, 0, total);
  if (p != NULL)
    memset(p, 0, total);
  return p;
}

void *sim_realloc(const sim_alloc *a, void *p, size_t osize, size_t nsize)
{
  if (nsize == 0) {
    sim_free(a, p, osize);
    return NULL;
  }
  return call_alloc(a, p, p ? osize : 0, nsize);
}

void sim_free(const sim_alloc *a, void *p, size_t osize)
{
  if (p != NULL)
    call_alloc(a, p, osize, 0);
}

char *sim_strdup(const sim_alloc *a, const char *s)
{
  size_t n;
  char *p;

  if (s == NULL)
    return NULL;
  n = strlen(s) + 1;
  p = call_alloc(a, NULL, 0, n);
  if (p != NULL)
    memcpy(p, s, n);
  return p;
}

void sim_strfree(const sim_alloc *a, char *s)
{
  if (s != NULL)
    call_alloc(a, s, strlen(s) + 1, 0);
}

/* ------------------------------------------------------------ assertions --- */

_Noreturn void sim_assert_fail(const char *expr, const char *file, int line)
{
  fprintf(stderr, "jobsim: assertion failed: %s (%s:%d)\n", expr, file, line);
  fflush(stderr);
  abort();
}
