/* The PDF report's templates and the words its catalogue gives it. */
#include "pdf_report.h"

#include "json.h"
#include "report_template.h"
#include "strutil.h"
#include "timeutil.h"
#include "words.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct nhi_rpt_severity nhi_rpt_severities[NHI_RPT_N_SEVERITIES] = {
  { "critical", "count.critical" },
  { "high", "count.high" },
  { "medium", "count.medium" },
  { "low", "count.low" },
  { "info", "count.info" },
};

enum nhi_rc nhi_rpt_load_templates(struct nhi_rpt *r, const char *dir,
                                   const char *name, const char *lang,
                                   const char *path)
{
  enum nhi_rc rc;

  if (!nhi_words_valid_lang(lang)) {
    nhi_error("cannot write report '%s': '%s' is not a language name",
              path, lang);
    return NHI_ERR_INPUT;
  }
  rc = nhi_template_read(dir, name, &r->layout);
  if (!rc)
    rc = nhi_words_load(dir, lang, 0, &r->words);
  return rc;
}

void nhi_rpt_fmt_num(double v, char out[NHI_RPT_NUM_SIZE])
{
  if (fabs(v) < 1e15 && v == floor(v))
    snprintf(out, NHI_RPT_NUM_SIZE, "%.0f", v);
  else
    snprintf(out, NHI_RPT_NUM_SIZE, "%.3g", v);
}

const char *nhi_rpt_word(const struct nhi_rpt *r, const char *key)
{
  const char *s = get_str(r->words, key);

  return s ? s : key;
}

const char *nhi_rpt_word_for(const struct nhi_rpt *r, const char *prefix,
                             const char *id)
{
  const cJSON *w;
  size_t n = strlen(prefix);

  if (!id)
    return nhi_rpt_word(r, "value.none");
  cJSON_ArrayForEach(w, r->words)
    if (cJSON_IsString(w) && w->string && !strncmp(w->string, prefix, n) &&
        w->string[n] == '.' && !strcmp(w->string + n + 1, id))
      return w->valuestring;
  return id;
}

const char *nhi_rpt_num_text(const struct nhi_rpt *r, const cJSON *obj,
                             const char *key, char buf[NHI_RPT_NUM_SIZE])
{
  double v;

  if (!get_num(obj, key, &v))
    return nhi_rpt_word(r, "value.none");
  nhi_rpt_fmt_num(v, buf);
  return buf;
}

void *nhi_rpt_no_memory(const struct nhi_rpt *r)
{
  nhi_error("cannot write report '%s': out of memory", r->pdf.path);
  return NULL;
}

char *nhi_rpt_fill(const struct nhi_rpt *r, const char *key,
                   const char *const *pairs)
{
  char *s = nhi_pdf_subst(nhi_rpt_word(r, key), pairs);

  return s ? s : nhi_rpt_no_memory(r);
}

void nhi_rpt_buf_value(struct nhi_pdf_buf *b, const cJSON *v)
{
  char *s;

  if (cJSON_IsString(v)) {
    nhi_pdf_buf_add(b, v->valuestring);
    return;
  }
  s = cJSON_PrintUnformatted(v);
  if (!s) {
    b->failed = 1;
    return;
  }
  nhi_pdf_buf_add(b, s);
  cJSON_free(s);
}

char *nhi_rpt_copy_text(const struct nhi_rpt *r, const char *s)
{
  char *c = strdup(s);

  return c ? c : nhi_rpt_no_memory(r);
}

char *nhi_rpt_format_date(const struct nhi_rpt *r, const char *iso)
{
  char day[NHI_RPT_NUM_SIZE], year[NHI_RPT_NUM_SIZE];
  char month[NHI_RPT_NUM_SIZE];
  time_t t;
  struct tm tm;

  if (!iso)
    return nhi_rpt_copy_text(r, nhi_rpt_word(r, "value.none"));
  if (nhi_time_parse(iso, &t) || !gmtime_r(&t, &tm))
    return nhi_rpt_copy_text(r, iso);
  snprintf(day, sizeof day, "%d", tm.tm_mday);
  snprintf(year, sizeof year, "%d", tm.tm_year + 1900);
  snprintf(month, sizeof month, "%d", tm.tm_mon + 1);
  return nhi_rpt_fill(r, "date.format", (const char *const[]){
    "day", day, "month", nhi_rpt_word_for(r, "month", month),
    "year", year, NULL });
}
