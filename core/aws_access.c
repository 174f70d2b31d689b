/* Data access: which AWS identities can read or write which data stores,
 * asked of the policy engine after collection and kept as can_read and
 * can_write edges. */
#include "aws_access.h"

#include "aws_engine.h"
#include "aws_match.h"
#include "import_util.h"
#include "strutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* attrs.derived of the edges written here: a later derivation replaces
 * them, and nothing else. */
#define DERIVED "aws-policy-engine"

/* The principals asked about: IAM users and roles, whatever kind the
 * collector gave them (a machine user is a service_account). The
 * account root is not governed by IAM policies. */
#define IAM_PRINCIPAL(i)                                              \
  " (" i ".native_id GLOB 'arn:*:iam::*:user/*' OR " i ".native_id"   \
  " GLOB 'arn:*:iam::*:role/*')"

/* The page cache while edges are written, in KiB. */
#define DERIVE_CACHE_KIB 131072LL

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* A kind of data store and the actions that reach its data. Read: the
 * data leaves the store, or can be made to (a snapshot taken, restored
 * or shared elsewhere). Write: the data is changed or destroyed. */
struct data_store {
  const char *type;           /* resources.type */
  const char *service;        /* the IAM prefix of its actions */
  const char *arn_part;       /* the ARN holds this; NULL: any */
  const char *object;         /* appended to the ARN to name the data */
  const char *const *read;    /* NULL-terminated */
  const char *const *write;   /* NULL-terminated, or NULL: none */
};

static const struct data_store stores[] = {
  { "s3-bucket", "s3", NULL, "/*",
    LIST("s3:GetObject", "s3:GetObjectVersion"),
    LIST("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion") },
  { "dynamodb-table", "dynamodb", NULL, "",
    LIST("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
         "dynamodb:Scan", "dynamodb:ExportTableToPointInTime"),
    LIST("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
         "dynamodb:BatchWriteItem") },
  { "secretsmanager-secret", "secretsmanager", NULL, "",
    LIST("secretsmanager:GetSecretValue"),
    LIST("secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret",
         "secretsmanager:DeleteSecret") },
  { "ssm-parameter", "ssm", NULL, "",
    LIST("ssm:GetParameter", "ssm:GetParameters",
         "ssm:GetParametersByPath", "ssm:GetParameterHistory"),
    LIST("ssm:PutParameter", "ssm:DeleteParameter") },
  /* A key holds no data: Decrypt is what exposes the data sealed with
   * it. Encrypting under a key changes no store. */
  { "kms-key", "kms", NULL, "", LIST("kms:Decrypt"), NULL },
  /* Whoever may reset the master password reads and writes it all. */
  { "rds-db", "rds", ":db:", "", LIST("rds:CreateDBSnapshot"),
    LIST("rds:ModifyDBInstance", "rds:DeleteDBInstance") },
  { "rds-db", "rds", ":cluster:", "", LIST("rds:CreateDBClusterSnapshot"),
    LIST("rds:ModifyDBCluster", "rds:DeleteDBCluster") },
  { "rds-snapshot", "rds", NULL, "",
    LIST("rds:RestoreDBInstanceFromDBSnapshot", "rds:CopyDBSnapshot",
         "rds:ModifyDBSnapshotAttribute"),
    LIST("rds:DeleteDBSnapshot") },
  { "rds-cluster-snapshot", "rds", NULL, "",
    LIST("rds:RestoreDBClusterFromSnapshot", "rds:CopyDBClusterSnapshot",
         "rds:ModifyDBClusterSnapshotAttribute"),
    LIST("rds:DeleteDBClusterSnapshot") },
};

/* A list of strings, owned. */
struct strings {
  char **items;
  size_t n, cap;
};

/* An identity whose Allow grants may name the service, and the Resource
 * patterns of those grants. */
struct candidate {
  char *arn;
  struct strings patterns;
};

struct candidates {
  struct candidate *items;    /* sorted by arn */
  size_t n, cap;
};

/* One data store and what its resource-based policy says. */
struct target {
  const struct data_store *ds;
  char *arn;
  int has_policy;
  int default_key_policy;     /* a key whose policy was not collected */
  struct strings named;       /* identities its policy may name, sorted */
  struct strings scopes;      /* S3: object patterns its policy names */
  size_t *reach;              /* candidates whose patterns may cover it */
  size_t nreach, capreach;
};

struct targets {
  struct target *items;
  size_t n, cap;
};

/* What the engine said about one kind of access for one pair. */
struct access {
  cJSON *allowed;             /* action names */
  cJSON *unsure;              /* {action, why, condition_key} */
  cJSON *objects;             /* S3: object patterns something allows */
  int by_identity, by_resource;
};

struct deriver {
  struct nhi_store *store;
  struct nhi_aws_engine *engine;
  struct nhi_aws_access_stats stats;
};

static void strings_free(struct strings *s)
{
  for (size_t i = 0; i < s->n; i++)
    free(s->items[i]);
  free(s->items);
  memset(s, 0, sizeof *s);
}

static enum nhi_rc strings_add(struct strings *s, const char *text)
{
  char **grown;
  size_t cap;

  if (s->n == s->cap) {
    cap = s->cap ? s->cap * 2 : 8;
    grown = realloc(s->items, cap * sizeof *grown);
    if (!grown)
      return NHI_ERR_NOMEM;
    s->items = grown;
    s->cap = cap;
  }
  s->items[s->n] = strdup(text ? text : "");
  return s->items[s->n++] ? NHI_OK : NHI_ERR_NOMEM;
}

static int strings_has(const struct strings *s, const char *text)
{
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->items[i], text) == 0)
      return 1;
  return 0;
}

static void candidates_free(struct candidates *c)
{
  for (size_t i = 0; i < c->n; i++) {
    free(c->items[i].arn);
    strings_free(&c->items[i].patterns);
  }
  free(c->items);
  memset(c, 0, sizeof *c);
}

static void targets_free(struct targets *t)
{
  for (size_t i = 0; i < t->n; i++) {
    free(t->items[i].arn);
    strings_free(&t->items[i].named);
    strings_free(&t->items[i].scopes);
    free(t->items[i].reach);
  }
  free(t->items);
  memset(t, 0, sizeof *t);
}

static const char *text_at(sqlite3_stmt *st, int col)
{
  const char *s = (const char *)sqlite3_column_text(st, col);

  return s ? s : "";
}

static enum nhi_rc prepare(struct deriver *d, const char *sql,
                           sqlite3_stmt **st)
{
  if (sqlite3_prepare_v2(d->store->db, sql, -1, st, NULL) == SQLITE_OK)
    return NHI_OK;
  nhi_error("data access: cannot read the evidence store: %s",
            sqlite3_errmsg(d->store->db));
  return NHI_ERR_DB;
}

/* Finalises st; a step that ended in anything but SQLITE_DONE is
 * logged, unless rc already says what went wrong. */
static enum nhi_rc finish(struct deriver *d, sqlite3_stmt *st, int step,
                          enum nhi_rc rc)
{
  if (!rc && step != SQLITE_DONE) {
    nhi_error("data access: cannot read the evidence store: %s",
              sqlite3_errmsg(d->store->db));
    rc = NHI_ERR_DB;
  }
  sqlite3_finalize(st);
  return rc;
}

/* A pattern the prefilter cannot judge stands for any resource. */
static const char *pattern_of(const char *p)
{
  return strstr(p, "${") ? "*" : p;
}

static enum nhi_rc add_candidate_row(struct candidates *c, const char *arn,
                                     const char *pattern)
{
  struct candidate *last = c->n ? &c->items[c->n - 1] : NULL, *grown;
  size_t cap;

  if (!last || strcmp(last->arn, arn) != 0) {
    if (c->n == c->cap) {
      cap = c->cap ? c->cap * 2 : 64;
      grown = realloc(c->items, cap * sizeof *grown);
      if (!grown)
        return NHI_ERR_NOMEM;
      c->items = grown;
      c->cap = cap;
    }
    last = &c->items[c->n];
    memset(last, 0, sizeof *last);
    if (!(last->arn = strdup(arn)))
      return NHI_ERR_NOMEM;
    c->n++;
  }
  if (strings_has(&last->patterns, pattern_of(pattern)))
    return NHI_OK;
  return strings_add(&last->patterns, pattern_of(pattern));
}

/* The users and roles with an Allow grant whose actions may belong to
 * service (its prefix, a wildcard in the service part, NotAction), and
 * the Resource patterns of those grants (NotResource stands for "*").
 * Nothing else can be allowed by identity-based policies. */
static enum nhi_rc load_candidates(struct deriver *d, const char *service,
                                   struct candidates *out)
{
  static const char sql[] =
    "SELECT i.native_id, CASE WHEN g.not_resource THEN '*'"
    " ELSE r.value END"
    " FROM identities i JOIN grants g ON g.identity_id = i.id,"
    " json_each(g.resources) r"
    " WHERE i.provider = 'aws' AND" IAM_PRINCIPAL("i")
    " AND g.effect = 'allow'"
    " AND (g.not_action OR EXISTS (SELECT 1 FROM json_each(g.actions) a"
    "  WHERE a.value = '*' OR lower(a.value) GLOB ?1 || ':*'"
    "  OR instr(a.value, ':') = 0"
    "  OR substr(a.value, 1, instr(a.value, ':') - 1) GLOB '*[*?]*'))"
    " ORDER BY i.native_id";
  sqlite3_stmt *st = NULL;
  enum nhi_rc rc = prepare(d, sql, &st);
  int step = SQLITE_DONE;

  if (rc)
    return rc;
  sqlite3_bind_text(st, 1, service, -1, SQLITE_STATIC);
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
    rc = add_candidate_row(out, text_at(st, 0), text_at(st, 1));
  return finish(d, st, step, rc);
}

static enum nhi_rc add_target(struct targets *t, const struct data_store *ds,
                              sqlite3_stmt *st)
{
  struct target *grown, *x;
  size_t cap;

  if (t->n == t->cap) {
    cap = t->cap ? t->cap * 2 : 64;
    grown = realloc(t->items, cap * sizeof *grown);
    if (!grown)
      return NHI_ERR_NOMEM;
    t->items = grown;
    t->cap = cap;
  }
  x = &t->items[t->n];
  memset(x, 0, sizeof *x);
  x->ds = ds;
  x->has_policy = sqlite3_column_int(st, 1);
  x->default_key_policy = !x->has_policy && !strcmp(ds->type, "kms-key");
  if (!(x->arn = strdup(text_at(st, 0))))
    return NHI_ERR_NOMEM;
  t->n++;
  return NHI_OK;
}

/* The collected stores of ds's type, and whether each has a
 * resource-based policy in the evidence. */
static enum nhi_rc load_targets(struct deriver *d, const struct data_store *ds,
                                struct targets *out)
{
  static const char sql[] =
    "SELECT r.native_id, EXISTS (SELECT 1 FROM policies p"
    "  WHERE p.provider = 'aws' AND p.kind = 'resource'"
    "  AND p.native_id = r.native_id AND p.document IS NOT NULL)"
    " FROM resources r WHERE r.provider = 'aws' AND r.type = ?1"
    " AND (?2 IS NULL OR instr(r.native_id, ?2) > 0)"
    " ORDER BY r.native_id";
  sqlite3_stmt *st = NULL;
  enum nhi_rc rc = prepare(d, sql, &st);
  int step = SQLITE_DONE;

  if (rc)
    return rc;
  sqlite3_bind_text(st, 1, ds->type, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, ds->arn_part, -1, SQLITE_STATIC);
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
    rc = add_target(out, ds, st);
  return finish(d, st, step, rc);
}

/* Runs sql (its ?1 bound to arg) and adds each row's first column to
 * out. */
static enum nhi_rc load_list(struct deriver *d, const char *sql,
                             const char *arg, struct strings *out)
{
  sqlite3_stmt *st = NULL;
  enum nhi_rc rc = prepare(d, sql, &st);
  int step = SQLITE_DONE;

  if (rc)
    return rc;
  sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
    rc = strings_add(out, text_at(st, 0));
  return finish(d, st, step, rc);
}

/* The identities t's resource-based policy may grant to: every one when
 * it names "*" or uses NotPrincipal, else those whose ARN it holds. An
 * account named delegates to IAM policies, which load_candidates
 * covers. */
static enum nhi_rc load_named(struct deriver *d, struct target *t)
{
  static const char sql[] =
    "SELECT i.native_id FROM identities i, policies p"
    " WHERE p.provider = 'aws' AND p.kind = 'resource'"
    " AND p.native_id = ?1 AND json_valid(p.document)"
    " AND i.provider = 'aws' AND" IAM_PRINCIPAL("i")
    " AND (instr(p.document, i.native_id) > 0"
    "  OR EXISTS (SELECT 1 FROM json_tree(p.document) t"
    "   WHERE t.key = 'NotPrincipal' OR (t.atom = '*' AND"
    "   (t.key IN ('Principal', 'AWS') OR t.path GLOB '*.AWS'"
    "    OR t.path GLOB '*.Principal'))))"
    " ORDER BY i.native_id";

  return load_list(d, sql, t->arn, &t->named);
}

/* The object patterns under bucket t that its policy's Resource names:
 * each is asked about, so a grant on a prefix is not missed. */
static enum nhi_rc load_policy_scopes(struct deriver *d, struct target *t)
{
  static const char sql[] =
    "SELECT DISTINCT t.atom FROM policies p, json_tree(p.document) t"
    " WHERE p.provider = 'aws' AND p.kind = 'resource'"
    " AND p.native_id = ?1 AND json_valid(p.document)"
    " AND t.type = 'text' AND (t.key = 'Resource'"
    "  OR t.path GLOB '*.Resource')"
    " AND substr(t.atom, 1, length(?1) + 1) = ?1 || '/'"
    " AND instr(t.atom, '${') = 0 ORDER BY 1";

  return load_list(d, sql, t->arn, &t->scopes);
}

/* 1 when pattern names some of bucket t's objects, not all of them. */
static int is_object_scope(const struct target *t, const char *pattern)
{
  size_t n = strlen(t->arn);

  return t->ds->object[0] && strncmp(pattern, t->arn, n) == 0 &&
         pattern[n] == '/' && strcmp(pattern + n, t->ds->object) != 0 &&
         !strstr(pattern, "${");
}

/* Whether one of c's Allow patterns may cover t's data. */
static int may_reach(const struct candidate *c, const struct target *t,
                     const char *data)
{
  for (size_t i = 0; i < c->patterns.n; i++) {
    const char *p = c->patterns.items[i];

    if (strcmp(p, "*") == 0 || nhi_aws_arn_match(p, data) ||
        is_object_scope(t, p))
      return 1;
  }
  return 0;
}

/* The resources to ask about: t's data, and for a bucket each object
 * pattern the identity's grants or the bucket policy name. */
static enum nhi_rc scopes_of(const struct target *t, const char *data,
                             const struct candidate *c, struct strings *out)
{
  enum nhi_rc rc = strings_add(out, data);

  for (size_t i = 0; c && i < c->patterns.n && !rc; i++)
    if (is_object_scope(t, c->patterns.items[i]) &&
        !strings_has(out, c->patterns.items[i]))
      rc = strings_add(out, c->patterns.items[i]);
  for (size_t i = 0; i < t->scopes.n && !rc; i++)
    if (is_object_scope(t, t->scopes.items[i]) &&
        !strings_has(out, t->scopes.items[i]))
      rc = strings_add(out, t->scopes.items[i]);
  return rc;
}

static void access_clear(struct access *a)
{
  cJSON_Delete(a->allowed);
  cJSON_Delete(a->unsure);
  cJSON_Delete(a->objects);
  memset(a, 0, sizeof *a);
}

static enum nhi_rc access_init(struct access *a)
{
  memset(a, 0, sizeof *a);
  a->allowed = cJSON_CreateArray();
  a->unsure = cJSON_CreateArray();
  a->objects = cJSON_CreateArray();
  if (a->allowed && a->unsure && a->objects)
    return NHI_OK;
  access_clear(a);
  return NHI_ERR_NOMEM;
}

/* The condition key the engine could not settle, if it named one. */
static const char *unknown_key(const struct nhi_aws_result *r)
{
  for (size_t i = 0; i < r->nreasons; i++)
    if (r->reasons[i].applies == NHI_AWS_UNKNOWN && r->reasons[i].cond_key)
      return r->reasons[i].cond_key;
  return NULL;
}

/* {action, why, condition_key} for an action left indeterminate. */
static enum nhi_rc add_unsure(struct access *a, const char *action,
                              const char *why, const char *key)
{
  cJSON *o = cJSON_CreateObject();

  if (o && cJSON_AddStringToObject(o, "action", action) &&
      cJSON_AddStringToObject(o, "why", why) &&
      (!key || cJSON_AddStringToObject(o, "condition_key", key)) &&
      cJSON_AddItemToArray(a->unsure, o))
    return NHI_OK;
  cJSON_Delete(o);
  return NHI_ERR_NOMEM;
}

/* Records that action is allowed on scope (an object pattern of a
 * bucket, or the store itself). */
static enum nhi_rc add_allowed(struct access *a, const struct target *t,
                               const char *action, const char *scope,
                               const struct nhi_aws_result *r)
{
  const char *object = t->ds->object[0] ? scope + strlen(t->arn) + 1 : NULL;
  int n = cJSON_GetArraySize(a->allowed);
  const cJSON *last = n ? cJSON_GetArrayItem(a->allowed, n - 1) : NULL;

  if (strstr(r->summary, "identity-based"))
    a->by_identity = 1;
  else
    a->by_resource = 1;
  if ((!last || strcmp(last->valuestring, action) != 0) &&
      !cJSON_AddItemToArray(a->allowed, cJSON_CreateString(action)))
    return NHI_ERR_NOMEM;
  /* Every object allowed ("*") says all there is to say. */
  for (const cJSON *o = a->objects->child; object && o; o = o->next)
    if (strcmp(o->valuestring, object) == 0 ||
        strcmp(o->valuestring, "*") == 0)
      return NHI_OK;
  if (object && !cJSON_AddItemToArray(a->objects,
                                      cJSON_CreateString(object)))
    return NHI_ERR_NOMEM;
  return NHI_OK;
}

/* Asks the engine whether arn may do action on each scope. An allow for
 * a key whose policy is not in the evidence stays indeterminate: only
 * AWS's default key policy would make it one. The condition key named
 * is borrowed from the engine's statements. */
static enum nhi_rc judge_action(struct deriver *d, const struct target *t,
                                const char *arn, const char *action,
                                const struct strings *scopes,
                                struct access *a)
{
  static const char no_key_policy[] =
    "the key policy is not in the evidence: IAM policies allow it, and "
    "the default key policy would let them";
  struct nhi_aws_query q = { arn, action, NULL, NULL };
  struct nhi_aws_result r;
  const char *why = NULL, *key = NULL;
  enum nhi_rc rc = NHI_OK;
  int allowed = 0;

  for (size_t i = 0; i < scopes->n && !rc; i++) {
    q.resource = scopes->items[i];
    rc = nhi_aws_engine_decide(d->engine, &q, &r);
    d->stats.decisions++;
    if (!rc && r.decision == NHI_AWS_ALLOW && t->default_key_policy) {
      why = why ? why : no_key_policy;
    } else if (!rc && r.decision == NHI_AWS_ALLOW) {
      allowed = 1;
      rc = add_allowed(a, t, action, q.resource, &r);
    } else if (!rc && r.decision == NHI_AWS_INDETERMINATE && !why) {
      why = r.summary;
      key = unknown_key(&r);
    }
    nhi_aws_result_clear(&r);
  }
  if (!rc && !allowed && why)
    rc = add_unsure(a, action, why, key);
  return rc;
}

/* attrs of an edge: how it was derived, the decision, and what the
 * engine could not settle. */
static cJSON *edge_attrs(const struct target *t, const struct access *a,
                         int allowed)
{
  cJSON *o = cJSON_CreateObject(), *via = cJSON_AddArrayToObject(o, "via");
  int ok = o && via &&
           cJSON_AddStringToObject(o, "derived", DERIVED) &&
           cJSON_AddStringToObject(o, "decision",
                                   allowed ? "allow" : "indeterminate") &&
           cJSON_AddStringToObject(o, "resource_type", t->ds->type);

  if (ok && a->by_identity)
    ok = cJSON_AddItemToArray(via, cJSON_CreateString("identity"));
  if (ok && a->by_resource)
    ok = cJSON_AddItemToArray(via, cJSON_CreateString("resource"));
  if (ok && cJSON_GetArraySize(a->objects))
    ok = cJSON_AddItemToObject(o, "objects",
                               cJSON_Duplicate(a->objects, 1));
  if (ok && cJSON_GetArraySize(a->unsure))
    ok = cJSON_AddItemToObject(o, "indeterminate",
                               cJSON_Duplicate(a->unsure, 1));
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* The actions of an edge: those allowed, else those left
 * indeterminate. */
static cJSON *edge_actions(const struct access *a, int allowed)
{
  cJSON *list;

  if (allowed)
    return cJSON_Duplicate(a->allowed, 1);
  list = cJSON_CreateArray();
  for (const cJSON *u = a->unsure->child; list && u; u = u->next)
    if (!cJSON_AddItemToArray(list, cJSON_CreateString(
          cJSON_GetObjectItemCaseSensitive(u, "action")->valuestring))) {
      cJSON_Delete(list);
      return NULL;
    }
  return list;
}

static enum nhi_rc write_edge(struct deriver *d, const struct target *t,
                              const char *arn, const char *kind,
                              const struct access *a)
{
  int allowed = cJSON_GetArraySize(a->allowed) > 0;
  cJSON *actions = edge_actions(a, allowed);
  cJSON *attrs = edge_attrs(t, a, allowed);
  char *actions_text = actions ? cJSON_PrintUnformatted(actions) : NULL;
  char *attrs_text = attrs ? cJSON_PrintUnformatted(attrs) : NULL;
  enum nhi_rc rc = NHI_ERR_NOMEM;
  struct nhi_row r;

  if (actions_text && attrs_text) {
    nhi_row_start(&r, NHI_T_EDGE);
    nhi_row_text(&r, "kind", kind);
    nhi_row_text(&r, "from_type", "identity");
    nhi_row_text(&r, "from_ref", arn);
    nhi_row_text(&r, "to_type", "resource");
    nhi_row_text(&r, "to_ref", t->arn);
    nhi_row_text(&r, "actions", actions_text);
    nhi_row_text(&r, "attrs", attrs_text);
    rc = nhi_row_put(d->store, &r, NULL);
  }
  if (!rc) {
    if (strcmp(kind, "can_read") == 0)
      d->stats.reads++;
    else
      d->stats.writes++;
    d->stats.indeterminate += !allowed;
  }
  cJSON_free(actions_text);
  cJSON_free(attrs_text);
  cJSON_Delete(actions);
  cJSON_Delete(attrs);
  return rc;
}

/* One edge kind for one identity and store: each action asked, an edge
 * written when one is allowed or left indeterminate. */
static enum nhi_rc judge_kind(struct deriver *d, const struct target *t,
                              const char *arn, const char *kind,
                              const char *const *actions,
                              const struct strings *scopes)
{
  struct access a;
  enum nhi_rc rc;

  if (!actions)
    return NHI_OK;
  rc = access_init(&a);
  for (size_t i = 0; actions[i] && !rc; i++)
    rc = judge_action(d, t, arn, actions[i], scopes, &a);
  if (!rc && (cJSON_GetArraySize(a.allowed) ||
              cJSON_GetArraySize(a.unsure)))
    rc = write_edge(d, t, arn, kind, &a);
  access_clear(&a);
  return rc;
}

/* What identity arn (c: its grants' patterns, NULL when it has none
 * for the service) may read and write of t. */
static enum nhi_rc judge_pair(struct deriver *d, const struct target *t,
                              const char *arn, const struct candidate *c,
                              const char *data)
{
  struct strings scopes = { 0 };
  enum nhi_rc rc = scopes_of(t, data, c, &scopes);

  d->stats.pairs++;
  if (!rc)
    rc = judge_kind(d, t, arn, "can_read", t->ds->read, &scopes);
  if (!rc)
    rc = judge_kind(d, t, arn, "can_write", t->ds->write, &scopes);
  strings_free(&scopes);
  return rc;
}

static int compare_candidate(const void *key, const void *item)
{
  return strcmp(key, ((const struct candidate *)item)->arn);
}

/* Notes candidate c under t, once. */
static enum nhi_rc add_reach(struct target *t, size_t c)
{
  size_t *grown, cap;

  if (t->nreach && t->reach[t->nreach - 1] == c)
    return NHI_OK;
  if (t->nreach == t->capreach) {
    cap = t->capreach ? t->capreach * 2 : 8;
    grown = realloc(t->reach, cap * sizeof *grown);
    if (!grown)
      return NHI_ERR_NOMEM;
    t->reach = grown;
    t->capreach = cap;
  }
  t->reach[t->nreach++] = c;
  return NHI_OK;
}

/* The first target (sorted) whose ARN is not below the len bytes of p. */
static size_t lower_bound(const struct targets *ts, const char *p,
                          size_t len)
{
  size_t lo = 0, hi = ts->n, mid;

  while (lo < hi) {
    mid = lo + (hi - lo) / 2;
    if (strncmp(ts->items[mid].arn, p, len) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Notes candidate c under every target that pattern p may cover: those
 * whose ARN starts with p's text before its first wildcard, and those
 * whose ARN is that text cut at a '/' or ':' (p names part of them). A
 * superset: may_reach decides. */
static enum nhi_rc index_pattern(struct targets *ts, size_t c,
                                 const char *p)
{
  size_t len = strcspn(p, "*?"), k;
  enum nhi_rc rc = NHI_OK;

  for (k = lower_bound(ts, p, len); k < ts->n && !rc &&
       strncmp(ts->items[k].arn, p, len) == 0; k++)
    rc = add_reach(&ts->items[k], c);
  for (size_t j = 1; j < len && !rc; j++) {
    if (p[j] != '/' && p[j] != ':')
      continue;
    k = lower_bound(ts, p, j);
    if (k < ts->n && strlen(ts->items[k].arn) == j &&
        strncmp(ts->items[k].arn, p, j) == 0)
      rc = add_reach(&ts->items[k], c);
  }
  return rc;
}

/* Which candidates each target should be checked against, so that a
 * store is not matched against every identity's patterns. */
static enum nhi_rc index_candidates(struct targets *ts,
                                    const struct candidates *cands)
{
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; i < cands->n && !rc; i++)
    for (size_t j = 0; j < cands->items[i].patterns.n && !rc; j++)
      rc = index_pattern(ts, i, cands->items[i].patterns.items[j]);
  return rc;
}

/* Every identity that may reach t: through its grants, or named by t's
 * policy. */
static enum nhi_rc derive_target(struct deriver *d, struct target *t,
                                 const struct candidates *cands)
{
  char *data = nhi_aprintf("%s%s", t->arn, t->ds->object);
  enum nhi_rc rc = data ? NHI_OK : NHI_ERR_NOMEM;
  const struct candidate *c;

  if (!rc && t->has_policy)
    rc = load_named(d, t);
  if (!rc && t->has_policy && t->ds->object[0])
    rc = load_policy_scopes(d, t);
  for (size_t i = 0; i < t->nreach && !rc; i++) {
    c = &cands->items[t->reach[i]];
    if (may_reach(c, t, data))
      rc = judge_pair(d, t, c->arn, c, data);
  }
  /* Those named and not asked above. */
  for (size_t i = 0; i < t->named.n && !rc; i++) {
    c = cands->n ? bsearch(t->named.items[i], cands->items, cands->n,
                           sizeof *cands->items, compare_candidate)
                 : NULL;
    if (!c || !may_reach(c, t, data))
      rc = judge_pair(d, t, t->named.items[i], c, data);
  }
  free(data);
  return rc;
}

static enum nhi_rc derive_store(struct deriver *d,
                                const struct data_store *ds)
{
  struct candidates cands = { 0 };
  struct targets targets = { 0 };
  enum nhi_rc rc = load_targets(d, ds, &targets);

  if (!rc && targets.n)
    rc = load_candidates(d, ds->service, &cands);
  if (!rc)
    rc = index_candidates(&targets, &cands);
  for (size_t i = 0; i < targets.n && !rc; i++)
    rc = derive_target(d, &targets.items[i], &cands);
  d->stats.resources += targets.n;
  candidates_free(&cands);
  targets_free(&targets);
  return rc;
}

static enum nhi_rc derive_all(struct deriver *d)
{
  enum nhi_rc rc = nhi_store_exec(d->store,
    "DELETE FROM edges WHERE kind IN ('can_read', 'can_write') AND"
    " CASE WHEN json_valid(attrs) THEN json_extract(attrs, '$.derived')"
    " END = '" DERIVED "'", "cannot remove earlier data access edges");

  for (size_t i = 0; i < sizeof stores / sizeof stores[0] && !rc; i++)
    rc = derive_store(d, &stores[i]);
  return rc;
}

/* The page cache size of store's connection (PRAGMA cache_size), or 0
 * when it cannot be read. */
static long long cache_size(struct nhi_store *store)
{
  sqlite3_stmt *st = NULL;
  long long n = 0;

  if (sqlite3_prepare_v2(store->db, "PRAGMA cache_size", -1, &st,
                         NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

/* Sets the page cache to n (pages, or KiB when negative). */
static enum nhi_rc set_cache_size(struct nhi_store *store, long long n)
{
  char sql[48];

  snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", n);
  return nhi_store_exec(store, sql, "cannot size the page cache");
}

enum nhi_rc nhi_aws_access_derive(struct nhi_store *store, const char *home,
                                  struct nhi_aws_access_stats *stats)
{
  struct deriver d = { store, NULL, { 0 } };
  long long cache = cache_size(store);
  enum nhi_rc rc = nhi_aws_engine_new(store, home, &d.engine);

  /* Edges go into two indexes in no useful order: with the default
   * cache, SQLite spills and rewrites their pages many times over. */
  if (!rc && cache)
    rc = set_cache_size(store, -DERIVE_CACHE_KIB);
  if (!rc) {
    nhi_aws_engine_default_key_policy(d.engine, 1);
    rc = nhi_store_begin(store);
  }
  if (!rc) {
    rc = derive_all(&d);
    if (!rc)
      rc = nhi_store_commit(store);
    if (rc)
      nhi_store_rollback(store);
  }
  if (cache && set_cache_size(store, cache) && !rc)
    rc = NHI_ERR_DB;
  nhi_aws_engine_free(d.engine);
  if (stats)
    *stats = d.stats;
  return rc;
}
