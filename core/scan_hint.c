/* Provider hints: a found API key written the way its provider's own
 * admin API redacts it (OpenAI's redacted_value, Anthropic's
 * partial_key_hint), so the key can be matched to the inventory's
 * credential without keeping more of it than the provider shows. */
#include "scan_int.h"

#include <stdio.h>
#include <string.h>

/* OpenAI shows a key's type prefix and its last four characters. */
static const char *const openai_prefixes[] = {
  "sk-svcacct-", "sk-admin-", "sk-proj-", "sk-", NULL
};

/* Anthropic keys start "sk-ant-" and a type segment ended by '-'
 * ("api03-", "admin01-"); Anthropic shows that prefix, three more
 * characters, and the last four. */
#define ANTHROPIC_STEM "sk-ant-"

static const char *prefix_of(const char *const *list, const char *v,
                             size_t len)
{
  for (size_t i = 0; list[i]; i++) {
    size_t n = strlen(list[i]);

    if (len > n && memcmp(v, list[i], n) == 0)
      return list[i];
  }
  return NULL;
}

/* The length of an Anthropic key's type prefix, 0 when v has none. */
static size_t anthropic_prefix(const char *v, size_t len)
{
  size_t stem = sizeof ANTHROPIC_STEM - 1;
  const char *dash;

  if (len <= stem || memcmp(v, ANTHROPIC_STEM, stem) != 0)
    return 0;
  dash = memchr(v + stem, '-', len - stem);
  return dash && dash > v + stem ? (size_t)(dash - v) + 1 : 0;
}

int nhi_scan_hint_by_name(const char *name)
{
  if (!strcmp(name, "openai"))
    return HINT_OPENAI;
  if (!strcmp(name, "anthropic"))
    return HINT_ANTHROPIC;
  return -1;
}

/* Writes the hint into out (at least 64 bytes); 0 when v is too short
 * for one (the hint would show most of it) or has no known prefix. */
int nhi_scan_hint(int kind, const char *v, size_t len, char *out,
                  size_t size)
{
  const char *p;
  size_t n;

  if (kind == HINT_OPENAI &&
      (p = prefix_of(openai_prefixes, v, len)) != NULL) {
    n = strlen(p);
    if (len < n + 16)
      return 0;
    snprintf(out, size, "%s****%.4s", p, v + len - 4);
    return 1;
  }
  if (kind == HINT_ANTHROPIC && (n = anthropic_prefix(v, len)) != 0) {
    if (len < n + 24)
      return 0;
    snprintf(out, size, "%.*s...%.4s", (int)(n + 3), v, v + len - 4);
    return 1;
  }
  return 0;
}
