/*
 * cron.c — AWS EventBridge cron expressions for maintenance windows (O33).
 *
 * Parsing splits "cron(...)" into six white-space separated fields, then
 * reads each field as a comma list of items into a bitset relative to the
 * field's lowest value. Every error names the 1-based character position in
 * the whole string, what was expected and what was found.
 *
 * Decisions where AWS's reference is silent (Quartz behaviour, which the AWS
 * dialect is derived from, unless noted):
 *  - month/day names and the letters L, W are case-insensitive; the prefix
 *    "cron(" must be lower case (as every AWS example writes it);
 *  - white space around the fields inside the parentheses is ignored;
 *  - both day fields '?' is rejected (Quartz: "'?' can only be specified for
 *    Day-of-Month -OR- Day-of-Week");
 *  - day-of-month also takes "LW" (last weekday), "L-n" (n = 0..30 days
 *    before the last day) and "L-nW"; "nW" is for a single day only;
 *  - 'L' forms, 'W' and '#' must be the only expression in their field (AWS
 *    states this for '#' only);
 *  - 'L' alone in day-of-week means 7 = SAT every week, "nL" the last day n
 *    of the month, "n#k" takes k = 1..5, and a month without a k-th such
 *    day has no occurrence;
 *  - "nW" stays inside the month: a Saturday 1st moves to Monday 3rd, a
 *    Sunday last day to the Friday before; a month shorter than n days (and
 *    "L-n" before day 1) has no occurrence;
 *  - ranges wrap for minutes, hours, day-of-month, month and day-of-week
 *    (AWS's own example uses hours "20-2"; Quartz wraps too) but not for
 *    years. Fields stay independent: with "20-2 ? * MON-FRI" Friday 20:00
 *    matches but Saturday 01:00 does not, although AWS's prose for that
 *    example says "to 2:00 am on the following day";
 *  - "a/s" runs from a to the field's top; a step is 1..59 minutes,
 *    1..23 hours, 1..31 days, 1..12 months (Quartz's bounds), 1..229 years;
 *  - a well-formed expression that can never fire ("cron(0 0 30 FEB ? *)")
 *    is accepted; model_cron_next() then reports no occurrence.
 */
#include "cron.h"

#include "calendar.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* -------------------------------------------------------------- fields --- */

enum { F_MIN, F_HOUR, F_DOM, F_MONTH, F_DOW, F_YEAR, N_FIELDS };

/* What a field accepts beyond numbers, ',', '-' and '*'. */
enum {
  ALLOW_STEP = 1u << 0, /* '/' */
  ALLOW_ANY = 1u << 1,  /* '?' */
  ALLOW_WRAP = 1u << 2, /* "a-b" with a > b runs through the top */
  ALLOW_DOM = 1u << 3,  /* 'L', "LW", "L-n", "nW" */
  ALLOW_DOW = 1u << 4   /* 'L', "nL", "n#k" */
};

static const char *const month_names[] = {"JAN", "FEB", "MAR", "APR",
                                          "MAY", "JUN", "JUL", "AUG",
                                          "SEP", "OCT", "NOV", "DEC"};
static const char *const day_names[] = {"SUN", "MON", "TUE", "WED",
                                        "THU", "FRI", "SAT"};

static const struct field {
  const char *name;         /* as in messages: "the end of the hours field" */
  const char *what;         /* what a value is: "an hour 0-23" */
  int lo, hi;               /* value range */
  int max_step;             /* largest step after '/' (0: no '/') */
  const char *const *names; /* names of lo, lo+1, ... (NULL: numbers only) */
  unsigned allow;           /* ALLOW_* */
} fields[N_FIELDS] = {
  {"minutes", "a minute 0-59", 0, 59, 59, NULL, ALLOW_STEP | ALLOW_WRAP},
  {"hours", "an hour 0-23", 0, 23, 23, NULL, ALLOW_STEP | ALLOW_WRAP},
  {"day-of-month", "a day of month 1-31", 1, 31, 31, NULL,
   ALLOW_STEP | ALLOW_ANY | ALLOW_WRAP | ALLOW_DOM},
  {"month", "a month 1-12 or JAN-DEC", 1, 12, 12, month_names,
   ALLOW_STEP | ALLOW_WRAP},
  {"day-of-week", "a day of week 1-7 or SUN-SAT", 1, 7, 0, day_names,
   ALLOW_ANY | ALLOW_WRAP | ALLOW_DOW},
  {"year", "a year 1970-2199", MODEL_CRON_YEAR_MIN, MODEL_CRON_YEAR_MAX, 229,
   NULL, ALLOW_STEP},
};

#define FIELD_LIST "minutes hours day-of-month month day-of-week year"

/* One parsed field. */
typedef struct field_val {
  uint64_t bits[4];      /* bit v - lo set: value v matches (lists only) */
  bool any;              /* the field is '?' */
  model_cron_days kind;  /* DAYS_DOM / DAYS_DOW for a plain list, else the rule */
  int day;               /* "nW", "nL", "n#k": n */
  int offset;            /* "L-n": n */
  bool weekday;          /* "LW", "L-nW" */
  int nth;               /* "n#k": k */
} field_val;

/* ---------------------------------------------------------- dates (UTC) --- */

static int64_t floor_div(int64_t a, int64_t b) { /* b > 0 */
  int64_t q = a / b;
  return (a % b < 0) ? q - 1 : q;
}

/* Day of week of a day number (days since 1970-01-01, a Thursday):
 * 1 = SUN .. 7 = SAT, the cron numbering. */
static int weekday(int64_t days) { return (int)((days % 7 + 7 + 4) % 7) + 1; }

/* ------------------------------------------------------------- parsing --- */

typedef struct parser {
  const char *s;             /* the whole expression */
  const struct field *f;     /* field being read, or NULL */
  size_t fend;               /* index one past that field's text */
  sim_diag *d;               /* may be NULL */
  const char *path;          /* JSON path for d, may be NULL */
} parser;

static bool is_ws(char c) { return c == ' ' || c == '\t'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
static bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
static char upper(char c) { return c >= 'a' && c <= 'z' ? (char)(c - 32) : c; }

/* Length of the run of letters and digits at s (at least 1 unless at NUL:
 * a lone punctuation character is its own token). */
static size_t token_len(const char *s) {
  size_t n = 0;
  if (!*s)
    return 0;
  if (!is_alnum(*s))
    return 1;
  while (is_alnum(s[n]))
    n++;
  return n;
}

/* Record "invalid cron expression at position P: expected X, got Y" and
 * return SIM_ERR_RANGE. `got_len` characters from `pos` are quoted as Y; 0
 * means the token at pos, or "end of expression" / "the end of the F field"
 * when there is none. */
static int fail(const parser *P, size_t pos, size_t got_len, const char *fmt,
                ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int fail(const parser *P, size_t pos, size_t got_len, const char *fmt,
                ...) {
  char want[256], got[96];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(want, sizeof want, fmt, ap);
  va_end(ap);
  if (got_len == 0 && P->f && pos >= P->fend)
    snprintf(got, sizeof got, "the end of the %s field", P->f->name);
  else {
    if (got_len == 0)
      got_len = token_len(P->s + pos);
    if (got_len == 0)
      snprintf(got, sizeof got, "end of expression");
    else if (got_len > 40)
      snprintf(got, sizeof got, "'%.37s...'", P->s + pos);
    else
      snprintf(got, sizeof got, "'%.*s'", (int)got_len, P->s + pos);
  }
  return sim_diag_set(P->d, SIM_ERR_RANGE, P->path,
                      "invalid cron expression at position %zu: expected %s, "
                      "got %s", pos + 1, want, got);
}

/* Digits at *q as a number (capped so it cannot overflow); advances *q.
 * Returns false when *q is not a digit. */
static bool read_number(const char *s, size_t *q, int *out) {
  size_t i = *q;
  long v = 0;
  if (!is_digit(s[i]))
    return false;
  while (is_digit(s[i])) {
    if (v < 100000)
      v = v * 10 + (s[i] - '0');
    i++;
  }
  *q = i;
  *out = (int)v;
  return true;
}

/* A bounded number after a marker ("/", "#", "L-"), with no letters glued
 * to it. `what` describes it in the error ("a step 1-59"). */
static int read_bounded(const parser *P, size_t *q, int lo, int hi, int *out,
                        const char *what) {
  size_t st = *q;
  int v;
  if (!read_number(P->s, q, &v) || is_alnum(P->s[*q]) || v < lo || v > hi)
    return fail(P, st, 0, "%s", what);
  *out = v;
  return SIM_OK;
}

/* A field value at *q: digits or, where the field has names, a three-letter
 * name (any case). A letter glued after it is allowed only if it is in
 * `suffixes` and ends the token ("6L", "15W"); otherwise the whole token is
 * reported as the bad value. */
static int read_value(const parser *P, size_t *q, const char *suffixes,
                      int *out) {
  const struct field *f = P->f;
  const char *s = P->s;
  size_t st = *q, i = st;
  int v = -1;
  if (is_digit(s[i])) {
    read_number(s, &i, &v);
  } else if (f->names && is_alpha(s[i])) {
    for (int k = 0; k <= f->hi - f->lo; k++) {
      const char *nm = f->names[k];
      if (upper(s[i]) == nm[0] && upper(s[i + 1]) == nm[1] &&
          upper(s[i + 2]) == nm[2]) {
        v = f->lo + k;
        i += 3;
        break;
      }
    }
  }
  if (v < 0)
    return fail(P, st, 0, "%s", f->what);
  if (is_alnum(s[i]) &&
      !(strchr(suffixes, upper(s[i])) && !is_alnum(s[i + 1])))
    return fail(P, st, token_len(s + st), "%s", f->what);
  if (v < f->lo || v > f->hi)
    return fail(P, st, 0, "%s", f->what);
  *q = i;
  *out = v;
  return SIM_OK;
}

static void set_bit(uint64_t bits[4], int i) {
  bits[i / 64] |= UINT64_C(1) << (i % 64);
}

/* Values a..b (wrapping through the top when a > b) every `step`. */
static void add_range(field_val *r, const struct field *f, int a, int b,
                      int step) {
  const int span = f->hi - f->lo + 1;
  const int len = b >= a ? b - a : b - a + span;
  for (int k = 0; k <= len; k += step)
    set_bit(r->bits, (a - f->lo + k) % span);
}

/* What may follow at a point of an item, for messages:
 * "'-', '/', ',' or the end of the minutes field". */
static const char *follow_text(const struct field *f, bool range, bool step,
                               bool suffix, char *buf, size_t n) {
  char parts[64] = "";
  if (range)
    strcat(parts, "'-', ");
  if (step && (f->allow & ALLOW_STEP))
    strcat(parts, "'/', ");
  if (suffix && (f->allow & ALLOW_DOW))
    strcat(parts, "'L', '#', ");
  if (suffix && (f->allow & ALLOW_DOM))
    strcat(parts, "'W', ");
  snprintf(buf, n, "%s',' or the end of the %s field", parts, f->name);
  return buf;
}

/* One comma-list item at *q; leaves *q at the ',' or the field end.
 * *special is set for 'L', 'W' and '#' forms (which must stand alone). */
static int parse_item(const parser *P, size_t *q, field_val *r,
                      bool *special) {
  const struct field *f = P->f;
  const char *s = P->s;
  size_t i = *q;
  char fb[160];
  int rc, a, b, step = 1;
  bool ranged = false, can_step = true;

  *special = false;
  if (s[i] == '?') {
    if (f->allow & ALLOW_ANY)
      return fail(P, i, P->fend - i, "'?' alone in the %s field", f->name);
    return fail(P, i, 0, "%s ('?' is only for day-of-month and day-of-week)",
                f->what);
  }
  if (s[i] == '*') {
    i++;
    a = f->lo;
    b = f->hi;
    ranged = true;
  } else if ((f->allow & ALLOW_DOM) && upper(s[i]) == 'L' &&
             (s[i + 1] == '-' || upper(s[i + 1]) == 'W' ||
              !is_alnum(s[i + 1]))) {
    /* "L", "L-n", "LW", "L-nW" */
    i++;
    r->kind = MODEL_CRON_DAYS_LAST;
    r->offset = 0;
    if (s[i] == '-') {
      i++;
      size_t st = i;
      if (!read_number(s, &i, &r->offset) || r->offset > 30 ||
          (is_alnum(s[i]) && !(upper(s[i]) == 'W' && !is_alnum(s[i + 1]))))
        return fail(P, st, 0, "an offset 0-30 days after 'L-'");
    }
    if (upper(s[i]) == 'W') {
      r->weekday = true;
      i++;
    }
    if (is_alnum(s[i]))
      return fail(P, *q, token_len(s + *q), "%s", f->what);
    *special = true;
    can_step = false;
    goto done;
  } else if ((f->allow & ALLOW_DOW) && upper(s[i]) == 'L' &&
             !is_alnum(s[i + 1])) {
    /* "L" alone: the last day of the week, Saturday (Quartz) */
    i++;
    set_bit(r->bits, 7 - f->lo);
    *special = true;
    can_step = false;
    goto done;
  } else {
    const char *sfx = (f->allow & ALLOW_DOM) ? "W"
                      : (f->allow & ALLOW_DOW) ? "L" : "";
    if ((rc = read_value(P, &i, sfx, &a)) != SIM_OK)
      return rc;
    if ((f->allow & ALLOW_DOM) && upper(s[i]) == 'W') { /* "nW" */
      i++;
      r->kind = MODEL_CRON_DAYS_WEEKDAY;
      r->day = a;
      *special = true;
      can_step = false;
      goto done;
    }
    if ((f->allow & ALLOW_DOW) && upper(s[i]) == 'L') { /* "nL" */
      i++;
      r->kind = MODEL_CRON_DAYS_LAST_DOW;
      r->day = a;
      *special = true;
      can_step = false;
      goto done;
    }
    if ((f->allow & ALLOW_DOW) && s[i] == '#') { /* "n#k" */
      i++;
      if ((rc = read_bounded(P, &i, 1, 5, &r->nth,
                             "an occurrence 1-5 after '#'")) != SIM_OK)
        return rc;
      r->kind = MODEL_CRON_DAYS_NTH_DOW;
      r->day = a;
      *special = true;
      can_step = false;
      goto done;
    }
    b = a;
    if (s[i] == '-') {
      size_t st = *q;
      i++;
      if ((rc = read_value(P, &i, "", &b)) != SIM_OK)
        return rc;
      if (b < a && !(f->allow & ALLOW_WRAP))
        return fail(P, st, i - st, "a %s range from low to high (%s ranges "
                    "do not wrap)", f->name, f->name);
      ranged = true;
    }
  }
  if (s[i] == '/' && (f->allow & ALLOW_STEP)) {
    char what[48];
    i++;
    snprintf(what, sizeof what, "a step 1-%d", f->max_step);
    if ((rc = read_bounded(P, &i, 1, f->max_step, &step, what)) != SIM_OK)
      return rc;
    if (!ranged)
      b = f->hi; /* "a/s": from a to the top */
    ranged = true;
    can_step = false;
  }
  add_range(r, f, a, b, step);
  if (i < P->fend && s[i] != ',')
    return fail(P, i, 0, "%s",
                follow_text(f, !ranged, can_step, !ranged && s[*q] != '*',
                            fb, sizeof fb));
  *q = i;
  return SIM_OK;

done:
  if (i < P->fend && s[i] != ',')
    return fail(P, i, 0, "%s", follow_text(f, false, can_step, false, fb,
                                            sizeof fb));
  *q = i;
  return SIM_OK;
}

/* Field text [b, e) into *r. */
static int parse_field(parser *P, int fi, size_t b, size_t e, field_val *r) {
  const struct field *f = &fields[fi];
  size_t i = b;
  int items = 0;
  bool special = false, any_special = false;

  P->f = f;
  P->fend = e;
  memset(r, 0, sizeof *r);
  r->kind = fi == F_DOW ? MODEL_CRON_DAYS_DOW : MODEL_CRON_DAYS_DOM;
  if (e - b == 1 && P->s[b] == '?' && (f->allow & ALLOW_ANY)) {
    r->any = true;
    return SIM_OK;
  }
  for (;;) {
    int rc = parse_item(P, &i, r, &special);
    if (rc != SIM_OK)
      return rc;
    items++;
    any_special = any_special || special;
    if (i == e)
      break;
    i++; /* the ',' */
  }
  if (any_special && items > 1)
    return fail(P, b, e - b, "only one %s expression when %s is used",
                f->name, fi == F_DOW ? "'L' or '#'" : "'L' or 'W'");
  return SIM_OK;
}

static int parse(parser *P, model_cron *c) {
  const char *s = P->s;
  size_t starts[N_FIELDS + 1], ends[N_FIELDS];
  field_val v[N_FIELDS];
  int n = 0;

  if (strncmp(s, "cron(", 5) != 0) {
    size_t k = 0;
    while (s[k] && !is_ws(s[k]) && s[k] != '(')
      k++;
    if (s[k] == '(')
      k++;
    return fail(P, 0, k, "'cron('");
  }
  const char *rp = strchr(s + 5, ')');
  if (!rp)
    return fail(P, strlen(s), 0, "')' to close the expression");
  if (rp[1])
    return fail(P, (size_t)(rp - s) + 1, 0, "the end of the expression after "
                "')'");
  const size_t close = (size_t)(rp - s);

  /* Split the body into fields; count them all for the message. */
  for (size_t i = 5;;) {
    while (i < close && is_ws(s[i]))
      i++;
    if (i >= close)
      break;
    if (n <= N_FIELDS)
      starts[n] = i;
    while (i < close && !is_ws(s[i]))
      i++;
    if (n < N_FIELDS)
      ends[n] = i;
    n++;
  }
  if (n != N_FIELDS)
    return sim_diag_set(P->d, SIM_ERR_RANGE, P->path,
                        "invalid cron expression at position %zu: expected 6 "
                        "fields (" FIELD_LIST "), got %d",
                        (n < N_FIELDS ? close : starts[N_FIELDS]) + 1, n);
  for (int fi = 0; fi < N_FIELDS; fi++) {
    int rc = parse_field(P, fi, starts[fi], ends[fi], &v[fi]);
    if (rc != SIM_OK)
      return rc;
  }
  P->f = NULL;

  /* AWS: a value or '*' in one day field needs '?' in the other. */
  if (v[F_DOM].any && v[F_DOW].any)
    return fail(P, starts[F_DOW], 1, "a day of week 1-7 or SUN-SAT, since "
                "day-of-month is '?' (only one of them may be '?')");
  if (!v[F_DOM].any && !v[F_DOW].any)
    return fail(P, starts[F_DOW], ends[F_DOW] - starts[F_DOW],
                "'?' in day-of-week, since day-of-month is given (AWS does "
                "not allow both)");

  c->minutes = v[F_MIN].bits[0];
  c->hours = (uint32_t)v[F_HOUR].bits[0];
  c->dom = (uint32_t)(v[F_DOM].bits[0] << 1);
  c->months = (uint16_t)(v[F_MONTH].bits[0] << 1);
  c->dow = (uint8_t)(v[F_DOW].bits[0] << 1);
  memcpy(c->years, v[F_YEAR].bits, sizeof c->years);
  if (v[F_DOM].any) {
    c->days = v[F_DOW].kind;
    c->dow_day = v[F_DOW].day;
    c->dow_nth = v[F_DOW].nth;
  } else {
    c->days = v[F_DOM].kind;
    c->dom_day = v[F_DOM].day;
    c->dom_offset = v[F_DOM].offset;
    c->dom_weekday = v[F_DOM].weekday;
  }
  return SIM_OK;
}

static bool search_next(const model_cron *c, int64_t after_epoch_ms, int64_t *next);
static bool search_prev(const model_cron *c, int64_t before_epoch_ms, int64_t *prev);

int model_cron_parse(model_cron *out, const char *expr, sim_diag *d,
                     const char *path) {
  model_cron c;
  parser P = {expr ? expr : "", NULL, 0, d, path};
  memset(&c, 0, sizeof c);
  int rc = parse(&P, &c);
  if (rc == SIM_OK) {   /* the bounds: every later search starts from them */
    const int64_t end = sim_days_from_civil(MODEL_CRON_YEAR_MAX + 1, 1, 1) * SIM_MS_PER_D;
    c.fires = search_next(&c, -1, &c.first_ms) && search_prev(&c, end, &c.last_ms);
  }
  *out = c;
  if (rc != SIM_OK)
    memset(out, 0, sizeof *out);
  return rc;
}

/* ---------------------------------------------------------- next match --- */

static int lowest_bit(uint64_t x) { /* x != 0 */
#if defined(__GNUC__)
  return __builtin_ctzll(x);
#else
  int n = 0;
  while (!(x & 1)) {
    x >>= 1;
    n++;
  }
  return n;
#endif
}

/* Smallest set bit >= from in `set`, or -1. */
static int next_bit(uint64_t set, int from) {
  if (from > 63)
    return -1;
  set &= ~UINT64_C(0) << from;
  return set ? lowest_bit(set) : -1;
}

/* Saturday moves back a day and Sunday forward, never leaving the month. */
static int nearest_weekday(int day, int ndays, int wd) {
  if (wd == 7)
    return day == 1 ? 3 : day - 1;
  if (wd == 1)
    return day == ndays ? day - 2 : day + 1;
  return day;
}

/* Matching days of month y/m as bits 1..31. */
static uint64_t month_days(const model_cron *c, int y, int m) {
  const int nd = (int)sim_days_in_month(y, (unsigned)m);
  const int64_t day1 = sim_days_from_civil(y, (unsigned)m, 1);
  const int wd1 = weekday(day1); /* day of week of the 1st */
  uint64_t r = 0;
  int t;

  switch (c->days) {
  case MODEL_CRON_DAYS_DOM:
    return c->dom & (((UINT64_C(1) << nd) - 1) << 1);
  case MODEL_CRON_DAYS_DOW:
    for (int d = 1; d <= nd; d++)
      if (c->dow >> ((wd1 - 1 + d - 1) % 7 + 1) & 1)
        r |= UINT64_C(1) << d;
    return r;
  case MODEL_CRON_DAYS_LAST:
    t = nd - c->dom_offset;
    if (t < 1)
      return 0;
    if (c->dom_weekday)
      t = nearest_weekday(t, nd, (wd1 - 1 + t - 1) % 7 + 1);
    return UINT64_C(1) << t;
  case MODEL_CRON_DAYS_WEEKDAY:
    t = c->dom_day;
    if (t > nd)
      return 0;
    t = nearest_weekday(t, nd, (wd1 - 1 + t - 1) % 7 + 1);
    return UINT64_C(1) << t;
  case MODEL_CRON_DAYS_LAST_DOW:
    t = nd - ((wd1 - 1 + nd - 1) % 7 + 1 - c->dow_day + 7) % 7;
    return UINT64_C(1) << t;
  case MODEL_CRON_DAYS_NTH_DOW:
    t = 1 + (c->dow_day - wd1 + 7) % 7 + 7 * (c->dow_nth - 1);
    return t > nd ? 0 : UINT64_C(1) << t;
  }
  SIM_ASSERT(0 && "unknown day rule");
  return 0;
}

static bool has_year(const model_cron *c, int y) {
  const int i = y - MODEL_CRON_YEAR_MIN;
  return i >= 0 && (c->years[i / 64] >> (i % 64) & 1);
}

/* Largest set bit <= from in `set`, or -1. */
static int prev_bit(uint64_t set, int from) {
  if (from < 0)
    return -1;
  if (from < 63)
    set &= (UINT64_C(1) << (from + 1)) - 1;
  if (!set)
    return -1;
#if defined(__GNUC__)
  return 63 - __builtin_clzll(set);
#else
  int n = 63;
  while (!(set >> n & 1))
    n--;
  return n;
#endif
}

bool model_cron_next(const model_cron *c, int64_t after_epoch_ms,
                     int64_t *next_epoch_ms) {
  if (!c->fires || after_epoch_ms >= c->last_ms)
    return false;
  if (after_epoch_ms < c->first_ms) {
    *next_epoch_ms = c->first_ms;
    return true;
  }
  return search_next(c, after_epoch_ms, next_epoch_ms);
}

/* The last occurrence strictly before `before_epoch_ms`: model_cron_next's
 * search, backwards. */
static bool search_prev(const model_cron *c, int64_t before_epoch_ms, int64_t *prev) {
  const int64_t end_day = sim_days_from_civil(MODEL_CRON_YEAR_MAX + 1, 1, 1);
  int64_t minute = floor_div(before_epoch_ms - 1, SIM_MS_PER_MIN);
  if (minute < 0)
    return false;
  if (minute >= end_day * 1440)
    minute = end_day * 1440 - 1;
  const int64_t day0 = floor_div(minute, 1440);
  int y;
  unsigned um, ud;
  sim_civil_from_days(day0, &y, &um, &ud);
  int mo = (int)um, d = (int)ud;
  int h = (int)(minute - day0 * 1440) / 60, mi = (int)(minute - day0 * 1440) % 60;

  while (y >= MODEL_CRON_YEAR_MIN) {
    int m2;
    if (!has_year(c, y) || (m2 = prev_bit(c->months, mo)) < 1) {
      y--, mo = 12, d = 31, h = 23, mi = 59;
      continue;
    }
    if (m2 != mo)
      mo = m2, d = 31, h = 23, mi = 59;
    const uint64_t days = month_days(c, y, mo);
    for (;;) {
      int d2 = prev_bit(days, d), h2, m3;
      if (d2 < 1)
        break;
      if (d2 != d)
        d = d2, h = 23, mi = 59;
      if ((h2 = prev_bit(c->hours, h)) < 0) {
        d--, h = 23, mi = 59;
        continue;
      }
      if (h2 != h)
        h = h2, mi = 59;
      if ((m3 = prev_bit(c->minutes, mi)) < 0) {
        h--, mi = 59;
        if (h < 0)
          d--, h = 23;
        continue;
      }
      *prev = ((sim_days_from_civil(y, (unsigned)mo, (unsigned)d) * 24 + h) * 60 + m3) *
              SIM_MS_PER_MIN;
      return true;
    }
    if (--mo < 1)
      y--, mo = 12;
    d = 31, h = 23, mi = 59;
  }
  return false;
}

static bool search_next(const model_cron *c, int64_t after_epoch_ms,
                        int64_t *next_epoch_ms) {
  const int64_t end_day = sim_days_from_civil(MODEL_CRON_YEAR_MAX + 1, 1, 1);
  int64_t minute = floor_div(after_epoch_ms, SIM_MS_PER_MIN) + 1;
  if (minute < 0)
    minute = 0;
  const int64_t day0 = floor_div(minute, 1440);
  if (day0 >= end_day)
    return false;
  int y;
  unsigned um, ud;
  sim_civil_from_days(day0, &y, &um, &ud);
  int mo = (int)um, d = (int)ud;
  int h = (int)(minute - day0 * 1440) / 60, mi = (int)(minute - day0 * 1440) % 60;

  while (y <= MODEL_CRON_YEAR_MAX) {
    int m2;
    if (!has_year(c, y) || (m2 = next_bit(c->months, mo)) < 0) {
      y++, mo = 1, d = 1, h = 0, mi = 0;
      continue;
    }
    if (m2 != mo)
      mo = m2, d = 1, h = 0, mi = 0;
    const uint64_t days = month_days(c, y, mo);
    for (;;) {
      int d2 = next_bit(days, d), h2, m3;
      if (d2 < 0)
        break;
      if (d2 != d)
        d = d2, h = 0, mi = 0;
      if ((h2 = next_bit(c->hours, h)) < 0) {
        d++, h = 0, mi = 0;
        continue;
      }
      if (h2 != h)
        h = h2, mi = 0;
      if ((m3 = next_bit(c->minutes, mi)) < 0) {
        h++, mi = 0;
        continue;
      }
      *next_epoch_ms =
          ((sim_days_from_civil(y, (unsigned)mo, (unsigned)d) * 24 + h) * 60 + m3) *
          SIM_MS_PER_MIN;
      return true;
    }
    if (++mo > 12)
      y++, mo = 1;
    d = 1, h = 0, mi = 0;
  }
  return false;
}

/* ------------------------------------------------------------- display --- */

void model_cron_format_time(int64_t epoch_ms, char *buf, size_t n) {
  if (!buf || n == 0)
    return;
  const int64_t minute = floor_div(epoch_ms, SIM_MS_PER_MIN);
  const int64_t day = floor_div(minute, 1440);
  const int mod = (int)(minute - day * 1440);
  int y;
  unsigned m, d;
  sim_civil_from_days(day, &y, &m, &d);
  snprintf(buf, n, "%04d-%02u-%02uT%02d:%02d", y, m, d, mod / 60, mod % 60);
}
