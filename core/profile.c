/* The assessment profile: a Lua file of data a consultant sets once per
 * client, run in the sandbox with no API. */
#include "runtime.h"
#include "lua_json.h"
#include "sandbox.h"
#include "pdf_layout.h"
#include "report_template.h"
#include "strutil.h"
#include "ai_paths.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

static const char *const known_settings[] = {
  "client", "prepared_by", "lang", "framework", "now", "sources", "params",
  "disable", "sensitivity", "known_accounts",
  "sensitivity_tags", "paths", NULL
};

/* Settings go through JSON text so numbers come back as plain cJSON
 * numbers. */
static int to_json_protected(lua_State *L)
{
  cJSON **out = lua_touserdata(L, 2);
  char *text = nhi_lua_json_encode(L, 1);

  *out = cJSON_Parse(text);
  free(text);
  if (!*out)
    return luaL_error(L, "cannot convert the settings");
  return 0;
}

/* Runs the profile with assignments captured in a settings table, and
 * returns that table as JSON. */
static enum nhi_rc run_profile(const char *path, cJSON **out)
{
  struct nhi_sandbox_limits limits = { 64u << 20, 100000000ULL };
  struct nhi_sandbox *sb = NULL;
  enum nhi_rc rc;
  lua_State *L;

  *out = NULL;
  rc = nhi_sandbox_new(&limits, path, &sb);
  if (rc)
    return rc;
  L = sb->L;
  lua_newtable(L);                        /* settings */
  nhi_sandbox_push_env(sb, 0, 0);
  lua_createtable(L, 0, 2);
  lua_pushvalue(L, -3);
  lua_setfield(L, -2, "__index");
  lua_pushvalue(L, -3);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, -2);
  rc = nhi_sandbox_load(sb, path);
  if (!rc)
    rc = nhi_sandbox_call(sb, 0, 0);
  if (!rc) {
    lua_pushcfunction(L, to_json_protected);
    lua_pushvalue(L, 1);
    lua_pushlightuserdata(L, out);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK)
      nhi_sandbox_set_error(sb, "%s", lua_tostring(L, -1));
    rc = *out ? NHI_OK : NHI_ERR_USAGE;
  }
  if (rc)
    nhi_error("cannot read profile '%s': %s", path,
              sb->error ? sb->error : "cannot run it");
  nhi_sandbox_free(sb);
  return rc ? NHI_ERR_USAGE : NHI_OK;
}

static int bad(const char *path, const char *key, const char *want)
{
  nhi_error("profile '%s': setting '%s' must be %s", path, key, want);
  return 0;
}

static int take_string(const char *path, const cJSON *obj, const char *key,
                       char **dst)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

  if (!v)
    return 1;
  if (!cJSON_IsString(v))
    return bad(path, key, "a string");
  free(*dst);
  *dst = strdup(v->valuestring);
  return *dst != NULL;
}

static int take_list(const char *path, const cJSON *obj, const char *key,
                     struct nhi_strings *dst)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key), *item;

  if (!v)
    return 1;
  if (!cJSON_IsArray(v) && !(cJSON_IsObject(v) && !v->child))
    return bad(path, key, "a list of strings");
  cJSON_ArrayForEach(item, v) {
    if (!cJSON_IsString(item))
      return bad(path, key, "a list of strings");
    if (nhi_strings_add(dst, item->valuestring, 1))
      return 0;
  }
  return 1;
}

static const char *const prepared_by_keys[] = {
  "name", "company", "logo", "colours", NULL
};

/* colours = { accent = "#RRGGBB", cover = "#RRGGBB" } */
static int take_colours(struct nhi_profile *p, const cJSON *by)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(by, "colours"), *c;
  struct nhi_pdf_rgb rgb;

  if (!v)
    return 1;
  if (!cJSON_IsObject(v))
    return bad(p->path, "prepared_by.colours", "a table of accent and "
               "cover colours, each \"#RRGGBB\"");
  cJSON_ArrayForEach(c, v) {
    if (!nhi_template_brand_colour(c->string)) {
      nhi_error("profile '%s': unknown colour 'prepared_by.colours.%s' "
                "(known: accent, cover)", p->path, c->string);
      return 0;
    }
    if (!cJSON_IsString(c) || !nhi_pdf_rgb_parse(c->valuestring, &rgb) ||
        c->valuestring[0] != '#')
      return bad(p->path, "prepared_by.colours", "a table of colours "
                 "written \"#RRGGBB\"");
  }
  cJSON_Delete(p->brand_colours);
  p->brand_colours = cJSON_Duplicate(v, 1);
  return p->brand_colours != NULL;
}

/* The logo, as a path from the profile's folder, must be an image the
 * report can place: found now, before anything is collected. */
static int take_logo(struct nhi_profile *p, const cJSON *by)
{
  char *given = NULL, *path, *origin;
  int ok;

  if (!take_string(p->path, by, "logo", &given))
    return 0;
  if (!given)
    return 1;
  path = given[0] == '/' ? strdup(given)
                         : nhi_aprintf("%s/%s", p->dir, given);
  origin = nhi_aprintf("profile '%s'", p->path);
  ok = path && origin &&
       nhi_template_check_logo(path, given, origin) == NHI_OK;
  free(origin);
  free(given);
  free(p->logo);
  p->logo = ok ? path : NULL;
  if (!ok)
    free(path);
  return ok;
}

static int check_prepared_by_keys(const struct nhi_profile *p,
                                  const cJSON *by)
{
  const cJSON *item;

  cJSON_ArrayForEach(item, by)
    if (nhi_vocab_index(prepared_by_keys, item->string) < 0) {
      nhi_error("profile '%s': unknown setting 'prepared_by.%s' (known: "
                "name, company, logo, colours)", p->path, item->string);
      return 0;
    }
  return 1;
}

static int take_prepared_by(struct nhi_profile *p, const cJSON *settings)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(settings,
                                                    "prepared_by");

  if (!v || cJSON_IsString(v))
    return take_string(p->path, settings, "prepared_by", &p->prepared_by);
  if (!cJSON_IsObject(v))
    return bad(p->path, "prepared_by", "a string or { name = ..., "
               "company = ..., logo = ..., colours = { ... } }");
  return check_prepared_by_keys(p, v) &&
         take_string(p->path, v, "name", &p->prepared_by) &&
         take_string(p->path, v, "company", &p->company) &&
         take_colours(p, v) && take_logo(p, v);
}

static const char *const levels[] = {
  "public", "internal", "confidential", "restricted", NULL
};

/* params = { [check] = { param = value } }, sensitivity = { glob = level } */
static int take_tables(struct nhi_profile *p, cJSON *settings)
{
  cJSON *params = cJSON_DetachItemFromObject(settings, "params");
  cJSON *labels = cJSON_DetachItemFromObject(settings, "sensitivity");
  const cJSON *item;

  p->params = params;
  p->sensitivity = labels;
  if (params && !cJSON_IsObject(params))
    return bad(p->path, "params", "a table of check id = { param = value }");
  cJSON_ArrayForEach(item, params)
    if (!cJSON_IsObject(item))
      return bad(p->path, "params", "a table of check id = { param = "
                 "value }");
  if (labels && !cJSON_IsObject(labels))
    return bad(p->path, "sensitivity", "a table of ARN pattern = level");
  cJSON_ArrayForEach(item, labels)
    if (!cJSON_IsString(item) ||
        nhi_vocab_index(levels, item->valuestring) < 0)
      return bad(p->path, "sensitivity", "a table of ARN pattern = "
                 "public, internal, confidential or restricted");
  return 1;
}

/* sensitivity_tags = { [tag key] = { [tag value or "*"] = level } } */
static int take_tag_map(struct nhi_profile *p, cJSON *settings)
{
  static const char want[] = "a table of tag key = { tag value = level }";
  cJSON *map = cJSON_DetachItemFromObject(settings, "sensitivity_tags");
  const cJSON *key, *value;

  cJSON_Delete(p->sensitivity_tags);
  p->sensitivity_tags = map;
  if (map && !cJSON_IsObject(map))
    return bad(p->path, "sensitivity_tags", want);
  cJSON_ArrayForEach(key, map) {
    if (!cJSON_IsObject(key))
      return bad(p->path, "sensitivity_tags", want);
    cJSON_ArrayForEach(value, key)
      if (!cJSON_IsString(value) ||
          nhi_vocab_index(levels, value->valuestring) < 0)
        return bad(p->path, "sensitivity_tags", "a table of tag key = { "
                   "tag value = public, internal, confidential or "
                   "restricted }");
  }
  return 1;
}

/* paths = { max_hops = N }: the most steps of an AI agent's path. */
static int take_paths(struct nhi_profile *p, const cJSON *settings)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(settings, "paths");
  const cJSON *hops = cJSON_GetObjectItemCaseSensitive(v, "max_hops");
  const cJSON *item, *obj = cJSON_IsObject(v) ? v : NULL;

  if (!v)
    return 1;
  cJSON_ArrayForEach(item, obj)
    if (strcmp(item->string, "max_hops") != 0)
      return bad(p->path, "paths", "{ max_hops = N }");
  if (!cJSON_IsObject(v) || (hops && (!cJSON_IsNumber(hops) ||
      hops->valuedouble != (int)hops->valuedouble ||
      hops->valueint < 2 || hops->valueint > NHI_AI_PATHS_HOPS_LIMIT)))
    return bad(p->path, "paths", "{ max_hops = N }, N a whole number from "
               "2 to 16");
  p->max_hops = hops ? hops->valueint : 0;
  return 1;
}

int nhi_profile_take_derive(struct nhi_profile *p, cJSON *settings)
{
  return take_tables(p, settings) && take_tag_map(p, settings) &&
         take_paths(p, settings);
}

static int check_known(const char *path, const cJSON *settings)
{
  const cJSON *item;

  if (!cJSON_IsObject(settings))
    return 0;
  cJSON_ArrayForEach(item, settings)
    if (nhi_vocab_index(known_settings, item->string) < 0) {
      nhi_error("profile '%s': unknown setting '%s'", path, item->string);
      return 0;
    }
  return 1;
}

enum nhi_rc nhi_profile_load(struct nhi_runtime *rt, const char *path)
{
  struct nhi_profile *p = &rt->profile;
  cJSON *settings = NULL;
  char *copy = NULL;
  enum nhi_rc rc;
  int ok;

  rc = run_profile(path, &settings);
  if (rc)
    return rc;
  p->path = realpath(path, NULL);
  copy = p->path ? strdup(p->path) : NULL;
  p->dir = copy ? strdup(dirname(copy)) : NULL;
  free(copy);
  ok = p->dir && check_known(path, settings) &&
       take_string(path, settings, "client", &p->client) &&
       take_prepared_by(p, settings) &&
       take_string(path, settings, "lang", &p->lang) &&
       take_string(path, settings, "framework", &p->framework) &&
       take_string(path, settings, "now", &p->now) &&
       take_list(path, settings, "sources", &p->sources) &&
       take_list(path, settings, "disable", &p->disable) &&
       take_list(path, settings, "known_accounts", &p->known_accounts) &&
       nhi_profile_take_derive(p, settings);
  cJSON_Delete(settings);
  return ok ? NHI_OK : NHI_ERR_USAGE;
}

void nhi_profile_clear(struct nhi_profile *p)
{
  char **strings[] = { &p->path, &p->dir, &p->client, &p->prepared_by,
                       &p->company, &p->logo, &p->lang, &p->framework,
                       &p->now };

  for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
    free(*strings[i]);
  nhi_strings_free(&p->sources, 1);
  nhi_strings_free(&p->disable, 1);
  nhi_strings_free(&p->known_accounts, 1);
  cJSON_Delete(p->params);
  cJSON_Delete(p->sensitivity);
  cJSON_Delete(p->sensitivity_tags);
  cJSON_Delete(p->brand_colours);
  memset(p, 0, sizeof *p);
}
