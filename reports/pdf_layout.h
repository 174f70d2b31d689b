/* Page, text, wrapping and table helpers over libharu for PDF reports. */
#ifndef NHI_PDF_LAYOUT_H
#define NHI_PDF_LAYOUT_H

#include "nhi.h"

#include <hpdf.h>

/* Pages under one node of the document's page tree (pdf_layout.c). */
#define NHI_PDF_PAGES_PER_NODE 1024

struct nhi_pdf_rgb {
  float r, g, b;
};

enum nhi_pdf_face {
  NHI_PDF_REGULAR = 0,
  NHI_PDF_BOLD
};

enum nhi_pdf_align {
  NHI_PDF_LEFT = 0,
  NHI_PDF_CENTRE,
  NHI_PDF_RIGHT
};

/* How a run of text looks. */
struct nhi_pdf_text {
  enum nhi_pdf_face face;
  float size;                  /* points */
  struct nhi_pdf_rgb colour;
};

/* Page geometry and the colours the helpers draw with; all in points. */
struct nhi_pdf_style {
  HPDF_PageSizes size;
  HPDF_PageDirection direction;
  float margin_top, margin_right, margin_bottom, margin_left;
  float leading;               /* line height as a multiple of the size */
  float cell_pad;              /* padding inside table cells */
  struct nhi_pdf_rgb rule, table_head, zebra;
};

/* The first error libharu reported; filled by the error handler. */
struct nhi_pdf_fault {
  HPDF_STATUS code;
  HPDF_STATUS detail;
  int logged;
};

/* A rectangle: left, bottom, right, top. */
struct nhi_pdf_box {
  float x0, y0, x1, y1;
};

/* A document being laid out. Fields are read by callers; change them only
 * through the functions below. */
struct nhi_pdf {
  HPDF_Doc doc;
  HPDF_Page page;              /* the page being filled */
  HPDF_Font faces[2];
  float ascii_w[2][128];       /* glyph widths (1/1000 em), 0: unknown */
  HPDF_Page text_page;         /* the text state below was set on it */
  struct nhi_pdf_text text_state;  /* last font, size and colour set */
  struct nhi_pdf_style style;
  struct nhi_pdf_fault fault;
  const char *path;            /* the output file, named in messages */
  float width, height;         /* of a page */
  float top, bottom, left, right;  /* the content box */
  float y;                     /* top of the free space on this page */
  unsigned pages;
  unsigned long texts;         /* runs of text placed */
  unsigned long outside;       /* of them, past the page or their box */
  unsigned images;
  unsigned arcs;
};

/* A string that grows; failed is set once an allocation fails and every
 * later add is then ignored. s is the caller's (free it). */
struct nhi_pdf_buf {
  char *s;
  size_t len, cap;
  int failed;
};

/* One line of wrapped text: a byte range of nhi_pdf_lines.text. */
struct nhi_pdf_span {
  size_t off, len;
};

/* Text cut into lines that fit a width. Free with nhi_pdf_lines_free. */
struct nhi_pdf_lines {
  char *text;                  /* cleaned copy of the input */
  struct nhi_pdf_span *v;
  size_t n, cap;
};

/* One cell of a table row; colour and face override the table's body. */
struct nhi_pdf_cell {
  const char *text;
  const struct nhi_pdf_rgb *colour;
  enum nhi_pdf_face face;
};

/* A table whose header row is drawn again on each page it runs onto.
 * widths are fractions of the content width and should sum to 1. */
struct nhi_pdf_table {
  size_t ncols;
  const float *widths;
  const enum nhi_pdf_align *align;   /* ncols entries, or NULL: left */
  const char *const *head;           /* ncols header texts */
  struct nhi_pdf_text body, header;
  unsigned rows;                     /* rows drawn so far, for stripes */
  float after_head;                  /* cursor under the last header */
  int repeat_first;                  /* a row split across pages shows
                                      * its one-line first cell again */
};

/* Called for each page by nhi_pdf_each_page: index counts from 1. */
typedef enum nhi_rc (*nhi_pdf_page_fn)(struct nhi_pdf *p, unsigned index,
                                       unsigned count, void *arg);

/* Starts a document with UTF-8 text in the two TrueType faces (embedded)
 * and one empty page. path names the output in messages and must outlive
 * p. On failure logs "cannot write report 'path': ..." and returns
 * NHI_ERR_IO (font missing) or NHI_ERR_INTERNAL; call nhi_pdf_close
 * either way. */
enum nhi_rc nhi_pdf_open(struct nhi_pdf *p, const struct nhi_pdf_style *st,
                         const char *font_path, const char *bold_path,
                         const char *path);

/* Writes the document to p->path. Logs and returns NHI_ERR_IO on
 * failure. */
enum nhi_rc nhi_pdf_save(struct nhi_pdf *p);

/* Frees the document; safe on a zeroed or failed p. */
void nhi_pdf_close(struct nhi_pdf *p);

/* Logs libharu's first error once (naming p->path and what was being
 * done) and returns NHI_ERR_INTERNAL; NHI_OK when there was none. */
enum nhi_rc nhi_pdf_check(struct nhi_pdf *p, const char *doing);

/* Starts a new page and moves the cursor to the top of its content. */
enum nhi_rc nhi_pdf_new_page(struct nhi_pdf *p);

/* Starts a new page unless height points are free below the cursor. */
enum nhi_rc nhi_pdf_need(struct nhi_pdf *p, float height);

/* Moves the cursor down by height, stopping at the bottom margin. */
void nhi_pdf_gap(struct nhi_pdf *p, float height);

/* Height of one line of t. */
float nhi_pdf_line_height(const struct nhi_pdf *p,
                          const struct nhi_pdf_text *t);

/* Baseline of a line of t whose box starts at top. */
float nhi_pdf_baseline(const struct nhi_pdf *p, const struct nhi_pdf_text *t,
                       float top);

/* Width of s (UTF-8) set in t. */
float nhi_pdf_text_width(const struct nhi_pdf *p,
                         const struct nhi_pdf_text *t, const char *s);

/* Writes s wrapped between left + indent and the right margin, from the
 * cursor down, starting new pages as needed. */
enum nhi_rc nhi_pdf_para(struct nhi_pdf *p, const struct nhi_pdf_text *t,
                         float indent, const char *s);

/* nhi_pdf_para, keeping inset points free before the right margin. */
enum nhi_rc nhi_pdf_para_inset(struct nhi_pdf *p,
                               const struct nhi_pdf_text *t, float indent,
                               float inset, const char *s);

/* Writes s on one line with its baseline at y, aligned within [x, x+w];
 * text that does not fit is cut and ends in an ellipsis. */
enum nhi_rc nhi_pdf_line_at(struct nhi_pdf *p, const struct nhi_pdf_text *t,
                            float x, float y, float w, enum nhi_pdf_align a,
                            const char *s);

/* A copy of s on one line (newlines as spaces) cut to fit w, ending in an
 * ellipsis when cut. The caller frees it; NULL when out of memory. */
char *nhi_pdf_fit(const struct nhi_pdf *p, const struct nhi_pdf_text *t,
                  const char *s, float w);

/* Fills the rectangle whose top-left corner is (x, y). */
void nhi_pdf_rect(struct nhi_pdf *p, float x, float y, float w, float h,
                  const struct nhi_pdf_rgb *c);

/* Strokes an arc of a circle centred on (cx, cy), from angle a0 to a1
 * in degrees (0 is up, angles grow clockwise; a1 > a0, less than a full
 * turn), with round ends. */
void nhi_pdf_arc(struct nhi_pdf *p, float cx, float cy, float radius,
                 float a0, float a1, float width,
                 const struct nhi_pdf_rgb *c);

/* Places the PNG (png set) or JPEG image at path as large as fits the
 * box whose top-left corner is (x, top), its aspect kept, at the box's
 * top left; *used gets the height it took. Logs the file and returns
 * NHI_ERR_INPUT when libharu cannot read it. */
enum nhi_rc nhi_pdf_image(struct nhi_pdf *p, const char *path, int png,
                          float x, float top, float w, float h,
                          float *used);

/* Draws a horizontal rule from x1 to x2 at height y. */
void nhi_pdf_rule(struct nhi_pdf *p, float x1, float x2, float y,
                  float width, const struct nhi_pdf_rgb *c);

/* Adds a top-level bookmark to the current page at the cursor. */
enum nhi_rc nhi_pdf_bookmark(struct nhi_pdf *p, const char *title);

/* Cuts s into lines no wider than width in t: breaks after spaces and
 * after '/', ':', '-', ',', ';' or '.', and inside words too long for a
 * line; '\n' forces a break. Invalid UTF-8 and characters libharu cannot
 * encode become '?'. Fills out (the caller frees it with
 * nhi_pdf_lines_free). Returns NHI_ERR_NOMEM, logged, on failure. */
enum nhi_rc nhi_pdf_wrap(struct nhi_pdf *p, const struct nhi_pdf_text *t,
                         const char *s, float width,
                         struct nhi_pdf_lines *out);

void nhi_pdf_lines_free(struct nhi_pdf_lines *l);

/* Draws the header row of t (starting a page if less than the header and
 * one row fit). Zero t's counters before the first call. */
enum nhi_rc nhi_pdf_table_head(struct nhi_pdf *p, struct nhi_pdf_table *t);

/* Draws one row of t->ncols cells, wrapping each (and the header first,
 * if not drawn yet); a row that does not fit moves to a new page under a
 * repeated header, and a row taller than a page is split across pages. */
enum nhi_rc nhi_pdf_table_row(struct nhi_pdf *p, struct nhi_pdf_table *t,
                              const struct nhi_pdf_cell *cells);

/* Calls fn for every page of the document, in order, with p->page set to
 * that page (for headers and footers once the page count is known). */
enum nhi_rc nhi_pdf_each_page(struct nhi_pdf *p, nhi_pdf_page_fn fn,
                              void *arg);

/* Parses "#RRGGBB" (or "RRGGBB"). Returns 1 and sets *out, else 0. */
int nhi_pdf_rgb_parse(const char *s, struct nhi_pdf_rgb *out);

/* Appends s (n bytes) to b. */
void nhi_pdf_buf_addn(struct nhi_pdf_buf *b, const char *s, size_t n);
void nhi_pdf_buf_add(struct nhi_pdf_buf *b, const char *s);

/* Copies tmpl with each "{name}" replaced by its value from pairs, a
 * NULL-terminated list of name, value, name, value...; a NULL value reads
 * as empty, an unknown name is kept as written. Returns a string the
 * caller frees, or NULL when out of memory. */
char *nhi_pdf_subst(const char *tmpl, const char *const *pairs);

#endif
