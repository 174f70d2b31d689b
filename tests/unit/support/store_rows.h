/* Helpers the unit tests share: reading a fixture whole, and comparing
 * what a query returns from an evidence store with the rows expected. */
#ifndef NHI_TEST_STORE_ROWS_H
#define NHI_TEST_STORE_ROWS_H

#include "store.h"

/* The whole file at path, NUL-terminated, or NULL; the caller frees it. */
char *slurp(const char *path);

/* Every row sql gives, columns joined by '|', rows by '\n', NULL shown
 * as "NULL". Fails the test on a bad query. The caller frees the text. */
char *rows(struct nhi_store *s, const char *sql);

/* Fails the test, printing both, unless sql gives exactly want. */
void check_rows(struct nhi_store *s, const char *sql, const char *want,
                int line);

#define assert_rows(s, sql, want) check_rows((s), (sql), (want), __LINE__)

#endif
