/* Setting up the runtime context: install root, clock, plugins, store. */
#include "runtime.h"
#include "strutil.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum nhi_rc nhi_strings_add(struct nhi_strings *list, const char *s,
                            int own)
{
  char **items = realloc(list->items, (list->count + 2) * sizeof *items);
  char *copy = own ? strdup(s) : (char *)s;

  if (items)
    list->items = items;
  if (!items || !copy) {
    if (own)
      free(copy);
    nhi_error("out of memory");
    return NHI_ERR_NOMEM;
  }
  items[list->count++] = copy;
  items[list->count] = NULL;
  return NHI_OK;
}

void nhi_strings_free(struct nhi_strings *list, int owned)
{
  for (size_t i = 0; owned && i < list->count; i++)
    free(list->items[i]);
  free(list->items);
  list->items = NULL;
  list->count = 0;
}

static int is_home(const char *dir)
{
  char *path = nhi_aprintf("%s/plugins", dir);
  struct stat sb;
  int yes = path && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);

  free(path);
  return yes;
}

/* The binary lives one folder below the root (build/nhiscope); the
 * NHISCOPE_HOME environment variable overrides. */
enum nhi_rc nhi_runtime_find_home(struct nhi_runtime *rt, const char *argv0)
{
  const char *env = getenv("NHISCOPE_HOME");
  char *exe = realpath("/proc/self/exe", NULL);
  char *dir;

  (void)argv0;
  if (env && is_home(env)) {
    free(exe);
    rt->home = realpath(env, NULL);
    return rt->home ? NHI_OK : NHI_ERR_NOMEM;
  }
  if (exe) {
    dir = dirname(dirname(exe));
    if (is_home(dir))
      rt->home = strdup(dir);
  }
  free(exe);
  if (rt->home)
    return NHI_OK;
  nhi_error("cannot find the plugins/ and templates/ folders next to the "
            "nhiscope binary; set NHISCOPE_HOME to the install folder");
  return NHI_ERR_USAGE;
}

enum nhi_rc nhi_runtime_set_clock(struct nhi_runtime *rt)
{
  const char *now = rt->opt.now ? rt->opt.now : rt->profile.now;
  const char *from = rt->opt.now ? "--now" : "the profile's now";

  if (!now) {
    rt->now_unix = time(NULL);
  } else if (nhi_time_parse(now, &rt->now_unix) != NHI_OK) {
    nhi_error("%s: '%s' is not an ISO-8601 time (e.g. "
              "2026-12-01T09:00:00Z)", from, now);
    return NHI_ERR_USAGE;
  }
  nhi_time_format(rt->now_unix, rt->now);
  return NHI_OK;
}

static enum nhi_rc add_joined(struct nhi_strings *list, const char *dir,
                              const char *leaf)
{
  char *path = nhi_aprintf("%s/%s", dir, leaf);
  enum nhi_rc rc;

  if (!path)
    return NHI_ERR_NOMEM;
  rc = nhi_strings_add(list, path, 0);
  if (rc)
    free(path);
  return rc;
}

/* Adds the real path of path to the folders plugins may read. */
enum nhi_rc nhi_runtime_allow_read(struct nhi_runtime *rt, const char *path)
{
  char *real = realpath(path, NULL);
  enum nhi_rc rc;

  if (!real)
    return NHI_OK;  /* a missing path fails where it is read */
  rc = nhi_strings_add(&rt->read_roots, real, 0);
  if (rc)
    free(real);
  rt->penv.read_roots = (const char *const *)rt->read_roots.items;
  return rc;
}

enum nhi_rc nhi_runtime_load_plugins(struct nhi_runtime *rt)
{
  struct nhi_strings dirs = { 0 };
  enum nhi_rc rc;

  rt->penv.limits.memory = rt->opt.memory_mib
                             ? rt->opt.memory_mib << 20
                             : NHI_SANDBOX_MEMORY;
  rt->penv.limits.budget = rt->opt.budget_minstr
                             ? rt->opt.budget_minstr * 1000000ULL
                             : NHI_SANDBOX_BUDGET;
  rc = add_joined(&dirs, rt->home, "plugins");
  if (!rc)
    rc = add_joined(&rt->lib_dirs, rt->home, "plugins/lib");
  for (size_t i = 0; !rc && i < rt->opt.plugin_dirs.count; i++) {
    rc = nhi_strings_add(&dirs, rt->opt.plugin_dirs.items[i], 1);
    if (!rc)
      rc = add_joined(&rt->lib_dirs, rt->opt.plugin_dirs.items[i], "lib");
    if (!rc)
      rc = nhi_runtime_allow_read(rt, rt->opt.plugin_dirs.items[i]);
  }
  rt->penv.lib_dirs = (const char *const *)rt->lib_dirs.items;
  rt->penv.read_roots = (const char *const *)rt->read_roots.items;
  if (!rc)
    rc = nhi_plugin_discover((const char *const *)dirs.items, &rt->penv,
                             &rt->plugins);
  nhi_strings_free(&dirs, 1);
  return rc;
}

static void remove_store_files(const char *db)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  for (size_t i = 0; i < 3; i++) {
    char *path = nhi_aprintf("%s%s", db, suffixes[i]);

    if (path && unlink(path) != 0 && errno != ENOENT)
      nhi_warn("cannot remove '%s': %s", path, strerror(errno));
    free(path);
  }
}

/* mkdir -p for the output folder. */
static enum nhi_rc make_dirs(const char *dir)
{
  char *copy = strdup(dir);
  enum nhi_rc rc = NHI_OK;

  if (!copy)
    return NHI_ERR_NOMEM;
  for (char *p = copy + 1; *p && !rc; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(copy, 0777) != 0 && errno != EEXIST)
      rc = NHI_ERR_IO;
    *p = '/';
  }
  if (!rc && mkdir(copy, 0777) != 0 && errno != EEXIST)
    rc = NHI_ERR_IO;
  if (rc)
    nhi_error("cannot create output folder '%s': %s", dir, strerror(errno));
  free(copy);
  return rc;
}

enum nhi_rc nhi_runtime_open_store(struct nhi_runtime *rt, int fresh)
{
  char *path = nhi_aprintf("%s/evidence.db", rt->opt.out_dir);
  enum nhi_rc rc = path ? make_dirs(rt->opt.out_dir) : NHI_ERR_NOMEM;

  if (!rc && fresh)
    remove_store_files(path);
  if (!rc)
    rc = nhi_store_open(path, &rt->store);
  free(path);
  return rc;
}

void nhi_runtime_free(struct nhi_runtime *rt)
{
  nhi_store_close(rt->store);
  nhi_plugin_set_free(&rt->plugins);
  nhi_profile_clear(&rt->profile);
  nhi_strings_free(&rt->opt.sources, 0);
  nhi_strings_free(&rt->opt.plugin_dirs, 0);
  nhi_strings_free(&rt->opt.sets, 0);
  nhi_strings_free(&rt->opt.args, 0);
  nhi_strings_free(&rt->read_roots, 1);
  nhi_strings_free(&rt->lib_dirs, 1);
  cJSON_Delete(rt->overrides);
  cJSON_Delete(rt->baseline);
  free(rt->home);
}
