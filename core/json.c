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

/* Whether byte q of text lies inside a string literal. */
static int in_string(const char *text, size_t q)
{
  int in = 0;

  for (size_t i = 0; i < q; i++) {
    if (in && text[i] == '\\')
      i++;
    else if (text[i] == '"')
      in = !in;
  }
  return in;
}

static const char *string_problem(const char *text, size_t len, size_t q)
{
  for (size_t i = q + 1; i < len; i++) {
    if (text[i] == '\\')
      i++;
    else if (text[i] == '"')
      return "invalid escape in string";
  }
  return "unexpected end of input (string not closed)";
}

/* cJSON stops one byte past a string it cannot read, and past a
 * non-string where an object key belongs. Moves *off back to that byte;
 * returns what is wrong when "unexpected ..." would not say it. */
static const char *fix_stop(const char *text, size_t len, size_t *off)
{
  size_t q = *off - 1, p = q;
  unsigned char c;
  char prev;

  if (*off == 0 || *off > len || in_string(text, q))
    return NULL;
  c = (unsigned char)text[q];
  if (c == '"') {
    *off = q;
    return string_problem(text, len, q);
  }
  while (p > 0 && (unsigned char)text[p - 1] <= ' ')
    p--;
  prev = p > 0 ? text[p - 1] : 0;
  /* After a comma, one of these may be a whole array item cJSON read. */
  if (c > ' ' && ((prev == '{' && c != '}') ||
                  (prev == ',' && !strchr("0123456789[{", c))))
    *off = q;
  return NULL;
}

void nhi_json_describe_error(const char *text, size_t len, size_t stop,
                             size_t *line, size_t *col, char *what,
                             size_t size)
{
  const char *why = fix_stop(text, len, &stop);
  unsigned char c = stop < len ? (unsigned char)text[stop] : 0;

  if (why)
    snprintf(what, size, "%s", why);
  else if (stop >= len)
    snprintf(what, size, "unexpected end of input");
  else if (c >= ' ' && c < 0x7f)
    snprintf(what, size, "unexpected '%c'", c);
  else
    snprintf(what, size, "unexpected byte 0x%02x", c);
  nhi_text_position(text, stop, line, col);
}

enum nhi_rc nhi_json_parse(const char *text, size_t len, const char *name,
                           cJSON **out)
{
  const char *end = NULL;
  size_t line, col;
  char what[64];

  *out = NULL;
  if (only_space(text, len)) {
    nhi_error("cannot read '%s': file is empty", name);
    return NHI_ERR_INPUT;
  }
  /* Counting the terminating NUL in lets cJSON check that nothing but
   * white space follows the value, and see where input ends. */
  *out = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
  if (*out)
    return NHI_OK;
  nhi_json_describe_error(text, len, end ? (size_t)(end - text) : 0, &line,
                          &col, what, sizeof what);
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
