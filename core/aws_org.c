/* AWS Organizations service control policies in the evidence store, and
 * the levels of them that apply to an account. */
#include "aws_org.h"

#include "aws_policy.h"

#include <stdlib.h>
#include <string.h>

/* Organizations nest OUs at most five deep below the root; a longer
 * chain in the evidence is a loop. */
#define MAX_DEPTH 8

struct org_scp {
  char *id;
  cJSON *wrap;                /* owns the document */
  cJSON *doc;
  cJSON *targets;
};

struct org_edge {
  char *child, *parent;
};

struct org_account {
  char *account;
  struct nhi_aws_stmts *levels;
  const struct nhi_aws_stmts **view;
  size_t n;
};

struct nhi_aws_org {
  struct org_scp *scps;
  size_t nscps;
  struct org_edge *edges;
  size_t nedges;
  struct org_account *accounts;
  size_t naccounts;
};

static void account_free(struct org_account *a)
{
  for (size_t i = 0; i < a->n; i++)
    nhi_aws_stmts_free(&a->levels[i]);
  free(a->levels);
  free(a->view);
  free(a->account);
}

void nhi_aws_org_free(struct nhi_aws_org *o)
{
  if (!o)
    return;
  for (size_t i = 0; i < o->nscps; i++) {
    free(o->scps[i].id);
    cJSON_Delete(o->scps[i].wrap);
    cJSON_Delete(o->scps[i].targets);
  }
  for (size_t i = 0; i < o->nedges; i++) {
    free(o->edges[i].child);
    free(o->edges[i].parent);
  }
  for (size_t i = 0; i < o->naccounts; i++)
    account_free(&o->accounts[i]);
  free(o->scps);
  free(o->edges);
  free(o->accounts);
  free(o);
}

static enum nhi_rc store_error(struct nhi_store *s, sqlite3_stmt *st)
{
  nhi_error("evidence store: cannot read service control policies: %s",
            sqlite3_errmsg(s->db));
  sqlite3_finalize(st);
  return NHI_ERR_DB;
}

/* Reads one SCP row into *scp; 0 when it is left out (warned). */
static enum nhi_rc read_scp(sqlite3_stmt *st, struct org_scp *scp,
                            int *kept)
{
  const char *id = (const char *)sqlite3_column_text(st, 0);
  const char *doc = (const char *)sqlite3_column_text(st, 1);
  const char *attrs = (const char *)sqlite3_column_text(st, 2);
  cJSON *a = cJSON_Parse(attrs ? attrs : "{}");
  char *why = NULL;
  enum nhi_rc rc = NHI_ERR_NOMEM;

  *kept = 0;
  memset(scp, 0, sizeof *scp);
  scp->wrap = cJSON_CreateObject();
  scp->id = strdup(id);
  if (!scp->wrap || !scp->id ||
      !cJSON_AddStringToObject(scp->wrap, "document", doc))
    goto out;
  rc = nhi_aws_policy_load(scp->wrap, "document", &scp->doc, &why);
  scp->targets = cJSON_DetachItemFromObjectCaseSensitive(a, "targets");
  if (rc == NHI_ERR_INPUT || (!rc && !cJSON_IsArray(scp->targets))) {
    nhi_warn("service control policy '%s' cannot be evaluated: %s", id,
             why ? why : "attrs.targets is not a list");
    rc = NHI_OK;
    goto out;
  }
  *kept = !rc;
out:
  free(why);
  cJSON_Delete(a);
  if (!*kept) {
    free(scp->id);
    cJSON_Delete(scp->wrap);
    cJSON_Delete(scp->targets);
    memset(scp, 0, sizeof *scp);
  }
  return rc;
}

static enum nhi_rc load_scps(struct nhi_store *s, struct nhi_aws_org *o)
{
  static const char sql[] =
    "SELECT native_id, document, attrs FROM policies WHERE provider ="
    " 'aws' AND kind = 'scp' AND document IS NOT NULL ORDER BY native_id";
  sqlite3_stmt *st = NULL;
  struct org_scp *grown;
  enum nhi_rc rc = NHI_OK;
  int step, kept;

  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
    return store_error(s, st);
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    grown = realloc(o->scps, (o->nscps + 1) * sizeof *grown);
    if (!grown) {
      rc = NHI_ERR_NOMEM;
      break;
    }
    o->scps = grown;
    rc = read_scp(st, &o->scps[o->nscps], &kept);
    o->nscps += kept;
  }
  if (!rc && step != SQLITE_DONE)
    return store_error(s, st);
  sqlite3_finalize(st);
  return rc;
}

static enum nhi_rc load_edges(struct nhi_store *s, struct nhi_aws_org *o)
{
  static const char sql[] =
    "SELECT from_ref, to_ref FROM edges WHERE kind = 'member_of' AND"
    " from_type IN ('account', 'ou') AND to_type IN ('ou', 'root')";
  sqlite3_stmt *st = NULL;
  struct org_edge *grown, *e;
  int step;

  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
    return store_error(s, st);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    grown = realloc(o->edges, (o->nedges + 1) * sizeof *grown);
    if (!grown)
      break;
    o->edges = grown;
    e = &o->edges[o->nedges];
    e->child = strdup((const char *)sqlite3_column_text(st, 0));
    e->parent = strdup((const char *)sqlite3_column_text(st, 1));
    o->nedges++;
    if (!e->child || !e->parent)
      break;
  }
  if (step == SQLITE_ROW) {
    sqlite3_finalize(st);
    return NHI_ERR_NOMEM;
  }
  if (step != SQLITE_DONE)
    return store_error(s, st);
  sqlite3_finalize(st);
  return NHI_OK;
}

enum nhi_rc nhi_aws_org_load(struct nhi_store *s, struct nhi_aws_org **out)
{
  struct nhi_aws_org *o = calloc(1, sizeof *o);
  enum nhi_rc rc;

  *out = NULL;
  if (!o)
    return NHI_ERR_NOMEM;
  rc = load_scps(s, o);
  if (!rc && o->nscps)
    rc = load_edges(s, o);
  if (rc) {
    nhi_aws_org_free(o);
    return rc;
  }
  *out = o;
  return NHI_OK;
}

static const char *parent_of(const struct nhi_aws_org *o, const char *id)
{
  for (size_t i = 0; i < o->nedges; i++)
    if (strcmp(o->edges[i].child, id) == 0)
      return o->edges[i].parent;
  return NULL;
}

static int targets(const struct org_scp *scp, const char *id)
{
  const cJSON *t;

  cJSON_ArrayForEach(t, scp->targets)
    if (cJSON_IsString(t) && strcmp(t->valuestring, id) == 0)
      return 1;
  return 0;
}

/* Compiles the SCPs attached to id as one more level of a. */
static enum nhi_rc add_level(const struct nhi_aws_org *o,
                             struct org_account *a, const char *id)
{
  struct nhi_aws_stmts *level = &a->levels[a->n];
  enum nhi_rc rc = NHI_OK;
  int attached = 0;

  memset(level, 0, sizeof *level);
  for (size_t i = 0; i < o->nscps && !rc; i++)
    if (targets(&o->scps[i], id)) {
      attached = 1;
      rc = nhi_aws_stmts_add_doc(level, o->scps[i].id, o->scps[i].doc);
    }
  if (attached || rc)
    a->n++;
  return rc;
}

/* The ids above account: its chain of parents, or every root any SCP
 * targets when the tree does not place it. */
static size_t ancestors(const struct nhi_aws_org *o, const char *account,
                        const char **ids, size_t max)
{
  const char *id = account;
  size_t n = 0;

  while (n < max && (id = parent_of(o, id)) != NULL)
    ids[n++] = id;
  if (n)
    return n;
  for (size_t i = 0; i < o->nscps; i++) {
    const cJSON *t;

    cJSON_ArrayForEach(t, o->scps[i].targets)
      if (n < max && cJSON_IsString(t) &&
          strncmp(t->valuestring, "r-", 2) == 0)
        ids[n++] = t->valuestring;
  }
  return n;
}

static enum nhi_rc build_account(const struct nhi_aws_org *o,
                                 struct org_account *a)
{
  const char *ids[MAX_DEPTH + 1];
  size_t n = ancestors(o, a->account, ids, MAX_DEPTH);
  enum nhi_rc rc = NHI_OK;

  ids[n++] = a->account;
  a->levels = calloc(n, sizeof *a->levels);
  a->view = calloc(n, sizeof *a->view);
  if (!a->levels || !a->view)
    return NHI_ERR_NOMEM;
  for (size_t i = 0; i < n && !rc; i++)
    rc = add_level(o, a, ids[i]);
  for (size_t i = 0; i < a->n; i++)
    a->view[i] = &a->levels[i];
  return rc;
}

enum nhi_rc nhi_aws_org_levels(struct nhi_aws_org *o, const char *account,
                               const struct nhi_aws_stmts *const **levels,
                               size_t *n)
{
  struct org_account *grown, *a;
  enum nhi_rc rc;

  *levels = NULL;
  *n = 0;
  if (!o->nscps || !account)
    return NHI_OK;
  for (size_t i = 0; i < o->naccounts; i++)
    if (strcmp(o->accounts[i].account, account) == 0) {
      *levels = o->accounts[i].view;
      *n = o->accounts[i].n;
      return NHI_OK;
    }
  grown = realloc(o->accounts, (o->naccounts + 1) * sizeof *grown);
  if (!grown)
    return NHI_ERR_NOMEM;
  o->accounts = grown;
  a = &o->accounts[o->naccounts];
  memset(a, 0, sizeof *a);
  a->account = strdup(account);
  rc = a->account ? build_account(o, a) : NHI_ERR_NOMEM;
  if (rc) {
    account_free(a);
    return rc;
  }
  o->naccounts++;
  *levels = a->view;
  *n = a->n;
  return NHI_OK;
}
