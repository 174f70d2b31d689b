/* Row writers the AWS unit tests share; see aws_rows.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "aws_rows.h"
#include "import_util.h"

long long aws_put_identity(struct nhi_store *s, const struct aws_identity *i)
{
  const char *slash = strrchr(i->arn, '/');
  const char *kind = i->kind ? i->kind
                             : strstr(i->arn, ":role/") ? "role" : "user";
  struct nhi_row r;
  long long id = 0;

  nhi_row_start(&r, NHI_T_IDENTITY);
  nhi_row_text(&r, "provider", "aws");
  nhi_row_text(&r, "account", i->account);
  nhi_row_text(&r, "native_id", i->arn);
  nhi_row_text(&r, "name", slash ? slash + 1 : i->arn);
  nhi_row_text(&r, "kind", kind);
  nhi_row_text(&r, "attrs", i->attrs);
  nhi_row_text(&r, "tags", i->tags);
  if (nhi_row_put(s, &r, &id))
    fail_msg("cannot write identity '%s'", i->arn);
  return id;
}

void aws_put_grant(struct nhi_store *s, long long id,
                   const struct aws_grant *g)
{
  struct nhi_row r;

  nhi_row_start(&r, NHI_T_GRANT);
  nhi_row_int(&r, "identity_id", id);
  nhi_row_text(&r, "effect", g->effect);
  nhi_row_text(&r, "actions", g->actions);
  nhi_row_int(&r, "not_action", g->not_action);
  nhi_row_text(&r, "resources", g->resources);
  nhi_row_int(&r, "not_resource", g->not_resource);
  nhi_row_text(&r, "condition", g->condition);
  nhi_row_text(&r, "via", "inline");
  nhi_row_text(&r, "policy", g->policy ? g->policy : "test-policy");
  nhi_row_text(&r, "sid", g->sid);
  if (nhi_row_put(s, &r, NULL))
    fail_msg("cannot write a grant");
}

void aws_put_resource(struct nhi_store *s, const struct aws_resource *res)
{
  struct nhi_row r;

  nhi_row_start(&r, NHI_T_RESOURCE);
  nhi_row_text(&r, "provider", "aws");
  nhi_row_text(&r, "account", res->account);
  nhi_row_text(&r, "native_id", res->arn);
  nhi_row_text(&r, "type", res->type);
  nhi_row_text(&r, "tags", res->tags);
  nhi_row_text(&r, "sensitivity", res->label);
  nhi_row_text(&r, "sensitivity_source", res->label ? "profile" : NULL);
  if (nhi_row_put(s, &r, NULL))
    fail_msg("cannot write resource '%s'", res->arn);
}

void aws_put_policy(struct nhi_store *s, const char *arn, const char *kind,
                    const char *doc)
{
  struct nhi_row r;

  nhi_row_start(&r, NHI_T_POLICY);
  nhi_row_text(&r, "provider", "aws");
  nhi_row_text(&r, "native_id", arn);
  nhi_row_text(&r, "kind", kind);
  nhi_row_text(&r, "document", doc);
  if (nhi_row_put(s, &r, NULL))
    fail_msg("cannot write the policy '%s'", arn);
}
