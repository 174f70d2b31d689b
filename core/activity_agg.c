/* Aggregating activity events in memory. Strings are interned, so a key
 * is five pointers and comparing keys compares pointers; rows and
 * strings come from an arena, so an event costs no allocation once its
 * key has been seen. */
#include "activity_agg.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE 65536
#define FIRST_BUCKETS 1024

/* One block of the arena; blocks are chained newest first. */
struct block {
  struct block *next;
  size_t used, size;
  max_align_t data[];
};

/* An interned string; key pointers point at s. */
struct istr {
  struct istr *next;
  uint64_t hash;
  size_t len;
  char s[];
};

struct entry {
  struct nhi_activity_row row;
  struct entry *next;
  uint64_t hash;
};

/* A chained hash table; grows when it holds more items than buckets. */
struct table {
  void **buckets;
  size_t nbuckets, count;
};

struct nhi_activity_agg {
  struct block *blocks;
  struct table strings;     /* of struct istr */
  struct table entries;     /* of struct entry */
};

static void *arena_alloc(struct nhi_activity_agg *a, size_t n)
{
  size_t align = sizeof(max_align_t), size;
  struct block *b = a->blocks;
  void *p;

  n = (n + align - 1) / align * align;
  if (!b || b->size - b->used < n) {
    size = n > BLOCK_SIZE ? n : BLOCK_SIZE;
    b = malloc(sizeof *b + size);
    if (!b)
      return NULL;
    b->size = size;
    b->used = 0;
    b->next = a->blocks;
    a->blocks = b;
  }
  p = (char *)b->data + b->used;
  b->used += n;
  return p;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
  uint64_t h = 1469598103934665603ULL;

  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static int table_init(struct table *t)
{
  t->buckets = calloc(FIRST_BUCKETS, sizeof *t->buckets);
  t->nbuckets = FIRST_BUCKETS;
  t->count = 0;
  return t->buckets != NULL;
}

/* next_of gives the address of an item's chain link; hash_of its hash. */
static int table_grow(struct table *t, void **(*next_of)(void *),
                      uint64_t (*hash_of)(const void *))
{
  size_t n = t->nbuckets * 2;
  void **b = calloc(n, sizeof *b), *item, *next;

  if (!b)
    return 0;
  for (size_t i = 0; i < t->nbuckets; i++)
    for (item = t->buckets[i]; item; item = next) {
      next = *next_of(item);
      *next_of(item) = b[hash_of(item) & (n - 1)];
      b[hash_of(item) & (n - 1)] = item;
    }
  free(t->buckets);
  t->buckets = b;
  t->nbuckets = n;
  return 1;
}

static void **istr_next(void *p)
{
  return (void **)&((struct istr *)p)->next;
}

static uint64_t istr_hash(const void *p)
{
  return ((const struct istr *)p)->hash;
}

static void **entry_next(void *p)
{
  return (void **)&((struct entry *)p)->next;
}

static uint64_t entry_hash(const void *p)
{
  return ((const struct entry *)p)->hash;
}

static const struct istr *istr_of(const char *s)
{
  return (const struct istr *)(const void *)(s - offsetof(struct istr, s));
}

/* The table's copy of s (NULL stays NULL); NULL with *oom on failure. */
static const char *intern(struct nhi_activity_agg *a, const char *s,
                          int *oom)
{
  size_t len;
  uint64_t h;
  struct istr *e;
  void **slot;

  if (!s)
    return NULL;
  len = strlen(s);
  h = hash_bytes(s, len);
  slot = &a->strings.buckets[h & (a->strings.nbuckets - 1)];
  for (e = *slot; e; e = e->next)
    if (e->hash == h && e->len == len && memcmp(e->s, s, len) == 0)
      return e->s;
  e = arena_alloc(a, sizeof *e + len + 1);
  if (!e) {
    *oom = 1;
    return NULL;
  }
  e->hash = h;
  e->len = len;
  memcpy(e->s, s, len + 1);
  e->next = *slot;
  *slot = e;
  if (++a->strings.count > a->strings.nbuckets &&
      !table_grow(&a->strings, istr_next, istr_hash))
    *oom = 1;
  return e->s;
}

static uint64_t key_hash(const struct nhi_activity_key *k)
{
  const char *parts[5] = { k->identity, k->action, k->resource,
                           k->source_ip, k->user_agent };
  uint64_t h = 0, x;

  for (int i = 0; i < 5; i++) {
    x = parts[i] ? istr_of(parts[i])->hash : 0x51ULL;
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  }
  return h;
}

static int same_key(const struct nhi_activity_key *a,
                    const struct nhi_activity_key *b)
{
  return a->identity == b->identity && a->action == b->action &&
         a->resource == b->resource && a->source_ip == b->source_ip &&
         a->user_agent == b->user_agent;
}

static enum nhi_rc insert(struct nhi_activity_agg *a,
                          const struct nhi_activity_row *row, uint64_t h)
{
  struct entry *e = arena_alloc(a, sizeof *e);
  void **slot = &a->entries.buckets[h & (a->entries.nbuckets - 1)];

  if (!e)
    return NHI_ERR_NOMEM;
  e->row = *row;
  e->hash = h;
  e->next = *slot;
  *slot = e;
  if (++a->entries.count > a->entries.nbuckets &&
      !table_grow(&a->entries, entry_next, entry_hash))
    return NHI_ERR_NOMEM;
  return NHI_OK;
}

/* Counts row (its key's strings anyone's) into a. */
static enum nhi_rc count_row(struct nhi_activity_agg *a,
                             const struct nhi_activity_row *row)
{
  const struct nhi_activity_key *k = &row->key;
  struct nhi_activity_row in = *row;
  struct entry *e;
  uint64_t h;
  int oom = 0;

  in.key.identity = intern(a, k->identity, &oom);
  in.key.action = intern(a, k->action, &oom);
  in.key.resource = intern(a, k->resource, &oom);
  in.key.source_ip = intern(a, k->source_ip, &oom);
  in.key.user_agent = intern(a, k->user_agent, &oom);
  if (oom)
    return NHI_ERR_NOMEM;
  h = key_hash(&in.key);
  for (e = a->entries.buckets[h & (a->entries.nbuckets - 1)]; e;
       e = e->next)
    if (e->hash == h && same_key(&e->row.key, &in.key)) {
      if (in.first_seen < e->row.first_seen)
        e->row.first_seen = in.first_seen;
      if (in.last_seen > e->row.last_seen)
        e->row.last_seen = in.last_seen;
      e->row.count += in.count;
      return NHI_OK;
    }
  return insert(a, &in, h);
}

enum nhi_rc nhi_activity_agg_add(struct nhi_activity_agg *a,
                                 const struct nhi_activity_key *k,
                                 time_t t)
{
  struct nhi_activity_row row = { *k, t, t, 1 };

  return count_row(a, &row);
}

enum nhi_rc nhi_activity_agg_merge(struct nhi_activity_agg *dst,
                                   const struct nhi_activity_agg *src)
{
  const struct entry *e;
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; i < src->entries.nbuckets && !rc; i++)
    for (e = src->entries.buckets[i]; e && !rc; e = e->next)
      rc = count_row(dst, &e->row);
  return rc;
}

enum nhi_rc nhi_activity_agg_new(struct nhi_activity_agg **out)
{
  struct nhi_activity_agg *a = calloc(1, sizeof *a);

  *out = NULL;
  if (!a || !table_init(&a->strings) || !table_init(&a->entries)) {
    nhi_activity_agg_free(a);
    return NHI_ERR_NOMEM;
  }
  *out = a;
  return NHI_OK;
}

size_t nhi_activity_agg_size(const struct nhi_activity_agg *a)
{
  return a->entries.count;
}

/* NULL sorts first. */
static int cmp_text(const char *a, const char *b)
{
  if (a == b)
    return 0;
  if (!a || !b)
    return a ? 1 : -1;
  return strcmp(a, b);
}

static int by_key(const void *pa, const void *pb)
{
  const struct nhi_activity_key *a =
    &(*(const struct nhi_activity_row *const *)pa)->key;
  const struct nhi_activity_key *b =
    &(*(const struct nhi_activity_row *const *)pb)->key;
  int c = cmp_text(a->identity, b->identity);

  if (!c)
    c = cmp_text(a->action, b->action);
  if (!c)
    c = cmp_text(a->resource, b->resource);
  if (!c)
    c = cmp_text(a->source_ip, b->source_ip);
  if (!c)
    c = cmp_text(a->user_agent, b->user_agent);
  return c;
}

enum nhi_rc nhi_activity_agg_rows(const struct nhi_activity_agg *a,
                                  const struct nhi_activity_row ***out,
                                  size_t *n)
{
  const struct nhi_activity_row **rows;
  const struct entry *e;
  size_t k = 0;

  *out = NULL;
  *n = 0;
  rows = malloc((a->entries.count + 1) * sizeof *rows);
  if (!rows)
    return NHI_ERR_NOMEM;
  for (size_t i = 0; i < a->entries.nbuckets; i++)
    for (e = a->entries.buckets[i]; e; e = e->next)
      rows[k++] = &e->row;
  qsort(rows, k, sizeof *rows, by_key);
  *out = rows;
  *n = k;
  return NHI_OK;
}

static void free_blocks(struct nhi_activity_agg *a)
{
  struct block *b, *next;

  for (b = a->blocks; b; b = next) {
    next = b->next;
    free(b);
  }
  a->blocks = NULL;
}

void nhi_activity_agg_clear(struct nhi_activity_agg *a)
{
  free_blocks(a);
  memset(a->strings.buckets, 0,
         a->strings.nbuckets * sizeof *a->strings.buckets);
  memset(a->entries.buckets, 0,
         a->entries.nbuckets * sizeof *a->entries.buckets);
  a->strings.count = 0;
  a->entries.count = 0;
}

void nhi_activity_agg_free(struct nhi_activity_agg *a)
{
  if (!a)
    return;
  free_blocks(a);
  free(a->strings.buckets);
  free(a->entries.buckets);
  free(a);
}
