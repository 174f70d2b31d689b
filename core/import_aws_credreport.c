/* Imports the AWS IAM credential report: the CSV, or the CLI's JSON. */
#include "importers.h"

#include "aws_arn.h"
#include "import_util.h"
#include "json.h"
#include "timeutil.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* Key last use is tracked since 2015-04-22 and password last use since
 * 2014-10-20: before the later of the two, the report cannot say. */
#define USAGE_TRACKED_SINCE "2015-04-22T00:00:00Z"

#define ROOT_USER "<root_account>"

/* The report's columns this importer reads. Each key slot has five
 * columns and each certificate slot two, in the order below. */
enum column {
  C_USER, C_ARN, C_CREATED, C_PW_ENABLED, C_PW_USED, C_PW_CHANGED, C_MFA,
  C_KEY1, C_KEY1_ROTATED, C_KEY1_USED, C_KEY1_REGION, C_KEY1_SERVICE,
  C_KEY2, C_KEY2_ROTATED, C_KEY2_USED, C_KEY2_REGION, C_KEY2_SERVICE,
  C_CERT1, C_CERT1_ROTATED, C_CERT2, C_CERT2_ROTATED,
  C_COUNT
};

#define KEY_COLUMNS 5
#define CERT_COLUMNS 2

static const struct {
  const char *name;
  int required;
} columns[C_COUNT] = {
  { "user", 1 }, { "arn", 1 }, { "user_creation_time", 0 },
  { "password_enabled", 1 }, { "password_last_used", 0 },
  { "password_last_changed", 0 }, { "mfa_active", 1 },
  { "access_key_1_active", 1 }, { "access_key_1_last_rotated", 1 },
  { "access_key_1_last_used_date", 1 },
  { "access_key_1_last_used_region", 0 },
  { "access_key_1_last_used_service", 0 },
  { "access_key_2_active", 1 }, { "access_key_2_last_rotated", 1 },
  { "access_key_2_last_used_date", 1 },
  { "access_key_2_last_used_region", 0 },
  { "access_key_2_last_used_service", 0 },
  { "cert_1_active", 0 }, { "cert_1_last_rotated", 0 },
  { "cert_2_active", 0 }, { "cert_2_last_rotated", 0 },
};

/* What one cell says. "N/A" means none (no password, a key never
 * used); "no_information" means AWS does not know; "not_supported"
 * means the field does not apply (the root user's password fields). */
enum state { S_VALUE, S_NONE, S_UNKNOWN, S_NOT_SUPPORTED, S_ABSENT };

/* A date cell: t is set only for S_VALUE. */
struct stamp {
  enum state state;
  char t[NHI_TIME_SIZE];
};

/* A boolean cell: -1 when it says nothing (a sentinel, or no column). */
typedef int tribool;

/* An access key or signing certificate slot of one row. */
struct slot {
  tribool active;
  struct stamp rotated, used;       /* used: keys only */
  const char *region, *service;     /* borrowed, NULL when not known */
};

/* One row, read and checked before anything is written. */
struct user_row {
  size_t line;
  const char *user, *arn;
  char *native_id;                  /* malloc'd */
  char *account;                    /* malloc'd, NULL when none */
  int root;
  struct stamp created, pw_used, pw_changed;
  tribool pw_enabled, mfa;
  struct slot keys[2], certs[2];
};

/* The identity as the store holds it before this row, if it does. */
struct existing {
  int found;
  char *kind;                       /* malloc'd */
  int is_human;
  char *last_used, *tracked_since;  /* malloc'd, NULL when NULL */
};

/* The CSV text being read; fields are unquoted in place. */
struct csv {
  char *p, *end;                    /* *end is a writable NUL */
  size_t line;                      /* line of p, 1-based */
  size_t record_line;               /* line the last record began on */
  char **fields;
  size_t nfields, cap;
};

struct importer {
  struct nhi_store *s;
  const char *path;
  const char *where;                /* "" for the CSV, "Content " inside
                                       the JSON form */
  struct nhi_import_stats *stats;
  char generated[NHI_TIME_SIZE];    /* GeneratedTime, or "" */
  size_t index[C_COUNT];            /* field of each column, or SIZE_MAX */
  size_t ncolumns;                  /* fields in the header */
  sqlite3_stmt *lookup;
};

static enum nhi_rc oom(const struct importer *im)
{
  nhi_error("cannot read '%s': out of memory", im->path);
  return NHI_ERR_NOMEM;
}

/* Logs "cannot read 'PATH': [Content ]line N[ (user)]: detail" once,
 * or "cannot read 'PATH': detail" for line 0. Returns NHI_ERR_INPUT. */
static enum nhi_rc fail_at(const struct importer *im, size_t line,
                           const char *user, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));

static enum nhi_rc fail_at(const struct importer *im, size_t line,
                           const char *user, const char *fmt, ...)
{
  va_list ap, again;
  char *detail;
  int n;

  va_start(ap, fmt);
  va_copy(again, ap);
  n = vsnprintf(NULL, 0, fmt, ap);
  detail = n < 0 ? NULL : malloc((size_t)n + 1);
  if (detail)
    vsnprintf(detail, (size_t)n + 1, fmt, again);
  va_end(again);
  va_end(ap);
  if (!detail)
    return oom(im);
  if (!line)
    nhi_error("cannot read '%s': %s", im->path, detail);
  else
    nhi_error("cannot read '%s': %sline %zu%s%s%s: %s", im->path,
              im->where, line, user ? " (" : "", user ? user : "",
              user ? ")" : "", detail);
  free(detail);
  return NHI_ERR_INPUT;
}

/* CSV reading ------------------------------------------------------ */

static int csv_push(struct csv *c, char *field)
{
  char **grown;

  if (c->nfields == c->cap) {
    c->cap = c->cap ? 2 * c->cap : 32;
    grown = realloc(c->fields, c->cap * sizeof *grown);
    if (!grown)
      return 0;
    c->fields = grown;
  }
  c->fields[c->nfields++] = field;
  return 1;
}

/* Reads a quoted field at c->p (the opening quote), unquoting it in
 * place; c->p is left on the character after the closing quote. */
static const char *csv_quoted(struct csv *c, char **field)
{
  char *r = c->p + 1, *w = c->p;
  size_t opened = c->line;

  *field = w;
  for (;;) {
    if (r >= c->end) {
      c->line = opened;
      return "a quoted field is not closed";
    }
    if (*r == '"' && r + 1 < c->end && r[1] == '"') {
      *w++ = '"';
      r += 2;
      continue;
    }
    if (*r == '"')
      break;
    if (*r == '\n')
      c->line++;
    *w++ = *r++;
  }
  *w = '\0';      /* w < r: the closing quote is still unread */
  c->p = r + 1;
  if (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n')
    return "text after a closing quote";
  return NULL;
}

static const char *csv_plain(struct csv *c, char **field)
{
  char *q = c->p;

  while (q < c->end && *q != ',' && *q != '\r' && *q != '\n') {
    if (*q == '"')
      return "a quote inside an unquoted field";
    q++;
  }
  *field = c->p;
  c->p = q;
  return NULL;
}

/* Consumes the delimiter after a field: returns 1 when another field
 * follows, 0 at the end of the record. The delimiter becomes the
 * field's NUL. */
static int csv_delimiter(struct csv *c)
{
  char d = c->p < c->end ? *c->p : '\0';

  if (c->p < c->end)
    *c->p++ = '\0';
  if (d == ',')
    return 1;
  if (d == '\r' && c->p < c->end && *c->p == '\n')
    c->p++;
  if (d == '\r' || d == '\n')
    c->line++;
  return 0;
}

static void csv_skip_blank_lines(struct csv *c)
{
  while (c->p < c->end && (*c->p == '\r' || *c->p == '\n')) {
    if (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')
      c->p++;
    c->p++;
    c->line++;
  }
}

/* Reads the next record into c->fields. Returns 1 for a record, 0 at
 * the end of the text, -1 when malformed (*why says how, c->line
 * where) and -2 when memory runs out. */
static int csv_next(struct csv *c, const char **why)
{
  char *field = NULL;
  int more = 1;

  csv_skip_blank_lines(c);
  if (c->p >= c->end)
    return 0;
  c->record_line = c->line;
  c->nfields = 0;
  while (more) {
    *why = *c->p == '"' ? csv_quoted(c, &field) : csv_plain(c, &field);
    if (*why)
      return -1;
    more = csv_delimiter(c);
    if (!csv_push(c, field))
      return -2;
  }
  return 1;
}

/* Reads the next record, logging a malformed one. *got is 0 at the end
 * of the text. */
static enum nhi_rc next_record(const struct importer *im, struct csv *c,
                               int *got)
{
  const char *why = NULL;
  int r = csv_next(c, &why);

  *got = r > 0;
  if (r == -2)
    return oom(im);
  if (r == -1)
    return fail_at(im, c->line, NULL, "malformed CSV: %s", why);
  return NHI_OK;
}

/* Cells ------------------------------------------------------------ */

/* The cell of column col in the current record, or NULL when the
 * header has no such column. */
static const char *cell(const struct importer *im, const struct csv *c,
                        enum column col)
{
  return im->index[col] == SIZE_MAX ? NULL : c->fields[im->index[col]];
}

static enum state sentinel(const char *v)
{
  if (!v)
    return S_ABSENT;
  if (!v[0] || strcmp(v, "N/A") == 0)
    return S_NONE;
  if (strcmp(v, "no_information") == 0)
    return S_UNKNOWN;
  if (strcmp(v, "not_supported") == 0)
    return S_NOT_SUPPORTED;
  return S_VALUE;
}

static enum nhi_rc read_bool(const struct importer *im, const struct csv *c,
                             const struct user_row *u, enum column col,
                             tribool *out)
{
  const char *v = cell(im, c, col);

  *out = -1;
  if (sentinel(v) != S_VALUE)
    return NHI_OK;
  if (strcmp(v, "true") == 0 || strcmp(v, "TRUE") == 0)
    *out = 1;
  else if (strcmp(v, "false") == 0 || strcmp(v, "FALSE") == 0)
    *out = 0;
  else
    return fail_at(im, u->line, u->user, "%s is not true or false: '%s'",
                   columns[col].name, v);
  return NHI_OK;
}

static enum nhi_rc read_time(const struct importer *im, const struct csv *c,
                             const struct user_row *u, enum column col,
                             struct stamp *out)
{
  const char *v = cell(im, c, col);

  out->t[0] = '\0';
  out->state = sentinel(v);
  if (out->state == S_VALUE && nhi_time_normalize(v, out->t))
    return fail_at(im, u->line, u->user, "%s is not a date: '%s'",
                   columns[col].name, v);
  return NHI_OK;
}

/* A text cell, or NULL for a sentinel or a missing column. */
static const char *read_text(const struct importer *im, const struct csv *c,
                             enum column col)
{
  const char *v = cell(im, c, col);

  return sentinel(v) == S_VALUE ? v : NULL;
}

static enum nhi_rc read_slots(const struct importer *im,
                              const struct csv *c, struct user_row *u)
{
  enum nhi_rc rc = NHI_OK;

  for (int k = 0; k < 2 && !rc; k++) {
    enum column key = (enum column)(C_KEY1 + k * KEY_COLUMNS);
    enum column cert = (enum column)(C_CERT1 + k * CERT_COLUMNS);
    struct slot *ks = &u->keys[k], *cs = &u->certs[k];

    rc = read_bool(im, c, u, key, &ks->active);
    if (!rc)
      rc = read_time(im, c, u, key + 1, &ks->rotated);
    if (!rc)
      rc = read_time(im, c, u, key + 2, &ks->used);
    ks->region = read_text(im, c, key + 3);
    ks->service = read_text(im, c, key + 4);
    if (!rc)
      rc = read_bool(im, c, u, cert, &cs->active);
    if (!rc)
      rc = read_time(im, c, u, cert + 1, &cs->rotated);
    cs->used.state = S_ABSENT;
  }
  return rc;
}

/* The user and arn cells, and the identity's native id and account:
 * the root user is "arn:<partition>:iam::<account>:root". */
static enum nhi_rc read_names(const struct importer *im,
                              const struct csv *c, struct user_row *u)
{
  struct nhi_aws_arn a;

  u->user = cell(im, c, C_USER);
  u->arn = cell(im, c, C_ARN);
  if (!u->user[0])
    return fail_at(im, u->line, NULL, "user is empty");
  if (!nhi_aws_arn_parse(u->arn, &a) || a.service_len != 3 ||
      memcmp(a.service, "iam", 3) != 0 || a.account_len == 0)
    return fail_at(im, u->line, u->user, "arn is not an IAM ARN: '%s'",
                   u->arn);
  u->root = strcmp(u->user, ROOT_USER) == 0;
  u->native_id = u->root ?
    nhi_str_printf("arn:%.*s:iam::%.*s:root", (int)a.partition_len,
                   a.partition, (int)a.account_len, a.account) :
    strdup(u->arn);
  if (!u->native_id || nhi_aws_arn_account(u->arn, &u->account))
    return oom(im);
  return NHI_OK;
}

static enum nhi_rc read_row(const struct importer *im, const struct csv *c,
                            struct user_row *u)
{
  enum nhi_rc rc;

  u->line = c->record_line;
  if (c->nfields != im->ncolumns)
    return fail_at(im, u->line, NULL, "expected %zu fields, found %zu",
                   im->ncolumns, c->nfields);
  rc = read_names(im, c, u);
  if (!rc)
    rc = read_time(im, c, u, C_CREATED, &u->created);
  if (!rc)
    rc = read_bool(im, c, u, C_PW_ENABLED, &u->pw_enabled);
  if (!rc)
    rc = read_time(im, c, u, C_PW_USED, &u->pw_used);
  if (!rc)
    rc = read_time(im, c, u, C_PW_CHANGED, &u->pw_changed);
  if (!rc)
    rc = read_bool(im, c, u, C_MFA, &u->mfa);
  if (!rc)
    rc = read_slots(im, c, u);
  return rc;
}

static void row_free(struct user_row *u)
{
  free(u->native_id);
  free(u->account);
}

/* The store ------------------------------------------------------- */

static char *column_copy(sqlite3_stmt *st, int i, int *oom_flag)
{
  const unsigned char *v = sqlite3_column_text(st, i);
  char *copy = v ? strdup((const char *)v) : NULL;

  if (v && !copy)
    *oom_flag = 1;
  return copy;
}

static enum nhi_rc find_existing(struct importer *im, const char *native_id,
                                 struct existing *e)
{
  sqlite3_stmt *st = im->lookup;
  int step, no_memory = 0;

  memset(e, 0, sizeof *e);
  sqlite3_bind_text(st, 1, native_id, -1, SQLITE_STATIC);
  step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    e->found = 1;
    e->kind = column_copy(st, 0, &no_memory);
    e->is_human = sqlite3_column_int(st, 1);
    e->last_used = column_copy(st, 2, &no_memory);
    e->tracked_since = column_copy(st, 3, &no_memory);
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (step != SQLITE_ROW && step != SQLITE_DONE) {
    nhi_error("evidence store '%s': cannot read identities: %s",
              im->s->path, sqlite3_errmsg(im->s->db));
    return NHI_ERR_DB;
  }
  return no_memory ? oom(im) : NHI_OK;
}

static void existing_free(struct existing *e)
{
  free(e->kind);
  free(e->last_used);
  free(e->tracked_since);
}

static int any_active_key(const struct user_row *u)
{
  return u->keys[0].active == 1 || u->keys[1].active == 1;
}

/* Whether the report knows every last use it lists for u. */
static int usage_known(const struct user_row *u)
{
  return u->pw_used.state != S_UNKNOWN &&
         u->keys[0].used.state != S_UNKNOWN &&
         u->keys[1].used.state != S_UNKNOWN;
}

/* The latest of the password's and the keys' last use, or NULL. */
static const char *latest_use(const struct user_row *u)
{
  const struct stamp *dates[] = { &u->pw_used, &u->keys[0].used,
                                  &u->keys[1].used };
  const char *best = NULL;

  for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++)
    if (dates[i]->state == S_VALUE &&
        (!best || strcmp(dates[i]->t, best) > 0))
      best = dates[i]->t;
  return best;
}

/* Adds name: the date, or JSON null for "none"; a sentinel meaning
 * "unknown" adds <name>_unknown: true instead. A missing column adds
 * nothing. */
static int add_stamp(cJSON *o, const char *name, const struct stamp *st)
{
  char key[64];

  if (st->state == S_VALUE)
    return cJSON_AddStringToObject(o, name, st->t) != NULL;
  if (st->state == S_NONE)
    return cJSON_AddNullToObject(o, name) != NULL;
  if (st->state != S_UNKNOWN)
    return 1;
  snprintf(key, sizeof key, "%s_unknown", name);
  return cJSON_AddBoolToObject(o, key, 1) != NULL;
}

static int add_tribool(cJSON *o, const char *name, tribool v)
{
  return v < 0 || cJSON_AddBoolToObject(o, name, v) != NULL;
}

static char *identity_attrs(const struct importer *im,
                            const struct user_row *u)
{
  cJSON *o = cJSON_CreateObject();
  char *text = NULL;

  if (o && add_tribool(o, "password_enabled", u->pw_enabled) &&
      add_stamp(o, "password_last_used", &u->pw_used) &&
      add_stamp(o, "password_last_changed", &u->pw_changed) &&
      add_tribool(o, "mfa_active", u->mfa) &&
      (!u->root || cJSON_AddBoolToObject(o, "root", 1)) &&
      (!im->generated[0] ||
       cJSON_AddStringToObject(o, "credential_report_generated",
                               im->generated)))
    text = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return text;
}

/* Writes the identity of u; *row gets its id. An identity another
 * source wrote keeps its kind and is_human, and a later last use. */
static enum nhi_rc write_identity(struct importer *im,
                                  const struct user_row *u,
                                  const struct existing *e, long long *row)
{
  const char *kind = "user", *used = latest_use(u);
  int human = 1;
  char *attrs = identity_attrs(im, u);
  enum nhi_rc rc;
  struct nhi_row r;

  if (!attrs)
    return oom(im);
  if (e->found) {
    kind = e->kind;
    human = e->is_human;
  } else if (!u->root && u->pw_enabled == 0 && any_active_key(u)) {
    kind = "service_account";
    human = 0;
  }
  if (used && e->last_used && strcmp(used, e->last_used) <= 0)
    used = NULL;
  nhi_row_start(&r, NHI_T_IDENTITY);
  nhi_row_text(&r, "provider", "aws");
  nhi_row_text(&r, "account", u->account);
  nhi_row_text(&r, "native_id", u->native_id);
  nhi_row_text(&r, "name", u->user);
  nhi_row_text(&r, "kind", kind);
  nhi_row_int(&r, "is_human", human);
  nhi_row_text(&r, "created_at", u->created.state == S_VALUE ?
               u->created.t : NULL);
  nhi_row_text(&r, "last_used_at", used);
  if (usage_known(u) &&
      (!e->tracked_since || strcmp(e->tracked_since,
                                   USAGE_TRACKED_SINCE) > 0))
    nhi_row_text(&r, "usage_tracked_since", USAGE_TRACKED_SINCE);
  nhi_row_text(&r, "attrs", attrs);
  rc = nhi_row_put(im->s, &r, row);
  free(attrs);
  if (rc == NHI_ERR_NOMEM)
    rc = oom(im);
  return rc;
}

static char *slot_attrs(const struct slot *sl, int number, int key)
{
  cJSON *o = cJSON_CreateObject();
  char *text = NULL;
  int ok = o && cJSON_AddNumberToObject(o, "slot", number);

  if (ok && key)
    ok = (!sl->region ||
          cJSON_AddStringToObject(o, "last_used_region", sl->region)) &&
         (!sl->service ||
          cJSON_AddStringToObject(o, "last_used_service", sl->service)) &&
         (sl->used.state != S_NONE ||
          cJSON_AddBoolToObject(o, "never_used", 1)) &&
         (sl->used.state != S_UNKNOWN ||
          cJSON_AddBoolToObject(o, "last_used_unknown", 1));
  if (ok)
    text = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return text;
}

/* Writes one key or certificate slot, if it holds one: it is active,
 * or has a creation date. */
static enum nhi_rc write_slot(struct importer *im, long long identity,
                              const struct slot *sl, int number, int key)
{
  char *attrs;
  enum nhi_rc rc;
  struct nhi_row r;

  if (sl->active != 1 && sl->rotated.state != S_VALUE)
    return NHI_OK;
  attrs = slot_attrs(sl, number, key);
  if (!attrs)
    return oom(im);
  nhi_row_start(&r, NHI_T_CREDENTIAL);
  nhi_row_int(&r, "identity_id", identity);
  nhi_row_text(&r, "kind", key ? "access_key" : "signing_certificate");
  nhi_row_text(&r, "created_at", sl->rotated.state == S_VALUE ?
               sl->rotated.t : NULL);
  nhi_row_text(&r, "last_used_at", sl->used.state == S_VALUE ?
               sl->used.t : NULL);
  nhi_row_text(&r, "status", sl->active < 0 ? NULL :
               sl->active ? "active" : "inactive");
  nhi_row_text(&r, "attrs", attrs);
  rc = nhi_row_put(im->s, &r, NULL);
  free(attrs);
  if (rc == NHI_ERR_NOMEM)
    return oom(im);
  if (!rc)
    im->stats->credentials++;
  return rc;
}

static enum nhi_rc write_row(struct importer *im, const struct user_row *u)
{
  struct existing e;
  long long row = 0;
  enum nhi_rc rc;

  rc = find_existing(im, u->native_id, &e);
  if (!rc)
    rc = write_identity(im, u, &e, &row);
  existing_free(&e);
  if (rc)
    return rc;
  im->stats->identities++;
  if (!im->stats->account[0] && u->account &&
      strlen(u->account) < sizeof im->stats->account)
    strcpy(im->stats->account, u->account);
  for (int k = 0; k < 2 && !rc; k++)
    rc = write_slot(im, row, &u->keys[k], k + 1, 1);
  for (int k = 0; k < 2 && !rc; k++)
    rc = write_slot(im, row, &u->certs[k], k + 1, 0);
  return rc;
}

/* The report ------------------------------------------------------ */

/* Maps the header's fields to columns; every required one must be
 * there. */
static enum nhi_rc read_header(struct importer *im, const struct csv *c)
{
  for (size_t col = 0; col < C_COUNT; col++) {
    im->index[col] = SIZE_MAX;
    for (size_t i = 0; i < c->nfields && im->index[col] == SIZE_MAX; i++)
      if (strcmp(c->fields[i], columns[col].name) == 0)
        im->index[col] = i;
    if (im->index[col] == SIZE_MAX && columns[col].required)
      return fail_at(im, 0, NULL, "not an AWS credential report (missing "
                     "column '%s')", columns[col].name);
  }
  im->ncolumns = c->nfields;
  return NHI_OK;
}

/* Reads and writes every row after the header. */
static enum nhi_rc import_rows(struct importer *im, struct csv *c)
{
  struct user_row u;
  enum nhi_rc rc;
  int got = 0;

  for (;;) {
    rc = next_record(im, c, &got);
    if (rc || !got)
      return rc;
    memset(&u, 0, sizeof u);
    im->stats->records++;
    rc = read_row(im, c, &u);
    if (!rc)
      rc = write_row(im, &u);
    row_free(&u);
    if (rc)
      return rc;
  }
}

static enum nhi_rc read_report(struct importer *im, char *text, size_t len)
{
  struct csv c = { text, text + len, 1, 1, NULL, 0, 0 };
  enum nhi_rc rc;
  int got = 0;

  rc = next_record(im, &c, &got);
  if (!rc && !got)
    rc = fail_at(im, 0, NULL, "%s is empty",
                 im->where[0] ? "Content" : "file");
  if (!rc)
    rc = read_header(im, &c);
  if (!rc)
    rc = import_rows(im, &c);
  if (!rc && im->stats->records == 0)
    nhi_warn("'%s': the credential report lists no users", im->path);
  free(c.fields);
  return rc;
}

/* Decodes the base64 text in (line breaks allowed) into a malloc'd,
 * NUL-terminated *out of *len bytes. */
static enum nhi_rc decode_base64(const struct importer *im, const char *in,
                                 char **out, size_t *len)
{
  size_t n = strlen(in);
  EVP_ENCODE_CTX *ctx = NULL;
  unsigned char *buf = NULL;
  int got = 0, last = 0;
  enum nhi_rc rc = NHI_OK;

  *out = NULL;
  if (n > INT_MAX / 2)
    return fail_at(im, 0, NULL, "Content is too large");
  buf = malloc(n / 4 * 3 + 4);
  ctx = EVP_ENCODE_CTX_new();
  if (!buf || !ctx) {
    rc = oom(im);
    goto out;
  }
  EVP_DecodeInit(ctx);
  if (EVP_DecodeUpdate(ctx, buf, &got, (const unsigned char *)in,
                       (int)n) < 0 ||
      EVP_DecodeFinal(ctx, buf + got, &last) != 1) {
    rc = fail_at(im, 0, NULL, "Content is not base64 text");
    goto out;
  }
  *len = (size_t)got + (size_t)last;
  buf[*len] = '\0';
  *out = (char *)buf;
  buf = NULL;
out:
  EVP_ENCODE_CTX_free(ctx);
  free(buf);
  return rc;
}

/* Reads the JSON that get-credential-report prints without --query:
 * im->generated from GeneratedTime, *csv (malloc'd) from Content. */
static enum nhi_rc unwrap_json(struct importer *im, const char *text,
                               size_t len, char **csv, size_t *csv_len)
{
  struct nhi_where top = { im->path, NULL, 0, NULL, NULL, 0 };
  const char *content, *format;
  cJSON *root = NULL;
  enum nhi_rc rc;

  rc = nhi_json_parse(text, len, im->path, &root);
  if (rc)
    return rc;
  if (!cJSON_IsObject(root) || !nhi_field_get(root, "Content")) {
    rc = nhi_where_fail(&top, "not an AWS credential report (expected the "
                        "CSV, or the JSON of 'aws iam get-credential-"
                        "report' with Content)");
    goto out;
  }
  rc = nhi_field_string(&top, root, "Content", 1, &content);
  if (!rc)
    rc = nhi_field_string(&top, root, "ReportFormat", 0, &format);
  if (!rc && format && strcmp(format, "text/csv") != 0)
    rc = nhi_where_fail(&top, "ReportFormat is '%s', expected 'text/csv'",
                        format);
  if (!rc)
    rc = nhi_field_time(&top, root, "GeneratedTime", im->generated);
  if (!rc)
    rc = decode_base64(im, content, csv, csv_len);
out:
  cJSON_Delete(root);
  return rc;
}

/* The first character that is not white space, or NUL. */
static char first_char(const char *text)
{
  while (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n')
    text++;
  return *text;
}

enum nhi_rc nhi_import_aws_credreport(struct nhi_store *s, const char *path,
                                      time_t now,
                                      struct nhi_import_stats *stats)
{
  static const char lookup[] =
    "SELECT kind, is_human, last_used_at, usage_tracked_since"
    " FROM identities WHERE provider = 'aws' AND native_id = ?";
  struct importer im = { s, path, "", stats, "", { 0 }, 0, NULL };
  char *text = NULL, *csv = NULL, *body;
  size_t len = 0, csv_len = 0;
  enum nhi_rc rc;

  memset(stats, 0, sizeof *stats);
  rc = nhi_file_read(path, &text, &len);
  if (rc)
    return rc;
  if (sqlite3_prepare_v2(s->db, lookup, -1, &im.lookup, NULL)) {
    nhi_error("evidence store '%s': cannot prepare an identity lookup: %s",
              s->path, sqlite3_errmsg(s->db));
    rc = NHI_ERR_DB;
    goto out;
  }
  body = strncmp(text, "\xEF\xBB\xBF", 3) == 0 ? text + 3 : text;
  switch (first_char(body)) {
  case '\0':
    rc = fail_at(&im, 0, NULL, "file is empty");
    break;
  case '{':
    rc = unwrap_json(&im, body, len - (size_t)(body - text), &csv,
                     &csv_len);
    im.where = "Content ";
    if (!rc)
      rc = read_report(&im, csv, csv_len);
    break;
  default:
    rc = read_report(&im, body, len - (size_t)(body - text));
  }
out:
  sqlite3_finalize(im.lookup);
  free(csv);
  free(text);
  return rc;
}
