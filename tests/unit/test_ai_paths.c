/* Unit tests for the AI path search (core/ai_*.c) and the sensitivity
 * labels it reads (tag mapping, names), over small stores written with
 * SQL. Identities here are GCP service accounts, whose can_assume edges
 * are taken as written, so no policy engine is involved; the AWS hops
 * are covered by the plugin tests' lab (tests/fixtures/ai/). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai_paths.h"
#include "sensitivity.h"

#define SA(n) n "@proj.iam.gserviceaccount.com"
#define GCS(n) "//storage.googleapis.com/projects/_/buckets/" n

static struct nhi_store *open_store(void)
{
  struct nhi_store *s = NULL;

  if (nhi_store_open(":memory:", &s))
    fail_msg("cannot open a store");
  return s;
}

static void exec(struct nhi_store *s, const char *sql)
{
  if (nhi_store_exec(s, sql, "test"))
    fail_msg("cannot run: %s", sql);
}

static void agent(struct nhi_store *s, const char *id, const char *sa)
{
  char sql[512];

  snprintf(sql, sizeof sql, "INSERT INTO ai_agents(native_id, platform)"
           " VALUES('%s', 'gcp-vertex');"
           "INSERT INTO edges(kind, from_type, from_ref, to_type, to_ref,"
           " attrs) VALUES('runs_as', 'ai_agent', '%s', 'identity', '%s',"
           " '{\"as\":\"service-account\"}')", id, id, sa);
  exec(s, sql);
}

static void edge(struct nhi_store *s, const char *kind, const char *from,
                 const char *to_type, const char *to, const char *attrs)
{
  char sql[1024];

  snprintf(sql, sizeof sql, "INSERT INTO edges(kind, from_type, from_ref,"
           " to_type, to_ref, actions, attrs) VALUES('%s', 'identity', '%s',"
           " '%s', '%s', '[\"roles/storage.objectViewer\"]', %s)", kind,
           from, to_type, to, attrs ? attrs : "NULL");
  exec(s, sql);
}

static void bucket(struct nhi_store *s, const char *id, const char *level)
{
  char sql[512];

  snprintf(sql, sizeof sql, "INSERT INTO resources(provider, account,"
           " native_id, type, sensitivity, sensitivity_source)"
           " VALUES('gcp', 'proj', '%s', 'gcs-bucket', %s%s%s, 'tag')", id,
           level ? "'" : "", level ? level : "NULL", level ? "'" : "");
  exec(s, sql);
}

static void derive(struct nhi_store *s, int hops,
                   struct nhi_ai_paths_stats *st)
{
  if (nhi_ai_paths_derive(s, ".", hops, st))
    fail_msg("the derivation failed");
}

/* The text of the first column of the first row of sql, or "". */
static char *first(struct nhi_store *s, const char *sql)
{
  static char buf[4096];
  sqlite3_stmt *st = NULL;

  buf[0] = '\0';
  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL))
    fail_msg("cannot prepare: %s", sql);
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    snprintf(buf, sizeof buf, "%s", sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return buf;
}

static void shortest_path_is_kept(void **state)
{
  struct nhi_store *s = open_store();
  struct nhi_ai_paths_stats st;

  (void)state;
  agent(s, "projects/p/locations/l/reasoningEngines/1", SA("a"));
  edge(s, "can_assume", SA("a"), "identity", SA("long1"), NULL);
  edge(s, "can_assume", SA("long1"), "identity", SA("long2"), NULL);
  edge(s, "can_assume", SA("a"), "identity", SA("short"), NULL);
  edge(s, "can_read", SA("long2"), "resource", GCS("pii"), NULL);
  edge(s, "can_read", SA("short"), "resource", GCS("pii"), NULL);
  bucket(s, GCS("pii"), "restricted");
  derive(s, 6, &st);
  assert_int_equal(st.paths, 1);
  assert_string_equal(first(s, "SELECT via_identity || ' ' || hops || ' '"
                                " || decision FROM paths"),
                      SA("short") " 3 allow");
  assert_string_equal(first(s, "SELECT json_extract(steps, '$[1].permission')"
                                " || ',' || json_extract(steps,"
                                " '$[2].permission') FROM paths"),
                      "roles/storage.objectViewer,"
                      "roles/storage.objectViewer");
  assert_string_equal(first(s, "SELECT json_extract(steps, '$[0].as')"
                                " FROM paths"), "service-account");
  nhi_store_close(s);
}

static void hops_are_bounded(void **state)
{
  struct nhi_store *s = open_store();
  struct nhi_ai_paths_stats st;

  (void)state;
  agent(s, "agent-1", SA("a"));
  edge(s, "can_assume", SA("a"), "identity", SA("b"), NULL);
  edge(s, "can_assume", SA("b"), "identity", SA("c"), NULL);
  edge(s, "can_read", SA("c"), "resource", GCS("hr"), NULL);
  bucket(s, GCS("hr"), "confidential");
  derive(s, 3, &st);
  assert_int_equal(st.paths, 0);
  derive(s, 4, &st);
  assert_int_equal(st.paths, 1);
  assert_string_equal(first(s, "SELECT count(*) FROM paths"), "1");
  nhi_store_close(s);
}

static void only_sensitive_resources(void **state)
{
  struct nhi_store *s = open_store();
  struct nhi_ai_paths_stats st;

  (void)state;
  agent(s, "agent-1", SA("a"));
  edge(s, "can_read", SA("a"), "resource", GCS("public"), NULL);
  edge(s, "can_write", SA("a"), "resource", GCS("secret"), NULL);
  bucket(s, GCS("public"), "internal");
  bucket(s, GCS("secret"), "restricted");
  derive(s, 6, &st);
  assert_int_equal(st.paths, 1);
  assert_string_equal(first(s, "SELECT access || ' ' || resource FROM"
                                " paths"), "write " GCS("secret"));
  nhi_store_close(s);
}

static void allowed_paths_come_first(void **state)
{
  struct nhi_store *s = open_store();
  struct nhi_ai_paths_stats st;

  (void)state;
  agent(s, "agent-1", SA("a"));
  edge(s, "can_read", SA("a"), "resource", GCS("pii"),
       "'{\"decision\":\"indeterminate\"}'");
  edge(s, "can_assume", SA("a"), "identity", SA("b"), NULL);
  edge(s, "can_read", SA("b"), "resource", GCS("pii"), NULL);
  edge(s, "can_read", SA("a"), "resource", GCS("pay"),
       "'{\"decision\":\"indeterminate\"}'");
  bucket(s, GCS("pii"), "restricted");
  bucket(s, GCS("pay"), "restricted");
  derive(s, 6, &st);
  assert_int_equal(st.paths, 2);
  assert_string_equal(first(s, "SELECT group_concat(resource || ' ' ||"
                                " hops || ' ' || decision, '; ') FROM"
                                " (SELECT * FROM paths ORDER BY id)"),
                      GCS("pay") " 2 indeterminate; "
                      GCS("pii") " 3 allow");
  nhi_store_close(s);
}

static void sets_spread_over_their_stores(void **state)
{
  struct nhi_store *s = open_store();
  struct nhi_ai_paths_stats st;
  const char *set = "'{\"resource_type\":\"gcs-bucket\",\"set\":{"
                    "\"provider\":\"gcp\",\"prefix\":"
                    "\"//storage.googleapis.com/projects/_/buckets/\","
                    "\"account\":\"proj\",\"except\":[\"" GCS("b") "\"]}}'";

  (void)state;
  agent(s, "agent-1", SA("a"));
  edge(s, "can_read", SA("a"), "resource_set", GCS("*"), set);
  bucket(s, GCS("a"), "restricted");
  bucket(s, GCS("b"), "restricted");
  bucket(s, GCS("c"), NULL);
  bucket(s, GCS("d"), "confidential");
  derive(s, 6, &st);
  assert_string_equal(first(s, "SELECT group_concat(resource, ' ') FROM"
                                " (SELECT * FROM paths ORDER BY id)"),
                      GCS("a") " " GCS("d"));
  nhi_store_close(s);
}

static void trace_from_activity_and_trails(void **state)
{
  struct nhi_store *s = open_store();
  struct nhi_ai_paths_stats st;

  (void)state;
  exec(s, "INSERT INTO ai_agents(native_id, platform) VALUES('kb',"
          " 'aws-bedrock-knowledge-base');"
          "INSERT INTO edges(kind, from_type, from_ref, to_type, to_ref)"
          " VALUES('runs_as', 'ai_agent', 'kb', 'identity',"
          " 'arn:aws:iam::1:role/kb');"
          "INSERT INTO resources(provider, native_id, type, sensitivity)"
          " VALUES('aws', 'arn:aws:s3:::logged', 's3-bucket', 'restricted'),"
          " ('aws', 'arn:aws:s3:::dark', 's3-bucket', 'restricted'),"
          " ('aws', 'arn:aws:cloudtrail:eu-west-1:1:trail/t',"
          " 'cloudtrail-trail', NULL);"
          "UPDATE resources SET attrs = '{\"selectors_known\":true,"
          " \"data_event_scope\":{\"s3\":[\"arn:aws:s3:::logged/\"]}}'"
          " WHERE type = 'cloudtrail-trail';"
          "INSERT INTO edges(kind, from_type, from_ref, to_type, to_ref,"
          " actions) VALUES('can_read', 'identity', 'arn:aws:iam::1:role/kb',"
          " 'resource', 'arn:aws:s3:::logged', '[\"s3:GetObject\"]'),"
          " ('can_read', 'identity', 'arn:aws:iam::1:role/kb', 'resource',"
          " 'arn:aws:s3:::dark', '[\"s3:GetObject\"]');"
          "INSERT INTO activity(identity_ref, action, resource, first_seen,"
          " last_seen, count) VALUES('arn:aws:iam::1:role/kb',"
          " 's3:GetObject', 'arn:aws:s3:::logged/a/b.txt',"
          " '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', 3),"
          " ('arn:aws:iam::1:role/kb', 's3:GetObject#denied',"
          " 'arn:aws:s3:::dark/x', NULL, NULL, 9),"
          " ('arn:aws:iam::1:role/kb', 's3:GetObject',"
          " 'arn:aws:s3:::logged-too/x', NULL, NULL, 5)");
  derive(s, 6, &st);
  assert_int_equal(st.used, 1);
  assert_int_equal(st.unlogged, 1);
  assert_string_equal(first(s, "SELECT group_concat(resource || ' ' || trace"
                                " || ' ' || logging || ' ' ||"
                                " coalesce(trace_count, 0), '; ') FROM"
                                " (SELECT * FROM paths ORDER BY id)"),
                      "arn:aws:s3:::dark unlogged not-logged 0; "
                      "arn:aws:s3:::logged used logged 3");
  nhi_store_close(s);
}

static void names_suggest_sensitivity(void **state)
{
  struct nhi_store *s = open_store();

  (void)state;
  exec(s, "INSERT INTO resources(provider, native_id, type, name) VALUES"
          " ('aws', 'arn:aws:s3:::hr-exports', 's3-bucket', 'hr-exports'),"
          " ('aws', 'arn:aws:s3:::three-charts', 's3-bucket', NULL),"
          " ('aws', 'arn:aws:dynamodb:eu-west-1:1:table/Customers',"
          " 'dynamodb-table', NULL),"
          " ('aws', 'arn:aws:s3:::chrome-builds', 's3-bucket', NULL);"
          "INSERT INTO resources(provider, native_id, type, name,"
          " sensitivity, sensitivity_source) VALUES('aws',"
          " 'arn:aws:s3:::payroll-public', 's3-bucket', NULL, 'public',"
          " 'profile')");
  assert_int_equal(nhi_sensitivity_from_names(s), NHI_OK);
  assert_string_equal(first(s, "SELECT group_concat(native_id || ' ' ||"
                                " sensitivity || ' ' || sensitivity_source"
                                " || ' ' || json_extract(attrs,"
                                " '$.sensitivity_confidence'), '; ') FROM"
                                " (SELECT * FROM resources WHERE"
                                " sensitivity_source = 'name' ORDER BY id)"),
                      "arn:aws:s3:::hr-exports confidential name low; "
                      "arn:aws:dynamodb:eu-west-1:1:table/Customers"
                      " confidential name low");
  nhi_store_close(s);
}

static void profile_maps_tags(void **state)
{
  struct nhi_store *s = open_store();
  cJSON *map = cJSON_Parse("{\"Data-Class\":{\"pii\":\"restricted\","
                           "\"*\":\"internal\"}}");

  (void)state;
  exec(s, "INSERT INTO resources(provider, native_id, type, tags) VALUES"
          " ('aws', 'b1', 's3-bucket', '{\"data-class\":\"PII\"}'),"
          " ('aws', 'b2', 's3-bucket', '{\"data-class\":\"other\"}'),"
          " ('aws', 'b3', 's3-bucket', '{\"DataClassification\":"
          "\"confidential\",\"data-class\":\"x\"}')");
  assert_int_equal(nhi_sensitivity_from_tags(s), NHI_OK);
  assert_int_equal(nhi_sensitivity_from_tag_map(s, map), NHI_OK);
  assert_string_equal(first(s, "SELECT group_concat(native_id || ' ' ||"
                                " sensitivity, '; ') FROM (SELECT * FROM"
                                " resources ORDER BY id)"),
                      "b1 restricted; b2 internal; b3 confidential");
  cJSON_Delete(map);
  nhi_store_close(s);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(shortest_path_is_kept),
    cmocka_unit_test(hops_are_bounded),
    cmocka_unit_test(only_sensitive_resources),
    cmocka_unit_test(allowed_paths_come_first),
    cmocka_unit_test(sets_spread_over_their_stores),
    cmocka_unit_test(trace_from_activity_and_trails),
    cmocka_unit_test(names_suggest_sensitivity),
    cmocka_unit_test(profile_maps_tags),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
