/* The terms of IAM statements that can tell one resource from another:
 * their Resource and NotResource patterns, and conditions on the
 * resource's tags. A resource that no term tells apart from another is
 * decided the same way. */
#include "aws_stmt.h"

#include "aws_match.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static enum nhi_rc add_pattern(struct nhi_aws_terms *t, const char *p,
                               int variable)
{
  const char **grown;
  unsigned char *flags;
  size_t cap;

  if (t->n == t->cap) {
    cap = t->cap ? t->cap * 2 : 16;
    grown = realloc(t->patterns, cap * sizeof *grown);
    if (!grown)
      return NHI_ERR_NOMEM;
    t->patterns = grown;
    flags = realloc(t->variable, cap);
    if (!flags)
      return NHI_ERR_NOMEM;
    t->variable = flags;
    t->cap = cap;
  }
  t->patterns[t->n] = p;
  t->variable[t->n++] = (unsigned char)(variable && strstr(p, "${"));
  return NHI_OK;
}

/* 1 when text holds key, in any case. */
static int names(const char *text, const char *key)
{
  size_t n = strlen(key);

  for (; text && *text; text++)
    if (strncasecmp(text, key, n) == 0)
      return 1;
  return 0;
}

/* 1 when a key or string value anywhere in a Condition holds key (as a
 * key, or inside a policy variable). */
static int condition_names(const cJSON *node, const char *key)
{
  for (const cJSON *c = node ? node->child : NULL; c; c = c->next) {
    if (names(c->string, key) ||
        (cJSON_IsString(c) && names(c->valuestring, key)) ||
        condition_names(c, key))
      return 1;
  }
  return 0;
}

enum nhi_rc nhi_aws_terms_add(struct nhi_aws_terms *t,
                              const struct nhi_aws_stmts *list)
{
  const struct nhi_aws_stmt *st;
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; list && i < list->n && !rc; i++) {
    st = &list->items[i];
    for (size_t j = 0; j < st->nresources && !rc; j++)
      rc = add_pattern(t, st->resources[j], st->variables);
    if (st->condition && !t->reads_resource_tags)
      t->reads_resource_tags = condition_names(st->condition,
                                                 "aws:resourcetag");
  }
  return rc;
}

void nhi_aws_terms_free(struct nhi_aws_terms *t)
{
  free(t->patterns);
  free(t->variable);
  memset(t, 0, sizeof *t);
}

char *nhi_aws_widen(const char *p)
{
  char *out = malloc(strlen(p) + 1), *o = out;
  const char *close;

  for (; out && *p; p++) {
    if (p[0] == '$' && p[1] == '{' && (close = strchr(p, '}'))) {
      *o++ = '*';
      p = close;
    } else {
      *o++ = *p;
    }
  }
  if (o)
    *o = '\0';
  return out;
}

static enum nhi_rc scope_add_pattern(struct nhi_aws_scope *sc,
                                     const char *p, int variables)
{
  char **grown, *copy;
  size_t cap;

  copy = variables ? nhi_aws_widen(p) : strdup(p);
  if (!copy)
    return NHI_ERR_NOMEM;
  if (sc->n == sc->cap) {
    cap = sc->cap ? sc->cap * 2 : 8;
    grown = realloc(sc->patterns, cap * sizeof *grown);
    if (!grown) {
      free(copy);
      return NHI_ERR_NOMEM;
    }
    sc->patterns = grown;
    sc->cap = cap;
  }
  sc->patterns[sc->n++] = copy;
  return NHI_OK;
}

static int may_match_action(const struct nhi_aws_stmt *st,
                            const char *action)
{
  int hit = nhi_aws_stmt_names_action(st, action);

  return st->not_action ? !hit : hit;
}

enum nhi_rc nhi_aws_scope_add(struct nhi_aws_scope *sc,
                              const struct nhi_aws_stmts *list,
                              const char *action)
{
  const struct nhi_aws_stmt *st;
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; list && i < list->n && !rc && !sc->all; i++) {
    st = &list->items[i];
    if (!st->allow || !may_match_action(st, action))
      continue;
    if (!st->has_resource || st->not_resource) {
      sc->all = 1;
      break;
    }
    for (size_t j = 0; j < st->nresources && !rc; j++)
      rc = scope_add_pattern(sc, st->resources[j], st->variables);
  }
  return rc;
}

int nhi_aws_scope_covers(const struct nhi_aws_scope *sc,
                         const char *resource)
{
  if (sc->all)
    return 1;
  for (size_t i = 0; i < sc->n; i++)
    if (strcmp(sc->patterns[i], "*") == 0 ||
        nhi_aws_arn_match(sc->patterns[i], resource))
      return 1;
  return 0;
}

void nhi_aws_scope_free(struct nhi_aws_scope *sc)
{
  for (size_t i = 0; i < sc->n; i++)
    free(sc->patterns[i]);
  free(sc->patterns);
  memset(sc, 0, sizeof *sc);
}

/* 1 when st treats every resource alike: it names any resource, and its
 * Condition reads nothing about one (no key or variable with "resource"
 * in its name: aws:ResourceTag, aws:ResourceAccount, aws:ResourceOrgID,
 * and, to be safe, any other). */
static int treats_alike(const struct nhi_aws_stmt *st)
{
  if (st->not_resource ||
      (st->condition && condition_names(st->condition, "resource")))
    return 0;
  if (!st->has_resource)
    return 1;
  for (size_t i = 0; i < st->nresources; i++)
    if (strcmp(st->resources[i], "*") == 0)
      return 1;
  return 0;
}

int nhi_aws_stmts_alike(const struct nhi_aws_stmts *list, const char *action)
{
  const struct nhi_aws_stmt *st;
  int hit;

  for (size_t i = 0; list && i < list->n; i++) {
    st = &list->items[i];
    hit = nhi_aws_stmt_names_action(st, action);
    if ((st->not_action ? !hit : hit) && !treats_alike(st))
      return 0;
  }
  return 1;
}
