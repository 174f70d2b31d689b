/* nhiscope plugins list [--json] | info ID: the plugin catalogue, from
 * the metadata each plugin declares. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *list_json(char **items, size_t n)
{
  cJSON *arr = cJSON_CreateArray();

  for (size_t i = 0; arr && i < n; i++)
    cJSON_AddItemToArray(arr, cJSON_CreateString(items[i]));
  return arr;
}

static void add_string(cJSON *obj, const char *key, const char *value)
{
  if (value)
    cJSON_AddStringToObject(obj, key, value);
}

static cJSON *plugin_json(const struct nhi_plugin *p)
{
  cJSON *o = cJSON_CreateObject();
  int check = p->kind == NHI_PLUGIN_CHECK;

  if (!o)
    return NULL;
  add_string(o, "id", p->id);
  add_string(o, "kind", check ? "check" : "collector");
  add_string(o, "path", p->path);
  add_string(o, "description", p->description);
  add_string(o, "source", p->source);
  add_string(o, "question", p->question);
  add_string(o, "category", p->category);
  add_string(o, "owasp", p->owasp);
  add_string(o, "severity", p->severity);
  add_string(o, "effort", p->effort);
  add_string(o, "title", p->title);
  add_string(o, "remediation", p->remediation);
  if (check)
    cJSON_AddItemToObject(o, "requires", list_json(p->requires,
                                                   p->nrequires));
  else
    cJSON_AddItemToObject(o, "provides", list_json(p->provides,
                                                   p->nprovides));
  cJSON_AddItemToObject(o, "params", cJSON_Parse(p->params_json));
  return o;
}

static int print_json(const struct nhi_plugin_set *set)
{
  cJSON *arr = cJSON_CreateArray();
  char *text;

  for (size_t i = 0; arr && i < set->count; i++)
    cJSON_AddItemToArray(arr, plugin_json(&set->items[i]));
  text = arr ? cJSON_Print(arr) : NULL;
  cJSON_Delete(arr);
  if (!text)
    return 0;
  puts(text);
  free(text);
  return 1;
}

static void print_table(const struct nhi_plugin_set *set)
{
  printf("%-40s %-9s %-20s %-8s %s\n", "ID", "KIND", "QUESTION/SOURCE",
         "SEVERITY", "TITLE");
  for (size_t i = 0; i < set->count; i++) {
    const struct nhi_plugin *p = &set->items[i];
    int check = p->kind == NHI_PLUGIN_CHECK;

    printf("%-40s %-9s %-20s %-8s %s\n", p->id,
           check ? "check" : "collector", check ? p->question : p->source,
           check ? p->severity : "-",
           check ? p->title : (p->description ? p->description : ""));
  }
}

static int print_info(const struct nhi_plugin_set *set, const char *id)
{
  const struct nhi_plugin *p = nhi_plugin_find(set, id);
  cJSON *o;
  char *text;

  if (!p) {
    nhi_error("plugins info: no plugin '%s' (see nhiscope plugins list)",
              id);
    return 0;
  }
  o = plugin_json(p);
  text = o ? cJSON_Print(o) : NULL;
  cJSON_Delete(o);
  if (text)
    puts(text);
  free(text);
  return text != NULL;
}

int nhi_cmd_plugins(struct nhi_runtime *rt)
{
  const char *sub = rt->opt.args.count ? rt->opt.args.items[0] : NULL;
  int ok;

  if (sub && !strcmp(sub, "new") && rt->opt.args.count == 2)
    return nhi_cmd_plugins_new(rt, rt->opt.args.items[1]);
  if (!sub || (strcmp(sub, "list") && strcmp(sub, "info")) ||
      (!strcmp(sub, "info") && rt->opt.args.count != 2)) {
    nhi_cli_help("plugins");
    return 2;
  }
  if (nhi_runtime_load_plugins(rt) != NHI_OK)
    return 2;
  if (!strcmp(sub, "info"))
    ok = print_info(&rt->plugins, rt->opt.args.items[1]);
  else if (rt->opt.json)
    ok = print_json(&rt->plugins);
  else
    ok = (print_table(&rt->plugins), 1);
  if (!ok)
    return 2;
  return rt->plugins.nfailures ? 1 : 0;
}
