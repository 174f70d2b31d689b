/* Running one plugin's run(ctx) and recording the outcome. */
#ifndef NHI_RUN_H
#define NHI_RUN_H

#include "lua_api.h"
#include "runtime.h"

/* How a run ended; strings are owned (nhi_run_outcome_clear). */
struct nhi_run_outcome {
  char *error;       /* one line, or NULL on success */
  char *traceback;   /* Lua traceback, or NULL */
};

/* Runs run->plugin's run(ctx) in a fresh sandbox with its effective
 * params. run->plugin (and run->source for collectors) must be set; the
 * caller owns any transaction. Logs a failure once, prefixed with the
 * plugin id. Returns NHI_OK or NHI_ERR_PLUGIN (NHI_ERR_NOMEM). */
enum nhi_rc nhi_run_plugin(struct nhi_runtime *rt, struct nhi_run *run,
                           struct nhi_run_outcome *out);

void nhi_run_outcome_clear(struct nhi_run_outcome *out);

/* One plugin_runs row; strings borrowed. out may be NULL. */
struct nhi_run_entry {
  const char *plugin_id, *kind, *question, *path, *stage, *status;
  const struct nhi_run_outcome *out;
  long long findings;
};

/* Writes one plugin_runs row. */
enum nhi_rc nhi_run_record(struct nhi_store *s,
                           const struct nhi_run_entry *e);

#endif
