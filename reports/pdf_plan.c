/* The PDF report's remediation plan: one row per action, in order. */
#include "pdf_report.h"

#include <stdio.h>

static enum nhi_rc plan_row(struct nhi_rpt *r, struct nhi_pdf_table *t,
                            const cJSON *a, size_t index)
{
  const char *none = nhi_rpt_word(r, "value.none");
  const char *action = get_str(a, "action"), *sev = get_str(a, "severity");
  const cJSON *win = get_item(a, "quick_win");
  struct nhi_pdf_rgb c = nhi_rpt_colour(r, "severity", sev, "#616E7C");
  char num[NHI_RPT_NUM_SIZE], ids[NHI_RPT_NUM_SIZE];
  struct nhi_pdf_cell cells[6];

  nhi_rpt_fmt_num((double)index + 1, num);
  nhi_rpt_fmt_num(cJSON_GetArraySize(get_arr(a, "identities")), ids);
  cells[0] = (struct nhi_pdf_cell){ num, NULL, 0 };
  cells[1] = (struct nhi_pdf_cell){ action ? action : none, NULL, 0 };
  cells[2] = (struct nhi_pdf_cell){ ids, NULL, 0 };
  cells[3] = (struct nhi_pdf_cell){ nhi_rpt_word_for(r, "severity", sev),
                                    &c, NHI_PDF_BOLD };
  cells[4] = (struct nhi_pdf_cell){
    nhi_rpt_word_for(r, "effort", get_str(a, "effort")), NULL, 0 };
  cells[5] = (struct nhi_pdf_cell){
    cJSON_IsTrue(win) ? nhi_rpt_word(r, "plan.quick_win") : "", &r->accent,
    NHI_PDF_BOLD };
  return nhi_pdf_table_row(&r->pdf, t, cells);
}

static enum nhi_rc plan_table(struct nhi_rpt *r, const cJSON *actions)
{
  static const float widths[] = { 0.06f, 0.42f, 0.13f, 0.14f, 0.10f,
                                  0.15f };
  static const enum nhi_pdf_align align[] = {
    NHI_PDF_RIGHT, NHI_PDF_LEFT, NHI_PDF_RIGHT, NHI_PDF_LEFT, NHI_PDF_LEFT,
    NHI_PDF_CENTRE };
  const char *head[] = { nhi_rpt_word(r, "column.number"),
                         nhi_rpt_word(r, "column.action"),
                         nhi_rpt_word(r, "column.identities"),
                         nhi_rpt_word(r, "column.severity"),
                         nhi_rpt_word(r, "column.effort"),
                         nhi_rpt_word(r, "column.quick_win") };
  struct nhi_pdf_table t = { 6, widths, align, head, r->table,
                             r->table_head, 0, 0, 0 };
  const cJSON *a;
  size_t i = 0;
  enum nhi_rc rc = NHI_OK;

  cJSON_ArrayForEach(a, actions) {
    rc = plan_row(r, &t, a, i++);
    if (rc)
      break;
  }
  return rc;
}

enum nhi_rc nhi_rpt_render_plan(struct nhi_rpt *r)
{
  const cJSON *actions = get_arr(r->root, "remediation");
  int n = cJSON_GetArraySize(actions);
  char num[NHI_RPT_NUM_SIZE];
  enum nhi_rc rc;

  if (!actions)
    return NHI_OK;
  rc = nhi_rpt_section(r, "plan", "section.plan");
  if (rc)
    return rc;
  if (n <= 0)
    return nhi_rpt_say(r, &r->body, 0, "plan.none", NULL);
  nhi_rpt_fmt_num(n, num);
  rc = nhi_rpt_say(r, &r->body, 0, n == 1 ? "plan.intro.one" : "plan.intro",
                   (const char *const[]){ "count", num, NULL });
  if (!rc) {
    nhi_pdf_gap(&r->pdf, r->body.size * 0.5f);
    rc = plan_table(r, actions);
  }
  return rc;
}
