/* The collect stage: each source read by its collector, each in its own
 * transaction, so a failing source loses nothing already collected. */
#include "run.h"
#include "progress.h"
#include "digest.h"
#include "strutil.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* A parsed "provider:kind[=location]"; strings point into buf, or into
 * path when a relative location was resolved. */
struct spec {
  char *buf;
  char *path;
  struct nhi_source_spec src;
  const struct nhi_plugin *collector;
};

static enum nhi_rc parse_spec(const char *text, struct spec *s)
{
  char *colon, *eq;

  memset(s, 0, sizeof *s);
  s->buf = strdup(text);
  if (!s->buf)
    return NHI_ERR_NOMEM;
  colon = strchr(s->buf, ':');
  eq = strchr(s->buf, '=');
  if (!colon || colon == s->buf || (eq && eq < colon) || colon[1] == '=' ||
      !colon[1]) {
    nhi_error("--source '%s': expected provider:kind=path (an export) or "
              "provider:live[=profile]", text);
    return NHI_ERR_USAGE;
  }
  *colon = '\0';
  if (eq)
    *eq = '\0';
  s->src.spec = text;
  s->src.provider = s->buf;
  s->src.kind = colon + 1;
  s->src.location = eq && eq[1] ? eq + 1 : NULL;
  return NHI_OK;
}

static const struct nhi_plugin *find_collector(struct nhi_runtime *rt,
                                               const struct spec *s)
{
  const struct nhi_plugin *p;
  size_t n = strlen(s->src.provider);

  for (size_t i = 0; i < rt->plugins.count; i++) {
    p = &rt->plugins.items[i];
    if (p->kind == NHI_PLUGIN_COLLECTOR &&
        strncmp(p->source, s->src.provider, n) == 0 &&
        p->source[n] == ':' && strcmp(p->source + n + 1, s->src.kind) == 0)
      return p;
  }
  return NULL;
}

/* The sources to read: --source flags override the profile's list. */
static const struct nhi_strings *source_list(struct nhi_runtime *rt)
{
  return rt->opt.sources.count ? &rt->opt.sources : &rt->profile.sources;
}

/* A live source's location names options (a profile, a URL), not a
 * file: its collector says it reads an API. */
static int is_live(const struct spec *s)
{
  return !strcmp(s->src.kind, "live") ||
         (s->collector && s->collector->method &&
          !strcmp(s->collector->method, "live"));
}

/* A profile's relative paths are relative to the profile's folder. */
static enum nhi_rc resolve_location(struct nhi_runtime *rt, struct spec *s)
{
  if (!s->src.location || s->src.location[0] == '/' ||
      is_live(s) || rt->opt.sources.count ||
      !rt->profile.dir)
    return NHI_OK;
  s->path = nhi_aprintf("%s/%s", rt->profile.dir, s->src.location);
  if (!s->path)
    return NHI_ERR_NOMEM;
  s->src.location = s->path;
  return NHI_OK;
}

/* Parses every spec and finds its collector before anything runs, so a
 * typo costs nothing. */
static enum nhi_rc plan(struct nhi_runtime *rt, struct spec *specs)
{
  const struct nhi_strings *list = source_list(rt);
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; i < list->count && !rc; i++) {
    rc = parse_spec(list->items[i], &specs[i]);
    if (rc)
      break;
    specs[i].collector = find_collector(rt, &specs[i]);
    if (!specs[i].collector) {
      nhi_error("--source '%s': no collector reads '%s:%s' sources (see "
                "'nhiscope plugins list')", list->items[i],
                specs[i].src.provider, specs[i].src.kind);
      rc = NHI_ERR_USAGE;
    }
    if (!rc)
      rc = resolve_location(rt, &specs[i]);
  }
  return rc;
}

static void free_specs(struct spec *specs, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(specs[i].buf);
    free(specs[i].path);
  }
  free(specs);
}

enum nhi_rc nhi_stage_collect_validate(struct nhi_runtime *rt)
{
  size_t n = source_list(rt)->count;
  struct spec *specs = calloc(n + 1, sizeof *specs);
  enum nhi_rc rc = specs ? plan(rt, specs) : NHI_ERR_NOMEM;

  if (specs)
    free_specs(specs, n);
  return rc;
}

static enum nhi_rc insert_source(struct nhi_runtime *rt, struct spec *s)
{
  static const char sql[] =
    "INSERT INTO sources(spec, provider, kind, method, location, collector,"
    " collected_at, sha256) VALUES(?,?,?,?,?,?,?,?) RETURNING id";
  int live = is_live(s);
  char sha[NHI_SHA256_HEX];
  const char *v[] = { s->src.spec, s->src.provider, s->src.kind,
                      live ? "live" : "import", s->src.location,
                      s->collector->id, rt->now, NULL };
  sqlite3_stmt *st = NULL;
  int step;

  if (!live && s->src.location &&
      nhi_file_sha256(s->src.location, sha) == NHI_OK)
    v[7] = sha;
  if (sqlite3_prepare_v2(rt->store->db, sql, -1, &st, NULL))
    return NHI_ERR_DB;
  for (int i = 0; i < 8; i++)
    sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
  step = sqlite3_step(st);
  if (step == SQLITE_ROW)
    s->src.id = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (step != SQLITE_ROW) {
    nhi_error("evidence store: cannot record source '%s'", s->src.spec);
    return NHI_ERR_DB;
  }
  return NHI_OK;
}

/* Records how the source ended: its error, or what the collector could
 * not see (coverage gaps, as a JSON list). */
static enum nhi_rc finish_source(struct nhi_runtime *rt, long long id,
                                 const char *error, const cJSON *gaps,
                                 const char *account)
{
  static const char sql[] =
    "UPDATE sources SET status = ?, error = ?, gaps = ?, account = ?"
    " WHERE id = ?";
  char *gaps_json = gaps ? cJSON_PrintUnformatted(gaps) : NULL;
  sqlite3_stmt *st = NULL;
  int ok = 0;

  if (sqlite3_prepare_v2(rt->store->db, sql, -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, error ? "failed" : "ok", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, error, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, gaps_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, account, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, id);
    ok = sqlite3_step(st) == SQLITE_DONE;
  }
  sqlite3_finalize(st);
  free(gaps_json);
  if (!ok)
    nhi_error("evidence store: cannot record how source %lld ended", id);
  return ok ? NHI_OK : NHI_ERR_DB;
}

/* Runs one statement of forget_earlier: "earlier" names the other
 * sources read from the same place by the same collector; ?1 is this
 * source. */
static enum nhi_rc run_on_earlier(sqlite3 *db, const char *body,
                                  const struct spec *s)
{
  static const char with[] =
    "WITH earlier(id) AS (SELECT id FROM sources WHERE id != ?1"
    " AND provider = ?2 AND kind = ?3 AND location IS ?4) ";
  char sql[512];
  sqlite3_stmt *st = NULL;
  int ok;

  snprintf(sql, sizeof sql, "%s%s", with, body);
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL))
    return NHI_ERR_DB;
  sqlite3_bind_int64(st, 1, s->src.id);
  sqlite3_bind_text(st, 2, s->src.provider, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, s->src.kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, s->src.location, -1, SQLITE_STATIC);
  ok = sqlite3_step(st) == SQLITE_DONE;
  sqlite3_finalize(st);
  return ok ? NHI_OK : NHI_ERR_DB;
}

/* Collecting a source again replaces what it gave before: its rows of
 * the tables that collect each fact once per source are deleted, the
 * merged ones (identities, policies, resources, agents) pass to the new
 * source, and the earlier source row goes. Inside the source's
 * transaction, so a failure keeps the earlier evidence. */
static enum nhi_rc forget_earlier(struct nhi_runtime *rt,
                                  const struct spec *s)
{
  static const char *const sql[] = {
    "DELETE FROM grants WHERE source_id IN (SELECT id FROM earlier)",
    "DELETE FROM edges WHERE source_id IN (SELECT id FROM earlier)",
    "DELETE FROM credentials WHERE source_id IN (SELECT id FROM earlier)",
    "DELETE FROM activity WHERE source_id IN (SELECT id FROM earlier)",
    "DELETE FROM secrets WHERE source_id IN (SELECT id FROM earlier)",
    "UPDATE identities SET source_id = ?1"
    " WHERE source_id IN (SELECT id FROM earlier)",
    "UPDATE policies SET source_id = ?1"
    " WHERE source_id IN (SELECT id FROM earlier)",
    "UPDATE resources SET source_id = ?1"
    " WHERE source_id IN (SELECT id FROM earlier)",
    "UPDATE ai_agents SET source_id = ?1"
    " WHERE source_id IN (SELECT id FROM earlier)",
    "DELETE FROM sources WHERE id IN (SELECT id FROM earlier)",
  };
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; i < sizeof sql / sizeof *sql && !rc; i++)
    rc = run_on_earlier(rt->store->db, sql[i], s);
  if (rc)
    nhi_error("evidence store: cannot replace the earlier collection of "
              "'%s'", s->src.spec);
  return rc;
}

/* Runs one collector in its own transaction; a failure rolls back only
 * this source and is recorded against it. */
static enum nhi_rc collect_one(struct nhi_runtime *rt, struct spec *s)
{
  struct nhi_run run = { .plugin = s->collector, .source = &s->src,
                         .out_dir = rt->opt.out_dir };
  struct nhi_run_outcome out;
  enum nhi_rc rc, prc;

  nhi_info("collecting %s with %s", s->src.spec, s->collector->id);
  rc = insert_source(rt, s);
  if (!rc)
    rc = nhi_store_begin(rt->store);
  if (rc)
    return rc;
  rc = forget_earlier(rt, s);
  if (rc) {
    nhi_store_rollback(rt->store);
    return rc;
  }
  rt->store->source_id = s->src.id;
  prc = nhi_run_plugin(rt, &run, &out);
  rt->store->source_id = 0;
  if (prc == NHI_OK)
    rc = nhi_store_commit(rt->store);
  if (prc || rc) {
    nhi_store_rollback(rt->store);
    rt->failures++;
  }
  if (!rc)
    rc = finish_source(rt, s->src.id, prc ? out.error : NULL, run.gaps,
                       run.account);
  if (!rc) {
    struct nhi_run_entry e = { s->collector->id, "collector", NULL,
                               s->collector->path, "collect",
                               prc ? "failed" : "ok", &out, 0 };

    rc = nhi_run_record(rt->store, &e);
  }
  nhi_run_outcome_clear(&out);
  free(run.account);
  cJSON_Delete(run.gaps);
  return rc;
}

/* Collectors no source asked for are part of the record as skipped. */
static enum nhi_rc record_unused(struct nhi_runtime *rt,
                                 const struct spec *specs, size_t n)
{
  struct nhi_run_outcome out = { .error = "no source of this kind given" };
  enum nhi_rc rc = NHI_OK;

  for (size_t i = 0; i < rt->plugins.count && !rc; i++) {
    const struct nhi_plugin *p = &rt->plugins.items[i];
    struct nhi_run_entry e = { p->id, "collector", NULL, p->path,
                               "collect", "skipped", &out, 0 };
    size_t k;

    for (k = 0; k < n && specs[k].collector != p; k++)
      ;
    if (p->kind == NHI_PLUGIN_COLLECTOR && k == n)
      rc = nhi_run_record(rt->store, &e);
  }
  return rc;
}

enum nhi_rc nhi_stage_collect(struct nhi_runtime *rt)
{
  const struct nhi_strings *list = source_list(rt);
  struct spec *specs = calloc(list->count + 1, sizeof *specs);
  enum nhi_rc rc;

  if (!specs)
    return NHI_ERR_NOMEM;
  rc = plan(rt, specs);
  for (size_t i = 0; i < list->count && !rc; i++)
    if (specs[i].src.location && !is_live(&specs[i]))
      rc = nhi_runtime_allow_read(rt, specs[i].src.location);
  for (size_t i = 0; i < list->count && !rc; i++) {
    nhi_progress("collecting", i + 1, list->count, specs[i].src.spec);
    rc = collect_one(rt, &specs[i]);
    nhi_progress_done();
  }
  if (!rc)
    rc = nhi_stage_derive(rt);
  if (!rc)
    rc = record_unused(rt, specs, list->count);
  free_specs(specs, list->count);
  return rc;
}
