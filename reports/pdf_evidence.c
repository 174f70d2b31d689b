/* The PDF report's evidence listing: every finding with all that its
 * check recorded, for the technical template. */
#include "pdf_report.h"

#include "report_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Evidence nested deeper than this is written as compact JSON. */
#define MAX_DEPTH 8

static void add_flat(const struct nhi_rpt *r, struct nhi_pdf_buf *b,
                     const char *path, const cJSON *v, int depth);

static int is_scalar_list(const cJSON *v)
{
  const cJSON *e;

  if (!cJSON_IsArray(v))
    return 0;
  cJSON_ArrayForEach(e, v)
    if (cJSON_IsObject(e) || cJSON_IsArray(e))
      return 0;
  return 1;
}

/* One "path: value" line. */
static void add_line(const struct nhi_rpt *r, struct nhi_pdf_buf *b,
                     const char *path, const cJSON *v)
{
  const cJSON *e;
  int first = 1;

  if (b->len)
    nhi_pdf_buf_add(b, "\n");
  if (path && *path) {
    nhi_pdf_buf_add(b, path);
    nhi_pdf_buf_add(b, ": ");
  }
  if (!is_scalar_list(v)) {
    nhi_rpt_buf_value(b, v);
    return;
  }
  cJSON_ArrayForEach(e, v) {
    if (!first)
      nhi_pdf_buf_add(b, nhi_rpt_word(r, "list.separator"));
    nhi_rpt_buf_value(b, e);
    first = 0;
  }
}

/* path + ".key" or path + "[n]" (n from 1), as a new string. */
static char *child_path(const char *path, const char *key, int index)
{
  struct nhi_pdf_buf b = { 0 };
  char num[NHI_RPT_NUM_SIZE];

  nhi_pdf_buf_add(&b, path);
  if (key) {
    if (*path)
      nhi_pdf_buf_add(&b, ".");
    nhi_pdf_buf_add(&b, key);
  } else {
    snprintf(num, sizeof num, "[%d]", index);
    nhi_pdf_buf_add(&b, num);
  }
  if (b.failed) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

static void add_children(const struct nhi_rpt *r, struct nhi_pdf_buf *b,
                         const char *path, const cJSON *v, int depth)
{
  const cJSON *e;
  int index = 0;
  char *sub;

  cJSON_ArrayForEach(e, v) {
    sub = child_path(path, cJSON_IsObject(v) ? e->string : NULL, ++index);
    if (!sub) {
      b->failed = 1;
      return;
    }
    add_flat(r, b, sub, e, depth + 1);
    free(sub);
  }
}

/* Evidence as one line per leaf: "steps[1].principal: arn:...". */
static void add_flat(const struct nhi_rpt *r, struct nhi_pdf_buf *b,
                     const char *path, const cJSON *v, int depth)
{
  int nested = cJSON_IsObject(v) || (cJSON_IsArray(v) &&
                                     !is_scalar_list(v));

  if (!nested || depth >= MAX_DEPTH || !v->child)
    add_line(r, b, path, v);
  else
    add_children(r, b, path, v, depth);
}

/* The finding's evidence as text; the caller frees it. */
static char *evidence_text(const struct nhi_rpt *r, const cJSON *f)
{
  cJSON *owned;
  const cJSON *ev = nhi_report_value(f, "evidence", &owned);
  struct nhi_pdf_buf b = { 0 };

  if (!ev || cJSON_IsNull(ev) || ((cJSON_IsObject(ev) ||
                                   cJSON_IsArray(ev)) && !ev->child))
    nhi_pdf_buf_add(&b, nhi_rpt_word(r, "evidence.none"));
  else
    add_flat(r, &b, "", ev, 0);
  cJSON_Delete(owned);
  if (b.failed) {
    free(b.s);
    return nhi_rpt_no_memory(r);
  }
  return b.s;
}

static const char *or_none(const struct nhi_rpt *r, const char *s)
{
  return s ? s : nhi_rpt_word(r, "value.none");
}

/* s (freed) with its lines joined by the list separator, so that a
 * threshold of several values reads as one field. */
static char *one_line(const struct nhi_rpt *r, char *s, enum nhi_rc *rc)
{
  struct nhi_pdf_buf b = { 0 };
  const char *line = s, *nl;

  while ((nl = strchr(line, '\n')) != NULL) {
    nhi_pdf_buf_addn(&b, line, (size_t)(nl - line));
    nhi_pdf_buf_add(&b, nhi_rpt_word(r, "list.separator"));
    line = nl + 1;
  }
  nhi_pdf_buf_add(&b, line);
  free(s);
  if (!b.failed)
    return b.s;
  free(b.s);
  *rc = NHI_ERR_NOMEM;
  return nhi_rpt_no_memory(r);
}

/* The threshold as text, or NULL when the finding has none; the caller
 * frees it. *rc is set when out of memory. */
static char *threshold_text(const struct nhi_rpt *r, const cJSON *f,
                            enum nhi_rc *rc)
{
  cJSON *owned;
  const cJSON *t = nhi_report_value(f, "threshold", &owned);
  struct nhi_pdf_buf b = { 0 };

  *rc = NHI_OK;
  if (!t || cJSON_IsNull(t)) {
    cJSON_Delete(owned);
    return NULL;
  }
  add_flat(r, &b, "", t, 0);
  cJSON_Delete(owned);
  if (b.failed) {
    free(b.s);
    *rc = NHI_ERR_NOMEM;
    return nhi_rpt_no_memory(r);
  }
  return one_line(r, b.s, rc);
}

/* Title, check, subject, status and threshold, one per line. */
static char *finding_text(struct nhi_rpt *r, const cJSON *f)
{
  enum nhi_rc rc;
  char *threshold = threshold_text(r, f, &rc), *s, *owned = NULL;
  const char *title;

  if (!rc)
    rc = nhi_rpt_finding_title(r, f, &title, &owned);
  if (rc) {
    free(threshold);
    return NULL;
  }
  s = nhi_rpt_fill(r, threshold ? "evidence.finding_threshold"
                                : "evidence.finding",
                   (const char *const[]){
    "title", or_none(r, title),
    "check", or_none(r, get_str(f, "check")),
    "identity", or_none(r, get_str(f, "identity")),
    "resource", or_none(r, get_str(f, "resource")),
    "status", nhi_rpt_word_for(r, "result", get_str(f, "status")),
    "confidence", nhi_rpt_word_for(r, "confidence",
                                   get_str(f, "confidence")),
    "owasp", or_none(r, get_str(f, "owasp")),
    "threshold", threshold, NULL });
  free(threshold);
  free(owned);
  return s;
}

static enum nhi_rc evidence_row(struct nhi_rpt *r, struct nhi_pdf_table *t,
                                const cJSON *f)
{
  const char *sev = get_str(f, "severity");
  struct nhi_pdf_rgb c = nhi_rpt_colour(r, "severity", sev, "#616E7C");
  char *about = finding_text(r, f), *ev = about ? evidence_text(r, f)
                                                : NULL;
  enum nhi_rc rc = NHI_ERR_NOMEM;

  if (ev) {
    struct nhi_pdf_cell cells[] = {
      { or_none(r, get_str(f, "id")), NULL, NHI_PDF_BOLD },
      { nhi_rpt_word_for(r, "severity", sev), &c, NHI_PDF_BOLD },
      { about, NULL, 0 },
      { ev, NULL, 0 } };

    rc = nhi_pdf_table_row(&r->pdf, t, cells);
  }
  free(about);
  free(ev);
  return rc;
}

static enum nhi_rc evidence_table(struct nhi_rpt *r, const cJSON *rows)
{
  static const float widths[4] = { 0.07f, 0.09f, 0.36f, 0.48f };
  const char *head[] = { nhi_rpt_word(r, "column.id"),
                         nhi_rpt_word(r, "column.severity"),
                         nhi_rpt_word(r, "column.finding"),
                         nhi_rpt_word(r, "column.evidence") };
  struct nhi_pdf_table t = { 4, widths, NULL, head, r->table,
                             r->table_head, 0, 0, 1 };
  const cJSON *f;
  enum nhi_rc rc = NHI_OK;

  cJSON_ArrayForEach(f, rows) {
    rc = evidence_row(r, &t, f);
    if (rc)
      break;
  }
  return rc;
}

enum nhi_rc nhi_rpt_render_evidence(struct nhi_rpt *r)
{
  const cJSON *rows = get_arr(r->root, "findings");
  int n = cJSON_GetArraySize(rows);
  char num[NHI_RPT_NUM_SIZE];
  enum nhi_rc rc = nhi_rpt_section(r, "evidence", "section.evidence");

  if (rc)
    return rc;
  if (n <= 0)
    return nhi_rpt_say(r, &r->body, 0, "findings.none", NULL);
  nhi_rpt_fmt_num(n, num);
  rc = nhi_rpt_say(r, &r->body, 0, "evidence.count",
                   (const char *const[]){ "count", num, NULL });
  if (!rc) {
    nhi_pdf_gap(&r->pdf, r->body.size * 0.5f);
    rc = evidence_table(r, rows);
  }
  return rc;
}
