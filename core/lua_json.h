/* nhi.json: converting between Lua values and JSON (cJSON trees, text). */
#ifndef NHI_LUA_JSON_H
#define NHI_LUA_JSON_H

#include <lua.h>
#include <cJSON.h>

/* Deepest table nesting nhi_lua_json_from_lua accepts. */
#define NHI_LUA_JSON_MAX_DEPTH 200

/* Pushes a new table {encode=, decode=, null=, array=, object=,
 * is_array=}: the nhi.json module. Also creates the marker metatables
 * "nhi.json.array" and "nhi.json.object" in the registry if missing.
 *   decode(text) -> value, or nil, "line L, column C: unexpected ..."
 *   encode(value [, {pretty = true}]) -> text; raises on values JSON
 *     cannot hold; object keys come out sorted
 *   null: a light userdata standing for JSON null
 *   array([t]) / object([t]) -> t (or a new table), marked so that it
 *     encodes as [] / {} even when empty
 *   is_array(v) -> true when v would encode as a JSON array */
void nhi_lua_json_push_module(lua_State *L);

/* The light userdata address that stands for JSON null (nhi.json.null),
 * for C bindings that must recognise it. Never dereference it. */
void *nhi_lua_json_null(void);

/* Converts the Lua value at idx to a new cJSON tree; the caller frees it
 * with cJSON_Delete. Reads tables raw (no metamethods run). Numbers
 * become cJSON_Raw items holding their exact text ("%lld" for integers,
 * the shortest round-tripping "%.17g" form for floats), so
 * cJSON_IsNumber is false for them; their valuedouble is set. Raises a
 * Lua error "cannot encode ..." on functions, threads, userdata other
 * than nhi.json.null, NaN and infinities, strings or keys holding a zero
 * byte, tables with mixed or non-string keys, marked arrays with holes,
 * cycles, and nesting deeper than NHI_LUA_JSON_MAX_DEPTH. Nothing leaks
 * when it raises: the partial tree is owned by a collectable userdata. */
cJSON *nhi_lua_json_from_lua(lua_State *L, int idx);

/* Encodes the value at idx as compact JSON text with object keys sorted
 * by byte value, so equal values give equal text. Returns a NUL-terminated
 * string the caller frees with free(). Raises like
 * nhi_lua_json_from_lua (and on running out of memory). */
char *nhi_lua_json_encode(lua_State *L, int idx);

/* Pushes the Lua value for item (NULL pushes nhi.json.null): objects
 * become tables with the object marker metatable, arrays tables 1..n
 * with the array marker metatable, null nhi.json.null (also inside arrays,
 * so they have no holes), numbers a Lua integer when the double is
 * integral and |v| <= 2^53, else a float. Raw items (as made by
 * nhi_lua_json_from_lua) are read back as numbers when they hold one.
 * item stays the caller's. */
void nhi_lua_json_push(lua_State *L, const cJSON *item);

#endif
