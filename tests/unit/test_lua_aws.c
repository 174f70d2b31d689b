/* Unit tests for ctx.aws, the policy engine as checks see it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "aws_engine.h"
#include "import_util.h"
#include "lua_api.h"
#include "support/aws_rows.h"

#define ACCT "111122223333"
#define USER "arn:aws:iam::" ACCT ":user/ci-deployer"

struct fixture {
  struct nhi_store *s;
  struct nhi_run run;
  lua_State *L;
};

static long long put_identity(struct nhi_store *s, const char *arn,
                              const char *kind, const char *tags)
{
  return aws_put_identity(s, &(struct aws_identity){
    .arn = arn, .account = ACCT, .kind = kind, .tags = tags });
}

static void put_grant(struct nhi_store *s, long long who, const char *effect,
                      const char *actions, const char *resources,
                      const char *condition)
{
  aws_put_grant(s, who, &(struct aws_grant){
    .effect = effect, .actions = actions, .resources = resources,
    .condition = condition, .policy = USER "#deploy",
    .sid = "PassDeployRoles" });
}

static int setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);
  const char *home = getenv("NHISCOPE_HOME");
  long long user;

  if (!fx || nhi_store_open(":memory:", &fx->s))
    fail_msg("cannot open an in-memory store");
  user = put_identity(fx->s, USER, "service_account",
                      "{\"team\":\"platform\"}");
  put_identity(fx->s, "arn:aws:iam::" ACCT ":role/deploy-app", "role",
               NULL);
  put_identity(fx->s, "arn:aws:iam::" ACCT ":role/admin", "role", NULL);
  put_grant(fx->s, user, "allow", "[\"iam:PassRole\"]",
            "[\"arn:aws:iam::" ACCT ":role/deploy-*\"]", NULL);
  put_grant(fx->s, user, "allow", "[\"s3:GetObject\"]", "[\"*\"]",
            "{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}");
  put_grant(fx->s, user, "allow", "[\"sqs:*\"]", "[\"*\"]",
            "{\"StringEquals\":{\"aws:PrincipalTag/team\":\"platform\"}}");
  fx->run.store = fx->s;
  fx->run.home = home ? home : ".";
  fx->L = luaL_newstate();
  if (!fx->L)
    fail_msg("cannot create a Lua state");
  luaL_openlibs(fx->L);
  nhi_api_guard_sql(fx->s, &fx->run);
  nhi_api_push_aws(fx->L, &fx->run);
  lua_setglobal(fx->L, "aws");
  *state = fx;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *fx = *state;

  lua_close(fx->L);
  nhi_api_guard_sql(fx->s, NULL);
  nhi_store_close(fx->s);
  free(fx);
  return 0;
}

/* Runs a Lua chunk that raises on a failed expectation. */
static void lua_expect(struct fixture *fx, const char *chunk)
{
  if (luaL_dostring(fx->L, chunk) != LUA_OK)
    fail_msg("%s", lua_tostring(fx->L, -1));
}

static void test_decide_returns_decision_and_explanation(void **state)
{
  lua_expect(*state,
    "local d, e = aws:decide{principal='" USER "', action='iam:PassRole',"
    "  resource='arn:aws:iam::" ACCT ":role/deploy-app'}\n"
    "assert(d == 'allow', 'PassRole on deploy-app: ' .. d)\n"
    "assert(e.decision == 'allow' and e.summary, 'explanation')\n"
    "local st = e.statements[1]\n"
    "assert(st.layer == 'identity' and st.effect == 'Allow' and\n"
    "  st.sid == 'PassDeployRoles' and st.applies == 'yes' and\n"
    "  st.policy == '" USER "#deploy', 'the deciding statement')\n"
    "d = aws:decide{principal='" USER "', action='iam:PassRole',"
    "  resource='arn:aws:iam::" ACCT ":role/admin'}\n"
    "assert(d == 'implicit-deny', 'PassRole on admin: ' .. d)\n");
}

static void test_decide_context_and_completeness(void **state)
{
  lua_expect(*state,
    "local d, e = aws:decide{principal='" USER "', action='s3:GetObject',"
    "  resource='arn:aws:s3:::b/k'}\n"
    "assert(d == 'indeterminate', 'MFA unknown: ' .. d)\n"
    "assert(e.statements[1].condition_key == "
    "  'aws:MultiFactorAuthPresent', 'names the unknown key')\n"
    "d = aws:decide{principal='" USER "', action='s3:GetObject',"
    "  resource='arn:aws:s3:::b/k',"
    "  context={['aws:MultiFactorAuthPresent']=true}}\n"
    "assert(d == 'allow', 'MFA given: ' .. d)\n"
    "d = aws:decide{principal='" USER "', action='s3:GetObject',"
    "  resource='arn:aws:s3:::b/k', context_complete=true}\n"
    "assert(d == 'implicit-deny', 'MFA absent: ' .. d)\n"
    "d = aws:decide{principal='" USER "', action='sqs:SendMessage',"
    "  resource='arn:aws:sqs:us-east-1:" ACCT ":q'}\n"
    "assert(d == 'allow', 'principal tags come from the evidence: ' .. d)\n");
}

static void test_expand_and_access_level(void **state)
{
  lua_expect(*state,
    "local list = aws:expand('iam:Put*')\n"
    "local seen = {}\n"
    "for _, a in ipairs(list) do seen[a] = true end\n"
    "assert(seen['iam:PutRolePolicy'], 'iam:Put* has PutRolePolicy')\n"
    "assert(#aws:expand('nosuch:*') == 0, 'unknown service')\n"
    "assert(aws:access_level('IAM:PassRole') == 'Write', 'PassRole')\n"
    "assert(aws:access_level('iam:PutRolePolicy') ==\n"
    "  'Permissions management', 'PutRolePolicy')\n"
    "assert(aws:access_level('iam:Nope') == nil, 'unknown action')\n");
}

static void test_allowed_resources(void **state)
{
  lua_expect(*state,
    "local yes, maybe = aws:allowed_resources('" USER "', 'iam:PassRole',"
    "  \"SELECT native_id FROM identities WHERE kind = 'role'"
    "   ORDER BY native_id\")\n"
    "assert(#yes == 1 and yes[1]:match('deploy%-app$'), 'one role')\n"
    "assert(#maybe == 0, 'nothing undecided')\n"
    "yes, maybe = aws:allowed_resources('" USER "', 's3:GetObject',"
    "  {'arn:aws:s3:::a/x', 'arn:aws:s3:::b/y'})\n"
    "assert(#yes == 0 and #maybe == 2, 'MFA unknown leaves both open')\n"
    "yes = aws:allowed_resources('" USER "', 's3:GetObject',"
    "  {'arn:aws:s3:::a/x'}, {context={['aws:MultiFactorAuthPresent']="
    "  'true'}})\n"
    "assert(#yes == 1, 'MFA given')\n"
    "local ok, err = pcall(aws.allowed_resources, aws, '" USER "',"
    "  'iam:PassRole', 'DELETE FROM grants')\n"
    "assert(not ok and err:match('only reads'), 'writes are refused')\n");
}

static void test_misuse_raises(void **state)
{
  lua_expect(*state,
    "local ok, err = pcall(aws.decide, aws, {action='s3:GetObject'})\n"
    "assert(not ok and err:match('required'), 'principal is required')\n"
    "ok, err = pcall(aws.decide, aws, {principal='x', action='y',"
    "  colour='blue'})\n"
    "assert(not ok and err:match(\"unknown field 'colour'\"), err)\n"
    "ok, err = pcall(aws.decide, aws, {principal='x', action='y',"
    "  context={k={}, j=function() end}})\n"
    "assert(not ok, 'a function is no context value')\n");
}

/* Two runs of one stage share its engine: the first builds it, the
 * second finds it, and closing either run's Lua state leaves it to the
 * stage, which frees it. */
static void test_runs_of_a_stage_share_the_engine(void **state)
{
  struct fixture *fx = *state;
  struct nhi_aws_engine *stage = NULL;
  struct nhi_run second = fx->run;
  lua_State *L2 = luaL_newstate();
  static const char ask[] =
    "assert(aws:decide{principal='" USER "', action='iam:PassRole',"
    "  resource='arn:aws:iam::" ACCT ":role/deploy-app'} == 'allow')\n";

  fx->run.aws_engine = second.aws_engine = &stage;
  assert_non_null(L2);
  luaL_openlibs(L2);
  nhi_api_push_aws(L2, &second);
  lua_setglobal(L2, "aws");
  lua_close(fx->L);
  fx->L = luaL_newstate();
  luaL_openlibs(fx->L);
  nhi_api_push_aws(fx->L, &fx->run);
  lua_setglobal(fx->L, "aws");
  lua_expect(fx, ask);
  assert_non_null(stage);
  {
    struct nhi_aws_engine *first = stage;

    if (luaL_dostring(L2, ask) != LUA_OK)
      fail_msg("%s", lua_tostring(L2, -1));
    assert_ptr_equal(stage, first);
  }
  lua_close(L2);
  lua_close(fx->L);
  fx->L = luaL_newstate();
  assert_non_null(stage);
  nhi_aws_engine_free(stage);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(
      test_decide_returns_decision_and_explanation, setup, teardown),
    cmocka_unit_test_setup_teardown(test_decide_context_and_completeness,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_expand_and_access_level, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_allowed_resources, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_misuse_raises, setup, teardown),
    cmocka_unit_test_setup_teardown(test_runs_of_a_stage_share_the_engine,
                                    setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
