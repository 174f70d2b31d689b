/* Turning a secret value into what may be stored: fingerprint, preview. */
#ifndef NHI_SECRET_H
#define NHI_SECRET_H

#include "nhi.h"

/* "sha256:" + 24 hex digits + NUL */
#define NHI_FINGERPRINT_SIZE 32
/* 4 + "…" (3 bytes) + 2 + NUL, or the all-masked form */
#define NHI_PREVIEW_SIZE 16

/* Writes a truncated SHA-256 of value[0..len) as "sha256:<24 hex>". */
enum nhi_rc nhi_secret_fingerprint(const char *value, size_t len,
                                   char out[NHI_FINGERPRINT_SIZE]);

/* Writes the masked preview: the first 4 and last 2 characters around
 * an ellipsis; values under 12 bytes show nothing but the ellipsis, as
 * six characters would give most of them away. */
void nhi_secret_preview(const char *value, size_t len,
                        char out[NHI_PREVIEW_SIZE]);

#endif
