/* Renders the PDF report: templates, sections in order, headers, footers. */
#include "report_pdf.h"

#include "pdf_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum nhi_rc draw_header(struct nhi_rpt *r)
{
  struct nhi_pdf *p = &r->pdf;
  float y = fminf(p->top + r->header_offset,
                  p->height - r->small.size * 1.5f);
  float cw = nhi_rpt_content_width(r);
  char *left = nhi_rpt_fill(r, "header.left", (const char *const[]){
    "product", nhi_rpt_word(r, "product.name"),
    "title", nhi_rpt_word(r, r->title_key), NULL });
  enum nhi_rc rc;

  if (!left)
    return NHI_ERR_NOMEM;
  rc = nhi_pdf_line_at(p, &r->small_muted, p->left, y, cw * 0.62f,
                       NHI_PDF_LEFT, left);
  free(left);
  if (!rc && r->client)
    rc = nhi_pdf_line_at(p, &r->small_muted, p->left + cw * 0.64f, y,
                         cw * 0.36f, NHI_PDF_RIGHT, r->client);
  nhi_pdf_rule(p, p->left, p->right, y - r->small.size * 0.7f, 0.5f,
               &r->rule);
  return rc;
}

static char *footer_with(const struct nhi_rpt *r, const char *client,
                         const char *page, const char *pages)
{
  return nhi_rpt_fill(r, client ? "footer.text" : "footer.no_client",
                      (const char *const[]){
                        "client", client,
                        "confidential",
                        nhi_rpt_word(r, "label.confidential"),
                        "page", page, "pages", pages, NULL });
}

/* The footer line; a client name too long for it is shortened so the
 * page number always shows. The caller frees it. */
static char *footer_text(const struct nhi_rpt *r, unsigned index,
                         unsigned count)
{
  const struct nhi_pdf_text *t = &r->small_muted;
  char page[NHI_RPT_NUM_SIZE], pages[NHI_RPT_NUM_SIZE], *text, *client;
  float over;

  snprintf(page, sizeof page, "%u", index);
  snprintf(pages, sizeof pages, "%u", count);
  text = footer_with(r, r->client, page, pages);
  if (!text || !r->client)
    return text;
  over = nhi_pdf_text_width(&r->pdf, t, text) - nhi_rpt_content_width(r);
  if (over <= 0)
    return text;
  free(text);
  client = nhi_pdf_fit(&r->pdf, t, r->client,
                       nhi_pdf_text_width(&r->pdf, t, r->client) - over);
  if (!client)
    return nhi_rpt_no_memory(r);
  text = footer_with(r, client, page, pages);
  free(client);
  return text;
}

static enum nhi_rc draw_footer(struct nhi_rpt *r, unsigned index,
                               unsigned count)
{
  struct nhi_pdf *p = &r->pdf;
  float y = fmaxf(p->bottom - r->footer_offset, r->small.size);
  char *text = footer_text(r, index, count);
  enum nhi_rc rc;

  if (!text)
    return NHI_ERR_NOMEM;
  nhi_pdf_rule(p, p->left, p->right, y + r->small.size * 1.3f, 0.5f,
               &r->rule);
  rc = nhi_pdf_line_at(p, &r->small_muted, p->left, y,
                       nhi_rpt_content_width(r), NHI_PDF_CENTRE, text);
  free(text);
  return rc;
}

static enum nhi_rc decorate_page(struct nhi_pdf *p, unsigned index,
                                 unsigned count, void *arg)
{
  struct nhi_rpt *r = arg;
  enum nhi_rc rc = NHI_OK;

  if (index > 1 || r->header_first)
    rc = draw_header(r);
  if (!rc)
    rc = draw_footer(r, index, count);
  return rc;
}

/* A section a template may list in sections.order. */
struct section {
  const char *id;
  enum nhi_rc (*render)(struct nhi_rpt *r);
};

static const struct section sections[] = {
  { "cover", nhi_rpt_render_cover },
  { "contents", nhi_rpt_reserve_toc },
  { "questions", nhi_rpt_render_questions },
  { "risks", nhi_rpt_render_risks },
  { "inventory", nhi_rpt_render_inventory },
  { "ai", nhi_rpt_render_ai },
  { "findings", nhi_rpt_render_findings },
  { "evidence", nhi_rpt_render_evidence },
  { "plan", nhi_rpt_render_plan },
  { "coverage", nhi_rpt_render_coverage },
};

#define N_SECTIONS (sizeof sections / sizeof *sections)

/* The order when the template gives none. */
static const char *const default_order[] = {
  "cover", "contents", "questions", "risks", "inventory", "ai",
  "findings", "plan", "coverage"
};

static enum nhi_rc render_section(struct nhi_rpt *r, const char *id)
{
  for (size_t i = 0; i < N_SECTIONS; i++)
    if (!strcmp(sections[i].id, id))
      return sections[i].render(r);
  nhi_error("cannot write report '%s': the template lists an unknown "
            "section '%s'", r->pdf.path, id);
  return NHI_ERR_INPUT;
}

/* The sections in the template's order, then the contents and each
 * page's header and footer, which need the page count. */
static enum nhi_rc render_body(struct nhi_rpt *r)
{
  const cJSON *order = get_arr(get_obj(r->layout, "sections"), "order");
  const cJSON *s;
  enum nhi_rc rc = NHI_OK;

  r->client = get_str(get_obj(r->root, "assessment"), "client");
  r->title_key = get_str(r->layout, "title_key");
  if (!r->title_key)
    r->title_key = "report.title";
  if (!order) {
    for (size_t i = 0; !rc && i < sizeof default_order /
                                  sizeof *default_order; i++)
      rc = render_section(r, default_order[i]);
  }
  cJSON_ArrayForEach(s, order) {
    if (rc)
      break;
    rc = cJSON_IsString(s) ? render_section(r, s->valuestring)
                           : render_section(r, "(not a string)");
  }
  if (!rc)
    rc = nhi_rpt_render_toc(r);
  if (!rc)
    rc = nhi_pdf_each_page(&r->pdf, decorate_page, r);
  return rc;
}

static void fill_stats(const struct nhi_rpt *r, struct nhi_pdf_stats *s)
{
  if (!s)
    return;
  s->pages = r->pdf.pages;
  s->texts = r->pdf.texts;
  s->outside = r->pdf.outside;
  s->images = r->pdf.images;
  s->arcs = r->pdf.arcs;
}

enum nhi_rc nhi_pdf_render(const cJSON *report,
                           const struct nhi_pdf_options *o,
                           const char *path)
{
  struct nhi_rpt r;
  struct nhi_pdf_style st;
  enum nhi_rc rc;

  memset(&r, 0, sizeof r);
  if (o->stats)
    memset(o->stats, 0, sizeof *o->stats);
  r.root = report;
  r.pdf.path = path;
  if (!path) {
    nhi_error("cannot write report: no output file named");
    return NHI_ERR_USAGE;
  }
  rc = nhi_rpt_load_templates(&r, o->template_dir ? o->template_dir
                                                  : "templates",
                              o->template_name, o->lang ? o->lang : "en",
                              path);
  if (rc)
    goto out;
  nhi_rpt_load_styles(&r, &st);
  rc = nhi_pdf_open(&r.pdf, &st, o->font_path, o->bold_font_path, path);
  if (!rc)
    rc = render_body(&r);
  if (!rc)
    rc = nhi_pdf_save(&r.pdf);
  if (!rc && r.pdf.outside)
    nhi_warn("report '%s': %lu of %lu texts reach past their box (see "
             "-vv)", path, r.pdf.outside, r.pdf.texts);
  fill_stats(&r, o->stats);
out:
  nhi_pdf_close(&r.pdf);
  cJSON_Delete(r.layout);
  cJSON_Delete(r.words);
  return rc;
}
