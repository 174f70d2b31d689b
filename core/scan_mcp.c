/* MCP client configurations found in a scanned tree (Claude Desktop,
 * Cursor, VS Code, Claude Code, Cline, Windsurf): each configured server
 * becomes an ai_agents row with its command, transport, declared reach,
 * and the credentials its env block and headers hold, masked. */
#include "scan_mcp.h"
#include "import_util.h"
#include "scan_store.h"
#include "strutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names of MCP client configuration files. */
static const char *const config_names[] = {
  "claude_desktop_config.json", "mcp.json", ".mcp.json",
  "mcp_config.json", "cline_mcp_settings.json", "mcp_settings.json", NULL
};

static const char *base_name(const char *rel)
{
  const char *s = strrchr(rel, '/');

  return s ? s + 1 : rel;
}

int nhi_mcp_is_config(const char *rel)
{
  const char *name = base_name(rel);

  for (size_t i = 0; config_names[i]; i++)
    if (!strcmp(name, config_names[i]))
      return 1;
  return 0;
}

/* The client a configuration file belongs to, by where it is. */
static const char *platform_of(const char *rel)
{
  const char *name = base_name(rel);

  if (!strcmp(name, "claude_desktop_config.json"))
    return "claude-desktop";
  if (strstr(rel, ".cursor/") == rel || strstr(rel, "/.cursor/"))
    return "cursor";
  if (strstr(rel, ".vscode/") == rel || strstr(rel, "/.vscode/"))
    return "vscode";
  if (!strcmp(name, ".mcp.json"))
    return "claude-code";
  if (!strcmp(name, "cline_mcp_settings.json"))
    return "cline";
  if (!strcmp(name, "mcp_config.json"))
    return "windsurf";
  return "mcp";
}

/* JSONC to JSON in place: comments become spaces (line breaks kept, so
 * positions hold), and a comma before a closing bracket is dropped. */
static void strip_jsonc(char *s, size_t n)
{
  int in_str = 0;

  for (size_t i = 0; i < n; i++) {
    if (in_str) {
      if (s[i] == '\\' && i + 1 < n)
        i++;
      else if (s[i] == '"')
        in_str = 0;
    } else if (s[i] == '"') {
      in_str = 1;
    } else if (s[i] == '/' && i + 1 < n && s[i + 1] == '/') {
      while (i < n && s[i] != '\n')
        s[i++] = ' ';
    } else if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
      for (; i < n && !(s[i] == '*' && i + 1 < n && s[i + 1] == '/'); i++)
        if (s[i] != '\n')
          s[i] = ' ';
      if (i + 1 < n)
        s[i] = s[i + 1] = ' ';
    } else if (s[i] == ',') {
      size_t j = i + 1;

      while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' ||
                       s[j] == '\r'))
        j++;
      if (j < n && (s[j] == '}' || s[j] == ']'))
        s[i] = ' ';
    }
  }
}

/* The servers object: mcpServers, servers, or VS Code's mcp.servers. */
static const cJSON *servers_of(const cJSON *doc)
{
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, "mcpServers");
  const cJSON *mcp;

  if (cJSON_IsObject(m))
    return m;
  m = cJSON_GetObjectItemCaseSensitive(doc, "servers");
  if (cJSON_IsObject(m))
    return m;
  mcp = cJSON_GetObjectItemCaseSensitive(doc, "mcp");
  m = cJSON_GetObjectItemCaseSensitive(mcp, "servers");
  return cJSON_IsObject(m) ? m : NULL;
}

/* A value that names a secret kept elsewhere. */
static int is_reference(const char *v)
{
  return strstr(v, "${") != NULL || (v[0] == '$' && v[1] != '\0');
}

static int upper_has(const char *name, const char *word)
{
  size_t n = strlen(word);

  for (const char *p = name; *p; p++) {
    size_t k = 0;

    while (k < n && p[k] && (p[k] & ~0x20) == (word[k] & ~0x20))
      k++;
    if (k == n)
      return 1;
  }
  return 0;
}

/* A name that says its value is a credential. */
static int secret_name(const char *name)
{
  static const char *const words[] = {
    "TOKEN", "KEY", "SECRET", "PASSWORD", "PASSWD", "AUTHORIZATION",
    "CREDENTIAL", NULL
  };

  for (size_t i = 0; words[i]; i++)
    if (upper_has(name, words[i]))
      return 1;
  return 0;
}

/* What the file says; every string borrowed from it. */
struct config {
  struct nhi_store *store;
  const struct nhi_scan_rules *set;
  const char *rel;
  const char *text;           /* the file as read, for line numbers */
  const char *platform;
  long long agents, secrets;
};

/* The 1-based line of the first "name" in the file, or 0. */
static long line_of(const struct config *c, const char *name)
{
  char *quoted = nhi_aprintf("\"%s\"", name);
  const char *at = quoted ? strstr(c->text, quoted) : NULL;
  long line = 1;

  free(quoted);
  if (!at)
    return 0;
  for (const char *p = c->text; p < at; p++)
    line += *p == '\n';
  return line;
}

/* Records a literal secret of server: a secrets row (attrs.mcp_server,
 * attrs.mcp_field), unless the tree scan already wrote one for the same
 * value in this file, which is then marked as the server's. */
static enum nhi_rc record_secret(struct config *c, const char *server,
                                 const char *field,
                                 const struct nhi_scan_hit *h)
{
  static const char mark[] =
    "UPDATE secrets SET attrs = json_set(coalesce(attrs, '{}'),"
    " '$.mcp_server', ?1, '$.mcp_field', ?2)"
    " WHERE source_id = ?3 AND path = ?4 AND fingerprint = ?5";
  sqlite3_stmt *st = NULL;
  cJSON *extra;
  int changed = 0;
  enum nhi_rc rc;

  if (sqlite3_prepare_v2(c->store->db, mark, -1, &st, NULL))
    return NHI_ERR_DB;
  sqlite3_bind_text(st, 1, server, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, c->store->source_id);
  sqlite3_bind_text(st, 4, c->rel, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, h->fingerprint, -1, SQLITE_STATIC);
  rc = sqlite3_step(st) == SQLITE_DONE ? NHI_OK : NHI_ERR_DB;
  sqlite3_finalize(st);
  changed = sqlite3_changes(c->store->db);
  if (rc || changed)
    return rc;
  c->secrets++;
  extra = cJSON_CreateObject();
  if (!extra)
    return NHI_ERR_NOMEM;
  cJSON_AddStringToObject(extra, "mcp_server", server);
  cJSON_AddStringToObject(extra, "mcp_field", field);
  rc = nhi_scan_store_hit(c->store, c->rel, h, 0, extra, NULL);
  cJSON_Delete(extra);
  return rc;
}

/* A value under a credential-like name that no rule recognised, when it
 * has the look of a secret rather than of a setting. */
static int looks_secret(const char *v)
{
  size_t n = strlen(v);

  return n >= 12 && nhi_scan_entropy(v, n) >= 3.0 && !strchr(v, ' ');
}

static void describe_secret(cJSON *e, const struct nhi_scan_hit *h)
{
  cJSON_AddStringToObject(e, "kind", "secret");
  cJSON_AddStringToObject(e, "type", h->type);
  cJSON_AddStringToObject(e, "fingerprint", h->fingerprint);
  cJSON_AddStringToObject(e, "preview", h->preview);
}

/* A value no rule knows, a secret by its name: a generic secret. */
static enum nhi_rc record_by_name(struct config *c, const char *server,
                                  const char *field, const char *name,
                                  const char *v, cJSON *e)
{
  struct nhi_scan_hit g;
  enum nhi_rc rc;

  memset(&g, 0, sizeof g);
  g.rule = "mcp-credential-field";
  g.type = "generic_secret";
  g.generic = 1;
  g.validated = -1;
  g.length = strlen(v);
  rc = nhi_secret_fingerprint(v, g.length, g.fingerprint);
  nhi_secret_preview(v, g.length, g.preview);
  g.line = line_of(c, name);
  if (!rc)
    rc = record_secret(c, server, field, &g);
  describe_secret(e, &g);
  return rc;
}

/* Classifies one env or header value into out[name]: a literal secret
 * (recorded, fingerprint and preview only), a reference (the text, which
 * names the variable or input), or a plain value (not kept). */
static enum nhi_rc classify(struct config *c, const char *server,
                            const char *group, const char *name,
                            const char *v, cJSON *out)
{
  struct nhi_scan_hits h = { 0 };
  cJSON *e = cJSON_AddObjectToObject(out, name);
  char *field = nhi_aprintf("%s.%s", group, name);
  enum nhi_rc rc = e && field ? NHI_OK : NHI_ERR_NOMEM;

  if (!rc && is_reference(v)) {
    cJSON_AddStringToObject(e, "kind", "reference");
    cJSON_AddStringToObject(e, "ref", v);
    goto out;
  }
  if (!rc)
    rc = nhi_scan_buffer(c->set, v, strlen(v), &h);
  if (!rc && !h.count && secret_name(name) && looks_secret(v)) {
    rc = record_by_name(c, server, field, name, v, e);
    goto out;
  }
  if (!h.count)
    cJSON_AddStringToObject(e, "kind", "value");
  for (size_t i = 0; i < h.count && !rc; i++) {
    h.items[i].line = line_of(c, name);
    rc = record_secret(c, server, field, &h.items[i]);
    if (i == 0)
      describe_secret(e, &h.items[0]);
  }
out:
  nhi_scan_hits_free(&h);
  free(field);
  return rc;
}

static enum nhi_rc classify_group(struct config *c, const char *server,
                                  const cJSON *def, const char *group,
                                  cJSON *attrs, int *literal)
{
  const cJSON *obj = cJSON_GetObjectItemCaseSensitive(def, group), *it;
  cJSON *out;
  enum nhi_rc rc = NHI_OK;

  if (!cJSON_IsObject(obj))
    return NHI_OK;
  out = cJSON_AddObjectToObject(attrs, group);
  if (!out)
    return NHI_ERR_NOMEM;
  cJSON_ArrayForEach(it, obj) {
    const cJSON *kind;

    if (!cJSON_IsString(it) || rc)
      continue;
    rc = classify(c, server, group, it->string, it->valuestring, out);
    kind = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(out, it->string), "kind");
    *literal += cJSON_IsString(kind) && !strcmp(kind->valuestring, "secret");
  }
  return rc;
}

/* args as given, each secret in them replaced by its masked preview;
 * path-like arguments are the server's declared reach. */
static enum nhi_rc read_args(struct config *c, const char *server,
                             const cJSON *def, cJSON *attrs, cJSON *reach,
                             int *literal)
{
  const cJSON *args = cJSON_GetObjectItemCaseSensitive(def, "args"), *it;
  cJSON *out;
  size_t k = 0;

  if (!cJSON_IsArray(args))
    return NHI_OK;
  out = cJSON_AddArrayToObject(attrs, "args");
  cJSON_ArrayForEach(it, args) {
    struct nhi_scan_hits h = { 0 };
    const char *v = cJSON_IsString(it) ? it->valuestring : "";
    char field[32], *masked;
    enum nhi_rc rc;

    if (nhi_scan_buffer(c->set, v, strlen(v), &h))
      return NHI_ERR_NOMEM;
    snprintf(field, sizeof field, "args[%zu]", k++);
    for (size_t i = 0; i < h.count; i++) {
      h.items[i].line = line_of(c, server);
      rc = record_secret(c, server, field, &h.items[i]);
      if (rc) {
        nhi_scan_hits_free(&h);
        return rc;
      }
    }
    *literal += h.count > 0;
    masked = h.count ? nhi_aprintf("%.*s%s%s", (int)h.items[0].offset, v,
                                   h.items[0].preview,
                                   v + h.items[0].offset + h.items[0].length)
                     : strdup(v);
    nhi_scan_hits_free(&h);
    if (!masked)
      return NHI_ERR_NOMEM;
    cJSON_AddItemToArray(out, cJSON_CreateString(masked));
    if (masked[0] == '/' || masked[0] == '~' || !strncmp(masked, "./", 2))
      cJSON_AddItemToArray(reach, cJSON_CreateString(masked));
    free(masked);
  }
  return NHI_OK;
}

/* npx -y pkg without a version: whatever the registry serves next. */
static int unpinned_npx(const cJSON *def)
{
  const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(def, "command");
  const cJSON *args = cJSON_GetObjectItemCaseSensitive(def, "args"), *it;

  if (!cJSON_IsString(cmd) || strcmp(base_name(cmd->valuestring), "npx"))
    return 0;
  cJSON_ArrayForEach(it, args) {
    const char *v = cJSON_IsString(it) ? it->valuestring : "";
    const char *at = v[0] == '@' ? strchr(v + 1, '@') : strchr(v, '@');

    if (v[0] == '-')
      continue;
    return at == NULL;
  }
  return 0;
}

static void copy_str(cJSON *to, const char *key, const cJSON *from)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, key);

  if (cJSON_IsString(v))
    cJSON_AddStringToObject(to, key, v->valuestring);
}

/* Declared tools: the auto-approved lists clients keep. */
static char *tools_of(const cJSON *def)
{
  static const char *const keys[] = { "tools", "alwaysAllow", "autoApprove",
                                      NULL };

  for (size_t i = 0; keys[i]; i++) {
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(def, keys[i]);

    if (cJSON_IsArray(t))
      return cJSON_PrintUnformatted(t);
  }
  return NULL;
}

static enum nhi_rc write_agent(struct config *c, const char *name,
                               cJSON *attrs, cJSON *reach, char *tools)
{
  struct nhi_row row;
  char *native = nhi_aprintf("mcp:%s#%s", c->rel, name);
  char *attrs_text = cJSON_PrintUnformatted(attrs);
  char *reach_text = cJSON_GetArraySize(reach) ?
                     cJSON_PrintUnformatted(reach) : NULL;
  enum nhi_rc rc = native && attrs_text ? NHI_OK : NHI_ERR_NOMEM;

  if (!rc) {
    nhi_row_start(&row, NHI_T_AI_AGENT);
    nhi_row_text(&row, "native_id", native);
    nhi_row_text(&row, "name", name);
    nhi_row_text(&row, "platform", c->platform);
    nhi_row_text(&row, "tools", tools);
    nhi_row_text(&row, "data_sources", reach_text);
    nhi_row_text(&row, "attrs", attrs_text);
    rc = nhi_row_put(c->store, &row, NULL);
  }
  free(native);
  free(attrs_text);
  free(reach_text);
  return rc;
}

static enum nhi_rc read_server(struct config *c, const char *name,
                               const cJSON *def)
{
  cJSON *attrs = cJSON_CreateObject(), *reach = cJSON_CreateArray();
  const cJSON *url = cJSON_GetObjectItemCaseSensitive(def, "url");
  char *tools = tools_of(def);
  int literal = 0;
  enum nhi_rc rc = attrs && reach ? NHI_OK : NHI_ERR_NOMEM;

  if (!rc) {
    cJSON_AddStringToObject(attrs, "config", c->rel);
    cJSON_AddStringToObject(attrs, "transport", cJSON_IsString(url) ?
                            "http" : "stdio");
    copy_str(attrs, "type", def);
    copy_str(attrs, "command", def);
    copy_str(attrs, "url", def);
    copy_str(attrs, "envFile", def);
    rc = read_args(c, name, def, attrs, reach, &literal);
  }
  if (!rc)
    rc = classify_group(c, name, def, "env", attrs, &literal);
  if (!rc)
    rc = classify_group(c, name, def, "headers", attrs, &literal);
  if (!rc) {
    cJSON_AddNumberToObject(attrs, "literal_secrets", literal);
    cJSON_AddBoolToObject(attrs, "unpinned_package", unpinned_npx(def));
    cJSON_AddBoolToObject(attrs, "plain_http", cJSON_IsString(url) &&
                          !strncmp(url->valuestring, "http://", 7));
    rc = write_agent(c, name, attrs, reach, tools);
    c->agents++;
  }
  cJSON_Delete(attrs);
  cJSON_Delete(reach);
  free(tools);
  return rc;
}

enum nhi_rc nhi_mcp_import(struct nhi_store *s,
                           const struct nhi_scan_rules *set,
                           const char *path, const char *rel,
                           struct nhi_mcp_stats *stats)
{
  struct config c = { s, set, rel, NULL, platform_of(rel), 0, 0 };
  char *text = NULL, *clean = NULL;
  size_t len = 0;
  cJSON *doc = NULL;
  const cJSON *servers, *it;
  enum nhi_rc rc;

  rc = nhi_scan_read_file(path, 4u << 20, &text, &len);
  if (rc)
    return rc == NHI_ERR_INPUT ? NHI_OK : rc;
  clean = malloc(len + 1);
  if (!clean) {
    free(text);
    return NHI_ERR_NOMEM;
  }
  memcpy(clean, text, len + 1);
  strip_jsonc(clean, len);
  doc = cJSON_ParseWithLength(clean, len);
  servers = servers_of(doc);
  if (!servers && nhi_mcp_is_config(rel) && strcmp(base_name(rel),
                                                   "mcp_settings.json"))
    nhi_warn("'%s': not an MCP configuration (no mcpServers or servers)",
             path);
  c.text = text;
  cJSON_ArrayForEach(it, servers) {
    if (rc)
      break;
    if (cJSON_IsObject(it))
      rc = read_server(&c, it->string, it);
  }
  stats->agents += c.agents;
  stats->secrets += c.secrets;
  cJSON_Delete(doc);
  free(clean);
  free(text);
  return rc;
}
