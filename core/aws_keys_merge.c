/* One row per AWS access key or signing certificate, whichever sources
 * list it: the credential report names no key ids (a key there is a
 * slot and the second it was made), ListAccessKeys names them, and an
 * assessment may read the same account through several sources. */
#include "aws_keys_merge.h"

#include <stdlib.h>

/* The rows that stand for a key another row already stands for, as
 * (drop, keep) pairs, in the order they are merged: the same key id
 * twice; a key without an id made the same second as the one key of
 * the same identity that has an id; two keys without ids in the same
 * slot, made the same second. Each pass sees what the one before left. */
#define SAME_KEY                                                        \
  " FROM credentials d JOIN credentials k"                             \
  " ON k.identity_id = d.identity_id AND k.kind = d.kind"              \
  " JOIN identities i ON i.id = d.identity_id AND i.provider = 'aws'"  \
  " WHERE d.kind IN ('access_key', 'signing_certificate')"

static const char *const pairs_sql[] = {
  "SELECT d.id, min(k.id)" SAME_KEY
  " AND d.native_id IS NOT NULL AND k.native_id = d.native_id"
  " AND k.id < d.id GROUP BY d.id ORDER BY d.id",

  "SELECT d.id, min(k.id)" SAME_KEY
  " AND d.native_id IS NULL AND d.created_at IS NOT NULL"
  " AND k.native_id IS NOT NULL AND k.created_at = d.created_at"
  " GROUP BY d.id HAVING count(DISTINCT k.native_id) = 1 ORDER BY d.id",

  "SELECT d.id, min(k.id)" SAME_KEY
  " AND d.native_id IS NULL AND d.created_at IS NOT NULL"
  " AND k.native_id IS NULL AND k.created_at = d.created_at"
  " AND k.id < d.id"
  " AND json_extract(k.attrs, '$.slot') IS json_extract(d.attrs, '$.slot')"
  " GROUP BY d.id ORDER BY d.id",
};

/* What the dropped row ?1 knows goes into the kept row ?2: the later
 * last use, what the kept row lacks, attributes of both (the kept row's
 * win). A key seen used is not "never used" any more. */
static const char merge_sql[] =
  "UPDATE credentials SET"
  " last_used_at = nullif((SELECT max(coalesce(c.last_used_at, ''))"
  "   FROM credentials c WHERE c.id IN (?1, ?2)), ''),"
  " native_id = coalesce(native_id,"
  "   (SELECT native_id FROM credentials WHERE id = ?1)),"
  " fingerprint = coalesce(fingerprint,"
  "   (SELECT fingerprint FROM credentials WHERE id = ?1)),"
  " expires_at = coalesce(expires_at,"
  "   (SELECT expires_at FROM credentials WHERE id = ?1)),"
  " status = coalesce(status,"
  "   (SELECT status FROM credentials WHERE id = ?1)),"
  " attrs = json_patch(coalesce((SELECT attrs FROM credentials"
  "   WHERE id = ?1), '{}'), coalesce(attrs, '{}'))"
  " WHERE id = ?2;";

static const char used_sql[] =
  "UPDATE credentials SET attrs = json_remove(attrs, '$.never_used',"
  " '$.last_used_unknown') WHERE id = ?1 AND last_used_at IS NOT NULL";

static const char drop_sql[] = "DELETE FROM credentials WHERE id = ?1";

/* The three statements of one merge, prepared once. */
struct merger {
  sqlite3_stmt *merge, *used, *drop;
};

static int run_pair(sqlite3_stmt *st, long long a, long long b)
{
  int ok;

  sqlite3_bind_int64(st, 1, a);
  if (b)
    sqlite3_bind_int64(st, 2, b);
  ok = sqlite3_step(st) == SQLITE_DONE;
  sqlite3_reset(st);
  return ok;
}

static int merge_one(struct merger *m, long long drop, long long keep)
{
  return run_pair(m->merge, drop, keep) && run_pair(m->used, keep, 0) &&
         run_pair(m->drop, drop, 0);
}

/* The pairs sql gives, read whole before any is merged: the merges
 * change the table the query reads. *out is the caller's to free. */
static int read_pairs(sqlite3 *db, const char *sql, long long **out,
                      size_t *n)
{
  sqlite3_stmt *st = NULL;
  size_t cap = 0;
  long long *grown;
  int rc = SQLITE_ERROR;

  *out = NULL;
  *n = 0;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK)
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      if (*n + 2 > cap) {
        cap = cap ? cap * 2 : 32;
        if (!(grown = realloc(*out, cap * sizeof *grown))) {
          rc = SQLITE_NOMEM;
          break;
        }
        *out = grown;
      }
      (*out)[(*n)++] = sqlite3_column_int64(st, 0);
      (*out)[(*n)++] = sqlite3_column_int64(st, 1);
    }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE;
}

/* Merges every pair sql gives; adds their number to *merged. */
static int merge_pass(sqlite3 *db, struct merger *m, const char *sql,
                      size_t *merged)
{
  long long *pairs;
  size_t n;
  int ok = read_pairs(db, sql, &pairs, &n);

  for (size_t i = 0; ok && i < n; i += 2) {
    ok = merge_one(m, pairs[i], pairs[i + 1]);
    *merged += ok;
  }
  free(pairs);
  return ok;
}

static int merge_all(sqlite3 *db, size_t *merged)
{
  struct merger m = { NULL, NULL, NULL };
  int ok = sqlite3_prepare_v2(db, merge_sql, -1, &m.merge, NULL) == 0 &&
           sqlite3_prepare_v2(db, used_sql, -1, &m.used, NULL) == 0 &&
           sqlite3_prepare_v2(db, drop_sql, -1, &m.drop, NULL) == 0;

  for (size_t i = 0; ok && i < sizeof pairs_sql / sizeof *pairs_sql; i++)
    ok = merge_pass(db, &m, pairs_sql[i], merged);
  sqlite3_finalize(m.merge);
  sqlite3_finalize(m.used);
  sqlite3_finalize(m.drop);
  return ok;
}

enum nhi_rc nhi_aws_keys_merge(struct nhi_store *store, size_t *merged)
{
  enum nhi_rc rc;

  *merged = 0;
  rc = nhi_store_begin(store);
  if (rc)
    return rc;
  if (!merge_all(store->db, merged)) {
    nhi_error("credentials: cannot merge the keys several sources list: "
              "%s", sqlite3_errmsg(store->db));
    nhi_store_rollback(store);
    *merged = 0;
    return NHI_ERR_DB;
  }
  return nhi_store_commit(store);
}
