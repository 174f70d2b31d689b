/* Judging many resources for one principal, action and context. */
#include "aws_judge.h"

#include "aws_arn.h"

#include <string.h>

enum nhi_rc nhi_aws_judge_start(struct nhi_aws_judge *j,
                                struct nhi_aws_engine *e,
                                const struct nhi_aws_query *q)
{
  enum nhi_rc rc;

  memset(j, 0, sizeof *j);
  j->engine = e;
  j->q = *q;
  rc = nhi_aws_engine_allow_scope(e, q->principal, q->action, &j->scope);
  if (!rc)
    rc = nhi_aws_engine_alike(e, q->principal, q->action, &j->alike);
  return rc;
}

/* The account of an IAM resource whose decision j may keep, into id;
 * 0 when it has none that can be kept (not IAM, or no 12-digit
 * account in its ARN). */
static int kept_account(const struct nhi_aws_judge *j, char id[16])
{
  struct nhi_aws_arn a;

  if (!j->alike || !nhi_aws_iam_without_policy(&j->q) ||
      !nhi_aws_arn_parse(j->q.resource, &a) || a.account_len != 12)
    return 0;
  memcpy(id, a.account, 12);
  id[12] = '\0';
  return 1;
}

static const struct nhi_aws_judged_account *
find_account(const struct nhi_aws_judge *j, const char *id)
{
  for (size_t i = 0; i < j->nseen; i++)
    if (strcmp(j->seen[i].id, id) == 0)
      return &j->seen[i];
  return NULL;
}

static void keep_account(struct nhi_aws_judge *j, const char *id,
                         enum nhi_aws_decision d)
{
  if (j->nseen == NHI_AWS_JUDGE_ACCOUNTS)
    return;
  memcpy(j->seen[j->nseen].id, id, 13);
  j->seen[j->nseen++].decision = d;
}

enum nhi_rc nhi_aws_judge_one(struct nhi_aws_judge *j, const char *resource,
                              enum nhi_aws_decision *out)
{
  const struct nhi_aws_judged_account *known;
  char id[16];
  int has = 1, keep;
  enum nhi_rc rc;

  j->q.resource = resource;
  *out = NHI_AWS_IMPLICIT_DENY;
  if (!nhi_aws_scope_covers(&j->scope, resource)) {
    rc = nhi_aws_engine_has_rpolicy(j->engine, &j->q, &has);
    if (rc || !has)
      return rc;
  }
  keep = kept_account(j, id);
  if (keep && (known = find_account(j, id)) != NULL) {
    *out = known->decision;
    return NHI_OK;
  }
  nhi_aws_result_clear(&j->result);
  rc = nhi_aws_engine_decide(j->engine, &j->q, &j->result);
  if (rc)
    return rc;
  *out = j->result.decision;
  if (keep)
    keep_account(j, id, *out);
  return NHI_OK;
}

void nhi_aws_judge_free(struct nhi_aws_judge *j)
{
  nhi_aws_scope_free(&j->scope);
  nhi_aws_result_clear(&j->result);
  memset(j, 0, sizeof *j);
}
