/* Secret rules as data: the rules file read, checked and compiled. */
#include "scan_int.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_WINDOW 512
#define MAX_WINDOW (1 << 20)
#define DEFAULT_BEFORE 0
#define MAX_BEFORE 4096

static void free_strings(char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

static void rule_clear(struct scan_rule *r)
{
  free(r->id);
  free(r->description);
  free(r->type);
  free_strings(r->keywords, r->nkeywords);
  pcre2_code_free(r->re);
  pcre2_code_free(r->re_anchored);
  memset(r, 0, sizeof *r);
}

void nhi_scan_rules_free(struct nhi_scan_rules *set)
{
  if (!set)
    return;
  for (size_t i = 0; i < set->count; i++)
    rule_clear(&set->rules[i]);
  free(set->rules);
  free_strings(set->ph_contains, set->ncontains);
  free_strings(set->ph_equals, set->nequals);
  for (size_t i = 0; i < set->nkws; i++)
    free(set->kws[i].folded);
  free(set->kws);
  free(set);
}

size_t nhi_scan_rules_count(const struct nhi_scan_rules *set)
{
  return set ? set->count : 0;
}

/* Where a rules file is wrong: logged once, NHI_ERR_INPUT. */
static enum nhi_rc bad(const char *name, const char *id, const char *what)
{
  if (id)
    nhi_error("cannot read rules '%s': rule '%s': %s", name, id, what);
  else
    nhi_error("cannot read rules '%s': %s", name, what);
  return NHI_ERR_INPUT;
}

static char *lower_dup(const char *s)
{
  char *d = strdup(s);

  for (char *p = d; p && *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
  return d;
}

/* Copies a JSON array of non-empty strings; lower-cases when asked. */
static enum nhi_rc string_list(const cJSON *arr, int lower, char ***out,
                               size_t *n)
{
  const cJSON *it;
  size_t k = 0, cnt = (size_t)cJSON_GetArraySize(arr);

  *out = calloc(cnt + 1, sizeof **out);
  *n = 0;
  if (!*out)
    return NHI_ERR_NOMEM;
  cJSON_ArrayForEach(it, arr) {
    if (!cJSON_IsString(it) || !it->valuestring[0])
      return NHI_ERR_INPUT;
    (*out)[k] = lower ? lower_dup(it->valuestring) : strdup(it->valuestring);
    if (!(*out)[k])
      return NHI_ERR_NOMEM;
    *n = ++k;
  }
  return NHI_OK;
}

/* "A-Za-z0-9_-": ranges and single bytes; a '-' first or last is one. */
static int parse_charset(const char *spec, unsigned char set[256])
{
  size_t n = strlen(spec);

  memset(set, 0, 256);
  for (size_t i = 0; i < n; i++) {
    unsigned char a = (unsigned char)spec[i];

    if (i + 2 < n && spec[i + 1] == '-') {
      unsigned char b = (unsigned char)spec[i + 2];

      if (b < a)
        return 0;
      for (unsigned c = a; c <= b; c++)
        set[c] = 1;
      i += 2;
    } else {
      set[a] = 1;
    }
  }
  return n > 0;
}

static enum nhi_rc read_token(const cJSON *tok, const char *name,
                              struct scan_rule *r)
{
  const cJSON *cs = cJSON_GetObjectItemCaseSensitive(tok, "charset");
  const cJSON *mn = cJSON_GetObjectItemCaseSensitive(tok, "min");
  const cJSON *mx = cJSON_GetObjectItemCaseSensitive(tok, "max");

  if (!cJSON_IsString(cs) || !parse_charset(cs->valuestring, r->charset))
    return bad(name, r->id, "token.charset must be a set like \"A-Z0-9\"");
  if (!cJSON_IsNumber(mn) || !cJSON_IsNumber(mx) || mn->valueint < 1 ||
      mx->valueint < mn->valueint || mx->valueint > 4096)
    return bad(name, r->id, "token.min and token.max must be 1..4096, "
               "min <= max");
  r->is_token = 1;
  r->min = mn->valueint;
  r->max = mx->valueint;
  return NHI_OK;
}

static enum nhi_rc read_pattern(const char *pat, const char *name,
                                struct scan_rule *r)
{
  int err;
  PCRE2_SIZE at;
  uint32_t groups = 0;
  char msg[256], line[400];

  r->re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &err,
                        &at, NULL);
  if (!r->re) {
    pcre2_get_error_message(err, (PCRE2_UCHAR *)msg, sizeof msg);
    snprintf(line, sizeof line, "pattern, offset %zu: %s", (size_t)at, msg);
    return bad(name, r->id, line);
  }
  r->re_anchored = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                                 PCRE2_ANCHORED, &err, &at, NULL);
  if (!r->re_anchored)
    return NHI_ERR_NOMEM;
  /* Without JIT the interpreter still gives the same answers. */
  (void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
  (void)pcre2_jit_compile(r->re_anchored, PCRE2_JIT_COMPLETE);
  pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &groups);
  if ((uint32_t)r->group > groups)
    return bad(name, r->id, "group is past the pattern's capture groups");
  return NHI_OK;
}

static int get_bool(const cJSON *o, const char *key)
{
  return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static enum nhi_rc read_options(const cJSON *o, const char *name,
                                struct scan_rule *r)
{
  const cJSON *ent = cJSON_GetObjectItemCaseSensitive(o, "entropy");
  const cJSON *val = cJSON_GetObjectItemCaseSensitive(o, "validator");
  const cJSON *grp = cJSON_GetObjectItemCaseSensitive(o, "group");
  const cJSON *win = cJSON_GetObjectItemCaseSensitive(o, "window");
  const cJSON *bef = cJSON_GetObjectItemCaseSensitive(o, "before");
  const cJSON *hint = cJSON_GetObjectItemCaseSensitive(o, "hint");

  if (hint && (!cJSON_IsString(hint) ||
               nhi_scan_hint_by_name(hint->valuestring) < 0))
    return bad(name, r->id, "hint must be openai or anthropic");
  r->hint = hint ? nhi_scan_hint_by_name(hint->valuestring) : HINT_NONE;
  if (ent && (!cJSON_IsNumber(ent) || ent->valuedouble < 0 ||
              ent->valuedouble > 8))
    return bad(name, r->id, "entropy must be a number of bits, 0..8");
  r->entropy = ent ? ent->valuedouble : 0;
  if (val && (!cJSON_IsString(val) ||
              nhi_scan_validator_by_name(val->valuestring) < 0))
    return bad(name, r->id, "validator must be one of github-crc32, jwt, "
               "gcp-service-account, pem, anthropic, mixed");
  r->validator = val ? nhi_scan_validator_by_name(val->valuestring) : V_NONE;
  if (grp && (!cJSON_IsNumber(grp) || grp->valueint < 0))
    return bad(name, r->id, "group must be a capture group number");
  r->group = grp ? grp->valueint : 0;
  if (win && (!cJSON_IsNumber(win) || win->valueint < 16 ||
              win->valueint > MAX_WINDOW))
    return bad(name, r->id, "window must be 16..1048576 bytes");
  r->window = win ? (size_t)win->valueint : DEFAULT_WINDOW;
  if (bef && (!cJSON_IsNumber(bef) || bef->valueint < 0 ||
              bef->valueint > MAX_BEFORE))
    return bad(name, r->id, "before must be 0..4096 bytes");
  r->before = bef ? (size_t)bef->valueint : DEFAULT_BEFORE;
  r->require_valid = get_bool(o, "require_valid");
  r->generic = get_bool(o, "generic");
  r->multiline = get_bool(o, "multiline");
  return NHI_OK;
}

static enum nhi_rc check_keys(const cJSON *o, const char *name,
                              const char *id)
{
  static const char *const known[] = {
    "id", "description", "type", "keywords", "token", "pattern", "group",
    "entropy", "validator", "require_valid", "generic", "window",
    "before", "multiline", "hint", NULL
  };
  const cJSON *it;
  char msg[160];

  cJSON_ArrayForEach(it, o) {
    size_t k = 0;

    while (known[k] && strcmp(known[k], it->string))
      k++;
    if (!known[k]) {
      snprintf(msg, sizeof msg, "unknown field '%.100s'", it->string);
      return bad(name, id, msg);
    }
  }
  return NHI_OK;
}

static enum nhi_rc read_rule(const cJSON *o, const char *name,
                             struct scan_rule *r)
{
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
  const cJSON *ty = cJSON_GetObjectItemCaseSensitive(o, "type");
  const cJSON *de = cJSON_GetObjectItemCaseSensitive(o, "description");
  const cJSON *kw = cJSON_GetObjectItemCaseSensitive(o, "keywords");
  const cJSON *tok = cJSON_GetObjectItemCaseSensitive(o, "token");
  const cJSON *pat = cJSON_GetObjectItemCaseSensitive(o, "pattern");
  enum nhi_rc rc;

  if (!cJSON_IsObject(o) || !cJSON_IsString(id) || !id->valuestring[0])
    return bad(name, NULL, "every rule needs a string id");
  rc = check_keys(o, name, id->valuestring);
  if (rc)
    return rc;
  r->id = strdup(id->valuestring);
  r->type = strdup(cJSON_IsString(ty) ? ty->valuestring : id->valuestring);
  r->description = strdup(cJSON_IsString(de) ? de->valuestring : "");
  if (!r->id || !r->type || !r->description)
    return NHI_ERR_NOMEM;
  if (!cJSON_IsArray(kw) || cJSON_GetArraySize(kw) == 0)
    return bad(name, r->id, "keywords must be a non-empty list of strings");
  rc = string_list(kw, 0, &r->keywords, &r->nkeywords);
  if (rc == NHI_ERR_INPUT)
    return bad(name, r->id, "keywords must be non-empty strings");
  if (rc)
    return rc;
  rc = read_options(o, name, r);
  if (rc)
    return rc;
  if (!tok == !cJSON_IsString(pat))
    return bad(name, r->id, "give either token or pattern");
  return tok ? read_token(tok, name, r)
             : read_pattern(pat->valuestring, name, r);
}

/* Adds r to set, replacing a rule with the same id. */
static enum nhi_rc add_rule(struct nhi_scan_rules *set, struct scan_rule *r)
{
  struct scan_rule *grown;

  for (size_t i = 0; i < set->count; i++)
    if (!strcmp(set->rules[i].id, r->id)) {
      rule_clear(&set->rules[i]);
      set->rules[i] = *r;
      return NHI_OK;
    }
  grown = realloc(set->rules, (set->count + 1) * sizeof *grown);
  if (!grown)
    return NHI_ERR_NOMEM;
  set->rules = grown;
  set->rules[set->count++] = *r;
  return NHI_OK;
}

/* Appends a JSON list of strings (lower-cased) to *v. */
static enum nhi_rc add_strings(const cJSON *arr, char ***v, size_t *n)
{
  char **more = NULL, **grown;
  size_t k = 0;
  enum nhi_rc rc;

  if (!arr)
    return NHI_OK;
  if (!cJSON_IsArray(arr))
    return NHI_ERR_INPUT;
  rc = string_list(arr, 1, &more, &k);
  if (rc) {
    free_strings(more, k);
    return rc;
  }
  grown = realloc(*v, (*n + k + 1) * sizeof *grown);
  if (!grown) {
    free_strings(more, k);
    return NHI_ERR_NOMEM;
  }
  memcpy(grown + *n, more, k * sizeof *more);
  free(more);
  *v = grown;
  *n += k;
  return NHI_OK;
}

static enum nhi_rc read_placeholders(const cJSON *doc, const char *name,
                                     struct nhi_scan_rules *set)
{
  const cJSON *ph = cJSON_GetObjectItemCaseSensitive(doc, "placeholders");
  enum nhi_rc rc;

  if (!ph)
    return NHI_OK;
  if (!cJSON_IsObject(ph))
    return bad(name, NULL, "placeholders must be {contains, equals}");
  rc = add_strings(cJSON_GetObjectItemCaseSensitive(ph, "contains"),
                   &set->ph_contains, &set->ncontains);
  if (!rc)
    rc = add_strings(cJSON_GetObjectItemCaseSensitive(ph, "equals"),
                     &set->ph_equals, &set->nequals);
  if (rc == NHI_ERR_INPUT)
    return bad(name, NULL, "placeholders.contains and .equals must be "
               "lists of non-empty strings");
  return rc;
}

static enum nhi_rc read_rules(const cJSON *doc, const char *name,
                              struct nhi_scan_rules *set)
{
  const cJSON *rules = cJSON_GetObjectItemCaseSensitive(doc, "rules");
  const cJSON *it;
  enum nhi_rc rc = NHI_OK;

  if (!cJSON_IsObject(doc) || !cJSON_IsArray(rules))
    return bad(name, NULL, "expected an object with a \"rules\" list");
  rc = read_placeholders(doc, name, set);
  cJSON_ArrayForEach(it, rules) {
    struct scan_rule r;

    if (rc)
      break;
    memset(&r, 0, sizeof r);
    rc = read_rule(it, name, &r);
    if (!rc)
      rc = add_rule(set, &r);
    if (rc)
      rule_clear(&r);
  }
  return rc;
}

enum nhi_rc nhi_scan_rules_parse(const char *text, const char *name,
                                 struct nhi_scan_rules **set)
{
  cJSON *doc = NULL;
  int fresh = !*set;
  enum nhi_rc rc;

  rc = nhi_json_parse(text, strlen(text), name, &doc);
  if (rc)
    return rc;
  if (fresh) {
    *set = calloc(1, sizeof **set);
    if (!*set) {
      rc = NHI_ERR_NOMEM;
      goto out;
    }
  }
  rc = read_rules(doc, name, *set);
  if (!rc)
    rc = nhi_scan_build_prefilter(*set, name);
  if (rc == NHI_ERR_NOMEM)
    nhi_error("cannot read rules '%s': out of memory", name);
out:
  cJSON_Delete(doc);
  if (rc && fresh) {
    nhi_scan_rules_free(*set);
    *set = NULL;
  }
  return rc;
}

enum nhi_rc nhi_scan_rules_load(const char *path,
                                struct nhi_scan_rules **set)
{
  char *text = NULL;
  size_t len = 0;
  enum nhi_rc rc = nhi_file_read(path, &text, &len);

  if (!rc)
    rc = nhi_scan_rules_parse(text, path, set);
  free(text);
  return rc;
}
