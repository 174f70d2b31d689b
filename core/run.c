/* Running one plugin's run(ctx) in its own sandbox, and recording the
 * outcome in plugin_runs. */
#include "run.h"

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

/* Calls run(ctx) on the plugin table on top of the sandbox's stack. */
static enum nhi_rc call_run(struct nhi_sandbox *sb, struct nhi_run *run)
{
  lua_State *L = sb->L;

  lua_pushliteral(L, "run");
  lua_rawget(L, -2);
  nhi_api_push_ctx(L, run);
  sb->host = run;
  nhi_api_guard_sql(run->store, run);
  return nhi_sandbox_call(sb, 1, 0);
}

enum nhi_rc nhi_run_plugin(struct nhi_runtime *rt, struct nhi_run *run,
                           struct nhi_run_outcome *out)
{
  struct nhi_sandbox *sb = NULL;
  char *params = nhi_params_effective(rt, run->plugin);
  enum nhi_rc rc;

  memset(out, 0, sizeof *out);
  if (!params)
    return NHI_ERR_NOMEM;
  run->store = rt->store;
  run->params_json = params;
  run->now = rt->now;
  run->now_unix = rt->now_unix;
  run->home = rt->home;
  rc = nhi_plugin_open(run->plugin->path, &rt->penv, &sb, &out->error);
  if (!rc) {
    sb->name = run->plugin->id;
    rc = call_run(sb, run);
    nhi_api_guard_sql(rt->store, NULL);
    if (rc) {
      out->error = strdup(sb->error ? sb->error : "failed");
      out->traceback = sb->traceback ? strdup(sb->traceback) : NULL;
    }
  }
  nhi_sandbox_free(sb);
  free(params);
  run->params_json = NULL;
  if (rc && !run->error_logged)
    nhi_logp(NHI_LOG_ERROR, run->plugin->id, "failed: %s",
             out->error ? out->error : "out of memory");
  return rc;
}

void nhi_run_outcome_clear(struct nhi_run_outcome *out)
{
  free(out->error);
  free(out->traceback);
  memset(out, 0, sizeof *out);
}

enum nhi_rc nhi_run_record(struct nhi_store *s,
                           const struct nhi_run_entry *e)
{
  static const char sql[] =
    "INSERT INTO plugin_runs(plugin_id, kind, question, path, stage,"
    " status, error, traceback, finding_count)"
    " VALUES(?,?,?,?,?,?,?,?,?)";
  sqlite3_stmt *st = NULL;
  const char *v[] = { e->plugin_id, e->kind, e->question, e->path,
                      e->stage, e->status, e->out ? e->out->error : NULL,
                      e->out ? e->out->traceback : NULL };
  int ok;

  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) {
    nhi_error("evidence store: cannot record plugin run: %s",
              sqlite3_errmsg(s->db));
    return NHI_ERR_DB;
  }
  for (int i = 0; i < 8; i++)
    sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 9, e->findings);
  ok = sqlite3_step(st) == SQLITE_DONE;
  if (!ok)
    nhi_error("evidence store: cannot record plugin run: %s",
              sqlite3_errmsg(s->db));
  sqlite3_finalize(st);
  return ok ? NHI_OK : NHI_ERR_DB;
}
