/* AWS credentials: the environment, the shared credentials and config
 * files, roles assumed through STS; and service endpoints. */
#include "aws_credentials.h"
#include "strutil.h"
#include "timeutil.h"
#include "xml.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Shared files larger than this are refused: they hold a few profiles. */
#define MAX_FILE_BYTES ((size_t)4 << 20)

static void wipe_free(char *s)
{
  if (s) {
    explicit_bzero(s, strlen(s));
    free(s);
  }
}

/* Stores msg in *err and returns rc (NHI_ERR_NOMEM when msg is NULL). */
static enum nhi_rc failed(char **err, enum nhi_rc rc, char *msg)
{
  *err = msg;
  return msg ? rc : NHI_ERR_NOMEM;
}

static const char *env(const char *name)
{
  const char *v = getenv(name);

  return v && *v ? v : NULL;
}

/* ---- the shared files ---- */

/* The file an environment variable names ('~/' expanded), else
 * ~/.aws/name; "" when there is no HOME to look in. */
static char *file_path(const char *var, const char *name)
{
  const char *v = env(var), *home = env("HOME");

  if (v && v[0] == '~' && v[1] == '/' && home)
    return nhi_aprintf("%s%s", home, v + 1);
  if (v)
    return strdup(v);
  return home ? nhi_aprintf("%s/.aws/%s", home, name) : strdup("");
}

/* Reads path into *text (NUL-terminated); a missing file leaves *text
 * NULL and is not an error. */
static enum nhi_rc slurp(const char *path, char **text, size_t *len,
                         char **err)
{
  FILE *f = *path ? fopen(path, "rb") : NULL;
  size_t cap = 4096, n = 0, got;
  char *buf = NULL, *grown;

  *text = NULL;
  if (!f)
    return !*path || errno == ENOENT || errno == ENOTDIR ? NHI_OK
      : failed(err, NHI_ERR_INPUT, nhi_aprintf("cannot read '%s': %s",
                                               path, strerror(errno)));
  for (;;) {
    if (!buf || n + 1 >= cap) {
      grown = realloc(buf, cap *= 2);
      if (!grown) {
        wipe_free(buf);
        fclose(f);
        return NHI_ERR_NOMEM;
      }
      buf = grown;
    }
    got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    buf[n] = '\0';
    if (got == 0 || n > MAX_FILE_BYTES)
      break;
  }
  if (ferror(f) || n > MAX_FILE_BYTES) {
    fclose(f);
    explicit_bzero(buf, n);
    free(buf);
    return failed(err, NHI_ERR_INPUT, nhi_aprintf(
      "cannot read '%s': %s", path, n > MAX_FILE_BYTES
      ? "larger than 4 MiB" : "read error"));
  }
  fclose(f);
  *text = buf;
  *len = n;
  return NHI_OK;
}

static char *trim(char *s)
{
  char *end;

  while (*s == ' ' || *s == '\t')
    s++;
  end = s + strlen(s);
  while (end > s && isspace((unsigned char)end[-1]))
    *--end = '\0';
  return s;
}

/* The profile a section header names: "[name]" in the credentials file;
 * "[profile name]" or "[default]" in the config file. NULL for other
 * sections (sso-session, services). */
static const char *section_profile(char *inside, int config)
{
  char *s = trim(inside);

  if (!config || strcmp(s, "default") == 0)
    return s;
  if (strncmp(s, "profile", 7) == 0 && (s[7] == ' ' || s[7] == '\t'))
    return trim(s + 8);
  return NULL;
}

static enum nhi_rc set_key(struct nhi_aws_profile *p, const char *key,
                           const char *value)
{
  static const struct { const char *key; size_t off; } keys[] = {
#define K(name, field) { name, offsetof(struct nhi_aws_profile, field) }
    K("aws_access_key_id", access_key_id),
    K("aws_secret_access_key", secret_access_key),
    K("aws_session_token", session_token),
    K("aws_security_token", session_token),
    K("region", region), K("role_arn", role_arn),
    K("source_profile", source_profile),
    K("credential_source", credential_source),
    K("external_id", external_id),
    K("role_session_name", role_session_name),
    K("duration_seconds", duration_seconds),
    K("mfa_serial", mfa_serial),
#undef K
  };
  static const char *const unsupported[] = {
    "sso_session", "sso_start_url", "credential_process",
    "web_identity_token_file", NULL
  };
  char **slot = NULL;

  for (size_t i = 0; i < sizeof keys / sizeof keys[0] && !slot; i++)
    if (strcasecmp(keys[i].key, key) == 0)
      slot = (char **)(void *)((char *)p + keys[i].off);
  for (const char *const *u = unsupported; !slot && *u; u++)
    if (strcasecmp(*u, key) == 0)
      slot = &p->unsupported;
  if (!slot)
    return NHI_OK;
  wipe_free(*slot);
  *slot = strdup(slot == &p->unsupported ? key : value);
  return *slot ? NHI_OK : NHI_ERR_NOMEM;
}

/* One line of an INI file, against the state of the scan. */
struct scan {
  const char *path, *want;
  int config;
  int in_section, in_want;
  int nested;          /* inside "key =" followed by indented lines */
  size_t line;
  struct nhi_aws_profile *p;
  char **err;
};

static enum nhi_rc scan_line(struct scan *sc, char *line)
{
  int indented = line[0] == ' ' || line[0] == '\t';
  char *s = trim(line), *close, *eq;
  const char *name;

  if (!*s || *s == '#' || *s == ';' || (indented && sc->nested))
    return NHI_OK;
  sc->nested = 0;
  if (*s == '[') {
    close = strrchr(s, ']');
    if (!close || close[1])
      return failed(sc->err, NHI_ERR_INPUT, nhi_aprintf(
        "cannot read '%s': line %zu: a section header without ']'",
        sc->path, sc->line));
    *close = '\0';
    name = section_profile(s + 1, sc->config);
    sc->in_section = 1;
    sc->in_want = name && strcmp(name, sc->want) == 0;
    sc->p->found |= sc->in_want;
    return NHI_OK;
  }
  eq = strchr(s, '=');
  if (!eq || eq == s || !sc->in_section)
    return failed(sc->err, NHI_ERR_INPUT, nhi_aprintf(
      "cannot read '%s': line %zu: expected %s", sc->path, sc->line,
      sc->in_section ? "'key = value' or '[section]'" : "a [section]"));
  *eq = '\0';
  s = trim(s);
  eq = trim(eq + 1);
  sc->nested = !*eq;
  return sc->in_want ? set_key(sc->p, s, eq) : NHI_OK;
}

static enum nhi_rc read_file(const char *path, int config, const char *want,
                             struct nhi_aws_profile *p, char **err)
{
  struct scan sc = { .path = path, .want = want, .config = config,
                     .p = p, .err = err };
  char *text = NULL, *line, *next;
  size_t len = 0;
  enum nhi_rc rc = slurp(path, &text, &len, err);

  for (line = text; !rc && line; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    sc.line++;
    rc = scan_line(&sc, line);
  }
  if (text)
    explicit_bzero(text, len);
  free(text);
  return rc;
}

enum nhi_rc nhi_aws_profile_read(const char *name, struct nhi_aws_profile *p,
                                 char **err)
{
  enum nhi_rc rc;

  memset(p, 0, sizeof *p);
  *err = NULL;
  p->credentials_file = file_path("AWS_SHARED_CREDENTIALS_FILE",
                                  "credentials");
  p->config_file = file_path("AWS_CONFIG_FILE", "config");
  if (!p->credentials_file || !p->config_file)
    return NHI_ERR_NOMEM;
  rc = read_file(p->config_file, 1, name, p, err);
  if (!rc)
    rc = read_file(p->credentials_file, 0, name, p, err);
  return rc;
}

void nhi_aws_profile_clear(struct nhi_aws_profile *p)
{
  char **fields[] = {
    &p->access_key_id, &p->secret_access_key, &p->session_token,
    &p->region, &p->role_arn, &p->source_profile, &p->credential_source,
    &p->external_id, &p->role_session_name, &p->duration_seconds,
    &p->mfa_serial, &p->unsupported, &p->credentials_file, &p->config_file
  };

  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    wipe_free(*fields[i]);
  memset(p, 0, sizeof *p);
}

void nhi_aws_credentials_free(struct nhi_aws_credentials *c)
{
  if (!c)
    return;
  wipe_free(c->access_key_id);
  wipe_free(c->secret_access_key);
  wipe_free(c->session_token);
  free(c->region);
  free(c->profile);
  free(c->role_arn);
  free(c);
}

/* ---- endpoints ---- */

static int valid_name(const char *s)
{
  if (!s || !*s)
    return 0;
  for (; *s; s++)
    if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
        *s != '-')
      return 0;
  return 1;
}

/* NHISCOPE_AWS_ENDPOINT_<SERVICE>, else NHISCOPE_AWS_ENDPOINT. */
static enum nhi_rc endpoint_override(const char *service, const char **v)
{
  char *var = nhi_aprintf("NHISCOPE_AWS_ENDPOINT_%s", service);

  if (!var)
    return NHI_ERR_NOMEM;
  for (char *c = var + 22; *c; c++)
    *c = *c == '-' ? '_' : (char)toupper((unsigned char)*c);
  *v = env(var);
  free(var);
  if (!*v)
    *v = env("NHISCOPE_AWS_ENDPOINT");
  return NHI_OK;
}

enum nhi_rc nhi_aws_endpoint(const char *service, const char *region,
                             char **url, const char **signing_region)
{
  static const struct { const char *service, *url; } global[] = {
    { "iam", "https://iam.amazonaws.com" },
    { "organizations", "https://organizations.us-east-1.amazonaws.com" },
  };
  /* Services whose host is not named after the service. */
  static const struct { const char *service, *host; } hosts[] = {
    { "sagemaker", "api.sagemaker" },
  };
  const char *base = NULL, *over = NULL, *host = service;
  enum nhi_rc rc;

  *url = NULL;
  if (!valid_name(service) || !valid_name(region))
    return NHI_ERR_INPUT;
  *signing_region = region;
  for (size_t i = 0; i < sizeof global / sizeof global[0]; i++)
    if (strcmp(global[i].service, service) == 0) {
      base = global[i].url;
      *signing_region = "us-east-1";
    }
  for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++)
    if (strcmp(hosts[i].service, service) == 0)
      host = hosts[i].host;
  rc = endpoint_override(service, &over);
  if (rc)
    return rc;
  if (over)
    *url = strndup(over, strlen(over) - (over[strlen(over) - 1] == '/'));
  else if (base)
    *url = strdup(base);
  else
    *url = nhi_aprintf("https://%s.%s.amazonaws.com", host, region);
  return *url ? NHI_OK : NHI_ERR_NOMEM;
}

/* ---- STS AssumeRole ---- */

/* Blanks every text of a tree: an STS response holds secrets. */
static void wipe_tree(struct nhi_xml_node *n)
{
  for (; n; n = n->next) {
    explicit_bzero(n->text, n->text_len);
    wipe_tree(n->children);
  }
}

static enum nhi_rc copy_text(const struct nhi_xml_node *creds,
                             const char *name, char **slot, char **err)
{
  const char *t = nhi_xml_text_at(creds, name);

  if (!t || !*t)
    return failed(err, NHI_ERR_INPUT,
                  nhi_aprintf("Credentials has no %s", name));
  wipe_free(*slot);
  *slot = strdup(t);
  return *slot ? NHI_OK : NHI_ERR_NOMEM;
}

enum nhi_rc nhi_aws_parse_assume_role(const char *xml, size_t len,
                                      struct nhi_aws_credentials *c,
                                      char **err)
{
  struct nhi_xml_node *root = NULL;
  const struct nhi_xml_node *creds;
  const char *expires;
  enum nhi_rc rc;

  *err = NULL;
  rc = nhi_xml_parse(xml, len, &root, err);
  if (rc)
    return rc;
  creds = nhi_xml_child(nhi_xml_child(root, "AssumeRoleResult"),
                        "Credentials");
  if (strcmp(root->name, "AssumeRoleResponse") != 0 || !creds)
    rc = failed(err, NHI_ERR_INPUT, nhi_aprintf(
      "not an AssumeRole response (root element <%s>)", root->name));
  if (!rc)
    rc = copy_text(creds, "AccessKeyId", &c->access_key_id, err);
  if (!rc)
    rc = copy_text(creds, "SecretAccessKey", &c->secret_access_key, err);
  if (!rc)
    rc = copy_text(creds, "SessionToken", &c->session_token, err);
  expires = rc ? NULL : nhi_xml_text_at(creds, "Expiration");
  c->expires = 0;
  if (expires && nhi_time_parse(expires, &c->expires) != NHI_OK)
    rc = failed(err, NHI_ERR_INPUT, nhi_aprintf(
      "Expiration '%s' is not a time", expires));
  wipe_tree(root);
  nhi_xml_free(root);
  return rc;
}

struct resolver {
  struct nhi_http *http;
  const char *log_prefix;
  const char *region;
  char **err;
};

static struct nhi_aws_credentials *new_credentials(const char *id,
                                                   const char *secret,
                                                   const char *token,
                                                   const char *method)
{
  struct nhi_aws_credentials *c = calloc(1, sizeof *c);

  if (!c)
    return NULL;
  c->access_key_id = strdup(id);
  c->secret_access_key = strdup(secret);
  c->session_token = token ? strdup(token) : NULL;
  c->method = method;
  if (!c->access_key_id || !c->secret_access_key ||
      (token && !c->session_token)) {
    nhi_aws_credentials_free(c);
    return NULL;
  }
  return c;
}

/* "&Key=value" with value RFC 3986 encoded, appended to *body. */
static int add_param(char **body, const char *key, const char *value)
{
  char *enc = nhi_http_encode(value, strlen(value));
  char *grown = enc ? nhi_aprintf("%s&%s=%s", *body, key, enc) : NULL;

  free(enc);
  free(*body);
  *body = grown;
  return grown != NULL;
}

static enum nhi_rc check_duration(const char *name,
                                  const struct nhi_aws_profile *p,
                                  char **err)
{
  const char *d = p->duration_seconds;
  long v;

  if (!d)
    return NHI_OK;
  v = strspn(d, "0123456789") == strlen(d) && strlen(d) < 7
    ? strtol(d, NULL, 10) : 0;
  if (v < 900 || v > 43200)
    return failed(err, NHI_ERR_INPUT, nhi_aprintf(
      "profile '%s': duration_seconds must be 900 to 43200, not '%s'",
      name, d));
  return NHI_OK;
}

static char *assume_role_body(const struct nhi_aws_profile *p)
{
  char session[40];
  char *body = strdup("Action=AssumeRole");
  int ok = body != NULL;

  snprintf(session, sizeof session, "nhiscope-%lld",
           (long long)time(NULL));
  if (ok && p->duration_seconds)
    ok = add_param(&body, "DurationSeconds", p->duration_seconds);
  if (ok && p->external_id)
    ok = add_param(&body, "ExternalId", p->external_id);
  ok = ok && add_param(&body, "RoleArn", p->role_arn);
  ok = ok && add_param(&body, "RoleSessionName", p->role_session_name
                       ? p->role_session_name : session);
  ok = ok && add_param(&body, "Version", "2011-06-15");
  return ok ? body : NULL;
}

/* "Code: Message" of an STS error response, or NULL. */
static char *sts_error(const struct nhi_http_response *resp)
{
  struct nhi_xml_node *root = NULL;
  const char *code, *msg;
  char *why = NULL, *err = NULL;

  if (!resp->body || nhi_xml_parse(resp->body, resp->len, &root, &err)) {
    free(err);
    return NULL;
  }
  code = nhi_xml_text_at(root, "Error/Code");
  msg = nhi_xml_text_at(root, "Error/Message");
  if (code)
    why = nhi_aprintf("%s%s%s", code, msg ? ": " : "", msg ? msg : "");
  nhi_xml_free(root);
  return why;
}

static enum nhi_rc sts_send(struct resolver *r,
                            const struct nhi_aws_credentials *src,
                            const char *body, const char *url,
                            const char *signing_region,
                            struct nhi_http_response *resp)
{
  static const char *const headers[] = {
    "Content-Type: application/x-www-form-urlencoded; charset=utf-8"
  };
  struct nhi_http_request req = {
    .method = "POST", .url = url, .headers = headers, .nheaders = 1,
    .body = body, .body_len = strlen(body), .auth = NHI_HTTP_AUTH_SIGV4,
    .sigv4 = { signing_region, "sts", src->access_key_id,
               src->secret_access_key, src->session_token },
    .label = "sts AssumeRole", .log_prefix = r->log_prefix,
  };
  struct nhi_http_policy pol;

  nhi_http_policy_default(&pol);
  return nhi_http_send(r->http, &req, &pol, resp);
}

/* Reads a 200 response's credentials into a new *out. */
static enum nhi_rc sts_read(const char *name, const struct nhi_aws_profile *p,
                            const struct nhi_http_response *resp,
                            struct nhi_aws_credentials **out, char **err)
{
  struct nhi_aws_credentials *c = calloc(1, sizeof *c);
  char *why = NULL;
  enum nhi_rc rc;

  if (!c)
    return NHI_ERR_NOMEM;
  rc = nhi_aws_parse_assume_role(resp->body ? resp->body : "", resp->len,
                                 c, &why);
  if (rc == NHI_ERR_INPUT)
    rc = failed(err, NHI_ERR_IO, nhi_aprintf(
      "profile '%s': cannot read STS's answer for role '%s': %s", name,
      p->role_arn, why));
  free(why);
  c->method = "assume-role";
  c->role_arn = rc ? NULL : strdup(p->role_arn);
  if (!rc && !c->role_arn)
    rc = NHI_ERR_NOMEM;
  if (rc)
    nhi_aws_credentials_free(c);
  else
    *out = c;
  return rc;
}

static enum nhi_rc assume_role(struct resolver *r, const char *name,
                               const struct nhi_aws_profile *p,
                               const struct nhi_aws_credentials *src,
                               struct nhi_aws_credentials **out)
{
  struct nhi_http_response resp;
  char *body = NULL, *base = NULL, *url = NULL, *why;
  const char *signing;
  enum nhi_rc rc = check_duration(name, p, r->err);

  if (!rc && p->mfa_serial)
    rc = failed(r->err, NHI_ERR_INPUT, nhi_aprintf(
      "profile '%s': roles that need an MFA code (mfa_serial) are not "
      "supported", name));
  if (!rc) {
    rc = nhi_aws_endpoint("sts", r->region, &base, &signing);
    if (rc == NHI_ERR_INPUT)
      rc = failed(r->err, rc, nhi_aprintf("'%s' is not an AWS region",
                                          r->region));
  }
  body = rc ? NULL : assume_role_body(p);
  url = body ? nhi_aprintf("%s/", base) : NULL;
  if (!rc && !url)
    rc = NHI_ERR_NOMEM;
  if (rc)
    goto out;
  rc = sts_send(r, src, body, url, signing, &resp);
  if (rc == NHI_ERR_IO || rc == NHI_ERR_INPUT)
    rc = failed(r->err, NHI_ERR_IO, nhi_aprintf(
      "profile '%s': cannot assume role '%s': %s", name, p->role_arn,
      resp.error));
  else if (!rc && resp.status != 200) {
    why = sts_error(&resp);
    rc = failed(r->err, NHI_ERR_IO, nhi_aprintf(
      "profile '%s': STS refused role '%s': %s (HTTP %ld)", name,
      p->role_arn, why ? why : "no reason given", resp.status));
    free(why);
  } else if (!rc) {
    rc = sts_read(name, p, &resp, out, r->err);
  }
  if (resp.body)
    explicit_bzero(resp.body, resp.len);
  nhi_http_response_clear(&resp);
out:
  free(body);
  free(base);
  free(url);
  return rc;
}

static enum nhi_rc from_env(char **err, struct nhi_aws_credentials **out)
{
  const char *id = env("AWS_ACCESS_KEY_ID");
  const char *secret = env("AWS_SECRET_ACCESS_KEY");
  const char *token = env("AWS_SESSION_TOKEN");

  if (!token)
    token = env("AWS_SECURITY_TOKEN");
  if (!id && !secret)
    return NHI_OK;
  if (!id || !secret)
    return failed(err, NHI_ERR_INPUT, nhi_aprintf(
      "%s is set but %s is not", id ? "AWS_ACCESS_KEY_ID"
      : "AWS_SECRET_ACCESS_KEY", id ? "AWS_SECRET_ACCESS_KEY"
      : "AWS_ACCESS_KEY_ID"));
  *out = new_credentials(id, secret, token, "environment");
  return *out ? NHI_OK : NHI_ERR_NOMEM;
}

static enum nhi_rc from_profile(struct resolver *r, const char *name,
                                int depth, int implicit,
                                struct nhi_aws_credentials **out);

/* The credentials a role is assumed with. */
static enum nhi_rc role_source(struct resolver *r, const char *name,
                               const struct nhi_aws_profile *p, int depth,
                               struct nhi_aws_credentials **src)
{
  if (p->source_profile && strcmp(p->source_profile, name) == 0) {
    if (!p->access_key_id || !p->secret_access_key)
      return failed(r->err, NHI_ERR_INPUT, nhi_aprintf(
        "profile '%s' is its own source_profile but has no keys", name));
    *src = new_credentials(p->access_key_id, p->secret_access_key,
                           p->session_token, "profile");
    return *src ? NHI_OK : NHI_ERR_NOMEM;
  }
  if (p->source_profile)
    return from_profile(r, p->source_profile, depth + 1, 0, src);
  if (p->credential_source &&
      strcasecmp(p->credential_source, "Environment") == 0) {
    enum nhi_rc rc = from_env(r->err, src);

    return rc || *src ? rc : failed(r->err, NHI_ERR_INPUT, nhi_aprintf(
      "profile '%s': credential_source = Environment, but "
      "AWS_ACCESS_KEY_ID is not set", name));
  }
  return failed(r->err, NHI_ERR_INPUT, nhi_aprintf(
    "profile '%s': role_arn needs source_profile or credential_source = "
    "Environment (%s is not supported)", name,
    p->credential_source ? p->credential_source : "instance metadata"));
}

static enum nhi_rc from_role(struct resolver *r, const char *name,
                             const struct nhi_aws_profile *p, int depth,
                             struct nhi_aws_credentials **out)
{
  struct nhi_aws_credentials *src = NULL;
  enum nhi_rc rc;

  if (depth >= NHI_AWS_MAX_CHAIN)
    return failed(r->err, NHI_ERR_INPUT, nhi_aprintf(
      "profile '%s': roles chained more than %d deep (a source_profile "
      "loop?)", name, NHI_AWS_MAX_CHAIN));
  rc = role_source(r, name, p, depth, &src);
  if (!rc)
    rc = assume_role(r, name, p, src, out);
  nhi_aws_credentials_free(src);
  return rc;
}

static enum nhi_rc missing_profile(struct resolver *r, const char *name,
                                   const struct nhi_aws_profile *p,
                                   int implicit)
{
  if (implicit)
    return failed(r->err, NHI_ERR_INPUT, nhi_aprintf(
      "no AWS credentials: set AWS_ACCESS_KEY_ID and "
      "AWS_SECRET_ACCESS_KEY, or name a profile (--source "
      "aws:live=PROFILE) of '%s' or '%s'", p->credentials_file,
      p->config_file));
  return failed(r->err, NHI_ERR_INPUT, nhi_aprintf(
    "AWS profile '%s' is in neither '%s' nor '%s'", name,
    p->credentials_file, p->config_file));
}

static enum nhi_rc from_profile(struct resolver *r, const char *name,
                                int depth, int implicit,
                                struct nhi_aws_credentials **out)
{
  struct nhi_aws_profile p;
  enum nhi_rc rc = nhi_aws_profile_read(name, &p, r->err);

  if (rc)
    goto out;
  if (!p.found)
    rc = missing_profile(r, name, &p, implicit);
  else if (p.role_arn)
    rc = from_role(r, name, &p, depth, out);
  else if (p.access_key_id && p.secret_access_key)
    rc = (*out = new_credentials(p.access_key_id, p.secret_access_key,
                                 p.session_token, "profile"))
         ? NHI_OK : NHI_ERR_NOMEM;
  else if (p.unsupported)
    rc = failed(r->err, NHI_ERR_INPUT, nhi_aprintf(
      "profile '%s' uses %s, which nhiscope does not read: export "
      "temporary keys (aws configure export-credentials --profile %s "
      "--format env) and run with those", name, p.unsupported, name));
  else
    rc = failed(r->err, NHI_ERR_INPUT, nhi_aprintf(
      "profile '%s' has no aws_access_key_id and aws_secret_access_key, "
      "and no role_arn", name));
out:
  nhi_aws_profile_clear(&p);
  return rc;
}

/* AWS_REGION, AWS_DEFAULT_REGION, the profile's region, us-east-1. */
static enum nhi_rc find_region(const char *name, char **region, char **err)
{
  struct nhi_aws_profile p;
  const char *v = env("AWS_REGION");
  enum nhi_rc rc = NHI_OK;

  if (!v)
    v = env("AWS_DEFAULT_REGION");
  if (!v) {
    rc = nhi_aws_profile_read(name, &p, err);
    *region = rc ? NULL : strdup(p.region ? p.region : "us-east-1");
    nhi_aws_profile_clear(&p);
  } else {
    *region = strdup(v);
  }
  return rc || *region ? rc : NHI_ERR_NOMEM;
}

enum nhi_rc nhi_aws_credentials_resolve(struct nhi_http *http,
                                        const char *profile,
                                        const char *log_prefix,
                                        struct nhi_aws_credentials **out,
                                        char **err)
{
  struct resolver r = { http, log_prefix, NULL, err };
  struct nhi_aws_credentials *c = NULL;
  const char *name = profile ? profile : env("AWS_PROFILE");
  char *region = NULL;
  enum nhi_rc rc = NHI_OK;

  *out = NULL;
  *err = NULL;
  if (!profile)
    rc = from_env(err, &c);
  if (!rc)
    rc = find_region(name ? name : "default", &region, err);
  r.region = region;
  if (!rc && !c)
    rc = from_profile(&r, name ? name : "default", 0, !name, &c);
  if (!rc && strcmp(c->method, "environment") != 0 &&
      !(c->profile = strdup(name ? name : "default")))
    rc = NHI_ERR_NOMEM;
  if (rc) {
    nhi_aws_credentials_free(c);
    free(region);
    return rc;
  }
  c->region = region;
  *out = c;
  return NHI_OK;
}
