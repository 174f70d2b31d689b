/* String interning for the AI access graph: each native id once, as a
 * dense index, found again in constant time. */
#include "ai_graph.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_of(const char *s)
{
  uint64_t h = 1469598103934665603ULL;

  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t slot_of(const struct ag_map *m, const char *key)
{
  size_t mask = m->nslots - 1, i = hash_of(key) & mask;

  while (m->slots[i] && strcmp(m->keys[m->slots[i] - 1], key) != 0)
    i = (i + 1) & mask;
  return i;
}

static enum nhi_rc rehash(struct ag_map *m)
{
  size_t n = m->nslots ? m->nslots * 2 : 1024;
  uint32_t *old = m->slots;
  size_t oldn = m->nslots;

  m->slots = calloc(n, sizeof *m->slots);
  if (!m->slots) {
    m->slots = old;
    return NHI_ERR_NOMEM;
  }
  m->nslots = n;
  for (size_t i = 0; i < oldn; i++)
    if (old[i])
      m->slots[slot_of(m, m->keys[old[i] - 1])] = old[i];
  free(old);
  return NHI_OK;
}

static enum nhi_rc append_key(struct ag_map *m, const char *key)
{
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 256;
    char **keys = realloc(m->keys, cap * sizeof *keys);

    if (!keys)
      return NHI_ERR_NOMEM;
    m->keys = keys;
    m->cap = cap;
  }
  m->keys[m->n] = strdup(key);
  return m->keys[m->n] ? NHI_OK : NHI_ERR_NOMEM;
}

enum nhi_rc ag_map_put(struct ag_map *m, const char *key, uint32_t *idx,
                       int *added)
{
  size_t s;

  *added = 0;
  if ((m->n + 1) * 2 > m->nslots && rehash(m))
    return NHI_ERR_NOMEM;
  s = slot_of(m, key);
  if (m->slots[s]) {
    *idx = m->slots[s] - 1;
    return NHI_OK;
  }
  if (m->n >= AG_NONE - 1 || append_key(m, key))
    return NHI_ERR_NOMEM;
  m->slots[s] = (uint32_t)++m->n;
  *idx = (uint32_t)(m->n - 1);
  *added = 1;
  return NHI_OK;
}

uint32_t ag_map_get(const struct ag_map *m, const char *key)
{
  size_t s;

  if (!m->nslots || !key)
    return AG_NONE;
  s = slot_of(m, key);
  return m->slots[s] ? m->slots[s] - 1 : AG_NONE;
}

void ag_map_free(struct ag_map *m)
{
  for (size_t i = 0; i < m->n; i++)
    free(m->keys[i]);
  free(m->keys);
  free(m->slots);
  memset(m, 0, sizeof *m);
}
