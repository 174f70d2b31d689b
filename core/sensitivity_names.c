/* Resource sensitivity guessed from names, at low confidence: the last
 * resort for data stores no label, tag or sample classifies. */
#include "sensitivity.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Words that name sensitive data; a name's word matches one when equal,
 * or equal but for a trailing "s" ("customers", "secrets"). */
static const char *const hints[] = {
  "pii", "payroll", "customer", "secret", "hr", "finance", "financial",
  "salary", "salaries", "ssn", "medical", "health", "patient", "billing",
  "passport", "credential", "password", "cardholder", "pci", "phi",
  "gdpr", "hipaa", "employee", "personal", NULL
};

static const char candidates_sql[] =
  "SELECT id, coalesce(name, native_id) FROM resources"
  " WHERE sensitivity IS NULL AND type NOT LIKE 'cloudtrail-%'"
  " ORDER BY id";

static const char label_sql[] =
  "UPDATE resources SET sensitivity = 'confidential',"
  " sensitivity_source = 'name', attrs = json_set(CASE WHEN"
  " json_valid(attrs) AND json_type(attrs) = 'object' THEN attrs ELSE '{}'"
  " END, '$.sensitivity_confidence', 'low', '$.sensitivity_hint', ?2)"
  " WHERE id = ?1";

static const char *hint_of_word(const char *w, size_t n)
{
  for (const char *const *h = hints; *h; h++) {
    size_t k = strlen(*h);

    if ((n == k || (n == k + 1 && w[k] == 's')) && strncmp(w, *h, k) == 0)
      return *h;
  }
  return NULL;
}

/* The first hint among the words (letters and digits, lowercased) of
 * the name, or NULL. */
static const char *hint_of(const char *name)
{
  char word[64];
  size_t n = 0;
  const char *hint = NULL;

  for (const char *p = name;; p++) {
    if (*p && isalnum((unsigned char)*p)) {
      if (n < sizeof word)
        word[n] = (char)tolower((unsigned char)*p);
      n++;
      continue;
    }
    if (n && n <= sizeof word && (hint = hint_of_word(word, n)))
      return hint;
    n = 0;
    if (!*p)
      return NULL;
  }
}

static enum nhi_rc label(sqlite3_stmt *up, long long id, const char *hint)
{
  int ok;

  sqlite3_bind_int64(up, 1, id);
  sqlite3_bind_text(up, 2, hint, -1, SQLITE_STATIC);
  ok = sqlite3_step(up) == SQLITE_DONE;
  sqlite3_reset(up);
  return ok ? NHI_OK : NHI_ERR_DB;
}

enum nhi_rc nhi_sensitivity_from_names(struct nhi_store *store)
{
  sqlite3_stmt *st = NULL, *up = NULL;
  enum nhi_rc rc = NHI_OK;
  const char *hint;
  int step = SQLITE_DONE;

  if (sqlite3_prepare_v2(store->db, candidates_sql, -1, &st, NULL) ||
      sqlite3_prepare_v2(store->db, label_sql, -1, &up, NULL))
    rc = NHI_ERR_DB;
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    hint = hint_of((const char *)sqlite3_column_text(st, 1));
    if (hint)
      rc = label(up, sqlite3_column_int64(st, 0), hint);
  }
  if (!rc && step != SQLITE_DONE)
    rc = NHI_ERR_DB;
  if (rc)
    nhi_error("labelling resources from their names: %s",
              sqlite3_errmsg(store->db));
  sqlite3_finalize(st);
  sqlite3_finalize(up);
  return rc;
}
