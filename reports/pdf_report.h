/* What the PDF report's sections share: the rendering and its helpers. */
#ifndef NHI_PDF_REPORT_H
#define NHI_PDF_REPORT_H

#include "nhi.h"
#include "pdf_layout.h"

#include <cJSON.h>

/* Room for any number nhi_rpt_fmt_num writes. */
#define NHI_RPT_NUM_SIZE 32

/* A severity id as report.json writes it, with its catalogue key. */
struct nhi_rpt_severity {
  const char *id, *count_key;
};

#define NHI_RPT_N_SEVERITIES 5

/* The severities from critical down to info. */
extern const struct nhi_rpt_severity
  nhi_rpt_severities[NHI_RPT_N_SEVERITIES];

/* Most sections the table of contents lists; the report has fewer. */
#define NHI_RPT_TOC_MAX 16

/* A section as the table of contents lists it. */
struct nhi_rpt_toc_entry {
  const char *key;             /* its heading's catalogue key */
  unsigned page;               /* counted from 1 */
};

/* The catalogue's words for the check last asked about
 * (pdf_check_text.c); each NULL when the catalogue has none. */
struct nhi_rpt_check_words {
  const char *check, *title, *remediation;
};

/* Everything one rendering needs; the templates are owned here. */
struct nhi_rpt {
  struct nhi_pdf pdf;
  const cJSON *root;           /* report.json's tree, borrowed */
  cJSON *layout, *words;       /* report.json and lang/<lang>.json */
  const char *client;          /* from root, borrowed */
  const char *title_key;       /* the catalogue key of the title */
  struct nhi_pdf_text title, lead, headline, heading, sub, body, muted;
  struct nhi_pdf_text small, small_bold, small_muted, table, table_head;
  struct nhi_pdf_text label, score, product, number;
  struct nhi_pdf_rgb accent, panel, rule;
  float header_offset, footer_offset;
  int header_first;
  float pill_w;                /* width of the answer labels */
  float heading_end;           /* cursor right under the last heading */
  unsigned toc_page;           /* the contents page, 0 until reserved */
  struct nhi_rpt_toc_entry toc[NHI_RPT_TOC_MAX];
  size_t ntoc;
  struct nhi_rpt_check_words check_words;
};

/* obj.key, or NULL (0 from get_num) when obj is not an object or key is
 * missing or holds another type. Borrowed from obj. */
static inline const cJSON *get_item(const cJSON *obj, const char *key)
{
  return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key)
                             : NULL;
}

static inline const char *get_str(const cJSON *obj, const char *key)
{
  const cJSON *v = get_item(obj, key);

  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static inline int get_num(const cJSON *obj, const char *key, double *out)
{
  const cJSON *v = get_item(obj, key);

  if (!cJSON_IsNumber(v))
    return 0;
  *out = v->valuedouble;
  return 1;
}

static inline const cJSON *get_obj(const cJSON *obj, const char *key)
{
  const cJSON *v = get_item(obj, key);

  return cJSON_IsObject(v) ? v : NULL;
}

static inline const cJSON *get_arr(const cJSON *obj, const char *key)
{
  const cJSON *v = get_item(obj, key);

  return cJSON_IsArray(v) ? v : NULL;
}

/* pdf_words.c: the templates, the catalogue and the words it fills. */

/* Reads template name (NULL: the default) from dir into r->layout (see
 * nhi_template_read) and dir/lang/<lang>.json into r->words (r owns
 * both). path names the report in messages. Returns NHI_OK, or logs and
 * returns NHI_ERR_USAGE, NHI_ERR_INPUT or NHI_ERR_NOMEM. */
enum nhi_rc nhi_rpt_load_templates(struct nhi_rpt *r, const char *dir,
                                   const char *name, const char *lang,
                                   const char *path);

/* v as text in out: whole numbers without a fraction. */
void nhi_rpt_fmt_num(double v, char out[NHI_RPT_NUM_SIZE]);

/* The catalogue's text for key, or the key itself when it has none. The
 * string is borrowed from r or key. */
const char *nhi_rpt_word(const struct nhi_rpt *r, const char *key);

/* The catalogue's text for "prefix.id", else id (or the "none" word when
 * id is NULL). Borrowed, like nhi_rpt_word's. */
const char *nhi_rpt_word_for(const struct nhi_rpt *r, const char *prefix,
                             const char *id);

/* The number at obj.key as text in buf, or the "none" word. Returns buf
 * or a borrowed word. */
const char *nhi_rpt_num_text(const struct nhi_rpt *r, const cJSON *obj,
                             const char *key, char buf[NHI_RPT_NUM_SIZE]);

/* Logs that the report ran out of memory; returns NULL. */
void *nhi_rpt_no_memory(const struct nhi_rpt *r);

/* The catalogue's text for key with {placeholders} filled from pairs
 * (see nhi_pdf_subst); the caller frees it. NULL (logged) when out of
 * memory. */
char *nhi_rpt_fill(const struct nhi_rpt *r, const char *key,
                   const char *const *pairs);

/* Adds v to b as text: a string as it is, anything else as compact
 * JSON (b->failed when out of memory). */
void nhi_rpt_buf_value(struct nhi_pdf_buf *b, const cJSON *v);

/* A copy of s the caller frees; NULL (logged) when out of memory. */
char *nhi_rpt_copy_text(const struct nhi_rpt *r, const char *s);

/* iso as "1 December 2026" in the catalogue's words, iso itself when it
 * is not a time, the "none" word when NULL. The caller frees it; NULL
 * (logged) when out of memory. */
char *nhi_rpt_format_date(const struct nhi_rpt *r, const char *iso);

/* pdf_style.c: page geometry, text styles and colours from the layout. */

/* Fills st and r's text styles, colours and header and footer settings
 * from r->layout, with defaults for whatever it lacks. The template's
 * and the report's brand colours are written into r->layout's colours
 * first. */
void nhi_rpt_load_styles(struct nhi_rpt *r, struct nhi_pdf_style *st);

/* colours[.group].key from the layout template, else the colour def
 * ("#RRGGBB"). */
struct nhi_pdf_rgb nhi_rpt_colour(const struct nhi_rpt *r,
                                  const char *group, const char *key,
                                  const char *def);

/* pdf_blocks.c: pieces every section draws with. */

/* Width between the left and right margins. */
float nhi_rpt_content_width(const struct nhi_rpt *r);

/* Height of a label drawn by nhi_rpt_draw_pill. */
float nhi_rpt_pill_height(const struct nhi_rpt *r);

/* Writes text in a filled box whose top-left corner is (x, top); a w of
 * 0 fits the box to the text. Returns the rc of drawing the text. */
enum nhi_rc nhi_rpt_draw_pill(struct nhi_rpt *r, float x, float top,
                              float w, const char *text,
                              const struct nhi_pdf_rgb *bg);

/* Writes the catalogue's text for key, {placeholders} filled from pairs,
 * as a paragraph in t. Returns NHI_OK or the failure (logged). */
enum nhi_rc nhi_rpt_say(struct nhi_rpt *r, const struct nhi_pdf_text *t,
                        float indent, const char *key,
                        const char *const *pairs);

/* Opens section id (on a new page when the layout asks for it) with the
 * catalogue's heading for key, kept with room for some text under it, a
 * bookmark and a rule. */
enum nhi_rc nhi_rpt_section(struct nhi_rpt *r, const char *id,
                            const char *key);

/* The catalogue's subheading for key, kept with the start of what
 * follows it. */
enum nhi_rc nhi_rpt_subheading(struct nhi_rpt *r, const char *key);

/* The sections, drawn in this order; each returns NHI_OK or the failure
 * (logged). */

/* pdf_cover.c: product, title, client, date, author, confidential. */
enum nhi_rc nhi_rpt_render_cover(struct nhi_rpt *r);

/* pdf_toc.c: the table of contents. */

/* Starts the contents page (left blank until nhi_rpt_render_toc) and a
 * page for the sections after it. */
enum nhi_rc nhi_rpt_reserve_toc(struct nhi_rpt *r);

/* Writes every section's heading and page on the reserved page, once
 * all sections are drawn; does nothing when none was reserved. */
enum nhi_rc nhi_rpt_render_toc(struct nhi_rpt *r);

/* pdf_questions.c: the overall score and each question's answer. */
enum nhi_rc nhi_rpt_render_questions(struct nhi_rpt *r);

/* pdf_risks.c: the checks with the most severe findings, in business
 * words: what an attacker could do, who is involved, what to do. */
enum nhi_rc nhi_rpt_render_risks(struct nhi_rpt *r);

/* pdf_inventory.c: identity counts, tables by provider and kind, and a
 * bar chart by kind. */
enum nhi_rc nhi_rpt_render_inventory(struct nhi_rpt *r);

/* pdf_ai.c: the AI agents, the identities they run as, and their paths
 * to sensitive data with whether the activity traces them. */
enum nhi_rc nhi_rpt_render_ai(struct nhi_rpt *r);

/* pdf_findings.c: the findings table and each check's remediation. */
enum nhi_rc nhi_rpt_render_findings(struct nhi_rpt *r);

/* pdf_evidence.c: every finding with its status, confidence, threshold
 * and full evidence, for the technical template. */
enum nhi_rc nhi_rpt_render_evidence(struct nhi_rpt *r);

/* pdf_plan.c: the remediation plan, one row per action; nothing when
 * the report has no plan. */
enum nhi_rc nhi_rpt_render_plan(struct nhi_rpt *r);

/* pdf_coverage.c: sources read and plugins run. */
enum nhi_rc nhi_rpt_render_coverage(struct nhi_rpt *r);

/* Finding f's title in the report's language into *title: the
 * catalogue's "check.<id>.title" with the finding's threshold values in
 * its {placeholders}, else the title the check wrote (NULL if none).
 * *owned is set, for the caller to free, when the text was made.
 * NHI_ERR_NOMEM (logged). */
enum nhi_rc nhi_rpt_finding_title(struct nhi_rpt *r, const cJSON *f,
                                  const char **title, char **owned);

/* The remediation of f's check in the report's language: the
 * catalogue's "check.<id>.remediation", else the finding's. Borrowed. */
const char *nhi_rpt_finding_remediation(struct nhi_rpt *r, const cJSON *f);

/* The assessment's settings (framework, profile, overridden params,
 * disabled checks, labels, tag rules, known accounts, path length), as
 * part of the coverage section. */
enum nhi_rc nhi_rpt_render_settings(struct nhi_rpt *r);

#endif
