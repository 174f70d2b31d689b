/* The cases of tests/oracle/oracle.mjs read back in C and compiled for
 * the AWS policy engine: shared by the differential test and the
 * engine benchmark. */
#ifndef NHI_ORACLE_CASE_H
#define NHI_ORACLE_CASE_H

#include "aws_eval.h"
#include "nhi.h"

#include <cJSON.h>
#include <stddef.h>

/* One case's policies, context and request, compiled. */
struct oracle_case {
  struct nhi_aws_stmts identity, boundary, resource;
  struct nhi_aws_stmts *scps;
  const struct nhi_aws_stmts **scp_view;
  size_t nscps;
  struct nhi_aws_context ctx;
  struct nhi_aws_policyset ps;
  struct nhi_aws_request rq;
};

/* Reads the JSON Lines cases file at path into *list, a cJSON array
 * with one object per case (the caller's, cJSON_Delete). Logs what is
 * wrong and returns NHI_ERR_INPUT, NHI_ERR_IO or NHI_ERR_NOMEM. */
enum nhi_rc oracle_cases_read(const char *path, cJSON **list);

/* A case's request and the policy documents it is judged under, as
 * read from its JSON object: what iam-simulate's side of the benchmark
 * builds before it starts timing (tests/oracle/simulate.mjs,
 * `simulation`). Borrows the case's strings and documents. */
struct oracle_request {
  const cJSON *identity;         /* array of documents */
  const cJSON *boundary, *resource_policy;   /* document or NULL */
  const cJSON *scps;             /* array of levels, each of documents */
  const cJSON *context;          /* object of condition keys */
  int role, resource_required;
  const char *principal, *principal_account, *action, *resource,
             *resource_account;
};

/* Reads case c's request into *r (which borrows from c). */
void oracle_case_request(const cJSON *c, struct oracle_request *r);

/* Checks and compiles r's policies and context into *oc, as
 * oracle_case_load does; *oc borrows r's strings. */
enum nhi_rc oracle_case_compile(const struct oracle_request *r,
                                struct oracle_case *oc, char *why,
                                size_t n);

/* Compiles case c into *oc, which borrows c's strings: keep c until
 * oracle_case_free(oc). A policy the engine's loader refuses gives
 * NHI_ERR_INPUT with the reason in why (n bytes); NHI_ERR_NOMEM. oc is
 * left empty on failure. */
enum nhi_rc oracle_case_load(const cJSON *c, struct oracle_case *oc,
                             char *why, size_t n);

/* Frees what oc holds and zeroes it. */
void oracle_case_free(struct oracle_case *oc);

/* The decision the engine must reach on c ("allow", "deny",
 * "implicit-deny"): the oracle's, or for a documented difference the
 * oracle's on the rewritten case. NULL when the oracle refused the case.
 * Borrowed from c. */
const char *oracle_case_expected(const cJSON *c);

/* The string at key in c, or NULL. */
const char *oracle_case_text(const cJSON *c, const char *key);

#endif
