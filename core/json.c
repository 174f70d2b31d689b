/* Reading JSON input with errors that say where the text is wrong. */
#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum nhi_rc nhi_file_read(const char *path, char **buf, size_t *len)
{
  struct stat sb;
  FILE *f = NULL;
  char *data = NULL;
  size_t got;

  *buf = NULL;
  *len = 0;
  if (stat(path, &sb) != 0) {
    nhi_error("cannot read '%s': %s", path, strerror(errno));
    return NHI_ERR_INPUT;
  }
  if (!S_ISREG(sb.st_mode)) {
    nhi_error("cannot read '%s': not a regular file", path);
    return NHI_ERR_INPUT;
  }
  f = fopen(path, "rb");
  if (!f) {
    nhi_error("cannot read '%s': %s", path, strerror(errno));
    return NHI_ERR_INPUT;
  }
  data = malloc((size_t)sb.st_size + 1);
  if (!data) {
    fclose(f);
    nhi_error("cannot read '%s': out of memory", path);
    return NHI_ERR_NOMEM;
  }
  got = fread(data, 1, (size_t)sb.st_size, f);
  if (ferror(f) || got != (size_t)sb.st_size) {
    nhi_error("cannot read '%s': read error", path);
    fclose(f);
    free(data);
    return NHI_ERR_IO;
  }
  fclose(f);
  data[got] = '\0';
  *buf = data;
  *len = got;
  return NHI_OK;
}

void nhi_text_position(const char *text, size_t off, size_t *line,
                       size_t *col)
{
  size_t l = 1, c = 1;

  for (size_t i = 0; i < off && text[i]; i++) {
    if (text[i] == '\n') {
      l++;
      c = 1;
    } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
      c++;
    }
  }
  *line = l;
  *col = c;
}

static int only_space(const char *text, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (!strchr(" \t\r\n", text[i]))
      return 0;
  return 1;
}

/* Describes what cJSON stopped at: end of input, or the character. */
static void describe_stop(const char *text, size_t len, size_t off,
                          char *what, size_t size)
{
  if (off >= len)
    snprintf(what, size, "unexpected end of input (truncated file?)");
  else if ((unsigned char)text[off] >= 0x20 && (unsigned char)text[off] < 0x7f)
    snprintf(what, size, "unexpected '%c'", text[off]);
  else
    snprintf(what, size, "unexpected byte 0x%02x",
             (unsigned char)text[off]);
}

enum nhi_rc nhi_json_parse(const char *text, size_t len, const char *name,
                           cJSON **out)
{
  const char *end = NULL;
  size_t off, line, col;
  char what[64];

  *out = NULL;
  if (only_space(text, len)) {
    nhi_error("cannot read '%s': file is empty", name);
    return NHI_ERR_INPUT;
  }
  *out = cJSON_ParseWithLengthOpts(text, len, &end, 0);
  if (*out)
    return NHI_OK;
  off = end ? (size_t)(end - text) : 0;
  /* cJSON points just past the last good token when input runs out. */
  if (off > len)
    off = len;
  nhi_text_position(text, off, &line, &col);
  describe_stop(text, len, off, what, sizeof what);
  nhi_error("cannot read '%s': line %zu, column %zu: %s", name, line, col,
            what);
  return NHI_ERR_INPUT;
}

enum nhi_rc nhi_json_read_file(const char *path, cJSON **out)
{
  char *buf = NULL;
  size_t len = 0;
  enum nhi_rc rc;

  *out = NULL;
  rc = nhi_file_read(path, &buf, &len);
  if (!rc)
    rc = nhi_json_parse(buf, len, path, out);
  free(buf);
  return rc;
}
