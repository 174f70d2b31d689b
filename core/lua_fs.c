/* nhi.fs: what a plugin may learn about the folders it may read. Only
 * listing: reading stays with the sandbox's io.open. */
#include "lua_fs.h"
#include "sandbox.h"

#include <lauxlib.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A listing that grows past these is refused, not cut short. */
#define MAX_FILES 100000
#define MAX_DEPTH 16

struct listing {
  char **names;
  size_t len, cap;
  const char *why;  /* set when the walk stopped */
};

static int add_name(struct listing *ls, char *name)
{
  if (ls->len == ls->cap) {
    size_t cap = ls->cap ? ls->cap * 2 : 64;
    char **grown = realloc(ls->names, cap * sizeof *grown);

    if (!grown) {
      free(name);
      ls->why = "out of memory";
      return -1;
    }
    ls->names = grown;
    ls->cap = cap;
  }
  ls->names[ls->len++] = name;
  if (ls->len > MAX_FILES) {
    ls->why = "more than 100000 files";
    return -1;
  }
  return 0;
}

static char *join(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  char *s = malloc(la + lb + 2);

  if (!s)
    return NULL;
  memcpy(s, a, la);
  s[la] = '/';
  memcpy(s + la + 1, b, lb + 1);
  return s;
}

static int walk(struct listing *ls, const char *root, const char *rel,
                int depth);

/* One entry of a folder: a regular file is listed, a folder walked;
 * anything else (symbolic links, devices) is left out, as the secret
 * scanner leaves it, so a listing never leads outside the folder. */
static int visit(struct listing *ls, const char *root, const char *rel,
                 const char *name, int depth)
{
  char *sub = rel[0] ? join(rel, name) : strdup(name);
  char *full = sub ? join(root, sub) : NULL;
  struct stat st;
  int rc = 0;

  if (!full) {
    free(sub);
    ls->why = "out of memory";
    return -1;
  }
  if (lstat(full, &st) != 0)
    st.st_mode = 0;
  if (S_ISREG(st.st_mode)) {
    rc = add_name(ls, sub);
    sub = NULL;
  } else if (S_ISDIR(st.st_mode)) {
    rc = walk(ls, root, sub, depth + 1);
  }
  free(sub);
  free(full);
  return rc;
}

static int walk(struct listing *ls, const char *root, const char *rel,
                int depth)
{
  char *path = rel[0] ? join(root, rel) : strdup(root);
  DIR *d;
  struct dirent *e;
  int rc = 0;

  if (!path) {
    ls->why = "out of memory";
    return -1;
  }
  if (depth > MAX_DEPTH) {
    free(path);
    ls->why = "folders nested more than 16 deep";
    return -1;
  }
  d = opendir(path);
  free(path);
  if (!d) {
    ls->why = strerror(errno);
    return -1;
  }
  while (rc == 0 && (e = readdir(d)) != NULL)
    if (e->d_name[0] != '.')
      rc = visit(ls, root, rel, e->d_name, depth);
  closedir(d);
  return rc;
}

static int by_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_listing(struct listing *ls)
{
  for (size_t i = 0; i < ls->len; i++)
    free(ls->names[i]);
  free(ls->names);
}

/* nhi.fs.list(folder) -> the paths of its files, relative to it,
 * sorted, walking subfolders; or nil, reason. */
static int l_fs_list(lua_State *L)
{
  const char *root = luaL_checkstring(L, 1);
  struct listing ls = { 0 };
  struct stat st;

  if (!nhi_sandbox_may_read(nhi_sandbox_of(L), root))
    return luaL_error(L, "nhi.fs.list: '%s' is outside the paths this "
                      "assessment may read", root);
  if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
    luaL_pushfail(L);
    lua_pushfstring(L, "'%s' is not a folder", root);
    return 2;
  }
  if (walk(&ls, root, "", 0) != 0) {
    free_listing(&ls);
    luaL_pushfail(L);
    lua_pushfstring(L, "cannot list '%s': %s", root, ls.why);
    return 2;
  }
  if (ls.len)
    qsort(ls.names, ls.len, sizeof *ls.names, by_name);
  lua_createtable(L, (int)ls.len, 0);
  for (size_t i = 0; i < ls.len; i++) {
    lua_pushstring(L, ls.names[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  free_listing(&ls);
  return 1;
}

void nhi_lua_fs_add(lua_State *L)
{
  static const luaL_Reg fs_fns[] = {
    { "list", l_fs_list }, { NULL, NULL }
  };

  luaL_newlib(L, fs_fns);
  lua_setfield(L, -2, "fs");
}
