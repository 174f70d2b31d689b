/* AWS IAM policy documents: decoding the encodings exports use, checking
 * their shape and reading their statements. */
#include "aws_policy.h"

#include "import_util.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const principal_types[] = {
  "AWS", "Service", "Federated", "CanonicalUser", NULL
};

/* Sets *why to a copy of what; NHI_ERR_INPUT, or NHI_ERR_NOMEM. */
static enum nhi_rc reason(char **why, const char *what)
{
  *why = strdup(what);
  return *why ? NHI_ERR_INPUT : NHI_ERR_NOMEM;
}

static int hex_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

enum nhi_rc nhi_aws_percent_decode(const char *in, char **out, size_t *len,
                                   size_t *bad)
{
  size_t n = strlen(in), o = 0;
  char *s = malloc(n + 1);
  int hi, lo;

  *out = NULL;
  *len = 0;
  if (!s)
    return NHI_ERR_NOMEM;
  for (size_t i = 0; i < n; i++) {
    if (in[i] != '%') {
      s[o++] = in[i];
      continue;
    }
    hi = hex_value(in[i + 1]);
    lo = hi < 0 ? -1 : hex_value(in[i + 2]);
    if (lo < 0 || (hi == 0 && lo == 0)) {
      free(s);
      *bad = i;
      return NHI_ERR_INPUT;
    }
    s[o++] = (char)(hi * 16 + lo);
    i += 2;
  }
  s[o] = '\0';
  *out = s;
  *len = o;
  return NHI_OK;
}

/* Parses text[0..len) as one JSON object; where says which text it is
 * in the reason given on failure. */
static enum nhi_rc parse_object(const char *text, size_t len,
                                const char *where, cJSON **out, char **why)
{
  const char *end = NULL;
  size_t line, col;
  char what[64];

  /* The length counts the NUL so that cJSON accepts nothing after the
   * value but white space. */
  *out = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
  if (*out && cJSON_IsObject(*out))
    return NHI_OK;
  if (*out) {
    cJSON_Delete(*out);
    *out = NULL;
    *why = nhi_str_printf("%s is JSON but not an object", where);
    return *why ? NHI_ERR_INPUT : NHI_ERR_NOMEM;
  }
  nhi_json_describe_error(text, len, end ? (size_t)(end - text) : 0,
                          &line, &col, what, sizeof what);
  *why = nhi_str_printf("%s: line %zu, column %zu: %s", where, line, col,
                        what);
  return *why ? NHI_ERR_INPUT : NHI_ERR_NOMEM;
}

/* Turns a string-valued document into its parsed object. */
static enum nhi_rc decode_text(const char *text, cJSON **out, char **why)
{
  const char *p = text + strspn(text, " \t\r\n");
  char *plain = NULL;
  size_t len = 0, bad = 0;
  enum nhi_rc rc;

  *out = NULL;
  if (*p == '{')
    return parse_object(text, strlen(text), "document", out, why);
  /* Encoded documents start "%7B", or with an encoded space or newline
   * when the text stored at AWS did. */
  if (*p != '%')
    return reason(why, "expected a JSON object, or a string holding one "
                  "as JSON text or URL-encoded JSON");
  rc = nhi_aws_percent_decode(text, &plain, &len, &bad);
  if (rc == NHI_ERR_INPUT) {
    *why = nhi_str_printf("URL-encoded document: invalid percent-escape "
                          "at character %zu", bad + 1);
    return *why ? NHI_ERR_INPUT : NHI_ERR_NOMEM;
  }
  if (!rc)
    rc = parse_object(plain, len, "URL-decoded document", out, why);
  free(plain);
  return rc;
}

static int in_list(const char *s, const char *const *list)
{
  for (size_t i = 0; list[i]; i++)
    if (strcmp(s, list[i]) == 0)
      return 1;
  return 0;
}

static int is_string_list(const cJSON *v)
{
  const cJSON *e;

  if (cJSON_IsString(v))
    return 1;
  if (!cJSON_IsArray(v))
    return 0;
  cJSON_ArrayForEach(e, v)
    if (!cJSON_IsString(e))
      return 0;
  return 1;
}

/* Sets *why to "Statement[idx].field.sub: what"; the index is left out
 * when idx < 0 (a lone statement), field and sub when NULL. */
static enum nhi_rc statement_error(char **why, long idx, const char *field,
                                   const char *sub, const char *what)
{
  char index[32] = "";

  if (idx >= 0)
    snprintf(index, sizeof index, "[%ld]", idx);
  *why = nhi_str_printf("Statement%s%s%s%s%s: %s", index, field ? "." : "",
                field ? field : "", sub ? "." : "", sub ? sub : "", what);
  return *why ? NHI_ERR_INPUT : NHI_ERR_NOMEM;
}

static enum nhi_rc check_principal(const cJSON *p, long idx,
                                   const char *field, char **why)
{
  const cJSON *e;

  if (cJSON_IsString(p) && strcmp(p->valuestring, "*") == 0)
    return NHI_OK;
  if (!cJSON_IsObject(p))
    return statement_error(why, idx, field, NULL,
                           "expected \"*\" or an object");
  cJSON_ArrayForEach(e, p) {
    if (!in_list(e->string, principal_types))
      return statement_error(why, idx, field, e->string,
                             "unknown principal type");
    if (!is_string_list(e))
      return statement_error(why, idx, field, e->string,
                             "expected a string or an array of strings");
  }
  return NHI_OK;
}

/* 1 when name is want. */
static int is(const char *name, const char *want)
{
  return strcmp(name, want) == 0;
}

/* Where a member of a statement goes in struct nhi_aws_fields, by its
 * name; NULL for a member policies do not have. Every policy is read
 * this way, so the first letter picks the candidates. */
static const cJSON **field_slot(struct nhi_aws_fields *f, const char *name)
{
  switch (name ? name[0] : 0) {
  case 'A': return is(name, "Action") ? &f->action : NULL;
  case 'C': return is(name, "Condition") ? &f->condition : NULL;
  case 'E': return is(name, "Effect") ? &f->effect : NULL;
  case 'P': return is(name, "Principal") ? &f->principal : NULL;
  case 'R': return is(name, "Resource") ? &f->resource : NULL;
  case 'S': return is(name, "Sid") ? &f->sid : NULL;
  case 'N':
    if (is(name, "NotAction"))
      return &f->not_action;
    if (is(name, "NotResource"))
      return &f->not_resource;
    return is(name, "NotPrincipal") ? &f->not_principal : NULL;
  default: return NULL;
  }
}

void nhi_aws_policy_fields(const cJSON *st, struct nhi_aws_fields *f)
{
  const cJSON **slot;

  memset(f, 0, sizeof *f);
  for (const cJSON *c = st ? st->child : NULL; c; c = c->next)
    if ((slot = field_slot(f, c->string)) != NULL && !*slot)
      *slot = c;
}

static enum nhi_rc check_list(const cJSON *v, long idx, const char *field,
                              char **why)
{
  if (v && !is_string_list(v))
    return statement_error(why, idx, field, NULL,
                           "expected a string or an array of strings");
  return NHI_OK;
}

static enum nhi_rc check_statement(const cJSON *st, long idx, char **why)
{
  struct nhi_aws_fields f;
  enum nhi_rc rc = NHI_OK;
  const cJSON *e;

  if (!cJSON_IsObject(st))
    return statement_error(why, idx, NULL, NULL, "expected an object");
  nhi_aws_policy_fields(st, &f);
  e = f.effect;
  if (!cJSON_IsString(e) || (strcmp(e->valuestring, "Allow") != 0 &&
                             strcmp(e->valuestring, "Deny") != 0))
    return statement_error(why, idx, "Effect", NULL,
                           "expected \"Allow\" or \"Deny\"");
  rc = check_list(f.action, idx, "Action", why);
  if (!rc)
    rc = check_list(f.not_action, idx, "NotAction", why);
  if (!rc)
    rc = check_list(f.resource, idx, "Resource", why);
  if (!rc)
    rc = check_list(f.not_resource, idx, "NotResource", why);
  if (!rc && f.principal)
    rc = check_principal(f.principal, idx, "Principal", why);
  if (!rc && f.not_principal)
    rc = check_principal(f.not_principal, idx, "NotPrincipal", why);
  if (!rc && f.condition && !cJSON_IsObject(f.condition))
    rc = statement_error(why, idx, "Condition", NULL,
                         "expected an object");
  if (!rc && f.sid && !cJSON_IsString(f.sid))
    rc = statement_error(why, idx, "Sid", NULL, "expected a string");
  return rc;
}

static enum nhi_rc check_document(const cJSON *doc, char **why)
{
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
  const cJSON *st;
  enum nhi_rc rc = NHI_OK;
  long idx = 0;

  if (!list || cJSON_IsObject(list))
    return list ? check_statement(list, -1, why) : NHI_OK;
  if (!cJSON_IsArray(list))
    return reason(why, "Statement: expected an object or an array");
  cJSON_ArrayForEach(st, list) {
    rc = check_statement(st, idx++, why);
    if (rc)
      break;
  }
  return rc;
}

enum nhi_rc nhi_aws_policy_load(cJSON *parent, const char *key,
                                cJSON **doc, char **why)
{
  cJSON *v = cJSON_GetObjectItemCaseSensitive(parent, key);
  cJSON *parsed = NULL;
  enum nhi_rc rc;

  *doc = NULL;
  *why = NULL;
  if (!v || cJSON_IsNull(v))
    return reason(why, "missing");
  if (cJSON_IsString(v)) {
    rc = decode_text(v->valuestring, &parsed, why);
    if (rc)
      return rc;
    if (!cJSON_ReplaceItemInObjectCaseSensitive(parent, key, parsed)) {
      cJSON_Delete(parsed);
      return NHI_ERR_NOMEM;
    }
    v = parsed;
  } else if (!cJSON_IsObject(v)) {
    return reason(why, "expected a JSON object, or a string holding one "
                  "as JSON text or URL-encoded JSON");
  }
  rc = check_document(v, why);
  if (!rc)
    *doc = v;
  return rc;
}

enum nhi_rc nhi_aws_policy_read(const struct nhi_where *w, cJSON *parent,
                                const char *key, cJSON **doc)
{
  char *why = NULL;
  enum nhi_rc rc = nhi_aws_policy_load(parent, key, doc, &why);

  if (rc == NHI_ERR_INPUT)
    rc = nhi_where_fail(w, "%s: %s", key, why);
  else if (rc)
    rc = nhi_where_oom(w);
  free(why);
  return rc;
}

enum nhi_rc nhi_aws_policy_read_inline(struct nhi_where *w, const char *key,
                                       cJSON *list)
{
  const char *name;
  cJSON *e, *doc;
  enum nhi_rc rc = NHI_OK;

  w->sub = key;
  w->subindex = 0;
  cJSON_ArrayForEach(e, list) {
    if (!cJSON_IsObject(e))
      rc = nhi_where_fail(w, "expected an object");
    if (!rc)
      rc = nhi_field_string(w, e, "PolicyName", 1, &name);
    if (!rc)
      rc = nhi_aws_policy_read(w, e, "PolicyDocument", &doc);
    if (rc)
      return rc;
    w->subindex++;
  }
  w->sub = NULL;
  return NHI_OK;
}

const cJSON *nhi_aws_policy_next(const cJSON *doc, const cJSON *prev)
{
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "Statement");

  if (cJSON_IsObject(list))
    return prev ? NULL : list;
  if (!cJSON_IsArray(list))
    return NULL;
  return prev ? prev->next : list->child;
}

int nhi_aws_policy_allows(const cJSON *statement)
{
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(statement, "Effect");

  return cJSON_IsString(e) && strcmp(e->valuestring, "Allow") == 0;
}

char *nhi_aws_policy_list(const cJSON *value)
{
  cJSON *arr, *item;
  char *text;

  if (!value)
    return NULL;
  if (cJSON_IsArray(value))
    return cJSON_PrintUnformatted(value);
  arr = cJSON_CreateArray();
  item = cJSON_CreateStringReference(value->valuestring);
  if (!arr || !item || !cJSON_AddItemToArray(arr, item)) {
    cJSON_Delete(arr);
    cJSON_Delete(item);
    return NULL;
  }
  text = cJSON_PrintUnformatted(arr);
  cJSON_Delete(arr);
  return text;
}
