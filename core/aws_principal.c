/* IAM users and roles in an export: their shared fields, their identity
 * row, and whether a person or a machine is behind them. */
#include "aws_principal.h"

#include "aws_arn.h"
#include "aws_policy.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const owner_tag_keys[] = {
  "owner", "team", "owning-team", "contact", NULL
};
static const char *const type_tag_keys[] = {
  "type", "identity-type", "identitytype", "usage", NULL
};
static const char *const machine_tag_values[] = {
  "service", "machine", "bot", "automation", "workload", "system", NULL
};
static const char *const human_tag_values[] = {
  "human", "person", "employee", "user", NULL
};
static const char *const machine_path_words[] = {
  "service", "system", "machine", "automation", "bot", NULL
};
static const char *const machine_prefixes[] = {
  "svc-", "svc_", "svc.", "service-", "sa-", "bot-", "app-", "ci-", "cd-",
  "deploy", "automation", "terraform", "jenkins", "github", "gitlab", NULL
};
static const char *const machine_suffixes[] = {
  "-bot", "-svc", "-sa", "-ci", "-service", "-automation", "-deployer",
  "-integration", NULL
};

static int in_list_nocase(const char *s, const char *const *list)
{
  for (size_t i = 0; list[i]; i++)
    if (strcasecmp(s, list[i]) == 0)
      return 1;
  return 0;
}

/* Builds tags {Key: Value} from Tags and picks the owner among them. */
static enum nhi_rc read_tags(struct nhi_where *w, const cJSON *item,
                             struct nhi_aws_principal *p)
{
  const char *key, *value;
  const cJSON *e;
  cJSON *list;
  enum nhi_rc rc;

  rc = nhi_field_node(w, item, "Tags", 0, &list);
  if (rc)
    return rc;
  w->sub = "Tags";
  w->subindex = 0;
  cJSON_ArrayForEach(e, list) {
    if (!cJSON_IsObject(e))
      rc = nhi_where_fail(w, "expected an object");
    if (!rc)
      rc = nhi_field_string(w, e, "Key", 1, &key);
    if (!rc)
      rc = nhi_field_string(w, e, "Value", 0, &value);
    if (rc)
      return rc;
    if (!cJSON_AddStringToObject(p->tags, key, value ? value : ""))
      return nhi_where_oom(w);
    if (!p->owner && value && *value && in_list_nocase(key, owner_tag_keys))
      p->owner = value;
    w->subindex++;
  }
  w->sub = NULL;
  return NHI_OK;
}

/* attrs.permissions_boundary: the boundary's ARN, when there is one. */
static enum nhi_rc read_boundary(const struct nhi_where *w,
                                 const cJSON *item, cJSON *attrs)
{
  const char *arn = NULL;
  cJSON *pb;
  enum nhi_rc rc;

  rc = nhi_field_node(w, item, "PermissionsBoundary", 1, &pb);
  if (!rc && pb)
    rc = nhi_field_string(w, pb, "PermissionsBoundaryArn", 0, &arn);
  if (!rc && arn &&
      !cJSON_AddStringToObject(attrs, "permissions_boundary", arn))
    rc = nhi_where_oom(w);
  return rc;
}

enum nhi_rc nhi_aws_attached_read(struct nhi_where *w, const cJSON *list,
                                  cJSON *arns)
{
  const char *arn;
  const cJSON *e;
  enum nhi_rc rc = NHI_OK;

  w->sub = "AttachedManagedPolicies";
  w->subindex = 0;
  cJSON_ArrayForEach(e, list) {
    if (!cJSON_IsObject(e))
      rc = nhi_where_fail(w, "expected an object");
    if (!rc)
      rc = nhi_field_string(w, e, "PolicyArn", 1, &arn);
    if (rc)
      return rc;
    if (arns && !nhi_field_add_unique(arns, arn))
      return nhi_where_oom(w);
    w->subindex++;
  }
  w->sub = NULL;
  return NHI_OK;
}

/* The plain fields: name, ARN, path, id, creation date. */
static enum nhi_rc read_fields(struct nhi_where *w, const cJSON *item,
                               const char *const keys[3],
                               struct nhi_aws_principal *p, const char **id)
{
  enum nhi_rc rc;

  rc = nhi_field_string(w, item, keys[0], 1, &p->name);
  w->name = p->name;
  if (!rc)
    rc = nhi_field_string(w, item, "Arn", 1, &p->arn);
  if (!rc)
    rc = nhi_field_string(w, item, "Path", 0, &p->path);
  if (!rc)
    rc = nhi_field_string(w, item, keys[1], 0, id);
  if (!rc)
    rc = nhi_field_time(w, item, "CreateDate", p->created);
  if (!rc)
    rc = nhi_field_node(w, item, "AttachedManagedPolicies", 0,
                        &p->attached);
  if (!rc)
    rc = nhi_field_node(w, item, keys[2], 0, &p->inline_list);
  if (!rc && nhi_aws_arn_account(p->arn, &p->account))
    rc = nhi_where_oom(w);
  return rc;
}

enum nhi_rc nhi_aws_principal_read(struct nhi_where *w, cJSON *item,
                                   const char *const keys[3],
                                   struct nhi_aws_principal *p)
{
  const char *id = NULL;
  cJSON *arns;
  enum nhi_rc rc;

  memset(p, 0, sizeof *p);
  rc = read_fields(w, item, keys, p, &id);
  if (rc)
    return rc;
  p->tags = cJSON_CreateObject();
  p->attrs = cJSON_CreateObject();
  if (!p->tags || !p->attrs ||
      (p->path && !cJSON_AddStringToObject(p->attrs, "path", p->path)) ||
      (id && !cJSON_AddStringToObject(p->attrs, "id", id)) ||
      !(arns = cJSON_AddArrayToObject(p->attrs, "attached_policies")))
    return nhi_where_oom(w);
  rc = read_tags(w, item, p);
  if (!rc)
    rc = read_boundary(w, item, p->attrs);
  if (!rc)
    rc = nhi_aws_attached_read(w, p->attached, arns);
  if (!rc)
    rc = nhi_aws_policy_read_inline(w, keys[2], p->inline_list);
  return rc;
}

/* attrs.instance_profiles: the names in InstanceProfileList. */
static enum nhi_rc read_profiles(struct nhi_where *w, const cJSON *item,
                                 cJSON *attrs)
{
  const char *name;
  cJSON *list, *names;
  const cJSON *e;
  enum nhi_rc rc;

  rc = nhi_field_node(w, item, "InstanceProfileList", 0, &list);
  if (rc)
    return rc;
  names = cJSON_AddArrayToObject(attrs, "instance_profiles");
  if (!names)
    return nhi_where_oom(w);
  w->sub = "InstanceProfileList";
  w->subindex = 0;
  cJSON_ArrayForEach(e, list) {
    if (!cJSON_IsObject(e))
      rc = nhi_where_fail(w, "expected an object");
    if (!rc)
      rc = nhi_field_string(w, e, "InstanceProfileName", 1, &name);
    if (rc)
      return rc;
    if (!cJSON_AddItemToArray(names, cJSON_CreateString(name)))
      return nhi_where_oom(w);
    w->subindex++;
  }
  w->sub = NULL;
  return NHI_OK;
}

enum nhi_rc nhi_aws_role_read(struct nhi_where *w, const cJSON *item,
                              struct nhi_aws_principal *p)
{
  const char *region = NULL;
  cJSON *used;
  enum nhi_rc rc;
  int linked;

  rc = read_profiles(w, item, p->attrs);
  if (!rc)
    rc = nhi_field_node(w, item, "RoleLastUsed", 1, &used);
  if (!rc && used)
    rc = nhi_field_time(w, used, "LastUsedDate", p->last_used);
  if (!rc && used)
    rc = nhi_field_string(w, used, "Region", 0, &region);
  if (rc)
    return rc;
  linked = p->path && strncmp(p->path, "/aws-service-role/", 18) == 0;
  if ((region && !cJSON_AddStringToObject(p->attrs, "last_used_region",
                                          region)) ||
      !cJSON_AddBoolToObject(p->attrs, "service_linked", linked))
    return nhi_where_oom(w);
  return NHI_OK;
}

int nhi_aws_role_is_sso(const struct nhi_aws_principal *p)
{
  static const char sso_path[] = "/aws-reserved/sso.amazonaws.com/";

  return (p->path && strncmp(p->path, sso_path, sizeof sso_path - 1) == 0) ||
         strncmp(p->name, "AWSReservedSSO_", 15) == 0;
}

/* Case-insensitive: does hay contain needle? */
static int contains_nocase(const char *hay, const char *needle)
{
  size_t n = strlen(needle);

  for (; *hay; hay++)
    if (strncasecmp(hay, needle, n) == 0)
      return 1;
  return 0;
}

static int ends_with_nocase(const char *s, const char *suffix)
{
  size_t ls = strlen(s), lx = strlen(suffix);

  return ls >= lx && strcasecmp(s + ls - lx, suffix) == 0;
}

/* A type tag's verdict: 1 machine, 0 person, -1 none; *tag is the tag
 * that decided. */
static int tag_signal(const struct nhi_aws_principal *p, const cJSON **tag)
{
  for (const cJSON *t = p->tags->child; t; t = t->next) {
    if (!in_list_nocase(t->string, type_tag_keys))
      continue;
    *tag = t;
    if (in_list_nocase(t->valuestring, machine_tag_values))
      return 1;
    if (in_list_nocase(t->valuestring, human_tag_values))
      return 0;
  }
  return -1;
}

/* The entry of list that s contains (or, with at < 0, starts with; with
 * at > 0, ends with), or NULL. */
static const char *match(const char *s, const char *const *list, int at)
{
  size_t n;

  for (size_t i = 0; list[i]; i++) {
    n = strlen(list[i]);
    if ((at == 0 && contains_nocase(s, list[i])) ||
        (at < 0 && strncasecmp(s, list[i], n) == 0) ||
        (at > 0 && ends_with_nocase(s, list[i])))
      return list[i];
  }
  return NULL;
}

/* Why the path or name marks a machine user (malloc'd), or NULL. When
 * memory runs out *oom is set. */
static char *naming_signal(const struct nhi_aws_principal *p, int *oom)
{
  const char *hit, *what;
  char *why;

  if (p->path && (hit = match(p->path, machine_path_words, 0)) != NULL)
    what = "path contains";
  else if ((hit = match(p->name, machine_prefixes, -1)) != NULL)
    what = "name starts with";
  else if ((hit = match(p->name, machine_suffixes, 1)) != NULL)
    what = "name ends with";
  else
    return NULL;
  why = nhi_str_printf("%s '%s'", what, hit);
  *oom = why == NULL;
  return why;
}

enum nhi_rc nhi_aws_user_classify(const struct nhi_where *w,
                                  struct nhi_aws_principal *p, int *machine)
{
  const cJSON *tag = NULL;
  int verdict = tag_signal(p, &tag), oom = 0;
  char *why = NULL;

  if (verdict >= 0)
    why = nhi_str_printf("tag %s=%s", tag->string, tag->valuestring);
  else if ((why = naming_signal(p, &oom)) != NULL)
    verdict = 1;
  else if (!oom)
    why = strdup("no machine tag, path or name");
  *machine = verdict == 1;
  if (!why || !cJSON_AddStringToObject(p->attrs, *machine ?
                                       "machine_signal" : "human_signal",
                                       why)) {
    free(why);
    return nhi_where_oom(w);
  }
  free(why);
  return NHI_OK;
}

enum nhi_rc nhi_aws_principal_write(const struct nhi_where *w,
                                    struct nhi_store *s,
                                    struct nhi_aws_principal *p,
                                    const char *kind, int is_human)
{
  char *tags = cJSON_PrintUnformatted(p->tags);
  char *attrs = cJSON_PrintUnformatted(p->attrs);
  enum nhi_rc rc;
  struct nhi_row r;

  if (!tags || !attrs) {
    rc = nhi_where_oom(w);
    goto out;
  }
  nhi_row_start(&r, NHI_T_IDENTITY);
  nhi_row_text(&r, "provider", "aws");
  nhi_row_text(&r, "account", p->account);
  nhi_row_text(&r, "native_id", p->arn);
  nhi_row_text(&r, "name", p->name);
  nhi_row_text(&r, "kind", kind);
  nhi_row_int(&r, "is_human", is_human);
  nhi_row_text(&r, "owner", p->owner);
  nhi_row_text(&r, "created_at", p->created[0] ? p->created : NULL);
  nhi_row_text(&r, "last_used_at", p->last_used[0] ? p->last_used : NULL);
  nhi_row_text(&r, "usage_tracked_since", p->tracked_since);
  nhi_row_text(&r, "tags", tags);
  nhi_row_text(&r, "attrs", attrs);
  rc = nhi_row_put(s, &r, &p->row);
  if (rc == NHI_ERR_NOMEM)
    rc = nhi_where_oom(w);
out:
  cJSON_free(tags);
  cJSON_free(attrs);
  return rc;
}

void nhi_aws_principal_free(struct nhi_aws_principal *p)
{
  cJSON_Delete(p->tags);
  cJSON_Delete(p->attrs);
  free(p->account);
  p->tags = p->attrs = NULL;
  p->account = NULL;
}
