/* Unit tests for the streaming JSON record splitter. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "json_stream.h"
#include "support/store_rows.h"

/* What splitting one input gave: the records joined by '\n', or the
 * error logged. */
struct split {
  enum nhi_rc rc;
  char *records;
  char *log;
};

/* Writes text (gzip-compressed when gz) to a new temporary file. */
static void write_input(char *path, const char *text, size_t len, int gz)
{
  int fd = mkstemp(path);
  gzFile g;

  if (fd < 0)
    fail_msg("cannot create a temporary file");
  if (!gz) {
    if (write(fd, text, len) != (ssize_t)len)
      fail_msg("cannot write a temporary file");
    close(fd);
    return;
  }
  g = gzdopen(fd, "wb");
  if (!g || (len && gzwrite(g, text, (unsigned)len) != (int)len) ||
      gzclose(g) != Z_OK)
    fail_msg("cannot write a temporary gzip file");
}

static void append_text(char **out, size_t *len, const char *s, size_t n)
{
  char *grown = realloc(*out, *len + n + 2);

  if (!grown)
    fail_msg("out of memory");
  *out = grown;
  if (*len)
    (*out)[(*len)++] = '\n';
  memcpy(*out + *len, s, n);
  *len += n;
  (*out)[*len] = '\0';
}

/* Splits the file at path read chunk bytes at a time. */
static void split_file(struct split *sp, const char *path, size_t chunk)
{
  char log[] = "/tmp/nhi-test-stream-log-XXXXXX";
  struct nhi_json_stream *js = NULL;
  struct nhi_json_record rec;
  size_t len = 0;
  int fd, saved;

  memset(sp, 0, sizeof *sp);
  fd = mkstemp(log);
  saved = dup(STDERR_FILENO);
  if (fd < 0 || saved < 0 || dup2(fd, STDERR_FILENO) < 0)
    fail_msg("cannot capture stderr");
  sp->rc = nhi_json_stream_open(path, chunk, &js);
  while (!sp->rc) {
    sp->rc = nhi_json_stream_next(js, &rec);
    if (sp->rc || !rec.text)
      break;
    if (strlen(rec.text) != rec.len)
      fail_msg("record %zu: len %zu but strlen %zu", rec.index, rec.len,
               strlen(rec.text));
    append_text(&sp->records, &len, rec.text, rec.len);
  }
  nhi_json_stream_close(js);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  sp->log = slurp(log);
  unlink(log);
  if (!sp->records)
    sp->records = calloc(1, 1);
  if (!sp->log || !sp->records)
    fail_msg("out of memory");
}

static void split_free(struct split *sp)
{
  free(sp->records);
  free(sp->log);
}

/* Splits text at every chunk size from 1 to 17 and the default, plain
 * and gzipped, and checks each gives want without an error. */
static void expect_records(const char *text, const char *want)
{
  static const size_t chunks[] = { 1, 2, 3, 5, 7, 11, 17, 0 };
  char path[] = "/tmp/nhi-test-stream-XXXXXX";
  struct split sp;

  for (int gz = 0; gz < 2; gz++) {
    strcpy(path, "/tmp/nhi-test-stream-XXXXXX");
    write_input(path, text, strlen(text), gz);
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
      split_file(&sp, path, chunks[i]);
      if (sp.rc != NHI_OK)
        fail_msg("chunk %zu, gzip %d: error %d: %s", chunks[i], gz, sp.rc,
                 sp.log);
      if (strcmp(sp.records, want) != 0)
        fail_msg("chunk %zu, gzip %d: records\n%s\nexpected\n%s",
                 chunks[i], gz, sp.records, want);
      split_free(&sp);
    }
    unlink(path);
  }
}

/* Splits text with a 3-byte chunk and checks the error message. */
static void expect_error(const char *text, size_t len, int gz,
                         const char *want)
{
  char path[] = "/tmp/nhi-test-stream-XXXXXX";
  char expected[512];
  struct split sp;

  write_input(path, text, len, gz);
  split_file(&sp, path, 3);
  snprintf(expected, sizeof expected, "nhiscope: error: cannot read '%s': "
           "%s\n", path, want);
  unlink(path);
  if (sp.rc != NHI_ERR_INPUT)
    fail_msg("expected NHI_ERR_INPUT, got %d", sp.rc);
  if (strcmp(sp.log, expected) != 0)
    fail_msg("expected the message\n  %s but stderr was\n  %s", expected,
             sp.log);
  split_free(&sp);
}

static void test_records_wrapper(void **state)
{
  (void)state;
  expect_records("{\"Records\":[{\"a\":1},{\"b\":[2,{\"c\":3}]}]}",
                 "{\"a\":1}\n{\"b\":[2,{\"c\":3}]}");
}

static void test_records_pretty_printed(void **state)
{
  (void)state;
  expect_records("\xEF\xBB\xBF{\n  \"Records\" : [\n    {\n      \"a\": 1\n"
                 "    },\n    { \"b\": 2 }\n  ],\n  \"Next\": {\"x\": [1]}\n"
                 "}\n",
                 "{\n      \"a\": 1\n    }\n{ \"b\": 2 }");
}

static void test_strings_hide_structure(void **state)
{
  (void)state;
  expect_records("{\"Records\":[{\"k\":\"}]{[\\\"\\\\\"},{\"q\":\"a\\\\\"}]}",
                 "{\"k\":\"}]{[\\\"\\\\\"}\n{\"q\":\"a\\\\\"}");
}

static void test_json_lines(void **state)
{
  (void)state;
  expect_records("{\"eventName\":\"A\"}\n{\"eventName\":\"B\",\"x\":{}}\r\n"
                 "\n{\"eventName\":\"C\"}",
                 "{\"eventName\":\"A\"}\n{\"eventName\":\"B\",\"x\":{}}\n"
                 "{\"eventName\":\"C\"}");
}

static void test_first_key_not_records(void **state)
{
  (void)state;
  expect_records("{\"Recordsx\":[{\"a\":1}]}{\"x\":1,\"Records\":[]}",
                 "{\"Recordsx\":[{\"a\":1}]}\n{\"x\":1,\"Records\":[]}");
}

static void test_top_level_array(void **state)
{
  (void)state;
  expect_records("[ {\"a\":1} , {\"b\":2} ]\n", "{\"a\":1}\n{\"b\":2}");
}

static void test_empty_inputs(void **state)
{
  (void)state;
  expect_records("{\"Records\":[]}", "");
  expect_records("[]", "");
  expect_records("", "");
  expect_records(" \n", "");
}

static void test_text_outside_records(void **state)
{
  (void)state;
  expect_error("eventName,eventTime\n", 20, 0,
               "byte 0: expected '{' or '[', found 'e'");
  expect_error("{\"Records\":{}}", 14, 0,
               "byte 11: expected an array after \"Records\":, found '{'");
  expect_error("{\"Records\":[{\"a\":1} {\"b\":2}]}", 28, 0,
               "byte 20: expected ',' or ']' after a record, found '{'");
  expect_error("{\"Records\":[{\"a\":1},]}", 21, 0,
               "byte 20: expected a record object, found ']'");
  expect_error("[1,2]", 5, 0, "byte 1: expected a record object, "
               "found '1'");
}

static void test_truncated_inputs(void **state)
{
  (void)state;
  expect_error("{\"Records\":[{\"a\":1},{\"b\":", 24, 0,
               "record 2 at byte 20: the input ends inside the record: "
               "the file is truncated");
  expect_error("{\"Records\":[{\"a\":1}", 19, 1,
               "byte 19: the input ends before the array of records "
               "closes: the file is truncated");
}

static void test_truncated_gzip(void **state)
{
  char path[] = "/tmp/nhi-test-stream-XXXXXX";
  char *text = malloc(200000), *gz;
  struct split sp;
  size_t len = 0, n;
  FILE *f;

  (void)state;
  if (!text)
    fail_msg("out of memory");
  len += (size_t)sprintf(text, "{\"Records\":[");
  for (int i = 0; i < 5000; i++)
    len += (size_t)sprintf(text + len, "%s{\"i\":%d,\"r\":%u}", i ? "," : "",
                           i, (unsigned)(i * 2654435761u));
  len += (size_t)sprintf(text + len, "]}");
  write_input(path, text, len, 1);
  gz = slurp(path);
  f = fopen(path, "rb");
  if (!gz || !f || fseek(f, 0, SEEK_END))
    fail_msg("cannot read back the gzip file");
  n = (size_t)ftell(f);
  fclose(f);
  f = fopen(path, "wb");
  if (!f || fwrite(gz, 1, n / 2, f) != n / 2)
    fail_msg("cannot cut the gzip file");
  fclose(f);
  split_file(&sp, path, 0);
  assert_int_equal(sp.rc, NHI_ERR_INPUT);
  if (!strstr(sp.log, "the gzip data ends early: the file is truncated"))
    fail_msg("unexpected message: %s", sp.log);
  if (!strstr(sp.log, ": record "))
    fail_msg("the message names no record: %s", sp.log);
  split_free(&sp);
  unlink(path);
  free(gz);
  free(text);
}

static void test_too_deep(void **state)
{
  char text[1200];
  size_t n = 0;

  (void)state;
  n += (size_t)sprintf(text, "[{\"a\":");
  for (int i = 0; i < 520; i++)
    text[n++] = '[';
  text[n] = '\0';
  expect_error(text, n, 0, "record 1 at byte 1: nested more than 512 "
               "levels deep");
}

static void test_missing_file(void **state)
{
  struct split sp;

  (void)state;
  split_file(&sp, "/nonexistent/nhi-ct.json.gz", 0);
  assert_int_equal(sp.rc, NHI_ERR_INPUT);
  assert_string_equal(sp.log, "nhiscope: error: cannot read "
                      "'/nonexistent/nhi-ct.json.gz': cannot open it\n");
  split_free(&sp);
}

static void test_index_and_offset(void **state)
{
  char path[] = "/tmp/nhi-test-stream-XXXXXX";
  const char *text = "{\"Records\":[{\"a\":1},\n {\"b\":2}]}";
  struct nhi_json_stream *js = NULL;
  struct nhi_json_record rec;

  (void)state;
  write_input(path, text, strlen(text), 1);
  assert_int_equal(nhi_json_stream_open(path, 4, &js), NHI_OK);
  assert_int_equal(nhi_json_stream_next(js, &rec), NHI_OK);
  assert_int_equal(rec.index, 0);
  assert_int_equal(rec.offset, 12);
  assert_int_equal(nhi_json_stream_next(js, &rec), NHI_OK);
  assert_int_equal(rec.index, 1);
  assert_int_equal(rec.offset, 22);
  assert_string_equal(rec.text, "{\"b\":2}");
  assert_int_equal(nhi_json_stream_next(js, &rec), NHI_OK);
  assert_null(rec.text);
  nhi_json_stream_close(js);
  unlink(path);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_records_wrapper),
    cmocka_unit_test(test_records_pretty_printed),
    cmocka_unit_test(test_strings_hide_structure),
    cmocka_unit_test(test_json_lines),
    cmocka_unit_test(test_first_key_not_records),
    cmocka_unit_test(test_top_level_array),
    cmocka_unit_test(test_empty_inputs),
    cmocka_unit_test(test_text_outside_records),
    cmocka_unit_test(test_truncated_inputs),
    cmocka_unit_test(test_truncated_gzip),
    cmocka_unit_test(test_too_deep),
    cmocka_unit_test(test_missing_file),
    cmocka_unit_test(test_index_and_offset),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
