/* What the store derives once every source is collected: sensitivity
 * labels (profile, tags, names), one row per AWS key whichever sources
 * list it, the AWS data access edges, and the AI agents' paths to
 * sensitive data. Run by `collect` and by plugin test
 * cases that ask for it. */
#include "runtime.h"
#include "ai_paths.h"
#include "aws_access.h"
#include "aws_keys_merge.h"
#include "sensitivity.h"

#include <stdlib.h>

/* Labels resources from the profile's sensitivity table (ARN globs). */
static enum nhi_rc apply_labels(struct nhi_runtime *rt)
{
  static const char sql[] =
    "UPDATE resources SET sensitivity = ?, sensitivity_source = 'profile'"
    " WHERE native_id GLOB ?";
  const cJSON *label;
  sqlite3_stmt *st = NULL;
  int ok = 1;

  if (!rt->profile.sensitivity)
    return NHI_OK;
  if (sqlite3_prepare_v2(rt->store->db, sql, -1, &st, NULL))
    return NHI_ERR_DB;
  cJSON_ArrayForEach(label, rt->profile.sensitivity) {
    sqlite3_bind_text(st, 1, label->valuestring, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, label->string, -1, SQLITE_STATIC);
    ok = ok && sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  return ok ? NHI_OK : NHI_ERR_DB;
}

static int has_aws_identities(struct nhi_runtime *rt)
{
  static const char sql[] =
    "SELECT 1 FROM identities WHERE provider = 'aws' LIMIT 1";
  sqlite3_stmt *st = NULL;
  int found = 0;

  if (sqlite3_prepare_v2(rt->store->db, sql, -1, &st, NULL) == SQLITE_OK)
    found = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return found;
}

/* The threads the data access derivation asks the engine on:
 * NHISCOPE_ACCESS_THREADS when it is a number from 1 to 64 (1 to
 * compare with, or to measure), else 0: one per processor. */
static size_t access_threads(void)
{
  const char *v = getenv("NHISCOPE_ACCESS_THREADS");
  char *end = NULL;
  unsigned long n = v ? strtoul(v, &end, 10) : 0;

  if (!v || !*v || *end || n < 1 || n > 64) {
    if (v)
      nhi_warn("NHISCOPE_ACCESS_THREADS '%s' is not a number from 1 to "
               "64: using one thread per processor", v);
    return 0;
  }
  return (size_t)n;
}

/* A key listed by several sources (a credential report and
 * ListAccessKeys, two credential reports) becomes one row, so that the
 * checks count it once. */
static enum nhi_rc merge_keys(struct nhi_runtime *rt)
{
  size_t merged = 0;
  enum nhi_rc rc = nhi_aws_keys_merge(rt->store, &merged);

  if (rc) {
    nhi_error("credentials: the keys are kept as each source listed "
              "them");
    rt->failures++;
    return NHI_OK;
  }
  if (merged)
    nhi_info("credentials: %zu keys listed by more than one source "
             "merged", merged);
  return NHI_OK;
}

/* can_read and can_write edges from the AWS policy engine. It runs in its
 * own transaction after every source is committed, so a failure here
 * loses no collected evidence: it is logged and counted as a failure. */
static enum nhi_rc derive_access(struct nhi_runtime *rt)
{
  struct nhi_aws_access_stats st;
  enum nhi_rc rc;

  if (!has_aws_identities(rt))
    return NHI_OK;
  rc = nhi_aws_access_derive_with(rt->store, rt->home,
                                  NHI_AWS_ACCESS_MIN_SET, access_threads(),
                                  &st);
  if (rc) {
    nhi_error("data access: cannot derive can_read/can_write edges; the "
              "collected evidence is kept");
    rt->failures++;
    return rc == NHI_ERR_NOMEM ? rc : NHI_OK;
  }
  nhi_info("data access: %zu can_read and %zu can_write edges (%zu "
           "indeterminate) over %zu data stores, %zu decisions",
           st.reads, st.writes, st.indeterminate, st.resources,
           st.decisions);
  return NHI_OK;
}

/* The AI agents' paths, in their own transaction like the edges they
 * follow: a failure is logged and counted, the evidence kept. */
static enum nhi_rc derive_paths(struct nhi_runtime *rt)
{
  struct nhi_ai_paths_stats st;
  int hops = rt->profile.max_hops ? rt->profile.max_hops
                                  : NHI_AI_PATHS_MAX_HOPS;
  enum nhi_rc rc = nhi_ai_paths_derive(rt->store, rt->home, hops, &st);

  if (rc) {
    nhi_error("ai paths: cannot derive the AI agents' paths; the "
              "collected evidence is kept");
    rt->failures++;
    return rc == NHI_ERR_NOMEM ? rc : NHI_OK;
  }
  if (st.agents)
    nhi_info("ai paths: %zu paths from %zu agents to %zu sensitive "
             "resources (%zu used, %zu unlogged), %zu sts:AssumeRole "
             "decisions", st.paths, st.agents, st.resources, st.used,
             st.unlogged, st.decisions);
  return NHI_OK;
}

enum nhi_rc nhi_stage_derive(struct nhi_runtime *rt)
{
  enum nhi_rc rc = apply_labels(rt);

  if (!rc)
    rc = nhi_sensitivity_from_tags(rt->store);
  if (!rc)
    rc = nhi_sensitivity_from_tag_map(rt->store,
                                      rt->profile.sensitivity_tags);
  if (!rc)
    rc = nhi_sensitivity_from_names(rt->store);
  if (!rc)
    rc = merge_keys(rt);
  if (!rc)
    rc = derive_access(rt);
  if (!rc)
    rc = derive_paths(rt);
  return rc;
}
