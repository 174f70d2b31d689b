/* The PDF report's cover: the brand's band and logo, product, title,
 * client, date, who prepared it, confidentiality. */
#include "pdf_report.h"

#include "report_template.h"

#include <math.h>
#include <stdlib.h>

#define MM (72.0f / 25.4f)

/* prepared_by is a name, or an object holding one. */
static const char *prepared_by(const cJSON *assessment)
{
  const char *s = get_str(assessment, "prepared_by");

  return s ? s : get_str(get_obj(assessment, "prepared_by"), "name");
}

static const cJSON *branding(const cJSON *assessment)
{
  return get_obj(assessment, "branding");
}

/* "Prepared by" with the name, the company, or both. */
static enum nhi_rc say_prepared_by(struct nhi_rpt *r, const char *by,
                                   const char *company)
{
  if (by && company)
    return nhi_rpt_say(r, &r->muted, 0, "title.prepared_by_company",
                       (const char *const[]){ "name", by,
                                              "company", company, NULL });
  if (by || company)
    return nhi_rpt_say(r, &r->muted, 0, "title.prepared_by",
                       (const char *const[]){ "name", by ? by : company,
                                              NULL });
  return NHI_OK;
}

static enum nhi_rc title_meta(struct nhi_rpt *r, const cJSON *a)
{
  const char *now = get_str(a, "now"), *by = prepared_by(a);
  const char *company = get_str(branding(a), "company");
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
  if (!rc)
    rc = say_prepared_by(r, by, company);
  free(date);
  return rc;
}

/* A number of millimetres from the template's branding, def when it
 * is missing or out of [lo, hi]. In points. */
static float brand_mm(const struct nhi_rpt *r, const char *group,
                      const char *key, double def, double lo, double hi)
{
  const cJSON *b = get_obj(r->layout, "branding");
  double v;

  if (group)
    b = get_obj(b, group);
  if (!get_num(b, key, &v) || v < lo || v > hi)
    v = def;
  return (float)v * MM;
}

/* A band of the brand's cover colour across the top of the page. */
static void cover_band(struct nhi_rpt *r)
{
  struct nhi_pdf *p = &r->pdf;
  struct nhi_pdf_rgb c = nhi_rpt_colour(r, NULL, "cover", "#1F4E79");
  float h = brand_mm(r, NULL, "band_mm", 6, 0, 40);

  if (h > 0)
    nhi_pdf_rect(p, 0, p->height, p->width, h, &c);
}

/* The profile's logo at the top left of the content, fitted to the
 * template's logo box. */
static enum nhi_rc cover_logo(struct nhi_rpt *r)
{
  struct nhi_pdf *p = &r->pdf;
  const char *logo = get_str(branding(get_obj(r->root, "assessment")),
                             "logo");
  float w = brand_mm(r, "logo_box_mm", "width", 60, 5, 180);
  float h = brand_mm(r, "logo_box_mm", "height", 24, 5, 120), used;
  enum nhi_logo_kind kind;
  enum nhi_rc rc;

  if (!logo)
    return NHI_OK;
  kind = nhi_template_logo_kind(logo);
  if (kind == NHI_LOGO_NONE) {
    nhi_error("cannot write report '%s': logo '%s' is missing or not a "
              "PNG or JPEG image", p->path, logo);
    return NHI_ERR_INPUT;
  }
  rc = nhi_pdf_image(p, logo, kind == NHI_LOGO_PNG, p->left, p->y,
                     fminf(w, nhi_rpt_content_width(r)), h, &used);
  if (!rc)
    nhi_pdf_gap(p, used);
  return rc;
}

enum nhi_rc nhi_rpt_render_cover(struct nhi_rpt *r)
{
  struct nhi_pdf *p = &r->pdf;
  struct nhi_pdf_rgb red = nhi_rpt_colour(r, NULL, "confidential",
                                          "#A61B1B");
  float pill_h = nhi_rpt_pill_height(r);
  enum nhi_rc rc;

  cover_band(r);
  rc = cover_logo(r);
  if (rc)
    return rc;
  /* The cover has its page to itself: its text sits a third of the way
   * down. */
  nhi_pdf_gap(p, fmaxf(0, p->y - (p->top - (p->top - p->bottom) * 0.3f)));
  rc = nhi_pdf_para(p, &r->product, 0, nhi_rpt_word(r, "product.name"));
  if (!rc)
    rc = nhi_pdf_para(p, &r->title, 0, nhi_rpt_word(r, r->title_key));
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
