/* Unit tests for folder-tree scans: the planted fixture, excludes,
 * binaries, the size limit, threads, and a 50 MiB single line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scan.h"
#include "scan_ignore.h"
#include "support/store_rows.h"

#define FIXTURE "tests/fixtures/secrets"

static struct nhi_scan_rules *rules;
static char home[2048];

static int load_rules(void **state)
{
  const char *h = getenv("NHISCOPE_HOME");
  char path[4096];

  snprintf(home, sizeof home, "%s", h ? h : ".");
  snprintf(path, sizeof path, "%s/plugins/data/secrets/rules.json", home);
  if (nhi_scan_rules_load(path, &rules))
    fail_msg("cannot load '%s'", path);
  return 0;
}

static int free_rules(void **state)
{
  nhi_scan_rules_free(rules);
  return 0;
}

/* "path\tline\ttype\n" per hit, the caller frees. */
static char *listing(const struct nhi_scan_result *r)
{
  size_t cap = 256 + r->hits.count * 128, n = 0;
  char *out = malloc(cap);

  assert_non_null(out);
  out[0] = '\0';
  for (size_t i = 0; i < r->hits.count; i++) {
    const struct nhi_scan_hit *h = &r->hits.items[i];

    n += (size_t)snprintf(out + n, cap - n, "%s\t%ld\t%s\n",
                          r->files[h->file].path, h->line, h->type);
  }
  return out;
}

static const struct nhi_scan_file *file_named(const struct nhi_scan_result
                                              *r, const char *path)
{
  for (size_t i = 0; i < r->nfiles; i++)
    if (!strcmp(r->files[i].path, path))
      return &r->files[i];
  return NULL;
}

static void test_fixture(void **state)
{
  char root[4096], want_path[4096], *want, *got;
  struct nhi_scan_result r;
  const struct nhi_scan_file *png;

  snprintf(root, sizeof root, "%s/" FIXTURE "/repo", home);
  snprintf(want_path, sizeof want_path, "%s/" FIXTURE "/expected.tsv", home);
  want = slurp(want_path);
  assert_non_null(want);
  assert_int_equal(nhi_scan_tree(rules, root, NULL, &r), NHI_OK);
  got = listing(&r);
  if (strcmp(got, want))
    fail_msg("found:\n%s\nwant:\n%s", got, want);
  assert_null(file_named(&r, "vendor/lib.js"));
  assert_null(file_named(&r, "web/app.min.js"));
  png = file_named(&r, "assets/logo.png");
  assert_non_null(png);
  assert_int_equal(png->status, NHI_SCAN_BINARY);
  assert_int_equal(r.skipped, 1);
  /* the classifiers read the sample: exports/refunds.csv's three cards */
  assert_int_equal(r.classes.n[NHI_DC_CARD], 3);
  assert_int_equal(r.classes.n[NHI_DC_IBAN], 3);
  /* nothing found keeps a value: previews are 4 + … + 2 */
  for (size_t i = 0; i < r.hits.count; i++)
    assert_true(strlen(r.hits.items[i].preview) <= 9);
  free(got);
  free(want);
  nhi_scan_result_free(&r);
}

/* One thread or two, the same hits in the same order. */
static void test_threads(void **state)
{
  char root[4096];
  struct nhi_scan_opts one = { .threads = 1 }, two = { .threads = 2 };
  struct nhi_scan_result a, b;

  snprintf(root, sizeof root, "%s/" FIXTURE "/repo", home);
  assert_int_equal(nhi_scan_tree(rules, root, &one, &a), NHI_OK);
  assert_int_equal(nhi_scan_tree(rules, root, &two, &b), NHI_OK);
  assert_int_equal(a.hits.count, b.hits.count);
  for (size_t i = 0; i < a.hits.count; i++) {
    assert_string_equal(a.hits.items[i].fingerprint,
                        b.hits.items[i].fingerprint);
    assert_int_equal(a.hits.items[i].file, b.hits.items[i].file);
  }
  nhi_scan_result_free(&a);
  nhi_scan_result_free(&b);
}

static void test_excludes_and_limit(void **state)
{
  char root[4096];
  const char *ex[] = { "*.json", "/ci/" };
  struct nhi_scan_opts o = { .excludes = ex, .nexcludes = 2,
                             .max_file_size = 200 };
  struct nhi_scan_result r;
  const struct nhi_scan_file *f;

  snprintf(root, sizeof root, "%s/" FIXTURE "/repo", home);
  assert_int_equal(nhi_scan_tree(rules, root, &o, &r), NHI_OK);
  assert_null(file_named(&r, "gcp/etl-sa.json"));
  assert_null(file_named(&r, "ci/release.sh"));
  f = file_named(&r, "keys/deploy_key");
  assert_non_null(f);
  assert_int_equal(f->status, NHI_SCAN_TOO_BIG);
  for (size_t i = 0; i < r.hits.count; i++)
    assert_string_not_equal(r.files[r.hits.items[i].file].path,
                            "keys/deploy_key");
  nhi_scan_result_free(&r);
}

static void test_ignore_syntax(void **state)
{
  struct nhi_ignore ig = { 0 };
  static const char *const lines[] = {
    "# comment", "*.log", "!keep.log", "/build/", "docs/**/draft-*.md",
    "tmp[0-9]", "secrets/", NULL
  };

  for (size_t i = 0; lines[i]; i++)
    assert_int_equal(nhi_ignore_add(&ig, "", lines[i]), NHI_OK);
  assert_int_equal(nhi_ignore_add(&ig, "app", "local.env"), NHI_OK);
  assert_true(nhi_ignore_match(&ig, "a/b/debug.log", 0));
  assert_false(nhi_ignore_match(&ig, "a/keep.log", 0));
  assert_true(nhi_ignore_match(&ig, "build", 1));
  assert_false(nhi_ignore_match(&ig, "build", 0));
  assert_false(nhi_ignore_match(&ig, "src/build", 1));
  assert_true(nhi_ignore_match(&ig, "docs/draft-1.md", 0));
  assert_true(nhi_ignore_match(&ig, "docs/x/y/draft-2.md", 0));
  assert_false(nhi_ignore_match(&ig, "docs/x/final.md", 0));
  assert_true(nhi_ignore_match(&ig, "tmp7", 0));
  assert_false(nhi_ignore_match(&ig, "tmpx", 0));
  assert_true(nhi_ignore_match(&ig, "x/secrets", 1));
  assert_true(nhi_ignore_match(&ig, "app/local.env", 0));
  assert_false(nhi_ignore_match(&ig, "local.env", 0));
  nhi_ignore_free(&ig);
}

static double seconds(void)
{
  struct timespec t;

  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Writes a 50 MiB file of one line of minified script, full of
 * keywords, with two keys planted in it. */
static void write_big_line(const char *path)
{
  static const char chunk[] =
    "function(e){var t=e.token||null,n=e.password;if(!t)return n;"
    "return{secret:t,apiKey:e.api_key,pwd:n,auth:'Bearer '+t}};";
  FILE *f = fopen(path, "w");
  size_t total = 0;

  assert_non_null(f);
  while (total < (50u << 20)) {
    if (total == (25u << 20) - (25u << 20) % (sizeof chunk - 1))
      fputs("k='sk_live_zbUra8tOBe9JwEqdFkCAleyZChyOuUc5';", f);
    total += fwrite(chunk, 1, sizeof chunk - 1, f);
  }
  fputs("k='AKIAQ3EGJ7KZ4WXHBN5M';\n", f);
  assert_int_equal(fclose(f), 0);
}

static void test_big_single_line(void **state)
{
  char dir[] = "/tmp/nhi-scan-XXXXXX", path[64];
  struct nhi_scan_opts o = { .max_file_size = 64u << 20 };
  struct nhi_scan_result r;
  double t0;

  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/bundle.min.js", dir);
  write_big_line(path);
  t0 = seconds();
  assert_int_equal(nhi_scan_tree(rules, dir, &o, &r), NHI_OK);
  /* minutes would be a stall; seconds are plenty even under ASan */
  assert_true(seconds() - t0 < 60);
  assert_int_equal(r.hits.count, 2);
  assert_string_equal(r.hits.items[0].type, "stripe_secret_key");
  assert_string_equal(r.hits.items[1].type, "aws_access_key_id");
  assert_int_equal(r.hits.items[1].line, 1);
  assert_true(r.bytes > (50 << 20));
  nhi_scan_result_free(&r);
  unlink(path);
  rmdir(dir);
}

/* Binary content, with NULs later and junk bytes, never crashes. */
static void test_binary_content(void **state)
{
  char *buf = malloc(1 << 20);
  struct nhi_scan_hits h = { 0 };
  unsigned x = 12345;

  assert_non_null(buf);
  for (size_t i = 0; i < (1u << 20); i++) {
    x = x * 1103515245u + 12345u;
    buf[i] = (char)(x >> 16);
  }
  memcpy(buf + 5000, "AKIAQ3EGJ7KZ4WXHBN5M", 20);
  memcpy(buf + 9000, "-----BEGIN RSA PRIVATE KEY-----", 31);
  assert_int_equal(nhi_scan_buffer(rules, buf, 1 << 20, &h), NHI_OK);
  assert_true(h.count >= 1);
  assert_true(nhi_scan_is_binary(buf, 1 << 20));
  nhi_scan_hits_free(&h);
  free(buf);
}

static void test_missing_root(void **state)
{
  struct nhi_scan_result r;

  assert_int_equal(nhi_scan_tree(rules, "/nonexistent/nhi-scan", NULL, &r),
                   NHI_ERR_INPUT);
  nhi_scan_result_free(&r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_fixture),
    cmocka_unit_test(test_threads),
    cmocka_unit_test(test_excludes_and_limit),
    cmocka_unit_test(test_ignore_syntax),
    cmocka_unit_test(test_big_single_line),
    cmocka_unit_test(test_binary_content),
    cmocka_unit_test(test_missing_root),
  };

  return cmocka_run_group_tests(tests, load_rules, free_rules);
}
