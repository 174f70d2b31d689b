/* Imports AWS CloudTrail logs (S3 delivery files or JSON Lines exports)
 * as aggregated activity rows, streaming them record by record. */
#include "importers.h"

#include "activity_agg.h"
#include "import_util.h"
#include "json.h"
#include "json_stream.h"
#include "timeutil.h"
#include "trail_fields.h"
#include "workers.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* AWSLogs/o-org/acct/CloudTrail/region/YYYY/MM/DD is eight levels. */
#define MAX_TREE_DEPTH 16

/* Files are read on this many threads at most. */
#define MAX_READERS 4

/* The log files to read, in name order. */
struct file_list {
  char **paths;
  size_t n, cap;
};

/* What the readers share: the table their rows are merged into, and
 * the store it is written to, both under lock. */
struct trail_import {
  struct nhi_store *s;
  const char *root;             /* the path the user gave */
  struct nhi_import_stats *stats;
  size_t chunk;                 /* read size, 0 for the default */
  size_t max_keys;              /* rows are written when this many */
  struct nhi_activity_agg *agg;
  sqlite3_stmt *find_identity;
  pthread_mutex_t lock;
  struct file_list files;
};

/* One thread's reading: its own table, merged into the shared one when
 * it grows large and at the end. */
struct trail_reader {
  struct trail_import *im;
  const char *path;             /* the file being read */
  size_t file;                  /* its index in im->files */
  struct nhi_activity_agg *agg;
  char *action, *resource;      /* reused for every record */
  size_t action_cap, resource_cap;
  long long records, files, denied, skipped;
  char account[32];             /* the first recipientAccountId seen */
  size_t account_file;          /* the file it was in; SIZE_MAX: none */
};

static enum nhi_rc oom(const struct trail_reader *rd)
{
  nhi_error("cannot read '%s': out of memory", rd->path);
  return NHI_ERR_NOMEM;
}

/* Logs "cannot read 'PATH': record N at byte M: ..." once. */
static enum nhi_rc bad_record(const struct trail_reader *rd,
                              const struct nhi_json_record *rec,
                              const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

static enum nhi_rc bad_record(const struct trail_reader *rd,
                              const struct nhi_json_record *rec,
                              const char *fmt, ...)
{
  char detail[256];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  nhi_error("cannot read '%s': record %zu at byte %llu: %s", rd->path,
            rec->index + 1, rec->offset, detail);
  return NHI_ERR_INPUT;
}

/* Copies the concatenation of parts (NULL-terminated) into *buf; a
 * part's length is lens[i], or its strlen when lens[i] is 0. */
static int build(char **buf, size_t *cap, const char *const *parts,
                 const size_t *lens)
{
  size_t n = 1, at = 0, len;
  char *grown;

  for (size_t i = 0; parts[i]; i++)
    n += lens[i] ? lens[i] : strlen(parts[i]);
  if (n > *cap) {
    grown = realloc(*buf, n * 2);
    if (!grown)
      return 0;
    *buf = grown;
    *cap = n * 2;
  }
  for (size_t i = 0; parts[i]; i++) {
    len = lens[i] ? lens[i] : strlen(parts[i]);
    memcpy(*buf + at, parts[i], len);
    at += len;
  }
  (*buf)[at] = '\0';
  return 1;
}

/* A field when it is there and not empty, else NULL. */
static const char *filled(const struct nhi_trail_fields *f,
                          enum nhi_trail_field which)
{
  const char *v = f->v[which];

  return v && v[0] ? v : NULL;
}

/* Who made the call: the role for an assumed-role session, the service
 * for an AWS service, else the principal's ARN or id; NULL if none. */
static const char *identity_ref(const struct nhi_trail_fields *f)
{
  static const enum nhi_trail_field fallbacks[] = {
    NHI_TF_UID_ARN, NHI_TF_UID_PRINCIPAL, NHI_TF_UID_ACCOUNT
  };
  const char *type = f->v[NHI_TF_UID_TYPE], *ref = NULL;

  if (type && strcmp(type, "AWSService") == 0)
    ref = filled(f, NHI_TF_UID_INVOKED_BY);
  if (type && strcmp(type, "AssumedRole") == 0)
    ref = filled(f, NHI_TF_ISSUER_ARN);
  for (size_t i = 0; !ref && i < sizeof fallbacks / sizeof *fallbacks; i++)
    ref = filled(f, fallbacks[i]);
  return ref;
}

/* A call refused by authorization, or a failed console sign-in. */
static int is_denied(const struct nhi_trail_fields *f, const char *name)
{
  const char *code = f->v[NHI_TF_ERROR], *login;

  if (code && (strstr(code, "AccessDenied") || strstr(code, "Unauthorized")))
    return 1;
  if (strcmp(name, "ConsoleLogin") != 0)
    return 0;
  login = f->v[NHI_TF_CONSOLE_LOGIN];
  return login && strcmp(login, "Failure") == 0;
}

/* "<service>:<eventName>", with "#denied" for refused calls; the service
 * is the event source's first label ("s3.amazonaws.com" gives "s3"). */
static int build_action(struct trail_reader *rd, const char *source,
                        const char *name, int denied)
{
  const char *dot = strchr(source, '.');
  const char *parts[] = { source, ":", name, denied ? "#denied" : "",
                          NULL };
  size_t lens[] = { dot ? (size_t)(dot - source) : 0, 0, 0, 0 };

  if (dot == source)
    parts[0] = "unknown";
  return build(&rd->action, &rd->action_cap, parts, lens);
}

static const char *partition_of(const struct nhi_trail_fields *f)
{
  const char *region = f->v[NHI_TF_REGION];

  if (region && strncmp(region, "cn-", 3) == 0)
    return "aws-cn";
  if (region && strncmp(region, "us-gov-", 7) == 0)
    return "aws-us-gov";
  return "aws";
}

/* The S3 object or bucket an S3 call's requestParameters name; *out
 * NULL when they name no bucket. */
static int s3_resource(struct trail_reader *rd,
                       const struct nhi_trail_fields *f, const char **out)
{
  const char *bucket = f->v[NHI_TF_BUCKET], *key = f->v[NHI_TF_KEY];
  const char *parts[] = { "arn:", partition_of(f), ":s3:::", bucket,
                          key ? "/" : "", key ? key : "", NULL };
  const size_t lens[7] = { 0 };

  *out = NULL;
  if (!bucket)
    return 1;
  if (!build(&rd->resource, &rd->resource_cap, parts, lens))
    return 0;
  *out = rd->resource;
  return 1;
}

/* The resource a call touched: the first resources[].ARN, else for S3
 * the object or bucket its requestParameters name; *out NULL if none. */
static int event_resource(struct trail_reader *rd,
                          const struct nhi_trail_fields *f,
                          const char *source, const char **out)
{
  *out = f->v[NHI_TF_RESOURCE_ARN];
  if (*out || strcmp(source, "s3.amazonaws.com") != 0)
    return 1;
  return s3_resource(rd, f, out);
}

static void note_account(struct trail_reader *rd,
                         const struct nhi_trail_fields *f)
{
  const char *acct = f->v[NHI_TF_ACCOUNT];

  if (!rd->account[0] && acct && strlen(acct) < sizeof rd->account) {
    strcpy(rd->account, acct);
    rd->account_file = rd->file;
  }
}

/* Counts one read event into the aggregate. */
static enum nhi_rc count_event(struct trail_reader *rd,
                               const struct nhi_json_record *rec,
                               const struct nhi_trail_fields *f)
{
  const char *when = f->v[NHI_TF_TIME], *source = f->v[NHI_TF_SOURCE];
  const char *name = f->v[NHI_TF_NAME], *type = f->v[NHI_TF_TYPE];
  struct nhi_activity_key k;
  time_t t;
  int denied;

  memset(&k, 0, sizeof k);
  k.identity = identity_ref(f);
  if (type && strcmp(type, "AwsCloudTrailInsight") == 0 && when) {
    rd->skipped++;
    return NHI_OK;
  }
  if (!when || !source || !name)
    return bad_record(rd, rec, "not a CloudTrail event (it lacks "
                      "eventTime, eventSource or eventName); expected "
                      "{\"Records\": [...]} or one event per line");
  if (nhi_time_parse(when, &t))
    return bad_record(rd, rec, "eventTime is not a date: '%.40s'", when);
  note_account(rd, f);
  if (!k.identity) {
    rd->skipped++;
    return NHI_OK;
  }
  denied = is_denied(f, name);
  rd->denied += denied;
  if (!build_action(rd, source, name, denied) ||
      !event_resource(rd, f, source, &k.resource))
    return oom(rd);
  k.action = rd->action;
  k.source_ip = f->v[NHI_TF_IP];
  k.user_agent = f->v[NHI_TF_AGENT];
  if (nhi_activity_agg_add(rd->agg, &k, t))
    return oom(rd);
  return NHI_OK;
}

/* Reads one record's fields (changing its text) and counts it. */
static enum nhi_rc import_record(struct trail_reader *rd,
                                 const struct nhi_json_record *rec)
{
  struct nhi_trail_fields f;
  size_t stop = 0, line, col;
  char what[64];

  rd->records++;
  if (nhi_trail_fields_read(rec->text, rec->len, &f, &stop)) {
    nhi_json_describe_error(rec->text, rec->len, stop, &line, &col, what,
                            sizeof what);
    return bad_record(rd, rec, "%s at byte %llu", what,
                      rec->offset + stop);
  }
  return count_event(rd, rec, &f);
}

/* The row id of the identity native_id names, or 0 when there is none. */
static enum nhi_rc find_identity(struct trail_import *im,
                                 const char *native_id, long long *id)
{
  static const char sql[] = "SELECT id FROM identities "
                            "WHERE provider = 'aws' AND native_id = ?";
  int step;

  *id = 0;
  if (strncmp(native_id, "arn:", 4) != 0)
    return NHI_OK;
  if (!im->find_identity &&
      sqlite3_prepare_v2(im->s->db, sql, -1, &im->find_identity, NULL)) {
    nhi_error("evidence store '%s': cannot look up identities: %s",
              im->s->path, sqlite3_errmsg(im->s->db));
    return NHI_ERR_DB;
  }
  sqlite3_bind_text(im->find_identity, 1, native_id, -1, SQLITE_STATIC);
  step = sqlite3_step(im->find_identity);
  if (step == SQLITE_ROW)
    *id = sqlite3_column_int64(im->find_identity, 0);
  sqlite3_reset(im->find_identity);
  if (step != SQLITE_ROW && step != SQLITE_DONE) {
    nhi_error("evidence store '%s': cannot look up identities: %s",
              im->s->path, sqlite3_errmsg(im->s->db));
    return NHI_ERR_DB;
  }
  return NHI_OK;
}

static enum nhi_rc write_row(struct trail_import *im,
                             const struct nhi_activity_row *row,
                             long long identity_id)
{
  char first[NHI_TIME_SIZE], last[NHI_TIME_SIZE];
  struct nhi_row r;
  enum nhi_rc rc;

  nhi_time_format(row->first_seen, first);
  nhi_time_format(row->last_seen, last);
  nhi_row_start(&r, NHI_T_ACTIVITY);
  if (identity_id)
    nhi_row_int(&r, "identity_id", identity_id);
  nhi_row_text(&r, "identity_ref", row->key.identity);
  nhi_row_text(&r, "action", row->key.action);
  nhi_row_text(&r, "resource", row->key.resource);
  nhi_row_text(&r, "source_ip", row->key.source_ip);
  nhi_row_text(&r, "user_agent", row->key.user_agent);
  nhi_row_text(&r, "first_seen", first);
  nhi_row_text(&r, "last_seen", last);
  nhi_row_int(&r, "count", row->count);
  rc = nhi_row_put(im->s, &r, NULL);
  if (!rc)
    im->stats->activity++;
  return rc;
}

/* Writes the aggregated rows, sorted by key, and empties the table. */
static enum nhi_rc flush(struct trail_import *im)
{
  const struct nhi_activity_row **rows = NULL;
  const char *identity = NULL;
  long long id = 0;
  enum nhi_rc rc;
  size_t n = 0;

  if (nhi_activity_agg_rows(im->agg, &rows, &n)) {
    nhi_error("cannot read '%s': out of memory", im->root);
    return NHI_ERR_NOMEM;
  }
  rc = NHI_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    if (rows[i]->key.identity != identity) {
      identity = rows[i]->key.identity;
      rc = find_identity(im, identity, &id);
    }
    if (!rc)
      rc = write_row(im, rows[i], id);
  }
  free(rows);
  nhi_activity_agg_clear(im->agg);
  return rc;
}

/* Merges rd's rows into the shared table, writing that out when it
 * holds max_keys, and empties rd's. */
static enum nhi_rc hand_over(struct trail_reader *rd)
{
  struct trail_import *im = rd->im;
  enum nhi_rc rc;

  pthread_mutex_lock(&im->lock);
  rc = nhi_activity_agg_merge(im->agg, rd->agg) ? oom(rd) : NHI_OK;
  nhi_activity_agg_clear(rd->agg);
  if (!rc && nhi_activity_agg_size(im->agg) >= im->max_keys)
    rc = flush(im);
  pthread_mutex_unlock(&im->lock);
  return rc;
}

/* The job of a reader: the log file at index. */
static enum nhi_rc import_file(void *ctx, size_t index)
{
  struct trail_reader *rd = ctx;
  struct nhi_json_stream *js = NULL;
  struct nhi_json_record rec;
  enum nhi_rc rc;

  rd->file = index;
  rd->path = rd->im->files.paths[index];
  nhi_debug("reading '%s'", rd->path);
  rc = nhi_json_stream_open(rd->path, rd->im->chunk, &js);
  while (!rc) {
    rc = nhi_json_stream_next(js, &rec);
    if (rc || !rec.text)
      break;
    rc = import_record(rd, &rec);
    if (!rc && nhi_activity_agg_size(rd->agg) >= rd->im->max_keys)
      rc = hand_over(rd);
  }
  nhi_json_stream_close(js);
  if (!rc)
    rd->files++;
  return rc;
}

static enum nhi_rc add_file(struct trail_import *im, const char *path)
{
  struct file_list *f = &im->files;
  char **grown;
  size_t cap;

  if (f->n == f->cap) {
    cap = f->cap ? f->cap * 2 : 64;
    grown = realloc(f->paths, cap * sizeof *grown);
    if (!grown)
      return NHI_ERR_NOMEM;
    f->paths = grown;
    f->cap = cap;
  }
  f->paths[f->n] = strdup(path);
  if (!f->paths[f->n]) {
    nhi_error("cannot read '%s': out of memory", path);
    return NHI_ERR_NOMEM;
  }
  f->n++;
  return NHI_OK;
}

static void files_free(struct file_list *f)
{
  for (size_t i = 0; i < f->n; i++)
    free(f->paths[i]);
  free(f->paths);
  memset(f, 0, sizeof *f);
}

static int ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);

  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Log files by name; CloudTrail's digest files hold no events. */
static int is_log_name(const char *name)
{
  static const char *const suffixes[] = {
    ".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz",
    NULL
  };

  if (strstr(name, "CloudTrail-Digest"))
    return 0;
  for (size_t i = 0; suffixes[i]; i++)
    if (ends_with(name, suffixes[i]))
      return 1;
  return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
  return strcmp((*a)->d_name, (*b)->d_name);
}

static enum nhi_rc walk(struct trail_import *im, const char *dir,
                        int depth);

/* One entry of a folder: a subfolder to walk, a log file, or neither. */
static enum nhi_rc visit(struct trail_import *im, const char *dir,
                         const char *name, int depth)
{
  char *path;
  struct stat st;
  enum nhi_rc rc = NHI_OK;

  if (name[0] == '.')
    return NHI_OK;
  path = nhi_str_join(dir, "/", name);
  if (!path) {
    nhi_error("cannot read '%s': out of memory", dir);
    return NHI_ERR_NOMEM;
  }
  if (stat(path, &st) != 0)
    nhi_warn("'%s': skipped: %s", path, strerror(errno));
  else if (S_ISDIR(st.st_mode) && !strstr(name, "CloudTrail-Digest"))
    rc = walk(im, path, depth + 1);
  else if (S_ISREG(st.st_mode) && is_log_name(name))
    rc = add_file(im, path);
  free(path);
  return rc;
}

/* Lists the log files below dir, in name order. */
static enum nhi_rc walk(struct trail_import *im, const char *dir,
                        int depth)
{
  struct dirent **list = NULL;
  enum nhi_rc rc = NHI_OK;
  int n;

  if (depth > MAX_TREE_DEPTH) {
    nhi_error("cannot read '%s': folders nest more than %d deep (a link "
              "loop?)", dir, MAX_TREE_DEPTH);
    return NHI_ERR_INPUT;
  }
  n = scandir(dir, &list, NULL, by_name);
  if (n < 0) {
    nhi_error("cannot read '%s': %s", dir, strerror(errno));
    return NHI_ERR_IO;
  }
  for (int i = 0; i < n; i++) {
    if (!rc)
      rc = visit(im, dir, list[i]->d_name, depth);
    free(list[i]);
  }
  free(list);
  return rc;
}

/* The files of a folder, or one file (of any name: the user chose
 * it). */
static enum nhi_rc list_files(struct trail_import *im, const char *path)
{
  struct stat st;
  enum nhi_rc rc;

  if (stat(path, &st) != 0) {
    nhi_error("cannot read '%s': %s", path, strerror(errno));
    return NHI_ERR_INPUT;
  }
  if (!S_ISDIR(st.st_mode))
    return add_file(im, path);
  rc = walk(im, path, 0);
  if (!rc && im->files.n == 0) {
    nhi_error("cannot read '%s': no CloudTrail log files in it (*.json.gz, "
              "*.json, *.jsonl)", path);
    rc = NHI_ERR_INPUT;
  }
  return rc;
}

static void readers_free(struct trail_reader *r, size_t n)
{
  for (size_t i = 0; r && i < n; i++) {
    nhi_activity_agg_free(r[i].agg);
    free(r[i].action);
    free(r[i].resource);
  }
  free(r);
}

static enum nhi_rc readers_new(struct trail_import *im, size_t n,
                               struct trail_reader **out)
{
  struct trail_reader *r = calloc(n, sizeof *r);

  *out = r;
  for (size_t i = 0; r && i < n; i++) {
    r[i].im = im;
    r[i].path = im->root;
    r[i].account_file = SIZE_MAX;
    if (nhi_activity_agg_new(&r[i].agg))
      break;
  }
  if (r && n && r[n - 1].agg)
    return NHI_OK;
  nhi_error("cannot read '%s': out of memory", im->root);
  return NHI_ERR_NOMEM;
}

/* Reads every listed file on nthreads readers, then merges what each
 * counted, in reader order, into the shared table and im->stats; the
 * account is the one of the first file that names one. */
static enum nhi_rc read_all(struct trail_import *im, size_t nthreads,
                            long long *denied, long long *skipped)
{
  struct trail_reader *r = NULL;
  void *ctxs[MAX_READERS];
  size_t first = SIZE_MAX;
  enum nhi_rc rc = readers_new(im, nthreads, &r);

  for (size_t i = 0; !rc && i < nthreads; i++)
    ctxs[i] = &r[i];
  if (!rc)
    rc = nhi_workers_run(nthreads, im->files.n, import_file, ctxs);
  for (size_t i = 0; !rc && i < nthreads; i++) {
    if (nhi_activity_agg_merge(im->agg, r[i].agg))
      rc = oom(&r[i]);
    im->stats->records += r[i].records;
    im->stats->files += r[i].files;
    *denied += r[i].denied;
    *skipped += r[i].skipped;
    if (r[i].account_file < first) {
      first = r[i].account_file;
      strcpy(im->stats->account, r[i].account);
    }
  }
  readers_free(r, nthreads);
  return rc;
}

enum nhi_rc nhi_import_aws_cloudtrail_tuned(struct nhi_store *s,
                                            const char *path, time_t now,
                                            struct nhi_import_stats *stats,
                                            const struct nhi_trail_tuning *t)
{
  struct trail_import im = { .s = s, .root = path, .stats = stats };
  long long denied = 0, skipped = 0;
  size_t threads;
  enum nhi_rc rc;

  memset(stats, 0, sizeof *stats);
  im.chunk = t ? t->chunk : 0;
  im.max_keys = t && t->max_keys ? t->max_keys : NHI_ACTIVITY_MAX_KEYS;
  if (pthread_mutex_init(&im.lock, NULL) != 0 ||
      nhi_activity_agg_new(&im.agg)) {
    nhi_error("cannot read '%s': out of memory", path);
    return NHI_ERR_NOMEM;
  }
  rc = list_files(&im, path);
  threads = t && t->threads ? t->threads : MAX_READERS;
  threads = nhi_workers_count(im.files.n, threads);
  if (!rc)
    rc = read_all(&im, threads, &denied, &skipped);
  if (!rc)
    rc = flush(&im);
  if (!rc)
    nhi_info("'%s': %lld events in %lld files: %lld activity rows, %lld "
             "denied calls; %lld skipped (no caller)", path,
             stats->records, stats->files, stats->activity, denied,
             skipped);
  sqlite3_finalize(im.find_identity);
  nhi_activity_agg_free(im.agg);
  files_free(&im.files);
  pthread_mutex_destroy(&im.lock);
  return rc;
}

enum nhi_rc nhi_import_aws_cloudtrail(struct nhi_store *s, const char *path,
                                      time_t now,
                                      struct nhi_import_stats *stats)
{
  return nhi_import_aws_cloudtrail_tuned(s, path, now, stats, NULL);
}
