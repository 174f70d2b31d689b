/* Page, text, wrapping and table helpers over libharu for PDF reports. */
#include "pdf_layout.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Characters a line may break after, besides spaces: they split ARNs,
 * paths, dotted ids and hyphenated words at natural points. */
#define BREAK_AFTER "/:-,;."

#define ELLIPSIS "\xE2\x80\xA6"

/* libharu calls this on every error; the first one is kept. */
static void on_hpdf_error(HPDF_STATUS code, HPDF_STATUS detail, void *arg)
{
  struct nhi_pdf_fault *f = arg;

  if (!f->code) {
    f->code = code;
    f->detail = detail;
  }
}

static int is_file_fault(HPDF_STATUS code)
{
  return code == HPDF_FILE_OPEN_ERROR || code == HPDF_FILE_IO_ERROR;
}

/* Logs the recorded fault once; name (may be NULL) is what was being
 * worked on. */
static enum nhi_rc check_named(struct nhi_pdf *p, const char *doing,
                               const char *name)
{
  struct nhi_pdf_fault *f = &p->fault;
  int file = is_file_fault(f->code);

  if (!f->code)
    return NHI_OK;
  if (!f->logged)
    nhi_error("cannot write report '%s': libharu error 0x%04X "
              "(detail %u%s%s) while %s%s%s%s", p->path,
              (unsigned)f->code, (unsigned)f->detail, file ? ": " : "",
              file ? strerror((int)f->detail) : "", doing,
              name ? " '" : "", name ? name : "", name ? "'" : "");
  f->logged = 1;
  return file ? NHI_ERR_IO : NHI_ERR_INTERNAL;
}

enum nhi_rc nhi_pdf_check(struct nhi_pdf *p, const char *doing)
{
  return check_named(p, doing, NULL);
}

/* A libharu call returned nothing: report its fault, or an unknown one. */
static enum nhi_rc fail_named(struct nhi_pdf *p, const char *doing,
                              const char *name)
{
  if (!p->fault.code)
    p->fault.code = HPDF_INVALID_OBJECT;
  return check_named(p, doing, name);
}

static enum nhi_rc load_face(struct nhi_pdf *p, enum nhi_pdf_face face,
                             const char *path)
{
  const char *name;

  if (!path)
    return fail_named(p, "loading a font", "(none given)");
  name = HPDF_LoadTTFontFromFile(p->doc, path, HPDF_TRUE);
  if (name)
    p->faces[face] = HPDF_GetFont(p->doc, name, "UTF-8");
  if (!name || !p->faces[face])
    return fail_named(p, "loading font", path);
  return NHI_OK;
}

enum nhi_rc nhi_pdf_open(struct nhi_pdf *p, const struct nhi_pdf_style *st,
                         const char *font_path, const char *bold_path,
                         const char *path)
{
  enum nhi_rc rc;

  memset(p, 0, sizeof *p);
  p->style = *st;
  p->path = path;
  p->doc = HPDF_New(on_hpdf_error, &p->fault);
  if (!p->doc) {
    nhi_error("cannot write report '%s': out of memory", path);
    return NHI_ERR_NOMEM;
  }
  HPDF_SetCompressionMode(p->doc, HPDF_COMP_ALL);
  /* A PDF array holds at most HPDF_LIMIT_MAX_ARRAY items: pages hang
   * from a tree of nodes of NHI_PDF_PAGES_PER_NODE each, not from one
   * list, so that a report of more pages than that can be written. */
  HPDF_SetPagesConfiguration(p->doc, NHI_PDF_PAGES_PER_NODE);
  HPDF_UseUTFEncodings(p->doc);
  HPDF_SetCurrentEncoder(p->doc, "UTF-8");
  rc = check_named(p, "setting up UTF-8 text", NULL);
  if (!rc)
    rc = load_face(p, NHI_PDF_REGULAR, font_path);
  if (!rc)
    rc = load_face(p, NHI_PDF_BOLD, bold_path);
  if (!rc)
    rc = nhi_pdf_new_page(p);
  return rc;
}

enum nhi_rc nhi_pdf_save(struct nhi_pdf *p)
{
  enum nhi_rc rc = check_named(p, "drawing", NULL);

  if (rc)
    return rc;
  HPDF_SaveToFile(p->doc, p->path);
  rc = check_named(p, "saving", NULL);
  return rc == NHI_ERR_INTERNAL ? NHI_ERR_IO : rc;
}

void nhi_pdf_close(struct nhi_pdf *p)
{
  if (p->doc)
    HPDF_Free(p->doc);
  p->doc = NULL;
  p->page = NULL;
}

/* Keeps at least 40% of the page for content whatever the margins say. */
static void place_content_box(struct nhi_pdf *p)
{
  struct nhi_pdf_style *s = &p->style;

  if (s->margin_left < 0 || s->margin_right < 0 ||
      s->margin_left + s->margin_right > p->width * 0.6f)
    s->margin_left = s->margin_right = p->width * 0.1f;
  if (s->margin_top < 0 || s->margin_bottom < 0 ||
      s->margin_top + s->margin_bottom > p->height * 0.6f)
    s->margin_top = s->margin_bottom = p->height * 0.1f;
  p->left = s->margin_left;
  p->right = p->width - s->margin_right;
  p->top = p->height - s->margin_top;
  p->bottom = s->margin_bottom;
}

enum nhi_rc nhi_pdf_new_page(struct nhi_pdf *p)
{
  HPDF_Page page = HPDF_AddPage(p->doc);

  if (!page)
    return fail_named(p, "adding a page", NULL);
  HPDF_Page_SetSize(page, p->style.size, p->style.direction);
  p->page = page;
  p->width = HPDF_Page_GetWidth(page);
  p->height = HPDF_Page_GetHeight(page);
  place_content_box(p);
  p->y = p->top;
  p->pages++;
  return check_named(p, "adding a page", NULL);
}

enum nhi_rc nhi_pdf_need(struct nhi_pdf *p, float height)
{
  if (p->y - height >= p->bottom || p->y >= p->top)
    return NHI_OK;
  return nhi_pdf_new_page(p);
}

void nhi_pdf_gap(struct nhi_pdf *p, float height)
{
  p->y -= height;
  if (p->y < p->bottom)
    p->y = p->bottom;
}

float nhi_pdf_line_height(const struct nhi_pdf *p,
                          const struct nhi_pdf_text *t)
{
  return t->size * p->style.leading;
}

/* Centres capitals in the line box. */
float nhi_pdf_baseline(const struct nhi_pdf *p, const struct nhi_pdf_text *t,
                       float top)
{
  return top - t->size * (p->style.leading / 2 + 0.36f);
}

static HPDF_Font face_of(const struct nhi_pdf *p,
                         const struct nhi_pdf_text *t)
{
  return p->faces[t->face == NHI_PDF_BOLD ? NHI_PDF_BOLD : NHI_PDF_REGULAR];
}

/* Width of the ASCII character c in 1/1000 em, measured once. */
static float ascii_width(const struct nhi_pdf *p, enum nhi_pdf_face f,
                         unsigned char c)
{
  struct nhi_pdf *w = (struct nhi_pdf *)p;  /* a cache, not a change */
  HPDF_TextWidth tw;

  if (!p->ascii_w[f][c]) {
    tw = HPDF_Font_TextWidth(p->faces[f], &c, 1);
    w->ascii_w[f][c] = tw.width > 0 ? (float)tw.width : -1;
  }
  return p->ascii_w[f][c] > 0 ? p->ascii_w[f][c] : 0;
}

/* Width of the first n bytes of s: ASCII from the cache (libharu
 * neither kerns nor spaces characters here, so widths add up), the rest
 * measured by libharu. */
static float width_n(const struct nhi_pdf *p, const struct nhi_pdf_text *t,
                     const char *s, size_t n)
{
  enum nhi_pdf_face f = t->face == NHI_PDF_BOLD ? NHI_PDF_BOLD
                                                : NHI_PDF_REGULAR;
  HPDF_TextWidth w;
  float sum = 0;
  size_t i;

  for (i = 0; i < n && (unsigned char)s[i] < 0x80; i++)
    sum += ascii_width(p, f, (unsigned char)s[i]);
  if (i == n)
    return sum * t->size / 1000.0f;
  w = HPDF_Font_TextWidth(face_of(p, t), (const HPDF_BYTE *)s,
                          (HPDF_UINT)n);
  return (float)w.width * t->size / 1000.0f;
}

float nhi_pdf_text_width(const struct nhi_pdf *p,
                         const struct nhi_pdf_text *t, const char *s)
{
  return s ? width_n(p, t, s, strlen(s)) : 0;
}

static int is_cont(unsigned char c)
{
  return (c & 0xC0) == 0x80;
}

/* Length of the UTF-8 sequence at s that libharu's UTF-8 encoder can
 * write, or 0. Its code space stops at U+CFFF: four-byte sequences and
 * U+D000..U+FFFF would come out garbled, so they count as invalid. */
static size_t utf8_len(const unsigned char *s)
{
  unsigned char c = s[0];

  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    return is_cont(s[1]) ? 2 : 0;
  if (c < 0xE0 || c > 0xEC || !is_cont(s[1]) || !is_cont(s[2]))
    return 0;
  if (c == 0xE0 && s[1] < 0xA0)
    return 0;
  return 3;
}

/* A copy of s with control characters as spaces (newlines kept) and each
 * unencodable sequence as one '?', with room for an ellipsis after any
 * cut. */
static char *clean_text(const char *s)
{
  const unsigned char *in = (const unsigned char *)(s ? s : "");
  char *out = malloc(strlen((const char *)in) + sizeof ELLIPSIS);
  size_t o = 0, n;

  if (!out)
    return NULL;
  while (*in) {
    n = utf8_len(in);
    if (n == 1 && (*in < 0x20 || *in == 0x7F))
      out[o++] = *in == '\n' ? '\n' : ' ';
    else if (n == 0)
      out[o++] = '?';
    else {
      memcpy(out + o, in, n);
      o += n;
    }
    in += n ? n : 1;
    while (!n && is_cont(*in))
      in++;
  }
  out[o] = '\0';
  return out;
}

/* Byte length of the (already cleaned) character at s. */
static size_t char_len(const char *s)
{
  unsigned char c = (unsigned char)*s;

  return c < 0x80 ? 1 : c < 0xE0 ? 2 : 3;
}

/* Where a line starting at start ends (*end) and the next begins
 * (*next): the last break point that fits, else a cut inside the word. */
static void fit_line(const struct nhi_pdf *p, const struct nhi_pdf_text *t,
                     const char *s, size_t start, float width,
                     size_t *end, size_t *next)
{
  size_t i = start, brk = start, brk_next = start, n;
  float w = 0, cw;

  while (s[i] && s[i] != '\n') {
    n = char_len(s + i);
    cw = width_n(p, t, s + i, n);
    if (s[i] == ' ')
      brk = i, brk_next = i + 1;
    if (w + cw > width && i > start) {
      *end = brk > start ? brk : i;
      *next = brk > start ? brk_next : i;
      return;
    }
    w += cw;
    if (strchr(BREAK_AFTER, s[i]))
      brk = brk_next = i + 1;
    i += n;
  }
  *end = i;
  *next = s[i] == '\n' ? i + 1 : i;
}

static int push_span(struct nhi_pdf_lines *l, size_t off, size_t len)
{
  struct nhi_pdf_span *v;

  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 8;
    v = realloc(l->v, l->cap * sizeof *v);
    if (!v)
      return 0;
    l->v = v;
  }
  l->v[l->n].off = off;
  l->v[l->n++].len = len;
  return 1;
}

static enum nhi_rc out_of_memory(const struct nhi_pdf *p)
{
  nhi_error("cannot write report '%s': out of memory", p->path);
  return NHI_ERR_NOMEM;
}

enum nhi_rc nhi_pdf_wrap(struct nhi_pdf *p, const struct nhi_pdf_text *t,
                         const char *s, float width,
                         struct nhi_pdf_lines *out)
{
  size_t pos = 0, end, next;

  memset(out, 0, sizeof *out);
  out->text = clean_text(s);
  if (!out->text)
    return out_of_memory(p);
  do {
    fit_line(p, t, out->text, pos, width, &end, &next);
    if (!push_span(out, pos, end - pos)) {
      nhi_pdf_lines_free(out);
      return out_of_memory(p);
    }
    if (next > end && out->text[end] != '\n')
      while (out->text[next] == ' ')
        next++;
    pos = next;
  } while (out->text[pos]);
  return NHI_OK;
}

void nhi_pdf_lines_free(struct nhi_pdf_lines *l)
{
  free(l->text);
  free(l->v);
  memset(l, 0, sizeof *l);
}

static void set_fill(struct nhi_pdf *p, const struct nhi_pdf_rgb *c)
{
  HPDF_Page_SetRGBFill(p->page, c->r, c->g, c->b);
}

/* How far glyphs reach above and below the baseline, as a share of the
 * size: DejaVu's capitals and descenders, with room for accents. */
#define GLYPH_ASCENT 0.80f
#define GLYPH_DESCENT 0.24f

/* Slack for rounding when text is measured against its box. */
#define FIT_SLACK 0.05f

static int inside(const struct nhi_pdf_box *b, float x0, float y0,
                  float x1, float y1)
{
  return x0 >= b->x0 - FIT_SLACK && x1 <= b->x1 + FIT_SLACK &&
         y0 >= b->y0 - FIT_SLACK && y1 <= b->y1 + FIT_SLACK;
}

/* Counts a run of text of width w at (x, y), and those of them that
 * reach past the page or past box (NULL: the page only). */
static void note_text(struct nhi_pdf *p, const struct nhi_pdf_text *t,
                      float x, float y, float w,
                      const struct nhi_pdf_box *box)
{
  struct nhi_pdf_box page = { 0, 0, p->width, p->height };
  float y0 = y - t->size * GLYPH_DESCENT, y1 = y + t->size * GLYPH_ASCENT;

  p->texts++;
  if (inside(&page, x, y0, x + w, y1) &&
      (!box || inside(box, x, y0, x + w, y1)))
    return;
  p->outside++;
  nhi_debug("report '%s': text on page %u at %.1f,%.1f-%.1f,%.1f is "
            "outside its box", p->path, p->pages, x, y0, x + w, y1);
}

static int same_colour(const struct nhi_pdf_rgb *a,
                       const struct nhi_pdf_rgb *b)
{
  return a->r == b->r && a->g == b->g && a->b == b->b;
}

/* Sets t's font, size and colour, unless this page has them already:
 * the PDF graphics state keeps them from one text object to the next,
 * and leaving them out makes a long table's pages a sixth smaller. */
static void set_text_state(struct nhi_pdf *p, const struct nhi_pdf_text *t)
{
  struct nhi_pdf_text *last = &p->text_state;
  int fresh = p->text_page != p->page;

  if (fresh || last->face != t->face || last->size != t->size)
    HPDF_Page_SetFontAndSize(p->page, face_of(p, t), t->size);
  if (fresh || same_colour(&last->colour, &t->colour) == 0)
    set_fill(p, &t->colour);
  *last = *t;
  p->text_page = p->page;
}

/* Shows n bytes of the writable string s with the baseline at (x, y),
 * meant to stay inside box (NULL: the page). */
static void show_n(struct nhi_pdf *p, const struct nhi_pdf_text *t,
                   float x, float y, char *s, size_t n,
                   const struct nhi_pdf_box *box)
{
  char saved = s[n];

  if (!n)
    return;
  note_text(p, t, x, y, width_n(p, t, s, n), box);
  s[n] = '\0';
  HPDF_Page_BeginText(p->page);
  set_text_state(p, t);
  HPDF_Page_TextOut(p->page, x, y, s);
  HPDF_Page_EndText(p->page);
  s[n] = saved;
}

/* x of a line of width w aligned within [x, x + box]. */
static float align_x(float x, float box, float w, enum nhi_pdf_align a)
{
  if (a == NHI_PDF_RIGHT)
    return x + box - w;
  if (a == NHI_PDF_CENTRE)
    return x + (box - w) / 2;
  return x;
}

enum nhi_rc nhi_pdf_para(struct nhi_pdf *p, const struct nhi_pdf_text *t,
                         float indent, const char *s)
{
  return nhi_pdf_para_inset(p, t, indent, 0, s);
}

enum nhi_rc nhi_pdf_para_inset(struct nhi_pdf *p,
                               const struct nhi_pdf_text *t, float indent,
                               float inset, const char *s)
{
  struct nhi_pdf_lines l;
  float lh = nhi_pdf_line_height(p, t), x;
  enum nhi_rc rc;

  if (indent < 0 || indent > (p->right - p->left) * 0.75f)
    indent = 0;
  if (inset < 0 || indent + inset > (p->right - p->left) * 0.75f)
    inset = 0;
  x = p->left + indent;
  rc = nhi_pdf_wrap(p, t, s, p->right - inset - x, &l);
  for (size_t i = 0; !rc && i < l.n; i++) {
    struct nhi_pdf_box box;

    rc = nhi_pdf_need(p, lh);
    if (rc)
      break;
    box = (struct nhi_pdf_box){ x, p->y - lh, p->right - inset, p->y };
    show_n(p, t, x, nhi_pdf_baseline(p, t, p->y), l.text + l.v[i].off,
           l.v[i].len, &box);
    nhi_pdf_gap(p, lh);
  }
  nhi_pdf_lines_free(&l);
  return rc ? rc : check_named(p, "drawing text", NULL);
}

/* Bytes of s that fit in w with an ellipsis after them. */
static size_t cut_for_ellipsis(const struct nhi_pdf *p,
                               const struct nhi_pdf_text *t,
                               const char *s, float w)
{
  float room = w - nhi_pdf_text_width(p, t, ELLIPSIS), used = 0, cw;
  size_t i = 0, n;

  while (s[i]) {
    n = char_len(s + i);
    cw = width_n(p, t, s + i, n);
    if (used + cw > room)
      break;
    used += cw;
    i += n;
  }
  return i;
}

char *nhi_pdf_fit(const struct nhi_pdf *p, const struct nhi_pdf_text *t,
                  const char *s, float w)
{
  char *text = clean_text(s), *nl;
  size_t cut;

  if (!text)
    return NULL;
  while ((nl = strchr(text, '\n')) != NULL)
    *nl = ' ';
  if (nhi_pdf_text_width(p, t, text) > w) {
    cut = cut_for_ellipsis(p, t, text, w);
    memcpy(text + cut, ELLIPSIS, sizeof ELLIPSIS);
  }
  return text;
}

enum nhi_rc nhi_pdf_line_at(struct nhi_pdf *p, const struct nhi_pdf_text *t,
                            float x, float y, float w, enum nhi_pdf_align a,
                            const char *s)
{
  char *text = nhi_pdf_fit(p, t, s, w);
  struct nhi_pdf_box box = { x, 0, x + w, p->height };

  if (!text)
    return out_of_memory(p);
  show_n(p, t, align_x(x, w, nhi_pdf_text_width(p, t, text), a), y, text,
         strlen(text), &box);
  free(text);
  return check_named(p, "drawing text", NULL);
}

void nhi_pdf_rect(struct nhi_pdf *p, float x, float y, float w, float h,
                  const struct nhi_pdf_rgb *c)
{
  set_fill(p, c);
  p->text_state.colour = *c;
  HPDF_Page_Rectangle(p->page, x, y - h, w, h);
  HPDF_Page_Fill(p->page);
}

void nhi_pdf_arc(struct nhi_pdf *p, float cx, float cy, float radius,
                 float a0, float a1, float width,
                 const struct nhi_pdf_rgb *c)
{
  if (a1 - a0 < 0.5f || a1 - a0 >= 360 || radius <= 0)
    return;
  HPDF_Page_SetRGBStroke(p->page, c->r, c->g, c->b);
  HPDF_Page_SetLineWidth(p->page, width);
  HPDF_Page_SetLineCap(p->page, HPDF_ROUND_END);
  HPDF_Page_Arc(p->page, cx, cy, radius, a0, a1);
  HPDF_Page_Stroke(p->page);
  p->arcs++;
  HPDF_Page_SetLineCap(p->page, HPDF_BUTT_END);
}

enum nhi_rc nhi_pdf_image(struct nhi_pdf *p, const char *path, int png,
                          float x, float top, float w, float h,
                          float *used)
{
  HPDF_Image img = png ? HPDF_LoadPngImageFromFile(p->doc, path)
                       : HPDF_LoadJpegImageFromFile(p->doc, path);
  float iw, ih, scale;

  *used = 0;
  if (!img || p->fault.code) {
    nhi_error("cannot write report '%s': cannot read logo '%s' as a %s "
              "image", p->path, path, png ? "PNG" : "JPEG");
    p->fault.logged = 1;
    return NHI_ERR_INPUT;
  }
  iw = (float)HPDF_Image_GetWidth(img);
  ih = (float)HPDF_Image_GetHeight(img);
  if (iw <= 0 || ih <= 0 || w <= 0 || h <= 0)
    return NHI_OK;
  scale = fminf(w / iw, h / ih);
  HPDF_Page_DrawImage(p->page, img, x, top - ih * scale, iw * scale,
                      ih * scale);
  p->images++;
  *used = ih * scale;
  return check_named(p, "placing the logo", path);
}

void nhi_pdf_rule(struct nhi_pdf *p, float x1, float x2, float y,
                  float width, const struct nhi_pdf_rgb *c)
{
  HPDF_Page_SetRGBStroke(p->page, c->r, c->g, c->b);
  HPDF_Page_SetLineWidth(p->page, width);
  HPDF_Page_MoveTo(p->page, x1, y);
  HPDF_Page_LineTo(p->page, x2, y);
  HPDF_Page_Stroke(p->page);
}

enum nhi_rc nhi_pdf_bookmark(struct nhi_pdf *p, const char *title)
{
  char *text = clean_text(title);
  HPDF_Outline o;
  HPDF_Destination d;

  if (!text)
    return out_of_memory(p);
  o = HPDF_CreateOutline(p->doc, NULL, text,
                         HPDF_GetEncoder(p->doc, "UTF-8"));
  free(text);
  d = o ? HPDF_Page_CreateDestination(p->page) : NULL;
  if (!d)
    return fail_named(p, "adding a bookmark", title);
  HPDF_Outline_SetDestination(o, d);
  HPDF_SetPageMode(p->doc, HPDF_PAGE_MODE_USE_OUTLINE);
  return check_named(p, "adding a bookmark", title);
}

enum nhi_rc nhi_pdf_each_page(struct nhi_pdf *p, nhi_pdf_page_fn fn,
                              void *arg)
{
  enum nhi_rc rc = NHI_OK;

  for (unsigned i = 0; !rc && i < p->pages; i++) {
    p->page = HPDF_GetPageByIndex(p->doc, i);
    if (!p->page)
      return fail_named(p, "revisiting a page", NULL);
    rc = fn(p, i + 1, p->pages, arg);
  }
  return rc;
}

/* One cell of a row being drawn: its lines, how it looks, and how many
 * of its lines are already on paper. */
struct row_cell {
  struct nhi_pdf_lines lines;
  struct nhi_pdf_text style;
  size_t done;
};

static float col_width(const struct nhi_pdf *p, const struct nhi_pdf_table *t,
                       size_t col)
{
  return t->widths[col] * (p->right - p->left);
}

static float col_x(const struct nhi_pdf *p, const struct nhi_pdf_table *t,
                   size_t col)
{
  float x = p->left;

  for (size_t i = 0; i < col; i++)
    x += col_width(p, t, i);
  return x;
}

static enum nhi_pdf_align col_align(const struct nhi_pdf_table *t,
                                    size_t col)
{
  return t->align ? t->align[col] : NHI_PDF_LEFT;
}

static void free_cells(struct row_cell *c, size_t n)
{
  for (size_t i = 0; c && i < n; i++)
    nhi_pdf_lines_free(&c[i].lines);
  free(c);
}

/* Wraps texts (one per column) into a new array of cells. Cell i looks
 * like base, recoloured and re-faced by over[i] when over is given. */
static enum nhi_rc wrap_cells(struct nhi_pdf *p,
                              const struct nhi_pdf_table *t,
                              const struct nhi_pdf_text *base,
                              const struct nhi_pdf_cell *over,
                              struct row_cell **out)
{
  struct row_cell *c = calloc(t->ncols, sizeof *c);
  enum nhi_rc rc = c ? NHI_OK : out_of_memory(p);
  float pad = p->style.cell_pad;

  for (size_t i = 0; !rc && i < t->ncols; i++) {
    c[i].style = *base;
    if (over && over[i].colour)
      c[i].style.colour = *over[i].colour;
    if (over)
      c[i].style.face = over[i].face;
    rc = nhi_pdf_wrap(p, &c[i].style, over ? over[i].text : t->head[i],
                      col_width(p, t, i) - 2 * pad, &c[i].lines);
  }
  if (rc)
    free_cells(c, t->ncols);
  *out = rc ? NULL : c;
  return rc;
}

/* The most lines any cell still has to draw. */
static size_t lines_left(const struct row_cell *c, size_t n)
{
  size_t most = 0;

  for (size_t i = 0; i < n; i++)
    if (c[i].lines.n - c[i].done > most)
      most = c[i].lines.n - c[i].done;
  return most;
}

/* Draws the next count lines of each cell of c as one band at the
 * cursor, on bg when given, and moves the cursor under it. */
static void draw_band(struct nhi_pdf *p, const struct nhi_pdf_table *t,
                      struct row_cell *c, size_t count, float lh,
                      const struct nhi_pdf_rgb *bg)
{
  float pad = p->style.cell_pad, h = (float)count * lh + 2 * pad;

  if (bg)
    nhi_pdf_rect(p, p->left, p->y, p->right - p->left, h, bg);
  for (size_t col = 0; col < t->ncols; col++) {
    struct row_cell *cell = &c[col];
    float x = col_x(p, t, col) + pad, w = col_width(p, t, col) - 2 * pad;
    struct nhi_pdf_box box = { x - pad, p->y - h, x + w + pad, p->y };

    for (size_t k = 0; k < count && cell->done < cell->lines.n; k++) {
      struct nhi_pdf_span *s = &cell->lines.v[cell->done++];
      char *text = cell->lines.text + s->off;
      float lw = width_n(p, &cell->style, text, s->len);
      float top = p->y - pad - (float)k * lh;

      show_n(p, &cell->style, align_x(x, w, lw, col_align(t, col)),
             nhi_pdf_baseline(p, &cell->style, top), text, s->len, &box);
    }
  }
  p->y -= h;
}

enum nhi_rc nhi_pdf_table_head(struct nhi_pdf *p, struct nhi_pdf_table *t)
{
  struct row_cell *c;
  float lh = nhi_pdf_line_height(p, &t->header), pad = p->style.cell_pad;
  enum nhi_rc rc = wrap_cells(p, t, &t->header, NULL, &c);
  size_t rows;

  if (rc)
    return rc;
  rows = lines_left(c, t->ncols);
  rc = nhi_pdf_need(p, (float)rows * lh + 4 * pad +
                    nhi_pdf_line_height(p, &t->body));
  if (!rc) {
    draw_band(p, t, c, rows, lh, &p->style.table_head);
    nhi_pdf_rule(p, p->left, p->right, p->y, 0.6f, &p->style.rule);
    t->after_head = p->y;
  }
  free_cells(c, t->ncols);
  return rc ? rc : check_named(p, "drawing a table", NULL);
}

static enum nhi_rc break_table(struct nhi_pdf *p, struct nhi_pdf_table *t)
{
  enum nhi_rc rc = nhi_pdf_new_page(p);

  return rc ? rc : nhi_pdf_table_head(p, t);
}

/* Body lines that fit between the cursor and the bottom margin. */
static size_t lines_fit(const struct nhi_pdf *p, float lh)
{
  float room = p->y - p->bottom - 2 * p->style.cell_pad;

  return room < lh ? 0 : (size_t)(room / lh);
}

/* Draws the wrapped cells of a row, in as many bands as pages it needs. */
static enum nhi_rc place_row(struct nhi_pdf *p, struct nhi_pdf_table *t,
                             struct row_cell *c)
{
  const struct nhi_pdf_rgb *bg = t->rows % 2 ? &p->style.zebra : NULL;
  float lh = nhi_pdf_line_height(p, &t->body);
  size_t left = lines_left(c, t->ncols), fit;
  enum nhi_rc rc = NHI_OK;
  int started = 0;

  while (!rc && left > 0) {
    fit = lines_fit(p, lh);
    if (fit < left && p->y < t->after_head) {
      rc = break_table(p, t);
      continue;
    }
    /* A row continued on a new page names itself again. */
    if (started && t->repeat_first && c[0].lines.n == 1)
      c[0].done = 0;
    if (fit > left)
      fit = left;
    draw_band(p, t, c, fit ? fit : 1, lh, bg);
    started = 1;
    left = lines_left(c, t->ncols);
    if (left)
      rc = break_table(p, t);
  }
  t->rows++;
  return rc;
}

enum nhi_rc nhi_pdf_table_row(struct nhi_pdf *p, struct nhi_pdf_table *t,
                              const struct nhi_pdf_cell *cells)
{
  struct row_cell *c;
  enum nhi_rc rc = NHI_OK;

  if (!t->rows && !t->after_head)
    rc = nhi_pdf_table_head(p, t);
  if (!rc)
    rc = wrap_cells(p, t, &t->body, cells, &c);
  if (rc)
    return rc;
  rc = place_row(p, t, c);
  free_cells(c, t->ncols);
  return rc ? rc : check_named(p, "drawing a table", NULL);
}

static int hex_digit(char c)
{
  return isdigit((unsigned char)c) ? c - '0'
       : c >= 'a' && c <= 'f' ? c - 'a' + 10
       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int nhi_pdf_rgb_parse(const char *s, struct nhi_pdf_rgb *out)
{
  float v[3];

  if (!s)
    return 0;
  if (*s == '#')
    s++;
  if (strlen(s) != 6)
    return 0;
  for (int i = 0; i < 3; i++) {
    int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

    if (hi < 0 || lo < 0)
      return 0;
    v[i] = (float)(hi * 16 + lo) / 255.0f;
  }
  out->r = v[0];
  out->g = v[1];
  out->b = v[2];
  return 1;
}

void nhi_pdf_buf_addn(struct nhi_pdf_buf *b, const char *s, size_t n)
{
  size_t cap;
  char *grown;

  if (b->failed)
    return;
  if (b->len + n + 1 > b->cap) {
    cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1)
      cap *= 2;
    grown = realloc(b->s, cap);
    if (!grown) {
      b->failed = 1;
      return;
    }
    b->s = grown;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void nhi_pdf_buf_add(struct nhi_pdf_buf *b, const char *s)
{
  nhi_pdf_buf_addn(b, s ? s : "", s ? strlen(s) : 0);
}

/* The value of the n-byte name in pairs, "" for a NULL one, or NULL. */
static const char *pair_value(const char *const *pairs, const char *name,
                              size_t n)
{
  for (size_t i = 0; pairs && pairs[i]; i += 2)
    if (strlen(pairs[i]) == n && !memcmp(pairs[i], name, n))
      return pairs[i + 1] ? pairs[i + 1] : "";
  return NULL;
}

char *nhi_pdf_subst(const char *tmpl, const char *const *pairs)
{
  struct nhi_pdf_buf b = { 0 };
  const char *s = tmpl ? tmpl : "", *open, *close, *value;

  nhi_pdf_buf_addn(&b, "", 0);
  while ((open = strchr(s, '{')) && (close = strchr(open + 1, '}'))) {
    nhi_pdf_buf_addn(&b, s, (size_t)(open - s));
    value = pair_value(pairs, open + 1, (size_t)(close - open - 1));
    if (value)
      nhi_pdf_buf_add(&b, value);
    else
      nhi_pdf_buf_addn(&b, open, (size_t)(close - open + 1));
    s = close + 1;
  }
  nhi_pdf_buf_add(&b, s);
  if (b.failed) {
    free(b.s);
    return NULL;
  }
  return b.s;
}
