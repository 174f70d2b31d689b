/* Headings, labels and paragraphs that every PDF report section uses. */
#include "pdf_report.h"

#include <stdlib.h>
#include <string.h>

float nhi_rpt_content_width(const struct nhi_rpt *r)
{
  return r->pdf.right - r->pdf.left;
}

float nhi_rpt_pill_height(const struct nhi_rpt *r)
{
  return r->label.size * 1.8f;
}

enum nhi_rc nhi_rpt_draw_pill(struct nhi_rpt *r, float x, float top,
                              float w, const char *text,
                              const struct nhi_pdf_rgb *bg)
{
  float h = nhi_rpt_pill_height(r), pad = r->label.size * 0.8f;
  float base = top - h / 2 - r->label.size * 0.36f;

  if (w <= 0)
    w = nhi_pdf_text_width(&r->pdf, &r->label, text) + 2 * pad;
  nhi_pdf_rect(&r->pdf, x, top, w, h, bg);
  return nhi_pdf_line_at(&r->pdf, &r->label, x, base, w, NHI_PDF_CENTRE,
                         text);
}

enum nhi_rc nhi_rpt_say(struct nhi_rpt *r, const struct nhi_pdf_text *t,
                        float indent, const char *key,
                        const char *const *pairs)
{
  char *s = nhi_rpt_fill(r, key, pairs);
  enum nhi_rc rc;

  if (!s)
    return NHI_ERR_NOMEM;
  rc = nhi_pdf_para(&r->pdf, t, indent, s);
  free(s);
  return rc;
}

static int starts_new_page(const struct nhi_rpt *r, const char *id)
{
  const cJSON *s;

  cJSON_ArrayForEach(s, get_arr(get_obj(r->layout, "sections"), "new_page"))
    if (cJSON_IsString(s) && !strcmp(s->valuestring, id))
      return 1;
  return 0;
}

enum nhi_rc nhi_rpt_section(struct nhi_rpt *r, const char *id,
                            const char *key)
{
  struct nhi_pdf *p = &r->pdf;
  float lh = nhi_pdf_line_height(p, &r->heading);
  enum nhi_rc rc = NHI_OK;

  if (p->y < p->top && starts_new_page(r, id))
    rc = nhi_pdf_new_page(p);
  if (!rc && p->y < p->top)
    nhi_pdf_gap(p, lh * 0.8f);
  if (!rc)
    rc = nhi_pdf_need(p, lh + 5 * nhi_pdf_line_height(p, &r->body));
  if (!rc)
    rc = nhi_pdf_bookmark(p, nhi_rpt_word(r, key));
  if (!rc && r->ntoc < NHI_RPT_TOC_MAX)
    r->toc[r->ntoc++] = (struct nhi_rpt_toc_entry){ key, p->pages };
  if (!rc)
    rc = nhi_pdf_para(p, &r->heading, 0, nhi_rpt_word(r, key));
  if (rc)
    return rc;
  nhi_pdf_rule(p, p->left, p->right, p->y + 2, 0.8f, &r->accent);
  nhi_pdf_gap(p, lh * 0.6f);
  r->heading_end = p->y;
  return NHI_OK;
}

enum nhi_rc nhi_rpt_subheading(struct nhi_rpt *r, const char *key)
{
  struct nhi_pdf *p = &r->pdf;
  float lh = nhi_pdf_line_height(p, &r->sub);
  enum nhi_rc rc;

  if (p->y < p->top && p->y != r->heading_end)
    nhi_pdf_gap(p, lh * 0.9f);
  rc = nhi_pdf_need(p, lh + 4 * nhi_pdf_line_height(p, &r->body));
  if (!rc)
    rc = nhi_pdf_para(p, &r->sub, 0, nhi_rpt_word(r, key));
  if (!rc)
    nhi_pdf_gap(p, lh * 0.2f);
  return rc;
}
