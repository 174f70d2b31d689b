/* MCP client configurations found in a scanned tree, as ai_agents. */
#ifndef NHI_SCAN_MCP_H
#define NHI_SCAN_MCP_H

#include "scan.h"
#include "store.h"

struct nhi_mcp_stats {
  long long agents;           /* ai_agents rows written */
  long long secrets;          /* secrets rows added (not already found) */
};

/* Whether the file at rel (relative path) is named like an MCP client
 * configuration: claude_desktop_config.json, mcp.json (.cursor/,
 * .vscode/), .mcp.json, mcp_config.json, cline_mcp_settings.json. */
int nhi_mcp_is_config(const char *rel);

/* Reads the configuration at path (JSON or JSONC: comments and trailing
 * commas are accepted), shown as rel, and writes one ai_agents row per
 * server of its mcpServers (or servers, or mcp.servers): native_id
 * "mcp:<rel>#<name>", name, platform (claude-desktop, cursor, vscode,
 * claude-code, cline, windsurf or mcp), tools (a declared or
 * auto-approved list), data_sources (path arguments), and attrs {config,
 * transport, type, command, args (secrets masked), url, envFile, env and
 * headers: per name {kind: secret|reference|value, and for a secret its
 * type, fingerprint, preview; for a reference the text}, literal_secrets,
 * unpinned_package, plain_http}. A literal secret is the one a secret
 * rule finds in the value, or a high-entropy value under a name like
 * *TOKEN*, *KEY*, *SECRET*, *PASSWORD*; its secrets row (the tree scan's,
 * in the same source, or a new one) gets attrs.mcp_server and
 * attrs.mcp_field. A file that is no JSON, or has no servers, gives no
 * rows. Adds to *stats. Returns NHI_OK, or NHI_ERR_NOMEM, NHI_ERR_DB,
 * NHI_ERR_IO (logged). */
enum nhi_rc nhi_mcp_import(struct nhi_store *s,
                           const struct nhi_scan_rules *set,
                           const char *path, const char *rel,
                           struct nhi_mcp_stats *stats);

#endif
