/* Reading a large JSON log one record at a time, without loading it: a
 * byte-level scanner over zlib's reader that tracks strings, escapes and
 * nesting, and copies out one record object at a time. */
#include "json_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Where the scanner is, outside the record being copied. */
enum top {
  TOP_BETWEEN,  /* between top-level values */
  TOP_PROBE,    /* in a top-level object whose first key is not read */
  TOP_WRAPPER,  /* after a first key "Records": its array comes next */
  TOP_LIST,     /* in an array of records */
  TOP_SINGLE,   /* in a top-level object that is itself a record */
  TOP_SKIP      /* in a wrapper object, after its Records array */
};

struct nhi_json_stream {
  gzFile gz;
  char *path;
  unsigned char *buf;           /* one decompressed chunk */
  size_t chunk, len, pos;
  unsigned long long base;      /* offset of buf[0] in the text */
  char *rec;                    /* the record being copied */
  size_t rec_len, rec_cap;
  unsigned long long rec_start;
  size_t count;                 /* records returned so far */
  enum top top;
  int list_depth;               /* nesting of the array records sit in */
  int depth;                    /* containers open */
  int in_string, escaped;
  int collecting;               /* bytes go to rec */
  int want_comma, after_comma;  /* in TOP_LIST */
  int ended;
};

static unsigned long long here(const struct nhi_json_stream *js)
{
  return js->base + js->pos;
}

static enum nhi_rc fail_at(const struct nhi_json_stream *js,
                           const char *what)
{
  if (js->collecting)
    nhi_error("cannot read '%s': record %zu at byte %llu: %s", js->path,
              js->count + 1, js->rec_start, what);
  else
    nhi_error("cannot read '%s': byte %llu: %s", js->path, here(js), what);
  return NHI_ERR_INPUT;
}

static enum nhi_rc oom(const struct nhi_json_stream *js)
{
  nhi_error("cannot read '%s': out of memory", js->path);
  return NHI_ERR_NOMEM;
}

enum nhi_rc nhi_json_stream_open(const char *path, size_t chunk,
                                 struct nhi_json_stream **out)
{
  struct nhi_json_stream *js = calloc(1, sizeof *js);

  *out = NULL;
  if (!js)
    goto nomem;
  js->chunk = chunk ? chunk : NHI_JSON_STREAM_CHUNK;
  js->path = strdup(path);
  js->buf = malloc(js->chunk);
  if (!js->path || !js->buf)
    goto nomem;
  js->gz = gzopen(path, "rb");
  if (!js->gz) {
    nhi_error("cannot read '%s': cannot open it", path);
    nhi_json_stream_close(js);
    return NHI_ERR_INPUT;
  }
  gzbuffer(js->gz, 131072);
  *out = js;
  return NHI_OK;
nomem:
  nhi_error("cannot read '%s': out of memory", path);
  nhi_json_stream_close(js);
  return NHI_ERR_NOMEM;
}

void nhi_json_stream_close(struct nhi_json_stream *js)
{
  if (!js)
    return;
  if (js->gz)
    gzclose(js->gz);
  free(js->path);
  free(js->buf);
  free(js->rec);
  free(js);
}

/* Reads the next chunk; sets js->ended at a clean end of input. */
static enum nhi_rc refill(struct nhi_json_stream *js)
{
  int n = gzread(js->gz, js->buf, (unsigned)js->chunk);
  const char *msg;
  char what[160];
  int err = Z_OK;

  js->base += js->len;
  js->len = 0;
  js->pos = 0;
  if (n > 0) {
    js->len = (size_t)n;
    return NHI_OK;
  }
  msg = gzerror(js->gz, &err);
  if (n == 0 && (err == Z_OK || err == Z_STREAM_END)) {
    js->ended = 1;
    return NHI_OK;
  }
  if (err == Z_BUF_ERROR)
    snprintf(what, sizeof what, "the gzip data ends early: the file is "
             "truncated");
  else
    snprintf(what, sizeof what, "the gzip data is corrupt (%s)",
             msg ? msg : "read error");
  return fail_at(js, what);
}

static enum nhi_rc append(struct nhi_json_stream *js, const void *bytes,
                          size_t n)
{
  size_t cap;
  char *grown;

  if (js->rec_len + n + 1 > js->rec_cap) {
    if (js->rec_len + n + 1 > NHI_JSON_STREAM_MAX_RECORD)
      return fail_at(js, "the record is larger than 64 MiB");
    cap = js->rec_cap ? js->rec_cap : 4096;
    while (cap < js->rec_len + n + 1)
      cap *= 2;
    if (cap > NHI_JSON_STREAM_MAX_RECORD)
      cap = NHI_JSON_STREAM_MAX_RECORD;
    grown = realloc(js->rec, cap);
    if (!grown)
      return oom(js);
    js->rec = grown;
    js->rec_cap = cap;
  }
  memcpy(js->rec + js->rec_len, bytes, n);
  js->rec_len += n;
  js->rec[js->rec_len] = '\0';
  return NHI_OK;
}

/* Follows strings and nesting over c. Returns 1 when c closes a
 * container, -1 when c opens one too deep, else 0. */
static inline int track(struct nhi_json_stream *js, unsigned char c)
{
  if (js->in_string) {
    if (js->escaped)
      js->escaped = 0;
    else if (c == '\\')
      js->escaped = 1;
    else if (c == '"')
      js->in_string = 0;
    return 0;
  }
  if (c == '"') {
    js->in_string = 1;
  } else if (c == '{' || c == '[') {
    if (++js->depth > NHI_JSON_STREAM_MAX_DEPTH)
      return -1;
  } else if (c == '}' || c == ']') {
    js->depth--;
    return 1;
  }
  return 0;
}

static int is_space(unsigned char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Whether rec, a top-level object read up to its first ':', has the key
 * "Records" first. */
static int first_key_is_records(const struct nhi_json_stream *js)
{
  static const char key[] = "\"Records\"";
  size_t i = 1, end = js->rec_len;

  while (i < end && is_space((unsigned char)js->rec[i]))
    i++;
  while (end > i && is_space((unsigned char)js->rec[end - 1]))
    end--;
  return end - i == sizeof key - 1 &&
         memcmp(js->rec + i, key, sizeof key - 1) == 0;
}

/* At the ':' after the first key of a top-level object: a "Records" key
 * makes the object a wrapper, anything else a record of its own. */
static void probe_decide(struct nhi_json_stream *js)
{
  if (first_key_is_records(js)) {
    js->top = TOP_WRAPPER;
    js->collecting = 0;
    js->rec_len = 0;
  } else {
    js->top = TOP_SINGLE;
  }
}

/* track() over the chunk from js->pos with the scanner's state held in
 * locals (the byte buffer may alias the state, so the compiler would
 * otherwise reload and store it for every byte): the hot loop of a
 * CloudTrail import. Stops after the byte that brings the nesting back
 * to close_at (*done), at a container opened too deep (*deep, the
 * index of its byte returned), or at the end of the chunk. */
static size_t scan(struct nhi_json_stream *js, int close_at, int *done,
                   int *deep)
{
  const unsigned char *b = js->buf;
  size_t i = js->pos, len = js->len;
  int in_string = js->in_string, escaped = js->escaped, depth = js->depth;
  unsigned char c;

  while (i < len) {
    /* Inside a string only a quote or a backslash matters: the bytes
     * before the next one are skipped at once. */
    if (in_string && !escaped)
      while (i < len && b[i] != '"' && b[i] != '\\')
        i++;
    if (i == len)
      break;
    c = b[i++];
    if (in_string) {
      if (escaped)
        escaped = 0;
      else if (c == '\\')
        escaped = 1;
      else if (c == '"')
        in_string = 0;
    } else if (c == '"') {
      in_string = 1;
    } else if (c == '{' || c == '[') {
      if (++depth > NHI_JSON_STREAM_MAX_DEPTH) {
        *deep = 1;
        i--;
        break;
      }
    } else if ((c == '}' || c == ']') && --depth == close_at) {
      *done = 1;
      break;
    }
  }
  js->in_string = in_string;
  js->escaped = escaped;
  js->depth = depth;
  return i;
}

/* Copies record bytes from the chunk until the record closes (*done) or
 * the chunk ends. */
static enum nhi_rc collect(struct nhi_json_stream *js, int *done)
{
  int close_at = js->top == TOP_LIST ? js->list_depth : 0, t, deep = 0;
  size_t start = js->pos, i;
  enum nhi_rc rc;

  *done = 0;
  if (js->top != TOP_PROBE) {
    i = scan(js, close_at, done, &deep);
    js->pos = i;
    if (deep)
      return fail_at(js, "nested more than 512 levels deep");
    return append(js, js->buf + start, i - start);
  }
  for (i = js->pos; i < js->len && !*done; i++) {
    t = track(js, js->buf[i]);
    if (t < 0) {
      js->pos = i;
      return fail_at(js, "nested more than 512 levels deep");
    }
    if (t > 0 && js->depth == close_at)
      *done = 1;
    if (js->top == TOP_PROBE && !js->in_string && js->depth == 1 &&
        js->buf[i] == ':') {
      rc = append(js, js->buf + start, i - start);
      if (rc)
        return rc;
      start = i;
      probe_decide(js);
      if (!js->collecting) {
        js->pos = i + 1;
        return NHI_OK;
      }
    }
  }
  js->pos = i;
  return append(js, js->buf + start, i - start);
}

/* Skips the rest of a wrapper object, after its Records array. */
static enum nhi_rc skip_rest(struct nhi_json_stream *js)
{
  while (js->pos < js->len) {
    if (track(js, js->buf[js->pos++]) < 0)
      return fail_at(js, "nested more than 512 levels deep");
    if (js->depth == 0) {
      js->top = TOP_BETWEEN;
      return NHI_OK;
    }
  }
  return NHI_OK;
}

static enum nhi_rc unexpected(struct nhi_json_stream *js, const char *want,
                              unsigned char c)
{
  char what[128];

  if (c >= ' ' && c < 0x7f)
    snprintf(what, sizeof what, "expected %s, found '%c'", want, c);
  else
    snprintf(what, sizeof what, "expected %s, found byte 0x%02x", want, c);
  return fail_at(js, what);
}

/* Starts copying a record at the '{' under js->pos. */
static enum nhi_rc start_record(struct nhi_json_stream *js, enum top top)
{
  js->top = top;
  js->collecting = 1;
  js->rec_len = 0;
  js->rec_start = here(js);
  js->depth++;
  js->pos++;
  return append(js, "{", 1);
}

/* One byte of an array of records, outside any record. */
static enum nhi_rc in_list(struct nhi_json_stream *js, unsigned char c)
{
  if (c == ',' && js->want_comma) {
    js->want_comma = 0;
    js->after_comma = 1;
  } else if (c == ']' && !js->after_comma) {
    js->depth--;
    js->top = js->list_depth > 1 ? TOP_SKIP : TOP_BETWEEN;
  } else if (c == '{' && !js->want_comma) {
    js->after_comma = 0;
    return start_record(js, TOP_LIST);
  } else {
    return unexpected(js, js->want_comma ? "',' or ']' after a record" :
                      "a record object", c);
  }
  js->pos++;
  return NHI_OK;
}

static void open_list(struct nhi_json_stream *js, int depth)
{
  js->top = TOP_LIST;
  js->list_depth = depth;
  js->depth = depth;
  js->want_comma = 0;
  js->after_comma = 0;
  js->pos++;
}

/* One byte outside any record. */
static enum nhi_rc structure(struct nhi_json_stream *js)
{
  unsigned char c = js->buf[js->pos];

  if (js->top == TOP_SKIP)
    return skip_rest(js);
  if (is_space(c) || (here(js) < 3 && (c == 0xEF || c == 0xBB ||
                                       c == 0xBF))) {
    js->pos++;
    return NHI_OK;
  }
  switch (js->top) {
  case TOP_BETWEEN:
    if (c == '[') {
      open_list(js, 1);
      return NHI_OK;
    }
    if (c == '{')
      return start_record(js, TOP_PROBE);
    return unexpected(js, "'{' or '['", c);
  case TOP_WRAPPER:
    if (c != '[')
      return unexpected(js, "an array after \"Records\":", c);
    open_list(js, 2);
    return NHI_OK;
  default:
    return in_list(js, c);
  }
}

/* The input ended: fine between top-level values, else truncated. */
static enum nhi_rc finish(struct nhi_json_stream *js)
{
  if (js->collecting)
    return fail_at(js, "the input ends inside the record: the file is "
                   "truncated");
  if (js->top != TOP_BETWEEN)
    return fail_at(js, "the input ends before the array of records "
                   "closes: the file is truncated");
  return NHI_OK;
}

static void hand_out(struct nhi_json_stream *js,
                     struct nhi_json_record *rec)
{
  rec->text = js->rec;
  rec->len = js->rec_len;
  rec->index = js->count++;
  rec->offset = js->rec_start;
  js->collecting = 0;
  if (js->top == TOP_LIST)
    js->want_comma = 1;
  else
    js->top = TOP_BETWEEN;
}

enum nhi_rc nhi_json_stream_next(struct nhi_json_stream *js,
                                 struct nhi_json_record *rec)
{
  enum nhi_rc rc = NHI_OK;
  int done = 0;

  memset(rec, 0, sizeof *rec);
  while (!rc && !done) {
    if (js->pos == js->len) {
      rc = js->ended ? NHI_OK : refill(js);
      if (!rc && js->ended)
        return finish(js);
    } else if (js->collecting) {
      rc = collect(js, &done);
    } else {
      rc = structure(js);
    }
  }
  if (done)
    hand_out(js, rec);
  return rc;
}
