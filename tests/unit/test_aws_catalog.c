/* Unit tests for the AWS action catalogue and wildcard expansion. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_catalog.h"

/* The repository's catalogue (tests run from the repository root, or
 * with NHISCOPE_HOME naming it). */
static int load_repo(void **state)
{
  const char *home = getenv("NHISCOPE_HOME");
  struct nhi_aws_catalog *c = NULL;

  if (nhi_aws_catalog_load_home(home ? home : ".", &c))
    fail_msg("cannot load %s below '%s'", NHI_AWS_CATALOG_PATH,
             home ? home : ".");
  *state = c;
  return 0;
}

static int free_repo(void **state)
{
  nhi_aws_catalog_free(*state);
  return 0;
}

static int has(const char **list, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(list[i], name) == 0)
      return 1;
  return 0;
}

static void test_catalogue_is_complete(void **state)
{
  const struct nhi_aws_catalog *c = *state;

  if (nhi_aws_catalog_count(c) < 15000)
    fail_msg("the catalogue lists %zu actions; AWS has far more",
             nhi_aws_catalog_count(c));
  if (!nhi_aws_catalog_canonical(c, "sts:AssumeRole") ||
      !nhi_aws_catalog_canonical(c, "s3:GetObject") ||
      !nhi_aws_catalog_canonical(c, "kms:Decrypt"))
    fail_msg("core actions are missing from the catalogue");
}

static void test_expand_put_star(void **state)
{
  const struct nhi_aws_catalog *c = *state;
  const char **list = NULL;
  size_t n = 0;

  if (nhi_aws_catalog_expand(c, "iam:Put*", &list, &n))
    fail_msg("out of memory");
  if (!has(list, n, "iam:PutRolePolicy") ||
      !has(list, n, "iam:PutUserPolicy"))
    fail_msg("iam:Put* must include iam:PutRolePolicy and PutUserPolicy");
  if (has(list, n, "iam:GetRole"))
    fail_msg("iam:Put* must not include iam:GetRole");
  for (size_t i = 0; i < n; i++)
    if (strncmp(list[i], "iam:Put", 7) != 0)
      fail_msg("iam:Put* gave '%s'", list[i]);
  free(list);
}

static void test_expand_ignores_case_and_single_wildcard(void **state)
{
  const struct nhi_aws_catalog *c = *state;
  const char **list = NULL;
  size_t n = 0;

  if (nhi_aws_catalog_expand(c, "S3:get?bject", &list, &n))
    fail_msg("out of memory");
  if (n != 1 || strcmp(list[0], "s3:GetObject") != 0)
    fail_msg("S3:get?bject must give exactly s3:GetObject (got %zu)", n);
  free(list);
  if (nhi_aws_catalog_expand(c, "*", &list, &n))
    fail_msg("out of memory");
  if (n != nhi_aws_catalog_count(c))
    fail_msg("'*' must give every action (%zu of %zu)", n,
             nhi_aws_catalog_count(c));
  free(list);
  if (nhi_aws_catalog_expand(c, "*:PassRole", &list, &n))
    fail_msg("out of memory");
  if (!has(list, n, "iam:PassRole"))
    fail_msg("a wildcard service must still find iam:PassRole");
  free(list);
}

static void test_unknown_patterns_expand_to_nothing(void **state)
{
  const struct nhi_aws_catalog *c = *state;
  const char **list = NULL;
  size_t n = 9;

  if (nhi_aws_catalog_expand(c, "nosuchservice:Get*", &list, &n))
    fail_msg("out of memory");
  if (n != 0)
    fail_msg("an unknown service must expand to nothing, not %zu", n);
  free(list);
  if (nhi_aws_catalog_level(c, "iam:NoSuchAction") ||
      nhi_aws_catalog_canonical(c, "iam:NoSuchAction"))
    fail_msg("an unknown action has no level or canonical name");
}

static void test_access_levels_and_resource_types(void **state)
{
  const struct nhi_aws_catalog *c = *state;
  const char *level = nhi_aws_catalog_level(c, "IAM:putrolepolicy");
  const char *types = nhi_aws_catalog_resource_types(c, "iam:PassRole");

  if (!level || strcmp(level, "Permissions management") != 0)
    fail_msg("iam:PutRolePolicy is Permissions management, got '%s'",
             level ? level : "(none)");
  if (strcmp(nhi_aws_catalog_level(c, "s3:ListAllMyBuckets"), "List") ||
      strcmp(nhi_aws_catalog_level(c, "s3:GetObject"), "Read") ||
      strcmp(nhi_aws_catalog_level(c, "iam:TagRole"), "Tagging") ||
      strcmp(nhi_aws_catalog_level(c, "iam:CreateRole"), "Write"))
    fail_msg("access levels do not follow the Service Authorization "
             "Reference");
  if (!types || strcmp(types, "role") != 0)
    fail_msg("iam:PassRole acts on roles, got '%s'",
             types ? types : "(none)");
  if (strcmp(nhi_aws_catalog_canonical(c, "iam:passrole"), "iam:PassRole"))
    fail_msg("the canonical name keeps AWS's case");
}

/* Writes text to a temporary file and tries to load it. */
static enum nhi_rc load_text(const char *text)
{
  char path[] = "/tmp/nhi-catalog-XXXXXX";
  struct nhi_aws_catalog *c = NULL;
  int fd = mkstemp(path);
  enum nhi_rc rc;

  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
    fail_msg("cannot write a temporary catalogue");
  close(fd);
  rc = nhi_aws_catalog_load(path, &c);
  unlink(path);
  if (!rc && nhi_aws_catalog_count(c) != 2)
    fail_msg("expected two actions, got %zu", nhi_aws_catalog_count(c));
  nhi_aws_catalog_free(c);
  return rc;
}

static void test_malformed_catalogue_is_refused(void **state)
{
  if (load_text("# comment\niam\tPassRole\tWrite\trole\n"
                "s3\tGetObject\tRead\tobject\n") != NHI_OK)
    fail_msg("a well-formed catalogue was refused");
  if (load_text("iam\tPassRole\tWrite\n") != NHI_ERR_INPUT)
    fail_msg("a line with three fields must be refused");
  if (load_text("iam\tPassRole\tWritable\trole\n") != NHI_ERR_INPUT)
    fail_msg("an unknown access level must be refused");
  if (load_text("iam\tPassRole\tWrite\trole\textra\n") != NHI_ERR_INPUT)
    fail_msg("a line with five fields must be refused");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_catalogue_is_complete),
    cmocka_unit_test(test_expand_put_star),
    cmocka_unit_test(test_expand_ignores_case_and_single_wildcard),
    cmocka_unit_test(test_unknown_patterns_expand_to_nothing),
    cmocka_unit_test(test_access_levels_and_resource_types),
    cmocka_unit_test(test_malformed_catalogue_is_refused),
  };

  return cmocka_run_group_tests(tests, load_repo, free_repo);
}
