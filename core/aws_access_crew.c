/* Data access on several threads: each judges with an engine and a
 * read-only connection of its own, and the edges they queue are written
 * through the store's connection in the order of the jobs, so the rows
 * and their ids are those one thread writes. */
#include "aws_access_int.h"

#include "workers.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Stores are judged on this many threads at most. */
#define MAX_THREADS 4

struct crew {
  struct nhi_store *store;    /* written through; borrowed */
  struct nhi_store **readers; /* each thread's connection; NULL: store */
  struct deriver *d;
  size_t n;                   /* threads */
  sqlite3_stmt *insert;       /* one edge row, on store */
};

/* One nhi_access_crew_write: the jobs' queued rows, written in order by
 * whichever thread finishes the job that is next. */
struct line {
  struct crew *crew;
  nhi_access_job_fn job;
  void *arg;
  struct rows *slots;         /* one per job */
  unsigned char *done;        /* the job's rows are complete */
  size_t next;                /* the next job to write */
  int writing;                /* a thread is writing */
  int failed;                 /* a write failed: write no more */
  pthread_mutex_t lock;       /* guards done, next, writing, failed */
};

/* A thread's part of a run: its deriver and the run. */
struct hand {
  struct deriver *d;
  struct line *line;
};

enum nhi_rc nhi_access_rows_add(struct rows *r,
                                const char *const row[NHI_ACCESS_ROW_COLS])
{
  size_t need = 0, cap;
  char *grown;

  for (size_t i = 0; i < NHI_ACCESS_ROW_COLS; i++)
    need += strlen(row[i]) + 1;
  if (r->len + need > r->cap) {
    cap = r->cap ? r->cap : 1024;
    while (cap < r->len + need)
      cap *= 2;
    if (!(grown = realloc(r->buf, cap)))
      return NHI_ERR_NOMEM;
    r->buf = grown;
    r->cap = cap;
  }
  for (size_t i = 0; i < NHI_ACCESS_ROW_COLS; i++) {
    need = strlen(row[i]) + 1;
    memcpy(r->buf + r->len, row[i], need);
    r->len += need;
  }
  r->n++;
  return NHI_OK;
}

static void rows_free(struct rows *r)
{
  free(r->buf);
  memset(r, 0, sizeof *r);
}

/* Inserts r's rows, in order, through the crew's statement. */
static enum nhi_rc write_rows(struct crew *c, const struct rows *r)
{
  sqlite3_stmt *st = c->insert;
  const char *p = r->buf;
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; i < r->n && !rc; i++) {
    for (int col = 1; col <= NHI_ACCESS_ROW_COLS; col++) {
      sqlite3_bind_text(st, col, p, -1, SQLITE_STATIC);
      p += strlen(p) + 1;
    }
    if (sqlite3_step(st) != SQLITE_DONE) {
      nhi_error("data access: cannot write an edge: %s",
                sqlite3_errmsg(c->store->db));
      rc = NHI_ERR_DB;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  return rc;
}

/* Notes that job index is done, then writes every complete job from
 * the next one on, unless another thread is already doing so: one
 * thread at a time uses the store's connection. */
static enum nhi_rc job_done(struct line *l, size_t index)
{
  enum nhi_rc rc = NHI_OK;
  size_t k;

  pthread_mutex_lock(&l->lock);
  l->done[index] = 1;
  if (l->writing || l->failed) {
    pthread_mutex_unlock(&l->lock);
    return NHI_OK;
  }
  l->writing = 1;
  while (!rc && l->done[l->next]) {
    k = l->next++;
    pthread_mutex_unlock(&l->lock);
    rc = write_rows(l->crew, &l->slots[k]);
    rows_free(&l->slots[k]);
    pthread_mutex_lock(&l->lock);
  }
  l->writing = 0;
  l->failed = rc != NHI_OK;
  pthread_mutex_unlock(&l->lock);
  return rc;
}

static enum nhi_rc run_job(void *ctx, size_t index)
{
  struct hand *h = ctx;
  struct line *l = h->line;
  enum nhi_rc rc;

  h->d->out = &l->slots[index];
  rc = l->job(h->d, l->arg, index);
  h->d->out = NULL;
  return rc ? rc : job_done(l, index);
}

/* Runs fn for 0 .. n - 1 on every thread of c, each with its deriver
 * and l. */
static enum nhi_rc run_all(struct crew *c, size_t n, nhi_job_fn fn,
                           struct line *l)
{
  struct hand *hands = calloc(c->n, sizeof *hands);
  void **ctxs = calloc(c->n, sizeof *ctxs);
  enum nhi_rc rc = NHI_ERR_NOMEM;

  if (hands && ctxs) {
    for (size_t i = 0; i < c->n; i++) {
      hands[i] = (struct hand){ &c->d[i], l };
      ctxs[i] = &hands[i];
    }
    rc = nhi_workers_run(c->n, n, fn, ctxs);
  }
  free(hands);
  free(ctxs);
  return rc;
}

/* n + 1 slots and marks: the last job's writer looks one past it. */
static enum nhi_rc line_init(struct line *l, struct crew *c, size_t n,
                             nhi_access_job_fn job, void *arg)
{
  memset(l, 0, sizeof *l);
  l->crew = c;
  l->job = job;
  l->arg = arg;
  l->slots = calloc(n + 1, sizeof *l->slots);
  l->done = calloc(n + 1, 1);
  if (!l->slots || !l->done || pthread_mutex_init(&l->lock, NULL)) {
    free(l->slots);
    free(l->done);
    return NHI_ERR_NOMEM;
  }
  return NHI_OK;
}

static void line_free(struct line *l, size_t n)
{
  for (size_t i = 0; i < n; i++)
    rows_free(&l->slots[i]);
  free(l->slots);
  free(l->done);
  pthread_mutex_destroy(&l->lock);
}

enum nhi_rc nhi_access_crew_write(struct crew *c, size_t n,
                                  nhi_access_job_fn job, void *arg)
{
  struct line l;
  enum nhi_rc rc = line_init(&l, c, n, job, arg);

  if (rc)
    return rc;
  rc = run_all(c, n, run_job, &l);
  line_free(&l, n);
  return rc;
}

/* A job of nhi_access_crew_each: nothing it queues is kept. */
static enum nhi_rc each_job(void *ctx, size_t index)
{
  struct hand *h = ctx;
  struct rows dropped = { 0 };
  enum nhi_rc rc;

  h->d->out = &dropped;
  rc = h->line->job(h->d, h->line->arg, index);
  h->d->out = NULL;
  rows_free(&dropped);
  return rc;
}

enum nhi_rc nhi_access_crew_each(struct crew *c, size_t n,
                                 nhi_access_job_fn job, void *arg)
{
  struct line l = { .crew = c, .job = job, .arg = arg };

  return run_all(c, n, each_job, &l);
}

/* One connection per thread when there are several, else the store's
 * own. */
static enum nhi_rc open_readers(struct crew *c)
{
  enum nhi_rc rc = NHI_OK;

  if (c->n == 1) {
    c->d[0].store = c->store;
    return NHI_OK;
  }
  c->readers = calloc(c->n, sizeof *c->readers);
  if (!c->readers)
    return NHI_ERR_NOMEM;
  for (size_t i = 0; i < c->n && !rc; i++) {
    rc = nhi_store_open_reader(c->store, &c->readers[i]);
    c->d[i].store = c->readers[i];
  }
  return rc;
}

static enum nhi_rc new_engines(struct crew *c, const char *home,
                               size_t min_set)
{
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; i < c->n && !rc; i++) {
    c->d[i].min_set = min_set;
    rc = nhi_aws_engine_new(c->d[i].store, home, &c->d[i].engine);
    if (!rc)
      nhi_aws_engine_default_key_policy(c->d[i].engine, 1);
  }
  return rc;
}

static enum nhi_rc prepare_insert(struct crew *c)
{
  static const char sql[] =
    "INSERT INTO edges (kind, from_type, from_ref, to_type, to_ref,"
    " actions, attrs) VALUES (?1, 'identity', ?2, ?3, ?4, ?5, ?6)";

  if (sqlite3_prepare_v2(c->store->db, sql, -1, &c->insert, NULL) ==
      SQLITE_OK)
    return NHI_OK;
  nhi_error("data access: cannot write to the evidence store: %s",
            sqlite3_errmsg(c->store->db));
  return NHI_ERR_DB;
}

/* How many threads: one for a store without a file (nothing else can
 * open it), else as asked or one per processor. */
static size_t thread_count(const struct nhi_store *store, size_t threads)
{
  const char *file = sqlite3_db_filename(store->db, "main");

  if (!file || !file[0])
    return 1;
  return nhi_workers_count(SIZE_MAX, threads ? threads : MAX_THREADS);
}

enum nhi_rc nhi_access_crew_new(struct nhi_store *store, const char *home,
                                size_t min_set, size_t threads,
                                struct crew **out)
{
  struct crew *c = calloc(1, sizeof *c);
  enum nhi_rc rc = NHI_ERR_NOMEM;

  *out = NULL;
  if (c) {
    c->store = store;
    c->n = thread_count(store, threads);
    c->d = calloc(c->n, sizeof *c->d);
  }
  if (c && c->d)
    rc = open_readers(c);
  if (!rc)
    rc = new_engines(c, home, min_set);
  if (!rc)
    rc = prepare_insert(c);
  if (rc) {
    nhi_access_crew_free(c);
    return rc;
  }
  *out = c;
  return NHI_OK;
}

void nhi_access_crew_free(struct crew *c)
{
  if (!c)
    return;
  for (size_t i = 0; c->d && i < c->n; i++) {
    nhi_aws_engine_free(c->d[i].engine);
    free(c->d[i].marks);
  }
  for (size_t i = 0; c->readers && i < c->n; i++)
    nhi_store_close(c->readers[i]);
  sqlite3_finalize(c->insert);
  free(c->readers);
  free(c->d);
  free(c);
}

struct deriver *nhi_access_crew_main(struct crew *c)
{
  return &c->d[0];
}

enum nhi_rc nhi_access_crew_marks(struct crew *c, const struct targets *ts)
{
  struct deriver *d;
  size_t *grown;

  for (size_t i = 0; i < c->n; i++) {
    d = &c->d[i];
    if (ts->n > d->nmarks) {
      if (!(grown = realloc(d->marks, ts->n * sizeof *grown)))
        return NHI_ERR_NOMEM;
      d->marks = grown;
      d->nmarks = ts->n;
    }
    if (d->nmarks)
      memset(d->marks, 0, d->nmarks * sizeof *d->marks);
    d->base = ts->items;
    d->stamp = 0;
  }
  return NHI_OK;
}

void nhi_access_crew_stats(const struct crew *c,
                           struct nhi_aws_access_stats *out)
{
  const struct nhi_aws_access_stats *s;

  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < c->n; i++) {
    s = &c->d[i].stats;
    out->resources += s->resources;
    out->pairs += s->pairs;
    out->decisions += s->decisions;
    out->reads += s->reads;
    out->writes += s->writes;
    out->sets += s->sets;
    out->indeterminate += s->indeterminate;
  }
}
