/* The PDF report's opening: product, title, client, date and author. */
#include "pdf_report.h"

#include <stdlib.h>

/* prepared_by is a name, or an object holding one. */
static const char *prepared_by(const cJSON *assessment)
{
  const char *s = get_str(assessment, "prepared_by");

  return s ? s : get_str(get_obj(assessment, "prepared_by"), "name");
}

static enum nhi_rc title_meta(struct nhi_rpt *r, const cJSON *a)
{
  const char *now = get_str(a, "now"), *by = prepared_by(a);
  char *date = now ? nhi_rpt_format_date(r, now) : NULL;
  enum nhi_rc rc = NHI_OK;

  if (now && !date)
    return NHI_ERR_NOMEM;
  if (r->client)
    rc = nhi_rpt_say(r, &r->lead, 0, "title.prepared_for",
                     (const char *const[]){ "client", r->client, NULL });
  nhi_pdf_gap(&r->pdf, r->body.size * 0.4f);
  if (!rc && date)
    rc = nhi_rpt_say(r, &r->muted, 0, "title.date",
                     (const char *const[]){ "date", date, NULL });
  if (!rc && by)
    rc = nhi_rpt_say(r, &r->muted, 0, "title.prepared_by",
                     (const char *const[]){ "name", by, NULL });
  free(date);
  return rc;
}

enum nhi_rc nhi_rpt_render_cover(struct nhi_rpt *r)
{
  struct nhi_pdf *p = &r->pdf;
  struct nhi_pdf_rgb red = nhi_rpt_colour(r, NULL, "confidential",
                                          "#A61B1B");
  float pill_h = nhi_rpt_pill_height(r);
  enum nhi_rc rc;

  /* The cover has its page to itself: its text sits a third of the way
   * down. */
  nhi_pdf_gap(p, (p->top - p->bottom) * 0.3f);
  rc = nhi_pdf_para(p, &r->product, 0, nhi_rpt_word(r, "product.name"));
  if (!rc)
    rc = nhi_pdf_para(p, &r->title, 0, nhi_rpt_word(r, "report.title"));
  if (!rc) {
    nhi_pdf_gap(p, r->body.size);
    rc = title_meta(r, get_obj(r->root, "assessment"));
  }
  if (!rc) {
    nhi_pdf_gap(p, r->body.size * 0.8f);
    rc = nhi_pdf_need(p, pill_h);
  }
  if (!rc)
    rc = nhi_rpt_draw_pill(r, p->left, p->y, 0,
                           nhi_rpt_word(r, "label.confidential"), &red);
  if (rc)
    return rc;
  nhi_pdf_gap(p, pill_h + r->body.size * 1.4f);
  nhi_pdf_rule(p, p->left, p->right, p->y, 0.6f, &r->rule);
  nhi_pdf_gap(p, r->body.size * 1.4f);
  return NHI_OK;
}
