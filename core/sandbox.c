/* The Lua sandbox: one state per plugin run, with a memory cap, an
 * instruction budget and an allow-listed environment. */
#include "sandbox.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

/* Raised (as a light userdata) when the budget runs out, so that no
 * message handler can mistake it for a plugin's own error. */
static const char budget_sentinel = 0;

#define HOOK_STEP 1000
#define REG_IO "nhi.sandbox.io"
#define REG_STRING "nhi.sandbox.string"
#define REG_LIBS "nhi.sandbox.loaded"
#define REG_OWN_MT "nhi.sandbox.metatables"

struct nhi_sandbox *nhi_sandbox_of(lua_State *L)
{
  return *(struct nhi_sandbox **)lua_getextraspace(L);
}

static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
  struct nhi_sandbox *sb = ud;
  size_t old = ptr ? osize : 0;  /* with ptr NULL, osize is a type tag */
  void *p;

  if (nsize == 0) {
    free(ptr);
    sb->mem_used -= old;
    return NULL;
  }
  if (nsize > old && sb->mem_used - old + nsize > sb->mem_limit) {
    sb->over_memory = 1;
    return NULL;
  }
  p = realloc(ptr, nsize);
  if (p)
    sb->mem_used = sb->mem_used - old + nsize;
  return p;
}

static void budget_hook(lua_State *L, lua_Debug *ar)
{
  struct nhi_sandbox *sb = nhi_sandbox_of(L);

  (void)ar;
  sb->instr_used += (unsigned long long)sb->hook_step;
  if (sb->instr_used < sb->instr_budget)
    return;
  /* From now on fire on every instruction, so a plugin that swallows
   * the error gets no further. */
  sb->over_budget = 1;
  sb->hook_step = 1;
  lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
  lua_pushlightuserdata(L, (void *)&budget_sentinel);
  lua_error(L);
}

/* True when an error must not be caught by plugin code. */
static int is_fatal(struct nhi_sandbox *sb, int status)
{
  if (status == LUA_ERRMEM && sb->over_memory)
    sb->mem_fatal = 1;
  return sb->over_budget || sb->mem_fatal;
}

static int finish_pcall(lua_State *L, int status, int base)
{
  if (is_fatal(nhi_sandbox_of(L), status))
    return lua_error(L);
  lua_pushboolean(L, status == LUA_OK);
  lua_insert(L, base);
  return lua_gettop(L) - base + 1;
}

static int l_safe_pcall(lua_State *L)
{
  int status;

  luaL_checkany(L, 1);
  status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
  return finish_pcall(L, status, 1);
}

/* Runs the plugin's xpcall handler, except once a limit was hit: Lua
 * calls a handler for an error raised by the budget hook with hooks
 * off, so a looping handler would never be stopped. */
static int guarded_handler(lua_State *L)
{
  struct nhi_sandbox *sb = nhi_sandbox_of(L);

  if (sb->over_budget || sb->mem_fatal)
    return 1;
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

static int l_safe_xpcall(lua_State *L)
{
  int n = lua_gettop(L), status;

  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, guarded_handler, 1);
  lua_replace(L, 2);
  lua_pushvalue(L, 1);           /* f, msgh, args..., f */
  lua_rotate(L, 3, 1);           /* f, msgh, f, args... */
  status = lua_pcall(L, n - 2, LUA_MULTRET, 2);
  return finish_pcall(L, status, 3);
}

static int l_safe_setmetatable(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  if (lua_istable(L, 2) && lua_getfield(L, 2, "__gc") != LUA_TNIL)
    return luaL_error(L, "metatables with __gc are not allowed in plugins");
  lua_settop(L, 2);
  if (!lua_isnil(L, 2))
    luaL_checktype(L, 2, LUA_TTABLE);
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
    return luaL_error(L, "cannot change a protected metatable");
  if (lua_istable(L, 2)) {
    lua_getfield(L, LUA_REGISTRYINDEX, REG_OWN_MT);
    lua_pushvalue(L, 2);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
  }
  lua_setmetatable(L, 1);
  return 1;
}

/* getmetatable(v) shows plugins only the metatables they set themselves
 * (or a __metatable field). The host's (files, JSON markers) stay out of
 * reach: a __gc added to one would run outside the budget, even while
 * the state closes. */
static int l_safe_getmetatable(lua_State *L)
{
  luaL_checkany(L, 1);
  lua_settop(L, 1);
  if (!lua_getmetatable(L, 1)) {
    lua_pushnil(L);
    return 1;
  }
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
    return 1;
  lua_getfield(L, LUA_REGISTRYINDEX, REG_OWN_MT);
  lua_pushvalue(L, 2);
  if (lua_rawget(L, -2) == LUA_TNIL)
    lua_pushnil(L);
  else
    lua_pushvalue(L, 2);
  return 1;
}

static int l_print(lua_State *L)
{
  struct nhi_sandbox *sb = nhi_sandbox_of(L);
  luaL_Buffer b;
  int n = lua_gettop(L);

  luaL_buffinit(L, &b);
  for (int i = 1; i <= n; i++) {
    if (i > 1)
      luaL_addchar(&b, '\t');
    luaL_tolstring(L, i, NULL);
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  nhi_logp(NHI_LOG_INFO, sb->name, "%s", lua_tostring(L, -1));
  return 0;
}

/* True when path resolves to a file below one of the read roots. */
static int may_read(struct nhi_sandbox *sb, const char *path)
{
  char *real = realpath(path, NULL);
  int ok = 0;

  if (!real)
    return 1;  /* let io.open report the missing file itself */
  for (const char *const *r = sb->read_roots; r && *r && !ok; r++) {
    size_t n = strlen(*r);
    ok = strncmp(real, *r, n) == 0 && (real[n] == '/' || real[n] == '\0' ||
                                       (*r)[n - 1] == '/');
  }
  free(real);
  return ok;
}

int nhi_sandbox_may_read(struct nhi_sandbox *sb, const char *path)
{
  return may_read(sb, path);
}

/* Calls the real io function name with the same arguments after the
 * path and mode checks; returns its results. */
static int call_real_io(lua_State *L, const char *name)
{
  int n = lua_gettop(L);

  lua_getfield(L, LUA_REGISTRYINDEX, REG_IO);
  lua_getfield(L, -1, name);
  lua_remove(L, -2);
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

static int l_io_open(lua_State *L)
{
  const char *path = luaL_checkstring(L, 1);
  const char *mode = luaL_optstring(L, 2, "r");

  if (strcmp(mode, "r") != 0 && strcmp(mode, "rb") != 0)
    return luaL_error(L, "io.open: plugins may only read (mode 'r'), "
                      "not '%s'", mode);
  if (!may_read(nhi_sandbox_of(L), path))
    return luaL_error(L, "io.open: '%s' is outside the paths this "
                      "assessment may read", path);
  return call_real_io(L, "open");
}

static int l_io_lines(lua_State *L)
{
  const char *path = luaL_checkstring(L, 1);

  if (!may_read(nhi_sandbox_of(L), path))
    return luaL_error(L, "io.lines: '%s' is outside the paths this "
                      "assessment may read", path);
  return call_real_io(L, "lines");
}

static int l_safe_load(lua_State *L)
{
  size_t len;
  const char *chunk = luaL_checklstring(L, 1, &len);
  const char *name = luaL_optstring(L, 2, "=(load)");
  const char *mode = luaL_optstring(L, 3, "t");

  if (strchr(mode, 'b'))
    return luaL_error(L, "load: binary chunks are not allowed");
  if (luaL_loadbufferx(L, chunk, len, name, "t") != LUA_OK) {
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  /* A chunk must never see the host's real globals: it gets the env it
   * was given, or a fresh sandbox environment. */
  if (lua_gettop(L) >= 5 && !lua_isnone(L, 4))
    lua_pushvalue(L, 4);
  else
    nhi_sandbox_push_env(nhi_sandbox_of(L), 0, 1);
  lua_setupvalue(L, -2, 1);
  return 1;
}

static int valid_module_name(const char *name)
{
  if (!*name || *name == '.')
    return 0;
  for (const char *p = name; *p; p++)
    if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_-.", *p) ||
        (p[0] == '.' && p[1] == '.'))
      return 0;
  return 1;
}

/* Pushes the path of the first lib dir holding name ("a.b" -> a/b.lua),
 * or returns 0. */
static int find_module(lua_State *L, const char *name)
{
  struct nhi_sandbox *sb = nhi_sandbox_of(L);
  FILE *f;

  for (const char *const *d = sb->lib_dirs; d && *d; d++) {
    lua_pushfstring(L, "%s/", *d);
    luaL_gsub(L, name, ".", "/");
    lua_pushliteral(L, ".lua");
    lua_concat(L, 3);
    f = fopen(lua_tostring(L, -1), "r");
    if (f) {
      fclose(f);
      return 1;
    }
    lua_pop(L, 1);
  }
  return 0;
}

/* require(name): a shared Lua library from the plugin lib folders, run
 * once per state in its own sandbox environment. */
static int l_safe_require(lua_State *L)
{
  const char *name = luaL_checkstring(L, 1);

  lua_settop(L, 1);
  if (!valid_module_name(name))
    return luaL_error(L, "require: bad module name '%s'", name);
  lua_getfield(L, LUA_REGISTRYINDEX, REG_LIBS);     /* 2: cache */
  if (lua_getfield(L, 2, name) != LUA_TNIL)
    return 1;
  lua_pop(L, 1);
  if (!find_module(L, name))                        /* 3: path */
    return luaL_error(L, "require: no Lua library '%s' in the plugin lib "
                      "folders", name);
  if (luaL_loadfilex(L, lua_tostring(L, 3), "t") != LUA_OK)
    return lua_error(L);
  nhi_sandbox_push_env(nhi_sandbox_of(L), 0, 1);
  lua_setupvalue(L, -2, 1);
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, 2, name);
  return 1;
}

/* Copies the named fields of the table at src into a new table. */
static void push_copy(lua_State *L, int src, const char *const *names)
{
  src = lua_absindex(L, src);
  lua_newtable(L);
  for (; *names; names++) {
    lua_getfield(L, src, *names);
    lua_setfield(L, -2, *names);
  }
}

/* Copies every field of table src but the excluded one. */
static void push_copy_except(lua_State *L, int src, const char *skip)
{
  src = lua_absindex(L, src);
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, src)) {
    if (lua_type(L, -2) == LUA_TSTRING &&
        strcmp(lua_tostring(L, -2), skip) == 0) {
      lua_pop(L, 1);
      continue;
    }
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_settable(L, -4);
  }
}

static int l_strict_index(lua_State *L)
{
  return luaL_error(L, "unknown global '%s'", luaL_tolstring(L, 2, NULL));
}

static int l_strict_newindex(lua_State *L)
{
  return luaL_error(L, "assignment to unknown global '%s' (use local)",
                    luaL_tolstring(L, 2, NULL));
}

/* __index of the trimmed os and io tables: names what is missing, rather
 * than letting "attempt to call a nil value" puzzle a plugin author. */
static int l_missing_field(lua_State *L)
{
  return luaL_error(L, "%s.%s is not available to plugins (sandbox)",
                    lua_tostring(L, lua_upvalueindex(1)),
                    luaL_tolstring(L, 2, NULL));
}

static void guard_library(lua_State *L, const char *name)
{
  lua_createtable(L, 0, 2);
  lua_pushstring(L, name);
  lua_pushcclosure(L, l_missing_field, 1);
  lua_setfield(L, -2, "__index");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
}

static const char *const base_names[] = {
  "assert", "error", "ipairs", "next", "pairs", "rawequal", "rawget",
  "rawlen", "rawset", "select", "tonumber", "tostring", "type",
  "_VERSION", NULL
};
static const char *const os_names[] = {
  "clock", "date", "difftime", "time", NULL
};
static const luaL_Reg safe_base[] = {
  { "pcall", l_safe_pcall }, { "xpcall", l_safe_xpcall },
  { "setmetatable", l_safe_setmetatable },
  { "getmetatable", l_safe_getmetatable }, { "print", l_print },
  { "load", l_safe_load }, { "require", l_safe_require }, { NULL, NULL }
};

static void add_libraries(lua_State *L, int env)
{
  static const char *const plain[] = { "table", "math", "utf8", NULL };

  for (const char *const *lib = plain; *lib; lib++) {
    lua_getglobal(L, *lib);
    push_copy_except(L, -1, "");
    lua_setfield(L, env, *lib);
    lua_pop(L, 1);
  }
  lua_getfield(L, LUA_REGISTRYINDEX, REG_STRING);
  lua_setfield(L, env, "string");
  lua_getglobal(L, "os");
  push_copy(L, -1, os_names);
  guard_library(L, "os");
  lua_setfield(L, env, "os");
  lua_pop(L, 1);
  lua_newtable(L);
  lua_pushcfunction(L, l_io_open);
  lua_setfield(L, -2, "open");
  lua_pushcfunction(L, l_io_lines);
  lua_setfield(L, -2, "lines");
  guard_library(L, "io");
  lua_setfield(L, env, "io");
}

void nhi_sandbox_push_env(struct nhi_sandbox *sb, int api_idx, int strict)
{
  lua_State *L = sb->L;
  int env;

  if (api_idx) {
    lua_pushvalue(L, api_idx);
    lua_setfield(L, LUA_REGISTRYINDEX, "nhi.sandbox.api");
  }
  lua_pushglobaltable(L);
  push_copy(L, -1, base_names);
  lua_remove(L, -2);
  env = lua_gettop(L);
  luaL_setfuncs(L, safe_base, 0);
  add_libraries(L, env);
  lua_getfield(L, LUA_REGISTRYINDEX, "nhi.sandbox.api");
  lua_setfield(L, env, "nhi");
  lua_pushvalue(L, env);
  lua_setfield(L, env, "_G");
  if (strict) {
    lua_newtable(L);
    lua_pushcfunction(L, l_strict_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_strict_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, env);
  }
}

/* Keeps the real io functions for the checked wrappers, starts the weak
 * set of metatables plugins made, and gives strings a method table
 * without string.dump. */
static void prepare_state(lua_State *L)
{
  static const char *const io_names[] = { "open", "lines", NULL };

  lua_getglobal(L, "io");
  push_copy(L, -1, io_names);
  lua_setfield(L, LUA_REGISTRYINDEX, REG_IO);
  lua_pop(L, 1);
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, REG_LIBS);
  lua_newtable(L);
  lua_newtable(L);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, REG_OWN_MT);
  lua_getglobal(L, "string");
  push_copy_except(L, -1, "dump");
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, REG_STRING);
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_pushvalue(L, -3);
  lua_setfield(L, -2, "__index");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 4);
}

static int open_libs(lua_State *L)
{
  static const luaL_Reg libs[] = {
    { LUA_GNAME, luaopen_base }, { LUA_STRLIBNAME, luaopen_string },
    { LUA_TABLIBNAME, luaopen_table }, { LUA_MATHLIBNAME, luaopen_math },
    { LUA_UTF8LIBNAME, luaopen_utf8 }, { LUA_IOLIBNAME, luaopen_io },
    { LUA_OSLIBNAME, luaopen_os }, { NULL, NULL }
  };

  for (const luaL_Reg *lib = libs; lib->func; lib++) {
    luaL_requiref(L, lib->name, lib->func, 1);
    lua_pop(L, 1);
  }
  prepare_state(L);
  return 0;
}

enum nhi_rc nhi_sandbox_new(const struct nhi_sandbox_limits *limits,
                            const char *name, struct nhi_sandbox **out)
{
  struct nhi_sandbox *sb = calloc(1, sizeof *sb);

  *out = NULL;
  if (!sb)
    return NHI_ERR_NOMEM;
  sb->name = name;
  sb->mem_limit = limits->memory;
  sb->instr_budget = limits->budget;
  sb->hook_step = HOOK_STEP;
  sb->L = lua_newstate(limited_alloc, sb);
  if (!sb->L) {
    free(sb);
    nhi_error("cannot create a Lua state for '%s'", name);
    return NHI_ERR_NOMEM;
  }
  *(struct nhi_sandbox **)lua_getextraspace(sb->L) = sb;
  lua_pushcfunction(sb->L, open_libs);
  if (lua_pcall(sb->L, 0, 0, 0) != LUA_OK) {
    nhi_error("cannot set up Lua for '%s': %s", name,
              lua_tostring(sb->L, -1));
    nhi_sandbox_free(sb);
    return NHI_ERR_NOMEM;
  }
  *out = sb;
  return NHI_OK;
}

void nhi_sandbox_free(struct nhi_sandbox *sb)
{
  if (!sb)
    return;
  if (sb->L)
    lua_close(sb->L);
  free(sb->error);
  free(sb->traceback);
  free(sb);
}

static void vset_error(struct nhi_sandbox *sb, const char *fmt, va_list ap)
{
  va_list copy;
  int n;

  free(sb->error);
  free(sb->traceback);
  sb->error = sb->traceback = NULL;
  va_copy(copy, ap);
  n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  if (n < 0 || !(sb->error = malloc((size_t)n + 1)))
    return;
  vsnprintf(sb->error, (size_t)n + 1, fmt, ap);
}

void nhi_sandbox_set_error(struct nhi_sandbox *sb, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vset_error(sb, fmt, ap);
  va_end(ap);
}

enum nhi_rc nhi_sandbox_load(struct nhi_sandbox *sb, const char *path)
{
  lua_State *L = sb->L;

  if (luaL_loadfilex(L, path, "t") != LUA_OK) {
    nhi_sandbox_set_error(sb, "%s", lua_tostring(L, -1));
    lua_pop(L, 2);
    return NHI_ERR_PLUGIN;
  }
  lua_insert(L, -2);
  lua_setupvalue(L, -2, 1);
  return NHI_OK;
}

/* Message handler: adds a traceback to ordinary errors, and lets the
 * budget sentinel through untouched. */
static int traceback_handler(lua_State *L)
{
  const char *msg = lua_tostring(L, 1);

  if (lua_touserdata(L, 1) == (void *)&budget_sentinel)
    return 1;
  if (!msg)
    msg = lua_pushfstring(L, "(error object is a %s value)",
                          luaL_typename(L, 1));
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* Splits "message\nstack traceback:..." into error and traceback. */
static void record_failure(struct nhi_sandbox *sb, const char *text)
{
  const char *nl = strchr(text, '\n');

  nhi_sandbox_set_error(sb, "%.*s", nl ? (int)(nl - text) : (int)strlen(text),
                        text);
  if (nl)
    sb->traceback = strdup(nl + 1);
}

enum nhi_rc nhi_sandbox_call(struct nhi_sandbox *sb, int nargs, int nresults)
{
  lua_State *L = sb->L;
  int base = lua_gettop(L) - nargs, status;

  lua_pushcfunction(L, traceback_handler);
  lua_insert(L, base);
  lua_sethook(L, budget_hook, LUA_MASKCOUNT, sb->hook_step);
  status = lua_pcall(L, nargs, nresults, base);
  lua_sethook(L, NULL, 0, 0);
  if (status == LUA_OK) {
    lua_remove(L, base);
    return NHI_OK;
  }
  if (sb->over_budget)
    nhi_sandbox_set_error(sb, "instruction budget exceeded (%llu million "
                          "instructions): the plugin was stopped",
                          sb->instr_budget / 1000000ULL);
  else if (sb->mem_fatal || (sb->over_memory && status == LUA_ERRMEM))
    nhi_sandbox_set_error(sb, "memory limit exceeded (%zu MiB): the "
                          "plugin was stopped", sb->mem_limit >> 20);
  else
    record_failure(sb, lua_tostring(L, -1) ? lua_tostring(L, -1)
                                           : "unknown error");
  lua_settop(L, base - 1);
  return NHI_ERR_PLUGIN;
}
