/* What the scanner's files share: the compiled rule set and the raw
 * matches a scan collects before they become hits. */
#ifndef NHI_SCAN_INT_H
#define NHI_SCAN_INT_H

#include "scan.h"

#include <stdint.h>

#include <cJSON.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

enum scan_validator {
  V_NONE = 0,
  V_GITHUB,       /* CRC32 checksum of GitHub and npm tokens */
  V_JWT,          /* header and claims decode as JSON objects */
  V_GCP_SA,       /* a service-account key file: private_key_id found */
  V_PEM,          /* a private key block with a base64 body */
  V_ANTHROPIC,    /* ends with "AA" */
  V_MIXED,        /* a password: letters mixed with digits or symbols */
  V_COUNT
};

/* The redaction a provider's admin API shows of a key (scan_hint.c). */
enum scan_hint {
  HINT_NONE = 0,
  HINT_OPENAI,    /* sk-proj-****Qz4A: type prefix and last 4 */
  HINT_ANTHROPIC  /* type prefix and 3 more, "...", then the last 4 */
};

struct scan_rule {
  char *id, *description, *type;
  char **keywords;
  size_t nkeywords;
  int is_token;               /* prefix + charset, else a pattern */
  unsigned char charset[256]; /* token: bytes allowed after the prefix */
  int min, max;               /* token: length after the prefix */
  pcre2_code *re;             /* pattern */
  pcre2_code *re_anchored;    /* the same, compiled anchored: JIT code
                                 cannot take PCRE2_ANCHORED at match time */
  int group;                  /* the capture group holding the secret */
  double entropy;             /* floor in bits per byte, 0 for none */
  enum scan_validator validator;
  int require_valid;          /* drop a match its validator refuses */
  int generic;                /* yields to a specific rule's match */
  size_t window;              /* how far past the keyword a match reaches */
  size_t before;              /* how far before the keyword it may start */
  int multiline;              /* a match may span lines */
  int hint;                   /* enum scan_hint: attrs.provider_hint */
};

/* One keyword in the prefilter's table: its rule, its index in the
 * rule, its length, its first two bytes folded (the bucket), and the
 * keyword itself folded to lower case. */
struct scan_kw {
  uint32_t rule;
  uint16_t kw;
  uint16_t len;
  uint16_t pair;
  char *folded;
};

struct nhi_scan_rules {
  struct scan_rule *rules;
  size_t count;
  char **ph_contains;         /* lower-case substrings of placeholders */
  size_t ncontains;
  char **ph_equals;           /* lower-case whole placeholder values */
  size_t nequals;
  /* The keyword prefilter: a bit per pair of (ASCII-folded) bytes that
   * starts some keyword, and the keywords sorted by that pair. */
  uint64_t pairs[1024];
  uint64_t short_pairs[1024]; /* pairs of keywords under four bytes */
  uint64_t quads[1024];       /* hashes of the first four bytes of the
                                 longer keywords */
  struct scan_kw *kws;
  size_t nkws;
};

/* A match before it becomes a hit: the secret's span, and the span
 * other matches inside it yield to. */
struct scan_raw {
  uint32_t rule;
  size_t off, len;
  size_t at;                  /* where its line is counted from */
  size_t cover_start, cover_end;
  long line;
  int validated;
  int dropped;
  int refused;                /* its validator said no: kept only so that
                                 a generic match of it is dropped too */
  cJSON *attrs;
};

/* Builds the keyword prefilter of set; NHI_ERR_INPUT (logged, naming
 * name) when a keyword is shorter than two bytes. */
enum nhi_rc nhi_scan_build_prefilter(struct nhi_scan_rules *set,
                                     const char *name);

/* The byte folded to ASCII lower case. */
extern const unsigned char nhi_scan_fold[256];

/* The quads table's index for four folded bytes. */
static inline unsigned nhi_scan_quad(uint32_t four)
{
  return (four * 2654435761u) >> 16;
}

/* Runs rule r's validator on raw (which it may narrow, and whose attrs
 * it may fill). Returns 1 valid, 0 refused, -1 when r has none. */
int nhi_scan_validate(const struct scan_rule *r, const char *buf,
                      size_t len, struct scan_raw *raw);

/* The enum scan_hint a rules file names ("openai", "anthropic"), or -1. */
int nhi_scan_hint_by_name(const char *name);

/* Writes the key v[0..len) as its provider redacts it (kind, an enum
 * scan_hint) into out[size]; returns 0 when there is no such form of v
 * (an unknown prefix, or too short for the form to hide most of it). */
int nhi_scan_hint(int kind, const char *v, size_t len, char *out,
                  size_t size);

/* The validator a rules file names, or -1. */
int nhi_scan_validator_by_name(const char *name);

#endif
