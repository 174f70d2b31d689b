/* nhiscope test: runs check plugins over fixture evidence and compares
 * their findings with the findings each case expects. */
#include "cli.h"
#include "json.h"
#include "lua_json.h"
#include "run.h"
#include "strutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

/* Evidence tables in the order cases may write them: identities first,
 * so that later rows can name an identity by its native id. */
static const char *const case_tables[][2] = {
  { "identities", "identity" }, { "policies", "policy" },
  { "credentials", "credential" }, { "grants", "grant" },
  { "resources", "resource" }, { "edges", "edge" },
  { "activity", "activity" }, { "ai_agents", "ai_agent" },
  { "secrets", "secret" },
};

struct tally {
  int passed, failed;
};

static int write_rows_protected(lua_State *L)
{
  const cJSON *evidence = lua_touserdata(L, 1);
  struct nhi_run *run = lua_touserdata(L, 2);
  const cJSON *rows, *row;

  nhi_api_push_evidence(L, run);
  for (size_t t = 0; t < sizeof case_tables / sizeof case_tables[0]; t++) {
    rows = cJSON_GetObjectItemCaseSensitive(evidence, case_tables[t][0]);
    cJSON_ArrayForEach(row, rows) {
      lua_getfield(L, 3, case_tables[t][1]);
      lua_pushvalue(L, 3);
      nhi_lua_json_push(L, row);
      lua_call(L, 2, 0);
    }
  }
  return 0;
}

/* Writes the case's evidence through the same writers collectors use. */
static enum nhi_rc write_evidence(struct nhi_runtime *rt, const cJSON *ev,
                                  char **err)
{
  struct nhi_sandbox *sb = NULL;
  struct nhi_run run = { .store = rt->store };
  const cJSON *item;
  enum nhi_rc rc;

  cJSON_ArrayForEach(item, ev) {
    size_t t, n = sizeof case_tables / sizeof case_tables[0];

    for (t = 0; t < n && strcmp(case_tables[t][0], item->string); t++)
      ;
    if (t == n) {
      *err = strdup("unknown evidence table in the case");
      return NHI_ERR_INPUT;
    }
  }
  rc = nhi_sandbox_new(&rt->penv.limits, "test evidence", &sb);
  if (rc)
    return rc;
  lua_pushcfunction(sb->L, write_rows_protected);
  lua_pushlightuserdata(sb->L, (void *)ev);
  lua_pushlightuserdata(sb->L, &run);
  if (lua_pcall(sb->L, 2, 0, 0) != LUA_OK) {
    *err = strdup(lua_tostring(sb->L, -1));
    rc = NHI_ERR_INPUT;
  }
  nhi_sandbox_free(sb);
  return rc;
}

static const char actual_sql[] =
  "SELECT identity_ref AS identity, resource_ref AS resource, severity,"
  " status, confidence, category, title FROM findings ORDER BY id";

/* True when every field of want equals that field of the row. */
static int row_matches(sqlite3_stmt *st, const cJSON *want)
{
  const cJSON *field;

  cJSON_ArrayForEach(field, want) {
    int i, n = sqlite3_column_count(st);
    const char *have = NULL;

    for (i = 0; i < n && strcmp(sqlite3_column_name(st, i), field->string);
         i++)
      ;
    if (i == n || !cJSON_IsString(field))
      return 0;
    have = (const char *)sqlite3_column_text(st, i);
    if (!have || strcmp(have, field->valuestring) != 0)
      return 0;
  }
  return 1;
}

/* Matches expected findings to actual ones, one to one. */
static int compare(struct nhi_store *s, const cJSON *expect, char **why)
{
  int n = cJSON_GetArraySize(expect), actual = 0, matched = 0;
  char *used = calloc((size_t)n + 1, 1);
  char msg[512];
  sqlite3_stmt *st = NULL;

  if (!used || sqlite3_prepare_v2(s->db, actual_sql, -1, &st, NULL)) {
    free(used);
    *why = strdup("cannot read the findings");
    return 0;
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    int k;

    actual++;
    for (k = 0; k < n && (used[k] ||
                          !row_matches(st, cJSON_GetArrayItem(expect, k)));
         k++)
      ;
    if (k < n) {
      used[k] = 1;
      matched++;
    } else if (!*why) {
      snprintf(msg, sizeof msg, "unexpected finding on '%s' (%s)",
               sqlite3_column_text(st, 0) ? (const char *)
               sqlite3_column_text(st, 0) : "no identity",
               (const char *)sqlite3_column_text(st, 6));
      *why = strdup(msg);
    }
  }
  sqlite3_finalize(st);
  for (int k = 0; k < n && !*why; k++)
    if (!used[k]) {
      char *want = cJSON_PrintUnformatted(cJSON_GetArrayItem(expect, k));

      snprintf(msg, sizeof msg, "expected finding not produced: %s",
               want ? want : "?");
      free(want);
      *why = strdup(msg);
    }
  free(used);
  return matched == n && actual == n;
}

/* Case params replace the plugin's defaults; unknown names are errors. */
static int case_overrides(struct nhi_runtime *rt, const struct nhi_plugin *p,
                          const cJSON *params, char **why)
{
  cJSON *defaults = cJSON_Parse(p->params_json);
  const cJSON *item;
  int ok = 1;

  cJSON_ArrayForEach(item, params)
    if (!cJSON_GetObjectItemCaseSensitive(defaults, item->string)) {
      *why = strdup("the case sets a param the plugin does not have");
      ok = 0;
    }
  cJSON_Delete(defaults);
  rt->overrides = cJSON_CreateObject();
  if (ok && rt->overrides && params)
    cJSON_AddItemToObject(rt->overrides, p->id, cJSON_Duplicate(params, 1));
  return ok && rt->overrides;
}

/* "meta": assessment settings a check may read (known_accounts...);
 * strings are stored as they are, anything else as JSON text. */
static int write_meta(struct nhi_store *s, const cJSON *meta)
{
  const cJSON *item;
  char *text;
  int ok = 1;

  cJSON_ArrayForEach(item, meta) {
    text = cJSON_IsString(item) ? strdup(item->valuestring)
                                : cJSON_PrintUnformatted(item);
    ok = ok && text && nhi_store_meta_set(s, item->string, text) == NHI_OK;
    free(text);
  }
  return ok;
}

/* "derive": true runs what collection derives after its sources (the
 * profile's labels, tags, names, data access edges, AI paths) over the
 * case's evidence, with "profile" holding the profile settings those
 * read (sensitivity, sensitivity_tags, paths). */
static int derive(struct nhi_runtime *rt, const struct nhi_runtime *base,
                  const cJSON *c, char **why)
{
  const cJSON *profile = cJSON_GetObjectItemCaseSensitive(c, "profile");
  cJSON *settings = NULL;
  int ok = 1;

  if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "derive")))
    return !profile || (*why = strdup("the case's 'profile' is read only "
                                      "with \"derive\": true")) == NULL;
  rt->home = base->home;
  rt->profile.path = strdup("the case's profile");
  if (profile) {
    settings = cJSON_Duplicate(profile, 1);
    ok = rt->profile.path && settings &&
         nhi_profile_take_derive(&rt->profile, settings);
  }
  cJSON_Delete(settings);
  if (ok && (nhi_stage_derive(rt) != NHI_OK || rt->failures))
    ok = 0;
  if (!ok)
    *why = strdup("the derivations failed over the case's evidence");
  return ok;
}

/* Runs one case file; returns 1 when it passes, with *why otherwise. */
static int run_case(const struct nhi_runtime *base,
                    const struct nhi_plugin *p, const cJSON *c, char **why)
{
  struct nhi_runtime rt = { .penv = base->penv };
  const cJSON *now = cJSON_GetObjectItemCaseSensitive(c, "now");
  struct nhi_run run = { .plugin = p };
  struct nhi_run_outcome out = { 0 };
  int ok = 0;

  rt.opt.now = cJSON_IsString(now) ? now->valuestring
                                    : "2026-01-01T00:00:00Z";
  if (nhi_runtime_set_clock(&rt) ||
      !case_overrides(&rt, p, cJSON_GetObjectItemCaseSensitive(c, "params"),
                      why) ||
      nhi_store_open(":memory:", &rt.store) ||
      !write_meta(rt.store, cJSON_GetObjectItemCaseSensitive(c, "meta")))
    goto out;
  if (write_evidence(&rt, cJSON_GetObjectItemCaseSensitive(c, "evidence"),
                     why) || !derive(&rt, base, c, why))
    goto out;
  if (nhi_run_plugin(&rt, &run, &out) != NHI_OK) {
    *why = out.error ? strdup(out.error) : strdup("the check failed");
    goto out;
  }
  ok = compare(rt.store, cJSON_GetObjectItemCaseSensitive(c, "expect"),
               why);
out:
  if (!ok && !*why)
    *why = strdup("cannot set up the case");
  nhi_run_outcome_clear(&out);
  nhi_store_close(rt.store);
  cJSON_Delete(rt.overrides);
  rt.home = NULL;
  nhi_profile_clear(&rt.profile);
  return ok;
}

static void report(struct tally *t, int ok, const char *id,
                   const char *name, const char *why)
{
  if (ok) {
    t->passed++;
    printf("ok     %s/%s\n", id, name);
  } else {
    t->failed++;
    printf("FAIL   %s/%s: %s\n", id, name, why ? why : "failed");
  }
}

static void run_case_file(const struct nhi_runtime *rt,
                          const struct nhi_plugin *p, const char *dir,
                          const char *name, struct tally *t, int seen[2])
{
  char *path = nhi_aprintf("%s/%s", dir, name);
  cJSON *c = NULL, *expect;
  char *why = NULL;
  int ok = 0;

  if (!path) {
    why = strdup("out of memory");
  } else if (nhi_json_read_file(path, &c) != NHI_OK) {
    why = strdup(nhi_log_last_error());
  } else {
    expect = cJSON_GetObjectItemCaseSensitive(c, "expect");
    if (!cJSON_IsArray(expect))
      why = strdup("the case needs an 'expect' list (empty when the check "
                   "must stay quiet)");
    else {
      seen[cJSON_GetArraySize(expect) > 0] = 1;
      ok = run_case(rt, p, c, &why);
    }
  }
  report(t, ok, p->id, name, why);
  free(why);
  free(path);
  cJSON_Delete(c);
}

static int is_case(const struct dirent *d)
{
  size_t n = strlen(d->d_name);

  return n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

/* Runs the cases in dir (if it exists); seen[0]/[1] note quiet/firing. */
static void run_dir(const struct nhi_runtime *rt, const struct nhi_plugin *p,
                    const char *dir, struct tally *t, int seen[2])
{
  struct dirent **names = NULL;
  int n = scandir(dir, &names, is_case, alphasort);

  for (int i = 0; i < n; i++) {
    run_case_file(rt, p, dir, names[i]->d_name, t, seen);
    free(names[i]);
  }
  free(names);
}

static void test_plugin(const struct nhi_runtime *rt, const char *root,
                        const struct nhi_plugin *p, struct tally *t)
{
  char *dirs[2] = { nhi_aprintf("%s/tests/plugins/%s", rt->home, p->id),
                    nhi_aprintf("%s/tests/%s", root, p->id) };
  int seen[2] = { 0, 0 };

  for (int i = 0; i < 2; i++) {
    if (dirs[i])
      run_dir(rt, p, dirs[i], t, seen);
    free(dirs[i]);
  }
  if (!seen[1])
    report(t, 0, p->id, "(cases)", "no case where the check fires");
  if (!seen[0])
    report(t, 0, p->id, "(cases)", "no case where the check must stay "
           "quiet");
}

int nhi_cmd_test(struct nhi_runtime *rt)
{
  struct tally t = { 0, 0 };

  if (!rt->opt.args.count) {
    nhi_cli_help("test");
    return 2;
  }
  if (nhi_runtime_load_plugins(rt) != NHI_OK)
    return 2;
  for (size_t i = 0; i < rt->opt.args.count; i++) {
    const char *root = rt->opt.args.items[i];
    const char *const dirs[] = { root, NULL };
    struct nhi_plugin_set set = { 0 };

    if (nhi_plugin_discover(dirs, &rt->penv, &set) != NHI_OK)
      return 2;
    for (size_t k = 0; k < set.nfailures; k++)
      report(&t, 0, set.failures[k].path, "(load)", set.failures[k].error);
    for (size_t k = 0; k < set.count; k++)
      if (set.items[k].kind == NHI_PLUGIN_CHECK)
        test_plugin(rt, root, &set.items[k], &t);
    nhi_plugin_set_free(&set);
  }
  printf("%d passed, %d failed\n", t.passed, t.failed);
  return t.failed ? 1 : 0;
}
