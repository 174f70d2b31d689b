/* The keyword prefilter: an Aho-Corasick automaton over every rule's
 * keywords, flattened into a DFA that reads each byte once, ASCII case
 * folded. Only where it reports a keyword does a matcher run. */
#include "scan_int.h"

#include <stdlib.h>
#include <string.h>

#define MAX_STATES 65535

static unsigned char fold(unsigned char c)
{
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* The trie under construction; goto_[s * 256 + c] is 0 for none. */
struct trie {
  int32_t *goto_;
  int32_t *fail;
  size_t n, cap;
  /* each keyword's end state, in (rule, keyword) order */
  struct scan_kw *kws;
  int32_t *ends;
  size_t nkws;
};

static size_t total_keyword_bytes(const struct nhi_scan_rules *set,
                                  size_t *nkws)
{
  size_t bytes = 1;

  *nkws = 0;
  for (size_t i = 0; i < set->count; i++)
    for (size_t k = 0; k < set->rules[i].nkeywords; k++) {
      bytes += strlen(set->rules[i].keywords[k]);
      (*nkws)++;
    }
  return bytes;
}

static void trie_free(struct trie *t)
{
  free(t->goto_);
  free(t->fail);
  free(t->kws);
  free(t->ends);
}

static enum nhi_rc trie_build(const struct nhi_scan_rules *set,
                              struct trie *t)
{
  size_t cap = total_keyword_bytes(set, &t->nkws), k = 0;

  t->cap = cap;
  t->n = 1;
  t->goto_ = calloc(cap * 256, sizeof *t->goto_);
  t->fail = calloc(cap, sizeof *t->fail);
  t->kws = calloc(t->nkws + 1, sizeof *t->kws);
  t->ends = calloc(t->nkws + 1, sizeof *t->ends);
  if (!t->goto_ || !t->fail || !t->kws || !t->ends)
    return NHI_ERR_NOMEM;
  for (size_t i = 0; i < set->count; i++)
    for (size_t j = 0; j < set->rules[i].nkeywords; j++, k++) {
      const unsigned char *p =
        (const unsigned char *)set->rules[i].keywords[j];
      int32_t s = 0;

      for (; *p; p++) {
        int32_t *next = &t->goto_[(size_t)s * 256 + fold(*p)];

        if (!*next)
          *next = (int32_t)t->n++;
        s = *next;
      }
      t->kws[k].rule = (uint32_t)i;
      t->kws[k].kw = (uint32_t)j;
      t->ends[k] = s;
    }
  return NHI_OK;
}

/* Breadth-first: failure links, and goto_ completed into a DFA. */
static enum nhi_rc trie_complete(struct trie *t)
{
  int32_t *queue = malloc(t->n * sizeof *queue);
  size_t head = 0, tail = 0;

  if (!queue)
    return NHI_ERR_NOMEM;
  for (int c = 0; c < 256; c++)
    if (t->goto_[c])
      queue[tail++] = t->goto_[c];
  while (head < tail) {
    int32_t s = queue[head++];

    for (int c = 0; c < 256; c++) {
      int32_t *next = &t->goto_[(size_t)s * 256 + c];
      int32_t via = t->goto_[(size_t)t->fail[s] * 256 + c];

      if (*next) {
        t->fail[*next] = via;
        queue[tail++] = *next;
      } else {
        *next = via;
      }
    }
  }
  free(queue);
  return NHI_OK;
}

/* Each state's outputs: its own keywords and its failure chain's. */
static enum nhi_rc flatten_outputs(struct nhi_scan_rules *set,
                                   const struct trie *t)
{
  size_t total = 0, pos = 0;

  set->out_first = calloc(t->n, sizeof *set->out_first);
  set->out_count = calloc(t->n, sizeof *set->out_count);
  if (!set->out_first || !set->out_count)
    return NHI_ERR_NOMEM;
  for (size_t s = 1; s < t->n; s++)
    for (int32_t f = (int32_t)s; f; f = t->fail[f])
      for (size_t k = 0; k < t->nkws; k++)
        total += t->ends[k] == f;
  set->outs = calloc(total + 1, sizeof *set->outs);
  if (!set->outs)
    return NHI_ERR_NOMEM;
  for (size_t s = 1; s < t->n; s++) {
    set->out_first[s] = (uint32_t)pos;
    for (int32_t f = (int32_t)s; f; f = t->fail[f])
      for (size_t k = 0; k < t->nkws; k++)
        if (t->ends[k] == f)
          set->outs[pos++] = t->kws[k];
    set->out_count[s] = (uint16_t)(pos - set->out_first[s]);
  }
  set->nouts = pos;
  return NHI_OK;
}

static enum nhi_rc flatten_delta(struct nhi_scan_rules *set,
                                 const struct trie *t)
{
  set->delta = malloc(t->n * 256 * sizeof *set->delta);
  if (!set->delta)
    return NHI_ERR_NOMEM;
  for (size_t s = 0; s < t->n; s++)
    for (int c = 0; c < 256; c++)
      set->delta[s * 256 + c] =
        (uint16_t)t->goto_[s * 256 + fold((unsigned char)c)];
  set->nstates = t->n;
  return NHI_OK;
}

enum nhi_rc nhi_scan_build_automaton(struct nhi_scan_rules *set,
                                     const char *name)
{
  struct trie t;
  size_t nkws;
  enum nhi_rc rc;

  memset(&t, 0, sizeof t);
  free(set->delta);
  free(set->out_first);
  free(set->out_count);
  free(set->outs);
  set->delta = NULL;
  set->out_first = NULL;
  set->outs = NULL;
  set->out_count = NULL;
  if (total_keyword_bytes(set, &nkws) > MAX_STATES) {
    nhi_error("cannot read rules '%s': the keywords need more than %d "
              "automaton states", name, MAX_STATES);
    return NHI_ERR_INPUT;
  }
  rc = trie_build(set, &t);
  if (!rc)
    rc = trie_complete(&t);
  if (!rc)
    rc = flatten_outputs(set, &t);
  if (!rc)
    rc = flatten_delta(set, &t);
  trie_free(&t);
  return rc;
}
