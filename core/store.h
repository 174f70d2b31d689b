/* The evidence store: one SQLite file per assessment. */
#ifndef NHI_STORE_H
#define NHI_STORE_H

#include "nhi.h"

#include <sqlite3.h>

/* The evidence tables that writers fill, in the order of evidence.c. */
enum nhi_table {
  NHI_T_IDENTITY = 0,
  NHI_T_CREDENTIAL,
  NHI_T_POLICY,
  NHI_T_GRANT,
  NHI_T_RESOURCE,
  NHI_T_EDGE,
  NHI_T_ACTIVITY,
  NHI_T_AI_AGENT,
  NHI_T_SECRET,
  NHI_T_COUNT
};

enum nhi_coltype { NHI_COL_TEXT, NHI_COL_INT, NHI_COL_JSON, NHI_COL_BOOL };

struct nhi_column {
  const char *name;           /* column name */
  const char *field;          /* Lua field name */
  enum nhi_coltype type;
  int required;
  const char *const *vocab;   /* NULL-terminated allowed values, or NULL */
  const char *fallback;       /* SQL value written when NULL is given */
};

struct nhi_table_desc {
  const char *table;          /* SQL table name */
  const char *writer;         /* Lua writer name: ctx.evidence:<writer>{} */
  const struct nhi_column *cols;
  size_t ncols;
  const char *upsert_key;     /* conflict target for upserts, or NULL */
};

/* One value bound to one column of a writer row. */
struct nhi_value {
  enum { NHI_V_NULL = 0, NHI_V_TEXT, NHI_V_INT } type;
  const char *text;           /* borrowed; NHI_V_TEXT only */
  long long num;              /* NHI_V_INT only */
};

struct nhi_store {
  sqlite3 *db;
  char *path;
  long long source_id;        /* source being collected, or 0 */
  sqlite3_stmt *writers[NHI_T_COUNT];
};

/* Opens (creating if absent) the store at path and brings its schema to
 * the current version. *out is the caller's, freed by nhi_store_close. */
enum nhi_rc nhi_store_open(const char *path, struct nhi_store **out);

/* Opens another, read-only connection to s's file, for a thread of its
 * own: it sees what s last committed, never s's open transaction.
 * *out is the caller's (nhi_store_close). NHI_ERR_USAGE, not logged,
 * when s has no file (":memory:"); NHI_ERR_DB or NHI_ERR_NOMEM. */
enum nhi_rc nhi_store_open_reader(const struct nhi_store *s,
                                  struct nhi_store **out);

/* Finalises statements and closes the database; NULL is ignored. */
void nhi_store_close(struct nhi_store *s);

/* Runs SQL with no results (several statements allowed); logs the
 * message with what for context on failure. */
enum nhi_rc nhi_store_exec(struct nhi_store *s, const char *sql,
                           const char *what);

/* The connection's page cache size (PRAGMA cache_size: pages, or KiB
 * when negative), or 0 when it cannot be read. */
long long nhi_store_cache_size(struct nhi_store *s);

/* Sets the page cache size, as nhi_store_cache_size gives it. */
enum nhi_rc nhi_store_set_cache_size(struct nhi_store *s, long long n);

enum nhi_rc nhi_store_begin(struct nhi_store *s);
enum nhi_rc nhi_store_commit(struct nhi_store *s);
/* Rolls back the open transaction, if any; never fails loudly. */
void nhi_store_rollback(struct nhi_store *s);

/* Sets or reads one assessment-level key (client, now, profile...); a
 * NULL value removes the key. nhi_store_meta_get returns a malloc'd
 * copy or NULL when absent. */
enum nhi_rc nhi_store_meta_set(struct nhi_store *s, const char *key,
                               const char *value);
char *nhi_store_meta_get(struct nhi_store *s, const char *key);

/* The descriptor of one evidence table; NULL when t is out of range. */
const struct nhi_table_desc *nhi_store_table(enum nhi_table t);

/* Finds a writer by its Lua name ("identity", "grant"...); -1 if none. */
int nhi_store_table_by_writer(const char *writer);

/* Inserts one row: vals has one entry per column of the descriptor, in
 * order. Tables with an upsert key merge into an existing row, keeping
 * non-NULL old values the new row leaves NULL. *rowid (if not NULL) gets
 * the row's id. Rows carry the store's current source_id. */
enum nhi_rc nhi_store_put(struct nhi_store *s, enum nhi_table t,
                          const struct nhi_value *vals, long long *rowid);

/* Looks up an identity's row id by native id (any provider). Returns
 * NHI_ERR_INPUT when there is none. */
enum nhi_rc nhi_store_identity_id(struct nhi_store *s, const char *native_id,
                                  long long *id);

size_t nhi_store_migration_count(void);
const char *nhi_store_migration(size_t version);

#endif
