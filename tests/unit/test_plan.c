/* Unit tests for the remediation plan (core/plan.c): grouping findings
 * into actions, their figures, and the order of the actions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "plan.h"

#define ROLE(n) "arn:aws:iam::111122223333:role/" n

static const struct nhi_plan_action *action_of(const struct nhi_plan *p,
                                               const char *check)
{
  for (size_t i = 0; i < p->count; i++)
    if (!strcmp(p->actions[i].check, check))
      return &p->actions[i];
  fail_msg("no action for check '%s'", check);
  return NULL;
}

static void assert_order(const struct nhi_plan *p, const char *const *want,
                         size_t n)
{
  if (p->count != n)
    fail_msg("expected %zu actions, got %zu", n, p->count);
  for (size_t i = 0; i < n; i++)
    if (strcmp(p->actions[i].check, want[i]))
      fail_msg("action %zu: expected '%s', got '%s'", i + 1, want[i],
               p->actions[i].check);
}

/* One action per check, holding all of that check's findings. */
static void test_groups_by_check(void **state)
{
  static const struct nhi_plan_finding f[] = {
    { "F0001", "c.admin", "critical", "fail", ROLE("b"), "medium" },
    { "F0002", "c.keys", "high", "fail", ROLE("a"), "low" },
    { "F0003", "c.admin", "high", "fail", ROLE("a"), "medium" },
    { "F0004", "c.keys", "medium", "fail", ROLE("a"), "low" },
    { "F0005", "c.keys", "medium", "fail", NULL, "low" },
    { "F0006", NULL, "critical", "fail", ROLE("z"), "low" },
  };
  struct nhi_plan p;
  const struct nhi_plan_action *a;

  (void)state;
  assert_int_equal(nhi_plan_build(f, 6, &p), NHI_OK);
  assert_int_equal(p.count, 2);
  a = action_of(&p, "c.keys");
  assert_int_equal(a->nfindings, 3);
  assert_string_equal(a->findings[0], "F0002");
  assert_string_equal(a->findings[2], "F0005");
  if (a->nidentities != 1)
    fail_msg("one identity twice and a finding with none: expected 1 "
             "identity, got %zu", a->nidentities);
  assert_string_equal(a->identities[0], ROLE("a"));
  a = action_of(&p, "c.admin");
  assert_int_equal(a->nidentities, 2);
  assert_string_equal(a->identities[0], ROLE("a"));
  assert_string_equal(a->identities[1], ROLE("b"));
  nhi_plan_free(&p);
}

/* Worst severity, summed weights (indeterminate half), the effort. */
static void test_action_figures(void **state)
{
  static const struct nhi_plan_finding f[] = {
    { "F0001", "c.x", "medium", "fail", ROLE("a"), "high" },
    { "F0002", "c.x", "critical", "indeterminate", ROLE("b"), "high" },
    { "F0003", "c.x", "low", "fail", ROLE("c"), "high" },
    { "F0004", "c.y", "info", "fail", ROLE("c"), NULL },
  };
  struct nhi_plan p;
  const struct nhi_plan_action *a;

  (void)state;
  assert_int_equal(nhi_plan_build(f, 4, &p), NHI_OK);
  a = action_of(&p, "c.x");
  assert_string_equal(a->severity, "critical");
  assert_string_equal(a->effort, "high");
  if (a->risk_removed != 1 + 2 + 0.25)
    fail_msg("risk removed: expected 3.25, got %g", a->risk_removed);
  assert_false(a->quick_win);
  a = action_of(&p, "c.y");
  assert_string_equal(a->effort, "medium");
  assert_string_equal(a->severity, "info");
  assert_true(a->risk_removed == 0);
  nhi_plan_free(&p);
}

/* A quick win is low effort and high severity or worse. */
static void test_quick_wins(void **state)
{
  static const struct nhi_plan_finding f[] = {
    { "F0001", "c.high-low", "high", "fail", ROLE("a"), "low" },
    { "F0002", "c.medium-low", "medium", "fail", ROLE("a"), "low" },
    { "F0003", "c.critical-medium", "critical", "fail", ROLE("a"),
      "medium" },
  };
  struct nhi_plan p;

  (void)state;
  assert_int_equal(nhi_plan_build(f, 3, &p), NHI_OK);
  assert_true(action_of(&p, "c.high-low")->quick_win);
  assert_false(action_of(&p, "c.medium-low")->quick_win);
  assert_false(action_of(&p, "c.critical-medium")->quick_win);
  nhi_plan_free(&p);
}

/* Quick wins first, even when another action removes more risk per
 * unit of effort; then risk per effort, most first. */
static void test_order_by_risk_per_effort(void **state)
{
  static const struct nhi_plan_finding f[] = {
    /* 3 criticals at high effort: 12 / 4 = 3 */
    { "F0001", "c.trust", "critical", "fail", ROLE("a"), "high" },
    { "F0002", "c.trust", "critical", "fail", ROLE("b"), "high" },
    { "F0003", "c.trust", "critical", "fail", ROLE("c"), "high" },
    /* 4 criticals at medium effort: 16 / 2 = 8 */
    { "F0004", "c.admin", "critical", "fail", ROLE("a"), "medium" },
    { "F0005", "c.admin", "critical", "fail", ROLE("b"), "medium" },
    { "F0006", "c.admin", "critical", "fail", ROLE("c"), "medium" },
    { "F0007", "c.admin", "critical", "fail", ROLE("d"), "medium" },
    /* one high at low effort, a quick win: 2 / 1 = 2 */
    { "F0008", "c.root", "high", "fail", NULL, "low" },
    /* 5 mediums at low effort, not a quick win: 5 / 1 = 5 */
    { "F0009", "c.keys", "medium", "fail", ROLE("a"), "low" },
    { "F0010", "c.keys", "medium", "fail", ROLE("b"), "low" },
    { "F0011", "c.keys", "medium", "fail", ROLE("c"), "low" },
    { "F0012", "c.keys", "medium", "fail", ROLE("d"), "low" },
    { "F0013", "c.keys", "medium", "fail", ROLE("e"), "low" },
  };
  static const char *const want[] = {
    "c.root", "c.admin", "c.keys", "c.trust"
  };
  struct nhi_plan p;

  (void)state;
  assert_int_equal(nhi_plan_build(f, 13, &p), NHI_OK);
  assert_order(&p, want, 4);
  nhi_plan_free(&p);
}

/* Equal actions are ordered by check id, whatever the input order. */
static void test_ties_by_check_id(void **state)
{
  static const struct nhi_plan_finding f[] = {
    { "F0001", "c.zeta", "medium", "fail", ROLE("a"), "medium" },
    { "F0002", "c.alpha", "medium", "fail", ROLE("a"), "medium" },
    { "F0003", "c.mid", "high", "indeterminate", ROLE("a"), "medium" },
  };
  static const char *const want[] = { "c.alpha", "c.mid", "c.zeta" };
  struct nhi_plan p;

  (void)state;
  assert_int_equal(nhi_plan_build(f, 3, &p), NHI_OK);
  assert_order(&p, want, 3);
  nhi_plan_free(&p);
}

static void test_no_findings(void **state)
{
  struct nhi_plan p;

  (void)state;
  assert_int_equal(nhi_plan_build(NULL, 0, &p), NHI_OK);
  assert_int_equal(p.count, 0);
  nhi_plan_free(&p);
  nhi_plan_free(&p);
}

/* The weights are docs/scoring.md's. */
static void test_weights(void **state)
{
  (void)state;
  assert_true(nhi_plan_weight("critical", "fail") == 4);
  assert_true(nhi_plan_weight("high", "fail") == 2);
  assert_true(nhi_plan_weight("medium", "fail") == 1);
  assert_true(nhi_plan_weight("low", "fail") == 0.25);
  assert_true(nhi_plan_weight("info", "fail") == 0);
  assert_true(nhi_plan_weight("high", "indeterminate") == 1);
  assert_true(nhi_plan_weight("bogus", "fail") == 0);
  assert_true(nhi_plan_effort_units("low") == 1);
  assert_true(nhi_plan_effort_units("medium") == 2);
  assert_true(nhi_plan_effort_units("high") == 4);
  assert_true(nhi_plan_effort_units(NULL) == 2);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_groups_by_check),
    cmocka_unit_test(test_action_figures),
    cmocka_unit_test(test_quick_wins),
    cmocka_unit_test(test_order_by_risk_per_effort),
    cmocka_unit_test(test_ties_by_check_id),
    cmocka_unit_test(test_no_findings),
    cmocka_unit_test(test_weights),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
