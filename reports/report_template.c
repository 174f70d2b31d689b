/* Report templates over their base, and the profile's logo and colours. */
#include "report_template.h"

#include "json.h"
#include "strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hpdf.h>

/* A template may build on one that builds on another, this deep. */
#define MAX_BASES 4

static int valid_name(const char *name)
{
  size_t n = strlen(name);

  if (!n || n > 40)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789-_", name[i]))
      return 0;
  return 1;
}

static const char *file_of(const char *name)
{
  return !name || !strcmp(name, NHI_TEMPLATE_DEFAULT)
           ? NHI_TEMPLATE_DEFAULT_FILE : name;
}

/* Lays over onto base: objects merge, anything else replaces. Takes
 * over's items. Returns 0 when out of memory. */
static int merge_into(cJSON *base, cJSON *over)
{
  cJSON *item, *mine;

  while ((item = over->child) != NULL) {
    cJSON_DetachItemViaPointer(over, item);
    mine = cJSON_GetObjectItemCaseSensitive(base, item->string);
    if (cJSON_IsObject(mine) && cJSON_IsObject(item)) {
      int ok = merge_into(mine, item);

      cJSON_Delete(item);
      if (!ok)
        return 0;
    } else if (mine) {
      cJSON_ReplaceItemViaPointer(base, mine, item);
    } else {
      cJSON_AddItemToObject(base, item->string, item);
    }
  }
  return 1;
}

static enum nhi_rc read_one(const char *dir, const char *name, cJSON **out)
{
  char *path = nhi_aprintf("%s/%s.json", dir, file_of(name));
  enum nhi_rc rc = path ? NHI_OK : NHI_ERR_NOMEM;

  *out = NULL;
  if (!rc && !valid_name(file_of(name))) {
    nhi_error("unknown report template '%s': a template name is lower "
              "case letters, digits, '-' and '_'", name);
    rc = NHI_ERR_USAGE;
  } else if (!rc && access(path, R_OK) != 0) {
    nhi_error("unknown report template '%s': cannot read '%s': %s",
              name ? name : NHI_TEMPLATE_DEFAULT, path, strerror(errno));
    rc = NHI_ERR_USAGE;
  }
  if (!rc)
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

enum nhi_rc nhi_template_read(const char *dir, const char *name,
                              cJSON **out)
{
  cJSON *tmpl = NULL, *base = NULL;
  const cJSON *b;
  enum nhi_rc rc = read_one(dir, name, &tmpl);

  for (int depth = 0; !rc && depth <= MAX_BASES; depth++) {
    b = cJSON_GetObjectItemCaseSensitive(tmpl, "base");
    if (!b)
      break;
    if (!cJSON_IsString(b) || depth == MAX_BASES) {
      nhi_error("report template '%s': \"base\" must name a template, "
                "at most %d deep", file_of(name), MAX_BASES);
      rc = NHI_ERR_INPUT;
      break;
    }
    rc = read_one(dir, b->valuestring, &base);
    cJSON_DeleteItemFromObjectCaseSensitive(tmpl, "base");
    if (!rc && !merge_into(base, tmpl))
      rc = NHI_ERR_NOMEM;
    cJSON_Delete(tmpl);
    tmpl = base;
    base = NULL;
  }
  if (rc == NHI_ERR_NOMEM)
    nhi_error("cannot read report template '%s': out of memory",
              file_of(name));
  if (rc) {
    cJSON_Delete(tmpl);
    tmpl = NULL;
  }
  *out = tmpl;
  return rc;
}

char *nhi_template_pdf_name(const char *name)
{
  if (!strcmp(file_of(name), NHI_TEMPLATE_DEFAULT_FILE))
    return strdup("report.pdf");
  return nhi_aprintf("report-%s.pdf", name);
}

static enum nhi_logo_kind sniff(const unsigned char *head, size_t n)
{
  static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
                                        0x1A, '\n' };

  if (n >= 8 && !memcmp(head, png, 8))
    return NHI_LOGO_PNG;
  if (n >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
    return NHI_LOGO_JPEG;
  return NHI_LOGO_NONE;
}

static void ignore_error(HPDF_STATUS code, HPDF_STATUS detail, void *arg)
{
  int *failed = arg;

  *failed = 1;
}

/* Whether libharu reads the image: some PNG and JPEG variants it does
 * not support would otherwise fail only once the report is drawn. */
static int library_reads(const char *path, enum nhi_logo_kind kind)
{
  int failed = 0, ok;
  HPDF_Doc doc = HPDF_New(ignore_error, &failed);
  HPDF_Image img;

  if (!doc)
    return 0;
  img = kind == NHI_LOGO_PNG ? HPDF_LoadPngImageFromFile(doc, path)
                         : HPDF_LoadJpegImageFromFile(doc, path);
  ok = img && !failed && HPDF_Image_GetWidth(img) > 0 &&
       HPDF_Image_GetHeight(img) > 0;
  HPDF_Free(doc);
  return ok;
}

enum nhi_logo_kind nhi_template_logo_kind(const char *path)
{
  unsigned char head[8];
  FILE *fp = fopen(path, "rb");
  size_t n;

  if (!fp)
    return NHI_LOGO_NONE;
  n = fread(head, 1, sizeof head, fp);
  fclose(fp);
  return sniff(head, n);
}

enum nhi_rc nhi_template_check_logo(const char *path, const char *shown,
                                    const char *origin)
{
  enum nhi_logo_kind kind;

  if (access(path, R_OK) != 0) {
    nhi_error("%s: cannot read logo '%s': %s", origin, shown,
              strerror(errno));
    return NHI_ERR_USAGE;
  }
  kind = nhi_template_logo_kind(path);
  if (kind == NHI_LOGO_NONE) {
    nhi_error("%s: logo '%s' is not a PNG or JPEG image", origin, shown);
    return NHI_ERR_USAGE;
  }
  if (!library_reads(path, kind)) {
    nhi_error("%s: logo '%s' is a %s image the PDF library cannot read",
              origin, shown, kind == NHI_LOGO_PNG ? "PNG" : "JPEG");
    return NHI_ERR_USAGE;
  }
  return NHI_OK;
}

int nhi_template_brand_colour(const char *key)
{
  static const char *const keys[] = { "accent", "cover", NULL };

  for (size_t i = 0; key && keys[i]; i++)
    if (!strcmp(key, keys[i]))
      return 1;
  return 0;
}
