/* The PDF report's top risks: the checks with the most severe findings,
 * what an attacker could do with each, who is involved, what to do. */
#include "pdf_report.h"

#include <stdlib.h>
#include <string.h>

/* Checks shown, and names listed for each before "and N more". */
#define TOP_RISKS 5
#define NAMES_SHOWN 3

struct risk {
  const char *check, *category, *severity;
  const cJSON *action;         /* its remediation action, or NULL */
};

/* The first TOP_RISKS checks in findings order (most severe first). */
static size_t pick_risks(const struct nhi_rpt *r, struct risk *out)
{
  const cJSON *f;
  size_t n = 0;

  cJSON_ArrayForEach(f, get_arr(r->root, "findings")) {
    const char *check = get_str(f, "check");
    size_t i;

    for (i = 0; check && i < n && strcmp(out[i].check, check); i++)
      ;
    if (!check || i < n)
      continue;
    out[n++] = (struct risk){ check, get_str(f, "category"),
                              get_str(f, "severity"), NULL };
    if (n == TOP_RISKS)
      break;
  }
  return n;
}

static void find_actions(const struct nhi_rpt *r, struct risk *v, size_t n)
{
  const cJSON *a;

  cJSON_ArrayForEach(a, get_arr(r->root, "remediation"))
    for (size_t i = 0; i < n; i++)
      if (get_str(a, "check") && !strcmp(get_str(a, "check"), v[i].check))
        v[i].action = a;
}

/* What people call an identity: the last part of its native id
 * ("deploy" for arn:aws:iam::1:role/ci/deploy, "root" for the root). */
static const char *short_name(const char *id)
{
  const char *slash = strrchr(id, '/'), *colon = strrchr(id, ':');
  const char *cut = slash ? slash : colon;

  return cut && cut[1] ? cut + 1 : id;
}

/* "a, b, c and 4 more" from the strings of list; the caller frees. */
static char *names_text(const struct nhi_rpt *r, const cJSON *list)
{
  struct nhi_pdf_buf b = { 0 };
  const cJSON *s;
  int total = cJSON_GetArraySize(list), shown = 0;
  char num[NHI_RPT_NUM_SIZE], *more;

  cJSON_ArrayForEach(s, list) {
    if (!cJSON_IsString(s) || shown == NAMES_SHOWN)
      continue;
    if (shown++)
      nhi_pdf_buf_add(&b, nhi_rpt_word(r, "list.separator"));
    nhi_pdf_buf_add(&b, short_name(s->valuestring));
  }
  if (total > shown) {
    nhi_rpt_fmt_num(total - shown, num);
    more = nhi_pdf_subst(nhi_rpt_word(r, "risks.more"),
                         (const char *const[]){ "count", num, NULL });
    nhi_pdf_buf_add(&b, more);
    b.failed |= !more;
    free(more);
  }
  if (b.failed) {
    free(b.s);
    return nhi_rpt_no_memory(r);
  }
  return b.s ? b.s : nhi_rpt_copy_text(r, "");
}

static enum nhi_rc risk_details(struct nhi_rpt *r, const struct risk *k,
                                float indent)
{
  const cJSON *ids = get_arr(k->action, "identities");
  const char *action = get_str(k->action, "action");
  char *names;
  enum nhi_rc rc = NHI_OK;

  if (cJSON_GetArraySize(ids) > 0) {
    names = names_text(r, ids);
    if (!names)
      return NHI_ERR_NOMEM;
    rc = nhi_rpt_say(r, &r->muted, indent, "risks.identities",
                     (const char *const[]){ "list", names, NULL });
    free(names);
  }
  if (!rc && action)
    rc = nhi_rpt_say(r, &r->body, indent, "risks.fix",
                     (const char *const[]){ "action", action, NULL });
  return rc;
}

/* Wide enough for the longest severity word. */
static float severity_pill_width(const struct nhi_rpt *r)
{
  float w = 0, tw;

  for (size_t i = 0; i < NHI_RPT_N_SEVERITIES; i++) {
    tw = nhi_pdf_text_width(&r->pdf, &r->label, nhi_rpt_word_for(r,
                            "severity", nhi_rpt_severities[i].id));
    w = tw > w ? tw : w;
  }
  return w + r->label.size * 1.6f;
}

static enum nhi_rc risk_item(struct nhi_rpt *r, const struct risk *k,
                             float pill_w)
{
  struct nhi_pdf *p = &r->pdf;
  struct nhi_pdf_rgb c = nhi_rpt_colour(r, "severity", k->severity,
                                        "#616E7C");
  float indent = pill_w + r->body.size, top;
  const char *what = k->category
                     ? nhi_rpt_word_for(r, "risk", k->category)
                     : nhi_rpt_word(r, "risk.generic");
  enum nhi_rc rc;

  if (k->category && what == k->category)
    what = nhi_rpt_word(r, "risk.generic");
  rc = nhi_pdf_need(p, 4 * nhi_pdf_line_height(p, &r->body));
  top = p->y;
  if (!rc)
    rc = nhi_rpt_draw_pill(r, p->left, top - 1, pill_w,
                           nhi_rpt_word_for(r, "severity", k->severity),
                           &c);
  if (!rc)
    rc = nhi_pdf_para(p, &r->sub, indent, what);
  if (!rc)
    rc = risk_details(r, k, indent);
  nhi_pdf_gap(p, r->body.size * 0.9f);
  return rc;
}

enum nhi_rc nhi_rpt_render_risks(struct nhi_rpt *r)
{
  struct risk v[TOP_RISKS];
  size_t n = pick_risks(r, v);
  enum nhi_rc rc;

  if (!get_arr(r->root, "findings"))
    return NHI_OK;
  rc = nhi_rpt_section(r, "risks", "section.risks");
  if (!rc && !n)
    return nhi_rpt_say(r, &r->body, 0, "risks.none", NULL);
  if (!rc)
    rc = nhi_rpt_say(r, &r->body, 0, "risks.intro", NULL);
  nhi_pdf_gap(&r->pdf, r->body.size * 0.6f);
  find_actions(r, v, n);
  for (size_t i = 0; !rc && i < n; i++)
    rc = risk_item(r, &v[i], severity_pill_width(r));
  return rc;
}
