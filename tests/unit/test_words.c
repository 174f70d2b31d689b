/* Unit tests for word catalogues (reports/words.c): a language's words,
 * English for the keys it lacks, and clear errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "words.h"

struct fixture {
  char dir[64];
  char lang[96];
};

static void write_lang(const struct fixture *f, const char *name,
                       const char *text)
{
  char path[160];
  FILE *fp;

  snprintf(path, sizeof path, "%s/%s.json", f->lang, name);
  fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
}

static void remove_lang(const struct fixture *f, const char *name)
{
  char path[160];

  snprintf(path, sizeof path, "%s/%s.json", f->lang, name);
  unlink(path);
}

static int setup(void **state)
{
  struct fixture *f = calloc(1, sizeof *f);

  if (!f)
    return -1;
  strcpy(f->dir, "/tmp/nhi-unit-words-XXXXXX");
  if (!mkdtemp(f->dir)) {
    free(f);
    return -1;
  }
  snprintf(f->lang, sizeof f->lang, "%s/lang", f->dir);
  if (mkdir(f->lang, 0700)) {
    rmdir(f->dir);
    free(f);
    return -1;
  }
  write_lang(f, "en", "{\"a\": \"Apple\", \"b\": \"Bread\", "
                      "\"c\": \"Cheese\"}");
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *f = *state;
  static const char *const names[] = { "en", "xx", "yy", "zz" };

  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    remove_lang(f, names[i]);
  rmdir(f->lang);
  rmdir(f->dir);
  free(f);
  return 0;
}

static const char *word(const cJSON *words, const char *key)
{
  const cJSON *w = cJSON_GetObjectItemCaseSensitive(words, key);

  return cJSON_IsString(w) ? w->valuestring : "(missing)";
}

/* A key the language lacks reads in English; the others its own. */
static void test_missing_keys_fall_back_to_english(void **state)
{
  struct fixture *f = *state;
  cJSON *w = NULL;

  write_lang(f, "xx", "{\"a\": \"Manzana\", \"c\": 3}");
  assert_int_equal(nhi_words_load(f->dir, "xx", 1, &w), NHI_OK);
  assert_string_equal(word(w, "a"), "Manzana");
  assert_string_equal(word(w, "b"), "Bread");
  if (strcmp(word(w, "c"), "Cheese"))
    fail_msg("a key that is not a string should read in English, got "
             "'%s'", word(w, "c"));
  cJSON_Delete(w);
}

static void test_english_loads_as_written(void **state)
{
  struct fixture *f = *state;
  cJSON *w = NULL;

  assert_int_equal(nhi_words_load(f->dir, "en", 0, &w), NHI_OK);
  assert_int_equal(cJSON_GetArraySize(w), 3);
  assert_string_equal(word(w, "b"), "Bread");
  cJSON_Delete(w);
}

static void test_bad_catalogues_are_errors(void **state)
{
  struct fixture *f = *state;
  cJSON *w = (cJSON *)1;

  assert_int_equal(nhi_words_load(f->dir, "zz", 0, &w), NHI_ERR_INPUT);
  assert_null(w);
  write_lang(f, "yy", "[\"not\", \"an object\"]");
  assert_int_equal(nhi_words_load(f->dir, "yy", 0, &w), NHI_ERR_INPUT);
  assert_null(w);
  write_lang(f, "yy", "{\"a\": ");
  assert_int_equal(nhi_words_load(f->dir, "yy", 0, &w), NHI_ERR_INPUT);
  assert_int_equal(nhi_words_load(f->dir, "../lang/en", 0, &w),
                   NHI_ERR_INPUT);
  assert_int_equal(nhi_words_load(f->dir, "", 0, &w), NHI_ERR_INPUT);
  remove_lang(f, "en");
  write_lang(f, "xx", "{\"a\": \"Manzana\"}");
  if (nhi_words_load(f->dir, "xx", 0, &w) != NHI_ERR_INPUT)
    fail_msg("a catalogue without en.json to measure it by should fail");
}

static void test_language_names(void **state)
{
  (void)state;
  assert_true(nhi_words_valid_lang("es"));
  assert_true(nhi_words_valid_lang("pt-BR"));
  assert_true(nhi_words_valid_lang("zh_Hant"));
  assert_false(nhi_words_valid_lang("../en"));
  assert_false(nhi_words_valid_lang("e s"));
  assert_false(nhi_words_valid_lang(""));
  assert_false(nhi_words_valid_lang(NULL));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_missing_keys_fall_back_to_english,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_english_loads_as_written, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_bad_catalogues_are_errors, setup,
                                    teardown),
    cmocka_unit_test(test_language_names),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
