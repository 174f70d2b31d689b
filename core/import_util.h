/* Helpers the importers share: evidence rows filled by column name, JSON
 * fields read with messages that say where the input is wrong, and
 * malloc'd string building. */
#ifndef NHI_IMPORT_UTIL_H
#define NHI_IMPORT_UTIL_H

#include "nhi.h"
#include "store.h"
#include "timeutil.h"

#include <cJSON.h>

/* More columns than any evidence table has. */
#define NHI_ROW_MAX 16

/* One evidence row being built. Columns not set are NULL. */
struct nhi_row {
  enum nhi_table table;
  const struct nhi_table_desc *desc;
  struct nhi_value vals[NHI_ROW_MAX];
  const char *unknown;        /* a column the table lacks, if one was set */
};

/* Where an element of a JSON input is, for messages:
 * "cannot read 'path': list[index] (name): sub[subindex]: ...". list is
 * NULL for the top level, name and sub when not known or not relevant.
 * The strings are borrowed. */
struct nhi_where {
  const char *path;
  const char *list;
  size_t index;
  const char *name;
  const char *sub;
  size_t subindex;
};

/* Starts a row of table t with every column NULL. */
void nhi_row_start(struct nhi_row *r, enum nhi_table t);

/* Sets column col to text (borrowed until nhi_row_put), or to NULL when
 * text is NULL. */
void nhi_row_text(struct nhi_row *r, const char *col, const char *text);

/* Sets column col to an integer (or a 0/1 boolean). */
void nhi_row_int(struct nhi_row *r, const char *col, long long num);

/* Writes r with nhi_store_put; *rowid (if not NULL) gets its id. Returns
 * the store's result, or NHI_ERR_INTERNAL (logged) when a column set is
 * not one of the table's. */
enum nhi_rc nhi_row_put(struct nhi_store *s, struct nhi_row *r,
                        long long *rowid);

/* Logs "cannot read 'PATH': <where>: <detail>" once and returns
 * NHI_ERR_INPUT (NHI_ERR_NOMEM if the message cannot be built). */
enum nhi_rc nhi_where_fail(const struct nhi_where *w, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/* Logs "cannot read 'PATH': out of memory"; returns NHI_ERR_NOMEM. */
enum nhi_rc nhi_where_oom(const struct nhi_where *w);

/* The member key of obj (borrowed), or NULL when absent or JSON null. */
cJSON *nhi_field_get(const cJSON *obj, const char *key);

/* *out gets the string at key (borrowed), or NULL when it is absent and
 * not required. A missing required field or another type is logged
 * through w and gives NHI_ERR_INPUT. */
enum nhi_rc nhi_field_string(const struct nhi_where *w, const cJSON *obj,
                             const char *key, int required,
                             const char **out);

/* *out gets the array at key (an object when object is 1), borrowed, or
 * NULL when absent; another type is logged and gives NHI_ERR_INPUT. */
enum nhi_rc nhi_field_node(const struct nhi_where *w, const cJSON *obj,
                           const char *key, int object, cJSON **out);

/* Writes the date at key in the canonical form into out, or "" when it
 * is absent; a string that is no date is logged, NHI_ERR_INPUT. */
enum nhi_rc nhi_field_time(const struct nhi_where *w, const cJSON *obj,
                           const char *key, char out[NHI_TIME_SIZE]);

/* Appends a copy of s to the array arr unless an equal string is there.
 * Returns 0 when memory runs out. */
int nhi_field_add_unique(cJSON *arr, const char *s);

/* printf into a malloc'd string (the caller frees it); NULL when memory
 * runs out. */
char *nhi_str_printf(const char *fmt, ...)
  __attribute__((format(printf, 1, 2)));

/* "<a><sep><b>", malloc'd (the caller frees it); NULL when memory runs
 * out. */
char *nhi_str_join(const char *a, const char *sep, const char *b);

#endif
