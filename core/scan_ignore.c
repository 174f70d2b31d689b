/* Excludes in gitignore syntax: "*.log", "/build/", "!keep.txt",
 * "docs/ANY/x.md" where ANY is "**" (any depth), each relative to the
 * folder of the file naming it. */
#include "scan_ignore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int glob_match(const char *p, const char *s);

/* [abc], [a-z], [!a-z]; *p is '['. Returns the pattern after the class,
 * or NULL when s does not match it. */
static const char *match_class(const char *p, char c)
{
  int neg = 0, hit = 0;

  p++;
  if (*p == '!' || *p == '^') {
    neg = 1;
    p++;
  }
  for (int first = 1; *p && (first || *p != ']'); first = 0, p++) {
    if (p[1] == '-' && p[2] && p[2] != ']') {
      hit |= c >= p[0] && c <= p[2];
      p += 2;
    } else {
      hit |= c == *p;
    }
  }
  if (*p != ']')
    return NULL;
  return hit != neg ? p + 1 : NULL;
}

/* "**" then "/": zero or more whole folders. */
static int match_any_dirs(const char *p, const char *s)
{
  for (const char *t = s;;) {
    if (glob_match(p, t))
      return 1;
    t = strchr(t, '/');
    if (!t)
      return 0;
    t++;
  }
}

static int glob_match(const char *p, const char *s)
{
  for (;;) {
    if (p[0] == '*' && p[1] == '*') {
      p += 2;
      if (!*p)
        return 1;
      if (*p == '/')
        return match_any_dirs(p + 1, s);
    }
    if (*p == '*') {
      for (const char *t = s;; t++) {
        if (glob_match(p + 1, t))
          return 1;
        if (!*t || *t == '/')
          return 0;
      }
    }
    if (!*p)
      return !*s;
    /* '?' and classes never match a '/' or the end */
    if ((!*s || *s == '/') && *p != *s)
      return 0;
    if (*p == '?') {
      p++;
      s++;
      continue;
    }
    if (*p == '[') {
      p = match_class(p, *s);
      if (!p)
        return 0;
      s++;
      continue;
    }
    if (*p == '\\' && p[1])
      p++;
    if (*p != *s)
      return 0;
    p++;
    s++;
  }
}

void nhi_ignore_free(struct nhi_ignore *ig)
{
  for (size_t i = 0; i < ig->count; i++) {
    free(ig->items[i].base);
    free(ig->items[i].pattern);
  }
  free(ig->items);
  memset(ig, 0, sizeof *ig);
}

enum nhi_rc nhi_ignore_add(struct nhi_ignore *ig, const char *base,
                           const char *line)
{
  struct nhi_ignore_rule r;
  size_t n;
  char *pat;

  memset(&r, 0, sizeof r);
  while (*line == ' ' || *line == '\t')
    line++;
  if (!*line || *line == '#')
    return NHI_OK;
  if (*line == '!') {
    r.negate = 1;
    line++;
  }
  pat = strdup(line);
  if (!pat)
    return NHI_ERR_NOMEM;
  n = strlen(pat);
  while (n && (pat[n - 1] == ' ' || pat[n - 1] == '\r' ||
               pat[n - 1] == '\n'))
    pat[--n] = '\0';
  if (n && pat[n - 1] == '/') {
    r.dir_only = 1;
    pat[--n] = '\0';
  }
  r.anchored = strchr(pat, '/') != NULL;
  if (pat[0] == '/')
    memmove(pat, pat + 1, n--);
  if (!n) {
    free(pat);
    return NHI_OK;
  }
  r.pattern = pat;
  r.base = strdup(base);
  if (!r.base || (ig->count == ig->cap && nhi_ignore_grow(ig))) {
    free(r.base);
    free(pat);
    return NHI_ERR_NOMEM;
  }
  ig->items[ig->count++] = r;
  return NHI_OK;
}

int nhi_ignore_grow(struct nhi_ignore *ig)
{
  size_t cap = ig->cap ? ig->cap * 2 : 16;
  struct nhi_ignore_rule *grown = realloc(ig->items, cap * sizeof *grown);

  if (!grown)
    return -1;
  ig->items = grown;
  ig->cap = cap;
  return 0;
}

enum nhi_rc nhi_ignore_load(struct nhi_ignore *ig, const char *file,
                            const char *base)
{
  FILE *f = fopen(file, "r");
  char *line = NULL;
  size_t cap = 0;
  enum nhi_rc rc = NHI_OK;

  if (!f)
    return NHI_OK;
  while (!rc && getline(&line, &cap, f) >= 0)
    rc = nhi_ignore_add(ig, base, line);
  free(line);
  fclose(f);
  return rc;
}

/* rel relative to base, or NULL when rel is not below base. */
static const char *below(const char *base, const char *rel)
{
  size_t n = strlen(base);

  if (!n)
    return rel;
  if (strncmp(base, rel, n) || rel[n] != '/')
    return NULL;
  return rel + n + 1;
}

int nhi_ignore_match(const struct nhi_ignore *ig, const char *rel,
                     int is_dir)
{
  int excluded = 0;

  for (size_t i = 0; i < ig->count; i++) {
    const struct nhi_ignore_rule *r = &ig->items[i];
    const char *sub = below(r->base, rel), *name;

    if (!sub || (r->dir_only && !is_dir))
      continue;
    name = strrchr(sub, '/');
    name = name && !r->anchored ? name + 1 : sub;
    if (glob_match(r->pattern, name))
      excluded = !r->negate;
  }
  return excluded;
}
