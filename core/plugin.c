/* Plugins: finding them, loading them into a sandbox, validating their
 * metadata. */
#include "plugin.h"
#include "lua_api.h"
#include "lua_json.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

const char *const nhi_questions[] = {
  "ai-data-access", "overprivilege", "activity-monitoring", "ai-data-trace",
  NULL
};
const char *const nhi_categories[] = {
  "privilege-escalation", "admin-equivalent", "wildcard-permission",
  "stale-credential", "unused-identity", "long-lived-secret",
  "exposed-secret", "cross-account-trust", "third-party-access",
  "human-use-of-nhi", "ai-sensitive-data-access", "untraced-ai-access",
  "logging-gap", "anomalous-activity", "missing-owner", NULL
};
const char *const nhi_severities[] = {
  "critical", "high", "medium", "low", "info", NULL
};
const char *const nhi_efforts[] = { "low", "medium", "high", NULL };
static const char *const owasp_ids[] = {
  "NHI1", "NHI2", "NHI3", "NHI4", "NHI5", "NHI6", "NHI7", "NHI8", "NHI9",
  "NHI10", NULL
};
static const char *const evidence_tables[] = {
  "identities", "credentials", "policies", "grants", "resources", "edges",
  "activity", "ai_agents", "secrets", "paths", NULL
};
static const char *const check_fields[] = {
  "id", "kind", "description", "question", "category", "owasp",
  "severity", "effort", "requires", "params", "title", "remediation",
  "run", NULL
};
static const char *const collector_fields[] = {
  "id", "kind", "description", "source", "method", "provides", "run",
  NULL
};
static const char *const methods[] = { "live", "import", NULL };

int nhi_vocab_index(const char *const *vocab, const char *s)
{
  for (int i = 0; s && vocab[i]; i++)
    if (strcmp(vocab[i], s) == 0)
      return i;
  return -1;
}

/* State of one metadata validation: the first error wins. */
struct meta {
  lua_State *L;
  int tbl;
  const char *path;
  char *err;
};

static char *vformat(const char *fmt, va_list ap)
{
  va_list copy;
  char *s;
  int n;

  va_copy(copy, ap);
  n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  if (n < 0 || !(s = malloc((size_t)n + 1)))
    return NULL;
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  return s;
}

static void fail(struct meta *m, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

static void fail(struct meta *m, const char *fmt, ...)
{
  va_list ap;
  char *what;

  if (m->err)
    return;
  va_start(ap, fmt);
  what = vformat(fmt, ap);
  va_end(ap);
  m->err = what;
}

/* Joins a vocabulary as "a, b, c" into buf. */
static const char *join_vocab(const char *const *vocab, char *buf,
                              size_t size)
{
  size_t len = 0;

  buf[0] = '\0';
  for (size_t i = 0; vocab[i] && len < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
                            vocab[i]);
  return buf;
}

/* Reads a field without metamethods: plugin code must not run here. */
static int raw_field(lua_State *L, int tbl, const char *key)
{
  lua_pushstring(L, key);
  return lua_rawget(L, tbl);
}

static char *get_string(struct meta *m, const char *field, int required,
                        const char *const *vocab)
{
  lua_State *L = m->L;
  char buf[512];
  char *s = NULL;
  int t = raw_field(L, m->tbl, field);

  if (t == LUA_TNIL) {
    if (required)
      fail(m, "field '%s' is missing", field);
  } else if (t != LUA_TSTRING) {
    fail(m, "field '%s' must be a string (got %s)", field,
         lua_typename(L, t));
  } else if (vocab && nhi_vocab_index(vocab, lua_tostring(L, -1)) < 0) {
    fail(m, "field '%s' must be one of %s (got '%s')", field,
         join_vocab(vocab, buf, sizeof buf), lua_tostring(L, -1));
  } else if (!(s = strdup(lua_tostring(L, -1)))) {
    fail(m, "out of memory");
  }
  lua_pop(L, 1);
  return s;
}

static void get_list(struct meta *m, const char *field,
                     const char *const *vocab, char ***out, size_t *n)
{
  lua_State *L = m->L;
  char buf[512];
  lua_Integer len;

  *out = NULL;
  *n = 0;
  if (raw_field(L, m->tbl, field) == LUA_TNIL)
    goto done;
  if (!lua_istable(L, -1)) {
    fail(m, "field '%s' must be a list of strings", field);
    goto done;
  }
  len = (lua_Integer)lua_rawlen(L, -1);
  *out = calloc((size_t)len + 1, sizeof **out);
  for (lua_Integer i = 1; *out && i <= len && !m->err; i++) {
    lua_rawgeti(L, -1, i);
    if (lua_type(L, -1) != LUA_TSTRING)
      fail(m, "field '%s' must be a list of strings", field);
    else if (nhi_vocab_index(vocab, lua_tostring(L, -1)) < 0)
      fail(m, "field '%s': '%s' is not one of %s", field,
           lua_tostring(L, -1), join_vocab(vocab, buf, sizeof buf));
    else
      (*out)[(*n)++] = strdup(lua_tostring(L, -1));
    lua_pop(L, 1);
  }
done:
  lua_pop(L, 1);
}

static void check_known_fields(struct meta *m, const char *const *fields)
{
  lua_State *L = m->L;

  lua_pushnil(L);
  while (lua_next(L, m->tbl)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      fail(m, "the plugin table must have only named fields");
    else if (nhi_vocab_index(fields, lua_tostring(L, -1)) < 0)
      fail(m, "unknown field '%s'", lua_tostring(L, -1));
  }
}

/* params: a table of name = number | string | boolean. */
static char *get_params(struct meta *m)
{
  lua_State *L = m->L;
  char *json = NULL;
  int t;

  if (raw_field(L, m->tbl, "params") == LUA_TNIL) {
    lua_pop(L, 1);
    return strdup("{}");
  }
  if (!lua_istable(L, -1)) {
    fail(m, "field 'params' must be a table");
    lua_pop(L, 1);
    return NULL;
  }
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    t = lua_type(L, -1);
    if (lua_type(L, -2) != LUA_TSTRING)
      fail(m, "field 'params' must have only named entries");
    else if (t != LUA_TNUMBER && t != LUA_TSTRING && t != LUA_TBOOLEAN)
      fail(m, "param '%s' must be a number, string or boolean",
           lua_tostring(L, -2));
    lua_pop(L, 1);
  }
  if (!m->err)
    json = nhi_lua_json_encode(L, -1);
  lua_pop(L, 1);
  return json;
}

static void validate_check(struct meta *m, struct nhi_plugin *p)
{
  check_known_fields(m, check_fields);
  p->question = get_string(m, "question", 1, nhi_questions);
  p->category = get_string(m, "category", 0, nhi_categories);
  p->owasp = get_string(m, "owasp", 1, owasp_ids);
  p->severity = get_string(m, "severity", 1, nhi_severities);
  p->effort = get_string(m, "effort", 0, nhi_efforts);
  if (!m->err && !p->effort && !(p->effort = strdup("medium")))
    fail(m, "out of memory");
  p->title = get_string(m, "title", 1, NULL);
  p->remediation = get_string(m, "remediation", 1, NULL);
  get_list(m, "requires", evidence_tables, &p->requires, &p->nrequires);
  p->params_json = get_params(m);
}

static void validate_collector(struct meta *m, struct nhi_plugin *p)
{
  const char *colon;

  check_known_fields(m, collector_fields);
  p->source = get_string(m, "source", 1, NULL);
  colon = p->source ? strchr(p->source, ':') : NULL;
  if (p->source && (!colon || colon == p->source || !colon[1] ||
                    strchr(colon + 1, ':')))
    fail(m, "field 'source' must read 'provider:kind' (got '%s')",
         p->source);
  p->method = get_string(m, "method", 0, methods);
  if (!m->err && !p->method &&
      !(p->method = strdup(colon && !strcmp(colon + 1, "live") ? "live"
                                                               : "import")))
    fail(m, "out of memory");
  get_list(m, "provides", evidence_tables, &p->provides, &p->nprovides);
  p->params_json = strdup("{}");
}

int nhi_plugin_valid_id(const char *id)
{
  if (!id || !*id || !strchr("abcdefghijklmnopqrstuvwxyz0123456789", *id))
    return 0;
  return strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789._-") ==
         strlen(id);
}

/* Runs inside lua_pcall so that allocation errors are caught. */
static int validate_protected(lua_State *L)
{
  struct meta *m = lua_touserdata(L, 1);
  struct nhi_plugin *p = lua_touserdata(L, 2);
  static const char *const kinds[] = { "check", "collector", NULL };
  char *kind;

  m->L = L;
  m->tbl = 3;

  p->id = get_string(m, "id", 1, NULL);
  if (p->id && !nhi_plugin_valid_id(p->id))
    fail(m, "field 'id' must be lowercase letters, digits, '.', '-' or "
         "'_' (got '%s')", p->id);
  kind = get_string(m, "kind", 1, kinds);
  p->description = get_string(m, "description", 0, NULL);
  if (raw_field(L, m->tbl, "run") != LUA_TFUNCTION)
    fail(m, "field 'run' must be a function");
  lua_pop(L, 1);
  if (kind && strcmp(kind, "collector") == 0) {
    p->kind = NHI_PLUGIN_COLLECTOR;
    validate_collector(m, p);
  } else if (kind) {
    p->kind = NHI_PLUGIN_CHECK;
    validate_check(m, p);
  }
  free(kind);
  return 0;
}

static char *format_error(const char *path, const char *what)
{
  size_t n = strlen(path) + strlen(what) + 16;
  char *s = malloc(n);

  if (s)
    snprintf(s, n, "plugin '%s': %s", path, what);
  return s;
}

enum nhi_rc nhi_plugin_open(const char *path, const struct nhi_plugin_env *env,
                            struct nhi_sandbox **out, char **err)
{
  struct nhi_sandbox *sb = NULL;
  enum nhi_rc rc;

  *out = NULL;
  *err = NULL;
  rc = nhi_sandbox_new(&env->limits, path, &sb);
  if (rc) {
    *err = format_error(path, "cannot create a Lua state");
    return rc;
  }
  sb->read_roots = env->read_roots;
  sb->lib_dirs = env->lib_dirs;
  nhi_api_push(sb->L);
  nhi_sandbox_push_env(sb, -1, 1);
  lua_remove(sb->L, -2);
  rc = nhi_sandbox_load(sb, path);
  if (!rc)
    rc = nhi_sandbox_call(sb, 0, 1);
  if (!rc && !lua_istable(sb->L, -1)) {
    nhi_sandbox_set_error(sb, "the file must return a table (got %s)",
                          luaL_typename(sb->L, -1));
    rc = NHI_ERR_PLUGIN;
  }
  if (rc) {
    *err = format_error(path, sb->error ? sb->error : "cannot load");
    nhi_sandbox_free(sb);
    return NHI_ERR_PLUGIN;
  }
  *out = sb;
  return NHI_OK;
}

enum nhi_rc nhi_plugin_load(const char *path, const struct nhi_plugin_env *env,
                            struct nhi_plugin *p, char **err)
{
  struct nhi_sandbox *sb = NULL;
  struct meta m = { 0 };
  enum nhi_rc rc;

  memset(p, 0, sizeof *p);
  rc = nhi_plugin_open(path, env, &sb, err);
  if (rc)
    return rc;
  m.L = sb->L;
  m.tbl = lua_gettop(sb->L);
  m.path = path;
  lua_pushcfunction(sb->L, validate_protected);
  lua_pushlightuserdata(sb->L, &m);
  lua_pushlightuserdata(sb->L, p);
  lua_pushvalue(sb->L, m.tbl);
  if (lua_pcall(sb->L, 3, 0, 0) != LUA_OK)
    fail(&m, "%s", lua_tostring(sb->L, -1));
  p->path = strdup(path);
  if (!m.err && (!p->path || !p->params_json))
    fail(&m, "out of memory");
  nhi_sandbox_free(sb);
  if (m.err) {
    *err = format_error(path, m.err);
    free(m.err);
    nhi_plugin_clear(p);
    return NHI_ERR_PLUGIN;
  }
  return NHI_OK;
}

static void free_list(char **list, size_t n)
{
  for (size_t i = 0; list && i < n; i++)
    free(list[i]);
  free(list);
}

void nhi_plugin_clear(struct nhi_plugin *p)
{
  char **strings[] = { &p->id, &p->path, &p->description, &p->source,
                       &p->method, &p->question, &p->category, &p->owasp,
                       &p->severity, &p->effort, &p->title,
                       &p->remediation, &p->params_json };

  for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
    free(*strings[i]);
  free_list(p->requires, p->nrequires);
  free_list(p->provides, p->nprovides);
  memset(p, 0, sizeof *p);
}

void nhi_plugin_set_free(struct nhi_plugin_set *set)
{
  for (size_t i = 0; i < set->count; i++)
    nhi_plugin_clear(&set->items[i]);
  for (size_t i = 0; i < set->nfailures; i++) {
    free(set->failures[i].path);
    free(set->failures[i].error);
  }
  free(set->items);
  free(set->failures);
  memset(set, 0, sizeof *set);
}

const struct nhi_plugin *nhi_plugin_find(const struct nhi_plugin_set *set,
                                         const char *id)
{
  for (size_t i = 0; i < set->count; i++)
    if (strcmp(set->items[i].id, id) == 0)
      return &set->items[i];
  return NULL;
}

static enum nhi_rc add_failure(struct nhi_plugin_set *set, const char *path,
                               char *err)
{
  struct nhi_plugin_failure *f;

  f = realloc(set->failures, (set->nfailures + 1) * sizeof *f);
  if (!f) {
    free(err);
    return NHI_ERR_NOMEM;
  }
  set->failures = f;
  f[set->nfailures].path = strdup(path);
  f[set->nfailures].error = err;
  set->nfailures++;
  nhi_error("%s", err ? err : path);
  return NHI_OK;
}

static enum nhi_rc add_plugin(struct nhi_plugin_set *set,
                              struct nhi_plugin *p)
{
  const struct nhi_plugin *twin = nhi_plugin_find(set, p->id);
  struct nhi_plugin *items;
  char *err;
  size_t n;

  if (twin) {
    n = strlen(p->path) + strlen(p->id) + strlen(twin->path) + 64;
    err = malloc(n);
    if (err)
      snprintf(err, n, "plugin '%s': id '%s' is already used by '%s'",
               p->path, p->id, twin->path);
    add_failure(set, p->path, err);
    nhi_plugin_clear(p);
    return NHI_OK;
  }
  items = realloc(set->items, (set->count + 1) * sizeof *items);
  if (!items) {
    nhi_plugin_clear(p);
    return NHI_ERR_NOMEM;
  }
  set->items = items;
  items[set->count++] = *p;
  return NHI_OK;
}

static int is_lua_file(const char *name)
{
  size_t n = strlen(name);

  return n > 4 && strcmp(name + n - 4, ".lua") == 0 && name[0] != '.';
}

static enum nhi_rc walk(const char *dir, const struct nhi_plugin_env *env,
                        struct nhi_plugin_set *set, int depth);

static enum nhi_rc visit(const char *path, const char *name,
                         const struct nhi_plugin_env *env,
                         struct nhi_plugin_set *set, int depth)
{
  struct nhi_plugin p;
  struct stat sb;
  char *err = NULL;

  if (stat(path, &sb) != 0 || name[0] == '.')
    return NHI_OK;
  if (S_ISDIR(sb.st_mode))
    return strcmp(name, "lib") && strcmp(name, "tests")
             ? walk(path, env, set, depth + 1) : NHI_OK;
  if (!S_ISREG(sb.st_mode) || !is_lua_file(name))
    return NHI_OK;
  if (nhi_plugin_load(path, env, &p, &err) != NHI_OK)
    return add_failure(set, path, err);
  return add_plugin(set, &p);
}

/* Visits a folder's entries in name order, so runs are reproducible. */
static enum nhi_rc walk(const char *dir, const struct nhi_plugin_env *env,
                        struct nhi_plugin_set *set, int depth)
{
  struct dirent **names = NULL;
  enum nhi_rc rc = NHI_OK;
  char *path;
  int n;

  if (depth > 8)
    return NHI_OK;
  n = scandir(dir, &names, NULL, alphasort);
  if (n < 0) {
    nhi_error("cannot read plugin folder '%s'", dir);
    return NHI_ERR_INPUT;
  }
  for (int i = 0; i < n; i++) {
    size_t len = strlen(dir) + strlen(names[i]->d_name) + 2;

    path = rc ? NULL : malloc(len);
    if (path) {
      snprintf(path, len, "%s/%s", dir, names[i]->d_name);
      rc = visit(path, names[i]->d_name, env, set, depth);
    } else if (!rc) {
      rc = NHI_ERR_NOMEM;
    }
    free(path);
    free(names[i]);
  }
  free(names);
  return rc;
}

enum nhi_rc nhi_plugin_discover(const char *const *dirs,
                                const struct nhi_plugin_env *env,
                                struct nhi_plugin_set *set)
{
  struct stat sb;
  enum nhi_rc rc = NHI_OK;

  for (; *dirs && !rc; dirs++) {
    const char *base = strrchr(*dirs, '/');

    if (stat(*dirs, &sb) == 0 && S_ISREG(sb.st_mode))
      rc = visit(*dirs, base ? base + 1 : *dirs, env, set, 0);
    else
      rc = walk(*dirs, env, set, 0);
  }
  return rc;
}
