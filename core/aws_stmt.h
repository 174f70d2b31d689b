/* IAM policy statements compiled for evaluation: from policy documents or
 * from grant rows, and whether one applies to a request. */
#ifndef NHI_AWS_STMT_H
#define NHI_AWS_STMT_H

#include "aws_condition.h"
#include "aws_context.h"
#include "nhi.h"

#include <cJSON.h>

/* One entry of a Principal or NotPrincipal element. */
struct nhi_aws_principal_entry {
  enum { NHI_AWS_PR_ANY, NHI_AWS_PR_AWS, NHI_AWS_PR_SERVICE,
         NHI_AWS_PR_FEDERATED, NHI_AWS_PR_CANONICAL } type;
  char *value;                /* NULL for ANY */
};

/* How a statement's Principal matched a request's principal. */
enum nhi_aws_pmatch {
  NHI_AWS_PM_NONE = 0,        /* it does not name the principal */
  NHI_AWS_PM_ACCOUNT,         /* through the principal's account */
  NHI_AWS_PM_NAMED,           /* by its own ARN or name */
  NHI_AWS_PM_ANY              /* "*", or a NotPrincipal leaving it out */
};

struct nhi_aws_stmt {
  int allow;                  /* Effect is Allow (else Deny) */
  int not_action, not_resource, not_principal;
  int has_resource;           /* a missing Resource matches anything */
  int has_principal;          /* Principal or NotPrincipal present */
  int variables;              /* ${...} in Resource is a variable */
  char **actions;
  size_t *action_lens;        /* their lengths, in the same block */
  size_t nactions;
  char **resources;
  size_t *resource_lens;
  size_t nresources;
  struct nhi_aws_principal_entry *principals;
  size_t nprincipals;
  cJSON *condition;           /* owned; NULL when none */
  char *policy;               /* native id of the policy it came from */
  char *sid;                  /* NULL when none */
  long index;                 /* its place in the policy, from 0 */
};

/* A growing list of statements, owned. */
struct nhi_aws_stmts {
  struct nhi_aws_stmt *items;
  size_t n, cap;
};

/* A grant row as the store holds it (JSON text columns). */
struct nhi_aws_grant_text {
  const char *effect;         /* "allow" or "deny" */
  const char *actions;        /* JSON list */
  int not_action;
  const char *resources;      /* JSON list */
  int not_resource;
  const char *condition;      /* JSON object, or NULL */
  const char *policy;         /* may be NULL */
  const char *sid;            /* may be NULL */
};

/* The request a statement is matched against. Strings borrowed. */
struct nhi_aws_request {
  const char *principal;      /* ARN, service or federated principal */
  const char *principal_account;  /* NULL when not an account's */
  const char *action;         /* "iam:PassRole" */
  const char *resource;       /* ARN, or "*" */
  const char *resource_account;   /* NULL when unknown */
  const struct nhi_aws_context *ctx;
};

/* What matching a statement found. */
struct nhi_aws_stmt_match {
  enum nhi_aws_tri applies;   /* action, resource, principal, condition */
  enum nhi_aws_pmatch principal;
  struct nhi_aws_cond_note note;  /* why the condition did not hold */
  const char *why;            /* static: what made applies UNKNOWN */
};

/* Adds the statements of doc, a document checked by nhi_aws_policy_load,
 * to list; policy names the document. Policy variables are read only in
 * documents of Version 2012-10-17. NHI_ERR_NOMEM (nothing logged). */
enum nhi_rc nhi_aws_stmts_add_doc(struct nhi_aws_stmts *list,
                                  const char *policy, const cJSON *doc);

/* Adds the statement of one grant row. A row whose JSON does not parse
 * gives NHI_ERR_INPUT and *why (static text); NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_stmts_add_grant(struct nhi_aws_stmts *list,
                                    const struct nhi_aws_grant_text *g,
                                    const char **why);

/* Frees what list holds and empties it. */
void nhi_aws_stmts_free(struct nhi_aws_stmts *list);

/* What in a set of statements can tell two resources apart: the
 * Resource and NotResource patterns, and whether a Condition reads the
 * resource's tags. */
struct nhi_aws_terms {
  const char **patterns;      /* borrowed from the statements */
  unsigned char *variable;    /* patterns[i] holds a policy variable */
  size_t n, cap;
  int reads_resource_tags;    /* a Condition names aws:ResourceTag/... */
};

/* Adds the terms of every statement in list to t; the patterns stay
 * list's. NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_terms_add(struct nhi_aws_terms *t,
                              const struct nhi_aws_stmts *list);

/* Frees what t holds (not the patterns) and empties it. */
void nhi_aws_terms_free(struct nhi_aws_terms *t);

/* 1 when every statement of list that may match action names every
 * resource (Resource "*" among its patterns, or none) and its Condition
 * reads nothing about the resource: for the action, list cannot tell
 * two resources apart. */
int nhi_aws_stmts_alike(const struct nhi_aws_stmts *list, const char *action);

/* Resource pattern p with each policy variable replaced by '*': it
 * matches whatever p may match once the variables have values.
 * Malloc'd (the caller frees it); NULL when memory runs out. */
char *nhi_aws_widen(const char *p);

/* The resources an Allow of an action may name: the Resource patterns
 * (policy variables widened to '*') of the Allow statements whose
 * actions may match it; all resources when one has NotResource or no
 * Resource. Owned. */
struct nhi_aws_scope {
  char **patterns;
  size_t n, cap;
  int all;
};

/* Adds to sc what the Allow statements of list that may match action
 * may name. NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_scope_add(struct nhi_aws_scope *sc,
                              const struct nhi_aws_stmts *list,
                              const char *action);

/* 1 when a resource ARN may be named by sc. */
int nhi_aws_scope_covers(const struct nhi_aws_scope *sc,
                         const char *resource);

void nhi_aws_scope_free(struct nhi_aws_scope *sc);

/* Whether a pattern of st's Action (or NotAction) list matches action,
 * case-insensitively. */
int nhi_aws_stmt_names_action(const struct nhi_aws_stmt *st,
                              const char *action);

/* Matches st against rq into *m. The Principal element is checked only
 * when principals is set (resource-based and trust policies).
 * NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_stmt_match(const struct nhi_aws_stmt *st,
                               const struct nhi_aws_request *rq,
                               int principals,
                               struct nhi_aws_stmt_match *m);

#endif
