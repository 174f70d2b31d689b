/* nhi.fs: listing the folders a plugin may read. */
#ifndef NHI_LUA_FS_H
#define NHI_LUA_FS_H

#include <lua.h>

/* Sets field fs of the table on top of the stack:
 *   nhi.fs.list(folder) -> sorted list of the paths (relative to folder,
 *     '/'-separated) of the regular files below it, hidden entries and
 *     symbolic links left out; or nil, reason when it is no folder or
 *     cannot be walked.
 *     Raises when folder is outside the sandbox's read roots. */
void nhi_lua_fs_add(lua_State *L);

#endif
