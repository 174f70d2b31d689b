/* Reading JSON input with errors that say where the text is wrong. */
#ifndef NHI_JSON_H
#define NHI_JSON_H

#include "nhi.h"

#include <cJSON.h>

/* Reads a whole file into a NUL-terminated buffer. *buf and *len are the
 * caller's (free *buf). Logs "cannot read 'name': ..." on failure and
 * returns NHI_ERR_INPUT (missing, a directory) or NHI_ERR_IO. */
enum nhi_rc nhi_file_read(const char *path, char **buf, size_t *len);

/* Says where and why cJSON stopped at byte stop of text: 1-based line
 * and column, and "unexpected ..." in what. */
void nhi_json_describe_error(const char *text, size_t len, size_t stop,
                             size_t *line, size_t *col, char *what,
                             size_t size);

/* Parses text (NUL-terminated at len) as JSON. On failure logs "cannot
 * read 'name': line L, column C: what" (or "file is empty") and returns
 * NHI_ERR_INPUT. *out is the caller's, freed with cJSON_Delete. */
enum nhi_rc nhi_json_parse(const char *text, size_t len, const char *name,
                           cJSON **out);

/* nhi_file_read + nhi_json_parse. */
enum nhi_rc nhi_json_read_file(const char *path, cJSON **out);

/* Line and column (1-based) of byte offset off in text. */
void nhi_text_position(const char *text, size_t off, size_t *line,
                       size_t *col);

#endif
