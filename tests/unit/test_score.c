/* Unit tests for scoring: answers, scores, coverage and the overall
 * grade (core/score.c, method in docs/scoring.md). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin.h"
#include "score.h"

enum { AI_ACCESS, OVERPRIV, MONITORING, TRACE };

struct fixture {
  char dir[64];
  struct nhi_store *store;
};

static void remove_tree(const char *path)
{
  struct stat sb;
  struct dirent *e;
  DIR *d;
  char sub[4096];

  if (lstat(path, &sb) != 0)
    return;
  if (!S_ISDIR(sb.st_mode)) {
    unlink(path);
    return;
  }
  d = opendir(path);
  while (d && (e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
    remove_tree(sub);
  }
  if (d)
    closedir(d);
  rmdir(path);
}

static int setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);
  char path[128];

  if (!fx)
    return -1;
  strcpy(fx->dir, "/tmp/nhi-unit-score-XXXXXX");
  if (!mkdtemp(fx->dir)) {
    free(fx);
    return -1;
  }
  snprintf(path, sizeof path, "%s/evidence.db", fx->dir);
  if (nhi_store_open(path, &fx->store) != NHI_OK)
    return -1;
  *state = fx;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *fx = *state;

  nhi_store_close(fx->store);
  remove_tree(fx->dir);
  free(fx);
  return 0;
}

static void exec(struct fixture *fx, const char *sql)
{
  if (nhi_store_exec(fx->store, sql, "test") != NHI_OK)
    fail_msg("cannot run '%s'", sql);
}

/* Adds n identities "<prefix>N"; humans when human is set. */
static void add_identities(struct fixture *fx, const char *prefix, int n,
                           int human)
{
  char sql[256];

  for (int i = 1; i <= n; i++) {
    snprintf(sql, sizeof sql, "INSERT INTO identities(provider, native_id,"
             " kind, is_human) VALUES('aws', '%s%d', '%s', %d)", prefix, i,
             human ? "user" : "role", human);
    exec(fx, sql);
  }
}

/* 20 machine roles r1..r20 with one grant: overprivilege's evidence. */
static void add_population(struct fixture *fx)
{
  add_identities(fx, "r", 20, 0);
  exec(fx, "INSERT INTO grants(identity_id, effect, actions, resources,"
       " via) VALUES(1, 'allow', '[\"*\"]', '[\"*\"]', 'inline')");
}

static void add_run(struct fixture *fx, const char *question,
                    const char *status)
{
  char sql[256];

  snprintf(sql, sizeof sql, "INSERT INTO plugin_runs(plugin_id, kind, "
           "question, stage, status) VALUES('c.%s', 'check', '%s', "
           "'check', '%s')", question, question, status);
  exec(fx, sql);
}

/* identity may be NULL: an account-wide finding. */
static void add_finding(struct fixture *fx, const char *question,
                        const char *severity, const char *status,
                        const char *identity)
{
  char sql[384], ref[64] = "NULL";

  if (identity)
    snprintf(ref, sizeof ref, "'%s'", identity);
  snprintf(sql, sizeof sql, "INSERT INTO findings(check_id, question, "
           "severity, status, identity_ref, title) VALUES('c.%s', '%s', "
           "'%s', '%s', %s, 't')", question, question, severity, status,
           ref);
  exec(fx, sql);
}

static struct nhi_score compute(struct fixture *fx)
{
  struct nhi_score sc;

  assert_int_equal(nhi_score_compute(fx->store, &sc), NHI_OK);
  return sc;
}

static void expect_answer(const struct nhi_question_score *q,
                          const char *answer, int score)
{
  if (strcmp(q->answer, answer) != 0)
    fail_msg("%s: answer '%s', expected '%s' (score %d)", q->id, q->answer,
             answer, q->score);
  if (score >= 0 && q->score != score)
    fail_msg("%s: score %d, expected %d", q->id, q->score, score);
}

static void test_question_without_ok_check_not_assessed(void **state)
{
  struct fixture *fx = *state;
  struct nhi_score sc;

  add_population(fx);
  add_run(fx, "overprivilege", "failed");
  add_run(fx, "activity-monitoring", "skipped");
  sc = compute(fx);
  for (int i = 0; i < NHI_QUESTIONS; i++) {
    expect_answer(&sc.q[i], "not-assessed", -1);
    assert_false(sc.q[i].assessed);
  }
  assert_string_equal(sc.q[OVERPRIV].id, "overprivilege");
  assert_int_equal(sc.q[OVERPRIV].checks_failed, 1);
  assert_int_equal(sc.overall, 0);
  assert_string_equal(sc.grade, "F");
}

static void test_clean_question_answers_yes(void **state)
{
  struct fixture *fx = *state;
  struct nhi_score sc;

  add_population(fx);
  add_run(fx, "overprivilege", "ok");
  sc = compute(fx);
  expect_answer(&sc.q[OVERPRIV], "yes", 100);
  assert_true(sc.q[OVERPRIV].coverage == 1.0);
  assert_int_equal(sc.q[OVERPRIV].nmissing, 0);
  assert_int_equal(sc.q[OVERPRIV].checks_ok, 1);
  assert_int_equal(sc.population, 20);
}

static void test_critical_finding_answers_no(void **state)
{
  struct fixture *fx = *state;
  struct nhi_score sc;

  add_population(fx);
  add_run(fx, "overprivilege", "ok");
  add_finding(fx, "overprivilege", "critical", "fail", "r1");
  sc = compute(fx);
  expect_answer(&sc.q[OVERPRIV], "no", 82);
  assert_int_equal(sc.q[OVERPRIV].counts[0], 1);
  assert_int_equal(sc.q[OVERPRIV].total, 1);
}

static void test_missing_evidence_caps_at_partly(void **state)
{
  struct fixture *fx = *state;
  struct nhi_score sc;

  add_population(fx);
  add_run(fx, "activity-monitoring", "ok");
  sc = compute(fx);
  expect_answer(&sc.q[MONITORING], "partly", 100);
  assert_int_equal(sc.q[MONITORING].nmissing, 1);
  assert_string_equal(sc.q[MONITORING].missing[0], "activity");
  assert_true(sc.q[MONITORING].coverage == 0.5);
  assert_int_equal(sc.q[TRACE].nmissing, 3);
}

static void test_failed_check_or_high_finding_caps_at_partly(void **state)
{
  struct fixture *fx = *state;
  struct nhi_score sc;

  add_population(fx);
  add_run(fx, "overprivilege", "ok");
  add_run(fx, "overprivilege", "failed");
  sc = compute(fx);
  expect_answer(&sc.q[OVERPRIV], "partly", 100);
  exec(fx, "DELETE FROM plugin_runs WHERE status = 'failed'");
  add_finding(fx, "overprivilege", "high", "fail", "r2");
  sc = compute(fx);
  expect_answer(&sc.q[OVERPRIV], "partly", 90);
  assert_int_equal(sc.q[OVERPRIV].counts[1], 1);
}

static void test_low_score_answers_no(void **state)
{
  struct fixture *fx = *state;
  struct nhi_score sc;

  add_population(fx);
  add_run(fx, "overprivilege", "ok");
  for (int i = 1; i <= 9; i++) {
    char ref[16];

    snprintf(ref, sizeof ref, "r%d", i);
    add_finding(fx, "overprivilege", "high", "fail", ref);
  }
  sc = compute(fx);
  expect_answer(&sc.q[OVERPRIV], "no", 41);
}

/* One case of the exposure formula: findings on a population of 20. */
struct exposure_case {
  const char *what;
  const char *findings[4][3];  /* severity, status, identity ("" = none) */
  int score;
};

static const struct exposure_case exposure_cases[] = {
  { "1 critical of 20", { { "critical", "fail", "r1" } }, 82 },
  { "high on 2 of 20", { { "high", "fail", "r1" },
                          { "high", "fail", "r2" } }, 82 },
  { "indeterminate critical", { { "critical", "indeterminate", "r1" } },
    90 },
  { "worst finding per identity", { { "critical", "fail", "r1" },
                                    { "high", "fail", "r1" },
                                    { "medium", "fail", "r1" } }, 82 },
  { "account-wide medium", { { "medium", "fail", "" } }, 78 },
  { "low on 4 of 20", { { "low", "fail", "r1" }, { "low", "fail", "r2" },
                        { "low", "fail", "r3" }, { "low", "fail", "r4" } },
    95 },
  { "info weighs nothing", { { "info", "fail", "r1" },
                             { "info", "fail", "" } }, 100 },
  { "falls fast but stays above zero", { { "critical", "fail", "" },
                                         { "critical", "fail", "" },
                                         { "critical", "fail", "" } }, 5 },
};

static void test_exposure_formula(void **state)
{
  struct fixture *fx = *state;
  struct nhi_score sc;

  add_population(fx);
  add_run(fx, "overprivilege", "ok");
  for (size_t i = 0; i < sizeof exposure_cases / sizeof exposure_cases[0];
       i++) {
    const struct exposure_case *c = &exposure_cases[i];

    exec(fx, "DELETE FROM findings");
    for (int f = 0; f < 4 && c->findings[f][0]; f++)
      add_finding(fx, "overprivilege", c->findings[f][0], c->findings[f][1],
                  *c->findings[f][2] ? c->findings[f][2] : NULL);
    sc = compute(fx);
    if (sc.q[OVERPRIV].score != c->score)
      fail_msg("%s: score %d, expected %d", c->what, sc.q[OVERPRIV].score,
               c->score);
  }
}

static void test_humans_outside_population(void **state)
{
  struct fixture *fx = *state;
  struct nhi_score sc;

  add_population(fx);
  add_identities(fx, "person", 5, 1);
  add_run(fx, "overprivilege", "ok");
  add_finding(fx, "overprivilege", "critical", "fail", "r1");
  sc = compute(fx);
  assert_int_equal(sc.population, 20);
  expect_answer(&sc.q[OVERPRIV], "no", 82);
}

static void test_findings_of_other_questions_ignored(void **state)
{
  struct fixture *fx = *state;
  struct nhi_score sc;

  add_population(fx);
  add_run(fx, "overprivilege", "ok");
  add_finding(fx, "activity-monitoring", "critical", "fail", "r1");
  sc = compute(fx);
  expect_answer(&sc.q[OVERPRIV], "yes", 100);
  assert_int_equal(sc.q[MONITORING].total, 1);
}

static void test_scores_are_deterministic(void **state)
{
  struct fixture *fx = *state;
  struct nhi_score a, b;

  add_population(fx);
  add_run(fx, "overprivilege", "ok");
  add_run(fx, "activity-monitoring", "ok");
  add_finding(fx, "overprivilege", "high", "indeterminate", "r3");
  add_finding(fx, "overprivilege", "low", "fail", NULL);
  a = compute(fx);
  b = compute(fx);
  assert_int_equal(a.overall, b.overall);
  assert_string_equal(a.grade, b.grade);
  for (int i = 0; i < NHI_QUESTIONS; i++) {
    assert_string_equal(a.q[i].answer, b.q[i].answer);
    assert_int_equal(a.q[i].score, b.q[i].score);
    assert_true(a.q[i].coverage == b.q[i].coverage);
    assert_int_equal(a.q[i].total, b.q[i].total);
  }
}

static void add_full_evidence(struct fixture *fx)
{
  add_population(fx);
  exec(fx, "INSERT INTO activity(identity_ref, action) "
       "VALUES('r1', 's3:GetObject')");
  exec(fx, "INSERT INTO ai_agents(native_id, platform) "
       "VALUES('agent-1', 'bedrock')");
  exec(fx, "INSERT INTO resources(provider, native_id, type) "
       "VALUES('aws', 'arn:aws:s3:::data', 's3-bucket')");
  exec(fx, "INSERT INTO edges(kind, from_type, from_ref, to_type, to_ref) "
       "VALUES('runs_as', 'ai_agent', 'agent-1', 'identity', 'r1')");
}

static void test_overall_and_grade(void **state)
{
  struct fixture *fx = *state;
  struct nhi_score sc;

  add_population(fx);
  add_run(fx, "overprivilege", "ok");
  add_run(fx, "activity-monitoring", "ok");
  sc = compute(fx);
  /* (100 x 1 + 100 x 0.5 + 0 + 0) / 4 = 37.5 */
  assert_int_equal(sc.overall, 38);
  assert_string_equal(sc.grade, "F");
  teardown(state);
  assert_int_equal(setup(state), 0);
  fx = *state;
  add_full_evidence(fx);
  for (int i = 0; i < NHI_QUESTIONS; i++)
    add_run(fx, nhi_questions[i], "ok");
  sc = compute(fx);
  for (int i = 0; i < NHI_QUESTIONS; i++)
    expect_answer(&sc.q[i], "yes", 100);
  assert_int_equal(sc.overall, 100);
  assert_string_equal(sc.grade, "A");
  add_finding(fx, "ai-data-access", "high", "fail", "r1");
  add_finding(fx, "ai-data-trace", "critical", "fail", "r1");
  sc = compute(fx);
  /* (90 + 100 + 100 + 80) / 4 = 92.5 */
  assert_int_equal(sc.overall, 93);
  assert_string_equal(sc.grade, "A");
}

static void test_needs_per_question(void **state)
{
  const char *const *needs = nhi_score_needs("overprivilege");

  (void)state;
  assert_string_equal(needs[0], "identities");
  assert_string_equal(needs[1], "grants");
  assert_null(needs[2]);
  needs = nhi_score_needs("ai-data-trace");
  assert_string_equal(needs[0], "ai_agents");
  assert_string_equal(needs[1], "edges");
  assert_string_equal(needs[2], "activity");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
    T(test_question_without_ok_check_not_assessed),
    T(test_clean_question_answers_yes),
    T(test_critical_finding_answers_no),
    T(test_missing_evidence_caps_at_partly),
    T(test_failed_check_or_high_finding_caps_at_partly),
    T(test_low_score_answers_no),
    T(test_exposure_formula),
    T(test_humans_outside_population),
    T(test_findings_of_other_questions_ignored),
    T(test_scores_are_deterministic),
    T(test_overall_and_grade),
    T(test_needs_per_question),
  };
#undef T

  return cmocka_run_group_tests(tests, NULL, NULL);
}
