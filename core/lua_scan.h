/* The scanner for plugins: nhi.scan and the collectors' ctx:scan_*. */
#ifndef NHI_LUA_SCAN_H
#define NHI_LUA_SCAN_H

#include "lua_api.h"
#include "scan.h"

#include <lua.h>

/* Pushes the nhi.scan table:
 *   text(s) -> list of {type, rule, line, fingerprint, preview,
 *     validated (absent when the rule has no validator), generic, attrs}
 *   fingerprint(s) -> "sha256:<24 hex>", the form secrets rows hold
 * The rules are the bundled plugins/data/secrets/rules.json and the
 * data/secrets/rules.json of each --plugins folder, loaded once a run. */
void nhi_lua_scan_push_module(lua_State *L);

/* ctx:scan_files(path [, opts]): the collectors' folder-tree scan; the
 * closure's upvalue 1 is the run. */
int nhi_lua_ctx_scan_files(lua_State *L);

/* ctx:scan_git(path): the collectors' git history scan; upvalue 1 is the
 * run. */
int nhi_lua_ctx_scan_git(lua_State *L);

#endif
