/* IAM users and roles in an export: their shared fields, their identity
 * row, and whether a person or a machine is behind them. */
#ifndef NHI_AWS_PRINCIPAL_H
#define NHI_AWS_PRINCIPAL_H

#include "import_util.h"
#include "nhi.h"
#include "store.h"
#include "timeutil.h"

#include <cJSON.h>

/* What users and roles share, read before anything is written. The
 * strings arn, name, path and owner are borrowed from the export. */
struct nhi_aws_principal {
  const char *arn;
  const char *name;
  const char *path;           /* NULL when absent */
  const char *owner;          /* value of the first owner-like tag */
  char *account;              /* from the ARN, malloc'd; NULL if none */
  char created[NHI_TIME_SIZE];  /* CreateDate normalised, or "" */
  char last_used[NHI_TIME_SIZE];  /* RoleLastUsed date, or "" */
  const char *tracked_since;  /* where the window last_used covers
                                 starts, or NULL when untracked */
  cJSON *tags;                /* {Key: Value}, owned */
  cJSON *attrs;               /* the identity's attrs, owned */
  cJSON *attached;            /* AttachedManagedPolicies, checked */
  cJSON *inline_list;         /* inline policies, documents decoded */
  long long row;              /* identities row id, once written */
};

/* Reads the fields users and roles share from item. keys name the name,
 * id and inline policy list fields ({"UserName", "UserId",
 * "UserPolicyList"}). Sets w->name. attrs gets path, id,
 * attached_policies and permissions_boundary; the inline documents are
 * decoded in place. p is the caller's (nhi_aws_principal_free). Errors
 * are logged through w. */
enum nhi_rc nhi_aws_principal_read(struct nhi_where *w, cJSON *item,
                                   const char *const keys[3],
                                   struct nhi_aws_principal *p);

/* Reads what only roles have: p->last_used from RoleLastUsed, and into
 * attrs instance_profiles, last_used_region and service_linked. Errors
 * are logged through w. */
enum nhi_rc nhi_aws_role_read(struct nhi_where *w, const cJSON *item,
                              struct nhi_aws_principal *p);

/* 1 for an IAM Identity Center role, which people sign in to. */
int nhi_aws_role_is_sso(const struct nhi_aws_principal *p);

/* Decides from tags, path and name whether a user is a machine (GAAD
 * holds no sign-in data): *machine is 1 for a type tag of service,
 * machine, bot, automation, workload or system, a path or name that
 * reads like automation, and 0 for a person. attrs gets machine_signal
 * or human_signal saying why. Errors logged via w. */
enum nhi_rc nhi_aws_user_classify(const struct nhi_where *w,
                                  struct nhi_aws_principal *p, int *machine);

/* Checks an AttachedManagedPolicies list (may be NULL) and adds each
 * PolicyArn to arns unless arns is NULL. Errors logged via w. */
enum nhi_rc nhi_aws_attached_read(struct nhi_where *w, const cJSON *list,
                                  cJSON *arns);

/* Writes p as an identity of provider aws; p->row gets its row id.
 * Errors are logged (through w when memory runs out). */
enum nhi_rc nhi_aws_principal_write(const struct nhi_where *w,
                                    struct nhi_store *s,
                                    struct nhi_aws_principal *p,
                                    const char *kind, int is_human);

/* Frees what p owns; the fields borrowed from the export stay. */
void nhi_aws_principal_free(struct nhi_aws_principal *p);

#endif
