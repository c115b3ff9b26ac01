/*
 * sigv4.h — AWS Signature Version 4 as the AWS SDKs sign HTTP requests
 * (header form: `Authorization: AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/
 * SERVICE/aws4_request, SignedHeaders=..., Signature=...`). jobsim serve
 * reads the service from the credential scope to route a request to the
 * control plane (`iot`) or the device data plane (`iot-jobs-data`), and,
 * with --credentials, recomputes the signature to verify it. HMAC-SHA256 and
 * SHA-256 come from OpenSSL's libcrypto; comparison is constant-time.
 *
 * The canonical request is built the way botocore builds it (auth.py,
 * SigV4Auth): the path with dot segments and empty segments removed, then
 * percent-encoded once more (all but unreserved characters and '/'); query
 * pairs decoded, re-encoded with the unreserved set and sorted by key then
 * value; each signed header's values trimmed, inner runs of spaces collapsed
 * and joined with ','; the payload hash is SHA-256 of the body.
 *
 * Ownership: nothing allocates except serve_sigv4_signature (which frees
 * what it allocates before returning).
 */
#ifndef JOBSIM_SERVE_SIGV4_H
#define JOBSIM_SERVE_SIGV4_H

#include <stdbool.h>
#include <stddef.h>

typedef struct serve_sigv4_auth {
  char access_key[129];
  char date[9];            /* YYYYMMDD of the scope */
  char region[64];
  char service[64];
  char signed_headers[1024]; /* "host;x-amz-date", as given */
  char signature[65];      /* 64 lower-case hex digits */
} serve_sigv4_auth;

/* Parse an Authorization header value. false with a static reason in *why
 * (for IncompleteSignatureException) when it is not a well-formed SigV4
 * header. */
bool serve_sigv4_parse(const char *authorization, serve_sigv4_auth *out,
                       const char **why);

/* All values of a request header (name in lower case), in arrival order:
 * writes up to cap pointers, returns how many there are. */
typedef size_t (*serve_sigv4_header_fn)(void *ud, const char *lname,
                                        const char **vals, size_t cap);

typedef struct serve_sigv4_request {
  const char *method;      /* "GET" */
  const char *raw_path;    /* as sent, still percent-encoded: "/jobs/j1" */
  const char *raw_query;   /* as sent after '?', "" when none */
  serve_sigv4_header_fn header;
  void *header_ud;
  const void *body;
  size_t body_len;
} serve_sigv4_request;

/* Signature (64 hex digits + NUL into out) the client must have computed
 * with `secret` for this request and this Authorization; `amz_date` is the
 * X-Amz-Date value. Returns false with a static reason in *why when a
 * signed header is missing or the request cannot be canonicalised (then the
 * signature cannot match). */
bool serve_sigv4_signature(const serve_sigv4_request *r, const serve_sigv4_auth *a,
                           const char *amz_date, const char *secret, char out[65],
                           const char **why);

/* The canonical request text (for tests and debugging); heap, caller frees;
 * NULL with *why on failure. */
char *serve_sigv4_canonical_request(const serve_sigv4_request *r,
                                    const serve_sigv4_auth *a, const char **why);

/* Constant-time equality of two 64-hex-digit signatures. */
bool serve_sigv4_equal(const char *a, const char *b);

/* "20260101T000000Z" to seconds since 1970; false when malformed. */
bool serve_sigv4_parse_amz_date(const char *s, long long *epoch_s);

/* Hex SHA-256 of data (65 bytes with NUL). */
void serve_sigv4_sha256_hex(const void *data, size_t len, char out[65]);

#endif
