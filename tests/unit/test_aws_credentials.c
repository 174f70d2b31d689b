/* Unit tests for AWS credential resolution: the shared files, the
 * environment, profile chains, STS answers and endpoints. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_credentials.h"

/* A temp folder holding config and credentials files, and the
 * environment pointing at them. */
struct files {
  char dir[64];
  char config[96];
  char credentials[96];
};

static const char *const aws_vars[] = {
  "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
  "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "NHISCOPE_AWS_ENDPOINT",
  "NHISCOPE_AWS_ENDPOINT_STS", "NHISCOPE_AWS_ENDPOINT_IAM",
  "NHISCOPE_AWS_ENDPOINT_ACCESS_ANALYZER", NULL
};

static void write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");

  assert_non_null(f);
  assert_int_equal(fputs(text, f) >= 0, 1);
  assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
  struct files *f = calloc(1, sizeof *f);

  assert_non_null(f);
  strcpy(f->dir, "/tmp/nhi-test-aws-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->config, sizeof f->config, "%s/config", f->dir);
  snprintf(f->credentials, sizeof f->credentials, "%s/credentials",
           f->dir);
  for (const char *const *v = aws_vars; *v; v++)
    unsetenv(*v);
  setenv("HOME", f->dir, 1);
  setenv("AWS_CONFIG_FILE", f->config, 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", f->credentials, 1);
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  struct files *f = *state;

  unlink(f->config);
  unlink(f->credentials);
  rmdir(f->dir);
  free(f);
  return 0;
}

/* Resolves profile (NULL: the default chain) and returns the
 * credentials; fails the test on an error. */
static struct nhi_aws_credentials *resolve_ok(const char *profile)
{
  struct nhi_aws_credentials *c = NULL;
  struct nhi_http *h = NULL;
  char *err = NULL;

  assert_int_equal(nhi_http_new(&h), NHI_OK);
  if (nhi_aws_credentials_resolve(h, profile, NULL, &c, &err) != NHI_OK)
    fail_msg("resolve: %s", err ? err : "out of memory");
  nhi_http_free(h);
  return c;
}

/* Resolves profile, which must fail with rc and a message holding want. */
static void resolve_fails(const char *profile, enum nhi_rc rc,
                          const char *want)
{
  struct nhi_aws_credentials *c = NULL;
  struct nhi_http *h = NULL;
  char *err = NULL;

  assert_int_equal(nhi_http_new(&h), NHI_OK);
  assert_int_equal(nhi_aws_credentials_resolve(h, profile, NULL, &c, &err),
                   rc);
  assert_null(c);
  assert_non_null(err);
  if (!strstr(err, want))
    fail_msg("'%s' does not hold '%s'", err, want);
  free(err);
  nhi_http_free(h);
}

static void test_profile_files(void **state)
{
  struct files *f = *state;
  struct nhi_aws_profile p;
  char *err = NULL;

  write_file(f->config,
             "# comment\n; another\n[default]\nregion = us-east-2\n"
             "[profile prod]\nregion=eu-west-1\r\n"
             "aws_access_key_id = AKIACONFIG\n"
             "s3 =\n  max_concurrent_requests = 10\n"
             "role_arn = arn:aws:iam::111122223333:role/r\n"
             "[sso-session corp]\nsso_start_url = https://x\n"
             "[prod]\nregion = nowhere-1\n");
  write_file(f->credentials,
             "[prod]\n  aws_access_key_id   =   AKIACREDS  \n"
             "aws_secret_access_key = s3cr3t/with=equals\n"
             "[profile prod]\naws_session_token = not-read\n");
  assert_int_equal(nhi_aws_profile_read("prod", &p, &err), NHI_OK);
  assert_true(p.found);
  assert_string_equal(p.region, "eu-west-1");
  assert_string_equal(p.access_key_id, "AKIACREDS");
  assert_string_equal(p.secret_access_key, "s3cr3t/with=equals");
  assert_null(p.session_token);
  assert_string_equal(p.role_arn, "arn:aws:iam::111122223333:role/r");
  assert_null(p.unsupported);
  nhi_aws_profile_clear(&p);
  assert_int_equal(nhi_aws_profile_read("default", &p, &err), NHI_OK);
  assert_true(p.found);
  assert_string_equal(p.region, "us-east-2");
  nhi_aws_profile_clear(&p);
  assert_int_equal(nhi_aws_profile_read("corp", &p, &err), NHI_OK);
  assert_false(p.found);
  nhi_aws_profile_clear(&p);
}

static void test_missing_files_are_empty(void **state)
{
  struct nhi_aws_profile p;
  char *err = NULL;

  assert_int_equal(nhi_aws_profile_read("default", &p, &err), NHI_OK);
  assert_false(p.found);
  nhi_aws_profile_clear(&p);
}

static void test_home_expansion(void **state)
{
  struct files *f = *state;
  struct nhi_aws_profile p;
  char *err = NULL;

  write_file(f->credentials, "[x]\naws_access_key_id = A\n");
  setenv("AWS_SHARED_CREDENTIALS_FILE", "~/credentials", 1);
  assert_int_equal(nhi_aws_profile_read("x", &p, &err), NHI_OK);
  assert_true(p.found);
  assert_string_equal(p.credentials_file, f->credentials);
  nhi_aws_profile_clear(&p);
  unsetenv("AWS_SHARED_CREDENTIALS_FILE");
  unsetenv("AWS_CONFIG_FILE");
  assert_int_equal(nhi_aws_profile_read("x", &p, &err), NHI_OK);
  assert_non_null(strstr(p.config_file, "/.aws/config"));
  assert_int_equal(strncmp(p.config_file, f->dir, strlen(f->dir)), 0);
  nhi_aws_profile_clear(&p);
}

static void test_malformed_file(void **state)
{
  struct files *f = *state;
  struct nhi_aws_profile p;
  char *err = NULL;

  write_file(f->config, "[default]\nregion = x\njust words\n");
  assert_int_equal(nhi_aws_profile_read("default", &p, &err),
                   NHI_ERR_INPUT);
  assert_non_null(err);
  assert_non_null(strstr(err, f->config));
  assert_non_null(strstr(err, "line 3: expected 'key = value'"));
  free(err);
  nhi_aws_profile_clear(&p);
  write_file(f->config, "region = x\n");
  assert_int_equal(nhi_aws_profile_read("default", &p, &err),
                   NHI_ERR_INPUT);
  assert_non_null(strstr(err, "line 1: expected a [section]"));
  free(err);
  nhi_aws_profile_clear(&p);
  write_file(f->config, "[default\n");
  assert_int_equal(nhi_aws_profile_read("default", &p, &err),
                   NHI_ERR_INPUT);
  assert_non_null(strstr(err, "line 1: a section header without ']'"));
  free(err);
  nhi_aws_profile_clear(&p);
}

static void test_environment_first(void **state)
{
  struct files *f = *state;
  struct nhi_aws_credentials *c;

  write_file(f->credentials, "[default]\naws_access_key_id = AKIAFILE\n"
             "aws_secret_access_key = file\n");
  write_file(f->config, "[default]\nregion = ap-south-1\n");
  setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
  setenv("AWS_SESSION_TOKEN", "env-token", 1);
  c = resolve_ok(NULL);
  assert_string_equal(c->access_key_id, "AKIAENV");
  assert_string_equal(c->secret_access_key, "env-secret");
  assert_string_equal(c->session_token, "env-token");
  assert_string_equal(c->method, "environment");
  assert_null(c->profile);
  assert_string_equal(c->region, "ap-south-1");
  nhi_aws_credentials_free(c);
  setenv("AWS_DEFAULT_REGION", "eu-north-1", 1);
  c = resolve_ok(NULL);
  assert_string_equal(c->region, "eu-north-1");
  nhi_aws_credentials_free(c);
  setenv("AWS_REGION", "sa-east-1", 1);
  c = resolve_ok(NULL);
  assert_string_equal(c->region, "sa-east-1");
  nhi_aws_credentials_free(c);
  /* A named profile wins over the environment. */
  c = resolve_ok("default");
  assert_string_equal(c->access_key_id, "AKIAFILE");
  assert_null(c->session_token);
  assert_string_equal(c->method, "profile");
  assert_string_equal(c->profile, "default");
  nhi_aws_credentials_free(c);
}

static void test_half_environment(void **state)
{
  setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
  resolve_fails(NULL, NHI_ERR_INPUT,
                "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
}

static void test_aws_profile_variable(void **state)
{
  struct files *f = *state;
  struct nhi_aws_credentials *c;

  write_file(f->credentials, "[ops]\naws_access_key_id = AKIAOPS\n"
             "aws_secret_access_key = ops\n");
  write_file(f->config, "[profile ops]\nregion = ca-central-1\n");
  setenv("AWS_PROFILE", "ops", 1);
  c = resolve_ok(NULL);
  assert_string_equal(c->access_key_id, "AKIAOPS");
  assert_string_equal(c->profile, "ops");
  assert_string_equal(c->region, "ca-central-1");
  nhi_aws_credentials_free(c);
  setenv("AWS_PROFILE", "nope", 1);
  resolve_fails(NULL, NHI_ERR_INPUT, "AWS profile 'nope' is in neither '");
}

static void test_no_credentials(void **state)
{
  resolve_fails(NULL, NHI_ERR_INPUT, "no AWS credentials: set "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a "
                "profile");
}

static void test_profiles_that_cannot_work(void **state)
{
  struct files *f = *state;

  write_file(f->config,
             "[profile sso]\nsso_session = corp\nsso_account_id = 1\n"
             "[profile empty]\nregion = us-east-1\n"
             "[profile loop-a]\nrole_arn = arn:aws:iam::1:role/a\n"
             "source_profile = loop-b\n"
             "[profile loop-b]\nrole_arn = arn:aws:iam::1:role/b\n"
             "source_profile = loop-a\n"
             "[profile imds]\nrole_arn = arn:aws:iam::1:role/c\n"
             "credential_source = Ec2InstanceMetadata\n"
             "[profile mfa]\nrole_arn = arn:aws:iam::1:role/d\n"
             "source_profile = base\nmfa_serial = arn:aws:iam::1:mfa/x\n"
             "[profile long]\nrole_arn = arn:aws:iam::1:role/e\n"
             "source_profile = base\nduration_seconds = 99999\n"
             "[profile env-role]\nrole_arn = arn:aws:iam::1:role/f\n"
             "credential_source = Environment\n");
  write_file(f->credentials, "[base]\naws_access_key_id = AKIABASE\n"
             "aws_secret_access_key = base\n");
  resolve_fails("sso", NHI_ERR_INPUT, "profile 'sso' uses sso_session, "
                "which nhiscope does not read");
  resolve_fails("empty", NHI_ERR_INPUT, "profile 'empty' has no "
                "aws_access_key_id");
  resolve_fails("loop-a", NHI_ERR_INPUT, "roles chained more than 5 deep");
  resolve_fails("imds", NHI_ERR_INPUT, "(Ec2InstanceMetadata is not "
                "supported)");
  resolve_fails("mfa", NHI_ERR_INPUT, "need an MFA code");
  resolve_fails("long", NHI_ERR_INPUT, "duration_seconds must be 900 to "
                "43200, not '99999'");
  resolve_fails("env-role", NHI_ERR_INPUT, "credential_source = "
                "Environment, but AWS_ACCESS_KEY_ID is not set");
}

static void test_sts_unreachable(void **state)
{
  struct files *f = *state;

  write_file(f->config, "[profile r]\nrole_arn = arn:aws:iam::1:role/r\n"
             "source_profile = r\naws_access_key_id = AKIAR\n"
             "aws_secret_access_key = r\nregion = eu-west-3\n");
  setenv("NHISCOPE_AWS_ENDPOINT_STS", "http://127.0.0.1:9", 1);
  resolve_fails("r", NHI_ERR_IO, "profile 'r': cannot assume role "
                "'arn:aws:iam::1:role/r': sts AssumeRole: cannot fetch "
                "'http://127.0.0.1:9/': cannot connect");
}

static void test_assume_role_answer(void **state)
{
  static const char ok[] =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/"
    "2011-06-15/\"><AssumeRoleResult><Credentials>"
    "<AccessKeyId>ASIAEXAMPLE</AccessKeyId>"
    "<SecretAccessKey>sec&amp;ret</SecretAccessKey>"
    "<SessionToken>tok</SessionToken>"
    "<Expiration>2026-12-01T10:00:00Z</Expiration>"
    "</Credentials></AssumeRoleResult></AssumeRoleResponse>";
  static const char no_token[] =
    "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
    "<AccessKeyId>A</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
    "</Credentials></AssumeRoleResult></AssumeRoleResponse>";
  struct nhi_aws_credentials c = { 0 };
  char *err = NULL;

  assert_int_equal(nhi_aws_parse_assume_role(ok, strlen(ok), &c, &err),
                   NHI_OK);
  assert_string_equal(c.access_key_id, "ASIAEXAMPLE");
  assert_string_equal(c.secret_access_key, "sec&ret");
  assert_string_equal(c.session_token, "tok");
  assert_int_equal(c.expires, 1796119200);
  assert_int_equal(nhi_aws_parse_assume_role(no_token, strlen(no_token),
                                             &c, &err), NHI_ERR_INPUT);
  assert_string_equal(err, "Credentials has no SessionToken");
  free(err);
  assert_int_equal(nhi_aws_parse_assume_role("<Other/>", 8, &c, &err),
                   NHI_ERR_INPUT);
  assert_string_equal(err, "not an AssumeRole response (root element "
                      "<Other>)");
  free(err);
  free(c.access_key_id);
  free(c.secret_access_key);
  free(c.session_token);
}

static void test_endpoints(void **state)
{
  const char *signing = NULL;
  char *url = NULL;

  assert_int_equal(nhi_aws_endpoint("iam", "eu-west-1", &url, &signing),
                   NHI_OK);
  assert_string_equal(url, "https://iam.amazonaws.com");
  assert_string_equal(signing, "us-east-1");
  free(url);
  assert_int_equal(nhi_aws_endpoint("cloudtrail", "eu-west-1", &url,
                                    &signing), NHI_OK);
  assert_string_equal(url, "https://cloudtrail.eu-west-1.amazonaws.com");
  assert_string_equal(signing, "eu-west-1");
  free(url);
  assert_int_equal(nhi_aws_endpoint("sagemaker", "eu-west-1", &url,
                                    &signing), NHI_OK);
  assert_string_equal(url, "https://api.sagemaker.eu-west-1.amazonaws.com");
  free(url);
  assert_int_equal(nhi_aws_endpoint("bedrock-agent", "eu-west-1", &url,
                                    &signing), NHI_OK);
  assert_string_equal(url, "https://bedrock-agent.eu-west-1.amazonaws.com");
  free(url);
  setenv("NHISCOPE_AWS_ENDPOINT", "http://127.0.0.1:4000/", 1);
  setenv("NHISCOPE_AWS_ENDPOINT_ACCESS_ANALYZER", "http://127.0.0.1:5000",
         1);
  assert_int_equal(nhi_aws_endpoint("s3", "us-east-1", &url, &signing),
                   NHI_OK);
  assert_string_equal(url, "http://127.0.0.1:4000");
  free(url);
  assert_int_equal(nhi_aws_endpoint("access-analyzer", "us-east-1", &url,
                                    &signing), NHI_OK);
  assert_string_equal(url, "http://127.0.0.1:5000");
  free(url);
  assert_int_equal(nhi_aws_endpoint("iam", "us-east-1/../x", &url,
                                    &signing), NHI_ERR_INPUT);
  assert_null(url);
  assert_int_equal(nhi_aws_endpoint("IAM", "us-east-1", &url, &signing),
                   NHI_ERR_INPUT);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_profile_files, setup, teardown),
    cmocka_unit_test_setup_teardown(test_missing_files_are_empty, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_home_expansion, setup, teardown),
    cmocka_unit_test_setup_teardown(test_malformed_file, setup, teardown),
    cmocka_unit_test_setup_teardown(test_environment_first, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_half_environment, setup, teardown),
    cmocka_unit_test_setup_teardown(test_aws_profile_variable, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_no_credentials, setup, teardown),
    cmocka_unit_test_setup_teardown(test_profiles_that_cannot_work, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_sts_unreachable, setup, teardown),
    cmocka_unit_test_setup_teardown(test_assume_role_answer, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_endpoints, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
