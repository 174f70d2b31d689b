/* Plugins: finding them, loading them into a sandbox, validating their
 * metadata. */
#ifndef NHI_PLUGIN_H
#define NHI_PLUGIN_H

#include "nhi.h"
#include "sandbox.h"

enum nhi_plugin_kind { NHI_PLUGIN_CHECK, NHI_PLUGIN_COLLECTOR };

/* One plugin's metadata, as validated at load. Strings are owned. */
struct nhi_plugin {
  char *id;
  char *path;
  enum nhi_plugin_kind kind;
  char *description;
  char *source;        /* collectors: "provider:kind" they read */
  char *method;        /* collectors: "live" (an API) or "import" */
  char *question;      /* checks */
  char *category;      /* checks; may be NULL */
  char *owasp;
  char *severity;
  char *effort;        /* checks: low, medium (the default) or high */
  char *title;
  char *remediation;
  char **requires;     /* checks: evidence tables they read */
  size_t nrequires;
  char **provides;     /* collectors: evidence tables they write */
  size_t nprovides;
  char *params_json;   /* default params as a JSON object */
};

/* A plugin file that could not be loaded. */
struct nhi_plugin_failure {
  char *path;
  char *error;
};

struct nhi_plugin_set {
  struct nhi_plugin *items;
  size_t count;
  struct nhi_plugin_failure *failures;
  size_t nfailures;
};

/* Where plugins may read files and find shared Lua libraries. */
struct nhi_plugin_env {
  struct nhi_sandbox_limits limits;
  const char *const *read_roots;
  const char *const *lib_dirs;
};

/* Creates a sandbox for the plugin at path, runs its file, and leaves
 * the table it returns on top of the stack. On failure *err gets a
 * malloc'd one-line message (naming path) and *out is NULL. */
enum nhi_rc nhi_plugin_open(const char *path, const struct nhi_plugin_env *env,
                            struct nhi_sandbox **out, char **err);

/* Loads and validates every *.lua below each folder in dirs (recursive,
 * sorted; folders named lib or tests are skipped). Plugins that fail go
 * to set->failures and the rest still load. Returns NHI_ERR_INPUT only
 * when a folder cannot be read. */
enum nhi_rc nhi_plugin_discover(const char *const *dirs,
                                const struct nhi_plugin_env *env,
                                struct nhi_plugin_set *set);

/* Loads one plugin file's metadata into *p (caller frees with
 * nhi_plugin_clear). On failure *err names the file and field. */
enum nhi_rc nhi_plugin_load(const char *path, const struct nhi_plugin_env *env,
                            struct nhi_plugin *p, char **err);

/* True when id is a valid plugin id: lowercase letters, digits, '.',
 * '-' and '_', starting with a letter or digit. */
int nhi_plugin_valid_id(const char *id);

/* Finds a plugin by id; NULL if absent. */
const struct nhi_plugin *nhi_plugin_find(const struct nhi_plugin_set *set,
                                         const char *id);

void nhi_plugin_clear(struct nhi_plugin *p);
void nhi_plugin_set_free(struct nhi_plugin_set *set);

/* Vocabularies, NULL-terminated. */
extern const char *const nhi_questions[];
extern const char *const nhi_categories[];
extern const char *const nhi_severities[];
extern const char *const nhi_efforts[];

/* Index of s in a NULL-terminated list, or -1. */
int nhi_vocab_index(const char *const *vocab, const char *s);

#endif
