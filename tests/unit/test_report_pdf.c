/* Tests for the PDF report: its content, fonts, pages and odd input. */
#include "report_pdf.h"

#include "json.h"
#include "pdf_layout.h"
#include "report_template.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define SAMPLE "tests/fixtures/reports/sample-report.json"
#define SAMPLE_ARN "arn:aws:iam::412398765001:role/legacy-etl-runner"
#define UNICODE_CLIENT "Zürich Straße — Ωmega Привет"
#define LOGO "demo/northwind/brand/logo.png"

static const struct nhi_pdf_style test_style = {
  HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT, 50, 50, 50, 50, 1.3f, 3,
  { 0.8f, 0.8f, 0.8f }, { 0.9f, 0.9f, 0.9f }, { 0.95f, 0.95f, 0.95f }
};

struct fixture {
  char dir[64];
  char pdf[128];
};

static int setup(void **state)
{
  struct fixture *f = calloc(1, sizeof *f);

  if (!f)
    return -1;
  strcpy(f->dir, "/tmp/nhi-test-pdf-XXXXXX");
  if (!mkdtemp(f->dir)) {
    free(f);
    return -1;
  }
  snprintf(f->pdf, sizeof f->pdf, "%s/report.pdf", f->dir);
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *f = *state;

  unlink(f->pdf);
  rmdir(f->dir);
  free(f);
  return 0;
}

/* Runs cmd through the shell and returns its stdout (caller frees). */
static char *run(const char *cmd)
{
  FILE *pipe = popen(cmd, "r");
  char *out = NULL;
  size_t len = 0, got;
  char chunk[4096];

  assert_non_null(pipe);
  while ((got = fread(chunk, 1, sizeof chunk, pipe)) > 0) {
    out = realloc(out, len + got + 1);
    assert_non_null(out);
    memcpy(out + len, chunk, got);
    len += got;
  }
  pclose(pipe);
  if (!out)
    out = calloc(1, 1);
  assert_non_null(out);
  out[len] = '\0';
  return out;
}

/* Output of tool (pdftotext, pdffonts...) with options on the file. */
static char *tool(const char *tool_and_options, const char *path,
                  const char *tail)
{
  char cmd[512];

  snprintf(cmd, sizeof cmd, "%s '%s' %s 2>/dev/null", tool_and_options,
           path, tail);
  return run(cmd);
}

static enum nhi_rc render_with(const cJSON *report, const char *tmpl,
                               const char *lang, const char *font,
                               const char *path)
{
  struct nhi_pdf_options o = { "templates", tmpl, lang, font, BOLD, NULL };

  return nhi_pdf_render(report, &o, path);
}

static enum nhi_rc render(const cJSON *report, const char *path)
{
  return render_with(report, NULL, "en", FONT, path);
}

/* Renders with template tmpl (NULL: the default), filling *s. */
static enum nhi_rc render_stats(const cJSON *report, const char *tmpl,
                                const char *path, struct nhi_pdf_stats *s)
{
  struct nhi_pdf_options o = { "templates", tmpl, "en", FONT, BOLD, s };

  return nhi_pdf_render(report, &o, path);
}

/* Every run of text was placed inside the page and inside its box. */
static void assert_all_inside(const struct nhi_pdf_stats *s)
{
  if (s->outside)
    fail_msg("%lu of %lu texts reach past their box", s->outside,
             s->texts);
  assert_true(s->texts > 20);
}

static cJSON *load_sample(void)
{
  cJSON *j = NULL;

  assert_int_equal(nhi_json_read_file(SAMPLE, &j), NHI_OK);
  return j;
}

static void assert_is_pdf(const char *path)
{
  FILE *fp = fopen(path, "rb");
  char head[5] = { 0 };

  assert_non_null(fp);
  assert_int_equal(fread(head, 1, 4, fp), 4);
  fclose(fp);
  assert_string_equal(head, "%PDF");
}

static void assert_contains(const char *text, const char *needle)
{
  if (!strstr(text, needle))
    fail_msg("expected to find '%s' in the PDF text", needle);
}

static int page_count(const char *path)
{
  char *info = tool("pdfinfo", path, ""), *line;
  int pages = -1;

  line = strstr(info, "Pages:");
  if (line)
    pages = atoi(line + strlen("Pages:"));
  free(info);
  return pages;
}

static void sample_has_the_expected_text(void **state)
{
  struct fixture *f = *state;
  cJSON *j = load_sample();
  char *text;

  assert_int_equal(render(j, f->pdf), NHI_OK);
  cJSON_Delete(j);
  assert_is_pdf(f->pdf);
  text = tool("pdftotext -layout", f->pdf, "-");
  assert_contains(text, "Northwind Robotics");
  assert_contains(text, "Do you know which AI agents can access sensitive "
                        "data?");
  assert_contains(text, "Can you identify overprivileged service accounts "
                        "and APIs?");
  assert_contains(text, "Do you monitor machine identity activity "
                        "continuously?");
  assert_contains(text, "Can you trace how AI workflows interact with "
                        "enterprise data?");
  assert_contains(text, SAMPLE_ARN);
  assert_contains(text, "custom.broken-check");
  assert_contains(text, "Missing evidence: AI agent inventory");
  assert_contains(text, "1 December 2026");
  free(text);
}

static void footer_counts_pages(void **state)
{
  struct fixture *f = *state;
  cJSON *j = load_sample();
  char *text, want[96];
  int pages;

  assert_int_equal(render(j, f->pdf), NHI_OK);
  cJSON_Delete(j);
  pages = page_count(f->pdf);
  assert_true(pages >= 2);
  text = tool("pdftotext -layout", f->pdf, "-");
  snprintf(want, sizeof want, "Northwind Robotics — Confidential — Page "
           "%d of %d", pages, pages);
  assert_contains(text, want);
  assert_contains(text, "Northwind Robotics — Confidential — Page 1 of");
  free(text);
}

static void removes_whitespace(char *s);

/* The text of page n of the PDF at path (caller frees). */
static char *page_text(const char *path, int n)
{
  char opts[64];

  snprintf(opts, sizeof opts, "pdftotext -layout -f %d -l %d", n, n);
  return tool(opts, path, "-");
}

/* The page number the contents page gives heading, or -1. */
static int toc_page_of(const char *toc, const char *heading)
{
  const char *line = strstr(toc, heading), *end;

  if (!line)
    return -1;
  end = strchr(line, '\n');
  while (end && end > line && (end[-1] == ' ' || end[-1] == '\f'))
    end--;
  while (end && end > line && end[-1] >= '0' && end[-1] <= '9')
    end--;
  return end && end > line ? atoi(end) : -1;
}

/* Whether some line of text starts (after spaces) with heading. */
static int has_line_starting(const char *text, const char *heading)
{
  const char *l = text;

  while (l) {
    while (*l == ' ')
      l++;
    if (!strncmp(l, heading, strlen(heading)))
      return 1;
    l = strchr(l, '\n');
    if (l)
      l++;
  }
  return 0;
}

static void contents_page_gives_section_pages(void **state)
{
  static const char *const headings[] = {
    "The four questions", "Top risks", "Inventory", "Findings",
    "Remediation plan", "Coverage"
  };
  struct fixture *f = *state;
  cJSON *j = load_sample();
  char *toc;
  int pages, first = 3;

  assert_int_equal(render(j, f->pdf), NHI_OK);
  cJSON_Delete(j);
  pages = page_count(f->pdf);
  toc = page_text(f->pdf, 2);
  assert_contains(toc, "Contents");
  for (size_t i = 0; i < sizeof headings / sizeof *headings; i++) {
    int n = toc_page_of(toc, headings[i]);
    char *text;

    if (n < first || n > pages)
      fail_msg("contents: '%s' on page %d (pages %d)", headings[i], n,
               pages);
    text = page_text(f->pdf, n);
    if (!has_line_starting(text, headings[i]))
      fail_msg("contents: '%s' is not on page %d", headings[i], n);
    free(text);
    first = n;
  }
  free(toc);
}

/* Outline titles are UTF-16BE hex strings: <FEFF0043...>. */
static int has_bookmark(const char *pdf, size_t len, const char *title)
{
  char want[256] = "<FEFF";

  for (const char *c = title; *c && strlen(want) < sizeof want - 6; c++)
    snprintf(want + strlen(want), 5, "%04X", (unsigned char)*c);
  strcat(want, ">");
  for (size_t i = 0; i + strlen(want) <= len; i++)
    if (!memcmp(pdf + i, want, strlen(want)))
      return 1;
  return 0;
}

static void sections_have_bookmarks(void **state)
{
  static const char *const titles[] = {
    "Contents", "The four questions", "Top risks", "Inventory",
    "Findings", "Remediation plan", "Coverage"
  };
  struct fixture *f = *state;
  cJSON *j = load_sample();
  FILE *fp;
  char *pdf = malloc(1 << 20);
  size_t len;

  assert_non_null(pdf);
  assert_int_equal(render(j, f->pdf), NHI_OK);
  cJSON_Delete(j);
  fp = fopen(f->pdf, "rb");
  assert_non_null(fp);
  len = fread(pdf, 1, 1 << 20, fp);
  fclose(fp);
  for (size_t i = 0; i < sizeof titles / sizeof *titles; i++)
    if (!has_bookmark(pdf, len, titles[i]))
      fail_msg("no bookmark titled '%s'", titles[i]);
  free(pdf);
}

static void plan_lists_actions(void **state)
{
  struct fixture *f = *state;
  cJSON *j = load_sample();
  char *text;

  assert_int_equal(render(j, f->pdf), NHI_OK);
  text = tool("pdftotext -layout", f->pdf, "-");
  assert_contains(text, "Remediation plan");
  assert_contains(text, "Scope down 1 identity with administrator-");
  assert_contains(text, "Remove 1 unused role");
  assert_contains(text, "Quick win");
  assert_contains(text, "✓");
  free(text);
  cJSON_DeleteItemFromObject(j, "remediation");
  assert_int_equal(render(j, f->pdf), NHI_OK);
  cJSON_Delete(j);
  text = tool("pdftotext -layout", f->pdf, "-");
  if (strstr(text, "Remediation plan"))
    fail_msg("a report without a plan should have no plan section");
  free(text);
}

/* Each risky check says what an attacker could do (by its category),
 * who is involved (by short name) and what to do, most severe first. */
static void top_risks_in_business_words(void **state)
{
  struct fixture *f = *state;
  cJSON *j = load_sample();
  char *text, *admin, *unused;

  assert_int_equal(render(j, f->pdf), NHI_OK);
  cJSON_Delete(j);
  text = tool("pdftotext -layout", f->pdf, "-");
  removes_whitespace(text);
  assert_contains(text, "Toprisks");
  admin = strstr(text, "Anattackerwhogetsholdofoneoftheseidentities'");
  unused = strstr(text, "Identitiesnobodyusesstillholdrights");
  if (!admin || !unused || admin > unused)
    fail_msg("expected the admin-equivalent risk, then the unused one");
  assert_contains(text, "Identitiesinvolved:legacy-etl-runner");
  assert_contains(text, "Whattodo:Scopedown1identity");
  free(text);
}

/* pdffonts ends each font line with: emb sub uni object-number gen. */
static int embedded_fonts(const char *listing)
{
  const char *line = strstr(listing, "\n---");
  char tok[8][64];
  int embedded = 0, n;

  line = line ? strchr(line + 1, '\n') : NULL;
  while (line && *++line) {
    n = sscanf(line, "%*s %63s %63s %63s %63s %63s %63s %63s %63s", tok[0],
               tok[1], tok[2], tok[3], tok[4], tok[5], tok[6], tok[7]);
    if (n >= 5 && !strcmp(tok[n - 5], "yes"))
      embedded++;
    line = strchr(line, '\n');
  }
  return embedded;
}

static void fonts_are_embedded(void **state)
{
  struct fixture *f = *state;
  cJSON *j = load_sample();
  char *fonts;

  assert_int_equal(render(j, f->pdf), NHI_OK);
  cJSON_Delete(j);
  fonts = tool("pdffonts", f->pdf, "");
  assert_true(embedded_fonts(fonts) >= 2);
  free(fonts);
}

static cJSON *report_with_findings(int n, const char *client)
{
  static const char *const sev[] = { "critical", "high", "medium", "low" };
  cJSON *root = cJSON_CreateObject(), *a, *list, *f;
  char id[64], check[32];

  assert_non_null(root);
  a = cJSON_AddObjectToObject(root, "assessment");
  cJSON_AddStringToObject(a, "client", client);
  list = cJSON_AddArrayToObject(root, "findings");
  for (int i = 0; i < n; i++) {
    f = cJSON_CreateObject();
    assert_non_null(f);
    snprintf(id, sizeof id, "arn:aws:iam::412398765001:role/svc-%05d", i);
    snprintf(check, sizeof check, "aws.iam.check-%d", i % 7);
    cJSON_AddStringToObject(f, "severity", sev[i % 4]);
    cJSON_AddStringToObject(f, "check", check);
    cJSON_AddStringToObject(f, "identity", id);
    cJSON_AddStringToObject(f, "title", "Access key not rotated in 90 days");
    cJSON_AddStringToObject(f, "remediation", "Rotate the key.");
    cJSON_AddItemToArray(list, f);
  }
  return root;
}

static void many_findings_paginate(void **state)
{
  struct fixture *f = *state;
  cJSON *j = report_with_findings(2000, "Bulk Ltd");
  char *text;
  int pages;

  assert_int_equal(render(j, f->pdf), NHI_OK);
  cJSON_Delete(j);
  pages = page_count(f->pdf);
  assert_true(pages > 10);
  assert_true(pages < 200);
  text = tool("pdftotext -layout", f->pdf, "-");
  assert_contains(text, "arn:aws:iam::412398765001:role/svc-01999");
  assert_contains(text, "Severity");
  free(text);
}

/* Every word pdftotext places must lie inside the page. */
static void assert_words_inside_page(const char *path)
{
  char *xml = tool("pdftotext -bbox", path, "-"), *w = xml;
  double x0, y0, x1, y1;
  int words = 0;

  while ((w = strstr(w, "<word xMin=\"")) != NULL) {
    assert_int_equal(sscanf(w, "<word xMin=\"%lf\" yMin=\"%lf\" "
                            "xMax=\"%lf\" yMax=\"%lf\"", &x0, &y0, &x1,
                            &y1), 4);
    if (x0 < 0 || y0 < 0 || x1 > 595.3 || y1 > 841.9)
      fail_msg("word outside the page at %.1f,%.1f-%.1f,%.1f", x0, y0,
               x1, y1);
    words++;
    w++;
  }
  assert_true(words > 20);
  free(xml);
}

static void removes_whitespace(char *s)
{
  char *o = s;

  for (; *s; s++)
    if (*s != ' ' && *s != '\n' && *s != '\f')
      *o++ = *s;
  *o = '\0';
}

static void long_identity_wraps_inside_page(void **state)
{
  struct fixture *f = *state;
  cJSON *j = report_with_findings(1, UNICODE_CLIENT);
  cJSON *finding = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "findings"), 0);
  char id[301], *raw;

  memset(id, 'q', 300);
  memcpy(id, "id", 2);
  id[300] = '\0';
  cJSON_ReplaceItemInObject(finding, "identity", cJSON_CreateString(id));
  assert_int_equal(render(j, f->pdf), NHI_OK);
  cJSON_Delete(j);
  assert_words_inside_page(f->pdf);
  /* -raw keeps content-stream order, so the cell's lines stay adjacent. */
  raw = tool("pdftotext -raw", f->pdf, "-");
  removes_whitespace(raw);
  assert_contains(raw, id);
  free(raw);
}

static void non_latin_text_survives(void **state)
{
  struct fixture *f = *state;
  cJSON *j = report_with_findings(3, UNICODE_CLIENT);
  char *text;

  assert_int_equal(render(j, f->pdf), NHI_OK);
  cJSON_Delete(j);
  text = tool("pdftotext -layout", f->pdf, "-");
  assert_contains(text, "Prepared for " UNICODE_CLIENT);
  assert_contains(text, UNICODE_CLIENT " — Confidential — Page 1 of");
  free(text);
}

static void sample_draws_inside_boxes(void **state)
{
  struct fixture *f = *state;
  cJSON *j = load_sample();
  struct nhi_pdf_stats s;

  assert_int_equal(render_stats(j, NULL, f->pdf, &s), NHI_OK);
  assert_all_inside(&s);
  assert_int_equal(s.pages, page_count(f->pdf));
  assert_int_equal(render_stats(j, "technical", f->pdf, &s), NHI_OK);
  assert_all_inside(&s);
  cJSON_Delete(j);
}

/* The position check itself: text past the page or its box counts. */
static void outside_text_is_counted(void **state)
{
  struct fixture *f = *state;
  struct nhi_pdf p;
  struct nhi_pdf_text t = { NHI_PDF_REGULAR, 10, { 0, 0, 0 } };

  assert_int_equal(nhi_pdf_open(&p, &test_style, FONT, BOLD, f->pdf),
                   NHI_OK);
  assert_int_equal(nhi_pdf_line_at(&p, &t, 60, 400, 200, NHI_PDF_LEFT,
                                   "inside"), NHI_OK);
  assert_int_equal(p.outside, 0);
  assert_int_equal(nhi_pdf_line_at(&p, &t, 560, 400, 200, NHI_PDF_LEFT,
                                   "past the right edge"), NHI_OK);
  assert_int_equal(p.outside, 1);
  assert_int_equal(nhi_pdf_line_at(&p, &t, 60, 838, 200, NHI_PDF_LEFT,
                                   "above the top"), NHI_OK);
  assert_int_equal(p.outside, 2);
  /* One character wider than the column cannot be cut smaller. */
  assert_int_equal(nhi_pdf_para_inset(&p, &t, 0, 490, "W"), NHI_OK);
  assert_int_equal(p.outside, 2);
  assert_int_equal(p.texts, 4);
  nhi_pdf_close(&p);
}

static void ten_thousand_findings_render(void **state)
{
  struct fixture *f = *state;
  cJSON *j = report_with_findings(10000, "Bulk Ltd");
  struct nhi_pdf_stats s;
  char *last;
  int pages;

  assert_int_equal(render_stats(j, NULL, f->pdf, &s), NHI_OK);
  cJSON_Delete(j);
  pages = page_count(f->pdf);
  assert_int_equal(s.pages, pages);
  if (pages < 150 || pages > 400)
    fail_msg("10,000 findings on %d pages", pages);
  assert_all_inside(&s);
  last = page_text(f->pdf, pages);
  assert_contains(last, "Page ");
  free(last);
}

/* Identity, evidence leaves one per line, the threshold; the header
 * row on every page the table runs onto. */
static void technical_lists_evidence(void **state)
{
  struct fixture *f = *state;
  cJSON *j = report_with_findings(300, "Bulk Ltd");
  cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "findings"), 0);
  cJSON *ev = cJSON_Parse("{\"steps\":[{\"principal\":\"arn:aws:iam::1:"
                          "role/a\"},{\"principal\":\"arn:aws:iam::1:role/"
                          "b\"}],\"actions\":[\"s3:GetObject\",\"s3:Put"
                          "Object\"],\"age_days\":412}");
  struct nhi_pdf_stats s;
  char *text, *fonts, *info, *page;
  int pages, headed = 0;

  cJSON_AddItemToObject(first, "evidence", ev);
  cJSON_AddItemToObject(first, "threshold",
                        cJSON_Parse("{\"max_age_days\":90}"));
  assert_int_equal(render_stats(j, "technical", f->pdf, &s), NHI_OK);
  cJSON_Delete(j);
  assert_all_inside(&s);
  text = tool("pdftotext -layout", f->pdf, "-");
  assert_contains(text, "technical findings");
  assert_contains(text, "Findings and their evidence");
  assert_contains(text, "steps[2].principal: arn:aws:iam::1:role/b");
  assert_contains(text, "actions: s3:GetObject, s3:PutObject");
  assert_contains(text, "age_days: 412");
  assert_contains(text, "Threshold: max_age_days: 90");
  assert_contains(text, "arn:aws:iam::412398765001:role/svc-00299");
  free(text);
  pages = page_count(f->pdf);
  for (int n = 4; n <= pages; n++) {
    page = page_text(f->pdf, n);
    headed += strstr(page, "Evidence") && strstr(page, "Severity");
    free(page);
  }
  if (headed < pages - 4)
    fail_msg("the table header is on %d of %d pages", headed, pages - 3);
  info = tool("pdfinfo", f->pdf, "");
  assert_contains(info, "841.89 x 595.276 pts");
  free(info);
  fonts = tool("pdffonts", f->pdf, "");
  assert_true(embedded_fonts(fonts) >= 2);
  free(fonts);
}

/* An evidence row longer than a page goes on under a repeated header,
 * and names its finding again on each page. */
static void split_row_names_itself(void **state)
{
  struct fixture *f = *state;
  cJSON *j = report_with_findings(2, "Bulk Ltd");
  cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "findings"), 0);
  cJSON *ev = cJSON_AddObjectToObject(first, "evidence");
  cJSON *list = cJSON_AddArrayToObject(ev, "policies");
  struct nhi_pdf_stats s;
  char name[64], *page;
  int pages;

  cJSON_AddStringToObject(first, "id", "F0042");
  for (int i = 0; i < 150; i++) {
    snprintf(name, sizeof name, "arn:aws:iam::1:policy/p-%03d", i);
    cJSON_AddItemToArray(list, cJSON_CreateObject());
    cJSON_AddStringToObject(cJSON_GetArrayItem(list, i), "arn", name);
  }
  assert_int_equal(render_stats(j, "technical", f->pdf, &s), NHI_OK);
  cJSON_Delete(j);
  assert_all_inside(&s);
  pages = page_count(f->pdf);
  assert_true(pages >= 6);
  for (int n = 4; n < pages; n++) {
    page = page_text(f->pdf, n);
    if (strstr(page, "policies[") && (!strstr(page, "F0042") ||
                                      !strstr(page, "Evidence")))
      fail_msg("page %d continues F0042 without its id or header", n);
    free(page);
  }
}

/* A report whose assessment names a logo and a company. */
static cJSON *branded_sample(const char *logo)
{
  cJSON *j = load_sample();
  cJSON *a = cJSON_GetObjectItem(j, "assessment");
  cJSON *b = cJSON_AddObjectToObject(a, "branding");

  cJSON_AddStringToObject(b, "company", "Acme Advisory GmbH");
  cJSON_AddStringToObject(b, "logo", logo);
  cJSON_AddItemToObject(b, "colours", cJSON_Parse("{\"accent\":"
                        "\"#0B6E4F\"}"));
  return j;
}

/* pdfimages -list: page, num, type, width, height, ..., x-ppi, y-ppi. */
static void logo_on_cover_with_aspect_kept(void **state)
{
  struct fixture *f = *state;
  cJSON *j = branded_sample(LOGO);
  struct nhi_pdf_stats s;
  char *list, *text, *row;
  int page, w, h, xppi, yppi;

  assert_int_equal(render_stats(j, NULL, f->pdf, &s), NHI_OK);
  cJSON_Delete(j);
  assert_int_equal(s.images, 1);
  assert_all_inside(&s);
  list = tool("pdfimages -list", f->pdf, "");
  row = strstr(list, "\n---");
  row = row ? strchr(row + 1, '\n') : NULL;
  assert_non_null(row);
  assert_int_equal(sscanf(row, "%d %*d %*s %d %d %*s %*d %*d %*s %*s "
                          "%*d %*d %d %d", &page, &w, &h, &xppi, &yppi), 5);
  assert_int_equal(page, 1);
  assert_int_equal(w, 360);
  assert_int_equal(h, 120);
  assert_int_equal(xppi, yppi);
  /* 360 px fill the 60 mm box's width: 152 px per inch. */
  assert_true(xppi >= 150 && xppi <= 154);
  free(list);
  text = page_text(f->pdf, 1);
  assert_contains(text, "Prepared by Demo Consulting LLP, Acme Advisory "
                        "GmbH");
  free(text);
}

/* The smallest baseline JPEG: 8 by 8 mid-grey pixels, one DC and one
 * AC Huffman code (both "0": a zero DC difference, then end of block). */
static void write_grey_jpeg(const char *path)
{
  static const unsigned char head[] = {
    0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43, 0x00 };
  static const unsigned char tail[] = {
    0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01,
    0x11, 0x00,
    0xFF, 0xC4, 0x00, 0x14, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0x00,
    0xFF, 0xC4, 0x00, 0x14, 0x10, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0x00,
    0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00,
    0x3F, 0xFF, 0xD9 };
  unsigned char quant[64];
  FILE *fp = fopen(path, "wb");

  memset(quant, 1, sizeof quant);
  assert_non_null(fp);
  assert_int_equal(fwrite(head, 1, sizeof head, fp), sizeof head);
  assert_int_equal(fwrite(quant, 1, sizeof quant, fp), sizeof quant);
  assert_int_equal(fwrite(tail, 1, sizeof tail, fp), sizeof tail);
  assert_int_equal(fclose(fp), 0);
}

static void jpeg_logo_on_cover(void **state)
{
  struct fixture *f = *state;
  char jpg[160], *list;
  cJSON *j;
  struct nhi_pdf_stats s;

  snprintf(jpg, sizeof jpg, "%s/logo.jpg", f->dir);
  write_grey_jpeg(jpg);
  assert_int_equal(nhi_template_logo_kind(jpg), NHI_LOGO_JPEG);
  assert_int_equal(nhi_template_check_logo(jpg, "logo.jpg", "test"),
                   NHI_OK);
  j = branded_sample(jpg);
  assert_int_equal(render_stats(j, NULL, f->pdf, &s), NHI_OK);
  cJSON_Delete(j);
  unlink(jpg);
  assert_int_equal(s.images, 1);
  list = tool("pdfimages -list", f->pdf, "");
  assert_contains(list, " jpeg ");
  free(list);
}

static void missing_logo_fails_naming_it(void **state)
{
  struct fixture *f = *state;
  cJSON *j = branded_sample("/nonexistent/logo.png");

  assert_int_equal(render(j, f->pdf), NHI_ERR_INPUT);
  cJSON_Delete(j);
  j = branded_sample(SAMPLE);
  assert_int_equal(render(j, f->pdf), NHI_ERR_INPUT);
  cJSON_Delete(j);
}

static void logo_check_names_the_file(void **state)
{
  struct fixture *f = *state;
  char bad[160];
  FILE *fp;

  assert_int_equal(nhi_template_check_logo(LOGO, "brand/logo.png",
                                           "profile 'p.lua'"), NHI_OK);
  assert_int_equal(nhi_template_check_logo("/nonexistent.png", "x.png",
                                           "profile 'p.lua'"),
                   NHI_ERR_USAGE);
  assert_int_equal(nhi_template_check_logo(SAMPLE, "r.json",
                                           "profile 'p.lua'"),
                   NHI_ERR_USAGE);
  /* JPEG's first bytes, then nothing a JPEG reader can use. */
  snprintf(bad, sizeof bad, "%s/fake.jpg", f->dir);
  fp = fopen(bad, "wb");
  assert_non_null(fp);
  fwrite("\xFF\xD8\xFF\xE0garbage", 1, 11, fp);
  fclose(fp);
  assert_int_equal(nhi_template_logo_kind(bad), NHI_LOGO_JPEG);
  assert_int_equal(nhi_template_check_logo(bad, "fake.jpg",
                                           "profile 'p.lua'"),
                   NHI_ERR_USAGE);
  unlink(bad);
}

/* Each question's gauge is a track and, for a score above 0, an arc
 * for it; the overall score has one too. */
static void gauges_for_every_score(void **state)
{
  struct fixture *f = *state;
  cJSON *j = load_sample();
  const cJSON *q;
  struct nhi_pdf_stats s;
  unsigned want = 1, tracks = 1;
  double v;
  char *text;

  cJSON_ArrayForEach(q, cJSON_GetObjectItem(j, "questions")) {
    tracks++;
    v = cJSON_GetNumberValue(cJSON_GetObjectItem(q, "score"));
    want += 1 + (v > 0);
  }
  v = cJSON_GetNumberValue(cJSON_GetObjectItem(
        cJSON_GetObjectItem(j, "score"), "overall"));
  want += v > 0;
  assert_true(tracks == 5);
  assert_int_equal(render_stats(j, NULL, f->pdf, &s), NHI_OK);
  cJSON_Delete(j);
  assert_int_equal(s.arcs, want);
  text = page_text(f->pdf, 3);
  assert_contains(text, "The four questions");
  free(text);
}

static void template_over_its_base(void **state)
{
  cJSON *t = NULL;

  assert_int_equal(nhi_template_read("templates", "technical", &t), NHI_OK);
  assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(t, "page"),
                                          "orientation")->valuestring,
                      "landscape");
  assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(t, "page"),
                                          "size")->valuestring, "A4");
  assert_null(cJSON_GetObjectItem(t, "base"));
  assert_non_null(cJSON_GetObjectItem(t, "colours"));
  cJSON_Delete(t);
  assert_int_equal(nhi_template_read("templates", NULL, &t), NHI_OK);
  assert_non_null(cJSON_GetObjectItem(t, "branding"));
  cJSON_Delete(t);
  assert_int_equal(nhi_template_read("templates", "Technical", &t),
                   NHI_ERR_USAGE);
  assert_null(t);
}

static void render_ok(const char *json, const char *path)
{
  cJSON *j = cJSON_Parse(json);

  assert_non_null(j);
  assert_int_equal(render(j, path), NHI_OK);
  cJSON_Delete(j);
  assert_is_pdf(path);
}

static void missing_fields_render(void **state)
{
  struct fixture *f = *state;

  render_ok("{\"schema_version\":\"1.0\"}", f->pdf);
  assert_int_equal(render(NULL, f->pdf), NHI_OK);
  assert_is_pdf(f->pdf);
}

static void wrong_types_render(void **state)
{
  struct fixture *f = *state;

  render_ok("{\"assessment\":{\"client\":12,\"now\":\"yesterday\","
            "\"sources\":[null,3,{\"status\":null,\"spec\":[]}]},"
            "\"score\":{\"overall\":null,\"grade\":7},"
            "\"questions\":[null,{\"id\":\"x\",\"answer\":5,"
            "\"missing_evidence\":[1,\"zz\"],\"findings\":[]}],"
            "\"inventory\":{\"by_kind\":[{\"kind\":null,"
            "\"non_human\":-4,\"human\":\"3\"}],\"by_provider\":{}},"
            "\"findings\":[{},null,{\"severity\":\"bogus\","
            "\"identity\":\"\\u00ff\\ud83d\\ude00\"}],"
            "\"plugins\":[1,{\"status\":\"failed\"}]}", f->pdf);
}

static void bad_inputs_fail_cleanly(void **state)
{
  struct fixture *f = *state;
  cJSON *j = load_sample();

  struct nhi_pdf_options missing = { "/nonexistent-templates", NULL, "en",
                                     FONT, BOLD, NULL };

  assert_int_equal(render_with(j, NULL, "en", "/nonexistent.ttf", f->pdf),
                   NHI_ERR_IO);
  assert_int_equal(render(j, "/nonexistent-dir/report.pdf"), NHI_ERR_IO);
  assert_int_equal(nhi_pdf_render(j, &missing, f->pdf), NHI_ERR_USAGE);
  assert_int_equal(render_with(j, NULL, "../en", FONT, f->pdf),
                   NHI_ERR_INPUT);
  assert_int_equal(render_with(j, NULL, "zz", FONT, f->pdf),
                   NHI_ERR_INPUT);
  assert_int_equal(render_with(j, "nosuch", "en", FONT, f->pdf),
                   NHI_ERR_USAGE);
  assert_int_equal(render_with(j, "../report", "en", FONT, f->pdf),
                   NHI_ERR_USAGE);
  cJSON_Delete(j);
}

static void subst_fills_placeholders(void **state)
{
  char *s = nhi_pdf_subst("Prepared for {client} {unknown}{empty}.",
                          (const char *const[]){ "client", "Acme",
                                                 "empty", NULL, NULL });

  assert_non_null(s);
  assert_string_equal(s, "Prepared for Acme {unknown}.");
  free(s);
  s = nhi_pdf_subst("{a}{a} {", (const char *const[]){ "a", "x", NULL });
  assert_non_null(s);
  assert_string_equal(s, "xx {");
  free(s);
}

static void wrap_cuts_long_words_and_bad_utf8(void **state)
{
  struct fixture *f = *state;
  struct nhi_pdf p;
  struct nhi_pdf_text t = { NHI_PDF_REGULAR, 10, { 0, 0, 0 } };
  struct nhi_pdf_lines l;
  char joined[400] = "";

  assert_int_equal(nhi_pdf_open(&p, &test_style, FONT, BOLD, f->pdf),
                   NHI_OK);
  assert_int_equal(nhi_pdf_wrap(&p, &t, "abcdefghijklmnopqrstuvwxyz\xff"
                                "\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80 end",
                                60, &l), NHI_OK);
  assert_true(l.n >= 3);
  for (size_t i = 0; i < l.n; i++) {
    char *line = strndup(l.text + l.v[i].off, l.v[i].len);

    assert_true(nhi_pdf_text_width(&p, &t, line) <= 60);
    strcat(joined, line);
    free(line);
  }
  assert_string_equal(joined, "abcdefghijklmnopqrstuvwxyz?\xc3\xa9\xe6\x97"
                              "\xa5?end");
  nhi_pdf_lines_free(&l);
  nhi_pdf_close(&p);
}

static void wrap_prefers_spaces_and_separators(void **state)
{
  struct fixture *f = *state;
  struct nhi_pdf p;
  struct nhi_pdf_text t = { NHI_PDF_REGULAR, 10, { 0, 0, 0 } };
  struct nhi_pdf_lines l;
  float w;

  assert_int_equal(nhi_pdf_open(&p, &test_style, FONT, BOLD, f->pdf),
                   NHI_OK);
  w = nhi_pdf_text_width(&p, &t, "arn:aws:iam::1:role/");
  assert_int_equal(nhi_pdf_wrap(&p, &t, "arn:aws:iam::1:role/etl-runner",
                                w + 1, &l), NHI_OK);
  assert_int_equal(l.n, 2);
  assert_int_equal(l.v[0].len, strlen("arn:aws:iam::1:role/"));
  nhi_pdf_lines_free(&l);
  assert_int_equal(nhi_pdf_wrap(&p, &t, "one two\nthree", 1000, &l),
                   NHI_OK);
  assert_int_equal(l.n, 2);
  assert_int_equal(l.v[1].len, strlen("three"));
  nhi_pdf_lines_free(&l);
  nhi_pdf_close(&p);
}

/* Pages hang from a tree: one list of them stops at the largest array
 * libharu writes (HPDF_LIMIT_MAX_ARRAY), which a technical report of
 * a large estate passes. */
static void more_pages_than_one_pdf_array_holds(void **state)
{
  struct fixture *f = *state;
  unsigned want = HPDF_LIMIT_MAX_ARRAY + 2;
  struct nhi_pdf p;

  assert_int_equal(nhi_pdf_open(&p, &test_style, FONT, BOLD, f->pdf),
                   NHI_OK);
  while (p.pages < want)
    assert_int_equal(nhi_pdf_new_page(&p), NHI_OK);
  assert_int_equal(nhi_pdf_save(&p), NHI_OK);
  nhi_pdf_close(&p);
  assert_int_equal(page_count(f->pdf), (int)want);
}

/* The coverage section states what the profile set, in the report's
 * language. */
static void settings_are_listed(void **state)
{
  struct fixture *f = *state;
  cJSON *j = load_sample();
  char *text;

  assert_int_equal(render(j, f->pdf), NHI_OK);
  text = tool("pdftotext -layout", f->pdf, "-");
  assert_contains(text, "Assessment settings");
  assert_contains(text, "profile.lua");
  assert_true(strstr(text, "/srv/assessments") == NULL);
  assert_contains(text, "aws.iam.role-unused: max_days = 60");
  assert_contains(text, "aws.activity.anomalous");
  assert_contains(text, "arn:aws:s3:::northwind-customer-pii-*: restricted");
  assert_contains(text, "DataClass = pii: restricted");
  assert_contains(text, "DataClass = any value: internal");
  assert_contains(text, "412398765000");
  assert_contains(text, "Longest AI path followed");
  free(text);
  assert_int_equal(render_with(j, NULL, "es", FONT, f->pdf), NHI_OK);
  cJSON_Delete(j);
  text = tool("pdftotext -layout", f->pdf, "-");
  assert_contains(text, "Parámetros de la evaluación");
  assert_contains(text, "DataClass = cualquier valor: interno");
  free(text);
}

/* A Spanish report gives the checks' titles and remediation from the
 * catalogue, the titles' {params} filled from each finding's threshold;
 * an English one keeps what the checks wrote. */
static void check_words_follow_the_language(void **state)
{
  struct fixture *f = *state;
  cJSON *j = load_sample();
  char *text;

  assert_int_equal(render_with(j, NULL, "es", FONT, f->pdf), NHI_OK);
  text = tool("pdftotext", f->pdf, "-");
  removes_whitespace(text);
  assert_contains(text, "Rolsinusodurantemásde90días");
  assert_contains(text, "Confirmeconelpropietario");
  assert_true(strstr(text, "Roleunusedfor90days") == NULL);
  free(text);
  assert_int_equal(render(j, f->pdf), NHI_OK);
  cJSON_Delete(j);
  text = tool("pdftotext", f->pdf, "-");
  removes_whitespace(text);
  assert_contains(text, "Roleunusedfor90days");
  assert_contains(text, "Confirmwiththeownerand");
  free(text);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(sample_has_the_expected_text, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(footer_counts_pages, setup, teardown),
    cmocka_unit_test_setup_teardown(fonts_are_embedded, setup, teardown),
    cmocka_unit_test_setup_teardown(contents_page_gives_section_pages,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(sections_have_bookmarks, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(plan_lists_actions, setup, teardown),
    cmocka_unit_test_setup_teardown(top_risks_in_business_words, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(many_findings_paginate, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(long_identity_wraps_inside_page, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(non_latin_text_survives, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(missing_fields_render, setup, teardown),
    cmocka_unit_test_setup_teardown(wrong_types_render, setup, teardown),
    cmocka_unit_test_setup_teardown(bad_inputs_fail_cleanly, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(sample_draws_inside_boxes, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(outside_text_is_counted, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(ten_thousand_findings_render, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(technical_lists_evidence, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(split_row_names_itself, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(logo_on_cover_with_aspect_kept, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(jpeg_logo_on_cover, setup, teardown),
    cmocka_unit_test_setup_teardown(missing_logo_fails_naming_it, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(logo_check_names_the_file, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(gauges_for_every_score, setup,
                                    teardown),
    cmocka_unit_test(template_over_its_base),
    cmocka_unit_test(subst_fills_placeholders),
    cmocka_unit_test_setup_teardown(wrap_cuts_long_words_and_bad_utf8,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(settings_are_listed, setup, teardown),
    cmocka_unit_test_setup_teardown(check_words_follow_the_language, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(more_pages_than_one_pdf_array_holds,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(wrap_prefers_spaces_and_separators,
                                    setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
