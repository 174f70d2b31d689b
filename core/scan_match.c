/* Scanning one buffer: the keyword prefilter over every byte, a rule's
 * matcher only where one of its keywords is, then the filters (entropy,
 * placeholders, validators) and what hits say about each other. */
#include "scan_int.h"

#include <stdlib.h>
#include <string.h>

/* How far before a keyword a generic match overlapping another may
 * start (rules reach back at most 4096 bytes; generic ones far less). */
#define LOOK_BACK 256
/* Lines within which an AWS key id and secret key are one credential. */
#define PAIR_LINES 5

struct scan {
  const struct nhi_scan_rules *set;
  const char *buf;
  size_t len;
  pcre2_match_data *md;
  size_t *done_to;            /* per rule: a keyword before this is inside
                                 a match already taken */
  struct scan_raw *raws;
  size_t nraw, cap;
};

static int is_alnum(unsigned char c)
{
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

static void raws_free(struct scan *sc)
{
  for (size_t i = 0; i < sc->nraw; i++)
    cJSON_Delete(sc->raws[i].attrs);
  free(sc->raws);
}

/* A placeholder or documented example: the secret, or the part of it
 * after a token's prefix (body). */
static int placeholder(const struct scan *sc, const struct scan_raw *raw,
                       size_t off, size_t len, size_t body)
{
  if (nhi_scan_is_placeholder(sc->set, sc->buf + raw->off, raw->len))
    return 1;
  return raw->off == off && body > off && body < off + len &&
         nhi_scan_is_placeholder(sc->set, sc->buf + body, off + len - body);
}

/* The filters every match passes; adds it as a raw match when it is a
 * secret. body is the part after a token's prefix (or the secret). */
static enum nhi_rc consider(struct scan *sc, uint32_t rule, size_t off,
                            size_t len, size_t body, size_t at)
{
  const struct scan_rule *r = &sc->set->rules[rule];
  struct scan_raw raw;

  if (!len)
    return NHI_OK;
  memset(&raw, 0, sizeof raw);
  raw.rule = rule;
  raw.off = off;
  raw.len = len;
  raw.at = at < off ? at : off;
  raw.attrs = cJSON_CreateObject();
  if (!raw.attrs)
    return NHI_ERR_NOMEM;
  raw.validated = nhi_scan_validate(r, sc->buf, sc->len, &raw);
  if (raw.off < off || raw.off >= off + len)
    raw.at = raw.off;      /* the validator named another span */
  if (raw.validated == 0 && r->require_valid) {
    raw.dropped = raw.refused = 1;
  } else if ((r->entropy > 0 && nhi_scan_entropy(sc->buf + raw.off,
                                                 raw.len) < r->entropy) ||
             placeholder(sc, &raw, off, len, body)) {
    cJSON_Delete(raw.attrs);
    return NHI_OK;
  }
  if (!raw.cover_end) {
    raw.cover_start = raw.off;
    raw.cover_end = raw.off + raw.len;
  }
  if (sc->nraw == sc->cap) {
    size_t cap = sc->cap ? sc->cap * 2 : 16;
    struct scan_raw *grown = realloc(sc->raws, cap * sizeof *grown);

    if (!grown) {
      cJSON_Delete(raw.attrs);
      return NHI_ERR_NOMEM;
    }
    sc->raws = grown;
    sc->cap = cap;
  }
  sc->raws[sc->nraw++] = raw;
  return NHI_OK;
}

/* A prefix and a run of the rule's charset, min..max long, standing
 * alone (no letter or digit just before the prefix, none of the charset
 * just after the run). */
static enum nhi_rc match_token(struct scan *sc, uint32_t rule,
                               const char *kw, size_t start, size_t kwlen)
{
  const struct scan_rule *r = &sc->set->rules[rule];
  size_t p = start + kwlen, n = 0;

  if (memcmp(sc->buf + start, kw, kwlen) ||
      (start > 0 && is_alnum((unsigned char)sc->buf[start - 1])))
    return NHI_OK;
  while (p + n < sc->len && n <= (size_t)r->max &&
         r->charset[(unsigned char)sc->buf[p + n]])
    n++;
  if (n < (size_t)r->min || n > (size_t)r->max)
    return NHI_OK;
  sc->done_to[rule] = p + n;
  return consider(sc, rule, start, kwlen + n, p, start);
}

/* The window a pattern runs over: from the rule's reach before the
 * keyword (not past the line's start) to its reach after, cut at the
 * line's end unless the rule is multiline. */
static void window(const struct scan *sc, const struct scan_rule *r,
                   size_t start, size_t *ws, size_t *we)
{
  size_t lo = start > r->before ? start - r->before : 0, hi;
  const char *nl;

  *ws = start;
  while (*ws > lo && sc->buf[*ws - 1] != '\n')
    (*ws)--;
  hi = sc->len - start > r->window ? start + r->window : sc->len;
  if (!r->multiline) {
    nl = memchr(sc->buf + start, '\n', hi - start);
    if (nl)
      hi = (size_t)(nl - sc->buf);
  }
  *we = hi;
}

/* A match may start this many bytes before its keyword and still be
 * tried anchored at each start; further back, the window is searched. */
#define ANCHORED_TRIES 8

/* A match starting at most r->before bytes before the keyword at start:
 * tried anchored at each start, so a failure costs no search of the
 * line. Returns the number of groups set, 0 for none. */
static int match_anchored(struct scan *sc, const struct scan_rule *r,
                          size_t ws, size_t we, size_t start, size_t kwlen)
{
  size_t at = start - ws > r->before ? start - r->before : ws;
  const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);

  for (; at <= start; at++) {
    int n = pcre2_match(r->re_anchored, (PCRE2_SPTR)sc->buf, we, at, 0,
                        sc->md, NULL);

    if (n > 0 && ov[1] >= start + kwlen)
      return n;
  }
  return 0;
}

/* The first match in the window that holds the keyword at start. */
static int match_search(struct scan *sc, const struct scan_rule *r,
                        size_t ws, size_t we, size_t start, size_t kwlen)
{
  const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);

  for (size_t at = ws; at <= we; ) {
    int n = pcre2_match(r->re, (PCRE2_SPTR)sc->buf, we, at, 0, sc->md,
                        NULL);

    if (n <= 0 || ov[0] > start)
      return 0;
    if (ov[1] >= start + kwlen)
      return n;
    at = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
  }
  return 0;
}

/* The rule's pattern where its keyword is. */
static enum nhi_rc match_pattern(struct scan *sc, uint32_t rule,
                                 size_t start, size_t kwlen)
{
  const struct scan_rule *r = &sc->set->rules[rule];
  const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);
  size_t ws, we;
  int n;

  window(sc, r, start, &ws, &we);
  n = r->before <= ANCHORED_TRIES
      ? match_anchored(sc, r, ws, we, start, kwlen)
      : match_search(sc, r, ws, we, start, kwlen);
  if (n <= 0 || (int)r->group >= n || ov[2 * r->group] == PCRE2_UNSET)
    return NHI_OK;
  sc->done_to[rule] = ov[1];
  return consider(sc, rule, ov[2 * r->group],
                  ov[2 * r->group + 1] - ov[2 * r->group],
                  ov[2 * r->group], r->multiline ? ov[0] : ov[2 * r->group]);
}

/* The first keyword of the sorted table whose pair is pair. */
static size_t first_of_pair(const struct nhi_scan_rules *set, uint16_t pair)
{
  size_t a = 0, b = set->nkws;

  while (a < b) {
    size_t m = a + (b - a) / 2;

    if (set->kws[m].pair < pair)
      a = m + 1;
    else
      b = m;
  }
  return a;
}

/* Every keyword that starts at start (its first two bytes are pair). */
static enum nhi_rc on_keywords(struct scan *sc, uint16_t pair, size_t start)
{
  const struct nhi_scan_rules *set = sc->set;
  enum nhi_rc rc = NHI_OK;

  for (size_t i = first_of_pair(set, pair);
       i < set->nkws && set->kws[i].pair == pair && !rc; i++) {
    const struct scan_kw *k = &set->kws[i];
    const struct scan_rule *r = &set->rules[k->rule];
    size_t n = 2;

    if (start < sc->done_to[k->rule] || sc->len - start < k->len)
      continue;
    while (n < k->len && nhi_scan_fold[(unsigned char)sc->buf[start + n]]
                         == (unsigned char)k->folded[n])
      n++;
    if (n < k->len)
      continue;
    rc = r->is_token ? match_token(sc, k->rule, r->keywords[k->kw], start,
                                   k->len)
                     : match_pattern(sc, k->rule, start, k->len);
  }
  return rc;
}

/* The one pass: each pair of bytes against the table of keyword
 * starts. */
static enum nhi_rc run_prefilter(struct scan *sc)
{
  const struct nhi_scan_rules *set = sc->set;
  const uint64_t *pairs = set->pairs;
  const unsigned char *b = (const unsigned char *)sc->buf;
  const unsigned char *fold = nhi_scan_fold;
  enum nhi_rc rc;

  unsigned next = sc->len ? fold[b[0]] : 0;

  for (size_t i = 0; i + 1 < sc->len; i++) {
    unsigned p = next << 8, q;

    next = fold[b[i + 1]];
    p |= next;
    if (!(pairs[p >> 6] >> (p & 63) & 1))
      continue;
    q = i + 3 < sc->len ? nhi_scan_quad((uint32_t)p << 16 |
                                        (uint32_t)fold[b[i + 2]] << 8 |
                                        fold[b[i + 3]]) : 0;
    if (!(set->short_pairs[p >> 6] >> (p & 63) & 1) &&
        (i + 3 >= sc->len || !(set->quads[q >> 6] >> (q & 63) & 1)))
      continue;
    rc = on_keywords(sc, (uint16_t)p, i);
    if (rc)
      return rc;
  }
  return NHI_OK;
}

static int by_line_start(const void *a, const void *b)
{
  const struct scan_raw *x = a, *y = b;

  return x->at < y->at ? -1 : x->at > y->at;
}

static int by_offset(const void *a, const void *b)
{
  const struct scan_raw *x = a, *y = b;

  if (x->off != y->off)
    return x->off < y->off ? -1 : 1;
  return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static long count_lines(const char *buf, size_t end)
{
  const char *p = buf, *e = buf + end;
  long n = 0;

  while (p < e && (p = memchr(p, '\n', (size_t)(e - p)))) {
    n++;
    p++;
  }
  return n;
}

/* Each match's line, counted in one pass from where it starts. */
static void number_lines(struct scan *sc)
{
  size_t pos = 0;
  long line = 1;

  if (sc->nraw < 2) {
    if (sc->nraw)
      sc->raws[0].line = 1 + count_lines(sc->buf, sc->raws[0].at);
    return;
  }
  qsort(sc->raws, sc->nraw, sizeof *sc->raws, by_line_start);

  for (size_t i = 0; i < sc->nraw; i++) {
    if (sc->raws[i].dropped)
      continue;
    line += count_lines(sc->buf + pos, sc->raws[i].at - pos);
    pos = sc->raws[i].at;
    sc->raws[i].line = line;
  }
  qsort(sc->raws, sc->nraw, sizeof *sc->raws, by_offset);
}

/* The first raw match that may reach from before lo into a span
 * starting at lo (matches are at most LOOK_BACK before it). */
static size_t first_near(const struct scan *sc, size_t lo)
{
  size_t a = 0, b = sc->nraw;

  lo = lo > LOOK_BACK ? lo - LOOK_BACK : 0;
  while (a < b) {
    size_t m = a + (b - a) / 2;

    if (sc->raws[m].off < lo)
      a = m + 1;
    else
      b = m;
  }
  return a;
}

/* A match of another rule inside a's cover yields to a; so does a
 * generic match overlapping a specific one. */
static void drop_covered(struct scan *sc)
{
  for (size_t i = 0; i < sc->nraw; i++) {
    struct scan_raw *a = &sc->raws[i];
    int a_generic = sc->set->rules[a->rule].generic;

    if ((a->dropped && !a->refused) || a_generic)
      continue;
    for (size_t j = first_near(sc, a->cover_start); j < sc->nraw; j++) {
      struct scan_raw *b = &sc->raws[j];
      int inside = b->off >= a->cover_start &&
                   b->off + b->len <= a->cover_end;
      int overlap = b->off < a->off + a->len && a->off < b->off + b->len;

      if (b->off >= a->cover_end)
        break;
      if (j == i || b->rule == a->rule)
        continue;
      if ((inside && !a->refused) ||
          (overlap && sc->set->rules[b->rule].generic))
        b->dropped = 1;
    }
  }
}

static int is_type(const struct scan *sc, const struct scan_raw *r,
                   const char *type)
{
  return !r->dropped && !strcmp(sc->set->rules[r->rule].type, type);
}

/* Key ids and secret keys a few lines apart: each names the other. */
static void pair_aws(struct scan *sc, char (*fps)[NHI_FINGERPRINT_SIZE])
{
  for (size_t i = 0; i < sc->nraw; i++) {
    size_t best = sc->nraw;
    long dist = PAIR_LINES + 1;

    if (!is_type(sc, &sc->raws[i], "aws_secret_access_key"))
      continue;
    for (size_t j = 0; j < sc->nraw; j++) {
      long d = sc->raws[j].line - sc->raws[i].line;

      d = d < 0 ? -d : d;
      if (is_type(sc, &sc->raws[j], "aws_access_key_id") && d < dist) {
        dist = d;
        best = j;
      }
    }
    if (best == sc->nraw)
      continue;
    cJSON_AddStringToObject(sc->raws[i].attrs, "paired_with", fps[best]);
    if (!cJSON_GetObjectItemCaseSensitive(sc->raws[best].attrs,
                                          "paired_with"))
      cJSON_AddStringToObject(sc->raws[best].attrs, "paired_with", fps[i]);
  }
}

/* attrs.provider_hint: the key as its provider's admin API shows it. */
static int add_hint(const struct scan_rule *r, const char *v, size_t len,
                    cJSON *attrs)
{
  char hint[64];

  if (!nhi_scan_hint(r->hint, v, len, hint, sizeof hint))
    return 1;
  return cJSON_AddStringToObject(attrs, "provider_hint", hint) != NULL;
}

static enum nhi_rc add_hit(struct nhi_scan_hits *out, const struct scan *sc,
                           const struct scan_raw *raw, const char *fp)
{
  const struct scan_rule *r = &sc->set->rules[raw->rule];
  struct nhi_scan_hit *h;

  if (out->count == out->cap) {
    size_t cap = out->cap ? out->cap * 2 : 16;
    struct nhi_scan_hit *grown = realloc(out->items, cap * sizeof *grown);

    if (!grown)
      return NHI_ERR_NOMEM;
    out->items = grown;
    out->cap = cap;
  }
  h = &out->items[out->count];
  memset(h, 0, sizeof *h);
  h->rule = r->id;
  h->type = r->type;
  h->offset = raw->off;
  h->length = raw->len;
  h->line = raw->line;
  h->validated = raw->validated;
  h->generic = r->generic;
  memcpy(h->fingerprint, fp, NHI_FINGERPRINT_SIZE);
  nhi_secret_preview(sc->buf + raw->off, raw->len, h->preview);
  if (r->hint && !add_hint(r, sc->buf + raw->off, raw->len, raw->attrs))
    return NHI_ERR_NOMEM;
  if (cJSON_GetArraySize(raw->attrs) > 0) {
    h->attrs = cJSON_PrintUnformatted(raw->attrs);
    if (!h->attrs)
      return NHI_ERR_NOMEM;
  }
  out->count++;
  return NHI_OK;
}

static enum nhi_rc emit(struct scan *sc, struct nhi_scan_hits *out)
{
  char (*fps)[NHI_FINGERPRINT_SIZE] = calloc(sc->nraw + 1, sizeof *fps);
  enum nhi_rc rc = fps ? NHI_OK : NHI_ERR_NOMEM;

  for (size_t i = 0; i < sc->nraw && !rc; i++)
    if (!sc->raws[i].dropped)
      rc = nhi_secret_fingerprint(sc->buf + sc->raws[i].off,
                                  sc->raws[i].len, fps[i]);
  if (!rc)
    pair_aws(sc, fps);
  for (size_t i = 0; i < sc->nraw && !rc; i++)
    if (!sc->raws[i].dropped)
      rc = add_hit(out, sc, &sc->raws[i], fps[i]);
  free(fps);
  return rc;
}

enum nhi_rc nhi_scan_buffer(const struct nhi_scan_rules *set,
                            const char *buf, size_t len,
                            struct nhi_scan_hits *out)
{
  struct scan sc;
  enum nhi_rc rc = NHI_ERR_NOMEM;

  memset(&sc, 0, sizeof sc);
  sc.set = set;
  sc.buf = buf;
  sc.len = len;
  if (!set->count || !len)
    return NHI_OK;
  sc.md = pcre2_match_data_create(32, NULL);
  sc.done_to = calloc(set->count, sizeof *sc.done_to);
  if (!sc.md || !sc.done_to)
    goto out;
  rc = run_prefilter(&sc);
  if (rc)
    goto out;
  number_lines(&sc);
  drop_covered(&sc);
  rc = emit(&sc, out);
out:
  if (rc == NHI_ERR_NOMEM)
    nhi_error("scanning: out of memory");
  raws_free(&sc);
  free(sc.done_to);
  pcre2_match_data_free(sc.md);
  return rc;
}

void nhi_scan_hits_free(struct nhi_scan_hits *h)
{
  for (size_t i = 0; i < h->count; i++)
    free(h->items[i].attrs);
  free(h->items);
  memset(h, 0, sizeof *h);
}
