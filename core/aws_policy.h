/* AWS IAM policy documents: decoding the encodings exports use, checking
 * their shape and reading their statements. */
#ifndef NHI_AWS_POLICY_H
#define NHI_AWS_POLICY_H

#include "import_util.h"
#include "nhi.h"

#include <cJSON.h>

/* Decodes RFC 3986 percent-escapes of in. *out (NUL-terminated, *len
 * bytes) is the caller's to free. An escape that is not '%' and two hex
 * digits, or that decodes to a NUL byte, gives NHI_ERR_INPUT with *bad
 * its byte offset in in; NHI_ERR_NOMEM when memory runs out. */
enum nhi_rc nhi_aws_percent_decode(const char *in, char **out, size_t *len,
                                   size_t *bad);

/* Reads the policy document held under key in parent. A string value,
 * URL-encoded JSON ("%7B...") or plain JSON text, is parsed and
 * replaces the string in parent. The document must then be an object
 * whose optional Statement is a statement or an array of them, each with
 * an Effect of Allow or Deny; Action, NotAction, Resource, NotResource
 * as strings or arrays of strings; Principal and NotPrincipal as "*" or
 * an object of AWS, Service, Federated or CanonicalUser entries; an
 * object Condition and a string Sid. *doc is borrowed from parent. On
 * NHI_ERR_INPUT, *why is a malloc'd reason (the caller frees it) and
 * nothing is logged; NHI_ERR_NOMEM when memory runs out. */
enum nhi_rc nhi_aws_policy_load(cJSON *parent, const char *key,
                                cJSON **doc, char **why);

/* nhi_aws_policy_load that logs what is wrong through w, as
 * "<where>: <key>: <why>" (or that memory ran out). */
enum nhi_rc nhi_aws_policy_read(const struct nhi_where *w, cJSON *parent,
                                const char *key, cJSON **doc);

/* Checks an inline policy list (w->sub is set to key while reading it):
 * objects with a PolicyName and a PolicyDocument, each document read
 * with nhi_aws_policy_read. list may be NULL. */
enum nhi_rc nhi_aws_policy_read_inline(struct nhi_where *w, const char *key,
                                       cJSON *list);

/* The statement after prev in a loaded document (the first when prev is
 * NULL), or NULL at the end. */
const cJSON *nhi_aws_policy_next(const cJSON *doc, const cJSON *prev);

/* The elements of one statement, each the first of its name; NULL when
 * absent. Borrowed from the statement. */
struct nhi_aws_fields {
  const cJSON *effect, *sid, *condition;
  const cJSON *action, *not_action, *resource, *not_resource;
  const cJSON *principal, *not_principal;
};

/* Reads the elements of statement st in one pass over its members. */
void nhi_aws_policy_fields(const cJSON *st, struct nhi_aws_fields *f);

/* 1 when a checked statement's Effect is Allow, 0 when Deny. */
int nhi_aws_policy_allows(const cJSON *statement);

/* The compact JSON text of a string-or-array value as an array
 * ("s3:GetObject" gives ["s3:GetObject"]). The text is the caller's
 * (cJSON_free); NULL when value is NULL or memory runs out. */
char *nhi_aws_policy_list(const cJSON *value);

#endif
