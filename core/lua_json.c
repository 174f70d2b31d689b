/* nhi.json: converting between Lua values and JSON (cJSON trees, text). */
#include "lua_json.h"
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#define ARRAY_MT "nhi.json.array"
#define OBJECT_MT "nhi.json.object"
#define HOLDER_MT "nhi.json.holder"

/* Only its address matters: it is the identity of nhi.json.null. */
static const char json_null_tag;
#define JSON_NULL ((void *)&json_null_tag)

/* Owns a tree or text while Lua code may raise, so an error frees them. */
struct holder {
  cJSON *tree;
  char *text;
};

struct encoder {
  struct holder *h;
  int seen;                     /* stack index: tables being encoded */
};

enum mark { MARK_NONE, MARK_ARRAY, MARK_OBJECT };

void *nhi_lua_json_null(void)
{
  return JSON_NULL;
}

static int holder_gc(lua_State *L)
{
  struct holder *h = luaL_checkudata(L, 1, HOLDER_MT);

  cJSON_Delete(h->tree);
  cJSON_free(h->text);
  h->tree = NULL;
  h->text = NULL;
  return 0;
}

static struct holder *push_holder(lua_State *L)
{
  struct holder *h = lua_newuserdatauv(L, sizeof *h, 0);

  h->tree = NULL;
  h->text = NULL;
  if (luaL_newmetatable(L, HOLDER_MT)) {
    lua_pushcfunction(L, holder_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_setmetatable(L, -2);
  return h;
}

static enum mark table_mark(lua_State *L, int idx)
{
  enum mark m = MARK_NONE;

  if (!lua_getmetatable(L, idx))
    return MARK_NONE;
  luaL_getmetatable(L, ARRAY_MT);
  if (lua_rawequal(L, -1, -2))
    m = MARK_ARRAY;
  luaL_getmetatable(L, OBJECT_MT);
  if (lua_rawequal(L, -1, -3))
    m = MARK_OBJECT;
  lua_pop(L, 3);
  return m;
}

/* Whether the keys of the table at idx are exactly the integers 1..n
 * (n = 0 for an empty table); *n and *strings count the keys. */
static int keys_are_sequence(lua_State *L, int idx, lua_Integer *n,
                             lua_Integer *strings)
{
  lua_Integer ints = 0, max = 0, k;

  *n = *strings = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    (*n)++;
    if (lua_type(L, -1) == LUA_TSTRING)
      (*strings)++;
    if (!lua_isinteger(L, -1) || (k = lua_tointeger(L, -1)) < 1)
      continue;
    ints++;
    if (k > max)
      max = k;
  }
  return ints == *n && max == *n;
}

/* Decides how the table at idx encodes: 1 for an array of *n items, 0
 * for an object. Raises when it can be neither. */
static int table_is_array(lua_State *L, int idx, lua_Integer *n)
{
  enum mark mark = table_mark(L, idx);
  lua_Integer strings;
  int seq = keys_are_sequence(L, idx, n, &strings);

  if (mark == MARK_ARRAY && !seq)
    luaL_error(L, strings ? "cannot encode an array with non-integer keys"
                          : "cannot encode an array with holes (use "
                            "json.null for missing items)");
  if (mark == MARK_ARRAY || (mark == MARK_NONE && seq && *n > 0))
    return 1;
  if (strings != *n)
    luaL_error(L, "cannot encode a table with mixed or non-string keys");
  return 0;
}

/* Writes v with the fewest digits that read back as the same double. */
static void format_float(lua_State *L, double v, char *buf, size_t size)
{
  if (isnan(v))
    luaL_error(L, "cannot encode NaN");
  if (isinf(v))
    luaL_error(L, "cannot encode %s", v > 0 ? "infinity" : "-infinity");
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(buf, size, "%.*g", digits, v);
    if (strtod(buf, NULL) == v)
      break;
  }
  /* A host locale with a decimal comma must not leak into JSON. */
  for (char *p = buf; *p; p++)
    if (*p == ',')
      *p = '.';
}

static cJSON *new_number(lua_State *L, int idx)
{
  char buf[40];                 /* our own formatting of one number */
  cJSON *item;

  if (lua_isinteger(L, idx))
    snprintf(buf, sizeof buf, LUA_INTEGER_FMT,
             (LUAI_UACINT)lua_tointeger(L, idx));
  else
    format_float(L, lua_tonumber(L, idx), buf, sizeof buf);
  item = cJSON_CreateRaw(buf);
  if (item)
    item->valuedouble = lua_tonumber(L, idx);
  return item;
}

static cJSON *new_string(lua_State *L, int idx)
{
  size_t len;
  const char *s = lua_tolstring(L, idx, &len);

  if (strlen(s) != len)
    luaL_error(L, "cannot encode a string with a zero byte");
  return cJSON_CreateString(s);
}

/* Creates the item for the non-table value at idx; raises before
 * allocating anything when JSON cannot hold the value. */
static cJSON *new_scalar(lua_State *L, int idx)
{
  switch (lua_type(L, idx)) {
  case LUA_TNIL:
    return cJSON_CreateNull();
  case LUA_TBOOLEAN:
    return cJSON_CreateBool(lua_toboolean(L, idx));
  case LUA_TNUMBER:
    return new_number(L, idx);
  case LUA_TSTRING:
    return new_string(L, idx);
  case LUA_TLIGHTUSERDATA:
    if (lua_touserdata(L, idx) == JSON_NULL)
      return cJSON_CreateNull();
    break;
  default:
    break;
  }
  luaL_error(L, "cannot encode a %s", luaL_typename(L, idx));
  return NULL;
}

/* Hangs item under parent (or makes it the root) so that the holder owns
 * it before anything else can raise. */
static void attach(lua_State *L, struct encoder *e, cJSON *parent,
                   const char *key, cJSON *item)
{
  int ok;

  if (!item)
    luaL_error(L, "cannot encode: out of memory");
  if (!parent) {
    e->h->tree = item;
    return;
  }
  ok = key ? cJSON_AddItemToObject(parent, key, item)
           : cJSON_AddItemToArray(parent, item);
  if (!ok) {
    cJSON_Delete(item);
    luaL_error(L, "cannot encode: out of memory");
  }
}

static int cmp_keys(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Pushes a table anchoring the string keys of the table at idx (at most
 * *n of them) and a userdata holding the same keys sorted; sets *n to
 * the count. The anchor keeps the strings alive even if the table is
 * weak and the collector clears entries while its values are encoded. */
static const char **push_sorted_keys(lua_State *L, int idx, lua_Integer *n)
{
  lua_Integer max = *n, i = 0;
  const char **keys;
  size_t len;

  lua_newtable(L);
  keys = lua_newuserdatauv(L, (size_t)max * sizeof *keys, 0);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (i >= max)
      continue;
    keys[i] = lua_tolstring(L, -1, &len);
    if (strlen(keys[i]) != len)
      luaL_error(L, "cannot encode a key with a zero byte");
    lua_pushvalue(L, -1);
    lua_rawseti(L, -4, ++i);
  }
  qsort(keys, (size_t)i, sizeof *keys, cmp_keys);
  *n = i;
  return keys;
}

static void encode_value(lua_State *L, struct encoder *e, cJSON *parent,
                         const char *key, int depth);

static void fill_array(lua_State *L, struct encoder *e, cJSON *node,
                       int idx, lua_Integer n, int depth)
{
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, idx, i);
    encode_value(L, e, node, NULL, depth);
  }
}

static void fill_object(lua_State *L, struct encoder *e, cJSON *node,
                        int idx, lua_Integer n, int depth)
{
  const char **keys = push_sorted_keys(L, idx, &n);

  for (lua_Integer i = 0; i < n; i++) {
    lua_pushstring(L, keys[i]);
    lua_rawget(L, idx);
    encode_value(L, e, node, keys[i], depth);
  }
  lua_pop(L, 2);
}

/* Marks the table at idx as being encoded; a table met again while it
 * is still marked contains itself. */
static void enter_table(lua_State *L, struct encoder *e, int idx)
{
  lua_pushvalue(L, idx);
  if (lua_rawget(L, e->seen) != LUA_TNIL)
    luaL_error(L, "cannot encode a table that contains itself");
  lua_pop(L, 1);
  lua_pushvalue(L, idx);
  lua_pushboolean(L, 1);
  lua_rawset(L, e->seen);
}

static void leave_table(lua_State *L, struct encoder *e, int idx)
{
  lua_pushvalue(L, idx);
  lua_pushnil(L);
  lua_rawset(L, e->seen);
}

static void encode_table(lua_State *L, struct encoder *e, cJSON *parent,
                         const char *key, int depth)
{
  int idx = lua_gettop(L);
  lua_Integer n;
  cJSON *node;

  if (depth > NHI_LUA_JSON_MAX_DEPTH)
    luaL_error(L, "cannot encode tables nested deeper than %d",
               NHI_LUA_JSON_MAX_DEPTH);
  luaL_checkstack(L, 8, "cannot encode: tables nested too deep");
  enter_table(L, e, idx);
  if (table_is_array(L, idx, &n)) {
    node = cJSON_CreateArray();
    attach(L, e, parent, key, node);
    fill_array(L, e, node, idx, n, depth);
  } else {
    node = cJSON_CreateObject();
    attach(L, e, parent, key, node);
    fill_object(L, e, node, idx, n, depth);
  }
  leave_table(L, e, idx);
}

/* Encodes the value on top of the stack under parent (key NULL for array
 * items), or as the root when parent is NULL; pops the value. */
static void encode_value(lua_State *L, struct encoder *e, cJSON *parent,
                         const char *key, int depth)
{
  if (lua_type(L, -1) == LUA_TTABLE)
    encode_table(L, e, parent, key, depth + 1);
  else
    attach(L, e, parent, key, new_scalar(L, -1));
  lua_pop(L, 1);
}

/* Pushes a holder that owns the tree for the value at idx. */
static struct holder *push_tree(lua_State *L, int idx)
{
  struct encoder e;

  idx = lua_absindex(L, idx);
  luaL_checkstack(L, 4, "cannot encode: stack overflow");
  e.h = push_holder(L);
  lua_newtable(L);
  e.seen = lua_gettop(L);
  lua_pushvalue(L, idx);
  encode_value(L, &e, NULL, NULL, 0);
  lua_pop(L, 1);
  return e.h;
}

cJSON *nhi_lua_json_from_lua(lua_State *L, int idx)
{
  struct holder *h = push_tree(L, idx);
  cJSON *tree = h->tree;

  h->tree = NULL;
  lua_pop(L, 1);
  return tree;
}

char *nhi_lua_json_encode(lua_State *L, int idx)
{
  struct holder *h = push_tree(L, idx);
  char *text = cJSON_PrintUnformatted(h->tree);

  cJSON_Delete(h->tree);
  h->tree = NULL;
  lua_pop(L, 1);
  if (!text)
    luaL_error(L, "cannot encode: out of memory");
  return text;
}

static void push_number(lua_State *L, double v)
{
  if (v == floor(v) && fabs(v) <= 9007199254740992.0)
    lua_pushinteger(L, (lua_Integer)v);
  else
    lua_pushnumber(L, v);
}

static void push_scalar(lua_State *L, const cJSON *item)
{
  const char *raw = cJSON_IsRaw(item) ? item->valuestring : NULL;

  if (cJSON_IsBool(item))
    lua_pushboolean(L, cJSON_IsTrue(item));
  else if (cJSON_IsNumber(item))
    push_number(L, item->valuedouble);
  else if (cJSON_IsString(item))
    lua_pushstring(L, item->valuestring);
  else if (raw && !lua_stringtonumber(L, raw)) /* pushes when a number */
    lua_pushstring(L, raw);
  else if (!raw)
    lua_pushlightuserdata(L, JSON_NULL);
}

void nhi_lua_json_push(lua_State *L, const cJSON *item)
{
  const cJSON *child;
  int obj = cJSON_IsObject(item), i = 0;

  luaL_checkstack(L, 4, "json nested too deep");
  if (!obj && !cJSON_IsArray(item)) {
    push_scalar(L, item);
    return;
  }
  lua_createtable(L, obj ? 0 : cJSON_GetArraySize(item),
                  obj ? cJSON_GetArraySize(item) : 0);
  cJSON_ArrayForEach(child, item) {
    if (!obj) {
      nhi_lua_json_push(L, child);
      lua_rawseti(L, -2, ++i);
    } else if (child->string) {
      lua_pushstring(L, child->string);
      nhi_lua_json_push(L, child);
      lua_rawset(L, -3);
    }
  }
  luaL_newmetatable(L, obj ? OBJECT_MT : ARRAY_MT);
  lua_setmetatable(L, -2);
}

/* Pushes nil and "line L, column C: what" for text that cJSON stopped
 * reading at byte off. */
static void push_parse_error(lua_State *L, const char *text, size_t len,
                             size_t off)
{
  char what[64];
  size_t line, col;

  nhi_json_describe_error(text, len, off, &line, &col, what, sizeof what);
  lua_pushnil(L);
  lua_pushfstring(L, "line %I, column %I: %s", (lua_Integer)line,
                  (lua_Integer)col, what);
}

static int l_json_decode(lua_State *L)
{
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  const char *end = NULL;
  struct holder *h = push_holder(L);

  /* Lua strings end in a NUL; counting it in lets cJSON check that
   * nothing but white space follows the value. */
  h->tree = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
  if (!h->tree) {
    push_parse_error(L, text, len, end ? (size_t)(end - text) : 0);
    return 2;
  }
  nhi_lua_json_push(L, h->tree);
  cJSON_Delete(h->tree);
  h->tree = NULL;
  return 1;
}

/* Reads encode's options table at idx: returns whether pretty is set. */
static int read_pretty(lua_State *L, int idx)
{
  if (lua_isnoneornil(L, idx))
    return 0;
  luaL_checktype(L, idx, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING ||
        strcmp(lua_tostring(L, -1), "pretty") != 0)
      luaL_argerror(L, idx, "the only option is 'pretty'");
  }
  lua_pushliteral(L, "pretty");
  lua_rawget(L, idx);
  return lua_toboolean(L, -1);
}

static int l_json_encode(lua_State *L)
{
  struct holder *h;
  int pretty;

  luaL_checkany(L, 1);
  pretty = read_pretty(L, 2);
  h = push_tree(L, 1);
  h->text = pretty ? cJSON_Print(h->tree) : cJSON_PrintUnformatted(h->tree);
  if (!h->text)
    return luaL_error(L, "cannot encode: out of memory");
  lua_pushstring(L, h->text);
  cJSON_free(h->text);
  h->text = NULL;
  cJSON_Delete(h->tree);
  h->tree = NULL;
  return 1;
}

static int set_marker(lua_State *L, const char *name)
{
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  } else {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
  }
  luaL_newmetatable(L, name);
  lua_setmetatable(L, 1);
  return 1;
}

static int l_json_array(lua_State *L)
{
  return set_marker(L, ARRAY_MT);
}

static int l_json_object(lua_State *L)
{
  return set_marker(L, OBJECT_MT);
}

static int l_json_is_array(lua_State *L)
{
  lua_Integer n, strings;
  enum mark mark;

  luaL_checkany(L, 1);
  if (!lua_istable(L, 1)) {
    lua_pushboolean(L, 0);
    return 1;
  }
  mark = table_mark(L, 1);
  lua_pushboolean(L, mark == MARK_ARRAY ||
                     (mark == MARK_NONE &&
                      keys_are_sequence(L, 1, &n, &strings) && n > 0));
  return 1;
}

void nhi_lua_json_push_module(lua_State *L)
{
  static const luaL_Reg fns[] = {
    {"decode", l_json_decode},
    {"encode", l_json_encode},
    {"array", l_json_array},
    {"object", l_json_object},
    {"is_array", l_json_is_array},
    {NULL, NULL}
  };

  luaL_newmetatable(L, ARRAY_MT);
  luaL_newmetatable(L, OBJECT_MT);
  lua_pop(L, 2);
  luaL_newlib(L, fns);
  lua_pushlightuserdata(L, JSON_NULL);
  lua_setfield(L, -2, "null");
}
