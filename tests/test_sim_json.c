/*
 * test_sim_json.c — document parsing (BOM, empty, trailing data, depth,
 * UTF-8, line:column messages), the path-aware typed readers and their exact
 * messages, object checks, file reading, double formatting, and the sim.c
 * vocabulary they rely on (status text, diagnostics, path building).
 */
#include "test_common.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json.h"

/* ---------------------------------------------------------- sim.c bits --- */

static void test_status_text(void **state)
{
  (void)state;
  assert_string_equal(sim_strerror(SIM_OK), "success");
  assert_string_equal(sim_strerror(SIM_ERR_NOMEM), "out of memory");
  assert_string_equal(sim_strerror(SIM_ERR_INTR), "interrupted");
  assert_string_equal(sim_strerror(-99), "unknown error");
  assert_string_equal(sim_errname(SIM_OK), "SIM_OK");
  assert_string_equal(sim_errname(SIM_ERR_SCHEMA), "SIM_ERR_SCHEMA");
  assert_string_equal(sim_errname(SIM_ERR_LIMIT), "SIM_ERR_LIMIT");
  assert_string_equal(sim_errname(42), "SIM_ERR_UNKNOWN");
}

static void test_diag(void **state)
{
  char buf[600];
  sim_diag d;

  (void)state;
  sim_diag_init(&d, "scenarios/canary.json");
  assert_int_equal(d.code, SIM_OK);
  assert_string_equal(d.file, "scenarios/canary.json");
  sim_diag_format(&d, buf, sizeof buf);
  assert_string_equal(buf, "scenarios/canary.json");
  assert_int_equal(sim_diag_set(&d, SIM_ERR_RANGE, "$.rollout.max",
                                "expected an integer from %d to %d", 1, 1000),
                   SIM_ERR_RANGE);
  sim_diag_format(&d, buf, sizeof buf);
  assert_string_equal(buf, "scenarios/canary.json: $.rollout.max: expected an "
                           "integer from 1 to 1000");
  sim_diag_format(&d, buf, 12);
  assert_string_equal(buf, "scenarios/c");
  /* the latest call replaces the previous; arguments may alias d */
  sim_diag_set(&d, SIM_ERR_IO, d.path, "again: %s", d.msg);
  assert_string_equal(d.path, "$.rollout.max");
  assert_string_equal(d.msg, "again: expected an integer from 1 to 1000");
  sim_diag_init(&d, NULL);
  assert_string_equal(d.file, "");
  sim_diag_set(&d, SIM_ERR_NOMEM, NULL, "%s", "");
  sim_diag_format(&d, buf, sizeof buf);
  assert_string_equal(buf, "out of memory");
}

static void test_paths(void **state)
{
  char p[64], small[8];

  (void)state;
  sim_path_key(p, sizeof p, "$.a", "b");
  assert_string_equal(p, "$.a.b");
  sim_path_index(p, sizeof p, "$.a", 3);
  assert_string_equal(p, "$.a[3]");
  sim_path_key(p, sizeof p, NULL, "x");
  assert_string_equal(p, "$.x");
  sim_path_index(p, sizeof p, "", 0);
  assert_string_equal(p, "$[0]");
  /* in place */
  sim_path_key(p, sizeof p, p, "y");
  assert_string_equal(p, "$[0].y");
  sim_path_index(p, sizeof p, p, 12);
  assert_string_equal(p, "$[0].y[12]");
  /* truncation is safe */
  sim_path_key(small, sizeof small, "$.abcdef", "ghi");
  assert_string_equal(small, "$.abcde");
  sim_path_index(small, sizeof small, "$.ab", 123456);
  assert_string_equal(small, "$.ab[12");
}

/* ------------------------------------------------------------- parsing --- */

static int parse(const char *text, size_t len, cJSON **out, sim_diag *d)
{
  sim_diag_init(d, "t.json");
  return sim_json_parse(text, len, out, d);
}

static void expect_parse_error(const char *text, size_t len, const char *msg)
{
  cJSON *j = (cJSON *)1;
  sim_diag d;

  print_message("parse error case: %s\n", msg);
  assert_int_equal(parse(text, len, &j, &d), SIM_ERR_PARSE);
  assert_null(j);
  assert_int_equal(d.code, SIM_ERR_PARSE);
  assert_string_equal(d.path, "");
  assert_string_equal(d.file, "t.json");
  assert_string_equal(d.msg, msg);
}

#define EXPECT(text, msg) expect_parse_error(text, sizeof(text) - 1, msg)

static void test_parse_ok(void **state)
{
  const char *text = "  {\"a\": [1, 2, {\"b\": \"\xc3\xa9\"}]}\n\n";
  cJSON *j = NULL;
  sim_diag d;

  (void)state;
  assert_int_equal(parse(text, strlen(text), &j, &d), SIM_OK);
  assert_non_null(j);
  assert_true(cJSON_IsObject(j));
  cJSON_Delete(j);
  /* no NUL needed at text[len] */
  assert_int_equal(parse("[1]xyz", 3, &j, &d), SIM_OK);
  assert_int_equal(cJSON_GetArraySize(j), 1);
  cJSON_Delete(j);
  assert_int_equal(parse("12", 2, &j, &d), SIM_OK);
  cJSON_Delete(j);
}

static void test_parse_errors(void **state)
{
  (void)state;
  EXPECT("", "empty document");
  EXPECT(" \n\t\r ", "empty document");
  expect_parse_error(NULL, 0, "empty document");
  EXPECT("\xEF\xBB\xBF{}",
         "file starts with a UTF-8 byte order mark; save it without BOM");
  EXPECT("{\"a\":1} x", "unexpected data after the JSON value at line 1, "
                        "column 9");
  EXPECT("{}\n\n  {}", "unexpected data after the JSON value at line 3, "
                       "column 3");
  EXPECT("{\"a\":1,\n \"b\": tru}", "invalid JSON at line 2, column 7");
  EXPECT("[1,\n 2,\n  x]", "invalid JSON at line 3, column 3");
  EXPECT("{\"a\" 1}", "invalid JSON at line 1, column 6");
  EXPECT("{\"\xc3\xa9\xc3\xa9\" 1}", "invalid JSON at line 1, column 7");
  /* a trailing comma: reported where the comma is, and named */
  EXPECT("{\"a\":1,}", "invalid JSON at line 1, column 7: trailing comma before "
                       "'}' (JSON allows none)");
  EXPECT("[1, 2,", "unexpected end of input at line 1, column 7");
  EXPECT("{\"a\":\n\"abc", "unterminated string at line 2, column 1");
  EXPECT("[x, \"abc", "invalid JSON at line 1, column 2");
  EXPECT("{\"a\": {\"b\": [1, 2]\n",
         "unexpected end of input at line 2, column 1");
  EXPECT("[\"a\xff\"]", "invalid UTF-8 at byte offset 3 (line 1, column 4)");
  EXPECT("[\n\"\xc0\xaf\"]",   /* overlong '/' */
         "invalid UTF-8 at byte offset 3 (line 2, column 2)");
  EXPECT("[\"\xed\xa0\x80\"]", /* UTF-16 surrogate */
         "invalid UTF-8 at byte offset 2 (line 1, column 3)");
  EXPECT("[\"\xf4\x90\x80\x80\"]", /* above U+10FFFF */
         "invalid UTF-8 at byte offset 2 (line 1, column 3)");
  EXPECT("[\"\xe2\x82\"]", /* truncated sequence */
         "invalid UTF-8 at byte offset 2 (line 1, column 3)");
  EXPECT("[\"a\tb\"]", "control character in a string (write it as \\n, \\t "
                       "or \\u00XX) at line 1, column 4");
  EXPECT("[\"a\0b\"]", "control character in a string (write it as \\n, \\t "
                       "or \\u00XX) at line 1, column 4");
  EXPECT("[1]\0", "unexpected data after the JSON value at line 1, column 4");
}

/* open^depth mid close^depth, malloc'ed */
static char *nested(size_t depth, const char *open, const char *mid,
                    const char *close)
{
  size_t lo = strlen(open), lm = strlen(mid), lc = strlen(close), i;
  char *s = malloc(depth * (lo + lc) + lm + 1), *p = s;

  assert_non_null(s);
  for (i = 0; i < depth; i++, p += lo)
    memcpy(p, open, lo);
  memcpy(p, mid, lm);
  p += lm;
  for (i = 0; i < depth; i++, p += lc)
    memcpy(p, close, lc);
  *p = '\0';
  return s;
}

static void test_parse_depth(void **state)
{
  cJSON *j = NULL;
  sim_diag d;
  char *s;

  (void)state;
  s = nested(64, "[", "", "]");
  assert_int_equal(parse(s, strlen(s), &j, &d), SIM_OK);
  cJSON_Delete(j);
  free(s);
  s = nested(64, "{\"k\":", "1", "}");
  assert_int_equal(parse(s, strlen(s), &j, &d), SIM_OK);
  cJSON_Delete(j);
  free(s);
  s = nested(65, "[", "", "]");
  assert_int_equal(parse(s, strlen(s), &j, &d), SIM_ERR_PARSE);
  assert_null(j);
  assert_string_equal(d.msg, "nesting deeper than 64 levels at line 1, "
                             "column 65");
  free(s);
  /* far deeper than any stack would take: rejected by the pre-scan */
  s = nested(1000000, "{\"a\":[", "", "]}");
  assert_int_equal(parse(s, strlen(s), &j, &d), SIM_ERR_PARSE);
  assert_string_equal(d.msg, "nesting deeper than 64 levels at line 1, "
                             "column 193");
  free(s);
  /* brackets inside strings do not count */
  s = nested(100, "[", "", "]");
  {
    char doc[300];

    snprintf(doc, sizeof doc, "{\"s\": \"%s\\\"[[[\"}", s);
    assert_int_equal(parse(doc, strlen(doc), &j, &d), SIM_OK);
    assert_string_equal(cJSON_GetObjectItem(j, "s")->valuestring + 200,
                        "\"[[[");
    cJSON_Delete(j);
  }
  free(s);
}

/* ------------------------------------------------------------ readers --- */

static cJSON *doc(const char *text)
{
  cJSON *j = NULL;
  sim_diag d;

  sim_diag_init(&d, NULL);
  assert_int_equal(sim_json_parse(text, strlen(text), &j, &d), SIM_OK);
  return j;
}

#define ASSERT_DIAG(d, c, p, m)          \
  do {                                   \
    assert_int_equal((d).code, (c));     \
    assert_string_equal((d).path, (p));  \
    assert_string_equal((d).msg, (m));   \
  } while (0)

static void test_check_object(void **state)
{
  static const char *const allowed[] = {"a", "b", NULL};
  cJSON *j;
  sim_diag d;

  (void)state;
  sim_diag_init(&d, NULL);
  j = doc("{\"a\":1,\"b\":2}");
  assert_int_equal(sim_json_check_object(j, allowed, &d, "$.x"), SIM_OK);
  cJSON_Delete(j);
  j = doc("{\"a\":1,\"c\":2}");
  assert_int_equal(sim_json_check_object(j, allowed, &d, "$.x"),
                   SIM_ERR_SCHEMA);
  ASSERT_DIAG(d, SIM_ERR_SCHEMA, "$.x.c", "unknown field 'c'");
  /* NULL allowed list: any name, duplicates still caught */
  assert_int_equal(sim_json_check_object(j, NULL, &d, "$.x"), SIM_OK);
  cJSON_Delete(j);
  j = doc("{\"a\":1,\"b\":2,\"a\":3}");
  assert_int_equal(sim_json_check_object(j, allowed, &d, "$"), SIM_ERR_SCHEMA);
  ASSERT_DIAG(d, SIM_ERR_SCHEMA, "$.a", "duplicate field 'a'");
  assert_int_equal(sim_json_check_object(j, NULL, &d, "$"), SIM_ERR_SCHEMA);
  cJSON_Delete(j);
  j = doc("[1]");
  assert_int_equal(sim_json_check_object(j, allowed, &d, "$.x"),
                   SIM_ERR_SCHEMA);
  ASSERT_DIAG(d, SIM_ERR_SCHEMA, "$.x", "expected an object, got array");
  cJSON_Delete(j);
  j = doc("{\"A\":1}");
  assert_null(sim_json_get(j, "a"));
  assert_non_null(sim_json_get(j, "A"));
  assert_null(sim_json_get(NULL, "A"));
  cJSON_Delete(j);
}

/* Hostile input found by the bad-input catalogue and the fuzzers: big
 * objects (duplicates found by sorting, first repeat in document order),
 * huge member names (cut in paths and messages), control characters
 * (escaped when formatted), \u0000 and NaN/Infinity (rejected, with a
 * reason). */
static void test_hostile(void **state)
{
  char text[200000], buf[2048], key[200];
  size_t at = 0;
  cJSON *j;
  sim_diag d;

  (void)state;
  /* 5000 members; "m4000" repeats "m10", "m2000" repeats "m7": the repeat
   * that comes first in the document is reported */
  at += (size_t)snprintf(text + at, sizeof text - at, "{");
  for (int i = 0; i < 5000; i++)
    at += (size_t)snprintf(text + at, sizeof text - at, "%s\"m%d\":%d",
                           i ? "," : "", i == 4000 ? 10 : i == 2000 ? 7 : i, i);
  snprintf(text + at, sizeof text - at, "}");
  j = doc(text);
  sim_diag_init(&d, NULL);
  assert_int_equal(sim_json_check_object(j, NULL, &d, "$.b"), SIM_ERR_SCHEMA);
  ASSERT_DIAG(d, SIM_ERR_SCHEMA, "$.b.m7", "duplicate field 'm7'");
  cJSON_Delete(j);
  j = doc("{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,"
          "\"i\":9,\"j\":10,\"k\":11,\"l\":12,\"m\":13,\"n\":14,\"o\":15,"
          "\"p\":16,\"q\":17,\"r\":18,\"s\":19,\"t\":20,\"u\":21,\"v\":22,"
          "\"w\":23,\"x\":24,\"y\":25,\"z\":26,\"A\":27,\"B\":28,\"C\":29,"
          "\"D\":30,\"E\":31,\"F\":32,\"G\":33,\"H\":34}");
  assert_int_equal(sim_json_check_object(j, NULL, &d, "$"), SIM_OK);
  cJSON_Delete(j);
  /* a member name of 150 bytes: cut after 64 in the path and the message */
  memset(key, 'k', 150);
  key[150] = '\0';
  snprintf(text, sizeof text, "{\"%s\":1}", key);
  j = doc(text);
  assert_int_equal(sim_json_check_object(j, (const char *const[]){"a", NULL}, &d,
                                         "$"), SIM_ERR_SCHEMA);
  key[64] = '\0';
  snprintf(buf, sizeof buf, "$.%s...", key);
  assert_string_equal(d.path, buf);
  snprintf(buf, sizeof buf, "unknown field '%s...'", key);
  assert_string_equal(d.msg, buf);
  cJSON_Delete(j);
  /* control characters from the input are escaped when formatted */
  sim_diag_init(&d, "a\nb.json");
  sim_diag_set(&d, SIM_ERR_SCHEMA, "$.\x1b[2J", "unknown field '\x1b[2J\t'");
  sim_diag_format(&d, buf, sizeof buf);
  assert_string_equal(buf, "a\\nb.json: $.\\u001b[2J: unknown field "
                           "'\\u001b[2J\\t'");
  sim_diag_format(&d, buf, 16);   /* never cuts an escape in half */
  assert_string_equal(buf, "a\\nb.json: $.");
  /* \u0000 would cut a C string short: rejected */
  EXPECT("{\"jobId\": \"a\\u0000b\"}",
         "\\u0000 (a NUL character) in a string is not allowed at line 1, "
         "column 13");
  j = doc("[\"\\u0001\\\\u0000\"]");   /* an escaped backslash, then "u0000" */
  cJSON_Delete(j);
  EXPECT("{\"c\": NaN}",
         "invalid JSON (NaN and Infinity are not JSON numbers) at line 1, "
         "column 7");
  EXPECT("[-Infinity]",
         "invalid JSON (NaN and Infinity are not JSON numbers) at line 1, "
         "column 2");
}

static void test_int(void **state)
{
  cJSON *j = doc("{\"ok\": 42, \"neg\": -7, \"frac\": 2.5, \"s\": \"4\","
                 " \"big\": 9007199254740994, \"edge\": 9007199254740992,"
                 " \"exp\": 1e3, \"huge\": 1e300}");
  bool present = false;
  int64_t v = -1;
  sim_diag d;

  (void)state;
  sim_diag_init(&d, NULL);
  assert_int_equal(sim_json_int(j, "ok", true, 1, 1000, &v, &present, &d,
                                "$.r"), SIM_OK);
  assert_int_equal(v, 42);
  assert_true(present);
  assert_int_equal(sim_json_int(j, "exp", true, 1, 1000, &v, NULL, &d, "$.r"),
                   SIM_OK);
  assert_int_equal(v, 1000);
  assert_int_equal(sim_json_int(j, "edge", true, 0, INT64_MAX, &v, NULL, &d,
                                "$"), SIM_OK);
  assert_int_equal(v, INT64_C(9007199254740992));
  /* absent and optional: untouched */
  v = -1;
  assert_int_equal(sim_json_int(j, "nope", false, 1, 10, &v, &present, &d,
                                "$.r"), SIM_OK);
  assert_false(present);
  assert_int_equal(v, -1);
  assert_int_equal(d.code, SIM_OK);
  /* failures */
  assert_int_equal(sim_json_int(j, "nope", true, 1, 10, &v, &present, &d,
                                "$.r"), SIM_ERR_SCHEMA);
  ASSERT_DIAG(d, SIM_ERR_SCHEMA, "$.r", "missing required field 'nope'");
  assert_int_equal(sim_json_int(j, "ok", true, 1, 10, &v, NULL, &d, "$.r"),
                   SIM_ERR_RANGE);
  ASSERT_DIAG(d, SIM_ERR_RANGE, "$.r.ok", "expected an integer from 1 to 10");
  assert_int_equal(sim_json_int(j, "neg", true, 0, INT64_MAX, &v, NULL, &d,
                                "$.r"), SIM_ERR_RANGE);
  ASSERT_DIAG(d, SIM_ERR_RANGE, "$.r.neg", "expected an integer >= 0");
  assert_int_equal(sim_json_int(j, "frac", true, 1, 1000, &v, NULL, &d,
                                "$.r"), SIM_ERR_SCHEMA);
  ASSERT_DIAG(d, SIM_ERR_SCHEMA, "$.r.frac",
              "expected an integer from 1 to 1000");
  assert_int_equal(sim_json_int(j, "s", true, 1, 1000, &v, NULL, &d, "$.r"),
                   SIM_ERR_SCHEMA);
  ASSERT_DIAG(d, SIM_ERR_SCHEMA, "$.r.s", "expected an integer, got string");
  assert_int_equal(sim_json_int(j, "big", true, 0, INT64_MAX, &v, NULL, &d,
                                "$.r"), SIM_ERR_RANGE);
  ASSERT_DIAG(d, SIM_ERR_RANGE, "$.r.big", "expected an integer >= 0");
  assert_int_equal(sim_json_int(j, "huge", true, INT64_MIN, INT64_MAX, &v,
                                NULL, &d, "$.r"), SIM_ERR_RANGE);
  ASSERT_DIAG(d, SIM_ERR_RANGE, "$.r.huge",
              "expected an integer of magnitude at most 2^53");
  assert_int_equal(v, -1); /* untouched by failures */
  /* the parent is not an object */
  assert_int_equal(sim_json_int(j->child, "x", true, 0, 1, &v, NULL, &d,
                                "$.r.ok"), SIM_ERR_SCHEMA);
  ASSERT_DIAG(d, SIM_ERR_SCHEMA, "$.r.ok", "expected an object, got number");
  cJSON_Delete(j);
  {
    cJSON *n = cJSON_CreateNumber(NAN);

    assert_int_equal(sim_json_item_int(n, 0, 5, &v, &d, "$[2]"),
                     SIM_ERR_SCHEMA);
    ASSERT_DIAG(d, SIM_ERR_SCHEMA, "$[2]", "expected an integer from 0 to 5");
    cJSON_Delete(n);
  }
}

static void test_num(void **state)
{
  cJSON *j = doc("{\"x\": 1.5, \"t\": true, \"n\": null}");
  double v = 0;
  sim_diag d;

  (void)state;
  sim_diag_init(&d, NULL);
  assert_int_equal(sim_json_num(j, "x", true, 0, 2, &v, NULL, &d, "$"),
                   SIM_OK);
  assert_true(v == 1.5);
  assert_int_equal(sim_json_num(j, "x", true, 1.1, 1.4, &v, NULL, &d, "$"),
                   SIM_ERR_RANGE);
  ASSERT_DIAG(d, SIM_ERR_RANGE, "$.x", "expected a number from 1.1 to 1.4");
  assert_int_equal(sim_json_num(j, "x", true, 2, DBL_MAX, &v, NULL, &d, "$"),
                   SIM_ERR_RANGE);
  ASSERT_DIAG(d, SIM_ERR_RANGE, "$.x", "expected a number >= 2");
  assert_int_equal(sim_json_num(j, "x", true, -HUGE_VAL, 1, &v, NULL, &d,
                                "$"), SIM_ERR_RANGE);
  ASSERT_DIAG(d, SIM_ERR_RANGE, "$.x", "expected a number <= 1");
  assert_int_equal(sim_json_num(j, "t", true, 0, 1, &v, NULL, &d, "$"),
                   SIM_ERR_SCHEMA);
  ASSERT_DIAG(d, SIM_ERR_SCHEMA, "$.t", "expected a number, got boolean");
  assert_int_equal(sim_json_num(j, "n", false, 0, 1, &v, NULL, &d, "$"),
                   SIM_ERR_SCHEMA);
  ASSERT_DIAG(d, SIM_ERR_SCHEMA, "$.n", "expected a number, got null");
  assert_true(v == 1.5);
  cJSON_Delete(j);
}

static void test_bool_str_enum(void **state)
{
  static const char *const modes[] = {"SNAPSHOT", "CONTINUOUS", NULL};
  cJSON *j = doc("{\"b\": false, \"s\": \"job-1\", \"e\": \"CONTINUOUS\","
                 " \"lc\": \"snapshot\", \"num\": 3, \"empty\": \"\"}");
  const char *s = NULL;
  bool b = true, present = false;
  int e = -1;
  sim_diag d;

  (void)state;
  sim_diag_init(&d, NULL);
  assert_int_equal(sim_json_bool(j, "b", true, &b, &present, &d, "$"), SIM_OK);
  assert_false(b);
  assert_true(present);
  assert_int_equal(sim_json_bool(j, "s", true, &b, NULL, &d, "$"),
                   SIM_ERR_SCHEMA);
  ASSERT_DIAG(d, SIM_ERR_SCHEMA, "$.s", "expected a boolean, got string");
  assert_int_equal(sim_json_str(j, "s", true, 1, 64, &s, NULL, &d, "$"),
                   SIM_OK);
  assert_string_equal(s, "job-1");
  assert_int_equal(sim_json_str(j, "empty", true, 1, 64, &s, NULL, &d, "$"),
                   SIM_ERR_RANGE);
  ASSERT_DIAG(d, SIM_ERR_RANGE, "$.empty",
              "expected a string of 1 to 64 characters");
  assert_int_equal(sim_json_str(j, "s", true, 1, 3, &s, NULL, &d, "$"),
                   SIM_ERR_RANGE);
  ASSERT_DIAG(d, SIM_ERR_RANGE, "$.s", "expected a string of 1 to 3 characters");
  assert_int_equal(sim_json_str(j, "empty", true, 1, SIZE_MAX, &s, NULL, &d,
                                "$"), SIM_ERR_RANGE);
  ASSERT_DIAG(d, SIM_ERR_RANGE, "$.empty",
              "expected a string of at least 1 character");
  assert_int_equal(sim_json_str(j, "s", true, 2, 2, &s, NULL, &d, "$"),
                   SIM_ERR_RANGE);
  ASSERT_DIAG(d, SIM_ERR_RANGE, "$.s", "expected a string of 2 characters");
  assert_int_equal(sim_json_str(j, "num", true, 0, 9, &s, NULL, &d, "$"),
                   SIM_ERR_SCHEMA);
  ASSERT_DIAG(d, SIM_ERR_SCHEMA, "$.num", "expected a string, got number");
  assert_int_equal(sim_json_enum(j, "e", true, modes, &e, NULL, &d, "$"),
                   SIM_OK);
  assert_int_equal(e, 1);
  assert_int_equal(sim_json_enum(j, "lc", true, modes, &e, NULL, &d, "$"),
                   SIM_ERR_RANGE);
  ASSERT_DIAG(d, SIM_ERR_RANGE, "$.lc",   /* "snapshot": case only */
              "expected one of SNAPSHOT, CONTINUOUS; did you mean 'SNAPSHOT'?");
  assert_int_equal(sim_json_enum(j, "num", true, modes, &e, NULL, &d, "$"),
                   SIM_ERR_SCHEMA);
  ASSERT_DIAG(d, SIM_ERR_SCHEMA, "$.num",
              "expected one of SNAPSHOT, CONTINUOUS, got number");
  assert_int_equal(sim_json_enum(j, "zz", true, modes, &e, &present, &d,
                                 "$.cfg"), SIM_ERR_SCHEMA);
  ASSERT_DIAG(d, SIM_ERR_SCHEMA, "$.cfg", "missing required field 'zz'");
  assert_int_equal(sim_json_enum(j, "zz", false, modes, &e, &present, &d,
                                 "$.cfg"), SIM_OK);
  assert_false(present);
  assert_int_equal(e, 1);
  cJSON_Delete(j);
}

static void test_type_names(void **state)
{
  cJSON *j = doc("[\"s\", 1, {}, [], true, false, null]");
  static const char *const want[] = {"string", "number", "object", "array",
                                     "boolean", "boolean", "null"};
  const cJSON *it;
  size_t i = 0;

  (void)state;
  for (it = j->child; it; it = it->next, i++)
    assert_string_equal(sim_json_type_name(it), want[i]);
  assert_int_equal(i, 7);
  assert_string_equal(sim_json_type_name(NULL), "nothing");
  cJSON_Delete(j);
}

/* ------------------------------------------------------------- numbers --- */

static void test_format_double(void **state)
{
  static const struct { double v; const char *s; } tab[] = {
    {2, "2.0"}, {12.5, "12.5"}, {0.1, "0.1"}, {0, "0.0"}, {-0.0, "-0.0"},
    {-3, "-3.0"}, {1.0 / 3, "0.3333333333333333"}, {1e21, "1e+21"},
    {123456789, "123456789.0"}, {1e-7, "1e-07"}, {0.3, "0.3"},
    {100, "100.0"}, {5e-324, "5e-324"}, {DBL_MAX, "1.7976931348623157e+308"},
    {1e16, "10000000000000000.0"}, {1e17, "1e+17"}, {0.0001, "0.0001"},
    {1e-5, "1e-05"}, {-1.25e-10, "-1.25e-10"}, {1234.5678, "1234.5678"},
    {0.000123, "0.000123"}, {9.5, "9.5"}, {2.5e20, "2.5e+20"},
  };
  char buf[64];
  size_t i;
  uint64_t bits = UINT64_C(0x123456789);

  (void)state;
  for (i = 0; i < sizeof tab / sizeof tab[0]; i++) {
    sim_json_format_double(tab[i].v, buf, sizeof buf);
    assert_string_equal(buf, tab[i].s);
  }
  sim_json_format_double(NAN, buf, sizeof buf);
  assert_string_equal(buf, "nan");
  sim_json_format_double(-INFINITY, buf, sizeof buf);
  assert_string_equal(buf, "-inf");
  sim_json_format_double(12.5, buf, 3);
  assert_string_equal(buf, "12");
  /* round trip on pseudo-random bit patterns */
  for (i = 0; i < 20000; i++) {
    double v;

    bits = bits * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    memcpy(&v, &bits, sizeof v);
    if (!isfinite(v))
      continue;
    sim_json_format_double(v, buf, sizeof buf);
    assert_true(strtod(buf, NULL) == v);
    assert_non_null(strpbrk(buf, ".e"));
  }
}

/* ------------------------------------------------- syntax-only check --- */

/* sim_json_valid: RFC 8259 cases, each decided independently by hand. */
static void test_json_valid(void **state)
{
  static const char *const good[] = {
    "{}", "[]", "0", "-0.5e+3", "\"a\\u00e9\"", "true", "null", " [ 1 , [ ] , {} ] ",
    "{\"a\":{\"b\":[1,2,{\"c\":null}]},\"d\":\"\\ud83d\\ude00\"}", "[[[[]]]]",
  };
  static const char *const bad[] = {
    "", "[", "]", "[1,]", "[1 2]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}",
    "{1:2}", "[}", "{]", "[[]", "[]]", "01", "1.", "\"\\ud800\"", "tru", "[] x",
    "{\"a\":1 \"b\":2}",
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof good / sizeof *good; i++)
    if (!sim_json_valid(good[i], strlen(good[i])))
      fail_msg("valid JSON rejected: %s", good[i]);
  for (i = 0; i < sizeof bad / sizeof *bad; i++)
    if (sim_json_valid(bad[i], strlen(bad[i])))
      fail_msg("invalid JSON accepted: %s", bad[i]);
}

/* Finding 6 (issue 9): a job document of 16,384 nested arrays (inside the
 * 32 KB document limit) overflowed the stack of a recursive validator. The
 * check runs in a child with a 256 KiB stack: it must answer, not crash. */
static void finding_06_deep_document_stack(void **state)
{
  const size_t depth = 16384;
  char *doc = malloc(2 * depth + 2);
  pid_t pid;
  int st = 0;

  (void)state;
  assert_non_null(doc);
  memset(doc, '[', depth);
  memset(doc + depth, ']', depth);
  doc[2 * depth] = 0;
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    struct rlimit rl = {256 * 1024, 256 * 1024};
    if (setrlimit(RLIMIT_STACK, &rl) != 0)
      _exit(3);
    bool ok = sim_json_valid(doc, 2 * depth);
    doc[2 * depth - 1] = '}';   /* the innermost close no longer matches */
    bool mismatched = sim_json_valid(doc, 2 * depth);
    _exit(ok && !mismatched ? 0 : 1);
  }
  assert_int_equal(waitpid(pid, &st, 0), pid);
  if (WIFSIGNALED(st))
    fail_msg("sim_json_valid died of signal %d on %zu nested arrays", WTERMSIG(st),
             depth);
  assert_int_equal(WEXITSTATUS(st), 0);
  free(doc);
}

/* --------------------------------------------------------------- files --- */

static void test_json_read_file(void **state)
{
  const char *path = JOBSIM_BINARY_DIR "/test_sim_json.tmp";
  const char *missing = JOBSIM_BINARY_DIR "/no/such/file.json";
  char *buf = NULL;
  size_t len = 99, i;
  sim_diag d;
  FILE *f;
  char expect[300];

  (void)state;
  f = fopen(path, "wb");
  assert_non_null(f);
  for (i = 0; i < 100000; i++) /* bigger than the first buffer */
    fputc('a' + (int)(i % 26), f);
  fclose(f);
  sim_diag_init(&d, path);
  assert_int_equal(sim_json_read_file(path, &buf, &len, &d), SIM_OK);
  assert_int_equal(len, 100000);
  assert_int_equal(buf[len], '\0');
  assert_int_equal(buf[99999], 'a' + 99999 % 26);
  free(buf);
  remove(path);

  sim_diag_init(&d, missing);
  assert_int_equal(sim_json_read_file(missing, &buf, &len, &d), SIM_ERR_IO);
  assert_null(buf);
  snprintf(expect, sizeof expect, "cannot open '%s': No such file or directory",
           missing);
  assert_string_equal(d.msg, expect);
  assert_int_equal(sim_json_read_file(JOBSIM_BINARY_DIR, &buf, &len, &d),
                   SIM_ERR_IO);
  assert_non_null(strstr(d.msg, "cannot read"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_status_text),
    cmocka_unit_test(test_diag),
    cmocka_unit_test(test_paths),
    cmocka_unit_test(test_parse_ok),
    cmocka_unit_test(test_parse_errors),
    cmocka_unit_test(test_parse_depth),
    cmocka_unit_test(test_check_object),
    cmocka_unit_test(test_hostile),
    cmocka_unit_test(test_int),
    cmocka_unit_test(test_num),
    cmocka_unit_test(test_bool_str_enum),
    cmocka_unit_test(test_type_names),
    cmocka_unit_test(test_format_double),
    cmocka_unit_test(test_json_read_file),
    cmocka_unit_test(test_json_valid),
    cmocka_unit_test(finding_06_deep_document_stack),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
