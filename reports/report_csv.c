/* findings.csv: one row per finding, for spreadsheets and ticketing
 * imports. Quoting follows RFC 4180. */
#include "report_csv.h"
#include "report_json.h"

#include <stdlib.h>
#include <string.h>

/* The columns, in order: each is the finding's key of the same name. */
static const char *const columns[] = {
  "id", "check", "question", "category", "owasp", "severity", "status",
  "confidence", "identity", "resource", "title", "remediation", NULL
};

/* Text that grows as it is appended to; failed sticks once set. */
struct text {
  char *data;
  size_t len, cap;
  int failed;
};

static void append(struct text *t, const char *s, size_t n)
{
  char *grown;

  if (t->failed)
    return;
  if (t->len + n + 1 > t->cap) {
    size_t cap = (t->len + n + 1) * 2;

    if (!(grown = realloc(t->data, cap))) {
      t->failed = 1;
      return;
    }
    t->data = grown;
    t->cap = cap;
  }
  memcpy(t->data + t->len, s, n);
  t->len += n;
  t->data[t->len] = '\0';
}

/* One field: as is, or quoted with its quotes doubled when it holds a
 * comma, a quote or a line break. */
static void append_field(struct text *t, const char *s)
{
  const char *q;

  if (!s[strcspn(s, ",\"\r\n")]) {
    append(t, s, strlen(s));
    return;
  }
  append(t, "\"", 1);
  while ((q = strchr(s, '"'))) {
    append(t, s, (size_t)(q - s + 1));
    append(t, "\"", 1);
    s = q + 1;
  }
  append(t, s, strlen(s));
  append(t, "\"", 1);
}

static void append_header(struct text *t)
{
  for (size_t i = 0; columns[i]; i++) {
    if (i)
      append(t, ",", 1);
    append_field(t, columns[i]);
  }
}

/* A finding's row; null and non-text values are empty fields. */
static void append_row(struct text *t, const cJSON *f)
{
  for (size_t i = 0; columns[i]; i++) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, columns[i]);

    if (i)
      append(t, ",", 1);
    append_field(t, cJSON_IsString(v) ? v->valuestring : "");
  }
}

enum nhi_rc nhi_csv_write(const cJSON *report, const char *path)
{
  const cJSON *f;
  struct text t = { 0 };
  enum nhi_rc rc;

  append_header(&t);
  cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(report,
                                                         "findings")) {
    append(&t, "\r\n", 2);
    append_row(&t, f);
  }
  /* nhi_report_write_text ends the text with "\n": with this "\r" the
   * last row ends in CRLF like the others. */
  append(&t, "\r", 1);
  if (t.failed) {
    nhi_error("cannot write '%s': out of memory", path);
    free(t.data);
    return NHI_ERR_NOMEM;
  }
  rc = nhi_report_write_text(t.data, path);
  free(t.data);
  return rc;
}
