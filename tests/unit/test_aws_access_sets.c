/* Unit tests for data access edges to sets of stores: an identity whose
 * grants cover many stores alike gets one edge to their set, and the
 * data_access view must spread those into exactly the pairs that one
 * edge per store gives. Checked on hand-made cases that tell stores
 * apart (a Deny naming one, NotResource, a policy variable, a
 * condition on tags, a bucket policy, object prefixes, a boundary, a
 * second account) and on seeded random policies over the same stores. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_access.h"
#include "import_util.h"
#include "strutil.h"
#include "support/aws_rows.h"
#include "support/store_rows.h"

#define ACCT "111122223333"
#define IAM "arn:aws:iam::" ACCT ":"
#define DDB "arn:aws:dynamodb:"
#define DOC(stmts) "{\"Version\":\"2012-10-17\",\"Statement\":[" stmts "]}"

/* Every pair the view gives, with what decides it. */
static const char pairs_sql[] =
  "SELECT kind, identity_ref, resource_ref, json_extract(attrs,"
  " '$.decision'), actions, json_extract(attrs, '$.objects'),"
  " json_extract(attrs, '$.via'), json_extract(attrs,"
  " '$.indeterminate') FROM data_access ORDER BY 1, 2, 3";

static long long put_identity(struct nhi_store *s, const char *arn,
                              const char *attrs, const char *tags)
{
  return aws_put_identity(s, &(struct aws_identity){
    .arn = arn, .account = ACCT, .attrs = attrs, .tags = tags });
}

static void put_grant(struct nhi_store *s, long long id, const char *effect,
                      const char *actions, int not_action,
                      const char *resources, int not_resource,
                      const char *condition)
{
  aws_put_grant(s, id, &(struct aws_grant){
    .effect = effect, .actions = actions, .not_action = not_action,
    .resources = resources, .not_resource = not_resource,
    .condition = condition });
}

static void put_resource(struct nhi_store *s, const char *arn,
                         const char *type, const char *account,
                         const char *tags)
{
  aws_put_resource(s, &(struct aws_resource){
    .arn = arn, .type = type, .account = account, .tags = tags });
}

static void put_policy(struct nhi_store *s, const char *arn,
                       const char *kind, const char *doc)
{
  aws_put_policy(s, arn, kind, doc);
}

/* 24 buckets (four tagged, two with a bucket policy, one owned by
 * another account), tables in two regions, keys with and without a key
 * policy, secrets, parameters and databases. */
static void put_stores(struct nhi_store *s)
{
  char arn[128];

  for (int i = 0; i < 20; i++) {
    snprintf(arn, sizeof arn, "arn:aws:s3:::data-%02d", i);
    put_resource(s, arn, "s3-bucket", i == 7 ? "444455556666" : NULL,
                 i % 5 == 0 ? "{\"team\":\"finance\"}" : NULL);
  }
  put_resource(s, "arn:aws:s3:::app-logs", "s3-bucket", NULL, NULL);
  put_resource(s, "arn:aws:s3:::web-logs", "s3-bucket", NULL, NULL);
  put_resource(s, "arn:aws:s3:::alice-home", "s3-bucket", NULL, NULL);
  put_resource(s, "arn:aws:s3:::shared-drop", "s3-bucket", NULL, NULL);
  put_policy(s, "arn:aws:s3:::data-03", "resource", DOC(
    "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
    "\"Resource\":\"arn:aws:s3:::data-03/*\",\"Condition\":"
    "{\"StringNotEquals\":{\"aws:PrincipalArn\":\"" IAM "role/r1\"}}}"));
  put_policy(s, "arn:aws:s3:::shared-drop", "resource", DOC(
    "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" IAM "role/r2\"},"
    "\"Action\":\"s3:GetObject\","
    "\"Resource\":\"arn:aws:s3:::shared-drop/in/*\"}"));
  for (int i = 0; i < 12; i++) {
    snprintf(arn, sizeof arn, DDB "%s:" ACCT ":table/orders-%d",
             i % 2 ? "eu-west-1" : "us-east-1", i);
    put_resource(s, arn, "dynamodb-table", ACCT,
                 i == 4 ? "{\"team\":\"finance\"}" : NULL);
  }
  for (int i = 0; i < 10; i++) {
    snprintf(arn, sizeof arn, "arn:aws:kms:eu-west-1:" ACCT ":key/k-%d", i);
    put_resource(s, arn, "kms-key", ACCT, NULL);
  }
  put_policy(s, "arn:aws:kms:eu-west-1:" ACCT ":key/k-0", "resource", DOC(
    "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" ACCT
    ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}"));
  for (int i = 0; i < 10; i++) {
    snprintf(arn, sizeof arn, "arn:aws:secretsmanager:eu-west-1:" ACCT
             ":secret:%s-%d-AbCdEf", i < 5 ? "db" : "api", i);
    put_resource(s, arn, "secretsmanager-secret", ACCT, NULL);
    snprintf(arn, sizeof arn, "arn:aws:ssm:eu-west-1:" ACCT
             ":parameter/%s/p%d", i < 5 ? "app" : "ops", i);
    put_resource(s, arn, "ssm-parameter", ACCT, NULL);
    snprintf(arn, sizeof arn, "arn:aws:rds:eu-west-1:" ACCT ":db:db-%d", i);
    put_resource(s, arn, "rds-db", ACCT, NULL);
  }
}

/* Identities whose policies tell some stores apart from the rest. */
static void put_tricky(struct nhi_store *s)
{
  long long id;

  id = put_identity(s, IAM "role/r1", NULL, NULL);
  put_grant(s, id, "allow", "[\"*\"]", 0, "[\"*\"]", 0, NULL);
  put_grant(s, id, "deny", "[\"s3:*\"]", 0,
            "[\"arn:aws:s3:::data-1*\"]", 0, NULL);
  id = put_identity(s, IAM "role/r2", NULL, NULL);
  put_grant(s, id, "allow", "[\"s3:Get*\"]", 0,
            "[\"arn:aws:s3:::*-logs\",\"arn:aws:s3:::web-logs\"]", 1, NULL);
  put_grant(s, id, "allow", "[\"s3:PutObject\"]", 0,
            "[\"arn:aws:s3:::data-02/uploads/*\"]", 0, NULL);
  id = put_identity(s, IAM "user/alice", "{\"id\":\"AIDAALICE\"}", NULL);
  put_grant(s, id, "allow", "[\"s3:*\"]", 0,
            "[\"arn:aws:s3:::${aws:username}-home/*\",\"arn:aws:s3:::*\"]",
            0, NULL);
  put_grant(s, id, "deny", "[\"s3:DeleteObject\"]", 0,
            "[\"arn:aws:s3:::${aws:username}-*\"]", 0, NULL);
  id = put_identity(s, IAM "role/tagged", NULL, NULL);
  put_grant(s, id, "allow", "[\"s3:GetObject\",\"dynamodb:GetItem\"]", 0,
            "[\"*\"]", 0, "{\"StringEquals\":"
            "{\"aws:ResourceTag/team\":\"finance\"}}");
  id = put_identity(s, IAM "role/bounded",
                    "{\"permissions_boundary\":\"" IAM "policy/edge\"}",
                    NULL);
  put_grant(s, id, "allow", "[\"*\"]", 0, "[\"*\"]", 0, NULL);
  put_policy(s, IAM "policy/edge", "managed", DOC(
    "{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotResource\":"
    "[\"arn:aws:s3:::data-0*\",\"" DDB "eu-west-1:*\"]}"));
  id = put_identity(s, IAM "role/vpce", NULL, NULL);
  put_grant(s, id, "allow", "[\"dynamodb:*\",\"kms:Decrypt\"]", 0,
            "[\"*\"]", 0, "{\"StringEquals\":"
            "{\"aws:SourceVpce\":\"vpce-1a2b3c\"}}");
}

/* A seeded draw, the same on every machine. */
static unsigned draw(unsigned *seed, unsigned n)
{
  *seed = *seed * 1103515245u + 12345u;
  return (*seed >> 16) % n;
}

static const char *const actions_pool[] = {
  "[\"*\"]", "[\"s3:*\"]", "[\"s3:Get*\"]", "[\"s3:GetObject\"]",
  "[\"s3:PutObject\",\"s3:DeleteObject\"]", "[\"dynamodb:*\"]",
  "[\"dynamodb:Get*\",\"dynamodb:Query\"]", "[\"kms:Decrypt\"]",
  "[\"secretsmanager:*\"]", "[\"ssm:GetParameter*\"]", "[\"rds:*\"]",
  "[\"*:Get*\"]", "[\"iam:*\"]",
};

static const char *const resources_pool[] = {
  "[\"*\"]", "[\"arn:aws:s3:::*\"]", "[\"arn:aws:s3:::*/*\"]",
  "[\"arn:aws:s3:::data-*\"]", "[\"arn:aws:s3:::data-0?/*\"]",
  "[\"arn:aws:s3:::data-05\",\"arn:aws:s3:::data-05/*\"]",
  "[\"arn:aws:s3:::data-11/reports/*\"]", "[\"arn:aws:s3:::*-logs/*\"]",
  "[\"arn:aws:s3:::${aws:username}*\"]",
  "[\"" DDB "*:*:table/*\"]", "[\"" DDB "eu-west-1:" ACCT ":table/*\"]",
  "[\"" DDB "*:*:table/orders-1*\"]",
  "[\"arn:aws:kms:*:" ACCT ":key/*\"]", "[\"arn:aws:kms:*:*:key/k-3\"]",
  "[\"arn:aws:secretsmanager:eu-west-1:" ACCT ":secret:db-*\"]",
  "[\"arn:aws:ssm:eu-west-1:" ACCT ":parameter/app/*\"]",
  "[\"arn:aws:rds:eu-west-1:" ACCT ":db:*\"]", "[\"arn:aws:rds:*\"]",
};

static const char *const conditions_pool[] = {
  "{\"StringEquals\":{\"aws:ResourceTag/team\":\"finance\"}}",
  "{\"StringEquals\":{\"aws:SourceVpce\":\"vpce-1a2b3c\"}}",
  "{\"StringEquals\":{\"aws:PrincipalTag/team\":\"data\"}}",
  "{\"StringNotEquals\":{\"aws:ResourceAccount\":\"" ACCT "\"}}",
};

#define PICK(pool) pool[draw(&seed, sizeof pool / sizeof pool[0])]

static void put_random(struct nhi_store *s, int n, unsigned seed)
{
  char arn[64];
  const char *cond;
  long long id;
  unsigned k;

  for (int i = 0; i < n; i++) {
    snprintf(arn, sizeof arn, IAM "%s/random-%03d",
             i % 3 ? "role" : "user", i);
    id = put_identity(s, arn, NULL, i % 4 ? NULL : "{\"team\":\"data\"}");
    for (k = 1 + draw(&seed, 4); k > 0; k--) {
      cond = draw(&seed, 10) < 3 ? PICK(conditions_pool) : NULL;
      put_grant(s, id, draw(&seed, 10) < 2 ? "deny" : "allow",
                PICK(actions_pool), draw(&seed, 12) == 0,
                PICK(resources_pool), draw(&seed, 12) == 0, cond);
    }
  }
}

static struct nhi_store *open_store(void)
{
  struct nhi_store *s = NULL;

  if (nhi_store_open(":memory:", &s))
    fail_msg("cannot open a store");
  put_stores(s);
  return s;
}

/* The pairs of asking about every store on its own, then with
 * stand-ins and sets from min_set alike stores, must be the same; *sets
 * says how many set edges there were. */
static void check_same_pairs(struct nhi_store *s, size_t min_set,
                             long long *sets)
{
  char *single, *grouped, *count;

  if (nhi_aws_access_derive_with(s, NULL, 0, 1, NULL))
    fail_msg("the derivation store by store failed");
  count = rows(s, "SELECT count(*) FROM edges WHERE to_type ="
                  " 'resource_set'");
  assert_string_equal(count, "0");
  free(count);
  single = rows(s, pairs_sql);
  if (nhi_aws_access_derive_with(s, NULL, min_set, 1, NULL))
    fail_msg("the derivation with sets failed");
  grouped = rows(s, pairs_sql);
  count = rows(s, "SELECT count(*) FROM edges WHERE to_type ="
                  " 'resource_set'");
  *sets = atoll(count);
  if (strcmp(single, grouped) != 0)
    fail_msg("sets change the pairs:\n--- one edge per store\n%s\n"
             "--- with sets\n%s", single, grouped);
  free(single);
  free(grouped);
  free(count);
}

static void test_tricky_identities_keep_their_pairs(void **state)
{
  struct nhi_store *s = open_store();
  long long sets = 0;

  put_tricky(s);
  check_same_pairs(s, 2, &sets);
  if (sets < 5)
    fail_msg("only %lld set edges: the broad identities got none", sets);
  /* r1's Deny names data-1x: those buckets are no set's. */
  assert_rows(s, "SELECT count(*) FROM data_access WHERE identity_ref ="
              " '" IAM "role/r1' AND resource_ref GLOB '*data-1*'", "0");
  /* The boundary leaves data-0x and the eu-west-1 tables out. */
  assert_rows(s, "SELECT count(*) FROM data_access WHERE identity_ref ="
              " '" IAM "role/bounded' AND (resource_ref GLOB '*:::data-0*'"
              " OR resource_ref GLOB '*eu-west-1*table*')", "0");
  /* The tag condition: of the tables, the finance-tagged one; an S3
   * object's tags are not its bucket's, so every bucket of the account
   * stays indeterminate, but data-07 (another account's) and data-03
   * (its policy denies all but r1). */
  assert_rows(s, "SELECT json_extract(attrs, '$.decision'), count(*),"
              " min(resource_ref) FROM data_access WHERE identity_ref = '"
              IAM "role/tagged' GROUP BY 1 ORDER BY 1",
              "allow|1|arn:aws:dynamodb:us-east-1:111122223333:table/orders-4"
              "\nindeterminate|22|arn:aws:s3:::alice-home");
  nhi_store_close(s);
}

static void test_random_policies_keep_their_pairs(void **state)
{
  struct nhi_store *s = open_store();
  long long sets = 0;

  put_random(s, 150, 20261204u);
  check_same_pairs(s, 2, &sets);
  if (sets < 50)
    fail_msg("only %lld set edges over 150 random identities", sets);
  nhi_store_close(s);
}

static void test_few_alike_stores_get_edges_of_their_own(void **state)
{
  struct nhi_store *s = open_store();
  long long sets = 0;

  put_tricky(s);
  put_random(s, 40, 7u);
  check_same_pairs(s, SIZE_MAX, &sets);
  assert_int_equal(sets, 0);
  nhi_store_close(s);
}

static void test_set_edge_names_its_stores(void **state)
{
  struct nhi_store *s = open_store();
  long long id = put_identity(s, IAM "role/reader", NULL, NULL);

  put_grant(s, id, "allow", "[\"s3:GetObject\"]", 0, "[\"*\"]", 0, NULL);
  put_grant(s, id, "deny", "[\"s3:*\"]", 0, "[\"arn:aws:s3:::web-logs/*\"]",
            0, NULL);
  if (nhi_aws_access_derive(s, NULL, NULL))
    fail_msg("the derivation failed");
  /* 24 buckets: data-03 and shared-drop have policies (data-03's
   * denies all but r1), web-logs is denied, data-07 belongs to another
   * account (and lets no one in from this one). */
  assert_rows(s, "SELECT kind, to_type, to_ref, json_extract(attrs,"
              " '$.set.stores'), json_extract(attrs, '$.set.except'),"
              " json_extract(attrs, '$.set.account') FROM edges"
              " WHERE from_ref = '" IAM "role/reader' ORDER BY to_ref",
              "can_read|resource_set|arn:aws:s3:::*|20|"
              "[\"arn:aws:s3:::data-03\",\"arn:aws:s3:::shared-drop\","
              "\"arn:aws:s3:::web-logs\"]|NULL\n"
              "can_read|resource|arn:aws:s3:::shared-drop|NULL|NULL|NULL");
  nhi_store_close(s);
}

/* A store in a file under dir (other threads open their own
 * connections to it) with the stores, the tricky identities and n
 * random ones. */
static struct nhi_store *open_file_store(const char *dir, const char *name,
                                         int n)
{
  struct nhi_store *s = NULL;
  char path[96];

  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (nhi_store_open(path, &s))
    fail_msg("cannot open a store in '%s'", path);
  put_stores(s);
  put_tricky(s);
  put_random(s, n, 20261205u);
  return s;
}

static void remove_store_files(const char *dir, const char *name)
{
  static const char *const ends[] = { "", "-wal", "-shm" };
  char path[96];

  for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
    snprintf(path, sizeof path, "%s/%s%s", dir, name, ends[i]);
    unlink(path);
  }
}

/* The whole edges table, ids and all, after a derivation on threads
 * threads of a store made as open_file_store makes it. */
static char *derive_on(const char *dir, const char *name, size_t threads,
                       struct nhi_aws_access_stats *stats)
{
  struct nhi_store *s = open_file_store(dir, name, 300);
  char *all;

  if (nhi_aws_access_derive_with(s, NULL, 2, threads, stats))
    fail_msg("the derivation on %zu threads failed", threads);
  all = rows(s, "SELECT * FROM edges ORDER BY id");
  nhi_store_close(s);
  remove_store_files(dir, name);
  return all;
}

/* Several threads write the edges one thread writes: the same rows,
 * ids, columns and attrs text, and the same counts. */
static void test_threads_write_the_same_edges(void **state)
{
  char dir[] = "/tmp/nhi-test-access-par-XXXXXX";
  struct nhi_aws_access_stats one, many;
  char *serial, *threaded;

  if (!mkdtemp(dir))
    fail_msg("cannot create a temporary folder");
  serial = derive_on(dir, "one.db", 1, &one);
  if (strlen(serial) < 100000)
    fail_msg("only %zu bytes of edges: too few to share out",
             strlen(serial));
  for (size_t threads = 2; threads <= 3; threads++) {
    threaded = derive_on(dir, "many.db", threads, &many);
    if (strcmp(serial, threaded) != 0)
      fail_msg("%zu threads wrote other edges than one", threads);
    assert_int_equal(many.decisions, one.decisions);
    assert_int_equal(many.pairs, one.pairs);
    assert_int_equal(many.resources, one.resources);
    assert_int_equal(many.reads, one.reads);
    assert_int_equal(many.writes, one.writes);
    assert_int_equal(many.sets, one.sets);
    assert_int_equal(many.indeterminate, one.indeterminate);
    free(threaded);
  }
  free(serial);
  rmdir(dir);
}

/* A write refused while the threads judge is returned, and the edges
 * of the derivation before are kept as they were. */
static void test_thread_failure_rolls_back(void **state)
{
  char dir[] = "/tmp/nhi-test-access-fail-XXXXXX";
  struct nhi_store *s;
  char *before, *after;

  if (!mkdtemp(dir))
    fail_msg("cannot create a temporary folder");
  s = open_file_store(dir, "fail.db", 150);
  if (nhi_aws_access_derive_with(s, NULL, 2, 2, NULL))
    fail_msg("the first derivation failed");
  before = rows(s, "SELECT * FROM edges ORDER BY id");
  if (nhi_store_exec(s, "CREATE TRIGGER refuse BEFORE INSERT ON edges"
                        " WHEN NEW.from_ref GLOB '*random-12*'"
                        " BEGIN SELECT RAISE(ABORT, 'refused'); END",
                     "cannot add a trigger"))
    fail_msg("cannot add a trigger");
  assert_int_equal(nhi_aws_access_derive_with(s, NULL, 2, 2, NULL),
                   NHI_ERR_DB);
  after = rows(s, "SELECT * FROM edges ORDER BY id");
  if (strcmp(before, after) != 0)
    fail_msg("a failed derivation changed the edges");
  free(before);
  free(after);
  nhi_store_close(s);
  remove_store_files(dir, "fail.db");
  rmdir(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tricky_identities_keep_their_pairs),
    cmocka_unit_test(test_random_policies_keep_their_pairs),
    cmocka_unit_test(test_few_alike_stores_get_edges_of_their_own),
    cmocka_unit_test(test_set_edge_names_its_stores),
    cmocka_unit_test(test_threads_write_the_same_edges),
    cmocka_unit_test(test_thread_failure_rolls_back),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
