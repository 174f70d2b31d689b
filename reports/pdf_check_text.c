/* A finding's title and remediation in the report's language: the word
 * catalogue may give a check's title ("check.<id>.title", with the
 * check's {params}) and remediation ("check.<id>.remediation"); what the
 * catalogue lacks is shown as the check wrote it. */
#include "pdf_report.h"

#include "report_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The catalogue's text of what ("title", "remediation") for check, or
 * NULL. The last check asked is kept: findings come grouped by check,
 * and a report may hold a hundred thousand of them. */
static const char *check_word(struct nhi_rpt *r, const char *check,
                              const char *what)
{
  struct nhi_rpt_check_words *c = &r->check_words;
  char key[160];

  if (!check)
    return NULL;
  if (!c->check || strcmp(c->check, check) != 0) {
    c->check = check;
    snprintf(key, sizeof key, "check.%s.title", check);
    c->title = get_str(r->words, key);
    snprintf(key, sizeof key, "check.%s.remediation", check);
    c->remediation = get_str(r->words, key);
  }
  return strcmp(what, "title") == 0 ? c->title : c->remediation;
}

/* A check's params a title may name: more are left as written. */
#define MAX_PARAMS 8

/* tmpl with each {name} replaced by the finding's threshold value of
 * that name (as text); names it lacks stay as written. */
static char *fill_params(struct nhi_rpt *r, const char *tmpl,
                         const cJSON *f)
{
  cJSON *owned = NULL;
  const cJSON *params = nhi_report_value(f, "threshold", &owned), *v;
  struct nhi_pdf_buf values[MAX_PARAMS] = { { 0 } };
  const char *pairs[2 * MAX_PARAMS + 1];
  size_t n = 0;
  char *out;
  int failed = 0;

  if (!cJSON_IsObject(params))
    params = NULL;
  cJSON_ArrayForEach(v, params) {
    if (n == MAX_PARAMS)
      break;
    nhi_rpt_buf_value(&values[n], v);
    failed |= values[n].failed;
    pairs[2 * n] = v->string;
    pairs[2 * n + 1] = values[n].s ? values[n].s : "";
    n++;
  }
  pairs[2 * n] = NULL;
  out = failed ? NULL : nhi_pdf_subst(tmpl, pairs);
  if (!out)
    nhi_rpt_no_memory(r);
  for (size_t i = 0; i < n; i++)
    free(values[i].s);
  cJSON_Delete(owned);
  return out;
}

enum nhi_rc nhi_rpt_finding_title(struct nhi_rpt *r, const cJSON *f,
                                  const char **title, char **owned)
{
  const char *tmpl = check_word(r, get_str(f, "check"), "title");

  *owned = NULL;
  *title = tmpl ? tmpl : get_str(f, "title");
  if (!tmpl || !strchr(tmpl, '{'))
    return NHI_OK;
  *title = *owned = fill_params(r, tmpl, f);
  return *owned ? NHI_OK : NHI_ERR_NOMEM;
}

const char *nhi_rpt_finding_remediation(struct nhi_rpt *r, const cJSON *f)
{
  const char *text = check_word(r, get_str(f, "check"), "remediation");

  return text ? text : get_str(f, "remediation");
}
