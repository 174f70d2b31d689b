/* Imports the AWS IAM get-account-authorization-details (GAAD) export. */
#include "importers.h"

#include "aws_grants.h"
#include "aws_policy.h"
#include "aws_principal.h"
#include "import_util.h"
#include "json.h"
#include "timeutil.h"

#include <stdlib.h>
#include <string.h>

/* RoleLastUsed looks back this many days from the assessment clock. */
#define USAGE_WINDOW_DAYS 400

/* A managed policy of Policies and its default document (NULL when the
 * export holds no default version). */
struct policy_ref {
  const char *arn;
  const cJSON *doc;
};

/* A group of GroupDetailList, found by name for its members. */
struct group_ref {
  const char *name;
  const char *arn;
  const cJSON *item;
};

struct importer {
  struct nhi_store *s;
  const char *path;
  struct nhi_import_stats *stats;
  char tracked_since[NHI_TIME_SIZE];
  struct policy_ref *policies;      /* sorted by arn */
  size_t npolicies;
  struct group_ref *groups;         /* sorted by name */
  size_t ngroups;
  struct nhi_aws_resources resources;
};

static enum nhi_rc oom(const struct importer *im)
{
  nhi_error("cannot read '%s': out of memory", im->path);
  return NHI_ERR_NOMEM;
}

/* Logs what helpers that log nothing on NHI_ERR_NOMEM left unsaid. */
static enum nhi_rc said(const struct importer *im, enum nhi_rc rc)
{
  return rc == NHI_ERR_NOMEM ? oom(im) : rc;
}

static int by_policy_arn(const void *a, const void *b)
{
  return strcmp(((const struct policy_ref *)a)->arn,
                ((const struct policy_ref *)b)->arn);
}

static int by_group_name(const void *a, const void *b)
{
  return strcmp(((const struct group_ref *)a)->name,
                ((const struct group_ref *)b)->name);
}

/* The default document of managed policy arn, or NULL when the export
 * does not hold it (filtered with --filter, or no default version). */
static const cJSON *find_policy(const struct importer *im, const char *arn)
{
  struct policy_ref key = { arn, NULL }, *ref = NULL;

  if (im->npolicies)
    ref = bsearch(&key, im->policies, im->npolicies, sizeof key,
                  by_policy_arn);
  return ref ? ref->doc : NULL;
}

static const struct group_ref *find_group(const struct importer *im,
                                          const char *name)
{
  struct group_ref key = { name, NULL, NULL };

  if (!im->ngroups)
    return NULL;
  return bsearch(&key, im->groups, im->ngroups, sizeof key, by_group_name);
}

/* Writes one policy row; doc and attrs may be NULL. */
static enum nhi_rc write_policy(struct importer *im, const char *native_id,
                                const char *name, const char *kind,
                                const cJSON *doc, const cJSON *attrs)
{
  char *doc_text = doc ? cJSON_PrintUnformatted(doc) : NULL;
  char *attrs_text = attrs ? cJSON_PrintUnformatted(attrs) : NULL;
  enum nhi_rc rc;
  struct nhi_row r;

  if ((doc && !doc_text) || (attrs && !attrs_text)) {
    rc = oom(im);
    goto out;
  }
  nhi_row_start(&r, NHI_T_POLICY);
  nhi_row_text(&r, "provider", "aws");
  nhi_row_text(&r, "native_id", native_id);
  nhi_row_text(&r, "name", name);
  nhi_row_text(&r, "kind", kind);
  nhi_row_text(&r, "document", doc_text);
  nhi_row_text(&r, "attrs", attrs_text);
  rc = said(im, nhi_row_put(im->s, &r, NULL));
  if (!rc)
    im->stats->policies++;
out:
  cJSON_free(doc_text);
  cJSON_free(attrs_text);
  return rc;
}

/* Writes a role's trust policy and the edges its Allow statements give. */
static enum nhi_rc write_trust(struct importer *im, const char *role_arn,
                               const cJSON *doc)
{
  char *id = nhi_str_join(role_arn, "#", "trust");
  enum nhi_rc rc;

  if (!id)
    return oom(im);
  rc = write_policy(im, id, "trust", "trust", doc, NULL);
  free(id);
  if (!rc)
    rc = said(im, nhi_aws_trust_write(im->s, role_arn, doc,
                                      &im->stats->edges));
  return rc;
}

/* Grants of doc to g->identity. */
static enum nhi_rc write_grants(struct importer *im,
                                const struct nhi_aws_grant_src *g,
                                const cJSON *doc)
{
  return said(im, nhi_aws_grants_write(im->s, g, doc, &im->stats->grants));
}

/* Writes the inline policies of a loaded list as policy rows named
 * "<owner_arn>#<PolicyName>"; with g, writes their statements as grants
 * instead (g->policy is set per policy). */
static enum nhi_rc write_inline(struct importer *im, const char *owner_arn,
                                const cJSON *list,
                                struct nhi_aws_grant_src *g)
{
  const cJSON *e, *doc;
  const char *name;
  char *id;
  enum nhi_rc rc = NHI_OK;

  cJSON_ArrayForEach(e, list) {
    name = nhi_field_get(e, "PolicyName")->valuestring;
    doc = nhi_field_get(e, "PolicyDocument");
    id = nhi_str_join(owner_arn, "#", name);
    if (!id)
      return oom(im);
    if (g) {
      g->policy = id;
      rc = write_grants(im, g, doc);
    } else {
      rc = write_policy(im, id, name, "inline", doc, NULL);
      if (!rc)
        rc = said(im, nhi_aws_resources_add(&im->resources, doc));
    }
    free(id);
    if (rc)
      return rc;
  }
  return NHI_OK;
}

/* Grants of each attached managed policy the export holds. */
static enum nhi_rc grant_attached(struct importer *im,
                                  struct nhi_aws_grant_src *g,
                                  const cJSON *list)
{
  const cJSON *e, *doc;
  enum nhi_rc rc = NHI_OK;

  cJSON_ArrayForEach(e, list) {
    g->policy = nhi_field_get(e, "PolicyArn")->valuestring;
    doc = find_policy(im, g->policy);
    if (doc)
      rc = write_grants(im, g, doc);
    if (rc)
      return rc;
  }
  return NHI_OK;
}

/* Adds to unresolved the ARNs of a checked AttachedManagedPolicies list
 * whose documents the export lacks. */
static enum nhi_rc note_unresolved(const struct importer *im,
                                   const cJSON *attached, cJSON *unresolved)
{
  const char *arn;
  const cJSON *e;

  cJSON_ArrayForEach(e, attached) {
    arn = nhi_field_get(e, "PolicyArn")->valuestring;
    if (!find_policy(im, arn) && !nhi_field_add_unique(unresolved, arn))
      return oom(im);
  }
  return NHI_OK;
}

/* Writes p's identity row, with attrs.unresolved_policies: the managed
 * policies attached to it, or to the groups named in groups (may be
 * NULL), that the export lacks. */
static enum nhi_rc write_identity(struct importer *im,
                                  const struct nhi_where *w,
                                  struct nhi_aws_principal *p,
                                  const cJSON *groups, const char *kind,
                                  int is_human)
{
  const struct group_ref *g;
  const cJSON *e;
  cJSON *unresolved;
  enum nhi_rc rc;

  unresolved = cJSON_AddArrayToObject(p->attrs, "unresolved_policies");
  if (!unresolved)
    return oom(im);
  rc = note_unresolved(im, p->attached, unresolved);
  for (e = groups ? groups->child : NULL; e && !rc; e = e->next)
    if ((g = find_group(im, e->valuestring)) != NULL)
      rc = note_unresolved(im, nhi_field_get(g->item,
                                             "AttachedManagedPolicies"),
                           unresolved);
  if (!rc)
    rc = nhi_aws_principal_write(w, im->s, p, kind, is_human);
  if (rc)
    return rc;
  im->stats->identities++;
  if (!im->stats->account[0] && p->account &&
      strlen(p->account) < sizeof im->stats->account)
    strcpy(im->stats->account, p->account);
  return NHI_OK;
}

/* Writes an identity's inline policies, and its grants from them and
 * from the managed policies attached to it directly. */
static enum nhi_rc write_own_grants(struct importer *im,
                                    const struct nhi_aws_principal *p)
{
  struct nhi_aws_grant_src g = { p->row, "inline", NULL };
  enum nhi_rc rc;

  rc = write_inline(im, p->arn, p->inline_list, NULL);
  if (!rc)
    rc = write_inline(im, p->arn, p->inline_list, &g);
  g.via = "managed";
  if (!rc)
    rc = grant_attached(im, &g, p->attached);
  return rc;
}

static enum nhi_rc import_role(struct importer *im, struct nhi_where *w,
                               cJSON *item)
{
  static const char *const keys[3] = {
    "RoleName", "RoleId", "RolePolicyList"
  };
  struct nhi_aws_principal p;
  cJSON *trust = NULL;
  enum nhi_rc rc;

  rc = nhi_aws_principal_read(w, item, keys, &p);
  p.tracked_since = im->tracked_since;
  if (!rc)
    rc = nhi_aws_role_read(w, item, &p);
  if (!rc)
    rc = nhi_aws_policy_read(w, item, "AssumeRolePolicyDocument", &trust);
  if (!rc)
    rc = write_identity(im, w, &p, NULL, "role", nhi_aws_role_is_sso(&p));
  if (!rc)
    rc = write_own_grants(im, &p);
  if (!rc)
    rc = write_trust(im, p.arn, trust);
  nhi_aws_principal_free(&p);
  return rc;
}

/* Checks GroupList and records it in attrs.groups, and the groups the
 * export lacks in attrs.unresolved_groups; *names gets attrs.groups. */
static enum nhi_rc read_user_groups(const struct importer *im,
                                    struct nhi_where *w, const cJSON *item,
                                    struct nhi_aws_principal *p,
                                    const cJSON **names)
{
  cJSON *groups, *known, *missing;
  const cJSON *e;
  enum nhi_rc rc;

  rc = nhi_field_node(w, item, "GroupList", 0, &groups);
  if (rc)
    return rc;
  known = cJSON_AddArrayToObject(p->attrs, "groups");
  missing = cJSON_AddArrayToObject(p->attrs, "unresolved_groups");
  if (!known || !missing)
    return oom(im);
  w->sub = "GroupList";
  w->subindex = 0;
  cJSON_ArrayForEach(e, groups) {
    if (!cJSON_IsString(e))
      return nhi_where_fail(w, "expected a string");
    if (!nhi_field_add_unique(known, e->valuestring) ||
        (!find_group(im, e->valuestring) &&
         !nhi_field_add_unique(missing, e->valuestring)))
      return oom(im);
    w->subindex++;
  }
  w->sub = NULL;
  *names = known;
  return NHI_OK;
}

static enum nhi_rc write_membership(struct importer *im,
                                    const char *user_arn,
                                    const char *group_arn)
{
  enum nhi_rc rc;
  struct nhi_row r;

  nhi_row_start(&r, NHI_T_EDGE);
  nhi_row_text(&r, "kind", "member_of");
  nhi_row_text(&r, "from_type", "identity");
  nhi_row_text(&r, "from_ref", user_arn);
  nhi_row_text(&r, "to_type", "group");
  nhi_row_text(&r, "to_ref", group_arn);
  rc = said(im, nhi_row_put(im->s, &r, NULL));
  if (!rc)
    im->stats->edges++;
  return rc;
}

/* A member's grants from one group, and the member_of edge. */
static enum nhi_rc write_group_grants(struct importer *im,
                                      const struct nhi_aws_principal *p,
                                      const struct group_ref *grp)
{
  struct nhi_aws_grant_src g = { p->row, NULL, NULL };
  char *via = nhi_str_join("group:", "", grp->name);
  enum nhi_rc rc;

  if (!via)
    return oom(im);
  g.via = via;
  rc = write_inline(im, grp->arn,
                    nhi_field_get(grp->item, "GroupPolicyList"), &g);
  if (!rc)
    rc = grant_attached(im, &g, nhi_field_get(grp->item,
                                              "AttachedManagedPolicies"));
  if (!rc)
    rc = write_membership(im, p->arn, grp->arn);
  free(via);
  return rc;
}

static enum nhi_rc import_user(struct importer *im, struct nhi_where *w,
                               cJSON *item)
{
  static const char *const keys[3] = {
    "UserName", "UserId", "UserPolicyList"
  };
  const cJSON *groups = NULL, *e;
  const struct group_ref *grp;
  struct nhi_aws_principal p;
  enum nhi_rc rc;
  int machine = 0;

  rc = nhi_aws_principal_read(w, item, keys, &p);
  if (!rc)
    rc = read_user_groups(im, w, item, &p, &groups);
  if (!rc)
    rc = nhi_aws_user_classify(w, &p, &machine);
  if (!rc)
    rc = write_identity(im, w, &p, groups,
                        machine ? "service_account" : "user", !machine);
  if (!rc)
    rc = write_own_grants(im, &p);
  for (e = groups && !rc ? groups->child : NULL; e && !rc; e = e->next)
    if ((grp = find_group(im, e->valuestring)) != NULL)
      rc = write_group_grants(im, &p, grp);
  nhi_aws_principal_free(&p);
  return rc;
}

/* Reads one group: its inline policies are written now; its members
 * get its grants when users are imported. */
static enum nhi_rc import_group(struct importer *im, struct nhi_where *w,
                                cJSON *item)
{
  struct group_ref *ref = &im->groups[im->ngroups];
  cJSON *attached, *list;
  enum nhi_rc rc;

  rc = nhi_field_string(w, item, "GroupName", 1, &ref->name);
  w->name = ref->name;
  if (!rc)
    rc = nhi_field_string(w, item, "Arn", 1, &ref->arn);
  if (!rc)
    rc = nhi_field_node(w, item, "AttachedManagedPolicies", 0, &attached);
  if (!rc)
    rc = nhi_aws_attached_read(w, attached, NULL);
  if (!rc)
    rc = nhi_field_node(w, item, "GroupPolicyList", 0, &list);
  if (!rc)
    rc = nhi_aws_policy_read_inline(w, "GroupPolicyList", list);
  if (!rc)
    rc = write_inline(im, ref->arn, list, NULL);
  ref->item = item;
  if (!rc)
    im->ngroups++;
  return rc;
}

/* The default version of a managed policy: the one marked
 * IsDefaultVersion, else the one DefaultVersionId names; NULL if none.
 * w->sub is left naming it, for errors in its document. */
static enum nhi_rc find_default(struct nhi_where *w, cJSON *versions,
                                const char *default_id, cJSON **out)
{
  size_t by_id_index = 0;
  cJSON *e, *by_id = NULL;
  const char *vid;
  enum nhi_rc rc;

  *out = NULL;
  w->sub = "PolicyVersionList";
  w->subindex = 0;
  cJSON_ArrayForEach(e, versions) {
    if (!cJSON_IsObject(e))
      return nhi_where_fail(w, "expected an object");
    if (cJSON_IsTrue(nhi_field_get(e, "IsDefaultVersion"))) {
      *out = e;
      return NHI_OK;
    }
    rc = nhi_field_string(w, e, "VersionId", 0, &vid);
    if (rc)
      return rc;
    if (!by_id && vid && default_id && strcmp(vid, default_id) == 0) {
      by_id = e;
      by_id_index = w->subindex;
    }
    w->subindex++;
  }
  *out = by_id;
  w->subindex = by_id_index;
  return NHI_OK;
}

static cJSON *managed_attrs(const char *arn, const char *default_id,
                            const cJSON *count)
{
  cJSON *attrs = cJSON_CreateObject();

  if (!attrs ||
      (default_id &&
       !cJSON_AddStringToObject(attrs, "default_version", default_id)) ||
      (cJSON_IsNumber(count) &&
       !cJSON_AddNumberToObject(attrs, "attachment_count",
                                count->valuedouble)) ||
      !cJSON_AddBoolToObject(attrs, "aws_managed",
                             strstr(arn, ":aws:policy/") != NULL)) {
    cJSON_Delete(attrs);
    return NULL;
  }
  return attrs;
}

static enum nhi_rc import_policy(struct importer *im, struct nhi_where *w,
                                 cJSON *item)
{
  struct policy_ref *ref = &im->policies[im->npolicies];
  const char *name, *default_id;
  cJSON *versions, *version = NULL, *doc = NULL, *attrs = NULL;
  enum nhi_rc rc;

  rc = nhi_field_string(w, item, "PolicyName", 1, &name);
  w->name = name;
  if (!rc)
    rc = nhi_field_string(w, item, "Arn", 1, &ref->arn);
  if (!rc)
    rc = nhi_field_string(w, item, "DefaultVersionId", 0, &default_id);
  if (!rc)
    rc = nhi_field_node(w, item, "PolicyVersionList", 0, &versions);
  if (!rc)
    rc = find_default(w, versions, default_id, &version);
  if (!rc && version)
    rc = nhi_aws_policy_read(w, version, "Document", &doc);
  w->sub = NULL;
  if (!rc && !(attrs = managed_attrs(ref->arn, default_id,
                                     nhi_field_get(item, "AttachmentCount"))))
    rc = oom(im);
  if (!rc)
    rc = write_policy(im, ref->arn, name, "managed", doc, attrs);
  if (!rc && doc)
    rc = said(im, nhi_aws_resources_add(&im->resources, doc));
  ref->doc = doc;
  if (!rc)
    im->npolicies++;
  cJSON_Delete(attrs);
  return rc;
}

typedef enum nhi_rc (*import_fn)(struct importer *, struct nhi_where *,
                                  cJSON *);

/* Runs one on each element of the top-level array key, if present. */
static enum nhi_rc import_list(struct importer *im, const cJSON *root,
                               const char *key, import_fn one)
{
  struct nhi_where w = { im->path, key, 0, NULL, NULL, 0 };
  cJSON *list = nhi_field_get(root, key), *item;
  enum nhi_rc rc;

  if (list && !cJSON_IsArray(list)) {
    w.list = NULL;
    return nhi_where_fail(&w, "%s is not an array", key);
  }
  cJSON_ArrayForEach(item, list) {
    w.name = NULL;
    rc = cJSON_IsObject(item) ? one(im, &w, item) :
         nhi_where_fail(&w, "expected an object");
    if (rc)
      return rc;
    w.index++;
  }
  return NHI_OK;
}

/* Room for one entry per element of the top-level array key. */
static void *index_alloc(const cJSON *root, const char *key, size_t size)
{
  int n = cJSON_GetArraySize(nhi_field_get(root, key));

  return calloc(n > 0 ? (size_t)n : 1, size);
}

/* Managed policies first, then groups: users and roles refer to them. */
static enum nhi_rc import_lists(struct importer *im, const cJSON *root)
{
  enum nhi_rc rc;

  im->policies = index_alloc(root, "Policies", sizeof *im->policies);
  im->groups = index_alloc(root, "GroupDetailList", sizeof *im->groups);
  if (!im->policies || !im->groups)
    return oom(im);
  rc = import_list(im, root, "Policies", import_policy);
  if (rc)
    return rc;
  qsort(im->policies, im->npolicies, sizeof *im->policies, by_policy_arn);
  rc = import_list(im, root, "GroupDetailList", import_group);
  if (rc)
    return rc;
  qsort(im->groups, im->ngroups, sizeof *im->groups, by_group_name);
  rc = import_list(im, root, "RoleDetailList", import_role);
  if (!rc)
    rc = import_list(im, root, "UserDetailList", import_user);
  if (!rc)
    rc = said(im, nhi_aws_resources_write(&im->resources, im->s,
                                          &im->stats->resources));
  return rc;
}

static const char *json_kind(const cJSON *v)
{
  if (cJSON_IsArray(v))
    return "an array";
  if (cJSON_IsString(v))
    return "a string";
  if (cJSON_IsNumber(v))
    return "a number";
  if (cJSON_IsBool(v))
    return "a boolean";
  return "null";
}

/* Checks the top level is a GAAD export; warns when it is truncated. */
static enum nhi_rc check_export(struct importer *im, const cJSON *root)
{
  static const char *const lists[] = {
    "UserDetailList", "RoleDetailList", "GroupDetailList", "Policies", NULL
  };
  static const char expected[] = "UserDetailList, RoleDetailList, "
                                 "GroupDetailList or Policies";
  struct nhi_where top = { im->path, NULL, 0, NULL, NULL, 0 };
  size_t i = 0;

  if (!cJSON_IsObject(root))
    return nhi_where_fail(&top, "not an AWS get-account-authorization-"
                          "details export: the top level is %s (expected "
                          "an object with %s)", json_kind(root), expected);
  while (lists[i] && !nhi_field_get(root, lists[i]))
    i++;
  if (!lists[i])
    return nhi_where_fail(&top, "not an AWS get-account-authorization-"
                          "details export (expected %s)", expected);
  if (cJSON_IsTrue(nhi_field_get(root, "IsTruncated"))) {
    nhi_warn("'%s': the export is incomplete (IsTruncated is true): "
             "re-export without --max-items to get every identity",
             im->path);
    im->stats->truncated = 1;
  }
  return NHI_OK;
}

static void importer_free(struct importer *im)
{
  nhi_aws_resources_free(&im->resources);
  free(im->policies);
  free(im->groups);
}

enum nhi_rc nhi_import_aws_authz(struct nhi_store *s, const char *path,
                                 time_t now, struct nhi_import_stats *stats)
{
  struct importer im = { 0 };
  cJSON *root = NULL;
  enum nhi_rc rc;

  memset(stats, 0, sizeof *stats);
  im.s = s;
  im.path = path;
  im.stats = stats;
  nhi_time_format(now - (time_t)USAGE_WINDOW_DAYS * 86400, im.tracked_since);
  rc = nhi_json_read_file(path, &root);
  if (!rc)
    rc = check_export(&im, root);
  if (!rc)
    rc = import_lists(&im, root);
  importer_free(&im);
  cJSON_Delete(root);
  return rc;
}
