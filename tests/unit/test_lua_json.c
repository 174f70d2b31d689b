/* Unit tests for nhi.json, the Lua bridge over cJSON. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "lua_json.h"

/* Deep equality for the round-trip tests, written in Lua. */
static const char same_src[] =
  "function same(a, b)\n"
  "  if type(a) ~= 'table' or type(b) ~= 'table' then\n"
  "    return a == b and math.type(a) == math.type(b)\n"
  "  end\n"
  "  for k, v in pairs(a) do\n"
  "    if not same(v, b[k]) then return false end\n"
  "  end\n"
  "  for k in pairs(b) do\n"
  "    if a[k] == nil then return false end\n"
  "  end\n"
  "  return true\n"
  "end\n";

static int setup(void **state)
{
  lua_State *L = luaL_newstate();

  if (!L)
    return -1;
  luaL_openlibs(L);
  nhi_lua_json_push_module(L);
  lua_setglobal(L, "json");
  if (luaL_dostring(L, same_src) != LUA_OK)
    return -1;
  *state = L;
  return 0;
}

static int teardown(void **state)
{
  lua_close(*state);
  return 0;
}

/* Runs a Lua snippet; its own asserts carry the messages. */
static void run(lua_State *L, const char *code)
{
  if (luaL_dostring(L, code) != LUA_OK)
    fail_msg("lua: %s", lua_tostring(L, -1));
  lua_settop(L, 0);
}

/* The snippet's pcall of f must fail with a message containing want. */
#define RAISES(call, want)                                                \
  "do local ok, err = pcall(" call ")\n"                                  \
  "  assert(not ok, [==[expected an error from " call "]==])\n"          \
  "  assert(tostring(err):find('" want "', 1, true), err)\n"              \
  "end\n"

static void test_decode_object(void **state)
{
  run(*state,
      "local t = json.decode('{\"a\": 1, \"b\": \"x\", \"c\": true, "
      "\"d\": false}')\n"
      "assert(t.a == 1 and t.b == 'x', 'scalar fields')\n"
      "assert(t.c == true and t.d == false, 'booleans')\n"
      "assert(getmetatable(t).__name == 'nhi.json.object', 'marker')\n"
      "assert(not json.is_array(t), 'object is no array')\n");
}

static void test_decode_array_keeps_nulls(void **state)
{
  run(*state,
      "local t = json.decode('[1, null, 3, null]')\n"
      "assert(#t == 4, 'length counts the nulls')\n"
      "assert(t[2] == json.null and t[4] == json.null, 'null items')\n"
      "assert(t[3] == 3, 'item after null')\n"
      "assert(json.is_array(t), 'decoded array is an array')\n"
      "assert(getmetatable(t).__name == 'nhi.json.array', 'marker')\n"
      "assert(json.decode('null') == json.null, 'top-level null')\n");
}

static void test_decode_nested(void **state)
{
  run(*state,
      "local t = json.decode('{\"a\": {\"b\": [{\"c\": []}, {}]}}')\n"
      "assert(json.is_array(t.a.b), 'inner array')\n"
      "assert(json.is_array(t.a.b[1].c) and #t.a.b[1].c == 0, 'empty []')\n"
      "assert(next(t.a.b[2]) == nil, 'empty object')\n"
      "assert(json.encode(t) == '{\"a\":{\"b\":[{\"c\":[]},{}]}}',\n"
      "       'empty containers keep their kind')\n");
}

static void test_decode_unicode_escapes(void **state)
{
  run(*state,
      "local s = json.decode('\"\\\\u00e9\\\\u4e2d\\\\ud83d\\\\ude00\"')\n"
      "assert(s == '\\u{e9}\\u{4e2d}\\u{1f600}', 'escapes become UTF-8')\n"
      "local raw = json.decode('[\"\\u{e9}t\\u{e9}\"]')\n"
      "assert(raw[1] == '\\u{e9}t\\u{e9}', 'raw UTF-8 passes through')\n");
}

static void test_decode_number_types(void **state)
{
  run(*state,
      "local n = json.decode('1234567890123')\n"
      "assert(math.type(n) == 'integer' and n == 1234567890123, 'int')\n"
      "assert(math.type(json.decode('2.0')) == 'integer', '2.0 -> 2')\n"
      "assert(math.type(json.decode('1.5')) == 'float', '1.5 float')\n"
      "assert(math.type(json.decode('1e300')) == 'float', 'huge float')\n"
      "assert(json.decode('-9007199254740992') == -(1 << 53), '-2^53')\n"
      /* cJSON keeps doubles: 2^53 + 1 arrives rounded to 2^53. */
      "local big = json.decode('9007199254740993')\n"
      "assert(math.type(big) == 'integer', '2^53+1 is an integer')\n"
      "assert(big == 9007199254740992, 'rounded to 2^53: ' .. big)\n"
      "local past = json.decode('9007199254740994')\n"
      "assert(math.type(past) == 'float', 'past 2^53 stays a float')\n");
}

static void test_encode_sorts_keys(void **state)
{
  run(*state,
      "local s = json.encode({b = 1, a = 2, A = 3, c = {z = 1, y = 2},\n"
      "                       ['\\u{e9}'] = 4, aa = 5})\n"
      "assert(s == '{\"A\":3,\"a\":2,\"aa\":5,\"b\":1,"
      "\"c\":{\"y\":2,\"z\":1},\"\\u{e9}\":4}', s)\n");
}

static void test_encode_integers_exactly(void **state)
{
  run(*state,
      "assert(json.encode(1000000000000001) == '1000000000000001',\n"
      "       json.encode(1000000000000001))\n"
      "assert(json.encode(math.tointeger(10^15) + 1) ==\n"
      "       '1000000000000001', '10^15+1')\n"
      "assert(json.encode(math.maxinteger) == '9223372036854775807', 'max')\n"
      "assert(json.encode(math.mininteger) == '-9223372036854775808', 'min')\n"
      "assert(json.encode({n = -42}) == '{\"n\":-42}', 'negative')\n");
}

static void test_encode_floats(void **state)
{
  run(*state,
      "assert(json.encode(0.1) == '0.1', json.encode(0.1))\n"
      "assert(json.encode(1e20) == '1e+20', json.encode(1e20))\n"
      "assert(json.encode(-2.5) == '-2.5', json.encode(-2.5))\n"
      "for _, x in ipairs({1/3, 2^-1074, 1.7976931348623157e308,\n"
      "                    123456.789e-10, 2^60 + 0.0}) do\n"
      "  local s = json.encode(x)\n"
      "  assert(s:match('^[-0-9.e+]+$'), 'JSON number syntax: ' .. s)\n"
      "  assert(json.decode(s) == x, 'float round trip: ' .. s)\n"
      "end\n");
}

static void test_encode_empty_tables(void **state)
{
  run(*state,
      "assert(json.encode({}) == '{}', 'plain empty table')\n"
      "assert(json.encode(json.array{}) == '[]', 'marked empty array')\n"
      "assert(json.encode(json.array()) == '[]', 'new array')\n"
      "assert(json.encode(json.object{}) == '{}', 'marked empty object')\n"
      "assert(json.encode({a = json.array()}) == '{\"a\":[]}', 'nested')\n"
      "assert(json.encode(json.decode('[]')) == '[]', 'decoded []')\n");
}

static void test_encode_marks_decide_shape(void **state)
{
  run(*state,
      "assert(json.encode({1, 2, 3}) == '[1,2,3]', 'sequence')\n"
      "assert(json.encode(json.array{'a', json.null}) == '[\"a\",null]',\n"
      "       'marked array with null')\n"
      "local t = json.decode('{\"k\": \"v\"}')\n"
      "t.k = nil\n"
      "assert(json.encode(t) == '{}', 'emptied object stays an object')\n"
      RAISES("json.encode, json.object{1, 2}", "mixed or non-string keys")
      RAISES("json.encode, json.array{1, nil, 3}", "array with holes")
      RAISES("json.encode, json.array{x = 1}", "array with non-integer")
      );
}

static void test_encode_strings(void **state)
{
  run(*state,
      "local s = json.encode('q\"b\\\\n\\n\\1')\n"
      "assert(s == '\"q\\\\\"b\\\\\\\\n\\\\n\\\\u0001\"', s)\n"
      "assert(json.decode(s) == 'q\"b\\\\n\\n\\1', 'escapes read back')\n"
      RAISES("json.encode, 'a\\0b'", "zero byte")
      RAISES("json.encode, {['a\\0b'] = 1}", "zero byte"));
}

static void test_encode_null_and_shared(void **state)
{
  run(*state,
      "assert(json.null == json.null, 'null is stable')\n"
      "assert(type(json.null) == 'userdata', 'null is a light userdata')\n"
      "assert(json.encode(json.null) == 'null', 'null')\n"
      "assert(json.encode(nil) == 'null', 'nil')\n"
      "assert(json.encode({json.null, 1}) == '[null,1]', 'null item')\n"
      "local shared = {1}\n"
      "assert(json.encode({a = shared, b = shared}) ==\n"
      "       '{\"a\":[1],\"b\":[1]}', 'a shared table is no cycle')\n");
  lua_getglobal(*state, "json");
  lua_getfield(*state, -1, "null");
  assert_ptr_equal(lua_touserdata(*state, -1), nhi_lua_json_null());
  lua_settop(*state, 0);
}

static void test_encode_errors(void **state)
{
  run(*state,
      "local t = {}; t.self = t\n"
      "local deep = {}\n"
      "for i = 1, 300 do deep = {deep} end\n"
      RAISES("json.encode, {f = print}", "cannot encode a function")
      RAISES("json.encode, t", "cannot encode a table that contains itself")
      RAISES("json.encode, {0/0}", "cannot encode NaN")
      RAISES("json.encode, {x = math.huge}", "cannot encode infinity")
      RAISES("json.encode, -math.huge", "cannot encode -infinity")
      RAISES("json.encode, {1, a = 2}", "mixed or non-string keys")
      RAISES("json.encode, {[true] = 1}", "mixed or non-string keys")
      RAISES("json.encode, {1, nil, 3}", "mixed or non-string keys")
      RAISES("json.encode, deep", "nested deeper than 200")
      RAISES("json.encode, io.stdout", "cannot encode a userdata")
      RAISES("json.encode, coroutine.create(print)", "a thread")
      RAISES("json.encode", "bad argument #1")
      RAISES("json.encode, {}, {prety = true}", "bad argument #2"));
}

static void test_encode_depth_limit(void **state)
{
  run(*state,
      "local function nest(n) local t = {} for i = 2, n do t = {t} end\n"
      "  return t end\n"
      "local s = json.encode(nest(200))\n"
      "assert(#s == 400, 'two hundred levels encode')\n"
      RAISES("json.encode, nest(201)", "nested deeper than 200"));
}

/* Counts cJSON's live allocations to prove failed encodes free theirs. */
static long live_blocks;

static void *counting_malloc(size_t n)
{
  void *p = malloc(n);

  if (p)
    live_blocks++;
  return p;
}

static void counting_free(void *p)
{
  if (p)
    live_blocks--;
  free(p);
}

static void test_encode_errors_free_partial_tree(void **state)
{
  lua_State *L = *state;
  cJSON_Hooks hooks = {counting_malloc, counting_free};

  live_blocks = 0;
  cJSON_InitHooks(&hooks);
  run(L,
      "collectgarbage('stop')\n"
      "local big = {}\n"
      "for i = 1, 100 do big['k' .. i] = {i, 'v' .. i, {x = i}} end\n"
      "big.zz = {1, 2, print}\n"
      RAISES("json.encode, big", "cannot encode a function")
      "big.zz = nil; big.a = {}; big.a.loop = big\n"
      RAISES("json.encode, big", "contains itself"));
  assert_true(live_blocks > 0);
  lua_gc(L, LUA_GCRESTART);
  lua_gc(L, LUA_GCCOLLECT);
  assert_int_equal(live_blocks, 0);
  cJSON_InitHooks(NULL);
}

static void test_decode_error_positions(void **state)
{
  run(*state,
      "local v, err = json.decode(\n"
      "  '{\\n  \"a\": 1,\\n  \"b\": 2 \"c\": 3\\n}')\n"
      "assert(v == nil, 'missing comma fails')\n"
      "assert(err == [[line 3, column 10: unexpected '\"']], err)\n"
      "v, err = json.decode('{\\n  \"a\": [1, 2')\n"
      "assert(err == 'line 2, column 13: unexpected end of input', err)\n"
      "v, err = json.decode('{\"a\": 1,}')\n"
      "assert(err == [[line 1, column 9: unexpected '}']], err)\n"
      "v, err = json.decode('{\"a\": 1, 2}')\n"
      "assert(err:find('^line 1, column 1[01]: unexpected'), err)\n"
      "v, err = json.decode('[1, \"abc')\n"
      "assert(err == 'line 1, column 5: unexpected end of input '\n"
      "       .. '(string not closed)', err)\n"
      "v, err = json.decode('{\"a\": \"trunc')\n"
      "assert(err == 'line 1, column 7: unexpected end of input '\n"
      "       .. '(string not closed)', err)\n"
      "v, err = json.decode('[1] x')\n"
      "assert(err == [[line 1, column 5: unexpected 'x']], err)\n"
      "v, err = json.decode('   ')\n"
      "assert(err == 'line 1, column 4: unexpected end of input', err)\n"
      "v, err = json.decode('[\"\\u{e9}\", \\xff]')\n"
      "assert(err == 'line 1, column 7: unexpected byte 0xff', err)\n"
      RAISES("json.decode, {}", "bad argument #1"));
}

static void test_encode_pretty(void **state)
{
  run(*state,
      "local s = json.encode({b = {1, 2}, a = 'x'}, {pretty = true})\n"
      "assert(s:find('\\n'), 'pretty output has newlines')\n"
      "assert(s:find('\"a\"') < s:find('\"b\"'), 'keys still sorted')\n"
      "assert(same(json.decode(s), {a = 'x', b = {1, 2}}), 'reads back')\n"
      "assert(not json.encode({1}, {pretty = false}):find('\\n'), 'off')\n"
      "assert(json.encode({a = {1}}, nil) == '{\"a\":[1]}', 'compact')\n");
}

static void test_round_trip(void **state)
{
  run(*state,
      "local x = {name = 'caf\\u{e9} \\u{1f600}', n = 7, big = 1 << 53,\n"
      "  f = 0.25, neg = -3.75, ok = true, no = false,\n"
      "  list = {1, json.null, 'two', {3.5, {}}, json.array{}},\n"
      "  nested = {a = {b = {c = {'deep'}}}}, empty = json.object{}}\n"
      "local back = json.decode(json.encode(x))\n"
      "assert(same(back, x), 'decode(encode(x)) equals x')\n"
      "assert(json.encode(back) == json.encode(x), 'stable text')\n"
      "assert(math.type(back.big) == 'integer', '2^53 stays an integer')\n");
}

static void test_is_array(void **state)
{
  run(*state,
      "assert(json.is_array({1, 2, 3}), 'sequence')\n"
      "assert(not json.is_array({}), 'empty plain table')\n"
      "assert(not json.is_array({a = 1}), 'string keys')\n"
      "assert(not json.is_array({[2] = 1}), 'hole')\n"
      "assert(json.is_array(json.array{}), 'marked empty')\n"
      "assert(not json.is_array(json.object{1}), 'marked object')\n"
      "assert(not json.is_array('x'), 'not a table')\n"
      "local t = {}\n"
      "assert(json.array(t) == t, 'array returns its argument')\n"
      "assert(json.object(t) == t, 'object returns its argument')\n"
      "assert(getmetatable(json.array{}).__name == 'nhi.json.array', 'n')\n"
      "assert(getmetatable(json.object{}).__gc == nil, 'no finaliser')\n"
      RAISES("json.array, 5", "bad argument #1"));
  luaL_getmetatable((lua_State *)*state, "nhi.json.object");
  assert_true(lua_istable(*state, -1));
  lua_settop(*state, 0);
}

static void test_c_encode(void **state)
{
  lua_State *L = *state;
  char *text;

  run(L, "value = {z = {1, 2.5, 'x'}, a = json.null, m = 1 << 60}");
  lua_getglobal(L, "value");
  text = nhi_lua_json_encode(L, -1);
  assert_string_equal(text,
                      "{\"a\":null,\"m\":1152921504606846976,"
                      "\"z\":[1,2.5,\"x\"]}");
  assert_int_equal(lua_gettop(L), 1);
  free(text);
  lua_settop(L, 0);
}

static void test_c_tree_round_trip(void **state)
{
  lua_State *L = *state;
  cJSON *tree;

  run(L, "value = {n = math.maxinteger, f = 0.5, s = 'x'}");
  lua_getglobal(L, "value");
  tree = nhi_lua_json_from_lua(L, -1);
  assert_non_null(tree);
  assert_true(cJSON_IsRaw(cJSON_GetObjectItem(tree, "n")));
  assert_true(cJSON_GetObjectItem(tree, "f")->valuedouble == 0.5);
  nhi_lua_json_push(L, tree);
  cJSON_Delete(tree);
  lua_setglobal(L, "back");
  run(L, "assert(same(back, value), 'C tree round trip')\n"
         "assert(math.type(back.n) == 'integer', 'raw integer exact')\n");
}

static int encode_global_x(lua_State *L)
{
  lua_getglobal(L, "x");
  cJSON_Delete(nhi_lua_json_from_lua(L, -1));
  return 0;
}

static void test_c_from_lua_raises(void **state)
{
  lua_State *L = *state;

  run(L, "x = {a = {}}; x.a.b = x");
  lua_pushcfunction(L, encode_global_x);
  assert_int_equal(lua_pcall(L, 0, 0, 0), LUA_ERRRUN);
  assert_non_null(strstr(lua_tostring(L, -1), "contains itself"));
  lua_settop(L, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    T(test_decode_object),
    T(test_decode_array_keeps_nulls),
    T(test_decode_nested),
    T(test_decode_unicode_escapes),
    T(test_decode_number_types),
    T(test_encode_sorts_keys),
    T(test_encode_integers_exactly),
    T(test_encode_floats),
    T(test_encode_empty_tables),
    T(test_encode_marks_decide_shape),
    T(test_encode_strings),
    T(test_encode_null_and_shared),
    T(test_encode_errors),
    T(test_encode_depth_limit),
    T(test_encode_errors_free_partial_tree),
    T(test_decode_error_positions),
    T(test_encode_pretty),
    T(test_round_trip),
    T(test_is_array),
    T(test_c_encode),
    T(test_c_tree_round_trip),
    T(test_c_from_lua_raises),
#undef T
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
