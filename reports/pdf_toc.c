/* The PDF report's table of contents: a page kept after the cover and
 * filled in once every section knows the page it starts on. */
#include "pdf_report.h"

#include <stdio.h>

enum nhi_rc nhi_rpt_reserve_toc(struct nhi_rpt *r)
{
  enum nhi_rc rc = nhi_pdf_new_page(&r->pdf);

  if (!rc)
    rc = nhi_pdf_bookmark(&r->pdf, nhi_rpt_word(r, "toc.title"));
  if (!rc)
    r->toc_page = r->pdf.pages;
  if (!rc)
    rc = nhi_pdf_new_page(&r->pdf);
  return rc;
}

/* One line: the section's heading, and its page at the right margin. */
static enum nhi_rc toc_line(struct nhi_rpt *r,
                            const struct nhi_rpt_toc_entry *e, float top)
{
  struct nhi_pdf *p = &r->pdf;
  float cw = nhi_rpt_content_width(r), num_w = r->body.size * 4;
  float base = nhi_pdf_baseline(p, &r->body, top);
  float under = top - nhi_pdf_line_height(p, &r->body) - r->body.size * 0.3f;
  char page[NHI_RPT_NUM_SIZE];
  enum nhi_rc rc;

  snprintf(page, sizeof page, "%u", e->page);
  rc = nhi_pdf_line_at(p, &r->body, p->left, base, cw - num_w,
                       NHI_PDF_LEFT, nhi_rpt_word(r, e->key));
  if (!rc)
    rc = nhi_pdf_line_at(p, &r->body, p->right - num_w, base, num_w,
                         NHI_PDF_RIGHT, page);
  nhi_pdf_rule(p, p->left, p->right, under, 0.4f, &r->rule);
  return rc;
}

/* Draws on the reserved page without the cursor: nothing here may start
 * a page, since pages are only ever added at the end. */
enum nhi_rc nhi_rpt_render_toc(struct nhi_rpt *r)
{
  struct nhi_pdf *p = &r->pdf;
  float top, step = nhi_pdf_line_height(p, &r->body) + r->body.size * 0.9f;
  enum nhi_rc rc = NHI_OK;

  if (!r->toc_page)
    return NHI_OK;
  p->page = HPDF_GetPageByIndex(p->doc, r->toc_page - 1);
  if (!p->page && !(rc = nhi_pdf_check(p, "revisiting the contents page"))) {
    nhi_error("cannot write report '%s': the contents page is gone",
              p->path);
    rc = NHI_ERR_INTERNAL;
  }
  if (rc)
    return rc;
  top = p->top;
  rc = nhi_pdf_line_at(p, &r->heading, p->left,
                       nhi_pdf_baseline(p, &r->heading, top),
                       nhi_rpt_content_width(r), NHI_PDF_LEFT,
                       nhi_rpt_word(r, "toc.title"));
  top -= nhi_pdf_line_height(p, &r->heading);
  nhi_pdf_rule(p, p->left, p->right, top + 2, 0.8f, &r->accent);
  top -= r->body.size * 1.2f;
  for (size_t i = 0; !rc && i < r->ntoc && top - step > p->bottom; i++) {
    rc = toc_line(r, &r->toc[i], top);
    top -= step;
  }
  return rc;
}
