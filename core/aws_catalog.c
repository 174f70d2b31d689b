/* The AWS action catalogue (plugins/data/aws/actions.tsv): every action of
 * every service, its access level and resource types, for expanding
 * action wildcards. */
#include "aws_catalog.h"

#include "aws_match.h"
#include "json.h"
#include "strutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const levels[] = {
  "List", "Read", "Write", "Permissions management", "Tagging", NULL
};

/* One action. name points into names, types into the file text. */
struct action {
  const char *name;           /* "service:Action" */
  const char *types;
  unsigned char level;        /* index into levels */
};

struct nhi_aws_catalog {
  char *text;                 /* the file, cut into fields in place */
  char *names;                /* "service:Action\0" for every action */
  struct action *actions;     /* sorted by name without regard to case */
  size_t n;
};

/* The parts of one catalogue line, cut in place. */
struct line {
  char *service, *action, *level, *types;
};

static int by_name(const void *a, const void *b)
{
  return strcasecmp(((const struct action *)a)->name,
                    ((const struct action *)b)->name);
}

static enum nhi_rc bad_line(const char *path, size_t lineno,
                            const char *what)
{
  nhi_error("cannot read '%s': line %zu: %s", path, lineno, what);
  return NHI_ERR_INPUT;
}

/* Cuts s at tab into fields; 1 when there are exactly four. */
static int split_line(char *s, struct line *l)
{
  char *f[4];
  int i = 0;

  f[0] = s;
  for (char *p = s; *p; p++)
    if (*p == '\t') {
      if (++i > 3)
        return 0;
      *p = '\0';
      f[i] = p + 1;
    }
  if (i != 3)
    return 0;
  l->service = f[0];
  l->action = f[1];
  l->level = f[2];
  l->types = f[3];
  return *l->service && *l->action;
}

static int level_index(const char *name)
{
  for (int i = 0; levels[i]; i++)
    if (strcmp(levels[i], name) == 0)
      return i;
  return -1;
}

/* Counts the lines that are not comments or empty, and the bytes their
 * "service:Action" names need. */
static void measure(const char *text, size_t *lines, size_t *bytes)
{
  const char *p = text, *nl;

  *lines = 0;
  *bytes = 0;
  while (*p) {
    nl = strchr(p, '\n');
    if (!nl)
      nl = p + strlen(p);
    if (*p != '#' && nl > p) {
      (*lines)++;
      *bytes += (size_t)(nl - p) + 1;
    }
    p = *nl ? nl + 1 : nl;
  }
}

/* Cuts the text into lines and fills the action index. */
static enum nhi_rc index_lines(struct nhi_aws_catalog *c, const char *path)
{
  char *p = c->text, *nl, *name = c->names;
  size_t lineno = 0;
  struct line l;
  int level;

  while (*p) {
    lineno++;
    nl = strchr(p, '\n');
    if (nl)
      *nl = '\0';
    if (*p && *p != '#') {
      if (!split_line(p, &l))
        return bad_line(path, lineno, "expected four tab-separated fields "
                        "(service, action, access level, resource types)");
      level = level_index(l.level);
      if (level < 0)
        return bad_line(path, lineno, "unknown access level");
      c->actions[c->n].name = name;
      c->actions[c->n].types = l.types;
      c->actions[c->n].level = (unsigned char)level;
      c->n++;
      name += sprintf(name, "%s:%s", l.service, l.action) + 1;
    }
    p = nl ? nl + 1 : p + strlen(p);
  }
  return NHI_OK;
}

enum nhi_rc nhi_aws_catalog_load(const char *path,
                                 struct nhi_aws_catalog **out)
{
  struct nhi_aws_catalog *c = calloc(1, sizeof *c);
  size_t len, lines, bytes;
  enum nhi_rc rc;

  *out = NULL;
  if (!c)
    return NHI_ERR_NOMEM;
  rc = nhi_file_read(path, &c->text, &len);
  if (rc)
    goto out;
  if (strlen(c->text) != len) {
    rc = bad_line(path, 1, "the file holds a NUL byte");
    goto out;
  }
  measure(c->text, &lines, &bytes);
  c->names = malloc(bytes + 1);
  c->actions = calloc(lines ? lines : 1, sizeof *c->actions);
  if (!c->names || !c->actions) {
    nhi_error("cannot read '%s': out of memory", path);
    rc = NHI_ERR_NOMEM;
    goto out;
  }
  rc = index_lines(c, path);
  if (!rc)
    qsort(c->actions, c->n, sizeof *c->actions, by_name);
out:
  if (rc)
    nhi_aws_catalog_free(c);
  else
    *out = c;
  return rc;
}

enum nhi_rc nhi_aws_catalog_load_home(const char *home,
                                      struct nhi_aws_catalog **out)
{
  char *path = nhi_aprintf("%s/%s", home, NHI_AWS_CATALOG_PATH);
  enum nhi_rc rc;

  *out = NULL;
  if (!path)
    return NHI_ERR_NOMEM;
  rc = nhi_aws_catalog_load(path, out);
  free(path);
  return rc;
}

void nhi_aws_catalog_free(struct nhi_aws_catalog *c)
{
  if (!c)
    return;
  free(c->text);
  free(c->names);
  free(c->actions);
  free(c);
}

size_t nhi_aws_catalog_count(const struct nhi_aws_catalog *c)
{
  return c->n;
}

/* The first action at or after key in the index order. */
static size_t lower_bound(const struct nhi_aws_catalog *c, const char *key)
{
  size_t lo = 0, hi = c->n, mid;

  while (lo < hi) {
    mid = lo + (hi - lo) / 2;
    if (strcasecmp(c->actions[mid].name, key) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static const struct action *find(const struct nhi_aws_catalog *c,
                                 const char *action)
{
  size_t i = lower_bound(c, action);

  if (i < c->n && strcasecmp(c->actions[i].name, action) == 0)
    return &c->actions[i];
  return NULL;
}

/* The index range [*lo, *hi) a pattern can match: one service's actions
 * when the service part is literal, every action otherwise. */
static void pattern_range(const struct nhi_aws_catalog *c,
                          const char *pattern, size_t *lo, size_t *hi)
{
  const char *colon = strchr(pattern, ':');
  size_t n = colon ? (size_t)(colon - pattern) + 1 : 0;

  *lo = 0;
  *hi = c->n;
  if (!colon || strcspn(pattern, "*?") < n)
    return;
  while (*lo < *hi) {
    size_t mid = *lo + (*hi - *lo) / 2;

    if (strncasecmp(c->actions[mid].name, pattern, n) < 0)
      *lo = mid + 1;
    else
      *hi = mid;
  }
  for (*hi = *lo; *hi < c->n &&
       strncasecmp(c->actions[*hi].name, pattern, n) == 0; (*hi)++)
    ;
}

enum nhi_rc nhi_aws_catalog_expand(const struct nhi_aws_catalog *c,
                                   const char *pattern, const char ***out,
                                   size_t *n)
{
  size_t lo, hi, cap = 16;
  const char **list = malloc(cap * sizeof *list), **grown;

  *out = NULL;
  *n = 0;
  if (!list)
    return NHI_ERR_NOMEM;
  pattern_range(c, pattern, &lo, &hi);
  for (size_t i = lo; i < hi; i++) {
    if (!nhi_aws_action_match(pattern, c->actions[i].name))
      continue;
    if (*n == cap) {
      cap *= 2;
      grown = realloc(list, cap * sizeof *list);
      if (!grown) {
        free(list);
        *n = 0;
        return NHI_ERR_NOMEM;
      }
      list = grown;
    }
    list[(*n)++] = c->actions[i].name;
  }
  *out = list;
  return NHI_OK;
}

const char *nhi_aws_catalog_canonical(const struct nhi_aws_catalog *c,
                                      const char *action)
{
  const struct action *a = find(c, action);

  return a ? a->name : NULL;
}

const char *nhi_aws_catalog_level(const struct nhi_aws_catalog *c,
                                  const char *action)
{
  const struct action *a = find(c, action);

  return a ? levels[a->level] : NULL;
}

const char *nhi_aws_catalog_resource_types(const struct nhi_aws_catalog *c,
                                           const char *action)
{
  const struct action *a = find(c, action);

  return a ? a->types : NULL;
}
