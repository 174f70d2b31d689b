/* A small, strict XML reader for API responses: a recursive descent
 * over elements, attributes, text, CDATA, comments and processing
 * instructions, with the five predefined and numeric entities. */
#include "xml.h"
#include "json.h"
#include "strutil.h"

#include <stdlib.h>
#include <string.h>

struct parser {
  const char *text;
  size_t len, pos;
  const char *what;    /* why parsing stopped, or NULL */
  int nomem;
};

/* A growable string. */
struct buf {
  char *s;
  size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
  size_t cap;
  char *grown;

  if (b->len + n + 1 > b->cap) {
    for (cap = b->cap ? b->cap : 32; cap < b->len + n + 1; cap *= 2)
      ;
    grown = realloc(b->s, cap);
    if (!grown)
      return 0;
    b->s = grown;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
  return 1;
}

/* Records the first failure; returns 0 so callers can return it. */
static int fail(struct parser *p, const char *what)
{
  if (!p->what)
    p->what = what;
  return 0;
}

static int oom(struct parser *p)
{
  p->nomem = 1;
  return fail(p, "out of memory");
}

static int at(const struct parser *p, const char *s)
{
  size_t n = strlen(s);

  return p->len - p->pos >= n && memcmp(p->text + p->pos, s, n) == 0;
}

static int is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void skip_space(struct parser *p)
{
  while (p->pos < p->len && is_space(p->text[p->pos]))
    p->pos++;
}

/* Moves past the next occurrence of end; fails when there is none. */
static int skip_past(struct parser *p, const char *end, const char *what)
{
  size_t n = strlen(end);

  for (; p->pos + n <= p->len; p->pos++)
    if (memcmp(p->text + p->pos, end, n) == 0) {
      p->pos += n;
      return 1;
    }
  p->pos = p->len;
  return fail(p, what);
}

static int name_char(unsigned char c, int first)
{
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
      c == ':' || c >= 0x80)
    return 1;
  return !first && ((c >= '0' && c <= '9') || c == '-' || c == '.');
}

static char *read_name(struct parser *p)
{
  size_t start = p->pos;
  char *name;

  while (p->pos < p->len &&
         name_char((unsigned char)p->text[p->pos], p->pos == start))
    p->pos++;
  if (p->pos == start) {
    fail(p, "expected a name");
    return NULL;
  }
  name = strndup(p->text + start, p->pos - start);
  if (!name)
    oom(p);
  return name;
}

static size_t put_utf8(unsigned long cp, char *out)
{
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | cp >> 6);
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | cp >> 12);
    out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | cp >> 18);
  out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
  out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* "#123" or "#x1F" (without & and ;) as a code point; 0 if invalid. */
static unsigned long char_ref(const char *s, size_t n)
{
  unsigned long cp = 0;
  int base = 10;
  size_t i = 1;

  if (n > 1 && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    i = 2;
  }
  if (i >= n || n - i > 8)
    return 0;
  for (; i < n; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9' ? c - '0'
          : base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10
          : base == 16 && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

    if (d < 0)
      return 0;
    cp = cp * (unsigned long)base + (unsigned long)d;
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return cp;
}

/* Decodes the entity at p->pos ('&') into b. */
static int read_entity(struct parser *p, struct buf *b)
{
  static const struct { const char *name, *text; } named[] = {
    { "lt", "<" }, { "gt", ">" }, { "amp", "&" }, { "quot", "\"" },
    { "apos", "'" },
  };
  const char *s = p->text + p->pos + 1;
  const char *semi = memchr(s, ';', p->len - p->pos - 1 < 12
                                    ? p->len - p->pos - 1 : 12);
  size_t n = semi ? (size_t)(semi - s) : 0;
  char utf8[4];
  unsigned long cp;

  if (!semi || n == 0)
    return fail(p, "a '&' that starts no entity");
  p->pos += n + 2;
  for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
    if (strlen(named[i].name) == n && memcmp(named[i].name, s, n) == 0)
      return buf_add(b, named[i].text, 1) || oom(p);
  cp = s[0] == '#' ? char_ref(s, n) : 0;
  if (cp == 0) {
    p->pos -= n + 2;
    return fail(p, "an unknown entity");
  }
  return buf_add(b, utf8, put_utf8(cp, utf8)) || oom(p);
}

/* Text up to the next '<' (or up to quote inside an attribute). */
static int read_text(struct parser *p, struct buf *b, char quote)
{
  while (p->pos < p->len && p->text[p->pos] != (quote ? quote : '<')) {
    size_t start = p->pos;

    if (p->text[p->pos] == '&') {
      if (!read_entity(p, b))
        return 0;
      continue;
    }
    if (quote && p->text[p->pos] == '<')
      return fail(p, "a '<' inside an attribute value");
    while (p->pos < p->len && p->text[p->pos] != '&' &&
           p->text[p->pos] != (quote ? quote : '<') &&
           !(quote && p->text[p->pos] == '<'))
      p->pos++;
    if (!buf_add(b, p->text + start, p->pos - start))
      return oom(p);
  }
  return 1;
}

static int read_attr(struct parser *p, struct nhi_xml_node *n)
{
  struct nhi_xml_attr *grown;
  struct buf value = { 0 };
  char *name = read_name(p), quote;

  if (!name)
    return 0;
  skip_space(p);
  if (p->pos >= p->len || p->text[p->pos] != '=') {
    free(name);
    return fail(p, "expected '=' after an attribute name");
  }
  p->pos++;
  skip_space(p);
  quote = p->pos < p->len ? p->text[p->pos] : '\0';
  if (quote != '"' && quote != '\'') {
    free(name);
    return fail(p, "expected a quoted attribute value");
  }
  p->pos++;
  if (read_text(p, &value, quote) && p->pos >= p->len)
    fail(p, "an attribute value that never ends");
  if (!p->what && !value.s && !(value.s = strdup("")))
    oom(p);
  if (p->what) {
    free(name);
    free(value.s);
    return 0;
  }
  p->pos++;
  grown = realloc(n->attrs, (n->nattrs + 1) * sizeof *grown);
  if (!grown) {
    free(name);
    free(value.s);
    return oom(p);
  }
  n->attrs = grown;
  n->attrs[n->nattrs].name = name;
  n->attrs[n->nattrs++].value = value.s;
  return 1;
}

/* Reads attributes up to '>' or '/>'; *empty is set for '/>'. */
static int read_attrs(struct parser *p, struct nhi_xml_node *n, int *empty)
{
  for (;;) {
    size_t before = p->pos;

    skip_space(p);
    if (at(p, "/>")) {
      p->pos += 2;
      *empty = 1;
      return 1;
    }
    if (at(p, ">")) {
      p->pos++;
      return 1;
    }
    if (p->pos == before || p->pos >= p->len)
      return fail(p, "expected '>', '/>' or an attribute");
    if (!read_attr(p, n))
      return 0;
  }
}

static int read_element(struct parser *p, struct nhi_xml_node *n,
                        int depth);

static int read_child(struct parser *p, struct nhi_xml_node **tail,
                      int depth)
{
  struct nhi_xml_node *c = calloc(1, sizeof *c);

  if (!c)
    return oom(p);
  *tail = c;
  return read_element(p, c, depth + 1);
}

static int read_end_tag(struct parser *p, const struct nhi_xml_node *n)
{
  size_t len = strlen(n->name);

  p->pos += 2;
  if (p->len - p->pos < len || memcmp(p->text + p->pos, n->name, len) ||
      (p->pos + len < p->len &&
       name_char((unsigned char)p->text[p->pos + len], 0)))
    return fail(p, "an end tag that does not match its start tag");
  p->pos += len;
  skip_space(p);
  if (!at(p, ">"))
    return fail(p, "expected '>'");
  p->pos++;
  return 1;
}

/* Markup inside an element other than a child or the end tag. */
static int read_markup(struct parser *p, struct buf *text)
{
  size_t start;

  if (at(p, "<!--"))
    return skip_past(p, "-->", "a comment that never ends");
  if (at(p, "<?"))
    return skip_past(p, "?>", "a processing instruction that never ends");
  if (!at(p, "<![CDATA["))
    return fail(p, "unexpected markup (DTDs are not accepted)");
  p->pos += 9;
  start = p->pos;
  if (!skip_past(p, "]]>", "a CDATA section that never ends"))
    return 0;
  return buf_add(text, p->text + start, p->pos - 3 - start) || oom(p);
}

static int read_content(struct parser *p, struct nhi_xml_node *n,
                        struct buf *text, int depth)
{
  struct nhi_xml_node **tail = &n->children;

  for (;;) {
    if (p->pos >= p->len)
      return fail(p, "an element that never ends");
    if (p->text[p->pos] != '<') {
      if (!read_text(p, text, '\0'))
        return 0;
    } else if (at(p, "</")) {
      return read_end_tag(p, n);
    } else if (at(p, "<!") || at(p, "<?")) {
      if (!read_markup(p, text))
        return 0;
    } else {
      if (!read_child(p, tail, depth))
        return 0;
      tail = &(*tail)->next;
    }
  }
}

static int read_element(struct parser *p, struct nhi_xml_node *n, int depth)
{
  struct buf text = { 0 };
  int empty = 0, ok;

  if (depth > NHI_XML_MAX_DEPTH)
    return fail(p, "elements nested too deeply");
  if (!at(p, "<"))
    return fail(p, "expected '<'");
  p->pos++;
  n->name = read_name(p);
  if (!n->name || !read_attrs(p, n, &empty))
    return 0;
  ok = empty || read_content(p, n, &text, depth);
  if (!text.s)
    text.s = strdup("");
  n->text = text.s;
  n->text_len = text.len;
  return ok && (n->text || oom(p));
}

/* Skips what may surround the root: space, comments, the XML
 * declaration and other processing instructions. */
static int skip_misc(struct parser *p)
{
  for (;;) {
    skip_space(p);
    if (at(p, "<?")) {
      if (!skip_past(p, "?>", "a processing instruction that never ends"))
        return 0;
    } else if (at(p, "<!--")) {
      if (!skip_past(p, "-->", "a comment that never ends"))
        return 0;
    } else if (at(p, "<!")) {
      return fail(p, "a DOCTYPE (DTDs are not accepted)");
    } else {
      return 1;
    }
  }
}

enum nhi_rc nhi_xml_parse(const char *text, size_t len,
                          struct nhi_xml_node **root, char **err)
{
  struct parser p = { text, len, 0, NULL, 0 };
  struct nhi_xml_node *n = calloc(1, sizeof *n);
  size_t line, col;
  int ok;

  *root = NULL;
  *err = NULL;
  if (!n)
    return NHI_ERR_NOMEM;
  if (at(&p, "\xEF\xBB\xBF"))
    p.pos = 3;
  ok = skip_misc(&p) &&
       (p.pos < len || fail(&p, "no element")) &&
       read_element(&p, n, 1) && skip_misc(&p) &&
       (p.pos == len || fail(&p, "text after the root element"));
  if (ok) {
    *root = n;
    return NHI_OK;
  }
  nhi_xml_free(n);
  if (p.nomem)
    return NHI_ERR_NOMEM;
  nhi_text_position(text, p.pos, &line, &col);
  *err = nhi_aprintf("line %zu, column %zu: %s", line, col, p.what);
  return *err ? NHI_ERR_INPUT : NHI_ERR_NOMEM;
}

void nhi_xml_free(struct nhi_xml_node *n)
{
  while (n) {
    struct nhi_xml_node *next = n->next;

    nhi_xml_free(n->children);
    for (size_t i = 0; i < n->nattrs; i++) {
      free(n->attrs[i].name);
      free(n->attrs[i].value);
    }
    free(n->attrs);
    free(n->name);
    free(n->text);
    free(n);
    n = next;
  }
}

const struct nhi_xml_node *nhi_xml_child(const struct nhi_xml_node *n,
                                         const char *name)
{
  for (const struct nhi_xml_node *c = n ? n->children : NULL; c;
       c = c->next)
    if (strcmp(c->name, name) == 0)
      return c;
  return NULL;
}

const char *nhi_xml_text_at(const struct nhi_xml_node *n, const char *path)
{
  while (n && *path) {
    size_t len = strcspn(path, "/");
    const struct nhi_xml_node *c;

    for (c = n->children; c; c = c->next)
      if (strlen(c->name) == len && memcmp(c->name, path, len) == 0)
        break;
    n = c;
    path += len + (path[len] == '/');
  }
  return n ? n->text : NULL;
}
