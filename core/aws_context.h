/* The request context of an IAM decision: condition keys and their
 * values, what is known to be absent, and policy variables. */
#ifndef NHI_AWS_CONTEXT_H
#define NHI_AWS_CONTEXT_H

#include "nhi.h"

#include <stddef.h>

/* A three-valued answer: what the evidence cannot settle is UNKNOWN. */
enum nhi_aws_tri { NHI_AWS_NO = 0, NHI_AWS_YES = 1, NHI_AWS_UNKNOWN = 2 };

/* One key and its values (a single-valued key has one). */
struct nhi_aws_ctx_entry {
  char *key;
  char **values;
  size_t nvalues;
};

/* Keys and values, owned. A key the context does not hold is absent
 * when the context is complete or the key starts with one of the known
 * prefixes ("aws:PrincipalTag/" once the principal's tags are all
 * there); otherwise it is unknown. Lookups fall through to next (not
 * owned), so the engine can lay the facts it knows under a caller's
 * context without copying it. Key names compare without regard to
 * case, as IAM compares them. */
struct nhi_aws_context {
  struct nhi_aws_ctx_entry *items;
  size_t n, cap;
  char **prefixes;
  size_t nprefixes;
  int complete;
  const struct nhi_aws_context *next;
};

/* An empty context: complete is 1 when every key that matters is in it
 * (an absent key is absent), 0 when keys not in it are unknown. */
void nhi_aws_context_init(struct nhi_aws_context *c, int complete);

/* Frees what c owns and empties it; next is left alone. */
void nhi_aws_context_free(struct nhi_aws_context *c);

/* Adds value to key's values (creating the key); value NULL only
 * creates the key, with no values. Copies both. NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_context_add(struct nhi_aws_context *c, const char *key,
                                const char *value);

/* Declares every key starting with prefix known: one absent from the
 * context is absent. "" declares every key known. NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_context_know(struct nhi_aws_context *c,
                                 const char *prefix);

/* Looks key up through c and the contexts after it. YES with *out set
 * when it is there, NO when it is known to be absent, UNKNOWN
 * otherwise. *out is borrowed from the context. */
enum nhi_aws_tri nhi_aws_context_get(const struct nhi_aws_context *c,
                                     const char *key,
                                     const struct nhi_aws_ctx_entry **out);

/* Replaces the policy variables in text: ${key} by the key's single
 * value, ${key, 'default'} by the default when the key is absent, ${*},
 * ${?} and ${$} by those characters. With escape, the '*' and '?' a
 * substitution brings in are made literal (NHI_AWS_ESC) so the result
 * can be used as a pattern. *result is YES when every variable
 * resolved, NO when one names a key that is absent or has several
 * values (IAM then treats the element as not matching), UNKNOWN when
 * one names an unknown key. *out is a malloc'd result (the caller
 * frees it) when *result is YES and text held a variable, NULL
 * otherwise. Returns NHI_OK or NHI_ERR_NOMEM. */
enum nhi_rc nhi_aws_context_subst(const struct nhi_aws_context *c,
                                  const char *text, int escape,
                                  enum nhi_aws_tri *result, char **out);

#endif
