/*
 * scan.c — the strict pull reader of scan.h. One pass, no allocation; the
 * position of an error is turned into line:column only when one happens.
 */
#include "scan.h"

#include <string.h>

#define MAX_DEPTH 64

void fit_scan_init(fit_scan *s, const char *text, size_t len, sim_diag *d) {
  memset(s, 0, sizeof *s);
  s->text = text;
  s->len = len;
  s->d = d;
}

void fit_scan_where(const fit_scan *s, size_t *line, size_t *col) {
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < s->pos && i < s->len; i++) {
    unsigned char c = (unsigned char)s->text[i];
    if (c == '\n') {
      (*line)++;
      *col = 1;
    } else if ((c & 0xC0) != 0x80) {
      (*col)++;
    }
  }
}

static int syntax(fit_scan *s, const char *what) {
  size_t line, col;
  fit_scan_where(s, &line, &col);
  if (s->pos >= s->len)
    return sim_diag_set(s->d, SIM_ERR_PARSE, NULL, "%s at the end of the file (line %zu)",
                        what, line);
  return sim_diag_set(s->d, SIM_ERR_PARSE, NULL, "%s at line %zu, column %zu", what, line,
                      col);
}

static void ws(fit_scan *s) {
  while (s->pos < s->len) {
    char c = s->text[s->pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    s->pos++;
  }
}

fit_kind fit_scan_peek(fit_scan *s) {
  ws(s);
  if (s->pos >= s->len) return FIT_JSON_BAD;
  switch (s->text[s->pos]) {
    case '{': return FIT_JSON_OBJECT;
    case '[': return FIT_JSON_ARRAY;
    case '"': return FIT_JSON_STRING;
    case 't': return FIT_JSON_TRUE;
    case 'f': return FIT_JSON_FALSE;
    case 'n': return FIT_JSON_NULL;
    default: break;
  }
  char c = s->text[s->pos];
  return (c == '-' || (c >= '0' && c <= '9')) ? FIT_JSON_NUMBER : FIT_JSON_BAD;
}

const char *fit_kind_name(fit_kind k) {
  static const char *const names[] = {"object", "array", "string", "number",
                                      "boolean", "boolean", "null", "no value"};
  return names[k];
}

int fit_scan_enter(fit_scan *s) {
  fit_kind k = fit_scan_peek(s);
  if (k != FIT_JSON_OBJECT && k != FIT_JSON_ARRAY) return syntax(s, "expected '{' or '['");
  if (s->depth >= MAX_DEPTH) return syntax(s, "nesting deeper than 64 levels");
  uint64_t bit = UINT64_C(1) << s->depth;
  s->objmask = k == FIT_JSON_OBJECT ? s->objmask | bit : s->objmask & ~bit;
  s->depth++;
  s->pos++;
  s->first = true;
  return SIM_OK;
}

/* Before the next member/element: ',' unless first; or the closer. */
static int next(fit_scan *s, char closer, bool *more) {
  ws(s);
  if (s->pos < s->len && s->text[s->pos] == closer) {
    s->pos++;
    s->depth--;
    s->first = false;
    *more = false;
    return SIM_OK;
  }
  if (!s->first) {
    if (s->pos >= s->len || s->text[s->pos] != ',')
      return syntax(s, closer == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    s->pos++;
    ws(s);
  }
  s->first = false;
  *more = true;
  return SIM_OK;
}

/* Length of a valid UTF-8 sequence at p (avail bytes), 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t avail) {
  unsigned char c = p[0], lo = 0x80, hi = 0xBF;
  size_t n;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c >= 0xE0 && c <= 0xEF) n = 3;
  else if (c >= 0xF0 && c <= 0xF4) n = 4;
  else return 0;
  if (c == 0xE0) lo = 0xA0;
  else if (c == 0xED) hi = 0x9F;
  else if (c == 0xF0) lo = 0x90;
  else if (c == 0xF4) hi = 0x8F;
  if (avail < n) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (size_t i = 2; i < n; i++)
    if ((p[i] & 0xC0) != 0x80) return 0;
  return n;
}

static int hex4(const char *p, unsigned *v) {
  *v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    unsigned x;
    if (c >= '0' && c <= '9') x = (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') x = (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') x = (unsigned)(c - 'A' + 10);
    else return -1;
    *v = *v << 4 | x;
  }
  return 0;
}

/* Read a string at the read position; decoded bytes go to buf when it is
 * not NULL (cut at cap - 1, *cut set). */
static int read_string(fit_scan *s, char *buf, size_t cap, size_t *n, bool *cut) {
  ws(s);
  if (s->pos >= s->len || s->text[s->pos] != '"') return syntax(s, "expected a string");
  s->pos++;
  size_t o = 0;
  *cut = false;
#define PUT(ch)                                   \
  do {                                            \
    if (buf) {                                    \
      if (o + 1 < cap) buf[o] = (char)(ch);       \
      else *cut = true;                           \
    }                                             \
    o++;                                          \
  } while (0)
  for (;;) {
    if (s->pos >= s->len) return syntax(s, "unterminated string");
    unsigned char c = (unsigned char)s->text[s->pos];
    if (c == '"') {
      s->pos++;
      break;
    }
    if (c < 0x20) return syntax(s, "control character inside a string");
    if (c == '\\') {
      if (s->pos + 1 >= s->len) return syntax(s, "unterminated string");
      char e = s->text[s->pos + 1];
      const char *map = "\"\\/bfnrt";
      const char *rep = "\"\\/\b\f\n\r\t";
      const char *m = e ? strchr(map, e) : NULL;
      if (m) {
        PUT(rep[m - map]);
        s->pos += 2;
        continue;
      }
      if (e != 'u') return syntax(s, "invalid escape in a string");
      unsigned u;
      if (s->pos + 6 > s->len || hex4(s->text + s->pos + 2, &u))
        return syntax(s, "invalid \\u escape");
      s->pos += 6;
      if (u >= 0xDC00 && u <= 0xDFFF) return syntax(s, "unpaired \\u surrogate");
      if (u >= 0xD800 && u <= 0xDBFF) {
        unsigned lo;
        if (s->pos + 6 > s->len || s->text[s->pos] != '\\' || s->text[s->pos + 1] != 'u' ||
            hex4(s->text + s->pos + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
          return syntax(s, "unpaired \\u surrogate");
        s->pos += 6;
        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
      }
      if (u < 0x80) {
        PUT(u);
      } else if (u < 0x800) {
        PUT(0xC0 | (u >> 6));
        PUT(0x80 | (u & 0x3F));
      } else if (u < 0x10000) {
        PUT(0xE0 | (u >> 12));
        PUT(0x80 | ((u >> 6) & 0x3F));
        PUT(0x80 | (u & 0x3F));
      } else {
        PUT(0xF0 | (u >> 18));
        PUT(0x80 | ((u >> 12) & 0x3F));
        PUT(0x80 | ((u >> 6) & 0x3F));
        PUT(0x80 | (u & 0x3F));
      }
      continue;
    }
    size_t k = utf8_len((const unsigned char *)s->text + s->pos, s->len - s->pos);
    if (k == 0) return syntax(s, "invalid UTF-8 inside a string");
    for (size_t i = 0; i < k; i++) PUT(s->text[s->pos + i]);
    s->pos += k;
  }
#undef PUT
  if (buf && cap) buf[o < cap ? o : cap - 1] = 0;
  if (n) *n = o;
  return SIM_OK;
}

int fit_scan_key(fit_scan *s, char *key, size_t cap, bool *more) {
  int rc = next(s, '}', more);
  if (rc || !*more) return rc;
  bool cut;
  if ((rc = read_string(s, key, cap, NULL, &cut))) return rc;
  if (cut && cap > 4) memcpy(key + cap - 4, "...", 4);
  ws(s);
  if (s->pos >= s->len || s->text[s->pos] != ':') return syntax(s, "expected ':'");
  s->pos++;
  ws(s);
  return SIM_OK;
}

int fit_scan_elem(fit_scan *s, bool *more) { return next(s, ']', more); }

int fit_scan_string(fit_scan *s, char *buf, size_t cap, size_t *n) {
  bool cut;
  size_t at = s->pos;
  int rc = read_string(s, buf, cap, n, &cut);
  if (!rc && cut) {
    s->pos = at;
    return sim_diag_set(s->d, SIM_ERR_RANGE, NULL, "string longer than %zu bytes",
                        cap - 1);
  }
  return rc;
}

int fit_scan_number(fit_scan *s, char *buf, size_t cap) {
  ws(s);
  size_t a = s->pos, p = a;
  const char *t = s->text;
#define DIG(i) ((i) < s->len && t[i] >= '0' && t[i] <= '9')
  if (p < s->len && t[p] == '-') p++;
  if (!DIG(p)) return syntax(s, "expected a number");
  if (t[p] == '0') p++;
  else while (DIG(p)) p++;
  if (p < s->len && t[p] == '.') {
    p++;
    if (!DIG(p)) return syntax(s, "expected digits after '.'");
    while (DIG(p)) p++;
  }
  if (p < s->len && (t[p] == 'e' || t[p] == 'E')) {
    p++;
    if (p < s->len && (t[p] == '+' || t[p] == '-')) p++;
    if (!DIG(p)) return syntax(s, "expected digits in the exponent");
    while (DIG(p)) p++;
  }
#undef DIG
  if (p - a + 1 > cap) return syntax(s, "number too long");
  memcpy(buf, t + a, p - a);
  buf[p - a] = 0;
  s->pos = p;
  return SIM_OK;
}

static int literal(fit_scan *s, const char *w) {
  size_t n = strlen(w);
  if (s->pos + n > s->len || memcmp(s->text + s->pos, w, n) != 0)
    return syntax(s, "invalid literal");
  s->pos += n;
  return SIM_OK;
}

int fit_scan_skip(fit_scan *s) {
  int base = s->depth;
  char num[400], key[8];
  for (;;) {
    int rc = SIM_OK;
    bool more, cut;
    switch (fit_scan_peek(s)) {
      case FIT_JSON_OBJECT:
      case FIT_JSON_ARRAY: rc = fit_scan_enter(s); break;
      case FIT_JSON_STRING: rc = read_string(s, NULL, 0, NULL, &cut); break;
      case FIT_JSON_NUMBER: rc = fit_scan_number(s, num, sizeof num); break;
      case FIT_JSON_TRUE: rc = literal(s, "true"); break;
      case FIT_JSON_FALSE: rc = literal(s, "false"); break;
      case FIT_JSON_NULL: rc = literal(s, "null"); break;
      default: return syntax(s, "expected a value");
    }
    if (rc) return rc;
    /* step to the next value still inside, closing finished containers */
    while (s->depth > base) {
      bool obj = (s->objmask >> (s->depth - 1)) & 1u;
      rc = obj ? fit_scan_key(s, key, sizeof key, &more) : fit_scan_elem(s, &more);
      if (rc) return rc;
      if (more) break;
    }
    if (s->depth == base) return SIM_OK;
  }
}

int fit_scan_finish(fit_scan *s) {
  ws(s);
  if (s->pos < s->len) return syntax(s, "unexpected data after the document");
  return SIM_OK;
}
