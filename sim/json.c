/*
 * json.c — strict document parsing and path-aware typed readers over cJSON.
 *
 * Before cJSON sees a document, one linear pre-scan rejects a BOM, empty
 * input, invalid UTF-8, raw control characters inside strings and nesting
 * deeper than MAX_DEPTH, so deep input can never exhaust the stack and every
 * message can name a line and column. cJSON's global error pointer is never
 * read: the parse end it returns is turned into line:column here. Trailing
 * data is checked here too (cJSON's require_null_terminated mode would need
 * the caller's buffer to carry its NUL inside `len`).
 */
#define _POSIX_C_SOURCE 200809L
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64                            /* arrays + objects, levels */
#define MAX_FILE_BYTES ((size_t)256 << 20)      /* sim_json_read_file cap */

/* ------------------------------------------------------------- parsing --- */

/* 1-based line and column (in code points) of byte offset `off`. */
static void line_col(const char *text, size_t off, size_t *line, size_t *col)
{
  size_t i;

  *line = 1;
  *col = 1;
  for (i = 0; i < off; i++) {
    unsigned char c = (unsigned char)text[i];

    if (c == '\n') {
      (*line)++;
      *col = 1;
    } else if ((c & 0xC0) != 0x80) {
      (*col)++;
    }
  }
}

static int is_ws(unsigned char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Length of the valid UTF-8 sequence at s[0..avail), 0 when invalid
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
  unsigned char c = s[0];
  unsigned char lo = 0x80, hi = 0xBF;
  size_t n, i;

  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2;
  else if (c >= 0xE0 && c <= 0xEF)
    n = 3;
  else if (c >= 0xF0 && c <= 0xF4)
    n = 4;
  else
    return 0;
  if (c == 0xE0)
    lo = 0xA0;
  else if (c == 0xED)
    hi = 0x9F;
  else if (c == 0xF0)
    lo = 0x90;
  else if (c == 0xF4)
    hi = 0x8F;
  if (avail < n || s[1] < lo || s[1] > hi)
    return 0;
  for (i = 2; i < n; i++)
    if ((s[i] & 0xC0) != 0x80)
      return 0;
  return n;
}

/* The excerpt under a parse error, into d->context: the line holding byte
 * `off` (at most CTX_CHARS characters of it around the column, "..." where
 * cut) and a caret under the column, compiler style:
 *     57 |     "maximumPerMinute": 100,
 *        |                            ^
 * One display column per character; tabs and control characters show as a
 * space and anything that is not valid UTF-8 (or is a C1 control) as '?',
 * so the excerpt cannot drive a terminal. */
#define CTX_CHARS 72
static void set_context(sim_diag *d, const char *text, size_t len, size_t off,
                        size_t line)
{
  const unsigned char *u = (const unsigned char *)text;
  size_t ls, le, i, ci, caret = 0, nchar = 0, from, to, at = 0, k;
  char *out, gutter[32];
  int g;

  if (d == NULL)
    return;
  if (off > len)
    off = len;
  for (ls = off; ls > 0 && text[ls - 1] != '\n'; ls--)
    ;
  for (le = off; le < len && text[le] != '\n' && text[le] != '\r'; le++)
    ;
  /* character index of the caret, and the window [from, to) around it */
  for (i = ls; i < off; i += k, caret++)
    k = utf8_len(u + i, len - i) ? utf8_len(u + i, len - i) : 1;
  for (i = ls; i < le; i += k, nchar++)
    k = utf8_len(u + i, len - i) ? utf8_len(u + i, len - i) : 1;
  from = caret > CTX_CHARS - 20 ? caret - (CTX_CHARS - 20) : 0;
  to = from + CTX_CHARS < nchar ? from + CTX_CHARS : nchar;
  out = d->context;
  g = snprintf(gutter, sizeof gutter, "%5zu | ", line);
  at = (size_t)snprintf(out, sizeof d->context, "%s%s", gutter, from ? "..." : "");
  for (i = ls, ci = 0; i < le && ci < to; i += k, ci++) {
    size_t v = utf8_len(u + i, len - i);
    k = v ? v : 1;
    if (ci < from)
      continue;
    if (at + 8 >= sizeof d->context)
      break;
    if (v == 1)
      out[at++] = u[i] < 0x20 || u[i] == 0x7f ? ' ' : (char)u[i];
    else if (v == 0 || (v == 2 && u[i] == 0xC2 && u[i + 1] < 0xA0))
      out[at++] = '?';
    else {
      memcpy(out + at, text + i, v);
      at += v;
    }
  }
  if (to < nchar && at + 4 < sizeof d->context) {
    memcpy(out + at, "...", 3);
    at += 3;
  }
  /* the caret line: the gutter blanked but its bar, then spaces */
  if (at + (size_t)g + 1 < sizeof d->context)
    out[at++] = '\n';
  for (k = 0; k + 3 < (size_t)g && at + 1 < sizeof d->context; k++)
    out[at++] = ' ';
  for (k = (size_t)g - 3; k < (size_t)g && at + 1 < sizeof d->context; k++)
    out[at++] = gutter[k];
  for (k = 0; k < caret - from + (from ? 3 : 0) && at + 2 < sizeof d->context; k++)
    out[at++] = ' ';
  if (at + 1 < sizeof d->context)
    out[at++] = '^';
  out[at] = '\0';
}

/* The last byte before `off` that is not blank, or SIZE_MAX. */
static size_t prev_solid(const char *text, size_t off)
{
  while (off > 0 && is_ws((unsigned char)text[off - 1]))
    off--;
  return off > 0 ? off - 1 : SIZE_MAX;
}

/* A parse error at byte `off`: "what at line L, column C", a hint for the
 * two slips people make most (a comma after the last member, a comma left
 * out between two), and the excerpt with a caret in d->context. A trailing
 * comma is reported where the comma is, since that is what to delete. */
static int at_error(sim_diag *d, const char *text, size_t len, size_t off,
                    const char *what)
{
  size_t line, col, p = SIZE_MAX;
  const char *hint = "";
  char close = 0;
  int rc;

  /* the closer cJSON stopped at, or just after (it does both) */
  size_t c = off < len && (text[off] == '}' || text[off] == ']') ? off
                                                                 : prev_solid(text, off);
  if (c != SIZE_MAX && c < len && (text[c] == '}' || text[c] == ']') &&
      strcmp(what, "invalid JSON") == 0 &&
      (p = prev_solid(text, c)) != SIZE_MAX && text[p] == ',') {
    close = text[c];
    off = p;
  } else if (off < len && text[off] == '"' && strcmp(what, "invalid JSON") == 0 &&
             (p = prev_solid(text, off)) != SIZE_MAX &&
             (text[p] == '"' || text[p] == '}' || text[p] == ']' ||
              (text[p] >= '0' && text[p] <= '9') || text[p] == 'e' ||
              text[p] == 'l')) {
    hint = " (a missing comma before it?)";
  }
  line_col(text, off, &line, &col);
  if (close)
    rc = sim_diag_set(d, SIM_ERR_PARSE, NULL,
                      "%s at line %zu, column %zu: trailing comma before '%c' "
                      "(JSON allows none)", what, line, col, close);
  else
    rc = sim_diag_set(d, SIM_ERR_PARSE, NULL, "%s at line %zu, column %zu%s", what,
                      line, col, hint);
  set_context(d, text, len, off, line);
  return rc;
}

/* True when s[0..n) starts with NaN or [+-]Infinity, which other JSON
 * writers (Python's json.dumps, JavaScript's String()) emit. */
static bool not_json_number(const char *s, size_t n)
{
  if (n > 0 && (*s == '-' || *s == '+'))
    s++, n--;
  return (n >= 3 && memcmp(s, "NaN", 3) == 0) ||
         (n >= 8 && memcmp(s, "Infinity", 8) == 0);
}

/* What the pre-scan learnt, for better messages should cJSON fail. */
typedef struct scan {
  size_t open_string; /* offset of an unterminated string's quote, or len */
  size_t depth;       /* brackets still open at the end, levels */
} scan;

/* The pre-scan: UTF-8, control characters in strings, nesting depth. */
static int prescan(const char *text, size_t len, scan *sc, sim_diag *d)
{
  const unsigned char *s = (const unsigned char *)text;
  bool in_string = false, escape = false;
  size_t depth = 0, i = 0, quote = 0;

  while (i < len) {
    unsigned char c = s[i];
    size_t n = utf8_len(s + i, len - i);

    if (n == 0) {
      size_t line, col;

      line_col(text, i, &line, &col);
      return sim_diag_set(d, SIM_ERR_PARSE, NULL,
                          "invalid UTF-8 at byte offset %zu (line %zu, column "
                          "%zu)", i, line, col);
    }
    if (in_string) {
      if (c < 0x20)
        return at_error(d, text, len, i,
                        "control character in a string (write it as \\n, "
                        "\\t or \\u00XX)");
      if (escape) {
        escape = false;
        if (c == 'u' && len - i > 4 && memcmp(s + i + 1, "0000", 4) == 0)
          return at_error(d, text, len, i - 1,
                          "\\u0000 (a NUL character) in a string is not "
                          "allowed");
      } else if (c == '\\')
        escape = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
      quote = i;
    } else if (c == '[' || c == '{') {
      if (++depth > MAX_DEPTH)
        return at_error(d, text, len, i, "nesting deeper than 64 levels");
    } else if ((c == ']' || c == '}') && depth > 0) {
      depth--;
    }
    i += n;
  }
  sc->open_string = in_string ? quote : len;
  sc->depth = depth;
  return SIM_OK;
}

/* A strict, allocation-free JSON syntax check (RFC 8259, plus cJSON's own
 * limits: paired \u surrogates, numbers under 63 characters), without
 * recursion (vj_value). When this accepts a text that
 * cJSON rejected, cJSON ran out of memory: it cannot tell us itself. */
typedef struct vj {
  const char *p, *end;
} vj;

static void vj_ws(vj *v) {
  while (v->p < v->end && is_ws((unsigned char)*v->p)) v->p++;
}

static int vj_hex4(const char *p, const char *end) {
  if (end - p < 4) return -1;
  int h = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    int x = c >= '0' && c <= '9' ? c - '0'
          : c >= 'a' && c <= 'f' ? c - 'a' + 10
          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (x < 0) return -1;
    h = h * 16 + x;
  }
  return h;
}

static bool vj_string(vj *v) {
  v->p++;   /* opening quote */
  while (v->p < v->end) {
    unsigned char c = (unsigned char)*v->p;
    if (c == '"') { v->p++; return true; }
    if (c < 0x20) return false;
    if (c != '\\') { v->p++; continue; }
    if (++v->p >= v->end) return false;
    switch (*v->p) {
      case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        v->p++;
        break;
      case 'u': {
        int h = vj_hex4(v->p + 1, v->end);
        if (h < 0 || (h >= 0xDC00 && h <= 0xDFFF)) return false;
        v->p += 5;
        if (h >= 0xD800 && h <= 0xDBFF) {   /* needs its low surrogate */
          if (v->end - v->p < 6 || v->p[0] != '\\' || v->p[1] != 'u') return false;
          int lo = vj_hex4(v->p + 2, v->end);
          if (lo < 0xDC00 || lo > 0xDFFF) return false;
          v->p += 6;
        }
        break;
      }
      default:
        return false;
    }
  }
  return false;
}

static bool vj_digits(vj *v) {
  const char *s = v->p;
  while (v->p < v->end && *v->p >= '0' && *v->p <= '9') v->p++;
  return v->p > s;
}

static bool vj_number(vj *v) {
  const char *s = v->p;
  if (v->p < v->end && *v->p == '-') v->p++;
  if (v->p < v->end && *v->p == '0') v->p++;
  else if (!vj_digits(v)) return false;
  if (v->p < v->end && *v->p == '.') {
    v->p++;
    if (!vj_digits(v)) return false;
  }
  if (v->p < v->end && (*v->p == 'e' || *v->p == 'E')) {
    v->p++;
    if (v->p < v->end && (*v->p == '+' || *v->p == '-')) v->p++;
    if (!vj_digits(v)) return false;
  }
  return v->p - s < 63;   /* cJSON reads at most 63 characters of a number */
}

static bool vj_word(vj *v, const char *w) {
  size_t n = strlen(w);
  if ((size_t)(v->end - v->p) < n || memcmp(v->p, w, n) != 0) return false;
  v->p += n;
  return true;
}

/* A value, iteratively: the open arrays and objects are a bit stack (1 for
 * an object), so no input depth can exhaust the C stack (a recursive
 * descent overflowed a 512 KiB stack on a 32 KB document of 16,384 nested
 * arrays). VJ_MAX_DEPTH levels fit in the bit stack, far more than any
 * document jobsim accepts can nest (two bytes a level). */
#define VJ_MAX_DEPTH 65536

static bool vj_value(vj *v) {
  unsigned char stack[VJ_MAX_DEPTH / 8];
  size_t depth = 0;
  for (;;) {
    /* a value */
    vj_ws(v);
    if (v->p >= v->end) return false;
    bool scalar = true;
    switch (*v->p) {
      case '{':
      case '[': {
        bool obj = *v->p == '{';
        if (depth == VJ_MAX_DEPTH) return false;
        v->p++;
        vj_ws(v);
        if (v->p < v->end && *v->p == (obj ? '}' : ']')) {
          v->p++;   /* empty: a complete value */
          break;
        }
        if (obj) stack[depth / 8] |= (unsigned char)(1u << (depth % 8));
        else stack[depth / 8] &= (unsigned char)~(1u << (depth % 8));
        depth++;
        scalar = false;
        if (obj) {   /* the first member's name */
          if (v->p >= v->end || *v->p != '"' || !vj_string(v)) return false;
          vj_ws(v);
          if (v->p >= v->end || *v->p++ != ':') return false;
        }
        break;
      }
      case '"': if (!vj_string(v)) return false; break;
      case 't': if (!vj_word(v, "true")) return false; break;
      case 'f': if (!vj_word(v, "false")) return false; break;
      case 'n': if (!vj_word(v, "null")) return false; break;
      default: if (!vj_number(v)) return false; break;
    }
    if (!scalar) continue;   /* read the container's first element */
    /* after a complete value: close containers or move to the next element */
    for (;;) {
      if (depth == 0) return true;
      bool obj = stack[(depth - 1) / 8] >> ((depth - 1) % 8) & 1;
      vj_ws(v);
      if (v->p >= v->end) return false;
      char c = *v->p++;
      if (c == (obj ? '}' : ']')) {
        depth--;
        continue;
      }
      if (c != ',') return false;
      if (obj) {
        vj_ws(v);
        if (v->p >= v->end || *v->p != '"' || !vj_string(v)) return false;
        vj_ws(v);
        if (v->p >= v->end || *v->p++ != ':') return false;
      }
      break;   /* the next element's value */
    }
  }
}

bool sim_json_valid(const char *text, size_t len) {
  vj v = {text, text + len};
  if (!vj_value(&v)) return false;
  vj_ws(&v);
  return v.p == v.end;
}

int sim_json_parse(const char *text, size_t len, cJSON **out, sim_diag *d)
{
  const char *end = NULL;
  scan sc = {0, 0};
  cJSON *root;
  size_t i, off;
  int rc;

  *out = NULL;
  if (text == NULL)
    len = 0;
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
    return sim_diag_set(d, SIM_ERR_PARSE, NULL,
                        "file starts with a UTF-8 byte order mark; save it "
                        "without BOM");
  for (i = 0; i < len && is_ws((unsigned char)text[i]); i++)
    ;
  if (i == len)
    return sim_diag_set(d, SIM_ERR_PARSE, NULL, "empty document");
  if ((rc = prescan(text, len, &sc, d)) != SIM_OK)
    return rc;

  root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
  off = end != NULL && end >= text ? (size_t)(end - text) : 0;
  if (root == NULL) {
    if (sim_json_valid(text, len))
      return sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory while parsing JSON");
    if (sc.open_string < len && off >= sc.open_string)
      return at_error(d, text, len, sc.open_string, "unterminated string");
    if (sc.depth > 0 && off + 1 >= len)
      return at_error(d, text, len, len, "unexpected end of input");
    return at_error(d, text, len, off, not_json_number(text + off, len - off)
                                      ? "invalid JSON (NaN and Infinity are not "
                                        "JSON numbers)"
                                      : "invalid JSON");
  }
  for (i = off; i < len && is_ws((unsigned char)text[i]); i++)
    ;
  if (i < len) {
    cJSON_Delete(root);
    return at_error(d, text, len, i, "unexpected data after the JSON value");
  }
  *out = root;
  return SIM_OK;
}

/* `path` shortened for a message (its start, "...", its end, cut between
 * UTF-8 sequences), so that a very long path never pushes the reason after
 * it out of the 512-byte message. */
typedef struct brief {
  char s[200];
} brief;

static brief brief_path(const char *path)
{
  brief b;
  size_t len = strlen(path), n = sizeof b.s;

  if (len < n) {
    memcpy(b.s, path, len + 1);
    return b;
  }
  size_t head = (n - 4) / 3, start = len - (n - 4 - head);
  while (head > 0 && ((unsigned char)path[head] & 0xC0) == 0x80)
    head--;
  while (start < len && ((unsigned char)path[start] & 0xC0) == 0x80)
    start++;
  memcpy(b.s, path, head);
  memcpy(b.s + head, "...", 3);
  memcpy(b.s + head + 3, path + start, len - start + 1);
  return b;
}

static const char *file_kind(mode_t m)
{
  if (S_ISDIR(m))
    return "a directory";
  if (S_ISFIFO(m))
    return "a FIFO";
  if (S_ISCHR(m))
    return "a character device";
  if (S_ISBLK(m))
    return "a block device";
  if (S_ISSOCK(m))
    return "a socket";
  return "not a plain file";
}

int sim_json_open_regular(const char *path, int *fd, sim_diag *d)
{
  struct stat st;
  int f, fl;

  *fd = -1;
  /* O_NONBLOCK: opening a FIFO without a writer returns at once */
  f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (f < 0)
    return sim_diag_set(d, errno == ENOMEM ? SIM_ERR_NOMEM : SIM_ERR_IO, NULL,
                        "cannot open '%s': %s", brief_path(path).s, strerror(errno));
  if (fstat(f, &st) != 0) {
    int e = errno;
    close(f);
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot read '%s': %s", brief_path(path).s,
                        strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    close(f);
    return sim_diag_set(d, SIM_ERR_IO, NULL,
                        "cannot read '%s': not a regular file (%s)", brief_path(path).s,
                        file_kind(st.st_mode));
  }
  fl = fcntl(f, F_GETFL);
  if (fl < 0 || fcntl(f, F_SETFL, fl & ~O_NONBLOCK) != 0) {
    int e = errno;
    close(f);
    return sim_diag_set(d, SIM_ERR_IO, NULL, "cannot read '%s': %s", brief_path(path).s,
                        strerror(e));
  }
  *fd = f;
  return SIM_OK;
}

int sim_json_read_file(const char *path, char **out, size_t *len, sim_diag *d)
{
  bool is_stdin = strcmp(path, "-") == 0;
  FILE *f = NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = NULL;
  int rc;

  *out = NULL;
  *len = 0;
  if (is_stdin) {
    f = stdin;
  } else {
    int fd;

    if ((rc = sim_json_open_regular(path, &fd, d)) != SIM_OK)
      return rc;
    if ((f = fdopen(fd, "rb")) == NULL) {
      int e = errno;
      close(fd);
      return sim_diag_set(d, e == ENOMEM ? SIM_ERR_NOMEM : SIM_ERR_IO, NULL,
                          "cannot open '%s': %s", brief_path(path).s, strerror(e));
    }
  }
  if ((buf = malloc(cap)) == NULL)
    goto nomem;
  for (;;) {
    size_t got = fread(buf + n, 1, cap - n - 1, f);

    n += got;
    if (got == 0)
      break;
    if (n + 1 == cap) {
      char *bigger;

      if (cap >= MAX_FILE_BYTES) {
        rc = sim_diag_set(d, SIM_ERR_LIMIT, NULL,
                          "'%s' is larger than %zu MiB", brief_path(path).s,
                          MAX_FILE_BYTES >> 20);
        goto fail;
      }
      if ((bigger = realloc(buf, cap * 2)) == NULL)
        goto nomem;
      buf = bigger;
      cap *= 2;
    }
  }
  if (ferror(f)) {
    rc = sim_diag_set(d, errno == ENOMEM ? SIM_ERR_NOMEM : SIM_ERR_IO, NULL,
                      "cannot read '%s': %s", brief_path(path).s, strerror(errno));
    goto fail;
  }
  if (!is_stdin)
    fclose(f);
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return SIM_OK;

nomem:
  rc = sim_diag_set(d, SIM_ERR_NOMEM, NULL, "out of memory reading '%s'", brief_path(path).s);
fail:
  free(buf);
  if (!is_stdin)
    fclose(f);
  return rc;
}

/* ------------------------------------------------------------- objects --- */

const char *sim_json_type_name(const cJSON *it)
{
  if (it == NULL)
    return "nothing";
  if (cJSON_IsString(it))
    return "string";
  if (cJSON_IsNumber(it))
    return "number";
  if (cJSON_IsObject(it))
    return "object";
  if (cJSON_IsArray(it))
    return "array";
  if (cJSON_IsBool(it))
    return "boolean";
  if (cJSON_IsNull(it))
    return "null";
  return "invalid value";
}

static bool in_list(const char *key, const char *const *list)
{
  for (; *list; list++)
    if (strcmp(key, *list) == 0)
      return true;
  return false;
}


/* Edit distance between s and t (Levenshtein with adjacent transpositions
 * counted as one edit, ASCII case ignored); both at most DYM_MAX bytes. */
#define DYM_MAX 128
static size_t edit_distance(const char *s, size_t n, const char *t, size_t m)
{
  size_t rows[3][DYM_MAX + 1], i, j;
  size_t *pp = rows[0], *prev = rows[1], *cur = rows[2], *tmp;

  for (j = 0; j <= m; j++)
    prev[j] = j;
  for (i = 1; i <= n; i++) {
    int a = s[i - 1] >= 'A' && s[i - 1] <= 'Z' ? s[i - 1] + 32 : s[i - 1];
    cur[0] = i;
    for (j = 1; j <= m; j++) {
      int b = t[j - 1] >= 'A' && t[j - 1] <= 'Z' ? t[j - 1] + 32 : t[j - 1];
      size_t v = prev[j - 1] + (a != b);
      if (prev[j] + 1 < v)
        v = prev[j] + 1;
      if (cur[j - 1] + 1 < v)
        v = cur[j - 1] + 1;
      if (i > 1 && j > 1 && a != b) {
        int a1 = s[i - 2] >= 'A' && s[i - 2] <= 'Z' ? s[i - 2] + 32 : s[i - 2];
        int b1 = t[j - 2] >= 'A' && t[j - 2] <= 'Z' ? t[j - 2] + 32 : t[j - 2];
        if (a == b1 && a1 == b && pp[j - 2] + 1 < v)
          v = pp[j - 2] + 1;
      }
      cur[j] = v;
    }
    tmp = pp;
    pp = prev;
    prev = cur;
    cur = tmp;
  }
  return prev[m];
}

const char *sim_did_you_mean(const char *s, const char *const *list)
{
  size_t n, best_d = SIZE_MAX, lim;
  const char *best = NULL;

  if (s == NULL || list == NULL || (n = strlen(s)) == 0 || n > DYM_MAX)
    return NULL;
  lim = n <= 2 ? 0 : n <= 4 ? 1 : n <= 8 ? 2 : 3;
  for (; *list; list++) {
    size_t m = strlen(*list), dist;
    if (m > DYM_MAX || strcmp(s, *list) == 0 || (m > n ? m - n : n - m) > lim)
      continue;
    dist = edit_distance(s, n, *list, m);
    if (dist < best_d) {   /* the first of equals: list order decides */
      best_d = dist;
      best = *list;
    }
  }
  return best != NULL && best_d <= lim ? best : NULL;
}

/* A member name quoted in a message: cut at QUOTE_MAX bytes (whole UTF-8
 * characters) with "..." after it. */
#define QUOTE_MAX 64
static int quote_len(const char *key)
{
  size_t n = strlen(key);

  if (n <= QUOTE_MAX)
    return (int)n;
  n = QUOTE_MAX;
  while (n > 0 && ((unsigned char)key[n] & 0xC0) == 0x80)
    n--;
  return (int)n;
}

static const char *quote_tail(const char *key)
{
  return strlen(key) > QUOTE_MAX ? "..." : "";
}

/* A member and its position, for finding duplicates by sorting. */
typedef struct keypos {
  const char *key;  /* member name */
  size_t pos;       /* index among the object's members */
} keypos;

static int keypos_cmp(const void *a, const void *b)
{
  const keypos *x = a, *y = b;
  int c = strcmp(x->key, y->key);

  if (c != 0)
    return c;
  return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Index of the first member (in document order) whose name appeared before
 * it, or SIZE_MAX when names are unique; SIZE_MAX - 1 when out of memory.
 * Small objects compare each member with the earlier ones; large ones (a
 * map of behaviours, a hostile file) sort, so the cost is O(n log n). */
static size_t first_duplicate(const cJSON *obj, size_t n)
{
  const cJSON *it, *prev;
  size_t i, best = SIZE_MAX;
  keypos *kp;

  if (n <= 32) {
    for (i = 0, it = obj->child; it; it = it->next, i++)
      for (prev = obj->child; prev != it; prev = prev->next)
        if (strcmp(prev->string ? prev->string : "",
                   it->string ? it->string : "") == 0)
          return i;
    return SIZE_MAX;
  }
  if ((kp = malloc(n * sizeof *kp)) == NULL)
    return SIZE_MAX - 1;
  for (i = 0, it = obj->child; it; it = it->next, i++) {
    kp[i].key = it->string ? it->string : "";
    kp[i].pos = i;
  }
  qsort(kp, n, sizeof *kp, keypos_cmp);
  /* in a run of equal names, the second one is the first repeat */
  for (i = 1; i < n; i++)
    if (strcmp(kp[i - 1].key, kp[i].key) == 0 &&
        (i < 2 || strcmp(kp[i - 2].key, kp[i].key) != 0) && kp[i].pos < best)
      best = kp[i].pos;
  free(kp);
  return best;
}

/* sim_did_you_mean among the allowed names the object does not use yet
 * ('median' beside a 'mean' is no slip of 'mean'). */
static const char *near_absent(const cJSON *obj, const char *key,
                               const char *const *allowed)
{
  const char *free_names[65];
  size_t n = 0;

  for (; *allowed != NULL; allowed++) {
    if (n == 64)
      return NULL;
    if (sim_json_get(obj, *allowed) == NULL)
      free_names[n++] = *allowed;
  }
  free_names[n] = NULL;
  return sim_did_you_mean(key, free_names);
}

int sim_json_check_object_hints(const cJSON *obj, const char *const *allowed,
                                const sim_json_hint *hints, sim_diag *d,
                                const char *path)
{
  char child[sizeof d->path];
  const cJSON *it;
  size_t n = 0, i, dup;

  if (!cJSON_IsObject(obj))
    return sim_diag_set(d, SIM_ERR_SCHEMA, path, "expected an object, got %s",
                        sim_json_type_name(obj));
  for (it = obj->child; it; it = it->next)
    n++;
  if ((dup = first_duplicate(obj, n)) == SIZE_MAX - 1)
    return sim_diag_set(d, SIM_ERR_NOMEM, path, "out of memory");
  /* the first member that is unknown or a repeat, in document order */
  for (i = 0, it = obj->child; it; it = it->next, i++) {
    const char *key = it->string ? it->string : "";
    const sim_json_hint *h;
    const char *near;

    if (allowed != NULL && !in_list(key, allowed)) {
      sim_path_key(child, sizeof child, path, key);
      for (h = hints; h != NULL && h->key != NULL; h++)
        if (strcmp(h->key, key) == 0)
          return sim_diag_set(d, SIM_ERR_SCHEMA, child, "unknown field '%s' (%s)",
                              key, h->hint);
      if ((near = near_absent(obj, key, allowed)) != NULL)
        return sim_diag_set(d, SIM_ERR_SCHEMA, child,
                            "unknown field '%.*s%s'; did you mean '%s'?",
                            quote_len(key), key, quote_tail(key), near);
      return sim_diag_set(d, SIM_ERR_SCHEMA, child, "unknown field '%.*s%s'",
                          quote_len(key), key, quote_tail(key));
    }
    if (i == dup) {
      sim_path_key(child, sizeof child, path, key);
      return sim_diag_set(d, SIM_ERR_SCHEMA, child, "duplicate field '%.*s%s'",
                          quote_len(key), key, quote_tail(key));
    }
  }
  return SIM_OK;
}

int sim_json_check_object(const cJSON *obj, const char *const *allowed,
                          sim_diag *d, const char *path)
{
  return sim_json_check_object_hints(obj, allowed, NULL, d, path);
}

const cJSON *sim_json_get(const cJSON *obj, const char *key)
{
  const cJSON *it;

  if (!cJSON_IsObject(obj))
    return NULL;
  for (it = obj->child; it; it = it->next)
    if (it->string && strcmp(it->string, key) == 0)
      return it;
  return NULL;
}

/* Find member `key`: *it is NULL when absent and not required. On success
 * `child` holds the member's path. */
static int member(const cJSON *obj, const char *key, bool required,
                  const cJSON **it, bool *present, char *child, size_t n,
                  sim_diag *d, const char *path)
{
  if (!cJSON_IsObject(obj))
    return sim_diag_set(d, SIM_ERR_SCHEMA, path, "expected an object, got %s",
                        sim_json_type_name(obj));
  *it = sim_json_get(obj, key);
  if (present)
    *present = *it != NULL;
  if (*it == NULL && required)
    return sim_diag_set(d, SIM_ERR_SCHEMA, path,
                        "missing required field '%s'", key);
  sim_path_key(child, n, path, key);
  return SIM_OK;
}

/* ------------------------------------------------------- typed readers --- */

int sim_json_item_int(const cJSON *it, int64_t min, int64_t max, int64_t *out,
                      sim_diag *d, const char *path)
{
  const int64_t limit = INT64_C(9007199254740992); /* 2^53 */
  int64_t lo = min < -limit ? -limit : min;
  int64_t hi = max > limit ? limit : max;
  double v;

  if (!cJSON_IsNumber(it))
    return sim_diag_set(d, SIM_ERR_SCHEMA, path, "expected an integer, got %s",
                        sim_json_type_name(it));
  v = it->valuedouble;
  if (isfinite(v) && v == floor(v) && v >= (double)lo && v <= (double)hi) {
    *out = (int64_t)v;
    return SIM_OK;
  }
  {
    int code = isfinite(v) && v == floor(v) ? SIM_ERR_RANGE : SIM_ERR_SCHEMA;

    if (max == INT64_MAX && min == INT64_MIN)
      return sim_diag_set(d, code, path,
                          "expected an integer of magnitude at most 2^53");
    if (max == INT64_MAX)
      return sim_diag_set(d, code, path, "expected an integer >= %" PRId64,
                          min);
    return sim_diag_set(d, code, path,
                        "expected an integer from %" PRId64 " to %" PRId64,
                        min, max);
  }
}

int sim_json_item_num(const cJSON *it, double min, double max, double *out,
                      sim_diag *d, const char *path)
{
  double v;

  if (!cJSON_IsNumber(it))
    return sim_diag_set(d, SIM_ERR_SCHEMA, path, "expected a number, got %s",
                        sim_json_type_name(it));
  v = it->valuedouble;
  if (isfinite(v) && v >= min && v <= max) {
    *out = v;
    return SIM_OK;
  }
  if (min <= -DBL_MAX && max >= DBL_MAX)
    return sim_diag_set(d, SIM_ERR_RANGE, path, "expected a finite number");
  if (max >= DBL_MAX)
    return sim_diag_set(d, SIM_ERR_RANGE, path, "expected a number >= %g", min);
  if (min <= -DBL_MAX)
    return sim_diag_set(d, SIM_ERR_RANGE, path, "expected a number <= %g", max);
  return sim_diag_set(d, SIM_ERR_RANGE, path, "expected a number from %g to %g",
                      min, max);
}

int sim_json_int(const cJSON *obj, const char *key, bool required, int64_t min,
                 int64_t max, int64_t *out, bool *present, sim_diag *d,
                 const char *path)
{
  char child[sizeof d->path];
  const cJSON *it;
  int rc = member(obj, key, required, &it, present, child, sizeof child, d,
                  path);

  if (rc != SIM_OK || it == NULL)
    return rc;
  return sim_json_item_int(it, min, max, out, d, child);
}

int sim_json_num(const cJSON *obj, const char *key, bool required, double min,
                 double max, double *out, bool *present, sim_diag *d,
                 const char *path)
{
  char child[sizeof d->path];
  const cJSON *it;
  int rc = member(obj, key, required, &it, present, child, sizeof child, d,
                  path);

  if (rc != SIM_OK || it == NULL)
    return rc;
  return sim_json_item_num(it, min, max, out, d, child);
}

int sim_json_bool(const cJSON *obj, const char *key, bool required, bool *out,
                  bool *present, sim_diag *d, const char *path)
{
  char child[sizeof d->path];
  const cJSON *it;
  int rc = member(obj, key, required, &it, present, child, sizeof child, d,
                  path);

  if (rc != SIM_OK || it == NULL)
    return rc;
  if (!cJSON_IsBool(it))
    return sim_diag_set(d, SIM_ERR_SCHEMA, child, "expected a boolean, got %s",
                        sim_json_type_name(it));
  *out = cJSON_IsTrue(it);
  return SIM_OK;
}

int sim_json_str(const cJSON *obj, const char *key, bool required,
                 size_t min_len, size_t max_len, const char **out,
                 bool *present, sim_diag *d, const char *path)
{
  char child[sizeof d->path];
  const cJSON *it;
  size_t len;
  int rc = member(obj, key, required, &it, present, child, sizeof child, d,
                  path);

  if (rc != SIM_OK || it == NULL)
    return rc;
  if (!cJSON_IsString(it) || it->valuestring == NULL)
    return sim_diag_set(d, SIM_ERR_SCHEMA, child, "expected a string, got %s",
                        sim_json_type_name(it));
  len = strlen(it->valuestring);
  if (len < min_len || len > max_len) {
    if (min_len == max_len)
      return sim_diag_set(d, SIM_ERR_RANGE, child,
                          "expected a string of %zu character%s", min_len,
                          min_len == 1 ? "" : "s");
    if (max_len == SIZE_MAX)
      return sim_diag_set(d, SIM_ERR_RANGE, child,
                          "expected a string of at least %zu character%s",
                          min_len, min_len == 1 ? "" : "s");
    return sim_diag_set(d, SIM_ERR_RANGE, child,
                        "expected a string of %zu to %zu characters", min_len,
                        max_len);
  }
  *out = it->valuestring;
  return SIM_OK;
}

int sim_json_enum(const cJSON *obj, const char *key, bool required,
                  const char *const *choices, int *out, bool *present,
                  sim_diag *d, const char *path)
{
  char child[sizeof d->path];
  char list[sizeof d->msg - 32];
  const cJSON *it;
  size_t at = 0;
  int i;
  int rc = member(obj, key, required, &it, present, child, sizeof child, d,
                  path);

  if (rc != SIM_OK || it == NULL)
    return rc;
  if (cJSON_IsString(it) && it->valuestring != NULL) {
    for (i = 0; choices[i]; i++) {
      if (strcmp(it->valuestring, choices[i]) == 0) {
        *out = i;
        return SIM_OK;
      }
    }
  }
  list[0] = '\0';
  for (i = 0; choices[i] && at < sizeof list; i++) {
    int w = snprintf(list + at, sizeof list - at, "%s%s", i ? ", " : "",
                     choices[i]);
    if (w < 0)
      break;
    at += (size_t)w;
  }
  if (!cJSON_IsString(it))
    return sim_diag_set(d, SIM_ERR_SCHEMA, child, "expected one of %s, got %s",
                        list, sim_json_type_name(it));
  {
    const char *near = sim_did_you_mean(it->valuestring, choices);
    if (near != NULL)
      return sim_diag_set(d, SIM_ERR_RANGE, child,
                          "expected one of %s; did you mean '%s'?", list, near);
  }
  return sim_diag_set(d, SIM_ERR_RANGE, child, "expected one of %s", list);
}

/* ------------------------------------------------------------- numbers --- */

/* Shortest round-tripping digits, then laid out the way %.17g would choose:
 * fixed notation for decimal exponents -5 < x < 17, scientific otherwise
 * (so 100 prints "100.0", not "1e+02"). */
void sim_json_format_double(double v, char *buf, size_t n)
{
  char sci[40], digits[24], out[48];
  const char *p;
  size_t nd = 0, at = 0, i;
  int prec, x;

  if (n == 0)
    return;
  if (!isfinite(v)) {
    snprintf(buf, n, "%s", isnan(v) ? "nan" : v < 0 ? "-inf" : "inf");
    return;
  }
  for (prec = 0; prec < 17; prec++) {
    snprintf(sci, sizeof sci, "%.*e", prec, v);
    if (strtod(sci, NULL) == v)
      break;
  }
  /* sci is "[-]d[.ddd]e[+-]xx" */
  p = sci;
  if (*p == '-')
    out[at++] = *p++;
  for (; *p != 'e'; p++)
    if (*p != '.')
      digits[nd++] = *p;
  x = atoi(p + 1);
  while (nd > 1 && digits[nd - 1] == '0')
    nd--;
  if (x < -4 || x >= 17) {
    out[at++] = digits[0];
    if (nd > 1) {
      out[at++] = '.';
      for (i = 1; i < nd; i++)
        out[at++] = digits[i];
    }
    snprintf(out + at, sizeof out - at, "e%c%02d", x < 0 ? '-' : '+',
             x < 0 ? -x : x);
  } else if (x < 0) {
    out[at++] = '0';
    out[at++] = '.';
    for (i = 1; i < (size_t)-x; i++)
      out[at++] = '0';
    for (i = 0; i < nd; i++)
      out[at++] = digits[i];
    out[at] = '\0';
  } else {
    for (i = 0; i <= (size_t)x; i++)
      out[at++] = i < nd ? digits[i] : '0';
    out[at++] = '.';
    if (nd > (size_t)x + 1) {
      for (i = (size_t)x + 1; i < nd; i++)
        out[at++] = digits[i];
    } else {
      out[at++] = '0';
    }
    out[at] = '\0';
  }
  snprintf(buf, n, "%s", out);
}
