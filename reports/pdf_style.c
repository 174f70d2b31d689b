/* The PDF report's page, fonts and colours as its layout template says. */
#include "pdf_report.h"

#include <string.h>
#include <strings.h>

#define MM (72.0 / 25.4)

static const cJSON *layout_item(const struct nhi_rpt *r, const char *group,
                                const char *key)
{
  return get_item(group ? get_obj(r->layout, group) : r->layout, key);
}

/* A number from the layout template, def when missing or out of range. */
static float layout_num(const struct nhi_rpt *r, const char *group,
                        const char *key, double def, double lo, double hi)
{
  const cJSON *v = layout_item(r, group, key);

  if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi)
    return (float)def;
  return (float)v->valuedouble;
}

struct nhi_pdf_rgb nhi_rpt_colour(const struct nhi_rpt *r,
                                  const char *group, const char *key,
                                  const char *def)
{
  const cJSON *c = get_obj(r->layout, "colours");
  struct nhi_pdf_rgb rgb = { 0, 0, 0 };

  if (group)
    c = get_obj(c, group);
  if (!key || !nhi_pdf_rgb_parse(get_str(c, key), &rgb))
    nhi_pdf_rgb_parse(def, &rgb);
  return rgb;
}

static HPDF_PageSizes page_size(const char *name)
{
  static const struct {
    const char *name;
    HPDF_PageSizes size;
  } sizes[] = {
    { "A3", HPDF_PAGE_SIZE_A3 }, { "A4", HPDF_PAGE_SIZE_A4 },
    { "A5", HPDF_PAGE_SIZE_A5 }, { "B5", HPDF_PAGE_SIZE_B5 },
    { "Letter", HPDF_PAGE_SIZE_LETTER }, { "Legal", HPDF_PAGE_SIZE_LEGAL },
  };

  for (size_t i = 0; name && i < sizeof sizes / sizeof *sizes; i++)
    if (!strcasecmp(name, sizes[i].name))
      return sizes[i].size;
  if (name)
    nhi_warn("report template: unknown page size '%s', using A4", name);
  return HPDF_PAGE_SIZE_A4;
}

static float margin(const struct nhi_rpt *r, const char *side)
{
  const cJSON *m = get_obj(get_obj(r->layout, "page"), "margins_mm");
  double v;

  if (!get_num(m, side, &v) || v < 0 || v > 80)
    v = 20;
  return (float)(v * MM);
}

static void load_page_style(struct nhi_rpt *r, struct nhi_pdf_style *st)
{
  const char *dir = get_str(get_obj(r->layout, "page"), "orientation");

  st->size = page_size(get_str(get_obj(r->layout, "page"), "size"));
  st->direction = dir && !strcmp(dir, "landscape") ? HPDF_PAGE_LANDSCAPE
                                                   : HPDF_PAGE_PORTRAIT;
  st->margin_top = margin(r, "top");
  st->margin_right = margin(r, "right");
  st->margin_bottom = margin(r, "bottom");
  st->margin_left = margin(r, "left");
  st->leading = layout_num(r, NULL, "line_height", 1.35, 1.0, 3.0);
  st->cell_pad = layout_num(r, NULL, "cell_padding_pt", 3.5, 0, 20);
  st->rule = nhi_rpt_colour(r, NULL, "rule", "#CBD2D9");
  st->table_head = nhi_rpt_colour(r, NULL, "table_head", "#E4E7EB");
  st->zebra = nhi_rpt_colour(r, NULL, "zebra", "#F5F7FA");
  r->header_offset = (float)(layout_num(r, "header", "offset_mm", 10, 0,
                                        60) * MM);
  r->footer_offset = (float)(layout_num(r, "footer", "offset_mm", 10, 0,
                                        60) * MM);
  r->header_first = cJSON_IsTrue(layout_item(r, "header", "first_page"));
}

static struct nhi_pdf_text style(const struct nhi_rpt *r,
                                 enum nhi_pdf_face face, const char *size,
                                 double def, const char *ink)
{
  struct nhi_pdf_text t;

  t.face = face;
  t.size = layout_num(r, "font_sizes", size, def, 4, 72);
  t.colour = nhi_rpt_colour(r, NULL, ink, "#1F2933");
  return t;
}

static void load_text_styles(struct nhi_rpt *r)
{
  r->title = style(r, NHI_PDF_BOLD, "title", 24, "text");
  r->lead = style(r, NHI_PDF_REGULAR, "subheading", 11.5, "text");
  r->lead.size *= 1.2f;
  r->headline = style(r, NHI_PDF_BOLD, "subheading", 11.5, "accent");
  r->headline.size *= 1.2f;
  r->heading = style(r, NHI_PDF_BOLD, "heading", 16, "accent");
  r->sub = style(r, NHI_PDF_BOLD, "subheading", 11.5, "text");
  r->body = style(r, NHI_PDF_REGULAR, "body", 10, "text");
  r->muted = style(r, NHI_PDF_REGULAR, "body", 10, "muted");
  r->small = style(r, NHI_PDF_REGULAR, "small", 8, "text");
  r->small_bold = style(r, NHI_PDF_BOLD, "small", 8, "text");
  r->small_muted = style(r, NHI_PDF_REGULAR, "small", 8, "muted");
  r->table = style(r, NHI_PDF_REGULAR, "table", 8, "text");
  r->table_head = style(r, NHI_PDF_BOLD, "table", 8, "text");
  r->label = style(r, NHI_PDF_BOLD, "small", 8, "on_label");
  r->score = style(r, NHI_PDF_BOLD, "score", 34, "accent");
  r->product = style(r, NHI_PDF_BOLD, "body", 10, "accent");
  r->number = style(r, NHI_PDF_BOLD, "subheading", 11.5, "accent");
  r->accent = nhi_rpt_colour(r, NULL, "accent", "#1F4E79");
  r->panel = nhi_rpt_colour(r, NULL, "panel", "#EEF2F7");
  r->rule = nhi_rpt_colour(r, NULL, "rule", "#CBD2D9");
}

/* Writes each valid colour of from over the layout's colours. */
static void colours_over(struct nhi_rpt *r, const cJSON *from)
{
  cJSON *colours = cJSON_GetObjectItemCaseSensitive(r->layout, "colours");
  const cJSON *c;
  struct nhi_pdf_rgb rgb;
  cJSON *copy;

  if (!cJSON_IsObject(colours)) {
    cJSON_DeleteItemFromObjectCaseSensitive(r->layout, "colours");
    colours = cJSON_AddObjectToObject(r->layout, "colours");
  }
  cJSON_ArrayForEach(c, from) {
    if (!colours || !cJSON_IsString(c) ||
        !nhi_pdf_rgb_parse(c->valuestring, &rgb))
      continue;
    copy = cJSON_CreateString(c->valuestring);
    if (!copy)
      continue;
    if (get_item(colours, c->string))
      cJSON_ReplaceItemInObjectCaseSensitive(colours, c->string, copy);
    else
      cJSON_AddItemToObject(colours, c->string, copy);
  }
}

/* The brand colours: the template's branding.colours, then the
 * report's (from the profile), over the layout's colours. */
static void apply_branding(struct nhi_rpt *r)
{
  const cJSON *brand = get_obj(get_obj(r->root, "assessment"), "branding");

  colours_over(r, get_obj(get_obj(r->layout, "branding"), "colours"));
  colours_over(r, get_obj(brand, "colours"));
}

void nhi_rpt_load_styles(struct nhi_rpt *r, struct nhi_pdf_style *st)
{
  apply_branding(r);
  load_page_style(r, st);
  load_text_styles(r);
}
