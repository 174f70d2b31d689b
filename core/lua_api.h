/* The nhi.* Lua API and the ctx handed to a plugin's run(ctx). */
#ifndef NHI_LUA_API_H
#define NHI_LUA_API_H

#include "nhi.h"
#include "plugin.h"
#include "store.h"

#include <cJSON.h>
#include <lua.h>
#include <time.h>

/* What a collector is reading. Strings are borrowed. */
struct nhi_source_spec {
  const char *spec;      /* as given: "aws:authz=gaad.json" */
  const char *provider;  /* "aws" */
  const char *kind;      /* "authz", or "live" */
  const char *location;  /* path, live profile, or NULL */
  long long id;          /* row in sources */
};

struct nhi_aws_engine;

/* Per-run state behind ctx; owned by the runner. */
struct nhi_run {
  struct nhi_store *store;
  const struct nhi_plugin *plugin;
  const struct nhi_source_spec *source;  /* collectors only */
  const char *params_json;  /* effective params (defaults + overrides) */
  const char *now;          /* the assessment clock, ISO-8601 UTC */
  const char *home;         /* install root (plugins/data/...), or NULL */
  time_t now_unix;
  int in_plugin_sql;        /* the authorizer applies while set */
  long long findings;       /* findings written by this run */
  char *account;            /* account an importer found, malloc'd */
  const char *out_dir;      /* collectors: where ctx:save_raw writes */
  cJSON *gaps;              /* ctx:coverage_gap entries, owned */
  int error_logged;         /* the failure was already logged */
  /* Where the runs of one stage keep the AWS policy engine they share
   * (built by the first that asks; the stage frees it), so that each
   * principal is read once per stage; NULL: the run's own. */
  struct nhi_aws_engine **aws_engine;
};

/* Pushes the nhi module table: log, json, time, http, aws, xml,
 * version. */
void nhi_api_push(lua_State *L);

/* Pushes the ctx table for run; the run must outlive the Lua call.
 * Raises Lua errors only on allocation failure. */
void nhi_api_push_ctx(lua_State *L, struct nhi_run *run);

/* Installs (run != NULL) or removes the SQL authorizer that keeps plugin
 * SQL away from ATTACH, PRAGMA, transactions and host-owned tables. */
void nhi_api_guard_sql(struct nhi_store *store, struct nhi_run *run);



/* Internal pieces of ctx, one file each. */
void nhi_api_push_db(lua_State *L, struct nhi_run *run, int writable);
void nhi_api_push_evidence(lua_State *L, struct nhi_run *run);
void nhi_api_push_aws(lua_State *L, struct nhi_run *run);

/* Pushes the JSON text of the value at idx as a Lua string; raises a Lua
 * error for values JSON cannot hold. Leaks nothing when it raises. */
void nhi_api_push_json_text(lua_State *L, int idx);
#endif
