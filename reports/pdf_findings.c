/* The PDF report's findings: one table row each, then how to fix them. */
#include "pdf_report.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
static void finding_widths(const struct nhi_rpt *r, const cJSON *rows,
                           float w[4])
{
  const struct nhi_pdf *p = &r->pdf;
  float cw = nhi_rpt_content_width(r), pad = 2 * p->style.cell_pad + 1;
  float sev = nhi_pdf_text_width(p, &r->table_head,
                                 nhi_rpt_word(r, "column.severity"));
  float id = nhi_pdf_text_width(p, &r->table_head,
                                nhi_rpt_word(r, "column.identity"));
  float rest;
  const cJSON *f;

  for (size_t i = 0; i < NHI_RPT_N_SEVERITIES; i++)
    sev = fmaxf(sev, nhi_pdf_text_width(p, &r->table_head,
                nhi_rpt_word_for(r, "severity", nhi_rpt_severities[i].id)));
  cJSON_ArrayForEach(f, rows)
    id = fmaxf(id, nhi_pdf_text_width(p, &r->table, finding_subject(f)));
  w[0] = clampf((sev + pad) / cw, 0.08f, 0.16f);
  w[2] = clampf((id + pad) / cw, 0.22f, 0.48f);
  rest = 1 - w[0] - w[2];
  w[1] = rest * 0.42f;
  w[3] = rest * 0.58f;
}

static enum nhi_rc finding_row(struct nhi_rpt *r, struct nhi_pdf_table *t,
                               const cJSON *f)
{
  const char *none = nhi_rpt_word(r, "value.none");
  const char *sev = get_str(f, "severity"), *check = get_str(f, "check");
  const char *title, *subject = finding_subject(f);
  struct nhi_pdf_rgb c = nhi_rpt_colour(r, "severity", sev, "#616E7C");
  char *owned;
  enum nhi_rc rc = nhi_rpt_finding_title(r, f, &title, &owned);

  if (!rc)
    rc = nhi_pdf_table_row(&r->pdf, t, (struct nhi_pdf_cell[]){
      { nhi_rpt_word_for(r, "severity", sev), &c, NHI_PDF_BOLD },
      { check ? check : none, NULL, 0 },
      { subject ? subject : none, NULL, 0 },
      { title ? title : none, NULL, 0 } });
  free(owned);
  return rc;
}

static enum nhi_rc findings_table(struct nhi_rpt *r, const cJSON *rows)
{
  float widths[4];
  const char *head[] = { nhi_rpt_word(r, "column.severity"),
                         nhi_rpt_word(r, "column.check"),
                         nhi_rpt_word(r, "column.identity"),
                         nhi_rpt_word(r, "column.title") };
  struct nhi_pdf_table t = { 4, widths, NULL, head, r->table,
                             r->table_head, 0, 0, 0 };
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
static char *unwrap_prose(const struct nhi_rpt *r, const char *s)
{
  char *out = malloc(strlen(s) + 1), *o = out;
  size_t breaks;

  if (!out)
    return nhi_rpt_no_memory(r);
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

static enum nhi_rc remediation_item(struct nhi_rpt *r, const cJSON *f)
{
  struct nhi_pdf *p = &r->pdf;
  char *text = unwrap_prose(r, nhi_rpt_finding_remediation(r, f));
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

/* The remediation of each check, once, in the order findings name it. */
static enum nhi_rc render_remediation(struct nhi_rpt *r, const cJSON *rows,
                                      size_t n)
{
  unsigned char *first = calloc(n ? n : 1, 1);
  long marked = first ? mark_first_checks(rows, n, first) : -1;
  const cJSON *f;
  size_t i = 0;
  enum nhi_rc rc = NHI_OK;

  if (marked < 0) {
    free(first);
    nhi_rpt_no_memory(r);
    return NHI_ERR_NOMEM;
  }
  if (marked)
    rc = nhi_rpt_subheading(r, "findings.remediation");
  cJSON_ArrayForEach(f, rows) {
    if (rc || i >= n)
      break;
    if (first[i++])
      rc = remediation_item(r, f);
  }
  free(first);
  return rc;
}

enum nhi_rc nhi_rpt_render_findings(struct nhi_rpt *r)
{
  const cJSON *rows = get_arr(r->root, "findings");
  int n = cJSON_GetArraySize(rows);
  char num[NHI_RPT_NUM_SIZE];
  enum nhi_rc rc = nhi_rpt_section(r, "findings", "section.findings");

  if (rc)
    return rc;
  if (n <= 0)
    return nhi_rpt_say(r, &r->body, 0, "findings.none", NULL);
  nhi_rpt_fmt_num(n, num);
  rc = nhi_rpt_say(r, &r->body, 0, "findings.count",
                   (const char *const[]){ "count", num, NULL });
  if (!rc) {
    nhi_pdf_gap(&r->pdf, r->body.size * 0.5f);
    rc = findings_table(r, rows);
  }
  if (!rc)
    rc = render_remediation(r, rows, (size_t)n);
  return rc;
}
