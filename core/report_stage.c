/* The report stage: score the store, write report.json and report.pdf. */
#include "runtime.h"
#include "report_json.h"
#include "report_pdf.h"
#include "report_plan.h"
#include "report_template.h"
#include "score.h"
#include "json.h"
#include "strutil.h"
#include "words.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Where a font named by templates/report.json is looked for: the
 * templates' own fonts/ folder, then the system's DejaVu fonts. */
#define SYSTEM_FONTS "/usr/share/fonts/truetype/dejavu"

/* Returns the malloc'd path of the font, or NULL (logged). */
static char *find_font(const char *templates, const char *name)
{
  char *path = nhi_aprintf("%s/fonts/%s", templates, name);

  if (path && access(path, R_OK) == 0)
    return path;
  free(path);
  path = nhi_aprintf("%s/%s", SYSTEM_FONTS, name);
  if (path && access(path, R_OK) == 0)
    return path;
  free(path);
  nhi_error("cannot find font '%s' (named in %s/report.json) in "
            "%s/fonts or " SYSTEM_FONTS, name, templates, templates);
  return NULL;
}

static const char *font_name(const cJSON *layout, const char *face)
{
  const cJSON *fonts = cJSON_GetObjectItemCaseSensitive(layout, "fonts");
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(fonts, face);

  if (cJSON_IsString(name))
    return name->valuestring;
  return strcmp(face, "bold") ? "DejaVuSans.ttf" : "DejaVuSans-Bold.ttf";
}

/* The report's language, or English when no catalogue exists for it
 * (said once, when quiet is 0). */
static const char *pick_lang(const char *templates, const cJSON *report,
                             int quiet)
{
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(report, "assessment");
  const cJSON *lang = cJSON_GetObjectItemCaseSensitive(a, "lang");
  char *path;
  int found;

  if (!cJSON_IsString(lang) || strchr(lang->valuestring, '/'))
    return "en";
  path = nhi_aprintf("%s/lang/%s.json", templates, lang->valuestring);
  found = path && access(path, R_OK) == 0;
  free(path);
  if (found || quiet)
    return found ? lang->valuestring : "en";
  nhi_warn("no word catalogue for language '%s' in %s/lang: writing the "
           "PDF in English", lang->valuestring, templates);
  return "en";
}

static enum nhi_rc write_pdf(struct nhi_runtime *rt, const cJSON *report,
                             const char *path)
{
  char *templates = nhi_aprintf("%s/templates", rt->home);
  struct nhi_pdf_options o = { 0 };
  cJSON *layout = NULL;
  char *regular = NULL, *bold = NULL;
  enum nhi_rc rc = templates ? NHI_OK : NHI_ERR_NOMEM;

  if (!rc)
    rc = nhi_template_read(templates, rt->opt.template_name, &layout);
  if (!rc) {
    regular = find_font(templates, font_name(layout, "regular"));
    bold = regular ? find_font(templates, font_name(layout, "bold")) : NULL;
    rc = bold ? NHI_OK : NHI_ERR_INPUT;
  }
  o = (struct nhi_pdf_options){ templates, rt->opt.template_name,
                                pick_lang(templates, report, 0), regular,
                                bold, NULL };
  if (!rc)
    rc = nhi_pdf_render(report, &o, path);
  cJSON_Delete(layout);
  free(templates);
  free(regular);
  free(bold);
  return rc;
}

enum nhi_rc nhi_stage_report_check_template(struct nhi_runtime *rt)
{
  char *templates = nhi_aprintf("%s/templates", rt->home);
  cJSON *layout = NULL;
  enum nhi_rc rc = templates ? NHI_OK : NHI_ERR_NOMEM;

  if (!rc && rt->opt.template_name)
    rc = nhi_template_read(templates, rt->opt.template_name, &layout);
  cJSON_Delete(layout);
  free(templates);
  return rc;
}

/* report.json, then the PDF and the other formats from the same tree,
 * its raw values settled as parsing the written text would. */
static enum nhi_rc write_reports(struct nhi_runtime *rt, cJSON *tree)
{
  char *json_path = nhi_aprintf("%s/report.json", rt->opt.out_dir);
  char *pdf_name = nhi_template_pdf_name(rt->opt.template_name ?
                                         rt->opt.template_name :
                                         NHI_TEMPLATE_DEFAULT);
  char *pdf_path = pdf_name ? nhi_aprintf("%s/%s", rt->opt.out_dir,
                                          pdf_name) : NULL;
  enum nhi_rc rc = json_path && pdf_path ? NHI_OK : NHI_ERR_NOMEM;

  if (!rc && (rt->opt.formats & NHI_FORMAT_JSON))
    rc = nhi_report_write_tree(tree, json_path);
  if (!rc)
    rc = nhi_report_settle(tree);
  if (!rc && (rt->opt.formats & NHI_FORMAT_PDF))
    rc = write_pdf(rt, tree, pdf_path);
  if (!rc)
    rc = nhi_stage_report_formats(rt, tree);
  free(json_path);
  free(pdf_name);
  free(pdf_path);
  return rc;
}

/* report.json's remediation plan, in the report's language; words the
 * catalogue lacks are reported once, by the PDF. */
static enum nhi_rc add_remediation(struct nhi_runtime *rt, cJSON *report)
{
  char *templates = nhi_aprintf("%s/templates", rt->home);
  cJSON *words = NULL;
  enum nhi_rc rc = templates ? NHI_OK : NHI_ERR_NOMEM;

  if (!rc)
    rc = nhi_words_load(templates, pick_lang(templates, report, 1), 1,
                        &words);
  if (!rc)
    rc = nhi_report_add_remediation(report, rt->store, words);
  cJSON_Delete(words);
  free(templates);
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
    rc = add_remediation(rt, report);
  if (!rc)
    rc = nhi_stage_report_add_baseline(rt, report);
  if (!rc)
    rc = write_reports(rt, report);
  if (!rc)
    nhi_info("wrote the reports in %s", rt->opt.out_dir);
  cJSON_Delete(report);
  return rc;
}
