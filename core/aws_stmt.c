/* IAM policy statements compiled for evaluation: from policy documents or
 * from grant rows, and whether one applies to a request. */
#include "aws_stmt.h"

#include "aws_match.h"
#include "aws_policy.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name;
  int type;
} principal_types[] = {
  { "AWS", NHI_AWS_PR_AWS }, { "Service", NHI_AWS_PR_SERVICE },
  { "Federated", NHI_AWS_PR_FEDERATED },
  { "CanonicalUser", NHI_AWS_PR_CANONICAL },
};

static void stmt_free(struct nhi_aws_stmt *st)
{
  /* actions and resources are one block each (pack_strings). */
  for (size_t i = 0; i < st->nprincipals; i++)
    free(st->principals[i].value);
  free(st->actions);
  free(st->resources);
  free(st->principals);
  cJSON_Delete(st->condition);
  free(st->policy);
  free(st->sid);
  memset(st, 0, sizeof *st);
}

void nhi_aws_stmts_free(struct nhi_aws_stmts *list)
{
  for (size_t i = 0; i < list->n; i++)
    stmt_free(&list->items[i]);
  free(list->items);
  memset(list, 0, sizeof *list);
}

/* A fresh zeroed statement at the end of list. */
static struct nhi_aws_stmt *stmt_new(struct nhi_aws_stmts *list)
{
  struct nhi_aws_stmt *grown;
  size_t cap;

  if (list->n == list->cap) {
    cap = list->cap ? list->cap * 2 : 8;
    grown = realloc(list->items, cap * sizeof *grown);
    if (!grown)
      return NULL;
    list->items = grown;
    list->cap = cap;
  }
  memset(&list->items[list->n], 0, sizeof *grown);
  return &list->items[list->n++];
}

/* Copies the strings of a string-or-array value into *out. */
static enum nhi_rc copy_strings(const cJSON *v, char ***out, size_t *n)
{
  size_t count = cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) : 1;
  const cJSON *e = cJSON_IsArray(v) ? v->child : v;

  *out = calloc(count ? count : 1, sizeof **out);
  *n = 0;
  if (!*out)
    return NHI_ERR_NOMEM;
  for (; e; e = cJSON_IsArray(v) ? e->next : NULL) {
    if (!cJSON_IsString(e))
      continue;
    (*out)[*n] = strdup(e->valuestring);
    if (!(*out)[*n])
      return NHI_ERR_NOMEM;
    (*n)++;
  }
  return NHI_OK;
}

/* The strings of a string-or-array value in one block: *out, the
 * pointers, is followed by their lengths (*lens) and the text they point
 * at, so one free() frees it all. */
static enum nhi_rc pack_strings(const cJSON *v, char ***out, size_t **lens,
                                size_t *n)
{
  const cJSON *first = cJSON_IsArray(v) ? v->child : v, *e;
  size_t count = 0, bytes = 0, len, slots;
  char *text;

  for (e = first; e; e = cJSON_IsArray(v) ? e->next : NULL)
    if (cJSON_IsString(e)) {
      count++;
      bytes += strlen(e->valuestring) + 1;
    }
  *n = 0;
  slots = count ? count : 1;
  *out = malloc(slots * (sizeof **out + sizeof **lens) + bytes);
  if (!*out)
    return NHI_ERR_NOMEM;
  *lens = (size_t *)(*out + slots);
  text = (char *)(*lens + slots);
  for (e = first; e; e = cJSON_IsArray(v) ? e->next : NULL) {
    if (!cJSON_IsString(e))
      continue;
    len = strlen(e->valuestring);
    memcpy(text, e->valuestring, len + 1);
    (*lens)[*n] = len;
    (*out)[(*n)++] = text;
    text += len + 1;
  }
  return NHI_OK;
}

static int has_variable(char *const *list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (strstr(list[i], "${"))
      return 1;
  return 0;
}

/* Adds the entries of one Principal type ("AWS": [...]). */
static enum nhi_rc add_principals(struct nhi_aws_stmt *st, int type,
                                  const cJSON *v)
{
  char **values;
  size_t n;
  struct nhi_aws_principal_entry *grown;

  if (copy_strings(v, &values, &n)) {
    free(values);
    return NHI_ERR_NOMEM;
  }
  grown = realloc(st->principals, (st->nprincipals + n + 1) * sizeof *grown);
  if (!grown) {
    for (size_t i = 0; i < n; i++)
      free(values[i]);
    free(values);
    return NHI_ERR_NOMEM;
  }
  st->principals = grown;
  for (size_t i = 0; i < n; i++) {
    grown[st->nprincipals].type = type;
    grown[st->nprincipals++].value = values[i];
  }
  free(values);
  return NHI_OK;
}

static enum nhi_rc read_principal(struct nhi_aws_stmt *st, const cJSON *p)
{
  enum nhi_rc rc = NHI_OK;

  st->has_principal = 1;
  if (cJSON_IsString(p)) {
    st->principals = calloc(1, sizeof *st->principals);
    if (!st->principals)
      return NHI_ERR_NOMEM;
    st->principals[0].type = NHI_AWS_PR_ANY;
    st->nprincipals = 1;
    return NHI_OK;
  }
  for (const cJSON *t = p ? p->child : NULL; t && !rc; t = t->next)
    for (size_t i = 0; i < sizeof principal_types /
                           sizeof principal_types[0]; i++)
      if (strcmp(t->string, principal_types[i].name) == 0)
        rc = add_principals(st, principal_types[i].type, t);
  return rc;
}

/* Fills st from one statement of a checked document. */
static enum nhi_rc read_statement(struct nhi_aws_stmt *st, const cJSON *s,
                                  int variables)
{
  struct nhi_aws_fields f;
  const cJSON *act, *res, *pr;
  enum nhi_rc rc = NHI_OK;

  nhi_aws_policy_fields(s, &f);
  st->allow = cJSON_IsString(f.effect) &&
              strcmp(f.effect->valuestring, "Allow") == 0;
  act = f.action ? f.action : f.not_action;
  st->not_action = !f.action && f.not_action;
  res = f.resource ? f.resource : f.not_resource;
  st->not_resource = !f.resource && f.not_resource;
  pr = f.principal ? f.principal : f.not_principal;
  st->not_principal = !f.principal && f.not_principal;
  if (act)
    rc = pack_strings(act, &st->actions, &st->action_lens, &st->nactions);
  st->has_resource = res != NULL;
  if (!rc && res)
    rc = pack_strings(res, &st->resources, &st->resource_lens,
                      &st->nresources);
  if (!rc && pr)
    rc = read_principal(st, pr);
  if (!rc && f.condition &&
      !(st->condition = cJSON_Duplicate(f.condition, 1)))
    rc = NHI_ERR_NOMEM;
  if (!rc && cJSON_IsString(f.sid) &&
      !(st->sid = strdup(f.sid->valuestring)))
    rc = NHI_ERR_NOMEM;
  st->variables = variables && has_variable(st->resources, st->nresources);
  return rc;
}

enum nhi_rc nhi_aws_stmts_add_doc(struct nhi_aws_stmts *list,
                                  const char *policy, const cJSON *doc)
{
  const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "Version");
  int variables = cJSON_IsString(ver) &&
                  strcmp(ver->valuestring, "2012-10-17") == 0;
  struct nhi_aws_stmt *st;
  long index = 0;
  enum nhi_rc rc;

  for (const cJSON *s = nhi_aws_policy_next(doc, NULL); s;
       s = nhi_aws_policy_next(doc, s)) {
    st = stmt_new(list);
    if (!st)
      return NHI_ERR_NOMEM;
    st->index = index++;
    rc = read_statement(st, s, variables);
    if (!rc && policy && !(st->policy = strdup(policy)))
      rc = NHI_ERR_NOMEM;
    if (rc) {
      stmt_free(st);
      list->n--;
      return rc;
    }
  }
  return NHI_OK;
}

/* Parses JSON text that must be a list of strings into *out. */
static enum nhi_rc text_list(const char *text, char ***out, size_t **lens,
                             size_t *n, const char **why)
{
  cJSON *v = cJSON_Parse(text);
  enum nhi_rc rc;

  if (!v || !cJSON_IsArray(v)) {
    cJSON_Delete(v);
    *why = "a grant's actions or resources are not a JSON list";
    return NHI_ERR_INPUT;
  }
  rc = pack_strings(v, out, lens, n);
  cJSON_Delete(v);
  return rc;
}

static enum nhi_rc read_grant(struct nhi_aws_stmt *st,
                              const struct nhi_aws_grant_text *g,
                              const char **why)
{
  enum nhi_rc rc;

  st->allow = g->effect && strcmp(g->effect, "allow") == 0;
  st->not_action = g->not_action;
  st->not_resource = g->not_resource;
  st->has_resource = 1;
  rc = text_list(g->actions ? g->actions : "[]", &st->actions,
                 &st->action_lens, &st->nactions, why);
  if (!rc)
    rc = text_list(g->resources ? g->resources : "[\"*\"]",
                   &st->resources, &st->resource_lens, &st->nresources,
                   why);
  if (!rc && g->condition) {
    st->condition = cJSON_Parse(g->condition);
    if (!cJSON_IsObject(st->condition)) {
      *why = "a grant's condition is not a JSON object";
      rc = NHI_ERR_INPUT;
    }
  }
  if (!rc && g->policy && !(st->policy = strdup(g->policy)))
    rc = NHI_ERR_NOMEM;
  if (!rc && g->sid && !(st->sid = strdup(g->sid)))
    rc = NHI_ERR_NOMEM;
  st->variables = has_variable(st->resources, st->nresources);
  return rc;
}

enum nhi_rc nhi_aws_stmts_add_grant(struct nhi_aws_stmts *list,
                                    const struct nhi_aws_grant_text *g,
                                    const char **why)
{
  struct nhi_aws_stmt *st = stmt_new(list);
  enum nhi_rc rc;

  *why = NULL;
  if (!st)
    return NHI_ERR_NOMEM;
  st->index = -1;
  rc = read_grant(st, g, why);
  if (rc) {
    stmt_free(st);
    list->n--;
  }
  return rc;
}

int nhi_aws_stmt_names_action(const struct nhi_aws_stmt *st,
                              const char *action)
{
  size_t len = strlen(action);

  for (size_t i = 0; i < st->nactions; i++)
    if (nhi_aws_glob(st->actions[i], st->action_lens[i], action, len, 1))
      return 1;
  return 0;
}

static int action_matches(const struct nhi_aws_stmt *st, const char *action)
{
  int hit = nhi_aws_stmt_names_action(st, action);

  return st->not_action ? !hit : hit;
}

/* One Resource pattern, its policy variables resolved; *unresolved is
 * set when a variable has no value. */
static enum nhi_rc resource_one(const struct nhi_aws_stmt *st,
                                const char *pattern,
                                const struct nhi_aws_request *rq,
                                enum nhi_aws_tri *out, int *unresolved)
{
  char *subst = NULL;
  enum nhi_rc rc;

  *out = NHI_AWS_YES;
  *unresolved = 0;
  if (st->variables) {
    rc = nhi_aws_context_subst(rq->ctx, pattern, 1, out, &subst);
    if (rc)
      return rc;
    *unresolved = *out == NHI_AWS_NO;
  }
  if (*out == NHI_AWS_YES)
    *out = nhi_aws_arn_match(subst ? subst : pattern, rq->resource)
           ? NHI_AWS_YES : NHI_AWS_NO;
  free(subst);
  return NHI_OK;
}

static enum nhi_rc resource_matches(const struct nhi_aws_stmt *st,
                                    const struct nhi_aws_request *rq,
                                    enum nhi_aws_tri *out)
{
  enum nhi_aws_tri one;
  enum nhi_rc rc;
  int unresolved;

  *out = st->has_resource ? NHI_AWS_NO : NHI_AWS_YES;
  for (size_t i = 0; i < st->nresources && *out != NHI_AWS_YES; i++) {
    rc = resource_one(st, st->resources[i], rq, &one, &unresolved);
    if (rc)
      return rc;
    /* A variable without a value makes NotResource as a whole false. */
    if (unresolved && st->not_resource) {
      *out = NHI_AWS_NO;
      return NHI_OK;
    }
    if (one == NHI_AWS_YES || *out == NHI_AWS_NO)
      *out = one;
  }
  if (st->not_resource && *out != NHI_AWS_UNKNOWN)
    *out = *out == NHI_AWS_YES ? NHI_AWS_NO : NHI_AWS_YES;
  return NHI_OK;
}

static int is_account_id(const char *s)
{
  size_t n = 0;

  while (isdigit((unsigned char)s[n]))
    n++;
  return n == 12 && s[n] == '\0';
}

/* The account an AWS principal entry names as a whole: "123456789012"
 * or "arn:aws:iam::123456789012:root"; NULL for any other entry. */
static const char *entry_account(const char *v, size_t *len)
{
  const char *acct, *end;

  if (is_account_id(v)) {
    *len = 12;
    return v;
  }
  if (strncmp(v, "arn:", 4) != 0 || !(acct = strstr(v, ":iam::")))
    return NULL;
  acct += 6;
  end = strchr(acct, ':');
  if (!end || strcmp(end, ":root") != 0)
    return NULL;
  *len = (size_t)(end - acct);
  return acct;
}

static enum nhi_aws_pmatch entry_matches(
  const struct nhi_aws_principal_entry *e, const struct nhi_aws_request *rq)
{
  const char *acct;
  size_t len;

  if (e->type == NHI_AWS_PR_ANY ||
      (e->type == NHI_AWS_PR_AWS && strcmp(e->value, "*") == 0))
    return NHI_AWS_PM_ANY;
  if (strcmp(e->value, rq->principal) == 0)
    return NHI_AWS_PM_NAMED;
  if (e->type != NHI_AWS_PR_AWS || !rq->principal_account)
    return NHI_AWS_PM_NONE;
  acct = entry_account(e->value, &len);
  if (acct && strlen(rq->principal_account) == len &&
      strncmp(acct, rq->principal_account, len) == 0)
    return NHI_AWS_PM_ACCOUNT;
  return NHI_AWS_PM_NONE;
}

/* The best way the Principal element names rq's principal. NotPrincipal
 * names everyone it does not list, by name or through the account; what
 * it grants is held to a role's boundary like a grant naming the
 * role. */
static enum nhi_aws_pmatch principal_matches(const struct nhi_aws_stmt *st,
                                             const struct nhi_aws_request *rq)
{
  enum nhi_aws_pmatch best = NHI_AWS_PM_NONE, one;

  for (size_t i = 0; i < st->nprincipals; i++) {
    one = entry_matches(&st->principals[i], rq);
    if (one > best)
      best = one;
  }
  if (st->not_principal)
    return best == NHI_AWS_PM_NONE ? NHI_AWS_PM_NAMED : NHI_AWS_PM_NONE;
  return best;
}

enum nhi_rc nhi_aws_stmt_match(const struct nhi_aws_stmt *st,
                               const struct nhi_aws_request *rq,
                               int principals,
                               struct nhi_aws_stmt_match *m)
{
  enum nhi_aws_tri res, cond;
  enum nhi_rc rc;

  memset(m, 0, sizeof *m);
  m->applies = NHI_AWS_NO;
  if (!action_matches(st, rq->action))
    return NHI_OK;
  m->principal = NHI_AWS_PM_NAMED;
  if (principals) {
    m->principal = st->has_principal ? principal_matches(st, rq)
                                     : NHI_AWS_PM_NONE;
    if (m->principal == NHI_AWS_PM_NONE)
      return NHI_OK;
  }
  rc = resource_matches(st, rq, &res);
  if (rc || res == NHI_AWS_NO)
    return rc;
  rc = nhi_aws_condition_eval(st->condition, rq->ctx, &cond, &m->note);
  if (rc)
    return rc;
  if (cond == NHI_AWS_NO)
    return NHI_OK;
  m->applies = res == NHI_AWS_YES && cond == NHI_AWS_YES ? NHI_AWS_YES
                                                        : NHI_AWS_UNKNOWN;
  if (res == NHI_AWS_UNKNOWN)
    m->why = "a policy variable in Resource names a key the request "
             "context does not say";
  else if (cond == NHI_AWS_UNKNOWN)
    m->why = m->note.why;
  return NHI_OK;
}
