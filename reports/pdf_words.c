/* The PDF report's templates and the words its catalogue gives it. */
#include "pdf_report.h"

#include "json.h"
#include "timeutil.h"

#include <ctype.h>
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

enum nhi_rc nhi_rpt_load_templates(struct nhi_rpt *r, const char *dir,
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
