/* Scanning a folder tree: the walk (excludes, size limit), then the
 * files shared out to worker threads, each reading and scanning whole
 * files, the results put back in path order. */
#include "scan_int.h"
#include "scan_ignore.h"
#include "progress.h"
#include "strutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_MAX_FILE (32u << 20)
#define BINARY_PROBE 8192
#define MAX_DEPTH 64
#define MAX_THREADS 8
#define IGNORE_FILE ".nhiscopeignore"
#define SAMPLE_PER_FILE (1 << 20)
#define DEFAULT_SAMPLE (256ll << 20)

int nhi_scan_is_binary(const char *buf, size_t len)
{
  return memchr(buf, '\0', len < BINARY_PROBE ? len : BINARY_PROBE) != NULL;
}

enum nhi_rc nhi_scan_read_file(const char *path, size_t max, char **buf,
                               size_t *len)
{
  struct stat st;
  size_t got = 0, cap;
  char *b = NULL;
  ssize_t n;
  int fd = open(path, O_RDONLY);
  enum nhi_rc rc = NHI_ERR_IO;

  *buf = NULL;
  *len = 0;
  if (fd < 0 || fstat(fd, &st) < 0)
    goto fail;
  if ((unsigned long long)st.st_size > max) {
    close(fd);
    return NHI_ERR_INPUT;
  }
  cap = (size_t)st.st_size + 1;
  b = malloc(cap);
  if (!b) {
    rc = NHI_ERR_NOMEM;
    goto fail;
  }
  while (got + 1 < cap && (n = read(fd, b + got, cap - 1 - got)) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      goto fail;
    got += (size_t)n;
  }
  close(fd);
  b[got] = '\0';
  *buf = b;
  *len = got;
  return NHI_OK;
fail:
  nhi_error("cannot read '%s': %s", path,
            rc == NHI_ERR_NOMEM ? "out of memory" : strerror(errno));
  if (fd >= 0)
    close(fd);
  free(b);
  return rc;
}

void nhi_scan_result_free(struct nhi_scan_result *r)
{
  for (size_t i = 0; i < r->nfiles; i++)
    free(r->files[i].path);
  free(r->files);
  nhi_scan_hits_free(&r->hits);
  free(r->dir);
  memset(r, 0, sizeof *r);
}

/* The walk: the root, its excludes, the files found so far. */
struct walk {
  const char *root;
  struct nhi_ignore ig;
  struct nhi_scan_file *files;
  size_t n, cap;
};

static enum nhi_rc add_file(struct walk *w, const char *rel, long long size)
{
  if (w->n == w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 64;
    struct nhi_scan_file *grown = realloc(w->files, cap * sizeof *grown);

    if (!grown)
      return NHI_ERR_NOMEM;
    w->files = grown;
    w->cap = cap;
  }
  w->files[w->n].path = strdup(rel);
  if (!w->files[w->n].path)
    return NHI_ERR_NOMEM;
  w->files[w->n].size = size;
  w->files[w->n].status = NHI_SCAN_OK;
  w->n++;
  return NHI_OK;
}

static int by_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in folder abs, sorted, without "." and ".."; NULL-ended. */
static char **list_folder(const char *abs, size_t *n)
{
  DIR *d = opendir(abs);
  struct dirent *e;
  char **v = NULL, **grown;
  size_t cap = 0;

  *n = 0;
  if (!d)
    return NULL;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    if (*n + 1 >= cap) {
      cap = cap ? cap * 2 : 32;
      grown = realloc(v, cap * sizeof *v);
      if (!grown)
        break;
      v = grown;
    }
    v[*n] = strdup(e->d_name);
    if (!v[*n])
      break;
    v[++*n] = NULL;
  }
  closedir(d);
  if (v)
    qsort(v, *n, sizeof *v, by_name);
  return v;
}

static enum nhi_rc walk_folder(struct walk *w, const char *rel, int depth);

/* One entry of a folder: a file to scan, a folder to enter, or neither
 * (links, devices, excluded paths, .git). */
static enum nhi_rc walk_entry(struct walk *w, const char *rel, int depth)
{
  char *abs = nhi_aprintf("%s/%s", w->root, rel);
  const char *name = strrchr(rel, '/');
  struct stat st;
  enum nhi_rc rc = NHI_OK;

  name = name ? name + 1 : rel;
  if (!abs)
    return NHI_ERR_NOMEM;
  if (lstat(abs, &st) == 0) {
    int dir = S_ISDIR(st.st_mode);

    if (nhi_ignore_match(&w->ig, rel, dir) || (dir && !strcmp(name, ".git")))
      ;
    else if (dir && depth < MAX_DEPTH)
      rc = walk_folder(w, rel, depth + 1);
    else if (S_ISREG(st.st_mode))
      rc = add_file(w, rel, (long long)st.st_size);
  }
  free(abs);
  return rc;
}

static enum nhi_rc walk_folder(struct walk *w, const char *rel, int depth)
{
  char *abs = *rel ? nhi_aprintf("%s/%s", w->root, rel) : strdup(w->root);
  char *ignore = abs ? nhi_aprintf("%s/" IGNORE_FILE, abs) : NULL;
  char **names = NULL;
  size_t n = 0;
  enum nhi_rc rc = ignore ? NHI_OK : NHI_ERR_NOMEM;

  if (!rc)
    rc = nhi_ignore_load(&w->ig, ignore, rel);
  if (!rc)
    names = list_folder(abs, &n);
  for (size_t i = 0; i < n && !rc; i++) {
    char *child = *rel ? nhi_aprintf("%s/%s", rel, names[i])
                       : strdup(names[i]);

    rc = child ? walk_entry(w, child, depth) : NHI_ERR_NOMEM;
    free(child);
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  free(ignore);
  free(abs);
  return rc;
}

/* The work the threads share. */
struct pool {
  const struct nhi_scan_rules *set;
  const char *root;
  size_t max;
  struct nhi_scan_file *files;
  struct nhi_scan_hits *per_file;
  size_t n, next;
  long long bytes;
  long long sample_left;      /* classifier budget, under lock */
  struct nhi_classify_counts classes;
  enum nhi_rc rc;
  pthread_mutex_t lock;
};

/* Runs the classifiers over the start of buf while the budget lasts. */
static void sample(struct pool *p, const char *buf, size_t len,
                   struct nhi_classify_counts *c)
{
  long long take = len < SAMPLE_PER_FILE ? (long long)len : SAMPLE_PER_FILE;

  pthread_mutex_lock(&p->lock);
  take = take < p->sample_left ? take : p->sample_left;
  p->sample_left -= take;
  pthread_mutex_unlock(&p->lock);
  if (take > 0)
    nhi_classify_buffer(buf, (size_t)take, c);
}

static enum nhi_rc scan_one(struct pool *p, size_t i, long long *bytes,
                            struct nhi_classify_counts *c)
{
  struct nhi_scan_file *f = &p->files[i];
  char *abs = nhi_aprintf("%s/%s", p->root, f->path), *buf = NULL;
  size_t len = 0;
  enum nhi_rc rc;

  if (!abs)
    return NHI_ERR_NOMEM;
  rc = nhi_scan_read_file(abs, p->max, &buf, &len);
  free(abs);
  if (rc == NHI_ERR_INPUT) {
    f->status = NHI_SCAN_TOO_BIG;
    return NHI_OK;
  }
  if (rc) {
    f->status = NHI_SCAN_UNREADABLE;
    return rc == NHI_ERR_NOMEM ? rc : NHI_OK;
  }
  if (nhi_scan_is_binary(buf, len))
    f->status = NHI_SCAN_BINARY;
  else
    rc = nhi_scan_buffer(p->set, buf, len, &p->per_file[i]);
  if (!rc && f->status == NHI_SCAN_OK)
    sample(p, buf, len, c);
  *bytes += f->status == NHI_SCAN_OK ? (long long)len : 0;
  free(buf);
  return rc;
}

/* Every so many files the caller's thread redraws the progress line. */
#define PROGRESS_EVERY 64

/* A thread's share: the pool, and whether it shows progress (the
 * caller's thread does). */
struct share {
  struct pool *p;
  int show;
};

static void *worker(void *arg)
{
  struct pool *p = ((struct share *)arg)->p;
  int show = ((struct share *)arg)->show;
  long long bytes = 0;
  struct nhi_classify_counts c;
  enum nhi_rc rc = NHI_OK;

  memset(&c, 0, sizeof c);
  for (;;) {
    size_t i;

    pthread_mutex_lock(&p->lock);
    i = p->rc ? p->n : p->next++;
    pthread_mutex_unlock(&p->lock);
    if (i >= p->n)
      break;
    if (show && i % PROGRESS_EVERY == 0)
      nhi_progress("scanning", i + 1, p->n, p->files[i].path);
    if (p->files[i].status == NHI_SCAN_OK)
      rc = scan_one(p, i, &bytes, &c);
    if (rc) {
      pthread_mutex_lock(&p->lock);
      p->rc = rc;
      pthread_mutex_unlock(&p->lock);
      break;
    }
  }
  pthread_mutex_lock(&p->lock);
  p->bytes += bytes;
  for (int k = 0; k < NHI_DC_COUNT; k++)
    p->classes.n[k] += c.n[k];
  p->classes.bytes += c.bytes;
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

static int thread_count(const struct nhi_scan_opts *o, size_t files)
{
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  int n = o && o->threads > 0 ? o->threads : (int)(cores > 0 ? cores : 1);

  if (n > MAX_THREADS)
    n = MAX_THREADS;
  return (size_t)n > files ? (int)(files ? files : 1) : n;
}

/* Runs the pool's files over n threads (the caller's thread is one). */
static enum nhi_rc run_pool(struct pool *p, int n)
{
  pthread_t t[MAX_THREADS];
  struct share others = { p, 0 }, mine = { p, 1 };
  int started = 0;

  for (int i = 1; i < n; i++) {
    if (pthread_create(&t[started], NULL, worker, &others))
      break;
    started++;
  }
  worker(&mine);
  for (int i = 0; i < started; i++)
    pthread_join(t[i], NULL);
  return p->rc;
}

/* Moves each file's hits into r->hits, in file order. */
static enum nhi_rc merge(struct pool *p, struct nhi_scan_result *r)
{
  size_t total = 0, k = 0;

  for (size_t i = 0; i < p->n; i++)
    total += p->per_file[i].count;
  r->hits.items = calloc(total + 1, sizeof *r->hits.items);
  if (!r->hits.items)
    return NHI_ERR_NOMEM;
  r->hits.cap = total + 1;
  for (size_t i = 0; i < p->n; i++) {
    for (size_t j = 0; j < p->per_file[i].count; j++) {
      r->hits.items[k] = p->per_file[i].items[j];
      r->hits.items[k++].file = i;
    }
    free(p->per_file[i].items);
    memset(&p->per_file[i], 0, sizeof p->per_file[i]);
  }
  r->hits.count = k;
  return NHI_OK;
}

/* Marks files over the limit before any thread starts. */
static void mark_sizes(struct nhi_scan_file *files, size_t n, size_t max)
{
  for (size_t i = 0; i < n; i++)
    if ((unsigned long long)files[i].size > max)
      files[i].status = NHI_SCAN_TOO_BIG;
}

static enum nhi_rc scan_files(const struct nhi_scan_rules *set,
                              const char *root,
                              const struct nhi_scan_opts *opts,
                              struct nhi_scan_result *r)
{
  struct pool p;
  enum nhi_rc rc;

  memset(&p, 0, sizeof p);
  p.set = set;
  p.root = root;
  p.max = opts && opts->max_file_size ? opts->max_file_size
                                      : DEFAULT_MAX_FILE;
  p.files = r->files;
  p.n = r->nfiles;
  p.sample_left = !opts || !opts->sample ? DEFAULT_SAMPLE
                  : opts->sample < 0 ? 0 : opts->sample;
  mark_sizes(r->files, r->nfiles, p.max);
  p.per_file = calloc(p.n + 1, sizeof *p.per_file);
  if (!p.per_file || pthread_mutex_init(&p.lock, NULL)) {
    free(p.per_file);
    return NHI_ERR_NOMEM;
  }
  rc = run_pool(&p, thread_count(opts, p.n));
  if (!rc)
    rc = merge(&p, r);
  for (size_t i = 0; i < p.n; i++) {
    nhi_scan_hits_free(&p.per_file[i]);
    r->skipped += r->files[i].status != NHI_SCAN_OK;
  }
  r->bytes = p.bytes;
  r->classes = p.classes;
  pthread_mutex_destroy(&p.lock);
  free(p.per_file);
  return rc;
}

/* A single file as root: a tree of one file, named by its base name. */
static enum nhi_rc walk_root(struct walk *w, const char *root, int *single)
{
  struct stat st;
  size_t k;

  if (stat(root, &st) != 0) {
    nhi_error("cannot read '%s': %s", root, strerror(errno));
    return NHI_ERR_INPUT;
  }
  *single = !S_ISDIR(st.st_mode);
  if (!*single)
    return walk_folder(w, "", 0);
  for (k = strlen(root); k > 0 && root[k - 1] != '/'; k--)
    ;
  return add_file(w, root + k, (long long)st.st_size);
}

enum nhi_rc nhi_scan_tree(const struct nhi_scan_rules *set, const char *root,
                          const struct nhi_scan_opts *opts,
                          struct nhi_scan_result *r)
{
  struct walk w;
  char *dir = NULL;
  int single = 0;
  enum nhi_rc rc = NHI_OK;

  memset(r, 0, sizeof *r);
  memset(&w, 0, sizeof w);
  w.root = root;
  for (size_t i = 0; opts && i < opts->nexcludes && !rc; i++)
    rc = nhi_ignore_add(&w.ig, "", opts->excludes[i]);
  if (!rc)
    rc = walk_root(&w, root, &single);
  r->files = w.files;
  r->nfiles = w.n;
  if (!rc && single) {
    dir = strdup(root);
    rc = dir ? NHI_OK : NHI_ERR_NOMEM;
    if (dir)
      dir[strlen(root) - strlen(w.files[0].path)] = '\0';
  }
  if (!rc) {
    r->dir = strdup(single ? (*dir ? dir : ".") : root);
    rc = r->dir ? scan_files(set, r->dir, opts, r) : NHI_ERR_NOMEM;
  }
  if (rc == NHI_ERR_NOMEM)
    nhi_error("cannot scan '%s': out of memory", root);
  nhi_ignore_free(&w.ig);
  free(dir);
  return rc;
}
