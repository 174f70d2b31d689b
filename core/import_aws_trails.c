/* Imports AWS CloudTrail trail configuration: the outputs of `aws
 * cloudtrail describe-trails`, get-trail, get-event-selectors and
 * get-trail-status, each file recognised by its keys. */
#include "importers.h"

#include "aws_arn.h"
#include "aws_selectors.h"
#include "import_util.h"
#include "json.h"
#include "timeutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_TREE_DEPTH 8

/* The kinds of file, in the order they are applied: trails first, so
 * that selectors and status can name them. */
enum kind { K_TRAILS, K_TRAIL, K_SELECTORS, K_STATUS, K_COUNT };

struct input {
  char *path;
  cJSON *root;
  enum kind kind;
};

/* A trail some input named; strings borrowed from the inputs. */
struct known {
  const char *arn;
  const char *name;
};

struct trails_import {
  struct nhi_store *s;
  const char *path;
  struct nhi_import_stats *stats;
  struct input *inputs;
  size_t ninputs, inputs_cap;
  struct known *trails;
  size_t ntrails, trails_cap;
  cJSON *listed;                /* ARNs describe-trails listed, or NULL */
};

static enum nhi_rc oom(const char *path)
{
  nhi_error("cannot read '%s': out of memory", path);
  return NHI_ERR_NOMEM;
}

static const char expected[] = "not a CloudTrail trail export (expected "
  "the output of aws cloudtrail describe-trails, get-trail, "
  "get-event-selectors or get-trail-status)";

static enum nhi_rc classify(const char *path, const cJSON *root,
                            enum kind *kind)
{
  struct nhi_where top = { path, NULL, 0, NULL, NULL, 0 };

  if (cJSON_IsObject(root)) {
    if (cJSON_IsArray(nhi_field_get(root, "trailList")))
      *kind = K_TRAILS;
    else if (cJSON_IsObject(nhi_field_get(root, "Trail")))
      *kind = K_TRAIL;
    else if (nhi_field_get(root, "TrailARN") &&
             (nhi_field_get(root, "EventSelectors") ||
              nhi_field_get(root, "AdvancedEventSelectors")))
      *kind = K_SELECTORS;
    else if (nhi_field_get(root, "IsLogging"))
      *kind = K_STATUS;
    else
      return nhi_where_fail(&top, "%s", expected);
    return NHI_OK;
  }
  return nhi_where_fail(&top, "%s", expected);
}

static enum nhi_rc add_input(struct trails_import *im, const char *path)
{
  struct input *in, *grown;
  enum nhi_rc rc;

  if (im->ninputs == im->inputs_cap) {
    im->inputs_cap = im->inputs_cap ? 2 * im->inputs_cap : 8;
    grown = realloc(im->inputs, im->inputs_cap * sizeof *grown);
    if (!grown)
      return oom(path);
    im->inputs = grown;
  }
  in = &im->inputs[im->ninputs];
  memset(in, 0, sizeof *in);
  if (!(in->path = strdup(path)))
    return oom(path);
  im->ninputs++;
  rc = nhi_json_read_file(path, &in->root);
  if (!rc)
    rc = classify(path, in->root, &in->kind);
  return rc;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
  return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_json_name(const char *name)
{
  size_t n = strlen(name);

  return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static enum nhi_rc gather(struct trails_import *im, const char *path,
                          int depth);

static enum nhi_rc gather_dir(struct trails_import *im, const char *dir,
                              int depth)
{
  struct dirent **list = NULL;
  struct stat st;
  enum nhi_rc rc = NHI_OK;
  char *sub;
  int n = scandir(dir, &list, NULL, by_name);

  if (n < 0) {
    nhi_error("cannot read '%s': %s", dir, strerror(errno));
    return NHI_ERR_IO;
  }
  for (int i = 0; i < n; i++) {
    const char *name = list[i]->d_name;

    sub = rc || name[0] == '.' ? NULL : nhi_str_join(dir, "/", name);
    if (!rc && name[0] != '.' && !sub)
      rc = oom(dir);
    if (sub && stat(sub, &st) == 0 &&
        (S_ISDIR(st.st_mode) ||
         (S_ISREG(st.st_mode) && is_json_name(name))))
      rc = gather(im, sub, depth + 1);
    free(sub);
    free(list[i]);
  }
  free(list);
  return rc;
}

/* Reads and classifies path, or every *.json file below it. */
static enum nhi_rc gather(struct trails_import *im, const char *path,
                          int depth)
{
  struct stat st;

  if (stat(path, &st) != 0) {
    nhi_error("cannot read '%s': %s", path, strerror(errno));
    return NHI_ERR_INPUT;
  }
  if (!S_ISDIR(st.st_mode))
    return add_input(im, path);
  if (depth >= MAX_TREE_DEPTH) {
    nhi_error("cannot read '%s': folders nest more than %d deep (a link "
              "loop?)", path, MAX_TREE_DEPTH);
    return NHI_ERR_INPUT;
  }
  return gather_dir(im, path, depth);
}

static const char *trail_name_of(const char *arn)
{
  const char *slash = strstr(arn, ":trail/");

  return slash ? slash + 7 : arn;
}

static enum nhi_rc remember(struct trails_import *im, const char *arn,
                            const char *name)
{
  struct known *grown;

  for (size_t i = 0; i < im->ntrails; i++)
    if (strcmp(im->trails[i].arn, arn) == 0)
      return NHI_OK;
  if (im->ntrails == im->trails_cap) {
    im->trails_cap = im->trails_cap ? 2 * im->trails_cap : 8;
    grown = realloc(im->trails, im->trails_cap * sizeof *grown);
    if (!grown)
      return oom(im->path);
    im->trails = grown;
  }
  im->trails[im->ntrails].arn = arn;
  im->trails[im->ntrails].name = name ? name : trail_name_of(arn);
  im->ntrails++;
  return NHI_OK;
}

/* Writes one resource row of type, with attrs (may be NULL). */
static enum nhi_rc write_resource(struct trails_import *im,
                                  const char *native_id, const char *type,
                                  const char *name, const char *account,
                                  const cJSON *attrs)
{
  char *text = attrs ? cJSON_PrintUnformatted(attrs) : NULL;
  struct nhi_row r;
  enum nhi_rc rc;

  if (attrs && !text)
    return oom(im->path);
  nhi_row_start(&r, NHI_T_RESOURCE);
  nhi_row_text(&r, "provider", "aws");
  nhi_row_text(&r, "account", account);
  nhi_row_text(&r, "native_id", native_id);
  nhi_row_text(&r, "type", type);
  nhi_row_text(&r, "name", name);
  nhi_row_text(&r, "attrs", text);
  rc = nhi_row_put(im->s, &r, NULL);
  if (!rc)
    im->stats->resources++;
  cJSON_free(text);
  return rc;
}

/* Writes a trail's resource row; its account is the ARN's. */
static enum nhi_rc write_trail(struct trails_import *im, const char *arn,
                               const char *name, const cJSON *attrs)
{
  char *account = NULL;
  enum nhi_rc rc;

  if (nhi_aws_arn_account(arn, &account))
    return oom(im->path);
  rc = write_resource(im, arn, "cloudtrail-trail",
                      name ? name : trail_name_of(arn), account, attrs);
  free(account);
  return rc;
}

/* Copies the string at key to attrs[as], when present. */
static enum nhi_rc copy_text(struct nhi_where *w, const cJSON *item,
                             const char *key, cJSON *attrs, const char *as)
{
  const char *v;
  enum nhi_rc rc = nhi_field_string(w, item, key, 0, &v);

  if (!rc && v && v[0] && !cJSON_AddStringToObject(attrs, as, v))
    rc = nhi_where_oom(w);
  return rc;
}

/* Copies the boolean at key to attrs[as], when present. */
static enum nhi_rc copy_bool(struct nhi_where *w, const cJSON *item,
                             const char *key, cJSON *attrs, const char *as)
{
  const cJSON *v = nhi_field_get(item, key);

  if (!v)
    return NHI_OK;
  if (!cJSON_IsBool(v))
    return nhi_where_fail(w, "%s is not a boolean", key);
  if (!cJSON_AddBoolToObject(attrs, as, cJSON_IsTrue(v)))
    return nhi_where_oom(w);
  return NHI_OK;
}

/* A trail without custom selectors logs every management event and no
 * data event. */
static enum nhi_rc default_selectors(struct nhi_where *w, cJSON *attrs)
{
  if (!cJSON_AddTrueToObject(attrs, "selectors_known") ||
      !cJSON_AddStringToObject(attrs, "management_events", "all") ||
      !cJSON_AddObjectToObject(attrs, "data_event_scope"))
    return nhi_where_oom(w);
  return NHI_OK;
}

static enum nhi_rc trail_attrs(struct nhi_where *w, const cJSON *item,
                               cJSON *attrs)
{
  static const char *const texts[][2] = {
    { "Name", "name" }, { "HomeRegion", "home_region" },
    { "S3BucketName", "s3_bucket" }, { "S3KeyPrefix", "s3_key_prefix" },
    { "KmsKeyId", "kms_key_id" },
    { "CloudWatchLogsLogGroupArn", "cloudwatch_logs_log_group" },
  };
  static const char *const bools[][2] = {
    { "IsMultiRegionTrail", "is_multi_region" },
    { "IncludeGlobalServiceEvents", "include_global_events" },
    { "LogFileValidationEnabled", "log_file_validation" },
    { "IsOrganizationTrail", "is_organization_trail" },
    { "HasCustomEventSelectors", "has_custom_event_selectors" },
    { "HasInsightSelectors", "has_insight_selectors" },
  };
  const cJSON *custom = nhi_field_get(item, "HasCustomEventSelectors");
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; i < sizeof texts / sizeof texts[0] && !rc; i++)
    rc = copy_text(w, item, texts[i][0], attrs, texts[i][1]);
  for (size_t i = 0; i < sizeof bools / sizeof bools[0] && !rc; i++)
    rc = copy_bool(w, item, bools[i][0], attrs, bools[i][1]);
  if (!rc && cJSON_IsFalse(custom))
    rc = default_selectors(w, attrs);
  return rc;
}

/* One trail of describe-trails or get-trail. */
static enum nhi_rc import_trail(struct trails_import *im,
                                struct nhi_where *w, const cJSON *item)
{
  const char *arn, *name;
  cJSON *attrs = cJSON_CreateObject();
  enum nhi_rc rc;

  if (!attrs)
    return nhi_where_oom(w);
  if (!cJSON_IsObject(item))
    rc = nhi_where_fail(w, "expected an object");
  else
    rc = nhi_field_string(w, item, "TrailARN", 1, &arn);
  if (!rc)
    rc = nhi_field_string(w, item, "Name", 0, &name);
  w->name = rc ? NULL : name;
  if (!rc)
    rc = trail_attrs(w, item, attrs);
  if (!rc)
    rc = write_trail(im, arn, name, attrs);
  if (!rc)
    rc = remember(im, arn, name);
  if (!rc && !nhi_field_add_unique(im->listed, arn))
    rc = nhi_where_oom(w);
  cJSON_Delete(attrs);
  return rc;
}

static enum nhi_rc import_trails(struct trails_import *im,
                                 const struct input *in)
{
  struct nhi_where w = { in->path, NULL, 0, NULL, NULL, 0 };
  const cJSON *item;
  enum nhi_rc rc;

  if (!im->listed && !(im->listed = cJSON_CreateArray()))
    return oom(in->path);
  if (in->kind == K_TRAIL) {
    w.list = NULL;
    return import_trail(im, &w, nhi_field_get(in->root, "Trail"));
  }
  w.list = "trailList";
  cJSON_ArrayForEach(item, nhi_field_get(in->root, "trailList")) {
    w.name = NULL;
    rc = import_trail(im, &w, item);
    if (rc)
      return rc;
    w.index++;
  }
  return NHI_OK;
}

/* Keeps a copy of the array at key in attrs under as. */
static enum nhi_rc keep_array(struct nhi_where *w, const cJSON *root,
                              const char *key, cJSON *attrs, const char *as,
                              cJSON **list)
{
  cJSON *copy;
  enum nhi_rc rc = nhi_field_node(w, root, key, 0, list);

  if (rc || !*list)
    return rc;
  copy = cJSON_Duplicate(*list, 1);
  if (!copy || !cJSON_AddItemToObject(attrs, as, copy)) {
    cJSON_Delete(copy);
    return nhi_where_oom(w);
  }
  return NHI_OK;
}

static enum nhi_rc import_selectors(struct trails_import *im,
                                    const struct input *in)
{
  struct nhi_where w = { in->path, NULL, 0, NULL, NULL, 0 };
  cJSON *attrs = cJSON_CreateObject(), *basic = NULL, *advanced = NULL;
  const char *arn;
  enum nhi_rc rc;

  if (!attrs)
    return oom(in->path);
  rc = nhi_field_string(&w, in->root, "TrailARN", 1, &arn);
  if (!rc)
    rc = keep_array(&w, in->root, "EventSelectors", attrs,
                    "event_selectors", &basic);
  if (!rc)
    rc = keep_array(&w, in->root, "AdvancedEventSelectors", attrs,
                    "advanced_event_selectors", &advanced);
  if (!rc && !cJSON_AddTrueToObject(attrs, "selectors_known"))
    rc = oom(in->path);
  if (!rc)
    rc = nhi_aws_selectors_summarize(&w, basic, advanced, attrs);
  if (!rc)
    rc = write_trail(im, arn, NULL, attrs);
  if (!rc)
    rc = remember(im, arn, NULL);
  cJSON_Delete(attrs);
  return rc;
}

/* The trail a get-trail-status output describes: the one whose name the
 * file's name contains (the longest such name), else the only trail. */
static const struct known *status_trail(const struct trails_import *im,
                                        const char *path)
{
  const char *base = strrchr(path, '/');
  const struct known *best = NULL;

  base = base ? base + 1 : path;
  for (size_t i = 0; i < im->ntrails; i++)
    if (strstr(base, im->trails[i].name) &&
        (!best || strlen(im->trails[i].name) > strlen(best->name)))
      best = &im->trails[i];
  if (!best && im->ntrails == 1)
    best = &im->trails[0];
  return best;
}

static enum nhi_rc status_attrs(struct nhi_where *w, const cJSON *root,
                                cJSON *attrs)
{
  static const char *const times[][2] = {
    { "LatestDeliveryTime", "latest_delivery_time" },
    { "StartLoggingTime", "start_logging_time" },
    { "StopLoggingTime", "stop_logging_time" },
  };
  char when[NHI_TIME_SIZE];
  enum nhi_rc rc;

  rc = copy_bool(w, root, "IsLogging", attrs, "is_logging");
  if (!rc)
    rc = copy_text(w, root, "LatestDeliveryError", attrs,
                   "latest_delivery_error");
  for (size_t i = 0; i < sizeof times / sizeof times[0] && !rc; i++) {
    rc = nhi_field_time(w, root, times[i][0], when);
    if (!rc && when[0] && !cJSON_AddStringToObject(attrs, times[i][1],
                                                   when))
      rc = nhi_where_oom(w);
  }
  return rc;
}

static enum nhi_rc import_status(struct trails_import *im,
                                 const struct input *in)
{
  struct nhi_where w = { in->path, NULL, 0, NULL, NULL, 0 };
  const struct known *trail = status_trail(im, in->path);
  cJSON *attrs;
  enum nhi_rc rc;

  if (!trail) {
    nhi_warn("'%s': skipped: cannot tell which trail this "
             "get-trail-status output describes; name the file after "
             "the trail (e.g. status-<trail name>.json)", in->path);
    return NHI_OK;
  }
  if (!(attrs = cJSON_CreateObject()))
    return oom(in->path);
  rc = status_attrs(&w, in->root, attrs);
  if (!rc)
    rc = write_trail(im, trail->arn, NULL, attrs);
  cJSON_Delete(attrs);
  return rc;
}

/* The account assessed: the one most identities in s belong to (a
 * member account's describe-trails lists its organization's trail under
 * the management account), else the first listed trail's. *out is
 * malloc'd, or NULL when neither says. */
static enum nhi_rc assessed_account(struct trails_import *im, char **out)
{
  static const char sql[] = "SELECT account FROM identities WHERE provider"
    " = 'aws' AND account IS NOT NULL GROUP BY account ORDER BY count(*)"
    " DESC, account LIMIT 1";
  sqlite3_stmt *st = NULL;
  const cJSON *first = im->listed->child;
  int found;

  *out = NULL;
  found = sqlite3_prepare_v2(im->s->db, sql, -1, &st, NULL) == SQLITE_OK &&
          sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0);
  if (found)
    *out = strdup((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  if ((found && !*out) ||
      (!found && first && nhi_aws_arn_account(first->valuestring, out)))
    return oom(im->path);
  return NHI_OK;
}

/* The account's row: how many trails describe-trails listed, so that
 * "no trail" (0) differs from "not collected" (no row at all). */
static enum nhi_rc write_account(struct trails_import *im)
{
  cJSON *attrs = cJSON_CreateObject(), *arns = NULL;
  char *account = NULL, *id = NULL;
  enum nhi_rc rc;

  rc = attrs ? assessed_account(im, &account) : oom(im->path);
  if (!rc && !(id = nhi_str_join("arn:aws:cloudtrail:::account/", "",
                                 account ? account : "unknown")))
    rc = oom(im->path);
  if (!rc && (!cJSON_AddTrueToObject(attrs, "trails_collected") ||
              !cJSON_AddNumberToObject(attrs, "trail_count",
                                       cJSON_GetArraySize(im->listed)) ||
              !(arns = cJSON_Duplicate(im->listed, 1)) ||
              !cJSON_AddItemToObject(attrs, "trails", arns))) {
    cJSON_Delete(arns);
    rc = oom(im->path);
  }
  if (!rc)
    rc = write_resource(im, id, "cloudtrail-account", account, account,
                        attrs);
  if (!rc && account && strlen(account) < sizeof im->stats->account)
    strcpy(im->stats->account, account);
  cJSON_Delete(attrs);
  free(account);
  free(id);
  return rc;
}

static enum nhi_rc apply(struct trails_import *im)
{
  enum nhi_rc rc = NHI_OK;

  for (int k = 0; k < K_COUNT && !rc; k++)
    for (size_t i = 0; i < im->ninputs && !rc; i++) {
      const struct input *in = &im->inputs[i];

      if ((int)in->kind != k)
        continue;
      if (k == K_TRAILS || k == K_TRAIL)
        rc = import_trails(im, in);
      else if (k == K_SELECTORS)
        rc = import_selectors(im, in);
      else
        rc = import_status(im, in);
    }
  if (!rc && im->listed)
    rc = write_account(im);
  return rc;
}

enum nhi_rc nhi_import_aws_trails(struct nhi_store *s, const char *path,
                                  time_t now,
                                  struct nhi_import_stats *stats)
{
  struct trails_import im = { 0 };
  enum nhi_rc rc;

  memset(stats, 0, sizeof *stats);
  im.s = s;
  im.path = path;
  im.stats = stats;
  rc = gather(&im, path, 0);
  if (!rc && im.ninputs == 0) {
    nhi_error("cannot read '%s': no *.json files in it", path);
    rc = NHI_ERR_INPUT;
  }
  if (!rc)
    rc = apply(&im);
  stats->files = (long long)im.ninputs;
  stats->records = im.listed ? cJSON_GetArraySize(im.listed) : 0;
  for (size_t i = 0; i < im.ninputs; i++) {
    free(im.inputs[i].path);
    cJSON_Delete(im.inputs[i].root);
  }
  free(im.inputs);
  free(im.trails);
  cJSON_Delete(im.listed);
  return rc;
}
