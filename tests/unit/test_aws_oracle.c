/* The differential test of the AWS policy engine: replays the cases of
 * tests/oracle/oracle.mjs, decided by @cloud-copilot/iam-simulate, and
 * compares. Skipped, saying so, where node or the oracle is not there. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../oracle/oracle_case.h"

/* Disagreements listed when the test fails. */
#define SHOW_MAX 15

struct tally {
  long cases, agree, known, errors, bad;
  char shown[SHOW_MAX][160];
};

/* The cases file: $NHI_ORACLE_CASES, or what oracle.mjs prints. NULL
 * (and the reason in why) when the oracle cannot run here. */
static char *cases_path(char *why, size_t n)
{
  const char *env = getenv("NHI_ORACLE_CASES");
  char line[4096] = "";
  FILE *p;
  int status;

  if (env && *env)
    return strdup(env);
  if (system("command -v node >/dev/null 2>&1") != 0) {
    snprintf(why, n, "node is not installed");
    return NULL;
  }
  p = popen("node tests/oracle/oracle.mjs", "r");
  if (!p)
    fail_msg("cannot run node tests/oracle/oracle.mjs");
  if (!fgets(line, sizeof line, p))
    line[0] = '\0';
  status = pclose(p);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
    snprintf(why, n, "the oracle @cloud-copilot/iam-simulate cannot be "
             "installed (no npm registry?)");
    return NULL;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !line[0])
    fail_msg("tests/oracle/oracle.mjs failed (status %d)", status);
  line[strcspn(line, "\n")] = '\0';
  return strdup(line);
}

/* The engine's decision on case c. */
static enum nhi_aws_decision run_case(const cJSON *c)
{
  struct oracle_case oc;
  struct nhi_aws_result r;
  enum nhi_aws_decision d;
  char why[256];

  if (oracle_case_load(c, &oc, why, sizeof why))
    fail_msg("case refused: %s", why);
  if (nhi_aws_evaluate(&oc.ps, &oc.rq, &r))
    fail_msg("out of memory");
  d = r.decision;
  nhi_aws_result_clear(&r);
  oracle_case_free(&oc);
  return d;
}

static void check_case(const cJSON *c, struct tally *t)
{
  const char *oracle = oracle_case_text(c, "oracle");
  const char *diff = oracle_case_text(c, "difference");
  const char *want = oracle_case_expected(c), *got;
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "id");

  t->cases++;
  if (!oracle || strcmp(oracle, "error") == 0) {
    t->errors++;
    return;
  }
  got = nhi_aws_decision_name(run_case(c));
  if (want && strcmp(got, want) == 0) {
    if (diff && strcmp(oracle, want) != 0)
      t->known++;
    else
      t->agree++;
    return;
  }
  if (t->bad < SHOW_MAX)
    snprintf(t->shown[t->bad], sizeof t->shown[0],
             "case %d: oracle %s, engine %s%s%s", id ? id->valueint : 0,
             oracle, got, diff ? ", documented difference " : "",
             diff ? diff : "");
  t->bad++;
}

static void test_engine_agrees_with_iam_simulate(void **state)
{
  char why[160] = "", *path = cases_path(why, sizeof why);
  struct tally t = { 0 };
  cJSON *cases, *c;

  if (!path) {
    print_message("skip: differential test against iam-simulate: %s\n",
                  why);
    skip();
  }
  if (oracle_cases_read(path, &cases))
    fail_msg("cannot read the cases file '%s'", path);
  cJSON_ArrayForEach(c, cases)
    check_case(c, &t);
  cJSON_Delete(cases);
  free(path);
  print_message("oracle: %ld cases: %ld agree, %ld documented differences, "
                "%ld the oracle refused, %ld disagree\n", t.cases, t.agree,
                t.known, t.errors, t.bad);
  for (long i = 0; i < t.bad && i < SHOW_MAX; i++)
    print_message("  %s\n", t.shown[i]);
  if (t.cases < 10000)
    fail_msg("only %ld cases; the differential test needs 10,000", t.cases);
  if (t.errors * 100 > t.cases)
    fail_msg("the oracle refused %ld cases: fix the generator", t.errors);
  if (t.bad)
    fail_msg("%ld cases disagree with iam-simulate", t.bad);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_engine_agrees_with_iam_simulate),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
