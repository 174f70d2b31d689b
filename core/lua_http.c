/* nhi.http, nhi.aws and nhi.xml for collectors, and the ctx methods
 * ctx:save_raw. Secrets stay in C: Lua holds AWS credentials and API
 * keys read from the environment only as opaque handles. */
#define _XOPEN_SOURCE 700  /* nftw */
#include "lua_http.h"
#include "aws_credentials.h"
#include "digest.h"
#include "http.h"
#include "lua_api.h"
#include "sandbox.h"
#include "strutil.h"
#include "timeutil.h"
#include "xml.h"

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>

#define CLIENT_MT "nhi.http.client"
#define CLIENT_KEY "nhi.http.client.instance"
#define RESPONSE_MT "nhi.http.response"
#define CREDS_MT "nhi.aws.credentials"
#define XML_MT "nhi.xml.tree"
#define SECRET_MT "nhi.http.secret"
#define SETTING_PREFIX "NHISCOPE_"
#define RAW_CLEARED_KEY "nhi.raw.cleared"

/* Bounds on what a plugin may ask for. */
#define MAX_ATTEMPTS 10
#define MAX_BODY ((lua_Integer)512 << 20)
#define MAX_TIMEOUT_S 3600
#define MAX_RAW_NAME 255

static const lua_Integer default_retry_on[] = { 429, 500, 502, 503, 504 };

/* Gives the userdata on top of the stack the metatable name (created
 * with gc and hidden from getmetatable on first use). */
static void set_meta(lua_State *L, const char *name, lua_CFunction gc)
{
  if (luaL_newmetatable(L, name)) {
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__gc");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_setmetatable(L, -2);
}

/* Raises unless a collector's run is calling. */
static void require_collector(lua_State *L, const char *fn)
{
  struct nhi_sandbox *sb = nhi_sandbox_of(L);
  const struct nhi_run *run = sb ? sb->host : NULL;

  if (!run || !run->plugin || run->plugin->kind != NHI_PLUGIN_COLLECTOR)
    luaL_error(L, "%s: only a collector's run may reach the network "
               "(checks read the evidence store)", fn);
}

static const char *speaker(lua_State *L)
{
  struct nhi_sandbox *sb = nhi_sandbox_of(L);

  return sb ? sb->name : NULL;
}

/* ---- the client, one per Lua state ---- */

struct client_box {
  struct nhi_http *h;
};

static int client_gc(lua_State *L)
{
  struct client_box *b = luaL_checkudata(L, 1, CLIENT_MT);

  nhi_http_free(b->h);
  b->h = NULL;
  return 0;
}

static struct nhi_http *client(lua_State *L)
{
  struct client_box *b;

  if (lua_getfield(L, LUA_REGISTRYINDEX, CLIENT_KEY) == LUA_TUSERDATA) {
    b = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return b->h;
  }
  lua_pop(L, 1);
  b = lua_newuserdatauv(L, sizeof *b, 0);
  b->h = NULL;
  set_meta(L, CLIENT_MT, client_gc);
  if (nhi_http_new(&b->h) != NHI_OK)
    luaL_error(L, "nhi.http: cannot start the HTTP client");
  lua_setfield(L, LUA_REGISTRYINDEX, CLIENT_KEY);
  return b->h;
}

/* ---- reading the request table ---- */

/* Raises unless every key of the table at idx is in allowed. */
static void check_keys(lua_State *L, int idx, const char *const *allowed,
                       const char *what)
{
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING ||
        nhi_vocab_index(allowed, lua_tostring(L, -1)) < 0)
      luaL_error(L, "%s: unknown field '%s'", what,
                 luaL_tolstring(L, -1, NULL));
  }
}

/* An optional string field; the table keeps it alive. */
static const char *opt_string(lua_State *L, int idx, const char *field,
                              size_t *len, const char *what)
{
  const char *s = NULL;

  if (lua_getfield(L, idx, field) != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "%s: field '%s' must be a string", what, field);
    s = lua_tolstring(L, -1, len);
  }
  lua_pop(L, 1);
  return s;
}

static lua_Integer opt_integer(lua_State *L, int idx, const char *field,
                               lua_Integer def, lua_Integer lo,
                               lua_Integer hi, const char *what)
{
  lua_Integer v = def;
  int ok = 1;

  if (lua_getfield(L, idx, field) != LUA_TNIL) {
    v = lua_tointegerx(L, -1, &ok);
    if (!ok || v < lo || v > hi)
      luaL_error(L, "%s: field '%s' must be an integer from %I to %I",
                 what, field, lo, hi);
  }
  lua_pop(L, 1);
  return v;
}

/* Pushes the table field (absolute index) or raises when it is neither
 * nil nor a table; returns its index, or 0 (nothing pushed) for nil. */
static int opt_table(lua_State *L, int idx, const char *field,
                     const char *what)
{
  int t = lua_getfield(L, idx, field);

  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  if (t != LUA_TTABLE)
    luaL_error(L, "%s: field '%s' must be a table", what, field);
  return lua_gettop(L);
}

/* headers = { Name = "value" }: "Name: value" lines, kept alive by a
 * table left on the stack. */
static void read_headers(lua_State *L, int idx,
                         struct nhi_http_request *req)
{
  const char **lines;
  size_t n = 0;
  int anchor;

  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    n++;
  }
  lines = lua_newuserdatauv(L, (n ? n : 1) * sizeof *lines, 0);
  lua_createtable(L, (int)n, 0);
  anchor = lua_gettop(L);
  n = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "nhi.http.request: headers: names and values must "
                 "be strings");
    lines[n] = lua_pushfstring(L, "%s: %s", lua_tostring(L, -2),
                               lua_tostring(L, -1));
    lua_rawseti(L, anchor, (lua_Integer)++n);
    lua_pop(L, 1);
  }
  req->headers = lines;
  req->nheaders = n;
}

struct classifier {
  const lua_Integer *on;
  size_t non;
  const char **codes;
  size_t ncodes;
};

/* Retries the statuses listed in retry.on, AWS throttling codes, and
 * the error codes listed in retry.codes. */
static int classify(void *ud, const struct nhi_http_response *r)
{
  const struct classifier *c = ud;
  char *code;
  int hit;

  for (size_t i = 0; i < c->non; i++)
    if (r->status == c->on[i])
      return 1;
  if (r->status < 400)
    return 0;
  code = nhi_http_response_code(r);
  hit = nhi_http_is_throttling_code(code);
  for (size_t i = 0; !hit && code && i < c->ncodes; i++)
    hit = strcmp(code, c->codes[i]) == 0;
  free(code);
  return hit;
}

static void read_retry_on(lua_State *L, int idx, struct classifier *c)
{
  lua_Integer *on;
  size_t n = lua_rawlen(L, idx);

  on = lua_newuserdatauv(L, (n ? n : 1) * sizeof *on, 0);
  for (size_t i = 0; i < n; i++) {
    int ok;

    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    on[i] = lua_tointegerx(L, -1, &ok);
    if (!ok || on[i] < 100 || on[i] > 599)
      luaL_error(L, "nhi.http.request: retry.on must list HTTP statuses");
    lua_pop(L, 1);
  }
  c->on = on;
  c->non = n;
}

static void read_retry_codes(lua_State *L, int idx, struct classifier *c)
{
  size_t n = lua_rawlen(L, idx);
  const char **codes = lua_newuserdatauv(L, (n ? n : 1) * sizeof *codes,
                                         0);

  for (size_t i = 0; i < n; i++) {
    if (lua_rawgeti(L, idx, (lua_Integer)i + 1) != LUA_TSTRING)
      luaL_error(L, "nhi.http.request: retry.codes must list strings");
    codes[i] = lua_tostring(L, -1);  /* the list keeps it alive */
    lua_pop(L, 1);
  }
  c->codes = codes;
  c->ncodes = n;
}

/* retry = false | { max=, on={...}, codes={...}, base_ms=, max_wait_ms= } */
static void read_retry(lua_State *L, int opts, struct nhi_http_policy *pol,
                       struct classifier *c)
{
  static const char *const keys[] = {
    "max", "on", "codes", "base_ms", "max_wait_ms", NULL
  };
  const char *what = "nhi.http.request: retry";
  int idx, sub;

  c->on = default_retry_on;
  c->non = sizeof default_retry_on / sizeof default_retry_on[0];
  if (lua_getfield(L, opts, "retry") == LUA_TBOOLEAN) {
    pol->max_attempts = lua_toboolean(L, -1) ? pol->max_attempts : 1;
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (!(idx = opt_table(L, opts, "retry", "nhi.http.request")))
    return;
  check_keys(L, idx, keys, what);
  pol->max_attempts = (int)opt_integer(L, idx, "max", pol->max_attempts, 1,
                                       MAX_ATTEMPTS, what);
  pol->base_delay_ms = (long)opt_integer(L, idx, "base_ms",
                                         pol->base_delay_ms, 1, 60000, what);
  pol->max_delay_ms = (long)opt_integer(L, idx, "max_wait_ms",
                                        pol->max_delay_ms, 1, 300000, what);
  if ((sub = opt_table(L, idx, "on", what)) != 0)
    read_retry_on(L, sub, c);
  if ((sub = opt_table(L, idx, "codes", what)) != 0)
    read_retry_codes(L, sub, c);
}

struct creds_box {
  struct nhi_aws_credentials *c;
};

struct secret_box {
  char *value;
  size_t len;
  char name[64];               /* the environment variable it came from */
};

/* auth.token: a string, or a handle from nhi.http.env_secret. */
static const char *read_token(lua_State *L, int idx, const char *what)
{
  struct secret_box *s;
  const char *t = NULL;

  lua_getfield(L, idx, "token");
  if (lua_type(L, -1) == LUA_TSTRING) {
    t = lua_tostring(L, -1);  /* the auth table keeps it alive */
  } else if ((s = luaL_testudata(L, -1, SECRET_MT)) != NULL) {
    t = s->value;
  } else if (!lua_isnil(L, -1)) {
    luaL_error(L, "%s: token must be a string or a handle from "
               "nhi.http.env_secret", what);
  }
  lua_pop(L, 1);
  if (!t)
    luaL_error(L, "%s: this auth type needs a token", what);
  return t;
}

static void read_sigv4(lua_State *L, int idx, struct nhi_http_request *req,
                       const char *what)
{
  struct creds_box *b;

  lua_getfield(L, idx, "credentials");
  b = luaL_testudata(L, -1, CREDS_MT);
  if (!b || !b->c)
    luaL_error(L, "%s: credentials must be a handle from "
               "nhi.aws.credentials", what);
  lua_pop(L, 1);
  req->auth = NHI_HTTP_AUTH_SIGV4;
  req->sigv4.access_key_id = b->c->access_key_id;
  req->sigv4.secret_access_key = b->c->secret_access_key;
  req->sigv4.session_token = b->c->session_token;
  req->sigv4.service = opt_string(L, idx, "service", NULL, what);
  req->sigv4.region = opt_string(L, idx, "region", NULL, what);
  if (!req->sigv4.region)
    req->sigv4.region = b->c->region;
}

/* auth = { type = "sigv4", service=, region=, credentials= }
 *      | { type = "bearer", token= } | { type = "header", name=, token= }
 *      | { type = "none" } */
static void read_auth(lua_State *L, int opts, struct nhi_http_request *req)
{
  static const char *const keys[] = {
    "type", "region", "service", "credentials", "token", "name", NULL
  };
  const char *what = "nhi.http.request: auth", *type;
  int idx = opt_table(L, opts, "auth", "nhi.http.request");

  if (!idx)
    return;
  check_keys(L, idx, keys, what);
  type = opt_string(L, idx, "type", NULL, what);
  if (!type || strcmp(type, "none") == 0)
    return;
  if (strcmp(type, "bearer") == 0) {
    req->auth = NHI_HTTP_AUTH_BEARER;
    req->bearer = read_token(L, idx, what);
    return;
  }
  if (strcmp(type, "header") == 0) {
    req->auth = NHI_HTTP_AUTH_HEADER;
    req->auth_header = opt_string(L, idx, "name", NULL, what);
    req->bearer = read_token(L, idx, what);
    return;
  }
  if (strcmp(type, "sigv4") != 0)
    luaL_error(L, "%s: type must be \"sigv4\", \"bearer\", \"header\" "
               "or \"none\"", what);
  read_sigv4(L, idx, req, what);
}

static void read_request(lua_State *L, struct nhi_http_request *req,
                         struct nhi_http_policy *pol, struct classifier *c)
{
  static const char *const keys[] = {
    "method", "url", "headers", "body", "auth", "retry", "timeout",
    "max_body", "label", NULL
  };
  const char *what = "nhi.http.request";
  int idx;

  check_keys(L, 1, keys, what);
  req->method = opt_string(L, 1, "method", NULL, what);
  req->url = opt_string(L, 1, "url", NULL, what);
  if (!req->url)
    luaL_error(L, "%s: field 'url' is required", what);
  req->body = opt_string(L, 1, "body", &req->body_len, what);
  req->label = opt_string(L, 1, "label", NULL, what);
  req->log_prefix = speaker(L);
  pol->timeout_ms = 1000 * (long)opt_integer(L, 1, "timeout",
                                             pol->timeout_ms / 1000, 1,
                                             MAX_TIMEOUT_S, what);
  pol->max_body = (size_t)opt_integer(L, 1, "max_body",
                                      (lua_Integer)pol->max_body, 1,
                                      MAX_BODY, what);
  if ((idx = opt_table(L, 1, "headers", what)) != 0)
    read_headers(L, idx, req);
  read_auth(L, 1, req);
  read_retry(L, 1, pol, c);
  pol->retryable = classify;
  pol->retry_ud = c;
}

/* ---- the response ---- */

struct response_box {
  struct nhi_http_response r;
  char *code;
};

static int response_gc(lua_State *L)
{
  struct response_box *b = luaL_checkudata(L, 1, RESPONSE_MT);

  nhi_http_response_clear(&b->r);
  free(b->code);
  b->code = NULL;
  return 0;
}

static void set_int(lua_State *L, const char *field, lua_Integer v)
{
  lua_pushinteger(L, v);
  lua_setfield(L, -2, field);
}

static void push_response(lua_State *L, struct response_box *b)
{
  const struct nhi_http_response *r = &b->r;

  lua_createtable(L, 0, 7);
  set_int(L, "status", r->status);
  set_int(L, "attempts", r->attempts);
  set_int(L, "waited_ms", r->waited_ms);
  lua_pushlstring(L, r->body ? r->body : "", r->len);
  lua_setfield(L, -2, "body");
  lua_createtable(L, 0, (int)r->nheaders);
  for (size_t i = 0; i < r->nheaders; i++) {
    lua_pushstring(L, r->headers[i].value);
    lua_setfield(L, -2, r->headers[i].name);
  }
  lua_setfield(L, -2, "headers");
  if (r->status >= 400 && (b->code = nhi_http_response_code(r)) != NULL) {
    lua_pushstring(L, b->code);
    lua_setfield(L, -2, "error_code");
  }
}

/* nhi.http.request{...} -> response, or nil, reason */
static int l_http_request(lua_State *L)
{
  struct nhi_http_request req;
  struct nhi_http_policy pol;
  struct classifier cls;
  struct response_box *b;
  struct nhi_http *h;
  enum nhi_rc rc;

  require_collector(L, "nhi.http.request");
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  luaL_checkstack(L, 32, "nhi.http.request");
  memset(&req, 0, sizeof req);
  memset(&cls, 0, sizeof cls);
  nhi_http_policy_default(&pol);
  read_request(L, &req, &pol, &cls);
  h = client(L);
  b = lua_newuserdatauv(L, sizeof *b, 0);
  memset(b, 0, sizeof *b);
  set_meta(L, RESPONSE_MT, response_gc);
  rc = nhi_http_send(h, &req, &pol, &b->r);
  if (rc == NHI_ERR_INPUT)
    return luaL_argerror(L, 1, b->r.error);
  if (rc == NHI_ERR_IO) {
    luaL_pushfail(L);
    lua_pushstring(L, b->r.error);
    return 2;
  }
  if (rc)
    return luaL_error(L, "nhi.http.request: %s", rc == NHI_ERR_NOMEM
                      ? "out of memory" : b->r.error ? b->r.error
                      : "libcurl failed");
  push_response(L, b);
  return 1;
}

/* ---- form encoding ---- */

static void add_encoded(luaL_Buffer *b, const char *s, size_t len)
{
  static const char hex[] = "0123456789ABCDEF";

  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];

    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      luaL_addchar(b, (char)c);
    } else {
      luaL_addchar(b, '%');
      luaL_addchar(b, hex[c >> 4]);
      luaL_addchar(b, hex[c & 15]);
    }
  }
}

/* Pushes the encoded form of the value at idx. */
static const char *push_encoded(lua_State *L, int idx)
{
  luaL_Buffer b;
  size_t len;
  const char *s;

  if (lua_type(L, idx) == LUA_TBOOLEAN)
    s = lua_toboolean(L, idx) ? "true" : "false";
  else if (lua_type(L, idx) == LUA_TSTRING ||
           lua_type(L, idx) == LUA_TNUMBER)
    s = lua_tostring(L, idx);
  else
    s = NULL;
  if (!s)
    luaL_error(L, "nhi.http.form: values must be strings, numbers or "
               "booleans");
  len = strlen(s);
  if (lua_type(L, idx) == LUA_TSTRING)
    s = lua_tolstring(L, idx, &len);
  luaL_buffinit(L, &b);
  add_encoded(&b, s, len);
  luaL_pushresult(&b);
  return lua_tostring(L, -1);
}

struct pair {
  const char *key, *value;
};

static int by_pair(const void *a, const void *b)
{
  const struct pair *x = a, *y = b;
  int c = strcmp(x->key, y->key);

  return c ? c : strcmp(x->value, y->value);
}

/* nhi.http.form{k = v} -> "k=v&..." sorted by key, RFC 3986 encoded:
 * the form SigV4 signs, for query strings and form bodies alike. */
static int l_http_form(lua_State *L)
{
  struct pair *pairs;
  luaL_Buffer b;
  size_t n = 0;
  int anchor;

  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    lua_pop(L, 1);
    n++;
  }
  pairs = lua_newuserdatauv(L, (n ? n : 1) * sizeof *pairs, 0);
  lua_createtable(L, (int)(2 * n), 0);
  anchor = lua_gettop(L);
  n = 0;
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    if (lua_type(L, -2) != LUA_TSTRING)
      luaL_error(L, "nhi.http.form: keys must be strings");
    pairs[n].key = push_encoded(L, -2);
    lua_rawseti(L, anchor, (lua_Integer)(2 * n + 1));
    pairs[n].value = push_encoded(L, -1);
    lua_rawseti(L, anchor, (lua_Integer)(2 * n + 2));
    lua_pop(L, 1);
    n++;
  }
  qsort(pairs, n, sizeof *pairs, by_pair);
  luaL_buffinit(L, &b);
  for (size_t i = 0; i < n; i++) {
    if (i)
      luaL_addchar(&b, '&');
    luaL_addstring(&b, pairs[i].key);
    luaL_addchar(&b, '=');
    luaL_addstring(&b, pairs[i].value);
  }
  luaL_pushresult(&b);
  return 1;
}

/* nhi.http.encode(s) -> s percent-encoded */
static int l_http_encode(lua_State *L)
{
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  luaL_Buffer b;

  luaL_buffinit(L, &b);
  add_encoded(&b, s, len);
  luaL_pushresult(&b);
  return 1;
}

/* ---- secrets and settings from the environment ---- */

static int secret_gc(lua_State *L)
{
  struct secret_box *b = luaL_checkudata(L, 1, SECRET_MT);

  if (b->value) {
    explicit_bzero(b->value, b->len);
    free(b->value);
  }
  b->value = NULL;
  return 0;
}

static int secret_tostring(lua_State *L)
{
  struct secret_box *b = luaL_checkudata(L, 1, SECRET_MT);

  lua_pushfstring(L, "secret (from %s)", b->name);
  return 1;
}

static int valid_env_name(const char *s, size_t len)
{
  if (len == 0 || len >= 64 || isdigit((unsigned char)*s))
    return 0;
  return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == len;
}

/* nhi.http.env_secret(NAME) -> handle, or nil, reason. The value stays
 * in C; the handle is only good as an auth token. */
static int l_http_env_secret(lua_State *L)
{
  size_t len;
  const char *name = luaL_checklstring(L, 1, &len), *v;
  struct secret_box *b;

  require_collector(L, "nhi.http.env_secret");
  if (!valid_env_name(name, len))
    return luaL_argerror(L, 1, "an environment variable name (A-Z, 0-9, "
                         "'_')");
  v = getenv(name);
  if (!v || !*v) {
    luaL_pushfail(L);
    lua_pushfstring(L, "the environment variable %s is not set", name);
    return 2;
  }
  b = lua_newuserdatauv(L, sizeof *b, 0);
  memset(b, 0, sizeof *b);
  if (luaL_newmetatable(L, SECRET_MT)) {
    lua_pushcfunction(L, secret_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, secret_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_setmetatable(L, -2);
  memcpy(b->name, name, len + 1);
  b->len = strlen(v);
  if (!(b->value = strdup(v)))
    return luaL_error(L, "nhi.http.env_secret: out of memory");
  return 1;
}

/* nhi.http.setting(NAME) -> the value of NHISCOPE_NAME, or nil: the
 * host's own settings (endpoints), never a secret. */
static int l_http_setting(lua_State *L)
{
  size_t len;
  const char *name = luaL_checklstring(L, 1, &len), *v;

  require_collector(L, "nhi.http.setting");
  if (!valid_env_name(name, len) || len + sizeof SETTING_PREFIX > 64)
    return luaL_argerror(L, 1, "a setting name (A-Z, 0-9, '_')");
  v = getenv(lua_pushfstring(L, SETTING_PREFIX "%s", name));
  if (v && *v)
    lua_pushstring(L, v);
  else
    lua_pushnil(L);
  return 1;
}

/* ---- nhi.aws ---- */

static int creds_gc(lua_State *L)
{
  struct creds_box *b = luaL_checkudata(L, 1, CREDS_MT);

  nhi_aws_credentials_free(b->c);
  b->c = NULL;
  return 0;
}

static int creds_tostring(lua_State *L)
{
  struct creds_box *b = luaL_checkudata(L, 1, CREDS_MT);

  if (!b->c)
    lua_pushliteral(L, "aws credentials (none)");
  else
    lua_pushfstring(L, "aws credentials (%s%s%s)", b->c->method,
                    b->c->profile ? ", profile " : "",
                    b->c->profile ? b->c->profile : "");
  return 1;
}

static void set_str(lua_State *L, const char *field, const char *v)
{
  if (v) {
    lua_pushstring(L, v);
    lua_setfield(L, -2, field);
  }
}

static void push_creds_info(lua_State *L, const struct nhi_aws_credentials *c)
{
  char when[NHI_TIME_SIZE];

  lua_createtable(L, 0, 5);
  set_str(L, "region", c->region);
  set_str(L, "profile", c->profile);
  set_str(L, "method", c->method);
  set_str(L, "role_arn", c->role_arn);
  if (c->expires) {
    nhi_time_format(c->expires, when);
    set_str(L, "expires", when);
  }
}

/* nhi.aws.credentials([profile]) -> handle, info or nil, reason */
static int l_aws_credentials(lua_State *L)
{
  const char *profile = luaL_optstring(L, 1, NULL);
  struct creds_box *b;
  char *err = NULL;
  enum nhi_rc rc;

  require_collector(L, "nhi.aws.credentials");
  lua_settop(L, 1);
  b = lua_newuserdatauv(L, sizeof *b, 0);
  b->c = NULL;
  if (luaL_newmetatable(L, CREDS_MT)) {
    lua_pushcfunction(L, creds_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, creds_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_setmetatable(L, -2);
  rc = nhi_aws_credentials_resolve(client(L), profile, speaker(L), &b->c,
                                   &err);
  if (rc == NHI_ERR_NOMEM)
    return luaL_error(L, "nhi.aws.credentials: out of memory");
  if (rc) {
    luaL_pushfail(L);
    lua_pushstring(L, err);
    free(err);
    return 2;
  }
  push_creds_info(L, b->c);
  return 2;
}

/* nhi.aws.endpoint(service, region) -> base URL, signing region */
static int l_aws_endpoint(lua_State *L)
{
  const char *service = luaL_checkstring(L, 1);
  const char *region = luaL_checkstring(L, 2), *signing = NULL;
  char *url = NULL;
  enum nhi_rc rc = nhi_aws_endpoint(service, region, &url, &signing);

  if (rc == NHI_ERR_INPUT)
    return luaL_error(L, "nhi.aws.endpoint: service and region are "
                      "lowercase letters, digits and '-'");
  if (rc)
    return luaL_error(L, "nhi.aws.endpoint: out of memory");
  lua_pushstring(L, url);
  free(url);
  lua_pushstring(L, signing);
  return 2;
}

/* ---- nhi.xml ---- */

struct xml_box {
  struct nhi_xml_node *root;
};

static int xml_gc(lua_State *L)
{
  struct xml_box *b = luaL_checkudata(L, 1, XML_MT);

  nhi_xml_free(b->root);
  b->root = NULL;
  return 0;
}

/* { name =, text =, attrs = {...}, [1..n] = child elements } */
static void push_node(lua_State *L, const struct nhi_xml_node *n)
{
  lua_Integer i = 0;

  luaL_checkstack(L, 4, "nhi.xml.decode: elements nested too deeply");
  lua_createtable(L, 0, 3);
  lua_pushstring(L, n->name);
  lua_setfield(L, -2, "name");
  lua_pushlstring(L, n->text, n->text_len);
  lua_setfield(L, -2, "text");
  if (n->nattrs) {
    lua_createtable(L, 0, (int)n->nattrs);
    for (size_t a = 0; a < n->nattrs; a++) {
      lua_pushstring(L, n->attrs[a].value);
      lua_setfield(L, -2, n->attrs[a].name);
    }
    lua_setfield(L, -2, "attrs");
  }
  for (const struct nhi_xml_node *c = n->children; c; c = c->next) {
    push_node(L, c);
    lua_rawseti(L, -2, ++i);
  }
}

/* nhi.xml.decode(text) -> root element, or nil, "line L, column C: ..." */
static int l_xml_decode(lua_State *L)
{
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  struct xml_box *b;
  char *err = NULL;
  enum nhi_rc rc;

  b = lua_newuserdatauv(L, sizeof *b, 0);
  b->root = NULL;
  set_meta(L, XML_MT, xml_gc);
  rc = nhi_xml_parse(text, len, &b->root, &err);
  if (rc == NHI_ERR_NOMEM)
    return luaL_error(L, "nhi.xml.decode: out of memory");
  if (rc) {
    luaL_pushfail(L);
    lua_pushstring(L, err);
    free(err);
    return 2;
  }
  push_node(L, b->root);
  return 1;
}

void nhi_lua_http_add(lua_State *L)
{
  static const luaL_Reg http_fns[] = {
    { "request", l_http_request }, { "form", l_http_form },
    { "encode", l_http_encode }, { "env_secret", l_http_env_secret },
    { "setting", l_http_setting }, { NULL, NULL }
  };
  static const luaL_Reg aws_fns[] = {
    { "credentials", l_aws_credentials }, { "endpoint", l_aws_endpoint },
    { NULL, NULL }
  };
  static const luaL_Reg xml_fns[] = {
    { "decode", l_xml_decode }, { NULL, NULL }
  };

  luaL_newlib(L, http_fns);
  lua_setfield(L, -2, "http");
  luaL_newlib(L, aws_fns);
  lua_setfield(L, -2, "aws");
  luaL_newlib(L, xml_fns);
  lua_setfield(L, -2, "xml");
}

/* ---- ctx:save_raw ---- */

/* Relative, parts of [A-Za-z0-9._-] not starting with '.'. */
static int valid_raw_name(const char *name)
{
  size_t len = strlen(name);
  int start = 1;

  if (len == 0 || len > MAX_RAW_NAME || name[len - 1] == '/')
    return 0;
  for (const char *p = name; *p; p++) {
    if (*p == '/') {
      if (start)
        return 0;
      start = 1;
      continue;
    }
    if ((start && *p == '.') ||
        !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                "0123456789._-", *p))
      return 0;
    start = 0;
  }
  return 1;
}

/* Creates every folder on the way to the file at path. */
static void make_parents(lua_State *L, const char *path)
{
  for (size_t i = 1; path[i]; i++) {
    if (path[i] != '/')
      continue;
    lua_pushlstring(L, path, i);
    if (mkdir(lua_tostring(L, -1), 0755) != 0 && errno != EEXIST)
      luaL_error(L, "ctx:save_raw: cannot create '%s': %s",
                 lua_tostring(L, -1), strerror(errno));
    lua_pop(L, 1);
  }
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw)
{
  (void)sb;
  (void)ftw;
  return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* The first save of a run empties the source's folder: a fresh store
 * numbers its sources from 1 again, and files an earlier assessment left
 * there must not pass for this one's. Each run has its own Lua state. */
static void clear_once(lua_State *L, const char *dir)
{
  if (lua_getfield(L, LUA_REGISTRYINDEX, RAW_CLEARED_KEY) != LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 &&
      errno != ENOENT)
    luaL_error(L, "ctx:save_raw: cannot empty '%s': %s", dir,
               strerror(errno));
  lua_pushboolean(L, 1);
  lua_setfield(L, LUA_REGISTRYINDEX, RAW_CLEARED_KEY);
}

static int valid_provider(const char *s)
{
  if (!*s)
    return 0;
  for (; *s; s++)
    if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_-", *s))
      return 0;
  return 1;
}

int nhi_lua_ctx_save_raw(lua_State *L)
{
  const struct nhi_run *run = lua_touserdata(L, lua_upvalueindex(1));
  const char *name = luaL_checkstring(L, 2), *path;
  size_t len;
  const char *data = luaL_checklstring(L, 3, &len);
  char sha[NHI_SHA256_HEX];
  FILE *f;
  int ok;

  if (!valid_raw_name(name))
    return luaL_argerror(L, 2, "a relative name of letters, digits, "
                         "'.', '_', '-' and '/', no part starting "
                         "with '.'");
  if (!run->out_dir || !run->source)
    return luaL_error(L, "ctx:save_raw: this run has no output folder");
  if (!valid_provider(run->source->provider))
    return luaL_error(L, "ctx:save_raw: provider '%s' cannot name a "
                      "folder", run->source->provider);
  clear_once(L, lua_pushfstring(L, "%s/raw/%I-%s", run->out_dir,
                                (lua_Integer)run->source->id,
                                run->source->provider));
  path = lua_pushfstring(L, "%s/%s", lua_tostring(L, -1), name);
  make_parents(L, path);
  f = fopen(path, "wb");
  if (!f)
    return luaL_error(L, "ctx:save_raw: cannot write '%s': %s", path,
                      strerror(errno));
  ok = fwrite(data, 1, len, f) == len;
  ok = fclose(f) == 0 && ok;
  if (!ok || nhi_file_sha256(path, sha) != NHI_OK)
    return luaL_error(L, "ctx:save_raw: cannot write '%s'", path);
  lua_pushstring(L, sha);
  return 2;
}

