/* The scanner for plugins: nhi.scan (strings, fingerprints) for every
 * plugin, ctx:scan_files and ctx:scan_git for collectors. */
#include "lua_scan.h"
#include "lua_json.h"
#include "import_util.h"
#include "sandbox.h"
#include "scan_git.h"
#include "scan_mcp.h"
#include "scan_store.h"
#include "strutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>

#define RULES_KEY "nhi.scan.rules"
#define RULES_FILE "data/secrets/rules.json"

struct rules_box {
  struct nhi_scan_rules *set;
};

static int l_rules_gc(lua_State *L)
{
  struct rules_box *b = luaL_checkudata(L, 1, RULES_KEY);

  nhi_scan_rules_free(b->set);
  b->set = NULL;
  return 0;
}

/* "X/lib" -> "X/data/secrets/rules.json" (the plugin folder's rules). */
static char *rules_path(const char *lib_dir)
{
  size_t n = strlen(lib_dir);

  while (n && lib_dir[n - 1] == '/')
    n--;
  if (n >= 4 && !strncmp(lib_dir + n - 4, "/lib", 4))
    n -= 4;
  return nhi_aprintf("%.*s/" RULES_FILE, (int)n, lib_dir);
}

/* The bundled rules file, then each --plugins folder's, when it has one. */
static enum nhi_rc load_rules(const struct nhi_sandbox *sb,
                              struct nhi_scan_rules **set)
{
  enum nhi_rc rc = NHI_OK;

  if (!sb || !sb->lib_dirs || !sb->lib_dirs[0]) {
    nhi_error("nhi.scan: no plugin folder to read rules from");
    return NHI_ERR_INPUT;
  }
  for (size_t i = 0; sb->lib_dirs[i] && !rc; i++) {
    char *path = rules_path(sb->lib_dirs[i]);

    if (!path)
      rc = NHI_ERR_NOMEM;
    else if (i == 0 || access(path, F_OK) == 0)
      rc = nhi_scan_rules_load(path, set);
    free(path);
  }
  return rc;
}

/* The rule set, loaded on first use in this run and kept. */
static struct nhi_scan_rules *rules_of(lua_State *L)
{
  struct rules_box *b;

  if (lua_getfield(L, LUA_REGISTRYINDEX, RULES_KEY "#set") ==
      LUA_TUSERDATA) {
    b = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return b->set;
  }
  lua_pop(L, 1);
  b = lua_newuserdatauv(L, sizeof *b, 0);
  b->set = NULL;
  if (luaL_newmetatable(L, RULES_KEY)) {
    lua_pushcfunction(L, l_rules_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, RULES_KEY "#set");
  if (load_rules(nhi_sandbox_of(L), &b->set))
    luaL_error(L, "nhi.scan: %s", nhi_log_last_error());
  return b->set;
}

/* One hit as {type, rule, line, fingerprint, preview, validated,
 * generic, attrs}. */
static void push_hit(lua_State *L, const struct nhi_scan_hit *h)
{
  cJSON *attrs = h->attrs ? cJSON_Parse(h->attrs) : NULL;

  lua_createtable(L, 0, 8);
  lua_pushstring(L, h->type);
  lua_setfield(L, -2, "type");
  lua_pushstring(L, h->rule);
  lua_setfield(L, -2, "rule");
  lua_pushinteger(L, h->line);
  lua_setfield(L, -2, "line");
  lua_pushstring(L, h->fingerprint);
  lua_setfield(L, -2, "fingerprint");
  lua_pushstring(L, h->preview);
  lua_setfield(L, -2, "preview");
  if (h->validated >= 0) {
    lua_pushboolean(L, h->validated);
    lua_setfield(L, -2, "validated");
  }
  lua_pushboolean(L, h->generic);
  lua_setfield(L, -2, "generic");
  if (attrs) {
    nhi_lua_json_push(L, attrs);
    lua_setfield(L, -2, "attrs");
  }
  cJSON_Delete(attrs);
}

/* nhi.scan.text(s) -> list of hits, in the order found */
static int l_scan_text(lua_State *L)
{
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  struct nhi_scan_rules *set = rules_of(L);
  struct nhi_scan_hits h = { 0 };

  if (nhi_scan_buffer(set, s, len, &h))
    return luaL_error(L, "nhi.scan.text: out of memory");
  lua_createtable(L, (int)(h.count < 1000000 ? h.count : 0), 0);
  for (size_t i = 0; i < h.count; i++) {
    push_hit(L, &h.items[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  nhi_scan_hits_free(&h);
  return 1;
}

/* nhi.scan.fingerprint(s) -> "sha256:<24 hex>", as secrets rows hold */
static int l_scan_fingerprint(lua_State *L)
{
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  char fp[NHI_FINGERPRINT_SIZE];

  if (nhi_secret_fingerprint(s, len, fp))
    return luaL_error(L, "nhi.scan.fingerprint: SHA-256 failed");
  lua_pushstring(L, fp);
  return 1;
}

static int l_scan_classify(lua_State *L);

void nhi_lua_scan_push_module(lua_State *L)
{
  static const luaL_Reg fns[] = {
    { "text", l_scan_text }, { "fingerprint", l_scan_fingerprint },
    { "classify", l_scan_classify }, { NULL, NULL }
  };

  luaL_newlib(L, fns);
}

/* The path a collector may scan: below the assessment's read roots. */
static const char *check_path(lua_State *L, const char *fn)
{
  const char *path = luaL_checkstring(L, 2);

  if (!nhi_sandbox_may_read(nhi_sandbox_of(L), path))
    luaL_error(L, "ctx:%s: '%s' is not below a source path", fn, path);
  return path;
}

/* Reads {exclude = {...}, max_file_size = N} at idx into o; the
 * patterns stay on the Lua stack's table. */
static void read_opts(lua_State *L, int idx, struct nhi_scan_opts *o,
                      const char **ex, size_t room)
{
  memset(o, 0, sizeof *o);
  if (lua_isnoneornil(L, idx))
    return;
  luaL_checktype(L, idx, LUA_TTABLE);
  if (lua_getfield(L, idx, "max_file_size") != LUA_TNIL) {
    lua_Integer max = luaL_checkinteger(L, -1);

    luaL_argcheck(L, max > 0, idx, "max_file_size must be positive");
    o->max_file_size = (size_t)max;
  }
  lua_pop(L, 1);
  if (lua_getfield(L, idx, "exclude") == LUA_TTABLE) {
    size_t n = lua_rawlen(L, -1);

    luaL_argcheck(L, n <= room, idx, "too many exclude patterns");
    for (size_t i = 0; i < n; i++) {
      lua_rawgeti(L, -1, (lua_Integer)i + 1);
      ex[o->nexcludes++] = luaL_checkstring(L, -1);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  o->excludes = ex;
}

static void push_count(lua_State *L, const char *key, long long n)
{
  lua_pushinteger(L, n);
  lua_setfield(L, -2, key);
}

/* Pushes the counts per class as a table {email = N, ...}. */
static void push_classes(lua_State *L, const struct nhi_classify_counts *c)
{
  lua_createtable(L, 0, NHI_DC_COUNT);
  for (int k = 0; k < NHI_DC_COUNT; k++) {
    lua_pushinteger(L, c->n[k]);
    lua_setfield(L, -2, nhi_classify_name((enum nhi_data_class)k));
  }
}

/* nhi.scan.classify(s) -> {counts = {email = N, phone, payment_card, iban,
 * us_ssn, es_dni_nie}, secrets = N, sensitivity, confidence} */
static int l_scan_classify(lua_State *L)
{
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  struct nhi_scan_rules *set = rules_of(L);
  struct nhi_scan_hits h = { 0 };
  struct nhi_classify_counts c;
  const char *level, *confidence;

  memset(&c, 0, sizeof c);
  nhi_classify_buffer(s, len, &c);
  if (nhi_scan_buffer(set, s, len, &h))
    return luaL_error(L, "nhi.scan.classify: out of memory");
  level = nhi_classify_level(&c, (long long)h.count, &confidence);
  lua_createtable(L, 0, 4);
  push_classes(L, &c);
  lua_setfield(L, -2, "counts");
  lua_pushinteger(L, (lua_Integer)h.count);
  lua_setfield(L, -2, "secrets");
  lua_pushstring(L, level);
  lua_setfield(L, -2, "sensitivity");
  lua_pushstring(L, confidence);
  lua_setfield(L, -2, "confidence");
  nhi_scan_hits_free(&h);
  return 1;
}

/* The scanned folder as a resource: the data classes its sample holds,
 * and the sensitivity they suggest (sensitivity_source "classifier"). */
/* The folder's data_classes (the classes found) and attrs (counts,
 * sample, confidence) into the two JSON values given. */
static int describe_folder(const struct nhi_scan_result *r, long long secrets,
                           const char *confidence, cJSON *classes,
                           cJSON *attrs)
{
  cJSON *counts = cJSON_AddObjectToObject(attrs, "data_class_counts");

  if (!classes || !counts)
    return 0;
  for (int k = 0; k < NHI_DC_COUNT; k++) {
    const char *name = nhi_classify_name((enum nhi_data_class)k);

    cJSON_AddNumberToObject(counts, name, (double)r->classes.n[k]);
    if (r->classes.n[k])
      cJSON_AddItemToArray(classes, cJSON_CreateString(name));
  }
  if (secrets)
    cJSON_AddItemToArray(classes, cJSON_CreateString("secrets"));
  cJSON_AddNumberToObject(attrs, "secrets", (double)secrets);
  cJSON_AddNumberToObject(attrs, "sample_bytes", (double)r->classes.bytes);
  cJSON_AddNumberToObject(attrs, "files", (double)r->nfiles);
  cJSON_AddStringToObject(attrs, "sensitivity_confidence", confidence);
  return 1;
}

static enum nhi_rc write_folder(struct nhi_store *s, const char *path,
                                const struct nhi_scan_result *r,
                                long long secrets)
{
  cJSON *classes = cJSON_CreateArray(), *attrs = cJSON_CreateObject();
  char *real = realpath(path, NULL), *native = NULL;
  char *classes_text = NULL, *attrs_text = NULL;
  const char *confidence;
  const char *level = nhi_classify_level(&r->classes, secrets, &confidence);
  struct nhi_row row;
  enum nhi_rc rc = NHI_ERR_NOMEM;

  if (!attrs || !describe_folder(r, secrets, confidence, classes, attrs))
    goto out;
  native = nhi_aprintf("files:%s", real ? real : path);
  classes_text = cJSON_PrintUnformatted(classes);
  attrs_text = cJSON_PrintUnformatted(attrs);
  if (!native || !classes_text || !attrs_text)
    goto out;
  nhi_row_start(&row, NHI_T_RESOURCE);
  nhi_row_text(&row, "provider", "files");
  nhi_row_text(&row, "native_id", native);
  nhi_row_text(&row, "type", "folder");
  nhi_row_text(&row, "name", path);
  nhi_row_text(&row, "sensitivity", level);
  nhi_row_text(&row, "sensitivity_source", "classifier");
  nhi_row_text(&row, "data_classes", classes_text);
  nhi_row_text(&row, "attrs", attrs_text);
  rc = nhi_row_put(s, &row, NULL);
out:
  if (rc == NHI_ERR_NOMEM)
    nhi_error("cannot scan '%s': out of memory", path);
  cJSON_Delete(classes);
  cJSON_Delete(attrs);
  free(real);
  free(native);
  free(classes_text);
  free(attrs_text);
  return rc;
}

/* What a tree holds besides secrets: MCP client configurations. */
static enum nhi_rc scan_extras(struct nhi_store *s,
                               const struct nhi_scan_rules *set,
                               const char *root,
                               const struct nhi_scan_result *r,
                               struct nhi_mcp_stats *mcp)
{
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; i < r->nfiles && !rc; i++) {
    char *path;

    if (r->files[i].status != NHI_SCAN_OK ||
        !nhi_mcp_is_config(r->files[i].path))
      continue;
    path = nhi_aprintf("%s/%s", r->dir, r->files[i].path);
    rc = path ? nhi_mcp_import(s, set, path, r->files[i].path, mcp)
              : NHI_ERR_NOMEM;
    free(path);
  }
  if (rc == NHI_ERR_NOMEM)
    nhi_error("cannot scan '%s': out of memory", root);
  return rc;
}

/* ctx:scan_files(path [, {exclude=, max_file_size=}]) -> {files, bytes,
 * skipped, secrets, agents, data_classes}; writes secrets rows, ai_agents
 * rows for the MCP servers the tree's client configurations name, and
 * the folder as a resource classified by its sample. */
int nhi_lua_ctx_scan_files(lua_State *L)
{
  struct nhi_run *run = lua_touserdata(L, lua_upvalueindex(1));
  const char *path = check_path(L, "scan_files");
  struct nhi_scan_rules *set = rules_of(L);
  const char *ex[64];
  struct nhi_scan_opts o;
  struct nhi_scan_result r;
  struct nhi_mcp_stats mcp = { 0, 0 };
  enum nhi_rc rc;

  read_opts(L, 3, &o, ex, 64);
  rc = nhi_scan_tree(set, path, &o, &r);
  if (!rc)
    rc = nhi_scan_store_result(run->store, &r);
  if (!rc)
    rc = scan_extras(run->store, set, path, &r, &mcp);
  if (!rc)
    rc = write_folder(run->store, path, &r,
                      (long long)r.hits.count + mcp.secrets);
  if (rc) {
    nhi_scan_result_free(&r);
    run->error_logged = 1;
    lua_pushstring(L, nhi_log_last_error());
    return lua_error(L);
  }
  lua_createtable(L, 0, 6);
  push_count(L, "files", (long long)r.nfiles);
  push_count(L, "bytes", r.bytes);
  push_count(L, "skipped", r.skipped);
  push_count(L, "secrets", (long long)r.hits.count + mcp.secrets);
  push_count(L, "agents", mcp.agents);
  push_classes(L, &r.classes);
  lua_setfield(L, -2, "data_classes");
  nhi_scan_result_free(&r);
  return 1;
}

/* ctx:scan_git(path) -> {commits, lines, secrets, in_history}; writes a
 * secrets row per secret the clone's history ever added. */
int nhi_lua_ctx_scan_git(lua_State *L)
{
  struct nhi_run *run = lua_touserdata(L, lua_upvalueindex(1));
  const char *path = check_path(L, "scan_git");
  struct nhi_scan_rules *set = rules_of(L);
  struct nhi_git_stats st;

  if (nhi_scan_git(run->store, set, path, &st)) {
    run->error_logged = 1;
    lua_pushstring(L, nhi_log_last_error());
    return lua_error(L);
  }
  lua_createtable(L, 0, 4);
  push_count(L, "commits", st.commits);
  push_count(L, "lines", st.lines);
  push_count(L, "secrets", st.secrets);
  push_count(L, "in_history", st.in_history);
  return 1;
}
