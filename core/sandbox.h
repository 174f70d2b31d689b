/* The Lua sandbox: one state per plugin run, with a memory cap, an
 * instruction budget and an allow-listed environment. */
#ifndef NHI_SANDBOX_H
#define NHI_SANDBOX_H

#include "nhi.h"

#include <lua.h>

struct nhi_sandbox_limits {
  size_t memory;                 /* bytes the state may hold */
  unsigned long long budget;     /* VM instructions per plugin run */
};

/* Default limits: 512 MiB and 20,000 million instructions (minutes of
 * pure Lua: checks leave the heavy lifting to SQL). */
#define NHI_SANDBOX_MEMORY (512u << 20)
#define NHI_SANDBOX_BUDGET 20000000000ULL

struct nhi_sandbox {
  lua_State *L;
  const char *name;              /* who runs: a plugin id or file name */
  size_t mem_used, mem_limit;
  unsigned long long instr_used, instr_budget;
  int hook_step;
  int over_budget, over_memory;  /* a limit was hit */
  int mem_fatal;                 /* memory failure seen by a pcall */
  const char *const *read_roots; /* io.open may read below these */
  const char *const *lib_dirs;   /* require() looks here for <name>.lua */
  void *host;                    /* the API's per-run state, or NULL */
  char *error;                   /* last failure: one line */
  char *traceback;               /* last failure: Lua traceback or NULL */
};

/* Creates a state with the limits and the base libraries loaded (not yet
 * visible to plugin code). name is borrowed. *out is the caller's. */
enum nhi_rc nhi_sandbox_new(const struct nhi_sandbox_limits *limits,
                            const char *name, struct nhi_sandbox **out);

/* Closes the state; NULL is ignored. */
void nhi_sandbox_free(struct nhi_sandbox *sb);

/* Pushes a fresh environment: the allow-listed globals, plus the table
 * at api_idx (0 for none) as global "nhi". With strict set, reading or
 * writing an undeclared global raises an error; without it (profiles)
 * assignments create globals. */
void nhi_sandbox_push_env(struct nhi_sandbox *sb, int api_idx, int strict);

/* Loads the file at path as text (never bytecode) with the environment
 * on top of the stack (popped), and leaves the chunk function on the
 * stack. On failure records sb->error and returns NHI_ERR_PLUGIN. */
enum nhi_rc nhi_sandbox_load(struct nhi_sandbox *sb, const char *path);

/* Calls the function below nargs arguments, within the budget; leaves
 * nresults results. On failure sets sb->error (one line: a Lua error, or
 * "instruction budget exceeded ..." / "memory limit exceeded ...") and
 * sb->traceback, leaves nothing, and returns NHI_ERR_PLUGIN. */
enum nhi_rc nhi_sandbox_call(struct nhi_sandbox *sb, int nargs,
                             int nresults);

/* The sandbox owning L (stored in the state's extra space). */
struct nhi_sandbox *nhi_sandbox_of(lua_State *L);

/* Whether path is below one of the sandbox's read roots (a path that
 * does not exist is let through, for the reader to report). */
int nhi_sandbox_may_read(struct nhi_sandbox *sb, const char *path);

/* Records a failure message (copied) as sb->error; clears traceback. */
void nhi_sandbox_set_error(struct nhi_sandbox *sb, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

#endif
