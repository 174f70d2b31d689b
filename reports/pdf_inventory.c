/* The PDF report's identity inventory: counts, tables and a bar chart. */
#include "pdf_report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* "3.7" for 3.666..., "4" for 4.0. */
static void fmt_ratio(double v, char out[NHI_RPT_NUM_SIZE])
{
  size_t n;

  snprintf(out, NHI_RPT_NUM_SIZE, "%.1f", v);
  n = strlen(out);
  if (n > 2 && !strcmp(out + n - 2, ".0"))
    out[n - 2] = '\0';
}

static enum nhi_rc inventory_headline(struct nhi_rpt *r, const cJSON *inv)
{
  double non_human, human;
  char num[NHI_RPT_NUM_SIZE];

  if (!get_num(inv, "non_human", &non_human) ||
      !get_num(inv, "human", &human) || non_human <= 0)
    return NHI_OK;
  if (human > 0) {
    fmt_ratio(non_human / human, num);
    return nhi_rpt_say(r, &r->headline, 0, "inventory.ratio",
                       (const char *const[]){ "ratio", num, NULL });
  }
  nhi_rpt_fmt_num(non_human, num);
  return nhi_rpt_say(r, &r->headline, 0, "inventory.no_humans",
                     (const char *const[]){ "non_human", num, NULL });
}

static enum nhi_rc inventory_totals(struct nhi_rpt *r, const cJSON *inv)
{
  char n[5][NHI_RPT_NUM_SIZE];
  const char *const totals[] = {
    "identities", nhi_rpt_num_text(r, inv, "identities", n[0]),
    "non_human", nhi_rpt_num_text(r, inv, "non_human", n[1]),
    "human", nhi_rpt_num_text(r, inv, "human", n[2]), NULL };
  const char *const resources[] = {
    "resources", nhi_rpt_num_text(r, inv, "resources", n[3]),
    "sensitive", nhi_rpt_num_text(r, inv, "sensitive_resources", n[4]),
    NULL };
  enum nhi_rc rc;

  rc = nhi_rpt_say(r, &r->body, 0, "inventory.totals", totals);
  if (!rc)
    rc = nhi_rpt_say(r, &r->body, 0, "inventory.resources", resources);
  return rc;
}

/* A table of rows {name_key, total, non_human, human}: by provider or
 * by kind. Names are shown through the catalogue's "prefix.name". */
static enum nhi_rc count_table(struct nhi_rpt *r, const cJSON *rows,
                               const char *name_key, const char *prefix,
                               const char *column_key)
{
  static const float widths[] = { 0.4f, 0.2f, 0.2f, 0.2f };
  static const enum nhi_pdf_align align[] = {
    NHI_PDF_LEFT, NHI_PDF_RIGHT, NHI_PDF_RIGHT, NHI_PDF_RIGHT };
  const char *head[] = { nhi_rpt_word(r, column_key),
                         nhi_rpt_word(r, "column.total"),
                         nhi_rpt_word(r, "column.non_human"),
                         nhi_rpt_word(r, "column.human") };
  struct nhi_pdf_table t = { 4, widths, align, head, r->table,
                             r->table_head, 0, 0, 0 };
  const cJSON *row;
  char n[3][NHI_RPT_NUM_SIZE];
  enum nhi_rc rc = NHI_OK;

  cJSON_ArrayForEach(row, rows) {
    struct nhi_pdf_cell cells[] = {
      { nhi_rpt_word_for(r, prefix, get_str(row, name_key)), NULL, 0 },
      { nhi_rpt_num_text(r, row, "total", n[0]), NULL, 0 },
      { nhi_rpt_num_text(r, row, "non_human", n[1]), NULL, 0 },
      { nhi_rpt_num_text(r, row, "human", n[2]), NULL, 0 } };

    rc = nhi_pdf_table_row(&r->pdf, &t, cells);
    if (rc)
      break;
  }
  return rc;
}

static double row_value(const cJSON *row, const char *key)
{
  double v;

  return get_num(row, key, &v) && v > 0 ? v : 0;
}

static double chart_max(const cJSON *rows)
{
  const cJSON *row;
  double most = 0;

  cJSON_ArrayForEach(row, rows) {
    most = fmax(most, row_value(row, "non_human"));
    most = fmax(most, row_value(row, "human"));
  }
  return most;
}

/* One bar of the chart with its value after it; top is the bar's top. */
static enum nhi_rc chart_bar(struct nhi_rpt *r, float x, float top,
                             float w, double v, double most,
                             const struct nhi_pdf_rgb *c)
{
  float h = r->small.size, len = (float)(v / most) * w;
  float base = top - h / 2 - r->small.size * 0.36f;
  char num[NHI_RPT_NUM_SIZE];

  if (v > 0 && len < 1)
    len = 1;
  if (len > 0)
    nhi_pdf_rect(&r->pdf, x, top, len, h, c);
  nhi_rpt_fmt_num(v, num);
  return nhi_pdf_line_at(&r->pdf, &r->small, x + len + 4, base, 36,
                         NHI_PDF_LEFT, num);
}

static enum nhi_rc chart_row(struct nhi_rpt *r, const cJSON *row,
                             double most, const struct nhi_pdf_rgb *ink)
{
  struct nhi_pdf *p = &r->pdf;
  float bar = r->small.size, label_w = nhi_rpt_content_width(r) * 0.25f;
  float x = p->left + label_w + 8, w = p->right - 44 - x;
  float h = 2 * bar + 2 + bar * 1.2f;
  enum nhi_rc rc = nhi_pdf_need(p, h);

  if (!rc)
    rc = nhi_pdf_line_at(p, &r->small, p->left,
                         p->y - bar - 1 - r->small.size * 0.36f, label_w,
                         NHI_PDF_LEFT,
                         nhi_rpt_word_for(r, "kind", get_str(row, "kind")));
  if (!rc)
    rc = chart_bar(r, x, p->y, w, row_value(row, "non_human"), most,
                   &ink[0]);
  if (!rc)
    rc = chart_bar(r, x, p->y - bar - 2, w, row_value(row, "human"),
                   most, &ink[1]);
  nhi_pdf_gap(p, h);
  return rc;
}

static enum nhi_rc chart_legend(struct nhi_rpt *r,
                                const struct nhi_pdf_rgb *ink)
{
  static const char *const keys[] = { "chart.non_human", "chart.human" };
  struct nhi_pdf *p = &r->pdf;
  float x = p->left, sq = r->small.size, lh = sq * 2.2f;
  float base = p->y - sq / 2 - r->small.size * 0.36f, w;
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; !rc && i < 2; i++) {
    const char *label = nhi_rpt_word(r, keys[i]);

    w = nhi_pdf_text_width(p, &r->small, label) + 2;
    nhi_pdf_rect(p, x, p->y, sq, sq, &ink[i]);
    rc = nhi_pdf_line_at(p, &r->small, x + sq + 4, base, w, NHI_PDF_LEFT,
                         label);
    x += sq + 4 + w + 14;
  }
  nhi_pdf_gap(p, lh);
  return rc;
}

/* Bars of non-human and human identities for each kind. */
static enum nhi_rc render_chart(struct nhi_rpt *r, const cJSON *rows)
{
  struct nhi_pdf_rgb ink[2];
  double most = chart_max(rows);
  const cJSON *row;
  enum nhi_rc rc;

  if (most <= 0)
    return NHI_OK;
  /* Non-human bars take the brand's accent unless the template sets
   * their own colour. */
  ink[0] = get_str(get_obj(r->layout, "colours"), "chart_non_human")
             ? nhi_rpt_colour(r, NULL, "chart_non_human", "#1F4E79")
             : r->accent;
  ink[1] = nhi_rpt_colour(r, NULL, "chart_human", "#9AA5B1");
  rc = nhi_rpt_subheading(r, "chart.title");
  if (!rc)
    rc = chart_legend(r, ink);
  cJSON_ArrayForEach(row, rows) {
    if (rc)
      break;
    rc = chart_row(r, row, most, ink);
  }
  return rc;
}

static enum nhi_rc inventory_tables(struct nhi_rpt *r, const cJSON *inv)
{
  const cJSON *providers = get_arr(inv, "by_provider");
  const cJSON *kinds = get_arr(inv, "by_kind");
  enum nhi_rc rc = NHI_OK;

  if (cJSON_GetArraySize(providers))
    rc = nhi_rpt_subheading(r, "inventory.by_provider");
  if (!rc)
    rc = count_table(r, providers, "provider", "provider",
                     "column.provider");
  if (!rc && cJSON_GetArraySize(kinds))
    rc = nhi_rpt_subheading(r, "inventory.by_kind");
  if (!rc)
    rc = count_table(r, kinds, "kind", "kind", "column.kind");
  if (!rc)
    rc = render_chart(r, kinds);
  return rc;
}

enum nhi_rc nhi_rpt_render_inventory(struct nhi_rpt *r)
{
  const cJSON *inv = get_obj(r->root, "inventory");
  enum nhi_rc rc = nhi_rpt_section(r, "inventory", "section.inventory");

  if (!rc && !inv)
    return nhi_rpt_say(r, &r->body, 0, "inventory.empty", NULL);
  if (!rc)
    rc = inventory_headline(r, inv);
  if (!rc) {
    nhi_pdf_gap(&r->pdf, r->body.size * 0.5f);
    rc = inventory_totals(r, inv);
  }
  if (!rc)
    rc = inventory_tables(r, inv);
  return rc;
}
