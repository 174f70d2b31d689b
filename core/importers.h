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

/* Imports the AWS IAM credential report at path into s: the CSV
 * (`get-credential-report --query Content --output text | base64 -d`)
 * or the JSON the CLI prints without --query (Content in base64,
 * ReportFormat, GeneratedTime). Columns are found by header name. Each
 * row upserts its user (the root user as "arn:<partition>:iam::<account>
 * :root", attrs.root) with password, MFA and last-use facts merged into
 * attrs; a user another source wrote keeps its kind and is_human, and
 * last_used_at only moves later. Each access key or signing certificate
 * slot that holds one becomes a credentials row (no key ids: the report
 * has none). The caller owns the open transaction and sets
 * s->source_id; now is unused (the report's dates are absolute). *stats
 * (zeroed first) counts rows read and written. Returns NHI_OK, or
 * NHI_ERR_INPUT with one logged message naming the file and, for a bad
 * row, its line (NHI_ERR_NOMEM, NHI_ERR_DB likewise). */
enum nhi_rc nhi_import_aws_credreport(struct nhi_store *s, const char *path,
                                      time_t now,
                                      struct nhi_import_stats *stats);

/* Imports AWS CloudTrail logs at path: one file, or a folder walked in
 * name order for *.json.gz, *.json, *.jsonl (and .ndjson) files, as S3
 * delivers them (AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/) or as
 * JSON Lines exports; digest files are skipped. Files are streamed, one
 * record at a time, and events are aggregated in memory into activity
 * rows keyed by (identity, action, resource, source_ip, user_agent):
 * identity_ref is the role ARN for assumed-role sessions, the service
 * for AWS service calls, else the caller's ARN; action is
 * "<service>:<eventName>", "#denied" appended for calls authorization
 * refused and failed console sign-ins. identity_id is set when the
 * identity is in s. stats counts events (records), files and rows;
 * stats->account is the first recipientAccountId. Returns NHI_OK, or
 * NHI_ERR_INPUT with one message naming the file and the record (a
 * corrupt or truncated file fails the whole import), NHI_ERR_NOMEM,
 * NHI_ERR_IO or NHI_ERR_DB likewise. */
enum nhi_rc nhi_import_aws_cloudtrail(struct nhi_store *s, const char *path,
                                      time_t now,
                                      struct nhi_import_stats *stats);

/* How nhi_import_aws_cloudtrail_tuned reads; 0 for the defaults. */
struct nhi_trail_tuning {
  size_t chunk;               /* decompressed bytes a read
                                 (NHI_JSON_STREAM_CHUNK) */
  size_t max_keys;            /* rows are written whenever this many are
                                 held (NHI_ACTIVITY_MAX_KEYS) */
  size_t threads;             /* files are read on this many threads at
                                 most (the processors, up to 4) */
};

/* nhi_import_aws_cloudtrail tuned by t (NULL: the defaults), so that
 * tests can split records across reads and rows across writes, and
 * read on one thread or several. Files are read in parallel, each
 * thread aggregating on its own; their tables are merged, so the rows
 * do not depend on the threads, except when max_keys are reached: rows
 * are then written as they are merged, and a key may get one row per
 * write. */
enum nhi_rc nhi_import_aws_cloudtrail_tuned(struct nhi_store *s,
                                            const char *path, time_t now,
                                            struct nhi_import_stats *stats,
                                            const struct nhi_trail_tuning *t);

/* Imports AWS CloudTrail trail configuration at path (a file, or a
 * folder of *.json files), each file recognised by its keys: `aws
 * cloudtrail describe-trails` ({"trailList": [...]}) or get-trail
 * ({"Trail": {...}}), get-event-selectors ({"TrailARN", "EventSelectors"
 * or "AdvancedEventSelectors"}) and get-trail-status ({"IsLogging",
 * ...}, matched to the trail whose name the file's name contains, or to
 * the only trail). Each trail becomes a resource of type
 * "cloudtrail-trail" (native_id its ARN; attrs in docs/usage.md), and
 * the account one of type "cloudtrail-account" whose attrs.trail_count
 * says how many trails describe-trails listed (0: no trail at all).
 * Returns NHI_OK, or NHI_ERR_INPUT with one message naming the file (an
 * unrecognised file, a malformed one), NHI_ERR_NOMEM or NHI_ERR_DB. */
enum nhi_rc nhi_import_aws_trails(struct nhi_store *s, const char *path,
                                  time_t now,
                                  struct nhi_import_stats *stats);

#endif
