/* Unit tests for plugin discovery and metadata validation
 * (core/plugin.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin.h"

/* One invalid metadata case: the line of field (or a new line, when
 * field is NULL) replaced by line (removed when line is NULL). */
struct bad_case {
  const char *name;
  int collector;
  const char *field;
  const char *line;
  const char *want;
  const char *want_too;        /* a second part the message holds */
};

struct fixture {
  char dir[64];
  struct nhi_plugin_env env;
  const struct bad_case *bad;  /* the case a bad-metadata test runs */
};

static const char *const check_lines[] = {
  "id = 'test.sample'",
  "kind = 'check'",
  "description = 'A sample check'",
  "question = 'overprivilege'",
  "category = 'admin-equivalent'",
  "owasp = 'NHI5'",
  "severity = 'high'",
  "effort = 'low'",
  "requires = { 'identities', 'grants' }",
  "params = { max_days = 90, label = 'x', strict = true }",
  "title = 'Sample over {max_days} days'",
  "remediation = 'Fix it.'",
  "run = function(ctx) end",
  NULL
};

static const char *const collector_lines[] = {
  "id = 'test.collect'",
  "kind = 'collector'",
  "description = 'A sample collector'",
  "source = 'aws:authz'",
  "provides = { 'identities', 'grants' }",
  "run = function(ctx) end",
  NULL
};

static void remove_tree(const char *path)
{
  struct stat sb;
  struct dirent *e;
  DIR *d;
  char sub[4096];

  if (lstat(path, &sb) != 0)
    return;
  if (!S_ISDIR(sb.st_mode)) {
    unlink(path);
    return;
  }
  d = opendir(path);
  while (d && (e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
    remove_tree(sub);
  }
  if (d)
    closedir(d);
  rmdir(path);
}

/* DIR/rel, malloc'd. */
static char *path_in(struct fixture *fx, const char *rel)
{
  size_t n = strlen(fx->dir) + strlen(rel) + 2;
  char *p = malloc(n);

  assert_non_null(p);
  snprintf(p, n, "%s/%s", fx->dir, rel);
  return p;
}

/* Writes text to DIR/rel, creating folders on the way; returns the
 * path (malloc'd). */
static char *write_file(struct fixture *fx, const char *rel,
                        const char *text)
{
  char *path = path_in(fx, rel);
  FILE *f;

  for (char *p = path + strlen(fx->dir) + 1; *p; p++)
    if (*p == '/') {
      *p = '\0';
      mkdir(path, 0700);
      *p = '/';
    }
  f = fopen(path, "w");
  if (!f)
    fail_msg("cannot write '%s'", path);
  fputs(text, f);
  fclose(f);
  return path;
}

static int starts_field(const char *line, const char *field)
{
  size_t n = strlen(field);

  return strncmp(line, field, n) == 0 && line[n] == ' ';
}

/* Writes a plugin file from lines, with the line of field replaced by
 * line (dropped when line is NULL; appended when field is NULL). */
static char *write_plugin(struct fixture *fx, const char *rel,
                          const char *const *lines, const char *field,
                          const char *line)
{
  char text[2048] = "return {\n";
  char *path;

  for (const char *const *l = lines; *l; l++) {
    const char *use = field && starts_field(*l, field) ? line : *l;

    if (!use)
      continue;
    strcat(text, "  ");
    strcat(text, use);
    strcat(text, ",\n");
  }
  if (!field && line) {
    strcat(text, "  ");
    strcat(text, line);
    strcat(text, ",\n");
  }
  strcat(text, "}\n");
  path = write_file(fx, rel, text);
  return path;
}

static int setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);

  if (!fx)
    return -1;
  fx->bad = *state;
  strcpy(fx->dir, "/tmp/nhi-unit-plugin-XXXXXX");
  if (!mkdtemp(fx->dir)) {
    free(fx);
    return -1;
  }
  fx->env.limits.memory = 64u << 20;
  fx->env.limits.budget = 20000000ULL;
  *state = fx;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *fx = *state;

  remove_tree(fx->dir);
  free(fx);
  return 0;
}

static void expect_list(char **list, size_t n, const char *a, const char *b)
{
  assert_int_equal(n, 2);
  assert_non_null(list);
  assert_string_equal(list[0], a);
  assert_string_equal(list[1], b);
}

static void test_load_valid_check(void **state)
{
  struct fixture *fx = *state;
  char *path = write_plugin(fx, "sample.lua", check_lines, NULL, NULL);
  struct nhi_plugin p;
  char *err = NULL;

  if (nhi_plugin_load(path, &fx->env, &p, &err) != NHI_OK)
    fail_msg("valid check refused: %s", err ? err : "?");
  assert_null(err);
  assert_string_equal(p.id, "test.sample");
  assert_string_equal(p.path, path);
  assert_int_equal(p.kind, NHI_PLUGIN_CHECK);
  assert_string_equal(p.description, "A sample check");
  assert_string_equal(p.question, "overprivilege");
  assert_string_equal(p.category, "admin-equivalent");
  assert_string_equal(p.owasp, "NHI5");
  assert_string_equal(p.severity, "high");
  assert_string_equal(p.effort, "low");
  assert_string_equal(p.title, "Sample over {max_days} days");
  assert_string_equal(p.remediation, "Fix it.");
  expect_list(p.requires, p.nrequires, "identities", "grants");
  assert_string_equal(p.params_json,
                      "{\"label\":\"x\",\"max_days\":90,\"strict\":true}");
  assert_null(p.source);
  assert_int_equal(p.nprovides, 0);
  nhi_plugin_clear(&p);
  assert_null(p.id);
  free(path);
}

static void test_load_valid_collector(void **state)
{
  struct fixture *fx = *state;
  char *path = write_plugin(fx, "collect.lua", collector_lines, NULL, NULL);
  struct nhi_plugin p;
  char *err = NULL;

  if (nhi_plugin_load(path, &fx->env, &p, &err) != NHI_OK)
    fail_msg("valid collector refused: %s", err ? err : "?");
  assert_string_equal(p.id, "test.collect");
  assert_string_equal(p.path, path);
  assert_int_equal(p.kind, NHI_PLUGIN_COLLECTOR);
  assert_string_equal(p.description, "A sample collector");
  assert_string_equal(p.source, "aws:authz");
  assert_string_equal(p.method, "import");
  expect_list(p.provides, p.nprovides, "identities", "grants");
  assert_string_equal(p.params_json, "{}");
  assert_null(p.question);
  assert_null(p.severity);
  assert_null(p.effort);
  assert_int_equal(p.nrequires, 0);
  nhi_plugin_clear(&p);
  free(path);
}

/* A collector of an API says so (method = "live"); a provider:live
 * source is live without saying. */
static void test_collector_method(void **state)
{
  struct fixture *fx = *state;
  char *path = write_plugin(fx, "admin.lua", collector_lines, NULL,
                            "method = 'live'");
  struct nhi_plugin p;
  char *err = NULL;

  if (nhi_plugin_load(path, &fx->env, &p, &err) != NHI_OK)
    fail_msg("live collector refused: %s", err ? err : "?");
  assert_string_equal(p.method, "live");
  nhi_plugin_clear(&p);
  free(path);
  path = write_plugin(fx, "live.lua", collector_lines, "source",
                      "source = 'aws:live'");
  if (nhi_plugin_load(path, &fx->env, &p, &err) != NHI_OK)
    fail_msg("aws:live collector refused: %s", err ? err : "?");
  assert_string_equal(p.method, "live");
  nhi_plugin_clear(&p);
  free(path);
}

/* The optional fields may be left out. */
static void test_load_minimal_check(void **state)
{
  static const char *const lines[] = {
    "id = 'min'", "kind = 'check'", "question = 'ai-data-trace'",
    "owasp = 'NHI10'", "severity = 'info'", "title = 't'",
    "remediation = 'r'", "run = function() end", NULL
  };
  struct fixture *fx = *state;
  char *path = write_plugin(fx, "min.lua", lines, NULL, NULL);
  struct nhi_plugin p;
  char *err = NULL;

  if (nhi_plugin_load(path, &fx->env, &p, &err) != NHI_OK)
    fail_msg("minimal check refused: %s", err ? err : "?");
  assert_null(p.category);
  assert_null(p.description);
  if (!p.effort || strcmp(p.effort, "medium"))
    fail_msg("a check without effort should default to medium, got %s",
             p.effort ? p.effort : "NULL");
  assert_int_equal(p.nrequires, 0);
  assert_string_equal(p.params_json, "{}");
  nhi_plugin_clear(&p);
  free(path);
}

static const struct bad_case bad_cases[] = {
  { "bad: missing id", 0, "id", NULL, "field 'id' is missing", NULL },
  { "bad: id characters", 0, "id", "id = 'Test Sample!'", "field 'id'",
    "Test Sample!" },
  { "bad: id not a string", 0, "id", "id = 5", "field 'id' must be a string",
    NULL },
  { "bad: kind other", 0, "kind", "kind = 'other'", "field 'kind'",
    "'other'" },
  { "bad: question unknown", 0, "question", "question = 'privacy'",
    "field 'question'", "'privacy'" },
  { "bad: severity typo", 0, "severity", "severity = 'hgh'",
    "field 'severity'", "'hgh'" },
  { "bad: owasp NHI11", 0, "owasp", "owasp = 'NHI11'", "field 'owasp'",
    "'NHI11'" },
  { "bad: category unknown", 0, "category", "category = 'misc'",
    "field 'category'", NULL },
  { "bad: unknown field sevrity", 0, "severity", "sevrity = 'high'",
    "unknown field 'sevrity'", NULL },
  { "bad: run not a function", 0, "run", "run = 42", "field 'run'", NULL },
  { "bad: run missing", 1, "run", NULL, "field 'run'", NULL },
  { "bad: requires unknown table", 0, "requires",
    "requires = { 'identities', 'users' }", "field 'requires'", "'users'" },
  { "bad: requires not a list", 0, "requires", "requires = 'identities'",
    "field 'requires'", NULL },
  { "bad: params with a table value", 0, "params",
    "params = { roles = { 'a' } }", "param 'roles'", NULL },
  { "bad: missing title", 0, "title", NULL, "field 'title' is missing",
    NULL },
  { "bad: collector source without colon", 1, "source", "source = 'aws'",
    "field 'source'", "'aws'" },
  { "bad: collector source empty kind", 1, "source", "source = 'aws:'",
    "field 'source'", NULL },
  { "bad: collector provides unknown table", 1, "provides",
    "provides = { 'users' }", "field 'provides'", "'users'" },
  { "bad: collector with a check field", 1, NULL,
    "question = 'overprivilege'", "unknown field 'question'", NULL },
  { "bad: effort unknown", 0, "effort", "effort = 'trivial'",
    "field 'effort' must be one of low, medium, high", "'trivial'" },
  { "bad: effort not a string", 0, "effort", "effort = 1",
    "field 'effort' must be a string", NULL },
  { "bad: collector with effort", 1, NULL, "effort = 'low'",
    "unknown field 'effort'", NULL },
  { "bad: collector method unknown", 1, NULL, "method = 'api'",
    "field 'method' must be one of live, import", "'api'" },
};

static void test_bad_metadata(void **state)
{
  struct fixture *fx = *state;
  const struct bad_case *c = fx->bad;
  char *path = write_plugin(fx, "bad.lua",
                            c->collector ? collector_lines : check_lines,
                            c->field, c->line);
  struct nhi_plugin p;
  char *err = NULL;

  if (nhi_plugin_load(path, &fx->env, &p, &err) != NHI_ERR_PLUGIN)
    fail_msg("%s: the plugin was accepted", c->name);
  assert_non_null(err);
  if (!strstr(err, path))
    fail_msg("%s: '%s' does not name the file", c->name, err);
  if (!strstr(err, c->want) || (c->want_too && !strstr(err, c->want_too)))
    fail_msg("%s: '%s' lacks '%s'", c->name, err, c->want);
  assert_null(p.id);
  assert_null(p.path);
  free(err);
  free(path);
}

static void expect_load_error(struct fixture *fx, const char *text,
                              const char *want)
{
  char *path = write_file(fx, "odd.lua", text);
  struct nhi_plugin p;
  char *err = NULL;

  assert_int_equal(nhi_plugin_load(path, &fx->env, &p, &err),
                   NHI_ERR_PLUGIN);
  assert_non_null(err);
  if (!strstr(err, path) || !strstr(err, want))
    fail_msg("'%s' does not name the file and '%s'", err, want);
  free(err);
  free(path);
}

static void test_file_returning_number(void **state)
{
  expect_load_error(*state, "return 42\n",
                    "must return a table (got number)");
}

static void test_file_with_syntax_error(void **state)
{
  expect_load_error(*state, "return {\n  id = 'x',\n  kind = = 'check'\n}\n",
                    "odd.lua:3:");
}

static void test_file_failing_at_load(void **state)
{
  expect_load_error(*state, "error('broken plugin')\n", "broken plugin");
  expect_load_error(*state, "while true do end\n",
                    "instruction budget exceeded");
}

static char *check_file(struct fixture *fx, const char *rel, const char *id)
{
  char line[64];

  snprintf(line, sizeof line, "id = '%s'", id);
  return write_plugin(fx, rel, check_lines, "id", line);
}

static void test_discover(void **state)
{
  struct fixture *fx = *state;
  char *paths[] = {
    check_file(fx, "b/two.lua", "b.two"),
    check_file(fx, "a/one.lua", "a.one"),
    check_file(fx, "c.lua", "c"),
    write_file(fx, "lib/helper.lua", "return 42\n"),
    write_file(fx, "a/tests/case.lua", "return 42\n"),
    write_file(fx, "broken.lua", "return 42\n"),
    write_file(fx, "notes.txt", "not a plugin\n"),
    write_file(fx, ".hidden.lua", "return 42\n"),
  };
  const char *dirs[] = { fx->dir, NULL };
  struct nhi_plugin_set set = { 0 };

  assert_int_equal(nhi_plugin_discover(dirs, &fx->env, &set), NHI_OK);
  assert_int_equal(set.count, 3);
  assert_string_equal(set.items[0].id, "a.one");
  assert_string_equal(set.items[1].id, "b.two");
  assert_string_equal(set.items[2].id, "c");
  assert_int_equal(set.nfailures, 1);
  assert_string_equal(set.failures[0].path, paths[5]);
  assert_non_null(strstr(set.failures[0].error, "must return a table"));
  assert_ptr_equal(nhi_plugin_find(&set, "b.two"), &set.items[1]);
  assert_null(nhi_plugin_find(&set, "helper"));
  nhi_plugin_set_free(&set);
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
    free(paths[i]);
}

static void test_discover_rejects_duplicate_id(void **state)
{
  struct fixture *fx = *state;
  char *first = check_file(fx, "a/first.lua", "same.id");
  char *second = check_file(fx, "b/second.lua", "same.id");
  char *other = check_file(fx, "c/other.lua", "other");
  const char *dirs[] = { fx->dir, NULL };
  struct nhi_plugin_set set = { 0 };

  assert_int_equal(nhi_plugin_discover(dirs, &fx->env, &set), NHI_OK);
  assert_int_equal(set.count, 2);
  assert_string_equal(set.items[0].path, first);
  assert_string_equal(set.items[1].id, "other");
  assert_int_equal(set.nfailures, 1);
  assert_string_equal(set.failures[0].path, second);
  if (!strstr(set.failures[0].error, first) ||
      !strstr(set.failures[0].error, second) ||
      !strstr(set.failures[0].error, "same.id"))
    fail_msg("duplicate error '%s' does not name both files",
             set.failures[0].error);
  nhi_plugin_set_free(&set);
  free(first);
  free(second);
  free(other);
}

static void test_discover_file_and_missing_folder(void **state)
{
  struct fixture *fx = *state;
  char *file = check_file(fx, "single.lua", "single");
  char *missing = path_in(fx, "nope");
  const char *one[] = { file, NULL };
  const char *none[] = { missing, NULL };
  struct nhi_plugin_set set = { 0 };

  assert_int_equal(nhi_plugin_discover(one, &fx->env, &set), NHI_OK);
  assert_int_equal(set.count, 1);
  assert_string_equal(set.items[0].id, "single");
  nhi_plugin_set_free(&set);
  assert_int_equal(nhi_plugin_discover(none, &fx->env, &set),
                   NHI_ERR_INPUT);
  nhi_plugin_set_free(&set);
  free(file);
  free(missing);
}

static void test_vocab_index(void **state)
{
  (void)state;
  assert_int_equal(nhi_vocab_index(nhi_questions, "ai-data-access"), 0);
  assert_int_equal(nhi_vocab_index(nhi_questions, "ai-data-trace"), 3);
  assert_int_equal(nhi_vocab_index(nhi_severities, "info"), 4);
  assert_int_equal(nhi_vocab_index(nhi_severities, "Info"), -1);
  assert_int_equal(nhi_vocab_index(nhi_severities, NULL), -1);
  assert_true(nhi_vocab_index(nhi_categories, "missing-owner") >= 0);
}

#define BAD(i)                                                            \
  { bad_cases[i].name, test_bad_metadata, setup, teardown,                \
    (void *)&bad_cases[i] }

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
    T(test_load_valid_check),
    T(test_load_valid_collector),
    T(test_collector_method),
    T(test_load_minimal_check),
    BAD(0), BAD(1), BAD(2), BAD(3), BAD(4), BAD(5), BAD(6), BAD(7),
    BAD(8), BAD(9), BAD(10), BAD(11), BAD(12), BAD(13), BAD(14), BAD(15),
    BAD(16), BAD(17), BAD(18), BAD(19), BAD(20), BAD(21), BAD(22),
    T(test_file_returning_number),
    T(test_file_with_syntax_error),
    T(test_file_failing_at_load),
    T(test_discover),
    T(test_discover_rejects_duplicate_id),
    T(test_discover_file_and_missing_folder),
    T(test_vocab_index),
  };
#undef T

  _Static_assert(sizeof bad_cases / sizeof bad_cases[0] == 23,
                 "every bad case has a BAD() entry");
  return cmocka_run_group_tests(tests, NULL, NULL);
}
