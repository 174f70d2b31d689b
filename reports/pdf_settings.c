/* The PDF report's statement of the assessment's settings: the
 * framework, the profile, what it changed of the checks, and the labels,
 * tag rules, trusted accounts and path length it gave (report.json's
 * assessment.profile). */
#include "pdf_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "check: param = value", a line each. */
static void overrides_text(struct nhi_pdf_buf *b, const cJSON *checks)
{
  const cJSON *check, *param;

  cJSON_ArrayForEach(check, checks)
    cJSON_ArrayForEach(param, check) {
      if (b->len)
        nhi_pdf_buf_add(b, "\n");
      nhi_pdf_buf_add(b, check->string);
      nhi_pdf_buf_add(b, ": ");
      nhi_pdf_buf_add(b, param->string);
      nhi_pdf_buf_add(b, " = ");
      nhi_rpt_buf_value(b, param);
    }
}

/* The strings of list, joined by sep. */
static void list_text(struct nhi_pdf_buf *b, const cJSON *list,
                      const char *sep)
{
  const cJSON *v;

  cJSON_ArrayForEach(v, list) {
    if (b->len)
      nhi_pdf_buf_add(b, sep);
    nhi_rpt_buf_value(b, v);
  }
}

/* "pattern: level", a line each, the level in the catalogue's words. */
static void labels_text(const struct nhi_rpt *r, struct nhi_pdf_buf *b,
                        const cJSON *labels)
{
  const cJSON *v;

  cJSON_ArrayForEach(v, labels) {
    if (b->len)
      nhi_pdf_buf_add(b, "\n");
    nhi_pdf_buf_add(b, v->string);
    nhi_pdf_buf_add(b, ": ");
    nhi_pdf_buf_add(b, nhi_rpt_word_for(r, "level",
                                        cJSON_GetStringValue(v)));
  }
}

/* "tag = value: level", a line each; "*" stands for any value. */
static void tag_rules_text(const struct nhi_rpt *r, struct nhi_pdf_buf *b,
                           const cJSON *tags)
{
  const cJSON *key, *v;

  cJSON_ArrayForEach(key, tags)
    cJSON_ArrayForEach(v, key) {
      if (b->len)
        nhi_pdf_buf_add(b, "\n");
      nhi_pdf_buf_add(b, key->string);
      nhi_pdf_buf_add(b, " = ");
      nhi_pdf_buf_add(b, strcmp(v->string, "*") == 0
                           ? nhi_rpt_word(r, "settings.any_value")
                           : v->string);
      nhi_pdf_buf_add(b, ": ");
      nhi_pdf_buf_add(b, nhi_rpt_word_for(r, "level",
                                          cJSON_GetStringValue(v)));
    }
}

/* The text of setting key of profile (a, the assessment, for the
 * framework) into b; empty when it is not set. */
static void setting_text(const struct nhi_rpt *r, const cJSON *a,
                         const char *key, struct nhi_pdf_buf *b)
{
  const cJSON *profile = get_obj(a, "profile");
  const cJSON *v = get_item(profile, key);
  char n[NHI_RPT_NUM_SIZE];

  if (strcmp(key, "framework") == 0)
    nhi_pdf_buf_add(b, nhi_rpt_word_for(r, "framework",
                                        get_str(a, "framework")));
  else if (strcmp(key, "overrides") == 0)
    overrides_text(b, v);
  else if (strcmp(key, "disabled") == 0)
    list_text(b, v, "\n");
  else if (strcmp(key, "known_accounts") == 0)
    list_text(b, v, ", ");
  else if (strcmp(key, "sensitivity") == 0)
    labels_text(r, b, v);
  else if (strcmp(key, "sensitivity_tags") == 0)
    tag_rules_text(r, b, v);
  else if (strcmp(key, "max_hops") == 0 && cJSON_IsNumber(v)) {
    nhi_rpt_fmt_num(v->valuedouble, n);
    nhi_pdf_buf_add(b, n);
  } else if (strcmp(key, "profile") == 0 && cJSON_IsString(v)) {
    /* Its name: where it lay on the assessor's machine is no news to
     * the reader (report.json keeps the whole path). */
    nhi_pdf_buf_add(b, strrchr(v->valuestring, '/')
                         ? strrchr(v->valuestring, '/') + 1
                         : v->valuestring);
  }
}

/* The settings in the order they are listed, each with the word used
 * when it is not set. */
static const char *const settings[][2] = {
  { "framework", "value.none" },
  { "profile", "settings.no_profile" },
  { "overrides", "settings.no_overrides" },
  { "disabled", "settings.none_disabled" },
  { "sensitivity", "settings.no_labels" },
  { "sensitivity_tags", "settings.no_tag_rules" },
  { "known_accounts", "settings.no_known_accounts" },
  { "max_hops", "value.none" },
};

static enum nhi_rc settings_row(struct nhi_rpt *r,
                                struct nhi_pdf_table *t,
                                const cJSON *a, size_t i)
{
  struct nhi_pdf_buf b = { 0 };
  char key[48];
  enum nhi_rc rc;

  snprintf(key, sizeof key, "setting.%s", settings[i][0]);
  setting_text(r, a, settings[i][0], &b);
  if (b.failed) {
    free(b.s);
    nhi_rpt_no_memory(r);
    return NHI_ERR_NOMEM;
  }
  rc = nhi_pdf_table_row(&r->pdf, t, (struct nhi_pdf_cell[]){
    { nhi_rpt_word(r, key), NULL, NHI_PDF_BOLD },
    { b.len ? b.s : nhi_rpt_word(r, settings[i][1]), NULL, 0 } });
  free(b.s);
  return rc;
}

enum nhi_rc nhi_rpt_render_settings(struct nhi_rpt *r)
{
  static const float widths[] = { 0.32f, 0.68f };
  const char *head[] = { nhi_rpt_word(r, "column.setting"),
                         nhi_rpt_word(r, "column.value") };
  struct nhi_pdf_table t = { 2, widths, NULL, head, r->table,
                             r->table_head, 0, 0, 0 };
  const cJSON *a = get_obj(r->root, "assessment");
  enum nhi_rc rc = nhi_rpt_subheading(r, "coverage.settings");

  if (!rc)
    rc = nhi_rpt_say(r, &r->body, 0, "settings.intro", NULL);
  for (size_t i = 0; !rc && i < sizeof settings / sizeof *settings; i++)
    rc = settings_row(r, &t, a, i);
  return rc;
}
