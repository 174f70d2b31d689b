/* The assess, collect, check and report commands: shared set-up, then
 * the stages each one runs. */
#include "ai_paths.h"
#include "cli.h"
#include "strutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int nhi_exit_status(const struct nhi_runtime *rt, enum nhi_rc rc)
{
  if (rc == NHI_ERR_USAGE || rc == NHI_ERR_INPUT)
    return 2;
  if (rc || rt->failures)
    return 1;
  return 0;
}

static enum nhi_rc need_out_dir(const struct nhi_runtime *rt,
                                const char *cmd)
{
  if (rt->opt.out_dir)
    return NHI_OK;
  nhi_error("%s: -o DIR is required (see nhiscope %s --help)", cmd, cmd);
  return NHI_ERR_USAGE;
}

/* --profile, or with --demo the bundled demo company's profile. */
static enum nhi_rc load_profile(struct nhi_runtime *rt, const char *path)
{
  char *demo = NULL;
  enum nhi_rc rc;

  if (!path && rt->opt.demo) {
    demo = nhi_aprintf("%s/demo/northwind/profile.lua", rt->home);
    if (!demo)
      return NHI_ERR_NOMEM;
    path = demo;
  }
  rc = path ? nhi_profile_load(rt, path) : NHI_OK;
  free(demo);
  return rc;
}

static char *strings_json(const struct nhi_strings *list)
{
  cJSON *arr = cJSON_CreateArray();
  char *json;

  for (size_t i = 0; arr && i < list->count; i++)
    cJSON_AddItemToArray(arr, cJSON_CreateString(list->items[i]));
  json = arr ? cJSON_PrintUnformatted(arr) : NULL;
  cJSON_Delete(arr);
  return json;
}

/* The profile's branding, recorded anew whenever a profile was read:
 * what it no longer sets is removed, so the report shows the profile
 * as it is now. */
static enum nhi_rc record_branding(struct nhi_runtime *rt)
{
  struct nhi_profile *p = &rt->profile;
  char *colours = NULL;
  enum nhi_rc rc;

  if (!p->path)
    return NHI_OK;
  if (p->brand_colours &&
      !(colours = cJSON_PrintUnformatted(p->brand_colours)))
    return NHI_ERR_NOMEM;
  rc = nhi_store_meta_set(rt->store, "prepared_by", p->prepared_by);
  if (!rc)
    rc = nhi_store_meta_set(rt->store, "company", p->company);
  if (!rc)
    rc = nhi_store_meta_set(rt->store, "logo", p->logo);
  if (!rc)
    rc = nhi_store_meta_set(rt->store, "brand_colours", colours);
  free(colours);
  return rc;
}

/* Records the assessment's settings, so later stages and the report
 * state them. */
static enum nhi_rc record_meta(struct nhi_runtime *rt)
{
  struct nhi_profile *p = &rt->profile;
  const char *lang = rt->opt.lang ? rt->opt.lang : p->lang;
  char *json[5] = {
    cJSON_PrintUnformatted(rt->overrides), strings_json(&p->disable),
    p->sensitivity ? cJSON_PrintUnformatted(p->sensitivity) : NULL,
    strings_json(&p->known_accounts),
    p->sensitivity_tags ? cJSON_PrintUnformatted(p->sensitivity_tags)
                        : NULL
  };
  char hops[16];
  const char *kv[][2] = {
    { "client", p->client }, { "lang", lang ? lang : "en" },
    { "framework", p->framework ? p->framework : "default" },
    { "now", rt->now }, { "profile", p->path },
    { "overrides", json[0] }, { "disabled", json[1] },
    { "sensitivity", json[2] }, { "known_accounts", json[3] },
    { "sensitivity_tags", json[4] }, { "max_hops", hops },
  };
  enum nhi_rc rc = NHI_OK;

  snprintf(hops, sizeof hops, "%d",
           p->max_hops ? p->max_hops : NHI_AI_PATHS_MAX_HOPS);
  for (size_t i = 0; i < sizeof kv / sizeof kv[0] && !rc; i++)
    if (kv[i][1])
      rc = nhi_store_meta_set(rt->store, kv[i][0], kv[i][1]);
  for (size_t i = 0; i < 5; i++)
    free(json[i]);
  return rc ? rc : record_branding(rt);
}

/* Profile for a stage run alone: --profile, else the one the store
 * recorded, if it is still there. */
static enum nhi_rc reuse_profile(struct nhi_runtime *rt)
{
  char *recorded = NULL;
  enum nhi_rc rc;

  if (rt->opt.profile || rt->opt.demo)
    return load_profile(rt, rt->opt.profile);
  recorded = nhi_store_meta_get(rt->store, "profile");
  rc = recorded && access(recorded, R_OK) == 0
         ? nhi_profile_load(rt, recorded) : NHI_OK;
  free(recorded);
  return rc;
}

/* The clock of a stage run alone: --now, the profile's, the store's. */
static enum nhi_rc reuse_clock(struct nhi_runtime *rt)
{
  char *recorded = NULL;
  enum nhi_rc rc;

  if (rt->opt.now || rt->profile.now)
    return nhi_runtime_set_clock(rt);
  recorded = nhi_store_meta_get(rt->store, "now");
  rt->opt.now = recorded;
  rc = nhi_runtime_set_clock(rt);
  rt->opt.now = NULL;
  free(recorded);
  return rc;
}

static enum nhi_rc load_plugins(struct nhi_runtime *rt)
{
  enum nhi_rc rc = nhi_runtime_load_plugins(rt);

  return rc ? rc : nhi_params_resolve(rt);
}

/* Set-up of assess: everything that can be wrong with the command line
 * is found before an earlier assessment's store is replaced. */
static enum nhi_rc set_up_fresh(struct nhi_runtime *rt)
{
  enum nhi_rc rc = need_out_dir(rt, "assess");

  if (!rc)
    rc = load_profile(rt, rt->opt.profile);
  if (!rc)
    rc = nhi_runtime_set_clock(rt);
  if (!rc)
    rc = load_plugins(rt);
  if (!rc)
    rc = nhi_stage_collect_validate(rt);
  if (!rc)
    rc = nhi_stage_report_baseline(rt);
  if (!rc)
    rc = nhi_stage_report_check_template(rt);
  if (!rc)
    rc = nhi_runtime_open_store(rt, 1);
  if (!rc)
    rc = record_meta(rt);
  return rc;
}

/* Set-up of a stage run alone, on the store an earlier stage left. */
static enum nhi_rc set_up(struct nhi_runtime *rt, const char *cmd,
                          int plugins)
{
  enum nhi_rc rc = need_out_dir(rt, cmd);

  if (!rc)
    rc = nhi_runtime_open_store(rt, 0);
  if (!rc)
    rc = reuse_profile(rt);
  if (!rc)
    rc = reuse_clock(rt);
  if (!rc && plugins)
    rc = load_plugins(rt);
  if (!rc && plugins)
    rc = record_meta(rt);
  else if (!rc)
    rc = record_branding(rt);
  return rc;
}

int nhi_cmd_assess(struct nhi_runtime *rt)
{
  enum nhi_rc rc = set_up_fresh(rt);

  if (!rc)
    rc = nhi_stage_collect(rt);
  if (!rc)
    rc = nhi_stage_check(rt);
  if (!rc)
    rc = nhi_stage_report(rt);
  return nhi_exit_status(rt, rc);
}

int nhi_cmd_collect(struct nhi_runtime *rt)
{
  enum nhi_rc rc = set_up(rt, "collect", 1);

  if (!rc)
    rc = nhi_stage_collect(rt);
  return nhi_exit_status(rt, rc);
}

int nhi_cmd_check(struct nhi_runtime *rt)
{
  enum nhi_rc rc = set_up(rt, "check", 1);

  if (!rc)
    rc = nhi_stage_check(rt);
  return nhi_exit_status(rt, rc);
}

int nhi_cmd_report(struct nhi_runtime *rt)
{
  enum nhi_rc rc = nhi_stage_report_check_template(rt);

  if (!rc)
    rc = set_up(rt, "report", 0);
  if (!rc && rt->opt.lang)
    rc = nhi_store_meta_set(rt->store, "lang", rt->opt.lang);
  if (!rc)
    rc = nhi_stage_report(rt);
  return nhi_exit_status(rt, rc);
}
