/* nhi.http, nhi.aws and nhi.xml: the network as collectors see it, and
 * ctx:save_raw, which keeps what they fetched. */
#ifndef NHI_LUA_HTTP_H
#define NHI_LUA_HTTP_H

#include <lua.h>

/* Sets fields http, aws and xml of the table on top of the stack:
 *   nhi.http.request{method=, url=, headers=, body=, auth=, retry=,
 *     timeout=, max_body=, label=} -> {status, headers, body, attempts,
 *     waited_ms, error_code} or nil, reason (no response arrived)
 *   nhi.http.form{key = value, ...} -> "k=v&..." sorted, RFC 3986
 *   nhi.http.encode(s) -> s percent-encoded (RFC 3986)
 *   nhi.aws.credentials([profile]) -> handle, info or nil, reason
 *   nhi.aws.endpoint(service, region) -> base URL, signing region
 *   nhi.xml.decode(text) -> element tree or nil, reason
 * request and credentials raise unless a collector's run calls them:
 * checks never reach the network. */
void nhi_lua_http_add(lua_State *L);

/* ctx:save_raw(name, text) -> path, sha256. Upvalue 1 is the struct
 * nhi_run (light userdata). Writes text under
 * <out dir>/raw/<source id>-<provider>/name; name is relative, its
 * parts letters, digits, '.', '_' and '-' and not starting with '.'. */
int nhi_lua_ctx_save_raw(lua_State *L);


#endif
