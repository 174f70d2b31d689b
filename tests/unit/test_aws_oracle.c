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

#include "aws_eval.h"
#include "aws_policy.h"
#include "json.h"

/* Disagreements listed when the test fails. */
#define SHOW_MAX 15

/* One case's policies, compiled. */
struct case_set {
  struct nhi_aws_stmts identity, boundary, resource;
  struct nhi_aws_stmts *scps;
  const struct nhi_aws_stmts **scp_view;
  size_t nscps;
  struct nhi_aws_context ctx;
};

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

static void compile_doc(struct nhi_aws_stmts *list, const char *id,
                        const cJSON *doc)
{
  cJSON *wrap = cJSON_CreateObject(), *loaded = NULL;
  char *why = NULL;

  if (!wrap || !cJSON_AddItemToObject(wrap, "d", cJSON_Duplicate(doc, 1)) ||
      nhi_aws_policy_load(wrap, "d", &loaded, &why) ||
      nhi_aws_stmts_add_doc(list, id, loaded))
    fail_msg("case policy '%s' refused: %s", id, why ? why : "no memory");
  cJSON_Delete(wrap);
}

static void read_scps(struct case_set *s, const cJSON *levels)
{
  int n = cJSON_GetArraySize(levels), i = 0;
  const cJSON *level, *doc;

  s->scps = calloc((size_t)n + 1, sizeof *s->scps);
  s->scp_view = calloc((size_t)n + 1, sizeof *s->scp_view);
  if (!s->scps || !s->scp_view)
    fail_msg("out of memory");
  cJSON_ArrayForEach(level, levels) {
    cJSON_ArrayForEach(doc, level)
      compile_doc(&s->scps[i], "scp", doc);
    s->scp_view[i] = &s->scps[i];
    i++;
  }
  s->nscps = (size_t)n;
}

static void read_context(struct nhi_aws_context *ctx, const cJSON *obj)
{
  const cJSON *k, *v, *list;

  nhi_aws_context_init(ctx, 1);
  cJSON_ArrayForEach(k, obj) {
    list = cJSON_IsArray(k) ? k : NULL;
    if (nhi_aws_context_add(ctx, k->string, NULL))
      fail_msg("out of memory");
    if (cJSON_IsString(k) && nhi_aws_context_add(ctx, k->string,
                                                 k->valuestring))
      fail_msg("out of memory");
    cJSON_ArrayForEach(v, list)
      if (nhi_aws_context_add(ctx, k->string, v->valuestring))
        fail_msg("out of memory");
  }
}

static void set_free(struct case_set *s)
{
  nhi_aws_stmts_free(&s->identity);
  nhi_aws_stmts_free(&s->boundary);
  nhi_aws_stmts_free(&s->resource);
  for (size_t i = 0; i < s->nscps; i++)
    nhi_aws_stmts_free(&s->scps[i]);
  free(s->scps);
  free(s->scp_view);
  nhi_aws_context_free(&s->ctx);
}

static const char *text(const cJSON *c, const char *key)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);

  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The engine's decision on case c. */
static enum nhi_aws_decision run_case(const cJSON *c)
{
  const cJSON *doc, *rp = cJSON_GetObjectItemCaseSensitive(c,
                                                           "resourcePolicy");
  const cJSON *bd = cJSON_GetObjectItemCaseSensitive(c, "boundary");
  struct nhi_aws_policyset ps = { 0 };
  struct case_set s = { 0 };
  struct nhi_aws_request rq;
  struct nhi_aws_result r;
  enum nhi_aws_decision d;

  cJSON_ArrayForEach(doc, cJSON_GetObjectItemCaseSensitive(c, "identity"))
    compile_doc(&s.identity, "identity", doc);
  if (cJSON_IsObject(bd))
    compile_doc(&s.boundary, "boundary", bd);
  if (cJSON_IsObject(rp))
    compile_doc(&s.resource, "resource", rp);
  read_scps(&s, cJSON_GetObjectItemCaseSensitive(c, "scps"));
  read_context(&s.ctx, cJSON_GetObjectItemCaseSensitive(c, "context"));
  ps.identity = &s.identity;
  ps.boundary = cJSON_IsObject(bd) ? &s.boundary : NULL;
  ps.resource = cJSON_IsObject(rp) ? &s.resource : NULL;
  ps.scps = s.scp_view;
  ps.nscps = s.nscps;
  ps.resource_kind = strcmp(text(c, "resourceKind"), "required") == 0
                     ? NHI_AWS_RP_REQUIRED : NHI_AWS_RP_OPTIONAL;
  ps.principal_is_role = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c,
                                                                   "role"));
  rq = (struct nhi_aws_request){ text(c, "principal"),
                                 text(c, "principalAccount"),
                                 text(c, "action"), text(c, "resource"),
                                 text(c, "resourceAccount"), &s.ctx };
  if (nhi_aws_evaluate(&ps, &rq, &r))
    fail_msg("out of memory");
  d = r.decision;
  nhi_aws_result_clear(&r);
  set_free(&s);
  return d;
}

static void check_case(const cJSON *c, struct tally *t)
{
  const char *oracle = text(c, "oracle"), *diff = text(c, "difference");
  const char *want = diff ? text(c, "engine_expect") : oracle;
  const char *got;
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
  char why[160] = "", *path = cases_path(why, sizeof why), *buf = NULL;
  char *line, *save = NULL;
  struct tally t = { 0 };
  size_t len;
  cJSON *c;

  if (!path) {
    print_message("skip: differential test against iam-simulate: %s\n",
                  why);
    skip();
  }
  if (nhi_file_read(path, &buf, &len))
    fail_msg("cannot read the cases file '%s'", path);
  for (line = strtok_r(buf, "\n", &save); line;
       line = strtok_r(NULL, "\n", &save)) {
    c = cJSON_Parse(line);
    if (!c)
      fail_msg("a line of '%s' is not JSON", path);
    check_case(c, &t);
    cJSON_Delete(c);
  }
  free(buf);
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
