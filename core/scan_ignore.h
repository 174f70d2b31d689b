/* Excludes in gitignore syntax for folder-tree scans. */
#ifndef NHI_SCAN_IGNORE_H
#define NHI_SCAN_IGNORE_H

#include "nhi.h"

#include <stddef.h>

struct nhi_ignore_rule {
  char *base;                 /* folder it is relative to, "" the root */
  char *pattern;              /* without leading '/', '!' or trailing '/' */
  int negate, dir_only, anchored;
};

/* Patterns in the order given: the last that matches decides. */
struct nhi_ignore {
  struct nhi_ignore_rule *items;
  size_t count, cap;
};

/* Adds one line of an ignore file (blank lines and '#' comments are
 * skipped), relative to the folder base ("" for the root, else a
 * '/'-separated path under it). NHI_ERR_NOMEM when memory runs out. */
enum nhi_rc nhi_ignore_add(struct nhi_ignore *ig, const char *base,
                           const char *line);

/* Adds every line of file (absent: nothing); relative to base. */
enum nhi_rc nhi_ignore_load(struct nhi_ignore *ig, const char *file,
                            const char *base);

/* Whether rel (a '/'-separated path under the root) is excluded. */
int nhi_ignore_match(const struct nhi_ignore *ig, const char *rel,
                     int is_dir);

/* Doubles the room for rules; -1 when memory runs out. */
int nhi_ignore_grow(struct nhi_ignore *ig);

void nhi_ignore_free(struct nhi_ignore *ig);

#endif
