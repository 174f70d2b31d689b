/* ctx.aws: the AWS policy engine for checks, and the action catalogue. */
#include "lua_api.h"

#include "aws_engine.h"
#include "aws_judge.h"

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#define ENGINE_MT "nhi.aws.engine"
#define SCRATCH_MT "nhi.aws.scratch"

/* The upvalue of every ctx.aws function; the engine is built on first
 * use and freed with the Lua state, when the plugin run ends, unless it
 * is the stage's (nhi_run.aws_engine). */
struct engine_box {
  struct nhi_run *run;
  struct nhi_aws_engine *engine;
  int shared;                 /* the stage's: not the box's to free */
};

/* What one call holds outside Lua's heap; freed by __gc if the call
 * raises midway. */
struct scratch {
  struct nhi_aws_context ctx;
  struct nhi_aws_result result;
  struct nhi_aws_judge judge;   /* allowed_resources' candidates */
  sqlite3_stmt *st;
};

static int engine_gc(lua_State *L)
{
  struct engine_box *b = luaL_checkudata(L, 1, ENGINE_MT);

  if (!b->shared)
    nhi_aws_engine_free(b->engine);
  b->engine = NULL;
  return 0;
}

static int scratch_gc(lua_State *L)
{
  struct scratch *s = luaL_checkudata(L, 1, SCRATCH_MT);

  nhi_aws_context_free(&s->ctx);
  nhi_aws_result_clear(&s->result);
  nhi_aws_judge_free(&s->judge);
  sqlite3_finalize(s->st);
  s->st = NULL;
  return 0;
}

/* Raises the error rc stands for; what the engine logged is repeated. */
static int raise_rc(lua_State *L, struct engine_box *b, const char *fn,
                    enum nhi_rc rc)
{
  if (rc == NHI_ERR_NOMEM)
    return luaL_error(L, "ctx.aws:%s: out of memory", fn);
  b->run->error_logged = 1;
  return luaL_error(L, "ctx.aws:%s: %s", fn, nhi_log_last_error());
}

static struct engine_box *engine_of(lua_State *L, const char *fn)
{
  struct engine_box *b = lua_touserdata(L, lua_upvalueindex(1));
  struct nhi_aws_engine **stage = b->run->aws_engine;
  enum nhi_rc rc;

  if (!b->engine && stage && *stage) {
    b->engine = *stage;
    b->shared = 1;
  }
  if (!b->engine) {
    rc = nhi_aws_engine_new(b->run->store, b->run->home, &b->engine);
    if (rc)
      raise_rc(L, b, fn, rc);
    if (stage) {
      *stage = b->engine;
      b->shared = 1;
    }
  }
  return b;
}

/* A fresh scratch on the stack top, its context set to complete. */
static struct scratch *push_scratch(lua_State *L, int complete)
{
  struct scratch *s = lua_newuserdatauv(L, sizeof *s, 0);

  memset(s, 0, sizeof *s);
  nhi_aws_context_init(&s->ctx, complete);
  luaL_setmetatable(L, SCRATCH_MT);
  return s;
}

/* The text of a context value: strings, numbers, booleans. */
static const char *value_text(lua_State *L, int idx, const char *key)
{
  int t = lua_type(L, idx);

  if (t == LUA_TBOOLEAN)
    return lua_toboolean(L, idx) ? "true" : "false";
  if (t != LUA_TSTRING && t != LUA_TNUMBER)
    luaL_error(L, "ctx.aws: context key '%s' must hold a string, number, "
               "boolean or a list of them", key);
  return lua_tostring(L, idx);
}

static void add_value(lua_State *L, struct scratch *s, const char *key,
                      int idx)
{
  if (nhi_aws_context_add(&s->ctx, key, value_text(L, idx, key)))
    luaL_error(L, "ctx.aws: out of memory");
}

/* Reads the table at idx (key = value or {values}) into s->ctx. */
static void read_context(lua_State *L, int idx, struct scratch *s)
{
  const char *key;
  lua_Integer n;

  luaL_checktype(L, idx, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -2) != LUA_TSTRING)
      luaL_error(L, "ctx.aws: context keys must be strings");
    key = lua_tostring(L, -2);
    if (!lua_istable(L, -1)) {
      add_value(L, s, key, -1);
    } else {
      n = (lua_Integer)lua_rawlen(L, -1);
      if (nhi_aws_context_add(&s->ctx, key, NULL))
        luaL_error(L, "ctx.aws: out of memory");
      for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        add_value(L, s, key, -1);
        lua_pop(L, 1);
      }
    }
    lua_pop(L, 1);
  }
}

static const char *opt_string(lua_State *L, int idx, const char *field,
                              const char *dflt)
{
  const char *s;

  lua_getfield(L, idx, field);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return dflt;
  }
  if (lua_type(L, -1) != LUA_TSTRING)
    luaL_error(L, "ctx.aws:decide: field '%s' must be a string", field);
  s = lua_tostring(L, -1);
  lua_pop(L, 1);  /* the table still anchors the string */
  return s;
}

static void check_fields(lua_State *L, int idx, const char *fn,
                         const char *const *fields)
{
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING ||
        nhi_vocab_index(fields, lua_tostring(L, -1)) < 0)
      luaL_error(L, "ctx.aws:%s: unknown field '%s'", fn,
                 luaL_tolstring(L, -1, NULL));
  }
}

/* A scratch with the context of the options table at idx ({context=,
 * context_complete=}), or an empty partial one when idx is nil. */
static struct scratch *options_scratch(lua_State *L, int idx)
{
  struct scratch *s;
  int complete;

  if (lua_isnoneornil(L, idx))
    return push_scratch(L, 0);
  luaL_checktype(L, idx, LUA_TTABLE);
  lua_getfield(L, idx, "context_complete");
  complete = lua_toboolean(L, -1);
  lua_pop(L, 1);
  s = push_scratch(L, complete);
  lua_getfield(L, idx, "context");
  if (!lua_isnil(L, -1))
    read_context(L, lua_gettop(L), s);
  lua_pop(L, 1);
  return s;
}

static void set_string(lua_State *L, const char *field, const char *value)
{
  if (!value)
    return;
  lua_pushstring(L, value);
  lua_setfield(L, -2, field);
}

static void push_reason(lua_State *L, const struct nhi_aws_reason *r)
{
  lua_createtable(L, 0, 9);
  set_string(L, "layer", nhi_aws_layer_name(r->layer));
  set_string(L, "policy", r->st->policy);
  set_string(L, "sid", r->st->sid);
  set_string(L, "effect", r->st->allow ? "Allow" : "Deny");
  set_string(L, "applies", r->applies == NHI_AWS_YES ? "yes" : "unknown");
  set_string(L, "why", r->why);
  set_string(L, "condition_operator", r->cond_op);
  set_string(L, "condition_key", r->cond_key);
  if (r->st->index >= 0) {
    lua_pushinteger(L, r->st->index);
    lua_setfield(L, -2, "index");
  }
  if (r->layer == NHI_AWS_L_SCP) {
    lua_pushinteger(L, (lua_Integer)r->level);
    lua_setfield(L, -2, "level");
  }
}

static void push_explanation(lua_State *L, const struct nhi_aws_result *r)
{
  lua_createtable(L, 0, 3);
  set_string(L, "decision", nhi_aws_decision_name(r->decision));
  set_string(L, "summary", r->summary);
  lua_createtable(L, (int)r->nreasons, 0);
  for (size_t i = 0; i < r->nreasons; i++) {
    push_reason(L, &r->reasons[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "statements");
}

/* ctx.aws:decide{principal=, action=, resource=, context=,
 * context_complete=} -> decision, explanation */
static int l_aws_decide(lua_State *L)
{
  static const char *const fields[] = {
    "principal", "action", "resource", "context", "context_complete", NULL
  };
  struct engine_box *b = engine_of(L, "decide");
  struct nhi_aws_query q;
  struct scratch *s;
  enum nhi_rc rc;

  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  check_fields(L, 2, "decide", fields);
  memset(&q, 0, sizeof q);
  q.principal = opt_string(L, 2, "principal", NULL);
  q.action = opt_string(L, 2, "action", NULL);
  q.resource = opt_string(L, 2, "resource", "*");
  if (!q.principal || !q.action)
    return luaL_error(L, "ctx.aws:decide: 'principal' and 'action' are "
                      "required");
  lua_pushvalue(L, 2);
  s = options_scratch(L, 3);
  q.ctx = &s->ctx;
  rc = nhi_aws_engine_decide(b->engine, &q, &s->result);
  if (rc)
    return raise_rc(L, b, "decide", rc);
  lua_pushstring(L, nhi_aws_decision_name(s->result.decision));
  push_explanation(L, &s->result);
  return 2;
}

static const struct nhi_aws_catalog *catalog_of(lua_State *L,
                                                struct engine_box *b,
                                                const char *fn)
{
  const struct nhi_aws_catalog *c;
  enum nhi_rc rc = nhi_aws_engine_catalog(b->engine, &c);

  if (rc)
    raise_rc(L, b, fn, rc);
  return c;
}

/* ctx.aws:expand(pattern) -> list of actions in canonical case */
static int l_aws_expand(lua_State *L)
{
  struct engine_box *b = engine_of(L, "expand");
  const char *pattern = luaL_checkstring(L, 2);
  const struct nhi_aws_catalog *c = catalog_of(L, b, "expand");
  const char **list, **box;
  size_t n;

  if (nhi_aws_catalog_expand(c, pattern, &list, &n))
    return luaL_error(L, "ctx.aws:expand: out of memory");
  /* Kept in a Lua-owned copy so that a raised error leaks nothing. */
  box = lua_newuserdatauv(L, (n ? n : 1) * sizeof *box, 0);
  memcpy(box, list, n * sizeof *box);
  free(list);
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) {
    lua_pushstring(L, box[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* ctx.aws:access_level(action) -> "List"... or nil when unknown */
static int l_aws_access_level(lua_State *L)
{
  struct engine_box *b = engine_of(L, "access_level");
  const char *action = luaL_checkstring(L, 2);
  const char *level = nhi_aws_catalog_level(catalog_of(L, b,
                                                       "access_level"),
                                            action);

  if (!level)
    return 0;
  lua_pushstring(L, level);
  return 1;
}

/* Prepares the read-only SQL of candidates under the plugin authorizer;
 * the statement is held by s. */
static void prepare_candidates(lua_State *L, struct engine_box *b,
                               struct scratch *s, const char *sql)
{
  sqlite3 *db = b->run->store->db;
  int prc;

  b->run->in_plugin_sql = 1;
  prc = sqlite3_prepare_v2(db, sql, -1, &s->st, NULL);
  b->run->in_plugin_sql = 0;
  if (prc != SQLITE_OK)
    luaL_error(L, "ctx.aws:allowed_resources: %s", sqlite3_errmsg(db));
  if (!s->st || !sqlite3_stmt_readonly(s->st))
    luaL_error(L, "ctx.aws:allowed_resources: the candidates SQL must be "
               "one query that only reads");
}

/* The next candidate ARN, pushed: from the list at idx, or the query's
 * rows. NULL (with nil pushed) after the last. */
static const char *next_candidate(lua_State *L, struct scratch *s, int idx,
                                  lua_Integer *i)
{
  int step;

  if (!s->st) {
    lua_rawgeti(L, idx, ++*i);
    if (lua_isnil(L, -1))
      return NULL;
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "ctx.aws:allowed_resources: candidate %d is not a "
                 "string", (int)*i);
    return lua_tostring(L, -1);
  }
  step = sqlite3_step(s->st);
  if (step == SQLITE_DONE) {
    lua_pushnil(L);
    return NULL;
  }
  if (step != SQLITE_ROW)
    luaL_error(L, "ctx.aws:allowed_resources: %s",
               sqlite3_errmsg(sqlite3_db_handle(s->st)));
  if (sqlite3_column_type(s->st, 0) == SQLITE_NULL)
    lua_pushliteral(L, "");
  else
    lua_pushstring(L, (const char *)sqlite3_column_text(s->st, 0));
  return lua_tostring(L, -1);
}

/* ctx.aws:allowed_resources(principal, action, candidates[, options])
 * -> allowed ARNs, indeterminate ARNs. candidates is a list of ARNs or
 * SQL whose first column gives them. */
static int l_aws_allowed(lua_State *L)
{
  struct engine_box *b = engine_of(L, "allowed_resources");
  struct nhi_aws_query q = { .principal = luaL_checkstring(L, 2),
                             .action = luaL_checkstring(L, 3) };
  lua_Integer i = 0, nyes = 0, nmaybe = 0;
  enum nhi_aws_decision d;
  const char *resource;
  struct scratch *s;
  enum nhi_rc rc;

  if (!lua_istable(L, 4) && lua_type(L, 4) != LUA_TSTRING)
    return luaL_argerror(L, 4, "a list of ARNs or an SQL query expected");
  lua_settop(L, 5);
  s = options_scratch(L, 5);
  if (lua_type(L, 4) == LUA_TSTRING)
    prepare_candidates(L, b, s, lua_tostring(L, 4));
  q.ctx = &s->ctx;
  rc = nhi_aws_judge_start(&s->judge, b->engine, &q);
  if (rc)
    return raise_rc(L, b, "allowed_resources", rc);
  lua_newtable(L);
  lua_newtable(L);
  while ((resource = next_candidate(L, s, 4, &i)) != NULL) {
    rc = nhi_aws_judge_one(&s->judge, resource, &d);
    if (rc)
      return raise_rc(L, b, "allowed_resources", rc);
    if (d == NHI_AWS_ALLOW)
      lua_rawseti(L, -3, ++nyes);
    else if (d == NHI_AWS_INDETERMINATE)
      lua_rawseti(L, -2, ++nmaybe);
    else
      lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return 2;
}

void nhi_api_push_aws(lua_State *L, struct nhi_run *run)
{
  static const luaL_Reg fns[] = {
    { "decide", l_aws_decide }, { "expand", l_aws_expand },
    { "access_level", l_aws_access_level },
    { "allowed_resources", l_aws_allowed }, { NULL, NULL }
  };
  struct engine_box *b;

  if (luaL_newmetatable(L, SCRATCH_MT)) {
    lua_pushcfunction(L, scratch_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_pop(L, 1);
  if (luaL_newmetatable(L, ENGINE_MT)) {
    lua_pushcfunction(L, engine_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_pop(L, 1);
  lua_createtable(L, 0, 4);
  b = lua_newuserdatauv(L, sizeof *b, 0);
  b->run = run;
  b->engine = NULL;
  b->shared = 0;
  luaL_setmetatable(L, ENGINE_MT);
  luaL_setfuncs(L, fns, 1);
}
