/* The PDF report's AI section: each AI agent with the identity it runs
 * as and the data it is declared to use, then its paths to sensitive
 * data, step by step with the permission that opens each, and whether
 * the activity traces them. */
#include "pdf_report.h"

#include <stdlib.h>
#include <string.h>

/* The paths listed when the template sets no ai.max_paths. */
#define AI_MAX_PATHS 100

/* The last part of an ARN or resource name: after its last '/' or ':'
 * (a bucket's name, a role's name). Borrowed from ref. */
static const char *short_name(const char *ref)
{
  const char *slash, *colon;

  if (!ref)
    return NULL;
  slash = strrchr(ref, '/');
  colon = strrchr(ref, ':');
  if (slash && slash[1])
    return slash + 1;
  return colon && colon[1] ? colon + 1 : ref;
}

/* The agent's name as report.json's agents give it, else the end of its
 * native id. Borrowed. */
static const char *agent_label(const cJSON *agents, const char *id)
{
  const cJSON *a;

  cJSON_ArrayForEach(a, agents) {
    const char *aid = get_str(a, "id"), *name = get_str(a, "name");

    if (aid && id && name && strcmp(aid, id) == 0)
      return name;
  }
  return short_name(id);
}

static size_t agent_paths(const cJSON *paths, const char *agent)
{
  const cJSON *p;
  size_t n = 0;

  cJSON_ArrayForEach(p, paths) {
    const char *a = get_str(p, "agent");

    n += a && agent && strcmp(a, agent) == 0;
  }
  return n;
}

/* The declared data sources' short names, joined; the caller frees. */
static char *declared(const struct nhi_rpt *r, const cJSON *agent)
{
  struct nhi_pdf_buf b = { 0 };
  const cJSON *ds;

  cJSON_ArrayForEach(ds, get_arr(agent, "data_sources")) {
    const char *ref = get_str(ds, "ref");

    if (!ref)
      continue;
    if (b.len)
      nhi_pdf_buf_add(&b, ", ");
    nhi_pdf_buf_add(&b, short_name(ref));
  }
  if (!b.len && !b.failed)
    nhi_pdf_buf_add(&b, nhi_rpt_word(r, "value.none"));
  if (b.failed) {
    free(b.s);
    return nhi_rpt_no_memory(r);
  }
  return b.s;
}

static enum nhi_rc agent_row(struct nhi_rpt *r, struct nhi_pdf_table *t,
                             const cJSON *a, const cJSON *paths)
{
  const char *none = nhi_rpt_word(r, "value.none");
  const char *id = get_str(a, "id"), *name = get_str(a, "name");
  const char *who = short_name(get_str(a, "identity"));
  char num[NHI_RPT_NUM_SIZE], *data = declared(r, a);
  struct nhi_pdf_cell cells[5];
  enum nhi_rc rc;

  if (!data)
    return NHI_ERR_NOMEM;
  nhi_rpt_fmt_num((double)agent_paths(paths, id), num);
  cells[0] = (struct nhi_pdf_cell){ name ? name : short_name(id), NULL,
                                    NHI_PDF_BOLD };
  cells[1] = (struct nhi_pdf_cell){ get_str(a, "platform"), NULL, 0 };
  cells[2] = (struct nhi_pdf_cell){ who ? who : none, NULL, 0 };
  cells[3] = (struct nhi_pdf_cell){ data, NULL, 0 };
  cells[4] = (struct nhi_pdf_cell){ num, NULL, 0 };
  rc = nhi_pdf_table_row(&r->pdf, t, cells);
  free(data);
  return rc;
}

static enum nhi_rc agents_table(struct nhi_rpt *r, const cJSON *agents,
                                const cJSON *paths)
{
  static const float widths[] = { 0.24f, 0.20f, 0.24f, 0.22f, 0.10f };
  static const enum nhi_pdf_align align[] = {
    NHI_PDF_LEFT, NHI_PDF_LEFT, NHI_PDF_LEFT, NHI_PDF_LEFT, NHI_PDF_RIGHT };
  const char *head[] = { nhi_rpt_word(r, "column.agent"),
                         nhi_rpt_word(r, "column.platform"),
                         nhi_rpt_word(r, "column.runs_as"),
                         nhi_rpt_word(r, "column.declared_data"),
                         nhi_rpt_word(r, "column.paths") };
  struct nhi_pdf_table t = { 5, widths, align, head, r->table,
                             r->table_head, 0, 0, 0 };
  const cJSON *a;
  enum nhi_rc rc = nhi_rpt_subheading(r, "ai.agents");

  cJSON_ArrayForEach(a, agents) {
    if (rc)
      break;
    rc = agent_row(r, &t, a, paths);
  }
  return rc;
}

/* "role ⟶ sts:AssumeRole ⟶ role ⟶ s3:GetObject ⟶ bucket": the identity
 * the agent runs as, then each step's permission and where it leads. */
static char *path_text(const struct nhi_rpt *r, const cJSON *path)
{
  struct nhi_pdf_buf b = { 0 };
  const cJSON *s;

  cJSON_ArrayForEach(s, get_arr(path, "steps")) {
    const char *to = short_name(get_str(s, "to"));
    char *hop;

    if (!b.len && !b.failed) {
      nhi_pdf_buf_add(&b, to ? to : "");
      continue;
    }
    hop = nhi_rpt_fill(r, "ai.hop", (const char *const[]){
      "permission", get_str(s, "permission"), "to", to, NULL });
    if (hop)
      nhi_pdf_buf_add(&b, hop);
    b.failed |= hop == NULL;
    free(hop);
  }
  if (b.failed) {
    free(b.s);
    return nhi_rpt_no_memory(r);
  }
  return b.s ? b.s : nhi_rpt_copy_text(r, "");
}

static char *trace_text(const struct nhi_rpt *r, const cJSON *path)
{
  const char *trace = get_str(path, "trace");
  char num[NHI_RPT_NUM_SIZE], *first, *last, *text;

  if (!trace || strcmp(trace, "used") != 0)
    return nhi_rpt_copy_text(r, nhi_rpt_word_for(r, "ai.trace", trace));
  first = nhi_rpt_format_date(r, get_str(path, "first_seen"));
  last = nhi_rpt_format_date(r, get_str(path, "last_seen"));
  text = first && last
    ? nhi_rpt_fill(r, "ai.trace.used.detail", (const char *const[]){
        "count", nhi_rpt_num_text(r, path, "count", num), "first", first,
        "last", last, NULL })
    : NULL;
  free(first);
  free(last);
  return text;
}

static char *data_text(const struct nhi_rpt *r, const cJSON *path)
{
  return nhi_rpt_fill(r, "ai.data", (const char *const[]){
    "resource", short_name(get_str(path, "resource")),
    "level", nhi_rpt_word_for(r, "level", get_str(path, "sensitivity")),
    "access", nhi_rpt_word_for(r, "access", get_str(path, "access")),
    "source", nhi_rpt_word_for(r, "label_source",
                               get_str(path, "sensitivity_source")),
    NULL });
}

static enum nhi_rc path_row(struct nhi_rpt *r, struct nhi_pdf_table *t,
                            const cJSON *agents, const cJSON *path)
{
  const char *trace = get_str(path, "trace");
  struct nhi_pdf_rgb c = nhi_rpt_colour(r, "trace", trace, "#616E7C");
  char *text[3] = { path_text(r, path), data_text(r, path),
                    trace_text(r, path) };
  struct nhi_pdf_cell cells[4];
  enum nhi_rc rc = NHI_ERR_NOMEM;

  if (text[0] && text[1] && text[2]) {
    cells[0] = (struct nhi_pdf_cell){
      agent_label(agents, get_str(path, "agent")), NULL, NHI_PDF_BOLD };
    cells[1] = (struct nhi_pdf_cell){ text[0], NULL, 0 };
    cells[2] = (struct nhi_pdf_cell){ text[1], NULL, 0 };
    cells[3] = (struct nhi_pdf_cell){ text[2], &c, NHI_PDF_BOLD };
    rc = nhi_pdf_table_row(&r->pdf, t, cells);
  }
  for (int i = 0; i < 3; i++)
    free(text[i]);
  return rc;
}

static enum nhi_rc paths_table(struct nhi_rpt *r, const cJSON *agents,
                               const cJSON *paths, size_t max)
{
  static const float widths[] = { 0.16f, 0.44f, 0.22f, 0.18f };
  const char *head[] = { nhi_rpt_word(r, "column.agent"),
                         nhi_rpt_word(r, "column.path"),
                         nhi_rpt_word(r, "column.data"),
                         nhi_rpt_word(r, "column.trace") };
  struct nhi_pdf_table t = { 4, widths, NULL, head, r->table,
                             r->table_head, 0, 0, 0 };
  const cJSON *p;
  size_t n = 0;
  enum nhi_rc rc = nhi_rpt_subheading(r, "ai.paths");

  cJSON_ArrayForEach(p, paths) {
    if (rc || (max && n >= max))
      break;
    rc = path_row(r, &t, agents, p);
    n++;
  }
  return rc;
}

/* How many paths the activity shows used, and how many are unlogged. */
static void tally(const cJSON *paths, size_t *used, size_t *unlogged)
{
  const cJSON *p;

  *used = *unlogged = 0;
  cJSON_ArrayForEach(p, paths) {
    const char *t = get_str(p, "trace");

    *used += t && strcmp(t, "used") == 0;
    *unlogged += t && strcmp(t, "unlogged") == 0;
  }
}

static enum nhi_rc intro(struct nhi_rpt *r, const cJSON *agents,
                         const cJSON *paths)
{
  const char *key = cJSON_GetArraySize(paths) ? "ai.intro"
                                              : "ai.intro.no_paths";
  char n[4][NHI_RPT_NUM_SIZE];
  size_t used, unlogged;

  tally(paths, &used, &unlogged);
  nhi_rpt_fmt_num(cJSON_GetArraySize(agents), n[0]);
  nhi_rpt_fmt_num(cJSON_GetArraySize(paths), n[1]);
  nhi_rpt_fmt_num((double)used, n[2]);
  nhi_rpt_fmt_num((double)unlogged, n[3]);
  return nhi_rpt_say(r, &r->body, 0, key, (const char *const[]){
    "agents", n[0], "paths", n[1], "used", n[2], "unlogged", n[3], NULL });
}

enum nhi_rc nhi_rpt_render_ai(struct nhi_rpt *r)
{
  const cJSON *ai = get_obj(r->root, "ai");
  const cJSON *agents = get_arr(ai, "agents"), *paths = get_arr(ai, "paths");
  int total = cJSON_GetArraySize(paths);
  double max = AI_MAX_PATHS;
  char more[NHI_RPT_NUM_SIZE];
  enum nhi_rc rc = nhi_rpt_section(r, "ai", "section.ai");

  get_num(get_obj(r->layout, "ai"), "max_paths", &max);
  if (!rc && cJSON_GetArraySize(agents) == 0)
    return nhi_rpt_say(r, &r->body, 0, "ai.none", NULL);
  if (!rc)
    rc = intro(r, agents, paths);
  if (!rc)
    rc = agents_table(r, agents, paths);
  if (!rc && total > 0)
    rc = paths_table(r, agents, paths, max > 0 ? (size_t)max : 0);
  if (!rc && max > 0 && total > max) {
    nhi_rpt_fmt_num(total - max, more);
    rc = nhi_rpt_say(r, &r->muted, 0, "ai.paths.more",
                     (const char *const[]){ "count", more, NULL });
  }
  return rc;
}
