/* Plugin params: defaults from metadata, overridden by the profile's
 * params table and then by --set, each checked against the defaults. */
#include "runtime.h"

#include <stdlib.h>
#include <string.h>

/* Checks that value may replace the default of id.name; logs why not. */
static int fits(const struct nhi_plugin *p, const char *name,
                const cJSON *value, const char *from)
{
  cJSON *defaults = cJSON_Parse(p->params_json);
  const cJSON *def = cJSON_GetObjectItemCaseSensitive(defaults, name);
  int ok = 0;

  if (!def)
    nhi_error("%s: plugin '%s' has no param '%s' (its params: %s)", from,
              p->id, name, p->params_json);
  else if (cJSON_IsNumber(def) ? !cJSON_IsNumber(value)
           : cJSON_IsBool(def) ? !cJSON_IsBool(value)
           : !cJSON_IsString(value))
    nhi_error("%s: param '%s.%s' must be a %s", from, p->id, name,
              cJSON_IsNumber(def) ? "number"
              : cJSON_IsBool(def) ? "boolean" : "string");
  else
    ok = 1;
  cJSON_Delete(defaults);
  return ok;
}

static cJSON *override_slot(cJSON *overrides, const char *id)
{
  cJSON *slot = cJSON_GetObjectItemCaseSensitive(overrides, id);

  if (!slot)
    slot = cJSON_AddObjectToObject(overrides, id);
  return slot;
}

static int set_override(struct nhi_runtime *rt, const struct nhi_plugin *p,
                        const char *name, const cJSON *value,
                        const char *from)
{
  cJSON *slot, *copy;

  if (!fits(p, name, value, from))
    return 0;
  slot = override_slot(rt->overrides, p->id);
  copy = cJSON_Duplicate(value, 1);
  if (!slot || !copy) {
    cJSON_Delete(copy);
    return 0;
  }
  cJSON_DeleteItemFromObjectCaseSensitive(slot, name);
  cJSON_AddItemToObject(slot, name, copy);
  return 1;
}

static int apply_profile(struct nhi_runtime *rt)
{
  const cJSON *check, *param;
  const struct nhi_plugin *p;

  cJSON_ArrayForEach(check, rt->profile.params) {
    p = nhi_plugin_find(&rt->plugins, check->string);
    if (!p) {
      nhi_error("profile '%s': params for unknown plugin '%s'",
                rt->profile.path, check->string);
      return 0;
    }
    cJSON_ArrayForEach(param, check)
      if (!set_override(rt, p, param->string, param, "profile"))
        return 0;
  }
  return 1;
}

/* Parses VALUE after the type of the default it replaces. */
static cJSON *parse_value(const cJSON *def, const char *text)
{
  char *end;
  double d;

  if (cJSON_IsNumber(def)) {
    d = strtod(text, &end);
    return *text && !*end ? cJSON_CreateNumber(d) : cJSON_CreateNull();
  }
  if (cJSON_IsBool(def)) {
    if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)
      return cJSON_CreateBool(strcmp(text, "true") == 0);
    return cJSON_CreateNull();
  }
  return cJSON_CreateString(text);
}

/* --set ID.PARAM=VALUE; the id may itself hold dots. */
static int apply_set(struct nhi_runtime *rt, const char *arg)
{
  const char *eq = strchr(arg, '='), *dot = NULL;
  const struct nhi_plugin *p;
  cJSON *defaults, *value;
  char *id = NULL, *name = NULL;
  int ok = 0;

  for (const char *c = arg; eq && c < eq; c++)
    if (*c == '.')
      dot = c;
  if (!eq || !dot || dot == arg || dot + 1 == eq) {
    nhi_error("--set '%s': expected CHECK_ID.PARAM=VALUE", arg);
    return 0;
  }
  id = strndup(arg, (size_t)(dot - arg));
  name = strndup(dot + 1, (size_t)(eq - dot - 1));
  p = id ? nhi_plugin_find(&rt->plugins, id) : NULL;
  if (!p) {
    nhi_error("--set '%s': no plugin '%s'", arg, id ? id : "");
    goto out;
  }
  defaults = cJSON_Parse(p->params_json);
  value = parse_value(cJSON_GetObjectItemCaseSensitive(defaults, name),
                      eq + 1);
  cJSON_Delete(defaults);
  ok = value && set_override(rt, p, name, value, "--set");
  cJSON_Delete(value);
out:
  free(id);
  free(name);
  return ok;
}

enum nhi_rc nhi_params_resolve(struct nhi_runtime *rt)
{
  rt->overrides = cJSON_CreateObject();
  if (!rt->overrides || !apply_profile(rt))
    return NHI_ERR_USAGE;
  for (size_t i = 0; i < rt->opt.sets.count; i++)
    if (!apply_set(rt, rt->opt.sets.items[i]))
      return NHI_ERR_USAGE;
  return NHI_OK;
}

char *nhi_params_effective(const struct nhi_runtime *rt,
                           const struct nhi_plugin *p)
{
  cJSON *params = cJSON_Parse(p->params_json);
  const cJSON *slot = cJSON_GetObjectItemCaseSensitive(rt->overrides,
                                                       p->id);
  const cJSON *item;
  char *json;

  if (!params)
    return NULL;
  cJSON_ArrayForEach(item, slot)
    cJSON_ReplaceItemInObjectCaseSensitive(params, item->string,
                                           cJSON_Duplicate(item, 1));
  json = cJSON_PrintUnformatted(params);
  cJSON_Delete(params);
  return json;
}
