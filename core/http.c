/* HTTP for collectors: libcurl requests with SigV4 or bearer auth,
 * retries with backoff and jitter, Retry-After, and a size cap. */
#include "http.h"
#include "strutil.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>
#include <curl/curl.h>
#include <openssl/evp.h>

/* More response headers than this are dropped: no API sends so many. */
#define MAX_HEADERS 256

struct nhi_http {
  CURL *curl;
  struct nhi_http_clock clock;
  uint64_t rng;                /* jitter; xorshift state */
  char errbuf[CURL_ERROR_SIZE];
};

/* What one request needs beyond the caller's struct, built once. */
struct prepared {
  char *url;                   /* as sent (canonical query with SigV4) */
  char *human_url;             /* for messages */
  char *sigv4;                 /* "aws:amz:REGION:SERVICE" */
  struct curl_slist *headers;
};

/* How an attempt ended when no response arrived. */
struct transport {
  CURLcode code;
  curl_off_t received;         /* body bytes before the failure */
  int too_big;
};

/* The body being received, capped. */
struct sink {
  struct nhi_http_response *resp;
  size_t cap, max;
  int too_big, nomem;
};

static void real_sleep(void *ud, long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

  (void)ud;
  while (nanosleep(&ts, &ts) != 0)
    ;
}

static time_t real_now(void *ud)
{
  (void)ud;
  return time(NULL);
}

enum nhi_rc nhi_http_new(struct nhi_http **out)
{
  struct nhi_http *h = calloc(1, sizeof *h);

  *out = NULL;
  if (!h) {
    nhi_error("out of memory");
    return NHI_ERR_NOMEM;
  }
  h->curl = curl_easy_init();
  if (!h->curl) {
    nhi_error("cannot start libcurl");
    free(h);
    return NHI_ERR_INTERNAL;
  }
  h->clock.sleep_ms = real_sleep;
  h->clock.now = real_now;
  h->rng = ((uint64_t)time(NULL) << 20) ^ (uint64_t)(uintptr_t)h ^
           0x9E3779B97F4A7C15ULL;
  *out = h;
  return NHI_OK;
}

void nhi_http_free(struct nhi_http *h)
{
  if (!h)
    return;
  curl_easy_cleanup(h->curl);
  free(h);
}

void nhi_http_set_clock(struct nhi_http *h, const struct nhi_http_clock *c)
{
  h->clock = *c;
}

void nhi_http_policy_default(struct nhi_http_policy *p)
{
  memset(p, 0, sizeof *p);
  p->max_attempts = 4;
  p->base_delay_ms = 250;
  p->max_delay_ms = 20000;
  p->connect_timeout_ms = 10000;
  p->timeout_ms = 120000;
  p->max_body = (size_t)64 << 20;
}

void nhi_http_response_clear(struct nhi_http_response *r)
{
  for (size_t i = 0; i < r->nheaders; i++) {
    free(r->headers[i].name);
    free(r->headers[i].value);
  }
  free(r->headers);
  free(r->body);
  free(r->error);
  memset(r, 0, sizeof *r);
}

const char *nhi_http_header(const struct nhi_http_response *r,
                            const char *name)
{
  for (size_t i = r->nheaders; i > 0; i--)
    if (strcmp(r->headers[i - 1].name, name) == 0)
      return r->headers[i - 1].value;
  return NULL;
}

/* ---- strings: URLs, encoding, canonical queries ---- */

static int is_unreserved(unsigned char c)
{
  return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

char *nhi_http_encode(const char *s, size_t len)
{
  static const char hex[] = "0123456789ABCDEF";
  char *out = malloc(len * 3 + 1), *o = out;

  if (!out)
    return NULL;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];

    if (is_unreserved(c)) {
      *o++ = (char)c;
    } else {
      *o++ = '%';
      *o++ = hex[c >> 4];
      *o++ = hex[c & 15];
    }
  }
  *o = '\0';
  return out;
}

static int hex_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c = (char)tolower((unsigned char)c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes %XX escapes of s[0..len) into a new string; *out_len gets its
 * length. '+' stays '+': SigV4 reads it literally. */
static char *percent_decode(const char *s, size_t len, size_t *out_len)
{
  char *out = malloc(len + 1);
  size_t n = 0;

  if (!out)
    return NULL;
  for (size_t i = 0; i < len; i++) {
    int hi, lo;

    if (s[i] == '%' && i + 2 < len &&
        (hi = hex_value(s[i + 1])) >= 0 &&
        (lo = hex_value(s[i + 2])) >= 0) {
      out[n++] = (char)(hi << 4 | lo);
      i += 2;
    } else {
      out[n++] = s[i];
    }
  }
  out[n] = '\0';
  *out_len = n;
  return out;
}

/* One part of a query string, re-encoded. */
static char *reencode(const char *s, size_t len)
{
  size_t n;
  char *raw = percent_decode(s, len, &n), *out;

  if (!raw)
    return NULL;
  out = nhi_http_encode(raw, n);
  free(raw);
  return out;
}

struct param {
  char *key;
  char *value;
};

static int by_key_value(const void *a, const void *b)
{
  const struct param *x = a, *y = b;
  int c = strcmp(x->key, y->key);

  return c ? c : strcmp(x->value, y->value);
}

/* Splits query on '&' into params (re-encoded); returns the count or
 * (size_t)-1 when memory ran out. */
static size_t split_query(const char *query, struct param *params)
{
  size_t n = 0;
  const char *p = query;

  while (*p) {
    const char *end = strchr(p, '&'), *eq;
    size_t len = end ? (size_t)(end - p) : strlen(p);

    if (len) {
      eq = memchr(p, '=', len);
      params[n].key = reencode(p, eq ? (size_t)(eq - p) : len);
      params[n].value = eq ? reencode(eq + 1, len - (size_t)(eq - p) - 1)
                           : strdup("");
      n++;
      if (!params[n - 1].key || !params[n - 1].value)
        return (size_t)-1;
    }
    p += len + (end ? 1 : 0);
  }
  return n;
}

static char *join_params(const struct param *params, size_t n)
{
  size_t size = 1, off = 0;
  char *out;

  for (size_t i = 0; i < n; i++)
    size += strlen(params[i].key) + strlen(params[i].value) + 2;
  out = malloc(size);
  if (!out)
    return NULL;
  out[0] = '\0';
  for (size_t i = 0; i < n; i++)
    off += (size_t)snprintf(out + off, size - off, "%s%s=%s",
                            i ? "&" : "", params[i].key, params[i].value);
  return out;
}

static void free_params(struct param *params, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(params[i].key);
    free(params[i].value);
  }
  free(params);
}

char *nhi_http_canonical_query(const char *query)
{
  size_t most = 1, n;
  struct param *params;
  char *out = NULL;

  for (const char *p = query; *p; p++)
    most += *p == '&';
  params = calloc(most, sizeof *params);
  if (!params)
    return NULL;
  n = split_query(query, params);
  if (n != (size_t)-1) {
    qsort(params, n, sizeof *params, by_key_value);
    out = join_params(params, n);
  }
  free_params(params, n == (size_t)-1 ? most : n);
  return out;
}

char *nhi_http_url_for_humans(const char *url)
{
  const char *scheme_end = strstr(url, "://"), *host, *end, *at, *path;
  size_t plen;

  if (!scheme_end)
    return strdup("(not a URL)");
  host = scheme_end + 3;
  end = host + strcspn(host, "/?#");
  at = host;
  for (const char *p = host; p < end; p++)
    if (*p == '@')
      at = p + 1;
  path = end;
  plen = *path == '/' ? strcspn(path, "?#") : 0;
  return nhi_aprintf("%.*s%.*s%.*s", (int)(host - url), url,
                     (int)(end - at), at, (int)plen, path);
}

/* ---- AWS error codes and Retry-After ---- */

int nhi_http_is_throttling_code(const char *code)
{
  static const char *const codes[] = {
    "Throttling", "ThrottlingException", "ThrottledException",
    "RequestThrottledException", "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "RequestThrottled", "SlowDown",
    "PriorRequestNotComplete", "EC2ThrottledException", "RequestTimeout",
    "RequestTimeoutException", NULL
  };

  for (const char *const *c = codes; code && *c; c++)
    if (strcmp(*c, code) == 0)
      return 1;
  return 0;
}

/* The text between <Code> and </Code>, if the body has one. */
static char *xml_code(const char *body, size_t len)
{
  const char *open = NULL, *close;

  for (size_t i = 0; i + 6 <= len && !open; i++)
    if (memcmp(body + i, "<Code>", 6) == 0)
      open = body + i + 6;
  if (!open)
    return NULL;
  for (close = open; close + 7 <= body + len; close++)
    if (memcmp(close, "</Code>", 7) == 0)
      return strndup(open, (size_t)(close - open));
  return NULL;
}

/* "ns#Code" or "Code:detail" gives "Code". */
static char *bare_code(const char *s)
{
  const char *hash = strrchr(s, '#');

  if (hash)
    s = hash + 1;
  return strndup(s, strcspn(s, ":"));
}

static char *json_code(const char *body, size_t len)
{
  cJSON *root = cJSON_ParseWithLength(body, len), *v, *err;
  char *code = NULL;

  if (!root)
    return NULL;
  err = cJSON_GetObjectItemCaseSensitive(root, "Error");
  v = cJSON_GetObjectItemCaseSensitive(root, "__type");
  if (!cJSON_IsString(v))
    v = cJSON_GetObjectItemCaseSensitive(root, "code");
  if (!cJSON_IsString(v))
    v = cJSON_GetObjectItemCaseSensitive(root, "Code");
  if (!cJSON_IsString(v) && cJSON_IsObject(err))
    v = cJSON_GetObjectItemCaseSensitive(err, "Code");
  if (cJSON_IsString(v) && v->valuestring[0])
    code = bare_code(v->valuestring);
  cJSON_Delete(root);
  return code;
}

char *nhi_http_error_code(const char *body, size_t len)
{
  size_t i = 0;

  if (!body)
    return NULL;
  while (i < len && isspace((unsigned char)body[i]))
    i++;
  if (i < len && body[i] == '{')
    return json_code(body + i, len - i);
  return xml_code(body + i, len - i);
}

char *nhi_http_response_code(const struct nhi_http_response *r)
{
  const char *t = nhi_http_header(r, "x-amzn-errortype");

  if (t && *t)
    return bare_code(t);
  return nhi_http_error_code(r->body, r->len);
}

int nhi_http_retry_default(void *ud, const struct nhi_http_response *r)
{
  char *code;
  int throttled;

  (void)ud;
  if (r->status == 429 || r->status == 500 || r->status == 502 ||
      r->status == 503 || r->status == 504)
    return 1;
  if (r->status < 400)
    return 0;
  code = nhi_http_response_code(r);
  throttled = nhi_http_is_throttling_code(code);
  free(code);
  return throttled;
}

long nhi_http_retry_after_ms(const char *value, time_t now)
{
  const char *p = value;
  long secs = 0;
  time_t when;

  if (!value)
    return -1;
  while (*p == ' ' || *p == '\t')
    p++;
  if (isdigit((unsigned char)*p)) {
    for (; isdigit((unsigned char)*p); p++)
      secs = secs < 100000000L ? secs * 10 + (*p - '0') : secs;
    while (*p == ' ' || *p == '\t')
      p++;
    return *p ? -1 : secs * 1000;
  }
  when = curl_getdate(p, NULL);
  if (when == -1)
    return -1;
  return when > now ? (long)(when - now) * 1000 : 0;
}

/* ---- receiving ---- */

static void clear_headers(struct nhi_http_response *r)
{
  for (size_t i = 0; i < r->nheaders; i++) {
    free(r->headers[i].name);
    free(r->headers[i].value);
  }
  free(r->headers);
  r->headers = NULL;
  r->nheaders = 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
  struct sink *s = ud;
  struct nhi_http_response *r = s->resp;
  size_t len = size * n, cap;
  char *grown;

  if (len > s->max - r->len) {
    s->too_big = 1;
    return 0;
  }
  if (r->len + len + 1 > s->cap) {
    for (cap = s->cap ? s->cap : 16384; cap < r->len + len + 1; cap *= 2)
      ;
    grown = realloc(r->body, cap);
    if (!grown) {
      s->nomem = 1;
      return 0;
    }
    r->body = grown;
    s->cap = cap;
  }
  memcpy(r->body + r->len, data, len);
  r->len += len;
  r->body[r->len] = '\0';
  return len;
}

/* Keeps "Name: value" lines of the final response; a status line starts
 * a new response (after a 100 Continue, say). */
static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
  struct sink *s = ud;
  struct nhi_http_response *r = s->resp;
  size_t len = size * n;
  const char *colon = memchr(data, ':', len), *v, *end = data + len;
  struct nhi_http_header *grown;
  char *name, *value;

  if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
    clear_headers(r);
    return len;
  }
  if (!colon || colon == data || r->nheaders >= MAX_HEADERS)
    return len;
  while (end > colon + 1 && isspace((unsigned char)end[-1]))
    end--;
  for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
    ;
  grown = realloc(r->headers, (r->nheaders + 1) * sizeof *grown);
  name = strndup(data, (size_t)(colon - data));
  value = strndup(v, (size_t)(end - v));
  if (grown)
    r->headers = grown;
  if (!grown || !name || !value) {
    free(name);
    free(value);
    s->nomem = 1;
    return 0;
  }
  for (char *c = name; *c; c++)
    *c = (char)tolower((unsigned char)*c);
  r->headers[r->nheaders].name = name;
  r->headers[r->nheaders++].value = value;
  return len;
}

/* ---- preparing a request ---- */

static enum nhi_rc refuse(struct nhi_http_response *resp, char *msg)
{
  resp->error = msg;
  return msg ? NHI_ERR_INPUT : NHI_ERR_NOMEM;
}

static int valid_method(const char *m)
{
  size_t n = strlen(m);

  if (n == 0 || n > 16)
    return 0;
  for (; *m; m++)
    if (*m < 'A' || *m > 'Z')
      return 0;
  return 1;
}

/* A SigV4 scope part: it lands between ':' in libcurl's option. */
static int valid_scope(const char *s)
{
  if (!s || !*s)
    return 0;
  for (; *s; s++)
    if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
        *s != '-')
      return 0;
  return 1;
}

static int is_header(const char *line, const char *name)
{
  size_t n = strlen(name);

  return strncasecmp(line, name, n) == 0 && line[n] == ':';
}

/* The name and token of NHI_HTTP_AUTH_HEADER make one header line. */
static int valid_token_header(const struct nhi_http_request *req)
{
  const char *n = req->auth_header;

  if (!n || !*n || strcasecmp(n, "authorization") == 0)
    return 0;
  for (; *n; n++)
    if (!isalnum((unsigned char)*n) && *n != '-')
      return 0;
  return !req->bearer || !strpbrk(req->bearer, "\r\n");
}

/* A header line the caller may send: "Token: value", no line breaks,
 * nothing the signer owns. */
static const char *check_header(const struct nhi_http_request *req,
                                const char *line)
{
  size_t name = strcspn(line, ":");

  if (name == 0 || !line[name] || strpbrk(line, "\r\n"))
    return "is not a 'Name: value' line";
  for (size_t i = 0; i < name; i++)
    if (!isalnum((unsigned char)line[i]) && !strchr("!#$%&'*+-.^_`|~",
                                                      line[i]))
      return "has a bad name";
  if (req->auth != NHI_HTTP_AUTH_NONE && is_header(line, "authorization"))
    return "is set by the auth mode";
  if (req->auth == NHI_HTTP_AUTH_HEADER && req->auth_header &&
      is_header(line, req->auth_header))
    return "is set by the auth mode";
  if (req->auth == NHI_HTTP_AUTH_SIGV4 &&
      (is_header(line, "x-amz-date") ||
       is_header(line, "x-amz-security-token") ||
       is_header(line, "x-amz-content-sha256")))
    return "is set by the SigV4 signer";
  return NULL;
}

static enum nhi_rc check_request(const struct nhi_http_request *req,
                                 struct nhi_http_response *resp)
{
  const char *m = req->method ? req->method : "GET", *why;
  const struct nhi_http_sigv4 *s = &req->sigv4;

  if (!req->url || (strncasecmp(req->url, "http://", 7) &&
                    strncasecmp(req->url, "https://", 8)))
    return refuse(resp, nhi_aprintf("'%s' is not an http:// or https:// "
                                    "URL", req->url ? req->url : ""));
  if (!valid_method(m))
    return refuse(resp, nhi_aprintf("'%s' is not an HTTP method", m));
  if (req->body && (!strcmp(m, "GET") || !strcmp(m, "HEAD")))
    return refuse(resp, nhi_aprintf("a %s request cannot carry a body",
                                    m));
  for (size_t i = 0; i < req->nheaders; i++)
    if ((why = check_header(req, req->headers[i])) != NULL)
      return refuse(resp, nhi_aprintf(
        "header '%.*s' %s", (int)strcspn(req->headers[i], ":\r\n"),
        req->headers[i], why));
  if (req->auth == NHI_HTTP_AUTH_BEARER && (!req->bearer || !*req->bearer))
    return refuse(resp, nhi_aprintf("bearer auth needs a token"));
  if (req->auth == NHI_HTTP_AUTH_HEADER && (!valid_token_header(req) ||
                                            !req->bearer || !*req->bearer))
    return refuse(resp, nhi_aprintf("header auth needs a header name "
                                    "(letters, digits, '-') and a token "
                                    "of one line"));
  if (req->auth == NHI_HTTP_AUTH_SIGV4 &&
      (!valid_scope(s->region) || !valid_scope(s->service) ||
       !s->access_key_id || !*s->access_key_id ||
       !s->secret_access_key || !*s->secret_access_key))
    return refuse(resp, nhi_aprintf("SigV4 needs a region and a service "
                                    "(lowercase letters, digits, '-') "
                                    "and credentials"));
  return NHI_OK;
}

/* The URL to send: with SigV4, the query in the canonical form libcurl
 * will sign as given. */
static char *sent_url(const struct nhi_http_request *req)
{
  const char *q = strchr(req->url, '?');
  size_t base = q ? (size_t)(q - req->url) : strcspn(req->url, "#");
  char *query, *canon, *url;

  if (req->auth != NHI_HTTP_AUTH_SIGV4 || !q)
    return strndup(req->url, strcspn(req->url, "#"));
  query = strndup(q + 1, strcspn(q + 1, "#"));
  canon = query ? nhi_http_canonical_query(query) : NULL;
  url = canon ? nhi_aprintf("%.*s%s%s", (int)base, req->url,
                            *canon ? "?" : "", canon) : NULL;
  free(query);
  free(canon);
  return url;
}

static int append(struct curl_slist **list, const char *line)
{
  struct curl_slist *grown = curl_slist_append(*list, line);

  if (!grown)
    return 0;
  *list = grown;
  return 1;
}

/* Frees a header list after wiping it: it may hold a session token. */
static void wipe_headers(struct curl_slist *list)
{
  for (struct curl_slist *l = list; l; l = l->next)
    explicit_bzero(l->data, strlen(l->data));
  curl_slist_free_all(list);
}

static char *payload_hash_header(const char *body, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  char text[2 * EVP_MAX_MD_SIZE + 1];

  if (!EVP_Digest(body ? body : "", len, md, &n, EVP_sha256(), NULL))
    return NULL;
  for (unsigned int i = 0; i < n; i++) {
    text[2 * i] = hex[md[i] >> 4];
    text[2 * i + 1] = hex[md[i] & 15];
  }
  text[2 * n] = '\0';
  return nhi_aprintf("x-amz-content-sha256: %s", text);
}

/* Headers SigV4 adds: the session token (signed, as AWS wants) and, for
 * S3, the payload hash S3 insists on. */
static int add_sigv4_headers(const struct nhi_http_request *req,
                             struct curl_slist **list)
{
  const struct nhi_http_sigv4 *s = &req->sigv4;
  char *line;
  int ok = 1;

  if (s->session_token && *s->session_token) {
    line = nhi_aprintf("X-Amz-Security-Token: %s", s->session_token);
    ok = line && append(list, line);
    if (line)
      explicit_bzero(line, strlen(line));
    free(line);
  }
  if (ok && strcmp(s->service, "s3") == 0) {
    line = payload_hash_header(req->body, req->body_len);
    ok = line && append(list, line);
    free(line);
  }
  return ok;
}

/* "Name: token", wiped once copied into the list (which is wiped too). */
static int add_token_header(const struct nhi_http_request *req,
                            struct curl_slist **list)
{
  char *line = nhi_aprintf("%s: %s", req->auth_header, req->bearer);
  int ok = line && append(list, line);

  if (line)
    explicit_bzero(line, strlen(line));
  free(line);
  return ok;
}

static void free_prepared(struct prepared *p)
{
  free(p->url);
  free(p->human_url);
  free(p->sigv4);
  wipe_headers(p->headers);
  memset(p, 0, sizeof *p);
}

static enum nhi_rc prepare(const struct nhi_http_request *req,
                           struct prepared *p,
                           struct nhi_http_response *resp)
{
  enum nhi_rc rc = check_request(req, resp);
  int ok;

  if (rc)
    return rc;
  p->url = sent_url(req);
  p->human_url = nhi_http_url_for_humans(req->url);
  ok = p->url && p->human_url;
  for (size_t i = 0; ok && i < req->nheaders; i++)
    ok = append(&p->headers, req->headers[i]);
  if (ok && req->auth == NHI_HTTP_AUTH_HEADER)
    ok = add_token_header(req, &p->headers);
  if (ok && req->auth == NHI_HTTP_AUTH_SIGV4) {
    p->sigv4 = nhi_aprintf("aws:amz:%s:%s", req->sigv4.region,
                           req->sigv4.service);
    ok = p->sigv4 && add_sigv4_headers(req, &p->headers);
  }
  return ok ? NHI_OK : NHI_ERR_NOMEM;
}

/* ---- sending ---- */

#define SET(opt, val)                                                   \
  do {                                                                  \
    if (e == CURLE_OK)                                                  \
      e = curl_easy_setopt(c, opt, val);                                \
  } while (0)

static CURLcode set_method(CURL *c, const struct nhi_http_request *req)
{
  const char *m = req->method ? req->method : "GET";
  CURLcode e = CURLE_OK;

  if (strcmp(m, "GET") == 0) {
    SET(CURLOPT_HTTPGET, 1L);
  } else if (strcmp(m, "HEAD") == 0) {
    SET(CURLOPT_NOBODY, 1L);
  } else {
    if (strcmp(m, "POST") == 0 || req->body) {
      SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
      SET(CURLOPT_POSTFIELDS, req->body ? req->body : "");
    }
    if (strcmp(m, "POST") != 0)
      SET(CURLOPT_CUSTOMREQUEST, m);
  }
  return e;
}

static CURLcode set_auth(CURL *c, const struct nhi_http_request *req,
                         const struct prepared *p)
{
  CURLcode e = CURLE_OK;

  if (req->auth == NHI_HTTP_AUTH_SIGV4) {
    SET(CURLOPT_AWS_SIGV4, p->sigv4);
    SET(CURLOPT_USERNAME, req->sigv4.access_key_id);
    SET(CURLOPT_PASSWORD, req->sigv4.secret_access_key);
  } else if (req->auth == NHI_HTTP_AUTH_BEARER) {
    SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
    SET(CURLOPT_XOAUTH2_BEARER, req->bearer);
  }
  return e;
}

static CURLcode set_options(struct nhi_http *h,
                            const struct nhi_http_request *req,
                            const struct nhi_http_policy *pol,
                            const struct prepared *p, struct sink *s)
{
  CURL *c = h->curl;
  CURLcode e = CURLE_OK;

  SET(CURLOPT_URL, p->url);
  SET(CURLOPT_PROTOCOLS_STR, "http,https");
  SET(CURLOPT_NOSIGNAL, 1L);
  SET(CURLOPT_ERRORBUFFER, h->errbuf);
  SET(CURLOPT_USERAGENT, "nhiscope/" NHI_VERSION);
  SET(CURLOPT_ACCEPT_ENCODING, "");
  SET(CURLOPT_CONNECTTIMEOUT_MS, pol->connect_timeout_ms);
  SET(CURLOPT_TIMEOUT_MS, pol->timeout_ms);
  SET(CURLOPT_WRITEFUNCTION, on_body);
  SET(CURLOPT_WRITEDATA, s);
  SET(CURLOPT_HEADERFUNCTION, on_header);
  SET(CURLOPT_HEADERDATA, s);
  SET(CURLOPT_HTTPHEADER, p->headers);
  if (e == CURLE_OK)
    e = set_method(c, req);
  if (e == CURLE_OK)
    e = set_auth(c, req, p);
  return e;
}

#undef SET

/* One request. A response of any status is NHI_OK with t->code 0; a
 * transport failure is NHI_OK with t->code set. */
static enum nhi_rc attempt(struct nhi_http *h,
                           const struct nhi_http_request *req,
                           const struct nhi_http_policy *pol,
                           const struct prepared *p,
                           struct nhi_http_response *resp,
                           struct transport *t)
{
  struct sink s = { resp, 0, pol->max_body, 0, 0 };
  CURLcode e;

  free(resp->body);
  resp->body = NULL;
  resp->len = 0;
  resp->status = 0;
  clear_headers(resp);
  memset(t, 0, sizeof *t);
  curl_easy_reset(h->curl);
  h->errbuf[0] = '\0';
  e = set_options(h, req, pol, p, &s);
  if (e != CURLE_OK) {
    resp->error = nhi_aprintf("libcurl refused an option: %s",
                              curl_easy_strerror(e));
    return NHI_ERR_INTERNAL;
  }
  e = curl_easy_perform(h->curl);
  if (s.nomem)
    return NHI_ERR_NOMEM;
  if (e == CURLE_OK) {
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &resp->status);
    return NHI_OK;
  }
  t->code = e;
  t->too_big = s.too_big;
  t->received = (curl_off_t)resp->len;
  return NHI_OK;
}

/* Transport failures worth another try. */
static int transient(const struct transport *t)
{
  switch (t->code) {
  case CURLE_COULDNT_CONNECT: case CURLE_OPERATION_TIMEDOUT:
  case CURLE_PARTIAL_FILE: case CURLE_RECV_ERROR: case CURLE_SEND_ERROR:
  case CURLE_GOT_NOTHING: case CURLE_SSL_CONNECT_ERROR:
  case CURLE_HTTP2: case CURLE_HTTP2_STREAM:
    return !t->too_big;
  default:
    return 0;
  }
}

static char *transport_message(const struct nhi_http *h,
                               const struct transport *t,
                               const struct nhi_http_policy *pol)
{
  const char *detail = h->errbuf[0] ? h->errbuf
                                    : curl_easy_strerror(t->code);

  if (t->too_big)
    return nhi_aprintf("the response is larger than %zu bytes",
                       pol->max_body);
  switch (t->code) {
  case CURLE_PARTIAL_FILE: case CURLE_RECV_ERROR: case CURLE_GOT_NOTHING:
    if (t->received > 0)
      return nhi_aprintf("the connection was cut after %lld bytes of the "
                         "response (%s)", (long long)t->received, detail);
    return nhi_aprintf("the connection was cut before a response (%s)",
                       detail);
  case CURLE_COULDNT_CONNECT:
    return nhi_aprintf("cannot connect (%s)", detail);
  case CURLE_OPERATION_TIMEDOUT:
    return nhi_aprintf("timed out (%s)", detail);
  default:
    return nhi_aprintf("%s", detail);
  }
}

static uint64_t next_random(struct nhi_http *h)
{
  h->rng ^= h->rng << 13;
  h->rng ^= h->rng >> 7;
  h->rng ^= h->rng << 17;
  return h->rng;
}

/* Exponential backoff with jitter: half the step, plus up to half. */
static long backoff_ms(struct nhi_http *h, const struct nhi_http_policy *pol,
                       int n)
{
  long step = pol->base_delay_ms > 0 ? pol->base_delay_ms : 1;

  for (int i = 1; i < n && step < pol->max_delay_ms; i++)
    step *= 2;
  if (step > pol->max_delay_ms)
    step = pol->max_delay_ms;
  return step / 2 + (long)(next_random(h) % (uint64_t)(step / 2 + 1));
}

static char *retry_reason(const struct nhi_http *h,
                          const struct nhi_http_response *resp,
                          const struct transport *t,
                          const struct nhi_http_policy *pol)
{
  char *code, *why;

  if (t->code)
    return transport_message(h, t, pol);
  code = nhi_http_response_code(resp);
  why = nhi_aprintf("HTTP %ld%s%s", resp->status, code ? " " : "",
                    code ? code : "");
  free(code);
  return why;
}

/* Waits before attempt n + 1: the server's Retry-After when it gave one,
 * else the backoff; never more than the policy's cap. */
static void back_off(struct nhi_http *h, const struct nhi_http_request *req,
                     const struct nhi_http_policy *pol,
                     const struct prepared *p,
                     struct nhi_http_response *resp,
                     const struct transport *t, int n)
{
  long wait = -1;
  char *why;

  if (!t->code)
    wait = nhi_http_retry_after_ms(nhi_http_header(resp, "retry-after"),
                                   h->clock.now(h->clock.ud));
  if (wait < 0)
    wait = backoff_ms(h, pol, n);
  if (wait > pol->max_delay_ms)
    wait = pol->max_delay_ms;
  why = retry_reason(h, resp, t, pol);
  nhi_logp(NHI_LOG_INFO, req->log_prefix,
           "%s: %s; retrying in %ld ms (attempt %d of %d)",
           req->label ? req->label : p->human_url, why ? why : "failed",
           wait, n + 1, pol->max_attempts);
  free(why);
  h->clock.sleep_ms(h->clock.ud, wait);
  resp->waited_ms += wait;
}

static char *failure_message(const struct nhi_http *h,
                             const struct nhi_http_request *req,
                             const struct prepared *p,
                             const struct transport *t,
                             const struct nhi_http_policy *pol, int n)
{
  char *why = transport_message(h, t, pol), *msg;

  if (!why)
    return NULL;
  msg = nhi_aprintf("%s%scannot fetch '%s': %s (%d attempt%s)",
                    req->label ? req->label : "", req->label ? ": " : "",
                    p->human_url, why, n, n == 1 ? "" : "s");
  free(why);
  return msg;
}

enum nhi_rc nhi_http_send(struct nhi_http *h,
                          const struct nhi_http_request *req,
                          const struct nhi_http_policy *pol,
                          struct nhi_http_response *resp)
{
  struct prepared p = { 0 };
  struct transport t = { 0 };
  nhi_http_retry_fn retryable = pol->retryable ? pol->retryable
                                               : nhi_http_retry_default;
  enum nhi_rc rc;
  int n = 0, again;

  memset(resp, 0, sizeof *resp);
  rc = prepare(req, &p, resp);
  while (!rc) {
    rc = attempt(h, req, pol, &p, resp, &t);
    resp->attempts = ++n;
    if (rc)
      break;
    nhi_logp(NHI_LOG_DEBUG, req->log_prefix, "%s %s: %s %ld, %zu bytes",
             req->method ? req->method : "GET", p.human_url,
             t.code ? "failed" : "HTTP", resp->status, resp->len);
    again = t.code ? transient(&t) : retryable(pol->retry_ud, resp);
    if (!again || n >= pol->max_attempts)
      break;
    back_off(h, req, pol, &p, resp, &t, n);
  }
  if (!rc && t.code) {
    resp->error = failure_message(h, req, &p, &t, pol, n);
    rc = resp->error ? NHI_ERR_IO : NHI_ERR_NOMEM;
  }
  free_prepared(&p);
  return rc;
}
