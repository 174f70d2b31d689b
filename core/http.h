/* HTTP for collectors: one request through libcurl, with provider auth
 * (AWS SigV4 by libcurl's own signer, bearer tokens), retries with
 * backoff that honour Retry-After, and a cap on the response size. */
#ifndef NHI_HTTP_H
#define NHI_HTTP_H

#include "nhi.h"

#include <stddef.h>
#include <time.h>

enum nhi_http_auth {
  NHI_HTTP_AUTH_NONE = 0,
  NHI_HTTP_AUTH_BEARER,
  NHI_HTTP_AUTH_SIGV4,
  NHI_HTTP_AUTH_HEADER          /* the token in a header of its own */
};

/* What SigV4 signs with; strings borrowed. session_token may be NULL. */
struct nhi_http_sigv4 {
  const char *region;
  const char *service;
  const char *access_key_id;
  const char *secret_access_key;
  const char *session_token;
};

/* One request. Every string is borrowed for the duration of the call.
 * Headers are "Name: value" lines; Authorization and X-Amz-Date are the
 * signer's and refused when auth is set, and so is the header a
 * NHI_HTTP_AUTH_HEADER request carries its token in (x-api-key). With
 * SigV4 the query string is rewritten sorted and RFC 3986 encoded (what
 * is sent is what is signed), and an S3 request gets its
 * x-amz-content-sha256 header. */
struct nhi_http_request {
  const char *method;          /* "GET" when NULL */
  const char *url;             /* http:// or https:// only */
  const char *const *headers;
  size_t nheaders;
  const char *body;            /* NULL for none */
  size_t body_len;
  enum nhi_http_auth auth;
  const char *bearer;          /* NHI_HTTP_AUTH_BEARER, and the token of
                                  NHI_HTTP_AUTH_HEADER */
  const char *auth_header;     /* NHI_HTTP_AUTH_HEADER: its name */
  struct nhi_http_sigv4 sigv4; /* NHI_HTTP_AUTH_SIGV4 */
  const char *label;           /* names the call in messages, or NULL */
  const char *log_prefix;      /* who is asking (plugin id), or NULL */
};

/* A response header; the name is lowercased. */
struct nhi_http_header {
  char *name;
  char *value;
};

/* What came back; everything owned (nhi_http_response_clear). */
struct nhi_http_response {
  long status;                 /* 0 when no response arrived */
  char *body;                  /* NUL-terminated; len bytes */
  size_t len;
  struct nhi_http_header *headers;
  size_t nheaders;
  int attempts;                /* requests sent */
  long waited_ms;              /* time spent backing off */
  char *error;                 /* why no response arrived, or NULL */
};

/* Whether a response deserves another attempt (nonzero: retry). */
typedef int (*nhi_http_retry_fn)(void *ud,
                                 const struct nhi_http_response *r);

/* How hard to try. nhi_http_policy_default fills the defaults. */
struct nhi_http_policy {
  int max_attempts;            /* 1 = never retry */
  long base_delay_ms;          /* first backoff; doubles each time */
  long max_delay_ms;           /* cap on any wait, Retry-After included */
  long connect_timeout_ms;
  long timeout_ms;             /* whole transfer */
  size_t max_body;             /* larger responses fail */
  nhi_http_retry_fn retryable; /* NULL: nhi_http_retry_default */
  void *retry_ud;
};

/* Time as the client sees it; tests replace it so they never wait. */
struct nhi_http_clock {
  void (*sleep_ms)(void *ud, long ms);
  time_t (*now)(void *ud);
  void *ud;
};

/* A client: one libcurl handle, reused so connections stay open. */
struct nhi_http;

/* Creates a client with the real clock. *out is the caller's
 * (nhi_http_free). Returns NHI_OK or NHI_ERR_NOMEM/NHI_ERR_INTERNAL
 * (logged). */
enum nhi_rc nhi_http_new(struct nhi_http **out);

/* Frees the client; NULL is ignored. */
void nhi_http_free(struct nhi_http *h);

/* Replaces the client's clock (copied). */
void nhi_http_set_clock(struct nhi_http *h, const struct nhi_http_clock *c);

/* Defaults: 4 attempts, 250 ms first backoff, 20 s cap, 10 s to
 * connect, 120 s per transfer, 64 MiB of body. */
void nhi_http_policy_default(struct nhi_http_policy *p);

/* Sends req, retrying what pol->retryable calls transient (and
 * transport failures: refused or cut connections, timeouts) with
 * exponential backoff and jitter, or the server's Retry-After, each wait
 * capped. *resp (zeroed first) holds the last response, whatever its
 * status. Logs nothing but retries (at info level): the caller decides
 * what a failure means. Returns NHI_OK when a response arrived;
 * NHI_ERR_IO when none did (resp->error says why, naming the URL without
 * its query); NHI_ERR_INPUT for a request it refuses (resp->error);
 * NHI_ERR_NOMEM. */
enum nhi_rc nhi_http_send(struct nhi_http *h,
                          const struct nhi_http_request *req,
                          const struct nhi_http_policy *pol,
                          struct nhi_http_response *resp);

/* Frees what *r holds and zeroes it. */
void nhi_http_response_clear(struct nhi_http_response *r);

/* The value of response header name (lowercase), or NULL. */
const char *nhi_http_header(const struct nhi_http_response *r,
                            const char *name);

/* The default judgement: 429, 500, 502, 503 and 504 are transient, and
 * so is any 4xx whose AWS error code says throttling (Throttling,
 * ThrottlingException, TooManyRequestsException, SlowDown...). */
int nhi_http_retry_default(void *ud, const struct nhi_http_response *r);

/* True when code is one of AWS's throttling error codes. */
int nhi_http_is_throttling_code(const char *code);

/* The error code an AWS error body names: XML <Code>, JSON "__type"
 * (after any '#'), "code" or "Code". Returns a malloc'd string the
 * caller frees, or NULL when there is none (or memory ran out). */
char *nhi_http_error_code(const char *body, size_t len);

/* The AWS error code of a response: its x-amzn-ErrorType header, else
 * what nhi_http_error_code finds in the body. Malloc'd, or NULL. */
char *nhi_http_response_code(const struct nhi_http_response *r);

/* Milliseconds a Retry-After value asks for (delta seconds or an HTTP
 * date, judged against now); -1 when value is NULL or unreadable. */
long nhi_http_retry_after_ms(const char *value, time_t now);

/* scheme://host[:port]/path of url, without credentials, query or
 * fragment, for messages. Returns a malloc'd string, NULL on failure. */
char *nhi_http_url_for_humans(const char *url);

/* Percent-encodes len bytes of s as RFC 3986 requires (unreserved
 * characters kept, hex digits upper case). Returns a malloc'd string,
 * NULL on failure. */
char *nhi_http_encode(const char *s, size_t len);

/* query (without '?') rewritten as SigV4 signs it: each parameter's key
 * and value percent-decoded and re-encoded per RFC 3986, a missing '='
 * added, parameters sorted by key then value. Returns a malloc'd
 * string, NULL on failure. */
char *nhi_http_canonical_query(const char *query);

#endif
