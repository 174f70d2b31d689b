/* ctx.db: SQL over the evidence store from plugins, with bound
 * parameters, and an authorizer that keeps plugin SQL in its lane. */
#include "lua_api.h"
#include "lua_json.h"

#include <string.h>

#include <lauxlib.h>

#define ROWS_MT "nhi.db.rows"

/* Tables only the host writes: plugins read them, never change them. */
static const char *const host_tables[] = {
  "meta", "sources", "plugin_runs", "findings", NULL
};

static int is_host_table(const char *name)
{
  return name && nhi_vocab_index(host_tables, name) >= 0;
}

static int authorize(void *ud, int action, const char *a, const char *b,
                     const char *db, const char *trigger)
{
  struct nhi_run *run = ud;

  (void)b; (void)db; (void)trigger;
  if (!run->in_plugin_sql)
    return SQLITE_OK;
  switch (action) {
  case SQLITE_ATTACH: case SQLITE_DETACH: case SQLITE_PRAGMA:
  case SQLITE_TRANSACTION: case SQLITE_SAVEPOINT:
  case SQLITE_CREATE_TABLE: case SQLITE_CREATE_INDEX:
  case SQLITE_CREATE_VIEW: case SQLITE_CREATE_TRIGGER:
  case SQLITE_DROP_TABLE: case SQLITE_DROP_INDEX: case SQLITE_DROP_VIEW:
  case SQLITE_DROP_TRIGGER: case SQLITE_ALTER_TABLE:
  case SQLITE_CREATE_VTABLE: case SQLITE_DROP_VTABLE:
    return SQLITE_DENY;
  case SQLITE_INSERT: case SQLITE_UPDATE: case SQLITE_DELETE:
    return is_host_table(a) ? SQLITE_DENY : SQLITE_OK;
  default:
    return SQLITE_OK;
  }
}

void nhi_api_guard_sql(struct nhi_store *store, struct nhi_run *run)
{
  sqlite3_set_authorizer(store->db, run ? authorize : NULL, run);
}

static struct nhi_run *run_of(lua_State *L)
{
  return lua_touserdata(L, lua_upvalueindex(1));
}

static void bind_arg(lua_State *L, sqlite3_stmt *st, int pos, int idx)
{
  switch (lua_type(L, idx)) {
  case LUA_TNIL:
    sqlite3_bind_null(st, pos);
    break;
  case LUA_TBOOLEAN:
    sqlite3_bind_int(st, pos, lua_toboolean(L, idx));
    break;
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx))
      sqlite3_bind_int64(st, pos, lua_tointeger(L, idx));
    else
      sqlite3_bind_double(st, pos, lua_tonumber(L, idx));
    break;
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);

    sqlite3_bind_text(st, pos, s, (int)len, SQLITE_TRANSIENT);
    break;
  }
  default:
    if (lua_touserdata(L, idx) == nhi_lua_json_null()) {
      sqlite3_bind_null(st, pos);
      break;
    }
    luaL_argerror(L, idx, "SQL parameters must be nil, boolean, number "
                  "or string");
  }
}

/* Prepares the SQL at arg 2 with the arguments after it bound. The
 * statement is owned by a userdata left on the stack (finalised by GC),
 * so that a raised error cannot leak it. */
static sqlite3_stmt **prepare(lua_State *L, const char *fn, int readonly)
{
  struct nhi_run *run = run_of(L);
  const char *sql = luaL_checkstring(L, 2);
  int nargs = lua_gettop(L) - 2, prc;
  sqlite3_stmt **st = lua_newuserdatauv(L, sizeof *st, 0);

  *st = NULL;
  luaL_setmetatable(L, ROWS_MT);
  run->in_plugin_sql = 1;
  prc = sqlite3_prepare_v2(run->store->db, sql, -1, st, NULL);
  run->in_plugin_sql = 0;
  if (prc != SQLITE_OK)
    luaL_error(L, "ctx.db:%s: %s", fn, sqlite3_errmsg(run->store->db));
  if (!*st)
    luaL_error(L, "ctx.db:%s: no SQL statement given", fn);
  if (readonly && !sqlite3_stmt_readonly(*st))
    luaL_error(L, "ctx.db:%s only reads; write evidence with "
               "ctx.evidence in a collector", fn);
  if (nargs > sqlite3_bind_parameter_count(*st))
    luaL_error(L, "ctx.db:%s: %d values given for %d parameters", fn,
               nargs, sqlite3_bind_parameter_count(*st));
  for (int i = 1; i <= nargs; i++)
    bind_arg(L, *st, i, i + 2);
  return st;
}

static void push_row(lua_State *L, sqlite3_stmt *st)
{
  int n = sqlite3_column_count(st);

  lua_createtable(L, 0, n);
  for (int i = 0; i < n; i++) {
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
      lua_pushinteger(L, sqlite3_column_int64(st, i));
      break;
    case SQLITE_FLOAT:
      lua_pushnumber(L, sqlite3_column_double(st, i));
      break;
    case SQLITE_NULL:
      continue;
    default:
      lua_pushlstring(L, (const char *)sqlite3_column_blob(st, i),
                      (size_t)sqlite3_column_bytes(st, i));
    }
    lua_setfield(L, -2, sqlite3_column_name(st, i));
  }
}

/* Steps the statement: 1 with a row table pushed, 0 when done. */
static int step(lua_State *L, sqlite3_stmt **st, const char *fn)
{
  int rc = sqlite3_step(*st);

  if (rc == SQLITE_ROW) {
    push_row(L, *st);
    return 1;
  }
  if (rc != SQLITE_DONE)
    luaL_error(L, "ctx.db:%s: %s", fn,
               sqlite3_errmsg(sqlite3_db_handle(*st)));
  sqlite3_finalize(*st);
  *st = NULL;
  return 0;
}

static int rows_iter(lua_State *L)
{
  sqlite3_stmt **st = luaL_checkudata(L, lua_upvalueindex(1), ROWS_MT);

  if (!*st || !step(L, st, "rows"))
    return 0;
  return 1;
}

/* for row in ctx.db:rows(sql, ...) do ... end */
static int l_db_rows(lua_State *L)
{
  prepare(L, "rows", 1);
  lua_pushcclosure(L, rows_iter, 1);
  return 1;
}

/* ctx.db:first(sql, ...) -> the first row, or nil */
static int l_db_first(lua_State *L)
{
  sqlite3_stmt **st = prepare(L, "first", 1);

  if (!step(L, st, "first"))
    return 0;
  sqlite3_finalize(*st);
  *st = NULL;
  return 1;
}

/* ctx.db:exec(sql, ...) -> rows changed; collectors only */
static int l_db_exec(lua_State *L)
{
  sqlite3_stmt **st = prepare(L, "exec", 0);
  sqlite3 *db = sqlite3_db_handle(*st);
  int writes = !sqlite3_stmt_readonly(*st);

  while (step(L, st, "exec"))
    lua_pop(L, 1);
  /* sqlite3_changes64 still holds the last write's count after a read */
  lua_pushinteger(L, writes ? sqlite3_changes64(db) : 0);
  return 1;
}

static int rows_gc(lua_State *L)
{
  sqlite3_stmt **st = luaL_checkudata(L, 1, ROWS_MT);

  sqlite3_finalize(*st);
  *st = NULL;
  return 0;
}

/* Pushes ctx.db for run; exec only where writes are allowed. */
void nhi_api_push_db(lua_State *L, struct nhi_run *run, int writable)
{
  if (luaL_newmetatable(L, ROWS_MT)) {
    lua_pushcfunction(L, rows_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_pop(L, 1);
  lua_createtable(L, 0, 3);
  lua_pushlightuserdata(L, run);
  lua_pushcclosure(L, l_db_rows, 1);
  lua_setfield(L, -2, "rows");
  lua_pushlightuserdata(L, run);
  lua_pushcclosure(L, l_db_first, 1);
  lua_setfield(L, -2, "first");
  if (writable) {
    lua_pushlightuserdata(L, run);
    lua_pushcclosure(L, l_db_exec, 1);
    lua_setfield(L, -2, "exec");
  }
}
