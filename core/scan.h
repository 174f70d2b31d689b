/* The secrets scanner: rules as data, a keyword prefilter, matchers,
 * validators; buffers, files and folder trees, over several threads. */
#ifndef NHI_SCAN_H
#define NHI_SCAN_H

#include "nhi.h"
#include "secret.h"
#include "scan_classify.h"

#include <stddef.h>

/* A loaded and compiled rule set; opaque. Read-only once compiled, so
 * several threads may scan with one set. */
struct nhi_scan_rules;

/* One secret found. The value itself is never kept: only where it is,
 * its fingerprint and its masked preview. */
struct nhi_scan_hit {
  const char *rule;           /* rule id, owned by the rule set */
  const char *type;           /* secret type, owned by the rule set */
  size_t file;                /* index of the file in a tree scan, else 0 */
  size_t offset;              /* of the secret in the buffer */
  size_t length;              /* of the secret, in bytes */
  long line;                  /* 1-based */
  int validated;              /* 1 passed, 0 failed, -1 no validator */
  int generic;                /* from a low-precision (generic) rule */
  char fingerprint[NHI_FINGERPRINT_SIZE];
  char preview[NHI_PREVIEW_SIZE];
  char *attrs;                /* malloc'd JSON object text, or NULL */
};

/* A growing list of hits; zero-initialise, free with nhi_scan_hits_free. */
struct nhi_scan_hits {
  struct nhi_scan_hit *items;
  size_t count, cap;
};

void nhi_scan_hits_free(struct nhi_scan_hits *h);

/* Reads the rules file at path (JSON, see docs/usage.md "Secret rules")
 * into a new set, or adds its rules to *set when *set is not NULL (a
 * rule with an id already present replaces it). Patterns are compiled
 * here. Returns NHI_OK, or NHI_ERR_INPUT with one message naming the
 * file and the rule at fault; the caller frees with nhi_scan_rules_free.
 */
enum nhi_rc nhi_scan_rules_load(const char *path,
                                struct nhi_scan_rules **set);

/* Builds the rule set from JSON text; name labels messages. */
enum nhi_rc nhi_scan_rules_parse(const char *text, const char *name,
                                 struct nhi_scan_rules **set);

void nhi_scan_rules_free(struct nhi_scan_rules *set);

/* How many rules the set holds. */
size_t nhi_scan_rules_count(const struct nhi_scan_rules *set);

/* Scans buf[0..len) and appends what it finds to out (hit.file = 0).
 * Placeholders are dropped, a generic hit overlapping a specific one is
 * dropped, and AWS key ids and secret keys within a few lines of each
 * other are paired (attrs.paired_with names the other's fingerprint).
 * Returns NHI_OK or NHI_ERR_NOMEM (logged). */
enum nhi_rc nhi_scan_buffer(const struct nhi_scan_rules *set,
                            const char *buf, size_t len,
                            struct nhi_scan_hits *out);

/* Whether value (len bytes) is a placeholder or documented example by
 * the set's lists (AWS's documented example key id, your-api-key-here,
 * runs of x...). */
int nhi_scan_is_placeholder(const struct nhi_scan_rules *set,
                            const char *value, size_t len);

/* The GitHub token checksum: token is "<prefix>_" + 30 characters + 6
 * base62 digits of the CRC32 of those 30. Returns 1 when it holds. */
int nhi_scan_github_checksum(const char *token, size_t len);

/* Shannon entropy of s[0..len) in bits per byte. */
double nhi_scan_entropy(const char *s, size_t len);

/* What a tree scan does. */
struct nhi_scan_opts {
  size_t max_file_size;       /* larger files are skipped; 0: 32 MiB */
  int threads;                /* 0: the machine's cores, at most 8 */
  const char *const *excludes;  /* extra gitignore-style patterns, or NULL */
  size_t nexcludes;
  long long sample;           /* bytes the data classifiers read, at most
                                 1 MiB of each file: 0 for 256 MiB, -1 for
                                 none */
};

/* One file of a tree scan. */
struct nhi_scan_file {
  char *path;                 /* relative to the root, '/'-separated */
  long long size;
  enum { NHI_SCAN_OK, NHI_SCAN_BINARY, NHI_SCAN_TOO_BIG,
         NHI_SCAN_UNREADABLE } status;
};

/* What a tree scan found: the files in path order, and the hits of all
 * of them in file then offset order (hit.file indexes files). */
struct nhi_scan_result {
  char *dir;                  /* the folder file paths are relative to */
  struct nhi_scan_file *files;
  size_t nfiles;
  struct nhi_scan_hits hits;
  long long bytes;            /* bytes scanned */
  long long skipped;          /* files skipped (binary, size, unreadable) */
  struct nhi_classify_counts classes;  /* over the sample */
};

void nhi_scan_result_free(struct nhi_scan_result *r);

/* Walks the folder root (a single file is scanned alone), honouring the
 * gitignore-style patterns of every .nhiscopeignore file in the tree and
 * of opts->excludes, skipping .git folders, files over the size limit and
 * binary files (a NUL byte in the first 8 KiB), and scans the rest over
 * opts->threads threads. The data classifiers count what the sample
 * (opts->sample) holds into r->classes. *r (zeroed first) is the
 * caller's to free with nhi_scan_result_free. Returns NHI_OK, or
 * NHI_ERR_INPUT when root cannot be read (one message naming it),
 * NHI_ERR_NOMEM. */
enum nhi_rc nhi_scan_tree(const struct nhi_scan_rules *set, const char *root,
                          const struct nhi_scan_opts *opts,
                          struct nhi_scan_result *r);

/* Reads the whole file at path (at most max bytes; a larger one gives
 * NHI_ERR_INPUT without a message, so a caller may skip it) into a
 * malloc'd buffer the caller frees. Other failures are NHI_ERR_IO,
 * logged with the path. */
enum nhi_rc nhi_scan_read_file(const char *path, size_t max, char **buf,
                               size_t *len);

/* Whether buf looks binary: a NUL byte in its first 8 KiB. */
int nhi_scan_is_binary(const char *buf, size_t len);

#endif
