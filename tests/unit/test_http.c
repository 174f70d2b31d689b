/* Unit tests for the HTTP layer: string helpers, retry judgements, and
 * requests against a scripted server on a local socket. */
#define _GNU_SOURCE  /* strcasestr */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"

#define MAX_SCRIPT 6

/* A server that answers connection i with script[i] and closes it. */
struct server {
  int fd, port;
  const char *script[MAX_SCRIPT];
  size_t n;
  char *requests[MAX_SCRIPT];   /* what each connection sent */
  size_t served;
  pthread_t thread;
};

/* Reads one request: headers, then Content-Length bytes of body. */
static char *read_request(int c)
{
  size_t cap = 65536, len = 0, want = 0;
  char *buf = calloc(1, cap), *end;

  while (buf && len < cap - 1) {
    ssize_t got = recv(c, buf + len, cap - 1 - len, 0);

    if (got <= 0)
      break;
    len += (size_t)got;
    buf[len] = '\0';
    end = strstr(buf, "\r\n\r\n");
    if (!end)
      continue;
    if (!want) {
      const char *cl = strcasestr(buf, "\r\ncontent-length:");

      want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 17, NULL, 10)
                                           : 0);
    }
    if (len >= want)
      break;
  }
  return buf;
}

static void *serve(void *arg)
{
  struct server *s = arg;

  for (size_t i = 0; i < s->n; i++) {
    struct pollfd p = { s->fd, POLLIN, 0 };
    int c;

    if (poll(&p, 1, 5000) != 1)
      break;
    c = accept(s->fd, NULL, NULL);
    if (c < 0)
      break;
    s->requests[i] = read_request(c);
    if (send(c, s->script[i], strlen(s->script[i]), MSG_NOSIGNAL) < 0)
      fprintf(stderr, "test server: send failed\n");
    shutdown(c, SHUT_RDWR);
    close(c);
    s->served++;
  }
  return NULL;
}

static void server_start(struct server *s)
{
  struct sockaddr_in a = { .sin_family = AF_INET };
  socklen_t len = sizeof a;

  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  s->fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(s->fd >= 0);
  assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(listen(s->fd, 8), 0);
  assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
  s->port = ntohs(a.sin_port);
  assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(struct server *s)
{
  pthread_join(s->thread, NULL);
  close(s->fd);
}

/* Frees the requests the server kept. */
static void server_free(struct server *s)
{
  for (size_t i = 0; i < MAX_SCRIPT; i++)
    free(s->requests[i]);
}

/* A clock that records waits instead of sleeping. */
struct fake_clock {
  long waits[MAX_SCRIPT];
  size_t n;
};

static void fake_sleep(void *ud, long ms)
{
  struct fake_clock *c = ud;

  if (c->n < MAX_SCRIPT)
    c->waits[c->n++] = ms;
}

static time_t fake_now(void *ud)
{
  (void)ud;
  return 1796115600;  /* 2026-12-01T09:00:00Z */
}

/* A client with the fake clock; tests free it. */
static struct nhi_http *client(struct fake_clock *fc)
{
  struct nhi_http_clock c = { fake_sleep, fake_now, fc };
  struct nhi_http *h = NULL;

  assert_int_equal(nhi_http_new(&h), NHI_OK);
  nhi_http_set_clock(h, &c);
  return h;
}

static char *url_of(const struct server *s, const char *rest)
{
  char *url = malloc(strlen(rest) + 64);

  assert_non_null(url);
  sprintf(url, "http://127.0.0.1:%d%s", s->port, rest);
  return url;
}

#define OK_HELLO "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n" \
  "x-amzn-RequestId: req-1\r\nConnection: close\r\n\r\nhello"

/* ---- string helpers ---- */

static void test_canonical_query(void **state)
{
  char *q = nhi_http_canonical_query("b=2&tagging&a=x y&a=%7e1&c=%2f+");

  assert_string_equal(q, "a=x%20y&a=~1&b=2&c=%2F%2B&tagging=");
  free(q);
  q = nhi_http_canonical_query("a.b=1&a=2&&");
  assert_string_equal(q, "a=2&a.b=1");
  free(q);
  q = nhi_http_canonical_query("");
  assert_string_equal(q, "");
  free(q);
  q = nhi_http_canonical_query("bad=%zz%4");
  assert_string_equal(q, "bad=%25zz%254");
  free(q);
}

static void test_encode(void **state)
{
  char *e = nhi_http_encode("AZaz09-_.~ /+=&\xc3\xa9", 17);

  assert_string_equal(e, "AZaz09-_.~%20%2F%2B%3D%26%C3%A9");
  free(e);
}

static void test_url_for_humans(void **state)
{
  char *u = nhi_http_url_for_humans("https://user:pw@host.example:8443/a/b"
                                    "?X-Amz-Signature=abc#frag");

  assert_string_equal(u, "https://host.example:8443/a/b");
  free(u);
  u = nhi_http_url_for_humans("http://127.0.0.1:9?x=1");
  assert_string_equal(u, "http://127.0.0.1:9");
  free(u);
}

static void test_retry_after(void **state)
{
  time_t now = 1796115600;  /* Tue, 01 Dec 2026 09:00:00 GMT */

  assert_int_equal(nhi_http_retry_after_ms("3", now), 3000);
  assert_int_equal(nhi_http_retry_after_ms(" 0 ", now), 0);
  assert_int_equal(nhi_http_retry_after_ms(
    "Tue, 01 Dec 2026 09:00:05 GMT", now), 5000);
  assert_int_equal(nhi_http_retry_after_ms(
    "Tue, 01 Dec 2026 08:00:00 GMT", now), 0);
  assert_int_equal(nhi_http_retry_after_ms("soon", now), -1);
  assert_int_equal(nhi_http_retry_after_ms("3x", now), -1);
  assert_int_equal(nhi_http_retry_after_ms(NULL, now), -1);
}

static void expect_code(const char *body, const char *want)
{
  char *code = nhi_http_error_code(body, strlen(body));

  if (!want) {
    assert_null(code);
    return;
  }
  assert_non_null(code);
  assert_string_equal(code, want);
  free(code);
}

static void test_error_codes(void **state)
{
  expect_code("<ErrorResponse><Error><Type>Sender</Type><Code>Throttling"
              "</Code></Error></ErrorResponse>", "Throttling");
  expect_code(" {\"__type\": \"com.amazon.coral.availability#"
              "ThrottlingException\", \"message\": \"x\"}",
              "ThrottlingException");
  expect_code("{\"Error\":{\"Code\":\"AccessDenied\",\"Type\":\"Sender\"}}",
              "AccessDenied");
  expect_code("{\"code\":\"TooManyRequestsException:detail\"}",
              "TooManyRequestsException");
  expect_code("<Error><Message>no code</Message></Error>", NULL);
  expect_code("{not json", NULL);
}

static int judged(long status, const char *body, const char *type)
{
  struct nhi_http_header h = { "x-amzn-errortype", (char *)type };
  struct nhi_http_response r = { .status = status, .body = (char *)body,
                                 .len = strlen(body) };

  if (type) {
    r.headers = &h;
    r.nheaders = 1;
  }
  return nhi_http_retry_default(NULL, &r);
}

static void test_retry_default(void **state)
{
  assert_true(judged(429, "", NULL));
  assert_true(judged(500, "", NULL));
  assert_true(judged(503, "", NULL));
  assert_false(judged(501, "", NULL));
  assert_false(judged(200, "<Code>Throttling</Code>", NULL));
  assert_true(judged(400, "<Code>Throttling</Code>", NULL));
  assert_true(judged(400, "{}", "ThrottlingException:http://internal"));
  assert_false(judged(400, "<Code>ValidationError</Code>", NULL));
  assert_false(judged(403, "<Code>AccessDenied</Code>", NULL));
  assert_false(judged(404, "", NULL));
}

/* ---- requests ---- */

static void test_response_and_headers(void **state)
{
  struct server s = { .script = { OK_HELLO }, .n = 1 };
  struct fake_clock fc = { .n = 0 };
  struct nhi_http *h;
  struct nhi_http_response r;
  struct nhi_http_policy pol;
  const char *hdrs[] = { "Accept: application/json" };
  char *url;

  server_start(&s);
  h = client(&fc);
  url = url_of(&s, "/x?b=2&a=1");
  nhi_http_policy_default(&pol);
  struct nhi_http_request req = { .method = "POST", .url = url,
                                  .headers = hdrs, .nheaders = 1,
                                  .body = "k=v", .body_len = 3 };
  assert_int_equal(nhi_http_send(h, &req, &pol, &r), NHI_OK);
  server_stop(&s);
  assert_int_equal(r.status, 200);
  assert_int_equal(r.len, 5);
  assert_string_equal(r.body, "hello");
  assert_int_equal(r.attempts, 1);
  assert_string_equal(nhi_http_header(&r, "x-amzn-requestid"), "req-1");
  assert_null(nhi_http_header(&r, "retry-after"));
  assert_non_null(strstr(s.requests[0], "POST /x?b=2&a=1 HTTP/1.1\r\n"));
  assert_non_null(strstr(s.requests[0], "\r\nAccept: application/json"));
  assert_non_null(strstr(s.requests[0], "\r\n\r\nk=v"));
  assert_null(strcasestr(s.requests[0], "authorization"));
  nhi_http_response_clear(&r);
  nhi_http_free(h);
  server_free(&s);
  free(url);
}

static void test_retry_after_then_success(void **state)
{
  struct server s = { .script = {
    "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\n"
    "Content-Length: 0\r\nConnection: close\r\n\r\n", OK_HELLO }, .n = 2 };
  struct fake_clock fc = { .n = 0 };
  struct nhi_http_policy pol;
  struct nhi_http_response r;
  struct nhi_http *h;
  char *url;

  server_start(&s);
  h = client(&fc);
  url = url_of(&s, "/");
  nhi_http_policy_default(&pol);
  struct nhi_http_request req = { .url = url };
  assert_int_equal(nhi_http_send(h, &req, &pol, &r), NHI_OK);
  server_stop(&s);
  assert_int_equal(r.status, 200);
  assert_int_equal(r.attempts, 2);
  assert_int_equal(fc.n, 1);
  assert_int_equal(fc.waits[0], 2000);
  assert_int_equal(r.waited_ms, 2000);
  nhi_http_response_clear(&r);
  nhi_http_free(h);
  server_free(&s);
  free(url);
}

static void test_backoff_gives_up(void **state)
{
  const char *busy = "HTTP/1.1 503 Service Unavailable\r\n"
    "Retry-After: 3600\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  struct server s = { .script = { busy, busy, busy,
    "HTTP/1.1 400 Bad Request\r\nContent-Length: 38\r\n"
    "Connection: close\r\n\r\n<Error><Code>Throttling</Code></Error>" },
    .n = 4 };
  struct fake_clock fc = { .n = 0 };
  struct nhi_http_policy pol;
  struct nhi_http_response r;
  struct nhi_http *h;
  char *url;

  server_start(&s);
  h = client(&fc);
  url = url_of(&s, "/");
  nhi_http_policy_default(&pol);
  pol.max_delay_ms = 1500;
  struct nhi_http_request req = { .url = url };
  assert_int_equal(nhi_http_send(h, &req, &pol, &r), NHI_OK);
  server_stop(&s);
  assert_int_equal(r.status, 400);
  assert_int_equal(r.attempts, 4);
  assert_int_equal(fc.n, 3);
  for (size_t i = 0; i < fc.n; i++)
    assert_int_equal(fc.waits[i], 1500);  /* Retry-After, capped */
  nhi_http_response_clear(&r);
  nhi_http_free(h);
  server_free(&s);
  free(url);
}

static void test_backoff_grows(void **state)
{
  const char *failure = "HTTP/1.1 500 Internal Server Error\r\n"
    "Content-Length: 0\r\nConnection: close\r\n\r\n";
  struct server s = { .script = { failure, failure, failure }, .n = 3 };
  struct fake_clock fc = { .n = 0 };
  struct nhi_http_policy pol;
  struct nhi_http_response r;
  struct nhi_http *h;
  char *url;

  server_start(&s);
  h = client(&fc);
  url = url_of(&s, "/");
  nhi_http_policy_default(&pol);
  pol.max_attempts = 3;
  pol.base_delay_ms = 100;
  struct nhi_http_request req = { .url = url };
  assert_int_equal(nhi_http_send(h, &req, &pol, &r), NHI_OK);
  server_stop(&s);
  assert_int_equal(r.status, 500);
  assert_int_equal(fc.n, 2);
  assert_in_range(fc.waits[0], 50, 100);
  assert_in_range(fc.waits[1], 100, 200);
  nhi_http_response_clear(&r);
  nhi_http_free(h);
  server_free(&s);
  free(url);
}

static void test_cut_connection(void **state)
{
  const char *cut = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
    "Connection: close\r\n\r\n0123456789";
  struct server s = { .script = { cut, cut }, .n = 2 };
  struct fake_clock fc = { .n = 0 };
  struct nhi_http_policy pol;
  struct nhi_http_response r;
  struct nhi_http *h;
  char *url, *want;

  server_start(&s);
  h = client(&fc);
  url = url_of(&s, "/page?Marker=secret-ish");
  want = url_of(&s, "/page'");
  nhi_http_policy_default(&pol);
  pol.max_attempts = 2;
  struct nhi_http_request req = { .url = url, .label = "iam:Thing" };
  assert_int_equal(nhi_http_send(h, &req, &pol, &r), NHI_ERR_IO);
  server_stop(&s);
  assert_int_equal(r.attempts, 2);
  assert_int_equal(fc.n, 1);
  assert_non_null(r.error);
  assert_non_null(strstr(r.error, "iam:Thing: cannot fetch '"));
  assert_non_null(strstr(r.error, want));
  assert_non_null(strstr(r.error, "connection was cut after 10 bytes"));
  assert_non_null(strstr(r.error, "(2 attempts)"));
  assert_null(strstr(r.error, "Marker"));
  nhi_http_response_clear(&r);
  nhi_http_free(h);
  server_free(&s);
  free(url);
  free(want);
}

static void test_body_cap(void **state)
{
  struct server s = { .script = { OK_HELLO }, .n = 1 };
  struct fake_clock fc = { .n = 0 };
  struct nhi_http_policy pol;
  struct nhi_http_response r;
  struct nhi_http *h;
  char *url;

  server_start(&s);
  h = client(&fc);
  url = url_of(&s, "/");
  nhi_http_policy_default(&pol);
  pol.max_body = 4;
  struct nhi_http_request req = { .url = url };
  assert_int_equal(nhi_http_send(h, &req, &pol, &r), NHI_ERR_IO);
  server_stop(&s);
  assert_int_equal(r.attempts, 1);
  assert_non_null(strstr(r.error, "larger than 4 bytes"));
  nhi_http_response_clear(&r);
  nhi_http_free(h);
  server_free(&s);
  free(url);
}

static void test_connection_refused(void **state)
{
  struct server s = { .n = 0 };
  struct fake_clock fc = { .n = 0 };
  struct nhi_http_policy pol;
  struct nhi_http_response r;
  struct nhi_http *h;
  char *url;

  server_start(&s);
  server_stop(&s);  /* nothing listens on the port any more */
  h = client(&fc);
  url = url_of(&s, "/");
  nhi_http_policy_default(&pol);
  pol.max_attempts = 3;
  struct nhi_http_request req = { .url = url };
  assert_int_equal(nhi_http_send(h, &req, &pol, &r), NHI_ERR_IO);
  assert_int_equal(r.attempts, 3);
  assert_int_equal(fc.n, 2);
  assert_non_null(strstr(r.error, "cannot connect"));
  nhi_http_response_clear(&r);
  nhi_http_free(h);
  server_free(&s);
  free(url);
}

static void expect_refused(const struct nhi_http_request *req,
                           const char *why)
{
  struct fake_clock fc = { .n = 0 };
  struct nhi_http *h = client(&fc);
  struct nhi_http_policy pol;
  struct nhi_http_response r;

  nhi_http_policy_default(&pol);
  assert_int_equal(nhi_http_send(h, req, &pol, &r), NHI_ERR_INPUT);
  assert_int_equal(r.attempts, 0);
  assert_non_null(r.error);
  assert_non_null(strstr(r.error, why));
  nhi_http_response_clear(&r);
  nhi_http_free(h);
}

static void test_refused_requests(void **state)
{
  const char *crlf[] = { "X-A: 1\r\nX-B: 2" };
  const char *auth[] = { "Authorization: Basic eA==" };
  const char *date[] = { "X-Amz-Date: 20261201T090000Z" };
  struct nhi_http_sigv4 v4 = { "us-east-1", "iam", "AKID", "secret", NULL };
  struct nhi_http_request r1 = { .url = "file:///etc/passwd" };
  struct nhi_http_request r2 = { .url = "http://x/", .headers = crlf,
                                 .nheaders = 1 };
  struct nhi_http_request r3 = { .url = "http://x/", .headers = auth,
                                 .nheaders = 1, .auth = NHI_HTTP_AUTH_BEARER,
                                 .bearer = "t" };
  struct nhi_http_request r4 = { .url = "http://x/", .headers = date,
                                 .nheaders = 1, .auth = NHI_HTTP_AUTH_SIGV4,
                                 .sigv4 = v4 };
  struct nhi_http_request r5 = { .url = "http://x/", .body = "x",
                                 .body_len = 1 };
  struct nhi_http_request r6 = { .url = "http://x/",
                                 .auth = NHI_HTTP_AUTH_SIGV4, .sigv4 = v4 };

  expect_refused(&r1, "not an http:// or https:// URL");
  expect_refused(&r2, "is not a 'Name: value' line");
  expect_refused(&r3, "is set by the auth mode");
  expect_refused(&r4, "is set by the SigV4 signer");
  expect_refused(&r5, "a GET request cannot carry a body");
  r6.sigv4.region = "us:east";
  expect_refused(&r6, "SigV4 needs a region");
}

static void test_sigv4_request(void **state)
{
  struct server s = { .script = { OK_HELLO }, .n = 1 };
  struct fake_clock fc = { .n = 0 };
  struct nhi_http_policy pol;
  struct nhi_http_response r;
  struct nhi_http *h;
  char *url, *req_text;

  server_start(&s);
  h = client(&fc);
  url = url_of(&s, "/bucket?tagging&b=x y");
  nhi_http_policy_default(&pol);
  struct nhi_http_request req = {
    .url = url, .auth = NHI_HTTP_AUTH_SIGV4,
    .sigv4 = { "eu-west-1", "s3", "AKIDEXAMPLE", "wJalrXUtnFEMI/SECRET",
               "session-token-value" } };
  assert_int_equal(nhi_http_send(h, &req, &pol, &r), NHI_OK);
  server_stop(&s);
  req_text = s.requests[0];
  assert_non_null(strstr(req_text, "GET /bucket?b=x%20y&tagging= HTTP"));
  assert_non_null(strstr(req_text, "Authorization: AWS4-HMAC-SHA256 "
                         "Credential=AKIDEXAMPLE/"));
  assert_non_null(strstr(req_text, "/eu-west-1/s3/aws4_request, "
                         "SignedHeaders=host;x-amz-content-sha256;"
                         "x-amz-date;x-amz-security-token, Signature="));
  assert_non_null(strstr(req_text, "\r\nX-Amz-Security-Token: "
                         "session-token-value\r\n"));
  assert_non_null(strstr(req_text, "\r\nx-amz-content-sha256: e3b0c44298fc"
                         "1c149afbf4c8996fb92427ae41e4649b934ca495991b7852"
                         "b855\r\n"));
  assert_null(strstr(req_text, "wJalrXUtnFEMI"));
  nhi_http_response_clear(&r);
  nhi_http_free(h);
  server_free(&s);
  free(url);
}

static void test_bearer_request(void **state)
{
  struct server s = { .script = { OK_HELLO }, .n = 1 };
  struct fake_clock fc = { .n = 0 };
  struct nhi_http_policy pol;
  struct nhi_http_response r;
  struct nhi_http *h;
  char *url;

  server_start(&s);
  h = client(&fc);
  url = url_of(&s, "/v1/me");
  nhi_http_policy_default(&pol);
  struct nhi_http_request req = { .url = url, .auth = NHI_HTTP_AUTH_BEARER,
                                  .bearer = "tok-123" };
  assert_int_equal(nhi_http_send(h, &req, &pol, &r), NHI_OK);
  server_stop(&s);
  assert_non_null(strstr(s.requests[0], "\r\nAuthorization: Bearer "
                         "tok-123\r\n"));
  nhi_http_response_clear(&r);
  nhi_http_free(h);
  server_free(&s);
  free(url);
}

/* Header auth: the token goes in its own header; the caller may not set
 * that header, and the name must be a plain header name. */
static void test_header_auth_request(void **state)
{
  struct server s = { .script = { OK_HELLO }, .n = 1 };
  struct fake_clock fc = { .n = 0 };
  const char *extra[] = { "anthropic-version: 2023-06-01" };
  const char *clash[] = { "X-Api-Key: mine" };
  struct nhi_http_policy pol;
  struct nhi_http_response r;
  struct nhi_http *h;
  char *url;

  server_start(&s);
  h = client(&fc);
  url = url_of(&s, "/v1/organizations/api_keys");
  nhi_http_policy_default(&pol);
  struct nhi_http_request req = { .url = url, .headers = extra,
                                  .nheaders = 1, .auth = NHI_HTTP_AUTH_HEADER,
                                  .auth_header = "x-api-key",
                                  .bearer = "sk-ant-admin01-unit" };
  assert_int_equal(nhi_http_send(h, &req, &pol, &r), NHI_OK);
  server_stop(&s);
  assert_non_null(strstr(s.requests[0], "\r\nx-api-key: "
                         "sk-ant-admin01-unit\r\n"));
  assert_non_null(strstr(s.requests[0], "\r\nanthropic-version: "
                         "2023-06-01\r\n"));
  assert_null(strstr(s.requests[0], "Authorization:"));
  nhi_http_response_clear(&r);
  nhi_http_free(h);
  server_free(&s);
  free(url);
  req.url = "http://x/";
  req.headers = clash;
  expect_refused(&req, "is set by the auth mode");
  req.headers = NULL;
  req.nheaders = 0;
  req.auth_header = "x-api-key: evil";
  expect_refused(&req, "header auth needs a header name");
  req.auth_header = "Authorization";
  expect_refused(&req, "header auth needs a header name");
  req.auth_header = "x-api-key";
  req.bearer = "a\r\nX-Evil: 1";
  expect_refused(&req, "header auth needs a header name");
  req.bearer = NULL;
  expect_refused(&req, "header auth needs a header name");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_canonical_query),
    cmocka_unit_test(test_encode),
    cmocka_unit_test(test_url_for_humans),
    cmocka_unit_test(test_retry_after),
    cmocka_unit_test(test_error_codes),
    cmocka_unit_test(test_retry_default),
    cmocka_unit_test(test_response_and_headers),
    cmocka_unit_test(test_retry_after_then_success),
    cmocka_unit_test(test_backoff_gives_up),
    cmocka_unit_test(test_backoff_grows),
    cmocka_unit_test(test_cut_connection),
    cmocka_unit_test(test_body_cap),
    cmocka_unit_test(test_connection_refused),
    cmocka_unit_test(test_refused_requests),
    cmocka_unit_test(test_sigv4_request),
    cmocka_unit_test(test_bearer_request),
    cmocka_unit_test(test_header_auth_request),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
