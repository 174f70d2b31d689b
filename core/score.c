/* Scoring: the four questions' answers and scores, and the overall
 * grade. The method is docs/scoring.md; keep the two in step. */
#include "score.h"
#include "plugin.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const needs_ai_access[] = {
  "ai_agents", "grants", "resources", NULL
};
static const char *const needs_overprivilege[] = {
  "identities", "grants", NULL
};
static const char *const needs_monitoring[] = {
  "identities", "activity", NULL
};
static const char *const needs_trace[] = {
  "ai_agents", "edges", "activity", NULL
};

/* How much of the population each identity's worst finding weighs
 * (critical 4, high 2, medium 1, low 0.25; indeterminate half): a
 * critical finding on 5% of the NHIs gives an exposure of 0.2, and the
 * score is 100 e^-exposure (82), which falls fast but keeps telling a
 * bad estate from a worse one. A finding tied to
 * no identity is account-wide and weighs as if it touched a quarter of
 * the population. */
#define WEIGHT                                                          \
  "(CASE severity WHEN 'critical' THEN 4.0 WHEN 'high' THEN 2.0"       \
  " WHEN 'medium' THEN 1.0 WHEN 'low' THEN 0.25 ELSE 0 END"            \
  " * CASE status WHEN 'indeterminate' THEN 0.5 ELSE 1 END)"

static const char exposure_sql[] =
  "SELECT coalesce((SELECT sum(w) FROM (SELECT max(" WEIGHT ") AS w"
  "   FROM findings WHERE question = ?1 AND identity_ref IS NOT NULL"
  "   GROUP BY identity_ref)), 0) / max(?2, 1)"
  " + coalesce((SELECT sum(" WEIGHT ") * 0.25 FROM findings"
  "   WHERE question = ?1 AND identity_ref IS NULL), 0)";

const char *const *nhi_score_needs(const char *question)
{
  switch (nhi_vocab_index(nhi_questions, question)) {
  case 0: return needs_ai_access;
  case 1: return needs_overprivilege;
  case 2: return needs_monitoring;
  default: return needs_trace;
  }
}

static long long count(struct nhi_store *s, const char *sql,
                       const char *arg)
{
  sqlite3_stmt *st = NULL;
  long long n = -1;

  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
    return -1;
  if (arg)
    sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

static void measure_coverage(struct nhi_store *s,
                             struct nhi_question_score *q)
{
  const char *const *needs = nhi_score_needs(q->id);
  char sql[96];
  size_t total = 0;

  for (; *needs; needs++, total++) {
    snprintf(sql, sizeof sql, "SELECT EXISTS (SELECT 1 FROM %s)", *needs);
    if (count(s, sql, NULL) != 1 && q->nmissing < 4)
      q->missing[q->nmissing++] = *needs;
  }
  q->coverage = total ? (double)(total - q->nmissing) / (double)total : 0;
}

static double exposure(struct nhi_store *s, const char *question,
                       long long population)
{
  sqlite3_stmt *st = NULL;
  double e = 1.0;

  if (sqlite3_prepare_v2(s->db, exposure_sql, -1, &st, NULL) != SQLITE_OK)
    return e;
  sqlite3_bind_text(st, 1, question, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, population);
  if (sqlite3_step(st) == SQLITE_ROW)
    e = sqlite3_column_double(st, 0);
  sqlite3_finalize(st);
  return e;
}

static void count_findings(struct nhi_store *s, struct nhi_question_score *q)
{
  static const char sql[] =
    "SELECT severity, status, count(*) FROM findings WHERE question = ?"
    " GROUP BY severity, status";
  sqlite3_stmt *st = NULL;
  int sev;

  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
    return;
  sqlite3_bind_text(st, 1, q->id, -1, SQLITE_STATIC);
  while (sqlite3_step(st) == SQLITE_ROW) {
    long long n = sqlite3_column_int64(st, 2);

    sev = nhi_vocab_index(nhi_severities,
                          (const char *)sqlite3_column_text(st, 0));
    if (strcmp((const char *)sqlite3_column_text(st, 1), "fail") == 0 &&
        sev >= 0)
      q->counts[sev] += n;
    else
      q->indeterminate += n;
    q->total += n;
  }
  sqlite3_finalize(st);
}

static void count_checks(struct nhi_store *s, struct nhi_question_score *q)
{
  q->checks_ok = (int)count(s, "SELECT count(*) FROM plugin_runs WHERE "
                          "stage = 'check' AND status = 'ok' AND "
                          "question = ?", q->id);
  q->checks_failed = (int)count(s, "SELECT count(*) FROM plugin_runs "
                              "WHERE stage = 'check' AND status = "
                              "'failed' AND question = ?", q->id);
}

/* yes needs a high score, no critical or high finding, full coverage
 * and no failed check; no is a low score or any critical finding. */
static const char *answer(const struct nhi_question_score *q)
{
  if (!q->assessed)
    return "not-assessed";
  if (q->score < 50 || q->counts[0] > 0)
    return "no";
  if (q->score >= 80 && q->counts[1] == 0 && q->coverage >= 1.0 &&
      q->checks_failed == 0)
    return "yes";
  return "partly";
}

static void grade(struct nhi_score *out)
{
  static const struct { int floor; char letter; } scale[] = {
    { 90, 'A' }, { 80, 'B' }, { 70, 'C' }, { 60, 'D' }, { 0, 'F' }
  };
  size_t i = 0;

  while (out->overall < scale[i].floor)
    i++;
  out->grade[0] = scale[i].letter;
  out->grade[1] = '\0';
}

enum nhi_rc nhi_score_compute(struct nhi_store *s, struct nhi_score *out)
{
  double sum = 0;

  memset(out, 0, sizeof *out);
  out->population = count(s, "SELECT count(*) FROM identities WHERE "
                          "is_human = 0", NULL);
  if (out->population < 0)
    return NHI_ERR_DB;
  for (int i = 0; i < NHI_QUESTIONS; i++) {
    struct nhi_question_score *q = &out->q[i];

    q->id = nhi_questions[i];
    measure_coverage(s, q);
    count_findings(s, q);
    count_checks(s, q);
    q->assessed = q->checks_ok > 0;
    if (q->assessed)
      q->score = (int)lround(100.0 * exp(-exposure(s, q->id,
                                                    out->population)));
    q->answer = answer(q);
    sum += q->assessed ? q->score * q->coverage : 0;
  }
  out->overall = (int)lround(sum / NHI_QUESTIONS);
  grade(out);
  return NHI_OK;
}
