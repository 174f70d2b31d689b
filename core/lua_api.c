/* The nhi module every plugin sees: log, json, time, data, version (and
 * http, aws, xml from lua_http.c, fs from lua_fs.c). */
#include "lua_api.h"
#include "lua_fs.h"
#include "lua_http.h"
#include "lua_json.h"
#include "lua_scan.h"
#include "sandbox.h"
#include "timeutil.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

/* nhi.log.<level>(fmt, ...): string.format, then one log line prefixed
 * with the plugin speaking. */
static int log_at(lua_State *L, enum nhi_log_level level)
{
  struct nhi_sandbox *sb = nhi_sandbox_of(L);
  int n = lua_gettop(L);

  luaL_checkstring(L, 1);
  if (level > nhi_log_threshold)
    return 0;
  lua_getglobal(L, "string");
  lua_getfield(L, -1, "format");
  lua_insert(L, 1);
  lua_pop(L, 1);
  lua_call(L, n, 1);
  nhi_logp(level, sb ? sb->name : NULL, "%s", lua_tostring(L, -1));
  return 0;
}

static int l_log_error(lua_State *L) { return log_at(L, NHI_LOG_ERROR); }
static int l_log_warn(lua_State *L) { return log_at(L, NHI_LOG_WARN); }
static int l_log_info(lua_State *L) { return log_at(L, NHI_LOG_INFO); }
static int l_log_debug(lua_State *L) { return log_at(L, NHI_LOG_DEBUG); }

/* Accepts an ISO-8601 string or epoch seconds; raises on misuse. */
static time_t check_time(lua_State *L, int idx)
{
  time_t t;

  if (lua_type(L, idx) == LUA_TNUMBER)
    return (time_t)luaL_checkinteger(L, idx);
  if (nhi_time_parse(luaL_checkstring(L, idx), &t) != NHI_OK)
    luaL_argerror(L, idx, "not an ISO-8601 time");
  return t;
}

/* nhi.time.parse(s) -> epoch seconds, or nil, reason */
static int l_time_parse(lua_State *L)
{
  time_t t;

  if (nhi_time_parse(luaL_checkstring(L, 1), &t) != NHI_OK) {
    luaL_pushfail(L);
    lua_pushfstring(L, "'%s' is not an ISO-8601 time", lua_tostring(L, 1));
    return 2;
  }
  lua_pushinteger(L, (lua_Integer)t);
  return 1;
}

/* nhi.time.format(epoch) -> "YYYY-MM-DDTHH:MM:SSZ" */
static int l_time_format(lua_State *L)
{
  char buf[NHI_TIME_SIZE];

  nhi_time_format((time_t)luaL_checkinteger(L, 1), buf);
  lua_pushstring(L, buf);
  return 1;
}

/* nhi.time.days(from, to) -> whole days from 'from' to 'to' (floor) */
static int l_time_days(lua_State *L)
{
  long long diff = (long long)(check_time(L, 2) - check_time(L, 1));

  lua_pushinteger(L, diff >= 0 ? diff / 86400 : -((-diff + 86399) / 86400));
  return 1;
}

/* A data file larger than this is refused: tables shipped beside the
 * plugins are small. */
#define DATA_MAX (8u << 20)

static int valid_data_name(const char *name)
{
  if (!*name || *name == '.' || *name == '/')
    return 0;
  for (const char *p = name; *p; p++)
    if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_-./", *p) ||
        (p[0] == '.' && p[1] == '.') || (p[0] == '/' && p[1] == '.'))
      return 0;
  return 1;
}

/* Reads all of f into a string on the stack; 0 when it is too large. */
static int push_file(lua_State *L, FILE *f)
{
  luaL_Buffer b;
  size_t n, total = 0;

  luaL_buffinit(L, &b);
  do {
    char *p = luaL_prepbuffer(&b);
    n = fread(p, 1, LUAL_BUFFERSIZE, f);
    luaL_addsize(&b, n);
    total += n;
  } while (n == LUAL_BUFFERSIZE && total <= DATA_MAX);
  luaL_pushresult(&b);
  return total <= DATA_MAX;
}

/* nhi.data(name) -> text, or nil, reason: the data file name ("gcp/
 * storage-roles.tsv") from the data/ folder beside the first plugin lib
 * folder that has it (the install's plugins/data/, then each --plugins
 * folder's data/). */
static int l_data(lua_State *L)
{
  struct nhi_sandbox *sb = nhi_sandbox_of(L);
  const char *name = luaL_checkstring(L, 1);

  if (!valid_data_name(name))
    return luaL_error(L, "nhi.data: bad data file name '%s'", name);
  for (const char *const *d = sb->lib_dirs; d && *d; d++) {
    size_t n = strlen(*d);
    FILE *f;

    if (n < 3 || strcmp(*d + n - 3, "lib") != 0)
      continue;
    lua_pushfstring(L, "%sdata/%s", lua_pushlstring(L, *d, n - 3), name);
    f = fopen(lua_tostring(L, -1), "rb");
    lua_pop(L, 2);
    if (!f)
      continue;
    n = push_file(L, f);
    fclose(f);
    if (!n)
      return luaL_error(L, "nhi.data: '%s' is larger than %d MiB", name,
                        (int)(DATA_MAX >> 20));
    return 1;
  }
  luaL_pushfail(L);
  lua_pushfstring(L, "no data file '%s' beside the plugins", name);
  return 2;
}

static void push_module(lua_State *L, const char *name, const luaL_Reg *fns)
{
  lua_createtable(L, 0, 4);
  luaL_setfuncs(L, fns, 0);
  lua_setfield(L, -2, name);
}

void nhi_api_push(lua_State *L)
{
  static const luaL_Reg log_fns[] = {
    { "error", l_log_error }, { "warn", l_log_warn },
    { "info", l_log_info }, { "debug", l_log_debug }, { NULL, NULL }
  };
  static const luaL_Reg time_fns[] = {
    { "parse", l_time_parse }, { "format", l_time_format },
    { "days", l_time_days }, { NULL, NULL }
  };

  lua_createtable(L, 0, 4);
  push_module(L, "log", log_fns);
  push_module(L, "time", time_fns);
  nhi_lua_json_push_module(L);
  lua_setfield(L, -2, "json");
  nhi_lua_scan_push_module(L);
  lua_setfield(L, -2, "scan");
  nhi_lua_http_add(L);
  nhi_lua_fs_add(L);
  lua_pushcfunction(L, l_data);
  lua_setfield(L, -2, "data");
  lua_pushliteral(L, NHI_VERSION);
  lua_setfield(L, -2, "version");
}
