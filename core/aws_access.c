/* Data access: which AWS identities can read or write which data stores,
 * asked of the policy engine after collection and kept as can_read and
 * can_write edges. */
#include "aws_access.h"

#include "aws_access_int.h"
#include "strutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The principals asked about: IAM users and roles, whatever kind the
 * collector gave them (a machine user is a service_account). The
 * account root is not governed by IAM policies. */
#define IAM_PRINCIPAL(i)                                              \
  " (" i ".native_id GLOB 'arn:*:iam::*:user/*' OR " i ".native_id"   \
  " GLOB 'arn:*:iam::*:role/*')"

/* The page cache while edges are written, in KiB. */
#define DERIVE_CACHE_KIB 131072LL

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

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

static void candidates_free(struct candidates *c)
{
  for (size_t i = 0; i < c->n; i++) {
    free(c->items[i].arn);
    nhi_access_strings_free(&c->items[i].patterns);
  }
  free(c->items);
  memset(c, 0, sizeof *c);
}

static void targets_free(struct targets *t)
{
  for (size_t i = 0; i < t->n; i++) {
    free(t->items[i].arn);
    free(t->items[i].data);
    free(t->items[i].account);
    nhi_access_strings_free(&t->items[i].named);
    nhi_access_strings_free(&t->items[i].scopes);
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
  if (nhi_access_strings_has(&last->patterns, pattern_of(pattern)))
    return NHI_OK;
  return nhi_access_strings_add(&last->patterns, pattern_of(pattern));
}

/* The services whose stores are derived, once each. */
#define MAX_SERVICES (sizeof stores / sizeof stores[0])

/* The candidates of each service the stores belong to. */
struct service_cands {
  const char *service;
  struct candidates cands;
};

struct all_cands {
  struct service_cands items[MAX_SERVICES];
  size_t n;
};

/* 1 when action (an Action entry) may name an action of service: "*",
 * no service part, a wildcard in it, or the service itself. */
static int may_belong(const char *action, const char *service)
{
  const char *colon = strchr(action, ':');
  size_t len = colon ? (size_t)(colon - action) : 0;

  if (!colon || strcmp(action, "*") == 0)
    return 1;
  if (memchr(action, '*', len) || memchr(action, '?', len))
    return 1;
  return len == strlen(service) && strncasecmp(action, service, len) == 0;
}

/* Which services a grant's actions may reach, as bits of all. */
static unsigned services_of(const struct all_cands *all, int not_action,
                            const char *actions)
{
  cJSON *list = not_action ? NULL : cJSON_Parse(actions);
  const cJSON *a;
  unsigned bits = 0;

  if (not_action || !cJSON_IsArray(list)) {
    cJSON_Delete(list);
    return (1u << all->n) - 1;
  }
  cJSON_ArrayForEach(a, list)
    for (size_t i = 0; cJSON_IsString(a) && i < all->n; i++)
      if (may_belong(a->valuestring, all->items[i].service))
        bits |= 1u << i;
  cJSON_Delete(list);
  return bits;
}

/* The users and roles with an Allow grant whose actions may belong to
 * each service (its prefix, a wildcard in the service part, NotAction),
 * and the Resource patterns of those grants (NotResource stands for
 * "*"), in one pass over the grants. Nothing else can be allowed by
 * identity-based policies. */
static enum nhi_rc load_candidates(struct deriver *d, struct all_cands *all)
{
  static const char sql[] =
    "SELECT i.native_id, g.id, g.not_action, g.actions,"
    " CASE WHEN g.not_resource THEN '*' ELSE r.value END"
    " FROM identities i JOIN grants g ON g.identity_id = i.id,"
    " json_each(g.resources) r"
    " WHERE i.provider = 'aws' AND" IAM_PRINCIPAL("i")
    " AND g.effect = 'allow' ORDER BY i.native_id, g.id";
  sqlite3_stmt *st = NULL;
  enum nhi_rc rc = prepare(d, sql, &st);
  int step = SQLITE_DONE;
  long long grant = -1;
  unsigned bits = 0;

  if (rc)
    return rc;
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    if (sqlite3_column_int64(st, 1) != grant) {
      grant = sqlite3_column_int64(st, 1);
      bits = services_of(all, sqlite3_column_int(st, 2), text_at(st, 3));
    }
    for (size_t i = 0; i < all->n && !rc; i++)
      if (bits & (1u << i))
        rc = add_candidate_row(&all->items[i].cands, text_at(st, 0),
                               text_at(st, 4));
  }
  return finish(d, st, step, rc);
}

/* The distinct services of the stores, each with its candidates. */
static enum nhi_rc load_all_candidates(struct deriver *d,
                                       struct all_cands *all)
{
  size_t k;

  memset(all, 0, sizeof *all);
  for (size_t i = 0; i < MAX_SERVICES; i++) {
    for (k = 0; k < all->n; k++)
      if (strcmp(all->items[k].service, stores[i].service) == 0)
        break;
    if (k == all->n)
      all->items[all->n++].service = stores[i].service;
  }
  return load_candidates(d, all);
}

static void all_cands_free(struct all_cands *all)
{
  for (size_t i = 0; i < all->n; i++)
    candidates_free(&all->items[i].cands);
  all->n = 0;
}

static const struct candidates *cands_of(const struct all_cands *all,
                                         const char *service)
{
  for (size_t i = 0; i < all->n; i++)
    if (strcmp(all->items[i].service, service) == 0)
      return &all->items[i].cands;
  return NULL;
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
  x = &t->items[t->n++];
  memset(x, 0, sizeof *x);
  x->ds = ds;
  x->has_policy = sqlite3_column_int(st, 1);
  x->has_tags = sqlite3_column_int(st, 3);
  x->default_key_policy = !x->has_policy && !strcmp(ds->type, "kms-key");
  x->arn = strdup(text_at(st, 0));
  x->data = x->arn ? nhi_aprintf("%s%s", x->arn, ds->object) : NULL;
  if (sqlite3_column_type(st, 2) != SQLITE_NULL &&
      !(x->account = strdup(text_at(st, 2))))
    return NHI_ERR_NOMEM;
  return x->data ? NHI_OK : NHI_ERR_NOMEM;
}

/* The collected stores of ds's type, whether each has a resource-based
 * policy in the evidence, its row's account and whether it has tags. */
static enum nhi_rc load_targets(struct deriver *d, const struct data_store *ds,
                                struct targets *out)
{
  static const char sql[] =
    "SELECT r.native_id, EXISTS (SELECT 1 FROM policies p"
    "  WHERE p.provider = 'aws' AND p.kind = 'resource'"
    "  AND p.native_id = r.native_id AND p.document IS NOT NULL),"
    " r.account, coalesce(r.tags NOT IN ('', '{}', 'null'), 0)"
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
    rc = nhi_access_strings_add(out, text_at(st, 0));
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

/* One job of a scope: a broad candidate in a group, or one store. */
struct job {
  size_t group;
  size_t cand;                /* NO_CANDIDATE: the store's job */
  size_t target;
};

#define NO_CANDIDATE SIZE_MAX

/* Everything known about one kind of data store while it is derived. */
struct scope {
  struct targets targets;
  const struct candidates *cands;   /* borrowed */
  struct group *groups;
  size_t ngroups;
  unsigned char *broad;       /* [candidate * ngroups + group] */
  struct job *jobs;           /* in the order their edges are written */
  size_t njobs, capjobs;
};

static int is_broad(const struct scope *sc, size_t c, size_t g)
{
  return sc->broad && sc->broad[c * sc->ngroups + g];
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
  return nhi_access_lower_bound(ts, 0, ts->n, p, len);
}

/* Notes candidate c under every target that pattern p may cover: those
 * whose ARN starts with p's text before its first wildcard, and those
 * whose ARN is that text cut at a '/' or ':' (p names part of them). A
 * superset: nhi_access_may_reach decides. Targets of a group where c is
 * broad are left out: nhi_access_derive_broad judges c there. */
static enum nhi_rc index_pattern(struct targets *ts, size_t c,
                                 const char *p, const struct scope *sc)
{
  size_t len = strcspn(p, "*?"), k;
  enum nhi_rc rc = NHI_OK;

  for (k = lower_bound(ts, p, len); k < ts->n && !rc &&
       strncmp(ts->items[k].arn, p, len) == 0; k++)
    if (!is_broad(sc, c, ts->items[k].group))
      rc = add_reach(&ts->items[k], c);
  for (size_t j = 1; j < len && !rc; j++) {
    if (p[j] != '/' && p[j] != ':')
      continue;
    k = lower_bound(ts, p, j);
    if (k < ts->n && strlen(ts->items[k].arn) == j &&
        strncmp(ts->items[k].arn, p, j) == 0 &&
        !is_broad(sc, c, ts->items[k].group))
      rc = add_reach(&ts->items[k], c);
  }
  return rc;
}

/* Which candidates each target should be checked against, so that a
 * store is not matched against every identity's patterns. */
static enum nhi_rc index_candidates(struct scope *sc)
{
  const struct candidates *cands = sc->cands;
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; i < cands->n && !rc; i++)
    for (size_t j = 0; j < cands->items[i].patterns.n && !rc; j++)
      rc = index_pattern(&sc->targets, i, cands->items[i].patterns.items[j],
                         sc);
  return rc;
}

/* Which candidates are broad in which group (nhi_access_is_broad). */
static enum nhi_rc find_broad(const struct deriver *d, struct scope *sc)
{
  size_t ng = sc->ngroups;

  if (!d->min_set)
    return NHI_OK;
  sc->broad = sc->cands->n && ng ? calloc(sc->cands->n, ng) : NULL;
  if (sc->cands->n && ng && !sc->broad)
    return NHI_ERR_NOMEM;
  for (size_t g = 0; g < ng; g++) {
    for (size_t c = 0; c < sc->cands->n; c++)
      sc->broad[c * ng + g] = (unsigned char)nhi_access_is_broad(
        &sc->cands->items[c], &sc->groups[g]);
  }
  return NHI_OK;
}

static enum nhi_rc judge_and_queue(struct deriver *d, const struct target *t,
                                   const char *arn,
                                   const struct candidate *c)
{
  struct access read, write;
  enum nhi_rc rc = nhi_access_judge(d, t, arn, c, &read, &write);

  if (!rc && nhi_access_any(&read))
    rc = nhi_access_write_edge(d, t, arn, "can_read", &read);
  if (!rc && nhi_access_any(&write))
    rc = nhi_access_write_edge(d, t, arn, "can_write", &write);
  nhi_access_clear(&read);
  nhi_access_clear(&write);
  return rc;
}

/* Every identity that may reach t but is not broad in its group:
 * through its grants, or named by t's policy. */
static enum nhi_rc derive_target(struct deriver *d, const struct scope *sc,
                                 const struct target *t)
{
  const struct candidates *cands = sc->cands;
  const struct candidate *c;
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; i < t->nreach && !rc; i++) {
    c = &cands->items[t->reach[i]];
    if (nhi_access_may_reach(c, t))
      rc = judge_and_queue(d, t, c->arn, c);
  }
  /* Those named and not asked above. */
  for (size_t i = 0; i < t->named.n && !rc; i++) {
    c = cands->n ? bsearch(t->named.items[i], cands->items, cands->n,
                           sizeof *cands->items, compare_candidate)
                 : NULL;
    if (c && is_broad(sc, (size_t)(c - cands->items), t->group))
      continue;
    if (!c || !nhi_access_may_reach(c, t))
      rc = judge_and_queue(d, t, t->named.items[i], c);
  }
  return rc;
}

/* A job: what the resource-based policy of target index names. */
static enum nhi_rc load_policy(struct deriver *d, void *arg, size_t index)
{
  struct scope *sc = arg;
  struct target *t = &sc->targets.items[index];
  enum nhi_rc rc = NHI_OK;

  if (t->has_policy)
    rc = load_named(d, t);
  if (!rc && t->has_policy && t->ds->object[0])
    rc = load_policy_scopes(d, t);
  return rc;
}

/* The scope's jobs in the order one thread did them: group by group,
 * the broad candidates and then the stores one by one. */
static enum nhi_rc add_job(struct scope *sc, size_t group, size_t cand,
                           size_t target)
{
  struct job *grown;
  size_t cap;

  if (sc->njobs == sc->capjobs) {
    cap = sc->capjobs ? sc->capjobs * 2 : 256;
    grown = realloc(sc->jobs, cap * sizeof *grown);
    if (!grown)
      return NHI_ERR_NOMEM;
    sc->jobs = grown;
    sc->capjobs = cap;
  }
  sc->jobs[sc->njobs++] = (struct job){ group, cand, target };
  return NHI_OK;
}

static enum nhi_rc list_jobs(struct scope *sc)
{
  const struct group *gr;
  enum nhi_rc rc = NHI_OK;

  for (size_t g = 0; g < sc->ngroups && !rc; g++) {
    gr = &sc->groups[g];
    for (size_t c = 0; c < sc->cands->n && !rc; c++)
      if (is_broad(sc, c, g))
        rc = add_job(sc, g, c, 0);
    for (size_t k = gr->first; k < gr->first + gr->n && !rc; k++)
      if (sc->targets.items[k].group == g)
        rc = add_job(sc, g, NO_CANDIDATE, k);
  }
  return rc;
}

/* A job: the edges of one broad candidate in its group, or of one
 * store. */
static enum nhi_rc derive_job(struct deriver *d, void *arg, size_t index)
{
  const struct scope *sc = arg;
  const struct job *j = &sc->jobs[index];

  if (j->cand != NO_CANDIDATE)
    return nhi_access_derive_broad(d, &sc->groups[j->group], &sc->targets,
                                   &sc->cands->items[j->cand]);
  return derive_target(d, sc, &sc->targets.items[j->target]);
}

static void scope_free(struct scope *sc)
{
  targets_free(&sc->targets);
  nhi_access_groups_free(sc->groups, sc->ngroups);
  free(sc->broad);
  free(sc->jobs);
}

static enum nhi_rc derive_store(struct crew *crew,
                                const struct data_store *ds,
                                const struct all_cands *all)
{
  struct deriver *d = nhi_access_crew_main(crew);
  struct scope sc = { .cands = cands_of(all, ds->service) };
  enum nhi_rc rc = load_targets(d, ds, &sc.targets);

  if (!rc)
    rc = nhi_access_groups(&sc.targets, &sc.groups, &sc.ngroups);
  if (!rc)
    rc = find_broad(d, &sc);
  if (!rc)
    rc = index_candidates(&sc);
  if (!rc)
    rc = list_jobs(&sc);
  if (!rc)
    rc = nhi_access_crew_marks(crew, &sc.targets);
  if (!rc)
    rc = nhi_access_crew_each(crew, sc.targets.n, load_policy, &sc);
  if (!rc)
    rc = nhi_access_crew_write(crew, sc.njobs, derive_job, &sc);
  d->stats.resources += sc.targets.n;
  scope_free(&sc);
  return rc;
}

static enum nhi_rc derive_all(struct nhi_store *store, struct crew *crew)
{
  enum nhi_rc rc = nhi_store_exec(store,
    "DELETE FROM edges WHERE kind IN ('can_read', 'can_write') AND"
    " CASE WHEN json_valid(attrs) THEN json_extract(attrs, '$.derived')"
    " END = '" NHI_ACCESS_DERIVED "'",
    "cannot remove earlier data access edges");
  struct all_cands all = { .n = 0 };

  if (!rc)
    rc = load_all_candidates(nhi_access_crew_main(crew), &all);
  for (size_t i = 0; i < sizeof stores / sizeof stores[0] && !rc; i++)
    rc = derive_store(crew, &stores[i], &all);
  all_cands_free(&all);
  return rc;
}

enum nhi_rc nhi_aws_access_derive(struct nhi_store *store, const char *home,
                                  struct nhi_aws_access_stats *stats)
{
  return nhi_aws_access_derive_with(store, home, NHI_AWS_ACCESS_MIN_SET, 0,
                                    stats);
}

enum nhi_rc nhi_aws_access_derive_with(struct nhi_store *store,
                                       const char *home, size_t min_set,
                                       size_t threads,
                                       struct nhi_aws_access_stats *stats)
{
  struct crew *crew = NULL;
  long long cache = nhi_store_cache_size(store);
  enum nhi_rc rc = nhi_access_crew_new(store, home, min_set, threads,
                                       &crew);

  /* Edges go into two indexes in no useful order: with the default
   * cache, SQLite spills and rewrites their pages many times over. */
  if (!rc && cache)
    rc = nhi_store_set_cache_size(store, -DERIVE_CACHE_KIB);
  if (!rc)
    rc = nhi_store_begin(store);
  if (!rc) {
    rc = derive_all(store, crew);
    if (!rc)
      rc = nhi_store_commit(store);
    if (rc)
      nhi_store_rollback(store);
  }
  if (cache && nhi_store_set_cache_size(store, cache) && !rc)
    rc = NHI_ERR_DB;
  if (stats && crew)
    nhi_access_crew_stats(crew, stats);
  else if (stats)
    memset(stats, 0, sizeof *stats);
  nhi_access_crew_free(crew);
  return rc;
}
