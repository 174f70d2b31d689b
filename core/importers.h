/* Importers: C readers of large exports that fill the evidence store. */
#ifndef NHI_IMPORTERS_H
#define NHI_IMPORTERS_H

#include "nhi.h"
#include "store.h"

#include <time.h>

/* What one import read and wrote. */
struct nhi_import_stats {
  long long identities, credentials, policies, grants, edges, resources;
  long long activity;     /* activity rows written */
  long long records;      /* input records read (log events, CSV rows) */
  long long files;        /* input files read (a folder of logs) */
  int truncated;          /* the input said it is incomplete */
  char account[32];       /* account id the input belongs to, or "" */
};

/* Every importer has this shape: it reads path into s within the
 * caller's transaction (s->source_id set), judges time against now,
 * fills *stats (zeroed first) and logs its one error message. */
typedef enum nhi_rc (*nhi_importer_fn)(struct nhi_store *s, const char *path,
                                       time_t now,
                                       struct nhi_import_stats *stats);

/* The importer ctx:import(name, path) runs, or NULL for an unknown name. */
nhi_importer_fn nhi_importer_find(const char *name);

/* Imports the AWS IAM get-account-authorization-details export at path
 * (the CLI's JSON, or policy documents as URL-encoded or plain JSON
 * strings) into s: roles and users as identities (groups only as
 * member_of edges and grants via "group:<name>"), managed, inline and
 * trust policies, one grant per statement each identity holds, trust
 * policies as can_assume edges, and the concrete data resources Allow
 * statements name. The caller owns the open transaction and sets
 * s->source_id. now is the assessment clock: RoleLastUsed covers only
 * the 400 days before it. *stats (zeroed first) counts rows written.
 * Returns NHI_OK, or NHI_ERR_INPUT with one logged message naming the
 * file and what is wrong (NHI_ERR_NOMEM, NHI_ERR_DB likewise). */
enum nhi_rc nhi_import_aws_authz(struct nhi_store *s, const char *path,
                                 time_t now, struct nhi_import_stats *stats);

#endif
