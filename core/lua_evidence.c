/* ctx.evidence: the typed evidence writers collectors use. Each writer
 * checks its fields against the table's descriptor, so a typo or a wrong
 * type fails loudly instead of writing a half-empty row. */
#include "lua_api.h"
#include "lua_json.h"
#include "secret.h"
#include "timeutil.h"

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#define BOX_MT "nhi.scratch"

struct box { char *text; };

static int box_gc(lua_State *L)
{
  struct box *b = luaL_checkudata(L, 1, BOX_MT);

  free(b->text);
  b->text = NULL;
  return 0;
}

void nhi_api_push_json_text(lua_State *L, int idx)
{
  struct box *b;

  idx = lua_absindex(L, idx);
  b = lua_newuserdatauv(L, sizeof *b, 0);
  b->text = NULL;
  if (luaL_newmetatable(L, BOX_MT)) {
    lua_pushcfunction(L, box_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_setmetatable(L, -2);
  b->text = nhi_lua_json_encode(L, idx);
  lua_pushstring(L, b->text);
  free(b->text);
  b->text = NULL;
  lua_remove(L, -2);
}

static int is_time_column(const char *name)
{
  size_t n = strlen(name);

  return (n > 3 && strcmp(name + n - 3, "_at") == 0) ||
         strcmp(name, "first_seen") == 0 ||
         strcmp(name, "last_seen") == 0 ||
         strcmp(name, "usage_tracked_since") == 0;
}

/* Virtual fields: inputs turned into stored columns, never stored. */
static int is_virtual(enum nhi_table t, const char *field)
{
  return (t == NHI_T_CREDENTIAL && strcmp(field, "secret") == 0) ||
         (t == NHI_T_SECRET && strcmp(field, "value") == 0);
}

static void check_fields(lua_State *L, enum nhi_table t,
                         const struct nhi_table_desc *d)
{
  lua_pushnil(L);
  while (lua_next(L, 2)) {
    const char *key;
    size_t i;

    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "evidence:%s: fields must be named", d->writer);
    key = lua_tostring(L, -1);
    for (i = 0; i < d->ncols && strcmp(d->cols[i].field, key); i++)
      ;
    if (i == d->ncols && !is_virtual(t, key))
      luaL_error(L, "evidence:%s: unknown field '%s'", d->writer, key);
  }
}

static void convert_time(lua_State *L, const struct nhi_table_desc *d,
                         const struct nhi_column *c, struct nhi_value *v)
{
  char buf[NHI_TIME_SIZE];

  if (lua_isinteger(L, -1)) {
    nhi_time_format((time_t)lua_tointeger(L, -1), buf);
  } else if (lua_type(L, -1) != LUA_TSTRING ||
             nhi_time_normalize(lua_tostring(L, -1), buf) != NHI_OK) {
    luaL_error(L, "evidence:%s: field '%s' must be an ISO-8601 time or "
               "epoch seconds (got '%s')", d->writer, c->field,
               luaL_tolstring(L, -1, NULL));
  }
  lua_pushstring(L, buf);
  v->type = NHI_V_TEXT;
  v->text = lua_tostring(L, -1);
}

static void convert_identity(lua_State *L, struct nhi_run *run,
                             const struct nhi_table_desc *d,
                             struct nhi_value *v)
{
  long long id;

  if (lua_isinteger(L, -1)) {
    v->num = lua_tointeger(L, -1);
  } else if (lua_type(L, -1) == LUA_TSTRING) {
    if (nhi_store_identity_id(run->store, lua_tostring(L, -1), &id))
      luaL_error(L, "evidence:%s: no identity '%s' has been written",
                 d->writer, lua_tostring(L, -1));
    v->num = id;
  } else {
    luaL_error(L, "evidence:%s: field 'identity' must be an identity's "
               "row id or native id", d->writer);
  }
  v->type = NHI_V_INT;
}

static void type_error(lua_State *L, const struct nhi_table_desc *d,
                       const struct nhi_column *c, const char *want)
{
  luaL_error(L, "evidence:%s: field '%s' must be %s (got %s)", d->writer,
             c->field, want, luaL_typename(L, -1));
}

/* Converts the field value on top of the stack; may push a derived
 * string, which must stay on the stack until the row is written. */
static void convert(lua_State *L, struct nhi_run *run,
                    const struct nhi_table_desc *d,
                    const struct nhi_column *c, struct nhi_value *v)
{
  if (strcmp(c->field, "identity") == 0)
    return convert_identity(L, run, d, v);
  if (is_time_column(c->name))
    return convert_time(L, d, c, v);
  switch (c->type) {
  case NHI_COL_TEXT:
    if (lua_type(L, -1) != LUA_TSTRING)
      type_error(L, d, c, "a string");
    v->type = NHI_V_TEXT;
    v->text = lua_tostring(L, -1);
    break;
  case NHI_COL_INT:
    if (!lua_isinteger(L, -1))
      type_error(L, d, c, "an integer");
    v->type = NHI_V_INT;
    v->num = lua_tointeger(L, -1);
    break;
  case NHI_COL_BOOL:
    if (!lua_isboolean(L, -1))
      type_error(L, d, c, "a boolean");
    v->type = NHI_V_INT;
    v->num = lua_toboolean(L, -1);
    break;
  case NHI_COL_JSON:
    nhi_api_push_json_text(L, -1);
    v->type = NHI_V_TEXT;
    v->text = lua_tostring(L, -1);
    break;
  }
}

static void check_vocab(lua_State *L, const struct nhi_table_desc *d,
                        const struct nhi_column *c, const char *value)
{
  luaL_Buffer b;

  if (nhi_vocab_index(c->vocab, value) >= 0)
    return;
  luaL_buffinit(L, &b);
  for (const char *const *w = c->vocab; *w; w++) {
    luaL_addstring(&b, *w);
    if (w[1])
      luaL_addstring(&b, ", ");
  }
  luaL_pushresult(&b);
  luaL_error(L, "evidence:%s: field '%s' must be one of %s (got '%s')",
             d->writer, c->field, lua_tostring(L, -1), value);
}

static size_t column_index(const struct nhi_table_desc *d, const char *name)
{
  size_t i;

  for (i = 0; i < d->ncols && strcmp(d->cols[i].name, name); i++)
    ;
  return i;
}

/* credential.secret / secret.value: keep only fingerprint and preview. */
static void convert_secret(lua_State *L, enum nhi_table t,
                           const struct nhi_table_desc *d,
                           struct nhi_value *vals)
{
  char fp[NHI_FINGERPRINT_SIZE], preview[NHI_PREVIEW_SIZE];
  const char *field = t == NHI_T_CREDENTIAL ? "secret" : "value";
  const char *value;
  size_t len;

  if (lua_getfield(L, 2, field) == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  if (lua_type(L, -1) != LUA_TSTRING)
    luaL_error(L, "evidence:%s: field '%s' must be a string", d->writer,
               field);
  value = lua_tolstring(L, -1, &len);
  if (nhi_secret_fingerprint(value, len, fp) != NHI_OK)
    luaL_error(L, "evidence:%s: cannot fingerprint the secret", d->writer);
  nhi_secret_preview(value, len, preview);
  lua_pop(L, 1);
  lua_pushstring(L, fp);
  vals[column_index(d, "fingerprint")] =
    (struct nhi_value){ .type = NHI_V_TEXT, .text = lua_tostring(L, -1) };
  if (t == NHI_T_SECRET) {
    lua_pushstring(L, preview);
    vals[column_index(d, "preview")] =
      (struct nhi_value){ .type = NHI_V_TEXT, .text = lua_tostring(L, -1) };
  }
}

/* ctx.evidence:<writer>{...} -> row id */
static int l_write(lua_State *L)
{
  struct nhi_run *run = lua_touserdata(L, lua_upvalueindex(1));
  enum nhi_table t = (enum nhi_table)lua_tointeger(L, lua_upvalueindex(2));
  const struct nhi_table_desc *d = nhi_store_table(t);
  struct nhi_value vals[16] = { 0 };
  long long rowid = 0;

  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  if (d->ncols > sizeof vals / sizeof vals[0])
    return luaL_error(L, "evidence:%s: too many columns", d->writer);
  luaL_checkstack(L, (int)d->ncols * 2 + 8, "evidence row too wide");
  check_fields(L, t, d);
  convert_secret(L, t, d, vals);
  for (size_t i = 0; i < d->ncols; i++) {
    const struct nhi_column *c = &d->cols[i];

    lua_pushstring(L, c->field);
    if (lua_rawget(L, 2) == LUA_TNIL) {
      lua_pop(L, 1);
      if (c->required && vals[i].type == NHI_V_NULL)
        luaL_error(L, "evidence:%s: field '%s' is required", d->writer,
                   c->field);
      continue;
    }
    convert(L, run, d, c, &vals[i]);
    if (c->vocab)
      check_vocab(L, d, c, vals[i].text);
  }
  if (nhi_store_put(run->store, t, vals, &rowid) != NHI_OK)
    luaL_error(L, "evidence:%s: the store refused the row: %s", d->writer,
               sqlite3_errmsg(run->store->db));
  lua_pushinteger(L, rowid);
  return 1;
}

void nhi_api_push_evidence(lua_State *L, struct nhi_run *run)
{
  lua_createtable(L, 0, NHI_T_COUNT);
  for (int t = 0; t < NHI_T_COUNT; t++) {
    lua_pushlightuserdata(L, run);
    lua_pushinteger(L, t);
    lua_pushcclosure(L, l_write, 2);
    lua_setfield(L, -2, nhi_store_table((enum nhi_table)t)->writer);
  }
}
