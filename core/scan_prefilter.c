/* The keyword prefilter: every rule's keywords indexed by their first
 * two bytes (ASCII case folded). One pass over the buffer tests each
 * pair of bytes against a 64 Kibit table, with no dependency from one
 * byte to the next, so most bytes cost a table lookup; a pair that
 * starts a keyword is then tested by a hash of its first four bytes
 * (keywords of two or three bytes have their own table); only then are
 * keywords compared, and only where one is does its rule's matcher
 * run. */
#include "scan_int.h"

#include <stdlib.h>
#include <string.h>

const unsigned char nhi_scan_fold[256] = {
#define R(c) (unsigned char)((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c))
#define R4(c) R(c), R(c + 1), R(c + 2), R(c + 3)
#define R16(c) R4(c), R4(c + 4), R4(c + 8), R4(c + 12)
#define R64(c) R16(c), R16(c + 16), R16(c + 32), R16(c + 48)
  R64(0), R64(64), R64(128), R64(192)
#undef R64
#undef R16
#undef R4
#undef R
};

static int by_pair(const void *a, const void *b)
{
  const struct scan_kw *x = a, *y = b;

  if (x->pair != y->pair)
    return x->pair < y->pair ? -1 : 1;
  if (x->rule != y->rule)
    return x->rule < y->rule ? -1 : 1;
  return x->kw < y->kw ? -1 : x->kw > y->kw;
}

static void free_kws(struct nhi_scan_rules *set)
{
  for (size_t i = 0; i < set->nkws; i++)
    free(set->kws[i].folded);
  free(set->kws);
  set->kws = NULL;
  set->nkws = 0;
}

static enum nhi_rc add_kw(struct nhi_scan_rules *set, uint32_t rule,
                          uint16_t k, const char *name)
{
  const char *kw = set->rules[rule].keywords[k];
  size_t len = strlen(kw);
  struct scan_kw *e = &set->kws[set->nkws];

  if (len < 2 || len > 0xffff) {
    nhi_error("cannot read rules '%s': rule '%s': keyword '%s' must be "
              "2 bytes or longer", name, set->rules[rule].id, kw);
    return NHI_ERR_INPUT;
  }
  e->folded = malloc(len + 1);
  if (!e->folded)
    return NHI_ERR_NOMEM;
  for (size_t i = 0; i <= len; i++)
    e->folded[i] = (char)nhi_scan_fold[(unsigned char)kw[i]];
  e->rule = rule;
  e->kw = k;
  e->len = (uint16_t)len;
  e->pair = (uint16_t)((unsigned char)e->folded[0] << 8 |
                       (unsigned char)e->folded[1]);
  set->pairs[e->pair >> 6] |= 1ull << (e->pair & 63);
  if (len < 4) {
    set->short_pairs[e->pair >> 6] |= 1ull << (e->pair & 63);
  } else {
    unsigned q = nhi_scan_quad((uint32_t)e->pair << 16 |
                               (uint32_t)(unsigned char)e->folded[2] << 8 |
                               (unsigned char)e->folded[3]);

    set->quads[q >> 6] |= 1ull << (q & 63);
  }
  set->nkws++;
  return NHI_OK;
}

enum nhi_rc nhi_scan_build_prefilter(struct nhi_scan_rules *set,
                                     const char *name)
{
  size_t total = 0;
  enum nhi_rc rc = NHI_OK;

  free_kws(set);
  memset(set->pairs, 0, sizeof set->pairs);
  memset(set->short_pairs, 0, sizeof set->short_pairs);
  memset(set->quads, 0, sizeof set->quads);
  for (size_t i = 0; i < set->count; i++)
    total += set->rules[i].nkeywords;
  set->kws = calloc(total + 1, sizeof *set->kws);
  if (!set->kws)
    return NHI_ERR_NOMEM;
  for (size_t i = 0; i < set->count && !rc; i++)
    for (size_t k = 0; k < set->rules[i].nkeywords && !rc; k++)
      rc = add_kw(set, (uint32_t)i, (uint16_t)k, name);
  if (!rc)
    qsort(set->kws, set->nkws, sizeof *set->kws, by_pair);
  return rc;
}
