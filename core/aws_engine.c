/* The AWS policy engine over the evidence store: each principal's
 * identity-based policies, permissions boundary and SCPs, the resource
 * policies collected, built on first use and kept for the run. */
#include "aws_engine.h"

#include "aws_arn.h"
#include "aws_org.h"
#include "aws_policy.h"
#include "strutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A string-keyed hash map of owned keys to owned values. */
struct map_slot {
  char *key;
  void *value;
};

struct map {
  struct map_slot *slots;
  size_t n, cap;
};

/* What the evidence says about one principal. */
struct principal {
  char *account;              /* NULL for a service principal */
  int is_role;
  struct nhi_aws_stmts identity;
  int has_identity;           /* identity-based policies apply */
  int partial;                /* some of them are not in the evidence */
  struct nhi_aws_stmts boundary;
  int has_boundary, boundary_missing;
  struct nhi_aws_context facts;
};

/* What the evidence says about a resource: its row's account and tags.
 * An S3 object has no row: its bucket's gives the account, and its tags
 * stay unknown. */
struct rfacts {
  int found;                  /* the store has a resources row */
  char *account;              /* the row's; NULL when none */
  struct nhi_aws_context tags;  /* aws:ResourceTag/..., all known */
};

/* A resource-based policy, or the fact that none was collected. */
struct rpolicy {
  struct nhi_aws_stmts stmts;
  int found;
  int unreadable;             /* the document could not be read */
};

struct nhi_aws_engine {
  struct nhi_store *store;
  const char *home;
  struct nhi_aws_catalog *catalog;
  enum nhi_rc catalog_rc;     /* sticky failure of the catalogue */
  struct map principals;      /* ARN -> struct principal */
  struct map rpolicies;       /* policy key -> struct rpolicy */
  struct map rfacts;          /* resource ARN -> struct rfacts */
  struct rfacts stand_in;     /* the facts of every stand-in store */
  struct rfacts stand_in_object;  /* and of an object in one (S3) */
  sqlite3_stmt *account_st;   /* the account of an S3 object's bucket */
  struct nhi_aws_org *org;    /* loaded on first use */
  char *home_account;         /* the one account the evidence covers */
  int home_read;
  int default_key_policy;     /* a KMS key without its policy in the
                                 evidence gets AWS's default one */
  sqlite3_stmt *resource_st;  /* the resources row of a request, kept
                                 prepared: every decision asks */
  sqlite3_stmt *identity_st;  /* a principal's identities row, and its */
  sqlite3_stmt *grants_st;    /* grants: kept prepared, every one asks */
};

static uint64_t hash(const char *s)
{
  uint64_t h = 1469598103934665603ULL;

  while (*s)
    h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
  return h;
}

static struct map_slot *map_slot(const struct map *m, const char *key)
{
  size_t i = (size_t)(hash(key) & (m->cap - 1));

  while (m->slots[i].key && strcmp(m->slots[i].key, key) != 0)
    i = (i + 1) & (m->cap - 1);
  return &m->slots[i];
}

static void *map_get(const struct map *m, const char *key)
{
  return m->cap ? map_slot(m, key)->value : NULL;
}

static enum nhi_rc map_grow(struct map *m)
{
  struct map bigger = { NULL, 0, m->cap ? m->cap * 2 : 64 };

  bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
  if (!bigger.slots)
    return NHI_ERR_NOMEM;
  for (size_t i = 0; i < m->cap; i++)
    if (m->slots[i].key)
      *map_slot(&bigger, m->slots[i].key) = m->slots[i];
  bigger.n = m->n;
  free(m->slots);
  *m = bigger;
  return NHI_OK;
}

/* Adds key (copied) with value (taken) unless key is there. */
static enum nhi_rc map_put(struct map *m, const char *key, void *value)
{
  struct map_slot *slot;

  if ((m->n + 1) * 2 > m->cap && map_grow(m))
    return NHI_ERR_NOMEM;
  slot = map_slot(m, key);
  if (slot->key)
    return NHI_OK;
  slot->key = strdup(key);
  if (!slot->key)
    return NHI_ERR_NOMEM;
  slot->value = value;
  m->n++;
  return NHI_OK;
}

static void map_free(struct map *m, void (*free_value)(void *))
{
  for (size_t i = 0; i < m->cap; i++)
    if (m->slots[i].key) {
      free(m->slots[i].key);
      free_value(m->slots[i].value);
    }
  free(m->slots);
  memset(m, 0, sizeof *m);
}

static void principal_free(void *v)
{
  struct principal *p = v;

  if (!p)
    return;
  free(p->account);
  nhi_aws_stmts_free(&p->identity);
  nhi_aws_stmts_free(&p->boundary);
  nhi_aws_context_free(&p->facts);
  free(p);
}

static void rfacts_free(void *v)
{
  struct rfacts *f = v;

  if (!f)
    return;
  free(f->account);
  nhi_aws_context_free(&f->tags);
  free(f);
}

static void rpolicy_free(void *v)
{
  struct rpolicy *r = v;

  if (!r)
    return;
  nhi_aws_stmts_free(&r->stmts);
  free(r);
}

enum nhi_rc nhi_aws_engine_new(struct nhi_store *store, const char *home,
                               struct nhi_aws_engine **out)
{
  *out = calloc(1, sizeof **out);
  if (!*out)
    return NHI_ERR_NOMEM;
  (*out)->store = store;
  (*out)->home = home;
  return NHI_OK;
}

void nhi_aws_engine_default_key_policy(struct nhi_aws_engine *e, int on)
{
  e->default_key_policy = on;
}

void nhi_aws_engine_free(struct nhi_aws_engine *e)
{
  if (!e)
    return;
  nhi_aws_catalog_free(e->catalog);
  map_free(&e->principals, principal_free);
  map_free(&e->rpolicies, rpolicy_free);
  map_free(&e->rfacts, rfacts_free);
  nhi_aws_context_free(&e->stand_in.tags);
  nhi_aws_org_free(e->org);
  free(e->home_account);
  sqlite3_finalize(e->resource_st);
  sqlite3_finalize(e->account_st);
  sqlite3_finalize(e->identity_st);
  sqlite3_finalize(e->grants_st);
  free(e);
}

enum nhi_rc nhi_aws_engine_catalog(struct nhi_aws_engine *e,
                                   const struct nhi_aws_catalog **out)
{
  *out = NULL;
  if (!e->catalog && !e->catalog_rc) {
    e->catalog_rc = e->home ? nhi_aws_catalog_load_home(e->home,
                                                        &e->catalog)
                            : NHI_ERR_INPUT;
    if (!e->home)
      nhi_error("cannot read the AWS action catalogue: the install "
                "folder is not known");
  }
  *out = e->catalog;
  return e->catalog_rc;
}

/* Prepares sql with one text parameter bound. */
static enum nhi_rc prepare(struct nhi_aws_engine *e, const char *sql,
                           const char *arg, sqlite3_stmt **st)
{
  if (sqlite3_prepare_v2(e->store->db, sql, -1, st, NULL) != SQLITE_OK) {
    nhi_error("evidence store: cannot read AWS policies: %s",
              sqlite3_errmsg(e->store->db));
    return NHI_ERR_DB;
  }
  if (arg)
    sqlite3_bind_text(*st, 1, arg, -1, SQLITE_TRANSIENT);
  return NHI_OK;
}

/* The end of a query: SQLITE_DONE is fine, anything else is logged. */
static enum nhi_rc finish(struct nhi_aws_engine *e, sqlite3_stmt *st,
                          int step)
{
  sqlite3_finalize(st);
  if (step == SQLITE_DONE || step == SQLITE_ROW)
    return NHI_OK;
  nhi_error("evidence store: cannot read AWS policies: %s",
            sqlite3_errmsg(e->store->db));
  return NHI_ERR_DB;
}

static const char *column_text(sqlite3_stmt *st, int col)
{
  return (const char *)sqlite3_column_text(st, col);
}

/* Compiles the JSON text of a policy document into list. A document
 * that is not a policy gives NHI_ERR_INPUT, with a warning naming id. */
static enum nhi_rc compile_text(const char *id, const char *text,
                                struct nhi_aws_stmts *list)
{
  cJSON *wrap = cJSON_CreateObject(), *doc = NULL;
  char *why = NULL;
  enum nhi_rc rc = NHI_ERR_NOMEM;

  if (!wrap || !cJSON_AddStringToObject(wrap, "document", text))
    goto out;
  rc = nhi_aws_policy_load(wrap, "document", &doc, &why);
  if (rc == NHI_ERR_INPUT)
    nhi_warn("policy '%s' in the evidence cannot be evaluated: %s", id,
             why);
  if (!rc)
    rc = nhi_aws_stmts_add_doc(list, id, doc);
out:
  free(why);
  cJSON_Delete(wrap);
  return rc;
}

/* Reads the document of policy id into list; *found says whether the
 * store holds one. Unreadable documents leave *found 0 and give
 * NHI_ERR_INPUT (warned). */
static enum nhi_rc load_policy(struct nhi_aws_engine *e, const char *id,
                               const char *kinds_sql,
                               struct nhi_aws_stmts *list, int *found)
{
  char *sql = nhi_aprintf("SELECT document FROM policies WHERE provider ="
                          " 'aws' AND native_id = ? AND document IS NOT"
                          " NULL%s", kinds_sql);
  sqlite3_stmt *st = NULL;
  enum nhi_rc rc;
  int step;

  *found = 0;
  if (!sql)
    return NHI_ERR_NOMEM;
  rc = prepare(e, sql, id, &st);
  free(sql);
  if (rc)
    return rc;
  step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    rc = compile_text(id, column_text(st, 0), list);
    *found = rc == NHI_OK;
  }
  if (rc) {
    sqlite3_finalize(st);
    return rc;
  }
  return finish(e, st, step);
}

static enum nhi_rc add_grant_row(struct principal *p, sqlite3_stmt *st)
{
  struct nhi_aws_grant_text g = {
    column_text(st, 0), column_text(st, 1), sqlite3_column_int(st, 2),
    column_text(st, 3), sqlite3_column_int(st, 4), column_text(st, 5),
    column_text(st, 6), column_text(st, 7)
  };
  const char *why;
  enum nhi_rc rc = nhi_aws_stmts_add_grant(&p->identity, &g, &why);

  if (rc == NHI_ERR_INPUT) {
    nhi_warn("a grant of policy '%s' cannot be evaluated: %s",
             g.policy ? g.policy : "(unnamed)", why);
    p->partial = 1;
    rc = NHI_OK;
  }
  return rc;
}

static enum nhi_rc load_grants(struct nhi_aws_engine *e, long long row,
                               struct principal *p)
{
  static const char sql[] =
    "SELECT effect, actions, not_action, resources, not_resource,"
    " condition, policy, sid FROM grants WHERE identity_id = ?"
    " ORDER BY id";
  enum nhi_rc rc = NHI_OK;
  sqlite3_stmt *st;
  int step;

  if (!e->grants_st && (rc = prepare(e, sql, NULL, &e->grants_st)))
    return rc;
  st = e->grants_st;
  sqlite3_bind_int64(st, 1, row);
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
    rc = add_grant_row(p, st);
  sqlite3_reset(st);
  if (rc || step == SQLITE_DONE || step == SQLITE_ROW)
    return rc;
  nhi_error("evidence store: cannot read AWS policies: %s",
            sqlite3_errmsg(e->store->db));
  return NHI_ERR_DB;
}

static int non_empty_list(const cJSON *attrs, const char *key)
{
  return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(attrs, key))
         > 0;
}

/* Reads attrs: the boundary, and whether policies are missing. */
static enum nhi_rc read_attrs(struct nhi_aws_engine *e, struct principal *p,
                              const cJSON *attrs)
{
  const cJSON *pb = cJSON_GetObjectItemCaseSensitive(attrs,
                                                     "permissions_boundary");
  enum nhi_rc rc;
  int found;

  if (non_empty_list(attrs, "unresolved_policies") ||
      non_empty_list(attrs, "unresolved_groups"))
    p->partial = 1;
  if (!cJSON_IsString(pb))
    return NHI_OK;
  p->has_boundary = 1;
  rc = load_policy(e, pb->valuestring, "", &p->boundary, &found);
  if (rc == NHI_ERR_INPUT)
    rc = NHI_OK;
  p->boundary_missing = !found;
  return rc;
}

static enum nhi_rc add_fact(struct principal *p, const char *key,
                            const char *value)
{
  return value ? nhi_aws_context_add(&p->facts, key, value) : NHI_OK;
}

/* aws:PrincipalTag/<key> for each tag: the tags are all known. */
static enum nhi_rc add_tags(struct nhi_aws_context *c, const char *prefix,
                            const cJSON *tags)
{
  enum nhi_rc rc = nhi_aws_context_know(c, prefix);
  char *key;

  for (const cJSON *t = tags ? tags->child : NULL; t && !rc; t = t->next) {
    if (!cJSON_IsString(t))
      continue;
    key = nhi_aprintf("%s%s", prefix, t->string);
    rc = key ? nhi_aws_context_add(c, key, t->valuestring) : NHI_ERR_NOMEM;
    free(key);
  }
  return rc;
}

/* The keys the evidence settles about an identity row. */
static enum nhi_rc add_facts(struct principal *p, sqlite3_stmt *st,
                             const cJSON *attrs)
{
  cJSON *tags = cJSON_Parse(column_text(st, 3) ? column_text(st, 3) : "{}");
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(attrs, "id");
  enum nhi_rc rc;

  rc = add_tags(&p->facts, "aws:PrincipalTag/", tags);
  cJSON_Delete(tags);
  if (!rc)
    rc = add_fact(p, "aws:PrincipalType", p->is_role ? "AssumedRole"
                                                     : "User");
  if (!rc && !p->is_role)
    rc = add_fact(p, "aws:username", column_text(st, 2));
  if (!rc && !p->is_role && cJSON_IsString(id))
    rc = add_fact(p, "aws:userid", id->valuestring);
  if (!rc && !p->is_role)
    rc = nhi_aws_context_know(&p->facts, "aws:userid");
  return rc;
}

/* Fills p from the identities row st stands on. */
static enum nhi_rc read_identity(struct nhi_aws_engine *e, sqlite3_stmt *st,
                                 struct principal *p)
{
  cJSON *attrs = cJSON_Parse(column_text(st, 4) ? column_text(st, 4)
                                                : "{}");
  enum nhi_rc rc = NHI_OK;

  if (column_text(st, 1) && !p->account &&
      !(p->account = strdup(column_text(st, 1))))
    rc = NHI_ERR_NOMEM;
  if (!rc)
    rc = add_facts(p, st, attrs);
  if (!rc)
    rc = load_grants(e, sqlite3_column_int64(st, 0), p);
  if (!rc)
    rc = read_attrs(e, p, attrs);
  cJSON_Delete(attrs);
  return rc;
}

/* Fills p from its identities row, if the store has one. */
static enum nhi_rc load_identity(struct nhi_aws_engine *e, const char *arn,
                                 struct principal *p)
{
  static const char sql[] =
    "SELECT id, account, name, tags, attrs FROM identities"
    " WHERE provider = 'aws' AND native_id = ?";
  enum nhi_rc rc = NHI_OK;
  sqlite3_stmt *st;
  int step;

  if (!e->identity_st && (rc = prepare(e, sql, NULL, &e->identity_st)))
    return rc;
  st = e->identity_st;
  sqlite3_bind_text(st, 1, arn, -1, SQLITE_STATIC);
  step = sqlite3_step(st);
  if (step == SQLITE_ROW)
    rc = read_identity(e, st, p);
  else if (step == SQLITE_DONE)
    p->partial = p->has_identity;
  else {
    nhi_error("evidence store: cannot read AWS policies: %s",
              sqlite3_errmsg(e->store->db));
    rc = NHI_ERR_DB;
  }
  sqlite3_reset(st);
  return rc;
}

/* What the ARN alone says: account, user or role, the fixed facts. */
static enum nhi_rc principal_start(const char *arn, struct principal *p)
{
  struct nhi_aws_arn a;
  enum nhi_rc rc;

  nhi_aws_context_init(&p->facts, 0);
  if (!nhi_aws_arn_parse(arn, &a))
    return nhi_aws_context_add(&p->facts, "aws:PrincipalIsAWSService",
                               strchr(arn, '.') ? "true" : "false");
  p->has_identity = 1;
  p->is_role = strncmp(a.resource, "role/", 5) == 0 ||
               strncmp(a.resource, "assumed-role/", 13) == 0;
  rc = nhi_aws_arn_account(arn, &p->account);
  if (!rc)
    rc = nhi_aws_context_add(&p->facts, "aws:PrincipalArn", arn);
  if (!rc && p->account)
    rc = nhi_aws_context_add(&p->facts, "aws:PrincipalAccount", p->account);
  if (!rc)
    rc = nhi_aws_context_add(&p->facts, "aws:PrincipalIsAWSService",
                             "false");
  return rc;
}

static enum nhi_rc principal_get(struct nhi_aws_engine *e, const char *arn,
                                 struct principal **out)
{
  struct principal *p = map_get(&e->principals, arn);
  enum nhi_rc rc;

  *out = p;
  if (p)
    return NHI_OK;
  p = calloc(1, sizeof *p);
  if (!p)
    return NHI_ERR_NOMEM;
  rc = principal_start(arn, p);
  if (!rc && p->has_identity)
    rc = load_identity(e, arn, p);
  if (!rc)
    rc = map_put(&e->principals, arn, p);
  if (rc) {
    principal_free(p);
    return rc;
  }
  *out = p;
  return NHI_OK;
}

/* Where the resource-based policy of a request lives: a role's trust
 * policy for STS actions on it, a KMS key's policy, an S3 bucket's
 * policy for its objects, else the resource's own policy. *kind says
 * whether that policy must allow the request itself. */
static char *rpolicy_key(const struct nhi_aws_query *q,
                         enum nhi_aws_rpolicy *kind)
{
  struct nhi_aws_arn a;
  const char *slash;

  *kind = NHI_AWS_RP_OPTIONAL;
  if (!nhi_aws_arn_parse(q->resource, &a))
    return strdup(q->resource);
  if (a.service_len == 3 && strncmp(a.service, "iam", 3) == 0 &&
      strncmp(a.resource, "role/", 5) == 0 &&
      strncasecmp(q->action, "sts:", 4) == 0) {
    *kind = NHI_AWS_RP_REQUIRED;
    return nhi_aprintf("%s#trust", q->resource);
  }
  if (a.service_len == 3 && strncmp(a.service, "kms", 3) == 0 &&
      strncmp(a.resource, "key/", 4) == 0)
    *kind = NHI_AWS_RP_REQUIRED;
  if (a.service_len == 2 && strncmp(a.service, "s3", 2) == 0 &&
      (slash = strchr(a.resource, '/')) != NULL)
    return nhi_aprintf("%.*s", (int)(slash - q->resource), q->resource);
  return strdup(q->resource);
}

/* The key policy AWS gives a key created without one: the key's account
 * may use the key as far as its IAM policies allow. Keys only: other
 * resources are left without a policy. */
static enum nhi_rc default_key_policy(const char *key, struct rpolicy *r)
{
  static const char fmt[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":"
    "\"Enable IAM User Permissions\",\"Effect\":\"Allow\","
    "\"Principal\":{\"AWS\":\"arn:%.*s:iam::%.*s:root\"},"
    "\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";
  struct nhi_aws_arn a;
  enum nhi_rc rc;
  char *doc;

  if (!nhi_aws_arn_parse(key, &a) || a.service_len != 3 ||
      strncmp(a.service, "kms", 3) != 0 ||
      strncmp(a.resource, "key/", 4) != 0 || !a.account_len)
    return NHI_OK;
  doc = nhi_aprintf(fmt, (int)a.partition_len, a.partition,
                    (int)a.account_len, a.account);
  if (!doc)
    return NHI_ERR_NOMEM;
  rc = compile_text(key, doc, &r->stmts);
  free(doc);
  r->found = rc == NHI_OK;
  return rc;
}

static enum nhi_rc rpolicy_get(struct nhi_aws_engine *e, const char *key,
                               struct rpolicy **out)
{
  struct rpolicy *r = map_get(&e->rpolicies, key);
  enum nhi_rc rc;

  *out = r;
  if (r)
    return NHI_OK;
  r = calloc(1, sizeof *r);
  if (!r)
    return NHI_ERR_NOMEM;
  rc = load_policy(e, key, " AND kind IN ('resource', 'trust')", &r->stmts,
                   &r->found);
  if (rc == NHI_ERR_INPUT) {
    r->unreadable = 1;
    rc = NHI_OK;
  }
  if (!rc && !r->found && !r->unreadable && e->default_key_policy)
    rc = default_key_policy(key, r);
  if (!rc)
    rc = map_put(&e->rpolicies, key, r);
  if (rc) {
    rpolicy_free(r);
    return rc;
  }
  *out = r;
  return NHI_OK;
}


/* The account of the evidence's identities when they all share one;
 * NULL (e->home_account) otherwise. */
static enum nhi_rc read_home_account(struct nhi_aws_engine *e)
{
  static const char sql[] =
    "SELECT DISTINCT account FROM identities WHERE provider = 'aws' AND"
    " account IS NOT NULL LIMIT 2";
  sqlite3_stmt *st = NULL;
  enum nhi_rc rc;
  int step;

  if (e->home_read)
    return NHI_OK;
  rc = prepare(e, sql, NULL, &st);
  if (rc)
    return rc;
  step = sqlite3_step(st);
  if (step == SQLITE_ROW &&
      !(e->home_account = strdup(column_text(st, 0)))) {
    sqlite3_finalize(st);
    return NHI_ERR_NOMEM;
  }
  if (step == SQLITE_ROW && (step = sqlite3_step(st)) == SQLITE_ROW) {
    free(e->home_account);
    e->home_account = NULL;
  }
  e->home_read = 1;
  return finish(e, st, step);
}

/* The account that owns a resource whose ARN and row name none (S3):
 * the one account the evidence covers, else the principal's. */
static enum nhi_rc guess_account(struct nhi_aws_engine *e,
                                 const struct principal *p, char **account)
{
  enum nhi_rc rc = read_home_account(e);
  const char *guess = e->home_account ? e->home_account : p->account;

  if (!rc && guess && !(*account = strdup(guess)))
    rc = NHI_ERR_NOMEM;
  return rc;
}

/* Steps st (bound, kept prepared) once; SQLITE_ROW, SQLITE_DONE or an
 * error, logged. */
static int step_kept(struct nhi_aws_engine *e, sqlite3_stmt *st)
{
  int step = sqlite3_step(st);

  if (step != SQLITE_ROW && step != SQLITE_DONE)
    nhi_error("evidence store: cannot read AWS resources: %s",
              sqlite3_errmsg(e->store->db));
  return step;
}

/* The length of the bucket ARN an S3 object ARN starts with; 0 for any
 * other ARN. */
static size_t s3_bucket_length(const char *arn)
{
  const char *slash;

  if (strncmp(arn, "arn:", 4) != 0 || !strstr(arn, ":s3:::"))
    return 0;
  slash = strchr(strstr(arn, ":s3:::") + 6, '/');
  return slash ? (size_t)(slash - arn) : 0;
}

/* The row account of the bucket of S3 object resource into f. */
static enum nhi_rc read_bucket_account(struct nhi_aws_engine *e,
                                       const char *resource, size_t len,
                                       struct rfacts *f)
{
  static const char sql[] =
    "SELECT account FROM resources WHERE provider = 'aws' AND"
    " native_id = ?";
  enum nhi_rc rc = NHI_OK;
  int step;

  if (!e->account_st && (rc = prepare(e, sql, NULL, &e->account_st)))
    return rc;
  sqlite3_bind_text(e->account_st, 1, resource, (int)len, SQLITE_STATIC);
  step = step_kept(e, e->account_st);
  if (step == SQLITE_ROW && column_text(e->account_st, 0) &&
      !(f->account = strdup(column_text(e->account_st, 0))))
    rc = NHI_ERR_NOMEM;
  sqlite3_reset(e->account_st);
  if (!rc && step != SQLITE_ROW && step != SQLITE_DONE)
    rc = NHI_ERR_DB;
  return rc;
}

/* Reads resource's row into f: its account and tags. */
static enum nhi_rc read_rfacts(struct nhi_aws_engine *e, const char *resource,
                               struct rfacts *f)
{
  static const char sql[] =
    "SELECT account, tags FROM resources WHERE provider = 'aws' AND"
    " native_id = ?";
  sqlite3_stmt *st;
  cJSON *tags;
  enum nhi_rc rc = NHI_OK;
  size_t bucket;
  int step;

  if (!e->resource_st && (rc = prepare(e, sql, NULL, &e->resource_st)))
    return rc;
  st = e->resource_st;
  sqlite3_bind_text(st, 1, resource, -1, SQLITE_STATIC);
  step = step_kept(e, st);
  if (step == SQLITE_ROW) {
    f->found = 1;
    if (column_text(st, 0) && !(f->account = strdup(column_text(st, 0))))
      rc = NHI_ERR_NOMEM;
    tags = cJSON_Parse(column_text(st, 1) ? column_text(st, 1) : "{}");
    if (!rc)
      rc = add_tags(&f->tags, "aws:ResourceTag/", tags);
    cJSON_Delete(tags);
  }
  sqlite3_reset(st);
  if (!rc && step != SQLITE_ROW && step != SQLITE_DONE)
    return NHI_ERR_DB;
  if (!rc && step == SQLITE_DONE && (bucket = s3_bucket_length(resource)))
    rc = read_bucket_account(e, resource, bucket, f);
  return rc;
}

/* The facts of q's resource, read once per resource and kept. A
 * stand-in's are those of a collected, untagged store, or of an object
 * in one (its tags unknown). */
static enum nhi_rc rfacts_get(struct nhi_aws_engine *e,
                              const struct nhi_aws_query *q,
                              const struct rfacts **out)
{
  struct rfacts *f = map_get(&e->rfacts, q->resource);
  enum nhi_rc rc;

  if (q->stand_in) {
    *out = &e->stand_in_object;
    if (s3_bucket_length(q->resource))
      return NHI_OK;
    *out = &e->stand_in;
    if (e->stand_in.found)
      return NHI_OK;
    e->stand_in.found = 1;
    return nhi_aws_context_know(&e->stand_in.tags, "aws:ResourceTag/");
  }
  *out = f;
  if (f)
    return NHI_OK;
  if (!(f = calloc(1, sizeof *f)))
    return NHI_ERR_NOMEM;
  nhi_aws_context_init(&f->tags, 0);
  rc = read_rfacts(e, q->resource, f);
  if (!rc)
    rc = map_put(&e->rfacts, q->resource, f);
  if (rc) {
    rfacts_free(f);
    return rc;
  }
  *out = f;
  return NHI_OK;
}

/* aws:ResourceAccount into c, and the account that owns q's resource
 * into *account (malloc'd): the ARN's, the row's (a stand-in's given
 * one), or else guess_account's. *tags is the resource's tag facts. */
static enum nhi_rc resource_facts(struct nhi_aws_engine *e,
                                  const struct nhi_aws_query *q,
                                  const struct principal *p,
                                  struct nhi_aws_context *c,
                                  const struct nhi_aws_context **tags,
                                  char **account)
{
  const struct rfacts *f;
  const char *known;
  enum nhi_rc rc;

  *tags = NULL;
  rc = nhi_aws_arn_account(q->resource, account);
  if (!rc)
    rc = rfacts_get(e, q, &f);
  if (rc)
    return rc;
  if (f->found)
    *tags = &f->tags;
  known = q->stand_in ? q->stand_in_account : f->account;
  if (!*account && known && !(*account = strdup(known)))
    return NHI_ERR_NOMEM;
  if (!*account)
    rc = guess_account(e, p, account);
  if (!rc && *account)
    rc = nhi_aws_context_add(c, "aws:ResourceAccount", *account);
  return rc;
}

int nhi_aws_iam_without_policy(const struct nhi_aws_query *q)
{
  struct nhi_aws_arn a;

  return nhi_aws_arn_parse(q->resource, &a) && a.service_len == 3 &&
         strncmp(a.service, "iam", 3) == 0 &&
         strncasecmp(q->action, "sts:", 4) != 0;
}

/* The policy set of q: p's policies, the SCP levels above its account
 * and the resource-based policy (none for IAM's own resources, which
 * take none). */
static enum nhi_rc policy_set(struct nhi_aws_engine *e,
                              const struct nhi_aws_query *q,
                              const struct principal *p,
                              struct nhi_aws_policyset *ps)
{
  enum nhi_aws_rpolicy kind;
  struct rpolicy *r;
  char *key;
  enum nhi_rc rc = NHI_OK;

  memset(ps, 0, sizeof *ps);
  ps->identity = p->has_identity ? &p->identity : NULL;
  ps->identity_partial = p->partial;
  ps->boundary = p->has_boundary ? &p->boundary : NULL;
  ps->boundary_missing = p->boundary_missing;
  ps->principal_is_role = p->is_role;
  if (!e->org)
    rc = nhi_aws_org_load(e->store, &e->org);
  if (!rc)
    rc = nhi_aws_org_levels(e->org, p->account, &ps->scps, &ps->nscps);
  if (rc || nhi_aws_iam_without_policy(q))
    return rc;
  key = rpolicy_key(q, &kind);
  if (!key)
    return NHI_ERR_NOMEM;
  rc = rpolicy_get(e, key, &r);
  free(key);
  if (rc)
    return rc;
  ps->resource_kind = kind;
  ps->resource = r->found ? &r->stmts : NULL;
  ps->resource_missing = r->unreadable;
  return NHI_OK;
}

enum nhi_rc nhi_aws_engine_decide(struct nhi_aws_engine *e,
                                  const struct nhi_aws_query *q,
                                  struct nhi_aws_result *out)
{
  struct nhi_aws_context facts, *tags = NULL;
  const struct nhi_aws_context *found;
  struct nhi_aws_policyset ps;
  struct nhi_aws_request rq;
  struct principal *p;
  char *account = NULL;
  enum nhi_rc rc;

  memset(out, 0, sizeof *out);
  nhi_aws_context_init(&facts, 0);
  rc = principal_get(e, q->principal, &p);
  if (!rc)
    rc = policy_set(e, q, p, &ps);
  if (!rc)
    rc = resource_facts(e, q, p, &facts, &found, &account);
  if (!rc) {
    /* The facts chain: the request's account, the resource's tags, the
     * principal's facts, then the caller's context. */
    tags = (struct nhi_aws_context *)found;
    facts.next = tags ? tags : &p->facts;
    if (tags)
      tags->next = &p->facts;
    p->facts.next = q->ctx;
    rq = (struct nhi_aws_request){ q->principal, p->account, q->action,
                                   q->resource, account, &facts };
    rc = nhi_aws_evaluate(&ps, &rq, out);
    p->facts.next = NULL;
    if (tags)
      tags->next = NULL;
  }
  free(account);
  nhi_aws_context_free(&facts);
  return rc;
}

enum nhi_rc nhi_aws_engine_terms(struct nhi_aws_engine *e,
                                 const char *principal,
                                 struct nhi_aws_terms *t)
{
  const struct nhi_aws_stmts *const *scps;
  struct principal *p;
  size_t nscps = 0;
  enum nhi_rc rc;

  nhi_aws_terms_free(t);
  rc = principal_get(e, principal, &p);
  if (!rc && !e->org)
    rc = nhi_aws_org_load(e->store, &e->org);
  if (!rc)
    rc = nhi_aws_org_levels(e->org, p->account, &scps, &nscps);
  if (!rc && p->has_identity)
    rc = nhi_aws_terms_add(t, &p->identity);
  if (!rc && p->has_boundary)
    rc = nhi_aws_terms_add(t, &p->boundary);
  for (size_t i = 0; i < nscps && !rc; i++)
    rc = nhi_aws_terms_add(t, scps[i]);
  return rc;
}

enum nhi_rc nhi_aws_engine_allow_scope(struct nhi_aws_engine *e,
                                       const char *principal,
                                       const char *action,
                                       struct nhi_aws_scope *sc)
{
  struct principal *p;
  enum nhi_rc rc;

  nhi_aws_scope_free(sc);
  rc = principal_get(e, principal, &p);
  if (rc)
    return rc;
  if (!p->has_identity || p->partial) {
    sc->all = 1;
    return NHI_OK;
  }
  return nhi_aws_scope_add(sc, &p->identity, action);
}

enum nhi_rc nhi_aws_engine_alike(struct nhi_aws_engine *e,
                                 const char *principal, const char *action,
                                 int *alike)
{
  const struct nhi_aws_stmts *const *scps;
  struct principal *p;
  size_t nscps = 0;
  enum nhi_rc rc;

  *alike = 0;
  rc = principal_get(e, principal, &p);
  if (!rc && !e->org)
    rc = nhi_aws_org_load(e->store, &e->org);
  if (!rc)
    rc = nhi_aws_org_levels(e->org, p->account, &scps, &nscps);
  if (rc)
    return rc;
  *alike = (!p->has_identity || nhi_aws_stmts_alike(&p->identity, action)) &&
           (!p->has_boundary || nhi_aws_stmts_alike(&p->boundary, action));
  for (size_t i = 0; i < nscps && *alike; i++)
    *alike = nhi_aws_stmts_alike(scps[i], action);
  return NHI_OK;
}

enum nhi_rc nhi_aws_engine_has_rpolicy(struct nhi_aws_engine *e,
                                       const struct nhi_aws_query *q,
                                       int *has)
{
  enum nhi_aws_rpolicy kind;
  struct rpolicy *r;
  char *key;
  enum nhi_rc rc;

  *has = 0;
  if (nhi_aws_iam_without_policy(q))
    return NHI_OK;
  key = rpolicy_key(q, &kind);
  if (!key)
    return NHI_ERR_NOMEM;
  rc = rpolicy_get(e, key, &r);
  free(key);
  if (!rc)
    *has = r->found || r->unreadable;
  return rc;
}
