/* The report stage: score the store, write report.json and report.pdf. */
#include "runtime.h"
#include "report_json.h"
#include "report_pdf.h"
#include "score.h"

#include <stdio.h>
#include <stdlib.h>

#define FONT_DIR "/usr/share/fonts/truetype/dejavu"

static enum nhi_rc write_pdf(struct nhi_runtime *rt, const cJSON *report,
                             const char *path)
{
  char templates[4096];
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(report, "assessment");
  const cJSON *lang = cJSON_GetObjectItemCaseSensitive(a, "lang");

  snprintf(templates, sizeof templates, "%s/templates", rt->home);
  return nhi_pdf_render(report, templates,
                        cJSON_IsString(lang) ? lang->valuestring : "en",
                        FONT_DIR "/DejaVuSans.ttf",
                        FONT_DIR "/DejaVuSans-Bold.ttf", path);
}

/* The PDF renders from report.json as written: parsing the text back
 * turns its exact raw numbers into ordinary cJSON values. */
static enum nhi_rc write_reports(struct nhi_runtime *rt, const cJSON *tree)
{
  char *text = cJSON_Print(tree);
  cJSON *parsed = NULL;
  char path[4096];
  enum nhi_rc rc = text ? NHI_OK : NHI_ERR_NOMEM;

  snprintf(path, sizeof path, "%s/report.json", rt->opt.out_dir);
  if (!rc)
    rc = nhi_report_write_text(text, path);
  if (!rc && !(parsed = cJSON_Parse(text)))
    rc = NHI_ERR_NOMEM;
  snprintf(path, sizeof path, "%s/report.pdf", rt->opt.out_dir);
  if (!rc)
    rc = write_pdf(rt, parsed, path);
  cJSON_Delete(parsed);
  free(text);
  return rc;
}

enum nhi_rc nhi_stage_report(struct nhi_runtime *rt)
{
  struct nhi_score score;
  cJSON *report = NULL;
  enum nhi_rc rc;

  rc = nhi_score_compute(rt->store, &score);
  if (!rc)
    rc = nhi_report_build(rt->store, &score, &report);
  if (!rc)
    rc = write_reports(rt, report);
  if (!rc)
    nhi_info("wrote %s/report.json and %s/report.pdf", rt->opt.out_dir,
             rt->opt.out_dir);
  cJSON_Delete(report);
  return rc;
}
