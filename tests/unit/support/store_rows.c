/* Helpers the unit tests share; see store_rows.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_rows.h"

char *slurp(const char *path)
{
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  long n;

  if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = calloc(1, (size_t)n + 1)) &&
      fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  if (f)
    fclose(f);
  return buf;
}

char *rows(struct nhi_store *s, const char *sql)
{
  sqlite3_stmt *st = NULL;
  size_t len = 0, cap = 256, n;
  char *out = malloc(cap);
  const char *v;

  if (!out || sqlite3_prepare_v2(s->db, sql, -1, &st, NULL))
    fail_msg("bad test query: %s: %s", sql, sqlite3_errmsg(s->db));
  out[0] = '\0';
  while (sqlite3_step(st) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(st); i++) {
      v = (const char *)sqlite3_column_text(st, i);
      v = v ? v : "NULL";
      n = strlen(v) + 2;
      if (len + n + 1 > cap) {
        cap = 2 * (len + n + 1);
        if (!(out = realloc(out, cap)))
          fail_msg("out of memory");
      }
      len += (size_t)sprintf(out + len, "%s%s", i ? "|" : (len ? "\n" : ""),
                             v);
    }
  }
  sqlite3_finalize(st);
  return out;
}

void check_rows(struct nhi_store *s, const char *sql, const char *want,
                int line)
{
  char *got = rows(s, sql);

  if (strcmp(got, want) != 0) {
    print_error("line %d: %s\n--- expected:\n%s\n--- got:\n%s\n", line,
                sql, want, got);
    free(got);
    fail_msg("query result differs (line %d)", line);
  }
  free(got);
}
