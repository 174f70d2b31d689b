/* The PDF report: report.json's tree laid out for executives. */
#include "report_pdf.h"

#include "json.h"
#include "pdf_layout.h"
#include "timeutil.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define NUM_SIZE 32
#define MM (72.0 / 25.4)

/* Severity ids as report.json writes them, with their catalogue keys. */
static const struct severity {
  const char *id, *count_key;
} severities[] = {
  { "critical", "count.critical" },
  { "high", "count.high" },
  { "medium", "count.medium" },
  { "low", "count.low" },
  { "info", "count.info" },
};

#define N_SEVERITIES (sizeof severities / sizeof *severities)

/* Everything one rendering needs; the templates are owned here. */
struct report {
  struct nhi_pdf pdf;
  const cJSON *root;
  cJSON *layout, *words;
  const char *client;
  struct nhi_pdf_text title, lead, headline, heading, sub, body, muted;
  struct nhi_pdf_text small, small_bold, small_muted, table, table_head;
  struct nhi_pdf_text label, score, product, number;
  struct nhi_pdf_rgb accent, panel, rule;
  float header_offset, footer_offset;
  int header_first;
  float pill_w;
  float heading_end;           /* cursor right under the last heading */
};

static const cJSON *get_item(const cJSON *obj, const char *key)
{
  return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key)
                             : NULL;
}

static const char *get_str(const cJSON *obj, const char *key)
{
  const cJSON *v = get_item(obj, key);

  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int get_num(const cJSON *obj, const char *key, double *out)
{
  const cJSON *v = get_item(obj, key);

  if (!cJSON_IsNumber(v))
    return 0;
  *out = v->valuedouble;
  return 1;
}

static const cJSON *get_obj(const cJSON *obj, const char *key)
{
  const cJSON *v = get_item(obj, key);

  return cJSON_IsObject(v) ? v : NULL;
}

static const cJSON *get_arr(const cJSON *obj, const char *key)
{
  const cJSON *v = get_item(obj, key);

  return cJSON_IsArray(v) ? v : NULL;
}

static void fmt_num(double v, char out[NUM_SIZE])
{
  if (fabs(v) < 1e15 && v == floor(v))
    snprintf(out, NUM_SIZE, "%.0f", v);
  else
    snprintf(out, NUM_SIZE, "%.3g", v);
}

/* The catalogue's text for key, or the key itself when it has none. */
static const char *word(const struct report *r, const char *key)
{
  const char *s = get_str(r->words, key);

  return s ? s : key;
}

/* The catalogue's text for "prefix.id", else id (or the "none" word). */
static const char *word_for(const struct report *r, const char *prefix,
                            const char *id)
{
  const cJSON *w;
  size_t n = strlen(prefix);

  if (!id)
    return word(r, "value.none");
  cJSON_ArrayForEach(w, r->words)
    if (cJSON_IsString(w) && w->string && !strncmp(w->string, prefix, n) &&
        w->string[n] == '.' && !strcmp(w->string + n + 1, id))
      return w->valuestring;
  return id;
}

/* The number at obj.key as text in buf, or the "none" word. */
static const char *num_text(const struct report *r, const cJSON *obj,
                            const char *key, char buf[NUM_SIZE])
{
  double v;

  if (!get_num(obj, key, &v))
    return word(r, "value.none");
  fmt_num(v, buf);
  return buf;
}

static void *no_memory(const struct report *r)
{
  nhi_error("cannot write report '%s': out of memory", r->pdf.path);
  return NULL;
}

/* The catalogue's text for key with {placeholders} filled from pairs;
 * the caller frees it. NULL (logged) when out of memory. */
static char *fill(const struct report *r, const char *key,
                  const char *const *pairs)
{
  char *s = nhi_pdf_subst(word(r, key), pairs);

  return s ? s : no_memory(r);
}

/* Writes the filled text of key as a paragraph. */
static enum nhi_rc say(struct report *r, const struct nhi_pdf_text *t,
                       float indent, const char *key,
                       const char *const *pairs)
{
  char *s = fill(r, key, pairs);
  enum nhi_rc rc;

  if (!s)
    return NHI_ERR_NOMEM;
  rc = nhi_pdf_para(&r->pdf, t, indent, s);
  free(s);
  return rc;
}

static const cJSON *layout_item(const struct report *r, const char *group,
                                const char *key)
{
  return get_item(group ? get_obj(r->layout, group) : r->layout, key);
}

/* A number from the layout template, def when missing or out of range. */
static float layout_num(const struct report *r, const char *group,
                        const char *key, double def, double lo, double hi)
{
  const cJSON *v = layout_item(r, group, key);

  if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi)
    return (float)def;
  return (float)v->valuedouble;
}

/* colours[.group].key from the layout template, else the colour def. */
static struct nhi_pdf_rgb colour(const struct report *r, const char *group,
                                 const char *key, const char *def)
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

static float margin(const struct report *r, const char *side)
{
  const cJSON *m = get_obj(get_obj(r->layout, "page"), "margins_mm");
  double v;

  if (!get_num(m, side, &v) || v < 0 || v > 80)
    v = 20;
  return (float)(v * MM);
}

static void load_style(struct report *r, struct nhi_pdf_style *st)
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
  st->rule = colour(r, NULL, "rule", "#CBD2D9");
  st->table_head = colour(r, NULL, "table_head", "#E4E7EB");
  st->zebra = colour(r, NULL, "zebra", "#F5F7FA");
  r->header_offset = (float)(layout_num(r, "header", "offset_mm", 10, 0,
                                        60) * MM);
  r->footer_offset = (float)(layout_num(r, "footer", "offset_mm", 10, 0,
                                        60) * MM);
  r->header_first = cJSON_IsTrue(layout_item(r, "header", "first_page"));
}

static struct nhi_pdf_text style(const struct report *r,
                                 enum nhi_pdf_face face, const char *size,
                                 double def, const char *ink)
{
  struct nhi_pdf_text t;

  t.face = face;
  t.size = layout_num(r, "font_sizes", size, def, 4, 72);
  t.colour = colour(r, NULL, ink, "#1F2933");
  return t;
}

static void load_text_styles(struct report *r)
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
  r->accent = colour(r, NULL, "accent", "#1F4E79");
  r->panel = colour(r, NULL, "panel", "#EEF2F7");
  r->rule = colour(r, NULL, "rule", "#CBD2D9");
}

static int is_lang_name(const char *lang)
{
  if (!*lang)
    return 0;
  for (const char *c = lang; *c; c++)
    if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
      return 0;
  return 1;
}

/* dir + "/" + the parts; the caller frees it. */
static char *join_path(const char *dir, const char *a, const char *b,
                       const char *c)
{
  struct nhi_pdf_buf buf = { 0 };

  nhi_pdf_buf_add(&buf, dir);
  nhi_pdf_buf_add(&buf, "/");
  nhi_pdf_buf_add(&buf, a);
  nhi_pdf_buf_add(&buf, b);
  nhi_pdf_buf_add(&buf, c);
  if (!buf.failed)
    return buf.s;
  free(buf.s);
  return NULL;
}

static enum nhi_rc read_object(const char *path, cJSON **out)
{
  enum nhi_rc rc = nhi_json_read_file(path, out);

  if (!rc && !cJSON_IsObject(*out)) {
    nhi_error("cannot read '%s': expected a JSON object", path);
    rc = NHI_ERR_INPUT;
  }
  return rc;
}

static enum nhi_rc load_templates(struct report *r, const char *dir,
                                  const char *lang, const char *path)
{
  char *layout_path = NULL, *words_path = NULL;
  enum nhi_rc rc = NHI_ERR_NOMEM;

  if (!is_lang_name(lang)) {
    nhi_error("cannot write report '%s': '%s' is not a language name",
              path, lang);
    return NHI_ERR_INPUT;
  }
  layout_path = join_path(dir, "report.json", NULL, NULL);
  words_path = join_path(dir, "lang/", lang, ".json");
  if (!layout_path || !words_path) {
    nhi_error("cannot write report '%s': out of memory", path);
    goto out;
  }
  rc = read_object(layout_path, &r->layout);
  if (!rc)
    rc = read_object(words_path, &r->words);
out:
  free(layout_path);
  free(words_path);
  return rc;
}

static float content_width(const struct report *r)
{
  return r->pdf.right - r->pdf.left;
}

static float pill_height(const struct report *r)
{
  return r->label.size * 1.8f;
}

/* Writes text in a filled box whose top-left corner is (x, top); a w of 0
 * fits the box to the text. */
static enum nhi_rc draw_pill(struct report *r, float x, float top, float w,
                             const char *text, const struct nhi_pdf_rgb *bg)
{
  float h = pill_height(r), pad = r->label.size * 0.8f;
  float base = top - h / 2 - r->label.size * 0.36f;

  if (w <= 0)
    w = nhi_pdf_text_width(&r->pdf, &r->label, text) + 2 * pad;
  nhi_pdf_rect(&r->pdf, x, top, w, h, bg);
  return nhi_pdf_line_at(&r->pdf, &r->label, x, base, w, NHI_PDF_CENTRE,
                         text);
}

/* The answer labels share the width of the widest answer word. */
static float answer_pill_width(const struct report *r)
{
  static const char *const keys[] = { "answer.yes", "answer.partly",
                                      "answer.no", "answer.not-assessed" };
  float w = 0, tw;

  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
    tw = nhi_pdf_text_width(&r->pdf, &r->label, word(r, keys[i]));
    if (tw > w)
      w = tw;
  }
  return w + r->label.size * 1.6f;
}

static int starts_new_page(const struct report *r, const char *id)
{
  const cJSON *s;

  cJSON_ArrayForEach(s, get_arr(get_obj(r->layout, "sections"), "new_page"))
    if (cJSON_IsString(s) && !strcmp(s->valuestring, id))
      return 1;
  return 0;
}

/* Opens section id with its heading (keeping room for some text under
 * it), a bookmark and a rule. */
static enum nhi_rc section(struct report *r, const char *id, const char *key)
{
  struct nhi_pdf *p = &r->pdf;
  float lh = nhi_pdf_line_height(p, &r->heading);
  enum nhi_rc rc = NHI_OK;

  if (p->y < p->top && starts_new_page(r, id))
    rc = nhi_pdf_new_page(p);
  if (!rc && p->y < p->top)
    nhi_pdf_gap(p, lh * 0.8f);
  if (!rc)
    rc = nhi_pdf_need(p, lh + 5 * nhi_pdf_line_height(p, &r->body));
  if (!rc)
    rc = nhi_pdf_bookmark(p, word(r, key));
  if (!rc)
    rc = nhi_pdf_para(p, &r->heading, 0, word(r, key));
  if (rc)
    return rc;
  nhi_pdf_rule(p, p->left, p->right, p->y + 2, 0.8f, &r->accent);
  nhi_pdf_gap(p, lh * 0.6f);
  r->heading_end = p->y;
  return NHI_OK;
}

/* A subheading kept with the start of what follows it. */
static enum nhi_rc subheading(struct report *r, const char *key)
{
  struct nhi_pdf *p = &r->pdf;
  float lh = nhi_pdf_line_height(p, &r->sub);
  enum nhi_rc rc;

  if (p->y < p->top && p->y != r->heading_end)
    nhi_pdf_gap(p, lh * 0.9f);
  rc = nhi_pdf_need(p, lh + 4 * nhi_pdf_line_height(p, &r->body));
  if (!rc)
    rc = nhi_pdf_para(p, &r->sub, 0, word(r, key));
  if (!rc)
    nhi_pdf_gap(p, lh * 0.2f);
  return rc;
}

static char *copy_text(const struct report *r, const char *s)
{
  char *c = strdup(s);

  return c ? c : no_memory(r);
}

/* iso as "1 December 2026" in the catalogue's words; the caller frees. */
static char *format_date(const struct report *r, const char *iso)
{
  char day[NUM_SIZE], year[NUM_SIZE], month[NUM_SIZE];
  time_t t;
  struct tm tm;

  if (!iso)
    return copy_text(r, word(r, "value.none"));
  if (nhi_time_parse(iso, &t) || !gmtime_r(&t, &tm))
    return copy_text(r, iso);
  snprintf(day, sizeof day, "%d", tm.tm_mday);
  snprintf(year, sizeof year, "%d", tm.tm_year + 1900);
  snprintf(month, sizeof month, "%d", tm.tm_mon + 1);
  return fill(r, "date.format", (const char *const[]){
    "day", day, "month", word_for(r, "month", month), "year", year, NULL });
}

/* prepared_by is a name, or an object holding one. */
static const char *prepared_by(const cJSON *assessment)
{
  const char *s = get_str(assessment, "prepared_by");

  return s ? s : get_str(get_obj(assessment, "prepared_by"), "name");
}

static enum nhi_rc title_meta(struct report *r, const cJSON *a)
{
  const char *now = get_str(a, "now"), *by = prepared_by(a);
  char *date = now ? format_date(r, now) : NULL;
  enum nhi_rc rc = NHI_OK;

  if (now && !date)
    return NHI_ERR_NOMEM;
  if (r->client)
    rc = say(r, &r->lead, 0, "title.prepared_for",
             (const char *const[]){ "client", r->client, NULL });
  nhi_pdf_gap(&r->pdf, r->body.size * 0.4f);
  if (!rc && date)
    rc = say(r, &r->muted, 0, "title.date",
             (const char *const[]){ "date", date, NULL });
  if (!rc && by)
    rc = say(r, &r->muted, 0, "title.prepared_by",
             (const char *const[]){ "name", by, NULL });
  free(date);
  return rc;
}

static enum nhi_rc render_title(struct report *r)
{
  struct nhi_pdf *p = &r->pdf;
  struct nhi_pdf_rgb red = colour(r, NULL, "confidential", "#A61B1B");
  enum nhi_rc rc;

  rc = nhi_pdf_para(p, &r->product, 0, word(r, "product.name"));
  if (!rc)
    rc = nhi_pdf_para(p, &r->title, 0, word(r, "report.title"));
  if (!rc) {
    nhi_pdf_gap(p, r->body.size);
    rc = title_meta(r, get_obj(r->root, "assessment"));
  }
  if (!rc) {
    nhi_pdf_gap(p, r->body.size * 0.8f);
    rc = nhi_pdf_need(p, pill_height(r));
  }
  if (!rc)
    rc = draw_pill(r, p->left, p->y, 0, word(r, "label.confidential"),
                   &red);
  if (rc)
    return rc;
  nhi_pdf_gap(p, pill_height(r) + r->body.size * 1.4f);
  nhi_pdf_rule(p, p->left, p->right, p->y, 0.6f, &r->rule);
  nhi_pdf_gap(p, r->body.size * 1.4f);
  return NHI_OK;
}

/* One big figure in the score panel: a caption over a value. */
static enum nhi_rc panel_figure(struct report *r, float x, float top,
                                float h, const char *caption,
                                const char *value, const char *suffix)
{
  struct nhi_pdf *p = &r->pdf;
  float base = top - h + r->score.size * 0.45f;
  float w = content_width(r) / 2 - 14, vw;
  enum nhi_rc rc;

  rc = nhi_pdf_line_at(p, &r->small_muted, x, top - 16, w, NHI_PDF_LEFT,
                       caption);
  if (!rc)
    rc = nhi_pdf_line_at(p, &r->score, x, base, w, NHI_PDF_LEFT, value);
  vw = nhi_pdf_text_width(p, &r->score, value) + r->body.size * 0.5f;
  if (!rc && suffix && vw < w)
    rc = nhi_pdf_line_at(p, &r->muted, x + vw, base, w - vw, NHI_PDF_LEFT,
                         suffix);
  return rc;
}

static enum nhi_rc render_overall(struct report *r)
{
  struct nhi_pdf *p = &r->pdf;
  const cJSON *score = get_obj(r->root, "score");
  const char *grade = get_str(score, "grade");
  float h = r->score.size + 36, top, half = content_width(r) / 2;
  char num[NUM_SIZE];
  double v;
  enum nhi_rc rc = nhi_pdf_need(p, h + r->body.size);

  if (rc)
    return rc;
  top = p->y;
  nhi_pdf_rect(p, p->left, top, content_width(r), h, &r->panel);
  rc = panel_figure(r, p->left + 14, top, h, word(r, "score.overall"),
                    num_text(r, score, "overall", num),
                    get_num(score, "overall", &v) ? word(r, "score.out_of")
                                                  : NULL);
  if (!rc)
    rc = panel_figure(r, p->left + half + 14, top, h, word(r, "score.grade"),
                      grade ? grade : word(r, "value.none"), NULL);
  nhi_pdf_gap(p, h + r->body.size * 1.6f);
  return rc;
}

/* Appends the filled text of key to b, after sep unless b is empty. */
static void list_add(const struct report *r, struct nhi_pdf_buf *b,
                     const char *key, const char *const *pairs)
{
  char *s = nhi_pdf_subst(word(r, key), pairs);

  if (!s) {
    b->failed = 1;
    return;
  }
  if (b->len)
    nhi_pdf_buf_add(b, word(r, "list.separator"));
  nhi_pdf_buf_add(b, s);
  free(s);
}

/* "Findings: 4 critical, 3 high" or "No findings"; the caller frees. */
static char *findings_text(const struct report *r, const cJSON *counts)
{
  struct nhi_pdf_buf b = { 0 };
  char num[NUM_SIZE], *s;
  double v;

  for (size_t i = 0; i < N_SEVERITIES; i++) {
    if (!get_num(counts, severities[i].id, &v) || v <= 0)
      continue;
    fmt_num(v, num);
    list_add(r, &b, severities[i].count_key,
             (const char *const[]){ "count", num, NULL });
  }
  if (b.failed) {
    free(b.s);
    return no_memory(r);
  }
  s = b.len ? fill(r, "question.findings",
                   (const char *const[]){ "counts", b.s, NULL })
            : copy_text(r, word(r, "question.no_findings"));
  free(b.s);
  return s;
}

/* "Score 41 / 100  ·  Findings: ..."; the caller frees it. */
static char *question_detail(const struct report *r, const cJSON *q)
{
  char num[NUM_SIZE], *score, *found, *s = NULL;
  double v;

  if (get_num(q, "score", &v)) {
    fmt_num(v, num);
    score = fill(r, "question.score",
                 (const char *const[]){ "score", num, NULL });
  } else {
    score = copy_text(r, word(r, "question.score_none"));
  }
  found = findings_text(r, get_obj(q, "findings"));
  if (score && found)
    s = fill(r, "question.detail", (const char *const[]){
      "score", score, "findings", found, NULL });
  free(score);
  free(found);
  return s;
}

/* "Missing evidence: ..." or NULL with *rc clear when nothing is missing;
 * the caller frees it. */
static char *missing_text(const struct report *r, const cJSON *q,
                          enum nhi_rc *rc)
{
  struct nhi_pdf_buf b = { 0 };
  const cJSON *e;
  char *s = NULL;

  *rc = NHI_OK;
  cJSON_ArrayForEach(e, get_arr(q, "missing_evidence")) {
    if (!cJSON_IsString(e))
      continue;
    if (b.len)
      nhi_pdf_buf_add(&b, word(r, "list.separator"));
    nhi_pdf_buf_add(&b, word_for(r, "evidence", e->valuestring));
  }
  if (!b.failed && b.len)
    s = fill(r, "question.missing",
             (const char *const[]){ "evidence", b.s, NULL });
  if (b.failed || (b.len && !s))
    *rc = NHI_ERR_NOMEM;
  if (b.failed)
    no_memory(r);
  free(b.s);
  return s;
}

/* A missing answer is "not assessed", never "yes". */
static const char *answer_of(const cJSON *q)
{
  const char *a = get_str(q, "answer");

  return a ? a : "not-assessed";
}

static enum nhi_rc question_answer(struct report *r, const cJSON *q,
                                   float indent)
{
  struct nhi_pdf *p = &r->pdf;
  struct nhi_pdf_rgb c = colour(r, "answer", answer_of(q), "#7B8794");
  char *detail = question_detail(r, q);
  float top = p->y;
  enum nhi_rc rc;

  if (!detail)
    return NHI_ERR_NOMEM;
  rc = draw_pill(r, p->left + indent, top, r->pill_w,
                 word_for(r, "answer", answer_of(q)), &c);
  if (!rc)
    rc = nhi_pdf_para(p, &r->body, indent + r->pill_w + 10, detail);
  free(detail);
  if (!rc && p->y > top - pill_height(r))
    nhi_pdf_gap(p, p->y - (top - pill_height(r)));
  return rc;
}

static enum nhi_rc render_question(struct report *r, const cJSON *q,
                                   unsigned index)
{
  struct nhi_pdf *p = &r->pdf;
  float indent = r->sub.size * 1.8f, base;
  char num[NUM_SIZE], *missing;
  enum nhi_rc rc;

  rc = nhi_pdf_need(p, 2 * nhi_pdf_line_height(p, &r->sub) +
                    pill_height(r) + 2 * nhi_pdf_line_height(p, &r->body));
  if (rc)
    return rc;
  snprintf(num, sizeof num, "%u", index);
  base = nhi_pdf_baseline(p, &r->sub, p->y);
  rc = nhi_pdf_line_at(p, &r->number, p->left, base, indent,
                       NHI_PDF_LEFT, num);
  if (!rc)
    rc = nhi_pdf_para(p, &r->sub, indent,
                      word_for(r, "question", get_str(q, "id")));
  nhi_pdf_gap(p, r->body.size * 0.4f);
  if (!rc)
    rc = question_answer(r, q, indent);
  missing = rc ? NULL : missing_text(r, q, &rc);
  if (missing)
    rc = nhi_pdf_para(p, &r->muted, indent, missing);
  free(missing);
  nhi_pdf_gap(p, r->body.size * 1.2f);
  return rc;
}

static enum nhi_rc render_questions(struct report *r)
{
  const cJSON *qs = get_arr(r->root, "questions"), *q;
  enum nhi_rc rc = section(r, "questions", "section.questions");
  unsigned i = 0;

  if (!rc)
    rc = render_overall(r);
  if (!rc && !cJSON_GetArraySize(qs))
    rc = say(r, &r->body, 0, "question.none", NULL);
  cJSON_ArrayForEach(q, qs) {
    if (rc)
      break;
    rc = render_question(r, q, ++i);
  }
  return rc;
}

/* "3.7" for 3.666..., "4" for 4.0. */
static void fmt_ratio(double v, char out[NUM_SIZE])
{
  size_t n;

  snprintf(out, NUM_SIZE, "%.1f", v);
  n = strlen(out);
  if (n > 2 && !strcmp(out + n - 2, ".0"))
    out[n - 2] = '\0';
}

static enum nhi_rc inventory_headline(struct report *r, const cJSON *inv)
{
  double non_human, human;
  char num[NUM_SIZE];

  if (!get_num(inv, "non_human", &non_human) ||
      !get_num(inv, "human", &human) || non_human <= 0)
    return NHI_OK;
  if (human > 0) {
    fmt_ratio(non_human / human, num);
    return say(r, &r->headline, 0, "inventory.ratio",
               (const char *const[]){ "ratio", num, NULL });
  }
  fmt_num(non_human, num);
  return say(r, &r->headline, 0, "inventory.no_humans",
             (const char *const[]){ "non_human", num, NULL });
}

static enum nhi_rc inventory_totals(struct report *r, const cJSON *inv)
{
  char a[NUM_SIZE], b[NUM_SIZE], c[NUM_SIZE];
  enum nhi_rc rc;

  rc = say(r, &r->body, 0, "inventory.totals", (const char *const[]){
    "identities", num_text(r, inv, "identities", a),
    "non_human", num_text(r, inv, "non_human", b),
    "human", num_text(r, inv, "human", c), NULL });
  if (!rc)
    rc = say(r, &r->body, 0, "inventory.resources", (const char *const[]){
      "resources", num_text(r, inv, "resources", a),
      "sensitive", num_text(r, inv, "sensitive_resources", b), NULL });
  return rc;
}

/* A table of rows {name_key, total, non_human, human}: by provider or
 * by kind. Names are shown through the catalogue's "prefix.name". */
static enum nhi_rc count_table(struct report *r, const cJSON *rows,
                               const char *name_key, const char *prefix,
                               const char *column_key)
{
  static const float widths[] = { 0.4f, 0.2f, 0.2f, 0.2f };
  static const enum nhi_pdf_align align[] = {
    NHI_PDF_LEFT, NHI_PDF_RIGHT, NHI_PDF_RIGHT, NHI_PDF_RIGHT };
  const char *head[] = { word(r, column_key), word(r, "column.total"),
                         word(r, "column.non_human"),
                         word(r, "column.human") };
  struct nhi_pdf_table t = { 4, widths, align, head, r->table,
                             r->table_head, 0, 0 };
  const cJSON *row;
  char n[3][NUM_SIZE];
  enum nhi_rc rc = NHI_OK;

  cJSON_ArrayForEach(row, rows) {
    struct nhi_pdf_cell cells[] = {
      { word_for(r, prefix, get_str(row, name_key)), NULL, 0 },
      { num_text(r, row, "total", n[0]), NULL, 0 },
      { num_text(r, row, "non_human", n[1]), NULL, 0 },
      { num_text(r, row, "human", n[2]), NULL, 0 } };

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
static enum nhi_rc chart_bar(struct report *r, float x, float top,
                             float w, double v, double most,
                             const struct nhi_pdf_rgb *c)
{
  float h = r->small.size, len = (float)(v / most) * w;
  float base = top - h / 2 - r->small.size * 0.36f;
  char num[NUM_SIZE];

  if (v > 0 && len < 1)
    len = 1;
  if (len > 0)
    nhi_pdf_rect(&r->pdf, x, top, len, h, c);
  fmt_num(v, num);
  return nhi_pdf_line_at(&r->pdf, &r->small, x + len + 4, base, 36,
                         NHI_PDF_LEFT, num);
}

static enum nhi_rc chart_row(struct report *r, const cJSON *row,
                             double most, const struct nhi_pdf_rgb *ink)
{
  struct nhi_pdf *p = &r->pdf;
  float bar = r->small.size, label_w = content_width(r) * 0.25f;
  float x = p->left + label_w + 8, w = p->right - 44 - x;
  float h = 2 * bar + 2 + bar * 1.2f;
  enum nhi_rc rc = nhi_pdf_need(p, h);

  if (!rc)
    rc = nhi_pdf_line_at(p, &r->small, p->left,
                         p->y - bar - 1 - r->small.size * 0.36f, label_w,
                         NHI_PDF_LEFT,
                         word_for(r, "kind", get_str(row, "kind")));
  if (!rc)
    rc = chart_bar(r, x, p->y, w, row_value(row, "non_human"), most,
                   &ink[0]);
  if (!rc)
    rc = chart_bar(r, x, p->y - bar - 2, w, row_value(row, "human"),
                   most, &ink[1]);
  nhi_pdf_gap(p, h);
  return rc;
}

static enum nhi_rc chart_legend(struct report *r,
                                const struct nhi_pdf_rgb *ink)
{
  static const char *const keys[] = { "chart.non_human", "chart.human" };
  struct nhi_pdf *p = &r->pdf;
  float x = p->left, sq = r->small.size, lh = sq * 2.2f;
  float base = p->y - sq / 2 - r->small.size * 0.36f, w;
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; !rc && i < 2; i++) {
    w = nhi_pdf_text_width(p, &r->small, word(r, keys[i])) + 2;
    nhi_pdf_rect(p, x, p->y, sq, sq, &ink[i]);
    rc = nhi_pdf_line_at(p, &r->small, x + sq + 4, base, w, NHI_PDF_LEFT,
                         word(r, keys[i]));
    x += sq + 4 + w + 14;
  }
  nhi_pdf_gap(p, lh);
  return rc;
}

static enum nhi_rc render_chart(struct report *r, const cJSON *rows)
{
  struct nhi_pdf_rgb ink[2];
  double most = chart_max(rows);
  const cJSON *row;
  enum nhi_rc rc;

  if (most <= 0)
    return NHI_OK;
  ink[0] = colour(r, NULL, "chart_non_human", "#1F4E79");
  ink[1] = colour(r, NULL, "chart_human", "#9AA5B1");
  rc = subheading(r, "chart.title");
  if (!rc)
    rc = chart_legend(r, ink);
  cJSON_ArrayForEach(row, rows) {
    if (rc)
      break;
    rc = chart_row(r, row, most, ink);
  }
  return rc;
}

static enum nhi_rc inventory_tables(struct report *r, const cJSON *inv)
{
  const cJSON *providers = get_arr(inv, "by_provider");
  const cJSON *kinds = get_arr(inv, "by_kind");
  enum nhi_rc rc = NHI_OK;

  if (cJSON_GetArraySize(providers))
    rc = subheading(r, "inventory.by_provider");
  if (!rc)
    rc = count_table(r, providers, "provider", "provider",
                     "column.provider");
  if (!rc && cJSON_GetArraySize(kinds))
    rc = subheading(r, "inventory.by_kind");
  if (!rc)
    rc = count_table(r, kinds, "kind", "kind", "column.kind");
  if (!rc)
    rc = render_chart(r, kinds);
  return rc;
}

static enum nhi_rc render_inventory(struct report *r)
{
  const cJSON *inv = get_obj(r->root, "inventory");
  enum nhi_rc rc = section(r, "inventory", "section.inventory");

  if (!rc && !inv)
    return say(r, &r->body, 0, "inventory.empty", NULL);
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

static float clampf(float v, float lo, float hi)
{
  return v < lo ? lo : v > hi ? hi : v;
}

/* Who a finding is about: its identity, else its resource. */
static const char *finding_subject(const cJSON *f)
{
  const char *s = get_str(f, "identity");

  return s ? s : get_str(f, "resource");
}

/* Column widths: severity and identity as wide as their longest text
 * (within limits), the rest shared by check and title. */
static void finding_widths(const struct report *r, const cJSON *rows,
                           float w[4])
{
  float cw = content_width(r), pad = 2 * r->pdf.style.cell_pad + 1;
  float sev = nhi_pdf_text_width(&r->pdf, &r->table_head,
                                 word(r, "column.severity"));
  float id = nhi_pdf_text_width(&r->pdf, &r->table_head,
                                word(r, "column.identity"));
  float rest;
  const cJSON *f;

  for (size_t i = 0; i < N_SEVERITIES; i++)
    sev = fmaxf(sev, nhi_pdf_text_width(&r->pdf, &r->table_head,
                word_for(r, "severity", severities[i].id)));
  cJSON_ArrayForEach(f, rows)
    id = fmaxf(id, nhi_pdf_text_width(&r->pdf, &r->table,
                                      finding_subject(f)));
  w[0] = clampf((sev + pad) / cw, 0.08f, 0.16f);
  w[2] = clampf((id + pad) / cw, 0.22f, 0.48f);
  rest = 1 - w[0] - w[2];
  w[1] = rest * 0.42f;
  w[3] = rest * 0.58f;
}

static enum nhi_rc finding_row(struct report *r, struct nhi_pdf_table *t,
                               const cJSON *f)
{
  const char *sev = get_str(f, "severity"), *none = word(r, "value.none");
  const char *check = get_str(f, "check"), *title = get_str(f, "title");
  const char *subject = finding_subject(f);
  struct nhi_pdf_rgb c = colour(r, "severity", sev, "#616E7C");
  struct nhi_pdf_cell cells[] = {
    { word_for(r, "severity", sev), &c, NHI_PDF_BOLD },
    { check ? check : none, NULL, 0 },
    { subject ? subject : none, NULL, 0 },
    { title ? title : none, NULL, 0 } };

  return nhi_pdf_table_row(&r->pdf, t, cells);
}

static enum nhi_rc findings_table(struct report *r, const cJSON *rows)
{
  float widths[4];
  const char *head[] = { word(r, "column.severity"),
                         word(r, "column.check"),
                         word(r, "column.identity"),
                         word(r, "column.title") };
  struct nhi_pdf_table t = { 4, widths, NULL, head, r->table,
                             r->table_head, 0, 0 };
  const cJSON *f;
  enum nhi_rc rc = NHI_OK;

  finding_widths(r, rows, widths);
  cJSON_ArrayForEach(f, rows) {
    rc = finding_row(r, &t, f);
    if (rc)
      break;
  }
  return rc;
}

struct check_ref {
  const char *check;
  size_t index;
};

static int by_check(const void *a, const void *b)
{
  const struct check_ref *x = a, *y = b;
  int c = strcmp(x->check, y->check);

  if (c)
    return c;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Sets first[i] for each finding that is the first of its check to carry
 * a remediation; returns how many were set, or -1 when out of memory. */
static long mark_first_checks(const cJSON *rows, size_t n,
                              unsigned char *first)
{
  struct check_ref *refs = malloc((n ? n : 1) * sizeof *refs);
  size_t m = 0, i = 0;
  long marked = 0;
  const cJSON *f;

  if (!refs)
    return -1;
  cJSON_ArrayForEach(f, rows) {
    if (i < n && get_str(f, "check") && get_str(f, "remediation"))
      refs[m++] = (struct check_ref){ get_str(f, "check"), i };
    i++;
  }
  qsort(refs, m, sizeof *refs, by_check);
  for (size_t k = 0; k < m; k++)
    if (!k || strcmp(refs[k].check, refs[k - 1].check)) {
      first[refs[k].index] = 1;
      marked++;
    }
  free(refs);
  return marked;
}

/* Prose from plugins is wrapped in its source: a single line break there
 * is a space, a blank line ends a paragraph. The caller frees the copy. */
static char *unwrap_prose(const struct report *r, const char *s)
{
  char *out = malloc(strlen(s) + 1), *o = out;
  size_t breaks;

  if (!out)
    return no_memory(r);
  while (*s) {
    if (!isspace((unsigned char)*s)) {
      *o++ = *s++;
      continue;
    }
    for (breaks = 0; isspace((unsigned char)*s); s++)
      breaks += *s == '\n';
    *o++ = breaks > 1 ? '\n' : ' ';
  }
  *o = '\0';
  return out;
}

static enum nhi_rc remediation_item(struct report *r, const cJSON *f)
{
  struct nhi_pdf *p = &r->pdf;
  char *text = unwrap_prose(r, get_str(f, "remediation"));
  enum nhi_rc rc = text ? NHI_OK : NHI_ERR_NOMEM;

  if (!rc)
    rc = nhi_pdf_need(p, 3 * nhi_pdf_line_height(p, &r->small));
  if (!rc)
    rc = nhi_pdf_para(p, &r->small_bold, 0, get_str(f, "check"));
  if (!rc)
    rc = nhi_pdf_para(p, &r->small, r->small.size, text);
  nhi_pdf_gap(p, r->small.size * 0.6f);
  free(text);
  return rc;
}

static enum nhi_rc render_remediation(struct report *r, const cJSON *rows,
                                      size_t n)
{
  unsigned char *first = calloc(n ? n : 1, 1);
  long marked = first ? mark_first_checks(rows, n, first) : -1;
  const cJSON *f;
  size_t i = 0;
  enum nhi_rc rc = NHI_OK;

  if (marked < 0) {
    free(first);
    no_memory(r);
    return NHI_ERR_NOMEM;
  }
  if (marked)
    rc = subheading(r, "findings.remediation");
  cJSON_ArrayForEach(f, rows) {
    if (rc || i >= n)
      break;
    if (first[i++])
      rc = remediation_item(r, f);
  }
  free(first);
  return rc;
}

static enum nhi_rc render_findings(struct report *r)
{
  const cJSON *rows = get_arr(r->root, "findings");
  int n = cJSON_GetArraySize(rows);
  char num[NUM_SIZE];
  enum nhi_rc rc = section(r, "findings", "section.findings");

  if (rc)
    return rc;
  if (n <= 0)
    return say(r, &r->body, 0, "findings.none", NULL);
  fmt_num(n, num);
  rc = say(r, &r->body, 0, "findings.count",
           (const char *const[]){ "count", num, NULL });
  if (!rc) {
    nhi_pdf_gap(&r->pdf, r->body.size * 0.5f);
    rc = findings_table(r, rows);
  }
  if (!rc)
    rc = render_remediation(r, rows, (size_t)n);
  return rc;
}

static enum nhi_rc sources_table(struct report *r, const cJSON *sources)
{
  static const float widths[] = { 0.36f, 0.14f, 0.50f };
  const char *head[] = { word(r, "column.source"),
                         word(r, "column.status"),
                         word(r, "column.error") };
  struct nhi_pdf_table t = { 3, widths, NULL, head, r->table,
                             r->table_head, 0, 0 };
  const char *none = word(r, "value.none");
  const cJSON *s;
  enum nhi_rc rc = NHI_OK;

  cJSON_ArrayForEach(s, sources) {
    const char *spec = get_str(s, "spec"), *error = get_str(s, "error");
    struct nhi_pdf_rgb c = colour(r, "status", get_str(s, "status"),
                                  "#616E7C");
    struct nhi_pdf_cell cells[] = {
      { spec ? spec : none, NULL, 0 },
      { word_for(r, "status", get_str(s, "status")), &c, NHI_PDF_BOLD },
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

static enum nhi_rc plugin_summary(struct report *r, const cJSON *plugins)
{
  const cJSON *pl;
  double ok = 0, total = 0;
  char a[NUM_SIZE], b[NUM_SIZE];

  cJSON_ArrayForEach(pl, plugins) {
    total++;
    ok += is_status(pl, "ok");
  }
  if (!total)
    return NHI_OK;
  fmt_num(ok, a);
  fmt_num(total, b);
  nhi_pdf_gap(&r->pdf, r->body.size * 0.8f);
  return say(r, &r->body, 0, "coverage.plugins",
             (const char *const[]){ "ok", a, "total", b, NULL });
}

static enum nhi_rc failed_plugins(struct report *r, const cJSON *plugins)
{
  static const float widths[] = { 0.34f, 0.66f };
  const char *head[] = { word(r, "column.plugin"),
                         word(r, "column.error") };
  struct nhi_pdf_table t = { 2, widths, NULL, head, r->table,
                             r->table_head, 0, 0 };
  const char *none = word(r, "value.none");
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
      rc = subheading(r, "coverage.plugins_failed");
    if (!rc)
      rc = nhi_pdf_table_row(&r->pdf, &t, cells);
    if (rc)
      break;
  }
  return rc;
}

static enum nhi_rc render_coverage(struct report *r)
{
  const cJSON *a = get_obj(r->root, "assessment");
  const cJSON *sources = get_arr(a, "sources");
  const cJSON *plugins = get_arr(r->root, "plugins");
  enum nhi_rc rc = section(r, "coverage", "section.coverage");

  if (!rc)
    rc = subheading(r, "coverage.sources");
  if (!rc && !cJSON_GetArraySize(sources))
    rc = say(r, &r->body, 0, "coverage.no_sources", NULL);
  if (!rc)
    rc = sources_table(r, sources);
  if (!rc)
    rc = plugin_summary(r, plugins);
  if (!rc)
    rc = failed_plugins(r, plugins);
  return rc;
}

static enum nhi_rc draw_header(struct report *r)
{
  struct nhi_pdf *p = &r->pdf;
  float y = fminf(p->top + r->header_offset,
                  p->height - r->small.size * 1.5f);
  float cw = content_width(r);
  char *left = fill(r, "header.left", (const char *const[]){
    "product", word(r, "product.name"),
    "title", word(r, "report.title"), NULL });
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

static char *footer_with(const struct report *r, const char *client,
                         const char *page, const char *pages)
{
  return fill(r, client ? "footer.text" : "footer.no_client",
              (const char *const[]){
                "client", client,
                "confidential", word(r, "label.confidential"),
                "page", page, "pages", pages, NULL });
}

/* The footer line; a client name too long for it is shortened so the
 * page number always shows. The caller frees it. */
static char *footer_text(const struct report *r, unsigned index,
                         unsigned count)
{
  const struct nhi_pdf_text *t = &r->small_muted;
  char page[NUM_SIZE], pages[NUM_SIZE], *text, *client;
  float over;

  snprintf(page, sizeof page, "%u", index);
  snprintf(pages, sizeof pages, "%u", count);
  text = footer_with(r, r->client, page, pages);
  if (!text || !r->client)
    return text;
  over = nhi_pdf_text_width(&r->pdf, t, text) - content_width(r);
  if (over <= 0)
    return text;
  free(text);
  client = nhi_pdf_fit(&r->pdf, t, r->client,
                       nhi_pdf_text_width(&r->pdf, t, r->client) - over);
  if (!client)
    return no_memory(r);
  text = footer_with(r, client, page, pages);
  free(client);
  return text;
}

static enum nhi_rc draw_footer(struct report *r, unsigned index,
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
  rc = nhi_pdf_line_at(p, &r->small_muted, p->left, y, content_width(r),
                       NHI_PDF_CENTRE, text);
  free(text);
  return rc;
}

static enum nhi_rc decorate_page(struct nhi_pdf *p, unsigned index,
                                 unsigned count, void *arg)
{
  struct report *r = arg;
  enum nhi_rc rc = NHI_OK;

  if (index > 1 || r->header_first)
    rc = draw_header(r);
  if (!rc)
    rc = draw_footer(r, index, count);
  return rc;
}

static enum nhi_rc render_body(struct report *r)
{
  enum nhi_rc rc;

  r->client = get_str(get_obj(r->root, "assessment"), "client");
  r->pill_w = answer_pill_width(r);
  rc = render_title(r);
  if (!rc)
    rc = render_questions(r);
  if (!rc)
    rc = render_inventory(r);
  if (!rc)
    rc = render_findings(r);
  if (!rc)
    rc = render_coverage(r);
  if (!rc)
    rc = nhi_pdf_each_page(&r->pdf, decorate_page, r);
  return rc;
}

enum nhi_rc nhi_pdf_render(const cJSON *report, const char *template_dir,
                           const char *lang, const char *font_path,
                           const char *bold_font_path, const char *path)
{
  struct report r;
  struct nhi_pdf_style st;
  enum nhi_rc rc;

  memset(&r, 0, sizeof r);
  r.root = report;
  r.pdf.path = path;
  if (!path) {
    nhi_error("cannot write report: no output file named");
    return NHI_ERR_USAGE;
  }
  rc = load_templates(&r, template_dir ? template_dir : "templates",
                      lang ? lang : "en", path);
  if (rc)
    goto out;
  load_style(&r, &st);
  load_text_styles(&r);
  rc = nhi_pdf_open(&r.pdf, &st, font_path, bold_font_path, path);
  if (!rc)
    rc = render_body(&r);
  if (!rc)
    rc = nhi_pdf_save(&r.pdf);
out:
  nhi_pdf_close(&r.pdf);
  cJSON_Delete(r.layout);
  cJSON_Delete(r.words);
  return rc;
}
