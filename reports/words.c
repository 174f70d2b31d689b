/* Word catalogues: a language's words, English for any it lacks. */
#include "words.h"

#include "json.h"
#include "strutil.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int nhi_words_valid_lang(const char *lang)
{
  if (!lang || !*lang)
    return 0;
  for (const char *c = lang; *c; c++)
    if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
      return 0;
  return 1;
}

static enum nhi_rc read_catalogue(const char *dir, const char *lang,
                                  cJSON **out)
{
  char *path = nhi_aprintf("%s/lang/%s.json", dir, lang);
  enum nhi_rc rc;

  *out = NULL;
  if (!path) {
    nhi_error("cannot read word catalogue '%s': out of memory", lang);
    return NHI_ERR_NOMEM;
  }
  rc = nhi_json_read_file(path, out);
  if (!rc && !cJSON_IsObject(*out)) {
    nhi_error("cannot read '%s': expected a JSON object", path);
    rc = NHI_ERR_INPUT;
  }
  if (rc) {
    cJSON_Delete(*out);
    *out = NULL;
  }
  free(path);
  return rc;
}

/* Copies into words each string of base it lacks. Returns how many were
 * missing (first names the first), or -1 when out of memory. */
static long fill_missing(cJSON *words, const cJSON *base,
                         const char **first)
{
  const cJSON *w;
  cJSON *copy;
  long missing = 0;

  *first = NULL;
  cJSON_ArrayForEach(w, base) {
    if (!cJSON_IsString(w) ||
        cJSON_IsString(cJSON_GetObjectItemCaseSensitive(words, w->string)))
      continue;
    copy = cJSON_CreateString(w->valuestring);
    if (!copy)
      return -1;
    cJSON_DeleteItemFromObjectCaseSensitive(words, w->string);
    cJSON_AddItemToObject(words, w->string, copy);
    if (!missing++)
      *first = w->string;
  }
  return missing;
}

static enum nhi_rc merge_base(const char *dir, const char *lang,
                              int quiet, cJSON *words)
{
  cJSON *base = NULL;
  const char *first;
  long missing;
  enum nhi_rc rc = read_catalogue(dir, NHI_WORDS_BASE, &base);

  if (rc)
    return rc;
  missing = fill_missing(words, base, &first);
  if (missing < 0) {
    nhi_error("cannot read word catalogue '%s': out of memory", lang);
    rc = NHI_ERR_NOMEM;
  } else if (missing > 0 && !quiet) {
    nhi_warn("%s/lang/%s.json lacks %ld of the words in %s.json (the "
             "first is '%s'): they are shown in English", dir, lang,
             missing, NHI_WORDS_BASE, first);
  }
  cJSON_Delete(base);
  return rc;
}

enum nhi_rc nhi_words_load(const char *dir, const char *lang, int quiet,
                           cJSON **out)
{
  enum nhi_rc rc;

  *out = NULL;
  if (!nhi_words_valid_lang(lang)) {
    nhi_error("cannot read word catalogue: '%s' is not a language name",
              lang ? lang : "");
    return NHI_ERR_INPUT;
  }
  rc = read_catalogue(dir, lang, out);
  if (!rc && strcmp(lang, NHI_WORDS_BASE))
    rc = merge_base(dir, lang, quiet, *out);
  if (rc) {
    cJSON_Delete(*out);
    *out = NULL;
  }
  return rc;
}
