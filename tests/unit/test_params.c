/* Unit tests for plugin params: defaults, profile params and --set
 * (core/params.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "runtime.h"

#define ROLE_UNUSED "aws.iam.role-unused"

struct fixture {
  struct nhi_runtime rt;
  struct nhi_plugin plugins[2];  /* filled by hand; strings are literals */
  const char *sets[8];
};

static int setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);

  if (!fx)
    return -1;
  fx->plugins[0].id = ROLE_UNUSED;
  fx->plugins[0].kind = NHI_PLUGIN_CHECK;
  fx->plugins[0].params_json =
    "{\"label\":\"stale\",\"max_days\":90,\"strict\":false}";
  fx->plugins[1].id = "plain";
  fx->plugins[1].kind = NHI_PLUGIN_CHECK;
  fx->plugins[1].params_json = "{}";
  fx->rt.plugins.items = fx->plugins;
  fx->rt.plugins.count = 2;
  fx->rt.profile.path = "profile.json";
  *state = fx;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *fx = *state;

  cJSON_Delete(fx->rt.overrides);
  cJSON_Delete(fx->rt.profile.params);
  free(fx);
  return 0;
}

/* Resolves with the given --set values (NULL-terminated) and, when
 * profile is not NULL, that profile params JSON. */
static enum nhi_rc resolve(struct fixture *fx, const char *profile,
                           const char *const *sets)
{
  size_t n = 0;

  cJSON_Delete(fx->rt.overrides);
  fx->rt.overrides = NULL;
  cJSON_Delete(fx->rt.profile.params);
  fx->rt.profile.params = profile ? cJSON_Parse(profile) : NULL;
  if (profile && !fx->rt.profile.params)
    fail_msg("bad profile JSON in the test: %s", profile);
  for (; sets && sets[n]; n++)
    fx->sets[n] = sets[n];
  fx->sets[n] = NULL;
  fx->rt.opt.sets.items = (char **)fx->sets;
  fx->rt.opt.sets.count = n;
  return nhi_params_resolve(&fx->rt);
}

static void expect_resolve(struct fixture *fx, const char *profile,
                           const char *set, enum nhi_rc want)
{
  const char *sets[] = { set, NULL };
  enum nhi_rc rc = resolve(fx, profile, set ? sets : NULL);

  if (rc != want)
    fail_msg("--set '%s' gave rc %d, expected %d", set ? set : "(none)",
             rc, want);
}

/* The effective params of plugin i, parsed. */
static cJSON *effective(struct fixture *fx, size_t i)
{
  char *json = nhi_params_effective(&fx->rt, &fx->plugins[i]);
  cJSON *tree;

  assert_non_null(json);
  tree = cJSON_Parse(json);
  if (!tree)
    fail_msg("effective params are not JSON: %s", json);
  free(json);
  return tree;
}

static void expect_number(struct fixture *fx, const char *name, double want)
{
  cJSON *tree = effective(fx, 0);
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(tree, name);
  int ok = cJSON_IsNumber(item) && item->valuedouble == want;

  cJSON_Delete(tree);
  if (!ok)
    fail_msg("param '%s' is not the number %g", name, want);
}

static void test_defaults_without_overrides(void **state)
{
  struct fixture *fx = *state;
  char *json;

  expect_resolve(fx, NULL, NULL, NHI_OK);
  json = nhi_params_effective(&fx->rt, &fx->plugins[0]);
  assert_non_null(json);
  assert_string_equal(json,
                      "{\"label\":\"stale\",\"max_days\":90,"
                      "\"strict\":false}");
  free(json);
  json = nhi_params_effective(&fx->rt, &fx->plugins[1]);
  assert_string_equal(json, "{}");
  free(json);
}

/* Plugin ids hold dots: the param is what follows the last one. */
static void test_set_number_with_dotted_id(void **state)
{
  struct fixture *fx = *state;

  expect_resolve(fx, NULL, ROLE_UNUSED ".max_days=30", NHI_OK);
  expect_number(fx, "max_days", 30);
}

static void test_set_string_and_boolean(void **state)
{
  struct fixture *fx = *state;
  const char *sets[] = { ROLE_UNUSED ".label=very old=yes",
                         ROLE_UNUSED ".strict=true", NULL };
  cJSON *tree;

  assert_int_equal(resolve(fx, NULL, sets), NHI_OK);
  tree = effective(fx, 0);
  assert_string_equal(cJSON_GetObjectItem(tree, "label")->valuestring,
                      "very old=yes");
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(tree, "strict")));
  assert_int_equal(cJSON_GetObjectItem(tree, "max_days")->valueint, 90);
  cJSON_Delete(tree);
}

static void test_set_wrong_type(void **state)
{
  struct fixture *fx = *state;

  expect_resolve(fx, NULL, ROLE_UNUSED ".max_days=ninety", NHI_ERR_USAGE);
  expect_resolve(fx, NULL, ROLE_UNUSED ".max_days=", NHI_ERR_USAGE);
  expect_resolve(fx, NULL, ROLE_UNUSED ".max_days=30days", NHI_ERR_USAGE);
  expect_resolve(fx, NULL, ROLE_UNUSED ".strict=yes", NHI_ERR_USAGE);
}

static void test_set_unknown_param(void **state)
{
  struct fixture *fx = *state;

  expect_resolve(fx, NULL, ROLE_UNUSED ".max_dayz=3", NHI_ERR_USAGE);
  expect_resolve(fx, NULL, "plain.anything=3", NHI_ERR_USAGE);
}

static void test_set_unknown_plugin(void **state)
{
  struct fixture *fx = *state;

  expect_resolve(fx, NULL, "aws.iam.role-unusd.max_days=3", NHI_ERR_USAGE);
  expect_resolve(fx, NULL, "max_days=3", NHI_ERR_USAGE);
}

static void test_set_malformed(void **state)
{
  struct fixture *fx = *state;

  expect_resolve(fx, NULL, ROLE_UNUSED ".max_days", NHI_ERR_USAGE);
  expect_resolve(fx, NULL, ".max_days=3", NHI_ERR_USAGE);
  expect_resolve(fx, NULL, ROLE_UNUSED ".=3", NHI_ERR_USAGE);
  expect_resolve(fx, NULL, "=3", NHI_ERR_USAGE);
}

static void test_profile_params_then_set(void **state)
{
  struct fixture *fx = *state;
  const char *profile = "{\"" ROLE_UNUSED "\": {\"max_days\": 45}}";
  const char *sets[] = { ROLE_UNUSED ".max_days=30", NULL };

  expect_resolve(fx, profile, NULL, NHI_OK);
  expect_number(fx, "max_days", 45);
  assert_int_equal(resolve(fx, profile, sets), NHI_OK);
  expect_number(fx, "max_days", 30);
}

static void test_later_set_wins(void **state)
{
  struct fixture *fx = *state;
  const char *sets[] = { ROLE_UNUSED ".max_days=30",
                         ROLE_UNUSED ".max_days=7.5", NULL };

  assert_int_equal(resolve(fx, NULL, sets), NHI_OK);
  expect_number(fx, "max_days", 7.5);
}

static void test_profile_params_checked(void **state)
{
  struct fixture *fx = *state;

  expect_resolve(fx, "{\"nope\": {\"max_days\": 45}}", NULL, NHI_ERR_USAGE);
  expect_resolve(fx, "{\"" ROLE_UNUSED "\": {\"max_days\": \"45\"}}", NULL,
                 NHI_ERR_USAGE);
  expect_resolve(fx, "{\"" ROLE_UNUSED "\": {\"days\": 45}}", NULL,
                 NHI_ERR_USAGE);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
    T(test_defaults_without_overrides),
    T(test_set_number_with_dotted_id),
    T(test_set_string_and_boolean),
    T(test_set_wrong_type),
    T(test_set_unknown_param),
    T(test_set_unknown_plugin),
    T(test_set_malformed),
    T(test_profile_params_then_set),
    T(test_later_set_wins),
    T(test_profile_params_checked),
  };
#undef T

  return cmocka_run_group_tests(tests, NULL, NULL);
}
