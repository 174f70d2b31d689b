/* The AWS action catalogue (plugins/data/aws/actions.tsv): every action of
 * every service, its access level and resource types, for expanding
 * action wildcards. */
#ifndef NHI_AWS_CATALOG_H
#define NHI_AWS_CATALOG_H

#include "nhi.h"

#include <stddef.h>

/* Where the catalogue lives below the install root. */
#define NHI_AWS_CATALOG_PATH "plugins/data/aws/actions.tsv"

struct nhi_aws_catalog;

/* Loads the catalogue file at path (see plugins/data/aws/PROVENANCE.md
 * for its format). *out is the caller's (nhi_aws_catalog_free). Logs
 * "cannot read 'PATH': ..." once and returns NHI_ERR_IO or
 * NHI_ERR_INPUT; NHI_ERR_NOMEM when memory runs out. */
enum nhi_rc nhi_aws_catalog_load(const char *path,
                                 struct nhi_aws_catalog **out);

/* nhi_aws_catalog_load of NHI_AWS_CATALOG_PATH below home. */
enum nhi_rc nhi_aws_catalog_load_home(const char *home,
                                      struct nhi_aws_catalog **out);

void nhi_aws_catalog_free(struct nhi_aws_catalog *c);

/* The number of actions in c. */
size_t nhi_aws_catalog_count(const struct nhi_aws_catalog *c);

/* The actions ("iam:PutRolePolicy", canonical case) that an action
 * pattern ("iam:Put*", "*", "s3:get?bject", any case) matches, in
 * catalogue order. *out is a malloc'd array the caller frees; its
 * strings are borrowed from c. A pattern that names no catalogued
 * action gives *n 0: the engine still matches it literally against the
 * actions a request names. NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_catalog_expand(const struct nhi_aws_catalog *c,
                                   const char *pattern, const char ***out,
                                   size_t *n);

/* The catalogued name of action in its canonical case, or NULL when the
 * catalogue does not list it. Borrowed from c. */
const char *nhi_aws_catalog_canonical(const struct nhi_aws_catalog *c,
                                      const char *action);

/* The access level of action ("List", "Read", "Write", "Permissions
 * management", "Tagging"), or NULL when the catalogue does not list
 * it. Static text. */
const char *nhi_aws_catalog_level(const struct nhi_aws_catalog *c,
                                  const char *action);

/* The resource types of action, comma-separated ("role"; "" when it
 * takes none), or NULL when the catalogue does not list it. Borrowed
 * from c. */
const char *nhi_aws_catalog_resource_types(const struct nhi_aws_catalog *c,
                                           const char *action);

#endif
