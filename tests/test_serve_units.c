/*
 * test_serve_units.c — the pure parts of jobsim serve: SigV4 (against
 * signatures computed by botocore's SigV4Auth, the signer of the AWS CLI
 * and boto3; the first is also the worked example of the AWS IAM user
 * guide), the request-target split, the served clock.
 *
 * How the expected signatures were made (Debian python3-botocore 1.29.27,
 * datetime pinned to 2015-08-30T12:36:00Z, key AKIDEXAMPLE, secret
 * wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY):
 *   r = AWSRequest(method, url, headers, data); SigV4Auth(creds, service,
 *   region).add_auth(r); r.headers['Authorization']
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "duration.h"
#include "json.h"
#include "request.h"
#include "sigv4.h"

static const char secret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/* Headers of a test request: lower-case "name" -> values. */
typedef struct hdrs {
  const char *name[8];
  const char *value[8];
  size_t n;
} hdrs;

static size_t hdr_fn(void *ud, const char *lname, const char **vals, size_t cap) {
  const hdrs *h = ud;
  size_t k = 0;
  for (size_t i = 0; i < h->n; i++)
    if (strcmp(h->name[i], lname) == 0) {
      if (k < cap) vals[k] = h->value[i];
      k++;
    }
  return k;
}

static void expect_sig(const char *method, const char *path, const char *query,
                       hdrs *h, const char *body, const char *auth, bool match) {
  serve_sigv4_auth a;
  const char *why = NULL;
  assert_true(serve_sigv4_parse(auth, &a, &why));
  serve_sigv4_request r = {method, path, query, hdr_fn, h, body, body ? strlen(body) : 0};
  char got[65];
  assert_true(serve_sigv4_signature(&r, &a, "20150830T123600Z", secret, got, &why));
  assert_int_equal(serve_sigv4_equal(got, a.signature), match);
}

/* The IAM user guide's example: GET https://iam.amazonaws.com/?Action=
 * ListUsers&Version=2010-05-08 */
static void sig_iam_example(void **state) {
  (void)state;
  hdrs h = {{"content-type", "host", "x-amz-date"},
            {"application/x-www-form-urlencoded; charset=utf-8", "iam.amazonaws.com",
             "20150830T123600Z"},
            3};
  const char *auth =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date, "
      "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
  expect_sig("GET", "/", "Action=ListUsers&Version=2010-05-08", &h, NULL, auth, true);
  /* same request, query in another order: canonical form sorts it */
  expect_sig("GET", "/", "Version=2010-05-08&Action=ListUsers", &h, NULL, auth, true);
  /* another value: no match */
  expect_sig("GET", "/", "Action=ListUsers&Version=2010-05-09", &h, NULL, auth, false);
  expect_sig("POST", "/", "Action=ListUsers&Version=2010-05-08", &h, NULL, auth, false);
}

/* Data plane, a body, a thing name with ':' (botocore encodes it %3A in the
 * URL, then once more in the canonical URI) and the literal $next:
 * PUT http://127.0.0.1:8080/things/kiosk%3A7/jobs/$next */
static void sig_data_plane_body(void **state) {
  (void)state;
  hdrs h = {{"content-type", "host", "x-amz-date"},
            {"application/json", "127.0.0.1:8080", "20150830T123600Z"},
            3};
  const char *auth =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-west-2/iot-jobs-data/"
      "aws4_request, SignedHeaders=content-type;host;x-amz-date, "
      "Signature=27b288b803eea1e3025bf0b03bb4f463e6963d9fdb39373c90b2f2b6dd5b5b3c";
  const char *body = "{\"statusDetails\":{\"a\":\"b  c\"}}";
  expect_sig("PUT", "/things/kiosk%3A7/jobs/$next", "", &h, body, auth, true);
  /* one byte of the body changed */
  expect_sig("PUT", "/things/kiosk%3A7/jobs/$next", "", &h,
             "{\"statusDetails\":{\"a\":\"b  d\"}}", auth, false);
  /* the path sent differently: another canonical URI */
  expect_sig("PUT", "/things/kiosk:7/jobs/$next", "", &h, body, auth, false);
  /* dot segments and doubled slashes are removed first */
  expect_sig("PUT", "//things/./kiosk%3A7/x/../jobs/$next", "", &h, body, auth, true);
  serve_sigv4_auth a;
  const char *why;
  assert_true(serve_sigv4_parse(auth, &a, &why));
  assert_string_equal(a.service, "iot-jobs-data");
  assert_string_equal(a.region, "us-west-2");
  assert_string_equal(a.access_key, "AKIDEXAMPLE");
  assert_string_equal(a.date, "20150830");
}

/* Control plane query with an encoded '+' and space; a header whose value
 * has runs of spaces (trimmed and collapsed). GET http://127.0.0.1:8080/
 * jobs/j-1/things?status=QUEUED&maxResults=2&nextToken=a%2Bb%20c with
 * X-Custom: "  a   b  " */
static void sig_query_and_trimall(void **state) {
  (void)state;
  hdrs h = {{"host", "x-amz-date", "x-custom"},
            {"127.0.0.1:8080", "20150830T123600Z", "  a   b  "},
            3};
  const char *auth =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-west-2/iot/aws4_request, "
      "SignedHeaders=host;x-amz-date;x-custom, "
      "Signature=328423de6f2aaed324f202eb5fd3dabc0e327d270ed468ab0e659b2dfadbb4b2";
  expect_sig("GET", "/jobs/j-1/things", "status=QUEUED&maxResults=2&nextToken=a%2Bb%20c",
             &h, NULL, auth, true);
  /* lower-case hex escapes canonicalise to the same */
  expect_sig("GET", "/jobs/j-1/things", "status=QUEUED&maxResults=2&nextToken=a%2bb%20c",
             &h, NULL, auth, true);
  h.value[2] = "a b c";
  expect_sig("GET", "/jobs/j-1/things", "status=QUEUED&maxResults=2&nextToken=a%2Bb%20c",
             &h, NULL, auth, false);
}

static void sig_missing_signed_header(void **state) {
  (void)state;
  hdrs h = {{"host"}, {"127.0.0.1"}, 1};
  serve_sigv4_auth a;
  const char *why = NULL;
  assert_true(serve_sigv4_parse(
      "AWS4-HMAC-SHA256 Credential=K/20150830/us-west-2/iot/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=" 
      "0000000000000000000000000000000000000000000000000000000000000000",
      &a, &why));
  serve_sigv4_request r = {"GET", "/jobs", "", hdr_fn, &h, NULL, 0};
  char got[65];
  assert_false(serve_sigv4_signature(&r, &a, "20150830T123600Z", "s", got, &why));
  assert_non_null(strstr(why, "missing"));
  /* host must be signed */
  assert_true(serve_sigv4_parse(
      "AWS4-HMAC-SHA256 Credential=K/20150830/us-west-2/iot/aws4_request, "
      "SignedHeaders=x-amz-date, Signature="
      "0000000000000000000000000000000000000000000000000000000000000000",
      &a, &why));
  hdrs h2 = {{"x-amz-date"}, {"20150830T123600Z"}, 1};
  r.header_ud = &h2;
  assert_false(serve_sigv4_signature(&r, &a, "20150830T123600Z", "s", got, &why));
  assert_string_equal(why, "SignedHeaders must include host");
}

static void sig_parse_rejects(void **state) {
  (void)state;
  static const char *const bad[] = {
      "",
      "Bearer abc",
      "AWS4-HMAC-SHA256",
      "AWS4-HMAC-SHA256 Credential=K/20150830/us-west-2/iot/aws4_request, "
      "SignedHeaders=host",
      "AWS4-HMAC-SHA256 Credential=K/20150830/us-west-2/iot, SignedHeaders=host, "
      "Signature=0000000000000000000000000000000000000000000000000000000000000000",
      "AWS4-HMAC-SHA256 Credential=K/2015083/us-west-2/iot/aws4_request, "
      "SignedHeaders=host, "
      "Signature=0000000000000000000000000000000000000000000000000000000000000000",
      "AWS4-HMAC-SHA256 Credential=K/20150830/us-west-2/iot/aws4_request/x, "
      "SignedHeaders=host, "
      "Signature=0000000000000000000000000000000000000000000000000000000000000000",
      "AWS4-HMAC-SHA256 Credential=K/20150830/us-west-2/iot/aws4_request, "
      "SignedHeaders=Host, "
      "Signature=0000000000000000000000000000000000000000000000000000000000000000",
      "AWS4-HMAC-SHA256 Credential=K/20150830/us-west-2/iot/aws4_request, "
      "SignedHeaders=host, Signature=00000000000000000000000000000000000000000000000000000"
      "0000000000G",
      "AWS4-HMAC-SHA256 Credential=K/20150830/us-west-2/iot/aws4_request, "
      "SignedHeaders=host, Signature=abc",
      "AWS4-HMAC-SHA256 Credential=K/20150830/us-west-2/iot/aws4_request, "
      "SignedHeaders=host, Nonce=1, "
      "Signature=0000000000000000000000000000000000000000000000000000000000000000",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    serve_sigv4_auth a;
    const char *why = NULL;
    assert_false(serve_sigv4_parse(bad[i], &a, &why));
    assert_non_null(why);
  }
}

static void amz_date(void **state) {
  (void)state;
  long long t;
  assert_true(serve_sigv4_parse_amz_date("20150830T123600Z", &t));
  assert_int_equal(t, 1440938160);   /* date -u -d 2015-08-30T12:36:00Z +%s */
  assert_true(serve_sigv4_parse_amz_date("20240229T000000Z", &t));
  assert_false(serve_sigv4_parse_amz_date("20230229T000000Z", &t));
  assert_false(serve_sigv4_parse_amz_date("20150830T123600", &t));
  assert_false(serve_sigv4_parse_amz_date("2015-08-30T12:36:00Z", &t));
  assert_false(serve_sigv4_parse_amz_date("20151330T123600Z", &t));
}

/* ------------------------------------------------------------ request --- */

static void target_split(void **state) {
  (void)state;
  serve_request r = {0};
  const char *why;
  bool nomem;
  assert_true(serve_request_parse_target(
      &r, "/things/kiosk%3A7//jobs/%24next?includeJobDocument=true&x&nextToken=a%2Bb+c",
      &why, &nomem));
  assert_string_equal(r.raw_path, "/things/kiosk%3A7//jobs/%24next");
  assert_string_equal(r.raw_query, "includeJobDocument=true&x&nextToken=a%2Bb+c");
  assert_int_equal(r.n_seg, 4);
  assert_string_equal(r.seg[0], "things");
  assert_string_equal(r.seg[1], "kiosk:7");
  assert_string_equal(r.seg[2], "jobs");
  assert_string_equal(r.seg[3], "$next");
  assert_string_equal(serve_request_query(&r, "includeJobDocument"), "true");
  assert_string_equal(serve_request_query(&r, "x"), "");
  assert_string_equal(serve_request_query(&r, "nextToken"), "a+b+c");
  assert_null(serve_request_query(&r, "status"));
  serve_request_release(&r);
}

static void target_rejects(void **state) {
  (void)state;
  static const char *const bad[] = {
      "jobs/x", "http://h/jobs", "/jobs/%zz", "/jobs/%4", "/jobs/a%00b", "/jobs?a=1&a=2",
      "/jobs?k=%G0", "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    serve_request r = {0};
    const char *why = NULL;
    bool nomem = false;
    assert_false(serve_request_parse_target(&r, bad[i], &why, &nomem));
    assert_false(nomem);
    assert_non_null(why);
    serve_request_release(&r);
  }
}

/* -------------------------------------------------------------- clock --- */

static int apply(serve_clock *c, const char *json, double wall, char *msg, size_t n) {
  cJSON *j = cJSON_Parse(json);
  assert_non_null(j);
  sim_diag d;
  sim_diag_init(&d, NULL);
  int rc = serve_clock_apply(c, j, INT64_C(1767225600000), wall, &d);
  sim_diag_format(&d, msg, n);
  cJSON_Delete(j);
  return rc;
}

static void clock_manual(void **state) {
  (void)state;
  serve_clock c;
  char m[512];
  serve_clock_init(&c, true, 1, SIM_DURATION_MAX, 100.0);
  assert_int_equal(serve_clock_now(&c, 500.0), 0);   /* stands still */
  assert_int_equal(apply(&c, "{\"advance\": \"10m\"}", 600.0, m, sizeof m), SIM_OK);
  assert_int_equal(serve_clock_now(&c, 900.0), 600000);
  assert_int_equal(apply(&c, "{\"to\": \"+1h\"}", 900.0, m, sizeof m), SIM_OK);
  assert_int_equal(serve_clock_now(&c, 900.0), 3600000);
  assert_int_equal(apply(&c, "{\"to\": \"2026-01-01T02:00:00Z\"}", 900.0, m, sizeof m),
                   SIM_OK);
  assert_int_equal(serve_clock_now(&c, 900.0), 7200000);
  assert_int_equal(apply(&c, "{\"advance\": 30}", 900.0, m, sizeof m), SIM_OK);
  assert_int_equal(serve_clock_now(&c, 900.0), 7230000);
  /* refusals leave the clock alone */
  assert_int_equal(apply(&c, "{\"to\": \"+1h\"}", 900.0, m, sizeof m), SIM_ERR_RANGE);
  assert_string_equal(m, "$.to: the clock cannot go back (to +1h; it is at +2h30s)");
  assert_int_equal(apply(&c, "{\"advance\": \"-5m\"}", 900.0, m, sizeof m), SIM_ERR_PARSE);
  assert_int_equal(apply(&c, "{\"advance\": \"1m\", \"to\": \"+3h\"}", 900.0, m, sizeof m),
                   SIM_ERR_SCHEMA);
  assert_string_equal(m, "$: give either 'advance' or 'to', not both");
  assert_int_equal(apply(&c, "{\"speed\": 2}", 900.0, m, sizeof m), SIM_ERR_SCHEMA);
  assert_string_equal(m, "$.speed: unknown field 'speed'");
  assert_int_equal(apply(&c, "{}", 900.0, m, sizeof m), SIM_ERR_SCHEMA);
  assert_int_equal(apply(&c, "{\"advance\": \"36600d1s\"}", 900.0, m, sizeof m) != SIM_OK, 1);
  assert_int_equal(serve_clock_now(&c, 900.0), 7230000);
  size_t len;
  char *j = serve_clock_json(serve_clock_now(&c, 900.0), INT64_C(1767225600000), &len);
  assert_string_equal(j, "{\"now\": \"2026-01-01T02:00:30.000Z\", \"offset\": \"2h30s\"}\n");
  assert_int_equal(len, strlen(j));
  free(j);
}

static void clock_speed(void **state) {
  (void)state;
  serve_clock c;
  char m[512];
  serve_clock_init(&c, false, 60, SIM_DURATION_MAX, 10.0);
  assert_int_equal(serve_clock_now(&c, 10.0), 0);
  assert_int_equal(serve_clock_now(&c, 11.5), 90000);     /* 1.5 s x 60 */
  assert_int_equal(apply(&c, "{\"advance\": \"1h\"}", 12.0, m, sizeof m), SIM_OK);
  assert_int_equal(serve_clock_now(&c, 12.0), 120000 + 3600000);
  assert_int_equal(serve_clock_now(&c, 13.0), 180000 + 3600000);
  /* it never passes its limit */
  serve_clock_init(&c, false, 1e6, 5000, 0.0);
  assert_int_equal(serve_clock_now(&c, 1e9), 5000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sig_iam_example),     cmocka_unit_test(sig_data_plane_body),
      cmocka_unit_test(sig_query_and_trimall), cmocka_unit_test(sig_missing_signed_header),
      cmocka_unit_test(sig_parse_rejects),   cmocka_unit_test(amz_date),
      cmocka_unit_test(target_split),        cmocka_unit_test(target_rejects),
      cmocka_unit_test(clock_manual),        cmocka_unit_test(clock_speed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
