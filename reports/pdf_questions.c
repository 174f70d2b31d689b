/* The PDF report's score panel and its answers to each question. */
#include "pdf_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* A gauge's size from the template, in points. */
static float gauge_num(const struct nhi_rpt *r, const char *key, double def,
                       double lo, double hi)
{
  double v;

  if (!get_num(get_obj(r->layout, "gauge"), key, &v) || v < lo || v > hi)
    v = def;
  return (float)v;
}

static float gauge_radius(const struct nhi_rpt *r)
{
  return gauge_num(r, "radius_pt", 17, 6, 60);
}

/* Room a gauge of radius radius takes, stroke included. */
static float gauge_extent(const struct nhi_rpt *r, float radius)
{
  return 2 * radius + gauge_num(r, "width_pt", 4.5, 1, 20);
}

/* A gauge centred on (cx, cy): a track over the template's sweep, and
 * over it an arc for score (0..100) in c, the score written inside.
 * has_score 0 draws the track and the "none" word. */
static enum nhi_rc draw_gauge(struct nhi_rpt *r, float cx, float cy,
                              float radius, int has_score, double score,
                              const struct nhi_pdf_rgb *c,
                              const struct nhi_pdf_text *t)
{
  struct nhi_pdf_rgb track = nhi_rpt_colour(r, NULL, "gauge_track",
                                            "#DDE2E8");
  float sweep = gauge_num(r, "sweep_deg", 270, 90, 340);
  float width = gauge_num(r, "width_pt", 4.5, 1, 20), a0 = -sweep / 2;
  float share = has_score ? (float)fmin(fmax(score, 0), 100) / 100 : 0;
  char num[NHI_RPT_NUM_SIZE];
  const char *label = nhi_rpt_word(r, "value.none");

  nhi_pdf_arc(&r->pdf, cx, cy, radius, a0, a0 + sweep, width, &track);
  nhi_pdf_arc(&r->pdf, cx, cy, radius, a0, a0 + sweep * share, width, c);
  if (has_score) {
    nhi_rpt_fmt_num(floor(score + 0.5), num);
    label = num;
  }
  return nhi_pdf_line_at(&r->pdf, t, cx - radius + width, cy -
                         t->size * 0.36f, 2 * (radius - width),
                         NHI_PDF_CENTRE, label);
}

/* One big figure in the score panel: a caption over a value. */
static enum nhi_rc panel_figure(struct nhi_rpt *r, float x, float top,
                                float h, const char *caption,
                                const char *value, const char *suffix)
{
  struct nhi_pdf *p = &r->pdf;
  float base = top - h + r->score.size * 0.45f;
  float w = nhi_rpt_content_width(r) / 2 - 14, vw;
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

/* The overall score as a gauge at the panel's right end, in the
 * accent colour. */
static enum nhi_rc overall_gauge(struct nhi_rpt *r, float top, float h,
                                 const cJSON *score)
{
  struct nhi_pdf *p = &r->pdf;
  float radius = h * 0.5f - gauge_num(r, "width_pt", 4.5, 1, 20) - 4;
  double v = 0;
  int has = get_num(score, "overall", &v);

  return draw_gauge(r, p->right - 14 - radius, top - h / 2, radius, has,
                    v, &r->accent, &r->sub);
}

static enum nhi_rc render_overall(struct nhi_rpt *r)
{
  struct nhi_pdf *p = &r->pdf;
  const cJSON *score = get_obj(r->root, "score");
  const char *grade = get_str(score, "grade");
  float h = r->score.size + 36, top, cw = nhi_rpt_content_width(r);
  char num[NHI_RPT_NUM_SIZE];
  double v;
  const char *out_of = get_num(score, "overall", &v)
                       ? nhi_rpt_word(r, "score.out_of") : NULL;
  enum nhi_rc rc = nhi_pdf_need(p, h + r->body.size);

  if (rc)
    return rc;
  top = p->y;
  nhi_pdf_rect(p, p->left, top, cw, h, &r->panel);
  rc = panel_figure(r, p->left + 14, top, h,
                    nhi_rpt_word(r, "score.overall"),
                    nhi_rpt_num_text(r, score, "overall", num), out_of);
  if (!rc)
    rc = panel_figure(r, p->left + cw / 2 + 14, top, h,
                      nhi_rpt_word(r, "score.grade"),
                      grade ? grade : nhi_rpt_word(r, "value.none"), NULL);
  if (!rc)
    rc = overall_gauge(r, top, h, score);
  nhi_pdf_gap(p, h + r->body.size * 1.6f);
  return rc;
}

/* Appends the filled text of key to b, after sep unless b is empty. */
static void list_add(const struct nhi_rpt *r, struct nhi_pdf_buf *b,
                     const char *key, const char *const *pairs)
{
  char *s = nhi_pdf_subst(nhi_rpt_word(r, key), pairs);

  if (!s) {
    b->failed = 1;
    return;
  }
  if (b->len)
    nhi_pdf_buf_add(b, nhi_rpt_word(r, "list.separator"));
  nhi_pdf_buf_add(b, s);
  free(s);
}

/* "Findings: 4 critical, 3 high" or "No findings"; the caller frees. */
static char *findings_text(const struct nhi_rpt *r, const cJSON *counts)
{
  struct nhi_pdf_buf b = { 0 };
  char num[NHI_RPT_NUM_SIZE], *s;
  double v;

  for (size_t i = 0; i < NHI_RPT_N_SEVERITIES; i++) {
    if (!get_num(counts, nhi_rpt_severities[i].id, &v) || v <= 0)
      continue;
    nhi_rpt_fmt_num(v, num);
    list_add(r, &b, nhi_rpt_severities[i].count_key,
             (const char *const[]){ "count", num, NULL });
  }
  if (b.failed) {
    free(b.s);
    return nhi_rpt_no_memory(r);
  }
  s = b.len ? nhi_rpt_fill(r, "question.findings",
                           (const char *const[]){ "counts", b.s, NULL })
            : nhi_rpt_copy_text(r, nhi_rpt_word(r, "question.no_findings"));
  free(b.s);
  return s;
}

/* "Score 41 / 100  ·  Findings: ..."; the caller frees it. */
static char *question_detail(const struct nhi_rpt *r, const cJSON *q)
{
  char num[NHI_RPT_NUM_SIZE], *score, *found, *s = NULL;
  double v;

  if (get_num(q, "score", &v)) {
    nhi_rpt_fmt_num(v, num);
    score = nhi_rpt_fill(r, "question.score",
                         (const char *const[]){ "score", num, NULL });
  } else {
    score = nhi_rpt_copy_text(r, nhi_rpt_word(r, "question.score_none"));
  }
  found = findings_text(r, get_obj(q, "findings"));
  if (score && found)
    s = nhi_rpt_fill(r, "question.detail", (const char *const[]){
      "score", score, "findings", found, NULL });
  free(score);
  free(found);
  return s;
}

/* "Missing evidence: ..." or NULL with *rc clear when nothing is missing;
 * the caller frees it. */
static char *missing_text(const struct nhi_rpt *r, const cJSON *q,
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
      nhi_pdf_buf_add(&b, nhi_rpt_word(r, "list.separator"));
    nhi_pdf_buf_add(&b, nhi_rpt_word_for(r, "evidence", e->valuestring));
  }
  if (!b.failed && b.len)
    s = nhi_rpt_fill(r, "question.missing",
                     (const char *const[]){ "evidence", b.s, NULL });
  if (b.failed || (b.len && !s))
    *rc = NHI_ERR_NOMEM;
  if (b.failed)
    nhi_rpt_no_memory(r);
  free(b.s);
  return s;
}

/* A missing answer is "not assessed", never "yes". */
static const char *answer_of(const cJSON *q)
{
  const char *a = get_str(q, "answer");

  return a ? a : "not-assessed";
}

/* The answer labels share the width of the widest answer word. */
static float answer_pill_width(const struct nhi_rpt *r)
{
  static const char *const keys[] = { "answer.yes", "answer.partly",
                                      "answer.no", "answer.not-assessed" };
  float w = 0, tw;

  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
    tw = nhi_pdf_text_width(&r->pdf, &r->label, nhi_rpt_word(r, keys[i]));
    if (tw > w)
      w = tw;
  }
  return w + r->label.size * 1.6f;
}

static enum nhi_rc question_answer(struct nhi_rpt *r, const cJSON *q,
                                   float indent, float inset)
{
  struct nhi_pdf *p = &r->pdf;
  struct nhi_pdf_rgb c = nhi_rpt_colour(r, "answer", answer_of(q),
                                        "#7B8794");
  char *detail = question_detail(r, q);
  float top = p->y, bottom = top - nhi_rpt_pill_height(r);
  enum nhi_rc rc;

  if (!detail)
    return NHI_ERR_NOMEM;
  rc = nhi_rpt_draw_pill(r, p->left + indent, top, r->pill_w,
                         nhi_rpt_word_for(r, "answer", answer_of(q)), &c);
  if (!rc)
    rc = nhi_pdf_para_inset(p, &r->body, indent + r->pill_w + 10, inset,
                            detail);
  free(detail);
  if (!rc && p->y > bottom)
    nhi_pdf_gap(p, p->y - bottom);
  return rc;
}

/* The question's score as a gauge at the right margin, its top at top,
 * in the answer's colour. Returns the rc; *bottom gets its lowest y. */
static enum nhi_rc question_gauge(struct nhi_rpt *r, const cJSON *q,
                                  float top, float *bottom)
{
  struct nhi_pdf *p = &r->pdf;
  struct nhi_pdf_rgb c = nhi_rpt_colour(r, "answer", answer_of(q),
                                        "#7B8794");
  float radius = gauge_radius(r), ext = gauge_extent(r, radius);
  double v = 0;
  int has = get_num(q, "score", &v);

  *bottom = top - ext;
  return draw_gauge(r, p->right - ext / 2, top - ext / 2, radius, has, v,
                    &c, &r->small_bold);
}

static enum nhi_rc render_question(struct nhi_rpt *r, const cJSON *q,
                                   unsigned index)
{
  struct nhi_pdf *p = &r->pdf;
  float indent = r->sub.size * 1.8f, base, low;
  float inset = gauge_extent(r, gauge_radius(r)) + r->body.size;
  char num[NHI_RPT_NUM_SIZE], *missing;
  enum nhi_rc rc;

  rc = nhi_pdf_need(p, fmaxf(2 * nhi_pdf_line_height(p, &r->sub) +
                             nhi_rpt_pill_height(r) +
                             2 * nhi_pdf_line_height(p, &r->body),
                             inset));
  if (rc)
    return rc;
  snprintf(num, sizeof num, "%u", index);
  base = nhi_pdf_baseline(p, &r->sub, p->y);
  rc = question_gauge(r, q, p->y, &low);
  if (!rc)
    rc = nhi_pdf_line_at(p, &r->number, p->left, base, indent,
                         NHI_PDF_LEFT, num);
  if (!rc)
    rc = nhi_pdf_para_inset(p, &r->sub, indent, inset,
                            nhi_rpt_word_for(r, "question",
                                             get_str(q, "id")));
  nhi_pdf_gap(p, r->body.size * 0.4f);
  if (!rc)
    rc = question_answer(r, q, indent, inset);
  missing = rc ? NULL : missing_text(r, q, &rc);
  if (missing)
    rc = nhi_pdf_para_inset(p, &r->muted, indent, inset, missing);
  free(missing);
  if (p->y > low)
    nhi_pdf_gap(p, p->y - low);
  nhi_pdf_gap(p, r->body.size * 1.2f);
  return rc;
}

enum nhi_rc nhi_rpt_render_questions(struct nhi_rpt *r)
{
  const cJSON *qs = get_arr(r->root, "questions"), *q;
  enum nhi_rc rc;
  unsigned i = 0;

  r->pill_w = answer_pill_width(r);
  rc = nhi_rpt_section(r, "questions", "section.questions");
  if (!rc)
    rc = render_overall(r);
  if (!rc && !cJSON_GetArraySize(qs))
    rc = nhi_rpt_say(r, &r->body, 0, "question.none", NULL);
  cJSON_ArrayForEach(q, qs) {
    if (rc)
      break;
    rc = render_question(r, q, ++i);
  }
  return rc;
}
