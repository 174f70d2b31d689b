/* nhiscope plugins new ID: a working check to start from, with its two
 * test cases, copied from templates/scaffold/. */
#include "cli.h"
#include "json.h"
#include "strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Returns text with every "{{id}}" replaced by id (malloc'd). */
static char *fill(const char *text, const char *id)
{
  size_t n = 0, idlen = strlen(id);
  const char *p;
  char *out, *o;

  for (p = text; (p = strstr(p, "{{id}}")); p += 6)
    n++;
  out = malloc(strlen(text) + n * idlen + 1);
  if (!out)
    return NULL;
  for (o = out, p = text; *p;) {
    if (strncmp(p, "{{id}}", 6) == 0) {
      memcpy(o, id, idlen);
      o += idlen;
      p += 6;
    } else {
      *o++ = *p++;
    }
  }
  *o = '\0';
  return out;
}

/* Writes text to a new file; an existing file is never overwritten. */
static enum nhi_rc write_new(const char *path, const char *text)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
  size_t len = strlen(text);
  int ok;

  if (fd < 0) {
    nhi_error("cannot create '%s': %s", path, strerror(errno));
    return errno == EEXIST ? NHI_ERR_USAGE : NHI_ERR_IO;
  }
  ok = write(fd, text, len) == (ssize_t)len;
  ok = close(fd) == 0 && ok;
  if (!ok)
    nhi_error("cannot write '%s': %s", path, strerror(errno));
  return ok ? NHI_OK : NHI_ERR_IO;
}

static enum nhi_rc copy_template(const struct nhi_runtime *rt,
                                 const char *name, const char *id,
                                 const char *dest)
{
  char *src = nhi_aprintf("%s/templates/scaffold/%s", rt->home, name);
  char *text = NULL, *filled = NULL;
  size_t len;
  enum nhi_rc rc = src ? nhi_file_read(src, &text, &len) : NHI_ERR_NOMEM;

  if (!rc && !(filled = fill(text, id)))
    rc = NHI_ERR_NOMEM;
  if (!rc)
    rc = write_new(dest, filled);
  free(src);
  free(text);
  free(filled);
  return rc;
}

static enum nhi_rc make_dir(const char *path)
{
  if (mkdir(path, 0777) == 0 || errno == EEXIST)
    return NHI_OK;
  nhi_error("cannot create folder '%s': %s", path, strerror(errno));
  return NHI_ERR_IO;
}

/* DIR/<id>.lua, DIR/tests/<id>/fires.json and quiet.json. */
static enum nhi_rc scaffold(const struct nhi_runtime *rt, const char *id,
                            const char *dir)
{
  char *lua = nhi_aprintf("%s/%s.lua", dir, id);
  char *tests = nhi_aprintf("%s/tests", dir);
  char *cases = nhi_aprintf("%s/tests/%s", dir, id);
  char *fires = nhi_aprintf("%s/tests/%s/fires.json", dir, id);
  char *quiet = nhi_aprintf("%s/tests/%s/quiet.json", dir, id);
  enum nhi_rc rc = lua && tests && cases && fires && quiet
                     ? make_dir(dir) : NHI_ERR_NOMEM;

  if (!rc)
    rc = copy_template(rt, "check.lua", id, lua);
  if (!rc)
    rc = make_dir(tests);
  if (!rc)
    rc = make_dir(cases);
  if (!rc)
    rc = copy_template(rt, "fires.json", id, fires);
  if (!rc)
    rc = copy_template(rt, "quiet.json", id, quiet);
  if (!rc)
    printf("wrote %s and its test cases in %s/\n"
           "next: nhiscope test %s\n"
           "      nhiscope assess --plugins %s --source ... -o out\n",
           lua, cases, dir, dir);
  free(lua);
  free(tests);
  free(cases);
  free(fires);
  free(quiet);
  return rc;
}

int nhi_cmd_plugins_new(struct nhi_runtime *rt, const char *id)
{
  if (!nhi_plugin_valid_id(id)) {
    nhi_error("plugins new: '%s' is not a plugin id (lowercase letters, "
              "digits, '.', '-', '_'), e.g. acme.ci-role-admin", id);
    return 2;
  }
  return nhi_exit_status(rt, scaffold(rt, id, rt->opt.out_dir
                                              ? rt->opt.out_dir : "."));
}
