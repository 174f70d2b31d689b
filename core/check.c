/* The check stage: every enabled check over the evidence store, each in
 * its own transaction, so a failing check loses no other findings. */
#include "aws_engine.h"
#include "run.h"
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Seconds on the monotonic clock: how long a check ran, for the log. */
static double seconds_now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int is_disabled(const struct nhi_runtime *rt, const char *id)
{
  const struct nhi_strings *off = &rt->profile.disable;

  for (size_t i = 0; i < off->count; i++)
    if (strcmp(off->items[i], id) == 0)
      return 1;
  return 0;
}

/* Names the first required evidence table that is empty, or NULL. */
static const char *missing_evidence(struct nhi_runtime *rt,
                                    const struct nhi_plugin *p)
{
  char sql[96];
  sqlite3_stmt *st = NULL;
  int empty;

  for (size_t i = 0; i < p->nrequires; i++) {
    /* The name was checked against the table vocabulary at load. */
    snprintf(sql, sizeof sql, "SELECT NOT EXISTS (SELECT 1 FROM %s)",
             p->requires[i]);
    if (sqlite3_prepare_v2(rt->store->db, sql, -1, &st, NULL))
      return p->requires[i];
    empty = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (empty)
      return p->requires[i];
  }
  return NULL;
}

static enum nhi_rc skip(struct nhi_runtime *rt, const struct nhi_plugin *p,
                        const char *why)
{
  struct nhi_run_outcome out = { .error = (char *)why };
  struct nhi_run_entry e = { p->id, "check", p->question, p->path,
                             "check", "skipped", &out, 0 };

  nhi_logp(NHI_LOG_INFO, p->id, "skipped: %s", why);
  return nhi_run_record(rt->store, &e);
}

/* Runs check p; engine is the stage's AWS policy engine, shared by its
 * checks. */
static enum nhi_rc check_one(struct nhi_runtime *rt,
                             const struct nhi_plugin *p,
                             struct nhi_aws_engine **engine)
{
  struct nhi_run run = { .plugin = p, .aws_engine = engine };
  struct nhi_run_outcome out;
  const char *missing;
  char why[128];
  double started;
  enum nhi_rc rc, prc;

  if (is_disabled(rt, p->id))
    return skip(rt, p, "disabled by the profile");
  missing = missing_evidence(rt, p);
  if (missing) {
    snprintf(why, sizeof why, "no evidence in '%s' was collected", missing);
    return skip(rt, p, why);
  }
  nhi_logp(NHI_LOG_INFO, p->id, "running");
  rc = nhi_store_begin(rt->store);
  if (rc)
    return rc;
  started = seconds_now();
  prc = nhi_run_plugin(rt, &run, &out);
  nhi_logp(NHI_LOG_INFO, p->id, "%s in %.1f s; findings: %lld",
           prc ? "failed" : "done", seconds_now() - started,
           (long long)run.findings);
  if (prc == NHI_OK)
    rc = nhi_store_commit(rt->store);
  if (prc || rc) {
    nhi_store_rollback(rt->store);
    rt->failures++;
    run.findings = 0;
  }
  if (!rc) {
    struct nhi_run_entry e = { p->id, "check", p->question, p->path,
                               "check", prc ? "failed" : "ok", &out,
                               run.findings };

    rc = nhi_run_record(rt->store, &e);
  }
  nhi_run_outcome_clear(&out);
  return rc;
}

/* Plugin files that did not load are part of the record too. */
static enum nhi_rc record_load_failures(struct nhi_runtime *rt)
{
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; i < rt->plugins.nfailures && !rc; i++) {
    struct nhi_plugin_failure *f = &rt->plugins.failures[i];
    struct nhi_run_outcome out = { .error = f->error };
    struct nhi_run_entry e = { f->path, "unknown", NULL, f->path, "load",
                               "failed", &out, 0 };

    rc = nhi_run_record(rt->store, &e);
    rt->failures++;
  }
  return rc;
}

enum nhi_rc nhi_stage_check(struct nhi_runtime *rt)
{
  /* Checks only add findings, so what the engine has read of the
   * evidence holds for every check of the stage. */
  struct nhi_aws_engine *engine = NULL;
  enum nhi_rc rc;

  rc = nhi_store_exec(rt->store, "DELETE FROM findings;"
                      "DELETE FROM plugin_runs WHERE stage IN "
                      "('load', 'check')", "cannot clear earlier findings");
  /* Without table statistics SQLite may loop over identities and scan
   * all of activity for each one (a join on the ARN): minutes, not
   * milliseconds, on an account with a month of CloudTrail. */
  if (!rc)
    rc = nhi_store_exec(rt->store, "ANALYZE", "cannot analyze the store");
  if (!rc)
    rc = record_load_failures(rt);
  for (size_t i = 0; i < rt->plugins.count && !rc; i++) {
    const struct nhi_plugin *p = &rt->plugins.items[i];

    if (p->kind != NHI_PLUGIN_CHECK)
      continue;
    nhi_progress("checking", i + 1, rt->plugins.count, p->id);
    rc = check_one(rt, p, &engine);
  }
  nhi_progress_done();
  nhi_aws_engine_free(engine);
  return rc;
}
