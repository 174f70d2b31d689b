/* AWS ARNs: splitting them, naming data resources and trust principals. */
#include "aws_arn.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How much of a resource id, after the rule's prefix, names the resource:
 * all of it, up to the first '/' or ':', or all of it when it holds no
 * separator at all (a bare queue or topic name). */
enum keep { KEEP_ALL, KEEP_TO_SLASH, KEEP_TO_COLON, KEEP_BARE };

struct rule {
  const char *service;
  const char *prefix;         /* resource id starts with this */
  const char *type;
  enum keep keep;
};

static const struct rule rules[] = {
  { "s3", "", "s3-bucket", KEEP_TO_SLASH },
  { "dynamodb", "table/", "dynamodb-table", KEEP_TO_SLASH },
  { "secretsmanager", "secret:", "secretsmanager-secret", KEEP_ALL },
  { "ssm", "parameter/", "ssm-parameter", KEEP_ALL },
  { "kms", "key/", "kms-key", KEEP_ALL },
  { "rds", "db:", "rds-db", KEEP_ALL },
  { "rds", "cluster:", "rds-db", KEEP_ALL },
  { "sqs", "", "sqs-queue", KEEP_BARE },
  { "sns", "", "sns-topic", KEEP_BARE },
  { "lambda", "function:", "lambda-function", KEEP_TO_COLON },
};

static int span_is(const char *p, size_t len, const char *s)
{
  return strlen(s) == len && memcmp(p, s, len) == 0;
}

int nhi_aws_arn_parse(const char *arn, struct nhi_aws_arn *out)
{
  const char **field[] = { &out->partition, &out->service, &out->region,
                           &out->account };
  size_t *flen[] = { &out->partition_len, &out->service_len,
                     &out->region_len, &out->account_len };
  const char *p = arn, *colon;

  memset(out, 0, sizeof *out);
  if (strncmp(p, "arn:", 4) != 0)
    return 0;
  p += 4;
  for (size_t i = 0; i < 4; i++) {
    colon = strchr(p, ':');
    if (!colon)
      goto bad;
    *field[i] = p;
    *flen[i] = (size_t)(colon - p);
    p = colon + 1;
  }
  out->resource = p;
  if (out->partition_len >= 3 && memcmp(out->partition, "aws", 3) == 0 &&
      out->service_len > 0)
    return 1;
bad:
  memset(out, 0, sizeof *out);
  return 0;
}

/* Copies len bytes of p into a new NUL-terminated string. */
static char *copy_span(const char *p, size_t len)
{
  char *s = malloc(len + 1);

  if (s) {
    memcpy(s, p, len);
    s[len] = '\0';
  }
  return s;
}

enum nhi_rc nhi_aws_arn_account(const char *arn, char **out)
{
  struct nhi_aws_arn a;

  *out = NULL;
  if (!nhi_aws_arn_parse(arn, &a) || a.account_len == 0)
    return NHI_OK;
  *out = copy_span(a.account, a.account_len);
  return *out ? NHI_OK : NHI_ERR_NOMEM;
}

void nhi_aws_resource_free(struct nhi_aws_resource *r)
{
  if (!r)
    return;
  free(r->native_id);
  free(r->account);
  free(r->name);
  memset(r, 0, sizeof *r);
}

static const struct rule *find_rule(const struct nhi_aws_arn *a)
{
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
    const struct rule *r = &rules[i];

    if (span_is(a->service, a->service_len, r->service) &&
        strncmp(a->resource, r->prefix, strlen(r->prefix)) == 0)
      return r;
  }
  return NULL;
}

/* Length of the resource id that names the resource, or 0 if none. */
static size_t kept_length(const struct rule *r, const char *id)
{
  size_t plen = strlen(r->prefix), len = strlen(id);
  const char *rest = id + plen;

  switch (r->keep) {
  case KEEP_TO_SLASH:
    len = plen + strcspn(rest, "/");
    break;
  case KEEP_TO_COLON:
    len = plen + strcspn(rest, ":");
    break;
  case KEEP_BARE:
    if (strpbrk(rest, ":/"))
      return 0;
    break;
  default:
    break;
  }
  return len > plen ? len : 0;
}

/* Wildcards and policy variables make a name a pattern, not a name. */
static int is_pattern(const char *s)
{
  return strpbrk(s, "*?") != NULL || strstr(s, "${") != NULL;
}

/* The last '/'- or ':'-separated segment of s[0..len). */
static const char *last_segment(const char *s, size_t len)
{
  const char *seg = s;

  for (size_t i = 0; i < len; i++)
    if (s[i] == '/' || s[i] == ':')
      seg = s + i + 1;
  return seg;
}

enum nhi_rc nhi_aws_resource_parse(const char *arn,
                                   struct nhi_aws_resource *out)
{
  struct nhi_aws_arn a;
  const struct rule *r;
  const char *seg;
  size_t kept;

  memset(out, 0, sizeof *out);
  if (!nhi_aws_arn_parse(arn, &a) || !(r = find_rule(&a)))
    return NHI_OK;
  /* Bucket ARNs carry no region or account; access points do. */
  if (strcmp(r->service, "s3") == 0 && (a.region_len || a.account_len))
    return NHI_OK;
  kept = kept_length(r, a.resource);
  if (kept == 0)
    return NHI_OK;
  /* What is kept is a prefix of the resource id, so of the ARN too. */
  out->native_id = copy_span(arn, (size_t)(a.resource - arn) + kept);
  if (!out->native_id)
    return NHI_ERR_NOMEM;
  if (is_pattern(out->native_id)) {
    nhi_aws_resource_free(out);
    return NHI_OK;
  }
  out->type = r->type;
  seg = last_segment(a.resource, kept);
  out->name = copy_span(seg, (size_t)(a.resource + kept - seg));
  if (a.account_len)
    out->account = copy_span(a.account, a.account_len);
  if (!out->name || (a.account_len && !out->account)) {
    nhi_aws_resource_free(out);
    return NHI_ERR_NOMEM;
  }
  return NHI_OK;
}

static int is_account_id(const char *s)
{
  size_t n = 0;

  while (isdigit((unsigned char)s[n]))
    n++;
  return n == 12 && s[n] == '\0';
}

/* "arn:<partition of near_arn>:iam::<account>:root". */
static char *root_arn(const char *near_arn, const char *account)
{
  struct nhi_aws_arn a;
  const char *part = "aws";
  int plen = 3, len;
  char *s;

  if (nhi_aws_arn_parse(near_arn, &a) && a.partition_len < INT_MAX) {
    part = a.partition;
    plen = (int)a.partition_len;
  }
  len = snprintf(NULL, 0, "arn:%.*s:iam::%s:root", plen, part, account);
  s = len < 0 ? NULL : malloc((size_t)len + 1);
  if (s)
    snprintf(s, (size_t)len + 1, "arn:%.*s:iam::%s:root", plen, part,
             account);
  return s;
}

/* from_type of an "AWS" principal value. */
static const char *aws_principal_type(const char *value)
{
  struct nhi_aws_arn a;

  if (strcmp(value, "*") == 0)
    return "any";
  if (nhi_aws_arn_parse(value, &a) && span_is(a.service, a.service_len,
                                               "iam") &&
      strcmp(a.resource, "root") == 0)
    return "account";
  return "identity";
}

enum nhi_rc nhi_aws_principal_ref(const char *type, const char *value,
                                  const char *near_arn,
                                  const char **from_type, char **from_ref)
{
  *from_ref = NULL;
  *from_type = NULL;
  if (strcmp(type, "AWS") == 0 && is_account_id(value)) {
    *from_type = "account";
    *from_ref = root_arn(near_arn, value);
    return *from_ref ? NHI_OK : NHI_ERR_NOMEM;
  }
  if (strcmp(type, "AWS") == 0)
    *from_type = aws_principal_type(value);
  else if (strcmp(type, "Service") == 0)
    *from_type = "service";
  else if (strcmp(type, "Federated") == 0)
    *from_type = "federated";
  else if (strcmp(type, "CanonicalUser") == 0)
    *from_type = "canonical_user";
  if (!*from_type)
    return NHI_OK;
  *from_ref = strdup(value);
  return *from_ref ? NHI_OK : NHI_ERR_NOMEM;
}
