/* Word catalogues: templates/lang/<lang>.json, over English. */
#ifndef NHI_WORDS_H
#define NHI_WORDS_H

#include "nhi.h"

#include <cJSON.h>

/* The language every catalogue is measured against. */
#define NHI_WORDS_BASE "en"

/* Reads dir/lang/<lang>.json into *out (the caller's, cJSON_Delete). A
 * key that catalogue lacks but dir/lang/en.json has reads in English:
 * unless quiet, one warning names the file, how many keys it lacks and
 * the first.
 * Returns NHI_OK, or logs (naming the file) and returns NHI_ERR_INPUT
 * (a bad language name, a missing or malformed catalogue) or
 * NHI_ERR_NOMEM. */
enum nhi_rc nhi_words_load(const char *dir, const char *lang, int quiet,
                           cJSON **out);

/* True when lang is a plain language name ("en", "pt-BR"). */
int nhi_words_valid_lang(const char *lang);

#endif
