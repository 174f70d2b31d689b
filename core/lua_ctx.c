/* The ctx a plugin's run(ctx) receives: clock, params, source, db,
 * evidence writers and importers (collectors), findings (checks). */
#include "lua_api.h"
#include "importers.h"
#include "lua_http.h"
#include "lua_json.h"
#include "lua_scan.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

static struct nhi_run *run_of(lua_State *L)
{
  return lua_touserdata(L, lua_upvalueindex(1));
}

/* Reads an optional string field of the table at idx; raises on type. */
static const char *opt_field(lua_State *L, int idx, const char *field,
                             const char *const *vocab)
{
  const char *s;

  lua_getfield(L, idx, field);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return NULL;
  }
  if (lua_type(L, -1) != LUA_TSTRING)
    luaL_error(L, "ctx:finding: field '%s' must be a string", field);
  s = lua_tostring(L, -1);
  if (vocab && nhi_vocab_index(vocab, s) < 0)
    luaL_error(L, "ctx:finding: field '%s' has an unknown value '%s'",
               field, s);
  lua_pop(L, 1);  /* the table still anchors the string */
  return s;
}

/* Pushes the JSON text of field, or nil when absent. */
static const char *json_field(lua_State *L, int idx, const char *field)
{
  lua_getfield(L, idx, field);
  if (lua_isnil(L, -1))
    return NULL;
  nhi_api_push_json_text(L, -1);
  lua_remove(L, -2);
  return lua_tostring(L, -1);
}

static void check_finding_fields(lua_State *L)
{
  static const char *const fields[] = {
    "identity", "resource", "title", "evidence", "confidence", "status",
    "severity", "threshold", "location", "secret_type", NULL
  };

  lua_pushnil(L);
  while (lua_next(L, 2)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING ||
        nhi_vocab_index(fields, lua_tostring(L, -1)) < 0)
      luaL_error(L, "ctx:finding: unknown field '%s'",
                 luaL_tolstring(L, -1, NULL));
  }
}

static const char *const statuses[] = { "fail", "indeterminate", NULL };
static const char *const confidences[] = { "high", "medium", "low", NULL };

static const char insert_finding_sql[] =
  "INSERT INTO findings(check_id, question, category, owasp, severity,"
  " status, confidence, identity_ref, resource_ref, title, evidence,"
  " threshold, remediation, effort, location, secret_type)"
  " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static void bind_texts(sqlite3_stmt *st, const char *const *v, int n)
{
  for (int i = 0; i < n; i++)
    sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_TRANSIENT);
}

/* location = {path = "...", line = N}: where a found secret is. */
static const char *location_field(lua_State *L)
{
  int t = lua_getfield(L, 2, "location");

  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    return NULL;
  }
  if (t != LUA_TTABLE || lua_getfield(L, -1, "path") != LUA_TSTRING ||
      lua_getfield(L, -2, "line") > LUA_TNUMBER || (!lua_isnil(L, -1) &&
                                                    !lua_isinteger(L, -1)))
    luaL_error(L, "ctx:finding: field 'location' must be "
               "{path = string, line = integer}");
  lua_pop(L, 3);
  return json_field(L, 2, "location");
}

/* ctx:finding{identity=, resource=, evidence=, confidence=, status=,
 * severity=, title=, threshold=, location=, secret_type=} */
static int l_finding(lua_State *L)
{
  struct nhi_run *run = run_of(L);
  const struct nhi_plugin *p = run->plugin;
  const char *v[16];
  sqlite3_stmt *st = NULL;
  int ok;

  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  check_finding_fields(L);
  v[0] = p->id;
  v[1] = p->question;
  v[2] = p->category;
  v[3] = p->owasp;
  v[4] = opt_field(L, 2, "severity", nhi_severities);
  v[4] = v[4] ? v[4] : p->severity;
  v[5] = opt_field(L, 2, "status", statuses);
  v[5] = v[5] ? v[5] : "fail";
  v[6] = opt_field(L, 2, "confidence", confidences);
  v[6] = v[6] ? v[6] : "high";
  v[7] = opt_field(L, 2, "identity", NULL);
  v[8] = opt_field(L, 2, "resource", NULL);
  v[9] = opt_field(L, 2, "title", NULL);
  v[9] = v[9] ? v[9] : lua_tostring(L, lua_upvalueindex(2));
  v[10] = json_field(L, 2, "evidence");
  v[11] = json_field(L, 2, "threshold");
  v[11] = v[11] ? v[11] : run->params_json;
  v[12] = p->remediation;
  v[13] = p->effort;
  v[14] = location_field(L);
  v[15] = opt_field(L, 2, "secret_type", NULL);
  if (v[11] && strcmp(v[11], "{}") == 0)
    v[11] = NULL;
  if (sqlite3_prepare_v2(run->store->db, insert_finding_sql, -1, &st, NULL))
    return luaL_error(L, "ctx:finding: %s",
                      sqlite3_errmsg(run->store->db));
  bind_texts(st, v, 16);
  ok = sqlite3_step(st) == SQLITE_DONE;
  if (!ok)
    lua_pushstring(L, sqlite3_errmsg(run->store->db));
  sqlite3_finalize(st);
  if (!ok)
    return luaL_error(L, "ctx:finding: %s", lua_tostring(L, -1));
  run->findings++;
  return 0;
}

static void push_stats(lua_State *L, const struct nhi_import_stats *st)
{
  const struct { const char *name; long long n; } counts[] = {
    { "identities", st->identities }, { "credentials", st->credentials },
    { "policies", st->policies }, { "grants", st->grants },
    { "edges", st->edges }, { "resources", st->resources },
    { "activity", st->activity }, { "records", st->records },
    { "files", st->files },
  };

  lua_createtable(L, 0, 12);
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
    lua_pushinteger(L, counts[i].n);
    lua_setfield(L, -2, counts[i].name);
  }
  lua_pushboolean(L, st->truncated);
  lua_setfield(L, -2, "truncated");
  if (st->account[0]) {
    lua_pushstring(L, st->account);
    lua_setfield(L, -2, "account");
  }
}

/* ctx:import(name, path) -> stats; runs one of the C importers. A failure
 * raises the importer's message (already logged once). */
static int l_import(lua_State *L)
{
  struct nhi_run *run = run_of(L);
  const char *name = luaL_checkstring(L, 2);
  const char *path = luaL_checkstring(L, 3);
  nhi_importer_fn import = nhi_importer_find(name);
  struct nhi_import_stats st;

  if (!import)
    return luaL_error(L, "ctx:import: no importer named '%s'", name);
  memset(&st, 0, sizeof st);
  if (import(run->store, path, run->now_unix, &st) != NHI_OK) {
    /* Raised without a position: the message names the file already. */
    run->error_logged = 1;
    lua_pushstring(L, nhi_log_last_error());
    return lua_error(L);
  }
  if (st.account[0] && !run->account)
    run->account = strdup(st.account);
  push_stats(L, &st);
  return 1;
}

/* Copies s into buf as one line: each run of whitespace (newlines from
 * a multi-line error included) becomes a single space; truncates. */
static void one_line(const char *s, char *buf, size_t size)
{
  size_t n = 0;
  int space = 0;

  for (; *s && n + 1 < size; s++) {
    if (isspace((unsigned char)*s)) {
      space = n > 0;
      continue;
    }
    if (space && n + 2 < size)
      buf[n++] = ' ';
    space = 0;
    buf[n++] = *s;
  }
  buf[n] = '\0';
}

/* ctx:coverage_gap(call, reason): something the collector could not see
 * (a denied call); logged, and kept with the source as {call, reason}. */
static int l_coverage_gap(lua_State *L)
{
  struct nhi_run *run = run_of(L);
  const char *call = luaL_checkstring(L, 2);
  char reason[512];
  cJSON *gap;

  one_line(luaL_checkstring(L, 3), reason, sizeof reason);
  nhi_logp(NHI_LOG_WARN, run->plugin->id, "coverage gap: %s: %.300s", call,
           reason);
  if (!run->gaps && !(run->gaps = cJSON_CreateArray()))
    return luaL_error(L, "ctx:coverage_gap: out of memory");
  gap = cJSON_CreateObject();
  if (!gap || !cJSON_AddStringToObject(gap, "call", call) ||
      !cJSON_AddStringToObject(gap, "reason", reason)) {
    cJSON_Delete(gap);
    return luaL_error(L, "ctx:coverage_gap: out of memory");
  }
  cJSON_AddItemToArray(run->gaps, gap);
  return 0;
}

/* Pushes template with each {name} replaced by that param's value;
 * unknown names stay as written. */
static void push_title(lua_State *L, const char *template, int params)
{
  luaL_Buffer b;
  const char *p = template, *open, *close;

  luaL_buffinit(L, &b);
  while ((open = strchr(p, '{')) && (close = strchr(open, '}'))) {
    luaL_addlstring(&b, p, (size_t)(open - p));
    lua_pushlstring(L, open + 1, (size_t)(close - open - 1));
    if (lua_rawget(L, params) != LUA_TNIL) {
      luaL_tolstring(L, -1, NULL);
      lua_remove(L, -2);
      luaL_addvalue(&b);
    } else {
      lua_pop(L, 1);
      luaL_addlstring(&b, open, (size_t)(close - open + 1));
    }
    p = close + 1;
  }
  luaL_addstring(&b, p);
  luaL_pushresult(&b);
}

/* Decodes params with nhi.json.decode itself, so that nothing leaks if
 * the memory cap raises midway. */
static void push_params(lua_State *L, const char *json)
{
  nhi_lua_json_push_module(L);
  lua_getfield(L, -1, "decode");
  lua_pushstring(L, json ? json : "{}");
  lua_call(L, 1, 1);
  lua_remove(L, -2);
  if (!lua_istable(L, -1))
    luaL_error(L, "cannot decode the plugin's params");
}

static void push_source(lua_State *L, const struct nhi_source_spec *s)
{
  lua_createtable(L, 0, 4);
  lua_pushstring(L, s->spec);
  lua_setfield(L, -2, "spec");
  lua_pushstring(L, s->provider);
  lua_setfield(L, -2, "provider");
  lua_pushstring(L, s->kind);
  lua_setfield(L, -2, "kind");
  if (s->location) {
    lua_pushstring(L, s->location);
    lua_setfield(L, -2, "location");
  }
}

static void set_closure(lua_State *L, struct nhi_run *run,
                        lua_CFunction fn, const char *name)
{
  lua_pushlightuserdata(L, run);
  lua_pushcclosure(L, fn, 1);
  lua_setfield(L, -2, name);
}

void nhi_api_push_ctx(lua_State *L, struct nhi_run *run)
{
  const struct nhi_plugin *p = run->plugin;
  int collector = p->kind == NHI_PLUGIN_COLLECTOR;

  lua_createtable(L, 0, 8);
  lua_pushstring(L, p->id);
  lua_setfield(L, -2, "plugin");
  lua_pushstring(L, run->now);
  lua_setfield(L, -2, "now");
  push_params(L, run->params_json);
  lua_setfield(L, -2, "params");
  nhi_api_push_db(L, run, collector);
  lua_setfield(L, -2, "db");
  if (collector) {
    push_source(L, run->source);
    lua_setfield(L, -2, "source");
    nhi_api_push_evidence(L, run);
    lua_setfield(L, -2, "evidence");
    set_closure(L, run, l_import, "import");
    set_closure(L, run, nhi_lua_ctx_save_raw, "save_raw");
    set_closure(L, run, l_coverage_gap, "coverage_gap");
    set_closure(L, run, nhi_lua_ctx_scan_files, "scan_files");
    set_closure(L, run, nhi_lua_ctx_scan_git, "scan_git");
    return;
  }
  nhi_api_push_aws(L, run);
  lua_setfield(L, -2, "aws");
  lua_pushlightuserdata(L, run);
  lua_getfield(L, -2, "params");
  push_title(L, p->title, lua_gettop(L));
  lua_remove(L, -2);
  lua_pushcclosure(L, l_finding, 2);
  lua_setfield(L, -2, "finding");
}
