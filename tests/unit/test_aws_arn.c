/* Unit tests for ARN splitting, data resources and trust principals. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_arn.h"

static void test_parse_splits_fields(void **state)
{
  struct nhi_aws_arn a;

  assert_true(nhi_aws_arn_parse("arn:aws-cn:dynamodb:cn-north-1:"
                                "111122223333:table/Orders", &a));
  assert_int_equal(a.partition_len, 6);
  assert_memory_equal(a.partition, "aws-cn", 6);
  assert_memory_equal(a.service, "dynamodb", a.service_len);
  assert_memory_equal(a.region, "cn-north-1", a.region_len);
  assert_memory_equal(a.account, "111122223333", a.account_len);
  assert_string_equal(a.resource, "table/Orders");
}

static void test_parse_rejects_non_arns(void **state)
{
  struct nhi_aws_arn a;

  assert_false(nhi_aws_arn_parse("arn:aws:iam::111122223333", &a));
  assert_null(a.resource);
  assert_false(nhi_aws_arn_parse("urn:aws:iam::1:role/x", &a));
  assert_false(nhi_aws_arn_parse("arn:gcp:iam::1:role/x", &a));
  assert_false(nhi_aws_arn_parse("arn:aws::::x", &a));
  assert_false(nhi_aws_arn_parse("*", &a));
}

static void test_account(void **state)
{
  char *acct = NULL;

  assert_int_equal(nhi_aws_arn_account("arn:aws:iam::111122223333:role/"
                                       "a/b", &acct), NHI_OK);
  assert_string_equal(acct, "111122223333");
  free(acct);
  assert_int_equal(nhi_aws_arn_account("arn:aws:s3:::bucket", &acct),
                   NHI_OK);
  assert_null(acct);
  assert_int_equal(nhi_aws_arn_account("AROAEXAMPLE", &acct), NHI_OK);
  assert_null(acct);
}

/* The resource an entry names as "native_id|type|account|name", or
 * "none". */
static void check_resource(const char *arn, const char *want)
{
  struct nhi_aws_resource r;
  char got[512];

  if (nhi_aws_resource_parse(arn, &r) != NHI_OK)
    fail_msg("%s: out of memory", arn);
  if (!r.native_id)
    snprintf(got, sizeof got, "none");
  else
    snprintf(got, sizeof got, "%s|%s|%s|%s", r.native_id, r.type,
             r.account ? r.account : "NULL", r.name);
  nhi_aws_resource_free(&r);
  if (strcmp(got, want) != 0)
    fail_msg("%s\n  expected %s\n  got      %s", arn, want, got);
}

static void test_s3_buckets(void **state)
{
  check_resource("arn:aws:s3:::acme-data",
                 "arn:aws:s3:::acme-data|s3-bucket|NULL|acme-data");
  check_resource("arn:aws:s3:::acme-data/reports/*",
                 "arn:aws:s3:::acme-data|s3-bucket|NULL|acme-data");
  check_resource("arn:aws:s3:::acme-data/${aws:username}/*",
                 "arn:aws:s3:::acme-data|s3-bucket|NULL|acme-data");
  check_resource("arn:aws:s3:::acme-*", "none");
  check_resource("arn:aws:s3:::acme-dat?/x", "none");
  check_resource("arn:aws:s3:::*", "none");
  check_resource("arn:aws:s3:::${aws:PrincipalTag/team}-data", "none");
  check_resource("arn:aws:s3:eu-west-1:111122223333:accesspoint/ap1",
                 "none");
}

static void test_tables_and_secrets(void **state)
{
  check_resource("arn:aws:dynamodb:eu-west-1:111122223333:table/Orders/"
                 "index/by-date", "arn:aws:dynamodb:eu-west-1:111122223333:"
                 "table/Orders|dynamodb-table|111122223333|Orders");
  check_resource("arn:aws:dynamodb:eu-west-1:111122223333:table/Orders/"
                 "stream/*", "arn:aws:dynamodb:eu-west-1:111122223333:"
                 "table/Orders|dynamodb-table|111122223333|Orders");
  check_resource("arn:aws:dynamodb:eu-west-1:111122223333:table/*",
                 "none");
  check_resource("arn:aws:dynamodb:*:111122223333:table/Orders", "none");
  check_resource("arn:aws:secretsmanager:eu-west-1:111122223333:secret:"
                 "prod/db-AbCdEf", "arn:aws:secretsmanager:eu-west-1:"
                 "111122223333:secret:prod/db-AbCdEf|secretsmanager-secret|"
                 "111122223333|db-AbCdEf");
  check_resource("arn:aws:secretsmanager:eu-west-1:111122223333:secret:"
                 "prod/db-??????", "none");
  check_resource("arn:aws:ssm:eu-west-1:111122223333:parameter/app/url",
                 "arn:aws:ssm:eu-west-1:111122223333:parameter/app/url|"
                 "ssm-parameter|111122223333|url");
  check_resource("arn:aws:kms:eu-west-1:111122223333:key/0a1b-2c3d",
                 "arn:aws:kms:eu-west-1:111122223333:key/0a1b-2c3d|"
                 "kms-key|111122223333|0a1b-2c3d");
  check_resource("arn:aws:kms:eu-west-1:111122223333:alias/app", "none");
}

static void test_databases_queues_functions(void **state)
{
  check_resource("arn:aws:rds:eu-west-1:111122223333:cluster:orders",
                 "arn:aws:rds:eu-west-1:111122223333:cluster:orders|rds-db|"
                 "111122223333|orders");
  check_resource("arn:aws:rds:eu-west-1:111122223333:db:orders-1",
                 "arn:aws:rds:eu-west-1:111122223333:db:orders-1|rds-db|"
                 "111122223333|orders-1");
  check_resource("arn:aws:rds:eu-west-1:111122223333:snapshot:s1", "none");
  check_resource("arn:aws-us-gov:sqs:us-gov-west-1:111122223333:jobs",
                 "arn:aws-us-gov:sqs:us-gov-west-1:111122223333:jobs|"
                 "sqs-queue|111122223333|jobs");
  check_resource("arn:aws:sns:eu-west-1:111122223333:alerts",
                 "arn:aws:sns:eu-west-1:111122223333:alerts|sns-topic|"
                 "111122223333|alerts");
  check_resource("arn:aws:sns:eu-west-1:111122223333:alerts:5f0c-sub",
                 "none");
  check_resource("arn:aws:lambda:eu-west-1:111122223333:function:notify:"
                 "prod", "arn:aws:lambda:eu-west-1:111122223333:function:"
                 "notify|lambda-function|111122223333|notify");
  check_resource("arn:aws:lambda:eu-west-1:111122223333:function:notify:*",
                 "arn:aws:lambda:eu-west-1:111122223333:function:notify|"
                 "lambda-function|111122223333|notify");
  check_resource("arn:aws:lambda:eu-west-1:111122223333:function:*",
                 "none");
  check_resource("arn:aws:iam::111122223333:role/app", "none");
  check_resource("*", "none");
}

/* The edge source a principal gives, as "from_type|from_ref". */
static void check_principal(const char *type, const char *value,
                            const char *want)
{
  const char *from_type = NULL;
  char *from_ref = NULL, got[512];

  if (nhi_aws_principal_ref(type, value, "arn:aws-cn:iam::111122223333:"
                            "role/r", &from_type, &from_ref) != NHI_OK)
    fail_msg("%s %s: out of memory", type, value);
  snprintf(got, sizeof got, "%s|%s", from_type ? from_type : "NULL",
           from_ref ? from_ref : "NULL");
  free(from_ref);
  if (strcmp(got, want) != 0)
    fail_msg("%s %s\n  expected %s\n  got      %s", type, value, want,
             got);
}

static void test_principals(void **state)
{
  check_principal("AWS", "*", "any|*");
  check_principal("AWS", "444455556666",
                  "account|arn:aws-cn:iam::444455556666:root");
  check_principal("AWS", "arn:aws:iam::444455556666:root",
                  "account|arn:aws:iam::444455556666:root");
  check_principal("AWS", "arn:aws:iam::444455556666:user/ops",
                  "identity|arn:aws:iam::444455556666:user/ops");
  check_principal("AWS", "arn:aws:sts::444455556666:assumed-role/ops/s1",
                  "identity|arn:aws:sts::444455556666:assumed-role/ops/s1");
  check_principal("AWS", "AROAEXAMPLEDELETED01",
                  "identity|AROAEXAMPLEDELETED01");
  check_principal("AWS", "4444555566667", "identity|4444555566667");
  check_principal("Service", "lambda.amazonaws.com",
                  "service|lambda.amazonaws.com");
  check_principal("Federated", "cognito-identity.amazonaws.com",
                  "federated|cognito-identity.amazonaws.com");
  check_principal("CanonicalUser", "79a59df900b949e55d96a1e698fbaced",
                  "canonical_user|79a59df900b949e55d96a1e698fbaced");
  check_principal("Group", "x", "NULL|NULL");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse_splits_fields),
    cmocka_unit_test(test_parse_rejects_non_arns),
    cmocka_unit_test(test_account),
    cmocka_unit_test(test_s3_buckets),
    cmocka_unit_test(test_tables_and_secrets),
    cmocka_unit_test(test_databases_queues_functions),
    cmocka_unit_test(test_principals),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
