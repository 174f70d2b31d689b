/* A small, strict XML reader for API responses (S3, STS): elements,
 * attributes and text, no DTDs and so no entity expansion. */
#ifndef NHI_XML_H
#define NHI_XML_H

#include "nhi.h"

#include <stddef.h>

/* Deepest element nesting accepted. */
#define NHI_XML_MAX_DEPTH 256

struct nhi_xml_attr {
  char *name;
  char *value;
};

/* One element. text is the character data directly inside it (entities
 * and CDATA decoded; "" when none), in document order. */
struct nhi_xml_node {
  char *name;
  char *text;
  size_t text_len;
  struct nhi_xml_attr *attrs;
  size_t nattrs;
  struct nhi_xml_node *children;   /* first child */
  struct nhi_xml_node *next;       /* next sibling */
};

/* Parses len bytes of text into a tree. *root is the caller's
 * (nhi_xml_free). Logs nothing: on NHI_ERR_INPUT *err gets a malloc'd
 * "line L, column C: what" the caller frees (NULL on NHI_ERR_NOMEM).
 * Refuses DOCTYPE declarations and nesting deeper than
 * NHI_XML_MAX_DEPTH. */
enum nhi_rc nhi_xml_parse(const char *text, size_t len,
                          struct nhi_xml_node **root, char **err);

/* Frees a tree; NULL is ignored. */
void nhi_xml_free(struct nhi_xml_node *n);

/* The first child of n named name, or NULL. */
const struct nhi_xml_node *nhi_xml_child(const struct nhi_xml_node *n,
                                         const char *name);

/* The text of the element reached from n by path ("A/B/C", each step the
 * first child of that name), or NULL when a step is missing. */
const char *nhi_xml_text_at(const struct nhi_xml_node *n, const char *path);

#endif
