/* The terms of IAM statements that can tell one resource from another:
 * their Resource and NotResource patterns, and conditions on the
 * resource's tags. A resource that no term tells apart from another is
 * decided the same way. */
#include "aws_stmt.h"

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

static int names_resource_tag(const char *text)
{
  static const char key[] = "aws:resourcetag";
  size_t n = strlen(key);

  for (; text && *text; text++)
    if (strncasecmp(text, key, n) == 0)
      return 1;
  return 0;
}

/* 1 when a key or string value anywhere in a Condition names
 * aws:ResourceTag (as a key, or inside a policy variable). */
static int reads_resource_tags(const cJSON *node)
{
  for (const cJSON *c = node ? node->child : NULL; c; c = c->next) {
    if (names_resource_tag(c->string) ||
        (cJSON_IsString(c) && names_resource_tag(c->valuestring)) ||
        reads_resource_tags(c))
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
      t->reads_resource_tags = reads_resource_tags(st->condition);
  }
  return rc;
}

void nhi_aws_terms_free(struct nhi_aws_terms *t)
{
  free(t->patterns);
  free(t->variable);
  memset(t, 0, sizeof *t);
}
