/*
 * sigv4.c — SigV4 header parsing, canonical request, signature (see sigv4.h).
 */
#include "sigv4.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "calendar.h"

/* ------------------------------------------------------------ buffers --- */

typedef struct buf {
  char *p;
  size_t len, cap;
  bool failed;
} buf;

static void put(buf *b, const char *s, size_t n) {
  if (b->failed) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *q = realloc(b->p, cap);
    if (!q) {
      b->failed = true;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }
static void putc_(buf *b, char c) { put(b, &c, 1); }

static bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_' || c == '.' || c == '~';
}

/* Percent-encode bytes s[0..n) (Python quote with safe = unreserved plus
 * '/' when keep_slash). */
static void encode(buf *b, const char *s, size_t n, bool keep_slash) {
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (unreserved(c) || (keep_slash && c == '/')) {
      putc_(b, (char)c);
    } else {
      char e[3] = {'%', hex[c >> 4], hex[c & 15]};
      put(b, e, 3);
    }
  }
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Percent-decode s[0..n) into b ('+' stays '+'); false on a bad escape. */
static bool decode(buf *b, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '%') {
      putc_(b, s[i]);
      continue;
    }
    if (i + 2 >= n) return false;
    int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
    if (h < 0 || l < 0) return false;
    putc_(b, (char)(h * 16 + l));
    i += 2;
  }
  return true;
}

static void to_hex(const unsigned char *d, size_t n, char *out) {
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = hex[d[i] >> 4];
    out[2 * i + 1] = hex[d[i] & 15];
  }
  out[2 * n] = 0;
}

void serve_sigv4_sha256_hex(const void *data, size_t len, char out[65]) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(data ? data : (const void *)"", len, md);
  to_hex(md, sizeof md, out);
}

static void hmac(const void *key, size_t klen, const char *msg, size_t mlen,
                 unsigned char out[32]) {
  unsigned int n = 32;
  HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, mlen, out, &n);
}

/* ------------------------------------------------------------- parsing --- */

static bool copy_field(char *dst, size_t cap, const char *s, size_t n) {
  if (n == 0 || n >= cap) return false;
  memcpy(dst, s, n);
  dst[n] = 0;
  return true;
}

static bool all_hex(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (hexval(s[i]) < 0 || (s[i] >= 'A' && s[i] <= 'F')) return false;
  return true;
}

bool serve_sigv4_parse(const char *h, serve_sigv4_auth *out, const char **why) {
  static const char algo[] = "AWS4-HMAC-SHA256";
  memset(out, 0, sizeof *out);
  *why = NULL;
  if (!h || strncmp(h, algo, sizeof algo - 1) != 0 || (h[sizeof algo - 1] != ' ')) {
    *why = "Authorization header must start with AWS4-HMAC-SHA256";
    return false;
  }
  const char *p = h + sizeof algo - 1;
  bool got_cred = false, got_sh = false, got_sig = false;
  while (*p) {
    while (*p == ' ' || *p == ',') p++;
    if (!*p) break;
    const char *eq = strchr(p, '=');
    if (!eq) {
      *why = "Authorization header has a parameter without '='";
      return false;
    }
    const char *v = eq + 1;
    size_t vn = strcspn(v, ", ");
    size_t kn = (size_t)(eq - p);
    if (kn == 10 && strncmp(p, "Credential", 10) == 0) {
      /* KEY/DATE/REGION/SERVICE/aws4_request */
      const char *parts[5];
      size_t lens[5], np = 0;
      const char *s = v, *end = v + vn;
      while (np < 5) {
        const char *slash = memchr(s, '/', (size_t)(end - s));
        const char *e = slash ? slash : end;
        parts[np] = s;
        lens[np++] = (size_t)(e - s);
        if (!slash) break;
        s = slash + 1;
      }
      if (np != 5 || parts[4] + lens[4] != end ||
          !copy_field(out->access_key, sizeof out->access_key, parts[0], lens[0]) ||
          lens[1] != 8 || !copy_field(out->date, sizeof out->date, parts[1], lens[1]) ||
          !copy_field(out->region, sizeof out->region, parts[2], lens[2]) ||
          !copy_field(out->service, sizeof out->service, parts[3], lens[3]) ||
          lens[4] != 12 || strncmp(parts[4], "aws4_request", 12) != 0) {
        *why = "Credential must be KEY/YYYYMMDD/REGION/SERVICE/aws4_request";
        return false;
      }
      for (size_t i = 0; i < 8; i++)
        if (out->date[i] < '0' || out->date[i] > '9') {
          *why = "Credential must be KEY/YYYYMMDD/REGION/SERVICE/aws4_request";
          return false;
        }
      got_cred = true;
    } else if (kn == 13 && strncmp(p, "SignedHeaders", 13) == 0) {
      if (!copy_field(out->signed_headers, sizeof out->signed_headers, v, vn)) {
        *why = "SignedHeaders is empty or too long";
        return false;
      }
      for (size_t i = 0; i < vn; i++) {
        char c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == ';' ||
              c == '_' || c == '.')) {
          *why = "SignedHeaders must be lower-case header names separated by ';'";
          return false;
        }
      }
      got_sh = true;
    } else if (kn == 9 && strncmp(p, "Signature", 9) == 0) {
      if (vn != 64 || !all_hex(v, vn)) {
        *why = "Signature must be 64 lower-case hexadecimal digits";
        return false;
      }
      memcpy(out->signature, v, 64);
      out->signature[64] = 0;
      got_sig = true;
    } else {
      *why = "Authorization header has an unknown parameter";
      return false;
    }
    p = v + vn;
  }
  if (!got_cred) *why = "Authorization header requires a 'Credential' parameter";
  else if (!got_sh) *why = "Authorization header requires a 'SignedHeaders' parameter";
  else if (!got_sig) *why = "Authorization header requires a 'Signature' parameter";
  return got_cred && got_sh && got_sig;
}

bool serve_sigv4_parse_amz_date(const char *s, long long *epoch_s) {
  /* YYYYMMDDTHHMMSSZ */
  if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z') return false;
  for (int i = 0; i < 15; i++)
    if (i != 8 && (s[i] < '0' || s[i] > '9')) return false;
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  unsigned mo = (unsigned)((s[4] - '0') * 10 + (s[5] - '0'));
  unsigned d = (unsigned)((s[6] - '0') * 10 + (s[7] - '0'));
  int hh = (s[9] - '0') * 10 + (s[10] - '0');
  int mm = (s[11] - '0') * 10 + (s[12] - '0');
  int ss = (s[13] - '0') * 10 + (s[14] - '0');
  if (mo < 1 || mo > 12 || d < 1 || d > sim_days_in_month(y, mo) || hh > 23 || mm > 59 ||
      ss > 60)
    return false;
  *epoch_s = (long long)sim_days_from_civil(y, mo, d) * 86400 + hh * 3600 + mm * 60 + ss;
  return true;
}

/* ----------------------------------------------------- canonical form --- */

/* botocore's remove_dot_segments + quote(path, safe='/~'). */
static bool canonical_uri(buf *b, const char *raw) {
  if (!raw || !*raw) {
    putc_(b, '/');
    return true;
  }
  size_t n = strlen(raw);
  const char **seg = malloc((n / 2 + 2) * sizeof *seg);
  size_t *len = malloc((n / 2 + 2) * sizeof *len);
  if (!seg || !len) {
    free(seg);
    free(len);
    return false;
  }
  size_t ns = 0;
  for (const char *p = raw; *p;) {
    const char *s = strchr(p, '/');
    size_t l = s ? (size_t)(s - p) : strlen(p);
    if (l == 0 || (l == 1 && p[0] == '.')) {
      /* dropped */
    } else if (l == 2 && p[0] == '.' && p[1] == '.') {
      if (ns) ns--;
    } else {
      seg[ns] = p;
      len[ns++] = l;
    }
    if (!s) break;
    p = s + 1;
  }
  buf t = {0};
  if (raw[0] == '/') putc_(&t, '/');
  for (size_t i = 0; i < ns; i++) {
    if (i) putc_(&t, '/');
    put(&t, seg[i], len[i]);
  }
  if (raw[n - 1] == '/' && ns) putc_(&t, '/');
  free(seg);
  free(len);
  if (t.failed) {
    free(t.p);
    return false;
  }
  encode(b, t.p ? t.p : "", t.len, true);
  free(t.p);
  return true;
}

typedef struct qpair {
  char *k, *v;   /* encoded */
} qpair;

static int cmp_pair(const void *a, const void *b) {
  const qpair *x = a, *y = b;
  int c = strcmp(x->k, y->k);
  return c ? c : strcmp(x->v, y->v);
}

/* Encoded (decode, then encode with the unreserved set) copy of s[0..n). */
static char *reencode(const char *s, size_t n, bool *bad) {
  buf d = {0}, e = {0};
  if (!decode(&d, s, n)) *bad = true;
  if (!d.failed) encode(&e, d.p ? d.p : "", d.len, false);
  free(d.p);
  if (d.failed || e.failed) {
    free(e.p);
    return NULL;
  }
  if (!e.p) return calloc(1, 1);
  return e.p;
}

static bool canonical_query(buf *b, const char *raw, const char **why) {
  if (!raw || !*raw) return true;
  size_t n = 1;
  for (const char *p = raw; *p; p++) n += *p == '&';
  qpair *v = calloc(n, sizeof *v);
  if (!v) return false;
  size_t k = 0;
  bool ok = true, bad = false;
  for (const char *p = raw; ok;) {
    const char *amp = strchr(p, '&');
    size_t l = amp ? (size_t)(amp - p) : strlen(p);
    const char *eq = memchr(p, '=', l);
    size_t kl = eq ? (size_t)(eq - p) : l;
    v[k].k = reencode(p, kl, &bad);
    v[k].v = eq ? reencode(eq + 1, l - kl - 1, &bad) : calloc(1, 1);
    if (!v[k].k || !v[k].v) ok = false;
    k++;
    if (!amp) break;
    p = amp + 1;
  }
  if (ok && bad) {
    *why = "malformed percent-encoding in the query string";
    ok = false;
  }
  if (ok) {
    qsort(v, k, sizeof *v, cmp_pair);
    for (size_t i = 0; i < k; i++) {
      if (i) putc_(b, '&');
      puts_(b, v[i].k);
      putc_(b, '=');
      puts_(b, v[i].v);
    }
  }
  for (size_t i = 0; i < k; i++) {
    free(v[i].k);
    free(v[i].v);
  }
  free(v);
  return ok;
}

/* Trimall: strip, collapse runs of whitespace to one space. */
static void trimall(buf *b, const char *s) {
  bool space = false, any = false;
  for (; *s; s++) {
    if (*s == ' ' || *s == '\t') {
      space = any;
      continue;
    }
    if (space) putc_(b, ' ');
    space = false;
    any = true;
    putc_(b, *s);
  }
}

static bool canonical_headers(buf *b, const serve_sigv4_request *r,
                              const serve_sigv4_auth *a, const char **why) {
  const char *sh = a->signed_headers;
  bool host = false;
  while (*sh) {
    const char *semi = strchr(sh, ';');
    size_t l = semi ? (size_t)(semi - sh) : strlen(sh);
    char name[128];
    if (l == 0 || l >= sizeof name) {
      *why = "SignedHeaders has an empty or overlong name";
      return false;
    }
    memcpy(name, sh, l);
    name[l] = 0;
    if (strcmp(name, "host") == 0) host = true;
    const char *vals[16];
    size_t nv = r->header(r->header_ud, name, vals, 16);
    if (nv == 0) {
      *why = "a header listed in SignedHeaders is missing from the request";
      return false;
    }
    if (nv > 16) nv = 16;
    puts_(b, name);
    putc_(b, ':');
    for (size_t i = 0; i < nv; i++) {
      if (i) putc_(b, ',');
      trimall(b, vals[i]);
    }
    putc_(b, '\n');
    if (!semi) break;
    sh = semi + 1;
  }
  if (!host) {
    *why = "SignedHeaders must include host";
    return false;
  }
  return true;
}

char *serve_sigv4_canonical_request(const serve_sigv4_request *r,
                                    const serve_sigv4_auth *a, const char **why) {
  buf b = {0};
  *why = NULL;
  puts_(&b, r->method);
  putc_(&b, '\n');
  if (!canonical_uri(&b, r->raw_path)) goto fail;
  putc_(&b, '\n');
  if (!canonical_query(&b, r->raw_query, why)) goto fail;
  putc_(&b, '\n');
  if (!canonical_headers(&b, r, a, why)) goto fail;
  putc_(&b, '\n');
  puts_(&b, a->signed_headers);
  putc_(&b, '\n');
  char h[65];
  serve_sigv4_sha256_hex(r->body, r->body_len, h);
  puts_(&b, h);
  if (b.failed) goto fail;
  return b.p;
fail:
  if (!*why) *why = "out of memory";
  free(b.p);
  return NULL;
}

bool serve_sigv4_signature(const serve_sigv4_request *r, const serve_sigv4_auth *a,
                           const char *amz_date, const char *secret, char out[65],
                           const char **why) {
  out[0] = 0;
  char *cr = serve_sigv4_canonical_request(r, a, why);
  if (!cr) return false;
  char crh[65];
  serve_sigv4_sha256_hex(cr, strlen(cr), crh);
  free(cr);
  char sts[512];
  int n = snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s",
                   amz_date, a->date, a->region, a->service, crh);
  if (n < 0 || (size_t)n >= sizeof sts) {
    *why = "credential scope too long";
    return false;
  }
  char k0[300];
  int kn = snprintf(k0, sizeof k0, "AWS4%s", secret);
  if (kn < 0 || (size_t)kn >= sizeof k0) {
    *why = "secret too long";
    return false;
  }
  unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
  hmac(k0, (size_t)kn, a->date, strlen(a->date), k1);
  hmac(k1, 32, a->region, strlen(a->region), k2);
  hmac(k2, 32, a->service, strlen(a->service), k3);
  hmac(k3, 32, "aws4_request", 12, k4);
  hmac(k4, 32, sts, (size_t)n, sig);
  OPENSSL_cleanse(k0, sizeof k0);
  OPENSSL_cleanse(k1, sizeof k1);
  OPENSSL_cleanse(k2, sizeof k2);
  OPENSSL_cleanse(k3, sizeof k3);
  OPENSSL_cleanse(k4, sizeof k4);
  to_hex(sig, 32, out);
  return true;
}

bool serve_sigv4_equal(const char *a, const char *b) {
  if (strlen(a) != 64 || strlen(b) != 64) return false;
  return CRYPTO_memcmp(a, b, 64) == 0;
}
