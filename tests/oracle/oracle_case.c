/* Reads the differential test's cases and compiles each for the AWS
 * policy engine, the way nhiscope compiles the policies of an export. */
#include "oracle_case.h"

#include "aws_policy.h"
#include "json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *oracle_case_text(const cJSON *c, const char *key)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);

  return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *oracle_case_expected(const cJSON *c)
{
  const char *oracle = oracle_case_text(c, "oracle");

  if (!oracle || strcmp(oracle, "error") == 0)
    return NULL;
  if (oracle_case_text(c, "difference"))
    return oracle_case_text(c, "engine_expect");
  return oracle;
}

/* Appends each line of buf (split in place) to list, parsed. */
static enum nhi_rc parse_lines(const char *path, char *buf, cJSON *list)
{
  char *line, *save = NULL;
  long n = 0;
  cJSON *c;

  for (line = strtok_r(buf, "\n", &save); line;
       line = strtok_r(NULL, "\n", &save)) {
    n++;
    c = cJSON_Parse(line);
    if (!c) {
      nhi_error("cannot read '%s': line %ld is not JSON", path, n);
      return NHI_ERR_INPUT;
    }
    if (!cJSON_AddItemToArray(list, c)) {
      cJSON_Delete(c);
      nhi_error("cannot read '%s': out of memory", path);
      return NHI_ERR_NOMEM;
    }
  }
  return NHI_OK;
}

enum nhi_rc oracle_cases_read(const char *path, cJSON **list)
{
  char *buf = NULL;
  size_t len;
  enum nhi_rc rc;

  *list = NULL;
  rc = nhi_file_read(path, &buf, &len);
  if (rc)
    return rc;
  *list = cJSON_CreateArray();
  if (!*list) {
    nhi_error("cannot read '%s': out of memory", path);
    rc = NHI_ERR_NOMEM;
    goto out;
  }
  rc = parse_lines(path, buf, *list);
  if (rc) {
    cJSON_Delete(*list);
    *list = NULL;
  }
out:
  free(buf);
  return rc;
}

/* Loads doc as the policy loader reads an export's document and adds
 * its statements to list. The loader wants the document under a key of
 * a parent, which it rewrites only to replace a string document by its
 * parse: a reference to doc, not a copy, stands in that parent, so
 * timing a load does not time copying the tree. */
static enum nhi_rc compile_doc(struct nhi_aws_stmts *list, const char *id,
                               const cJSON *doc, char *why, size_t n)
{
  cJSON *wrap = cJSON_CreateObject(), *loaded = NULL;
  char *reason = NULL;
  enum nhi_rc rc = NHI_ERR_NOMEM;

  if (!wrap ||
      !cJSON_AddItemReferenceToObject(wrap, "d", (cJSON *)(uintptr_t)doc))
    goto out;
  rc = nhi_aws_policy_load(wrap, "d", &loaded, &reason);
  if (rc == NHI_OK)
    rc = nhi_aws_stmts_add_doc(list, id, loaded);
out:
  if (rc)
    snprintf(why, n, "policy '%s': %s", id, reason ? reason
                                                   : "out of memory");
  free(reason);
  cJSON_Delete(wrap);
  return rc;
}

static enum nhi_rc read_scps(struct oracle_case *oc, const cJSON *levels,
                             char *why, size_t n)
{
  size_t count = (size_t)cJSON_GetArraySize(levels), i = 0;
  const cJSON *level, *doc;
  enum nhi_rc rc;

  oc->scps = calloc(count + 1, sizeof *oc->scps);
  oc->scp_view = calloc(count + 1, sizeof *oc->scp_view);
  if (!oc->scps || !oc->scp_view)
    return NHI_ERR_NOMEM;
  cJSON_ArrayForEach(level, levels) {
    oc->scp_view[i] = &oc->scps[i];
    oc->nscps = ++i;
    cJSON_ArrayForEach(doc, level) {
      rc = compile_doc(&oc->scps[i - 1], "scp", doc, why, n);
      if (rc)
        return rc;
    }
  }
  return NHI_OK;
}

/* A string value is one value, an array several. */
static enum nhi_rc read_context(struct nhi_aws_context *ctx,
                                const cJSON *obj)
{
  const cJSON *k, *v, *list;

  nhi_aws_context_init(ctx, 1);
  cJSON_ArrayForEach(k, obj) {
    list = cJSON_IsArray(k) ? k : NULL;
    if (nhi_aws_context_add(ctx, k->string,
                            cJSON_IsString(k) ? k->valuestring : NULL))
      return NHI_ERR_NOMEM;
    cJSON_ArrayForEach(v, list)
      if (cJSON_IsString(v) &&
          nhi_aws_context_add(ctx, k->string, v->valuestring))
        return NHI_ERR_NOMEM;
  }
  return NHI_OK;
}

static enum nhi_rc compile_policies(const struct oracle_request *r,
                                    struct oracle_case *oc, char *why,
                                    size_t n)
{
  const cJSON *doc;
  enum nhi_rc rc = NHI_OK;

  cJSON_ArrayForEach(doc, r->identity)
    if ((rc = compile_doc(&oc->identity, "identity", doc, why, n)))
      return rc;
  if (r->boundary &&
      (rc = compile_doc(&oc->boundary, "boundary", r->boundary, why, n)))
    return rc;
  if (r->resource_policy &&
      (rc = compile_doc(&oc->resource, "resource", r->resource_policy,
                        why, n)))
    return rc;
  oc->ps.boundary = r->boundary ? &oc->boundary : NULL;
  oc->ps.resource = r->resource_policy ? &oc->resource : NULL;
  return read_scps(oc, r->scps, why, n);
}

void oracle_case_request(const cJSON *c, struct oracle_request *r)
{
  const cJSON *bd = cJSON_GetObjectItemCaseSensitive(c, "boundary");
  const cJSON *rp = cJSON_GetObjectItemCaseSensitive(c, "resourcePolicy");
  const char *kind = oracle_case_text(c, "resourceKind");

  r->identity = cJSON_GetObjectItemCaseSensitive(c, "identity");
  r->boundary = cJSON_IsObject(bd) ? bd : NULL;
  r->resource_policy = cJSON_IsObject(rp) ? rp : NULL;
  r->scps = cJSON_GetObjectItemCaseSensitive(c, "scps");
  r->context = cJSON_GetObjectItemCaseSensitive(c, "context");
  r->resource_required = kind && strcmp(kind, "required") == 0;
  r->role = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "role"));
  r->principal = oracle_case_text(c, "principal");
  r->principal_account = oracle_case_text(c, "principalAccount");
  r->action = oracle_case_text(c, "action");
  r->resource = oracle_case_text(c, "resource");
  r->resource_account = oracle_case_text(c, "resourceAccount");
}

enum nhi_rc oracle_case_compile(const struct oracle_request *r,
                                struct oracle_case *oc, char *why,
                                size_t n)
{
  enum nhi_rc rc;

  memset(oc, 0, sizeof *oc);
  snprintf(why, n, "out of memory");
  rc = compile_policies(r, oc, why, n);
  if (rc == NHI_OK)
    rc = read_context(&oc->ctx, r->context);
  if (rc) {
    oracle_case_free(oc);
    return rc;
  }
  oc->ps.identity = &oc->identity;
  oc->ps.scps = oc->scp_view;
  oc->ps.nscps = oc->nscps;
  oc->ps.resource_kind = r->resource_required ? NHI_AWS_RP_REQUIRED
                                              : NHI_AWS_RP_OPTIONAL;
  oc->ps.principal_is_role = r->role;
  oc->rq = (struct nhi_aws_request){
    r->principal, r->principal_account, r->action, r->resource,
    r->resource_account, &oc->ctx };
  return NHI_OK;
}

enum nhi_rc oracle_case_load(const cJSON *c, struct oracle_case *oc,
                             char *why, size_t n)
{
  struct oracle_request r;

  oracle_case_request(c, &r);
  return oracle_case_compile(&r, oc, why, n);
}

void oracle_case_free(struct oracle_case *oc)
{
  nhi_aws_stmts_free(&oc->identity);
  nhi_aws_stmts_free(&oc->boundary);
  nhi_aws_stmts_free(&oc->resource);
  for (size_t i = 0; i < oc->nscps; i++)
    nhi_aws_stmts_free(&oc->scps[i]);
  free(oc->scps);
  free(oc->scp_view);
  nhi_aws_context_free(&oc->ctx);
  memset(oc, 0, sizeof *oc);
}
