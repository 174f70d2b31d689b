/* The PDF report's coverage: which sources were read, which plugins ran. */
#include "pdf_report.h"

#include <string.h>

static enum nhi_rc sources_table(struct nhi_rpt *r, const cJSON *sources)
{
  static const float widths[] = { 0.36f, 0.14f, 0.50f };
  const char *head[] = { nhi_rpt_word(r, "column.source"),
                         nhi_rpt_word(r, "column.status"),
                         nhi_rpt_word(r, "column.error") };
  struct nhi_pdf_table t = { 3, widths, NULL, head, r->table,
                             r->table_head, 0, 0, 0 };
  const char *none = nhi_rpt_word(r, "value.none");
  const cJSON *s;
  enum nhi_rc rc = NHI_OK;

  cJSON_ArrayForEach(s, sources) {
    const char *spec = get_str(s, "spec"), *error = get_str(s, "error");
    const char *status = get_str(s, "status");
    struct nhi_pdf_rgb c = nhi_rpt_colour(r, "status", status, "#616E7C");
    struct nhi_pdf_cell cells[] = {
      { spec ? spec : none, NULL, 0 },
      { nhi_rpt_word_for(r, "status", status), &c, NHI_PDF_BOLD },
      { error ? error : none, NULL, 0 } };

    rc = nhi_pdf_table_row(&r->pdf, &t, cells);
    if (rc)
      break;
  }
  return rc;
}

static int is_status(const cJSON *plugin, const char *status)
{
  const char *s = get_str(plugin, "status");

  return s && !strcmp(s, status);
}

static enum nhi_rc plugin_summary(struct nhi_rpt *r, const cJSON *plugins)
{
  const cJSON *pl;
  double ok = 0, total = 0;
  char a[NHI_RPT_NUM_SIZE], b[NHI_RPT_NUM_SIZE];

  cJSON_ArrayForEach(pl, plugins) {
    total++;
    ok += is_status(pl, "ok");
  }
  if (!total)
    return NHI_OK;
  nhi_rpt_fmt_num(ok, a);
  nhi_rpt_fmt_num(total, b);
  nhi_pdf_gap(&r->pdf, r->body.size * 0.8f);
  return nhi_rpt_say(r, &r->body, 0, "coverage.plugins",
                     (const char *const[]){ "ok", a, "total", b, NULL });
}

static enum nhi_rc failed_plugins(struct nhi_rpt *r, const cJSON *plugins)
{
  static const float widths[] = { 0.34f, 0.66f };
  const char *head[] = { nhi_rpt_word(r, "column.plugin"),
                         nhi_rpt_word(r, "column.error") };
  struct nhi_pdf_table t = { 2, widths, NULL, head, r->table,
                             r->table_head, 0, 0, 0 };
  const char *none = nhi_rpt_word(r, "value.none");
  const cJSON *pl;
  enum nhi_rc rc = NHI_OK;
  int shown = 0;

  cJSON_ArrayForEach(pl, plugins) {
    const char *id = get_str(pl, "id"), *error = get_str(pl, "error");
    struct nhi_pdf_cell cells[] = { { id ? id : none, NULL, 0 },
                                    { error ? error : none, NULL, 0 } };

    if (!is_status(pl, "failed"))
      continue;
    if (!shown++)
      rc = nhi_rpt_subheading(r, "coverage.plugins_failed");
    if (!rc)
      rc = nhi_pdf_table_row(&r->pdf, &t, cells);
    if (rc)
      break;
  }
  return rc;
}

enum nhi_rc nhi_rpt_render_coverage(struct nhi_rpt *r)
{
  const cJSON *a = get_obj(r->root, "assessment");
  const cJSON *sources = get_arr(a, "sources");
  const cJSON *plugins = get_arr(r->root, "plugins");
  enum nhi_rc rc = nhi_rpt_section(r, "coverage", "section.coverage");

  if (!rc)
    rc = nhi_rpt_subheading(r, "coverage.sources");
  if (!rc && !cJSON_GetArraySize(sources))
    rc = nhi_rpt_say(r, &r->body, 0, "coverage.no_sources", NULL);
  if (!rc)
    rc = sources_table(r, sources);
  if (!rc)
    rc = plugin_summary(r, plugins);
  if (!rc)
    rc = failed_plugins(r, plugins);
  if (!rc)
    rc = nhi_rpt_render_settings(r);
  return rc;
}
